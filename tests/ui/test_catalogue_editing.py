"""The Catalogue menu: new, edit and retire, through the item service."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.catalogue.items import create_item, load_draft
from app.catalogue.search import search_items
from tests.ui.driving import ADMINISTRATOR, click_tag, wait_for_results
from tests.ui.seed import DRONE_TAG, Catalogue
from ui.shell.main_window import MainWindow


def test_a_new_item_saved_in_the_dialog_is_shown(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft, _ = load_draft(catalogue.db, window.model.item_id(0))
    copy = type(draft)(**{**draft.__dict__, "asset_tag": "CFR-009999", "name": "Spare tower light"})

    def dialog_saves(_self: MainWindow, item_id: int | None) -> int | None:
        assert item_id is None
        return create_item(catalogue.db, copy, ADMINISTRATOR)

    monkeypatch.setattr(MainWindow, "run_item_dialog", dialog_saves)
    catalogue_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Catalogue")
    assert isinstance(catalogue_menu, QMenu)
    new_item = next(a for a in catalogue_menu.actions() if a.text() == "&New item…")
    new_item.trigger()
    wait_for_results(qtbot, window)
    assert window.item_panel.detail is not None
    assert window.item_panel.detail.asset_tag == "CFR-009999"


def test_retiring_asks_why_and_retires(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    click_tag(window, DRONE_TAG)
    asked: list[str] = []

    def answer(_parent: QWidget, _title: str, label: str) -> tuple[str, bool]:
        asked.append(label)
        return ("Written off after a crash", True)

    monkeypatch.setattr(QInputDialog, "getText", answer)
    monkeypatch.setattr(QMessageBox, "critical", lambda *_args: None)
    window.retire_item_action.trigger()
    wait_for_results(qtbot, window)
    assert DRONE_TAG in asked[0]
    page = search_items(catalogue.db, DRONE_TAG)
    assert page.rows[0].status == "Retired"
