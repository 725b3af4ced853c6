"""Opening the loan dialogs from anywhere in the window, and saying when loans changed.

The catalogue's panel and menus, and the Loans view, all come here; after any saved
action one ``loans_changed`` signal lets every view read again (as Anki does after an
operation).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QInputDialog, QMessageBox, QWidget

from app.core.actor import Actor
from app.core.errors import KitShareError
from app.core.vocabulary import label
from app.loans.drafts import LoanWish
from app.loans.outbox import kept_offline_sentence
from app.loans.support import why_not_lent
from app.loans.views import get_loan, loans_to_return, return_choice_text
from app.storage.database import Database
from ui.loans.forms import EmergencyIssueDialog, RequestDialog, ReturnDialog
from ui.loans.loan_detail import LoanDialog
from ui.widgets.messages import show_error

D = TypeVar("D", bound=QDialog)

CANNOT_OPEN_TITLE = "Kit Share cannot open this"
CANNOT_LEND_TITLE = "This item cannot be lent"


class LoanActions(QObject):
    """The loan dialogs over one database, parented to ``window``."""

    loans_changed = Signal(str)
    """A loan was saved; the sentence says what happened, for the status bar."""

    def __init__(self, db: Database, window: QWidget) -> None:
        super().__init__(window)
        self._db = db
        self._window = window
        # Whoever is signed in; the window sets it. Nobody: every change is refused.
        self.actor = Actor("No one signed in")

    def _make(self, build: Callable[[], D]) -> D | None:
        """Build a dialog (which reads the database), or say why it could not be."""
        try:
            return build()
        except KitShareError as error:
            show_error(self._window, error, CANNOT_OPEN_TITLE)
            return None

    def _lendable(self, item_id: int) -> bool:
        """Whether any agency may borrow the item; if none may, say why and what to do."""
        try:
            refusal = why_not_lent(self._db, item_id)
        except KitShareError as error:
            show_error(self._window, error, CANNOT_OPEN_TITLE)
            return False
        if refusal is None:
            return True
        QMessageBox.information(self._window, CANNOT_LEND_TITLE, refusal.message)
        return False

    def request_for_item(
        self, item_id: int, wish: LoanWish | None = None, *, also: Sequence[int] = ()
    ) -> int | None:
        """Ask to borrow the item (for the period and quantity ``wish`` says, if any), and
        the items ``also`` names in the same loan; the new loan's number, or None if
        nothing was saved."""
        if not all(self._lendable(each) for each in (item_id, *also)):
            return None
        dialog = self._make(
            lambda: RequestDialog(self._db, self.actor, item_id, self._window, wish=wish, also=also)
        )
        if dialog is None or dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        assert dialog.loan_id is not None
        self.loans_changed.emit(
            f"Loan {dialog.loan_id} requested: it awaits approval by {dialog.item.owner}."
        )
        return dialog.loan_id

    def issue_now_for_item(self, item_id: int, wish: LoanWish | None = None) -> int | None:
        """Hand the item out now as an emergency (until and how many ``wish`` says, if
        any); the loan's number, or None."""
        if not self._lendable(item_id):
            return None
        dialog = self._make(
            lambda: EmergencyIssueDialog(self._db, self.actor, item_id, self._window, wish=wish)
        )
        if dialog is None or dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        assert dialog.loan_id is not None
        self.loans_changed.emit(
            f"Loan {dialog.loan_id} issued as an emergency.{kept_offline_sentence(self._db)}"
        )
        return dialog.loan_id

    def return_for_item(self, item_id: int) -> bool:
        """Take the item back from the loan it is out on (asking which, if several: the
        likeliest chosen, so Enter takes it)."""
        try:
            loans = loans_to_return(self._db, item_id)
        except KitShareError as error:
            show_error(self._window, error, CANNOT_OPEN_TITLE)
            return False
        if not loans:
            return False
        loan = loans[0]
        if len(loans) > 1:
            labels = [return_choice_text(view) for view in loans]
            chosen, confirmed = QInputDialog.getItem(
                self._window,
                "Return from which loan?",
                "The item is out on more than one loan. Which is coming back?",
                labels,
                0,
                False,
            )
            if not confirmed:
                return False
            loan = loans[labels.index(chosen)]
        dialog = self._make(lambda: ReturnDialog(self._db, self.actor, loan, self._window))
        if dialog is None or dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        status = label(dialog.new_status) if dialog.new_status else "Returned"
        self.loans_changed.emit(
            f"Loan {loan.id}: {status.lower()}.{kept_offline_sentence(self._db)}"
        )
        return True

    def open_loan(self, loan_id: int) -> None:
        """Show the loan, with buttons for what may be done to it next."""
        dialog = self._make(lambda: LoanDialog(self._db, self.actor, loan_id, self._window))
        if dialog is None:
            return
        dialog.loan_changed.connect(self._on_loan_changed)
        dialog.exec()

    def _on_loan_changed(self, loan_id: int) -> None:
        try:
            status = get_loan(self._db, loan_id).status_label
        except KitShareError:
            status = "changed"
        self.loans_changed.emit(f"Loan {loan_id}: {status.lower()}.")
