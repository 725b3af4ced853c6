"""Small builders for test records; each returns the flushed ORM object."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count

from sqlalchemy.orm import Session

from app.core.actor import Actor
from models import (
    Agency,
    AgencyKind,
    AppUser,
    Category,
    EquipmentItem,
    Mou,
    MouParty,
    Person,
    QualificationType,
    Role,
    SharingProtocol,
    Site,
)

_sequence = count(1)

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def agency(session: Session, name: str | None = None, kind: AgencyKind = AgencyKind.FIRE) -> Agency:
    n = next(_sequence)
    record = Agency(code=f"AG{n}", name=name or f"Agency {n}", kind=kind)
    session.add(record)
    session.flush()
    return record


def site(session: Session, owner: Agency, name: str | None = None) -> Site:
    record = Site(agency_id=owner.id, name=name or f"Station {next(_sequence)}")
    session.add(record)
    session.flush()
    return record


def category(session: Session, name: str | None = None) -> Category:
    record = Category(name=name or f"Category {next(_sequence)}")
    session.add(record)
    session.flush()
    return record


def item(
    session: Session,
    *,
    owner: Agency,
    home: Site,
    kind: Category,
    tag: str | None = None,
    name: str = "Tower light",
    quantity: int = 1,
    pooled: bool = False,
) -> EquipmentItem:
    record = EquipmentItem(
        asset_tag=tag or f"TST-{next(_sequence):06d}",
        name=name,
        category_id=kind.id,
        owner_agency_id=owner.id,
        home_site_id=home.id,
        is_pooled=pooled,
        quantity=quantity,
    )
    session.add(record)
    session.flush()
    return record


def mou_in_force(session: Session, parties: list[Agency], reference: str | None = None) -> Mou:
    record = Mou(
        reference=reference or f"MOU-{next(_sequence)}",
        title="Specialist equipment sharing",
        is_draft=False,
        signed_on=date(2025, 1, 10),
        effective_from=date(2025, 2, 1),
        review_on=date(2027, 12, 1),
        expires_on=date(2028, 1, 31),
    )
    record.parties = [MouParty(agency_id=a.id, position=i) for i, a in enumerate(parties)]
    session.add(record)
    session.flush()
    return record


def protocol(
    session: Session,
    mou: Mou,
    *,
    borrowers: list[Agency],
    categories: list[Category] | None = None,
    items: list[EquipmentItem] | None = None,
    name: str = "Lighting protocol",
) -> SharingProtocol:
    record = SharingProtocol(mou_id=mou.id, name=name, notice_hours=0, max_loan_hours=72)
    record.borrowers = borrowers
    record.categories = categories or []
    record.items = items or []
    session.add(record)
    session.flush()
    return record


def person(session: Session, owner: Agency, given: str = "Sam", family: str = "Smith") -> Person:
    record = Person(
        agency_id=owner.id,
        staff_number=f"S{next(_sequence):05d}",
        given_name=given,
        family_name=family,
    )
    session.add(record)
    session.flush()
    return record


def app_user(
    session: Session,
    who: Person,
    username: str,
    password_hash: str,
    role: Role = Role.DUTY_OFFICER,
    *,
    active: bool = True,
) -> AppUser:
    """An account for ``who``; pass a hash made once (argon2 is slow on purpose)."""
    record = AppUser(
        username=username,
        person_id=who.id,
        role=role,
        password_hash=password_hash,
        is_active=active,
    )
    session.add(record)
    session.flush()
    return record


def qualification(session: Session, name: str | None = None) -> QualificationType:
    n = next(_sequence)
    record = QualificationType(code=f"Q{n}", name=name or f"Qualification {n}")
    session.add(record)
    session.flush()
    return record


def acting(
    who: Person | None = None, role: Role = Role.DUTY_OFFICER, user_id: int | None = None
) -> Actor:
    """An actor signed in as ``who`` (or as no particular person) with ``role``.

    Services trust the actor they are given: this stands for a user who has signed in.
    """
    if who is None:
        return Actor(name=f"Test {role.value}", user_id=user_id, role=role)
    return Actor(
        name=f"{who.full_name} (test)",
        user_id=user_id,
        role=role,
        person_id=who.id,
        agency_id=who.agency_id,
    )
