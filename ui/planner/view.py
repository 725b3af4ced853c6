"""The Planner tab: the grid, with its zoom, its first day, a legend and a line saying
what the cursor is on."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.search import SearchFilters
from app.core.clock import today_uk
from app.core.errors import DomainError, KitShareError
from app.documents.content import PrintedDocument
from app.planner.model import BAR_WORDS, BarState, Zoom
from app.planner.printing import planner_document
from app.storage.database import Database
from ui.planner.grid import BAR_COLOURS, PlannerGrid
from ui.planner.rows import PlannerRows
from ui.widgets.dates import DATE_FORMAT, keep_to_kit_share_years
from ui.widgets.layout import muted

# At most this many rows go on paper: a planner of the whole county is not for printing.
PRINT_ROWS = 300
ZOOM_WORDS = {Zoom.HOURS: "&Hours", Zoom.DAYS: "&Days", Zoom.WEEKS: "&Weeks"}
HINT = (
    "Arrows move, Shift+arrows choose a period and rows, + and − zoom (or Ctrl+wheel), Enter "
    "opens the loan under the cursor, Ctrl+R asks for the rows and period chosen."
)


class PlannerView(QWidget):
    """Every booking of the kit the catalogue's search finds, over time."""

    loan_open_requested = Signal(int)
    request_requested = Signal(object)  # ui.planner.grid.Choice
    print_requested = Signal()
    export_requested = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.grid = PlannerGrid()
        self.grid.loan_open_requested.connect(self.loan_open_requested)
        self.grid.request_requested.connect(self.request_requested)
        self.grid.cursor_moved.connect(self._say_cursor)
        self.grid.read_failed.connect(self._say_fault)
        layout = QVBoxLayout(self)
        layout.addLayout(self._toolbar())
        layout.addWidget(self.grid, 1)
        self.cursor_label = QLabel()
        self.cursor_label.setObjectName("plannerCursor")
        self.cursor_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.cursor_label)
        layout.addWidget(muted(HINT))
        for keys, step in (("Ctrl+=", -1), ("Ctrl++", -1), ("Ctrl+-", 1)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(lambda step=step: self._zoom_by(step))

    def _toolbar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show:"))
        self.zoom_buttons = QButtonGroup(self)
        for zoom in Zoom:
            button = QRadioButton(ZOOM_WORDS[zoom])
            button.setObjectName(f"zoom-{zoom.value}")
            button.setChecked(zoom is self.grid.zoom)
            button.toggled.connect(lambda on, zoom=zoom: self._on_zoom_toggled(on, zoom))
            self.zoom_buttons.addButton(button)
            bar.addWidget(button)
        bar.addSpacing(16)
        from_label = QLabel("&From")
        bar.addWidget(from_label)
        self.from_edit = QDateEdit()
        self.from_edit.setDisplayFormat(DATE_FORMAT)
        self.from_edit.setCalendarPopup(True)
        keep_to_kit_share_years(self.from_edit)
        self.from_edit.setDate(_qdate(today_uk()))
        self.from_edit.dateChanged.connect(self._on_from_changed)
        from_label.setBuddy(self.from_edit)
        bar.addWidget(self.from_edit)
        today = QPushButton("T&oday")
        today.clicked.connect(lambda: self.from_edit.setDate(_qdate(today_uk())))
        bar.addWidget(today)
        self.print_button = QPushButton("&Print…")
        self.print_button.clicked.connect(self.print_requested)
        bar.addWidget(self.print_button)
        self.export_button = QPushButton("&Export PDF…")
        self.export_button.clicked.connect(self.export_requested)
        bar.addWidget(self.export_button)
        bar.addStretch(1)
        for state in BarState:
            swatch = QLabel(f"■ {BAR_WORDS[state]}")
            swatch.setStyleSheet(f"color: {BAR_COLOURS[state]};")
            bar.addWidget(swatch)
        return bar

    def show_search(self, query: str, filters: SearchFilters) -> None:
        """Plan what the catalogue's search finds; its fault, if any, in the cursor line."""
        try:
            self.grid.show_rows(PlannerRows(self._db, query, filters))
        except KitShareError as error:
            self.cursor_label.setText(error.message)
            return
        self._say_cursor()

    def set_zoom(self, zoom: Zoom) -> None:
        self.grid.set_zoom(zoom)
        for button in self.zoom_buttons.buttons():
            if button.objectName() == f"zoom-{zoom.value}" and not button.isChecked():
                button.setChecked(True)
        self._say_cursor()

    def _on_zoom_toggled(self, on: bool, zoom: Zoom) -> None:
        if on:
            self.set_zoom(zoom)

    def _zoom_by(self, step: int) -> None:
        self.set_zoom(self.grid.zoom.wider if step > 0 else self.grid.zoom.narrower)

    def _on_from_changed(self, day: QDate) -> None:
        self.grid.set_first_day(date(day.year(), day.month(), day.day()))
        self._say_cursor()

    def printed(self) -> PrintedDocument:
        """The planner as shown (its columns on screen), for up to PRINT_ROWS rows."""
        rows = self.grid.rows
        if rows is None or rows.total == 0:
            raise DomainError("The planner lists no kit: search for some in the catalogue.")
        shown = [slot for _, slot in self.grid.shown_slots()]
        listed = [row for _, row in rows.rows(0, PRINT_ROWS - 1)]
        what = rows.query.strip() or "all kit"
        return planner_document(
            self._db, listed, shown, self.grid.zoom, total=rows.total, what=what
        )

    def refresh(self) -> None:
        self.grid.refresh()
        self._say_cursor()

    def _say_fault(self, message: str) -> None:
        self.cursor_label.setText(message)

    def _say_cursor(self) -> None:
        try:
            self.cursor_label.setText(self.grid.describe_cursor())
        except KitShareError as error:
            self.cursor_label.setText(error.message)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)
