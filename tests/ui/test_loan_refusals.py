"""Every refusal of a loan form shown in the window with its rule and what to do: on the
demo database, signed in as its duty officer, driven by keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.catalogue.directory import PersonRef, find_agency, find_item
from app.core.actor import Actor
from app.inspections.defects import DefectDraft, report_defect
from app.loans.stops import stop_for
from app.loans.support import request_defaults
from app.storage.database import Database
from models import DefectSeverity, Role
from tests.ui.driving import click_tag, shot, sign_in, wait_for_results
from tests.ui.loan_driving import act_as, settle
from ui.loans.forms import (
    NO_BORROWER_YET,
    QUANTITY_TYPED_MAX,
    EmergencyIssueDialog,
    RequestDialog,
)
from ui.shell.main_window import MainWindow


# Screenshots of each end state, to look at; a temporary folder unless one is named.
@pytest.fixture
def duty_window(qtbot: QtBot, demo: Database) -> MainWindow:
    """The real window on the demo, signed in as its duty officer."""
    window = MainWindow(demo)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    sign_in(qtbot, window, "duty", "duty-demo-2026")
    wait_for_results(qtbot, window)
    return window


def on_item(qtbot: QtBot, window: MainWindow, tag: str) -> None:
    click_tag(window, tag)
    qtbot.waitUntil(lambda: window.item_panel.detail is not None)
    assert window.item_panel.detail is not None
    qtbot.waitUntil(lambda: window.item_panel.detail.asset_tag == tag)  # type: ignore[union-attr]
    window.table.setFocus()


def press(
    widget: QWidget, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    QTest.keyClick(widget, key, modifier)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def activate(qtbot: QtBot, dialog: QWidget) -> None:
    """Make the dialog the active window, as ``exec`` would."""
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)


def run_dialog(
    monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot,
    kind: type[RequestDialog],
    script: Callable[[RequestDialog], None],
) -> list[RequestDialog]:
    def keep_open(dialog: RequestDialog) -> None:
        activate(qtbot, dialog)
        script(dialog)
        dialog.reject()

    return act_as(monkeypatch, qtbot, kind, keep_open)


def test_asking_for_more_than_the_pool_holds_says_how_many_there_are(
    qtbot: QtBot, duty_window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    on_item(qtbot, duty_window, "BED-000501")

    def script(dialog: RequestDialog) -> None:
        QTest.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
        QTest.keyClicks(focused(), "Crowd control, Kimbolton Road")
        QTest.keyClick(dialog, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
        assert focused() is dialog.quantity_spin
        QTest.keyClick(focused(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(focused(), "10000")
        settle(qtbot, dialog)
        # Nothing clamped: the box holds what was typed, the service says why not.
        assert dialog.quantity_spin.value() == 10_000
        assert dialog.message().startswith(
            "There are only 30 of BED-000501 “Pedestrian barrier, 2.3 m steel” in all; "
            "ask for 30 or fewer."
        ), dialog.message()
        assert dialog.marked_fields() == {"quantity"}
        assert not dialog.ok_button.isEnabled()
        shot(dialog, "refusal-quantity", tmp_path)

    opened = run_dialog(monkeypatch, qtbot, EmergencyIssueDialog, script)
    press(duty_window.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)

    assert len(opened) == 1
    assert QUANTITY_TYPED_MAX >= 999_999


def test_an_agency_no_protocol_covers_can_be_typed_and_is_told_why_not(
    qtbot: QtBot, duty_window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    on_item(qtbot, duty_window, "BED-000501")

    def script(dialog: RequestDialog) -> None:
        combo = dialog.borrower_combo
        listed = [combo.itemText(i) for i in range(combo.count()) if combo.itemText(i)]
        # The agencies a protocol covers first, then every other one.
        assert listed[:2] == ["Cambridgeshire Constabulary", "Hertfordshire Constabulary"]
        assert {"Norfolk Constabulary", "Bedfordshire Police"} <= set(listed[2:])
        QTest.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
        QTest.keyClicks(focused(), "Crowd control, Kimbolton Road")
        QTest.keyClick(dialog, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
        line = combo.lineEdit()
        assert focused() in (combo, line)
        assert line is not None
        line.selectAll()
        # A space types a space (it opens no list), and the name completes as typed.
        QTest.keyClicks(focused(), "Norfolk Co")
        assert combo.currentText() == "Norfolk Constabulary"
        settle(qtbot, dialog)
        assert dialog.message().startswith(
            "Norfolk Constabulary is not covered to borrow BED-000501 “Pedestrian barrier, "
            "2.3 m steel”: protocol “Alliance mutual aid: barriers, fencing, tents and signs”"
        ), dialog.message()
        assert "only Cambridgeshire Constabulary, Hertfordshire Constabulary borrow it" in (
            dialog.message()
        )
        assert "An administrator must add the agency to a protocol first." in dialog.message()
        assert dialog.marked_fields() == {"borrower"}
        shot(dialog, "refusal-uncovered-agency", tmp_path)

        # The owner, typed, is refused too: an agency does not borrow its own kit.
        line.selectAll()
        QTest.keyClicks(focused(), "Bedfordshire Po")
        assert combo.currentText() == "Bedfordshire Police"
        settle(qtbot, dialog)
        assert dialog.message().startswith(
            "Bedfordshire Police owns BED-000501: an agency does not borrow its own kit. "
            "Choose the agency taking it."
        ), dialog.message()
        assert dialog.marked_fields() == {"borrower"}
        shot(dialog, "refusal-owner", tmp_path)

    opened = run_dialog(monkeypatch, qtbot, EmergencyIssueDialog, script)
    press(duty_window.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)

    assert len(opened) == 1


def test_the_emergency_form_never_starts_with_the_owner_as_borrower(
    qtbot: QtBot, demo: Database, duty_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_item(qtbot, duty_window, "BED-000501")
    started: list[str] = []
    offered: list[list[PersonRef]] = []
    said: list[str] = []

    def look(dialog: RequestDialog) -> None:
        assert isinstance(dialog, EmergencyIssueDialog)
        started.append(dialog.borrower_combo.currentText())
        offered.append(list(dialog.people.offered.values()))
        said.append(dialog.message().splitlines()[0])

    run_dialog(monkeypatch, qtbot, EmergencyIssueDialog, look)

    press(duty_window.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)

    # Nobody is assumed: the agency typed, or the operator's, is the borrower.
    assert started == [""]
    assert said == [NO_BORROWER_YET]
    owner = find_agency(demo, "Bedfordshire Police").id
    assert offered
    assert owner not in {person.agency_id for person in offered[0]}
    item = find_item(demo, "BED-000501").id
    assert {p.agency_id for p in offered[0]} <= set(
        request_defaults(demo, item).emergency_borrower_ids
    )


def test_issue_now_on_an_item_no_protocol_covers_says_why_and_what_to_do(
    qtbot: QtBot, duty_window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    on_item(qtbot, duty_window, "BED-000601")
    opened = run_dialog(monkeypatch, qtbot, EmergencyIssueDialog, lambda dialog: None)
    seen: list[str] = []

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, read_and_close)
            return
        seen.append(box.windowTitle())
        seen.append(box.text())
        shot(box, "refusal-no-protocol", tmp_path)
        QTest.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(0, read_and_close)
    press(duty_window.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)

    assert opened == []
    assert seen == [
        "This item cannot be lent",
        "No sharing protocol covers BED-000601 “Tower light 9m mast, diesel”, so it cannot be "
        "lent to another agency. An administrator must add it (or its category) to a protocol "
        "under an MoU in force.",
    ]


def test_a_defect_without_a_full_stop_reads_as_two_sentences_in_the_form(
    qtbot: QtBot,
    demo: Database,
    duty_window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    tag = "CFR-000231"  # a lighting tower its protocol lends
    duty = Actor("Rachel Holloway (duty)", role=Role.DUTY_OFFICER)
    report_defect(
        demo,
        DefectDraft(
            item_id=find_item(demo, tag).id,
            description="one foot cracked",  # as typed at 3 a.m.: no capital, no full stop
            severity=DefectSeverity.MAJOR,
        ),
        duty,
    )
    duty_window.catalogue.show_again()
    wait_for_results(qtbot, duty_window)
    on_item(qtbot, duty_window, tag)

    def script(dialog: RequestDialog) -> None:
        settle(qtbot, dialog)
        said = dialog.message()
        assert "One foot cracked. It cannot go out until the defect is cleared." in said, said
        # Pointed at, the message gives the rule behind it and what to do, from the list.
        rule = stop_for("defect")
        assert rule is not None
        assert f"({rule.name}: {rule.why} {rule.fix})" in dialog.message_label.toolTip()
        assert not dialog.ok_button.isEnabled()
        shot(dialog, "refusal-defect-sentence", tmp_path)

    opened = run_dialog(monkeypatch, qtbot, EmergencyIssueDialog, script)
    press(duty_window.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)

    assert len(opened) == 1
