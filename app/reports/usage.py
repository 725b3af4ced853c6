"""The reports of how much kit is lent over a period: loans per month, utilisation by
category, and the most and least lent kit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.core.clock import add_months
from app.reports.counting import (
    LENT_STATUSES,
    ReportContext,
    Sql,
    agency_names,
    as_float,
    bound_moment,
    chart_label,
    in_catalogue,
    lent_window,
    owned_by,
    uk_midnight,
)
from app.reports.period import month_label, months_of
from app.reports.report import (
    ChartKind,
    Column,
    ColumnKind,
    Report,
    ReportKey,
    Series,
    Value,
    chart_of,
)
from models import Agency, Category, EquipmentItem, Loan, LoanLine

# How many items "Most lent" and "Least lent" show.
TOP_ITEMS = 10


def loans_per_month(session: Session, sql: Sql, context: ReportContext) -> Report:
    months = months_of(context.period)
    figures = _loans_counted(session, context, months)
    agency_ids = {agency for _month, agency in figures}
    if context.agency_id is not None:
        agency_ids.add(context.agency_id)
    names = agency_names(session, agency_ids)
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
        chart=chart_of(ChartKind.STACKED, (month_label(m) for m in months), series, "Loans"),
        notes=tuple(notes),
        totals=("Total", "", *totals),
        period=context.period,
    )


def _loans_counted(
    session: Session, context: ReportContext, months: Sequence[date]
) -> dict[tuple[int, int], tuple[int, int, int]]:
    """(loans, lines, units) handed over in the period, by (index of the month, borrowing
    agency); a loan counts once however many lines it has."""
    # The month each loan went out in, by the UK calendar; bounds as bound values keep the
    # bucketing in the database and right across the clock change.
    bounds = [uk_midnight(add_months(month, 1)) for month in months[:-1]]
    which_month = case(
        *((Loan.issued_at < bound_moment(bound), index) for index, bound in enumerate(bounds)),
        else_=len(months) - 1,
    )
    # One row per line of each loan handed over in the period, with its month.
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
            Loan.issued_at >= bound_moment(context.start),
            Loan.issued_at < bound_moment(context.end),
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
    return {
        (int(month), int(agency)): (int(loans), int(n_lines), int(units))
        for month, agency, loans, n_lines, units in counted
    }


def utilisation(session: Session, sql: Sql, context: ReportContext) -> Report:
    available, on_loan = _category_days(session, sql, context)
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
        chart=chart_of(
            ChartKind.HORIZONTAL,
            (f[0] for f in figures),
            (Series("Utilisation", tuple(f[4] or 0.0 for f in figures)),),
            "Utilisation",
            ColumnKind.PERCENT,
        ),
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


def _category_days(
    session: Session, sql: Sql, context: ReportContext
) -> tuple[dict[int, tuple[int, float]], dict[int, float]]:
    """By category: (units, days available) of the kit in the catalogue in the period,
    and the days it was on loan."""
    listed = in_catalogue(sql, context)
    available = {
        category_id: (int(units or 0), as_float(days))
        for category_id, units, days in session.execute(
            select(
                EquipmentItem.category_id,
                func.sum(EquipmentItem.quantity),
                func.sum(listed.days * EquipmentItem.quantity),
            )
            .where(*listed.conditions, *owned_by(context))
            .group_by(EquipmentItem.category_id)
        )
    }
    lent = lent_window(sql, context)
    on_loan = {
        category_id: as_float(days)
        for category_id, days in session.execute(
            select(EquipmentItem.category_id, func.sum(lent.days * LoanLine.quantity))
            .select_from(LoanLine)
            .join(Loan, Loan.id == LoanLine.loan_id)
            .join(EquipmentItem, EquipmentItem.id == LoanLine.item_id)
            .where(*lent.conditions, *owned_by(context))
            .group_by(EquipmentItem.category_id)
        )
    }
    return available, on_loan


def _lent_per_item(sql: Sql, context: ReportContext) -> Any:
    lent = lent_window(sql, context)
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


def _lent_report(
    key: ReportKey,
    title: str,
    rows: Sequence[tuple[Value, ...]],
    notes: Sequence[str],
    context: ReportContext,
) -> Report:
    """ "Most lent" or "Least lent": ``rows`` of (tag, item, owner, loans, days lent)."""
    return Report(
        key=key,
        title=title,
        subtitle=context.period_subtitle("kit owned by {agency}"),
        columns=(
            Column("Tag"),
            Column("Item"),
            Column("Owner"),
            Column("Loans", ColumnKind.COUNT),
            Column("Days lent", ColumnKind.DAYS),
        ),
        rows=tuple(rows),
        chart=chart_of(
            ChartKind.HORIZONTAL,
            (chart_label(f"{row[0]} {row[1]}") for row in rows),
            (Series("Days lent", tuple(as_float(row[4]) for row in rows)),),
            "Days lent",
            ColumnKind.DAYS,
        ),
        notes=tuple(notes),
        period=context.period,
    )


_LENT_NOTE = (
    "Days lent add up, for every unit, the time from hand-over to return (or now, if "
    "still out) that falls in the period; loans count those out at any time in it."
)


def most_lent(session: Session, sql: Sql, context: ReportContext) -> Report:
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
        .where(*owned_by(context))
        .order_by(per_item.c.days.desc(), per_item.c.loans.desc(), EquipmentItem.asset_tag)
        .limit(TOP_ITEMS)
    ).all()
    rows = tuple(
        (tag, name, owner, int(loans), as_float(days)) for tag, name, owner, loans, days in found
    )
    notes = [f"The {TOP_ITEMS} items lent for the most days, then the most loans. {_LENT_NOTE}"]
    return _lent_report(ReportKey.MOST_LENT, "Most lent kit", rows, notes, context)


def least_lent(session: Session, sql: Sql, context: ReportContext) -> Report:
    per_item = _lent_per_item(sql, context)
    listed = in_catalogue(sql, context)
    days = func.coalesce(per_item.c.days, 0.0)
    loans = func.coalesce(per_item.c.loans, 0)
    base = (
        select(EquipmentItem.id)
        .outerjoin(per_item, per_item.c.item_id == EquipmentItem.id)
        .where(*listed.conditions, *owned_by(context))
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
    rows = tuple((tag, name, owner, int(n), as_float(d)) for tag, name, owner, n, d in found)
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
    return _lent_report(ReportKey.LEAST_LENT, "Least lent kit", rows, notes, context)
