"""Every environment fault ends in one sentence a person can act on, and changes nothing."""

from __future__ import annotations

import logging
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app.core.errors import (
    DatabaseCorrupt,
    DatabaseLocked,
    DatabaseReadOnly,
    DatabaseTooNew,
    DatabaseUnavailable,
)
from app.storage import schema
from app.storage.config import masked_url, normalise_url, sqlite_url
from app.storage.database import Database, EmptyDatabaseFile, open_database
from app.storage.engine import POSTGRES_CONNECT_TIMEOUT_S, create_database_engine
from tests.pgserver import free_port
from tests.templates import libpq

ROOT = Path(__file__).resolve().parent.parent


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


# -- Database URLs with a mistake: one sentence naming the part, never the password --------

SECRET = "s3cret-Pw"
# (URL, words the sentence must hold). Each holds a password, where it can, that no
# message may show any part of.
BAD_URLS = [
    (f"postgresql://kitshare:{SECRET}@127.0.0.1:99999/kitshare", "Port 99999"),
    (f"postgresql://kitshare:{SECRET}@127.0.0.1:notaport/kitshare", "port in the database URL"),
    (f"postgresql://kitshare:{SECRET}@127.0.0.1:0/kitshare", "Port 0"),
    (f"postgresql://kitshare:{SECRET}@127.0.0.1/kitshare?sslmode=bogus", "sslmode"),
    (f"postgresql://kitshare:{SECRET}@127.0.0.1/kitshare?colour=blue", "option “colour”"),
    (f"postgresql://kitshare:{SECRET}@127.0.0.1/kitshare?sslmode=a&sslmode=b", "more than once"),
    ("postgresql://kitshare:s3cret@Pw@127.0.0.1:5432/kitshare", "more than one “@”"),
    (f"postgresql+psycopg2://kitshare:{SECRET}@db-server/kitshare", "no “psycopg2” driver"),
    (f"mysql://kitshare:{SECRET}@db-server/kitshare", "not “mysql”"),
    (f"kitshare:{SECRET}@db-server/kitshare", "not a database URL"),
    ("sqlite://", "names no file"),
    ("sqlite:///", "names no file"),
    ("sqlite:///:memory:", "names no file"),
    ("sqlite+pysqlcipher:///kitshare.db", "no “pysqlcipher” driver"),
    ("sqlite:///kitshare.db?mode=ro", "take no options"),
    (f"sqlite://kitshare:{SECRET}@server/kitshare.db", "names a file, not a server"),
    ("/srv/kitshare/kitshare.db", "write it as sqlite:////srv/kitshare/kitshare.db"),
    ("", "empty"),
    ("sqlite:///kit\nshare.db", "line break"),
    ("sqlite:///kit\x00share.db", "invisible character"),
]


def no_part_of_the_password(message: str) -> None:
    assert SECRET not in message
    assert "s3cret" not in message
    assert "Pw@" not in message


@pytest.mark.parametrize(("url", "words"), BAD_URLS)
def test_a_mistake_in_the_url_is_named_in_one_sentence(
    url: str, words: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DatabaseUnavailable) as caught:
        open_database(url)
    message = caught.value.message
    assert words in message
    # One sentence: no full stop followed by another sentence's capital, no line break.
    assert re.search(r"\. [A-Z]", message) is None
    assert "\n" not in message
    no_part_of_the_password(message)
    assert list(tmp_path.iterdir()) == []


