"""Reports on what sharing achieves: the figures a partnership board and a station ask for.

Each report is built from the database as a ``Report``: a table (columns and rows of
plain values) and, where a picture says it better, a ``Chart`` for the window and the
PDF to draw. The same ``Report`` exports to CSV, so every figure has one source.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.database import Database

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
    kind: ChartKind
    categories: tuple[str, ...]  # the bar labels: months, category names, items
    series: tuple[Series, ...]
    value_title: str  # the axis title: "Loans", "Utilisation", "£"
    value_kind: ColumnKind = ColumnKind.COUNT  # how to label the axis


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
class ReportSpec:
    key: ReportKey
    title: str
    description: str  # one sentence for the window's list
    uses_period: bool  # False for "now" reports (overdue) and look-ahead ones


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included."""

    start: date
    end: date


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


def report_specs() -> tuple[ReportSpec, ...]:
    """Every report, in the order the window lists them."""
    raise NotImplementedError


def build_report(
    db: Database,
    key: ReportKey,
    period: Period,
    *,
    agency_id: int | None = None,
    today: date | None = None,
) -> Report:
    """The report ``key`` over ``period`` (ignored by reports that don't use one)."""
    raise NotImplementedError


def display(value: Value, kind: ColumnKind) -> str:
    """A value as the window and the PDF show it (British formats)."""
    raise NotImplementedError


def write_report_csv(report: Report, path: Path) -> int:
    """The report as CSV (UTF-8 with BOM), via ``app.tabular``; returns the rows written."""
    raise NotImplementedError
