"""Starting the window from the command line, above all when the database is unusable."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import text

import app.storage.config
import ui.main
from app.storage.config import ENV_DATABASE_URL
from tests.pgpassword import (  # noqa: F401 - the fixtures are used by name
    PASSWORD,
    PasswordServer,
    no_password_anywhere_fixture,
    password_server_fixture,
)
from tests.test_database_errors import BAD_URLS, no_part_of_the_password
from tests.ui.seed import Catalogue
from ui.main import (
    CREATE_NEW_DATABASE,
    OPEN_FAILED_TITLE,
    build_parser,
    main,
    open_chosen_database,
)
from ui.shell.main_window import MainWindow

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
    monkeypatch.setattr(app.storage.config, "data_folder", lambda: folder)
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
    monkeypatch.setattr(app.storage.config, "data_folder", lambda: folder)
    monkeypatch.setattr(ui.main, "data_folder", lambda: folder)

    assert main([]) == 1

    assert len(critical_messages) == 1
    assert f"Kit Share cannot create its data folder {folder}" in critical_messages[0][1]


def test_help_describes_both_options() -> None:
    text = build_parser().format_help()

    assert "--database URL" in text
    assert "KITSHARE_DATABASE_URL" in text
    assert "--demo" in text


@pytest.fixture
def default_database_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Were a mistake taken for "no URL", the default database would be the test's."""
    monkeypatch.setattr(app.storage.config, "data_folder", lambda: tmp_path)
    monkeypatch.setattr(ui.main, "data_folder", lambda: tmp_path)
    monkeypatch.delenv(ENV_DATABASE_URL, raising=False)


