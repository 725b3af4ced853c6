"""Catalogue search benchmark: ``python -m bench.search --items 100000``.

Builds (or reuses) a synthetic catalogue of N items per size, then times a fixed set of
queries three ways:

* app   - ``app.catalogue.search.search_items`` (a page of 50 plus the total), as the
  window calls it;
* floor - the bare FTS5 ``MATCH ... LIMIT 50`` through ``sqlite3``: every word of the
  query as a prefix in any column, plus the trigram ``item_search_codes`` match of each
  piece the app also looks up as a tag or serial fragment;
* like  - ``LIKE '%word%'`` over the item's text columns, a page of 50 plus COUNT(*),
  which is what most asset systems do.

It also replays the app's own SQL through ``sqlite3`` ("app sql"), so the cost of the SQL
can be told apart from the cost of SQLAlchemy around it. At 100,000 and 1,000,000 it then
measures the real window in a fresh process (``bench.window``): start-up, keystroke to
rows shown, scrolling to the end of a broad search, and peak memory.

The built databases are cached under ``--keep`` (default: a folder in the system temp
directory), keyed by N and ``GENERATOR_VERSION``; ``--rebuild`` forces a fresh build.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from app.catalogue.search import Chunk, SearchFilters, parse_query, search_items
from app.storage.database import Database, open_database
from models import ItemStatus

GENERATOR_VERSION = 2
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
SEED = 20_260_601
# Every timing uses this moment as "now", so availability answers are repeatable.
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
WINDOW_FROM = NOW + timedelta(days=3)
WINDOW_TO = NOW + timedelta(days=6)
BATCH = 50_000
PAGE = 50
# LIKE scans every row; at this size and above it runs fewer times.
LIKE_SLOW_SIZE = 1_000_000
LIKE_SLOW_RUNS = 5

GOAL_APP_P95_MS = {100_000: 10.0, 1_000_000: 30.0}
GOAL_FLOOR_RATIO = 3.0
GOAL_LIKE_RATIO_1M = 10.0
# "Only kit free between": the period-filter queries, p95, at 100,000 items.
GOAL_FREE_BETWEEN_P95_MS = {100_000: 20.0}

# --------------------------------------------------------------------------------------
# The synthetic catalogue
# --------------------------------------------------------------------------------------

TOWNS = (
    "Huntingdon",
    "Peterborough",
    "Cambridge",
    "Ely",
    "March",
    "Wisbech",
    "St Neots",
    "St Ives",
    "Soham",
    "Cottenham",
    "Ramsey",
    "Whittlesey",
    "Chatteris",
    "Sawston",
)

# code, name, kind, tag prefix, what its sites are called
AGENCIES = (
    ("CAMBS-POL", "Cambridgeshire Constabulary", "police", "CAM", "Police Station"),
    ("CAMBS-FRS", "Cambridgeshire Fire and Rescue Service", "fire", "CFR", "Fire Station"),
    ("EEAST", "East of England Ambulance Service", "ambulance", "EEA", "Ambulance Station"),
    ("CCC", "Cambridgeshire County Council", "local_authority", "CCC", "Highways Depot"),
    ("PCC", "Peterborough City Council", "local_authority", "PCC", "Depot"),
    ("HDC", "Huntingdonshire District Council", "local_authority", "HDC", "Depot"),
    ("FDC", "Fenland District Council", "local_authority", "FDC", "Depot"),
    ("ECDC", "East Cambridgeshire District Council", "local_authority", "ECD", "Depot"),
    ("CAMBS-SAR", "Cambridgeshire Search and Rescue", "other", "CSR", "Base"),
)


@dataclass(frozen=True)
class Kind:
    category: str
    names: tuple[str, ...]
    makes: tuple[tuple[str, tuple[str, ...]], ...]
    features: tuple[str, ...]
    weight: int = 1


KINDS = (
    Kind(
        "Drones",
        (
            "Thermal drone",
            "Mapping drone",
            "Search drone",
            "Thermal imaging drone",
            "Tethered drone",
            "Training drone",
            "Quadcopter UAV",
        ),
        (
            ("DJI", ("Matrice 300 RTK", "Matrice 30T", "Mavic 3 Enterprise", "Mavic 3 Thermal")),
            ("Autel", ("EVO II Dual 640T", "EVO Max 4T")),
            ("Parrot", ("Anafi USA",)),
        ),
        (
            "Thermal camera with 640x512 sensor",
            "Spare batteries and charging hub",
            "Loudspeaker and spotlight payload",
            "Requires a licensed remote pilot",
            "Zoom camera, 56x hybrid",
        ),
        weight=2,
    ),
    Kind(
        "Lighting towers",
        (
            "Lighting tower",
            "LED lighting tower",
            "Mobile lighting tower",
            "Inflatable light tower",
            "Tripod floodlight",
        ),
        (
            ("Atlas Copco", ("HiLight H6+", "HiLight V5+")),
            ("Generac", ("VT-Hybrid", "MLT6")),
            ("Pramac", ("LSW 4000",)),
        ),
        (
            "Diesel engine, 9 m mast",
            "Towable on a road trailer",
            "Four LED heads, 1.4 kW",
            "Runs 150 hours on one tank",
        ),
        weight=2,
    ),
    Kind(
        "Barriers",
        (
            "Crowd barrier",
            "Road barrier",
            "Water-filled barrier",
            "Pedestrian barrier",
            "Anti-vehicle barrier",
        ),
        (("Mascot", ("Steel 2.3 m",)), ("Melba", ("Swarfega 2000",)), ("Heras", ("Q-Block",))),
        ("Interlocking, 2.3 m sections", "Stacked on a pallet", "Reflective panels fitted"),
        weight=2,
    ),
    Kind(
        "Fencing",
        ("Heras fencing panel", "Temporary fencing", "Cordon fencing", "Mesh fencing panel"),
        (("Heras", ("Standard 3.5 m",)), ("Ashford", ("Mesh 2 m",))),
        ("Rubber feet and clamps included", "Anti-climb mesh", "Delivered on a stillage"),
    ),
    Kind(
        "Tents",
        (
            "Decontamination tent",
            "Incident command tent",
            "Inflatable shelter tent",
            "Welfare tent",
            "Gazebo",
        ),
        (
            ("Professional Protection Systems", ("DS300", "Lancer 6x3")),
            ("Zumro", ("Airshelter 18",)),
            ("Losberger", ("Rapid Deployment",)),
        ),
        ("Inflates in under two minutes", "Heater and lighting kit", "Packs into two bags"),
    ),
    Kind(
        "Boats",
        ("Rescue boat", "Inflatable rescue boat", "Flood rescue sled", "Swiftwater rescue boat"),
        (("Arancia", ("IRB 3.8",)), ("Zodiac", ("Futura Mark 2",)), ("RTS", ("Rescue Sled",))),
        ("Outboard motor, 15 hp", "Trailer and launch kit", "Crew of three, swiftwater trained"),
    ),
    Kind(
        "Pumps",
        (
            "Submersible pump",
            "Trash pump",
            "High-volume pump",
            "Salvage pump",
            "Portable fire pump",
        ),
        (
            ("Godiva", ("Prima P1",)),
            ("Honda", ("WT30", "WB20")),
            ("Hale", ("HP100",)),
            ("Tsurumi", ("HS2.4S",)),
        ),
        ("Petrol engine, 1,500 l/min", "Hoses and strainer included", "Flood response kit"),
        weight=2,
    ),
    Kind(
        "Generators",
        ("Petrol generator", "Diesel generator", "Portable generator", "Inverter generator"),
        (
            ("Honda", ("EU22i", "EU30is", "EM5500")),
            ("Hyundai", ("HY3200SEi",)),
            ("Stephill", ("SE6000D",)),
            ("SDMO", ("Technic 6500",)),
        ),
        ("6 kVA output, 110 V and 230 V", "Earth spike and leads", "Serviced annually"),
        weight=2,
    ),
    Kind(
        "Radios",
        ("Airwave handset", "Radio handset", "Base station radio", "Vehicle radio"),
        (("Motorola", ("MTP6650", "MXP600")), ("Sepura", ("STP9000", "SC20"))),
        ("Spare battery and charger", "Covert earpiece kit", "Programmed for mutual aid"),
    ),
    Kind(
        "Thermal cameras",
        ("Thermal imaging camera", "Handheld thermal camera"),
        (("FLIR", ("K55", "K65")), ("MSA", ("Evolution 6000",)), ("Argus", ("Mi-TIC",))),
        ("Video recording to SD card", "Neck strap and charger"),
    ),
    Kind(
        "Cones and signs",
        ("Traffic cone", "Road closed sign", "Diversion sign", "Police slow sign"),
        (("JSP", ("750 mm",)), ("Melba", ("Frame 1050",))),
        ("Reflective sleeves", "Weighted bases"),
    ),
    Kind(
        "First aid",
        ("Trauma kit", "Defibrillator", "First aid bag", "Oxygen kit"),
        (("Zoll", ("AED Plus",)), ("Philips", ("HeartStart FRx",)), ("Paramedic", ("Bag 4",))),
        ("Checked monthly", "Pads expire next year"),
    ),
    Kind(
        "Water rescue",
        ("Drysuit", "Life jacket", "Throw line", "Water rescue helmet"),
        (("Typhoon", ("Ezeedon 4",)), ("Palm", ("Vector",)), ("Crewsaver", ("Ergofit 190",))),
        ("Sizes M to XXL", "Inspected after every use"),
    ),
    Kind(
        "Vehicles",
        ("Incident support unit", "Quad bike", "All-terrain vehicle", "Trailer"),
        (("Polaris", ("Ranger 570",)), ("Ifor Williams", ("GD85",)), ("Land Rover", ("Defender",))),
        ("Blue lights and sirens", "Towing capacity 3.5 t"),
    ),
    Kind(
        "Command",
        ("Command unit", "Incident board", "Laptop kit", "Mobile CCTV camera"),
        (("Panasonic", ("Toughbook 40",)), ("Hikvision", ("Mobile 4G",))),
        ("4G router and satellite link", "Whiteboards and tabards"),
    ),
    Kind(
        "Sandbags and flood",
        ("Sandbag pallet", "Flood barrier", "Flood pod", "Absorbent boom"),
        (("FloodSax", ("Pallet 200",)), ("Aquobex", ("Pod",))),
        ("Self-inflating when wet", "Stored in the dry store"),
    ),
)

ADJECTIVES = ("Reliable", "Spare", "Front-line", "Reserve", "Well-used", "New", "Refurbished")
EXTRAS = (
    "Suitable for night operations.",
    "Requires a trained operator.",
    "Used for flood response.",
    "Available for mutual aid.",
    "Returned from last incident in good order.",
    "Kept charged and ready.",
    "",
)
STATUSES = (
    ("available", 85),
    ("on_loan", 5),
    ("reserved", 3),
    ("out_of_service", 5),
    ("retired", 2),
)
CONDITIONS = ("new", "good", "good", "good", "fair", "poor")


def _stamp(moment: datetime) -> str:
    """A moment as SQLAlchemy stores a naive-UTC DATETIME on SQLite."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def cache_path(folder: Path, items: int) -> Path:
    return folder / f"kitshare-bench-v{GENERATOR_VERSION}-{items}.db"


