"""Backing up and restoring a station's SQLite database.

A backup is taken with SQLite's online backup API, so it is a consistent snapshot even
while the window (or another PC on the share) is writing. A restore checks the file
first (that it is a SQLite file at all and whole, ``PRAGMA integrity_check``, a Kit Share
database, a schema revision this version of Kit Share knows) on a copy of its own, so
the backup itself is never changed; an older schema is upgraded on that copy before
anything else is touched. The database being replaced is kept aside (copied with the
backup API) and the backup is then written into the live file with the backup API too,
as one write transaction: other connections to it see the change as they would any
other station's commit.

Files are named from the database's own name and the UK time they were taken:
``kitshare-2026-11-21-0314.db`` (taken by someone), ``kitshare-auto-2026-11-21-0314.db``
(taken by the daily schedule, the only ones its retention count ever deletes) and
``kitshare.replaced-2026-11-21-0314.db`` (a database set aside by a restore).

PostgreSQL is backed up with the server's own tools, ``pg_dump`` and ``pg_restore``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.audit.record import record_change
from app.core.actor import Actor
from app.core.clock import UK, format_datetime, now_utc, today_uk
from app.core.errors import DomainError, KitShareError
from app.core.permissions import Action, require
from app.core.text import counted
from app.storage import schema
from app.storage.config import PRIVATE_FILE_MODE, data_folder, make_private_folder, sqlite_url
from app.storage.database import SQLITE_HEADER, create_sqlite_file, open_database, translate_errors
from app.storage.engine import DEFAULT_BUSY_TIMEOUT_MS
from models import AppUser

BACKUP_FOLDER_NAME = "backups"
BACKUP_SUFFIX = ".db"
AUTOMATIC_MARK = "auto"
REPLACED_MARK = "replaced"
STAMP_FORMAT = "%Y-%m-%d-%H%M"
SCHEDULE_FILE_NAME = "backup-schedule.json"
DEFAULT_KEEP = 7
MOST_KEPT = 366
# How long a backup or restore waits for another station's transaction to finish.
BUSY_LIMIT_S = 30.0
# Each backup step waits this long on SQLite's busy handler before trying again.
STEP_TIMEOUT_S = 2.0
# Tables every Kit Share database has had since its first schema revision.
CORE_TABLES = (
    "agencies",
    "sites",
    "categories",
    "equipment_items",
    "loans",
    "people",
    "app_users",
    "audit_events",
)
README_SECTION = "“Backing up and restoring”"
_STAMP = r"(\d{4})-(\d{2})-(\d{2})-(\d{2})(\d{2})"
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6


class BackupRefused(DomainError):
    """A backup or restore could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupFile:
    """A backup written: where, how big, and when it was taken."""

    path: Path
    size: int
    taken_at: datetime

    @property
    def size_text(self) -> str:
        return format_size(self.size)

    def describe(self) -> str:
        """ "kitshare-2026-11-21-0314.db (1.2 MB) in /srv/kitshare/backups"."""
        return f"{self.path.name} ({self.size_text}) in {self.path.parent}"


@dataclass(frozen=True)
class BackupCheck:
    """What checking a backup file found: a Kit Share database that can be restored."""

    path: Path
    revision: str
    taken_at: datetime  # from the file name (UK time), else its modification time
    items: int
    loans: int
    people: int
    size: int
    head: str  # the newest schema this Kit Share knows

    @property
    def needs_upgrade(self) -> bool:
        return self.revision != self.head

    @property
    def holds(self) -> str:
        """ "214 items, 37 loans and 58 people"."""
        return (
            f"{counted(self.items, 'item')}, {counted(self.loans, 'loan')} and "
            f"{counted(self.people, 'person', 'people')}"
        )

    def summary(self) -> str:
        """One sentence naming the backup, when it was taken and what it holds."""
        return f"{self.path.name}, taken {format_datetime(self.taken_at)}, holds {self.holds}."

    def schema_note(self) -> str:
        """ "0006, the one this Kit Share uses", or what the upgrade will be."""
        if not self.needs_upgrade:
            return f"{self.revision}, the one this Kit Share uses"
        return (
            f"{self.revision}, from an older Kit Share: upgraded to {self.head} as it is restored"
        )


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    set_aside: Path | None  # where the replaced database now is; None if there was none
    check: BackupCheck
    upgraded_from: str | None  # the backup's schema revision, if it had to be upgraded

    def describe(self) -> str:
        """What was done, and where the replaced database went, in a sentence or two."""
        upgraded = (
            f" Its schema was upgraded from {self.upgraded_from} to {self.check.head}."
            if self.upgraded_from
            else ""
        )
        if self.set_aside is None:
            kept = " There was no database there before, so nothing was set aside."
        else:
            kept = f" The database it replaced is kept at {self.set_aside}."
        return (
            f"Restored the backup {self.restored_from.name}, taken "
            f"{format_datetime(self.check.taken_at)} ({self.check.holds}).{upgraded}{kept}"
        )


