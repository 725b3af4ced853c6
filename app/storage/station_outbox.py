"""The station's outbox: a small SQLite file of its own, beside the station copy, that
holds what a station logged while it could not reach the server, until it is sent.

Why a file of its own, and not a table in the copy: the copy is replaced whole at each
refresh, and an entry must outlive any number of refreshes, restarts and crashes until
the server has it. Each entry is committed (``synchronous = FULL``) before anything is
shown as logged, so a PC killed a moment later still has it.

The file also keeps, for a server that checks each person's rights (whose copy holds no
password hashes), a verifier of the password of each person who signed in at this
station while it was online: an argon2 hash made here from what they typed, so that
they can sign in here again offline. Nobody else's password, and no password, is kept.

What the entries mean, and how they are sent, is ``app.loans.outbox``'s business; this
module only stores them.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.core.errors import DatabaseCorrupt, EnvironmentFault
from app.storage.config import PRIVATE_FILE_MODE, data_folder, make_private_folder
from app.storage.engine import shown_path

OUTBOX_FILE_NAME = "station-outbox.db"
ENV_STATION_FOLDER = "KITSHARE_STATION_FOLDER"

WAITING = "waiting"  # logged here, not yet taken by the server
SENT = "sent"  # the server has it
REFUSED = "refused"  # the server's rules refused it; a person resolves it
CANCELLED = "cancelled"  # given up, with a reason
OPEN_STATES = (WAITING, REFUSED)

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        actor TEXT NOT NULL,
        summary TEXT NOT NULL,
        lender_agency_id INTEGER,
        logged_by TEXT NOT NULL,
        logged_at TEXT NOT NULL,
        state TEXT NOT NULL,
        loan_id INTEGER,
        refusal TEXT,
        resolution TEXT,
        sent_at TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS offline_sign_ins (
        username TEXT PRIMARY KEY,
        verifier TEXT NOT NULL,
        saved_at TEXT NOT NULL
    )""",
)


class OutboxUnusable(EnvironmentFault):
    """The outbox file cannot be opened or written."""


@dataclass(frozen=True)
class OutboxRow:
    """One entry as stored: its payload and actor as the JSON ``app.loans.outbox`` wrote."""

    seq: int
    id: str
    kind: str
    payload: str
    actor: str
    summary: str
    lender_agency_id: int | None
    logged_by: str
    logged_at: datetime
    state: str
    loan_id: int | None
    refusal: str | None
    resolution: str | None
    sent_at: datetime | None


def station_folder() -> Path:
    """Where a station keeps its copy and its outbox: the data folder, unless
    ``KITSHARE_STATION_FOLDER`` names another (a drive that survives a re-imaged PC)."""
    given = os.environ.get(ENV_STATION_FOLDER, "").strip()
    return Path(given) if given else data_folder()


def default_outbox() -> Outbox:
    """This station's outbox, in the station folder."""
    return Outbox(station_folder() / OUTBOX_FILE_NAME)


