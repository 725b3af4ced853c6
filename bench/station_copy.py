"""Station copy benchmark: ``python -m bench.station_copy``.

Times ``app.storage.station_copy.refresh_copy`` (a complete SQLite copy of the shared
database, written atomically) for the demo catalogue and for a county catalogue of
20,000 items (``bench.loans.build_catalogue``: items, people, an MoU, protocols and
loans around the bench's fixed "now"), from PostgreSQL and, for comparison, from a
SQLite file. For each: the refresh's wall time (median and worst of ``--runs``), the
copy's size, and what it cost the source:

* **reads**: the wall time of the refresh's own statements against the source
  (captured on its engine: sent, run on the server and fetched), against the whole
  refresh (the rest is writing and checking the SQLite file on the station);
* **statements** and **rows** fetched by them;
* on PostgreSQL, the server's own count of the rows it read from the tables
  (``pg_stat_user_tables``: seq_tup_read + idx_tup_fetch, before and after, per
  refresh), and ``pg_stat_statements``' execution time when that extension is loaded.

The goal: a refresh of 20,000 items from PostgreSQL in a few seconds at most
(``GOAL_SECONDS``). The exit status is 1 when it is missed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from app.demo.loader import load_demo
from app.storage.backup import format_size
from app.storage.database import Database, open_database
from app.storage.station_copy import refresh_copy
from bench.loans import (
    NoPostgres,
    analyse_after_load,
    build_catalogue,
    postgres_database,
    sqlite_database,
)
from tests.pgserver import ClusterUnavailable, start_cluster

GOAL_SECONDS = 5.0
DEMO = 0  # "items" meaning the demo catalogue


@dataclass
class Figures:
    source: str
    catalogue: str
    items: int
    runs: int
    median_s: float
    worst_s: float
    size: int
    read_s: float | None  # PostgreSQL only: sqlite3 reads lazily, after the statement
    statements: int
    rows_fetched: int | None
    rows_copied: int
    server_rows: int | None = None
    server_exec_ms: float | None = None


class ReadMeter:
    """The refresh's statements on the source engine: how many, how long, how many rows."""

    def __init__(self, db: Database) -> None:
        self.seconds = 0.0
        self.statements = 0
        self.rows = 0
        self._started: list[float] = []
        engine = db.engine
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        self._engine = engine

    def _before(self, *_args: Any) -> None:
        self._started.append(time.perf_counter())

    def _after(self, _conn: Any, cursor: Any, *_args: Any) -> None:
        self.seconds += time.perf_counter() - self._started.pop()
        self.statements += 1
        # Fetching is part of reading: rows are counted as SELECTs return them.
        self.rows += max(cursor.rowcount, 0)

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._before)
        event.remove(self._engine, "after_cursor_execute", self._after)


def _server_counters(url: str) -> tuple[int, float | None]:
    """Rows the server has read from Kit Share's tables so far (scanned in order, or
    fetched through an index; the system catalogues, which opening a database reads,
    are not counted), and the execution time pg_stat_statements has recorded (None
    without it)."""
    db = open_database(url, migrate=False)
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT pg_stat_clear_snapshot()"))
            rows = connection.execute(
                text(
                    "SELECT coalesce(sum(coalesce(seq_tup_read, 0) "
                    "+ coalesce(idx_tup_fetch, 0)), 0) FROM pg_stat_user_tables"
                )
            ).scalar_one()
            exec_ms = None
            if connection.execute(
                text("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")
            ).first():
                exec_ms = float(
                    connection.execute(
                        text("SELECT coalesce(sum(total_exec_time), 0) FROM pg_stat_statements")
                    ).scalar_one()
                )
        return int(rows), exec_ms
    finally:
        db.dispose()


def measure(url: str, source: str, catalogue: str, *, runs: int, folder: Path) -> Figures:
    """Refresh the copy ``runs`` times from ``url`` (one warm-up first)."""
    path = folder / "station-copy.db"
    postgres = url.startswith("postgresql")
    db = open_database(url)
    try:
        refresh_copy(db, path)  # warm-up: caches, the first connection
    finally:
        db.dispose()
    times: list[float] = []
    meters: list[ReadMeter] = []
    before = _server_counters(url) if postgres else (0, None)
    for _ in range(runs):
        db = open_database(url)
        meter = ReadMeter(db)
        try:
            started = time.perf_counter()
            info = refresh_copy(db, path)
            times.append(time.perf_counter() - started)
        finally:
            meter.close()
            # Disconnecting flushes the backend's statistics to pg_stat_database.
            db.dispose()
        meters.append(meter)
    server_rows = exec_ms = None
    if postgres:
        time.sleep(0.6)
        after = _server_counters(url)
        server_rows = (after[0] - before[0]) // runs
        if after[1] is not None and before[1] is not None:
            exec_ms = (after[1] - before[1]) / runs
    return Figures(
        source=source,
        catalogue=catalogue,
        items=info.rows["equipment_items"],
        runs=runs,
        median_s=statistics.median(times),
        worst_s=max(times),
        size=info.size,
        read_s=statistics.median(m.seconds for m in meters) if postgres else None,
        statements=meters[-1].statements,
        rows_fetched=meters[-1].rows if postgres else None,
        rows_copied=sum(info.rows.values()),
        server_rows=server_rows,
        server_exec_ms=exec_ms,
    )


