"""What every ``kitshare-admin`` command group shares.

Exit statuses, the parser's types, opening the database, signing in for a command that
changes data or shows what only some roles may see (``acting``), printing JSON, the
argument types for dates and record numbers, and how an error is told. Every group module
imports from here; this module imports none of them.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from app.core.clock import UK, format_datetime, parse_uk_date, parse_uk_datetime
from app.core.errors import (
    DatabaseUnavailable,
    DomainError,
    KitShareError,
    NotPermitted,
    Refusal,
    Refused,
)
from app.people.accounts import sign_in
from app.storage.database import Database, PasswordNeeded, open_database
from app.storage.offline import is_server_url, open_offline, usable_copy
from app.storage.station_copy import default_copy_path

if TYPE_CHECKING:
    from app.catalogue.directory import AgencyRef
    from app.core.actor import Actor
    from app.documents.content import LabelSheet, PrintedDocument

    Printable: TypeAlias = PrintedDocument | LabelSheet
    # Generic only to type checkers; subscripting it at run time fails.
    Subcommands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

EXIT_OK = 0
EXIT_REFUSED = 1
# What a shell reports for a program stopped by Ctrl+C (128 + SIGINT).
EXIT_INTERRUPTED = 130

USER_ENV = "KITSHARE_USER"
PASSWORD_ENV = "KITSHARE_PASSWORD"
NEW_PASSWORD_ENV = "KITSHARE_NEW_PASSWORD"
# The password of the login every station holds (``kitshare-admin setup-server``).
STATION_PASSWORD_ENV = "KITSHARE_STATION_PASSWORD"
USER_HELP = (
    f"the account to sign in as for a command that changes data (default: {USER_ENV}); "
    f"the password comes from {PASSWORD_ENV}, else it is asked for"
)

Handler = Callable[[str, argparse.Namespace], int]
"""Runs one command on the database at the URL; returns the exit status."""
PdfWriter = Callable[["Printable", Path], int]
"""Lays a document out as a PDF file and returns its page count (``ui.printing.documents``)."""


# -- the parser ------------------------------------------------------------------------------


def add_command(
    parent: Subcommands,
    name: str,
    summary: str,
    handler: Handler,
    *,
    description: str | None = None,
    epilog: str | None = None,
    changes: bool = False,
) -> argparse.ArgumentParser:
    """A command (or an action of one) run by ``handler``, described by ``summary`` made a
    sentence unless a ``description`` is given; one that ``changes`` data signs in
    (``--user`` may follow it)."""
    sub = parent.add_parser(
        name,
        help=summary,
        description=description or f"{summary[0].upper()}{summary[1:]}.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if changes:
        changes_data(sub)
    sub.set_defaults(handler=handler, parser=sub)
    return sub


def add_group(
    commands: Subcommands, name: str, summary: str, *, description: str, epilog: str, dest: str
) -> Subcommands:
    """A command made of actions (``loan request``, ``defect list``): the actions' parent,
    whose chosen action's name goes in ``dest``."""
    group = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return group.add_subparsers(dest=dest, metavar="ACTION", required=True)


def add_json_option(
    parser: argparse.ArgumentParser, help: str = "print a JSON list"
) -> argparse.Action:
    return parser.add_argument("--json", action="store_true", help=help)


def add_agency_option(
    parser: argparse.ArgumentParser, help: str = "only this agency: name or short code"
) -> argparse.Action:
    return parser.add_argument("--agency", help=help)


# Record numbers are the databases' INTEGER ids: anything larger names no record, and
# would overflow the query that looks for it.
LARGEST_RECORD_NUMBER = 2_147_483_647


def record_number(text: str) -> int:
    """A loan's or defect's number, for an argument; anything else is a usage error."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= LARGEST_RECORD_NUMBER:
        raise argparse.ArgumentTypeError(
            f"“{text}” is not a record number: give the number Kit Share shows, e.g. 12"
        )
    return number


def uk_date(text: str) -> date:
    """A day typed as DD/MM/YYYY, for an option; anything else is a usage error."""
    try:
        day = parse_uk_date(text)
    except DomainError as error:
        raise argparse.ArgumentTypeError(error.message) from None
    if day is None:
        raise argparse.ArgumentTypeError("give a date as DD/MM/YYYY, e.g. 21/11/2026")
    return day


def when(text: str | None, what: str = "date and time") -> datetime | None:
    """An option's date and time, UK local unless it gives an offset (``BadDate`` if not)."""
    if text is None:
        return None
    return parse_uk_datetime(text, what)


def check_limit(limit: int) -> None:
    """Refuse a ``--limit`` outside what one page of rows may hold."""
    if not 1 <= limit <= 500:
        raise DomainError("--limit must be between 1 and 500.")


# -- the database ----------------------------------------------------------------------------


@contextmanager
def opened(
    url: str, args: argparse.Namespace | None = None, *, offline: bool = True
) -> Iterator[Database]:
    """The database at ``url``, disposed of when the command is done with it.

    A server that checks each person's rights (``app.storage.server``) shows nothing to
    the stations' login: there the command signs in as ``--user`` first, even to read.
    A server that cannot be reached is answered for by the station copy, saying so on
    stderr (unless ``offline`` is False: the command needs the server itself).
    """
    db = open_or_offline(url) if offline else open_database(url)
    try:
        if db.secured and args is not None:
            from app.people.accounts import sign_in

            given = credentials(args, "reads a server that checks each person's rights")
            sign_in(db, given.username, given.password)
        yield db
    finally:
        db.dispose()


