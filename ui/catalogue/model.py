"""Catalogue search results as a lazy Qt table model: a page at a time, sorted in SQL."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from PySide6.QtCore import QModelIndex, Qt, Signal

from app.catalogue.search import SearchFilters, SearchPage, SearchRow, SortKey, search_items
from app.core.errors import KitShareError
from app.storage.database import Database
from models import ItemStatus
from ui.widgets.palette import CLOSED, DUE, INFO, REFUSED
from ui.widgets.record_model import (
    LEFT_ALIGNED,
    RIGHT_ALIGNED,
    ModelIndex,
    RecordTableModel,
    TableColumn,
)

# The first page fills a tall window; the rest come a page at a time as the view scrolls.
PAGE_SIZE = 100

# Readable on white and on the alternate-row tint; the selected row uses the
# palette's highlighted-text colour instead, so these never clash with it.
STATUS_COLOURS = {
    ItemStatus.ON_LOAN: DUE,
    ItemStatus.RESERVED: INFO,
    ItemStatus.OUT_OF_SERVICE: REFUSED,
    ItemStatus.RETIRED: CLOSED,
}
NOT_FREE_COLOUR = REFUSED


class Column(TableColumn):
    """The table's columns, in display order, each with the sample text its width is
    measured from, so widths follow the font and stay right at any scaling. Name has
    none: the table fits it to the width left over."""

    TAG = "Tag", "CAMBS-DRN-0000"
    NAME = "Name"
    CATEGORY = "Category", "Lighting towers"
    # The owner shows as its short code (full name in the tooltip); site names run
    # long and elide, with the full text in the tooltip and the item panel.
    OWNER = "Owner", "CAMBS-POL ~"
    HOME_SITE = "Home site", "Parkside Police S"
    STATUS = "Status", "Out of service"
    QUANTITY = "Qty", "Qty "
    FREE = "Free", "Free "


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


class SearchResultModel(RecordTableModel[SearchRow]):
    """The rows of one search, fetched page by page as the view scrolls.

    Holds the total and only the rows fetched so far; ``ID_ROLE`` gives each row's
    item id. Sorting is a new search in SQL, never a sort of the fetched rows.
    """

    HEADERS = Column.headers()

    fetch_failed = Signal(str)
    """Reading the next page failed; the sentence says why."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db
        self._request = SearchRequest()
        self._total = 0
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
        self._request = request
        self._total = page.total
        # Whoever hears modelReset must not fetch more while the reset is still being
        # announced: rows inserted inside it confuse other listeners (Qt's model tester).
        self._resetting = True
        try:
            self.show_rows(page.rows)
        finally:
            self._resetting = False

    def item_id(self, row: int) -> int:
        """The catalogue id of the item shown on ``row``."""
        return self.record_id(row)

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

    def text(self, record: SearchRow, column: int) -> str:
        return display_text(record, Column(column))

    def tooltip(self, record: SearchRow, column: int) -> str | None:
        return tooltip_text(record, Column(column))

    def alignment(self, column: int) -> Qt.AlignmentFlag | None:
        return RIGHT_ALIGNED if column in NUMERIC_COLUMNS else None

    def colour(self, record: SearchRow, column: int) -> str | None:
        if column == Column.STATUS:
            return STATUS_COLOURS.get(record.status_value)
        if column == Column.FREE and record.available_quantity == 0:
            return NOT_FREE_COLOUR
        return None

    def is_bold(self, record: SearchRow, column: int) -> bool:
        return column == Column.STATUS and record.status_value is ItemStatus.OUT_OF_SERVICE

    def header_tooltip(self, column: int) -> str | None:
        if column == Column.FREE:
            return "How many are free for the period chosen, or now"
        return None

    def header_alignment(self, column: int) -> Qt.AlignmentFlag:
        return RIGHT_ALIGNED if column in NUMERIC_COLUMNS else LEFT_ALIGNED


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
