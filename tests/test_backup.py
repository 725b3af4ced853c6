"""Backing up and restoring a SQLite database: consistent copies while others write,
timestamped names, every reason a restore is refused, the replaced file kept aside,
and the daily schedule with its retention count. PostgreSQL is refused with the tools
to use instead."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.clock import UK
from app.core.errors import NotPermitted
from app.storage import backup, schema
from app.storage.backup import (
    BackupRefused,
    BackupSchedule,
    back_up,
    backup_due,
    check_backup,
    load_schedule,
    restore_backup,
    run_scheduled_backup,
    save_schedule,
)
from app.storage.config import sqlite_url
from app.storage.database import Database, open_database
from models import AuditEvent, Category, Role
from tests import factories as f

ADMIN = f.acting(role=Role.ADMINISTRATOR)
MANAGER = f.acting(role=Role.EQUIPMENT_MANAGER)
# 03:14 UK time on Saturday 21/11/2026 (GMT, so the same in UTC).
TAKEN = datetime(2026, 11, 21, 3, 14, tzinfo=UTC)
PG_URL = "postgresql+psycopg://kit:secret@db.example.org/kitshare"
COLUMNS = "name, tracks_fuel, tracks_hours, tracks_battery, tracks_mileage"
ROW = "(?, 0, 0, 0, 0)"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Kit Share database at the newest schema with two items, a person and a loan-less
    catalogue, built once per module."""
    path = tmp_path_factory.mktemp("backup-template") / "kitshare.db"
    db = open_database(sqlite_url(path))
    try:
        with db.write() as session:
            owner = f.agency(session, "Cambridgeshire Fire and Rescue Service")
            home = f.site(session, owner, "Huntingdon")
            lights = f.category(session, "Lighting")
            f.item(session, owner=owner, home=home, kind=lights, tag="CFR-000001")
            f.item(session, owner=owner, home=home, kind=lights, tag="CFR-000002")
            f.person(session, owner, "Paul", "Whitmore")
    finally:
        db.dispose()
    return path


@dataclass
class Station:
    """A station's live database (open, as the window keeps it) and its file."""

    path: Path
    db: Database

    @property
    def url(self) -> str:
        return self.db.url


