"""App users: signing in, lock-out after wrong passwords, and keeping the accounts.

A station PC is shared by a whole watch, so every change is made by someone who signed
in. Passwords are hashed with argon2 (``app.people.passwords``); neither they nor their hashes
ever reach the audit trail or a log.

After ``MAX_FAILED_ATTEMPTS`` wrong passwords in a row an account is locked for
``LOCKOUT``; a right password during the lock-out does not open it, and an
administrator resetting the password ends it.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from psycopg import sql
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, selectinload

from app.audit.record import record_change
from app.core.actor import Actor
from app.core.clock import format_datetime, now_utc
from app.core.errors import EnvironmentFault, NotFound, NotPermitted, Refusal, Refused
from app.core.permissions import Action, require, with_article
from app.core.text import clean_fields, clean_text
from app.core.vocabulary import label
from app.people.passwords import hash_password, verify_password
from app.storage.database import Database, PasswordRefused, translate_errors
from app.storage.server import encrypt_password, run_as_written
from app.storage.station_outbox import default_outbox
from models import Agency, AgencyKind, AppUser, Person, Role

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=5)
MIN_PASSWORD_LENGTH = 10
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,59}")

WRONG_SIGN_IN = "That user name and password do not match an account. Check them and try again."


class AccountRefused(Refused):
    """A change to a user account that the rules refuse; nothing was saved."""


class SignInRefused(NotPermitted):
    """A sign-in that did not succeed; ``locked_until`` is set while locked out."""

    def __init__(self, message: str, locked_until: datetime | None = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    person_id: int
    person_name: str
    staff_number: str
    agency_id: int
    agency_code: str
    agency: str
    role: Role
    is_active: bool
    locked_until: datetime | None
    last_signed_in_at: datetime | None

    @property
    def role_words(self) -> str:
        return label(self.role)


@dataclass(frozen=True)
class UserDraft:
    username: str
    person_id: int | None
    role: Role
    password: str


@dataclass(frozen=True)
class FirstAdministrator:
    """Who the first administrator of an empty database is.

    ``agency_id`` picks an agency already there; otherwise ``agency_code``,
    ``agency_name`` and ``agency_kind`` make one.
    """

    given_name: str
    family_name: str
    staff_number: str
    username: str
    password: str
    agency_id: int | None = None
    agency_code: str = ""
    agency_name: str = ""
    agency_kind: AgencyKind = AgencyKind.OTHER


# -- who is acting ---------------------------------------------------------------------


def actor_of(user: AppUser) -> Actor:
    """The actor a signed-in ``user`` acts as (its person must be loaded)."""
    return Actor(
        name=f"{user.person.full_name} ({user.username})",
        user_id=user.id,
        role=user.role,
        person_id=user.person_id,
        agency_id=user.person.agency_id,
        username=user.username,
    )


def _find_user(session: Session, username: str, *, lock: bool = False) -> AppUser | None:
    wanted = clean_text(username).strip().lower()
    if not wanted:
        return None
    statement = (
        select(AppUser)
        .where(func.lower(AppUser.username) == wanted)
        .options(selectinload(AppUser.person))
    )
    if lock:
        statement = statement.with_for_update()
    return session.scalars(statement).first()


@cache
def _stand_in_hash() -> str:
    return hash_password("no account has this password")


def _locked_message(user: AppUser, until: datetime) -> str:
    return _locked_text(until, user.username)


def _locked_text(until: datetime, username: str = "") -> str:
    return (
        f"Too many wrong passwords for “{username}”: the account is locked until "
        f"{format_datetime(until)[-5:]}. Try again then, or ask an administrator to reset "
        "the password."
    )


def sign_in(db: Database, username: str, password: str, *, now: datetime | None = None) -> Actor:
    """The actor ``username`` signs in as, if ``password`` is theirs.

    A wrong name and a wrong password get the same message. Each wrong password counts
    towards the lock-out, and is saved even though the sign-in fails.
    """
    moment = now or now_utc()
    if db.offline:
        return _sign_in_offline(db, username, password)
    actor = (
        _sign_in_to_server(db, username, password)
        if db.secured
        else _sign_in_here(db, username, password, moment)
    )
    if db.secured:
        _remember_for_offline(actor, password, moment)
    return actor


def _sign_in_here(db: Database, username: str, password: str, moment: datetime) -> Actor:
    """Sign in against the accounts table: a SQLite file, or a server whose stations
    share one credential."""
    failure: SignInRefused | None = None
    with db.write() as session:
        user = _find_user(session, username, lock=True)
        if user is None:
            # Take as long as a real check, so the answer's speed does not say which was wrong.
            verify_password(_stand_in_hash(), password)
            failure = SignInRefused(WRONG_SIGN_IN)
        elif user.locked_until is not None and user.locked_until > moment:
            failure = SignInRefused(_locked_message(user, user.locked_until), user.locked_until)
        elif not verify_password(user.password_hash, password):
            user.failed_attempts += 1
            if user.failed_attempts >= MAX_FAILED_ATTEMPTS:
                user.failed_attempts = 0
                user.locked_until = moment + LOCKOUT
                _audit_user(
                    session,
                    actor_of(user),
                    "user.locked_out",
                    user,
                    before=None,
                    after={"locked_until": user.locked_until.isoformat()},
                    note=f"{MAX_FAILED_ATTEMPTS} wrong passwords in a row",
                )
                failure = SignInRefused(_locked_message(user, user.locked_until), user.locked_until)
            else:
                left = MAX_FAILED_ATTEMPTS - user.failed_attempts
                failure = SignInRefused(WRONG_SIGN_IN + _tries_left_warning(left))
        elif not user.is_active:
            failure = SignInRefused(_disabled_message(user.username))
        else:
            user.failed_attempts = 0
            user.locked_until = None
            user.last_signed_in_at = moment
            actor = actor_of(user)
            _audit_user(session, actor, "user.signed_in", user, before=None, after=None)
            return actor
    assert failure is not None
    raise failure


def _remember_for_offline(actor: Actor, password: str, moment: datetime) -> None:
    """Keep a verifier of the password just accepted by the server, so that this person
    can sign in at this station while it cannot reach the server. A station that cannot
    keep it still signs the person in: only offline sign-in is lost, and said then."""
    if actor.username is None:
        return
    with suppress(EnvironmentFault):
        default_outbox().save_verifier(actor.username, hash_password(password), moment)


# Offline, the copy cannot be written: wrong passwords are counted in this program instead,
# towards the same lock-out as online (a station's window, or one command, at a time).
_offline_failures: dict[str, int] = {}
_offline_locks: dict[str, datetime] = {}


def _offline_failure(username: str, moment: datetime) -> SignInRefused:
    count = _offline_failures.get(username, 0) + 1
    if count >= MAX_FAILED_ATTEMPTS:
        _offline_failures.pop(username, None)
        _offline_locks[username] = until = moment + LOCKOUT
        return SignInRefused(_locked_text(until, username), until)
    _offline_failures[username] = count
    return SignInRefused(WRONG_SIGN_IN + _tries_left_warning(MAX_FAILED_ATTEMPTS - count))


def _sign_in_offline(db: Database, username: str, password: str) -> Actor:
    """Sign in from the station copy while the server cannot be reached: the copy's
    account (role, agency, enabled or not), and the password checked against the copy's
    hash or, where the server keeps the passwords, the verifier this station kept when
    the person last signed in here online."""
    wanted = clean_text(username).strip().lower()
    with db.read() as session:
        user = _find_user(session, wanted)
        stored = (user.password_hash or None) if user is not None else None
        if user is not None and stored is None:
            stored = default_outbox().verifier(user.username)
        if user is None:
            verify_password(_stand_in_hash(), password)
            raise SignInRefused(WRONG_SIGN_IN)
        if stored is None:
            raise SignInRefused(
                f"“{user.username}” has not signed in at this station while it could reach "
                "the server, so the password cannot be checked offline. Sign in as someone "
                "who has, or wait for the server."
            )
        moment = now_utc()
        locked = max(
            (t for t in (user.locked_until, _offline_locks.get(user.username)) if t),
            default=None,
        )
        if locked is not None and locked > moment:
            raise SignInRefused(_locked_message(user, locked), locked)
        if not verify_password(stored, password):
            raise _offline_failure(user.username, moment)
        if not user.is_active:
            raise SignInRefused(_disabled_message(user.username))
        _offline_failures.pop(user.username, None)
        actor = actor_of(user)
        login = user.username
    if db.secured:
        db.offline_login = (login, password)
    return actor


def _sign_in_to_server(db: Database, username: str, password: str) -> Actor:
    """Sign in where PostgreSQL checks the password: as the person's own login, so that
    from now on the server knows who does everything (``app.storage.server``)."""
    wanted = clean_text(username).strip().lower()
    if not wanted or db.station is None:
        raise SignInRefused(WRONG_SIGN_IN)
    with translate_errors(db.url), db.station.begin() as connection:
        state = connection.execute(
            text("SELECT kitshare_sign_in_state(:name)"), {"name": wanted}
        ).scalar_one()
    if state == "disabled":
        raise SignInRefused(_disabled_message(wanted))
    if state.startswith("locked:"):
        until = datetime.fromisoformat(state.removeprefix("locked:"))
        raise SignInRefused(_locked_text(until, wanted), until)
    try:
        db.connect_as(wanted, password)
    except PasswordRefused:
        with translate_errors(db.url), db.station.begin() as connection:
            left = connection.execute(
                text("SELECT kitshare_failed_sign_in(:name)"), {"name": wanted}
            ).scalar_one()
        if left == "locked":
            until = now_utc() + LOCKOUT
            raise SignInRefused(_locked_text(until, wanted), until) from None
        raise SignInRefused(WRONG_SIGN_IN + _tries_left_warning(int(left or 0))) from None
    with db.write() as session:
        user_id = session.execute(text("SELECT kitshare_signed_in()")).scalar_one()
        user = session.get(AppUser, user_id, options=[selectinload(AppUser.person)])
        assert user is not None
        actor = actor_of(user)
        _audit_user(session, actor, "user.signed_in", user, before=None, after=None)
        return actor


def _tries_left_warning(left: int) -> str:
    if not 0 < left <= 2:
        return ""
    return (
        f" {left} more wrong {'try' if left == 1 else 'tries'} and the account is "
        f"locked for {int(LOCKOUT.total_seconds() // 60)} minutes."
    )


def _disabled_message(username: str) -> str:
    return (
        f"The account “{username}” is disabled, so it cannot sign in. Ask an "
        "administrator to enable it."
    )


def has_users(db: Database) -> bool:
    """Whether any account exists: an empty database first needs its administrator.

    A server that checks each person's rights always has one (``kitshare-admin
    setup-server`` needs its first administrator), and shows the stations' login none."""
    if db.secured:
        return True
    with db.read() as session:
        return session.scalar(select(AppUser.id).limit(1)) is not None


