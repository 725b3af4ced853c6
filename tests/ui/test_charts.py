"""Report charts drawn with QPainter: bars where they belong, at the right heights, in
the series' colours, with their labels, and a clear sentence when there is nothing.

Bars are found in a rendered image by their exact fill colour; labels are read back as
text from a PDF page the chart was painted on.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPdfWriter, QTransform
from pytestqt.qtbot import QtBot

from app.reports.report import Chart, ChartKind, ColumnKind, Series, display
from ui.reports.charts import (
    EMPTY_NOW_TEXT,
    EMPTY_TEXT,
    PALETTE,
    ZERO_NOW_TEXT,
    ZERO_TEXT,
    ChartWidget,
    draw_chart,
    empty_message,
    fitting_height,
    is_empty,
    nice_ticks,
    paint_chart,
    series_colour,
    tick_text,
)


@pytest.fixture(autouse=True)
def _application(qapp: object) -> None:
    """Fonts need a Qt application, even for painting into an image."""


MONTHS = ("Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026")
WIDTH, HEIGHT = 640, 360


def bars(*values: float, kind: ChartKind = ChartKind.BARS) -> Chart:
    return Chart(kind, MONTHS[: len(values)], (Series("Loans", values),), "Loans")


def render(chart: Chart, width: int = WIDTH, height: int = HEIGHT) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    font = QFont()
    font.setPixelSize(12)
    painter.setFont(font)
    paint_chart(painter, QRectF(8, 8, width - 16, height - 16), chart)
    painter.end()
    return image


def runs(image: QImage, colour: QColor) -> list[tuple[int, int, int]]:
    """Vertical bars of exactly ``colour``: (first x, last x, tallest height) each.

    Anything narrower than 10 pixels (a legend's swatch) is not a bar.
    """
    found: list[tuple[int, int, int]] = []
    wanted = colour.rgb()
    start = None
    tallest = 0
    for x in range(image.width()):
        height = sum(1 for y in range(image.height()) if image.pixel(x, y) == wanted)
        if height >= 3:
            start = x if start is None else start
            tallest = max(tallest, height)
        elif start is not None:
            found.append((start, x - 1, tallest))
            start, tallest = None, 0
    if start is not None:
        found.append((start, image.width() - 1, tallest))
    return [(first, last, height) for first, last, height in found if last - first >= 9]


def rows(image: QImage, colour: QColor) -> list[tuple[int, int, int]]:
    """Horizontal bars of exactly ``colour``: (first y, last y, longest width) each."""
    return runs(image.transformed(_transpose()), colour)


def _transpose() -> QTransform:
    # A reflection in the diagonal: rows become columns.
    return QTransform(0, 1, 1, 0, 0, 0)


def pdf_text(chart: Chart, path: Path, *, about_now: bool = False) -> str:
    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    painter = QPainter(writer)
    font = QFont()
    font.setPointSizeF(9)
    painter.setFont(font)
    rect = QRectF(0, 0, writer.width(), writer.height() / 2)
    paint_chart(painter, rect, chart, about_now=about_now)
    painter.end()
    del writer
    text = PdfReader(path).pages[0].extract_text()
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def test_bars_stand_in_the_series_colour_at_heights_in_proportion() -> None:
    image = render(bars(1, 2, 4))

    found = runs(image, PALETTE[0])

    assert len(found) == 3
    heights = [height for _first, _last, height in found]
    assert heights[1] == pytest.approx(2 * heights[0], rel=0.03)
    assert heights[2] == pytest.approx(4 * heights[0], rel=0.03)
    # Left to right in the categories' order, evenly spaced.
    lefts = [first for first, _last, _height in found]
    assert lefts == sorted(lefts)
    assert lefts[2] - lefts[1] == pytest.approx(lefts[1] - lefts[0], rel=0.03)


def test_a_nought_draws_no_bar_but_keeps_its_place() -> None:
    image = render(bars(3, 0, 3))

    found = runs(image, PALETTE[0])

    assert len(found) == 2
    gap = found[1][0] - found[0][0]
    assert gap > 1.7 * (found[0][1] - found[0][0])  # the empty slot between them


def test_grouped_bars_put_each_series_side_by_side_in_its_own_colour() -> None:
    chart = Chart(
        ChartKind.BARS,
        MONTHS[:2],
        (Series("Police", (2.0, 4.0)), Series("Fire", (4.0, 1.0))),
        "Loans",
    )
    image = render(chart)

    police, fire = runs(image, series_colour(0)), runs(image, series_colour(1))

    assert len(police) == 2
    assert len(fire) == 2
    assert fire[0][2] == pytest.approx(2 * police[0][2], rel=0.03)
    assert police[1][2] == pytest.approx(4 * fire[1][2], rel=0.03)
    # Each fire bar stands just right of its month's police bar.
    assert police[0][1] < fire[0][0] < police[1][0]


def test_stacked_bars_pile_the_series_on_each_other() -> None:
    chart = Chart(
        ChartKind.STACKED,
        MONTHS[:2],
        (Series("Police", (2.0, 3.0)), Series("Fire", (2.0, 0.0))),
        "Loans",
    )
    image = render(chart)

    police, fire = runs(image, series_colour(0)), runs(image, series_colour(1))

    assert len(police) == 2
    assert len(fire) == 1
    # The first month's two segments share one column, the same height each.
    assert (fire[0][0], fire[0][1]) == (police[0][0], police[0][1])
    assert fire[0][2] == pytest.approx(police[0][2], rel=0.03)
    assert police[1][2] == pytest.approx(1.5 * police[0][2], rel=0.03)


def test_horizontal_bars_run_to_lengths_in_proportion() -> None:
    chart = Chart(
        ChartKind.HORIZONTAL,
        ("Thermal imaging drone CAMBS-DRN-001", "Lighting tower", "Rescue boat"),
        (Series("Days lent", (30.0, 15.0, 6.0)),),
        "Days lent",
        ColumnKind.DAYS,
    )
    image = render(chart)

    found = rows(image, PALETTE[0])

    assert len(found) == 3
    lengths = [length for _first, _last, length in found]
    assert lengths[1] == pytest.approx(lengths[0] / 2, rel=0.03)
    assert lengths[2] == pytest.approx(lengths[0] / 5, rel=0.03)
    tops = [first for first, _last, _length in found]
    assert tops == sorted(tops)  # the first category at the top


def test_an_empty_chart_says_so_and_draws_no_bars(tmp_path: Path) -> None:
    nothing = Chart(ChartKind.BARS, (), (), "Loans")
    noughts = bars(0, 0, 0)
    for chart in (nothing, noughts, Chart(ChartKind.HORIZONTAL, ("Drone",), (), "Days")):
        assert is_empty(chart)
        image = render(chart)
        assert all(not runs(image, colour) for colour in PALETTE[:3])
    assert not is_empty(bars(0, 1))
    assert empty_message(bars(0, 1)) is None

    assert EMPTY_TEXT in pdf_text(nothing, tmp_path / "nothing.pdf")
    # A table of noughts is not "no data": the chart says what it would show.
    assert ZERO_TEXT in pdf_text(noughts, tmp_path / "noughts.pdf")
    assert "period" not in pdf_text(nothing, tmp_path / "today.pdf", about_now=True)
    assert empty_message(nothing, about_now=True) == EMPTY_NOW_TEXT
    assert empty_message(noughts, about_now=True) == ZERO_NOW_TEXT


def test_labels_name_the_categories_and_give_each_figure_as_the_table_does(
    tmp_path: Path,
) -> None:
    chart = Chart(
        ChartKind.BARS,
        ("Drones", "Lighting towers", "Boats"),
        (Series("Utilisation", (0.42, 0.91, 0.05)),),
        "Utilisation by category",
        ColumnKind.PERCENT,
    )

    text = pdf_text(chart, tmp_path / "chart.pdf")

    for expected in ("Drones", "Lighting towers", "Boats", "Utilisation by category"):
        assert expected in text
    for value in (0.42, 0.91, 0.05):
        assert display(value, ColumnKind.PERCENT) in text


def test_a_legend_names_the_series_when_there_are_several(tmp_path: Path) -> None:
    several = Chart(
        ChartKind.STACKED,
        MONTHS,
        (
            Series("Cambridgeshire Constabulary", (1.0, 2.0, 3.0, 4.0)),
            Series("East of England Ambulance Service", (2.0, 0.0, 1.0, 0.0)),
        ),
        "Loans",
    )
    one = Chart(ChartKind.BARS, MONTHS, (Series("Only series", (1.0, 2.0, 3.0, 4.0)),), "Loans")

    text = pdf_text(several, tmp_path / "several.pdf")

    assert "Cambridgeshire Constabulary" in text
    assert "East of England Ambulance Service" in text
    # Stacked bars carry their totals.
    assert all(str(total) in text for total in (3, 2, 4))
    assert "Only series" not in pdf_text(one, tmp_path / "one.pdf")


def test_money_is_labelled_in_pounds(tmp_path: Path) -> None:
    chart = Chart(
        ChartKind.HORIZONTAL,
        ("Cambridgeshire Constabulary", "Cambridgeshire Fire and Rescue"),
        (Series("Value", (123456.0, 50000.0)),),
        "Estimated value of sharing",
        ColumnKind.MONEY,
    )

    text = pdf_text(chart, tmp_path / "money.pdf")

    assert display(123456, ColumnKind.MONEY) in text
    assert display(50000, ColumnKind.MONEY) in text
    assert "£" in tick_text(100000, ColumnKind.MONEY)
    assert not tick_text(100000, ColumnKind.MONEY).endswith(".00")


def test_many_long_categories_still_draw_every_bar_inside_the_chart() -> None:
    categories = tuple(f"Breathing apparatus set number {n}" for n in range(24))
    chart = Chart(
        ChartKind.BARS,
        categories,
        (Series("Loans", tuple(float(n + 1) for n in range(24))),),
        "Loans",
    )
    image = QImage(480, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    hits = draw_chart(painter, QRectF(0, 0, 480, 300), chart)
    painter.end()

    assert len(hits) == 24
    frame = QRectF(0, 0, 480, 300)
    assert all(frame.contains(hit.rect) for hit in hits)
    assert [hit.rect.height() for hit in hits] == sorted(hit.rect.height() for hit in hits)
    assert hits[4].text == f"{categories[4]}: {display(5, ColumnKind.COUNT)}"


def test_axis_stops_are_round_and_cover_the_figures() -> None:
    assert nice_ticks(0, 9, 5, whole=True) == [0, 2, 4, 6, 8, 10]
    assert nice_ticks(0, 1, 5, whole=False) == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    # A count never gets a step of half a loan.
    assert nice_ticks(0, 2, 8, whole=True) == [0, 1, 2]
    stops = nice_ticks(0, 123456, 5, whole=True)
    assert stops[0] == 0
    assert stops[-1] >= 123456
    assert all(stop == int(stop) for stop in stops)


def test_the_widget_paints_its_chart_at_any_size_with_a_tooltip_per_bar(qtbot: QtBot) -> None:
    widget = ChartWidget()
    qtbot.addWidget(widget)
    widget.set_chart(bars(2, 5))
    minimum = widget.minimumSizeHint()
    assert minimum.width() >= 200
    assert minimum.height() >= 120

    for size in ((minimum.width(), minimum.height()), (1000, 420)):
        widget.resize(*size)
        image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        found = runs(image, PALETTE[0])
        assert len(found) == 2
        assert found[1][2] == pytest.approx(2.5 * found[0][2], rel=0.04)

    texts = [hit.text for hit in widget.hits()]
    assert texts == [
        f"Jan 2026: {display(2, ColumnKind.COUNT)}",
        f"Feb 2026: {display(5, ColumnKind.COUNT)}",
    ]
    assert "Feb 2026" in widget.accessibleDescription()

    widget.set_chart(bars(0, 0))
    widget.grab()
    assert widget.hits() == []
    assert widget.accessibleDescription() == ZERO_TEXT


def test_a_horizontal_chart_asks_only_for_the_height_its_bars_need(qtbot: QtBot) -> None:
    few = Chart(ChartKind.HORIZONTAL, ("A", "B"), (Series("Days", (1.0, 2.0)),), "Days")
    many = Chart(ChartKind.HORIZONTAL, tuple("ABCDEFGHIJ"), (Series("Days", (1.0,) * 10),), "Days")
    font = QFont()
    few_height, many_height = fitting_height(few, font), fitting_height(many, font)

    assert few_height is not None
    assert many_height is not None
    assert few_height < many_height
    assert fitting_height(bars(1, 2), font) is None  # vertical bars use what they are given

    widget = ChartWidget()
    qtbot.addWidget(widget)
    widget.set_chart(few)
    assert widget.maximumHeight() < 400
    widget.set_chart(bars(1, 2))
    assert widget.maximumHeight() > 10_000
