"""``kitshare-admin user …``, signing in for changing commands, and the first administrator.

Runs on the demo data (SQLite and PostgreSQL), whose accounts are ``admin`` (Claire
Ashworth, CAMBS-POL, administrator), ``manager`` (Paul Whitmore, CAMBS-FRS, equipment
manager), ``duty`` (Rachel Holloway, CAMBS-POL, duty officer) and ``<code>-kit`` for
each other lending agency's equipment manager. Argon2 is slow on purpose, so each test
signs in only as often as its point needs.
"""

from __future__ import annotations

import getpass
import json
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from app.cli import common as cli
from app.cli.main import main
from app.people.accounts import MAX_FAILED_ATTEMPTS, WRONG_SIGN_IN, sign_in
from app.storage.database import open_database
from models import AppUser, AuditEvent, Person, Role
from tests import factories

ADMIN = ("admin", "admin-demo-2026")
MANAGER = ("manager", "manager-demo-2026")
DUTY = ("duty", "duty-demo-2026")
NEW_PASSWORD = "a long new passphrase"


@pytest.fixture(autouse=True)
def no_one_signed_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start each test with no account, no password and no terminal to type one at."""
    for name in (cli.USER_ENV, cli.PASSWORD_ENV, cli.NEW_PASSWORD_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cli, "interactive", lambda: False)

    def no_prompt(prompt: str = "") -> str:
        raise AssertionError(f"asked “{prompt}” with no terminal")

    monkeypatch.setattr(getpass, "getpass", no_prompt)


def sign_in_as(monkeypatch: pytest.MonkeyPatch, account: tuple[str, str]) -> None:
    username, password = account
    monkeypatch.setenv(cli.USER_ENV, username)
    monkeypatch.setenv(cli.PASSWORD_ENV, password)


class Terminal:
    """Someone at a terminal typing ``answers`` at the password prompts, in turn."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *answers: str) -> None:
        self.answers = list(answers)
        self.prompts: list[str] = []
        monkeypatch.setattr(cli, "interactive", lambda: True)
        monkeypatch.setattr(getpass, "getpass", self.type)

    def type(self, prompt: str = "") -> str:
        self.prompts.append(prompt)
        return self.answers.pop(0)


