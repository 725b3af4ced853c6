"""Back up now…, Restore from a backup…, Automatic backups… and the daily scheduler, on
the small catalogue, with every question answered through the dialogs' seams (no modal
``exec()``): who sees the commands, what each dialog shows, a declined restore changing
nothing, an accepted one replacing the data and saying where the old database went."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from app.core.actor import Actor
from app.storage.backup import BackupSchedule, back_up, format_size, load_schedule, save_schedule
from app.storage.database import Database
from app.storage.engine import create_database_engine
from models import Category, Role
from tests.ui.driving import ADMINISTRATOR
from tests.ui.seed import Catalogue
from ui.backup.dialogs import (
    BackupActions,
    BackUpDialog,
    BackupScheduler,
    RestoreDialog,
    ScheduleDialog,
)

DUTY_OFFICER = Actor("Rachel Holloway (test)", role=Role.DUTY_OFFICER)
PG_URL = "postgresql+psycopg://kit:secret@db.example.org/kitshare"
TAKEN = datetime(2026, 11, 21, 3, 14, tzinfo=UTC)


class Answers:
    """The person's side of the dialogs: what they choose, and what they were told."""

    def __init__(self) -> None:
        self.told: list[str] = []
        self.warned: list[str] = []
        self.dialogs: list[QDialog] = []

    def inform(self, _parent: QWidget, text: str) -> None:
        self.told.append(text)

    def report(self, _parent: QWidget, text: str) -> None:
        self.warned.append(text)


@pytest.fixture
def answers() -> Answers:
    return Answers()


@pytest.fixture
def actions(qtbot: QtBot, catalogue: Catalogue, answers: Answers, tmp_path: Path) -> BackupActions:
    host = QWidget()
    qtbot.addWidget(host)
    made = BackupActions(catalogue.db, host, settings_path=tmp_path / "settings.json")
    made.set_actor(ADMINISTRATOR)
    made.inform = answers.inform
    made.report = answers.report

    def never(dialog: QDialog) -> bool:
        raise AssertionError(f"{dialog.objectName()} was shown")

    made.run_dialog = never
    return made


def names(db: Database) -> set[str]:
    with db.read() as session:
        return set(session.scalars(select(Category.name)))


def add_category(db: Database, name: str) -> None:
    with db.write() as session:
        session.add(Category(name=name))


def replaced_files(catalogue: Catalogue) -> list[Path]:
    return [p for p in catalogue.path.parent.iterdir() if ".replaced-" in p.name]


# -- who sees the commands ---------------------------------------------------------------------


def test_only_an_administrator_sees_the_backup_commands(actions: BackupActions) -> None:
    texts = [a.text() for a in actions.actions()]
    assert texts == ["&Back up now…", "&Restore from a backup…", "&Automatic backups…"]
    assert all(a.isVisible() and a.isEnabled() for a in actions.actions())

    for someone in (DUTY_OFFICER, None):
        actions.set_actor(someone)
        assert not any(a.isVisible() or a.isEnabled() for a in actions.actions())


def test_a_duty_officer_is_told_why_not_if_a_command_is_triggered(
    actions: BackupActions, answers: Answers, catalogue: Catalogue
) -> None:
    actions.set_actor(DUTY_OFFICER)
    assert actions.back_up_now() is None
    assert answers.warned == [
        "Rachel Holloway (test) is signed in as a duty officer, and only an administrator "
        "can back up or restore the database. Ask one to do it, or sign in as one."
    ]
    assert not (catalogue.path.parent / "backups").exists()


def test_on_postgresql_each_command_names_the_servers_tools(qtbot: QtBot, answers: Answers) -> None:
    engine = create_database_engine(PG_URL)  # never connects: nothing is asked of it
    db = Database(PG_URL, engine, sessionmaker(engine), sessionmaker(engine))
    host = QWidget()
    qtbot.addWidget(host)
    actions = BackupActions(db, host)
    actions.set_actor(ADMINISTRATOR)
    actions.report = answers.report
    actions.run_dialog = lambda dialog: pytest.fail("no dialog on PostgreSQL")

    assert actions.back_up_now() is None
    assert actions.restore_from_backup() is False
    assert actions.automatic_backups() is False

    assert len(answers.warned) == 3
    for text in answers.warned:
        assert "pg_dump -Fc" in text
        assert "pg_restore --clean" in text
        assert "README" in text
    engine.dispose()


