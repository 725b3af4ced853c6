"""The MoU register: reads, sign-in, every edit rule, versions and the audit trail.

Every database test runs on SQLite and on PostgreSQL (the ``db`` fixture).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import pytest
from sqlalchemy import event, func, select

from app.agreements import register as reg
from app.agreements.clauses import ClauseDraft, SignatoryDraft
from app.agreements.protocols import (
    ProtocolDraft,
    check_protocol,
    create_protocol,
    protocol_draft_of,
    resolve_tags,
    update_protocol,
)
from app.agreements.reading import charging_text, find_mou, get_mou, list_mous, register_choices
from app.agreements.register import MouDraft, RegisterRefused
from app.agreements.status import MouStatus
from app.agreements.versions import new_version
from app.core.actor import Actor
from app.core.clock import now_utc, today_uk
from app.core.errors import NotFound, NotPermitted
from app.loans.drafts import LineDraft, LoanDraft
from app.loans.service import request_loan
from app.people.accounts import sign_in
from app.people.passwords import hash_password
from app.storage.database import Database
from models import (
    Agency,
    AgencyKind,
    AuditEvent,
    ChargingBasis,
    Loan,
    Mou,
    MouClause,
    MouParty,
    MouSignatory,
    Role,
    SharingProtocol,
)
from tests import factories as f

TODAY = today_uk()
DAY = timedelta(days=1)
ADMIN = Actor(name="Ada Admin (ada)", role=Role.ADMINISTRATOR)
MANAGER = Actor(name="Mia Manager (mia)", role=Role.EQUIPMENT_MANAGER)
PASSWORD = "correct horse battery staple"


@cache
def password_hash(plain: str) -> str:
    """Hash each test password once: argon2 is slow on purpose."""
    return hash_password(plain)


@dataclass(frozen=True)
class World:
    """Fire, police and ambulance are parties; the outsider is not."""

    fire: int
    police: int
    ambulance: int
    outsider: int
    lighting: int
    drones: int
    tower: int  # owned by fire, tag CFR-T1
    lamp: int  # owned by fire, tag CFR-L2
    foreign_kit: int  # owned by the outsider, tag OUT-9
    pilot: int  # a qualification
    requester: int  # a police officer


@pytest.fixture
def world(db: Database) -> World:
    with db.write() as session:
        fire = f.agency(session, "Cambs Fire", AgencyKind.FIRE)
        police = f.agency(session, "Cambs Police", AgencyKind.POLICE)
        ambulance = f.agency(session, "East Ambulance", AgencyKind.AMBULANCE)
        outsider = f.agency(session, "Anglian Water", AgencyKind.OTHER)
        station = f.site(session, fire, "Huntingdon")
        works = f.site(session, outsider, "Grafham")
        lighting = f.category(session, "Lighting")
        drones = f.category(session, "Drones")
        tower = f.item(session, owner=fire, home=station, kind=lighting, tag="CFR-T1")
        lamp = f.item(session, owner=fire, home=station, kind=lighting, tag="CFR-L2", name="Lamp")
        foreign = f.item(session, owner=outsider, home=works, kind=lighting, tag="OUT-9")
        pilot = f.qualification(session, "Drone pilot (GVC)")
        requester = f.person(session, police, "Rita", "Reed")
        return World(
            fire=fire.id,
            police=police.id,
            ambulance=ambulance.id,
            outsider=outsider.id,
            lighting=lighting.id,
            drones=drones.id,
            tower=tower.id,
            lamp=lamp.id,
            foreign_kit=foreign.id,
            pilot=pilot.id,
            requester=requester.id,
        )


def signed(w: World, reference: str = "CAMBS-TRI", **changes: Any) -> MouDraft:
    """A complete signed MoU, in force today, that passes every check."""
    draft = MouDraft(
        reference=reference,
        title="Tri-service equipment sharing",
        purpose="To share specialist kit.",
        scope="Cambridgeshire.",
        is_draft=False,
        signed_on=TODAY - 410 * DAY,
        effective_from=TODAY - 400 * DAY,
        review_on=TODAY + 300 * DAY,
        expires_on=TODAY + 700 * DAY,
        party_ids=(w.fire, w.police, w.ambulance),
        signatories=(
            SignatoryDraft(w.fire, "Chris Strickland", "Chief Fire Officer", TODAY - 412 * DAY),
            SignatoryDraft(w.police, "Nick Dean", "Chief Constable", TODAY - 410 * DAY),
        ),
        clauses=(
            ClauseDraft("Purpose", "The parties share kit."),
            ClauseDraft("Charging", "No charge is made."),
        ),
    )
    return replace(draft, **changes)


def draft_mou(w: World, reference: str = "CAMBS-NEW", **changes: Any) -> MouDraft:
    """An unsigned draft: a reference, a title and the parties."""
    draft = MouDraft(
        reference=reference, title="Drafting equipment sharing", party_ids=(w.fire, w.police)
    )
    return replace(draft, **changes)


def lending(w: World, mou_id: int, **changes: Any) -> ProtocolDraft:
    """Fire's lighting lent to police and ambulance, under ``mou_id``."""
    draft = ProtocolDraft(
        mou_id=mou_id,
        name="Lighting towers",
        borrower_ids=(w.police, w.ambulance),
        category_ids=(w.lighting,),
        max_loan_hours=72,
    )
    return replace(draft, **changes)


def refused(action: Callable[..., object], *args: object) -> RegisterRefused:
    with pytest.raises(RegisterRefused) as caught:
        action(*args)
    return caught.value


def pairs(error: RegisterRefused) -> set[tuple[str, str | None]]:
    return {(p.rule, p.field) for p in error.problems}


def counts(db: Database) -> dict[str, int]:
    """How many rows the register's tables and the audit trail hold."""
    with db.read() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Mou, MouParty, MouSignatory, MouClause, SharingProtocol, AuditEvent)
        }


@dataclass(frozen=True)
class Event:
    action: str
    actor: str
    user_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None


def events(db: Database, entity_type: str, entity_id: int) -> list[Event]:
    with db.read() as session:
        return [
            Event(e.action, e.actor, e.user_id, e.before, e.after, e.note)
            for e in session.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
                .order_by(AuditEvent.id)
            )
        ]


def actions(db: Database, entity_type: str, entity_id: int) -> list[str]:
    """The events' actions without the entity prefix: "created", not "mou.created"."""
    found = [e.action for e in events(db, entity_type, entity_id)]
    assert all(a.startswith(f"{entity_type}.") for a in found), found
    return [a.removeprefix(f"{entity_type}.") for a in found]


def sign(db: Database, mou_id: int, effective: date) -> None:
    """Sign a draft version, taking effect on ``effective``, with dated signatures."""
    view = get_mou(db, mou_id)
    draft = reg.mou_draft_of(view)
    reg.update_mou(
        db,
        mou_id,
        replace(
            draft,
            is_draft=False,
            signed_on=TODAY,
            effective_from=effective,
            signatories=tuple(replace(s, signed_on=TODAY) for s in draft.signatories),
        ),
        ADMIN,
    )


