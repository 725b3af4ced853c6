"""``kitshare-admin``: the command line for administrators.

Every command ends with one clear sentence; a refused or failed action exits with
status 1 and changes nothing.

A command that changes data signs in first, as the window does: ``--user`` (or
``KITSHARE_USER``) names the account and the password comes from ``KITSHARE_PASSWORD``
or a prompt, so the audit trail names the person who ran it. Reading needs no sign-in,
except a list kept for some roles (qualifications expiring), read as ``--user`` too.

This module holds only the top-level parser and ``main``; each command group adds its
commands from a module of its own, and what they share is in ``app.cli.common``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from app.cli import (
    backup,
    catalogue,
    database,
    inspections,
    kits,
    loans,
    printing,
    qualifications,
    reports,
    station,
    transfer,
    users,
)
from app.cli.common import EXIT_INTERRUPTED, EXIT_OK, EXIT_REFUSED, USER_HELP, error_text
from app.core.errors import KitShareError
from app.storage.config import resolve_database_url

if TYPE_CHECKING:
    from app.cli.common import Handler, PdfWriter

# Each command group adds its commands, in the order ``--help`` lists them.
COMMAND_GROUPS = (
    database.add_commands,
    catalogue.add_commands,
    kits.add_commands,
    loans.add_commands,
    printing.add_commands,
    users.add_commands,
    qualifications.add_commands,
    inspections.add_commands,
    transfer.add_commands,
    backup.add_commands,
    reports.add_commands,
    station.add_commands,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kitshare-admin",
        description="Administer a Kit Share database from the command line.",
        epilog=(
            "The database comes from --database, else the KITSHARE_DATABASE_URL "
            "environment variable, else the Kit Share file in your user data folder. "
            "Commands that change data sign in as --user (else KITSHARE_USER), with the "
            "password from KITSHARE_PASSWORD or typed when asked; reading needs no sign-in, "
            "except a list kept for some roles (qualifications expiring)."
        ),
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="database URL, e.g. sqlite:///kitshare.db or postgresql://user:pw@host/kitshare",
    )
    parser.add_argument("--user", metavar="NAME", help=USER_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add_commands in COMMAND_GROUPS:
        add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None, *, pdf_writer: PdfWriter | None = None) -> int:
    """Run one command. ``pdf_writer`` prints PDFs: the ``kitshare-admin`` program passes
    Qt's, from ``ui.printing.documents``, which this layer may not import itself."""
    args = build_parser().parse_args(argv)
    args.pdf_writer = pdf_writer
    handler: Handler = args.handler
    try:
        url = resolve_database_url(args.database)
        return handler(url, args)
    except KitShareError as error:
        print(f"kitshare-admin: {error_text(error)}", file=sys.stderr)
        return EXIT_REFUSED
    except BrokenPipeError:
        # Output piped into `head` and cut short: not an error worth a traceback.
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print(
            "kitshare-admin: stopped; nothing was changed by the interrupted step.", file=sys.stderr
        )
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    raise SystemExit(main())
