"""``kitshare-admin station status`` and ``station refresh``: the station copy, the
SQLite file a station keeps of the shared database for when the server cannot be
reached (``app.storage.station_copy``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    add_command,
    add_group,
    add_json_option,
    add_user_option,
    iso,
    opened,
    print_json,
)
from app.core.clock import format_datetime, now_utc
from app.core.text import counted
from app.storage.station_copy import (
    REFRESH_HINT,
    CopyInfo,
    copy_info,
    default_copy_path,
    refresh_copy,
)

if TYPE_CHECKING:
    from app.cli.common import Subcommands

STATION_EPILOG = """\
Examples:
  kitshare-admin station status                 how old the copy is, and what it holds
  kitshare-admin station status --json
  kitshare-admin station refresh                take it again from the database now
  kitshare-admin station refresh --copy D:\\KitShare\\station-copy.db

The copy is a SQLite file, readable by your account only, in your Kit Share data folder
unless --copy names another. It holds the catalogue with its loans and bookings, the MoU
register, people and their qualifications, inspections and defects, and the accounts;
of the audit trail only what the reports read (when kit was retired). On a server that
checks each person's rights, refreshing signs in as --user (reading needs a person), and
the copy holds the accounts without their passwords, which the server keeps.

Exit status: 0 when done; 1 when there is no copy, it is damaged, or it was not refreshed
(the previous copy is then kept as it was).
"""


def add_commands(commands: Subcommands) -> None:
    """Add ``station status`` and ``station refresh`` to ``kitshare-admin``."""
    station = add_group(
        commands,
        "station",
        "the station copy kept for when the server cannot be reached",
        description=(
            "The station copy: a SQLite file of the shared database that this station "
            "keeps, to go on finding kit when the server cannot be reached."
        ),
        epilog=STATION_EPILOG,
        dest="station_action",
    )
    status = add_command(
        station,
        "status",
        "say when the station copy was taken, from where, and what it holds",
        cmd_status,
        epilog=STATION_EPILOG,
    )
    _add_copy_option(status)
    add_json_option(status, "print it as JSON")
    refresh = add_command(
        station,
        "refresh",
        "take the station copy again from the database now",
        cmd_refresh,
        epilog=STATION_EPILOG,
    )
    _add_copy_option(refresh)
    add_user_option(
        refresh, "on a server that checks each person's rights, the account to read it as"
    )


def _add_copy_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--copy",
        metavar="PATH",
        type=Path,
        help="the copy's file (default: station-copy.db in your Kit Share data folder)",
    )


def _copy_path(args: argparse.Namespace) -> Path:
    given: Path | None = args.copy
    return given if given is not None else default_copy_path()


def cmd_status(url: str, args: argparse.Namespace) -> int:
    path = _copy_path(args)
    info = copy_info(path)
    if info is None:
        print(
            f"kitshare-admin: There is no station copy at {path} yet: {REFRESH_HINT}.",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    now = now_utc()
    if args.json:
        print_json(status_json(info, now))
        return EXIT_OK
    print(f"Station copy: {info.path}")
    print(f"Taken:        {format_datetime(info.taken_at)} ({info.age_words(now)})")
    who = f", read as {info.signed_in_as}" if info.signed_in_as else ""
    print(f"From:         {info.source}{who}")
    print(f"Size:         {info.size_text}")
    print(f"Schema:       {info.schema_revision}")
    for note in info.notes():
        print(note)
    print("Rows per table:")
    width = max(len(name) for name in info.rows)
    for name, count in info.rows.items():
        print(f"  {name:<{width}}  {count:>8,}")
    return EXIT_OK


def status_json(info: CopyInfo, now: Any) -> dict[str, Any]:
    return {
        "path": str(info.path),
        "taken_at": iso(info.taken_at),
        "age_seconds": int(info.age(now).total_seconds()),
        "age": info.age_words(now),
        "source": info.source,
        "signed_in_as": info.signed_in_as,
        "size": info.size,
        "schema": info.schema_revision,
        "accounts_can_sign_in": info.accounts_can_sign_in,
        "withheld": list(info.withheld),
        "audit_actions_kept": list(info.audit_actions),
        "rows": info.rows,
        "refresh_seconds": info.seconds,
    }


def cmd_refresh(url: str, args: argparse.Namespace) -> int:
    path = _copy_path(args)
    with opened(url, args) as db:
        info = refresh_copy(db, path)
    took = f" in {info.seconds:.1f} s" if info.seconds is not None else ""
    print(
        f"Refreshed the station copy {info.path} from {info.source}{took}: "
        f"{counted(info.rows.get('equipment_items', 0), 'item')}, "
        f"{counted(info.rows.get('loans', 0), 'loan')} and "
        f"{counted(info.rows.get('people', 0), 'person', 'people')} ({info.size_text})."
    )
    for note in info.notes():
        print(note)
    return EXIT_OK
