"""Loans from request to return: the rules, the transitions and no double booking.

Every transition is one unit of work: it locks what it changes, checks every rule,
writes the change and its audit event, and commits them together, or refuses with a
``LoanRefused`` that names each rule broken and what would satisfy it.

No double booking, even between two station PCs at the same instant:

* the booking writes its lines, then asks :func:`app.catalogue.availability.peak_booked` (the
  same definition search uses to show what is free) whether any moment of the period
  now holds more than the item's quantity, and rolls back if so;
* on PostgreSQL the items are locked first (``SELECT … FOR UPDATE``), so two bookings of
  the same stock take turns, and an exclusion constraint refuses overlapping lines of a
  tagged item whatever path wrote them;
* on SQLite the transaction takes the write lock up front (``BEGIN IMMEDIATE``, see
  ``Database.write``), and triggers refuse overlapping lines of a tagged item.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.agreements.status import covering_protocols, status_of, usable_protocols
from app.audit.record import Actor, record, snapshot
from app.catalogue.availability import Period, available_quantity, peak_booked
from app.catalogue.directory import PersonRef, list_agencies, list_people
from app.core.clock import UK, format_date, format_datetime, moment_problem, now_utc, today_uk
from app.core.errors import DomainError, NotFound, Refusal, Refused
from app.core.permissions import RANK, Action, require
from app.core.text import clean_fields, clean_text
from app.inspections.service import (
    DefectView,
    Standing,
    item_standings,
    lapsed_problems,
    open_defects,
    settle_status,
)
from app.storage.database import Database
from models import (
    OUT_STATUSES,
    Agency,
    Condition,
    Defect,
    DefectSeverity,
    DefectSource,
    EquipmentItem,
    ItemStatus,
    Loan,
    LoanLine,
    LoanStatus,
    Person,
    PersonQualification,
    Role,
    SharingProtocol,
)

# The name of the database's own guard against overlapping lines (migration 0004).
OVERLAP_GUARD = "loan_lines_no_overlap"

# A request may start this long before the moment it is saved: the time it takes to
# fill the form in, so "now" typed when the dialog opened is still accepted.
START_GRACE = timedelta(minutes=15)
# Kit that went out in the night is logged in the morning, but not weeks later.
EMERGENCY_BACKDATE = timedelta(hours=24)
PURPOSE_MAX = 2000
INCIDENT_REF_MAX = 60
# Texts of a loan, a hand-over or a return that may run over several lines.
LOAN_MULTILINE = ("notes", "accessories", "defect")
RECENT_RETURNS = timedelta(days=7)

OUT = OUT_STATUSES
STATUS_LABELS = {
    LoanStatus.REQUESTED: "Awaiting approval",
    LoanStatus.APPROVED: "Approved",
    LoanStatus.DECLINED: "Declined",
    LoanStatus.ISSUED: "Out",
    LoanStatus.PARTLY_RETURNED: "Partly returned",
    LoanStatus.RETURNED: "Returned",
    LoanStatus.CANCELLED: "Cancelled",
}

STALE_MESSAGE = "Someone else changed this loan a moment ago; reopen it to see their change."


# -- refusals ----------------------------------------------------------------------------


class LoanRefused(Refused):
    """The rules refuse a loan action; ``problems`` lists every rule broken."""


class LoanConflict(LoanRefused):
    """The kit is already booked (perhaps by another station a moment ago)."""


# -- what a person enters ---------------------------------------------------------------


@dataclass(frozen=True)
class LineDraft:
    """An item on a loan, or ``quantity`` of a pooled item."""

    item_id: int
    quantity: int = 1


@dataclass(frozen=True)
class LoanDraft:
    """A loan as asked for, before it is checked."""

    borrower_agency_id: int | None
    requested_by_id: int | None
    purpose: str
    starts_at: datetime | None
    due_at: datetime | None
    lines: tuple[LineDraft, ...]
    incident_ref: str = ""
    is_emergency: bool = False
    notes: str = ""


@dataclass(frozen=True)
class Readings:
    """What an item's meters and tanks read at hand-over or return (blank: not read)."""

    fuel_percent: int | None = None
    hours: int | None = None
    battery_percent: int | None = None
    mileage: int | None = None


@dataclass(frozen=True)
class LineHandover:
    """The condition report for one item as it goes out."""

    item_id: int
    condition: Condition | None = None
    accessories: str | None = None
    readings: Readings = Readings()


@dataclass(frozen=True)
class Handover:
    """Who hands the kit over, who takes it and who will operate it."""

    operator_id: int | None
    handed_over_by_id: int | None = None
    received_by_id: int | None = None
    lines: tuple[LineHandover, ...] = ()

    def for_item(self, item_id: int) -> LineHandover:
        for line in self.lines:
            if line.item_id == item_id:
                return line
        return LineHandover(item_id=item_id)


@dataclass(frozen=True)
class LineReturn:
    """What comes back of one line: how many, in what state, and any defect found."""

    line_id: int
    quantity: int
    condition: Condition | None = None
    accessories: str | None = None
    readings: Readings = Readings()
    defect: str = ""
    defect_severity: DefectSeverity = DefectSeverity.MAJOR


# -- what the window and the command line read -----------------------------------------


@dataclass(frozen=True)
class LoanLineView:
    id: int
    item_id: int
    asset_tag: str
    item_name: str
    is_pooled: bool
    quantity: int
    quantity_returned: int
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

    @property
    def status_label(self) -> str:
        label = STATUS_LABELS[self.status]
        if self.overdue_by is not None:
            return f"Overdue {describe_duration(self.overdue_by)}"
        if self.recalled_at is not None and self.status in OUT:
            return "Recalled"
        return label

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


# -- small helpers ----------------------------------------------------------------------


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


def _hours(span: timedelta) -> float:
    return span.total_seconds() / 3600


def _notice_words(hours: int) -> str:
    return "1 hour's notice" if hours == 1 else f"{hours} hours' notice"


def _label(item: EquipmentItem) -> str:
    return f"{item.asset_tag} “{item.name}”"


def effective_due(loan: Loan) -> datetime:
    """When the kit must be back: the recall time once recalled, else the due time."""
    return loan.recall_due_at or loan.due_at


def _role_name(role: Role) -> str:
    return role.value.replace("_", " ")


# -- reading ----------------------------------------------------------------------------


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
        )
    ),
)


def _load(session: Session, loan_id: int, *, lock: bool = False) -> Loan:
    statement = select(Loan).where(Loan.id == loan_id).options(*_LOAN_OPTIONS)
    if lock:
        statement = statement.with_for_update(of=Loan)
    loan = session.scalars(statement).first()
    if loan is None:
        raise NotFound(f"There is no loan number {loan_id}. Check the number on the form.")
    return loan


def _view(session: Session, loan: Loan, now: datetime) -> LoanView:
    due = effective_due(loan)
    overdue = loan.status in OUT and due < now
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
                condition_out=line.condition_out.value.capitalize() if line.condition_out else "",
                condition_in=line.condition_in.value.capitalize() if line.condition_in else "",
                accessories_out=line.accessories_out or "",
                tracks=tracked_readings(line.item),
            )
            for line in loan.lines
        ),
        overdue_by=now - due if overdue else None,
        actions=_actions(loan),
        notes=loan.notes or "",
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
    if status in OUT:
        return ("return", "extend", "recall") if loan.recalled_at is None else ("return",)
    return ()


