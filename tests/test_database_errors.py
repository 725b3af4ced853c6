"""Every environment fault ends in one sentence a person can act on, and changes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from app import schema
from app.config import normalise_url
from app.database import create_database_engine, open_database
from app.errors import (
    DatabaseCorrupt,
    DatabaseLocked,
    DatabaseReadOnly,
    DatabaseTooNew,
    DatabaseUnavailable,
)
from tests.pgserver import free_port


def test_corrupt_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "kitshare.db"
    garbage = b"This is a spreadsheet, not a database.\n" * 100
    path.write_bytes(garbage)
    with pytest.raises(DatabaseCorrupt, match="not a Kit Share database, or it is damaged"):
        open_database(f"sqlite:///{path}")
    assert path.read_bytes() == garbage


def test_damaged_sqlite_pages_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "kitshare.db"
    open_database(f"sqlite:///{path}").dispose()
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"kitshare.db{suffix}").unlink(missing_ok=True)
    data = bytearray(path.read_bytes())
    # Keep the header so the file still claims to be SQLite, then wreck the schema page.
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseCorrupt, match="damaged"):
        open_database(f"sqlite:///{path}")


def test_read_only_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kitshare.db"
    open_database(f"sqlite:///{path}").dispose()
    path.chmod(0o444)
    try:
        with pytest.raises(DatabaseReadOnly, match="read-only"):
            open_database(f"sqlite:///{path}")
    finally:
        path.chmod(0o644)


def test_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "locked-down"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(DatabaseReadOnly, match="folder"):
            open_database(f"sqlite:///{folder / 'kitshare.db'}")
    finally:
        folder.chmod(0o755)
    assert not (folder / "kitshare.db").exists()


def test_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match="does not exist"):
        open_database(f"sqlite:///{tmp_path / 'nowhere' / 'kitshare.db'}")


def test_locked_database_gives_a_busy_message(tmp_path: Path) -> None:
    path = tmp_path / "kitshare.db"
    db = open_database(f"sqlite:///{path}", busy_timeout_ms=200)
    other_station = sqlite3.connect(path, isolation_level=None)
    other_station.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseLocked, match="busy"), db.write() as session:
            session.execute(
                text(
                    "INSERT INTO categories (name, tracks_fuel, tracks_hours,"
                    " tracks_battery, tracks_mileage) VALUES ('Drones', 0, 0, 0, 0)"
                )
            )
    finally:
        other_station.execute("ROLLBACK")
        other_station.close()
    with db.read() as session:
        assert session.execute(text("SELECT count(*) FROM categories")).scalar() == 0
    db.dispose()


def test_newer_schema_is_refused(db_url: str) -> None:
    open_database(db_url).dispose()
    db = open_database(db_url, migrate=False)
    with db.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = 'f00d_from_the_future'"))
    db.dispose()
    with pytest.raises(DatabaseTooNew, match="newer Kit Share"):
        open_database(db_url)
    engine = create_database_engine(db_url, poolclass=NullPool)
    try:
        assert schema.current_revision(engine) == "f00d_from_the_future"
    finally:
        engine.dispose()


def test_unreachable_server_is_explained() -> None:
    url = f"postgresql://kitshare:secret@127.0.0.1:{free_port()}/kitshare"
    with pytest.raises(DatabaseUnavailable, match="Cannot reach the PostgreSQL server") as caught:
        open_database(normalise_url(url))
    assert "secret" not in caught.value.message


@pytest.mark.postgres
def test_missing_postgres_database_is_explained(postgres_admin_url: str) -> None:
    url = postgres_admin_url.rsplit("/", 1)[0] + "/no_such_kitshare_db"
    with pytest.raises(DatabaseUnavailable, match="no database called “no_such_kitshare_db”"):
        open_database(url)


@pytest.mark.parametrize("url", ["not a url at all", "mysql://x@y/z"])
def test_unusable_url_is_explained(url: str) -> None:
    with pytest.raises(DatabaseUnavailable, match=r"SQLite or PostgreSQL|not a database URL"):
        normalise_url(url)
