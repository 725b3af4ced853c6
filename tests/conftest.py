"""Fixtures: a fresh SQLite file and a fresh PostgreSQL database per test.

PostgreSQL comes from ``KITSHARE_TEST_POSTGRES_URL`` (a role allowed to create
databases) or from a throwaway cluster started here. Where neither can be had, the
PostgreSQL tests are skipped with the reason shown in the summary, except under
``CI=true``, where they must run and a missing server fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app.clock import use_clock
from app.config import normalise_url
from app.database import Database, open_database
from tests.clock import TestClock
from tests.pgserver import ClusterUnavailable, start_cluster

POSTGRES_ENV = "KITSHARE_TEST_POSTGRES_URL"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A URL on a real PostgreSQL server whose role may create databases."""
    given = os.environ.get(POSTGRES_ENV)
    if given:
        yield normalise_url(given)
        return
    try:
        cluster = start_cluster()
    except ClusterUnavailable as exc:
        reason = f"PostgreSQL tests not run: {exc}"
        if _in_ci():
            pytest.fail(f"{reason} (CI=true requires them)")
        pytest.skip(reason)
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(postgres_admin_url: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    name = f"kitshare_test_{uuid.uuid4().hex[:12]}"
    admin = _libpq(postgres_admin_url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{(tmp_path / 'kitshare.db').as_posix()}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database of each kind in turn: the same test runs on both."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """An open database at the newest schema, on SQLite and on PostgreSQL in turn."""
    database = open_database(db_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture(autouse=True)
def clock(request: pytest.FixtureRequest) -> Iterator[TestClock]:
    """Kit Share's clock for one test: the system's, unless the test sets it, or its
    module or function is marked ``@pytest.mark.clock(moment)`` to start at a moment.

    Tests that leave it alone run on today's date and must work out what they expect
    from ``now_utc()``: the suite passes on any day (CI runs it a second time with the
    system clock moved years ahead, across a clock change).
    """
    test_clock = TestClock()
    marker = request.node.get_closest_marker("clock")
    if marker is not None:
        test_clock.set(*marker.args, **marker.kwargs)
    previous = use_clock(test_clock)
    try:
        yield test_clock
    finally:
        use_clock(previous)


@pytest.fixture(autouse=True)
def own_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test keeps its automatic-backup settings in its own folder, never in the
    data folder of whoever runs the tests (whose schedule would back up test files)."""
    folder = tmp_path / "data-folder"
    monkeypatch.setattr("app.backup.data_folder", lambda: folder)
    return folder
