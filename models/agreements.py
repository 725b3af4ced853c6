"""Memoranda of understanding, their clauses and the sharing protocols under them."""

from __future__ import annotations

import enum
from datetime import date
from typing import Annotated

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, str_enum
from models.catalogue import Category, EquipmentItem
from models.columns import AgencyRef, CreatedAt, IntPk, UpdatedAt
from models.organisation import Agency
from models.people import QualificationType, Role

# A party, signatory or clause is part of its MoU and goes with it.
PartOfMou = Annotated[int, mapped_column(ForeignKey("mous.id", ondelete="CASCADE"), index=True)]


class ChargingBasis(enum.Enum):
    NONE = "none"
    CONSUMABLES = "consumables"
    RATE = "rate"


class Mou(Base):
    """One version of a memorandum of understanding.

    A new version is a new row with the same reference, a higher version number and
    ``supersedes_id`` pointing at the one it replaces; loans keep the version they were
    made under. Status (draft, in force, review due, expired, superseded) is derived
    from the dates and the supersession, never stored, so it cannot go stale.
    """

    __tablename__ = "mous"
    __table_args__ = (
        UniqueConstraint("reference", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "expires_on IS NULL OR effective_from IS NULL OR expires_on > effective_from",
            name="expiry_after_effective",
        ),
        CheckConstraint(
            "review_on IS NULL OR effective_from IS NULL OR review_on >= effective_from",
            name="review_after_effective",
        ),
    )

    id: Mapped[IntPk]
    reference: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(300))
    purpose: Mapped[str | None] = mapped_column(Text)
    scope: Mapped[str | None] = mapped_column(Text)
    is_draft: Mapped[bool] = mapped_column(default=True)
    signed_on: Mapped[date | None]
    effective_from: Mapped[date | None]
    review_on: Mapped[date | None]
    expires_on: Mapped[date | None]
    terminated_on: Mapped[date | None]
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("mous.id", ondelete="RESTRICT"), unique=True
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    parties: Mapped[list[MouParty]] = relationship(
        back_populates="mou", cascade="all, delete-orphan", order_by="MouParty.position"
    )
    signatories: Mapped[list[MouSignatory]] = relationship(
        back_populates="mou", cascade="all, delete-orphan", order_by="MouSignatory.id"
    )
    clauses: Mapped[list[MouClause]] = relationship(
        back_populates="mou", cascade="all, delete-orphan", order_by="MouClause.position"
    )
    protocols: Mapped[list[SharingProtocol]] = relationship(back_populates="mou")
    supersedes: Mapped[Mou | None] = relationship(remote_side="Mou.id")


class MouParty(Base):
    """An agency that is party to an MoU; the first listed is the lead party."""

    __tablename__ = "mou_parties"
    __table_args__ = (UniqueConstraint("mou_id", "agency_id"),)

    id: Mapped[IntPk]
    mou_id: Mapped[PartOfMou]
    agency_id: Mapped[AgencyRef]
    position: Mapped[int] = mapped_column(default=0)

    mou: Mapped[Mou] = relationship(back_populates="parties")
    agency: Mapped[Agency] = relationship()


class MouSignatory(Base):
    """A person who signed an MoU for a party, with the authority they signed under."""

    __tablename__ = "mou_signatories"

    id: Mapped[IntPk]
    mou_id: Mapped[PartOfMou]
    agency_id: Mapped[AgencyRef]
    name: Mapped[str] = mapped_column(String(200))
    role_title: Mapped[str] = mapped_column(String(200))
    signed_on: Mapped[date | None]

    mou: Mapped[Mou] = relationship(back_populates="signatories")
    agency: Mapped[Agency] = relationship()


class MouClause(Base):
    """A numbered clause of an MoU, printed as stored."""

    __tablename__ = "mou_clauses"
    __table_args__ = (UniqueConstraint("mou_id", "position"),)

    id: Mapped[IntPk]
    mou_id: Mapped[PartOfMou]
    position: Mapped[int]
    number: Mapped[str] = mapped_column(String(20))
    heading: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)

    mou: Mapped[Mou] = relationship(back_populates="clauses")


def _protocol_link(name: str, column: str, target: str, ondelete: str) -> Table:
    """A table linking a sharing protocol to one more thing it covers or requires.

    The links go with their protocol; ``ondelete`` says what deleting the other end does.
    """
    return Table(
        name,
        Base.metadata,
        Column(
            "protocol_id", ForeignKey("sharing_protocols.id", ondelete="CASCADE"), primary_key=True
        ),
        Column(column, ForeignKey(target, ondelete=ondelete), primary_key=True),
    )


protocol_borrowers = _protocol_link("protocol_borrowers", "agency_id", "agencies.id", "RESTRICT")
protocol_categories = _protocol_link(
    "protocol_categories", "category_id", "categories.id", "RESTRICT"
)
protocol_items = _protocol_link("protocol_items", "item_id", "equipment_items.id", "CASCADE")
protocol_qualifications = _protocol_link(
    "protocol_qualifications", "qualification_type_id", "qualification_types.id", "RESTRICT"
)


class SharingProtocol(Base):
    """Who may borrow what under an MoU, who approves, and on what terms.

    A protocol covers whole categories, single items, or both; an item named directly
    is governed by that protocol in preference to one covering its category.
    """

    __tablename__ = "sharing_protocols"
    __table_args__ = (
        CheckConstraint("notice_hours >= 0", name="notice_non_negative"),
        CheckConstraint("max_loan_hours > 0", name="max_loan_positive"),
        CheckConstraint(
            "charge_rate_pence IS NULL OR charge_rate_pence >= 0", name="rate_non_negative"
        ),
    )

    id: Mapped[IntPk]
    mou_id: Mapped[int] = mapped_column(ForeignKey("mous.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    approver_role: Mapped[Role] = mapped_column(
        str_enum(Role, "approver_role"), default=Role.EQUIPMENT_MANAGER
    )
    approver_title: Mapped[str | None] = mapped_column(String(200))
    notice_hours: Mapped[int] = mapped_column(default=0)
    max_loan_hours: Mapped[int] = mapped_column(default=72)
    charging: Mapped[ChargingBasis] = mapped_column(
        str_enum(ChargingBasis, "charging_basis"), default=ChargingBasis.NONE
    )
    charge_rate_pence: Mapped[int | None]
    charge_unit: Mapped[str | None] = mapped_column(String(20))
    use_conditions: Mapped[str | None] = mapped_column(Text)
    protocol_text: Mapped[str | None] = mapped_column(Text)
    data_terms: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=True)
    # For emergency and spontaneous deployments only: a planned loan cannot use it, and
    # an emergency loan of kit it covers is made under it in preference to the others.
    emergency_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    mou: Mapped[Mou] = relationship(back_populates="protocols")
    borrowers: Mapped[list[Agency]] = relationship(secondary=protocol_borrowers)
    categories: Mapped[list[Category]] = relationship(secondary=protocol_categories)
    items: Mapped[list[EquipmentItem]] = relationship(secondary=protocol_items)
    required_qualifications: Mapped[list[QualificationType]] = relationship(
        secondary=protocol_qualifications
    )
