"""``kitshare-admin``: the command line for administrators.

Every command ends with one clear sentence; a refused or failed action exits with
status 1 and changes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime

from app import schema
from app.clock import parse_uk_datetime
from app.config import masked_url, resolve_database_url
from app.database import open_database, table_counts
from app.errors import DomainError, KitShareError
from models import ItemStatus

EXIT_OK = 0
EXIT_REFUSED = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kitshare-admin",
        description="Administer a Kit Share database from the command line.",
        epilog=(
            "The database comes from --database, else the KITSHARE_DATABASE_URL "
            "environment variable, else the Kit Share file in your user data folder."
        ),
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="database URL, e.g. sqlite:///kitshare.db or postgresql://user:pw@host/kitshare",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    migrate = commands.add_parser("migrate", help="upgrade the database to the newest schema")
    migrate.set_defaults(handler=cmd_migrate)
    seed = commands.add_parser(
        "seed-demo", help="load the Cambridgeshire demo data into an empty database"
    )
    seed.set_defaults(handler=cmd_seed_demo)
    info = commands.add_parser(
        "info", help="show the database URL, schema revision and rows per table"
    )
    info.set_defaults(handler=cmd_info)

    search = commands.add_parser("search", help="search the catalogue as the window does")
    search.add_argument("text", nargs="?", default="", help="words, a tag or a fragment of one")
    search.add_argument("--category", help="category name")
    search.add_argument("--agency", help="owning agency: name or short code")
    search.add_argument("--site", help="home site name")
    search.add_argument("--status", choices=[s.value for s in ItemStatus], help="item status")
    search.add_argument(
        "--available-from", metavar="DATETIME", help="free from (DD/MM/YYYY HH:MM, UK time)"
    )
    search.add_argument("--available-to", metavar="DATETIME", help="free until")
    search.add_argument(
        "--quantity", type=int, default=1, help="how many must be free (pooled stock)"
    )
    search.add_argument("--limit", type=int, default=50, help="most rows to print (1–500)")
    search.add_argument("--json", action="store_true", help="print a JSON list")
    search.set_defaults(handler=cmd_search)
    return parser


def _when(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_uk_datetime(text)
    except ValueError as error:
        raise DomainError(str(error)) from None


def cmd_search(url: str, args: argparse.Namespace) -> int:
    from app.search import SearchFilters, search_items

    filters = SearchFilters(
        category=args.category,
        agency=args.agency,
        site=args.site,
        status=ItemStatus(args.status) if args.status else None,
        available_from=_when(args.available_from),
        available_to=_when(args.available_to),
        quantity=args.quantity,
    )
    if not 1 <= args.limit <= 500:
        raise DomainError("--limit must be between 1 and 500.")
    db = open_database(url)
    try:
        page = search_items(db, args.text, filters, limit=args.limit)
    finally:
        db.dispose()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": row.id,
                        "tag": row.asset_tag,
                        "name": row.name,
                        "category": row.category,
                        "agency": row.owner,
                        "agency_code": row.owner_code,
                        "site": row.home_site,
                        "status": row.status_code,
                        "quantity": row.quantity,
                        "available_quantity": row.available_quantity,
                    }
                    for row in page.rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return EXIT_OK
    if not page.rows:
        print("No items match.")
        return EXIT_OK
    for row in page.rows:
        free = f"{row.available_quantity}/{row.quantity} free" if row.is_pooled else row.status
        where = f"{row.owner_code:<10} {row.home_site[:28]:<28}"
        print(f"{row.asset_tag:<12} {row.name[:48]:<48} {where} {free}")
    shown = len(page.rows)
    more = f" (showing {shown}; use --limit for more)" if page.total > shown else ""
    print(f"{page.total} item{'s' if page.total != 1 else ''} found{more}.")
    return EXIT_OK


def cmd_migrate(url: str, args: argparse.Namespace) -> int:
    db = open_database(url, migrate=False)
    try:
        before = schema.current_revision(db.engine)
        head = schema.head_revision()
        if before == head:
            print(f"The database schema is already the newest ({head}).")
            return EXIT_OK
        schema.upgrade_to_head(url)
        print(f"Upgraded the database schema from {before or 'empty'} to {head}.")
        return EXIT_OK
    finally:
        db.dispose()


def cmd_seed_demo(url: str, args: argparse.Namespace) -> int:
    from app.demo import load_demo

    db = open_database(url)
    try:
        load_demo(db)
        counts = table_counts(db)
        print(
            "Loaded the Cambridgeshire demo data: "
            f"{counts['equipment_items']} items, {counts['people']} people, "
            f"{counts['mous']} MoUs, {counts['loans']} loans."
        )
        return EXIT_OK
    finally:
        db.dispose()


def cmd_info(url: str, args: argparse.Namespace) -> int:
    db = open_database(url, migrate=False)
    try:
        revision = schema.current_revision(db.engine)
        head = schema.head_revision()
        print(f"Database:  {masked_url(url)}")
        print(f"Location:  {db.location}")
        if revision is None:
            print(f"Schema:    none yet (run `kitshare-admin migrate` to create schema {head})")
            return EXIT_OK
        note = "newest" if revision == head else f"run `kitshare-admin migrate` to reach {head}"
        print(f"Schema:    {revision} ({note})")
        print("Rows per table:")
        counts = table_counts(db)
        width = max(len(name) for name in counts)
        for name, count in counts.items():
            print(f"  {name:<{width}}  {count:>8}")
        return EXIT_OK
    finally:
        db.dispose()


Handler = Callable[[str, argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        url = resolve_database_url(args.database)
        return handler(url, args)
    except KitShareError as error:
        print(f"kitshare-admin: {error.message}", file=sys.stderr)
        return EXIT_REFUSED
    except BrokenPipeError:
        # Output piped into `head` and cut short: not an error worth a traceback.
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print(
            "kitshare-admin: stopped; nothing was changed by the interrupted step.", file=sys.stderr
        )
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
