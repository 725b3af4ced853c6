"""The window's kit commands: define, change and retire a kit (Catalogue menu), and ask
for or hand out the kit chosen in the catalogue as one loan.

As with items (``ui.loans.actions``), a saved loan says so once through
``loans_changed``, and every view reads again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QInputDialog, QMenu, QWidget

from app.core.actor import Actor
from app.core.errors import DomainError, KitShareError
from app.core.permissions import Action, may
from app.documents.content import PrintedDocument
from app.documents.kits import kit_sharing_terms
from app.kits.service import get_kit, retire_kit
from app.loans.drafts import LoanWish
from app.loans.outbox import kept_offline_sentence
from app.storage.database import Database
from ui.catalogue.view import CatalogueView
from ui.kits.dialog import KitDialog
from ui.kits.loan_form import KitEmergencyDialog, KitRequestDialog
from ui.printing.actions import DocumentOutput
from ui.widgets.messages import show_error

D = TypeVar("D", bound=QDialog)

CANNOT_OPEN_TITLE = "Kit Share cannot open this kit"
KEEPERS_ONLY = "Only the owner's equipment managers and administrators."


class KitActions(QObject):
    """The kit dialogs over one database, for the kit the catalogue shows."""

    loans_changed = Signal(str)
    """A loan of a kit was saved; the sentence says what happened, for the status bar."""
    kits_changed = Signal(str)
    """A kit was defined, changed or retired; the sentence says which."""

    def __init__(
        self, db: Database, window: QWidget, catalogue: CatalogueView, output: DocumentOutput
    ) -> None:
        super().__init__(window)
        self._db = db
        self._window = window
        self._catalogue = catalogue
        self.actor = Actor("No one signed in")
        self.new_action = QAction("New &kit…", window)
        # Ctrl+N adds an item; a kit of items is one key more.
        self.new_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.new_action.setStatusTip("Define a kit of your agency's items, lent as one loan")
        self.new_action.triggered.connect(self.define)
        self.edit_action = QAction("Edi&t kit…", window)
        self.edit_action.setShortcut(QKeySequence("Ctrl+K"))
        self.edit_action.setStatusTip("Change the kit the catalogue shows")
        self.edit_action.triggered.connect(self._on_edit_triggered)
        self.retire_action = QAction("Retire kit…", window)
        self.retire_action.setStatusTip("Take the kit shown out of use for good")
        self.retire_action.triggered.connect(self._on_retire_triggered)
        self.terms_actions = output.actions_for(
            self._current_terms, "the kit's sharing terms", self
        )
        terms = catalogue.kit_panel.terms_button
        menu = QMenu(terms)
        menu.addActions(list(self.terms_actions))
        terms.setMenu(menu)
        terms.clicked.connect(self.terms_actions[1].trigger)

    def _current_terms(self) -> PrintedDocument:
        kit_id = self._catalogue.selected_kit_id()
        if kit_id is None:
            raise DomainError("Select a kit in the catalogue to print its sharing terms.")
        return kit_sharing_terms(self._db, kit_id)

    def add_to(self, menu: QMenu) -> None:
        for action in (self.new_action, self.edit_action, self.retire_action):
            menu.addAction(action)

    def enable(self, *, offline: bool) -> None:
        """For comfort only: ``app.kits.service`` refuses what the role does not allow."""
        kit = self._catalogue.kit_panel.kit if self._catalogue.selected_kit_id() else None
        self.new_action.setEnabled(not offline and may(self.actor, Action.EDIT_KITS))
        keeps = kit is not None and may(self.actor, Action.EDIT_KITS, agency_id=kit.owner_agency_id)
        for action in (self.edit_action, self.retire_action):
            action.setEnabled(keeps and not offline)
            action.setToolTip("" if keeps else KEEPERS_ONLY)

    def _make(self, build: Callable[[], D]) -> D | None:
        try:
            return build()
        except KitShareError as error:
            show_error(self._window, error, CANNOT_OPEN_TITLE)
            return None

    # Lending -----------------------------------------------------------------------------------

    def request(self, kit_id: int, wish: LoanWish | None = None) -> int | None:
        """Ask to borrow the kit (for the period the search asked about, if any)."""
        dialog = self._make(
            lambda: KitRequestDialog(self._db, self.actor, kit_id, self._window, wish=wish)
        )
        if dialog is None or dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        assert dialog.loan_id is not None
        self.loans_changed.emit(
            f"Loan {dialog.loan_id} of kit “{dialog.kit.name}” requested: it awaits approval "
            f"by {dialog.kit.owner}."
        )
        return dialog.loan_id

    def issue_now(self, kit_id: int, wish: LoanWish | None = None) -> int | None:
        """Hand the kit out now as an emergency (until when ``wish`` says, if it does)."""
        dialog = self._make(
            lambda: KitEmergencyDialog(self._db, self.actor, kit_id, self._window, wish=wish)
        )
        if dialog is None or dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        assert dialog.loan_id is not None
        self.loans_changed.emit(
            f"Loan {dialog.loan_id} of kit “{dialog.kit.name}” issued as an emergency."
            f"{kept_offline_sentence(self._db)}"
        )
        return dialog.loan_id

    # Keeping kits ------------------------------------------------------------------------------

    def define(self) -> int | None:
        """Open the kit dialog for a new kit; its id once saved."""
        return self._run_dialog(None)

    def edit(self, kit_id: int) -> int | None:
        return self._run_dialog(kit_id)

    def _run_dialog(self, kit_id: int | None) -> int | None:
        dialog = self._make(lambda: KitDialog(self._db, self.actor, kit_id, self._window))
        if dialog is None or dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        saved = dialog.saved_kit_id
        assert saved is not None
        name = dialog.name_edit.text().strip()
        self._catalogue.show_saved_kit(saved, name)
        self.kits_changed.emit(f"Kit “{name}” {'saved' if kit_id else 'defined'}.")
        return saved

    def _on_edit_triggered(self) -> None:
        self._catalogue.settle()
        kit_id = self._catalogue.selected_kit_id()
        if kit_id is not None:
            self.edit(kit_id)

    def _on_retire_triggered(self) -> None:
        self._catalogue.settle()
        kit_id = self._catalogue.selected_kit_id()
        if kit_id is None:
            return
        try:
            kit = get_kit(self._db, kit_id)
        except KitShareError as error:
            show_error(self._window, error, CANNOT_OPEN_TITLE)
            return
        reason, confirmed = QInputDialog.getText(
            self._window,
            "Retire kit",
            f"Why is kit “{kit.name}” being retired?\nIts items stay in the catalogue; the "
            "kit is no longer lent.",
        )
        if not confirmed:
            return
        try:
            retire_kit(self._db, kit_id, self.actor, reason)
        except KitShareError as error:
            show_error(self._window, error, "The kit was not retired")
            return
        self._catalogue.refresh()
        self.kits_changed.emit(f"Kit “{kit.name}” retired.")
