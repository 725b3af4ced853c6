"""Booking benchmark: ``python -m bench.loans``.

Builds a realistic catalogue (N items, ~10% pooled, existing loans over the weeks around
the bench's fixed "now") on a SQLite file and on PostgreSQL, then measures
``app.loans.service.request_loan``, the way the window and ``kitshare-admin loan request`` call
it:

* **latency**: bookings of random items and periods one after another (tagged and
  pooled, as the duty officers' mix), p50/p95/max, split into those booked and those
  refused as taken; each one is paired with a **bare write** of the same rows (a loan
  and its line, inserted through the same engine in the same kind of transaction and
  committed), so the ratio says what the rules and checks cost on top of the write;
* **sustained**: bookings per second over a few seconds, in one process and in N
  processes booking at once;
* **race**: N processes released by one barrier, all asking for the same tagged item
  over the same period and then for a share of the same pooled stock: winners, losers,
  anything else, and the overlaps an SQL check finds afterwards (must be 0);
* **busy pool**: how the time of one booking grows as a pool's bookings overlapping the
  period grow (0 to ~180 of them).

PostgreSQL comes from ``--pg-url`` / ``KITSHARE_BENCH_POSTGRES_URL`` (a role that may
create databases; a fresh database is made and dropped), or from a throwaway cluster
started like the tests' (``tests/pgserver.py``) but restarted with PostgreSQL's default
durability (fsync and synchronous commit on) unless ``--pg-fast``. Where no server can
be had, the report says so and measures SQLite only.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import multiprocessing
import os
import pstats
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from queue import Empty
from typing import Any

import psycopg
from sqlalchemy import Engine, delete, event, func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.core.actor import Actor
from app.core.errors import KitShareError
from app.loans.drafts import LineDraft, LoanConflict, LoanDraft, LoanRefused
from app.loans.service import check_request, request_loan
from app.storage.config import masked_url, normalise_url
from app.storage.database import Database, open_database
from bench.search import AGENCIES, KINDS, TOWNS, percentile
from models import (
    Agency,
    Category,
    EquipmentItem,
    ItemStatus,
    Loan,
    LoanLine,
    LoanStatus,
    Mou,
    MouParty,
    Person,
    Role,
    SharingProtocol,
    Site,
    protocol_borrowers,
    protocol_categories,
)
from tests.pgserver import ClusterUnavailable, start_cluster

SEED = 20_260_601
# Every booking uses this moment as "now", so the rules answer the same way each run.
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
# Bookings ask for periods starting within this window from now.
HORIZON = timedelta(days=30)
EARLIEST_START = timedelta(hours=3)
MINUTE = timedelta(minutes=1)
NOTICE_HOURS = 2
MAX_LOAN_HOURS = 72
LENGTHS_H = (2, 4, 8, 8, 12, 24, 24, 48, 72)
# The race is on periods beyond every other booking, so it starts from a clean slate.
RACE_START = NOW + HORIZON + timedelta(days=10)
RACE_LENGTH = timedelta(hours=12)
RACE_PURPOSE = "Major incident, A14 closure"
WARM_UP_BEFORE_RACE = timedelta(days=3)
# Bare writes go here, one slot each, clear of every booking and of each other.
BARE_START = NOW + timedelta(days=400)
POOLED_SHARE = 0.10
PEOPLE_PER_AGENCY = 20
PROTOCOLS = 4
ITEM_STATUSES = (
    (ItemStatus.AVAILABLE,) * 90
    + (ItemStatus.ON_LOAN,) * 4
    + (ItemStatus.OUT_OF_SERVICE,) * 4
    + (ItemStatus.RETIRED,) * 2
)

GOAL_SQLITE_P95_MS = 20.0
GOAL_SQLITE_PER_S = 200.0
GOAL_POSTGRES_P95_MS = 30.0
# A booking into a pool with ~180 bookings overlapping its period (the busy pool's last step).
GOAL_BUSY_POOL_P95_MS = 30.0

BARRIER_TIMEOUT_S = 120.0
ANSWER_TIMEOUT_S = 180.0
ENV_URL = "KITSHARE_BENCH_POSTGRES_URL"


def _log_to(stream: Any) -> Callable[[str], None]:
    def log(message: str) -> None:
        print(message, file=stream, flush=True)

    return log


# --------------------------------------------------------------------------------------
# The catalogue
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """What the bookings pick from: ids only, so it travels to other processes."""

    items: int
    loan_lines: int
    tagged: tuple[int, ...]  # bookable tagged items
    pooled: tuple[tuple[int, int], ...]  # bookable pools: (id, quantity)
    owner_of: dict[int, int]
    agencies: tuple[int, ...]
    people_of: dict[int, tuple[int, ...]]


@dataclass
class _Loader:
    """Bulk inserts through SQLAlchemy Core, in the one transaction of ``session``."""

    session: Session
    rng: random.Random

    def add_all(self, table: Any, rows: list[dict[str, Any]]) -> list[int]:
        """Insert ``rows``; their new ids in the same order."""
        if not rows:
            return []
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(self.session.scalars(statement, rows))

    def organisations(self) -> tuple[list[int], dict[int, list[int]], dict[int, tuple[int, ...]]]:
        """The nine agencies, their sites and their people."""
        rng = self.rng
        agency_ids = self.add_all(
            Agency.__table__,
            [{"code": code, "name": name, "kind": kind} for code, name, kind, _, _ in AGENCIES],
        )
        sites_of: dict[int, list[int]] = {}
        people_of: dict[int, tuple[int, ...]] = {}
        for agency_id, spec in zip(agency_ids, AGENCIES, strict=True):
            towns = rng.sample(TOWNS, rng.randint(3, 5))
            sites_of[agency_id] = self.add_all(
                Site.__table__,
                [{"agency_id": agency_id, "name": f"{t} {spec[4]}", "town": t} for t in towns],
            )
            people = [
                {
                    "agency_id": agency_id,
                    "staff_number": f"S{n:05d}",
                    "given_name": rng.choice(("Sam", "Alex", "Jo", "Priya", "Tom")),
                    "family_name": rng.choice(("Reed", "Khan", "Baker", "Ng", "Hale")),
                    "is_active": True,
                }
                for n in range(PEOPLE_PER_AGENCY)
            ]
            people_of[agency_id] = tuple(self.add_all(Person.__table__, people))
        return agency_ids, sites_of, people_of

    def agreements(self, agency_ids: list[int], category_ids: list[int]) -> tuple[int, list[int]]:
        """One MoU in force between them all, and four protocols, each covering a quarter
        of the categories, under which every agency may borrow."""
        (mou_id,) = self.add_all(
            Mou.__table__,
            [
                {
                    "reference": "CAMBS-MA-2025",
                    "version": 1,
                    "title": "Cambridgeshire mutual aid: specialist equipment",
                    "is_draft": False,
                    "signed_on": date(2025, 1, 10),
                    "effective_from": date(2025, 2, 1),
                    "review_on": date(2027, 12, 1),
                    "expires_on": date(2028, 1, 31),
                }
            ],
        )
        self.session.execute(
            insert(MouParty),
            [{"mou_id": mou_id, "agency_id": a, "position": n} for n, a in enumerate(agency_ids)],
        )
        protocol_ids = self.add_all(
            SharingProtocol.__table__,
            [
                {
                    "mou_id": mou_id,
                    "name": f"Protocol {n + 1}",
                    "notice_hours": NOTICE_HOURS,
                    "max_loan_hours": MAX_LOAN_HOURS,
                    "is_active": True,
                }
                for n in range(PROTOCOLS)
            ],
        )
        self.session.execute(
            insert(protocol_categories),
            [
                {"protocol_id": protocol_ids[n % PROTOCOLS], "category_id": c}
                for n, c in enumerate(category_ids)
            ],
        )
        self.session.execute(
            insert(protocol_borrowers),
            [{"protocol_id": p, "agency_id": a} for p in protocol_ids for a in agency_ids],
        )
        return mou_id, protocol_ids

    def items(
        self,
        count: int,
        agency_ids: list[int],
        sites_of: dict[int, list[int]],
        category_ids: list[int],
    ) -> list[dict[str, Any]]:
        """``count`` items, ~10% pooled; each row gets its new ``id``."""
        rng = self.rng
        prefix_of = {a: spec[3] for a, spec in zip(agency_ids, AGENCIES, strict=True)}
        weights = [kind.weight for kind in KINDS]
        rows: list[dict[str, Any]] = []
        for n in range(count):
            owner = rng.choice(agency_ids)
            k = rng.choices(range(len(KINDS)), weights)[0]
            pooled = rng.random() < POOLED_SHARE
            rows.append(
                {
                    "asset_tag": f"{prefix_of[owner]}-{n:06d}",
                    "name": rng.choice(KINDS[k].names),
                    "category_id": category_ids[k],
                    "owner_agency_id": owner,
                    "home_site_id": rng.choice(sites_of[owner]),
                    "is_pooled": pooled,
                    "quantity": rng.randint(10, 60) if pooled else 1,
                    "status": rng.choice(ITEM_STATUSES),
                }
            )
        for item_id, row in zip(self.add_all(EquipmentItem.__table__, rows), rows, strict=True):
            row["id"] = item_id
        return rows

    def loans(
        self,
        items: list[dict[str, Any]],
        people_of: dict[int, tuple[int, ...]],
        protocol_of: dict[int, int],
        mou_id: int,
    ) -> int:
        """For 40% of the items, a few loans one after another from two weeks ago to a
        month ahead: returned, out (a few overdue), requested or approved. How many."""
        rng = self.rng
        loans: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        for item in items:
            if item["status"] is ItemStatus.RETIRED or rng.random() > 0.4:
                continue
            moment = NOW - timedelta(days=14) + timedelta(hours=rng.randint(0, 72))
            for _ in range(rng.randint(1, 4)):
                start, end = moment, moment + timedelta(hours=rng.choice(LENGTHS_H))
                moment = end + timedelta(hours=rng.randint(6, 24 * 6))
                if start > NOW + HORIZON:
                    break
                borrower = rng.choice([a for a in people_of if a != item["owner_agency_id"]])
                if end <= NOW:
                    status = LoanStatus.ISSUED if rng.random() < 0.05 else LoanStatus.RETURNED
                elif start <= NOW:
                    status = LoanStatus.ISSUED
                else:
                    status = rng.choice((LoanStatus.REQUESTED, LoanStatus.APPROVED))
                quantity = rng.randint(1, max(1, item["quantity"] // 3))
                returned = status is LoanStatus.RETURNED
                loans.append(
                    {
                        "borrower_agency_id": borrower,
                        "requested_by_id": rng.choice(people_of[borrower]),
                        "protocol_id": protocol_of[item["category_id"]],
                        "mou_id": mou_id,
                        "purpose": "Mutual aid",
                        "starts_at": start,
                        "due_at": end,
                        "status": status,
                        "issued_at": start if status is LoanStatus.ISSUED or returned else None,
                        "returned_at": end if returned else None,
                    }
                )
                lines.append(
                    {
                        "item_id": item["id"],
                        "quantity": quantity,
                        "quantity_returned": quantity if returned else 0,
                        "starts_at": start,
                        "ends_at": end,
                        "holds_stock": not returned,
                        "exclusive": not item["is_pooled"],
                    }
                )
        for loan_id, line in zip(self.add_all(Loan.__table__, loans), lines, strict=True):
            line["loan_id"] = loan_id
        if lines:
            self.session.execute(insert(LoanLine), lines)
        return len(lines)


def analyse_after_load(database: Database) -> None:
    """What autovacuum does on a real server soon after a load: without it, PostgreSQL's
    planner takes the new tables for tiny ones. SQLite keeps no statistics unasked."""
    if database.dialect != "postgresql":
        return
    with database.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()


def build_catalogue(database: Database, items: int, log: Callable[[str], None]) -> Catalogue:
    """Agencies, sites, categories, one MoU in force, four protocols, people, N items and
    loans over the weeks around ``NOW``, loaded through SQLAlchemy Core in one go."""
    started = time.perf_counter()
    with database.write() as session:
        loader = _Loader(session, random.Random(SEED + items))
        agency_ids, sites_of, people_of = loader.organisations()
        category_ids = loader.add_all(
            Category.__table__, [{"name": kind.category} for kind in KINDS]
        )
        mou_id, protocol_ids = loader.agreements(agency_ids, category_ids)
        protocol_of = {c: protocol_ids[n % PROTOCOLS] for n, c in enumerate(category_ids)}
        rows = loader.items(items, agency_ids, sites_of, category_ids)
        loan_lines = loader.loans(rows, people_of, protocol_of, mou_id)
    bookable = [r for r in rows if r["status"] in (ItemStatus.AVAILABLE, ItemStatus.ON_LOAN)]
    log(
        f"  built {items:,} items and {loan_lines:,} loan lines in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return Catalogue(
        items=items,
        loan_lines=loan_lines,
        tagged=tuple(r["id"] for r in bookable if not r["is_pooled"]),
        pooled=tuple((r["id"], r["quantity"]) for r in bookable if r["is_pooled"]),
        owner_of={r["id"]: r["owner_agency_id"] for r in rows},
        agencies=tuple(agency_ids),
        people_of=people_of,
    )


def random_draft(catalogue: Catalogue, rng: random.Random) -> LoanDraft:
    """A booking as a duty officer makes one: mostly a tagged item, now and then some of
    a pool, for a few hours to three days, starting within the next month."""
    if rng.random() < 0.2:
        item_id, pool = rng.choice(catalogue.pooled)
        quantity = rng.randint(1, max(1, pool // 4))
    else:
        item_id, quantity = rng.choice(catalogue.tagged), 1
    owner = catalogue.owner_of[item_id]
    borrower = rng.choice([a for a in catalogue.agencies if a != owner])
    quarter_hours = int((HORIZON - EARLIEST_START) / timedelta(minutes=15))
    start = NOW + EARLIEST_START + timedelta(minutes=15 * rng.randrange(quarter_hours))
    return LoanDraft(
        borrower_agency_id=borrower,
        requested_by_id=rng.choice(catalogue.people_of[borrower]),
        purpose="Flood response, Ouse Washes",
        starts_at=start,
        due_at=start + timedelta(hours=rng.choice(LENGTHS_H)),
        lines=(LineDraft(item_id=item_id, quantity=quantity),),
        incident_ref="INC-2026-0601",
    )


# --------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------

BOOKED, CONFLICT, REFUSED, FAULT = "booked", "conflict", "refused", "fault"


def book(database: Database, draft: LoanDraft, actor: Actor) -> str:
    """One booking through the service; what came of it."""
    try:
        request_loan(database, draft, actor, now=NOW)
    except LoanConflict:
        return CONFLICT
    except LoanRefused:
        return REFUSED
    except KitShareError:
        return FAULT
    return BOOKED


class SqlMeter:
    """Counts the statements a call sends, the time they spend in the driver, and the
    time its commit takes (from the engine's commit to the session's ``after_commit``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements = 0
        self.sql_seconds = 0.0
        self.commit_seconds = 0.0
        self._started = 0.0
        self._committing = 0.0
        self._listeners: list[tuple[Any, str, Callable[..., None]]] = [
            (engine, "before_cursor_execute", self._before),
            (engine, "after_cursor_execute", self._after),
            (engine, "commit", self._commit_starts),
            (Session, "after_commit", self._commit_ends),
        ]
        for target, name, listener in self._listeners:
            event.listen(target, name, listener)

    def _before(self, *_args: object) -> None:
        self._started = time.perf_counter()

    def _after(self, *_args: object) -> None:
        self.sql_seconds += time.perf_counter() - self._started
        self.statements += 1

    def _commit_starts(self, *_args: object) -> None:
        self._committing = time.perf_counter()

    def _commit_ends(self, *_args: object) -> None:
        if self._committing:
            self.commit_seconds += time.perf_counter() - self._committing
            self._committing = 0.0

    def reset(self) -> tuple[int, float, float]:
        """(statements, ms in the driver, ms committing) since the last reset."""
        taken = (self.statements, self.sql_seconds * 1000, self.commit_seconds * 1000)
        self.statements, self.sql_seconds, self.commit_seconds = 0, 0.0, 0.0
        return taken

    def close(self) -> None:
        for target, name, listener in self._listeners:
            event.remove(target, name, listener)


@dataclass
class Latency:
    """Milliseconds per call by outcome, with the statements sent, the driver's share
    and the commit's."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    parts: dict[str, list[tuple[int, float, float]]] = field(default_factory=dict)

    def add(self, outcome: str, ms: float, parts: tuple[int, float, float]) -> None:
        self.samples.setdefault(outcome, []).append(ms)
        self.parts.setdefault(outcome, []).append(parts)

    def breakdown(self, outcome: str) -> dict[str, float]:
        """Where the time of one call goes on average: the parts add up to the total."""
        samples, parts = self.samples.get(outcome, []), self.parts.get(outcome, [])
        if not samples:
            return {}
        n = len(samples)
        total = sum(samples) / n
        statements = sum(p[0] for p in parts) / n
        sql = sum(p[1] for p in parts) / n
        commit = sum(p[2] for p in parts) / n
        return {
            "total_ms": total,
            "statements": statements,
            "in_driver_ms": sql,
            "commit_ms": commit,
            "python_ms": total - sql - commit,
        }


def _bare_write(database: Database, draft: LoanDraft, slot: int, pools: frozenset[int]) -> float:
    """The rows a booking writes, with nothing checked: a loan and its line, committed.

    The line goes in a slot of its own far in the future, so the database's overlap
    guard runs (as for a booking) and passes. Milliseconds for the whole call.
    """
    line = draft.lines[0]
    start = BARE_START + timedelta(hours=2 * slot)
    started = time.perf_counter()
    with database.write() as session:
        loan_id = session.scalar(
            insert(Loan)
            .values(
                borrower_agency_id=draft.borrower_agency_id,
                requested_by_id=draft.requested_by_id,
                purpose=draft.purpose,
                incident_ref=draft.incident_ref,
                starts_at=start,
                due_at=start + timedelta(hours=1),
                status=LoanStatus.REQUESTED,
            )
            .returning(Loan.id)
        )
        session.execute(
            insert(LoanLine).values(
                loan_id=loan_id,
                item_id=line.item_id,
                quantity=line.quantity,
                quantity_returned=0,
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                holds_stock=True,
                exclusive=line.item_id not in pools,
            )
        )
    return (time.perf_counter() - started) * 1000


def measure_latency(
    database: Database, catalogue: Catalogue, runs: int, log: Callable[[str], None]
) -> tuple[Latency, Latency]:
    """Bookings one after another, each paired with a bare write (taken in turns, so
    both see the same machine); returns (service, bare)."""
    rng = random.Random(SEED + 1)
    actor = Actor("Bench duty officer", role=Role.DUTY_OFFICER)
    meter = SqlMeter(database.engine)
    service, bare = Latency(), Latency()
    pools = frozenset(item_id for item_id, _ in catalogue.pooled)
    # Warm up: the first calls compile statements and fill the connection pool.
    for n in range(20):
        book(database, random_draft(catalogue, rng), actor)
        _bare_write(database, random_draft(catalogue, rng), runs + n, pools)
    try:
        meter.reset()
        for n in range(runs):
            draft = random_draft(catalogue, rng)
            started = time.perf_counter()
            outcome = book(database, draft, actor)
            service.add(outcome, (time.perf_counter() - started) * 1000, meter.reset())
            bare.add(BOOKED, _bare_write(database, draft, n, pools), meter.reset())
    finally:
        meter.close()
    with database.write() as session:
        bare_loans = select(LoanLine.loan_id).where(LoanLine.starts_at >= BARE_START)
        loan_ids = list(session.scalars(bare_loans))
        session.execute(delete(LoanLine).where(LoanLine.starts_at >= BARE_START))
        session.execute(delete(Loan).where(Loan.id.in_(loan_ids)))
    counts = {k: len(v) for k, v in service.samples.items()}
    log(f"  latency: {runs} bookings {counts}")
    return service, bare


def sustain(
    database: Database, catalogue: Catalogue, seconds: float, seed: int, actor: Actor
) -> dict[str, Any]:
    """Book random kit back to back for ``seconds``; counts by outcome and the time taken."""
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        counts[book(database, random_draft(catalogue, rng), actor)] += 1
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, **{k: counts[k] for k in (BOOKED, CONFLICT, REFUSED, FAULT)}}


@dataclass(frozen=True)
class Shift:
    """What one station of a sustained run is to do."""

    url: str
    station: int
    catalogue: Catalogue
    seconds: float


def sustain_worker(shift: Shift, start: Barrier, answers: Queue[dict[str, Any]]) -> None:
    """One station booking back to back (a spawned process; module level for pickling)."""
    try:
        database = open_database(shift.url, migrate=False)
        rng = random.Random(SEED + 1000 + shift.station)
        for _ in range(5):
            check_request(database, random_draft(shift.catalogue, rng), now=NOW)
        start.wait(BARRIER_TIMEOUT_S)
        figures = sustain(
            database,
            shift.catalogue,
            shift.seconds,
            SEED + 2000 + shift.station,
            Actor(f"Station {shift.station}", role=Role.DUTY_OFFICER),
        )
        figures["started_at"] = time.time() - figures["seconds"]
        figures["finished_at"] = time.time()
        answers.put(figures)
        database.dispose()
    except BaseException:
        start.abort()
        answers.put({"error": traceback.format_exc()})


def sustain_in_processes(
    url: str, catalogue: Catalogue, processes: int, seconds: float
) -> dict[str, Any]:
    """N stations booking at once: the sum of their bookings over the shared wall time."""
    answers = _run_stations(
        sustain_worker,
        [(Shift(url, n, catalogue, seconds),) for n in range(processes)],
        expected=processes,
    )
    errors = [a["error"] for a in answers if "error" in a]
    if errors:
        raise RuntimeError(f"a station failed:\n{errors[0]}")
    wall = max(a["finished_at"] for a in answers) - min(a["started_at"] for a in answers)
    totals = {k: sum(a[k] for a in answers) for k in (BOOKED, CONFLICT, REFUSED, FAULT)}
    return {"processes": processes, "seconds": wall, **totals}


@dataclass(frozen=True)
class RaceAnswer:
    racer: int
    round: int
    outcome: str
    message: str
    ms: float
    released_at: float = 0.0  # wall clock, comparable between processes
    finished_at: float = 0.0


@dataclass(frozen=True)
class Racer:
    """One racing station: a booking of its own to warm up with, then the race's."""

    url: str
    racer: int
    warm_up: LoanDraft
    rounds: tuple[LoanDraft, ...]


def race_worker(entry: Racer, start: Barrier, answers: Queue[RaceAnswer]) -> None:
    """One racing station: at each release of the barrier, book the next draft.

    Before the barrier it books kit of its own and checks the race's drafts, so every
    statement is compiled and the race measures the contention, not a first call.
    """
    racer = entry.racer
    actor = Actor(f"Race station {racer}", role=Role.DUTY_OFFICER)
    try:
        database = open_database(entry.url, migrate=False)
        request_loan(database, entry.warm_up, actor, now=NOW)
        for draft in entry.rounds:
            check_request(database, draft, now=NOW)
    except BaseException:
        start.abort()
        for round_ in range(len(entry.rounds)):
            answers.put(RaceAnswer(racer, round_, "crash", traceback.format_exc(), 0.0))
        return
    for round_, draft in enumerate(entry.rounds):
        try:
            start.wait(BARRIER_TIMEOUT_S)
        except BaseException:
            answers.put(RaceAnswer(racer, round_, "crash", traceback.format_exc(), 0.0))
            continue
        released_at = time.time()
        started = time.perf_counter()
        try:
            request_loan(database, draft, actor, now=NOW)
        except KitShareError as exc:
            outcome = CONFLICT if isinstance(exc, LoanConflict) else type(exc).__name__
            message = exc.message
        except Exception:
            outcome, message = "crash", traceback.format_exc()
        else:
            outcome, message = BOOKED, ""
        ms = (time.perf_counter() - started) * 1000
        answers.put(RaceAnswer(racer, round_, outcome, message, ms, released_at, time.time()))
    database.dispose()


def _run_stations(
    target: Callable[..., None], arguments: Sequence[tuple[Any, ...]], expected: int
) -> list[Any]:
    """Start one spawned process per argument tuple, released together by one barrier;
    collect ``expected`` answers, failing (not hanging) if they do not come."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(len(arguments))
    answers: Queue[Any] = context.Queue()
    stations = [context.Process(target=target, args=(*args, start, answers)) for args in arguments]
    for station in stations:
        station.start()
    collected: list[Any] = []
    deadline = time.monotonic() + ANSWER_TIMEOUT_S
    try:
        while len(collected) < expected:
            try:
                collected.append(answers.get(timeout=0.5))
            except Empty:
                died = [s.exitcode for s in stations if s.exitcode not in (None, 0)]
                if died or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"stations did not answer: {len(collected)} of {expected} answers; "
                        f"exit codes of those that died: {died}"
                    ) from None
        for station in stations:
            station.join(30)
    finally:
        for station in stations:
            if station.is_alive():
                station.kill()
                station.join(10)
        answers.close()
        answers.join_thread()
    return collected


# Pairs of holding lines of one tagged item whose periods overlap (must be none).
OVERLAPPING_PAIRS = """
    SELECT count(*) FROM loan_lines a
    JOIN loan_lines b ON b.item_id = a.item_id AND b.id > a.id
    JOIN equipment_items i ON i.id = a.item_id
    WHERE NOT i.is_pooled AND a.holds_stock AND b.holds_stock
      AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
"""
# Pools holding more than their quantity at some line's start (must be none).
OVERBOOKED_POOLS = """
    SELECT count(DISTINCT a.item_id) FROM loan_lines a
    JOIN equipment_items i ON i.id = a.item_id
    WHERE i.is_pooled AND a.holds_stock AND i.quantity < (
        SELECT sum(b.quantity - b.quantity_returned) FROM loan_lines b
        WHERE b.item_id = a.item_id AND b.holds_stock
          AND b.starts_at <= a.starts_at AND b.ends_at > a.starts_at)
"""


def _count(database: Database, sql: str, **params: Any) -> int:
    with database.read() as session:
        return int(session.execute(text(sql), params).scalar_one() or 0)


def race(
    database: Database, catalogue: Catalogue, racers: int, log: Callable[[str], None]
) -> dict[str, Any]:
    """N stations at one barrier: the same tagged item and period, then a share each of
    the same pool over overlapping periods. What came of it, checked in SQL after."""
    rng = random.Random(SEED + 3)
    # The race is for kit nothing holds, or else an overdue loan still out (which holds
    # its kit for ever) would take the prize; the stations warm up on such kit too.
    with database.read() as session:
        held = set(session.scalars(select(LoanLine.item_id).where(LoanLine.holds_stock)))
    free_tagged = [i for i in catalogue.tagged if i not in held]
    tagged = rng.choice(free_tagged)
    pool, quantity = max(
        (p for p in catalogue.pooled if p[0] not in held), key=lambda p: (p[1], p[0])
    )
    share = max(1, quantity // 3)
    # Three shares fit; fewer racers than that all win.
    fit = min(quantity // share, racers)

    def draft(
        item_id: int, how_many: int, shift: timedelta, borrower: int, purpose: str = RACE_PURPOSE
    ) -> LoanDraft:
        return LoanDraft(
            borrower_agency_id=borrower,
            requested_by_id=catalogue.people_of[borrower][0],
            purpose=purpose,
            starts_at=RACE_START + shift,
            due_at=RACE_START + shift + RACE_LENGTH,
            lines=(LineDraft(item_id=item_id, quantity=how_many),),
        )

    def borrower_for(item_id: int, n: int) -> int:
        others = [a for a in catalogue.agencies if a != catalogue.owner_of[item_id]]
        return others[n % len(others)]

    own = rng.sample([i for i in free_tagged if i != tagged], racers)
    entries = [
        Racer(
            url=database.url,
            racer=n,
            warm_up=draft(own[n], 1, -WARM_UP_BEFORE_RACE, borrower_for(own[n], n), "Warm-up"),
            rounds=(
                draft(tagged, 1, timedelta(0), borrower_for(tagged, n)),
                # Each starts 5 minutes after the one before: different, all overlapping.
                draft(pool, share, timedelta(minutes=5 * n), borrower_for(pool, n)),
            ),
        )
        for n in range(racers)
    ]
    started = time.perf_counter()
    answers: list[RaceAnswer] = _run_stations(
        race_worker, [(entry,) for entry in entries], 2 * racers
    )
    elapsed = time.perf_counter() - started
    result: dict[str, Any] = {"racers": racers, "seconds_with_start_up": elapsed, "rounds": []}
    for round_, (item_id, label, expected, each) in enumerate(
        ((tagged, "tagged item", 1, 1), (pool, f"pool of {quantity}", fit, share))
    ):
        got = [a for a in answers if a.round == round_]
        kinds = Counter(a.outcome for a in got)
        held_after = _count(
            database,
            "SELECT coalesce(sum(l.quantity - l.quantity_returned), 0) FROM loan_lines l "
            "JOIN loans ON loans.id = l.loan_id "
            "WHERE l.item_id = :item AND l.holds_stock AND loans.purpose = :purpose",
            item=item_id,
            purpose=RACE_PURPOSE,
        )
        others = [a for a in got if a.outcome not in (BOOKED, CONFLICT)]
        result["rounds"].append(
            {
                "what": label,
                "each_asks": each,
                "winners": kinds[BOOKED],
                "expected_winners": expected,
                "losers_with_conflict": kinds[CONFLICT],
                "other_outcomes": len(others),
                "other_examples": [f"{a.outcome}: …{a.message[-400:]}" for a in others[:3]],
                "held_after": held_after,
                "conflict_example": next((a.message for a in got if a.outcome == CONFLICT), ""),
                "attempt_p50_ms": percentile([a.ms for a in got], 0.5),
                "attempt_max_ms": max(a.ms for a in got),
                "last_answer_after_release_ms": (
                    max(a.finished_at for a in got) - min(a.released_at for a in got)
                )
                * 1000,
            }
        )
    result["overlapping_pairs"] = _count(database, OVERLAPPING_PAIRS)
    result["overbooked_pools"] = _count(database, OVERBOOKED_POOLS)
    result["correct"] = (
        all(
            r["winners"] == r["expected_winners"]
            and r["other_outcomes"] == 0
            and r["held_after"] == r["winners"] * r["each_asks"]
            for r in result["rounds"]
        )
        and result["overlapping_pairs"] == 0
        and result["overbooked_pools"] == 0
    )
    log(f"  race: {[(r['winners'], r['losers_with_conflict']) for r in result['rounds']]}")
    return result


BUSY_POOL_QUANTITY = 1000
BUSY_START = NOW + timedelta(days=45)
BUSY_SPAN = timedelta(days=28)
BUSY_LENGTH = timedelta(hours=24)
BUSY_REQUEST = timedelta(hours=72)
BUSY_STEPS = (0, 100, 300, 1000)
BUSY_RUNS = 20


def busy_pool(
    database: Database, catalogue: Catalogue, log: Callable[[str], None]
) -> list[dict[str, Any]]:
    """Booking one of a pool of 1,000 that already has 0, 100, 300, 1,000 day-long
    bookings spread over four weeks (plus the bench's own from the steps before): how
    latency grows with the bookings a 72-hour request overlaps."""
    rng = random.Random(SEED + 6)
    with database.read() as session:
        held = set(session.scalars(select(LoanLine.item_id).where(LoanLine.holds_stock)))
    pool, _ = min((p for p in catalogue.pooled if p[0] not in held), key=lambda p: p[0])
    borrower = next(a for a in catalogue.agencies if a != catalogue.owner_of[pool])
    requester = catalogue.people_of[borrower][0]
    with database.write() as session:
        session.execute(
            update(EquipmentItem)
            .where(EquipmentItem.id == pool)
            .values(quantity=BUSY_POOL_QUANTITY, row_version=EquipmentItem.row_version + 1)
        )
    actor = Actor("Bench busy pool", role=Role.DUTY_OFFICER)
    rows: list[dict[str, Any]] = []
    booked = 0
    for bookings in BUSY_STEPS:
        with database.write() as session:
            for _ in range(booked, bookings):
                start = BUSY_START + timedelta(minutes=rng.randrange(int(BUSY_SPAN / MINUTE)))
                loan_id = session.scalar(
                    insert(Loan)
                    .values(
                        borrower_agency_id=borrower,
                        requested_by_id=requester,
                        purpose="Event stewarding",
                        starts_at=start,
                        due_at=start + BUSY_LENGTH,
                        status=LoanStatus.APPROVED,
                    )
                    .returning(Loan.id)
                )
                session.execute(
                    insert(LoanLine).values(
                        loan_id=loan_id,
                        item_id=pool,
                        quantity=1,
                        quantity_returned=0,
                        starts_at=start,
                        ends_at=start + BUSY_LENGTH,
                        holds_stock=True,
                        exclusive=False,
                    )
                )
        booked = bookings
        first = BUSY_START + BUSY_SPAN / 2
        with database.read() as session:
            overlapping = session.scalar(
                select(func.count()).where(
                    LoanLine.item_id == pool,
                    LoanLine.holds_stock.is_(True),
                    LoanLine.starts_at < first + BUSY_REQUEST,
                    LoanLine.ends_at > first,
                )
            )
        samples: list[float] = []
        for n in range(BUSY_RUNS):
            start = first + timedelta(minutes=15 * n)
            draft = LoanDraft(
                borrower_agency_id=borrower,
                requested_by_id=requester,
                purpose="Event stewarding",
                starts_at=start,
                due_at=start + BUSY_REQUEST,
                lines=(LineDraft(item_id=pool, quantity=1),),
            )
            started = time.perf_counter()
            outcome = book(database, draft, actor)
            samples.append((time.perf_counter() - started) * 1000)
            if outcome != BOOKED:
                raise RuntimeError(f"a booking of the busy pool was {outcome}")
        booked += BUSY_RUNS
        rows.append({"bookings": bookings, "overlapping": overlapping, **_spread(samples)})
        log(f"  busy pool: {bookings} bookings, p50 {percentile(samples, 0.5):.1f} ms")
    return rows


def profile_bookings(database: Database, catalogue: Catalogue, bookings: int, top: int) -> str:
    """cProfile over ``bookings`` bookings: the functions taking the most time."""
    rng = random.Random(SEED + 4)
    actor = Actor("Bench profiler", role=Role.DUTY_OFFICER)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(bookings):
        book(database, random_draft(catalogue, rng), actor)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


# --------------------------------------------------------------------------------------
# The databases
# --------------------------------------------------------------------------------------


@contextmanager
def sqlite_database(keep: Path | None) -> Iterator[tuple[str, str]]:
    folder = Path(tempfile.mkdtemp(prefix="kitshare-bench-loans-", dir=keep))
    try:
        yield (
            f"sqlite:///{folder / 'loans.db'}",
            f"SQLite {sqlite3.sqlite_version}, file in {folder}",
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class NoPostgres(Exception):
    """No PostgreSQL server given, and none could be started."""


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def postgres_database(given: str | None, fast: bool) -> Iterator[tuple[str, str]]:
    """A fresh database on the given server, or on a throwaway cluster of our own."""
    cluster = None
    admin = normalise_url(given) if given else None
    if admin is None:
        try:
            cluster = start_cluster()
        except ClusterUnavailable as exc:
            raise NoPostgres(str(exc)) from exc
        admin = cluster.url
    try:
        if cluster is not None and not fast:
            # The tests' cluster trades durability for speed; a real server does not.
            try:
                cluster._run(
                    str(cluster.bin_dir / "pg_ctl"),
                    "-D",
                    str(cluster.data_dir),
                    "-o",
                    f"-p {cluster.port} -k {cluster.root} -c listen_addresses=127.0.0.1 "
                    "-c max_connections=120",
                    "-l",
                    str(cluster.root / "server.log"),
                    "-w",
                    "-t",
                    "60",
                    "restart",
                )
            except ClusterUnavailable as exc:
                raise NoPostgres(f"the throwaway cluster would not restart: {exc}") from exc
        name = f"kitshare_bench_{uuid.uuid4().hex[:10]}"
        try:
            with psycopg.connect(_libpq(admin), autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')
                version = connection.execute("SHOW server_version").fetchone()
                settings = {
                    key: connection.execute(f"SHOW {key}").fetchone()
                    for key in ("fsync", "synchronous_commit")
                }
        except psycopg.Error as exc:
            raise NoPostgres(f"cannot create a database at {masked_url(admin)}: {exc}") from exc
        url = make_url(admin).set(database=name).render_as_string(hide_password=False)
        where = "a throwaway cluster over loopback TCP" if cluster else masked_url(admin)
        durability = ", ".join(f"{k}={v[0] if v else '?'}" for k, v in settings.items())
        describe = f"PostgreSQL {version[0] if version else '?'} on {where} ({durability})"
        try:
            yield url, describe
        finally:
            with psycopg.connect(_libpq(admin), autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        if cluster is not None:
            cluster.stop()


# --------------------------------------------------------------------------------------
# The run, the goals, the report
# --------------------------------------------------------------------------------------


def _spread(samples: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50_ms": percentile(samples, 0.5),
        "p95_ms": percentile(samples, 0.95),
        "max_ms": max(samples) if samples else float("nan"),
    }


def measure_backend(
    url: str, describe: str, args: argparse.Namespace, log: Callable[[str], None]
) -> dict[str, Any]:
    """Every figure for one database."""
    log(f"{describe}:")
    database = open_database(url)
    try:
        catalogue = build_catalogue(database, args.items, log)
        service, bare = measure_latency(database, catalogue, args.runs, log)
        every = [ms for samples in service.samples.values() for ms in samples]
        booked = service.samples.get(BOOKED, [])
        latency: dict[str, Any] = {
            "all": _spread(every),
            "booked": _spread(booked),
            "conflict": _spread(service.samples.get(CONFLICT, [])),
            "refused": _spread(service.samples.get(REFUSED, [])),
            "bare_write": _spread(bare.samples[BOOKED]),
            "outcomes": {k: len(v) for k, v in service.samples.items()},
        }
        latency["booked_over_bare_p50"] = (
            latency["booked"]["p50_ms"] / latency["bare_write"]["p50_ms"]
        )
        latency["booked_over_bare_p95"] = (
            latency["booked"]["p95_ms"] / latency["bare_write"]["p95_ms"]
        )
        latency["breakdown"] = {
            "booked": service.breakdown(BOOKED),
            "conflict": service.breakdown(CONFLICT),
            "bare_write": bare.breakdown(BOOKED),
        }
        log(f"  sustained, 1 process, {args.seconds:g} s ...")
        single = sustain(
            database,
            catalogue,
            args.seconds,
            SEED + 5,
            Actor("Bench station", role=Role.DUTY_OFFICER),
        )
        single["processes"] = 1
        sustained = [single]
        for processes in args.processes:
            log(f"  sustained, {processes} processes, {args.seconds:g} s ...")
            sustained.append(sustain_in_processes(url, catalogue, processes, args.seconds))
        for row in sustained:
            row["booked_per_s"] = row[BOOKED] / row["seconds"]
            row["requests_per_s"] = (
                sum(row[k] for k in (BOOKED, CONFLICT, REFUSED, FAULT)) / row["seconds"]
            )
        raced = None
        if args.racers > 1:
            log(f"  race, {args.racers} processes ...")
            raced = race(database, catalogue, args.racers, log)
        busy = busy_pool(database, catalogue, log) if args.busy_pool else []
        with database.read() as session:
            loan_lines = session.scalar(text("SELECT count(*) FROM loan_lines"))
        figures: dict[str, Any] = {
            "database": describe,
            "dialect": database.dialect,
            "items": args.items,
            "loan_lines_at_start": catalogue.loan_lines,
            "loan_lines_at_end": loan_lines,
            "latency": latency,
            "sustained": sustained,
            "race": raced,
            "busy_pool": busy,
        }
        if args.profile:
            log(f"  profiling {args.profile} bookings ...")
            figures["profile"] = profile_bookings(database, catalogue, args.profile, 25)
        return figures
    finally:
        database.dispose()


def goals(backends: list[dict[str, Any]]) -> list[dict[str, Any]]:
    verdicts: list[dict[str, Any]] = []
    for figures in backends:
        dialect = figures["dialect"]
        p95 = figures["latency"]["booked"]["p95_ms"]
        limit = GOAL_SQLITE_P95_MS if dialect == "sqlite" else GOAL_POSTGRES_P95_MS
        name = "SQLite" if dialect == "sqlite" else "PostgreSQL"
        verdicts.append(
            {
                "goal": f"{name}: booking p95 <= {limit:g} ms (booked requests; ms)",
                "value": p95,
                "met": p95 <= limit,
                "by": p95 / limit,
            }
        )
        if dialect == "sqlite":
            rate = figures["sustained"][0]["booked_per_s"]
            verdicts.append(
                {
                    "goal": f"SQLite: >= {GOAL_SQLITE_PER_S:g} bookings/s sustained, one process",
                    "value": rate,
                    "met": rate >= GOAL_SQLITE_PER_S,
                    "by": GOAL_SQLITE_PER_S / rate if rate else float("inf"),
                }
            )
        raced = figures["race"]
        if raced is None:
            continue
        verdicts.append(
            {
                "goal": f"{name}: race of {raced['racers']} processes: exact winners, clear "
                "conflicts only, 0 overlaps (overlapping pairs + overbooked pools)",
                "value": raced["overlapping_pairs"] + raced["overbooked_pools"],
                "met": raced["correct"],
                "by": 1.0 if raced["correct"] else float("inf"),
            }
        )
    return verdicts


def _print_latency(figures: dict[str, Any]) -> None:
    latency = figures["latency"]
    header = (
        f"{'latency, one booking at a time':<44}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
    )
    print(header)
    print("-" * len(header))
    for key, label in (
        ("bare_write", "bare write: loan + line, committed"),
        ("booked", "request_loan, booked"),
        ("conflict", "request_loan, refused: taken"),
        ("refused", "request_loan, refused: another rule"),
        ("all", "request_loan, every request"),
    ):
        row = latency[key]
        if row["n"]:
            print(
                f"{label:<44}{row['n']:>6}{row['p50_ms']:9.2f}{row['p95_ms']:9.2f}"
                f"{row['max_ms']:9.2f}"
            )
    print(
        f"{'booked / bare write':<44}{'':>6}{latency['booked_over_bare_p50']:8.1f}x"
        f"{latency['booked_over_bare_p95']:8.1f}x"
    )
    print()
    header = (
        f"{'where the time goes (mean per call)':<44}{'total':>7}{'stmts':>7}{'driver':>8}"
        f"{'commit':>8}{'Python':>8}"
    )
    print(header)
    print("-" * len(header))
    for key, label in (
        ("bare_write", "bare write"),
        ("booked", "request_loan, booked"),
        ("conflict", "request_loan, refused: taken"),
    ):
        part = latency["breakdown"][key]
        if part:
            print(
                f"{label:<44}{part['total_ms']:7.2f}{part['statements']:7.1f}"
                f"{part['in_driver_ms']:8.2f}{part['commit_ms']:8.2f}{part['python_ms']:8.2f}"
            )
    print(
        "(ms; driver: the statements in the database driver, round trips included; "
        "Python: SQLAlchemy and the rules, the rest)"
    )


def _print_sustained(figures: dict[str, Any]) -> None:
    header = (
        f"{'sustained':<28}{'seconds':>8}{'booked':>8}{'taken':>7}{'refused':>8}"
        f"{'faults':>7}{'booked/s':>10}{'requests/s':>11}"
    )
    print(header)
    print("-" * len(header))
    for row in figures["sustained"]:
        label = f"{row['processes']} process{'es' if row['processes'] > 1 else ''}"
        print(
            f"{label:<28}{row['seconds']:8.1f}{row[BOOKED]:8}{row[CONFLICT]:7}"
            f"{row[REFUSED]:8}{row[FAULT]:7}{row['booked_per_s']:10.1f}"
            f"{row['requests_per_s']:11.1f}"
        )


def _print_race(raced: dict[str, Any] | None) -> None:
    if raced is None:
        print("race: not run (--racers 0)")
        return
    print(
        f"race: {raced['racers']} processes released by one barrier "
        f"({raced['seconds_with_start_up']:.1f} s with their start-up)"
    )
    for r in raced["rounds"]:
        print(
            f"  {r['what']:<14} ({r['each_asks']} each): winners {r['winners']} "
            f"(expected {r['expected_winners']}), LoanConflict {r['losers_with_conflict']}, "
            f"other {r['other_outcomes']}; held after {r['held_after']}; attempt p50 "
            f"{r['attempt_p50_ms']:.0f} ms, slowest {r['attempt_max_ms']:.0f} ms, last "
            f"answer {r['last_answer_after_release_ms']:.0f} ms after the release"
        )
        for example in r["other_examples"]:
            print(f"    {example}")
        if r["conflict_example"]:
            print(f"    a loser read: {r['conflict_example']}")
    print(
        f"  overlaps found: {raced['overlapping_pairs']} overlapping pairs of a tagged "
        f"item, {raced['overbooked_pools']} overbooked pools (whole database)"
    )


def _print_busy_pool(figures: dict[str, Any]) -> None:
    if not figures["busy_pool"]:
        return
    limit = GOAL_SQLITE_P95_MS if figures["dialect"] == "sqlite" else GOAL_POSTGRES_P95_MS
    print()
    header = (
        f"{'busy pool (1,000 units), one more booking':<44}{'overlap':>8}{'p50 ms':>9}"
        f"{'p95 ms':>9}{'max ms':>9}"
    )
    print(header)
    print("-" * len(header))
    for row in figures["busy_pool"]:
        flag = f"  over the {limit:g} ms p95 goal" if row["p95_ms"] > limit else ""
        print(
            f"{row['bookings']:>6} bookings over four weeks{'':<13}{row['overlapping']:8.0f}"
            f"{row['p50_ms']:9.1f}{row['p95_ms']:9.1f}{row['max_ms']:9.1f}{flag}"
        )
    print("(overlap: the pool's bookings the first request overlaps)")
    quiet, busiest = figures["busy_pool"][0], figures["busy_pool"][-1]
    verdict = "met" if busiest["p95_ms"] <= GOAL_BUSY_POOL_P95_MS else "MISSED"
    print(
        f"booking into the busy pool ({busiest['overlapping']:.0f} overlapping): p95"
        f" {busiest['p95_ms']:.1f} ms; with {quiet['overlapping']:.0f} overlapping (baseline):"
        f" p95 {quiet['p95_ms']:.1f} ms; goal p95 <= {GOAL_BUSY_POOL_P95_MS:g} ms: {verdict}"
    )


def print_report(report: dict[str, Any]) -> None:
    for figures in report["backends"]:
        print()
        print(
            f"== {figures['database']}: {figures['items']:,} items, "
            f"{figures['loan_lines_at_start']:,} loan lines at start, "
            f"{figures['loan_lines_at_end']:,} at the end =="
        )
        _print_latency(figures)
        print()
        _print_sustained(figures)
        print()
        _print_race(figures["race"])
        _print_busy_pool(figures)
        if "profile" in figures:
            print()
            print("profile (cProfile):")
            print(figures["profile"])
    for skipped in report["skipped"]:
        print()
        print(f"== {skipped} ==")
    print()
    print("== goals ==")
    for verdict in report["goals"]:
        state = "met   " if verdict["met"] else "MISSED"
        print(f"{state} {verdict['goal']}: {verdict['value']:.2f}; {verdict['by']:.2f}x the goal")
    print()
    print(
        f"machine: {report['cpus']} CPUs, load average at start {report['load_at_start']}, "
        f"at end {report['load_at_end']}; python {report['python']}"
    )


def parse_list(values: list[str] | None, default: Sequence[int]) -> list[int]:
    if not values:
        return list(default)
    return [int(p) for v in values for p in v.split(",") if p.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loans", description=__doc__)
    parser.add_argument("--items", type=int, default=5000, help="catalogue size (default 5000)")
    parser.add_argument("--runs", type=int, default=400, help="timed bookings (default 400)")
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="length of each sustained run (default 5)"
    )
    parser.add_argument(
        "--processes",
        action="append",
        help="also sustain with N processes at once (repeatable or a comma list; default 4; "
        "0 for none)",
    )
    parser.add_argument(
        "--racers", type=int, default=8, help="racing processes (default 8; 0: no race)"
    )
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="one database only")
    parser.add_argument(
        "--no-busy-pool",
        dest="busy_pool",
        action="store_false",
        help="skip the busy-pool figures (latency as a pool's bookings grow)",
    )
    parser.add_argument("--pg-url", default=os.environ.get(ENV_URL), help=f"or ${ENV_URL}")
    parser.add_argument(
        "--pg-fast",
        action="store_true",
        help="keep the tests' cluster settings (fsync and synchronous_commit off)",
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="cProfile N bookings per database"
    )
    parser.add_argument("--keep", type=Path, help="folder for the SQLite file (default: temp)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    args.processes = [p for p in parse_list(args.processes, (4,)) if p > 0]
    log = _log_to(sys.stderr if args.json else sys.stdout)

    report: dict[str, Any] = {
        "now": NOW.isoformat(),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "args": {k: str(v) for k, v in vars(args).items()},
        "backends": [],
        "skipped": [],
    }
    if args.only != "postgresql":
        with sqlite_database(args.keep) as (url, describe):
            report["backends"].append(measure_backend(url, describe, args, log))
    if args.only != "sqlite":
        try:
            with postgres_database(args.pg_url, args.pg_fast) as (url, describe):
                report["backends"].append(measure_backend(url, describe, args, log))
        except NoPostgres as exc:
            report["skipped"].append(f"PostgreSQL: not measured: {exc}")
    report["goals"] = goals(report["backends"])
    report["load_at_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print_report(report)
    return 0 if all(v["met"] for v in report["goals"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