def test_no_message_or_log_line_shows_the_password(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"postgresql://kitshare:{SECRET}@127.0.0.1:{free_port()}/kitshare"
    with pytest.raises(DatabaseUnavailable) as caught:
        open_database(url)
    no_part_of_the_password(caught.value.message)
    no_part_of_the_password(caplog.text)
    no_part_of_the_password(repr(caught.value))


def test_a_password_given_as_an_option_is_masked_like_any_other() -> None:
    url = normalise_url(f"postgresql://kitshare@db-server/kitshare?password={SECRET}")
    assert make_url(url).password == SECRET
    no_part_of_the_password(masked_url(url))


def test_an_ipv6_server_is_named_with_brackets() -> None:
    with pytest.raises(DatabaseUnavailable, match=r"server at \[::1\]:\d+\. Check"):
        open_database(f"postgresql://kitshare:{SECRET}@[::1]:{free_port()}/kitshare")


def test_a_server_name_that_cannot_be_found_is_unreachable() -> None:
    with pytest.raises(DatabaseUnavailable, match="Cannot reach the PostgreSQL server at bü"):
        open_database("postgresql://kitshare@bücher.invalid/kitshare")


def test_a_server_that_accepts_and_never_answers_is_given_up_on_quickly() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    port = listener.getsockname()[1]
    started = time.monotonic()
    try:
        with pytest.raises(DatabaseUnavailable, match="Cannot reach the PostgreSQL server"):
            open_database(f"postgresql://kitshare@127.0.0.1:{port}/kitshare?connect_timeout=0")
    finally:
        listener.close()
    # connect_timeout=0 in the URL would wait for ever; Kit Share's own timeout holds.
    assert time.monotonic() - started < POSTGRES_CONNECT_TIMEOUT_S * 3


# -- The database file and the folders on the way to it -------------------------------------

OPEN_AND_SAY = """
import sys
from app.storage.database import open_database
from app.core.errors import KitShareError
try:
    open_database(sys.argv[1]).dispose()
except KitShareError as error:
    print(error.message)
    raise SystemExit(1) from None
"""


def test_a_database_in_a_folder_the_user_may_not_enter_is_explained(tmp_path: Path) -> None:
    private = tmp_path / "someone-else"
    private.mkdir()
    url = f"sqlite:///{(private / 'kitshare.db').as_posix()}"
    if os.geteuid() == 0:
        # Root (as in CI) enters any folder: use a process of root's without the
        # capabilities that override permissions, and give the folder to another account.
        os.chown(private, 65534, 65534)
        private.chmod(0o700)
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
    else:
        private.chmod(0o000)
        command = []
    try:
        result = subprocess.run(
            [*command, sys.executable, "-c", OPEN_AND_SAY, url],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=ROOT,
        )
    finally:
        private.chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "You are not allowed into the folder that holds the database file" in result.stdout
    assert list(private.iterdir()) == []


def test_an_empty_file_is_not_taken_for_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "kitshare.db"
    path.write_bytes(b"")
    with pytest.raises(EmptyDatabaseFile, match="is an empty file, not a Kit Share database"):
        open_database(f"sqlite:///{path.as_posix()}")
    assert path.read_bytes() == b""


def test_an_empty_file_becomes_a_database_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "kitshare.db"
    path.write_bytes(b"")
    open_database(f"sqlite:///{path.as_posix()}", empty_file_ok=True).dispose()
    db = open_database(f"sqlite:///{path.as_posix()}")
    try:
        assert schema.current_revision(db.engine) == schema.head_revision()
    finally:
        db.dispose()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p.symlink_to(p), "loop of shortcuts"),
        (os.mkfifo, "device, pipe or socket"),
        (lambda p: p.mkdir(), "is a folder, not a database file"),
    ],
    ids=["symlink-loop", "fifo", "folder"],
)
def test_a_path_that_is_not_a_file_is_refused_without_waiting(
    tmp_path: Path, make: Callable[[Path], None], words: str
) -> None:
    path = tmp_path / "kitshare.db"
    make(path)
    with pytest.raises(DatabaseUnavailable, match=words):
        open_database(f"sqlite:///{path.as_posix()}")


def test_a_device_is_not_a_database() -> None:
    with pytest.raises(DatabaseUnavailable, match="device, pipe or socket"):
        open_database("sqlite:////dev/zero")


