"""The search box and filters above the catalogue: what to look for, and where."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.items import QUANTITY_MAX
from app.catalogue.query_words import QueryWords, read_query
from app.catalogue.search import SearchFilters
from app.core.clock import UK, format_time, now_utc, today_uk
from app.core.vocabulary import labels
from app.inspections.service import DUE_SOON_DAYS
from app.loans.drafts import LoanWish
from models import ItemStatus
from ui.widgets.dates import DATE_FORMAT, UkDateTimeEdit, keep_to_kit_share_years
from ui.widgets.layout import fit_spin
from ui.widgets.palette import INFO, REFUSED, coloured_text

# Long enough to take a burst of keys (a paste, key repeat, a scanner typing a tag) as
# one search, short enough that each key a person types shows its rows at once: a
# search takes a few milliseconds on a worker, and a stale one is dropped.
DEBOUNCE_MS = 15
SEARCH_PLACEHOLDER = (
    "Search kit: name, tag, serial, make… and “free tomorrow 08:00-16:00”, “x10”  (Ctrl+F or /)"
)
ERROR_STYLE = coloured_text(REFUSED)
UNDERSTOOD_STYLE = coloured_text(INFO, bold=True)


class SearchBox(QLineEdit):
    """A line edit that hands the Down arrow to the results below it."""

    move_down_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down and not event.modifiers():
            self.move_down_requested.emit()
            return
        super().keyPressEvent(event)


class SearchBar(QWidget):
    """The search box, filters, result count and any error, above the table.

    Says ``criteria_changed`` once typing or choosing pauses (debounced), and
    ``tag_entered`` when Return is pressed in the search box, as a scanner does.
    """

    criteria_changed = Signal()
    """The search or a filter changed, and the person has paused."""
    tag_entered = Signal(str)
    """Return was pressed in the search box with this text (perhaps a scanned tag)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Offline: the moment of the station copy the free counts come from.
        self.as_of: datetime | None = None
        self.search_box = SearchBox()
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_box.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.count_label.setObjectName("resultCount")
        self.error_label = QLabel()
        self.error_label.setObjectName("searchError")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        # What the box asked for besides words ("Free Tue 08/12/2026 08:00 – 16:00").
        self.understood_label = QLabel()
        self.understood_label.setObjectName("searchUnderstood")
        self.understood_label.setStyleSheet(UNDERSTOOD_STYLE)
        self.understood_label.hide()
        self._period_from_words = False

        self.category_edit = _filter_edit("Category")
        self.owner_edit = _filter_edit("Owner")
        self.site_edit = _filter_edit("Home site")
        self.status_combo = QComboBox()
        self.status_combo.setToolTip("Status")
        self.status_combo.addItem("Any status", None)
        for status, words in labels(ItemStatus).items():
            self.status_combo.addItem(words, status)

        self.due_check = QCheckBox("Inspection due before")
        self.due_check.setObjectName("dueCheck")
        self.due_check.setToolTip(
            "Only kit with an inspection due before this day, or already lapsed, failed or "
            "never recorded"
        )
        self.due_edit = QDateEdit()
        self.due_edit.setObjectName("dueBefore")
        self.due_edit.setDisplayFormat(DATE_FORMAT)
        self.due_edit.setCalendarPopup(True)
        keep_to_kit_share_years(self.due_edit)
        soon = today_uk() + timedelta(days=DUE_SOON_DAYS)
        self.due_edit.setDate(QDate(soon.year, soon.month, soon.day))
        self.due_edit.setEnabled(False)

        self.period_check = QCheckBox("Only kit free between")
        start = _next_hour_uk()
        self.from_edit = _datetime_edit(start)
        self.to_edit = _datetime_edit(start + timedelta(hours=4))
        self.quantity_spin = _quantity_spin()
        self._set_period_enabled(False)
        self._lay_out()

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.criteria_changed)
        self._connect_edits()

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.count_label)
        filters = QHBoxLayout()
        for edit in (self.category_edit, self.owner_edit, self.site_edit):
            filters.addWidget(edit, 1)
        filters.addWidget(self.status_combo)
        filters.addSpacing(12)
        filters.addWidget(self.due_check)
        filters.addWidget(self.due_edit)
        filters.addSpacing(12)
        filters.addWidget(self.period_check)
        filters.addWidget(self.from_edit)
        filters.addWidget(QLabel("and"))
        filters.addWidget(self.to_edit)
        filters.addWidget(self.quantity_spin)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addLayout(top)
        layout.addWidget(self.understood_label)
        layout.addLayout(filters)
        layout.addWidget(self.error_label)

    def _connect_edits(self) -> None:
        self.search_box.textChanged.connect(self._on_criteria_edited)
        self.search_box.returnPressed.connect(self._on_return_pressed)
        for edit in (self.category_edit, self.owner_edit, self.site_edit):
            edit.textChanged.connect(self._on_criteria_edited)
        self.status_combo.currentIndexChanged.connect(self._on_criteria_edited)
        self.due_check.toggled.connect(self._on_due_toggled)
        self.due_edit.dateChanged.connect(self._on_criteria_edited)
        self.period_check.toggled.connect(self._on_period_toggled)
        self.from_edit.dateTimeChanged.connect(self._on_criteria_edited)
        self.to_edit.dateTimeChanged.connect(self._on_criteria_edited)
        self.quantity_spin.valueChanged.connect(self._on_criteria_edited)

    @property
    def query(self) -> str:
        return self.search_box.text()

    def filters(self) -> SearchFilters:
        """The filters as chosen; the service judges whether they make sense."""
        period = self.period_check.isChecked()
        return SearchFilters(
            category=self.category_edit.text().strip() or None,
            agency=self.owner_edit.text().strip() or None,
            site=self.site_edit.text().strip() or None,
            status=self.status_combo.currentData(),
            available_from=self.from_edit.wall_time() if period else None,
            available_to=self.to_edit.wall_time() if period else None,
            quantity=self.quantity_spin.value() if period else 1,
            inspection_due_before=qdate_to_date(self.due_edit.date())
            if self.due_check.isChecked()
            else None,
        )

    def wish(self) -> LoanWish | None:
        """The period and quantity asked about, for a loan form to start from; None
        when the search asks about no period."""
        if not self.period_check.isChecked():
            return None
        return LoanWish(
            starts_at=self.from_edit.moment(),
            due_at=self.to_edit.moment(),
            quantity=self.quantity_spin.value(),
        )

    def understand(self) -> QueryWords:
        """Read the box as the search will, and show what it asked for besides words: the
        line under the box, and the period and quantity in the filters that hold them
        (the service reads the same words again, and refuses a period it cannot take)."""
        read = read_query(self.search_box.text())
        self.understood_label.setText(read.said())
        self.understood_label.setVisible(read.period is not None)
        if read.period is not None:
            with (
                QSignalBlocker(self.period_check),
                QSignalBlocker(self.from_edit),
                QSignalBlocker(self.to_edit),
                QSignalBlocker(self.quantity_spin),
            ):
                self.period_check.setChecked(True)
                self.from_edit.set_moment(read.period.start)
                self.to_edit.set_moment(read.period.end)
                self.quantity_spin.setValue(read.quantity)
            self._set_period_enabled(True)
            self._period_from_words = True
        elif self._period_from_words and not read.asks_more:
            # The words no longer ask for a period: nor do the filters.
            with QSignalBlocker(self.period_check), QSignalBlocker(self.quantity_spin):
                self.period_check.setChecked(False)
                self.quantity_spin.setValue(1)
            self._set_period_enabled(False)
            self._period_from_words = False
        return read

    def focus_search(self) -> None:
        """Put the cursor in the search box with its text selected, ready to replace."""
        self.search_box.setFocus()
        self.search_box.selectAll()

    def pending(self) -> bool:
        """Whether a change is waiting for the typing to pause before it is searched."""
        return self._debounce.isActive()

    def cancel_pending(self) -> None:
        """Forget a change not yet searched for (a search is starting now anyway)."""
        self._debounce.stop()

    def show_count(self, total: int) -> None:
        self.error_label.hide()
        query = self.query.strip()
        if total == 0 and (query or self._any_filter()):
            what = f"“{query}”" if query else "these filters"
            self.count_label.setText(f"No items match {what}")
        else:
            counted_text = f"{total:,} item" if total == 1 else f"{total:,} items"
            if self.as_of is not None:
                counted_text += f" · free as of {format_time(self.as_of)}"
            self.count_label.setText(counted_text)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.count_label.setText("")

    def _any_filter(self) -> bool:
        return self.filters() != SearchFilters()

    def _set_period_enabled(self, enabled: bool) -> None:
        for widget in (self.from_edit, self.to_edit, self.quantity_spin):
            widget.setEnabled(enabled)

    def _on_due_toggled(self, checked: bool) -> None:
        self.due_edit.setEnabled(checked)
        self._on_criteria_edited()

    def _on_period_toggled(self, checked: bool) -> None:
        self._set_period_enabled(checked)
        self._on_criteria_edited()

    def _on_criteria_edited(self, *_args: object) -> None:
        self._debounce.start()

    def _on_return_pressed(self) -> None:
        self._debounce.stop()
        self.tag_entered.emit(self.search_box.text())


def qdate_to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _quantity_spin() -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(1, QUANTITY_MAX)
    spin.setPrefix("Qty ")
    # As wide as a four-figure quantity: the filter row must fit a 1280-pixel screen.
    fit_spin(spin, "Qty 9999")
    spin.setToolTip("How many are needed (for pooled stock)")
    return spin


def _next_hour_uk() -> datetime:
    now = now_utc().astimezone(UK)
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def _filter_edit(placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setToolTip(f"{placeholder}: the exact name, any case")
    edit.setClearButtonEnabled(True)
    return edit


def _datetime_edit(value: datetime) -> UkDateTimeEdit:
    """A UK wall-clock date and time, whatever the PC's own time zone."""
    edit = UkDateTimeEdit()
    edit.set_moment(value)
    return edit
