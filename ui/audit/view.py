"""The Audit view: who changed what, when, with the values before and after.

Equipment managers and administrators read it; anyone else sees one sentence saying
so (the audit service refuses them regardless). Filters narrow the trail in SQL, a page
at a time, newest first; the chosen event is set out field by field beside the table;
"Export CSV…" writes every event the filters match.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QSignalBlocker,
    Qt,
)
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.audit.trail import (
    DEFAULT_PAGE_SIZE,
    AuditChoices,
    AuditPage,
    AuditQuery,
    AuditRow,
    Change,
    audit_choices,
    field_words,
    find_record_id,
    list_audit,
    parse_day,
    value_text,
    write_audit_csv,
)
from app.core.actor import Actor
from app.core.clock import today_uk
from app.core.errors import KitShareError
from app.core.permissions import Action, may, with_article
from app.storage.database import Database
from ui.widgets.layout import add_captioned, side_by_side
from ui.widgets.messages import show_error
from ui.widgets.record_model import ID_ROLE, ModelIndex, RecordTableModel, TableColumn
from ui.widgets.views import call_on, error_label, pause_timer, record_table

EVENT_ID_ROLE = ID_ROLE

EVERYONE = "Everyone"
ANY_RECORD = "Any record"
ANY_KIND = "Any kind"
NOT_PERMITTED_TEXT = "Only equipment managers and administrators can read the audit trail."
PICK_TEXT = "Select an event to see what it changed."
NO_EVENTS_TEXT = "No event matches the filters."
DATE_PLACEHOLDER = "DD/MM/YYYY"
# Typing in a filter box waits this long for the next key before asking the database.
TYPING_PAUSE_MS = 300


class AuditColumn(TableColumn):
    WHEN = "When", "00/00/0000 00:00"
    WHO = "Who", "Fran Whitmore (manager)"
    WHAT = "What", "Sharing protocol upd"
    RECORD = "Record", "Item CAMBS-DRN-000"
    CHANGES = "Changes", "Status: requested →"


COLUMN_SAMPLES = AuditColumn.samples()


def not_permitted_text(actor: Actor | None) -> str:
    """Why ``actor`` sees no audit trail, in plain words."""
    if actor is None or actor.role is None:
        return f"{NOT_PERMITTED_TEXT} No one is signed in: sign in as one to read it."
    return f"{NOT_PERMITTED_TEXT} {actor.name} is signed in as {with_article(actor.role)}."


class AuditTableModel(RecordTableModel[AuditRow]):
    """One page of audit events (a few hundred at most); the event id under
    ``EVENT_ID_ROLE``. Paging and filtering happen in SQL, not here."""

    HEADERS = AuditColumn.headers()

    def text(self, record: AuditRow, column: int) -> str:
        match AuditColumn(column):
            case AuditColumn.WHEN:
                return record.when
            case AuditColumn.WHO:
                return record.actor
            case AuditColumn.WHAT:
                return record.action_words
            case AuditColumn.RECORD:
                return record.record_label
            case AuditColumn.CHANGES:
                return record.summary

    def tooltip(self, record: AuditRow, column: int) -> str | None:
        if column == AuditColumn.WHAT:
            return f"{record.action_words} ({record.action})"
        return self.text(record, column)

    def is_bold(self, record: AuditRow, column: int) -> bool:
        return column == AuditColumn.WHAT


# -- the detail -----------------------------------------------------------------------------

STYLESHEET = """
h2 { font-size: large; font-weight: 600; margin: 0 0 2px 0; }
h3 { font-size: medium; font-weight: 600; margin-top: 16px; margin-bottom: 4px; }
td { padding: 3px 12px 3px 0; vertical-align: top; }
td.label { color: %(muted)s; }
th { text-align: left; font-weight: 600; padding: 3px 12px 3px 0; color: %(muted)s; }
.muted { color: %(muted)s; }
.before { color: %(muted)s; }
"""


def _value_html(field: str, value: Any) -> str:
    """A snapshot value as HTML: loan lines and the like one per line, each field named."""
    if value is None or value in ("", [], {}):
        return '<span class="muted">(empty)</span>'
    if isinstance(value, list) and all(isinstance(part, dict) for part in value):
        return "<br>".join(
            escape(
                ", ".join(
                    f"{field_words(name)} {value_text(name, inner)}"
                    for name, inner in part.items()
                    if inner is not None
                )
            )
            for part in value
        )
    return escape(value_text(field, value)).replace("\n", "<br>")


def _changes_html(row: AuditRow) -> str:
    if not row.changes:
        return '<p class="muted">This event records no values, only that it happened.</p>'
    if row.is_creation:
        heading = "<h3>Values recorded</h3>"
        header = "<tr><th>Field</th><th>Value</th></tr>"
        lines = "".join(
            f"<tr><td>{escape(c.field_words)}</td><td>{_value_html(c.field, c.after)}</td></tr>"
            for c in row.changes
        )
    else:
        count = len(row.changes)
        heading = f"<h3>{count} field{'s' if count != 1 else ''} changed</h3>"
        header = "<tr><th>Field</th><th>Before</th><th></th><th>After</th></tr>"
        lines = "".join(_change_line(c) for c in row.changes)
    return f'{heading}<table cellspacing="0">{header}{lines}</table>'


def _change_line(change: Change) -> str:
    return (
        f"<tr><td>{escape(change.field_words)}</td>"
        f'<td class="before">{_value_html(change.field, change.before)}</td>'
        "<td>→</td>"
        f"<td><b>{_value_html(change.field, change.after)}</b></td></tr>"
    )


def event_html(row: AuditRow) -> str:
    """One event set out for reading: the facts, then each field before and after."""
    facts = [
        ("When", f"{escape(row.when)} UK time"),
        ("Who", escape(row.actor)),
        ("Record", escape(row.record_label)),
        ("Kind", f'{escape(row.action_words)} <span class="muted">({escape(row.action)})</span>'),
    ]
    if row.note:
        facts.append(("Note", escape(row.note).replace("\n", "<br>")))
    cells = "".join(
        f'<tr><td class="label" width="70">{label}</td><td>{value}</td></tr>'
        for label, value in facts
    )
    return (
        f"<h2>{escape(row.action_words)}: {escape(row.record_label)}</h2>"
        f'<p class="muted">Event {row.id}</p>'
        f'<table cellspacing="0">{cells}</table>'
        f"{_changes_html(row)}"
    )


# -- the view -------------------------------------------------------------------------------


def ask_save_path(parent: QWidget, suggested: str) -> str | None:
    """Ask where to save the CSV; None if the person cancels."""
    path, _filter = QFileDialog.getSaveFileName(
        parent,
        "Export the audit trail",
        str(Path.home() / suggested),
        "CSV files (*.csv)",
    )
    if not path:
        return None
    return path if path.lower().endswith(".csv") else f"{path}.csv"


class AuditView(QWidget):
    """The audit trail for ``actor``: filters, a page of events, and the one chosen.

    ``choose_export_path`` asks where to save a CSV (a file dialog; tests replace it).
    """

    def __init__(self, db: Database, actor: Actor | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.actor = actor
        self.page_size = DEFAULT_PAGE_SIZE
        self.choose_export_path: Callable[[str], str | None] = lambda name: ask_save_path(
            self, name
        )
        self._query = AuditQuery(limit=self.page_size)
        self._page: AuditPage | None = None
        self._loaded = False
        self._typing = pause_timer(self, TYPING_PAUSE_MS, self._on_filter_changed)

        self._make_filters()
        self._make_table_and_detail()
        self._make_pager()
        self._lay_out()
        self._connect()
        self._show_permission()

    # Building ----------------------------------------------------------------------------

    def _make_filters(self) -> None:
        self.person_combo = QComboBox()
        self.person_combo.setObjectName("auditPerson")
        self.type_combo = QComboBox()
        self.type_combo.setObjectName("auditRecordType")
        self.record_edit = QLineEdit()
        self.record_edit.setObjectName("auditRecordNumber")
        self.record_edit.setPlaceholderText("Number")
        self.record_edit.setClearButtonEnabled(True)
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("auditKind")
        for combo in (self.person_combo, self.type_combo, self.kind_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.from_edit = QLineEdit()
        self.from_edit.setObjectName("auditFrom")
        self.to_edit = QLineEdit()
        self.to_edit.setObjectName("auditTo")
        day_width = self.fontMetrics().horizontalAdvance("00/00/00000") + 16
        for edit in (self.from_edit, self.to_edit):
            edit.setPlaceholderText(DATE_PLACEHOLDER)
            edit.setFixedWidth(day_width)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("auditSearch")
        self.search_edit.setPlaceholderText("Name or note")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("x" * 24))
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.setObjectName("auditClearFilters")
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("auditExport")
        self.export_button.setToolTip("Save every event the filters match, not just this page")
        self._fill_choices(AuditChoices(people=(), entity_types=(), actions=()))

    def _make_table_and_detail(self) -> None:
        self.error_label = error_label("auditError")

        self.model = AuditTableModel(self)
        self.table = record_table(
            "auditTable", self.model, COLUMN_SAMPLES, bold_column=AuditColumn.WHAT
        )

        self.detail = QTextBrowser()
        self.detail.setObjectName("auditDetail")
        self.detail.setFrameShape(QFrame.Shape.NoFrame)
        self.detail.document().setDocumentMargin(14)
        self.placeholder = QLabel(PICK_TEXT)
        self.placeholder.setObjectName("auditPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.refusal_label = QLabel(not_permitted_text(self.actor))
        self.refusal_label.setObjectName("auditNotPermitted")
        self.refusal_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.refusal_label.setWordWrap(True)
        self.refusal_label.setMargin(24)

    def _make_pager(self) -> None:
        self.position_label = QLabel()
        self.position_label.setObjectName("auditPosition")
        self.export_label = QLabel()
        self.export_label.setObjectName("auditExported")
        self.export_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.previous_button = QPushButton("‹ Previous")
        self.previous_button.setObjectName("auditPrevious")
        self.previous_button.setToolTip("Newer events")
        self.next_button = QPushButton("Next ›")
        self.next_button.setObjectName("auditNext")
        self.next_button.setToolTip("Older events")

    def _filter_rows(self) -> tuple[QHBoxLayout, QHBoxLayout]:
        first = QHBoxLayout()
        add_captioned(first, "&Person", self.person_combo)
        first.addSpacing(12)
        add_captioned(first, "&Record", self.type_combo)
        first.addWidget(self.record_edit)
        first.addSpacing(12)
        add_captioned(first, "&Kind", self.kind_combo)
        first.addStretch(1)

        second = QHBoxLayout()
        add_captioned(second, "&From", self.from_edit)
        add_captioned(second, "&to", self.to_edit)
        second.addSpacing(12)
        add_captioned(second, "&Search", self.search_edit)
        second.addWidget(self.clear_button)
        second.addStretch(1)
        second.addWidget(self.export_button)
        return first, second

    def _lay_out(self) -> None:
        first, second = self._filter_rows()
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.detail, 1)
        column.addWidget(self.placeholder, 1)
        self.detail.hide()

        splitter = side_by_side(
            self.table,
            right,
            stretch=(3, 2),
            sizes=(840, 440),
        )
        self.splitter = splitter

        pager = QHBoxLayout()
        pager.addWidget(self.position_label)
        pager.addSpacing(12)
        pager.addWidget(self.export_label, 1)
        pager.addWidget(self.previous_button)
        pager.addWidget(self.next_button)

        trail = QWidget()
        outer = QVBoxLayout(trail)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.setSpacing(6)
        outer.addLayout(first)
        outer.addLayout(second)
        outer.addWidget(self.error_label)
        outer.addWidget(splitter, 1)
        outer.addLayout(pager)

        self._stack = QStackedWidget()
        self._stack.addWidget(trail)
        self._stack.addWidget(self.refusal_label)
        self._trail_page = trail
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

    def _connect(self) -> None:
        for combo in (self.person_combo, self.type_combo, self.kind_combo):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        for edit in (self.record_edit, self.from_edit, self.to_edit, self.search_edit):
            edit.textChanged.connect(self._on_text_edited)
            edit.returnPressed.connect(self._on_filter_changed)
        self.clear_button.clicked.connect(self._on_clear_clicked)
        call_on(self.export_button.clicked, self.export_csv)
        self.previous_button.clicked.connect(self._on_previous_clicked)
        self.next_button.clicked.connect(self._on_next_clicked)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Events pile up while other tabs are used: read them again whenever shown.
        self.refresh()

    # Who is reading ------------------------------------------------------------------------

    @property
    def permitted(self) -> bool:
        return self.actor is not None and may(self.actor, Action.VIEW_AUDIT)

    def set_actor(self, actor: Actor | None) -> None:
        """Show the trail to ``actor`` (or the sentence saying they may not read it)."""
        self.actor = actor
        self._show_permission()
        if self.permitted and (self._loaded or self.isVisible()):
            self.refresh()

    def _show_permission(self) -> None:
        if self.permitted:
            self._stack.setCurrentWidget(self._trail_page)
            return
        # Nothing read for a manager stays on screen for the next person.
        self._page = None
        self._loaded = False
        self.model.show_rows(())
        self._show_event(None)
        self.refusal_label.setText(not_permitted_text(self.actor))
        self._stack.setCurrentWidget(self.refusal_label)

    # Reading -------------------------------------------------------------------------------

    @property
    def page(self) -> AuditPage | None:
        """The page shown, if any."""
        return self._page

    @property
    def query(self) -> AuditQuery:
        """What the filters asked for last."""
        return self._query

    def refresh(self) -> None:
        """Read the filter choices and the current page again, keeping the chosen event."""
        if not self.permitted:
            return
        try:
            choices = audit_choices(self._db)
        except KitShareError as error:
            self._show_error(error.message)
            return
        self._fill_choices(choices)
        self._loaded = True
        self._load(self._query, keep=self.selected_event_id())

    def apply_filters(self) -> bool:
        """Read the filters and show the first page they match; False if one is wrong."""
        self._typing.stop()
        try:
            query = self._query_from_filters()
        except KitShareError as error:
            self._show_error(error.message)
            return False
        return self._load(query, keep=self.selected_event_id())

    def _query_from_filters(self) -> AuditQuery:
        person = self.person_combo.currentData()
        entity_type = self.type_combo.currentData()
        action = self.kind_combo.currentData()
        user_id, actor = person if isinstance(person, tuple) else (None, None)
        return AuditQuery(
            user_id=user_id,
            actor=actor,
            entity_type=entity_type,
            entity_id=(
                find_record_id(self._db, entity_type, self.record_edit.text())
                if entity_type
                else None
            ),
            action=action,
            date_from=parse_day(self.from_edit.text(), "‘from’ date"),
            date_to=parse_day(self.to_edit.text(), "‘to’ date"),
            text=self.search_edit.text(),
            limit=self.page_size,
            offset=0,
        )

    def _load(self, query: AuditQuery, *, keep: int | None = None) -> bool:
        if self.actor is None:
            return False
        try:
            page = list_audit(self._db, query, self.actor)
            if not page.rows and page.offset > 0:
                # Fewer events than before (a narrower filter): back to the first page.
                query = replace(query, offset=0)
                page = list_audit(self._db, query, self.actor)
        except KitShareError as error:
            self._show_error(error.message)
            return False
        self.error_label.hide()
        self._query = query
        self._page = page
        self.model.show_rows(page.rows)
        self.position_label.setText(page.position_text)
        self.previous_button.setEnabled(page.has_previous)
        self.next_button.setEnabled(page.has_next)
        self.export_button.setEnabled(page.total > 0)
        self._select(keep)
        return True

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _fill_choices(self, choices: AuditChoices) -> None:
        person = self.person_combo.currentData()
        entity_type = self.type_combo.currentData()
        action = self.kind_combo.currentData()
        with (
            QSignalBlocker(self.person_combo),
            QSignalBlocker(self.type_combo),
            QSignalBlocker(self.kind_combo),
        ):
            self.person_combo.clear()
            self.person_combo.addItem(EVERYONE, None)
            for person_choice in choices.people:
                self.person_combo.addItem(
                    person_choice.label, (person_choice.user_id, person_choice.actor)
                )
            self.type_combo.clear()
            self.type_combo.addItem(ANY_RECORD, None)
            for choice in choices.entity_types:
                self.type_combo.addItem(choice.label, choice.value)
            self.kind_combo.clear()
            self.kind_combo.addItem(ANY_KIND, None)
            family = ""
            for choice in choices.actions:
                if choice.value.endswith("."):
                    family = choice.value
                    self.kind_combo.addItem(choice.label, choice.value)
                else:
                    # Members of a family sit under its "Any … event".
                    indent = "    " if family and choice.value.startswith(family) else ""
                    self.kind_combo.addItem(f"{indent}{choice.label}", choice.value)
            for combo, value in (
                (self.person_combo, person),
                (self.type_combo, entity_type),
                (self.kind_combo, action),
            ):
                combo.setCurrentIndex(max(combo.findData(value), 0))
        self._enable_record_number()

    def _enable_record_number(self) -> None:
        entity_type = self.type_combo.currentData()
        self.record_edit.setEnabled(entity_type is not None)
        if entity_type == "equipment_item":
            self.record_edit.setPlaceholderText("Number or asset tag")
        elif entity_type == "app_user":
            self.record_edit.setPlaceholderText("Number or user name")
        else:
            self.record_edit.setPlaceholderText("Number")
        self.record_edit.setToolTip("" if entity_type else "Choose a kind of record first")

    # The chosen event ----------------------------------------------------------------------

    def selected_event_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.record(index.row()).id if index.isValid() else None

    def selected_event(self) -> AuditRow | None:
        index = self.table.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def select_event(self, event_id: int) -> bool:
        """Choose ``event_id`` if it is on the page shown."""
        if self.model.row_of(event_id) is None:
            return False
        self._select(event_id)
        return True

    def detail_text(self) -> str:
        """What a person can read beside the table now."""
        if self.detail.isHidden():
            return self.placeholder.text()
        return self.detail.toPlainText()

    def _select(self, event_id: int | None) -> None:
        row = self.model.row_of(event_id) if event_id is not None else None
        if row is None and self.model.rowCount():
            row = 0
        if row is None:
            self.table.setCurrentIndex(QModelIndex())
            self._show_event(None)
            return
        index = self.model.index(row, AuditColumn.WHEN)
        if self.table.currentIndex().row() == row:
            self._show_event(self.model.record(row))
        else:
            self.table.setCurrentIndex(index)
        self.table.selectRow(row)
        self.table.scrollTo(index)

    def _show_event(self, row: AuditRow | None) -> None:
        if row is None:
            self.detail.clear()
            self.detail.hide()
            self.placeholder.setText(
                PICK_TEXT if self.model.rowCount() or self._page is None else NO_EVENTS_TEXT
            )
            self.placeholder.show()
            return
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
        self.detail.document().setDefaultStyleSheet(STYLESHEET % {"muted": muted})
        self.detail.setHtml(event_html(row))
        self.placeholder.hide()
        self.detail.show()

    # Export ----------------------------------------------------------------------------------

    def export_csv(self, path: str | Path | None = None) -> int | None:
        """Write every event the filters match to ``path`` (asked for if not given);
        how many were written, or None if cancelled or refused."""
        if self.actor is None:
            return None
        if path is None:
            path = self.choose_export_path(f"audit-{today_uk():%Y-%m-%d}.csv")
            if not path:
                return None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            written = write_audit_csv(self._db, self._query, self.actor, path)
        except KitShareError as error:
            QApplication.restoreOverrideCursor()
            show_error(self, error, "The audit trail was not exported")
            return None
        QApplication.restoreOverrideCursor()
        noun = "event" if written == 1 else "events"
        self.export_label.setText(f"Exported {written:,} {noun} to {path}.")
        return written

    # Reacting ------------------------------------------------------------------------------

    def _on_filter_changed(self, *_args: object) -> None:
        self._enable_record_number()
        self.export_label.clear()
        self.apply_filters()

    def _on_text_edited(self, _text: str) -> None:
        self._typing.start()

    def _on_clear_clicked(self) -> None:
        with (
            QSignalBlocker(self.person_combo),
            QSignalBlocker(self.type_combo),
            QSignalBlocker(self.kind_combo),
        ):
            for combo in (self.person_combo, self.type_combo, self.kind_combo):
                combo.setCurrentIndex(0)
        for edit in (self.record_edit, self.from_edit, self.to_edit, self.search_edit):
            with QSignalBlocker(edit):
                edit.clear()
        self._on_filter_changed()

    def _turn_page(self, step: int) -> None:
        offset = max(self._query.offset + step * self._query.limit, 0)
        self._load(replace(self._query, offset=offset))

    def _on_previous_clicked(self) -> None:
        self._turn_page(-1)

    def _on_next_clicked(self) -> None:
        self._turn_page(1)

    def _on_current_row_changed(self, current: ModelIndex, _previous: ModelIndex) -> None:
        self._show_event(self.model.record(current.row()) if current.isValid() else None)
