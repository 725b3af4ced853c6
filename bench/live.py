"""Live windows benchmark: ``python -m bench.live``.

Two stations on one demo database (``app.demo.loader.open_demo_database``, opened twice,
as ``tests/ui/test_live_windows.py`` does): station A shows the real ``MainWindow``
offscreen, signed in as a duty officer, with the pooled barriers (CAM-000130) selected in
the catalogue; station B, in the same process, changes them. Measured on SQLite and on
PostgreSQL (``--pg-url`` / ``KITSHARE_BENCH_POSTGRES_URL``, or a throwaway cluster, as
``bench.loans`` gets one; where none can be had the report says so):

* **commit → panel**: B logs one barrier out by emergency issue, then takes it back,
  alternately, ``--changes`` times; each is timed from B's commit returning to A's item
  panel showing the new free count, with Qt's events processed all the while. Also when
  A's window was told (``window.live.changed`` handled).
* **baselines**, taken after every second change: F5 (the Refresh command) and the
  window re-reading what it was last told (``window.live.changed`` emitted again with
  the ``Changes`` heard), each until its results are shown: how much of the latency is
  reading again rather than waiting to hear.
* **idle**: the process's CPU time over ``--idle-seconds`` of the window doing nothing in
  Qt's event loop while listening, against the same window after ``window.live.stop()``
  (taken in alternate halves); on PostgreSQL, the server connections that LISTEN.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from PySide6.QtCore import QEventLoop, QModelIndex, QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import select, text

from app.catalogue.detail import item_detail
from app.catalogue.directory import find_agency, find_item
from app.core.actor import Actor
from app.core.clock import now_utc
from app.demo.loader import open_demo_database
from app.loans.drafts import Handover, LineDraft, LoanDraft
from app.loans.service import emergency_issue, return_loan
from app.storage.database import Database
from app.storage.live import SQLITE_POLL_S, Changes
from bench.loans import ENV_URL, NoPostgres, postgres_database, sqlite_database
from bench.search import percentile
from models import Person, Role
from ui.catalogue.model import Column
from ui.shell.live import GATHER_MS
from ui.shell.main_window import MainWindow

BARRIERS = "CAM-000130"  # 40 pedestrian barriers, 20 free now in the demo
BORROWER = "Hertfordshire Constabulary"
DUTY = Actor("Bench duty officer (bench)", role=Role.DUTY_OFFICER)
# The promise (tests/ui/test_live_windows.py): another station's change shows within this.
GOAL_MS = 2000.0
# How long to wait for a refresh before calling it one that never came.
GIVE_UP_S = 10.0
# A random pause between changes, so that they do not fall in step with the SQLite poll
# (a fixed cadence lands every commit at the same point between two polls).
SEED = 20_260_601


def _log_to(stream: Any) -> Callable[[str], None]:
    def log(message: str) -> None:
        print(message, file=stream, flush=True)

    return log


def _spread(samples: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50_ms": percentile(samples, 0.5),
        "p95_ms": percentile(samples, 0.95),
        "max_ms": max(samples) if samples else float("nan"),
    }


def pump_until(done: Callable[[], bool], timeout_s: float) -> bool:
    """Process Qt's events until ``done()`` or ``timeout_s``; whether it got done."""
    deadline = time.perf_counter() + timeout_s
    while not done():
        if time.perf_counter() > deadline:
            return False
        QApplication.processEvents()
        time.sleep(0.0005)
    return True


def pump_for(seconds: float) -> None:
    """Leave the window to Qt's own event loop for ``seconds``, as an idle window is."""
    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()


# --------------------------------------------------------------------------------------
# The two stations
# --------------------------------------------------------------------------------------


@dataclass
class Stations:
    """Station A's window over ``here``; station B changing the same data over ``there``."""

    here: Database
    there: Database
    window: MainWindow
    item_id: int
    borrower_id: int
    operator_id: int
    told: list[float] = field(default_factory=list)
    heard: list[Changes] = field(default_factory=list)
    shown: list[float] = field(default_factory=list)

    def free_shown(self) -> int | None:
        detail = self.window.item_panel.detail
        if detail is None or detail.id != self.item_id:
            return None
        return detail.quantity_free_now

    def free_in_database(self) -> int:
        return item_detail(self.there, self.item_id).quantity_free_now

    def lend_one(self) -> int:
        """B logs one barrier straight out; the loan's number."""
        start = now_utc().replace(second=0, microsecond=0)
        draft = LoanDraft(
            borrower_agency_id=self.borrower_id,
            requested_by_id=None,
            purpose="Crowd control, Kimbolton Road",
            starts_at=start,
            due_at=start + timedelta(hours=20),
            lines=(LineDraft(item_id=self.item_id, quantity=1),),
        )
        return emergency_issue(self.there, draft, Handover(operator_id=self.operator_id), DUTY)

    def take_back(self, loan_id: int) -> None:
        return_loan(self.there, loan_id, DUTY)