@pytest.mark.parametrize(
    "actor", [MANAGER, Actor("Nobody signed in"), Actor("Dan", role=Role.DUTY_OFFICER)]
)
def test_only_an_administrator_changes_the_register(
    db: Database, world: World, actor: Actor
) -> None:
    mou_id = reg.create_mou(db, signed(world), ADMIN)
    protocol_id = create_protocol(db, lending(world, mou_id), ADMIN)
    before = counts(db)
    view = get_mou(db, mou_id)
    attempts: list[Callable[[], object]] = [
        lambda: reg.create_mou(db, signed(world, "OTHER"), actor),
        lambda: reg.update_mou(db, mou_id, replace(signed(world), expires_on=None), actor),
        lambda: new_version(db, mou_id, actor),
        lambda: create_protocol(db, lending(world, mou_id, name="Another"), actor),
        lambda: update_protocol(db, protocol_id, lending(world, mou_id, is_active=False), actor),
    ]
    for attempt in attempts:
        with pytest.raises(NotPermitted) as caught:
            attempt()
        assert "only an administrator can change the MoU register" in caught.value.message
    assert counts(db) == before
    assert get_mou(db, mou_id) == view


def test_permission_is_checked_before_anything_else(db: Database) -> None:
    with pytest.raises(NotPermitted):
        reg.update_mou(db, 999, MouDraft(reference="", title=""), MANAGER)
    with pytest.raises(NotFound):
        reg.update_mou(db, 999, MouDraft(reference="", title=""), ADMIN)


# -- creating an MoU ---------------------------------------------------------------------------


def test_a_signed_mou_is_created_as_version_one(db: Database, world: World) -> None:
    draft = signed(
        world,
        clauses=(
            ClauseDraft("Purpose", "  The parties share kit.  "),
            ClauseDraft("Schedules", "See schedule A.", number="9A"),
            ClauseDraft("Charging", "No charge is made."),
        ),
    )
    mou_id = reg.create_mou(db, draft, ADMIN)
    view = get_mou(db, mou_id, today=TODAY)
    assert (view.reference, view.version, view.label) == ("CAMBS-TRI", 1, "CAMBS-TRI v1")
    assert view.title == "Tri-service equipment sharing"
    assert (view.purpose, view.scope) == ("To share specialist kit.", "Cambridgeshire.")
    assert view.status is MouStatus.IN_FORCE
    assert not view.is_draft
    assert view.effective_from == TODAY - 400 * DAY
    assert [p.name for p in view.parties] == ["Cambs Fire", "Cambs Police", "East Ambulance"]
    assert [(s.agency, s.name, s.role_title) for s in view.signatories] == [
        ("Cambs Fire", "Chris Strickland", "Chief Fire Officer"),
        ("Cambs Police", "Nick Dean", "Chief Constable"),
    ]
    assert [(c.number, c.heading, c.body) for c in view.clauses] == [
        ("1", "Purpose", "The parties share kit."),
        ("9A", "Schedules", "See schedule A."),
        ("3", "Charging", "No charge is made."),
    ]
    assert (view.supersedes, view.superseded_by, view.loan_count) == (None, None, 0)
    assert view.protocols == ()

    [created] = events(db, "mou", mou_id)
    assert (created.action, created.actor, created.user_id) == ("mou.created", ADMIN.name, None)
    assert created.before is None
    assert created.after is not None
    assert created.after["reference"] == "CAMBS-TRI"
    assert created.after["party_ids"] == [world.fire, world.police, world.ambulance]
    assert created.after["clause_headings"] == ["1 Purpose", "9A Schedules", "3 Charging"]


def test_a_draft_needs_only_a_reference_a_title_and_two_parties(db: Database, world: World) -> None:
    mou_id = reg.create_mou(db, draft_mou(world), ADMIN)
    view = get_mou(db, mou_id)
    assert view.status is MouStatus.DRAFT
    assert view.is_draft
    assert (view.signatories, view.clauses, view.effective_from) == ((), (), None)
    assert reg.check_mou(db, draft_mou(world, "CAMBS-OTHER")) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"reference": "  "}, {("reference", "reference")}),
        ({"reference": "R" * 41}, {("reference", "reference")}),
        ({"title": ""}, {("title", "title")}),
        ({"title": "T" * 301}, {("title", "title")}),
        ({"party_ids": ()}, {("parties", "party_ids"), ("signatory", "signatories")}),
        ("one party", {("parties", "party_ids"), ("signatory", "signatories")}),
        ("twice", {("parties", "party_ids")}),
        ("unknown party", {("parties", "party_ids")}),
    ],
)
def test_reference_title_and_parties_are_checked(
    db: Database, world: World, changes: Any, expected: set[tuple[str, str]]
) -> None:
    if changes == "one party":
        changes = {"party_ids": (world.fire,)}
    elif changes == "twice":
        changes = {"party_ids": (world.fire, world.police, world.fire)}
    elif changes == "unknown party":
        changes = {"party_ids": (world.fire, world.police, 99999)}
    before = counts(db)
    error = refused(reg.create_mou, db, signed(world, **changes), ADMIN)
    assert pairs(error) == expected
    assert counts(db) == before


def test_limits_and_party_messages_are_plain(db: Database, world: World) -> None:
    error = refused(reg.create_mou, db, signed(world, reference="R" * 41), ADMIN)
    assert error.message == "The reference is 41 characters long; shorten it to 40 or fewer."
    twice = refused(
        reg.create_mou, db, signed(world, party_ids=(world.fire, world.police, world.fire)), ADMIN
    )
    assert twice.message == "Cambs Fire is listed twice as a party; list each party once."
    alone = refused(reg.create_mou, db, draft_mou(world, party_ids=(world.fire,)), ADMIN)
    assert alone.message == "An MoU needs at least two parties; add the agencies that sign it."
    # Exactly at the limits is fine.
    assert reg.check_mou(db, signed(world, reference="R" * 40, title="T" * 300)) == []


def test_a_new_mou_cannot_reuse_a_reference(db: Database, world: World) -> None:
    reg.create_mou(db, signed(world, "CAMBS-TRI"), ADMIN)
    before = counts(db)
    error = refused(reg.create_mou, db, signed(world, "cambs-tri"), ADMIN)
    assert pairs(error) == {("reference_taken", "reference")}
    assert "CAMBS-TRI is already used" in error.message
    assert "start a new version" in error.message
    assert counts(db) == before


