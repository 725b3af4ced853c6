"""User accounts: signing in, lock-out, keeping the accounts, and who may do what."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from app.core.actor import Actor
from app.core.errors import NotPermitted
from app.core.permissions import NEEDS, Action, may, refusal
from app.people import accounts
from app.people.accounts import (
    LOCKOUT,
    MAX_FAILED_ATTEMPTS,
    WRONG_SIGN_IN,
    AccountRefused,
    FirstAdministrator,
    SignInRefused,
    UserDraft,
)
from app.people.passwords import hash_password
from app.storage.database import Database
from models import AgencyKind, AppUser, AuditEvent, Role
from tests import factories as f

PASSWORD = "correct horse battery"
NOW = f.NOW


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass(frozen=True)
class Accounts:
    fire: int
    police: int
    admin: int
    manager: int
    duty: int
    spare_person: int
    admin_actor: Actor


@pytest.fixture
def accts(db: Database) -> Accounts:
    with db.write() as session:
        fire = f.agency(session, "Cambs Fire")
        police = f.agency(session, "Cambs Police", AgencyKind.POLICE)
        ada = f.person(session, fire, "Ada", "Admin")
        mia = f.person(session, fire, "Mia", "Manager")
        dan = f.person(session, police, "Dan", "Duty")
        spare = f.person(session, police, "Sid", "Spare")
        admin = f.app_user(session, ada, "ada", password_hash(), Role.ADMINISTRATOR)
        manager = f.app_user(session, mia, "mia", password_hash(), Role.EQUIPMENT_MANAGER)
        duty = f.app_user(session, dan, "dan", password_hash(), Role.DUTY_OFFICER)
        return Accounts(
            fire=fire.id,
            police=police.id,
            admin=admin.id,
            manager=manager.id,
            duty=duty.id,
            spare_person=spare.id,
            admin_actor=f.acting(ada, Role.ADMINISTRATOR, admin.id),
        )


def user(db: Database, user_id: int) -> AppUser:
    with db.read() as session:
        # The hash is read only when asked for (the model defers it): ask for it here.
        found = session.get(AppUser, user_id, options=[undefer(AppUser.password_hash)])
        assert found is not None
        session.expunge(found)
        return found


def audit_trail(db: Database) -> list[tuple[str, str, int | None]]:
    with db.read() as session:
        return [
            (e.action, e.actor, e.entity_id)
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]


# -- signing in ----------------------------------------------------------------------------


def test_signing_in_gives_the_actor_and_is_audited(db: Database, accts: Accounts) -> None:
    actor = accounts.sign_in(db, " MIA ", PASSWORD, now=NOW)

    assert actor.name == "Mia Manager (mia)"
    assert actor.role is Role.EQUIPMENT_MANAGER
    assert actor.user_id == accts.manager
    assert actor.agency_id == accts.fire
    assert user(db, accts.manager).last_signed_in_at == NOW
    assert audit_trail(db) == [("user.signed_in", "Mia Manager (mia)", accts.manager)]


@pytest.mark.parametrize(
    ("username", "password"), [("mia", "wrong"), ("nobody", PASSWORD), ("", PASSWORD)]
)
def test_a_wrong_name_or_password_gets_one_message(
    db: Database, accts: Accounts, username: str, password: str
) -> None:
    with pytest.raises(SignInRefused) as caught:
        accounts.sign_in(db, username, password, now=NOW)
    assert caught.value.message == WRONG_SIGN_IN


def test_five_wrong_passwords_lock_the_account_until_the_time_passes(
    db: Database, accts: Accounts
) -> None:
    messages = []
    for n in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises(SignInRefused) as caught:
            accounts.sign_in(db, "dan", f"guess {n}", now=NOW + timedelta(seconds=n))
        messages.append(caught.value.message)

    # The last two tries warn; the fifth locks.
    assert messages[0] == WRONG_SIGN_IN
    assert messages[3].endswith("1 more wrong try and the account is locked for 5 minutes.")
    assert "the account is locked until" in messages[4]
    locked_until = user(db, accts.duty).locked_until
    assert locked_until == NOW + timedelta(seconds=4) + LOCKOUT

    # The right password does not open a locked account...
    with pytest.raises(SignInRefused) as caught:
        accounts.sign_in(db, "dan", PASSWORD, now=locked_until - timedelta(seconds=1))
    assert caught.value.locked_until == locked_until
    # ...until the lock-out is over.
    actor = accounts.sign_in(db, "dan", PASSWORD, now=locked_until)
    assert actor.user_id == accts.duty
    assert user(db, accts.duty).failed_attempts == 0
    assert [a for a, _, _ in audit_trail(db)] == ["user.locked_out", "user.signed_in"]


def test_a_right_password_clears_the_count_of_wrong_ones(db: Database, accts: Accounts) -> None:
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(SignInRefused):
            accounts.sign_in(db, "dan", "guess", now=NOW)
    accounts.sign_in(db, "dan", PASSWORD, now=NOW)
    with pytest.raises(SignInRefused) as caught:
        accounts.sign_in(db, "dan", "guess", now=NOW)
    assert caught.value.message == WRONG_SIGN_IN
    assert user(db, accts.duty).locked_until is None


def test_a_reset_password_ends_a_lock_out(db: Database, accts: Accounts) -> None:
    for _ in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises(SignInRefused):
            accounts.sign_in(db, "dan", "guess", now=NOW)
    accounts.reset_password(db, accts.duty, "a brand new phrase", accts.admin_actor)

    assert accounts.sign_in(db, "dan", "a brand new phrase", now=NOW).user_id == accts.duty
    with pytest.raises(SignInRefused):
        accounts.sign_in(db, "dan", PASSWORD, now=NOW)


def test_a_disabled_account_cannot_sign_in(db: Database, accts: Accounts) -> None:
    accounts.set_active(db, accts.duty, False, accts.admin_actor)
    with pytest.raises(SignInRefused, match="disabled"):
        accounts.sign_in(db, "dan", PASSWORD, now=NOW)
    accounts.set_active(db, accts.duty, True, accts.admin_actor)
    assert accounts.sign_in(db, "dan", PASSWORD, now=NOW).user_id == accts.duty


# -- keeping the accounts ------------------------------------------------------------------


def test_an_administrator_adds_an_account_with_a_hashed_password(
    db: Database, accts: Accounts
) -> None:
    draft = UserDraft("S.Spare", accts.spare_person, Role.DUTY_OFFICER, "sid's long phrase")
    user_id = accounts.create_user(db, draft, accts.admin_actor)

    created = user(db, user_id)
    assert created.username == "s.spare"
    assert created.password_hash.startswith("$argon2")
    assert "sid's long phrase" not in created.password_hash
    action, actor, entity = audit_trail(db)[-1]
    assert (action, actor, entity) == ("user.created", accts.admin_actor.name, user_id)
    with db.read() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None
        assert event.after == {
            "username": "s.spare",
            "person_id": accts.spare_person,
            "role": "duty_officer",
            "is_active": True,
        }
    assert accounts.sign_in(db, "s.spare", "sid's long phrase").user_id == user_id


def test_every_problem_with_a_new_account_is_said_at_once(db: Database, accts: Accounts) -> None:
    with db.read() as session:
        dan_person = session.scalar(select(AppUser.person_id).where(AppUser.id == accts.duty))
    draft = UserDraft("mia", dan_person, Role.DUTY_OFFICER, "short")
    with pytest.raises(AccountRefused) as caught:
        accounts.create_user(db, draft, accts.admin_actor)
    assert [p.field for p in caught.value.problems] == ["username", "person", "password"]
    assert "The user name “mia” is taken" in caught.value.problems[0].message
    assert "already has the account “dan”" in caught.value.problems[1].message
    assert "at least 10 characters" in caught.value.problems[2].message

    bad_name = UserDraft("no spaces please", accts.spare_person, Role.DUTY_OFFICER, PASSWORD)
    assert [p.field for p in accounts.check_user(db, bad_name)] == ["username"]
    same = UserDraft("sidspare12", accts.spare_person, Role.DUTY_OFFICER, "SIDSPARE12")
    assert [p.message for p in accounts.check_user(db, same)] == [
        "A password cannot be the user name."
    ]


def test_there_is_always_an_active_administrator(db: Database, accts: Accounts) -> None:
    changes: list[Callable[[], None]] = [
        lambda: accounts.set_role(db, accts.admin, Role.DUTY_OFFICER, accts.admin_actor),
        lambda: accounts.set_active(db, accts.admin, False, accts.admin_actor),
    ]
    for change in changes:
        with pytest.raises(AccountRefused, match="only active administrator"):
            change()
    assert user(db, accts.admin).role is Role.ADMINISTRATOR

    accounts.set_role(db, accts.manager, Role.ADMINISTRATOR, accts.admin_actor)
    accounts.set_role(db, accts.admin, Role.DUTY_OFFICER, accts.admin_actor)
    assert user(db, accts.admin).role is Role.DUTY_OFFICER
    assert [a for a, _, _ in audit_trail(db)] == ["user.role_changed", "user.role_changed"]


def _user_changes(accts: Accounts) -> dict[str, Callable[[Database, Actor], object]]:
    return {
        "create": lambda db, actor: accounts.create_user(
            db, UserDraft("sid", accts.spare_person, Role.DUTY_OFFICER, PASSWORD), actor
        ),
        "set_role": lambda db, actor: accounts.set_role(db, accts.duty, Role.ADMINISTRATOR, actor),
        "disable": lambda db, actor: accounts.set_active(db, accts.duty, False, actor),
        "reset": lambda db, actor: accounts.reset_password(db, accts.duty, "x" * 12, actor),
    }


@pytest.mark.parametrize("role", [None, Role.DUTY_OFFICER, Role.EQUIPMENT_MANAGER])
def test_only_an_administrator_keeps_the_accounts(
    db: Database, accts: Accounts, role: Role | None
) -> None:
    actor = Actor("Someone", role=role, agency_id=accts.fire)
    for name, change in _user_changes(accts).items():
        with pytest.raises(NotPermitted, match="only an administrator can change users"):
            change(db, actor)
        assert audit_trail(db) == [], name
    assert user(db, accts.duty).role is Role.DUTY_OFFICER
    assert user(db, accts.duty).is_active


def test_users_change_their_own_password_knowing_the_old_one(db: Database, accts: Accounts) -> None:
    dan = accounts.sign_in(db, "dan", PASSWORD)
    with pytest.raises(AccountRefused, match="current password is not right"):
        accounts.change_own_password(db, dan, "not it", "a new long phrase")
    accounts.change_own_password(db, dan, PASSWORD, "a new long phrase")
    assert accounts.sign_in(db, "dan", "a new long phrase").user_id == accts.duty


# -- the first administrator ---------------------------------------------------------------


def test_an_empty_database_gets_its_first_administrator_once(db: Database) -> None:
    assert not accounts.has_users(db)
    draft = FirstAdministrator(
        given_name="Claire",
        family_name="Ashworth",
        staff_number="PS60218",
        username="c.ashworth",
        password=PASSWORD,
        agency_code="cambs-pol",
        agency_name="Cambridgeshire  Constabulary",
        agency_kind=AgencyKind.POLICE,
    )
    actor = accounts.create_first_administrator(db, draft)

    assert actor.role is Role.ADMINISTRATOR
    assert accounts.has_users(db)
    [row] = accounts.list_users(db)
    assert (row.username, row.agency_code, row.agency, row.person_name) == (
        "c.ashworth",
        "CAMBS-POL",
        "Cambridgeshire Constabulary",
        "Claire Ashworth",
    )
    assert audit_trail(db) == [("user.created", "Claire Ashworth (c.ashworth)", row.id)]

    with pytest.raises(NotPermitted, match="already has users"):
        accounts.create_first_administrator(db, draft)
    with db.read() as session:
        assert session.scalar(select(func.count(AppUser.id))) == 1


def test_the_first_administrator_form_says_what_is_missing(db: Database) -> None:
    draft = FirstAdministrator("", "", "", "", "short", agency_code="x")
    fields = [p.field for p in accounts.check_first_administrator(db, draft)]
    assert fields == [
        "agency_name",
        "agency_code",
        "given_name",
        "family_name",
        "staff_number",
        "username",
        "password",
    ]
    assert not accounts.has_users(db)


# -- the rules of who may do what ------------------------------------------------------------


def test_each_role_may_do_what_the_one_below_may_and_more() -> None:
    duty = Actor("D", role=Role.DUTY_OFFICER, agency_id=1)
    manager = Actor("M", role=Role.EQUIPMENT_MANAGER, agency_id=1)
    admin = Actor("A", role=Role.ADMINISTRATOR, agency_id=1)
    nobody = Actor("N")
    for action, needed in NEEDS.items():
        assert not may(nobody, action)
        assert may(admin, action, agency_id=2)
        assert may(manager, action) == (needed is not Role.ADMINISTRATOR)
        assert may(duty, action) == (needed is Role.DUTY_OFFICER)
    # A manager keeps only their own agency's kit.
    assert may(manager, Action.EDIT_CATALOGUE, agency_id=1)
    assert not may(manager, Action.EDIT_CATALOGUE, agency_id=2)
    assert "not Norfolk's" in (
        refusal(manager, Action.RECORD_INSPECTION, agency_id=2, agency_name="Norfolk") or ""
    )


def test_stations_hash_with_argon2id_at_the_recommended_cost() -> None:
    """The tests hash cheaply (tests/conftest.py); Kit Share itself does not."""
    from argon2 import Type, extract_parameters

    from app.people.passwords import STATION_HASHER, use_hasher, verify_password

    previous = use_hasher(STATION_HASHER)
    try:
        stored = hash_password("a station's passphrase")
    finally:
        use_hasher(previous)
    parameters = extract_parameters(stored)
    assert parameters.type is Type.ID
    assert parameters.memory_cost >= 64 * 1024  # KiB
    assert parameters.time_cost >= 3
    # Whatever hasher is in use, a hash is checked at the cost written in it.
    assert verify_password(stored, "a station's passphrase")
    assert not verify_password(stored, "a station's passphrasE")
