"""Printed documents laid out with Qt: sharing terms, hand-over forms, labels, and the
window's Print menu, read back from the PDFs they make.

The demo database is loaded once for the module; tests that change it work on a copy.
PDF text comes back with odd line breaks and ligatures, so it is compared after NFKC
normalisation with every run of whitespace collapsed to one space.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
import zxingcpp
from pypdf import PageObject, PdfReader
from PySide6.QtCore import QBuffer, QByteArray, Qt
from PySide6.QtGui import QKeySequence, QPageLayout, QPainter, QPdfWriter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.agreements.clauses import ClauseDraft
from app.agreements.reading import MouView, get_mou, list_mous
from app.agreements.register import mou_draft_of, update_mou
from app.agreements.status import MouStatus
from app.agreements.versions import new_version
from app.catalogue.detail import item_detail
from app.core.clock import today_uk
from app.core.errors import DomainError, NotFound
from app.documents.content import (
    A4_21_LABELS,
    READING_LABELS,
    NotShareable,
    PrintedDocument,
    all_label_item_ids,
    asset_labels,
    handover_form,
    item_ids_for_tags,
    mou_document,
    sharing_terms,
    sharing_terms_for_tag,
)
from app.loans.views import get_loan
from app.storage.database import Database, open_database
from models import EquipmentItem, ItemStatus, Loan, LoanLine, LoanStatus
from tests.disk_full import file_size_limit
from tests.templates import Content, SqliteTemplates
from tests.ui.driving import ADMINISTRATOR, open_window, wait_for_results
from ui.printing import documents as printing
from ui.printing.actions import PDF_FILTER
from ui.printing.documents import (
    PDF_RESOLUTION,
    PrintFailed,
    apply_document_layout,
    layout_text,
    write_pdf,
)
from ui.shell.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("qapp")

# A diesel lighting tower lent under the tri-service MoU, version 2; demo loan C5 (to
# the ambulance service) has it out now, recording fuel and engine hours.
TOWER = "CFR-000231"
# Bedfordshire's tower light: no protocol covers it, so it has no sharing terms.
UNCOVERED = "BED-000601"
# Road closure signs, pooled: demo loan C4 has two lines of them out, no readings kept.
SIGNS = "CAM-000150"
A4_POINTS = (595.0, 842.0)
SIGNATURE_HEADINGS = ("For the lending party", "For the borrowing party")


# -- reading PDFs back -----------------------------------------------------------------------


def normalised(text: str) -> str:
    """NFKC (so "ﬁ" is "fi") with every run of whitespace made one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def page_texts(path: Path) -> list[str]:
    return [page.text for page in read_pdf(path)]


def first_and_last(path: Path) -> tuple[str, str, int]:
    """The first page's text, the last page's, and how many pages (pypdf is slow: a
    test that needs no more reads no more)."""
    pages = PdfReader(path).pages
    return (
        normalised(pages[0].extract_text()),
        normalised(pages[-1].extract_text()),
        len(pages),
    )


def page_sizes(path: Path) -> list[tuple[float, float]]:
    return [
        (float(page.mediabox.width), float(page.mediabox.height)) for page in PdfReader(path).pages
    ]


def assert_a4(path: Path) -> None:
    for width, height in page_sizes(path):
        assert width == pytest.approx(A4_POINTS[0], abs=1)
        assert height == pytest.approx(A4_POINTS[1], abs=1)


@dataclass(frozen=True)
class Body:
    """Where the text body of a document page lies, in points from the top of the page."""

    top: float
    bottom: float


def body_of(document: PrintedDocument, folder: Path) -> Body:
    """The body area ``write_pdf`` lays ``document`` out in, worked out as it does."""
    writer = QPdfWriter(str(folder / "probe.pdf"))
    writer.setResolution(PDF_RESOLUTION)
    apply_document_layout(writer)
    _, body_height = layout_text(document, writer)
    top = writer.pageLayout().paintRect(QPageLayout.Unit.Point).top()
    return Body(top=top, bottom=top + body_height * 72 / writer.logicalDpiY())


@dataclass(frozen=True)
class PdfPage:
    text: str  # all the page's text, normalised
    body: str  # only the text whose baselines fall inside the body area


def read_pdf(path: Path, body: Body | None = None) -> list[PdfPage]:
    """Each page's text, and (given where the body lies) the text shown in its body.

    A line laid out at the top of the next page is also painted, clipped away, at the foot
    of this one; text extraction sees it there, so the body text leaves it out by position
    (its baseline lies below the body). The footer lies below the body too.
    """
    return [_read_page(page, body) for page in PdfReader(path).pages]


def _read_page(page: PageObject, body: Body | None) -> PdfPage:
    height = float(page.mediabox.height)
    found: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: object) -> None:
        if body is None or not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        from_top = height - (tm[4] * cm[1] + tm[5] * cm[3] + cm[5])
        if body.top < from_top <= body.bottom:
            found.append((round(from_top, 1), x, text))

    text = page.extract_text(visitor_text=visit)
    return PdfPage(
        text=normalised(text),
        body=normalised(" ".join(part for _, _, part in sorted(found))),
    )


def pages_holding(pages: list[PdfPage], phrase: str) -> list[int]:
    """The numbers (from 1) of the pages that show ``phrase`` in their body."""
    return [number for number, page in enumerate(pages, 1) if phrase in page.body]


def decoded_qr(path: Path, page: int) -> list[zxingcpp.Barcode]:
    """The QR codes on a page, rendered at 300 dpi as a scanner would see them."""
    image = pdfium.PdfDocument(str(path))[page].render(scale=300 / 72).to_pil()
    return list(zxingcpp.read_barcodes(image))


# -- the demo database -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(
    sqlite_templates: SqliteTemplates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """The demo database, shared by the tests that only read it."""
    path = tmp_path_factory.mktemp("printing-shared") / "demo.db"
    sqlite_templates.copy(Content.DEMO, path)
    db = open_database(f"sqlite:///{path.as_posix()}")
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def own_demo(sqlite_templates: SqliteTemplates, tmp_path: Path) -> Iterator[Database]:
    """A copy of the demo database for a test that changes it."""
    path = tmp_path / "demo.db"
    sqlite_templates.copy(Content.DEMO, path)
    db = open_database(f"sqlite:///{path.as_posix()}")
    try:
        yield db
    finally:
        db.dispose()


def item_id(db: Database, tag: str) -> int:
    (found,) = item_ids_for_tags(db, [tag])
    return found


@dataclass(frozen=True)
class LoanKeys:
    id: int
    protocol_id: int
    mou_id: int


def issued_loan_of(db: Database, tag: str) -> LoanKeys:
    """The demo loan that has the item with ``tag`` out now."""
    with db.read() as session:
        loan = session.scalars(
            select(Loan)
            .join(LoanLine, LoanLine.loan_id == Loan.id)
            .join(EquipmentItem, EquipmentItem.id == LoanLine.item_id)
            .where(EquipmentItem.asset_tag == tag, Loan.status == LoanStatus.ISSUED)
        ).one()
        assert loan.protocol_id is not None
        assert loan.mou_id is not None
        return LoanKeys(id=loan.id, protocol_id=loan.protocol_id, mou_id=loan.mou_id)


def governing_mou(db: Database, tag: str) -> MouView:
    detail = item_detail(db, item_id(db, tag))
    assert detail.protocol is not None, f"{tag} should be covered by a protocol in the demo"
    return get_mou(db, detail.protocol.mou_id)


# -- sharing terms ---------------------------------------------------------------------------


def test_sharing_terms_pdf_holds_the_item_its_mou_and_a_footer_on_every_page(
    demo: Database, tmp_path: Path
) -> None:
    detail = item_detail(demo, item_id(demo, TOWER))
    mou = governing_mou(demo, TOWER)
    document = sharing_terms(demo, detail.id)
    path = tmp_path / document.file_name

    pages = write_pdf(document, path)

    read = read_pdf(path, body_of(document, tmp_path))
    texts = [page.text for page in read]
    text = " ".join(texts)
    assert pages == len(texts) >= 2
    assert_a4(path)
    assert normalised(detail.name) in text
    assert TOWER in text
    assert f"{mou.reference} version {mou.version}" in text
    assert len(mou.parties) == 3
    for party in mou.parties:
        assert normalised(party.name) in text, party.name
    assert len(mou.clauses) >= 10
    for clause in mou.clauses:
        assert normalised(f"{clause.number}. {clause.heading}") in text, clause.heading
    for heading in SIGNATURE_HEADINGS:
        assert heading in text
    assert "Page 1 of" in texts[0]
    footer_label = f"{mou.reference} v{mou.version}"
    for number, page_text in enumerate(texts, 1):
        assert f"Page {number} of {pages}" in page_text
        assert f"{footer_label} · Sharing terms for {TOWER}" in page_text, number
    # The signature section is kept whole, on the last page.
    signing = pages_holding(read, "9. Signatures")
    assert signing == pages_holding(read, SIGNATURE_HEADINGS[1]) == [pages]


