"""Whom the issue dialog offers as operator of kit, and why not others: the people of
the borrowing agency holding, current, every qualification the protocols lending the
kit require.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalogue.directory import PersonRef
from app.core.clock import format_date

# The issue check's own protocol lookup and "which record decides" rule, so the issue
# dialog offers exactly the people the check will accept.
from app.loans.fitness import lasts_longer
from app.loans.rules import protocol_for
from app.storage.database import Database
from models import Agency, EquipmentItem, Person, PersonQualification

# How many names an explanation lists before it says "and N more".
NAMES_SHOWN = 5


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
        held, agency_of = _holdings(session, needed, borrower.id)

    def qualified(person_id: int) -> bool:
        return all(_current(held[person_id].get(t), at) for t in needed)

    offered = tuple(r for r in refs if qualified(r.id))
    lapsed = _lapsed(refs, required, held, at)
    elsewhere: dict[str, int] = defaultdict(int)
    for person_id, agency_name in agency_of.items():
        if qualified(person_id):
            elsewhere[agency_name] += 1
    return OperatorChoices(
        required=required,
        qualified=offered,
        explanation=_explain(borrower_name, required, offered, lapsed, elsewhere),
        lapsed=tuple(lapsed),
    )


def operators_among(
    db: Database,
    *,
    item_ids: Sequence[int],
    agency_ids: Sequence[int],
    at: date,
    emergency: bool = False,
) -> tuple[PersonRef, ...]:
    """Everyone who may operate these items on ``at`` for any of ``agency_ids``, agency by
    agency in the order given: whom to offer before the borrower is known, since the
    operator's agency is then the borrower."""
    return tuple(
        person
        for agency_id in dict.fromkeys(agency_ids)
        for person in operator_choices(
            db, item_ids=item_ids, borrower_agency_id=agency_id, at=at, emergency=emergency
        ).qualified
    )


def _holdings(
    session: Session, needed: Sequence[int], borrower_id: int
) -> tuple[dict[int, dict[int, _Held]], dict[int, str]]:
    """Who listed anywhere holds each of the ``needed`` qualifications (the record that
    decides, by person and type), and the agency of each of them from another agency."""
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
        if agency_id != borrower_id:
            agency_of[person_id] = agency_name
    return held, agency_of


def _lapsed(
    refs: Sequence[PersonRef],
    required: Sequence[RequiredQualification],
    held: dict[int, dict[int, _Held]],
    at: date,
) -> list[str]:
    """ "Liam Chapman (expired 07/10/2026)": each of ``refs`` holding a required
    qualification that does not count on ``at``, the most recently lapsed first: those
    are the ones a quick renewal would bring back."""
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
    lapsed.sort(key=lambda pair: pair[0], reverse=True)
    return [text for _when, text in lapsed]


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
