"""Emergency issues and returns logged while the server cannot be reached, and sent
once it is back.

A station working offline (``app.storage.offline``) reads its copy. When a duty officer
issues kit in an emergency, or takes it back, the action is

1. kept in the station's outbox (``app.storage.station_outbox``), flushed to disk, so a
   crash a moment later loses nothing;
2. made in the copy by the ordinary service, so the same rules check it against what the
   copy knows and every view shows it at once; the copy notes the entry as received
   (``app.loans.receipts``) in the same transaction, so an entry is never made twice in
   the copy either, and one kept but not yet made there (a crash between 1 and 2) is
   made when the station next works offline (``apply_waiting``).

When the server is back, ``send_waiting`` sends each entry, in the order logged, through
the same services, at the moment it was logged, in the name of the person who logged
it. The server takes an entry once (``receipts.receive``). What its rules refuse stays
in the outbox with the server's sentence, is recorded on the server for the lender's
equipment managers, and waits for a person: sent again (perhaps changed) or cancelled
with a reason.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import cattrs
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actor import Actor
from app.core.clock import format_datetime, now_utc
from app.core.errors import DomainError, EnvironmentFault, KitShareError, NotFound
from app.core.text import counted
from app.loans.drafts import Handover, LineReturn, LoanDraft
from app.loans.receipts import (
    AlreadyReceived,
    EntryCancelled,
    OfflineStamp,
    received_loan,
    record_cancellation,
    record_refusal,
)
from app.loans.rules import item_label
from app.loans.service import emergency_issue, return_loan
from app.loans.views import load_loan
from app.storage.database import Database, offline_writes
from app.storage.station_outbox import (
    CANCELLED,
    OPEN_STATES,
    REFUSED,
    SENT,
    WAITING,
    Outbox,
    OutboxRow,
    OutboxUnusable,
    default_outbox,
)
from models import Agency, EquipmentItem, Loan, LoanStatus, OfflineEntryState, OfflineReceipt

ISSUE = "emergency_issue"
RETURN = "return"
STATE_WORDS = {
    WAITING: "Waiting to be sent",
    SENT: "Sent",
    REFUSED: "Refused by the server",
    CANCELLED: "Cancelled",
}

_converter = cattrs.Converter()
_converter.register_unstructure_hook(datetime, lambda moment: moment.astimezone(UTC).isoformat())
_converter.register_structure_hook(
    datetime, lambda text, _type: datetime.fromisoformat(text).astimezone(UTC)
)


@dataclass(frozen=True)
class IssueEntry:
    """An emergency issue as the duty officer filled it in."""

    draft: LoanDraft
    handover: Handover


@dataclass(frozen=True)
class ItemReturn:
    """What came back of one item; by item, as an offline loan's lines have other ids on
    the server than in the copy."""

    item_id: int
    back: LineReturn


@dataclass(frozen=True)
class ReturnEntry:
    """A return: of a loan the server knows (``loan_id``), or of one issued offline
    (``issue_entry``, the outbox entry that issued it)."""

    loan_id: int | None
    issue_entry: str | None
    lines: tuple[ItemReturn, ...] | None = None  # None: everything still out
    returned_to_id: int | None = None


@dataclass(frozen=True)
class SendReport:
    """What one sending of the outbox did."""

    sent: list[OutboxRow] = field(default_factory=list)
    refused: list[OutboxRow] = field(default_factory=list)
    stopped: str | None = None  # why sending stopped early (the server went away again)

    @property
    def sentence(self) -> str:
        parts = []
        if self.sent:
            parts.append(f"{len(self.sent)} sent")
        if self.refused:
            parts.append(f"{len(self.refused)} refused by the server, kept in the outbox")
        said = "Outbox: " + ", ".join(parts) + "." if parts else "The outbox had nothing to send."
        return f"{said} {self.stopped}" if self.stopped else said


def station_name() -> str:
    """How the server names this station in what it records of its entries."""
    return socket.gethostname() or "a station"


# -- logging offline --------------------------------------------------------------------------


def log_emergency_issue(
    db: Database,
    outbox: Outbox,
    draft: LoanDraft,
    handover: Handover,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> int:
    """Issue kit in an emergency while offline: kept in the outbox, made in the copy.
    Returns the loan's number in the copy. Refused as online if the copy's rules refuse."""
    moment = now or now_utc()
    with db.read() as session:
        summary, lender = _issue_summary(session, draft)
    row = _new_row(
        ISSUE, IssueEntry(draft, handover), actor, summary=summary, lender=lender, at=moment
    )
    outbox.add(row)
    try:
        return _apply(db, row)
    except BaseException as error:
        _forget(outbox, row, error)
        raise


def log_return(
    db: Database,
    outbox: Outbox,
    loan_id: int,
    actor: Actor,
    *,
    lines: Sequence[LineReturn] | None = None,
    returned_to_id: int | None = None,
    now: datetime | None = None,
) -> LoanStatus:
    """Take kit back while offline: kept in the outbox, made in the copy; the loan's new
    status. ``loan_id`` and the lines' ids are the copy's, as the window shows them."""
    moment = now or now_utc()
    with db.read() as session:
        loan = load_loan(session, loan_id)
        by_line = {line.id: line.item_id for line in loan.lines}
        issue_entry = session.scalar(
            select(OfflineReceipt.id).where(
                OfflineReceipt.loan_id == loan_id,
                OfflineReceipt.kind == ISSUE,
                OfflineReceipt.state == OfflineEntryState.RECEIVED,
            )
        )
        # A loan some station issued offline is known by its entry, never by its number
        # in a copy: the server may have given that number to another loan meanwhile.
        ours = issue_entry is not None and outbox.entry(issue_entry) is not None
        summary = (
            f"Return of the emergency issue logged offline ({_loan_items(loan)})"
            if ours
            else f"Return of loan {loan_id} ({_loan_items(loan)})"
        )
        lender = loan.lines[0].item.owner_agency_id if loan.lines else None
    items = (
        None
        if lines is None
        else tuple(ItemReturn(by_line.get(back.line_id, -1), back) for back in lines)
    )
    entry = ReturnEntry(
        loan_id=None if issue_entry else loan_id,
        issue_entry=issue_entry,
        lines=items,
        returned_to_id=returned_to_id,
    )
    row = _new_row(RETURN, entry, actor, summary=summary, lender=lender, at=moment)
    outbox.add(row)
    try:
        _apply(db, row, loan_id)
    except BaseException as error:
        _forget(outbox, row, error)
        raise
    with db.read() as session:
        return load_loan(session, loan_id).status


def _forget(outbox: Outbox, row: OutboxRow, error: BaseException) -> None:
    """The copy's rules refused the entry just kept: it never was one. If the outbox
    cannot drop it, say so, or it would be sent although the person was told it failed."""
    try:
        outbox.remove(row.id)
    except OutboxUnusable as fault:
        said = error.message if isinstance(error, KitShareError) else "It was not logged."
        raise OutboxUnusable(
            f"{said} The outbox kept an entry for it and cannot drop it ({fault.message}): "
            "cancel it in Loans ▸ Station outbox before the server is back."
        ) from error


def _dumps(value: object) -> str:
    return json.dumps(_converter.unstructure(value), sort_keys=True)


def _new_row(
    kind: str, entry: object, actor: Actor, *, summary: str, lender: int | None, at: datetime
) -> OutboxRow:
    return OutboxRow(
        seq=0,
        id=str(uuid.uuid4()),
        kind=kind,
        payload=_dumps(entry),
        actor=_dumps(actor),
        summary=summary,
        lender_agency_id=lender,
        logged_by=actor.name,
        logged_at=at,
        state=WAITING,
        loan_id=None,
        refusal=None,
        resolution=None,
        sent_at=None,
    )


def _issue_summary(session: Session, draft: LoanDraft) -> tuple[str, int | None]:
    """ "Emergency issue of 10 × CAM-000123 “Road barrier” to Cambs Police", and the lender."""
    parts: list[str] = []
    lender: int | None = None
    for line in draft.lines:
        item = session.get(EquipmentItem, line.item_id)
        if item is None:
            continue
        lender = lender or item.owner_agency_id
        count = f"{line.quantity} × " if item.is_pooled else ""
        parts.append(f"{count}{item_label(item)}")
    borrower = session.get(Agency, draft.borrower_agency_id) if draft.borrower_agency_id else None
    to = f" to {borrower.name}" if borrower else ""
    return f"Emergency issue of {', '.join(parts) or 'kit'}{to}", lender


def _loan_items(loan: Loan) -> str:
    return ", ".join(
        f"{line.quantity} × {line.item.asset_tag}" if line.item.is_pooled else line.item.asset_tag
        for line in loan.lines
    )


def stamp_of(row: OutboxRow) -> OfflineStamp:
    return OfflineStamp(
        entry_id=row.id,
        kind=row.kind,
        station=station_name(),
        logged_by=row.logged_by,
        logged_at=row.logged_at,
        summary=row.summary,
        lender_agency_id=row.lender_agency_id,
    )


def actor_of_row(row: OutboxRow) -> Actor:
    return _converter.structure(json.loads(row.actor), Actor)


def issue_of(row: OutboxRow) -> IssueEntry:
    return _converter.structure(json.loads(row.payload), IssueEntry)


def return_of(row: OutboxRow) -> ReturnEntry:
    return _converter.structure(json.loads(row.payload), ReturnEntry)


# -- making an entry in a database: the copy, or the server ------------------------------------


def _apply(db: Database, row: OutboxRow, loan_of_issue: int | None = None) -> int:
    """Make the entry ``row`` in ``db`` through the ordinary service, at the moment it was
    logged, in its person's name; the loan it made or returned. In the copy, under
    ``offline_writes``; on the server, as it is."""
    stamp = stamp_of(row)
    actor = actor_of_row(row)
    with offline_writes():
        if row.kind == ISSUE:
            entry = issue_of(row)
            return emergency_issue(
                db, entry.draft, entry.handover, actor, now=row.logged_at, offline=stamp
            )
        returned = return_of(row)
        loan_id = returned.loan_id or loan_of_issue
        if loan_id is None:
            raise NotFound(
                "The loan this return takes back was issued offline and has not been taken "
                "by the server: resolve that entry first, then send this one again."
            )
        return_loan(
            db,
            loan_id,
            actor,
            lines=_lines_in(db, loan_id, returned.lines),
            returned_to_id=returned.returned_to_id,
            now=row.logged_at,
            offline=stamp,
        )
        return loan_id


def _lines_in(
    db: Database, loan_id: int, items: tuple[ItemReturn, ...] | None
) -> list[LineReturn] | None:
    """The returned lines with this database's line ids for the loan's items."""
    if items is None:
        return None
    with db.read() as session:
        line_of = {line.item_id: line.id for line in load_loan(session, loan_id).lines}
    missing = [i.item_id for i in items if i.item_id not in line_of]
    if missing:
        raise NotFound(
            f"Loan {loan_id} holds none of the kit this return names; check the loan, then "
            "cancel this entry or send it again."
        )
    return [replace(i.back, line_id=line_of[i.item_id]) for i in items]


def _copy_loan_of(db: Database, issue_entry: str) -> int | None:
    """The loan an offline issue made in the copy."""
    with db.read() as session:
        found = session.get(OfflineReceipt, issue_entry)
        return found.loan_id if found is not None else None


def apply_waiting(db: Database, outbox: Outbox) -> list[str]:
    """Make in the copy every waiting entry it does not hold yet (a copy refreshed before
    they were sent, or a crash between keeping an entry and making it); the sentences of
    any that the copy's rules now refuse (they stay in the outbox, to be sent)."""
    problems: list[str] = []
    for row in outbox.rows((WAITING,)):
        with db.read() as session:
            if session.get(OfflineReceipt, row.id) is not None:
                continue
        loan_of_issue = None
        if row.kind == RETURN and (issue := return_of(row).issue_entry) is not None:
            loan_of_issue = _copy_loan_of(db, issue)
        try:
            _apply(db, row, loan_of_issue)
        except DomainError as error:
            problems.append(f"{row.summary}: {error.message}")
    return problems


