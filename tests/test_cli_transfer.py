"""``kitshare-admin import`` and ``export``: exit codes, what they print, what they change.

The rules are ``app.transfer.service``'s, tested on both databases in ``tests/test_transfer.py``;
here one SQLite database per test (a copy of one built per module) holds the agencies,
sites and categories of ``tests.test_transfer.build_world`` and three accounts.
"""

from __future__ import annotations

import csv
import getpass
import io
import json
import os
import sqlite3
import zipfile
from collections.abc import Callable
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import common as cli
from app.cli.main import main
from app.cli.transfer import ProgressBar
from app.people.passwords import hash_password
from app.storage.database import open_database
from models import Agency, AuditEvent, Category, EquipmentItem, Person, Role
from tests import factories
from tests.test_transfer import FIRE, POLICE, SAMPLES, build_world
from tests.workbooks import finished_within, with_dimension, workbook

ADMIN = ("admin", "admin-password-2026")
MANAGER = ("manager", "manager-password-2026")  # Paul Whitmore, Cambridgeshire Fire and Rescue
DUTY = ("duty", "duty-password-2026")
HEADERS = ["Asset Tag", "Name", "Category", "Company", "Location", "Qty", "Purchase Cost"]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-transfer") / "template.db"
    db = open_database(f"sqlite:///{path.as_posix()}")
    try:
        build_world(db)
        with db.write() as session:
            paul = session.scalars(select(Person).where(Person.staff_number == "CF20417")).one()
            police = session.scalars(select(Agency).where(Agency.code == "CAMBS-POL")).one()
            claire = factories.person(session, police, "Claire", "Ashworth")
            rachel = factories.person(session, police, "Rachel", "Holloway")
            for who, (username, password), role in (
                (claire, ADMIN, Role.ADMINISTRATOR),
                (paul, MANAGER, Role.EQUIPMENT_MANAGER),
                (rachel, DUTY, Role.DUTY_OFFICER),
            ):
                factories.app_user(session, who, username, hash_password(password), role)
    finally:
        db.dispose()
    return path


@pytest.fixture
def url(template: Path, tmp_path: Path) -> str:
    target = tmp_path / "kitshare.db"
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return f"sqlite:///{target.as_posix()}"


