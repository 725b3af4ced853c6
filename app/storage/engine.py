"""Making an engine with Kit Share's connection settings: SQLite's pragmas and
``BEGIN IMMEDIATE``, PostgreSQL's time-outs, and a SQLite file that must stay the file
it was; also how a database file is named in a message.

Both ``app.storage.database`` (opening) and ``app.storage.schema`` (migrating) make
their engines here.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.request import pathname2url

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import NullPool, PoolProxiedConnection

from app.core.errors import DatabaseUnavailable

# How long a SQLite writer waits for another station's transaction before giving up.
DEFAULT_BUSY_TIMEOUT_MS = 5000
# How long a window waits for a PostgreSQL server that does not answer (one that accepts
# the connection and then says nothing included) before it says it cannot reach it.
POSTGRES_CONNECT_TIMEOUT_S = 5
# Paths longer than this are shortened in messages, keeping both ends.
LONGEST_PATH_SHOWN = 160
_FILE_IDENTITY = "kitshare_file_identity"


def create_database_engine(
    url: str,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    foreign_keys: bool = True,
    poolclass: Any = None,
    file_must_exist: bool = False,
) -> Engine:
    """An engine for ``url`` with Kit Share's connection settings.

    With ``file_must_exist``, a SQLite connection never creates the file: a database
    deleted or moved while Kit Share has it open is said to be gone, instead of being
    replaced, unseen, by a new empty one.
    """
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
    path = parsed.database if parsed.database not in (None, "", ":memory:") else None

    if path is not None:
        _stay_with_the_file(engine, path, file_must_exist=file_must_exist)

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


def _stay_with_the_file(engine: Engine, path: str, *, file_must_exist: bool) -> None:
    """Refuse to go on with a SQLite file that was deleted or replaced under the engine;
    with ``file_must_exist``, never create the file either."""
    # POSIX only: Windows refuses to delete a file in use anyway, and a URI would not
    # name a database on a network share (\\server\share\…) without a custom SQLite.
    if file_must_exist and os.name == "posix":

        @event.listens_for(engine, "do_connect")
        def _on_do_connect(
            _dialect: object, _record: object, cargs: list[Any], cparams: dict[str, Any]
        ) -> None:
            # mode=rw: open the file that is there, never make a new one.
            cargs[0] = f"file:{pathname2url(os.path.abspath(str(cargs[0])))}?mode=rw"
            cparams["uri"] = True

    @event.listens_for(engine, "connect")
    def _on_connect_identify(_dbapi: object, record: Any) -> None:
        record.info[_FILE_IDENTITY] = file_identity(Path(path))

    @event.listens_for(engine, "checkout")
    def _on_checkout(_dbapi: object, record: Any, _proxy: PoolProxiedConnection) -> None:
        # A pooled connection holds the file it opened, even after that file was
        # deleted or replaced: what it wrote would then be lost without a word.
        now = file_identity(Path(path))
        if now is None:
            raise DatabaseUnavailable(gone_message(str(path)))
        if now != record.info.get(_FILE_IDENTITY):
            raise DisconnectionError("the database file was replaced")


def shown_path(path: Path | str) -> str:
    """``path`` for a message: a very long one keeps its start and its file name."""
    text = str(path)
    if len(text) <= LONGEST_PATH_SHOWN:
        return text
    return f"{text[:60]}…{text[-(LONGEST_PATH_SHOWN - 61) :]}"


def file_identity(path: Path) -> tuple[int, int] | None:
    """Which file is at ``path`` now (device and inode), or None if none is."""
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_dev, status.st_ino)


def gone_message(path: str) -> str:
    return (
        f"The database file {shown_path(path)} is not there any more (deleted, moved, or its "
        "drive disconnected), so nothing more can be saved to it: put it back, or restore a "
        "backup there, then try again."
    )


def sqlite_single_connection_engine(url: str, busy_timeout_ms: int) -> Engine:
    """A throwaway engine for migrations on SQLite, with foreign keys off.

    Batch migrations rebuild tables by copy-and-drop; with foreign keys on, dropping
    the old table would cascade or be refused. Alembic's documentation recommends
    switching them off for the migration and checking them afterwards.
    """
    return create_database_engine(
        url, busy_timeout_ms=busy_timeout_ms, foreign_keys=False, poolclass=NullPool
    )
