"""Date edits that offer only the years Kit Share takes (``app.core.clock``'s range).

The services refuse a date outside the range whatever sends it; limiting the edits as
well means a person scrolling or typing in the window never gets that far.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateTimeEdit

from app.core.clock import EARLIEST_DAY, LATEST_DAY


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


FIRST_QDATE = qdate(EARLIEST_DAY)
LAST_QDATE = qdate(LATEST_DAY)


def keep_to_kit_share_years(edit: QDateTimeEdit, *, first: QDate = FIRST_QDATE) -> None:
    """Let ``edit`` (a date or date-and-time edit) offer only Kit Share's dates.

    ``first`` may be earlier for an edit whose lowest value stands for "no date".
    """
    edit.setDateRange(first, LAST_QDATE)
