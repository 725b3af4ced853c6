"""Dates in a file, and the order each column writes them in.

"3/1/2023" is 3 January in the UK and 1 March in the US, so each date column's order
is decided from the whole column (``date_column``): a value only one order fits
(25/08/2022, or 8/25/22) settles it; with none, the UK order is used and the dry run
says so; the person may choose the order. Only a column with values that fit only one
order, values that fit only the other, and values that fit both is refused, on the rows
that could be read either way. Dates written YYYY-MM-DD, and a workbook's date cells
(read as YYYY-MM-DD by ``app.transfer.tabular``), are read as they are.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from app.core.clock import format_date, today_uk
from app.transfer.fields import Kind
from app.transfer.tabular import Table, rows_text
from app.transfer.values import Unreadable

# The earliest date an import takes: an earlier one is a typing slip.
EARLIEST_YEAR = 1900


class DateOrder(enum.Enum):
    """How a date such as 3/1/2023 is read: 3 January (day first, the UK's order) or
    1 March (month first, the US's)."""

    DAY_FIRST = "day-first"
    MONTH_FIRST = "month-first"

    @property
    def words(self) -> str:
        return "day/month/year" if self is DateOrder.DAY_FIRST else "month/day/year"

    @property
    def other(self) -> DateOrder:
        return DateOrder.MONTH_FIRST if self is DateOrder.DAY_FIRST else DateOrder.DAY_FIRST


class DateBasis(enum.Enum):
    """What decided a column's date order."""

    FILE = "file"  # a value in the column fits only that order
    CHOSEN = "chosen"  # the person chose it
    ASSUMED = "assumed"  # nothing settles it: the UK order
    EACH = "each"  # values fit only one order, others only the other: each its own


@dataclass(frozen=True)
class DateReading:
    """How the dates of one column were read, with one of them as an example."""

    column: str  # the file's heading
    order: DateOrder | None  # None: each value in the only order it fits (EACH)
    basis: DateBasis
    example: str
    example_read: date | None
    # For EACH: the rows only day/month/year fits, those only month/day/year fits, and
    # how many both fit (refused: they could be either of two days).
    day_first_rows: tuple[int, ...] = ()
    month_first_rows: tuple[int, ...] = ()
    either: int = 0

    @property
    def sentence(self) -> str:
        """What the dry run says about the column."""
        # An example read, unless none could be (its row says why).
        eg = (
            f", e.g. {self.example} → {format_date(self.example_read)}" if self.example_read else ""
        )
        if self.basis is DateBasis.EACH:
            said = (
                f"{self.column} has dates only day/month/year fits "
                f"({rows_text(self.day_first_rows)}) and dates only month/day/year fits "
                f"({rows_text(self.month_first_rows)}); each is read the one way it fits"
            )
            if not self.either:
                return said + "."
            both = "1 date that fits" if self.either == 1 else f"{self.either:,} dates that fit"
            return (
                f"{said}, and the {both} both cannot be read until you choose the order the "
                "file uses."
            )
        assert self.order is not None
        said = f"{self.column} read as {self.order.words}"
        if self.basis is DateBasis.CHOSEN:
            return f"{said}, as chosen{eg}."
        if self.basis is DateBasis.FILE:
            return f"{said}{eg} ({self.example} fits no other order)."
        return (
            f"{said}{eg}: no date in the column fits only one order, so the UK order is used. "
            "If the file comes from a US system (Snipe-IT, say), read it as month/day/year "
            "instead."
        )


# A date with the day and month either way round, and a year of four digits or two.
_SLASHED = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})")
_YEAR_MONTH_DAY = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})")
# A whole number as a spreadsheet counts days (1 is 01/01/1900; 2958465 is 31/12/9999).
_DAY_COUNT = re.compile(r"\d{1,7}(\.0+)?")
_SPREADSHEET_DAY_ZERO = date(1899, 12, 30)


