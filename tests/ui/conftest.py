"""Fixtures for the window tests: Qt offscreen, and a small catalogue in a SQLite file."""

from __future__ import annotations

import os

# Before any QApplication exists: the tests must run on machines without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.driving import open_window
from tests.ui.loan_driving import People, add_people
from tests.ui.seed import Catalogue, build_catalogue
from ui.main_window import MainWindow


@pytest.fixture
def catalogue(tmp_path: Path) -> Iterator[Catalogue]:
    """A database holding the small catalogue of ``tests.ui.seed``."""
    built = build_catalogue(tmp_path / "ui.db")
    try:
        yield built
    finally:
        built.db.dispose()


@pytest.fixture
def window(qtbot: QtBot, catalogue: Catalogue) -> MainWindow:
    """The main window on the small catalogue, shown, with its first search done."""
    return open_window(qtbot, MainWindow(catalogue.db))


@pytest.fixture
def people(catalogue: Catalogue) -> People:
    """Staff of the small catalogue's agencies: requester, operators, approvers."""
    return add_people(catalogue.db)
