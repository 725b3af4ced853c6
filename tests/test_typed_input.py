"""What a person types, read in one place: dates and times in ``app.core.clock``, text in
``app.core.text``. The services and both front ends use these, so their edge cases are here."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.core.clock import (
    DATE_RANGE,
    UK,
    check_moment,
    day_problem,
    format_date,
    format_datetime,
    moment_problem,
    parse_uk_date,
    parse_uk_datetime,
)
from app.core.errors import BadDate, DomainError
from app.core.text import clean_fields, clean_text

OUT_OF_RANGE = "is outside the dates Kit Share takes; give one from 01/01/1970 to 31/12/2099."


def test_the_range_is_said_the_same_way_everywhere() -> None:
    assert DATE_RANGE == "from 01/01/1970 to 31/12/2099"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0001-01-01T00:00+05:00", f"The date and time 01/01/0001 {OUT_OF_RANGE}"),
        ("9999-12-31T23:59-05:00", f"The date and time 31/12/9999 {OUT_OF_RANGE}"),
        ("01/01/0001 00:00", f"The date and time 01/01/0001 {OUT_OF_RANGE}"),
        ("31/12/9999 23:59", f"The date and time 31/12/9999 {OUT_OF_RANGE}"),
        ("31/12/1969 23:59", f"The date and time 31/12/1969 {OUT_OF_RANGE}"),
        ("01/01/2100 00:00", f"The date and time 01/01/2100 {OUT_OF_RANGE}"),
        (
            "29/02/2027 10:00",
            "“29/02/2027 10:00” is not a date and time Kit Share understands: there is no such "
            "day or time on the calendar; check it against DD/MM/YYYY HH:MM (24-hour, 00:00 "
            "to 23:59).",
        ),
        (
            "10/12/2026 24:00",
            "“10/12/2026 24:00” is not a date and time Kit Share understands: there is no such "
            "day or time on the calendar; check it against DD/MM/YYYY HH:MM (24-hour, 00:00 "
            "to 23:59).",
        ),
        (
            "30/03/2031 01:30",
            "There is no 01:30 on 30/03/2031 in the UK: the clocks go forward from 01:00 to "
            "02:00 that night; give a time before 01:00 or from 02:00.",
        ),
        (
            "26/10/2031 01:30",
            "01:30 on 26/10/2031 happens twice in the UK, as the clocks go back from 02:00 to "
            "01:00 that night; give a time before 01:00 or from 02:00, or on the command line "
            "add +01:00 (the first) or +00:00 (the second).",
        ),
        (
            "tomorrow",
            "“tomorrow” is not a date and time Kit Share understands: use DD/MM/YYYY HH:MM "
            "(24-hour), e.g. 21/11/2026 14:30.",
        ),
    ],
)
def test_a_date_and_time_that_cannot_be_is_refused_with_what_to_type(
    typed: str, message: str
) -> None:
    with pytest.raises(BadDate) as raised:
        parse_uk_datetime(typed)
    assert raised.value.message == message
    assert isinstance(raised.value, DomainError)


@pytest.mark.parametrize(
    ("typed", "utc"),
    [
        ("01/01/1970 00:00", datetime(1969, 12, 31, 23, 0, tzinfo=UTC)),  # BST all that winter
        ("31/12/2099 23:59", datetime(2099, 12, 31, 23, 59, tzinfo=UTC)),
        ("30/03/2031 00:59", datetime(2031, 3, 30, 0, 59, tzinfo=UTC)),
        ("30/03/2031 02:00", datetime(2031, 3, 30, 1, 0, tzinfo=UTC)),
        ("2031-10-26T01:30+01:00", datetime(2031, 10, 26, 0, 30, tzinfo=UTC)),
        ("2031-10-26T01:30+00:00", datetime(2031, 10, 26, 1, 30, tzinfo=UTC)),
        ("29/02/2028 12:00", datetime(2028, 2, 29, 12, 0, tzinfo=UTC)),
        (" 21/11/2026 14:30 ", datetime(2026, 11, 21, 14, 30, tzinfo=UTC)),
    ],
)
def test_dates_and_times_at_the_edges_are_read_as_the_uk_clock_shows_them(
    typed: str, utc: datetime
) -> None:
    assert parse_uk_datetime(typed) == utc


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("01/01/0001", f"The date 01/01/0001 {OUT_OF_RANGE}"),
        ("31/12/9999", f"The date 31/12/9999 {OUT_OF_RANGE}"),
        (
            "29/02/2027",
            "“29/02/2027” is not a date on the calendar; check the day and the month (DD/MM/YYYY).",
        ),
        (
            "2026-07-01",
            "“2026-07-01” is not a date Kit Share understands: use DD/MM/YYYY, e.g. 21/11/2026.",
        ),
    ],
)
def test_a_day_that_cannot_be_is_refused(typed: str, message: str) -> None:
    with pytest.raises(BadDate) as raised:
        parse_uk_date(typed)
    assert raised.value.message == message


def test_a_day_in_range_is_read_and_blank_is_none() -> None:
    assert parse_uk_date("01/01/1970") == date(1970, 1, 1)
    assert parse_uk_date("31/12/2099") == date(2099, 12, 31)
    assert parse_uk_date("29/02/2028") == date(2028, 2, 29)
    assert parse_uk_date("  ") is None


def test_the_checks_services_use_name_the_field_and_the_range() -> None:
    assert day_problem(date(2026, 11, 21)) is None
    assert day_problem(date(1, 1, 1), "inspection date") == (
        f"The inspection date 01/01/0001 {OUT_OF_RANGE}"
    )
    year_one = datetime(1, 1, 1, tzinfo=UTC)
    assert moment_problem(year_one, "start") == f"The start 01/01/0001 {OUT_OF_RANGE}"
    with pytest.raises(BadDate, match="01/01/2100"):
        check_moment(datetime(2100, 1, 1, tzinfo=UK))


def test_years_before_1000_print_with_four_digits() -> None:
    assert format_date(date(1, 1, 1)) == "01/01/0001"
    assert format_datetime(datetime(2026, 7, 1, 13, 5, tzinfo=UTC)) == "01/07/2026 14:05"


# -- text -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "one_line", "multi_line"),
    [
        ("drone\x00", "drone", "drone"),
        ("dr\x00one", "drone", "drone"),
        ("\x00", "", ""),
        ("\x1b[31mred\x1b[0m", "[31mred[0m", "[31mred[0m"),
        ("bell\x07 and del\x7f", "bell and del", "bell and del"),
        ("two\r\nlines\rhere", "two lines here", "two\nlines\nhere"),
        ("tab\there", "tab here", "tab\there"),
        ("half a pair \ud83d", "half a pair \ufffd", "half a pair \ufffd"),
        ("from argv \udcff", "from argv \ufffd", "from argv \ufffd"),
        ("🚒 طائرة مسيرة", "🚒 طائرة مسيرة", "🚒 طائرة مسيرة"),
        ("page\x0cbreak", "page break", "page\nbreak"),
    ],
)
def test_text_is_cleaned_one_way_everywhere(typed: str, one_line: str, multi_line: str) -> None:
    assert clean_text(typed) == one_line
    assert clean_text(typed, multiline=True) == multi_line
    one_line.encode("utf-8")  # storable: no lone surrogates left


def test_a_draft_is_cleaned_field_by_field_and_a_password_is_left_alone() -> None:
    from app.agreements.clauses import ClauseDraft
    from app.agreements.register import MouDraft
    from app.people.accounts import UserDraft
    from models import Role

    mou = MouDraft(
        reference="REF\x00-1",
        title="A\ttitle",
        purpose="Line one\r\nline two\x00",
        clauses=(ClauseDraft(heading="Head\x00ing", body="Body\nwith\x00 lines"),),
    )
    cleaned = clean_fields(mou, multiline=("purpose", "body"))
    assert cleaned.reference == "REF-1"
    assert cleaned.title == "A title"
    assert cleaned.purpose == "Line one\nline two"
    assert cleaned.clauses == (ClauseDraft(heading="Heading", body="Body\nwith lines"),)

    user = UserDraft(username="ann\x00", person_id=1, role=Role.DUTY_OFFICER, password="pw\x00\t!")
    kept = clean_fields(user, keep=("password",))
    assert kept.username == "ann"
    assert kept.password == "pw\x00\t!"
