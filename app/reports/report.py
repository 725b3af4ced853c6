"""What a report is: a table (typed columns and rows of plain values), a chart where a
picture says it better, and notes on how the figures were worked out; and how its
values are shown (``display``) and saved (CSV, a workbook, JSON). The window, the PDF
and the command line all take a ``Report``, so every figure has one source.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.core.clock import format_date, format_datetime
from app.core.money import format_pence
from app.reports.period import Period

Value = str | int | float | date | None


class ColumnKind(enum.Enum):
    TEXT = "text"
    COUNT = "count"  # a whole number
    DAYS = "days"  # a number of days, may be fractional
    PERCENT = "percent"  # a fraction, 0.25 shown as 25%
    MONEY = "money"  # pence, shown as £1,234.56
    DATE = "date"  # shown DD/MM/YYYY


@dataclass(frozen=True)
class Column:
    title: str
    kind: ColumnKind = ColumnKind.TEXT


class ChartKind(enum.Enum):
    BARS = "bars"  # one bar per category; several series side by side
    STACKED = "stacked"  # one bar per category, series stacked
    HORIZONTAL = "horizontal"  # one horizontal bar per category (long labels)


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]  # one per chart category


@dataclass(frozen=True)
class Chart:
    """A chart's values are in the unit of ``value_kind``, as a table's cells are: pence
    for MONEY, a fraction for PERCENT; ``display(value, value_kind)`` labels them."""

    kind: ChartKind
    categories: tuple[str, ...]  # the bar labels: months, category names, items
    series: tuple[Series, ...]
    value_title: str  # the axis title: "Loans", "Utilisation", "£"
    value_kind: ColumnKind = ColumnKind.COUNT  # how to label the axis


def chart_of(
    kind: ChartKind,
    categories: Iterable[str],
    series: Iterable[Series],
    value_title: str,
    value_kind: ColumnKind = ColumnKind.COUNT,
) -> Chart | None:
    """A chart of ``series`` over ``categories``; None when there are no categories, as a
    report with no rows draws no chart."""
    bars = tuple(categories)
    return Chart(kind, bars, tuple(series), value_title, value_kind) if bars else None


def tally_chart(
    value_title: str, series: Sequence[tuple[str, Sequence[str]]], *, most_first: bool = False
) -> Chart | None:
    """Bars that count how often each name stands in each series' list (loans per
    borrower, inspections per owner), one bar per name: A to Z, or ``most_first``."""
    tallies = [Counter(names) for _title, names in series]
    total = sum(tallies, Counter[str]())
    names = sorted(total, key=lambda name: (-total[name] if most_first else 0, name.casefold()))
    return chart_of(
        ChartKind.BARS,
        names,
        (
            Series(title, tuple(float(tally[name]) for name in names))
            for (title, _names), tally in zip(series, tallies, strict=True)
        ),
        value_title,
    )


class ReportKey(enum.Enum):
    LOANS_PER_MONTH = "loans-per-month"
    UTILISATION = "utilisation"
    MOST_LENT = "most-lent"
    LEAST_LENT = "least-lent"
    OVERDUE = "overdue"
    INSPECTIONS_DUE = "inspections-due"
    QUALIFICATIONS_EXPIRING = "qualifications-expiring"
    VALUE_OF_SHARING = "value-of-sharing"


@dataclass(frozen=True)
class Report:
    key: ReportKey
    title: str
    subtitle: str  # e.g. "01/01/2026 to 30/06/2026 · all agencies"
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    chart: Chart | None
    notes: tuple[str, ...] = ()  # how a figure was worked out, what was left out
    totals: tuple[Value, ...] | None = None  # a totals row, if the report has one
    # The period the figures cover (None for reports about now or the days ahead).
    period: Period | None = None


def _number(value: float, places: int = 1) -> str:
    """1,234.5 with at most ``places`` decimals, and none for a whole number."""
    text = f"{value:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def display(value: Value, kind: ColumnKind) -> str:
    """A value as the window and the PDF show it (British formats)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        if isinstance(value, datetime):
            return format_datetime(value)
        return format_date(value)
    if kind is ColumnKind.COUNT:
        return f"{round(value):,}"
    if kind is ColumnKind.DAYS:
        text = _number(value)
        return f"{text} day" if text == "1" else f"{text} days"
    if kind is ColumnKind.PERCENT:
        return f"{_number(value * 100)}%"
    if kind is ColumnKind.MONEY:
        return format_pence(round(value))
    if isinstance(value, float):
        return _number(value, 2)
    return str(value)


def _plain(value: Value, kind: ColumnKind, *, typed: bool) -> object:
    """A value for a spreadsheet: numbers without units or thousands separators.

    ``typed`` (a workbook) keeps numbers as numbers; CSV gets fixed decimals as text.
    """
    if value is None or isinstance(value, str | date):
        return value
    if kind is ColumnKind.MONEY:
        pounds = round(value) / 100
        return pounds if typed else f"{pounds:.2f}"
    if kind is ColumnKind.PERCENT:
        percent = round(value * 100, 1)
        return percent if typed else f"{percent:.1f}"
    if kind is ColumnKind.DAYS:
        days = round(value, 2)
        return days if typed else f"{days:.2f}"
    if kind is ColumnKind.COUNT:
        return round(value)
    return value


def report_table(report: Report, *, typed: bool = False) -> list[list[object]]:
    """The report's rows, then its totals row, as a spreadsheet holds them: money in pounds
    with two decimals, percentages as numbers (25.0), days to two decimals."""
    lines = [*report.rows, *((report.totals,) if report.totals is not None else ())]
    return [
        [
            _plain(value, column.kind, typed=typed)
            for value, column in zip(line, report.columns, strict=True)
        ]
        for line in lines
    ]


def write_report_csv(report: Report, path: Path) -> int:
    """The report as CSV (UTF-8 with BOM), via ``app.transfer.tabular``; returns the rows written.

    A clean table that opens straight into a spreadsheet: the column titles, the rows and
    the totals row. A path ending .xlsx gets a workbook with the numbers kept as numbers.
    """
    from app.transfer.writing import write_table

    typed = path.suffix.lower() == ".xlsx"
    return write_table(
        path, [column.title for column in report.columns], report_table(report, typed=typed)
    )


def report_json(report: Report) -> dict[str, Any]:
    """The report for ``--json``: raw values (pence, fractions, ISO dates) and their kinds."""

    def plain(value: Value) -> object:
        return value.isoformat() if isinstance(value, date) else value

    return {
        "key": report.key.value,
        "title": report.title,
        "subtitle": report.subtitle,
        "period": None
        if report.period is None
        else {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()},
        "columns": [{"title": c.title, "kind": c.kind.value} for c in report.columns],
        "rows": [[plain(v) for v in row] for row in report.rows],
        "totals": None if report.totals is None else [plain(v) for v in report.totals],
        "notes": list(report.notes),
    }
