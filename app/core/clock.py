"""UK local time for people; UTC for storage. Dates read DD/MM/YYYY, times 24-hour.

Every "now" in Kit Share comes from ``now_utc()`` here: services, windows, documents and
the column defaults of ``models`` alike. A test (or a bench) replaces the source with
``use_clock`` and so decides what day it is; nothing else reads the system clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.core.errors import BadDate
from app.core.text import counted
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
    """A day as DD/MM/YYYY, the year always in four digits (strftime drops the zeros)."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}" if value else ""


def format_datetime(value: datetime | None) -> str:
    """A moment as UK local time, e.g. 21/11/2026 14:05."""
    if value is None:
        return ""
    wall = value.astimezone(UK)
    return f"{format_date(wall.date())} {wall.hour:02d}:{wall.minute:02d}"


def format_time(value: datetime) -> str:
    """A moment's UK time of day, 24-hour, e.g. 03:12."""
    wall = value.astimezone(UK)
    return f"{wall.hour:02d}:{wall.minute:02d}"


def format_hours(hours: int) -> str:
    """A period given in hours as people say it: '12 hours', '3 days', '1 day 6 hours'."""
    if hours <= 0:
        return ""
    days, rest = divmod(hours, 24)
    parts = []
    if days:
        parts.append(counted(days, "day"))
    if rest:
        parts.append(counted(rest, "hour"))
    return " ".join(parts)


# -- dates and times people type --------------------------------------------------------------

# Every date and time a person gives, in the window or on the command line, must fall
# in these years. Kit bought, people qualified and MoUs signed in the 1970s–90s are
# still about, and nothing is planned past this century; a year outside is a slip of
# the keyboard (0001, 9999), and taking it would break the arithmetic of loans and
# inspections, and the dates in the database.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2099, 12, 31)
DATE_RANGE = f"from {EARLIEST_DAY:%d/%m/%Y} to {LATEST_DAY:%d/%m/%Y}"

_DATETIME_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
)
# Shaped like a date (and a time), so a failure to read it means a day or hour that is not.
_DATE_SHAPED = re.compile(
    r"(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{1,2}-\d{1,2})([ T]\d{1,2}:\d{1,2}(:\d{1,2})?)?"
)


def day_problem(day: date, what: str = "date") -> str | None:
    """Why ``day`` cannot be taken as the ``what`` (None if it can): one sentence."""
    if EARLIEST_DAY <= day <= LATEST_DAY:
        return None
    return (
        f"The {what} {format_date(day)} is outside the dates Kit Share takes; give one "
        f"{DATE_RANGE}."
    )


def moment_problem(moment: datetime, what: str = "date and time") -> str | None:
    """Why the aware ``moment`` cannot be taken as the ``what`` (None if it can)."""
    try:
        wall = moment.astimezone(UK)
    except (OverflowError, ValueError):  # year 1 less an offset is before time began
        wall = None
    if wall is not None and EARLIEST_DAY <= wall.date() <= LATEST_DAY:
        return None
    return (
        f"The {what} {format_date(moment.date())} is outside the dates Kit Share takes; give "
        f"one {DATE_RANGE}."
    )


def check_day(day: date, what: str = "date") -> date:
    """``day``, if it is in the years Kit Share takes; else ``BadDate`` saying the range."""
    problem = day_problem(day, what)
    if problem:
        raise BadDate(problem)
    return day


def check_moment(moment: datetime, what: str = "date and time") -> datetime:
    """The aware ``moment``, if its UK date is in range; else ``BadDate``."""
    problem = moment_problem(moment, what)
    if problem:
        raise BadDate(problem)
    return moment


def uk_wall_time(wall: datetime, what: str = "date and time") -> datetime:
    """The UK moment a wall clock shows as ``wall`` (naive), as an aware UK datetime.

    Refuses a day outside the years Kit Share takes, a time the clocks skip when they
    go forward, and one they show twice when they go back: reading either as one of
    its neighbours would move a loan an hour without a word.
    """
    check_day(wall.date(), what)
    first = wall.replace(tzinfo=UK, fold=0)
    second = wall.replace(tzinfo=UK, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    hour = wall.replace(minute=0, second=0, microsecond=0)
    after = hour + timedelta(hours=1)
    shown = f"{wall:%H:%M} on {format_date(wall.date())}"
    if first.astimezone(UTC).astimezone(UK).replace(tzinfo=None) != wall:
        raise BadDate(
            f"There is no {shown} in the UK: the clocks go forward from {hour:%H:%M} to "
            f"{after:%H:%M} that night; give a time before {hour:%H:%M} or from {after:%H:%M}."
        )
    raise BadDate(
        f"{shown[0].upper()}{shown[1:]} happens twice in the UK, as the clocks go back from "
        f"{after:%H:%M} to {hour:%H:%M} that night; give a time before {hour:%H:%M} or from "
        f"{after:%H:%M}, or on the command line add +01:00 (the first) or +00:00 (the second)."
    )


def parse_uk_datetime(text: str, what: str = "date and time") -> datetime:
    """A date and time as a person types it (DD/MM/YYYY HH:MM, or ISO), as UK local time.

    Raises ``BadDate`` with a sentence saying what is accepted: the format, the years
    (``DATE_RANGE``), and that the time must exist once on a UK clock.
    """
    cleaned = text.strip()
    for pattern in _DATETIME_FORMATS:
        try:
            parsed = datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
        return uk_wall_time(parsed, what)
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        if _DATE_SHAPED.fullmatch(cleaned):
            raise BadDate(
                f"“{cleaned}” is not a date and time Kit Share understands: there is no such "
                "day or time on the calendar; check it against DD/MM/YYYY HH:MM (24-hour, "
                "00:00 to 23:59)."
            ) from None
        raise BadDate(
            f"“{cleaned}” is not a date and time Kit Share understands: use DD/MM/YYYY HH:MM "
            "(24-hour), e.g. 21/11/2026 14:30."
        ) from None
    if parsed.tzinfo is None:
        return uk_wall_time(parsed, what)
    return check_moment(parsed, what)


def parse_uk_date(text: str, what: str = "date") -> date | None:
    """A day typed as DD/MM/YYYY (or blank, for none), in the years Kit Share takes.

    Raises ``BadDate`` otherwise, saying the format or the range.
    """
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        day = datetime.strptime(cleaned, "%d/%m/%Y").date()
    except ValueError:
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", cleaned):
            raise BadDate(
                f"“{cleaned}” is not a {what} on the calendar; check the day and the month "
                "(DD/MM/YYYY)."
            ) from None
        raise BadDate(
            f"“{cleaned}” is not a {what} Kit Share understands: use DD/MM/YYYY, e.g. 21/11/2026."
        ) from None
    return check_day(day, what)


# How far ahead a list of what falls due may look: far enough for any renewal cycle, and
# well inside the calendar (a billion days ahead is past the year 9999).
LONGEST_LOOK_AHEAD_DAYS = 3650


def look_ahead_problem(days: int) -> str | None:
    """Why ``days`` (0 or more, checked by the caller) is too far ahead to look, if it is."""
    if days <= LONGEST_LOOK_AHEAD_DAYS:
        return None
    return (
        f"Look at most {LONGEST_LOOK_AHEAD_DAYS:,} days (ten years) ahead, not {days:,}; "
        "give a smaller number of days."
    )


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in the UK (never a skipped hour here)."""
    return datetime.combine(day, time(0), tzinfo=UK)


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
