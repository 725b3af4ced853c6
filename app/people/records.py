"""People and their qualifications: who may borrow, operate, approve and inspect kit.

Everyone reads the people list; only an administrator changes it, and every change is
audited in the same transaction. A qualification lapses after its expiry date; one
that expires within ``EXPIRING_DAYS`` is marked so a manager can book the renewal in
time. When a person holds the same qualification more than once (a renewal recorded
beside the old certificate), the record lasting longest decides, as it does when kit
is issued (``app.loans.service``): a lapsed older one never hides a renewal.

Reads return frozen views (no ORM objects outlive their session); edits take drafts
and raise ``PeopleRefused`` listing every problem, with the field to point at.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from app.audit.record import Actor, record_change, snapshot
from app.catalogue.directory import PersonRef, fold
from app.core.clock import add_months, day_problem, format_date, look_ahead_problem, today_uk
from app.core.errors import NotFound, Refusal, Refused
from app.core.permissions import Action, require, role_in_words
from app.core.text import clean_fields, clean_text

# The issue check's own protocol lookup and "which record decides" rule, so the issue
# dialog offers exactly the people the check will accept.
from app.loans.service import lasts_longer, protocol_for
from app.storage.database import Database
from models import (
    Agency,
    AppUser,
    EquipmentItem,
    Person,
    PersonQualification,
    QualificationType,
    Role,
    Site,
)

# A qualification expiring within this many days (today included) is "expiring".
EXPIRING_DAYS = 30

# The longest each text may be: the columns' own limits, so the database never refuses.
STAFF_NUMBER_MAX = 30
NAME_MAX = 100
RANK_MAX = 120
EMAIL_MAX = 200
PHONE_MAX = 40
REFERENCE_MAX = 100
TYPE_CODE_MAX = 30
TYPE_NAME_MAX = 200
TYPE_MULTILINE = ("allows",)  # a qualification type's texts that may run over lines
# Fifty years: longer than any certificate lasts, short enough to catch a slip of the keys.
VALIDITY_MONTHS_MAX = 600
# How many names an explanation lists before it says "and N more".
NAMES_SHOWN = 5

PHONE_DIGITS_MIN = 6
PHONE_DIGITS_MAX = 15
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
PHONE_PATTERN = re.compile(r"\+?[0-9 ()\-.]+")

PERSON_ENTITY = "person"
QUALIFICATION_ENTITY = "person_qualification"
TYPE_ENTITY = "qualification_type"

PERSON_AUDIT_FIELDS = (
    "agency_id",
    "staff_number",
    "given_name",
    "family_name",
    "rank_or_role",
    "home_site_id",
    "email",
    "phone",
    "is_active",
)
QUALIFICATION_AUDIT_FIELDS = (
    "person_id",
    "qualification_type_id",
    "reference",
    "issued_on",
    "expires_on",
)
TYPE_AUDIT_FIELDS = ("code", "name", "allows", "validity_months")


class PeopleRefused(Refused):
    """A change to people or qualifications is refused; ``problems`` lists every rule broken."""


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


def plain(text: str) -> str:
    """``text`` folded (``directory.fold``) and without accents: "Ó Súill" → "o suill", so a
    name is found and sorted as people expect whether or not the accents are typed."""
    decomposed = unicodedata.normalize("NFKD", fold(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# -- what the people list shows ------------------------------------------------------------


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


@dataclass(frozen=True)
class PersonRow:
    """One line of the people table."""

    id: int
    name: str
    staff_number: str
    rank_or_role: str
    agency_id: int
    agency_code: str
    agency: str
    home_site: str
    email: str
    phone: str
    is_active: bool
    username: str | None
    user_role: Role | None
    user_active: bool
    qualification_summary: str  # "Drone pilot (GVC) (expires in 20 days), Work at height"
    worst_status: QualificationStatus | None  # None: holds no qualification

    @property
    def account_text(self) -> str:
        """ "rholloway (Duty officer)", "rholloway (Duty officer, disabled)", "No account"."""
        if self.username is None or self.user_role is None:
            return "No account"
        role = role_in_words(self.user_role)
        return (
            f"{self.username} ({role})"
            if self.user_active
            else f"{self.username} ({role}, disabled)"
        )

    @property
    def label(self) -> str:
        return f"{self.name} ({self.staff_number}, {self.agency_code})"


@dataclass(frozen=True)
class PersonView(PersonRow):
    """A person in full: what the table shows, the parts of the name, and every
    qualification recorded, the newest expiry first within each type."""

    given_name: str = ""
    family_name: str = ""
    home_site_id: int | None = None
    qualifications: tuple[QualificationView, ...] = ()


@dataclass(frozen=True)
class QualificationTypeView:
    id: int
    code: str
    name: str
    allows: str
    validity_months: int | None
    holders: int  # active people holding it, current or not

    @property
    def validity_text(self) -> str:
        return validity_words(self.validity_months)


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


# -- drafts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonDraft:
    """A person as typed; blanks are allowed here and refused by ``check_person``."""

    agency_id: int | None
    staff_number: str
    given_name: str
    family_name: str
    rank_or_role: str = ""
    home_site_id: int | None = None
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class QualificationDraft:
    """A qualification as typed. With no expiry date, a type that lasts a set time
    expires that long after ``issued_on``."""

    type_id: int | None
    reference: str = ""
    issued_on: date | None = None
    expires_on: date | None = None


@dataclass(frozen=True)
class QualificationTypeDraft:
    code: str
    name: str
    allows: str = ""
    validity_months: int | None = None


def person_draft_of(view: PersonView) -> PersonDraft:
    """A draft holding ``view`` as it is, to start an edit from."""
    return PersonDraft(
        agency_id=view.agency_id,
        staff_number=view.staff_number,
        given_name=view.given_name,
        family_name=view.family_name,
        rank_or_role=view.rank_or_role,
        home_site_id=view.home_site_id,
        email=view.email,
        phone=view.phone,
    )


def qualification_draft_of(view: QualificationView) -> QualificationDraft:
    return QualificationDraft(
        type_id=view.type_id,
        reference=view.reference,
        issued_on=view.issued_on,
        expires_on=view.expires_on,
    )


def qualification_type_draft_of(view: QualificationTypeView) -> QualificationTypeDraft:
    return QualificationTypeDraft(
        code=view.code,
        name=view.name,
        allows=view.allows,
        validity_months=view.validity_months,
    )


# -- reading -------------------------------------------------------------------------------


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


def _summary(views: Sequence[QualificationView]) -> tuple[str, QualificationStatus | None]:
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


def _qualification_views(person: Person, today: date) -> tuple[QualificationView, ...]:
    deciding = _deciding(person.qualifications)
    views = [
        _qualification_view(q, deciding[q.qualification_type_id], today)
        for q in person.qualifications
    ]

    def order(view: QualificationView) -> tuple[Any, ...]:
        # By name; within a type the one lasting longest first.
        return (fold(view.type_name), view.expires_on is not None, -_ordinal(view.expires_on))

    return tuple(sorted(views, key=order))


def _ordinal(day: date | None) -> int:
    return day.toordinal() if day is not None else 0


_PERSON_OPTIONS = (
    joinedload(Person.agency),
    joinedload(Person.home_site),
    selectinload(Person.qualifications).joinedload(PersonQualification.qualification_type),
)


def _person_values(
    person: Person, user: AppUser | None, views: Sequence[QualificationView]
) -> dict[str, Any]:
    summary, worst = _summary(views)
    return {
        "id": person.id,
        "name": person.full_name,
        "staff_number": person.staff_number,
        "rank_or_role": person.rank_or_role or "",
        "agency_id": person.agency_id,
        "agency_code": person.agency.code,
        "agency": person.agency.name,
        "home_site": person.home_site.name if person.home_site else "",
        "email": person.email or "",
        "phone": person.phone or "",
        "is_active": person.is_active,
        "username": user.username if user else None,
        "user_role": user.role if user else None,
        "user_active": bool(user and user.is_active),
        "qualification_summary": summary,
        "worst_status": worst,
    }


def _matches(person: Person, words: Sequence[str]) -> bool:
    haystack = plain(
        " ".join(
            (
                person.full_name,
                person.staff_number,
                person.rank_or_role or "",
                person.agency.code,
                person.agency.name,
                person.home_site.name if person.home_site else "",
                person.email or "",
                *(q.qualification_type.name for q in person.qualifications),
            )
        )
    )
    return all(word in haystack for word in words)


def list_person_rows(
    db: Database,
    *,
    text: str = "",
    agency_id: int | None = None,
    include_inactive: bool = False,
    today: date | None = None,
) -> list[PersonRow]:
    """The people, by family name then given name, narrowed to those every word of
    ``text`` finds (in the name, staff number, role, agency, home site, email or a
    qualification held). Three queries, however many people are listed.

    Words are matched in Python, not SQL, so "Ó Súilleabháin" folds alike on SQLite and
    PostgreSQL; the list is one county's staff, not millions of rows.
    """
    text = clean_text(text)
    day = today or today_uk()
    statement = (
        select(Person, AppUser)
        .outerjoin(AppUser, AppUser.person_id == Person.id)
        .options(*_PERSON_OPTIONS)
    )
    if agency_id is not None:
        statement = statement.where(Person.agency_id == agency_id)
    if not include_inactive:
        statement = statement.where(Person.is_active.is_(True))
    words = plain(text).split()
    keyed: list[tuple[tuple[str, str, int], PersonRow]] = []
    with db.read() as session:
        for person, user in session.execute(statement).unique():
            if words and not _matches(person, words):
                continue
            views = _qualification_views(person, day)
            key = (plain(person.family_name), plain(person.given_name), person.id)
            keyed.append((key, PersonRow(**_person_values(person, user, views))))
    return [row for _key, row in sorted(keyed, key=lambda pair: pair[0])]


def get_person(db: Database, person_id: int, *, today: date | None = None) -> PersonView:
    """One person in full, with every qualification recorded."""
    day = today or today_uk()
    with db.read() as session:
        person = _load_person(session, person_id)
        user = session.scalars(select(AppUser).where(AppUser.person_id == person.id)).first()
        views = _qualification_views(person, day)
        return PersonView(
            **_person_values(person, user, views),
            given_name=person.given_name,
            family_name=person.family_name,
            home_site_id=person.home_site_id,
            qualifications=views,
        )


def _load_person(session: Session, person_id: int, *, lock: bool = False) -> Person:
    statement = select(Person).where(Person.id == person_id).options(*_PERSON_OPTIONS)
    if lock:
        statement = statement.with_for_update(of=Person)
    person = session.scalars(statement).first()
    if person is None:
        raise NotFound(f"There is no person with id {person_id}; they may have been removed.")
    return person


def list_qualification_types(db: Database) -> list[QualificationTypeView]:
    """Every qualification type, by name, with how many people listed hold it."""
    holders = (
        select(func.count(func.distinct(PersonQualification.person_id)))
        .join(Person, Person.id == PersonQualification.person_id)
        .where(
            PersonQualification.qualification_type_id == QualificationType.id,
            Person.is_active.is_(True),
        )
        .scalar_subquery()
    )
    with db.read() as session:
        found = [
            QualificationTypeView(
                id=t.id,
                code=t.code,
                name=t.name,
                allows=t.allows or "",
                validity_months=t.validity_months,
                holders=count or 0,
            )
            for t, count in session.execute(select(QualificationType, holders))
        ]
    return sorted(found, key=lambda t: (fold(t.name), t.id))


def expiring_qualifications(
    db: Database,
    *,
    days: int = EXPIRING_DAYS,
    today: date | None = None,
    agency_id: int | None = None,
) -> list[ExpiringRow]:
    """The qualifications of people listed that expire from today to ``days`` days ahead,
    soonest first. One already renewed (another record of its type lasts longer) is left
    out: nothing needs doing about it."""
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


# -- checks --------------------------------------------------------------------------------


def _text_problems(
    value: str, *, field: str, limit: int, what: str, missing: str | None = None
) -> list[Refusal]:
    """``missing`` if ``value`` is blank (and must not be); "shorten it" past ``limit``."""
    text = value.strip()
    if not text and missing is not None:
        return [Refusal(field, missing, field)]
    if len(text) > limit:
        return [
            Refusal(
                field,
                f"{what} is {len(text)} characters long; shorten it to {limit} or fewer.",
                field,
            )
        ]
    return []


def _contact_problems(draft: PersonDraft) -> list[Refusal]:
    problems: list[Refusal] = []
    email = draft.email.strip()
    if email:
        if len(email) > EMAIL_MAX:
            problems += _text_problems(email, field="email", limit=EMAIL_MAX, what="The email")
        elif not EMAIL_PATTERN.fullmatch(email):
            problems.append(
                Refusal(
                    "email",
                    f"“{email}” does not look like an email address; give one like "
                    "name@cambs.police.uk, or leave it blank.",
                    "email",
                )
            )
    phone = draft.phone.strip()
    if phone:
        digits = sum(ch.isdigit() for ch in phone)
        if len(phone) > PHONE_MAX:
            problems += _text_problems(phone, field="phone", limit=PHONE_MAX, what="The phone")
        elif not PHONE_PATTERN.fullmatch(phone) or not (
            PHONE_DIGITS_MIN <= digits <= PHONE_DIGITS_MAX
        ):
            problems.append(
                Refusal(
                    "phone",
                    f"“{phone}” does not look like a phone number; give {PHONE_DIGITS_MIN} to "
                    f"{PHONE_DIGITS_MAX} digits, with spaces or a leading + if you like, e.g. "
                    "01223 555123 or +44 7700 900123, or leave it blank.",
                    "phone",
                )
            )
    return problems


def _person_problems(
    session: Session, draft: PersonDraft, existing: Person | None
) -> list[Refusal]:
    problems: list[Refusal] = []
    agency = session.get(Agency, draft.agency_id) if draft.agency_id is not None else None
    if agency is None:
        problems.append(
            Refusal(
                "agency",
                "Choose the agency this person works for."
                if draft.agency_id is None
                else f"There is no agency with id {draft.agency_id}; choose one from the list.",
                "agency_id",
            )
        )
    number = draft.staff_number.strip()
    problems += _text_problems(
        number,
        field="staff_number",
        limit=STAFF_NUMBER_MAX,
        what="The staff number",
        missing="Give the collar or staff number, e.g. 2391 or CF20417.",
    )
    problems += _text_problems(
        draft.given_name,
        field="given_name",
        limit=NAME_MAX,
        what="The given name",
        missing="Give the person's given name, e.g. Rachel.",
    )
    problems += _text_problems(
        draft.family_name,
        field="family_name",
        limit=NAME_MAX,
        what="The family name",
        missing="Give the person's family name, e.g. Holloway.",
    )
    problems += _text_problems(
        draft.rank_or_role, field="rank_or_role", limit=RANK_MAX, what="The rank or role"
    )
    if agency is not None and number:
        problems += _staff_number_problems(session, agency, number, existing)
    if draft.home_site_id is not None:
        site = session.get(Site, draft.home_site_id)
        if site is None:
            problems.append(
                Refusal(
                    "home_site",
                    f"There is no site with id {draft.home_site_id}; choose one from the list.",
                    "home_site_id",
                )
            )
        elif agency is not None and site.agency_id != agency.id:
            problems.append(
                Refusal(
                    "home_site",
                    f"{site.name} belongs to {site.agency.name}, not {agency.name}; choose one "
                    f"of {agency.name}'s sites, or none.",
                    "home_site_id",
                )
            )
    problems += _contact_problems(draft)
    return problems


def _staff_number_problems(
    session: Session, agency: Agency, number: str, existing: Person | None
) -> list[Refusal]:
    # Compared without case: "cf20417" beside "CF20417" would be one number to a person.
    # Staff numbers are letters and digits, which SQL lower() folds alike on both databases.
    other = session.scalars(
        select(Person).where(
            Person.agency_id == agency.id,
            Person.id != (existing.id if existing is not None else -1),
            func.lower(Person.staff_number) == number.lower(),
        )
    ).first()
    if other is None:
        return []
    former = "" if other.is_active else " (former staff)"
    return [
        Refusal(
            "staff_number",
            f"Staff number {other.staff_number} at {agency.name} is already "
            f"{other.full_name}'s{former}; give this person's own number, or edit "
            f"{other.full_name} instead.",
            "staff_number",
        )
    ]


def check_person(
    db: Database, draft: PersonDraft, *, person_id: int | None = None
) -> list[Refusal]:
    """Every problem with ``draft`` (as a new person, or as an edit of ``person_id``)."""
    draft = clean_fields(draft)
    with db.read() as session:
        existing = _load_person(session, person_id) if person_id is not None else None
        return _person_problems(session, draft, existing)


def _qualification_problems(
    session: Session,
    draft: QualificationDraft,
    person: Person,
    existing: PersonQualification | None,
    today: date,
) -> list[Refusal]:
    problems: list[Refusal] = []
    kind = session.get(QualificationType, draft.type_id) if draft.type_id is not None else None
    if kind is None:
        problems.append(
            Refusal(
                "type",
                "Choose which qualification this is."
                if draft.type_id is None
                else f"There is no qualification type with id {draft.type_id}; choose one "
                "from the list.",
                "type_id",
            )
        )
    problems += _text_problems(
        draft.reference, field="reference", limit=REFERENCE_MAX, what="The reference"
    )
    issued, expires = draft.issued_on, draft.expires_on
    out_of_range = [
        Refusal(field, problem, field)
        for day, what, field in (
            (issued, "issue date", "issued_on"),
            (expires, "expiry date", "expires_on"),
        )
        if day is not None and (problem := day_problem(day, what))
    ]
    if out_of_range:
        return problems + out_of_range
    if issued is not None and issued > today:
        problems.append(
            Refusal(
                "issued_on",
                f"The issue date {format_date(issued)} is after today; record the "
                "qualification once it has been issued, with the date on the certificate.",
                "issued_on",
            )
        )
    if issued is not None and expires is not None and expires <= issued:
        problems.append(
            Refusal(
                "expires_on",
                f"The expiry date {format_date(expires)} is not after the issue date "
                f"{format_date(issued)}; make it later, or correct the issue date.",
                "expires_on",
            )
        )
    if kind is not None and kind.validity_months is not None and issued is None and expires is None:
        problems.append(
            Refusal(
                "issued_on",
                f"“{kind.name}” lasts {validity_words(kind.validity_months)}: give the date "
                "it was issued (its expiry is worked out from it), or the expiry date.",
                "issued_on",
            )
        )
    if kind is not None and not problems:
        stored = _stored_expiry(draft, kind)
        for other in person.qualifications:
            if (
                other is not existing
                and other.qualification_type_id == kind.id
                and other.issued_on == issued
                and other.expires_on == stored
            ):
                problems.append(
                    Refusal(
                        "duplicate",
                        f"{person.full_name} already has this “{kind.name}” recorded, with the "
                        "same dates; edit that record instead of adding it again.",
                        "type_id",
                    )
                )
                break
    return problems


def _stored_expiry(draft: QualificationDraft, kind: QualificationType) -> date | None:
    return draft.expires_on or default_expiry(draft.issued_on, kind.validity_months)


def _load_qualification(
    session: Session, qualification_id: int, *, lock: bool = False
) -> PersonQualification:
    statement = (
        select(PersonQualification)
        .where(PersonQualification.id == qualification_id)
        .options(
            joinedload(PersonQualification.qualification_type),
            joinedload(PersonQualification.person),
        )
    )
    if lock:
        statement = statement.with_for_update(of=PersonQualification)
    found = session.scalars(statement).first()
    if found is None:
        raise NotFound(
            f"There is no qualification record with id {qualification_id}; it may have been "
            "removed. Reopen the person to see what they hold now."
        )
    return found


def check_qualification(
    db: Database,
    draft: QualificationDraft,
    *,
    person_id: int,
    qualification_id: int | None = None,
    today: date | None = None,
) -> list[Refusal]:
    """Every problem with ``draft`` as a qualification of ``person_id`` (new, or as an
    edit of ``qualification_id``)."""
    draft = clean_fields(draft)
    with db.read() as session:
        person = _load_person(session, person_id)
        existing = (
            _load_qualification(session, qualification_id) if qualification_id is not None else None
        )
        return _qualification_problems(session, draft, person, existing, today or today_uk())


def _type_problems(
    session: Session, draft: QualificationTypeDraft, existing: QualificationType | None
) -> list[Refusal]:
    code, name = draft.code.strip(), draft.name.strip()
    problems = _text_problems(
        code,
        field="code",
        limit=TYPE_CODE_MAX,
        what="The short code",
        missing="Give the qualification a short code, such as UAS-GVC or WAH.",
    )
    problems += _text_problems(
        name,
        field="name",
        limit=TYPE_NAME_MAX,
        what="The name",
        missing="Give the qualification a name, such as “Drone pilot (GVC)”.",
    )
    months = draft.validity_months
    if months is not None and not 1 <= months <= VALIDITY_MONTHS_MAX:
        problems.append(
            Refusal(
                "validity_months",
                f"A qualification lasts from 1 to {VALIDITY_MONTHS_MAX} months, not {months}; "
                "or leave it with no set expiry.",
                "validity_months",
            )
        )
    others = session.scalars(
        select(QualificationType).where(
            QualificationType.id != (existing.id if existing is not None else -1)
        )
    ).all()
    if code and any(fold(o.code) == fold(code) for o in others):
        problems.append(
            Refusal(
                "code",
                f"The short code {code} is already another qualification's; choose another.",
                "code",
            )
        )
    if name and any(fold(o.name) == fold(name) for o in others):
        problems.append(
            Refusal(
                "name",
                f"There is already a qualification called “{name}”; use that one, or choose "
                "another name.",
                "name",
            )
        )
    return problems


def check_qualification_type(
    db: Database, draft: QualificationTypeDraft, *, type_id: int | None = None
) -> list[Refusal]:
    """Every problem with ``draft`` (as a new type, or as an edit of ``type_id``)."""
    draft = clean_fields(draft, multiline=TYPE_MULTILINE)
    with db.read() as session:
        existing = _load_type(session, type_id) if type_id is not None else None
        return _type_problems(session, draft, existing)


def _load_type(session: Session, type_id: int) -> QualificationType:
    found = session.get(QualificationType, type_id)
    if found is None:
        raise NotFound(f"There is no qualification type with id {type_id}.")
    return found


# -- edits ---------------------------------------------------------------------------------


def _refuse_if(problems: Sequence[Refusal]) -> None:
    if problems:
        raise PeopleRefused(list(dict.fromkeys(problems)))


def _flush(session: Session, refusal: Refusal) -> None:
    """Flush; a unique constraint tripped by another station meanwhile becomes ``refusal``."""
    try:
        session.flush()
    except IntegrityError:
        raise PeopleRefused([refusal]) from None


def _taken_number(draft: PersonDraft) -> Refusal:
    return Refusal(
        "staff_number",
        f"Someone at this agency was given staff number {draft.staff_number.strip()} a moment "
        "ago; check the number and try again.",
        "staff_number",
    )


def _apply_person(person: Person, draft: PersonDraft) -> None:
    assert draft.agency_id is not None
    person.agency_id = draft.agency_id
    person.staff_number = draft.staff_number.strip()
    person.given_name = " ".join(draft.given_name.split())
    person.family_name = " ".join(draft.family_name.split())
    person.rank_or_role = draft.rank_or_role.strip() or None
    person.home_site_id = draft.home_site_id
    person.email = draft.email.strip() or None
    person.phone = " ".join(draft.phone.split()) or None


def create_person(db: Database, draft: PersonDraft, actor: Actor) -> int:
    """Add a person; returns their id."""
    draft = clean_fields(draft)
    require(actor, Action.MANAGE_PEOPLE)
    with db.write() as session:
        _refuse_if(_person_problems(session, draft, None))
        person = Person(is_active=True)
        _apply_person(person, draft)
        session.add(person)
        _flush(session, _taken_number(draft))
        record_change(
            session,
            actor,
            "person.created",
            PERSON_ENTITY,
            person.id,
            before=None,
            after=snapshot(person, PERSON_AUDIT_FIELDS),
        )
        return person.id


def update_person(db: Database, person_id: int, draft: PersonDraft, actor: Actor) -> None:
    """Change a person's details (not their qualifications, nor whether they are active)."""
    draft = clean_fields(draft)
    require(actor, Action.MANAGE_PEOPLE)
    with db.write() as session:
        person = _load_person(session, person_id, lock=True)
        _refuse_if(_person_problems(session, draft, person))
        before = snapshot(person, PERSON_AUDIT_FIELDS)
        _apply_person(person, draft)
        _flush(session, _taken_number(draft))
        after = snapshot(person, PERSON_AUDIT_FIELDS)
        if after != before:
            record_change(
                session,
                actor,
                "person.updated",
                PERSON_ENTITY,
                person.id,
                before=before,
                after=after,
            )


