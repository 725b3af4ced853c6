"""Checks every service runs on what a person types: the one "required text, at most N
characters" rule, so that each form says it in the same words.
"""

from __future__ import annotations

from app.core.errors import Refusal


def too_long(what: str, length: int, limit: int) -> str:
    """ "The title is 301 characters long; shorten it to 300 or fewer." """
    return f"{what} is {length} characters long; shorten it to {limit} or fewer."


def text_problems(
    value: str, *, field: str, limit: int, what: str, missing: str | None = None
) -> list[Refusal]:
    """What is wrong with the text ``value`` typed into ``field``: ``missing`` if it is
    blank and must not be (give ``missing`` only for a required text); "shorten it" if,
    without the spaces around it, it is longer than ``limit``. ``what`` names the text in
    that sentence ("The title")."""
    text = value.strip()
    if not text and missing is not None:
        return [Refusal(field, missing, field)]
    if len(text) > limit:
        return [Refusal(field, too_long(what, len(text), limit), field)]
    return []


def choice_refusal(
    rule: str, chosen_id: int | None, *, field: str, what: str, missing: str = ""
) -> Refusal:
    """Why the record chosen from a list in ``field`` cannot be used: ``missing`` when
    nothing was chosen; else there is no ``what`` with id ``chosen_id`` (another station
    removed it, say)."""
    if chosen_id is None:
        return Refusal(rule, missing, field)
    return Refusal(
        rule, f"There is no {what} with id {chosen_id}; choose one from the list.", field
    )
