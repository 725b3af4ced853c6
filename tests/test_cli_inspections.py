"""``kitshare-admin inspections due``, ``inspect``, ``defect …`` and ``regimes``.

Runs on the demo data (SQLite and PostgreSQL), loaded at the real present, so dates are
worked out from today as a person would type them. The demo's inspections: CFR-000240,
CFR-000214, EEA-000403 and BED-000601 have lapsed; CFR-000281's LOLER examination
failed four days ago and opened an unsafe defect; CFR-000233 is out of service with an
unsafe defect reported; CAM-000103 has a minor one; CFR-000291's major defect was
cleared. CFR-000221 (a boat) is inspected under two regimes: its category's and its
outboard engine's own.

Accounts: ``manager`` (Paul Whitmore, CAMBS-FRS, equipment manager, whose agency owns
the kit inspected here), ``duty`` (Rachel Holloway, CAMBS-POL, duty officer) and
``cambs-pol-kit`` (Stephen Marsh, the Constabulary's equipment manager).
"""

from __future__ import annotations

import getpass
import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.catalogue.detail import item_detail
from app.catalogue.directory import find_agency, find_item
from app.cli import common as cli
from app.cli.main import main
from app.core.clock import add_months, format_date, today_uk
from app.inspections.defects import get_defect, list_defects
from app.inspections.overview import InspectionsOverview, Watch, inspections_overview
from app.inspections.recording import inspection_history
from app.inspections.regimes import list_regimes
from app.inspections.service import DUE_SOON_DAYS, Standing
from app.storage.database import Database
from models import AuditEvent, Defect, DefectSeverity, DefectSource, Inspection, InspectionResult

MANAGER = ("manager", "manager-demo-2026")  # Paul Whitmore, CAMBS-FRS
DUTY = ("duty", "duty-demo-2026")  # Rachel Holloway, CAMBS-POL
POLICE_MANAGER = ("cambs-pol-kit", "kit-demo-2026")  # Stephen Marsh, CAMBS-POL

# A CAMBS-FRS drone, inspected every 3 months, with nothing open against it.
DRONE = "CFR-000203"
DRONE_REGIME = "Pre-flight airworthiness and maintenance check (drones)"
# A CAMBS-FRS generator whose PAT test has lapsed; available.
GENERATOR = "CFR-000240"
# The rescue tripod whose LOLER examination failed, out of service with its defect.
TRIPOD = "CFR-000281"
# A boat under two regimes: water rescue (yearly) and its outboard's (every 365 days).
BOAT = "CFR-000221"
OUTBOARD = "Outboard engine service (manufacturer's schedule)"
# A tower light out of service with an unsafe defect reported.
TOWER = "CFR-000233"
# A pool van whose major defect was cleared months ago.
VAN = "CFR-000291"
LAPSED = {"CFR-000240", "CFR-000214", "EEA-000403", "BED-000601"}


@pytest.fixture(autouse=True)
def no_one_signed_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start each test with no account, no password and no terminal to type one at."""
    for name in (cli.USER_ENV, cli.PASSWORD_ENV, cli.NEW_PASSWORD_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cli, "interactive", lambda: False)

    def no_prompt(prompt: str = "") -> str:
        raise AssertionError(f"asked “{prompt}” with no terminal")

    monkeypatch.setattr(getpass, "getpass", no_prompt)


def sign_in_as(monkeypatch: pytest.MonkeyPatch, account: tuple[str, str]) -> None:
    username, password = account
    monkeypatch.setenv(cli.USER_ENV, username)
    monkeypatch.setenv(cli.PASSWORD_ENV, password)


def run(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str, str]:
    status = main(["--database", url, *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> Any:
    status, out, err = run(capsys, url, *args, "--json")
    assert status == 0, err
    return json.loads(out)


def usage_error(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> str:
    """Run a command line the parser rejects: exit status 2; returns what it said."""
    with pytest.raises(SystemExit) as stopped:
        main(["--database", url, *args])
    assert stopped.value.code == 2
    return capsys.readouterr().err


def item_id(db: Database, tag: str) -> int:
    return find_item(db, tag).id


def standing(db: Database, tag: str, regime: str) -> Standing:
    """The item's standing under ``regime``, as the item panel reads it."""
    [found] = [s for s in item_detail(db, item_id(db, tag)).inspections if s.regime == regime]
    return found


