"""Choices every kind of form offers: a person, a condition, an id from a list."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QComboBox, QWidget

from app.catalogue.directory import PersonRef
from app.core.vocabulary import labels
from models import Condition


def chosen_id(combo: QComboBox) -> int | None:
    """The id behind the entry chosen in ``combo``; None for a placeholder entry."""
    value = combo.currentData()
    return int(value) if value is not None else None


def choose_id(combo: QComboBox, value: int | None) -> None:
    """Choose the entry whose id is ``value``, or the first entry if none is."""
    combo.setCurrentIndex(max(combo.findData(value), 0))


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
            choose_id(self, chosen)
        self.currentIndexChanged.emit(self.currentIndex())

    def person_id(self) -> int | None:
        return chosen_id(self)

    def choose(self, person_id: int | None) -> None:
        choose_id(self, person_id)


class ConditionCombo(QComboBox):
    """A condition; with ``unchanged_text``, also "as recorded" (None), to leave the
    catalogue's record as it is."""

    def __init__(self, unchanged_text: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if unchanged_text is not None:
            self.addItem(unchanged_text, None)
        for condition, words in labels(Condition).items():
            self.addItem(words, condition)

    def condition(self) -> Condition | None:
        value = self.currentData()
        return value if isinstance(value, Condition) else None

    def choose(self, condition: Condition) -> None:
        self.setCurrentIndex(max(self.findData(condition), 0))
