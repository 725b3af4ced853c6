"""``kitshare-admin backup`` and ``restore``: copies of the SQLite database.

``backup [FILE-OR-FOLDER]`` writes a consistent copy of the SQLite database while
others go on working: into a folder (a timestamped file, e.g.
``kitshare-2026-11-21-0314.db``), to a new file name, or by default into the ``backups``
folder beside the database. ``backup --schedule on|off|show [--keep N] [--folder DIR]``
sets the daily automatic backup the window takes. ``restore FILE [--yes]`` checks a
backup and puts it in place of the database, keeping the replaced one aside.

Both sign in (as an administrator): a backup is a copy of everyone's data. PostgreSQL is
backed up with ``pg_dump``/``pg_restore``, which both commands say.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli import common
from app.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    acting,
    add_command,
    changes_data,
    credentials,
)
from app.core.clock import format_datetime
from app.core.errors import DomainError, EnvironmentFault
from app.core.text import counted
from app.people.accounts import has_users, sign_in
from app.storage.backup import (
    BackupRefused,
    BackupSchedule,
    StagedRestore,
    back_up,
    database_path,
    is_postgresql,
    last_automatic_backup,
    load_schedule,
    postgresql_refusal,
    replacement_warning,
    save_schedule,
)
from app.storage.database import open_database

if TYPE_CHECKING:
    from app.cli.common import Subcommands
    from app.core.actor import Actor

BACKUP_EPILOG = """\
Examples:
  kitshare-admin backup                       into the backups folder beside the database
  kitshare-admin backup E:\\KitShare           a timestamped file on a USB drive
  kitshare-admin backup before-import.db      a file of your choosing (never overwritten)
  kitshare-admin backup --schedule on --keep 14 --folder \\\\nas\\kitshare
  kitshare-admin backup --schedule show

The daily backup is taken by the Kit Share window: after someone signs in, and once a
day while it stays open (UK dates). It is named like kitshare-auto-2026-11-21-0314.db;
only those files are deleted when there are more than --keep (default 7). Backups you
take yourself are never deleted.

A PostgreSQL database is backed up with the server's own tools (pg_dump -Fc, and
pg_restore --clean to restore): see the README.

Exit status: 0 when the backup was written (or the schedule saved); 1 when refused.
"""

RESTORE_EPILOG = """\
The file is checked first: it must be a whole SQLite file that passes SQLite's integrity
check, a Kit Share database, and from this version of Kit Share or an older one (an
older one is upgraded). The database it replaces is kept aside beside it, named like
kitshare.replaced-2026-11-21-0314.db. If the database in use is lost or damaged, sign
in with an account in the backup.

Restoring asks you to type y; --yes answers for you (for scripts). Without a terminal
and without --yes nothing is restored.

