"""The booking rules of a loan, checked before anything is written: the draft's own
details and period, the protocol that lends each item and its terms, the stock free
for the period, who may decide, and what a loan's status allows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from app.agreements.status import covering_protocols, status_of, usable_protocols
from app.catalogue.availability import Period, available_quantity
from app.core.actor import Actor
from app.core.checks import text_problems
from app.core.clock import UK, format_date, format_datetime, moment_problem, today_uk
from app.core.errors import Refusal
from app.core.permissions import RANK
from app.core.text import and_listed
from app.core.vocabulary import label
from app.loans.drafts import LoanDraft
from app.loans.views import describe_duration
from models import (
    OUT_STATUSES,
    Agency,
    EquipmentItem,
    ItemStatus,
    Kit,
    Loan,
    LoanLine,
    Person,
    Role,
    SharingProtocol,
)

# A request may start this long before the moment it is saved: the time it takes to
# fill the form in, so "now" typed when the dialog opened is still accepted.
START_GRACE = timedelta(minutes=15)
# Kit that went out in the night is logged in the morning, but not weeks later.
EMERGENCY_BACKDATE = timedelta(hours=24)
PURPOSE_MAX = 2000
INCIDENT_REF_MAX = 60


def _hours(span: timedelta) -> float:
    return span.total_seconds() / 3600


def _notice_words(hours: int) -> str:
    return "1 hour's notice" if hours == 1 else f"{hours} hours' notice"


def item_label(item: EquipmentItem) -> str:
    return f"{item.asset_tag} “{item.name}”"


def _draft_problems(draft: LoanDraft, now: datetime, *, emergency_issue: bool) -> list[Refusal]:
    """Rules that need nothing from the database."""
    problems: list[Refusal] = []
    if draft.borrower_agency_id is None:
        problems.append(Refusal("details", "Choose the borrowing agency.", "borrower"))
    if draft.requested_by_id is None and not emergency_issue:
        problems.append(Refusal("details", "Choose the person making the request.", "requested_by"))
    texts = [
        *text_problems(
            draft.purpose,
            field="purpose",
            limit=PURPOSE_MAX,
            what="The purpose",
            missing="Say what the kit is for, such as “Missing person search, Ouse Washes”.",
        ),
        *text_problems(
            draft.incident_ref,
            field="incident_ref",
            limit=INCIDENT_REF_MAX,
            what="The incident reference",
        ),
    ]
    # Details still to fill in, as the form shows them, rather than rules broken.
    problems.extend(replace(p, rule="details") for p in texts)
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
class LineCheck:
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
    if borrower.id == item.owner_agency_id:
        return None, owner_refusal(item, borrower)
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
            f"{borrower.name} may borrow {item_label(item)} only in an emergency, under protocol "
            f"“{protocol.name}”. If this is one, mark it as an emergency; otherwise it needs "
            "a protocol for planned loans.",
            "emergency",
        )
    if usable:
        allowed = [a.name for a in borrowing_agencies(item, usable, emergency=emergency)] or [
            "nobody yet"
        ]
        return None, Refusal(
            "borrower",
            f"{borrower.name} is not covered to borrow {item_label(item)}: "
            f"{_protocol_names(usable)} {'lets' if len(usable) == 1 else 'let'} only "
            f"{', '.join(allowed)} borrow it. An "
            "administrator must add the agency to a protocol first.",
            "borrower",
        )
    return None, _uncovered_refusal(session, item, today)


def owner_refusal(item: EquipmentItem, borrower: Agency) -> Refusal:
    """An agency never borrows what it owns: a sharing protocol lends to others."""
    return Refusal(
        "owner",
        f"{borrower.name} owns {item.asset_tag}: an agency does not borrow its own kit. "
        "Choose the agency taking it.",
        "borrower",
    )


def borrowing_agencies(
    item: EquipmentItem, usable: Sequence[SharingProtocol], *, emergency: bool
) -> list[Agency]:
    """The agencies ``usable`` protocols let borrow ``item``, in name order: never its
    owner, and those of an emergency-only protocol only for an ``emergency``.

    The item panel's "Who may borrow", the loan forms' borrower list and the refusal
    naming who may all read this one list.
    """
    found = {
        a.id: a
        for p in usable
        if emergency or not p.emergency_only
        for a in p.borrowers
        if a.id != item.owner_agency_id
    }
    return sorted(found.values(), key=lambda a: a.name)


def unlendable_refusal(
    session: Session,
    item: EquipmentItem,
    today: date,
    usable: Sequence[SharingProtocol] | None = None,
) -> Refusal | None:
    """Why ``item`` cannot be lent to any agency today, or None if some protocol lends it:
    retired, covered by no protocol, or shared only under an MoU not in force.
    ``usable`` is ``usable_protocols`` for the item today, when the caller has it."""
    if item.status is ItemStatus.RETIRED:
        return Refusal("status", f"{item_label(item)} is retired and cannot be lent.", "lines")
    if usable is None:
        usable = usable_protocols(session, item, today)
    if usable:
        return None
    return _uncovered_refusal(session, item, today)


def _uncovered_refusal(session: Session, item: EquipmentItem, today: date) -> Refusal:
    """Why no usable protocol lends ``item`` today: its MoU is not in force, or none covers it."""
    covering = covering_protocols(session, item)
    if covering:
        protocol = covering[0]
        status = status_of(session, protocol.mou, today)
        return Refusal(
            "mou",
            f"{item_label(item)} is shared under MoU {protocol.mou.reference} "
            f"v{protocol.mou.version}, which is “{status.value}”, not in force. It cannot be "
            "lent until the MoU is renewed or a new version takes effect.",
            "lines",
        )
    return Refusal(
        "protocol",
        f"No sharing protocol covers {item_label(item)}, so it cannot be lent to another "
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


def items_named(items: Sequence[EquipmentItem]) -> str:
    """ "CFR-D1 “Drone”", "CFR-D1 “Drone” and CFR-B1 “Barriers”": the items a refusal
    is about, so that on a loan of several (a kit's members) it names each."""
    return and_listed([item_label(item) for item in items])


def lender_refusal(owners: Sequence[str]) -> Refusal | None:
    """A loan's items belong to each of ``owners`` (each named once, in the order met):
    a loan is lent by one agency, who decide what they can spare, so more is refused."""
    if len(owners) < 2:
        return None
    return Refusal(
        "lender",
        f"A loan is lent by one agency: these items belong to {and_listed(owners)}. Choose "
        "items of one agency, or ask for each agency's items in a request of its own.",
        "lines",
    )


def lent_under(
    pairs: Iterable[tuple[Any, SharingProtocol]],
) -> list[tuple[SharingProtocol, list[EquipmentItem]]]:
    """The protocols of (line or check, protocol) pairs, each with the items it lends, in
    the order first met: each protocol's terms are checked once for all its items."""
    grouped: dict[int, tuple[SharingProtocol, list[EquipmentItem]]] = {}
    for holder, protocol in pairs:
        grouped.setdefault(protocol.id, (protocol, []))[1].append(holder.item)
    return list(grouped.values())


def terms_problems(
    protocol: SharingProtocol,
    items: Sequence[EquipmentItem],
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    check_notice: bool,
) -> list[Refusal]:
    """The protocol's longest loan, its notice period and the MoU's expiry, for the
    ``items`` it lends on this loan. Each protocol of a loan is checked for its own
    items, so the strictest of them decides, and its refusal names them."""
    problems: list[Refusal] = []
    named = items_named(items)
    length = end - start
    if _hours(length) > protocol.max_loan_hours:
        longest = timedelta(hours=protocol.max_loan_hours)
        problems.append(
            Refusal(
                "max_loan",
                f"Protocol “{protocol.name}” allows loans of {describe_duration(longest)} at "
                f"most; this one is {describe_duration(length)}. Make it due back by "
                f"{format_datetime(start + longest)} (the protocol lends {named}), and extend "
                "it later if the owner agrees.",
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
                f"{named}: asked now, the earliest start is "
                f"{format_datetime(earliest)}. Start it then, or mark the request as an emergency.",
                "starts_at",
            )
        )
    expires = protocol.mou.expires_on
    if expires is not None and end.astimezone(UK).date() > expires:
        problems.append(
            Refusal(
                "mou",
                f"MoU {protocol.mou.reference} expires on {format_date(expires)}; a loan of "
                f"{named} under it must be back by then. Make it due on or before "
                f"{format_date(expires)}.",
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
            or_(
                LoanLine.ends_at > start,
                and_(Loan.status.in_(OUT_STATUSES), LoanLine.ends_at <= now),
            ),
        )
        .order_by(LoanLine.starts_at)
        .limit(1)
    ).first()
    if row is None:
        return ""
    loan_id, starts, due, recall_due, status = row
    due = recall_due or due
    if status in OUT_STATUSES and due <= now:
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
        return [Refusal("status", f"{item_label(item)} is retired and cannot be lent.", "lines")]
    if item.status is ItemStatus.OUT_OF_SERVICE:
        return [
            Refusal(
                "status",
                f"{item_label(item)} is out of service. It can be booked again once its defect "
                "is cleared or it passes inspection.",
                "lines",
            )
        ]
    if stock := stock_problems(item, quantity):
        return stock
    free = free_quantity(session, item.id, start, end, now)
    if free >= quantity:
        return []
    return [conflict_refusal(session, item, free, start, end, now=now)]


def stock_problems(item: EquipmentItem, quantity: int) -> list[Refusal]:
    """Asking for more than the item is: whatever the period or the borrower."""
    if not item.is_pooled and quantity != 1:
        return [Refusal("quantity", f"{item_label(item)} is a single item; ask for 1.", "quantity")]
    if quantity > item.quantity:
        return [
            Refusal(
                "quantity",
                f"There are only {item.quantity} of {item_label(item)} in all; ask for "
                f"{item.quantity} or fewer.",
                "quantity",
            )
        ]
    return []


def conflict_refusal(
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
            f"Only {free} of the {item.quantity} {item_label(item)} are free {when}. Ask for "
            f"{free} or fewer, or choose other times."
            if free
            else f"None of the {item.quantity} {item_label(item)} are free {when}; "
            "choose other times."
        )
    else:
        message = (
            f"{item_label(item)} is already booked for part of the time {when}."
            f"{_clash(session, item, start, end, now)} Choose other times or another item."
        )
    return Refusal("availability", message, "lines")


def _check_lines(
    session: Session,
    draft: LoanDraft,
    now: datetime,
    *,
    check_notice: bool,
) -> tuple[list[LineCheck], list[Refusal]]:
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
    checks: list[LineCheck] = []
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
        problems.extend(
            _availability_problems(
                session, item, line.quantity, draft.starts_at, draft.due_at, now=now
            )
        )
        checks.append(LineCheck(item=item, quantity=line.quantity, protocol=protocol))
    for protocol, items in lent_under((c, c.protocol) for c in checks if c.protocol is not None):
        problems.extend(
            terms_problems(
                protocol, items, draft.starts_at, draft.due_at, now, check_notice=check_notice
            )
        )
    problems.extend(kit_problems(session, draft, owners))
    if lender := lender_refusal([item.owner_agency.name for item in owners.values()]):
        problems.append(lender)
    return checks, unique_problems(problems)


def kit_problems(
    session: Session, draft: LoanDraft, owners: dict[int, EquipmentItem]
) -> list[Refusal]:
    """A loan drafted from a kit (``app.kits.lending``) is of a kit in use, and of its
    owner's items: a member left out or stood in for by another of the owner's items is
    still a loan of that kit."""
    if draft.kit_id is None:
        return []
    kit = session.get(Kit, draft.kit_id)
    if kit is None:
        return [Refusal("kit", "That kit no longer exists; choose another.", "kit")]
    if kit.is_retired:
        return [
            Refusal(
                "kit",
                f"Kit “{kit.name}” is retired, so it is no longer lent. Ask for its items "
                "one by one, or choose another kit.",
                "kit",
            )
        ]
    strangers = [item for owner, item in owners.items() if owner != kit.owner_agency_id]
    if strangers:
        return [
            Refusal(
                "kit",
                f"Kit “{kit.name}” is {kit.owner_agency.name}'s, but {item_label(strangers[0])} "
                f"is {strangers[0].owner_agency.name}'s. A stand-in must be the kit owner's "
                "too; ask for the other agency's kit separately.",
                "lines",
            )
        ]
    return []


def unique_problems(problems: Iterable[Refusal]) -> list[Refusal]:
    return list(dict.fromkeys(problems))


def approver_problems(
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
        title = protocol.approver_title or label(needed)
        return [
            Refusal(
                "approver",
                f"{approver.full_name} cannot decide on this request: protocol “{protocol.name}” "
                f"names {title} ({label(needed).lower()} or above) of "
                f"{owner.name if owner else 'the lender'}, or their equipment manager.",
                "approver",
            )
        ]
    return []


DECLINE_REASON_MISSING = (
    "Give the reason for declining, such as “Needed for our own operation”; "
    "the borrower will read it."
)
RECALL_REASON_MISSING = "Say why the kit is needed back, such as the incident it is needed for."


def reason_problems(reason: str, missing: str) -> list[Refusal]:
    """A decline's or a recall's reason, which the borrower reads: ``missing`` if blank."""
    return [] if reason.strip() else [Refusal("details", missing, "reason")]


def status_refusal(loan: Loan, action: str) -> Refusal:
    now_label = label(loan.status).lower()
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


def request_problems(
    session: Session, draft: LoanDraft, now: datetime, *, emergency_issue: bool = False
) -> tuple[list[LineCheck], list[Refusal]]:
    problems = _draft_problems(draft, now, emergency_issue=emergency_issue)
    if problems:
        # The rest waits for the draft to be whole, but not asking for more than there is.
        for line in draft.lines:
            item = session.get(EquipmentItem, line.item_id)
            if item is not None:
                problems.extend(stock_problems(item, line.quantity))
        return [], problems
    return _check_lines(
        session, draft, now, check_notice=not (draft.is_emergency or emergency_issue)
    )


def coverage(
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
    return covered, unique_problems(problems)


def lending_protocols(
    covered: Sequence[tuple[LoanLine, SharingProtocol]], loan: Loan
) -> list[SharingProtocol]:
    """The protocols the lines are lent under, or the one stored if none covers them now."""
    found = list(dict.fromkeys(protocol for _, protocol in covered))
    return found or ([loan.protocol] if loan.protocol is not None else [])


def lending_groups(
    covered: Sequence[tuple[LoanLine, SharingProtocol]], loan: Loan
) -> list[tuple[SharingProtocol, list[EquipmentItem]]]:
    """As ``lending_protocols``, each protocol with the items of ``loan`` it lends."""
    if covered:
        return lent_under(covered)
    if loan.protocol is None:
        return []
    return [(loan.protocol, [line.item for line in loan.lines])]
