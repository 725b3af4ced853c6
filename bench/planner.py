"""Planner benchmark: ``python -m bench.planner``.

Builds a county catalogue (``bench.loans.build_catalogue``: 20,000 items by default,
with loans over the weeks around the bench's fixed "now") in a SQLite file or on
PostgreSQL, and times the Planner's grid (``ui.planner.grid.PlannerGrid``) offscreen:

* **a page**: 500 rows × 8 weeks of days (56 columns) drawn, cold (the rows and their
  bookings read from the database, as when the tab opens) and warm (drawn again);
* **scrolling**: a window of ordinary size paged through every row, top to bottom, each
  step reading the rows it shows and their bookings and drawing them; the median, the
  95th percentile and the worst step, and how many steps stalled (took over
  ``STALL_MS``).

The grid reads through one open database, as the Planner tab reads through the
window's. In the same run: the baseline, the same grid with no bookings read or drawn
(rows and columns only), so the figures show what the bookings cost; and the bookings
with what start made left in the garbage collector's reach, as before the window froze
it (``ui.shell.heap``): Python's full collections then stall a step now and again. The
goals, for the bookings as the window runs: the page in at most ``GOAL_PAGE_MS`` cold,
and no stall while scrolling. Exit status 1 when missed.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from app.core.clock import UK, use_clock
from app.planner.model import Zoom
from app.storage.database import Database, open_database
from bench.loans import (
    NOW,
    NoPostgres,
    analyse_after_load,
    build_catalogue,
    postgres_database,
    sqlite_database,
)
from ui.planner import grid as planner_grid
from ui.planner.grid import HEADER_HEIGHT, LABEL_WIDTH, ROW_HEIGHT, PlannerGrid
from ui.planner.rows import PlannerRows
from ui.shell.heap import freeze_what_start_made

GOAL_PAGE_MS = 100.0
STALL_MS = 100.0
PAGE_ROWS = 500
WEEKS = 8


@dataclass
class Figures:
    backend: str
    bookings: bool
    items: int
    page_cold_ms: float
    page_warm_ms: float
    steps: int
    step_median_ms: float
    step_p95_ms: float
    step_worst_ms: float
    stalls: int
    frozen: bool = False


def _grid(db: Database, width: int, height: int) -> PlannerGrid:
    grid = PlannerGrid()
    grid.resize(width, height)
    # Laid out as on screen (offscreen), so the viewport is the size asked for.
    grid.show()
    QApplication.processEvents()
    grid.set_zoom(Zoom.DAYS)
    grid.set_first_day(NOW.astimezone(UK).date() - timedelta(days=7))
    grid.show_rows(PlannerRows(db))
    return grid


def _draw(grid: PlannerGrid) -> float:
    """One full draw of what the grid shows, in milliseconds."""
    viewport = grid.viewport()
    image = QImage(viewport.size(), QImage.Format.Format_RGB32)
    image.fill(viewport.palette().base().color())  # as the window system clears it
    started = time.perf_counter()
    painter = QPainter(image)
    try:
        grid.paint_on(painter)
    finally:
        painter.end()
    return (time.perf_counter() - started) * 1000


@contextmanager
def bookings_off(off: bool) -> Iterator[None]:
    """The baseline: rows and columns only, no bookings read or drawn."""
    if not off:
        yield
        return
    real = PlannerRows.bars
    PlannerRows.bars = lambda self, ids, start, end: {}  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        PlannerRows.bars = real  # type: ignore[method-assign]


def measure(
    db: Database, backend: str, *, with_bookings: bool, window_rows: int, steps: int | None = None
) -> Figures:
    """The figures for one grid; ``steps`` stops scrolling early (a warm-up). The grid
    reads through the one database the window has open, as the Planner tab does."""
    with bookings_off(not with_bookings):
        page_width = LABEL_WIDTH + WEEKS * 7 * planner_grid.COLUMN_WIDTH[Zoom.DAYS] + 30
        page_height = HEADER_HEIGHT + PAGE_ROWS * ROW_HEIGHT + 30
        grid = _grid(db, page_width, page_height)
        assert grid.visible_rows() >= PAGE_ROWS, grid.viewport().size()
        assert grid.visible_columns() >= WEEKS * 7, grid.viewport().size()
        cold = _draw(grid)
        warm = _draw(grid)
        grid = _grid(db, 1200, HEADER_HEIGHT + window_rows * ROW_HEIGHT + 30)
        assert grid.rows is not None
        timed: list[float] = []
        bar = grid.verticalScrollBar()
        _draw(grid)  # the tab opening: the page figure above; what follows is scrolling
        while bar.value() < bar.maximum() and (steps is None or len(timed) < steps):
            bar.setValue(bar.value() + bar.pageStep())
            started = time.perf_counter()
            _draw(grid)
            timed.append((time.perf_counter() - started) * 1000)
        items = grid.rows.total
    ordered = sorted(timed) or [0.0]
    return Figures(
        backend=backend,
        bookings=with_bookings,
        items=items,
        page_cold_ms=round(cold, 1),
        page_warm_ms=round(warm, 1),
        steps=len(timed),
        step_median_ms=round(statistics.median(ordered), 2),
        step_p95_ms=round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        step_worst_ms=round(ordered[-1], 2),
        stalls=sum(1 for s in timed if s > STALL_MS),
    )


def _build(url: str, items: int, log: Callable[[str], None]) -> None:
    db = open_database(url)
    try:
        build_catalogue(db, items, lambda line: log(f"  {line}"))
        analyse_after_load(db)
    finally:
        db.dispose()


# The runs for each backend: (bookings drawn, what start made frozen as the window does).
RUNS = ((False, True), (True, False), (True, True))


def measure_backend(
    url: str, name: str, window_rows: int, log: Callable[[str], None]
) -> list[Figures]:
    """The baseline (no bookings), and the bookings with the heap as it was before the
    window froze what start made (``ui.shell.heap``) and as it is now."""
    figures = []
    db = open_database(url)
    try:
        # Fonts, glyphs and the database's caches warmed once, for all alike.
        measure(db, name, with_bookings=True, window_rows=window_rows, steps=3)
        for with_bookings, frozen in RUNS:
            gc.unfreeze()
            if frozen:
                freeze_what_start_made()
            figure = measure(db, name, with_bookings=with_bookings, window_rows=window_rows)
            figure.frozen = frozen
            figures.append(figure)
            log(f"  {figure}")
    finally:
        gc.unfreeze()
        db.dispose()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.planner", description=__doc__)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--pg-url", help="a PostgreSQL role that may create databases")
    parser.add_argument("--window-rows", type=int, default=30, help="rows a window shows")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    log: Callable[[str], None] = (lambda _: None) if args.json else print
    QApplication.instance() or QApplication(sys.argv[:1])
    use_clock(lambda: NOW)
    figures: list[Figures] = []
    backends: list[tuple[str, Any]] = []
    if args.only != "postgresql":
        backends.append(("SQLite", lambda: sqlite_database(None)))
    if args.only != "sqlite":
        backends.append(("PostgreSQL", lambda: postgres_database(args.pg_url, True)))
    for name, database in backends:
        try:
            with database() as (url, where):
                log(f"{name}: {where}")
                _build(url, args.items, log)
                figures += measure_backend(url, name, args.window_rows, log)
        except NoPostgres as error:
            log(f"{name}: not measured ({error})")
    met = all(
        f.page_cold_ms <= GOAL_PAGE_MS and f.stalls == 0 for f in figures if f.bookings and f.frozen
    )
    if args.json:
        print(json.dumps({"figures": [asdict(f) for f in figures], "goals_met": met}, indent=2))
    else:
        _print_table(figures, met)
    return 0 if met else 1


def _print_table(figures: list[Figures], met: bool) -> None:
    print()
    print(
        f"{'backend':<11} {'bookings':<9} {'frozen':<7} {'items':>7} {'page cold':>10} "
        f"{'warm':>7} {'steps':>6} {'median':>7} {'p95':>7} {'worst':>7} {'stalls':>6}"
    )
    for f in figures:
        print(
            f"{f.backend:<11} {'yes' if f.bookings else 'no':<9} "
            f"{'yes' if f.frozen else 'no':<7} {f.items:>7,} "
            f"{f.page_cold_ms:>8.1f}ms {f.page_warm_ms:>5.1f}ms {f.steps:>6} "
            f"{f.step_median_ms:>5.1f}ms {f.step_p95_ms:>5.1f}ms {f.step_worst_ms:>5.1f}ms "
            f"{f.stalls:>6}"
        )
    print(
        f"\nGoals, with bookings, as the window runs (frozen): {PAGE_ROWS} rows × {WEEKS} "
        f"weeks drawn cold in at most {GOAL_PAGE_MS:.0f} ms, and no scrolling step over "
        f"{STALL_MS:.0f} ms: {'met' if met else 'MISSED'}."
    )


if __name__ == "__main__":
    raise SystemExit(main())
