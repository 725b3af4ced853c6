"""The kits a search finds, listed in a strip above the items it finds.

The items' table is a lazy model of item ids, paged in SQL, that the planner, labels and
loan commands read row by row; kits are few and found differently (``app.kits.search``),
so they get rows of their own above it rather than rows mixed into it. The strip's
columns line up with the table's, its rows are marked KIT, and the arrow keys walk from
the search box through the kits into the items and back, as through one list.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QFrame, QTableView, QWidget

from app.core.text import counted
from app.kits.search import KitHit
from ui.catalogue.model import Column
from ui.kits.panel import KIT_MARKER
from ui.widgets.layout import muted, named
from ui.widgets.palette import INFO
from ui.widgets.record_model import RowTableModel
from ui.widgets.views import configure_record_table

# Rows shown before the strip scrolls: the items below stay in view.
ROWS_SHOWN = 4


class KitHitModel(RowTableModel[KitHit]):
    """Kit hits in the catalogue's columns: the marker where an item's tag is."""

    HEADERS = Column.headers()

    def kit_id(self, row: int) -> int:
        return self.record(row).kit.id

    def row_of(self, kit_id: int) -> int | None:
        return next((row for row, hit in enumerate(self._rows) if hit.kit.id == kit_id), None)

    def text(self, record: KitHit, column: int) -> str:
        kit = record.kit
        match Column(column):
            case Column.TAG:
                return KIT_MARKER
            case Column.NAME:
                # A kit found through its members says which, or it would seem listed at random.
                holds = f" · holds {', '.join(record.members)}" if record.members else ""
                return f"{kit.name}{holds}"
            case Column.CATEGORY:
                return f"Kit of {len(kit.members)}"
            case Column.OWNER:
                return kit.owner_code
            case Column.HOME_SITE:
                return kit.home_site
            case _:
                return ""

    def tooltip(self, record: KitHit, column: int) -> str | None:
        if column == Column.OWNER:
            return record.kit.owner
        if column == Column.TAG:
            return "A kit: its members are lent together, as one loan"
        return f"{record.kit.name}: {record.kit.members_summary}"

    def colour(self, record: KitHit, column: int) -> str | None:
        return INFO if column == Column.TAG else None

    def is_bold(self, record: KitHit, column: int) -> bool:
        return column == Column.TAG


class KitStrip(QTableView):
    """The kits a search found, above ``items`` (the catalogue's table), hidden when
    there are none."""

    kit_chosen = Signal(int)
    """The person moved onto this kit's row."""
    kit_opened = Signal(int)
    """The person pressed Enter on (or double-clicked) this kit's row."""
    left_downwards = Signal()
    """Down on the last kit: the person goes on to the items."""

    def __init__(self, items: QTableView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kitStrip")
        self.hits = KitHitModel(self)
        self.setModel(self.hits)
        configure_record_table(self, Column.samples(), bold_column=Column.TAG)
        self.horizontalHeader().hide()
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._items = items
        items.horizontalHeader().sectionResized.connect(self._on_item_column_resized)
        items.installEventFilter(self)
        self.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.activated.connect(self._on_activated)
        # Says what the rows above the items' header are; goes with them.
        self.caption = named(muted(""), "kitStripCaption")
        self.caption.setContentsMargins(4, 2, 4, 2)
        self.caption.hide()
        self.hide()

    def show_hits(self, hits: Sequence[KitHit]) -> None:
        """List ``hits`` (none: the strip goes), with no row chosen yet."""
        self.hits.show_rows(hits)
        self.selectionModel().clear()
        rows = min(len(hits), ROWS_SHOWN)
        self.setFixedHeight(rows * self.verticalHeader().defaultSectionSize() + 2)
        self.setVisible(bool(hits))
        found = counted(len(hits), "kit")
        self.caption.setText(f"{found}: each lent as one loan of all its members")
        self.caption.setVisible(bool(hits))
        self._match_columns()

    def choose(self, kit_id: int | None) -> None:
        """Mark ``kit_id``'s row as chosen (None: no row), without saying so."""
        row = self.hits.row_of(kit_id) if kit_id is not None else None
        self.blockSignals(True)
        model = self.selectionModel()
        model.blockSignals(True)
        try:
            if row is None:
                model.clear()
            else:
                self.setCurrentIndex(self.hits.index(row, Column.NAME))
                self.scrollTo(self.currentIndex())
        finally:
            model.blockSignals(False)
            self.blockSignals(False)
        self.viewport().update()

    def enter(self, row: int) -> None:
        """Take the keyboard onto ``row`` (the first, or the last: -1) and choose it."""
        if not self.hits.rowCount():
            return
        row = row % self.hits.rowCount()
        self.setFocus()
        self.choose(self.hits.kit_id(row))
        self.kit_chosen.emit(self.hits.kit_id(row))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        last = self.hits.rowCount() - 1
        if event.key() == Qt.Key.Key_Down and self.currentIndex().row() >= last:
            self.left_downwards.emit()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Up on the first item goes on up into the kits, as in one list.
        if (
            watched is self._items
            and self.isVisible()
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Up
            and self._items.currentIndex().row() <= 0
        ):
            self.enter(-1)
            return True
        return super().eventFilter(watched, event)

    def _match_columns(self) -> None:
        header = self._items.horizontalHeader()
        for column in Column:
            self.setColumnWidth(column, header.sectionSize(column))

    def _on_item_column_resized(self, column: int, _old: int, new: int) -> None:
        self.setColumnWidth(column, new)

    def _on_current_row_changed(
        self,
        current: QModelIndex | QPersistentModelIndex,
        _previous: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if current.isValid():
            self.kit_chosen.emit(self.hits.kit_id(current.row()))

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.kit_opened.emit(self.hits.kit_id(index.row()))