def actor_for(db: Database, user_id: int) -> Actor:
    """The actor ``user_id`` acts as now (its role may have changed since sign-in)."""
    with db.read() as session:
        user = session.get(AppUser, user_id, options=[selectinload(AppUser.person)])
        if user is None:
            raise NotFound(f"There is no user account number {user_id}.")
        return actor_of(user)


# -- reading the accounts --------------------------------------------------------------


def _row(user: AppUser) -> UserRow:
    person = user.person
    return UserRow(
        id=user.id,
        username=user.username,
        person_id=person.id,
        person_name=person.full_name,
        staff_number=person.staff_number,
        agency_id=person.agency_id,
        agency_code=person.agency.code,
        agency=person.agency.name,
        role=user.role,
        is_active=user.is_active,
        locked_until=user.locked_until,
        last_signed_in_at=user.last_signed_in_at,
    )


def list_users(db: Database) -> list[UserRow]:
    """Every account, by user name."""
    with db.read() as session:
        users = session.scalars(
            select(AppUser)
            .options(selectinload(AppUser.person).selectinload(Person.agency))
            .order_by(AppUser.username)
        )
        return [_row(user) for user in users]


def find_user(db: Database, username: str) -> UserRow:
    """The account called ``username`` (any case)."""
    with db.read() as session:
        user = _find_user(session, username)
        if user is None:
            raise NotFound(
                f"No account has the user name “{username.strip()}”. "
                "`kitshare-admin user list` lists every account."
            )
        return _row(user)


