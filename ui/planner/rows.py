"""The planner's rows: the kits and the items the catalogue's search finds, the items
fetched a page at a time as the planner scrolls, with the bookings of only the rows on
screen."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime

from app.catalogue.search import SearchFilters, search_items
from app.kits.search import search_kits
from app.planner.model import Bar, PlanRow, RowKind, row_bookings
from app.storage.database import Database

PAGE_ROWS = 100
# What is kept of rows scrolled past: the pages of rows and the rows' bookings read last.
# Kept without bound, a scroll through a county's catalogue fills the heap, and Python's
# full garbage collection, which walks all of it, then stalls a scrolling step.
KEEP_PAGES = 40
KEEP_BOOKINGS = 2_000


class PlannerRows:
    """The rows of one search, read lazily; and the bookings of rows asked for. Kits come
    first, as in the catalogue, for a search by words alone."""

    def __init__(self, db: Database, query: str = "", filters: SearchFilters | None = None):
        self._db = db
        self.query = query
        self.filters = filters or SearchFilters()
        self._pages: OrderedDict[int, list[PlanRow]] = OrderedDict()
        self._bars: OrderedDict[tuple[RowKind, int], tuple[Bar, ...]] = OrderedDict()
        self._window: tuple[datetime, datetime] | None = None
        words_only = self.filters == SearchFilters()
        self.kits = (
            [
                PlanRow(RowKind.KIT, hit.kit.id, hit.kit.owner_code, hit.kit.name)
                for hit in search_kits(db, query)
            ]
            if words_only
            else []
        )
        self.items = search_items(db, query, self.filters, limit=1).total
        self.total = len(self.kits) + self.items

    def row(self, index: int) -> PlanRow | None:
        found = self.rows(index, index)
        return found[0][1] if found else None

    def rows(self, first: int, last: int) -> list[tuple[int, PlanRow]]:
        """The rows ``first`` to ``last`` (inclusive) that exist, with their indexes; the
        pages of items not yet read are read together, in one query."""
        first, last = max(first, 0), min(last, self.total - 1)
        kits = len(self.kits)
        if last >= kits:
            self._read_pages((max(first, kits) - kits) // PAGE_ROWS, (last - kits) // PAGE_ROWS)
        found = []
        for index in range(first, last + 1):
            if index < kits:
                found.append((index, self.kits[index]))
                continue
            page, at = divmod(index - kits, PAGE_ROWS)
            rows = self._pages[page]
            if at < len(rows):
                found.append((index, rows[at]))
        return found

    def _read_pages(self, first: int, last: int) -> None:
        """Make the pages ``first`` to ``last`` of items present, the newest kept."""
        missing = [page for page in range(first, last + 1) if page not in self._pages]
        if missing:
            start, end = missing[0], missing[-1]
            found = search_items(
                self._db,
                self.query,
                self.filters,
                offset=start * PAGE_ROWS,
                limit=(end - start + 1) * PAGE_ROWS,
                count=False,
            )
            rows = [
                PlanRow(RowKind.ITEM, r.id, r.asset_tag, r.name, r.is_pooled, r.quantity)
                for r in found.rows
            ]
            for page in range(start, end + 1):
                at = (page - start) * PAGE_ROWS
                self._pages[page] = rows[at : at + PAGE_ROWS]
        for page in range(first, last + 1):
            self._pages.move_to_end(page)
        while len(self._pages) > max(KEEP_PAGES, last - first + 1):
            self._pages.popitem(last=False)

    def bars(
        self, rows: list[PlanRow], start: datetime, end: datetime
    ) -> dict[tuple[RowKind, int], tuple[Bar, ...]]:
        """The bookings of ``rows`` over [start, end): read once per window and row."""
        if self._window != (start, end):
            self._bars.clear()
            self._window = (start, end)
        missing = [row for row in rows if row.key not in self._bars]
        if missing:
            self._bars.update(row_bookings(self._db, missing, start, end))
            for row in missing:
                self._bars.setdefault(row.key, ())
        shown = {}
        for row in rows:
            self._bars.move_to_end(row.key)
            shown[row.key] = self._bars[row.key]
        while len(self._bars) > max(KEEP_BOOKINGS, len(rows)):
            self._bars.popitem(last=False)
        return shown

    @property
    def kept(self) -> tuple[int, int]:
        """How many pages of rows, and how many rows' bookings, are kept now."""
        return len(self._pages), len(self._bars)

    def forget_bookings(self) -> None:
        """Another station changed something: read the bookings again when drawn."""
        self._bars.clear()
