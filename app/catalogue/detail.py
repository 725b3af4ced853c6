"""Reading the catalogue: rows for the table and everything the item panel shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Row, func, select
from sqlalchemy.orm import Session, joinedload

from app.agreements.status import status_of, usable_protocols
from app.catalogue.availability import units_held_by_defects
from app.core.clock import now_utc, today_uk
from app.core.errors import Refusal
from app.core.lookup import get_or_missing
from app.core.vocabulary import label
from app.inspections.defects import DefectView, open_defects
from app.inspections.service import Standing, item_standings
from app.loans.fitness import issue_blockers
from app.loans.rules import borrowing_agencies, unlendable_refusal
from app.storage.database import Database
from models import (
    BOOKING_STATUSES,
    Agency,
    EquipmentItem,
    ItemStatus,
    Loan,
    LoanLine,
    LoanStatus,
    SharingProtocol,
)


@dataclass(frozen=True)
class ProtocolBrief:
    id: int
    mou_id: int
    name: str
    mou_reference: str
    mou_version: int
    mou_status: str
    borrowers: tuple[str, ...]
    approver: str
    notice_hours: int
    max_loan_hours: int
    competence: tuple[str, ...]


@dataclass(frozen=True)
class LoanBrief:
    id: int
    borrower: str
    status: str  # in the Loans view's words
    status_value: LoanStatus
    starts_at: datetime
    due_at: datetime
    quantity: int
    purpose: str
    is_overdue: bool


@dataclass(frozen=True)
class ItemDetail:
    """Everything a duty officer needs to decide whether this item can go."""

    id: int
    asset_tag: str
    name: str
    category: str
    owner: str
    home_site: str
    current_location: str
    status: str  # in words; decide on ``status_value``
    status_value: ItemStatus
    condition: str
    is_pooled: bool
    quantity: int
    quantity_out_now: int
    make: str
    model: str
    serial_number: str
    description: str
    accessories: str
    notes: str
    protocol: ProtocolBrief | None
    # Its standing under each inspection regime, and its open defects (oldest first).
    inspections: tuple[Standing, ...]
    defects: tuple[DefectView, ...]
    today: date
    # Why it cannot be handed over today; the same list issuing a loan refuses on.
    issue_blockers: tuple[str, ...]
    loans: tuple[LoanBrief, ...]
    owner_agency_id: int | None = None
    # Units of a pool that open major or unsafe defects hold back (0 for a single item):
    # ``app.catalogue.availability.held_by_defects``, as search counts them.
    quantity_held_by_defects: int = 0
    # Why no agency may borrow it today (retired, no protocol covers it, its MoU is not in
    # force), with what to do: ``app.loans.rules.unlendable_refusal``; None if one may.
    lending_refusal: Refusal | None = None
    # Read from the station copy taken at this moment (offline), not from the server.
    as_of: datetime | None = None

    @property
    def quantity_free_now(self) -> int:
        """Not out on loan now and not held back by an open defect."""
        return max(self.quantity - self.quantity_out_now - self.quantity_held_by_defects, 0)

    @property
    def last_inspected_on(self) -> date | None:
        return max((s.last_on for s in self.inspections if s.last_on), default=None)

    @property
    def next_inspection_due(self) -> date | None:
        """The soonest due date over its regimes."""
        return min((s.due_on for s in self.inspections if s.due_on), default=None)

    @property
    def inspection_lapsed(self) -> bool:
        """Some inspection is overdue, failed or missing (whether or not it blocks issue)."""
        return any(s.state(self.today).lapsed for s in self.inspections)

    @property
    def open_defects(self) -> tuple[str, ...]:
        return tuple(f"{d.severity_words}: {d.description}" for d in self.defects)


def item_detail(db: Database, item_id: int, *, now: datetime | None = None) -> ItemDetail:
    """The item panel's contents for ``item_id``."""
    moment = now or now_utc()
    today = today_uk(moment)
    with db.read() as session:
        item = get_or_missing(
            session,
            EquipmentItem,
            item_id,
            f"There is no catalogue item with id {item_id}.",
            options=[
                joinedload(EquipmentItem.category),
                joinedload(EquipmentItem.owner_agency),
                joinedload(EquipmentItem.home_site),
                joinedload(EquipmentItem.current_site),
            ],
        )
        inspections = tuple(item_standings(session, item.id, today))
        defects = tuple(open_defects(session, [item.id]))
        blockers = issue_blockers(session, item, today, standings=inspections, defects=defects)
        bookings = _bookings(session, item.id)
        # Read once: the protocol shown, who may borrow and why not all come from it.
        usable = usable_protocols(session, item, today)
        where_now = item.current_location or (
            item.current_site.name if item.current_site else f"At home ({item.home_site.name})"
        )
        return ItemDetail(
            id=item.id,
            asset_tag=item.asset_tag,
            name=item.name,
            category=item.category.name,
            owner=item.owner_agency.name,
            owner_agency_id=item.owner_agency_id,
            home_site=item.home_site.name,
            current_location=where_now,
            status=label(item.status),
            status_value=item.status,
            condition=label(item.condition),
            is_pooled=item.is_pooled,
            quantity=item.quantity,
            quantity_out_now=_quantity_out_now(session, item.id, bookings, moment),
            make=item.make or "",
            model=item.model or "",
            serial_number=item.serial_number or "",
            description=item.description or "",
            accessories=item.accessories or "",
            notes=item.notes or "",
            protocol=_protocol_brief(session, item, today, usable),
            inspections=inspections,
            defects=defects,
            today=today,
            issue_blockers=tuple(p.message for p in blockers),
            loans=tuple(
                _loan_brief(line, loan, borrower, moment) for line, loan, borrower in bookings
            ),
            quantity_held_by_defects=units_held_by_defects(session, item.id),
            lending_refusal=unlendable_refusal(session, item, today, usable),
            as_of=db.copy_taken_at,
        )


