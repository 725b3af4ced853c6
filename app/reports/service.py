"""Reports on what sharing achieves: the figures a partnership board and a station ask for.

Each report is built from the database as a ``Report``: a table (columns and rows of
plain values) and, where a picture says it better, a ``Chart`` for the window and the
PDF to draw. The same ``Report`` exports to CSV, so every figure has one source.

How kit counts as lent, throughout: a loan lends its kit from the moment it was handed
over (``issued_at``) until the whole loan came back (``returned_at``), or until now if it
is still out. Requests never issued, declined and cancelled loans lend nothing. Each
line counts its quantity, so three units of a pool out for two days are six days lent.
The sums are worked out in SQL (days between two moments, clipped to the period), so
tens of thousands of loans cost one query per report rather than one per loan.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session, aliased

from app.core.clock import (
    UK,
    add_months,
    day_problem,
    format_date,
    format_datetime,
    now_utc,
    today_uk,
)
from app.core.errors import NotFound, Refusal, Refused
from app.storage.database import Database
from models import (
    Agency,
    AuditEvent,
    Category,
    EquipmentItem,
    ItemStatus,
    Loan,
    LoanLine,
    LoanStatus,
    Person,
)
from models.base import UtcDateTime

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
    # The period the figures cover (None for reports about now or the days ahead).
    period: Period | None = None


# -- the rules the figures follow ------------------------------------------------------------

# Where an item has no daily hire rate, a day's loan is valued at this share of its
# replacement value: 1% a day is a common rule of thumb in the plant and equipment hire
# trade (a month's hire costs about a third of the price of the kit).
REPLACEMENT_VALUE_DAILY_SHARE = 0.01
# How far ahead "Inspections due" and "Qualifications expiring" look, in days: the same
# span the Inspections and People views use for "due soon".
LOOK_AHEAD_DAYS = 30
# How many items "Most lent" and "Least lent" show.
TOP_ITEMS = 10
# The longest period a report covers: a month-by-month table longer than this is no
# longer something a person reads.
MAX_PERIOD_YEARS = 20
# The loans that lent kit: issued, and out or back.
LENT_STATUSES = (LoanStatus.ISSUED, LoanStatus.PARTLY_RETURNED, LoanStatus.RETURNED)
# The financial year of UK public bodies starts on 1 April.
FINANCIAL_YEAR_START_MONTH = 4

ALL_AGENCIES = "all agencies"
LONGEST_CHART_LABEL = 40


def report_specs() -> tuple[ReportSpec, ...]:
    """Every report, in the order the window lists them."""
    return (
        ReportSpec(
            ReportKey.LOANS_PER_MONTH,
            "Loans per month",
            "Loans handed over each month, by borrowing agency.",
            uses_period=True,
        ),
        ReportSpec(
            ReportKey.UTILISATION,
            "Utilisation by category",
            "How much of the time each kind of kit was out on loan.",
            uses_period=True,
        ),
        ReportSpec(
            ReportKey.MOST_LENT,
            "Most lent kit",
            f"The {TOP_ITEMS} items lent for the most days.",
            uses_period=True,
        ),
        ReportSpec(
            ReportKey.LEAST_LENT,
            "Least lent kit",
            f"The {TOP_ITEMS} items lent for the fewest days, including kit never lent.",
            uses_period=True,
        ),
        ReportSpec(
            ReportKey.OVERDUE,
            "Overdue now",
            "Loans out past their due time, longest overdue first.",
            uses_period=False,
        ),
        ReportSpec(
            ReportKey.INSPECTIONS_DUE,
            "Inspections due",
            f"Inspections overdue, never done or failed, and those due in the next "
            f"{LOOK_AHEAD_DAYS} days.",
            uses_period=False,
        ),
        ReportSpec(
            ReportKey.QUALIFICATIONS_EXPIRING,
            "Qualifications expiring",
            f"Qualifications that lapse in the next {LOOK_AHEAD_DAYS} days and have not "
            "been renewed.",
            uses_period=False,
        ),
        ReportSpec(
            ReportKey.VALUE_OF_SHARING,
            "Estimated value of sharing",
            "What the kit lent to other agencies would have cost to hire, by lender and borrower.",
            uses_period=True,
        ),
    )


def report_spec(key: ReportKey) -> ReportSpec:
    """The list entry for ``key``."""
    return next(spec for spec in report_specs() if spec.key is key)


def report_key(text: str) -> ReportKey:
    """The report ``text`` names (its key, e.g. ``utilisation``); raises ``NotFound``."""
    wanted = text.strip().lower().replace("_", "-").replace(" ", "-")
    for key in ReportKey:
        if key.value == wanted:
            return key
    known = ", ".join(key.value for key in ReportKey)
    raise NotFound(
        f"There is no report called “{text.strip()}”. The reports are: {known}. "
        "`kitshare-admin report --list` says what each one shows."
    )


def financial_year_start(day: date) -> date:
    """1 April of the financial year ``day`` falls in."""
    year = day.year if day.month >= FINANCIAL_YEAR_START_MONTH else day.year - 1
    return date(year, FINANCIAL_YEAR_START_MONTH, 1)


def default_period(today: date) -> Period:
    """The financial year so far: from 1 April to ``today``, both included."""
    return Period(financial_year_start(today), today)


def check_period(period: Period) -> None:
    """Refuse a period that ends before it starts, one too long to read, or one outside
    the years Kit Share takes."""
    out_of_range = [
        Refusal("period", problem, "period")
        for day, what in ((period.start, "start of the period"), (period.end, "end of the period"))
        if (problem := day_problem(day, what))
    ]
    if out_of_range:
        raise Refused(out_of_range)
    if period.start > period.end:
        raise Refused(
            [
                Refusal(
                    "period",
                    f"The period starts on {format_date(period.start)}, after it ends on "
                    f"{format_date(period.end)}: choose a start on or before the end.",
                    "period",
                )
            ]
        )
    if period.end > add_months(period.start, 12 * MAX_PERIOD_YEARS):
        raise Refused(
            [
                Refusal(
                    "period",
                    f"A report covers at most {MAX_PERIOD_YEARS} years; "
                    f"{format_date(period.start)} to {format_date(period.end)} is longer. "
                    "Choose a shorter period.",
                    "period",
                )
            ]
        )


# -- building a report ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What one report is built for: the period as moments, now, and whose kit."""

    period: Period
    start: datetime  # the period's first moment (UK midnight), aware
    end: datetime  # just after the period's last day (UK midnight), aware
    now: datetime
    today: date
    agency_id: int | None
    agency: str  # the agency's name, or "" for all

    @property
    def until(self) -> datetime:
        """Where counting stops: the period's end, or now if that comes first."""
        return min(self.end, self.now)

    @property
    def runs_past_today(self) -> bool:
        return self.period.end > self.today

    def scope(self, limited: str) -> str:
        """The subtitle's second half: ``limited`` names the agency's part."""
        return limited.format(agency=self.agency) if self.agency_id is not None else ALL_AGENCIES

    def period_subtitle(self, limited: str) -> str:
        period = f"{format_date(self.period.start)} to {format_date(self.period.end)}"
        return f"{period} · {self.scope(limited)}"


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UK)


