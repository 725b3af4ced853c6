"""The Agreements view: the MoU register and its sharing protocols.

Everyone reads it: every version of every MoU in a table, and the chosen version in
full beside it, set out as a document. An administrator signed in to the window may add and
change MoUs and protocols; the register service refuses anyone else regardless, so the
buttons being enabled is a comfort, not the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial
from html import escape

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSignalBlocker,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QIcon,
    QPalette,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.agreements.reading import MouRow, MouView, ProtocolView, get_mou, list_mous
from app.agreements.status import MouStatus
from app.agreements.versions import new_version
from app.core.actor import Actor
from app.core.clock import format_date, format_hours
from app.core.errors import KitShareError
from app.core.permissions import Action, may, with_article
from app.storage.database import Database
from ui.agreements.mou_dialog import MouDialog
from ui.agreements.protocol_dialog import ProtocolDialog
from ui.catalogue.item_panel import badge
from ui.widgets.layout import add_captioned, side_by_side
from ui.widgets.messages import confirm, show_error
from ui.widgets.palette import (
    CLOSED,
    DUE,
    INFO,
    OK,
    ON_COLOUR,
    QUIET_STYLE,
    READY_STYLE,
    REFUSED,
    dot_icon,
)
from ui.widgets.record_model import ID_ROLE, RecordTableModel, TableColumn
from ui.widgets.views import call_on, error_label, record_table

ModelIndex = QModelIndex | QPersistentModelIndex

MOU_ID_ROLE = ID_ROLE

# Words always go with the colour, so the status reads in greyscale too.
STATUS_COLOURS = {
    MouStatus.IN_FORCE: OK,
    MouStatus.REVIEW_DUE: DUE,
    MouStatus.NOT_YET_IN_FORCE: INFO,
    MouStatus.DRAFT: INFO,
    MouStatus.EXPIRED: REFUSED,
    MouStatus.SUPERSEDED: CLOSED,
}
ALL_STATUSES = "All statuses"
READ_ONLY_TEXT = "Read only. Only an administrator can change the register."


def read_only_text(actor: Actor | None) -> str:
    """Why the register cannot be changed here, naming who is signed in."""
    if actor is None or actor.role is None:
        return READ_ONLY_TEXT
    return (
        f"Read only: you are signed in as {with_article(actor.role)}. Only an administrator "
        "can change the register; switch user (File menu) to sign in as one."
    )


NO_MOUS_TEXT = "The register holds no MoUs yet."
NO_MATCH_TEXT = "No MoU matches the search."
PICK_TEXT = "Select an MoU to read it in full."
# The bar's colours are set explicitly, so it reads the same on any palette.
READ_ONLY_BAR = QUIET_STYLE
SIGNED_IN_BAR = READY_STYLE


class MouColumn(TableColumn):
    # Widths from sample text, so they follow the font; long titles and party lists elide,
    # with the whole text in the tooltip and the document beside the table.
    REFERENCE = "Reference", "NFRS-CFRS-MOU-2025-02"
    VERSION = "Version", "Version"
    TITLE = "Title", "Cambridgeshire Sp"
    PARTIES = "Parties", "Cambridgeshire"
    # The dot takes about as much room as two letters.
    STATUS = "Status", "MM Review due"
    EFFECTIVE = "Effective", "00/00/0000"
    REVIEW = "Review", "00/00/0000"
    EXPIRES = "Expires", "00/00/0000"


COLUMN_SAMPLES = MouColumn.samples()


def status_text(status: MouStatus) -> str:
    return status.value


def row_matches(row: MouRow, text: str, status: MouStatus | None) -> bool:
    """Whether ``row`` passes the filter: any word of ``text`` in its reference, title or
    parties (any case), and ``status`` if one is chosen."""
    if status is not None and row.status is not status:
        return False
    haystack = " ".join((row.reference, f"v{row.version}", row.title, *row.parties)).casefold()
    return all(word in haystack for word in text.casefold().split())


class MouTableModel(RecordTableModel[MouRow]):
    """Read-only rows of ``MouRow``, narrowed by a search text and a status.

    The register holds tens of versions, not thousands, so the model keeps them all and
    filters in memory; the MoU's id is under ``MOU_ID_ROLE``.
    """

    HEADERS = MouColumn.headers()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[MouRow] = []
        self._text = ""
        self._status: MouStatus | None = None

    @property
    def total(self) -> int:
        """How many versions the register holds, whatever the filter."""
        return len(self._all)

    def show_rows(self, rows: Sequence[MouRow]) -> None:
        self._all = list(rows)
        super().show_rows(self._filtered())

    def set_filter(self, text: str, status: MouStatus | None) -> None:
        self._text = text
        self._status = status
        super().show_rows(self._filtered())

    def _filtered(self) -> list[MouRow]:
        return [row for row in self._all if row_matches(row, self._text, self._status)]

    def text(self, record: MouRow, column: int) -> str:
        which = MouColumn(column)
        if which is MouColumn.REFERENCE:
            return record.reference
        if which is MouColumn.VERSION:
            return str(record.version)
        if which is MouColumn.TITLE:
            return record.title
        if which is MouColumn.PARTIES:
            return ", ".join(record.parties)
        if which is MouColumn.STATUS:
            return status_text(record.status)
        if which is MouColumn.EFFECTIVE:
            return format_date(record.effective_from)
        if which is MouColumn.REVIEW:
            return format_date(record.review_on)
        return format_date(record.expires_on)

    def tooltip(self, record: MouRow, column: int) -> str | None:
        if column == MouColumn.PARTIES:
            if not record.parties:
                return "No parties yet"
            lead, *others = record.parties
            return "\n".join([f"{lead} (lead party)", *others])
        if column == MouColumn.VERSION:
            return f"{record.reference} version {record.version}"
        return self.text(record, column)

    def alignment(self, column: int) -> Qt.AlignmentFlag | None:
        return Qt.AlignmentFlag.AlignCenter if column == MouColumn.VERSION else None

    def colour(self, record: MouRow, column: int) -> str | None:
        return STATUS_COLOURS[record.status] if column == MouColumn.STATUS else None

    def is_bold(self, record: MouRow, column: int) -> bool:
        return column == MouColumn.STATUS

    def decoration(self, record: MouRow, column: int) -> QIcon | None:
        return dot_icon(STATUS_COLOURS[record.status]) if column == MouColumn.STATUS else None


# -- the document -------------------------------------------------------------------------

STYLESHEET = """
h1 { font-size: x-large; font-weight: 600; margin: 0; }
h2 { font-size: large; font-weight: 600; margin-top: 22px; margin-bottom: 6px; }
h3 { font-size: medium; font-weight: 600; margin-top: 14px; margin-bottom: 4px; }
p { margin-top: 3px; margin-bottom: 6px; }
td { padding: 3px 14px 3px 0; vertical-align: top; }
td.label { color: %(muted)s; }
th { text-align: left; font-weight: 600; padding: 3px 14px 3px 0; color: %(muted)s; }
.muted { color: %(muted)s; }
.badge { color: %(on_colour)s; font-weight: 600; }
p.clause { margin-left: 22px; margin-top: 2px; margin-bottom: 6px; }
p.signatory { margin-top: 2px; margin-bottom: 8px; }
"""


def paragraphs(text: str, css_class: str = "") -> str:
    """``text`` as paragraphs, split on blank lines; a single line break stays one."""
    attribute = f' class="{css_class}"' if css_class else ""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(
        f"<p{attribute}>{'<br>'.join(escape(line) for line in block.splitlines())}</p>"
        for block in blocks
        if block
    )


def _facts(rows: Sequence[tuple[str, str]]) -> str:
    """Label and value pairs; values are HTML the caller has already escaped."""
    cells = "".join(
        f'<tr><td class="label" width="130">{escape(label)}</td><td>{value}</td></tr>'
        for label, value in rows
    )
    return f'<table cellspacing="0">{cells}</table>'


def _date_or(value: date | None, none: str = "Not set") -> str:
    if value is not None:
        return escape(format_date(value))
    return f'<span class="muted">{escape(none)}</span>'


def _names(names: Sequence[str], none: str) -> str:
    if not names:
        return f'<span class="muted">{escape(none)}</span>'
    return escape(", ".join(names))


def loan_count_text(count: int) -> str:
    if count == 0:
        return "No loans have been made under this version."
    if count == 1:
        return "1 loan has been made under this version."
    return f"{count} loans have been made under this version."


def status_badge(status: MouStatus) -> str:
    return badge(status_text(status), STATUS_COLOURS[status])


def mou_html(view: MouView, *, editable: bool = False) -> str:
    """The document for one version; every value from the database is escaped.

    With ``editable``, each protocol carries an "Edit" link (``protocol:<id>``).
    """
    parts = [
        f"<h1>{escape(view.title)}</h1>",
        f'<p class="muted">{escape(view.reference)} · Version {view.version}</p>',
        f"<p>{status_badge(view.status)}</p>",
    ]
    lineage = []
    if view.supersedes is not None:
        old_id, old_version = view.supersedes
        lineage.append(("Supersedes", f'<a href="mou:{old_id}">Version {old_version}</a>'))
    if view.superseded_by is not None:
        new_id, new_version_number = view.superseded_by
        lineage.append(
            ("Superseded by", f'<a href="mou:{new_id}">Version {new_version_number}</a>')
        )
    dates = [
        ("Signed", _date_or(view.signed_on, "Not signed" if view.is_draft else "Not recorded")),
        ("Effective from", _date_or(view.effective_from)),
        ("Review by", _date_or(view.review_on)),
        ("Expires", _date_or(view.expires_on, "No expiry date")),
    ]
    if view.terminated_on is not None:
        dates.append(("Terminated", _date_or(view.terminated_on)))
    parts.append(_facts([*dates, *lineage, ("Loans", escape(loan_count_text(view.loan_count)))]))

    parts.append("<h2>Parties</h2>")
    if view.parties:
        items = "".join(
            f"<li>{escape(party.name)}"
            + (' <span class="muted">(lead party)</span>' if n == 0 else "")
            + "</li>"
            for n, party in enumerate(view.parties)
        )
        parts.append(f"<ol>{items}</ol>")
    else:
        parts.append('<p class="muted">No parties yet.</p>')

    parts.append("<h2>Signatories</h2>")
    if view.signatories:
        # One block per signatory rather than a grid: the document is narrow, and a grid
        # of four columns wrapped agency names into towers.
        parts.extend(
            '<p class="signatory">'
            f"<b>{escape(s.name)}</b>, {escape(s.role_title)}<br>"
            f'<span class="muted">for</span> {escape(s.agency)}'
            f'&nbsp;&nbsp;·&nbsp;&nbsp;<span class="muted">signed</span> '
            f"{_date_or(s.signed_on, 'not yet')}</p>"
            for s in view.signatories
        )
    else:
        parts.append('<p class="muted">No signatories yet.</p>')

    for heading, text in (("Purpose", view.purpose), ("Scope", view.scope)):
        parts.append(f"<h2>{heading}</h2>")
        parts.append(paragraphs(text) or '<p class="muted">Not written yet.</p>')

    parts.append("<h2>Clauses</h2>")
    if not view.clauses:
        parts.append('<p class="muted">No clauses yet.</p>')
    for clause in view.clauses:
        number = f"{escape(clause.number)}.&nbsp;&nbsp;" if clause.number else ""
        parts.append(f"<h3>{number}{escape(clause.heading)}</h3>")
        parts.append(paragraphs(clause.body, "clause"))

    parts.append("<h2>Sharing protocols</h2>")
    if not view.protocols:
        parts.append('<p class="muted">No sharing protocols under this version.</p>')
    for protocol in view.protocols:
        parts.append(protocol_html(protocol, editable=editable))
    return "\n".join(parts)


def protocol_html(protocol: ProtocolView, *, editable: bool = False) -> str:
    badges = [
        badge("Active", STATUS_COLOURS[MouStatus.IN_FORCE])
        if protocol.is_active
        else badge("Not active", STATUS_COLOURS[MouStatus.SUPERSEDED])
    ]
    if protocol.emergency_only:
        badges.append(badge("Emergency only", STATUS_COLOURS[MouStatus.EXPIRED]))
    edit = f'&nbsp;&nbsp;<a href="protocol:{protocol.id}">Edit…</a>' if editable else ""
    items = [f"{tag} {name}" for _id, tag, name in protocol.items]
    facts = [
        ("Who may borrow", _names([p.name for p in protocol.borrowers], "No agency named")),
        ("Categories", _names([name for _id, name in protocol.categories], "None")),
        ("Items", _names(items, "None named")),
        ("Approved by", escape(protocol.approver)),
        ("Notice needed", escape(format_hours(protocol.notice_hours) or "None")),
        ("Longest loan", escape(format_hours(protocol.max_loan_hours))),
        (
            "Competence required",
            _names([name for _id, name in protocol.qualifications], "None"),
        ),
        ("Charging", escape(protocol.charging_text)),
    ]
    parts = [
        f"<h3>{escape(protocol.name)}{edit}</h3>",
        f"<p>{'&nbsp;&nbsp;'.join(badges)}</p>",
        _facts(facts),
    ]
    for heading, text in (
        ("Conditions of use", protocol.use_conditions),
        ("Protocol", protocol.protocol_text),
        ("Data", protocol.data_terms),
    ):
        if text.strip():
            parts.append(f"<p><b>{heading}</b></p>")
            parts.append(paragraphs(text))
    return "\n".join(parts)


# -- the view -----------------------------------------------------------------------------


class AgreementsView(QWidget):
    """The MoU register: a filterable table of versions and the chosen one in full.

    Holds the administrator who signed in here (``actor``) and passes only them to the
    register's edits; says ``register_changed`` after every edit that succeeded.
    """

    register_changed = Signal()
    """An MoU or protocol was added or changed here."""
    actor_changed = Signal()
    """An administrator signed in or out of this view."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.actor: Actor | None = None
        self._shown: MouView | None = None
        self._loaded = False

        self._make_bar_and_filters()
        self._make_edit_buttons()
        self._make_table_and_document()
        self._lay_out()
        self._show_actor()
        self._connect()

    def _make_bar_and_filters(self) -> None:
        self.admin_bar = QFrame()
        self.admin_bar.setObjectName("registerAdminBar")
        self.admin_label = QLabel(READ_ONLY_TEXT)
        self.admin_label.setObjectName("registerAdminLabel")
        self.admin_label.setWordWrap(True)

        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("registerSearch")
        self.search_edit.setPlaceholderText("Reference, title or party")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("x" * 30))
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("registerStatusFilter")
        self.status_combo.addItem(ALL_STATUSES, None)
        for status in MouStatus:
            self.status_combo.addItem(status_text(status), status)

    def _make_edit_buttons(self) -> None:
        self.new_mou_button = QPushButton("New MoU…")
        self.new_mou_button.setObjectName("newMou")
        self.edit_mou_button = QPushButton("Edit…")
        self.edit_mou_button.setObjectName("editMou")
        self.new_version_button = QPushButton("New version…")
        self.new_version_button.setObjectName("newMouVersion")
        self.new_protocol_button = QPushButton("New protocol…")
        self.new_protocol_button.setObjectName("newProtocol")
        self.edit_protocol_button = QPushButton("Edit protocol…")
        self.edit_protocol_button.setObjectName("editProtocol")
        self.protocol_menu = QMenu(self)
        self.edit_protocol_button.setMenu(self.protocol_menu)

    def _make_table_and_document(self) -> None:
        self.error_label = error_label("registerError", STATUS_COLOURS[MouStatus.EXPIRED])

        self.model = MouTableModel(self)
        self.table = record_table(
            "mouTable", self.model, COLUMN_SAMPLES, bold_column=MouColumn.STATUS
        )

        self.browser = QTextBrowser()
        self.browser.setObjectName("mouDocument")
        self.browser.setOpenLinks(False)
        self.browser.setFrameShape(QFrame.Shape.NoFrame)
        self.browser.document().setDocumentMargin(18)
        self.placeholder = QLabel(PICK_TEXT)
        self.placeholder.setObjectName("mouPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setForegroundRole(QPalette.ColorRole.PlaceholderText)

    def _lay_out(self) -> None:
        bar = QHBoxLayout(self.admin_bar)
        bar.setContentsMargins(12, 6, 8, 6)
        bar.addWidget(self.admin_label, 1)

        tools = QHBoxLayout()
        tools.setContentsMargins(8, 6, 8, 0)
        add_captioned(tools, "&Search", self.search_edit)
        tools.addSpacing(12)
        add_captioned(tools, "S&tatus", self.status_combo)
        tools.addStretch(1)
        for button in self.edit_buttons():
            tools.addWidget(button)

        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.browser, 1)
        column.addWidget(self.placeholder, 1)
        self.placeholder.hide()

        # Room for every column of the table at 1280 pixels; the document reads well in
        # what is left, and the splitter moves for anyone who wants more of it.
        splitter = side_by_side(
            self.table,
            right,
            stretch=(3, 2),
            sizes=(self._table_width(), 1280 - self._table_width()),
        )
        self.splitter = splitter

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        outer.addWidget(self.admin_bar)
        outer.addLayout(tools)
        outer.addWidget(self.error_label)
        outer.addWidget(splitter, 1)

    def _table_width(self) -> int:
        header = self.table.horizontalHeader()
        columns = sum(header.sectionSize(column) for column in MouColumn)
        return columns + self.table.verticalScrollBar().sizeHint().width() + 4

    def _connect(self) -> None:
        self.search_edit.textChanged.connect(self._on_filter_changed)
        self.status_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.browser.anchorClicked.connect(self._on_anchor_clicked)
        call_on(self.new_mou_button.clicked, self.new_mou)
        call_on(self.edit_mou_button.clicked, self.edit_mou)
        call_on(self.new_version_button.clicked, self.start_new_version)
        call_on(self.new_protocol_button.clicked, self.new_protocol)

    def edit_buttons(self) -> list[QPushButton]:
        """The buttons that change the register, in the order they are shown."""
        return [
            self.new_mou_button,
            self.edit_mou_button,
            self.new_version_button,
            self.new_protocol_button,
            self.edit_protocol_button,
        ]

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # The register is read when the tab is first shown, not when the window opens.
        if not self._loaded:
            self.refresh()

    # What is shown ------------------------------------------------------------------------

    @property
    def shown_mou(self) -> MouView | None:
        """The version shown in full, if any."""
        return self._shown

    def refresh(self) -> None:
        """Read the register again, keeping the selected version if it is still listed."""
        self._loaded = True
        keep = self.selected_mou_id()
        try:
            rows = list_mous(self._db)
        except KitShareError as error:
            self.error_label.setText(error.message)
            self.error_label.show()
            return
        self.error_label.hide()
        self.model.show_rows(rows)
        self._select(keep)

    def selected_mou_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.record_id(index.row()) if index.isValid() else None

    def select_mou(self, mou_id: int) -> bool:
        """Select ``mou_id`` and show it, clearing the filter if it hides it."""
        if self.model.row_of(mou_id) is None:
            with QSignalBlocker(self.search_edit), QSignalBlocker(self.status_combo):
                self.search_edit.clear()
                self.status_combo.setCurrentIndex(0)
            self.model.set_filter("", None)
        row = self.model.row_of(mou_id)
        if row is None:
            return False
        self._select(mou_id)
        return True

    def document_text(self) -> str:
        """What a person can read beside the table now."""
        if self.placeholder.isVisible() or self._shown is None:
            return self.placeholder.text()
        return self.browser.toPlainText()

    def _select(self, mou_id: int | None) -> None:
        row = self.model.row_of(mou_id) if mou_id is not None else None
        if row is None and self.model.rowCount():
            row = 0
        if row is None:
            self.table.clearSelection()
            self.table.setCurrentIndex(QModelIndex())
            self._show_mou(None)
            return
        index = self.model.index(row, MouColumn.REFERENCE)
        if self.table.currentIndex().row() == row:
            self._show_mou(self.model.record_id(row))
        else:
            self.table.setCurrentIndex(index)
        self.table.selectRow(row)
        self.table.scrollTo(index)

    def _show_mou(self, mou_id: int | None) -> None:
        view = None
        if mou_id is not None:
            try:
                view = get_mou(self._db, mou_id)
            except KitShareError as error:
                self._shown = None
                self._show_placeholder(error.message)
                self._enable_edits()
                return
        self._shown = view
        if view is None:
            self._show_placeholder(
                PICK_TEXT
                if self.model.rowCount()
                else (NO_MATCH_TEXT if self.model.total else NO_MOUS_TEXT)
            )
        else:
            muted = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
            self.browser.document().setDefaultStyleSheet(
                STYLESHEET % {"muted": muted, "on_colour": ON_COLOUR}
            )
            self.browser.setHtml(mou_html(view, editable=self.signed_in))
            self.placeholder.hide()
            self.browser.show()
        self._fill_protocol_menu()
        self._enable_edits()

    def _show_placeholder(self, text: str) -> None:
        self.placeholder.setText(text)
        self.browser.clear()
        self.browser.hide()
        self.placeholder.show()

    def _fill_protocol_menu(self) -> None:
        self.protocol_menu.clear()
        for protocol in self._shown.protocols if self._shown else ():
            action = QAction(protocol.name, self.protocol_menu)
            action.triggered.connect(partial(self._on_protocol_action_triggered, protocol.id))
            self.protocol_menu.addAction(action)

    # Who is signed in ----------------------------------------------------------------------

    @property
    def signed_in(self) -> bool:
        """Whether someone who may change the register is signed in."""
        return self.editor is not None

    @property
    def editor(self) -> Actor | None:
        """Who is signed in, if they may change the register; None when it is read only."""
        actor = self.actor
        return actor if actor is not None and may(actor, Action.EDIT_REGISTER) else None

    def set_actor(self, actor: Actor | None) -> None:
        """Who is signed in: an administrator may change the register from this view."""
        self.actor = actor
        self._show_actor()
        self.actor_changed.emit()

    def _show_actor(self) -> None:
        if self.signed_in:
            assert self.actor is not None
            self.admin_label.setText(
                f"Signed in as {self.actor.name}, administrator. "
                "Your changes are audited in your name."
            )
            colours = SIGNED_IN_BAR
        else:
            self.admin_label.setText(read_only_text(self.actor))
            colours = READ_ONLY_BAR
        text, background, border = colours
        self.admin_bar.setStyleSheet(
            f"QFrame#registerAdminBar {{ background: {background}; "
            f"border-bottom: 1px solid {border}; }}"
            f"QFrame#registerAdminBar QLabel {{ color: {text}; }}"
        )
        if self._shown is not None:
            self._show_mou(self._shown.id)
        else:
            self._enable_edits()

    def _enable_edits(self) -> None:
        # For comfort only: the register refuses anyone but an administrator regardless,
        # and refuses a new version of a draft or of a version that already has one.
        shown = self._shown
        if not self.signed_in:
            for button in self.edit_buttons():
                button.setEnabled(False)
                button.setToolTip(read_only_text(self.actor))
            return
        self.new_mou_button.setEnabled(True)
        self.edit_mou_button.setEnabled(shown is not None)
        self.new_protocol_button.setEnabled(shown is not None)
        self.edit_protocol_button.setEnabled(shown is not None and bool(shown.protocols))
        for button in self.edit_buttons():
            button.setToolTip("")
        if shown is None:
            self.new_version_button.setEnabled(False)
        elif shown.is_draft:
            self.new_version_button.setEnabled(False)
            self.new_version_button.setToolTip(
                f"Version {shown.version} is still a draft: sign it before starting the next."
            )
        elif shown.superseded_by is not None:
            self.new_version_button.setEnabled(False)
            self.new_version_button.setToolTip(
                f"Version {shown.superseded_by[1]} already follows this one."
            )
        else:
            self.new_version_button.setEnabled(True)

    # Editing -------------------------------------------------------------------------------

    def new_mou(self) -> int | None:
        """Add an MoU through its dialog; the new version's id, or None."""
        if self.editor is None:
            return None
        return self._after_mou_saved(MouDialog(self._db, self.editor, None, parent=self))

    def edit_mou(self, mou_id: int | None = None) -> int | None:
        """Edit ``mou_id`` (by default the selected version) through its dialog."""
        mou_id = mou_id if mou_id is not None else self.selected_mou_id()
        if self.editor is None or mou_id is None:
            return None
        try:
            dialog = MouDialog(self._db, self.editor, mou_id, parent=self)
        except KitShareError as error:
            show_error(self, error, "The MoU cannot be edited")
            return None
        return self._after_mou_saved(dialog)

    def _after_mou_saved(self, dialog: MouDialog) -> int | None:
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.saved_mou_id is None:
            return None
        self.refresh()
        self.select_mou(dialog.saved_mou_id)
        self.register_changed.emit()
        return dialog.saved_mou_id

    def start_new_version(self) -> int | None:
        """After a yes, start the next version of the selected MoU as a draft, select it
        and open its editor; the new version's id, or None."""
        shown = self._shown
        editor = self.editor
        if editor is None or shown is None:
            return None
        if not confirm(
            self,
            "Start a new version",
            f"Start version {shown.version + 1} of {shown.reference} as a draft copy? "
            f"Version {shown.version} stays in force until version {shown.version + 1} is "
            "signed and takes effect.",
        ):
            return None
        try:
            new_id = new_version(self._db, shown.id, editor)
        except KitShareError as error:
            show_error(self, error, "No new version was started")
            return None
        self.refresh()
        self.select_mou(new_id)
        self.register_changed.emit()
        self.edit_mou(new_id)
        return new_id

    def new_protocol(self) -> int | None:
        """Add a sharing protocol under the selected version; its id, or None."""
        if not self.signed_in or self._shown is None:
            return None
        return self._run_protocol_dialog(self._shown.id, None)

    def edit_protocol(self, protocol_id: int) -> int | None:
        """Edit a protocol of the selected version; its id once saved, or None."""
        if not self.signed_in or self._shown is None:
            return None
        return self._run_protocol_dialog(self._shown.id, protocol_id)

    def _run_protocol_dialog(self, mou_id: int, protocol_id: int | None) -> int | None:
        assert self.editor is not None
        try:
            dialog = ProtocolDialog(self._db, self.editor, mou_id, protocol_id, parent=self)
        except KitShareError as error:
            show_error(self, error, "The protocol cannot be edited")
            return None
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.saved_protocol_id is None:
            return None
        self.refresh()
        self.select_mou(mou_id)
        self.register_changed.emit()
        return dialog.saved_protocol_id

    # Reacting -----------------------------------------------------------------------------

    def _on_filter_changed(self, *_args: object) -> None:
        keep = self.selected_mou_id()
        status = self.status_combo.currentData()
        self.model.set_filter(
            self.search_edit.text(), status if isinstance(status, MouStatus) else None
        )
        self._select(keep)

    def _on_current_row_changed(self, current: ModelIndex, _previous: ModelIndex) -> None:
        self._show_mou(self.model.record_id(current.row()) if current.isValid() else None)

    def _on_anchor_clicked(self, url: QUrl) -> None:
        kind, _, number = url.toString().partition(":")
        if not number.isdigit():
            return
        if kind == "mou":
            self.select_mou(int(number))
        elif kind == "protocol":
            self.edit_protocol(int(number))

    def _on_protocol_action_triggered(self, protocol_id: int, _checked: bool = False) -> None:
        self.edit_protocol(protocol_id)
