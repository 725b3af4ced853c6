"""The duty officer's tasks by keyboard alone in the real window on the demo, counting
one action per shortcut or special key and one per field typed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QWidget
from pytestqt.qtbot import QtBot

from app.loans.views import get_loan
from app.storage.database import Database
from models import LoanStatus
from tests.ui.driving import shot
from tests.ui.loan_driving import act_as, lend_to_hertfordshire
from tests.ui.test_loan_refusals import activate, duty_window, on_item
from ui.loans.forms import ReturnDialog
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
