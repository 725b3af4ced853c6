"""Inspection regimes (PUWER, LOLER, PAT), inspections recorded, and defects."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Annotated

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, str_enum
from models.catalogue import Category, EquipmentItem
from models.columns import CreatedAt, IntPk, PersonRef, UserRef
from models.people import AppUser, Person

# A regime, inspection or defect of one item is about that item alone, and goes with it.
OfItem = Annotated[
    int, mapped_column(ForeignKey("equipment_items.id", ondelete="CASCADE"), index=True)
]


class InspectionResult(enum.Enum):
    PASS = "pass"
    PASS_WITH_ADVISORIES = "pass_with_advisories"
    FAIL = "fail"


class DefectSeverity(enum.Enum):
    MINOR = "minor"
    MAJOR = "major"
    UNSAFE = "unsafe"


# Severities that stop the kit (or, on a pool, the defect's units) going out while open.
# Only an unsafe defect also takes the item out of service (a pool: when its unsafe
# defects cover every unit).
BLOCKING_SEVERITIES = (DefectSeverity.MAJOR, DefectSeverity.UNSAFE)


class DefectSource(enum.Enum):
    RETURN = "return"
    INSPECTION = "inspection"
    REPORTED = "reported"


class InspectionRegime(Base):
    """How often kit of a category (or one item) is inspected; whether a lapse blocks issue."""

    __tablename__ = "inspection_regimes"
    __table_args__ = (
        CheckConstraint("(category_id IS NULL) <> (item_id IS NULL)", name="category_or_item"),
        CheckConstraint(
            "(interval_days IS NULL) <> (interval_months IS NULL)", name="one_interval"
        ),
        CheckConstraint(
            "(interval_days IS NULL OR interval_days > 0)"
            " AND (interval_months IS NULL OR interval_months > 0)",
            name="interval_positive",
        ),
    )

    id: Mapped[IntPk]
    name: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[OfItem | None]
    interval_days: Mapped[int | None]
    interval_months: Mapped[int | None]
    blocks_issue: Mapped[bool] = mapped_column(default=True)

    category: Mapped[Category | None] = relationship()
    item: Mapped[EquipmentItem | None] = relationship()


class Inspection(Base):
    """An inspection or thorough examination carried out on an item."""

    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint(
            "next_due_on IS NULL OR next_due_on > inspected_on", name="next_due_after_inspection"
        ),
        # An item's latest inspection under each regime: what every due date comes from.
        Index("ix_inspections_latest", "item_id", "regime_id", "inspected_on"),
    )

    id: Mapped[IntPk]
    item_id: Mapped[OfItem]
    regime_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection_regimes.id", ondelete="SET NULL"), index=True
    )
    inspected_on: Mapped[date]
    inspector_id: Mapped[PersonRef | None]
    inspector_name: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[InspectionResult] = mapped_column(
        str_enum(InspectionResult, "inspection_result")
    )
    notes: Mapped[str | None] = mapped_column(Text)
    certificate_ref: Mapped[str | None] = mapped_column(String(100))
    next_due_on: Mapped[date | None] = mapped_column(index=True)
    recorded_at: Mapped[CreatedAt]

    item: Mapped[EquipmentItem] = relationship()
    regime: Mapped[InspectionRegime | None] = relationship()
    inspector: Mapped[Person | None] = relationship()


class Defect(Base):
    """A fault found on an item, or on ``quantity`` units of a pooled item; an open unsafe
    defect takes the item (a pool: its units) out of service until it is cleared."""

    __tablename__ = "defects"
    __table_args__ = (CheckConstraint("quantity >= 1", name="quantity_positive"),)

    id: Mapped[IntPk]
    item_id: Mapped[OfItem]
    source: Mapped[DefectSource] = mapped_column(str_enum(DefectSource, "defect_source"))
    severity: Mapped[DefectSeverity] = mapped_column(str_enum(DefectSeverity, "defect_severity"))
    description: Mapped[str] = mapped_column(Text)
    # How many units of a pooled item the defect affects; 1 for a single item.
    quantity: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    reported_at: Mapped[CreatedAt]
    reported_by_id: Mapped[PersonRef | None]
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id", ondelete="SET NULL"))
    inspection_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspections.id", ondelete="SET NULL")
    )
    cleared_at: Mapped[datetime | None]
    cleared_by_id: Mapped[UserRef | None]
    clearance_note: Mapped[str | None] = mapped_column(Text)

    item: Mapped[EquipmentItem] = relationship()
    reported_by: Mapped[Person | None] = relationship()
    cleared_by: Mapped[AppUser | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None