def ensure_database(folder: Path, items: int, *, rebuild: bool, log: Callable[[str], None]) -> Path:
    """The cached database of ``items`` items, building it if it is missing."""
    folder.mkdir(parents=True, exist_ok=True)
    path = cache_path(folder, items)
    if path.exists() and not rebuild:
        log(f"reusing {path}")
        return path
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    work = path.with_suffix(".building")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    build_catalogue(work, items)
    work.rename(path)
    log(f"built {items:,} items in {time.perf_counter() - started:.1f} s -> {path}")
    return path


def build_catalogue(path: Path, items: int) -> None:
    """Migrate an empty database to head, then bulk-load the catalogue with sqlite3."""
    database = open_database(f"sqlite:///{path}")
    database.dispose()
    rng = random.Random(SEED + items)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = DELETE")
        con.execute("PRAGMA synchronous = OFF")
        con.execute("PRAGMA cache_size = -400000")
        con.execute("PRAGMA temp_store = MEMORY")
        con.execute("BEGIN")
        sites_by_agency = _insert_organisations(con)
        # The insert trigger indexes one row at a time; load the items, then index them
        # in one INSERT ... SELECT from the same view, then put the trigger back verbatim.
        (trigger_sql,) = con.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' "
            "AND name = 'item_search_after_insert'"
        ).fetchone()
        con.execute("DROP TRIGGER item_search_after_insert")
        pooled = _insert_items(con, rng, items, sites_by_agency)
        # Every column the index has, from the view the triggers read: whatever the
        # latest migration put in the index, this fills it the same way.
        columns = ", ".join(
            row[1] for row in con.execute("SELECT * FROM pragma_table_info('item_search')")
        )
        con.execute(
            f"INSERT INTO item_search (rowid, {columns})"
            f" SELECT id, {columns} FROM item_search_source"
        )
        con.execute(
            "INSERT INTO item_search_codes (rowid, codes) SELECT id, codes FROM item_search_source"
        )
        con.execute(trigger_sql)
        _insert_loans(con, rng, items, pooled)
        con.execute("COMMIT")
        con.execute("PRAGMA journal_mode = WAL")
    finally:
        con.close()


