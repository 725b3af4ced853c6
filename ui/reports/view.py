"""The Reports view: what sharing achieves, as charts and tables to print or export.

The reports are listed on the left with a sentence each; the chosen one is built by
``app.reports.service`` for the period set above it and shown as a chart over its table, with
the notes that say how its figures were worked out. "Export CSV…" and "Print to PDF…"
save exactly what is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import (
    QDate,
    QEvent,
    QObject,
    QRect,
    QSignalBlocker,
    QSize,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.actor import Actor
from app.core.clock import now_utc, today_uk
from app.core.errors import KitShareError
from app.core.text import counted
from app.reports.period import Period, QuickPeriod, default_period, quick_period
from app.reports.report import Column, Report, ReportKey, Value, write_report_csv
from app.reports.service import ReportSpec, build_report, report_specs_for
from app.storage.database import Database
from ui.reports.charts import ChartWidget
from ui.reports.printing import (
    cell_text,
    fit_widths,
    is_numeric,
    report_file_name,
    write_report_pdf,
)
from ui.widgets.dates import keep_to_kit_share_years
from ui.widgets.layout import side_by_side
from ui.widgets.messages import show_error
from ui.widgets.record_model import LEFT_ALIGNED, RIGHT_ALIGNED, ModelIndex, RowTableModel
from ui.widgets.views import call_on, error_label, pause_timer

KEY_ROLE = Qt.ItemDataRole.UserRole
DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 1
VALUE_ROLE = Qt.ItemDataRole.UserRole

DATE_FORMAT = "dd/MM/yyyy"
NO_PERIOD_TEXT = "No period: this report looks at today and ahead."
CUSTOM_PERIOD = "Dates chosen"
# Typing a date waits this long for the next key before building the report again.
TYPING_PAUSE_MS = 400
WIDEST_COLUMN_CHARS = 48
MIN_TEXT_COLUMN_CHARS = 12


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(edit: QDateEdit) -> date:
    shown = edit.date()
    return date(shown.year(), shown.month(), shown.day())


# -- the list of reports -------------------------------------------------------------------


class ReportListDelegate(QStyledItemDelegate):
    """A report's title in bold over its one-sentence description, muted and wrapped."""

    DESCRIPTION_LINES = 3

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        title = QFont(option.font)
        title.setBold(True)
        description = QFont(option.font)
        if description.pointSizeF() > 0:
            description.setPointSizeF(description.pointSizeF() * 0.92)
        return title, description

    def _padding(self, option: QStyleOptionViewItem) -> int:
        return option.fontMetrics.height() // 2

    def _description_rect(
        self, option: QStyleOptionViewItem, description: QFont, text: str, width: int
    ) -> QRect:
        metrics = QFontMetrics(description)
        flags = Qt.TextFlag.TextWordWrap
        bounds = metrics.boundingRect(QRect(0, 0, width, 10_000), flags, text)
        lines = min(self.DESCRIPTION_LINES, max(1, round(bounds.height() / metrics.lineSpacing())))
        return QRect(0, 0, width, lines * metrics.lineSpacing())

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        title, description = self._fonts(option)
        pad = self._padding(option)
        width = max(120, option.rect.width() or 240) - 2 * pad
        text = str(index.data(DESCRIPTION_ROLE) or "")
        height = QFontMetrics(title).height() + pad // 3
        height += self._description_rect(option, description, text, width).height()
        return QSize(width + 2 * pad, height + 2 * pad)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else QApplication.style()
        # The selection and hover backgrounds, without the item's own text.
        option.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        title_font, description_font = self._fonts(option)
        pad = self._padding(option)
        rect: QRect = option.rect.adjusted(pad, pad, -pad, -pad)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = option.palette
        group = (
            QPalette.ColorGroup.Active
            if option.state & QStyle.StateFlag.State_Active
            else QPalette.ColorGroup.Inactive
        )
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setFont(title_font)
        painter.setPen(palette.color(group, text_role))
        title_height = QFontMetrics(title_font).height()
        title = QFontMetrics(title_font).elidedText(
            str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
            Qt.TextElideMode.ElideRight,
            rect.width(),
        )
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), title_height),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            title,
        )
        text = str(index.data(DESCRIPTION_ROLE) or "")
        box = self._description_rect(option, description_font, text, rect.width())
        box.moveTo(rect.left(), rect.top() + title_height + pad // 3)
        painter.setFont(description_font)
        if not selected:
            painter.setPen(palette.color(group, QPalette.ColorRole.PlaceholderText))
        painter.setClipRect(box)
        painter.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap, text)
        painter.restore()


