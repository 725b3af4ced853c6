"""Catalogue import benchmark: ``python -m bench.import_items --items 100000``.

Writes N item rows as a CSV file in a temporary folder, laid out like a Snipe-IT asset
export (Asset Tag, Asset Name, Category, Company, Default Location, Manufacturer, Model,
Serial, Qty, Purchase Date, Purchase Cost, Status, Notes), and imports it into a fresh
SQLite database migrated to head, holding ``bench.search``'s 9 agencies, their 40 sites
and its 16 categories, as the window and ``kitshare-admin import`` do:

1. ``app.transfer.tabular.read_table`` (the file read as text);
2. ``app.transfer.service.check_import`` (the dry run: every row checked);
3. ``app.transfer.service.run_import`` (the check again, then every row written in one
   transaction, with one audit event), as rows per second, with the time of the check
   and of the writing within it, told apart by the progress callback.

Baselines, measured in the same run on copies of the same empty database: the rows the
import wrote (read back from it) inserted with ``sqlite3``'s ``executemany`` in one
transaction, with the app's connection settings (WAL, ``synchronous = FULL``):

A. as they are, the search index's insert trigger indexing each row (migrations 0002 and
   0003): what any plain insert of the rows costs in this schema;
B. with that trigger set aside and the index filled by one ``INSERT … SELECT`` from the
   view it reads, then put back: the floor for the import's writing, which does the same.

The goal is ``run_import`` in 15 s or less at 100,000 items; the exit status is 1 when a
size of 100,000 or more misses it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.core.actor import Actor
from app.storage.database import open_database
from app.transfer.fields import Kind, guess_mapping
from app.transfer.service import check_import, run_import
from app.transfer.tabular import read_table
from bench.search import AGENCIES, KINDS, TOWNS, parse_sizes
from models import Agency, AgencyKind, Category, EquipmentItem, Role, Site

DEFAULT_SIZES = (100_000,)
SEED = 20_261_121
GOAL_S = 15.0
GOAL_FROM_ITEMS = 100_000
TODAY = date(2026, 11, 21)
HEADERS = (
    "Asset Tag",
    "Asset Name",
    "Category",
    "Company",
    "Default Location",
    "Manufacturer",
    "Model",
    "Serial",
    "Qty",
    "Purchase Date",
    "Purchase Cost",
    "Status",
    "Notes",
)
STATUSES = ("Ready to Deploy",) * 90 + ("Deployed",) * 8 + ("Archived",) * 2
NOTES = ("", "", "", "Kept charged and ready.", "Spare batteries in the case.", "Bay 2")
ACTOR = Actor(name="Bench administrator", role=Role.ADMINISTRATOR)
ITEM_COLUMNS = tuple(
    column.name for column in EquipmentItem.__table__.columns if column.name != "id"
)


# --------------------------------------------------------------------------------------
# The file and the databases
# --------------------------------------------------------------------------------------


def sites_of_agencies() -> list[tuple[str, str]]:
    """(agency name, site name): 5 sites for the first four agencies, 4 for the rest."""
    sites = []
    for index, (_code, name, _kind, _prefix, site_kind) in enumerate(AGENCIES):
        for k in range(5 if index < 4 else 4):
            town = TOWNS[(index * 3 + k * 5) % len(TOWNS)]
            sites.append((name, f"{town} {site_kind}"))
    return sites


def write_file(path: Path, items: int) -> None:
    """N rows as a Snipe-IT style asset export, from a fixed seed."""
    rng = random.Random(SEED + items)
    sites = sites_of_agencies()
    prefixes = {name: prefix for _code, name, _kind, prefix, _site in AGENCIES}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for n in range(items):
            agency, site = sites[rng.randrange(len(sites))]
            kind = KINDS[rng.randrange(len(KINDS))]
            make, models = kind.makes[rng.randrange(len(kind.makes))]
            pooled = rng.random() < 0.1
            bought = TODAY - timedelta(days=rng.randint(30, 3650))
            pence = rng.randint(2_000, 2_500_000)
            writer.writerow(
                (
                    f"{prefixes[agency]}-{n + 1:06d}",
                    rng.choice(kind.names),
                    kind.category,
                    agency,
                    site,
                    make,
                    rng.choice(models),
                    f"SN{rng.randrange(16**10):010X}",
                    rng.randint(10, 60) if pooled else 1,
                    bought.strftime("%d/%m/%Y") if n % 2 else bought.isoformat(),
                    f"{pence // 100:,}.{pence % 100:02d}",
                    rng.choice(STATUSES),
                    rng.choice(NOTES),
                )
            )


def build_template(path: Path) -> None:
    """An empty database at head with the organisations and categories the file names."""
    database = open_database(f"sqlite:///{path}")
    try:
        with database.write() as session:
            agencies = {}
            for code, name, kind, _prefix, _site in AGENCIES:
                agencies[name] = Agency(code=code, name=name, kind=AgencyKind(kind))
            session.add_all(agencies.values())
            session.flush()
            for agency, site in sites_of_agencies():
                session.add(Site(agency_id=agencies[agency].id, name=site))
            session.add_all(Category(name=kind.category) for kind in KINDS)
    finally:
        database.dispose()


def copy_database(template: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return target


# --------------------------------------------------------------------------------------
# What is timed
# --------------------------------------------------------------------------------------


class Stopwatch:
    """A progress callback that notes when the import's check ends and its writing starts
    (``run_import`` reports the check over the first half of its total)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.checked: float | None = None

    def __call__(self, done: int, total: int) -> bool:
        if self.checked is None and total and done * 2 >= total:
            self.checked = time.perf_counter()
        return True


