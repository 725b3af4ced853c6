"""The station's outbox: what was logged while the server could not be reached, what the
server made of it, and a way to resolve what it refused (``app.loans.outbox``)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.actor import Actor
from app.core.errors import DomainError, KitShareError
from app.loans.drafts import LoanWish
from app.loans.outbox import (
    ISSUE,
    IssueEntry,
    cancel_entry,
    describe,
    issue_of,
    outbox_rows_or_none,
    send_again,
    send_waiting,
)
from app.loans.receipts import refused_entries
from app.storage.database import Database
from app.storage.station_outbox import OPEN_STATES, REFUSED, Outbox, OutboxRow
from ui.loans.forms import EmergencyIssueDialog
from ui.widgets.layout import muted
from ui.widgets.messages import show_error

TITLE = "Station outbox"
INTRO = (
    "What this station logged while it could not reach the server. Waiting entries are "
    "sent by themselves, in order, once the server is back; what the server refused "
    "waits here until it is sent again or cancelled with a reason."
)


class ResendIssueDialog(EmergencyIssueDialog):
    """The emergency form, filled in from a refused entry, to change and send again: the
    kit it names, or a free item standing in for it, another borrower, a shorter loan."""

    TITLE = "Change and send again (logged offline)"
    OK_TEXT = "Send again"

    def __init__(
        self, db: Database, actor: Actor, outbox: Outbox, row: OutboxRow, parent: QWidget
    ) -> None:
        entry = issue_of(row)
        draft = entry.draft
        line = draft.lines[0]
        wish = None
        if draft.starts_at is not None and draft.due_at is not None:
            wish = LoanWish(draft.starts_at, draft.due_at, line.quantity)
        self._outbox = outbox
        self._row = row
        super().__init__(db, actor, line.item_id, parent, wish=wish)
        self.borrower_combo.choose(draft.borrower_agency_id)
        self.people.operator.choose(entry.handover.operator_id)
        self.purpose_edit.setText(draft.purpose)
        self.input_changed()

    def save(self) -> None:
        after = send_again(
            self._db,
            self._outbox,
            self._row.id,
            issue=IssueEntry(self.draft(), self.handover()),
        )
        if after.state == REFUSED:
            raise DomainError(f"The server refused it again: {after.refusal}")
        self.loan_id = after.loan_id


class OutboxDialog(QDialog):
    """Every entry of the outbox, newest last, with what can be done about each."""

    def __init__(self, db: Database, outbox: Outbox, actor: Actor, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.resize(760, 460)
        self._db = db
        self._outbox = outbox
        self._actor = actor
        self.changed = False
        layout = QVBoxLayout(self)
        intro = muted(INTRO)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.entries = QListWidget()
        self.entries.setObjectName("outboxEntries")
        self.entries.setWordWrap(True)
        self.entries.currentItemChanged.connect(self._enable)
        layout.addWidget(self.entries, 1)
        self.elsewhere_label = QLabel("Refused at other stations, of your agency's kit:")
        self.elsewhere = QListWidget()
        self.elsewhere.setWordWrap(True)
        layout.addWidget(self.elsewhere_label)
        layout.addWidget(self.elsewhere)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.send_button = QPushButton("&Send now")
        self.edit_button = QPushButton("Change and send &again…")
        self.resend_button = QPushButton("Send a&gain")
        self.cancel_button = QPushButton("&Cancel entry…")
        for button in (self.send_button, self.edit_button, self.resend_button, self.cancel_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            button.setAutoDefault(False)
        self.send_button.clicked.connect(self.send_now)
        self.edit_button.clicked.connect(self.change_and_send)
        self.resend_button.clicked.connect(self.send_selected_again)
        self.cancel_button.clicked.connect(self.cancel_selected)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        chosen = self.selected()
        self.entries.clear()
        try:
            rows = self._outbox.rows()
        except KitShareError as error:
            rows = []
            self.entries.addItem(QListWidgetItem(error.message))
        for row in rows:
            item = QListWidgetItem(describe(row))
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.entries.addItem(item)
            if chosen is not None and row.id == chosen.id:
                self.entries.setCurrentItem(item)
        if not rows and self.entries.count() == 0:
            self.entries.addItem(QListWidgetItem("Nothing was logged offline at this station."))
        if self.entries.currentItem() is None and rows:
            open_rows = [n for n, row in enumerate(rows) if row.state in OPEN_STATES]
            self.entries.setCurrentRow(open_rows[0] if open_rows else len(rows) - 1)
        others = []
        if not self._db.offline:
            try:
                others = refused_entries(self._db, self._actor)
            except KitShareError:
                others = []
        self.elsewhere.clear()
        for entry in others:
            self.elsewhere.addItem(QListWidgetItem(entry.sentence))
        self.elsewhere.setVisible(bool(others))
        self.elsewhere_label.setVisible(bool(others))
        self._enable()

    def selected(self) -> OutboxRow | None:
        item = self.entries.currentItem()
        entry_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        try:
            return self._outbox.entry(str(entry_id)) if entry_id else None
        except KitShareError:
            return None

    def _enable(self) -> None:
        row = self.selected()
        online = not self._db.offline
        waiting = bool(outbox_rows_or_none(self._outbox))
        refused = row is not None and row.state == REFUSED
        self.send_button.setEnabled(online and waiting)
        self.send_button.setToolTip("" if online else "Sent once the server is back.")
        self.resend_button.setEnabled(online and refused)
        # The form changes one item's issue; a kit's (several members) is sent again as it
        # was, or cancelled and issued afresh from the kit.
        single = row is not None and row.kind == ISSUE and len(issue_of(row).draft.lines) == 1
        self.edit_button.setEnabled(online and refused and single)
        self.edit_button.setToolTip(
            "" if single or not refused else "A kit's entry is sent again as it was, or cancelled."
        )
        self.cancel_button.setEnabled(online and refused)
        self.cancel_button.setToolTip(
            "" if online else "Cancel it once the server is back, so the lender hears of it."
        )

    def _act(self, what: str, action: Callable[[], object]) -> None:
        try:
            action()
        except KitShareError as error:
            show_error(self, error, what)
        self.changed = True
        self.refresh()

    def send_now(self) -> None:
        self._act("The outbox was not sent", lambda: send_waiting(self._db, self._outbox))

    def send_selected_again(self) -> None:
        row = self.selected()
        if row is not None:
            self._act("The entry was not sent", lambda: send_again(self._db, self._outbox, row.id))

    def change_and_send(self) -> None:
        row = self.selected()
        if row is None:
            return
        try:
            dialog = ResendIssueDialog(self._db, self._actor, self._outbox, row, self)
        except KitShareError as error:
            show_error(self, error, "The entry cannot be changed")
            return
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.changed = True
        finally:
            dialog.deleteLater()
        self.refresh()

    def cancel_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        reason, given = QInputDialog.getText(
            self,
            "Cancel the entry",
            f"{row.summary}\n\nWhy is it cancelled? The lender's equipment managers read it.",
        )
        if given:
            self._act(
                "The entry was not cancelled",
                lambda: cancel_entry(self._db, self._outbox, row.id, reason, self._actor),
            )
