"""Loans as a person reads them: one loan with what may be done next, and the Loans
view's lists and counts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.core.clock import UK, format_datetime, now_utc, today_uk
from app.core.errors import NotFound
from app.core.vocabulary import label
from app.storage.database import Database
from models import OUT_STATUSES, EquipmentItem, Loan, LoanLine, LoanStatus

RECENT_RETURNS = timedelta(days=7)


@dataclass(frozen=True)
class LoanLineView:
    id: int
    item_id: int
    asset_tag: str
    item_name: str
    is_pooled: bool
    quantity: int
    quantity_returned: int
    item_quantity: int  # how many the item is (a pool's size; 1 for a single item)
    condition_out: str
    condition_in: str
    accessories_out: str
    tracks: tuple[str, ...]  # which readings the item's category records

    @property
    def quantity_out(self) -> int:
        return self.quantity - self.quantity_returned


@dataclass(frozen=True)
class LoanView:
    """A loan as a person reads it, with what may be done to it next."""

    id: int
    status: LoanStatus
    borrower: str
    borrower_agency_id: int
    lender: str
    lender_agency_id: int | None  # whose people approve, hand over and take it back
    requested_by: str
    operator: str
    operator_id: int | None
    approver: str
    purpose: str
    incident_ref: str
    starts_at: datetime
    due_at: datetime  # the recall due time once recalled
    booked_due_at: datetime
    is_emergency: bool
    recalled_at: datetime | None
    recall_reason: str
    issued_at: datetime | None
    returned_at: datetime | None
    decision_reason: str
    protocol: str
    mou: str
    lines: tuple[LoanLineView, ...]
    overdue_by: timedelta | None
    actions: tuple[str, ...]
    notes: str
    kit_id: int | None = None  # the kit the loan was made from, if any
    kit: str = ""  # its name

    @property
    def status_label(self) -> str:
        if self.overdue_by is not None:
            return f"Overdue {describe_duration(self.overdue_by)}"
        if self.recalled_at is not None and self.status in OUT_STATUSES:
            return "Recalled"
        return label(self.status)

    @property
    def items_summary(self) -> str:
        return ", ".join(
            f"{line.quantity} × {line.asset_tag}" if line.is_pooled else line.asset_tag
            for line in self.lines
        )


class LoanSection(enum.Enum):
    """The Loans view's lists, in the order shown."""

    AWAITING = "Awaiting approval"
    APPROVED = "Approved, not yet out"
    OUT = "Out now"
    DUE_TODAY = "Due back today"
    OVERDUE = "Overdue"
    RECALLED = "Recalled"
    RETURNED = "Returned, last 7 days"
    ALL = "All loans"