def copy_database(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as a, closing(sqlite3.connect(target)) as b:
        a.backup(b)


@pytest.fixture
def station(tmp_path: Path, template: Path) -> Iterator[Station]:
    path = tmp_path / "station" / "kitshare.db"
    path.parent.mkdir()
    copy_database(template, path)
    db = open_database(sqlite_url(path))
    try:
        yield Station(path, db)
    finally:
        db.dispose()


def category_names(url_or_path: str | Path) -> set[str]:
    path = Path(url_or_path) if isinstance(url_or_path, Path) else Path(url_or_path[10:])
    with closing(sqlite3.connect(path)) as connection:
        return {str(row[0]) for row in connection.execute("SELECT name FROM categories")}


def add_category(db: Database, name: str) -> None:
    with db.write() as session:
        session.add(Category(name=name))


def integrity(path: Path) -> str:
    with closing(sqlite3.connect(path)) as connection:
        return ", ".join(str(row[0]) for row in connection.execute("PRAGMA integrity_check"))


def events(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as session:
        found = list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        session.expunge_all()
        return found


# -- backing up ------------------------------------------------------------------------------


def test_a_backup_is_a_timestamped_single_file_beside_the_database(station: Station) -> None:
    taken = back_up(station.url, ADMIN, now=TAKEN)

    assert taken.path == station.path.parent / "backups" / "kitshare-2026-11-21-0314.db"
    assert taken.size == taken.path.stat().st_size > 0
    assert integrity(taken.path) == "ok"
    assert category_names(taken.path) == {"Lighting"}
    # One file to carry away: no write-ahead log beside it, and none made by opening it.
    with closing(sqlite3.connect(taken.path)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert sorted(p.name for p in taken.path.parent.iterdir()) == [taken.path.name]
    assert taken.describe() == (
        f"kitshare-2026-11-21-0314.db ({backup.format_size(taken.size)}) in {taken.path.parent}"
    )
    # Who took a copy of everything is in the audit trail.
    (event,) = events(station.db, "database.backed_up")
    assert event.actor == ADMIN.name
    assert event.after == {"file": str(taken.path), "size": taken.size}


def test_names_use_uk_time_and_never_collide_within_a_minute(station: Station) -> None:
    summer = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 00:30 on 02/07 in British Summer Time
    first = back_up(station.url, ADMIN, now=summer)
    second = back_up(station.url, ADMIN, now=summer + timedelta(seconds=20))
    third = back_up(station.url, ADMIN, now=summer + timedelta(seconds=40))

    assert [b.path.name for b in (first, second, third)] == [
        "kitshare-2026-07-02-0030.db",
        "kitshare-2026-07-02-0030-2.db",
        "kitshare-2026-07-02-0030-3.db",
    ]
    assert all(integrity(b.path) == "ok" for b in (first, second, third))


def test_a_backup_goes_to_a_chosen_folder_or_file_and_never_overwrites(
    station: Station, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    in_folder = back_up(station.url, ADMIN, usb, now=TAKEN)
    assert in_folder.path == usb / "kitshare-2026-11-21-0314.db"

    named = back_up(station.url, ADMIN, usb / "before-the-import.db", now=TAKEN)
    assert named.path == usb / "before-the-import.db"
    assert category_names(named.path) == {"Lighting"}

    with pytest.raises(BackupRefused, match="never writes over a file"):
        back_up(station.url, ADMIN, usb / "before-the-import.db")
    with pytest.raises(BackupRefused, match=r"does not exist. Create it first"):
        back_up(station.url, ADMIN, tmp_path / "nowhere" / "copy.db")
    with pytest.raises(BackupRefused, match=r"There is no folder .*usb-2. Create it first"):
        back_up(station.url, ADMIN, tmp_path / "usb-2")
    assert sorted(p.name for p in usb.iterdir()) == [
        "before-the-import.db",
        "kitshare-2026-11-21-0314.db",
    ]


def test_only_an_administrator_may_back_up(station: Station) -> None:
    with pytest.raises(NotPermitted, match="only an administrator can back up or restore"):
        back_up(station.url, MANAGER)
    assert not (station.path.parent / "backups").exists()


def test_postgresql_is_refused_with_its_own_tools_named() -> None:
    for attempt in (
        lambda: back_up(PG_URL, ADMIN),
        lambda: restore_backup(PG_URL, Path("kitshare.dump"), ADMIN),
    ):
        with pytest.raises(BackupRefused) as refused:
            attempt()
        message = refused.value.message
        assert "pg_dump -Fc" in message
        assert "pg_restore --clean" in message
        assert "README" in message
        assert "“kitshare” on db.example.org" in message
        assert "secret" not in message


@pytest.mark.parametrize("journal_mode", ["wal", "delete"])
def test_a_backup_taken_while_another_connection_writes_is_a_consistent_snapshot(
    tmp_path: Path, template: Path, journal_mode: str
) -> None:
    path = tmp_path / "kitshare.db"
    copy_database(template, path)
    with closing(sqlite3.connect(path, isolation_level=None)) as setup:
        assert setup.execute(f"PRAGMA journal_mode = {journal_mode}").fetchone()[0] == journal_mode
    committed = 0
    stop = threading.Event()
    failures: list[BaseException] = []

    def write() -> None:
        # Another station adding categories two at a time, in one transaction each: a
        # snapshot holds both of a pair or neither.
        nonlocal committed
        try:
            with closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as writer:
                while not stop.is_set():
                    n = committed
                    writer.execute("BEGIN IMMEDIATE")
                    writer.execute(
                        f"INSERT INTO categories ({COLUMNS}) VALUES {ROW}, {ROW}",
                        (f"Pair {n:05d} a", f"Pair {n:05d} b"),
                    )
                    writer.execute("COMMIT")
                    committed = n + 1
                    stop.wait(0.001)  # a busy station, not a tight loop starving the rest
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while committed < 50 and writer.is_alive():
            stop.wait(0.005)
        before = committed
        taken = back_up(sqlite_url(path), ADMIN, tmp_path, now=TAKEN)
        during = committed
        while committed < during + 20 and writer.is_alive():  # it carries on afterwards
            stop.wait(0.005)
    finally:
        stop.set()
        writer.join()
    assert failures == []

    assert integrity(taken.path) == "ok"
    names = category_names(taken.path) - {"Lighting"}
    pairs = {name[:10] for name in names}
    assert len(names) == 2 * len(pairs)  # no half-written transaction
    assert pairs == {f"Pair {n:05d}" for n in range(len(pairs))}  # a prefix, no gaps
    assert before <= len(pairs) <= during
    assert len(category_names(path)) - 1 == 2 * committed
    # Taking a backup leaves the database as it was kept, journal and all.
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == journal_mode


# -- checking a backup -------------------------------------------------------------------------


@pytest.fixture
def good_backup(station: Station, tmp_path: Path) -> Path:
    return back_up(station.url, ADMIN, tmp_path, now=TAKEN).path


def test_checking_a_backup_says_when_it_was_taken_and_what_it_holds(good_backup: Path) -> None:
    check = check_backup(good_backup)

    assert check.taken_at == datetime(2026, 11, 21, 3, 14, tzinfo=UK)
    assert (check.items, check.loans, check.people) == (2, 0, 1)
    assert check.revision == schema.head_revision()
    assert not check.needs_upgrade
    assert check.summary() == (
        "kitshare-2026-11-21-0314.db, taken 21/11/2026 03:14, holds 2 items, 0 loans and 1 person."
    )


def refused_restore(station: Station, path: Path) -> str:
    """Restore ``path`` expecting a refusal; check nothing changed; return the reason."""
    before = station.path.read_bytes()
    with pytest.raises(BackupRefused) as refused:
        restore_backup(station.url, path, ADMIN, now=TAKEN)
    assert station.path.read_bytes() == before
    assert sorted(p.name for p in station.path.parent.iterdir() if "replaced" in p.name) == []
    assert category_names(station.path) == {"Lighting"}
    message = refused.value.message
    assert message.endswith("nothing was changed.") or message.endswith("Nothing was changed.")
    return message


def test_a_missing_file_is_refused(station: Station, tmp_path: Path) -> None:
    message = refused_restore(station, tmp_path / "kitshare-2026-11-20-0300.db")
    assert message.startswith("There is no file ")
    assert "choose the backup again" in message


def test_random_bytes_are_refused(station: Station, tmp_path: Path) -> None:
    noise = tmp_path / "kitshare-2026-11-20-0300.db"
    noise.write_bytes(random.Random(8).randbytes(64 * 1024))
    message = refused_restore(station, noise)
    assert "it is not a SQLite database, so not a Kit Share backup" in message


def test_a_text_file_and_an_empty_file_are_refused(station: Station, tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("Backups are on the blue USB stick.\n", encoding="utf-8")
    assert "not a SQLite database" in refused_restore(station, text)
    empty = tmp_path / "empty.db"
    empty.touch()
    assert "the file is empty" in refused_restore(station, empty)


def test_a_truncated_file_is_refused(station: Station, good_backup: Path, tmp_path: Path) -> None:
    whole = good_backup.read_bytes()
    cut = tmp_path / "cut.db"
    cut.write_bytes(whole[: len(whole) // 2])
    assert "the file is cut short" in refused_restore(station, cut)
    ragged = tmp_path / "ragged.db"
    ragged.write_bytes(whole[:-100])
    assert "the file is cut short" in refused_restore(station, ragged)


def test_a_file_with_damaged_pages_is_refused(
    station: Station, good_backup: Path, tmp_path: Path
) -> None:
    data = bytearray(good_backup.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    middle = (len(data) // page // 2) * page
    data[middle : middle + 3 * page] = random.Random(3).randbytes(3 * page)
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(bytes(data))
    # Damaged as SQLite itself sees it: the check fails, or reading the file does.
    with suppress(sqlite3.DatabaseError):
        assert integrity(damaged) != "ok"

    message = refused_restore(station, damaged)
    assert "it is damaged" in message
    assert "Use another backup" in message


def test_a_sqlite_file_that_is_not_kit_share_is_refused(station: Station, tmp_path: Path) -> None:
    other = tmp_path / "contacts.db"
    with closing(sqlite3.connect(other)) as connection:
        connection.execute("CREATE TABLE contacts (name TEXT)")
        connection.commit()
    message = refused_restore(station, other)
    assert "it is a SQLite database, but not a Kit Share one (it has no agencies table)" in message


def test_a_backup_from_a_newer_kit_share_is_refused(
    station: Station, good_backup: Path, tmp_path: Path
) -> None:
    newer = tmp_path / "newer.db"
    shutil.copyfile(good_backup, newer)
    with closing(sqlite3.connect(newer)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
        connection.commit()

    message = refused_restore(station, newer)
    assert "it was made by a newer Kit Share (schema 0099_from_the_future)" in message
    assert f"only knows schemas up to {schema.head_revision()}" in message
    assert "Install the newer Kit Share" in message


def test_the_database_in_use_is_not_a_backup(station: Station) -> None:
    assert "is the database in use" in refused_restore(station, station.path)


# -- restoring ---------------------------------------------------------------------------------


def test_a_restore_puts_the_backup_in_place_and_keeps_the_replaced_database(
    station: Station, good_backup: Path
) -> None:
    add_category(station.db, "Water rescue")  # recorded after the backup
    later = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)

    result = restore_backup(station.url, good_backup, ADMIN, now=later)

    aside = station.path.parent / "kitshare.replaced-2026-11-22-0930.db"
    assert result.set_aside == aside
    assert result.restored_from == good_backup
    assert result.upgraded_from is None
    # The data is the backup's; what it replaced is kept, whole.
    assert category_names(station.path) == {"Lighting"}
    assert category_names(aside) == {"Lighting", "Water rescue"}
    assert integrity(aside) == "ok"
    # The window's open database (its pooled connections) reads the restored data.
    with station.db.read() as session:
        assert set(session.scalars(select(Category.name))) == {"Lighting"}
    add_category(station.db, "Barriers")
    assert category_names(station.path) == {"Lighting", "Barriers"}
    assert result.describe() == (
        "Restored the backup kitshare-2026-11-21-0314.db, taken 21/11/2026 03:14 (2 items, "
        f"0 loans and 1 person). The database it replaced is kept at {aside}."
    )
    # The backup file itself was only read.
    assert check_backup(good_backup).items == 2
    (event,) = events(station.db, "database.restored")
    assert event.actor == ADMIN.name
    assert event.after is not None
    assert event.after["set_aside"] == str(aside)
    assert event.after["restored_from"] == str(good_backup)


def test_a_backup_of_an_older_schema_is_restored_then_upgraded(
    station: Station, tmp_path: Path
) -> None:
    older = tmp_path / "kitshare-2026-01-05-2200.db"
    schema.migrate(sqlite_url(older), "0005")
    with closing(sqlite3.connect(older)) as connection:
        connection.execute(f"INSERT INTO categories ({COLUMNS}) VALUES ('Drones', 0, 0, 0, 0)")
        connection.commit()
    check = check_backup(older)
    assert check.revision == "0005"
    assert check.needs_upgrade

    result = restore_backup(station.url, older, ADMIN, now=TAKEN)

    assert result.upgraded_from == "0005"
    assert "Its schema was upgraded from 0005 to" in result.describe()
    assert category_names(station.path) == {"Drones"}
    engine = station.db.engine
    assert schema.current_revision(engine) == schema.head_revision()
    # The backup file stays at its own revision: only the working copy was upgraded.
    with closing(sqlite3.connect(older)) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == ("0005",)


def test_a_backup_with_another_page_size_is_restored_into_the_live_database(
    station: Station, good_backup: Path, tmp_path: Path
) -> None:
    small_pages = tmp_path / "small-pages.db"
    shutil.copyfile(good_backup, small_pages)
    with closing(sqlite3.connect(small_pages, isolation_level=None)) as connection:
        connection.execute("PRAGMA page_size = 1024")
        connection.execute("VACUUM")
        assert connection.execute("PRAGMA page_size").fetchone() == (1024,)
    add_category(station.db, "Water rescue")

    restore_backup(station.url, small_pages, ADMIN, now=TAKEN)

    assert category_names(station.path) == {"Lighting"}
    assert integrity(station.path) == "ok"
    with station.db.read() as session:
        assert set(session.scalars(select(Category.name))) == {"Lighting"}


def test_a_restore_replaces_a_damaged_database_and_keeps_its_bytes(
    tmp_path: Path, good_backup: Path
) -> None:
    live = tmp_path / "damaged-station" / "kitshare.db"
    live.parent.mkdir()
    wreck = random.Random(5).randbytes(8192)
    live.write_bytes(wreck)

    result = restore_backup(sqlite_url(live), good_backup, ADMIN, now=TAKEN)

    assert result.set_aside == live.parent / "kitshare.replaced-2026-11-21-0314.db"
    assert result.set_aside.read_bytes() == wreck
    assert integrity(live) == "ok"
    assert category_names(live) == {"Lighting"}


def test_a_restore_onto_a_new_disk_creates_the_database(tmp_path: Path, good_backup: Path) -> None:
    live = tmp_path / "new-disk" / "kitshare.db"
    live.parent.mkdir()

    result = restore_backup(sqlite_url(live), good_backup, ADMIN, now=TAKEN)

    assert result.set_aside is None
    assert "nothing was set aside" in result.describe()
    assert category_names(live) == {"Lighting"}


def test_only_an_administrator_may_restore(station: Station, good_backup: Path) -> None:
    add_category(station.db, "Water rescue")
    with pytest.raises(NotPermitted):
        restore_backup(station.url, good_backup, MANAGER)
    assert category_names(station.path) == {"Lighting", "Water rescue"}
    assert not [p for p in station.path.parent.iterdir() if "replaced" in p.name]


# -- the daily schedule ------------------------------------------------------------------------


def test_the_schedule_is_off_until_saved_and_reads_back(tmp_path: Path) -> None:
    settings = tmp_path / "settings" / "backup-schedule.json"
    assert load_schedule(settings) == BackupSchedule(enabled=False, folder=None, keep=7)

    wanted = BackupSchedule(enabled=True, folder=tmp_path, keep=14)
    assert save_schedule(ADMIN, wanted, settings) == settings
    assert load_schedule(settings) == wanted
    assert json.loads(settings.read_text(encoding="utf-8")) == {
        "enabled": True,
        "folder": str(tmp_path),
        "keep": 14,
    }


def test_a_bad_schedule_is_refused_and_a_damaged_one_is_reported(tmp_path: Path) -> None:
    settings = tmp_path / "backup-schedule.json"
    with pytest.raises(BackupRefused, match="Keep between 1 and 366 automatic backups, not 0"):
        save_schedule(ADMIN, BackupSchedule(enabled=True, keep=0), settings)
    with pytest.raises(BackupRefused, match=r"does not exist. Create it first"):
        save_schedule(ADMIN, BackupSchedule(enabled=True, folder=tmp_path / "gone"), settings)
    with pytest.raises(NotPermitted):
        save_schedule(MANAGER, BackupSchedule(enabled=True), settings)
    assert not settings.exists()

    settings.write_text("{not json", encoding="utf-8")
    with pytest.raises(BackupRefused, match=r"cannot be read .* Set automatic backups again"):
        load_schedule(settings)


def test_one_automatic_backup_a_uk_day(station: Station) -> None:
    schedule = BackupSchedule(enabled=True)
    assert not backup_due(station.url, BackupSchedule(enabled=False), TAKEN)
    assert backup_due(station.url, schedule, TAKEN)

    evening = datetime(2026, 6, 30, 22, 0, tzinfo=UTC)  # 23:00 on 30/06, BST
    first = run_scheduled_backup(station.url, schedule, evening)
    assert first is not None
    assert first.taken.path.name == "kitshare-auto-2026-06-30-2300.db"
    assert first.deleted == ()
    assert integrity(first.taken.path) == "ok"
    # Later the same UK evening: nothing to do.
    assert run_scheduled_backup(station.url, schedule, evening + timedelta(minutes=50)) is None
    # 23:30 UTC is already 00:30 on 01/07 in the UK: a new day.
    after_midnight = evening + timedelta(minutes=90)
    assert backup_due(station.url, schedule, after_midnight)
    second = run_scheduled_backup(station.url, schedule, after_midnight)
    assert second is not None
    assert second.taken.path.name == "kitshare-auto-2026-07-01-0030.db"
    assert backup.last_automatic_backup(station.url, schedule) == second.taken
    # Automatic backups are not audited as someone's action.
    assert events(station.db, "database.backed_up") == []


def test_retention_deletes_only_the_oldest_automatic_backups(
    station: Station, tmp_path: Path
) -> None:
    folder = tmp_path / "nas"
    folder.mkdir()
    # Files the schedule did not make, some named very like its own.
    foreign = [
        "kitshare-2026-11-01-0300.db",  # taken by a person
        "kitshare.replaced-2026-11-02-0300.db",  # set aside by a restore
        "other-auto-2026-11-01-0300.db",  # another database's schedule
        "kitshare-auto-2026-11-01-0300.db.txt",
        "kitshare-auto-notes.db",
        "README.txt",
    ]
    for name in foreign:
        (folder / name).write_text("not mine", encoding="utf-8")
    (folder / "kitshare-auto-2026-11-05-0300.db").mkdir()  # a folder, however named
    schedule = BackupSchedule(enabled=True, folder=folder, keep=3)

    runs = []
    for day in range(1, 7):
        run = run_scheduled_backup(
            station.url, schedule, datetime(2026, 11, 20 + day, 7, 0, tzinfo=UTC)
        )
        assert run is not None
        runs.append(run)

    kept = [b.path.name for b in backup.automatic_backups(station.url, schedule)]
    assert kept == [
        "kitshare-auto-2026-11-24-0700.db",
        "kitshare-auto-2026-11-25-0700.db",
        "kitshare-auto-2026-11-26-0700.db",
    ]
    deleted = [p.name for run in runs for p in run.deleted]
    assert deleted == [
        "kitshare-auto-2026-11-21-0700.db",
        "kitshare-auto-2026-11-22-0700.db",
        "kitshare-auto-2026-11-23-0700.db",
    ]
    assert runs[-1].describe().endswith("; deleted 1 older automatic backup.")
    for name in foreign:
        assert (folder / name).read_text(encoding="utf-8") == "not mine"
    assert (folder / "kitshare-auto-2026-11-05-0300.db").is_dir()


def test_a_missing_schedule_folder_is_reported_and_postgresql_is_skipped(
    station: Station, tmp_path: Path
) -> None:
    unplugged = BackupSchedule(enabled=True, folder=tmp_path / "usb-stick")
    with pytest.raises(BackupRefused, match="a drive not plugged in"):
        run_scheduled_backup(station.url, unplugged, TAKEN)
    assert not (tmp_path / "usb-stick").exists()

    assert not backup_due(PG_URL, BackupSchedule(enabled=True), TAKEN)
    assert run_scheduled_backup(PG_URL, BackupSchedule(enabled=True), TAKEN) is None


def test_the_default_settings_file_is_in_the_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(backup, "data_folder", lambda: tmp_path / "KitShare")
    assert backup.schedule_settings_path() == tmp_path / "KitShare" / "backup-schedule.json"
    save_schedule(ADMIN, BackupSchedule(enabled=True, keep=3))
    assert load_schedule() == BackupSchedule(enabled=True, keep=3)
    assert os.path.exists(tmp_path / "KitShare" / "backup-schedule.json")


# -- for this account's eyes only ---------------------------------------------------------


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The umask most desktops have: new files readable by every account."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("open_umask")
def test_backups_their_folder_and_the_schedule_are_private(
    station: Station, own_data_folder: Path
) -> None:
    taken = back_up(station.url, ADMIN, now=TAKEN)
    named = back_up(station.url, ADMIN, station.path.parent / "before-the-upgrade.db", now=TAKEN)
    schedule = BackupSchedule(enabled=True, keep=3)
    settings = save_schedule(ADMIN, schedule, None)
    automatic = run_scheduled_backup(station.url, schedule, TAKEN + timedelta(days=1))

    assert automatic is not None
    assert mode_of(taken.path.parent) == 0o700
    assert mode_of(taken.path) == 0o600
    assert mode_of(named.path) == 0o600
    assert mode_of(automatic.taken.path) == 0o600
    assert settings.parent == own_data_folder
    assert mode_of(own_data_folder) == 0o700
    assert mode_of(settings) == 0o600


@pytest.mark.usefixtures("open_umask")
def test_a_database_restored_onto_a_new_disk_is_private(tmp_path: Path, good_backup: Path) -> None:
    live = tmp_path / "new-disk" / "kitshare.db"
    live.parent.mkdir()

    restore_backup(sqlite_url(live), good_backup, ADMIN, now=TAKEN)

    assert mode_of(live) == 0o600


@pytest.mark.usefixtures("open_umask")
def test_a_restore_over_a_damaged_database_keeps_its_mode_and_hides_the_wreck(
    tmp_path: Path, good_backup: Path
) -> None:
    live = tmp_path / "damaged-station" / "kitshare.db"
    live.parent.mkdir()
    live.write_bytes(random.Random(7).randbytes(8192))
    live.with_name("kitshare.db-wal").write_bytes(b"half a log")
    live.chmod(0o660)  # shared with a group on purpose

    result = restore_backup(sqlite_url(live), good_backup, ADMIN, now=TAKEN)

    assert mode_of(live) == 0o660
    assert result.set_aside is not None
    assert mode_of(result.set_aside) == 0o600
    assert mode_of(result.set_aside.with_name(result.set_aside.name + "-wal")) == 0o600
