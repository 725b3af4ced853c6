"""A shared PostgreSQL server on which each person's rights are the server's to enforce.

``kitshare-admin setup-server``, run once by an administrator holding the credential of
the role that owns the tables (no station ever holds it), makes:

* a group role per Kit Share role, each including the one before it
  (``kitshare_duty_officer`` ⊂ ``kitshare_equipment_manager`` ⊂ ``kitshare_administrator``),
  with GRANTs on the tables and columns that role may read and change, and nothing else:
  no DDL, no TRUNCATE, no trigger switched off, nothing written to the audit trail but new
  events, no password hash read;
* a login role per Kit Share user, named as the user signs in, in their role's group:
  PostgreSQL checks the password (SCRAM), and the login is refused while the account is
  disabled or locked out;
* ``kitshare_station``: the login every station's configuration holds, which can do
  nothing but ask whether an account may try to sign in and count a wrong password;
* guard triggers for what GRANTs cannot say: an equipment manager changes only their own
  agency's kit, kits, inspections and defects; a duty officer changes only what handing kit
  over and back changes on another agency's item (its status, condition and where it is);
* ``SECURITY DEFINER`` functions with a fixed ``search_path`` for the few things that
  must cross those lines: signing in (the lock-out count), and an administrator adding
  users, changing their role, disabling them (which ends their sessions at once) and
  setting their password.

Running it again changes nothing that is already right, and brings grants up to date
after ``kitshare-admin migrate``. What each role may do is tested statement by statement
in ``tests/test_server_rights.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from psycopg import sql
from sqlalchemy import Connection, text

from models import Base, Role

STATION_ROLE = "kitshare_station"
GROUPS: dict[Role, str] = {
    Role.DUTY_OFFICER: "kitshare_duty_officer",
    Role.EQUIPMENT_MANAGER: "kitshare_equipment_manager",
    Role.ADMINISTRATOR: "kitshare_administrator",
}
# Wrong passwords in a row before an account is locked, and for how long (as the app's).
MAX_FAILED_ATTEMPTS = 5
LOCKOUT_MINUTES = 5

# The tables whose every column everyone signed in may read: all of the models' but the
# accounts and the audit trail (below, column by column or by role); new tables follow.
PRIVATE_TABLES = ("app_users", "audit_events")
DATA_TABLES = tuple(
    table.name for table in Base.metadata.sorted_tables if table.name not in PRIVATE_TABLES
)
USER_COLUMNS = (
    "id, username, person_id, role, is_active, failed_attempts, locked_until, "
    "last_signed_in_at, created_at"
)
USER_WRITABLE_COLUMNS = "username, person_id, role, is_active, failed_attempts, locked_until"
# What a duty officer's report of retired kit reads of the trail: not who, nor the values.
AUDIT_SUMMARY_COLUMNS = "id, occurred_at, action, entity_type, entity_id"
# What handing kit over and taking it back changes on an item, whoever's it is.
HANDOVER_ITEM_COLUMNS = ("status", "condition", "current_site_id", "updated_at", "row_version")


@dataclass(frozen=True)
class Grant:
    privileges: str
    table: str
    role: str


def _grants() -> Iterable[Grant]:
    duty = GROUPS[Role.DUTY_OFFICER]
    manager = GROUPS[Role.EQUIPMENT_MANAGER]
    admin = GROUPS[Role.ADMINISTRATOR]
    for table in (*DATA_TABLES, "alembic_version"):
        yield Grant("SELECT", table, duty)
    yield Grant(f"SELECT ({USER_COLUMNS})", "app_users", duty)
    yield Grant(f"SELECT ({AUDIT_SUMMARY_COLUMNS})", "audit_events", duty)
    yield Grant("INSERT", "audit_events", duty)
    yield Grant("SELECT", "audit_events", manager)
    yield Grant("SELECT", "row_changes", admin)
    # Loans, and defects anyone finds.
    for table in ("loans", "loan_lines"):
        yield Grant("INSERT, UPDATE", table, duty)
    yield Grant("INSERT", "defects", duty)
    # What a station logged without the server, as it arrives (``app.loans.outbox``).
    yield Grant("INSERT, UPDATE", "offline_receipts", duty)
    yield Grant(f"UPDATE ({', '.join(HANDOVER_ITEM_COLUMNS)})", "equipment_items", duty)
    # The catalogue, inspections and defects of the manager's own agency (guards below).
    yield Grant("INSERT, UPDATE, DELETE", "equipment_items", manager)
    yield Grant("INSERT, UPDATE", "inspections", manager)
    yield Grant("UPDATE", "defects", manager)
    yield Grant("INSERT, UPDATE, DELETE", "inspection_regimes", manager)
    # Kits of the manager's own agency's kit (guard below); a kit is retired, not deleted.
    yield Grant("INSERT, UPDATE", "kits", manager)
    yield Grant("INSERT, UPDATE, DELETE", "kit_members", manager)
    # Everything else an administrator keeps: the register, people, reference data.
    for table in DATA_TABLES:
        yield Grant("INSERT, UPDATE, DELETE", table, admin)
    # Accounts: their logins follow by trigger; a hash is never read nor changed (the
    # server keeps the passwords), only written with a new account.
    yield Grant("INSERT", "app_users", admin)
    yield Grant(f"UPDATE ({USER_WRITABLE_COLUMNS})", "app_users", admin)


def _is(role: Role) -> str:
    return f"pg_has_role(session_user, '{GROUPS[role]}', 'MEMBER')"


# The tables' owner (migrating, restoring a backup) is not held back by the guards.
_OWNER = "pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER')"

FUNCTIONS = [
    # Whose agency and role the signed-in login is: the guards' and the policies' "me".
    """CREATE OR REPLACE FUNCTION kitshare_my_agency() RETURNS integer
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT p.agency_id FROM app_users u JOIN people p ON p.id = u.person_id
        WHERE u.username = session_user
    $$""",
    # May this account try to sign in? '' if so; otherwise why not. A lock that has run
    # out lets the login in again.
    """CREATE OR REPLACE FUNCTION kitshare_sign_in_state(p_username text) RETURNS text
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE
            u app_users%ROWTYPE;
        BEGIN
            SELECT * INTO u FROM app_users WHERE username = p_username FOR UPDATE;
            IF NOT FOUND THEN
                RETURN '';
            END IF;
            IF NOT u.is_active THEN
                RETURN 'disabled';
            END IF;
            IF u.locked_until IS NOT NULL AND u.locked_until > now() THEN
                RETURN 'locked:' || to_char(u.locked_until AT TIME ZONE 'UTC',
                                            'YYYY-MM-DD"T"HH24:MI:SS"+00:00"');
            END IF;
            IF u.locked_until IS NOT NULL THEN
                UPDATE app_users SET locked_until = NULL, failed_attempts = 0 WHERE id = u.id;
                EXECUTE format('ALTER ROLE %I LOGIN', u.username);
            END IF;
            RETURN '';
        END
    $$""",
    # A wrong password: count it, and lock the login out after too many in a row.
    f"""CREATE OR REPLACE FUNCTION kitshare_failed_sign_in(p_username text) RETURNS text
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE
            u app_users%ROWTYPE;
        BEGIN
            SELECT * INTO u FROM app_users WHERE username = p_username FOR UPDATE;
            IF NOT FOUND OR NOT u.is_active THEN
                RETURN '';
            END IF;
            IF u.failed_attempts + 1 >= {MAX_FAILED_ATTEMPTS} THEN
                UPDATE app_users SET failed_attempts = 0,
                    locked_until = now() + interval '{LOCKOUT_MINUTES} minutes'
                    WHERE id = u.id;
                EXECUTE format('ALTER ROLE %I NOLOGIN', u.username);
                INSERT INTO audit_events (occurred_at, user_id, actor, action, entity_type,
                                          entity_id, note)
                VALUES (now(), u.id, u.username, 'user.locked_out', 'app_user', u.id,
                        '{MAX_FAILED_ATTEMPTS} wrong passwords in a row');
                RETURN 'locked';
            END IF;
            UPDATE app_users SET failed_attempts = u.failed_attempts + 1 WHERE id = u.id;
            RETURN ({MAX_FAILED_ATTEMPTS} - u.failed_attempts - 1)::text;
        END
    $$""",
    # Signed in: the count starts again, and the moment is kept.
    """CREATE OR REPLACE FUNCTION kitshare_signed_in() RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE
            found_id integer;
        BEGIN
            UPDATE app_users SET failed_attempts = 0, locked_until = NULL,
                last_signed_in_at = now()
                WHERE username = session_user AND is_active
                RETURNING id INTO found_id;
            RETURN found_id;
        END
    $$""",
    f"""CREATE OR REPLACE FUNCTION kitshare_set_password(p_user_id integer, p_verifier text)
        RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        BEGIN
            IF NOT {_is(Role.ADMINISTRATOR)} THEN
                RAISE EXCEPTION 'Only an administrator sets another person''s password.'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            PERFORM kitshare_sync_login(p_user_id, p_verifier);
        END
    $$""",
    # An account added or changed (by an administrator, or the sign-in functions): its
    # login follows, renamed with it.
    """CREATE OR REPLACE FUNCTION kitshare_user_changed() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND OLD.username <> NEW.username
               AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = OLD.username) THEN
                EXECUTE format('ALTER ROLE %I RENAME TO %I', OLD.username, NEW.username);
            END IF;
            PERFORM kitshare_sync_login(NEW.id, NULL);
            RETURN NULL;
        END
    $$""",
    # The login of one user as app_users says it should be: its group, whether it may
    # log in, its password if given. Disabled: its sessions end now.
    f"""CREATE OR REPLACE FUNCTION kitshare_sync_login(p_user_id integer, p_verifier text)
        RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE
            u app_users%ROWTYPE;
            grp text;
        BEGIN
            SELECT * INTO u FROM app_users WHERE id = p_user_id;
            IF NOT FOUND THEN
                RETURN;
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = u.username) THEN
                EXECUTE format('CREATE ROLE %I NOLOGIN', u.username);
            END IF;
            FOREACH grp IN ARRAY ARRAY[{", ".join(f"'{g}'" for g in GROUPS.values())}] LOOP
                EXECUTE format('REVOKE %I FROM %I', grp, u.username);
            END LOOP;
            EXECUTE format('GRANT %I TO %I', 'kitshare_' || u.role::text, u.username);
            IF p_verifier IS NOT NULL THEN
                EXECUTE format('ALTER ROLE %I PASSWORD %L', u.username, p_verifier);
            END IF;
            IF u.is_active AND (u.locked_until IS NULL OR u.locked_until <= now()) THEN
                EXECUTE format('ALTER ROLE %I LOGIN', u.username);
            ELSE
                EXECUTE format('ALTER ROLE %I NOLOGIN', u.username);
                PERFORM pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE usename = u.username;
            END IF;
        END
    $$""",
]

CLOSED_LOAN_STATUSES = ("returned", "cancelled", "declined")

GUARDS = [
    # A loan: what it was asked for, by whom and for whom stays as it was; a closed one
    # is never changed; a decision is the signed-in person's own.
    f"""CREATE OR REPLACE FUNCTION kitshare_guard_loan() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE
            me integer := (SELECT id FROM app_users WHERE username = session_user);
        BEGIN
            IF {_is(Role.ADMINISTRATOR)} OR {_OWNER} THEN
                RETURN COALESCE(NEW, OLD);
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;  -- only the GRANTs say who deletes
            END IF;
            IF TG_OP = 'INSERT' THEN
                IF NEW.status::text NOT IN ('requested', 'issued')
                   OR NEW.decided_by_id IS NOT NULL AND NEW.decided_by_id <> me THEN
                    RAISE EXCEPTION 'Kit Share: a new loan is a request or an emergency '
                        'issue, decided by nobody else.' USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END IF;
            IF OLD.status::text IN ({", ".join(f"'{s}'" for s in CLOSED_LOAN_STATUSES)}) THEN
                RAISE EXCEPTION 'Kit Share: a closed loan is never changed.'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF (NEW.borrower_agency_id, NEW.requested_by_id, NEW.is_emergency, NEW.created_at)
               IS DISTINCT FROM
               (OLD.borrower_agency_id, OLD.requested_by_id, OLD.is_emergency, OLD.created_at)
            THEN
                RAISE EXCEPTION 'Kit Share: who borrows a loan, who asked and when stay as '
                    'they were.' USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF NEW.decided_by_id IS DISTINCT FROM OLD.decided_by_id
               AND NEW.decided_by_id IS DISTINCT FROM me THEN
                RAISE EXCEPTION 'Kit Share: a decision on a loan is the signed-in person''s own.'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END
    $$""",
    # A loan's lines: changed only while the loan is open.
    f"""CREATE OR REPLACE FUNCTION kitshare_guard_loan_line() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        BEGIN
            IF {_is(Role.ADMINISTRATOR)} OR {_OWNER} THEN
                RETURN COALESCE(NEW, OLD);
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;  -- only the GRANTs say who deletes
            END IF;
            IF (SELECT status::text FROM loans WHERE id = NEW.loan_id)
               IN ({", ".join(f"'{s}'" for s in CLOSED_LOAN_STATUSES)})
               OR TG_OP = 'UPDATE' AND NEW.loan_id <> OLD.loan_id THEN
                RAISE EXCEPTION 'Kit Share: the lines of a closed loan are never changed.'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END
    $$""",
    # An item: a manager's own agency's, or an administrator's; anyone else may change only
    # what a hand-over changes.
    f"""CREATE OR REPLACE FUNCTION kitshare_guard_item() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE
            mine integer := kitshare_my_agency();
            handover text[] := ARRAY[{", ".join(f"'{c}'" for c in HANDOVER_ITEM_COLUMNS)}];
        BEGIN
            IF {_is(Role.ADMINISTRATOR)} OR {_OWNER} THEN
                RETURN COALESCE(NEW, OLD);
            END IF;
            IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - handover) = (to_jsonb(OLD) - handover) THEN
                RETURN NEW;
            END IF;
            IF {_is(Role.EQUIPMENT_MANAGER)}
               AND (TG_OP = 'INSERT' OR OLD.owner_agency_id = mine)
               AND (TG_OP = 'DELETE' OR NEW.owner_agency_id = mine) THEN
                RETURN COALESCE(NEW, OLD);
            END IF;
            RAISE EXCEPTION 'Kit Share: only the owning agency''s equipment managers and '
                'administrators change this item.' USING ERRCODE = 'insufficient_privilege';
        END
    $$""",
    # Inspections, regimes and clearing defects: the item's owner's managers.
    f"""CREATE OR REPLACE FUNCTION kitshare_guard_item_record() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE
            row_item integer := (to_jsonb(COALESCE(NEW, OLD)) ->> 'item_id')::integer;
            owner integer;
        BEGIN
            IF {_is(Role.ADMINISTRATOR)} OR {_OWNER} THEN
                RETURN COALESCE(NEW, OLD);
            END IF;
            IF TG_TABLE_NAME = 'defects' AND TG_OP = 'INSERT' THEN
                RETURN NEW;  -- whoever finds a fault says so
            END IF;
            SELECT owner_agency_id INTO owner FROM equipment_items WHERE id = row_item;
            IF row_item IS NOT NULL AND owner = kitshare_my_agency() THEN
                RETURN COALESCE(NEW, OLD);
            END IF;
            RAISE EXCEPTION 'Kit Share: only the owning agency''s equipment managers and '
                'administrators change this item''s records.'
                USING ERRCODE = 'insufficient_privilege';
        END
    $$""",
    # A kit and its members: the owning agency's managers, and only of that agency's
    # items; a kit never passes to another agency.
    f"""CREATE OR REPLACE FUNCTION kitshare_guard_kit() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE
            mine integer := kitshare_my_agency();
            old_row jsonb := to_jsonb(OLD);
            new_row jsonb := to_jsonb(NEW);
            old_owner integer;
            new_owner integer;
            item_owner integer;
        BEGIN
            IF {_is(Role.ADMINISTRATOR)} OR {_OWNER} THEN
                RETURN COALESCE(NEW, OLD);
            END IF;
            IF TG_TABLE_NAME = 'kits' THEN
                old_owner := (old_row ->> 'owner_agency_id')::integer;
                new_owner := (new_row ->> 'owner_agency_id')::integer;
            ELSE
                SELECT owner_agency_id INTO old_owner FROM kits
                    WHERE id = (old_row ->> 'kit_id')::integer;
                SELECT owner_agency_id INTO new_owner FROM kits
                    WHERE id = (new_row ->> 'kit_id')::integer;
                SELECT owner_agency_id INTO item_owner FROM equipment_items
                    WHERE id = (new_row ->> 'item_id')::integer;
            END IF;
            IF {_is(Role.EQUIPMENT_MANAGER)}
               AND (TG_OP = 'INSERT' OR old_owner = mine)
               AND (TG_OP = 'DELETE' OR new_owner = mine)
               AND (item_owner IS NULL OR item_owner = mine) THEN
                RETURN COALESCE(NEW, OLD);
            END IF;
            RAISE EXCEPTION 'Kit Share: only the owning agency''s equipment managers and '
                'administrators change this kit, and only with that agency''s items.'
                USING ERRCODE = 'insufficient_privilege';
        END
    $$""",
]

SEARCH_INDEX_FUNCTIONS = (
    "kitshare_refresh_item_search(integer)",
    "kitshare_item_search_trigger()",
    "kitshare_item_search_rename_trigger()",
)
OWN_FUNCTIONS = (
    "kitshare_my_agency()",
    "kitshare_sign_in_state(text)",
    "kitshare_failed_sign_in(text)",
    "kitshare_signed_in()",
    "kitshare_set_password(integer, text)",
    "kitshare_user_changed()",
    "kitshare_sync_login(integer, text)",
    "kitshare_guard_item()",
    "kitshare_guard_loan()",
    "kitshare_guard_loan_line()",
    "kitshare_guard_item_record()",
    "kitshare_guard_kit()",
    "kitshare_record_row_change()",
)

GUARDED = {
    "loans": "kitshare_guard_loan",
    "loan_lines": "kitshare_guard_loan_line",
    "equipment_items": "kitshare_guard_item",
    "inspections": "kitshare_guard_item_record",
    "defects": "kitshare_guard_item_record",
    "inspection_regimes": "kitshare_guard_item_record",
    "kits": "kitshare_guard_kit",
    "kit_members": "kitshare_guard_kit",
}


def _create_role_sql(name: str, *, login: bool = False) -> str:
    kind = "LOGIN" if login else "NOLOGIN"
    # Two databases on one server may be set up at once: the roles are the server's.
    return f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN
            CREATE ROLE {name} {kind};
        END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
    END $$"""


