"""A report on A4: title, chart, table and notes, laid out with QPainter.

The chart is drawn by the same ``ui.reports.charts.paint_chart`` the window uses, straight onto
the page (vector, sharp at any resolution). The table breaks across pages with its
header row repeated, and every page has the report's name and "Page n of m" at its
foot, as ``ui.printing.documents`` puts them on the other documents. A table too wide for a
portrait page turns the paper to landscape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from app.core.clock import format_datetime, now_utc
from app.reports.report import Column, ColumnKind, Report, Value, display
from ui.printing.documents import (
    DOCUMENT_MARGINS_MM,
    FOOTER_POINT_SIZE,
    SANS_FAMILIES,
    PrintFailed,
    finish_painting,
    write_pdf_file,
)
from ui.reports.charts import fitting_height, paint_chart
from ui.widgets.palette import INK, PAPER_MUTED, PRINT_GREY, RULE, SHADE

TITLE_POINT_SIZE = 16.0
SUBTITLE_POINT_SIZE = 10.0
TABLE_POINT_SIZE = 9.0
CHART_POINT_SIZE = 9.0
NOTE_POINT_SIZE = 8.0
# The chart's share of the first page's body, by orientation.
CHART_SHARE = {
    QPageLayout.Orientation.Portrait: 0.36,
    QPageLayout.Orientation.Landscape: 0.46,
}
# How much shorter the chart may be made to keep a report on one page.
MAX_CHART_SHRINK = 0.3
NUMERIC_KINDS = frozenset({ColumnKind.COUNT, ColumnKind.DAYS, ColumnKind.PERCENT, ColumnKind.MONEY})
TEXT_COLOUR = QColor(INK)
MUTED_COLOUR = QColor(PAPER_MUTED)
RULE_COLOUR = QColor(RULE)
SHADE_COLOUR = QColor(SHADE)


def is_numeric(column: Column) -> bool:
    """Whether ``column`` holds figures (right-aligned, so the digits line up)."""
    return column.kind in NUMERIC_KINDS


def cell_text(value: Value, column: Column) -> str:
    """A cell as the window and the paper show it."""
    if value is None:
        return ""
    return display(value, column.kind)


def report_file_name(report: Report, suffix: str) -> str:
    """What to call the saved report, e.g. ``utilisation-2026-11-21.pdf``."""
    return f"{report.key.value}-{now_utc():%Y-%m-%d}{suffix}"


def _font(point_size: float, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(SANS_FAMILIES)
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


def apply_report_layout(device: QPagedPaintDevice, report: Report) -> QPageLayout.Orientation:
    """A4 with the documents' margins: portrait, or landscape where the table, at its
    natural widths, is too wide for portrait. Returns the orientation chosen."""
    orientation = QPageLayout.Orientation.Portrait
    _set_layout(device, orientation)
    metrics = QFontMetricsF(_font(TABLE_POINT_SIZE), device)
    bold = QFontMetricsF(_font(TABLE_POINT_SIZE, bold=True), device)
    natural = sum(_natural_widths(report, metrics, bold))
    if natural > device.pageLayout().paintRectPixels(device.logicalDpiX()).width():
        orientation = QPageLayout.Orientation.Landscape
        _set_layout(device, orientation)
    return orientation


def _set_layout(device: QPagedPaintDevice, orientation: QPageLayout.Orientation) -> None:
    device.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            orientation,
            DOCUMENT_MARGINS_MM,
            QPageLayout.Unit.Millimeter,
        )
    )


def _natural_widths(report: Report, metrics: QFontMetricsF, bold: QFontMetricsF) -> list[float]:
    """Each column's width to show its widest cell (or header) without cutting it."""
    padding = metrics.averageCharWidth() * 3.5
    widths = []
    for index, column in enumerate(report.columns):
        widest = bold.horizontalAdvance(column.title)
        for row in report.rows:
            widest = max(widest, metrics.horizontalAdvance(cell_text(row[index], column)))
        if report.totals is not None:
            widest = max(widest, bold.horizontalAdvance(cell_text(report.totals[index], column)))
        widths.append(widest + padding)
    return widths


def fit_widths(
    natural: list[float], columns: tuple[Column, ...], width: float, *, minimum: float = 0.0
) -> list[float]:
    """Narrow the widest text columns (never figures or dates) until the table fits.

    Short text columns (a tag, a code) keep their width; the long ones share what is
    left equally, each cut to the same limit (no narrower than ``minimum``) and its
    text elided.
    """
    if sum(natural) <= width:
        return natural
    fixed = sum(w for w, c in zip(natural, columns, strict=True) if c.kind is not ColumnKind.TEXT)
    texts = sorted(w for w, c in zip(natural, columns, strict=True) if c.kind is ColumnKind.TEXT)
    room = width - fixed
    if not texts or room <= 0:
        if minimum:  # a window too narrow scrolls rather than squeezing figures
            return natural
        return [w * width / sum(natural) for w in natural]
    limit = room / len(texts)
    for index, text_width in enumerate(texts):
        # Columns narrower than an equal share of what is left keep their width.
        share = room / (len(texts) - index)
        if text_width > share:
            limit = share
            break
        room -= text_width
    limit = max(limit, minimum)
    return [
        min(w, limit) if c.kind is ColumnKind.TEXT else w
        for w, c in zip(natural, columns, strict=True)
    ]


