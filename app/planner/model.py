"""What the planner draws: for each item, its bookings as bars, and for pooled stock how
many are booked in each slot of time; the slots themselves, on UK wall-clock time.

A bar is one loan line that holds stock (``LoanLine.holds_stock``): requested, approved
or out, as the availability rules count it (``app.catalogue.availability``). A line out
past its due time is overdue and holds its kit until it comes back, so its bar runs on
to the end of the window drawn. Bookings are read only for the rows asked for (the rows
on screen), in one query.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row, Select, func, or_, select

from app.core.clock import UK, now_utc, today_uk
from app.storage.database import Database
from models import OUT_STATUSES, Agency, Loan, LoanLine, LoanStatus


class Zoom(enum.Enum):
    """How much time one column of the planner is."""

    HOURS = "hours"
    DAYS = "days"
    WEEKS = "weeks"

    @property
    def wider(self) -> Zoom:
        order = list(Zoom)
        return order[min(order.index(self) + 1, len(order) - 1)]

    @property
    def narrower(self) -> Zoom:
        order = list(Zoom)
        return order[max(order.index(self) - 1, 0)]


# How many columns a planner shows at each zoom, by default: two days of hours, eight
# weeks of days, half a year of weeks.
DEFAULT_COLUMNS = {Zoom.HOURS: 48, Zoom.DAYS: 56, Zoom.WEEKS: 26}


class BarState(enum.Enum):
    """Where a booking stands, as its bar's colour says."""

    REQUESTED = "requested"
    APPROVED = "approved"
    OUT = "out"
    OVERDUE = "overdue"
    RECALLED = "recalled"
    RETURNED = "returned"  # history: out then, back since


# Which state a slot of pooled stock shows when several bookings share it: the most urgent.
URGENCY = (
    BarState.OVERDUE,
    BarState.RECALLED,
    BarState.OUT,
    BarState.APPROVED,
    BarState.REQUESTED,
    BarState.RETURNED,
)

BAR_WORDS = {
    BarState.REQUESTED: "Requested",
    BarState.APPROVED: "Approved",
    BarState.OUT: "Out",
    BarState.OVERDUE: "Overdue",
    BarState.RECALLED: "Recalled",
    BarState.RETURNED: "Returned",
}


class RowKind(enum.Enum):
    ITEM = "item"
    KIT = "kit"


@dataclass(frozen=True)
class PlanRow:
    """One row of the planner: an item (a pool counts its stock) or a kit (its loans)."""

    kind: RowKind
    id: int
    tag: str  # the asset tag, or the kit's owner code
    name: str
    is_pooled: bool = False
    quantity: int = 1

    @property
    def key(self) -> tuple[RowKind, int]:
        return (self.kind, self.id)

    @property
    def is_kit(self) -> bool:
        return self.kind is RowKind.KIT

    @property
    def label(self) -> str:
        if self.is_kit:
            return f"Kit: {self.name} ({self.tag})"
        return f"{self.tag}  {self.name}" + (f"  ({self.quantity})" if self.is_pooled else "")


@dataclass(frozen=True)
class Slot:
    """One column: [start, end) in UTC, with the UK wall-clock day it begins on."""

    start: datetime
    end: datetime
    day: date


@dataclass(frozen=True)
class Bar:
    """One booking of one item: a loan line holding stock."""

    loan_id: int
    state: BarState
    borrower: str
    borrower_code: str
    starts_at: datetime
    ends_at: datetime  # the due time (recall time once recalled); if overdue, open-ended
    quantity: int  # still held: taken less any come back

    @property
    def label(self) -> str:
        words = f"{self.borrower} ({BAR_WORDS[self.state].lower()})"
        return f"{self.quantity} × {words}" if self.quantity > 1 else words

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.starts_at < end and self.ends_at > start


def slots(first_day: date, zoom: Zoom, count: int, *, first_hour: int = 0) -> list[Slot]:
    """``count`` columns from ``first_day`` (at ``first_hour`` for hours), on UK time:
    a day is midnight to midnight however long (23 or 25 hours when the clocks change),
    a week Monday to Monday, an hour an hour of real time."""
    found: list[Slot] = []
    if zoom is Zoom.HOURS:
        start = _uk_midnight(first_day) + timedelta(hours=first_hour)
        for n in range(count):
            begins = start + timedelta(hours=n)
            found.append(Slot(begins, begins + timedelta(hours=1), today_uk(begins)))
        return found
    day = first_day - timedelta(days=first_day.weekday()) if zoom is Zoom.WEEKS else first_day
    step = timedelta(days=7 if zoom is Zoom.WEEKS else 1)
    for _ in range(count):
        following = day + step
        found.append(Slot(_uk_midnight(day), _uk_midnight(following), day))
        day = following
    return found


