"""The planner's rows: the kits and the items the catalogue's search finds, the items
fetched a page at a time as the planner scrolls, with the bookings of only the rows on
screen."""

from __future__ import annotations

from datetime import datetime

from app.catalogue.search import SearchFilters, search_items
from app.kits.search import search_kits
from app.planner.model import Bar, PlanRow, RowKind, row_bookings
from app.storage.database import Database

PAGE_ROWS = 100


class PlannerRows:
    """The rows of one search, read lazily; and the bookings of rows asked for. Kits come
    first, as in the catalogue, for a search by words alone."""

    def __init__(self, db: Database, query: str = "", filters: SearchFilters | None = None):
        self._db = db
        self.query = query
        self.filters = filters or SearchFilters()
        self._pages: dict[int, list[PlanRow]] = {}
        self._bars: dict[tuple[RowKind, int], tuple[Bar, ...]] = {}
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
        if not 0 <= index < self.total:
            return None
        if index < len(self.kits):
            return self.kits[index]
        page, at = divmod(index - len(self.kits), PAGE_ROWS)
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
            rows = self._pages[page] = [
                PlanRow(RowKind.ITEM, r.id, r.asset_tag, r.name, r.is_pooled, r.quantity)
                for r in found.rows
            ]
        return rows[at] if at < len(rows) else None

    def rows(self, first: int, last: int) -> list[tuple[int, PlanRow]]:
        """The rows ``first`` to ``last`` (inclusive) that exist, with their indexes."""
        found = []
        for index in range(max(first, 0), min(last, self.total - 1) + 1):
            row = self.row(index)
            if row is not None:
                found.append((index, row))
        return found

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
        return {row.key: self._bars.get(row.key, ()) for row in rows}

    def forget_bookings(self) -> None:
        """Another station changed something: read the bookings again when drawn."""
        self._bars.clear()
