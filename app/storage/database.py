"""Opening the database: the checks on a SQLite file, error translation, migrations.

The engine and its connection settings come from ``app.storage.engine``; the schema
upgrade from ``app.storage.schema``.

Everything that touches a database URL goes through ``open_database``, so the app and
``kitshare-admin`` meet the same checks and the same messages.
"""

from __future__ import annotations

import errno
import getpass
import os
import re
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.core.errors import (
    AuditTamper,
    DatabaseCorrupt,
    DatabaseLocked,
    DatabaseReadOnly,
    DatabaseUnavailable,
    EnvironmentFault,
    ServerRefused,
    WorkingOffline,
)
from app.storage import schema
from app.storage.config import PRIVATE_FILE_MODE, describe_location, normalise_url, server_of
from app.storage.engine import (
    DEFAULT_BUSY_TIMEOUT_MS,
    create_database_engine,
    file_identity,
    gone_message,
    shown_path,
)
from app.storage.server import STATION_ROLE
from models import Base


class EmptyDatabaseFile(DatabaseUnavailable):
    """The database file exists but holds nothing: not a Kit Share database, unless the
    person asked for a new one there (``open_database(..., empty_file_ok=True)``)."""


class PasswordNeeded(DatabaseUnavailable):
    """The PostgreSQL server wants a password that neither the URL, ``.pgpass`` nor
    ``PGPASSWORD`` gave; the window may ask the person for it."""

    def __init__(self, message: str, *, server: str = "", user: str = "") -> None:
        super().__init__(message)
        self.server = server
        self.user = user


class PasswordRefused(PasswordNeeded):
    """The PostgreSQL server refused the password (or the user name) it was given."""


OFFLINE_REFUSAL = (
    "Kit Share is working offline, from this station's copy, and this change needs the "
    "server. Only emergency issues and returns are kept on this PC to send later; make "
    "this change once the server is back."
)
SWITCHED_UNDER_FORM = (
    "The station went offline or came back online while this form was open, so what it "
    "shows may not be what the server (or the station copy) holds now. Close it and open "
    "it again; nothing was saved."
)
# Set while the outbox writes what it logged into the station copy (``offline_writes``).
_offline_writing: ContextVar[bool] = ContextVar("kitshare_offline_writing", default=False)


@contextmanager
def offline_writes() -> Iterator[None]:
    """Let the block write to the station copy while offline: only the outbox does, to
    show there what it logged (``app.loans.outbox``)."""
    token = _offline_writing.set(True)
    try:
        yield
    finally:
        _offline_writing.reset(token)


@dataclass
class _Connected:
    """The server's engine and sessions, kept aside while the station works offline."""

    engine: Engine
    reader: sessionmaker[Session]
    writer: sessionmaker[Session]