def test_signatories_sign_for_a_party_with_a_name_and_a_role(db: Database, world: World) -> None:
    draft = signed(
        world,
        signatories=(
            SignatoryDraft(world.outsider, "Wendy Water", "Chief Executive"),
            SignatoryDraft(world.fire, " ", "Chief Fire Officer"),
            SignatoryDraft(world.police, "Nick Dean", ""),
        ),
    )
    error = refused(reg.create_mou, db, draft, ADMIN)
    assert pairs(error) == {("signatory", "signatories")}
    messages = [p.message for p in error.problems]
    assert messages == [
        "Wendy Water signs for Anglian Water, which is not a party to this MoU; add the "
        "agency as a party or choose the party they sign for.",
        "Give the name of signatory 2.",
        "Give the role Nick Dean signs in, such as “Chief Fire Officer”.",
    ]
    assert "3 things stop this" in error.message


def test_a_signed_mou_needs_a_start_a_signatory_and_a_clause(db: Database, world: World) -> None:
    draft = signed(world, effective_from=None, signatories=(), clauses=(), review_on=None)
    error = refused(reg.create_mou, db, draft, ADMIN)
    assert pairs(error) == {
        ("signed", "effective_from"),
        ("signed", "signatories"),
        ("signed", "clauses"),
    }
    # The same MoU is a fine draft.
    assert reg.check_mou(db, replace(draft, is_draft=True)) == []


EFFECTIVE = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"expires_on": date(2026, 1, 1)},
            "expires_on",
            "The expiry date 01/01/2026 is before the date it takes effect (01/06/2026); "
            "make it later.",
        ),
        (
            {"expires_on": EFFECTIVE},
            "expires_on",
            "The expiry date 01/06/2026 is the same day as the date it takes effect "
            "(01/06/2026); make it later.",
        ),
        (
            {"review_on": date(2026, 5, 31)},
            "review_on",
            "The review date 31/05/2026 is before the date it takes effect (01/06/2026); "
            "make it the same day or later.",
        ),
        (
            {"terminated_on": date(2026, 5, 1)},
            "terminated_on",
            "The termination date 01/05/2026 is before the date it takes effect (01/06/2026); "
            "make it the same day or later.",
        ),
    ],
)
def test_dates_come_in_order(
    db: Database, world: World, changes: dict[str, Any], field: str, message: str
) -> None:
    base = signed(world, effective_from=EFFECTIVE, review_on=None, expires_on=None)
    error = refused(reg.create_mou, db, replace(base, **changes), ADMIN)
    assert [(p.rule, p.field, p.message) for p in error.problems] == [("dates", field, message)]


def test_dates_on_the_boundaries_are_accepted(db: Database, world: World) -> None:
    draft = signed(
        world,
        effective_from=EFFECTIVE,
        review_on=EFFECTIVE,
        terminated_on=EFFECTIVE,
        expires_on=EFFECTIVE + DAY,
    )
    assert reg.check_mou(db, draft) == []
    mou_id = reg.create_mou(db, draft, ADMIN)
    assert get_mou(db, mou_id).expires_on == EFFECTIVE + DAY


@pytest.mark.parametrize(
    ("clauses", "message"),
    [
        ((ClauseDraft(" ", "Body"),), "Clause 1 needs a heading."),
        (
            (ClauseDraft("Purpose", " "),),
            "Clause 1 (Purpose) has no text; write it or remove the clause.",
        ),
        (
            (ClauseDraft("H" * 201, "Body"),),
            "The heading of clause 1 is 201 characters long; shorten it to 200 or fewer.",
        ),
        (
            (ClauseDraft("A", "Body", "2"), ClauseDraft("B", "Body")),
            "Two clauses are numbered 2; give each clause its own number, or leave the "
            "numbers blank to number them in order.",
        ),
        (
            (ClauseDraft("A", "Body", "4.1"), ClauseDraft("B", "Body", " 4.1 ")),
            "Two clauses are numbered 4.1; give each clause its own number, or leave the "
            "numbers blank to number them in order.",
        ),
        (
            (ClauseDraft("A", "Body", "N" * 21),),
            "The number of clause 1 is 21 characters long; shorten it to 20 or fewer.",
        ),
    ],
)
def test_clauses_need_a_heading_a_text_and_their_own_number(
    db: Database, world: World, clauses: tuple[ClauseDraft, ...], message: str
) -> None:
    before = counts(db)
    error = refused(reg.create_mou, db, signed(world, clauses=clauses), ADMIN)
    assert [(p.rule, p.field, p.message) for p in error.problems] == [
        ("clauses", "clauses", message)
    ]
    assert reg.check_mou(db, signed(world, clauses=clauses)) == error.problems
    assert counts(db) == before


def test_every_problem_is_listed_at_once(db: Database, world: World) -> None:
    draft = MouDraft(
        reference="",
        title="",
        is_draft=False,
        party_ids=(world.fire,),
        effective_from=EFFECTIVE,
        expires_on=EFFECTIVE - DAY,
    )
    problems = reg.check_mou(db, draft)
    assert [p.field for p in problems] == [
        "reference",
        "title",
        "party_ids",
        "signatories",
        "clauses",
        "expires_on",
    ]
    error = refused(reg.create_mou, db, draft, ADMIN)
    assert error.problems == problems
    assert error.message.startswith("6 things stop this: 1. Give the MoU a reference")


# -- changing an MoU ---------------------------------------------------------------------------


def test_a_draft_is_edited_freely_and_brought_into_force(db: Database, world: World) -> None:
    mou_id = reg.create_mou(
        db, draft_mou(world, clauses=(ClauseDraft("A", "a"), ClauseDraft("B", "b"))), ADMIN
    )
    edited = draft_mou(
        world,
        reference="CAMBS-RENAMED",
        title="Renamed",
        purpose="A purpose",
        party_ids=(world.police, world.ambulance, world.fire),
        clauses=(ClauseDraft("Only", "one clause now"),),
    )
    reg.update_mou(db, mou_id, edited, ADMIN)
    view = get_mou(db, mou_id)
    assert (view.reference, view.title, view.purpose) == ("CAMBS-RENAMED", "Renamed", "A purpose")
    assert [p.agency_id for p in view.parties] == [world.police, world.ambulance, world.fire]
    assert [(c.number, c.heading) for c in view.clauses] == [("1", "Only")]

    # Three clauses again, then sign it.
    final = replace(
        signed(world, reference="CAMBS-RENAMED"),
        clauses=(ClauseDraft("X", "x"), ClauseDraft("Y", "y"), ClauseDraft("Z", "z")),
    )
    reg.update_mou(db, mou_id, final, ADMIN)
    view = get_mou(db, mou_id, today=TODAY)
    assert view.status is MouStatus.IN_FORCE
    assert [c.heading for c in view.clauses] == ["X", "Y", "Z"]
    assert [p.agency_id for p in view.parties] == [world.fire, world.police, world.ambulance]
    assert len(view.signatories) == 2

    trail = events(db, "mou", mou_id)
    assert [e.action for e in trail] == ["mou.created", "mou.updated", "mou.updated"]
    first = trail[1]
    assert first.before is not None
    assert first.after is not None
    assert first.before["party_ids"] == [world.fire, world.police]
    assert first.after["party_ids"] == [world.police, world.ambulance, world.fire]
    assert first.before["clause_headings"] == ["1 A", "2 B"]
    assert first.after["clause_headings"] == ["1 Only"]
    assert (trail[2].before or {})["is_draft"] is True
    assert (trail[2].after or {})["is_draft"] is False


