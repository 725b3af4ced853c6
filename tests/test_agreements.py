"""MoU status at its date boundaries, and which protocol governs an item."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.agreements import MouStatus, governing_protocol, mou_status
from app.database import Database
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
