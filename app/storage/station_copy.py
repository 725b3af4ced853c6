"""The station copy: a SQLite file a station keeps of the shared database, so that it
can go on finding kit when the server cannot be reached.

How it is made, and why:

* **Same schema, same code paths.** The copy is a new SQLite file built by the
  project's own migrations (``open_database``), so the window and the services read
  it as they read any station's file. Its search index fills itself: the FTS5 triggers
  of migrations 0002/0003 index each item as its row goes in.
* **Generic and complete.** Every table ``models`` declares is copied, in foreign-key
  order, in batches of ``BATCH_ROWS``, from one consistent snapshot of the source
  (one ``REPEATABLE READ`` transaction on PostgreSQL, one read transaction on SQLite):
  a loan never arrives without its lines.
* **The audit trail stays on the server**, except the events the reports read
  (``AUDIT_ACTIONS_KEPT``: when kit was retired). A duty officer at 3 a.m. needs the
  catalogue, not the history of every change; the trail can be large, and on a server
  that checks each person's rights most people may not read its details anyway.
* **What the person may not read is left out, and said.** On such a server nobody reads
  password hashes (the server keeps the passwords), and a duty officer reads only a
  summary of the audit trail. Those columns are copied empty (NULL, or "" where the
  schema wants a value) and named in the copy's record; ``CopyInfo.notes`` says what it
  means (nobody can sign in from a copy without hashes).
* **The record lives in the copy**, in a small table ``station_copy`` (key, value) that
  ``models`` does not declare and the migrations never touch: one file, replaced in one
  step, so the record can never describe another copy than the rows beside it.
* **Atomic.** The copy is written to a temporary file in the same folder (0600, no
  write-ahead log), checked, flushed to disk and moved over the previous copy with
  ``os.replace``; any failure on the way removes the temporary file and leaves the
  previous copy as it was.

The copy is meant to be *read*. Open it read-only (``copy_info`` does); a program that
opens it with ``open_database`` turns on WAL, and should close it before a refresh
replaces the file.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, closing, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Table,
    create_engine,
    event,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.elements import ColumnElement

from app.core.clock import format_datetime, now_utc
from app.core.errors import DatabaseCorrupt, EnvironmentFault, KitShareError
from app.core.text import counted
from app.storage.backup import format_size
from app.storage.config import make_private_folder, sqlite_url
from app.storage.database import SQLITE_HEADER, Database, open_database
from app.storage.engine import shown_path
from app.storage.station_outbox import WAITING, default_outbox, station_folder
from models import Base

COPY_FILE_NAME = "station-copy.db"
RECORD_TABLE = "station_copy"
# The copy's record says which layout it has; a later Kit Share may read an older one.
FORMAT = 1
# Rows read from the source and written to the copy at a time.
BATCH_ROWS = 2_000
# The audit events the reports read: when a piece of kit was retired.
AUDIT_ACTIONS_KEPT = ("item.retired",)
PASSWORD_COLUMN = "app_users.password_hash"
REFRESH_HINT = "run `kitshare-admin station refresh` while the server can be reached"
PARTIAL_SUFFIX = ".refreshing"

# Rows of a table that the copy keeps, when not all of them.
_ROWS_KEPT: dict[str, Callable[[Table], ColumnElement[bool]]] = {
    "audit_events": lambda table: table.c.action.in_(AUDIT_ACTIONS_KEPT),
}


class CopyDamaged(DatabaseCorrupt):
    """The station copy's file is there but cannot be read as a station copy."""


class CopyNotRefreshed(EnvironmentFault):
    """Refreshing the station copy failed; the previous copy, if any, is as it was."""


