"""What stations logged while the server could not be reached, once sent.

A station without its server logs emergency issues and returns in an outbox of its
own and sends them when the server is back (``app.loans.outbox``). Each arrives here
under the station's id for it, so the primary key sees to it that an entry is taken
once, however often it is sent; an entry the rules refused is kept here as refused, so
that the lending agency's equipment managers see it too.

On PostgreSQL the table tells listening windows of its changes and records who changed
it, as every data table does (0008, 0009).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "offline_receipts"
LIVE_EVENTS = {
    "insert": ("INSERT", "NEW TABLE AS new_rows"),
    "update": ("UPDATE", "NEW TABLE AS new_rows"),
    "delete": ("DELETE", "OLD TABLE AS old_rows"),
}


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "received",
                "refused",
                "cancelled",
                name="offline_entry_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("loan_id", sa.Integer(), nullable=True),
        sa.Column("lender_agency_id", sa.Integer(), nullable=True),
        sa.Column("station", sa.String(length=200), nullable=False),
        sa.Column("logged_by", sa.String(length=200), nullable=False),
        sa.Column("logged_at", sa.DateTime(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("refusal", sa.Text(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lender_agency_id"],
            ["agencies.id"],
            name=op.f("fk_offline_receipts_lender_agency_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["loans.id"],
            name=op.f("fk_offline_receipts_loan_id_loans"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offline_receipts")),
    )
    with op.batch_alter_table(TABLE) as batch_op:
        for column in ("state", "loan_id", "lender_agency_id"):
            batch_op.create_index(batch_op.f(f"ix_{TABLE}_{column}"), [column], unique=False)
    if op.get_context().dialect.name != "postgresql":
        return
    for name, (event, transition) in LIVE_EVENTS.items():
        op.execute(
            f"CREATE TRIGGER kitshare_live_{name} AFTER {event} ON {TABLE} "
            f"REFERENCING {transition} FOR EACH STATEMENT "
            "EXECUTE FUNCTION kitshare_notify_change()"
        )
    op.execute(
        f"CREATE TRIGGER kitshare_row_change AFTER INSERT OR UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION kitshare_record_row_change()"
    )


def downgrade() -> None:
    op.drop_table(TABLE)
