"""People: who may borrow, operate, approve and inspect kit.

Everyone reads the people list; only an administrator changes it, and every change is
audited in the same transaction. What a person holds is ``app.people.qualifications``
(and ``app.people.status`` for whether it counts today); the qualifications about to
lapse are ``app.people.expiring``, and whom the issue dialog offers as operator is
``app.people.operators``.

Reads return frozen views (no ORM objects outlive their session); edits take drafts
and raise ``PeopleRefused`` listing every problem, with the field to point at.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from app.audit.record import record_change, snapshot
from app.catalogue.directory import fold
from app.core.actor import Actor
from app.core.checks import text_problems
from app.core.clock import today_uk
from app.core.errors import Refusal, Refused
from app.core.lookup import chosen, get_or_missing
from app.core.permissions import Action, require
from app.core.text import clean_fields, clean_text
from app.core.vocabulary import label
from app.people.status import (
    QualificationStatus,
    QualificationView,
    qualification_summary,
    qualification_views,
)
from app.storage.database import Database
from models import Agency, AppUser, Person, PersonQualification, Role, Site

# The longest each text may be: the columns' own limits, so the database never refuses.
STAFF_NUMBER_MAX = 30
NAME_MAX = 100
RANK_MAX = 120
EMAIL_MAX = 200
PHONE_MAX = 40

PHONE_DIGITS_MIN = 6
PHONE_DIGITS_MAX = 15
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
PHONE_PATTERN = re.compile(r"\+?[0-9 ()\-.]+")

PERSON_ENTITY = "person"

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


class PeopleRefused(Refused):
    """A change to people or qualifications is refused; ``problems`` lists every rule broken."""


def plain(text: str) -> str:
    """``text`` folded (``directory.fold``) and without accents: "Ó Súill" → "o suill", so a
    name is found and sorted as people expect whether or not the accents are typed."""
    decomposed = unicodedata.normalize("NFKD", fold(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# -- what the people list shows ------------------------------------------------------------


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
        role = label(self.user_role)
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


# -- reading -------------------------------------------------------------------------------

_PERSON_OPTIONS = (
    joinedload(Person.agency),
    joinedload(Person.home_site),
    selectinload(Person.qualifications).joinedload(PersonQualification.qualification_type),
)


def _person_values(
    person: Person, user: AppUser | None, views: Sequence[QualificationView]
) -> dict[str, Any]:
    summary, worst = qualification_summary(views)
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
            views = qualification_views(person, day)
            key = (plain(person.family_name), plain(person.given_name), person.id)
            keyed.append((key, PersonRow(**_person_values(person, user, views))))
    return [row for _key, row in sorted(keyed, key=lambda pair: pair[0])]


def get_person(db: Database, person_id: int, *, today: date | None = None) -> PersonView:
    """One person in full, with every qualification recorded."""
    day = today or today_uk()
    with db.read() as session:
        person = load_person(session, person_id)
        user = session.scalars(select(AppUser).where(AppUser.person_id == person.id)).first()
        views = qualification_views(person, day)
        return PersonView(
            **_person_values(person, user, views),
            given_name=person.given_name,
            family_name=person.family_name,
            home_site_id=person.home_site_id,
            qualifications=views,
        )


def load_person(session: Session, person_id: int, *, lock: bool = False) -> Person:
    """The person ``person_id`` with their agency, home site and qualifications loaded;
    ``NotFound`` if there is none."""
    missing = f"There is no person with id {person_id}; they may have been removed."
    return get_or_missing(session, Person, person_id, missing, lock=lock, options=_PERSON_OPTIONS)


# -- checks --------------------------------------------------------------------------------


def contact_problems(draft: PersonDraft) -> list[Refusal]:
    """What is wrong with the email and phone of ``draft``; either may be left blank."""
    problems: list[Refusal] = []
    email = draft.email.strip()
    if email:
        if len(email) > EMAIL_MAX:
            problems += text_problems(email, field="email", limit=EMAIL_MAX, what="The email")
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
            problems += text_problems(phone, field="phone", limit=PHONE_MAX, what="The phone")
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


def person_text_problems(draft: PersonDraft) -> list[Refusal]:
    """What is wrong with the staff number, names and rank of ``draft``, as typed."""
    return [
        *text_problems(
            draft.staff_number,
            field="staff_number",
            limit=STAFF_NUMBER_MAX,
            what="The staff number",
            missing="Give the collar or staff number, e.g. 2391 or CF20417.",
        ),
        *text_problems(
            draft.given_name,
            field="given_name",
            limit=NAME_MAX,
            what="The given name",
            missing="Give the person's given name, e.g. Rachel.",
        ),
        *text_problems(
            draft.family_name,
            field="family_name",
            limit=NAME_MAX,
            what="The family name",
            missing="Give the person's family name, e.g. Holloway.",
        ),
        *text_problems(
            draft.rank_or_role, field="rank_or_role", limit=RANK_MAX, what="The rank or role"
        ),
    ]


def _person_problems(
    session: Session, draft: PersonDraft, existing: Person | None
) -> list[Refusal]:
    problems: list[Refusal] = []
    agency = chosen(
        session,
        Agency,
        draft.agency_id,
        problems,
        "agency",
        field="agency_id",
        what="agency",
        missing="Choose the agency this person works for.",
    )
    number = draft.staff_number.strip()
    problems += person_text_problems(draft)
    if agency is not None and number:
        problems += _staff_number_problems(session, agency, number, existing)
    # No home site is a choice too; only one chosen must still be there.
    if draft.home_site_id is not None:
        site = chosen(
            session,
            Site,
            draft.home_site_id,
            problems,
            "home_site",
            field="home_site_id",
            what="site",
        )
        if site is not None and agency is not None and site.agency_id != agency.id:
            problems.append(
                Refusal(
                    "home_site",
                    f"{site.name} belongs to {site.agency.name}, not {agency.name}; choose one "
                    f"of {agency.name}'s sites, or none.",
                    "home_site_id",
                )
            )
    problems += contact_problems(draft)
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
        existing = load_person(session, person_id) if person_id is not None else None
        return _person_problems(session, draft, existing)


# -- edits ---------------------------------------------------------------------------------


def flush_or_refuse(session: Session, refusal: Refusal) -> None:
    """Flush; a unique constraint tripped by another station meanwhile becomes ``refusal``."""
    try:
        session.flush()
    except IntegrityError:
        raise PeopleRefused([refusal]) from None


def save_audited(
    session: Session,
    actor: Actor,
    record: Any,
    change: Callable[[], None],
    *,
    fields: Sequence[str],
    action: str,
    entity: str,
    taken: Refusal | None = None,
    note: str | None = None,
) -> None:
    """Make ``change`` to ``record`` (a new one, while it has no id) and audit it: a new
    record always, a stored one only when one of its ``fields`` changed. With ``taken``, a
    unique constraint another station trips meanwhile is refused in its words."""
    before = None if record.id is None else snapshot(record, fields)
    change()
    session.add(record)
    if taken is None:
        session.flush()
    else:
        flush_or_refuse(session, taken)
    after = snapshot(record, fields)
    if after != before:
        record_change(
            session, actor, action, entity, record.id, before=before, after=after, note=note
        )


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
        return _save_person(session, None, draft, actor).id


def update_person(db: Database, person_id: int, draft: PersonDraft, actor: Actor) -> None:
    """Change a person's details (not their qualifications, nor whether they are active)."""
    draft = clean_fields(draft)
    require(actor, Action.MANAGE_PEOPLE)
    with db.write() as session:
        _save_person(session, load_person(session, person_id, lock=True), draft, actor)


def _save_person(
    session: Session, existing: Person | None, draft: PersonDraft, actor: Actor
) -> Person:
    """Check ``draft`` and save it as a new person, or over ``existing``."""
    PeopleRefused.raise_if_any(_person_problems(session, draft, existing))
    person = existing or Person(is_active=True)
    save_audited(
        session,
        actor,
        person,
        partial(_apply_person, person, draft),
        fields=PERSON_AUDIT_FIELDS,
        action="person.created" if existing is None else "person.updated",
        entity=PERSON_ENTITY,
        taken=_taken_number(draft),
    )
    return person


def set_person_active(db: Database, person_id: int, active: bool, actor: Actor) -> None:
    """Mark a person as former staff (``active`` False), or back as current staff.

    Former staff are kept (their loans and inspections still name them) but are no
    longer offered as borrowers, operators or approvers. Nothing changes, and nothing is
    audited, if they are already as asked.
    """
    require(actor, Action.MANAGE_PEOPLE)
    with db.write() as session:
        person = load_person(session, person_id, lock=True)
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
