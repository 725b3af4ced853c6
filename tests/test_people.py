"""People and qualifications: reads, every edit rule, the audit trail, expiry and who may
operate kit. Every database test runs on SQLite and on PostgreSQL (the ``db`` fixture)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from app.core.actor import Actor
from app.core.errors import NotFound, NotPermitted
from app.loans.drafts import Handover, LineDraft, LoanDraft
from app.loans.service import check_emergency_issue
from app.people import qualifications as pq
from app.people import records as pp
from app.people.expiring import expiring_qualifications
from app.people.operators import operator_choices
from app.people.qualifications import QualificationDraft, QualificationTypeDraft
from app.people.records import PeopleRefused, PersonDraft
from app.people.status import EXPIRING_DAYS, QualificationStatus, qualification_status
from app.storage.database import Database
from models import (
    Agency,
    AgencyKind,
    AppUser,
    AuditEvent,
    Person,
    PersonQualification,
    QualificationType,
    Role,
    SharingProtocol,
)
from tests import factories as f

TODAY = date(2026, 11, 21)  # f.NOW's date; the factories' MoU is in force then
DAY = timedelta(days=1)
ADMIN = f.acting(None, Role.ADMINISTRATOR)
MANAGER = f.acting(None, Role.EQUIPMENT_MANAGER)


@dataclass(frozen=True)
class World:
    """Fire lends its drones to police under a protocol that needs a drone pilot."""

    fire: int
    police: int
    ambulance: int
    fire_station: int
    police_station: int
    drone: int
    lamp: int  # under a protocol needing nothing
    pilot: int  # qualification type "Drone pilot (GVC)", lasts 60 months
    height: int  # qualification type "Work at height", no set expiry
    officer: int  # police, holds nothing


@pytest.fixture
def world(db: Database) -> World:
    with db.write() as session:
        fire = f.agency(session, "Cambs Fire", AgencyKind.FIRE)
        police = f.agency(session, "Cambs Police", AgencyKind.POLICE)
        ambulance = f.agency(session, "East Ambulance", AgencyKind.AMBULANCE)
        fire_station = f.site(session, fire, "Huntingdon Fire Station")
        police_station = f.site(session, police, "Parkside Police Station")
        drones = f.category(session, "Drones")
        lights = f.category(session, "Lighting")
        drone = f.item(session, owner=fire, home=fire_station, kind=drones, tag="CFR-D1")
        lamp = f.item(session, owner=fire, home=fire_station, kind=lights, tag="CFR-L1")
        pilot = QualificationType(code="GVC", name="Drone pilot (GVC)", validity_months=60)
        height = QualificationType(code="WAH", name="Work at height", allows="Rope access")
        session.add_all([pilot, height])
        mou = f.mou_in_force(session, [fire, police, ambulance])
        flying = f.protocol(session, mou, borrowers=[police], categories=[drones], name="Drones")
        flying.required_qualifications = [pilot]
        f.protocol(session, mou, borrowers=[police], categories=[lights], name="Lights")
        officer = f.person(session, police, "Rita", "Reed")
        return World(
            fire=fire.id,
            police=police.id,
            ambulance=ambulance.id,
            fire_station=fire_station.id,
            police_station=police_station.id,
            drone=drone.id,
            lamp=lamp.id,
            pilot=pilot.id,
            height=height.id,
            officer=officer.id,
        )


def draft(w: World, **changes: Any) -> PersonDraft:
    """A police constable who passes every check."""
    person = PersonDraft(
        agency_id=w.police,
        staff_number="2391",
        given_name="Daniel",
        family_name="Okafor",
        rank_or_role="Constable (drone pilot)",
        home_site_id=w.police_station,
        email="daniel.okafor@cambs.police.uk",
        phone="01223 555123",
    )
    return replace(person, **changes)


def holding(
    db: Database,
    agency_id: int,
    given: str,
    family: str,
    *records: tuple[int, date | None, date | None],
    active: bool = True,
) -> int:
    """A person of ``agency_id`` holding (type, issued, expires) ``records``; their id."""
    with db.write() as session:
        person = f.person(session, session.get_one(Agency, agency_id), given, family)
        person.is_active = active
        for type_id, issued, expires in records:
            person.qualifications.append(
                PersonQualification(
                    qualification_type_id=type_id, issued_on=issued, expires_on=expires
                )
            )
        session.flush()
        return person.id


def trail(db: Database) -> list[tuple[str, int | None, str, Any, Any]]:
    with db.read() as session:
        return [
            (e.entity_type, e.entity_id, e.action, e.before, e.after)
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]


def rules(caught: pytest.ExceptionInfo[PeopleRefused]) -> set[str]:
    return caught.value.rules


# -- people: adding and changing -------------------------------------------------------------


def test_a_new_person_is_stored_and_audited(db: Database, world: World) -> None:
    person_id = pp.create_person(db, draft(world), ADMIN)

    view = pp.get_person(db, person_id, today=TODAY)
    assert (view.name, view.staff_number, view.agency, view.home_site) == (
        "Daniel Okafor",
        "2391",
        "Cambs Police",
        "Parkside Police Station",
    )
    assert (view.email, view.phone, view.is_active) == (
        "daniel.okafor@cambs.police.uk",
        "01223 555123",
        True,
    )
    [(entity, entity_id, action, before, after)] = trail(db)
    assert (entity, entity_id, action, before) == ("person", person_id, "person.created", None)
    assert after["staff_number"] == "2391"
    assert after["home_site_id"] == world.police_station


def test_an_edit_is_audited_with_before_and_after_and_no_change_is_not(
    db: Database, world: World
) -> None:
    person_id = pp.create_person(db, draft(world), ADMIN)
    pp.update_person(db, person_id, draft(world, rank_or_role="Sergeant", phone=""), ADMIN)
    pp.update_person(db, person_id, draft(world, rank_or_role="Sergeant", phone=""), ADMIN)

    view = pp.get_person(db, person_id)
    assert (view.rank_or_role, view.phone) == ("Sergeant", "")
    events = trail(db)
    assert [e[2] for e in events] == ["person.created", "person.updated"]
    _, _, _, before, after = events[1]
    assert (before["rank_or_role"], after["rank_or_role"]) == (
        "Constable (drone pilot)",
        "Sergeant",
    )
    assert (before["phone"], after["phone"]) == ("01223 555123", None)


def test_spaces_typed_round_names_and_numbers_are_not_stored(db: Database, world: World) -> None:
    person_id = pp.create_person(
        db,
        draft(world, given_name="  Daniel ", family_name=" Okafor  Smith ", staff_number=" 2391 "),
        ADMIN,
    )
    view = pp.get_person(db, person_id)
    assert (view.name, view.staff_number) == ("Daniel Okafor Smith", "2391")


def test_deactivating_and_reactivating_are_audited(db: Database, world: World) -> None:
    pp.set_person_active(db, world.officer, False, ADMIN)
    pp.set_person_active(db, world.officer, False, ADMIN)  # already former staff: nothing
    assert not pp.get_person(db, world.officer).is_active
    assert [r.id for r in pp.list_person_rows(db)] == []
    assert [r.id for r in pp.list_person_rows(db, include_inactive=True)] == [world.officer]

    pp.set_person_active(db, world.officer, True, ADMIN)
    assert pp.get_person(db, world.officer).is_active
    events = trail(db)
    assert [e[2] for e in events] == ["person.deactivated", "person.reactivated"]
    assert (events[0][3]["is_active"], events[0][4]["is_active"]) == (True, False)


def test_someone_who_signs_in_cannot_be_deactivated_until_the_account_is_disabled(
    db: Database, world: World
) -> None:
    with db.write() as session:
        officer = session.get_one(Person, world.officer)
        f.app_user(session, officer, "rreed", "not a real hash")

    with pytest.raises(PeopleRefused) as caught:
        pp.set_person_active(db, world.officer, False, ADMIN)
    assert rules(caught) == {"active_account"}
    assert "“rreed”" in caught.value.message
    assert "Disable that user account first" in caught.value.message
    assert pp.get_person(db, world.officer).is_active
    assert trail(db) == []

    with db.write() as session:
        user = session.scalars(select(AppUser).where(AppUser.username == "rreed")).one()
        user.is_active = False
    pp.set_person_active(db, world.officer, False, ADMIN)
    assert not pp.get_person(db, world.officer).is_active


# -- people: every refusal -------------------------------------------------------------------


def test_every_blank_is_refused_at_once_with_its_field(db: Database, world: World) -> None:
    blank = PersonDraft(agency_id=None, staff_number=" ", given_name="", family_name="  ")
    problems = pp.check_person(db, blank)
    assert {p.field for p in problems} == {"agency_id", "staff_number", "given_name", "family_name"}
    assert all(p.message.endswith(".") for p in problems)

    with pytest.raises(PeopleRefused) as caught:
        pp.create_person(db, blank, ADMIN)
    assert rules(caught) == {"agency", "staff_number", "given_name", "family_name"}
    assert caught.value.message.startswith("4 things stop this:")
    assert trail(db) == []


def test_a_staff_number_is_unique_within_its_agency_whatever_the_case(
    db: Database, world: World
) -> None:
    pp.create_person(db, draft(world, staff_number="PS74410"), ADMIN)

    [problem] = pp.check_person(db, draft(world, staff_number="ps74410", given_name="Other"))
    assert problem.field == "staff_number"
    assert problem.message == (
        "Staff number PS74410 at Cambs Police is already Daniel Okafor's; give this person's "
        "own number, or edit Daniel Okafor instead."
    )
    with pytest.raises(PeopleRefused):
        pp.create_person(db, draft(world, staff_number="ps74410"), ADMIN)
    # Another agency may use the same number.
    assert pp.check_person(db, draft(world, agency_id=world.fire, home_site_id=None)) == []


def test_a_former_colleagues_number_is_still_taken(db: Database, world: World) -> None:
    leaver = pp.create_person(db, draft(world), ADMIN)
    pp.set_person_active(db, leaver, False, ADMIN)
    [problem] = pp.check_person(db, draft(world, given_name="New"))
    assert "Daniel Okafor's (former staff)" in problem.message


def test_an_edit_may_keep_its_own_staff_number(db: Database, world: World) -> None:
    person_id = pp.create_person(db, draft(world), ADMIN)
    assert pp.check_person(db, draft(world, rank_or_role="Sergeant"), person_id=person_id) == []


def test_the_home_site_must_belong_to_the_persons_agency(db: Database, world: World) -> None:
    [problem] = pp.check_person(db, draft(world, home_site_id=world.fire_station))
    assert problem.field == "home_site_id"
    assert problem.message == (
        "Huntingdon Fire Station belongs to Cambs Fire, not Cambs Police; choose one of Cambs "
        "Police's sites, or none."
    )
    [gone] = pp.check_person(db, draft(world, home_site_id=9999))
    assert gone.field == "home_site_id"


@pytest.mark.parametrize(
    "email", ["daniel", "daniel@", "daniel@police", "dan iel@cambs.police.uk", "a@b@c.uk"]
)
def test_an_implausible_email_is_refused(db: Database, world: World, email: str) -> None:
    [problem] = pp.check_person(db, draft(world, email=email))
    assert problem.field == "email"
    assert f"“{email}” does not look like an email address" in problem.message


@pytest.mark.parametrize(
    "phone", ["call me", "12345", "01223 555123 ext", "+44 (0)1223 555 123 456 789"]
)
def test_an_implausible_phone_number_is_refused(db: Database, world: World, phone: str) -> None:
    [problem] = pp.check_person(db, draft(world, phone=phone))
    assert problem.field == "phone"
    assert "does not look like a phone number" in problem.message


@pytest.mark.parametrize(
    "phone", ["01223 555123", "+44 7700 900123", "(01480) 444-500", "07700900123"]
)
def test_a_plausible_phone_number_passes(db: Database, world: World, phone: str) -> None:
    assert pp.check_person(db, draft(world, phone=phone)) == []


def test_texts_longer_than_their_columns_are_refused(db: Database, world: World) -> None:
    long = draft(
        world,
        staff_number="9" * 31,
        given_name="A" * 101,
        family_name="B" * 101,
        rank_or_role="C" * 121,
    )
    problems = pp.check_person(db, long)
    assert {p.field for p in problems} == {
        "staff_number",
        "given_name",
        "family_name",
        "rank_or_role",
    }
    assert all("shorten it" in p.message for p in problems)


def test_editing_someone_not_listed_is_not_found(db: Database, world: World) -> None:
    with pytest.raises(NotFound):
        pp.update_person(db, 4242, draft(world), ADMIN)
    with pytest.raises(NotFound):
        pp.get_person(db, 4242)


# -- qualifications --------------------------------------------------------------------------


def test_a_qualification_that_lasts_a_set_time_gets_its_expiry_from_the_issue_date(
    db: Database, world: World
) -> None:
    issued = date(2024, 2, 29)
    q_id = pq.add_qualification(
        db,
        world.officer,
        QualificationDraft(type_id=world.pilot, reference="GVC-123", issued_on=issued),
        ADMIN,
        today=TODAY,
    )
    [view] = pp.get_person(db, world.officer, today=TODAY).qualifications
    assert (view.id, view.type_name, view.reference) == (q_id, "Drone pilot (GVC)", "GVC-123")
    assert (view.issued_on, view.expires_on) == (issued, date(2029, 2, 28))
    assert view.status is QualificationStatus.CURRENT
    [(entity, entity_id, action, before, after)] = trail(db)
    assert (entity, entity_id, action, before) == (
        "person_qualification",
        q_id,
        "qualification.added",
        None,
    )
    assert after["expires_on"] == "2029-02-28"


def test_an_expiry_given_is_kept_and_a_type_without_validity_needs_no_dates(
    db: Database, world: World
) -> None:
    pq.add_qualification(
        db,
        world.officer,
        QualificationDraft(world.pilot, issued_on=date(2025, 1, 1), expires_on=date(2027, 1, 1)),
        ADMIN,
        today=TODAY,
    )
    pq.add_qualification(db, world.officer, QualificationDraft(world.height), ADMIN, today=TODAY)
    views = pp.get_person(db, world.officer, today=TODAY).qualifications
    assert [(v.type_name, v.expires_on, v.status_text) for v in views] == [
        ("Drone pilot (GVC)", date(2027, 1, 1), "Current"),
        ("Work at height", None, "Current (no expiry)"),
    ]


def test_updating_and_removing_a_qualification_are_audited(db: Database, world: World) -> None:
    q_id = pq.add_qualification(
        db,
        world.officer,
        QualificationDraft(world.pilot, issued_on=date(2025, 1, 1)),
        ADMIN,
        today=TODAY,
    )
    pq.update_qualification(
        db,
        q_id,
        QualificationDraft(world.pilot, reference="NEW-1", issued_on=date(2025, 1, 1)),
        ADMIN,
        today=TODAY,
    )
    pq.remove_qualification(db, q_id, ADMIN)

    assert pp.get_person(db, world.officer).qualifications == ()
    events = trail(db)
    assert [e[2] for e in events] == [
        "qualification.added",
        "qualification.updated",
        "qualification.removed",
    ]
    assert (events[1][3]["reference"], events[1][4]["reference"]) == (None, "NEW-1")
    assert events[2][3]["reference"] == "NEW-1"
    assert events[2][4] is None
    with pytest.raises(NotFound):
        pq.remove_qualification(db, q_id, ADMIN)


def test_every_qualification_problem_is_refused_with_its_field(db: Database, world: World) -> None:
    def fields(d: QualificationDraft) -> set[str | None]:
        return {
            p.field for p in pq.check_qualification(db, d, person_id=world.officer, today=TODAY)
        }

    assert fields(QualificationDraft(None)) == {"type_id"}
    assert fields(QualificationDraft(9999)) == {"type_id"}
    assert fields(QualificationDraft(world.height, reference="R" * 101)) == {"reference"}
    # A type that lasts a set time needs a date to work the expiry out from.
    [needs_date] = pq.check_qualification(
        db, QualificationDraft(world.pilot), person_id=world.officer, today=TODAY
    )
    assert needs_date.field == "issued_on"
    assert "“Drone pilot (GVC)” lasts 5 years: give the date" in needs_date.message
    [future] = pq.check_qualification(
        db,
        QualificationDraft(world.height, issued_on=TODAY + DAY),
        person_id=world.officer,
        today=TODAY,
    )
    assert future.field == "issued_on"
    assert "22/11/2026 is after today" in future.message
    for expires in (TODAY - DAY, TODAY - 10 * DAY):
        [order] = pq.check_qualification(
            db,
            QualificationDraft(world.height, issued_on=TODAY - DAY, expires_on=expires),
            person_id=world.officer,
            today=TODAY,
        )
        assert order.field == "expires_on"
        assert "is not after the issue date 20/11/2026" in order.message

    with pytest.raises(PeopleRefused) as caught:
        pq.add_qualification(db, world.officer, QualificationDraft(world.pilot), ADMIN, today=TODAY)
    assert rules(caught) == {"issued_on"}
    assert trail(db) == []


def test_the_same_record_twice_is_refused_but_a_renewal_is_not(db: Database, world: World) -> None:
    first = QualificationDraft(world.pilot, issued_on=date(2022, 3, 1))
    q_id = pq.add_qualification(db, world.officer, first, ADMIN, today=TODAY)
    [twice] = pq.check_qualification(db, first, person_id=world.officer, today=TODAY)
    assert twice.rule == "duplicate"
    assert "Rita Reed already has this “Drone pilot (GVC)” recorded" in twice.message
    # Editing the record itself is not a duplicate of itself.
    assert (
        pq.check_qualification(
            db, first, person_id=world.officer, qualification_id=q_id, today=TODAY
        )
        == []
    )
    renewal = QualificationDraft(world.pilot, issued_on=date(2026, 3, 1))
    assert pq.check_qualification(db, renewal, person_id=world.officer, today=TODAY) == []


def test_a_renewal_decides_and_the_lapsed_record_reads_renewed(db: Database, world: World) -> None:
    person = holding(
        db,
        world.police,
        "Liam",
        "Chapman",
        (world.pilot, date(2021, 1, 1), TODAY - 40 * DAY),
        (world.pilot, TODAY - 40 * DAY, TODAY + 5 * 365 * DAY),
    )
    view = pp.get_person(db, person, today=TODAY)
    assert [(q.status, q.renewed) for q in view.qualifications] == [
        (QualificationStatus.CURRENT, False),
        (QualificationStatus.EXPIRED, True),
    ]
    assert view.qualifications[1].status_text == "Expired 12/10/2026 (renewed)"
    assert view.worst_status is QualificationStatus.CURRENT
    assert view.qualification_summary == "Drone pilot (GVC)"


# -- qualification types ---------------------------------------------------------------------


def test_qualification_types_are_listed_added_and_changed_with_audit(
    db: Database, world: World
) -> None:
    holding(db, world.police, "Ann", "Able", (world.height, None, None))
    holding(db, world.police, "Len", "Left", (world.height, None, None), active=False)
    type_id = pq.create_qualification_type(
        db, QualificationTypeDraft("HGV-C", "HGV C licence", "Drive over 7.5 t", 60), ADMIN
    )
    pq.update_qualification_type(
        db, type_id, QualificationTypeDraft("HGV-C", "HGV C licence", "Drive over 7.5 t", 12), ADMIN
    )
    listed = {t.code: t for t in pq.list_qualification_types(db)}
    assert [t.name for t in pq.list_qualification_types(db)] == [
        "Drone pilot (GVC)",
        "HGV C licence",
        "Work at height",
    ]
    assert (listed["HGV-C"].validity_months, listed["HGV-C"].validity_text) == (12, "1 year")
    assert listed["GVC"].validity_text == "5 years"
    assert listed["WAH"].holders == 1  # the former colleague is not counted
    assert [e[2] for e in trail(db)] == [
        "qualification_type.created",
        "qualification_type.updated",
    ]
    assert trail(db)[1][3]["validity_months"] == 60


def test_every_qualification_type_problem_is_refused(db: Database, world: World) -> None:
    problems = pq.check_qualification_type(db, QualificationTypeDraft(" ", "", "", 0))
    assert {p.field for p in problems} == {"code", "name", "validity_months"}
    taken = pq.check_qualification_type(db, QualificationTypeDraft("gvc", "drone PILOT (gvc)"))
    assert {p.field for p in taken} == {"code", "name"}
    assert (
        pq.check_qualification_type(
            db, QualificationTypeDraft("GVC", "Drone pilot (GVC)", "", 601), type_id=world.pilot
        )[0].field
        == "validity_months"
    )
    assert (
        pq.check_qualification_type(
            db, QualificationTypeDraft("GVC", "Drone pilot (GVC)"), type_id=world.pilot
        )
        == []
    )
    with pytest.raises(PeopleRefused):
        pq.create_qualification_type(db, QualificationTypeDraft("WAH", "Other"), ADMIN)


# -- who may change people -------------------------------------------------------------------


def _every_change(w: World) -> dict[str, Callable[[Database, Actor], object]]:
    qualification = QualificationDraft(w.pilot, issued_on=date(2025, 1, 1))
    kind = QualificationTypeDraft("NEW", "New qualification")
    return {
        "create_person": lambda db, a: pp.create_person(db, draft(w), a),
        "update_person": lambda db, a: pp.update_person(db, w.officer, draft(w), a),
        "deactivate": lambda db, a: pp.set_person_active(db, w.officer, False, a),
        "add_qualification": lambda db, a: pq.add_qualification(db, w.officer, qualification, a),
        "update_qualification": lambda db, a: pq.update_qualification(
            db, _a_qualification(db, w), QualificationDraft(w.height, reference="X"), a
        ),
        "remove_qualification": lambda db, a: pq.remove_qualification(
            db, _a_qualification(db, w), a
        ),
        "create_type": lambda db, a: pq.create_qualification_type(db, kind, a),
        "update_type": lambda db, a: pq.update_qualification_type(db, w.height, kind, a),
    }


def _a_qualification(db: Database, w: World) -> int:
    with db.read() as session:
        return session.scalars(
            select(PersonQualification.id).where(PersonQualification.person_id == w.officer)
        ).one()


CHANGES = [
    "create_person",
    "update_person",
    "deactivate",
    "add_qualification",
    "update_qualification",
    "remove_qualification",
    "create_type",
    "update_type",
]


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("role", [Role.DUTY_OFFICER, Role.EQUIPMENT_MANAGER, None])
def test_only_an_administrator_changes_people(
    db: Database, world: World, change: str, role: Role | None
) -> None:
    with db.write() as session:
        session.add(
            PersonQualification(person_id=world.officer, qualification_type_id=world.height)
        )
    actor = Actor(name="Someone") if role is None else f.acting(None, role)

    with pytest.raises(NotPermitted) as caught:
        _every_change(world)[change](db, actor)
    assert "change people and their qualifications" in caught.value.message
    assert trail(db) == []
    # The administrator may do the very same.
    _every_change(world)[change](db, ADMIN)
    assert len(trail(db)) == 1


@pytest.mark.parametrize("change", CHANGES)
def test_each_change_and_its_audit_event_are_one_transaction(
    db: Database, world: World, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.write() as session:
        session.add(
            PersonQualification(person_id=world.officer, qualification_type_id=world.height)
        )

    def state() -> tuple[Any, ...]:
        with db.read() as session:
            return (
                [(p.id, p.rank_or_role, p.is_active) for p in session.scalars(select(Person))],
                [(q.id, q.reference) for q in session.scalars(select(PersonQualification))],
                [(t.id, t.name) for t in session.scalars(select(QualificationType))],
            )

    before = state()

    def failing_record(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the audit trail could not be written")

    monkeypatch.setattr(pp, "record_change", failing_record)
    monkeypatch.setattr(pq, "record_change", failing_record)
    with pytest.raises(RuntimeError):
        _every_change(world)[change](db, ADMIN)
    assert state() == before
    assert trail(db) == []


# -- expiry ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires", "status", "words"),
    [
        (None, QualificationStatus.CURRENT, "Current (no expiry)"),
        (TODAY - DAY, QualificationStatus.EXPIRED, "Expired 20/11/2026"),
        (TODAY, QualificationStatus.EXPIRING, "Expires today"),
        (TODAY + DAY, QualificationStatus.EXPIRING, "Expires tomorrow"),
        (TODAY + 30 * DAY, QualificationStatus.EXPIRING, "Expires in 30 days"),
        (TODAY + 31 * DAY, QualificationStatus.CURRENT, "Current"),
    ],
)
def test_status_boundaries(
    db: Database, world: World, expires: date | None, status: QualificationStatus, words: str
) -> None:
    person = holding(db, world.police, "Ann", "Able", (world.height, None, expires))
    [view] = pp.get_person(db, person, today=TODAY).qualifications
    assert (view.status, view.status_text) == (status, words)
    assert qualification_status(expires, TODAY) is status


def test_the_expiring_list_runs_from_today_to_n_days_ahead_soonest_first(
    db: Database, world: World
) -> None:
    for given, expires in (
        ("Yesterday", TODAY - DAY),
        ("Today", TODAY),
        ("Thirty", TODAY + 30 * DAY),
        ("Thirtyone", TODAY + 31 * DAY),
        ("Ten", TODAY + 10 * DAY),
    ):
        holding(db, world.police, given, "Smith", (world.height, None, expires))
    holding(db, world.fire, "Fire", "Ten", (world.pilot, None, TODAY + 10 * DAY))
    holding(db, world.police, "Gone", "Ten", (world.height, None, TODAY + 3 * DAY), active=False)

    rows = expiring_qualifications(db, MANAGER, today=TODAY)
    assert [(r.person, r.days_left, r.when_text) for r in rows] == [
        ("Today Smith", 0, "Expires today"),
        ("Fire Ten", 10, "Expires in 10 days"),
        ("Ten Smith", 10, "Expires in 10 days"),
        ("Thirty Smith", EXPIRING_DAYS, "Expires in 30 days"),
    ]
    assert [r.person for r in expiring_qualifications(db, MANAGER, days=31, today=TODAY)][-1] == (
        "Thirtyone Smith"
    )
    today_only = expiring_qualifications(db, MANAGER, days=0, today=TODAY)
    assert [r.person for r in today_only] == ["Today Smith"]
    police_only = expiring_qualifications(db, MANAGER, today=TODAY, agency_id=world.police)
    assert "Fire Ten" not in [r.person for r in police_only]
    assert rows[1].agency == "Cambs Fire"
    assert rows[1].qualification == "Drone pilot (GVC)"
    with pytest.raises(PeopleRefused) as caught:
        expiring_qualifications(db, MANAGER, days=-1, today=TODAY)
    assert rules(caught) == {"days"}


def test_a_qualification_already_renewed_is_not_listed_as_expiring(
    db: Database, world: World
) -> None:
    holding(
        db,
        world.police,
        "Renewed",
        "Early",
        (world.pilot, None, TODAY + 5 * DAY),
        (world.pilot, TODAY - DAY, TODAY + 1800 * DAY),
    )
    holding(db, world.police, "Not", "Yet", (world.pilot, None, TODAY + 5 * DAY))
    assert [r.person for r in expiring_qualifications(db, MANAGER, today=TODAY)] == ["Not Yet"]


@pytest.mark.parametrize("role", [None, Role.DUTY_OFFICER])
def test_only_managers_and_administrators_see_what_expires_soon(
    db: Database, world: World, role: Role | None
) -> None:
    holding(db, world.police, "Soon", "Smith", (world.pilot, None, TODAY + 5 * DAY))
    actor = Actor(name="Dana Duty", role=role)

    with pytest.raises(NotPermitted) as caught:
        expiring_qualifications(db, actor, today=TODAY)
    message = caught.value.message
    assert (
        "only an equipment manager or an administrator can list the qualifications about "
        "to expire" in message
    )
    assert ("Sign in first." if role is None else "Ask one to do it, or sign in as one.") in message
    for allowed in (MANAGER, ADMIN):
        assert [r.person for r in expiring_qualifications(db, allowed, today=TODAY)] == [
            "Soon Smith"
        ]


# -- the people list -------------------------------------------------------------------------


def test_rows_show_account_summary_and_worst_status(db: Database, world: World) -> None:
    person = holding(
        db,
        world.police,
        "Dean",
        "Copley",
        (world.pilot, None, TODAY - 30 * DAY),
        (world.height, None, TODAY + 12 * DAY),
    )
    with db.write() as session:
        f.app_user(session, session.get_one(Person, person), "dcopley", "x", Role.EQUIPMENT_MANAGER)
    [row] = pp.list_person_rows(db, text="copley", today=TODAY)
    assert row.qualification_summary == (
        "Drone pilot (GVC) (expired 22/10/2026), Work at height (expires in 12 days)"
    )
    assert row.worst_status is QualificationStatus.EXPIRED
    assert row.account_text == "dcopley (Equipment manager)"
    [officer] = pp.list_person_rows(db, text="reed", today=TODAY)
    assert (officer.worst_status, officer.account_text) == (None, "No account")


def test_the_search_ignores_case_and_accents_and_finds_qualifications(
    db: Database, world: World
) -> None:
    pp.create_person(
        db,
        draft(world, given_name="Siobhán", family_name="Ó Súilleabháin", staff_number="77"),
        ADMIN,
    )
    holding(db, world.fire, "Nat", "Marriott", (world.pilot, None, None))
    assert [r.name for r in pp.list_person_rows(db, text="ó súill")] == ["Siobhán Ó Súilleabháin"]
    assert [r.name for r in pp.list_person_rows(db, text="O SUILL")] == ["Siobhán Ó Súilleabháin"]
    assert [r.name for r in pp.list_person_rows(db, text="GVC")] == ["Nat Marriott"]
    assert [r.name for r in pp.list_person_rows(db, text="cambs fire")] == ["Nat Marriott"]
    assert [r.name for r in pp.list_person_rows(db, agency_id=world.police)] == [
        "Siobhán Ó Súilleabháin",
        "Rita Reed",
    ]


def _selects(db: Database, action: Callable[[], object]) -> int:
    sent: list[str] = []

    def count(*args: Any) -> None:
        sent.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len([s for s in sent if s.lstrip().upper().startswith("SELECT")])


def test_listing_takes_the_same_few_queries_however_many_people(db: Database, world: World) -> None:
    holding(db, world.police, "One", "Person", (world.pilot, None, None))
    few = _selects(db, lambda: pp.list_person_rows(db))
    for n in range(12):
        holding(
            db,
            world.fire,
            f"Many{n}",
            "People",
            (world.pilot, None, None),
            (world.height, None, None),
        )
    many = _selects(db, lambda: pp.list_person_rows(db))
    assert len(pp.list_person_rows(db)) == 14
    assert many == few
    assert few <= 3


# -- who may operate kit ---------------------------------------------------------------------


def test_only_current_holders_are_offered_and_the_rest_explained(
    db: Database, world: World
) -> None:
    okafor = holding(db, world.police, "Daniel", "Okafor", (world.pilot, None, TODAY + 400 * DAY))
    turnbull = holding(db, world.police, "Sophie", "Turnbull", (world.pilot, None, TODAY))
    holding(db, world.police, "Liam", "Chapman", (world.pilot, None, TODAY - 45 * DAY))
    holding(db, world.police, "Gone", "Away", (world.pilot, None, None), active=False)
    holding(db, world.fire, "Nat", "Marriott", (world.pilot, None, None))
    holding(db, world.ambulance, "Amy", "Air", (world.pilot, None, TODAY + DAY))
    holding(db, world.ambulance, "Old", "Air", (world.pilot, None, TODAY - DAY))

    choices = operator_choices(
        db, item_ids=[world.drone], borrower_agency_id=world.police, at=TODAY
    )

    assert [r.name for r in choices.required] == ["Drone pilot (GVC)"]
    assert choices.required[0].protocols == ("Drones",)
    assert [p.id for p in choices.qualified] == [okafor, turnbull]
    assert choices.qualified[0].agency_code.startswith("AG")
    assert choices.explanation == (
        "Protocol “Drones” needs an operator with a current “Drone pilot (GVC)”. "
        "Offered: the 2 people at Cambs Police who hold it. "
        "Not offered: Liam Chapman (expired 07/10/2026). "
        "Elsewhere, 2 people hold it: Cambs Fire 1, East Ambulance 1."
    )


def test_nothing_required_offers_everyone_of_the_agency(db: Database, world: World) -> None:
    other = holding(db, world.police, "Ann", "Able")
    holding(db, world.fire, "Fire", "Fighter")
    choices = operator_choices(db, item_ids=[world.lamp], borrower_agency_id=world.police, at=TODAY)
    assert choices.required == ()
    assert [p.id for p in choices.qualified] == [other, world.officer]
    assert choices.explanation == ""
    nobody = operator_choices(db, item_ids=[world.lamp], borrower_agency_id=None, at=TODAY)
    assert (nobody.qualified, nobody.explanation) == ((), "")


def test_no_holder_at_the_agency_says_so(db: Database, world: World) -> None:
    choices = operator_choices(
        db, item_ids=[world.drone, world.lamp], borrower_agency_id=world.police, at=TODAY
    )
    assert choices.qualified == ()
    assert "No one at Cambs Police holds it now." in choices.explanation
    assert choices.explanation.endswith("No one in another agency holds it either.")


def test_a_renewal_beside_a_lapsed_record_qualifies(db: Database, world: World) -> None:
    renewed = holding(
        db,
        world.police,
        "Re",
        "Newed",
        (world.pilot, None, TODAY - 100 * DAY),
        (world.pilot, TODAY - 100 * DAY, TODAY + 100 * DAY),
    )
    choices = operator_choices(
        db, item_ids=[world.drone], borrower_agency_id=world.police, at=TODAY
    )
    assert [p.id for p in choices.qualified] == [renewed]
    assert "Not offered" not in choices.explanation


def test_the_offer_agrees_with_the_issue_check_person_by_person(db: Database, world: World) -> None:
    for given, records in (
        ("Current", [(world.pilot, None, TODAY + 9 * DAY)]),
        ("Lapsed", [(world.pilot, None, TODAY - DAY)]),
        ("Today", [(world.pilot, None, TODAY)]),
        ("Future", [(world.pilot, TODAY + 2 * DAY, TODAY + 900 * DAY)]),
        (
            "Hidden",  # a current record, and a longer one that only starts later
            [(world.pilot, None, TODAY + 9 * DAY), (world.pilot, TODAY + DAY, TODAY + 99 * DAY)],
        ),
        ("Other", [(world.height, None, None)]),
    ):
        holding(db, world.police, given, "Case", *records)
    now = datetime(2026, 11, 21, 9, 0, tzinfo=f.NOW.tzinfo)
    choices = operator_choices(
        db, item_ids=[world.drone], borrower_agency_id=world.police, at=TODAY
    )
    offered = {p.id for p in choices.qualified}
    loan = LoanDraft(
        borrower_agency_id=world.police,
        requested_by_id=None,
        purpose="Search",
        starts_at=now,
        due_at=now + timedelta(hours=4),
        lines=(LineDraft(world.drone),),
    )
    with db.read() as session:
        everyone = list(session.scalars(select(Person.id).where(Person.agency_id == world.police)))
    assert len(everyone) == 7
    for person_id in everyone:
        found = check_emergency_issue(db, loan, Handover(operator_id=person_id), now=now)
        competent = "competence" not in {p.rule for p in found}
        assert competent == (person_id in offered), person_id
    assert {p.name for p in choices.qualified} == {"Current Case", "Today Case"}
    assert "Future Case (starts 23/11/2026)" in choices.explanation


def test_an_emergency_issue_uses_the_emergency_protocols_requirement(
    db: Database, world: World
) -> None:
    with db.write() as session:
        flying = session.scalars(
            select(SharingProtocol).where(SharingProtocol.name == "Drones")
        ).one()
        urgent = SharingProtocol(
            mou_id=flying.mou_id,
            name="Drones in an emergency",
            notice_hours=0,
            max_loan_hours=24,
            emergency_only=True,
        )
        urgent.borrowers = list(flying.borrowers)
        urgent.categories = list(flying.categories)
        urgent.required_qualifications = [session.get_one(QualificationType, world.height)]
        session.add(urgent)
    climber = holding(db, world.police, "Cat", "Climber", (world.height, None, None))
    planned = operator_choices(
        db, item_ids=[world.drone], borrower_agency_id=world.police, at=TODAY
    )
    emergency = operator_choices(
        db, item_ids=[world.drone], borrower_agency_id=world.police, at=TODAY, emergency=True
    )
    assert [r.name for r in planned.required] == ["Drone pilot (GVC)"]
    assert [r.name for r in emergency.required] == ["Work at height"]
    assert [p.id for p in emergency.qualified] == [climber]
    assert emergency.explanation.startswith("Protocol “Drones in an emergency” needs")


def test_with_two_requirements_the_note_says_which_one_lapsed(db: Database, world: World) -> None:
    with db.write() as session:
        lights = session.scalars(
            select(SharingProtocol).where(SharingProtocol.name == "Lights")
        ).one()
        lights.required_qualifications = [session.get_one(QualificationType, world.height)]
    both = holding(
        db, world.police, "Bo", "Both", (world.pilot, None, None), (world.height, None, None)
    )
    holding(
        db,
        world.police,
        "Half",
        "Lapsed",
        (world.pilot, None, None),
        (world.height, None, TODAY - 2 * DAY),
    )
    choices = operator_choices(
        db, item_ids=[world.drone, world.lamp], borrower_agency_id=world.police, at=TODAY
    )
    assert [p.id for p in choices.qualified] == [both]
    assert choices.explanation == (
        "Protocols “Drones” and “Lights” need an operator with a current “Drone pilot (GVC)” "
        "and “Work at height”. Offered: the one person at Cambs Police who holds them all. "
        "Not offered: Half Lapsed (Work at height expired 19/11/2026)."
    )


# -- typed at the edges -------------------------------------------------------------------------


def test_qualification_dates_outside_the_years_kept_are_refused(db: Database, world: World) -> None:
    problems = pq.check_qualification(
        db,
        QualificationDraft(world.pilot, issued_on=date(1, 1, 1), expires_on=date(9999, 12, 31)),
        person_id=world.officer,
        today=TODAY,
    )
    assert [(p.field, p.message) for p in problems] == [
        (
            "issued_on",
            "The issue date 01/01/0001 is outside the dates Kit Share takes; give one from "
            "01/01/1970 to 31/12/2099.",
        ),
        (
            "expires_on",
            "The expiry date 31/12/9999 is outside the dates Kit Share takes; give one from "
            "01/01/1970 to 31/12/2099.",
        ),
    ]
    with pytest.raises(PeopleRefused):
        pq.add_qualification(
            db,
            world.officer,
            QualificationDraft(world.height, issued_on=date(1969, 12, 31)),
            ADMIN,
            today=TODAY,
        )
    assert trail(db) == []


def test_control_characters_typed_into_a_person_are_not_kept(db: Database, world: World) -> None:
    person_id = pp.create_person(
        db,
        draft(
            world,
            given_name="Dan\x00iel",
            family_name="Oka\ud800for",
            staff_number="23\x0091",
            rank_or_role="Constable\t(drone pilot)",
        ),
        ADMIN,
    )
    view = pp.get_person(db, person_id)
    assert (view.name, view.staff_number) == ("Daniel Oka\ufffdfor", "2391")
    assert [r.name for r in pp.list_person_rows(db, text="dani\x00el")] == ["Daniel Oka\ufffdfor"]
