"""A loan's period as a form asks for it: from, due back, and how long that is.

Moving the start moves the due time with it (the length is what was agreed); moving the
due time changes the length. A period the form sets itself (a default, the search's
wish) does not count as the person's own choice, so a later default may replace it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from app.loans.views import describe_duration
from ui.widgets.dates import UkDateTimeEdit
from ui.widgets.layout import muted, named


class LoanPeriod:
    """The from and due-back inputs of a loan form, and the length beside the due time."""

    def __init__(self, length: timedelta) -> None:
        self.length = length
        self.touched = False  # the person chose a time themselves
        self.starts_edit = named(UkDateTimeEdit(), "startsAt")
        self.due_edit = named(UkDateTimeEdit(), "dueAt")
        self.length_label: QLabel = named(muted(""), "loanLength")
        self.starts_edit.dateTimeChanged.connect(self._on_start_changed)
        self.due_edit.dateTimeChanged.connect(self._on_due_changed)

    def set(self, start: datetime) -> None:
        """Show ``start`` and a due time keeping the loan's length, without it counting
        as the person's own choice."""
        for edit, value in ((self.starts_edit, start), (self.due_edit, start + self.length)):
            with QSignalBlocker(edit):
                edit.set_moment(value)
        self._show_length()

    def take(self, start: datetime, due: datetime) -> None:
        """Start at ``start`` and end at ``due``, as the person asked before the form
        opened (in the search): their choice, which no default replaces."""
        if due > start:
            self.length = due - start
            self.set(start)
            self.touched = True

    def starts_at(self) -> datetime:
        return self.starts_edit.moment()

    def due_at(self) -> datetime:
        return self.due_edit.moment()

    def due_row(self) -> QWidget:
        """The due time with the loan's length beside it, for one row of a form."""
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.due_edit, 1)
        layout.addWidget(self.length_label)
        return row

    def _on_start_changed(self) -> None:
        self.touched = True
        with QSignalBlocker(self.due_edit):
            self.due_edit.set_moment(self.starts_edit.moment() + self.length)
        self._show_length()

    def _on_due_changed(self) -> None:
        self.touched = True
        self.length = self.due_edit.moment() - self.starts_edit.moment()
        self._show_length()

    def _show_length(self) -> None:
        length = self.due_edit.moment() - self.starts_edit.moment()
        self.length_label.setText(
            describe_duration(length) if length > timedelta(0) else "ends before it starts"
        )
