"""Moments and periods typed in words (app.core.when), in UK time, against a set clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from app.core.clock import UK
from app.core.errors import BadDate
from app.core.when import parse_moment, parse_period

# Monday 07/12/2026 at 10:30 (GMT).
MONDAY = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)
# Saturday 28/03/2026 at 22:00 GMT; the clocks go forward at 01:00 that night.
BEFORE_SPRING_FORWARD = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
# Saturday 24/10/2026 at 22:00 BST; the clocks go back at 02:00 that night.
BEFORE_FALL_BACK = datetime(2026, 10, 24, 21, 0, tzinfo=UTC)


def uk(day: int, month: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UK)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("now", MONDAY),
        ("NOW", MONDAY),
        ("today 18:00", uk(7, 12, 18)),
        ("tomorrow", uk(8, 12, 0)),
        ("tomorrow 08:00", uk(8, 12, 8)),
        ("tom 8", uk(8, 12, 8)),
        ("tmrw 8pm", uk(8, 12, 20)),
        ("sat 14:00", uk(12, 12, 14)),
        ("saturday 14.00", uk(12, 12, 14)),
        ("mon 09:00", uk(7, 12, 9)),  # a weekday is the next one, today included
        ("18:00", uk(7, 12, 18)),  # still to come today
        ("09:00", uk(8, 12, 9)),  # gone today: tomorrow's
        ("1800", uk(7, 12, 18)),
        ("6pm", uk(7, 12, 18)),
        ("8am", uk(8, 12, 8)),
        ("noon", uk(7, 12, 12)),
        ("+8h", MONDAY + timedelta(hours=8)),
        ("+30m", MONDAY + timedelta(minutes=30)),
        ("+1h30m", MONDAY + timedelta(minutes=90)),
        ("+2d", uk(9, 12, 10, 30)),
        ("+1w", uk(14, 12, 10, 30)),
        ("07/12 18:00", uk(7, 12, 18)),
        ("06/12 18:00", uk(6, 12, 18, year=2027)),  # gone this year: next year's
        ("7/12/26 18:00", uk(7, 12, 18)),
        ("07/12/2026 18:00", uk(7, 12, 18)),
        ("2026-12-09T10:00", uk(9, 12, 10)),
    ],
)
def test_a_moment_in_words(typed: str, meant: datetime) -> None:
    assert parse_moment(typed, now=MONDAY) == meant


def test_a_day_alone_takes_the_time_it_is_given() -> None:
    assert parse_moment("sat", now=MONDAY, default_clock=time(9, 15)) == uk(12, 12, 9, 15)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        (
            "teatime",
            "“teatime” is not a date and time Kit Share understands: type, for example, "
            "“now”, “tomorrow 18:00”, “sat 14:00”, “+8h” or “07/12/2026 18:00”.",
        ),
        ("25:00", "“25:00” is not a time on the clock: give 00:00 to 23:59 (24-hour)."),
        (
            "31/02",
            "“31/02” is not a day on the calendar; check the day and the month (DD/MM/YYYY).",
        ),
        (
            "8",
            "“8” alone is not a time: write it with minutes (08:00) or after a day (“tomorrow 8”).",
        ),
        (
            "",
            "Give a date and time: type, for example, “now”, “tomorrow 18:00”, “sat 14:00”, "
            "“+8h” or “07/12/2026 18:00”.",
        ),
        (
            "01/01/2100 10:00",
            "The date and time 01/01/2100 is outside the dates Kit Share takes; give one from "
            "01/01/1970 to 31/12/2099.",
        ),
    ],
)
def test_what_cannot_be_read_says_what_to_type(typed: str, said: str) -> None:
    with pytest.raises(BadDate) as refused:
        parse_moment(typed, now=MONDAY)
    assert refused.value.message == said


def test_eight_hours_across_the_spring_forward_night_are_eight_hours() -> None:
    moment = parse_moment("+8h", now=BEFORE_SPRING_FORWARD)

    assert moment - BEFORE_SPRING_FORWARD == timedelta(hours=8)
    assert moment.astimezone(UK) == uk(29, 3, 7)  # 06:00 GMT is 07:00 BST


def test_two_days_count_on_the_calendar_across_a_clock_change() -> None:
    moment = parse_moment("+2d", now=BEFORE_SPRING_FORWARD)
    assert moment == uk(30, 3, 22)  # the same time on the clock, 47 hours on


def test_a_time_the_clocks_skip_is_refused_with_the_clocks_sentence() -> None:
    with pytest.raises(BadDate) as refused:
        parse_moment("tomorrow 01:30", now=BEFORE_SPRING_FORWARD)
    assert refused.value.message == (
        "There is no 01:30 on 29/03/2026 in the UK: the clocks go forward from 01:00 to 02:00 "
        "that night; give a time before 01:00 or from 02:00."
    )


def test_a_time_the_clocks_show_twice_is_refused() -> None:
    with pytest.raises(BadDate) as refused:
        parse_moment("tomorrow 01:30", now=BEFORE_FALL_BACK)
    assert refused.value.message.startswith("01:30 on 25/10/2026 happens twice in the UK")


@pytest.mark.parametrize(
    ("typed", "start", "end", "said"),
    [
        (
            "tomorrow 08:00-16:00",
            uk(8, 12, 8),
            uk(8, 12, 16),
            "Tue 08/12/2026 08:00 – 16:00",
        ),
        ("now to 18:00", MONDAY, uk(7, 12, 18), "Mon 07/12/2026 10:30 – 18:00"),
        ("sat 14-22", uk(12, 12, 14), uk(12, 12, 22), "Sat 12/12/2026 14:00 – 22:00"),
        ("14-22", uk(7, 12, 14), uk(7, 12, 22), "Mon 07/12/2026 14:00 – 22:00"),
        # Today's shift is on still; one that is over is tomorrow's.
        ("08:00-16:00", uk(7, 12, 8), uk(7, 12, 16), "Mon 07/12/2026 08:00 – 16:00"),
        ("07:00–09:00", uk(8, 12, 7), uk(8, 12, 9), "Tue 08/12/2026 07:00 – 09:00"),
        ("now until +8h", MONDAY, MONDAY + timedelta(hours=8), "Mon 07/12/2026 10:30 – 18:30"),
        (
            "sat 22:00 to sun 06:00",
            uk(12, 12, 22),
            uk(13, 12, 6),
            "Sat 12/12/2026 22:00 – Sun 13/12/2026 06:00",
        ),
        ("tomorrow", uk(8, 12, 0), uk(9, 12, 0), "Tue 08/12/2026 00:00 – Wed 09/12/2026 00:00"),
        ("now", MONDAY, MONDAY + timedelta(minutes=1), "at Mon 07/12/2026 10:30"),
    ],
)
def test_a_period_in_words(typed: str, start: datetime, end: datetime, said: str) -> None:
    period = parse_period(typed, now=MONDAY)

    assert (period.start, period.end) == (start, end)
    assert period.said() == said


def test_a_period_ending_before_it_starts_says_how_to_cross_midnight() -> None:
    with pytest.raises(BadDate) as refused:
        parse_period("tomorrow 16:00-08:00", now=MONDAY)
    assert refused.value.message == (
        "The period “tomorrow 16:00 to 08:00” ends (08/12/2026 08:00) before it starts "
        "(08/12/2026 16:00); give the end after the start, and for a period past midnight "
        "give the end's day too, e.g. “tomorrow 16:00 to wed 08:00”."
    )


def test_a_period_of_eight_hours_across_the_spring_forward_night() -> None:
    period = parse_period("now to +8h", now=BEFORE_SPRING_FORWARD)
    assert period.end - period.start == timedelta(hours=8)


def test_a_period_may_not_end_in_an_hour_the_clocks_skip() -> None:
    with pytest.raises(BadDate) as refused:
        parse_period("now to tomorrow 01:30", now=BEFORE_SPRING_FORWARD)
    assert refused.value.message.startswith("There is no 01:30 on 29/03/2026 in the UK")
