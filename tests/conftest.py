"""Fixtures: a fresh SQLite file and a fresh PostgreSQL database per test.

PostgreSQL comes from ``KITSHARE_TEST_POSTGRES_URL`` (a role allowed to create
databases) or from a throwaway cluster started here. Where neither can be had, the
PostgreSQL tests are skipped with the reason shown in the summary, except under
``CI=true``, where they must run and a missing server fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from app.core.clock import use_clock
from app.people.passwords import use_hasher
from app.storage.config import normalise_url
from app.storage.database import Database, open_database
from tests.clock import TestClock
from tests.pgserver import ClusterUnavailable, start_cluster
from tests.templates import Content, PostgresTemplates, SqliteTemplates

POSTGRES_ENV = "KITSHARE_TEST_POSTGRES_URL"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


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


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    """SQLite files at the newest schema, or with the demo, built once and copied."""
    return SqliteTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture(scope="session")
def postgres_templates(postgres_admin_url: str) -> Iterator[PostgresTemplates]:
    """The same on PostgreSQL; dropped before the server goes."""
    templates = PostgresTemplates(postgres_admin_url)
    try:
        yield templates
    finally:
        templates.drop()


KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _database(
    request: pytest.FixtureRequest, tmp_path: Path, content: Content | None
) -> Iterator[str]:
    """A database of the kind ``request.param`` names, holding ``content``."""
    if request.param == "sqlite":
        path = tmp_path / "kitshare.db"
        if content is not None:
            sqlite: SqliteTemplates = request.getfixturevalue("sqlite_templates")
            sqlite.copy(content, path)
        yield f"sqlite:///{path.as_posix()}"
        return
    postgres: PostgresTemplates = request.getfixturevalue("postgres_templates")
    with postgres.database(content) as url:
        yield url


@pytest.fixture
def pg_url(postgres_templates: PostgresTemplates) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    with postgres_templates.database(None) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet."""
    return f"sqlite:///{(tmp_path / 'kitshare.db').as_posix()}"


@pytest.fixture(params=KINDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind in turn: the same test runs on both."""
    yield from _database(request, tmp_path, None)


@pytest.fixture(params=KINDS)
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of each kind at the newest schema, with no rows."""
    yield from _database(request, tmp_path, Content.SCHEMA)


@pytest.fixture
def db(migrated_url: str) -> Iterator[Database]:
    """An open database at the newest schema, on SQLite and on PostgreSQL in turn."""
    database = open_database(migrated_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture(params=KINDS)
def demo_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of each kind holding the Cambridgeshire demo data and its accounts.

    The demo was loaded once for the session, around the moment it was built.
    """
    yield from _database(request, tmp_path, Content.DEMO)


@pytest.fixture
def demo_db(demo_url: str) -> Iterator[Database]:
    database = open_database(demo_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashes() -> Iterator[None]:
    """Hash the tests' passwords at argon2's lowest cost, not the station's.

    The station's cost (a tenth of a second a hash, on purpose) would spend minutes of
    every run on the thousands of passwords the tests set; a hash records its own
    cost, so signing in checks each one the same way. tests/test_accounts.py checks the
    station's cost itself.
    """
    previous = use_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    try:
        yield
    finally:
        use_hasher(previous)


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
    monkeypatch.setattr("app.storage.backup.data_folder", lambda: folder)
    # And its station copy and outbox (windows on a server keep them by themselves).
    monkeypatch.setenv("KITSHARE_STATION_FOLDER", str(tmp_path / "station-folder"))
    return folder