def set_person_active(db: Database, person_id: int, active: bool, actor: Actor) -> None:
    """Mark a person as former staff (``active`` False), or back as current staff.

    Former staff are kept (their loans and inspections still name them) but are no
    longer offered as borrowers, operators or approvers. Nothing changes, and nothing is
    audited, if they are already as asked.
    """
    require(actor, Action.MANAGE_PEOPLE)
    with db.write() as session:
        person = _load_person(session, person_id, lock=True)
        if person.is_active == active:
            return
        if not active:
            user = session.scalars(
                select(AppUser).where(AppUser.person_id == person.id, AppUser.is_active.is_(True))
            ).first()
            if user is not None:
                raise PeopleRefused(
                    [
                        Refusal(
                            "active_account",
                            f"{person.full_name} still signs in to Kit Share as “{user.username}”. "
                            "Disable that user account first, then mark them as former staff.",
                        )
                    ]
                )
        before = snapshot(person, PERSON_AUDIT_FIELDS)
        person.is_active = active
        session.flush()
        record_change(
            session,
            actor,
            "person.reactivated" if active else "person.deactivated",
            PERSON_ENTITY,
            person.id,
            before=before,
            after=snapshot(person, PERSON_AUDIT_FIELDS),
        )


def _apply_qualification(
    q: PersonQualification, draft: QualificationDraft, kind: QualificationType
) -> None:
    q.qualification_type_id = kind.id
    q.reference = draft.reference.strip() or None
    q.issued_on = draft.issued_on
    q.expires_on = _stored_expiry(draft, kind)