def get_loan(db: Database, loan_id: int, *, now: datetime | None = None) -> LoanView:
    """One loan, with its lines and what may be done next."""
    with db.read() as session:
        return _view(session, _load(session, loan_id), now or now_utc())


def _section_filter(section: LoanSection, now: datetime) -> Any:
    due = func.coalesce(Loan.recall_due_at, Loan.due_at)
    today = today_uk(now)
    end_of_today = datetime.combine(today + timedelta(days=1), time(0), tzinfo=UK)
    out = Loan.status.in_(OUT)
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


# -- the rules --------------------------------------------------------------------------


def _draft_problems(draft: LoanDraft, now: datetime, *, emergency_issue: bool) -> list[Refusal]:
    """Rules that need nothing from the database."""
    problems: list[Refusal] = []
    if draft.borrower_agency_id is None:
        problems.append(Refusal("details", "Choose the borrowing agency.", "borrower"))
    if draft.requested_by_id is None and not emergency_issue:
        problems.append(Refusal("details", "Choose the person making the request.", "requested_by"))
    purpose = draft.purpose.strip()
    if not purpose:
        problems.append(
            Refusal(
                "details",
                "Say what the kit is for, such as “Missing person search, Ouse Washes”.",
                "purpose",
            )
        )
    elif len(purpose) > PURPOSE_MAX:
        problems.append(
            Refusal("details", f"Shorten the purpose to {PURPOSE_MAX} characters.", "purpose")
        )
    if len(draft.incident_ref.strip()) > INCIDENT_REF_MAX:
        problems.append(
            Refusal(
                "details",
                f"Shorten the incident reference to {INCIDENT_REF_MAX} characters.",
                "incident_ref",
            )
        )
    if not draft.lines:
        problems.append(Refusal("details", "Add at least one item to the loan.", "lines"))
    seen: set[int] = set()
    for line in draft.lines:
        if line.item_id in seen:
            problems.append(
                Refusal("details", "An item is listed twice; put it on one line.", "lines")
            )
        seen.add(line.item_id)
        if line.quantity < 1:
            problems.append(Refusal("quantity", "Ask for a quantity of 1 or more.", "quantity"))
    problems.extend(_period_problems(draft.starts_at, draft.due_at, now, emergency_issue))
    return problems


def _period_problems(
    start: datetime | None, end: datetime | None, now: datetime, emergency_issue: bool
) -> list[Refusal]:
    if start is None:
        return [Refusal("period", "Enter when the loan starts.", "starts_at")]
    if end is None:
        return [Refusal("period", "Enter when the kit is due back.", "due_at")]
    for moment, what, field in ((start, "start", "starts_at"), (end, "due time", "due_at")):
        if problem := moment_problem(moment, what):
            return [Refusal("period", problem, field)]
    if end <= start:
        return [
            Refusal(
                "period",
                f"The loan must end after it starts: it starts {format_datetime(start)} but "
                f"ends {format_datetime(end)}. Move the end later.",
                "due_at",
            )
        ]
    if end <= now:
        return [
            Refusal(
                "period",
                f"The due time {format_datetime(end)} has already passed; "
                "choose a time in the future.",
                "due_at",
            )
        ]
    if emergency_issue and start < now - EMERGENCY_BACKDATE:
        return [
            Refusal(
                "period",
                f"An emergency issue can be logged up to {describe_duration(EMERGENCY_BACKDATE)} "
                f"after the kit went out; {format_datetime(start)} is earlier than that. Give "
                "the time it really went out, or ask an administrator to record the loan.",
                "starts_at",
            )
        ]
    if not emergency_issue and start < now - START_GRACE:
        return [
            Refusal(
                "period",
                f"The start {format_datetime(start)} is in the past. Start the loan now or "
                "later; for kit that has already gone out, log an emergency issue.",
                "starts_at",
            )
        ]
    return []


@dataclass
class _LineCheck:
    item: EquipmentItem
    quantity: int
    protocol: SharingProtocol | None


def protocol_for(
    session: Session,
    item: EquipmentItem,
    borrower: Agency,
    today: date,
    *,
    emergency: bool,
) -> tuple[SharingProtocol | None, Refusal | None]:
    """The protocol under which ``borrower`` may borrow ``item`` today, or why there is none.

    An emergency loan is made under an emergency-only protocol where one covers the
    item; a planned loan never is.
    """
    usable = usable_protocols(session, item, today)
    open_to_borrower = [p for p in usable if any(a.id == borrower.id for a in p.borrowers)]
    fitting = [p for p in open_to_borrower if emergency or not p.emergency_only]
    if fitting:
        # Python's sort is stable: the governing order is kept within each group.
        return sorted(fitting, key=lambda p: not p.emergency_only)[0], None
    if open_to_borrower:
        protocol = open_to_borrower[0]
        return None, Refusal(
            "emergency_only",
            f"{borrower.name} may borrow {_label(item)} only in an emergency, under protocol "
            f"“{protocol.name}”. If this is one, mark it as an emergency; otherwise it needs "
            "a protocol for planned loans.",
            "emergency",
        )
    if usable:
        allowed = sorted({a.name for p in usable for a in p.borrowers}) or ["nobody yet"]
        return None, Refusal(
            "borrower",
            f"{borrower.name} is not covered to borrow {_label(item)}: "
            f"{_protocol_names(usable)} {'lets' if len(usable) == 1 else 'let'} only "
            f"{', '.join(allowed)} borrow it. An "
            "administrator must add the agency to a protocol first.",
            "borrower",
        )
    covering = covering_protocols(session, item)
    if covering:
        protocol = covering[0]
        status = status_of(session, protocol.mou, today)
        return None, Refusal(
            "mou",
            f"{_label(item)} is shared under MoU {protocol.mou.reference} v{protocol.mou.version}, "
            f"which is “{status.value}”, not in force. It cannot be lent until the MoU is "
            "renewed or a new version takes effect.",
            "lines",
        )
    return None, Refusal(
        "protocol",
        f"No sharing protocol covers {_label(item)}, so it cannot be lent to another "
        "agency. An administrator must add it (or its category) to a protocol under an MoU "
        "in force.",
        "lines",
    )


def _protocol_names(protocols: Sequence[SharingProtocol]) -> str:
    names = [f"protocol “{p.name}” (MoU {p.mou.reference})" for p in protocols]
    return (
        names[0]
        if len(names) == 1
        else "protocols " + ", ".join(n.removeprefix("protocol ") for n in names)
    )


