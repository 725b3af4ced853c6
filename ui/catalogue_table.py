"""The catalogue table view: fixed row heights, and the Name column taking the slack."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from ui.catalogue_model import Column, SearchResultModel

# Sample text per column: widths follow the font, so they stay right at any scaling.
COLUMN_SAMPLES = {
    Column.TAG: "CAMBS-DRN-0000",
    Column.CATEGORY: "Lighting towers",
    # The owner shows as its short code (full name in the tooltip); site names run
    # long and elide, with the full text in the tooltip and the item panel.
    Column.OWNER: "CAMBS-POL ~",
    Column.HOME_SITE: "Parkside Police S",
    Column.STATUS: "Out of service",
    Column.QUANTITY: "Qty ",
    Column.FREE: "Free ",
}
NAME_MINIMUM_SAMPLE = "Thermal drone 00"


class CatalogueTable(QTableView):
    """A read-only, row-selecting table over a ``SearchResultModel``."""

    def __init__(self, model: SearchResultModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("catalogueTable")
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        # Tab should leave the table for the item panel, not walk across its cells.
        self.setTabKeyNavigation(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)

        # Row heights and column widths come from the font, never from the data:
        # measuring every row would not scale to the catalogue sizes search will bring.
        metrics = self.fontMetrics()
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(metrics.height() + 10)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setMinimumSectionSize(40)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        padding = 2 * metrics.averageCharWidth()
        bold = self.font()
        bold.setBold(True)
        for column, sample in COLUMN_SAMPLES.items():
            # The model shows "Out of service" in bold, and it must not be cut short.
            measure = QFontMetrics(bold) if column == Column.STATUS else metrics
            header.resizeSection(column, measure.horizontalAdvance(sample) + padding)
        self._name_minimum = metrics.horizontalAdvance(NAME_MINIMUM_SAMPLE) + padding
        # Clicking a header asks the window for a new search sorted in SQL; no column is
        # marked until then, as results start in order of relevance.
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.sectionResized.connect(self._on_section_resized)
        self._fit_name_column()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_name_column()

    def _on_section_resized(self, section: int, _old_size: int, _new_size: int) -> None:
        if section != Column.NAME:
            self._fit_name_column()

    def _fit_name_column(self) -> None:
        # Not QHeaderView.Stretch: that squeezes Name to nothing in a narrow window,
        # where a horizontal scroll bar is the better deal. Room for the vertical
        # scroll bar is always kept, so the columns don't jump when it appears.
        header = self.horizontalHeader()
        others = sum(header.sectionSize(column) for column in Column if column != Column.NAME)
        room = self.contentsRect().width() - self.verticalScrollBar().sizeHint().width()
        header.resizeSection(Column.NAME, max(self._name_minimum, room - others))