# -- sending ----------------------------------------------------------------------------------


def send_waiting(db: Database, outbox: Outbox, *, now: datetime | None = None) -> SendReport:
    """Send every waiting entry to the server, in the order logged, each once. Sending
    stops (``stopped`` says why) when the server or the outbox cannot be used."""
    report = SendReport()
    try:
        waiting = outbox.rows((WAITING,))
        for row in waiting:
            outcome = send_one(db, outbox, row, now=now)
            if outcome.state == SENT:
                report.sent.append(outcome)
            elif outcome.state == REFUSED:
                report.refused.append(outcome)
    except EnvironmentFault as error:
        left = len(outbox_rows_or_none(outbox) or [])
        still = f" {counted(left, 'entry', 'entries')} still wait to be sent." if left else ""
        return SendReport(report.sent, report.refused, stopped=error.message + still)
    return report


def outbox_rows_or_none(outbox: Outbox) -> list[OutboxRow] | None:
    """The waiting entries, or None if the outbox cannot be read (it says why elsewhere)."""
    try:
        return outbox.rows((WAITING,))
    except OutboxUnusable:
        return None


def send_one(
    db: Database, outbox: Outbox, row: OutboxRow, *, now: datetime | None = None
) -> OutboxRow:
    """Send ``row`` to the server; the entry as it then stands (sent or refused).
    Raises ``EnvironmentFault`` when the server cannot take it now (it stays waiting)."""
    moment = now or now_utc()
    fresh = outbox.entry(row.id)
    if fresh is None or fresh.state != WAITING:
        # Sent, refused or cancelled by another window or command since it was listed.
        return fresh or row
    already = received_loan(db, row.id)
    if already is not None:
        outbox.mark_sent(row.id, already, moment)
    else:
        try:
            loan_id = _apply(db, row, _server_loan_of_issue(db, row))
        except AlreadyReceived as error:
            outbox.mark_sent(row.id, error.loan_id or received_loan(db, row.id), moment)
        except EntryCancelled as error:
            outbox.mark_cancelled(row.id, error.message)
        except DomainError as error:
            sentence = error.message
            try:
                record_refusal(db, stamp_of(row), sentence)
            except AlreadyReceived as received:
                outbox.mark_sent(row.id, received.loan_id, moment)
            except EntryCancelled as cancelled:
                outbox.mark_cancelled(row.id, cancelled.message)
            else:
                outbox.mark_refused(row.id, sentence)
        else:
            outbox.mark_sent(row.id, loan_id, moment)
    found = outbox.entry(row.id)
    assert found is not None
    return found


