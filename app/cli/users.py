"""``kitshare-admin user``: the accounts people sign in with, and their roles.

Every action but ``list`` is for an administrator, except ``add`` on a database with no
users yet, which makes the first administrator without signing in.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from app.cli.common import (
    EXIT_OK,
    add_command,
    add_group,
    add_json_option,
    agency_named,
    changes_data,
    credentials,
    iso,
    naming_options,
    new_password,
    opened,
    print_json,
)
from app.core.clock import format_datetime, now_utc
from app.core.errors import DomainError, Refusal
from app.core.permissions import with_article
from app.core.text import counted
from app.people.accounts import sign_in
from app.storage.database import Database
from models import AgencyKind, Role

if TYPE_CHECKING:
    from app.cli.common import Handler, Subcommands
    from app.core.actor import Actor
    from app.people.accounts import UserRow

ROLE_CHOICES = ", ".join(role.value for role in Role)

USER_EPILOG = f"""\
Roles: {ROLE_CHOICES}; any case, with spaces or underscores ("equipment manager").

Signing in: add, set-role, reset-password, disable and enable are for administrators:
--user NAME (else KITSHARE_USER), with the password in KITSHARE_PASSWORD or typed when
asked. A new password comes from KITSHARE_NEW_PASSWORD, else it is typed twice.

The first account: on a database with no users yet, `user add` makes the first
administrator without signing in. Name an agency already there with --agency, or make it
with --agency-code, --agency-name and --agency-kind; name the person with --person if
they are listed in People, else with --given-name, --family-name and --staff-number.

Examples:
  kitshare-admin user add admin --role administrator --given-name Claire \\
      --family-name Ashworth --staff-number PS60218 --agency-code CAMBS-POL \\
      --agency-name "Cambridgeshire Constabulary" --agency-kind police
  kitshare-admin --user admin user add d.okafor --person 2391 --role "duty officer"
  kitshare-admin --user admin user set-role d.okafor equipment_manager
  kitshare-admin user list --json