def test_a_file_on_the_way_to_the_database_is_named(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a folder")
    with pytest.raises(DatabaseUnavailable, match="is a file, not a folder"):
        open_database(f"sqlite:///{(tmp_path / 'notes.txt' / 'kitshare.db').as_posix()}")


def test_a_path_too_long_for_the_system_is_refused_in_a_short_sentence(tmp_path: Path) -> None:
    path = tmp_path / ("a" * 4000 + ".db")
    with pytest.raises(DatabaseUnavailable, match="too long for this computer") as caught:
        open_database(f"sqlite:///{path.as_posix()}")
    assert len(caught.value.message) < 300


def test_a_question_mark_in_a_file_name_names_that_file(tmp_path: Path) -> None:
    path = tmp_path / "kit?share%.db"
    db = open_database(sqlite_url(path))
    db.dispose()
    assert path.is_file()
    assert not (tmp_path / "kit").exists()


def test_an_unreadable_write_ahead_log_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "kitshare.db"
    open_database(f"sqlite:///{path.as_posix()}").dispose()
    # A folder where SQLite's log should be: no account can read it as a file.
    (tmp_path / "kitshare.db-wal").mkdir()
    with pytest.raises(DatabaseUnavailable, match="its -wal and -shm files"):
        open_database(f"sqlite:///{path.as_posix()}")


FILL_THE_DISK = """
import resource, signal, sys
from sqlalchemy import text
from app.storage.database import open_database
from app.core.errors import KitShareError
db = open_database(sys.argv[1])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
# The disk is "full" a little beyond what the file holds now.
resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
try:
    with db.write() as session:
        session.execute(
            text("INSERT INTO categories (name, tracks_fuel, tracks_hours, tracks_battery,"
                 " tracks_mileage) VALUES (:name, 0, 0, 0, 0)"),
            {"name": "x" * (4 << 20)},
        )
except KitShareError as error:
    print(error.message)
    raise SystemExit(1) from None
"""


def test_a_full_disk_is_said_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "kitshare.db"
    url = f"sqlite:///{path.as_posix()}"
    open_database(url).dispose()
    result = subprocess.run(
        [sys.executable, "-c", FILL_THE_DISK, url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "is full or failing" in result.stdout
    db = open_database(url)
    try:
        with db.read() as session:
            assert session.execute(text("SELECT count(*) FROM categories")).scalar() == 0
    finally:
        db.dispose()


# -- Two windows, and the file deleted or replaced under them ------------------------------


def add_category(db: Database, name: str) -> None:
    with db.write() as session:
        session.execute(
            text(
                "INSERT INTO categories (name, tracks_fuel, tracks_hours, tracks_battery,"
                " tracks_mileage) VALUES (:name, 0, 0, 0, 0)"
            ),
            {"name": name},
        )


def categories_in(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM categories")]


def test_a_database_deleted_under_two_windows_is_said_not_written_into_the_void(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kitshare.db"
    url = f"sqlite:///{path.as_posix()}"
    first, second = open_database(url), open_database(url)
    try:
        add_category(first, "Drones")
        with second.read() as session:
            session.execute(text("SELECT 1"))
        path.unlink()
        for window in (first, second):
            with pytest.raises(DatabaseUnavailable, match="is not there any more"):
                add_category(window, "Lighting")
        # Nor is a new, empty database made in its place.
        assert not path.exists()
    finally:
        first.dispose()
        second.dispose()


def test_a_database_replaced_under_a_window_is_the_one_written(tmp_path: Path) -> None:
    path = tmp_path / "kitshare.db"
    url = f"sqlite:///{path.as_posix()}"
    db = open_database(url)
    try:
        add_category(db, "Drones")
        # As a restore over a damaged file does: a standalone copy renamed into place.
        copy = tmp_path / "restored.db"
        with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(copy)) as target:
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        os.replace(copy, path)
        add_category(db, "Lighting")
        assert sorted(categories_in(path)) == ["Drones", "Lighting"]
    finally:
        db.dispose()


# -- PostgreSQL: a wrong database, a role without rights ----------------------------------


@pytest.mark.postgres
def test_a_role_without_rights_is_told_what_to_ask_for(pg_url: str) -> None:
    role = f"kitshare_reader_{os.getpid()}"
    admin = psycopg.connect(libpq(pg_url), autocommit=True)
    try:
        admin.execute(f"CREATE ROLE {role} LOGIN")
        admin.execute(f"REVOKE CREATE ON SCHEMA public FROM {role}")
        with pytest.raises(DatabaseReadOnly, match=f"“{role}” is not allowed to change"):
            open_database(make_url(pg_url).set(username=role).render_as_string(False))
    finally:
        admin.execute(f"DROP OWNED BY {role}")
        admin.execute(f"DROP ROLE {role}")
        admin.close()


@pytest.mark.postgres
def test_a_user_that_does_not_exist_is_named(pg_url: str) -> None:
    url = make_url(pg_url).set(username="nobody_called_this").render_as_string(False)
    with pytest.raises(DatabaseUnavailable, match="no user called “nobody_called_this”"):
        open_database(url)


NEW_ON_A_FULL_DISK = """
import resource, signal, sys
from app.storage.database import open_database
from app.core.errors import KitShareError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
try:
    open_database(sys.argv[1])
except KitShareError as error:
    print(error.message)
    raise SystemExit(1) from None
"""


def test_a_new_database_on_a_full_disk_is_said_and_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "kitshare.db"
    result = subprocess.run(
        [sys.executable, "-c", NEW_ON_A_FULL_DISK, f"sqlite:///{path.as_posix()}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "check that you may write in its folder and that the disk has room" in result.stdout
    assert list(tmp_path.iterdir()) == []