def test_saving_without_a_change_writes_no_event(db: Database, world: World) -> None:
    mou_id = reg.create_mou(db, signed(world), ADMIN)
    reg.update_mou(db, mou_id, reg.mou_draft_of(get_mou(db, mou_id)), ADMIN)
    assert actions(db, "mou", mou_id) == ["created"]


def test_a_signed_version_keeps_its_dates_and_signatories_open(db: Database, world: World) -> None:
    mou_id = reg.create_mou(db, signed(world), ADMIN)
    draft = reg.mou_draft_of(get_mou(db, mou_id))
    corrected = replace(
        draft,
        signed_on=TODAY - 409 * DAY,
        review_on=TODAY + 200 * DAY,
        expires_on=TODAY + 800 * DAY,
        terminated_on=TODAY + 100 * DAY,
        signatories=(
            *draft.signatories,
            SignatoryDraft(world.ambulance, "Tom Abell", "Chief Executive", TODAY - 405 * DAY),
        ),
    )
    reg.update_mou(db, mou_id, corrected, ADMIN)
    view = get_mou(db, mou_id)
    assert (view.signed_on, view.review_on, view.expires_on, view.terminated_on) == (
        TODAY - 409 * DAY,
        TODAY + 200 * DAY,
        TODAY + 800 * DAY,
        TODAY + 100 * DAY,
    )
    assert [s.name for s in view.signatories] == ["Chris Strickland", "Nick Dean", "Tom Abell"]
    [_, updated] = events(db, "mou", mou_id)
    assert updated.action == "mou.updated"
    assert (updated.after or {})["expires_on"] == (TODAY + 800 * DAY).isoformat()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "A new title"}, "title"),
        ({"reference": "CAMBS-TRI-2"}, "reference"),
        ({"purpose": "Another purpose"}, "purpose"),
        ({"scope": ""}, "scope"),
        ("parties", "party_ids"),
        ("clauses", "clauses"),
    ],
)
def test_a_signed_version_keeps_its_wording(
    db: Database, world: World, changes: Any, field: str
) -> None:
    mou_id = reg.create_mou(db, signed(world), ADMIN)
    draft = reg.mou_draft_of(get_mou(db, mou_id))
    if changes == "parties":
        changes = {"party_ids": (world.fire, world.police)}
    elif changes == "clauses":
        changes = {"clauses": (*draft.clauses, ClauseDraft("Extra", "More words"))}
    before = counts(db)
    view = get_mou(db, mou_id)
    error = refused(reg.update_mou, db, mou_id, replace(draft, **changes), ADMIN)
    assert [(p.rule, p.field, p.message) for p in error.problems] == [
        (
            "wording_fixed",
            field,
            "Version 1 is signed, so its wording is fixed; start a new version to change it.",
        )
    ]
    assert counts(db) == before
    assert get_mou(db, mou_id) == view


def test_a_signed_version_cannot_go_back_to_draft(db: Database, world: World) -> None:
    mou_id = reg.create_mou(db, signed(world), ADMIN)
    draft = reg.mou_draft_of(get_mou(db, mou_id))
    error = refused(reg.update_mou, db, mou_id, replace(draft, is_draft=True), ADMIN)
    assert pairs(error) == {("signed", "is_draft")}
    assert not get_mou(db, mou_id).is_draft


def test_signing_a_draft_needs_what_a_signed_mou_needs(db: Database, world: World) -> None:
    mou_id = reg.create_mou(db, draft_mou(world), ADMIN)
    error = refused(reg.update_mou, db, mou_id, draft_mou(world, is_draft=False), ADMIN)
    assert pairs(error) == {
        ("signed", "effective_from"),
        ("signed", "signatories"),
        ("signed", "clauses"),
    }
    assert get_mou(db, mou_id).is_draft


def test_a_superseded_version_cannot_be_edited(db: Database, world: World) -> None:
    v1 = reg.create_mou(db, signed(world), ADMIN)
    v2 = new_version(db, v1, ADMIN)
    sign(db, v2, TODAY)
    draft = reg.mou_draft_of(get_mou(db, v1))
    before = counts(db)
    error = refused(reg.update_mou, db, v1, replace(draft, expires_on=None), ADMIN)
    assert [(p.rule, p.message) for p in error.problems] == [
        ("superseded", "Version 1 of CAMBS-TRI has been replaced by version 2; change that one.")
    ]
    assert counts(db) == before


def test_the_old_version_stays_open_until_the_new_one_takes_effect(
    db: Database, world: World
) -> None:
    v1 = reg.create_mou(db, signed(world), ADMIN)
    v2 = new_version(db, v1, ADMIN)
    sign(db, v2, TODAY + 30 * DAY)
    draft = reg.mou_draft_of(get_mou(db, v1))
    reg.update_mou(db, v1, replace(draft, expires_on=TODAY + 29 * DAY), ADMIN)
    assert get_mou(db, v1).expires_on == TODAY + 29 * DAY


def test_a_new_version_takes_effect_after_the_one_it_replaces(db: Database, world: World) -> None:
    v1 = reg.create_mou(db, signed(world), ADMIN)
    v2 = new_version(db, v1, ADMIN)
    draft = reg.mou_draft_of(get_mou(db, v2))
    early = replace(
        draft,
        is_draft=False,
        effective_from=TODAY - 400 * DAY,
        signatories=tuple(replace(s, signed_on=TODAY) for s in draft.signatories),
    )
    error = refused(reg.update_mou, db, v2, early, ADMIN)
    assert pairs(error) == {("dates", "effective_from")}
    assert "version 1, which it replaces, took effect on" in error.message
    # A new version keeps its reference.
    renamed = refused(reg.update_mou, db, v2, replace(draft, reference="OTHER"), ADMIN)
    assert pairs(renamed) == {("reference", "reference")}


def test_a_party_that_borrows_under_a_protocol_stays(db: Database, world: World) -> None:
    mou_id = reg.create_mou(db, draft_mou(world, party_ids=(world.fire, world.police)), ADMIN)
    create_protocol(
        db,
        lending(world, mou_id, name="Towers for police", borrower_ids=(world.police,)),
        ADMIN,
    )
    before = counts(db)
    drop_police = draft_mou(world, party_ids=(world.fire, world.ambulance))
    error = refused(reg.update_mou, db, mou_id, drop_police, ADMIN)
    assert pairs(error) == {("party_in_use", "party_ids")}
    assert "Cambs Police borrows under the protocol “Towers for police”" in error.message
    assert counts(db) == before
    # Adding a party is fine.
    reg.update_mou(
        db, mou_id, draft_mou(world, party_ids=(world.fire, world.police, world.ambulance)), ADMIN
    )
    assert len(get_mou(db, mou_id).parties) == 3


