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


def format_hours(hours: int) -> str:
    """A period given in hours as people say it: '12 hours', '3 days', '1 day 6 hours'."""
    if hours <= 0:
        return ""
    days, rest = divmod(hours, 24)
    parts = []
    if days:
        parts.append(f"{days} day" if days == 1 else f"{days} days")
    if rest:
        parts.append(f"{rest} hour" if rest == 1 else f"{rest} hours")
    return " ".join(parts)


def format_pence(value: int | None) -> str:
    if value is None:
        return ""
    return f"£{value / 100:,.2f}"


_INPUT_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
)


def parse_uk_datetime(text: str) -> datetime:
    """A date and time as a person types it (DD/MM/YYYY HH:MM, or ISO), as UK local time.

    Raises ValueError with a sentence saying what is accepted.
    """
    cleaned = text.strip()
    for pattern in _INPUT_FORMATS:
        try:
            parsed = datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
        return parsed.replace(tzinfo=UK)
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValueError(
            f"“{text}” is not a date and time Kit Share understands: use DD/MM/YYYY HH:MM "
            "(24-hour), e.g. 21/11/2026 14:30."
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UK)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover
