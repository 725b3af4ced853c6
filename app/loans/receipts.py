"""Loan actions a station logged without its server, as the database receives them.

A station that cannot reach the server keeps emergency issues and returns in its outbox
(``app.loans.outbox``) and sends each through the ordinary services once the server is
back, stamped with an ``OfflineStamp``. The service writes an ``OfflineReceipt`` under
the station's own id for the entry in the same transaction as the loan: so an entry is
taken once however often it is sent (a crash between the server's commit and the
station's note of it sends it again), and the audit trail says it was logged offline,
when and by whom.

An entry the rules refuse is recorded as refused, with the server's sentence, so that
the lending agency's equipment managers see it as well as the station; the station
resolves it by sending it again, changed, or by cancelling it with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.actor import Actor
from app.core.clock import format_datetime
from app.core.errors import DomainError
from app.core.permissions import Action, may
from app.storage.database import Database
from models import OfflineEntryState, OfflineReceipt


@dataclass(frozen=True)
class OfflineStamp:
    """Which outbox entry a change comes from: the station's id for it, where, when and
    by whom it was logged, and what it is in a few words."""

    entry_id: str
    kind: str
    station: str
    logged_by: str
    logged_at: datetime
    summary: str
    lender_agency_id: int | None = None

    @property
    def note(self) -> str:
        """For the audit trail: the change was made offline, not when it arrived."""
        return (
            f"Logged offline at {self.station} on {format_datetime(self.logged_at)} "
            f"by {self.logged_by}"
        )


class EntryCancelled(DomainError):
    """A station cancelled this entry after the server refused it: it is never made."""

    def __init__(self, resolution: str) -> None:
        super().__init__(f"This entry was given up and is not sent again. {resolution}")


class AlreadyReceived(DomainError):
    """The database already holds this entry's change: it must not be made twice."""

    def __init__(self, entry_id: str, loan_id: int | None) -> None:
        super().__init__(
            "The server already has this entry"
            + (f" (loan {loan_id})" if loan_id else "")
            + ": it was sent before, so it is not sent again."
        )
        self.entry_id = entry_id
        self.loan_id = loan_id


@dataclass(frozen=True)
class RefusedEntry:
    """An entry the server refused, as a lender's equipment manager reads it."""

    entry_id: str
    summary: str
    station: str
    logged_by: str
    logged_at: datetime
    refusal: str

    @property
    def sentence(self) -> str:
        return (
            f"{self.summary}, logged offline at {self.station} on "
            f"{format_datetime(self.logged_at)} by {self.logged_by}, was refused: "
            f"{self.refusal}"
        )


def receive(session: Session, stamp: OfflineStamp, loan_id: int) -> None:
    """Note, in the transaction that makes its change, that ``stamp``'s entry arrived.

    Raises ``AlreadyReceived`` (and so rolls the change back) when it arrived before,
    whether this station or another sending of it got there first."""
    found = _receipt_to_change(session, stamp)
    found.state = OfflineEntryState.RECEIVED
    found.loan_id = loan_id
    try:
        session.flush()
    except IntegrityError as error:
        # Another sending of the same entry committed between our look and our write.
        raise AlreadyReceived(stamp.entry_id, None) from error


def _receipt_to_change(session: Session, stamp: OfflineStamp) -> OfflineReceipt:
    """The entry's receipt, locked, or a new one; ``AlreadyReceived`` if it arrived."""
    found = session.get(OfflineReceipt, stamp.entry_id, with_for_update=True)
    if found is not None and found.state is OfflineEntryState.RECEIVED:
        raise AlreadyReceived(stamp.entry_id, found.loan_id)
    if found is not None and found.state is OfflineEntryState.CANCELLED:
        raise EntryCancelled(found.resolution or "It was cancelled.")
    if found is None:
        found = OfflineReceipt(
            id=stamp.entry_id,
            kind=stamp.kind,
            station=stamp.station,
            logged_by=stamp.logged_by,
            logged_at=stamp.logged_at,
            summary=stamp.summary,
            lender_agency_id=stamp.lender_agency_id,
        )
        session.add(found)
    return found


def received_loan(db: Database, entry_id: str) -> int | None:
    """The loan the entry made or returned, if the database has received it."""
    with db.read() as session:
        found = session.get(OfflineReceipt, entry_id)
        if found is None or found.state is not OfflineEntryState.RECEIVED:
            return None
        return found.loan_id


def record_refusal(db: Database, stamp: OfflineStamp, refusal: str) -> None:
    """Keep the server's sentence for a refused entry, for the lender to see."""
    try:
        with db.write() as session:
            found = _receipt_to_change(session, stamp)
            found.state = OfflineEntryState.REFUSED
            found.summary = stamp.summary
            found.refusal = refusal
    except IntegrityError:
        # Another sending of it recorded the refusal (or took it) at the same moment.
        taken = received_loan(db, stamp.entry_id)
        if taken is not None:
            raise AlreadyReceived(stamp.entry_id, taken) from None


def record_cancellation(db: Database, entry_id: str, reason: str, actor: Actor) -> None:
    """The station gave up a refused entry: it no longer waits on anyone."""
    with db.write() as session:
        found = session.get(OfflineReceipt, entry_id, with_for_update=True)
        if found is None or found.state is OfflineEntryState.RECEIVED:
            return
        found.state = OfflineEntryState.CANCELLED
        found.resolution = f"Cancelled by {actor.name}: {reason}"


def refused_entries(db: Database, actor: Actor) -> list[RefusedEntry]:
    """The refused entries ``actor`` looks after: an administrator all of them, an
    equipment manager those of their agency's kit; a duty officer sees their station's
    own in its outbox."""
    if not may(actor, Action.EDIT_CATALOGUE):
        return []
    query = select(OfflineReceipt).where(OfflineReceipt.state == OfflineEntryState.REFUSED)
    if not actor.is_administrator:
        query = query.where(OfflineReceipt.lender_agency_id == actor.agency_id)
    with db.read() as session:
        return [
            RefusedEntry(
                entry_id=row.id,
                summary=row.summary,
                station=row.station,
                logged_by=row.logged_by,
                logged_at=row.logged_at,
                refusal=row.refusal or "",
            )
            for row in session.scalars(query.order_by(OfflineReceipt.logged_at))
        ]
