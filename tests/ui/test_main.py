"""Starting the window from the command line, above all when the database is unusable."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

import app.config
import ui.main
from app.config import ENV_DATABASE_URL
from tests.ui.seed import Catalogue
from ui.main import OPEN_FAILED_TITLE, build_parser, main, open_chosen_database
from ui.main_window import MainWindow

Messages = list[tuple[str, str]]


@pytest.fixture
def critical_messages(monkeypatch: pytest.MonkeyPatch, qapp: QApplication) -> Messages:
    """Every critical message box's title and text, instead of a modal dialog."""
    seen: Messages = []

    def capture(_parent: QWidget | None, title: str, text: str) -> None:
        seen.append((title, text))

    monkeypatch.setattr(QMessageBox, "critical", capture)
    return seen


def test_a_file_that_is_not_a_database_ends_with_one_sentence(
    tmp_path: Path, critical_messages: Messages
) -> None:
    garbage = tmp_path / "kitshare.db"
    content = b"\x00\xffThis is a spreadsheet, not a database.\x13" * 64
    garbage.write_bytes(content)

    assert main(["--database", f"sqlite:///{garbage.as_posix()}"]) == 1

    assert len(critical_messages) == 1
    title, text = critical_messages[0]
    assert title == OPEN_FAILED_TITLE
    assert "is not a Kit Share database, or it is damaged" in text
    assert "Traceback" not in text
    assert garbage.read_bytes() == content


def test_a_folder_that_does_not_exist_ends_with_one_sentence(
    tmp_path: Path, critical_messages: Messages
) -> None:
    missing = tmp_path / "no such folder" / "kitshare.db"

    assert main(["--database", f"sqlite:///{missing.as_posix()}"]) == 1

    assert len(critical_messages) == 1
    title, text = critical_messages[0]
    assert title == OPEN_FAILED_TITLE
    assert "does not exist" in text
    assert not missing.parent.exists()


def test_a_url_that_is_not_a_database_url_ends_with_one_sentence(
    critical_messages: Messages,
) -> None:
    assert main(["--database", "C:kitshare"]) == 1

    assert len(critical_messages) == 1
    assert "is not a database URL" in critical_messages[0][1]


def test_a_usable_database_opens_the_window(
    qtbot: QtBot,
    catalogue: Catalogue,
    monkeypatch: pytest.MonkeyPatch,
    critical_messages: Messages,
) -> None:
    seen: list[tuple[str, str, int]] = []

    def run_event_loop(*_args: object) -> int:
        # Only the window main() showed: other tests' closed windows may linger unreaped.
        windows = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        for window in windows:
            qtbot.addWidget(window)
            qtbot.waitUntil(lambda: not window.searching)  # noqa: B023 - used at once
            current = window.stack.currentWidget()
            page = current.objectName() if current is not None else ""
            seen.append((window.windowTitle(), page, window.model.rowCount()))
            window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", run_event_loop)

    assert main(["--database", f"sqlite:///{catalogue.path.as_posix()}"]) == 0

    assert critical_messages == []
    # No one has an account yet: the window asks for the first administrator, and shows
    # nothing of the catalogue until someone has signed in.
    assert seen == [
        (f"Kit Share — SQLite file {catalogue.path.as_posix()}", "firstAdministrator", 0)
    ]
    assert QApplication.applicationName() == "Kit Share"


def test_the_default_database_is_made_in_a_new_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "data" / "KitShare"
    monkeypatch.delenv(ENV_DATABASE_URL, raising=False)
    monkeypatch.setattr(app.config, "data_folder", lambda: folder)
    monkeypatch.setattr(ui.main, "data_folder", lambda: folder)

    db = open_chosen_database(None, demo=False)
    try:
        assert db.location == f"SQLite file {(folder / 'kitshare.db').as_posix()}"
        assert (folder / "kitshare.db").is_file()
    finally:
        db.dispose()


def test_a_data_folder_that_cannot_be_made_is_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, critical_messages: Messages
) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be")
    folder = blocker / "KitShare"
    monkeypatch.delenv(ENV_DATABASE_URL, raising=False)
    monkeypatch.setattr(app.config, "data_folder", lambda: folder)
    monkeypatch.setattr(ui.main, "data_folder", lambda: folder)

    assert main([]) == 1

    assert len(critical_messages) == 1
    assert f"Kit Share cannot create its data folder {folder}" in critical_messages[0][1]


def test_help_describes_both_options() -> None:
    text = build_parser().format_help()

    assert "--database URL" in text
    assert "KITSHARE_DATABASE_URL" in text
    assert "--demo" in text
