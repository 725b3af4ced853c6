"""Choices every kind of form offers: a person, a condition, an id from a list."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent
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
    """A choice of person, or none (the placeholder) until one is picked.

    Typing a name chooses the person (Qt's type-ahead); a space inside the name goes on
    with it rather than open the list, so "Jane Smith" can be typed whole.
    """

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._placeholder = placeholder
        self._typing = False  # the last key went into a name being typed
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(24)

    def set_people(self, people: Iterable[PersonRef], *, keep: int | None = None) -> None:
        """List ``people``; keep ``keep`` (or the current choice) chosen if listed."""
        chosen = keep if keep is not None else self.person_id()
        people = list(people)
        # One agency's people need no agency beside each name; several do.
        several = len({person.agency_id for person in people}) > 1
        with QSignalBlocker(self):
            self.clear()
            self.addItem(self._placeholder, None)
            for person in people:
                where = f", {person.agency}" if several else ""
                self.addItem(f"{person.name} ({person.staff_number}{where})", person.id)
            choose_id(self, chosen)
        self.currentIndexChanged.emit(self.currentIndex())

    def person_id(self) -> int | None:
        return chosen_id(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.ShiftModifier,
        )
        if event.key() == Qt.Key.Key_Space and plain and self._typing:
            self._search_on(" ")
            return
        self._typing = plain and event.text().isprintable() and event.text().strip() != ""
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._typing = False
        super().focusOutEvent(event)

    def _search_on(self, text: str) -> None:
        """Go on with the type-ahead search as QComboBox's own does with a letter."""
        view = self.view()
        view.setCurrentIndex(self.model().index(self.currentIndex(), 0))
        row = view.currentIndex().row()
        view.keyboardSearch(text)
        if view.currentIndex().row() != row:
            self.setCurrentIndex(view.currentIndex().row())
            self.activated.emit(self.currentIndex())

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
