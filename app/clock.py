"""UK local time for people; UTC for storage. Dates read DD/MM/YYYY, times 24-hour."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def now_utc() -> datetime:
    return datetime.now(UTC)


def today_uk(now: datetime | None = None) -> date:
    """The date on a station's wall calendar at ``now`` (default: this moment)."""
    return (now or now_utc()).astimezone(UK).date()


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def format_datetime(value: datetime | None) -> str:
    """A moment as UK local time, e.g. 21/11/2026 14:05."""
    if value is None:
        return ""
    return value.astimezone(UK).strftime("%d/%m/%Y %H:%M")


def format_pence(value: int | None) -> str:
    if value is None:
        return ""
    return f"£{value / 100:,.2f}"
