"""Loans from request to return: every rule and transition, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.actor import Actor
from app.core.errors import NotPermitted, Refusal
from app.loans import fitness, rules, service, support, views
from app.loans.drafts import Handover, LineDraft, LineReturn, LoanConflict, LoanDraft, LoanRefused
from app.loans.views import LoanSection
from app.storage.database import Database
from models import (
    Agency,
    AgencyKind,
    AppUser,
    AuditEvent,
    Condition,
    Defect,
    DefectSeverity,
    DefectSource,
    EquipmentItem,
    Inspection,
    InspectionRegime,
    InspectionResult,
    ItemStatus,
    Loan,
    LoanLine,
    LoanStatus,
    Person,
    PersonQualification,
    QualificationType,
    Role,
)
from tests import factories as f

NOW = f.NOW  # Saturday 21/11/2026 09:00 UTC
ACTOR = Actor(name="Test duty officer", role=Role.DUTY_OFFICER)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class World:
    """Fire lends drones and barriers to police; ambulance is not covered."""

    lender: int
    borrower: int
    outsider: int
    site: int
    drone: int
    barriers: int
    lamp: int  # under a protocol needing 24 hours' notice
    stranger_item: int  # covered by no protocol
    requester: int
    pilot: int  # holds a current drone qualification
    lapsed_pilot: int  # drone qualification expired last month
    manager: int  # lender's equipment manager (has an account)
    lender_duty: int  # lender's staff, no account
    outsider_person: int
    drone_regime: int


def person(session: Session, agency_id: int, given: str, family: str, staff: str) -> Person:
    record = Person(agency_id=agency_id, staff_number=staff, given_name=given, family_name=family)
    session.add(record)
    session.flush()
    return record


@pytest.fixture
def world(db: Database) -> World:
    with db.write() as session:
        fire = f.agency(session, "Cambs Fire", AgencyKind.FIRE)
        police = f.agency(session, "Cambs Police", AgencyKind.POLICE)
        ambulance = f.agency(session, "East Ambulance", AgencyKind.AMBULANCE)
        station = f.site(session, fire, "Huntingdon")
        drones = f.category(session, "Drones")
        barriers_kind = f.category(session, "Barriers")
        lights = f.category(session, "Lighting")
        loose = f.category(session, "Loose kit")
        drone = f.item(session, owner=fire, home=station, kind=drones, tag="CFR-D1", name="Drone")
        barriers = f.item(
            session,
            owner=fire,
            home=station,
            kind=barriers_kind,
            tag="CFR-B1",
            name="Barriers",
            quantity=10,
            pooled=True,
        )
        lamp = f.item(session, owner=fire, home=station, kind=lights, tag="CFR-L1", name="Lamp")
        stranger = f.item(session, owner=fire, home=station, kind=loose, tag="CFR-X1", name="Axe")
        mou = f.mou_in_force(session, [fire, police])
        drone_protocol = f.protocol(
            session, mou, borrowers=[police], categories=[drones, barriers_kind], name="Kit"
        )
        drone_protocol.approver_role = Role.EQUIPMENT_MANAGER
        drone_protocol.approver_title = "Station Commander"
        lamp_protocol = f.protocol(session, mou, borrowers=[police], categories=[lights])
        lamp_protocol.notice_hours = 24
        lamp_protocol.approver_role = Role.DUTY_OFFICER
        qualification = QualificationType(code="GVC", name="Drone pilot (GVC)")
        session.add(qualification)
        session.flush()
        drone_protocol.required_qualifications = [qualification]
        requester = person(session, police.id, "Rita", "Reed", "P100")
        pilot = person(session, police.id, "Pat", "Pilot", "P101")
        lapsed = person(session, police.id, "Lou", "Lapsed", "P102")
        manager = person(session, fire.id, "Mia", "Manager", "F200")
        duty = person(session, fire.id, "Dan", "Duty", "F201")
        outsider = person(session, ambulance.id, "Amy", "Outside", "A300")
        pilot.qualifications.append(
            PersonQualification(
                qualification_type_id=qualification.id,
                issued_on=date(2025, 6, 1),
                expires_on=date(2027, 6, 1),
            )
        )
        lapsed.qualifications.append(
            PersonQualification(
                qualification_type_id=qualification.id,
                issued_on=date(2023, 10, 1),
                expires_on=date(2026, 10, 31),
            )
        )
        session.add(
            AppUser(
                username="mia", person_id=manager.id, role=Role.EQUIPMENT_MANAGER, password_hash="x"
            )
        )
        regime = InspectionRegime(name="PUWER inspection", category_id=drones.id, interval_months=6)
        session.add(regime)
        session.flush()
        session.add(
            Inspection(
                item_id=drone.id,
                regime_id=regime.id,
                inspected_on=date(2026, 9, 1),
                result=InspectionResult.PASS,
                next_due_on=date(2027, 3, 1),
            )
        )
        session.flush()
        return World(
            lender=fire.id,
            borrower=police.id,
            outsider=ambulance.id,
            site=station.id,
            drone=drone.id,
            barriers=barriers.id,
            lamp=lamp.id,
            stranger_item=stranger.id,
            requester=requester.id,
            pilot=pilot.id,
            lapsed_pilot=lapsed.id,
            manager=manager.id,
            lender_duty=duty.id,
            outsider_person=outsider.id,
            drone_regime=regime.id,
        )


def draft(w: World, *lines: LineDraft, start: datetime | None = None, hours: int = 24) -> LoanDraft:
    begins = start or NOW + 2 * HOUR
    return LoanDraft(
        borrower_agency_id=w.borrower,
        requested_by_id=w.requester,
        purpose="Missing person search, Ouse Washes",
        incident_ref="CC-20261121-0042",
        starts_at=begins,
        due_at=begins + timedelta(hours=hours),
        lines=lines or (LineDraft(w.drone),),
    )


def request(db: Database, d: LoanDraft) -> int:
    return service.request_loan(db, d, ACTOR, now=NOW)


def approved(db: Database, w: World, d: LoanDraft) -> int:
    loan_id = request(db, d)
    service.approve_loan(db, loan_id, deciding(w, w.manager), now=NOW)
    return loan_id


def issued(db: Database, w: World, d: LoanDraft) -> int:
    loan_id = approved(db, w, d)
    service.issue_loan(db, loan_id, Handover(operator_id=w.pilot), ACTOR, now=NOW + 2 * HOUR)
    return loan_id


def deciding(w: World, person_id: int | None, role: Role = Role.EQUIPMENT_MANAGER) -> Actor:
    """Signed in as ``person_id`` (of the lender unless it is the requester), in ``role``."""
    agency = w.borrower if person_id == w.requester else w.lender
    return Actor(name=f"Person {person_id}", role=role, person_id=person_id, agency_id=agency)


def refusal(action: object, *args: object, **kwargs: object) -> LoanRefused:
    with pytest.raises(LoanRefused) as caught:
        action(*args, **kwargs)  # type: ignore[operator]
    return caught.value


def audit_actions(db: Database, loan_id: int) -> list[str]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity_type == "loan", AuditEvent.entity_id == loan_id)
                .order_by(AuditEvent.id)
            )
        )


# -- request ----------------------------------------------------------------------------


def test_a_request_books_the_kit_and_is_audited(db: Database, world: World) -> None:
    loan_id = request(db, draft(world, LineDraft(world.drone), LineDraft(world.barriers, 4)))
    loan = views.get_loan(db, loan_id, now=NOW)
    assert loan.status is LoanStatus.REQUESTED
    assert loan.actions == ("approve", "decline", "extend", "cancel")
    assert [(line.asset_tag, line.quantity) for line in loan.lines] == [
        ("CFR-D1", 1),
        ("CFR-B1", 4),
    ]
    assert loan.protocol == "Kit"
    with db.read() as session:
        lines = session.scalars(select(LoanLine).where(LoanLine.loan_id == loan_id)).all()
        assert [(line.exclusive, line.holds_stock) for line in lines] == [
            (True, True),
            (False, True),
        ]
    assert audit_actions(db, loan_id) == ["loan.requested"]
    assert service.check_request(db, draft(world, LineDraft(world.barriers, 6)), now=NOW) == []
    problems = service.check_request(db, draft(world, LineDraft(world.barriers, 7)), now=NOW)
    assert [p.rule for p in problems] == ["availability"]
    assert "Only 6 of the 10" in problems[0].message


def test_missing_details_are_named(db: Database, world: World) -> None:
    empty = LoanDraft(
        borrower_agency_id=None,
        requested_by_id=None,
        purpose=" ",
        starts_at=None,
        due_at=None,
        lines=(),
    )
    problems = service.check_request(db, empty, now=NOW)
    fields = {p.field for p in problems}
    assert fields >= {"borrower", "requested_by", "purpose", "lines", "starts_at"}
    error = refusal(request, db, empty)
    assert "things stop this" in error.message
    with db.read() as session:
        assert session.scalar(select(Loan.id)) is None


@pytest.mark.parametrize(
    ("start_offset", "hours", "field", "words"),
    [
        (2 * HOUR, -1, "due_at", "must end after it starts"),
        (-2 * HOUR, 24, "starts_at", "is in the past"),
        (-30 * HOUR, 24, "due_at", "has already passed"),
    ],
)
def test_periods_that_cannot_be(
    db: Database, world: World, start_offset: timedelta, hours: int, *, field: str, words: str
) -> None:
    error = refusal(request, db, draft(world, start=NOW + start_offset, hours=hours))
    assert error.rules == {"period"}
    assert error.problems[0].field == field
    assert words in error.message


def test_a_request_may_start_a_few_minutes_ago(db: Database, world: World) -> None:
    loan_id = request(db, draft(world, start=NOW - timedelta(minutes=10)))
    assert views.get_loan(db, loan_id).status is LoanStatus.REQUESTED


def test_borrower_must_be_covered_by_the_protocol(db: Database, world: World) -> None:
    d = replace(
        draft(world), borrower_agency_id=world.outsider, requested_by_id=world.outsider_person
    )
    error = refusal(request, db, d)
    assert error.rules == {"borrower"}
    assert "East Ambulance is not covered" in error.message
    assert "lets only Cambs Police borrow it" in error.message


def test_the_requester_comes_from_the_borrowing_agency(db: Database, world: World) -> None:
    error = refusal(request, db, replace(draft(world), requested_by_id=world.manager))
    assert error.rules == {"requester"}
    assert "works for Cambs Fire, not Cambs Police" in error.message


def test_an_item_under_no_protocol_cannot_be_lent(db: Database, world: World) -> None:
    error = refusal(request, db, draft(world, LineDraft(world.stranger_item)))
    assert error.rules == {"protocol"}
    assert "No sharing protocol covers CFR-X1" in error.message


def test_only_an_mou_the_owner_signed_lends_its_kit(db: Database, world: World) -> None:
    from models import Mou, MouParty

    with db.write() as session:
        party = session.scalars(select(MouParty).where(MouParty.agency_id == world.lender)).one()
        session.delete(party)
        assert session.scalars(select(Mou)).one()
    error = refusal(request, db, draft(world))
    assert error.rules == {"protocol"}


def test_emergency_only_protocols(db: Database, world: World) -> None:
    from models import SharingProtocol

    with db.write() as session:
        kit = session.scalars(select(SharingProtocol).where(SharingProtocol.name == "Kit")).one()
        kit.emergency_only = True
    error = refusal(request, db, draft(world))
    assert error.rules == {"emergency_only"}
    assert "only in an emergency, under protocol “Kit”" in error.message
    loan_id = request(db, replace(draft(world), is_emergency=True))
    assert views.get_loan(db, loan_id).protocol == "Kit"


def test_an_emergency_loan_prefers_the_emergency_protocol(db: Database, world: World) -> None:
    from models import Mou

    with db.write() as session:
        mou = session.scalars(select(Mou)).one()
        drones = session.get(EquipmentItem, world.drone).category  # type: ignore[union-attr]
        police = session.get(Agency, world.borrower)
        assert police is not None
        emergency = f.protocol(session, mou, borrowers=[police], categories=[drones], name="Fast")
        emergency.emergency_only, emergency.max_loan_hours = True, 12
        # The newest planned protocol would govern if nothing preferred the emergency one.
        f.protocol(session, mou, borrowers=[police], categories=[drones], name="Planned")
    planned_id = request(db, draft(world, hours=20))
    assert views.get_loan(db, planned_id).protocol == "Planned"
    d = replace(draft(world, start=NOW + 30 * HOUR, hours=20), is_emergency=True)
    assert refusal(request, db, d).rules == {"max_loan"}
    loan_id = request(db, replace(d, due_at=NOW + 40 * HOUR))
    assert views.get_loan(db, loan_id).protocol == "Fast"


def test_issue_asks_again_whether_the_mou_is_in_force(db: Database, world: World) -> None:
    from models import Mou

    loan_id = approved(db, world, draft(world))
    with db.write() as session:
        session.scalars(select(Mou)).one().terminated_on = date(2026, 11, 21)
    error = refusal(
        service.issue_loan, db, loan_id, Handover(operator_id=world.pilot), ACTOR, now=NOW
    )
    assert error.rules == {"mou"}


def test_an_expired_mou_stops_loans(db: Database, world: World) -> None:
    from models import Mou

    with db.write() as session:
        for mou in session.scalars(select(Mou)):
            mou.expires_on = date(2026, 11, 1)
    error = refusal(request, db, draft(world))
    assert error.rules == {"mou"}
    assert "“Expired”, not in force" in error.message


def test_a_loan_must_end_before_the_mou_expires(db: Database, world: World) -> None:
    from models import Mou

    with db.write() as session:
        for mou in session.scalars(select(Mou)):
            mou.expires_on = date(2026, 11, 22)
    error = refusal(request, db, draft(world, start=NOW + 20 * HOUR, hours=30))
    assert error.rules == {"mou"}
    assert "must be back by then" in error.message


def test_the_longest_loan_is_the_protocols(db: Database, world: World) -> None:
    error = refusal(request, db, draft(world, hours=73))
    assert error.rules == {"max_loan"}
    assert "allows loans of 3 days at most; this one is 3 days 1 hour" in error.message
    assert "Make it due back by 24/11/2026 11:00" in error.message
    assert request(db, draft(world, hours=72))


def test_notice_is_needed_unless_an_emergency(db: Database, world: World) -> None:
    error = refusal(request, db, draft(world, LineDraft(world.lamp), start=NOW + 3 * HOUR))
    assert error.rules == {"notice"}
    assert "needs 24 hours' notice" in error.message
    assert "the earliest start is 22/11/2026 09:00" in error.message
    emergency = replace(
        draft(world, LineDraft(world.lamp), start=NOW + 3 * HOUR), is_emergency=True
    )
    loan_id = request(db, emergency)
    assert views.get_loan(db, loan_id).is_emergency
    assert request(db, draft(world, LineDraft(world.lamp), start=NOW + 30 * HOUR, hours=2))


def test_quantities_must_fit_the_item(db: Database, world: World) -> None:
    assert refusal(request, db, draft(world, LineDraft(world.drone, 2))).rules == {"quantity"}
    error = refusal(request, db, draft(world, LineDraft(world.barriers, 11)))
    assert "There are only 10" in error.message
    assert refusal(request, db, draft(world, LineDraft(world.barriers, 0))).rules == {"quantity"}


def test_retired_and_out_of_service_items_cannot_be_booked(db: Database, world: World) -> None:
    for status, words in (
        (ItemStatus.OUT_OF_SERVICE, "out of service"),
        (ItemStatus.RETIRED, "retired"),
    ):
        with db.write() as session:
            item = session.get(EquipmentItem, world.drone)
            assert item is not None
            item.status = status
        error = refusal(request, db, draft(world))
        assert error.rules == {"status"}
        assert words in error.message


def test_one_loan_is_from_one_lender(db: Database, world: World) -> None:
    with db.write() as session:
        police_site = f.site(session, session.get(Agency, world.borrower), "Parkside")  # type: ignore[arg-type]
        kind = session.get(EquipmentItem, world.drone).category  # type: ignore[union-attr]
        other = f.item(
            session,
            owner=session.get(Agency, world.borrower),  # type: ignore[arg-type]
            home=police_site,
            kind=kind,
            tag="CCP-D9",
        )
        other_id = other.id
    error = refusal(request, db, draft(world, LineDraft(world.drone), LineDraft(other_id)))
    assert "lender" in error.rules
    assert "Choose items of one agency" in error.message


# -- no double booking --------------------------------------------------------------------


def test_a_tagged_item_cannot_be_booked_twice(db: Database, world: World) -> None:
    first = request(db, draft(world))
    with pytest.raises(LoanConflict) as caught:
        request(db, draft(world, start=NOW + 10 * HOUR))
    assert "CFR-D1 “Drone” is already booked" in caught.value.message
    assert f"Loan {first} has it from 21/11/2026 11:00 to 22/11/2026 11:00" in caught.value.message
    # Back to back is fine: a loan ends at the moment the next may start.
    assert request(db, draft(world, start=NOW + 26 * HOUR))


def test_pooled_stock_never_goes_over_its_quantity(db: Database, world: World) -> None:
    request(db, draft(world, LineDraft(world.barriers, 7)))
    with pytest.raises(LoanConflict) as caught:
        request(db, draft(world, LineDraft(world.barriers, 4), start=NOW + 5 * HOUR))
    assert "Only 3 of the 10 CFR-B1 “Barriers” are free" in caught.value.message
    assert request(db, draft(world, LineDraft(world.barriers, 3), start=NOW + 5 * HOUR))
    # Later, after the first loan ends, the whole pool is free again.
    assert request(db, draft(world, LineDraft(world.barriers, 7), start=NOW + 40 * HOUR))
    with db.read() as session:
        held = [
            (line.starts_at, line.ends_at, line.quantity)
            for line in session.scalars(select(LoanLine).where(LoanLine.item_id == world.barriers))
        ]
    for moment in (start for start, _, _ in held):
        assert sum(q for s, e, q in held if s <= moment < e) <= 10


def test_declining_or_cancelling_frees_the_kit(db: Database, world: World) -> None:
    first = request(db, draft(world))
    service.decline_loan(
        db, first, "Needed for our own exercise", deciding(world, world.manager), now=NOW
    )
    second = request(db, draft(world))
    service.cancel_loan(db, second, ACTOR, reason="Found our own", now=NOW)
    third = request(db, draft(world))
    assert views.get_loan(db, first).decision_reason == "Needed for our own exercise"
    assert views.get_loan(db, second).status is LoanStatus.CANCELLED
    assert views.get_loan(db, third).status is LoanStatus.REQUESTED
    assert audit_actions(db, first) == ["loan.requested", "loan.declined"]


# -- approve and decline --------------------------------------------------------------------


def test_the_lenders_manager_approves(db: Database, world: World) -> None:
    loan_id = approved(db, world, draft(world))
    loan = views.get_loan(db, loan_id)
    assert loan.status is LoanStatus.APPROVED
    assert loan.approver == "Mia Manager"
    assert audit_actions(db, loan_id) == ["loan.requested", "loan.approved"]
    error = refusal(service.approve_loan, db, loan_id, deciding(world, world.manager), now=NOW)
    assert error.rules == {"state"}
    assert "Only a request awaiting approval can be approved" in error.message


def test_only_someone_the_protocol_names_may_approve(db: Database, world: World) -> None:
    loan_id = request(db, draft(world))
    error = refusal(
        service.approve_loan,
        db,
        loan_id,
        deciding(world, world.lender_duty, Role.DUTY_OFFICER),
        now=NOW,
    )
    assert error.rules == {"approver"}
    assert "names Station Commander (equipment manager or above) of Cambs Fire" in error.message
    error = refusal(service.approve_loan, db, loan_id, deciding(world, world.requester), now=NOW)
    assert "only Cambs Fire, who lend the kit, can decide" in error.message
    error = refusal(service.approve_loan, db, loan_id, deciding(world, None), now=NOW)
    assert error.rules == {"approver"}
    assert views.get_loan(db, loan_id).status is LoanStatus.REQUESTED


def test_a_duty_officer_approves_where_the_protocol_says_so(db: Database, world: World) -> None:
    loan_id = request(db, draft(world, LineDraft(world.lamp), start=NOW + 25 * HOUR, hours=2))
    service.approve_loan(
        db, loan_id, deciding(world, world.lender_duty, Role.DUTY_OFFICER), now=NOW
    )
    assert views.get_loan(db, loan_id).status is LoanStatus.APPROVED


def _nothing(db: Database, w: World) -> int:
    return 0


def _requested(db: Database, w: World) -> int:
    return request(db, draft(w))


def _approved(db: Database, w: World) -> int:
    return approved(db, w, draft(w))


def _issued(db: Database, w: World) -> int:
    return issued(db, w, draft(w))


LOAN_CHANGES: dict[str, tuple[Any, Any]] = {
    "request": (_nothing, lambda db, w, n, a: service.request_loan(db, draft(w), a, now=NOW)),
    "approve": (_requested, lambda db, w, n, a: service.approve_loan(db, n, a, now=NOW)),
    "decline": (_requested, lambda db, w, n, a: service.decline_loan(db, n, "No", a, now=NOW)),
    "issue": (
        _approved,
        lambda db, w, n, a: service.issue_loan(db, n, Handover(operator_id=w.pilot), a, now=NOW),
    ),
    "emergency": (
        _nothing,
        lambda db, w, n, a: service.emergency_issue(
            db, draft(w), Handover(operator_id=w.pilot), a, now=NOW
        ),
    ),
    "return": (_issued, lambda db, w, n, a: service.return_loan(db, n, a, now=NOW)),
    "extend": (
        _issued,
        lambda db, w, n, a: service.extend_loan(db, n, NOW + 48 * HOUR, a, now=NOW),
    ),
    "cancel": (_requested, lambda db, w, n, a: service.cancel_loan(db, n, a, now=NOW)),
    "recall": (
        _issued,
        lambda db, w, n, a: service.recall_loan(db, n, NOW + 4 * HOUR, "Flooding", a, now=NOW),
    ),
}


def _trail(db: Database) -> tuple[int, list[tuple[int, str]]]:
    with db.read() as session:
        events = session.scalar(select(func.count(AuditEvent.id))) or 0
        loans = [(n, s.value) for n, s in session.execute(select(Loan.id, Loan.status))]
    return events, sorted(loans)


@pytest.mark.parametrize("change", sorted(LOAN_CHANGES))
def test_no_loan_changes_without_someone_signed_in(db: Database, world: World, change: str) -> None:
    set_up, act = LOAN_CHANGES[change]
    loan_id = set_up(db, world)
    before = _trail(db)
    with pytest.raises(NotPermitted, match="No one is signed in"):
        act(db, world, loan_id, Actor(name="Nobody signed in"))
    assert _trail(db) == before


def test_declining_needs_a_reason(db: Database, world: World) -> None:
    loan_id = request(db, draft(world))
    error = refusal(
        service.decline_loan, db, loan_id, "  ", deciding(world, world.manager), now=NOW
    )
    assert error.problems[0].field == "reason"
    assert views.get_loan(db, loan_id).status is LoanStatus.REQUESTED


# -- issue ---------------------------------------------------------------------------------


def test_issue_hands_the_kit_over(db: Database, world: World) -> None:
    loan_id = issued(db, world, draft(world, LineDraft(world.drone), LineDraft(world.barriers, 3)))
    loan = views.get_loan(db, loan_id, now=NOW + 3 * HOUR)
    assert loan.status is LoanStatus.ISSUED
    assert loan.operator == "Pat Pilot"
    assert loan.actions == ("return", "extend", "recall")
    assert [line.condition_out for line in loan.lines] == ["Good", "Good"]
    with db.read() as session:
        drone = session.get(EquipmentItem, world.drone)
        barriers = session.get(EquipmentItem, world.barriers)
        assert drone is not None
        assert barriers is not None
        assert drone.status is ItemStatus.ON_LOAN
        assert barriers.status is ItemStatus.AVAILABLE  # the other seven are still free
    assert audit_actions(db, loan_id)[-1] == "loan.issued"


def test_only_an_approved_loan_is_issued(db: Database, world: World) -> None:
    loan_id = request(db, draft(world))
    error = refusal(
        service.issue_loan, db, loan_id, Handover(operator_id=world.pilot), ACTOR, now=NOW
    )
    assert error.rules == {"state"}
    assert "approve the request first" in error.message


def test_the_operator_must_hold_a_current_qualification(db: Database, world: World) -> None:
    loan_id = approved(db, world, draft(world))
    for operator, words in (
        (world.requester, "Rita Reed holds no “Drone pilot (GVC)”"),
        (world.lapsed_pilot, "Lou Lapsed's “Drone pilot (GVC)” expired on 31/10/2026"),
    ):
        handover = Handover(operator_id=operator)
        problems = service.check_issue(db, loan_id, handover, now=NOW)
        assert [p.rule for p in problems] == ["competence"]
        assert words in problems[0].message
        error = refusal(service.issue_loan, db, loan_id, handover, ACTOR, now=NOW)
        assert words in error.message
    no_operator = Handover(operator_id=None)
    assert refusal(service.issue_loan, db, loan_id, no_operator, ACTOR, now=NOW).rules == {
        "details"
    }
    assert views.get_loan(db, loan_id).status is LoanStatus.APPROVED


def test_a_qualification_expiring_today_is_still_current(db: Database, world: World) -> None:
    with db.write() as session:
        record = session.scalars(
            select(PersonQualification).where(PersonQualification.person_id == world.pilot)
        ).one()
        record.expires_on = date(2026, 11, 21)
    loan_id = approved(db, world, draft(world))
    assert service.check_issue(db, loan_id, Handover(operator_id=world.pilot), now=NOW) == []


def test_a_lapsed_inspection_stops_the_issue(db: Database, world: World) -> None:
    loan_id = approved(db, world, draft(world))
    with db.write() as session:
        inspection = session.scalars(select(Inspection)).one()
        inspection.next_due_on = date(2026, 11, 20)
    error = refusal(
        service.issue_loan, db, loan_id, Handover(operator_id=world.pilot), ACTOR, now=NOW
    )
    assert error.rules == {"inspection"}
    assert (
        "PUWER inspection of CFR-D1 “Drone” was due on 20/11/2026 and has lapsed" in error.message
    )
    # A regime that does not block issue only warns.
    with db.write() as session:
        regime = session.get(InspectionRegime, world.drone_regime)
        assert regime is not None
        regime.blocks_issue = False
    service.issue_loan(db, loan_id, Handover(operator_id=world.pilot), ACTOR, now=NOW)


def test_no_inspection_at_all_stops_the_issue(db: Database, world: World) -> None:
    loan_id = approved(db, world, draft(world))
    with db.write() as session:
        session.delete(session.scalars(select(Inspection)).one())
    error = refusal(
        service.issue_loan, db, loan_id, Handover(operator_id=world.pilot), ACTOR, now=NOW
    )
    assert "No PUWER inspection is recorded for CFR-D1" in error.message


def test_an_open_defect_stops_the_issue(db: Database, world: World) -> None:
    loan_id = approved(db, world, draft(world))
    with db.write() as session:
        session.add(
            Defect(
                item_id=world.drone,
                source=DefectSource.REPORTED,
                severity=DefectSeverity.MAJOR,
                description="Gimbal motor grinding.",
                reported_at=NOW - HOUR,
            )
        )
    error = refusal(
        service.issue_loan, db, loan_id, Handover(operator_id=world.pilot), ACTOR, now=NOW
    )
    assert error.rules == {"defect"}
    assert "open major defect, reported 21/11/2026: Gimbal motor grinding." in error.message


def test_collecting_early_moves_the_start_if_the_kit_is_free(db: Database, world: World) -> None:
    loan_id = approved(db, world, draft(world, start=NOW + 5 * HOUR))
    service.issue_loan(db, loan_id, Handover(operator_id=world.pilot), ACTOR, now=NOW + HOUR)
    assert views.get_loan(db, loan_id).starts_at == NOW + HOUR


def test_an_emergency_issue_skips_request_and_notice_not_safety(db: Database, world: World) -> None:
    d = replace(draft(world, LineDraft(world.drone), start=NOW + HOUR), requested_by_id=None)
    error = refusal(
        service.emergency_issue, db, d, Handover(operator_id=world.lapsed_pilot), ACTOR, now=NOW
    )
    assert error.rules == {"competence"}
    too_old = replace(d, starts_at=NOW - 30 * HOUR)
    error = refusal(
        service.emergency_issue, db, too_old, Handover(operator_id=world.pilot), ACTOR, now=NOW
    )
    assert "can be logged up to 1 day after the kit went out" in error.message
    loan_id = service.emergency_issue(db, d, Handover(operator_id=world.pilot), ACTOR, now=NOW)
    loan = views.get_loan(db, loan_id, now=NOW)
    assert (loan.status, loan.is_emergency) == (LoanStatus.ISSUED, True)
    assert loan.starts_at == NOW  # handed over now, not at the later start typed
    assert audit_actions(db, loan_id) == ["loan.emergency_issued"]
    lamp = replace(d, lines=(LineDraft(world.lamp),))
    assert service.check_emergency_issue(db, lamp, Handover(operator_id=world.pilot), now=NOW) == []


# -- return ---------------------------------------------------------------------------------


def test_pooled_kit_comes_back_in_parts(db: Database, world: World) -> None:
    loan_id = issued(db, world, draft(world, LineDraft(world.barriers, 5)))
    line_id = views.get_loan(db, loan_id).lines[0].id
    later = NOW + 4 * HOUR
    status = service.return_loan(
        db, loan_id, ACTOR, lines=[LineReturn(line_id, 2)], returned_to_id=world.manager, now=later
    )
    assert status is LoanStatus.PARTLY_RETURNED
    with db.read() as session:
        assert rules.free_quantity(session, world.barriers, later, later + HOUR, later) == 7
    error = refusal(
        service.return_loan, db, loan_id, ACTOR, lines=[LineReturn(line_id, 4)], now=later
    )
    assert "3 of CFR-B1 “Barriers” are still out; enter a number from 0 to 3" in error.message
    status = service.return_loan(db, loan_id, ACTOR, returned_to_id=world.manager, now=later)
    loan = views.get_loan(db, loan_id, now=later)
    assert status is LoanStatus.RETURNED
    assert loan.lines[0].quantity_returned == 5
    assert loan.returned_at == later
    assert audit_actions(db, loan_id)[-2:] == ["loan.partly_returned", "loan.returned"]
    assert refusal(service.return_loan, db, loan_id, ACTOR, now=later).rules == {"state"}


def test_a_defect_found_on_return_takes_the_item_out_of_service(db: Database, world: World) -> None:
    loan_id = issued(db, world, draft(world))
    line_id = views.get_loan(db, loan_id).lines[0].id
    back = LineReturn(
        line_id,
        1,
        condition=Condition.POOR,
        defect="Propeller cracked",
        defect_severity=DefectSeverity.UNSAFE,
    )
    service.return_loan(
        db, loan_id, ACTOR, lines=[back], returned_to_id=world.manager, now=NOW + 5 * HOUR
    )
    with db.read() as session:
        item = session.get(EquipmentItem, world.drone)
        assert item is not None
        assert item.status is ItemStatus.OUT_OF_SERVICE
        defect = session.scalars(select(Defect)).one()
        assert (defect.loan_id, defect.reported_by_id) == (loan_id, world.manager)
        blockers = fitness.issue_blockers(session, item, NOW.date())
    assert [b.rule for b in blockers] == ["defect"]
    assert refusal(request, db, draft(world, start=NOW + 48 * HOUR)).rules == {"status"}


def test_a_tagged_item_back_is_available_again(db: Database, world: World) -> None:
    loan_id = issued(db, world, draft(world))
    service.return_loan(db, loan_id, ACTOR, now=NOW + 5 * HOUR)
    with db.read() as session:
        item = session.get(EquipmentItem, world.drone)
        assert item is not None
        assert item.status is ItemStatus.AVAILABLE
    # Returned early: the rest of its booked period is free for others.
    assert request(db, draft(world, start=NOW + 6 * HOUR))


# -- extend, cancel, recall, overdue ------------------------------------------------------------


def test_extend_within_the_protocol_and_the_free_time(db: Database, world: World) -> None:
    loan_id = issued(db, world, draft(world))
    service.extend_loan(db, loan_id, NOW + 40 * HOUR, ACTOR, reason="Search widened", now=NOW)
    assert views.get_loan(db, loan_id).due_at == NOW + 40 * HOUR
    request(db, draft(world, start=NOW + 50 * HOUR))
    with pytest.raises(LoanConflict):
        service.extend_loan(db, loan_id, NOW + 60 * HOUR, ACTOR, now=NOW)
    error = refusal(service.extend_loan, db, loan_id, NOW + 80 * HOUR, ACTOR, now=NOW)
    assert "max_loan" in error.rules
    error = refusal(service.extend_loan, db, loan_id, NOW + 30 * HOUR, ACTOR, now=NOW)
    assert "must be later than the current due time" in error.message
    assert views.get_loan(db, loan_id).due_at == NOW + 40 * HOUR
    assert audit_actions(db, loan_id).count("loan.extended") == 1


def test_extending_pooled_stock_into_other_bookings(db: Database, world: World) -> None:
    first = request(db, draft(world, LineDraft(world.barriers, 7)))
    request(db, draft(world, LineDraft(world.barriers, 4), start=NOW + 30 * HOUR, hours=10))
    with pytest.raises(LoanConflict) as caught:
        service.extend_loan(db, first, NOW + 35 * HOUR, ACTOR, now=NOW)
    # Over the longer period the other booking leaves six for this loan, which holds seven.
    assert "Only 6 of the 10 CFR-B1 “Barriers” are free" in caught.value.message
    service.extend_loan(db, first, NOW + 30 * HOUR, ACTOR, now=NOW)
    assert views.get_loan(db, first).due_at == NOW + 30 * HOUR


def test_a_conflict_names_the_loan_in_the_way(db: Database, world: World) -> None:
    issued(db, world, draft(world, hours=20))  # out now, back tomorrow morning
    later = request(db, draft(world, start=NOW + 100 * HOUR))
    with pytest.raises(LoanConflict) as caught:
        request(db, draft(world, start=NOW + 110 * HOUR))
    assert f"Loan {later} has it" in caught.value.message


def test_cancel_only_before_the_kit_goes_out(db: Database, world: World) -> None:
    loan_id = issued(db, world, draft(world))
    error = refusal(service.cancel_loan, db, loan_id, ACTOR, now=NOW)
    assert error.rules == {"state"}
    assert "Only a request or an approved loan not yet out can be cancelled" in error.message
    approved_id = approved(db, world, draft(world, LineDraft(world.barriers, 2)))
    service.cancel_loan(db, approved_id, ACTOR, now=NOW)
    assert views.get_loan(db, approved_id).status is LoanStatus.CANCELLED


def test_recall_brings_the_due_time_forward(db: Database, world: World) -> None:
    loan_id = issued(db, world, draft(world))
    recall_at = NOW + 5 * HOUR
    error = refusal(service.recall_loan, db, loan_id, recall_at, " ", ACTOR, now=NOW + 3 * HOUR)
    assert error.problems[0].field == "reason"
    error = refusal(service.recall_loan, db, loan_id, NOW + 30 * HOUR, "Fire", ACTOR, now=NOW)
    assert "give a time before 22/11/2026 11:00" in error.message
    service.recall_loan(db, loan_id, recall_at, "Needed at a barn fire", ACTOR, now=NOW + 3 * HOUR)
    loan = views.get_loan(db, loan_id, now=NOW + 3 * HOUR)
    assert loan.recalled_at == NOW + 3 * HOUR
    assert (loan.due_at, loan.booked_due_at) == (recall_at, NOW + 26 * HOUR)
    assert loan.status_label == "Recalled"
    assert loan.actions == ("return",)
    assert "recalled" in refusal(service.extend_loan, db, loan_id, NOW + 40 * HOUR, ACTOR).message
    counts = views.loan_counts(db, now=NOW + 3 * HOUR)
    assert counts[LoanSection.RECALLED] == 1
    # Past the recall time and not back: overdue, and still held.
    late = NOW + 7 * HOUR
    overdue = views.list_loans(db, LoanSection.OVERDUE, now=late)
    assert [(loan.id, loan.overdue_by) for loan in overdue] == [(loan_id, 2 * HOUR)]
    assert overdue[0].status_label == "Overdue 2 hours"


def test_overdue_kit_stays_held_until_it_comes_back(db: Database, world: World) -> None:
    loan_id = issued(db, world, draft(world, hours=4))
    late = NOW + 8 * HOUR
    assert views.loan_counts(db, now=late)[LoanSection.OVERDUE] == 1
    with pytest.raises(LoanConflict) as caught:
        service.request_loan(db, draft(world, start=late + HOUR), ACTOR, now=late)
    assert f"out on loan {loan_id}, overdue since 21/11/2026 15:00" in caught.value.message
    service.return_loan(db, loan_id, ACTOR, now=late)
    assert service.request_loan(db, draft(world, start=late + HOUR), ACTOR, now=late)


# -- the Loans view ---------------------------------------------------------------------------


def test_the_loans_view_counts_each_list(db: Database, world: World) -> None:
    waiting = request(db, draft(world, LineDraft(world.barriers, 1)))
    ready = approved(db, world, draft(world, LineDraft(world.barriers, 1)))
    out = issued(db, world, draft(world, LineDraft(world.drone), hours=10))
    back = issued(db, world, draft(world, LineDraft(world.barriers, 2)))
    service.return_loan(db, back, ACTOR, now=NOW + 3 * HOUR)
    moment = NOW + 4 * HOUR
    counts = views.loan_counts(db, now=moment)
    assert counts[LoanSection.AWAITING] == 1
    assert counts[LoanSection.APPROVED] == 1
    assert counts[LoanSection.OUT] == 1
    assert counts[LoanSection.DUE_TODAY] == 1  # due 19:00 today
    assert counts[LoanSection.OVERDUE] == 0
    assert counts[LoanSection.RETURNED] == 1
    assert counts[LoanSection.ALL] == 4
    assert [loan.id for loan in views.list_loans(db, LoanSection.AWAITING, now=moment)] == [waiting]
    assert [loan.id for loan in views.list_loans(db, LoanSection.APPROVED, now=moment)] == [ready]
    assert [loan.id for loan in views.list_loans(db, LoanSection.OUT, now=moment)] == [out]
    # Filters: the lender and borrower see them all; an uninvolved agency sees none.
    assert views.loan_counts(db, now=moment, agency_id=world.lender)[LoanSection.ALL] == 4
    assert views.loan_counts(db, now=moment, agency_id=world.borrower)[LoanSection.ALL] == 4
    assert views.loan_counts(db, now=moment, agency_id=world.outsider)[LoanSection.ALL] == 0
    assert views.loan_counts(db, now=moment, site_id=world.site)[LoanSection.ALL] == 4


def test_the_timeline_shows_booked_days(db: Database, world: World) -> None:
    request(db, draft(world, LineDraft(world.barriers, 4), start=NOW + 24 * HOUR, hours=48))
    days = support.availability_timeline(db, world.barriers, days=5, now=NOW)
    assert [(d.day.day, d.free) for d in days] == [(21, 10), (22, 6), (23, 6), (24, 6), (25, 10)]


def test_every_transition_is_audited_with_before_and_after(db: Database, world: World) -> None:
    loan_id = issued(db, world, draft(world))
    service.return_loan(db, loan_id, ACTOR, now=NOW + 5 * HOUR)
    with db.read() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == loan_id).order_by(AuditEvent.id)
        ).all()
        trail = [
            (e.action, (e.before or {}).get("status"), (e.after or {}).get("status"))
            for e in events
        ]
        # Each event names who was signed in: the manager approved, the duty officer the rest.
        assert [e.actor for e in events] == [
            ACTOR.name,
            deciding(world, world.manager).name,
            ACTOR.name,
            ACTOR.name,
        ]
        assert (events[-1].after or {})["lines"][0]["holds_stock"] is False
    assert trail == [
        ("loan.requested", None, "requested"),
        ("loan.approved", "requested", "approved"),
        ("loan.issued", "approved", "issued"),
        ("loan.returned", "issued", "returned"),
    ]


# -- typed at the edges -------------------------------------------------------------------------

EAST = timezone(timedelta(hours=5))
WEST = timezone(timedelta(hours=-5))
RANGE = "is outside the dates Kit Share takes; give one from 01/01/1970 to 31/12/2099."


@pytest.mark.parametrize(
    ("starts", "due", "field", "message"),
    [
        (
            datetime(1, 1, 1, tzinfo=EAST),
            NOW + 2 * HOUR,
            "starts_at",
            f"The start 01/01/0001 {RANGE}",
        ),
        (
            NOW + 2 * HOUR,
            datetime(9999, 12, 31, 23, 59, tzinfo=WEST),
            "due_at",
            f"The due time 31/12/9999 {RANGE}",
        ),
        (
            NOW + 2 * HOUR,
            datetime(2100, 1, 1, tzinfo=UTC),
            "due_at",
            f"The due time 01/01/2100 {RANGE}",
        ),
    ],
)
def test_a_loan_at_the_edges_of_time_is_refused_with_the_range(
    db: Database, world: World, starts: datetime, due: datetime, *, field: str, message: str
) -> None:
    d = replace(draft(world), starts_at=starts, due_at=due)
    assert service.check_request(db, d, now=NOW) == [Refusal("period", message, field)]
    error = refusal(request, db, d)
    assert error.message == message
    with db.read() as session:
        assert session.scalar(select(Loan.id)) is None


def test_an_extension_or_recall_at_the_edges_of_time_is_refused(db: Database, world: World) -> None:
    loan_id = issued(db, world, draft(world))
    before = views.get_loan(db, loan_id, now=NOW)
    manager = deciding(world, world.manager)

    extend = refusal(
        service.extend_loan,
        db,
        loan_id,
        datetime(9999, 12, 31, 23, 59, tzinfo=WEST),
        manager,
        now=NOW + 3 * HOUR,
    )
    assert extend.problems == [Refusal("period", f"The new due time 31/12/9999 {RANGE}", "due_at")]
    recall = refusal(
        service.recall_loan,
        db,
        loan_id,
        datetime(1, 1, 1, tzinfo=EAST),
        "Flooding at Earith",
        manager,
        now=NOW + 3 * HOUR,
    )
    assert recall.problems == [Refusal("period", f"The recall time 01/01/0001 {RANGE}", "due_at")]
    assert views.get_loan(db, loan_id, now=NOW) == before


def test_control_characters_typed_into_a_loan_are_not_kept(db: Database, world: World) -> None:
    d = replace(
        draft(world),
        purpose="Missing person\x00 search,\tOuse Washes",
        incident_ref="CC-2026\x00-0042",
        notes="Bring spare\x00 batteries.\r\nCall ahead.",
    )
    loan_id = request(db, d)
    service.decline_loan(
        db, loan_id, "No pilot\x00 free.\r\nTry CAM.", deciding(world, world.manager), now=NOW
    )

    with db.read() as session:
        loan = session.get(Loan, loan_id)
        assert loan is not None
        assert loan.purpose == "Missing person search, Ouse Washes"
        assert loan.incident_ref == "CC-2026-0042"
        assert loan.notes == "Bring spare batteries.\nCall ahead."
        assert loan.decision_reason == "No pilot free.\nTry CAM."