@pytest.mark.parametrize(("url", "words"), BAD_URLS)
@pytest.mark.usefixtures("default_database_of_its_own")
def test_a_mistaken_url_ends_with_one_sentence_naming_the_part(
    url: str,
    words: str,
    critical_messages: Messages,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A window opened by mistake closes at once rather than wait for a person.
    opened = shown_pages(qtbot, monkeypatch)

    assert main(["--database", url]) == 1

    assert opened == []

    assert len(critical_messages) == 1
    title, text = critical_messages[0]
    assert title == OPEN_FAILED_TITLE
    assert words in text
    no_part_of_the_password(text)


@pytest.mark.parametrize("minutes", ["-1", "abc", "1e3", "9" * 5000, "1441"])
@pytest.mark.usefixtures("default_database_of_its_own")
def test_a_wrong_lock_time_ends_with_one_short_sentence(
    minutes: str, critical_messages: Messages, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = shown_pages(qtbot, monkeypatch)

    assert main(["--lock-after", minutes]) == 1

    assert opened == []

    assert len(critical_messages) == 1
    text = critical_messages[0][1]
    assert "is not a lock time: give whole minutes from 0" in text
    assert len(text) < 200


def shown_pages(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Run main()'s event loop as: note each window's page and tooltip, then close it."""
    seen: list[tuple[str, str]] = []

    def run_event_loop(*_args: object) -> int:
        for window in QApplication.topLevelWidgets():
            if isinstance(window, MainWindow) and window.isVisible():
                qtbot.addWidget(window)
                current = window.stack.currentWidget()
                page = current.objectName() if current is not None else ""
                seen.append((page, window.database_label.toolTip()))
                window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", run_event_loop)
    return seen


def answer_with(monkeypatch: pytest.MonkeyPatch, button_text: str) -> list[str]:
    """Every message box run with exec() is answered by clicking ``button_text``."""
    texts: list[str] = []

    def click(box: QMessageBox) -> int:
        texts.append(box.text())
        next(b for b in box.buttons() if b.text() == button_text).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", click)
    return texts


def test_an_empty_file_is_not_a_new_database_until_the_person_says_so(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, critical_messages: Messages
) -> None:
    empty = tmp_path / "kitshare.db"
    empty.write_bytes(b"")
    url = f"sqlite:///{empty.as_posix()}"
    seen = shown_pages(qtbot, monkeypatch)

    asked = answer_with(monkeypatch, "Quit")
    assert main(["--database", url]) == 1
    assert len(asked) == 1
    assert "is an empty file, not a Kit Share database" in asked[0]
    assert empty.read_bytes() == b""
    assert seen == []

    answer_with(monkeypatch, CREATE_NEW_DATABASE)
    assert main(["--database", url]) == 0
    assert critical_messages == []
    assert [page for page, _ in seen] == ["firstAdministrator"]
    assert empty.read_bytes().startswith(b"SQLite format 3\x00")


@pytest.mark.postgres
@pytest.mark.usefixtures("no_password_anywhere")
def test_the_window_asks_for_a_password_the_server_wants_and_never_shows_it(
    qtbot: QtBot,
    password_server: PasswordServer,
    monkeypatch: pytest.MonkeyPatch,
    critical_messages: Messages,
) -> None:
    seen = shown_pages(qtbot, monkeypatch)
    prompts: list[tuple[str, QLineEdit.EchoMode]] = []
    answers = iter(["not-the-password", PASSWORD])

    def type_password(
        _parent: object, _title: str, label: str, echo: QLineEdit.EchoMode
    ) -> tuple[str, bool]:
        prompts.append((label, echo))
        return next(answers), True

    monkeypatch.setattr(QInputDialog, "getText", type_password)

    assert main(["--database", password_server.url]) == 0

    assert critical_messages == []
    assert [echo for _, echo in prompts] == [QLineEdit.EchoMode.Password] * 2
    labels = [label for label, _ in prompts]
    assert "asks for the password of “station”" in labels[0]
    assert "refused that password for “station”" in labels[1]
    # The server's new database has no users yet; the tooltip masks the password.
    assert seen[0][0] == "firstAdministrator"
    assert "***" in seen[0][1]
    for shown in [*labels, seen[0][1]]:
        assert PASSWORD not in shown
        assert "not-the-password" not in shown


@pytest.mark.postgres
@pytest.mark.usefixtures("no_password_anywhere")
def test_cancelling_the_password_box_ends_quietly(
    qtbot: QtBot,
    password_server: PasswordServer,
    monkeypatch: pytest.MonkeyPatch,
    critical_messages: Messages,
) -> None:
    seen = shown_pages(qtbot, monkeypatch)
    monkeypatch.setattr(QInputDialog, "getText", lambda *_args: ("", False))

    assert main(["--database", password_server.url]) == 1

    assert critical_messages == []
    assert seen == []


def test_the_data_folder_and_database_are_for_this_account_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "data" / "KitShare"
    monkeypatch.delenv(ENV_DATABASE_URL, raising=False)
    monkeypatch.setattr(app.storage.config, "data_folder", lambda: folder)
    monkeypatch.setattr(ui.main, "data_folder", lambda: folder)
    previous = os.umask(0o022)
    try:
        db = open_chosen_database(None, demo=False)
        try:
            with db.write() as session:
                session.execute(text("SELECT 1"))
            made = sorted(p.name for p in folder.iterdir())
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
        finally:
            db.dispose()
    finally:
        os.umask(previous)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    # SQLite's write-ahead log and shared memory files take the database file's mode.
    assert made == ["kitshare.db", "kitshare.db-shm", "kitshare.db-wal"]
    assert modes == dict.fromkeys(made, 0o600)


def test_a_data_folder_left_open_by_an_older_kit_share_is_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "data" / "KitShare"
    folder.mkdir(parents=True)
    folder.chmod(0o755)
    monkeypatch.delenv(ENV_DATABASE_URL, raising=False)
    monkeypatch.setattr(app.storage.config, "data_folder", lambda: folder)
    monkeypatch.setattr(ui.main, "data_folder", lambda: folder)

    open_chosen_database(None, demo=False).dispose()

    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_database_file_of_the_persons_own_keeps_its_mode(tmp_path: Path) -> None:
    shared = tmp_path / "shared.db"
    open_chosen_database(f"sqlite:///{shared.as_posix()}", demo=False).dispose()
    shared.chmod(0o664)  # shared with a group on purpose

    open_chosen_database(f"sqlite:///{shared.as_posix()}", demo=False).dispose()

    assert stat.S_IMODE(shared.stat().st_mode) == 0o664
