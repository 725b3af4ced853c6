"""Fixtures for the window tests: Qt offscreen, and a small catalogue in a SQLite file."""

from __future__ import annotations

import os

# Before any QApplication exists: the tests must run on machines without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from functools import partialmethod
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.storage.database import Database, open_database
from tests.templates import Content, SqliteTemplates
from tests.ui.driving import ADMINISTRATOR, open_window
from tests.ui.loan_driving import People, add_people
from tests.ui.seed import Catalogue, build_catalogue
from ui.shell.main_window import MainWindow

# How long a test waits for what it expects before it fails. A wait ends as soon as the
# condition holds, so patience costs a passing test nothing; pytest-qt's five seconds are
# too few on a busy CI machine running the suite under libfaketime.
PATIENCE_MS = 30_000


@pytest.fixture(autouse=True, scope="session")
def patient_waits() -> Iterator[None]:
    """Every ``qtbot.wait*`` that is not given a timeout waits up to ``PATIENCE_MS``."""
    saved = {name: getattr(QtBot, name) for name in WAITS}
    for name, method in saved.items():
        setattr(QtBot, name, partialmethod(method, timeout=PATIENCE_MS))
    try:
        yield
    finally:
        for name, method in saved.items():
            setattr(QtBot, name, method)


WAITS = ("waitUntil", "waitSignal", "waitSignals", "waitCallback")


@pytest.fixture
def catalogue(tmp_path: Path, sqlite_templates: SqliteTemplates) -> Iterator[Catalogue]:
    """A database holding the small catalogue of ``tests.ui.seed``."""
    built = build_catalogue(sqlite_templates.copy(Content.SCHEMA, tmp_path / "ui.db"))
    try:
        yield built
    finally:
        built.db.dispose()


@pytest.fixture
def window(qtbot: QtBot, catalogue: Catalogue) -> MainWindow:
    """The main window on the small catalogue, shown, with its first search done."""
    return open_window(qtbot, MainWindow(catalogue.db, ADMINISTRATOR))


@pytest.fixture
def demo(tmp_path: Path, sqlite_templates: SqliteTemplates) -> Iterator[Database]:
    """A SQLite copy of the session's demo database, of its own for one test."""
    path = tmp_path / "demo.db"
    sqlite_templates.copy(Content.DEMO, path)
    db = open_database(f"sqlite:///{path.as_posix()}")
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def people(catalogue: Catalogue) -> People:
    """Staff of the small catalogue's agencies: requester, operators, approvers."""
    return add_people(catalogue.db)