def open_or_offline(url: str) -> Database:
    """The server at ``url``, or, when it cannot be reached, this station's copy of it
    (``app.storage.offline``): reading commands answer from it, emergency issues and
    returns go into the outbox, and every other change is refused, each saying so."""
    try:
        return open_database(url)
    except DatabaseUnavailable as error:
        if isinstance(error, PasswordNeeded) or not is_server_url(url):
            raise
        info = usable_copy(url, default_copy_path(), error.message)
        why = error.message.rstrip(".")
    db = open_offline(url, info)
    print(
        f"kitshare-admin: Offline: {why}. Answering from the station "
        f"copy taken {format_datetime(info.taken_at)} ({info.age_words()}); emergency "
        "issues and returns are kept in the outbox until `kitshare-admin station send`.",
        file=sys.stderr,
    )
    return db


def agency_named(db: Database, text: str | None) -> AgencyRef | None:
    """The agency an ``--agency`` option names, or None when it is not given."""
    from app.catalogue.directory import find_agency

    return find_agency(db, text) if text is not None else None


def agency_id_named(db: Database, text: str | None) -> int | None:
    agency = agency_named(db, text)
    return agency.id if agency is not None else None


# -- signing in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """Whom a changing command signs in as; the password never shows in a repr."""

    username: str
    password: str = field(repr=False)


def changes_data(parser: argparse.ArgumentParser) -> None:
    """Mark ``parser``'s command as one that signs in; ``--user`` may also follow it."""
    add_user_option(parser, USER_HELP)


def add_user_option(parser: argparse.ArgumentParser, help: str) -> argparse.Action:
    """``--user`` after ``parser``'s command, for one that signs in."""
    # SUPPRESS: left out here, the --user given before the command (or none) stands.
    return parser.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS, help=help)


def interactive() -> bool:
    """Whether someone is at a terminal to type a password."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except ValueError:  # stdin closed
        return False


def typed(prompt: str) -> str:
    """What is typed at ``prompt`` without echo; nothing if input ends (Ctrl+D)."""
    try:
        return getpass.getpass(prompt)
    except EOFError:
        return ""


def credentials(args: argparse.Namespace, why: str = "changes data") -> Credentials:
    """Who signs in for a command that ``why`` (changes data, unless it says otherwise),
    and their password, before anything opens."""
    username = (args.user or os.environ.get(USER_ENV) or "").strip()
    if not username:
        command = getattr(args, "parser", None)
        what = f"`{command.prog}`" if command is not None else "This command"
        raise NotPermitted(
            f"{what} {why}, so it is done as a named user: give --user NAME (or set "
            f"{USER_ENV}), with the password in {PASSWORD_ENV} or typed when asked."
        )
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        if not interactive():
            raise NotPermitted(
                f"No password for “{username}”: set {PASSWORD_ENV}, or run kitshare-admin "
                "in a terminal to type it."
            )
        password = typed(f"Password for {username}: ")
        if not password:
            # Not tried: an empty answer should not count towards the lock-out.
            raise NotPermitted(f"No password typed for “{username}”; nothing was changed.")
    return Credentials(username, password)


@contextmanager
def acting(
    url: str, args: argparse.Namespace, why: str = "changes data"
) -> Iterator[tuple[Database, Actor]]:
    """The database, and the actor signed in as ``--user`` for the change about to be made
    (or for whatever else ``why`` says the command needs someone in a role for)."""
    given = credentials(args, why)
    with opened(url) as db:
        yield db, sign_in(db, given.username, given.password)


def secret_from(variable: str, missing: str, prompt: str, again: str) -> str:
    """A password from the environment ``variable``, or typed twice (``prompt``, then
    ``again``); ``missing`` begins the sentence when neither can be had."""
    password = os.environ.get(variable)
    if password:
        return password
    if not interactive():
        raise DomainError(
            f"{missing}: set {variable}, or run kitshare-admin in a terminal to type it."
        )
    first = typed(prompt)
    if first != typed(again):
        raise DomainError(
            "The two passwords typed are not the same, so nothing was changed. Run the "
            "command again and type the same password twice."
        )
    return first


def new_password(username: str) -> str:
    """A new password for ``username``: from ``KITSHARE_NEW_PASSWORD``, or typed twice."""
    return secret_from(
        NEW_PASSWORD_ENV,
        f"No new password for “{username}”",
        f"New password for {username}: ",
        "Type the new password again: ",
    )


# -- output ----------------------------------------------------------------------------------


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def iso(value: datetime | None) -> str | None:
    """A moment for JSON: ISO 8601 in UK time, with its offset."""
    return value.astimezone(UK).isoformat(timespec="seconds") if value is not None else None


def iso_day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def sentence(text: str) -> str:
    """``text`` ending as a sentence does."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def ahead(days: int) -> str:
    """ "today", "in the next 30 days": how far ahead a list looks."""
    return "today" if days == 0 else f"in the next {days} day{'s' if days != 1 else ''}"


def naming_options(problems: Sequence[Refusal], options: dict[str, str]) -> list[Refusal]:
    """``problems``, each blamed on a field in ``options`` saying which option to give."""
    named = []
    for problem in problems:
        option = options.get(problem.field or "")
        said = f"{problem.message.rstrip('.')} ({option})." if option else problem.message
        named.append(replace(problem, message=said))
    return named


def error_text(error: KitShareError) -> str:
    """The message, with each broken rule on a line of its own when there are several."""
    if isinstance(error, Refused) and len(error.problems) > 1:
        listed = "\n".join(f"  {n}. {p.message}" for n, p in enumerate(error.problems, 1))
        return f"{len(error.problems)} things stop this:\n{listed}"
    return error.message