@dataclass(frozen=True)
class CopyInfo:
    """What a station copy is: when it was taken, from where, and what it holds."""

    path: Path
    taken_at: datetime  # UTC
    source: str  # "PostgreSQL kitshare on db-server:5432": never a password
    signed_in_as: str | None  # the login that read it, on a server
    schema_revision: str
    rows: dict[str, int]
    size: int
    withheld: tuple[str, ...] = ()  # "app_users.password_hash": columns copied empty
    seconds: float | None = None  # how long the refresh took
    audit_actions: tuple[str, ...] = field(default=AUDIT_ACTIONS_KEPT)
    secured: bool = False  # taken from a server that checks each person's rights

    @property
    def accounts_can_sign_in(self) -> bool:
        """Whether the copy holds the accounts' password hashes."""
        return PASSWORD_COLUMN not in self.withheld and self.rows.get("app_users", 0) > 0

    def age(self, now: datetime | None = None) -> timedelta:
        return max(timedelta(0), (now or now_utc()) - self.taken_at)

    def age_words(self, now: datetime | None = None) -> str:
        """ "less than a minute ago", "12 minutes ago", "3 hours 5 minutes ago"."""
        return age_in_words(self.age(now))

    @property
    def size_text(self) -> str:
        return format_size(self.size)

    def summary(self, now: datetime | None = None) -> str:
        """One sentence: when, from where, what it holds."""
        return (
            f"The station copy was taken {format_datetime(self.taken_at)} "
            f"({self.age_words(now)}) from {self.source}: "
            f"{counted(self.rows.get('equipment_items', 0), 'item')}, "
            f"{counted(self.rows.get('loans', 0), 'loan')} and "
            f"{counted(self.rows.get('people', 0), 'person', 'people')} ({self.size_text})."
        )

    def notes(self) -> list[str]:
        """A sentence for each thing the copy lacks that a person would miss."""
        said: list[str] = []
        if PASSWORD_COLUMN in self.withheld:
            said.append(
                "The copy holds the accounts without their passwords (the server keeps "
                "them), so nobody can sign in from it."
            )
        others = [name for name in self.withheld if name != PASSWORD_COLUMN]
        if others:
            said.append(
                f"{self.signed_in_as or 'The login that took it'} may not read "
                f"{', '.join(others)}, so the copy holds them empty."
            )
        return said


def age_in_words(age: timedelta) -> str:
    """How long ago, as people say it, to the minute."""
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute ago"
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        parts = [counted(days, "day")] + ([counted(hours, "hour")] if hours else [])
    elif hours:
        parts = [counted(hours, "hour")] + ([counted(minutes, "minute")] if minutes else [])
    else:
        parts = [counted(minutes, "minute")]
    return " ".join(parts) + " ago"


def default_copy_path() -> Path:
    """Where a station keeps its copy: in the data folder, beside the default database,
    unless ``KITSHARE_STATION_FOLDER`` names another folder."""
    return station_folder() / COPY_FILE_NAME


# -- taking the copy -------------------------------------------------------------------------


def refresh_copy(
    db: Database,
    path: Path,
    *,
    now: datetime | None = None,
    replacing: Callable[[], AbstractContextManager[None]] | None = None,
) -> CopyInfo:
    """Take the station copy of ``db`` again, into the SQLite file ``path``.

    Written whole or not at all: on any failure (the server going away, a full disk)
    the previous copy is left as it was and ``CopyNotRefreshed`` says why in words.
    """
    moment = now or now_utc()
    path = path.absolute()
    previous = "the previous copy is kept as it was" if path.exists() else "there is none yet"
    partial = path.with_name(f".{path.name}.{os.getpid()}{PARTIAL_SUFFIX}")
    started = time.perf_counter()
    try:
        make_private_folder(path.parent)
        remove_with_companions(partial)
        open_database(sqlite_url(partial)).dispose()
        withheld = fill_copy(db, partial)
        record = {
            "format": FORMAT,
            "taken_at": moment.astimezone(UTC).isoformat(),
            "source": db.location,
            "signed_in_as": db.engine.url.username if db.dialect != "sqlite" else None,
            "secured": db.secured,
            "withheld": withheld,
            "audit_actions": list(AUDIT_ACTIONS_KEPT),
            "seconds": round(time.perf_counter() - started, 3),
        }
        _seal(partial, record)
        # A window that went offline meanwhile reads the copy now, and a copy without
        # what was logged offline would hide it: ``replacing`` holds such a switch off
        # while the file is moved, and refuses if the station is offline by then.
        with replacing() if replacing is not None else nullcontext():
            refuse_while_entries_wait()
            os.replace(partial, path)
        _sync_folder(path.parent)
    except KitShareError as error:
        raise CopyNotRefreshed(
            f"{error.message.rstrip('.')}. The station copy was not refreshed; {previous}."
        ) from error
    except (OSError, sqlite3.Error) as error:
        reason = error.strerror if isinstance(error, OSError) else None
        raise CopyNotRefreshed(
            f"The station copy could not be written in {shown_path(path.parent)} "
            f"({reason or error}): check that the folder can be written and has room; "
            f"{previous}."
        ) from error
    finally:
        remove_with_companions(partial)
    info = copy_info(path)
    assert info is not None  # just written
    return info