# -- the table -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    values: tuple[Value, ...]
    total: bool = False


class ReportTableModel(RowTableModel[_Line]):
    """A report's rows, and its totals row last and in bold; the raw value under
    ``VALUE_ROLE``. Figures are right-aligned so their digits line up."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._report: Report | None = None

    def show_report(self, report: Report | None) -> None:
        lines: list[_Line] = []
        if report is not None:
            lines = [_Line(row) for row in report.rows]
            if report.totals is not None:
                lines.append(_Line(report.totals, total=True))
        # The columns change with the report: both within the one reset.
        self.beginResetModel()
        self._report = report
        self._rows = lines
        self.endResetModel()

    def report(self) -> Report | None:
        return self._report

    def is_total(self, row: int) -> bool:
        return 0 <= row < len(self._rows) and self._rows[row].total

    def headers(self) -> Sequence[str]:
        return () if self._report is None else [column.title for column in self._report.columns]

    def _column(self, column: int) -> Column:
        assert self._report is not None  # a report with no columns asks for none
        return self._report.columns[column]

    def text(self, record: _Line, column: int) -> str:
        return cell_text(_value(record, column), self._column(column))

    def is_bold(self, record: _Line, column: int) -> bool:
        return record.total

    def alignment(self, column: int) -> Qt.AlignmentFlag:
        return RIGHT_ALIGNED if is_numeric(self._column(column)) else LEFT_ALIGNED

    def header_alignment(self, column: int) -> Qt.AlignmentFlag:
        return self.alignment(column)

    def cell(self, record: _Line, column: int, role: int) -> object:
        if role == VALUE_ROLE:
            return _value(record, column)
        return super().cell(record, column, role)


def _value(line: _Line, column: int) -> Value:
    """The line's value in ``column``; nothing where a short row has none."""
    return line.values[column] if column < len(line.values) else None


# -- the view ------------------------------------------------------------------------------


def ask_save_path(parent: QWidget, suggested: Path) -> str | None:
    """Ask where to save a report (a CSV or a PDF, from the suggested name's suffix)."""
    is_pdf = suggested.suffix.lower() == ".pdf"
    what = "PDF documents (*.pdf)" if is_pdf else "CSV files (*.csv)"
    path, _filter = QFileDialog.getSaveFileName(
        parent, "Print the report to PDF" if is_pdf else "Export the report", str(suggested), what
    )
    if not path:
        return None
    return path if path.lower().endswith(suggested.suffix.lower()) else path + suggested.suffix


