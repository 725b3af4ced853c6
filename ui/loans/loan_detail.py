"""One loan, with everything known about it and buttons for what may be done next."""

from __future__ import annotations

from collections.abc import Callable
from itertools import zip_longest

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.actor import Actor
from app.core.clock import format_datetime
from app.core.errors import KitShareError
from app.documents.content import handover_form
from app.loans.views import LoanView, describe_duration, get_loan
from app.storage.database import Database
from models import LoanStatus
from ui.loans.decisions import (
    ApproveDialog,
    CancelDialog,
    DeclineDialog,
    ExtendDialog,
    RecallDialog,
)
from ui.loans.forms import IssueDialog, ReturnDialog
from ui.loans.shared import LoanFormDialog
from ui.printing.actions import DocumentOutput, print_button
from ui.widgets.layout import named
from ui.widgets.messages import show_error
from ui.widgets.palette import (
    CLOSED,
    DUE,
    INFO,
    OK,
    REFUSED,
    REFUSED_STYLE,
    TO_DO_STYLE,
    WARNING,
    BoxStyle,
    boxed,
    solid_badge,
)

# The actions ``LoanView.actions`` names, with their buttons' words, in the order shown.
ACTION_LABELS = {
    "approve": "Approve…",
    "decline": "Decline…",
    "issue": "Issue…",
    "return": "Return…",
    "extend": "Extend…",
    "recall": "Recall…",
    "cancel": "Cancel loan…",
}
ActionDialogFactory = Callable[[Database, Actor, LoanView, QWidget | None], LoanFormDialog]
ACTION_DIALOGS: dict[str, ActionDialogFactory] = {
    "approve": ApproveDialog,
    "decline": DeclineDialog,
    "issue": IssueDialog,
    "return": ReturnDialog,
    "extend": ExtendDialog,
    "recall": RecallDialog,
    "cancel": CancelDialog,
}

# Solid badges with white text, as in the item panel.
STATUS_COLOURS = {
    LoanStatus.REQUESTED: INFO,
    LoanStatus.APPROVED: INFO,
    LoanStatus.DECLINED: CLOSED,
    LoanStatus.ISSUED: DUE,
    LoanStatus.PARTLY_RETURNED: DUE,
    LoanStatus.RETURNED: OK,
    LoanStatus.CANCELLED: CLOSED,
}
OVERDUE_COLOUR = REFUSED
RECALLED_COLOUR = WARNING
# The notices at the top.
OVERDUE_NOTICE = REFUSED_STYLE
RECALL_NOTICE = TO_DO_STYLE
EMERGENCY_NOTICE = TO_DO_STYLE

LINE_HEADERS = (
    "Tag",
    "Item",
    "Quantity",
    "Returned",
    "Still out",
    "Condition out",
    "Condition back",
)
MAX_LINES_SHOWN = 8
Facts = list[tuple[str, str]]


def action_dialog(
    db: Database, actor: Actor, loan: LoanView, action: str, parent: QWidget | None = None
) -> LoanFormDialog:
    """The dialog for one of ``LoanView.actions`` on ``loan``."""
    return ACTION_DIALOGS[action](db, actor, loan, parent)


def status_colour(loan: LoanView) -> str:
    if loan.overdue_by is not None:
        return OVERDUE_COLOUR
    if loan.recalled_at is not None and loan.status in (
        LoanStatus.ISSUED,
        LoanStatus.PARTLY_RETURNED,
    ):
        return RECALLED_COLOUR
    return STATUS_COLOURS[loan.status]


def notices(loan: LoanView) -> list[tuple[str, BoxStyle]]:
    """What must catch the eye first: overdue, recalled, emergency."""
    found = []
    if loan.overdue_by is not None:
        found.append(
            (
                f"Overdue by {describe_duration(loan.overdue_by)}: it was due back "
                f"{format_datetime(loan.due_at)}.",
                OVERDUE_NOTICE,
            )
        )
    if loan.recalled_at is not None:
        found.append(
            (
                f"Recalled by the owner on {format_datetime(loan.recalled_at)}; it must be back "
                f"by {format_datetime(loan.due_at)}.\nReason: {loan.recall_reason}",
                RECALL_NOTICE,
            )
        )
    if loan.is_emergency:
        found.append(("Emergency loan: the notice period was waived.", EMERGENCY_NOTICE))
    return found