def _date_text(value: str) -> str:
    """The date part of a cell: a time after it ("14/03/2024 09:30") is ignored."""
    return value.strip().replace("T", " ").split(" ")[0]


def _year(digits: str, today: date) -> int:
    """A year as written; two digits are the latest such year not after ``today``'s
    year ("22" is 2022; in 2026, "27" is 1927): dates an import reads are in the past."""
    year = int(digits)
    if len(digits) == 2:
        year += 2000 if 2000 + year <= today.year else 1900
    return year


def _either_way(head: str) -> tuple[int, int] | None:
    """The two leading numbers of a slashed date that both orders fit, as read day
    first and month first would differ; None if the value is not such a date."""
    found = _SLASHED.fullmatch(head)
    if found is None:
        return None
    first, second = int(found[1]), int(found[2])
    if 1 <= first <= 12 and 1 <= second <= 12 and first != second:
        return first, second
    return None


def _fits(head: str) -> DateOrder | None:
    """The one order a slashed date fits (25/08/2022: day first; 8/25/22: month
    first); None if it fits both, neither, or is not such a date."""
    found = _SLASHED.fullmatch(head)
    if found is None:
        return None
    first, second = int(found[1]), int(found[2])
    if first > 12 and 1 <= second <= 12:
        return DateOrder.DAY_FIRST
    if second > 12 and 1 <= first <= 12:
        return DateOrder.MONTH_FIRST
    return None


def day(
    value: str,
    label: str,
    *,
    order: DateOrder = DateOrder.DAY_FIRST,
    today: date | None = None,
) -> date:
    """A date as YYYY-MM-DD, or with day and month in ``order`` (DD/MM/YYYY, or with
    - or ., or a two-digit year); a time after it is ignored."""
    head = _date_text(value)
    if found := _YEAR_MONTH_DAY.fullmatch(head):
        year, month, day_ = int(found[1]), int(found[2]), int(found[3])
    elif found := _SLASHED.fullmatch(head):
        first, second = int(found[1]), int(found[2])
        day_, month = (first, second) if order is DateOrder.DAY_FIRST else (second, first)
        if month > 12 and day_ <= 12:
            raise Unreadable(
                f"{label} “{value}” cannot be read as {order.words}, the order its column "
                f"is read in: there is no month {month}. Correct it, or read the column as "
                f"{order.other.words} if that is how the file writes its dates."
            )
        year = _year(found[3], today or today_uk())
    else:
        raise Unreadable(_not_a_date(value, label))
    try:
        read = date(year, month, day_)
    except ValueError:
        raise Unreadable(
            f"{label} “{value}” is not a real date; check the day and month "
            f"({'DD/MM/YYYY' if order is DateOrder.DAY_FIRST else 'MM/DD/YYYY'})."
        ) from None
    if read.year < EARLIEST_YEAR:
        raise Unreadable(
            f"{label} “{value}” is before {EARLIEST_YEAR}; check the year, and give it "
            "with all four digits."
        )
    return read


def _not_a_date(value: str, label: str) -> str:
    head = _date_text(value)
    if _DAY_COUNT.fullmatch(head) and 0 < float(head) < 2_958_466:
        counted = _SPREADSHEET_DAY_ZERO + timedelta(days=int(float(head)))
        return (
            f"{label} “{value}” is a number, not a date: a spreadsheet counting days would "
            f"show it as {format_date(counted)}. Format the column as dates in your "
            "spreadsheet (or type the date as DD/MM/YYYY), save the file and import it again."
        )
    return (
        f"{label} “{value}” is not a date Kit Share understands; give it as DD/MM/YYYY "
        "(e.g. 21/11/2024) or YYYY-MM-DD, or leave it blank."
    )


# The fields that hold dates, by kind: their order is read from the whole column.
DATE_FIELDS = {Kind.ITEMS: ("acquired_on",), Kind.PEOPLE: ()}

_DATE_LABELS = {"acquired_on": "The date acquired"}


