"""The window at a station of a server that checks each person's rights: it opens as
the stations' login, each person signs in as themselves, and the window's work for
their role passes the server's grants (``app.storage.server``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.catalogue.directory import find_item
from app.storage.database import open_database
from tests.secured_server import (  # noqa: F401 - the fixture is used by name
    PASSWORDS,
    SecuredServer,
    secured_server_fixture,
)
from tests.ui.driving import shot, sign_in, wait_for_results
from tests.ui.loan_driving import act_as
from tests.ui.test_loan_refusals import activate, on_item
from ui.loans.forms import EmergencyIssueDialog
from ui.shell.main_window import MainWindow

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("who", ["duty", "manager", "admin"])
def test_each_role_signs_in_and_works_in_the_window(
    qtbot: QtBot,
    secured_server: SecuredServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    who: str,
) -> None:
    db = open_database(secured_server.station_url)
    try:
        window = MainWindow(db)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        assert window.stack.currentWidget() is window.sign_in_page
        sign_in(qtbot, window, who, PASSWORDS[who])
        qtbot.waitUntil(lambda: window.signed_in)
        wait_for_results(qtbot, window)
        assert window.model.rowCount() > 0
        on_item(qtbot, window, "CAM-000131")  # 60 barriers, Cambridgeshire Constabulary's
        logged: list[int | None] = []

        def issue(dialog: EmergencyIssueDialog) -> None:
            activate(qtbot, dialog)
            dialog.quantity_spin.setValue(2)
            dialog.people.operator.setCurrentIndex(1)  # the first operator offered
            QTest.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
            QTest.keyClicks(dialog.purpose_edit, "Road closure, A1123")
            qtbot.waitUntil(dialog.ok_button.isEnabled)
            QTest.keyClick(dialog.purpose_edit, Qt.Key.Key_Return)
            logged.append(dialog.loan_id)

        act_as(monkeypatch, qtbot, EmergencyIssueDialog, issue)
        QTest.keyClick(window.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
        assert logged
        assert logged[0] is not None
        qtbot.waitUntil(
            lambda: (
                window.item_panel.detail is not None
                and window.item_panel.detail.id == find_item(db, "CAM-000131").id
            )
        )
        shot(window, f"secured-{who}", tmp_path)
        window.close()
    finally:
        db.dispose()
