"""``kitshare-admin report``: the table, JSON, CSV, the default period and every refusal.

The figures themselves are checked on both databases in tests/test_reports.py; here the
summer world from there sits in SQLite, and the command line is run as a person would.
"""

from __future__ import annotations

import csv
import getpass
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.cli import common as cli
from app.cli.main import main
from app.core.clock import today_uk
from app.people.accounts import UserDraft, create_user
from app.reports.period import default_period, financial_year_start
from app.reports.report import ReportKey
from app.storage.database import open_database
from models import Agency, Role
from tests import factories as f
from tests.test_reports import ADMIN, build_world

SUMMER = ("--from", "01/07/2026", "--to", "30/09/2026")


@pytest.fixture(autouse=True)
def no_one_signed_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """No account, no password and no terminal: reading must not need them."""
    for name in (cli.USER_ENV, cli.PASSWORD_ENV, cli.NEW_PASSWORD_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cli, "interactive", lambda: False)

    def no_prompt(prompt: str = "") -> str:
        raise AssertionError(f"asked “{prompt}” with no terminal")

    monkeypatch.setattr(getpass, "getpass", no_prompt)


@pytest.fixture
def url(sqlite_url: str) -> str:
    db = open_database(sqlite_url)
    try:
        build_world(db)
    finally:
        db.dispose()
    return sqlite_url


