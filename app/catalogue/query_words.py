"""What the search box says besides the words to look for: a period and a quantity.

"thermal drone free tomorrow 08:00-16:00" is the words "thermal drone" and "free between
08:00 and 16:00 tomorrow"; "barrier x10 free sat 14-22" also asks for 10 or more. The
period follows ``free`` to the end of the text and is read by ``app.core.when``; ``free``
is a word like any other when what follows it does not begin like a time ("hands free
radio"), and ``x10`` is a quantity only beside a period (otherwise it may be a model).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from app.catalogue.items import QUANTITY_MAX
from app.core.errors import BadDate
from app.core.text import counted
from app.core.when import STARTS_LIKE_A_TIME, Period, parse_period

_FREE = re.compile(r"(?:^|\s)(?:free|available)\s+(?=\S)", re.IGNORECASE)
_QUANTITY = re.compile(r"(?:^|\s)[x×](\d{1,7})(?=\s|$)", re.IGNORECASE)


@dataclass(frozen=True)
class QueryWords:
    """A search box's text, read: the words to search for and what else it asked."""

    words: str
    period: Period | None = None
    quantity: int = 1
    # Why the period or quantity cannot be taken, in a sentence saying what to type.
    problem: str | None = None

    @property
    def asks_more(self) -> bool:
        """Whether the text asked for more than words (a period, perhaps with a problem)."""
        return self.period is not None or self.problem is not None

    def said(self) -> str:
        """What was understood, as a line under the box ("" if only words)."""
        if self.period is None:
            return ""
        said = f"Free {self.period.said()}"
        if self.quantity > 1:
            said += f" · {self.quantity:,} or more"
        return said


def read_query(text: str, *, now: datetime | None = None) -> QueryWords:
    """``text`` as words, plus the period after ``free`` and an ``x10`` quantity."""
    found = next(
        (m for m in _FREE.finditer(text) if STARTS_LIKE_A_TIME.match(text[m.end() :].lower())),
        None,
    )
    if found is None:
        return QueryWords(words=text)
    words, period_text = text[: found.start()], text[found.end() :].strip()
    quantity = 1
    if wanted := _QUANTITY.search(words):
        quantity = int(wanted[1])
        words = words[: wanted.start()] + words[wanted.end() :]
    words = " ".join(words.split())
    if not 1 <= quantity <= QUANTITY_MAX:
        return QueryWords(
            words=words,
            problem=(
                f"“{wanted[0].strip() if wanted else ''}” asks for {counted(quantity, 'unit')}: "
                f"ask for 1 to {QUANTITY_MAX:,}, e.g. “barrier x10 free now to 18:00”."
            ),
        )
    try:
        period = parse_period(period_text, now=now)
    except BadDate as error:
        return QueryWords(words=words, quantity=quantity, problem=error.message)
    return QueryWords(words=words, period=period, quantity=quantity)
