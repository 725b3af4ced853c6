"""Loans from request to return: the transitions, each one unit of work, and no double booking.

Every transition locks what it changes, checks every rule (``app.loans.rules`` and
``app.loans.fitness``), writes the change and its audit event, and commits them together,
or refuses with a ``LoanRefused`` that names each rule broken and what would satisfy it.
The ``check_*`` functions run the same rules without saving anything, for dialogs as you type.

No double booking, even between two station PCs at the same instant:

* the booking writes its lines, then asks :func:`app.catalogue.availability.booked_peak` (the
  same definition search uses to show what is free) whether any moment of the period
  now holds more than the item's quantity, and rolls back if so;
* on PostgreSQL the items are locked first (``SELECT … FOR UPDATE``), so two bookings of
  the same stock take turns, and an exclusion constraint refuses overlapping lines of a
  tagged item whatever path wrote them;
* on SQLite the transaction takes the write lock up front (``BEGIN IMMEDIATE``, see
  ``Database.write``), and triggers refuse overlapping lines of a tagged item.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.audit.record import record_change, snapshot
from app.catalogue.availability import booked_peak
from app.core.actor import Actor
from app.core.clock import format_datetime, moment_problem, now_utc, today_uk
from app.core.errors import DomainError, Refusal
from app.core.permissions import Action, require
from app.core.text import clean_fields, clean_text
from app.inspections.defects import settle_status
from app.loans.drafts import (
    LOAN_MULTILINE,
    Handover,
    LineReturn,
    LoanConflict,
    LoanDraft,
    LoanRefused,
)
from app.loans.fitness import (
    Going,
    defect_shortfall,
    handover_problems,
    issue_blockers,
    return_problems,
)
from app.loans.receipts import OfflineStamp, receive
from app.loans.rules import (
    DECLINE_REASON_MISSING,
    RECALL_REASON_MISSING,
    START_GRACE,
    LineCheck,
    approver_problems,
    conflict_refusal,
    coverage,
    item_label,
    lending_groups,
    lending_protocols,
    lent_under,
    reason_problems,
    request_problems,
    status_refusal,
    terms_problems,
    unique_problems,
)
from app.loans.views import effective_due, load_loan
from app.storage.database import Database
from models import (
    OUT_STATUSES,
    Defect,
    DefectSource,
    EquipmentItem,
    ItemStatus,
    Loan,
    LoanLine,
    LoanStatus,
    Person,
)

# The name of the database's own guard against overlapping lines (migration 0004).
OVERLAP_GUARD = "loan_lines_no_overlap"
STALE_MESSAGE = "Someone else changed this loan a moment ago; reopen it to see their change."
# A request, or an approved loan, whose kit has not gone out yet.
NOT_YET_OUT = (LoanStatus.REQUESTED, LoanStatus.APPROVED)


# -- writing ------------------------------------------------------------------------------


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
        peak = booked_peak(session, item.id, line.starts_at, line.ends_at, now)
        if peak > item.quantity:
            ours = line.quantity - line.quantity_returned
            free = max(item.quantity - (peak - ours), 0)
            problems.append(
                conflict_refusal(session, item, free, line.starts_at, line.ends_at, now=now)
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
    record_change(
        session,
        actor,
        f"loan.{action}",
        "loan",
        loan.id,
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


def _load_to_change(
    session: Session, loan_id: int, action: str, allowed: Collection[LoanStatus]
) -> Loan:
    """The loan, locked for this transaction, if its status lets ``action`` change it."""
    loan = load_loan(session, loan_id, lock=True)
    if loan.status not in allowed:
        raise LoanRefused([status_refusal(loan, action)])
    return loan


def _refuse_impossible_due(due: datetime, what: str) -> None:
    if problem := moment_problem(due, what):
        raise LoanRefused([Refusal("period", problem, "due_at")])


def _hold_until(loan: Loan, due: datetime) -> None:
    """The lines still holding stock hold it until ``due``."""
    for line in loan.lines:
        if line.holds_stock:
            line.ends_at = due


# -- requesting and deciding --------------------------------------------------------------


def check_request(db: Database, draft: LoanDraft, *, now: datetime | None = None) -> list[Refusal]:
    """Every rule a request would break, without saving anything (for dialogs, as you type)."""
    draft = clean_fields(draft, multiline=LOAN_MULTILINE)
    with db.read() as session:
        return _booking_problems(session, draft, now or now_utc())[1]


def _new_loan(draft: LoanDraft, checks: list[LineCheck], status: LoanStatus) -> Loan:
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
        kit_id=draft.kit_id,
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
        checks, problems = _booking_problems(session, draft, moment)
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
        loan = _load_to_change(session, loan_id, action, (LoanStatus.REQUESTED,))
        approver = session.get(Person, actor.person_id) if actor.person_id is not None else None
        covered, uncovered = coverage(session, loan, moment)
        problems = approver_problems(approver, actor, loan, lending_protocols(covered, loan))
        reason = reason.strip()
        if not approve:
            problems += reason_problems(reason, DECLINE_REASON_MISSING)
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


# -- handing over and taking back --------------------------------------------------------


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
        return [status_refusal(loan, "issue")]
    covered, problems = coverage(session, loan, now)
    going = [
        Going(
            line.item,
            line.quantity - line.quantity_returned,
            line.starts_at,
            line.ends_at,
            ours=line.quantity - line.quantity_returned if line.holds_stock else 0,
        )
        for line in loan.lines
    ]
    problems += handover_problems(session, handover, going, lending_groups(covered, loan), now)
    if effective_due(loan) <= now:
        problems.append(
            Refusal(
                "period",
                f"Loan {loan.id} was due back {format_datetime(effective_due(loan))}, before "
                "it went out. Extend it first, or make a new request.",
                "due_at",
            )
        )
    return unique_problems(problems)


def check_issue(
    db: Database, loan_id: int, handover: Handover, *, now: datetime | None = None
) -> list[Refusal]:
    """Every rule issuing this loan would break, without saving anything."""
    handover = clean_fields(handover, multiline=LOAN_MULTILINE)
    with db.read() as session:
        return _issue_problems(session, load_loan(session, loan_id), handover, now or now_utc())


def issue_loan(
    db: Database, loan_id: int, handover: Handover, actor: Actor, *, now: datetime | None = None
) -> None:
    """Hand an approved loan's kit over to the borrower's operator."""
    handover = clean_fields(handover, multiline=LOAN_MULTILINE)
    require(actor, Action.ISSUE_LOAN)
    moment = now or now_utc()
    with db.write() as session:
        loan = load_loan(session, loan_id, lock=True)
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
    return replace(draft, starts_at=start, is_emergency=True)


def _emergency_problems(
    session: Session, draft: LoanDraft, handover: Handover, now: datetime
) -> tuple[list[LineCheck], list[Refusal]]:
    checks, problems = request_problems(session, draft, now, emergency_issue=True)
    if not checks and problems:
        # The draft is not whole yet; what keeps the kit itself in (a defect, a lapsed
        # inspection) is worth knowing before the rest is filled in.
        today = today_uk(now)
        for line in draft.lines:
            item = session.get(EquipmentItem, line.item_id)
            if item is not None:
                problems.extend(issue_blockers(session, item, today))
        return checks, unique_problems(problems)
    lent = lent_under((c, c.protocol) for c in checks if c.protocol is not None)
    going = [_going(c, draft) for c in checks]
    safety = handover_problems(session, handover, going, lent, now)
    return checks, unique_problems(_said_once(problems, safety, checks))


def _said_once(
    problems: Sequence[Refusal], defects: Sequence[Refusal], checks: Sequence[LineCheck]
) -> list[Refusal]:
    """The booking rules' refusals, then those of open defects; where defects leave too few
    of a pool, their sentence (which names the defects and the fix) stands in for the
    booking rules' "only N are free" about the same item."""
    labels = [item_label(c.item) for c in checks]
    said = " ".join(r.message for r in defects if r.rule == "defect")
    held = [name for name in labels if name in said]
    kept = [
        r
        for r in problems
        if not (r.rule == "availability" and any(name in r.message for name in held))
    ]
    return kept + list(defects)


