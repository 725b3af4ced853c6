"""``kitshare-admin import`` and ``export``: exit codes, what they print, what they change.

The rules are ``app.transfer``'s, tested on both databases in ``tests/test_transfer.py``;
here one SQLite database per test (a copy of one built per module) holds the agencies,
sites and categories of ``tests.test_transfer.build_world`` and three accounts.
"""

from __future__ import annotations

import csv
import getpass
import io
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import cli
from app.cli import main
from app.cli_transfer import ProgressBar
from app.database import open_database
from app.passwords import hash_password
from models import Agency, AuditEvent, Category, EquipmentItem, Person, Role
from tests import factories
from tests.test_transfer import FIRE, POLICE, SAMPLES, build_world

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
    monkeypatch.setattr(cli, "_interactive", lambda: False)

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