def _insert_organisations(con: sqlite3.Connection) -> dict[int, list[tuple[int, str]]]:
    con.executemany(
        "INSERT INTO agencies (id, code, name, kind) VALUES (?, ?, ?, ?)",
        [(i + 1, code, name, kind) for i, (code, name, kind, _, _) in enumerate(AGENCIES)],
    )
    sites_by_agency: dict[int, list[tuple[int, str]]] = {}
    site_rows = []
    site_id = 0
    for agency_index, (_, _, _, _, site_kind) in enumerate(AGENCIES):
        agency_id = agency_index + 1
        # 4 or 5 sites each, spread over the towns: about 40 in all.
        count = 5 if agency_index < 4 else 4
        for k in range(count):
            town = TOWNS[(agency_index * 3 + k * 5) % len(TOWNS)]
            site_id += 1
            site_rows.append((site_id, agency_id, f"{town} {site_kind}", town))
            sites_by_agency.setdefault(agency_id, []).append((site_id, town))
    con.executemany("INSERT INTO sites (id, agency_id, name, town) VALUES (?, ?, ?, ?)", site_rows)
    con.executemany(
        "INSERT INTO categories (id, name, description, tracks_fuel, tracks_hours,"
        " tracks_battery, tracks_mileage) VALUES (?, ?, ?, 0, 0, 0, 0)",
        [
            (i + 1, kind.category, f"{kind.category} shared between agencies")
            for i, kind in enumerate(KINDS)
        ],
    )
    return sites_by_agency


