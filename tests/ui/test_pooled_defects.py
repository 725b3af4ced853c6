"""A defect on some of a pool, in the window: the report-defect dialog asks how many, says
so at the field when too many, and the catalogue row and the item panel count the units
it holds back as not free."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.catalogue.detail import item_detail
from app.inspections.defects import DefectDraft, list_defects, report_defect
from models import DefectSeverity
from tests.ui.driving import ADMINISTRATOR, click_tag, open_window, shot, wait_for_results
from tests.ui.seed import BARRIERS_TAG, DRONE_TAG, Catalogue
from ui.catalogue.availability_strip import DayState, day_text
from ui.catalogue.model import Column
from ui.inspections.dialogs import ReportDefectDialog
from ui.shell.main_window import MainWindow


def _settle(qtbot: QtBot, dialog: ReportDefectDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.checking)


def _row_free(window: MainWindow, tag: str) -> str:
    for row in range(window.model.rowCount()):
        if window.model.index(row, Column.TAG).data() == tag:
            return str(window.model.index(row, Column.FREE).data())
    raise AssertionError(f"{tag} is not listed")


def test_a_defect_on_two_barriers_takes_two_off_the_row_and_the_panel(
    qtbot: QtBot, catalogue: Catalogue, tmp_path: Path
) -> None:
    barriers = catalogue.ids[BARRIERS_TAG]
    free_before = item_detail(catalogue.db, barriers).quantity_free_now
    dialog = ReportDefectDialog(catalogue.db, ADMINISTRATOR, barriers)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)

    # Shown for a pool, starting at 1, with what it is out of beside it.
    assert dialog.quantity_spin.isVisible()
    assert dialog.quantity_spin.value() == 1
    QTest.keyClicks(dialog.description_edit, "Two feet cracked")
    QTest.mouseClick(dialog.severity.buttons[DefectSeverity.MAJOR], Qt.MouseButton.LeftButton)
    dialog.quantity_spin.setFocus()
    dialog.quantity_spin.selectAll()
    QTest.keyClicks(dialog.quantity_spin, "41")
    _settle(qtbot, dialog)
    assert dialog.quantity_spin.value() == 41  # not clamped: refused, at the field
    assert dialog.marked_fields() == {"quantity"}
    assert "from 1 to 40" in dialog.message()
    assert not dialog.ok_button.isEnabled()

    dialog.quantity_spin.selectAll()
    QTest.keyClicks(dialog.quantity_spin, "2")
    _settle(qtbot, dialog)
    assert dialog.message() == (
        "Nothing stops this. Major: 2 of the 40 are held back until it is cleared; the rest "
        "can go out."
    )
    shot(dialog, "pooled_defect_dialog", tmp_path)
    QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.saved_defect_id is not None
    assert [d.quantity for d in list_defects(catalogue.db, barriers)] == [2]

    window = open_window(qtbot, MainWindow(catalogue.db, ADMINISTRATOR))
    wait_for_results(qtbot, window)
    assert _row_free(window, BARRIERS_TAG) == str(free_before - 2)
    click_tag(window, BARRIERS_TAG)
    qtbot.waitUntil(lambda: BARRIERS_TAG in window.item_panel.plain_text())
    text = window.item_panel.plain_text()
    assert f"{free_before - 2} of 40 free" in text
    assert "Available" in text
    shot(window, "pooled_defect_window", tmp_path)


def test_a_single_item_is_asked_no_quantity(qtbot: QtBot, catalogue: Catalogue) -> None:
    dialog = ReportDefectDialog(catalogue.db, ADMINISTRATOR, catalogue.ids[DRONE_TAG])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.quantity_spin.isVisible()
    assert dialog.draft().quantity == 1


def test_the_panel_and_its_next_weeks_count_units_a_defect_holds_back(
    qtbot: QtBot, catalogue: Catalogue, tmp_path: Path
) -> None:
    """Beside the free figure, how many a defect holds back; in "Free in the next 3 weeks",
    those units are not free on any day, and a pool with every free unit held back or
    booked reads booked, not free."""
    barriers = catalogue.ids[BARRIERS_TAG]
    window = open_window(qtbot, MainWindow(catalogue.db, ADMINISTRATOR))
    click_tag(window, BARRIERS_TAG)
    qtbot.waitUntil(lambda: BARRIERS_TAG in window.item_panel.plain_text())
    strip = window.item_panel.timeline
    free_before = item_detail(catalogue.db, barriers).quantity_free_now
    days_before = [day.free for day in strip.days]
    assert "held back" not in window.item_panel.plain_text()
    assert "held back" not in day_text(strip.days[-1])

    report_defect(catalogue.db, _defect(barriers, 2, "Two feet cracked"), ADMINISTRATOR)
    window.catalogue.show_again()
    qtbot.waitUntil(lambda: "held back" in window.item_panel.plain_text())
    text = window.item_panel.plain_text()
    assert f"{free_before - 2} of 40 free now (2 held back by a defect)" in text
    assert [day.free for day in strip.days] == [free - 2 for free in days_before]
    last = days_before[-1] - 2
    assert day_text(strip.days[-1]).endswith(f"{last} of 40 free all day (2 held back by a defect)")
    assert strip.states()[-1] is DayState.PARTLY
    shot(window.item_panel, "panel-defect-on-two", tmp_path)

    # Every unit still free today is held back: today reads booked, not free.
    report_defect(catalogue.db, _defect(barriers, free_before - 2, "Batch bent"), ADMINISTRATOR)
    window.catalogue.show_again()
    qtbot.waitUntil(lambda: f"({free_before} held back" in window.item_panel.plain_text())
    text = window.item_panel.plain_text()
    assert f"0 of 40 free now ({free_before} held back by open defects)" in text
    assert strip.days[0].free == 0
    assert strip.states()[0] is DayState.BOOKED
    # Nothing to hand out now, and the button says why; asking for later still works.
    button = window.item_panel.issue_now_button
    assert not button.isEnabled()
    assert button.toolTip() == (
        f"Nothing to hand out now: 0 of 40 free now ({free_before} held back by open defects)."
    )
    assert window.item_panel.request_button.isEnabled()
    shot(window.item_panel, "panel-all-free-held-back", tmp_path)


def _defect(item_id: int, quantity: int, description: str) -> DefectDraft:
    return DefectDraft(
        item_id=item_id, description=description, severity=DefectSeverity.MAJOR, quantity=quantity
    )
