"""What the loan dialogs and the item panel read before anything is booked: an item's facts
(tag, owner, condition, readings kept), the agencies and people to choose from, a new
request's defaults (for one item, or the strictest of several asked for as one loan),
whether items can be one loan at all, and how many of an item are free each day ahead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.agreements.status import usable_protocols
from app.catalogue.availability import units_held_by_defects
from app.catalogue.directory import ItemRef, PersonRef, list_agencies, list_people
from app.core.clock import UK, now_utc, today_uk
from app.core.errors import NotFound, Refusal
from app.core.vocabulary import label
from app.loans.drafts import Readings
from app.loans.rules import (
    borrowing_agencies,
    free_quantity,
    lender_refusal,
    unlendable_refusal,
)
from app.loans.views import tracked_readings
from app.storage.database import Database
from models import EquipmentItem, LoanLine


@dataclass(frozen=True)
class LoanItem(ItemRef):
    """One catalogue item as a loan dialog shows it."""

    owner: str
    condition: str
    accessories: str
    tracks: tuple[str, ...]  # the readings its category records: fuel, hours, battery, mileage

    @property
    def label(self) -> str:
        return f"{self.asset_tag} {self.name}"


def _item(session: Session, item_id: int) -> EquipmentItem:
    item = session.get(EquipmentItem, item_id)
    if item is None:
        raise NotFound(f"There is no catalogue item with id {item_id}.")
    return item


def loan_item(db: Database, item_id: int) -> LoanItem:
    """The facts about ``item_id`` that the request and issue dialogs show."""
    with db.read() as session:
        item = _item(session, item_id)
        return LoanItem(
            id=item.id,
            asset_tag=item.asset_tag,
            name=item.name,
            is_pooled=item.is_pooled,
            quantity=item.quantity,
            owner_agency_id=item.owner_agency_id,
            owner=item.owner_agency.name,
            condition=label(item.condition),
            accessories=item.accessories or "",
            tracks=tracked_readings(item),
        )


@dataclass(frozen=True)
class LoanChoices:
    """Agencies and people the loan dialogs offer, in name order."""

    agencies: tuple[tuple[int, str], ...]
    people: tuple[PersonRef, ...]

    def people_of(self, agency_id: int | None) -> tuple[PersonRef, ...]:
        return tuple(p for p in self.people if p.agency_id == agency_id)


def loan_choices(db: Database) -> LoanChoices:
    """The same lists ``kitshare-admin`` matches names against."""
    return LoanChoices(
        agencies=tuple((a.id, a.name) for a in list_agencies(db)),
        people=tuple(list_people(db)),
    )


@dataclass(frozen=True)
class RequestDefaults:
    """What a new request for one item starts with."""

    item_id: int
    borrower_ids: tuple[int, ...]  # agencies a protocol lets borrow it, by name, owner never
    emergency_borrower_ids: tuple[int, ...]  # the same, counting emergency-only protocols
    starts_at: datetime
    due_at: datetime
    notice_hours: int
    max_loan_hours: int
    protocol: str
    owner_agency_id: int
    free_now: int
    readings: Readings  # the last readings taken back, to pre-fill a hand-over


DEFAULT_LOAN = timedelta(hours=24)
FORM_TIME = timedelta(minutes=10)


def request_defaults(db: Database, item_id: int, *, now: datetime | None = None) -> RequestDefaults:
    """A sensible start, end and borrower list for a request, from the item's protocol."""
    moment = now or now_utc()
    with db.read() as session:
        item = _item(session, item_id)
        protocols = usable_protocols(session, item, today_uk(moment))
        protocol = protocols[0] if protocols else None
        # The first quarter hour after the notice period, with time to fill the form in,
        # so the start suggested is still acceptable when the person presses OK.
        notice = timedelta(hours=protocol.notice_hours if protocol else 0)
        earliest = (moment + notice + FORM_TIME).astimezone(UK)
        quarter = 15 * 60
        seconds = earliest.minute * 60 + earliest.second + earliest.microsecond / 1e6
        start = earliest.replace(minute=0, second=0, microsecond=0) + timedelta(
            seconds=-(-seconds // quarter) * quarter
        )
        longest = timedelta(hours=protocol.max_loan_hours) if protocol else DEFAULT_LOAN
        due = start + min(longest, DEFAULT_LOAN)
        last = session.scalars(
            select(LoanLine)
            .where(LoanLine.item_id == item.id, LoanLine.quantity_returned > 0)
            .order_by(LoanLine.id.desc())
            .limit(1)
        ).first()
        readings = (
            Readings(
                fuel_percent=last.fuel_in_percent,
                hours=last.hours_in,
                battery_percent=last.battery_in_percent,
                mileage=last.mileage_in,
            )
            if last
            else Readings()
        )
        return RequestDefaults(
            item_id=item.id,
            borrower_ids=tuple(a.id for a in borrowing_agencies(item, protocols, emergency=False)),
            emergency_borrower_ids=tuple(
                a.id for a in borrowing_agencies(item, protocols, emergency=True)
            ),
            starts_at=start,
            due_at=due,
            notice_hours=protocol.notice_hours if protocol else 0,
            max_loan_hours=protocol.max_loan_hours if protocol else 0,
            protocol=protocol.name if protocol else "",
            owner_agency_id=item.owner_agency_id,
            free_now=free_quantity(session, item.id, moment, moment + timedelta(minutes=1), moment),
            readings=readings,
        )


@dataclass(frozen=True)
class ItemsRequestDefaults:
    """What a request for several items as one loan starts with: the strictest of what
    each item's own would (``request_defaults``), as a loan's rules hold line by line.

    The latest start, the shortest length, and only the agencies a protocol lets borrow
    every item (emergency-only protocols counted too, for an emergency issue), in the
    first item's order.
    """

    each: tuple[RequestDefaults, ...]  # in the order the items were given
    borrower_ids: tuple[int, ...]
    emergency_borrower_ids: tuple[int, ...]
    starts_at: datetime
    due_at: datetime

    @property
    def notice_hours(self) -> int:
        """The longest notice any item's protocol asks for."""
        return max((d.notice_hours for d in self.each), default=0)

    @property
    def max_loan_hours(self) -> int:
        """The shortest longest-loan of the items' protocols; 0 when no protocol lends any."""
        return min((d.max_loan_hours for d in self.each if d.protocol), default=0)

    @property
    def protocols(self) -> tuple[str, ...]:
        """The protocols that would lend the items, each once, in the items' order."""
        return tuple(dict.fromkeys(d.protocol for d in self.each if d.protocol))

    @property
    def unprotected(self) -> tuple[int, ...]:
        """The items no sharing protocol lets another agency borrow."""
        return tuple(d.item_id for d in self.each if not d.protocol)


def _in_every(lists: Sequence[tuple[int, ...]]) -> tuple[int, ...]:
    """The ids found in every one of ``lists``, in the first list's order."""
    if not lists:
        return ()
    return tuple(i for i in lists[0] if all(i in other for other in lists[1:]))


def items_request_defaults(
    db: Database, item_ids: Sequence[int], *, now: datetime | None = None
) -> ItemsRequestDefaults:
    """The defaults of a request for ``item_ids`` as one loan, from each item's; with no
    items, a period of nothing from now and no borrower."""
    moment = now or now_utc()
    each = tuple(request_defaults(db, item_id, now=moment) for item_id in item_ids)
    if not each:
        return ItemsRequestDefaults((), (), (), moment, moment)
    start = max(d.starts_at for d in each)
    length = min(d.due_at - d.starts_at for d in each)
    return ItemsRequestDefaults(
        each=each,
        borrower_ids=_in_every([d.borrower_ids for d in each]),
        emergency_borrower_ids=_in_every([d.emergency_borrower_ids for d in each]),
        starts_at=start,
        due_at=start + length,
    )


def why_not_one_loan(db: Database, item_ids: Sequence[int]) -> Refusal | None:
    """Why ``item_ids`` cannot be asked for as one loan: they belong to more than one
    agency, and a loan is lent by one. None if one agency owns them all. Asked before a
    form for several items opens."""
    with db.read() as session:
        owners = [_item(session, item_id).owner_agency.name for item_id in item_ids]
    return lender_refusal(list(dict.fromkeys(owners)))


def why_not_lent(db: Database, item_id: int, *, now: datetime | None = None) -> Refusal | None:
    """Why ``item_id`` cannot be lent to any agency now (no protocol covers it, its MoU is
    not in force, it is retired), or None: asked before a loan form opens."""
    moment = now or now_utc()
    with db.read() as session:
        return unlendable_refusal(session, _item(session, item_id), today_uk(moment))


@dataclass(frozen=True)
class DayAvailability:
    day: date
    free: int  # for the whole day, counting bookings and units held back by open defects
    quantity: int
    # Units open defects hold back: not free on any day from now until they are cleared.
    held_by_defects: int = 0


def availability_timeline(
    db: Database, item_id: int, *, days: int = 21, now: datetime | None = None
) -> tuple[DayAvailability, ...]:
    """How many of the item are free for the whole of each UK day, from today on.

    Units an open defect holds back count as not free on every day shown: it is open from
    now on, until someone clears it.
    """
    moment = now or now_utc()
    today = today_uk(moment)
    with db.read() as session:
        item = _item(session, item_id)
        held = units_held_by_defects(session, item.id)
        result: list[DayAvailability] = []
        for offset in range(days):
            day = today + timedelta(days=offset)
            start = max(datetime.combine(day, time(0), tzinfo=UK), moment)
            end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UK)
            result.append(
                DayAvailability(
                    day=day,
                    free=free_quantity(session, item.id, start, end, moment),
                    quantity=item.quantity,
                    held_by_defects=held,
                )
            )
        return tuple(result)