@dataclass(eq=False)
class Database:
    """An open database: the engine plus sessions for reading and for writing.

    On a server that checks each person's rights (``secured``, see
    ``app.storage.server``) it is opened as the stations' login, which can only ask
    about signing in; ``connect_as`` then makes every read and write, from every part
    of the program holding this object, the signed-in person's own.
    """

    url: str
    engine: Engine
    _reader: sessionmaker[Session]
    _writer: sessionmaker[Session]
    secured: bool = False
    # The stations' own login, kept for the next person to sign in (secured only).
    station: Engine | None = None
    # While offline (``app.storage.offline``): since when, the copy's moment, and the
    # server's connection put aside (None if the station started offline).
    offline_since: datetime | None = None
    copy_taken_at: datetime | None = None
    _server: _Connected | None = None
    # On a server that checks each person's rights: who signed in while offline, to
    # connect as once the server is back. Held in memory only, never shown.
    offline_login: tuple[str, str] | None = field(default=None, repr=False)

    @property
    def offline(self) -> bool:
        return self.offline_since is not None

    @property
    def server_engine(self) -> Engine | None:
        """The server's engine, also while working from the copy (None: never reached)."""
        if not self.offline:
            return self.engine
        return self._server.engine if self._server is not None else None

    def as_now(self) -> Database:
        """This database as connected now, unmoved by going offline or back later: for
        a thread that must finish what it started on the server (taking the copy)."""
        return Database(
            url=self.url,
            engine=self.engine,
            _reader=self._reader,
            _writer=self._writer,
            secured=self.secured,
            station=self.station,
            offline_since=self.offline_since,
            copy_taken_at=self.copy_taken_at,
        )

    def within(self, session: Session) -> Database:
        """This database as seen from inside ``session``'s open write: every read and
        write of the copy is a savepoint in that one transaction, kept only if it
        commits. For work done one service call at a time that must still be all or
        nothing (an import of kits, each made by ``create_kit`` with its audit event)."""
        joined = sessionmaker(
            bind=session.connection(),
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
        )
        return Database(
            url=self.url,
            engine=self.engine,
            _reader=joined,
            _writer=joined,
            secured=self.secured,
            station=self.station,
            copy_taken_at=self.copy_taken_at,
        )

    def use_copy(self, engine: Engine, since: datetime, taken_at: datetime) -> None:
        """Read from the station copy's ``engine`` from now on, keeping the server's
        connection aside; every write is refused but the outbox's (``offline_writes``)."""
        if not self.offline:
            self._server = _Connected(self.engine, self._reader, self._writer)
        elif self.engine is not engine:
            self.engine.dispose()
        self.engine = engine
        self._reader = sessionmaker(engine, expire_on_commit=False)
        self._writer = sessionmaker(
            engine.execution_options(kitshare_immediate=True), expire_on_commit=False
        )
        self.offline_since = since
        self.copy_taken_at = taken_at

    def use_server(self, opened: Database | None = None) -> None:
        """Work with the server again: its connection kept aside, or ``opened`` afresh
        (a station that started offline never had one)."""
        copy_engine = self.engine if self.offline else None
        if opened is not None:
            self.engine, self._reader, self._writer = (
                opened.engine,
                opened._reader,
                opened._writer,
            )
            self.secured, self.station = opened.secured, opened.station
        elif self._server is not None:
            kept = self._server
            self.engine, self._reader, self._writer = kept.engine, kept.reader, kept.writer
        self._server = None
        self.offline_since = None
        self.copy_taken_at = None
        if copy_engine is not None and copy_engine is not self.engine:
            copy_engine.dispose()

    def connect_as(self, username: str, password: str) -> None:
        """Work as ``username`` from now on, if the server accepts ``password``; raises
        ``PasswordRefused`` (or another ``EnvironmentFault``) and changes nothing if not."""
        person_url = make_url(self.url).set(username=username, password=password)
        engine = create_database_engine(person_url.render_as_string(hide_password=False))
        try:
            with translate_errors(self.url), engine.connect():
                pass
        except BaseException:
            engine.dispose()
            raise
        if self.engine is not self.station:
            self.engine.dispose()
        self.engine = engine
        self._reader = sessionmaker(engine, expire_on_commit=False)
        self._writer = sessionmaker(engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def location(self) -> str:
        return describe_location(self.url)

    @property
    def _as_used(self) -> str:
        """The URL as connected now (a signed-in person's login, password hidden), for
        saying whose rights fell short."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; anything it changes is rolled back."""
        with translate_errors(self._as_used), self._reader() as session:
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
        if self.offline and not _offline_writing.get():
            raise WorkingOffline(OFFLINE_REFUSAL)
        with translate_errors(self._as_used), self._writer() as session, session.begin():
            yield session

    def accepts(self, username: str, password: str) -> bool:
        """Whether the server lets ``username`` in with ``password`` (secured only)."""
        person_url = make_url(self.url).set(username=username, password=password)
        engine = create_database_engine(person_url.render_as_string(hide_password=False))
        try:
            with translate_errors(self.url), engine.connect():
                return True
        except PasswordRefused:
            return False
        finally:
            engine.dispose()

    def dispose(self) -> None:
        self.engine.dispose()
        if self._server is not None:
            self._server.engine.dispose()
        if self.station is not None:
            self.station.dispose()


def open_database(
    url: str,
    *,
    migrate: bool = True,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    empty_file_ok: bool = False,
) -> Database:
    """Check, open and (by default) upgrade the database at ``url``.

    A SQLite file that does not exist is created, readable by this account only. One
    that exists but is empty is refused (``EmptyDatabaseFile``) unless ``empty_file_ok``
    says the person asked for a new database there.

    Raises an ``EnvironmentFault`` with one sentence for the person when the database
    cannot be used; nothing in it is changed in that case.
    """
    url = normalise_url(url)
    path = check_sqlite_file(url, empty_file_ok=empty_file_ok)
    if path is not None:
        create_sqlite_file(path)
    engine = create_database_engine(
        url, busy_timeout_ms=busy_timeout_ms, file_must_exist=path is not None
    )
    try:
        with translate_errors(url):
            schema.check_not_newer(engine)
            secured = path is None and _is_secured(engine)
            if secured:
                # Only the owner's credential changes the schema of such a server.
                if migrate:
                    schema.check_same(engine)
            elif migrate:
                schema.upgrade_to_head(url, busy_timeout_ms=busy_timeout_ms)
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
        secured=secured,
        station=engine if secured else None,
    )