def test_an_item_no_protocol_covers_has_no_terms(demo: Database) -> None:
    uncovered = item_id(demo, UNCOVERED)
    assert item_detail(demo, uncovered).protocol is None

    with pytest.raises(NotShareable) as raised:
        sharing_terms(demo, uncovered)
    assert UNCOVERED in raised.value.message
    assert "not covered by a sharing protocol" in raised.value.message

    with pytest.raises(NotShareable) as by_tag:
        sharing_terms_for_tag(demo, UNCOVERED)
    assert UNCOVERED in by_tag.value.message


def test_a_loans_terms_stay_on_its_version_when_a_new_one_comes_into_force(
    own_demo: Database, tmp_path: Path
) -> None:
    db = own_demo
    tower = item_id(db, TOWER)
    loan = issued_loan_of(db, TOWER)
    old = get_mou(db, loan.mou_id)
    actor = ADMINISTRATOR

    # A new version started is only a draft: the item is still lent on the old one.
    new_id = new_version(db, old.id, actor)
    assert f"{old.reference} v{old.version} ·" in sharing_terms(db, tower).footer

    added = ClauseDraft(heading="Storage of lighting towers between loans", body="Kept dry.")
    draft = mou_draft_of(get_mou(db, new_id))
    today = today_uk()
    update_mou(
        db,
        new_id,
        replace(
            draft,
            is_draft=False,
            signed_on=today,
            effective_from=today,
            signatories=tuple(replace(s, signed_on=today) for s in draft.signatories),
            clauses=(*draft.clauses, added),
        ),
        actor,
    )
    new = get_mou(db, new_id)
    assert new.version == old.version + 1
    assert [c.heading for c in new.clauses] == [*(c.heading for c in old.clauses), added.heading]

    loan_terms = sharing_terms(db, tower, protocol_id=loan.protocol_id)
    loan_path = tmp_path / "loan-terms.pdf"
    write_pdf(loan_terms, loan_path)
    loan_pages = page_texts(loan_path)
    loan_text = " ".join(loan_pages)
    assert f"{old.reference} version {old.version}" in loan_text
    assert f"version {new.version}" not in loan_text
    for clause in old.clauses:
        assert normalised(f"{clause.number}. {clause.heading}") in loan_text
    assert added.heading not in loan_text
    assert f"{old.reference} v{old.version} · Sharing terms" in loan_pages[-1]

    current = sharing_terms(db, tower)
    current_path = tmp_path / "current-terms.pdf"
    write_pdf(current, current_path)
    current_pages = page_texts(current_path)
    current_text = " ".join(current_pages)
    assert f"{new.reference} version {new.version}" in current_text
    assert f"{len(new.clauses)}. {added.heading}" in current_text
    assert f"{new.reference} v{new.version} · Sharing terms" in current_pages[0]

    # The replaced version still prints whole, as what it now is.
    superseded = mou_document(db, old.id)
    assert added.heading not in superseded.html
    superseded_path = tmp_path / "old-mou.pdf"
    write_pdf(superseded, superseded_path)
    first, last, _ = first_and_last(superseded_path)
    assert f"{old.reference} version {old.version}: superseded." in first
    assert f"{old.reference} v{old.version} ·" in last


