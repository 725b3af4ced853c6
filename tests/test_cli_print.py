"""``kitshare-admin print-terms``, ``print-form`` and ``labels``: PDFs from the command line,
and the refusals that leave no file behind.

They run through ``ui.admin.main``, the real entry point, which hands ``app.cli.main`` the Qt
PDF writer; one run goes through a subprocess with no display at all.
"""

from __future__ import annotations

import os

# Before any Qt application exists: these tests must run on machines without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.documents.content import A4_21_LABELS, all_label_item_ids
from app.storage.database import open_database
from models import EquipmentItem, ItemStatus, Loan, LoanLine, LoanStatus
from tests.disk_full import limit_file_size
from tests.templates import Content, SqliteTemplates
from ui.admin import main

# A QApplication before anything prints: ``write_pdf`` would otherwise make a bare
# QGuiApplication, and a window test later in the same run could not make widgets.
pytestmark = pytest.mark.usefixtures("qapp")

ROOT = Path(__file__).resolve().parents[1]
TOWER = "CFR-000231"  # a lighting tower the tri-service MoU covers; demo loan C5 has it out
SIGNS = "CAM-000150"
UNCOVERED = "BED-000601"  # no sharing protocol covers it


@dataclass(frozen=True)
class Demo:
    url: str
    issued_loan_id: int  # the loan that has the tower out
    retired_tag: str
    label_count: int  # items that are not retired


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, sqlite_templates: SqliteTemplates) -> Demo:
    """The demo data in a SQLite file, copied once: the printing commands only read it."""
    path = tmp_path_factory.mktemp("cli-print") / "demo.db"
    sqlite_templates.copy(Content.DEMO, path)
    url = f"sqlite:///{path.as_posix()}"
    db = open_database(url)
    try:
        with db.read() as session:
            loan_id = session.scalars(
                select(Loan.id)
                .join(LoanLine, LoanLine.loan_id == Loan.id)
                .join(EquipmentItem, EquipmentItem.id == LoanLine.item_id)
                .where(EquipmentItem.asset_tag == TOWER, Loan.status == LoanStatus.ISSUED)
            ).one()
            retired = session.scalars(
                select(EquipmentItem.asset_tag)
                .where(EquipmentItem.status == ItemStatus.RETIRED)
                .order_by(EquipmentItem.asset_tag)
            ).first()
        assert retired is not None
        count = len(all_label_item_ids(db))
    finally:
        db.dispose()
    return Demo(url=url, issued_loan_id=loan_id, retired_tag=retired, label_count=count)


@dataclass(frozen=True)
class Run:
    status: int
    out: str
    err: str


def run(capsys: pytest.CaptureFixture[str], demo: Demo, *args: str | Path) -> Run:
    status = main(["--database", demo.url, *(str(a) for a in args)])
    captured = capsys.readouterr()
    return Run(status, captured.out, captured.err)


def first_page_text(path: Path) -> str:
    return re.sub(r"\s+", " ", PdfReader(path).pages[0].extract_text())


def page_count(path: Path) -> int:
    return len(PdfReader(path).pages)


def refused(result: Run) -> str:
    """The one-line refusal, checked to be one: exit 1, nothing on stdout."""
    assert result.status == 1, result
    assert result.out == ""
    assert result.err.startswith("kitshare-admin: ")
    assert "Traceback" not in result.err
    return result.err


# -- what works ------------------------------------------------------------------------------


