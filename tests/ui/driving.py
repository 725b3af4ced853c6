"""Driving the main window as a person would, shared by the window tests."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from ui.catalogue_model import Column
from ui.main_window import MainWindow


def wait_for_results(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until no search is running on a worker and its results are shown."""
    qtbot.waitUntil(lambda: not window.searching)


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
