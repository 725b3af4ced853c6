"""How many of an item are free over a period, counting loans and reservations.

One definition, used by search and (later) by booking, so that what the window shows
as free is exactly what a booking will be allowed to take.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Integer,
    SQLColumnExpression,
    and_,
    case,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.orm import aliased

from models import EquipmentItem, ItemStatus, Loan, LoanLine, LoanStatus

# An issued loan that is overdue still holds its kit until it comes back: treat its end
# as this far in the future, so nobody books kit that is not on the shelf.
NOT_BACK_YET = timedelta(days=365 * 100)

UNAVAILABLE_STATUSES = (ItemStatus.OUT_OF_SERVICE, ItemStatus.RETIRED)


def _held_end(line: type[LoanLine], now: datetime) -> ColumnElement[datetime]:
    """When a line stops holding stock: its end, or never while it is overdue and out."""
    overdue_out = and_(
        line.ends_at <= now,
        select(Loan.id)
        .where(
            Loan.id == line.loan_id,
            Loan.status.in_((LoanStatus.ISSUED, LoanStatus.PARTLY_RETURNED)),
        )
        .exists(),
    )
    return case((overdue_out, literal(now + NOT_BACK_YET)), else_=line.ends_at)


def _held_quantity(line: type[LoanLine]) -> ColumnElement[int]:
    return line.quantity - line.quantity_returned


def _overlapping(
    line: type[LoanLine],
    item_id: SQLColumnExpression[int],
    start: datetime,
    end: datetime,
    now: datetime,
) -> ColumnElement[bool]:
    return and_(
        line.item_id == item_id,
        line.holds_stock.is_(True),
        line.starts_at < end,
        _held_end(line, now) > start,
    )


def peak_booked(
    item_id: SQLColumnExpression[int], start: datetime, end: datetime, now: datetime
) -> ColumnElement[int]:
    """The most of the item held at any one moment in [start, end).

    The peak can only rise where a booking starts, so it is enough to look at the
    start of the period and at every booking start inside it.
    """
    starts = aliased(LoanLine)
    at_start = _held_at(item_id, literal(start), now)
    # Plain correlated scalar subqueries only: a derived table here would not be tied
    # to the outer item, and the peak would add up bookings of the whole catalogue.
    at_later_starts = (
        select(func.max(_held_at(item_id, starts.starts_at, now)))
        .where(
            starts.item_id == item_id,
            starts.holds_stock.is_(True),
            starts.starts_at > start,
            starts.starts_at < end,
        )
        .scalar_subquery()
    )
    later = func.coalesce(at_later_starts, 0)
    return case((later > at_start, later), else_=at_start).cast(Integer)


def _held_at(
    item_id: SQLColumnExpression[int], moment: SQLColumnExpression[datetime], now: datetime
) -> ColumnElement[int]:
    """Units of the item held by bookings at ``moment``."""
    line = aliased(LoanLine)
    return (
        select(func.coalesce(func.sum(_held_quantity(line)), 0))
        .where(
            line.item_id == item_id,
            line.holds_stock.is_(True),
            line.starts_at <= moment,
            _held_end(line, now) > moment,
        )
        .scalar_subquery()
    )


def available_quantity(
    item: type[EquipmentItem], start: datetime, end: datetime, now: datetime
) -> ColumnElement[int]:
    """Free units of ``item`` over the whole of [start, end); 0 when out of service."""
    line = aliased(LoanLine)
    any_booking = exists().where(_overlapping(line, item.id, start, end, now))
    return case(
        (item.status.in_(UNAVAILABLE_STATUSES), literal(0)),
        (~any_booking, item.quantity),
        else_=_non_negative(item.quantity - peak_booked(item.id, start, end, now)),
    )


def _non_negative(value: ColumnElement[int]) -> ColumnElement[int]:
    return case((value < 0, literal(0)), else_=value)


def is_available(
    item: type[EquipmentItem], start: datetime, end: datetime, now: datetime, quantity: int = 1
) -> ColumnElement[bool]:
    """Whether at least ``quantity`` of the item are free over the whole of [start, end)."""
    line = aliased(LoanLine)
    any_booking = exists().where(_overlapping(line, item.id, start, end, now))
    return and_(
        ~item.status.in_(UNAVAILABLE_STATUSES),
        item.quantity >= quantity,
        (~any_booking) | (item.quantity - peak_booked(item.id, start, end, now) >= quantity),
    )