def build_report(
    db: Database,
    key: ReportKey,
    period: Period,
    *,
    agency_id: int | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> Report:
    """The report ``key`` over ``period`` (ignored by reports that don't use one).

    ``agency_id`` limits the report to one agency: its kit, as owner, for most reports;
    the loans it borrowed for "Loans per month"; loans to or from it for "Overdue now";
    its people for "Qualifications expiring". The subtitle says which.

    The present is ``now`` (default: this moment); ``today`` alone stands for midday of
    that day, so a report can be asked for "as it stood on" a day.
    """
    if now is None:
        now = now_utc()
        if today is not None and today != today_uk(now):
            now = datetime.combine(today, time(12), tzinfo=UK)
    day = today or today_uk(now)
    spec = report_spec(key)
    if spec.uses_period:
        check_period(period)
    context = _Context(
        period=period,
        start=_midnight(period.start),
        end=_midnight(period.end + timedelta(days=1)),
        now=now,
        today=day,
        agency_id=agency_id,
        agency=_agency_name(db, agency_id) if agency_id is not None else "",
    )
    if key is ReportKey.OVERDUE:
        return _overdue(db, context)
    if key is ReportKey.INSPECTIONS_DUE:
        return _inspections_due(db, context)
    if key is ReportKey.QUALIFICATIONS_EXPIRING:
        return _qualifications_expiring(db, context)
    builders = {
        ReportKey.LOANS_PER_MONTH: _loans_per_month,
        ReportKey.UTILISATION: _utilisation,
        ReportKey.MOST_LENT: _most_lent,
        ReportKey.LEAST_LENT: _least_lent,
        ReportKey.VALUE_OF_SHARING: _value_of_sharing,
    }
    with db.read() as session:
        report = builders[key](session, _Sql(db.dialect), context)
    if context.runs_past_today:
        report = replace(
            report,
            notes=(
                *report.notes,
                f"The period runs past today: its figures count up to now "
                f"({format_datetime(now)}), as the rest has not happened yet.",
            ),
        )
    return report


def _agency_name(db: Database, agency_id: int) -> str:
    with db.read() as session:
        agency = session.get(Agency, agency_id)
        if agency is None:
            raise NotFound(
                f"There is no agency with id {agency_id}; it may have been removed. "
                "Choose the agency again."
            )
        return agency.name


# -- SQL that differs between SQLite and PostgreSQL ------------------------------------------


@dataclass(frozen=True)
class _Sql:
    """The few expressions SQLite and PostgreSQL spell differently."""

    dialect: str

    @property
    def _sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def later(self, a: Any, b: Any) -> ColumnElement[Any]:
        """The later of two moments (SQLite's two-argument ``max`` is not an aggregate)."""
        return func.max(a, b) if self._sqlite else func.greatest(a, b)

    def earlier(self, a: Any, b: Any) -> ColumnElement[Any]:
        return func.min(a, b) if self._sqlite else func.least(a, b)

    def days(self, start: Any, end: Any) -> ColumnElement[Any]:
        """Days (fractional) from ``start`` to ``end``."""
        if self._sqlite:
            return cast(func.julianday(end) - func.julianday(start), Float)
        return cast(extract("epoch", end - start), Float) / 86400.0


def _at(moment: datetime) -> ColumnElement[datetime]:
    """A moment as a bound value stored the way the columns store theirs (naive UTC)."""
    return literal(moment, UtcDateTime())


@dataclass(frozen=True)
class _Lent:
    """A loan line's time on loan within the context's window, as SQL."""

    days: ColumnElement[Any]  # per unit
    conditions: tuple[ColumnElement[bool], ...]


def _lent(sql: _Sql, context: _Context) -> _Lent:
    """Days each line was out within the period (up to now), and which lines count.

    Use with ``select(...).select_from(LoanLine).join(Loan, ...)``.
    """
    out_from = sql.later(Loan.issued_at, _at(context.start))
    back = func.coalesce(Loan.returned_at, _at(context.now))
    out_until = sql.earlier(back, _at(context.until))
    return _Lent(
        days=sql.days(out_from, out_until),
        conditions=(
            Loan.status.in_(LENT_STATUSES),
            Loan.issued_at.is_not(None),
            Loan.issued_at < _at(context.until),
            out_until > out_from,
        ),
    )


def _retired_at() -> ColumnElement[Any]:
    """When a retired item left the catalogue: its "item retired" audit event, or, for
    kit retired without one (imported or demo data), its last change."""
    retired_event = (
        select(func.max(AuditEvent.occurred_at))
        .where(
            AuditEvent.entity_type == "equipment_item",
            AuditEvent.entity_id == EquipmentItem.id,
            AuditEvent.action == "item.retired",
        )
        .scalar_subquery()
    )
    return func.coalesce(retired_event, EquipmentItem.updated_at)


@dataclass(frozen=True)
class _InCatalogue:
    """An item's days in the catalogue within the context's window, as SQL."""

    days: ColumnElement[Any]  # per unit, 0 if none
    conditions: tuple[ColumnElement[bool], ...]  # in the catalogue at some time in it


def _in_catalogue(sql: _Sql, context: _Context) -> _InCatalogue:
    listed_from = sql.later(EquipmentItem.created_at, _at(context.start))
    listed_until = case(
        (
            EquipmentItem.status == ItemStatus.RETIRED,
            sql.earlier(_retired_at(), _at(context.until)),
        ),
        else_=_at(context.until),
    )
    return _InCatalogue(
        days=case((listed_until > listed_from, sql.days(listed_from, listed_until)), else_=0.0),
        conditions=(listed_until > listed_from,),
    )


def _owned_by(context: _Context) -> tuple[ColumnElement[bool], ...]:
    if context.agency_id is None:
        return ()
    return (EquipmentItem.owner_agency_id == context.agency_id,)


def _float(value: Any) -> float:
    return float(value or 0)


def _chart_label(text: str) -> str:
    if len(text) <= LONGEST_CHART_LABEL:
        return text
    return text[: LONGEST_CHART_LABEL - 1].rstrip() + "…"


# -- 1. loans per month ----------------------------------------------------------------------


def _months(period: Period) -> list[date]:
    """The first day of every calendar month the period touches."""
    month = period.start.replace(day=1)
    months = []
    while month <= period.end:
        months.append(month)
        month = add_months(month, 1)
    return months


# Spelt out rather than strftime's %b, which follows the machine's locale.
MONTH_ABBREVIATIONS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def month_label(month: date) -> str:
    """ "Jan 2026": a month as the chart and the table name it."""
    return f"{MONTH_ABBREVIATIONS[month.month - 1]} {month.year}"


def _loans_per_month(session: Session, sql: _Sql, context: _Context) -> Report:
    months = _months(context.period)
    # The month each loan went out in, by the UK calendar; bounds as bound values keep the
    # bucketing in the database and right across the clock change.
    bounds = [_midnight(add_months(month, 1)) for month in months[:-1]]
    which_month = case(
        *((Loan.issued_at < _at(bound), index) for index, bound in enumerate(bounds)),
        else_=len(months) - 1,
    )
    # One row per line of each loan handed over in the period, with its month; a loan is
    # counted once however many lines it has.
    issued = (
        select(
            Loan.id.label("loan_id"),
            Loan.borrower_agency_id.label("agency_id"),
            which_month.label("month"),
            LoanLine.id.label("line_id"),
            LoanLine.quantity.label("quantity"),
        )
        .select_from(Loan)
        .outerjoin(LoanLine, LoanLine.loan_id == Loan.id)
        .where(
            Loan.status.in_(LENT_STATUSES),
            Loan.issued_at >= _at(context.start),
            Loan.issued_at < _at(context.end),
            *(
                (Loan.borrower_agency_id == context.agency_id,)
                if context.agency_id is not None
                else ()
            ),
        )
        .subquery()
    )
    counted = session.execute(
        select(
            issued.c.month,
            issued.c.agency_id,
            func.count(func.distinct(issued.c.loan_id)),
            func.count(issued.c.line_id),
            func.coalesce(func.sum(issued.c.quantity), 0),
        ).group_by(issued.c.month, issued.c.agency_id)
    ).all()
    figures = {
        (int(month), int(agency)): (int(loans), int(n_lines), int(units))
        for month, agency, loans, n_lines, units in counted
    }
    agency_ids = {agency for _month, agency in figures}
    if context.agency_id is not None:
        agency_ids.add(context.agency_id)
    names = _agency_names(session, agency_ids)
    agencies = sorted(agency_ids, key=lambda a: (names[a].casefold(), a))

    rows: list[tuple[Value, ...]] = []
    for index, month in enumerate(months):
        label = month_label(month)
        if not agencies:
            rows.append((label, "No loans", 0, 0, 0))
        for agency in agencies:
            loans, n_lines, units = figures.get((index, agency), (0, 0, 0))
            rows.append((label, names[agency], loans, n_lines, units))
    totals = tuple(sum(f[i] for f in figures.values()) for i in range(3))
    series = tuple(
        Series(
            names[agency],
            tuple(float(figures.get((i, agency), (0, 0, 0))[0]) for i in range(len(months))),
        )
        for agency in agencies
    ) or (Series("Loans", tuple(0.0 for _ in months)),)
    notes = [
        "A loan counts in the month its kit was handed over (UK time); requests never "
        "issued, declined and cancelled requests are not loans. Lines are the items on "
        "the loans, and units count each of a pooled item.",
    ]
    if context.period.start.day != 1 or context.period.end != add_months(months[-1], 1) - (
        timedelta(days=1)
    ):
        notes.append(
            "The first or last month is only partly in the period; only its days in the "
            "period are counted."
        )
    return Report(
        key=ReportKey.LOANS_PER_MONTH,
        title="Loans per month",
        subtitle=context.period_subtitle("loans to {agency}"),
        columns=(
            Column("Month"),
            Column("Borrowing agency"),
            Column("Loans", ColumnKind.COUNT),
            Column("Lines", ColumnKind.COUNT),
            Column("Units", ColumnKind.COUNT),
        ),
        rows=tuple(rows),
        chart=Chart(
            kind=ChartKind.STACKED,
            categories=tuple(month_label(m) for m in months),
            series=series,
            value_title="Loans",
            value_kind=ColumnKind.COUNT,
        ),
        notes=tuple(notes),
        totals=("Total", "", *totals),
        period=context.period,
    )


def _agency_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    found = session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(wanted)))
    return {row[0]: row[1] for row in found}