def _uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UK).astimezone(UTC)


def bar_state(
    status: LoanStatus, due: datetime, recalled_at: datetime | None, now: datetime
) -> BarState:
    """Where a booking stands: ``due`` is the loan's effective due time (the recall's)."""
    if status is LoanStatus.RETURNED:
        return BarState.RETURNED
    if status in OUT_STATUSES:
        if due < now:
            return BarState.OVERDUE
        return BarState.RECALLED if recalled_at is not None else BarState.OUT
    return BarState.APPROVED if status is LoanStatus.APPROVED else BarState.REQUESTED


def bookings(
    db: Database,
    item_ids: Iterable[int],
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
) -> dict[int, tuple[Bar, ...]]:
    """Each item's bars that touch [start, end), in the order they start."""
    wanted = sorted(set(item_ids))
    if not wanted:
        return {}
    found: dict[int, list[Bar]] = {item_id: [] for item_id in wanted}
    moment = now or now_utc()
    with db.read() as session:
        for line in session.execute(_lines_touching(wanted, start, end)):
            bar = _bar_of(line, start, end, moment)
            if bar is not None:
                found[line.item_id].append(bar)
    return {item_id: tuple(bars) for item_id, bars in found.items()}


def _lines_touching(wanted: list[int], start: datetime, end: datetime) -> Select[*tuple[Any, ...]]:
    """The loan lines of ``wanted`` items that may touch [start, end), as plain columns
    (a screen of rows asks for hundreds of lines, not ORM objects)."""
    # Kit out past its due time holds its stock until it comes back, however long ago
    # its line ended: every line still out is read, and kept if it reaches in.
    reaches = or_(LoanLine.ends_at > start, Loan.status.in_(OUT_STATUSES))
    return (
        select(
            Loan.returned_at,
            LoanLine.item_id,
            LoanLine.starts_at,
            LoanLine.ends_at,
            LoanLine.quantity,
            LoanLine.quantity_returned,
            Loan.id.label("loan_id"),
            Loan.status,
            Loan.due_at,
            Loan.recalled_at,
            Loan.recall_due_at,
            Agency.name,
            Agency.code,
        )
        .join(Loan, Loan.id == LoanLine.loan_id)
        .join(Agency, Agency.id == Loan.borrower_agency_id)
        .where(
            LoanLine.item_id.in_(wanted),
            # What holds stock now or later, and what was out and has come back (the
            # history, drawn in grey); never what was declined or called off.
            or_(LoanLine.holds_stock.is_(True), Loan.status == LoanStatus.RETURNED),
            LoanLine.starts_at < end,
            reaches,
        )
        .order_by(LoanLine.starts_at, LoanLine.id)
    )


def _bar_of(line: Row[Any], start: datetime, end: datetime, now: datetime) -> Bar | None:
    """The bar a loan line draws over [start, end), if it reaches in."""
    state = bar_state(line.status, line.recall_due_at or line.due_at, line.recalled_at, now)
    # Overdue kit holds its stock until it comes back, as "free" says elsewhere: its bar
    # runs on through the window asked about.
    ends = max(line.ends_at, end) if state is BarState.OVERDUE else line.ends_at
    if line.recall_due_at is not None and state is not BarState.OVERDUE:
        ends = min(ends, line.recall_due_at)
    held = line.quantity - line.quantity_returned
    if state is BarState.RETURNED:
        ends = line.returned_at or line.ends_at
        held = line.quantity  # what it held while it was out
    if not (line.starts_at < end and ends > start):
        return None
    return Bar(
        loan_id=line.loan_id,
        state=state,
        borrower=line.name,
        borrower_code=line.code,
        starts_at=line.starts_at,
        ends_at=ends,
        quantity=held,
    )