"""

FIRST_ONLY = ("given_name", "family_name", "staff_number", "agency_code", "agency_name")

# The option that fills each field the first administrator's checks point at.
FIRST_FIELDS = {
    "agency": "--agency",
    "agency_code": "--agency-code",
    "agency_name": "--agency-name",
    "given_name": "--given-name",
    "family_name": "--family-name",
    "staff_number": "--staff-number",
}


def role_named(text: str) -> Role:
    """The role ``text`` names: "Equipment manager", "equipment_manager", "ADMINISTRATOR"."""
    key = re.sub(r"[\s_-]+", "_", text.strip().lower())
    for role in Role:
        if role.value == key:
            return role
    raise argparse.ArgumentTypeError(f"“{text}” is not a role: give one of {ROLE_CHOICES}")


# -- the parser ------------------------------------------------------------------------------


def add_commands(commands: Subcommands) -> None:
    """Add ``user`` and its actions to ``kitshare-admin``."""
    actions = add_group(
        commands,
        "user",
        "add and list user accounts, change their roles, reset passwords, disable them",
        description="Keep the accounts people sign in with, and their roles.",
        epilog=USER_EPILOG,
        dest="user_command",
    )
    _add_add_action(actions)
    list_ = _action(actions, "list", "list every account", cmd_user_list, changes=False)
    add_json_option(list_)
    set_role = _action(actions, "set-role", "give an account another role", cmd_user_set_role)
    set_role.add_argument("role", type=role_named, metavar="ROLE", help=f"one of {ROLE_CHOICES}")
    _action(
        actions,
        "reset-password",
        "give an account a new password; this also ends a lock-out",
        cmd_user_reset_password,
    )
    _action(actions, "disable", "stop an account signing in", cmd_user_disable)
    _action(actions, "enable", "let a disabled account sign in again", cmd_user_enable)


def _action(
    actions: Subcommands, name: str, summary: str, handler: Handler, *, changes: bool = True
) -> argparse.ArgumentParser:
    """An action of ``user``; one that changes an account names it first."""
    sub = add_command(actions, name, summary, handler, epilog=USER_EPILOG)
    if changes:
        sub.add_argument("username", metavar="USERNAME", help="the account's user name")
        changes_data(sub)
    return sub


def _add_add_action(actions: Subcommands) -> None:
    add = _action(actions, "add", "add an account for someone listed in People", cmd_user_add)
    add.add_argument("--person", metavar="PERSON", help="who it is for: name or staff number")
    add.add_argument(
        "--agency", metavar="AGENCY", help="the person's agency, when the name is not enough"
    )
    add.add_argument(
        "--role", required=True, type=role_named, metavar="ROLE", help=f"one of {ROLE_CHOICES}"
    )
    first = add.add_argument_group(
        "the first administrator", "only on a database with no users yet; no sign-in needed"
    )
    first.add_argument("--given-name", metavar="NAME", help="their given name")
    first.add_argument("--family-name", metavar="NAME", help="their family name")
    first.add_argument("--staff-number", metavar="NUMBER", help="their collar or staff number")
    first.add_argument(
        "--agency-code", metavar="CODE", help="short code of a new agency, e.g. CAMBS-FRS"
    )
    first.add_argument("--agency-name", metavar="NAME", help="name of the new agency")
    first.add_argument(
        "--agency-kind",
        choices=[kind.value for kind in AgencyKind],
        default=AgencyKind.OTHER.value,
        help="what the new agency is (default: other)",
    )


# -- signing in as an administrator ----------------------------------------------------------


def _administrator(db: Database, args: argparse.Namespace) -> Actor:
    """Signed in as ``--user``, refused at once unless they may manage users."""
    from app.core.permissions import Action, require

    given = credentials(args)
    actor = sign_in(db, given.username, given.password)
    # Now, before asking for a new password that would not be used.
    require(actor, Action.MANAGE_USERS)
    return actor


@contextmanager
def _administering(url: str, args: argparse.Namespace) -> Iterator[tuple[Database, Actor]]:
    with opened(url, args) as db:
        yield db, _administrator(db, args)


def _account(row: UserRow) -> str:
    return f"“{row.username}” ({row.person_name}, {row.agency_code})"


def _refuse_before_the_password(
    problems: list[Refusal], options: dict[str, str] | None = None
) -> None:
    """Refuse what is wrong besides the password, before anyone is asked to type one;
    a problem with a field in ``options`` names the option to give."""
    from app.people.accounts import AccountRefused

    early = naming_options([p for p in problems if p.rule != "password"], options or {})
    if early:
        raise AccountRefused(early)


# -- the actions -----------------------------------------------------------------------------


def cmd_user_add(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_person
    from app.people.accounts import UserDraft, check_user, create_user, find_user, has_users

    with opened(url, args) as db:
        if not has_users(db):
            return _first_administrator(db, args)
        given = [f"--{name.replace('_', '-')}" for name in FIRST_ONLY if getattr(args, name)]
        if given:
            raise DomainError(
                f"This database already has users, so {', '.join(given)} (for the first "
                "administrator only) cannot be used: add the person in People, then name "
                "them with --person."
            )
        if args.person is None:
            raise DomainError(
                "Say who the account is for with --person NAME OR STAFF NUMBER; "
                "`kitshare-admin people` lists everyone."
            )
        actor = _administrator(db, args)
        agency = agency_named(db, args.agency)
        person = find_person(db, args.person, prefer_agency_id=agency.id if agency else None)
        if agency is not None and person.agency_id != agency.id:
            raise DomainError(f"{person.label} works for {person.agency}, not {agency.name}.")
        draft = UserDraft(username=args.username, person_id=person.id, role=args.role, password="")
        _refuse_before_the_password(check_user(db, draft))
        draft = replace(draft, password=new_password(args.username.strip().lower()))
        create_user(db, draft, actor)
        row = find_user(db, args.username)
    print(f"Added the account {_account(row)}, {with_article(row.role)}; it can sign in now.")
    return EXIT_OK


def _first_administrator(db: Database, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_person
    from app.people.accounts import (
        FirstAdministrator,
        check_first_administrator,
        create_first_administrator,
    )

    if args.role is not Role.ADMINISTRATOR:
        raise DomainError(
            "This database has no users yet, and its first account must be an administrator, "
            "who then adds everyone else: give --role administrator."
        )
    agency = agency_named(db, args.agency)
    draft = FirstAdministrator(
        given_name=args.given_name or "",
        family_name=args.family_name or "",
        staff_number=args.staff_number or "",
        username=args.username,
        password="",
        agency_id=agency.id if agency is not None else None,
        agency_code=args.agency_code or "",
        agency_name=args.agency_name or "",
        agency_kind=AgencyKind(args.agency_kind),
    )
    if args.person is not None:
        # Someone already listed (a database from before accounts): their record is kept,
        # found again by agency and staff number; the names only fill the form.
        person = find_person(db, args.person, prefer_agency_id=draft.agency_id)
        given, _, family = person.name.partition(" ")
        draft = replace(
            draft,
            given_name=given,
            family_name=family or given,
            staff_number=person.staff_number,
            agency_id=person.agency_id,
        )
    _refuse_before_the_password(check_first_administrator(db, draft), FIRST_FIELDS)
    draft = replace(draft, password=new_password(args.username.strip().lower()))
    actor = create_first_administrator(db, draft)
    print(
        f"Made {actor.name} the first administrator. Sign in with --user {actor.username} "
        "to add everyone else."
    )
    return EXIT_OK


def _locked_until(row: UserRow, now: datetime) -> datetime | None:
    return row.locked_until if row.locked_until is not None and row.locked_until > now else None


def cmd_user_list(url: str, args: argparse.Namespace) -> int:
    from app.people.accounts import list_users

    with opened(url, args) as db:
        rows = list_users(db)
    now = now_utc()
    if args.json:
        print_json(
            [
                {
                    "id": row.id,
                    "username": row.username,
                    "person": row.person_name,
                    "staff_number": row.staff_number,
                    "agency": row.agency,
                    "agency_code": row.agency_code,
                    "role": row.role.value,
                    "role_words": row.role_words,
                    "active": row.is_active,
                    "locked_until": iso(_locked_until(row, now)),
                    "last_signed_in": iso(row.last_signed_in_at),
                }
                for row in rows
            ]
        )
        return EXIT_OK
    if not rows:
        print(
            "No accounts yet. Make the first administrator with `kitshare-admin user add NAME "
            "--role administrator …` (see `kitshare-admin user add --help`)."
        )
        return EXIT_OK
    print(
        f"{'Username':<20} {'Person':<26} {'Agency':<10} {'Role':<18} {'Status':<9} "
        f"{'Locked until':<16}  Last signed in"
    )
    for row in rows:
        print(
            f"{row.username[:20]:<20} {row.person_name[:26]:<26} {row.agency_code[:10]:<10} "
            f"{row.role_words:<18} {'active' if row.is_active else 'disabled':<9} "
            f"{format_datetime(_locked_until(row, now)):<16}  "
            f"{format_datetime(row.last_signed_in_at) or 'never'}"
        )
    print(f"{counted(len(rows), 'account')}.")
    return EXIT_OK


def _change_account(
    url: str,
    args: argparse.Namespace,
    *,
    already: Callable[[UserRow], bool],
    state: str,
    change: Callable[[Database, UserRow, Actor], None],
) -> UserRow | None:
    """``args.username``'s account as it was before ``change``; None, once that is said,
    when it is ``already`` in the ``state`` asked for."""
    from app.people.accounts import find_user

    with _administering(url, args) as (db, actor):
        row = find_user(db, args.username)
        if already(row):
            print(f"{_account(row)} is already {state}; nothing changed.")
            return None
        change(db, row, actor)
    return row


def cmd_user_set_role(url: str, args: argparse.Namespace) -> int:
    from app.people.accounts import set_role

    role: Role = args.role
    row = _change_account(
        url,
        args,
        already=lambda row: row.role is role,
        state=with_article(role),
        change=lambda db, row, actor: set_role(db, row.id, role, actor),
    )
    if row is not None:
        print(f"{_account(row)} is now {with_article(role)}, no longer {with_article(row.role)}.")
    return EXIT_OK


def cmd_user_reset_password(url: str, args: argparse.Namespace) -> int:
    from app.people.accounts import find_user, reset_password

    with _administering(url, args) as (db, actor):
        row = find_user(db, args.username)
        reset_password(db, row.id, new_password(row.username), actor)
    print(f"Set a new password for {_account(row)}; any lock-out is over.")
    return EXIT_OK


def _set_active(url: str, args: argparse.Namespace, *, active: bool) -> int:
    from app.people.accounts import set_active

    state = "enabled" if active else "disabled"
    row = _change_account(
        url,
        args,
        already=lambda row: row.is_active is active,
        state=state,
        change=lambda db, row, actor: set_active(db, row.id, active, actor),
    )
    if row is not None:
        can = "can sign in again" if active else "can no longer sign in"
        print(f"{_account(row)} is {state}: the account {can}.")
    return EXIT_OK


def cmd_user_disable(url: str, args: argparse.Namespace) -> int:
    return _set_active(url, args, active=False)


def cmd_user_enable(url: str, args: argparse.Namespace) -> int:
    return _set_active(url, args, active=True)
