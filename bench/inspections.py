"""Inspection reads benchmark: ``python -m bench.inspections --items 100000``.

Takes the catalogue ``bench.search`` builds (and caches) for each size, copies it to a
working file (the cache is left as it was), adds inspection regimes, two years of
inspections, and defects to the copy with ``sqlite3`` in one transaction, then times the
reads ``app.inspections.service`` serves, each against a baseline measured in the same run:

1. ``inspections_overview`` (the Inspections tab), against its own SELECTs replayed
   through ``sqlite3`` (the SQL floor), with the rows of each list;
2. ``search_items`` with the "inspection due before" filter (a blank query and a text
   query), against the same searches with a plain status filter;
3. ``app.catalogue.detail.item_detail`` (the item panel) for 50 random items, against
   ``item_standings`` alone, and with ``open_defects``, each in a read session of its own;
4. ``app.loans.fitness.issue_blockers`` (the check before kit is handed over) for 200 random
   items, against ``item_standings`` alone on the same items in the same session.

Every call uses the same fixed "now" as ``bench.search`` (2026-06-01 09:00 UTC). When
the overview or the due filter takes over a second (p50), or with ``--profile``, both
are run under cProfile and the heaviest functions are printed after the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from app.catalogue.detail import item_detail
from app.catalogue.search import SearchFilters, search_items
from app.core.clock import format_date, today_uk
from app.inspections.defects import open_defects
from app.inspections.overview import Watch, inspections_overview
from app.inspections.service import item_standings, next_due
from app.loans.fitness import issue_blockers
from app.storage.database import Database, open_database
from bench.search import (
    KINDS,
    NOW,
    PAGE,
    SqlRecorder,
    _stamp,
    ensure_database,
    parse_sizes,
    percentile,
    timed,
)
from models import EquipmentItem, ItemStatus

DEFAULT_SIZES = (10_000, 100_000)
DEFAULT_RUNS = 10
SEED = 20_260_601
TODAY = today_uk(NOW)
DUE_DAYS = 30
DUE_BEFORE = TODAY + timedelta(days=DUE_DAYS)
HISTORY_DAYS = 730
DETAIL_ITEMS = 50
BLOCKER_ITEMS = 200
TEXT_QUERY = "drone"
# Profile the overview and the due filter when either takes longer than this (p50).
PROFILE_OVER_MS = 1000.0
PROFILE_RUNS = 3
PROFILE_TOP = 25

# category, regime, interval in days, interval in months, whether a lapse blocks issue.
# Twelve of the sixteen categories; lighting towers have two regimes.
CATEGORY_REGIMES: tuple[tuple[str, str, int | None, int | None, bool], ...] = (
    ("Drones", "Airworthiness check", 42, None, True),
    ("Lighting towers", "LOLER thorough examination (mast)", None, 12, True),
    ("Lighting towers", "Generator set service", None, 6, False),
    ("Tents", "Fabric and seam inspection", None, 12, False),
    ("Boats", "Hull and engine survey", None, 6, True),
    ("Pumps", "Pump service", None, 6, True),
    ("Generators", "Electrical safety test", None, 12, True),
    ("Radios", "Battery and function check", None, 3, False),
    ("Thermal cameras", "Calibration check", None, 12, True),
    ("First aid", "Contents and expiry check", 42, None, True),
    ("Water rescue", "PPE inspection", None, 6, True),
    ("Vehicles", "Safety inspection", 42, None, True),
    ("Command", "Portable appliance test", None, 12, False),
)
# An item regime of its own for this share of the items, with one of these.
ITEM_REGIME_SHARE = 0.01
ITEM_REGIMES: tuple[tuple[str, int | None, int | None], ...] = (
    ("Manufacturer's service", None, 12),
    ("LOLER thorough examination", None, 6),
    ("Owner's check", 42, None),
    ("Quarterly check", None, 3),
)
INSPECTED_SHARE = 0.90
FAIL_SHARE = 0.03
ADVISORY_SHARE = 0.13  # of which FAIL_SHARE fail: 10% pass with advisories
# Kit in the categories no regime covers: this share has one inspection under none.
GENERAL_SHARE = 0.02
DEFECT_SHARE = 0.01
CLEARED_DEFECT_SHARE = 0.02
SEVERITIES = ("minor",) * 45 + ("major",) * 30 + ("unsafe",) * 25
SOURCES = ("reported",) * 5 + ("return",) * 3 + ("inspection",) * 2
INSPECTORS = (
    "Allied Inspection Services",
    "British Engineering Services",
    "Eastern Lifting Examinations",
    "Workshop: R. Patel",
    "Workshop: J. Morgan",
)
DEFECTS = (
    "Mast winch cable frayed near the drum.",
    "Cracked housing on the charger.",
    "Seam leaking at the left-hand wall.",
    "Pull cord will not retract.",
    "Battery swells when charged.",
    "Tyre below the legal tread depth.",
    "Missing guard over the drive belt.",
    "Display flickers and resets.",
)


# --------------------------------------------------------------------------------------
# The data
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """What was added to the copy, for the report."""

    category_regimes: int
    categories_covered: int
    item_regimes: int
    inspections: int
    covered_items: int
    inspected_items: int
    open_defects: dict[str, int]
    cleared_defects: int
    out_of_service: int
    migrate_s: float
    load_s: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def working_copy(cache: Path, folder: Path) -> Path:
    """A copy of the cached catalogue in ``folder``, made with the ``sqlite3`` backup API
    (so anything still in the cache's WAL file comes too); the cache is only read."""
    target = folder / f"inspections-{cache.stem}.db"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    source = sqlite3.connect(cache)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return target


def _interval_days(days: int | None, months: int | None) -> int:
    """The interval as days, from today (to spread the inspections over it)."""
    return (next_due(TODAY, days=days, months=months) - TODAY).days


def add_inspections(path: Path, items: int) -> Built:
    """Migrate the copy to head (``open_database``), then load regimes, inspections and
    defects into it with ``sqlite3`` in one transaction."""
    started = time.perf_counter()
    open_database(f"sqlite:///{path}").dispose()
    migrated = time.perf_counter()
    rng = random.Random(SEED + items)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA synchronous = OFF")
        con.execute("PRAGMA cache_size = -400000")
        con.execute("BEGIN")
        built = _load(con, rng)
        con.execute("COMMIT")
    finally:
        con.close()
    loaded = time.perf_counter()
    return Built(**built, migrate_s=migrated - started, load_s=loaded - migrated)


def _load(con: sqlite3.Connection, rng: random.Random) -> dict[str, Any]:
    category_ids = {kind.category: i + 1 for i, kind in enumerate(KINDS)}
    rows = con.execute(
        "SELECT id, asset_tag, category_id, status FROM equipment_items ORDER BY id"
    ).fetchall()
    regimes: list[tuple[Any, ...]] = []
    # (regime id, interval days, interval months) per category and per item
    by_category: dict[int, list[tuple[int, int | None, int | None]]] = {}
    by_item: dict[int, list[tuple[int, int | None, int | None]]] = {}
    for category, name, days, months, blocks in CATEGORY_REGIMES:
        regime_id = len(regimes) + 1
        category_id = category_ids[category]
        regimes.append((regime_id, name, category_id, None, days, months, int(blocks)))
        by_category.setdefault(category_id, []).append((regime_id, days, months))
    own = rng.sample([row[0] for row in rows], max(1, round(len(rows) * ITEM_REGIME_SHARE)))
    for item_id in sorted(own):
        name, days, months = rng.choice(ITEM_REGIMES)
        regime_id = len(regimes) + 1
        blocks = rng.random() < 0.8
        regimes.append((regime_id, name, None, item_id, days, months, int(blocks)))
        by_item.setdefault(item_id, []).append((regime_id, days, months))
    con.executemany(
        "INSERT INTO inspection_regimes (id, name, category_id, item_id, interval_days,"
        " interval_months, blocks_issue) VALUES (?, ?, ?, ?, ?, ?, ?)",
        regimes,
    )

    inspections: list[tuple[Any, ...]] = []
    covered = inspected = 0
    for item_id, tag, category_id, _status in rows:
        covering = [*by_category.get(category_id, []), *by_item.get(item_id, [])]
        if not covering:
            if rng.random() < GENERAL_SHARE:
                day = TODAY - timedelta(days=rng.randint(0, 400))
                yearly = next_due(day, days=None, months=12)
                inspections.append(
                    _inspection(
                        len(inspections) + 1, item_id, None, day, result="pass", due=yearly, tag=tag
                    )
                )
            continue
        covered += 1
        if rng.random() >= INSPECTED_SHARE:
            continue
        inspected += 1
        for regime_id, days, months in covering:
            for on in _history(rng, _interval_days(days, months)):
                result, due = _outcome(rng, on, days, months)
                row = _inspection(
                    len(inspections) + 1, item_id, regime_id, on, result=result, due=due, tag=tag
                )
                inspections.append(row)
    con.executemany(
        "INSERT INTO inspections (id, item_id, regime_id, inspected_on, inspector_name,"
        " result, certificate_ref, next_due_on, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        inspections,
    )

    open_counts, cleared, unsafe_items = _add_defects(con, rng, rows)
    if unsafe_items:
        con.executemany(
            "UPDATE equipment_items SET status = 'out_of_service' WHERE id = ?",
            [(item_id,) for item_id in sorted(unsafe_items)],
        )
    (out_of_service,) = con.execute(
        "SELECT count(*) FROM equipment_items WHERE status = 'out_of_service'"
    ).fetchone()
    return {
        "category_regimes": len(CATEGORY_REGIMES),
        "categories_covered": len(by_category),
        "item_regimes": len(regimes) - len(CATEGORY_REGIMES),
        "inspections": len(inspections),
        "covered_items": covered,
        "inspected_items": inspected,
        "open_defects": open_counts,
        "cleared_defects": cleared,
        "out_of_service": int(out_of_service),
    }


def _history(rng: random.Random, span: int) -> list[date]:
    """1-4 inspection days one interval (``span`` days, give or take) apart within the
    past two years, oldest first; the latest is up to a little over one interval ago, so
    some have lapsed."""
    day = TODAY - timedelta(days=rng.randint(0, round(span * 1.12)))
    days: list[date] = []
    for _ in range(rng.randint(1, 4)):
        if (TODAY - day).days > HISTORY_DAYS:
            break
        days.append(day)
        day -= timedelta(days=max(1, span + rng.randint(-7, 3)))
    return days[::-1]


def _outcome(
    rng: random.Random, on: date, days: int | None, months: int | None
) -> tuple[str, date | None]:
    """A result, and the next due date it gives (None for a fail)."""
    roll = rng.random()
    if roll < FAIL_SHARE:
        return "fail", None
    result = "pass_with_advisories" if roll < ADVISORY_SHARE else "pass"
    return result, next_due(on, days=days, months=months)


def _inspection(
    inspection_id: int,
    item_id: int,
    regime_id: int | None,
    day: date,
    *,
    result: str,
    due: date | None,
    tag: str,
) -> tuple[Any, ...]:
    """One row of ``inspections``."""
    inspector = INSPECTORS[inspection_id % len(INSPECTORS)]
    certificate = f"{tag}/{day:%Y%m%d}" if inspection_id % 3 == 0 else None
    recorded = _stamp(NOW.replace(year=day.year, month=day.month, day=day.day, hour=15))
    return (
        inspection_id,
        item_id,
        regime_id,
        day.isoformat(),
        inspector,
        result,
        certificate,
        due.isoformat() if due is not None else None,
        recorded,
    )


def _add_defects(
    con: sqlite3.Connection, rng: random.Random, rows: Sequence[tuple[Any, ...]]
) -> tuple[dict[str, int], int, set[int]]:
    """Open defects on ~1% of the items in use, cleared ones on ~2%; the items an open
    unsafe defect takes out of service."""
    in_use = [row[0] for row in rows if row[3] != "retired"]
    defects: list[tuple[Any, ...]] = []
    open_counts: Counter[str] = Counter()
    unsafe: set[int] = set()
    chosen = rng.sample(in_use, round(len(in_use) * (DEFECT_SHARE + CLEARED_DEFECT_SHARE)))
    cut = round(len(in_use) * DEFECT_SHARE)
    for n, item_id in enumerate(chosen):
        severity = rng.choice(SEVERITIES)
        reported = NOW - timedelta(hours=rng.randint(2, 120 * 24))
        is_open = n < cut
        cleared = None if is_open else reported + timedelta(hours=rng.randint(2, 14 * 24))
        defects.append(
            (
                item_id,
                rng.choice(SOURCES),
                severity,
                rng.choice(DEFECTS),
                _stamp(reported),
                _stamp(cleared) if cleared is not None else None,
                None if is_open else "Repaired and re-tested by the workshop.",
            )
        )
        if is_open:
            open_counts[severity] += 1
            if severity == "unsafe":
                unsafe.add(item_id)
    con.executemany(
        "INSERT INTO defects (item_id, source, severity, description, reported_at, cleared_at,"
        " clearance_note) VALUES (?, ?, ?, ?, ?, ?, ?)",
        defects,
    )
    return dict(sorted(open_counts.items())), len(defects) - cut, unsafe


# --------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------


def spread(samples: Sequence[float]) -> dict[str, float]:
    """n, p50, p95 and max of a list of milliseconds."""
    return {
        "n": len(samples),
        "p50_ms": percentile(samples, 0.5),
        "p95_ms": percentile(samples, 0.95),
        "max_ms": max(samples) if samples else float("nan"),
    }


def ratio(figure: dict[str, Any], baseline: dict[str, Any]) -> dict[str, float]:
    return {
        "p50": figure["p50_ms"] / baseline["p50_ms"] if baseline["p50_ms"] else float("inf"),
        "p95": figure["p95_ms"] / baseline["p95_ms"] if baseline["p95_ms"] else float("inf"),
    }


def timed_each(action: Callable[[int], object], ids: Sequence[int], runs: int) -> list[float]:
    """Milliseconds per call of ``action(id)``: one pass over ``ids`` to warm up, then
    ``runs`` timed passes."""
    for item_id in ids:
        action(item_id)
    samples = []
    for _ in range(runs):
        for item_id in ids:
            started = time.perf_counter_ns()
            action(item_id)
            samples.append((time.perf_counter_ns() - started) / 1e6)
    return samples


def replay(raw: sqlite3.Connection, statements: list[tuple[str, Any]]) -> None:
    for sql, params in statements:
        raw.execute(sql, params).fetchall()


def measure_overview(
    database: Database, raw: sqlite3.Connection, recorder: SqlRecorder, runs: int
) -> dict[str, Any]:
    def overview() -> Any:
        return inspections_overview(database, days=DUE_DAYS, now=NOW)

    result = overview()
    lists = {
        watch.value: {"rows": len(result.rows(watch)), "items": result.count(watch)}
        for watch in Watch
    }
    app = spread(timed(overview, runs))
    statements = recorder.capture(overview)
    sql = spread(timed(partial(replay, raw, statements), runs))
    return {"lists": lists, "app": app, "sql": sql, "statements": len(statements)}


def measure_searches(
    database: Database, raw: sqlite3.Connection, recorder: SqlRecorder, runs: int
) -> list[dict[str, Any]]:
    due = SearchFilters(inspection_due_before=DUE_BEFORE)
    plain = SearchFilters(status=ItemStatus.OUT_OF_SERVICE)
    figures = []
    for text in ("", TEXT_QUERY):
        pair: dict[str, Any] = {"query": text}
        for name, filters in (("due", due), ("baseline", plain)):

            def search(text: str = text, filters: SearchFilters = filters) -> int:
                return search_items(database, text, filters, limit=PAGE, now=NOW).total

            total = search()
            samples = spread(timed(search, runs))
            statements = recorder.capture(search)
            sql = spread(timed(partial(replay, raw, statements), runs))
            # The most bound parameters one statement of the search sends (the due ids).
            most = max((len(params or ()) for _, params in statements), default=0)
            pair[name] = {"total": total, **samples, "sql": sql, "most_parameters": most}
        pair["ratio"] = ratio(pair["due"], pair["baseline"])
        figures.append(pair)
    return figures


def measure_detail(database: Database, ids: Sequence[int], runs: int) -> dict[str, Any]:
    def detail(item_id: int) -> None:
        item_detail(database, item_id, now=NOW)

    def standings_alone(item_id: int) -> None:
        with database.read() as session:
            item_standings(session, item_id, TODAY)

    def inspection_reads(item_id: int) -> None:
        with database.read() as session:
            item_standings(session, item_id, TODAY)
            open_defects(session, [item_id])

    shown = [item_detail(database, item_id, now=NOW) for item_id in ids]
    figures: dict[str, Any] = {
        "items": len(ids),
        "with_regimes": sum(1 for d in shown if d.inspections),
        "with_defects": sum(1 for d in shown if d.defects),
        "with_blockers": sum(1 for d in shown if d.issue_blockers),
        "detail": spread(timed_each(detail, ids, runs)),
        "standings": spread(timed_each(standings_alone, ids, runs)),
        "inspection_reads": spread(timed_each(inspection_reads, ids, runs)),
    }
    figures["detail_over_standings"] = ratio(figures["detail"], figures["standings"])
    figures["standings_share_p50"] = (
        figures["standings"]["p50_ms"] / figures["detail"]["p50_ms"]
        if figures["detail"]["p50_ms"]
        else float("nan")
    )
    return figures


def measure_blockers(database: Database, ids: Sequence[int], runs: int) -> dict[str, Any]:
    blockers: list[float] = []
    standings: list[float] = []
    rules: Counter[str] = Counter()
    blocked = 0
    # A read session per pass, as the item panel or an issue holds one; items loaded first.
    for run in range(runs + 1):
        with database.read() as session:
            items = [session.get(EquipmentItem, item_id) for item_id in ids]
            for item in items:
                assert item is not None
                started = time.perf_counter_ns()
                problems = issue_blockers(session, item, TODAY)
                middle = time.perf_counter_ns()
                item_standings(session, item.id, TODAY)
                ended = time.perf_counter_ns()
                if run == 0:
                    blocked += bool(problems)
                    rules.update({p.rule for p in problems})
                    continue
                blockers.append((middle - started) / 1e6)
                standings.append((ended - middle) / 1e6)
    figures: dict[str, Any] = {
        "items": len(ids),
        "blocked": blocked,
        "rules": dict(sorted(rules.items())),
        "issue_blockers": spread(blockers),
        "standings": spread(standings),
    }
    figures["ratio"] = ratio(figures["issue_blockers"], figures["standings"])
    return figures


def profile(database: Database, top: int) -> str:
    """cProfile over the overview and the blank due search: where the time goes."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(PROFILE_RUNS):
        inspections_overview(database, days=DUE_DAYS, now=NOW)
        search_items(
            database, "", SearchFilters(inspection_due_before=DUE_BEFORE), limit=PAGE, now=NOW
        )
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


@contextmanager
def work_folder(given: Path | None) -> Iterator[Path]:
    """``given`` (kept), or a new temporary folder removed afterwards."""
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
        yield given
        return
    folder = Path(tempfile.mkdtemp(prefix="kitshare-bench-inspections-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_size(
    cache: Path, folder: Path, items: int, args: argparse.Namespace, log: Callable[[str], None]
) -> dict[str, Any]:
    started = time.perf_counter()
    path = working_copy(cache, folder)
    copied = time.perf_counter() - started
    built = add_inspections(path, items)
    log(
        f"  copied in {copied:.1f} s, migrated in {built.migrate_s:.1f} s, added"
        f" {built.inspections:,} inspections in {built.load_s:.1f} s"
    )
    database = open_database(f"sqlite:///{path}")
    raw = sqlite3.connect(path, isolation_level=None)
    recorder = SqlRecorder(database)
    rng = random.Random(SEED + items + 1)
    all_ids = [row[0] for row in raw.execute("SELECT id FROM equipment_items ORDER BY id")]
    figures: dict[str, Any] = {
        "items": len(all_ids),
        "sqlite_max_variables": raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER),
        "database_mb": round(path.stat().st_size / 1e6, 1),
        "copy_s": round(copied, 2),
        "built": built.as_dict(),
        "runs": args.runs,
    }
    try:
        log("  1. inspections_overview ...")
        figures["overview"] = measure_overview(database, raw, recorder, args.runs)
        log("  2. search_items with the due filter ...")
        figures["searches"] = measure_searches(database, raw, recorder, args.runs)
        log(f"  3. item_detail on {DETAIL_ITEMS} items ...")
        figures["detail"] = measure_detail(database, rng.sample(all_ids, DETAIL_ITEMS), args.runs)
        log(f"  4. issue_blockers on {BLOCKER_ITEMS} items ...")
        figures["blockers"] = measure_blockers(
            database, rng.sample(all_ids, BLOCKER_ITEMS), args.runs
        )
        slowest = max(
            figures["overview"]["app"]["p50_ms"],
            *(s["due"]["p50_ms"] for s in figures["searches"]),
        )
        figures["slowest_p50_ms"] = slowest
        if args.profile or slowest > PROFILE_OVER_MS:
            log("  profiling the overview and the due search ...")
            figures["profile"] = profile(database, PROFILE_TOP)
    finally:
        raw.close()
        database.dispose()
    return figures


# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------

HEADER = f"{'':<64}{'n':>6}{'total':>8}{'p50':>9}{'p95':>9}{'max':>9}"


def _row(label: str, figure: dict[str, Any], total: Any = "") -> str:
    total_text = f"{total:,}" if isinstance(total, int) else str(total)
    return (
        f"{label[:63]:<64}{figure['n']:>6}{total_text:>8}"
        f"{figure['p50_ms']:9.2f}{figure['p95_ms']:9.2f}{figure['max_ms']:9.2f}"
    )


def _times(r: dict[str, float]) -> str:
    return f"{r['p50']:.1f}x at p50, {r['p95']:.1f}x at p95"


def print_size(size: dict[str, Any]) -> None:
    built = size["built"]
    defects = ", ".join(f"{n:,} {severity}" for severity, n in built["open_defects"].items())
    print()
    print(f"== {size['items']:,} items ({size['database_mb']} MB); times in ms ==")
    print(
        f"built: {built['category_regimes']} category regimes on {built['categories_covered']}"
        f" categories, {built['item_regimes']:,} item regimes; {built['inspections']:,}"
        f" inspections on {built['inspected_items']:,} of the {built['covered_items']:,} covered"
        f" items; open defects {defects}; {built['cleared_defects']:,} cleared;"
        f" {built['out_of_service']:,} items out of service"
    )
    print(
        f"(copy {size['copy_s']:.1f} s, migrate {built['migrate_s']:.1f} s,"
        f" load {built['load_s']:.1f} s; {size['runs']} timed runs after one warm-up)"
    )
    print(HEADER)

    overview = size["overview"]
    print("1. Inspections tab")
    print(_row(f"inspections_overview(days={DUE_DAYS})", overview["app"]))
    print(
        _row(f"  baseline: its {overview['statements']} SELECTs through sqlite3", overview["sql"])
    )
    print(f"  app / SQL: {_times(ratio(overview['app'], overview['sql']))}")
    print(
        "  lists: "
        + "; ".join(
            f"{name} {n['rows']:,} rows ({n['items']:,} items)"
            for name, n in overview["lists"].items()
        )
    )

    print(f"2. Search with the due filter (due before {format_date(DUE_BEFORE)}), page of {PAGE}")
    for pair in size["searches"]:
        query = repr(pair["query"])
        due, baseline = pair["due"], pair["baseline"]
        print(_row(f"search {query}, inspection due", due, due["total"]))
        print(_row("  its SQL through sqlite3", due["sql"]))
        print(
            _row(f"  baseline: search {query}, status=out_of_service", baseline, baseline["total"])
        )
        print(f"  due / baseline: {_times(pair['ratio'])}")
        print(
            f"  the due search binds up to {due['most_parameters']:,} parameters in one"
            f" statement (this SQLite allows {size['sqlite_max_variables']:,})"
        )

    detail = size["detail"]
    print(
        f"3. Item panel: {detail['items']} items ({detail['with_regimes']} under a regime,"
        f" {detail['with_defects']} with open defects, {detail['with_blockers']} blocked)"
    )
    print(_row("item_detail", detail["detail"]))
    print(_row("  baseline: item_standings alone, in a read session", detail["standings"]))
    print(_row("  item_standings + open_defects, in a read session", detail["inspection_reads"]))
    print(
        f"  item_detail / item_standings: {_times(detail['detail_over_standings'])};"
        f" item_standings is {detail['standings_share_p50']:.0%} of item_detail at p50"
        " (item_detail reads it twice: itself and through issue_blockers)"
    )

    blockers = size["blockers"]
    rules = ", ".join(f"{rule} {n}" for rule, n in blockers["rules"].items()) or "none"
    print(
        f"4. Issue check: {blockers['items']} items, {blockers['blocked']} blocked"
        f" (items per rule: {rules})"
    )
    print(_row("issue_blockers(session, item, today)", blockers["issue_blockers"]))
    print(_row("  baseline: item_standings, same items and session", blockers["standings"]))
    print(f"  issue_blockers / item_standings: {_times(blockers['ratio'])}")


def print_report(report: dict[str, Any]) -> None:
    print(
        f"Inspection reads; now = {report['now']} (today {format_date(TODAY)});"
        f" SQLite {report['sqlite_version']}, Python {report['python']}"
    )
    for size in report["sizes"]:
        print_size(size)
    for size in report["sizes"]:
        if "profile" in size:
            print()
            print(
                f"== profile at {size['items']:,} items ({PROFILE_RUNS} overviews and"
                f" {PROFILE_RUNS} blank due searches; slowest p50 {size['slowest_p50_ms']:,.0f} ms,"
                f" profiled over {PROFILE_OVER_MS:,.0f} ms or with --profile) =="
            )
            print(size["profile"])
    print()
    print(
        f"machine: {report['cpus']} CPUs, load average at start {report['load_at_start']},"
        f" at end {report['load_at_end']}; bench peak RSS {report['peak_rss_mb']:.0f} MB"
    )


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inspections", description=__doc__)
    parser.add_argument("--items", action="append", help="catalogue size(s), e.g. 10000,100000")
    parser.add_argument(
        "--runs", type=int, default=DEFAULT_RUNS, help=f"timed runs (default {DEFAULT_RUNS})"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--rebuild", action="store_true", help="build the catalogues afresh")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the overview and the due search"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=Path(tempfile.gettempdir()) / "kitshare-bench",
        help="folder of bench.search's cached catalogues (default: %(default)s)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        help="folder for the working copies, kept afterwards (default: a temporary folder)",
    )
    args = parser.parse_args(argv)
    sizes = parse_sizes(args.items) if args.items else list(DEFAULT_SIZES)

    def log(message: str) -> None:
        print(message, file=sys.stderr if args.json else sys.stdout, flush=True)

    report: dict[str, Any] = {
        "now": NOW.isoformat(),
        "today": TODAY.isoformat(),
        "due_before": DUE_BEFORE.isoformat(),
        "sqlite_version": sqlite3.sqlite_version,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_at_start": _load_average(),
        "sizes": [],
    }
    with work_folder(args.work) as folder:
        for items in sizes:
            cache = ensure_database(args.keep, items, rebuild=args.rebuild, log=log)
            log(f"{items:,} items:")
            report["sizes"].append(run_size(cache, folder, items, args, log))
    report["load_at_end"] = _load_average()
    report["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
