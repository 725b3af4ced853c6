"""The import wizard's Check step: what the import would do, row by row, before it does it.

The page runs the service's check on the whole file and lists every row that would not
import, and why; the names the file brings that Kit Share does not know yet, each to be
created or not; and how the file's dates are read. Import runs the import itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.core.errors import KitShareError
from app.core.text import counted
from app.transfer.dates import DateOrder
from app.transfer.fields import Kind
from app.transfer.names import NewName
from app.transfer.service import (
    ImportRefused,
    ImportReport,
    check_import,
    run_import,
)
from app.transfer.tabular import Cancelled, RowProblem
from app.transfer.writing import write_table
from ui.transfer.shared import documents_folder, kind_count, new_name_text, rows_text
from ui.widgets.layout import message_label, muted, named, show_message
from ui.widgets.palette import READY_STYLE, REFUSED_STYLE, TO_DO_STYLE
from ui.widgets.record_model import RowTableModel

if TYPE_CHECKING:
    from ui.transfer.import_wizard import ImportWizard

T = TypeVar("T")

PROBLEMS_FILE_NAME = "rows to fix.csv"
# Up to this many problems are shown with their reasons wrapped over several lines.
WRAP_PROBLEMS = 200
# How many new names show at once; more scroll.
NAMES_SHOWN = 5
# The choices for dates such as 3/1/2023, with the order each stands for (None: as each
# date column of the file settles it).
DATE_CHOICES: tuple[tuple[str, DateOrder | None], ...] = (
    ("As the file's dates show (day/month/year if nothing settles it)", None),
    ("Day first: 3/1/2023 is 3 January (UK)", DateOrder.DAY_FIRST),
    ("Month first: 3/1/2023 is 1 March (US)", DateOrder.MONTH_FIRST),
)


class ProblemTableModel(RowTableModel[RowProblem]):
    """The dry run's problems, one a row, in row order: Row, Column, What to fix."""

    HEADERS = ("Row", "Column", "What to fix")

    def show_problems(self, problems: Sequence[RowProblem]) -> None:
        self.show_rows(sorted(problems, key=lambda p: (p.row, p.column or "")))

    def problems(self) -> list[RowProblem]:
        return self.records()

    def text(self, record: RowProblem, column: int) -> str:
        if column == 0:
            return str(record.row)
        if column == 1:
            return record.column or "(the whole row)"
        return record.reason


