"""What every loan dialog shares: checking as you type, the message saying which rule
blocks, and the fields for people, times, condition and meter readings.

The dialogs hold no rules: a change of any field starts a short timer, and when it fires
the dialog asks the service's ``check_*`` function what is wrong. OK hands the form to
the service, which checks everything again; a refusal then (another station booked the
kit a moment ago) is shown in the same place and the form stays as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from PySide6.QtCore import QDate, QDateTime, QSignalBlocker, Qt, QTime, QTimer, QTimeZone, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.audit.record import Actor
from app.catalogue.directory import PersonRef
from app.core.clock import UK, uk_wall_time
from app.core.errors import BadDate, DomainError, Refusal
from app.loans.service import LoanRefused, LoanView, Readings
from app.storage.database import Database
from models import Condition
from ui.widgets.dates import keep_to_kit_share_years

W = TypeVar("W", bound=QWidget)

CHECK_DELAY_MS = 150
DATETIME_FORMAT = "dd/MM/yyyy HH:mm"

# Each message kind sets its text and background explicitly, so it reads the same under
# a light or a dark palette: (text, background, border).
REFUSED_STYLE = ("#8c1d18", "#fdecea", "#b3261e")
TO_DO_STYLE = ("#6b4100", "#fff4e0", "#b26a00")
READY_STYLE = ("#1e5e2f", "#e9f5ec", "#1e7b34")

# Refusals of this rule only ask for something not yet filled in: amber, not red.
TO_DO_RULES = {"details"}

CONDITION_LABELS = {
    Condition.NEW: "New",
    Condition.GOOD: "Good",
    Condition.FAIR: "Fair",
    Condition.POOR: "Poor",
    Condition.UNSERVICEABLE: "Unserviceable",
}

# The readings a category can track: label, highest value, suffix.
READING_FIELDS = {
    "fuel": ("Fuel", 100, " %"),
    "hours": ("Engine hours", 999_999, " h"),
    "battery": ("Battery", 100, " %"),
    "mileage": ("Mileage", 9_999_999, " miles"),
}
NOT_READ = "Not read"


def named(widget: W, name: str) -> W:
    """``widget`` with its object name set, so tests and style sheets can find it."""
    widget.setObjectName(name)
    return widget


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


class PersonCombo(QComboBox):
    """A choice of person, or none (the placeholder) until one is picked."""

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._placeholder = placeholder
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(24)

    def set_people(self, people: Iterable[PersonRef], *, keep: int | None = None) -> None:
        """List ``people``; keep ``keep`` (or the current choice) chosen if listed."""
        chosen = keep if keep is not None else self.person_id()
        with QSignalBlocker(self):
            self.clear()
            self.addItem(self._placeholder, None)
            for person in people:
                # The list is one agency's people, so the agency is not repeated.
                self.addItem(f"{person.name} ({person.staff_number})", person.id)
            self.setCurrentIndex(max(self.findData(chosen), 0))
        self.currentIndexChanged.emit(self.currentIndex())

    def person_id(self) -> int | None:
        value = self.currentData()
        return int(value) if value is not None else None

    def choose(self, person_id: int | None) -> None:
        self.setCurrentIndex(max(self.findData(person_id), 0))


class ConditionCombo(QComboBox):
    """A condition, or "as recorded" (None) to leave the catalogue's record as it is."""

    def __init__(self, unchanged_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItem(unchanged_text, None)
        for condition, label in CONDITION_LABELS.items():
            self.addItem(label, condition)

    def condition(self) -> Condition | None:
        value = self.currentData()
        return value if isinstance(value, Condition) else None


class ReadingsEditor(QWidget):
    """Spin boxes for the readings an item tracks; "Not read" leaves one blank."""

    changed = Signal()

    def __init__(self, tracks: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spins: dict[str, QSpinBox] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(12)
        for name in tracks:
            if name not in READING_FIELDS:
                continue
            label, highest, suffix = READING_FIELDS[name]
            spin = named(QSpinBox(), f"reading_{name}")
            # One below zero is "Not read": a blank reading, not a reading of nothing.
            spin.setRange(-1, highest)
            spin.setSpecialValueText(NOT_READ)
            spin.setSuffix(suffix)
            spin.setValue(-1)
            spin.setAccessibleName(label)
            fit_spin(spin, NOT_READ + suffix)
            spin.valueChanged.connect(self.changed)
            caption = QLabel(label)
            caption.setBuddy(spin)
            row.addWidget(caption)
            row.addWidget(spin)
            self.spins[name] = spin
        row.addStretch(1)

    @property
    def is_empty(self) -> bool:
        return not self.spins

    def set_readings(self, readings: Readings) -> None:
        for name, value in _reading_values(readings).items():
            if name in self.spins and value is not None:
                self.spins[name].setValue(value)

    def readings(self) -> Readings:
        def value(name: str) -> int | None:
            spin = self.spins.get(name)
            return spin.value() if spin is not None and spin.value() >= 0 else None

        return Readings(
            fuel_percent=value("fuel"),
            hours=value("hours"),
            battery_percent=value("battery"),
            mileage=value("mileage"),
        )


def _reading_values(readings: Readings) -> dict[str, int | None]:
    return {
        "fuel": readings.fuel_percent,
        "hours": readings.hours,
        "battery": readings.battery_percent,
        "mileage": readings.mileage,
    }


def items_text(loan: LoanView) -> str:
    """The kit on a loan: "20 × CFR-000250 Cordon barrier" for one line, tags for more."""
    if len(loan.lines) != 1:
        return loan.items_summary
    line = loan.lines[0]
    amount = f"{line.quantity} × " if line.is_pooled else ""
    return f"{amount}{line.asset_tag} {line.item_name}"


def fit_spin(spin: QAbstractSpinBox, sample: str) -> None:
    """Make ``spin`` wide enough for ``sample`` and its buttons."""
    spin.setMinimumWidth(spin.fontMetrics().horizontalAdvance(sample) + 44)


def form_layout() -> QFormLayout:
    form = QFormLayout()
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(8)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


def heading(text: str) -> QLabel:
    """A line of bold text at the top of a dialog: what the dialog is about."""
    label = QLabel(text)
    label.setWordWrap(True)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.15)
    font.setBold(True)
    label.setFont(font)
    return label


def muted(text: str) -> QLabel:
    """Secondary text: grey from the palette, so it reads on light and dark alike."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class LoanFormDialog(QDialog):
    """A form for one loan action that says, as the person types, what stops it.

    Subclasses build their fields with ``add_field``, call ``watch`` on every input,
    and override ``check`` (the service's check, no saving), ``save`` (the service's
    action, which may raise ``DomainError``) and ``ready_text``.
    """

    def __init__(
        self, db: Database, actor: Actor, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self.setWindowTitle(title)
        self.setMinimumWidth(600)
        self._fields: dict[str, tuple[QWidget, QLabel | None]] = {}
        self._marked: set[str] = set()
        # A refusal from the last save, shown until the person changes something.
        self._save_refusals: list[Refusal] = []
        self.problems: list[Refusal] = []

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self.check_now)

        self.message_label = named(QLabel(), "loanMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 16)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button: QPushButton = named(ok, "okButton")
        self.buttons.accepted.connect(self._on_ok_clicked)
        self.buttons.rejected.connect(self.reject)

    # Building -----------------------------------------------------------------------------

    def finish(self, *parts: QWidget | QLayout, ok_text: str = "OK") -> None:
        """Lay the dialog out: ``parts`` from the top, then the message and the buttons."""
        self.ok_button.setText(ok_text)
        outer = QVBoxLayout(self)
        outer.setSpacing(10)
        for part in parts:
            if isinstance(part, QLayout):
                outer.addLayout(part)
            else:
                outer.addWidget(part)
        outer.addStretch(1)
        outer.addWidget(self.message_label)
        outer.addWidget(self.buttons)
        self.check_now()

    def add_field(
        self,
        form: QFormLayout,
        label: str,
        widget: QWidget,
        field: str | None = None,
        *,
        mark: QWidget | None = None,
    ) -> None:
        """Add a labelled row; ``field`` is the ``Refusal.field`` that points at it, and
        ``mark`` the input to outline then (by default the whole row's widget)."""
        caption = QLabel(label)
        caption.setBuddy(mark or widget)
        form.addRow(caption, widget)
        if field is not None:
            self._fields[field] = (mark or widget, caption)

    def point_field(self, field: str, widget: QWidget, caption: QLabel | None = None) -> None:
        """Let refusals naming ``field`` mark ``widget`` (for widgets outside a form row)."""
        self._fields[field] = (widget, caption)

    def watch(self, *widgets: QWidget) -> None:
        """Check the form again shortly after any of ``widgets`` changes."""
        for widget in widgets:
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.textChanged.connect(self._on_input_changed)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self._on_input_changed)
            elif isinstance(widget, QDateTimeEdit):
                widget.dateTimeChanged.connect(self._on_input_changed)
            elif isinstance(widget, QSpinBox):
                widget.valueChanged.connect(self._on_input_changed)
            elif isinstance(widget, QCheckBox):
                widget.toggled.connect(self._on_input_changed)
            elif isinstance(widget, ReadingsEditor):
                widget.changed.connect(self._on_input_changed)
            else:
                raise TypeError(f"cannot watch a {type(widget).__name__}")

    # What subclasses say -------------------------------------------------------------------

    def check(self) -> list[Refusal]:
        """The rules the form breaks now, from the service; none by default."""
        return []

    def save(self) -> None:
        """Do the action through the service; raise ``DomainError`` to stay open."""
        raise NotImplementedError

    def ready_text(self) -> str:
        """What the message area says when nothing stops the action."""
        return "Nothing stops this."

    # Checking ------------------------------------------------------------------------------

    @property
    def checking(self) -> bool:
        """Whether a check is waiting for the person to stop typing."""
        return self._check_timer.isActive()

    def marked_fields(self) -> set[str]:
        """The fields marked as the cause of the message shown."""
        return set(self._marked)

    def message(self) -> str:
        return self.message_label.text()

    def check_now(self) -> None:
        """Ask the service what stops the action, and show it."""
        self._check_timer.stop()
        found = self._time_problems()
        try:
            found = found or self.check()
        except DomainError as error:
            found = [Refusal("details", error.message)]
        self.problems = found
        self._show(self._save_refusals or found)
        self.ok_button.setEnabled(not found)

    def _time_problems(self) -> list[Refusal]:
        """A time no UK clock shows once, in any of the form's time fields: no service
        can tell, as by then it is one moment like any other."""
        problems = []
        for field, (widget, _caption) in self._fields.items():
            for edit in (widget, *widget.findChildren(UkDateTimeEdit)):
                if isinstance(edit, UkDateTimeEdit) and (problem := edit.problem()):
                    problems.append(Refusal("period", problem, field))
        return problems

    def _on_input_changed(self, *_args: object) -> None:
        self._save_refusals = []
        self._check_timer.start()

    def _show(self, problems: Sequence[Refusal]) -> None:
        if problems:
            first = problems[0]
            to_do = all(p.rule in TO_DO_RULES for p in problems)
            text = first.message
            if len(problems) > 1:
                more = len(problems) - 1
                text += (
                    f"\nThen {more} more to fill in."
                    if to_do
                    else f"\n{more} more {'rule stops' if more == 1 else 'rules stop'} this too "
                    "(point here to read all)."
                )
                self.message_label.setToolTip("\n\n".join(p.message for p in problems))
            else:
                self.message_label.setToolTip("")
            style = TO_DO_STYLE if to_do else REFUSED_STYLE
            self._mark({first.field} if first.field else set(), style[2])
        else:
            text = self.ready_text()
            style = READY_STYLE
            self.message_label.setToolTip("")
            self._mark(set(), "")
        colour, background, border = style
        self.message_label.setText(text)
        self.message_label.setStyleSheet(
            f"QLabel {{ color: {colour}; background: {background}; "
            f"border: 1px solid {border}; border-radius: 4px; padding: 6px 8px; }}"
        )

    def _mark(self, fields: set[str], colour: str) -> None:
        """Outline the inputs of ``fields`` and their labels in ``colour``."""
        known = {f for f in fields if f in self._fields}
        for field, (widget, caption) in self._fields.items():
            marked = field in known
            widget.setStyleSheet(
                f"border: 2px solid {colour}; border-radius: 3px;" if marked else ""
            )
            if caption is not None:
                caption.setStyleSheet(f"color: {colour}; font-weight: 600;" if marked else "")
        self._marked = known

    # Saving --------------------------------------------------------------------------------

    def _on_ok_clicked(self) -> None:
        self.check_now()
        if self.problems:
            return
        try:
            self.save()
        except DomainError as error:
            problems = (
                error.problems
                if isinstance(error, LoanRefused) and error.problems
                else [Refusal("refused", error.message)]
            )
            self._save_refusals = list(problems)
            self._show(self._save_refusals)
            return
        self.accept()
