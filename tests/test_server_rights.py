"""What each person may do with any PostgreSQL client on a server set up by
``kitshare-admin setup-server``: a table of statements a hostile person at a station
would try, and PostgreSQL's answer to each, role by role.

Every refusal must be PostgreSQL's own "insufficient privilege" (SQLSTATE 42501), so a
statement that fails for another reason (a typo here) cannot pass as refused. Each
statement runs in a transaction that is rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
import pytest

from app.storage.server import STATION_ROLE
from tests.secured_server import (  # noqa: F401 - the fixture is used by name
    PASSWORDS,
    STATION_PASSWORD,
    SecuredServer,
    secured_server_fixture,
)

pytestmark = pytest.mark.postgres

INSUFFICIENT_PRIVILEGE = "42501"
STATION, DUTY, MANAGER, ADMIN = "station", "duty", "manager", "admin"
EVERYONE = frozenset({STATION, DUTY, MANAGER, ADMIN})
BUT_ADMIN = frozenset({STATION, DUTY, MANAGER})
# Bedfordshire Police's kit: the manager (Cambridgeshire Fire and Rescue) is not its owner.
OTHER_AGENCY_ITEM = "(SELECT min(id) FROM equipment_items WHERE owner_agency_id = 4)"
OWN_AGENCY_ITEM = "(SELECT min(id) FROM equipment_items WHERE owner_agency_id = 2)"
FIRST_EVENT = "(SELECT min(id) FROM audit_events)"


def new_kit(agency_id: int) -> str:
    """A statement adding a kit of ``agency_id``'s, at one of its sites."""
    return (
        "INSERT INTO kits (name, owner_agency_id, home_site_id, created_at, updated_at, "
        f"row_version) SELECT 'Hostile kit', {agency_id}, min(id), now(), now(), 1 "
        f"FROM sites WHERE agency_id = {agency_id} RETURNING id"
    )


@dataclass(frozen=True)
class Attempt:
    what: str
    statement: str
    refused_for: frozenset[str]


