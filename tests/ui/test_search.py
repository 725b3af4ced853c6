"""Searching the catalogue from the window: typing, filters, scanning, sorting, keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, QDateTime, QModelIndex, QPoint, Qt, QTime, QTimeZone
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from tests.ui.driving import ADMINISTRATOR, open_window
from tests.ui.seed import (
    BARRIERS_TAG,
    BROKEN_DRONE_TAG,
    DRONE_TAG,
    ITEM_COUNT,
    TOILET_TAG,
    Catalogue,
    add_traffic_cones,
)
from ui.catalogue.model import PAGE_SIZE, Column
from ui.shell.main_window import MainWindow


@pytest.fixture
def window(qtbot: QtBot, catalogue: Catalogue) -> MainWindow:
    shown = open_window(qtbot, MainWindow(catalogue.db, ADMINISTRATOR))
    settle(qtbot, shown)
    return shown


def settle(qtbot: QtBot, window: MainWindow) -> None:
    """Wait out the debounce and any search on a worker."""
    qtbot.wait(250)
    qtbot.waitUntil(lambda: not window.searching)


def shown_tags(window: MainWindow) -> list[str]:
    return [window.model.index(row, Column.TAG).data() for row in range(window.model.rowCount())]


def test_typing_shows_only_matching_rows_and_counts_them(qtbot: QtBot, window: MainWindow) -> None:
    QTest.keyClicks(window.search_bar.search_box, "drone")

    qtbot.waitUntil(lambda: sorted(shown_tags(window)) == [DRONE_TAG, BROKEN_DRONE_TAG])
    settle(qtbot, window)
    assert window.count_label.text() == "2 items"


def test_a_search_with_no_match_says_so(qtbot: QtBot, window: MainWindow) -> None:
    QTest.keyClicks(window.search_bar.search_box, "xyz")
    settle(qtbot, window)

    assert window.model.rowCount() == 0
    assert window.count_label.text() == "No items match “xyz”"


def test_the_newest_search_wins_over_an_older_one(qtbot: QtBot, window: MainWindow) -> None:
    window.search_bar.search_box.setText("drone")
    window.catalogue.search()
    window.search_bar.search_box.setText("barriers")
    window.catalogue.search()
    settle(qtbot, window)

    assert shown_tags(window) == [BARRIERS_TAG]
    assert window.count_label.text() == "1 item"


def test_many_results_are_counted_in_full_and_fetched_by_the_page(
    qtbot: QtBot, catalogue: Catalogue
) -> None:
    add_traffic_cones(catalogue.db, PAGE_SIZE + 50)
    window = MainWindow(catalogue.db, ADMINISTRATOR)
    qtbot.addWidget(window)
    settle(qtbot, window)

    assert window.count_label.text() == f"{ITEM_COUNT + PAGE_SIZE + 50} items"
    assert window.model.rowCount() <= 2 * PAGE_SIZE
    assert window.model.canFetchMore(QModelIndex()) or window.model.rowCount() > PAGE_SIZE


def test_status_filter_narrows_the_results(qtbot: QtBot, window: MainWindow) -> None:
    combo = window.search_bar.status_combo
    combo.setCurrentIndex(combo.findText("Out of service"))
    settle(qtbot, window)

    assert shown_tags(window) == [BROKEN_DRONE_TAG]


def test_inspection_due_before_finds_kit_due_or_lapsed(qtbot: QtBot, window: MainWindow) -> None:
    bar = window.search_bar
    assert not bar.due_edit.isEnabled()
    bar.due_check.setChecked(True)
    assert bar.due_edit.isEnabled()
    settle(qtbot, window)
    # The drone's inspection lapsed last month; the barriers are due in about a year.
    assert shown_tags(window) == [DRONE_TAG]

    bar.due_edit.setDate(bar.due_edit.date().addDays(400))
    settle(qtbot, window)
    assert sorted(shown_tags(window)) == sorted([DRONE_TAG, BARRIERS_TAG])

    bar.due_check.setChecked(False)
    settle(qtbot, window)
    assert window.model.rowCount() == ITEM_COUNT


def test_category_filter_narrows_the_results(qtbot: QtBot, window: MainWindow) -> None:
    QTest.keyClicks(window.search_bar.category_edit, "mobile TOILETS")
    settle(qtbot, window)

    assert shown_tags(window) == [TOILET_TAG]


def test_a_period_ending_before_it_starts_is_explained_inline(
    qtbot: QtBot, window: MainWindow
) -> None:
    bar = window.search_bar
    # Midday: an hour back from "now" may fall in the hour the clocks skip.
    day = bar.from_edit.date()
    bar.from_edit.setDateTime(wall(day, 12, 0))
    bar.to_edit.setDateTime(wall(day, 11, 0))
    bar.period_check.setChecked(True)
    settle(qtbot, window)

    assert bar.error_label.isVisibleTo(window)
    assert bar.error_label.text() == "The end of the period must be after its start."
    assert window.model.rowCount() == 0

    bar.period_check.setChecked(False)
    settle(qtbot, window)
    assert not bar.error_label.isVisibleTo(window)
    assert window.model.rowCount() == ITEM_COUNT


def wall(day: QDate, hour: int, minute: int) -> QDateTime:
    """A date and time as the UK wall clock shows it (the edits keep no zone of their own)."""
    return QDateTime(day, QTime(hour, minute), QTimeZone(QTimeZone.Initialization.UTC))


def test_a_time_the_clocks_skip_is_explained_inline(qtbot: QtBot, window: MainWindow) -> None:
    bar = window.search_bar
    bar.from_edit.setDateTime(wall(QDate(2031, 3, 30), 1, 30))
    bar.to_edit.setDateTime(wall(QDate(2031, 3, 30), 6, 0))
    bar.period_check.setChecked(True)
    settle(qtbot, window)

    assert bar.error_label.isVisibleTo(window)
    assert bar.error_label.text() == (
        "There is no 01:30 on 30/03/2031 in the UK: the clocks go forward from 01:00 to 02:00 "
        "that night; give a time before 01:00 or from 02:00."
    )
    assert window.model.rowCount() == 0

    bar.from_edit.setDateTime(wall(QDate(2031, 3, 30), 2, 0))
    settle(qtbot, window)
    assert not bar.error_label.isVisibleTo(window)
    assert window.model.rowCount() > 0


def test_the_period_offers_only_the_years_kit_share_keeps(window: MainWindow) -> None:
    bar = window.search_bar
    for edit in (bar.from_edit, bar.to_edit, bar.due_edit):
        assert (edit.minimumDate(), edit.maximumDate()) == (
            QDate(1970, 1, 1),
            QDate(2099, 12, 31),
        )


def test_a_search_with_control_characters_finds_what_the_words_find(
    qtbot: QtBot, window: MainWindow
) -> None:
    box = window.search_bar.search_box
    box.setText("drone")
    settle(qtbot, window)
    plain = sorted(shown_tags(window))
    assert plain

    box.setText("dro\x00ne\x07")
    settle(qtbot, window)

    assert sorted(shown_tags(window)) == plain
    assert not window.search_bar.error_label.isVisibleTo(window)


def test_ctrl_f_and_slash_put_the_cursor_in_the_search_box(window: MainWindow) -> None:
    box = window.search_bar.search_box
    box.setText("old words")
    window.table.setFocus()

    QTest.keyClick(window.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert box.hasFocus()
    assert box.selectedText() == "old words"

    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_Slash)
    assert box.hasFocus()


def test_a_slash_typed_in_the_search_box_stays_in_it(window: MainWindow) -> None:
    box = window.search_bar.search_box
    box.setFocus()

    QTest.keyClicks(box, "SN/77")

    assert box.text() == "SN/77"


def test_down_arrow_from_the_search_box_goes_to_the_first_row(window: MainWindow) -> None:
    window.search_bar.focus_search()

    QTest.keyClick(window.search_bar.search_box, Qt.Key.Key_Down)

    assert window.table.hasFocus()
    assert window.table.currentIndex().row() == 0


def test_a_scanned_tag_and_enter_selects_that_item(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue
) -> None:
    box = window.search_bar.search_box
    box.setFocus()

    with qtbot.waitSignal(window.catalogue.current_item_changed) as shown:
        QTest.keyClicks(box, TOILET_TAG.lower())
        QTest.keyClick(box, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: shown_tags(window)[:1] == [TOILET_TAG])
    settle(qtbot, window)

    assert shown.args == [catalogue.ids[TOILET_TAG]]
    assert window.table.currentIndex().row() == 0
    assert window.item_panel.plain_text().startswith("Mobile toilet unit")
    assert box.selectedText() == TOILET_TAG.lower()


def test_enter_on_a_row_opens_its_item(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue
) -> None:
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_Down)
    item_id = window.model.item_id(window.table.currentIndex().row())

    with qtbot.waitSignal(window.catalogue.item_open_requested) as opened:
        QTest.keyClick(window.table, Qt.Key.Key_Return)

    assert opened.args == [item_id]
    assert window.item_panel.detail is not None
    assert window.item_panel.detail.id == item_id
    assert window.focusWidget() is window.item_panel.focusProxy()


def test_clicking_a_header_sorts_in_the_database(qtbot: QtBot, window: MainWindow) -> None:
    header = window.table.horizontalHeader()

    header.setSortIndicator(Column.NAME, Qt.SortOrder.AscendingOrder)
    settle(qtbot, window)
    ascending = [window.model.index(r, Column.NAME).data() for r in range(ITEM_COUNT)]
    header.setSortIndicator(Column.NAME, Qt.SortOrder.DescendingOrder)
    settle(qtbot, window)
    descending = [window.model.index(r, Column.NAME).data() for r in range(ITEM_COUNT)]

    assert ascending == sorted(ascending, key=str.lower)
    assert descending == ascending[::-1]


def test_a_click_on_the_free_header_does_not_sort(qtbot: QtBot, window: MainWindow) -> None:
    before = shown_tags(window)
    header = window.table.horizontalHeader()
    x = header.sectionViewportPosition(Column.FREE) + header.sectionSize(Column.FREE) // 2

    QTest.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(x, header.height() // 2),
    )
    settle(qtbot, window)

    assert header.sortIndicatorSection() == -1
    assert shown_tags(window) == before
