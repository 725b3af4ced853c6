"""The one read-only table model that every list of frozen rows shares.

Each list is short enough to hold whole (a service caps it or pages it), so the model
keeps the rows themselves. A subclass names its columns and says, for a row and a column,
its text and, where it has them, its tooltip, colour, marker, boldness and alignment; the
model answers Qt's roles from those. ``RowTableModel`` holds any rows; ``RecordTableModel``
holds records with an id, and finds a row again by it.

Columns are a ``TableColumn`` enum: each member's value is its place, counted from 0, and
it carries its header and the sample text its width is measured from.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon

ModelIndex = QModelIndex | QPersistentModelIndex

ID_ROLE = Qt.ItemDataRole.UserRole
"""The role under which each row gives its record's id (or whatever ``key`` says)."""

RIGHT_ALIGNED = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT_ALIGNED = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class TableColumn(enum.IntEnum):
    """A table's columns in display order: ``NAME = "Name", "sample text"``.

    The value is the column's place; ``header`` heads it and ``sample`` is the text its
    width is measured from ("" for a column that takes the width left over).
    """

    header: str
    sample: str

    # Hidden from type checkers, which would otherwise read ``Column(2)``, finding a column
    # by its place, as a call of this constructor of members.
    if not TYPE_CHECKING:

        def __new__(cls, header: str, sample: str = ""):
            place = len(cls.__members__)
            member = int.__new__(cls, place)
            member._value_ = place
            member.header = header
            member.sample = sample
            return member

    @classmethod
    def headers(cls) -> tuple[str, ...]:
        return tuple(column.header for column in cls)

    @classmethod
    def samples(cls) -> dict[TableColumn, str]:
        """The sample text of each column that has one, for ``configure_record_table``."""
        return {column: column.sample for column in cls if column.sample}


class Identified(Protocol):
    @property
    def id(self) -> int: ...


T = TypeVar("T")
R = TypeVar("R", bound=Identified)


class RowTableModel(QAbstractTableModel, Generic[T]):
    """Read-only rows; a subclass sets ``HEADERS`` (or ``headers``) and writes ``text``.

    Every role is answered in ``cell``; a subclass overrides the small methods it needs
    (``tooltip``, ``colour``, ``is_bold``, ``decoration``, ``alignment``, ``key``), or
    ``cell`` itself for a role of its own.
    """

    HEADERS: Sequence[str] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[T] = []
        self._bold = QFont()
        self._bold.setBold(True)
        self._brushes: dict[str, QBrush] = {}

    def show_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def record(self, row: int) -> T:
        return self._rows[row]

    def records(self) -> list[T]:
        return list(self._rows)

    def headers(self) -> Sequence[str]:
        """The column headers, in order; a model whose columns vary overrides it."""
        return self.HEADERS

    # -- what a subclass says about a cell ----------------------------------------------------

    def text(self, record: T, column: int) -> str:
        """What ``record`` shows in ``column``."""
        raise NotImplementedError

    def tooltip(self, record: T, column: int) -> str | None:
        """The cell's tooltip: its whole text unless a subclass says otherwise."""
        return self.text(record, column)

    def key(self, record: T) -> object:
        """What the row gives under ``ID_ROLE`` (nothing, unless a subclass says)."""
        return None

    def colour(self, record: T, column: int) -> str | QBrush | None:
        """The cell's text colour (a palette colour or a brush), or None for the usual."""
        return None

    def is_bold(self, record: T, column: int) -> bool:
        return False

    def decoration(self, record: T, column: int) -> QIcon | None:
        return None

    def alignment(self, column: int) -> Qt.AlignmentFlag | None:
        """How a column's cells align, or None for the view's usual."""
        return None

    def header_tooltip(self, column: int) -> str | None:
        return None

    def header_alignment(self, column: int) -> Qt.AlignmentFlag | None:
        return None

    def cell(self, record: T, column: int, role: int) -> object:
        """What ``record`` shows in ``column`` for ``role`` (None for nothing)."""
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(record, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(record, column) or None
        if role == ID_ROLE:
            return self.key(record)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.brush(self.colour(record, column))
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if self.is_bold(record, column) else None
        if role == Qt.ItemDataRole.DecorationRole:
            return self.decoration(record, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.alignment(column)
        return None

    def brush(self, colour: str | QBrush | None) -> QBrush | None:
        """A brush of ``colour``, made once for each colour."""
        if colour is None or isinstance(colour, QBrush):
            return colour
        if (brush := self._brushes.get(colour)) is None:
            brush = self._brushes[colour] = QBrush(QColor(colour))
        return brush

    # -- Qt's side -----------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers())

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self.headers()):
            return None
        return self.cell(self._rows[index.row()], index.column(), role)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        headers = self.headers()
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return headers[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.header_tooltip(section)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.header_alignment(section)
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )


class RecordTableModel(RowTableModel[R]):
    """Read-only rows of records with an id, which each row gives under ``ID_ROLE``."""

    def record_id(self, row: int) -> int:
        return self._rows[row].id

    def row_of(self, record_id: int) -> int | None:
        """The row showing the record with this id, or None if it is not listed."""
        for row, record in enumerate(self._rows):
            if record.id == record_id:
                return row
        return None

    def key(self, record: R) -> object:
        return record.id
