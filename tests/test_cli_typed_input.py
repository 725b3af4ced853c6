"""The command line given what a person might type at the edges: dates at the ends of
time and in the hours the UK clocks skip or repeat, quantities no store holds, and bytes
that are not text. Each gets a sentence and exit status 1 (or 2 for a malformed option),
never a traceback, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json

import pytest

from app.cli.main import main

RANGE = "is outside the dates Kit Share takes; give one from 01/01/1970 to 31/12/2099."


def run(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str, str]:
    status = main(["--database", url, *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize(
    ("period", "message"),
    [
        (
            ("0001-01-01T00:00+05:00", "10/12/2026 10:00"),
            f"The start of the period 01/01/0001 {RANGE}",
        ),
        (
            ("10/12/2026 10:00", "9999-12-31T23:59-05:00"),
            f"The end of the period 31/12/9999 {RANGE}",
        ),
        (
            ("30/03/2031 01:30", "30/03/2031 06:00"),
            "There is no 01:30 on 30/03/2031 in the UK: the clocks go forward from 01:00 to "
            "02:00 that night; give a time before 01:00 or from 02:00.",
        ),
    ],
)
def test_a_search_period_that_cannot_be_is_refused_in_a_sentence(
    demo_url: str, capsys: pytest.CaptureFixture[str], period: tuple[str, str], message: str
) -> None:
    start, end = period
    status, out, err = run(
        capsys, demo_url, "search", "drone", "--available-from", start, "--available-to", end
    )
    assert (status, out, err) == (1, "", f"kitshare-admin: {message}\n")


def test_an_inspection_due_date_out_of_range_is_a_usage_error(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--database", demo_url, "search", "--inspection-due-before", "01/01/0001"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "kitshare-admin search: error: argument --inspection-due-before: The date 01/01/0001 "
        f"{RANGE}"
    )


def test_a_quantity_no_store_holds_is_refused(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(
        capsys,
        demo_url,
        "search",
        "barrier",
        *("--available-from", "10/12/2030 10:00", "--available-to", "10/12/2030 12:00"),
        *("--quantity", str(10**12)),
    )
    assert (status, out) == (1, "")
    assert err == (
        "kitshare-admin: No item holds more than 1,000,000: ask for that many or fewer to see "
        "what is free.\n"
    )


def test_bytes_that_are_not_text_in_a_search_are_set_aside(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # A byte that is not UTF-8 reaches Python's argv as half a surrogate pair.
    status, out, err = run(capsys, demo_url, "search", "drone\udcff", "--json")
    assert status == 0, err
    found = json.loads(out)
    status, out, _ = run(capsys, demo_url, "search", "drone", "--json")
    assert found == json.loads(out) != []


def test_a_report_period_out_of_range_is_a_usage_error(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--database", demo_url, "report", "loans-per-month", "--to", "31/12/9999"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"kitshare-admin report: error: argument --to: The date 31/12/9999 {RANGE}"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("loan", "show", str(10**20)),
        ("loan", "approve", str(2**31)),
        ("print-form", str(10**20), "--pdf", "form.pdf"),
        ("defect", "clear", str(10**20), "--note", "Replaced"),
        ("loan", "show", "0"),
    ],
)
def test_a_record_number_no_record_can_have_is_a_usage_error(
    demo_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
) -> None:
    monkeypatch.setenv("KITSHARE_USER", "admin")
    monkeypatch.setenv("KITSHARE_PASSWORD", "admin-demo-2026")
    number = next(a for a in args if a.isdigit())
    with pytest.raises(SystemExit) as stopped:
        main(["--database", demo_url, *args])
    assert stopped.value.code == 2
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .endswith(f"“{number}” is not a record number: give the number Kit Share shows, e.g. 12")
    )
