"""A station without its server: it reads its copy, logs emergency issues and returns in
its outbox, and sends them once the server is back, each once, in order, at the moment
they were logged; what the server then refuses stays in the outbox, with its sentence,
for a person to resolve. On SQLite and PostgreSQL as the shared database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.catalogue.directory import find_agency, find_item
from app.catalogue.items import retire_item
from app.catalogue.search import SearchFilters, search_items
from app.core.actor import Actor
from app.core.clock import now_utc
from app.core.errors import DomainError, WorkingOffline
from app.loans import outbox as offline
from app.loans.drafts import Handover, LineDraft, LoanDraft
from app.loans.receipts import EntryCancelled, refused_entries
from app.loans.service import emergency_issue, return_loan
from app.loans.views import loans_to_return
from app.people.accounts import SignInRefused, sign_in
from app.storage.database import Database
from app.storage.offline import go_offline, reconnect
from app.storage.station_copy import copy_info, refresh_copy
from app.storage.station_outbox import (
    CANCELLED,
    REFUSED,
    SENT,
    WAITING,
    Outbox,
    OutboxRow,
    default_outbox,
)
from models import AuditEvent, Loan, LoanStatus, OfflineEntryState, OfflineReceipt, Person

DUTY_PASSWORD = "duty-demo-2026"


def _duty(db: Database) -> Actor:
    return sign_in(db, "duty", DUTY_PASSWORD)


def _herts_person(db: Database) -> int:
    agency_id = find_agency(db, "Hertfordshire Constabulary").id
    with db.read() as session:
        found = session.scalars(
            select(Person.id).where(Person.agency_id == agency_id, Person.is_active.is_(True))
        ).first()
    assert found is not None
    return found


def _barriers_to_herts(db: Database, tag: str = "BED-000501", quantity: int = 10) -> LoanDraft:
    start = now_utc().replace(second=0, microsecond=0)
    return LoanDraft(
        borrower_agency_id=find_agency(db, "Hertfordshire Constabulary").id,
        requested_by_id=None,
        purpose="Flood cordon, Bedford Embankment",
        starts_at=start,
        due_at=start + timedelta(hours=20),
        lines=(LineDraft(item_id=find_item(db, tag).id, quantity=quantity),),
        is_emergency=True,
    )


def _offline(db: Database, tmp_path: Path) -> None:
    info = refresh_copy(db, tmp_path / "station-copy.db")
    go_offline(db, info)


def _count(db: Database, model: type[Loan] | type[OfflineReceipt]) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_offline_the_station_reads_its_copy_and_refuses_other_changes(
    demo_db: Database, tmp_path: Path
) -> None:
    duty = _duty(demo_db)
    manager = sign_in(demo_db, "manager", "manager-demo-2026")
    _offline(demo_db, tmp_path)

    assert demo_db.offline
    assert demo_db.dialect == "sqlite"
    found = search_items(demo_db, "barrier", SearchFilters()).rows
    assert "BED-000501" in {row.asset_tag for row in found}
    with pytest.raises(WorkingOffline, match="Only emergency issues and returns"):
        retire_item(demo_db, find_item(demo_db, "BED-000501").id, manager, "Worn out")
    # Signing in works from the copy's accounts, with the same answers.
    assert sign_in(demo_db, "duty", DUTY_PASSWORD) == duty
    with pytest.raises(SignInRefused, match="do not match"):
        sign_in(demo_db, "duty", "not the password")


def test_loans_logged_offline_are_sent_once_in_order_when_the_server_is_back(
    demo_db: Database, tmp_path: Path
) -> None:
    duty = _duty(demo_db)
    barriers = find_item(demo_db, "CAM-000130").id
    (out_before,) = loans_to_return(demo_db, barriers)  # 20 out to Bedfordshire Police
    loans_before = _count(demo_db, Loan)
    _offline(demo_db, tmp_path)
    outbox = default_outbox()
    logged_at = now_utc()

    copy_loan = offline.log_emergency_issue(
        demo_db,
        outbox,
        _barriers_to_herts(demo_db),
        Handover(operator_id=_herts_person(demo_db)),
        duty,
        now=logged_at,
    )
    offline.log_return(demo_db, outbox, out_before.id, duty)
    # Taken back straight away, the offline loan too: its return waits on its issue.
    offline.log_return(demo_db, outbox, copy_loan, duty)

    # The copy shows what was logged; the outbox keeps it, waiting.
    assert [view.id for view in loans_to_return(demo_db, barriers)] == []
    assert [row.state for row in outbox.rows()] == [WAITING] * 3

    reconnect(demo_db)
    assert not demo_db.offline
    assert _count(demo_db, Loan) == loans_before  # nothing reached the server yet
    report = offline.send_waiting(demo_db, outbox)

    assert (len(report.sent), report.refused) == (3, [])
    issued, returned, returned_new = outbox.rows()
    assert [r.state for r in (issued, returned, returned_new)] == [SENT] * 3
    assert returned.loan_id == out_before.id
    assert returned_new.loan_id == issued.loan_id is not None
    with demo_db.read() as session:
        loan = session.get(Loan, issued.loan_id)
        assert loan is not None
        assert loan.status is LoanStatus.RETURNED
        assert loan.issued_at is not None
        assert abs(loan.issued_at - logged_at) < timedelta(seconds=1)  # when logged, not sent
        taken_back = session.get(Loan, out_before.id)
        assert taken_back is not None
        assert taken_back.status is LoanStatus.RETURNED
        note = session.scalar(
            select(AuditEvent.note).where(
                AuditEvent.action == "loan.emergency_issued", AuditEvent.entity_id == loan.id
            )
        )
    assert note is not None
    assert "Logged offline at" in note
    assert "by " + duty.name in note
    assert _count(demo_db, Loan) == loans_before + 1

    # Sending again, or a station that crashed before noting what was sent, sends nothing twice.
    assert offline.send_waiting(demo_db, outbox).sent == []
    for row in outbox.rows():
        outbox.replace_payload(row.id, row.payload, row.summary)  # back to waiting
    again = offline.send_waiting(demo_db, outbox)
    assert len(again.sent) == 3
    assert _count(demo_db, Loan) == loans_before + 1
    assert _count(demo_db, OfflineReceipt) == 3


def test_what_the_server_refuses_stays_in_the_outbox_with_its_sentence(
    demo_db: Database, tmp_path: Path
) -> None:
    duty = _duty(demo_db)
    manager = sign_in(demo_db, "manager", "manager-demo-2026")
    _offline(demo_db, tmp_path)
    outbox = default_outbox()
    offline.log_emergency_issue(
        demo_db,
        outbox,
        _barriers_to_herts(demo_db, quantity=25),
        Handover(operator_id=_herts_person(demo_db)),
        duty,
    )
    reconnect(demo_db)
    # Meanwhile another station sent 10 of the 30 out: 25 no longer fit.
    emergency_issue(
        demo_db,
        _barriers_to_herts(demo_db, quantity=10),
        Handover(operator_id=_herts_person(demo_db)),
        duty,
    )

    report = offline.send_waiting(demo_db, outbox)

    (row,) = report.refused
    assert row.state == REFUSED
    assert row.refusal is not None
    assert "only 20" in row.refusal.lower()
    assert "refused by the server" in report.sentence
    with demo_db.read() as session:
        kept = session.get(OfflineReceipt, row.id)
        assert kept is not None
        assert kept.state is OfflineEntryState.REFUSED
    # The lender's managers see it; sending it again changed (20, as the server allows) works.
    admin = sign_in(demo_db, "admin", "admin-demo-2026")
    (seen,) = refused_entries(demo_db, admin)
    assert seen.entry_id == row.id
    assert "was refused: " in seen.sentence
    # An equipment manager sees the refusals of their own agency's kit only.
    assert manager.agency_id != find_item(demo_db, "BED-000501").owner_agency_id
    assert refused_entries(demo_db, manager) == []
    assert refused_entries(demo_db, duty) == []
    changed = offline.IssueEntry(
        _barriers_to_herts(demo_db, quantity=20), Handover(operator_id=_herts_person(demo_db))
    )
    sent = offline.send_again(demo_db, outbox, row.id, issue=changed)
    assert sent.state == SENT
    assert sent.loan_id is not None
    with demo_db.read() as session:
        kept = session.get(OfflineReceipt, row.id)
        assert kept is not None
        assert kept.state is OfflineEntryState.RECEIVED


def test_an_entry_kept_but_not_yet_shown_in_the_copy_is_made_there_once(
    demo_db: Database, tmp_path: Path
) -> None:
    duty = _duty(demo_db)
    _offline(demo_db, tmp_path)
    outbox = Outbox(tmp_path / "outbox.db")
    offline.log_emergency_issue(
        demo_db,
        outbox,
        _barriers_to_herts(demo_db),
        Handover(operator_id=_herts_person(demo_db)),
        duty,
    )
    loans = _count(demo_db, Loan)
    # A fresh copy (say, refreshed before the entry was sent) does not hold it.
    reconnect(demo_db)
    _offline(demo_db, tmp_path)
    assert _count(demo_db, Loan) == loans - 1

    assert offline.apply_waiting(demo_db, outbox) == []
    assert offline.apply_waiting(demo_db, outbox) == []
    assert _count(demo_db, Loan) == loans


def test_a_return_names_an_offline_loan_by_its_entry_never_by_the_copys_number(
    demo_db: Database, tmp_path: Path
) -> None:
    """The copy's number of a loan issued offline may be another loan's on the server."""
    duty = _duty(demo_db)
    path = tmp_path / "station-copy.db"
    go_offline(demo_db, refresh_copy(demo_db, path))
    outbox = default_outbox()
    herts = Handover(operator_id=_herts_person(demo_db))
    copy_loan = offline.log_emergency_issue(
        demo_db, outbox, _barriers_to_herts(demo_db, quantity=5), herts, duty
    )
    reconnect(demo_db)
    # Another station takes the copy's number on the server; ours arrives as the next.
    other = emergency_issue(demo_db, _barriers_to_herts(demo_db, quantity=3), herts, duty)
    assert other == copy_loan
    offline.send_waiting(demo_db, outbox)
    (issued,) = outbox.rows()
    assert issued.loan_id != copy_loan
    # The link drops again before the copy is refreshed: the kit comes back, offline.
    again = copy_info(path)
    assert again is not None
    go_offline(demo_db, again)
    offline.log_return(demo_db, outbox, copy_loan, duty)
    reconnect(demo_db)
    report = offline.send_waiting(demo_db, outbox)

    assert len(report.sent) == 1
    with demo_db.read() as session:
        ours, theirs = session.get(Loan, issued.loan_id), session.get(Loan, other)
        assert ours is not None
        assert theirs is not None
        assert ours.status is LoanStatus.RETURNED
        assert theirs.status is LoanStatus.ISSUED


def test_an_entry_cancelled_meanwhile_is_never_made(demo_db: Database, tmp_path: Path) -> None:
    duty = _duty(demo_db)
    _offline(demo_db, tmp_path)
    outbox = default_outbox()
    herts = Handover(operator_id=_herts_person(demo_db))
    offline.log_emergency_issue(
        demo_db, outbox, _barriers_to_herts(demo_db, quantity=25), herts, duty
    )
    reconnect(demo_db)
    other = emergency_issue(demo_db, _barriers_to_herts(demo_db, quantity=10), herts, duty)
    listed = outbox.rows((WAITING,))  # a command that read the outbox a moment ago…
    assert len(offline.send_waiting(demo_db, outbox).refused) == 1  # …the window sent first
    with pytest.raises(DomainError, match="Say why"):
        offline.cancel_entry(demo_db, outbox, listed[0].id, " ", duty)
    offline.cancel_entry(demo_db, outbox, listed[0].id, "Kit came back before the server", duty)
    return_loan(demo_db, other, duty)  # the barriers come free

    after = offline.send_one(demo_db, outbox, listed[0])  # …and the command carries on

    assert after.state == CANCELLED
    assert after.loan_id is None
    with pytest.raises(EntryCancelled):
        _receive_again(demo_db, listed[0])
    with demo_db.read() as session:
        kept = session.get(OfflineReceipt, listed[0].id)
        assert kept is not None
        assert kept.state is OfflineEntryState.CANCELLED


def _receive_again(db: Database, row: OutboxRow) -> None:
    """Make the entry on the server whatever the outbox says: as a stale sender would."""
    entry = offline.issue_of(row)
    emergency_issue(
        db, entry.draft, entry.handover, offline.actor_of_row(row), offline=offline.stamp_of(row)
    )
