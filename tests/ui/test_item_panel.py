"""The item panel on its own: empty state, escaping and wording."""

from __future__ import annotations

import dataclasses

import pytest
from pytestqt.qtbot import QtBot

from app.catalogue.detail import item_detail
from app.core.clock import format_hours
from tests.ui.seed import BARRIERS_TAG, DRONE_TAG, Catalogue
from ui.catalogue.item_panel import EMPTY_TEXT, ItemPanel


def test_panel_asks_for_a_selection_when_empty(qtbot: QtBot) -> None:
    panel = ItemPanel()
    qtbot.addWidget(panel)

    assert panel.plain_text() == EMPTY_TEXT
    assert panel.detail is None


def test_clear_returns_to_the_empty_state(qtbot: QtBot, catalogue: Catalogue) -> None:
    panel = ItemPanel()
    qtbot.addWidget(panel)
    panel.show_item(item_detail(catalogue.db, catalogue.ids[DRONE_TAG]))
    assert "Thermal drone" in panel.plain_text()

    panel.clear()

    assert panel.plain_text() == EMPTY_TEXT


def test_text_from_the_database_is_shown_literally_not_as_html(
    qtbot: QtBot, catalogue: Catalogue
) -> None:
    panel = ItemPanel()
    qtbot.addWidget(panel)
    detail = item_detail(catalogue.db, catalogue.ids[DRONE_TAG])

    panel.show_item(dataclasses.replace(detail, name="Drone <b>A</b> & co"))

    assert "Drone <b>A</b> & co" in panel.plain_text()


def test_pooled_stock_shows_how_many_are_free_and_the_overdue_loan(
    qtbot: QtBot, catalogue: Catalogue
) -> None:
    panel = ItemPanel()
    qtbot.addWidget(panel)

    panel.show_item(item_detail(catalogue.db, catalogue.ids[BARRIERS_TAG]))

    text = panel.plain_text()
    assert "27 of 40 free" in text
    assert "East of England Ambulance Service" in text
    assert "OVERDUE" in text


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (0, ""),
        (1, "1 hour"),
        (12, "12 hours"),
        (24, "1 day"),
        (36, "1 day 12 hours"),
        (72, "3 days"),
        (169, "7 days 1 hour"),
    ],
)
def test_periods_read_as_people_say_them(hours: int, expected: str) -> None:
    assert format_hours(hours) == expected
