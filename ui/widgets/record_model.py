"""One table model for every list of frozen records: loans, MoUs, people, audit events.

Each list is short enough to hold whole (a service caps it or pages it), so the model
keeps the records themselves; a subclass names its headers and says what each cell
shows for a role. Rows are read-only and selectable, and found again by the record's id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

ModelIndex = QModelIndex | QPersistentModelIndex


class Identified(Protocol):
    @property
    def id(self) -> int: ...


R = TypeVar("R", bound=Identified)


class RecordTableModel(QAbstractTableModel, Generic[R]):
    """Read-only rows of records; subclasses set ``HEADERS`` and write ``cell``."""

    HEADERS: Sequence[str] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def show_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def record(self, row: int) -> R:
        return self._rows[row]

    def records(self) -> list[R]:
        return list(self._rows)

    def record_id(self, row: int) -> int:
        return self._rows[row].id

    def row_of(self, record_id: int) -> int | None:
        """The row showing the record with this id, or None if it is not listed."""
        for row, record in enumerate(self._rows):
            if record.id == record_id:
                return row
        return None

    def cell(self, record: R, column: int, role: int) -> object:
        """What ``record`` shows in ``column`` for ``role`` (None for nothing)."""
        raise NotImplementedError

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self.cell(self._rows[index.row()], index.column(), role)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
