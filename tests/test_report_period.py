"""The periods a report can cover, worked out without Qt: the quick choices people
name, over the ends of months, years and financial years."""

from __future__ import annotations

from datetime import date

from app.reports.period import Period, QuickPeriod, financial_year_start, quick_period


def test_quick_periods_are_the_days_people_mean() -> None:
    today = date(2026, 11, 21)
    assert financial_year_start(today) == date(2026, 4, 1)
    assert financial_year_start(date(2026, 3, 31)) == date(2025, 4, 1)
    assert quick_period(QuickPeriod.FINANCIAL_YEAR, today) == Period(date(2026, 4, 1), today)
    assert quick_period(QuickPeriod.LAST_FINANCIAL_YEAR, today) == Period(
        date(2025, 4, 1), date(2026, 3, 31)
    )
    assert quick_period(QuickPeriod.LAST_12_MONTHS, today) == Period(date(2025, 11, 22), today)
    assert quick_period(QuickPeriod.THIS_MONTH, today) == Period(date(2026, 11, 1), today)
    assert quick_period(QuickPeriod.LAST_MONTH, today) == Period(
        date(2026, 10, 1), date(2026, 10, 31)
    )
    # From January back over the year's end, and from the 31st into a shorter month.
    assert quick_period(QuickPeriod.LAST_MONTH, date(2027, 1, 5)) == Period(
        date(2026, 12, 1), date(2026, 12, 31)
    )
    assert quick_period(QuickPeriod.LAST_12_MONTHS, date(2028, 2, 29)) == Period(
        date(2027, 3, 1), date(2028, 2, 29)
    )