def _terms_problems(
    protocol: SharingProtocol,
    item: EquipmentItem,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    check_notice: bool,
) -> list[Refusal]:
    """The protocol's longest loan, its notice period and the MoU's expiry."""
    problems: list[Refusal] = []
    length = end - start
    if _hours(length) > protocol.max_loan_hours:
        longest = timedelta(hours=protocol.max_loan_hours)
        problems.append(
            Refusal(
                "max_loan",
                f"Protocol “{protocol.name}” allows loans of {describe_duration(longest)} at "
                f"most; this one is {describe_duration(length)}. Make it due back by "
                f"{format_datetime(start + longest)}, and extend it later if the owner agrees.",
                "due_at",
            )
        )
    notice = timedelta(hours=protocol.notice_hours)
    if check_notice and notice and start - now < notice:
        earliest = now + notice
        problems.append(
            Refusal(
                "notice",
                f"Protocol “{protocol.name}” needs {_notice_words(protocol.notice_hours)} for "
                f"{_label(item)}: asked now, the earliest start is {format_datetime(earliest)}. "
                "Start it then, or mark the request as an emergency.",
                "starts_at",
            )
        )
    expires = protocol.mou.expires_on
    if expires is not None and end.astimezone(UK).date() > expires:
        problems.append(
            Refusal(
                "mou",
                f"MoU {protocol.mou.reference} expires on {format_date(expires)}; a loan under it "
                f"must be back by then. Make it due on or before {format_date(expires)}.",
                "due_at",
            )
        )
    return problems


@cache
def _free_statement() -> Select[Any]:
    period = Period.named()
    return select(available_quantity(EquipmentItem, period)).where(
        EquipmentItem.id == bindparam("item_id")
    )


@cache
def _peak_statement() -> Select[Any]:
    return select(peak_booked(EquipmentItem.id, Period.named())).where(
        EquipmentItem.id == bindparam("item_id")
    )


def free_quantity(
    session: Session, item_id: int, start: datetime, end: datetime, now: datetime
) -> int:
    """Units of the item free for the whole of [start, end), as search shows them."""
    free = session.scalar(_free_statement(), {**Period.values(start, end, now), "item_id": item_id})
    return int(free or 0)


def _clash(
    session: Session, item: EquipmentItem, start: datetime, end: datetime, now: datetime
) -> str:
    """The loan holding a tagged item in the period, in words."""
    row = session.execute(
        select(Loan.id, Loan.starts_at, Loan.due_at, Loan.recall_due_at, Loan.status)
        .join(LoanLine, LoanLine.loan_id == Loan.id)
        .where(
            LoanLine.item_id == item.id,
            LoanLine.holds_stock.is_(True),
            LoanLine.starts_at < end,
            # Ended lines count only while overdue and out, as in the availability rule.
            or_(LoanLine.ends_at > start, and_(Loan.status.in_(OUT), LoanLine.ends_at <= now)),
        )
        .order_by(LoanLine.starts_at)
        .limit(1)
    ).first()
    if row is None:
        return ""
    loan_id, starts, due, recall_due, status = row
    due = recall_due or due
    if status in OUT and due <= now:
        return f" It is out on loan {loan_id}, overdue since {format_datetime(due)}."
    return f" Loan {loan_id} has it from {format_datetime(starts)} to {format_datetime(due)}."


def _availability_problems(
    session: Session,
    item: EquipmentItem,
    quantity: int,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
) -> list[Refusal]:
    if item.status is ItemStatus.RETIRED:
        return [Refusal("status", f"{_label(item)} is retired and cannot be lent.", "lines")]
    if item.status is ItemStatus.OUT_OF_SERVICE:
        return [
            Refusal(
                "status",
                f"{_label(item)} is out of service. It can be booked again once its defect "
                "is cleared or it passes inspection.",
                "lines",
            )
        ]
    if not item.is_pooled and quantity != 1:
        return [Refusal("quantity", f"{_label(item)} is a single item; ask for 1.", "quantity")]
    if quantity > item.quantity:
        return [
            Refusal(
                "quantity",
                f"There are only {item.quantity} of {_label(item)} in all; ask for "
                f"{item.quantity} or fewer.",
                "quantity",
            )
        ]
    free = free_quantity(session, item.id, start, end, now)
    if free >= quantity:
        return []
    return [_conflict_refusal(session, item, free, start, end, now=now)]


def _conflict_refusal(
    session: Session,
    item: EquipmentItem,
    free: int,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
) -> Refusal:
    when = f"between {format_datetime(start)} and {format_datetime(end)}"
    if item.is_pooled:
        message = (
            f"Only {free} of the {item.quantity} {_label(item)} are free {when}. Ask for "
            f"{free} or fewer, or choose other times."
            if free
            else f"None of the {item.quantity} {_label(item)} are free {when}; choose other times."
        )
    else:
        message = (
            f"{_label(item)} is already booked for part of the time {when}."
            f"{_clash(session, item, start, end, now)} Choose other times or another item."
        )
    return Refusal("availability", message, "lines")


def _check_lines(
    session: Session,
    draft: LoanDraft,
    now: datetime,
    *,
    check_notice: bool,
) -> tuple[list[_LineCheck], list[Refusal]]:
    """Each line's item, protocol and availability, for a draft that passed the plain checks."""
    assert draft.borrower_agency_id is not None
    assert draft.starts_at is not None
    assert draft.due_at is not None
    problems: list[Refusal] = []
    borrower = session.get(Agency, draft.borrower_agency_id)
    if borrower is None:
        return [], [Refusal("details", "That agency no longer exists; choose another.", "borrower")]
    if draft.requested_by_id is not None:
        requester = session.get(Person, draft.requested_by_id)
        if requester is None or not requester.is_active:
            problems.append(
                Refusal(
                    "details", "That person is no longer listed; choose another.", "requested_by"
                )
            )
        elif requester.agency_id != borrower.id:
            problems.append(
                Refusal(
                    "requester",
                    f"{requester.full_name} works for {requester.agency.name}, not "
                    f"{borrower.name}; the request must come from the borrowing agency.",
                    "requested_by",
                )
            )
    today = today_uk(now)
    checks: list[_LineCheck] = []
    owners: dict[int, EquipmentItem] = {}
    for line in draft.lines:
        item = session.get(EquipmentItem, line.item_id)
        if item is None:
            problems.append(
                Refusal("details", f"There is no catalogue item with id {line.item_id}.", "lines")
            )
            continue
        owners.setdefault(item.owner_agency_id, item)
        protocol, refusal = protocol_for(session, item, borrower, today, emergency=not check_notice)
        if refusal is not None:
            problems.append(refusal)
        if protocol is not None:
            problems.extend(
                _terms_problems(
                    protocol, item, draft.starts_at, draft.due_at, now, check_notice=check_notice
                )
            )
        problems.extend(
            _availability_problems(
                session, item, line.quantity, draft.starts_at, draft.due_at, now=now
            )
        )
        checks.append(_LineCheck(item=item, quantity=line.quantity, protocol=protocol))
    if len(owners) > 1:
        owner_names = sorted(item.owner_agency.name for item in owners.values())
        problems.append(
            Refusal(
                "lender",
                "Each loan is from one lending agency, who decide what they can spare: "
                f"these items belong to {' and '.join(owner_names)}. Make one request per "
                "agency.",
                "lines",
            )
        )
    return checks, _unique(problems)


def _unique(problems: Iterable[Refusal]) -> list[Refusal]:
    return list(dict.fromkeys(problems))


