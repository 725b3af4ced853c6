"""The planner's grid: a row per item, a column per hour, day or week, a bar per booking.

Drawn by hand on a scroll area (a table of 20,000 rows by 56 columns of widgets would not
scroll): the header and the item names stay put, and only the rows on screen are read
and drawn. The keyboard does everything the mouse does: arrows move the cursor, Shift
with them widens the period chosen, + and - zoom, Enter opens the loan under the cursor
and Ctrl+R starts a request for the row and period chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from app.core.clock import UK, format_date, format_datetime, now_utc, today_uk
from app.core.errors import KitShareError
from app.planner.model import (
    BAR_WORDS,
    Bar,
    BarState,
    PlanRow,
    RowKind,
    Slot,
    Zoom,
    booked_in,
    most_urgent,
    slots,
)
from ui.planner.rows import PlannerRows
from ui.widgets.palette import (
    GRID,
    INK,
    NEUTRAL_BORDER,
    ON_COLOUR,
    PAPER_MUTED,
    PLAN_APPROVED,
    PLAN_NOW,
    PLAN_OUT,
    PLAN_OVERDUE,
    PLAN_RECALLED,
    PLAN_REQUESTED,
    PLAN_RETURNED,
    PLAN_WEEKEND,
    REFUSED,
)

ROW_HEIGHT = 24
HEADER_HEIGHT = 40
LABEL_WIDTH = 280
COLUMN_WIDTH = {Zoom.HOURS: 34, Zoom.DAYS: 30, Zoom.WEEKS: 64}
# How far the grid reaches at each zoom: two weeks of hours, a year of days or weeks.
REACH = {Zoom.HOURS: 24 * 14, Zoom.DAYS: 366, Zoom.WEEKS: 104}
# Pools' cells worked out and kept, at most: a few screens' worth.
KEEP_CELLS = 20_000
BAR_COLOURS = {
    BarState.REQUESTED: PLAN_REQUESTED,
    BarState.APPROVED: PLAN_APPROVED,
    BarState.OUT: PLAN_OUT,
    BarState.OVERDUE: PLAN_OVERDUE,
    BarState.RECALLED: PLAN_RECALLED,
    BarState.RETURNED: PLAN_RETURNED,
}


@dataclass(frozen=True)
class Choice:
    """The rows and the period chosen: what Ctrl+R asks for. ``row`` is the first of
    them; ``also`` the rest, chosen with Shift and the arrows."""

    row: PlanRow
    start: datetime
    end: datetime
    quantity: int
    also: tuple[PlanRow, ...] = ()

    @property
    def rows(self) -> tuple[PlanRow, ...]:
        return (self.row, *self.also)


class PlannerGrid(QAbstractScrollArea):
    """Rows of kit against columns of time, each booking a bar."""

    loan_open_requested = Signal(int)
    request_requested = Signal(object)  # a Choice
    cursor_moved = Signal()
    read_failed = Signal(str)
    """The rows or bookings could not be read: the sentence says why and what to do."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plannerGrid")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Base)
        self.viewport().setAutoFillBackground(True)
        self.rows: PlannerRows | None = None
        self.zoom = Zoom.DAYS
        self.first_day = today_uk()
        self.slots: list[Slot] = []
        self.cursor_row = 0
        self.cursor_column = 0
        # The last fault met reading what to draw, said once; cleared by a good read.
        self.fault = ""
        # Where Shift and the arrows began: the rows and columns between are chosen.
        self.anchor_row = 0
        self.anchor_column = 0
        # What each pool's cell shows, by (item, column): worked out once per window.
        self._cells: dict[tuple[tuple[RowKind, int], int], tuple[int, BarState | None]] = {}
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        self._rule = QColor(GRID)
        # Each row's label as it fits its column, worked out once (eliding is slow).
        self._labels: dict[tuple[str, bool], str] = {}
        self.verticalScrollBar().valueChanged.connect(self.viewport().update)
        self.horizontalScrollBar().valueChanged.connect(self.viewport().update)
        self._make_slots()

    # -- what is shown ---------------------------------------------------------------------

    def show_rows(self, rows: PlannerRows) -> None:
        self.rows = rows
        self._cells = {}
        self.cursor_row = self.anchor_row = min(self.cursor_row, max(rows.total - 1, 0))
        self._update_scrollbars()
        self.viewport().update()

    def set_zoom(self, zoom: Zoom) -> None:
        """Zoom, keeping the cursor's moment in view."""
        if zoom is self.zoom:
            return
        moment = self.slots[self.cursor_column].start if self.slots else now_utc()
        self.zoom = zoom
        self._make_slots()
        self.cursor_column = self.anchor_column = self.column_at_moment(moment)
        self._update_scrollbars()
        self._scroll_to_cursor()
        self.viewport().update()

    def set_first_day(self, day: date) -> None:
        self.first_day = day
        self._make_slots()
        self.cursor_column = self.anchor_column = 0
        self.horizontalScrollBar().setValue(0)
        self._update_scrollbars()
        self.viewport().update()

    def _make_slots(self) -> None:
        self._cells = {}
        first_hour = 0
        if self.zoom is Zoom.HOURS and self.first_day == today_uk():
            first_hour = max(0, now_utc().astimezone(UK).hour - 1)
        self.slots = slots(self.first_day, self.zoom, REACH[self.zoom], first_hour=first_hour)

    def column_at_moment(self, moment: datetime) -> int:
        for index, slot in enumerate(self.slots):
            if slot.start <= moment < slot.end:
                return index
        return 0

    def refresh(self) -> None:
        """Read the bookings again (another station changed something)."""
        if self.rows is not None:
            self.rows.forget_bookings()
        self._cells = {}
        self.viewport().update()

    # -- geometry ------------------------------------------------------------------------------

    @property
    def column_width(self) -> int:
        return COLUMN_WIDTH[self.zoom]

    def visible_rows(self) -> int:
        return max(1, (self.viewport().height() - HEADER_HEIGHT) // ROW_HEIGHT)

    def visible_columns(self) -> int:
        return max(1, (self.viewport().width() - LABEL_WIDTH) // self.column_width)

    def _update_scrollbars(self) -> None:
        total = self.rows.total if self.rows is not None else 0
        self.verticalScrollBar().setRange(0, max(0, total - self.visible_rows()))
        self.verticalScrollBar().setPageStep(self.visible_rows())
        self.horizontalScrollBar().setRange(0, max(0, len(self.slots) - self.visible_columns()))
        self.horizontalScrollBar().setPageStep(self.visible_columns())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._bold = QFont(self.font())
            self._bold.setBold(True)
            self._labels.clear()  # elided for the old font
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scrollbars()

    def shown_slots(self) -> list[tuple[int, Slot]]:
        first = self.horizontalScrollBar().value()
        last = min(len(self.slots), first + self.visible_columns() + 1)
        return [(index, self.slots[index]) for index in range(first, last)]

    def shown_rows(self) -> list[tuple[int, PlanRow]]:
        if self.rows is None:
            return []
        first = self.verticalScrollBar().value()
        return self.rows.rows(first, first + self.visible_rows())

    def _column_x(self, index: int) -> int:
        return LABEL_WIDTH + (index - self.horizontalScrollBar().value()) * self.column_width

    def _row_y(self, index: int) -> int:
        return HEADER_HEIGHT + (index - self.verticalScrollBar().value()) * ROW_HEIGHT

    def _x_of(self, moment: datetime, shown: list[tuple[int, Slot]]) -> float:
        """Where ``moment`` falls across the columns shown (clamped to them)."""
        first_index, first = shown[0]
        if moment <= first.start:
            return float(self._column_x(first_index))
        for index, slot in shown:
            if moment < slot.end:
                share = (moment - slot.start) / (slot.end - slot.start)
                return self._column_x(index) + share * self.column_width
        last_index, _ = shown[-1]
        return float(self._column_x(last_index + 1))

    # -- drawing -----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        try:
            self.paint_on(painter)
        finally:
            painter.end()

    def paint_on(self, painter: QPainter) -> None:
        """Draw what is on screen: the columns, the rows and their bookings; if they
        cannot be read (the server gone, the file locked), the columns and why."""
        # The viewport clears its own background (the palette's base) before each paint.
        width, height = self.viewport().width(), self.viewport().height()
        shown = self.shown_slots()
        if not shown:
            return
        self._paint_columns(painter, shown, height)
        try:
            rows = self.shown_rows()
            bars = (
                self.rows.bars([row for _, row in rows], shown[0][1].start, shown[-1][1].end)
                if self.rows is not None
                else {}
            )
        except KitShareError as error:
            self._paint_header(painter, shown, width)
            self._paint_fault(painter, error.message)
            return
        self.fault = ""
        for index, row in rows:
            self._paint_row(painter, index, row, bars.get(row.key, ()), shown)
        self._paint_now(painter, shown, height)
        self._paint_header(painter, shown, width)

    def _paint_columns(self, painter: QPainter, shown: list[tuple[int, Slot]], height: int) -> None:
        # Lines as one-pixel fills: the raster engine fills far faster than it strokes.
        weekend, rule = QColor(PLAN_WEEKEND), QColor(GRID)
        for index, slot in shown:
            x = self._column_x(index)
            if self.zoom is not Zoom.WEEKS and slot.day.weekday() >= 5:
                painter.fillRect(x, HEADER_HEIGHT, self.column_width, height, weekend)
            painter.fillRect(x, HEADER_HEIGHT, 1, height - HEADER_HEIGHT, rule)

    def _paint_row(
        self,
        painter: QPainter,
        index: int,
        row: PlanRow,
        bars: tuple[Bar, ...],
        shown: list[tuple[int, Slot]],
    ) -> None:
        metrics = painter.fontMetrics()
        y = self._row_y(index)
        top, bottom = self.chosen_rows()
        chosen = top <= index <= bottom
        if chosen:
            painter.fillRect(0, y, LABEL_WIDTH, ROW_HEIGHT, self.palette().highlight())
            painter.setPen(self.palette().highlightedText().color())
        else:
            painter.setPen(QColor(INK))
        if row.is_kit:
            painter.setFont(self._bold)  # a kit stands out from the items beneath it
        label_metrics = painter.fontMetrics()
        baseline = y + (ROW_HEIGHT + label_metrics.ascent() - label_metrics.descent()) // 2
        painter.drawText(6, baseline, self._label(row, label_metrics))
        if row.is_kit:
            painter.setFont(self.font())
        painter.fillRect(0, y + ROW_HEIGHT, self.viewport().width(), 1, self._rule)
        if row.is_pooled:
            self._paint_pool(painter, y, row, bars, shown)
        else:
            self._paint_bars(painter, y, bars, shown, metrics)
        if chosen:
            self._paint_choice(painter, y)

    def _label(self, row: PlanRow, metrics: QFontMetrics) -> str:
        key = (row.label, row.is_kit)
        text = self._labels.get(key)
        if text is None:
            if len(self._labels) >= KEEP_CELLS:
                self._labels.clear()
            text = self._labels[key] = metrics.elidedText(
                row.label, Qt.TextElideMode.ElideRight, LABEL_WIDTH - 12
            )
        return text

    def _paint_bars(
        self,
        painter: QPainter,
        y: int,
        bars: tuple[Bar, ...],
        shown: list[tuple[int, Slot]],
        metrics: QFontMetrics,
    ) -> None:
        for bar in bars:
            left = self._x_of(bar.starts_at, shown)
            right = self._x_of(bar.ends_at, shown)
            if right - left < 1:
                continue
            box = QRect(int(left) + 1, y + 3, max(2, int(right - left) - 2), ROW_HEIGHT - 6)
            painter.fillRect(box, QColor(BAR_COLOURS[bar.state]))
            pale = bar.state in (BarState.REQUESTED, BarState.RETURNED)
            painter.setPen(QColor(INK if pale else ON_COLOUR))
            text = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight, box.width() - 6)
            painter.drawText(box.adjusted(4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_pool(
        self,
        painter: QPainter,
        y: int,
        row: PlanRow,
        bars: tuple[Bar, ...],
        shown: list[tuple[int, Slot]],
    ) -> None:
        """How many of the pool are booked in each slot; shaded by how full it is."""
        for index, slot in shown:
            key = (row.key, index)
            cell = self._cells.get(key)
            if cell is None:
                if len(self._cells) >= KEEP_CELLS:
                    self._cells.clear()  # the rows scrolled past: kept, they fill the heap
                cell = self._cells[key] = (booked_in(bars, slot), most_urgent(bars, slot))
            booked, state = cell
            if booked == 0 or state is None:
                continue
            # The more of the pool is taken, the darker; a pool all taken is framed.
            share = min(1.0, booked / max(row.quantity, 1))
            box = QRect(self._column_x(index) + 1, y + 3, self.column_width - 2, ROW_HEIGHT - 6)
            painter.fillRect(box, _shade(state, round(share * SHADES)))
            if share >= 1:
                painter.setPen(QPen(QColor(INK), 2))
                painter.drawRect(box.adjusted(1, 1, -1, -1))
            painter.setPen(QColor(ON_COLOUR if share > 0.5 else INK))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(booked))

    def _paint_fault(self, painter: QPainter, message: str) -> None:
        """Why nothing is listed, where the rows would be; said once in the status line."""
        painter.setPen(QColor(REFUSED))
        box = QRect(12, HEADER_HEIGHT + 12, self.viewport().width() - 24, ROW_HEIGHT * 4)
        painter.drawText(box, Qt.TextFlag.TextWordWrap, message)
        if message != self.fault:
            self.fault = message
            QTimer.singleShot(0, lambda: self.read_failed.emit(message))

    def _paint_choice(self, painter: QPainter, y: int) -> None:
        first, last = sorted((self.anchor_column, self.cursor_column))
        left = self._column_x(first)
        right = self._column_x(last + 1)
        pen = QPen(self.palette().highlight().color())
        pen.setWidth(2)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRect(left, y + 1, right - left, ROW_HEIGHT - 2))

    def _paint_now(self, painter: QPainter, shown: list[tuple[int, Slot]], height: int) -> None:
        moment = now_utc()
        if not shown[0][1].start <= moment < shown[-1][1].end:
            return
        x = int(self._x_of(moment, shown))
        painter.setPen(QPen(QColor(PLAN_NOW), 2))
        painter.drawLine(x, HEADER_HEIGHT, x, height)

    def _paint_header(self, painter: QPainter, shown: list[tuple[int, Slot]], width: int) -> None:
        painter.fillRect(0, 0, width, HEADER_HEIGHT, self.palette().window())
        painter.setPen(QColor(NEUTRAL_BORDER))
        painter.drawLine(0, HEADER_HEIGHT - 1, width, HEADER_HEIGHT - 1)
        painter.setPen(QColor(PAPER_MUTED))
        total = self.rows.total if self.rows is not None else 0
        painter.drawText(
            QRect(6, 0, LABEL_WIDTH - 10, HEADER_HEIGHT),
            Qt.AlignmentFlag.AlignVCenter,
            f"{total:,} item{'' if total == 1 else 's'}",
        )
        for position, (index, slot) in enumerate(shown):
            x = self._column_x(index)
            top, bottom = header_words(slot, self.zoom, first=position == 0)
            painter.setPen(QColor(PAPER_MUTED))
            if top:
                painter.setFont(self._bold)
                painter.drawText(QRect(x + 2, 2, self.column_width * 8, HEADER_HEIGHT // 2), 0, top)
                painter.setFont(self.font())
            painter.drawText(
                QRect(x, HEADER_HEIGHT // 2, self.column_width, HEADER_HEIGHT // 2),
                Qt.AlignmentFlag.AlignCenter,
                bottom,
            )

    # -- the keyboard and the mouse -----------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        # Ctrl+R in the planner asks for the row and period chosen here, not for the
        # catalogue's item (the window's own Ctrl+R): the grid takes the key first.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            control = event.modifiers() & Qt.KeyboardModifier.ControlModifier
            if control and event.key() == Qt.Key.Key_R:
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        try:
            self._on_key(event)
        except KitShareError as error:
            event.accept()
            self.read_failed.emit(error.message)

    def _on_key(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        extend = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        control = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        moves = {
            Qt.Key.Key_Left: (0, -1),
            Qt.Key.Key_Right: (0, 1),
            Qt.Key.Key_Up: (-1, 0),
            Qt.Key.Key_Down: (1, 0),
            Qt.Key.Key_PageUp: (-self.visible_rows(), 0),
            Qt.Key.Key_PageDown: (self.visible_rows(), 0),
        }
        if key in moves:
            rows, columns = moves[key]
            self.move_cursor(rows, columns, extend=extend)
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.set_zoom(self.zoom.narrower)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.set_zoom(self.zoom.wider)
        elif key == Qt.Key.Key_R and control:
            self.request_choice()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_at_cursor()
        elif key == Qt.Key.Key_Home:
            self.move_cursor(0, -self.cursor_column, extend=extend)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def move_cursor(self, rows: int, columns: int, *, extend: bool = False) -> None:
        total = self.rows.total if self.rows is not None else 0
        self.cursor_row = max(0, min(total - 1, self.cursor_row + rows))
        self.cursor_column = max(0, min(len(self.slots) - 1, self.cursor_column + columns))
        if not extend:
            self.anchor_row = self.cursor_row
            self.anchor_column = self.cursor_column
        self._scroll_to_cursor()
        self.viewport().update()
        self.cursor_moved.emit()

    def _scroll_to_cursor(self) -> None:
        vertical = self.verticalScrollBar()
        if self.cursor_row < vertical.value():
            vertical.setValue(self.cursor_row)
        elif self.cursor_row >= vertical.value() + self.visible_rows():
            vertical.setValue(self.cursor_row - self.visible_rows() + 1)
        horizontal = self.horizontalScrollBar()
        if self.cursor_column < horizontal.value():
            horizontal.setValue(self.cursor_column)
        elif self.cursor_column >= horizontal.value() + self.visible_columns():
            horizontal.setValue(self.cursor_column - self.visible_columns() + 1)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y()
            if steps:
                self.set_zoom(self.zoom.narrower if steps > 0 else self.zoom.wider)
            event.accept()
            return
        super().wheelEvent(event)

    def _cell_at(self, point: QPoint) -> tuple[int, int] | None:
        if point.y() < HEADER_HEIGHT or point.x() < LABEL_WIDTH:
            return None
        row = self.verticalScrollBar().value() + (point.y() - HEADER_HEIGHT) // ROW_HEIGHT
        column = self.horizontalScrollBar().value() + (point.x() - LABEL_WIDTH) // self.column_width
        return row, column

    def mousePressEvent(self, event: QMouseEvent) -> None:
        cell = self._cell_at(event.position().toPoint())
        if cell is not None:
            extend = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.move_cursor(cell[0] - self.cursor_row, cell[1] - self.cursor_column, extend=extend)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        cell = self._cell_at(event.position().toPoint())
        if cell is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.move_cursor(0, cell[1] - self.cursor_column, extend=True)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        try:
            self.open_at_cursor()
        except KitShareError as error:
            self.read_failed.emit(error.message)

    # -- acting ---------------------------------------------------------------------------------

    def current_row(self) -> PlanRow | None:
        return self.rows.row(self.cursor_row) if self.rows is not None else None

    def bars_at_cursor(self) -> list[Bar]:
        row = self.current_row()
        if row is None or self.rows is None or not self.slots:
            return []
        slot = self.slots[self.cursor_column]
        found = self.rows.bars([row], slot.start, slot.end).get(row.key, ())
        return [bar for bar in found if bar.overlaps(slot.start, slot.end)]

    def chosen_rows(self) -> tuple[int, int]:
        """The first and last row chosen (the cursor's alone, without Shift)."""
        first, last = sorted((self.anchor_row, self.cursor_row))
        return first, last

    def choice(self) -> Choice | None:
        if self.rows is None or not self.slots:
            return None
        top, bottom = self.chosen_rows()
        rows = [row for _, row in self.rows.rows(top, bottom)]
        if not rows:
            return None
        first, last = sorted((self.anchor_column, self.cursor_column))
        start = max(self.slots[first].start, now_utc())
        return Choice(rows[0], start, self.slots[last].end, 1, tuple(rows[1:]))

    def open_at_cursor(self) -> None:
        """Enter: the loan under the cursor; on a free slot, a request for it."""
        bars = self.bars_at_cursor()
        if bars:
            self.loan_open_requested.emit(bars[0].loan_id)
        else:
            self.request_choice()

    def request_choice(self) -> None:
        chosen = self.choice()
        if chosen is not None and chosen.end > chosen.start:
            self.request_requested.emit(chosen)

    def describe_cursor(self) -> str:
        """What the cursor is on, in words, for the status line and screen readers."""
        row = self.current_row()
        if row is None or not self.slots:
            return ""
        first, last = sorted((self.anchor_column, self.cursor_column))
        period = (
            f"{format_datetime(self.slots[first].start)} to {format_datetime(self.slots[last].end)}"
        )
        top, bottom = self.chosen_rows()
        if bottom > top:
            return (
                f"{bottom - top + 1} rows chosen, {period}. Ctrl+R asks for them in one "
                "request; Enter on the cursor's row opens its loan."
            )
        bars = self.bars_at_cursor()
        if not bars:
            return f"{row.label}: free {period}. Ctrl+R asks for it."
        said = "; ".join(f"loan {bar.loan_id}, {bar.label}, {_until(bar)}" for bar in bars)
        return f"{row.label}, {period}: {said}. Enter opens the loan."


def _until(bar: Bar) -> str:
    """ "out until 08/12/2026 18:00", or for the history "back 13/02/2026 21:00"."""
    if bar.state is BarState.RETURNED:
        return f"back {format_datetime(bar.ends_at)}"
    return f"{BAR_WORDS[bar.state].lower()} until {format_datetime(bar.ends_at)}"


SHADES = 8


@cache
def _shade(state: BarState, step: int) -> QColor:
    """The state's colour mixed with white: step 0 pale, ``SHADES`` full. Opaque, as
    blending each cell with what lies beneath costs more than the cells themselves."""
    ink = QColor(BAR_COLOURS[state])
    share = 0.35 + 0.65 * step / SHADES
    return QColor(
        round(255 - (255 - ink.red()) * share),
        round(255 - (255 - ink.green()) * share),
        round(255 - (255 - ink.blue()) * share),
    )


def header_words(slot: Slot, zoom: Zoom, *, first: bool = False) -> tuple[str, str]:
    """The header of a column: above, the day (hours) or the month where one begins and
    over the first column shown; below, the column's own hour, day or week."""
    if zoom is Zoom.HOURS:
        hour = slot.start.astimezone(UK).hour
        return (format_date(slot.day) if hour == 0 or first else "", f"{hour:02d}")
    begins = slot.day.day == 1 if zoom is Zoom.DAYS else slot.day.day <= 7
    top = slot.day.strftime("%B %Y") if begins or first else ""
    if zoom is Zoom.DAYS:
        return top, f"{'MTWTFSS'[slot.day.weekday()]}{slot.day.day}"
    return top, f"{slot.day.day:02d}/{slot.day.month:02d}"
