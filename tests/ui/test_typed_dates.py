"""Date-and-time fields take a moment typed as a whole ("tomorrow 18:00", "+8h", "now")
and move on with one Tab, saying what they understood."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.core.clock import UK
from tests.clock import TestClock
from tests.ui.driving import shot
from ui.widgets.dates import UkDateTimeEdit

# A Monday in winter, at midday.
MONDAY_NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
# The Saturday evening before the clocks go forward (01:00 on Sunday 29/03/2026 becomes 02:00).
BEFORE_SPRING_FORWARD = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)


class Form(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.starts = UkDateTimeEdit()
        self.after = QLineEdit()
        layout = QVBoxLayout(self)
        layout.addWidget(self.starts)
        layout.addWidget(self.after)
        self.resize(420, 160)


@pytest.fixture
def form(qtbot: QtBot) -> Form:
    shown = Form()
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    shown.activateWindow()
    shown.starts.set_moment(datetime(2026, 12, 7, 9, 0, tzinfo=UK))
    shown.starts.setFocus()
    return shown


def type_in(edit: UkDateTimeEdit, text: str) -> None:
    QTest.keyClicks(edit, text[0])
    QTest.keyClicks(edit.typed, text[1:])


@pytest.mark.clock(MONDAY_NOON, running=False)
def test_tomorrow_1800_is_taken_whole_and_one_tab_moves_on(
    qtbot: QtBot, form: Form, tmp_path: Path
) -> None:
    changes: list[object] = []
    form.starts.dateTimeChanged.connect(changes.append)

    type_in(form.starts, "tomorrow 18:00")

    assert form.starts.typing
    assert form.starts.understood.isVisible()
    assert form.starts.understood.text() == "Tue 08/12/2026 18:00"
    # Taken as typed, so a form checks it at once.
    assert form.starts.moment() == datetime(2026, 12, 8, 18, 0, tzinfo=UK)
    assert changes
    shot(form, "typed_date_understood", tmp_path)

    QTest.keyClick(form.starts.typed, Qt.Key.Key_Tab)

    assert QApplication.focusWidget() is form.after
    assert not form.starts.typing
    assert form.starts.text() == "08/12/2026 18:00"
    assert form.starts.problem() is None


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("now", "07/12/2026 12:00"),
        ("+8h", "07/12/2026 20:00"),
        ("sat", "12/12/2026 09:00"),  # a day alone keeps the time shown
        ("tom 8", "08/12/2026 08:00"),
        ("07/12 18:00", "07/12/2026 18:00"),
        ("31/12/2026 23:30", "31/12/2026 23:30"),
    ],
)
@pytest.mark.clock(MONDAY_NOON, running=False)
def test_words_and_figures_become_the_moment_shown(
    qtbot: QtBot, form: Form, typed: str, shown: str
) -> None:
    type_in(form.starts, typed)
    QTest.keyClick(form.starts.typed, Qt.Key.Key_Return)

    assert not form.starts.typing
    assert form.starts.text() == shown


@pytest.mark.clock(BEFORE_SPRING_FORWARD, running=False)
def test_eight_hours_across_the_spring_forward_night_are_eight_hours(
    qtbot: QtBot, form: Form
) -> None:
    type_in(form.starts, "+8h")
    QTest.keyClick(form.starts.typed, Qt.Key.Key_Tab)

    assert form.starts.moment() == BEFORE_SPRING_FORWARD + timedelta(hours=8)
    assert form.starts.text() == "29/03/2026 07:00"  # 06:00 GMT is 07:00 BST


@pytest.mark.clock(BEFORE_SPRING_FORWARD, running=False)
def test_a_time_the_clocks_skip_is_refused_and_tab_stays(
    qtbot: QtBot, form: Form, tmp_path: Path
) -> None:
    before = form.starts.moment()
    type_in(form.starts, "tomorrow 01:30")

    sentence = (
        "There is no 01:30 on 29/03/2026 in the UK: the clocks go forward from 01:00 to 02:00 "
        "that night; give a time before 01:00 or from 02:00."
    )
    assert form.starts.problem() == sentence
    assert form.starts.understood.text() == sentence
    assert form.starts.moment() == before
    shot(form, "typed_date_refused", tmp_path)

    QTest.keyClick(form.starts.typed, Qt.Key.Key_Tab)
    assert form.starts.typing
    assert QApplication.focusWidget() is form.starts.typed

    QTest.keyClick(form.starts.typed, Qt.Key.Key_Escape)
    assert not form.starts.typing
    assert form.starts.problem() is None
    assert form.starts.moment() == before


@pytest.mark.clock(MONDAY_NOON, running=False)
def test_words_it_cannot_read_say_what_to_type(qtbot: QtBot, form: Form) -> None:
    type_in(form.starts, "teatime")

    assert form.starts.problem() == (
        "“teatime” is not a date and time Kit Share understands: type, for example, “now”, "
        "“tomorrow 18:00”, “sat 14:00”, “+8h” or “07/12/2026 18:00”."
    )


@pytest.mark.clock(MONDAY_NOON, running=False)
def test_one_tab_leaves_an_untouched_field_and_the_arrows_still_step(
    qtbot: QtBot, form: Form
) -> None:
    QTest.keyClick(form.starts, Qt.Key.Key_Up)
    assert form.starts.text() == "08/12/2026 09:00"  # the day steps

    QTest.keyClick(form.starts, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.after


def test_the_clock_fixture_is_what_the_field_reads(clock: TestClock) -> None:
    clock.set(MONDAY_NOON, running=False)
    edit = UkDateTimeEdit()
    edit.start_typing("now")
    assert edit.moment() == MONDAY_NOON
