"""The Inspections view: what is overdue, due soon, out of service and defective.

Four lists, each with its count on its button, over one table; a spin box sets how
far ahead "due soon" looks, and a check box narrows everything to the signed-in
person's agency. From a row an equipment manager records an inspection (double-click
or Enter: two clicks from the list) or clears a defect; anyone signed in may report
one. The lists and every rule come from ``app.inspections.service``; buttons are enabled for
comfort only, as the services refuse whoever may not act anyway.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSignalBlocker,
    Qt,
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.directory import list_agencies
from app.core.actor import Actor
from app.core.clock import format_date
from app.core.errors import KitShareError
from app.core.permissions import Action, may, refusal
from app.inspections.overview import InspectionsOverview, Watch, WatchRow, inspections_overview
from app.inspections.service import DUE_SOON_DAYS, DueState
from app.storage.database import Database
from models import DefectSeverity, Role
from ui.inspections.dialogs import (
    ClearDefectDialog,
    InspectionForm,
    RecordInspectionDialog,
    ReportDefectDialog,
)
from ui.inspections.regimes import RegimesDialog
from ui.widgets.layout import add_captioned, muted, named
from ui.widgets.palette import DUE, REFUSED, coloured_text
from ui.widgets.record_model import RecordTableModel, TableColumn
from ui.widgets.views import call_on, days_spin, error_label, pause_timer, record_table, run_dialog

ModelIndex = QModelIndex | QPersistentModelIndex
F = TypeVar("F", bound=InspectionForm)

MAX_DAYS = 730
FILTER_DELAY_MS = 200
LAPSED_COLOUR = REFUSED
SOON_COLOUR = DUE
WATCH_NAMES = {
    Watch.OVERDUE: "watchOverdue",
    Watch.DUE_SOON: "watchDueSoon",
    Watch.OUT_OF_SERVICE: "watchOutOfService",
    Watch.DEFECTS: "watchDefects",
}
EMPTY_TEXTS = {
    Watch.OVERDUE: "No inspection is overdue, failed or missing.",
    Watch.DUE_SOON: "No inspection falls due in this span.",
    Watch.OUT_OF_SERVICE: "No kit is out of service.",
    Watch.DEFECTS: "No defect is open.",
}
SIGNED_OUT_TEXT = "Sign in to see what is due for inspection."
READ_ONLY_TEXT = (
    "Recording inspections and clearing defects is for the owner's equipment managers; "
    "anyone signed in may report a defect."
)


def watch_text(watch: Watch, count: int, days: int) -> str:
    """The button of a list: "Overdue (4)", "Due in 30 days (12)"…"""
    if watch is Watch.DUE_SOON:
        span = "today" if days == 0 else ("by tomorrow" if days == 1 else f"in {days} days")
        return f"Due {span} ({count})"
    return f"{watch.value} ({count})"


def count_text(watch: Watch, items: int, rows: int) -> str:
    """ "3 items", "2 items, 3 defects": what the list shown holds."""
    said = "1 item" if items == 1 else f"{items} items"
    if rows == items:
        return said
    what = "defects" if watch is Watch.DEFECTS else "inspections"
    return f"{said}, {rows} {what}"


def is_defect_list(watch: Watch) -> bool:
    return watch in (Watch.OUT_OF_SERVICE, Watch.DEFECTS)


@dataclass(frozen=True)
class WatchLine:
    """One row of the table: a ``WatchRow`` and its place in the list (the table model
    finds rows by an id, and a row of the overview has none of its own)."""

    id: int
    row: WatchRow

    @property
    def key(self) -> tuple[int, int | None, int | None]:
        """What finds the same row again after a refresh."""
        return (self.row.item_id, self.row.regime_id, self.row.defect_id)


class WatchColumn(TableColumn):
    """The columns with the headers of an inspections list; a defects list renames some."""

    # Widths from sample text, so they follow the font; longer texts elide, whole in the
    # tooltip and in the line under the table.
    TAG = "Tag", "CAMBS-DRN-0000"
    ITEM = "Item", "Rescue tripod and winch, SWL 140"
    OWNER = "Owner", "CAMBS-FRS ~"
    WHAT = "Inspection", "LOLER thorough examination (work"
    LAST = "Last inspected", "Last inspected "
    DUE = "Due", "00/00/0000 "
    STANDING = "Standing"


INSPECTION_HEADERS = WatchColumn.headers()
DEFECT_HEADERS = ("Tag", "Item", "Owner", "Severity", "Reported", "Due", "Defect")
COLUMN_SAMPLES = WatchColumn.samples()
SEVERITY_SAMPLE = "Out of service"


def _colour(row: WatchRow) -> str | None:
    """Red for what stops the kit, amber for what soon will; None for the rest."""
    if row.severity is DefectSeverity.UNSAFE or (row.state is not None and row.state.lapsed):
        return LAPSED_COLOUR
    if row.out_of_service and row.defect_id is None and row.state is None:
        return LAPSED_COLOUR
    if row.severity is DefectSeverity.MAJOR or row.state is DueState.DUE_SOON:
        return SOON_COLOUR
    return None


class WatchTableModel(RecordTableModel[WatchLine]):
    """The rows of one list of the Inspections view."""

    HEADERS = INSPECTION_HEADERS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._codes: dict[int, str] = {}
        self.watch = Watch.OVERDUE

    def set_codes(self, codes: dict[int, str]) -> None:
        """The agencies' short codes, by id, for the Owner column."""
        self._codes = dict(codes)

    def show_list(self, watch: Watch, rows: tuple[WatchRow, ...]) -> None:
        self.watch = watch
        self.HEADERS = DEFECT_HEADERS if is_defect_list(watch) else INSPECTION_HEADERS
        self.show_rows([WatchLine(number, row) for number, row in enumerate(rows)])
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.HEADERS) - 1)

    def text(self, record: WatchLine, column: int) -> str:
        return self.row_text(record.row, WatchColumn(column))

    def tooltip(self, record: WatchLine, column: int) -> str | None:
        row = record.row
        which = WatchColumn(column)
        if which is WatchColumn.ITEM:
            return f"{row.item_name}\n{row.category}"
        if which is WatchColumn.OWNER:
            return row.owner
        return self.row_text(row, which)

    def colour(self, record: WatchLine, column: int) -> str | None:
        return _colour(record.row) if column == WatchColumn.STANDING else None

    def is_bold(self, record: WatchLine, column: int) -> bool:
        return self.colour(record, column) == LAPSED_COLOUR

    def row_text(self, row: WatchRow, column: WatchColumn) -> str:
        """What ``row`` shows in ``column``, as the table and the detail line say it."""
        if column is WatchColumn.TAG:
            return row.asset_tag
        if column is WatchColumn.ITEM:
            return row.item_name
        if column is WatchColumn.OWNER:
            return self._codes.get(row.owner_agency_id, row.owner)
        if column is WatchColumn.WHAT:
            return row.what
        if column is WatchColumn.LAST:
            if row.last_on is None:
                return "" if row.defect_id is not None or row.state is None else "Never"
            return format_date(row.last_on)
        if column is WatchColumn.DUE:
            return format_date(row.due_on)
        words = row.words
        # An item may be out of service for another reason than the row's: say so.
        if row.out_of_service and not is_defect_list(self.watch):
            words += " · out of service"
        return words


