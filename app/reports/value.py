"""The estimated value of sharing: what the kit lent to other agencies over a period would
have cost to hire, by lender and borrower.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.reports.counting import ReportContext, Sql, agency_names, as_float, lent_window, owned_by
from app.reports.report import (
    ChartKind,
    Column,
    ColumnKind,
    Report,
    ReportKey,
    Series,
    chart_of,
    display,
)
from models import EquipmentItem, Loan, LoanLine

# Where an item has no daily hire rate, a day's loan is valued at this share of its
# replacement value: 1% a day is a common rule of thumb in the plant and equipment hire
# trade (a month's hire costs about a third of the price of the kit).
REPLACEMENT_VALUE_DAILY_SHARE = 0.01


def value_of_sharing(session: Session, sql: Sql, context: ReportContext) -> Report:
    found, unvalued_items, unvalued_days, total_loans = _lent_to_others(session, sql, context)
    names = agency_names(session, {a for row in found for a in row[:2]})
    figures = []
    by_hire = by_replacement = 0.0
    for lender, borrower, loans, days, hired, replaced in found:
        by_hire += as_float(hired)
        by_replacement += as_float(replaced)
        value = round(as_float(hired) + as_float(replaced))
        figures.append((names[lender], names[borrower], int(loans), as_float(days), value))
    figures.sort(key=lambda f: (f[0].casefold(), -f[4], f[1].casefold()))
    lenders = sorted({f[0] for f in figures}, key=str.casefold)
    borrowers = sorted({f[1] for f in figures}, key=str.casefold)
    value_of = {(f[0], f[1]): float(f[4]) for f in figures}
    notes = _notes(by_hire, by_replacement, unvalued_items, unvalued_days)
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
        chart=chart_of(
            ChartKind.STACKED,
            lenders,
            (
                Series(borrower, tuple(value_of.get((lender, borrower), 0.0) for lender in lenders))
                for borrower in borrowers
            ),
            "Estimated value",
            ColumnKind.MONEY,
        ),
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


def _lent_to_others(
    session: Session, sql: Sql, context: ReportContext
) -> tuple[Sequence[Any], int, float, int]:
    """What the kit lent to other agencies came to, by (lender, borrower): loans, days
    lent, value by hire rate, value by replacement value; then how many items lent had
    no value to go by and their days lent, and the loans in all."""
    lent = lent_window(sql, context)
    unit_days = lent.days * LoanLine.quantity
    hire = EquipmentItem.daily_hire_rate_pence
    replacement = EquipmentItem.replacement_value_pence
    to_others = (
        *lent.conditions,
        Loan.borrower_agency_id != EquipmentItem.owner_agency_id,
        *owned_by(context),
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
    return found, int(unvalued_items or 0), as_float(unvalued_days), int(total_loans)


def _notes(
    by_hire: float, by_replacement: float, unvalued_items: int, unvalued_days: float
) -> list[str]:
    """How the value was worked out, and what could not be valued."""

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
            f"{display(unvalued_days, ColumnKind.DAYS)} lent "
            f"{'is' if unvalued_items == 1 else 'are'} not valued; record a value for "
            f"{'it' if unvalued_items == 1 else 'them'} to count them."
        )
    return notes