def _insert_items(
    con: sqlite3.Connection,
    rng: random.Random,
    items: int,
    sites_by_agency: dict[int, list[tuple[int, str]]],
) -> list[int]:
    """Insert the items; returns the ids of the pooled ones."""
    kind_choices = [i for i, kind in enumerate(KINDS) for _ in range(kind.weight)]
    status_choices = [s for s, weight in STATUSES for _ in range(weight)]
    counters = [0] * len(AGENCIES)
    created = _stamp(NOW - timedelta(days=400))
    pooled_ids: list[int] = []
    sql = (
        "INSERT INTO equipment_items (id, asset_tag, name, category_id, owner_agency_id,"
        " home_site_id, make, model, serial_number, is_pooled, quantity, status, condition,"
        " description, replacement_value_pence, daily_hire_rate_pence, created_at, updated_at,"
        " row_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
    )
    batch: list[tuple[Any, ...]] = []
    for item_id in range(1, items + 1):
        kind_index = rng.choice(kind_choices)
        kind = KINDS[kind_index]
        agency_index = rng.randrange(len(AGENCIES))
        counters[agency_index] += 1
        site_id, town = rng.choice(sites_by_agency[agency_index + 1])
        tag = f"{AGENCIES[agency_index][3]}-{counters[agency_index]:06d}"
        make, models = rng.choice(kind.makes)
        model = rng.choice(models)
        name = rng.choice(kind.names)
        if rng.random() < 0.3:
            name = f"{name} {model}"
        serial = f"{make[:2].upper()}{rng.randrange(36**2):03d}{rng.randrange(10**6):06d}"
        is_pooled = rng.random() < 0.1
        quantity = rng.randint(10, 60) if is_pooled else 1
        if is_pooled:
            pooled_ids.append(item_id)
        description = (
            f"{rng.choice(ADJECTIVES)} {name.lower()} kept at {town}. "
            f"{rng.choice(kind.features)}. {rng.choice(EXTRAS)}"
        ).strip()
        batch.append(
            (
                item_id,
                tag,
                name,
                kind_index + 1,
                agency_index + 1,
                site_id,
                make,
                model,
                serial,
                int(is_pooled),
                quantity,
                rng.choice(status_choices),
                rng.choice(CONDITIONS),
                description,
                rng.randrange(10_000, 5_000_000),
                rng.randrange(0, 50_000),
                created,
                created,
            )
        )
        if len(batch) >= BATCH:
            con.executemany(sql, batch)
            batch.clear()
    if batch:
        con.executemany(sql, batch)
    return pooled_ids