def _competence_problems(
    session: Session, operator: Person, protocols: Iterable[SharingProtocol], today: date
) -> list[Refusal]:
    """The operator must hold every qualification the protocols require, current today."""
    problems: list[Refusal] = []
    # The record lasting longest decides: a lapsed older one must not hide a renewal.
    held: dict[int, PersonQualification] = {}
    for q in session.scalars(
        select(PersonQualification).where(PersonQualification.person_id == operator.id)
    ):
        best = held.get(q.qualification_type_id)
        if best is None or lasts_longer(q.expires_on, best.expires_on):
            held[q.qualification_type_id] = q
    seen: set[int] = set()
    for protocol in protocols:
        for needed in protocol.required_qualifications:
            if needed.id in seen:
                continue
            seen.add(needed.id)
            record_ = held.get(needed.id)
            why = f"needed under protocol “{protocol.name}”"
            if record_ is None:
                problems.append(
                    Refusal(
                        "competence",
                        f"{operator.full_name} holds no “{needed.name}” ({why}). Name an "
                        "operator who holds it.",
                        "operator",
                    )
                )
            elif record_.issued_on is not None and record_.issued_on > today:
                problems.append(
                    Refusal(
                        "competence",
                        f"{operator.full_name}'s “{needed.name}” only starts on "
                        f"{format_date(record_.issued_on)} ({why}). Name another operator.",
                        "operator",
                    )
                )
            elif record_.expires_on is not None and record_.expires_on < today:
                problems.append(
                    Refusal(
                        "competence",
                        f"{operator.full_name}'s “{needed.name}” expired on "
                        f"{format_date(record_.expires_on)} ({why}). Name an operator whose "
                        "qualification is current.",
                        "operator",
                    )
                )
    return problems


def lasts_longer(a: date | None, b: date | None) -> bool:
    """``a`` lasts longer than ``b`` (no expiry lasts longest)."""
    if a is None:
        return b is not None
    return b is not None and a > b


def issue_blockers(
    session: Session,
    item: EquipmentItem,
    today: date,
    *,
    standings: Sequence[Standing] | None = None,
    defects: Sequence[DefectView] | None = None,
) -> list[Refusal]:
    """Why ``item`` cannot be handed over today: its status, open major or unsafe defects,
    lapsed, failed or missing inspections (``app.inspections.service`` says which).

    The item panel shows exactly this list, and issuing refuses on it; it passes the
    standings and open defects it has already read.
    """
    problems: list[Refusal] = []
    if item.status is ItemStatus.RETIRED:
        problems.append(Refusal("status", f"{_label(item)} is retired.", "lines"))
    if defects is None:
        defects = open_defects(session, [item.id])
    for defect in defects:
        if not defect.blocks_issue:
            continue
        problems.append(
            Refusal(
                "defect",
                f"{_label(item)} has an open {defect.severity.value} defect, reported "
                f"{format_date(defect.reported_at.astimezone(UK).date())}: {defect.description} "
                "It cannot go out until the defect is cleared.",
                "lines",
            )
        )
    if item.status is ItemStatus.OUT_OF_SERVICE and not any(p.rule == "defect" for p in problems):
        problems.append(
            Refusal(
                "status",
                f"{_label(item)} is out of service. An equipment manager must return it to "
                "service before it goes out.",
                "lines",
            )
        )
    if standings is None:
        standings = item_standings(session, item.id, today)
    for standing in standings:
        message = lapsed_problems(standing, _label(item), today)
        if message is not None:
            problems.append(Refusal("inspection", message, "lines"))
    return problems


def _approver_problems(
    approver: Person | None, actor: Actor, loan: Loan, protocols: Iterable[SharingProtocol]
) -> list[Refusal]:
    if approver is None or not approver.is_active:
        return [
            Refusal(
                "approver",
                f"{actor.name}'s account is not linked to anyone listed in People, so it "
                "cannot decide on requests. Ask an administrator to link it to a person.",
                "approver",
            )
        ]
    owner = loan.lines[0].item.owner_agency if loan.lines else None
    if owner is not None and approver.agency_id != owner.id:
        return [
            Refusal(
                "approver",
                f"{approver.full_name} works for {approver.agency.name}; only {owner.name}, "
                "who lend the kit, can decide on this request.",
                "approver",
            )
        ]
    role = actor.role or Role.DUTY_OFFICER
    for protocol in protocols:
        needed = protocol.approver_role
        if RANK[role] >= min(RANK[needed], RANK[Role.EQUIPMENT_MANAGER]):
            continue
        title = protocol.approver_title or _role_name(needed).capitalize()
        return [
            Refusal(
                "approver",
                f"{approver.full_name} cannot decide on this request: protocol “{protocol.name}” "
                f"names {title} ({_role_name(needed)} or above) of "
                f"{owner.name if owner else 'the lender'}, or their equipment manager.",
                "approver",
            )
        ]
    return []


def _status_refusal(loan: Loan, action: str) -> Refusal:
    now_label = STATUS_LABELS[loan.status].lower()
    hints = {
        "approve": "Only a request awaiting approval can be approved.",
        "decline": "Only a request awaiting approval can be declined.",
        "issue": "Only an approved loan can be issued; approve the request first.",
        "return": "Only kit that is out can be returned.",
        "extend": "Only a loan not yet returned, declined or cancelled can be extended.",
        "cancel": "Only a request or an approved loan not yet out can be cancelled.",
        "recall": "Only kit that is out, and not already recalled, can be recalled.",
    }
    return Refusal("state", f"Loan {loan.id} is {now_label}. {hints[action]}")


# -- writing ----------------------------------------------------------------------------


def _lock_items(session: Session, item_ids: Iterable[int]) -> None:
    """Take the items' rows for this transaction (PostgreSQL), always in id order.

    A second booking of the same stock waits here until the first commits, then sees
    its lines. SQLite ignores this: its write lock, taken at BEGIN, already serialises.
    """
    ids = sorted(set(item_ids))
    if ids and session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(EquipmentItem.id)
            .where(EquipmentItem.id.in_(ids))
            .order_by(EquipmentItem.id)
            .with_for_update()
        ).all()