@pytest.fixture(autouse=True)
def no_one_signed_in(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (cli.USER_ENV, cli.PASSWORD_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cli, "interactive", lambda: False)

    def no_prompt(prompt: str = "") -> str:
        raise AssertionError(f"asked “{prompt}” with no terminal")

    monkeypatch.setattr(getpass, "getpass", no_prompt)


def sign_in_as(monkeypatch: pytest.MonkeyPatch, account: tuple[str, str]) -> None:
    monkeypatch.setenv(cli.USER_ENV, account[0])
    monkeypatch.setenv(cli.PASSWORD_ENV, account[1])


def run(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str, str]:
    status = main(["--database", url, *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def write_csv(path: Path, rows: list[list[str]], headers: list[str] = HEADERS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def good_rows() -> list[list[str]]:
    return [
        [
            "CFR-000201",
            "Tower light",
            "Lighting towers",
            FIRE,
            "Huntingdon Fire Station",
            "1",
            "8450",
        ],
        ["CFR-000202", "Salvage sheets", "Pumps", "CAMBS-FRS", "St Neots Fire Station", "40", ""],
        ["CFR-000203", "Light pump", "Pumps", FIRE, "St Neots Fire Station", "", "£1,200.00"],
    ]


def tally(url: str) -> tuple[int, int, int]:
    """Items, categories and import events in the database."""
    db = open_database(url)
    try:
        with db.read() as session:
            return (
                session.scalar(select(func.count()).select_from(EquipmentItem)) or 0,
                session.scalar(select(func.count()).select_from(Category)) or 0,
                session.scalar(
                    select(func.count())
                    .select_from(AuditEvent)
                    .where(AuditEvent.action.like("%.imported"))
                )
                or 0,
            )
    finally:
        db.dispose()


# -- import ------------------------------------------------------------------------------------


def test_a_dry_run_checks_every_row_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    before = tally(url)
    path = write_csv(tmp_path / "kit.csv", good_rows())
    status, out, err = run(capsys, url, "import", str(path), "--dry-run")
    assert (status, err) == (0, "")
    assert "Read 3 rows from kit.csv (UTF-8)." in out
    assert "  Asset tag ← “Asset Tag”" in out
    assert "  Owner agency ← “Company”" in out
    assert "  Replacement value (£) ← “Purchase Cost”" in out
    assert out.rstrip().endswith(
        "Dry run: all 3 rows are right; nothing was imported. Run again without --dry-run to "
        "import them."
    )
    assert tally(url) == before


def test_an_import_adds_every_row(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    items, categories, events = tally(url)
    path = write_csv(tmp_path / "kit.csv", good_rows())
    status, out, _err = run(capsys, url, "import", str(path))
    assert status == 0
    assert out.rstrip().endswith("Imported 3 items from kit.csv, all in one go.")
    assert tally(url) == (items + 3, categories, events + 1)


def test_a_bad_file_lists_each_row_and_imports_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    before = tally(url)
    rows = good_rows()
    rows[1][5] = "2.5"
    rows[2][0] = "CFR-000201"
    path = write_csv(tmp_path / "bad.csv", rows)
    status, out, _err = run(capsys, url, "import", str(path))
    assert status == 1
    assert "3 problems:" in out
    assert (
        "  row 2, “Asset Tag”: Asset tag CFR-000201 is on more than one row of the file "
        "(rows 2 and 4)"
    ) in out
    assert "  row 3, “Qty”: The quantity “2.5” is not a whole number" in out
    assert "  row 4, “Asset Tag”: Asset tag CFR-000201 is on more than one row" in out
    assert out.rstrip().endswith(
        "Nothing was imported: 3 rows need fixing. Correct the file and run the import again."
    )
    assert tally(url) == before


def test_show_limits_the_problems_listed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    rows = [[f"CFR-{n:06d}", "Cone", "Pumps", FIRE, "Nowhere", "", ""] for n in range(300, 312)]
    path = write_csv(tmp_path / "many.csv", rows)
    status, out, _err = run(capsys, url, "import", str(path), "--show", "2")
    assert status == 1
    listed = [line for line in out.splitlines() if line.startswith("  row ")]
    assert [line.split(":")[0] for line in listed] == ["  row 2, “Location”", "  row 3, “Location”"]
    assert "  … and 10 more problems in 10 rows (--show N lists more)." in out


def test_new_names_are_created_only_with_create_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    items, categories, events = tally(url)
    rows = good_rows()
    rows[0][2] = "Hovercraft"
    rows[1][4] = "Ely Fire Station"
    path = write_csv(tmp_path / "new.csv", rows)
    status, out, _err = run(capsys, url, "import", str(path))
    assert status == 1
    assert "New names in the file, not on record:" in out
    assert "  category “Hovercraft” (1 row)" in out
    assert f"  site “Ely Fire Station” for {FIRE} (1 row)" in out
    assert "They are not created: give --create-missing to create them with the import." in out
    assert tally(url) == (items, categories, events)
    status, out, _err = run(capsys, url, "import", str(path), "--create-missing", "--dry-run")
    assert status == 0
    assert "They would be created with the import." in out
    assert tally(url) == (items, categories, events)
    status, out, _err = run(capsys, url, "import", str(path), "--create-missing")
    assert status == 0, out
    assert "They are created with the import." in out
    assert out.rstrip().endswith(
        "Imported 3 items from new.csv, all in one go. Created category “Hovercraft”, "
        "site “Ely Fire Station”."
    )
    assert tally(url) == (items + 3, categories + 1, events + 1)


def test_a_mapping_given_as_json_or_a_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    headers = ["Label", "Called", "Group", "Service", "Store"]
    rows = [["CFR-000401", "Ladder", "Pumps", FIRE, "Huntingdon Fire Station"]]
    path = write_csv(tmp_path / "own.csv", rows, headers)
    status, out, _err = run(capsys, url, "import", str(path), "--dry-run")
    assert status == 1
    assert "No column is chosen for Asset tag, Name, Category and Home site" in out
    mapping = {
        "asset_tag": "label",  # typed by hand: case does not matter
        "name": "Called",
        "category": "Group",
        "owner_agency": "Service",
        "home_site": "Store",
    }
    status, out, _err = run(capsys, url, "import", str(path), "--mapping", json.dumps(mapping))
    assert status == 0, out
    assert "  Name ← “Called”" in out
    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(json.dumps({**mapping, "asset_tag": "Nope"}), encoding="utf-8")
    status, out, _err = run(capsys, url, "import", str(path), "--mapping", f"@{mapping_file}")
    assert status == 1
    assert "row 1, “Nope”: The file has no column headed “Nope”, chosen for Asset tag." in out


@pytest.mark.parametrize(
    "case",
    [
        ("{not json", "--mapping is not valid JSON"),
        ('["asset_tag"]', "--mapping must be a JSON object"),
        ("@/nowhere/mapping.json", "Could not read the mapping file"),
        # A device never ends: it was read whole, until memory ran out.
        ("@/dev/zero", "The mapping file “/dev/zero” is not a small text file"),
    ],
)
def test_a_bad_mapping_is_refused(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    tmp_path: Path,
    case: tuple[str, str],
) -> None:
    mapping, message = case
    sign_in_as(monkeypatch, ADMIN)
    path = write_csv(tmp_path / "kit.csv", good_rows())
    status, out, err = run(capsys, url, "import", str(path), "--mapping", mapping)
    assert (status, out) == (1, "")
    assert message in err


def test_a_mapping_file_that_is_a_pipe_or_not_utf8(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    path = write_csv(tmp_path / "kit.csv", good_rows())
    pipe = fifo(tmp_path / "mapping.json")
    status, _out, err = finished_within(
        20, lambda: run(capsys, url, "import", str(path), "--mapping", f"@{pipe}")
    )
    assert status == 1
    assert "is not a small text file" in err
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"name": "Désignation"}'.encode("latin-1"))
    status, _out, err = run(capsys, url, "import", str(path), "--mapping", f"@{latin}")
    assert status == 1
    assert f"The mapping file “{latin}” is not UTF-8 text." in err


def test_people_and_the_sample_files(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    for name in ("windows-1252.csv", "semicolon.csv", "snipe-it-assets.csv"):
        status, out, _err = run(capsys, url, "import", str(SAMPLES / name))
        assert status == 0, out
    assert "Read 4 rows from snipe-it-assets.csv (UTF-8)." in out
    people = write_csv(
        tmp_path / "people.csv",
        [["2391", "Daniel Okafor", "CAMBS-POL"], ["CF1", "Mary Cruz", FIRE]],
        ["Collar number", "Name", "Force"],
    )
    status, out, _err = run(capsys, url, "import", str(people), "--kind", "people")
    assert status == 0, out
    assert "  Full name ← “Name”" in out
    assert out.rstrip().endswith("Imported 2 people from people.csv, all in one go.")


def test_who_may_import(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path
) -> None:
    before = tally(url)
    path = write_csv(tmp_path / "kit.csv", good_rows())
    status, out, err = run(capsys, url, "import", str(path))
    assert (status, out) == (1, "")
    assert "changes data, so it is done as a named user" in err
    sign_in_as(monkeypatch, DUTY)
    status, out, err = run(capsys, url, "import", str(path), "--dry-run")
    assert status == 1
    assert "only an equipment manager or an administrator can change the catalogue" in err
    sign_in_as(monkeypatch, MANAGER)
    police = write_csv(
        tmp_path / "police.csv",
        [["CAM-000501", "Barrier", "Pumps", POLICE, "Parkside Police Station", "", ""]],
    )
    status, out, _err = run(capsys, url, "import", str(police))
    assert status == 1
    assert "equipment manager for another agency" in out
    assert tally(url) == before


def test_a_file_that_is_not_a_table(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64))
    status, out, err = run(capsys, url, "import", str(path))
    assert (status, out) == (1, "")
    assert "“old.xls” is an old-style Excel file" in err


def test_a_workbook_whose_stored_size_is_wrong_imports_every_row(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path
) -> None:
    # Was "Read 1 row … Imported 1 item … all in one go", exit 0: four rows lost in silence.
    sign_in_as(monkeypatch, ADMIN)
    items, categories, events = tally(url)
    path = workbook(
        tmp_path / "kit.xlsx",
        ("Asset tag", "Name", "Category", "Owner agency", "Home site"),
        *[
            (f"CFR-00030{n}", f"Cone {n}", "Pumps", "CAMBS-FRS", "Huntingdon Fire Station")
            for n in range(5)
        ],
    )
    with_dimension(path, "A1:E2")
    status, out, err = run(capsys, url, "import", str(path))
    assert (status, err) == (0, "")
    assert "Read 5 rows from kit.xlsx (Excel workbook)." in out
    assert out.rstrip().endswith("Imported 5 items from kit.xlsx, all in one go.")
    assert tally(url) == (items + 5, categories, events + 1)


US_HEADERS = ["Asset Tag", "Name", "Category", "Company", "Location", "Purchase Date"]


def us_rows(*dates: str) -> list[list[str]]:
    return [
        [f"CFR-00040{n}", "Cone", "Pumps", FIRE, "Huntingdon Fire Station", when]
        for n, when in enumerate(dates)
    ]


def test_the_dry_run_says_how_dates_are_read_and_dates_chooses(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    path = write_csv(tmp_path / "us.csv", us_rows("3/1/2023", "8/25/22"), US_HEADERS)
    status, out, _err = run(capsys, url, "import", str(path), "--dry-run")
    assert status == 0
    assert (
        "How the file was read:\n"
        "  Purchase Date read as month/day/year, e.g. 8/25/22 → 25/08/2022 (8/25/22 fits no "
        "other order).\n"
        "  (--dates day-first or --dates month-first chooses how such dates are read.)\n"
    ) in out
    status, out, _err = run(capsys, url, "import", str(path), "--dry-run", "--dates", "day-first")
    assert status == 1
    assert "  Purchase Date read as day/month/year, as chosen, e.g. 3/1/2023 → 03/01/2023." in out
    assert "  row 3, “Purchase Date”: The date acquired “8/25/22” cannot be read as " in out
    # Nothing in the file settles it: said, and chosen with --dates.
    ambiguous = write_csv(tmp_path / "either.csv", us_rows("3/1/2023"), US_HEADERS)
    status, out, _err = run(capsys, url, "import", str(ambiguous), "--dates", "month-first")
    assert status == 0
    db = open_database(url)
    try:
        with db.read() as session:
            acquired = session.scalar(
                select(EquipmentItem.acquired_on).where(EquipmentItem.asset_tag == "CFR-000400")
            )
    finally:
        db.dispose()
    assert acquired == date(2023, 3, 1)


def test_a_snipe_it_export_imports_from_the_command_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    items, _categories, _events = tally(url)
    sample = str(SAMPLES / "snipe-it-us-export.csv")
    status, out, _err = run(capsys, url, "import", sample, "--dry-run", "--create-missing")
    assert status == 0, out
    assert "  Status “Lost” (1 row): imported as retired." in out
    assert (
        "  Status “Out for Repair” (1 row): imported out of service, with an open unsafe "
        "defect “Imported as Out for Repair from snipe-it-us-export.csv”"
    ) in out
    status, out, _err = run(capsys, url, "import", sample, "--create-missing")
    assert status == 0
    assert "Imported 10 items from snipe-it-us-export.csv, all in one go." in out
    assert tally(url)[0] == items + 10


def sparse(path: Path) -> Path:
    with path.open("wb") as handle:
        handle.truncate(3 * 1024**3)
    return path


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def zipped(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    return path


def wide(path: Path) -> Path:
    write_csv(path, [["x"] * 10_000], [f"c{n}" for n in range(10_000)])
    return path


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda _: Path("/dev/zero"), "“/dev/zero” is a device, not a file Kit Share can import"),
        (lambda folder: fifo(folder / "pipe.csv"), "is a named pipe, not a file Kit Share"),
        (lambda folder: sparse(folder / "huge.csv"), "imports files of up to 50 MB"),
        (lambda folder: folder, "is a folder. Choose the file to import in it."),
        (lambda folder: zipped(folder / "notes.xlsx"), "is a zip archive or another program's"),
        (lambda folder: wide(folder / "wide.csv"), "has 10,000 columns, and Kit Share reads"),
    ],
    ids=["dev-zero", "fifo", "3 GB sparse", "folder", "zip", "10,000 columns"],
)
def test_what_cannot_be_imported_gets_a_sentence_and_no_wait(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    tmp_path: Path,
    *,
    make: Callable[[Path], Path],
    said: str,
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    path = make(tmp_path)
    status, out, err = finished_within(20, lambda: run(capsys, url, "import", str(path)))
    assert (status, out) == (1, "")
    assert said in err
    assert "Traceback" not in err


# -- export --------------------------------------------------------------------------------------


def test_export_items_and_loans_need_no_sign_in(
    capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path
) -> None:
    status, out, err = run(capsys, url, "export", "items", str(tmp_path / "items.xlsx"))
    assert (status, err) == (0, "")
    assert out == f"Exported 1 item to {tmp_path / 'items.xlsx'}.\n"
    status, out, _err = run(capsys, url, "export", "loans", str(tmp_path / "loans.csv"))
    assert (status, out) == (0, f"Exported 0 loans to {tmp_path / 'loans.csv'}.\n")


def test_export_people_needs_an_administrator(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path
) -> None:
    target = tmp_path / "people.csv"
    status, _out, err = run(capsys, url, "export", "people", str(target))
    assert status == 1
    assert "Exporting people needs an administrator to sign in: give --user NAME" in err
    sign_in_as(monkeypatch, DUTY)
    status, _out, err = run(capsys, url, "export", "people", str(target))
    assert status == 1
    assert "only an administrator can export the people list" in err
    assert not target.exists()
    sign_in_as(monkeypatch, ADMIN)
    status, out, _err = run(capsys, url, "export", "people", str(target))
    assert (status, out) == (0, f"Exported 3 people to {target}.\n")


def test_an_export_to_a_bad_name(
    capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path
) -> None:
    status, out, err = run(capsys, url, "export", "items", str(tmp_path / "items.ods"))
    assert (status, out) == (1, "")
    assert "Kit Share writes .csv and .xlsx files" in err


def test_an_export_imports_back(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    path = write_csv(tmp_path / "kit.csv", good_rows())
    assert run(capsys, url, "import", str(path))[0] == 0
    exported = tmp_path / "catalogue.csv"
    assert run(capsys, url, "export", "items", str(exported))[0] == 0
    # Into the same database every tag is taken: the check says so for each row.
    status, out, _err = run(capsys, url, "import", str(exported), "--dry-run")
    assert status == 1
    assert out.count("is already in the catalogue") == 4


# -- the progress bar ---------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_is_drawn_only_on_a_terminal() -> None:
    terminal = Terminal()
    bar = ProgressBar("Importing", terminal)
    assert bar(0, 200)
    assert bar(100, 200)
    assert bar(200, 200)
    bar.finish()
    assert terminal.getvalue() == (
        "\rImporting [------------------------------]   0%"
        "\rImporting [###############---------------]  50%"
        "\rImporting [##############################] 100%\n"
    )
    piped = io.StringIO()
    bar = ProgressBar("Importing", piped)
    assert bar(100, 200)
    bar.finish()
    assert piped.getvalue() == ""


def test_no_progress_bar_when_stderr_is_not_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path
) -> None:
    sign_in_as(monkeypatch, ADMIN)
    rows = [
        [f"CFR-{n:06d}", "Cone", "Pumps", FIRE, "Huntingdon Fire Station", "", ""]
        for n in range(1000, 2100)
    ]
    path = write_csv(tmp_path / "long.csv", rows)
    status, _out, err = run(capsys, url, "import", str(path))
    assert (status, err) == (0, "")
