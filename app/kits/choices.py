"""What the kit forms offer before anything is saved: the agency's items a kit may be made
of, and where a request for a kit starts (its period and who may borrow it), the
strictest of what each member's request would start with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.catalogue.directory import ItemRef
from app.core.clock import now_utc
from app.kits.lending import StandIn
from app.kits.service import KitMemberView, KitView
from app.loans.support import items_request_defaults
from app.storage.database import Database
from models import EquipmentItem, ItemStatus


def member_choices(db: Database, agency_id: int) -> list[ItemRef]:
    """The items of ``agency_id`` a kit of that agency may hold (all but the retired),
    by tag: what the kit form lists to choose members from."""
    statement = (
        select(
            EquipmentItem.id,
            EquipmentItem.asset_tag,
            EquipmentItem.name,
            EquipmentItem.is_pooled,
            EquipmentItem.quantity,
            EquipmentItem.owner_agency_id,
        )
        .where(
            EquipmentItem.owner_agency_id == agency_id,
            EquipmentItem.status != ItemStatus.RETIRED,
        )
        .order_by(EquipmentItem.asset_tag)
    )
    with db.read() as session:
        return [ItemRef(*row) for row in session.execute(statement)]


@dataclass(frozen=True)
class KitRequestDefaults:
    """What a new loan of a kit starts with: a period every member's notice and longest
    loan allow, and the agencies every member's protocol lets borrow (emergency-only
    protocols counted too, for an emergency issue), in the first member's order."""

    kit_id: int
    borrower_ids: tuple[int, ...]
    emergency_borrower_ids: tuple[int, ...]
    starts_at: datetime
    due_at: datetime


def kit_request_defaults(
    db: Database, kit: KitView, *, now: datetime | None = None
) -> KitRequestDefaults:
    """The kit's defaults from its members' as one loan
    (``app.loans.support.items_request_defaults``): the latest start, the shortest
    length, and only the borrowers all of them allow."""
    moment = now or now_utc()
    together = items_request_defaults(db, [m.item_id for m in kit.members], now=moment)
    return KitRequestDefaults(
        kit_id=kit.id,
        borrower_ids=together.borrower_ids,
        emergency_borrower_ids=together.emergency_borrower_ids,
        starts_at=together.starts_at,
        due_at=together.due_at,
    )


def stand_in_quantity(member: KitMemberView, stand_in: StandIn) -> int:
    """How many of ``stand_in`` to take in ``member``'s place: one single item, or as
    many of a pool as the member stood for, so far as they are free."""
    return min(member.quantity, stand_in.free) if stand_in.is_pooled else 1