def _insert_loans(
    con: sqlite3.Connection, rng: random.Random, items: int, pooled: list[int]
) -> None:
    """A few thousand loan lines around ``NOW``, mostly on pooled stock."""
    lines_wanted = min(5_000, max(500, items // 20))
    loans: list[tuple[Any, ...]] = []
    lines: list[tuple[Any, ...]] = []
    loan_id = 0
    stamp = _stamp(NOW - timedelta(days=30))
    while len(lines) < lines_wanted:
        loan_id += 1
        starts = NOW + timedelta(hours=rng.randint(-20 * 24, 30 * 24))
        ends = starts + timedelta(hours=rng.randint(12, 10 * 24))
        if starts < NOW:
            status = "issued" if rng.random() < 0.6 else "returned"
        else:
            status = "approved" if rng.random() < 0.5 else "requested"
        holds = status != "returned"
        loans.append(
            (
                loan_id,
                rng.randrange(1, len(AGENCIES) + 1),
                "Mutual aid",
                _stamp(starts),
                _stamp(ends),
                status,
                int(rng.random() < 0.1),
                stamp,
                stamp,
            )
        )
        for _ in range(rng.randint(1, 3)):
            if pooled and rng.random() < 0.7:
                item_id = rng.choice(pooled)
                quantity = rng.randint(1, 10)
            else:
                item_id = rng.randint(1, items)
                quantity = 1
            returned = quantity if status == "returned" else 0
            lines.append(
                (loan_id, item_id, quantity, returned, _stamp(starts), _stamp(ends), int(holds))
            )
    con.executemany(
        "INSERT INTO loans (id, borrower_agency_id, purpose, starts_at, due_at, status,"
        " is_emergency, created_at, updated_at, row_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
        loans,
    )
    con.executemany(
        "INSERT INTO loan_lines (loan_id, item_id, quantity, quantity_returned, starts_at,"
        " ends_at, holds_stock) VALUES (?, ?, ?, ?, ?, ?, ?)",
        lines,
    )


# --------------------------------------------------------------------------------------
# The queries
# --------------------------------------------------------------------------------------

AVAILABLE_5 = SearchFilters(available_from=WINDOW_FROM, available_to=WINDOW_TO, quantity=5)


@dataclass(frozen=True)
class Query:
    text: str
    filters: SearchFilters = field(default_factory=SearchFilters)
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.text!r}" + (f" [{self.note}]" if self.note else "")


QUERIES = (
    Query("drone"),
    Query("dro"),
    Query("thermal drone"),
    Query("lighting tower huntingdon"),
    Query("hunt"),
    Query("0042"),
    Query("CAM-0042"),
    Query("CFR-001234"),
    Query("barrier"),
    Query("tent"),
    Query("boat"),
    Query("generator petrol"),
    Query("wisbech"),
    Query("pump"),
    Query("fencing march"),
    Query("honda eu22i"),
    Query("st ives"),
    Query("zzz-no-match"),
    Query("drone", SearchFilters(category="Drones"), "category=Drones"),
    Query("pump", SearchFilters(agency="CAMBS-FRS"), "agency=CAMBS-FRS"),
    Query("generator", SearchFilters(status=ItemStatus.AVAILABLE), "status=available"),
    Query(
        "barrier ely",
        SearchFilters(agency="CAMBS-POL", status=ItemStatus.AVAILABLE),
        "agency=CAMBS-POL, status=available",
    ),
    Query("lighting", AVAILABLE_5, "available 3-6 days ahead, qty 5"),
    Query("barrier", AVAILABLE_5, "available 3-6 days ahead, qty 5"),
    Query("cone", AVAILABLE_5, "available 3-6 days ahead, qty 5"),
    Query("hunt", SearchFilters(category="Lighting towers"), "category=Lighting towers"),
)


def floor_statements(chunks: list[Chunk]) -> list[tuple[str, str]]:
    """The bare FTS5 lookups for a query: all its words as prefixes, and a code fragment.

    The word MATCH is the app's ``"w1"* "w2"*`` over every word of the query; the code
    MATCH is the first chunk's fragment as the app writes it, run only when the app also
    searches ``item_search_codes`` (every chunk of three or more characters).
    """
    statements: list[tuple[str, str]] = []
    words = [w for chunk in chunks for w in chunk.words]
    if words:
        statements.append(
            (
                "SELECT rowid FROM item_search WHERE item_search MATCH ? LIMIT 50",
                " ".join(f'"{w}"*' for w in words),
            )
        )
    codes = [chunk.code for chunk in chunks if chunk.code]
    if codes:
        statements.append(
            (
                "SELECT rowid FROM item_search_codes WHERE item_search_codes MATCH ? LIMIT 50",
                " AND ".join(f'"{code}"' for code in codes),
            )
        )
    return statements


LIKE_COLUMNS = ("name", "asset_tag", "description", "make", "model", "serial_number")


def like_statements(chunks: list[Chunk], filters: SearchFilters) -> tuple[str, str, list[Any]]:
    """A page and a count by LIKE '%word%' over the item's columns, with the simple filters.

    The availability filter is not applied (it has no LIKE-style counterpart); the
    category, agency and status filters are.
    """
    terms = [w for chunk in chunks for w in chunk.words] or [
        chunk.code for chunk in chunks if chunk.code
    ]
    where: list[str] = []
    params: list[Any] = []
    for term in terms:
        where.append("(" + " OR ".join(f"{column} LIKE ?" for column in LIKE_COLUMNS) + ")")
        params.extend([f"%{term}%"] * len(LIKE_COLUMNS))
    if filters.category:
        where.append("category_id IN (SELECT id FROM categories WHERE lower(name) = ?)")
        params.append(filters.category.lower())
    if filters.agency:
        where.append(
            "owner_agency_id IN (SELECT id FROM agencies WHERE lower(name) = ? OR lower(code) = ?)"
        )
        params.extend([filters.agency.lower()] * 2)
    if filters.status is not None:
        where.append("status = ?")
        params.append(filters.status.value)
    clause = " AND ".join(where) or "1"
    page = f"SELECT id FROM equipment_items WHERE {clause} LIMIT 50"
    count = f"SELECT count(*) FROM equipment_items WHERE {clause}"
    return page, count, params


# --------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def timed(action: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds per run of ``action`` after one warm-up run."""
    action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter_ns()
        action()
        samples.append((time.perf_counter_ns() - started) / 1e6)
    return samples


@dataclass
class QueryResult:
    label: str
    total: int
    app: list[float]
    app_sql: list[float]
    floor: list[float]
    like: list[float]
    like_total: int

    def figures(self) -> dict[str, Any]:
        app50, app95 = percentile(self.app, 0.5), percentile(self.app, 0.95)
        floor50, floor95 = percentile(self.floor, 0.5), percentile(self.floor, 0.95)
        like50, like95 = percentile(self.like, 0.5), percentile(self.like, 0.95)
        return {
            "query": self.label,
            "total": self.total,
            "like_total": self.like_total,
            "app_p50_ms": app50,
            "app_p95_ms": app95,
            "app_sql_p50_ms": percentile(self.app_sql, 0.5),
            "app_sql_p95_ms": percentile(self.app_sql, 0.95),
            "floor_p50_ms": floor50,
            "floor_p95_ms": floor95,
            "like_p50_ms": like50,
            "like_p95_ms": like95,
            "app_over_floor_p95": app95 / floor95 if floor95 else math.inf,
            "like_over_app_p95": like95 / app95 if app95 else math.inf,
        }


class SqlRecorder:
    """Collects the SELECT statements the app sends, to replay them through sqlite3."""

    def __init__(self, database: Database) -> None:
        self.statements: list[tuple[str, Any]] = []
        self.active = False
        event.listen(database.engine, "before_cursor_execute", self._record)

    def _record(
        self, _conn: object, _cursor: object, statement: str, parameters: Any, *_rest: object
    ) -> None:
        if self.active and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.statements.append((statement, parameters))

    def capture(self, action: Callable[[], object]) -> list[tuple[str, Any]]:
        self.statements = []
        self.active = True
        try:
            action()
        finally:
            self.active = False
        return list(self.statements)


def run_size(path: Path, runs: int, like_runs: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Time every query on one database; the figures as a dict."""
    database = open_database(f"sqlite:///{path}")
    raw = sqlite3.connect(path, isolation_level=None)
    recorder = SqlRecorder(database)
    items = raw.execute("SELECT count(*) FROM equipment_items").fetchone()[0]
    loan_lines = raw.execute("SELECT count(*) FROM loan_lines").fetchone()[0]
    results: list[QueryResult] = []
    free_between: list[float] = []
    free_between_baseline: list[float] = []
    try:
        for query in QUERIES:
            chunks = parse_query(query.text) or []

            def app(query: Query = query) -> int:
                return search_items(database, query.text, query.filters, limit=PAGE, now=NOW).total

            total = app()
            app_samples = timed(app, runs)
            statements = recorder.capture(app)

            def app_sql(statements: list[tuple[str, Any]] = statements) -> None:
                for sql, params in statements:
                    raw.execute(sql, params).fetchall()

            app_sql_samples = timed(app_sql, runs)
            floors = floor_statements(chunks)

            def floor(floors: list[tuple[str, str]] = floors) -> None:
                for sql, match in floors:
                    raw.execute(sql, (match,)).fetchall()

            floor_samples = timed(floor, runs)
            page_sql, count_sql, params = like_statements(chunks, query.filters)

            def like(
                page_sql: str = page_sql, count_sql: str = count_sql, params: list[Any] = params
            ) -> int:
                raw.execute(page_sql, params).fetchall()
                return int(raw.execute(count_sql, params).fetchone()[0])

            like_total = like()
            like_samples = timed(like, like_runs)
            result = QueryResult(
                query.label,
                total,
                app_samples,
                app_sql_samples,
                floor_samples,
                like_samples,
                like_total,
            )
            results.append(result)
            if query.filters.available_from is not None:
                free_between.extend(app_samples)

                def unfiltered(text: str = query.text) -> int:
                    return search_items(database, text, SearchFilters(), limit=PAGE, now=NOW).total

                free_between_baseline.extend(timed(unfiltered, runs))
            f = result.figures()
            log(
                f"  {query.label:<55} total {total:>7}  app p95 {f['app_p95_ms']:8.2f} ms"
                f"  floor {f['floor_p95_ms']:7.3f}  like {f['like_p95_ms']:9.2f}"
            )
    finally:
        raw.close()
        database.dispose()
    every = {
        name: [s for r in results for s in getattr(r, name)]
        for name in ("app", "app_sql", "floor", "like")
    }
    per_query = [r.figures() for r in results]
    overall = {
        f"{name}_{p}_ms": percentile(samples, fraction)
        for name, samples in every.items()
        for p, fraction in (("p50", 0.5), ("p95", 0.95))
    }
    overall["app_over_floor_p95"] = overall["app_p95_ms"] / overall["floor_p95_ms"]
    overall["like_over_app_p95"] = overall["like_p95_ms"] / overall["app_p95_ms"]
    overall["worst_query_app_over_floor_p95"] = max(f["app_over_floor_p95"] for f in per_query)
    overall["worst_query_app_p95_ms"] = max(f["app_p95_ms"] for f in per_query)
    # The period filter against the same words without it, in the same run.
    overall["free_between_p50_ms"] = percentile(free_between, 0.5)
    overall["free_between_p95_ms"] = percentile(free_between, 0.95)
    overall["free_between_baseline_p95_ms"] = percentile(free_between_baseline, 0.95)
    return {
        "items": items,
        "loan_lines": loan_lines,
        "database": str(path),
        "database_mb": round(path.stat().st_size / 1e6, 1),
        "runs": runs,
        "like_runs": like_runs,
        "queries": per_query,
        "overall": overall,
    }


WINDOW_SIZES = (100_000, 1_000_000)
GOAL_KEYSTROKE_P95_MS = {100_000: 50.0, 1_000_000: 100.0}
GOAL_PEAK_RSS_MB_1M = 250.0
GOAL_STARTUP_S_1M = 1.0


def window_queries() -> list[str]:
    """The texts of the bench's queries, each once: what is typed into the window."""
    return list(dict.fromkeys(query.text for query in QUERIES))


def window_figures(items: int, path: Path, log: Callable[[str], None]) -> dict[str, Any]:
    """The real window on one database (see ``bench.window``), summarised."""
    from bench.window import run_probe

    log(f"measuring the window on {items:,} items ...")
    probe = run_probe(path, window_queries())
    latencies = [k["ms"] for k in probe["keystrokes"]]
    return {
        "items": items,
        "startup_s": probe["startup_s"],
        "keystroke_to_rows_p50_ms": percentile(latencies, 0.5),
        "keystroke_to_rows_p95_ms": percentile(latencies, 0.95),
        "keystroke_to_rows_max_ms": max(latencies),
        "keystrokes": probe["keystrokes"],
        "scroll": probe["scroll"],
        "peak_rss_mb": probe["peak_rss_mb"],
    }


def goals(sizes: list[dict[str, Any]], windows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each goal this bench can judge: met or missed, and by how much."""
    verdicts: list[dict[str, Any]] = []
    by_items = {size["items"]: size for size in sizes}
    for items, limit in GOAL_APP_P95_MS.items():
        if items not in by_items:
            continue
        value = by_items[items]["overall"]["app_p95_ms"]
        worst = by_items[items]["overall"]["worst_query_app_p95_ms"]
        verdicts.append(
            {
                "goal": f"app search p95 <= {limit:g} ms at {items:,} (all queries, incl. filters)",
                "value": value,
                "worst_query": worst,
                "met": value <= limit,
                "by": value / limit,
            }
        )
    for items, limit in GOAL_FREE_BETWEEN_P95_MS.items():
        if items not in by_items:
            continue
        value = by_items[items]["overall"]["free_between_p95_ms"]
        verdicts.append(
            {
                "goal": f"'Only kit free between' search p95 <= {limit:g} ms at {items:,}",
                "value": value,
                "met": value <= limit,
                "by": value / limit,
            }
        )
    for size in sizes:
        ratio = size["overall"]["worst_query_app_over_floor_p95"]
        verdicts.append(
            {
                "goal": f"app <= {GOAL_FLOOR_RATIO:g}x bare FTS5 floor at {size['items']:,}"
                " (worst query, p95)",
                "value": ratio,
                "overall": size["overall"]["app_over_floor_p95"],
                "met": ratio <= GOAL_FLOOR_RATIO,
                "by": ratio / GOAL_FLOOR_RATIO,
            }
        )
    if 1_000_000 in by_items:
        ratio = by_items[1_000_000]["overall"]["like_over_app_p95"]
        verdicts.append(
            {
                "goal": f"app >= {GOAL_LIKE_RATIO_1M:g}x faster than LIKE at 1,000,000 (p95)",
                "value": ratio,
                "met": ratio >= GOAL_LIKE_RATIO_1M,
                "by": GOAL_LIKE_RATIO_1M / ratio if ratio else math.inf,
            }
        )
    for figures in windows:
        items = figures["items"]
        keystroke_limit = GOAL_KEYSTROKE_P95_MS.get(items)
        if keystroke_limit is not None:
            value = figures["keystroke_to_rows_p95_ms"]
            verdicts.append(
                {
                    "goal": f"keystroke-to-rows p95 <= {keystroke_limit:g} ms at {items:,}",
                    "value": value,
                    "met": value <= keystroke_limit,
                    "by": value / keystroke_limit,
                }
            )
        if items == 1_000_000:
            for goal, value, limit in (
                (
                    f"peak RSS <= {GOAL_PEAK_RSS_MB_1M:g} MB at 1,000,000 (MB)",
                    figures["peak_rss_mb"],
                    GOAL_PEAK_RSS_MB_1M,
                ),
                (
                    f"start-up <= {GOAL_STARTUP_S_1M:g} s at 1,000,000 (s)",
                    figures["startup_s"],
                    GOAL_STARTUP_S_1M,
                ),
            ):
                verdicts.append(
                    {"goal": goal, "value": value, "met": value <= limit, "by": value / limit}
                )
    return verdicts


def print_report(report: dict[str, Any]) -> None:
    for size in report["sizes"]:
        print()
        print(
            f"== {size['items']:,} items ({size['loan_lines']:,} loan lines, "
            f"{size['database_mb']} MB); {size['runs']} runs per query "
            f"({size['like_runs']} for LIKE); times in ms =="
        )
        header = (
            f"{'query':<58}{'total':>8}{'app p50':>9}{'app p95':>9}{'sql p95':>9}"
            f"{'floor p50':>10}{'floor p95':>10}{'LIKE p50':>10}{'LIKE p95':>10}"
            f"{'app/floor':>10}{'LIKE/app':>9}"
        )
        print(header)
        print("-" * len(header))
        rows = [*size["queries"], {"query": "ALL QUERIES", "total": "", **size["overall"]}]
        for f in rows:
            print(
                f"{f['query'][:57]:<58}{f['total']!s:>8}{f['app_p50_ms']:9.2f}{f['app_p95_ms']:9.2f}"
                f"{f['app_sql_p95_ms']:9.2f}{f['floor_p50_ms']:10.3f}{f['floor_p95_ms']:10.3f}"
                f"{f['like_p50_ms']:10.1f}{f['like_p95_ms']:10.1f}"
                f"{f['app_over_floor_p95']:10.1f}{f['like_over_app_p95']:9.1f}"
            )
        o = size["overall"]
        print(
            f"'Only kit free between' (the queries with a period): p50 "
            f"{o['free_between_p50_ms']:.2f} ms, p95 {o['free_between_p95_ms']:.2f} ms;"
            f" the same words without the period (baseline): p95"
            f" {o['free_between_baseline_p95_ms']:.2f} ms"
        )
    print()
    print("== the window (offscreen, a fresh process per database) ==")
    if not report["windows"]:
        print("not measured: run with 100000 or 1000000 among --items, without --no-window")
    for w in report["windows"]:
        scroll = w["scroll"]
        print(
            f"{w['items']:>9,} items: start-up {w['startup_s']:.2f} s;"
            f" keystroke-to-rows p50 {w['keystroke_to_rows_p50_ms']:.1f} ms,"
            f" p95 {w['keystroke_to_rows_p95_ms']:.1f} ms,"
            f" max {w['keystroke_to_rows_max_ms']:.1f} ms"
            f" ({len(w['keystrokes'])} queries typed); peak RSS {w['peak_rss_mb']:.0f} MB"
        )
        print(
            f"{'':>17}scroll to the end of {scroll['query']!r}: {scroll['rows']:,} rows in"
            f" {scroll['steps']} steps, {scroll['seconds']:.1f} s, longest step"
            f" {scroll['longest_step_ms']:.1f} ms"
        )
    print()
    print("== goals ==")
    for verdict in report["goals"]:
        state = "met   " if verdict["met"] else "MISSED"
        extra = ""
        if "worst_query" in verdict:
            extra = f" (worst single query p95 {verdict['worst_query']:.1f} ms)"
        if "overall" in verdict:
            extra = f" (all samples pooled: {verdict['overall']:.1f}x)"
        print(
            f"{state} {verdict['goal']}: {verdict['value']:.2f}{extra};"
            f" {verdict['by']:.2f}x the goal"
        )
    print()
    print(f"bench process peak RSS (no window): {report['bench_peak_rss_mb']:.0f} MB")


def parse_sizes(values: list[str] | None) -> list[int]:
    if not values:
        return list(DEFAULT_SIZES)
    sizes: list[int] = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                sizes.append(int(part.strip().replace("_", "")))
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    parser.add_argument("--items", action="append", help="catalogue size(s), e.g. 10000,100000")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query (default 20)")
    parser.add_argument(
        "--like-runs",
        type=int,
        default=None,
        help=f"timed LIKE runs (default: --runs, at most {LIKE_SLOW_RUNS} at 1,000,000+)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--rebuild", action="store_true", help="build the databases afresh")
    window = parser.add_mutually_exclusive_group()
    window.add_argument(
        "--no-window", action="store_true", help="skip the window figures (100,000 and 1,000,000)"
    )
    window.add_argument(
        "--window", action="store_true", help="measure the window at every size, small ones too"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=Path(tempfile.gettempdir()) / "kitshare-bench",
        help="folder for the cached databases (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    sizes = parse_sizes(args.items)

    def log(message: str) -> None:
        print(message, file=sys.stderr if args.json else sys.stdout, flush=True)

    report: dict[str, Any] = {
        "generator_version": GENERATOR_VERSION,
        "sqlite_version": sqlite3.sqlite_version,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "now": NOW.isoformat(),
        "sizes": [],
        "builds": {},
    }
    for items in sizes:
        started = time.perf_counter()
        path = ensure_database(args.keep, items, rebuild=args.rebuild, log=log)
        report["builds"][str(items)] = round(time.perf_counter() - started, 2)
        like_runs = args.like_runs or (
            min(args.runs, LIKE_SLOW_RUNS) if items >= LIKE_SLOW_SIZE else args.runs
        )
        log(f"timing {len(QUERIES)} queries on {items:,} items ...")
        report["sizes"].append(run_size(path, args.runs, like_runs, log))
    report["windows"] = [
        window_figures(size["items"], Path(size["database"]), log)
        for size in report["sizes"]
        if (size["items"] in WINDOW_SIZES or args.window) and not args.no_window
    ]
    report["goals"] = goals(report["sizes"], report["windows"])
    report["bench_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
