"""``kitshare-admin`` while the server cannot be reached: reading commands answer from
the station copy and say so on stderr; an emergency issue and a return go into the
outbox; any other change is refused in a sentence; ``station status`` lists the outbox,
and ``station send``, ``resend`` and ``cancel`` deal with it once the server is back."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.core.clock import format_datetime, now_utc
from app.storage.config import describe_location
from app.storage.database import open_database
from app.storage.station_copy import RECORD_TABLE, default_copy_path, refresh_copy
from app.storage.station_outbox import REFUSED, SENT, WAITING, default_outbox
from models import Loan, LoanStatus, OfflineReceipt
from tests.pgserver import free_port
from ui.admin import main

# Printing makes Qt's application; pytest-qt's must come first, as for every print test.
pytestmark = pytest.mark.usefixtures("qapp")
ON_POSTGRES = pytest.mark.parametrize(
    "demo_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


def run(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str, str]:
    status = main(["--database", url, *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def down_url(demo_url: str) -> str:
    """A server nobody answers at, whose station copy is the demo's: as if the demo's
    server had gone away after the station last refreshed its copy."""
    dead = f"postgresql://kitshare@127.0.0.1:{free_port()}/kitshare"
    db = open_database(demo_url)
    try:
        refresh_copy(db, default_copy_path())
    finally:
        db.dispose()
    with closing(sqlite3.connect(default_copy_path())) as copy, copy:
        copy.execute(
            f"UPDATE {RECORD_TABLE} SET value = ? WHERE key = 'source'",
            (json.dumps(describe_location(dead)),),
        )
    return dead


def _emergency(tag: str, quantity: int) -> list[str]:
    due = now_utc() + timedelta(hours=8)
    return [
        "loan",
        "issue",
        "--emergency",
        "--tag",
        f"{tag}:{quantity}",
        "--borrower",
        "Hertfordshire Constabulary",
        "--operator",
        "Matt Doherty",
        "--to",
        format_datetime(due),
        "--purpose",
        "Flood cordon, Bedford Embankment",
    ]


@ON_POSTGRES
def test_offline_the_commands_answer_from_the_copy_and_keep_loans_in_the_outbox(
    demo_url: str,
    down_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("KITSHARE_USER", "duty")
    monkeypatch.setenv("KITSHARE_PASSWORD", "duty-demo-2026")

    status, out, err = run(capsys, down_url, "search", "barrier")
    assert status == 0, err
    assert "BED-000501" in out
    assert "Offline: Cannot reach the PostgreSQL server" in err
    assert "Answering from the station copy taken" in err

    status, out, err = run(capsys, down_url, *_emergency("BED-000501", 10))
    assert status == 0, err
    assert "Emergency loan" in out
    (entry,) = default_outbox().rows()
    assert entry.state == WAITING
    assert entry.logged_by.startswith("Rachel Holloway") or "duty" in entry.logged_by

    # Anything else that changes data needs the server, and says so.
    status, _, err = run(
        capsys,
        down_url,
        "defect",
        "report",
        "BED-000501",
        "--severity",
        "minor",
        "--description",
        "Bent",
    )
    assert status != 0
    assert "working offline" in err
    assert "make this change once the server is back" in err
    # Printing works from the copy, and the page says it was printed offline.
    pdf = tmp_path / "terms.pdf"
    status, _, err = run(capsys, down_url, "print-terms", "BED-000501", "--pdf", str(pdf))
    assert status == 0, err
    # NFKC reads the typeset ligatures ("ﬄ") as the letters they join.
    pages = [
        " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())
        for page in PdfReader(pdf).pages
    ]
    assert len(pages) > 1
    assert all("Printed offline from the station copy of" in page for page in pages), pages

    status, out, _ = run(capsys, down_url, "station", "status")
    assert "1 entry to deal with" in out
    assert "waiting to be sent" in out

    # The server back (the demo's own), the outbox goes once, and only once.
    status, out, err = run(capsys, demo_url, "station", "send")
    assert status == 0, err
    assert "Outbox: 1 sent." in out
    (entry,) = default_outbox().rows()
    assert entry.state == SENT
    status, out, _ = run(capsys, demo_url, "station", "send")
    assert "nothing to send" in out
    db = open_database(demo_url)
    try:
        with db.read() as session:
            loan = session.get(Loan, entry.loan_id)
            assert loan is not None
            assert loan.status is LoanStatus.ISSUED
            assert session.query(OfflineReceipt).count() == 1
    finally:
        db.dispose()


@ON_POSTGRES
def test_a_refused_entry_is_listed_and_cancelled_with_a_reason(
    demo_url: str,
    down_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KITSHARE_USER", "duty")
    monkeypatch.setenv("KITSHARE_PASSWORD", "duty-demo-2026")
    assert run(capsys, down_url, *_emergency("BED-000501", 25))[0] == 0
    # Meanwhile, at another station with the server, 10 of the 30 went out.
    assert run(capsys, demo_url, *_emergency("BED-000501", 10))[0] == 0

    status, out, _ = run(capsys, demo_url, "station", "send")
    assert status == 1
    assert "1 refused by the server, kept in the outbox" in out
    (entry,) = default_outbox().rows()
    assert entry.state == REFUSED
    status, out, _ = run(capsys, demo_url, "station", "status", "--json")
    listed = json.loads(out)["outbox"]
    assert [(e["id"], e["state"]) for e in listed] == [(entry.id, "refused")]
    assert listed[0]["refusal"]

    status, out, err = run(
        capsys, demo_url, "station", "cancel", entry.id[:8], "--reason", "Kit came back early"
    )
    assert status == 0, err
    assert "Cancelled by" in out
    assert "Kit came back early" in out