class ReportsView(QWidget):
    """Every report: pick one on the left, set its period, read the chart and the table.

    The report is built when the view is shown, and again whenever it is shown later
    (the figures move as loans come and go), or when the report, period or agency
    changes. ``exported`` says where a CSV or PDF went, for the window's status bar.

    ``ask_path`` asks where to save an export, given the suggested path (a file dialog;
    tests replace it). ``now`` says what moment the reports count up to (tests fix it).
    """

    exported = Signal(str)
    """A CSV or PDF was saved; the message says where."""

    def __init__(self, db: Database, actor: Actor | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.actor = actor
        self.now: Callable[[], datetime] = now_utc
        self.ask_path: Callable[[Path], str | None] = lambda suggested: ask_save_path(
            self, suggested
        )
        self._specs: tuple[ReportSpec, ...] = report_specs_for(actor)
        self._report: Report | None = None
        self._loaded = False
        self._last_folder = Path(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            or Path.home()
        )
        self._typing = pause_timer(self, TYPING_PAUSE_MS, self.rebuild)

        self._make_list()
        self._make_controls()
        self._make_body()
        self._lay_out()
        self._connect()
        self._set_period_controls(default_period(self.today()))
        self._show_agency_choice()
        # Built when first shown: the window makes every tab at start-up, and most
        # sessions never open this one.
        with QSignalBlocker(self.report_list):
            self.report_list.setCurrentRow(0)
        self._show_spec(self.spec)

    # Building ------------------------------------------------------------------------------

    def _make_list(self) -> None:
        self.report_list = QListWidget()
        self.report_list.setObjectName("reportList")
        self.report_list.setAccessibleName("Reports")
        self.report_list.setItemDelegate(ReportListDelegate(self.report_list))
        self.report_list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.report_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.report_list.setUniformItemSizes(False)
        self.report_list.setWordWrap(True)
        self._fill_list()
        width = self.fontMetrics().horizontalAdvance("x" * 34)
        self.report_list.setFixedWidth(width)

    def _fill_list(self) -> None:
        for spec in self._specs:
            item = QListWidgetItem(spec.title)
            item.setData(KEY_ROLE, spec.key)
            item.setData(DESCRIPTION_ROLE, spec.description)
            item.setToolTip(spec.description)
            self.report_list.addItem(item)

    def _make_controls(self) -> None:
        self.title_label = QLabel()
        self.title_label.setObjectName("reportTitle")
        title_font = self.title_label.font()
        if title_font.pointSizeF() > 0:
            title_font.setPointSizeF(title_font.pointSizeF() * 1.35)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.subtitle_label = QLabel()
        self.subtitle_label.setObjectName("reportSubtitle")
        self.subtitle_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.subtitle_label.setWordWrap(True)

        self.quick_combo = QComboBox()
        self.quick_combo.setObjectName("reportQuickPeriod")
        self.quick_combo.setAccessibleName("Period")
        for choice in QuickPeriod:
            self.quick_combo.addItem(choice.value, choice)
        self.quick_combo.addItem(CUSTOM_PERIOD, None)
        self.quick_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.from_edit = self._date_edit("reportFrom", "From")
        self.to_edit = self._date_edit("reportTo", "To")
        self.agency_check = QCheckBox("Only my agency")
        self.agency_check.setObjectName("reportOnlyMyAgency")
        self.agency_check.setToolTip("Count only the kit and loans of the agency you work for")
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("reportExportCsv")
        self.export_button.setToolTip("Save the table as a CSV file for a spreadsheet")
        self.pdf_button = QPushButton("Print to PDF…")
        self.pdf_button.setObjectName("reportPrintPdf")
        self.pdf_button.setToolTip("Save the chart, the table and the notes as an A4 PDF")
        self.period_hint = QLabel(NO_PERIOD_TEXT)
        self.period_hint.setObjectName("reportNoPeriod")
        self.period_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        # Wrapping, so a narrow window folds it onto two lines rather than growing.
        self.period_hint.setWordWrap(True)

    def _date_edit(self, name: str, label: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setObjectName(name)
        edit.setDisplayFormat(DATE_FORMAT)
        edit.setCalendarPopup(True)
        edit.setAccessibleName(label)
        edit.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        keep_to_kit_share_years(edit)
        return edit

    def _make_body(self) -> None:
        self.error_label = error_label("reportError")
        self.status_label = QLabel()
        self.status_label.setObjectName("reportStatus")
        self.status_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.chart_widget = ChartWidget()
        self.model = ReportTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("reportTable")
        self.table.setModel(self.model)
        self._natural_widths: list[float] = []
        self.table.viewport().installEventFilter(self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)

        self.notes_label = QLabel()
        self.notes_label.setObjectName("reportNotes")
        self.notes_label.setWordWrap(True)
        self.notes_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        notes_font = self.notes_label.font()
        if notes_font.pointSizeF() > 0:
            notes_font.setPointSizeF(notes_font.pointSizeF() * 0.9)
        self.notes_label.setFont(notes_font)
        self.notes_label.setTextFormat(Qt.TextFormat.PlainText)

    def _lay_out(self) -> None:
        period = QHBoxLayout()
        period.setSpacing(6)
        self._period_label = QLabel("&Period")
        self._period_label.setBuddy(self.quick_combo)
        from_label = QLabel("&From")
        from_label.setBuddy(self.from_edit)
        to_label = QLabel("&to")
        to_label.setBuddy(self.to_edit)
        period.addWidget(self._period_label)
        period.addWidget(self.quick_combo)
        period.addSpacing(10)
        period.addWidget(from_label)
        period.addWidget(self.from_edit)
        period.addWidget(to_label)
        period.addWidget(self.to_edit)
        period.addWidget(self.period_hint)
        period.addSpacing(16)
        period.addWidget(self.agency_check)
        period.addStretch(1)
        self._period_widgets: tuple[QWidget, ...] = (
            self._period_label,
            self.quick_combo,
            from_label,
            self.from_edit,
            to_label,
            self.to_edit,
        )

        splitter = side_by_side(
            self.chart_widget,
            self.table,
            stretch=(3, 2),
            sizes=(360, 240),
            vertical=True,
        )
        self.splitter = splitter

        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(6)
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(self.title_label)
        heading.addWidget(self.subtitle_label)
        top = QHBoxLayout()
        top.addLayout(heading, 1)
        top.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.pdf_button, 0, Qt.AlignmentFlag.AlignTop)
        right.addLayout(top)
        right.addLayout(period)
        right.addWidget(self.error_label)
        right.addWidget(splitter, 1)
        right.addWidget(self.notes_label)
        right.addWidget(self.status_label)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(10)
        layout.addWidget(self.report_list)
        layout.addLayout(right, 1)

    def _connect(self) -> None:
        self.report_list.currentRowChanged.connect(self._on_report_changed)
        self.quick_combo.activated.connect(self._on_quick_period_chosen)
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(self._on_date_edited)
        self.agency_check.toggled.connect(self._on_agency_toggled)
        call_on(self.export_button.clicked, self.export_csv)
        call_on(self.pdf_button.clicked, self.export_pdf)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Loans come and go while other tabs are used: build afresh whenever shown.
        self.refresh()

    # Who is reading ------------------------------------------------------------------------

    def set_actor(self, actor: Actor | None) -> None:
        """Report for ``actor``: the reports they may read; "Only my agency" is offered to
        those with an agency."""
        self.actor = actor
        self._show_reports_for(actor)
        self._show_agency_choice()
        if self._loaded or self.isVisible():
            self.refresh()

    def _show_reports_for(self, actor: Actor | None) -> None:
        specs = report_specs_for(actor)
        if specs == self._specs:
            return
        chosen = self.spec.key if self.report_list.currentRow() >= 0 else None
        self._specs = specs
        with QSignalBlocker(self.report_list):
            self.report_list.clear()
            self._fill_list()
            keys = [spec.key for spec in specs]
            self.report_list.setCurrentRow(keys.index(chosen) if chosen in keys else 0)

    def _show_agency_choice(self) -> None:
        has_agency = self.actor is not None and self.actor.agency_id is not None
        if not has_agency:
            with QSignalBlocker(self.agency_check):
                self.agency_check.setChecked(False)
        self.agency_check.setVisible(has_agency)

    # What is shown -------------------------------------------------------------------------

    def today(self) -> date:
        """The day on a station's wall calendar at ``now``."""
        return today_uk(self.now())

    @property
    def report(self) -> Report | None:
        """The report shown, if any."""
        return self._report

    @property
    def spec(self) -> ReportSpec:
        """The report chosen in the list."""
        row = max(0, self.report_list.currentRow())
        return self._specs[row]

    @property
    def specs(self) -> tuple[ReportSpec, ...]:
        return self._specs

    @property
    def period(self) -> Period:
        """The period the date edits show."""
        return Period(_day(self.from_edit), _day(self.to_edit))

    @property
    def agency_id(self) -> int | None:
        """The agency to report on alone, or None for every agency."""
        if self.actor is None or not self.agency_check.isChecked():
            return None
        return self.actor.agency_id

    def select_report(self, key: ReportKey) -> None:
        """Choose the report ``key`` in the list (which builds it)."""
        for row, spec in enumerate(self._specs):
            if spec.key is key:
                self.report_list.setCurrentRow(row)
                return
        raise ValueError(f"No report {key.value} is listed.")

    def set_period(self, period: Period) -> None:
        """Show ``period`` in the date edits and build the report for it at once."""
        self._set_period_controls(period)
        self.rebuild()

    def choose_quick_period(self, choice: QuickPeriod) -> None:
        """As if ``choice`` were picked from the Period list."""
        self.quick_combo.setCurrentIndex(self.quick_combo.findData(choice))
        self._on_quick_period_chosen(self.quick_combo.currentIndex())

    def _set_period_controls(self, period: Period) -> None:
        with QSignalBlocker(self.from_edit), QSignalBlocker(self.to_edit):
            self.from_edit.setDate(_qdate(period.start))
            self.to_edit.setDate(_qdate(period.end))
        self._match_quick_choice()

    def _match_quick_choice(self) -> None:
        today = self.today()
        shown = self.period
        index = self.quick_combo.findData(None)
        for choice in QuickPeriod:
            if quick_period(choice, today) == shown:
                index = self.quick_combo.findData(choice)
                break
        with QSignalBlocker(self.quick_combo):
            self.quick_combo.setCurrentIndex(index)

    # Building the report -------------------------------------------------------------------

    def refresh(self) -> None:
        """Build the chosen report again from the database (its figures may have moved)."""
        self.rebuild()

    def rebuild(self) -> bool:
        """Build the chosen report for the period and agency shown; False if it could not be."""
        self._typing.stop()
        spec = self.spec
        self._show_spec(spec)
        period = self.period
        if self.actor is None:  # signed out: nobody to build it for
            return False
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            # The engine refuses a period that ends before it starts, in words.
            report = build_report(
                self._db,
                spec.key,
                period,
                actor=self.actor,
                agency_id=self.agency_id,
                now=self.now(),
            )
        except KitShareError as error:
            self._show_error(error.message)
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self._loaded = True
        self.error_label.hide()
        self._show_report(report, spec)
        return True

    def _show_spec(self, spec: ReportSpec) -> None:
        for widget in self._period_widgets:
            widget.setEnabled(spec.uses_period)
        self.period_hint.setVisible(not spec.uses_period)

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _show_report(self, report: Report, spec: ReportSpec) -> None:
        self._report = report
        self.title_label.setText(report.title)
        self.subtitle_label.setText(report.subtitle)
        self.status_label.clear()
        self.chart_widget.set_chart(report.chart, about_now=not spec.uses_period)
        self.chart_widget.setVisible(report.chart is not None)
        self.model.show_report(report)
        self._measure_columns()
        self.notes_label.setText("\n".join(report.notes))
        self.notes_label.setVisible(bool(report.notes))
        self.export_button.setEnabled(True)
        self.pdf_button.setEnabled(True)

    def _measure_columns(self) -> None:
        """Each column's natural width: its widest cell or header, up to a limit."""
        metrics = self.table.fontMetrics()
        widest = metrics.horizontalAdvance("x" * WIDEST_COLUMN_CHARS)
        padding = 3 * metrics.averageCharWidth()
        bold = QFont(self.table.font())
        bold.setBold(True)
        bold_metrics = QFontMetrics(bold)
        self._natural_widths = []
        for column in range(self.model.columnCount()):
            width = bold_metrics.horizontalAdvance(
                str(self.model.headerData(column, Qt.Orientation.Horizontal))
            )
            for row in range(self.model.rowCount()):
                text = str(self.model.index(row, column).data())
                measure = bold_metrics if self.model.is_total(row) else metrics
                width = max(width, measure.horizontalAdvance(text))
            self._natural_widths.append(float(min(widest, width + padding)))
        # A last column of words (a contact, a state) takes the spare width rather than
        # being cut short; a last column of figures stays beside the others.
        report = self.model.report()
        self.table.horizontalHeader().setStretchLastSection(
            report is not None and bool(report.columns) and not is_numeric(report.columns[-1])
        )
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Share the table's width out: long text columns give way before it scrolls."""
        report = self.model.report()
        if report is None or len(self._natural_widths) != len(report.columns):
            return
        room = self.table.viewport().width() - 2  # rounding must not bring a scroll bar
        minimum = self.table.fontMetrics().horizontalAdvance("x" * MIN_TEXT_COLUMN_CHARS)
        widths = fit_widths(self._natural_widths, report.columns, room, minimum=minimum)
        header = self.table.horizontalHeader()
        for column, width in enumerate(widths):
            header.resizeSection(column, int(width))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    # Export --------------------------------------------------------------------------------

    def _suggested(self, suffix: str) -> Path | None:
        if self._report is None:
            return None
        return self._last_folder / report_file_name(self._report, suffix)

    def export_csv(self, path: str | Path | None = None) -> int | None:
        """Save the report shown as CSV at ``path`` (asked for if not given); the rows
        written, or None if cancelled or it could not be saved."""
        return self._export(path, ".csv", self._write_csv)

    def export_pdf(self, path: str | Path | None = None) -> int | None:
        """Print the report shown to a PDF at ``path`` (asked for if not given); the pages
        written, or None if cancelled or it could not be saved."""
        return self._export(path, ".pdf", self._write_pdf)

    @staticmethod
    def _write_csv(report: Report, path: Path) -> tuple[int, str]:
        rows = write_report_csv(report, path)
        return rows, f"Exported {counted(rows, 'row')} to {path}."

    @staticmethod
    def _write_pdf(report: Report, path: Path) -> tuple[int, str]:
        pages = write_report_pdf(report, path)
        return pages, f"Saved {path} ({counted(pages, 'page')})."

    def _export(
        self,
        path: str | Path | None,
        suffix: str,
        write: Callable[[Report, Path], tuple[int, str]],
    ) -> int | None:
        report = self._report
        if report is None:
            return None
        if path is None:
            suggested = self._suggested(suffix)
            chosen = self.ask_path(suggested) if suggested is not None else None
            if not chosen:
                return None
            path = chosen
        target = Path(path)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            written, message = write(report, target)
        except KitShareError as error:
            QApplication.restoreOverrideCursor()
            what = "printed" if suffix == ".pdf" else "exported"
            show_error(self, error, f"The report was not {what}")
            return None
        QApplication.restoreOverrideCursor()
        self._last_folder = target.parent
        self.status_label.setText(message)
        self.exported.emit(message)
        return written

    # Reacting ------------------------------------------------------------------------------

    def _on_report_changed(self, row: int) -> None:
        if 0 <= row < len(self._specs):
            self.rebuild()

    def _on_quick_period_chosen(self, index: int) -> None:
        choice = self.quick_combo.itemData(index)
        if isinstance(choice, QuickPeriod):
            self.set_period(quick_period(choice, self.today()))

    def _on_date_edited(self, _day: QDate) -> None:
        self._match_quick_choice()
        self._typing.start()

    def _on_agency_toggled(self, _checked: bool) -> None:
        self.rebuild()
