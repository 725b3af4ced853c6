"""The catalogue table view: fixed row heights, and the Name column taking the slack."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QTableView, QWidget

from ui.catalogue.model import Column, SearchResultModel
from ui.widgets.views import configure_record_table

COLUMN_SAMPLES = Column.samples()
# Name takes the width the others leave, but never less than this.
NAME_MINIMUM_SAMPLE = "Thermal drone 00"


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