def run(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str, str]:
    status = main(["--database", url, *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def users(capsys: pytest.CaptureFixture[str], url: str) -> dict[str, dict[str, Any]]:
    status, out, err = run(capsys, url, "user", "list", "--json")
    assert status == 0, err
    return {row["username"]: row for row in json.loads(out)}


def events(url: str, action: str) -> list[AuditEvent]:
    db = open_database(url)
    try:
        with db.read() as session:
            found = session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            ).all()
            session.expunge_all()
            return list(found)
    finally:
        db.dispose()


def awaiting_fire_loan(capsys: pytest.CaptureFixture[str], url: str) -> str:
    """A request awaiting approval by Cambridgeshire Fire and Rescue Service."""
    status, out, err = run(capsys, url, "loan", "list", "--section", "awaiting", "--json")
    assert status == 0, err
    return str(
        next(
            row["id"]
            for row in json.loads(out)
            if row["lender"] == "Cambridgeshire Fire and Rescue Service"
        )
    )


def loan_status(capsys: pytest.CaptureFixture[str], url: str, loan_id: str) -> str:
    status, out, err = run(capsys, url, "loan", "show", loan_id, "--json")
    assert status == 0, err
    value: str = json.loads(out)["status"]
    return value


# -- signing in for a change ---------------------------------------------------------------


def test_a_changing_command_without_a_user_is_refused(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    loan_id = awaiting_fire_loan(capsys, demo_url)

    status, out, err = run(capsys, demo_url, "loan", "approve", loan_id)

    assert status == 1
    assert out == ""
    assert err == (
        "kitshare-admin: `kitshare-admin loan approve` changes data, so it is done as a named "
        "user: give --user NAME (or set KITSHARE_USER), with the password in "
        "KITSHARE_PASSWORD or typed when asked.\n"
    )
    assert loan_status(capsys, demo_url, loan_id) == "requested"


def test_with_no_password_and_no_terminal_it_says_how_to_give_one(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    loan_id = awaiting_fire_loan(capsys, demo_url)

    status, _, err = run(capsys, demo_url, "--user", "manager", "loan", "approve", loan_id)

    assert status == 1
    assert "No password for “manager”: set KITSHARE_PASSWORD, or run kitshare-admin in a " in err
    assert loan_status(capsys, demo_url, loan_id) == "requested"


def test_the_password_is_asked_for_at_a_terminal(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    loan_id = awaiting_fire_loan(capsys, demo_url)
    terminal = Terminal(monkeypatch, MANAGER[1])

    # --user may also follow the command.
    status, out, err = run(capsys, demo_url, "loan", "approve", loan_id, "--user", "manager")

    assert status == 0, err
    assert out.startswith(f"Loan {loan_id} approved by Paul Whitmore: ")
    assert terminal.prompts == ["Password for manager: "]
    assert MANAGER[1] not in out + err


def test_nothing_typed_at_the_prompt_is_not_counted_as_a_wrong_password(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    loan_id = awaiting_fire_loan(capsys, demo_url)
    Terminal(monkeypatch, "")

    status, _, err = run(capsys, demo_url, "--user", "manager", "loan", "approve", loan_id)

    assert status == 1
    assert "No password typed for “manager”; nothing was changed." in err
    db = open_database(demo_url)
    try:
        with db.read() as session:
            tries = session.scalar(
                select(AppUser.failed_attempts).where(AppUser.username == "manager")
            )
    finally:
        db.dispose()
    assert tries == 0
    assert loan_status(capsys, demo_url, loan_id) == "requested"


def test_kitshare_password_signs_in_without_a_prompt_and_the_audit_names_the_user(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    loan_id = awaiting_fire_loan(capsys, demo_url)
    sign_in_as(monkeypatch, MANAGER)

    status, _, err = run(capsys, demo_url, "loan", "approve", loan_id)

    assert status == 0, err
    manager_id = users(capsys, demo_url)["manager"]["id"]
    [approved] = [e for e in events(demo_url, "loan.approved") if e.entity_id == int(loan_id)]
    assert approved.actor == "Paul Whitmore (manager)"
    assert approved.user_id == manager_id
    [signed_in] = events(demo_url, "user.signed_in")
    assert signed_in.user_id == manager_id
    assert users(capsys, demo_url)["manager"]["last_signed_in"] is not None


def test_a_wrong_password_is_refused_and_changes_nothing(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    loan_id = awaiting_fire_loan(capsys, demo_url)
    sign_in_as(monkeypatch, ("manager", "not-the-password"))

    status, out, err = run(capsys, demo_url, "loan", "approve", loan_id)

    assert status == 1
    assert out == ""
    assert err == f"kitshare-admin: {WRONG_SIGN_IN}\n"
    assert loan_status(capsys, demo_url, loan_id) == "requested"
    assert events(demo_url, "loan.approved") == []


def test_five_wrong_passwords_lock_the_account_until_an_administrator_resets_it(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    loan_id = awaiting_fire_loan(capsys, demo_url)
    sign_in_as(monkeypatch, ("manager", "a wrong guess"))
    refusals = []
    for _ in range(MAX_FAILED_ATTEMPTS):
        status, _, err = run(capsys, demo_url, "loan", "approve", loan_id)
        assert status == 1
        refusals.append(err)
    assert "2 more wrong tries and the account is locked" in refusals[2]
    assert "1 more wrong try and the account is locked" in refusals[3]
    assert "Too many wrong passwords for “manager”: the account is locked until" in refusals[4]

    # The right password does not open it during the lock-out.
    sign_in_as(monkeypatch, MANAGER)
    status, _, err = run(capsys, demo_url, "loan", "approve", loan_id)
    assert status == 1
    assert "the account is locked until" in err
    assert loan_status(capsys, demo_url, loan_id) == "requested"
    listed = users(capsys, demo_url)["manager"]
    assert listed["locked_until"] is not None
    status, out, _ = run(capsys, demo_url, "user", "list")
    locked_line = next(line for line in out.splitlines() if line.startswith("manager "))
    until = datetime.fromisoformat(listed["locked_until"]).strftime("%d/%m/%Y %H:%M")
    assert until in locked_line

    sign_in_as(monkeypatch, ADMIN)
    monkeypatch.setenv(cli.NEW_PASSWORD_ENV, NEW_PASSWORD)
    status, out, err = run(capsys, demo_url, "user", "reset-password", "manager")
    assert status == 0, err
    assert out == (
        "Set a new password for “manager” (Paul Whitmore, CAMBS-FRS); any lock-out is over.\n"
    )
    assert users(capsys, demo_url)["manager"]["locked_until"] is None

    sign_in_as(monkeypatch, ("manager", NEW_PASSWORD))
    status, _, err = run(capsys, demo_url, "loan", "approve", loan_id)
    assert status == 0, err
    [locked] = events(demo_url, "user.locked_out")
    assert locked.actor == "Paul Whitmore (manager)"
    [reset] = events(demo_url, "user.password_reset")
    assert reset.actor == "Claire Ashworth (admin)"


def test_a_duty_officer_cannot_manage_users(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_as(monkeypatch, DUTY)

    status, _, err = run(capsys, demo_url, "user", "disable", "manager")

    assert status == 1
    assert "Rachel Holloway (duty) is signed in as a duty officer, and only an administrator" in err
    assert users(capsys, demo_url)["manager"]["active"] is True


# -- the user commands ---------------------------------------------------------------------


def test_user_list_shows_every_account_without_signing_in(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, demo_url, "user", "list")

    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].split() == [
        "Username",
        "Person",
        "Agency",
        "Role",
        "Status",
        "Locked",
        "until",
        "Last",
        "signed",
        "in",
    ]
    manager = next(line for line in lines if line.startswith("manager "))
    assert manager.split() == [
        "manager",
        "Paul",
        "Whitmore",
        "CAMBS-FRS",
        "Equipment",
        "manager",
        "active",
        "never",
    ]
    assert any(line.split()[:2] == ["cambs-pol-kit", "Stephen"] for line in lines)
    assert lines[-1] == f"{len(lines) - 2} accounts."

    listed = users(capsys, demo_url)
    assert listed["admin"] | {"id": 0} == {
        "id": 0,
        "username": "admin",
        "person": "Claire Ashworth",
        "staff_number": "PS60218",
        "agency": "Cambridgeshire Constabulary",
        "agency_code": "CAMBS-POL",
        "role": "administrator",
        "role_words": "Administrator",
        "active": True,
        "locked_until": None,
        "last_signed_in": None,
    }
    assert listed["duty"]["role_words"] == "Duty officer"


def test_user_add_with_the_new_password_from_the_environment(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    monkeypatch.setenv(cli.NEW_PASSWORD_ENV, NEW_PASSWORD)

    status, out, err = run(
        capsys,
        demo_url,
        "user",
        "add",
        "D.Okafor",
        "--person",
        "2391",
        "--agency",
        "cambs-pol",
        "--role",
        "Duty Officer",
    )

    assert status == 0, err
    assert out == (
        "Added the account “d.okafor” (Daniel Okafor, CAMBS-POL), a duty officer; it can "
        "sign in now.\n"
    )
    added = users(capsys, demo_url)["d.okafor"]
    assert (added["person"], added["role"], added["active"]) == (
        "Daniel Okafor",
        "duty_officer",
        True,
    )
    [created] = [e for e in events(demo_url, "user.created") if e.entity_id == added["id"]]
    assert created.actor == "Claire Ashworth (admin)"
    assert "password" not in json.dumps(created.after)

    db = open_database(demo_url)
    try:
        assert sign_in(db, "d.okafor", NEW_PASSWORD).role is Role.DUTY_OFFICER
    finally:
        db.dispose()


def test_user_add_asks_for_the_new_password_twice(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cli.USER_ENV, "admin")
    terminal = Terminal(monkeypatch, ADMIN[1], NEW_PASSWORD, NEW_PASSWORD)

    status, _, err = run(
        capsys,
        demo_url,
        "user",
        "add",
        "s.turnbull",
        "--person",
        "Sophie Turnbull",
        "--role",
        "equipment_manager",
    )

    assert status == 0, err
    assert terminal.prompts == [
        "Password for admin: ",
        "New password for s.turnbull: ",
        "Type the new password again: ",
    ]
    assert users(capsys, demo_url)["s.turnbull"]["role"] == "equipment_manager"


def test_two_different_new_passwords_add_nobody(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    Terminal(monkeypatch, NEW_PASSWORD, NEW_PASSWORD + "!")

    status, out, err = run(
        capsys, demo_url, "user", "add", "s.turnbull", "--person", "3074", "--role", "duty officer"
    )

    assert status == 1
    assert out == ""
    assert "The two passwords typed are not the same, so nothing was changed." in err
    assert "s.turnbull" not in users(capsys, demo_url)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["duty", "--person", "2391", "--role", "duty_officer"],
            "The user name “duty” is taken; choose another.",
            id="name-taken",
        ),
        pytest.param(
            ["r.holloway", "--person", "1847", "--role", "duty_officer"],
            "Rachel Holloway already has the account “duty”",
            id="person-has-an-account",
        ),
        pytest.param(
            ["d.okafor", "--person", "2391", "--agency", "cambs-frs", "--role", "duty_officer"],
            "Daniel Okafor (2391, CAMBS-POL) works for Cambridgeshire Constabulary, not "
            "Cambridgeshire Fire and Rescue Service.",
            id="wrong-agency",
        ),
        pytest.param(
            ["d.okafor", "--role", "duty_officer"],
            "Say who the account is for with --person",
            id="no-person",
        ),
        pytest.param(
            ["d.okafor", "--person", "2391", "--role", "duty_officer", "--given-name", "Dan"],
            "This database already has users, so --given-name (for the first administrator "
            "only) cannot be used",
            id="first-administrator-options",
        ),
    ],
)
def test_user_add_refusals_come_before_the_new_password(
    demo_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    before = set(users(capsys, demo_url))

    # No terminal and no KITSHARE_NEW_PASSWORD: asking for one would fail the test.
    status, out, err = run(capsys, demo_url, "user", "add", *argv)

    assert status == 1
    assert out == ""
    assert message in err
    assert set(users(capsys, demo_url)) == before


def test_user_add_with_no_new_password_and_no_terminal_says_how_to_give_one(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_as(monkeypatch, ADMIN)

    status, _, err = run(
        capsys, demo_url, "user", "add", "d.okafor", "--person", "2391", "--role", "duty_officer"
    )

    assert status == 1
    assert (
        "No new password for “d.okafor”: set KITSHARE_NEW_PASSWORD, or run kitshare-admin in a "
        "terminal to type it." in err
    )
    assert "d.okafor" not in users(capsys, demo_url)


@pytest.mark.parametrize("typed", ["equipment manager", "EQUIPMENT_MANAGER", "Equipment-Manager"])
def test_set_role_takes_role_names_in_any_case(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    sign_in_as(monkeypatch, ADMIN)

    status, out, err = run(capsys, demo_url, "user", "set-role", "DUTY", typed)

    assert status == 0, err
    assert out == (
        "“duty” (Rachel Holloway, CAMBS-POL) is now an equipment manager, no longer a duty "
        "officer.\n"
    )
    assert users(capsys, demo_url)["duty"]["role"] == "equipment_manager"
    [changed] = events(demo_url, "user.role_changed")
    assert changed.actor == "Claire Ashworth (admin)"
    assert (changed.before or {})["role"] == "duty_officer"


def test_set_role_refusals(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--database", demo_url, "user", "set-role", "duty", "chief"])
    assert stopped.value.code == 2
    assert "“chief” is not a role: give one of duty_officer, equipment_manager, administrator" in (
        capsys.readouterr().err
    )

    sign_in_as(monkeypatch, ADMIN)
    status, out, err = run(capsys, demo_url, "user", "set-role", "duty", "duty officer")
    assert status == 0, err
    assert (
        out == "“duty” (Rachel Holloway, CAMBS-POL) is already a duty officer; nothing changed.\n"
    )

    status, _, err = run(capsys, demo_url, "user", "set-role", "admin", "duty_officer")
    assert status == 1
    assert "“admin” is the only active administrator" in err

    status, _, err = run(capsys, demo_url, "user", "set-role", "nobody", "administrator")
    assert status == 1
    assert "No account has the user name “nobody”." in err
    assert users(capsys, demo_url)["admin"]["role"] == "administrator"


def test_disable_and_enable(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_as(monkeypatch, ADMIN)

    status, out, err = run(capsys, demo_url, "user", "disable", "duty")
    assert status == 0, err
    assert out == (
        "“duty” (Rachel Holloway, CAMBS-POL) is disabled: the account can no longer sign in.\n"
    )
    assert users(capsys, demo_url)["duty"]["active"] is False
    status, out, _ = run(capsys, demo_url, "user", "list")
    assert next(line for line in out.splitlines() if line.startswith("duty ")).split()[-2:] == [
        "disabled",
        "never",
    ]

    status, out, _ = run(capsys, demo_url, "user", "disable", "duty")
    assert out == "“duty” (Rachel Holloway, CAMBS-POL) is already disabled; nothing changed.\n"

    sign_in_as(monkeypatch, DUTY)
    loan_id = awaiting_fire_loan(capsys, demo_url)
    status, _, err = run(capsys, demo_url, "loan", "cancel", loan_id)
    assert status == 1
    assert "The account “duty” is disabled, so it cannot sign in." in err
    assert loan_status(capsys, demo_url, loan_id) == "requested"

    sign_in_as(monkeypatch, ADMIN)
    status, out, err = run(capsys, demo_url, "user", "enable", "duty")
    assert status == 0, err
    assert out == (
        "“duty” (Rachel Holloway, CAMBS-POL) is enabled: the account can sign in again.\n"
    )
    sign_in_as(monkeypatch, DUTY)
    status, _, err = run(capsys, demo_url, "loan", "cancel", loan_id)
    assert status == 0, err
    assert [e.action for e in events(demo_url, "user.disabled")] == ["user.disabled"]
    assert [e.actor for e in events(demo_url, "loan.cancelled")] == ["Rachel Holloway (duty)"]


# -- the first administrator ---------------------------------------------------------------


FIRST = [
    "--given-name",
    "Helen",
    "--family-name",
    "Staines",
    "--staff-number",
    "CF10388",
    "--agency-code",
    "cambs-frs",
    "--agency-name",
    "Cambridgeshire Fire and Rescue Service",
    "--agency-kind",
    "fire",
]


def test_the_first_administrator_of_an_empty_database(
    db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, db_url, "migrate")[0] == 0
    status, out, _ = run(capsys, db_url, "user", "list")
    assert status == 0
    assert out.startswith("No accounts yet. Make the first administrator with")

    monkeypatch.setenv(cli.NEW_PASSWORD_ENV, NEW_PASSWORD)
    status, out, err = run(
        capsys, db_url, "user", "add", "h.staines", "--role", "equipment manager", *FIRST
    )
    assert status == 1
    assert out == ""
    assert "This database has no users yet, and its first account must be an administrator" in err
    status, _, err = run(capsys, db_url, "user", "add", "h.staines", "--role", "administrator")
    assert status == 1
    assert "Give your family name (--family-name)." in err
    assert "Give your agency's name, e.g." in err
    assert users(capsys, db_url) == {}

    # No sign-in: there is no one to sign in as yet.
    status, out, err = run(
        capsys, db_url, "user", "add", "h.staines", "--role", "Administrator", *FIRST
    )
    assert status == 0, err
    assert out == (
        "Made Helen Staines (h.staines) the first administrator. Sign in with "
        "--user h.staines to add everyone else.\n"
    )
    first = users(capsys, db_url)["h.staines"]
    assert (first["person"], first["agency_code"], first["role"]) == (
        "Helen Staines",
        "CAMBS-FRS",
        "administrator",
    )
    [created] = events(db_url, "user.created")
    assert created.actor == "Helen Staines (h.staines)"

    # From now on adding a user is for a signed-in administrator.
    status, _, err = run(capsys, db_url, "user", "add", "second", "--role", "administrator", *FIRST)
    assert status == 1
    assert "This database already has users" in err
    status, _, err = run(
        capsys, db_url, "user", "add", "second", "--person", "CF10388", "--role", "duty officer"
    )
    assert status == 1
    assert "give --user NAME" in err

    sign_in_as(monkeypatch, ("h.staines", NEW_PASSWORD))
    status, _, err = run(
        capsys, db_url, "user", "add", "second", "--person", "CF10388", "--role", "duty officer"
    )
    assert status == 1
    assert "Helen Staines already has the account “h.staines”" in err


def test_the_first_administrator_may_join_an_agency_and_person_already_listed(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A database kept from before accounts existed: agencies and people, but no users.
    db = open_database(sqlite_url)
    try:
        with db.write() as session:
            police = factories.agency(session, "Cambridgeshire Constabulary")
            factories.agency(session, "Cambridgeshire Fire and Rescue Service")
            marsh = factories.person(session, police, "Stephen", "Marsh")
            staff_number, marsh_id = marsh.staff_number, marsh.id
            code = police.code
    finally:
        db.dispose()
    Terminal(monkeypatch, NEW_PASSWORD, NEW_PASSWORD)

    status, out, err = run(
        capsys,
        sqlite_url,
        "user",
        "add",
        "s.marsh",
        "--person",
        "stephen marsh",
        "--role",
        "administrator",
    )

    assert status == 0, err
    assert out.startswith("Made Stephen Marsh (s.marsh) the first administrator.")
    listed = users(capsys, sqlite_url)["s.marsh"]
    assert (listed["staff_number"], listed["agency_code"]) == (staff_number, code)
    db = open_database(sqlite_url)
    try:
        with db.read() as session:
            # The person already listed got the account; no second Stephen Marsh.
            assert session.scalars(select(Person.id)).all() == [marsh_id]
            assert session.scalar(select(AppUser.person_id)) == marsh_id
    finally:
        db.dispose()


def test_the_first_administrator_for_an_existing_agency(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_database(sqlite_url)
    try:
        with db.write() as session:
            factories.agency(session, "East of England Ambulance Service")
    finally:
        db.dispose()
    monkeypatch.setenv(cli.NEW_PASSWORD_ENV, NEW_PASSWORD)

    status, out, err = run(
        capsys,
        sqlite_url,
        "user",
        "add",
        "p.nair",
        "--role",
        "administrator",
        "--agency",
        "ambulance",
        "--given-name",
        "Priya",
        "--family-name",
        "Nair",
        "--staff-number",
        "EE35120",
    )

    assert status == 0, err
    assert out.startswith("Made Priya Nair (p.nair) the first administrator.")
    listed = users(capsys, sqlite_url)["p.nair"]
    assert (listed["person"], listed["agency"]) == (
        "Priya Nair",
        "East of England Ambulance Service",
    )