def _flush(session: Session) -> None:
    """Flush, turning the database's last-moment refusals into messages."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise DomainError(STALE_MESSAGE) from exc
    except IntegrityError as exc:
        if OVERLAP_GUARD in str(exc.orig):
            raise LoanConflict(
                [
                    Refusal(
                        "availability",
                        "Someone else booked this item for part of the same time a moment "
                        "ago. Choose other times or another item.",
                        "lines",
                    )
                ]
            ) from exc
        raise


def _confirm_not_overbooked(session: Session, lines: Iterable[LoanLine], now: datetime) -> None:
    """After writing, no moment of each line's period may hold more than the item has.

    This is the guarantee: it reads what is committed plus our own lines, under the
    item lock (PostgreSQL) or the write lock (SQLite), with the definition search uses.
    """
    _flush(session)
    problems: list[Refusal] = []
    for line in lines:
        if not line.holds_stock:
            continue
        item = line.item
        peak = session.scalar(
            _peak_statement(),
            {**Period.values(line.starts_at, line.ends_at, now), "item_id": item.id},
        )
        if int(peak or 0) > item.quantity:
            ours = line.quantity - line.quantity_returned
            free = max(item.quantity - (int(peak or 0) - ours), 0)
            problems.append(
                _conflict_refusal(session, item, free, line.starts_at, line.ends_at, now=now)
            )
    if problems:
        raise LoanConflict(problems)


LOAN_AUDIT_FIELDS = (
    "status",
    "borrower_agency_id",
    "requested_by_id",
    "operator_id",
    "approver_id",
    "purpose",
    "incident_ref",
    "starts_at",
    "due_at",
    "is_emergency",
    "decision_reason",
    "issued_at",
    "returned_at",
    "recalled_at",
    "recall_due_at",
    "recall_reason",
)
LINE_AUDIT_FIELDS = (
    "item_id",
    "quantity",
    "quantity_returned",
    "starts_at",
    "ends_at",
    "holds_stock",
    "condition_out",
    "condition_in",
)


def _snapshot(loan: Loan) -> dict[str, Any]:
    state = snapshot(loan, LOAN_AUDIT_FIELDS)
    state["lines"] = [snapshot(line, LINE_AUDIT_FIELDS) for line in loan.lines]
    return state


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    loan: Loan,
    before: dict[str, Any] | None,
    *,
    note: str | None = None,
) -> None:
    record(
        session,
        actor=actor.name,
        user_id=actor.user_id,
        action=f"loan.{action}",
        entity_type="loan",
        entity_id=loan.id,
        before=before,
        after=_snapshot(loan),
        note=note,
    )


def _refuse_if(problems: Sequence[Refusal]) -> None:
    if not problems:
        return
    if all(p.rule == "availability" for p in problems):
        raise LoanConflict(problems)
    raise LoanRefused(problems)


def _request_problems(
    session: Session, draft: LoanDraft, now: datetime, *, emergency_issue: bool = False
) -> tuple[list[_LineCheck], list[Refusal]]:
    problems = _draft_problems(draft, now, emergency_issue=emergency_issue)
    if problems:
        return [], problems
    return _check_lines(
        session, draft, now, check_notice=not (draft.is_emergency or emergency_issue)
    )


def check_request(db: Database, draft: LoanDraft, *, now: datetime | None = None) -> list[Refusal]:
    """Every rule a request would break, without saving anything (for dialogs, as you type)."""
    draft = clean_fields(draft, multiline=LOAN_MULTILINE)
    with db.read() as session:
        return _request_problems(session, draft, now or now_utc())[1]


def _new_loan(draft: LoanDraft, checks: list[_LineCheck], status: LoanStatus) -> Loan:
    assert draft.borrower_agency_id is not None
    assert draft.starts_at is not None
    assert draft.due_at is not None
    protocol = next((c.protocol for c in checks if c.protocol is not None), None)
    loan = Loan(
        borrower_agency_id=draft.borrower_agency_id,
        requested_by_id=draft.requested_by_id,
        protocol_id=protocol.id if protocol else None,
        mou_id=protocol.mou_id if protocol else None,
        purpose=draft.purpose.strip(),
        incident_ref=draft.incident_ref.strip() or None,
        starts_at=draft.starts_at,
        due_at=draft.due_at,
        status=status,
        is_emergency=draft.is_emergency,
        notes=draft.notes.strip() or None,
    )
    for check in checks:
        loan.lines.append(
            LoanLine(
                item=check.item,
                item_id=check.item.id,
                quantity=check.quantity,
                quantity_returned=0,
                starts_at=draft.starts_at,
                ends_at=draft.due_at,
                holds_stock=True,
                exclusive=not check.item.is_pooled,
            )
        )
    return loan


def request_loan(
    db: Database, draft: LoanDraft, actor: Actor, *, now: datetime | None = None
) -> int:
    """Book kit for a borrowing agency, awaiting approval; returns the loan number.

    Raises ``LoanRefused`` naming every rule broken, or ``LoanConflict`` when the kit is
    taken (possibly by another station a moment ago).
    """
    draft = clean_fields(draft, multiline=LOAN_MULTILINE)
    require(actor, Action.REQUEST_LOAN)
    moment = now or now_utc()
    with db.write() as session:
        _lock_items(session, (line.item_id for line in draft.lines))
        checks, problems = _request_problems(session, draft, moment)
        _refuse_if(problems)
        loan = _new_loan(draft, checks, LoanStatus.REQUESTED)
        session.add(loan)
        # No second look at the peak: the check above ran under the item locks (or
        # SQLite's write lock), so nothing can have been booked in between.
        _flush(session)
        _audit(
            session,
            actor,
            "requested",
            loan,
            None,
            note="emergency" if draft.is_emergency else None,
        )
        return loan.id


def approve_loan(db: Database, loan_id: int, actor: Actor, *, now: datetime | None = None) -> None:
    """Approve a request: the signed-in ``actor`` decides, if the protocol allows them to."""
    _decide(db, loan_id, actor, now=now, approve=True, reason="")


def decline_loan(
    db: Database, loan_id: int, reason: str, actor: Actor, *, now: datetime | None = None
) -> None:
    """Decline a request with a reason the borrower will read; the kit is freed."""
    reason = clean_text(reason, multiline=True)
    _decide(db, loan_id, actor, now=now, approve=False, reason=reason)


def _decide(
    db: Database,
    loan_id: int,
    actor: Actor,
    *,
    now: datetime | None,
    approve: bool,
    reason: str,
) -> None:
    moment = now or now_utc()
    action = "approve" if approve else "decline"
    require(actor, Action.DECIDE_LOAN)
    with db.write() as session:
        loan = _load(session, loan_id, lock=True)
        if loan.status is not LoanStatus.REQUESTED:
            raise LoanRefused([_status_refusal(loan, action)])
        approver = session.get(Person, actor.person_id) if actor.person_id is not None else None
        covered, uncovered = _coverage(session, loan, moment)
        problems = _approver_problems(approver, actor, loan, _protocols(covered, loan))
        reason = reason.strip()
        if not approve and not reason:
            problems.append(
                Refusal(
                    "details",
                    "Give the reason for declining, such as “Needed for our own operation”; "
                    "the borrower will read it.",
                    "reason",
                )
            )
        if approve:
            problems.extend(uncovered)
        _refuse_if(problems)
        assert approver is not None
        before = _snapshot(loan)
        loan.status = LoanStatus.APPROVED if approve else LoanStatus.DECLINED
        loan.approver_id = approver.id
        loan.decided_by_id = actor.user_id
        loan.decided_at = moment
        loan.decision_reason = reason or None
        if not approve:
            for line in loan.lines:
                line.holds_stock = False
        _flush(session)
        _audit(
            session, actor, "approved" if approve else "declined", loan, before, note=reason or None
        )


def _coverage(
    session: Session, loan: Loan, now: datetime
) -> tuple[list[tuple[LoanLine, SharingProtocol]], list[Refusal]]:
    """The protocols each line is lent under today, and why any line no longer is.

    The MoU may have expired, or the protocol changed, since the request was made, so
    approving and issuing ask again.
    """
    today = today_uk(now)
    covered: list[tuple[LoanLine, SharingProtocol]] = []
    problems: list[Refusal] = []
    for line in loan.lines:
        protocol, refusal = protocol_for(
            session, line.item, loan.borrower_agency, today, emergency=loan.is_emergency
        )
        if protocol is not None:
            covered.append((line, protocol))
        if refusal is not None:
            problems.append(refusal)
    return covered, _unique(problems)


def _protocols(
    covered: Sequence[tuple[LoanLine, SharingProtocol]], loan: Loan
) -> list[SharingProtocol]:
    """The protocols the lines are lent under, or the one stored if none covers them now."""
    found = list(dict.fromkeys(protocol for _, protocol in covered))
    return found or ([loan.protocol] if loan.protocol is not None else [])


def _handover_problems(
    session: Session,
    handover: Handover,
    items: Sequence[EquipmentItem],
    protocols: Iterable[SharingProtocol],
    now: datetime,
) -> list[Refusal]:
    """The safety rules of a hand-over: the operator's competence and each item's state."""
    today = today_uk(now)
    problems: list[Refusal] = []
    operator = session.get(Person, handover.operator_id) if handover.operator_id else None
    if operator is None or not operator.is_active:
        problems.append(Refusal("details", "Name the operator who will use the kit.", "operator"))
    else:
        problems.extend(_competence_problems(session, operator, protocols, today))
    for field, person_id in (
        ("handed_over_by", handover.handed_over_by_id),
        ("received_by", handover.received_by_id),
    ):
        if person_id is not None and session.get(Person, person_id) is None:
            problems.append(Refusal("details", "That person is no longer listed.", field))
    for item in items:
        problems.extend(issue_blockers(session, item, today))
        problems.extend(_readings_problems(item, handover.for_item(item.id).readings))
    return _unique(problems)


def _readings_problems(item: EquipmentItem, readings: Readings) -> list[Refusal]:
    problems: list[Refusal] = []
    for name, value in (("fuel", readings.fuel_percent), ("battery", readings.battery_percent)):
        if value is not None and not 0 <= value <= 100:
            problems.append(
                Refusal(
                    "readings",
                    f"Enter the {name} level of {item.asset_tag} as a percentage from 0 to 100.",
                    name,
                )
            )
    for name, value in (("hours", readings.hours), ("mileage", readings.mileage)):
        if value is not None and value < 0:
            problems.append(
                Refusal(
                    "readings", f"The {name} reading of {item.asset_tag} cannot be negative.", name
                )
            )
    return problems


def _apply_handover(loan: Loan, handover: Handover, now: datetime) -> None:
    loan.operator_id = handover.operator_id
    loan.handed_over_by_id = handover.handed_over_by_id
    loan.received_by_id = handover.received_by_id or handover.operator_id
    loan.issued_at = now
    loan.status = LoanStatus.ISSUED
    for line in loan.lines:
        out = handover.for_item(line.item_id)
        line.condition_out = out.condition or line.item.condition
        line.accessories_out = (
            out.accessories if out.accessories is not None else line.item.accessories
        )
        line.fuel_out_percent = out.readings.fuel_percent
        line.hours_out = out.readings.hours
        line.battery_out_percent = out.readings.battery_percent
        line.mileage_out = out.readings.mileage
        if not line.item.is_pooled:
            line.item.status = ItemStatus.ON_LOAN


def _issue_problems(
    session: Session, loan: Loan, handover: Handover, now: datetime
) -> list[Refusal]:
    if loan.status is not LoanStatus.APPROVED:
        return [_status_refusal(loan, "issue")]
    covered, problems = _coverage(session, loan, now)
    problems += _handover_problems(
        session, handover, [line.item for line in loan.lines], _protocols(covered, loan), now
    )
    if effective_due(loan) <= now:
        problems.append(
            Refusal(
                "period",
                f"Loan {loan.id} was due back {format_datetime(effective_due(loan))}, before "
                "it went out. Extend it first, or make a new request.",
                "due_at",
            )
        )
    return _unique(problems)


def check_issue(
    db: Database, loan_id: int, handover: Handover, *, now: datetime | None = None
) -> list[Refusal]:
    """Every rule issuing this loan would break, without saving anything."""
    handover = clean_fields(handover, multiline=LOAN_MULTILINE)
    with db.read() as session:
        return _issue_problems(session, _load(session, loan_id), handover, now or now_utc())


def issue_loan(
    db: Database, loan_id: int, handover: Handover, actor: Actor, *, now: datetime | None = None
) -> None:
    """Hand an approved loan's kit over to the borrower's operator."""
    handover = clean_fields(handover, multiline=LOAN_MULTILINE)
    require(actor, Action.ISSUE_LOAN)
    moment = now or now_utc()
    with db.write() as session:
        loan = _load(session, loan_id, lock=True)
        _lock_items(session, (line.item_id for line in loan.lines))
        _refuse_if(_issue_problems(session, loan, handover, moment))
        before = _snapshot(loan)
        early = loan.starts_at > moment
        if early:
            # Collected before the booked start: the kit is held from now.
            loan.starts_at = moment
            for line in loan.lines:
                line.starts_at = moment
        _apply_handover(loan, handover, moment)
        if early:
            _confirm_not_overbooked(session, loan.lines, moment)
        _flush(session)
        _audit(session, actor, "issued", loan, before)


def check_emergency_issue(
    db: Database, draft: LoanDraft, handover: Handover, *, now: datetime | None = None
) -> list[Refusal]:
    """Every rule an emergency issue would break, without saving anything."""
    draft = clean_fields(draft, multiline=LOAN_MULTILINE)
    handover = clean_fields(handover, multiline=LOAN_MULTILINE)
    moment = now or now_utc()
    with db.read() as session:
        return _emergency_problems(session, _as_emergency(draft, moment), handover, moment)[1]


def _as_emergency(draft: LoanDraft, now: datetime) -> LoanDraft:
    """The draft as it will be booked: from now at the latest, marked emergency."""
    start = draft.starts_at
    if start is not None and start > now:
        start = now
    return LoanDraft(
        borrower_agency_id=draft.borrower_agency_id,
        requested_by_id=draft.requested_by_id,
        purpose=draft.purpose,
        starts_at=start,
        due_at=draft.due_at,
        lines=draft.lines,
        incident_ref=draft.incident_ref,
        is_emergency=True,
        notes=draft.notes,
    )


def _emergency_problems(
    session: Session, draft: LoanDraft, handover: Handover, now: datetime
) -> tuple[list[_LineCheck], list[Refusal]]:
    checks, problems = _request_problems(session, draft, now, emergency_issue=True)
    if not checks and problems:
        return checks, problems
    protocols = [c.protocol for c in checks if c.protocol is not None]
    problems = problems + _handover_problems(
        session, handover, [c.item for c in checks], protocols, now
    )
    return checks, _unique(problems)


def emergency_issue(
    db: Database, draft: LoanDraft, handover: Handover, actor: Actor, *, now: datetime | None = None
) -> int:
    """Log kit straight out, with no prior request; the same safety rules apply.

    The loan runs from the given start (or now, if that is later than now) and is noted
    as an emergency; the notice period and approval are waived. Returns the loan number.
    """
    draft = clean_fields(draft, multiline=LOAN_MULTILINE)
    handover = clean_fields(handover, multiline=LOAN_MULTILINE)
    require(actor, Action.ISSUE_LOAN)
    moment = now or now_utc()
    booked = _as_emergency(draft, moment)
    with db.write() as session:
        _lock_items(session, (line.item_id for line in booked.lines))
        checks, problems = _emergency_problems(session, booked, handover, moment)
        _refuse_if(problems)
        loan = _new_loan(booked, checks, LoanStatus.ISSUED)
        session.add(loan)
        _apply_handover(loan, handover, moment)
        _flush(session)  # checked above, under the locks, as for a request
        _audit(
            session,
            actor,
            "emergency_issued",
            loan,
            None,
            note="Emergency: issued without a prior request",
        )
        return loan.id


def check_return(
    db: Database,
    loan_id: int,
    lines: Sequence[LineReturn],
    *,
    returned_to_id: int | None = None,
) -> list[Refusal]:
    """Every rule taking this kit back would break, without saving anything."""
    lines = [clean_fields(line, multiline=LOAN_MULTILINE) for line in lines]
    with db.read() as session:
        loan = _load(session, loan_id)
        if loan.status not in OUT:
            return [_status_refusal(loan, "return")]
        by_id = {line.id: line for line in loan.lines}
        return _return_problems(session, lines, by_id, returned_to_id)


def return_loan(
    db: Database,
    loan_id: int,
    actor: Actor,
    *,
    lines: Sequence[LineReturn] | None = None,
    returned_to_id: int | None = None,
    now: datetime | None = None,
) -> LoanStatus:
    """Take kit back: all of it (``lines`` None) or what ``lines`` say; returns the new status.

    A pooled line can come back a few at a time; the rest stays on loan. A defect found
    is recorded against the item and takes it out of service until it is cleared.
    """
    if lines is not None:
        lines = [clean_fields(line, multiline=LOAN_MULTILINE) for line in lines]
    require(actor, Action.RETURN_LOAN)
    moment = now or now_utc()
    with db.write() as session:
        loan = _load(session, loan_id, lock=True)
        if loan.status not in OUT:
            raise LoanRefused([_status_refusal(loan, "return")])
        by_id = {line.id: line for line in loan.lines}
        returns = (
            list(lines)
            if lines is not None
            else [
                LineReturn(line_id=line.id, quantity=line.quantity - line.quantity_returned)
                for line in loan.lines
                if line.quantity > line.quantity_returned
            ]
        )
        problems = _return_problems(session, returns, by_id, returned_to_id)
        _refuse_if(problems)
        before = _snapshot(loan)
        returner = session.get(Person, returned_to_id) if returned_to_id else None
        for back in returns:
            line = by_id[back.line_id]
            _apply_return(session, loan, line, back, returner=returner, now=moment)
        everything_back = all(line.quantity_returned == line.quantity for line in loan.lines)
        loan.status = LoanStatus.RETURNED if everything_back else LoanStatus.PARTLY_RETURNED
        loan.returned_to_id = returned_to_id or loan.returned_to_id
        if everything_back:
            loan.returned_at = moment
        _flush(session)
        action = "returned" if everything_back else "partly_returned"
        _audit(session, actor, action, loan, before)
        return loan.status


def _return_problems(
    session: Session,
    returns: Sequence[LineReturn],
    by_id: dict[int, LoanLine],
    returned_to_id: int | None,
) -> list[Refusal]:
    problems: list[Refusal] = []
    if not returns or all(r.quantity == 0 for r in returns):
        problems.append(
            Refusal("quantity", "Say how many of each item have come back.", "quantity")
        )
    if returned_to_id is not None and session.get(Person, returned_to_id) is None:
        problems.append(Refusal("details", "That person is no longer listed.", "returned_to"))
    for back in returns:
        line = by_id.get(back.line_id)
        if line is None:
            problems.append(
                Refusal("details", f"Line {back.line_id} is not on this loan.", "lines")
            )
            continue
        outstanding = line.quantity - line.quantity_returned
        if back.quantity < 0 or back.quantity > outstanding:
            problems.append(
                Refusal(
                    "quantity",
                    f"{outstanding} of {_label(line.item)} are still out; enter a number "
                    f"from 0 to {outstanding}.",
                    "quantity",
                )
            )
        problems.extend(_readings_problems(line.item, back.readings))
    return problems


def _apply_return(
    session: Session,
    loan: Loan,
    line: LoanLine,
    back: LineReturn,
    *,
    returner: Person | None,
    now: datetime,
) -> None:
    if back.quantity == 0 and not back.defect.strip():
        return
    item = line.item
    line.quantity_returned += back.quantity
    if back.condition is not None:
        line.condition_in = back.condition
        item.condition = back.condition
    if back.accessories is not None:
        line.accessories_in = back.accessories
    readings = back.readings
    line.fuel_in_percent = (
        readings.fuel_percent if readings.fuel_percent is not None else line.fuel_in_percent
    )
    line.hours_in = readings.hours if readings.hours is not None else line.hours_in
    line.battery_in_percent = (
        readings.battery_percent
        if readings.battery_percent is not None
        else line.battery_in_percent
    )
    line.mileage_in = readings.mileage if readings.mileage is not None else line.mileage_in
    fully_back = line.quantity_returned == line.quantity
    if fully_back:
        line.holds_stock = False
    if back.defect.strip():
        session.add(
            Defect(
                item_id=item.id,
                source=DefectSource.RETURN,
                severity=back.defect_severity,
                description=back.defect.strip(),
                reported_at=now,
                reported_by_id=returner.id if returner else None,
                loan_id=loan.id,
            )
        )
    if fully_back and not item.is_pooled and item.status is ItemStatus.ON_LOAN:
        item.status = ItemStatus.AVAILABLE
    # An unsafe defect takes the item out of service, whether or not all of it is back.
    settle_status(session, item)


def extend_loan(
    db: Database,
    loan_id: int,
    new_due: datetime,
    actor: Actor,
    *,
    reason: str = "",
    now: datetime | None = None,
) -> None:
    """Move a loan's due time later, if the kit is free and the protocol allows."""
    reason = clean_text(reason, multiline=True)
    require(actor, Action.EXTEND_LOAN)
    moment = now or now_utc()
    if problem := moment_problem(new_due, "new due time"):
        raise LoanRefused([Refusal("period", problem, "due_at")])
    with db.write() as session:
        loan = _load(session, loan_id, lock=True)
        if loan.status not in (LoanStatus.REQUESTED, LoanStatus.APPROVED, *OUT):
            raise LoanRefused([_status_refusal(loan, "extend")])
        _lock_items(session, (line.item_id for line in loan.lines))
        problems: list[Refusal] = []
        if loan.recalled_at is not None:
            problems.append(
                Refusal(
                    "state",
                    f"Loan {loan.id} was recalled by the owner ({loan.recall_reason}); it must "
                    f"be back by {format_datetime(effective_due(loan))} and cannot be extended.",
                    "due_at",
                )
            )
        elif new_due <= loan.due_at:
            problems.append(
                Refusal(
                    "period",
                    f"An extension must be later than the current due time, "
                    f"{format_datetime(loan.due_at)}.",
                    "due_at",
                )
            )
        elif new_due <= moment:
            problems.append(
                Refusal(
                    "period", "The new due time has already passed; choose a later one.", "due_at"
                )
            )
        else:
            for line, protocol in _coverage(session, loan, moment)[0]:
                problems.extend(
                    _terms_problems(
                        protocol, line.item, loan.starts_at, new_due, moment, check_notice=False
                    )
                )
        _refuse_if(_unique(problems))
        before = _snapshot(loan)
        loan.due_at = new_due
        for line in loan.lines:
            if line.holds_stock:
                line.ends_at = new_due
        _confirm_not_overbooked(session, loan.lines, moment)
        _audit(session, actor, "extended", loan, before, note=reason.strip() or None)