def test_an_item_named_by_a_protocol_keeps_its_owner_a_party(db: Database, world: World) -> None:
    mou_id = reg.create_mou(
        db, draft_mou(world, party_ids=(world.fire, world.police, world.ambulance)), ADMIN
    )
    create_protocol(
        db,
        lending(world, mou_id, name="The tower", category_ids=(), item_ids=(world.tower,)),
        ADMIN,
    )
    error = refused(
        reg.update_mou,
        db,
        mou_id,
        draft_mou(world, party_ids=(world.police, world.ambulance)),
        ADMIN,
    )
    assert pairs(error) == {("party_in_use", "party_ids")}
    assert "CFR-T1" in error.message


def test_editing_an_mou_that_is_not_there(db: Database, world: World) -> None:
    with pytest.raises(NotFound):
        reg.update_mou(db, 4242, draft_mou(world), ADMIN)
    with pytest.raises(NotFound):
        reg.check_mou(db, draft_mou(world), mou_id=4242)


# -- new versions ------------------------------------------------------------------------------


def test_a_new_version_is_a_complete_draft_copy(db: Database, world: World) -> None:
    v1 = reg.create_mou(db, signed(world), ADMIN)
    rate = create_protocol(
        db,
        lending(
            world,
            v1,
            name="Tower by the day",
            category_ids=(world.drones,),
            item_ids=(world.tower, world.lamp),
            approver_role=Role.DUTY_OFFICER,
            approver_title="Station Commander",
            notice_hours=4,
            max_loan_hours=48,
            qualification_ids=(world.pilot,),
            charging=ChargingBasis.RATE,
            charge_rate_pence=4500,
            charge_unit="day",
            use_conditions="Keep it dry.",
            protocol_text="Lent by the day.",
            data_terms="No footage kept.",
            emergency_only=True,
        ),
        ADMIN,
    )
    resting = create_protocol(db, lending(world, v1, name="Resting", is_active=False), ADMIN)
    old = get_mou(db, v1, today=TODAY)
    before = counts(db)

    v2 = new_version(db, v1, ADMIN)

    new = get_mou(db, v2, today=TODAY)
    assert (new.reference, new.version, new.is_draft, new.status) == (
        "CAMBS-TRI",
        2,
        True,
        MouStatus.DRAFT,
    )
    assert (new.title, new.purpose, new.scope) == (old.title, old.purpose, old.scope)
    assert new.signed_on is None
    assert (new.effective_from, new.review_on, new.expires_on, new.terminated_on) == (
        old.effective_from,
        old.review_on,
        old.expires_on,
        old.terminated_on,
    )
    assert new.parties == old.parties
    assert new.signatories == tuple(replace(s, signed_on=None) for s in old.signatories)
    assert new.clauses == old.clauses
    assert new.supersedes == (v1, 1)
    assert new.superseded_by is None
    assert new.loan_count == 0
    # Every protocol, active or not, with every column and link; only the ids differ.
    assert len(new.protocols) == 2
    assert {p.id for p in new.protocols}.isdisjoint({rate, resting})
    assert [replace(p, id=0, mou_id=0) for p in new.protocols] == [
        replace(p, id=0, mou_id=0) for p in old.protocols
    ]
    assert all(p.mou_id == v2 for p in new.protocols)
    copied = new.protocols[0]
    assert copied.charging_text == "£45.00 per day"
    assert copied.items == ((world.lamp, "CFR-L2", "Lamp"), (world.tower, "CFR-T1", "Tower light"))
    assert copied.qualifications == ((world.pilot, "Drone pilot (GVC)"),)
    assert not new.protocols[1].is_active

    # The old version is untouched, and now names its successor.
    after_old = get_mou(db, v1, today=TODAY)
    assert after_old == replace(old, superseded_by=(v2, 2))
    assert after_old.status is MouStatus.IN_FORCE  # a draft successor supersedes nothing
    assert counts(db)["Mou"] == before["Mou"] + 1
    assert counts(db)["SharingProtocol"] == before["SharingProtocol"] + 2

    [event_] = events(db, "mou", v2)
    assert event_.action == "mou.new_version"
    assert event_.actor == ADMIN.name
    assert event_.note is not None
    assert "superseding version 1" in event_.note
    assert (event_.after or {})["supersedes_id"] == v1
    assert (event_.after or {})["clause_headings"] == ["1 Purpose", "2 Charging"]
    for protocol in new.protocols:
        assert actions(db, "sharing_protocol", protocol.id) == ["created"]


def test_a_draft_or_a_version_already_replaced_gets_no_new_version(
    db: Database, world: World
) -> None:
    draft_id = reg.create_mou(db, draft_mou(world), ADMIN)
    error = refused(new_version, db, draft_id, ADMIN)
    assert pairs(error) == {("draft", None)}
    assert "finish and sign this version first" in error.message

    v1 = reg.create_mou(db, signed(world), ADMIN)
    new_version(db, v1, ADMIN)
    before = counts(db)
    again = refused(new_version, db, v1, ADMIN)
    assert pairs(again) == {("has_successor", None)}
    assert "already has a next version, version 2 (a draft)" in again.message
    assert counts(db) == before
    with pytest.raises(NotFound):
        new_version(db, 4242, ADMIN)


def test_loans_keep_the_version_they_were_made_under(db: Database, world: World) -> None:
    v1 = reg.create_mou(db, signed(world), ADMIN)
    p1 = create_protocol(db, lending(world, v1), ADMIN)
    now = now_utc().replace(microsecond=0)

    def ask(at: datetime, start: timedelta) -> int:
        draft = LoanDraft(
            borrower_agency_id=world.police,
            requested_by_id=world.requester,
            purpose="Road traffic collision, A14",
            starts_at=at + start,
            due_at=at + start + timedelta(hours=12),
            lines=(LineDraft(world.tower),),
        )
        return request_loan(db, draft, ADMIN, now=at)

    before_new_version = ask(now, timedelta(hours=2))
    v2 = new_version(db, v1, ADMIN)
    takes_effect = TODAY + 10 * DAY
    sign(db, v2, takes_effect)
    [p2] = [p.id for p in get_mou(db, v2).protocols]
    # Signed but not yet in effect: loans are still made under version 1.
    while_signed = ask(now, timedelta(days=2))
    later = now + 11 * DAY
    after_effect = ask(later, timedelta(hours=2))

    with db.read() as session:
        made = {
            loan.id: (loan.mou_id, loan.protocol_id)
            for loan in session.scalars(select(Loan).order_by(Loan.id))
        }
    assert made == {
        before_new_version: (v1, p1),
        while_signed: (v1, p1),
        after_effect: (v2, p2),
    }
    old = get_mou(db, v1, today=today_uk(later))
    assert old.status is MouStatus.SUPERSEDED
    assert old.superseded_by == (v2, 2)
    assert [c.heading for c in old.clauses] == ["Purpose", "Charging"]
    assert [p.name for p in old.protocols] == ["Lighting towers"]
    assert old.loan_count == 2
    assert get_mou(db, v2, today=today_uk(later)).loan_count == 1
    assert get_mou(db, v2, today=today_uk(later)).status is MouStatus.IN_FORCE