def run_size(folder: Path, items: int, log: Any) -> dict[str, Any]:
    template = folder / f"template-{items}.db"
    build_template(template)
    source = folder / f"assets-{items}.csv"
    started = time.perf_counter()
    write_file(source, items)
    written_s = time.perf_counter() - started
    log(f"  wrote {source.name}: {source.stat().st_size / 1e6:.1f} MB in {written_s:.1f} s")

    database = open_database(f"sqlite:///{copy_database(template, folder / 'import.db')}")
    try:
        started = time.perf_counter()
        table = read_table(source)
        read_s = time.perf_counter() - started
        mapping = guess_mapping(table.headers, Kind.ITEMS)
        started = time.perf_counter()
        report = check_import(database, ACTOR, table, Kind.ITEMS, mapping, today=TODAY)
        check_s = time.perf_counter() - started
        if not report.ok:
            raise SystemExit(f"the bench file has problems: {report.problems[:3]}")
        stopwatch = Stopwatch()
        result = run_import(
            database, ACTOR, table, Kind.ITEMS, mapping, progress=stopwatch, today=TODAY
        )
        import_s = time.perf_counter() - stopwatch.started
        checked_s = (stopwatch.checked or stopwatch.started) - stopwatch.started
        with database.read() as session:
            stored = session.scalar(select(func.count()).select_from(EquipmentItem)) or 0
    finally:
        database.dispose()
    log(f"  imported {result.created:,} items in {import_s:.1f} s")
    raw_rows = _raw_rows(folder / "import.db")
    baseline_a = baseline(copy_database(template, folder / "baseline-a.db"), raw_rows, defer=False)
    log(f"  baseline A: {baseline_a:.1f} s")
    baseline_b = baseline(copy_database(template, folder / "baseline-b.db"), raw_rows, defer=True)
    log(f"  baseline B: {baseline_b:.1f} s")
    return {
        "items": items,
        "file_mb": source.stat().st_size / 1e6,
        "encoding": table.encoding,
        "read_s": read_s,
        "check_s": check_s,
        "import_s": import_s,
        "import_check_s": checked_s,
        "import_write_s": import_s - checked_s,
        "rows_per_s": result.created / import_s if import_s else float("inf"),
        "stored": stored,
        "baseline_a_s": baseline_a,
        "baseline_b_s": baseline_b,
        "goal_s": GOAL_S if items >= GOAL_FROM_ITEMS else None,
        "goal_met": import_s <= GOAL_S if items >= GOAL_FROM_ITEMS else None,
    }


def _raw_rows(path: Path) -> list[tuple[Any, ...]]:
    """The items as stored, column values exactly as the import left them."""
    with closing(sqlite3.connect(path)) as con:
        return con.execute(
            f"SELECT {', '.join(ITEM_COLUMNS)} FROM equipment_items ORDER BY id"
        ).fetchall()