def test_a_version_superseded_in_the_demo_still_prints_its_own_clauses(
    demo: Database, tmp_path: Path
) -> None:
    (row,) = [row for row in list_mous(demo) if row.status is MouStatus.SUPERSEDED]
    version_one = get_mou(demo, row.id)
    assert version_one.version == 1
    assert version_one.superseded_by is not None
    later = get_mou(demo, version_one.superseded_by[0])
    only_later = {c.heading for c in later.clauses} - {c.heading for c in version_one.clauses}
    assert only_later, "the demo's version 2 should add clauses"

    path = tmp_path / "v1.pdf"
    write_pdf(mou_document(demo, version_one.id), path)

    texts = page_texts(path)
    text = " ".join(texts)
    assert f"{version_one.reference} version 1: superseded." in text
    for clause in version_one.clauses:
        assert normalised(f"{clause.number}. {clause.heading}") in text
    for heading in only_later:
        assert heading not in text
    for signatory in version_one.signatories:
        assert normalised(signatory.name) in text
    assert f"{version_one.reference} v1 ·" in texts[-1]


# -- the hand-over and return form -----------------------------------------------------------


def reading_rows(text: str) -> set[str]:
    """Which readings the form has rows for: label, then a value or a blank, for each end."""
    found = set()
    for key, (label, unit) in READING_LABELS.items():
        value = r"(?:\d+|_+)"
        if re.search(rf"\b{label} {value} {re.escape(unit)} {value} {re.escape(unit)}", text):
            found.add(key)
    return found


@pytest.mark.parametrize(
    "tag",
    [TOWER, "CFR-000270", "CFR-000300", SIGNS],
    ids=["fuel-and-hours", "fuel-and-mileage", "battery", "no-readings"],
)
def test_handover_form_of_an_issued_loan(demo: Database, tmp_path: Path, tag: str) -> None:
    loan = get_loan(demo, issued_loan_of(demo, tag).id)
    document = handover_form(demo, loan.id)
    path = tmp_path / document.file_name

    pages = write_pdf(document, path)

    read = read_pdf(path, body_of(document, tmp_path))
    texts = [page.text for page in read]
    text = " ".join(texts)
    assert_a4(path)
    assert f"Loan {loan.id}" in texts[0]
    assert normalised(loan.borrower) in text
    assert loan.lender
    assert normalised(loan.lender) in text
    for number, line in enumerate(loan.lines, 1):
        assert normalised(f"{number}. {line.asset_tag}: {line.item_name}") in text
    for words in ("Hand-over", "Return", "Signature", "At hand-over", "At return"):
        assert words in text
    assert text.count("Signature") == 4  # two parties, at hand-over and at return
    tracked = {reading for line in loan.lines for reading in line.tracks}
    assert reading_rows(text) == tracked
    for number, page_text in enumerate(texts, 1):
        assert f"Page {number} of {pages}" in page_text
        assert f"Loan {loan.id} · {loan.mou} · Hand-over and return form" in page_text
    # Each signing section stays on one page.
    handing_over = pages_holding(read, "Hand-over Handed over and received")
    assert len(handing_over) == 1
    assert pages_holding(read, "Received by (borrowing party)") == handing_over


def test_the_form_ticks_the_condition_recorded_at_hand_over(demo: Database) -> None:
    loan = get_loan(demo, issued_loan_of(demo, TOWER).id)
    (line,) = loan.lines
    assert line.condition_out == "Good"
    html = handover_form(demo, loan.id).html
    assert "\u2612\u00a0Good" in html  # ticked at hand-over
    assert html.count("\u2612") == 1  # nothing ticked yet for the return


# -- labels ----------------------------------------------------------------------------------


