"""The period a report covers: by default the financial year so far (UK public bodies
start theirs on 1 April), never longer than ``MAX_PERIOD_YEARS``; the quick choices
(last financial year, last 12 months, this or last month); and the months in it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from app.core.clock import add_months, day_problem, format_date
from app.core.errors import Refusal, Refused


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included."""

    start: date
    end: date


# The longest period a report covers: a month-by-month table longer than this is no
# longer something a person reads.
MAX_PERIOD_YEARS = 20

# The financial year of UK public bodies starts on 1 April.
FINANCIAL_YEAR_START_MONTH = 4


def financial_year_start(day: date) -> date:
    """1 April of the financial year ``day`` falls in."""
    year = day.year if day.month >= FINANCIAL_YEAR_START_MONTH else day.year - 1
    return date(year, FINANCIAL_YEAR_START_MONTH, 1)


def default_period(today: date) -> Period:
    """The financial year so far: from 1 April to ``today``, both included."""
    return Period(financial_year_start(today), today)


class QuickPeriod(enum.Enum):
    """A period people ask for by name; the value is what the reports view offers."""

    FINANCIAL_YEAR = "This financial year to date"
    LAST_FINANCIAL_YEAR = "Last financial year"
    LAST_12_MONTHS = "Last 12 months"
    THIS_MONTH = "This month to date"
    LAST_MONTH = "Last month"


def quick_period(choice: QuickPeriod, today: date) -> Period:
    """The days ``choice`` means on ``today``, both ends included."""
    if choice is QuickPeriod.FINANCIAL_YEAR:
        return Period(financial_year_start(today), today)
    if choice is QuickPeriod.LAST_FINANCIAL_YEAR:
        end = financial_year_start(today) - timedelta(days=1)
        return Period(financial_year_start(end), end)
    if choice is QuickPeriod.LAST_12_MONTHS:
        return Period(add_months(today, -12) + timedelta(days=1), today)
    if choice is QuickPeriod.THIS_MONTH:
        return Period(today.replace(day=1), today)
    end = today.replace(day=1) - timedelta(days=1)
    return Period(end.replace(day=1), end)


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


def months_of(period: Period) -> list[date]:
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
