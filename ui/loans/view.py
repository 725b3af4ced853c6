"""The Loans view: the lists a duty officer works through, each with its count, and the
loans of the chosen list in a table. Filters narrow everything to one agency or site."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.items import choices
from app.core.errors import KitShareError
from app.loans.views import LoanSection, list_loans, loan_counts
from app.storage.database import Database
from ui.loans.loan_detail import OVERDUE_COLOUR, RECALLED_COLOUR
from ui.loans.model import LoanColumn, LoanTableModel
from ui.widgets.layout import side_by_side
from ui.widgets.views import error_label, record_table

SECTION_ROLE = Qt.ItemDataRole.UserRole
# Sections that need someone to act when they hold anything, and their colour.
URGENT_SECTIONS = {LoanSection.OVERDUE: OVERDUE_COLOUR, LoanSection.RECALLED: RECALLED_COLOUR}
EMPTY_TEXTS = {
    LoanSection.AWAITING: "No requests are awaiting approval.",
    LoanSection.APPROVED: "No approved loans are waiting to go out.",
    LoanSection.OUT: "No kit is out on loan.",
    LoanSection.DUE_TODAY: "Nothing is due back today.",
    LoanSection.OVERDUE: "Nothing is overdue.",
    LoanSection.RECALLED: "No loans are recalled.",
    LoanSection.RETURNED: "Nothing has come back in the last 7 days.",
    LoanSection.ALL: "There are no loans yet.",
}
COLUMN_SAMPLES = LoanColumn.samples()
ALL_AGENCIES = "All agencies"
ALL_SITES = "All sites"


def section_text(section: LoanSection, count: int) -> str:
    return f"{section.value} ({count})"


class LoansView(QWidget):
    """Lists of loans with counts; says ``loan_open_requested`` on double-click or Enter."""

    loan_open_requested = Signal(int)
    """The person double-clicked (or pressed Enter on) this loan."""
    counts_changed = Signal(object)
    """The counts per ``LoanSection`` were read again (a ``dict[LoanSection, int]``)."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.counts: dict[LoanSection, int] = dict.fromkeys(LoanSection, 0)

        self.agency_combo = QComboBox()
        self.agency_combo.setObjectName("loanAgencyFilter")
        self.site_combo = QComboBox()
        self.site_combo.setObjectName("loanSiteFilter")
        self._fill_filters()
        self.error_label = error_label("loansError")

        self.sections = self._make_sections()

        self.model = LoanTableModel(self)
        self.table = record_table(
            "loansTable", self.model, COLUMN_SAMPLES, bold_column=LoanColumn.STATUS
        )
        self.empty_label = QLabel()
        self.empty_label.setObjectName("loansEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setEnabled(False)
        self._stack = QStackedWidget()
        self._stack.addWidget(self.table)
        self._stack.addWidget(self.empty_label)

        filters = QHBoxLayout()
        filters.setContentsMargins(8, 8, 8, 0)
        filters.addWidget(QLabel("Agency"))
        filters.addWidget(self.agency_combo)
        filters.addSpacing(12)
        filters.addWidget(QLabel("Site"))
        filters.addWidget(self.site_combo)
        filters.addWidget(self.error_label, 1)
        filters.addStretch(0)
        splitter = side_by_side(
            self.sections,
            self._stack,
            stretch=(0, 1),
            sizes=(self.sections.minimumWidth(), 1000),
        )
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(filters)
        outer.addWidget(splitter, 1)

        self.sections.currentRowChanged.connect(self._on_section_changed)
        self.agency_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.site_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.table.activated.connect(self._on_row_activated)

    def _make_sections(self) -> QListWidget:
        sections = QListWidget()
        sections.setObjectName("loanSections")
        for section in LoanSection:
            item = QListWidgetItem(section_text(section, 0))
            item.setData(SECTION_ROLE, section)
            sections.addItem(item)
        sections.setCurrentRow(0)
        sections.setSpacing(2)
        metrics = sections.fontMetrics()
        sections.setMinimumWidth(
            metrics.horizontalAdvance(section_text(LoanSection.RETURNED, 888)) + 40
        )
        return sections

    def _fill_filters(self) -> None:
        try:
            found = choices(self._db)
        except KitShareError:
            found = None
        for combo, everything in ((self.agency_combo, ALL_AGENCIES), (self.site_combo, ALL_SITES)):
            with QSignalBlocker(combo):
                combo.clear()
                combo.addItem(everything, None)
        if found is None:
            return
        with QSignalBlocker(self.agency_combo):
            for agency_id, name in found.agencies:
                self.agency_combo.addItem(name, agency_id)
        with QSignalBlocker(self.site_combo):
            for site in found.sites:
                self.site_combo.addItem(site.name, site.id)

    # What is shown ------------------------------------------------------------------------

    @property
    def section(self) -> LoanSection:
        item = self.sections.currentItem()
        value = item.data(SECTION_ROLE) if item is not None else None
        return value if isinstance(value, LoanSection) else LoanSection.ALL

    def show_section(self, section: LoanSection) -> None:
        """Choose the list ``section`` (and show its loans)."""
        self.sections.setCurrentRow(list(LoanSection).index(section))

    def agency_id(self) -> int | None:
        value = self.agency_combo.currentData()
        return int(value) if value is not None else None

    def site_id(self) -> int | None:
        value = self.site_combo.currentData()
        return int(value) if value is not None else None

    def refresh(self) -> None:
        """Read the counts and the chosen list again, keeping the selected loan."""
        keep = self.selected_loan_id()
        try:
            counts = loan_counts(self._db, agency_id=self.agency_id(), site_id=self.site_id())
            loans = list_loans(
                self._db, self.section, agency_id=self.agency_id(), site_id=self.site_id()
            )
        except KitShareError as error:
            self.error_label.setText(error.message)
            self.error_label.show()
            return
        self.error_label.hide()
        self.counts = counts
        self._show_counts()
        self.model.show_rows(loans)
        self.empty_label.setText(EMPTY_TEXTS[self.section])
        self._stack.setCurrentWidget(self.table if loans else self.empty_label)
        row = self.model.row_of(keep) if keep is not None else None
        if loans:
            self.table.selectRow(row if row is not None else 0)
        self.counts_changed.emit(dict(counts))

    def _show_counts(self) -> None:
        for row in range(self.sections.count()):
            item = self.sections.item(row)
            section = item.data(SECTION_ROLE)
            count = self.counts.get(section, 0)
            item.setText(section_text(section, count))
            urgent = section in URGENT_SECTIONS and count > 0
            font = item.font()
            font.setBold(urgent)
            item.setFont(font)
            if urgent:
                item.setForeground(QBrush(QColor(URGENT_SECTIONS[section])))
            else:
                item.setData(Qt.ItemDataRole.ForegroundRole, None)

    def selected_loan_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid() or self._stack.currentWidget() is not self.table:
            return None
        return self.model.record_id(index.row())

    def section_counts_shown(self) -> dict[LoanSection, str]:
        """The text of each section in the list, as a person reads it."""
        return {
            self.sections.item(row).data(SECTION_ROLE): self.sections.item(row).text()
            for row in range(self.sections.count())
        }

    # Reacting -----------------------------------------------------------------------------

    def _on_section_changed(self, _row: int) -> None:
        self.refresh()

    def _on_filter_changed(self, _index: int) -> None:
        self.refresh()

    def _on_row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.loan_open_requested.emit(self.model.record_id(index.row()))
