"""Backing up and restoring from the window: Back up now…, Restore from a backup… and
Automatic backups…, plus the scheduler that takes the daily automatic backup.

``app.storage.backup`` does the work and refuses what may not be done; these dialogs ask where,
show what a backup holds before it replaces anything, and say what was done.

``BackupActions`` owns the three menu commands (``actions()``) and says, through its
signals, when a backup was taken (``backed_up``), the database was replaced
(``restored``: every view must read it again) or the schedule changed
(``schedule_changed``). Every question it asks goes through an attribute the tests
replace (``ask_folder``, ``ask_backup_file``, ``run_dialog``, ``inform``, ``report``),
so no test ever reaches a modal ``exec()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.actor import Actor
from app.core.clock import format_datetime, now_utc, today_uk
from app.core.errors import KitShareError
from app.core.permissions import Action, may, refusal
from app.storage.backup import (
    MOST_KEPT,
    BackupCheck,
    BackupFile,
    BackupSchedule,
    ScheduledBackup,
    StagedRestore,
    back_up,
    backup_name,
    database_path,
    default_backup_folder,
    is_postgresql,
    last_automatic_backup,
    load_schedule,
    postgresql_refusal,
    replacement_warning,
    run_scheduled_backup,
    save_schedule,
)
from app.storage.database import Database
from ui.widgets.layout import (
    fit_spin,
    form_layout,
    heading,
    message_label,
    muted,
    named,
    show_message,
)
from ui.widgets.palette import READY_STYLE, REFUSED_STYLE, TO_DO_STYLE, boxed

BACK_UP_TITLE = "Back up now"
RESTORE_TITLE = "Restore from a backup"
SCHEDULE_TITLE = "Automatic backups"
OPEN_FILTER = "Kit Share backups (*.db);;All files (*)"
# The scheduler looks every hour whether today's backup is taken: a PC asleep at a fixed
# time, or a window opened before midnight and left open, still gets one each UK day.
SCHEDULE_CHECK_MS = 60 * 60 * 1000

AskFolder = Callable[[QWidget, Path], Path | None]
"""Asks for a folder, starting at the one given; None if cancelled."""
AskBackupFile = Callable[[QWidget, Path], Path | None]
"""Asks for a backup file to open, starting in the folder given; None if cancelled."""
RunDialog = Callable[[QDialog], bool]
"""Shows a dialog until it is closed; True if it was accepted."""
Tell = Callable[[QWidget, str], None]
"""Tells the person something (done, or refused and why)."""


def ask_folder(parent: QWidget, start: Path) -> Path | None:
    chosen = QFileDialog.getExistingDirectory(parent, "Choose the folder for backups", str(start))
    return Path(chosen) if chosen else None


def ask_backup_file(parent: QWidget, start: Path) -> Path | None:
    chosen, _ = QFileDialog.getOpenFileName(
        parent, "Choose the backup to restore", str(start), OPEN_FILTER
    )
    return Path(chosen) if chosen else None


def run_dialog(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


def inform(parent: QWidget, text: str) -> None:
    QMessageBox.information(parent, "Kit Share", text)


def report(parent: QWidget, text: str) -> None:
    QMessageBox.warning(parent, "Kit Share", text)


@contextmanager
def waiting() -> Iterator[None]:
    """The wait cursor while a backup or restore runs (a few seconds at most)."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


