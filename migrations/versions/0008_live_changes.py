"""Every committed change tells the other stations, on PostgreSQL.

Statement triggers on each data table send ``NOTIFY kitshare_changes, 'table:1,2,3'``
(the ids the statement touched; just ``'table:'`` when they would not fit in a notice),
in the transaction that makes the change: a listener hears of it once committed, and
never of one rolled back (``app.storage.live``). One notice per statement, not per row,
so an import of 100,000 rows sends a handful. SQLite has no server to send notices; its
windows notice each other's commits by ``PRAGMA data_version`` and need nothing here.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "kitshare_changes"
# Every table a window shows something of, as it stands at this revision.
TABLES = (
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
    "audit_events",
)
# Ids beyond this many characters are not listed: a notice carries at most 8,000 bytes.
IDS_MAX_CHARS = 7000

FUNCTION = f"""CREATE FUNCTION kitshare_notify_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        touched bigint;
        ids text;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            SELECT count(*), string_agg(DISTINCT to_jsonb(r) ->> 'id', ',')
                INTO touched, ids FROM old_rows r;
        ELSE
            SELECT count(*), string_agg(DISTINCT to_jsonb(r) ->> 'id', ',')
                INTO touched, ids FROM new_rows r;
        END IF;
        IF touched = 0 THEN
            RETURN NULL;
        END IF;
        IF ids IS NULL OR length(ids) > {IDS_MAX_CHARS} THEN
            ids := '';
        END IF;
        PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME || ':' || ids);
        RETURN NULL;
    END
    $$"""

EVENTS = {
    "insert": ("INSERT", "NEW TABLE AS new_rows"),
    "update": ("UPDATE", "NEW TABLE AS new_rows"),
    "delete": ("DELETE", "OLD TABLE AS old_rows"),
}


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    for table in TABLES:
        for name, (event, transition) in EVENTS.items():
            op.execute(
                f"CREATE TRIGGER kitshare_live_{name} AFTER {event} ON {table} "
                f"REFERENCING {transition} FOR EACH STATEMENT "
                "EXECUTE FUNCTION kitshare_notify_change()"
            )


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table in TABLES:
        for name in EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS kitshare_live_{name} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS kitshare_notify_change()")