def _booking_problems(
    session: Session, draft: LoanDraft, now: datetime
) -> tuple[list[LineCheck], list[Refusal]]:
    """The request rules, with the units of each pool that open defects hold back named."""
    checks, problems = request_problems(session, draft, now)
    if not checks:
        return checks, problems
    short = [
        refusal
        for c in checks
        if (refusal := defect_shortfall(session, _going(c, draft), now)) is not None
    ]
    return checks, _said_once(problems, short, checks)


def _going(check: LineCheck, draft: LoanDraft) -> Going:
    assert draft.starts_at is not None
    assert draft.due_at is not None
    return Going(check.item, check.quantity, draft.starts_at, draft.due_at)


def emergency_issue(
    db: Database,
    draft: LoanDraft,
    handover: Handover,
    actor: Actor,
    *,
    now: datetime | None = None,
    offline: OfflineStamp | None = None,
) -> int:
    """Log kit straight out, with no prior request; the same safety rules apply.

    The loan runs from the given start (or now, if that is later than now) and is noted
    as an emergency; the notice period and approval are waived. Returns the loan number.
    ``offline``: the station logged it without the server (at ``now``), and this is its
    outbox entry arriving, which the database takes once (``app.loans.receipts``).
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
        note = "Emergency: issued without a prior request"
        if offline is not None:
            receive(session, offline, loan.id)
            note = f"{note}. {offline.note}"
        _audit(session, actor, "emergency_issued", loan, None, note=note)
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
        loan = load_loan(session, loan_id)
        if loan.status not in OUT_STATUSES:
            return [status_refusal(loan, "return")]
        by_id = {line.id: line for line in loan.lines}
        return return_problems(session, lines, by_id, returned_to_id)


def return_loan(
    db: Database,
    loan_id: int,
    actor: Actor,
    *,
    lines: Sequence[LineReturn] | None = None,
    returned_to_id: int | None = None,
    now: datetime | None = None,
    offline: OfflineStamp | None = None,
) -> LoanStatus:
    """Take kit back: all of it (``lines`` None) or what ``lines`` say; returns the new status.

    A pooled line can come back a few at a time; the rest stays on loan. A defect found
    is recorded against the item: on a pooled line against ``defect_quantity`` of its
    units, which are not free until it is cleared. An unsafe defect
    takes a single item out of service, and a pool once unsafe defects cover every unit.
    ``offline``: an outbox entry arriving, as for ``emergency_issue``.
    """
    if lines is not None:
        lines = [clean_fields(line, multiline=LOAN_MULTILINE) for line in lines]
    require(actor, Action.RETURN_LOAN)
    moment = now or now_utc()
    with db.write() as session:
        loan = _load_to_change(session, loan_id, "return", OUT_STATUSES)
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
        problems = return_problems(session, returns, by_id, returned_to_id)
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
        if offline is not None:
            receive(session, offline, loan.id)
        action = "returned" if everything_back else "partly_returned"
        _audit(session, actor, action, loan, before, note=offline.note if offline else None)
        return loan.status


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
                quantity=back.defect_quantity,
            )
        )
    if fully_back and not item.is_pooled and item.status is ItemStatus.ON_LOAN:
        item.status = ItemStatus.AVAILABLE
    # An unsafe defect takes the item out of service, whether or not all of it is back.
    settle_status(session, item)


# -- changing a loan ----------------------------------------------------------------------


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
    _refuse_impossible_due(new_due, "new due time")
    with db.write() as session:
        loan = _load_to_change(session, loan_id, "extend", (*NOT_YET_OUT, *OUT_STATUSES))
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
            for protocol, items in lent_under(coverage(session, loan, moment)[0]):
                problems.extend(
                    terms_problems(
                        protocol, items, loan.starts_at, new_due, moment, check_notice=False
                    )
                )
        _refuse_if(unique_problems(problems))
        before = _snapshot(loan)
        loan.due_at = new_due
        _hold_until(loan, new_due)
        _confirm_not_overbooked(session, loan.lines, moment)
        _audit(session, actor, "extended", loan, before, note=reason.strip() or None)


def cancel_loan(
    db: Database, loan_id: int, actor: Actor, *, reason: str = "", now: datetime | None = None
) -> None:
    """Withdraw a request or an approved loan before the kit goes out; the kit is freed."""
    reason = clean_text(reason, multiline=True)
    require(actor, Action.CANCEL_LOAN)
    with db.write() as session:
        loan = _load_to_change(session, loan_id, "cancel", NOT_YET_OUT)
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
    _refuse_impossible_due(due_back, "recall time")
    with db.write() as session:
        loan = _load_to_change(session, loan_id, "recall", OUT_STATUSES)
        if loan.recalled_at is not None:
            raise LoanRefused([status_refusal(loan, "recall")])
        problems = reason_problems(reason, RECALL_REASON_MISSING)
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
        _hold_until(loan, due_back)
        _flush(session)
        _audit(session, actor, "recalled", loan, before, note=reason.strip())
