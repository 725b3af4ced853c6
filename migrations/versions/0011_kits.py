"""Kits: several items that one agency lends as one, and the kit a loan was made from.

A kit names its members (tagged items, or some of a pooled item), in order, each with an
optional note for whoever packs it. Its name is its agency's alone while it is in use
(a partial unique index: a retired kit's name may be taken again). A loan remembers the
kit it was made from, which its lines alone cannot say: a member may be left out or
stood in for, and an item may belong to several kits.

On PostgreSQL the new tables tell listening windows of their changes and record who
changed them, as every data table does (0008, 0009).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("kits", "kit_members")
LIVE_EVENTS = {
    "insert": ("INSERT", "NEW TABLE AS new_rows"),
    "update": ("UPDATE", "NEW TABLE AS new_rows"),
    "delete": ("DELETE", "OLD TABLE AS old_rows"),
}
KIT_IN_USE = "retired_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "kits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_agency_id", sa.Integer(), nullable=False),
        sa.Column("home_site_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.Column("retired_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["home_site_id"],
            ["sites.id"],
            name=op.f("fk_kits_home_site_id_sites"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_agency_id"],
            ["agencies.id"],
            name=op.f("fk_kits_owner_agency_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kits")),
    )
    with op.batch_alter_table("kits") as batch_op:
        for column in ("owner_agency_id", "home_site_id"):
            batch_op.create_index(batch_op.f(f"ix_kits_{column}"), [column], unique=False)
        batch_op.create_index(
            "ix_kits_name_in_use",
            ["owner_agency_id", "name"],
            unique=True,
            sqlite_where=sa.text(KIT_IN_USE),
            postgresql_where=sa.text(KIT_IN_USE),
        )
    op.create_table(
        "kit_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kit_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_kit_members_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["equipment_items.id"],
            name=op.f("fk_kit_members_item_id_equipment_items"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["kit_id"],
            ["kits.id"],
            name=op.f("fk_kit_members_kit_id_kits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kit_members")),
        sa.UniqueConstraint("kit_id", "item_id", name=op.f("uq_kit_members_kit_id_item_id")),
    )
    with op.batch_alter_table("kit_members") as batch_op:
        for column in ("kit_id", "item_id"):
            batch_op.create_index(batch_op.f(f"ix_kit_members_{column}"), [column], unique=False)
    with op.batch_alter_table("loans") as batch_op:
        batch_op.add_column(sa.Column("kit_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_loans_kit_id_kits"), "kits", ["kit_id"], ["id"], ondelete="RESTRICT"
        )
        batch_op.create_index(batch_op.f("ix_loans_kit_id"), ["kit_id"], unique=False)
    if op.get_context().dialect.name != "postgresql":
        return
    for table in TABLES:
        for name, (event, transition) in LIVE_EVENTS.items():
            op.execute(
                f"CREATE TRIGGER kitshare_live_{name} AFTER {event} ON {table} "
                f"REFERENCING {transition} FOR EACH STATEMENT "
                "EXECUTE FUNCTION kitshare_notify_change()"
            )
        op.execute(
            f"CREATE TRIGGER kitshare_row_change AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION kitshare_record_row_change()"
        )


def downgrade() -> None:
    with op.batch_alter_table("loans") as batch_op:
        batch_op.drop_index(batch_op.f("ix_loans_kit_id"))
        batch_op.drop_constraint(batch_op.f("fk_loans_kit_id_kits"), type_="foreignkey")
        batch_op.drop_column("kit_id")
    op.drop_table("kit_members")
    op.drop_table("kits")
