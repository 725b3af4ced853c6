"""MoU status at its date boundaries, and which protocol governs an item."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.agreements.status import MouStatus, governing_protocol, mou_status, status_of
from app.storage.database import Database
from models import EquipmentItem, Mou
from tests import factories as f

EFFECTIVE = date(2025, 4, 1)
REVIEW = date(2027, 3, 31)
EXPIRES = date(2028, 3, 31)


def status(today: date, **changes: object) -> MouStatus:
    fields: dict[str, object] = {
        "is_draft": False,
        "effective_from": EFFECTIVE,
        "review_on": REVIEW,
        "expires_on": EXPIRES,
        "terminated_on": None,
        "superseded_from": None,
    }
    fields.update(changes)
    return mou_status(today=today, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (EFFECTIVE - timedelta(days=1), MouStatus.NOT_YET_IN_FORCE),
        (EFFECTIVE, MouStatus.IN_FORCE),
        (REVIEW - timedelta(days=61), MouStatus.IN_FORCE),
        (REVIEW - timedelta(days=60), MouStatus.REVIEW_DUE),
        (REVIEW, MouStatus.REVIEW_DUE),
        (EXPIRES, MouStatus.REVIEW_DUE),
        (EXPIRES + timedelta(days=1), MouStatus.EXPIRED),
    ],
)
def test_status_follows_the_dates(today: date, expected: MouStatus) -> None:
    assert status(today) is expected


def test_draft_supersession_and_termination() -> None:
    today = date(2026, 6, 1)
    assert status(today, is_draft=True) is MouStatus.DRAFT
    assert status(today, superseded_from=today) is MouStatus.SUPERSEDED
    assert status(today, superseded_from=today + timedelta(days=1)) is MouStatus.IN_FORCE
    assert status(today, terminated_on=today) is MouStatus.EXPIRED
    assert status(date(2028, 2, 29), review_on=None) is MouStatus.IN_FORCE


@pytest.mark.parametrize(
    ("today", "changes", "expected"),
    [
        # Without a review date, the expiry day itself is still in force.
        (EXPIRES - timedelta(days=1), {"review_on": None}, MouStatus.IN_FORCE),
        (EXPIRES, {"review_on": None}, MouStatus.IN_FORCE),
        (EXPIRES + timedelta(days=1), {"review_on": None}, MouStatus.EXPIRED),
        # Review due from exactly 60 days before the review date, not 61.
        (REVIEW - timedelta(days=61), {"expires_on": None}, MouStatus.IN_FORCE),
        (REVIEW - timedelta(days=60), {"expires_on": None}, MouStatus.REVIEW_DUE),
        (REVIEW + timedelta(days=400), {"expires_on": None}, MouStatus.REVIEW_DUE),
        # Terminated: in force the day before, ended on the day itself.
        (date(2026, 6, 1), {"terminated_on": date(2026, 6, 2)}, MouStatus.IN_FORCE),
        (date(2026, 6, 2), {"terminated_on": date(2026, 6, 2)}, MouStatus.EXPIRED),
        (date(2026, 6, 3), {"terminated_on": date(2026, 6, 2)}, MouStatus.EXPIRED),
        # Superseded from the day the successor takes effect, not the day before.
        (date(2026, 6, 1), {"superseded_from": date(2026, 6, 2)}, MouStatus.IN_FORCE),
        (date(2026, 6, 2), {"superseded_from": date(2026, 6, 2)}, MouStatus.SUPERSEDED),
        # Superseded wins over expired and review due; a draft is a draft whatever its dates.
        (EXPIRES + timedelta(days=1), {"superseded_from": EXPIRES}, MouStatus.SUPERSEDED),
        (date(2026, 6, 1), {"is_draft": True}, MouStatus.DRAFT),
        (date(2026, 6, 1), {"effective_from": None}, MouStatus.DRAFT),
        # Signed and waiting, even if the review window has begun.
        (EFFECTIVE - timedelta(days=1), {"review_on": EFFECTIVE}, MouStatus.NOT_YET_IN_FORCE),
    ],
)
def test_status_at_each_boundary(
    today: date, changes: dict[str, object], expected: MouStatus
) -> None:
    assert status(today, **changes) is expected


def test_status_of_reads_the_successor_from_the_database(db: Database) -> None:
    takes_over = date(2026, 9, 1)
    with db.write() as session:
        fire = f.agency(session)
        police = f.agency(session)
        old = f.mou_in_force(session, [fire, police], reference="SUCCESSION")
        new = Mou(
            reference="SUCCESSION",
            version=2,
            title=old.title,
            is_draft=True,
            effective_from=takes_over,
            supersedes_id=old.id,
        )
        session.add(new)
        session.flush()
        old_id, new_id = old.id, new.id
    with db.read() as session:
        old_mou = session.get_one(Mou, old_id)
        # A draft successor supersedes nothing, even after its intended date.
        assert status_of(session, old_mou, takes_over + timedelta(days=5)) is MouStatus.IN_FORCE
    with db.write() as session:
        session.get_one(Mou, new_id).is_draft = False
    with db.read() as session:
        old_mou = session.get_one(Mou, old_id)
        new_mou = session.get_one(Mou, new_id)
        day_before = takes_over - timedelta(days=1)
        assert status_of(session, old_mou, day_before) is MouStatus.IN_FORCE
        assert status_of(session, new_mou, day_before) is MouStatus.NOT_YET_IN_FORCE
        assert status_of(session, old_mou, takes_over) is MouStatus.SUPERSEDED
        assert status_of(session, new_mou, takes_over) is MouStatus.IN_FORCE


def test_only_in_force_and_review_due_allow_loans() -> None:
    allowing = {s for s in MouStatus if s.allows_loans}
    assert allowing == {MouStatus.IN_FORCE, MouStatus.REVIEW_DUE}


def test_protocol_naming_the_item_beats_the_category_protocol(db: Database) -> None:
    with db.write() as session:
        fire = f.agency(session, "Cambridgeshire Fire and Rescue Service")
        police = f.agency(session, "Cambridgeshire Constabulary")
        station = f.site(session, fire, "Huntingdon")
        lighting = f.category(session, "Lighting towers")
        tower = f.item(session, owner=fire, home=station, kind=lighting)
        other = f.item(session, owner=fire, home=station, kind=lighting)
        mou = f.mou_in_force(session, [fire, police])
        f.protocol(session, mou, borrowers=[police], categories=[lighting], name="Category")
        f.protocol(session, mou, borrowers=[police], items=[tower], name="Named item")
        tower_id, other_id = tower.id, other.id
    today = date(2026, 11, 21)
    with db.read() as session:
        named = governing_protocol(session, session.get_one(EquipmentItem, tower_id), today)
        by_category = governing_protocol(session, session.get_one(EquipmentItem, other_id), today)
        assert named is not None
        assert named.name == "Named item"
        assert by_category is not None
        assert by_category.name == "Category"


def test_no_protocol_under_an_expired_mou(db: Database) -> None:
    with db.write() as session:
        fire = f.agency(session)
        police = f.agency(session)
        station = f.site(session, fire)
        kind = f.category(session)
        tower = f.item(session, owner=fire, home=station, kind=kind)
        mou = f.mou_in_force(session, [fire, police])
        f.protocol(session, mou, borrowers=[police], categories=[kind])
        tower_id, mou_id = tower.id, mou.id
    with db.read() as session:
        item = session.get_one(EquipmentItem, tower_id)
        assert governing_protocol(session, item, date(2026, 11, 21)) is not None
        expiry = session.get_one(Mou, mou_id).expires_on
        assert expiry is not None
        assert governing_protocol(session, item, expiry + timedelta(days=1)) is None