def fill(url: str, items: int, log: Callable[[str], None]) -> None:
    db = open_database(url)
    try:
        started = time.perf_counter()
        if items == DEMO:
            load_demo(db)
            log(f"  loaded the demo in {time.perf_counter() - started:.1f} s")
        else:
            build_catalogue(db, items, log)
        analyse_after_load(db)
    finally:
        db.dispose()


@contextmanager
def one_cluster(given: str | None) -> Iterator[str | None]:
    """The server to make databases on: ``given``, else a throwaway cluster (None if none
    can be started)."""
    if given:
        yield given
        return
    try:
        cluster = start_cluster()
    except ClusterUnavailable:
        yield None
        return
    try:
        yield cluster.url
    finally:
        cluster.stop()


def run(args: argparse.Namespace, log: Callable[[str], None]) -> dict[str, Any]:
    sizes = [DEMO, *args.items]
    figures: list[Figures] = []
    notes: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="kitshare-bench-copy-"))

    def timed(url: str, source: str, items: int) -> None:
        figures.append(_one(url, source, items, runs=args.runs, folder=folder, log=log))

    try:
        if args.only in (None, "postgresql"):
            with one_cluster(args.pg_url) as server:
                if server is None:
                    notes.append("no PostgreSQL server could be had: SQLite only")
                for items in sizes if server is not None else []:
                    try:
                        with postgres_database(server, True) as (url, describe):
                            timed(url, "PostgreSQL", items)
                            notes.append(describe)
                    except NoPostgres as exc:
                        notes.append(str(exc))
        if args.only in (None, "sqlite"):
            for items in sizes:
                with sqlite_database(None) as (url, _):
                    timed(url, "SQLite", items)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    big = [f for f in figures if f.source == "PostgreSQL" and f.items >= 20_000]
    met = all(f.worst_s <= GOAL_SECONDS for f in big) if big else None
    return {
        "figures": [asdict(f) for f in figures],
        "goal_seconds": GOAL_SECONDS,
        "goal_met": met,
        "notes": sorted(set(notes)),
    }


def _one(
    url: str, source: str, items: int, *, runs: int, folder: Path, log: Callable[[str], None]
) -> Figures:
    catalogue = "demo" if items == DEMO else f"{items:,} items"
    log(f"{source}, {catalogue}:")
    fill(url, items, log)
    figures = measure(url, source, catalogue, runs=runs, folder=folder)
    log(f"  refresh median {figures.median_s:.2f} s, copy {format_size(figures.size)}")
    return figures


def print_report(report: dict[str, Any]) -> None:
    print(
        f"{'source':<11} {'catalogue':<14} {'items':>7} {'median':>8} {'worst':>8} "
        f"{'size':>9} {'reads':>8} {'share':>6} {'stmts':>6} {'rows':>8} {'server rows':>12}"
    )
    for f in report["figures"]:
        reads = share = rows = server = "-"
        if f["read_s"] is not None:
            reads = f"{f['read_s']:.2f}s"
            share = f"{f['read_s'] / f['median_s']:.0%}"
            rows = f"{f['rows_fetched']:,}"
        if f["server_rows"] is not None:
            server = f"{f['server_rows']:,}"
        print(
            f"{f['source']:<11} {f['catalogue']:<14} {f['items']:>7,} {f['median_s']:>7.2f}s "
            f"{f['worst_s']:>7.2f}s {format_size(f['size']):>9} {reads:>8} "
            f"{share:>6} {f['statements']:>6} {rows:>8} {server:>12}"
        )
        if f["server_exec_ms"] is not None:
            print(f"{'':<11} pg_stat_statements: {f['server_exec_ms']:.0f} ms executing")
    met = report["goal_met"]
    verdict = "not measured" if met is None else ("met" if met else "MISSED")
    print(f"\nGoal: 20,000 items from PostgreSQL in at most {GOAL_SECONDS:.0f} s: {verdict}.")
    for note in report["notes"]:
        print(f"  {note}")


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.station_copy", description=__doc__)
    parser.add_argument(
        "--items",
        type=lambda value: [int(v) for v in value.split(",") if v],
        default=[20_000],
        help="catalogue sizes besides the demo (comma list; default 20000)",
    )
    parser.add_argument("--runs", type=int, default=3, help="timed refreshes per catalogue")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--pg-url", help="a role that may create databases (else a throwaway)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = run(args, _log)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 1 if report["goal_met"] is False else 0


if __name__ == "__main__":
    raise SystemExit(main())
