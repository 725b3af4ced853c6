"""``kitshare-admin migrate``, ``setup-server``, ``seed-demo`` and ``info``: the database
itself."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from sqlalchemy.engine import URL, make_url

from app.cli.common import EXIT_OK, STATION_PASSWORD_ENV, new_password, opened, secret_from
from app.storage import schema
from app.storage.config import masked_url
from app.storage.database import open_database, table_counts

if TYPE_CHECKING:
    from app.cli.common import Subcommands


def add_commands(commands: Subcommands) -> None:
    """Add ``migrate``, ``seed-demo`` and ``info`` to ``kitshare-admin``."""
    migrate = commands.add_parser("migrate", help="upgrade the database to the newest schema")
    migrate.set_defaults(handler=cmd_migrate)
    setup = commands.add_parser(
        "setup-server",
        help="make a PostgreSQL server check each person's rights itself (run as its owner)",
        description=(
            "Create the roles, grants, guards and sign-in functions that let PostgreSQL "
            "enforce each Kit Share role, give every user a login of their own and the "
            "stations a login that can only sign people in. Run it with the database "
            "owner's credential; running it again only brings things up to date."
        ),
    )
    setup.add_argument(
        "--admin",
        metavar="USERNAME",
        help="an administrator's account to give a password now (KITSHARE_NEW_PASSWORD, or typed)",
    )
    setup.set_defaults(handler=cmd_setup_server)
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
        if db.secured:
            # New tables need their grants and guards.
            from app.storage.server import set_up

            with db.engine.begin() as connection:
                set_up(connection)
            print("Brought the server's roles, grants and guards up to date.")
        return EXIT_OK
    finally:
        db.dispose()


def cmd_setup_server(url: str, args: argparse.Namespace) -> int:
    from sqlalchemy import text

    from app.core.errors import DomainError
    from app.storage.server import STATION_ROLE, encrypt_password, set_up

    if make_url(url).get_backend_name() != "postgresql":
        raise DomainError(
            "setup-server is for a shared PostgreSQL server. A SQLite file is as private as "
            "the account of the PC that holds it: nothing to set up."
        )
    station_password = secret_from(
        STATION_PASSWORD_ENV,
        "No password for the stations' login",
        "Password for the stations' login: ",
        "Type it again: ",
    )
    with opened(url, offline=False) as db, db.engine.begin() as connection:
        users = connection.execute(text("SELECT id, username FROM app_users ORDER BY id")).all()
        if not users:
            raise DomainError(
                "There are no Kit Share users yet. Add the first administrator (kitshare-admin "
                "user add … --role administrator, with this same owner's URL), then run "
                "setup-server again."
            )
        set_up(connection, station_password)
        names = {name: user_id for user_id, name in users}
        if args.admin is not None and args.admin.strip().lower() not in names:
            raise DomainError(
                f"There is no user “{args.admin}”: give an administrator's user name."
            )
        for user_id, name in users:
            verifier = None
            if args.admin is not None and name == args.admin.strip().lower():
                verifier = encrypt_password(connection, name, new_password(name))
            connection.execute(
                text("SELECT kitshare_sync_login(:id, :verifier)"),
                {"id": user_id, "verifier": verifier},
            )
    owner = make_url(url)
    # A new URL, not the owner's with another name: nothing of the owner's password.
    station = URL.create(
        owner.drivername,
        username=STATION_ROLE,
        host=owner.host,
        port=owner.port,
        database=owner.database,
    )
    print(
        f"The server now checks each person's rights. Point every station at "
        f"{station.render_as_string(hide_password=False)} with the stations' password "
        f"(in .pgpass or PGPASSWORD); each person signs in as themselves."
    )
    waiting = [name for name in names if args.admin is None or name != args.admin.strip().lower()]
    if waiting:
        print(
            f"{len(waiting)} account(s) sign in once an administrator sets their password "
            "(kitshare-admin user reset-password NAME): " + ", ".join(waiting)
        )
    return EXIT_OK


def cmd_seed_demo(url: str, args: argparse.Namespace) -> int:
    from app.demo.loader import load_demo

    with opened(url, args, offline=False) as db:
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
