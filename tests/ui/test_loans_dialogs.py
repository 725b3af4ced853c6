"""The loan dialogs on their own: checked as you type, refusals shown where they belong."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QDate, QDateTime, QSignalBlocker, Qt, QTime, QTimeZone
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

import ui.loans.forms
from app.catalogue.detail import item_detail
from app.core.actor import Actor
from app.core.clock import now_utc
from app.core.errors import DatabaseLocked, Refusal
from app.loans.drafts import Handover, LineDraft, LoanDraft
from app.loans.service import approve_loan, issue_loan, request_loan
from app.loans.views import LoanView, get_loan
from models import DefectSeverity, ItemStatus, LoanStatus, Role
from tests.ui.loan_driving import People, choose, press_ok, settle
from tests.ui.seed import BARRIERS_TAG, Catalogue
from ui.loans.decisions import (
    ApproveDialog,
    CancelDialog,
    DeclineDialog,
    ExtendDialog,
    RecallDialog,
)
from ui.loans.forms import EmergencyIssueDialog, RequestDialog, ReturnDialog
from ui.loans.shared import LoanFormDialog
from ui.widgets.dates import UkDateTimeEdit
from ui.widgets.palette import READY_STYLE, REFUSED_STYLE, TO_DO_STYLE

ACTOR = Actor("PC Test on STATION-1", role=Role.DUTY_OFFICER)


def shown(qtbot: QtBot, dialog: LoanFormDialog) -> LoanFormDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def style_of(dialog: LoanFormDialog) -> tuple[str, str, str]:
    """Which of the message area's looks is showing: to do, refused or ready."""
    sheet = dialog.message_label.styleSheet()
    for style in (TO_DO_STYLE, REFUSED_STYLE, READY_STYLE):
        if all(colour in sheet for colour in style):
            return style
    raise AssertionError(sheet)


@pytest.fixture
def request_dialog(qtbot: QtBot, catalogue: Catalogue, people: People) -> RequestDialog:
    """A request for barriers, filled in as far as the period."""
    dialog = RequestDialog(catalogue.db, ACTOR, catalogue.ids[BARRIERS_TAG])
    shown(qtbot, dialog)
    choose(dialog.borrower_combo, people.ambulance_id)
    choose(dialog.requested_by, people.requester_id)
    QTest.keyClicks(dialog.purpose_edit, "Cordon for the county show")
    settle(qtbot, dialog)
    return dialog


def requested_loan(catalogue: Catalogue, people: People, quantity: int = 4) -> LoanView:
    start = now_utc().replace(second=0, microsecond=0) + timedelta(hours=6)
    loan_id = request_loan(
        catalogue.db,
        LoanDraft(
            borrower_agency_id=people.ambulance_id,
            requested_by_id=people.requester_id,
            purpose="Cordon at the fun run",
            starts_at=start,
            due_at=start + timedelta(hours=10),
            lines=(LineDraft(catalogue.ids[BARRIERS_TAG], quantity),),
        ),
        ACTOR,
    )
    return get_loan(catalogue.db, loan_id)


def issued_loan(catalogue: Catalogue, people: People) -> LoanView:
    loan = requested_loan(catalogue, people)
    approve_loan(catalogue.db, loan.id, people.manager)
    issue_loan(catalogue.db, loan.id, Handover(operator_id=people.operator_id), ACTOR)
    return get_loan(catalogue.db, loan.id)


# -- request --------------------------------------------------------------------------------


def test_a_new_request_asks_for_what_is_missing_in_amber(
    qtbot: QtBot, catalogue: Catalogue, people: People
) -> None:
    dialog = RequestDialog(catalogue.db, ACTOR, catalogue.ids[BARRIERS_TAG])
    shown(qtbot, dialog)

    assert dialog.borrower_combo.currentData() in (people.fire_id, people.ambulance_id)
    assert dialog.message().startswith("Choose the person making the request.")
    assert dialog.marked_fields() == {"requested_by"}
    assert style_of(dialog) == TO_DO_STYLE
    assert not dialog.ok_button.isEnabled()