@dataclass
class _DateScan:
    """What one column's slashed dates say about their order."""

    only: dict[DateOrder, list[int]]  # the rows only that order fits
    examples: dict[DateOrder, str]  # the first value only that order fits
    # The first slashed value either order fits, or else the first slashed value at all.
    candidates: list[str]
    either: int = 0  # how many values fit both orders


def _scan_dates(table: Table, index: int) -> _DateScan:
    scan = _DateScan({DateOrder.DAY_FIRST: [], DateOrder.MONTH_FIRST: []}, {}, [])
    first_either: str | None = None
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        value = cells[index].strip()
        head = _date_text(value)
        if not head or _SLASHED.fullmatch(head) is None:
            continue
        if not scan.candidates:
            scan.candidates.append(value)
        fit = _fits(head)
        if fit is not None:
            scan.only[fit].append(number)
            scan.examples.setdefault(fit, value)
        elif _either_way(head) is not None:
            scan.either += 1
            first_either = first_either or value
    if first_either is not None:
        scan.candidates.insert(0, first_either)
    return scan


def date_column(
    table: Table,
    key: str,
    *,
    index: int | None,
    column: str,
    chosen: DateOrder | None,
    today: date,
) -> tuple[DateReading | None, Callable[[str], date]]:
    """How the dates of field ``key`` are read, from the file's column ``index`` headed
    ``column`` (None: not mapped): the order from the whole column (or as ``chosen``),
    said as a ``DateReading`` (None when no date in it is slashed: ISO dates and a
    workbook's date cells need no order), and the parser that reads them."""
    label = _DATE_LABELS[key]
    plain = partial(day, label=label, order=chosen or DateOrder.DAY_FIRST, today=today)
    scan = _scan_dates(table, index) if index is not None else None
    if scan is None or not scan.candidates:
        return None, plain
    day_rows, month_rows = scan.only[DateOrder.DAY_FIRST], scan.only[DateOrder.MONTH_FIRST]
    if chosen is None and day_rows and month_rows:
        reading = DateReading(
            column,
            None,
            DateBasis.EACH,
            scan.examples[DateOrder.MONTH_FIRST],
            None,
            tuple(day_rows),
            tuple(month_rows),
            scan.either,
        )
        return reading, partial(_each_way, label=label, reading=reading, today=today)
    candidates = scan.candidates
    if chosen is not None:
        order, basis = chosen, DateBasis.CHOSEN
    elif month_rows or day_rows:
        order = DateOrder.MONTH_FIRST if month_rows else DateOrder.DAY_FIRST
        basis = DateBasis.FILE
        candidates = [scan.examples[order]]
    else:
        order, basis = DateOrder.DAY_FIRST, DateBasis.ASSUMED
    parse = partial(day, label=label, order=order, today=today)
    example, example_read = candidates[0], None
    for candidate in candidates:
        try:
            example, example_read = candidate, parse(candidate)
            break
        except Unreadable:
            continue
    return DateReading(column, order, basis, example, example_read), parse


def _each_way(value: str, *, label: str, reading: DateReading, today: date) -> date:
    """A date of a column written both ways: in the one order it fits, or refused if it
    fits both (it could be either of two days)."""
    head = _date_text(value)
    if _either_way(head) is not None:
        one = day(value, label, order=DateOrder.DAY_FIRST, today=today)
        other = day(value, label, order=DateOrder.MONTH_FIRST, today=today)
        raise Unreadable(
            f"{reading.column} has dates only day/month/year fits "
            f"({rows_text(reading.day_first_rows)}) and dates only month/day/year fits "
            f"({rows_text(reading.month_first_rows)}), so “{value}” could be "
            f"{format_date(one)} or {format_date(other)}. Write it as YYYY-MM-DD, or choose "
            "the order the file uses, and import the file again."
        )
    return day(value, label, order=_fits(head) or DateOrder.DAY_FIRST, today=today)
