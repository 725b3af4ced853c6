"""On PostgreSQL, the database itself records who changed what.

A station's person connects as their own PostgreSQL role (``app.storage.server``), so
the server knows who makes each change, whichever program they use. Two things follow:

* ``row_changes``: every insert, update and delete on a data table, row by row, with
  the login role that made it (``session_user``), written by a trigger that nobody can
  skip and nobody can write to directly; append-only like the audit trail (0005).
  Password hashes are never copied into it.
* ``audit_events.db_user``: the login role that wrote each audit event, set by the
  database, so the name the program gives can be checked against who really wrote it.

SQLite is a file on one PC, as private as that PC's account: nothing here applies.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The data tables whose rows are recorded (the audit trail records itself).
RECORDED = (
    "agencies",
    "sites",
    "categories",
    "equipment_items",
    "mous",
    "mou_parties",
    "mou_signatories",
    "mou_clauses",
    "sharing_protocols",
    "protocol_borrowers",
    "protocol_categories",
    "protocol_items",
    "protocol_qualifications",
    "inspection_regimes",
    "inspections",
    "defects",
    "loans",
    "loan_lines",
    "people",
    "qualification_types",
    "person_qualifications",
    "app_users",
)

POSTGRES_UP = [
    """CREATE TABLE row_changes (
        id bigserial PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        db_user text NOT NULL DEFAULT session_user,
        table_name text NOT NULL,
        operation text NOT NULL,
        row_id text,
        before jsonb,
        after jsonb
    )""",
    "CREATE INDEX ix_row_changes_table_row ON row_changes (table_name, row_id)",
    """CREATE FUNCTION kitshare_record_row_change() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE
            old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
            new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
        BEGIN
            INSERT INTO row_changes (db_user, table_name, operation, row_id, before, after)
            VALUES (
                session_user, TG_TABLE_NAME, TG_OP,
                COALESCE(new_row, old_row) ->> 'id',
                old_row - 'password_hash', new_row - 'password_hash'
            );
            RETURN NULL;
        END
        $$""",
    """CREATE TRIGGER row_changes_no_change BEFORE UPDATE OR DELETE ON row_changes
        FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    """CREATE TRIGGER row_changes_no_truncate BEFORE TRUNCATE ON row_changes
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
    "ALTER TABLE audit_events ADD COLUMN db_user text",
    """CREATE FUNCTION kitshare_stamp_audit_event() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.db_user := session_user;
            RETURN NEW;
        END
        $$""",
    """CREATE TRIGGER audit_events_stamp BEFORE INSERT ON audit_events
        FOR EACH ROW EXECUTE FUNCTION kitshare_stamp_audit_event()""",
]


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for statement in POSTGRES_UP:
        op.execute(statement)
    for table in RECORDED:
        op.execute(
            f"CREATE TRIGGER kitshare_row_change AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION kitshare_record_row_change()"
        )


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table in RECORDED:
        op.execute(f"DROP TRIGGER IF EXISTS kitshare_row_change ON {table}")
    op.execute("DROP TRIGGER IF EXISTS audit_events_stamp ON audit_events")
    op.execute("DROP FUNCTION IF EXISTS kitshare_stamp_audit_event()")
    op.execute("ALTER TABLE audit_events DROP COLUMN IF EXISTS db_user")
    op.execute("DROP TABLE IF EXISTS row_changes")
    op.execute("DROP FUNCTION IF EXISTS kitshare_record_row_change()")
