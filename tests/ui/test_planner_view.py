"""The Planner tab, driven by the keyboard as a duty officer would: Ctrl+Shift+P from the
catalogue's search, arrows to a booking, Enter to open its loan, + and − to zoom, Shift
with the arrows to choose a period and Ctrl+R to ask for it, the form filled in."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.catalogue.search import SearchPage, search_items
from app.core.clock import now_utc
from app.core.errors import DatabaseUnavailable
from app.people.accounts import sign_in
from app.planner.model import BarState, Zoom, row_bookings
from app.storage.database import Database
from tests.ui.driving import open_window, shot, wait_for_results
from tests.ui.loan_driving import act_as
from ui.loans.forms import RequestDialog
from ui.loans.loan_detail import LoanDialog
from ui.planner import rows as planner_rows
from ui.planner.grid import PlannerGrid
from ui.planner.rows import PlannerRows
from ui.shell.main_window import MainWindow


@pytest.fixture
def window(qtbot: QtBot, demo_db: Database) -> MainWindow:
    opened = MainWindow(demo_db, sign_in(demo_db, "duty", "duty-demo-2026"))
    return open_window(qtbot, opened)


def _press(widget: QWidget, key: Qt.Key, times: int = 1, *, shift: bool = False) -> None:
    modifier = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    for _ in range(times):
        QTest.keyClick(widget, key, modifier)


def _zoom(grid: PlannerGrid) -> Zoom:
    """The grid's zoom now (read afresh after each key)."""
    return grid.zoom


def _planner_of(qtbot: QtBot, window: MainWindow, words: str) -> None:
    """Search for ``words`` and open the planner on what is found, by keyboard."""
    QTest.keyClicks(window.search_bar.search_box, words)
    wait_for_results(qtbot, window)
    QTest.keyClick(
        window.table,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )


def _row_of(window: MainWindow, tag: str) -> int:
    rows = window.planner.grid.rows
    assert rows is not None
    return next(i for i, row in rows.rows(0, rows.total - 1) if row.tag == tag)


