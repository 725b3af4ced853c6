"""The main window: the catalogue on the left, the chosen item's details on the right."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QWidget,
)

from app.catalogue import item_detail, list_items
from app.config import masked_url
from app.database import Database
from app.errors import KitShareError
from ui.catalogue_model import CatalogueTableModel, Column
from ui.catalogue_table import CatalogueTable
from ui.item_panel import ItemPanel
from ui.messages import show_error

WINDOW_TITLE = "Kit Share"
INITIAL_SIZE = (1280, 800)

EMPTY_CATALOGUE_TEXT = "The catalogue has no items yet"

ABOUT_TEXT = (
    "<h3>Kit Share</h3>"
    "<p>Kit Share lets police, fire and rescue, and ambulance services share specialist "
    "equipment under their memoranda of understanding: drones, river rescue kit, "
    "lighting, barriers, tents and more.</p>"
    "<p>Find an item, see whether it is free and on what terms it may be lent, "
    "and keep a record of every loan.</p>"
)


class MainWindow(QMainWindow):
    """The catalogue table beside the selected item's details, over one database."""

    current_item_changed = Signal(int)
    """The item panel now shows the item with this id."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.setWindowTitle(f"{WINDOW_TITLE} — {db.location}")
        self.resize(*INITIAL_SIZE)

        self.model = CatalogueTableModel()
        self.table = CatalogueTable(self.model)
        self.item_panel = ItemPanel()

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.item_panel)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([INITIAL_SIZE[0] * 64 // 100, INITIAL_SIZE[0] * 36 // 100])
        self.setCentralWidget(splitter)

        self.database_label = QLabel(f"Database: {db.location}")
        self.database_label.setToolTip(masked_url(db.url))
        self.count_label = QLabel()
        self.statusBar().addWidget(self.database_label, 1)
        self.statusBar().addPermanentWidget(self.count_label)

        self._make_menus()
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.refresh()
        self.table.setFocus()

    def refresh(self) -> None:
        """Read the catalogue again, keeping the same item selected if it is still there."""
        keep = self.item_panel.detail.id if self.item_panel.detail else None
        try:
            rows = list_items(self._db)
        except KitShareError as error:
            show_error(self, error, "Kit Share cannot read the catalogue")
            return
        self.model.reload(rows)
        count = len(rows)
        self.count_label.setText(f"{count} item" if count == 1 else f"{count} items")
        row = self.model.row_of(keep) if keep is not None else None
        self.select_row(row if row is not None else 0)

    def select_row(self, row: int) -> None:
        """Make ``row`` current and selected, and show its item."""
        if not 0 <= row < self.model.rowCount():
            self.item_panel.clear(EMPTY_CATALOGUE_TEXT if self.model.rowCount() == 0 else None)
            return
        index = self.model.index(row, Column.TAG)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        # setCurrentIndex says nothing when the row is current already; the panel must
        # still show that row's item, and only once.
        if self.item_panel.detail is None or self.item_panel.detail.id != self.model.item_id(row):
            self._show_item(self.model.item_id(row))

    def _make_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        # StandardKey.Quit is empty on Windows, where station PCs mostly are.
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self._on_quit_triggered)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu("&View")
        refresh = QAction("&Refresh", self)
        # F5 on every platform: StandardKey.Refresh differs between them.
        refresh.setShortcut(QKeySequence("F5"))
        refresh.setStatusTip("Read the catalogue again from the database")
        refresh.triggered.connect(self._on_refresh_triggered)
        view_menu.addAction(refresh)

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About Kit Share", self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self._on_about_triggered)
        help_menu.addAction(about)

    def _show_item(self, item_id: int) -> None:
        try:
            detail = item_detail(self._db, item_id)
        except KitShareError as error:
            self.item_panel.clear()
            show_error(self, error, "Kit Share cannot show this item")
            return
        self.item_panel.show_item(detail)
        self.current_item_changed.emit(item_id)

    def _on_current_row_changed(
        self,
        current: QModelIndex | QPersistentModelIndex,
        _previous: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if current.isValid():
            self._show_item(self.model.item_id(current.row()))
        else:
            self.item_panel.clear()

    def _on_refresh_triggered(self) -> None:
        self.refresh()

    def _on_quit_triggered(self) -> None:
        self.close()

    def _on_about_triggered(self) -> None:
        QMessageBox.about(self, "About Kit Share", ABOUT_TEXT)
