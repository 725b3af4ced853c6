"""Loans of kit between agencies, and the lines (items and quantities) on them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.agreements import Mou, SharingProtocol
from models.base import Base, UtcDateTime, str_enum, utcnow
from models.catalogue import Condition, EquipmentItem
from models.organisation import Agency
from models.people import AppUser, Person


class LoanStatus(enum.Enum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    ISSUED = "issued"
    PARTLY_RETURNED = "partly_returned"
    RETURNED = "returned"
    CANCELLED = "cancelled"


# A loan in one of these states holds its items for its period.
BOOKING_STATUSES = (
    LoanStatus.REQUESTED,
    LoanStatus.APPROVED,
    LoanStatus.ISSUED,
    LoanStatus.PARTLY_RETURNED,
)
# A loan in one of these states has kit out with the borrower now.
OUT_STATUSES = (LoanStatus.ISSUED, LoanStatus.PARTLY_RETURNED)


class Loan(Base):
    """A request for, and then the loan of, kit to a borrowing agency."""

    __tablename__ = "loans"
    __table_args__ = (
        CheckConstraint("due_at > starts_at", name="due_after_start"),
        CheckConstraint(
            "recall_due_at IS NULL OR recall_due_at >= starts_at", name="recall_after_start"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    borrower_agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="RESTRICT"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT")
    )
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    protocol_id: Mapped[int | None] = mapped_column(
        ForeignKey("sharing_protocols.id", ondelete="RESTRICT")
    )
    # The MoU version in force when the loan was made; later versions don't rewrite it.
    mou_id: Mapped[int | None] = mapped_column(
        ForeignKey("mous.id", ondelete="RESTRICT"), index=True
    )
    purpose: Mapped[str] = mapped_column(Text)
    incident_ref: Mapped[str | None] = mapped_column(String(60))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    status: Mapped[LoanStatus] = mapped_column(
        str_enum(LoanStatus, "loan_status"), default=LoanStatus.REQUESTED, index=True
    )
    is_emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_users.id", ondelete="RESTRICT")
    )
    # The person who approved or declined: the protocol's approver or the owner's manager.
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    handed_over_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT")
    )
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    returned_to_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    recalled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recall_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recall_reason: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    borrower_agency: Mapped[Agency] = relationship()
    requested_by: Mapped[Person | None] = relationship(foreign_keys=[requested_by_id])
    operator: Mapped[Person | None] = relationship(foreign_keys=[operator_id])
    handed_over_by: Mapped[Person | None] = relationship(foreign_keys=[handed_over_by_id])
    received_by: Mapped[Person | None] = relationship(foreign_keys=[received_by_id])
    returned_to: Mapped[Person | None] = relationship(foreign_keys=[returned_to_id])
    decided_by: Mapped[AppUser | None] = relationship()
    approver: Mapped[Person | None] = relationship(foreign_keys=[approver_id])
    protocol: Mapped[SharingProtocol | None] = relationship()
    mou: Mapped[Mou | None] = relationship()
    lines: Mapped[list[LoanLine]] = relationship(
        back_populates="loan", cascade="all, delete-orphan", order_by="LoanLine.id"
    )

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012


class LoanLine(Base):
    """An item (or N of a pooled item) on a loan.

    The line carries its own booking period and whether it still holds stock, so that
    the database can check overlaps per item without joining the loan.
    """

    __tablename__ = "loan_lines"
    __table_args__ = (
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint(
            "quantity_returned >= 0 AND quantity_returned <= quantity",
            name="returned_within_quantity",
        ),
        CheckConstraint("ends_at > starts_at", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("equipment_items.id", ondelete="RESTRICT"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    quantity_returned: Mapped[int] = mapped_column(Integer, default=0)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    holds_stock: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    # A tagged item's line: no other holding line of the item may overlap it. The
    # database enforces that (an exclusion constraint on PostgreSQL, triggers on SQLite),
    # and it needs the fact on the line because a constraint cannot join the item.
    exclusive: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    condition_out: Mapped[Condition | None] = mapped_column(str_enum(Condition, "condition_out"))
    condition_in: Mapped[Condition | None] = mapped_column(str_enum(Condition, "condition_in"))
    accessories_out: Mapped[str | None] = mapped_column(Text)
    accessories_in: Mapped[str | None] = mapped_column(Text)
    fuel_out_percent: Mapped[int | None] = mapped_column(Integer)
    fuel_in_percent: Mapped[int | None] = mapped_column(Integer)
    hours_out: Mapped[int | None] = mapped_column(Integer)
    hours_in: Mapped[int | None] = mapped_column(Integer)
    battery_out_percent: Mapped[int | None] = mapped_column(Integer)
    battery_in_percent: Mapped[int | None] = mapped_column(Integer)
    mileage_out: Mapped[int | None] = mapped_column(Integer)
    mileage_in: Mapped[int | None] = mapped_column(Integer)

    loan: Mapped[Loan] = relationship(back_populates="lines")
    item: Mapped[EquipmentItem] = relationship()
