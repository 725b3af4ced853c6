"""Moments and periods as a duty officer types them: "now", "tomorrow 18:00", "sat 14-22".

One reader for every place a person gives a time in words: the search box's "free …",
the date-and-time fields of the forms, and anything else that wants it. Everything is
UK local time, read against ``now`` (default: ``now_utc()``), and every moment passes
through ``app.core.clock.uk_wall_time``: a time the clocks skip or show twice, or a year
outside those Kit Share takes, is refused with the clock's own sentence.

How words are read (the decisions a person cannot see, said once here):

* A day: ``today``, ``tomorrow`` (``tom``, ``tmrw``), a weekday (``sat``, ``saturday``:
  the next one, today included), ``DD/MM`` (the next such day, today included) or
  ``DD/MM/YYYY`` (or ``DD/MM/YY``, this century).
* A time: ``18:00``, ``18.00``, ``1800``, ``8am``, ``6pm``, ``noon``; after a day a bare
  hour too (``tom 8``).
* A time with no day is today's, unless it has already gone: then tomorrow's.
* ``+30m``, ``+8h`` count elapsed time (an hour across a clock change is still an hour);
  ``+2d``, ``+1w`` count days on the calendar, at the same time on the clock.
* A period is two moments joined by ``-``, ``–``, ``to``, ``until`` or ``till``. Its end
  with no day of its own is on its start's day, and ``+8h`` is counted from its start;
  two bare hours (``14-22``) are hours of the clock. A period of times alone
  (``08:00-16:00``) is today's unless its end has gone, then tomorrow's. A day alone is
  the whole day; one moment alone is that moment only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from app.core.clock import UK, format_datetime, now_utc, parse_uk_datetime, uk_wall_time
from app.core.errors import BadDate

EXAMPLES = "“now”, “tomorrow 18:00”, “sat 14:00”, “+8h” or “07/12/2026 18:00”"
PERIOD_EXAMPLES = "“tomorrow 08:00-16:00”, “now to 18:00” or “sat 14-22”"
# How long "free now" (one moment, no end) looks: that moment only.
MOMENT_ONLY = timedelta(minutes=1)

_WEEKDAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "weds": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
_DAY_WORDS = {"today": 0, "tod": 0, "tomorrow": 1, "tom": 1, "tmrw": 1, "tomoz": 1}
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})|(\d{2})(\d{2})")
_AM_PM = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)")
_HOUR = re.compile(r"\d{1,2}")
_RELATIVE = re.compile(r"\+\s*((?:\d{1,4}\s*(?:w|d|h|m|min|mins|hrs?|days?|weeks?)\s*)+)")
_RELATIVE_PART = re.compile(r"(\d{1,4})\s*(w|d|h|m)")
_RANGE = re.compile(r"\s*(?:–|—|\bto\b|\buntil\b|\btill\b|\btil\b|(?<!^)-(?=\s*[\d+a-z]))\s*")
# What a period or moment in words may begin with (so "hands free radio" stays words).
STARTS_LIKE_A_TIME = re.compile(
    r"(now|today|tod|tomorrow|tom|tmrw|tomoz|noon|"
    + "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
    + r")\b|\d|\+",
)


@dataclass(frozen=True)
class _Words:
    """A moment as typed, not yet placed against the clock."""

    now: bool = False
    day: date | None = None
    clock: time | None = None
    # A bare hour ("8", "22"): a time only after a day, or as one end of a period.
    bare_hour: int | None = None
    elapsed: timedelta | None = None  # +30m, +8h
    days: int = 0  # +2d, +1w


@dataclass(frozen=True)
class Period:
    """A period read from words: aware moments (UTC), ``end`` after ``start``."""

    start: datetime
    end: datetime

    @property
    def moment_only(self) -> bool:
        return self.end - self.start <= MOMENT_ONLY

    def said(self) -> str:
        """The period as people read it: "Tue 08/12/2026 08:00 – 16:00"."""
        if self.moment_only:
            return f"at {said_with_weekday(self.start)}"
        start, end = self.start.astimezone(UK), self.end.astimezone(UK)
        if start.date() == end.date():
            return f"{said_with_weekday(start)} – {end:%H:%M}"
        return f"{said_with_weekday(start)} – {said_with_weekday(end)}"


def said_with_weekday(moment: datetime) -> str:
    """A moment as "Tue 08/12/2026 18:00"."""
    return f"{moment.astimezone(UK):%a} {format_datetime(moment)}"


def _unreadable(text: str, what: str) -> BadDate:
    return BadDate(
        f"“{text.strip()}” is not a {what} Kit Share understands: type, for example, {EXAMPLES}."
    )


def _read_day(token: str, today: date) -> date | None:
    if token in _DAY_WORDS:
        return today + timedelta(days=_DAY_WORDS[token])
    if token in _WEEKDAYS:
        return today + timedelta(days=(_WEEKDAYS[token] - today.weekday()) % 7)
    found = _DATE.fullmatch(token)
    if not found:
        return None
    day, month, year = int(found[1]), int(found[2]), found[3]
    try:
        if year is not None:
            return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        this_year = date(today.year, month, day)
    except ValueError:
        raise BadDate(
            f"“{token}” is not a day on the calendar; check the day and the month (DD/MM/YYYY)."
        ) from None
    return this_year if this_year >= today else date(today.year + 1, month, day)


def _clock(hour: int, minute: int, token: str) -> time:
    if hour > 23 or minute > 59:
        raise BadDate(f"“{token}” is not a time on the clock: give 00:00 to 23:59 (24-hour).")
    return time(hour, minute)


def _read_clock(token: str) -> time | None:
    if token == "noon":
        return time(12)
    if found := _CLOCK.fullmatch(token):
        hour, minute = (found[1], found[2]) if found[1] else (found[3], found[4])
        return _clock(int(hour), int(minute), token)
    if found := _AM_PM.fullmatch(token):
        hour = int(found[1])
        if not 1 <= hour <= 12:
            raise BadDate(f"“{token}” is not a time on the clock: give 1am to 12pm, or 24-hour.")
        hour = hour % 12 + (12 if found[3] == "pm" else 0)
        return _clock(hour, int(found[2] or 0), token)
    return None


def _read_relative(text: str) -> _Words | None:
    found = _RELATIVE.fullmatch(text)
    if not found:
        return None
    elapsed, days = timedelta(0), 0
    for amount, unit in _RELATIVE_PART.findall(found[1]):
        number = int(amount)
        if unit == "w":
            days += 7 * number
        elif unit == "d":
            days += number
        elif unit == "h":
            elapsed += timedelta(hours=number)
        else:
            elapsed += timedelta(minutes=number)
    return _Words(elapsed=elapsed, days=days)


def _read_words(text: str, today: date, what: str) -> _Words:
    """``text`` (lower case, trimmed) as a moment's parts; ``BadDate`` if unreadable."""
    if text == "now":
        return _Words(now=True)
    if relative := _read_relative(text):
        return relative
    tokens = re.sub(r"(\d)\s+(am|pm)\b", r"\1\2", text).replace(",", " ").split()
    if tokens and tokens[0] in {"at", "on"}:
        tokens = tokens[1:]
    if not tokens or len(tokens) > 2:
        raise _unreadable(text, what)
    day = _read_day(tokens[0], today)
    rest = tokens[1:] if day is not None else tokens
    if day is not None and not rest:
        return _Words(day=day)
    if len(rest) != 1:
        raise _unreadable(text, what)
    token = rest[0].removeprefix("at")
    clock = _read_clock(token)
    if clock is not None:
        return _Words(day=day, clock=clock)
    if _HOUR.fullmatch(token):
        return _Words(day=day, bare_hour=int(token))
    raise _unreadable(text, what)