def cancel_loan(
    db: Database, loan_id: int, actor: Actor, *, reason: str = "", now: datetime | None = None
) -> None:
    """Withdraw a request or an approved loan before the kit goes out; the kit is freed."""
    reason = clean_text(reason, multiline=True)
    require(actor, Action.CANCEL_LOAN)
    with db.write() as session:
        loan = _load(session, loan_id, lock=True)
        if loan.status not in (LoanStatus.REQUESTED, LoanStatus.APPROVED):
            raise LoanRefused([_status_refusal(loan, "cancel")])
        before = _snapshot(loan)
        loan.status = LoanStatus.CANCELLED
        for line in loan.lines:
            line.holds_stock = False
        _flush(session)
        _audit(session, actor, "cancelled", loan, before, note=reason.strip() or None)


def recall_loan(
    db: Database,
    loan_id: int,
    due_back: datetime,
    reason: str,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> None:
    """The owner needs the kit back for a live incident: flag the loan with a new due time."""
    reason = clean_text(reason, multiline=True)
    require(actor, Action.RECALL_LOAN)
    moment = now or now_utc()
    if problem := moment_problem(due_back, "recall time"):
        raise LoanRefused([Refusal("period", problem, "due_at")])
    with db.write() as session:
        loan = _load(session, loan_id, lock=True)
        if loan.status not in OUT or loan.recalled_at is not None:
            raise LoanRefused([_status_refusal(loan, "recall")])
        problems: list[Refusal] = []
        if not reason.strip():
            problems.append(
                Refusal(
                    "details",
                    "Say why the kit is needed back, such as the incident it is needed for.",
                    "reason",
                )
            )
        if due_back < moment - START_GRACE:
            problems.append(
                Refusal("period", "The recall time has passed; give a time from now on.", "due_at")
            )
        elif due_back >= loan.due_at:
            problems.append(
                Refusal(
                    "period",
                    f"A recall brings the due time forward: give a time before "
                    f"{format_datetime(loan.due_at)}.",
                    "due_at",
                )
            )
        _refuse_if(problems)
        before = _snapshot(loan)
        due_back = max(due_back, loan.starts_at + timedelta(minutes=1))
        loan.recalled_at = moment
        loan.recall_due_at = due_back
        loan.recall_reason = reason.strip()
        for line in loan.lines:
            if line.holds_stock:
                line.ends_at = due_back
        _flush(session)
        _audit(session, actor, "recalled", loan, before, note=reason.strip())


# -- choices and defaults for the dialogs ------------------------------------------------


@dataclass(frozen=True)
class LoanChoices:
    """Agencies and people the loan dialogs offer, in name order."""

    agencies: tuple[tuple[int, str], ...]
    people: tuple[PersonRef, ...]

    def people_of(self, agency_id: int | None) -> tuple[PersonRef, ...]:
        return tuple(p for p in self.people if p.agency_id == agency_id)


def loan_choices(db: Database) -> LoanChoices:
    """The same lists ``kitshare-admin`` matches names against."""
    return LoanChoices(
        agencies=tuple((a.id, a.name) for a in list_agencies(db)),
        people=tuple(list_people(db)),
    )


@dataclass(frozen=True)
class RequestDefaults:
    """What a new request for one item starts with."""

    item_id: int
    borrower_ids: tuple[int, ...]  # agencies the governing protocol lets borrow it
    starts_at: datetime
    due_at: datetime
    notice_hours: int
    max_loan_hours: int
    protocol: str
    owner_agency_id: int
    free_now: int
    readings: Readings  # the last readings taken back, to pre-fill a hand-over


DEFAULT_LOAN = timedelta(hours=24)
FORM_TIME = timedelta(minutes=10)


def request_defaults(db: Database, item_id: int, *, now: datetime | None = None) -> RequestDefaults:
    """A sensible start, end and borrower list for a request, from the item's protocol."""
    moment = now or now_utc()
    with db.read() as session:
        item = session.get(EquipmentItem, item_id)
        if item is None:
            raise NotFound(f"There is no catalogue item with id {item_id}.")
        protocols = usable_protocols(session, item, today_uk(moment))
        protocol = protocols[0] if protocols else None
        # The first quarter hour after the notice period, with time to fill the form in,
        # so the start suggested is still acceptable when the person presses OK.
        notice = timedelta(hours=protocol.notice_hours if protocol else 0)
        earliest = (moment + notice + FORM_TIME).astimezone(UK)
        quarter = 15 * 60
        seconds = earliest.minute * 60 + earliest.second + earliest.microsecond / 1e6
        start = earliest.replace(minute=0, second=0, microsecond=0) + timedelta(
            seconds=-(-seconds // quarter) * quarter
        )
        longest = timedelta(hours=protocol.max_loan_hours) if protocol else DEFAULT_LOAN
        due = start + min(longest, DEFAULT_LOAN)
        borrowers: list[int] = []
        for p in protocols:
            borrowers.extend(
                a.id for a in sorted(p.borrowers, key=lambda a: a.name) if a.id not in borrowers
            )
        last = session.scalars(
            select(LoanLine)
            .where(LoanLine.item_id == item.id, LoanLine.quantity_returned > 0)
            .order_by(LoanLine.id.desc())
            .limit(1)
        ).first()
        readings = (
            Readings(
                fuel_percent=last.fuel_in_percent,
                hours=last.hours_in,
                battery_percent=last.battery_in_percent,
                mileage=last.mileage_in,
            )
            if last
            else Readings()
        )
        return RequestDefaults(
            item_id=item.id,
            borrower_ids=tuple(borrowers),
            starts_at=start,
            due_at=due,
            notice_hours=protocol.notice_hours if protocol else 0,
            max_loan_hours=protocol.max_loan_hours if protocol else 0,
            protocol=protocol.name if protocol else "",
            owner_agency_id=item.owner_agency_id,
            free_now=free_quantity(session, item.id, moment, moment + timedelta(minutes=1), moment),
            readings=readings,
        )


def open_lines_of_item(db: Database, item_id: int) -> list[int]:
    """The loans that have this item out now, oldest first (for "Return" from the panel)."""
    with db.read() as session:
        return list(
            session.scalars(
                select(Loan.id)
                .join(LoanLine, LoanLine.loan_id == Loan.id)
                .where(
                    LoanLine.item_id == item_id,
                    Loan.status.in_(OUT),
                    LoanLine.quantity_returned < LoanLine.quantity,
                )
                .order_by(Loan.starts_at)
            )
        )


# -- the item panel's timeline ---------------------------------------------------------


@dataclass(frozen=True)
class DayAvailability:
    day: date
    free: int
    quantity: int


def availability_timeline(
    db: Database, item_id: int, *, days: int = 21, now: datetime | None = None
) -> tuple[DayAvailability, ...]:
    """How many of the item are free for the whole of each UK day, from today on."""
    moment = now or now_utc()
    today = today_uk(moment)
    with db.read() as session:
        item = session.get(EquipmentItem, item_id)
        if item is None:
            raise NotFound(f"There is no catalogue item with id {item_id}.")
        result: list[DayAvailability] = []
        for offset in range(days):
            day = today + timedelta(days=offset)
            start = max(datetime.combine(day, time(0), tzinfo=UK), moment)
            end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UK)
            result.append(
                DayAvailability(
                    day=day,
                    free=free_quantity(session, item.id, start, end, moment),
                    quantity=item.quantity,
                )
            )
        return tuple(result)
