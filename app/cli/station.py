"""``kitshare-admin station …``: the station copy, the SQLite file a station keeps of
the shared database for when the server cannot be reached (``app.storage.station_copy``),
and the outbox of what was logged meanwhile (``app.loans.outbox``): ``status``,
``refresh``, ``send``, ``cancel``, ``resend``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    acting,
    add_command,
    add_group,
    add_json_option,
    add_user_option,
    iso,
    opened,
    print_json,
)
from app.core.clock import format_datetime, now_utc
from app.core.errors import DomainError
from app.core.text import counted
from app.loans.outbox import cancel_entry, describe, send_again, send_waiting
from app.storage.station_copy import (
    REFRESH_HINT,
    CopyInfo,
    copy_info,
    default_copy_path,
    refresh_copy,
)
from app.storage.station_outbox import OPEN_STATES, SENT, Outbox, OutboxRow, default_outbox

if TYPE_CHECKING:
    from app.cli.common import Subcommands

STATION_EPILOG = """\
Examples:
  kitshare-admin station status                 how old the copy is, and what it holds
  kitshare-admin station status --json
  kitshare-admin station refresh                take it again from the database now
  kitshare-admin station refresh --copy D:\\KitShare\\station-copy.db
  kitshare-admin station send                   send what was logged offline, in order
  kitshare-admin station resend 3f2c… --user duty
  kitshare-admin station cancel 3f2c… --reason "Kit came back before the server did"

The copy is a SQLite file, readable by your account only, in your Kit Share data folder
unless --copy names another. It holds the catalogue with its loans and bookings, the MoU
register, people and their qualifications, inspections and defects, and the accounts;
of the audit trail only what the reports read (when kit was retired). On a server that
checks each person's rights, refreshing signs in as --user (reading needs a person), and
the copy holds the accounts without their passwords, which the server keeps.

While the server cannot be reached, reading commands (search, loan list, printing…)
answer from the copy and say so on stderr; `loan issue --emergency` and `loan return` go
into the station's outbox, beside the copy, and every other change is refused. `station
send` sends the outbox once the server is back (the window does so by itself): each entry
once, in the order logged, as of when it was logged, in its person's name. What the
server refuses stays in the outbox with the server's sentence (see `station status`);
send it again once the cause is put right, or cancel it with a reason.

Exit status: 0 when done; 1 when there is no copy, it is damaged, it was not refreshed
(the previous copy is then kept as it was), or an entry sent was refused.
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
    send = add_command(
        station,
        "send",
        "send what this station logged offline to the server, in order",
        cmd_send,
        epilog=STATION_EPILOG,
    )
    add_user_option(send, "on a server that checks each person's rights, the account to send as")
    resend = add_command(
        station,
        "resend",
        "send an entry the server refused again, once its cause is put right",
        cmd_resend,
        epilog=STATION_EPILOG,
    )
    resend.add_argument("entry", metavar="ENTRY", help="the entry's id (or its first characters)")
    add_user_option(resend, "on a server that checks each person's rights, the account to send as")
    cancel = add_command(
        station,
        "cancel",
        "give up an entry of the outbox, saying why",
        cmd_cancel,
        epilog=STATION_EPILOG,
    )
    cancel.add_argument("entry", metavar="ENTRY", help="the entry's id (or its first characters)")
    cancel.add_argument("--reason", required=True, help="why: the lender's managers read it")
    add_user_option(cancel, "who cancels it")


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
    entries = default_outbox().rows()
    if info is None:
        print(
            f"kitshare-admin: There is no station copy at {path} yet: {REFRESH_HINT}.",
            file=sys.stderr,
        )
        _print_outbox(entries)
        return EXIT_REFUSED
    now = now_utc()
    if args.json:
        print_json({**status_json(info, now), "outbox": [outbox_json(row) for row in entries]})
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
    _print_outbox(entries)
    return EXIT_OK


def _print_outbox(entries: list[OutboxRow]) -> None:
    waiting = [row for row in entries if row.state in OPEN_STATES]
    if not entries:
        print("Outbox:       empty")
        return
    print(f"Outbox:       {counted(len(waiting), 'entry', 'entries')} to deal with")
    for row in entries:
        print(f"  {row.id[:8]}  {describe(row)}")


def outbox_json(row: OutboxRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "state": row.state,
        "summary": row.summary,
        "logged_by": row.logged_by,
        "logged_at": iso(row.logged_at),
        "loan_id": row.loan_id,
        "refusal": row.refusal,
        "resolution": row.resolution,
        "sent_at": iso(row.sent_at) if row.sent_at else None,
    }


def cmd_send(url: str, args: argparse.Namespace) -> int:
    outbox = default_outbox()
    with opened(url, args, offline=False) as db:
        report = send_waiting(db, outbox)
    print(report.sentence)
    for row in report.sent + report.refused:
        print(f"  {row.id[:8]}  {describe(row)}")
    if report.stopped:
        return EXIT_REFUSED
    return EXIT_REFUSED if report.refused else EXIT_OK


def _entry(outbox: Outbox, given: str) -> OutboxRow:
    found = [row for row in outbox.rows() if row.id.startswith(given.strip())]
    if len(found) != 1:
        raise DomainError(
            f"{'No' if not found else 'More than one'} outbox entry begins “{given}”: give "
            "more of its id, as `kitshare-admin station status` shows it."
        )
    return found[0]


def cmd_resend(url: str, args: argparse.Namespace) -> int:
    outbox = default_outbox()
    row = _entry(outbox, args.entry)
    with opened(url, args, offline=False) as db:
        after = send_again(db, outbox, row.id)
    print(describe(after))
    return EXIT_OK if after.state == SENT else EXIT_REFUSED


def cmd_cancel(url: str, args: argparse.Namespace) -> int:
    outbox = default_outbox()
    row = _entry(outbox, args.entry)
    with acting(url, args, "cancels an outbox entry") as (db, actor):
        cancel_entry(db, outbox, row.id, args.reason, actor)
    after = outbox.entry(row.id)
    assert after is not None
    print(describe(after))
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
    with opened(url, args, offline=False) as db:
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
