"""The duty officer's tasks by keyboard alone in the real window on the demo, counting
one action per shortcut or special key and one per field typed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QWidget
from pytestqt.qtbot import QtBot

from app.catalogue.directory import PersonRef
from app.core.clock import UK, now_utc, today_uk
from app.loans.support import request_defaults
from app.loans.views import get_loan
from app.people.operators import operators_among
from app.storage.database import Database
from models import LoanStatus
from tests.ui.driving import shot
from tests.ui.loan_driving import act_as, lend_to_hertfordshire
from tests.ui.test_loan_refusals import activate, duty_window, on_item
from ui.loans.forms import EmergencyIssueDialog, ReturnDialog
from ui.shell.main_window import MainWindow

__all__ = ["duty_window"]  # the fixture, shared with the refusal tests


@dataclass
class Keys:
    """Sends keys as a person would, counting the actions."""

    count: int = 0
    log: list[str] = field(default_factory=list)

    def press(
        self,
        widget: QWidget,
        key: Qt.Key,
        modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    ) -> None:
        self.count += 1
        self.log.append(f"{modifier.name}+{key.name}")
        QTest.keyClick(widget, key, modifier)

    def type(self, widget: QWidget, text: str) -> None:
        self.count += 1
        self.log.append(repr(text))
        QTest.keyClicks(widget, text)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def test_t2_an_emergency_loan_of_ten_barriers_in_eight_actions_or_fewer(
    qtbot: QtBot,
    demo: Database,
    duty_window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Ten barriers to another agency, now until tomorrow 18:00: the search says how many
    and until when, the form starts there, and naming the operator names the borrower."""
    window = duty_window
    keys = Keys()
    expected_operator: list[PersonRef] = []

    def check_and_fill(dialog: EmergencyIssueDialog) -> None:
        item = dialog.item
        assert item.is_pooled
        assert "barrier" in item.label.lower()
        # Whoever the form offers first, of an agency other than the owner.
        operator = operators_among(
            demo,
            item_ids=(item.id,),
            agency_ids=request_defaults(demo, item.id).emergency_borrower_ids,
            at=today_uk(),
            emergency=True,
        )[0]
        expected_operator.append(operator)
        assert operator.agency_id != item.owner_agency_id
        assert dialog.quantity_spin.value() == 10
        assert dialog.due_edit.moment() == due()
        assert dialog.borrower_id() is None  # nobody is assumed to be borrowing
        assert focused() is dialog.people.operator
        keys.type(focused(), operator.name)
        assert dialog.people.operator.person_id() == operator.id
        assert dialog.borrower_id() == operator.agency_id
        keys.press(focused(), Qt.Key.Key_Tab)
        assert focused() in (dialog.borrower_combo, dialog.borrower_combo.lineEdit())
        keys.press(focused(), Qt.Key.Key_Tab)
        assert focused() is dialog.purpose_edit
        keys.type(focused(), "Crowd control, Kimbolton Road")
        qtbot.wait(400)  # the live check has answered: the shot shows what Enter does
        shot(dialog, "t2-emergency", tmp_path)
        keys.press(focused(), Qt.Key.Key_Return)

    keys.press(window.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert focused() is window.search_bar.search_box
    shown_before = window.catalogue.selected_item_id()
    keys.type(focused(), "barrier x10 free now to tomorrow 18:00")
    opened_on: list[int] = []

    def log_it(dialog: EmergencyIssueDialog) -> None:
        # Ctrl+I comes straight after the typing, before the search has answered: the
        # form must still be for the top hit of what was typed.
        opened_on.append(dialog.item.id)
        activate(qtbot, dialog)
        check_and_fill(dialog)

    logged = act_as(monkeypatch, qtbot, EmergencyIssueDialog, log_it)
    keys.press(focused(), Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)

    assert len(logged) == 1
    assert logged[0].loan_id is not None, logged[0].message()
    assert keys.count <= 8, keys.log
    print(f"T2 took {keys.count} actions: {keys.log}")
    item_id = window.model.item_id(0)
    assert opened_on == [item_id]
    assert item_id != shown_before
    loan = get_loan(demo, logged[0].loan_id)
    assert loan.status is LoanStatus.ISSUED
    assert loan.is_emergency
    assert loan.borrower_agency_id == expected_operator[0].agency_id
    assert [(line.item_id, line.quantity) for line in loan.lines] == [(item_id, 10)]
    assert loan.due_at == due()
    assert loan.starts_at <= now_utc()


def due() -> datetime:
    tomorrow = today_uk() + timedelta(days=1)
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, 18, tzinfo=UK)


def test_t3_book_the_loan_back_in_with_a_defect_in_six_actions_or_fewer(
    qtbot: QtBot,
    demo: Database,
    duty_window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # T2's loan, as the service books it: CAM-000130 is now out on two loans.
    loan_id = lend_to_hertfordshire(demo, "CAM-000130", 10)
    on_item(qtbot, duty_window, "CAM-000130")
    keys = Keys()
    asked: list[str] = []

    def choose_loan() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QInputDialog):
            QTimer.singleShot(20, choose_loan)
            return
        asked.append(box.textValue())
        shot(box, "t3-which-loan", tmp_path)
        keys.press(box, Qt.Key.Key_Return)

    def book_in(dialog: ReturnDialog) -> None:
        activate(qtbot, dialog)
        (line,) = dialog.lines
        assert line.quantity_back == 10
        keys.press(dialog, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
        assert focused() is line.defect_edit
        keys.type(focused(), "One foot cracked")
        shot(dialog, "t3-return", tmp_path)
        keys.press(focused(), Qt.Key.Key_Return)

    returned = act_as(monkeypatch, qtbot, ReturnDialog, book_in)
    QTimer.singleShot(0, choose_loan)
    keys.press(duty_window.table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)

    assert [d.loan.id for d in returned] == [loan_id]
    assert asked
    assert asked[0].startswith(f"Hertfordshire Constabulary: loan {loan_id}, 10 × ")
    loan = get_loan(demo, loan_id)
    assert loan.status is LoanStatus.RETURNED, returned[0].message()
    assert keys.count <= 6, keys.log
    print(f"T3 took {keys.count} actions: {keys.log}")


def test_t4_print_the_selected_items_sharing_terms_in_two_actions(
    qtbot: QtBot,
    duty_window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    tag = "CFR-000231"  # a lighting tower its protocol lends
    on_item(qtbot, duty_window, tag)
    keys = Keys()
    printed = tmp_path / "printed.pdf"
    dialogs: list[str] = []

    def enter_on_the_print_dialog(dialog: QPrintDialog) -> int:
        # The person presses Enter on the printer chosen; here the printer is a PDF file.
        keys.count += 1
        keys.log.append("Return (print dialog)")
        dialogs.append(dialog.windowTitle())
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(QPrintDialog, "exec", enter_on_the_print_dialog)
    keys.press(duty_window.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)

    assert len(dialogs) == 1
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(printed).pages]
    assert pages[0].startswith("SHARING TERMS")
    assert tag in pages[0]
    assert f"Sharing terms for {tag}" in pages[-1]
    assert keys.count <= 2, keys.log
