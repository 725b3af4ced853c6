"""What every loan dialog shares: the way a loan form says what stops it, meter
readings, and the kit on a loan in a line.

A loan form is a ``FormDialog`` like any other; it differs only in how it says the
problems. A loan's rules (notice, the longest loan, who may approve) refuse as the
person types, so the message names the first rule in red and counts the rest, and
only what is still to be filled in is amber.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QCompleter, QHBoxLayout, QLabel, QSpinBox, QWidget

from app.core.actor import Actor
from app.core.errors import Refusal
from app.loans.drafts import Readings
from app.loans.stops import stop_for
from app.loans.views import LoanView
from app.storage.database import Database
from ui.widgets.form import FormDialog, Said
from ui.widgets.layout import fit_spin, named
from ui.widgets.palette import REFUSED_STYLE, TO_DO_STYLE

# Refusals of this rule only ask for something not yet filled in: amber, not red.
TO_DO_RULES = {"details"}

# The readings a category can track: label, highest value, suffix.
READING_FIELDS = {
    "fuel": ("Fuel", 100, " %"),
    "hours": ("Engine hours", 999_999, " h"),
    "battery": ("Battery", 100, " %"),
    "mileage": ("Mileage", 9_999_999, " miles"),
}
NOT_READ = "Not read"


class LoanFormDialog(FormDialog):
    """A form for one loan action that says, as the person types, what stops it."""

    check_delay_ms = 150

    def __init__(
        self, db: Database, actor: Actor, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(db, actor, title, parent)
        self.setMinimumWidth(600)

    def describe(self, problems: Sequence[Refusal], *, refused: bool) -> Said:
        """The first problem, and how many more: amber while all are still to fill in.

        A rule broken comes before a field still to fill in, and what is wrong where the
        person is typing before what is wrong elsewhere."""
        if not problems:
            return super().describe(problems, refused=refused)
        here = self.field_at_focus()
        problems = sorted(
            problems,
            key=lambda p: (
                p.rule in TO_DO_RULES,
                here is None or p.field is None or self.field_of(p.field) != here,
            ),
        )
        first = problems[0]
        to_do = all(p.rule in TO_DO_RULES for p in problems)
        text = first.message
        if len(problems) > 1:
            more = len(problems) - 1
            text += (
                f"\nThen {more} more to fill in."
                if all(p.rule in TO_DO_RULES for p in problems[1:])
                else f"\n{more} more {'rule stops' if more == 1 else 'rules stop'} this too "
                "(point here to read all)."
            )
            tooltip = "\n\n".join(_with_rule(p) for p in problems)
        else:
            tooltip = _with_rule(first)
        return Said(
            text,
            TO_DO_STYLE if to_do else REFUSED_STYLE,
            frozenset({first.field} if first.field else ()),
            tooltip,
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter submits the form when nothing stops it, even straight after typing,
        before the pause that would check it again."""
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            if self.checking:
                self.check_now()
            if self.ok_button.isEnabled():
                self.ok_button.click()
            return
        super().keyPressEvent(event)


def _with_rule(problem: Refusal) -> str:
    """The refusal's sentence, and the rule behind it with its fix (``app.loans.stops``)."""
    stop = stop_for(problem.rule)
    return f"{problem.message}\n({stop.explained()})" if stop else problem.message


class AgencyCombo(QComboBox):
    """The borrowing agency: pick from the list or type a name, completed as typed.

    The agencies a protocol lets borrow come first, then every other one: typing any
    agency's name chooses it, so the form shows the service's sentence about it rather
    than ignore what was typed.
    ``agency_changed`` says when the agency chosen changes.
    """

    agency_changed = Signal()

    def __init__(
        self,
        covered: Sequence[tuple[int, str]],
        others: Sequence[tuple[int, str]],
        every: Sequence[tuple[int, str]],
    ) -> None:
        super().__init__()
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for agency_id, name in covered:
            self.addItem(name, agency_id)
        if covered and others:
            self.insertSeparator(self.count())
        for agency_id, name in others:
            self.addItem(name, agency_id)
            self.setItemData(
                self.count() - 1,
                "No sharing protocol lets this agency borrow the item.",
                Qt.ItemDataRole.ToolTipRole,
            )
        self._by_name = {name.casefold(): agency_id for agency_id, name in every}
        completer = self.completer()
        if completer is not None:
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
        self._agency_id = self.agency_id()
        self.editTextChanged.connect(self._on_text_changed)
        line = self.lineEdit()
        if line is not None:
            line.setPlaceholderText("Type or choose the agency taking the kit…")
            line.installEventFilter(self)

    def agency_id(self) -> int | None:
        """The agency whose name is typed or chosen, or None if the text names none."""
        return self._by_name.get(self.currentText().strip().casefold())

    def choose(self, agency_id: int | None) -> None:
        index = self.findData(agency_id) if agency_id is not None else -1
        self.setCurrentIndex(index)
        if index < 0:
            self.setEditText("")

    def _on_text_changed(self, _text: str) -> None:
        chosen = self.agency_id()
        if chosen != self._agency_id:
            self._agency_id = chosen
            self.agency_changed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The line's Enter submits the dialog rather than only accepting the completion.
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            line = self.lineEdit()
            if line is not None:
                line.deselect()
                line.end(False)
            self._on_text_changed(self.currentText())
        return super().eventFilter(watched, event)


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

    def first_spin(self) -> QSpinBox | None:
        """Where an Alt+letter on the readings' caption goes."""
        return next(iter(self.spins.values()), None)

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
