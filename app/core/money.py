"""Money as people in the UK type it and read it: one parser and one formatter.

Kit Share keeps money as whole pence (an ``int``). Every place that reads an amount —
the item and protocol dialogs, the command line, a spreadsheet import — goes through
``parse_pounds``, and every place that shows one through ``format_pence``, so "12.345"
cannot be refused in one window and rounded in another.

What is read: "£1,234.50", "1234.5", "1,234", " £12 ", "12.", ".50", and "GBP 12" or
"12 GBP" (other systems' exports write the currency so; a person typing it means the
same). Spaces anywhere are ignored ("£ 1 250.00"). What is refused, with a sentence
saying what to type: more than two figures after the point (a fraction of a penny is a
slip, not something to round), a minus sign (no amount Kit Share keeps is below
nothing), commas other than between thousands ("£1,2" is not twelve pounds), another
currency, and anything that is not a number.
"""

from __future__ import annotations

import re

from app.core.errors import Refusal
from app.core.text import clean_text

# One currency mark, before or after; then pounds with commas only between thousands.
_CURRENCY = re.compile(r"(?P<before>£|GBP)?(?P<number>.*?)(?P<after>GBP)?", re.IGNORECASE)
_AMOUNT = re.compile(r"(?P<pounds>\d{1,3}(?:,\d{3})+|\d*)(?:\.(?P<pence>\d*))?", re.ASCII)
_DIGITS_AND_COMMAS = re.compile(r"[\d,]*\.?\d*", re.ASCII)
_MINUS_SIGNS = ("-", "\u2212")


def parse_pounds(text: str, label: str = "") -> int | None:
    """An amount of money typed in pounds, in pence; None when blank.

    Raises ``ValueError`` whose message says what to type, beginning with ``label``
    (such as "The replacement value") when one is given.
    """
    cleaned = clean_text(text).strip()
    if not cleaned:
        return None
    subject = f"{label} “{cleaned}”" if label else f"“{cleaned}”"
    number, negative = _unsigned(cleaned.replace(" ", ""))
    amount = _AMOUNT.fullmatch(number or "")
    if number is None or amount is None or not re.search(r"\d", number, re.ASCII):
        if number and _DIGITS_AND_COMMAS.fullmatch(number) and re.search(r"\d", number):
            raise ValueError(
                f"{subject} has a comma out of place; put commas only between thousands, "
                "as in 1,250.00, or leave them out."
            )
        raise ValueError(
            f"{subject} is not an amount in pounds; type pounds and pence, such as 1,250.00 or £12."
        )
    if negative:
        raise ValueError(
            f"{subject} cannot be negative; type an amount of £0.00 or more, without a minus sign."
        )
    pence = amount["pence"] or ""
    if len(pence) > 2:
        raise ValueError(
            f"{subject} has fractions of a penny; give at most two figures after the point, "
            "such as 12.50."
        )
    pounds = int(amount["pounds"].replace(",", "") or "0")
    return pounds * 100 + int(pence.ljust(2, "0"))


def _unsigned(text: str) -> tuple[str | None, bool]:
    """The number in ``text`` without its currency mark or minus sign (None if it has
    two of either), and whether it had a minus sign ("-£3", "£-3", "-3 GBP")."""
    negative = text.startswith(_MINUS_SIGNS)
    if negative:
        text = text[1:]
    found = _CURRENCY.fullmatch(text)
    if found is None or (found["before"] and found["after"]):
        return None, negative
    number: str = found["number"]
    if number.startswith(_MINUS_SIGNS):
        if negative:
            return None, negative
        number, negative = number[1:], True
    return number, negative


def read_amount(text: str, field: str) -> tuple[int | None, list[Refusal]]:
    """A form's money field as pence, or None and the refusal that says what to type."""
    try:
        return parse_pounds(text), []
    except ValueError as error:
        return None, [Refusal("amount", str(error), field)]


def format_pence(value: int | None) -> str:
    """Pence as people read money: "£1,234.50" ("-£3.00" below nothing); "" for None."""
    if value is None:
        return ""
    pounds, pence = divmod(abs(value), 100)
    sign = "-" if value < 0 else ""
    return f"{sign}£{pounds:,}.{pence:02d}"
