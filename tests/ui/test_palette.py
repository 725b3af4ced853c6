"""One palette: no module of ui/ but ``ui/widgets/palette.py`` writes a colour down.

A colour written in a widget drifts from the same colour written in the next one (the
red of a refusal was once written fifteen times); named in the palette, it says what it
means and changes in one place.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtGui import QColor

from ui.widgets.palette import blend

ROOT = Path(__file__).resolve().parent.parent.parent
PALETTE = ROOT / "ui" / "widgets" / "palette.py"

NAMED_COLOURS = "red|green|blue|black|white|gray|grey|orange|yellow|purple|pink|brown"
COLOUR_LITERAL = re.compile(
    "|".join(
        (
            # "#b3261e", "#fff", "#80b3261e"; not an HTML character reference (&#123;).
            r"(?<![\w&])#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b",
            # QColor(179, 38, 30), QColor("red"), QColor.fromRgb(…), QColor.fromHsv(…)
            r"QColor\(\s*(?:\d|[\"'])",
            r"QColor\.from(?:Rgb|Hsv|Hsl|Cmyk)",
            r"Qt\.GlobalColor\.",
            r"Qt\.(?:" + NAMED_COLOURS + r"|darkGray|lightGray)\b",
            r"\b(?:rgba?|hsla?)\(",
            # color: red in a style sheet
            r"(?:color|background)\s*:\s*(?:" + NAMED_COLOURS + r")\b",
        )
    ),
    re.IGNORECASE,
)


def colour_literals(path: Path) -> list[str]:
    """``path:line`` of each line of ``path`` that writes a colour down."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        f"{path.relative_to(ROOT)}:{number}"
        for number, line in enumerate(lines, start=1)
        if COLOUR_LITERAL.search(line)
    ]


def test_no_ui_module_but_the_palette_writes_a_colour() -> None:
    found = [
        where
        for path in sorted((ROOT / "ui").rglob("*.py"))
        if path != PALETTE
        for where in colour_literals(path)
    ]
    assert found == [], f"colours written outside ui/widgets/palette.py: {found}"


@pytest.mark.parametrize(
    "line",
    [
        'REFUSED = "#b3261e"',
        "QLabel { color: #fff; }",
        'label.setStyleSheet("background: #80b3261e")',
        "brush = QColor(179, 38, 30)",
        'brush = QColor("red")',
        "QColor.fromRgb(1, 2, 3)",
        "pixmap.fill(Qt.GlobalColor.transparent)",
        "painter.setPen(Qt.red)",
        '"color: rgb(179, 38, 30);"',
        '"color: red;"',
    ],
)
def test_the_check_catches_a_colour_written_down(line: str) -> None:
    assert COLOUR_LITERAL.search(line), line


@pytest.mark.parametrize(
    "line",
    [
        "brush = QColor(REFUSED)",
        "# Red is something that stops an action",
        'text = "Loan #12 is overdue"',
        "html = '&#123;'",
        "label.setStyleSheet(coloured_text(DUE, bold=True))",
    ],
)
def test_the_check_lets_a_named_colour_pass(line: str) -> None:
    assert not COLOUR_LITERAL.search(line), line


def test_the_palette_itself_is_where_the_colours_are() -> None:
    assert colour_literals(PALETTE)


def test_blend_lies_between_ink_and_paper() -> None:
    mixed = blend(QColor(0, 0, 0), QColor(200, 100, 40))

    assert (mixed.red(), mixed.green(), mixed.blue()) == (50, 25, 10)