def status_of(db: Database, tag: str) -> str:
    return item_detail(db, item_id(db, tag)).status


def recorded(db: Database) -> dict[str, int]:
    """How many inspections, defects and inspection or defect audit events are stored."""
    with db.read() as session:
        return {
            "inspections": session.scalar(select(func.count()).select_from(Inspection)) or 0,
            "defects": session.scalar(select(func.count()).select_from(Defect)) or 0,
            "open_defects": session.scalar(
                select(func.count()).select_from(Defect).where(Defect.cleared_at.is_(None))
            )
            or 0,
            "events": session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.entity_type.in_(("inspection", "defect")))
            )
            or 0,
        }


def latest_inspection(db: Database, tag: str) -> dict[str, Any]:
    """The item's newest inspection row (by id), as plain values."""
    with db.read() as session:
        row = session.scalars(
            select(Inspection)
            .where(Inspection.item_id == item_id(db, tag))
            .order_by(Inspection.id.desc())
            .limit(1)
        ).one()
        return {
            "id": row.id,
            "inspected_on": row.inspected_on,
            "result": row.result,
            "next_due_on": row.next_due_on,
            "certificate_ref": row.certificate_ref,
            "inspector_name": row.inspector_name,
            "inspector_id": row.inspector_id,
        }


def section(out: str, title: str) -> list[str]:
    """The table lines under ``title:`` in ``inspections due``'s output (header left out)."""
    blocks = out.split("\n\n")
    [block] = [b for b in blocks if b.startswith(f"{title}:\n")]
    return block.strip("\n").splitlines()[2:]


def tags(rows: Any) -> list[str]:
    return [row["tag"] if isinstance(row, dict) else row.asset_tag for row in rows]


def counts_line(overview: InspectionsOverview, ahead: str, whose: str = "") -> str:
    overdue = overview.count(Watch.OVERDUE)
    return (
        f"As at {format_date(overview.today)}{whose}: "
        f"{overdue} item{'s' if overdue != 1 else ''} overdue, "
        f"{overview.count(Watch.DUE_SOON)} due {ahead}, "
        f"{overview.count(Watch.OUT_OF_SERVICE)} out of service."
    )


# -- inspections due -----------------------------------------------------------------------