def test_a_filled_in_request_is_ready_with_the_protocols_default_period(
    request_dialog: RequestDialog,
) -> None:
    dialog = request_dialog
    defaults = dialog.defaults

    assert dialog.ok_button.isEnabled(), dialog.message()
    assert style_of(dialog) == READY_STYLE
    assert "awaits approval by Cambridgeshire Fire and Rescue Service" in dialog.message()
    assert dialog.starts_edit.moment() >= defaults.starts_at
    assert dialog.due_edit.moment() - dialog.starts_edit.moment() == (
        defaults.due_at - defaults.starts_at
    )
    assert dialog.starts_edit.displayFormat() == "dd/MM/yyyy HH:mm"


def test_a_period_longer_than_the_longest_loan_is_refused_as_you_type(
    qtbot: QtBot, request_dialog: RequestDialog
) -> None:
    dialog = request_dialog
    assert dialog.ok_button.isEnabled(), dialog.message()

    dialog.due_edit.set_moment(dialog.starts_edit.moment() + timedelta(days=3))
    assert dialog.checking
    settle(qtbot, dialog)

    assert not dialog.ok_button.isEnabled()
    assert dialog.message().startswith(
        "Protocol “Drones and barriers between blue-light partners” allows loans of "
        "1 day 12 hours at most; this one is 3 days."
    )
    assert dialog.marked_fields() == {"due_at"}
    assert style_of(dialog) == REFUSED_STYLE
    assert dialog.length_label.text() == "3 days"

    dialog.due_edit.set_moment(dialog.starts_edit.moment() + timedelta(hours=36))
    settle(qtbot, dialog)

    assert dialog.ok_button.isEnabled(), dialog.message()
    assert dialog.marked_fields() == set()


def test_moving_the_start_keeps_the_length_of_the_loan(
    qtbot: QtBot, request_dialog: RequestDialog
) -> None:
    dialog = request_dialog
    dialog.due_edit.set_moment(dialog.starts_edit.moment() + timedelta(hours=8))
    later = dialog.starts_edit.moment() + timedelta(days=2)

    dialog.starts_edit.set_moment(later)

    assert dialog.due_edit.moment() == later + timedelta(hours=8)
    assert dialog.length_label.text() == "8 hours"


def test_too_little_notice_is_refused_until_marked_an_emergency(
    qtbot: QtBot, request_dialog: RequestDialog
) -> None:
    dialog = request_dialog
    dialog.starts_edit.set_moment(now_utc() + timedelta(hours=1))
    settle(qtbot, dialog)

    assert not dialog.ok_button.isEnabled()
    assert "needs 4 hours' notice" in dialog.message()
    assert dialog.marked_fields() == {"starts_at"}

    QTest.keyClick(dialog.emergency_check, Qt.Key.Key_Space)
    settle(qtbot, dialog)

    assert dialog.emergency_check.isChecked()
    assert dialog.ok_button.isEnabled(), dialog.message()


