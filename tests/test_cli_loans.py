"""``kitshare-admin loan …`` and the name lookups behind it, on SQLite and PostgreSQL.

The demo data is loaded at the real present, and the commands run at the real present,
so the times typed here are worked out from ``now_utc()`` the way a person would type
them (UK local time, to the minute).

Every command that changes a loan signs in: these tests do so through ``KITSHARE_USER``
and ``KITSHARE_PASSWORD``, as Paul Whitmore (``manager``), the equipment manager of
Cambridgeshire Fire and Rescue Service, who lend the kit used here, unless a test signs
in as someone else.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.catalogue.directory import find_agency, find_item, find_person, find_site
from app.cli.main import main
from app.core.clock import UK, format_datetime, now_utc, parse_uk_datetime
from app.core.errors import DomainError, NotFound
from app.storage.database import Database
from models import Agency, Person

# A drone nobody has booked in the demo; Daniel Okafor (2391, Cambridgeshire
# Constabulary) holds the drone pilot (GVC) qualification its protocols require.
FREE_DRONE = "CFR-000203"
# A pooled inflatable welfare shelter, 3 in stock; demo loan A1 holds 1 in four days.
SHELTER = "CFR-000255"

# Demo accounts (app/demo/data.py): the lenders' equipment managers.
FIRE_MANAGER = ("manager", "manager-demo-2026")  # Paul Whitmore, CAMBS-FRS
POLICE_MANAGER = ("cambs-pol-kit", "kit-demo-2026")  # Stephen Marsh, CAMBS-POL


def sign_in_as(monkeypatch: pytest.MonkeyPatch, account: tuple[str, str]) -> None:
    """Make the commands that follow sign in as ``account`` (user name, password)."""
    username, password = account
    monkeypatch.setenv("KITSHARE_USER", username)
    monkeypatch.setenv("KITSHARE_PASSWORD", password)


@pytest.fixture(autouse=True)
def signed_in(monkeypatch: pytest.MonkeyPatch) -> None:
    sign_in_as(monkeypatch, FIRE_MANAGER)


def run(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str, str]:
    status = main(["--database", url, *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> Any:
    status, out, err = run(capsys, url, *args, "--json")
    assert status == 0, err
    return json.loads(out)


def typed(moment: datetime) -> str:
    """``moment`` as a person types it: DD/MM/YYYY HH:MM, UK time; in the hour the clocks
    go back (shown twice), with its offset, as the command line asks then."""
    wall = moment.astimezone(UK)
    if wall.replace(fold=1 - wall.fold).utcoffset() != wall.utcoffset():
        return wall.isoformat(timespec="minutes")
    return format_datetime(moment)


def this_minute() -> datetime:
    """Now, as typed to the minute: never later than the moment the command runs."""
    return parse_uk_datetime(typed(now_utc()))


def emergency_args(
    start: datetime | None = None, changes: dict[str, str] | None = None
) -> list[str]:
    """The emergency issue of the free drone from ``start`` (now), with options changed."""
    start = start or this_minute()
    options = {
        "--tag": FREE_DRONE.lower(),
        "--borrower": "CAMBS-POL",
        "--operator": "daniel okafor",
        "--from": typed(start),
        "--to": typed(start + timedelta(hours=6)),
        "--purpose": "Missing person search, Ouse Washes",
        "--incident": "CC-20261121-0042",
    }
    for option, value in (changes or {}).items():
        options[f"--{option.replace('_', '-')}"] = value
    argv = ["loan", "issue", "--emergency"]
    for option, value in options.items():
        argv += [option, value]
    return argv


def all_loans(capsys: pytest.CaptureFixture[str], url: str) -> list[dict[str, Any]]:
    loans: list[dict[str, Any]] = run_json(capsys, url, "loan", "list", "--limit", "500")
    return loans


def recorded_loans(capsys: pytest.CaptureFixture[str], url: str) -> list[dict[str, Any]]:
    """Every loan as stored, without what the clock changes (how long overdue), so two
    lists taken a minute boundary apart still compare equal when nothing was changed."""
    # "Overdue 1 day" becomes "Overdue 1 day 1 hour" on the hour: its label ticks too.
    ticking = {"overdue_by", "overdue_minutes", "status_label"}
    return [
        {key: value for key, value in loan.items() if key not in ticking}
        for loan in all_loans(capsys, url)
    ]


def loans_of(loans: list[dict[str, Any]], tag: str) -> list[dict[str, Any]]:
    return [loan for loan in loans if any(line["tag"] == tag for line in loan["lines"])]


# -- the emergency issue and the list ------------------------------------------------------


def test_emergency_issue_prints_the_loan_and_list_shows_it(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    start = this_minute()
    due = start + timedelta(hours=6)
    # The demo's year of history has lent this drone before, but every one of those loans
    # is over: none is out or booked, so the drone is free now.
    before = loans_of(all_loans(capsys, demo_url), FREE_DRONE)
    assert all(row["status"] in {"returned", "declined", "cancelled"} for row in before)

    loan = run_json(capsys, demo_url, *emergency_args(start))

    assert isinstance(loan["id"], int)
    assert loan["status"] == "issued"
    assert loan["status_label"] == "Out"
    assert loan["is_emergency"] is True
    assert loan["borrower"] == "Cambridgeshire Constabulary"
    assert loan["lender"] == "Cambridgeshire Fire and Rescue Service"
    assert loan["operator"] == "Daniel Okafor"
    assert loan["incident_ref"] == "CC-20261121-0042"
    assert datetime.fromisoformat(loan["from"]) == start
    assert datetime.fromisoformat(loan["to"]) == due
    assert re.search(r"[+-]\d\d:\d\d$", loan["from"]), "times carry their UTC offset"
    assert loan["recalled"] is False
    assert loan["overdue"] is False

    listed = {row["id"]: row for row in all_loans(capsys, demo_url)}
    assert {row["id"] for row in loans_of(list(listed.values()), FREE_DRONE)} == {
        row["id"] for row in before
    } | {loan["id"]}
    row = listed[loan["id"]]
    assert row["status"] == "issued"
    assert datetime.fromisoformat(row["from"]) == start
    assert datetime.fromisoformat(row["to"]) == due
    assert [
        (line["tag"], line["quantity"], line["quantity_returned"]) for line in row["lines"]
    ] == [(FREE_DRONE, 1, 0)]
    out_now = run_json(capsys, demo_url, "loan", "list", "--section", "out")
    assert loan["id"] in {row["id"] for row in out_now}
    awaiting = run_json(capsys, demo_url, "loan", "list", "--section", "awaiting")
    assert loan["id"] not in {row["id"] for row in awaiting}


def test_emergency_issue_says_what_went_out_in_one_sentence(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, demo_url, *emergency_args())
    assert status == 0, err
    assert re.fullmatch(
        rf"Emergency loan \d+ issued: {FREE_DRONE} to Cambridgeshire Constabulary, operated "
        r"by Daniel Okafor, from \d\d/\d\d/\d{4} \d\d:\d\d; due back \d\d/\d\d/\d{4} \d\d:\d\d\.\n",
        out,
    )


# -- a whole loan through the command line ---------------------------------------------


def test_request_approve_issue_partial_return_and_return(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Nine days ahead meets every protocol's notice period for the shelter.
    start = parse_uk_datetime(typed(now_utc() + timedelta(days=9)))
    due = start + timedelta(days=1)
    status, out, err = run(
        capsys,
        demo_url,
        "loan",
        "request",
        "--borrower",
        "cambridgeshire constabulary",
        "--requested-by",
        "1847",
        "--purpose",
        "Operation Hawthorn: welfare for officers",
        "--incident",
        "OP-HAWTHORN",
        "--from",
        typed(start),
        "--to",
        typed(due),
        "--tag",
        f"{SHELTER.lower()}:2",
    )
    assert status == 0, err
    match = re.fullmatch(
        rf"Loan (\d+) requested: 2 × {SHELTER} for Cambridgeshire Constabulary, "
        rf"{re.escape(typed(start))} to {re.escape(typed(due))}; awaiting approval\.\n",
        out,
    )
    assert match, out
    loan_id = match.group(1)
    awaiting = run_json(capsys, demo_url, "loan", "list", "--section", "awaiting")
    assert int(loan_id) in {row["id"] for row in awaiting}

    # Whoever signs in decides: here Paul Whitmore, the lender's equipment manager.
    approved = run_json(capsys, demo_url, "loan", "approve", loan_id)
    assert approved["status"] == "approved"
    assert approved["approver"] == "Paul Whitmore"

    status, out, err = run(
        capsys, demo_url, "loan", "issue", loan_id, "--operator", "RACHEL HOLLOWAY"
    )
    assert status == 0, err
    assert out.startswith(
        f"Loan {loan_id} issued: 2 × {SHELTER} to Cambridgeshire Constabulary, operated by "
        "Rachel Holloway; due back"
    )

    partly = run_json(
        capsys,
        demo_url,
        "loan",
        "return",
        loan_id,
        "--tag",
        SHELTER,
        "--quantity",
        "1",
        "--received-by",
        "Paul Whitmore",
        "--condition",
        "fair",
    )
    assert partly["status"] == "partly_returned"
    assert partly["status_label"] == "Partly returned"
    [line] = partly["lines"]
    assert (line["tag"], line["quantity"], line["quantity_returned"]) == (SHELTER, 2, 1)
    assert line["quantity_out"] == 1
    assert line["condition_in"] == "Fair"

    status, out, err = run(capsys, demo_url, "loan", "return", loan_id)
    assert status == 0, err
    assert out == f"Loan {loan_id} returned in full: 1 × {SHELTER} back.\n"

    final = run_json(capsys, demo_url, "loan", "show", loan_id)
    assert final["status"] == "returned"
    assert final["returned_at"] is not None
    assert final["lines"][0]["quantity_returned"] == 2
    returned = run_json(capsys, demo_url, "loan", "list", "--section", "returned")
    assert int(loan_id) in {row["id"] for row in returned}

    status, _, err = run(capsys, demo_url, "loan", "return", loan_id)
    assert status == 1
    assert f"Loan {loan_id} is returned. Only kit that is out can be returned." in err


def test_extend_recall_and_cancel(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    loan = run_json(capsys, demo_url, *emergency_args())
    loan_id = str(loan["id"])
    due = datetime.fromisoformat(loan["to"])

    later = due + timedelta(hours=2)
    extended = run_json(
        capsys, demo_url, "loan", "extend", loan_id, "--to", typed(later), "--reason", "Search"
    )
    assert datetime.fromisoformat(extended["to"]) == later

    back_by = parse_uk_datetime(typed(now_utc() + timedelta(hours=2)))
    status, out, err = run(
        capsys,
        demo_url,
        "loan",
        "recall",
        loan_id,
        "--due",
        typed(back_by),
        "--reason",
        "Needed at a barn fire, Whittlesey",
    )
    assert status == 0, err
    assert out == (
        f"Loan {loan_id} recalled: Cambridgeshire Constabulary must return {FREE_DRONE} by "
        f"{typed(back_by)}. Reason: Needed at a barn fire, Whittlesey.\n"
    )
    recalled = run_json(capsys, demo_url, "loan", "show", loan_id)
    assert recalled["recalled"] is True
    assert recalled["status_label"] == "Recalled"
    assert datetime.fromisoformat(recalled["to"]) == back_by
    assert datetime.fromisoformat(recalled["booked_to"]) == later
    in_list = run_json(capsys, demo_url, "loan", "list", "--section", "recalled")
    assert int(loan_id) in {row["id"] for row in in_list}

    status, _, err = run(capsys, demo_url, "loan", "extend", loan_id, "--to", typed(later))
    assert status == 1
    assert "cannot be extended" in err

    status, _, err = run(capsys, demo_url, "loan", "cancel", loan_id)
    assert status == 1
    assert "Only a request or an approved loan not yet out can be cancelled." in err

    awaiting = run_json(capsys, demo_url, "loan", "list", "--section", "awaiting")
    request_id = str(awaiting[0]["id"])
    status, out, err = run(capsys, demo_url, "loan", "cancel", request_id, "--reason", "Not needed")
    assert status == 0, err
    assert out.startswith(f"Loan {request_id} cancelled: ")
    assert run_json(capsys, demo_url, "loan", "show", request_id)["status"] == "cancelled"


def test_decline_needs_the_lender_and_gives_the_reason(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    awaiting = run_json(capsys, demo_url, "loan", "list", "--section", "awaiting")
    loan = next(
        row for row in awaiting if row["lender"] == "Cambridgeshire Fire and Rescue Service"
    )
    loan_id = str(loan["id"])

    # An equipment manager, but the borrower's.
    sign_in_as(monkeypatch, POLICE_MANAGER)
    status, _, err = run(capsys, demo_url, "loan", "decline", loan_id, "--reason", "No")
    assert status == 1
    assert "Stephen Marsh works for Cambridgeshire Constabulary" in err
    assert "only Cambridgeshire Fire and Rescue Service, who lend the kit, can decide" in err
    assert run_json(capsys, demo_url, "loan", "show", loan_id)["status"] == "requested"

    sign_in_as(monkeypatch, FIRE_MANAGER)
    status, out, err = run(
        capsys,
        demo_url,
        "loan",
        "decline",
        loan_id,
        "--reason",
        "Needed for our own operation",
    )
    assert status == 0, err
    assert out == (
        f"Loan {loan_id} declined by Paul Whitmore; the kit is free again. "
        "Reason given: Needed for our own operation.\n"
    )
    declined = run_json(capsys, demo_url, "loan", "show", loan_id)
    assert declined["status"] == "declined"
    assert declined["decision_reason"] == "Needed for our own operation"


def test_return_with_a_defect_takes_the_item_out_of_service(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    loan = run_json(capsys, demo_url, *emergency_args())
    status, out, err = run(
        capsys,
        demo_url,
        "loan",
        "return",
        str(loan["id"]),
        "--condition",
        "poor",
        "--defect",
        "Gimbal arm cracked after a heavy landing.",
        "--severity",
        "unsafe",
    )
    assert status == 0, err
    assert "The unsafe defect is recorded; the item is out of service" in out
    rows = run_json(capsys, demo_url, "search", FREE_DRONE)
    assert next(row for row in rows if row["tag"] == FREE_DRONE)["status"] == "out_of_service"

    status, _, err = run(capsys, demo_url, *emergency_args())
    assert status == 1
    assert f"{FREE_DRONE} “" in err
    assert "open unsafe defect" in err


# -- refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        pytest.param(
            {"borrower": "Kent Police"},
            ["No agency is called or has the short code “Kent Police”", "kitshare-admin agencies"],
            id="unknown-agency",
        ),
        pytest.param(
            {"operator": "Zed Zulu"},
            ["No one listed has the name or staff number “Zed Zulu”", "kitshare-admin people"],
            id="unknown-person",
        ),
        pytest.param(
            {"borrower": "cambridgeshire"},
            [
                "“cambridgeshire” could be any of 2 agencies",
                "Cambridgeshire Constabulary (CAMBS-POL)",
                "Cambridgeshire Fire and Rescue Service (CAMBS-FRS)",
            ],
            id="ambiguous-agency",
        ),
        pytest.param(
            {"tag": "NOPE-000001"},
            ["No catalogue item has the asset tag “NOPE-000001”"],
            id="unknown-tag",
        ),
        pytest.param(
            {"operator": "rachel holloway"},
            ["Rachel Holloway holds no “Drone pilot (GVC)”", "Name an operator who holds it."],
            id="operator-without-competence",
        ),
        pytest.param(
            {"operator": "2876"},
            ["Liam Chapman's “Drone pilot (GVC)” expired on"],
            id="operator-competence-lapsed",
        ),
        pytest.param(
            {"from": "32/13/2026 10:00"},
            ["“32/13/2026 10:00” is not a date and time Kit Share understands", "DD/MM/YYYY"],
            id="bad-start",
        ),
        pytest.param(
            {"to": "tomorrow"},
            ["“tomorrow” is not a date and time Kit Share understands"],
            id="bad-end",
        ),
        pytest.param(
            {"purpose": "   "},
            ["Say what the kit is for"],
            id="no-purpose",
        ),
        pytest.param(
            {"borrower": "Cambridgeshire Fire and Rescue Service"},
            [
                f"Cambridgeshire Fire and Rescue Service owns {FREE_DRONE}: an agency does not "
                "borrow its own kit. Choose the agency taking it."
            ],
            id="owner-as-borrower",
        ),
        pytest.param(
            {"purpose": "\x00\x07\x1b"},
            ["Say what the kit is for"],
            id="purpose-of-control-characters",
        ),
        pytest.param(
            {"from": "0001-01-01T00:00+05:00"},
            [
                "The start 01/01/0001 is outside the dates Kit Share takes; give one from "
                "01/01/1970 to 31/12/2099."
            ],
            id="start-in-year-1",
        ),
        pytest.param(
            {"to": "9999-12-31T23:59-05:00"},
            [
                "The due time 31/12/9999 is outside the dates Kit Share takes; give one from "
                "01/01/1970 to 31/12/2099."
            ],
            id="due-in-year-9999",
        ),
        pytest.param(
            {"to": "30/03/2031 01:30"},
            [
                "There is no 01:30 on 30/03/2031 in the UK: the clocks go forward from 01:00 "
                "to 02:00 that night; give a time before 01:00 or from 02:00."
            ],
            id="due-in-the-hour-the-clocks-skip",
        ),
        pytest.param(
            {"to": "26/10/2031 01:30"},
            ["01:30 on 26/10/2031 happens twice in the UK", "add +01:00 (the first)"],
            id="due-in-the-hour-the-clocks-repeat",
        ),
        pytest.param(
            {"to": "29/02/2027 10:00"},
            [
                "“29/02/2027 10:00” is not a date and time Kit Share understands: there is no "
                "such day"
            ],
            id="29-february-in-a-common-year",
        ),
        pytest.param(
            {"to": "10/12/2026 24:00"},
            [
                "“10/12/2026 24:00” is not a date and time Kit Share understands: there is no "
                "such day"
            ],
            id="24-00",
        ),
    ],
)
def test_refused_emergency_issue_exits_1_and_changes_nothing(
    demo_url: str,
    capsys: pytest.CaptureFixture[str],
    changes: dict[str, str],
    messages: list[str],
) -> None:
    before = recorded_loans(capsys, demo_url)
    status, out, err = run(capsys, demo_url, *emergency_args(changes=changes))
    assert status == 1
    assert out == ""
    assert err.startswith("kitshare-admin: ")
    for message in messages:
        assert message in err
    assert recorded_loans(capsys, demo_url) == before


def test_double_booking_is_refused(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    first = run_json(capsys, demo_url, *emergency_args())
    before = recorded_loans(capsys, demo_url)

    status, _, err = run(capsys, demo_url, *emergency_args())
    assert status == 1
    assert f"{FREE_DRONE} “DJI Matrice 350 RTK" in err
    assert "is already booked for part of the time" in err
    assert f"Loan {first['id']} has it from" in err

    # Pooled stock: demo loan A1 holds 1 of the 3 shelters four days from now.
    start = parse_uk_datetime(typed(now_utc() + timedelta(days=4)))
    status, _, err = run(
        capsys,
        demo_url,
        "loan",
        "request",
        "--borrower",
        "CAMBS-POL",
        "--requested-by",
        "1847",
        "--purpose",
        "Welfare at the football",
        "--from",
        typed(start),
        "--to",
        typed(start + timedelta(hours=4)),
        "--tag",
        SHELTER,
        "--quantity",
        "3",
        "--emergency",
    )
    assert status == 1
    assert f"Only 2 of the 3 {SHELTER}" in err
    assert recorded_loans(capsys, demo_url) == before


def test_every_broken_rule_is_listed_on_its_own_line(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run_json(capsys, demo_url, *emergency_args())
    status, _, err = run(capsys, demo_url, *emergency_args(changes={"operator": "Rachel Holloway"}))
    assert status == 1
    first, *problems = err.splitlines()
    assert first == "kitshare-admin: 2 things stop this:"
    assert [line[:5] for line in problems] == ["  1. ", "  2. "]
    assert sum("is already booked" in line for line in problems) == 1
    assert sum("holds no “Drone pilot (GVC)”" in line for line in problems) == 1


def test_ambiguous_person_lists_the_candidates(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    loan_id = str(run_json(capsys, demo_url, *emergency_args())["id"])
    status, _, err = run(capsys, demo_url, "loan", "return", loan_id, "--received-by", "jo")
    assert status == 1
    assert "“jo” could be any of 2 people" in err
    assert "Joanne Fairweather (1905, CAMBS-POL)" in err
    assert "Jon Ferris (BF10233, BEDS-FRS)" in err
    assert run_json(capsys, demo_url, "loan", "show", loan_id)["status"] == "issued"


def test_the_approver_is_whoever_signs_in_not_an_option(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--database", sqlite_url, "loan", "approve", "7", "--by", "Paul Whitmore"])
    assert stopped.value.code == 2
    assert "the person deciding is whoever signs in" in capsys.readouterr().err


def test_unknown_loan_number(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, demo_url, "loan", "show", "99999")
    assert status == 1
    assert "There is no loan number 99999." in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--tag", "CFR-000250", "--tag", SHELTER, "--quantity", "2"], "--quantity goes with"),
        (["--tag", f"{SHELTER}:two"], "after the colon give how many"),
    ],
)
def test_muddled_tags_are_a_usage_error(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    base = ["loan", "request", "--borrower", "x", "--requested-by", "y", "--purpose", "z"]
    times = ["--from", "01/01/2030 09:00", "--to", "01/01/2030 10:00"]
    with pytest.raises(SystemExit) as stopped:
        main(["--database", sqlite_url, *base, *times, *argv])
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err


def test_issue_needs_a_loan_number_or_emergency(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--database", sqlite_url, "loan", "issue", "--operator", "2391"])
    assert stopped.value.code == 2
    assert "give the number of the approved loan" in capsys.readouterr().err

    with pytest.raises(SystemExit) as stopped:
        main(["--database", sqlite_url, "loan", "issue", "7", "--operator", "2391", "--tag", "X"])
    assert stopped.value.code == 2
    assert "add --emergency" in capsys.readouterr().err


# -- reading ---------------------------------------------------------------------------


def test_show_and_list_print_readable_tables(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    loan = run_json(capsys, demo_url, *emergency_args())
    status, out, _ = run(capsys, demo_url, "loan", "show", str(loan["id"]))
    assert status == 0
    assert out.splitlines()[0] == f"Loan {loan['id']}: Out (emergency)"
    assert "  Borrower:     Cambridgeshire Constabulary" in out
    assert "  Operator:     Daniel Okafor" in out
    assert re.search(rf"^  {FREE_DRONE} +DJI Matrice 350 RTK.* 1 +0 +1  Good$", out, re.M)

    status, out, _ = run(capsys, demo_url, "loan", "list", "--section", "out")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "Status", "From", "Due", "back", "Borrower", "Items"]
    assert any(line.split()[0] == str(loan["id"]) and FREE_DRONE in line for line in lines)
    assert re.fullmatch(r"\d+ loans in “Out now”\. \(E\): emergency\.", lines[-1])

    status, out, _ = run(
        capsys, demo_url, "loan", "list", "--section", "awaiting", "--agency", "norf-pol"
    )
    assert status == 0
    assert out == "No loans in “Awaiting approval”.\n"


def test_list_narrows_by_agency_and_site(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    everything = all_loans(capsys, demo_url)
    bedfordshire = run_json(capsys, demo_url, "loan", "list", "--agency", "beds-pol")
    assert bedfordshire
    assert len(bedfordshire) < len(everything)
    assert all("Bedfordshire Police" in (row["borrower"], row["lender"]) for row in bedfordshire)
    at_dogsthorpe = run_json(capsys, demo_url, "loan", "list", "--site", "dogsthorpe")
    tags = {line["tag"] for row in at_dogsthorpe for line in row["lines"]}
    # The drone and the tower light are kept at Dogsthorpe; the Huntingdon drone is not.
    assert {"CFR-000202", "CFR-000231"} <= tags
    assert "CFR-000201" not in tags
    status, _, err = run(capsys, demo_url, "loan", "list", "--site", "Narnia")
    assert status == 1
    assert "No site is called “Narnia”" in err


# -- lookups ---------------------------------------------------------------------------


def test_agencies_by_name_or_short_code_in_any_case(demo_db: Database) -> None:
    for typed_name in ("CAMBS-FRS", "cambs-frs", "Cambridgeshire Fire and Rescue Service"):
        assert find_agency(demo_db, typed_name).code == "CAMBS-FRS"
    assert find_agency(demo_db, "  cambridgeshire   FIRE ").code == "CAMBS-FRS"  # a prefix
    assert find_agency(demo_db, "ambulance").code == "EEAST"  # part of the name
    assert find_agency(demo_db, "beds-pol").name == "Bedfordshire Police"
    with pytest.raises(DomainError, match="could be any of 4 agencies"):
        find_agency(demo_db, "fire and rescue service")
    with pytest.raises(NotFound, match="“Kent Police”"):
        find_agency(demo_db, "Kent Police")
    with pytest.raises(DomainError, match="Give the agency's name or short code"):
        find_agency(demo_db, "  ")


def test_people_by_name_or_staff_number_in_any_case(demo_db: Database) -> None:
    assert find_person(demo_db, "cf20417").name == "Paul Whitmore"
    assert find_person(demo_db, "PS74410").name == "Stephen Marsh"
    assert find_person(demo_db, "2391").name == "Daniel Okafor"
    assert find_person(demo_db, "DANIEL   okafor").staff_number == "2391"
    assert find_person(demo_db, "okafor").name == "Daniel Okafor"
    with pytest.raises(DomainError, match="could be any of 2 people"):
        find_person(demo_db, "jo")
    with pytest.raises(NotFound, match="“Zed Zulu”"):
        find_person(demo_db, "Zed Zulu")


def test_a_staff_number_shared_between_agencies_prefers_the_borrower(demo_db: Database) -> None:
    with demo_db.write() as session:
        ambulance = session.scalars(select(Agency).where(Agency.code == "EEAST")).one()
        session.add(
            Person(agency_id=ambulance.id, staff_number="2391", given_name="Ruth", family_name="Ng")
        )
    police = find_agency(demo_db, "cambs-pol")
    ambulance_ref = find_agency(demo_db, "eeast")
    with pytest.raises(DomainError, match="could be any of 2 people") as refused:
        find_person(demo_db, "2391")
    assert "Daniel Okafor (2391, CAMBS-POL)" in str(refused.value)
    assert "Ruth Ng (2391, EEAST)" in str(refused.value)
    assert find_person(demo_db, "2391", prefer_agency_id=police.id).name == "Daniel Okafor"
    assert find_person(demo_db, "2391", prefer_agency_id=ambulance_ref.id).name == "Ruth Ng"


def test_items_by_asset_tag_in_any_case(demo_db: Database) -> None:
    item = find_item(demo_db, " cfr-000255 ")
    assert (item.asset_tag, item.is_pooled, item.quantity) == (SHELTER, True, 3)
    assert find_item(demo_db, FREE_DRONE).is_pooled is False
    with pytest.raises(NotFound, match="No catalogue item has the asset tag “CFR-0002”"):
        find_item(demo_db, "CFR-0002")  # no partial tags: a loan must name the exact item


def test_sites_by_name(demo_db: Database) -> None:
    assert find_site(demo_db, "dogsthorpe fire station").name == "Dogsthorpe Fire Station"
    assert find_site(demo_db, "DOGSTHORPE").name == "Dogsthorpe Fire Station"
    with pytest.raises(DomainError, match="could be any of"):
        find_site(demo_db, "ely")


def test_names_commands_list_agencies_and_people(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, demo_url, "agencies")
    assert status == 0
    assert "CAMBS-POL    Cambridgeshire Constabulary" in out.splitlines()
    people = run_json(capsys, demo_url, "people", "--agency", "cambs-pol")
    assert {"name": "Rachel Holloway", "staff_number": "1847"}.items() <= next(
        p for p in people if p["staff_number"] == "1847"
    ).items()
    assert {p["agency_code"] for p in people} == {"CAMBS-POL"}
    sites = run_json(capsys, demo_url, "sites", "--agency", "EEAST")
    assert {s["agency_code"] for s in sites} == {"EEAST"}
    assert len(sites) == 4


# -- the real entry point ----------------------------------------------------------------


def test_the_installed_command_exits_0_then_1_on_a_double_booking(demo_url: str) -> None:
    command = Path(sys.executable).with_name("kitshare-admin")
    assert command.exists(), f"{command} is not installed (pip install -e .)"
    argv = [str(command), "--database", demo_url, *emergency_args(), "--json"]

    booked = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert booked.returncode == 0, booked.stderr
    loan_id = json.loads(booked.stdout)["id"]

    again = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 1
    assert again.stdout == ""
    assert "Traceback" not in again.stderr
    assert f"Loan {loan_id} has it from" in again.stderr
