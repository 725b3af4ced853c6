"""``kitshare-admin backup``, ``backup --schedule`` and ``restore``: exit codes, what they
print, and what they leave in the database and the backups folder.

The station's database holds one agency with an administrator (``admin``) and a duty
officer (``duty``); each test has its own copy. PostgreSQL is refused before anyone is
asked for a password, so no server is needed to show it.
"""

from __future__ import annotations

import builtins
import getpass
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from app.cli import common as cli
from app.cli.main import main
from app.core.clock import format_datetime
from app.people.passwords import hash_password
from app.storage import backup, schema
from app.storage.config import sqlite_url
from app.storage.database import open_database
from models import Category, Role
from tests import factories as f

ADMIN = ("admin", "admin-backup-2026")
DUTY = ("duty", "duty-backup-2026")
PG_URL = "postgresql+psycopg://kit:secret@db.example.org:5432/kitshare"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-backup") / "kitshare.db"
    db = open_database(sqlite_url(path))
    try:
        with db.write() as session:
            owner = f.agency(session, "Cambridgeshire Constabulary")
            home = f.site(session, owner, "Parkside")
            kind = f.category(session, "Lighting")
            f.item(session, owner=owner, home=home, kind=kind, tag="CAM-000101")
            claire = f.person(session, owner, "Claire", "Ashworth")
            rachel = f.person(session, owner, "Rachel", "Holloway")
            f.app_user(session, claire, ADMIN[0], hash_password(ADMIN[1]), Role.ADMINISTRATOR)
            f.app_user(session, rachel, DUTY[0], hash_password(DUTY[1]), Role.DUTY_OFFICER)
    finally:
        db.dispose()
    return path


@pytest.fixture
def station(tmp_path: Path, template: Path) -> Path:
    """A station's own copy of the database; returns its file."""
    path = tmp_path / "station" / "kitshare.db"
    path.parent.mkdir()
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(path)) as copy:
        source.backup(copy)
    return path


