"""The station copy: complete, searchable, atomic, private; and its two commands."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from app.catalogue.search import SearchFilters, search_items
from app.cli import common as cli
from app.cli.main import main
from app.core.clock import format_datetime, now_utc
from app.storage import station_copy, station_outbox
from app.storage.database import Database, open_database, table_counts
from app.storage.station_copy import (
    AUDIT_ACTIONS_KEPT,
    CopyDamaged,
    CopyNotRefreshed,
    age_in_words,
    copy_info,
    refresh_copy,
)
from models import AuditEvent, Base
from tests.clock import TestClock
from tests.secured_server import (  # noqa: F401 - the fixture is used by name
    PASSWORDS,
    STATION_PASSWORD,
    SecuredServer,
    secured_server_fixture,
)
from tests.templates import libpq


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def add_audit_events(db: Database) -> None:
    """One event the copy keeps (a retirement) and one it leaves on the server."""
    with db.write() as session:
        item_id = session.execute(text("SELECT min(id) FROM equipment_items")).scalar_one()
        for action in ("item.retired", "item.updated"):
            session.execute(
                insert(AuditEvent).values(
                    actor="Test",
                    action=action,
                    entity_type="equipment_item",
                    entity_id=item_id,
                    before={"status": "available"},
                    after={"status": "retired"},
                )
            )


def kept_audit_events(db: Database) -> int:
    with db.read() as session:
        found = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.in_(AUDIT_ACTIONS_KEPT))
        )
    return int(found or 0)


def copies(tmp_path: Path) -> Path:
    """A folder of its own for the copy, apart from the source's SQLite files."""
    folder = tmp_path / "copies"
    folder.mkdir()
    return folder


def all_rows(db: Database, table: Any) -> list[Any]:
    """Every row the copy keeps of ``table``, value by value, in key order."""
    query = select(table).order_by(*table.primary_key.columns)
    if table.name == "audit_events":
        query = query.where(table.c.action.in_(AUDIT_ACTIONS_KEPT))
    with db.read() as session:
        return [tuple(row) for row in session.execute(query)]


def page(db: Database, words: str, filters: SearchFilters | None = None) -> list[Any]:
    return search_items(db, words, filters, limit=500, now=now_utc()).rows


@pytest.fixture
def copy_db(tmp_path: Path) -> Iterator[list[Database]]:
    """Databases opened on copies in a test, closed at its end."""
    opened: list[Database] = []
    yield opened
    for db in opened:
        db.dispose()


def open_copy(path: Path, opened: list[Database]) -> Database:
    db = open_database(f"sqlite:///{path.as_posix()}")
    opened.append(db)
    return db


def test_the_copy_holds_every_table_and_searches_as_the_source_does(
    demo_db: Database, tmp_path: Path, copy_db: list[Database]
) -> None:
    add_audit_events(demo_db)
    path = copies(tmp_path) / "station-copy.db"
    info = refresh_copy(demo_db, path)

    expected = table_counts(demo_db)
    expected["audit_events"] = kept_audit_events(demo_db)
    assert expected["audit_events"] == 1
    assert info.rows == expected
    assert set(info.rows) == set(Base.metadata.tables)
    assert info.source == demo_db.location
    assert info.withheld == ()
    assert info.accounts_can_sign_in
    assert abs(info.taken_at - now_utc()) < timedelta(minutes=1)

    copy = open_copy(path, copy_db)
    assert table_counts(copy) == expected
    for table in Base.metadata.sorted_tables:
        assert all_rows(copy, table) == all_rows(demo_db, table), table.name
    found = page(demo_db, "thermal drone")
    assert found, "the demo has thermal drones"
    assert page(copy, "thermal drone") == found
    # Availability, pooled kit included, over a period with bookings in it.
    soon = now_utc() + timedelta(hours=1)
    period = SearchFilters(available_from=soon, available_to=soon + timedelta(days=7))
    everything = page(demo_db, "", period)
    assert any(row.is_pooled for row in everything)
    assert page(copy, "", period) == everything
    assert page(copy, "") == page(demo_db, "")


