"""Loans from an item: the panel's buttons, its three-week timeline, the context menu."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.loans.support import DayAvailability, availability_timeline
from tests.ui.driving import click_tag
from tests.ui.loan_driving import People, act_as, choose, click, press_ok
from tests.ui.seed import BARRIERS_TAG, BROKEN_DRONE_TAG, DRONE_TAG, TOILET_TAG, Catalogue
from ui.catalogue.availability_strip import STATE_COLOURS, AvailabilityStrip, DayState, day_text
from ui.catalogue.item_panel import NOTHING_OUT_TEXT
from ui.loans.forms import EmergencyIssueDialog
from ui.shell.main_window import MainWindow


def test_return_is_offered_only_for_an_item_out_on_loan(window: MainWindow) -> None:
    panel = window.item_panel
    click_tag(window, BARRIERS_TAG)
    assert panel.return_button.isEnabled()
    assert window.return_action.isEnabled()

    click_tag(window, DRONE_TAG)

    assert not panel.return_button.isEnabled()
    assert panel.return_button.toolTip() == NOTHING_OUT_TEXT
    assert not window.return_action.isEnabled()
    assert panel.request_button.isEnabled()


def test_an_item_no_protocol_covers_cannot_be_requested(window: MainWindow) -> None:
    click_tag(window, TOILET_TAG)

    assert not window.item_panel.request_button.isEnabled()
    assert not window.item_panel.issue_now_button.isEnabled()
    assert "No sharing protocol covers CFRS-WC-001" in window.item_panel.request_button.toolTip()
    # The commands stay on, to say why and what to do (tests/ui/test_loan_refusals.py).
    assert window.request_action.isEnabled()
    assert window.issue_now_action.isEnabled()


def test_the_context_menu_offers_the_loan_actions_for_the_row(window: MainWindow) -> None:
    click_tag(window, BARRIERS_TAG)

    menu = window.catalogue_context_menu()

    enabled = {action.text(): action.isEnabled() for action in menu.actions() if action.text()}
    assert enabled == {
        "&Request…": True,
        "&Issue now…": True,
        "Re&turn…": True,
        "&Edit item…": True,
        "Record &inspection…": True,
        "Report &defect…": True,
    }
    menu.deleteLater()


def test_the_timeline_shows_three_weeks_partly_booked_barriers(
    window: MainWindow, catalogue: Catalogue
) -> None:
    click_tag(window, BARRIERS_TAG)
    strip = window.item_panel.timeline

    assert strip.isVisible()
    assert strip.days == availability_timeline(catalogue.db, catalogue.ids[BARRIERS_TAG])
    assert len(strip.days) == 21
    # 13 of the 40 are out on an overdue loan: every day is partly booked.
    assert set(strip.states()) == {DayState.PARTLY}

    click_tag(window, TOILET_TAG)
    assert set(strip.states()) == {DayState.FREE}

    click_tag(window, BROKEN_DRONE_TAG)
    assert set(strip.states()) == {DayState.BOOKED}


def test_each_day_is_painted_in_its_state_colour(qtbot: QtBot) -> None:
    strip = AvailabilityStrip()
    qtbot.addWidget(strip)
    days = [
        DayAvailability(day=date(2026, 11, 20 + n), free=free, quantity=40)
        for n, free in enumerate((40, 40, 27, 0, 40))
    ]
    strip.show_days(days)
    strip.resize(strip.sizeHint())
    strip.show()

    image = strip.grab().toImage()

    for day, rect in zip(days, strip.cell_rects(), strict=True):
        # Just inside the left edge: the centre holds the day's number.
        point = QPoint(int(rect.left()) + 4, int(rect.center().y()))
        expected = {40: DayState.FREE, 27: DayState.PARTLY, 0: DayState.BOOKED}[day.free]
        assert image.pixelColor(point).name() == STATE_COLOURS[expected].name(), day
    assert strip.day_at(strip.cell_rects()[2].center().toPoint()) == days[2]
    assert day_text(days[2]) == "Sun 22/11/2026: 27 of 40 free all day"
    assert day_text(DayAvailability(day=date(2026, 11, 23), free=0, quantity=1)) == (
        "Mon 23/11/2026: booked for all or part of the day"
    )


def test_issue_now_from_the_panel_logs_an_emergency_loan(
    qtbot: QtBot,
    people: People,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def hand_out(dialog: EmergencyIssueDialog) -> None:
        choose(dialog.borrower_combo, people.ambulance_id)
        QTest.keyClicks(dialog.purpose_edit, "Crowd control after a fire alarm")
        dialog.quantity_spin.setValue(7)
        choose(dialog.people.operator, people.operator_id)
        press_ok(qtbot, dialog)

    opened = act_as(monkeypatch, qtbot, EmergencyIssueDialog, hand_out)
    click_tag(window, BARRIERS_TAG)

    click(qtbot, window.item_panel.issue_now_button)

    assert len(opened) == 1
    assert opened[0].loan_id is not None
    assert window.tabs.tabText(1) == "Loans (1 overdue)"
    assert len(window.item_panel.open_loan_ids) == 2
    assert "20 of 40 free" in window.item_panel.plain_text()
