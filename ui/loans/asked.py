"""What a request asks for: how many of a pooled item, beside how many there are and how
many are free now, and, for a request of several items as one loan, every item a line.

How many may be had is the service's to say: the boxes take any number, and the check's
sentence names the item it is about.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QWidget,
)

from app.loans.support import LoanItem
from ui.widgets.layout import muted, named

# The most lines shown at once; more scroll, so a long choice keeps the form on the screen.
LINES_SHOWN = 8


def stock_note(item: LoanItem, free_now: int) -> str:
    """How many of the pooled ``item`` there are in all, and how many are free now."""
    return f"of {item.quantity} ({free_now} free now)"


def quantity_row(spin: QSpinBox, item: LoanItem, free_now: int) -> QWidget:
    """``spin`` for how many of the pooled ``item``, then its ``stock_note``."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(spin)
    layout.addWidget(muted(stock_note(item, free_now)), 1)
    return row


class ItemsAsked(QWidget):
    """Every item a request asks for, a line each: its tag and name, and for a pooled
    item how many (a single item is one, and has no box), in columns."""

    def __init__(
        self, lines: Sequence[tuple[LoanItem, int, QSpinBox]], parent: QWidget | None = None
    ) -> None:
        """``lines``: each item, how many of it are free now, and its quantity box."""
        super().__init__(parent)
        self.setObjectName("itemsAsked")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(0, 1)
        self.titles: list[QLabel] = []
        self.spins: list[QSpinBox] = []
        for place, (item, free_now, spin) in enumerate(lines):
            title = named(QLabel(item.label), "lineTitle")
            # A long name wraps rather than squeeze the numbers beside it.
            title.setWordWrap(True)
            grid.addWidget(title, place, 0)
            self.titles.append(title)
            if item.is_pooled:
                spin.setAccessibleName(f"How many of {item.asset_tag}")
                note = muted(stock_note(item, free_now))
                note.setWordWrap(False)
                grid.addWidget(spin, place, 1)
                grid.addWidget(note, place, 2)
                self.spins.append(spin)
        self._spacing = grid.verticalSpacing()

    def scrolled(self) -> QWidget:
        """This list as the form shows it: whole, or, if long, in a frame that scrolls
        (the keyboard moving through the boxes brings each into view)."""
        if len(self.titles) <= LINES_SHOWN:
            return self
        area = QScrollArea()
        area.setWidget(self)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        line = max(w.sizeHint().height() for w in (*self.titles, *self.spins))
        # Part of the next line shows below the last one whole: there is more.
        area.setFixedHeight((line + self._spacing) * LINES_SHOWN + line // 2)
        return area
