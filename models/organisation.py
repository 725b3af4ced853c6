"""Agencies (the services that own and borrow kit) and their sites."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, str_enum
from models.columns import AgencyRef, IntPk

if TYPE_CHECKING:
    from models.people import Person


class AgencyKind(enum.Enum):
    POLICE = "police"
    FIRE = "fire"
    AMBULANCE = "ambulance"
    LOCAL_AUTHORITY = "local_authority"
    OTHER = "other"


class Agency(Base):
    """An emergency service or partner organisation, e.g. Cambridgeshire Constabulary."""

    __tablename__ = "agencies"

    id: Mapped[IntPk]
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[AgencyKind] = mapped_column(str_enum(AgencyKind, "agency_kind"))
    address: Mapped[str | None] = mapped_column(String(400))
    phone: Mapped[str | None] = mapped_column(String(40))

    sites: Mapped[list[Site]] = relationship(back_populates="agency", order_by="Site.name")
    people: Mapped[list[Person]] = relationship(back_populates="agency")


class Site(Base):
    """A station, headquarters or store where kit is kept."""

    __tablename__ = "sites"
    __table_args__ = (UniqueConstraint("agency_id", "name"),)

    id: Mapped[IntPk]
    agency_id: Mapped[AgencyRef] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(400))
    postcode: Mapped[str | None] = mapped_column(String(10))

    agency: Mapped[Agency] = relationship(back_populates="sites")