class CheckPage(QWizardPage):
    """Step 3: the dry run. Every bad row listed; the import waits until there are none.

    This is the wizard's commit page: its button reads Import, and runs the import. A
    cancelled or refused import stays here, saying so, with nothing imported.
    """

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._checked_for: tuple[int, Kind, tuple[tuple[str, str], ...]] | None = None
        self.approved: set[tuple[str, str, str | None]] = set()
        self.name_boxes: dict[tuple[str, str, str | None], QCheckBox] = {}
        self.setTitle("Check the rows")
        self.setSubTitle(
            "Kit Share has checked every row without importing anything. Nothing is "
            "imported until every row is right."
        )
        self.setCommitPage(True)

        self.summary = message_label("checkSummary")
        self.outcome = message_label("importOutcome")
        # How the check read what could be read more than one way (dates, statuses).
        self.notices = named(muted(""), "checkNotices")
        self.notices.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notices.hide()
        self.dates_combo = named(QComboBox(), "datesCombo")
        self.dates_combo.setAccessibleName("How dates are read")
        for text, order in DATE_CHOICES:
            self.dates_combo.addItem(text, order)
        self.dates_label = QLabel("&Dates such as 3/1/2023:")
        self.dates_label.setBuddy(self.dates_combo)
        self.dates_row = QWidget()
        dates_layout = QHBoxLayout(self.dates_row)
        dates_layout.setContentsMargins(0, 0, 0, 0)
        dates_layout.addWidget(self.dates_label)
        dates_layout.addWidget(self.dates_combo)
        dates_layout.addStretch(1)
        self.dates_row.hide()

        self.names_box = self._names_box()
        self.model = ProblemTableModel(self)
        self.table = self._problems_table(self.model)

        self.save_button = named(QPushButton("&Save this list…"), "saveProblemsButton")
        self.reread_button = named(QPushButton("&Read the file again"), "rereadButton")
        self.reread_button.setToolTip(
            "After fixing the file in your spreadsheet program, read it again and check"
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.reread_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)

        self.names_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.summary)
        self._layout.addWidget(self.notices)
        self._layout.addWidget(self.dates_row)
        self._layout.addWidget(self.names_box)
        self._layout.addWidget(self.table, 1)
        # Takes the table's room when there is no table to show.
        self._layout.addStretch(0)
        self._layout.addLayout(buttons)
        self._layout.addWidget(self.outcome)

        self.save_button.clicked.connect(self._on_save_clicked)
        self.reread_button.clicked.connect(self._on_reread_clicked)
        self.dates_combo.currentIndexChanged.connect(self._on_dates_changed)

    def _names_box(self) -> QGroupBox:
        """The names the file uses that Kit Share does not know, each with a box to tick."""
        box = named(QGroupBox("Not in Kit Share yet"), "newNamesBox")
        names_layout = QVBoxLayout(box)
        names_layout.addWidget(
            muted(
                "The file names these, and Kit Share does not know them. Tick each one to "
                "create; rows naming one left unticked cannot be imported."
            )
        )
        self.names_host = QWidget()
        self.names_list = QVBoxLayout(self.names_host)
        self.names_list.setContentsMargins(0, 0, 0, 0)
        self.names_list.addStretch(1)
        self.names_scroll = QScrollArea()
        self.names_scroll.setWidgetResizable(True)
        self.names_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.names_scroll.setWidget(self.names_host)
        names_layout.addWidget(self.names_scroll)
        return box

    @staticmethod
    def _problems_table(model: ProblemTableModel) -> QTableView:
        """The rows to fix: Row, Column and What to fix, the reason taking the width."""
        table = named(QTableView(), "problemsTable")
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTabKeyNavigation(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.verticalHeader().hide()
        metrics = table.fontMetrics()
        table.verticalHeader().setDefaultSectionSize(metrics.height() + 8)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, metrics.horizontalAdvance("Row 000000"))
        header.resizeSection(1, metrics.horizontalAdvance("Purchase price (£)  "))
        header.setStretchLastSection(True)
        table.setAccessibleName("Rows to fix")
        table.setStyleSheet("QTableView::item { padding: 3px 4px; }")
        return table

    # -- the check ------------------------------------------------------------------------

    def initializePage(self) -> None:
        wizard = self._wizard
        assert wizard.table is not None
        checked_for = (wizard.reads, wizard.kind, tuple(sorted(wizard.mapping.items())))
        if checked_for[:2] != (self._checked_for or (None, None))[:2]:
            self.approved.clear()  # another file or kind: nothing approved yet
        self._checked_for = checked_for
        show_message(self.outcome, "", READY_STYLE)
        self.run_check()

    def run_check(self) -> None:
        """Run the dry run with the names ticked for creation, and show what it found."""
        wizard = self._wizard
        try:
            report = self._on_the_file(check_import, "Checking")
        except Cancelled:
            wizard.report = None
            self._show_report(None)
            show_message(
                self.summary,
                "The check was cancelled. Press Read the file again to check it, or go back.",
                TO_DO_STYLE,
            )
            return
        except KitShareError as error:
            wizard.report = None
            self._show_report(None)
            show_message(self.summary, error.message, REFUSED_STYLE)
            return
        wizard.report = report
        self._show_report(report)

    def _on_the_file(self, service: Callable[..., T], doing: str) -> T:
        """``service`` (the check or the import) run on the wizard's file as mapped, with
        the names ticked for creation, behind a progress dialog saying what it is ``doing``."""
        wizard = self._wizard
        table = wizard.table
        assert table is not None
        with wizard.progress(f"{doing} {rows_text(len(table.rows))}…") as progress:
            return service(
                wizard.db,
                wizard.actor,
                table,
                wizard.kind,
                wizard.mapping,
                create=frozenset(self.approved),
                progress=progress,
                dates=wizard.dates,
            )

    def _show_report(self, report: ImportReport | None) -> None:
        problems = report.problems if report is not None else ()
        # A short list wraps its reasons to be read whole; a long one (a wrong column,
        # say, failing every row) keeps one line a row, the reason in its tooltip, so
        # that it stays quick to show and scroll.
        wrap = len(problems) <= WRAP_PROBLEMS
        self.table.setWordWrap(wrap)
        self.table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents if wrap else QHeaderView.ResizeMode.Fixed
        )
        self.model.show_problems(problems)
        self._show_notices(report)
        self._show_names(report.new_names if report is not None else ())
        self.save_button.setEnabled(bool(report is not None and report.problems))
        listed = bool(report is not None and report.problems)
        self.table.setVisible(listed)
        self._layout.setStretch(self._layout.indexOf(self.table), 1 if listed else 0)
        self._layout.setStretch(self._layout.indexOf(self.table) + 1, 0 if listed else 1)
        if report is not None:
            read = f"{rows_text(report.total_rows)} read"
            if report.ok:
                what = kind_count(report.kind, report.total_rows)
                show_message(
                    self.summary,
                    f"{read}; every row is right. Press Import to add {what} to Kit Share, "
                    "all in one go.",
                    READY_STYLE,
                )
            else:
                show_message(
                    self.summary,
                    f"{read}; {counted(report.bad_rows, 'row needs', 'rows need')} fixing. "
                    "Nothing is imported until every row is right: fix the file and read it "
                    "again, or go back and change the columns.",
                    REFUSED_STYLE,
                )
        self.completeChanged.emit()

    def _show_notices(self, report: ImportReport | None) -> None:
        """How the check read the file (dates, statuses, what reading changed), and the
        choice of date order while the file has dates it could read either way."""
        notices = report.notices if report is not None else ()
        self.notices.setText("\n".join(f"• {notice}" for notice in notices))
        self.notices.setVisible(bool(notices))
        self.dates_row.setVisible(
            bool(report is not None and report.dates) or self._wizard.dates is not None
        )

    def choose_dates(self, order: DateOrder | None) -> None:
        """Read dates such as 3/1/2023 in ``order`` (None: as the file shows), as the
        Dates box does; the check runs again."""
        orders = [choice for _text, choice in DATE_CHOICES]
        self.dates_combo.setCurrentIndex(orders.index(order))

    def _on_dates_changed(self, _index: int) -> None:
        self._wizard.dates = DATE_CHOICES[max(self.dates_combo.currentIndex(), 0)][1]
        show_message(self.outcome, "", READY_STYLE)
        self.run_check()

    def _show_names(self, names: Sequence[NewName]) -> None:
        """One box per new name. The same names as before keep their boxes (a tick
        re-runs the check, and the box ticked keeps the keyboard focus)."""
        keys = [name.key for name in names]
        if keys != list(self.name_boxes):
            for box in self.name_boxes.values():
                self.names_list.removeWidget(box)
                box.hide()
                box.deleteLater()
            self.name_boxes.clear()
            for name in names:
                box = named(QCheckBox(), f"create_{name.kind.value}")
                box.toggled.connect(lambda on, key=name.key: self._on_name_toggled(key, on))
                self.names_list.insertWidget(self.names_list.count() - 1, box)
                self.name_boxes[name.key] = box
            # Boxes made now would come last in the Tab order: put them before the list.
            chain = [*self.name_boxes.values(), self.table, self.reread_button, self.save_button]
            for before, after in pairwise(chain):
                QWidget.setTabOrder(before, after)
        for name in names:
            box = self.name_boxes[name.key]
            box.setText(new_name_text(name))
            with QSignalBlocker(box):
                box.setChecked(name.key in self.approved)
        self.names_box.setVisible(bool(names))
        # As tall as the boxes need, up to five of them; more scroll.
        shown = min(len(names), NAMES_SHOWN)
        box_height = next(iter(self.name_boxes.values())).sizeHint().height() if names else 0
        spacing = max(self.names_list.spacing(), 0)
        self.names_scroll.setFixedHeight(shown * (box_height + spacing))

    def set_creating(self, name: NewName, create: bool) -> None:
        """Tick or untick a new name, as its check box does."""
        self.name_boxes[name.key].setChecked(create)

    def isComplete(self) -> bool:
        report = self._wizard.report
        return report is not None and report.ok

    # -- the import -----------------------------------------------------------------------

    def validatePage(self) -> bool:
        """Run the import. Only a committed import moves on; otherwise say why here."""
        return self.run_import()

    def run_import(self) -> bool:
        """Import every row, all or nothing; True if it was committed."""
        wizard = self._wizard
        path = wizard.path
        assert path is not None
        try:
            result = self._on_the_file(run_import, "Importing")
        except Cancelled:
            show_message(self.outcome, "Cancelled: nothing was imported.", TO_DO_STYLE)
            return False
        except ImportRefused as refused:
            # Something changed since the check (another station added a tag, say).
            wizard.report = refused.report
            self._show_report(refused.report)
            show_message(self.outcome, refused.message, REFUSED_STYLE)
            return False
        except KitShareError as error:
            show_message(self.outcome, f"Nothing was imported. {error.message}", REFUSED_STYLE)
            return False
        wizard.import_result = result
        message = f"Imported {kind_count(result.kind, result.created)} from {path.name}."
        wizard.imported.emit(message)
        return True

    # -- the buttons ----------------------------------------------------------------------

    def _on_name_toggled(self, key: tuple[str, str, str | None], on: bool) -> None:
        if on:
            self.approved.add(key)
        else:
            self.approved.discard(key)
        show_message(self.outcome, "", READY_STYLE)
        self.run_check()

    def _on_save_clicked(self) -> None:
        self.save_problems()

    def save_problems(self) -> Path | None:
        """Ask where, and save the list of rows to fix; returns where it went."""
        wizard = self._wizard
        suggested = (wizard.path.parent if wizard.path else documents_folder()) / (
            f"{wizard.path.stem} – rows to fix.csv" if wizard.path else PROBLEMS_FILE_NAME
        )
        path = wizard.ask_save_path(self, suggested)
        if path is None:
            return None
        problems = self.model.problems()
        try:
            write_table(
                path,
                ["Row", "Column", "What to fix"],
                ([p.row, p.column or "", p.reason] for p in problems),
                total=len(problems),
            )
        except KitShareError as error:
            show_message(self.outcome, error.message, REFUSED_STYLE)
            return None
        show_message(
            self.outcome,
            f"Saved the list of {counted(len(problems), 'problem', 'problems')} to {path.name}.",
            READY_STYLE,
        )
        return path

    def _on_reread_clicked(self) -> None:
        self.reread()

    def reread(self) -> None:
        """Read the file again (fixed, perhaps) and check it with the same columns."""
        wizard = self._wizard
        path = wizard.path
        if path is None:
            return
        problem = wizard.read_file(path)
        show_message(self.outcome, "", READY_STYLE)
        if problem is not None:
            wizard.report = None
            self._show_report(None)
            show_message(self.summary, problem, REFUSED_STYLE)
            return
        table = wizard.table
        assert table is not None
        gone = sorted({h for h in wizard.mapping.values() if h not in table.headers})
        # The columns page keeps the person's choices for the headings still there.
        wizard.columns_page.adopt(table)
        wizard.mapping = wizard.columns_page.mapping()
        self._checked_for = (wizard.reads, wizard.kind, tuple(sorted(wizard.mapping.items())))
        if gone:
            wizard.report = None
            self._show_report(None)
            listed = ", ".join(f"“{h}”" for h in gone)
            show_message(
                self.summary,
                f"The file no longer has {'a column' if len(gone) == 1 else 'columns'} "
                f"{listed}. Go back to match its columns again.",
                REFUSED_STYLE,
            )
            return
        self.run_check()