def refuse_while_entries_wait() -> None:
    """The copy shows what this station logged offline until it is sent: a new copy
    taken before then would not, so none replaces it while entries wait."""
    if default_outbox().rows((WAITING,)):
        raise CopyNotRefreshed(
            "Entries this station logged offline still wait to be sent. Send them first "
            "(kitshare-admin station send, or sign in to the window), so that the new "
            "copy shows them."
        )


def fill_copy(db: Database, partial: Path) -> list[str]:
    """Copy every table of ``db`` into the migrated, empty file ``partial``, from one
    snapshot; the columns left empty because this login may not read them."""
    target = _bulk_engine(partial)
    withheld: list[str] = []
    try:
        with db.read() as session, target.begin() as out:
            if db.dialect == "postgresql":
                # One snapshot for every table, however long the copy takes.
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            readable = readable_columns(session, db.dialect)
            with indexes_filled_afterwards(out):
                for table in Base.metadata.sorted_tables:
                    shown = [
                        c
                        for c in table.columns
                        if readable is None or c.name in readable[table.name]
                    ]
                    withheld += [f"{table.name}.{c.name}" for c in table.columns if c not in shown]
                    if shown:
                        copy_table(session, out, table, shown)
    finally:
        target.dispose()
    return withheld


@contextmanager
def indexes_filled_afterwards(out: Connection) -> Iterator[None]:
    """Fill what the copy's ``AFTER INSERT`` triggers keep (the search index of
    migrations 0002/0003) once for all rows, instead of once per row.

    Each such trigger whose statements refer to the new row only by ``new.id`` is
    dropped for the load; its statements then run once with ``new.id`` read as each
    row's own ``id`` (``WHERE id = new.id`` becomes true of every row), and the trigger
    is made again from its own SQL text. So the copy indexes exactly as the migrations
    say, about three times faster at 20,000 items. Triggers that check rows stay as they are.
    """
    triggers = [
        (str(name), str(sql))
        for name, sql in out.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        )
        if _AFTER_INSERT.search(str(sql)) and not _OTHER_NEW.search(_NEW_ID.sub("", str(sql)))
    ]
    for name, _ in triggers:
        out.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _, sql in triggers:
        body = sql[sql.upper().index("BEGIN") + len("BEGIN") : sql.upper().rindex("END")]
        for statement in body.split(";"):
            if statement.strip():
                out.exec_driver_sql(_NEW_ID.sub("id", statement))
        out.exec_driver_sql(sql)


_AFTER_INSERT = re.compile(r"\bAFTER\s+INSERT\s+ON\b", re.IGNORECASE)
_NEW_ID = re.compile(r"\bnew\.id\b", re.IGNORECASE)
_OTHER_NEW = re.compile(r"\bnew\.", re.IGNORECASE)


