"""The catalogue as a Qt table model: one row per ``ItemRow`` from the service layer."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from app.catalogue import ItemRow

ModelIndex = QModelIndex | QPersistentModelIndex

# Readable on white and on the alternate-row tint; the selected row uses the
# palette's highlighted-text colour instead, so these never clash with it.
STATUS_COLOURS = {
    "On loan": QColor("#8a5300"),
    "Reserved": QColor("#1f5fa8"),
    "Out of service": QColor("#b3261e"),
    "Retired": QColor("#5f6368"),
}


class Column(enum.IntEnum):
    """The table's columns, in display order."""

    TAG = 0
    NAME = 1
    CATEGORY = 2
    OWNER = 3
    HOME_SITE = 4
    STATUS = 5
    QUANTITY = 6


HEADERS = {
    Column.TAG: "Tag",
    Column.NAME: "Name",
    Column.CATEGORY: "Category",
    Column.OWNER: "Owner",
    Column.HOME_SITE: "Home site",
    Column.STATUS: "Status",
    Column.QUANTITY: "Qty",
}


# Columns whose text is often cut short in the table; a tooltip shows it whole.
ELIDED_COLUMNS = frozenset({Column.NAME, Column.CATEGORY, Column.OWNER, Column.HOME_SITE})


class CatalogueTableModel(QAbstractTableModel):
    """Catalogue rows for a table view; ``Qt.UserRole`` gives each row's item id."""

    def __init__(self, rows: Sequence[ItemRow] = ()) -> None:
        super().__init__()
        self._rows: list[ItemRow] = list(rows)

    def reload(self, rows: Sequence[ItemRow]) -> None:
        """Replace every row, e.g. after a refresh from the database."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def item_id(self, row: int) -> int:
        """The catalogue id of the item shown on ``row``."""
        return self._rows[row].id

    def row_of(self, item_id: int) -> int | None:
        """The row showing ``item_id``, or None if it is not listed."""
        for row, item in enumerate(self._rows):
            if item.id == item_id:
                return row
        return None

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(item, column)
        if role == Qt.ItemDataRole.UserRole:
            return item.id
        if role == Qt.ItemDataRole.ToolTipRole and column in ELIDED_COLUMNS:
            return display_text(item, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column is Column.QUANTITY:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ForegroundRole and column is Column.STATUS:
            return STATUS_COLOURS.get(item.status)
        if role == Qt.ItemDataRole.FontRole and column is Column.STATUS:
            return bold_font() if item.status == "Out of service" else None
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        column = Column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[column]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column is Column.QUANTITY:
                return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )


def display_text(item: ItemRow, column: Column) -> str:
    """What ``column`` shows for ``item``."""
    match column:
        case Column.TAG:
            return item.asset_tag
        case Column.NAME:
            return item.name
        case Column.CATEGORY:
            return item.category
        case Column.OWNER:
            return item.owner
        case Column.HOME_SITE:
            return item.home_site
        case Column.STATUS:
            return item.status
        case Column.QUANTITY:
            # A tagged item is always one; leaving it blank makes pooled stock stand out.
            return str(item.quantity) if item.is_pooled else ""


def bold_font() -> QFont:
    font = QFont()
    font.setBold(True)
    return font