# -- Back up now -------------------------------------------------------------------------------


def test_back_up_now_writes_to_the_backups_folder_and_names_the_file(
    qtbot: QtBot, actions: BackupActions, catalogue: Catalogue
) -> None:
    shown: list[BackUpDialog] = []

    def press_back_up(dialog: QDialog) -> bool:
        assert isinstance(dialog, BackUpDialog)
        shown.append(dialog)
        assert dialog.folder_edit.text() == str(catalogue.path.parent / "backups")
        with qtbot.waitSignal(dialog.backed_up) as signal:
            dialog.back_up_button.click()
        assert dialog.written is not None
        assert signal.args == [
            f"Backed up the database to {dialog.written.path} ({dialog.written.size_text})."
        ]
        return True

    actions.run_dialog = press_back_up
    with qtbot.waitSignal(actions.backed_up):
        taken = actions.back_up_now()

    assert taken is not None
    assert taken.path.parent == catalogue.path.parent / "backups"
    assert taken.path.name.startswith("ui-")
    assert taken.path.is_file()
    (dialog,) = shown
    assert dialog.message.text() == (
        f"Backed up to {taken.path.name} ({taken.size_text}) in {taken.path.parent}."
    )
    assert dialog.back_up_button.text() == "&Back up again"


def test_back_up_now_into_a_chosen_folder_and_a_refusal_in_the_dialog(
    qtbot: QtBot, catalogue: Catalogue, tmp_path: Path
) -> None:
    dialog = BackUpDialog(catalogue.db, ADMINISTRATOR)
    qtbot.addWidget(dialog)
    usb = tmp_path / "usb"
    usb.mkdir()
    asked: list[Path] = []

    def choose(_parent: QWidget, start: Path) -> Path:
        asked.append(start)
        return usb

    dialog.ask_folder = choose
    dialog.browse_button.click()
    assert asked == [catalogue.path.parent]  # the backups folder is not made until needed
    assert dialog.folder_edit.text() == str(usb)
    taken = dialog.back_up()
    assert taken is not None
    assert taken.path.parent == usb

    dialog.folder_edit.setText(str(tmp_path / "unplugged"))
    with qtbot.assertNotEmitted(dialog.backed_up):
        assert dialog.back_up() is None
    assert dialog.message.isVisibleTo(dialog)
    assert dialog.message.text().startswith(f"There is no folder {tmp_path / 'unplugged'}.")


# -- Restore -----------------------------------------------------------------------------------


@pytest.fixture
def saved(catalogue: Catalogue, tmp_path: Path) -> Path:
    """A backup of the small catalogue, taken at 03:14 on 21/11/2026; then a category is
    added that the backup does not hold."""
    folder = tmp_path / "backups"
    folder.mkdir()
    path = back_up(catalogue.db.url, ADMINISTRATOR, folder, now=TAKEN).path
    add_category(catalogue.db, "Water rescue")
    return path


def test_restore_shows_what_the_backup_holds_and_declining_changes_nothing(
    qtbot: QtBot, actions: BackupActions, answers: Answers, catalogue: Catalogue, saved: Path
) -> None:
    before = names(catalogue.db)
    starts: list[Path] = []

    def choose(_parent: QWidget, start: Path) -> Path:
        starts.append(start)
        return saved

    def decline(dialog: QDialog) -> bool:
        assert isinstance(dialog, RestoreDialog)
        answers.dialogs.append(dialog)
        assert dialog.file_label.text() == f"{saved.name}\n{saved.parent}"
        assert dialog.taken_label.text() == "21/11/2026 03:14"
        assert dialog.holds_label.text() == "4 items, 1 loan and 0 people"
        assert dialog.schema_label.text().endswith(", the one this Kit Share uses")
        warning = dialog.warning_label.text()
        assert warning.startswith(
            f"Everything in the database now in use ({catalogue.path}) will be replaced"
        )
        assert "anything recorded after 21/11/2026 03:14 will no longer show" in warning
        assert "first kept aside beside it, as ui.replaced-" in warning
        assert dialog.cancel_button.isDefault()
        assert not dialog.restore_button.isDefault()
        return False

    actions.ask_backup_file = choose
    actions.run_dialog = decline
    with qtbot.assertNotEmitted(actions.restored):
        assert actions.restore_from_backup() is False

    assert starts == [saved.parent]
    assert len(answers.dialogs) == 1
    assert names(catalogue.db) == before
    assert "Water rescue" in before
    assert replaced_files(catalogue) == []
    assert answers.told == answers.warned == []


