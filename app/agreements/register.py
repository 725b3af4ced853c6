"""The MoU register: MoUs, their versions, clauses and the sharing protocols under them.

Everyone reads the register; only an administrator changes it, and every change is
audited in the same transaction. A signed version's wording is fixed: changing it
means a new version, which supersedes the old once it takes effect. Loans keep the
version (and protocol) they were made under, so an old version stays readable and
printable.

Reads return frozen views (no ORM objects outlive their session); edits take drafts
and raise ``RegisterRefused`` listing every problem, with the field to point at.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.agreements.status import MouStatus, mou_status
from app.audit.record import Actor, record_change, snapshot
from app.catalogue.search import find_by_tags
from app.core.clock import day_problem, format_date, format_pence, now_utc, today_uk
from app.core.errors import NotFound, Refusal, Refused
from app.core.permissions import Action, require, role_in_words
from app.core.text import clean_fields, clean_text
from app.storage.database import Database
from models import (
    Agency,
    Category,
    ChargingBasis,
    EquipmentItem,
    Loan,
    Mou,
    MouClause,
    MouParty,
    MouSignatory,
    QualificationType,
    Role,
    SharingProtocol,
)

# The longest each text may be: the columns' own limits, so the database never refuses.
REFERENCE_MAX = 40
TITLE_MAX = 300
HEADING_MAX = 200
CLAUSE_NUMBER_MAX = 20
SIGNATORY_MAX = 200
PROTOCOL_NAME_MAX = 200
APPROVER_TITLE_MAX = 200
CHARGE_UNIT_MAX = 20
# Texts of an MoU and of a protocol that may run over several lines.
MOU_MULTILINE = ("purpose", "scope", "body")
PROTOCOL_MULTILINE = ("use_conditions", "protocol_text", "data_terms")
# The largest whole number both databases store in an INTEGER column.
LARGEST_WHOLE_NUMBER = 2_147_483_647
# The longest notice and loan a protocol may set: a quarter and a year. Beyond them a loan
# could never be planned, and "now plus the notice" would run past the calendar's end.
NOTICE_HOURS_MAX = 24 * 90
LONGEST_LOAN_HOURS_MAX = 24 * 366

# The audit trail's names for what the register changes.
MOU_ENTITY = "mou"
PROTOCOL_ENTITY = "sharing_protocol"
CREATED = "created"
UPDATED = "updated"
NEW_VERSION = "new_version"

MOU_AUDIT_FIELDS = (
    "reference",
    "version",
    "title",
    "purpose",
    "scope",
    "is_draft",
    "signed_on",
    "effective_from",
    "review_on",
    "expires_on",
    "terminated_on",
    "supersedes_id",
)
SIGNATORY_AUDIT_FIELDS = ("agency_id", "name", "role_title", "signed_on")
CLAUSE_AUDIT_FIELDS = ("number", "heading", "body")
# Every column a new version copies from each protocol (the links are copied too).
PROTOCOL_COPIED_FIELDS = (
    "name",
    "approver_role",
    "approver_title",
    "notice_hours",
    "max_loan_hours",
    "charging",
    "charge_rate_pence",
    "charge_unit",
    "use_conditions",
    "protocol_text",
    "data_terms",
    "is_active",
    "emergency_only",
)
PROTOCOL_AUDIT_FIELDS = ("mou_id", *PROTOCOL_COPIED_FIELDS)


class RegisterRefused(Refused):
    """The register refuses a change; ``problems`` lists every rule broken."""


# -- what the register shows ---------------------------------------------------------------


@dataclass(frozen=True)
class PartyView:
    agency_id: int
    name: str
    code: str


@dataclass(frozen=True)
class SignatoryView:
    agency_id: int
    agency: str
    name: str
    role_title: str
    signed_on: date | None


@dataclass(frozen=True)
class ClauseView:
    number: str
    heading: str
    body: str


@dataclass(frozen=True)
class ProtocolView:
    """A sharing protocol, with names ready to show and ids ready to edit."""

    id: int
    mou_id: int
    name: str
    is_active: bool
    emergency_only: bool
    borrowers: tuple[PartyView, ...]
    categories: tuple[tuple[int, str], ...]  # id, name
    items: tuple[tuple[int, str, str], ...]  # id, asset tag, name
    approver_role: Role
    approver_title: str | None
    approver: str  # the title if given, else the role in words
    notice_hours: int
    max_loan_hours: int
    qualifications: tuple[tuple[int, str], ...]  # id, name
    charging: ChargingBasis
    charge_rate_pence: int | None
    charge_unit: str | None
    charging_text: str  # "No charge", "Consumables replaced", "£45.00 per day"
    use_conditions: str
    protocol_text: str
    data_terms: str


@dataclass(frozen=True)
class MouRow:
    """One line of the register."""

    id: int
    reference: str
    version: int
    title: str
    parties: tuple[str, ...]  # agency names, lead party first
    status: MouStatus
    signed_on: date | None
    effective_from: date | None
    review_on: date | None
    expires_on: date | None


@dataclass(frozen=True)
class MouView:
    """One version of an MoU in full."""

    id: int
    reference: str
    version: int
    title: str
    purpose: str
    scope: str
    status: MouStatus
    is_draft: bool
    signed_on: date | None
    effective_from: date | None
    review_on: date | None
    expires_on: date | None
    terminated_on: date | None
    supersedes: tuple[int, int] | None  # id, version of the one this replaces
    superseded_by: tuple[int, int] | None  # id, version of the one that replaces this
    parties: tuple[PartyView, ...]
    signatories: tuple[SignatoryView, ...]
    clauses: tuple[ClauseView, ...]
    protocols: tuple[ProtocolView, ...]
    loan_count: int  # loans made under this version

    @property
    def label(self) -> str:
        """ "CAMBS-TRI-2024 v2", as footers and lists name it."""
        return f"{self.reference} v{self.version}"


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


@dataclass(frozen=True)
class RegisterChoices:
    """What the MoU and protocol editors offer to pick from."""

    agencies: tuple[Choice, ...]
    categories: tuple[Choice, ...]
    qualifications: tuple[Choice, ...]


# -- what an administrator enters ----------------------------------------------------------


@dataclass(frozen=True)
class SignatoryDraft:
    agency_id: int
    name: str
    role_title: str
    signed_on: date | None = None


@dataclass(frozen=True)
class ClauseDraft:
    """A clause as typed. A blank ``number`` is numbered by position (1, 2, 3…)."""

    heading: str
    body: str
    number: str = ""


@dataclass(frozen=True)
class MouDraft:
    reference: str
    title: str
    purpose: str = ""
    scope: str = ""
    is_draft: bool = True
    signed_on: date | None = None
    effective_from: date | None = None
    review_on: date | None = None
    expires_on: date | None = None
    terminated_on: date | None = None
    party_ids: tuple[int, ...] = ()  # lead party first
    signatories: tuple[SignatoryDraft, ...] = ()
    clauses: tuple[ClauseDraft, ...] = ()


@dataclass(frozen=True)
class ProtocolDraft:
    mou_id: int
    name: str
    borrower_ids: tuple[int, ...] = ()
    category_ids: tuple[int, ...] = ()
    item_ids: tuple[int, ...] = ()
    approver_role: Role = Role.EQUIPMENT_MANAGER
    approver_title: str = ""
    notice_hours: int = 0
    max_loan_hours: int = 72
    qualification_ids: tuple[int, ...] = ()
    charging: ChargingBasis = ChargingBasis.NONE
    charge_rate_pence: int | None = None
    charge_unit: str = ""
    use_conditions: str = ""
    protocol_text: str = ""
    data_terms: str = ""
    is_active: bool = True
    emergency_only: bool = False


# -- reads ---------------------------------------------------------------------------------


_PROTOCOL_OPTIONS = (
    selectinload(SharingProtocol.borrowers),
    selectinload(SharingProtocol.categories),
    selectinload(SharingProtocol.items),
    selectinload(SharingProtocol.required_qualifications),
)
_MOU_OPTIONS = (
    selectinload(Mou.parties).selectinload(MouParty.agency),
    selectinload(Mou.signatories).selectinload(MouSignatory.agency),
    selectinload(Mou.clauses),
    selectinload(Mou.protocols).options(*_PROTOCOL_OPTIONS),
)


def _label(mou: Mou) -> str:
    return f"{mou.reference} v{mou.version}"


def _successor(session: Session, mou: Mou) -> Mou | None:
    """The version started from ``mou``, signed or still a draft."""
    return session.scalars(select(Mou).where(Mou.supersedes_id == mou.id)).first()


def _status(mou: Mou, successor: Mou | None, today: date) -> MouStatus:
    """As ``status_of``, with the successor already in hand (a draft one supersedes nothing)."""
    takes_over = successor is not None and not successor.is_draft
    return mou_status(
        is_draft=mou.is_draft,
        effective_from=mou.effective_from,
        review_on=mou.review_on,
        expires_on=mou.expires_on,
        terminated_on=mou.terminated_on,
        superseded_from=successor.effective_from if takes_over and successor else None,
        today=today,
    )


def list_mous(db: Database, *, today: date | None = None) -> list[MouRow]:
    """Every version of every MoU: by reference, newest version first within each."""
    day = today or today_uk()
    with db.read() as session:
        mous = list(
            session.scalars(
                select(Mou).options(selectinload(Mou.parties).selectinload(MouParty.agency))
            )
        )
        successors = {m.supersedes_id: m for m in mous if m.supersedes_id is not None}
        rows = [
            MouRow(
                id=mou.id,
                reference=mou.reference,
                version=mou.version,
                title=mou.title,
                parties=tuple(party.agency.name for party in mou.parties),
                status=_status(mou, successors.get(mou.id), day),
                signed_on=mou.signed_on,
                effective_from=mou.effective_from,
                review_on=mou.review_on,
                expires_on=mou.expires_on,
            )
            for mou in mous
        ]
    return sorted(rows, key=lambda row: (row.reference.casefold(), row.reference, -row.version))


def charging_text(charging: ChargingBasis, rate_pence: int | None, unit: str | None) -> str:
    """ "No charge", "Consumables replaced by the borrower" or "£45.00 per day"."""
    if charging is ChargingBasis.NONE:
        return "No charge"
    if charging is ChargingBasis.CONSUMABLES:
        return "Consumables replaced by the borrower"
    if rate_pence is None:
        return "Charged at a rate not yet set"
    return f"{format_pence(rate_pence)} per {unit or 'loan'}"


def _party(agency: Agency) -> PartyView:
    return PartyView(agency_id=agency.id, name=agency.name, code=agency.code)


def _protocol_view(protocol: SharingProtocol) -> ProtocolView:
    return ProtocolView(
        id=protocol.id,
        mou_id=protocol.mou_id,
        name=protocol.name,
        is_active=protocol.is_active,
        emergency_only=protocol.emergency_only,
        borrowers=tuple(
            _party(a) for a in sorted(protocol.borrowers, key=lambda a: a.name.casefold())
        ),
        categories=tuple(
            (c.id, c.name) for c in sorted(protocol.categories, key=lambda c: c.name.casefold())
        ),
        items=tuple(
            (i.id, i.asset_tag, i.name) for i in sorted(protocol.items, key=lambda i: i.asset_tag)
        ),
        approver_role=protocol.approver_role,
        approver_title=protocol.approver_title,
        approver=protocol.approver_title or role_in_words(protocol.approver_role),
        notice_hours=protocol.notice_hours,
        max_loan_hours=protocol.max_loan_hours,
        qualifications=tuple(
            (q.id, q.name)
            for q in sorted(protocol.required_qualifications, key=lambda q: q.name.casefold())
        ),
        charging=protocol.charging,
        charge_rate_pence=protocol.charge_rate_pence,
        charge_unit=protocol.charge_unit,
        charging_text=charging_text(
            protocol.charging, protocol.charge_rate_pence, protocol.charge_unit
        ),
        use_conditions=protocol.use_conditions or "",
        protocol_text=protocol.protocol_text or "",
        data_terms=protocol.data_terms or "",
    )


def _load_mou(session: Session, mou_id: int, *, lock: bool = False) -> Mou:
    statement = select(Mou).where(Mou.id == mou_id).options(*_MOU_OPTIONS)
    if lock:
        statement = statement.with_for_update(of=Mou)
    mou = session.scalars(statement).first()
    if mou is None:
        raise NotFound(f"There is no MoU with id {mou_id}; it may have been removed.")
    return mou


def get_mou(db: Database, mou_id: int, *, today: date | None = None) -> MouView:
    """One version in full; ``NotFound`` if there is no such MoU."""
    day = today or today_uk()
    with db.read() as session:
        mou = _load_mou(session, mou_id)
        successor = _successor(session, mou)
        predecessor = session.get(Mou, mou.supersedes_id) if mou.supersedes_id else None
        loans = session.scalar(select(func.count(Loan.id)).where(Loan.mou_id == mou.id)) or 0
        return MouView(
            id=mou.id,
            reference=mou.reference,
            version=mou.version,
            title=mou.title,
            purpose=mou.purpose or "",
            scope=mou.scope or "",
            status=_status(mou, successor, day),
            is_draft=mou.is_draft,
            signed_on=mou.signed_on,
            effective_from=mou.effective_from,
            review_on=mou.review_on,
            expires_on=mou.expires_on,
            terminated_on=mou.terminated_on,
            supersedes=(predecessor.id, predecessor.version) if predecessor else None,
            superseded_by=(successor.id, successor.version) if successor else None,
            parties=tuple(_party(p.agency) for p in mou.parties),
            signatories=tuple(
                SignatoryView(
                    agency_id=s.agency_id,
                    agency=s.agency.name,
                    name=s.name,
                    role_title=s.role_title,
                    signed_on=s.signed_on,
                )
                for s in mou.signatories
            ),
            clauses=tuple(
                ClauseView(number=c.number, heading=c.heading, body=c.body) for c in mou.clauses
            ),
            protocols=tuple(_protocol_view(p) for p in sorted(mou.protocols, key=lambda p: p.id)),
            loan_count=loans,
        )


def find_mou(db: Database, reference: str, version: int | None = None) -> int:
    """The id of ``reference`` (any case) at ``version``, or its newest version."""
    reference = clean_text(reference)
    wanted = reference.strip()
    with db.read() as session:
        versions = list(
            session.execute(
                select(Mou.version, Mou.id)
                .where(func.lower(Mou.reference) == wanted.lower())
                .order_by(Mou.version)
            )
        )
    if not versions:
        raise NotFound(
            f"No MoU has the reference “{wanted}”. Check the reference in the MoU register."
        )
    if version is None:
        return versions[-1][1]
    for number, mou_id in versions:
        if number == version:
            return mou_id
    held = ", ".join(str(number) for number, _ in versions)
    raise NotFound(
        f"{wanted} has no version {version}; its versions are {held}. Give one of those."
    )


def register_choices(db: Database) -> RegisterChoices:
    """Agencies, categories and qualification types, by name."""

    def by_name(rows: Iterable[tuple[int, str]]) -> tuple[Choice, ...]:
        return tuple(
            Choice(id=i, name=n) for i, n in sorted(rows, key=lambda r: (r[1].casefold(), r[0]))
        )

    with db.read() as session:
        return RegisterChoices(
            agencies=by_name(session.execute(select(Agency.id, Agency.name))),
            categories=by_name(session.execute(select(Category.id, Category.name))),
            qualifications=by_name(
                session.execute(select(QualificationType.id, QualificationType.name))
            ),
        )


def mou_draft_of(view: MouView) -> MouDraft:
    """A draft holding ``view`` as it is, to start an edit from."""
    return MouDraft(
        reference=view.reference,
        title=view.title,
        purpose=view.purpose,
        scope=view.scope,
        is_draft=view.is_draft,
        signed_on=view.signed_on,
        effective_from=view.effective_from,
        review_on=view.review_on,
        expires_on=view.expires_on,
        terminated_on=view.terminated_on,
        party_ids=tuple(p.agency_id for p in view.parties),
        signatories=tuple(
            SignatoryDraft(
                agency_id=s.agency_id, name=s.name, role_title=s.role_title, signed_on=s.signed_on
            )
            for s in view.signatories
        ),
        clauses=tuple(
            ClauseDraft(heading=c.heading, body=c.body, number=c.number) for c in view.clauses
        ),
    )


def protocol_draft_of(view: ProtocolView) -> ProtocolDraft:
    """A draft holding ``view`` as it is, to start an edit from."""
    return ProtocolDraft(
        mou_id=view.mou_id,
        name=view.name,
        borrower_ids=tuple(b.agency_id for b in view.borrowers),
        category_ids=tuple(c[0] for c in view.categories),
        item_ids=tuple(i[0] for i in view.items),
        approver_role=view.approver_role,
        approver_title=view.approver_title or "",
        notice_hours=view.notice_hours,
        max_loan_hours=view.max_loan_hours,
        qualification_ids=tuple(q[0] for q in view.qualifications),
        charging=view.charging,
        charge_rate_pence=view.charge_rate_pence,
        charge_unit=view.charge_unit or "",
        use_conditions=view.use_conditions,
        protocol_text=view.protocol_text,
        data_terms=view.data_terms,
        is_active=view.is_active,
        emergency_only=view.emergency_only,
    )


# -- checks (as you type) and edits ----------------------------------------------------------


def _text_problems(value: str, *, field: str, limit: int, missing: str, what: str) -> list[Refusal]:
    """``missing`` if ``value`` is blank; a "shorten it" if it is longer than ``limit``."""
    text = value.strip()
    if not text:
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


def _whole_number_problems(value: int | None, *, field: str, what: str) -> list[Refusal]:
    if value is not None and value > LARGEST_WHOLE_NUMBER:
        return [Refusal(field, f"{what} is too large; give a smaller number.", field)]
    return []


def _normalised_clauses(clauses: Sequence[ClauseDraft]) -> list[tuple[str, str, str]]:
    """(number, heading, body) as stored: trimmed, a blank number replaced by the position."""
    return [
        (c.number.strip() or str(position), c.heading.strip(), c.body.strip())
        for position, c in enumerate(clauses, 1)
    ]


def _stored_clauses(mou: Mou) -> list[tuple[str, str, str]]:
    return [(c.number.strip(), c.heading.strip(), c.body.strip()) for c in mou.clauses]


def _date_order(
    later: date | None, earlier: date | None, *, what: str, field: str, same_day_ok: bool
) -> list[Refusal]:
    """``later`` must come after (or, if ``same_day_ok``, on) the date the MoU takes effect."""
    if later is None or earlier is None:
        return []
    if later > earlier or (same_day_ok and later == earlier):
        return []
    advice = "make it the same day or later" if same_day_ok else "make it later"
    where = "is before" if later < earlier else "is the same day as"
    return [
        Refusal(
            "dates",
            f"The {what} {format_date(later)} {where} the date it takes effect "
            f"({format_date(earlier)}); {advice}.",
            field,
        )
    ]


MOU_DATES = (
    ("signed_on", "date signed"),
    ("effective_from", "date it takes effect"),
    ("review_on", "review date"),
    ("expires_on", "expiry date"),
    ("terminated_on", "termination date"),
)


def _date_range_problems(draft: MouDraft) -> list[Refusal]:
    """Each of the MoU's dates, and each signatory's, in the years Kit Share takes."""
    problems = [
        Refusal("dates", problem, field)
        for field, what in MOU_DATES
        if (day := getattr(draft, field)) is not None and (problem := day_problem(day, what))
    ]
    for number, signatory in enumerate(draft.signatories, 1):
        if signatory.signed_on is not None and (
            problem := day_problem(signatory.signed_on, f"date signatory {number} signed")
        ):
            problems.append(Refusal("signatory", problem, "signatories"))
    return problems


def _mou_problems(
    session: Session, draft: MouDraft, existing: Mou | None, today: date
) -> list[Refusal]:
    """Every rule ``draft`` breaks, as a new MoU or as an edit of ``existing``."""
    if existing is not None:
        successor = _successor(session, existing)
        if successor is not None and _status(existing, successor, today) is MouStatus.SUPERSEDED:
            return [
                Refusal(
                    "superseded",
                    f"Version {existing.version} of {existing.reference} has been replaced by "
                    f"version {successor.version}; change that one.",
                )
            ]
    problems: list[Refusal] = []
    reference = draft.reference.strip()
    problems += _text_problems(
        draft.reference,
        field="reference",
        limit=REFERENCE_MAX,
        missing="Give the MoU a reference, such as CAMBS-TRI-2024.",
        what="The reference",
    )
    if reference and len(reference) <= REFERENCE_MAX:
        problems += _reference_problems(session, reference, existing)
    problems += _text_problems(
        draft.title,
        field="title",
        limit=TITLE_MAX,
        missing="Give the MoU a title, such as “Tri-service equipment sharing”.",
        what="The title",
    )
    agencies = {
        a.id: a
        for a in session.scalars(
            select(Agency).where(
                Agency.id.in_({*draft.party_ids, *(s.agency_id for s in draft.signatories)})
            )
        )
    }
    problems += _party_problems(draft.party_ids, agencies)
    problems += _signatory_problems(draft, agencies)
    problems += _clause_problems(draft.clauses)
    if not draft.is_draft:
        problems += _signed_problems(draft)
    out_of_range = _date_range_problems(draft)
    if out_of_range:
        return problems + out_of_range
    effective = draft.effective_from
    problems += _date_order(
        draft.expires_on, effective, what="expiry date", field="expires_on", same_day_ok=False
    )
    problems += _date_order(
        draft.review_on, effective, what="review date", field="review_on", same_day_ok=True
    )
    problems += _date_order(
        draft.terminated_on,
        effective,
        what="termination date",
        field="terminated_on",
        same_day_ok=True,
    )
    if existing is not None:
        problems += _edit_problems(session, draft, existing)
    return problems


def _reference_problems(session: Session, reference: str, existing: Mou | None) -> list[Refusal]:
    if existing is not None and reference.lower() == existing.reference.lower():
        return []
    if existing is not None and existing.supersedes_id is not None:
        return [
            Refusal(
                "reference",
                f"Version {existing.version} continues {existing.reference}, so it keeps that "
                "reference.",
                "reference",
            )
        ]
    taken = session.scalars(
        select(Mou)
        .where(func.lower(Mou.reference) == reference.lower())
        .order_by(Mou.version.desc())
    ).first()
    if taken is None:
        return []
    return [
        Refusal(
            "reference_taken",
            f"The reference {taken.reference} is already used (newest version "
            f"{taken.version}, “{taken.title}”). To change that MoU, start a new version of "
            "it; for a different MoU, give another reference.",
            "reference",
        )
    ]


def _party_problems(party_ids: Sequence[int], agencies: dict[int, Agency]) -> list[Refusal]:
    problems: list[Refusal] = []
    seen: set[int] = set()
    for agency_id in party_ids:
        if agency_id in seen:
            name = agencies[agency_id].name if agency_id in agencies else f"Agency {agency_id}"
            problems.append(
                Refusal(
                    "parties",
                    f"{name} is listed twice as a party; list each party once.",
                    "party_ids",
                )
            )
        elif agency_id not in agencies:
            problems.append(
                Refusal(
                    "parties",
                    f"There is no agency with id {agency_id}; choose the parties from the list.",
                    "party_ids",
                )
            )
        seen.add(agency_id)
    if len(seen) < 2:
        problems.append(
            Refusal(
                "parties",
                "An MoU needs at least two parties; add the agencies that sign it.",
                "party_ids",
            )
        )
    return problems


def _signatory_problems(draft: MouDraft, agencies: dict[int, Agency]) -> list[Refusal]:
    problems: list[Refusal] = []
    for number, signatory in enumerate(draft.signatories, 1):
        name = signatory.name.strip()
        who = name or f"Signatory {number}"
        agency = agencies.get(signatory.agency_id)
        if agency is None:
            problems.append(
                Refusal(
                    "signatory",
                    f"{who} signs for an agency that does not exist (id {signatory.agency_id}); "
                    "choose one of the parties.",
                    "signatories",
                )
            )
        elif signatory.agency_id not in draft.party_ids:
            problems.append(
                Refusal(
                    "signatory",
                    f"{who} signs for {agency.name}, which is not a party to this MoU; add "
                    "the agency as a party or choose the party they sign for.",
                    "signatories",
                )
            )
        problems += _text_problems(
            signatory.name,
            field="signatories",
            limit=SIGNATORY_MAX,
            missing=f"Give the name of signatory {number}.",
            what=f"The name of signatory {number}",
        )
        problems += _text_problems(
            signatory.role_title,
            field="signatories",
            limit=SIGNATORY_MAX,
            missing=f"Give the role {who} signs in, such as “Chief Fire Officer”.",
            what=f"The role of {who}",
        )
    return [replace(p, rule="signatory") for p in problems]


def _clause_problems(clauses: Sequence[ClauseDraft]) -> list[Refusal]:
    problems: list[Refusal] = []
    seen: set[str] = set()
    for position, (number, heading, body) in enumerate(_normalised_clauses(clauses), 1):
        where = f"Clause {number}" if len(number) <= CLAUSE_NUMBER_MAX else f"Clause {position}"
        if len(number) > CLAUSE_NUMBER_MAX:
            problems.append(
                Refusal(
                    "clauses",
                    f"The number of clause {position} is longer than {CLAUSE_NUMBER_MAX} "
                    "characters; shorten it.",
                    "clauses",
                )
            )
        elif number.casefold() in seen:
            problems.append(
                Refusal(
                    "clauses",
                    f"Two clauses are numbered {number}; give each clause its own number, or "
                    "leave the numbers blank to number them in order.",
                    "clauses",
                )
            )
        seen.add(number.casefold())
        problems += _text_problems(
            heading,
            field="clauses",
            limit=HEADING_MAX,
            missing=f"{where} needs a heading.",
            what=f"The heading of {where.lower()}",
        )
        if not body:
            problems.append(
                Refusal(
                    "clauses",
                    f"{where}{f' ({heading})' if heading else ''} has no text; write it or "
                    "remove the clause.",
                    "clauses",
                )
            )
    return problems


def _signed_problems(draft: MouDraft) -> list[Refusal]:
    """What a signed MoU needs that a draft may leave for later."""
    problems: list[Refusal] = []
    if draft.effective_from is None:
        problems.append(
            Refusal(
                "signed",
                "A signed MoU needs the date it takes effect; enter it, or keep it as a draft.",
                "effective_from",
            )
        )
    if not draft.signatories:
        problems.append(
            Refusal(
                "signed",
                "A signed MoU needs at least one signatory; add who signed it for each party.",
                "signatories",
            )
        )
    if not draft.clauses:
        problems.append(
            Refusal(
                "signed",
                "A signed MoU needs at least one clause; add its wording, or keep it as a draft.",
                "clauses",
            )
        )
    return problems


def _edit_problems(session: Session, draft: MouDraft, existing: Mou) -> list[Refusal]:
    """The rules for changing a version that already exists."""
    problems: list[Refusal] = []
    if not existing.is_draft:
        changed = _changed_wording(draft, existing)
        if changed:
            problems.append(
                Refusal(
                    "wording_fixed",
                    f"Version {existing.version} is signed, so its wording is fixed; start a "
                    "new version to change it.",
                    changed[0],
                )
            )
        if draft.is_draft:
            problems.append(
                Refusal(
                    "signed",
                    f"Version {existing.version} is signed; it cannot go back to being a "
                    "draft. Start a new version to draft changes.",
                    "is_draft",
                )
            )
        return problems
    kept = set(draft.party_ids)
    for protocol in sorted(existing.protocols, key=lambda p: p.id):
        for borrower in protocol.borrowers:
            if borrower.id not in kept:
                problems.append(
                    Refusal(
                        "party_in_use",
                        f"{borrower.name} borrows under the protocol “{protocol.name}”; take "
                        "it off that protocol's borrowers before removing it as a party.",
                        "party_ids",
                    )
                )
        for item in protocol.items:
            if item.owner_agency_id not in kept:
                problems.append(
                    Refusal(
                        "party_in_use",
                        f"The protocol “{protocol.name}” lends {item.asset_tag}, which belongs "
                        "to an agency you are removing as a party; take the item off that "
                        "protocol first.",
                        "party_ids",
                    )
                )
    if not draft.is_draft and existing.supersedes_id is not None and draft.effective_from:
        before = session.get(Mou, existing.supersedes_id)
        if before is not None and before.effective_from is not None:
            problems += _predecessor_order(draft.effective_from, before)
    return problems


def _predecessor_order(effective: date, before: Mou) -> list[Refusal]:
    assert before.effective_from is not None
    if effective > before.effective_from:
        return []
    return [
        Refusal(
            "dates",
            f"This version would take effect on {format_date(effective)}, but version "
            f"{before.version}, which it replaces, took effect on "
            f"{format_date(before.effective_from)}; make it later.",
            "effective_from",
        )
    ]


def _changed_wording(draft: MouDraft, mou: Mou) -> list[str]:
    """The wording fields in which ``draft`` differs from the stored ``mou``."""
    changed: list[str] = []
    if draft.reference.strip() != mou.reference:
        changed.append("reference")
    if draft.title.strip() != mou.title:
        changed.append("title")
    if draft.purpose.strip() != (mou.purpose or "").strip():
        changed.append("purpose")
    if draft.scope.strip() != (mou.scope or "").strip():
        changed.append("scope")
    if list(draft.party_ids) != [p.agency_id for p in mou.parties]:
        changed.append("party_ids")
    if _normalised_clauses(draft.clauses) != _stored_clauses(mou):
        changed.append("clauses")
    return changed


def check_mou(db: Database, draft: MouDraft, *, mou_id: int | None = None) -> list[Refusal]:
    """Every problem with ``draft`` (as a new MoU, or as an edit of ``mou_id``)."""
    draft = clean_fields(draft, multiline=MOU_MULTILINE)
    with db.read() as session:
        existing = _load_mou(session, mou_id) if mou_id is not None else None
        return _mou_problems(session, draft, existing, today_uk())


def _refuse_if(problems: Sequence[Refusal]) -> None:
    if problems:
        raise RegisterRefused(list(dict.fromkeys(problems)))


def _apply_mou(mou: Mou, draft: MouDraft, *, wording: bool) -> None:
    """Write ``draft`` into ``mou``; the wording only if it may change."""
    if wording:
        mou.reference = draft.reference.strip()
        mou.title = draft.title.strip()
        mou.purpose = draft.purpose.strip() or None
        mou.scope = draft.scope.strip() or None
        rows = {party.agency_id: party for party in mou.parties}
        parties: list[MouParty] = []
        for position, agency_id in enumerate(draft.party_ids):
            party = rows.pop(agency_id, None) or MouParty(agency_id=agency_id)
            party.position = position
            parties.append(party)
        mou.parties = parties
        stored = list(mou.clauses)
        clauses: list[MouClause] = []
        for index, (number, heading, body) in enumerate(_normalised_clauses(draft.clauses)):
            clause = stored[index] if index < len(stored) else MouClause()
            clause.position = index + 1
            clause.number = number
            clause.heading = heading
            clause.body = body
            clauses.append(clause)
        mou.clauses = clauses
    mou.is_draft = draft.is_draft
    mou.signed_on = draft.signed_on
    mou.effective_from = draft.effective_from
    mou.review_on = draft.review_on
    mou.expires_on = draft.expires_on
    mou.terminated_on = draft.terminated_on
    signed = list(mou.signatories)
    signatories: list[MouSignatory] = []
    for index, wanted in enumerate(draft.signatories):
        signatory = signed[index] if index < len(signed) else MouSignatory()
        signatory.agency_id = wanted.agency_id
        signatory.name = wanted.name.strip()
        signatory.role_title = wanted.role_title.strip()
        signatory.signed_on = wanted.signed_on
        signatories.append(signatory)
    mou.signatories = signatories


def _mou_snapshot(mou: Mou) -> dict[str, Any]:
    state = snapshot(mou, MOU_AUDIT_FIELDS)
    state["party_ids"] = [p.agency_id for p in mou.parties]
    state["signatories"] = [snapshot(s, SIGNATORY_AUDIT_FIELDS) for s in mou.signatories]
    state["clause_headings"] = [f"{c.number} {c.heading}" for c in mou.clauses]
    state["clauses"] = [snapshot(c, CLAUSE_AUDIT_FIELDS) for c in mou.clauses]
    return state


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: int,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    note: str | None = None,
) -> None:
    # "mou.created", "sharing_protocol.updated": named as loans and items name theirs.
    record_change(
        session,
        actor,
        f"{entity_type}.{action}",
        entity_type,
        entity_id,
        before=before,
        after=after,
        note=note,
    )


def _flush_new_mou(session: Session, mou: Mou) -> None:
    """Flush a new version; another administrator may have taken its reference a moment ago."""
    try:
        session.flush()
    except IntegrityError:
        raise RegisterRefused(
            [
                Refusal(
                    "reference_taken",
                    f"Someone else saved {mou.reference} version {mou.version} a moment ago. "
                    "Reopen the register to see it.",
                    "reference",
                )
            ]
        ) from None


def create_mou(db: Database, draft: MouDraft, actor: Actor) -> int:
    """Add an MoU as version 1; returns its id."""
    draft = clean_fields(draft, multiline=MOU_MULTILINE)
    require(actor, Action.EDIT_REGISTER)
    with db.write() as session:
        _refuse_if(_mou_problems(session, draft, None, today_uk()))
        mou = Mou(version=1)
        _apply_mou(mou, draft, wording=True)
        session.add(mou)
        _flush_new_mou(session, mou)
        _audit(session, actor, CREATED, MOU_ENTITY, mou.id, before=None, after=_mou_snapshot(mou))
        return mou.id


def update_mou(db: Database, mou_id: int, draft: MouDraft, actor: Actor) -> None:
    """Change one version. A signed version's wording is fixed; its dates and signatories
    can still be put right."""
    draft = clean_fields(draft, multiline=MOU_MULTILINE)
    require(actor, Action.EDIT_REGISTER)
    with db.write() as session:
        mou = _load_mou(session, mou_id, lock=True)
        _refuse_if(_mou_problems(session, draft, mou, today_uk()))
        before = _mou_snapshot(mou)
        _apply_mou(mou, draft, wording=mou.is_draft)
        session.flush()
        after = _mou_snapshot(mou)
        if after == before:
            return
        mou.updated_at = now_utc()
        _audit(session, actor, UPDATED, MOU_ENTITY, mou.id, before=before, after=after)


def new_version(db: Database, mou_id: int, actor: Actor) -> int:
    """Start the next version of ``mou_id`` as a draft copy (parties, signatories without
    their dates, clauses and protocols); returns the new version's id."""
    require(actor, Action.EDIT_REGISTER)
    with db.write() as session:
        old = _load_mou(session, mou_id, lock=True)
        problems: list[Refusal] = []
        if old.is_draft:
            problems.append(
                Refusal(
                    "draft",
                    f"Version {old.version} of {old.reference} is still a draft; finish and "
                    "sign this version first, then start the next.",
                )
            )
        successor = _successor(session, old)
        if successor is not None:
            state = "a draft" if successor.is_draft else "signed"
            problems.append(
                Refusal(
                    "has_successor",
                    f"Version {old.version} of {old.reference} already has a next version, "
                    f"version {successor.version} ({state}); open that one instead.",
                )
            )
        _refuse_if(problems)
        mou = _copy_mou(old)
        session.add(mou)
        _flush_new_mou(session, mou)
        _audit(
            session,
            actor,
            NEW_VERSION,
            MOU_ENTITY,
            mou.id,
            before=None,
            after=_mou_snapshot(mou),
            note=f"Version {mou.version} of {mou.reference}, superseding version "
            f"{old.version} (id {old.id}).",
        )
        for copy, original in zip(
            mou.protocols, sorted(old.protocols, key=lambda p: p.id), strict=True
        ):
            _audit(
                session,
                actor,
                CREATED,
                PROTOCOL_ENTITY,
                copy.id,
                before=None,
                after=_protocol_snapshot(copy),
                note=f"Copied from protocol {original.id} of {_label(old)} into version "
                f"{mou.version}.",
            )
        return mou.id