class LoanDialog(QDialog):
    """Shows ``get_loan(loan_id)``; its buttons open the action dialogs."""

    loan_changed = Signal(int)
    """An action on the loan with this number was saved."""

    def __init__(
        self, db: Database, actor: Actor, loan_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self.setObjectName("loanDialog")
        self.setMinimumWidth(820)
        self.loan = get_loan(db, loan_id)

        self.title_label = named(QLabel(), "loanTitle")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title_label.setFont(font)
        self.status_label = named(QLabel(), "loanStatus")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.notice_labels: list[QLabel] = []
        self._notices = QVBoxLayout()
        self._notices.setSpacing(6)
        self._facts = QGridLayout()
        self._facts.setHorizontalSpacing(14)
        self._facts.setVerticalSpacing(6)
        self.lines_table = named(QTableWidget(0, len(LINE_HEADERS)), "loanLines")
        self._make_lines_table()

        self.action_buttons: dict[str, QPushButton] = {}
        buttons = QHBoxLayout()
        for action, label in ACTION_LABELS.items():
            button = named(QPushButton(label), f"action_{action}")
            button.clicked.connect(lambda _checked=False, a=action: self.run_action(a))
            buttons.addWidget(button)
            self.action_buttons[action] = button
        buttons.addStretch(1)
        # The form that goes with the kit: a click previews it, the menu prints or saves.
        self.output = DocumentOutput(self)
        self.form_actions = self.output.actions_for(
            lambda: handover_form(self._db, self.loan.id), "the hand-over form", self
        )
        self.form_button = named(print_button("Hand-over form", self.form_actions), "handoverForm")
        self.form_button.setToolTip(
            "Print the hand-over and return form, with the checklist and signature lines"
        )
        buttons.addWidget(self.form_button)
        self.close_button = named(QPushButton("Close"), "closeLoan")
        self.close_button.clicked.connect(self.accept)
        buttons.addWidget(self.close_button)

        title_row = QHBoxLayout()
        title_row.addWidget(self.title_label)
        title_row.addSpacing(12)
        title_row.addWidget(self.status_label)
        title_row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.setSpacing(10)
        outer.addLayout(title_row)
        outer.addLayout(self._notices)
        outer.addLayout(self._facts)
        outer.addWidget(self.lines_table)
        outer.addStretch(1)
        outer.addLayout(buttons)
        self._fill()

    def _make_lines_table(self) -> None:
        table = self.lines_table
        table.setHorizontalHeaderLabels(list(LINE_HEADERS))
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

    # Showing -------------------------------------------------------------------------------

    def _fill(self) -> None:
        loan = self.loan
        self.setWindowTitle(f"Loan {loan.id}")
        self.title_label.setText(f"Loan {loan.id}")
        self.status_label.setText(f" {loan.status_label} ")
        self.status_label.setStyleSheet(solid_badge(status_colour(loan)))
        for label in self.notice_labels:
            label.deleteLater()
        self.notice_labels = []
        for text, style in notices(loan):
            label = named(QLabel(text), "loanNotice")
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setStyleSheet(boxed(style, bold=True))
            self._notices.addWidget(label)
            self.notice_labels.append(label)
        self._fill_facts()
        self._fill_lines()
        for action, button in self.action_buttons.items():
            button.setVisible(action in loan.actions)

    def fact_groups(self) -> tuple[Facts, Facts, Facts]:
        """Who (left), when (right) and the longer texts (whole rows), known so far."""
        loan = self.loan
        due = format_datetime(loan.due_at)
        if loan.due_at != loan.booked_due_at:
            due += f" (booked until {format_datetime(loan.booked_due_at)})"
        protocol = loan.protocol + (f" (MoU {loan.mou})" if loan.mou else "")
        who = [
            ("Borrower", loan.borrower),
            ("Requested by", loan.requested_by),
            ("Operator", loan.operator),
            ("Lender", loan.lender),
            ("Decided by", loan.approver),
        ]
        when = [
            ("From", format_datetime(loan.starts_at)),
            ("Due back", due),
            ("Issued", format_datetime(loan.issued_at)),
            ("Returned", format_datetime(loan.returned_at)),
            ("Incident reference", loan.incident_ref),
        ]
        texts = [
            ("Purpose", loan.purpose),
            ("Protocol", protocol),
            ("Reason given", loan.decision_reason),
            ("Notes", loan.notes),
        ]

        def known(group: Facts) -> Facts:
            return [(label, text) for label, text in group if text]

        return known(who), known(when), known(texts)

    def facts(self) -> Facts:
        """Every fact shown, as label and text."""
        return [fact for group in self.fact_groups() for fact in group]

    def _fill_facts(self) -> None:
        while self._facts.count():
            item = self._facts.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        who, when, texts = self.fact_groups()
        for row, pair in enumerate(zip_longest(who, when)):
            for column, fact in enumerate(pair):
                if fact is not None:
                    self._add_fact(fact, row, column * 2)
        for row, fact in enumerate(texts, start=max(len(who), len(when))):
            self._add_fact(fact, row, 0, span=3)
        self._facts.setColumnStretch(1, 1)
        self._facts.setColumnStretch(3, 1)

    def _add_fact(self, fact: tuple[str, str], row: int, column: int, span: int = 1) -> None:
        label, text = fact
        caption = QLabel(label)
        caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        value = named(QLabel(text), f"fact_{label.replace(' ', '_').lower()}")
        value.setWordWrap(True)
        value.setTextFormat(Qt.TextFormat.PlainText)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._facts.addWidget(caption, row, column)
        self._facts.addWidget(value, row, column + 1, 1, span)

    def _fill_lines(self) -> None:
        lines = self.loan.lines
        self.lines_table.setRowCount(len(lines))
        late = self.loan.overdue_by is not None or self.loan.recalled_at is not None
        for row, line in enumerate(lines):
            cells = (
                line.asset_tag,
                line.item_name,
                str(line.quantity),
                str(line.quantity_returned),
                str(line.quantity_out) if self.loan.issued_at else "",
                line.condition_out,
                line.condition_in,
            )
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if column in (2, 3, 4):
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if column == 4 and late and line.quantity_out and self.loan.issued_at:
                    colour = OVERDUE_COLOUR if self.loan.overdue_by else RECALLED_COLOUR
                    cell.setForeground(QBrush(QColor(colour)))
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                self.lines_table.setItem(row, column, cell)
        # As tall as its lines (up to a few), so a one-line loan has no empty box.
        shown = min(max(len(lines), 1), MAX_LINES_SHOWN)
        self.lines_table.setFixedHeight(
            self.lines_table.horizontalHeader().sizeHint().height()
            + self.lines_table.verticalHeader().defaultSectionSize() * shown
            + 2 * self.lines_table.frameWidth()
        )

    def fact(self, label: str) -> str:
        """The text shown for one fact, or "" if it is not shown."""
        return dict(self.facts()).get(label, "")

    # Acting --------------------------------------------------------------------------------

    def run_action(self, action: str) -> bool:
        """Open the dialog for ``action``; True if it was saved (the loan is read again)."""
        dialog = action_dialog(self._db, self._actor, self.loan, action, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        self.reload()
        self.loan_changed.emit(self.loan.id)
        return True

    def reload(self) -> None:
        try:
            self.loan = get_loan(self._db, self.loan.id)
        except KitShareError as error:
            show_error(self, error, "Kit Share cannot show this loan")
            return
        self._fill()