def _is_secured(engine: Engine) -> bool:
    """Whether this is a station's connection to a server that checks each person's
    rights itself (``app.storage.server``): people then sign in as themselves. The
    owner's connection (migrating, setting up) is not one."""
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT to_regprocedure('kitshare_sign_in_state(text)') IS NOT NULL "
                "AND current_user = :station"
            ),
            {"station": STATION_ROLE},
        ).scalar_one()
    return bool(found)


def _status(path: Path, database: Path) -> os.stat_result | None:
    """``os.stat`` of ``path``, None if nothing is there; any other failure said in words
    about the ``database`` file it is on the way to."""
    try:
        return path.stat()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise DatabaseUnavailable(_path_problem(database, error)) from None


def _path_problem(database: Path, error: OSError) -> str:
    where = shown_path(database)
    if error.errno in (errno.EACCES, errno.EPERM):
        return (
            f"You are not allowed into the folder that holds the database file {where}: ask "
            "its owner or your IT team for access, or choose a database file in a folder of "
            "yours."
        )
    if error.errno == errno.ENAMETOOLONG:
        return (
            f"The database file's path is too long for this computer ({len(str(database))} "
            "characters): choose a shorter one."
        )
    if error.errno == errno.ELOOP:
        return (
            f"The database file's path {where} goes round a loop of shortcuts (symbolic "
            "links): give the real file's path."
        )
    if error.errno == errno.ENOTDIR:
        return f"Part of the database file's path {where} is a file, not a folder: check it."
    return (
        f"Kit Share cannot look at the database file {where} ({error.strerror or error}): "
        "check the path, or choose another file."
    )


def check_sqlite_file(url: str, *, empty_file_ok: bool = False) -> Path | None:
    """Refuse a SQLite path that cannot work, before SQLite makes a confusing error of it.

    Returns the file's path, or None for PostgreSQL.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(str(parsed.database))
    folder = path.parent if str(path.parent) else Path(".")
    folder_status = _status(folder, path)
    if folder_status is not None and not stat.S_ISDIR(folder_status.st_mode):
        raise DatabaseUnavailable(
            f"{shown_path(folder)} is a file, not a folder, so it cannot hold the database: "
            "check the database file's path."
        )
    if folder_status is None:
        raise DatabaseUnavailable(
            f"The folder {shown_path(folder)} does not exist. Create it, or choose a database "
            "file in a folder that exists."
        )
    status = _status(path, path)
    if status is not None:
        if stat.S_ISDIR(status.st_mode):
            raise DatabaseUnavailable(
                f"{shown_path(path)} is a folder, not a database file. Give the path of a .db file."
            )
        if not stat.S_ISREG(status.st_mode):
            raise DatabaseUnavailable(
                f"{shown_path(path)} is a device, pipe or socket, not a database file: give "
                "the path of a .db file."
            )
        if not os.access(path, os.R_OK):
            raise DatabaseReadOnly(
                f"You are not allowed to read the database file {shown_path(path)}. "
                "Ask your IT team for access to it."
            )
        if not _writable(path):
            raise DatabaseReadOnly(
                f"The database file {shown_path(path)} is read-only. Kit Share must be able to "
                "write it to log loans: ask for write access, or copy it to a folder you can "
                "write."
            )
        if status.st_size == 0 and not empty_file_ok:
            raise EmptyDatabaseFile(
                f"{shown_path(path)} is an empty file, not a Kit Share database: choose the "
                "right file, or start a new database in it with `kitshare-admin --database "
                "URL migrate` (the window offers to)."
            )
        check_sqlite_header(path)
    # SQLite writes its journal next to the file, so the folder must be writable too.
    if not _writable(folder):
        raise DatabaseReadOnly(
            f"The folder {shown_path(folder)} is read-only, so Kit Share cannot keep its "
            "database there. Ask for write access, or choose a database file in another folder."
        )
    return path


def _writable(path: Path) -> bool:
    """Writable for us, and not marked read-only.

    The mode bits count even for an administrator (whom ``os.access`` always lets
    write): someone marked the file read-only on purpose, and we respect that.
    """
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & stat.S_IWUSR)


SQLITE_HEADER = b"SQLite format 3\x00"


def check_sqlite_header(path: Path) -> None:
    """Refuse a non-empty file that does not start like a SQLite database."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise DatabaseUnavailable(_path_problem(path, error)) from None
    if header and header != SQLITE_HEADER:
        raise DatabaseCorrupt(
            f"{shown_path(path)} is not a Kit Share database, or it is damaged. Restore it "
            "from a backup, or choose another file."
        )


