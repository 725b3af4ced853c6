"""The planner's rows: what the catalogue's search finds, fetched a page at a time as the
planner scrolls, with the bookings of only the rows on screen."""

from __future__ import annotations

from datetime import datetime

from app.catalogue.search import SearchFilters, SearchRow, search_items
from app.planner.model import Bar, bookings
from app.storage.database import Database

PAGE_ROWS = 250


class PlannerRows:
    """The rows of one search, read lazily; and the bookings of rows asked for."""

    def __init__(self, db: Database, query: str = "", filters: SearchFilters | None = None):
        self._db = db
        self.query = query
        self.filters = filters or SearchFilters()
        self._pages: dict[int, list[SearchRow]] = {}
        self._bars: dict[int, tuple[Bar, ...]] = {}
        self._window: tuple[datetime, datetime] | None = None
        self.total = search_items(db, query, self.filters, limit=1).total

    def row(self, index: int) -> SearchRow | None:
        if not 0 <= index < self.total:
            return None
        page, at = divmod(index, PAGE_ROWS)
        rows = self._pages.get(page)
        if rows is None:
            found = search_items(
                self._db,
                self.query,
                self.filters,
                offset=page * PAGE_ROWS,
                limit=PAGE_ROWS,
                count=False,
            )
            rows = self._pages[page] = found.rows
        return rows[at] if at < len(rows) else None

    def rows(self, first: int, last: int) -> list[tuple[int, SearchRow]]:
        """The rows ``first`` to ``last`` (inclusive) that exist, with their indexes."""
        found = []
        for index in range(max(first, 0), min(last, self.total - 1) + 1):
            row = self.row(index)
            if row is not None:
                found.append((index, row))
        return found

    def bars(
        self, item_ids: list[int], start: datetime, end: datetime
    ) -> dict[int, tuple[Bar, ...]]:
        """The bookings of ``item_ids`` over [start, end): read once per window and row."""
        if self._window != (start, end):
            self._bars.clear()
            self._window = (start, end)
        missing = [item_id for item_id in item_ids if item_id not in self._bars]
        if missing:
            self._bars.update(bookings(self._db, missing, start, end))
        return {item_id: self._bars.get(item_id, ()) for item_id in item_ids}

    def forget_bookings(self) -> None:
        """Another station changed something: read the bookings again when drawn."""
        self._bars.clear()
