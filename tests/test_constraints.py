"""The database itself refuses what must never be stored, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.storage.database import Database
from models import Loan, LoanLine
from tests import factories as f


def _stock(session: Session) -> tuple[int, int, int, int]:
    owner = f.agency(session)
    home = f.site(session, owner)
    kind = f.category(session)
    item = f.item(session, owner=owner, home=home, kind=kind, tag="CFR-000001")
    return owner.id, home.id, kind.id, item.id


def _insert_item(tag: str, quantity: int, pooled: bool) -> Callable[[Session], None]:
    def insert(session: Session) -> None:
        owner, home, kind, _ = _stock(session)
        session.execute(
            text(
                "INSERT INTO equipment_items (asset_tag, name, category_id, owner_agency_id,"
                " home_site_id, is_pooled, quantity, status, condition, created_at, updated_at,"
                " row_version) VALUES (:tag, 'Barrier', :kind, :owner, :home, :pooled, :qty,"
                " 'available', 'good', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
            ),
            {
                "tag": tag,
                "kind": kind,
                "owner": owner,
                "home": home,
                "pooled": pooled,
                "qty": quantity,
            },
        )

    return insert


def _loan(session: Session, hours: int, quantity: int = 1) -> None:
    owner_id, _, _, item_id = _stock(session)
    loan = Loan(
        borrower_agency_id=owner_id,
        purpose="Test",
        starts_at=f.NOW,
        due_at=f.NOW + timedelta(hours=hours),
    )
    loan.lines = [
        LoanLine(
            item_id=item_id,
            quantity=quantity,
            starts_at=f.NOW,
            ends_at=f.NOW + timedelta(hours=max(hours, 1)),
        )
    ]
    session.add(loan)
    session.flush()


def _site_of_missing_agency(session: Session) -> None:
    session.execute(text("INSERT INTO sites (agency_id, name) VALUES (987654, 'Nowhere')"))


CASES: dict[str, Callable[[Session], None]] = {
    "duplicate asset tag": _insert_item("CFR-000001", 1, False),
    "zero quantity": _insert_item("CFR-000002", 0, True),
    "negative quantity": _insert_item("CFR-000003", -5, True),
    "tagged item with quantity 3": _insert_item("CFR-000004", 3, False),
    "loan due before it starts": lambda s: _loan(s, hours=-2),
    "loan line of no items": lambda s: _loan(s, hours=4, quantity=0),
    "site of an agency that does not exist": _site_of_missing_agency,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_database_refuses(db: Database, case: str) -> None:
    with pytest.raises(IntegrityError), db.write() as session:
        CASES[case](session)
    with db.read() as session:
        assert session.execute(text("SELECT count(*) FROM equipment_items")).scalar() == 0


def test_a_valid_pooled_item_is_stored(db: Database) -> None:
    with db.write() as session:
        _insert_item("CFR-000009", 40, True)(session)
    with db.read() as session:
        assert session.execute(text("SELECT sum(quantity) FROM equipment_items")).scalar() == 41