def test_restore_accepted_replaces_the_data_and_keeps_the_old_database(
    qtbot: QtBot, actions: BackupActions, answers: Answers, catalogue: Catalogue, saved: Path
) -> None:
    actions.ask_backup_file = lambda _parent, _start: saved
    actions.run_dialog = lambda dialog: isinstance(dialog, RestoreDialog)

    with qtbot.waitSignal(actions.restored) as signal:
        assert actions.restore_from_backup() is True

    (aside,) = replaced_files(catalogue)
    message = signal.args[0]
    assert message.startswith(f"Restored the backup {saved.name}, taken 21/11/2026 03:14 (")
    assert message.endswith(f"The database it replaced is kept at {aside}.")
    assert answers.told == [message]
    assert "Water rescue" not in names(catalogue.db)  # the window's own connection sees it
    assert "Drones" in names(catalogue.db)


def test_restore_refuses_a_file_that_is_not_a_backup_before_asking(
    actions: BackupActions, answers: Answers, catalogue: Catalogue, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("The backups are on the blue USB stick.", encoding="utf-8")
    actions.ask_backup_file = lambda _parent, _start: notes
    before = catalogue.path.read_bytes()

    assert actions.restore_from_backup() is False

    (warning,) = answers.warned
    assert warning.startswith("notes.db cannot be restored: it is not a SQLite database")
    assert warning.endswith("Nothing was changed.")
    assert catalogue.path.read_bytes() == before
    assert replaced_files(catalogue) == []


def test_choosing_no_file_does_nothing(actions: BackupActions, answers: Answers) -> None:
    actions.ask_backup_file = lambda _parent, _start: None
    assert actions.restore_from_backup() is False
    assert answers.warned == answers.told == []


# -- Automatic backups -------------------------------------------------------------------------


def test_automatic_backups_are_set_in_their_dialog(
    qtbot: QtBot, actions: BackupActions, catalogue: Catalogue, tmp_path: Path
) -> None:
    settings = tmp_path / "settings.json"
    nas = tmp_path / "nas"
    nas.mkdir()

    def set_up(dialog: QDialog) -> bool:
        assert isinstance(dialog, ScheduleDialog)
        assert not dialog.enabled_check.isChecked()
        assert not dialog.keep_spin.isEnabled()
        assert dialog.last_label.text() == "None yet."
        dialog.enabled_check.setChecked(True)
        assert dialog.keep_spin.isEnabled()
        assert dialog.folder_edit.placeholderText() == str(catalogue.path.parent / "backups")
        dialog.folder_edit.setText(str(nas))
        dialog.keep_spin.setValue(14)
        with qtbot.waitSignal(dialog.schedule_saved) as signal:
            dialog.save_button.click()
        assert signal.args == [BackupSchedule(enabled=True, folder=nas, keep=14)]
        return dialog.result() == QDialog.DialogCode.Accepted

    actions.run_dialog = set_up
    with qtbot.waitSignal(actions.schedule_changed):
        assert actions.automatic_backups() is True

    assert json.loads(settings.read_text(encoding="utf-8")) == {
        "enabled": True,
        "folder": str(nas),
        "keep": 14,
    }


def test_the_schedule_dialog_shows_the_last_backup_and_refuses_a_missing_folder(
    qtbot: QtBot, catalogue: Catalogue, tmp_path: Path
) -> None:
    settings = tmp_path / "settings.json"
    schedule = BackupSchedule(enabled=True, keep=3)
    save_schedule(ADMINISTRATOR, schedule, settings)
    scheduler = BackupScheduler(catalogue.db, settings_path=settings, clock=lambda: TAKEN)
    taken = scheduler.run_now()
    assert taken is not None

    dialog = ScheduleDialog(catalogue.db, ADMINISTRATOR, settings_path=settings)
    qtbot.addWidget(dialog)
    assert dialog.enabled_check.isChecked()
    assert dialog.keep_spin.value() == 3
    assert dialog.folder_edit.text() == ""
    assert dialog.last_label.text() == (
        f"21/11/2026 03:14 (ui-auto-2026-11-21-0314.db, {taken.taken.size_text})"
    )

    dialog.folder_edit.setText(str(tmp_path / "unplugged"))
    with qtbot.assertNotEmitted(dialog.schedule_saved):
        assert dialog.save() is False
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "does not exist. Create it first" in dialog.message.text()
    assert load_schedule(settings) == schedule


def test_a_damaged_settings_file_is_said_and_replaced_on_save(
    qtbot: QtBot, catalogue: Catalogue, tmp_path: Path
) -> None:
    settings = tmp_path / "settings.json"
    settings.write_text("{half a file", encoding="utf-8")
    dialog = ScheduleDialog(catalogue.db, ADMINISTRATOR, settings_path=settings)
    qtbot.addWidget(dialog)
    assert dialog.message.text().startswith(f"The automatic backup settings in {settings}")
    assert not dialog.enabled_check.isChecked()

    dialog.enabled_check.setChecked(True)
    assert dialog.save() is True
    assert load_schedule(settings) == BackupSchedule(enabled=True)


# -- the scheduler -----------------------------------------------------------------------------


def test_the_scheduler_takes_one_backup_a_day_and_says_so(
    qtbot: QtBot, catalogue: Catalogue, tmp_path: Path
) -> None:
    settings = tmp_path / "settings.json"
    save_schedule(ADMINISTRATOR, BackupSchedule(enabled=True, keep=2), settings)
    now = [TAKEN]
    scheduler = BackupScheduler(catalogue.db, settings_path=settings, clock=lambda: now[0])

    with qtbot.waitSignal(scheduler.taken) as signal:
        scheduler.start()
    assert scheduler.timer.isActive()
    written = tmp_path / "backups" / "ui-auto-2026-11-21-0314.db"
    assert signal.args == [
        f"Automatic backup taken: {written.name} ({format_size(written.stat().st_size)}) "
        f"in {written.parent}."
    ]

    now[0] = TAKEN + timedelta(hours=5)
    with qtbot.assertNotEmitted(scheduler.taken):
        assert scheduler.run_now() is None

    for day in (1, 2):
        now[0] = TAKEN + timedelta(days=day)
        assert scheduler.run_now() is not None
    kept = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert kept == ["ui-auto-2026-11-22-0314.db", "ui-auto-2026-11-23-0314.db"]
    scheduler.stop()
    assert not scheduler.timer.isActive()


def test_the_scheduler_says_a_failure_once_a_day_and_nothing_when_off(
    qtbot: QtBot, catalogue: Catalogue, tmp_path: Path
) -> None:
    settings = tmp_path / "settings.json"
    now = [TAKEN]
    scheduler = BackupScheduler(catalogue.db, settings_path=settings, clock=lambda: now[0])
    with qtbot.assertNotEmitted(scheduler.taken), qtbot.assertNotEmitted(scheduler.failed):
        assert scheduler.run_now() is None  # never set up: off

    usb = tmp_path / "usb"
    usb.mkdir()
    save_schedule(ADMINISTRATOR, BackupSchedule(enabled=True, folder=usb), settings)
    usb.rmdir()  # unplugged
    with qtbot.waitSignal(scheduler.failed) as signal:
        scheduler.run_now()
    assert "a drive not plugged in?" in signal.args[0]
    now[0] = TAKEN + timedelta(hours=1)
    with qtbot.assertNotEmitted(scheduler.failed):
        scheduler.run_now()
    now[0] = TAKEN + timedelta(days=1)
    with qtbot.waitSignal(scheduler.failed):
        scheduler.run_now()