@pytest.fixture(autouse=True)
def no_one_signed_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No account, no password, no terminal; the schedule's settings in this test's folder."""
    for name in (cli.USER_ENV, cli.PASSWORD_ENV, cli.NEW_PASSWORD_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cli, "interactive", lambda: False)

    def no_prompt(prompt: str = "") -> str:
        raise AssertionError(f"asked “{prompt}” with no terminal")

    monkeypatch.setattr(getpass, "getpass", no_prompt)
    monkeypatch.setattr(builtins, "input", no_prompt)
    monkeypatch.setattr(backup, "data_folder", lambda: tmp_path / "user-data")


def sign_in_as(monkeypatch: pytest.MonkeyPatch, account: tuple[str, str]) -> None:
    monkeypatch.setenv(cli.USER_ENV, account[0])
    monkeypatch.setenv(cli.PASSWORD_ENV, account[1])


def at_terminal(monkeypatch: pytest.MonkeyPatch, answer: str) -> list[str]:
    """Someone at a terminal who types ``answer`` when asked; returns the questions."""
    asked: list[str] = []

    def typed(prompt: str = "") -> str:
        asked.append(prompt)
        return answer

    monkeypatch.setattr(cli, "interactive", lambda: True)
    monkeypatch.setattr(builtins, "input", typed)
    return asked


def run(capsys: pytest.CaptureFixture[str], path: Path | str, *args: str) -> tuple[int, str, str]:
    url = path if isinstance(path, str) else sqlite_url(path)
    status = main(["--database", url, *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def categories(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as connection:
        return {str(row[0]) for row in connection.execute("SELECT name FROM categories")}


def add_category(path: Path, name: str) -> None:
    db = open_database(sqlite_url(path))
    try:
        with db.write() as session:
            session.add(Category(name=name))
    finally:
        db.dispose()


def take_backup(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, station: Path
) -> Path:
    sign_in_as(monkeypatch, ADMIN)
    status, out, err = run(capsys, station, "backup")
    assert status == cli.EXIT_OK, err
    return Path(out.removeprefix("Backed up the database to ").rsplit(" (", 1)[0])


# -- backup ------------------------------------------------------------------------------------


def test_backup_writes_a_timestamped_file_beside_the_database(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, station: Path
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    status, out, err = run(capsys, station, "backup")

    assert status == cli.EXIT_OK, err
    (written,) = (station.parent / "backups").iterdir()
    assert written.name.startswith("kitshare-")
    assert backup.taken_at_from_name(written.name) is not None
    size = backup.format_size(written.stat().st_size)
    assert out == f"Backed up the database to {written} ({size}).\n"
    assert categories(written) == {"Lighting"}


def test_backup_into_a_folder_or_a_file_and_never_over_one(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    station: Path,
    tmp_path: Path,
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    usb = tmp_path / "usb"
    usb.mkdir()
    status, out, err = run(capsys, station, "backup", str(usb))
    assert status == cli.EXIT_OK, err
    (in_folder,) = usb.iterdir()
    assert out.startswith(f"Backed up the database to {in_folder} (")

    named = usb / "before-the-import.db"
    assert run(capsys, station, "backup", str(named))[0] == cli.EXIT_OK
    assert categories(named) == {"Lighting"}

    status, out, err = run(capsys, station, "backup", str(named))
    assert status == cli.EXIT_REFUSED
    assert out == ""
    assert "already exists, and a backup never writes over a file" in err


def test_backup_needs_an_administrator_signed_in(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, station: Path
) -> None:
    status, _out, err = run(capsys, station, "backup")
    assert status == cli.EXIT_REFUSED
    assert "give --user NAME" in err

    sign_in_as(monkeypatch, DUTY)
    status, _out, err = run(capsys, station, "backup")
    assert status == cli.EXIT_REFUSED
    assert "only an administrator can back up or restore the database" in err
    assert not (station.parent / "backups").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("backup",),
        ("backup", "--schedule", "on"),
        ("restore", "kitshare-2026-11-21-0314.db", "--yes"),
    ],
)
def test_postgresql_is_refused_with_its_own_tools_named(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    # No one signed in and no server: the refusal comes before either is needed.
    status, out, err = run(capsys, PG_URL, *args)

    assert status == cli.EXIT_REFUSED
    assert out == ""
    assert "pg_dump -Fc" in err
    assert "pg_restore --clean" in err
    assert "README" in err
    assert "secret" not in err


@pytest.mark.postgres
def test_a_real_postgresql_database_is_refused_and_left_alone(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, pg_url: str
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    for args in (("backup",), ("restore", "kitshare.dump", "--yes")):
        status, out, err = run(capsys, pg_url, *args)
        assert status == cli.EXIT_REFUSED
        assert out == ""
        assert "pg_dump -Fc to take a backup and pg_restore --clean to restore one" in err
    # Refused before anything was opened, let alone migrated: still no schema.
    status, out, _err = run(capsys, pg_url, "info")
    assert status == cli.EXIT_OK
    assert "Schema:    none yet" in out


def test_keep_and_folder_only_go_with_the_schedule(
    capsys: pytest.CaptureFixture[str], station: Path
) -> None:
    status, _out, err = run(capsys, station, "backup", "--keep", "3")
    assert status == cli.EXIT_REFUSED
    assert "give them with --schedule on" in err


# -- the schedule ------------------------------------------------------------------------------


def test_the_schedule_is_set_shown_and_turned_off(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    station: Path,
    tmp_path: Path,
) -> None:
    settings = tmp_path / "user-data" / "backup-schedule.json"
    status, out, _err = run(capsys, station, "backup", "--schedule", "show")
    assert (status, out) == (cli.EXIT_OK, "Automatic daily backups are off.\n")

    status, _out, err = run(capsys, station, "backup", "--schedule", "on")
    assert status == cli.EXIT_REFUSED
    assert "give --user NAME" in err
    assert not settings.exists()

    sign_in_as(monkeypatch, ADMIN)
    nas = tmp_path / "nas"
    nas.mkdir()
    status, out, err = run(
        capsys, station, "backup", "--schedule", "on", "--keep", "14", "--folder", str(nas)
    )
    assert status == cli.EXIT_OK, err
    assert out == (
        f"Automatic daily backups are on: one a day into {nas}, keeping the newest 14 "
        "automatic backups. None has been taken yet.\n"
        f"Saved in {settings}.\n"
    )
    assert json.loads(settings.read_text(encoding="utf-8")) == {
        "enabled": True,
        "folder": str(nas),
        "keep": 14,
    }

    schedule = backup.load_schedule(settings)
    taken = backup.run_scheduled_backup(sqlite_url(station), schedule)
    assert taken is not None
    status, out, _err = run(capsys, station, "backup", "--schedule", "show")
    assert f"The last was taken {format_datetime(taken.taken.taken_at)}: " in out
    assert f"{taken.taken.path.name} ({taken.taken.size_text}).\n" in out

    status, out, _err = run(capsys, station, "backup", "--schedule", "off")
    assert (status, out.splitlines()[0]) == (cli.EXIT_OK, "Automatic daily backups are off.")
    # Turned off, it remembers where and how many for next time.
    assert backup.load_schedule(settings) == backup.BackupSchedule(False, nas, 14)


def test_a_bad_keep_count_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, station: Path
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    status, _out, err = run(capsys, station, "backup", "--schedule", "on", "--keep", "0")
    assert status == cli.EXIT_REFUSED
    assert "Keep between 1 and 366 automatic backups, not 0" in err


# -- restore -----------------------------------------------------------------------------------


def test_restore_with_yes_puts_the_backup_back_and_says_where_the_old_one_went(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, station: Path
) -> None:
    saved = take_backup(capsys, monkeypatch, station)
    add_category(station, "Water rescue")

    status, out, err = run(capsys, station, "restore", str(saved), "--yes")

    assert status == cli.EXIT_OK, err
    (aside,) = [p for p in station.parent.iterdir() if ".replaced-" in p.name]
    lines = out.splitlines()
    assert lines[0].startswith(f"Backup: {saved.name}, taken ")
    assert lines[0].endswith(", holds 1 item, 0 loans and 2 people.")
    assert lines[1] == f"Schema: {schema.head_revision()}, the one this Kit Share uses."
    assert lines[2].startswith(f"Everything in the database now in use ({station}) will be")
    assert lines[3].startswith(f"Restored the backup {saved.name}, taken ")
    assert lines[3].endswith(f"The database it replaced is kept at {aside}.")
    assert categories(station) == {"Lighting"}
    assert categories(aside) == {"Lighting", "Water rescue"}


def test_restore_without_a_terminal_or_yes_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, station: Path
) -> None:
    saved = take_backup(capsys, monkeypatch, station)
    add_category(station, "Water rescue")

    status, _out, err = run(capsys, station, "restore", str(saved))

    assert status == cli.EXIT_REFUSED
    assert "so it must be confirmed: add --yes, or run kitshare-admin in a terminal" in err
    assert categories(station) == {"Lighting", "Water rescue"}
    assert not [p for p in station.parent.iterdir() if ".replaced-" in p.name]


@pytest.mark.parametrize(("answer", "restored"), [("y", True), ("n", False), ("", False)])
def test_restore_at_a_terminal_asks_first(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    station: Path,
    answer: str,
    restored: bool,
) -> None:
    saved = take_backup(capsys, monkeypatch, station)
    add_category(station, "Water rescue")
    asked = at_terminal(monkeypatch, answer)

    status, out, _err = run(capsys, station, "restore", str(saved))

    assert asked == ["Restore this backup? Type y to go ahead: "]
    if restored:
        assert status == cli.EXIT_OK
        assert categories(station) == {"Lighting"}
    else:
        assert status == cli.EXIT_REFUSED
        assert out.endswith("Nothing was restored; the database is as it was.\n")
        assert categories(station) == {"Lighting", "Water rescue"}
        assert not [p for p in station.parent.iterdir() if ".replaced-" in p.name]


def test_restore_refuses_a_damaged_file_and_a_duty_officer(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    station: Path,
    tmp_path: Path,
) -> None:
    saved = take_backup(capsys, monkeypatch, station)
    cut = tmp_path / "cut.db"
    cut.write_bytes(saved.read_bytes()[:5000])
    add_category(station, "Water rescue")
    before = station.read_bytes()

    status, out, err = run(capsys, station, "restore", str(cut), "--yes")
    assert status == cli.EXIT_REFUSED
    assert out == ""
    assert "cut.db cannot be restored: the file is cut short" in err
    assert station.read_bytes() == before

    status, out, err = run(capsys, station, "restore", str(tmp_path / "nothing.db"), "--yes")
    assert status == cli.EXIT_REFUSED
    assert "There is no file" in err

    sign_in_as(monkeypatch, DUTY)
    status, out, err = run(capsys, station, "restore", str(saved), "--yes")
    assert status == cli.EXIT_REFUSED
    assert "only an administrator can back up or restore the database" in err
    assert categories(station) == {"Lighting", "Water rescue"}
    assert not [p for p in station.parent.iterdir() if ".replaced-" in p.name]


def test_restore_onto_a_lost_database_signs_in_with_the_backups_accounts(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    station: Path,
    tmp_path: Path,
) -> None:
    saved = take_backup(capsys, monkeypatch, station)
    new_disk = tmp_path / "new-disk" / "kitshare.db"
    new_disk.parent.mkdir()

    status, out, err = run(capsys, new_disk, "restore", str(saved), "--yes")

    assert status == cli.EXIT_OK, err
    assert f"There is no database at {new_disk}: signing in with an account in the backup." in out
    assert "nothing was set aside" in out
    assert categories(new_disk) == {"Lighting"}
