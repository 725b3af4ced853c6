"""``kitshare-admin``: migrate, seed-demo and info on both databases, and its refusals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from app.cli import common as cli
from app.cli.main import main
from app.storage import config
from tests.test_database_errors import BAD_URLS, no_part_of_the_password


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def table_count(info_output: str, table: str) -> int:
    for line in info_output.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == table:
            return int(parts[1])
    raise AssertionError(f"{table} not listed in:\n{info_output}")


def test_migrate_seed_and_info(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--database", db_url, "migrate")
    assert status == 0
    assert "Upgraded the database schema from empty to" in out

    status, out, _ = run(capsys, "--database", db_url, "migrate")
    assert status == 0
    assert "already the newest" in out

    status, out, _ = run(capsys, "--database", db_url, "seed-demo")
    assert status == 0
    assert "Loaded the Cambridgeshire demo data" in out

    status, out, _ = run(capsys, "--database", db_url, "info")
    assert status == 0
    assert "(newest)" in out
    assert table_count(out, "equipment_items") >= 80
    assert table_count(out, "mous") >= 3
    assert table_count(out, "people") >= 20

    status, _, err = run(capsys, "--database", db_url, "seed-demo")
    assert status == 1
    assert "already holds records" in err
    _, after, _ = run(capsys, "--database", db_url, "info")
    assert table_count(after, "equipment_items") == table_count(out, "equipment_items")


def test_info_on_a_new_file_says_to_migrate(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "--database", sqlite_url, "info")
    assert status == 0
    assert "run `kitshare-admin migrate`" in out


@pytest.mark.postgres
def test_info_masks_the_password(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    # The test cluster trusts local connections, so any password gets in.
    with_password = make_url(pg_url).set(password="s3cret-pw").render_as_string(False)
    status, out, _ = run(capsys, "--database", with_password, "info")
    assert status == 0
    assert "***" in out
    assert "s3cret-pw" not in out


def test_corrupt_file_exits_1_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("shopping list: milk, eggs\n")
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "--database", f"sqlite:///{path}", "info"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "not a Kit Share database" in result.stderr
    assert path.read_text() == "shopping list: milk, eggs\n"


def test_database_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(config, "data_folder", lambda: tmp_path)
    monkeypatch.delenv(config.ENV_DATABASE_URL, raising=False)
    assert config.resolve_database_url(None) == f"sqlite:///{tmp_path}/kitshare.db"
    assert config.resolve_database_url(None, demo=True) == f"sqlite:///{tmp_path}/kitshare-demo.db"

    monkeypatch.setenv(config.ENV_DATABASE_URL, "postgresql://kit@db.example/kitshare")
    assert config.resolve_database_url(None) == "postgresql+psycopg://kit@db.example/kitshare"
    assert config.resolve_database_url("sqlite:///given.db") == "sqlite:///given.db"


def test_masked_url_hides_only_the_password() -> None:
    masked = config.masked_url("postgresql+psycopg://kit:hunter2@db.example:5432/kitshare")
    assert masked == "postgresql+psycopg://kit:***@db.example:5432/kitshare"


def test_search_prints_json_rows(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    status, out, _ = run(capsys, "--database", demo_url, "search", "drone", "--json")
    assert status == 0
    rows = json.loads(out)
    assert rows
    required = {
        "tag",
        "name",
        "category",
        "agency",
        "site",
        "status",
        "quantity",
        "available_quantity",
    }
    assert all(required <= set(row) for row in rows)
    # Descriptions count too (a generator "for charging drone batteries"), so: mostly drones.
    assert sum(row["category"] == "Drones" for row in rows) >= 10
    assert rows[0]["category"] == "Drones"

    status, out, _ = run(
        capsys,
        "--database",
        demo_url,
        "search",
        "barrier",
        "--agency",
        "CAMBS-FRS",
        "--available-from",
        "01/06/2030 08:00",
        "--available-to",
        "02/06/2030 08:00",
        "--quantity",
        "5",
        "--json",
    )
    assert status == 0
    rows = json.loads(out)
    assert rows
    assert all(row["agency_code"] == "CAMBS-FRS" and row["available_quantity"] >= 5 for row in rows)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--available-from", "32/13/2026", "--available-to", "01/01/2027"], "DD/MM/YYYY HH:MM"),
        (["--available-from", "02/01/2027", "--available-to", "01/01/2027"], "must be after"),
        (["--available-from", "01/01/2027"], "both ends"),
        (["--limit", "0"], "--limit"),
    ],
)
def test_search_refusals(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    status, _, err = run(capsys, "--database", sqlite_url, "search", "drone", *args)
    assert status == 1
    assert message in err


def test_qualifications_expiring_soon(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    # Booking renewals is a manager's job: the list is read as one.
    monkeypatch.setenv(cli.USER_ENV, "manager")
    monkeypatch.setenv(cli.PASSWORD_ENV, "manager-demo-2026")
    # The demo's qualifications expire relative to today: Jess Parfitt's two water rescue
    # modules in 14 days, Sophie Turnbull's drone pilot in 20, Gareth Pryce's method of
    # entry in 25; Liam Chapman's lapsed 45 days ago and is not "expiring".
    status, out, err = run(capsys, "--database", demo_url, "qualifications", "--expiring")
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["Expires", "on", "Person", "Staff"]
    assert [line.split()[1:3] for line in lines[1:-1]] == [
        ["Jess", "Parfitt"],
        ["Jess", "Parfitt"],
        ["Sophie", "Turnbull"],
        ["Gareth", "Pryce"],
    ]
    assert lines[1].endswith("Expires in 14 days")
    assert lines[-1] == "4 qualifications expire in the next 30 days."
    assert "Chapman" not in out

    status, out, _ = run(
        capsys, "--database", demo_url, "qualifications", "--expiring", "--days", "15", "--json"
    )
    assert status == 0
    rows = json.loads(out)
    assert [(r["person"], r["staff_number"], r["days_left"]) for r in rows] == [
        ("Jess Parfitt", "CF16034", 14),
        ("Jess Parfitt", "CF16034", 14),
    ]
    assert {r["agency_code"] for r in rows} == {"CAMBS-FRS"}
    assert all(len(r["expires_on"]) == 10 for r in rows)  # an ISO date

    status, out, _ = run(
        capsys, "--database", demo_url, "qualifications", "--expiring", "--agency", "cambs-pol"
    )
    assert status == 0
    assert "Jess Parfitt" not in out
    assert out.splitlines()[-1] == (
        "2 qualifications expire in the next 30 days for Cambridgeshire Constabulary."
    )

    status, out, _ = run(
        capsys, "--database", demo_url, "qualifications", "--expiring", "--days", "3"
    )
    assert out == "No qualifications expire in the next 3 days.\n"

    status, _, err = run(
        capsys, "--database", demo_url, "qualifications", "--expiring", "--days", "-1"
    )
    assert status == 1
    assert "Give a number of days from 0 upwards" in err

    with pytest.raises(SystemExit) as stopped:
        main(["--database", demo_url, "qualifications"])
    assert stopped.value.code == 2
    assert "--expiring lists those expiring soon" in capsys.readouterr().err


@pytest.mark.parametrize(("url", "words"), BAD_URLS)
def test_a_mistaken_url_gets_one_line_naming_the_part(
    url: str,
    words: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # Were a mistake taken for "no URL", the default database would be this test's.
    monkeypatch.setattr(config, "data_folder", lambda: tmp_path)
    monkeypatch.delenv(config.ENV_DATABASE_URL, raising=False)
    status, out, err = run(capsys, "--database", url, "info")
    assert status == 1
    assert out == ""
    assert err.startswith("kitshare-admin: ")
    assert words in err
    assert err.count("\n") == 1
    no_part_of_the_password(err)


def test_the_real_command_prints_no_traceback_for_a_mistaken_url() -> None:
    url = "postgresql://kitshare:s3cret@Pw@127.0.0.1:notaport/kitshare?sslmode=bogus"
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "--database", url, "info"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("kitshare-admin: ")
    no_part_of_the_password(result.stderr)


def test_info_refuses_an_empty_file_and_migrate_makes_it_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "kitshare.db"
    path.write_bytes(b"")
    url = f"sqlite:///{path.as_posix()}"

    status, _, err = run(capsys, "--database", url, "info")
    assert status == 1
    assert "is an empty file, not a Kit Share database" in err
    assert "kitshare-admin --database URL migrate" in err
    assert path.read_bytes() == b""

    status, out, _ = run(capsys, "--database", url, "migrate")
    assert status == 0
    assert "Upgraded the database schema from empty to" in out


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_a_blank_database_variable_counts_as_unset(
    blank: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(config, "data_folder", lambda: tmp_path)
    monkeypatch.setenv(config.ENV_DATABASE_URL, blank)
    assert config.resolve_database_url(None) == f"sqlite:///{tmp_path}/kitshare.db"


def test_an_empty_database_option_is_refused_not_taken_as_the_default(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(config, "data_folder", lambda: tmp_path)
    status, _, err = run(capsys, "--database", "", "info")
    assert status == 1
    assert "--database was given an empty URL" in err
    assert list(tmp_path.iterdir()) == []