def booked_in(bars: Sequence[Bar], slot: Slot) -> int:
    """The most units booked at any one moment of ``slot``: for pooled stock, how many
    of the pool are taken then (a slot is free of it when this is 0)."""
    events: list[tuple[datetime, int]] = []
    for bar in bars:
        if bar.overlaps(slot.start, slot.end):
            events.append((max(bar.starts_at, slot.start), bar.quantity))
            if bar.ends_at < slot.end:
                events.append((bar.ends_at, -bar.quantity))
    running = peak = 0
    # Ends before starts at the same moment: a booking may begin as another ends.
    for _, change in sorted(events, key=lambda event: (event[0], event[1])):
        running += change
        peak = max(peak, running)
    return peak


def most_urgent(bars: Sequence[Bar], slot: Slot) -> BarState | None:
    """The state a slot of pooled stock is drawn in: that of its most urgent booking."""
    states = {bar.state for bar in bars if bar.overlaps(slot.start, slot.end)}
    return next((state for state in URGENCY if state in states), None)


def kit_bookings(
    db: Database,
    kit_ids: Iterable[int],
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
) -> dict[int, tuple[Bar, ...]]:
    """Each kit's loans that touch [start, end): a bar from the first member out to the
    last one due, in the loan's state."""
    wanted = sorted(set(kit_ids))
    if not wanted:
        return {}
    moment = now or now_utc()
    statement = (
        select(
            Loan.kit_id,
            Loan.id,
            Loan.status,
            Loan.due_at,
            Loan.recalled_at,
            Loan.recall_due_at,
            Loan.returned_at,
            Agency.name,
            Agency.code,
            func.min(LoanLine.starts_at),
            func.max(LoanLine.ends_at),
        )
        .join(LoanLine, LoanLine.loan_id == Loan.id)
        .join(Agency, Agency.id == Loan.borrower_agency_id)
        .where(
            Loan.kit_id.in_(wanted),
            or_(LoanLine.holds_stock.is_(True), Loan.status == LoanStatus.RETURNED),
            LoanLine.starts_at < end,
            or_(LoanLine.ends_at > start, Loan.status.in_(OUT_STATUSES)),
        )
        .group_by(Loan.id, Agency.id)
        .order_by(func.min(LoanLine.starts_at), Loan.id)
    )
    found: dict[int, list[Bar]] = {kit_id: [] for kit_id in wanted}
    with db.read() as session:
        for (
            kit_id,
            loan_id,
            status,
            due,
            recalled,
            recall_due,
            back_at,
            name,
            code,
            first,
            last,
        ) in session.execute(statement):
            state = bar_state(status, recall_due or due, recalled, moment)
            ends = max(last, end) if state is BarState.OVERDUE else last
            if state is BarState.RETURNED:
                ends = back_at or last
            if first < end and ends > start and kit_id is not None:
                found[kit_id].append(Bar(loan_id, state, name, code, first, ends, 1))
    return {kit_id: tuple(bars) for kit_id, bars in found.items()}


def row_bookings(
    db: Database,
    rows: Sequence[PlanRow],
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
) -> dict[tuple[RowKind, int], tuple[Bar, ...]]:
    """The bars of each row, items and kits alike, keyed by ``PlanRow.key``."""
    items = bookings(db, [r.id for r in rows if not r.is_kit], start, end, now=now)
    kits = kit_bookings(db, [r.id for r in rows if r.is_kit], start, end, now=now)
    found: dict[tuple[RowKind, int], tuple[Bar, ...]] = {}
    for row in rows:
        found[row.key] = (kits if row.is_kit else items).get(row.id, ())
    return found


# The most rows one request asks for: beyond, a kit is the way.
MOST_ROWS_ASKED = 20


def request_refusal(rows: Sequence[PlanRow]) -> str | None:
    """Why the planner's rows chosen cannot be asked for in one request, and what to do;
    None if they can. The loan's own rules (one lender, protocols, stock) are the form's."""
    if len(rows) > 1 and any(row.is_kit for row in rows):
        return (
            f"{len(rows)} rows are chosen, a kit among them: a kit is asked for on its own. "
            "Choose the kit's row alone (an arrow without Shift), or the items without it."
        )
    if len(rows) > MOST_ROWS_ASKED:
        return (
            f"{len(rows)} rows are chosen: one request asks for at most {MOST_ROWS_ASKED} "
            "items. Choose fewer rows with Shift and the arrows, or define a kit of them."
        )
    return None
