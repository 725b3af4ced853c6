"""Opening the database: engine set-up, SQLite pragmas, error translation, migrations.

Everything that touches a database URL goes through ``open_database``, so the app and
``kitshare-admin`` meet the same checks and the same messages.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from app.config import describe_location
from app.errors import (
    AuditTamper,
    DatabaseCorrupt,
    DatabaseLocked,
    DatabaseReadOnly,
    DatabaseUnavailable,
    EnvironmentFault,
)
from models import Base

# How long a SQLite writer waits for another station's transaction before giving up.
DEFAULT_BUSY_TIMEOUT_MS = 5000
POSTGRES_CONNECT_TIMEOUT_S = 5


@dataclass(frozen=True)
class Database:
    """An open database: the engine plus sessions for reading and for writing."""

    url: str
    engine: Engine
    _reader: sessionmaker[Session]
    _writer: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def location(self) -> str:
        return describe_location(self.url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; anything it changes is rolled back."""
        with translate_errors(self.url), self._reader() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One unit of work: committed if the block succeeds, rolled back if not.

        On SQLite the transaction starts with ``BEGIN IMMEDIATE``: it takes the write
        lock up front, so two writers queue on the busy timeout instead of one failing
        half-way through when it first writes.
        """
        with translate_errors(self.url), self._writer() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def create_database_engine(
    url: str,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    foreign_keys: bool = True,
    poolclass: Any = None,
) -> Engine:
    """An engine for ``url`` with Kit Share's connection settings."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if poolclass is not None:
        kwargs["poolclass"] = poolclass
    if parsed.get_backend_name() == "postgresql":
        return create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S},
            **kwargs,
        )

    engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Take transaction control from the sqlite3 module so we can say BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
            if parsed.database not in (None, "", ":memory:"):
                # WAL lets the window keep reading while another station writes.
                cursor.execute("PRAGMA journal_mode = WAL")
            # FULL: a loan logged is on disk before the dialog says so, even in a power cut.
            cursor.execute("PRAGMA synchronous = FULL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get("kitshare_immediate"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


def open_database(
    url: str,
    *,
    migrate: bool = True,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
) -> Database:
    """Check, open and (by default) upgrade the database at ``url``.

    Raises an ``EnvironmentFault`` with one sentence for the person when the database
    cannot be used; nothing in it is changed in that case.
    """
    from app import schema as runner

    check_sqlite_file(url)
    engine = create_database_engine(url, busy_timeout_ms=busy_timeout_ms)
    try:
        with translate_errors(url):
            runner.check_not_newer(engine)
            if migrate:
                runner.upgrade_to_head(url, busy_timeout_ms=busy_timeout_ms)
        # Pooled connections opened before the upgrade may hold SQLite's old picture of
        # the schema (its schema pragmas do not re-read it); start afresh.
        engine.dispose()
    except BaseException:
        engine.dispose()
        raise
    writer_engine = engine.execution_options(kitshare_immediate=True)
    return Database(
        url=url,
        engine=engine,
        _reader=sessionmaker(engine, expire_on_commit=False),
        _writer=sessionmaker(writer_engine, expire_on_commit=False),
    )


def check_sqlite_file(url: str) -> None:
    """Refuse a SQLite path that cannot work, before SQLite makes a confusing error of it."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    path = Path(str(parsed.database))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise DatabaseUnavailable(
            f"The folder {folder} does not exist. Create it, or choose a database file "
            "in a folder that exists."
        )
    if path.exists():
        if path.is_dir():
            raise DatabaseUnavailable(
                f"{path} is a folder, not a database file. Give the path of a .db file."
            )
        if not os.access(path, os.R_OK):
            raise DatabaseReadOnly(
                f"You are not allowed to read the database file {path}. "
                "Ask your IT team for access to it."
            )
        if not _writable(path):
            raise DatabaseReadOnly(
                f"The database file {path} is read-only. Kit Share must be able to write it "
                "to log loans: ask for write access, or copy it to a folder you can write."
            )
        check_sqlite_header(path)
    # SQLite writes its journal next to the file, so the folder must be writable too.
    if not _writable(folder):
        raise DatabaseReadOnly(
            f"The folder {folder} is read-only, so Kit Share cannot keep its database "
            "there. Ask for write access, or choose a database file in another folder."
        )


def _writable(path: Path) -> bool:
    """Writable for us, and not marked read-only.

    The mode bits count even for an administrator (whom ``os.access`` always lets
    write): someone marked the file read-only on purpose, and we respect that.
    """
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & stat.S_IWUSR)


SQLITE_HEADER = b"SQLite format 3\x00"


def check_sqlite_header(path: Path) -> None:
    """Refuse a non-empty file that does not start like a SQLite database."""
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header and header != SQLITE_HEADER:
        raise DatabaseCorrupt(
            f"{path} is not a Kit Share database, or it is damaged. Restore it from a "
            "backup, or choose another file."
        )


@contextmanager
def translate_errors(url: str) -> Iterator[None]:
    """Turn the database driver's environment errors into an ``EnvironmentFault``, and
    the audit trail's refusal to be rewritten (migration 0005) into ``AuditTamper``."""
    try:
        yield
    except (OperationalError, DBAPIError) as exc:
        if "audit_events is append-only" in str(getattr(exc, "orig", exc)):
            raise AuditTamper() from exc
        fault = describe_fault(exc, url)
        if fault is None:
            raise
        raise fault from exc


def describe_fault(exc: SQLAlchemyError, url: str) -> EnvironmentFault | None:
    """The fault, in words for a person, behind a driver error; None if it is a bug."""
    parsed = make_url(url)
    detail = str(getattr(exc, "orig", exc)).strip()
    lowered = detail.lower()
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if "database is locked" in lowered or "database table is locked" in lowered:
            return DatabaseLocked(
                f"The database {path} is busy: another Kit Share window or program kept it "
                "locked. Wait a moment and try again; if it persists, close the other copies."
            )
        if "readonly" in lowered or "read-only" in lowered:
            return DatabaseReadOnly(
                f"The database file {path} cannot be written. Ask for write access to the "
                "file and its folder."
            )
        if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
            return DatabaseCorrupt(
                f"{path} is damaged or is not a Kit Share database. Restore it from a backup."
            )
        if "unable to open" in lowered:
            return DatabaseUnavailable(
                f"Kit Share cannot open the database file {path}. Check that its folder "
                "exists and that you may write there."
            )
        if "disk i/o" in lowered or "database or disk is full" in lowered:
            return DatabaseUnavailable(
                f"The disk holding {path} is full or failing. Free some space or move the "
                "database, then try again; nothing saved so far is lost."
            )
        return None
    host = parsed.host or "localhost"
    where = f"{host}:{parsed.port or 5432}"
    if "password authentication failed" in lowered or "authentication failed" in lowered:
        return DatabaseUnavailable(
            f"The PostgreSQL server at {where} refused the user name or password for "
            f"“{parsed.username}”. Check the database URL."
        )
    if "does not exist" in lowered and "database" in lowered:
        return DatabaseUnavailable(
            f"The PostgreSQL server at {where} has no database called “{parsed.database}”. "
            "Ask the server's administrator to create it, or check the database URL."
        )
    if any(
        phrase in lowered
        for phrase in (
            "connection refused",
            "could not connect",
            "connection failed",
            "timeout expired",
            "could not translate host name",
            "name or service not known",
            "server closed the connection",
            "terminating connection",
            "no route to host",
            "network is unreachable",
        )
    ):
        return DatabaseUnavailable(
            f"Cannot reach the PostgreSQL server at {where}. Check that it is running and "
            "that this PC is on its network, or use a local SQLite file."
        )
    if "read-only" in lowered or "permission denied" in lowered:
        return DatabaseReadOnly(
            f"The PostgreSQL user “{parsed.username}” is not allowed to change the database "
            f"“{parsed.database}”. Ask the server's administrator for the rights Kit Share needs."
        )
    return None


def table_counts(db: Database) -> dict[str, int]:
    """Rows per table, for ``kitshare-admin info``."""
    counts: dict[str, int] = {}
    with db.read() as session:
        for name, table in sorted(Base.metadata.tables.items()):
            counts[name] = session.scalar(select(func.count()).select_from(table)) or 0
    return counts


def sqlite_single_connection_engine(url: str, busy_timeout_ms: int) -> Engine:
    """A throwaway engine for migrations on SQLite, with foreign keys off.

    Batch migrations rebuild tables by copy-and-drop; with foreign keys on, dropping
    the old table would cascade or be refused. Alembic's documentation recommends
    switching them off for the migration and checking them afterwards.
    """
    return create_database_engine(
        url, busy_timeout_ms=busy_timeout_ms, foreign_keys=False, poolclass=NullPool
    )
