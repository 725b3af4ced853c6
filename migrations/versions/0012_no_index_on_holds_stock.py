"""No index on whether a loan line holds stock.

Every query that asks whether lines hold stock asks it of one item's lines (or a page
of items'), which the index on the item finds. An index on a yes-or-no column only
competed with it: SQLite, with no statistics, judged the two alike and took whichever
it met first, and the order it meets them in is the order a table was last rebuilt in,
which differs from one database to the next. On a database where it chose this one,
each search row read every line holding stock, and a page of 100 rows of a county's
catalogue took 100 ms instead of 4.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_loan_lines_holds_stock", table_name="loan_lines")


def downgrade() -> None:
    op.create_index("ix_loan_lines_holds_stock", "loan_lines", ["holds_stock"])