class Outbox:
    """The outbox file at ``path``; every call opens, does its one thing and closes, so
    a window and a ``kitshare-admin`` on the same PC can share it."""

    def __init__(self, path: Path) -> None:
        self.path = path.absolute()

    @contextmanager
    def _connected(self, *, create: bool = True) -> Iterator[sqlite3.Connection]:
        if not create and not self.path.exists():
            raise FileNotFoundError(self.path)
        try:
            if create and not self.path.exists():
                make_private_folder(self.path.parent)
                descriptor = os.open(self.path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE_MODE)
                os.close(descriptor)
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise self._unusable(error) from error
        with closing(connection):
            try:
                connection.execute("PRAGMA synchronous = FULL")
                connection.execute("PRAGMA journal_mode = DELETE")
                for statement in _SCHEMA:
                    connection.execute(statement)
                yield connection
            except sqlite3.DatabaseError as error:
                raise self._unusable(error) from error

    def _unusable(self, error: Exception) -> OutboxUnusable:
        if isinstance(error, sqlite3.DatabaseError) and "not a database" in str(error):
            return OutboxCorrupt(
                f"The station's outbox {shown_path(self.path)} is damaged ({error}). Keep the "
                "file for your administrator; nothing logged offline can be read from it."
            )
        reason = error.strerror if isinstance(error, OSError) else str(error)
        return OutboxUnusable(
            f"The station's outbox {shown_path(self.path)} cannot be used ({reason}): check "
            "that the folder can be written and has room."
        )

    # -- entries -----------------------------------------------------------------------

    def add(self, row: OutboxRow) -> None:
        """Keep a new entry, flushed to disk before this returns."""
        with self._connected() as connection:
            connection.execute(
                "INSERT INTO outbox (id, kind, payload, actor, summary, lender_agency_id, "
                "logged_by, logged_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row.id,
                    row.kind,
                    row.payload,
                    row.actor,
                    row.summary,
                    row.lender_agency_id,
                    row.logged_by,
                    _iso(row.logged_at),
                    WAITING,
                ),
            )

    def remove(self, entry_id: str) -> None:
        """Forget an entry that never became one (the copy's own rules refused it)."""
        with self._connected() as connection:
            connection.execute("DELETE FROM outbox WHERE id = ? AND state = ?", (entry_id, WAITING))

    def rows(self, states: tuple[str, ...] | None = None) -> list[OutboxRow]:
        """The entries in the order they were logged (all, or those in ``states``)."""
        try:
            with self._connected(create=False) as connection:
                query = "SELECT * FROM outbox"
                if states:
                    query += f" WHERE state IN ({', '.join('?' for _ in states)})"
                found = connection.execute(query + " ORDER BY seq", states or ()).fetchall()
        except FileNotFoundError:
            return []
        return [_row(values) for values in found]

    def entry(self, entry_id: str) -> OutboxRow | None:
        return next((row for row in self.rows() if row.id == entry_id), None)

    def count_open(self) -> int:
        return len(self.rows(OPEN_STATES))

    def mark_sent(self, entry_id: str, loan_id: int | None, at: datetime) -> None:
        self._set(entry_id, state=SENT, loan_id=loan_id, sent_at=_iso(at), refusal=None)

    def mark_refused(self, entry_id: str, refusal: str) -> None:
        self._set(entry_id, state=REFUSED, refusal=refusal)

    def mark_cancelled(self, entry_id: str, resolution: str) -> None:
        self._set(entry_id, state=CANCELLED, resolution=resolution)

    def replace_payload(self, entry_id: str, payload: str, summary: str) -> None:
        """An entry edited after a refusal: it waits to be sent again."""
        self._set(entry_id, payload=payload, summary=summary, state=WAITING, refusal=None)

    def _set(self, entry_id: str, **values: object) -> None:
        columns = ", ".join(f"{name} = ?" for name in values)
        with self._connected() as connection:
            connection.execute(
                f"UPDATE outbox SET {columns} WHERE id = ?", (*values.values(), entry_id)
            )

    # -- offline sign-in ---------------------------------------------------------------

    def save_verifier(self, username: str, verifier: str, at: datetime) -> None:
        with self._connected() as connection:
            connection.execute(
                "INSERT INTO offline_sign_ins (username, verifier, saved_at) VALUES (?, ?, ?) "
                "ON CONFLICT (username) DO UPDATE SET verifier = excluded.verifier, "
                "saved_at = excluded.saved_at",
                (username.lower(), verifier, _iso(at)),
            )

    def verifier(self, username: str) -> str | None:
        with suppress(FileNotFoundError), self._connected(create=False) as connection:
            found = connection.execute(
                "SELECT verifier FROM offline_sign_ins WHERE username = ?", (username.lower(),)
            ).fetchone()
            return str(found[0]) if found else None
        return None


class OutboxCorrupt(OutboxUnusable, DatabaseCorrupt):
    """The outbox file is not a SQLite database any more."""


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(UTC) if text else None


def _row(values: tuple[object, ...]) -> OutboxRow:
    (seq, id_, kind, payload, actor, summary, lender, by, at, state, loan, refusal, res, sent) = (
        values
    )
    logged_at = _moment(str(at))
    assert logged_at is not None
    return OutboxRow(
        seq=int(str(seq)),
        id=str(id_),
        kind=str(kind),
        payload=str(payload),
        actor=str(actor),
        summary=str(summary),
        lender_agency_id=int(str(lender)) if lender is not None else None,
        logged_by=str(by),
        logged_at=logged_at,
        state=str(state),
        loan_id=int(str(loan)) if loan is not None else None,
        refusal=str(refusal) if refusal is not None else None,
        resolution=str(res) if res is not None else None,
        sent_at=_moment(str(sent) if sent is not None else None),
    )