# -- 2. utilisation by category ------------------------------------------------------------


def _utilisation(session: Session, sql: _Sql, context: _Context) -> Report:
    listed = _in_catalogue(sql, context)
    available = {
        category_id: (int(units or 0), _float(days))
        for category_id, units, days in session.execute(
            select(
                EquipmentItem.category_id,
                func.sum(EquipmentItem.quantity),
                func.sum(listed.days * EquipmentItem.quantity),
            )
            .where(*listed.conditions, *_owned_by(context))
            .group_by(EquipmentItem.category_id)
        )
    }
    lent = _lent(sql, context)
    on_loan = {
        category_id: _float(days)
        for category_id, days in session.execute(
            select(EquipmentItem.category_id, func.sum(lent.days * LoanLine.quantity))
            .select_from(LoanLine)
            .join(Loan, Loan.id == LoanLine.loan_id)
            .join(EquipmentItem, EquipmentItem.id == LoanLine.item_id)
            .where(*lent.conditions, *_owned_by(context))
            .group_by(EquipmentItem.category_id)
        )
    }
    ids = set(available) | set(on_loan)
    names = (
        dict(session.execute(select(Category.id, Category.name).where(Category.id.in_(ids))).all())
        if ids
        else {}
    )

    def share(lent_days: float, days: float) -> float | None:
        return lent_days / days if days > 0 else None

    figures = []
    for category_id in ids:
        units, days = available.get(category_id, (0, 0.0))
        lent_days = on_loan.get(category_id, 0.0)
        figures.append((names[category_id], units, lent_days, days, share(lent_days, days)))
    figures.sort(key=lambda f: (-(f[4] or 0.0), f[0].casefold()))
    total_units = sum(f[1] for f in figures)
    total_lent = sum(f[2] for f in figures)
    total_days = sum(f[3] for f in figures)
    return Report(
        key=ReportKey.UTILISATION,
        title="Utilisation by category",
        subtitle=context.period_subtitle("kit owned by {agency}"),
        columns=(
            Column("Category"),
            Column("Units", ColumnKind.COUNT),
            Column("Days on loan", ColumnKind.DAYS),
            Column("Days available", ColumnKind.DAYS),
            Column("Utilisation", ColumnKind.PERCENT),
        ),
        rows=tuple(figures),
        chart=Chart(
            kind=ChartKind.HORIZONTAL,
            categories=tuple(f[0] for f in figures),
            series=(Series("Utilisation", tuple(f[4] or 0.0 for f in figures)),),
            value_title="Utilisation",
            value_kind=ColumnKind.PERCENT,
        )
        if figures
        else None,
        notes=(
            "Utilisation is days on loan ÷ days available. Days on loan add up, for every "
            "unit lent, the time from hand-over to return (or now, if still out) that falls "
            "in the period; a part-returned loan counts all its units until the whole loan "
            "is back, as Kit Share records when a loan comes back, not each unit.",
            "Days available add up, for every unit, the days in the period it was in the "
            "catalogue: from when it was added to Kit Share until it was retired (the time "
            "of its “retired” record, or its last change if there is none). Units are "
            "today's quantities of that kit.",
        ),
        totals=(
            "All categories",
            total_units,
            total_lent,
            total_days,
            share(total_lent, total_days),
        ),
        period=context.period,
    )


