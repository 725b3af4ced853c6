"""UK local time for people; UTC for storage. Dates read DD/MM/YYYY, times 24-hour.

Every "now" in Kit Share comes from ``now_utc()`` here: services, windows, documents and
the column defaults of ``models`` alike. A test (or a bench) replaces the source with
``use_clock`` and so decides what day it is; nothing else reads the system clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from models.base import use_clock as _use_for_models

UK = ZoneInfo("Europe/London")

Clock = Callable[[], datetime]
"""A source of the current moment: aware, in any zone."""


def system_clock() -> datetime:
    return datetime.now(UTC)


_source: Clock = system_clock


def now_utc() -> datetime:
    """The current moment, aware, in UTC."""
    return _source().astimezone(UTC)


def use_clock(source: Clock | None) -> Clock:
    """Take "now" from ``source`` from here on (``None``: the system clock again).

    Returns the source it replaces, so a caller can put it back.
    """
    global _source  # noqa: PLW0603 - one clock for the whole process is the point
    previous = _source
    _source = source or system_clock
    return previous


# Rows stamped by a column default (created_at, occurred_at…) take the same clock.
_use_for_models(now_utc)


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