def _protocol_brief(
    session: Session, item: EquipmentItem, today: date, usable: list[SharingProtocol]
) -> ProtocolBrief | None:
    """The protocol that governs lending the item today (the first ``usable`` one, as
    ``governing_protocol`` says), in brief."""
    if not usable:
        return None
    protocol = usable[0]
    return ProtocolBrief(
        id=protocol.id,
        mou_id=protocol.mou_id,
        name=protocol.name,
        mou_reference=protocol.mou.reference,
        mou_version=protocol.mou.version,
        mou_status=status_of(session, protocol.mou, today).value,
        borrowers=tuple(a.name for a in borrowing_agencies(item, usable, emergency=False)),
        approver=protocol.approver_title or label(protocol.approver_role),
        notice_hours=protocol.notice_hours,
        max_loan_hours=protocol.max_loan_hours,
        competence=tuple(sorted(q.name for q in protocol.required_qualifications)),
    )


def _holding_stock(item_id: int) -> tuple[ColumnElement[bool], ...]:
    """Lines of the item that hold stock, on loans booked or out."""
    return (
        LoanLine.item_id == item_id,
        LoanLine.holds_stock.is_(True),
        Loan.status.in_(BOOKING_STATUSES),
    )


def _bookings(session: Session, item_id: int) -> Sequence[Row[LoanLine, Loan, str]]:
    """The lines holding the item's stock, with their loans and borrowers, by start."""
    return session.execute(
        select(LoanLine, Loan, Agency.name)
        .join(Loan, LoanLine.loan_id == Loan.id)
        .join(Agency, Loan.borrower_agency_id == Agency.id)
        .where(*_holding_stock(item_id))
        .order_by(LoanLine.starts_at)
    ).all()


def _quantity_out_now(
    session: Session,
    item_id: int,
    bookings: Sequence[Row[LoanLine, Loan, str]],
    moment: datetime,
) -> int:
    out_now = session.scalar(
        select(func.coalesce(func.sum(LoanLine.quantity - LoanLine.quantity_returned), 0))
        .join(Loan, LoanLine.loan_id == Loan.id)
        .where(*_holding_stock(item_id), LoanLine.starts_at <= moment, LoanLine.ends_at > moment)
    )
    # An overdue loan still holds its stock after its due time.
    overdue_out = sum(
        line.quantity - line.quantity_returned
        for line, loan, _ in bookings
        if loan.issued_at is not None and loan.due_at <= moment
    )
    return int(out_now or 0) + overdue_out


def _loan_brief(line: LoanLine, loan: Loan, borrower: str, moment: datetime) -> LoanBrief:
    return LoanBrief(
        id=loan.id,
        borrower=borrower,
        status=label(loan.status),
        status_value=loan.status,
        starts_at=loan.starts_at,
        due_at=loan.recall_due_at or loan.due_at,
        quantity=line.quantity - line.quantity_returned,
        purpose=loan.purpose,
        is_overdue=loan.issued_at is not None and (loan.recall_due_at or loan.due_at) < moment,
    )