def _copy_mou(old: Mou) -> Mou:
    """A draft next version of ``old``: its wording, parties, unsigned signatories and
    protocols; its dates except the signing date."""
    mou = Mou(
        reference=old.reference,
        version=old.version + 1,
        supersedes_id=old.id,
        title=old.title,
        purpose=old.purpose,
        scope=old.scope,
        is_draft=True,
        signed_on=None,
        effective_from=old.effective_from,
        review_on=old.review_on,
        expires_on=old.expires_on,
        terminated_on=old.terminated_on,
    )
    mou.parties = [MouParty(agency_id=p.agency_id, position=p.position) for p in old.parties]
    mou.signatories = [
        MouSignatory(agency_id=s.agency_id, name=s.name, role_title=s.role_title, signed_on=None)
        for s in old.signatories
    ]
    mou.clauses = [
        MouClause(position=c.position, number=c.number, heading=c.heading, body=c.body)
        for c in old.clauses
    ]
    mou.protocols = [
        SharingProtocol(
            **{name: getattr(p, name) for name in PROTOCOL_COPIED_FIELDS},
            borrowers=list(p.borrowers),
            categories=list(p.categories),
            items=list(p.items),
            required_qualifications=list(p.required_qualifications),
        )
        for p in sorted(old.protocols, key=lambda p: p.id)
    ]
    return mou


