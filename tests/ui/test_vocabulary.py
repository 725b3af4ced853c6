"""One word for each status: the item panel and the Loans view say a loan's the same way."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from app.core.actor import Actor
from app.core.clock import now_utc
from app.loans.drafts import Handover, LineDraft, LoanDraft
from app.loans.service import approve_loan, issue_loan, request_loan
from app.loans.views import LoanSection
from models import Role
from tests.ui.driving import click_tag
from tests.ui.loan_driving import People
from tests.ui.seed import BARRIERS_TAG, Catalogue
from ui.loans.model import LoanColumn
from ui.loans.view import LoansView
from ui.shell.main_window import MainWindow

ACTOR = Actor("PC Test on STATION-1", role=Role.DUTY_OFFICER)


def request_barriers(catalogue: Catalogue, people: People, purpose: str) -> int:
    start = now_utc().replace(second=0, microsecond=0) + timedelta(hours=6)
    draft = LoanDraft(
        borrower_agency_id=people.ambulance_id,
        requested_by_id=people.requester_id,
        purpose=purpose,
        starts_at=start,
        due_at=start + timedelta(hours=10),
        lines=(LineDraft(catalogue.ids[BARRIERS_TAG], 2),),
    )
    return request_loan(catalogue.db, draft, ACTOR)


def panel_status(window: MainWindow, purpose: str) -> str:
    """The status the item panel shows on the loan with ``purpose``: the line above it
    ends "from to until · status"."""
    lines = window.item_panel.plain_text().splitlines()
    above = lines[lines.index(purpose) - 1]
    return above.rpartition("·")[2].strip()


def loans_view_status(qtbot: QtBot, catalogue: Catalogue, loan_id: int) -> str:
    view = LoansView(catalogue.db)
    qtbot.addWidget(view)
    view.show_section(LoanSection.ALL)
    view.refresh()
    row = view.model.row_of(loan_id)
    assert row is not None
    return str(view.model.index(row, LoanColumn.STATUS).data())


def words_on_both(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, people: People, *, issued: bool
) -> tuple[str, str]:
    """What the item panel and the Loans view say of one loan of barriers."""
    purpose = "Cordon at the county show"
    loan_id = request_barriers(catalogue, people, purpose)
    if issued:
        approve_loan(catalogue.db, loan_id, people.manager)
        issue_loan(catalogue.db, loan_id, Handover(operator_id=people.operator_id), ACTOR)
    click_tag(window, BARRIERS_TAG)
    qtbot.waitUntil(lambda: purpose in window.item_panel.plain_text())
    return panel_status(window, purpose), loans_view_status(qtbot, catalogue, loan_id)


def test_a_request_is_awaiting_approval_on_the_panel_as_in_the_loans_view(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, people: People
) -> None:
    shown = words_on_both(qtbot, window, catalogue, people, issued=False)
    assert shown == ("Awaiting approval", "Awaiting approval")


def test_an_issued_loan_is_out_on_the_panel_as_in_the_loans_view(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, people: People
) -> None:
    shown = words_on_both(qtbot, window, catalogue, people, issued=True)
    assert shown == ("Out", "Out")