def _server_loan_of_issue(db: Database, row: OutboxRow) -> int | None:
    """The server's number for the loan a return takes back, when that loan was issued
    offline: as the server's own receipt of the issue says (None: not taken there)."""
    if row.kind != RETURN:
        return None
    issue = return_of(row).issue_entry
    return received_loan(db, issue) if issue is not None else None


# -- resolving a refusal ---------------------------------------------------------------------


def send_again(
    db: Database,
    outbox: Outbox,
    entry_id: str,
    *,
    issue: IssueEntry | None = None,
    now: datetime | None = None,
) -> OutboxRow:
    """Send a refused entry again, as it was or (an emergency issue) changed to
    ``issue``: another item standing in, another borrower, a shorter loan."""
    row = _open_entry(outbox, entry_id)
    if issue is not None:
        if row.kind != ISSUE:
            raise DomainError("Only an emergency issue can be changed before it is sent again.")
        if len(issue_of(row).draft.lines) > 1:
            raise DomainError(
                "An issue of several items (a kit) is sent again as it was, or cancelled and "
                "issued afresh: changing it here could leave members out unseen."
            )
        with db.read() as session:
            summary, _ = _issue_summary(session, issue.draft)
        outbox.replace_payload(entry_id, _dumps(issue), summary)
    else:
        outbox.replace_payload(entry_id, row.payload, row.summary)
    waiting = outbox.entry(entry_id)
    assert waiting is not None
    return send_one(db, outbox, waiting, now=now)


