"""``kitshare-admin kit …``, and lending a kit with ``loan request --kit`` and ``loan issue
--emergency --kit``, on SQLite and PostgreSQL.

The demo is loaded at the real present and the commands run at the real present: times
are worked out from ``now_utc()``. Changing commands sign in as Paul Whitmore
(``manager``), equipment manager of Cambridgeshire Fire and Rescue Service, whose kit the
kits are made of, unless a test signs in as someone else.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from app.cli.main import main
from app.core.clock import now_utc
from app.demo.kits import KITS
from tests.test_cli_loans import FIRE_MANAGER, sign_in_as, typed

# Cambridgeshire Fire and Rescue Service's water rescue kit in the demo, none of it booked:
# a boat at Huntingdon, flood rescue PPE sets (12) and throw line bags (20).
BOAT, PPE, THROW_LINES = "CFR-000221", "CFR-000223", "CFR-000224"
FREE_DRONE = "CFR-000203"  # Daniel Okafor (2391, police) holds the drone pilot (GVC)
SHELTER = "CFR-000255"  # 3 welfare shelters
DUTY = ("duty", "duty-demo-2026")  # a police duty officer


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


def add_water_kit(capsys: pytest.CaptureFixture[str], url: str) -> tuple[int, str, str]:
    return run(
        capsys,
        url,
        "kit",
        "add",
        "Ouse Washes team kit",
        "--site",
        "Huntingdon Fire Station",
        "--member",
        BOAT.lower(),
        "--member",
        f"{PPE}:4",
        "--member",
        f"{THROW_LINES}:6",
        "--note",
        f"{BOAT}=Check bung",
        "--description",
        "Boat, PPE and throw lines for a flood team",
    )


def later(hours: int) -> str:
    """A moment ``hours`` from now as a person types it (to the minute, UK time)."""
    return typed(now_utc() + timedelta(hours=hours, minutes=1))


def test_add_show_and_list_a_kit(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = add_water_kit(capsys, demo_url)
    assert status == 0, err
    assert out.strip() == (
        "Kit “Ouse Washes team kit” added for Cambridgeshire Fire and Rescue Service, kept "
        f"at Huntingdon Fire Station: 3 members ({BOAT}, 4 × {PPE}, 6 × {THROW_LINES})."
    )
    shown = run_json(capsys, demo_url, "kit", "show", "ouse washes")
    assert shown["agency_code"] == "CAMBS-FRS"
    assert [(m["tag"], m["quantity"], m["note"]) for m in shown["members"]] == [
        (BOAT, 1, "Check bung"),
        (PPE, 4, None),
        (THROW_LINES, 6, None),
    ]
    status, out, _ = run(capsys, demo_url, "kit", "show", "Ouse Washes team kit")
    assert status == 0
    assert "Note: Check bung" in out
    assert "Huntingdon Fire Station" in out
    listed = run_json(capsys, demo_url, "kit", "list", "--agency", "cambs-frs")
    assert [k["name"] for k in listed] == sorted(
        ["Ouse Washes team kit", *(k.name for k in KITS if k.site.startswith("fire-"))]
    )
    status, out, _ = run(capsys, demo_url, "kit", "list")
    assert status == 0
    assert out.splitlines()[-1] == f"{len(KITS) + 1} kits."
    status, out, _ = run(capsys, demo_url, "search", "throw line")
    assert status == 0
    assert "[kit]" in out
    assert "Ouse Washes team kit" in out


def test_show_says_whether_each_member_is_free(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add_water_kit(capsys, demo_url)[0] == 0
    shown = run_json(capsys, demo_url, "kit", "show", "ouse", "--from", later(2), "--to", later(10))
    assert shown["free"] is True
    assert [m["state"] for m in shown["members"]] == ["free", "free", "free"]
    status, out, _ = run(
        capsys, demo_url, "kit", "show", "ouse", "--from", later(2), "--to", later(10)
    )
    assert status == 0
    assert "Every member is free from" in out


def test_a_kit_the_rules_refuse_changes_nothing(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, _, err = run(
        capsys,
        demo_url,
        "kit",
        "add",
        "Too many suits",
        "--site",
        "Huntingdon Fire Station",
        "--member",
        f"{PPE}:13",
    )
    assert status == 1
    assert f"There are only 12 of {PPE}" in err
    sign_in_as(monkeypatch, DUTY)
    status, _, err = add_water_kit(capsys, demo_url)
    assert status == 1
    assert "only an equipment manager or an administrator can make and change kits" in err
    assert demo_kits_only(run_json(capsys, demo_url, "kit", "list"))


def demo_kits_only(listed: list[dict[str, Any]]) -> bool:
    """The kit list holds the demo's own kits and nothing else."""
    return sorted(k["name"] for k in listed) == sorted(k.name for k in KITS)