ATTEMPTS = (
    Attempt("make a table", "CREATE TABLE mine (id integer)", EVERYONE),
    Attempt("drop the audit trail", "DROP TABLE audit_events CASCADE", EVERYONE),
    Attempt(
        "switch the audit guard off",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change",
        EVERYONE,
    ),
    Attempt(
        "drop the audit guard", "DROP TRIGGER audit_events_no_change ON audit_events", EVERYONE
    ),
    Attempt("empty the audit trail", "TRUNCATE audit_events", EVERYONE),
    Attempt(
        "rewrite an audit event",
        f"UPDATE audit_events SET note = 'nothing happened' WHERE id = {FIRST_EVENT}",
        EVERYONE,
    ),
    Attempt(
        "delete an audit event",
        f"DELETE FROM audit_events WHERE id = {FIRST_EVENT} RETURNING id",
        EVERYONE,
    ),
    Attempt("delete the database's own record", "DELETE FROM row_changes", EVERYONE),
    Attempt(
        "forge the database's own record",
        "INSERT INTO row_changes (table_name, operation) VALUES ('loans', 'DELETE')",
        EVERYONE,
    ),
    Attempt("drop the item guard", "DROP TRIGGER kitshare_guard ON equipment_items", EVERYONE),
    Attempt(
        "make the duty officer an administrator",
        "UPDATE app_users SET role = 'administrator' WHERE username = 'duty'",
        BUT_ADMIN,
    ),
    Attempt(
        "change another person's password hash",
        "UPDATE app_users SET password_hash = 'x' WHERE username = '{other}'",
        EVERYONE,
    ),
    Attempt("read the password hashes", "SELECT password_hash FROM app_users", EVERYONE),
    Attempt("read the server's passwords", "SELECT rolpassword FROM pg_authid", EVERYONE),
    Attempt("set another login's password", "ALTER ROLE {other} PASSWORD 'stolen'", EVERYONE),
    Attempt("become a superuser", "ALTER ROLE CURRENT_USER SUPERUSER", EVERYONE),
    Attempt("be allowed to make roles", "ALTER ROLE CURRENT_USER CREATEROLE", EVERYONE),
    Attempt("join the administrators", "GRANT kitshare_administrator TO CURRENT_USER", EVERYONE),
    Attempt("act as the administrators", "SET ROLE kitshare_administrator", BUT_ADMIN),
    Attempt("act as another login", "SET SESSION AUTHORIZATION {other}", EVERYONE),
    Attempt(
        "call the login-keeping function",
        "SELECT kitshare_sync_login(1, 'SCRAM-SHA-256$4096:x$y:z')",
        EVERYONE,
    ),
    Attempt(
        "set another person's password by function",
        "SELECT kitshare_set_password((SELECT id FROM app_users WHERE username = 'admin'), "
        "'SCRAM-SHA-256$4096:x$y:z')",
        BUT_ADMIN,
    ),
    Attempt(
        "lock someone out",
        "SELECT kitshare_failed_sign_in('admin')",
        frozenset({DUTY, MANAGER, ADMIN}),
    ),
    Attempt("read the catalogue", "SELECT count(*) FROM equipment_items", frozenset({STATION})),
    Attempt(
        "read the people's contact details", "SELECT count(*) FROM people", frozenset({STATION})
    ),
    Attempt(
        "edit another agency's item",
        f"UPDATE equipment_items SET name = name || ' (sold)' WHERE id = {OTHER_AGENCY_ITEM}",
        BUT_ADMIN,
    ),
    Attempt(
        "give another agency's item away",
        f"UPDATE equipment_items SET owner_agency_id = 2 WHERE id = {OTHER_AGENCY_ITEM}",
        BUT_ADMIN,
    ),
    Attempt(
        "edit one's own agency's item",
        f"UPDATE equipment_items SET name = name || ' (checked)' WHERE id = {OWN_AGENCY_ITEM}",
        frozenset({STATION, DUTY}),
    ),
    Attempt(
        "mark another agency's item out on loan (a hand-over)",
        f"UPDATE equipment_items SET status = 'on_loan' WHERE id = {OTHER_AGENCY_ITEM}",
        frozenset({STATION}),
    ),
    Attempt(
        "record an inspection of another agency's item",
        "INSERT INTO inspections (item_id, inspected_on, inspector_name, result, recorded_at) "
        f"VALUES ({OTHER_AGENCY_ITEM}, current_date, 'Someone', 'pass', now())",
        BUT_ADMIN,
    ),
    Attempt(
        "report a defect on another agency's item",
        "INSERT INTO defects (item_id, source, description, severity, reported_at, quantity) "
        f"VALUES ({OTHER_AGENCY_ITEM}, 'reported', 'Cracked', 'minor', now(), 1)",
        frozenset({STATION}),
    ),
    Attempt(
        "rewrite who borrowed a loan",
        "UPDATE loans SET borrower_agency_id = 4 WHERE id = "
        "(SELECT min(id) FROM loans WHERE status IN ('requested', 'approved', 'issued'))",
        BUT_ADMIN,
    ),
    Attempt(
        "change a returned loan",
        "UPDATE loans SET due_at = due_at + interval '1 day' "
        "WHERE id = (SELECT min(id) FROM loans WHERE status = 'returned')",
        BUT_ADMIN,
    ),
    Attempt(
        "approve a request in someone else's name",
        "UPDATE loans SET status = 'approved', decided_by_id = "
        "(SELECT id FROM app_users WHERE username = '{other}') "
        "WHERE id = (SELECT min(id) FROM loans WHERE status = 'requested')",
        BUT_ADMIN,
    ),
    Attempt(
        "add a line to a returned loan",
        "INSERT INTO loan_lines (loan_id, item_id, quantity, quantity_returned, starts_at, "
        "ends_at, holds_stock, exclusive) "
        "SELECT min(id), (SELECT max(id) FROM equipment_items), 1, 0, "
        "now() + interval '900 days', now() + interval '901 days', false, false "
        "FROM loans WHERE status = 'returned'",
        BUT_ADMIN,
    ),
    Attempt("make a kit of another agency's", new_kit(4), BUT_ADMIN),
    Attempt("make a kit of one's own agency's", new_kit(2), frozenset({STATION, DUTY})),
    Attempt(
        "put another agency's item in one's own kit",
        f"WITH kit AS ({new_kit(2)}) INSERT INTO kit_members (kit_id, item_id, quantity, "
        f"position) SELECT id, {OTHER_AGENCY_ITEM}, 1, 0 FROM kit",
        BUT_ADMIN,
    ),
    Attempt(
        "put one's own agency's item in one's own kit",
        f"WITH kit AS ({new_kit(2)}) INSERT INTO kit_members (kit_id, item_id, quantity, "
        f"position) SELECT id, {OWN_AGENCY_ITEM}, 1, 0 FROM kit",
        frozenset({STATION, DUTY}),
    ),
    Attempt(
        "give one's own kit to another agency",
        f"{new_kit(2)}; UPDATE kits SET owner_agency_id = 4 WHERE name = 'Hostile kit'",
        BUT_ADMIN,
    ),
    Attempt("change a sharing protocol", "UPDATE sharing_protocols SET name = name", BUT_ADMIN),
    Attempt("change a person", "UPDATE people SET family_name = family_name", BUT_ADMIN),
    Attempt(
        "add to the audit trail",
        "INSERT INTO audit_events (occurred_at, actor, action, entity_type) "
        "VALUES (now(), 'Someone', 'note', 'note')",
        frozenset({STATION}),
    ),
)