def cancel_entry(db: Database, outbox: Outbox, entry_id: str, reason: str, actor: Actor) -> None:
    """Give up an entry the server refused, with a reason, there and here: the lender's
    managers stop waiting on it. A waiting entry is not cancelled: its loan is in the copy
    and the kit may be out; it is sent, and resolved if the server refuses it."""
    row = _open_entry(outbox, entry_id)
    reason = reason.strip()
    if row.state != REFUSED:
        raise DomainError(
            "Only an entry the server refused can be cancelled; this one waits to be sent. "
            "Once it is sent, return or cancel its loan as any other."
        )
    if db.offline:
        raise DomainError(
            "Cancel it once the server is back, so that the lender's managers hear of it "
            "too; it waits in the outbox meanwhile and is not sent again."
        )
    if not reason:
        raise DomainError("Say why the entry is cancelled: the lender's managers will read it.")
    record_cancellation(db, entry_id, reason, actor)
    outbox.mark_cancelled(
        entry_id, f"Cancelled by {actor.name} on {format_datetime(now_utc())}: {reason}"
    )


def _open_entry(outbox: Outbox, entry_id: str) -> OutboxRow:
    row = outbox.entry(entry_id)
    if row is None:
        raise NotFound(f"The outbox has no entry {entry_id}. Check the id in the outbox list.")
    if row.state not in OPEN_STATES:
        raise DomainError(
            f"That entry is already {STATE_WORDS[row.state].lower()}; nothing is left to do."
        )
    return row


