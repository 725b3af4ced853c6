"""The main window, driven as a duty officer would: click, arrow keys, menus."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import delete

from app.core.clock import format_date, today_uk
from app.storage.database import open_database
from models import EquipmentItem
from tests.ui.driving import ADMINISTRATOR, click_tag, search_held, wait_for_results
from tests.ui.seed import (
    BARRIERS_TAG,
    BROKEN_DRONE_TAG,
    DRONE_TAG,
    ITEM_COUNT,
    TOILET_TAG,
    Catalogue,
)
from ui.catalogue.item_panel import NOT_SHAREABLE_TEXT
from ui.catalogue.model import Column
from ui.shell.main_window import EMPTY_CATALOGUE_TEXT, MainWindow

Messages = list[tuple[str, str]]


@pytest.fixture
def critical_messages(monkeypatch: pytest.MonkeyPatch) -> Messages:
    """Every critical message box's title and text, instead of a modal dialog."""
    seen: Messages = []

    def capture(_parent: QWidget | None, title: str, text: str) -> None:
        seen.append((title, text))

    monkeypatch.setattr(QMessageBox, "critical", capture)
    return seen


def test_window_lists_every_item_and_names_the_database(
    window: MainWindow, catalogue: Catalogue
) -> None:
    assert window.table.model().rowCount() == ITEM_COUNT
    assert window.count_label.text() == f"{ITEM_COUNT} items"
    assert window.database_label.text() == f"Database: SQLite file {catalogue.path.as_posix()}"
    assert catalogue.path.as_posix() in window.windowTitle()
    assert window.windowTitle().startswith("Kit Share")


def test_first_row_is_selected_and_shown_at_start(window: MainWindow) -> None:
    first_name = window.model.index(0, Column.NAME).data()

    assert window.table.currentIndex().row() == 0
    assert window.table.selectionModel().isRowSelected(0)
    assert first_name in window.item_panel.plain_text()


def test_clicking_a_row_shows_its_name_tag_and_protocol(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue
) -> None:
    with qtbot.waitSignal(window.catalogue.current_item_changed) as signal:
        click_tag(window, BARRIERS_TAG)

    assert signal.args == [catalogue.ids[BARRIERS_TAG]]
    text = window.item_panel.plain_text()
    assert text.startswith("Pedestrian barriers")
    assert BARRIERS_TAG in text
    assert "Drones and barriers between blue-light partners" in text
    assert "CAM-SEC-2024 version 2 (In force)" in text
    assert "East of England Ambulance Service" in text
    assert "Duty inspector" in text
    assert "4 hours" in text
    assert "1 day 12 hours" in text
    assert "Drone pilot (GVC)" in text
    assert NOT_SHAREABLE_TEXT not in text


