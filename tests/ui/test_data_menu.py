"""The File menu's data commands and the Reports tab, in the real window."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, update

from app.storage.backup import back_up
from app.storage.database import Database
from models import EquipmentItem
from tests.ui.driving import ADMINISTRATOR, sign_in
from ui.shell.main_window import REPORTS_TAB, MainWindow


def opened(qtbot: QtBot, db: Database) -> MainWindow:
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def commands(window: MainWindow) -> dict[str, tuple[bool, bool]]:
    """Each File-menu data command: (visible, enabled)."""
    data = window.data_actions
    actions = [data.import_action, data.export_action, *data.backups.actions()]
    return {a.text(): (a.isVisible(), a.isEnabled()) for a in actions}


def test_an_administrator_gets_every_data_command_and_the_reports_tab(
    qtbot: QtBot, demo: Database
) -> None:
    window = opened(qtbot, demo)
    sign_in(qtbot, window, "admin", "admin-demo-2026")

    assert commands(window) == {
        "&Import from a spreadsheet…": (True, True),
        "&Export…": (True, True),
        "&Back up now…": (True, True),
        "&Restore from a backup…": (True, True),
        "&Automatic backups…": (True, True),
    }
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert REPORTS_TAB in titles


def test_a_duty_officer_exports_but_neither_imports_nor_sees_backups(
    qtbot: QtBot, demo: Database
) -> None:
    window = opened(qtbot, demo)
    sign_in(qtbot, window, "duty", "duty-demo-2026")

    found = commands(window)
    assert found["&Import from a spreadsheet…"] == (True, False)
    assert found["&Export…"] == (True, True)
    assert found["&Back up now…"] == (False, False)
    assert found["&Restore from a backup…"] == (False, False)


def test_restoring_a_backup_asks_who_signs_in_and_shows_the_backups_data(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    window = opened(qtbot, demo)
    sign_in(qtbot, window, "admin", "admin-demo-2026")
    taken = back_up(demo.url, ADMINISTRATOR, tmp_path / "before.db")
    with demo.write() as session:
        session.execute(update(EquipmentItem).values(name="Renamed after the backup"))
    backups = window.data_actions.backups
    backups.ask_backup_file = lambda _parent, _folder: taken.path
    backups.run_dialog = lambda _dialog: True  # the person confirms the restore
    told: list[str] = []
    backups.inform = lambda _parent, text: told.append(text)

    assert backups.restore_from_backup()

    assert window.stack.currentWidget() is window.sign_in_page
    assert len(told) == 1
    assert "replaced" in told[0].lower()
    with demo.read() as session:
        renamed = session.scalar(
            select(func.count())
            .select_from(EquipmentItem)
            .where(EquipmentItem.name == "Renamed after the backup")
        )
    assert renamed == 0
    sign_in(qtbot, window, "admin", "admin-demo-2026")
    assert window.signed_in