def run(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str, str]:
    status = main(["--database", url, "report", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> Any:
    status, out, err = run(capsys, url, *args, "--json")
    assert status == cli.EXIT_OK, err
    return json.loads(out)


def usage_error(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        main(["--database", url, "report", *args])
    assert stopped.value.code == 2
    return capsys.readouterr().err


def test_list_names_every_report(capsys: pytest.CaptureFixture[str], url: str) -> None:
    status, out, err = run(capsys, url, "--list")
    assert status == cli.EXIT_OK, err
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == [key.value for key in ReportKey]
    assert "value-of-sharing         Estimated value of sharing: What the kit lent" in out
    assert lines[4].endswith("(no period: looks at today)")  # overdue
    listed = run_json(capsys, url, "--list")
    assert listed[7] == {
        "key": "value-of-sharing",
        "title": "Estimated value of sharing",
        "description": "What the kit lent to other agencies would have cost to hire, by "
        "lender and borrower.",
        "uses_period": True,
    }


def test_a_report_prints_as_a_table_with_totals_and_notes(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    status, out, err = run(capsys, url, "value-of-sharing", *SUMMER)
    assert status == cli.EXIT_OK, err
    lines = out.splitlines()
    assert lines[:3] == [
        "Estimated value of sharing",
        "01/07/2026 to 30/09/2026 · all agencies",
        "",
    ]
    assert lines[3].split("  ")[0] == "Lending agency"
    assert lines[5].split() == [
        "Fire",
        "Service",
        "Police",
        "Force",
        "3",
        "6",
        "days",
        "£210.00",
    ]
    total = next(line for line in lines if line.startswith("Total"))
    assert total.split() == ["Total", "6", "19", "days", "£320.00"]
    assert "£260.00 comes from recorded hire rates and £60.00 from the 1% rule." in lines
    assert err == ""


def test_json_holds_raw_figures(capsys: pytest.CaptureFixture[str], url: str) -> None:
    data = run_json(capsys, url, "utilisation", *SUMMER, "--agency", "Police Force")
    assert data["key"] == "utilisation"
    assert data["subtitle"] == "01/07/2026 to 30/09/2026 · kit owned by Police Force"
    assert data["period"] == {"from": "2026-07-01", "to": "2026-09-30"}
    assert [c["kind"] for c in data["columns"]] == ["text", "count", "days", "days", "percent"]
    # Police's kit: L4 and L6 all summer, L6 out one day; ten barriers, four out 2.5 days.
    assert [row[:2] for row in data["rows"]] == [["Barriers", 10], ["Lighting", 2]]
    assert data["rows"][0][2:] == pytest.approx([10.0, 920.0, 10 / 920])
    assert data["rows"][1][2:] == pytest.approx([1.0, 184.0, 1 / 184])
    assert data["totals"][0] == "All categories"


def test_csv_saves_the_table(capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path) -> None:
    path = tmp_path / "loans.csv"
    status, out, err = run(capsys, url, "loans-per-month", *SUMMER, "--csv", str(path))
    assert status == cli.EXIT_OK, err
    assert out == (
        f"Saved “Loans per month” (01/07/2026 to 30/09/2026 · all agencies) to {path}: 10 rows.\n"
    )
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Month", "Borrowing agency", "Loans", "Lines", "Units"]
    assert rows[2] == ["Jul 2026", "Fire Service", "1", "1", "4"]
    assert rows[-1] == ["Total", "", "6", "6", "9"]
    assert len(rows) == 11


def test_the_period_defaults_to_the_financial_year_so_far(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    today = today_uk()
    data = run_json(capsys, url, "most-lent")
    expected = default_period(today)
    assert data["period"] == {"from": expected.start.isoformat(), "to": today.isoformat()}
    only_to = run_json(capsys, url, "most-lent", "--to", "30/09/2026")
    assert only_to["period"] == {"from": "2026-04-01", "to": "2026-09-30"}
    # From 01/04, R-L1's June loan counts in full: 7.5 days more than in the summer.
    assert [row[0] for row in only_to["rows"]] == ["R-L1", "R-B1", "R-L2", "R-L6"]
    assert only_to["rows"][0][4] == pytest.approx(10.5)
    only_from = run_json(capsys, url, "most-lent", "--from", "01/08/2026")
    assert only_from["period"]["from"] == "2026-08-01"
    assert only_from["period"]["to"] == max(date(2026, 8, 1), today).isoformat()
    assert financial_year_start(date(2027, 2, 1)) == date(2026, 4, 1)


def test_reports_about_today_take_no_period(capsys: pytest.CaptureFixture[str], url: str) -> None:
    status, out, err = run(capsys, url, "overdue", *SUMMER)
    assert status == cli.EXIT_OK, err
    # Ambulance has had R-L6 since 30/09/2026, due back two days later.
    assert "Ambulance Trust" in out
    assert "02/10/2026 00:00" in out
    assert err == "Note: “Overdue now” looks at today, so --from and --to were not used.\n"


def test_refusals_say_what_to_fix(capsys: pytest.CaptureFixture[str], url: str) -> None:
    status, out, err = run(capsys, url, "savings")
    assert (status, out) == (cli.EXIT_REFUSED, "")
    assert err.startswith("kitshare-admin: There is no report called “savings”. The reports are:")
    status, out, err = run(capsys, url, "utilisation", "--from", "02/05/2026", "--to", "01/05/2026")
    assert (status, out) == (cli.EXIT_REFUSED, "")
    assert err == (
        "kitshare-admin: --from 02/05/2026 is after --to 01/05/2026: give a --from on or "
        "before the --to date.\n"
    )
    status, out, err = run(capsys, url)
    assert status == cli.EXIT_REFUSED
    assert "Say which report" in err
    status, out, err = run(capsys, url, "utilisation", "--list")
    assert status == cli.EXIT_REFUSED
    assert "either --list or a report's key" in err
    status, out, err = run(capsys, url, "utilisation", "--agency", "Coastguard")
    assert status == cli.EXIT_REFUSED
    assert "No agency is called or has the short code “Coastguard”" in err
    status, out, err = run(capsys, url, "utilisation", "--csv", str(Path("report.txt")))
    assert status == cli.EXIT_REFUSED
    assert "writes .csv and .xlsx files" in err
    assert "not a date" in usage_error(capsys, url, "utilisation", "--from", "31/02/2026")
    assert "not a date" in usage_error(capsys, url, "utilisation", "--to", "yesterday")


def test_a_report_kept_for_some_roles_is_read_as_a_signed_in_user(
    capsys: pytest.CaptureFixture[str], url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, err = run(capsys, url, "qualifications-expiring")
    assert (status, out) == (cli.EXIT_REFUSED, "")
    assert "No one is signed in" in err
    db = open_database(url)
    try:
        with db.write() as session:
            agency = session.scalars(select(Agency)).first()
            assert agency is not None
            person_id = f.person(session, agency, "Rae", "Reader").id
        draft = UserDraft("reader", person_id, Role.EQUIPMENT_MANAGER, "a long pass phrase")
        create_user(db, draft, ADMIN)
    finally:
        db.dispose()
    monkeypatch.setenv(cli.PASSWORD_ENV, "a long pass phrase")
    status, out, err = run(capsys, url, "qualifications-expiring", "--user", "reader")
    assert status == cli.EXIT_OK, err
    assert out.startswith("Qualifications expiring")