def describe(row: OutboxRow) -> str:
    """One line for a person: what, when, by whom, where it stands."""
    said = (
        f"{row.summary}, logged {format_datetime(row.logged_at)} by {row.logged_by}: "
        f"{STATE_WORDS.get(row.state, row.state).lower()}"
    )
    if row.state == SENT and row.loan_id is not None:
        said += f" (loan {row.loan_id} on the server)"
    if row.state == REFUSED and row.refusal:
        said += f". The server said: {row.refusal}"
    if row.state == CANCELLED and row.resolution:
        said += f". {row.resolution}"
    return said


# -- one way in, online or offline ------------------------------------------------------------


def issue_emergency(
    db: Database,
    draft: LoanDraft,
    handover: Handover,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> int:
    """An emergency issue: made on the server, or, while the station works offline, kept
    in its outbox and made in its copy. The loan's number (in the copy, offline)."""
    if db.offline:
        return log_emergency_issue(db, default_outbox(), draft, handover, actor, now=now)
    return emergency_issue(db, draft, handover, actor, now=now)


def take_back(
    db: Database,
    loan_id: int,
    actor: Actor,
    *,
    lines: Sequence[LineReturn] | None = None,
    returned_to_id: int | None = None,
    now: datetime | None = None,
) -> LoanStatus:
    """A return: made on the server, or kept in the outbox and made in the copy."""
    if db.offline:
        return log_return(
            db,
            default_outbox(),
            loan_id,
            actor,
            lines=lines,
            returned_to_id=returned_to_id,
            now=now,
        )
    return return_loan(db, loan_id, actor, lines=lines, returned_to_id=returned_to_id, now=now)


def kept_offline_sentence(db: Database) -> str:
    """What a person is told after logging something offline."""
    if not db.offline:
        return ""
    return (
        " It is kept on this PC and sent when the server is back; its number there may "
        "differ from this one."
    )