def _bulk_engine(partial: Path) -> Engine:
    """An engine for filling the new file: no journal on disk and no flush per commit,
    as the file is thrown away on any failure and flushed once when whole. Foreign keys
    are checked once at the end, so a table that refers to itself loads in any order."""
    engine = create_engine(sqlite_url(partial), poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _on_connect(connection: sqlite3.Connection, _record: object) -> None:
        for pragma in ("journal_mode = MEMORY", "synchronous = OFF", "foreign_keys = OFF"):
            connection.execute(f"PRAGMA {pragma}")

    return engine


def readable_columns(session: Session, dialect: str) -> dict[str, set[str]] | None:
    """Each table's columns this login may read; None when it may read everything (a
    SQLite file is as open as the PC account that holds it)."""
    if dialect != "postgresql":
        return None
    found: dict[str, set[str]] = {name: set() for name in Base.metadata.tables}
    rows = session.execute(
        text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() "
            "AND has_column_privilege(quote_ident(table_name), column_name, 'SELECT')"
        )
    )
    for table_name, column_name in rows:
        if table_name in found:
            found[table_name].add(column_name)
    return found


def copy_table(
    source: Session, target: Connection, table: Table, columns: Sequence[Column[Any]]
) -> int:
    """Copy the rows the copy keeps of ``table`` (``columns`` only; the others empty),
    in batches; how many.

    Batches go by primary key (rows after the last one seen), not through a cursor
    held open on the server: each read is short and whole, and a server that goes away
    leaves nothing half-open behind."""
    key = list(table.primary_key.columns)
    query = select(*columns).order_by(*key).limit(BATCH_ROWS)
    keep = _ROWS_KEPT.get(table.name)
    if keep is not None:
        query = query.where(keep(table))
    write = RowWriter(target, table, columns)
    copied = 0
    after: tuple[Any, ...] | None = None
    while True:
        batch = source.execute(query if after is None else query.where(_after(key, after))).all()
        if not batch:
            return copied
        write(batch)
        copied += len(batch)
        if len(batch) < BATCH_ROWS:
            return copied
        last = batch[-1]._mapping
        after = tuple(last[c.key] for c in key)


def _after(key: Sequence[Column[Any]], last: tuple[Any, ...]) -> ColumnElement[bool]:
    """Rows after ``last`` in key order. A one-column key is compared as itself, which
    PostgreSQL reads through the key's index from there on; each batch then reads only
    its own rows instead of scanning the table again."""
    after: ColumnElement[bool] = key[0] > last[0] if len(key) == 1 else tuple_(*key) > tuple_(*last)
    return after


class RowWriter:
    """Writes rows read from the source into the copy's ``table``.

    Each value goes through its column's own conversion for SQLite (the models' UTC
    moments, enums, JSON…), as SQLAlchemy would make it, but the statement is built
    once and the rows go to the driver as plain tuples, without SQLAlchemy's work per
    row of matching parameters by name (a fifth of a 20,000-item refresh)."""

    def __init__(self, target: Connection, table: Table, columns: Sequence[Column[Any]]) -> None:
        dialect = target.dialect
        preparer = dialect.identifier_preparer
        names = ", ".join(preparer.quote(c.name) for c in table.columns)
        marks = ", ".join("?" for _ in table.columns)
        self.sql = f"INSERT INTO {preparer.quote(table.name)} ({names}) VALUES ({marks})"
        self.target = target
        shown = {c.name: n for n, c in enumerate(columns)}
        # For each column of the copy: where its value is in a source row (None: left
        # empty, this login may not read it), and how it is converted for SQLite.
        self.plan: list[tuple[int | None, Any, Any]] = []
        for column in table.columns:
            position = shown.get(column.name)
            empty = _empty_value(column) if position is None else None
            convert = column.type.dialect_impl(dialect).bind_processor(dialect)
            self.plan.append((position, empty, convert))

    def __call__(self, batch: Sequence[Any]) -> None:
        rows: list[tuple[Any, ...]] = []
        for row in batch:
            values = [empty if at is None else row[at] for at, empty, _ in self.plan]
            rows.append(
                tuple(
                    value if convert is None else convert(value)
                    for value, (_, _, convert) in zip(values, self.plan, strict=True)
                )
            )
        self.target.exec_driver_sql(self.sql, rows)