# -- checking ----------------------------------------------------------------------------


def password_problems(password: str, username: str = "") -> list[Refusal]:
    """What is wrong with ``password`` as a new password, if anything."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [
            Refusal(
                "password",
                f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters; a short "
                "phrase is easier to remember than symbols.",
                "password",
            )
        ]
    if not password.strip():
        return [Refusal("password", "A password cannot be only spaces.", "password")]
    if username and password.strip().lower() == username.strip().lower():
        return [Refusal("password", "A password cannot be the user name.", "password")]
    return []


def _username_problems(session: Session, username: str) -> list[Refusal]:
    cleaned = username.strip().lower()
    if not cleaned:
        return [Refusal("username", "Give a user name, e.g. “j.smith”.", "username")]
    if not USERNAME_PATTERN.fullmatch(cleaned):
        return [
            Refusal(
                "username",
                f"“{username.strip()}” cannot be a user name: use 2 to 60 letters, digits, "
                "dots, dashes or underscores, starting with a letter or digit.",
                "username",
            )
        ]
    if _find_user(session, cleaned) is not None:
        return [
            Refusal("username", f"The user name “{cleaned}” is taken; choose another.", "username")
        ]
    return []


def _person_problems(session: Session, person_id: int | None) -> list[Refusal]:
    if person_id is None:
        return [Refusal("person", "Choose the person this account is for.", "person")]
    person = session.get(Person, person_id)
    if person is None or not person.is_active:
        return [Refusal("person", "Choose someone still listed in People.", "person")]
    holder = session.scalar(select(AppUser.username).where(AppUser.person_id == person_id))
    if holder is not None:
        return [
            Refusal(
                "person",
                f"{person.full_name} already has the account “{holder}”; one person has one "
                "account (change its role instead).",
                "person",
            )
        ]
    return []


def _user_problems(session: Session, draft: UserDraft) -> list[Refusal]:
    return [
        *_username_problems(session, draft.username),
        *_person_problems(session, draft.person_id),
        *password_problems(draft.password, draft.username),
    ]


def check_user(db: Database, draft: UserDraft) -> list[Refusal]:
    """Every problem with ``draft`` as a new account (empty if it can be saved)."""
    draft = clean_fields(draft, keep=("password",))
    with db.read() as session:
        return _user_problems(session, draft)


def _refuse_if(problems: list[Refusal]) -> None:
    if problems:
        raise AccountRefused(problems)


# -- changing the accounts -------------------------------------------------------------


def _snapshot(user: AppUser) -> dict[str, Any]:
    # Never the hash: the audit trail is read by people who must not get it.
    return {
        "username": user.username,
        "person_id": user.person_id,
        "role": user.role.value,
        "is_active": user.is_active,
    }


def _audit_user(
    session: Session,
    actor: Actor,
    action: str,
    user: AppUser,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str | None = None,
) -> None:
    session.flush()
    record_change(
        session, actor, action, "app_user", user.id, before=before, after=after, note=note
    )


def create_user(db: Database, draft: UserDraft, actor: Actor) -> int:
    """Add an account for a person listed in People; returns its id."""
    draft = clean_fields(draft, keep=("password",))
    require(actor, Action.MANAGE_USERS)
    with db.write() as session:
        _refuse_if(_user_problems(session, draft))
        user = _new_account(draft.username, draft.person_id, draft.role, draft.password)
        session.add(user)
        session.flush()
        if db.secured:
            _set_login_password(session, user, draft.password)
        _audit_user(session, actor, "user.created", user, before=None, after=_snapshot(user))
        return user.id


def _set_login_password(session: Session, user: AppUser, password: str) -> None:
    """Where the server checks passwords, give the account's login ``password`` (as
    its SCRAM verifier, made here: the password itself never reaches the server)."""
    connection = session.connection()
    session.execute(
        text("SELECT kitshare_set_password(:id, :verifier)"),
        {"id": user.id, "verifier": encrypt_password(connection, user.username, password)},
    )


def _new_account(username: str, person_id: int | None, role: Role, password: str) -> AppUser:
    """An enabled account as typed: its username trimmed and in lower case (usernames are
    matched so), its password hashed."""
    return AppUser(
        username=username.strip().lower(),
        person_id=person_id,
        role=role,
        password_hash=hash_password(password),
        is_active=True,
        failed_attempts=0,
    )


def _load_user(session: Session, user_id: int) -> AppUser:
    user = session.get(
        AppUser, user_id, options=[selectinload(AppUser.person)], with_for_update=True
    )
    if user is None:
        raise NotFound(f"There is no user account number {user_id}.")
    return user


def _other_active_administrators(session: Session, user: AppUser) -> int:
    return (
        session.scalar(
            select(func.count(AppUser.id)).where(
                AppUser.role == Role.ADMINISTRATOR,
                AppUser.is_active.is_(True),
                AppUser.id != user.id,
            )
        )
        or 0
    )


def _keep_an_administrator(session: Session, user: AppUser, what: str) -> None:
    if (
        user.role is Role.ADMINISTRATOR
        and user.is_active
        and _other_active_administrators(session, user) == 0
    ):
        raise AccountRefused(
            [
                Refusal(
                    "last_administrator",
                    f"“{user.username}” is the only active administrator, so {what} would "
                    "leave no one able to manage users. Make someone else an administrator "
                    "first.",
                    "role",
                )
            ]
        )


def set_role(db: Database, user_id: int, role: Role, actor: Actor) -> None:
    """Give an account another role (there is always at least one administrator)."""
    require(actor, Action.MANAGE_USERS)
    with db.write() as session:
        user = _load_user(session, user_id)
        if user.role is role:
            return
        if role is not Role.ADMINISTRATOR:
            _keep_an_administrator(session, user, f"making them {with_article(role)}")
        before = _snapshot(user)
        user.role = role
        _audit_user(session, actor, "user.role_changed", user, before=before, after=_snapshot(user))


def set_active(db: Database, user_id: int, active: bool, actor: Actor) -> None:
    """Disable an account (it can no longer sign in) or enable it again."""
    require(actor, Action.MANAGE_USERS)
    with db.write() as session:
        user = _load_user(session, user_id)
        if user.is_active is active:
            return
        if not active:
            _keep_an_administrator(session, user, "disabling it")
        before = _snapshot(user)
        user.is_active = active
        action = "user.enabled" if active else "user.disabled"
        _audit_user(session, actor, action, user, before=before, after=_snapshot(user))


def reset_password(db: Database, user_id: int, password: str, actor: Actor) -> None:
    """Give an account a new password; this also ends a lock-out."""
    require(actor, Action.MANAGE_USERS)
    with db.write() as session:
        user = _load_user(session, user_id)
        _refuse_if(password_problems(password, user.username))
        user.failed_attempts = 0
        user.locked_until = None
        if db.secured:
            # The server keeps the password: the login gets it, the table keeps no hash.
            session.flush()
            _set_login_password(session, user, password)
        else:
            user.password_hash = hash_password(password)
        _audit_user(
            session, actor, "user.password_reset", user, before=None, after={"password": "changed"}
        )


def change_own_password(db: Database, actor: Actor, current: str, new: str) -> None:
    """The signed-in user replaces their own password, giving the current one first."""
    if actor.user_id is None:
        raise NotPermitted("No one is signed in. Sign in first.")
    if db.secured:
        _change_own_login_password(db, actor, current, new)
        return
    with db.write() as session:
        user = _load_user(session, actor.user_id)
        if not verify_password(user.password_hash, current):
            raise AccountRefused(
                [Refusal("password", "The current password is not right.", "current")]
            )
        _refuse_if(password_problems(new, user.username))
        user.password_hash = hash_password(new)
        _audit_user(
            session,
            actor,
            "user.password_changed",
            user,
            before=None,
            after={"password": "changed"},
        )


def _change_own_login_password(db: Database, actor: Actor, current: str, new: str) -> None:
    """Where the server checks passwords: it checks the current one, and the person's
    login (which may change only its own) takes the new one."""
    username = actor.username or ""
    if not db.accepts(username, current):
        raise AccountRefused([Refusal("password", "The current password is not right.", "current")])
    _refuse_if(password_problems(new, username))
    with db.write() as session:
        # Not locked for update: the person may not update accounts, only their password.
        user = session.get(AppUser, actor.user_id, options=[selectinload(AppUser.person)])
        if user is None:
            raise NotFound(f"There is no user account number {actor.user_id}.")
        verifier = encrypt_password(session.connection(), username, new)
        run_as_written(
            session.connection(),
            sql.SQL("ALTER ROLE CURRENT_USER PASSWORD {}").format(sql.Literal(verifier)),
        )
        _audit_user(
            session,
            actor,
            "user.password_changed",
            user,
            before=None,
            after={"password": "changed"},
        )


# -- the first administrator -------------------------------------------------------------


def _first_problems(session: Session, draft: FirstAdministrator) -> list[Refusal]:
    problems: list[Refusal] = []
    if draft.agency_id is None:
        if not draft.agency_name.strip():
            problems.append(
                Refusal(
                    "agency",
                    "Give your agency's name, e.g. “Cambridgeshire Fire and Rescue Service”.",
                    "agency_name",
                )
            )
        code = draft.agency_code.strip().upper()
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9-]{1,15}", code):
            problems.append(
                Refusal(
                    "agency",
                    "Give a short code for the agency: 2 to 16 capital letters, digits or "
                    "dashes, e.g. CAMBS-FRS.",
                    "agency_code",
                )
            )
        elif session.scalar(select(Agency.id).where(Agency.code == code)) is not None:
            problems.append(
                Refusal(
                    "agency",
                    f"An agency already has the code {code}; choose it from the list instead.",
                    "agency_code",
                )
            )
    elif session.get(Agency, draft.agency_id) is None:
        problems.append(Refusal("agency", "Choose your agency.", "agency"))
    for value, field, words in (
        (draft.given_name, "given_name", "your given name"),
        (draft.family_name, "family_name", "your family name"),
        (draft.staff_number, "staff_number", "your collar or staff number"),
    ):
        if not value.strip():
            problems.append(Refusal("person", f"Give {words}.", field))
    problems.extend(_username_problems(session, draft.username))
    problems.extend(password_problems(draft.password, draft.username))
    return problems


def check_first_administrator(db: Database, draft: FirstAdministrator) -> list[Refusal]:
    draft = clean_fields(draft, keep=("password",))
    with db.read() as session:
        return _first_problems(session, draft)


def create_first_administrator(db: Database, draft: FirstAdministrator) -> Actor:
    """Make the first account of an empty database, an administrator, and sign them in.

    Refused once any account exists: from then on only an administrator adds users.
    """
    draft = clean_fields(draft, keep=("password",))
    with db.write() as session:
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            # Two stations starting on one new server must not both make "the first".
            session.execute(select(func.pg_advisory_xact_lock(0x4B495455)))
        if session.scalar(select(AppUser.id).limit(1)) is not None:
            raise NotPermitted(
                "This database already has users, so its first administrator exists. "
                "Sign in, and ask an administrator to add your account."
            )
        _refuse_if(_first_problems(session, draft))
        agency = (
            session.get(Agency, draft.agency_id)
            if draft.agency_id is not None
            else Agency(
                code=draft.agency_code.strip().upper(),
                name=" ".join(draft.agency_name.split()),
                kind=draft.agency_kind,
            )
        )
        assert agency is not None
        session.add(agency)
        session.flush()
        person = session.scalar(
            select(Person).where(
                Person.agency_id == agency.id, Person.staff_number == draft.staff_number.strip()
            )
        )
        if person is None:
            person = Person(
                agency_id=agency.id,
                staff_number=draft.staff_number.strip(),
                given_name=draft.given_name.strip(),
                family_name=draft.family_name.strip(),
                is_active=True,
            )
            session.add(person)
            session.flush()
        user = _new_account(draft.username, person.id, Role.ADMINISTRATOR, draft.password)
        user.last_signed_in_at = now_utc()
        session.add(user)
        session.flush()
        session.refresh(user, ["person"])
        actor = actor_of(user)
        _audit_user(
            session,
            actor,
            "user.created",
            user,
            before=None,
            after=_snapshot(user),
            note="The first administrator of a new database",
        )
        return actor
