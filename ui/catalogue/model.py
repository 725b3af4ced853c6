"""Catalogue search results as a lazy Qt table model: a page at a time, sorted in SQL."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

from app.catalogue.search import SearchFilters, SearchPage, SearchRow, SortKey, search_items
from app.core.errors import KitShareError
from app.storage.database import Database
from ui.widgets.palette import CLOSED, DUE, INFO, REFUSED

ModelIndex = QModelIndex | QPersistentModelIndex

# The first page fills a tall window; the rest come a page at a time as the view scrolls.
PAGE_SIZE = 100

# Readable on white and on the alternate-row tint; the selected row uses the
# palette's highlighted-text colour instead, so these never clash with it.
STATUS_COLOURS = {
    "On loan": QColor(DUE),
    "Reserved": QColor(INFO),
    "Out of service": QColor(REFUSED),
    "Retired": QColor(CLOSED),
}
NOT_FREE_COLOUR = QColor(REFUSED)


class Column(enum.IntEnum):
    """The table's columns, in display order."""

    TAG = 0
    NAME = 1
    CATEGORY = 2
    OWNER = 3
    HOME_SITE = 4
    STATUS = 5
    QUANTITY = 6
    FREE = 7


HEADERS = {
    Column.TAG: "Tag",
    Column.NAME: "Name",
    Column.CATEGORY: "Category",
    Column.OWNER: "Owner",
    Column.HOME_SITE: "Home site",
    Column.STATUS: "Status",
    Column.QUANTITY: "Qty",
    Column.FREE: "Free",
}

# Clicking a header sorts by this key, in SQL; Free has none (it depends on the period).
SORT_KEYS = {
    Column.TAG: SortKey.TAG,
    Column.NAME: SortKey.NAME,
    Column.CATEGORY: SortKey.CATEGORY,
    Column.OWNER: SortKey.OWNER,
    Column.HOME_SITE: SortKey.SITE,
    Column.STATUS: SortKey.STATUS,
    Column.QUANTITY: SortKey.QUANTITY,
}

# Columns whose text is often cut short in the table; a tooltip shows it whole.
ELIDED_COLUMNS = frozenset({Column.NAME, Column.CATEGORY, Column.HOME_SITE})
NUMERIC_COLUMNS = frozenset({Column.QUANTITY, Column.FREE})

DISPLAY_ROLE = Qt.ItemDataRole.DisplayRole
ANSWERED_ROLES = frozenset(
    {
        DISPLAY_ROLE,
        Qt.ItemDataRole.UserRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
    }
)
RIGHT_ALIGNED = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class SearchRequest:
    """Everything that decides which rows a search returns, and in what order."""

    query: str = ""
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: SortKey = SortKey.RELEVANCE
    descending: bool = False

    def page(self, db: Database, offset: int = 0) -> SearchPage:
        """One page of this search's rows from ``offset`` (raises the service's errors)."""
        return search_items(
            db,
            self.query,
            self.filters,
            offset=offset,
            limit=PAGE_SIZE,
            sort=self.sort,
            descending=self.descending,
            # The first page counts the matches; later pages are only more rows.
            count=offset == 0,
        )

    def sorted_by(self, sort: SortKey, *, descending: bool) -> SearchRequest:
        return replace(self, sort=sort, descending=descending)


class SearchResultModel(QAbstractTableModel):
    """The rows of one search, fetched page by page as the view scrolls.

    Holds the total and only the rows fetched so far; ``Qt.UserRole`` gives each row's
    item id. Sorting is a new search in SQL, never a sort of the fetched rows.
    """

    fetch_failed = Signal(str)
    """Reading the next page failed; the sentence says why."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db
        self._request = SearchRequest()
        self._total = 0
        self._rows: list[SearchRow] = []
        self._resetting = False

    @property
    def request(self) -> SearchRequest:
        return self._request

    @property
    def total(self) -> int:
        """How many items match, fetched or not."""
        return self._total

    def search(self, request: SearchRequest) -> None:
        """Run ``request`` here and now, showing its first page (raises the service's errors)."""
        self.show_page(request, request.page(self._db))

    def show_page(self, request: SearchRequest, page: SearchPage) -> None:
        """Show the first ``page`` of ``request``'s results, e.g. one read on a worker."""
        self.beginResetModel()
        self._request = request
        self._total = page.total
        self._rows = list(page.rows)
        # Whoever hears modelReset must not fetch more while the reset is still being
        # announced: rows inserted inside it confuse other listeners (Qt's model tester).
        self._resetting = True
        try:
            self.endResetModel()
        finally:
            self._resetting = False

    def item_id(self, row: int) -> int:
        """The catalogue id of the item shown on ``row``."""
        return self._rows[row].id

    def row_of(self, item_id: int) -> int | None:
        """The fetched row showing ``item_id``, or None if it is not among them."""
        for row, item in enumerate(self._rows):
            if item.id == item_id:
                return row
        return None

    def canFetchMore(self, parent: ModelIndex) -> bool:
        return not (parent.isValid() or self._resetting) and len(self._rows) < self._total

    def fetchMore(self, parent: ModelIndex) -> None:
        if not self.canFetchMore(parent):
            return
        try:
            # One page is a few milliseconds of indexed SQL; fine on the GUI thread.
            page = self._request.page(self._db, offset=len(self._rows))
        except KitShareError as error:
            # Stop asking for more, or the view would retry on every scroll.
            self._total = len(self._rows)
            self.fetch_failed.emit(error.message)
            return
        rows = page.rows[: max(0, self._total - len(self._rows))]
        if not rows:
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every visible cell on each paint: roles nobody
        # answers go first, and the column stays a plain int until one is needed.
        if role not in ANSWERED_ROLES or not index.isValid():
            return None
        row = index.row()
        if not 0 <= row < len(self._rows):
            return None
        item = self._rows[row]
        column = index.column()
        if role == DISPLAY_ROLE:
            return display_text(item, Column(column))
        if role == Qt.ItemDataRole.UserRole:
            return item.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip_text(item, Column(column))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT_ALIGNED if column in NUMERIC_COLUMNS else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == Column.STATUS:
                return STATUS_COLOURS.get(item.status)
            if column == Column.FREE and item.available_quantity == 0:
                return NOT_FREE_COLOUR
            return None
        if column == Column.STATUS and item.status == "Out of service":  # FontRole
            return bold_font()
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
        if role == Qt.ItemDataRole.ToolTipRole and column is Column.FREE:
            return "How many are free for the period chosen, or now"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in NUMERIC_COLUMNS:
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


def display_text(item: SearchRow, column: Column) -> str:
    """What ``column`` shows for ``item``."""
    match column:
        case Column.TAG:
            return item.asset_tag
        case Column.NAME:
            return item.name
        case Column.CATEGORY:
            return item.category
        case Column.OWNER:
            return item.owner_code
        case Column.HOME_SITE:
            return item.home_site
        case Column.STATUS:
            return item.status
        case Column.QUANTITY:
            # A tagged item is always one; leaving it blank makes pooled stock stand out.
            return str(item.quantity) if item.is_pooled else ""
        case Column.FREE:
            if item.is_pooled:
                return str(item.available_quantity)
            return "Yes" if item.available_quantity else "No"


def tooltip_text(item: SearchRow, column: Column) -> str | None:
    """The whole text where the cell may cut it short, and the owner's full name."""
    if column is Column.OWNER:
        return item.owner
    if column in ELIDED_COLUMNS:
        return display_text(item, column)
    return None


def bold_font() -> QFont:
    font = QFont()
    font.setBold(True)
    return font
