"""Bar charts of a report, drawn with QPainter: the same drawing on screen and on paper.

``paint_chart`` lays a ``Chart`` out in any rectangle on any paint device. Every size is
taken from the painter's font measured on that device, so a chart drawn into a window
and one drawn on a 600 dpi PDF page have the same proportions. Colours are the
Okabe–Ito palette, which people with any common colour blindness can tell apart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QPaintDevice,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.reports.report import Chart, ChartKind, ColumnKind, display
from ui.widgets.palette import AXIS, CHART_INK, GRID, PAPER_MUTED, SERIES, WHITE

PALETTE = tuple(QColor(colour) for colour in SERIES)
TEXT_COLOUR = QColor(CHART_INK)
MUTED_COLOUR = QColor(PAPER_MUTED)
AXIS_COLOUR = QColor(AXIS)
GRID_COLOUR = QColor(GRID)
BACKGROUND_COLOUR = QColor(WHITE)
QWIDGETSIZE_MAX = 16777215  # what Qt calls no limit

EMPTY_TEXT = "No data for this period"
ZERO_TEXT = "Every figure is 0 for this period"
# For reports about today and the days ahead, which have no period.
EMPTY_NOW_TEXT = "Nothing to show today"
ZERO_NOW_TEXT = "Every figure is 0 today"
# Labels smaller than the body text, as charts usually have them.
LABEL_SCALE = 0.9
# The widest a category label may be, as a share of the chart: the bars need the rest.
HORIZONTAL_LABEL_SHARE = 0.34
ROTATED_LABEL_SHARE = 0.3
ROTATION_DEGREES = 40.0


def series_colour(index: int) -> QColor:
    """The colour of the ``index``-th series."""
    return QColor(PALETTE[index % len(PALETTE)])


def is_empty(chart: Chart) -> bool:
    """Whether ``chart`` has nothing to draw: no bars, or every bar nought."""
    if not chart.categories or not chart.series:
        return True
    return all(not value for series in chart.series for value in series.values)


def empty_message(chart: Chart, *, about_now: bool = False) -> str | None:
    """What an empty chart says instead of bars (None if it has some to draw).

    ``about_now``: the report is about today, not a period.
    """
    if not chart.categories or not chart.series:
        return EMPTY_NOW_TEXT if about_now else EMPTY_TEXT
    if is_empty(chart):
        return ZERO_NOW_TEXT if about_now else ZERO_TEXT
    return None


def value_text(value: float, kind: ColumnKind) -> str:
    """A bar's value as the table shows it (whole counts and pence without decimals)."""
    if kind in (ColumnKind.COUNT, ColumnKind.MONEY):
        return display(round(value), kind)
    return display(value, kind)


def tick_text(value: float, kind: ColumnKind) -> str:
    """An axis label: like a value, but money in whole pounds where it is whole, and
    days without the word (the axis title says what they count)."""
    text = value_text(value, kind)
    if kind is ColumnKind.MONEY and text.endswith(".00"):
        return text[:-3]
    if kind is ColumnKind.DAYS:
        return text.removesuffix(" days").removesuffix(" day")
    return text


def nice_ticks(low: float, high: float, target: int, *, whole: bool) -> list[float]:
    """Round axis stops from at most ``low`` to at least ``high``, about ``target`` steps.

    ``whole`` keeps every step a whole number (counts of loans, pence).
    """
    if high <= low:
        high = low + 1
    raw = (high - low) / max(1, target)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = magnitude * 10
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude * 1.0001:
            step = factor * magnitude
            break
    if whole:
        step = max(1.0, step)
        if step != int(step):  # 2.5 becomes 2 or 5 rather than a fraction of a loan
            step = 5 * magnitude if step > 2 * magnitude else 2 * magnitude
            step = max(1.0, step)
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    count = round((last - first) / step)
    return [first + i * step for i in range(count + 1)]


@dataclass(frozen=True)
class ChartHit:
    """Where one bar (or stack segment) was drawn, and what its tooltip says."""

    rect: QRectF
    text: str


