"""The small dialogs that decide or change a loan: approve, decline, extend, recall, cancel.

They have no check function of their own in ``app.loans.service``: the service checks on OK,
and a refusal is shown in the dialog, which stays open. Until then the dialog only asks
for what it cannot do without (a reason), in the service's own words
(``app.loans.rules.reason_problems``), as a reminder. Whoever is signed in decides.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.core.actor import Actor
from app.core.clock import format_datetime, now_utc
from app.core.errors import Refusal
from app.loans.rules import DECLINE_REASON_MISSING, RECALL_REASON_MISSING, reason_problems
from app.loans.service import approve_loan, cancel_loan, decline_loan, extend_loan, recall_loan
from app.loans.views import LoanView, describe_duration
from app.storage.database import Database
from ui.loans.shared import LoanFormDialog, items_text
from ui.widgets.dates import UkDateTimeEdit
from ui.widgets.layout import form_layout, heading, muted, named

RECALL_NOTICE = timedelta(hours=2)
DEFAULT_EXTENSION = timedelta(days=1)


def loan_summary(loan: LoanView) -> list[QWidget]:
    """What the loan is, in two lines at the top of a dialog."""
    return [
        heading(f"Loan {loan.id}: {items_text(loan)}"),
        muted(
            f"{loan.borrower} borrowing from {loan.lender}, {format_datetime(loan.starts_at)} "
            f"to {format_datetime(loan.due_at)}. Purpose: {loan.purpose}"
        ),
    ]


def _reason_edit(name: str, hint: str) -> QPlainTextEdit:
    edit = named(QPlainTextEdit(), name)
    edit.setPlaceholderText(hint)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 3 + 14)
    return edit


def _next_quarter_hour(moment: datetime) -> datetime:
    base = moment.replace(second=0, microsecond=0)
    return base + timedelta(minutes=(-base.minute) % 15)


class _DecisionDialog(LoanFormDialog):
    """Approve or decline: the signed-in person of the lending agency decides."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        loan: LoanView,
        parent: QWidget | None,
        *,
        title: str,
        decider_label: str,
    ) -> None:
        super().__init__(db, actor, title, parent)
        self.loan = loan
        # The decision is recorded as the signed-in user's: no one decides for someone else.
        self.approver = named(QLabel(actor.name), "approver")
        self.approver.setToolTip(
            f"Signed in now. The protocol says who at {loan.lender} may decide; "
            "switch user to decide as someone else."
        )
        self.form = form_layout()
        self.add_field(self.form, decider_label, self.approver, "approver")

    def check(self) -> list[Refusal]:
        return []


class ApproveDialog(_DecisionDialog):
    def __init__(
        self, db: Database, actor: Actor, loan: LoanView, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            db, actor, loan, parent, title=f"Approve loan {loan.id}", decider_label="Approved by"
        )
        self.finish(*loan_summary(loan), self.form, ok_text="Approve")

    def save(self) -> None:
        approve_loan(self._db, self.loan.id, self._actor)

    def ready_text(self) -> str:
        return (
            f"Approving books the kit for {self.loan.borrower} until "
            f"{format_datetime(self.loan.due_at)}; it can then be handed over."
        )


class DeclineDialog(_DecisionDialog):
    def __init__(
        self, db: Database, actor: Actor, loan: LoanView, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            db, actor, loan, parent, title=f"Decline loan {loan.id}", decider_label="Declined by"
        )
        self.reason_edit = _reason_edit(
            "reason", "e.g. Needed for our own operation. The borrower will read this."
        )
        self.add_field(self.form, "Reason *", self.reason_edit, "reason")
        self.watch(self.reason_edit)
        self.finish(*loan_summary(loan), self.form, ok_text="Decline")

    def check(self) -> list[Refusal]:
        problems = super().check()
        if not problems:
            problems = reason_problems(self.reason_edit.toPlainText(), DECLINE_REASON_MISSING)
        return problems

    def save(self) -> None:
        decline_loan(
            self._db,
            self.loan.id,
            self.reason_edit.toPlainText(),
            self._actor,
        )

    def ready_text(self) -> str:
        return f"Declining frees the kit; {self.loan.borrower} will read the reason."


