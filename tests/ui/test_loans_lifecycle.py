"""A loan from request to return, driven through the window as a duty officer would."""

from __future__ import annotations

import pytest
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog, QWidget
from pytestqt.qtbot import QtBot

from app.loans.views import LoanSection, get_loan, list_loans, loan_counts
from models import LoanStatus
from tests.ui.driving import click_tag, sign_in
from tests.ui.loan_driving import (
    MANAGER_PASSWORD,
    People,
    act_as,
    choose,
    click,
    open_loan_row,
    press_ok,
)
from tests.ui.seed import BARRIERS_TAG, Catalogue
from ui.loans.decisions import ApproveDialog
from ui.loans.forms import IssueDialog, RequestDialog, ReturnDialog
from ui.loans.loan_detail import LoanDialog
from ui.shell.main_window import MainWindow


def test_request_approve_issue_part_return_and_return_barriers_in_the_window(
    qtbot: QtBot,
    people: People,
    window: MainWindow,
    catalogue: Catalogue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = catalogue.db
    view = window.loans_view

    # Request 5 barriers from the item panel.
    def ask_for_five(dialog: RequestDialog) -> None:
        choose(dialog.borrower_combo, people.ambulance_id)
        choose(dialog.requested_by, people.requester_id)
        QTest.keyClicks(dialog.purpose_edit, "Cordon for the county show")
        QTest.keyClicks(dialog.incident_edit, "EEAST-0042")
        dialog.quantity_spin.selectAll()
        QTest.keyClicks(dialog.quantity_spin, "5")
        press_ok(qtbot, dialog)

    requests = act_as(monkeypatch, qtbot, RequestDialog, ask_for_five)
    click_tag(window, BARRIERS_TAG)
    click(qtbot, window.item_panel.request_button)

    assert len(requests) == 1
    loan_id = requests[0].loan_id
    assert loan_id is not None
    loan = get_loan(db, loan_id)
    assert loan.status is LoanStatus.REQUESTED
    assert [(line.asset_tag, line.quantity) for line in loan.lines] == [(BARRIERS_TAG, 5)]
    assert loan.purpose == "Cordon for the county show"
    assert loan.incident_ref == "EEAST-0042"
    assert window.tabs.tabText(1) == "Loans (1 overdue, 1 to approve)"
    assert f"Loan {loan_id} requested" in window.statusBar().currentMessage()

    # The fire service's equipment manager takes over the PC to decide on it.
    window.switch_user_action.trigger()
    sign_in(qtbot, window, "dwhitfield", MANAGER_PASSWORD)
    assert window.actor is not None
    assert window.actor.username == "dwhitfield"
    assert window.user_label.text() == (
        "Signed in as Dana Whitfield (dwhitfield) · Equipment manager"
    )

    # Approve it from the Loans view: Enter on its row opens the loan.
    def approve(dialog: ApproveDialog) -> None:
        assert dialog.approver.text() == "Dana Whitfield (dwhitfield)"
        press_ok(qtbot, dialog)

    act_as(monkeypatch, qtbot, ApproveDialog, approve)
    statuses: list[str] = []

    def take(action: str) -> None:
        def script(dialog: LoanDialog) -> None:
            click(qtbot, dialog.action_buttons[action])
            statuses.append(dialog.status_label.text().strip())
            click(qtbot, dialog.close_button)

        act_as(monkeypatch, qtbot, LoanDialog, script)

    window.tabs.setCurrentWidget(view)
    view.show_section(LoanSection.AWAITING)
    take("approve")
    open_loan_row(qtbot, view, loan_id, keyboard=True)
    assert statuses == ["Approved"]
    assert window.tabs.tabText(1) == "Loans (1 overdue)"

    # Issue it: the operator holds the drone pilot qualification the protocol requires.
    def hand_over(dialog: IssueDialog) -> None:
        choose(dialog.people.operator, people.operator_id)
        choose(dialog.people.handed_over_by, people.storekeeper_id)
        press_ok(qtbot, dialog)

    issued = act_as(monkeypatch, qtbot, IssueDialog, hand_over)
    view.show_section(LoanSection.APPROVED)
    take("issue")
    open_loan_row(qtbot, view, loan_id, keyboard=False)
    assert len(issued) == 1
    assert statuses[-1] == "Out"

    # Two come back: the loan is partly returned, three stay out.
    def two_back(dialog: ReturnDialog) -> None:
        (line,) = dialog.lines
        line.quantity_spin.selectAll()
        QTest.keyClicks(line.quantity_spin, "2")
        choose(dialog.returned_to, people.storekeeper_id)
        press_ok(qtbot, dialog)

    act_as(monkeypatch, qtbot, ReturnDialog, two_back)
    view.show_section(LoanSection.OUT)
    take("return")
    open_loan_row(qtbot, view, loan_id, keyboard=True)
    assert statuses[-1] == "Partly returned"
    row = view.model.row_of(loan_id)
    assert row is not None
    assert view.model.index(row, 1).data() == "Partly returned"
    assert get_loan(db, loan_id).lines[0].quantity_out == 3

    # The rest come back from the item panel; the barriers are on two loans, so it asks.
    def rest_back(dialog: ReturnDialog) -> None:
        (line,) = dialog.lines
        assert line.quantity_spin.value() == 3
        press_ok(qtbot, dialog)

    act_as(monkeypatch, qtbot, ReturnDialog, rest_back)
    offered: list[str] = []

    def pick_ours(
        _parent: QWidget, _title: str, _label: str, items: list[str], *_args: object
    ) -> tuple[str, bool]:
        offered.extend(items)
        # Each names the borrower first, then the loan.
        return next(item for item in items if f": loan {loan_id}, " in item), True

    monkeypatch.setattr(QInputDialog, "getItem", pick_ours)
    window.tabs.setCurrentIndex(0)
    click_tag(window, BARRIERS_TAG)
    click(qtbot, window.item_panel.return_button)

    assert len(offered) == 2
    assert get_loan(db, loan_id).status is LoanStatus.RETURNED
    assert window.statusBar().currentMessage() == f"Loan {loan_id}: returned."
    view.show_section(LoanSection.RETURNED)
    assert [view.model.record_id(r) for r in range(view.model.rowCount())] == [loan_id]
    assert view.section_counts_shown()[LoanSection.RETURNED] == "Returned, last 7 days (1)"
    assert loan_counts(db)[LoanSection.OUT] == 1
    assert [v.id for v in list_loans(db, LoanSection.OUT)] != [loan_id]
    # The panel follows: only the overdue seed loan still has barriers out.
    assert len(window.item_panel.open_loan_ids) == 1
    assert window.item_panel.return_button.isEnabled()
    assert window.item_panel.request_button.isEnabled()