def setup_statements(database: str) -> list[str]:
    """Every statement of the set-up, in order; each may run again harmlessly."""
    statements = [_create_role_sql(group) for group in GROUPS.values()]
    statements.append(_create_role_sql(STATION_ROLE, login=True))
    statements += [
        f"GRANT {GROUPS[Role.DUTY_OFFICER]} TO {GROUPS[Role.EQUIPMENT_MANAGER]}",
        f"GRANT {GROUPS[Role.EQUIPMENT_MANAGER]} TO {GROUPS[Role.ADMINISTRATOR]}",
        f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC',
        "REVOKE ALL ON SCHEMA public FROM PUBLIC",
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC",
        "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC",
    ]
    everyone = [*GROUPS.values(), STATION_ROLE]
    for role in everyone:
        statements += [
            f'GRANT CONNECT ON DATABASE "{database}" TO {role}',
            f"GRANT USAGE ON SCHEMA public TO {role}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
        ]
    statements.append(f"GRANT SELECT ON alembic_version TO {STATION_ROLE}")
    # The search index: everyone reads it; it is kept by its triggers, as its owner.
    statements.append(f"GRANT SELECT ON item_search TO {GROUPS[Role.DUTY_OFFICER]}")
    statements += [
        f"ALTER FUNCTION {f} SECURITY DEFINER SET search_path = pg_catalog, public"
        for f in SEARCH_INDEX_FUNCTIONS
    ]
    statements += [f"GRANT {g.privileges} ON {g.table} TO {g.role}" for g in _grants()]
    statements.append(
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {GROUPS[Role.DUTY_OFFICER]}"
    )
    statements += FUNCTIONS + GUARDS
    # Kit Share's own functions are nobody's to call but those granted them below (the
    # search index's helpers stay everyone's: the tables' triggers call them).
    statements += [f"REVOKE ALL ON FUNCTION {f} FROM PUBLIC" for f in OWN_FUNCTIONS]
    for table, function in GUARDED.items():
        statements += [
            f"DROP TRIGGER IF EXISTS kitshare_guard ON {table}",
            f"CREATE TRIGGER kitshare_guard BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        ]
    statements += [
        "DROP TRIGGER IF EXISTS kitshare_user_changed ON app_users",
        "CREATE TRIGGER kitshare_user_changed AFTER INSERT OR UPDATE OF username, role, "
        "is_active, locked_until ON app_users "
        "FOR EACH ROW EXECUTE FUNCTION kitshare_user_changed()",
    ]
    station_may = ("kitshare_sign_in_state(text)", "kitshare_failed_sign_in(text)")
    for function in station_may:
        statements.append(f"GRANT EXECUTE ON FUNCTION {function} TO {STATION_ROLE}")
    signed_in_may = (
        "kitshare_signed_in()",
        "kitshare_my_agency()",
        "kitshare_set_password(integer, text)",
    )
    for function in signed_in_may:
        statements.append(f"GRANT EXECUTE ON FUNCTION {function} TO {GROUPS[Role.DUTY_OFFICER]}")
    # The triggers' own functions run as their owner; nobody calls them directly.
    return statements


def set_up(connection: Connection, station_password: str | None = None) -> None:
    """Make or bring up to date the roles, grants, guards and functions (run as the
    owner); with ``station_password``, set the stations' login's password too."""
    database = connection.execute(text("SELECT current_database()")).scalar_one()
    for statement in setup_statements(str(database)):
        run_as_written(connection, statement)
    if station_password is not None:
        set_login_password(connection, STATION_ROLE, station_password)


def run_as_written(connection: Connection, statement: str | sql.Composable) -> None:
    """``statement`` as written: no bind parameters read into its colons and percents."""
    raw = connection.connection.driver_connection
    raw.execute(statement)  # type: ignore[union-attr]


def set_login_password(connection: Connection, role: str, password: str) -> None:
    """Give the login ``role`` the verifier of ``password``."""
    verifier = encrypt_password(connection, role, password)
    run_as_written(
        connection,
        sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(verifier)
        ),
    )


def encrypt_password(connection: Connection, username: str, password: str) -> str:
    """The SCRAM verifier PostgreSQL keeps for ``password``, made here by libpq (with
    its SASLprep), so the password itself never travels to the server."""
    raw = connection.connection.driver_connection
    verifier: bytes = raw.pgconn.encrypt_password(  # type: ignore[union-attr]
        password.encode(), username.encode(), b"scram-sha-256"
    )
    return verifier.decode()


def is_secured(connection: Connection) -> bool:
    """Whether the server checks each person's rights itself (``set_up`` has run)."""
    found = connection.execute(
        text("SELECT to_regprocedure('kitshare_sign_in_state(text)') IS NOT NULL")
    ).scalar_one()
    return bool(found)