def test_a_refusal_on_saving_keeps_the_dialog_open_with_everything_typed(
    qtbot: QtBot,
    request_dialog: RequestDialog,
    catalogue: Catalogue,
    people: People,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = request_dialog
    dialog.quantity_spin.setValue(20)
    settle(qtbot, dialog)
    assert dialog.ok_button.isEnabled(), dialog.message()
    # Another station books the barriers after this dialog last checked.
    draft = dialog.draft()
    request_loan(catalogue.db, dataclasses.replace(draft, purpose="Elsewhere"), ACTOR)
    monkeypatch.setattr(ui.loans.forms, "check_request", lambda *_args, **_kw: [])

    QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert dialog.result() == 0
    assert dialog.loan_id is None
    assert dialog.message().startswith("Only 7 of the 40 CFRS-BAR-001 “Pedestrian barriers”")
    assert style_of(dialog) == REFUSED_STYLE
    assert dialog.purpose_edit.text() == "Cordon for the county show"
    assert dialog.quantity_spin.value() == 20


LOCKED = "Another program is using the database; wait a moment and try again."


def test_a_locked_database_during_the_live_check_is_said_in_the_form(
    qtbot: QtBot, request_dialog: RequestDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = request_dialog
    assert dialog.ok_button.isEnabled(), dialog.message()

    def locked(*_args: object, **_kw: object) -> list[Refusal]:
        raise DatabaseLocked(LOCKED)

    # The check runs in a timer's slot: an exception escaping it would fail this test.
    monkeypatch.setattr(ui.loans.forms, "check_request", locked)
    dialog.quantity_spin.setValue(5)
    settle(qtbot, dialog)

    assert dialog.message() == LOCKED
    assert style_of(dialog) == REFUSED_STYLE
    assert not dialog.ok_button.isEnabled()
    assert dialog.isVisible()

    monkeypatch.undo()
    dialog.quantity_spin.setValue(6)
    settle(qtbot, dialog)

    assert dialog.ok_button.isEnabled(), dialog.message()
    assert style_of(dialog) == READY_STYLE


def test_a_locked_database_on_saving_is_said_and_ok_may_be_pressed_again(
    request_dialog: RequestDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = request_dialog

    def locked(*_args: object, **_kw: object) -> int:
        raise DatabaseLocked(LOCKED)

    monkeypatch.setattr(ui.loans.forms, "request_loan", locked)
    QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert dialog.loan_id is None
    assert dialog.message() == LOCKED
    assert style_of(dialog) == REFUSED_STYLE
    assert dialog.ok_button.isEnabled()


def test_a_saved_request_is_a_loan_awaiting_approval(
    qtbot: QtBot, request_dialog: RequestDialog, catalogue: Catalogue
) -> None:
    dialog = request_dialog
    dialog.quantity_spin.setValue(6)

    press_ok(qtbot, dialog)

    assert dialog.result() == RequestDialog.DialogCode.Accepted
    assert dialog.loan_id is not None
    loan = get_loan(catalogue.db, dialog.loan_id)
    assert loan.status is LoanStatus.REQUESTED
    assert loan.lines[0].quantity == 6
    assert loan.starts_at == dialog.starts_edit.moment()


# -- emergency issue -------------------------------------------------------------------------


def test_emergency_issue_offers_competent_operators_and_issues_now(
    qtbot: QtBot, catalogue: Catalogue, people: People
) -> None:
    dialog = EmergencyIssueDialog(catalogue.db, ACTOR, catalogue.ids[BARRIERS_TAG])
    shown(qtbot, dialog)
    choose(dialog.borrower_combo, people.ambulance_id)
    QTest.keyClicks(dialog.purpose_edit, "Crowd crush at the station")
    dialog.quantity_spin.setValue(10)
    settle(qtbot, dialog)

    # Only someone holding the competence is offered; until one is chosen, OK waits.
    operator = dialog.people.operator
    offered = [operator.itemData(i) for i in range(1, operator.count())]
    assert people.unqualified_id not in offered
    assert people.operator_id in offered
    assert "needs an operator with a current “Drone pilot (GVC)”" in (
        dialog.people.operator_note.text()
    )
    assert not dialog.ok_button.isEnabled()

    choose(dialog.people.operator, people.operator_id)
    press_ok(qtbot, dialog)

    assert dialog.loan_id is not None
    loan = get_loan(catalogue.db, dialog.loan_id)
    assert loan.status is LoanStatus.ISSUED
    assert loan.is_emergency
    assert loan.operator == "Ben Okafor"
    assert loan.lines[0].quantity == 10


# -- approve, decline, extend, recall, cancel -------------------------------------------------


def test_an_approver_the_protocol_does_not_name_is_refused_in_the_dialog(
    qtbot: QtBot, catalogue: Catalogue, people: People
) -> None:
    loan = requested_loan(catalogue, people)
    # Signed in as a duty officer, whom this protocol does not let decide.
    dialog = ApproveDialog(catalogue.db, people.storekeeper, loan)
    shown(qtbot, dialog)
    assert dialog.approver.text() == "Eli Marsh"
    press_ok(qtbot, dialog)

    assert dialog.isVisible()
    assert dialog.message().startswith("Eli Marsh cannot decide on this request")
    assert dialog.marked_fields() == {"approver"}
    assert get_loan(catalogue.db, loan.id).status is LoanStatus.REQUESTED
    dialog.reject()

    # The equipment manager signs in and approves.
    dialog = ApproveDialog(catalogue.db, people.manager, loan)
    shown(qtbot, dialog)
    press_ok(qtbot, dialog)

    assert dialog.result() == ApproveDialog.DialogCode.Accepted
    assert get_loan(catalogue.db, loan.id).approver == "Dana Whitfield"


def test_declining_needs_a_reason_the_borrower_will_read(
    qtbot: QtBot, catalogue: Catalogue, people: People
) -> None:
    loan = requested_loan(catalogue, people)
    dialog = DeclineDialog(catalogue.db, people.manager, loan)
    shown(qtbot, dialog)
    settle(qtbot, dialog)

    assert not dialog.ok_button.isEnabled()
    assert dialog.marked_fields() == {"reason"}

    QTest.keyClicks(dialog.reason_edit, "Needed for our own exercise")
    press_ok(qtbot, dialog)

    declined = get_loan(catalogue.db, loan.id)
    assert declined.status is LoanStatus.DECLINED
    assert declined.decision_reason == "Needed for our own exercise"


def test_an_extension_past_the_longest_loan_is_refused_on_ok(
    qtbot: QtBot, catalogue: Catalogue, people: People
) -> None:
    loan = issued_loan(catalogue, people)
    dialog = ExtendDialog(catalogue.db, ACTOR, loan)
    shown(qtbot, dialog)
    dialog.due_edit.set_moment(loan.due_at + timedelta(days=3))

    press_ok(qtbot, dialog)

    assert dialog.isVisible()
    assert "allows loans of 1 day 12 hours at most" in dialog.message()
    assert dialog.marked_fields() == {"due_at"}
    assert get_loan(catalogue.db, loan.id).due_at == loan.due_at

    dialog.due_edit.set_moment(loan.due_at + timedelta(hours=2))
    press_ok(qtbot, dialog)

    assert get_loan(catalogue.db, loan.id).due_at == loan.due_at + timedelta(hours=2)


def test_a_recall_needs_a_reason_and_flags_the_loan(
    qtbot: QtBot, catalogue: Catalogue, people: People
) -> None:
    loan = issued_loan(catalogue, people)
    dialog = RecallDialog(catalogue.db, ACTOR, loan)
    shown(qtbot, dialog)
    assert not dialog.ok_button.isEnabled()

    QTest.keyClicks(dialog.reason_edit, "Needed at a flood in Earith")
    press_ok(qtbot, dialog)

    recalled = get_loan(catalogue.db, loan.id)
    assert recalled.status_label == "Recalled"
    assert recalled.recall_reason == "Needed at a flood in Earith"
    assert recalled.due_at == dialog.due_edit.moment()


def test_cancelling_withdraws_the_request(
    qtbot: QtBot, catalogue: Catalogue, people: People
) -> None:
    loan = requested_loan(catalogue, people)
    dialog = CancelDialog(catalogue.db, ACTOR, loan)
    shown(qtbot, dialog)
    assert dialog.ok_button.text() == "Cancel the loan"

    QTest.keyClicks(dialog.reason_edit, "Show called off")
    press_ok(qtbot, dialog)

    assert get_loan(catalogue.db, loan.id).status is LoanStatus.CANCELLED


# -- return -------------------------------------------------------------------------------------


def test_returning_nothing_is_refused_as_you_type(
    qtbot: QtBot, catalogue: Catalogue, people: People
) -> None:
    loan = issued_loan(catalogue, people)
    dialog = ReturnDialog(catalogue.db, ACTOR, loan)
    shown(qtbot, dialog)
    (line,) = dialog.lines
    assert line.quantity_spin.value() == 4
    assert dialog.message().startswith("Everything on the loan comes back")

    line.quantity_spin.setValue(0)
    settle(qtbot, dialog)

    assert not dialog.ok_button.isEnabled()
    assert dialog.message() == "Say how many of each item have come back."
    assert dialog.marked_fields() == {"quantity"}


def test_a_defect_found_on_return_holds_back_the_units_it_names(
    qtbot: QtBot, catalogue: Catalogue, people: People
) -> None:
    loan = issued_loan(catalogue, people)
    dialog = ReturnDialog(catalogue.db, ACTOR, loan)
    shown(qtbot, dialog)
    (line,) = dialog.lines
    assert not line.severity_combo.isEnabled()
    assert not line.defect_quantity_spin.isEnabled()

    QTest.keyClicks(line.defect_edit, "Two feet bent")
    line.severity_combo.setCurrentIndex(line.severity_combo.findData(DefectSeverity.UNSAFE))
    line.defect_quantity_spin.setValue(41)
    settle(qtbot, dialog)

    # More units than the pool has: refused at the field, nothing clamped.
    assert line.defect_quantity_spin.value() == 41
    assert "defect_quantity" in dialog.marked_fields()
    assert not dialog.ok_button.isEnabled()

    line.defect_quantity_spin.setValue(2)
    line.severity_combo.setCurrentIndex(line.severity_combo.findData(DefectSeverity.MINOR))
    settle(qtbot, dialog)
    assert "CFRS-BAR-001's minor defect: noted; the kit can still go out" in dialog.message()
    line.severity_combo.setCurrentIndex(line.severity_combo.findData(DefectSeverity.UNSAFE))
    settle(qtbot, dialog)
    assert (
        "CFRS-BAR-001's unsafe defect: 2 of the 40 are held back until it is cleared; "
        "the rest can go out."
    ) in dialog.message()
    press_ok(qtbot, dialog)

    assert dialog.new_status is LoanStatus.RETURNED
    detail = item_detail(catalogue.db, catalogue.ids[BARRIERS_TAG])
    # Two of the forty stay back; the pool is not out of service.
    assert detail.status_value is ItemStatus.AVAILABLE
    assert detail.quantity_held_by_defects == 2
    assert any("Two feet bent" in text for text in detail.open_defects)


# -- the date and time field ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "shown_as"),
    [
        (datetime(2026, 7, 1, 12, 30, tzinfo=UTC), "01/07/2026 13:30"),  # British Summer Time
        (datetime(2026, 12, 24, 23, 5, tzinfo=UTC), "24/12/2026 23:05"),
    ],
)
def test_times_show_and_read_back_as_uk_wall_clock_time(
    qtbot: QtBot, moment: datetime, shown_as: str
) -> None:
    edit = UkDateTimeEdit()
    qtbot.addWidget(edit)

    edit.set_moment(moment)

    assert edit.text() == shown_as
    assert edit.moment() == moment


# -- times the UK clocks skip or repeat -------------------------------------------------------


def wall(day: QDate, hour: int, minute: int) -> QDateTime:
    return QDateTime(day, QTime(hour, minute), QTimeZone(QTimeZone.Initialization.UTC))


@pytest.mark.parametrize(
    ("edit_name", "shown", "field", "message"),
    [
        (
            "due_edit",
            wall(QDate(2031, 3, 30), 1, 30),
            "due_at",
            "There is no 01:30 on 30/03/2031 in the UK: the clocks go forward from 01:00 to "
            "02:00 that night; give a time before 01:00 or from 02:00.",
        ),
        (
            "starts_edit",
            wall(QDate(2031, 10, 26), 1, 15),
            "starts_at",
            "01:15 on 26/10/2031 happens twice in the UK, as the clocks go back from 02:00 to "
            "01:00 that night; give a time before 01:00 or from 02:00, or on the command line "
            "add +01:00 (the first) or +00:00 (the second).",
        ),
    ],
)
def test_a_time_the_uk_clocks_skip_or_repeat_is_refused_at_its_field(
    qtbot: QtBot,
    request_dialog: RequestDialog,
    edit_name: str,
    shown: QDateTime,
    *,
    field: str,
    message: str,
) -> None:
    dialog = request_dialog
    edit: UkDateTimeEdit = getattr(dialog, edit_name)
    with QSignalBlocker(dialog.starts_edit), QSignalBlocker(dialog.due_edit):
        dialog.starts_edit.setDateTime(wall(QDate(2031, 3, 29), 12, 0))
        dialog.due_edit.setDateTime(wall(QDate(2031, 10, 27), 12, 0))
    edit.setDateTime(shown)
    settle(qtbot, dialog)

    assert dialog.message() == message
    assert dialog.marked_fields() == {field}
    assert style_of(dialog) == REFUSED_STYLE
    assert not dialog.ok_button.isEnabled()


def test_loan_times_offer_only_the_years_kit_share_keeps(qtbot: QtBot) -> None:
    edit = UkDateTimeEdit()
    qtbot.addWidget(edit)
    edit.set_moment(datetime(1, 1, 2, tzinfo=UTC))
    assert edit.text() == "01/01/1970 00:00"
    edit.set_moment(datetime(9999, 12, 30, tzinfo=UTC))
    assert edit.text() == "31/12/2099 23:59"