def create_sqlite_file(path: Path) -> None:
    """Make a new, empty SQLite database at ``path`` that only this account can read;
    a file already there is left as it is.

    SQLite would create it with the umask's mode, often readable by every account on
    the PC, and gives its ``-wal`` and ``-shm`` files the database file's own mode. So
    the file is made 0600 under a temporary name, given SQLite's header, and linked into
    place: the name never shows an empty file, and two stations starting at once both
    end up with the same database.
    """
    if path.exists():
        return
    partial = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        _new_private_file(partial)
        try:
            os.link(partial, path)
        except FileExistsError:
            pass  # another program made it at the same moment: that one is used
        except OSError:
            # A file system without hard links (FAT, some network shares): fall back.
            with suppress(FileExistsError):
                _new_private_file(path)
    except (OSError, sqlite3.Error) as error:
        reason = error.strerror if isinstance(error, OSError) else None
        raise DatabaseUnavailable(
            f"Kit Share cannot create the database file {shown_path(path)} "
            f"({reason or error}): check that you may write in its folder and that the "
            "disk has room."
        ) from None
    finally:
        for leftover in (partial, partial.with_name(partial.name + "-journal")):
            leftover.unlink(missing_ok=True)


def _new_private_file(path: Path) -> None:
    """A new file at ``path``, mode 0600, holding an empty SQLite database's header."""
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
    os.close(descriptor)
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        # Setting a header field makes SQLite write its first page.
        connection.execute("PRAGMA user_version = 0")


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
        return _sqlite_fault(str(parsed.database), lowered)
    return _postgresql_fault(parsed, lowered, getattr(exc, "orig", None))


def _sqlite_fault(database: str, lowered: str) -> EnvironmentFault | None:
    path = shown_path(database)
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
        if (
            file_identity(Path(database)) is None
            and file_identity(Path(database).parent) is not None
        ):
            return DatabaseUnavailable(gone_message(database))
        return DatabaseUnavailable(
            f"Kit Share cannot open the database file {path} or its -wal and -shm files "
            "beside it. Check that its folder exists and that you may read and write them."
        )
    if "disk i/o" in lowered or "database or disk is full" in lowered:
        return DatabaseUnavailable(
            f"The disk holding {path} is full or failing. Free some space or move the "
            "database, then try again; nothing saved so far is lost."
        )
    return None


