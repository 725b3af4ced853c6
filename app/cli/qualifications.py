"""``kitshare-admin qualifications --expiring``: renewals to book in time.

Booking renewals is an equipment manager's or an administrator's job, so the list is read
as ``--user`` (or ``KITSHARE_USER``), signed in as one of them.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.cli.common import (
    EXIT_OK,
    USER_ENV,
    acting,
    add_agency_option,
    add_json_option,
    add_user_option,
    agency_named,
    ahead,
    print_json,
)
from app.core.clock import format_date
from app.core.text import counted

if TYPE_CHECKING:
    from app.cli.common import Subcommands


def add_commands(commands: Subcommands) -> None:
    """Add ``qualifications`` to ``kitshare-admin``."""
    qualifications = commands.add_parser(
        "qualifications",
        help="list qualifications that expire soon, to book renewals in time",
        description=(
            "List people's qualifications that expire from today to --days ahead, soonest "
            "first; one already renewed is left out. The list is kept for equipment "
            "managers and administrators: it is read as --user NAME (or KITSHARE_USER), "
            "with the password in KITSHARE_PASSWORD or typed when asked."
        ),
    )
    qualifications.add_argument(
        "--expiring", action="store_true", help="those expiring soon (the one list so far)"
    )
    qualifications.add_argument(
        "--days", type=int, default=30, metavar="N", help="how far ahead to look (default: 30)"
    )
    add_agency_option(qualifications, "only this agency's people: name or short code")
    add_user_option(
        qualifications,
        f"read as this account, an equipment manager or administrator (default: {USER_ENV})",
    )
    add_json_option(qualifications)
    qualifications.set_defaults(handler=cmd_qualifications, parser=qualifications)


def cmd_qualifications(url: str, args: argparse.Namespace) -> int:
    from app.people.expiring import expiring_qualifications

    if not args.expiring:
        parser: argparse.ArgumentParser = args.parser
        parser.error("say which qualifications: --expiring lists those expiring soon")
    with acting(url, args, "lists what only some roles may see") as (db, actor):
        agency = agency_named(db, args.agency)
        rows = expiring_qualifications(
            db, actor, days=args.days, agency_id=agency.id if agency is not None else None
        )
    if args.json:
        print_json(
            [
                {
                    "qualification_id": row.qualification_id,
                    "person": row.person,
                    "staff_number": row.staff_number,
                    "agency": row.agency,
                    "agency_code": row.agency_code,
                    "qualification": row.qualification,
                    "expires_on": row.expires_on.isoformat(),
                    "days_left": row.days_left,
                }
                for row in rows
            ]
        )
        return EXIT_OK
    within = ahead(args.days)
    whose = f" for {agency.name}" if agency is not None else ""
    if not rows:
        print(f"No qualifications expire {within}{whose}.")
        return EXIT_OK
    print(
        f"{'Expires on':<10}  {'Person':<26} {'Staff no.':<10} {'Agency':<10} "
        f"{'Qualification':<34}  When"
    )
    for row in rows:
        print(
            f"{format_date(row.expires_on):<10}  {row.person[:26]:<26} "
            f"{row.staff_number[:10]:<10} {row.agency_code[:10]:<10} "
            f"{row.qualification[:34]:<34}  {row.when_text}"
        )
    count = counted(len(rows), "qualification")
    print(f"{count} expire{'s' if len(rows) == 1 else ''} {within}{whose}.")
    return EXIT_OK
