"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21 10:20:02.000785
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "police",
                "fire",
                "ambulance",
                "local_authority",
                "other",
                name="agency_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("address", sa.String(length=400), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("code", name=op.f("uq_agencies_code")),
        sa.UniqueConstraint("name", name=op.f("uq_agencies_name")),
    )
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("tracks_fuel", sa.Boolean(), nullable=False),
        sa.Column("tracks_hours", sa.Boolean(), nullable=False),
        sa.Column("tracks_battery", sa.Boolean(), nullable=False),
        sa.Column("tracks_mileage", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("name", name=op.f("uq_categories_name")),
    )
    op.create_table(
        "mous",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("is_draft", sa.Boolean(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("terminated_on", sa.Date(), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "expires_on IS NULL OR effective_from IS NULL OR expires_on > effective_from",
            name=op.f("ck_mous_expiry_after_effective"),
        ),
        sa.CheckConstraint(
            "review_on IS NULL OR effective_from IS NULL OR review_on >= effective_from",
            name=op.f("ck_mous_review_after_effective"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_mous_version_positive")),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["mous.id"],
            name=op.f("fk_mous_supersedes_id_mous"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mous")),
        sa.UniqueConstraint("reference", "version", name=op.f("uq_mous_reference_version")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_mous_supersedes_id")),
    )
    with op.batch_alter_table("mous", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mous_reference"), ["reference"], unique=False)

    op.create_table(
        "qualification_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("allows", sa.Text(), nullable=True),
        sa.Column("validity_months", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "validity_months IS NULL OR validity_months > 0",
            name=op.f("ck_qualification_types_validity_positive"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualification_types")),
        sa.UniqueConstraint("code", name=op.f("uq_qualification_types_code")),
        sa.UniqueConstraint("name", name=op.f("uq_qualification_types_name")),
    )
    op.create_table(
        "mou_clauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mou_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("heading", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mou_id"], ["mous.id"], name=op.f("fk_mou_clauses_mou_id_mous"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mou_clauses")),
        sa.UniqueConstraint("mou_id", "position", name=op.f("uq_mou_clauses_mou_id_position")),
    )
    with op.batch_alter_table("mou_clauses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mou_clauses_mou_id"), ["mou_id"], unique=False)

    op.create_table(
        "mou_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mou_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_mou_parties_agency_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["mou_id"], ["mous.id"], name=op.f("fk_mou_parties_mou_id_mous"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mou_parties")),
        sa.UniqueConstraint("mou_id", "agency_id", name=op.f("uq_mou_parties_mou_id_agency_id")),
    )
    with op.batch_alter_table("mou_parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mou_parties_mou_id"), ["mou_id"], unique=False)

    op.create_table(
        "mou_signatories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mou_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role_title", sa.String(length=200), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_mou_signatories_agency_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["mou_id"], ["mous.id"], name=op.f("fk_mou_signatories_mou_id_mous"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mou_signatories")),
    )
    with op.batch_alter_table("mou_signatories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mou_signatories_mou_id"), ["mou_id"], unique=False)

    op.create_table(
        "sharing_protocols",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mou_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "approver_role",
            sa.Enum(
                "duty_officer",
                "equipment_manager",
                "administrator",
                name="approver_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("approver_title", sa.String(length=200), nullable=True),
        sa.Column("notice_hours", sa.Integer(), nullable=False),
        sa.Column("max_loan_hours", sa.Integer(), nullable=False),
        sa.Column(
            "charging",
            sa.Enum(
                "none",
                "consumables",
                "rate",
                name="charging_basis",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("charge_rate_pence", sa.Integer(), nullable=True),
        sa.Column("charge_unit", sa.String(length=20), nullable=True),
        sa.Column("use_conditions", sa.Text(), nullable=True),
        sa.Column("protocol_text", sa.Text(), nullable=True),
        sa.Column("data_terms", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "charge_rate_pence IS NULL OR charge_rate_pence >= 0",
            name=op.f("ck_sharing_protocols_rate_non_negative"),
        ),
        sa.CheckConstraint(
            "max_loan_hours > 0", name=op.f("ck_sharing_protocols_max_loan_positive")
        ),
        sa.CheckConstraint(
            "notice_hours >= 0", name=op.f("ck_sharing_protocols_notice_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["mou_id"],
            ["mous.id"],
            name=op.f("fk_sharing_protocols_mou_id_mous"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_protocols")),
    )
    with op.batch_alter_table("sharing_protocols", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sharing_protocols_mou_id"), ["mou_id"], unique=False)

    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("town", sa.String(length=100), nullable=True),
        sa.Column("address", sa.String(length=400), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_sites_agency_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("agency_id", "name", name=op.f("uq_sites_agency_id_name")),
    )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sites_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "equipment_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_tag", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("owner_agency_id", sa.Integer(), nullable=False),
        sa.Column("home_site_id", sa.Integer(), nullable=False),
        sa.Column("current_site_id", sa.Integer(), nullable=True),
        sa.Column("current_location", sa.String(length=200), nullable=True),
        sa.Column("make", sa.String(length=100), nullable=True),
        sa.Column("model", sa.String(length=100), nullable=True),
        sa.Column("serial_number", sa.String(length=100), nullable=True),
        sa.Column("is_pooled", sa.Boolean(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "available",
                "on_loan",
                "reserved",
                "out_of_service",
                "retired",
                name="item_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "condition",
            sa.Enum(
                "new",
                "good",
                "fair",
                "poor",
                "unserviceable",
                name="item_condition",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("accessories", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("acquired_on", sa.Date(), nullable=True),
        sa.Column("replacement_value_pence", sa.Integer(), nullable=True),
        sa.Column("daily_hire_rate_pence", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "daily_hire_rate_pence IS NULL OR daily_hire_rate_pence >= 0",
            name=op.f("ck_equipment_items_daily_hire_rate_non_negative"),
        ),
        sa.CheckConstraint(
            "is_pooled OR quantity = 1", name=op.f("ck_equipment_items_tagged_quantity_one")
        ),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_equipment_items_quantity_positive")),
        sa.CheckConstraint(
            "replacement_value_pence IS NULL OR replacement_value_pence >= 0",
            name=op.f("ck_equipment_items_replacement_value_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_equipment_items_category_id_categories"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["current_site_id"],
            ["sites.id"],
            name=op.f("fk_equipment_items_current_site_id_sites"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["home_site_id"],
            ["sites.id"],
            name=op.f("fk_equipment_items_home_site_id_sites"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_agency_id"],
            ["agencies.id"],
            name=op.f("fk_equipment_items_owner_agency_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_items")),
        sa.UniqueConstraint("asset_tag", name=op.f("uq_equipment_items_asset_tag")),
    )
    with op.batch_alter_table("equipment_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_equipment_items_category_id"), ["category_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_equipment_items_home_site_id"), ["home_site_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_equipment_items_owner_agency_id"), ["owner_agency_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_equipment_items_status"), ["status"], unique=False)

    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("staff_number", sa.String(length=30), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("rank_or_role", sa.String(length=120), nullable=True),
        sa.Column("home_site_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_people_agency_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["home_site_id"],
            ["sites.id"],
            name=op.f("fk_people_home_site_id_sites"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint(
            "agency_id", "staff_number", name=op.f("uq_people_agency_id_staff_number")
        ),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "protocol_borrowers",
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_protocol_borrowers_agency_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["protocol_id"],
            ["sharing_protocols.id"],
            name=op.f("fk_protocol_borrowers_protocol_id_sharing_protocols"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("protocol_id", "agency_id", name=op.f("pk_protocol_borrowers")),
    )
    op.create_table(
        "protocol_categories",
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_protocol_categories_category_id_categories"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["protocol_id"],
            ["sharing_protocols.id"],
            name=op.f("fk_protocol_categories_protocol_id_sharing_protocols"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("protocol_id", "category_id", name=op.f("pk_protocol_categories")),
    )
    op.create_table(
        "protocol_qualifications",
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("qualification_type_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["protocol_id"],
            ["sharing_protocols.id"],
            name=op.f("fk_protocol_qualifications_protocol_id_sharing_protocols"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["qualification_type_id"],
            ["qualification_types.id"],
            name=op.f("fk_protocol_qualifications_qualification_type_id_qualification_types"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "protocol_id", "qualification_type_id", name=op.f("pk_protocol_qualifications")
        ),
    )
    op.create_table(
        "app_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "duty_officer",
                "equipment_manager",
                "administrator",
                name="user_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("last_signed_in_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "failed_attempts >= 0", name=op.f("ck_app_users_failed_attempts_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_app_users_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_users")),
        sa.UniqueConstraint("person_id", name=op.f("uq_app_users_person_id")),
        sa.UniqueConstraint("username", name=op.f("uq_app_users_username")),
    )
    op.create_table(
        "inspection_regimes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("interval_days", sa.Integer(), nullable=True),
        sa.Column("interval_months", sa.Integer(), nullable=True),
        sa.Column("blocks_issue", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "(category_id IS NULL) <> (item_id IS NULL)",
            name=op.f("ck_inspection_regimes_category_or_item"),
        ),
        sa.CheckConstraint(
            "(interval_days IS NULL OR interval_days > 0) AND (interval_months IS NULL OR interval_months > 0)",
            name=op.f("ck_inspection_regimes_interval_positive"),
        ),
        sa.CheckConstraint(
            "(interval_days IS NULL) <> (interval_months IS NULL)",
            name=op.f("ck_inspection_regimes_one_interval"),
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_inspection_regimes_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["equipment_items.id"],
            name=op.f("fk_inspection_regimes_item_id_equipment_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_regimes")),
    )
    with op.batch_alter_table("inspection_regimes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_regimes_category_id"), ["category_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inspection_regimes_item_id"), ["item_id"], unique=False
        )

    op.create_table(
        "person_qualifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("qualification_type_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "expires_on IS NULL OR issued_on IS NULL OR expires_on > issued_on",
            name=op.f("ck_person_qualifications_expiry_after_issue"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_person_qualifications_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["qualification_type_id"],
            ["qualification_types.id"],
            name=op.f("fk_person_qualifications_qualification_type_id_qualification_types"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_qualifications")),
    )
    with op.batch_alter_table("person_qualifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_qualifications_expires_on"), ["expires_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_qualifications_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_qualifications_qualification_type_id"),
            ["qualification_type_id"],
            unique=False,
        )

    op.create_table(
        "protocol_items",
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["equipment_items.id"],
            name=op.f("fk_protocol_items_item_id_equipment_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["protocol_id"],
            ["sharing_protocols.id"],
            name=op.f("fk_protocol_items_protocol_id_sharing_protocols"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("protocol_id", "item_id", name=op.f("pk_protocol_items")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity_type", sa.String(length=60), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_users.id"],
            name=op.f("fk_audit_events_user_id_app_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_action"), ["action"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_events_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_events_user_id"), ["user_id"], unique=False)

    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("regime_id", sa.Integer(), nullable=True),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=True),
        sa.Column("inspector_name", sa.String(length=200), nullable=True),
        sa.Column(
            "result",
            sa.Enum(
                "pass",
                "pass_with_advisories",
                "fail",
                name="inspection_result",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("certificate_ref", sa.String(length=100), nullable=True),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "next_due_on IS NULL OR next_due_on > inspected_on",
            name=op.f("ck_inspections_next_due_after_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["people.id"],
            name=op.f("fk_inspections_inspector_id_people"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["equipment_items.id"],
            name=op.f("fk_inspections_item_id_equipment_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["regime_id"],
            ["inspection_regimes.id"],
            name=op.f("fk_inspections_regime_id_inspection_regimes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspections_item_id"), ["item_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_inspections_next_due_on"), ["next_due_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inspections_regime_id"), ["regime_id"], unique=False)

    op.create_table(
        "loans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("borrower_agency_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("protocol_id", sa.Integer(), nullable=True),
        sa.Column("mou_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("incident_ref", sa.String(length=60), nullable=True),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "approved",
                "declined",
                "issued",
                "partly_returned",
                "returned",
                "cancelled",
                name="loan_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("is_emergency", sa.Boolean(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=True),
        sa.Column("handed_over_by_id", sa.Integer(), nullable=True),
        sa.Column("received_by_id", sa.Integer(), nullable=True),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.Column("returned_to_id", sa.Integer(), nullable=True),
        sa.Column("recalled_at", sa.DateTime(), nullable=True),
        sa.Column("recall_due_at", sa.DateTime(), nullable=True),
        sa.Column("recall_reason", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("due_at > starts_at", name=op.f("ck_loans_due_after_start")),
        sa.CheckConstraint(
            "recall_due_at IS NULL OR recall_due_at >= starts_at",
            name=op.f("ck_loans_recall_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["borrower_agency_id"],
            ["agencies.id"],
            name=op.f("fk_loans_borrower_agency_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["app_users.id"],
            name=op.f("fk_loans_decided_by_id_app_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["handed_over_by_id"],
            ["people.id"],
            name=op.f("fk_loans_handed_over_by_id_people"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["mou_id"], ["mous.id"], name=op.f("fk_loans_mou_id_mous"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["people.id"],
            name=op.f("fk_loans_operator_id_people"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["protocol_id"],
            ["sharing_protocols.id"],
            name=op.f("fk_loans_protocol_id_sharing_protocols"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["received_by_id"],
            ["people.id"],
            name=op.f("fk_loans_received_by_id_people"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["people.id"],
            name=op.f("fk_loans_requested_by_id_people"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["returned_to_id"],
            ["people.id"],
            name=op.f("fk_loans_returned_to_id_people"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loans")),
    )
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_loans_borrower_agency_id"), ["borrower_agency_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_loans_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_loans_mou_id"), ["mou_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loans_status"), ["status"], unique=False)

    op.create_table(
        "defects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "return",
                "inspection",
                "reported",
                name="defect_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "severity",
            sa.Enum(
                "minor",
                "major",
                "unsafe",
                name="defect_severity",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=True),
        sa.Column("loan_id", sa.Integer(), nullable=True),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("cleared_at", sa.DateTime(), nullable=True),
        sa.Column("cleared_by_id", sa.Integer(), nullable=True),
        sa.Column("clearance_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cleared_by_id"],
            ["app_users.id"],
            name=op.f("fk_defects_cleared_by_id_app_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_defects_inspection_id_inspections"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["equipment_items.id"],
            name=op.f("fk_defects_item_id_equipment_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_defects_loan_id_loans"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"],
            ["people.id"],
            name=op.f("fk_defects_reported_by_id_people"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defects")),
    )
    with op.batch_alter_table("defects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_defects_item_id"), ["item_id"], unique=False)

    op.create_table(
        "loan_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("quantity_returned", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("holds_stock", sa.Boolean(), nullable=False),
        sa.Column(
            "condition_out",
            sa.Enum(
                "new",
                "good",
                "fair",
                "poor",
                "unserviceable",
                name="condition_out",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "condition_in",
            sa.Enum(
                "new",
                "good",
                "fair",
                "poor",
                "unserviceable",
                name="condition_in",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("accessories_out", sa.Text(), nullable=True),
        sa.Column("accessories_in", sa.Text(), nullable=True),
        sa.Column("fuel_out_percent", sa.Integer(), nullable=True),
        sa.Column("fuel_in_percent", sa.Integer(), nullable=True),
        sa.Column("hours_out", sa.Integer(), nullable=True),
        sa.Column("hours_in", sa.Integer(), nullable=True),
        sa.Column("battery_out_percent", sa.Integer(), nullable=True),
        sa.Column("battery_in_percent", sa.Integer(), nullable=True),
        sa.Column("mileage_out", sa.Integer(), nullable=True),
        sa.Column("mileage_in", sa.Integer(), nullable=True),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_loan_lines_end_after_start")),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_loan_lines_quantity_positive")),
        sa.CheckConstraint(
            "quantity_returned >= 0 AND quantity_returned <= quantity",
            name=op.f("ck_loan_lines_returned_within_quantity"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["equipment_items.id"],
            name=op.f("fk_loan_lines_item_id_equipment_items"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_loan_lines_loan_id_loans"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_lines")),
    )
    with op.batch_alter_table("loan_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_loan_lines_holds_stock"), ["holds_stock"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_loan_lines_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loan_lines_loan_id"), ["loan_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("loan_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loan_lines_loan_id"))
        batch_op.drop_index(batch_op.f("ix_loan_lines_item_id"))
        batch_op.drop_index(batch_op.f("ix_loan_lines_holds_stock"))

    op.drop_table("loan_lines")
    with op.batch_alter_table("defects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_defects_item_id"))

    op.drop_table("defects")
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loans_status"))
        batch_op.drop_index(batch_op.f("ix_loans_mou_id"))
        batch_op.drop_index(batch_op.f("ix_loans_due_at"))
        batch_op.drop_index(batch_op.f("ix_loans_borrower_agency_id"))

    op.drop_table("loans")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspections_regime_id"))
        batch_op.drop_index(batch_op.f("ix_inspections_next_due_on"))
        batch_op.drop_index(batch_op.f("ix_inspections_item_id"))

    op.drop_table("inspections")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_action"))

    op.drop_table("audit_events")
    op.drop_table("protocol_items")
    with op.batch_alter_table("person_qualifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_qualifications_qualification_type_id"))
        batch_op.drop_index(batch_op.f("ix_person_qualifications_person_id"))
        batch_op.drop_index(batch_op.f("ix_person_qualifications_expires_on"))

    op.drop_table("person_qualifications")
    with op.batch_alter_table("inspection_regimes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_regimes_item_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_regimes_category_id"))

    op.drop_table("inspection_regimes")
    op.drop_table("app_users")
    op.drop_table("protocol_qualifications")
    op.drop_table("protocol_categories")
    op.drop_table("protocol_borrowers")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_agency_id"))

    op.drop_table("people")
    with op.batch_alter_table("equipment_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_equipment_items_status"))
        batch_op.drop_index(batch_op.f("ix_equipment_items_owner_agency_id"))
        batch_op.drop_index(batch_op.f("ix_equipment_items_home_site_id"))
        batch_op.drop_index(batch_op.f("ix_equipment_items_category_id"))

    op.drop_table("equipment_items")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sites_agency_id"))

    op.drop_table("sites")
    with op.batch_alter_table("sharing_protocols", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sharing_protocols_mou_id"))

    op.drop_table("sharing_protocols")
    with op.batch_alter_table("mou_signatories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mou_signatories_mou_id"))

    op.drop_table("mou_signatories")
    with op.batch_alter_table("mou_parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mou_parties_mou_id"))

    op.drop_table("mou_parties")
    with op.batch_alter_table("mou_clauses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mou_clauses_mou_id"))

    op.drop_table("mou_clauses")
    op.drop_table("qualification_types")
    with op.batch_alter_table("mous", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mous_reference"))

    op.drop_table("mous")
    op.drop_table("categories")
    op.drop_table("agencies")
