"""Qualifications: the types protocols can require, and the records of who holds them.

A qualification lapses after its expiry date; a type that lasts a set time gives a
record with no expiry date one, that long after its issue date. When a person holds
the same qualification more than once (a renewal recorded beside the old
certificate), the record lasting longest decides (``app.people.status``). Only an
administrator changes them, and every change is audited in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.audit.record import record_change, snapshot
from app.catalogue.directory import fold
from app.core.actor import Actor
from app.core.checks import text_problems
from app.core.clock import day_problem, format_date, today_uk
from app.core.errors import Refusal
from app.core.lookup import chosen, get_or_missing
from app.core.permissions import Action, require
from app.core.text import clean_fields
from app.people.records import PeopleRefused, load_person, save_audited
from app.people.status import QualificationView, default_expiry, validity_words
from app.storage.database import Database
from models import Person, PersonQualification, QualificationType

# The longest each text may be: the columns' own limits, so the database never refuses.
REFERENCE_MAX = 100
TYPE_CODE_MAX = 30
TYPE_NAME_MAX = 200
TYPE_MULTILINE = ("allows",)  # a qualification type's texts that may run over lines
# Fifty years: longer than any certificate lasts, short enough to catch a slip of the keys.
VALIDITY_MONTHS_MAX = 600

QUALIFICATION_ENTITY = "person_qualification"
TYPE_ENTITY = "qualification_type"

QUALIFICATION_AUDIT_FIELDS = (
    "person_id",
    "qualification_type_id",
    "reference",
    "issued_on",
    "expires_on",
)
TYPE_AUDIT_FIELDS = ("code", "name", "allows", "validity_months")


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


def _qualification_problems(
    session: Session,
    draft: QualificationDraft,
    person: Person,
    existing: PersonQualification | None,
    today: date,
) -> list[Refusal]:
    problems: list[Refusal] = []
    kind = chosen(
        session,
        QualificationType,
        draft.type_id,
        problems,
        "type",
        field="type_id",
        what="qualification type",
        missing="Choose which qualification this is.",
    )
    problems += text_problems(
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
    missing = (
        f"There is no qualification record with id {qualification_id}; it may have been "
        "removed. Reopen the person to see what they hold now."
    )
    loaded = (
        joinedload(PersonQualification.qualification_type),
        joinedload(PersonQualification.person),
    )
    return get_or_missing(
        session, PersonQualification, qualification_id, missing, lock=lock, options=loaded
    )


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
        person = load_person(session, person_id)
        existing = (
            _load_qualification(session, qualification_id) if qualification_id is not None else None
        )
        return _qualification_problems(session, draft, person, existing, today or today_uk())


def _type_problems(
    session: Session, draft: QualificationTypeDraft, existing: QualificationType | None
) -> list[Refusal]:
    code, name = draft.code.strip(), draft.name.strip()
    problems = text_problems(
        code,
        field="code",
        limit=TYPE_CODE_MAX,
        what="The short code",
        missing="Give the qualification a short code, such as UAS-GVC or WAH.",
    )
    problems += text_problems(
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


def _load_type(session: Session, type_id: int, *, lock: bool = False) -> QualificationType:
    missing = f"There is no qualification type with id {type_id}."
    return get_or_missing(session, QualificationType, type_id, missing, lock=lock)


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
        person = load_person(session, person_id, lock=True)
        return _save_qualification(session, person, None, draft, actor, today=today).id


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
        person = load_person(session, q.person_id)
        _save_qualification(session, person, q, draft, actor, today=today)


def _save_qualification(
    session: Session,
    person: Person,
    existing: PersonQualification | None,
    draft: QualificationDraft,
    actor: Actor,
    *,
    today: date | None,
) -> PersonQualification:
    """Check ``draft`` and save it as a new record of ``person``'s, or over ``existing``."""
    PeopleRefused.raise_if_any(
        _qualification_problems(session, draft, person, existing, today or today_uk())
    )
    assert draft.type_id is not None
    kind = session.get_one(QualificationType, draft.type_id)
    q = existing or PersonQualification(person_id=person.id)
    save_audited(
        session,
        actor,
        q,
        partial(_apply_qualification, q, draft, kind),
        fields=QUALIFICATION_AUDIT_FIELDS,
        action="qualification.added" if existing is None else "qualification.updated",
        entity=QUALIFICATION_ENTITY,
        note=f"{kind.name} for {person.full_name}",
    )
    return q


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


def _save_type(
    session: Session, actor: Actor, kind: QualificationType, draft: QualificationTypeDraft
) -> None:
    """Apply ``draft`` to ``kind`` (a new type while it has no id) and audit it."""
    save_audited(
        session,
        actor,
        kind,
        partial(_apply_type, kind, draft),
        fields=TYPE_AUDIT_FIELDS,
        action="qualification_type.created" if kind.id is None else "qualification_type.updated",
        entity=TYPE_ENTITY,
        taken=_taken_type(draft),
    )


def create_qualification_type(db: Database, draft: QualificationTypeDraft, actor: Actor) -> int:
    """Add a qualification type protocols can require; returns its id."""
    draft = clean_fields(draft, multiline=TYPE_MULTILINE)
    require(actor, Action.MANAGE_PEOPLE)
    with db.write() as session:
        PeopleRefused.raise_if_any(_type_problems(session, draft, None))
        kind = QualificationType()
        _save_type(session, actor, kind, draft)
        return kind.id


def update_qualification_type(
    db: Database, type_id: int, draft: QualificationTypeDraft, actor: Actor
) -> None:
    """Change a qualification type. Expiry dates already recorded stay as they are."""
    draft = clean_fields(draft, multiline=TYPE_MULTILINE)
    require(actor, Action.MANAGE_PEOPLE)
    with db.write() as session:
        kind = _load_type(session, type_id, lock=True)
        PeopleRefused.raise_if_any(_type_problems(session, draft, kind))
        _save_type(session, actor, kind, draft)
