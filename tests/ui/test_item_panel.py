"""The item panel on its own: empty state, escaping and wording."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.catalogue.detail import item_detail
from app.catalogue.directory import find_item
from app.core.clock import format_hours
from app.loans.support import why_not_lent
from app.storage.database import Database
from tests.ui.driving import ADMINISTRATOR, click_tag, open_window
from tests.ui.seed import BARRIERS_TAG, DRONE_TAG, Catalogue
from ui.catalogue.item_panel import EMPTY_TEXT, ItemPanel
from ui.shell.main_window import MainWindow

# Screenshots of each end state, to look at; a temporary folder unless one is named.
SHOTS = os.environ.get("KITSHARE_SHOTS", "")


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


def test_an_item_no_protocol_covers_says_why_and_what_to_do_in_the_window(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    """On the demo, BED-000601: the panel and its disabled loan buttons give the sentence
    the loan forms refuse on, with the fix, not just "not shareable"."""
    tag = "BED-000601"
    refusal = why_not_lent(demo, find_item(demo, tag).id)
    assert refusal is not None
    assert refusal.rule == "protocol"
    assert "An administrator must add it (or its category) to a protocol" in refusal.message
    window = open_window(qtbot, MainWindow(demo, ADMINISTRATOR))
    click_tag(window, tag)
    qtbot.waitUntil(lambda: tag in window.item_panel.plain_text())
    panel = window.item_panel

    assert f"Not shareable: {refusal.message}" in panel.plain_text()
    for button in (panel.request_button, panel.issue_now_button):
        assert not button.isEnabled()
        assert button.toolTip() == refusal.message
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(folder / "panel-not-shareable.png"))


def test_a_lendable_item_shows_no_refusal(qtbot: QtBot, catalogue: Catalogue) -> None:
    panel = ItemPanel()
    qtbot.addWidget(panel)
    panel.show_item(item_detail(catalogue.db, catalogue.ids[BARRIERS_TAG]))
    assert "Not shareable" not in panel.plain_text()
    assert panel.request_button.isEnabled()
    assert panel.request_button.toolTip() == "Ask to borrow this item"