# -- the view --------------------------------------------------------------------------------


class InspectionsView(QWidget):
    """What is overdue, due soon, out of service and defective, for ``actor`` to act on.

    Says ``changed`` (with a sentence for the status bar) after every change made here.
    """

    changed = Signal(str)
    """An inspection, defect or regime was recorded or changed here; the sentence says so."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.actor = actor
        self.overview: InspectionsOverview | None = None
        # Read on first show, not here: the main window builds this before anyone signs in.
        self._loaded = False
        # Whom the "only my agency's kit" box was last set for.
        self._defaults_for: tuple[int | None, int | None, Role | None] | None = None

        self._make_tools()
        self._make_table()
        self._make_buttons()
        self._lay_out()
        self._connect()
        self.set_actor(actor)

    # Building ------------------------------------------------------------------------------

    def _make_tools(self) -> None:
        self.watch_group = QButtonGroup(self)
        self.watch_group.setExclusive(True)
        self.watch_buttons: dict[Watch, QPushButton] = {}
        for number, watch in enumerate(Watch):
            button = named(QPushButton(watch_text(watch, 0, DUE_SOON_DAYS)), WATCH_NAMES[watch])
            button.setCheckable(True)
            self.watch_group.addButton(button, number)
            self.watch_buttons[watch] = button
        self.watch_buttons[Watch.OVERDUE].setChecked(True)
        self.days_spin = days_spin(
            "inspectionsDays",
            maximum=MAX_DAYS,
            value=DUE_SOON_DAYS,
            meaning="Due soon means within",
        )
        self.own_agency_check = named(QCheckBox("Only my &agency's kit"), "inspectionsOwnAgency")
        self.regimes_button = named(QPushButton("Re&gimes…"), "inspectionRegimes")
        self.regimes_button.setToolTip("The inspection regimes: what is inspected, how often")
        self.error_label = error_label("inspectionsError")
        self._days_timer = pause_timer(self, FILTER_DELAY_MS, self.refresh)

    def _make_table(self) -> None:
        self.model = WatchTableModel(self)
        # Without the codes, the owner shows by its full name.
        with contextlib.suppress(KitShareError):
            self.model.set_codes({a.id: a.code for a in list_agencies(self._db)})
        self.table = record_table(
            "inspectionsTable", self.model, COLUMN_SAMPLES, bold_column=WatchColumn.WHAT
        )
        metrics = self.table.fontMetrics()
        # A severity is one short word: on the defect lists the description has the room.
        self._what_widths = {
            False: self.table.horizontalHeader().sectionSize(WatchColumn.WHAT),
            True: metrics.horizontalAdvance(SEVERITY_SAMPLE) + 2 * metrics.averageCharWidth(),
        }
        self.empty_label = named(QLabel(), "inspectionsEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setEnabled(False)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.empty_label)
        # The chosen row in full, as its cells may elide.
        self.detail_label = named(QLabel(), "inspectionsDetail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_label.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 4)
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def _make_buttons(self) -> None:
        self.count_label = named(muted(""), "inspectionsCount")
        self.read_only_label = named(muted(READ_ONLY_TEXT), "inspectionsReadOnly")
        self.record_button = named(QPushButton("&Record inspection…"), "recordInspection")
        self.report_button = named(QPushButton("Report &defect…"), "reportDefect")
        self.clear_button = named(QPushButton("Clear d&efect…"), "clearDefect")

    def _lay_out(self) -> None:
        tools = QHBoxLayout()
        tools.setContentsMargins(8, 8, 8, 0)
        tools.setSpacing(4)
        for button in self.watch_buttons.values():
            tools.addWidget(button)
        tools.addSpacing(16)
        add_captioned(tools, "Due soon: &within", self.days_spin)
        tools.addSpacing(16)
        tools.addWidget(self.own_agency_check)
        tools.addStretch(1)
        tools.addWidget(self.regimes_button)

        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.read_only_label, 3)
        bottom.addWidget(self.record_button)
        bottom.addWidget(self.report_button)
        bottom.addWidget(self.clear_button)

        body = QVBoxLayout()
        body.setContentsMargins(8, 0, 8, 8)
        body.addWidget(self.pages, 1)
        body.addWidget(self.detail_label)
        body.addLayout(bottom)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        outer.addLayout(tools)
        outer.addWidget(self.error_label)
        outer.addLayout(body, 1)

    def _connect(self) -> None:
        self.watch_group.idToggled.connect(self._on_watch_toggled)
        call_on(self.days_spin.valueChanged, self._days_timer.start)
        call_on(self.own_agency_check.toggled, self.refresh)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.table.activated.connect(self._on_row_activated)
        call_on(self.record_button.clicked, self.record_inspection)
        call_on(self.report_button.clicked, self.report_defect)
        call_on(self.clear_button.clicked, self.clear_defect)
        call_on(self.regimes_button.clicked, self.edit_regimes)

    # Who is acting -------------------------------------------------------------------------

    @property
    def signed_in(self) -> bool:
        return self.actor.role is not None

    def set_actor(self, actor: Actor) -> None:
        """Act as ``actor`` from now on. Their own agency's kit only, to begin with, for
        anyone but an administrator; no one signed in sees nothing."""
        self.actor = actor
        own = actor.agency_id
        person = (actor.user_id, own, actor.role)
        if self._defaults_for != person:
            # A new person starts from their role's default; the same one keeps their choice.
            self._defaults_for = person
            with QSignalBlocker(self.own_agency_check):
                self.own_agency_check.setChecked(
                    own is not None and actor.role is not Role.ADMINISTRATOR
                )
        self.own_agency_check.setEnabled(own is not None)
        self.own_agency_check.setToolTip(
            "" if own is not None else "Your account is not tied to an agency."
        )
        if not self.signed_in:
            self._forget()
        elif self._loaded or self.isVisible():
            self.refresh()
        self._enable_actions()

    def _forget(self) -> None:
        """Show nothing read for the last person."""
        self._loaded = False
        self.overview = None
        self.model.show_list(self.watch, ())
        self.empty_label.setText(SIGNED_OUT_TEXT)
        self.pages.setCurrentWidget(self.empty_label)
        self.count_label.setText("")
        self.detail_label.setText("")
        for watch, button in self.watch_buttons.items():
            button.setText(watch_text(watch, 0, self.days_spin.value()))

    # What is shown -------------------------------------------------------------------------

    @property
    def watch(self) -> Watch:
        """The list chosen."""
        chosen = self.watch_group.checkedId()
        return list(Watch)[chosen] if chosen >= 0 else Watch.OVERDUE

    def show_watch(self, watch: Watch) -> None:
        """Choose the list ``watch`` (and show its rows)."""
        self.watch_buttons[watch].setChecked(True)

    def agency_id(self) -> int | None:
        """The agency whose kit is listed (None: every agency's)."""
        if self.own_agency_check.isChecked() and self.actor.agency_id is not None:
            return self.actor.agency_id
        return None

    def counts(self) -> dict[Watch, int]:
        """How many items each list is about, as last read."""
        if self.overview is None:
            return dict.fromkeys(Watch, 0)
        return {watch: self.overview.count(watch) for watch in Watch}

    def watch_texts(self) -> dict[Watch, str]:
        """The text of each list's button, as a person reads it."""
        return {watch: button.text() for watch, button in self.watch_buttons.items()}

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded and self.signed_in:
            self.refresh()

    def refresh(self) -> None:
        """Read every list again, keeping the chosen row if it is still listed."""
        self._days_timer.stop()
        if not self.signed_in:
            self._forget()
            return
        keep = self.selected_line()
        try:
            overview = inspections_overview(
                self._db, days=self.days_spin.value(), agency_id=self.agency_id()
            )
        except KitShareError as error:
            self.error_label.setText(error.message)
            self.error_label.show()
            return
        self.error_label.hide()
        self._loaded = True
        self.overview = overview
        for watch, button in self.watch_buttons.items():
            button.setText(watch_text(watch, overview.count(watch), overview.days))
            lapsed = watch in (Watch.OVERDUE, Watch.OUT_OF_SERVICE) and overview.count(watch) > 0
            button.setStyleSheet(coloured_text(LAPSED_COLOUR, bold=True) if lapsed else "")
        self._show_list(keep.key if keep is not None else None)

    def _show_list(self, keep: tuple[int, int | None, int | None] | None) -> None:
        watch = self.watch
        rows = self.overview.rows(watch) if self.overview is not None else ()
        self.model.show_list(watch, rows)
        self.table.setColumnHidden(WatchColumn.DUE, is_defect_list(watch))
        self.table.horizontalHeader().resizeSection(
            WatchColumn.WHAT, self._what_widths[is_defect_list(watch)]
        )
        self.empty_label.setText(EMPTY_TEXTS[watch])
        self.pages.setCurrentWidget(self.table if rows else self.empty_label)
        items = self.overview.count(watch) if self.overview is not None else 0
        self.count_label.setText(count_text(watch, items, len(rows)) if rows else "")
        lines = self.model.records()
        row = next((n for n, line in enumerate(lines) if line.key == keep), None)
        if lines:
            self.select_row(row if row is not None else 0)
        else:
            self._show_detail()
            self._enable_actions()

    def select_row(self, row: int) -> None:
        index = self.model.index(row, WatchColumn.TAG)
        self.table.setCurrentIndex(index)
        self.table.selectRow(row)
        self.table.scrollTo(index)
        self._show_detail()
        self._enable_actions()

    def select_item(self, item_id: int) -> bool:
        """Select the first row of the list shown about ``item_id``; whether there is one."""
        for number, line in enumerate(self.model.records()):
            if line.row.item_id == item_id:
                self.select_row(number)
                return True
        return False

    def selected_line(self) -> WatchLine | None:
        index = self.table.currentIndex()
        if not index.isValid() or self.pages.currentWidget() is not self.table:
            return None
        return self.model.record(index.row())

    def selected_row(self) -> WatchRow | None:
        """The row chosen in the table, if any."""
        line = self.selected_line()
        return line.row if line is not None else None

    def _show_detail(self) -> None:
        row = self.selected_row()
        if row is None:
            self.detail_label.setText("")
            return
        owner = self.model.row_text(row, WatchColumn.OWNER)
        what = f"{row.what}: " if row.defect_id is not None else f"{row.what}. "
        self.detail_label.setText(
            f"{row.label}, {row.category}, {row.owner} ({owner}).\n{what}"
            f"{self.model.row_text(row, WatchColumn.STANDING)}"
        )

    # What the person may do ---------------------------------------------------------------

    def _why_not(self, action: Action, row: WatchRow | None) -> str | None:
        """Why the person may not take ``action`` on ``row`` (None: they may)."""
        if row is None:
            return "Select a row first."
        return refusal(self.actor, action, agency_id=row.owner_agency_id, agency_name=row.owner)

    def _enable_actions(self) -> None:
        # For comfort only: the services refuse whoever may not act, whatever is enabled.
        row = self.selected_row()
        record = self._why_not(Action.RECORD_INSPECTION, row)
        report = self._why_not(Action.REPORT_DEFECT, row)
        if row is None or row.defect_id is None:
            clear: str | None = "Select an open defect (under Open defects or Out of service)."
        else:
            clear = self._why_not(Action.CLEAR_DEFECT, row)
        for button, why in (
            (self.record_button, record),
            (self.report_button, report),
            (self.clear_button, clear),
        ):
            button.setEnabled(self.signed_in and why is None)
            button.setToolTip(why or "")
        self.regimes_button.setEnabled(self.signed_in)
        self.read_only_label.setVisible(
            self.signed_in and not may(self.actor, Action.RECORD_INSPECTION)
        )

    # Acting -------------------------------------------------------------------------------

    def _after(self, message: str) -> None:
        # Not read yet (a change from the catalogue's menu): the first show reads it.
        if self._loaded:
            self.refresh()
        self.changed.emit(message)

    def _run_form(self, make: Callable[[], F], title: str) -> F | None:
        """Open the form ``make`` builds; once it has saved, read the lists again and say
        what it did. The form if it saved, else None; ``title`` heads a failure to open."""
        dialog = run_dialog(self, make, title)
        if dialog is None or not dialog.outcome:
            return None
        self._after(dialog.outcome)
        return dialog

    def record_inspection(
        self, item_id: int | None = None, regime_id: int | None = None
    ) -> int | None:
        """Record an inspection of ``item_id`` (by default the chosen row's item, under its
        regime) through the inspection dialog; the inspection's id, or None."""
        if item_id is None:
            row = self.selected_row()
            if row is None:
                return None
            item_id, regime_id = row.item_id, row.regime_id
        chosen = item_id
        dialog = self._run_form(
            lambda: RecordInspectionDialog(
                self._db, self.actor, chosen, regime_id=regime_id, parent=self
            ),
            "No inspection was recorded",
        )
        return None if dialog is None else dialog.saved_inspection_id

    def report_defect(self, item_id: int | None = None) -> int | None:
        """Report a defect on ``item_id`` (by default the chosen row's item); its id, or None."""
        if item_id is None:
            row = self.selected_row()
            if row is None:
                return None
            item_id = row.item_id
        chosen = item_id
        dialog = self._run_form(
            lambda: ReportDefectDialog(self._db, self.actor, chosen, parent=self),
            "No defect was reported",
        )
        return None if dialog is None else dialog.saved_defect_id

    def clear_defect(self, defect_id: int | None = None) -> bool:
        """Clear ``defect_id`` (by default the chosen row's defect); whether it was."""
        if defect_id is None:
            row = self.selected_row()
            if row is None or row.defect_id is None:
                return False
            defect_id = row.defect_id
        chosen = defect_id
        dialog = self._run_form(
            lambda: ClearDefectDialog(self._db, self.actor, chosen, parent=self),
            "The defect was not cleared",
        )
        return dialog is not None and dialog.cleared

    def edit_regimes(self) -> bool:
        """Open the inspection regimes; whether any was changed."""
        if not self.signed_in:
            return False
        row = self.selected_row()
        dialog = RegimesDialog(
            self._db, self.actor, item_id=row.item_id if row else None, parent=self
        )
        dialog.exec()
        if dialog.changed:
            self._after("Inspection regimes changed.")
        return dialog.changed

    # Reacting -----------------------------------------------------------------------------

    def _on_watch_toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self._show_list(None)

    def _on_current_row_changed(self, _current: ModelIndex, _previous: ModelIndex) -> None:
        self._show_detail()
        self._enable_actions()

    def _on_row_activated(self, index: QModelIndex) -> None:
        """Double-click or Enter: record an inspection of the row's item; on a defect's
        row, clear the defect (the list's own work) if the person may."""
        if not index.isValid():
            return
        row = self.model.record(index.row()).row
        if row.defect_id is not None and self.clear_button.isEnabled():
            self.clear_defect(row.defect_id)
        elif self.record_button.isEnabled():
            self.record_inspection(row.item_id, row.regime_id)