# -- 3 and 4. most and least lent ----------------------------------------------------------


def _lent_per_item(sql: _Sql, context: _Context) -> Any:
    lent = _lent(sql, context)
    return (
        select(
            LoanLine.item_id.label("item_id"),
            func.count(func.distinct(Loan.id)).label("loans"),
            func.sum(lent.days * LoanLine.quantity).label("days"),
        )
        .select_from(LoanLine)
        .join(Loan, Loan.id == LoanLine.loan_id)
        .where(*lent.conditions)
        .group_by(LoanLine.item_id)
        .subquery()
    )


_LENT_COLUMNS = (
    Column("Tag"),
    Column("Item"),
    Column("Owner"),
    Column("Loans", ColumnKind.COUNT),
    Column("Days lent", ColumnKind.DAYS),
)


def _lent_chart(rows: Sequence[tuple[Value, ...]]) -> Chart | None:
    if not rows:
        return None
    return Chart(
        kind=ChartKind.HORIZONTAL,
        categories=tuple(_chart_label(f"{row[0]} {row[1]}") for row in rows),
        series=(Series("Days lent", tuple(_float(row[4]) for row in rows)),),
        value_title="Days lent",
        value_kind=ColumnKind.DAYS,
    )


_LENT_NOTE = (
    "Days lent add up, for every unit, the time from hand-over to return (or now, if "
    "still out) that falls in the period; loans count those out at any time in it."
)