def test_edit_and_retire_a_kit(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert add_water_kit(capsys, demo_url)[0] == 0
    status, out, err = run(
        capsys,
        demo_url,
        "kit",
        "edit",
        "ouse washes",
        "--name",
        "Flood team kit",
        "--add",
        f"{PPE}:6",
        "--remove",
        THROW_LINES,
        "--add",
        FREE_DRONE,
        "--note",
        f"{FREE_DRONE}=Batteries charged?",
    )
    assert status == 0, err
    assert out.strip().endswith(f"3 members ({BOAT}, 6 × {PPE}, {FREE_DRONE}).")
    shown = run_json(capsys, demo_url, "kit", "show", "flood team")
    assert [m["note"] for m in shown["members"]] == ["Check bung", None, "Batteries charged?"]
    status, _, err = run(capsys, demo_url, "kit", "edit", "flood team", "--remove", SHELTER)
    assert status == 1
    assert f"{SHELTER} is not a member" in err
    status, out, _ = run(capsys, demo_url, "kit", "retire", "flood", "--reason", "Split up")
    assert status == 0
    assert "retired" in out
    assert demo_kits_only(run_json(capsys, demo_url, "kit", "list"))
    shown = run_json(capsys, demo_url, "kit", "show", "flood team")
    assert (shown["retired"], shown["retired_reason"]) == (True, "Split up")
    with pytest.raises(SystemExit) as stopped:
        main(["--database", demo_url, "kit", "edit", "flood team"])
    assert stopped.value.code == 2


def test_a_kit_is_requested_as_one_loan(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert add_water_kit(capsys, demo_url)[0] == 0
    sign_in_as(monkeypatch, DUTY)
    status, out, err = run(
        capsys,
        demo_url,
        "loan",
        "request",
        "--kit",
        "ouse washes",
        "--borrower",
        "cambs-pol",
        "--requested-by",
        "1847",
        "--purpose",
        "Flood search, March",
        "--from",
        later(2),
        "--to",
        later(14),
    )
    assert status == 0, err
    assert "requested: kit “Ouse Washes team kit” (" in out
    loan_id = out.split()[1]
    loan = run_json(capsys, demo_url, "loan", "show", loan_id)
    assert loan["kit"] == "Ouse Washes team kit"
    assert [(line["tag"], line["quantity"]) for line in loan["lines"]] == [
        (BOAT, 1),
        (PPE, 4),
        (THROW_LINES, 6),
    ]
    sign_in_as(monkeypatch, FIRE_MANAGER)
    assert run(capsys, demo_url, "loan", "approve", loan_id)[0] == 0
    # The same kit again for the same time: the boat is taken, and the refusal names it.
    sign_in_as(monkeypatch, DUTY)
    status, _, err = run(
        capsys,
        demo_url,
        "loan",
        "request",
        "--kit",
        "ouse washes",
        "--borrower",
        "cambs-pol",
        "--requested-by",
        "1847",
        "--purpose",
        "Second team",
        "--from",
        later(4),
        "--to",
        later(8),
    )
    assert status == 1
    assert f"{BOAT} “" in err
    assert "already booked" in err


def test_a_kit_is_issued_in_an_emergency(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, _, err = run(
        capsys,
        demo_url,
        "kit",
        "add",
        "Drone team kit",
        "--site",
        "Cambridge Fire Station",
        "--member",
        FREE_DRONE,
        "--member",
        f"{SHELTER}:1",
    )
    assert status == 0, err
    assert add_water_kit(capsys, demo_url)[0] == 0
    sign_in_as(monkeypatch, DUTY)
    emergency = ["loan", "issue", "--emergency", "--borrower", "cambs-pol", "--to", later(6)]
    emergency += ["--operator", "2391", "--purpose", "Missing person search"]
    # Daniel Okafor flies drones, but is no flood rescue technician: the members say so.
    status, _, err = run(capsys, demo_url, *emergency, "--kit", "water rescue")
    assert status == 1
    assert "Flood rescue technician (Module 3)" in err
    assert f"{BOAT} “" in err
    loan = run_json(capsys, demo_url, *emergency, "--kit", "drone team")
    assert (loan["status"], loan["is_emergency"], loan["kit"]) == ("issued", True, "Drone team kit")
    assert [line["tag"] for line in loan["lines"]] == [FREE_DRONE, SHELTER]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--kit", "water", "--tag", BOAT], "leave out --tag and --quantity"),
        ([], "--tag TAG for each item, or --kit NAME"),
    ],
)
def test_a_kit_or_tags_not_both(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    base = ["loan", "request", "--borrower", "x", "--requested-by", "y", "--purpose", "z"]
    times = ["--from", "01/01/2030 09:00", "--to", "01/01/2030 10:00"]
    with pytest.raises(SystemExit) as stopped:
        main(["--database", sqlite_url, *base, *times, *argv])
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err


def test_the_help_shows_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["kit", "--help"], ["kit", "add", "--help"], ["loan", "request", "--help"]):
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 0
        out = capsys.readouterr().out
        assert "Examples:" in out
        assert "--kit" in out or "kit add" in out
