"""An item's facts as the loan dialogs show them (tag, owner, condition, readings kept)."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.errors import NotFound
from app.loans.service import tracked_readings
from app.storage.database import Database
from models import EquipmentItem


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