def test_the_planner_opens_a_loan_zooms_and_asks_for_a_free_period_by_keyboard(
    qtbot: QtBot,
    demo_db: Database,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _planner_of(qtbot, window, "barrier")
    grid = window.planner.grid
    assert window.tabs.currentWidget() is window.planner
    assert grid.hasFocus()
    assert grid.rows is not None
    # What the search typed finds, even before the catalogue has shown it.
    assert grid.rows.total == search_items(demo_db, "barrier").total > 0
    shot(window, "planner", tmp_path)

    # Down to the 30 barriers Hertfordshire asked for, right to the day they start.
    _press(grid, Qt.Key.Key_Down, _row_of(window, "CAM-000131"))
    barriers = grid.current_row()
    assert barriers is not None
    bars = grid.rows.bars([barriers], grid.slots[0].start, grid.slots[-1].end)
    (requested,) = next(iter(bars.values()))
    assert requested.state is BarState.REQUESTED
    _press(grid, Qt.Key.Key_Right, grid.column_at_moment(requested.starts_at))
    assert "Enter opens the loan" in window.planner.cursor_label.text()
    opened = act_as(monkeypatch, qtbot, LoanDialog, lambda dialog: dialog.reject())
    _press(grid, Qt.Key.Key_Return)
    assert [dialog.loan.id for dialog in opened] == [requested.loan_id]

    # + zooms in to hours, − out to days and weeks, keeping the moment in view.
    _press(grid, Qt.Key.Key_Plus)
    assert _zoom(grid) is Zoom.HOURS
    assert grid.slots[grid.cursor_column].start <= requested.starts_at
    _press(grid, Qt.Key.Key_Minus, 2)
    assert _zoom(grid) is Zoom.WEEKS
    _press(grid, Qt.Key.Key_Minus)
    assert _zoom(grid) is Zoom.WEEKS  # as wide as it goes
    _press(grid, Qt.Key.Key_Plus)
    assert _zoom(grid) is Zoom.DAYS

    # A free item, three days from the day after tomorrow: Ctrl+R, and the form is filled in.
    steps = _row_of(window, "BED-000501") - grid.cursor_row
    _press(grid, Qt.Key.Key_Down if steps > 0 else Qt.Key.Key_Up, abs(steps))
    _press(grid, Qt.Key.Key_Home)
    _press(grid, Qt.Key.Key_Right, 2)
    _press(grid, Qt.Key.Key_Right, 2, shift=True)
    choice = grid.choice()
    assert choice is not None
    asked = act_as(monkeypatch, qtbot, RequestDialog, lambda dialog: dialog.reject())
    QTest.keyClick(grid, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)

    (form,) = asked
    assert form.item.asset_tag == "BED-000501"
    assert form.starts_edit.moment() == choice.start
    assert form.due_edit.moment() == choice.end
    assert choice.end - choice.start >= grid.slots[2].end - grid.slots[2].start
    shot(window, "planner-chosen", tmp_path)


def test_the_planner_exports_a_landscape_pdf_with_its_header_on_every_page(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "planner.pdf"
    monkeypatch.setattr(
        "ui.printing.actions.QFileDialog.getSaveFileName",
        lambda *_args, **_kwargs: (str(target), "PDF (*.pdf)"),
    )
    QTest.keyClick(
        window.table,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    window.planner.export_button.click()

    reader = PdfReader(target)
    box = reader.pages[0].mediabox
    assert box.width > box.height  # A4 on its side
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert len(pages) > 1  # every item of the demo, over several pages
    for number, text in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Item" in text  # the header, repeated


def test_the_planners_rows_are_the_searchs_read_a_span_at_a_time_and_kept_within_bounds(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scrolled through end to end, the rows are the search's in its order, the pages on
    screen read in one query, and what is kept of the rows and bookings scrolled past
    stays bounded (kept whole, a county's catalogue fills the heap)."""
    monkeypatch.setattr(planner_rows, "PAGE_ROWS", 10)
    monkeypatch.setattr(planner_rows, "KEEP_PAGES", 3)
    monkeypatch.setattr(planner_rows, "KEEP_BOOKINGS", 25)
    expected = [row.id for row in search_items(demo_db, "", limit=100_000).rows]
    assert len(expected) > 100
    queries: list[int | None] = []
    search = search_items

    def counted(*args: Any, **kwargs: Any) -> SearchPage:
        queries.append(kwargs.get("limit"))
        return search(*args, **kwargs)

    monkeypatch.setattr(planner_rows, "search_items", counted)
    rows = PlannerRows(demo_db)
    queries.clear()
    first = len(rows.kits)
    assert len(rows.rows(first, first + 29)) == 30
    assert queries == [30]  # three pages, one query
    start = now_utc()
    end = start + timedelta(days=21)
    walked: list[int] = []
    for top in range(first, rows.total, 7):
        shown = [row for _, row in rows.rows(top, top + 6)]
        walked += [row.id for row in shown]
        bars = rows.bars(shown, start, end)
        assert bars == {
            row.key: row_bookings(demo_db, [row], start, end).get(row.key, ()) for row in shown
        }
        pages, bookings = rows.kept
        assert pages <= 3
        assert bookings <= 25
    assert walked == expected


def test_rows_chosen_with_shift_are_asked_for_in_one_request(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Shift with the arrows chooses rows as well as a period; Ctrl+R asks for them all in
    one form. Rows of two lenders, or a kit among items, are refused with what to do."""
    said: list[str] = []

    def say(_parent: QWidget | None, _title: str, text: str) -> None:
        said.append(text)

    for kind in ("critical", "information"):
        monkeypatch.setattr(QMessageBox, kind, say)
    _planner_of(qtbot, window, "barrier")
    grid = window.planner.grid
    first = _row_of(window, "CAM-000130")
    assert _row_of(window, "CAM-000131") == first + 1  # the same lender's, side by side
    _press(grid, Qt.Key.Key_Down, first)
    _press(grid, Qt.Key.Key_Right, 2)
    _press(grid, Qt.Key.Key_Down, shift=True)
    _press(grid, Qt.Key.Key_Right, 2, shift=True)
    assert "2 rows chosen" in window.planner.cursor_label.text()
    choice = grid.choice()
    assert choice is not None
    assert [row.tag for row in choice.rows] == ["CAM-000130", "CAM-000131"]

    shot(window, "planner-rows-chosen", tmp_path)

    def look_and_close(dialog: RequestDialog) -> None:
        shot(dialog, "planner-request-several", tmp_path)
        dialog.reject()

    asked = act_as(monkeypatch, qtbot, RequestDialog, look_and_close)
    QTest.keyClick(grid, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    (form,) = asked
    assert [line.item_id for line in form.draft().lines] == [row.id for row in choice.rows]
    assert form.starts_edit.moment() == choice.start
    assert form.due_edit.moment() == choice.end

    # A third row, of another lender: the form says why it cannot be one loan.
    third = grid.rows.row(first + 2) if grid.rows is not None else None
    assert third is not None
    assert not third.tag.startswith("CAM-")
    _press(grid, Qt.Key.Key_Down, shift=True)
    QTest.keyClick(grid, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert len(asked) == 1
    assert len(said) == 1
    assert "one agency" in said[0]


def test_a_planner_that_cannot_read_its_rows_says_why_and_keeps_going(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server gone mid-scroll: the grid draws its columns and the sentence instead of
    raising out of a paint or a key, says it in the status line, and reads again after."""
    _planner_of(qtbot, window, "")
    grid = window.planner.grid
    assert grid.rows is not None
    gone = DatabaseUnavailable("Kit Share cannot reach the database server: check the network.")

    def unreachable(*_args: object, **_kwargs: object) -> SearchPage:
        raise gone

    monkeypatch.setattr(planner_rows, "search_items", unreachable)
    monkeypatch.setattr(planner_rows, "row_bookings", unreachable)
    grid.verticalScrollBar().setValue(grid.verticalScrollBar().maximum())  # rows not yet read
    grid.grab()
    qtbot.waitUntil(lambda: window.planner.cursor_label.text() == gone.message)
    assert grid.fault == gone.message
    window.planner.cursor_label.clear()
    grid.cursor_row = grid.anchor_row = grid.rows.total - 1  # a row not yet read
    QTest.keyClick(grid, Qt.Key.Key_Return)  # its loan, or a request: neither can be read
    assert window.planner.cursor_label.text() == gone.message

    monkeypatch.undo()
    grid.grab()
    assert grid.fault == ""