def test_inspections_due_prints_counts_then_each_list(
    demo_url: str, demo_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    overview = inspections_overview(demo_db)

    # No sign-in: reading needs none.
    status, out, err = run(capsys, demo_url, "inspections", "due")

    assert status == 0, err
    assert out.splitlines()[0] == counts_line(overview, f"in the next {DUE_SOON_DAYS} days")
    assert overview.count(Watch.OVERDUE) == 5  # the four lapsed and the failed tripod
    overdue = section(out, "Overdue, never inspected or failed")
    assert [line.split()[0] for line in overdue] == tags(overview.rows(Watch.OVERDUE))
    assert {line.split()[0] for line in overdue} == LAPSED | {TRIPOD}
    # The failed examination comes first, due since the day it failed.
    failed_on = format_date(today_uk() - timedelta(days=4))
    assert overdue[0].startswith(TRIPOD)
    assert "CAMBS-FRS" in overdue[0]
    assert overdue[0].endswith(f"{failed_on}  Failed on {failed_on}")
    for line, row in zip(overdue, overview.rows(Watch.OVERDUE), strict=True):
        assert format_date(row.due_on) in line
        assert line.endswith(row.words)
    generator = next(line for line in overdue if line.startswith(GENERATOR))
    assert "PAT test (generators)" in generator
    assert "Overdue: was due " in generator

    soon = section(out, f"Due in the next {DUE_SOON_DAYS} days")
    assert [line.split()[0] for line in soon] == tags(overview.rows(Watch.DUE_SOON))
    for line, row in zip(soon, overview.rows(Watch.DUE_SOON), strict=True):
        assert f"{format_date(row.due_on)}  Due " in line

    out_of_service = section(out, "Out of service")
    assert sorted(line.split()[0] for line in out_of_service) == [TOWER, TRIPOD]
    tower = next(line for line in out_of_service if line.startswith(TOWER))
    assert "Unsafe defect" in tower
    assert "Mast winch cable frayed" in tower


def test_inspections_due_json_matches_the_overview(
    demo_url: str, demo_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    overview = inspections_overview(demo_db)

    listed = run_json(capsys, demo_url, "inspections", "due")

    assert listed["today"] == overview.today.isoformat()
    assert listed["days"] == DUE_SOON_DAYS
    assert listed["counts"] == {
        "overdue": overview.count(Watch.OVERDUE),
        "due_soon": overview.count(Watch.DUE_SOON),
        "out_of_service": overview.count(Watch.OUT_OF_SERVICE),
    }
    for key, watch in (("overdue", Watch.OVERDUE), ("due_soon", Watch.DUE_SOON)):
        assert [(r["tag"], r["regime"], r["due_on"]) for r in listed[key]] == [
            (row.asset_tag, row.what, row.due_on.isoformat() if row.due_on else None)
            for row in overview.rows(watch)
        ]
    tripod = listed["overdue"][0]
    assert tripod["tag"] == TRIPOD
    assert tripod["state"] == "failed"
    assert tripod["owner_code"] == "CAMBS-FRS"
    assert tripod["out_of_service"] is True
    assert tripod["due_on"] == (today_uk() - timedelta(days=4)).isoformat()
    assert {r["state"] for r in listed["overdue"] if r["tag"] in LAPSED} == {"overdue"}
    assert all(date.fromisoformat(r["due_on"]) < overview.today for r in listed["overdue"])
    assert all(r["state"] == "due_soon" for r in listed["due_soon"])
    assert sorted(tags(listed["out_of_service"])) == [TOWER, TRIPOD]
    assert {r["severity"] for r in listed["out_of_service"]} == {"unsafe"}
    assert {r["defect_id"] for r in listed["out_of_service"]} == {
        row.defect_id for row in overview.rows(Watch.OUT_OF_SERVICE)
    }


def test_days_changes_what_is_due(
    demo_url: str, demo_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    by_days = {
        days: tags(
            run_json(capsys, demo_url, "inspections", "due", "--days", str(days))["due_soon"]
        )
        for days in (0, DUE_SOON_DAYS, 365)
    }

    for days, listed in by_days.items():
        assert listed == tags(inspections_overview(demo_db, days=days).rows(Watch.DUE_SOON))
    assert set(by_days[0]) <= set(by_days[DUE_SOON_DAYS]) < set(by_days[365])
    assert len(by_days[DUE_SOON_DAYS]) >= 1  # the demo has drones due within the month

    status, out, _ = run(capsys, demo_url, "inspections", "due", "--days", "1")
    assert status == 0
    assert out.splitlines()[0] == counts_line(
        inspections_overview(demo_db, days=1), "in the next 1 day"
    )

    status, out, err = run(capsys, demo_url, "inspections", "due", "--days", "-1")
    assert status == 1
    assert out == ""
    assert "Say how many days ahead to look: 0 or more." in err


def test_inspections_due_for_one_agency(
    demo_url: str, demo_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    fire = find_agency(demo_db, "CAMBS-FRS")
    overview = inspections_overview(demo_db, agency_id=fire.id)

    listed = run_json(capsys, demo_url, "inspections", "due", "--agency", "cambs-frs")
    status, out, _ = run(capsys, demo_url, "inspections", "due", "--agency", "Cambridgeshire Fire")

    assert listed["agency_code"] == "CAMBS-FRS"
    assert tags(listed["overdue"]) == tags(overview.rows(Watch.OVERDUE))
    assert "EEA-000403" not in tags(listed["overdue"])
    assert {
        r["owner_code"] for key in ("overdue", "due_soon", "out_of_service") for r in listed[key]
    } == {"CAMBS-FRS"}
    assert status == 0
    assert out.splitlines()[0] == counts_line(
        overview, f"in the next {DUE_SOON_DAYS} days", " for Cambridgeshire Fire and Rescue Service"
    )


# -- inspect --------------------------------------------------------------------------------


def test_inspect_pass_records_the_worked_out_next_due(
    demo_url: str,
    demo_db: Database,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign_in_as(monkeypatch, MANAGER)
    day = today_uk() - timedelta(days=2)
    before = recorded(demo_db)

    status, out, err = run(
        capsys,
        demo_url,
        "inspect",
        DRONE.lower(),
        "--result",
        "pass",
        "--date",
        format_date(day),
        "--certificate",
        f"UAS/{DRONE}/TEST",
    )

    assert status == 0, err
    due = add_months(day, 3)  # the drones' regime: every 3 months
    assert out == (
        f"Recorded a pass for {DRONE} “DJI Matrice 350 RTK thermal drone (Zenmuse H30T)”: "
        f"{DRONE_REGIME} on {format_date(day)}, inspected by Paul Whitmore, certificate "
        f"UAS/{DRONE}/TEST; next due {format_date(due)}.\n"
    )
    after = recorded(demo_db)
    assert after["inspections"] == before["inspections"] + 1
    assert after["defects"] == before["defects"]
    latest = latest_inspection(demo_db, DRONE)
    assert latest["inspected_on"] == day
    assert latest["result"] is InspectionResult.PASS
    assert latest["next_due_on"] == due
    assert latest["certificate_ref"] == f"UAS/{DRONE}/TEST"
    now = standing(demo_db, DRONE, DRONE_REGIME)
    assert (now.last_id, now.last_on, now.due_on) == (latest["id"], day, due)
    assert now.inspector == "Paul Whitmore"
    assert DRONE not in tags(inspections_overview(demo_db, days=60).rows(Watch.DUE_SOON))


def test_inspect_names_one_of_two_regimes_by_a_part_of_its_name(
    demo_url: str,
    demo_db: Database,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign_in_as(monkeypatch, MANAGER)
    day = today_uk() - timedelta(days=1)
    water = next(
        s for s in item_detail(demo_db, item_id(demo_db, BOAT)).inspections if s.regime != OUTBOARD
    )

    status, out, err = run(
        capsys,
        demo_url,
        "inspect",
        BOAT,
        "--regime",
        "OUTBOARD",
        "--result",
        "pass-with-advisories",
        "--date",
        format_date(day),
        "--inspector",
        "Mercury Marine dealer, St Ives",
        "--notes",
        "Impeller worn; replace at next service.",
    )

    assert status == 0, err
    assert f": {OUTBOARD} on {format_date(day)}, inspected by Mercury Marine dealer" in out
    outboard = standing(demo_db, BOAT, OUTBOARD)
    assert outboard.last_on == day
    assert outboard.last_result is InspectionResult.PASS_WITH_ADVISORIES
    assert outboard.due_on == day + timedelta(days=365)
    assert outboard.inspector == "Mercury Marine dealer, St Ives"
    assert latest_inspection(demo_db, BOAT)["inspector_id"] is None
    # The boat's other regime is untouched.
    assert standing(demo_db, BOAT, water.regime) == water


def test_inspect_fail_opens_an_unsafe_defect_and_puts_the_item_out_of_service(
    demo_url: str,
    demo_db: Database,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign_in_as(monkeypatch, MANAGER)
    assert status_of(demo_db, GENERATOR) == "Available"
    assert list_defects(demo_db, item_id(demo_db, GENERATOR)) == []

    status, out, err = run(
        capsys,
        demo_url,
        "inspect",
        GENERATOR,
        "--result",
        "fail",
        "--defect",
        "Earth continuity fails at the 16 A socket.",
    )

    assert status == 0, err
    [defect] = list_defects(demo_db, item_id(demo_db, GENERATOR))
    assert defect.severity is DefectSeverity.UNSAFE
    assert defect.source is DefectSource.INSPECTION
    assert defect.is_open
    assert defect.description == "Earth continuity fails at the 16 A socket."
    latest = latest_inspection(demo_db, GENERATOR)
    assert defect.inspection_id == latest["id"]
    assert latest["result"] is InspectionResult.FAIL
    assert latest["inspected_on"] == today_uk()
    assert latest["next_due_on"] is None
    assert status_of(demo_db, GENERATOR) == "Out of service"
    assert standing(demo_db, GENERATOR, "PAT test (generators)").last_result is (
        InspectionResult.FAIL
    )
    overview = inspections_overview(demo_db)
    assert GENERATOR in tags(overview.rows(Watch.OUT_OF_SERVICE))
    assert out.startswith(f"Recorded a fail for {GENERATOR} “Honda EU22i generator, 2.2 kVA”: ")
    assert out.endswith(
        f"; unsafe defect {defect.id} opened. {GENERATOR} is out of service until the defect "
        "is cleared.\n"
    )


def test_inspect_pass_clears_the_defects_it_shows_were_put_right(
    demo_url: str,
    demo_db: Database,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign_in_as(monkeypatch, MANAGER)
    [defect] = list_defects(demo_db, item_id(demo_db, TRIPOD), include_cleared=False)
    assert status_of(demo_db, TRIPOD) == "Out of service"

    status, out, err = run(
        capsys,
        demo_url,
        "inspect",
        TRIPOD,
        "--result",
        "pass",
        "--inspector",
        "Lyon Equipment Ltd (competent person)",
        "--certificate",
        "LOLER/TEST",
        "--clears",
        str(defect.id),
    )

    assert status == 0, err
    cleared = get_defect(demo_db, defect.id)
    assert not cleared.is_open
    assert cleared.clearance_note.startswith("LOLER thorough examination")
    assert status_of(demo_db, TRIPOD) == "Available"
    assert out.endswith(f" Cleared defect {defect.id}. {TRIPOD} is back in service (available).\n")
    assert f"next due {format_date(add_months(today_uk(), 6))}." in out


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            (
                MANAGER,
                [DRONE, "--result", "pass", "--date", "TOMORROW"],
                "is in the future; record an inspection once it has been done (--date).",
            ),
            id="future-date",
        ),
        pytest.param(
            (
                MANAGER,
                ["CFR-999999", "--result", "pass"],
                "No catalogue item has the asset tag “CFR-999999”.",
            ),
            id="unknown-tag",
        ),
        pytest.param(
            (
                DUTY,
                [DRONE, "--result", "pass"],
                "only an equipment manager or an administrator can record inspections",
            ),
            id="duty-officer",
        ),
        pytest.param(
            (
                POLICE_MANAGER,
                [DRONE, "--result", "pass"],
                "is an equipment manager for another agency, and can record inspections only "
                "for their own agency's kit, not Cambridgeshire Fire and Rescue Service's.",
            ),
            id="another-agencys-manager",
        ),
        pytest.param(
            (
                MANAGER,
                [BOAT, "--result", "pass"],
                (
                    f"{BOAT} “Flood rescue boat, 4 m, 25 hp outboard” is inspected under “",
                    f"“{OUTBOARD}”",
                    "“PUWER inspection and PPE service (water rescue)”",
                    "” (--regime).",
                ),
            ),
            id="two-regimes-no-regime",
        ),
        pytest.param(
            (
                MANAGER,
                [GENERATOR, "--result", "fail"],
                "A failed inspection opens a defect: say what is wrong with it (--defect).",
            ),
            id="fail-without-defect",
        ),
    ],
)
def test_inspect_refusals_write_nothing(
    demo_url: str,
    demo_db: Database,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    case: tuple[tuple[str, str], list[str], str | tuple[str, ...]],
) -> None:
    account, argv, said = case
    parts = (said,) if isinstance(said, str) else said
    sign_in_as(monkeypatch, account)
    tomorrow = format_date(today_uk() + timedelta(days=1))
    argv = [tomorrow if arg == "TOMORROW" else arg for arg in argv]
    before = recorded(demo_db)
    statuses = {tag: status_of(demo_db, tag) for tag in (DRONE, BOAT, GENERATOR)}

    status, out, err = run(capsys, demo_url, "inspect", *argv)

    assert status == 1
    assert out == ""
    assert err.startswith("kitshare-admin: ")
    assert all(part in err for part in parts), err
    assert recorded(demo_db) == before
    assert {tag: status_of(demo_db, tag) for tag in statuses} == statuses


@pytest.mark.parametrize(
    "case",
    [
        (
            ["--result", "pass", "--date", "31/02/2026"],
            "“31/02/2026” is not a date on the calendar",
        ),
        (["--result", "pass", "--next-due", "2027-13-01"], "use DD/MM/YYYY"),
        (["--result", "passed"], "invalid choice: 'passed'"),
        (["--result", "pass", "--defect", "Cracked"], "--defect goes with --result fail"),
        (["--result", "fail", "--severity", "minor"], "give the defect with --defect TEXT"),
        (
            ["--result", "pass", "--inspector", "A N Other", "--inspector-staff", "2391"],
            "not allowed with argument",
        ),
    ],
)
def test_inspect_bad_arguments_are_usage_errors(
    demo_url: str,
    demo_db: Database,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    case: tuple[list[str], str],
) -> None:
    argv, said = case
    sign_in_as(monkeypatch, MANAGER)
    before = recorded(demo_db)

    err = usage_error(capsys, demo_url, "inspect", DRONE, *argv)

    assert said in err
    assert recorded(demo_db) == before


def test_inspection_history_reads_back_what_inspect_recorded(
    demo_url: str,
    demo_db: Database,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign_in_as(monkeypatch, MANAGER)
    day = today_uk() - timedelta(days=1)

    status, _, err = run(
        capsys, demo_url, "inspect", DRONE, "--result", "pass", "--date", format_date(day)
    )

    assert status == 0, err
    newest = inspection_history(demo_db, item_id(demo_db, DRONE))[0]
    assert (newest.inspected_on, newest.next_due_on) == (day, add_months(day, 3))


# -- defects --------------------------------------------------------------------------------


def test_a_duty_officer_reports_a_defect_and_unsafe_kit_goes_out_of_service(
    demo_url: str,
    demo_db: Database,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Rachel Holloway is a Constabulary duty officer; the drone is the fire service's.
    sign_in_as(monkeypatch, DUTY)
    assert status_of(demo_db, DRONE) == "Available"

    status, out, err = run(
        capsys,
        demo_url,
        "defect",
        "report",
        DRONE,
        "--severity",
        "unsafe",
        "--description",
        "Front left arm cracked at the hinge.",
    )

    assert status == 0, err
    [defect] = list_defects(demo_db, item_id(demo_db, DRONE))
    assert (defect.severity, defect.source, defect.is_open) == (
        DefectSeverity.UNSAFE,
        DefectSource.REPORTED,
        True,
    )
    assert defect.reported_by == "Rachel Holloway"
    assert status_of(demo_db, DRONE) == "Out of service"
    assert out == (
        f"Reported unsafe defect {defect.id} on {DRONE} “DJI Matrice 350 RTK thermal drone "
        "(Zenmuse H30T)”: Front left arm cracked at the hinge. "
        f"{DRONE} is out of service until the defect is cleared.\n"
    )

    # A minor one is noted, and the kit could still go out.
    status, out, err = run(
        capsys,
        demo_url,
        "defect",
        "report",
        GENERATOR,
        "--severity",
        "minor",
        "--description",
        "Fuel cap tether missing",
    )
    assert status == 0, err
    assert out.endswith("Fuel cap tether missing. Noted; the kit can still go out.\n")
    assert status_of(demo_db, GENERATOR) == "Available"


def test_a_defect_report_is_refused_without_a_description(
    demo_url: str,
    demo_db: Database,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign_in_as(monkeypatch, DUTY)
    before = recorded(demo_db)

    status, out, err = run(
        capsys, demo_url, "defect", "report", DRONE, "--severity", "major", "--description", " "
    )

    assert status == 1
    assert out == ""
    assert "Say what is wrong, so whoever repairs it knows what to look at (--description)." in err
    assert recorded(demo_db) == before


def test_the_owners_manager_clears_a_defect_and_the_item_returns_to_service(
    demo_url: str,
    demo_db: Database,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    [defect] = list_defects(demo_db, item_id(demo_db, TOWER), include_cleared=False)
    assert status_of(demo_db, TOWER) == "Out of service"
    before = recorded(demo_db)

    # Another agency's equipment manager may not.
    sign_in_as(monkeypatch, POLICE_MANAGER)
    status, out, err = run(
        capsys, demo_url, "defect", "clear", str(defect.id), "--note", "New winch cable fitted."
    )
    assert status == 1
    assert out == ""
    assert "equipment manager for another agency, and can clear a defect only" in err

    # Nor may the owner's, without saying what was done.
    sign_in_as(monkeypatch, MANAGER)
    for note in ([], ["--note", "   "]):
        status, out, err = run(capsys, demo_url, "defect", "clear", str(defect.id), *note)
        assert status == 1
        assert out == ""
        assert "Say what was done to put it right" in err
        assert "(--note)" in err
    assert recorded(demo_db) == before
    assert get_defect(demo_db, defect.id).is_open
    assert status_of(demo_db, TOWER) == "Out of service"

    status, out, err = run(
        capsys,
        demo_url,
        "defect",
        "clear",
        str(defect.id),
        "--note",
        "New winch cable fitted and mast load-tested",
    )

    assert status == 0, err
    cleared = get_defect(demo_db, defect.id)
    assert not cleared.is_open
    assert cleared.clearance_note == "New winch cable fitted and mast load-tested"
    assert cleared.cleared_by == "Paul Whitmore"
    assert status_of(demo_db, TOWER) == "Available"
    assert TOWER not in tags(inspections_overview(demo_db).rows(Watch.OUT_OF_SERVICE))
    assert out == (
        f"Cleared defect {defect.id} on {TOWER} “Tower light 9m mast, diesel”: New winch cable "
        f"fitted and mast load-tested. {TOWER} is back in service (available).\n"
    )

    status, _, err = run(capsys, demo_url, "defect", "clear", str(defect.id), "--note", "Again")
    assert status == 1
    assert "was already cleared" in err
    status, _, err = run(capsys, demo_url, "defect", "clear", "99999", "--note", "Fixed")
    assert status == 1
    assert "There is no defect number 99999." in err


def test_defect_list(demo_url: str, demo_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    open_now = inspections_overview(demo_db).rows(Watch.DEFECTS)

    listed = run_json(capsys, demo_url, "defect", "list")
    status, out, err = run(capsys, demo_url, "defect", "list")

    assert {row["id"] for row in listed} == {row.defect_id for row in open_now}
    assert len(listed) == len(open_now)
    assert sorted(tags(listed)) == ["CAM-000103", TOWER, TRIPOD]
    assert all(row["open"] and row["cleared_at"] is None for row in listed)
    tripod = next(row for row in listed if row["tag"] == TRIPOD)
    assert (tripod["severity"], tripod["source"], tripod["blocks_issue"]) == (
        "unsafe",
        "inspection",
        True,
    )
    assert tripod["inspection_id"] is not None
    assert status == 0, err
    assert out.splitlines()[-1] == "3 open defects."
    assert [line.split()[1] for line in out.splitlines()[1:-1]] == tags(listed)

    # One item: open defects by default, every one with --all.
    status, out, _ = run(capsys, demo_url, "defect", "list", VAN.lower())
    assert status == 0
    assert out == f"No open defects on {VAN} “Ford Transit Custom pool van (AY70 PXN)”.\n"
    [van] = run_json(capsys, demo_url, "defect", "list", VAN, "--all")
    assert van["open"] is False
    assert van["severity"] == "major"
    assert van["clearance_note"] == "Both front tyres replaced by the fleet workshop."
    assert van["loan_id"] is not None
    assert [van["id"]] == [d.id for d in list_defects(demo_db, item_id(demo_db, VAN))]
    status, out, _ = run(capsys, demo_url, "defect", "list", VAN, "--all")
    assert out.splitlines()[-1] == (
        f"1 defect on {VAN} “Ford Transit Custom pool van (AY70 PXN)”, 0 open."
    )

    # Every item, cleared defects too.
    everything = run_json(capsys, demo_url, "defect", "list", "--all")
    assert {row["id"] for row in everything} == {d.id for d in list_defects(demo_db)}
    assert len(everything) > len(listed)
    assert van["id"] in {row["id"] for row in everything}
    status, _, err = run(capsys, demo_url, "defect", "list", "CFR-999999")
    assert status == 1
    assert "No catalogue item has the asset tag" in err


# -- regimes --------------------------------------------------------------------------------


def test_regimes(demo_url: str, demo_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    regimes = list_regimes(demo_db)

    listed = run_json(capsys, demo_url, "regimes")
    status, out, err = run(capsys, demo_url, "regimes")

    assert [(r["id"], r["name"], r["inspections"]) for r in listed] == [
        (r.id, r.name, r.inspections) for r in regimes
    ]
    assert len(listed) == 12
    by_name = {r["name"]: r for r in listed}
    loler = by_name["LOLER thorough examination (work at height, people-lifting)"]
    assert loler["covers"] == "Category: Work at height"
    assert (loler["interval"], loler["interval_months"], loler["interval_days"]) == (
        "Every 6 months",
        6,
        None,
    )
    assert loler["blocks_issue"] is True
    assert loler["inspections"] > 0
    outboard = by_name[OUTBOARD]
    assert (outboard["covers"], outboard["item_tag"], outboard["interval"]) == (
        f"Item: {BOAT}",
        BOAT,
        "Every 365 days",
    )
    assert by_name["PUWER inspection (search equipment)"]["blocks_issue"] is False
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["Regime", "Covers"]
    assert lines[-1] == "12 regimes."
    search = next(line for line in lines if line.startswith("PUWER inspection (search"))
    assert search.split()[-2:] == [
        "no",
        str(by_name["PUWER inspection (search equipment)"]["inspections"]),
    ]


def test_an_inspection_counts_under_its_regime(
    demo_url: str,
    demo_db: Database,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = {r["name"]: r["inspections"] for r in run_json(capsys, demo_url, "regimes")}
    sign_in_as(monkeypatch, MANAGER)
    status, _, err = run(capsys, demo_url, "inspect", DRONE, "--result", "pass")
    assert status == 0, err

    after = {r["name"]: r["inspections"] for r in run_json(capsys, demo_url, "regimes")}

    assert after == {**before, DRONE_REGIME: before[DRONE_REGIME] + 1}


def test_search_by_inspection_due_before(
    demo_url: str, demo_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    overview = inspections_overview(demo_db, days=30)
    due = {r.asset_tag for r in overview.rows(Watch.OVERDUE)} | {
        r.asset_tag for r in overview.rows(Watch.DUE_SOON)
    }
    day = (overview.today + timedelta(days=31)).strftime("%d/%m/%Y")
    rows = run_json(capsys, demo_url, "search", "--inspection-due-before", day, "--limit", "500")
    # Overdue and due-soon rows of retired kit never appear; every other one does.
    assert {row["tag"] for row in rows} == due
    assert GENERATOR in due
    assert "DD/MM/YYYY" in usage_error(
        capsys, demo_url, "search", "--inspection-due-before", "2026-13-01"
    )


# -- typed at the edges -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        (
            ("--date", "01/01/0001"),
            "argument --date: The date 01/01/0001 is outside the dates Kit Share takes; give one "
            "from 01/01/1970 to 31/12/2099.",
        ),
        (
            ("--next-due", "31/12/9999"),
            "argument --next-due: The date 31/12/9999 is outside the dates Kit Share takes; give "
            "one from 01/01/1970 to 31/12/2099.",
        ),
        (
            ("--date", "29/02/2027"),
            "argument --date: “29/02/2027” is not a date on the calendar; check the day and the "
            "month (DD/MM/YYYY).",
        ),
    ],
)
def test_an_inspection_dated_outside_the_years_kept_is_a_usage_error(
    demo_url: str,
    demo_db: Database,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    case: tuple[tuple[str, str], str],
) -> None:
    option, message = case
    sign_in_as(monkeypatch, MANAGER)
    before = recorded(demo_db)

    err = usage_error(capsys, demo_url, "inspect", DRONE, "--result", "pass", *option)

    assert err.splitlines()[-1] == f"kitshare-admin inspect: error: {message}"
    assert recorded(demo_db) == before


@pytest.mark.parametrize("command", [("inspections", "due"), ("qualifications", "--expiring")])
def test_looking_further_ahead_than_the_calendar_is_refused(
    demo_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: tuple[str, ...],
) -> None:
    sign_in_as(monkeypatch, MANAGER)  # the qualifications list is kept for managers

    status, out, err = run(capsys, demo_url, *command, "--days", str(10**12))

    assert (status, out) == (1, "")
    assert err == (
        "kitshare-admin: Look at most 3,650 days (ten years) ahead, not 1,000,000,000,000; give "
        "a smaller number of days.\n"
    )


def test_the_expiring_qualifications_are_kept_for_those_who_book_renewals(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, err = run(capsys, demo_url, "qualifications", "--expiring")
    assert (status, out) == (cli.EXIT_REFUSED, "")
    assert err.startswith(
        "kitshare-admin: `kitshare-admin qualifications` lists what only some roles may see, "
        "so it is done as a named user: give --user NAME"
    )

    sign_in_as(monkeypatch, DUTY)
    status, out, err = run(capsys, demo_url, "qualifications", "--expiring")
    assert (status, out) == (cli.EXIT_REFUSED, "")
    assert err == (
        "kitshare-admin: Rachel Holloway (duty) is signed in as a duty officer, and only an "
        "equipment manager or an administrator can list the qualifications about to expire. "
        "Ask one to do it, or sign in as one.\n"
    )