def _empty_value(column: Column[Any]) -> Any:
    """What a column the login may not read holds in the copy."""
    if column.nullable:
        return None
    if column.type.python_type is str:
        return ""
    raise CopyNotRefreshed(
        f"The server does not let this login read {column.table.name}.{column.name}, which "
        "the copy cannot do without: sign in as someone who may."
    )


def _seal(partial: Path, record: Mapping[str, Any]) -> None:
    """Write the record, check the copy is whole, and flush it to disk."""
    with closing(sqlite3.connect(partial, isolation_level=None)) as connection:
        connection.execute("PRAGMA journal_mode = DELETE")
        broken = connection.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise CopyNotRefreshed(
                f"The copy read from the server is not whole ({broken[0][0]} refers to rows "
                "it does not hold), perhaps changed while it was read; try again."
            )
        connection.execute(
            f"CREATE TABLE {RECORD_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )
        connection.executemany(
            f"INSERT INTO {RECORD_TABLE} (key, value) VALUES (?, ?)",
            [(key, json.dumps(value)) for key, value in record.items()],
        )
        problems = [str(row[0]) for row in connection.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise CopyNotRefreshed(
                f"The new station copy failed SQLite's check ({problems[0]}); try again."
            )
    descriptor = os.open(partial, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself survive a power cut (POSIX; Windows has no such call)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_with_companions(path: Path) -> None:
    """Delete ``path`` and any journal SQLite left beside it."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        with suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()


# -- reading what the copy is ----------------------------------------------------------------


def copy_info(path: Path) -> CopyInfo | None:
    """What the station copy at ``path`` is; None if there is none. A file that is not
    a whole station copy raises ``CopyDamaged`` saying so in a sentence."""
    path = path.absolute()
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _damaged(path, error.strerror or str(error)) from error
    if not stat.S_ISREG(status.st_mode):
        raise _damaged(path, "it is not a file")
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise _damaged(path, "it is not a SQLite database")
    try:
        with _read_only(path) as connection:
            problems = [str(row[0]) for row in connection.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise _damaged(path, f"SQLite's check says: {problems[0]}")
            saved = dict(connection.execute(f"SELECT key, value FROM {RECORD_TABLE}").fetchall())
            rows = {
                table.name: int(
                    connection.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
                )
                for table in Base.metadata.sorted_tables
            }
            revision = str(
                connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            )
    except sqlite3.DatabaseError as error:
        raise _damaged(path, str(error)) from error
    return _from_record(path, saved, rows, revision, status.st_size)


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        yield connection
    finally:
        connection.close()


def _from_record(
    path: Path, saved: Mapping[str, str], rows: dict[str, int], revision: str, size: int
) -> CopyInfo:
    try:
        record = {key: json.loads(value) for key, value in saved.items()}
        taken_at = datetime.fromisoformat(record["taken_at"]).astimezone(UTC)
        seconds = record.get("seconds")
        return CopyInfo(
            path=path,
            taken_at=taken_at,
            source=str(record["source"]),
            signed_in_as=record.get("signed_in_as"),
            schema_revision=revision,
            rows=rows,
            size=size,
            withheld=tuple(str(name) for name in record.get("withheld", [])),
            seconds=float(seconds) if seconds is not None else None,
            audit_actions=tuple(str(a) for a in record.get("audit_actions", AUDIT_ACTIONS_KEPT)),
            secured=bool(record.get("secured", False)),
        )
    except (KeyError, ValueError, TypeError) as error:
        raise _damaged(path, f"its record cannot be read: {error}") from error


def _damaged(path: Path, why: str) -> CopyDamaged:
    return CopyDamaged(
        f"The station copy {shown_path(path)} is damaged or is not a station copy ({why}): "
        f"{REFRESH_HINT} to take it again."
    )
