"""Hearing what other stations changed: the database says, the window reads again.

On PostgreSQL every data table has statement triggers (migration 0008) that send
``NOTIFY kitshare_changes, 'table:id,id,…'`` in the same transaction as the change, so a
listener hears of it the moment it is committed, and never of a change rolled back. On
SQLite there is no server to send anything; ``PRAGMA data_version`` changes whenever
another connection commits to the file, and reading it costs microseconds, so it is
polled a few times a second.

A ``ChangeFeed`` is used from one thread (the window's listener), never the GUI's: its
``wait`` blocks. It raises ``DatabaseUnavailable`` when the connection is lost; the
caller opens a new one when it likes (``open_feed``) and reads everything again, as it
cannot know what it missed.
"""

from __future__ import annotations

import contextlib
import select
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import make_url

from app.core.errors import DatabaseUnavailable
from app.storage.database import Database
from app.storage.engine import create_database_engine

CHANNEL = "kitshare_changes"
# How often a SQLite window asks whether another one has committed.
SQLITE_POLL_S = 0.25
# A listener on a link that dies without a word (a cable pulled, a router down) learns
# of it from TCP within about 10 seconds, instead of waiting for the next notice.
KEEPALIVE = {"keepalives": 1, "keepalives_idle": 4, "keepalives_interval": 2, "keepalives_count": 3}
# The tables whose changes every view can ignore: the audit trail grows with each change.
QUIET_TABLES = frozenset({"audit_events"})


@dataclass(frozen=True)
class Changes:
    """What changed: table names, with the ids changed where the database said.

    ``everything`` means the feed cannot say (SQLite, or a connection just made again):
    read everything shown again.
    """

    tables: frozenset[str] = frozenset()
    ids: dict[str, frozenset[int]] = field(default_factory=dict)
    everything: bool = False

    def touches(self, *tables: str) -> bool:
        return self.everything or bool(self.tables & set(tables))

    def merged(self, other: Changes) -> Changes:
        ids = dict(self.ids)
        for table, found in other.ids.items():
            ids[table] = ids.get(table, frozenset()) | found
        return Changes(
            self.tables | other.tables, ids, everything=self.everything or other.everything
        )


EVERYTHING = Changes(everything=True)


def parse_notice(payload: str) -> Changes:
    """``'loans:12,13'`` → loans 12 and 13; ``'loans:'``: some loans, too many to list."""
    table, _, listed = payload.partition(":")
    ids = frozenset(int(part) for part in listed.split(",") if part.strip().isdigit())
    return Changes(frozenset({table}), {table: ids} if ids else {})


class ChangeFeed(Protocol):
    def wait(self, timeout_s: float) -> Changes | None:
        """The changes committed by others since the last call, waiting up to
        ``timeout_s`` for some; None if none came."""

    def close(self) -> None: ...


def _lost(db: Database, error: Exception) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"Kit Share lost its connection to the database at {db.location} ({error}). It "
        "keeps trying; check the network or the server if this lasts."
    )


class SqliteFeed:
    """Polls ``PRAGMA data_version`` on a connection of its own."""

    def __init__(self, db: Database, path: str) -> None:
        self._db = db
        self._stop = threading.Event()
        try:
            # Read-only, by URI: a file gone away is never made again, empty, by listening.
            self._connection = sqlite3.connect(
                f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
            self._version = self._read()
        except sqlite3.Error as error:
            raise _lost(db, error) from None

    def _read(self) -> int:
        row = self._connection.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def wait(self, timeout_s: float) -> Changes | None:
        waited = 0.0
        while waited < timeout_s and not self._stop.is_set():
            step = min(SQLITE_POLL_S, timeout_s - waited)
            self._stop.wait(step)
            waited += step
            try:
                version = self._read()
            except sqlite3.Error as error:
                raise _lost(self._db, error) from None
            if version != self._version:
                self._version = version
                return EVERYTHING
        return None

    def close(self) -> None:
        self._stop.set()
        self._connection.close()


class PostgresFeed:
    """LISTENs on a connection of its own, outside any transaction."""

    def __init__(self, db: Database) -> None:
        import psycopg

        self._db = db
        self._error = psycopg.Error
        # The server's, also while the station works from its copy; one that started
        # offline has never connected, and describes the server by its URL alone.
        engine = db.server_engine or create_database_engine(db.url)
        cargs, cparams = engine.dialect.create_connect_args(engine.url)
        if engine is not db.server_engine:
            engine.dispose()
        try:
            self._connection = psycopg.connect(*cargs, **{**cparams, **KEEPALIVE}, autocommit=True)
        except psycopg.Error as error:
            raise _lost(db, error) from None
        try:
            self._connection.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as error:
            self._connection.close()
            raise _lost(db, error) from None

    def wait(self, timeout_s: float) -> Changes | None:
        found: Changes | None = None
        try:
            if self._connection.closed:
                raise _lost(self._db, ConnectionError("the connection closed"))
            # Sleep on the socket itself: an idle window wakes only when the server
            # sends something (psycopg's own wait wakes every tenth of a second).
            ready, _, _ = select.select([self._connection.fileno()], [], [], timeout_s)
            if ready:
                for notice in self._connection.notifies(timeout=0):
                    found = parse_notice(notice.payload).merged(found or Changes())
        except self._error as error:
            raise _lost(self._db, error) from None
        return found

    def close(self) -> None:
        with contextlib.suppress(self._error):  # closing a connection already lost
            self._connection.close()


def open_feed(db: Database) -> ChangeFeed:
    """A feed of the changes others commit to ``db``; raises ``DatabaseUnavailable``."""
    url = make_url(db.url)
    if url.get_backend_name() == "sqlite":
        return SqliteFeed(db, str(url.database))
    return PostgresFeed(db)
