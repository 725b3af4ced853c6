"""Date inputs, all written DD/MM/YYYY and offering only the years Kit Share takes
(``app.core.clock``'s range): a date, a date that may be left unset, and a UK date and time.

The services refuse a date outside the range whatever sends it; limiting the edits as
well means a person scrolling or typing in the window never gets that far.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, QDateTime, QSignalBlocker, QTime, QTimeZone, Signal
from PySide6.QtWidgets import QCheckBox, QDateEdit, QDateTimeEdit, QHBoxLayout, QSizePolicy, QWidget

from app.core.clock import EARLIEST_DAY, LATEST_DAY, UK, today_uk, uk_wall_time
from app.core.errors import BadDate
from ui.widgets.layout import fit_spin, named

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


class UkDateTimeEdit(QDateTimeEdit):
    """A date and time as a UK station's wall clock shows it: DD/MM/YYYY HH:mm.

    The edit works in wall-clock time with no zone of its own, so the PC's time zone
    setting never shifts what is shown; ``moment`` attaches UK time when read.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTimeZone(QTimeZone(QTimeZone.Initialization.UTC))
        self.setDisplayFormat(DATETIME_FORMAT)
        self.setCalendarPopup(True)
        self.setCurrentSection(QDateTimeEdit.Section.DaySection)
        keep_to_kit_share_years(self)

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
        """Why the time shown cannot be taken (a UK clock skips it or shows it twice)."""
        try:
            uk_wall_time(self.wall_time())
        except BadDate as error:
            return error.message
        return None