@dataclass
class _Style:
    """Fonts and sizes for one device, all derived from the base font."""

    font: QFont
    small: QFont
    bold_small: QFont
    metrics: QFontMetricsF
    small_metrics: QFontMetricsF
    line: float  # the small font's height
    gap: float  # a standard space between parts
    hairline: float

    @classmethod
    def for_painter(cls, painter: QPainter) -> _Style:
        return cls.for_font(painter.font(), painter.device())

    @classmethod
    def for_font(cls, base: QFont, device: QPaintDevice | None) -> _Style:
        font = QFont(base)
        small = QFont(font)
        if font.pointSizeF() > 0:
            small.setPointSizeF(font.pointSizeF() * LABEL_SCALE)
        else:
            small.setPixelSize(max(1, round(font.pixelSize() * LABEL_SCALE)))
        bold_small = QFont(small)
        bold_small.setBold(True)
        metrics = QFontMetricsF(font, device) if device is not None else QFontMetricsF(font)
        small_metrics = QFontMetricsF(small, device) if device is not None else QFontMetricsF(small)
        dpi = device.logicalDpiY() if device is not None else 96
        return cls(
            font=font,
            small=small,
            bold_small=bold_small,
            metrics=metrics,
            small_metrics=small_metrics,
            line=small_metrics.height(),
            gap=small_metrics.height() * 0.5,
            hairline=max(1.0, dpi / 96),
        )


def paint_chart(painter: QPainter, rect: QRectF, chart: Chart, *, about_now: bool = False) -> None:
    """Draw ``chart`` inside ``rect`` with ``painter``'s font as the base size.

    A chart with no bars, or only noughts, says so in a sentence instead
    (``empty_message``; ``about_now`` for a report about today rather than a period).
    """
    draw_chart(painter, rect, chart, about_now=about_now)


def draw_chart(
    painter: QPainter, rect: QRectF, chart: Chart, *, about_now: bool = False
) -> list[ChartHit]:
    """``paint_chart``, returning where each bar went (for tooltips)."""
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        style = _Style.for_painter(painter)
        message = empty_message(chart, about_now=about_now)
        if message is not None:
            _paint_empty(painter, rect, style, message)
            return []
        plot = _paint_header(painter, rect, chart, style)
        if chart.kind is ChartKind.HORIZONTAL:
            return _paint_horizontal(painter, plot, chart, style)
        return _paint_vertical(painter, plot, chart, style)
    finally:
        painter.restore()


# -- parts shared by every kind ------------------------------------------------------------


def _paint_empty(painter: QPainter, rect: QRectF, style: _Style, text: str) -> None:
    painter.setPen(QPen(GRID_COLOUR, style.hairline, Qt.PenStyle.DashLine))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    inset = style.gap
    painter.drawRect(rect.adjusted(inset, inset, -inset, -inset))
    painter.setPen(MUTED_COLOUR)
    painter.setFont(style.font)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)


