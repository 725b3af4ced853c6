"""Driving the main window as a person would, shared by the window tests."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.catalogue.search import SearchPage
from app.core.actor import Actor
from app.storage.database import Database
from models import Role
from ui.catalogue.model import Column, SearchRequest
from ui.shell.main_window import MainWindow

# Signed in, for the tests that are about something else: may do anything, for any agency.
ADMINISTRATOR = Actor("Test Administrator (test)", role=Role.ADMINISTRATOR)


def wait_for_results(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until no search is running on a worker and its results are shown."""
    qtbot.waitUntil(lambda: not window.searching)


@contextmanager
def search_held() -> Iterator[threading.Event]:
    """Searches started inside wait on their worker, once reading, until the block ends:
    what the person does while results are on their way. Yields the event set once a
    search is reading."""
    reading, release = threading.Event(), threading.Event()
    page = SearchRequest.page

    def held_page(request: SearchRequest, db: Database, offset: int = 0) -> SearchPage:
        reading.set()
        release.wait(10)
        return page(request, db, offset)

    SearchRequest.page = held_page  # type: ignore[method-assign,assignment]
    try:
        yield reading
    finally:
        release.set()
        SearchRequest.page = page  # type: ignore[method-assign]


def open_window(qtbot: QtBot, window: MainWindow) -> MainWindow:
    """Show ``window`` and wait for its first search."""
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    wait_for_results(qtbot, window)
    return window


def click_tag(window: MainWindow, tag: str) -> None:
    row = next(
        row
        for row in range(window.model.rowCount())
        if window.model.index(row, Column.TAG).data() == tag
    )
    rect = window.table.visualRect(window.model.index(row, Column.NAME))
    QTest.mouseClick(
        window.table.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        rect.center(),
    )


def sign_in(qtbot: QtBot, window: MainWindow, username: str, password: str) -> None:
    """Type a user name and password into the window's sign-in page, as a person would."""
    page = window.sign_in_page
    assert window.stack.currentWidget() is page
    page.username_edit.clear()
    QTest.keyClicks(page.username_edit, username)
    QTest.keyClicks(page.password_edit, password)
    QTest.keyClick(page.password_edit, Qt.Key.Key_Return)


# Where the tests' screenshots go to be looked at: KITSHARE_SHOTS, or the test's own folder.
SHOTS = os.environ.get("KITSHARE_SHOTS", "")


def shot(widget: QWidget, name: str, tmp_path: Path) -> None:
    """Save what ``widget`` shows, as a person would see it, as ``name``.png."""
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(folder / f"{name}.png"))