def _most_lent(session: Session, sql: _Sql, context: _Context) -> Report:
    per_item = _lent_per_item(sql, context)
    found = session.execute(
        select(
            EquipmentItem.asset_tag,
            EquipmentItem.name,
            Agency.name,
            per_item.c.loans,
            per_item.c.days,
        )
        .join(per_item, per_item.c.item_id == EquipmentItem.id)
        .join(Agency, Agency.id == EquipmentItem.owner_agency_id)
        .where(*_owned_by(context))
        .order_by(per_item.c.days.desc(), per_item.c.loans.desc(), EquipmentItem.asset_tag)
        .limit(TOP_ITEMS)
    ).all()
    rows = tuple(
        (tag, name, owner, int(loans), _float(days)) for tag, name, owner, loans, days in found
    )
    return Report(
        key=ReportKey.MOST_LENT,
        title="Most lent kit",
        subtitle=context.period_subtitle("kit owned by {agency}"),
        columns=_LENT_COLUMNS,
        rows=rows,
        chart=_lent_chart(rows),
        notes=(f"The {TOP_ITEMS} items lent for the most days, then the most loans. {_LENT_NOTE}",),
        period=context.period,
    )


def _least_lent(session: Session, sql: _Sql, context: _Context) -> Report:
    per_item = _lent_per_item(sql, context)
    listed = _in_catalogue(sql, context)
    days = func.coalesce(per_item.c.days, 0.0)
    loans = func.coalesce(per_item.c.loans, 0)
    base = (
        select(EquipmentItem.id)
        .outerjoin(per_item, per_item.c.item_id == EquipmentItem.id)
        .where(*listed.conditions, *_owned_by(context))
    )
    found = session.execute(
        base.with_only_columns(
            EquipmentItem.asset_tag, EquipmentItem.name, Agency.name, loans, days
        )
        .join(Agency, Agency.id == EquipmentItem.owner_agency_id)
        .order_by(days, loans, EquipmentItem.asset_tag)
        .limit(TOP_ITEMS)
    ).all()
    counted = base.subquery()
    listed_count = session.scalar(select(func.count()).select_from(counted)) or 0
    never = (
        session.scalar(
            select(func.count()).select_from(base.where(per_item.c.item_id.is_(None)).subquery())
        )
        or 0
    )
    rows = tuple((tag, name, owner, int(n), _float(d)) for tag, name, owner, n, d in found)
    notes = [
        f"The {TOP_ITEMS} items lent for the fewest days, then the fewest loans, among the "
        f"{listed_count:,} in the catalogue at some time in the period. {_LENT_NOTE}",
    ]
    if never:
        shown = sum(1 for row in rows if row[3] == 0)
        notes.append(
            f"{never:,} of them {'was' if never == 1 else 'were'} never lent in the period"
            + (
                f"; the table shows the first {shown} by tag."
                if never > shown
                else ", and the table includes them (0 loans)."
            )
        )
    else:
        notes.append("Every item was lent at least once in the period.")
    return Report(
        key=ReportKey.LEAST_LENT,
        title="Least lent kit",
        subtitle=context.period_subtitle("kit owned by {agency}"),
        columns=_LENT_COLUMNS,
        rows=rows,
        chart=_lent_chart(rows),
        notes=tuple(notes),
        period=context.period,
    )


