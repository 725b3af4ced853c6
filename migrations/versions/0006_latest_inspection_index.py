"""An index for each item's latest inspection under each regime.

Every due date, the Inspections view, the "inspection due before" search and the check
before kit is handed over read an item's latest inspection per regime; this index lets
the database find it without reading the item's whole history.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_inspections_latest", "inspections", ["item_id", "regime_id", "inspected_on"]
    )


def downgrade() -> None:
    op.drop_index("ix_inspections_latest", table_name="inspections")
