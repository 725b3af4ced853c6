"""How many units of a pooled item a defect affects.

A defect on 2 of a pool of 40 barriers keeps those 2 off the shelf and lets the other
38 go; before this, any defect held back the whole pool. A defect already recorded on a
pool said nothing of how many units it affects, so it keeps holding back all of them,
as it did (and a pool it took out of service stays out until the defect is cleared);
one on a single item affects its one unit.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("defects") as batch:
        batch.add_column(
            sa.Column("quantity", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch.create_check_constraint(batch.f("ck_defects_quantity_positive"), "quantity >= 1")
    op.execute(
        "UPDATE defects SET quantity = (SELECT equipment_items.quantity FROM equipment_items "
        "WHERE equipment_items.id = defects.item_id) "
        "WHERE item_id IN (SELECT id FROM equipment_items WHERE is_pooled)"
    )


def downgrade() -> None:
    with op.batch_alter_table("defects") as batch:
        batch.drop_constraint(batch.f("ck_defects_quantity_positive"), type_="check")
        batch.drop_column("quantity")
