"""What every loan dialog shares: the way a loan form says what stops it, meter
readings, and the kit on a loan in a line.

A loan form is a ``FormDialog`` like any other; it differs only in how it says the
problems. A loan's rules (notice, the longest loan, who may approve) refuse as the
person types, so the message names the first rule in red and counts the rest, and
only what is still to be filled in is amber.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QWidget

from app.core.actor import Actor
from app.core.errors import Refusal
from app.loans.drafts import Readings
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
        """The first problem, and how many more: amber while all are still to fill in."""
        if not problems:
            return super().describe(problems, refused=refused)
        first = problems[0]
        to_do = all(p.rule in TO_DO_RULES for p in problems)
        text = first.message
        tooltip = ""
        if len(problems) > 1:
            more = len(problems) - 1
            text += (
                f"\nThen {more} more to fill in."
                if to_do
                else f"\n{more} more {'rule stops' if more == 1 else 'rules stop'} this too "
                "(point here to read all)."
            )
            tooltip = "\n\n".join(p.message for p in problems)
        return Said(
            text,
            TO_DO_STYLE if to_do else REFUSED_STYLE,
            frozenset({first.field} if first.field else ()),
            tooltip,
        )


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
