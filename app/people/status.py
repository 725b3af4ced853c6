"""Whether a qualification counts on a day, and the words that say so.

A qualification lapses after its expiry date; one that expires within
``EXPIRING_DAYS`` is marked so a manager can book the renewal in time. When a person
holds the same qualification more than once (a renewal recorded beside the old
certificate), the record lasting longest decides, as it does when kit is issued
(``app.loans.fitness``): a lapsed older one never hides a renewal.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.catalogue.directory import fold
from app.core.clock import add_months, format_date

# The issue check's own "which record decides" rule, so the people view says what the
# issue check will find.
from app.loans.fitness import lasts_longer
from models import Person, PersonQualification

# A qualification expiring within this many days (today included) is "expiring".
EXPIRING_DAYS = 30


class QualificationStatus(enum.Enum):
    """Whether a qualification counts today; the value says it in words."""

    CURRENT = "current"
    EXPIRING = "expiring"  # within EXPIRING_DAYS, today included
    EXPIRED = "expired"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {
    QualificationStatus.CURRENT: 0,
    QualificationStatus.EXPIRING: 1,
    QualificationStatus.EXPIRED: 2,
}


def qualification_status(expires_on: date | None, today: date) -> QualificationStatus:
    """Expired after its expiry date; expiring from ``EXPIRING_DAYS`` before it to that day."""
    if expires_on is None:
        return QualificationStatus.CURRENT
    if expires_on < today:
        return QualificationStatus.EXPIRED
    if expires_on <= today + timedelta(days=EXPIRING_DAYS):
        return QualificationStatus.EXPIRING
    return QualificationStatus.CURRENT


def days_words(days_left: int) -> str:
    """ "expires today", "expires tomorrow", "expires in 12 days"."""
    if days_left == 0:
        return "expires today"
    if days_left == 1:
        return "expires tomorrow"
    return f"expires in {days_left} days"


def validity_words(months: int | None) -> str:
    """ "5 years", "18 months", "1 month", or "No set expiry"."""
    if months is None:
        return "No set expiry"
    years, rest = divmod(months, 12)
    if rest == 0:
        return f"{years} year" if years == 1 else f"{years} years"
    return f"{months} month" if months == 1 else f"{months} months"


def default_expiry(issued_on: date | None, validity_months: int | None) -> date | None:
    """When a qualification issued on ``issued_on`` lapses, if its type lasts a set time."""
    if issued_on is None or validity_months is None:
        return None
    return add_months(issued_on, validity_months)


@dataclass(frozen=True)
class QualificationView:
    """One qualification a person holds, with its status on the day it was read."""

    id: int
    type_id: int
    type_name: str
    allows: str
    reference: str
    issued_on: date | None
    expires_on: date | None
    status: QualificationStatus
    days_left: int | None = None  # until expiry, if it has one and has not passed
    renewed: bool = False  # another record of the same type lasts longer

    @property
    def status_text(self) -> str:
        """ "Current", "Expires in 12 days", "Expired 07/10/2026 (renewed)"."""
        if self.status is QualificationStatus.EXPIRED:
            text = f"Expired {format_date(self.expires_on)}"
            return f"{text} (renewed)" if self.renewed else text
        if self.status is QualificationStatus.EXPIRING and self.days_left is not None:
            return days_words(self.days_left).capitalize()
        return "Current" if self.expires_on is not None else "Current (no expiry)"


def _deciding(records: Iterable[PersonQualification]) -> dict[int, PersonQualification]:
    """The record of each type that lasts longest: the one that says whether it is held."""
    held: dict[int, PersonQualification] = {}
    for q in records:
        best = held.get(q.qualification_type_id)
        if best is None or lasts_longer(q.expires_on, best.expires_on):
            held[q.qualification_type_id] = q
    return held


def _qualification_view(
    q: PersonQualification, deciding: PersonQualification, today: date
) -> QualificationView:
    status = qualification_status(q.expires_on, today)
    days_left = (q.expires_on - today).days if q.expires_on and q.expires_on >= today else None
    return QualificationView(
        id=q.id,
        type_id=q.qualification_type_id,
        type_name=q.qualification_type.name,
        allows=q.qualification_type.allows or "",
        reference=q.reference or "",
        issued_on=q.issued_on,
        expires_on=q.expires_on,
        status=status,
        days_left=days_left,
        renewed=deciding is not q and lasts_longer(deciding.expires_on, q.expires_on),
    )


def qualification_summary(
    views: Sequence[QualificationView],
) -> tuple[str, QualificationStatus | None]:
    """The deciding qualifications as one line, each one not current saying why; and the
    worst status among them."""
    deciding = [v for v in views if not v.renewed]
    parts: list[str] = []
    for view in sorted(deciding, key=lambda v: fold(v.type_name)):
        if view.status is QualificationStatus.EXPIRED:
            parts.append(f"{view.type_name} (expired {format_date(view.expires_on)})")
        elif view.status is QualificationStatus.EXPIRING and view.days_left is not None:
            parts.append(f"{view.type_name} ({days_words(view.days_left)})")
        else:
            parts.append(view.type_name)
    worst = max((v.status for v in deciding), key=lambda s: s.severity, default=None)
    return ", ".join(parts), worst


def qualification_views(person: Person, today: date) -> tuple[QualificationView, ...]:
    """Every qualification ``person`` holds, as it stands on ``today``."""
    held = _deciding(person.qualifications)
    views = [
        _qualification_view(q, held[q.qualification_type_id], today) for q in person.qualifications
    ]

    def order(view: QualificationView) -> tuple[Any, ...]:
        # By name; within a type the one lasting longest first.
        return (fold(view.type_name), view.expires_on is not None, -_ordinal(view.expires_on))

    return tuple(sorted(views, key=order))


def _ordinal(day: date | None) -> int:
    return day.toordinal() if day is not None else 0