def folder_row(edit: QLineEdit, browse: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    layout.addWidget(browse)
    return row


# -- Back up now ---------------------------------------------------------------------------------


class BackUpDialog(QDialog):
    """Choose a folder (the ``backups`` folder beside the database to start with) and
    back up into it; the dialog ends by naming the file written and its size.

    ``back_up()`` is what the Back up button does (tests call it); ``written`` is the
    last backup taken, and ``backed_up`` says it in a sentence for the status bar.
    """

    backed_up = Signal(str)

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backUpDialog")
        self.setWindowTitle(BACK_UP_TITLE)
        self.db = db
        self.actor = actor
        self.ask_folder: AskFolder = ask_folder
        self.written: BackupFile | None = None
        self._default_folder = default_backup_folder(db.url)
        database = database_path(db.url)

        self.folder_edit = named(QLineEdit(str(self._default_folder)), "backupFolder")
        self.folder_edit.setMinimumWidth(self.fontMetrics().averageCharWidth() * 48)
        self.browse_button = named(QPushButton("&Choose…"), "chooseFolder")
        self.browse_button.clicked.connect(self._on_browse_clicked)
        example = backup_name(database, now_utc())
        self.name_note = muted(
            f"The backup is named with today's date and the time, e.g. {example}; one "
            "taken in the same minute gets -2 after it. Nothing is ever written over."
        )
        self.message = message_label("backupMessage")

        form = form_layout()
        form.addRow("&Save in:", folder_row(self.folder_edit, self.browse_button))

        self.buttons = QDialogButtonBox()
        self.back_up_button = named(
            self.buttons.addButton("&Back up", QDialogButtonBox.ButtonRole.AcceptRole),
            "backUpButton",
        )
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.back_up_button.setDefault(True)
        self.back_up_button.clicked.connect(self._on_back_up_clicked)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Back up the database"))
        layout.addWidget(
            muted(
                f"A copy of everything in {database.name}, taken while Kit Share goes on "
                "working. Keep copies off this PC too (another drive, or a network "
                "folder), so a dead disk loses nothing."
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.name_note)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def chosen_folder(self) -> Path | None:
        """The folder typed or chosen; None for the default, which is made if need be."""
        text = self.folder_edit.text().strip()
        if not text or Path(text) == self._default_folder:
            return None
        return Path(text)

    def back_up(self) -> BackupFile | None:
        """Take the backup; what was written, or None if refused (the dialog says why)."""
        try:
            with waiting():
                taken = back_up(self.db.url, self.actor, self.chosen_folder())
        except KitShareError as error:
            show_message(self.message, error.message, REFUSED_STYLE)
            return None
        self.written = taken
        show_message(
            self.message,
            f"Backed up to {taken.path.name} ({taken.size_text}) in {taken.path.parent}.",
            READY_STYLE,
        )
        self.back_up_button.setText("&Back up again")
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self.backed_up.emit(f"Backed up the database to {taken.path} ({taken.size_text}).")
        return taken

    def _on_back_up_clicked(self) -> None:
        self.back_up()

    def _on_browse_clicked(self) -> None:
        start = Path(self.folder_edit.text().strip() or self._default_folder)
        if not start.is_dir():
            start = self._default_folder.parent
        chosen = self.ask_folder(self, start)
        if chosen is not None:
            self.folder_edit.setText(str(chosen))


# -- Restore -------------------------------------------------------------------------------------


class RestoreDialog(QDialog):
    """Asks whether to restore a checked backup: when it was taken, what it holds, and
    that the database in use will be replaced (and kept aside). Cancel is the default."""

    def __init__(self, check: BackupCheck, warning: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle(RESTORE_TITLE)
        self.check = check

        form = form_layout()
        self.file_label = self._value(f"{check.path.name}\n{check.path.parent}", "backupFile")
        self.taken_label = self._value(format_datetime(check.taken_at), "backupTaken")
        self.holds_label = self._value(check.holds, "backupHolds")
        self.schema_label = self._value(check.schema_note(), "backupSchema")
        form.addRow("Backup:", self.file_label)
        form.addRow("Taken:", self.taken_label)
        form.addRow("Holds:", self.holds_label)
        form.addRow("Schema:", self.schema_label)

        self.warning_label = named(QLabel(warning), "restoreWarning")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(boxed(TO_DO_STYLE))

        self.buttons = QDialogButtonBox()
        self.restore_button = named(
            self.buttons.addButton("&Replace and restore", QDialogButtonBox.ButtonRole.AcceptRole),
            "restoreButton",
        )
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button.setAutoDefault(False)
        self.cancel_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Restore the database from this backup?"))
        layout.addLayout(form)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 72)

    @staticmethod
    def _value(text: str, name: str) -> QLabel:
        label = named(QLabel(text), name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label


# -- Automatic backups ---------------------------------------------------------------------------


class ScheduleDialog(QDialog):
    """Turn the daily automatic backup on or off, choose its folder and how many to keep,
    and see when the last one was taken. ``save()`` is what Save does (tests call it)."""

    schedule_saved = Signal(object)
    """The ``BackupSchedule`` now saved."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        settings_path: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("scheduleDialog")
        self.setWindowTitle(SCHEDULE_TITLE)
        self.db = db
        self.actor = actor
        self.settings_path = settings_path
        self.ask_folder: AskFolder = ask_folder
        self._default_folder = default_backup_folder(db.url)
        self._automatic_example = f"{database_path(db.url).stem}-auto-…"
        self.message = message_label("scheduleMessage")
        try:
            schedule = load_schedule(settings_path)
        except KitShareError as error:
            schedule = BackupSchedule()
            show_message(self.message, error.message, REFUSED_STYLE)

        self.enabled_check = named(
            QCheckBox("&Take a backup automatically once a day"), "scheduleEnabled"
        )
        self.enabled_check.setChecked(schedule.enabled)
        self.enabled_check.toggled.connect(self._on_enabled_toggled)
        self.folder_edit = named(
            QLineEdit(str(schedule.folder) if schedule.folder else ""), "scheduleFolder"
        )
        self.folder_edit.setPlaceholderText(str(self._default_folder))
        self.folder_edit.setToolTip("Leave empty for the backups folder beside the database.")
        self.folder_edit.setMinimumWidth(self.fontMetrics().averageCharWidth() * 48)
        self.browse_button = named(QPushButton("&Choose…"), "chooseScheduleFolder")
        self.browse_button.clicked.connect(self._on_browse_clicked)
        self.keep_spin = named(QSpinBox(), "scheduleKeep")
        self.keep_spin.setRange(1, MOST_KEPT)
        self.keep_spin.setValue(schedule.keep)
        self.keep_spin.setSuffix(" automatic backups")
        fit_spin(self.keep_spin, "366 automatic backups")
        self.keep_spin.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.last_label = named(QLabel(self._last_text(schedule)), "lastBackup")
        self.last_label.setWordWrap(True)

        form = form_layout()
        form.addRow("&Save in:", folder_row(self.folder_edit, self.browse_button))
        form.addRow("&Keep the newest:", self.keep_spin)
        form.addRow("Last taken:", self.last_label)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self._on_save_clicked)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Automatic daily backups"))
        layout.addWidget(self.enabled_check)
        layout.addLayout(form)
        layout.addWidget(
            muted(
                "Taken on this PC when someone signs in, and each day while Kit Share "
                "stays open. Beyond the number to keep, the oldest automatic backups "
                f"({self._automatic_example}) are deleted; backups taken with Back up now "
                "are always kept."
            )
        )
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 100)
        self._on_enabled_toggled(schedule.enabled)

    def schedule(self) -> BackupSchedule:
        """The schedule as the dialog shows it."""
        text = self.folder_edit.text().strip()
        return BackupSchedule(
            enabled=self.enabled_check.isChecked(),
            folder=Path(text) if text else None,
            keep=self.keep_spin.value(),
        )

    def save(self) -> bool:
        """Save the schedule and close; False (the dialog says why) if refused."""
        schedule = self.schedule()
        try:
            save_schedule(self.actor, schedule, self.settings_path)
        except KitShareError as error:
            show_message(self.message, error.message, REFUSED_STYLE)
            return False
        self.schedule_saved.emit(schedule)
        self.accept()
        return True

    def _last_text(self, schedule: BackupSchedule) -> str:
        last = last_automatic_backup(self.db.url, schedule)
        if last is None:
            return "None yet."
        return f"{format_datetime(last.taken_at)} ({last.path.name}, {last.size_text})"

    def _on_enabled_toggled(self, on: bool) -> None:
        for widget in (self.folder_edit, self.browse_button, self.keep_spin):
            widget.setEnabled(on)

    def _on_save_clicked(self) -> None:
        self.save()

    def _on_browse_clicked(self) -> None:
        text = self.folder_edit.text().strip()
        start = Path(text) if text and Path(text).is_dir() else self._default_folder.parent
        chosen = self.ask_folder(self, start)
        if chosen is not None:
            self.folder_edit.setText(str(chosen))


# -- the menu commands ---------------------------------------------------------------------------


class BackupActions(QObject):
    """Back up now…, Restore from a backup… and Automatic backups…, for the window's menu.

    Only an administrator sees them (``set_actor``); the services refuse anyone else
    whatever the menu shows. On PostgreSQL each says, in a message, to use the server's
    own tools.
    """

    backed_up = Signal(str)
    """A backup was taken; the sentence is for the status bar."""
    restored = Signal(str)
    """The database was replaced by a backup: every view must read it again. The
    sentence (what was restored, where the old database went) is for the status bar."""
    schedule_changed = Signal()
    """The automatic backup settings were saved."""

    def __init__(self, db: Database, parent: QWidget, *, settings_path: Path | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self._window = parent
        self.settings_path = settings_path
        self.actor: Actor | None = None
        self.ask_folder: AskFolder = ask_folder
        self.ask_backup_file: AskBackupFile = ask_backup_file
        self.run_dialog: RunDialog = run_dialog
        self.inform: Tell = inform
        self.report: Tell = report

        self.back_up_action = QAction("&Back up now…", parent)
        self.back_up_action.setObjectName("backUpAction")
        self.back_up_action.setStatusTip("Copy the whole database to a file, now")
        self.back_up_action.triggered.connect(self._on_back_up_triggered)
        self.restore_action = QAction("&Restore from a backup…", parent)
        self.restore_action.setObjectName("restoreAction")
        self.restore_action.setStatusTip("Replace the database with a backup, after a check")
        self.restore_action.triggered.connect(self._on_restore_triggered)
        self.schedule_action = QAction("&Automatic backups…", parent)
        self.schedule_action.setObjectName("scheduleAction")
        self.schedule_action.setStatusTip("Take a backup each day, and keep the newest few")
        self.schedule_action.triggered.connect(self._on_schedule_triggered)
        self.set_actor(None)

    def actions(self) -> list[QAction]:
        return [self.back_up_action, self.restore_action, self.schedule_action]

    def set_actor(self, actor: Actor | None) -> None:
        """Who is signed in: the commands show for an administrator only."""
        self.actor = actor
        allowed = actor is not None and may(actor, Action.BACKUP)
        for action in self.actions():
            action.setVisible(allowed)
            action.setEnabled(allowed)

    def _refused(self) -> bool:
        """Tell the person, and say True, if they may not do this here."""
        if is_postgresql(self.db.url):
            self.report(self._window, postgresql_refusal(self.db.url))
            return True
        why = refusal(self.actor or Actor("No one signed in"), Action.BACKUP)
        if why is not None:
            self.report(self._window, why)
            return True
        return False

    def back_up_now(self) -> BackupFile | None:
        """Show Back up now; the backup taken, if any."""
        if self._refused() or self.actor is None:
            return None
        dialog = BackUpDialog(self.db, self.actor, self._window)
        dialog.ask_folder = self.ask_folder
        dialog.backed_up.connect(self.backed_up)
        try:
            self.run_dialog(dialog)
            return dialog.written
        finally:
            dialog.deleteLater()

    def restore_from_backup(self) -> bool:
        """Ask for a backup, check it, confirm, restore; True if the database was replaced."""
        if self._refused() or self.actor is None:
            return False
        folder = default_backup_folder(self.db.url)
        path = self.ask_backup_file(self._window, folder if folder.is_dir() else folder.parent)
        if path is None:
            return False
        try:
            with waiting():
                staged = StagedRestore(path)
        except KitShareError as error:
            self.report(self._window, error.message)
            return False
        try:
            dialog = RestoreDialog(
                staged.check, replacement_warning(staged.check, self.db.url), self._window
            )
            try:
                if not self.run_dialog(dialog):
                    return False
            finally:
                dialog.deleteLater()
            try:
                with waiting():
                    result = staged.restore_into(self.db.url, self.actor)
            except KitShareError as error:
                self.report(self._window, error.message)
                return False
        finally:
            staged.discard()
        # Told first: the window may ask who signs in next, the accounts being the backup's.
        self.inform(self._window, result.describe())
        self.restored.emit(result.describe())
        return True

    def automatic_backups(self) -> bool:
        """Show Automatic backups; True if the settings were saved."""
        if self._refused() or self.actor is None:
            return False
        dialog = ScheduleDialog(self.db, self.actor, self._window, settings_path=self.settings_path)
        dialog.ask_folder = self.ask_folder
        try:
            saved = self.run_dialog(dialog)
        finally:
            dialog.deleteLater()
        if saved:
            self.schedule_changed.emit()
        return saved

    def _on_back_up_triggered(self) -> None:
        self.back_up_now()

    def _on_restore_triggered(self) -> None:
        self.restore_from_backup()

    def _on_schedule_triggered(self) -> None:
        self.automatic_backups()


# -- the daily automatic backup ------------------------------------------------------------------


class BackupScheduler(QObject):
    """Takes the daily automatic backup: ``start()`` after sign-in takes it if none was
    taken today, then looks again every hour while the window is open.

    ``taken`` and ``failed`` carry a sentence for the status bar; a failure is said once
    a day, not every hour. On PostgreSQL, or with the schedule off, it does nothing.
    """

    taken = Signal(str)
    failed = Signal(str)

    def __init__(
        self,
        db: Database,
        parent: QObject | None = None,
        *,
        settings_path: Path | None = None,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.settings_path = settings_path
        self.clock = clock
        self.timer = QTimer(self)
        self.timer.setInterval(SCHEDULE_CHECK_MS)
        self.timer.timeout.connect(self._on_timeout)
        self._said: set[tuple[str, str]] = set()

    def start(self) -> None:
        """Take today's backup if it is due, and keep looking every hour."""
        self.run_now()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def run_now(self) -> ScheduledBackup | None:
        """Take the automatic backup if one is due; what it did, or None."""
        if is_postgresql(self.db.url):
            return None
        moment = self.clock()
        try:
            schedule = load_schedule(self.settings_path)
            done = run_scheduled_backup(self.db.url, schedule, moment)
        except KitShareError as error:
            said = (today_uk(moment).isoformat(), error.message)
            if said not in self._said:
                self._said.add(said)
                self.failed.emit(error.message)
            return None
        if done is not None:
            self.taken.emit(done.describe())
        return done

    def _on_timeout(self) -> None:
        self.run_now()
