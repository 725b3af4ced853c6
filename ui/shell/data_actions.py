"""The File menu's data commands: import from a spreadsheet, export, back up and restore.

They open their dialogs over the window's database as whoever is signed in, and say
through ``data_changed`` when the catalogue, its kits or people changed, so every view
reads again.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from app.core.actor import Actor
from app.storage.database import Database
from ui.backup.dialogs import BackupActions, BackupScheduler
from ui.transfer.export_dialog import ExportDialog, signed_in_exports
from ui.transfer.import_wizard import ImportWizard, may_import


class DataActions(QObject):
    """Import and export (and backups) as menu commands, parented to ``window``."""

    data_changed = Signal(str)
    """Rows were imported; the sentence says what, for the status bar."""
    restored = Signal(str)
    """The database was replaced by a backup: its accounts may differ, so the window asks
    who is signing in, and every view reads again."""
    message = Signal(str)
    """Something worth a status-bar line happened (a file was written)."""

    def __init__(self, db: Database, window: QWidget) -> None:
        super().__init__(window)
        self._db = db
        self._window = window
        self.actor: Actor | None = None

        self.import_action = QAction("&Import from a spreadsheet…", window)
        self.import_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.import_action.setStatusTip(
            "Bring items, kits or people in from a CSV or Excel file, checking every row first"
        )
        self.import_action.triggered.connect(self.open_import)
        self.export_action = QAction("&Export…", window)
        self.export_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.export_action.setStatusTip("Save the catalogue, kits, loans or people as CSV or Excel")
        self.export_action.triggered.connect(self.open_export)

        self.backups = BackupActions(db, window)
        self.backups.backed_up.connect(self.message)
        self.backups.restored.connect(self.restored)
        # The daily automatic backup, if an administrator turned it on for this PC.
        self.scheduler = BackupScheduler(db, self)
        self.scheduler.taken.connect(self.message)
        self.scheduler.failed.connect(self.message)
        self.backups.schedule_changed.connect(self.scheduler.run_now)

    def add_to(self, menu: QMenu) -> None:
        menu.addAction(self.import_action)
        menu.addAction(self.export_action)
        menu.addSeparator()
        menu.addActions(self.backups.actions())

    def set_actor(self, actor: Actor | None) -> None:
        self.actor = actor
        can_import = actor is not None and may_import(actor)
        self.import_action.setEnabled(can_import)
        self.import_action.setToolTip(
            "" if can_import else "Only equipment managers and administrators import."
        )
        self.export_action.setEnabled(actor is not None and bool(signed_in_exports(actor)))
        self.backups.set_actor(actor)
        if actor is not None and not self.scheduler.timer.isActive():
            self.scheduler.start()

    def open_import(self) -> None:
        if self.actor is None:
            return
        wizard = ImportWizard(self._db, self.actor, self._window)
        wizard.imported.connect(self.data_changed)
        try:
            wizard.exec()
        finally:
            wizard.deleteLater()

    def open_export(self) -> None:
        if self.actor is None:
            return
        dialog = ExportDialog(self._db, self.actor, self._window)
        dialog.exported.connect(self.message)
        try:
            dialog.exec()
        finally:
            dialog.deleteLater()
