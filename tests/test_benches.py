"""Every bench runs to the end at a tiny size and prints its figures.

A smoke run, not a measurement: the figures are not judged here, only that each bench
still completes against today's code, so that a change which breaks one fails CI
instead of being found months later when someone needs the figure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SMOKE_ITEMS = "400"


def run_bench(module: str, *args: str, goals_may_miss: bool = False) -> Any:
    """``python -m bench.<module> … --json``, in a fresh process; its JSON report."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *args, "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
        env=env,
    )
    assert "Traceback" not in result.stderr, result.stderr
    # A missed goal is an exit status of 1 with the whole report printed; a crash is
    # caught above.
    assert result.returncode in ((0, 1) if goals_may_miss else (0,)), result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert isinstance(report, dict)
    return report


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where bench.search caches its catalogues; bench.inspections reads the same."""
    return tmp_path_factory.mktemp("bench-catalogues")


def test_the_search_bench_measures_the_queries_and_the_window(catalogues: Path) -> None:
    report = run_bench(
        "search", "--items", SMOKE_ITEMS, "--runs", "2", "--window", "--keep", str(catalogues)
    )
    (size,) = report["sizes"]
    assert size["items"] == int(SMOKE_ITEMS)
    assert size["queries"]
    (window,) = report["windows"]
    # The window signed in, searched and showed rows for every query typed.
    assert window["startup_s"] > 0
    assert window["keystroke_to_rows_p95_ms"] > 0
    assert len(window["keystrokes"]) > 1
    assert window["peak_rss_mb"] > 0
    assert report["goals"]


def test_the_inspections_bench_runs(catalogues: Path) -> None:
    report = run_bench(
        "inspections", "--items", SMOKE_ITEMS, "--runs", "2", "--keep", str(catalogues)
    )
    (size,) = report["sizes"]
    assert size["items"] == int(SMOKE_ITEMS)


def test_the_import_bench_runs(tmp_path: Path) -> None:
    report = run_bench("import_items", "--items", "200", "--work", str(tmp_path))
    (size,) = report["sizes"]
    assert size["items"] == 200
    assert size["import_s"] > 0


@pytest.mark.postgres
def test_the_loans_bench_runs_on_both_databases(postgres_admin_url: str, tmp_path: Path) -> None:
    report = run_bench(
        "loans",
        *("--items", SMOKE_ITEMS, "--runs", "10", "--seconds", "0.3"),
        *("--processes", "2", "--racers", "2"),
        *("--pg-url", postgres_admin_url, "--keep", str(tmp_path)),
        goals_may_miss=True,
    )
    assert [backend["dialect"] for backend in report["backends"]] == ["sqlite", "postgresql"]
    for backend in report["backends"]:
        # Speed is not judged at this size; double booking always is.
        assert backend["race"]["correct"], backend["race"]
        assert backend["latency"]


def test_the_live_bench_runs_on_both_databases(postgres_admin_url: str) -> None:
    report = run_bench(
        "live",
        *("--changes", "4", "--idle-seconds", "0.5", "--pg-url", postgres_admin_url),
        goals_may_miss=True,
    )
    assert [backend["dialect"] for backend in report["backends"]] == ["sqlite", "postgresql"]
    for backend in report["backends"]:
        # Speed is not judged at this size; a refresh that never comes always is.
        assert backend["never_came"] == [], backend["never_came"]
        assert backend["commit_to_panel"]["max_ms"] > 0


def test_the_station_copy_bench_runs_on_both_databases(postgres_admin_url: str) -> None:
    report = run_bench(
        "station_copy",
        *("--items", "300", "--runs", "1", "--pg-url", postgres_admin_url),
        goals_may_miss=True,
    )
    sources = {figure["source"] for figure in report["figures"]}
    assert sources == {"PostgreSQL", "SQLite"}
    for figure in report["figures"]:
        assert figure["size"] > 0
        assert figure["median_s"] > 0


def test_the_planner_bench_runs_on_both_databases(postgres_admin_url: str) -> None:
    report = run_bench(
        "planner",
        *("--items", SMOKE_ITEMS, "--window-rows", "20", "--pg-url", postgres_admin_url),
        goals_may_miss=True,
    )
    figures = report["figures"]
    assert [(f["backend"], f["bookings"], f["frozen"]) for f in figures] == [
        ("SQLite", False, True),
        ("SQLite", True, False),
        ("SQLite", True, True),
        ("PostgreSQL", False, True),
        ("PostgreSQL", True, False),
        ("PostgreSQL", True, True),
    ]
    for figure in figures:
        assert figure["items"] == int(SMOKE_ITEMS)
        assert figure["steps"] > 0
        assert figure["page_cold_ms"] > 0