def _wall(day: date, clock: time, what: str) -> datetime:
    # In UTC: Python subtracts and compares two times of one zone by their wall clocks,
    # which is an hour out across a clock change.
    return uk_wall_time(datetime.combine(day, clock), what).astimezone(UTC)


def _place(
    words: _Words,
    base: datetime,
    what: str,
    *,
    default_clock: time | None,
    next_if_gone: bool,
) -> datetime:
    """The moment ``words`` mean, counted from ``base`` (an aware moment)."""
    wall = base.astimezone(UK)
    if words.now:
        return base.astimezone(UTC)
    if words.elapsed is not None:
        moment = base.astimezone(UTC)
        if words.days:
            moment = _wall(wall.date() + timedelta(days=words.days), wall.time(), what)
        return moment + words.elapsed
    clock = words.clock
    if clock is None and words.bare_hour is not None:
        if words.day is None:
            raise BadDate(
                f"“{words.bare_hour}” alone is not a time: write it with minutes "
                f"({words.bare_hour:02d}:00) or after a day (“tomorrow {words.bare_hour}”)."
            )
        clock = _clock(words.bare_hour, 0, str(words.bare_hour))
    if words.day is not None:
        return _wall(words.day, clock or default_clock or time(0), what)
    assert clock is not None
    moment = _wall(wall.date(), clock, what)
    if next_if_gone and moment <= base.astimezone(UTC).replace(second=0, microsecond=0):
        moment = _wall(wall.date() + timedelta(days=1), clock, what)
    return moment