def add_qualification(
    db: Database,
    person_id: int,
    draft: QualificationDraft,
    actor: Actor,
    *,
    today: date | None = None,
) -> int:
    """Record a qualification ``person_id`` holds; returns the record's id. With no expiry
    date, a type that lasts a set time expires that long after the issue date."""
    draft = clean_fields(draft)
    require(actor, Action.MANAGE_PEOPLE)
    with db.write() as session:
        person = _load_person(session, person_id, lock=True)
        _refuse_if(_qualification_problems(session, draft, person, None, today or today_uk()))
        assert draft.type_id is not None
        kind = session.get_one(QualificationType, draft.type_id)
        q = PersonQualification(person_id=person.id)
        _apply_qualification(q, draft, kind)
        session.add(q)
        session.flush()
        record_change(
            session,
            actor,
            "qualification.added",
            QUALIFICATION_ENTITY,
            q.id,
            before=None,
            after=snapshot(q, QUALIFICATION_AUDIT_FIELDS),
            note=f"{kind.name} for {person.full_name}",
        )
        return q.id


def update_qualification(
    db: Database,
    qualification_id: int,
    draft: QualificationDraft,
    actor: Actor,
    *,
    today: date | None = None,
) -> None:
    """Correct or renew a qualification record."""
    draft = clean_fields(draft)
    require(actor, Action.MANAGE_PEOPLE)
    with db.write() as session:
        q = _load_qualification(session, qualification_id, lock=True)
        person = _load_person(session, q.person_id)
        _refuse_if(_qualification_problems(session, draft, person, q, today or today_uk()))
        assert draft.type_id is not None
        kind = session.get_one(QualificationType, draft.type_id)
        before = snapshot(q, QUALIFICATION_AUDIT_FIELDS)
        _apply_qualification(q, draft, kind)
        session.flush()
        after = snapshot(q, QUALIFICATION_AUDIT_FIELDS)
        if after != before:
            record_change(
                session,
                actor,
                "qualification.updated",
                QUALIFICATION_ENTITY,
                q.id,
                before=before,
                after=after,
                note=f"{kind.name} for {person.full_name}",
            )