Exit status: 0 when restored; 1 when refused or not confirmed (nothing was changed).
"""


def add_commands(commands: Subcommands) -> None:
    """Add ``backup`` and ``restore`` to ``kitshare-admin``."""
    backup = add_command(
        commands,
        "backup",
        "back up the SQLite database, or set the daily automatic backup",
        cmd_backup,
        description=(
            "Write a consistent copy of the SQLite database while others go on working.\n"
            "With --schedule, set the daily automatic backup instead."
        ),
        epilog=BACKUP_EPILOG,
    )
    backup.add_argument(
        "destination",
        nargs="?",
        metavar="FILE-OR-FOLDER",
        type=Path,
        help="a folder for a timestamped file, or a new .db file (default: the backups "
        "folder beside the database)",
    )
    backup.add_argument(
        "--schedule",
        choices=["on", "off", "show"],
        help="turn the daily automatic backup on or off, or show how it is set",
    )
    backup.add_argument(
        "--keep",
        type=int,
        metavar="N",
        help="with --schedule on: how many automatic backups to keep (default 7)",
    )
    backup.add_argument(
        "--folder",
        type=Path,
        metavar="DIR",
        help="with --schedule on: where automatic backups go (default: the backups folder "
        "beside the database)",
    )
    changes_data(backup)

    restore = add_command(
        commands,
        "restore",
        "replace the SQLite database with a backup, keeping the replaced one aside",
        cmd_restore,
        description="Check a backup file and, once confirmed, put it in place of the database.",
        epilog=RESTORE_EPILOG,
    )
    restore.add_argument("file", metavar="FILE", type=Path, help="the backup file (.db)")
    restore.add_argument("--yes", action="store_true", help="restore without asking (for scripts)")
    changes_data(restore)


def _refuse_postgresql(url: str) -> None:
    if is_postgresql(url):
        raise BackupRefused(postgresql_refusal(url))


def cmd_backup(url: str, args: argparse.Namespace) -> int:
    if args.schedule is not None:
        return _cmd_schedule(url, args)
    if args.keep is not None or args.folder is not None:
        raise DomainError(
            "--keep and --folder set the daily automatic backup: give them with "
            "--schedule on. For a backup now, give the file or folder on its own."
        )
    _refuse_postgresql(url)
    with acting(url, args) as (_db, actor):
        taken = back_up(url, actor, args.destination)
    print(f"Backed up the database to {taken.path} ({taken.size_text}).")
    return EXIT_OK


def _cmd_schedule(url: str, args: argparse.Namespace) -> int:
    if args.destination is not None:
        raise DomainError(
            "Give the folder for automatic backups with --folder DIR, not on its own."
        )
    current = load_schedule()
    if args.schedule == "show":
        if args.keep is not None or args.folder is not None:
            raise DomainError("--keep and --folder go with --schedule on, not show.")
        print(describe_schedule(url, current))
        return EXIT_OK
    if args.schedule == "off":
        if args.keep is not None or args.folder is not None:
            raise DomainError("--keep and --folder go with --schedule on, not off.")
        wanted = replace(current, enabled=False)
    else:
        _refuse_postgresql(url)
        wanted = BackupSchedule(
            enabled=True,
            folder=args.folder.absolute() if args.folder is not None else current.folder,
            keep=args.keep if args.keep is not None else current.keep,
        )
    with acting(url, args) as (_db, actor):
        settings = save_schedule(actor, wanted)
    print(describe_schedule(url, wanted))
    print(f"Saved in {settings}.")
    return EXIT_OK


def describe_schedule(url: str, schedule: BackupSchedule) -> str:
    """How the daily backup is set, and the last one taken, in a sentence or two."""
    if not schedule.enabled:
        return "Automatic daily backups are off."
    if is_postgresql(url):
        return (
            "Automatic daily backups are on, but this database is on PostgreSQL, which "
            "the server's own tools back up (pg_dump); Kit Share takes none of it."
        )
    kept = counted(schedule.keep, "automatic backup")
    text = (
        f"Automatic daily backups are on: one a day into {schedule.folder_for(url)}, "
        f"keeping the newest {kept}."
    )
    last = last_automatic_backup(url, schedule)
    if last is None:
        return f"{text} None has been taken yet."
    return (
        f"{text} The last was taken {format_datetime(last.taken_at)}: {last.path.name} "
        f"({last.size_text})."
    )


def cmd_restore(url: str, args: argparse.Namespace) -> int:
    _refuse_postgresql(url)
    # Asked through the module, so that a test can stand in for the terminal.
    if not args.yes and not common.interactive():
        raise DomainError(
            "A restore replaces the whole database, so it must be confirmed: add --yes, or "
            "run kitshare-admin in a terminal to answer. Nothing was restored."
        )
    with StagedRestore(args.file) as staged:
        check = staged.check
        print(f"Backup: {check.summary()}")
        print(f"Schema: {check.schema_note()}.")
        actor = _restore_actor(url, args, staged)
        print(replacement_warning(check, url))
        if not args.yes and not _confirmed():
            print("Nothing was restored; the database is as it was.")
            return EXIT_REFUSED
        result = staged.restore_into(url, actor)
    print(result.describe())
    return EXIT_OK


def _confirmed() -> bool:
    """Whether the person at the terminal typed y."""
    try:
        answer = input("Restore this backup? Type y to go ahead: ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _restore_actor(url: str, args: argparse.Namespace, staged: StagedRestore) -> Actor:
    """Who restores: signed in on the database in use, or, when that is lost or damaged,
    on the backup (whose accounts are the ones there will be)."""
    given = credentials(args)
    live = database_path(url)
    target = staged.url
    if live.exists():
        try:
            db = open_database(url)
        except EnvironmentFault as fault:
            print(fault.message)
            print("Signing in with an account in the backup instead.")
        else:
            try:
                if has_users(db):
                    return sign_in(db, given.username, given.password)
            finally:
                db.dispose()
    else:
        print(f"There is no database at {live}: signing in with an account in the backup.")
    db = open_database(target)
    try:
        return sign_in(db, given.username, given.password)
    finally:
        db.dispose()
