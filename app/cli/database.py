"""``kitshare-admin migrate``, ``seed-demo`` and ``info``: the database itself."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.cli.common import EXIT_OK, opened
from app.storage import schema
from app.storage.config import masked_url
from app.storage.database import open_database, table_counts

if TYPE_CHECKING:
    from app.cli.common import Subcommands


def add_commands(commands: Subcommands) -> None:
    """Add ``migrate``, ``seed-demo`` and ``info`` to ``kitshare-admin``."""
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


def cmd_migrate(url: str, args: argparse.Namespace) -> int:
    # Asking for the schema is asking for a database here: an empty file may become one.
    db = open_database(url, migrate=False, empty_file_ok=True)
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
    from app.demo.loader import load_demo

    with opened(url) as db:
        load_demo(db)
        counts = table_counts(db)
    print(
        "Loaded the Cambridgeshire demo data: "
        f"{counts['equipment_items']} items, {counts['people']} people, "
        f"{counts['mous']} MoUs, {counts['loans']} loans."
    )
    return EXIT_OK


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
