"""The catalogue: categories and equipment items, tagged or pooled."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, str_enum
from models.columns import AgencyRef, CreatedAt, IntPk, UpdatedAt, Versioned
from models.organisation import Agency, Site


class ItemStatus(enum.Enum):
    AVAILABLE = "available"
    ON_LOAN = "on_loan"
    RESERVED = "reserved"
    OUT_OF_SERVICE = "out_of_service"
    RETIRED = "retired"


class Condition(enum.Enum):
    NEW = "new"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"
    UNSERVICEABLE = "unserviceable"


class Category(Base):
    """A kind of kit: drones, lighting towers, barriers. Sharing protocols cover categories."""

    __tablename__ = "categories"

    id: Mapped[IntPk]
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    # What a hand-over form records for kit of this kind.
    tracks_fuel: Mapped[bool] = mapped_column(default=False)
    tracks_hours: Mapped[bool] = mapped_column(default=False)
    tracks_battery: Mapped[bool] = mapped_column(default=False)
    tracks_mileage: Mapped[bool] = mapped_column(default=False)


class EquipmentItem(Versioned, Base):
    """One catalogue entry: an individually tagged item, or a pool of identical stock."""

    __tablename__ = "equipment_items"
    __table_args__ = (
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("is_pooled OR quantity = 1", name="tagged_quantity_one"),
        CheckConstraint(
            "replacement_value_pence IS NULL OR replacement_value_pence >= 0",
            name="replacement_value_non_negative",
        ),
        CheckConstraint(
            "daily_hire_rate_pence IS NULL OR daily_hire_rate_pence >= 0",
            name="daily_hire_rate_non_negative",
        ),
        # "At least N free" looks up the few pools holding fewer than N.
        Index("ix_equipment_items_pooled_quantity", "is_pooled", "quantity"),
    )

    id: Mapped[IntPk]
    asset_tag: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    owner_agency_id: Mapped[AgencyRef] = mapped_column(index=True)
    home_site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="RESTRICT"), index=True
    )
    # Where it is now when not at home (on loan elsewhere, deployed); None means at home.
    current_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"))
    current_location: Mapped[str | None] = mapped_column(String(200))
    make: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    serial_number: Mapped[str | None] = mapped_column(String(100))
    is_pooled: Mapped[bool] = mapped_column(default=False)
    quantity: Mapped[int] = mapped_column(default=1)
    status: Mapped[ItemStatus] = mapped_column(
        str_enum(ItemStatus, "item_status"), default=ItemStatus.AVAILABLE, index=True
    )
    condition: Mapped[Condition] = mapped_column(
        str_enum(Condition, "item_condition"), default=Condition.GOOD
    )
    description: Mapped[str | None] = mapped_column(Text)
    accessories: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    acquired_on: Mapped[date | None]
    replacement_value_pence: Mapped[int | None]
    daily_hire_rate_pence: Mapped[int | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    category: Mapped[Category] = relationship()
    owner_agency: Mapped[Agency] = relationship()
    home_site: Mapped[Site] = relationship(foreign_keys=[home_site_id])
    current_site: Mapped[Site | None] = relationship(foreign_keys=[current_site_id])