def parse_moment(
    text: str,
    *,
    now: datetime | None = None,
    what: str = "date and time",
    default_clock: time | None = None,
) -> datetime:
    """The moment ``text`` means (aware, in UTC), or ``BadDate`` saying what to type.

    ``default_clock`` is the time of a day given alone ("sat"): a date field passes the
    time it shows, so typing a day moves only the day; else midnight.
    """
    cleaned = " ".join(text.lower().split())
    if not cleaned:
        raise BadDate(f"Give a {what}: type, for example, {EXAMPLES}.")
    base = now or now_utc()
    try:
        words = _read_words(cleaned, base.astimezone(UK).date(), what)
    except BadDate as unreadable:
        try:  # what the older fields took: 07/12/2026 18:00, ISO 2026-12-07T18:00
            return parse_uk_datetime(text, what).astimezone(UTC)
        except BadDate:
            raise unreadable from None
    return _place(words, base, what, default_clock=default_clock, next_if_gone=True)


def _split_period(text: str) -> tuple[str, str] | None:
    parts = _RANGE.split(text, maxsplit=1)
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        return None
    return parts[0].strip(), parts[1].strip()


def parse_period(text: str, *, now: datetime | None = None) -> Period:
    """The period ``text`` means, or ``BadDate`` saying what to type instead."""
    cleaned = " ".join(text.lower().split())
    base = now or now_utc()
    today = base.astimezone(UK).date()
    split = _split_period(cleaned)
    if split is None:
        words = _read_words(cleaned, today, "time") if cleaned else None
        if words is None:
            raise BadDate(f"Give a period: type, for example, {PERIOD_EXAMPLES}.")
        if words.day is not None and words.clock is None and words.bare_hour is None:
            start = _wall(words.day, time(0), "start of the period")
            return Period(start, _wall(words.day + timedelta(days=1), time(0), "end"))
        start = _place(words, base, "time", default_clock=None, next_if_gone=True)
        return Period(start, start + MOMENT_ONLY)
    first, second = (_read_words(part, today, "time") for part in split)
    if first.bare_hour is not None and first.day is None and second.bare_hour is not None:
        first = _Words(clock=_clock(first.bare_hour, 0, split[0]))
    if second.bare_hour is not None and second.day is None:
        second = _Words(clock=_clock(second.bare_hour, 0, split[1]))
    return _period_of(first, second, base, split)


def _period_of(first: _Words, second: _Words, base: datetime, typed: tuple[str, str]) -> Period:
    start = _place(first, base, "start of the period", default_clock=None, next_if_gone=False)
    clock_only = first.day is None and first.clock is not None
    if second.elapsed is not None or second.now:
        end = _place(second, start, "end of the period", default_clock=None, next_if_gone=False)
    elif second.day is None:
        assert second.clock is not None
        end = _wall(start.astimezone(UK).date(), second.clock, "end of the period")
    else:
        end = _place(second, base, "end of the period", default_clock=None, next_if_gone=False)
    if clock_only and end > start and end <= base:
        # Today's shift is over: the same hours tomorrow.
        start, end = (
            _wall(wall.date() + timedelta(days=1), wall.time(), what)
            for wall, what in (
                (start.astimezone(UK), "start of the period"),
                (end.astimezone(UK), "end of the period"),
            )
        )
    if end <= start:
        raise BadDate(
            f"The period “{typed[0]} to {typed[1]}” ends ({format_datetime(end)}) before it "
            f"starts ({format_datetime(start)}); give the end after the start, and for a "
            f"period past midnight give the end's day too, e.g. “{typed[0]} to "
            f"{_next_day_word(start)} {typed[1]}”."
        )
    return Period(start, end)


def _next_day_word(start: datetime) -> str:
    return f"{(start.astimezone(UK).date() + timedelta(days=1)):%a}".lower()