# -- 5. overdue now ----------------------------------------------------------------------------


def _overdue(db: Database, context: _Context) -> Report:
    from app.loans.service import LoanSection, list_loans, loan_counts

    # The Loans view's own "Overdue" list: out, and past the due time (the recall time
    # once recalled; an extension moves the due time itself).
    count = loan_counts(db, now=context.now, agency_id=context.agency_id)[LoanSection.OVERDUE]
    views = (
        list_loans(
            db, LoanSection.OVERDUE, now=context.now, agency_id=context.agency_id, limit=count
        )
        if count
        else []
    )
    contacts = _contacts(db, [view.id for view in views])
    views.sort(key=lambda v: (-(v.overdue_by or timedelta()).total_seconds(), v.id))
    rows = tuple(
        (
            view.id,
            view.borrower,
            view.lender,
            view.items_summary,
            format_datetime(view.due_at),
            (view.overdue_by or timedelta()).total_seconds() / 86400,
            contacts.get(view.id, ""),
        )
        for view in views
    )
    per_borrower: dict[str, int] = defaultdict(int)
    for view in views:
        per_borrower[view.borrower] += 1
    borrowers = sorted(per_borrower, key=lambda name: (-per_borrower[name], name.casefold()))
    scope = context.scope("loans to or from {agency}")
    return Report(
        key=ReportKey.OVERDUE,
        title="Overdue now",
        subtitle=f"At {format_datetime(context.now)} · {scope}",
        columns=(
            Column("Loan"),
            Column("Borrower"),
            Column("Lender"),
            Column("Items"),
            Column("Due back"),
            Column("Days overdue", ColumnKind.DAYS),
            Column("Contact"),
        ),
        rows=rows,
        chart=Chart(
            kind=ChartKind.BARS,
            categories=tuple(borrowers),
            series=(Series("Overdue loans", tuple(float(per_borrower[n]) for n in borrowers)),),
            value_title="Overdue loans",
            value_kind=ColumnKind.COUNT,
        )
        if borrowers
        else None,
        notes=(
            "A loan is overdue when its kit is still out after its due time: the recall time "
            "if the owner recalled it, else the due time, which an extension moves later. "
            "The contact is the operator who has the kit, else the person who asked for it.",
            f"{len(rows):,} loan{'' if len(rows) == 1 else 's'} overdue.",
        ),
    )