def remove_qualification(db: Database, qualification_id: int, actor: Actor) -> None:
    """Delete a qualification record entered in error (a lapsed one can simply stay)."""
    require(actor, Action.MANAGE_PEOPLE)
    with db.write() as session:
        q = _load_qualification(session, qualification_id, lock=True)
        before = snapshot(q, QUALIFICATION_AUDIT_FIELDS)
        note = f"{q.qualification_type.name} for {q.person.full_name}"
        session.delete(q)
        session.flush()
        record_change(
            session,
            actor,
            "qualification.removed",
            QUALIFICATION_ENTITY,
            qualification_id,
            before=before,
            after=None,
            note=note,
        )


def _apply_type(kind: QualificationType, draft: QualificationTypeDraft) -> None:
    kind.code = draft.code.strip()
    kind.name = " ".join(draft.name.split())
    kind.allows = draft.allows.strip() or None
    kind.validity_months = draft.validity_months


def _taken_type(draft: QualificationTypeDraft) -> Refusal:
    return Refusal(
        "code",
        f"Another qualification was given the code {draft.code.strip()} or the name "
        f"“{draft.name.strip()}” a moment ago; choose another.",
        "code",
    )


def create_qualification_type(db: Database, draft: QualificationTypeDraft, actor: Actor) -> int:
    """Add a qualification type protocols can require; returns its id."""
    draft = clean_fields(draft, multiline=TYPE_MULTILINE)
    require(actor, Action.MANAGE_PEOPLE)
    with db.write() as session:
        _refuse_if(_type_problems(session, draft, None))
        kind = QualificationType()
        _apply_type(kind, draft)
        session.add(kind)
        _flush(session, _taken_type(draft))
        record_change(
            session,
            actor,
            "qualification_type.created",
            TYPE_ENTITY,
            kind.id,
            before=None,
            after=snapshot(kind, TYPE_AUDIT_FIELDS),
        )
        return kind.id


