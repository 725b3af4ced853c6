"""Kits: several items (tagged, or some of a pool) that one agency lends as one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.catalogue import EquipmentItem
from models.columns import AgencyRef, CreatedAt, IntPk, UpdatedAt, Versioned
from models.organisation import Agency, Site

# A kit in use: its name is its agency's alone (a retired kit's may be taken again).
KIT_IN_USE = "retired_at IS NULL"


class Kit(Versioned, Base):
    """A capability an agency lends as one, such as a water rescue team kit: a boat, its
    outboard, four dry suits and six throw lines. A loan of it is a loan of its members.

    A kit is retired, never deleted, so that the loans made from it go on naming it.
    Changing its members changes the kit's row too, so that two people editing one kit
    cannot silently overwrite each other (``Versioned``).
    """

    __tablename__ = "kits"
    __table_args__ = (
        Index(
            "ix_kits_name_in_use",
            "owner_agency_id",
            "name",
            unique=True,
            sqlite_where=text(KIT_IN_USE),
            postgresql_where=text(KIT_IN_USE),
        ),
    )

    id: Mapped[IntPk]
    name: Mapped[str] = mapped_column(String(200))
    owner_agency_id: Mapped[AgencyRef] = mapped_column(index=True)
    home_site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="RESTRICT"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)
    # None while the kit is in use; when it was retired, after.
    retired_at: Mapped[datetime | None]
    retired_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    owner_agency: Mapped[Agency] = relationship()
    home_site: Mapped[Site] = relationship()
    members: Mapped[list[KitMember]] = relationship(
        back_populates="kit",
        cascade="all, delete-orphan",
        order_by="KitMember.position, KitMember.id",
    )

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class KitMember(Base):
    """An item in a kit: a tagged item (quantity 1), or ``quantity`` of a pool, in the
    order the kit lists them, with a note for whoever packs it ("check bung")."""

    __tablename__ = "kit_members"
    __table_args__ = (
        UniqueConstraint("kit_id", "item_id"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
    )

    id: Mapped[IntPk]
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("equipment_items.id", ondelete="RESTRICT"), index=True
    )
    quantity: Mapped[int] = mapped_column(default=1)
    note: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    kit: Mapped[Kit] = relationship(back_populates="members")
    item: Mapped[EquipmentItem] = relationship()