def baseline(path: Path, rows: list[tuple[Any, ...]], *, defer: bool) -> float:
    """Seconds to insert ``rows`` with ``executemany`` in one transaction; with ``defer``
    the search trigger is set aside and the index filled once, as the import does."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = FULL")
        con.execute("PRAGMA foreign_keys = ON")
        marks = ", ".join("?" for _ in ITEM_COLUMNS)
        insert = f"INSERT INTO equipment_items ({', '.join(ITEM_COLUMNS)}) VALUES ({marks})"
        started = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        if defer:
            (trigger,) = con.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
                " AND name = 'item_search_after_insert'"
            ).fetchone()
            con.execute("DROP TRIGGER item_search_after_insert")
        con.executemany(insert, rows)
        if defer:
            columns = ", ".join(
                str(row[1]) for row in con.execute("SELECT * FROM pragma_table_info('item_search')")
            )
            con.execute(
                f"INSERT INTO item_search (rowid, {columns})"
                f" SELECT id, {columns} FROM item_search_source"
            )
            con.execute(
                "INSERT INTO item_search_codes (rowid, codes)"
                " SELECT id, codes FROM item_search_source"
            )
            con.execute(trigger)
        con.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        con.close()


# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------


def _times(value: float) -> str:
    return f"{value:.2f}×"


def print_size(size: dict[str, Any]) -> None:
    print()
    print(f"== {size['items']:,} items ({size['file_mb']:.1f} MB CSV, {size['encoding']}) ==")
    print(f"  read_table                      {size['read_s']:6.2f} s")
    print(f"  check_import (the dry run)      {size['check_s']:6.2f} s")
    print(
        f"  run_import                      {size['import_s']:6.2f} s"
        f"  ({size['rows_per_s']:,.0f} rows/s)"
    )
    print(f"    of which the check again      {size['import_check_s']:6.2f} s")
    print(f"    of which the writing          {size['import_write_s']:6.2f} s")
    print(f"  baseline A: executemany, indexed row by row   {size['baseline_a_s']:6.2f} s")
    print(f"  baseline B: executemany, index filled once    {size['baseline_b_s']:6.2f} s")
    print(
        f"  run_import / baseline A: {_times(size['import_s'] / size['baseline_a_s'])};"
        f" the writing / baseline B: {_times(size['import_write_s'] / size['baseline_b_s'])}"
    )
    print(f"  items stored {size['stored']:,}")
    if size["goal_s"] is not None:
        verdict = "met" if size["goal_met"] else "MISSED"
        print(f"  goal: run_import ≤ {size['goal_s']:.0f} s: {verdict}")
    print(
        f"  read + dry run + import, as a person does it:"
        f" {size['read_s'] + size['check_s'] + size['import_s']:.1f} s"
    )


def print_report(report: dict[str, Any]) -> None:
    print(
        f"Catalogue import; SQLite {report['sqlite_version']}, Python {report['python']},"
        f" {report['cpus']} CPUs"
    )
    for size in report["sizes"]:
        print_size(size)
    print()
    print(
        f"machine: load average at start {report['load_at_start']}, at end"
        f" {report['load_at_end']}; bench peak RSS {report['peak_rss_mb']:.0f} MB"
    )


@contextmanager
def work_folder(given: Path | None) -> Iterator[Path]:
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="kitshare-import-bench-") as folder:
        yield Path(folder)


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_items", description=__doc__)
    parser.add_argument(
        "--items", action="append", help="rows in the file (repeatable or a comma list)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--work", type=Path, help="folder for the file and databases, kept afterwards"
    )
    args = parser.parse_args(argv)
    sizes = parse_sizes(args.items) if args.items else list(DEFAULT_SIZES)

    def log(message: str) -> None:
        print(message, file=sys.stderr if args.json else sys.stdout, flush=True)

    report: dict[str, Any] = {
        "sqlite_version": sqlite3.sqlite_version,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_at_start": _load_average(),
        "sizes": [],
    }
    with work_folder(args.work) as folder:
        for items in sizes:
            log(f"{items:,} items:")
            report["sizes"].append(run_size(folder, items, log))
    report["load_at_end"] = _load_average()
    report["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    missed = [s for s in report["sizes"] if s["goal_met"] is False]
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