def update_qualification_type(
    db: Database, type_id: int, draft: QualificationTypeDraft, actor: Actor
) -> None:
    """Change a qualification type. Expiry dates already recorded stay as they are."""
    draft = clean_fields(draft, multiline=TYPE_MULTILINE)
    require(actor, Action.MANAGE_PEOPLE)
    with db.write() as session:
        kind = session.get(QualificationType, type_id, with_for_update=True)
        if kind is None:
            raise NotFound(f"There is no qualification type with id {type_id}.")
        _refuse_if(_type_problems(session, draft, kind))
        before = snapshot(kind, TYPE_AUDIT_FIELDS)
        _apply_type(kind, draft)
        _flush(session, _taken_type(draft))
        after = snapshot(kind, TYPE_AUDIT_FIELDS)
        if after != before:
            record_change(
                session,
                actor,
                "qualification_type.updated",
                TYPE_ENTITY,
                kind.id,
                before=before,
                after=after,
            )


# -- who may operate kit -------------------------------------------------------------------


@dataclass(frozen=True)
class RequiredQualification:
    id: int
    name: str
    protocols: tuple[str, ...]  # the protocols that require it, by name


@dataclass(frozen=True)
class OperatorChoices:
    """Whom the issue dialog offers as operator, and why not others."""

    required: tuple[RequiredQualification, ...]
    qualified: tuple[PersonRef, ...]
    explanation: str = ""
    lapsed: tuple[str, ...] = field(default=())  # "Liam Chapman (expired 07/10/2026)", latest first


