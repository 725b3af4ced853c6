"""Reports on what sharing achieves: the figures a partnership board and a station ask for.

``report_specs`` lists the reports and ``build_report`` builds one from the database as
a ``Report`` (``app.reports.report``). The reports themselves are in one module per
group: how much kit is lent (``app.reports.usage``), what needs doing now or soon
(``app.reports.due``) and the value of sharing (``app.reports.value``); how kit counts
as lent is ``app.reports.counting``, and the period a report covers
``app.reports.period``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from app.core.actor import Actor
from app.core.clock import UK, format_datetime, now_utc, today_uk
from app.core.errors import NotFound
from app.core.lookup import get_or_missing
from app.core.permissions import Action, may
from app.reports.counting import ReportContext, Sql, uk_midnight
from app.reports.due import LOOK_AHEAD_DAYS, inspections_due, overdue, qualifications_expiring
from app.reports.period import Period, check_period
from app.reports.report import Report, ReportKey
from app.reports.usage import TOP_ITEMS, least_lent, loans_per_month, most_lent, utilisation
from app.reports.value import value_of_sharing
from app.storage.database import Database
from models import Agency


@dataclass(frozen=True)
class ReportSpec:
    key: ReportKey
    title: str
    description: str  # one sentence for the window's list
    uses_period: bool  # False for "now" reports (overdue) and look-ahead ones
    needs: Action | None = None  # what a person must be allowed, to read it


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
            needs=Action.SEE_EXPIRING_QUALIFICATIONS,
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


# -- building a report ------------------------------------------------------------------------


def report_specs_for(actor: Actor | None) -> tuple[ReportSpec, ...]:
    """The reports ``actor`` may read (every report when no one is signed in yet: the
    list is refilled when someone signs in, and each report checks again when built)."""
    if actor is None:
        return report_specs()
    return tuple(spec for spec in report_specs() if spec.needs is None or may(actor, spec.needs))


def build_report(
    db: Database,
    key: ReportKey,
    period: Period,
    *,
    actor: Actor,
    agency_id: int | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> Report:
    """The report ``key`` over ``period`` (ignored by reports that don't use one).

    ``agency_id`` limits the report to one agency: its kit, as owner, for most reports;
    the loans it borrowed for "Loans per month"; loans to or from it for "Overdue now";
    its people for "Qualifications expiring". The subtitle says which. ``actor`` is who
    asks: "Qualifications expiring" is refused to a role that may not see it.

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
    context = ReportContext(
        period=period,
        start=uk_midnight(period.start),
        end=uk_midnight(period.end + timedelta(days=1)),
        now=now,
        today=day,
        agency_id=agency_id,
        agency=_agency_name(db, agency_id) if agency_id is not None else "",
        actor=actor,
    )
    if key is ReportKey.OVERDUE:
        return overdue(db, context)
    if key is ReportKey.INSPECTIONS_DUE:
        return inspections_due(db, context)
    if key is ReportKey.QUALIFICATIONS_EXPIRING:
        return qualifications_expiring(db, context)
    builders = {
        ReportKey.LOANS_PER_MONTH: loans_per_month,
        ReportKey.UTILISATION: utilisation,
        ReportKey.MOST_LENT: most_lent,
        ReportKey.LEAST_LENT: least_lent,
        ReportKey.VALUE_OF_SHARING: value_of_sharing,
    }
    with db.read() as session:
        report = builders[key](session, Sql(db.dialect), context)
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
        agency = get_or_missing(
            session,
            Agency,
            agency_id,
            f"There is no agency with id {agency_id}; it may have been removed. "
            "Choose the agency again.",
        )
        return agency.name
