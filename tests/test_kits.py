"""Kits: keeping them, and lending them through the loan services, member by member, on
SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.audit.trail import action_words, entity_words
from app.core.actor import Actor
from app.core.errors import DomainError, NotPermitted
from app.kits import lending, service
from app.kits.rules import KitDraft, KitRefused, MemberDraft
from app.kits.search import search_kits
from app.kits.terms import kit_terms
from app.loans import service as loans
from app.loans.drafts import Handover, LineDraft, LineReturn, LoanDraft, LoanRefused
from app.loans.views import get_loan
from app.storage.database import Database
from models import (
    Agency,
    AgencyKind,
    AuditEvent,
    Defect,
    DefectSeverity,
    DefectSource,
    EquipmentItem,
    Inspection,
    InspectionRegime,
    InspectionResult,
    ItemStatus,
    Kit,
    Loan,
    LoanStatus,
    PersonQualification,
    QualificationType,
    Role,
)
from tests import factories as f
from tests.clock import TestClock

NOW = f.NOW  # Saturday 21/11/2026 09:00 UTC
HOUR = timedelta(hours=1)
DUTY = Actor(name="Test duty officer", role=Role.DUTY_OFFICER)


@dataclass(frozen=True)
class World:
    """Fire lends water rescue kit, lighting and a drone; police and ambulance borrow."""

    fire: int
    police: int
    ambulance: int
    huntingdon: int  # fire's station
    police_station: int
    boat: int
    spare_boat: int  # another boat of fire's, at the same station
    outboard: int  # its inspection has lapsed
    suits: int  # pool of 10
    lines: int  # pool of 12
    lamp: int  # lighting protocol: police only, 24 hours' notice, 24 hours at most
    drone: int  # drone protocol: police only, needs a drone pilot
    police_item: int
    requester: int
    swimmer: int  # holds the flood rescue qualification only
    all_rounder: int  # holds flood rescue and drone pilot
    fire_manager: int
    police_manager: int


@pytest.fixture
def world(db: Database, clock: TestClock) -> World:
    clock.set(NOW)
    with db.write() as session:
        fire = f.agency(session, "Cambs Fire", AgencyKind.FIRE)
        police = f.agency(session, "Cambs Police", AgencyKind.POLICE)
        ambulance = f.agency(session, "East Ambulance", AgencyKind.AMBULANCE)
        huntingdon = f.site(session, fire, "Huntingdon")
        thorpe = f.site(session, police, "Thorpe Wood")
        boats = f.category(session, "Rescue boats")
        engines = f.category(session, "Outboard engines")
        ppe = f.category(session, "Water PPE")
        lights = f.category(session, "Lighting")
        drones = f.category(session, "Drones")

        def item(kind: object, tag: str, name: str, quantity: int = 1) -> EquipmentItem:
            return f.item(
                session,
                owner=fire,
                home=huntingdon,
                kind=kind,  # type: ignore[arg-type]
                tag=tag,
                name=name,
                quantity=quantity,
                pooled=quantity > 1,
            )

        boat = item(boats, "CFR-B1", "Inflatable rescue boat")
        spare = item(boats, "CFR-B2", "Spare rescue boat")
        outboard = item(engines, "CFR-E1", "Outboard motor 15hp")
        suits = item(ppe, "CFR-S1", "Dry suits", 10)
        lines = item(ppe, "CFR-T1", "Throw lines", 12)
        lamp = item(lights, "CFR-L1", "Lighting tower")
        drone = item(drones, "CFR-D1", "Thermal drone")
        police_item = f.item(session, owner=police, home=thorpe, kind=boats, tag="POL-B1")
        mou = f.mou_in_force(session, [fire, police, ambulance])
        flood = QualificationType(code="WR3", name="Flood rescue (module 3)")
        pilot = QualificationType(code="GVC", name="Drone pilot (GVC)")
        session.add_all([flood, pilot])
        session.flush()
        water = f.protocol(
            session,
            mou,
            borrowers=[police, ambulance],
            categories=[boats, engines, ppe],
            name="Water rescue",
        )
        water.required_qualifications = [flood]
        lighting = f.protocol(session, mou, borrowers=[police], categories=[lights])
        lighting.notice_hours = 24
        lighting.max_loan_hours = 24
        aerial = f.protocol(session, mou, borrowers=[police], categories=[drones], name="Drones")
        aerial.required_qualifications = [pilot]
        regime = InspectionRegime(name="Engine service", category_id=engines.id, interval_months=6)
        session.add(regime)
        session.flush()
        session.add(
            Inspection(
                item_id=outboard.id,
                regime_id=regime.id,
                inspected_on=date(2026, 1, 5),
                result=InspectionResult.PASS,
                next_due_on=date(2026, 7, 5),
            )
        )
        requester = f.person(session, police, "Rita", "Reed")
        swimmer = f.person(session, police, "Sam", "Swimmer")
        all_rounder = f.person(session, police, "Alex", "Allround")
        for who, held in ((swimmer, [flood]), (all_rounder, [flood, pilot])):
            for qualification in held:
                who.qualifications.append(
                    PersonQualification(
                        qualification_type_id=qualification.id,
                        issued_on=date(2025, 6, 1),
                        expires_on=date(2028, 6, 1),
                    )
                )
        fire_manager = f.person(session, fire, "Mia", "Manager")
        police_manager = f.person(session, police, "Pete", "Manager")
        session.flush()
        return World(
            fire=fire.id,
            police=police.id,
            ambulance=ambulance.id,
            huntingdon=huntingdon.id,
            police_station=thorpe.id,
            boat=boat.id,
            spare_boat=spare.id,
            outboard=outboard.id,
            suits=suits.id,
            lines=lines.id,
            lamp=lamp.id,
            drone=drone.id,
            police_item=police_item.id,
            requester=requester.id,
            swimmer=swimmer.id,
            all_rounder=all_rounder.id,
            fire_manager=fire_manager.id,
            police_manager=police_manager.id,
        )


def manager(w: World, *, police: bool = False) -> Actor:
    person_id, agency_id = (w.police_manager, w.police) if police else (w.fire_manager, w.fire)
    return Actor(
        name="Mia Manager",
        role=Role.EQUIPMENT_MANAGER,
        person_id=person_id,
        agency_id=agency_id,
    )


def team_kit(w: World, name: str = "Water rescue team kit") -> KitDraft:
    return KitDraft(
        name=name,
        owner_agency_id=w.fire,
        home_site_id=w.huntingdon,
        members=(
            MemberDraft(w.boat, note="Check bung"),
            MemberDraft(w.suits, 4),
            MemberDraft(w.lines, 6),
        ),
        description="Boat, dry suits and throw lines for a flood team",
    )


def make(db: Database, w: World, draft: KitDraft | None = None) -> int:
    return service.create_kit(db, draft or team_kit(w), manager(w))


def loan_of(
    db: Database,
    w: World,
    kit_id: int,
    *,
    borrower: int | None = None,
    start: datetime | None = None,
    hours: int = 12,
) -> LoanDraft:
    begins = start or NOW + 2 * HOUR
    return lending.kit_loan_draft(
        service.get_kit(db, kit_id),
        borrower_agency_id=borrower or w.police,
        requested_by_id=w.requester,
        purpose="Flood search, Ouse Washes",
        starts_at=begins,
        due_at=begins + timedelta(hours=hours),
    )


def refused(action: object, *args: object, **kwargs: object) -> LoanRefused:
    with pytest.raises(LoanRefused) as caught:
        action(*args, **kwargs)  # type: ignore[operator]
    return caught.value


# -- keeping kits -----------------------------------------------------------------------------


def test_a_kit_is_made_read_and_audited(db: Database, world: World) -> None:
    kit_id = make(db, world)
    kit = service.get_kit(db, kit_id)
    assert (kit.name, kit.owner, kit.home_site) == (
        "Water rescue team kit",
        "Cambs Fire",
        "Huntingdon",
    )
    assert kit.members_summary == "CFR-B1, 4 × CFR-S1, 6 × CFR-T1"
    assert kit.members[0].note == "Check bung"
    assert kit.members[0].label == "CFR-B1 “Inflatable rescue boat”"
    assert not kit.is_retired
    assert [k.id for k in service.list_kits(db)] == [kit_id]
    assert service.find_kit(db, "water RESCUE").id == kit_id
    assert service.find_kit(db, "Water rescue team kit (AG1)".replace("AG1", kit.owner_code)).id
    with db.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "kit")).one()
        assert event.action == "kit.created"
        assert event.after is not None
        assert [m["quantity"] for m in event.after["members"]] == [1, 4, 6]
    assert (entity_words("kit"), action_words("kit.created")) == ("Kit", "Kit added")


def test_each_rule_of_a_draft_is_named(db: Database, world: World) -> None:
    blank = KitDraft(name=" ", owner_agency_id=None, home_site_id=None)
    assert {p.rule for p in service.check_kit(db, blank)} == {"name", "required", "members"}
    twice = replace(team_kit(world), members=(MemberDraft(world.boat), MemberDraft(world.boat)))
    assert [p.rule for p in service.check_kit(db, twice)] == ["member_twice"]
    cases = {
        "member_owner": MemberDraft(world.police_item),
        "quantity": MemberDraft(world.suits, 11),
    }
    for rule, member in cases.items():
        draft = replace(team_kit(world), members=(member,))
        problems = service.check_kit(db, draft)
        assert [p.rule for p in problems] == [rule], problems
    tagged_two = replace(team_kit(world), members=(MemberDraft(world.boat, 2),))
    assert "single item" in service.check_kit(db, tagged_two)[0].message
    elsewhere = replace(team_kit(world), home_site_id=world.police_station)
    assert [p.rule for p in service.check_kit(db, elsewhere)] == ["site_owner"]
    with db.write() as session:
        retired = session.get(EquipmentItem, world.spare_boat)
        assert retired is not None
        retired.status = ItemStatus.RETIRED
    gone = replace(team_kit(world), members=(MemberDraft(world.spare_boat),))
    problems = service.check_kit(db, gone)
    assert [p.rule for p in problems] == ["member_retired"]
    assert "CFR-B2 “Spare rescue boat” is retired" in problems[0].message
    with pytest.raises(KitRefused) as caught:
        make(db, world, gone)
    assert caught.value.rules == {"member_retired"}


def test_only_the_owners_managers_and_administrators_keep_a_kit(db: Database, world: World) -> None:
    with pytest.raises(NotPermitted):
        service.create_kit(db, team_kit(world), DUTY)
    with pytest.raises(NotPermitted, match="not Cambs Fire's"):
        service.create_kit(db, team_kit(world), manager(world, police=True))
    admin = Actor(name="Ada Admin", role=Role.ADMINISTRATOR, agency_id=world.police)
    kit_id = service.create_kit(db, team_kit(world), admin)
    kit = service.get_kit(db, kit_id)
    with pytest.raises(NotPermitted):
        service.retire_kit(db, kit_id, manager(world, police=True), "Not ours")
    with pytest.raises(NotPermitted):
        service.update_kit(db, kit_id, kit.as_draft(), DUTY, kit.row_version)


def test_editing_keeps_the_members_order_and_refuses_a_stale_copy(
    db: Database, world: World
) -> None:
    kit_id = make(db, world)
    kit = service.get_kit(db, kit_id)
    draft = replace(
        kit.as_draft(),
        members=(
            MemberDraft(world.lines, 8),
            MemberDraft(world.boat, note="Check bung"),
            MemberDraft(world.outboard),
        ),
    )
    service.update_kit(db, kit_id, draft, manager(world), kit.row_version)
    edited = service.get_kit(db, kit_id)
    assert edited.members_summary == "8 × CFR-T1, CFR-B1, CFR-E1"
    assert edited.row_version > kit.row_version
    with pytest.raises(DomainError, match="Someone else changed this kit"):
        service.update_kit(db, kit_id, kit.as_draft(), manager(world), kit.row_version)
    with db.read() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == "kit").order_by(AuditEvent.id)
        ).all()
    assert actions == ["kit.created", "kit.updated"]


def test_a_name_is_the_agencys_alone_until_its_kit_is_retired(db: Database, world: World) -> None:
    kit_id = make(db, world)
    with pytest.raises(KitRefused) as caught:
        make(db, world, team_kit(world, "WATER rescue TEAM kit"))
    assert caught.value.rules == {"name_taken"}
    with pytest.raises(DomainError, match="Give a reason"):
        service.retire_kit(db, kit_id, manager(world), " ")
    service.retire_kit(db, kit_id, manager(world), "Replaced by the new boat kit")
    retired = service.get_kit(db, kit_id)
    assert retired.is_retired
    assert retired.retired_reason == "Replaced by the new boat kit"
    assert service.list_kits(db) == []
    assert [k.id for k in service.list_kits(db, include_retired=True)] == [kit_id]
    with pytest.raises(DomainError, match="already retired"):
        service.retire_kit(db, kit_id, manager(world), "Again")
    assert make(db, world) != kit_id
    with pytest.raises(DomainError, match="is retired"):
        loan_of(db, world, kit_id)


# -- lending a kit --------------------------------------------------------------------------


def test_a_kit_is_requested_approved_issued_and_returned_member_by_member(
    db: Database, world: World
) -> None:
    kit_id = make(db, world)
    draft = loan_of(db, world, kit_id)
    assert [(line.item_id, line.quantity) for line in draft.lines] == [
        (world.boat, 1),
        (world.suits, 4),
        (world.lines, 6),
    ]
    loan_id = loans.request_loan(db, draft, DUTY, now=NOW)
    view = get_loan(db, loan_id, now=NOW)
    assert (view.kit_id, view.kit) == (kit_id, "Water rescue team kit")
    assert view.items_summary == "CFR-B1, 4 × CFR-S1, 6 × CFR-T1"
    loans.approve_loan(db, loan_id, manager(world), now=NOW)
    loans.issue_loan(db, loan_id, Handover(operator_id=world.swimmer), DUTY, now=NOW + 2 * HOUR)
    lines = {line.item_id: line for line in get_loan(db, loan_id).lines}
    back_later = NOW + 6 * HOUR
    status = loans.return_loan(
        db,
        loan_id,
        DUTY,
        lines=[
            LineReturn(line_id=lines[world.boat].id, quantity=1),
            LineReturn(line_id=lines[world.suits].id, quantity=2),
        ],
        now=back_later,
    )
    assert status is LoanStatus.PARTLY_RETURNED
    after = {line.item_id: line.quantity_out for line in get_loan(db, loan_id).lines}
    assert after == {world.boat: 0, world.suits: 2, world.lines: 6}
    with db.read() as session:
        boat = session.get(EquipmentItem, world.boat)
        assert boat is not None
        assert boat.status is ItemStatus.AVAILABLE
    # What is back is free again; what is still out is not.
    again = lending.kit_availability(db, kit_id, back_later, back_later + 4 * HOUR, now=back_later)
    assert [m.free for m in again.members] == [1, 8, 6]
    twice = replace(team_kit(world, "Big kit"), members=(MemberDraft(world.lines, 7),))
    big = lending.kit_availability(db, make(db, world, twice), back_later, back_later + HOUR)
    assert [m.state for m in big.members] == [lending.MemberState.SHORT]
    loans.return_loan(db, loan_id, DUTY, now=back_later + HOUR)
    assert get_loan(db, loan_id).status is LoanStatus.RETURNED


def test_the_kit_is_free_only_when_every_member_is(db: Database, world: World) -> None:
    kit_id = make(db, world)
    start, end = NOW + 2 * HOUR, NOW + 14 * HOUR
    assert lending.kit_availability(db, kit_id, start, end, now=NOW).is_free
    # Another loan takes the boat and 8 of the 12 throw lines.
    other = LoanDraft(
        borrower_agency_id=world.ambulance,
        requested_by_id=_person_of(db, world.ambulance),
        purpose="Exercise",
        starts_at=start,
        due_at=end,
        lines=(LineDraft(world.boat), LineDraft(world.lines, 8)),
    )
    taken = loans.request_loan(db, other, DUTY, now=NOW)
    free = lending.kit_availability(db, kit_id, start, end, now=NOW)
    assert not free.is_free
    states = [(m.member.asset_tag, m.state, m.free) for m in free.members]
    assert states == [
        ("CFR-B1", lending.MemberState.BOOKED, 0),
        ("CFR-S1", lending.MemberState.FREE, 10),
        ("CFR-T1", lending.MemberState.SHORT, 4),
    ]
    assert f"Loan {taken} has it" in free.members[0].problems[0].message
    # The request is refused naming each member that is not free.
    problems = loans.check_request(db, loan_of(db, world, kit_id), now=NOW)
    assert {p.rule for p in problems} == {"availability"}
    said = " ".join(p.message for p in problems)
    assert "CFR-B1 “Inflatable rescue boat” is already booked" in said
    assert "Only 4 of the 12 CFR-T1 “Throw lines” are free" in said
    # The form offers the rest, or a stand-in, without leaving it.
    offer = lending.stand_ins(db, kit_id, world.boat, start, end, now=NOW)
    assert [c.asset_tag for c in offer.candidates] == ["CFR-B2"]
    assert offer.candidates[0].at_kit_site
    pool = lending.stand_ins(db, kit_id, world.lines, start, end, now=NOW)
    assert pool.member.free == 4
    draft = lending.with_stand_in(loan_of(db, world, kit_id), world.boat, world.spare_boat)
    draft = lending.with_quantity(draft, world.lines, pool.member.free)
    assert loans.check_request(db, draft, now=NOW) == []
    rest = lending.without_member(
        lending.without_member(loan_of(db, world, kit_id), world.boat), world.lines
    )
    assert [line.item_id for line in rest.lines] == [world.suits]
    loan_id = loans.request_loan(db, draft, DUTY, now=NOW)
    assert get_loan(db, loan_id).kit == "Water rescue team kit"


def _person_of(db: Database, agency_id: int) -> int:
    with db.write() as session:
        agency = session.get(Agency, agency_id)
        assert agency is not None
        return f.person(session, agency, "Amy", "Ambulance").id


def test_why_a_member_is_kept_in_is_said_for_each(db: Database, world: World) -> None:
    draft = replace(
        team_kit(world),
        members=(
            MemberDraft(world.boat),
            MemberDraft(world.outboard),
            MemberDraft(world.suits, 4),
            MemberDraft(world.spare_boat),
        ),
    )
    kit_id = make(db, world, draft)
    with db.write() as session:
        boat = session.get(EquipmentItem, world.boat)
        assert boat is not None
        boat.status = ItemStatus.OUT_OF_SERVICE
        session.add(
            Defect(
                item_id=world.spare_boat,
                source=DefectSource.REPORTED,
                severity=DefectSeverity.MAJOR,
                description="Hull torn",
                reported_at=NOW - HOUR,
            )
        )
        session.add(
            Defect(
                item_id=world.suits,
                source=DefectSource.REPORTED,
                severity=DefectSeverity.MAJOR,
                description="Seals perished",
                reported_at=NOW - HOUR,
                quantity=7,
            )
        )
    free = lending.kit_availability(db, kit_id, NOW + HOUR, NOW + 5 * HOUR, now=NOW)
    states = {m.member.asset_tag: (m.state, m.free) for m in free.members}
    assert states == {
        "CFR-B1": (lending.MemberState.OUT_OF_SERVICE, 0),
        "CFR-E1": (lending.MemberState.INSPECTION, 1),
        "CFR-S1": (lending.MemberState.SHORT, 3),
        "CFR-B2": (lending.MemberState.DEFECT, 1),
    }
    said = " ".join(p.message for p in free.problems)
    for tag in ("CFR-B1", "CFR-E1", "CFR-S1", "CFR-B2"):
        assert tag in said
    assert "Hull torn" in said


def test_every_members_protocol_must_cover_the_borrower(db: Database, world: World) -> None:
    mixed = replace(
        team_kit(world, "Scene kit"),
        members=(MemberDraft(world.boat), MemberDraft(world.lamp), MemberDraft(world.drone)),
    )
    kit_id = make(db, world, mixed)
    start = NOW + 30 * HOUR
    asked = loan_of(db, world, kit_id, borrower=world.ambulance, start=start)
    asked = replace(asked, requested_by_id=_person_of(db, world.ambulance))
    problems = loans.check_request(db, asked, now=NOW)
    assert {p.rule for p in problems} == {"borrower"}
    said = " ".join(p.message for p in problems)
    assert "CFR-L1 “Lighting tower”" in said
    assert "CFR-D1 “Thermal drone”" in said
    assert "CFR-B1" not in said
    terms = kit_terms(db, kit_id, world.ambulance, now=NOW)
    assert not terms.lendable
    assert [m.member.asset_tag for m in terms.members if m.problem] == ["CFR-L1", "CFR-D1"]
    police = kit_terms(db, kit_id, world.police, now=NOW)
    assert police.lendable
    assert (police.notice_hours, police.max_loan_hours) == (24, 24)
    assert police.qualifications == ("Flood rescue (module 3)", "Drone pilot (GVC)")


def test_the_strictest_notice_and_longest_loan_decide(db: Database, world: World) -> None:
    mixed = replace(
        team_kit(world, "Scene kit"),
        members=(MemberDraft(world.boat), MemberDraft(world.lamp)),
    )
    kit_id = make(db, world, mixed)
    soon = loans.check_request(db, loan_of(db, world, kit_id), now=NOW)
    assert [p.rule for p in soon] == ["notice"]
    assert "24 hours' notice for CFR-L1 “Lighting tower”" in soon[0].message
    long = loans.check_request(
        db, loan_of(db, world, kit_id, start=NOW + 30 * HOUR, hours=48), now=NOW
    )
    assert [p.rule for p in long] == ["max_loan"]
    assert "the protocol lends CFR-L1 “Lighting tower”" in long[0].message
    fine = loan_of(db, world, kit_id, start=NOW + 30 * HOUR, hours=24)
    assert loans.check_request(db, fine, now=NOW) == []
    # An emergency waives the notice, for the whole kit.
    urgent = replace(loan_of(db, world, kit_id), is_emergency=True)
    assert loans.check_request(db, urgent, now=NOW) == []


def test_the_operator_needs_every_members_competence(db: Database, world: World) -> None:
    mixed = replace(
        team_kit(world, "Search kit"),
        members=(MemberDraft(world.boat), MemberDraft(world.suits, 2), MemberDraft(world.drone)),
    )
    kit_id = make(db, world, mixed)
    draft = loan_of(db, world, kit_id)
    problems = loans.check_emergency_issue(db, draft, Handover(operator_id=world.swimmer), now=NOW)
    assert [p.rule for p in problems] == ["competence"]
    assert "holds no “Drone pilot (GVC)”" in problems[0].message
    assert "for CFR-D1 “Thermal drone”" in problems[0].message
    requester = loans.check_emergency_issue(
        db, draft, Handover(operator_id=world.requester), now=NOW
    )
    flood = next(p for p in requester if "Flood rescue" in p.message)
    assert "for CFR-B1 “Inflatable rescue boat” and CFR-S1 “Dry suits”" in flood.message
    loan_id = loans.emergency_issue(
        db, draft, Handover(operator_id=world.all_rounder), DUTY, now=NOW
    )
    view = get_loan(db, loan_id, now=NOW)
    assert (view.status, view.is_emergency, view.kit) == (LoanStatus.ISSUED, True, "Search kit")


def test_a_retired_kit_is_not_lent(db: Database, world: World) -> None:
    kit_id = make(db, world)
    draft = loan_of(db, world, kit_id)
    service.retire_kit(db, kit_id, manager(world), "Broken up")
    error = refused(loans.request_loan, db, draft, DUTY, now=NOW)
    assert error.rules == {"kit"}
    with db.read() as session:
        assert session.scalars(select(Loan)).all() == []
        assert session.get(Kit, kit_id) is not None


def test_kits_are_found_by_their_words_and_their_members(db: Database, world: World) -> None:
    team = make(db, world)
    scene = make(
        db,
        world,
        replace(
            team_kit(world, "Scene lighting kit"),
            members=(MemberDraft(world.lamp),),
            description="",
        ),
    )
    assert [hit.kit.id for hit in search_kits(db, "water rescue")] == [team]
    by_member = search_kits(db, "tower")
    assert [(hit.kit.id, hit.by_name, hit.members) for hit in by_member] == [
        (scene, False, ("CFR-L1",))
    ]
    assert [hit.kit.id for hit in search_kits(db, "kit")] == [scene, team]
    assert [hit.kit.id for hit in search_kits(db, "dry suits free tomorrow")] == [team]
    assert search_kits(db, "cfr-t1")[0].kit.id == team
    assert search_kits(db, "") == []
    assert search_kits(db, "helicopter") == []