# -- sharing protocols -------------------------------------------------------------------------


def test_a_protocol_is_created_and_read_back(db: Database, world: World) -> None:
    mou_id = reg.create_mou(db, signed(world), ADMIN)
    protocol_id = create_protocol(
        db,
        lending(
            world,
            mou_id,
            name="  Lighting towers  ",
            borrower_ids=(world.police, world.ambulance, world.police),
            category_ids=(world.lighting, world.drones),
            item_ids=(world.tower,),
            notice_hours=0,
            charging=ChargingBasis.CONSUMABLES,
            charge_rate_pence=4500,
            charge_unit="day",
        ),
        ADMIN,
    )
    [view] = get_mou(db, mou_id).protocols
    assert view.id == protocol_id
    assert view.name == "Lighting towers"
    assert [b.name for b in view.borrowers] == ["Cambs Police", "East Ambulance"]
    assert view.categories == ((world.drones, "Drones"), (world.lighting, "Lighting"))
    assert view.items == ((world.tower, "CFR-T1", "Tower light"),)
    assert (view.approver_role, view.approver_title, view.approver) == (
        Role.EQUIPMENT_MANAGER,
        None,
        "Equipment manager",
    )
    # Charging other than at a rate clears the rate.
    assert (view.charging, view.charge_rate_pence, view.charge_unit) == (
        ChargingBasis.CONSUMABLES,
        None,
        None,
    )
    assert view.charging_text == "Consumables replaced by the borrower"
    assert (view.is_active, view.emergency_only, view.max_loan_hours) == (True, False, 72)

    [created] = events(db, "sharing_protocol", protocol_id)
    assert (created.action, created.actor) == ("sharing_protocol.created", ADMIN.name)
    assert (created.after or {})["borrower_ids"] == sorted([world.police, world.ambulance])
    assert (created.after or {})["item_ids"] == [world.tower]


@pytest.mark.parametrize(
    ("charging", "rate", "unit", "text"),
    [
        (ChargingBasis.NONE, None, None, "No charge"),
        (ChargingBasis.CONSUMABLES, None, None, "Consumables replaced by the borrower"),
        (ChargingBasis.RATE, 4500, "day", "£45.00 per day"),
        (ChargingBasis.RATE, 123456, "week", "£1,234.56 per week"),
        (ChargingBasis.RATE, 4500, None, "£45.00 per loan"),
    ],
)
def test_charging_in_words(
    charging: ChargingBasis, rate: int | None, unit: str | None, text: str
) -> None:
    assert charging_text(charging, rate, unit) == text


def test_a_rate_stored_without_a_unit_reads_per_loan(db: Database, world: World) -> None:
    with db.write() as session:
        fire, police = (f.agency(session) for _ in range(2))
        mou = f.mou_in_force(session, [fire, police])
        protocol = f.protocol(session, mou, borrowers=[police], categories=[])
        protocol.charging = ChargingBasis.RATE
        protocol.charge_rate_pence = 4500
        protocol.approver_role = Role.DUTY_OFFICER
        mou_id = mou.id
    [view] = get_mou(db, mou_id).protocols
    assert view.charging_text == "£45.00 per loan"
    assert view.approver == "Duty officer"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": " "}, {("name", "name")}),
        ({"name": "N" * 201}, {("name", "name")}),
        ({"approver_title": "T" * 201}, {("approver_title", "approver_title")}),
        ({"borrower_ids": ()}, {("borrowers", "borrower_ids")}),
        ("outsider borrows", {("borrowers", "borrower_ids")}),
        ("unknown borrower", {("borrowers", "borrower_ids")}),
        ({"category_ids": (), "item_ids": ()}, {("coverage", "category_ids")}),
        ({"category_ids": (98765,)}, {("coverage", "category_ids")}),
        ({"item_ids": (98765,)}, {("coverage", "item_ids")}),
        ("foreign item", {("item_owner", "item_ids")}),
        ({"max_loan_hours": 0}, {("max_loan_hours", "max_loan_hours")}),
        ({"max_loan_hours": 2**31}, {("max_loan_hours", "max_loan_hours")}),
        ({"notice_hours": -1}, {("notice_hours", "notice_hours")}),
        (
            {"charging": ChargingBasis.RATE, "charge_unit": "day"},
            {("charge_rate_pence", "charge_rate_pence")},
        ),
        (
            {"charging": ChargingBasis.RATE, "charge_rate_pence": 0, "charge_unit": "day"},
            {("charge_rate_pence", "charge_rate_pence")},
        ),
        (
            {"charging": ChargingBasis.RATE, "charge_rate_pence": 4500},
            {("charge_unit", "charge_unit")},
        ),
        (
            {"charging": ChargingBasis.RATE, "charge_rate_pence": 4500, "charge_unit": "U" * 21},
            {("charge_unit", "charge_unit")},
        ),
        ({"qualification_ids": (98765,)}, {("qualifications", "qualification_ids")}),
        ("unknown mou", {("mou", "mou_id")}),
    ],
)
def test_protocol_rules(
    db: Database, world: World, changes: Any, expected: set[tuple[str, str]]
) -> None:
    mou_id = reg.create_mou(db, signed(world), ADMIN)
    if changes == "outsider borrows":
        changes = {"borrower_ids": (world.police, world.outsider)}
    elif changes == "unknown borrower":
        changes = {"borrower_ids": (world.police, 98765)}
    elif changes == "foreign item":
        changes = {"item_ids": (world.tower, world.foreign_kit)}
    elif changes == "unknown mou":
        mou_id, changes = 98765, {}
    before = counts(db)
    draft = lending(world, mou_id, **changes)
    error = refused(create_protocol, db, draft, ADMIN)
    assert pairs(error) == expected
    assert check_protocol(db, draft) == error.problems
    assert counts(db) == before


def test_protocol_messages_name_what_is_wrong(db: Database, world: World) -> None:
    mou_id = reg.create_mou(db, signed(world), ADMIN)
    outsider = refused(
        create_protocol, db, lending(world, mou_id, borrower_ids=(world.outsider,)), ADMIN
    )
    assert outsider.message == (
        "Anglian Water is not a party to CAMBS-TRI v1, so it cannot borrow under it; "
        "choose one of the parties."
    )
    foreign = refused(
        create_protocol, db, lending(world, mou_id, item_ids=(world.foreign_kit,)), ADMIN
    )
    assert foreign.message == (
        "Item OUT-9 belongs to Anglian Water, which is not a party to CAMBS-TRI v1; "
        "choose kit a party owns."
    )


