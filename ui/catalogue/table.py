"""The catalogue table view: fixed row heights, and the Name column taking the slack."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from ui.catalogue.model import Column, SearchResultModel

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

# A table's column enumeration (an IntEnum).
C = TypeVar("C", bound=int)


def configure_record_table(
    table: QTableView, samples: Mapping[C, str], *, bold_column: C
) -> QFontMetrics:
    """Set up a read-only table of records, one row each: whole-row selection, no grid,
    Tab leaving the table rather than walking its cells, and row heights and column
    widths taken from the font and a sample text per column, never from the data, so
    they stay right at any scaling and cost nothing per row. ``bold_column`` is shown in
    bold (a status) and is measured so. Returns the font's metrics for further sizing.
    """
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setShowGrid(False)
    table.setTabKeyNavigation(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    metrics = table.fontMetrics()
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(metrics.height() + 10)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    bold = table.font()
    bold.setBold(True)
    padding = 2 * metrics.averageCharWidth()
    for column, sample in samples.items():
        measure = QFontMetrics(bold) if column == bold_column else metrics
        header.resizeSection(column, measure.horizontalAdvance(sample) + padding)
    return metrics


class CatalogueTable(QTableView):
    """A read-only, row-selecting table over a ``SearchResultModel``."""

    def __init__(self, model: SearchResultModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("catalogueTable")
        self.setModel(model)
        metrics = configure_record_table(self, COLUMN_SAMPLES, bold_column=Column.STATUS)
        header = self.horizontalHeader()
        header.setMinimumSectionSize(40)
        header.setStretchLastSection(False)
        padding = 2 * metrics.averageCharWidth()
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
