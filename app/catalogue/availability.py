"""How many of an item are free over a period, counting loans, reservations and defects.

One definition, used by search, the item panel and booking, so that what the window
shows as free is exactly what a booking will be allowed to take.

Units under an open defect are not free until the defect is cleared. On a pooled item
each open major or unsafe defect holds back its ``quantity`` of units (all of them
together never more than the pool); the rest can go. A minor defect holds nothing back,
as on a single item. A single item's defects are answered by its status and by the
check before hand-over (``app.loans.fitness.issue_blockers``), as they always were: an
unsafe one puts it out of service, a major one stops it being handed over.

The expressions take the period as SQL parameters (:class:`Period`), so a statement is
built once and run with new dates each time: building these aliased subqueries costs
more than running them for a page of fifty items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    SQLColumnExpression,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from models import (
    BLOCKING_SEVERITIES,
    Defect,
    EquipmentItem,
    ItemStatus,
    Loan,
    LoanLine,
    LoanStatus,
)
from models.base import UtcDateTime

# An issued loan that is overdue still holds its kit until it comes back: treat its end
# as this far in the future, so nobody books kit that is not on the shelf.
NOT_BACK_YET = timedelta(days=365 * 100)

UNAVAILABLE_STATUSES = (ItemStatus.OUT_OF_SERVICE, ItemStatus.RETIRED)


@dataclass(frozen=True)
class Period:
    """The period [start, end) and the present moment, as SQL parameters."""

    start: BindParameter[datetime]
    end: BindParameter[datetime]
    now: BindParameter[datetime]
    # When an overdue loan that is still out is treated as ending: now + NOT_BACK_YET.
    never: BindParameter[datetime]

    @classmethod
    def named(cls) -> Period:
        """Parameters filled in at execution, with :meth:`values`."""
        return cls(
            *(
                bindparam(f"period_{name}", type_=UtcDateTime())
                for name in ("start", "end", "now", "never")
            )
        )

    @staticmethod
    def values(start: datetime, end: datetime, now: datetime) -> dict[str, datetime]:
        return {
            "period_start": start,
            "period_end": end,
            "period_now": now,
            "period_never": now + NOT_BACK_YET,
        }


def _overdue_out(line: type[LoanLine], period: Period) -> ColumnElement[bool]:
    """The line is past its end and its kit has not come back."""
    return and_(
        line.ends_at <= period.now,
        select(Loan.id)
        .where(
            Loan.id == line.loan_id,
            Loan.status.in_((LoanStatus.ISSUED, LoanStatus.PARTLY_RETURNED)),
        )
        .exists(),
    )


def _held_quantity(line: type[LoanLine]) -> ColumnElement[int]:
    return line.quantity - line.quantity_returned


def _holding_during(line: type[LoanLine], period: Period) -> ColumnElement[bool]:
    """The line holds stock at some moment of the period.

    An overdue line still out is held for ever; the loan is looked up only for lines
    already ended.
    """
    return and_(
        line.holds_stock.is_(True),
        line.starts_at < period.end,
        or_(line.ends_at > period.start, _overdue_out(line, period)),
    )


def _sweep(item_id: SQLColumnExpression[int], period: Period) -> Select[Any]:
    """The item's bookings over the period as one sweep: a row per moment where units
    are taken (+) or given back (-), with ``running``, the units held just after it.

    Each line holding stock in the period gives one row at its start (the period's
    start for a line already running) and one at its end if that comes before the
    period's end (an overdue line still out never ends). The rows are summed in time
    order, ends before starts at the same moment (a period is ``[start, end)``), so the
    largest ``running`` is the most held at any one moment: one sort of the item's
    lines, not a count of them at every booking's start.
    """
    taken = aliased(LoanLine)
    given = aliased(LoanLine)
    events = union_all(
        _lines_rows(
            item_id,
            period,
            taken,
            case((taken.starts_at > period.start, taken.starts_at), else_=period.start),
            1,
        ),
        _lines_rows(
            item_id,
            period,
            given,
            given.ends_at,
            -1,
            # Given back before the period ends; an overdue line still out never is.
            given.ends_at < period.end,
            ~_overdue_out(given, period),
        ),
    ).subquery("booking_events")
    running = func.sum(events.c.delta).over(order_by=(events.c.moment, events.c.delta))
    return select(running.label("running"))


def _lines_rows(
    item_id: SQLColumnExpression[int],
    period: Period,
    line: type[LoanLine],
    moment: SQLColumnExpression[datetime],
    sign: int,
    *where: ColumnElement[bool],
) -> Select[datetime, int]:
    """A row per line of the item holding stock in the period: ``moment`` and the units
    it takes (``sign`` 1) or gives back (-1) then."""
    return (
        select(
            moment.label("moment"),
            (sign * _held_quantity(line)).label("delta"),
        )
        .where(line.item_id == item_id, _holding_during(line, period), *where)
        # Tied to the outer item through the derived tables around it: SQLAlchemy
        # correlates on its own only to the query just around a subquery, and would
        # otherwise add the item's table here and sum the bookings of every item.
        .correlate_except(line)
    )


def peak_booked(item_id: SQLColumnExpression[int], period: Period) -> ColumnElement[int]:
    """The most of the item held at any one moment in the period: the highest running
    sum of one sweep over its bookings (:func:`_sweep`); 0 with none."""
    sweep = _sweep(item_id, period).subquery("booking_sweep")
    return select(func.coalesce(func.max(sweep.c.running), 0)).scalar_subquery().cast(Integer)


def _open_blocking(defect: type[Defect]) -> ColumnElement[bool]:
    return and_(defect.cleared_at.is_(None), defect.severity.in_(BLOCKING_SEVERITIES))


def held_by_defects(item: type[EquipmentItem]) -> ColumnElement[int]:
    """Units of a pooled ``item`` that open major or unsafe defects keep off the shelf,
    never more than the pool; 0 for a single item (its status and the hand-over check
    answer for its defects)."""
    defect = aliased(Defect)
    held = (
        select(func.coalesce(func.sum(defect.quantity), 0))
        .where(defect.item_id == item.id, _open_blocking(defect))
        .scalar_subquery()
    )
    return case(
        (item.is_pooled.is_(False), literal(0)),
        (held > item.quantity, item.quantity),
        else_=held,
    ).cast(Integer)


def available_quantity(item: type[EquipmentItem], period: Period) -> ColumnElement[int]:
    """Free units of ``item`` over the whole period: not booked at the busiest moment and
    not held back by an open defect; 0 when out of service."""
    line = aliased(LoanLine)
    any_booking = exists().where(line.item_id == item.id, _holding_during(line, period))
    return case(
        (item.status.in_(UNAVAILABLE_STATUSES), literal(0)),
        (~any_booking, _non_negative(item.quantity - held_by_defects(item))),
        else_=_non_negative(item.quantity - held_by_defects(item) - peak_booked(item.id, period)),
    )


@cache
def _held_statement() -> Select[Any]:
    return select(held_by_defects(EquipmentItem)).where(EquipmentItem.id == bindparam("item_id"))


def units_held_by_defects(session: Session, item_id: int) -> int:
    """:func:`held_by_defects` of one item, read now."""
    return int(session.scalar(_held_statement(), {"item_id": item_id}) or 0)


@cache
def _peak_statement() -> Select[Any]:
    return select(peak_booked(EquipmentItem.id, Period.named())).where(
        EquipmentItem.id == bindparam("item_id")
    )


def booked_peak(
    session: Session, item_id: int, start: datetime, end: datetime, now: datetime
) -> int:
    """:func:`peak_booked` of one item over [start, end), read now."""
    peak = session.scalar(_peak_statement(), {**Period.values(start, end, now), "item_id": item_id})
    return int(peak or 0)


def _non_negative(value: ColumnElement[int]) -> ColumnElement[int]:
    return case((value < 0, literal(0)), else_=value)


@cache
def _short_of_stock() -> Select[Any]:
    period = Period.named()
    needed = bindparam("needed", type_=Integer())
    line = aliased(LoanLine)
    pool = aliased(EquipmentItem)
    # The peak is never more than all the period's bookings added up, so only items
    # whose bookings add up to too many need their peak worked out.
    crowded = (
        select(line.item_id)
        .join(pool, pool.id == line.item_id)
        # Smaller pools are never enough, booked or not; they are not listed here.
        .where(_holding_during(line, period), pool.quantity >= needed)
        .group_by(line.item_id, pool.quantity)
        .having(pool.quantity - func.sum(_held_quantity(line)) < needed)
    )
    # Pools with units held back by open defects (few) may be short without a booking.
    defect = aliased(Defect)
    defective = (
        select(defect.item_id)
        .join(pool, pool.id == defect.item_id)
        .where(_open_blocking(defect), pool.is_pooled.is_(True), pool.quantity >= needed)
    )
    return select(EquipmentItem.id).where(
        or_(EquipmentItem.id.in_(crowded), EquipmentItem.id.in_(defective)),
        EquipmentItem.quantity
        - held_by_defects(EquipmentItem)
        - peak_booked(EquipmentItem.id, period)
        < needed,
    )


def short_of_stock(
    start: datetime, end: datetime, now: datetime, quantity: int = 1
) -> tuple[Select[Any], dict[str, Any]]:
    """A query for the ids of items of at least ``quantity`` whose bookings and open
    defects leave fewer than that free at some moment of [start, end), whatever their
    status, and its parameters.

    Only items with a booking in the period or an open defect are looked at, so this
    costs the bookings of one period, not the catalogue: an item is available for the
    period exactly when its status allows, it has at least ``quantity`` in all, and it is
    not in this set.
    """
    return _short_of_stock(), {**Period.values(start, end, now), "needed": quantity}