def test_labels_print_21_to_a_sheet_with_qr_codes_that_scan(demo: Database, tmp_path: Path) -> None:
    ids = all_label_item_ids(demo)[:25]
    sheet = asset_labels(demo, ids)
    tags = [label.asset_tag for label in sheet.labels]
    assert len(tags) == 25
    path = tmp_path / sheet.file_name

    pages = write_pdf(sheet, path)

    assert pages == 2 == len(PdfReader(path).pages)
    assert_a4(path)
    texts = page_texts(path)
    for tag in tags[:21]:
        assert tag in texts[0]
    for tag in tags[21:]:
        assert tag in texts[1]
        assert tag not in texts[0]

    first = decoded_qr(path, 0)
    assert {code.text for code in first} == set(tags[:21])
    assert len(first) == 21
    assert all(code.format == zxingcpp.BarcodeFormat.QRCode for code in first)
    # Each code sits on its own label, in the order given: across, then down.
    stock = A4_21_LABELS
    for code in first:
        corners = (
            code.position.top_left,
            code.position.top_right,
            code.position.bottom_left,
            code.position.bottom_right,
        )
        x_mm = sum(p.x for p in corners) / 4 * 25.4 / 300
        y_mm = sum(p.y for p in corners) / 4 * 25.4 / 300
        column = int((x_mm - stock.left_mm) // stock.pitch_x_mm)
        row = int((y_mm - stock.top_mm) // stock.pitch_y_mm)
        assert tags[row * stock.columns + column] == code.text
    assert {code.text for code in decoded_qr(path, 1)} == set(tags[21:])


def test_retired_kit_gets_no_label(demo: Database) -> None:
    with demo.read() as session:
        retired = list(
            session.scalars(
                select(EquipmentItem.id).where(EquipmentItem.status == ItemStatus.RETIRED)
            )
        )
        every = list(session.scalars(select(EquipmentItem.id)))
    assert len(retired) >= 1
    everything = all_label_item_ids(demo)
    assert set(everything) == set(every) - set(retired)

    tower = item_id(demo, TOWER)
    sheet = asset_labels(demo, [retired[0], tower, tower])
    assert [label.asset_tag for label in sheet.labels] == [TOWER]
    assert sheet.file_name == f"labels-{TOWER}.pdf"

    with pytest.raises(DomainError) as only_retired:
        asset_labels(demo, retired)
    assert "retired" in only_retired.value.message
    with pytest.raises(DomainError, match="at least one item"):
        asset_labels(demo, [])


def test_unknown_tags_are_all_named_in_one_message(demo: Database) -> None:
    with pytest.raises(NotFound) as one:
        item_ids_for_tags(demo, [TOWER, "NOPE-0001"])
    assert one.value.message.startswith("No item has the asset tag NOPE-0001.")

    with pytest.raises(NotFound) as two:
        item_ids_for_tags(demo, ["NOPE-0001", TOWER, "NOPE-0002"])
    assert "the asset tags NOPE-0001, NOPE-0002." in two.value.message

    assert item_ids_for_tags(demo, [TOWER.lower(), SIGNS]) == [
        item_id(demo, TOWER),
        item_id(demo, SIGNS),
    ]


# -- writing the file ------------------------------------------------------------------------


def small_document(title: str = "A short note") -> PrintedDocument:
    return PrintedDocument(
        title=title,
        footer="NOTE-1 · a short note",
        html="<html><body><h1>A short note</h1><p>Nothing more.</p></body></html>",
        file_name="note.pdf",
    )


def test_writing_into_a_missing_folder_fails_and_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "note.pdf"

    with pytest.raises(PrintFailed) as raised:
        write_pdf(small_document(), target)

    assert "does not exist" in raised.value.message
    assert str(tmp_path / "missing") in raised.value.message
    assert list(tmp_path.iterdir()) == []


def test_writing_over_a_folder_fails(tmp_path: Path) -> None:
    folder = tmp_path / "note.pdf"
    folder.mkdir()

    with pytest.raises(PrintFailed, match="is a folder"):
        write_pdf(small_document(), folder)

    assert list(folder.iterdir()) == []
    assert list(tmp_path.iterdir()) == [folder]


WRITE_INTO = """
import sys
from pathlib import Path

from app.documents.content import PrintedDocument
from ui.printing.documents import PrintFailed, write_pdf

document = PrintedDocument(title="A note", footer="", html="<p>A note</p>", file_name="n.pdf")
try:
    write_pdf(document, Path(sys.argv[1]))
except PrintFailed as failed:
    print(failed.message)
    raise SystemExit(1) from None
"""


def test_writing_into_a_read_only_folder_fails(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if not os.access(folder, os.W_OK):
            with pytest.raises(PrintFailed) as raised:
                write_pdf(small_document(), folder / "note.pdf")
            message = raised.value.message
        else:
            # Root (as in CI) writes through 0o555: write from a process of root's
            # without the capability that overrides file permissions.
            result = subprocess.run(
                [
                    *("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"),
                    *(sys.executable, "-c", WRITE_INTO, str(folder / "note.pdf")),
                ],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
                cwd=ROOT,
                env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
            )
            assert result.returncode == 1, result.stderr
            message = result.stdout
        assert "cannot write to the folder" in message
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_a_failure_while_painting_leaves_the_old_file_and_no_part_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "note.pdf"
    write_pdf(small_document("The first copy"), target)
    old = target.read_bytes()
    assert old.startswith(b"%PDF")

    def broken(*_args: object) -> int:
        raise PrintFailed("The printer ran out of ink halfway.")

    monkeypatch.setattr(printing, "_paint_document", broken)
    with pytest.raises(PrintFailed, match="ink"):
        write_pdf(small_document("The second copy"), target)

    assert target.read_bytes() == old
    assert list(tmp_path.iterdir()) == [target]


def test_a_painter_that_does_not_finish_saves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "note.pdf"
    write_pdf(small_document("The first copy"), target)
    old = target.read_bytes()
    monkeypatch.setattr(QPainter, "end", lambda _painter: False)

    with pytest.raises(PrintFailed) as raised:
        write_pdf(small_document("The second copy"), target)

    assert raised.value.message == (
        "The printer or file did not take the last page, so the document is incomplete; "
        "check it and try again."
    )
    assert target.read_bytes() == old
    assert list(tmp_path.iterdir()) == [target]


def test_a_pdf_without_its_trailer_is_not_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "note.pdf"
    target.write_bytes(b"the old file")
    real = QBuffer.data

    def cut_short(buffer: QBuffer) -> QByteArray:
        whole = real(buffer)
        return whole.left(whole.size() // 2)

    monkeypatch.setattr(QBuffer, "data", cut_short)
    with pytest.raises(PrintFailed, match="could not finish laying out the PDF"):
        write_pdf(small_document(), target)

    assert target.read_bytes() == b"the old file"
    assert list(tmp_path.iterdir()) == [target]


def test_a_folder_that_does_not_confirm_the_rename_is_not_reported_as_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "note.pdf"
    real_fsync = os.fsync

    def failing_for_folders(descriptor: int) -> None:
        if stat.S_ISDIR(os.fstat(descriptor).st_mode):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", failing_for_folders)
    with pytest.raises(PrintFailed) as raised:
        write_pdf(small_document(), target)
    monkeypatch.undo()

    assert raised.value.message == (
        f"Kit Share wrote {target} but the disk did not confirm it kept it "
        "(Input/output error); open the file to check it before relying on it, or save it again."
    )


def test_a_failure_to_move_the_file_into_place_is_reported_and_tidied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "note.pdf"
    target.write_bytes(b"the old file")

    def refuse(_source: object, _target: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PrintFailed) as raised:
        write_pdf(small_document(), target)
    monkeypatch.undo()

    assert "cannot save" in raised.value.message
    assert "Permission denied" in raised.value.message
    assert target.read_bytes() == b"the old file"
    assert list(tmp_path.iterdir()) == [target]


# -- keeping a section together --------------------------------------------------------------

CLOSING = "Closing section"
CLOSING_LINES = tuple(f"Closing line {n} of the section." for n in ("one", "two", "three", "four"))


def filler_document(fillers: int, *, keep: bool) -> PrintedDocument:
    body = "".join(f"<p>Filler paragraph {n:03d} of the long part.</p>" for n in range(fillers))
    body += f"<h2>{CLOSING}</h2>" + "".join(f"<p>{line}</p>" for line in CLOSING_LINES)
    return PrintedDocument(
        title="Keep-together test",
        footer="KEEP-1 · keep-together test",
        html=f"<html><body>{body}</body></html>",
        file_name="keep.pdf",
        keep_together=(CLOSING,) if keep else (),
    )


def fillers_that_split_the_section(folder: Path) -> int:
    """The fewest filler paragraphs that leave the closing heading at the foot of a page
    with the rest of its section on the next, as laid out without keeping it together."""
    writer = QPdfWriter(str(folder / "probe.pdf"))
    writer.setResolution(PDF_RESOLUTION)
    apply_document_layout(writer)
    for fillers in range(20, 200):
        text, page_height = layout_text(filler_document(fillers, keep=False), writer)
        layout = text.documentLayout()
        heading = text.findBlockByNumber(text.blockCount() - len(CLOSING_LINES) - 1)
        assert heading.text() == CLOSING
        last = text.lastBlock()
        if int(layout.blockBoundingRect(heading).top() // page_height) < int(
            layout.blockBoundingRect(last).top() // page_height
        ):
            return fillers
    raise AssertionError("no number of fillers split the closing section")


def test_a_section_kept_together_starts_a_new_page_rather_than_split(tmp_path: Path) -> None:
    fillers = fillers_that_split_the_section(tmp_path)
    split = filler_document(fillers, keep=False)
    kept = filler_document(fillers, keep=True)
    split_path, kept_path = tmp_path / "split.pdf", tmp_path / "kept.pdf"
    write_pdf(split, split_path)
    write_pdf(kept, kept_path)
    body = body_of(split, tmp_path)
    assert body_of(kept, tmp_path) == body
    split_pages, kept_pages = read_pdf(split_path, body), read_pdf(kept_path, body)

    # Without keeping it together the heading ends one page and its lines start the next.
    heading_page = pages_holding(split_pages, CLOSING)
    assert len(heading_page) == 1
    assert pages_holding(split_pages, CLOSING_LINES[-1]) == [heading_page[0] + 1]

    # Kept together, the heading moves over to the next page, with every line of it.
    assert pages_holding(kept_pages, CLOSING) == [heading_page[0] + 1]
    for line in CLOSING_LINES:
        assert pages_holding(kept_pages, line) == [heading_page[0] + 1]
    assert kept_pages[heading_page[0]].body.startswith(CLOSING)
    # The text before it is not disturbed.
    last_filler = f"Filler paragraph {fillers - 1:03d}"
    assert pages_holding(kept_pages, last_filler) == heading_page


def test_a_section_longer_than_a_page_is_left_to_break(tmp_path: Path) -> None:
    many = "".join(f"<p>Long section line {n:03d}.</p>" for n in range(120))
    document = PrintedDocument(
        title="Long section",
        footer="LONG-1",
        html=f"<html><body><p>Opening.</p><h2>{CLOSING}</h2>{many}</body></html>",
        file_name="long.pdf",
        keep_together=(CLOSING,),
    )
    path = tmp_path / "long.pdf"
    write_pdf(document, path)
    read = read_pdf(path, body_of(document, tmp_path))
    # Moving it would not help, so the heading stays on the first page under "Opening.".
    assert pages_holding(read, CLOSING) == [1]
    assert read[0].body.startswith(f"Opening. {CLOSING} Long section line 000.")
    assert len(read) >= 3


# -- the window's Print menu -----------------------------------------------------------------


@pytest.fixture
def demo_window(qtbot: QtBot, demo: Database) -> MainWindow:
    return open_window(qtbot, MainWindow(demo, ADMINISTRATOR))


def show_tag(qtbot: QtBot, window: MainWindow, tag: str) -> None:
    """Scan ``tag`` into the search box, as at the kit store, and wait for its item."""
    box = window.search_bar.search_box
    box.setFocus()
    box.setText(tag)
    QTest.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.item_panel.detail is not None and window.item_panel.detail.asset_tag == tag
    )
    wait_for_results(qtbot, window)


def test_terms_actions_follow_whether_the_item_has_terms(
    qtbot: QtBot, demo_window: MainWindow
) -> None:
    window = demo_window
    print_action, preview_action, export_action = window.terms_actions
    assert print_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Print)
    assert print_action.shortcut().toString() == "Ctrl+P"

    show_tag(qtbot, window, TOWER)
    assert all(action.isEnabled() for action in window.terms_actions)
    assert window.item_panel.terms_button.isEnabled()
    assert window.item_labels_action.isEnabled()

    show_tag(qtbot, window, UNCOVERED)
    assert not any(action.isEnabled() for action in window.terms_actions)
    assert not window.item_panel.terms_button.isEnabled()
    assert "no sharing terms" in window.item_panel.terms_button.toolTip()
    assert window.item_labels_action.isEnabled()  # it can still have a label

    show_tag(qtbot, window, TOWER)
    assert preview_action.isEnabled()
    assert export_action.isEnabled()


def test_export_pdf_saves_where_the_person_chose(
    qtbot: QtBot, demo_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = demo_window
    show_tag(qtbot, window, TOWER)
    asked: list[str] = []

    def choose(_parent: QWidget, caption: str, proposed: str, _filter: str) -> tuple[str, str]:
        asked.append(caption)
        asked.append(Path(proposed).name)
        return str(tmp_path / "tower terms"), _filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    with qtbot.waitSignal(window.output.saved) as saved:
        window.terms_actions[2].trigger()

    path = tmp_path / "tower terms.pdf"  # ".pdf" added to the name typed
    assert asked == ["Export the sharing terms as PDF", f"sharing-terms-{TOWER}.pdf"]
    assert path.read_bytes().startswith(b"%PDF")
    first, last, pages = first_and_last(path)
    assert saved.args == [f"Saved tower terms.pdf ({pages} pages)."]
    assert TOWER in first
    assert f"Page {pages} of {pages}" in last


def test_export_pdf_onto_a_full_disk_says_so_and_keeps_the_old_file(
    qtbot: QtBot, demo_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = demo_window
    show_tag(qtbot, window, TOWER)
    path = tmp_path / "terms.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(path), PDF_FILTER))
    with qtbot.waitSignal(window.output.saved):
        window.terms_actions[2].trigger()
    before = path.read_bytes()
    room = len(before) // 2
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "critical", lambda _parent, title, text: shown.append((title, text))
    )
    saved: list[str] = []
    window.output.saved.connect(saved.append)

    with file_size_limit(room):
        window.terms_actions[2].trigger()

    assert shown == [
        (
            "Kit Share cannot save the PDF",
            f"Kit Share could not save {path} because the disk is full (File too large), and "
            "any earlier terms.pdf is unchanged; free some space or choose another folder, "
            "then try again.",
        )
    ]
    assert saved == []
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


def test_the_terms_button_previews_the_item_terms(
    qtbot: QtBot,
    demo: Database,
    demo_window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = demo_window
    show_tag(qtbot, window, TOWER)
    path = tmp_path / "preview.pdf"
    titles: list[str] = []

    def show(dialog: QPrintPreviewDialog) -> int:
        """Instead of the modal preview: have it paint into a PDF, as it would on screen."""
        titles.append(dialog.windowTitle())
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        dialog.paintRequested.emit(printer)
        return 0

    monkeypatch.setattr(QPrintPreviewDialog, "exec", show)
    window.item_panel.terms_button.click()

    detail = window.item_panel.detail
    assert detail is not None
    assert titles == [f"Print preview: Sharing terms: {TOWER} {detail.name}"]
    first, last, pages = first_and_last(path)
    assert pages >= 2
    assert_a4(path)
    assert TOWER in first
    mou = governing_mou(demo, TOWER)
    assert f"{mou.reference} v{mou.version} · Sharing terms for {TOWER}" in last
    assert f"Page {pages} of {pages}" in last


def test_print_prints_only_when_the_dialog_is_accepted(
    qtbot: QtBot, demo_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = demo_window
    show_tag(qtbot, window, TOWER)
    printed = tmp_path / "printed.pdf"
    answers = [QDialog.DialogCode.Rejected, QDialog.DialogCode.Accepted]

    def choose_printer(dialog: QPrintDialog) -> int:
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return int(answers.pop(0))

    monkeypatch.setattr(QPrintDialog, "exec", choose_printer)
    window.terms_actions[0].trigger()
    assert not printed.exists()  # cancelled

    window.terms_actions[0].trigger()
    assert answers == []
    first, _, pages = first_and_last(printed)
    assert TOWER in first
    assert f"Page 1 of {pages}" in first
    assert_a4(printed)


def test_the_item_label_previews_a_scannable_label(
    qtbot: QtBot, demo_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = demo_window
    show_tag(qtbot, window, UNCOVERED)
    path = tmp_path / "label.pdf"

    def show(dialog: QPrintPreviewDialog) -> int:
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        dialog.paintRequested.emit(printer)
        return 0

    monkeypatch.setattr(QPrintPreviewDialog, "exec", show)
    window.item_labels_action.trigger()

    assert len(PdfReader(path).pages) == 1
    assert_a4(path)
    assert [code.text for code in decoded_qr(path, 0)] == [UNCOVERED]
