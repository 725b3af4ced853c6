"""Exporting the catalogue, the people list, the loans or the kits to a .csv or .xlsx
file, with headings an import maps back exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.core.actor import Actor
from app.core.clock import format_date
from app.core.errors import NotPermitted
from app.core.permissions import Action, may, with_article
from app.core.vocabulary import label
from app.storage.database import Database
from app.transfer.fields import ITEM_FIELDS, KIT_FIELDS, PEOPLE_FIELDS, Kind
from app.transfer.kits import kit_count, kit_lines
from app.transfer.tabular import Progress
from app.transfer.writing import write_table
from models import (
    Agency,
    Category,
    EquipmentItem,
    Loan,
    LoanLine,
    Person,
    PersonQualification,
    Site,
)

# Rows read from the database at a time while exporting.
EXPORT_BATCH = 1_000


def exportable_kinds(actor: Actor) -> list[Kind]:
    """What ``actor`` may export: the catalogue, its kits and the loans are for anyone to
    read, as in the window; people (names, numbers, contact details, qualifications) only
    for those who keep them, an administrator: a whole list of personal data is theirs to
    hand out."""
    kinds = [Kind.ITEMS, Kind.KITS, Kind.LOANS]
    if may(actor, Action.MANAGE_PEOPLE):
        kinds.append(Kind.PEOPLE)
    return kinds


ITEM_HEADERS = tuple(f.label for f in ITEM_FIELDS)
KIT_HEADERS = tuple(f.label for f in KIT_FIELDS)
PEOPLE_HEADERS = (*(f.label for f in PEOPLE_FIELDS if f.key != "full_name"), "Qualifications")
LOAN_HEADERS = (
    "Loan",
    "Status",
    "Borrower agency",
    "Lending agency",
    "Items",
    "Purpose",
    "Incident reference",
    "Emergency",
    "Starts",
    "Due",
    "Issued",
    "Returned",
    "Requested by",
    "Operator",
    "Decided by",
    "Decision reason",
    "Recalled",
    "Recall reason",
    "MoU",
    "Sharing protocol",
    "Notes",
)


def export(
    db: Database,
    actor: Actor,
    kind: Kind,
    path: Path,
    *,
    progress: Progress | None = None,
) -> int:
    """Write ``kind`` to ``path`` (.csv or .xlsx) with headers an import maps back
    exactly; returns the number of rows. Who may export what: ``exportable_kinds``."""
    if kind not in exportable_kinds(actor):
        who = (
            f"{actor.name} is signed in as {with_article(actor.role)}, and only"
            if actor.role is not None
            else "No one is signed in, and only"
        )
        raise NotPermitted(
            f"{who} an administrator can export the people list, with its staff numbers "
            "and contact details. Ask one to export it, or sign in as one."
        )
    with db.read() as session:
        if kind is Kind.ITEMS:
            total = session.scalar(select(func.count()).select_from(EquipmentItem)) or 0
            rows: Iterable[Sequence[object]] = _item_lines(session)
            headers: Sequence[str] = ITEM_HEADERS
        elif kind is Kind.PEOPLE:
            total = session.scalar(select(func.count()).select_from(Person)) or 0
            rows, headers = _person_lines(session), PEOPLE_HEADERS
        elif kind is Kind.KITS:
            total, rows, headers = kit_count(session), kit_lines(session), KIT_HEADERS
            return write_table(path, headers, rows, total=total, progress=progress, sheet="Kits")
        else:
            total = session.scalar(select(func.count()).select_from(Loan)) or 0
            rows, headers = _loan_lines(session), LOAN_HEADERS
        return write_table(path, headers, rows, total=total, progress=progress)


def _money(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value).scaleb(-2)


def _item_lines(session: Session) -> Iterator[Sequence[object]]:
    item = EquipmentItem
    statement = (
        select(
            item.asset_tag,
            item.name,
            Category.name,
            Agency.name,
            Site.name,
            item.make,
            item.model,
            item.serial_number,
            item.quantity,
            item.is_pooled,
            item.condition,
            item.description,
            item.accessories,
            item.notes,
            item.acquired_on,
            item.replacement_value_pence,
            item.daily_hire_rate_pence,
            item.status,
        )
        .join(Category, Category.id == item.category_id)
        .join(Agency, Agency.id == item.owner_agency_id)
        .join(Site, Site.id == item.home_site_id)
        .order_by(item.asset_tag)
        .execution_options(yield_per=EXPORT_BATCH)
    )
    for row in session.execute(statement):
        yield (
            *row[:9],
            row.is_pooled,
            label(row.condition),
            *row[11:15],
            _money(row.replacement_value_pence),
            _money(row.daily_hire_rate_pence),
            label(row.status),
        )


def _person_lines(session: Session) -> Iterator[Sequence[object]]:
    held: dict[int, list[str]] = defaultdict(list)
    for qualification in session.scalars(
        select(PersonQualification)
        .options(selectinload(PersonQualification.qualification_type))
        .order_by(PersonQualification.expires_on)
    ):
        until = (
            f" until {format_date(qualification.expires_on)}" if qualification.expires_on else ""
        )
        held[qualification.person_id].append(f"{qualification.qualification_type.name}{until}")
    statement = (
        select(
            Person.id,
            Person.staff_number,
            Person.given_name,
            Person.family_name,
            Agency.name,
            Person.rank_or_role,
            Site.name,
            Person.email,
            Person.phone,
            Person.is_active,
        )
        .join(Agency, Agency.id == Person.agency_id)
        .outerjoin(Site, Site.id == Person.home_site_id)
        .order_by(Agency.name, Person.family_name, Person.given_name, Person.staff_number)
        .execution_options(yield_per=EXPORT_BATCH)
    )
    for row in session.execute(statement):
        yield (*row[1:], "; ".join(held.get(row.id, [])))


def _loan_lines(session: Session) -> Iterator[Sequence[object]]:
    statement = (
        select(Loan)
        .options(
            selectinload(Loan.lines)
            .selectinload(LoanLine.item)
            .selectinload(EquipmentItem.owner_agency),
            selectinload(Loan.borrower_agency),
            selectinload(Loan.requested_by),
            selectinload(Loan.operator),
            selectinload(Loan.approver),
            selectinload(Loan.mou),
            selectinload(Loan.protocol),
        )
        .order_by(Loan.id)
        .execution_options(yield_per=EXPORT_BATCH)
    )
    for loan in session.scalars(statement):
        lenders = dict.fromkeys(line.item.owner_agency.name for line in loan.lines)
        yield (
            loan.id,
            label(loan.status),
            loan.borrower_agency.name,
            "; ".join(lenders),
            "; ".join(_line_text(line) for line in loan.lines),
            loan.purpose,
            loan.incident_ref,
            loan.is_emergency,
            loan.starts_at,
            loan.recall_due_at or loan.due_at,
            loan.issued_at,
            loan.returned_at,
            loan.requested_by.full_name if loan.requested_by else None,
            loan.operator.full_name if loan.operator else None,
            loan.approver.full_name if loan.approver else None,
            loan.decision_reason,
            loan.recalled_at,
            loan.recall_reason,
            f"{loan.mou.reference} v{loan.mou.version}" if loan.mou else None,
            loan.protocol.name if loan.protocol else None,
            loan.notes,
        )


def _line_text(line: LoanLine) -> str:
    """ "CFR-000201", or "CAM-000101 × 5 (3 returned)" for part of a pool."""
    text_ = line.item.asset_tag
    if line.item.is_pooled:
        text_ += f" × {line.quantity}"
        if 0 < line.quantity_returned < line.quantity:
            text_ += f" ({line.quantity_returned} returned)"
    return text_