def test_arrow_keys_move_through_rows_and_the_panel_follows(window: MainWindow) -> None:
    assert window.focusWidget() is window.table
    names = [window.model.index(row, Column.NAME).data() for row in range(ITEM_COUNT)]

    QTest.keyClick(window.table, Qt.Key.Key_Down)
    assert window.table.currentIndex().row() == 1
    assert window.item_panel.plain_text().startswith(names[1])

    QTest.keyClick(window.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert window.item_panel.plain_text().startswith(names[-1])

    QTest.keyClick(window.table, Qt.Key.Key_Up)
    assert window.item_panel.plain_text().startswith(names[-2])


def test_item_without_a_protocol_says_it_is_not_shareable(window: MainWindow) -> None:
    click_tag(window, TOILET_TAG)

    text = window.item_panel.plain_text()
    assert "Mobile toilet unit" in text
    assert NOT_SHAREABLE_TEXT in text


def test_lapsed_inspection_is_marked_lapsed(window: MainWindow) -> None:
    click_tag(window, DRONE_TAG)

    text = window.item_panel.plain_text()
    assert "LAPSED" in text
    lapsed_on = format_date(today_uk() - timedelta(days=35))
    assert lapsed_on in text


def test_inspection_in_date_is_not_marked_lapsed(window: MainWindow) -> None:
    click_tag(window, BROKEN_DRONE_TAG)

    text = window.item_panel.plain_text()
    assert "Mapping drone" in text
    assert "No inspection regime or record" in text
    assert "LAPSED" not in text
    assert "Unsafe: Cracked propeller arm" in text


def test_an_item_gone_from_the_database_is_explained_not_raised(
    window: MainWindow, catalogue: Catalogue, critical_messages: Messages
) -> None:
    with catalogue.db.write() as session:
        session.execute(delete(EquipmentItem).where(EquipmentItem.asset_tag == TOILET_TAG))

    click_tag(window, TOILET_TAG)

    assert critical_messages == [
        (
            "Kit Share cannot show this item",
            f"There is no catalogue item with id {catalogue.ids[TOILET_TAG]}.",
        )
    ]
    assert window.item_panel.detail is None


def test_refresh_reads_the_catalogue_again_and_keeps_the_selection(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue
) -> None:
    click_tag(window, DRONE_TAG)
    with catalogue.db.write() as session:
        session.execute(delete(EquipmentItem).where(EquipmentItem.asset_tag == TOILET_TAG))

    QTest.keyClick(window, Qt.Key.Key_F5)
    wait_for_results(qtbot, window)

    assert window.model.rowCount() == ITEM_COUNT - 1
    assert window.count_label.text() == f"{ITEM_COUNT - 1} items"
    assert window.item_panel.detail is not None
    assert window.item_panel.detail.asset_tag == DRONE_TAG
    assert window.model.index(window.table.currentIndex().row(), Column.TAG).data() == DRONE_TAG


def test_an_item_chosen_while_the_results_are_read_again_stays_chosen(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another station's change reads the results again; the person clicks another item
    before they come back: the results keep that item, not the one shown before."""
    click_tag(window, DRONE_TAG)
    with search_held() as reading:
        window.catalogue.catch_up()
        assert reading.wait(10)
        click_tag(window, TOILET_TAG)
    window.catalogue.settle()  # as a command given now would

    assert window.item_panel.detail is not None
    assert window.item_panel.detail.asset_tag == TOILET_TAG
    assert window.model.index(window.table.currentIndex().row(), Column.TAG).data() == TOILET_TAG


def test_words_typed_while_the_results_are_read_again_choose_their_own_top_hit(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reading-again that keeps the item shown is overtaken by typing: the new words'
    top hit is chosen, even when the item shown before is among their results."""
    for shown_before in (DRONE_TAG, BROKEN_DRONE_TAG):
        click_tag(window, shown_before)
        with search_held() as reading:
            window.catalogue.catch_up()
            assert reading.wait(10)
            QTest.keyClicks(window.search_bar.search_box, "drone")
        window.catalogue.settle()  # as Ctrl+I now would
        wait_for_results(qtbot, window)

        assert window.model.rowCount() == 2
        top = window.model.index(0, Column.TAG).data()
        assert window.item_panel.detail is not None
        assert window.item_panel.detail.asset_tag == top, f"shown before: {shown_before}"
        window.search_bar.search_box.clear()
        window.catalogue.settle()
        assert window.model.request.query == ""


def test_about_says_what_kit_share_is(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    monkeypatch.setattr(QMessageBox, "about", lambda _parent, _title, text: seen.append(text))
    about = next(a for a in window.findChildren(QAction) if a.text() == "&About Kit Share")

    about.trigger()

    assert len(seen) == 1
    assert "share specialist equipment" in seen[0]


def test_ctrl_q_closes_the_window(window: MainWindow) -> None:
    QTest.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)

    assert not window.isVisible()


def test_columns_fit_the_table_at_the_initial_size(window: MainWindow) -> None:
    header = window.table.horizontalHeader()
    total = sum(header.sectionSize(column) for column in Column)

    assert total <= window.table.viewport().width()
    assert header.sectionSize(Column.NAME) > header.sectionSize(Column.CATEGORY)
    assert not window.table.horizontalScrollBar().isVisible()


def test_an_empty_catalogue_says_so(qtbot: QtBot, tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{(tmp_path / 'empty.db').as_posix()}")
    try:
        empty = MainWindow(db, ADMINISTRATOR)
        qtbot.addWidget(empty)
        wait_for_results(qtbot, empty)

        assert empty.count_label.text() == "0 items"
        assert empty.item_panel.plain_text() == EMPTY_CATALOGUE_TEXT
        empty.close()
    finally:
        db.dispose()
