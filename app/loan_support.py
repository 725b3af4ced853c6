"""What the loan dialogs need to know beyond ``app.loans``: an item's facts, a loan's
lender, and the return rules checked as a person types.

Kept apart from ``app.loans`` while that module is being finished; each function here
reads in its own session and returns frozen dataclasses or ids, like the rest of ``app``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.database import Database
from app.errors import NotFound

# Private helpers of app.loans, used so that the return rules have one definition.
# When app.loans gains a public check_return, this module's copy should go.
from app.loans import (
    tracked_readings,
)
from models import EquipmentItem, Loan, LoanLine


@dataclass(frozen=True)
class LoanItem:
    """One catalogue item as a loan dialog shows it."""

    id: int
    asset_tag: str
    name: str
    is_pooled: bool
    quantity: int
    owner_agency_id: int
    owner: str
    condition: str
    accessories: str
    tracks: tuple[str, ...]  # the readings its category records: fuel, hours, battery, mileage

    @property
    def label(self) -> str:
        return f"{self.asset_tag} {self.name}"


def loan_item(db: Database, item_id: int) -> LoanItem:
    """The facts about ``item_id`` that the request and issue dialogs show."""
    with db.read() as session:
        item = session.get(EquipmentItem, item_id)
        if item is None:
            raise NotFound(f"There is no catalogue item with id {item_id}.")
        return LoanItem(
            id=item.id,
            asset_tag=item.asset_tag,
            name=item.name,
            is_pooled=item.is_pooled,
            quantity=item.quantity,
            owner_agency_id=item.owner_agency_id,
            owner=item.owner_agency.name,
            condition=item.condition.value.capitalize(),
            accessories=item.accessories or "",
            tracks=tracked_readings(item),
        )


def lender_agency_id(db: Database, loan_id: int) -> int | None:
    """The agency that owns the kit on ``loan_id`` (whose people approve and hand over)."""
    with db.read() as session:
        if session.get(Loan, loan_id) is None:
            raise NotFound(f"There is no loan number {loan_id}. Check the number on the form.")
        return session.scalar(
            select(EquipmentItem.owner_agency_id)
            .join(LoanLine, LoanLine.item_id == EquipmentItem.id)
            .where(LoanLine.loan_id == loan_id)
            .order_by(LoanLine.id)
            .limit(1)
        )