# PostgreSQL's errors, each recognised by words that all appear in it, in the order
# they are tried: the kind of fault, and our sentence (never the server's text).
_POSTGRESQL_FAULTS: tuple[tuple[tuple[str, ...], type[EnvironmentFault], str], ...] = (
    (
        ("no password supplied",),
        PasswordNeeded,
        "The PostgreSQL server at {where} asks for the password of “{user}”: put it in your "
        ".pgpass file or PGPASSWORD (see the README's “Which database”), or type it when "
        "the window asks.",
    ),
    (
        ("authentication failed",),
        PasswordRefused,
        "The PostgreSQL server at {where} refused the user name or password for “{user}”. "
        "Check the user name in the database URL, and the password in it, in .pgpass or in "
        "PGPASSWORD.",
    ),
    (
        ("database", "does not exist"),
        DatabaseUnavailable,
        "The PostgreSQL server at {where} has no database called “{database}”. Ask the "
        "server's administrator to create it, or check the database URL.",
    ),
    (
        ("role", "does not exist"),
        DatabaseUnavailable,
        "The PostgreSQL server at {where} has no user called “{user}”. Check the user name "
        "in the database URL, or ask the server's administrator for an account.",
    ),
    (
        ("pg_hba.conf",),
        DatabaseUnavailable,
        "The PostgreSQL server at {where} does not let “{user}” connect from this PC to "
        "“{database}”. Ask the server's administrator to allow it (pg_hba.conf).",
    ),
    (
        ("permission denied for database",),
        DatabaseUnavailable,
        "The PostgreSQL user “{user}” may not connect to the database “{database}”. Ask the "
        "server's administrator to grant it CONNECT.",
    ),
    (
        ("ssl", "not support"),
        DatabaseUnavailable,
        "The PostgreSQL server at {where} does not offer the encrypted connection the "
        "database URL's sslmode asks for: change sslmode, or ask the server's administrator.",
    ),
    (
        ("connection slots",),
        DatabaseUnavailable,
        "The PostgreSQL server at {where} has no room for another connection. Close Kit "
        "Share on a PC that does not need it, or ask its administrator, then try again.",
    ),
    (
        ("too many", "connections"),
        DatabaseUnavailable,
        "The PostgreSQL server at {where} has no room for another connection. Close Kit "
        "Share on a PC that does not need it, or ask its administrator, then try again.",
    ),
    (
        ("starting up",),
        DatabaseUnavailable,
        "The PostgreSQL server at {where} is starting up. Wait a minute and try again.",
    ),
    (
        ("shutting down",),
        DatabaseUnavailable,
        "The PostgreSQL server at {where} is shutting down. Check that it is started again, "
        "then try again.",
    ),
)
# The parts of libpq's connection errors that say the server was not reached at all.
_UNREACHABLE = (
    "connection refused",
    "could not connect",
    "timeout expired",
    "could not translate host name",
    "failed to resolve host",
    "name or service not known",
    "server closed the connection",
    "terminating connection",
    "no route to host",
    "network is unreachable",
    "connection to server",
    "consuming input failed",
)
_INVALID_OPTION = (
    re.compile(r"invalid (port) number"),
    re.compile(r"invalid (\w+) value"),
    re.compile(r"for connection option \"(\w+)\""),
)


def _postgresql_fault(
    parsed: URL, lowered: str, original: BaseException | None
) -> EnvironmentFault | None:
    """PostgreSQL's errors in words. Never the server's text: a sentence of ours, which
    names the server, the user and the database but no part of a password."""
    where = server_of(parsed)
    user = _user_of(parsed)
    for words, kind, sentence in _POSTGRESQL_FAULTS:
        if all(word in lowered for word in words):
            message = sentence.format(where=where, user=user, database=parsed.database)
            if issubclass(kind, PasswordNeeded):
                return kind(message, server=where, user=user)
            return kind(message)
    invalid = next((m for p in _INVALID_OPTION if (m := p.search(lowered)) is not None), None)
    if invalid is not None:
        option = invalid.group(1)
        part = "port" if option == "port" else f"option “{option}”"
        return DatabaseUnavailable(
            f"The {part} in the database URL has a value PostgreSQL does not accept: "
            "correct it, or leave it out."
        )
    if any(phrase in lowered for phrase in _UNREACHABLE):
        return DatabaseUnavailable(
            f"Cannot reach the PostgreSQL server at {where}. Check that it is running and "
            "that this PC is on its network, or use a local SQLite file."
        )
    if "kit share: " in lowered:
        # A guard's own sentence (``app.storage.server``), written for people.
        said = str(original or "").split("Kit Share: ", 1)[-1].splitlines()[0]
        return ServerRefused(f"The server refused this: {said}")
    if "read-only" in lowered or "permission denied" in lowered:
        return DatabaseReadOnly(
            f"The PostgreSQL user “{user}” is not allowed to change the database "
            f"“{parsed.database}”. Ask the server's administrator for the rights Kit Share needs."
        )
    if _is_psycopg_operational(original):
        # Connection trouble of a kind not listed above: still the environment, not a bug.
        return DatabaseUnavailable(
            f"The PostgreSQL server at {where} could not be used as “{user}” for the database "
            f"“{parsed.database}”. Check the database URL and that the server is running, "
            "or ask its administrator."
        )
    return None


def _user_of(parsed: URL) -> str:
    """The user name libpq connects as: the URL's, else ``PGUSER``, else this account's."""
    if parsed.username:
        return parsed.username
    try:
        return os.environ.get("PGUSER") or getpass.getuser()
    except (OSError, KeyError):
        return "your user name"


def _is_psycopg_operational(original: BaseException | None) -> bool:
    import psycopg

    return isinstance(original, psycopg.OperationalError)


def table_counts(db: Database) -> dict[str, int]:
    """Rows per table, for ``kitshare-admin info``."""
    counts: dict[str, int] = {}
    with db.read() as session:
        for name, table in sorted(Base.metadata.tables.items()):
            counts[name] = session.scalar(select(func.count()).select_from(table)) or 0
    return counts
