"""Loans of kit between agencies, and the lines (items and quantities) on them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.agreements import Mou, SharingProtocol
from models.base import Base, str_enum
from models.catalogue import Condition, EquipmentItem
from models.columns import AgencyRef, CreatedAt, IntPk, PersonRef, UpdatedAt, UserRef, Versioned
from models.kits import Kit
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


class Loan(Versioned, Base):
    """A request for, and then the loan of, kit to a borrowing agency."""

    __tablename__ = "loans"
    __table_args__ = (
        CheckConstraint("due_at > starts_at", name="due_after_start"),
        CheckConstraint(
            "recall_due_at IS NULL OR recall_due_at >= starts_at", name="recall_after_start"
        ),
    )

    id: Mapped[IntPk]
    borrower_agency_id: Mapped[AgencyRef] = mapped_column(index=True)
    requested_by_id: Mapped[PersonRef | None]
    operator_id: Mapped[PersonRef | None]
    protocol_id: Mapped[int | None] = mapped_column(
        ForeignKey("sharing_protocols.id", ondelete="RESTRICT")
    )
    # The MoU version in force when the loan was made; later versions don't rewrite it.
    mou_id: Mapped[int | None] = mapped_column(
        ForeignKey("mous.id", ondelete="RESTRICT"), index=True
    )
    # The kit the loan was made from, if any. Its lines say what went: a member may have
    # been left out or stood in for, and an item may belong to several kits.
    kit_id: Mapped[int | None] = mapped_column(
        ForeignKey("kits.id", ondelete="RESTRICT"), index=True
    )
    purpose: Mapped[str] = mapped_column(Text)
    incident_ref: Mapped[str | None] = mapped_column(String(60))
    starts_at: Mapped[datetime]
    due_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[LoanStatus] = mapped_column(
        str_enum(LoanStatus, "loan_status"), default=LoanStatus.REQUESTED, index=True
    )
    is_emergency: Mapped[bool] = mapped_column(default=False)
    decided_by_id: Mapped[UserRef | None]
    # The person who approved or declined: the protocol's approver or the owner's manager.
    approver_id: Mapped[PersonRef | None]
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime | None]
    handed_over_by_id: Mapped[PersonRef | None]
    received_by_id: Mapped[PersonRef | None]
    returned_at: Mapped[datetime | None]
    returned_to_id: Mapped[PersonRef | None]
    recalled_at: Mapped[datetime | None]
    recall_due_at: Mapped[datetime | None]
    recall_reason: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    borrower_agency: Mapped[Agency] = relationship()
    requested_by: Mapped[Person | None] = relationship(foreign_keys="Loan.requested_by_id")
    operator: Mapped[Person | None] = relationship(foreign_keys="Loan.operator_id")
    handed_over_by: Mapped[Person | None] = relationship(foreign_keys="Loan.handed_over_by_id")
    received_by: Mapped[Person | None] = relationship(foreign_keys="Loan.received_by_id")
    returned_to: Mapped[Person | None] = relationship(foreign_keys="Loan.returned_to_id")
    decided_by: Mapped[AppUser | None] = relationship()
    approver: Mapped[Person | None] = relationship(foreign_keys="Loan.approver_id")
    protocol: Mapped[SharingProtocol | None] = relationship()
    mou: Mapped[Mou | None] = relationship()
    kit: Mapped[Kit | None] = relationship()
    lines: Mapped[list[LoanLine]] = relationship(
        back_populates="loan", cascade="all, delete-orphan", order_by="LoanLine.id"
    )


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

    id: Mapped[IntPk]
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("equipment_items.id", ondelete="RESTRICT"), index=True
    )
    quantity: Mapped[int] = mapped_column(default=1)
    quantity_returned: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    holds_stock: Mapped[bool] = mapped_column(default=True)
    # A tagged item's line: no other holding line of the item may overlap it. The
    # database enforces that (an exclusion constraint on PostgreSQL, triggers on SQLite),
    # and it needs the fact on the line because a constraint cannot join the item.
    exclusive: Mapped[bool] = mapped_column(default=False, server_default=false())
    condition_out: Mapped[Condition | None] = mapped_column(str_enum(Condition, "condition_out"))
    condition_in: Mapped[Condition | None] = mapped_column(str_enum(Condition, "condition_in"))
    accessories_out: Mapped[str | None] = mapped_column(Text)
    accessories_in: Mapped[str | None] = mapped_column(Text)
    fuel_out_percent: Mapped[int | None]
    fuel_in_percent: Mapped[int | None]
    hours_out: Mapped[int | None]
    hours_in: Mapped[int | None]
    battery_out_percent: Mapped[int | None]
    battery_in_percent: Mapped[int | None]
    mileage_out: Mapped[int | None]
    mileage_in: Mapped[int | None]

    loan: Mapped[Loan] = relationship(back_populates="lines")
    item: Mapped[EquipmentItem] = relationship()


class OfflineEntryState(enum.Enum):
    """Where a loan action logged at a station without the server stands, in a database."""

    RECEIVED = "received"  # its loan (or return) is in this database
    REFUSED = "refused"  # the rules refused it when it was sent; the station resolves it
    CANCELLED = "cancelled"  # the station gave it up, with a reason


class OfflineReceipt(Base):
    """A loan action a station logged while the server could not be reached, once sent.

    The key is the station's own id for the entry, so the database itself sees to it that
    an entry is received once, however often a station sends it (a crash between the
    server's commit and the station's note of it sends it again). A refusal is kept here
    too, so that the lending agency's equipment managers see what was logged and refused.
    """

    __tablename__ = "offline_receipts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    state: Mapped[OfflineEntryState] = mapped_column(
        str_enum(OfflineEntryState, "offline_entry_state"), index=True
    )
    loan_id: Mapped[int | None] = mapped_column(
        ForeignKey("loans.id", ondelete="RESTRICT"), index=True
    )
    lender_agency_id: Mapped[AgencyRef | None] = mapped_column(index=True)
    station: Mapped[str] = mapped_column(String(200))
    logged_by: Mapped[str] = mapped_column(String(200))
    logged_at: Mapped[datetime]
    summary: Mapped[str] = mapped_column(Text)
    refusal: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[CreatedAt]