@dataclass(frozen=True)
class _Held:
    issued_on: date | None
    expires_on: date | None


def _current(held: _Held | None, day: date) -> bool:
    """As the issue check judges it: held, started by ``day`` and not expired before it."""
    return (
        held is not None
        and (held.issued_on is None or held.issued_on <= day)
        and (held.expires_on is None or held.expires_on >= day)
    )


def _requirements(
    session: Session, item_ids: Sequence[int], borrower: Agency, day: date, *, emergency: bool
) -> tuple[RequiredQualification, ...]:
    """The qualifications the protocols lending these items to ``borrower`` require: the
    same protocols issuing them would be checked against."""
    names: dict[int, str] = {}
    protocols: dict[int, list[str]] = defaultdict(list)
    for item_id in dict.fromkeys(item_ids):
        item = session.get(EquipmentItem, item_id)
        if item is None:
            continue
        protocol, _why_not = protocol_for(session, item, borrower, day, emergency=emergency)
        if protocol is None:
            continue
        for needed in protocol.required_qualifications:
            names[needed.id] = needed.name
            if protocol.name not in protocols[needed.id]:
                protocols[needed.id].append(protocol.name)
    return tuple(
        RequiredQualification(id=i, name=n, protocols=tuple(protocols[i])) for i, n in names.items()
    )


