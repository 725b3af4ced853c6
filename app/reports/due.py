"""The reports of what needs doing now or soon: loans overdue now, inspections due, and
qualifications expiring. They are the Loans, Inspections and People views' own lists,
and look at now or the days ahead whatever the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.core.clock import format_date, format_datetime
from app.core.text import counted
from app.reports.counting import ReportContext
from app.reports.report import Column, ColumnKind, Report, ReportKey, tally_chart
from app.storage.database import Database
from models import Agency, Loan, Person

# How far ahead "Inspections due" and "Qualifications expiring" look, in days: the same
# span the Inspections and People views use for "due soon".
LOOK_AHEAD_DAYS = 30


def overdue(db: Database, context: ReportContext) -> Report:
    from app.loans.views import LoanSection, list_loans, loan_counts

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
        chart=tally_chart(
            "Overdue loans", [("Overdue loans", [view.borrower for view in views])], most_first=True
        ),
        notes=(
            "A loan is overdue when its kit is still out after its due time: the recall time "
            "if the owner recalled it, else the due time, which an extension moves later. "
            "The contact is the operator who has the kit, else the person who asked for it.",
            f"{counted(len(rows), 'loan')} overdue.",
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


def inspections_due(db: Database, context: ReportContext) -> Report:
    from app.inspections.overview import Watch, inspections_overview

    overview = inspections_overview(
        db, days=LOOK_AHEAD_DAYS, agency_id=context.agency_id, now=context.now
    )
    lapsed = overview.rows(Watch.OVERDUE)
    soon = overview.rows(Watch.DUE_SOON)
    rows = tuple(
        (row.asset_tag, row.item_name, row.owner, row.what, row.due_on, row.words)
        for row in (*lapsed, *soon)
    )
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
        chart=tally_chart(
            "Inspections",
            [
                ("Overdue, never done or failed", [row.owner for row in lapsed]),
                (f"Due in the next {LOOK_AHEAD_DAYS} days", [row.owner for row in soon]),
            ],
        ),
        notes=(
            "The Inspections view's own lists: each row is an item under one inspection "
            "regime. Overdue, never-inspected and failed ones come first (kit under a regime "
            f"that blocks issue cannot go out), then those due in the next {LOOK_AHEAD_DAYS} "
            "days, soonest first. Retired kit is left out.",
            f"{len(lapsed):,} overdue, never done or failed; {len(soon):,} due soon.",
        ),
    )


def qualifications_expiring(db: Database, context: ReportContext) -> Report:
    from app.people.expiring import expiring_qualifications

    expiring = expiring_qualifications(
        db, context.actor, days=LOOK_AHEAD_DAYS, today=context.today, agency_id=context.agency_id
    )
    rows = tuple(
        (row.person, row.agency, row.qualification, row.expires_on, row.days_left)
        for row in expiring
    )
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
        chart=tally_chart("Qualifications", [("Expiring", [row.agency for row in expiring])]),
        notes=(
            f"Qualifications of people listed that expire from today to {LOOK_AHEAD_DAYS} "
            "days ahead, soonest first: the People view's own list. It looks ahead from "
            "today whatever the period, as a lapse to come is what can still be acted on. "
            "One already renewed (a later record of the same qualification) is left out.",
        ),
    )
