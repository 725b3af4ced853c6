"""Date inputs, all written DD/MM/YYYY and offering only the years Kit Share takes
(``app.core.clock``'s range): a date, a date that may be left unset, and a UK date and time.

The services refuse a date outside the range whatever sends it; limiting the edits as
well means a person scrolling or typing in the window never gets that far.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, QDateTime, QPoint, QSignalBlocker, Qt, QTime, QTimeZone, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QWidget,
)

from app.core.clock import EARLIEST_DAY, LATEST_DAY, UK, today_uk, uk_wall_time
from app.core.errors import BadDate
from app.core.when import parse_moment, said_with_weekday
from ui.widgets.layout import fit_spin, named
from ui.widgets.palette import INFO, REFUSED, coloured_text

DATE_FORMAT = "dd/MM/yyyy"
DATETIME_FORMAT = "dd/MM/yyyy HH:mm"
NOT_SET = "Not set"


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(shown: QDate) -> date:
    return date(shown.year(), shown.month(), shown.day())


FIRST_QDATE = qdate(EARLIEST_DAY)
LAST_QDATE = qdate(LATEST_DAY)
# The lowest date an optional date edit offers stands for none: the day before the first
# Kit Share takes.
NO_DATE = FIRST_QDATE.addDays(-1)


def keep_to_kit_share_years(edit: QDateTimeEdit, *, first: QDate = FIRST_QDATE) -> None:
    """Let ``edit`` (a date or date-and-time edit) offer only Kit Share's dates.

    ``first`` may be earlier for an edit whose lowest value stands for "no date".
    """
    edit.setDateRange(first, LAST_QDATE)


def uk_date_edit(name: str, label: str) -> QDateEdit:
    """A date edit showing DD/MM/YYYY, with a calendar to pick from, as wide as a date."""
    edit = named(QDateEdit(), name)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    edit.setAccessibleName(label)
    fit_spin(edit, "00/00/0000")
    edit.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    keep_to_kit_share_years(edit)
    return edit


class OptionalDateEdit(QWidget):
    """A date, or none: unticked, the date reads "Not set" and cannot be changed."""

    changed = Signal()

    def __init__(self, name: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.check = named(QCheckBox(), f"{name}_set")
        self.check.setToolTip(f"Tick to give the {label.lower()} date")
        self.check.setAccessibleName(f"{label}: has a date")
        self.edit = named(QDateEdit(), f"{name}_date")
        self.edit.setDisplayFormat(DATE_FORMAT)
        self.edit.setCalendarPopup(True)
        keep_to_kit_share_years(self.edit, first=NO_DATE)
        self.edit.setSpecialValueText(NOT_SET)
        self.edit.setAccessibleName(label)
        fit_spin(self.edit, "00/00/0000")
        self._last = today_uk()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.check)
        row.addWidget(self.edit)
        row.addStretch(1)
        self.set_value(None)
        self.check.toggled.connect(self._on_check_toggled)
        self.edit.dateChanged.connect(self._on_date_changed)

    def value(self) -> date | None:
        shown = self.edit.date()
        if not self.check.isChecked() or shown == NO_DATE:
            return None
        return pydate(shown)

    def set_value(self, value: date | None) -> None:
        with QSignalBlocker(self.check), QSignalBlocker(self.edit):
            self.check.setChecked(value is not None)
            self.edit.setEnabled(value is not None)
            if value is None:
                self.edit.setDate(NO_DATE)
            else:
                self._last = value
                self.edit.setDate(qdate(value))
        self.changed.emit()

    def set_read_only(self, read_only: bool) -> None:
        self.check.setEnabled(not read_only)
        self.edit.setReadOnly(read_only)

    def _on_check_toggled(self, checked: bool) -> None:
        if not checked:
            current = self.value()
            self._last = current or self._last
        self.set_value(self._last if checked else None)
        if checked:
            self.edit.setFocus()

    def _on_date_changed(self, _value: QDate) -> None:
        if self.check.isChecked():
            self.changed.emit()


TYPED_HINT = (
    "Type a date and time as a whole, or in words: now, tomorrow 18:00, sat 14:00, +8h, "
    "07/12 18:00. Enter or Tab takes it, Escape puts back what was there; the Up and Down "
    "arrows step the part the cursor is in."
)
UNDERSTOOD_STYLE = coloured_text(INFO, bold=True)
NOT_UNDERSTOOD_STYLE = coloured_text(REFUSED)
# How wide the line under a field saying what was understood may grow.
HINT_WIDTH = 360


class UkDateTimeEdit(QDateTimeEdit):
    """A date and time as a UK station's wall clock shows it: DD/MM/YYYY HH:mm.

    The edit works in wall-clock time with no zone of its own, so the PC's time zone
    setting never shifts what is shown; ``moment`` attaches UK time when read.

    Typing replaces what is shown with a line that takes the moment as a whole, in words
    or figures (``app.core.when``): "tomorrow 18:00", "+8h", "now", "07/12 18:00". As each
    key is typed the edit takes what the words mean (so a form checks it live) and a line
    just under it says the moment understood, or the sentence saying what to type; one Tab
    or Enter moves on, Escape puts back the moment from before. The arrow keys step as ever.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTimeZone(QTimeZone(QTimeZone.Initialization.UTC))
        self.setDisplayFormat(DATETIME_FORMAT)
        self.setCalendarPopup(True)
        self.setCurrentSection(QDateTimeEdit.Section.DaySection)
        self.setToolTip(TYPED_HINT)
        keep_to_kit_share_years(self)
        self.typed = _TypedLine(self)
        self.typed.setObjectName("typedMoment")
        self.typed.hide()
        self.typed.textEdited.connect(self._on_typed)
        self.understood = QLabel()
        self.understood.setObjectName("understoodMoment")
        self.understood.setWordWrap(True)
        self.understood.hide()
        self._typed_problem: str | None = None
        self._before: QDateTime | None = None

    def set_moment(self, value: datetime) -> None:
        wall = value.astimezone(UK)
        self.setDateTime(
            QDateTime(
                QDate(wall.year, wall.month, wall.day),
                QTime(wall.hour, wall.minute),
                QTimeZone(QTimeZone.Initialization.UTC),
            )
        )

    def wall_time(self) -> datetime:
        """The date and time shown, with no zone: as a UK wall clock reads."""
        shown = self.dateTime()
        day, clock = shown.date(), shown.time()
        return datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute())

    def moment(self) -> datetime:
        """The UK moment shown; in an hour the clocks skip or repeat, the first reading
        (``problem`` says so, and the dialogs refuse it)."""
        return self.wall_time().replace(tzinfo=UK).astimezone(UTC)

    def problem(self) -> str | None:
        """Why the time shown cannot be taken: words typed that say no moment, or a time
        a UK clock skips or shows twice."""
        if self._typed_problem:
            return self._typed_problem
        try:
            uk_wall_time(self.wall_time())
        except BadDate as error:
            return error.message
        return None

    @property
    def typing(self) -> bool:
        """Whether the person is typing a moment in words (the typed line is showing)."""
        return not self.typed.isHidden()

    # Typing as a whole -------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
        if plain and text and text.isprintable() and not self.isReadOnly():
            self.start_typing(text)
            return
        super().keyPressEvent(event)

    def start_typing(self, text: str = "") -> None:
        """Show the typed line over the date and time, holding ``text``, with the keyboard."""
        if not self.typing:
            self._before = self.dateTime()
            self.typed.setGeometry(self.lineEdit().geometry())
            self.typed.show()
            self.typed.setFocus(Qt.FocusReason.OtherFocusReason)
        self.typed.setText(text)
        self._on_typed(text)

    def take_typed(self) -> bool:
        """Take what was typed and show it as a date and time; False (and the line stays,
        saying why) if it says no moment."""
        if not self.typing:
            return True
        if self._typed_problem:
            return False
        self._finish_typing()
        return True

    def cancel_typing(self) -> None:
        """Put back the moment from before typing began."""
        if not self.typing:
            return
        self._typed_problem = None
        before = self._before
        self._finish_typing()
        if before is not None:
            self.setDateTime(before)
        self.dateTimeChanged.emit(self.dateTime())

    def focusNextPrevChild(self, next: bool) -> bool:
        # One Tab leaves the field (after taking what was typed), rather than walking
        # its day, month, year, hour and minute.
        if not self.take_typed():
            return True
        return QWidget.focusNextPrevChild(self, next)

    def _finish_typing(self) -> None:
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.typed.hide()
        self.understood.hide()
        self._before = None

    def _on_typed(self, text: str) -> None:
        try:
            moment = parse_moment(text, default_clock=self.wall_time().time())
        except BadDate as error:
            self._typed_problem = error.message
            self._say(error.message, NOT_UNDERSTOOD_STYLE)
            # Nothing half typed is taken: the moment from before stands, and the form
            # (which asks ``problem`` when the value changes) hears that the words changed.
            if self._before is not None and self.dateTime() != self._before:
                self.setDateTime(self._before)
            else:
                self.dateTimeChanged.emit(self.dateTime())
            return
        self._typed_problem = None
        self._say(said_with_weekday(moment), UNDERSTOOD_STYLE)
        before = self.dateTime()
        self.set_moment(moment)
        if self.dateTime() == before:
            self.dateTimeChanged.emit(before)

    def _say(self, text: str, style: str) -> None:
        """Show ``text`` in a line just under the field, over whatever is there."""
        host = self.window()
        if host is self:
            self.setToolTip(text)
            return
        if self.understood.parent() is not host:
            self.understood.setParent(host)
        self.understood.setText(text)
        self.understood.setStyleSheet(f"{style} background: palette(window); padding: 2px;")
        self.understood.setFixedWidth(max(self.width(), HINT_WIDTH))
        self.understood.adjustSize()
        below = self.mapTo(host, QPoint(0, self.height()))
        left = min(below.x(), max(0, host.width() - self.understood.width()))
        self.understood.move(left, below.y())
        self.understood.show()
        self.understood.raise_()


class _TypedLine(QLineEdit):
    """The line a moment is typed on, over its date and time edit."""

    def __init__(self, edit: UkDateTimeEdit) -> None:
        super().__init__(edit)
        self._edit = edit
        self.setFrame(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self._edit.cancel_typing()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._edit.take_typed():
                event.ignore()  # on to the dialog: Enter may submit the form
            return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self._edit.take_typed():
            self._edit.keyPressEvent(event)
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if event.reason() in (
            Qt.FocusReason.MouseFocusReason,
            Qt.FocusReason.ActiveWindowFocusReason,
        ):
            self._edit.take_typed()