def _contacts(db: Database, loan_ids: Sequence[int]) -> dict[int, str]:
    """Who to ring about each loan: its operator, else its requester; else the agency."""
    if not loan_ids:
        return {}
    who = aliased(Person)
    contacts: dict[int, str] = {}
    with db.read() as session:
        found = session.execute(
            select(
                Loan.id,
                who.given_name,
                who.family_name,
                who.phone,
                who.email,
                Agency.phone,
            )
            .join(Agency, Agency.id == Loan.borrower_agency_id)
            .outerjoin(who, who.id == func.coalesce(Loan.operator_id, Loan.requested_by_id))
            .where(Loan.id.in_(loan_ids))
        )
        for loan_id, given, family, phone, email, agency_phone in found:
            parts = [f"{given} {family}"] if given is not None else []
            reach = phone or email or agency_phone
            if reach:
                parts.append(reach)
            contacts[loan_id] = ", ".join(parts)
    return contacts


# -- 6. inspections due ------------------------------------------------------------------------


def _inspections_due(db: Database, context: _Context) -> Report:
    from app.inspections.service import Watch, inspections_overview

    overview = inspections_overview(
        db, days=LOOK_AHEAD_DAYS, agency_id=context.agency_id, now=context.now
    )
    lapsed = overview.rows(Watch.OVERDUE)
    soon = overview.rows(Watch.DUE_SOON)
    rows = tuple(
        (row.asset_tag, row.item_name, row.owner, row.what, row.due_on, row.words)
        for row in (*lapsed, *soon)
    )
    owners = sorted({row.owner for row in (*lapsed, *soon)}, key=str.casefold)

    def per_owner(rows_of: Sequence[Any]) -> tuple[float, ...]:
        return tuple(float(sum(1 for r in rows_of if r.owner == owner)) for owner in owners)

    scope = context.scope("kit owned by {agency}")
    until = overview.today + timedelta(days=LOOK_AHEAD_DAYS)
    return Report(
        key=ReportKey.INSPECTIONS_DUE,
        title="Inspections due",
        subtitle=f"Overdue, and due by {format_date(until)} · {scope}",
        columns=(
            Column("Tag"),
            Column("Item"),
            Column("Owner"),
            Column("Inspection"),
            Column("Due", ColumnKind.DATE),
            Column("State"),
        ),
        rows=rows,
        chart=Chart(
            kind=ChartKind.BARS,
            categories=tuple(owners),
            series=(
                Series("Overdue, never done or failed", per_owner(lapsed)),
                Series(f"Due in the next {LOOK_AHEAD_DAYS} days", per_owner(soon)),
            ),
            value_title="Inspections",
            value_kind=ColumnKind.COUNT,
        )
        if owners
        else None,
        notes=(
            "The Inspections view's own lists: each row is an item under one inspection "
            "regime. Overdue, never-inspected and failed ones come first (kit under a regime "
            f"that blocks issue cannot go out), then those due in the next {LOOK_AHEAD_DAYS} "
            "days, soonest first. Retired kit is left out.",
            f"{len(lapsed):,} overdue, never done or failed; {len(soon):,} due soon.",
        ),
    )


# -- 7. qualifications expiring --------------------------------------------------------------


def _qualifications_expiring(db: Database, context: _Context) -> Report:
    from app.people.records import expiring_qualifications

    expiring = expiring_qualifications(
        db, days=LOOK_AHEAD_DAYS, today=context.today, agency_id=context.agency_id
    )
    rows = tuple(
        (row.person, row.agency, row.qualification, row.expires_on, row.days_left)
        for row in expiring
    )
    per_agency: dict[str, int] = defaultdict(int)
    for row in expiring:
        per_agency[row.agency] += 1
    agencies = sorted(per_agency, key=str.casefold)
    until = context.today + timedelta(days=LOOK_AHEAD_DAYS)
    scope = context.scope("people of {agency}")
    return Report(
        key=ReportKey.QUALIFICATIONS_EXPIRING,
        title="Qualifications expiring",
        subtitle=f"{format_date(context.today)} to {format_date(until)} · {scope}",
        columns=(
            Column("Person"),
            Column("Agency"),
            Column("Qualification"),
            Column("Expires", ColumnKind.DATE),
            Column("Days left", ColumnKind.COUNT),
        ),
        rows=rows,
        chart=Chart(
            kind=ChartKind.BARS,
            categories=tuple(agencies),
            series=(Series("Expiring", tuple(float(per_agency[a]) for a in agencies)),),
            value_title="Qualifications",
            value_kind=ColumnKind.COUNT,
        )
        if agencies
        else None,
        notes=(
            f"Qualifications of people listed that expire from today to {LOOK_AHEAD_DAYS} "
            "days ahead, soonest first: the People view's own list. It looks ahead from "
            "today whatever the period, as a lapse to come is what can still be acted on. "
            "One already renewed (a later record of the same qualification) is left out.",
        ),
    )


# -- 8. estimated value of sharing ---------------------------------------------------------------