def _paint_header(painter: QPainter, rect: QRectF, chart: Chart, style: _Style) -> QRectF:
    """The value title at the top left and, for several series, the legend at the right.

    Returns what is left for the plot.
    """
    metrics = style.small_metrics
    painter.setFont(style.small)
    painter.setPen(MUTED_COLOUR)
    title_width = min(metrics.horizontalAdvance(chart.value_title), rect.width() * 0.5)
    title = metrics.elidedText(chart.value_title, Qt.TextElideMode.ElideRight, title_width + 1)
    top = rect.top()
    if len(chart.series) < 2:
        painter.drawText(QRectF(rect.left(), top, title_width + 1, style.line), title)
        return rect.adjusted(0, style.line + style.gap, 0, 0)

    # The legend: swatches and names in rows, right-aligned, wrapping as needed.
    swatch = metrics.ascent() * 0.8
    room = rect.width() - title_width - 2 * style.gap
    entries = []
    for index, series in enumerate(chart.series):
        name = metrics.elidedText(series.name, Qt.TextElideMode.ElideRight, room * 0.9)
        entries.append((index, name, swatch + style.gap * 0.6 + metrics.horizontalAdvance(name)))
    rows: list[list[tuple[int, str, float]]] = [[]]
    width = 0.0
    for entry in entries:
        needed = entry[2] + (style.gap * 1.6 if rows[-1] else 0)
        if rows[-1] and width + needed > room:
            rows.append([])
            width = 0.0
            needed = entry[2]
        rows[-1].append(entry)
        width += needed
    painter.drawText(QRectF(rect.left(), top, title_width + 1, style.line), title)
    for row_number, row in enumerate(rows):
        row_width = sum(entry[2] for entry in row) + style.gap * 1.6 * (len(row) - 1)
        x = rect.right() - row_width
        y = top + row_number * style.line
        for index, name, entry_width in row:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(series_colour(index))
            painter.drawRect(QRectF(x, y + (style.line - swatch) / 2, swatch, swatch))
            painter.setPen(TEXT_COLOUR)
            painter.drawText(
                QRectF(x + swatch + style.gap * 0.6, y, entry_width, style.line),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            x += entry_width + style.gap * 1.6
    return rect.adjusted(0, len(rows) * style.line + style.gap, 0, 0)


def _whole(kind: ColumnKind) -> bool:
    return kind in (ColumnKind.COUNT, ColumnKind.MONEY)


def _range(chart: Chart) -> tuple[float, float]:
    """The lowest and highest value the axis must reach (always including nought)."""
    if chart.kind is ChartKind.STACKED:
        totals = [
            sum(max(0.0, series.values[i]) for series in chart.series if i < len(series.values))
            for i in range(len(chart.categories))
        ]
        return 0.0, max(totals, default=0.0)
    values = [value for series in chart.series for value in series.values]
    return min(0.0, *values), max(0.0, *values)


def _ticks(chart: Chart, length: float, spacing: float) -> list[float]:
    low, high = _range(chart)
    target = max(2, min(8, int(length // spacing)))
    ticks = nice_ticks(low, high, target, whole=_whole(chart.value_kind))
    if chart.value_kind is ColumnKind.PERCENT and high <= 1 and ticks[-1] > 1:
        # Utilisation never passes 100%: an axis to 120% only wastes room.
        ticks = [tick for tick in ticks if tick <= 1.0 + 1e-9]
        if ticks[-1] < high:
            ticks.append(1.0)
    return ticks


def _value(series_values: Sequence[float], index: int) -> float:
    return series_values[index] if index < len(series_values) else 0.0


def _hit_text(chart: Chart, category: int, series: int, value: float) -> str:
    name = chart.categories[category]
    if len(chart.series) > 1:
        name = f"{name}, {chart.series[series].name}"
    return f"{name}: {value_text(value, chart.value_kind)}"


# -- vertical bars (grouped or stacked) ----------------------------------------------------


@dataclass
class _Vertical:
    """Where the parts of a vertical bar chart go."""

    plot: QRectF
    ticks: list[float]
    tick_labels: list[str]
    slot: float  # the width given to one category
    labels: list[str]  # the category names, elided if rotated
    rotate: bool
    every: int  # label every n-th category (1: all of them)

    def y_of(self, value: float) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return self.plot.bottom() - (value - low) / (high - low) * self.plot.height()


def _vertical_layout(area: QRectF, chart: Chart, style: _Style) -> _Vertical:
    metrics = style.small_metrics
    count = len(chart.categories)
    # A rough plot height for choosing how many ticks; the margin is measured from them.
    ticks = _ticks(chart, area.height() * 0.7, style.line * 2.6)
    tick_labels = [tick_text(tick, chart.value_kind) for tick in ticks]
    axis_width = max(metrics.horizontalAdvance(label) for label in tick_labels) + style.gap
    left = area.left() + axis_width
    slot = max(1.0, area.right() - left) / count

    labels = list(chart.categories)
    widest = max(metrics.horizontalAdvance(label) for label in labels)
    rotate = widest > slot - style.gap
    band = style.line + style.gap
    every = 1
    if rotate:
        # Two lines under each bar read better than a slant, where they fit.
        wrapped = [_two_lines(label, metrics, slot - style.gap) for label in labels]
        if all(lines is not None for lines in wrapped):
            labels = ["\n".join(lines or ()) for lines in wrapped]
            rotate = False
            band = style.line * 2 + style.gap
    if rotate:
        sine = math.sin(math.radians(ROTATION_DEGREES))
        limit = area.height() * ROTATED_LABEL_SHARE / sine
        labels = [metrics.elidedText(label, Qt.TextElideMode.ElideRight, limit) for label in labels]
        widest = max(metrics.horizontalAdvance(label) for label in labels)
        cosine = math.cos(math.radians(ROTATION_DEGREES))
        band = widest * sine + style.line * cosine + style.gap
        # The first label's tail stays inside the chart.
        overhang = widest * cosine - slot / 2 - axis_width
        if overhang > 0:
            left += overhang
            slot = max(1.0, area.right() - left) / count
        # Every n-th label where neighbours would overlap, measured across the slant.
        every = max(1, math.ceil(style.line * 1.15 / (slot * sine)))

    value_room = style.line  # for the figures on top of the tallest bars
    height = max(style.line, area.height() - band - value_room)
    plot = QRectF(left, area.top() + value_room, slot * count, height)
    return _Vertical(plot, ticks, tick_labels, slot, labels, rotate, every)


def _two_lines(text: str, metrics: QFontMetricsF, width: float) -> tuple[str, ...] | None:
    """``text`` split at a space into two lines no wider than ``width``, if it can be."""
    if metrics.horizontalAdvance(text) <= width:
        return (text,)
    words = text.split(" ")
    for cut in range(len(words) - 1, 0, -1):
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        if metrics.horizontalAdvance(first) <= width:
            return (first, second) if metrics.horizontalAdvance(second) <= width else None
    return None


def _paint_vertical(painter: QPainter, area: QRectF, chart: Chart, style: _Style) -> list[ChartHit]:
    layout = _vertical_layout(area, chart, style)
    plot = layout.plot
    painter.setFont(style.small)
    for tick, label in zip(layout.ticks, layout.tick_labels, strict=True):
        y = layout.y_of(tick)
        painter.setPen(QPen(GRID_COLOUR, style.hairline))
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(MUTED_COLOUR)
        painter.drawText(
            QRectF(
                area.left(), y - style.line / 2, plot.left() - area.left() - style.gap, style.line
            ),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            label,
        )
    hits = _paint_vertical_bars(painter, layout, chart, style)
    # The baseline over the bars' feet, then the category names under them.
    painter.setPen(QPen(AXIS_COLOUR, style.hairline))
    zero_y = layout.y_of(max(layout.ticks[0], 0.0))
    painter.drawLine(QPointF(plot.left(), zero_y), QPointF(plot.right(), zero_y))
    _paint_category_labels(painter, layout, style)
    return hits


def _paint_vertical_bars(
    painter: QPainter, layout: _Vertical, chart: Chart, style: _Style
) -> list[ChartHit]:
    kind = chart.value_kind
    slot = layout.slot
    stacked = chart.kind is ChartKind.STACKED
    groups = 1 if stacked else len(chart.series)
    group_width = min(slot * 0.72, style.line * (4.0 if groups == 1 else 2.4) * groups)
    bar_width = group_width / groups
    # Figures on the bars only where every one fits: some but not others misleads.
    labels_fit = all(
        style.small_metrics.horizontalAdvance(value_text(value, kind)) + style.gap * 0.4
        <= (slot if stacked else bar_width)
        for series in chart.series
        for value in series.values
        if value
    )
    hits: list[ChartHit] = []
    for index in range(len(chart.categories)):
        x = layout.plot.left() + slot * (index + 0.5) - group_width / 2
        base = 0.0
        for number, series in enumerate(chart.series):
            value = _value(series.values, index)
            if stacked:
                bottom, top = layout.y_of(base), layout.y_of(base + max(0.0, value))
                bar = QRectF(x, top, bar_width, bottom - top)
                base += max(0.0, value)
            else:
                zero, end = layout.y_of(0.0), layout.y_of(value)
                bar = QRectF(x + number * bar_width, min(zero, end), bar_width, abs(end - zero))
            if not value:
                # A lone series says nought out loud; among several the gap says it.
                if groups == 1 and not stacked and labels_fit:
                    _label_above(painter, bar, value_text(value, kind), style)
                continue
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(series_colour(number))
            painter.drawRect(bar)
            hits.append(ChartHit(bar, _hit_text(chart, index, number, value)))
            if not stacked and labels_fit:
                _label_above(painter, bar, value_text(value, kind), style)
        if stacked and base and labels_fit:
            total = QRectF(x, layout.y_of(base), bar_width, 0)
            _label_above(painter, total, value_text(base, kind), style, bold=True)
    return hits


def _paint_category_labels(painter: QPainter, layout: _Vertical, style: _Style) -> None:
    painter.setPen(TEXT_COLOUR)
    painter.setFont(style.small)
    slot = layout.slot
    top = layout.plot.bottom() + style.gap * 0.6
    for index, label in enumerate(layout.labels):
        if index % layout.every:
            continue
        centre = layout.plot.left() + slot * (index + 0.5)
        if not layout.rotate:
            painter.drawText(
                QRectF(centre - slot / 2, top, slot, style.line * 2),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                label,
            )
            continue
        painter.save()
        painter.translate(centre, top)
        painter.rotate(-ROTATION_DEGREES)
        width = style.small_metrics.horizontalAdvance(label)
        # Right-aligned to the bar's foot, reading up towards it.
        painter.drawText(
            QRectF(-width - style.gap * 0.3, -style.line * 0.1, width, style.line),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
            label,
        )
        painter.restore()


def _label_above(
    painter: QPainter, bar: QRectF, text: str, style: _Style, *, bold: bool = False
) -> None:
    painter.setFont(style.bold_small if bold else style.small)
    painter.setPen(TEXT_COLOUR)
    width = max(bar.width(), style.small_metrics.horizontalAdvance(text) + style.gap)
    painter.drawText(
        QRectF(bar.center().x() - width / 2, bar.top() - style.line, width, style.line),
        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
        text,
    )
    painter.setFont(style.small)


# -- horizontal bars -----------------------------------------------------------------------


def _row_cap(style: _Style, groups: int) -> float:
    # Thick bars for a few categories look like a warning sign, so rows are capped.
    return style.line * (1.1 * groups + 0.9)


def fitting_height(chart: Chart, font: QFont, device: QPaintDevice | None = None) -> float | None:
    """The height ``chart`` needs at most, drawn with ``font`` on ``device``.

    Horizontal bars are capped in thickness, so more room only leaves white space below;
    vertical bars use any height they are given (None).
    """
    if chart.kind is not ChartKind.HORIZONTAL or is_empty(chart):
        return None
    style = _Style.for_font(font, device)
    header = style.line * (1 if len(chart.series) < 2 else 2) + style.gap
    rows = len(chart.categories) * _row_cap(style, len(chart.series))
    return header + rows + style.line + style.gap


def _paint_horizontal(
    painter: QPainter, area: QRectF, chart: Chart, style: _Style
) -> list[ChartHit]:
    metrics = style.small_metrics
    kind = chart.value_kind
    count = len(chart.categories)
    limit = area.width() * HORIZONTAL_LABEL_SHARE
    labels = [
        metrics.elidedText(label, Qt.TextElideMode.ElideRight, limit) for label in chart.categories
    ]
    label_width = max(metrics.horizontalAdvance(label) for label in labels) + style.gap
    values = [value for series in chart.series for value in series.values]
    value_width = max(metrics.horizontalAdvance(value_text(v, kind)) for v in values) + style.gap
    left = area.left() + label_width
    axis_band = style.line + style.gap * 0.6
    plot_width = max(1.0, area.right() - value_width - left)
    ticks = _ticks(chart, plot_width, max(style.line * 4, _widest_tick(chart, style) * 1.8))
    tick_labels = [tick_text(tick, kind) for tick in ticks]
    # Room for the last tick label to sit centred under its gridline.
    plot_width = max(1.0, plot_width - metrics.horizontalAdvance(tick_labels[-1]) / 2)

    groups = len(chart.series)
    row = min((area.height() - axis_band) / count, _row_cap(style, groups))
    plot = QRectF(left, area.top(), plot_width, row * count)
    low, high = ticks[0], ticks[-1]

    def x_of(value: float) -> float:
        return plot.left() + (value - low) / (high - low) * plot.width()

    painter.setFont(style.small)
    for tick, label in zip(ticks, tick_labels, strict=True):
        x = x_of(tick)
        painter.setPen(QPen(GRID_COLOUR, style.hairline))
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        painter.setPen(MUTED_COLOUR)
        width = metrics.horizontalAdvance(label) + style.gap
        painter.drawText(
            QRectF(x - width / 2, plot.bottom() + style.gap * 0.4, width, style.line),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            label,
        )

    thickness = row * 0.74 / groups
    hits: list[ChartHit] = []
    for index in range(count):
        top = plot.top() + row * index + row * 0.13
        painter.setPen(TEXT_COLOUR)
        painter.drawText(
            QRectF(area.left(), plot.top() + row * index, label_width - style.gap, row),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            labels[index],
        )
        for number, series in enumerate(chart.series):
            value = _value(series.values, index)
            start, end = x_of(0.0), x_of(value)
            bar = QRectF(min(start, end), top + number * thickness, abs(end - start), thickness)
            if value:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(series_colour(number))
                painter.drawRect(bar)
                hits.append(ChartHit(bar, _hit_text(chart, index, number, value)))
            if thickness >= style.line * 0.7 or groups == 1:
                painter.setPen(TEXT_COLOUR)
                painter.drawText(
                    QRectF(bar.right() + style.gap * 0.4, bar.top(), value_width, bar.height()),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    value_text(value, kind),
                )
    painter.setPen(QPen(AXIS_COLOUR, style.hairline))
    zero_x = x_of(max(low, 0.0))
    painter.drawLine(QPointF(zero_x, plot.top()), QPointF(zero_x, plot.bottom()))
    return hits


def _widest_tick(chart: Chart, style: _Style) -> float:
    low, high = _range(chart)
    return max(
        style.small_metrics.horizontalAdvance(tick_text(value, chart.value_kind))
        for value in (low, high)
    )


# -- the widget ----------------------------------------------------------------------------


def describe(chart: Chart) -> str:
    """The chart in words, for screen readers: each category with its values."""
    parts = []
    for index, category in enumerate(chart.categories):
        values = ", ".join(
            (f"{series.name} " if len(chart.series) > 1 else "")
            + value_text(_value(series.values, index), chart.value_kind)
            for series in chart.series
        )
        parts.append(f"{category}: {values}")
    return f"{chart.value_title}. " + "; ".join(parts)


class ChartWidget(QWidget):
    """A report's chart, drawn to fill the widget on a white card, with a tooltip per bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportChart")
        self._chart: Chart | None = None
        self._hits: list[ChartHit] = []
        self.about_now = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)

    def chart(self) -> Chart | None:
        return self._chart

    def set_chart(self, chart: Chart | None, *, about_now: bool = False) -> None:
        """Show ``chart`` (None: nothing at all, not even the empty message).

        ``about_now``: the report is about today, not a period (for the empty message).
        """
        self._chart = chart
        self._hits = []
        self.about_now = about_now
        message = None if chart is None else empty_message(chart, about_now=about_now)
        self.setAccessibleName(chart.value_title if chart is not None else "")
        if chart is None:
            self.setAccessibleDescription("")
        elif message is not None:
            self.setAccessibleDescription(message)
        else:
            self.setAccessibleDescription(describe(chart))
        self._fit_height()
        self.update()

    def _padding(self) -> float:
        return self.fontMetrics().height() * 0.8

    def _is_blank(self) -> bool:
        return self._chart is None or empty_message(self._chart) is not None

    def _fit_height(self) -> None:
        self.updateGeometry()
        if self._is_blank():
            # A sentence needs a few lines, not the height of a chart.
            self.setMaximumHeight(self.minimumSizeHint().height() * 2)
            return
        assert self._chart is not None
        needed = fitting_height(self._chart, self.font(), self)
        if needed is None:
            self.setMaximumHeight(QWIDGETSIZE_MAX)
        else:
            self.setMaximumHeight(
                max(self.minimumSizeHint().height(), round(needed + 2 * self._padding()))
            )

    def minimumSizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(line * 22, line * (3 if self._is_blank() else 12))

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(line * 48, line * 20)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            card = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(QPen(GRID_COLOUR, 1))
            painter.setBrush(BACKGROUND_COLOUR)
            painter.drawRoundedRect(card, 6, 6)
            if self._chart is None:
                return
            pad = self._padding()
            painter.setFont(self.font())
            self._hits = draw_chart(
                painter,
                card.adjusted(pad, pad * 0.8, -pad, -pad * 0.6),
                self._chart,
                about_now=self.about_now,
            )
        finally:
            painter.end()

    def hits(self) -> list[ChartHit]:
        """Where the bars were last drawn."""
        return list(self._hits)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            point = QPointF(event.pos())
            for hit in self._hits:
                if hit.rect.adjusted(-1, -1, 1, 1).contains(point):
                    QToolTip.showText(event.globalPos(), hit.text, self)
                    return True
            QToolTip.hideText()
            event.ignore()
            return True
        return super().event(event)
