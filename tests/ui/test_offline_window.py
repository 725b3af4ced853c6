"""A station whose network to the shared server goes down under an open window, on a
real PostgreSQL server: the window goes offline within 5 seconds and carries on from
its copy (search, sharing terms, an emergency issue and a return kept in the outbox);
another window on the PC is killed with SIGKILL just after logging a loan; the station
starts again offline with the outbox whole; and when the network is back the outbox is
sent once, in order, the one loan the server now refuses kept with its sentence."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import unicodedata
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.catalogue.directory import find_agency, find_item
from app.core.clock import now_utc
from app.documents.content import sharing_terms
from app.loans.drafts import Handover, LineDraft, LoanDraft
from app.loans.service import emergency_issue
from app.loans.views import loans_to_return
from app.people.accounts import sign_in
from app.storage.database import OFFLINE_REFUSAL, Database, open_database
from app.storage.station_outbox import REFUSED, SENT, WAITING, default_outbox
from models import Loan, LoanStatus, OfflineEntryState, OfflineReceipt, Person
from tests.port_proxy import PortProxy
from tests.ui.driving import open_window, shot, wait_for_results
from tests.ui.driving import sign_in as type_sign_in
from tests.ui.loan_driving import choose, press_ok, settle
from ui.loans.forms import EmergencyIssueDialog, ReturnDialog
from ui.loans.outbox_dialog import OutboxDialog
from ui.main import open_chosen_database
from ui.printing.documents import write_pdf
from ui.shell.main_window import MainWindow

DUTY_PASSWORD = "duty-demo-2026"
ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = pytest.mark.parametrize(
    "demo_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
# Where the killed window's loan goes: the fire service's free drone, to the police.
KILLED_WINDOW = textwrap.dedent(
    """
    import sys
    from datetime import timedelta

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from app.catalogue.directory import find_agency, find_item, find_person
    from app.core.clock import now_utc
    from app.loans.drafts import Handover, LineDraft, LoanDraft
    from app.loans.outbox import issue_emergency
    from app.people.accounts import sign_in
    from ui.main import open_chosen_database
    from ui.shell.main_window import MainWindow

    db = open_chosen_database(sys.argv[1], demo=False)
    assert db.offline, "the station should start offline"
    actor = sign_in(db, "duty", sys.argv[2])
    window = MainWindow(db, actor)
    window.show()
    start = now_utc().replace(second=0, microsecond=0)
    police = find_agency(db, "CAMBS-POL").id
    draft = LoanDraft(
        borrower_agency_id=police,
        requested_by_id=None,
        purpose="Missing person search, Ouse Washes",
        starts_at=start,
        due_at=start + timedelta(hours=6),
        lines=(LineDraft(item_id=find_item(db, "CFR-000203").id),),
        is_emergency=True,
    )
    operator = find_person(db, "Daniel Okafor", prefer_agency_id=police).id
    loan = issue_emergency(db, draft, Handover(operator_id=operator), actor)
    print("logged", loan, flush=True)
    app.exec()
    """
)


@pytest.fixture
def station(demo_url: str) -> Iterator[tuple[str, PortProxy]]:
    """The station's way to the demo's server: a port that a test can close."""
    server = make_url(demo_url)
    assert server.host is not None
    assert server.port is not None
    proxy = PortProxy(server.host, server.port)
    proxy.up()
    try:
        yield server.set(port=proxy.port).render_as_string(hide_password=False), proxy
    finally:
        proxy.down()


def _herts_operator(db: Database) -> int:
    agency_id = find_agency(db, "Hertfordshire Constabulary").id
    with db.read() as session:
        found = session.scalars(
            select(Person.id).where(Person.agency_id == agency_id, Person.is_active.is_(True))
        ).first()
    assert found is not None
    return found


def _pdf_pages(path: Path) -> list[str]:
    return [
        " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())
        for page in PdfReader(path).pages
    ]


def _offline_issue(qtbot: QtBot, window: MainWindow, db: Database, quantity: int) -> int:
    """The emergency form, filled in and sent as the duty officer would, offline."""
    assert window.actor is not None
    dialog = EmergencyIssueDialog(db, window.actor, find_item(db, "BED-000501").id, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.quantity_spin.setValue(quantity)
    choose(dialog.borrower_combo, find_agency(db, "Hertfordshire Constabulary").id)
    choose(dialog.people.operator, _herts_operator(db))
    dialog.purpose_edit.setText("Flood cordon, Bedford Embankment")
    settle(qtbot, dialog)
    press_ok(qtbot, dialog)
    assert dialog.loan_id is not None
    return dialog.loan_id


def _offline_return(qtbot: QtBot, window: MainWindow, db: Database, tag: str) -> int:
    assert window.actor is not None
    (loan,) = loans_to_return(db, find_item(db, tag).id)
    dialog = ReturnDialog(db, window.actor, loan, window)
    qtbot.addWidget(dialog)
    dialog.show()
    press_ok(qtbot, dialog)
    return loan.id


def _count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Loan)) or 0)


@ON_POSTGRES
def test_a_station_works_offline_survives_a_kill_and_sends_its_outbox_once(  # noqa: PLR0917
    qtbot: QtBot,
    demo_url: str,
    station: tuple[str, PortProxy],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    url, proxy = station
    # Retrying the server every 2 s at most, not 30, so the test need not wait long.
    monkeypatch.setattr("ui.shell.live.RETRY_MOST_S", 2.0)
    server = open_database(demo_url)  # the other stations' way in, which stays up
    # Closed even when an assertion fails, so no connection outlives the test.
    request.addfinalizer(server.dispose)
    loans_before = _count(server)
    db = open_database(url)
    request.addfinalizer(db.dispose)
    window = open_window(qtbot, MainWindow(db, sign_in(db, "duty", DUTY_PASSWORD)))
    qtbot.waitUntil(lambda: window.station.last is not None, timeout=60_000)

    # The network goes: within 5 seconds the window says so and works from its copy.
    cut_at = time.monotonic()
    proxy.down()
    qtbot.waitUntil(lambda: db.offline, timeout=5_000)
    assert time.monotonic() - cut_at < 5
    qtbot.waitUntil(window.banner.isVisible)
    assert window.banner.text().startswith("Offline since ")
    assert "Loans you log are kept on this PC" in window.banner.text()
    assert not window.new_item_action.isEnabled()
    assert window.new_item_action.toolTip() == OFFLINE_REFUSAL

    QTest.keyClicks(window.search_bar.search_box, "barrier")
    wait_for_results(qtbot, window)
    tags = {window.model.index(r, 0).data() for r in range(window.model.rowCount())}
    assert "BED-000501" in tags
    # What is free is as the copy had it, and says of when.
    assert "free as of " in window.count_label.text()
    qtbot.waitUntil(lambda: window.item_panel.detail is not None)
    assert "Free at " in window.item_panel.plain_text()
    assert not window.item_panel.request_button.isEnabled()
    shot(window, "offline-window", tmp_path)

    terms = tmp_path / "terms.pdf"
    write_pdf(sharing_terms(db, find_item(db, "BED-000501").id), terms)
    pages = _pdf_pages(terms)
    assert all("Printed offline from the station copy of" in page for page in pages)

    # An emergency issue and a return, offline: in the copy at once, and in the outbox.
    _offline_issue(qtbot, window, db, 25)
    returned = _offline_return(qtbot, window, db, "CAM-000130")
    outbox = default_outbox()
    assert [row.state for row in outbox.rows()] == [WAITING, WAITING]
    assert loans_to_return(db, find_item(db, "CAM-000130").id) == []
    # Meanwhile another station, with the server, sends 10 of the 30 barriers out.
    assert loans_to_return(server, find_item(server, "CAM-000130").id)[0].id == returned
    start = now_utc()
    emergency_issue(
        server,
        LoanDraft(
            borrower_agency_id=find_agency(server, "Hertfordshire Constabulary").id,
            requested_by_id=None,
            purpose="Another incident",
            starts_at=start,
            due_at=start + timedelta(hours=8),
            lines=(LineDraft(item_id=find_item(server, "BED-000501").id, quantity=10),),
            is_emergency=True,
        ),
        Handover(operator_id=_herts_operator(server)),
        sign_in(server, "duty", DUTY_PASSWORD),
    )
    window.close()
    db.dispose()

    # Another window on this PC logs a loan and is killed outright.
    script = tmp_path / "killed_window.py"
    script.write_text(KILLED_WINDOW)
    with subprocess.Popen(
        [sys.executable, str(script), url, DUTY_PASSWORD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # This checkout's code, whatever the environment has installed.
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    ) as child:
        assert child.stdout is not None
        line = child.stdout.readline()
        child.send_signal(signal.SIGKILL)
        _, errors = child.communicate(timeout=30)
    assert line.startswith("logged"), (line, errors)
    assert child.returncode == -signal.SIGKILL

    # The station starts again, still offline: the outbox is whole, the copy shows all three.
    again = open_chosen_database(url, demo=False)
    request.addfinalizer(again.dispose)
    assert again.offline
    restarted = MainWindow(again)
    qtbot.addWidget(restarted)
    restarted.show()
    type_sign_in(qtbot, restarted, "duty", DUTY_PASSWORD)
    qtbot.waitUntil(lambda: restarted.signed_in)
    assert [row.state for row in outbox.rows()] == [WAITING] * 3
    assert "3 logged here wait to be sent" in restarted.banner.text()
    assert loans_to_return(again, find_item(again, "CFR-000203").id) != []
    dialog = OutboxDialog(again, outbox, sign_in(again, "duty", DUTY_PASSWORD), restarted)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.entries.count() == 3
    assert not dialog.send_button.isEnabled()
    shot(dialog, "offline-outbox", tmp_path)
    dialog.close()

    # The network comes back: the window goes online and sends the outbox, once.
    proxy.up()
    qtbot.waitUntil(lambda: not again.offline, timeout=30_000)
    qtbot.waitUntil(lambda: all(row.state != WAITING for row in outbox.rows()), timeout=10_000)
    issue, taken_back, drone = outbox.rows()
    assert [issue.state, taken_back.state, drone.state] == [REFUSED, SENT, SENT]
    assert issue.refusal is not None
    assert "only 20" in issue.refusal.lower()
    assert "refused by the server" in restarted.banner.text()
    # The window reads the server again: the barriers the other station sent out show.
    wait_for_results(qtbot, restarted)
    assert "as of" not in restarted.count_label.text()
    assert restarted.search_bar.as_of is None
    shot(restarted, "back-online-one-refused", tmp_path)

    with server.read() as session:
        receipts = {row.id: row.state for row in session.scalars(select(OfflineReceipt)).all()}
        assert receipts == {
            issue.id: OfflineEntryState.REFUSED,
            taken_back.id: OfflineEntryState.RECEIVED,
            drone.id: OfflineEntryState.RECEIVED,
        }
        back = session.get(Loan, returned)
        assert back is not None
        assert back.status is LoanStatus.RETURNED
    # One new loan from the outbox (the drone) and one from the other station; no more.
    assert _count(server) == loans_before + 2
    assert drone.loan_id is not None
    restarted.close()
    again.dispose()
    server.dispose()