def describe_duration(span: timedelta) -> str:
    """ "3 days 4 hours", "2 hours 5 minutes", "12 minutes": how long, for a person."""
    minutes = max(int(span.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)

    def part(count: int, unit: str) -> str:
        return f"{count} {unit}{'' if count == 1 else 's'}"

    if days:
        return part(days, "day") + (f" {part(hours, 'hour')}" if hours else "")
    if hours:
        return part(hours, "hour") + (f" {part(minutes, 'minute')}" if minutes else "")
    return part(minutes, "minute")


def effective_due(loan: Loan) -> datetime:
    """When the kit must be back: the recall time once recalled, else the due time."""
    return loan.recall_due_at or loan.due_at


_LOAN_OPTIONS = (
    selectinload(Loan.lines)
    .selectinload(LoanLine.item)
    .options(selectinload(EquipmentItem.category), selectinload(EquipmentItem.owner_agency)),
)
# Everything a LoanView names, fetched in a few queries rather than one per loan.
_VIEW_OPTIONS = (
    *_LOAN_OPTIONS,
    *(
        selectinload(relation)
        for relation in (
            Loan.borrower_agency,
            Loan.requested_by,
            Loan.operator,
            Loan.approver,
            Loan.protocol,
            Loan.mou,
            Loan.kit,
        )
    ),
)


def load_loan(session: Session, loan_id: int, *, lock: bool = False) -> Loan:
    """The loan with its lines and their items; ``lock`` takes its row until commit."""
    statement = select(Loan).where(Loan.id == loan_id).options(*_LOAN_OPTIONS)
    if lock:
        statement = statement.with_for_update(of=Loan)
    loan = session.scalars(statement).first()
    if loan is None:
        raise NotFound(f"There is no loan number {loan_id}. Check the number on the form.")
    return loan


def _view(session: Session, loan: Loan, now: datetime) -> LoanView:
    due = effective_due(loan)
    overdue = loan.status in OUT_STATUSES and due < now
    owner = loan.lines[0].item.owner_agency if loan.lines else None
    return LoanView(
        id=loan.id,
        status=loan.status,
        borrower=loan.borrower_agency.name,
        borrower_agency_id=loan.borrower_agency_id,
        lender=owner.name if owner else "",
        lender_agency_id=owner.id if owner else None,
        requested_by=loan.requested_by.full_name if loan.requested_by else "",
        operator=loan.operator.full_name if loan.operator else "",
        operator_id=loan.operator_id,
        approver=loan.approver.full_name if loan.approver else "",
        purpose=loan.purpose,
        incident_ref=loan.incident_ref or "",
        starts_at=loan.starts_at,
        due_at=due,
        booked_due_at=loan.due_at,
        is_emergency=loan.is_emergency,
        recalled_at=loan.recalled_at,
        recall_reason=loan.recall_reason or "",
        issued_at=loan.issued_at,
        returned_at=loan.returned_at,
        decision_reason=loan.decision_reason or "",
        protocol=loan.protocol.name if loan.protocol else "",
        mou=f"{loan.mou.reference} v{loan.mou.version}" if loan.mou else "",
        lines=tuple(
            LoanLineView(
                id=line.id,
                item_id=line.item_id,
                asset_tag=line.item.asset_tag,
                item_name=line.item.name,
                is_pooled=line.item.is_pooled,
                quantity=line.quantity,
                quantity_returned=line.quantity_returned,
                item_quantity=line.item.quantity,
                condition_out=label(line.condition_out) if line.condition_out else "",
                condition_in=label(line.condition_in) if line.condition_in else "",
                accessories_out=line.accessories_out or "",
                tracks=tracked_readings(line.item),
            )
            for line in loan.lines
        ),
        overdue_by=now - due if overdue else None,
        actions=_actions(loan),
        notes=loan.notes or "",
        kit_id=loan.kit_id,
        kit=loan.kit.name if loan.kit else "",
    )


def tracked_readings(item: EquipmentItem) -> tuple[str, ...]:
    category = item.category
    return tuple(
        name
        for name, tracked in (
            ("fuel", category.tracks_fuel),
            ("hours", category.tracks_hours),
            ("battery", category.tracks_battery),
            ("mileage", category.tracks_mileage),
        )
        if tracked
    )


def _actions(loan: Loan) -> tuple[str, ...]:
    status = loan.status
    if status is LoanStatus.REQUESTED:
        return ("approve", "decline", "extend", "cancel")
    if status is LoanStatus.APPROVED:
        return ("issue", "extend", "cancel")
    if status in OUT_STATUSES:
        return ("return", "extend", "recall") if loan.recalled_at is None else ("return",)
    return ()


def get_loan(db: Database, loan_id: int, *, now: datetime | None = None) -> LoanView:
    """One loan, with its lines and what may be done next."""
    with db.read() as session:
        return _view(session, load_loan(session, loan_id), now or now_utc())


def _section_filter(section: LoanSection, now: datetime) -> Any:
    due = func.coalesce(Loan.recall_due_at, Loan.due_at)
    today = today_uk(now)
    end_of_today = datetime.combine(today + timedelta(days=1), time(0), tzinfo=UK)
    out = Loan.status.in_(OUT_STATUSES)
    return {
        LoanSection.AWAITING: Loan.status == LoanStatus.REQUESTED,
        LoanSection.APPROVED: Loan.status == LoanStatus.APPROVED,
        LoanSection.OUT: out,
        LoanSection.DUE_TODAY: and_(out, due >= now, due < end_of_today),
        LoanSection.OVERDUE: and_(out, due < now),
        LoanSection.RECALLED: and_(out, Loan.recalled_at.is_not(None)),
        LoanSection.RETURNED: and_(
            Loan.status == LoanStatus.RETURNED, Loan.returned_at >= now - RECENT_RETURNS
        ),
        LoanSection.ALL: Loan.id.is_not(None),
    }[section]


def _scope(agency_id: int | None, site_id: int | None) -> list[Any]:
    """Loans that involve the agency (borrowing or lending) and kit kept at the site."""
    conditions: list[Any] = []
    if agency_id is not None:
        lends = (
            select(LoanLine.id)
            .join(EquipmentItem, EquipmentItem.id == LoanLine.item_id)
            .where(LoanLine.loan_id == Loan.id, EquipmentItem.owner_agency_id == agency_id)
            .exists()
        )
        conditions.append(or_(Loan.borrower_agency_id == agency_id, lends))
    if site_id is not None:
        conditions.append(
            select(LoanLine.id)
            .join(EquipmentItem, EquipmentItem.id == LoanLine.item_id)
            .where(LoanLine.loan_id == Loan.id, EquipmentItem.home_site_id == site_id)
            .exists()
        )
    return conditions


def loan_counts(
    db: Database,
    *,
    now: datetime | None = None,
    agency_id: int | None = None,
    site_id: int | None = None,
) -> dict[LoanSection, int]:
    """How many loans each list of the Loans view holds."""
    moment = now or now_utc()
    scope = _scope(agency_id, site_id)
    with db.read() as session:
        columns = [
            func.count(Loan.id).filter(_section_filter(section, moment)) for section in LoanSection
        ]
        row = session.execute(select(*columns).where(*scope)).one()
        return {section: int(count or 0) for section, count in zip(LoanSection, row, strict=True)}


def list_loans(
    db: Database,
    section: LoanSection = LoanSection.ALL,
    *,
    now: datetime | None = None,
    agency_id: int | None = None,
    site_id: int | None = None,
    limit: int = 500,
) -> list[LoanView]:
    """The loans in one list of the Loans view, the most pressing first."""
    moment = now or now_utc()
    due = func.coalesce(Loan.recall_due_at, Loan.due_at)
    order: list[Any]
    if section is LoanSection.RETURNED:
        order = [Loan.returned_at.desc()]
    elif section in (LoanSection.AWAITING, LoanSection.APPROVED):
        order = [Loan.starts_at, Loan.id]
    elif section is LoanSection.ALL:
        order = [Loan.starts_at.desc(), Loan.id.desc()]
    else:
        order = [due, Loan.id]
    with db.read() as session:
        loans = session.scalars(
            select(Loan)
            .where(_section_filter(section, moment), *_scope(agency_id, site_id))
            .options(*_VIEW_OPTIONS)
            .order_by(*order)
            .limit(limit)
        ).all()
        return [_view(session, loan, moment) for loan in loans]


def open_lines_of_item(db: Database, item_id: int) -> list[int]:
    """The loans that have this item out now, oldest first (for "Return" from the panel)."""
    with db.read() as session:
        return list(
            session.scalars(
                select(Loan.id)
                .join(LoanLine, LoanLine.loan_id == Loan.id)
                .where(
                    LoanLine.item_id == item_id,
                    Loan.status.in_(OUT_STATUSES),
                    LoanLine.quantity_returned < LoanLine.quantity,
                )
                .order_by(Loan.starts_at)
            )
        )


def loans_to_return(db: Database, item_id: int, *, now: datetime | None = None) -> list[LoanView]:
    """The loans that have this item out now, the likeliest to come back first: the one
    handed out last (kit just logged out is what a person books back in straight after),
    then the rest, latest out first. A person asked to choose sees the first one chosen.
    """
    moment = now or now_utc()
    with db.read() as session:
        loans = session.scalars(
            select(Loan)
            .join(LoanLine, LoanLine.loan_id == Loan.id)
            .where(
                LoanLine.item_id == item_id,
                Loan.status.in_(OUT_STATUSES),
                LoanLine.quantity_returned < LoanLine.quantity,
            )
            .options(*_VIEW_OPTIONS)
        ).unique()
        views = [_view(session, loan, moment) for loan in loans]
    return sorted(views, key=lambda v: (v.issued_at or v.starts_at, v.id), reverse=True)


def return_choice_text(view: LoanView) -> str:
    """One loan in the "Return from which loan?" list: who has it first, then what and when."""
    out = view.issued_at or view.starts_at
    due = (
        f"overdue since {format_datetime(view.due_at)}"
        if view.overdue_by is not None
        else f"due {format_datetime(view.due_at)}"
    )
    return (
        f"{view.borrower}: loan {view.id}, {view.items_summary}, out since "
        f"{format_datetime(out)}, {due}"
    )