class ExtendDialog(LoanFormDialog):
    """Move a loan's due time later."""

    def __init__(
        self, db: Database, actor: Actor, loan: LoanView, parent: QWidget | None = None
    ) -> None:
        super().__init__(db, actor, f"Extend loan {loan.id}", parent)
        self.loan = loan
        self.due_edit = named(UkDateTimeEdit(), "dueAt")
        self.due_edit.set_moment(loan.due_at + DEFAULT_EXTENSION)
        self.reason_edit = named(QLineEdit(), "reason")
        self.reason_edit.setPlaceholderText("Optional, e.g. Search extended into a second night")
        form = form_layout()
        self.add_field(form, "Now due back", muted(format_datetime(loan.due_at)))
        self.add_field(form, "New due time *", self.due_edit, "due_at")
        self.add_field(form, "Reason", self.reason_edit, "reason")
        self.watch(self.due_edit, self.reason_edit)
        self.finish(*loan_summary(loan), form, ok_text="Extend")

    def save(self) -> None:
        extend_loan(
            self._db,
            self.loan.id,
            self.due_edit.moment(),
            self._actor,
            reason=self.reason_edit.text(),
        )

    def ready_text(self) -> str:
        added = self.due_edit.moment() - self.loan.due_at
        if added <= timedelta(0):
            return "Choose a due time later than the current one."
        return (
            f"Extend adds {describe_duration(added)}, if the protocol's longest loan and "
            "other bookings allow."
        )


class RecallDialog(LoanFormDialog):
    """The owner needs the kit back for a live incident."""

    def __init__(
        self, db: Database, actor: Actor, loan: LoanView, parent: QWidget | None = None
    ) -> None:
        super().__init__(db, actor, f"Recall loan {loan.id}", parent)
        self.loan = loan
        self.due_edit = named(UkDateTimeEdit(), "dueAt")
        self.due_edit.set_moment(_next_quarter_hour(now_utc() + RECALL_NOTICE))
        self.reason_edit = _reason_edit(
            "reason", "e.g. Needed for a live incident: flooding at Earith"
        )
        form = form_layout()
        self.add_field(form, "Needed back by *", self.due_edit, "due_at")
        self.add_field(form, "Reason *", self.reason_edit, "reason")
        self.watch(self.due_edit, self.reason_edit)
        self.finish(*loan_summary(loan), form, ok_text="Recall")

    def check(self) -> list[Refusal]:
        return reason_problems(self.reason_edit.toPlainText(), RECALL_REASON_MISSING)

    def save(self) -> None:
        recall_loan(
            self._db,
            self.loan.id,
            self.due_edit.moment(),
            self.reason_edit.toPlainText(),
            self._actor,
        )

    def ready_text(self) -> str:
        return (
            f"The loan is flagged as recalled: {self.loan.borrower} must bring the kit back "
            f"by {format_datetime(self.due_edit.moment())}."
        )


class CancelDialog(LoanFormDialog):
    """Withdraw a request or an approved loan before the kit goes out."""

    def __init__(
        self, db: Database, actor: Actor, loan: LoanView, parent: QWidget | None = None
    ) -> None:
        super().__init__(db, actor, f"Cancel loan {loan.id}", parent)
        self.loan = loan
        self.reason_edit = named(QLineEdit(), "reason")
        self.reason_edit.setPlaceholderText("Optional, e.g. Incident stood down")
        form = QFormLayout()
        self.add_field(form, "Reason", self.reason_edit, "reason")
        self.watch(self.reason_edit)
        keep = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        assert keep is not None
        keep.setText("Keep the loan")
        self.finish(*loan_summary(loan), form, ok_text="Cancel the loan")

    def save(self) -> None:
        cancel_loan(self._db, self.loan.id, self._actor, reason=self.reason_edit.text())

    def ready_text(self) -> str:
        return "The booking is withdrawn and the kit is free for others."
