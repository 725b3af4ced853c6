"""Money parses one way everywhere: the cases that once disagreed between the item dialog,
the protocol dialog and the spreadsheet import, put to every entry point that reads an
amount. The dialogs' side is in ``tests/ui/test_money_fields.py``."""

from __future__ import annotations

import pytest

from app.core.money import format_pence, parse_pounds, read_amount
from app.transfer.values import Unreadable, pence

# What a person types, and the pence it means; None where it must be refused.
CASES: list[tuple[str, int | None]] = [
    ("£1,234.50", 123_450),
    ("£1,234.56", 123_456),
    ("1234.5", 123_450),
    ("1,234", 123_400),
    (" £12 ", 1_200),
    ("12.5", 1_250),
    ("12.", 1_200),
    (".50", 50),
    ("0", 0),
    ("£ 1 250.00", 125_000),
    ("GBP 12", 1_200),
    ("12 GBP", 1_200),
    ("gbp12.50", 1_250),
    ("12.345", None),
    ("12.999", None),
    ("12.500", None),
    ("-5", None),
    ("-£5", None),
    ("£-5", None),
    ("−5", None),
    ("£1,2", None),
    ("1,2,3", None),
    ("$12", None),
    ("€12", None),
    ("£12 GBP", None),
    ("twelve", None),
    ("1e3", None),
    ("NaN", None),
    ("--3", None),
    ("١٢", None),
]
READ = [(typed, expected) for typed, expected in CASES if expected is not None]
REFUSED = [typed for typed, expected in CASES if expected is None]


def refusal(typed: str, label: str = "") -> str:
    with pytest.raises(ValueError, match=r".") as raised:
        parse_pounds(typed, label)
    return str(raised.value)


@pytest.mark.parametrize(("typed", "expected"), READ)
def test_every_entry_point_reads_the_same_pence(typed: str, expected: int) -> None:
    assert parse_pounds(typed) == expected
    assert read_amount(typed, "rate") == (expected, [])
    assert pence(typed, "The replacement value") == expected


@pytest.mark.parametrize("typed", REFUSED)
def test_every_entry_point_refuses_the_same_amounts_saying_the_same(typed: str) -> None:
    message = refusal(typed)
    assert message.startswith(f"“{typed.strip()}” ")
    amount, problems = read_amount(typed, "rate")
    assert amount is None
    assert [(p.field, p.message) for p in problems] == [("rate", message)]
    with pytest.raises(Unreadable) as raised:
        pence(typed, "The replacement value")
    assert str(raised.value) == f"The replacement value {message}"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("12.345", "has fractions of a penny; give at most two figures after the point"),
        ("-5", "cannot be negative; type an amount of £0.00 or more"),
        ("£1,2", "has a comma out of place; put commas only between thousands"),
        ("$12", "is not an amount in pounds; type pounds and pence, such as 1,250.00 or £12."),
        ("£12 GBP", "is not an amount in pounds"),
    ],
)
def test_a_refusal_says_what_to_type(typed: str, says: str) -> None:
    assert says in refusal(typed)


@pytest.mark.parametrize("typed", ["", "   ", "\x00"])
def test_blank_is_no_amount(typed: str) -> None:
    assert parse_pounds(typed) is None
    assert read_amount(typed, "rate") == (None, [])


def test_control_characters_pasted_into_an_amount_are_dropped() -> None:
    assert parse_pounds("1\x00.50") == 150


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (None, ""),
        (0, "£0.00"),
        (5, "£0.05"),
        (1_250, "£12.50"),
        (123_450, "£1,234.50"),
        (2_147_483_647, "£21,474,836.47"),
        (-300, "-£3.00"),
    ],
)
def test_pence_are_shown_in_pounds_and_pence(amount: int | None, shown: str) -> None:
    assert format_pence(amount) == shown


@pytest.mark.parametrize("amount", [0, 5, 1_250, 123_450, 2_147_483_647])
def test_an_amount_shown_reads_back_as_itself(amount: int) -> None:
    assert parse_pounds(format_pence(amount)) == amount
