"""The qualifications about to lapse: those of people listed that expire within a
number of days and have not been renewed, soonest first, for those who book renewals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import aliased, joinedload

from app.catalogue.directory import fold
from app.core.actor import Actor
from app.core.clock import look_ahead_problem, today_uk
from app.core.errors import Refusal
from app.core.permissions import Action, require
from app.people.records import PeopleRefused
from app.people.status import EXPIRING_DAYS, days_words
from app.storage.database import Database
from models import Person, PersonQualification


@dataclass(frozen=True)
class ExpiringRow:
    """A qualification that lapses soon and has not been renewed yet."""

    qualification_id: int
    person_id: int
    person: str
    staff_number: str
    agency_id: int
    agency_code: str
    agency: str
    type_id: int
    qualification: str
    expires_on: date
    days_left: int

    @property
    def id(self) -> int:
        """The qualification record's id: a row is one qualification."""
        return self.qualification_id

    @property
    def when_text(self) -> str:
        return days_words(self.days_left).capitalize()


def expiring_qualifications(
    db: Database,
    actor: Actor,
    *,
    days: int = EXPIRING_DAYS,
    today: date | None = None,
    agency_id: int | None = None,
) -> list[ExpiringRow]:
    """The qualifications of people listed that expire from today to ``days`` days ahead,
    soonest first. One already renewed (another record of its type lasts longer) is left
    out: nothing needs doing about it.

    Only those who book renewals (equipment managers and administrators) may see the list.
    """
    require(actor, Action.SEE_EXPIRING_QUALIFICATIONS)
    if days < 0:
        raise PeopleRefused(
            [Refusal("days", f"Give a number of days from 0 upwards, not {days}.", "days")]
        )
    if too_far := look_ahead_problem(days):
        raise PeopleRefused([Refusal("days", too_far, "days")])
    day = today or today_uk()
    later = aliased(PersonQualification)
    renewed = exists().where(
        later.person_id == PersonQualification.person_id,
        later.qualification_type_id == PersonQualification.qualification_type_id,
        later.id != PersonQualification.id,
        or_(later.expires_on.is_(None), later.expires_on > PersonQualification.expires_on),
    )
    statement = (
        select(PersonQualification)
        .join(Person, Person.id == PersonQualification.person_id)
        .where(
            Person.is_active.is_(True),
            PersonQualification.expires_on >= day,
            PersonQualification.expires_on <= day + timedelta(days=days),
            ~renewed,
        )
        .options(
            joinedload(PersonQualification.person).joinedload(Person.agency),
            joinedload(PersonQualification.qualification_type),
        )
    )
    if agency_id is not None:
        statement = statement.where(Person.agency_id == agency_id)
    with db.read() as session:
        rows = []
        for q in session.scalars(statement):
            assert q.expires_on is not None
            rows.append(
                ExpiringRow(
                    qualification_id=q.id,
                    person_id=q.person_id,
                    person=q.person.full_name,
                    staff_number=q.person.staff_number,
                    agency_id=q.person.agency_id,
                    agency_code=q.person.agency.code,
                    agency=q.person.agency.name,
                    type_id=q.qualification_type_id,
                    qualification=q.qualification_type.name,
                    expires_on=q.expires_on,
                    days_left=(q.expires_on - day).days,
                )
            )
    return sorted(rows, key=lambda r: (r.expires_on, fold(r.person), r.qualification_id))