def _quoted_list(names: Sequence[str]) -> str:
    quoted = [f"“{n}”" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _listed(parts: Sequence[str]) -> str:
    shown = "; ".join(parts[:NAMES_SHOWN])
    more = len(parts) - NAMES_SHOWN
    return f"{shown}; and {more} more" if more > 0 else shown


def operator_choices(
    db: Database,
    *,
    item_ids: Sequence[int],
    borrower_agency_id: int | None,
    at: date,
    emergency: bool = False,
) -> OperatorChoices:
    """The people of the borrowing agency who may operate these items on ``at``: those
    holding, current, every qualification the protocols lending the items require.

    ``explanation`` says what is required and who else could: the agency's people whose
    qualification has lapsed (with the date) and how many people elsewhere hold it. With
    nothing required, everyone listed at the agency is offered and it is blank.
    """
    with db.read() as session:
        borrower = session.get(Agency, borrower_agency_id) if borrower_agency_id else None
        if borrower is None:
            return OperatorChoices(required=(), qualified=())
        borrower_name = borrower.name
        required = _requirements(session, item_ids, borrower, at, emergency=emergency)
        people = session.scalars(
            select(Person)
            .where(Person.is_active.is_(True), Person.agency_id == borrower.id)
            .order_by(Person.family_name, Person.given_name, Person.id)
        ).all()
        refs = [
            PersonRef(
                id=p.id,
                name=p.full_name,
                staff_number=p.staff_number,
                agency_id=borrower.id,
                agency_code=borrower.code,
                agency=borrower.name,
            )
            for p in people
        ]
        if not required:
            return OperatorChoices(required=(), qualified=tuple(refs))
        needed = [r.id for r in required]
        held: dict[int, dict[int, _Held]] = defaultdict(dict)
        agency_of: dict[int, str] = {}
        rows = session.execute(
            select(
                PersonQualification.person_id,
                PersonQualification.qualification_type_id,
                PersonQualification.issued_on,
                PersonQualification.expires_on,
                Person.agency_id,
                Agency.name,
            )
            .join(Person, Person.id == PersonQualification.person_id)
            .join(Agency, Agency.id == Person.agency_id)
            .where(
                Person.is_active.is_(True),
                PersonQualification.qualification_type_id.in_(needed),
            )
        )
        for person_id, type_id, issued, expires, agency_id, agency_name in rows:
            best = held[person_id].get(type_id)
            if best is None or lasts_longer(expires, best.expires_on):
                held[person_id][type_id] = _Held(issued, expires)
            if agency_id != borrower.id:
                agency_of[person_id] = agency_name

    def qualified(person_id: int) -> bool:
        return all(_current(held[person_id].get(t), at) for t in needed)

    offered = tuple(r for r in refs if qualified(r.id))
    lapsed: list[tuple[date, str]] = []
    for ref in refs:
        for requirement in required:
            record_ = held[ref.id].get(requirement.id)
            if record_ is None or _current(record_, at):
                continue
            # With one requirement the name of it goes without saying.
            what = "" if len(required) == 1 else f"{requirement.name} "
            if record_.expires_on is not None and record_.expires_on < at:
                when = record_.expires_on
                lapsed.append((when, f"{ref.name} ({what}expired {format_date(when)})"))
            elif record_.issued_on is not None:
                when = record_.issued_on
                lapsed.append((when, f"{ref.name} ({what}starts {format_date(when)})"))
    # The most recently lapsed first: those are the ones a quick renewal would bring back.
    lapsed.sort(key=lambda pair: pair[0], reverse=True)
    elsewhere: dict[str, int] = defaultdict(int)
    for person_id, agency_name in agency_of.items():
        if qualified(person_id):
            elsewhere[agency_name] += 1
    return OperatorChoices(
        required=required,
        qualified=offered,
        explanation=_explain(borrower_name, required, offered, [t for _, t in lapsed], elsewhere),
        lapsed=tuple(t for _, t in lapsed),
    )


def _explain(
    borrower: str,
    required: Sequence[RequiredQualification],
    offered: Sequence[PersonRef],
    lapsed: Sequence[str],
    elsewhere: dict[str, int],
) -> str:
    it = "it" if len(required) == 1 else "them all"
    protocols = list(dict.fromkeys(p for r in required for p in r.protocols))
    rule = (
        f"Protocol {_quoted_list(protocols)} needs"
        if len(protocols) == 1
        else f"Protocols {_quoted_list(protocols)} need"
    )
    parts = [f"{rule} an operator with a current {_quoted_list([r.name for r in required])}."]
    if len(offered) == 1:
        parts.append(f"Offered: the one person at {borrower} who holds {it}.")
    elif offered:
        parts.append(f"Offered: the {len(offered)} people at {borrower} who hold {it}.")
    else:
        parts.append(f"No one at {borrower} holds {it} now.")
    if lapsed:
        parts.append(f"Not offered: {_listed(lapsed)}.")
    total = sum(elsewhere.values())
    if total:
        by_agency = ", ".join(
            f"{name} {count}"
            for name, count in sorted(elsewhere.items(), key=lambda pair: (-pair[1], pair[0]))
        )
        if len(elsewhere) == 1:
            [(name, count)] = elsewhere.items()
            who = f"1 person at {name} holds" if count == 1 else f"{count} people at {name} hold"
            parts.append(f"Elsewhere, {who} {it}.")
        else:
            parts.append(f"Elsewhere, {total} people hold {it}: {by_agency}.")
    elif not offered:
        parts.append(f"No one in another agency holds {it} either.")
    return " ".join(parts)