def test_no_protocol_changes_under_a_superseded_or_expired_mou(db: Database, world: World) -> None:
    v1 = reg.create_mou(db, signed(world), ADMIN)
    kept = create_protocol(db, lending(world, v1), ADMIN)
    v2 = new_version(db, v1, ADMIN)
    sign(db, v2, TODAY)
    old = reg.create_mou(
        db,
        signed(
            world,
            "OLD-MOU",
            effective_from=TODAY - 800 * DAY,
            review_on=None,
            expires_on=TODAY - DAY,
        ),
        ADMIN,
    )
    before = counts(db)
    superseded = refused(create_protocol, db, lending(world, v1, name="Late"), ADMIN)
    assert pairs(superseded) == {("mou", "mou_id")}
    assert "CAMBS-TRI v1 has been replaced by version 2" in superseded.message
    edit = refused(update_protocol, db, kept, lending(world, v1, is_active=False), ADMIN)
    assert pairs(edit) == {("mou", "mou_id")}
    expired = refused(create_protocol, db, lending(world, old), ADMIN)
    assert pairs(expired) == {("mou", "mou_id")}
    assert f"OLD-MOU v1 expired on {(TODAY - DAY).strftime('%d/%m/%Y')}" in expired.message
    assert counts(db) == before
    # Under the version in force, and under a draft, protocols may be added.
    create_protocol(db, lending(world, v2, name="New terms"), ADMIN)
    draft_id = reg.create_mou(db, draft_mou(world, party_ids=(world.fire, world.police)), ADMIN)
    create_protocol(db, lending(world, draft_id, borrower_ids=(world.police,)), ADMIN)


def test_a_protocol_is_changed_and_deactivated(db: Database, world: World) -> None:
    mou_id = reg.create_mou(db, signed(world), ADMIN)
    protocol_id = create_protocol(db, lending(world, mou_id), ADMIN)
    [view] = get_mou(db, mou_id).protocols
    draft = protocol_draft_of(view)
    assert draft == lending(world, mou_id, borrower_ids=(world.police, world.ambulance))
    update_protocol(db, protocol_id, draft, ADMIN)  # no change: no event
    assert actions(db, "sharing_protocol", protocol_id) == ["created"]

    update_protocol(
        db,
        protocol_id,
        replace(
            draft,
            is_active=False,
            borrower_ids=(world.police,),
            charging=ChargingBasis.RATE,
            charge_rate_pence=2500,
            charge_unit="loan",
        ),
        ADMIN,
    )
    [changed] = get_mou(db, mou_id).protocols  # inactive protocols are still shown
    assert not changed.is_active
    assert [b.agency_id for b in changed.borrowers] == [world.police]
    assert changed.charging_text == "£25.00 per loan"
    [_, updated] = events(db, "sharing_protocol", protocol_id)
    assert updated.action == "sharing_protocol.updated"
    assert (updated.before or {})["is_active"] is True
    assert (updated.after or {})["is_active"] is False
    assert (updated.before or {})["borrower_ids"] == sorted([world.police, world.ambulance])
    assert (updated.after or {})["borrower_ids"] == [world.police]


def test_a_protocol_stays_under_its_mou(db: Database, world: World) -> None:
    first = reg.create_mou(db, signed(world), ADMIN)
    second = reg.create_mou(db, signed(world, "SECOND"), ADMIN)
    protocol_id = create_protocol(db, lending(world, first), ADMIN)
    error = refused(update_protocol, db, protocol_id, lending(world, second), ADMIN)
    assert pairs(error) == {("mou", "mou_id")}
    with pytest.raises(NotFound):
        update_protocol(db, 4242, lending(world, first), ADMIN)


def test_resolve_tags(db: Database, world: World) -> None:
    assert resolve_tags(db, ["cfr-l2", " CFR-T1 ", "CFR-L2", ""]) == (world.lamp, world.tower)
    assert resolve_tags(db, []) == ()
    error = refused(resolve_tags, db, ["CFR-T1", "NOPE-1", "nope-2"])
    assert pairs(error) == {("unknown_tag", "items")}
    assert [p.message for p in error.problems] == [
        "No catalogue item has the asset tag “NOPE-1”; check the label.",
        "No catalogue item has the asset tag “nope-2”; check the label.",
    ]


# -- the audit trail -------------------------------------------------------------------------


def test_every_edit_is_audited_with_who_made_it(db: Database, world: World) -> None:
    with db.write() as session:
        ada = f.person(session, session.get_one(Agency, world.fire), "Ada", "Admin")
        f.app_user(session, ada, "ada", password_hash(PASSWORD), Role.ADMINISTRATOR)
    actor = sign_in(db, "ada", PASSWORD)
    mou_id = reg.create_mou(db, signed(world), actor)
    draft = reg.mou_draft_of(get_mou(db, mou_id))
    reg.update_mou(db, mou_id, replace(draft, review_on=TODAY + 100 * DAY), actor)
    protocol_id = create_protocol(db, lending(world, mou_id), actor)
    update_protocol(db, protocol_id, lending(world, mou_id, notice_hours=12), actor)
    v2 = new_version(db, mou_id, actor)

    with db.read() as session:
        trail = [
            (e.entity_type, e.entity_id, e.action, e.actor, e.user_id)
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if e.entity_type != "app_user"  # signing in is audited too
        ]
    [copy] = [p.id for p in get_mou(db, v2).protocols]
    who = ("Ada Admin (ada)", actor.user_id)
    assert actor.user_id is not None
    assert trail == [
        ("mou", mou_id, "mou.created", *who),
        ("mou", mou_id, "mou.updated", *who),
        ("sharing_protocol", protocol_id, "sharing_protocol.created", *who),
        ("sharing_protocol", protocol_id, "sharing_protocol.updated", *who),
        ("mou", v2, "mou.new_version", *who),
        ("sharing_protocol", copy, "sharing_protocol.created", *who),
    ]


# -- reading the register ----------------------------------------------------------------------


