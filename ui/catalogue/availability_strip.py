"""The next weeks of one item at a glance: a cell per day, free, partly booked or booked."""

from __future__ import annotations

import enum
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QHelpEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.core.clock import format_date
from app.loans.support import DayAvailability
from ui.widgets.palette import FREE, ON_COLOUR, PARTLY, REFUSED

CELL_GAP = 3
CELL_HEIGHT = 26
MIN_CELL_WIDTH = 16
PREFERRED_CELL_WIDTH = 22
LEGEND_SWATCH = 10
WEEKDAYS = "MTWTFSS"


class DayState(enum.Enum):
    FREE = "Free"
    PARTLY = "Partly booked"
    BOOKED = "Booked"


# Saturated fills with white day numbers: readable on a light or a dark palette.
STATE_COLOURS = {
    DayState.FREE: QColor(FREE),
    DayState.PARTLY: QColor(PARTLY),
    DayState.BOOKED: QColor(REFUSED),
}


def day_state(day: DayAvailability) -> DayState:
    if day.free <= 0:
        return DayState.BOOKED
    if day.free < day.quantity:
        return DayState.PARTLY
    return DayState.FREE


def held_back_words(held: int, defects: int = 1) -> str:
    """' (2 held back by a defect)', or '' when no unit is held back."""
    if held <= 0:
        return ""
    return f" ({held} held back by {'a defect' if defects <= 1 else 'open defects'})"


def day_text(day: DayAvailability) -> str:
    """The tooltip of one day: "Mon 24/11/2026: 25 of 40 free all day (2 held back by a
    defect)"."""
    when = f"{day.day.strftime('%a')} {format_date(day.day)}"
    if day.quantity > 1:
        held = held_back_words(day.held_by_defects)
        return f"{when}: {max(day.free, 0)} of {day.quantity} free all day{held}"
    return f"{when}: {'free all day' if day.free > 0 else 'booked for all or part of the day'}"


class AvailabilityStrip(QWidget):
    """Paints ``DayAvailability`` days in a row, with weekday letters and a legend."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("availabilityStrip")
        self._days: tuple[DayAvailability, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)

    @property
    def days(self) -> tuple[DayAvailability, ...]:
        return self._days

    def show_days(self, days: Sequence[DayAvailability]) -> None:
        self._days = tuple(days)
        booked = sum(1 for d in self._days if day_state(d) is not DayState.FREE)
        self.setAccessibleDescription(
            f"{len(self._days) - booked} of {len(self._days)} days free all day"
        )
        self.updateGeometry()
        self.update()

    def states(self) -> list[DayState]:
        return [day_state(day) for day in self._days]

    # Geometry ------------------------------------------------------------------------------

    def _small_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 7.0))
        return font

    def _line_height(self) -> int:
        return self.fontMetrics().height()

    def sizeHint(self) -> QSize:
        count = max(len(self._days), 1)
        return QSize(count * (PREFERRED_CELL_WIDTH + CELL_GAP), self._height())

    def minimumSizeHint(self) -> QSize:
        count = max(len(self._days), 1)
        return QSize(count * (MIN_CELL_WIDTH + CELL_GAP), self._height())

    def _height(self) -> int:
        # Weekday letters, the cells, month names, then the legend.
        return self._line_height() * 3 + CELL_HEIGHT + 12

    def cell_rects(self) -> list[QRectF]:
        count = len(self._days)
        if not count:
            return []
        width = (self.width() - CELL_GAP * (count - 1)) / count
        top = self._line_height() + 2
        return [QRectF(i * (width + CELL_GAP), top, width, CELL_HEIGHT) for i in range(count)]

    def day_at(self, point: QPoint) -> DayAvailability | None:
        for day, rect in zip(self._days, self.cell_rects(), strict=True):
            if rect.adjusted(0, -self._line_height(), CELL_GAP, 0).contains(point.toPointF()):
                return day
        return None

    # Painting ------------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        small = self._small_font()
        bold = QFont(small)
        bold.setBold(True)
        rects = self.cell_rects()
        line = self._line_height()
        previous_month = None
        for index, (day, rect) in enumerate(zip(self._days, rects, strict=True)):
            weekend = day.day.weekday() >= 5
            painter.setFont(bold if weekend else small)
            painter.setPen(text if weekend else muted)
            letters = QRectF(rect.left(), 0, rect.width(), line)
            painter.drawText(letters, Qt.AlignmentFlag.AlignCenter, WEEKDAYS[day.day.weekday()])

            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(STATE_COLOURS[day_state(day)])
            painter.drawRoundedRect(rect, 3, 3)
            if index == 0:
                # Today is outlined, so the row reads from "now".
                painter.setPen(QPen(text, 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(rect.adjusted(-1, -1, 1, 1), 4, 4)
            painter.setFont(bold)
            painter.setPen(QColor(ON_COLOUR))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(day.day.day))

            if day.day.month != previous_month:
                painter.setFont(small)
                painter.setPen(muted)
                below = QRectF(rect.left(), rect.bottom() + 2, rect.width() * 4, line)
                painter.drawText(
                    below,
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    day.day.strftime("%B") if index == 0 else day.day.strftime("%b"),
                )
                previous_month = day.day.month
        self._paint_legend(painter, (rects[-1].bottom() if rects else 0) + line + 6, muted)
        painter.end()

    def _paint_legend(self, painter: QPainter, top: float, colour: QColor) -> None:
        painter.setFont(self._small_font())
        metrics = painter.fontMetrics()
        x = 0.0
        middle = top + self._line_height() / 2
        for state in DayState:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(STATE_COLOURS[state])
            painter.drawRoundedRect(
                QRectF(x, middle - LEGEND_SWATCH / 2, LEGEND_SWATCH, LEGEND_SWATCH), 2, 2
            )
            x += LEGEND_SWATCH + 5
            painter.setPen(colour)
            label = state.value
            painter.drawText(
                QRectF(x, top, metrics.horizontalAdvance(label) + 2, self._line_height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            x += metrics.horizontalAdvance(label) + 16

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            day = self.day_at(event.pos())
            if day is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), day_text(day), self)
            return True
        return super().event(event)
