"""No double booking, enforced by the database itself.

A loan line for a tagged item is marked ``exclusive``, and no two holding exclusive
lines of one item may overlap in time:

* PostgreSQL: an exclusion constraint over (item, period) with ``btree_gist``, so two
  station PCs booking at the same instant cannot both commit.
* SQLite: triggers that refuse the insert or update; writers are already serialised by
  ``BEGIN IMMEDIATE``, so this is the backstop should any code path skip the service.

Pooled stock is guarded by the booking service (row locks on PostgreSQL, the write lock
on SQLite), since "never more out than the quantity" is a sum no constraint can state.

Loans also record the person who approved or declined them, and a sharing protocol can
be for emergency and spontaneous deployments only.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The name the booking service looks for to turn a refusal into a clear conflict.
OVERLAP = "loan_lines_no_overlap"

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE loan_lines ADD CONSTRAINT {OVERLAP}
        EXCLUDE USING gist (item_id WITH =, tsrange(starts_at, ends_at) WITH &&)
        WHERE (holds_stock AND exclusive)""",
]

_SQLITE_CLASH = """
    SELECT RAISE(ABORT, '{name}: the item is already booked for part of this period')
    WHERE EXISTS (
        SELECT 1 FROM loan_lines other
        WHERE other.item_id = NEW.item_id
          AND other.id IS NOT NEW.id
          AND other.holds_stock AND other.exclusive
          AND other.starts_at < NEW.ends_at AND other.ends_at > NEW.starts_at
    );
"""

SQLITE_UP = [
    f"""CREATE TRIGGER {OVERLAP}_insert BEFORE INSERT ON loan_lines
        WHEN NEW.holds_stock AND NEW.exclusive
        BEGIN {_SQLITE_CLASH.format(name=OVERLAP)} END""",
    f"""CREATE TRIGGER {OVERLAP}_update BEFORE UPDATE OF
        item_id, starts_at, ends_at, holds_stock, exclusive ON loan_lines
        WHEN NEW.holds_stock AND NEW.exclusive
        BEGIN {_SQLITE_CLASH.format(name=OVERLAP)} END""",
]


def upgrade() -> None:
    with op.batch_alter_table("loan_lines") as batch:
        batch.add_column(
            sa.Column("exclusive", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("loans") as batch:
        batch.add_column(sa.Column("approver_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_loans_approver_id_people"),
            "people",
            ["approver_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    with op.batch_alter_table("sharing_protocols") as batch:
        batch.add_column(
            sa.Column("emergency_only", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(
        "UPDATE loan_lines SET exclusive = (SELECT NOT e.is_pooled FROM equipment_items e"
        " WHERE e.id = loan_lines.item_id)"
    )
    statements = POSTGRES_UP if op.get_context().dialect.name == "postgresql" else SQLITE_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE loan_lines DROP CONSTRAINT IF EXISTS {OVERLAP}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {OVERLAP}_insert")
        op.execute(f"DROP TRIGGER IF EXISTS {OVERLAP}_update")
    with op.batch_alter_table("sharing_protocols") as batch:
        batch.drop_column("emergency_only")
    with op.batch_alter_table("loans") as batch:
        batch.drop_constraint("fk_loans_approver_id_people", type_="foreignkey")
        batch.drop_column("approver_id")
    with op.batch_alter_table("loan_lines") as batch:
        batch.drop_column("exclusive")