def test_the_register_lists_every_version_with_its_status(db: Database, world: World) -> None:
    parties = (world.fire, world.police)
    reg.create_mou(db, draft_mou(world, "D-DRAFT"), ADMIN)
    reg.create_mou(db, signed(world, "E-FUTURE", effective_from=TODAY + 30 * DAY), ADMIN)
    reg.create_mou(db, signed(world, "B-NOW", party_ids=parties), ADMIN)
    reg.create_mou(db, signed(world, "C-REVIEW", review_on=TODAY + 60 * DAY), ADMIN)
    reg.create_mou(
        db,
        signed(
            world, "a-old", effective_from=TODAY - 800 * DAY, review_on=None, expires_on=TODAY - DAY
        ),
        ADMIN,
    )
    v1 = reg.create_mou(db, signed(world, "F-TRI"), ADMIN)
    v2 = new_version(db, v1, ADMIN)
    sign(db, v2, TODAY)

    rows = list_mous(db, today=TODAY)
    assert [(r.reference, r.version, r.status) for r in rows] == [
        ("a-old", 1, MouStatus.EXPIRED),
        ("B-NOW", 1, MouStatus.IN_FORCE),
        ("C-REVIEW", 1, MouStatus.REVIEW_DUE),
        ("D-DRAFT", 1, MouStatus.DRAFT),
        ("E-FUTURE", 1, MouStatus.NOT_YET_IN_FORCE),
        ("F-TRI", 2, MouStatus.IN_FORCE),
        ("F-TRI", 1, MouStatus.SUPERSEDED),
    ]
    now_row = rows[1]
    assert now_row.parties == ("Cambs Fire", "Cambs Police")
    assert now_row.title == "Tri-service equipment sharing"
    assert (now_row.signed_on, now_row.effective_from, now_row.review_on, now_row.expires_on) == (
        TODAY - 410 * DAY,
        TODAY - 400 * DAY,
        TODAY + 300 * DAY,
        TODAY + 700 * DAY,
    )
    # The day before version 2 takes effect, version 1 is still in force.
    before = {(r.reference, r.version): r.status for r in list_mous(db, today=TODAY - DAY)}
    assert before[("F-TRI", 1)] is MouStatus.IN_FORCE
    assert before[("C-REVIEW", 1)] is MouStatus.IN_FORCE
    assert before[("a-old", 1)] is MouStatus.IN_FORCE
    # get_mou agrees with the list.
    assert get_mou(db, v1, today=TODAY).status is MouStatus.SUPERSEDED
    assert get_mou(db, v2, today=TODAY).supersedes == (v1, 1)


def _queries(db: Database, action: Callable[[], object]) -> int:
    """How many statements ``action`` sends to the database."""
    sent: list[str] = []

    def count(*args: Any) -> None:
        sent.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len([s for s in sent if s.lstrip().upper().startswith("SELECT")])


def test_listing_takes_the_same_few_queries_however_many_mous(db: Database, world: World) -> None:
    for n in range(2):
        reg.create_mou(db, signed(world, f"FEW-{n}"), ADMIN)
    few = _queries(db, lambda: list_mous(db))
    for n in range(6):
        v1 = reg.create_mou(db, signed(world, f"MANY-{n}"), ADMIN)
        new_version(db, v1, ADMIN)
    many = _queries(db, lambda: list_mous(db))
    assert len(list_mous(db)) == 14
    assert many == few
    assert few <= 4


def test_get_mou_of_nothing_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound) as caught:
        get_mou(db, 4242)
    assert "no MoU with id 4242" in caught.value.message


def test_find_mou_by_reference_and_version(db: Database, world: World) -> None:
    v1 = reg.create_mou(db, signed(world, "CAMBS-TRI"), ADMIN)
    v2 = new_version(db, v1, ADMIN)
    assert find_mou(db, "cambs-tri") == v2
    assert find_mou(db, " CAMBS-TRI ", 1) == v1
    assert find_mou(db, "Cambs-Tri", 2) == v2
    with pytest.raises(NotFound) as unknown:
        find_mou(db, "NOPE")
    assert "No MoU has the reference “NOPE”" in unknown.value.message
    with pytest.raises(NotFound) as version:
        find_mou(db, "CAMBS-TRI", 3)
    assert "CAMBS-TRI has no version 3; its versions are 1, 2" in version.value.message


def test_register_choices_are_by_name(db: Database, world: World) -> None:
    choices = register_choices(db)
    assert [c.name for c in choices.agencies] == [
        "Anglian Water",
        "Cambs Fire",
        "Cambs Police",
        "East Ambulance",
    ]
    assert choices.agencies[1].id == world.fire
    assert [(c.id, c.name) for c in choices.categories] == [
        (world.drones, "Drones"),
        (world.lighting, "Lighting"),
    ]
    assert [(c.id, c.name) for c in choices.qualifications] == [(world.pilot, "Drone pilot (GVC)")]


def test_a_draft_of_a_view_holds_it_as_it_is(db: Database, world: World) -> None:
    draft = signed(
        world, clauses=(ClauseDraft("Purpose", "Share.", "1"), ClauseDraft("Terms", "Kind.", "2"))
    )
    mou_id = reg.create_mou(db, draft, ADMIN)
    assert reg.mou_draft_of(get_mou(db, mou_id)) == draft


# -- typed at the edges -------------------------------------------------------------------------


def test_mou_dates_outside_the_years_kept_are_refused(db: Database, world: World) -> None:
    before = counts(db)
    bad = signed(
        world,
        signed_on=date(1, 1, 1),
        expires_on=date(9999, 12, 31),
        signatories=(SignatoryDraft(world.fire, "Chris Strickland", "CFO", date(2100, 1, 1)),),
    )

    error = refused(reg.create_mou, db, bad, ADMIN)

    range_ = "is outside the dates Kit Share takes; give one from 01/01/1970 to 31/12/2099."
    assert [(p.field, p.message) for p in error.problems] == [
        ("signed_on", f"The date signed 01/01/0001 {range_}"),
        ("expires_on", f"The expiry date 31/12/9999 {range_}"),
        ("signatories", f"The date signatory 1 signed 01/01/2100 {range_}"),
    ]
    assert counts(db) == before


def test_control_characters_typed_into_an_mou_are_not_kept(db: Database, world: World) -> None:
    mou_id = reg.create_mou(
        db,
        signed(
            world,
            reference="CAMBS\x00-TRI",
            title="Tri-service\tsharing",
            purpose="Share kit.\r\nAcross three services\x00.",
            clauses=(ClauseDraft("Pur\x00pose", "Line one\x00.\nLine two."),),
        ),
        ADMIN,
    )
    mou = get_mou(db, mou_id)
    assert (mou.reference, mou.title) == ("CAMBS-TRI", "Tri-service sharing")
    assert mou.purpose == "Share kit.\nAcross three services."
    assert [(c.heading, c.body) for c in mou.clauses] == [("Purpose", "Line one.\nLine two.")]
    assert find_mou(db, "cambs-tri\x00") == mou_id


def test_a_notice_or_longest_loan_past_the_calendar_is_refused(db: Database, world: World) -> None:
    mou_id = reg.create_mou(db, signed(world), ADMIN)
    error = refused(
        create_protocol,
        db,
        lending(world, mou_id, notice_hours=2_000_000_000, max_loan_hours=10**9),
        ADMIN,
    )
    assert [(p.field, p.message) for p in error.problems] == [
        (
            "max_loan_hours",
            "The longest loan can be at most 366 days (8,784 hours), not 1,000,000,000 hours; "
            "give a shorter one.",
        ),
        (
            "notice_hours",
            "The notice period can be at most 90 days (2,160 hours), not 2,000,000,000 hours; "
            "give a shorter one.",
        ),
    ]
    assert check_protocol(db, lending(world, mou_id, notice_hours=2160, max_loan_hours=8784)) == []