def open_stations(url: str) -> Stations:
    here = open_demo_database(url)
    there = open_demo_database(url)
    window = MainWindow(here, DUTY)
    window.show()
    borrower_id = find_agency(there, BORROWER).id
    with there.read() as session:
        operator_id = session.scalars(
            select(Person.id).where(Person.agency_id == borrower_id)
        ).first()
    assert operator_id is not None, f"the demo has nobody at {BORROWER}"
    stations = Stations(
        here, there, window, find_item(there, BARRIERS).id, borrower_id, operator_id
    )
    window.live.changed.connect(stations.heard.append)
    window.live.changed.connect(lambda _changes: stations.told.append(time.perf_counter()))
    window.results_shown.connect(lambda: stations.shown.append(time.perf_counter()))
    if not pump_until(lambda: bool(stations.shown) and not window.searching, GIVE_UP_S):
        raise RuntimeError("the window showed no results")
    select_item(stations)
    return stations


def select_item(stations: Stations) -> None:
    """Select the barriers' row in the catalogue, fetching pages until it is there."""
    window = stations.window
    model = window.model
    while True:
        row = next(
            (r for r in range(model.rowCount()) if model.index(r, Column.TAG).data() == BARRIERS),
            None,
        )
        if row is not None:
            break
        if not model.canFetchMore(QModelIndex()):
            raise RuntimeError(f"{BARRIERS} is not in the catalogue's results")
        model.fetchMore(QModelIndex())
        pump_until(lambda: not window.searching, GIVE_UP_S)
    window.catalogue.select_row(row)
    window.table.setFocus()
    if not pump_until(lambda: stations.free_shown() is not None, GIVE_UP_S):
        raise RuntimeError(f"the item panel did not show {BARRIERS}")


def close_stations(stations: Stations) -> None:
    stations.window.close()
    stations.window.deleteLater()
    QApplication.processEvents()
    stations.here.dispose()
    stations.there.dispose()


# --------------------------------------------------------------------------------------
# What is timed
# --------------------------------------------------------------------------------------


@dataclass
class Timings:
    panel_ms: list[float] = field(default_factory=list)
    told_ms: list[float] = field(default_factory=list)
    never_came: list[str] = field(default_factory=list)
    f5_ms: list[float] = field(default_factory=list)
    reread_ms: list[float] = field(default_factory=list)
    handler_ms: list[float] = field(default_factory=list)


def one_change(
    stations: Stations, n: int, out_on_loan: int | None, timings: Timings, pause_s: float
) -> int | None:
    """B makes change ``n`` (a loan of one if ``out_on_loan`` is None, else its return);
    the loan still out afterwards."""
    free = stations.free_in_database()
    shown = stations.free_shown()
    if shown != free:
        timings.never_came.append(f"before change {n}: the panel showed {shown}, not {free}")
        pump_until(lambda: stations.free_shown() == free, GIVE_UP_S)
    stations.told.clear()
    if out_on_loan is None:
        loan_id: int | None = stations.lend_one()
        expected = free - 1
    else:
        stations.take_back(out_on_loan)
        loan_id, expected = None, free + 1
    committed = time.perf_counter()
    if pump_until(lambda: stations.free_shown() == expected, GIVE_UP_S):
        timings.panel_ms.append((time.perf_counter() - committed) * 1000)
        if stations.told:
            timings.told_ms.append((stations.told[0] - committed) * 1000)
    else:
        timings.never_came.append(
            f"change {n} ({'issue' if out_on_loan is None else 'return'}): the panel still "
            f"showed {stations.free_shown()} free after {GIVE_UP_S:.0f} s, not {expected}"
        )
    # Let the rest of the window's reading finish before the next change.
    pump_until(lambda: not stations.window.searching, GIVE_UP_S)
    pump_until(lambda: False, pause_s)
    return loan_id