# -- sharing protocols ---------------------------------------------------------------------


def _unique_ids(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def _protocol_problems(
    session: Session, draft: ProtocolDraft, existing: SharingProtocol | None, today: date
) -> list[Refusal]:
    """Every rule ``draft`` breaks, as a new protocol or as an edit of ``existing``."""
    problems = _text_problems(
        draft.name,
        field="name",
        limit=PROTOCOL_NAME_MAX,
        missing="Give the protocol a name, such as “Drones for police searches”.",
        what="The protocol's name",
    )
    if len(draft.approver_title.strip()) > APPROVER_TITLE_MAX:
        problems.append(
            Refusal(
                "approver_title",
                f"The approver's title is longer than {APPROVER_TITLE_MAX} characters; shorten it.",
                "approver_title",
            )
        )
    problems += _terms_problems(draft)
    mou = session.scalars(
        select(Mou).where(Mou.id == draft.mou_id).options(selectinload(Mou.parties))
    ).first()
    if existing is not None and draft.mou_id != existing.mou_id:
        problems.append(
            Refusal(
                "mou",
                "A protocol stays under the MoU version it was made under, so loans keep their "
                "terms; make a new protocol under the other MoU instead.",
                "mou_id",
            )
        )
    elif mou is None:
        problems.append(
            Refusal(
                "mou",
                f"There is no MoU with id {draft.mou_id}; choose the MoU from the register.",
                "mou_id",
            )
        )
    else:
        problems += _history_problems(session, mou, today)
    parties = {p.agency_id for p in mou.parties} if mou is not None else set()
    label = _label(mou) if mou is not None else "the MoU"
    problems += _borrower_problems(session, draft, parties, label)
    problems += _coverage_problems(session, draft, parties, label, check_owner=mou is not None)
    qualifications = _unique_ids(draft.qualification_ids)
    known = set(
        session.scalars(
            select(QualificationType.id).where(QualificationType.id.in_(qualifications))
        )
    )
    problems += [
        Refusal(
            "qualifications",
            f"There is no qualification with id {q}; choose from the list.",
            "qualification_ids",
        )
        for q in qualifications
        if q not in known
    ]
    return problems


def _history_problems(session: Session, mou: Mou, today: date) -> list[Refusal]:
    successor = _successor(session, mou)
    status = _status(mou, successor, today)
    if status is MouStatus.SUPERSEDED and successor is not None:
        return [
            Refusal(
                "mou",
                f"{_label(mou)} has been replaced by version {successor.version}; add or "
                "change protocols under that version. Protocols under an old version are "
                "history and stay as they were.",
                "mou_id",
            )
        ]
    if status is MouStatus.EXPIRED:
        ended = (
            f"was terminated on {format_date(mou.terminated_on)}"
            if mou.terminated_on is not None and mou.terminated_on <= today
            else f"expired on {format_date(mou.expires_on)}"
        )
        return [
            Refusal(
                "mou",
                f"{_label(mou)} {ended}; its protocols are history and cannot change. "
                "Renew it with a new version first.",
                "mou_id",
            )
        ]
    return []


def _terms_problems(draft: ProtocolDraft) -> list[Refusal]:
    problems: list[Refusal] = []
    if draft.max_loan_hours <= 0:
        problems.append(
            Refusal(
                "max_loan_hours",
                f"The longest loan must be at least 1 hour, not {draft.max_loan_hours}.",
                "max_loan_hours",
            )
        )
    if draft.max_loan_hours > LONGEST_LOAN_HOURS_MAX:
        problems.append(
            Refusal(
                "max_loan_hours",
                f"The longest loan can be at most {LONGEST_LOAN_HOURS_MAX // 24} days "
                f"({LONGEST_LOAN_HOURS_MAX:,} hours), not {draft.max_loan_hours:,} hours; "
                "give a shorter one.",
                "max_loan_hours",
            )
        )
    if draft.notice_hours < 0:
        problems.append(
            Refusal(
                "notice_hours",
                "The notice period cannot be negative; use 0 for no notice.",
                "notice_hours",
            )
        )
    if draft.notice_hours > NOTICE_HOURS_MAX:
        problems.append(
            Refusal(
                "notice_hours",
                f"The notice period can be at most {NOTICE_HOURS_MAX // 24} days "
                f"({NOTICE_HOURS_MAX:,} hours), not {draft.notice_hours:,} hours; give a "
                "shorter one.",
                "notice_hours",
            )
        )
    if draft.charging is ChargingBasis.RATE:
        rate = draft.charge_rate_pence
        if rate is None or rate <= 0:
            problems.append(
                Refusal(
                    "charge_rate_pence",
                    "A charge at a rate needs a rate above £0.00, e.g. £45.00 per day; "
                    "or choose no charge.",
                    "charge_rate_pence",
                )
            )
        problems += _whole_number_problems(rate, field="charge_rate_pence", what="The charge rate")
        problems += _text_problems(
            draft.charge_unit,
            field="charge_unit",
            limit=CHARGE_UNIT_MAX,
            missing="Say what the rate is charged per, such as “day” or “loan”.",
            what="The charging unit",
        )
    return problems


def _borrower_problems(
    session: Session, draft: ProtocolDraft, parties: set[int], label: str
) -> list[Refusal]:
    borrower_ids = _unique_ids(draft.borrower_ids)
    if not borrower_ids:
        return [
            Refusal(
                "borrowers",
                "Choose at least one agency that may borrow under this protocol.",
                "borrower_ids",
            )
        ]
    agencies = {a.id: a for a in session.scalars(select(Agency).where(Agency.id.in_(borrower_ids)))}
    problems: list[Refusal] = []
    for agency_id in borrower_ids:
        agency = agencies.get(agency_id)
        if agency is None:
            problems.append(
                Refusal(
                    "borrowers",
                    f"There is no agency with id {agency_id}; choose borrowers from the list.",
                    "borrower_ids",
                )
            )
        elif parties and agency_id not in parties:
            problems.append(
                Refusal(
                    "borrowers",
                    f"{agency.name} is not a party to {label}, so it cannot borrow under it; "
                    "choose one of the parties.",
                    "borrower_ids",
                )
            )
    return problems


def _coverage_problems(
    session: Session, draft: ProtocolDraft, parties: set[int], label: str, *, check_owner: bool
) -> list[Refusal]:
    category_ids = _unique_ids(draft.category_ids)
    item_ids = _unique_ids(draft.item_ids)
    if not category_ids and not item_ids:
        return [
            Refusal(
                "coverage",
                "Choose at least one category or item this protocol covers.",
                "category_ids",
            )
        ]
    problems: list[Refusal] = []
    known = set(session.scalars(select(Category.id).where(Category.id.in_(category_ids))))
    problems += [
        Refusal(
            "coverage",
            f"There is no category with id {c}; choose categories from the list.",
            "category_ids",
        )
        for c in category_ids
        if c not in known
    ]
    items = {
        i.id: i
        for i in session.scalars(
            select(EquipmentItem)
            .where(EquipmentItem.id.in_(item_ids))
            .options(selectinload(EquipmentItem.owner_agency))
        )
    }
    for item_id in item_ids:
        item = items.get(item_id)
        if item is None:
            problems.append(
                Refusal(
                    "coverage",
                    f"There is no catalogue item with id {item_id}; choose items by tag.",
                    "item_ids",
                )
            )
        elif check_owner and item.owner_agency_id not in parties:
            problems.append(
                Refusal(
                    "item_owner",
                    f"Item {item.asset_tag} belongs to {item.owner_agency.name}, which is not a "
                    f"party to {label}; choose kit a party owns.",
                    "item_ids",
                )
            )
    return problems


def check_protocol(
    db: Database, draft: ProtocolDraft, *, protocol_id: int | None = None
) -> list[Refusal]:
    """Every problem with ``draft`` (as a new protocol, or as an edit of ``protocol_id``)."""
    draft = clean_fields(draft, multiline=PROTOCOL_MULTILINE)
    with db.read() as session:
        existing = _load_protocol(session, protocol_id) if protocol_id is not None else None
        return _protocol_problems(session, draft, existing, today_uk())


def _load_protocol(session: Session, protocol_id: int, *, lock: bool = False) -> SharingProtocol:
    statement = (
        select(SharingProtocol).where(SharingProtocol.id == protocol_id).options(*_PROTOCOL_OPTIONS)
    )
    if lock:
        statement = statement.with_for_update(of=SharingProtocol)
    protocol = session.scalars(statement).first()
    if protocol is None:
        raise NotFound(
            f"There is no sharing protocol with id {protocol_id}; it may have been removed."
        )
    return protocol


def _in_order(session: Session, model: Any, ids: Sequence[int]) -> list[Any]:
    """The ``model`` rows with ``ids``, in that order (each once)."""
    wanted = _unique_ids(ids)
    found = {row.id: row for row in session.scalars(select(model).where(model.id.in_(wanted)))}
    return [found[i] for i in wanted]


def _apply_protocol(session: Session, protocol: SharingProtocol, draft: ProtocolDraft) -> None:
    protocol.mou_id = draft.mou_id
    protocol.name = draft.name.strip()
    protocol.approver_role = draft.approver_role
    protocol.approver_title = draft.approver_title.strip() or None
    protocol.notice_hours = draft.notice_hours
    protocol.max_loan_hours = draft.max_loan_hours
    protocol.charging = draft.charging
    if draft.charging is ChargingBasis.RATE:
        protocol.charge_rate_pence = draft.charge_rate_pence
        protocol.charge_unit = draft.charge_unit.strip()
    else:
        protocol.charge_rate_pence = None
        protocol.charge_unit = None
    protocol.use_conditions = draft.use_conditions.strip() or None
    protocol.protocol_text = draft.protocol_text.strip() or None
    protocol.data_terms = draft.data_terms.strip() or None
    protocol.is_active = draft.is_active
    protocol.emergency_only = draft.emergency_only
    protocol.borrowers = _in_order(session, Agency, draft.borrower_ids)
    protocol.categories = _in_order(session, Category, draft.category_ids)
    protocol.items = _in_order(session, EquipmentItem, draft.item_ids)
    protocol.required_qualifications = _in_order(
        session, QualificationType, draft.qualification_ids
    )


def _protocol_snapshot(protocol: SharingProtocol) -> dict[str, Any]:
    state = snapshot(protocol, PROTOCOL_AUDIT_FIELDS)
    state["borrower_ids"] = sorted(a.id for a in protocol.borrowers)
    state["category_ids"] = sorted(c.id for c in protocol.categories)
    state["item_ids"] = sorted(i.id for i in protocol.items)
    state["qualification_ids"] = sorted(q.id for q in protocol.required_qualifications)
    return state


def create_protocol(db: Database, draft: ProtocolDraft, actor: Actor) -> int:
    """Add a sharing protocol under ``draft.mou_id``; returns its id."""
    draft = clean_fields(draft, multiline=PROTOCOL_MULTILINE)
    require(actor, Action.EDIT_REGISTER)
    with db.write() as session:
        _refuse_if(_protocol_problems(session, draft, None, today_uk()))
        protocol = SharingProtocol()
        _apply_protocol(session, protocol, draft)
        session.add(protocol)
        session.flush()
        _audit(
            session,
            actor,
            CREATED,
            PROTOCOL_ENTITY,
            protocol.id,
            before=None,
            after=_protocol_snapshot(protocol),
        )
        return protocol.id


def update_protocol(db: Database, protocol_id: int, draft: ProtocolDraft, actor: Actor) -> None:
    """Change a sharing protocol (deactivate it with ``is_active=False``)."""
    draft = clean_fields(draft, multiline=PROTOCOL_MULTILINE)
    require(actor, Action.EDIT_REGISTER)
    with db.write() as session:
        protocol = _load_protocol(session, protocol_id, lock=True)
        _refuse_if(_protocol_problems(session, draft, protocol, today_uk()))
        before = _protocol_snapshot(protocol)
        _apply_protocol(session, protocol, draft)
        session.flush()
        after = _protocol_snapshot(protocol)
        if after == before:
            return
        protocol.updated_at = now_utc()
        _audit(session, actor, UPDATED, PROTOCOL_ENTITY, protocol.id, before=before, after=after)


def resolve_tags(db: Database, tags: Sequence[str]) -> tuple[int, ...]:
    """The ids of the items with these asset tags (any case), in the order given.

    Unknown tags are refused together, in one ``RegisterRefused`` on the field "items".
    """
    tags = [clean_text(tag) for tag in tags]
    ids, unknown = find_by_tags(db, tags)
    if unknown:
        raise RegisterRefused(
            [
                Refusal(
                    "unknown_tag",
                    f"No catalogue item has the asset tag “{tag}”; check the label.",
                    "items",
                )
                for tag in unknown
            ]
        )
    return tuple(ids)