def _value_of_sharing(session: Session, sql: _Sql, context: _Context) -> Report:
    lent = _lent(sql, context)
    unit_days = lent.days * LoanLine.quantity
    hire = EquipmentItem.daily_hire_rate_pence
    replacement = EquipmentItem.replacement_value_pence
    to_others = (
        *lent.conditions,
        Loan.borrower_agency_id != EquipmentItem.owner_agency_id,
        *_owned_by(context),
    )
    joined = (
        select(EquipmentItem.owner_agency_id)
        .select_from(LoanLine)
        .join(Loan, Loan.id == LoanLine.loan_id)
        .join(EquipmentItem, EquipmentItem.id == LoanLine.item_id)
        .where(*to_others)
    )
    found = session.execute(
        joined.with_only_columns(
            EquipmentItem.owner_agency_id,
            Loan.borrower_agency_id,
            func.count(func.distinct(Loan.id)),
            func.sum(unit_days),
            func.sum(case((hire.is_not(None), unit_days * hire), else_=0.0)),
            func.sum(
                case(
                    (
                        and_(hire.is_(None), replacement.is_not(None)),
                        unit_days * replacement * REPLACEMENT_VALUE_DAILY_SHARE,
                    ),
                    else_=0.0,
                )
            ),
        ).group_by(EquipmentItem.owner_agency_id, Loan.borrower_agency_id)
    ).all()
    unvalued_items, unvalued_days = session.execute(
        joined.with_only_columns(
            func.count(func.distinct(EquipmentItem.id)), func.sum(unit_days)
        ).where(hire.is_(None), replacement.is_(None))
    ).one()
    total_loans = session.scalar(joined.with_only_columns(func.count(func.distinct(Loan.id)))) or 0
    names = _agency_names(session, {a for row in found for a in row[:2]})
    figures = []
    by_hire = by_replacement = 0.0
    for lender, borrower, loans, days, hired, replaced in found:
        by_hire += _float(hired)
        by_replacement += _float(replaced)
        value = round(_float(hired) + _float(replaced))
        figures.append((names[lender], names[borrower], int(loans), _float(days), value))
    figures.sort(key=lambda f: (f[0].casefold(), -f[4], f[1].casefold()))
    lenders = sorted({f[0] for f in figures}, key=str.casefold)
    borrowers = sorted({f[1] for f in figures}, key=str.casefold)
    value_of = {(f[0], f[1]): float(f[4]) for f in figures}

    def pounds(pence: float) -> str:
        return display(round(pence), ColumnKind.MONEY)

    rule = (
        f"{REPLACEMENT_VALUE_DAILY_SHARE:.0%} of its replacement value per day, a common "
        "hire-industry rule of thumb"
    )
    notes = [
        "What the kit lent to other agencies would have cost to hire: for every unit, the "
        "days it was out on loan in the period (hand-over to return, or now if still out) "
        "times its daily hire rate where one is recorded, else "
        f"{rule}. Loans within an agency are not counted.",
        f"{pounds(by_hire)} comes from recorded hire rates and {pounds(by_replacement)} from "
        f"the {REPLACEMENT_VALUE_DAILY_SHARE:.0%} rule.",
    ]
    if unvalued_items:
        notes.append(
            f"{unvalued_items:,} item{' was' if unvalued_items == 1 else 's were'} lent to "
            f"other agencies with neither a hire rate nor a replacement value, so "
            f"{display(_float(unvalued_days), ColumnKind.DAYS)} lent "
            f"{'is' if unvalued_items == 1 else 'are'} not valued; record a value for "
            f"{'it' if unvalued_items == 1 else 'them'} to count them."
        )
    return Report(
        key=ReportKey.VALUE_OF_SHARING,
        title="Estimated value of sharing",
        subtitle=context.period_subtitle("kit owned by {agency}"),
        columns=(
            Column("Lending agency"),
            Column("Borrowing agency"),
            Column("Loans", ColumnKind.COUNT),
            Column("Days lent", ColumnKind.DAYS),
            Column("Estimated value", ColumnKind.MONEY),
        ),
        rows=tuple(figures),
        chart=Chart(
            kind=ChartKind.STACKED,
            categories=tuple(lenders),
            series=tuple(
                Series(
                    borrower,
                    tuple(value_of.get((lender, borrower), 0.0) for lender in lenders),
                )
                for borrower in borrowers
            ),
            value_title="Estimated value",
            value_kind=ColumnKind.MONEY,
        )
        if figures
        else None,
        notes=tuple(notes),
        totals=(
            "Total",
            "",
            int(total_loans),
            sum(f[3] for f in figures),
            sum(f[4] for f in figures),
        ),
        period=context.period,
    )


# -- showing and saving -----------------------------------------------------------------------


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
        pence = round(value)
        sign = "-" if pence < 0 else ""
        return f"{sign}£{abs(pence) / 100:,.2f}"
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
    from app.transfer.tabular import write_table

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