def login(who: str) -> tuple[str, str]:
    return (STATION_ROLE, STATION_PASSWORD) if who == STATION else (who, PASSWORDS[who])


def answer(connection: psycopg.Connection[tuple[object, ...]], statement: str) -> str:
    """PostgreSQL's answer: "allowed", or its SQLSTATE and message; always rolled back."""
    try:
        with connection.transaction(force_rollback=True):
            connection.execute(statement)
    except psycopg.Error as error:
        return f"{error.sqlstate}: {str(error).splitlines()[0]}"
    return "allowed"


@pytest.mark.parametrize("who", [STATION, DUTY, MANAGER, ADMIN])
def test_postgresql_refuses_what_the_role_may_not_do(
    secured_server: SecuredServer, who: str
) -> None:
    wrong = []
    with secured_server.connect(*login(who)) as connection:
        for attempt in ATTEMPTS:
            # Someone else's login: the administrator's, or the duty officer's for them.
            other = DUTY if who == ADMIN else ADMIN
            said = answer(connection, attempt.statement.replace("{other}", other))
            refused = who in attempt.refused_for
            if refused and not said.startswith(INSUFFICIENT_PRIVILEGE):
                wrong.append(f"{attempt.what}: expected refused, PostgreSQL said {said}")
            if not refused and said != "allowed":
                wrong.append(f"{attempt.what}: expected allowed, PostgreSQL said {said}")
    assert wrong == [], "\n".join(wrong)


def test_the_table_is_not_empty_handed(secured_server: SecuredServer) -> None:
    """The refusals above are the server's: its owner may do what the roles may not."""
    from tests.secured_server import OWNER, OWNER_PASSWORD

    with secured_server.connect(OWNER, OWNER_PASSWORD) as connection:
        for statement in (
            f"UPDATE equipment_items SET name = name WHERE id = {OTHER_AGENCY_ITEM}",
            "SELECT password_hash FROM app_users",
            "SELECT kitshare_sync_login(1, NULL)",
            "CREATE TABLE mine (id integer)",
        ):
            assert answer(connection, statement) == "allowed", statement