def refreshed(stations: Stations, start: Callable[[], object]) -> tuple[float, float]:
    """Milliseconds from ``start()`` to the catalogue's results shown and nothing searching,
    and to ``start()`` returning (the part done at once on the GUI thread)."""
    stations.shown.clear()
    began = time.perf_counter()
    start()
    returned = time.perf_counter()
    if not pump_until(lambda: bool(stations.shown) and not stations.window.searching, GIVE_UP_S):
        raise RuntimeError("a refresh showed no results")
    return (time.perf_counter() - began) * 1000, (returned - began) * 1000


def refresh_action(window: MainWindow) -> Callable[[], None]:
    """What F5 does: the Refresh command of the menus."""
    for action in window.menu_actions():
        if action.shortcut().toString() == "F5":
            return action.trigger
    raise RuntimeError("the window has no F5 command")


def measure_changes(stations: Stations, changes: int, log: Callable[[str], None]) -> Timings:
    timings = Timings()
    f5 = refresh_action(stations.window)
    out_on_loan: int | None = None
    rng = random.Random(SEED)
    for n in range(changes):
        pause_s = rng.uniform(0.0, SQLITE_POLL_S)
        out_on_loan = one_change(stations, n, out_on_loan, timings, pause_s)
        if n % 2 == 0:
            continue
        # The baselines, after every return: reading again with nothing new to hear.
        timings.f5_ms.append(refreshed(stations, f5)[0])
        told = stations.heard[-1] if stations.heard else Changes(everything=True)
        whole, handler = refreshed(stations, partial(stations.window.live.changed.emit, told))
        timings.reread_ms.append(whole)
        timings.handler_ms.append(handler)
        if (n + 1) % 20 == 0:
            log(f"  {n + 1} changes")
    if out_on_loan is not None:
        stations.take_back(out_on_loan)
    return timings


def listening_connections(db: Database) -> int | None:
    """The server connections LISTENing on this database (None on SQLite)."""
    if db.dialect == "sqlite":
        return None
    with db.read() as session:
        return int(
            session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query LIKE 'LISTEN %'"
                )
            )
            or 0
        )


def wait_for_listener(stations: Stations) -> None:
    """Until the listener has its connection (on PostgreSQL, the server shows it LISTENing)."""
    for _ in range(100):
        pump_for(0.05)
        if stations.window.live.state == "" and listening_connections(stations.there) != 0:
            return


def cpu_ms_per_minute(seconds: float) -> float:
    cpu, wall = time.process_time(), time.perf_counter()
    pump_for(seconds)
    return (time.process_time() - cpu) * 1000 / (time.perf_counter() - wall) * 60


def measure_idle(stations: Stations, seconds: float) -> dict[str, Any]:
    """CPU of the idle window listening, then stopped, in alternate halves of ``seconds``."""
    live = stations.window.live
    pump_for(0.5)  # let the last refresh settle
    on: list[float] = []
    off: list[float] = []
    connections: dict[str, int | None] = {}
    for _ in range(2):
        live.start()
        wait_for_listener(stations)
        connections["listening"] = listening_connections(stations.there)
        on.append(cpu_ms_per_minute(seconds / 2))
        live.stop()
        connections["stopped"] = listening_connections(stations.there)
        off.append(cpu_ms_per_minute(seconds / 2))
    live.start()
    return {
        "seconds": seconds,
        "listening_cpu_ms_per_min": sum(on) / len(on),
        "stopped_cpu_ms_per_min": sum(off) / len(off),
        "halves": {"listening": on, "stopped": off},
        "listener_connections": connections,
    }


def measure_backend(
    url: str, describe: str, args: argparse.Namespace, log: Callable[[str], None]
) -> dict[str, Any]:
    log(f"{describe}: building the demo and opening two stations")
    started = time.perf_counter()
    stations = open_stations(url)
    try:
        free = stations.free_shown()
        log(f"  window on {BARRIERS} ({free} free now) in {time.perf_counter() - started:.1f} s")
        timings = measure_changes(stations, args.changes, log)
        log(f"  idle for {args.idle_seconds:g} s, listening and not")
        idle = measure_idle(stations, args.idle_seconds)
        told = stations.heard[-1] if stations.heard else None
    finally:
        close_stations(stations)
    return {
        "dialect": stations.here.dialect,
        "describe": describe,
        "changes": args.changes,
        "commit_to_panel": _spread(timings.panel_ms),
        "commit_to_told": _spread(timings.told_ms),
        "never_came": timings.never_came,
        "f5": _spread(timings.f5_ms),
        "reread": _spread(timings.reread_ms),
        "reread_handler": _spread(timings.handler_ms),
        "last_told": (
            "everything" if told is None or told.everything else ", ".join(sorted(told.tables))
        ),
        "idle": idle,
    }


# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------


def _row(name: str, spread: dict[str, float]) -> str:
    return (
        f"  {name:<38} {spread['n']:>5} {spread['p50_ms']:>8.1f} {spread['p95_ms']:>8.1f} "
        f"{spread['max_ms']:>8.1f}"
    )


def print_backend(figures: dict[str, Any]) -> None:
    print(f"\n== {figures['describe']} ==")
    print(f"  {'ms':<38} {'n':>5} {'p50':>8} {'p95':>8} {'max':>8}")
    print(_row("commit -> panel shows", figures["commit_to_panel"]))
    print(_row("  commit -> window told", figures["commit_to_told"]))
    print(_row("baseline: F5 (Refresh)", figures["f5"]))
    print(_row("baseline: re-read as told", figures["reread"]))
    print(_row("  of which the live handler itself", figures["reread_handler"]))
    panel, reread = figures["commit_to_panel"]["p50_ms"], figures["reread"]["p50_ms"]
    hearing = figures["commit_to_told"]["p50_ms"] - figures["reread_handler"]["p50_ms"]
    print(
        f"  p50 {panel:.0f} ms = waiting to hear ~{panel - reread:.0f} ms (told - handler: "
        f"~{hearing:.0f}; {GATHER_MS} ms of it gathering) + reading again ~{reread:.0f} ms"
    )
    print(f"  told of: {figures['last_told']}")
    never = figures["never_came"]
    print(f"  refreshes that never came within {GIVE_UP_S:.0f} s: {len(never)}")
    for line in never[:5]:
        print(f"    {line}")
    idle = figures["idle"]
    print(
        f"  idle CPU, ms per minute: listening {idle['listening_cpu_ms_per_min']:.0f}, "
        f"stopped {idle['stopped_cpu_ms_per_min']:.0f} "
        f"(difference {idle['listening_cpu_ms_per_min'] - idle['stopped_cpu_ms_per_min']:.0f}; "
        f"{idle['seconds']:g} s each)"
    )
    held = idle["listener_connections"]
    if held.get("listening") is not None:
        print(
            f"  server connections LISTENing: {held['listening']} while live, "
            f"{held['stopped']} stopped"
        )


def goals(backends: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "goal": f"{b['dialect']}: every change shown within {GOAL_MS:.0f} ms",
            "max_ms": b["commit_to_panel"]["max_ms"],
            "never_came": len(b["never_came"]),
            "met": not b["never_came"] and b["commit_to_panel"]["max_ms"] <= GOAL_MS,
        }
        for b in backends
    ]


def print_report(report: dict[str, Any]) -> None:
    for figures in report["backends"]:
        print_backend(figures)
    for skipped in report["skipped"]:
        print(f"\n{skipped}")
    print("\n== goals ==")
    for verdict in report["goals"]:
        state = "met   " if verdict["met"] else "MISSED"
        print(f"{state} {verdict['goal']}: max {verdict['max_ms']:.0f} ms")
    print(
        f"\nmachine: {report['cpus']} CPUs, load average at start {report['load_at_start']}, "
        f"at end {report['load_at_end']}; python {report['python']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.live", description=__doc__)
    parser.add_argument("--changes", type=int, default=100, help="timed changes (default 100)")
    parser.add_argument(
        "--idle-seconds", type=float, default=10.0, help="idle time, each way (default 10)"
    )
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="one database only")
    parser.add_argument("--pg-url", default=os.environ.get(ENV_URL), help=f"or ${ENV_URL}")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    log = _log_to(sys.stderr if args.json else sys.stdout)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])

    report: dict[str, Any] = {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "args": {k: str(v) for k, v in vars(args).items()},
        "backends": [],
        "skipped": [],
    }
    if args.only != "postgresql":
        with sqlite_database(None) as (url, describe):
            report["backends"].append(measure_backend(url, describe, args, log))
    if args.only != "sqlite":
        try:
            with postgres_database(args.pg_url, fast=False) as (url, describe):
                report["backends"].append(measure_backend(url, describe, args, log))
        except NoPostgres as exc:
            report["skipped"].append(f"PostgreSQL: not measured: {exc}")
    report["goals"] = goals(report["backends"])
    report["load_at_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print_report(report)
    del app
    return 0 if all(v["met"] for v in report["goals"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
