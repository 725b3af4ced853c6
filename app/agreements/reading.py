"""The register's reading side: every version of every MoU, one in full with its
clauses, signatories and protocols, and what the editors offer to pick from.

Reads return frozen views; no ORM object outlives its session.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.agreements.status import MouStatus, version_status
from app.core.clock import today_uk
from app.core.errors import NotFound
from app.core.lookup import get_or_missing
from app.core.money import format_pence
from app.core.text import clean_text
from app.core.vocabulary import label
from app.storage.database import Database
from models import (
    Agency,
    Category,
    ChargingBasis,
    Loan,
    Mou,
    MouParty,
    MouSignatory,
    QualificationType,
    Role,
    SharingProtocol,
)


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


PROTOCOL_OPTIONS = (
    selectinload(SharingProtocol.borrowers),
    selectinload(SharingProtocol.categories),
    selectinload(SharingProtocol.items),
    selectinload(SharingProtocol.required_qualifications),
)
_MOU_OPTIONS = (
    selectinload(Mou.parties).selectinload(MouParty.agency),
    selectinload(Mou.signatories).selectinload(MouSignatory.agency),
    selectinload(Mou.clauses),
    selectinload(Mou.protocols).options(*PROTOCOL_OPTIONS),
)


def mou_label(mou: Mou) -> str:
    return f"{mou.reference} v{mou.version}"


def successor_of(session: Session, mou: Mou) -> Mou | None:
    """The version started from ``mou``, signed or still a draft."""
    return session.scalars(select(Mou).where(Mou.supersedes_id == mou.id)).first()


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
                status=version_status(mou, successors.get(mou.id), day),
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
    if charging is not ChargingBasis.RATE:
        return label(charging)
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
        approver=protocol.approver_title or label(protocol.approver_role),
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


def load_mou(session: Session, mou_id: int, *, lock: bool = False) -> Mou:
    missing = f"There is no MoU with id {mou_id}; it may have been removed."
    return get_or_missing(session, Mou, mou_id, missing, lock=lock, options=_MOU_OPTIONS)


def get_mou(db: Database, mou_id: int, *, today: date | None = None) -> MouView:
    """One version in full; ``NotFound`` if there is no such MoU."""
    day = today or today_uk()
    with db.read() as session:
        mou = load_mou(session, mou_id)
        successor = successor_of(session, mou)
        predecessor = session.get(Mou, mou.supersedes_id) if mou.supersedes_id else None
        loans = session.scalar(select(func.count(Loan.id)).where(Loan.mou_id == mou.id)) or 0
        return MouView(
            id=mou.id,
            reference=mou.reference,
            version=mou.version,
            title=mou.title,
            purpose=mou.purpose or "",
            scope=mou.scope or "",
            status=version_status(mou, successor, day),
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
