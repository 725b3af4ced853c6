"""``kitshare-admin``: the command line for administrators.

Every command ends with one clear sentence; a refused or failed action exits with
status 1 and changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from app import schema
from app.config import masked_url, resolve_database_url
from app.database import open_database, table_counts
from app.errors import KitShareError

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
    return parser


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