def test_print_terms_writes_the_items_terms(
    capsys: pytest.CaptureFixture[str], demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "terms.pdf"

    result = run(capsys, demo, "print-terms", TOWER.lower(), "--pdf", out)

    assert result.status == 0, result.err
    assert result.err == ""
    assert out.read_bytes().startswith(b"%PDF")
    pages = page_count(out)
    assert pages >= 2
    assert result.out == f"Wrote {out} ({pages} pages).\n"
    first = first_page_text(out)
    assert TOWER in first
    assert f"Page 1 of {pages}" in first
    assert list(tmp_path.iterdir()) == [out]


def test_print_form_writes_the_loans_form(
    capsys: pytest.CaptureFixture[str], demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "form.pdf"

    result = run(capsys, demo, "print-form", str(demo.issued_loan_id), "--pdf", out)

    assert result.status == 0, result.err
    pages = page_count(out)
    assert result.out == f"Wrote {out} ({pages} page{'s' if pages != 1 else ''}).\n"
    first = first_page_text(out)
    assert f"Loan {demo.issued_loan_id}" in first
    assert TOWER in first


def test_labels_for_every_item(
    capsys: pytest.CaptureFixture[str], demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "labels.pdf"

    result = run(capsys, demo, "labels", "--all", "--pdf", out)

    assert result.status == 0, result.err
    sheets = -(-demo.label_count // A4_21_LABELS.per_sheet)
    assert sheets >= 2
    assert result.out == f"Wrote {out} ({sheets} pages).\n"
    assert page_count(out) == sheets


def test_labels_for_the_tags_given(
    capsys: pytest.CaptureFixture[str], demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "two.pdf"

    result = run(capsys, demo, "labels", TOWER, SIGNS, "--pdf", out)

    assert result.status == 0, result.err
    assert result.out == f"Wrote {out} (1 page).\n"
    first = first_page_text(out)
    assert TOWER in first
    assert SIGNS in first


# -- refusals: a message, exit 1, and no file --------------------------------------------------


def test_an_unknown_tag_is_named_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str], demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "terms.pdf"

    err = refused(run(capsys, demo, "print-terms", "NOPE-404", "--pdf", out))

    assert "No item has the asset tag NOPE-404." in err
    assert list(tmp_path.iterdir()) == []


def test_an_item_without_a_protocol_has_no_terms(
    capsys: pytest.CaptureFixture[str], demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "terms.pdf"

    err = refused(run(capsys, demo, "print-terms", UNCOVERED, "--pdf", out))

    assert UNCOVERED in err
    assert "not covered by a sharing protocol" in err
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_loan_is_refused(
    capsys: pytest.CaptureFixture[str], demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "form.pdf"

    err = refused(run(capsys, demo, "print-form", "999999", "--pdf", out))

    assert "There is no loan number 999999" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "choice",
    [[TOWER, "--all"], []],
    ids=["tags-and-all", "neither"],
)
def test_labels_need_tags_or_all_but_not_both(
    capsys: pytest.CaptureFixture[str], demo: Demo, tmp_path: Path, choice: list[str]
) -> None:
    out = tmp_path / "labels.pdf"

    err = refused(run(capsys, demo, "labels", *choice, "--pdf", out))

    assert "Give the asset tags to print labels for, or --all, but not both." in err
    assert list(tmp_path.iterdir()) == []


def test_labels_name_every_unknown_tag_and_refuse_retired_kit(
    capsys: pytest.CaptureFixture[str], demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "labels.pdf"

    unknown = refused(run(capsys, demo, "labels", "NOPE-1", TOWER, "NOPE-2", "--pdf", out))
    assert "No item has the asset tags NOPE-1, NOPE-2." in unknown

    retired = refused(run(capsys, demo, "labels", demo.retired_tag, "--pdf", out))
    assert "retired" in retired
    assert list(tmp_path.iterdir()) == []


def test_a_missing_output_folder_is_refused_and_not_created(
    capsys: pytest.CaptureFixture[str], demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "no-such-folder" / "terms.pdf"

    err = refused(run(capsys, demo, "print-terms", TOWER, "--pdf", out))

    assert f"the folder {out.parent} does not exist" in err
    assert list(tmp_path.iterdir()) == []


def test_an_output_name_not_ending_pdf_is_refused(
    capsys: pytest.CaptureFixture[str], demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "out.txt"

    err = refused(run(capsys, demo, "print-terms", TOWER, "--pdf", out))

    assert f"{out} does not end in .pdf" in err
    assert list(tmp_path.iterdir()) == []


def test_an_output_that_is_a_folder_is_refused(
    capsys: pytest.CaptureFixture[str], demo: Demo, tmp_path: Path
) -> None:
    folder = tmp_path / "terms.pdf"
    folder.mkdir()

    err = refused(run(capsys, demo, "print-terms", TOWER, "--pdf", folder))

    assert "is a folder" in err
    assert list(tmp_path.iterdir()) == [folder]
    assert list(folder.iterdir()) == []


def test_a_refused_command_leaves_an_existing_file_alone(
    capsys: pytest.CaptureFixture[str], demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "terms.pdf"
    out.write_bytes(b"yesterday's terms")

    refused(run(capsys, demo, "print-terms", UNCOVERED, "--pdf", out))

    assert out.read_bytes() == b"yesterday's terms"
    assert list(tmp_path.iterdir()) == [out]


# -- on a server with no display -------------------------------------------------------------


def test_print_terms_runs_headless_in_a_fresh_process(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "terms.pdf"
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")
    }

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ui.admin",
            "--database",
            demo.url,
            "print-terms",
            TOWER,
            "--pdf",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    pages = page_count(out)
    assert result.stdout == f"Wrote {out} ({pages} pages).\n"
    assert TOWER in first_page_text(out)


# -- a disk that fills up while the PDF is written ----------------------------------------------

# Above SQLite's 32 KiB shared-memory file, so the database opens; below any terms PDF.
FULL_AFTER = 40_000


def test_a_pdf_that_does_not_fit_on_the_disk_fails_and_keeps_the_good_file(
    demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "terms.pdf"
    command = [
        *(sys.executable, "-m", "ui.admin", "--database", demo.url),
        *("print-terms", TOWER, "--pdf", str(out)),
    ]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    good = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False
    )
    assert good.returncode == 0, good.stderr
    before = out.read_bytes()
    assert len(before) > FULL_AFTER, "the terms must be bigger than the room left on the disk"

    full = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
        preexec_fn=limit_file_size(FULL_AFTER),
    )

    assert full.returncode == 1, full.stdout
    assert full.stdout == ""
    # One sentence from Kit Share and no traceback. The same limit may also stop a
    # library writing its own cache (fontconfig, once its cache is stale, as under
    # libfaketime), which says so on stderr in its own words.
    assert "Traceback" not in full.stderr
    assert [line for line in full.stderr.splitlines() if line.startswith("kitshare-admin")] == [
        f"kitshare-admin: Kit Share could not save {out} because the disk is full (File too "
        "large), and any earlier terms.pdf is unchanged; free some space or choose another "
        "folder, then try again."
    ]
    assert full.stderr.endswith("then try again.\n")
    assert out.read_bytes() == before
    assert list(tmp_path.iterdir()) == [out]
    assert page_count(out) > 1