def format_size(size: int) -> str:
    """A file size as people read it: "640 bytes", "48 KB", "1.2 MB"."""
    if size < 1024:
        return counted(size, "byte")
    value = float(size) / 1024
    unit = "KB"
    for larger in ("MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, larger
    return f"{value:.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"


# -- where things go -----------------------------------------------------------------------


def is_postgresql(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def postgresql_refusal(url: str) -> str:
    """Why Kit Share does not back up a PostgreSQL database itself, and what to use."""
    parsed = make_url(url)
    where = f"“{parsed.database}” on {parsed.host or 'localhost'}"
    return (
        f"This database is on a PostgreSQL server ({where}), which Kit Share does not "
        "copy itself: back it up with the server's own tools, pg_dump -Fc to take a "
        "backup and pg_restore --clean to restore one, as the README's section "
        f"{README_SECTION} shows. Nothing was changed."
    )


def database_path(url: str) -> Path:
    """The SQLite file behind ``url``; refused, with what to use, for PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        raise BackupRefused(postgresql_refusal(url))
    if parsed.database in (None, "", ":memory:"):
        raise BackupRefused(
            "This database lives only in memory, so there is no file to back up or restore."
        )
    return Path(str(parsed.database)).absolute()


def default_backup_folder(url: str) -> Path:
    """The ``backups`` folder beside the database file."""
    return database_path(url).parent / BACKUP_FOLDER_NAME


def backup_name(database: Path, moment: datetime, *, automatic: bool = False) -> str:
    """ "kitshare-2026-11-21-0314.db": the database's name and the UK time, to the minute."""
    stamp = moment.astimezone(UK).strftime(STAMP_FORMAT)
    mark = f"-{AUTOMATIC_MARK}" if automatic else ""
    return f"{database.stem}{mark}-{stamp}{BACKUP_SUFFIX}"


def replaced_name(database: Path, moment: datetime) -> str:
    """ "kitshare.replaced-2026-11-21-0314.db": a database set aside by a restore."""
    stamp = moment.astimezone(UK).strftime(STAMP_FORMAT)
    return f"{database.stem}.{REPLACED_MARK}-{stamp}{BACKUP_SUFFIX}"


def taken_at_from_name(name: str) -> datetime | None:
    """The UK time in a backup's file name, if it has one."""
    found = re.search(_STAMP, name)
    if found is None:
        return None
    year, month, day, hour, minute = (int(part) for part in found.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=UK)
    except ValueError:
        return None


def _taken_at(path: Path) -> datetime:
    named = taken_at_from_name(path.name)
    if named is not None:
        return named
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UK)


def _claim_name(folder: Path, name: str) -> Path:
    """Create ``name`` in ``folder`` (or "name-2", "name-3"… if taken) and return it.

    Creating the file exclusively means two backups in the same minute, even from two
    programs at once, never write to the same file.
    """
    stem, suffix = name[: -len(BACKUP_SUFFIX)], BACKUP_SUFFIX
    for number in range(1, 1000):
        candidate = folder / (name if number == 1 else f"{stem}-{number}{suffix}")
        try:
            descriptor = os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
        except FileExistsError:
            continue
        os.close(descriptor)
        return candidate
    raise BackupRefused(
        f"The folder {folder} already holds a thousand backups taken this minute; choose "
        "another folder."
    )


# -- copying with the backup API -------------------------------------------------------------


class _StillBusy(Exception):
    pass


def _connect(path: Path) -> sqlite3.Connection:
    # Autocommit: the backup API refuses a destination with a transaction open.
    return sqlite3.connect(path, timeout=STEP_TIMEOUT_S, isolation_level=None)


def _copy(source: sqlite3.Connection, target: sqlite3.Connection, busy_with: Path) -> None:
    """Copy ``source`` into ``target`` in one step: one consistent snapshot, written as
    one transaction. Gives up, with nothing written, if either stays locked too long."""
    deadline = time.monotonic() + BUSY_LIMIT_S

    def progress(status: int, remaining: int, total: int) -> None:
        if status in (_SQLITE_BUSY, _SQLITE_LOCKED) and time.monotonic() > deadline:
            raise _StillBusy()

    try:
        source.backup(target, pages=-1, progress=progress)
    except _StillBusy:
        raise BackupRefused(
            f"The database {busy_with} stayed busy for {BUSY_LIMIT_S:.0f} seconds: another "
            "Kit Share or program kept it locked. Try again in a minute; nothing was changed."
        ) from None


def _integrity_problems(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute("PRAGMA integrity_check").fetchall()
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found


def _write_copy(source_path: Path, target: Path, *, verify: bool = True) -> None:
    """Write a consistent copy of the database at ``source_path`` into the (new, empty)
    file ``target``, as a standalone file (no write-ahead log), and check it."""
    with closing(_connect(source_path)) as source, closing(_connect(target)) as copy:
        _copy(source, copy, source_path)
        # The copy takes the source's WAL flag with its first page; a backup is a
        # single file, to be moved and mailed as one.
        copy.execute("PRAGMA journal_mode = DELETE")
        problems = _integrity_problems(copy) if verify else []
    if problems:
        raise BackupRefused(
            f"The backup written to {target} failed SQLite's integrity check ({problems[0]}), "
            f"so the database {source_path} itself may be damaged. Run `kitshare-admin "
            "info`, and restore an earlier backup if it fails too."
        )


def _take(url: str, destination: Path | None, moment: datetime, *, automatic: bool) -> BackupFile:
    database = database_path(url)
    if not database.is_file():
        raise BackupRefused(f"There is no database file at {database} to back up.")
    with database.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupRefused(
                f"{database} is not a SQLite database, so it cannot be backed up. Check the "
                "database URL."
            )
    target = _choose_target(url, database, destination, moment, automatic=automatic)
    try:
        _write_copy(database, target)
    except BaseException as error:
        target.unlink(missing_ok=True)
        if isinstance(error, sqlite3.Error):
            raise BackupRefused(
                f"The backup of {database} could not be written to {target.parent} "
                f"({error}). Check that the folder can be written and has room; nothing "
                "was changed."
            ) from error
        raise
    return BackupFile(path=target, size=target.stat().st_size, taken_at=moment)


def _choose_target(
    url: str, database: Path, destination: Path | None, moment: datetime, *, automatic: bool
) -> Path:
    """The file to write: a new timestamped one in a folder, or the file named."""
    if destination is None:
        folder = default_backup_folder(url)
        try:
            make_private_folder(folder)
        except OSError as error:
            raise _unwritable(folder, error) from error
    elif destination.is_dir():
        folder = destination
    elif destination.exists():
        raise BackupRefused(
            f"{destination} already exists, and a backup never writes over a file. Give a "
            "new file name, or a folder for a timestamped one."
        )
    else:
        if not destination.suffix:
            raise BackupRefused(
                f"There is no folder {destination}. Create it first, or give a file name "
                f"ending {BACKUP_SUFFIX} for the backup."
            )
        if not destination.parent.is_dir():
            raise BackupRefused(
                f"The folder {destination.parent} does not exist. Create it first, or give "
                "a folder that exists."
            )
        try:
            descriptor = os.open(
                destination, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE
            )
        except FileExistsError:
            raise BackupRefused(
                f"{destination} already exists, and a backup never writes over a file."
            ) from None
        except OSError as error:
            raise _unwritable(destination.parent, error) from error
        os.close(descriptor)
        return destination
    if not os.access(folder, os.W_OK):
        raise BackupRefused(
            f"The folder {folder} cannot be written. Choose another folder, or ask for "
            "write access to it."
        )
    try:
        return _claim_name(folder, backup_name(database, moment, automatic=automatic))
    except OSError as error:
        raise _unwritable(folder, error) from error


def _unwritable(folder: Path, error: OSError) -> BackupRefused:
    return BackupRefused(
        f"A backup cannot be written in {folder} ({error.strerror or error}). Choose another "
        "folder, or ask for write access to it."
    )


def back_up(
    url: str, actor: Actor, destination: Path | None = None, *, now: datetime | None = None
) -> BackupFile:
    """Back up the SQLite database at ``url``, consistently, while others go on working.

    ``destination`` is a folder (a timestamped file is made in it), a new file name, or
    None for the ``backups`` folder beside the database. Needs ``Action.BACKUP``; the
    backup is recorded in the audit trail.
    """
    require(actor, Action.BACKUP)
    taken = _take(url, destination, now or now_utc(), automatic=False)
    try:
        _record_backup(url, actor, taken)
    except BaseException:
        # Every copy of everyone's data is accounted for in the trail, or not made.
        taken.path.unlink(missing_ok=True)
        raise
    return taken


def _record_backup(url: str, actor: Actor, taken: BackupFile) -> None:
    # A plain connection, not Kit Share's: that one would switch a database another
    # program keeps in rollback-journal mode to WAL, and a backup changes nothing.
    engine = create_engine(
        url, poolclass=NullPool, connect_args={"timeout": DEFAULT_BUSY_TIMEOUT_MS / 1000}
    )
    try:
        with translate_errors(url), Session(engine) as session, session.begin():
            record_change(
                session,
                actor,
                "database.backed_up",
                "database",
                None,
                before=None,
                after={"file": str(taken.path), "size": taken.size},
            )
    finally:
        engine.dispose()


# -- checking and restoring ------------------------------------------------------------------


def _refuse_file(path: Path, why: str) -> BackupRefused:
    return BackupRefused(f"{path.name} cannot be restored: {why} Nothing was changed.")


def _check_whole_file(path: Path) -> int:
    """The file's size, once it is known to be a whole SQLite file."""
    if not path.exists():
        raise BackupRefused(
            f"There is no file {path}. Check the folder and the name, and choose the backup "
            "again; nothing was changed."
        )
    if not path.is_file():
        raise BackupRefused(
            f"{path} is a folder. Choose a backup file in it (named like "
            f"kitshare-2026-11-21-0314.db); nothing was changed."
        )
    size = path.stat().st_size
    with path.open("rb") as handle:
        header = handle.read(100)
    if size == 0:
        raise _refuse_file(path, "the file is empty. Choose another backup.")
    if not header.startswith(SQLITE_HEADER):
        raise _refuse_file(
            path,
            "it is not a SQLite database, so not a Kit Share backup. Choose a file made by "
            "Kit Share's Back up (named like kitshare-2026-11-21-0314.db).",
        )
    page_size = int.from_bytes(header[16:18], "big") if len(header) >= 18 else 0
    page_size = 65536 if page_size == 1 else page_size
    expected = 0
    if len(header) == 100 and header[92:96] == header[24:28]:
        expected = int.from_bytes(header[28:32], "big") * page_size
    if len(header) < 100 or page_size < 512 or size % page_size or size < expected:
        should = f" of the {format_size(expected)} it should" if expected > size else ""
        raise _refuse_file(
            path,
            f"the file is cut short (it holds {format_size(size)}{should}), perhaps copied "
            "before the copy finished. Use another backup, or copy this one again.",
        )
    return size


def _inspect(path: Path, copy: Path, size: int) -> BackupCheck:
    """Check the staged ``copy`` of the backup at ``path``."""
    try:
        with closing(_connect(copy)) as connection:
            problems = _integrity_problems(connection)
            if problems:
                raise _refuse_file(
                    path,
                    f"it is damaged (SQLite's integrity check says: {problems[0]}). Use "
                    "another backup.",
                )
            tables = {
                str(row[0])
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            missing = [name for name in CORE_TABLES if name not in tables]
            if missing or "alembic_version" not in tables:
                what = missing[0] if missing else "alembic_version"
                raise _refuse_file(
                    path,
                    f"it is a SQLite database, but not a Kit Share one (it has no {what} "
                    "table). Choose a backup made by Kit Share.",
                )
            revisions = [
                str(row[0]) for row in connection.execute("SELECT version_num FROM alembic_version")
            ]
            counts = {
                table: int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table in ("equipment_items", "loans", "people")
            }
    except sqlite3.DatabaseError as error:
        raise _refuse_file(path, f"it is damaged ({error}). Use another backup.") from error
    head = schema.head_revision()
    if len(revisions) != 1:
        raise _refuse_file(
            path,
            "it does not say which schema revision it has, so Kit Share cannot tell how to "
            "read it. Choose another backup.",
        )
    revision = revisions[0]
    if not schema.is_known_revision(revision):
        raise _refuse_file(
            path,
            f"it was made by a newer Kit Share (schema {revision}), and this copy only "
            f"knows schemas up to {head}. Install the newer Kit Share, then restore it.",
        )
    return BackupCheck(
        path=path,
        revision=revision,
        taken_at=_taken_at(path),
        items=counts["equipment_items"],
        loans=counts["loans"],
        people=counts["people"],
        size=size,
        head=head,
    )


class StagedRestore:
    """A checked backup, copied aside and ready to restore; ``check`` says what it holds.

    Use as a context manager (or call ``discard``): the working copy is deleted at the
    end whether or not it was restored. The backup file itself is only ever read.
    """

    def __init__(self, path: Path) -> None:
        self.path = path.absolute()
        size = _check_whole_file(self.path)
        self._folder = Path(tempfile.mkdtemp(prefix="kitshare-restore-"))
        self.copy = self._folder / "staged.db"
        try:
            shutil.copyfile(self.path, self.copy)
            self.check = _inspect(self.path, self.copy, size)
        except BaseException:
            self.discard()
            raise

    def __enter__(self) -> StagedRestore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)

    @property
    def url(self) -> str:
        """The working copy's URL, to sign in against when the live database is lost."""
        return sqlite_url(self.copy)

    def restore_into(self, url: str, actor: Actor, *, now: datetime | None = None) -> RestoreResult:
        """Replace the database at ``url`` with this backup, keeping the replaced one aside.

        Needs ``Action.BACKUP``. Refused, with nothing changed, if the backup is the
        database itself, its schema cannot be upgraded, or the database stays locked.
        """
        require(actor, Action.BACKUP)
        moment = now or now_utc()
        live = database_path(url)
        if not live.parent.is_dir():
            raise BackupRefused(
                f"The folder {live.parent} does not exist. Create it first, or check the "
                "database URL; nothing was changed."
            )
        if live.exists() and live.samefile(self.path):
            raise BackupRefused(
                f"{self.path.name} is the database in use, not a backup of it. Choose a "
                "backup file; nothing was changed."
            )
        upgraded_from = self._upgrade()
        set_aside: Path | None = None
        try:
            set_aside = self._put_in_place(live, moment)
        except (sqlite3.Error, OSError) as error:
            raise BackupRefused(
                f"The backup could not be written into {live} ({error}). The database was "
                "not changed: check that its folder can be written and has room, then try "
                "again."
            ) from error
        result = RestoreResult(
            restored_from=self.path,
            set_aside=set_aside,
            check=self.check,
            upgraded_from=upgraded_from,
        )
        _record_restore(url, actor, result)
        return result

    def _put_in_place(self, live: Path, moment: datetime) -> Path | None:
        """Keep the live database aside, then write the working copy into it; where the
        replaced database went. If this fails the live database is as it was."""
        state = _live_state(live)
        if state == "missing":
            # Made by Kit Share, so for this account's eyes only (an empty file's mode stays).
            create_sqlite_file(live)
            with closing(_connect(self.copy)) as source, closing(_connect(live)) as target:
                _copy(source, target, live)
            return None
        set_aside = _claim_name(live.parent, replaced_name(live, moment))
        try:
            if state == "healthy":
                self._match_page_size(live)
                # Kept as it is, whatever its state: it is what the person had.
                _write_copy(live, set_aside, verify=False)
                with closing(_connect(self.copy)) as source, closing(_connect(live)) as target:
                    _copy(source, target, live)
            else:
                _set_aside_damaged(live, set_aside)
                _replace_damaged(self.copy, live)
        except BaseException:
            # Nothing was replaced, so there is nothing to keep aside.
            set_aside.unlink(missing_ok=True)
            set_aside.with_name(set_aside.name + "-wal").unlink(missing_ok=True)
            raise
        return set_aside

    def _upgrade(self) -> str | None:
        """Bring the working copy to this Kit Share's schema; the old revision, if any."""
        if not self.check.needs_upgrade:
            return None
        try:
            schema.upgrade_to_head(self.url)
        except KitShareError as error:
            raise _refuse_file(
                self.path,
                f"upgrading it from schema {self.check.revision} failed: {error.message}",
            ) from error
        with closing(_connect(self.copy)) as connection:
            connection.execute("PRAGMA journal_mode = DELETE")
        return self.check.revision

    def _match_page_size(self, live: Path) -> None:
        """Give the working copy the live file's page size: the backup API cannot write
        into a WAL database whose page size differs."""
        with closing(_connect(live)) as connection:
            wanted = int(connection.execute("PRAGMA page_size").fetchone()[0])
        with closing(_connect(self.copy)) as connection:
            if int(connection.execute("PRAGMA page_size").fetchone()[0]) != wanted:
                connection.execute("PRAGMA journal_mode = DELETE")
                connection.execute(f"PRAGMA page_size = {wanted}")
                connection.execute("VACUUM")


def _live_state(live: Path) -> str:
    """ "missing" (or empty), "healthy", or "damaged": what the restore replaces."""
    if not live.exists() or live.stat().st_size == 0:
        return "missing"
    with live.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            return "damaged"
    try:
        with closing(_connect(live)) as connection:
            found = connection.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError:
        return "damaged"
    return "healthy" if [str(row[0]) for row in found] == ["ok"] else "damaged"


def _set_aside_damaged(live: Path, set_aside: Path) -> None:
    """Keep the damaged file's bytes, and its write-ahead log, as they are."""
    shutil.copyfile(live, set_aside)
    for extra in ("-wal",):
        companion = live.with_name(live.name + extra)
        if companion.exists():
            kept = set_aside.with_name(set_aside.name + extra)
            os.close(os.open(kept, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, PRIVATE_FILE_MODE))
            shutil.copyfile(companion, kept)


def _replace_damaged(copy: Path, live: Path) -> None:
    """Put the restored database in place of a damaged one, which SQLite cannot write into."""
    fresh = live.with_name(f".{live.name}.restoring")
    fresh.unlink(missing_ok=True)
    create_sqlite_file(fresh)
    with closing(_connect(copy)) as source, closing(_connect(fresh)) as target:
        _copy(source, target, copy)
        target.execute("PRAGMA journal_mode = DELETE")
    try:
        # The restored file takes the place, and so the mode, of the one it replaces.
        fresh.chmod(stat.S_IMODE(live.stat().st_mode))
        for extra in ("-wal", "-shm", "-journal"):
            live.with_name(live.name + extra).unlink(missing_ok=True)
        os.replace(fresh, live)
    finally:
        fresh.unlink(missing_ok=True)


def _record_restore(url: str, actor: Actor, result: RestoreResult) -> None:
    db = open_database(url)
    try:
        with db.write() as session:
            # The account may not exist in the backup (made since): the name still shows.
            user_id = actor.user_id
            if user_id is not None:
                found = session.scalar(select(AppUser.username).where(AppUser.id == user_id))
                if found is None or (actor.username is not None and found != actor.username):
                    user_id = None
            record_change(
                session,
                replace(actor, user_id=user_id),
                "database.restored",
                "database",
                None,
                before=None,
                after={
                    "restored_from": str(result.restored_from),
                    "taken_at": result.check.taken_at.isoformat(),
                    "set_aside": str(result.set_aside) if result.set_aside else None,
                    "upgraded_from": result.upgraded_from,
                },
            )
    finally:
        db.dispose()


def replacement_warning(check: BackupCheck, url: str, now: datetime | None = None) -> str:
    """What restoring ``check``'s backup over the database at ``url`` does to it, for the
    person to confirm."""
    live = database_path(url)
    if not live.exists():
        return f"There is no database at {live} yet: the backup becomes it."
    return (
        f"Everything in the database now in use ({live}) will be replaced by this backup: "
        f"anything recorded after {format_datetime(check.taken_at)} will no longer show. "
        "The database now in use is first kept aside beside it, as "
        f"{replaced_name(live, now or now_utc())}."
    )


def check_backup(path: Path) -> BackupCheck:
    """Check that ``path`` is a backup this Kit Share can restore, and what it holds.

    Raises ``BackupRefused`` saying what is wrong (not a SQLite file, cut short, damaged,
    not Kit Share's, a newer schema, missing) and what to do.
    """
    with StagedRestore(path) as staged:
        return staged.check


def restore_backup(
    url: str, path: Path, actor: Actor, *, now: datetime | None = None
) -> RestoreResult:
    """Check the backup at ``path`` and restore it into the database at ``url``.

    The caller has had the person confirm it first.
    """
    if is_postgresql(url):
        raise BackupRefused(postgresql_refusal(url))
    with StagedRestore(path) as staged:
        return staged.restore_into(url, actor, now=now)


# -- automatic daily backups -----------------------------------------------------------------


@dataclass(frozen=True)
class BackupSchedule:
    """Whether to take a backup automatically each day, where, and how many to keep."""

    enabled: bool = False
    folder: Path | None = None  # None: the ``backups`` folder beside the database
    keep: int = DEFAULT_KEEP

    def folder_for(self, url: str) -> Path:
        return self.folder if self.folder is not None else default_backup_folder(url)


@dataclass(frozen=True)
class ScheduledBackup:
    """What one scheduled run did: the backup taken and the old ones deleted."""

    taken: BackupFile
    deleted: tuple[Path, ...]

    def describe(self) -> str:
        deleted = (
            f"; deleted {counted(len(self.deleted), 'older automatic backup')}"
            if self.deleted
            else ""
        )
        return f"Automatic backup taken: {self.taken.describe()}{deleted}."


def schedule_settings_path() -> Path:
    """Where the automatic backup settings are kept by default: the user's data folder."""
    return data_folder() / SCHEDULE_FILE_NAME


def check_keep(keep: int) -> None:
    if not 1 <= keep <= MOST_KEPT:
        raise BackupRefused(
            f"Keep between 1 and {MOST_KEPT} automatic backups, not {keep}: e.g. 7 for a week "
            "or 30 for a month."
        )


def load_schedule(path: Path | None = None) -> BackupSchedule:
    """The saved schedule; automatic backups off if none was saved."""
    settings = path or schedule_settings_path()
    if not settings.exists():
        return BackupSchedule()
    try:
        saved: Any = json.loads(settings.read_text(encoding="utf-8"))
        folder = saved.get("folder")
        schedule = BackupSchedule(
            enabled=bool(saved["enabled"]),
            folder=Path(folder) if folder else None,
            keep=int(saved.get("keep", DEFAULT_KEEP)),
        )
        check_keep(schedule.keep)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, BackupRefused) as error:
        raise BackupRefused(
            f"The automatic backup settings in {settings} cannot be read ({error}), so no "
            "automatic backup is taken. Set automatic backups again to replace them."
        ) from error
    return schedule


def save_schedule(actor: Actor, schedule: BackupSchedule, path: Path | None = None) -> Path:
    """Save ``schedule`` (needs ``Action.BACKUP``); returns the settings file written."""
    require(actor, Action.BACKUP)
    check_keep(schedule.keep)
    if schedule.folder is not None and not schedule.folder.is_dir():
        raise BackupRefused(
            f"The folder {schedule.folder} does not exist. Create it first, or leave the "
            "folder empty for the backups folder beside the database."
        )
    settings = path or schedule_settings_path()
    make_private_folder(settings.parent)
    text = json.dumps(
        {
            "enabled": schedule.enabled,
            "folder": str(schedule.folder) if schedule.folder is not None else None,
            "keep": schedule.keep,
        },
        indent=2,
    )
    # Written whole or not at all: a half-written file would stop the backups.
    partial = settings.with_name(settings.name + ".partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    os.replace(partial, settings)
    return settings


def _automatic_pattern(database: Path) -> re.Pattern[str]:
    return re.compile(
        rf"{re.escape(database.stem)}-{AUTOMATIC_MARK}-{_STAMP}(?:-(\d+))?"
        rf"{re.escape(BACKUP_SUFFIX)}"
    )


def automatic_backups(url: str, schedule: BackupSchedule) -> list[BackupFile]:
    """The schedule's own backups of this database, oldest first; no other file."""
    database = database_path(url)
    folder = schedule.folder_for(url)
    if not folder.is_dir():
        return []
    pattern = _automatic_pattern(database)
    found: list[tuple[datetime, int, BackupFile]] = []
    for entry in folder.iterdir():
        matched = pattern.fullmatch(entry.name)
        if matched is None or not entry.is_file():
            continue
        taken = taken_at_from_name(entry.name)
        if taken is None:
            continue
        number = int(matched.group(6) or 1)
        found.append((taken, number, BackupFile(entry, entry.stat().st_size, taken)))
    found.sort(key=lambda row: (row[0], row[1]))
    return [row[2] for row in found]


def last_automatic_backup(url: str, schedule: BackupSchedule) -> BackupFile | None:
    if is_postgresql(url):
        return None
    taken = automatic_backups(url, schedule)
    return taken[-1] if taken else None


def backup_due(url: str, schedule: BackupSchedule, now: datetime | None = None) -> bool:
    """Whether the schedule wants a backup now: it is on, the database is a SQLite file,
    and no automatic backup has been taken today (the UK date)."""
    if not schedule.enabled or is_postgresql(url):
        return False
    today: date = today_uk(now)
    return not any(backup.taken_at.date() == today for backup in automatic_backups(url, schedule))


def run_scheduled_backup(
    url: str, schedule: BackupSchedule, now: datetime | None = None
) -> ScheduledBackup | None:
    """Take today's automatic backup if it is due, then delete the oldest automatic
    backups beyond ``schedule.keep``. None if none was due (off, PostgreSQL, or taken
    already today). Files the schedule did not make are never touched."""
    moment = now or now_utc()
    if not schedule.enabled or is_postgresql(url):
        return None
    folder = schedule.folder_for(url)
    try:
        if not backup_due(url, schedule, moment):
            return None
        check_keep(schedule.keep)
        if schedule.folder is not None and not folder.is_dir():
            raise BackupRefused(
                f"The automatic backup folder {folder} is not there (a drive not plugged "
                "in?), so today's backup was not taken. Plug it in, or choose another "
                "folder in Automatic backups."
            )
        if schedule.folder is None:
            make_private_folder(folder)
        taken = _take(url, folder, moment, automatic=True)
        ours = automatic_backups(url, replace(schedule, folder=folder))
        deleted: list[Path] = []
        for backup in ours[: max(0, len(ours) - schedule.keep)]:
            if backup.path != taken.path:
                backup.path.unlink(missing_ok=True)
                deleted.append(backup.path)
    except OSError as error:
        raise BackupRefused(
            f"The automatic backup in {folder} could not be taken or tidied "
            f"({error.strerror or error}). Check the folder, or choose another in Automatic "
            "backups."
        ) from error
    return ScheduledBackup(taken=taken, deleted=tuple(deleted))