# -- laying out --------------------------------------------------------------------------


Draw = Callable[[QPainter, float], None]  # paints a block with its top at y


@dataclass
class _Block:
    height: float
    draw: Draw
    table_row: bool = False  # a page break before it repeats the table's header
    keep_with_next: bool = False


@dataclass
class _Page:
    placed: list[tuple[float, Draw]] = field(default_factory=list)


class _ReportLayout:
    """Measures the report for one device and places its blocks on pages."""

    def __init__(self, report: Report, device: QPagedPaintDevice) -> None:
        self.report = report
        self.device = device
        dpi = device.logicalDpiY()
        self.dpi = dpi
        page = device.pageLayout().paintRectPixels(dpi)
        self.width = float(page.width())
        self.full_height = float(page.height())
        self.footer_font = _font(FOOTER_POINT_SIZE)
        self.footer_metrics = QFontMetricsF(self.footer_font, device)
        self.body_height = self.full_height - self.footer_metrics.height() * 2.6
        self.table_font = _font(TABLE_POINT_SIZE)
        self.table_bold = _font(TABLE_POINT_SIZE, bold=True)
        self.table_metrics = QFontMetricsF(self.table_font, device)
        self.bold_metrics = QFontMetricsF(self.table_bold, device)
        self.row_height = self.table_metrics.height() * 1.55
        self.hairline = max(1.0, dpi / 300)
        natural = _natural_widths(report, self.table_metrics, self.bold_metrics)
        self.widths = fit_widths(natural, report.columns, self.width)
        self.orientation = device.pageLayout().orientation()
        self.printed = format_datetime(now_utc())

    # Blocks ------------------------------------------------------------------------------

    def _text_block(
        self,
        text: str,
        font: QFont,
        colour: QColor,
        *,
        space_after: float,
        keep_with_next: bool = False,
    ) -> _Block:
        metrics = QFontMetricsF(font, self.device)
        flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
        bounds = metrics.boundingRect(QRectF(0, 0, self.width, 1e9), flags, text)
        height = bounds.height()

        def draw(painter: QPainter, y: float) -> None:
            painter.setFont(font)
            painter.setPen(colour)
            painter.drawText(QRectF(0, y, self.width, height), flags, text)

        return _Block(height + space_after, draw, keep_with_next=keep_with_next)

    def _chart_block(self, shrink: float = 0.0) -> _Block | None:
        chart = self.report.chart
        if chart is None:
            return None
        font = _font(CHART_POINT_SIZE)
        height = self.body_height * CHART_SHARE[self.orientation]
        needed = fitting_height(chart, font, self.device)
        if needed is not None:
            height = min(height * 1.4, needed)
        height -= shrink
        space = self.table_metrics.height() * 1.2

        def draw(painter: QPainter, y: float) -> None:
            painter.setFont(font)
            paint_chart(
                painter,
                QRectF(0, y, self.width, height),
                chart,
                about_now=self.report.period is None,
            )

        return _Block(height + space, draw)

    def _row_block(self, cells: tuple[Value, ...], *, shaded: bool, bold: bool) -> _Block:
        def draw(painter: QPainter, y: float) -> None:
            if shaded:
                painter.fillRect(QRectF(0, y, sum(self.widths), self.row_height), SHADE_COLOUR)
            if bold:
                painter.setPen(QPen(TEXT_COLOUR, self.hairline))
                painter.drawLine(QPointF(0, y), QPointF(sum(self.widths), y))
            self._draw_cells(
                painter,
                y,
                [cell_text(v, c) for v, c in zip(cells, self.report.columns, strict=True)],
                bold=bold,
            )

        return _Block(self.row_height, draw, table_row=True)

    def header_block(self) -> _Block:
        titles = [column.title for column in self.report.columns]

        def draw(painter: QPainter, y: float) -> None:
            self._draw_cells(painter, y, titles, bold=True)
            painter.setPen(QPen(TEXT_COLOUR, self.hairline * 1.5))
            bottom = y + self.row_height
            painter.drawLine(QPointF(0, bottom), QPointF(sum(self.widths), bottom))

        return _Block(self.row_height + self.hairline * 2, draw)

    def _draw_cells(self, painter: QPainter, y: float, texts: list[str], *, bold: bool) -> None:
        painter.setFont(self.table_bold if bold else self.table_font)
        metrics = self.bold_metrics if bold else self.table_metrics
        painter.setPen(TEXT_COLOUR)
        pad = self.table_metrics.averageCharWidth() * 1.25
        x = 0.0
        for text, column, width in zip(texts, self.report.columns, self.widths, strict=True):
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width - 2 * pad)
            align = (
                Qt.AlignmentFlag.AlignRight if is_numeric(column) else Qt.AlignmentFlag.AlignLeft
            )
            painter.drawText(
                QRectF(x + pad, y, width - 2 * pad, self.row_height),
                align | Qt.AlignmentFlag.AlignVCenter,
                shown,
            )
            x += width

    def blocks(self, *, shrink_chart: float = 0.0) -> list[_Block]:
        """Everything on the pages, top to bottom; the chart ``shrink_chart`` shorter."""
        report = self.report
        line = self.table_metrics.height()
        out = [
            self._text_block(
                report.title,
                _font(TITLE_POINT_SIZE, bold=True),
                TEXT_COLOUR,
                space_after=line * 0.3,
            ),
            self._text_block(
                report.subtitle, _font(SUBTITLE_POINT_SIZE), MUTED_COLOUR, space_after=line * 1.2
            ),
        ]
        chart = self._chart_block(shrink_chart)
        if chart is not None:
            out.append(chart)
        if report.rows:
            out.append(self.header_block())
            for number, row in enumerate(report.rows):
                out.append(self._row_block(row, shaded=number % 2 == 1, bold=False))
            if report.totals is not None:
                out.append(self._row_block(report.totals, shaded=False, bold=True))
        else:
            out.append(
                self._text_block(
                    "Nothing to list for this report.",
                    _font(TABLE_POINT_SIZE),
                    MUTED_COLOUR,
                    space_after=0,
                )
            )
        if report.notes:
            note_font = _font(NOTE_POINT_SIZE)
            out.append(_Block(line * 0.8, lambda _painter, _y: None))
            out.append(
                self._text_block(
                    "Notes",
                    _font(NOTE_POINT_SIZE, bold=True),
                    MUTED_COLOUR,
                    space_after=line * 0.2,
                    keep_with_next=True,
                )
            )
            for note in report.notes:
                out.append(self._text_block(note, note_font, MUTED_COLOUR, space_after=line * 0.3))
        return out

    def pages(self) -> list[_Page]:
        """The blocks placed on pages: a table row carried over takes its header along.

        A report that would spill a few lines onto a second page has its chart made a
        little shorter instead: one sheet reads better than a second with only notes on.
        """
        blocks = self.blocks()
        overflow = sum(block.height for block in blocks) - self.body_height
        chart = self._chart_block()
        if chart is not None and 0 < overflow <= chart.height * MAX_CHART_SHRINK:
            blocks = self.blocks(shrink_chart=overflow + self.table_metrics.height())
        header = self.header_block()
        pages = [_Page()]
        y = 0.0
        for index, block in enumerate(blocks):
            needed = block.height
            if block.keep_with_next and index + 1 < len(blocks):
                needed += blocks[index + 1].height
            if y > 0 and y + needed > self.body_height:
                pages.append(_Page())
                y = 0.0
                if block.table_row:
                    pages[-1].placed.append((y, header.draw))
                    y += header.height
            pages[-1].placed.append((y, block.draw))
            y += block.height
        return pages

    def paint_footer(self, painter: QPainter, number: int, pages: int) -> None:
        metrics = self.footer_metrics
        rule_y = self.full_height - metrics.height() * 1.9
        painter.setPen(QPen(RULE_COLOUR, max(1.0, self.dpi / 300)))
        painter.drawLine(QPointF(0, rule_y), QPointF(self.width, rule_y))
        painter.setPen(QColor(PRINT_GREY))
        painter.setFont(self.footer_font)
        text = f"Page {number} of {pages}"
        text_width = metrics.horizontalAdvance(text)
        baseline = self.full_height - metrics.descent()
        footer = f"Kit Share · {self.report.title} · printed {self.printed}"
        footer = metrics.elidedText(
            footer, Qt.TextElideMode.ElideMiddle, self.width - text_width - metrics.height()
        )
        painter.drawText(QPointF(0, baseline), footer)
        painter.drawText(QPointF(self.width - text_width, baseline), text)


def paint_report(report: Report, device: QPagedPaintDevice) -> int:
    """Paint ``report`` on ``device`` (a PDF writer or a printer) whose page layout is set.

    Returns the number of pages painted.
    """
    layout = _ReportLayout(report, device)
    pages = layout.pages()
    painter = QPainter()
    if not painter.begin(device):
        raise PrintFailed("The printer or file would not start a page; check it and try again.")
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for number, page in enumerate(pages, start=1):
            if number > 1:
                device.newPage()
            for y, draw in page.placed:
                draw(painter, y)
            layout.paint_footer(painter, number, len(pages))
    except BaseException:
        painter.end()
        raise
    finish_painting(painter)
    return len(pages)


def write_report_pdf(report: Report, path: Path) -> int:
    """Write ``report`` to ``path`` as an A4 PDF; returns the number of pages."""

    def lay_out(writer: QPdfWriter) -> int:
        apply_report_layout(writer, report)
        return paint_report(report, writer)

    return write_pdf_file(path, report.title, lay_out)