def test_the_copy_is_one_moment_of_the_source(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, elsewhere = open_database(demo_url), open_database(demo_url)
    try:
        real_copy_table = station_copy.copy_table
        written: list[str] = []

        def meanwhile(source: Session, target: Any, table: Any, columns: Any) -> int:
            copied = real_copy_table(source, target, table, columns)
            if not written:
                # Another station commits while the copy is being read.
                add_audit_events(elsewhere)
                written.append(table.name)
            return copied

        monkeypatch.setattr(station_copy, "copy_table", meanwhile)
        info = refresh_copy(db, copies(tmp_path) / "station-copy.db")
        assert written
        assert kept_audit_events(db) == 1
        assert info.rows["audit_events"] == 0
    finally:
        db.dispose()
        elsewhere.dispose()


def test_the_copy_is_for_this_account_only(demo_db: Database, tmp_path: Path) -> None:
    path = copies(tmp_path) / "station-copy.db"
    refresh_copy(demo_db, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["station-copy.db"]


def test_a_failure_half_way_leaves_the_previous_copy_whole(
    demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copies(tmp_path) / "station-copy.db"
    refresh_copy(demo_db, path)
    before = path.read_bytes()
    copied: list[str] = []
    real_copy_table = station_copy.copy_table

    def failing(source: Session, target: Any, table: Any, columns: Any) -> int:
        if len(copied) == len(Base.metadata.tables) // 2:
            raise RuntimeError("simulated failure half-way")
        copied.append(table.name)
        return real_copy_table(source, target, table, columns)

    monkeypatch.setattr(station_copy, "copy_table", failing)
    with pytest.raises(RuntimeError, match="half-way"):
        refresh_copy(demo_db, path, now=now_utc() + timedelta(hours=1))
    assert copied, "some tables were copied before the failure"
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["station-copy.db"]


@pytest.mark.postgres
def test_the_server_going_away_leaves_the_previous_copy_whole(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_database(pg_url)
    try:
        path = copies(tmp_path) / "station-copy.db"
        refresh_copy(db, path)
        before = path.read_bytes()
        real_copy_table = station_copy.copy_table
        seen: list[str] = []

        def cut_off(source: Session, target: Any, table: Any, columns: Any) -> int:
            seen.append(table.name)
            if len(seen) == len(Base.metadata.tables) // 2:
                pid = source.execute(text("SELECT pg_backend_pid()")).scalar_one()
                with psycopg.connect(libpq(pg_url), autocommit=True) as admin:
                    admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            return real_copy_table(source, target, table, columns)

        monkeypatch.setattr(station_copy, "copy_table", cut_off)
        with pytest.raises(CopyNotRefreshed) as raised:
            refresh_copy(db, path)
        assert "Cannot reach the PostgreSQL server" in raised.value.message
        assert raised.value.message.endswith(
            "The station copy was not refreshed; the previous copy is kept as it was."
        )
        assert path.read_bytes() == before
        assert sorted(p.name for p in path.parent.iterdir()) == ["station-copy.db"]
    finally:
        db.dispose()


def test_no_copy_and_damaged_copies_are_said_in_a_sentence(
    demo_db: Database, tmp_path: Path
) -> None:
    path = copies(tmp_path) / "station-copy.db"
    assert copy_info(path) is None

    path.write_text("not a database at all\n")
    with pytest.raises(CopyDamaged) as raised:
        copy_info(path)
    assert raised.value.message.count(". ") == 0
    assert "is damaged or is not a station copy (it is not a SQLite database)" in str(raised.value)

    refresh_copy(demo_db, path)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(CopyDamaged, match="kitshare-admin station refresh"):
        copy_info(path)


def test_a_sqlite_file_that_is_no_station_copy_is_refused(demo_url: str, tmp_path: Path) -> None:
    if not demo_url.startswith("sqlite"):
        pytest.importorskip("psycopg")  # same check on both kinds: a Kit Share file
    other = tmp_path / "kitshare.db"
    open_database(f"sqlite:///{other.as_posix()}").dispose()
    with pytest.raises(CopyDamaged, match="no such table: station_copy"):
        copy_info(other)


def test_age_in_words() -> None:
    assert age_in_words(timedelta(seconds=59)) == "less than a minute ago"
    assert age_in_words(timedelta(minutes=1)) == "1 minute ago"
    assert age_in_words(timedelta(hours=2, minutes=5)) == "2 hours 5 minutes ago"
    assert age_in_words(timedelta(hours=3)) == "3 hours ago"
    assert age_in_words(timedelta(days=1, hours=4, minutes=59)) == "1 day 4 hours ago"


def test_the_commands_refresh_and_report(
    demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], clock: TestClock
) -> None:
    path = tmp_path / "copies" / "station-copy.db"
    status, _, err = run(capsys, "--database", demo_url, "station", "status", "--copy", str(path))
    assert status == 1
    assert err == (
        f"kitshare-admin: There is no station copy at {path} yet: run `kitshare-admin "
        "station refresh` while the server can be reached.\n"
    )

    status, out, err = run(
        capsys, "--database", demo_url, "station", "refresh", "--copy", str(path)
    )
    assert (status, err) == (0, "")
    assert out.startswith(f"Refreshed the station copy {path} from ")
    assert "102 items" in out
    taken = now_utc()

    clock.advance(timedelta(hours=2, minutes=5, seconds=20))
    status, out, _ = run(capsys, "--database", demo_url, "station", "status", "--copy", str(path))
    assert status == 0
    assert f"Taken:        {format_datetime(taken)} (2 hours 5 minutes ago)" in out
    assert ["equipment_items", "102"] in [line.split() for line in out.splitlines()]

    status, out, _ = run(
        capsys, "--database", demo_url, "station", "status", "--copy", str(path), "--json"
    )
    assert status == 0
    report = json.loads(out)
    assert report["age"] == "2 hours 5 minutes ago"
    assert report["rows"]["equipment_items"] == 102
    assert report["accounts_can_sign_in"] is True
    assert report["withheld"] == []

    path.write_bytes(path.read_bytes()[:5000])
    status, out, err = run(capsys, "--database", demo_url, "station", "status", "--copy", str(path))
    assert (status, out) == (1, "")
    assert err.startswith(f"kitshare-admin: The station copy {path} is damaged")
    assert err.count("\n") == 1


def test_the_copy_goes_in_the_data_folder_by_default(
    demo_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "data"
    monkeypatch.delenv("KITSHARE_STATION_FOLDER")
    monkeypatch.setattr(station_outbox, "data_folder", lambda: folder)
    status, out, _ = run(capsys, "--database", demo_url, "station", "refresh")
    assert status == 0
    assert (folder / "station-copy.db").is_file()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    status, out, _ = run(capsys, "--database", demo_url, "station", "status")
    assert status == 0
    assert f"Station copy: {folder / 'station-copy.db'}" in out
    # A folder of the station's own, named in the environment, takes its place.
    elsewhere = tmp_path / "station drive"
    monkeypatch.setenv("KITSHARE_STATION_FOLDER", str(elsewhere))
    assert run(capsys, "--database", demo_url, "station", "refresh")[0] == 0
    assert (elsewhere / "station-copy.db").is_file()


@pytest.mark.postgres
def test_on_a_secured_server_the_copy_keeps_accounts_without_passwords(
    secured_server: SecuredServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = copies(tmp_path) / "station-copy.db"
    url = secured_server.station_url
    status, _, err = run(capsys, "--database", url, "station", "refresh", "--copy", str(path))
    assert status == 1
    assert "give --user NAME" in err
    assert not path.exists()

    monkeypatch.setenv(cli.PASSWORD_ENV, PASSWORDS["duty"])
    status, out, err = run(
        capsys, "--database", url, "station", "refresh", "--copy", str(path), "--user", "duty"
    )
    assert (status, err) == (0, "")
    assert "nobody can sign in from it" in out
    info = copy_info(path)
    assert info is not None
    assert info.signed_in_as == "duty"
    assert "app_users.password_hash" in info.withheld
    assert "audit_events.actor" in info.withheld
    assert not info.accounts_can_sign_in
    assert info.rows["app_users"] > 0
    assert info.rows["equipment_items"] == 102
    held = path.read_bytes()
    for secret in (*PASSWORDS.values(), STATION_PASSWORD):
        assert secret.encode() not in held
    copy = open_database(f"sqlite:///{path.as_posix()}")
    try:
        with copy.read() as session:
            hashes = session.execute(text("SELECT DISTINCT password_hash FROM app_users")).all()
        assert hashes == [("",)]
        assert [row.id for row in page(copy, "thermal drone")]
    finally:
        copy.dispose()

    status, out, _ = run(capsys, "--database", url, "station", "status", "--copy", str(path))
    assert status == 0
    assert "read as duty" in out
    assert "The copy holds the accounts without their passwords" in out
