"""People, their qualifications, and the app users who act for them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, str_enum
from models.columns import AgencyRef, CreatedAt, IntPk, PersonRef

if TYPE_CHECKING:
    from models.organisation import Agency, Site


class Role(enum.Enum):
    """What an app user may do; each role includes the one before it."""

    DUTY_OFFICER = "duty_officer"
    EQUIPMENT_MANAGER = "equipment_manager"
    ADMINISTRATOR = "administrator"


class Person(Base):
    """An officer or member of staff: a borrower, operator, approver or inspector."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("agency_id", "staff_number"),)

    id: Mapped[IntPk]
    agency_id: Mapped[AgencyRef] = mapped_column(index=True)
    staff_number: Mapped[str] = mapped_column(String(30))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    rank_or_role: Mapped[str | None] = mapped_column(String(120))
    home_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[CreatedAt]

    agency: Mapped[Agency] = relationship(back_populates="people")
    home_site: Mapped[Site | None] = relationship()
    qualifications: Mapped[list[PersonQualification]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class QualificationType(Base):
    """A competence a protocol can require, e.g. "Drone pilot (GVC)"."""

    __tablename__ = "qualification_types"
    __table_args__ = (
        CheckConstraint("validity_months IS NULL OR validity_months > 0", name="validity_positive"),
    )

    id: Mapped[IntPk]
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    allows: Mapped[str | None] = mapped_column(Text)
    validity_months: Mapped[int | None]


class PersonQualification(Base):
    """A qualification a person holds; it lapses after ``expires_on`` if that is set."""

    __tablename__ = "person_qualifications"
    __table_args__ = (
        CheckConstraint(
            "expires_on IS NULL OR issued_on IS NULL OR expires_on > issued_on",
            name="expiry_after_issue",
        ),
    )

    id: Mapped[IntPk]
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    qualification_type_id: Mapped[int] = mapped_column(
        ForeignKey("qualification_types.id", ondelete="RESTRICT"), index=True
    )
    reference: Mapped[str | None] = mapped_column(String(100))
    issued_on: Mapped[date | None]
    expires_on: Mapped[date | None] = mapped_column(index=True)

    person: Mapped[Person] = relationship(back_populates="qualifications")
    qualification_type: Mapped[QualificationType] = relationship()


class AppUser(Base):
    """Someone who signs in to Kit Share, acting as a person, with one role."""

    __tablename__ = "app_users"
    __table_args__ = (CheckConstraint("failed_attempts >= 0", name="failed_attempts_non_negative"),)

    id: Mapped[IntPk]
    username: Mapped[str] = mapped_column(String(60), unique=True)
    person_id: Mapped[PersonRef] = mapped_column(unique=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"))
    # An argon2 hash; never the password itself.
    # Read only when a password is checked: on a server checking each person's rights,
    # nobody may read it (``app.storage.server``).
    password_hash: Mapped[str] = mapped_column(Text, deferred=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_signed_in_at: Mapped[datetime | None]
    created_at: Mapped[CreatedAt]

    person: Mapped[Person] = relationship()
