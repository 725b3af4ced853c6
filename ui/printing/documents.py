"""Laying documents out on A4 with Qt: print preview, printing and PDF export.

``app.documents.content`` says what a document holds; this module puts it on pages. Text goes
through ``QTextDocument`` paginated to the page's body, with the document's reference
and "Page n of m" drawn at the foot of every page. Labels are drawn at the exact
positions of the label stock, their QR codes as solid squares (sharp at any printer
resolution).
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextBlock,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

from app.core.errors import KitShareError
from app.documents.content import AssetLabel, LabelSheet, PrintedDocument
from ui.widgets.palette import BLACK, CUT_GUIDE, PRINT_GREY, RULE

Printable: TypeAlias = PrintedDocument | LabelSheet

# A4 with margins a binder and a hole punch leave alone.
DOCUMENT_MARGINS_MM = QMarginsF(20, 16, 20, 14)
BODY_FAMILIES = ["DejaVu Serif", "Cambria", "Georgia", "Times New Roman", "serif"]
SANS_FAMILIES = ["DejaVu Sans", "Segoe UI", "Arial", "Helvetica", "sans-serif"]
BODY_POINT_SIZE = 10.0
FOOTER_POINT_SIZE = 7.5
PDF_RESOLUTION = 600
MM_PER_INCH = 25.4
QR_QUIET_MODULES = 2  # the label's own margin adds the rest of the quiet zone


_APPLICATIONS: list[QGuiApplication] = []


class PrintFailed(KitShareError):
    """The document could not be written or printed where the person asked."""


def ensure_gui() -> QGuiApplication:
    """A Qt application to lay text out with, headless where there is no screen.

    The command line prints PDFs on servers and in CI, where there is no display.
    """
    existing = QGuiApplication.instance()
    if isinstance(existing, QGuiApplication):
        return existing
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Kept for the life of the process: dropping the only reference lets Python free
    # the application under Qt's feet as the interpreter shuts down.
    _APPLICATIONS.append(QGuiApplication(sys.argv[:1]))
    return _APPLICATIONS[0]


def _font(families: list[str], point_size: float, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(families)
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


def apply_document_layout(device: QPagedPaintDevice, *, landscape: bool = False) -> None:
    """A4 with the documents' margins, portrait unless ``landscape``."""
    device.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait,
            DOCUMENT_MARGINS_MM,
            QPageLayout.Unit.Millimeter,
        )
    )


def apply_label_layout(device: QPagedPaintDevice) -> None:
    """A4 portrait with no margins: label positions are measured from the sheet's edge."""
    device.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
            QPageLayout.Unit.Millimeter,
        )
    )


def _resolution(device: QPagedPaintDevice) -> int:
    return device.logicalDpiY()


def layout_text(
    document: PrintedDocument, device: QPagedPaintDevice
) -> tuple[QTextDocument, float]:
    """The document's text laid out for ``device``'s pages; returns it and the body height."""
    dpi = _resolution(device)
    page = device.pageLayout().paintRectPixels(dpi)
    footer_lines = 2 if document.notice else 1
    footer_height = QFontMetricsF(_font(SANS_FAMILIES, FOOTER_POINT_SIZE), device).height() * (
        1.6 + footer_lines
    )
    body_height = page.height() - footer_height
    text = QTextDocument()
    text.documentLayout().setPaintDevice(device)
    text.setDefaultFont(_font(BODY_FAMILIES, BODY_POINT_SIZE))
    text.setDocumentMargin(0)
    text.setHtml(document.html)
    text.setPageSize(QSizeF(page.width(), body_height))
    keep_headings_with_text(text, body_height)
    keep_sections_together(text, document.keep_together, body_height)
    return text, body_height


def _break_before(text: QTextDocument, block: QTextBlock) -> None:
    """Start ``block`` on a new page, and lay the whole document out again.

    Qt re-lays out from the changed block lazily, and the blocks after it were left
    with stale positions (a whole run of clauses vanished from the page); marking
    everything dirty makes the next query lay it all out afresh.
    """
    page_break = QTextBlockFormat()
    page_break.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
    QTextCursor(block).mergeBlockFormat(page_break)
    text.markContentsDirty(0, text.characterCount())


def keep_headings_with_text(text: QTextDocument, page_height: float) -> None:
    """Move a heading left alone at the foot of a page over to the next, with its text."""
    layout = text.documentLayout()
    block = text.begin()
    while block.isValid():
        following = block.next()
        if block.blockFormat().headingLevel() > 0 and following.isValid():
            top = layout.blockBoundingRect(block).top()
            next_top = layout.blockBoundingRect(following).top()
            if int(top // page_height) != int(next_top // page_height):
                _break_before(text, block)
        block = following


def keep_sections_together(
    text: QTextDocument, headings: tuple[str, ...], page_height: float
) -> None:
    """Start a section on a new page where it would otherwise break across two.

    A section runs from a block whose text is one of ``headings`` to the next such
    block or the end. One longer than a page is left to break where it falls.
    """
    if not headings:
        return
    wanted = set(headings)
    starts = []
    block = text.begin()
    while block.isValid():
        if block.text().strip() in wanted:
            starts.append(block)
        block = block.next()
    layout = text.documentLayout()
    for index, start in enumerate(starts):
        # Positions are read afresh each time: a break added above moves what follows.
        top = layout.blockBoundingRect(start).top()
        if index + 1 < len(starts):
            bottom = layout.blockBoundingRect(starts[index + 1]).top()
        else:
            bottom = layout.documentSize().height()
        if bottom - top > page_height:
            continue
        if int(top // page_height) != int((bottom - 1) // page_height):
            _break_before(text, start)


def page_count(source: Printable, device: QPagedPaintDevice) -> int:
    if isinstance(source, LabelSheet):
        return source.page_count
    text, _ = layout_text(source, device)
    return text.pageCount()


def paint(source: Printable, device: QPagedPaintDevice) -> int:
    """Paint every page of ``source`` on ``device`` (a PDF writer or a printer).

    The device's page layout must already be set (``apply_*_layout``). Returns the
    number of pages painted.
    """
    painter = QPainter()
    if not painter.begin(device):
        raise PrintFailed("The printer or file would not start a page; check it and try again.")
    try:
        if isinstance(source, LabelSheet):
            pages = _paint_labels(source, device, painter)
        else:
            pages = _paint_document(source, device, painter)
    except BaseException:
        painter.end()
        raise
    finish_painting(painter)
    return pages


def finish_painting(painter: QPainter) -> None:
    """End ``painter``, refusing a device that did not take the last page."""
    if not painter.end():
        raise PrintFailed(
            "The printer or file did not take the last page, so the document is incomplete; "
            "check it and try again."
        )


def _paint_document(document: PrintedDocument, device: QPagedPaintDevice, painter: QPainter) -> int:
    text, body_height = layout_text(document, device)
    width = text.pageSize().width()
    pages = text.pageCount()
    dpi = _resolution(device)
    full_height = device.pageLayout().paintRectPixels(dpi).height()
    footer_font = _font(SANS_FAMILIES, FOOTER_POINT_SIZE)
    metrics = QFontMetricsF(footer_font, device)
    for index in range(pages):
        if index:
            device.newPage()
        painter.save()
        painter.translate(0, -index * body_height)
        page_rect = QRectF(0, index * body_height, width, body_height)
        # A line the layout moved to the next page must not also show below this one.
        painter.setClipRect(page_rect)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.clip = page_rect
        text.documentLayout().draw(painter, context)
        painter.restore()

        # The foot of the page: a hairline, any notice, the reference, the page number.
        rule_y = full_height - metrics.height() * (1.9 + (1 if document.notice else 0))
        painter.setPen(QPen(QColor(RULE), max(1.0, dpi / 300)))
        painter.drawLine(QPointF(0, rule_y), QPointF(width, rule_y))
        painter.setPen(QColor(PRINT_GREY))
        painter.setFont(footer_font)
        number = f"Page {index + 1} of {pages}"
        number_width = metrics.horizontalAdvance(number)
        baseline = full_height - metrics.descent()
        footer = metrics.elidedText(
            document.footer, Qt.TextElideMode.ElideMiddle, width - number_width - metrics.height()
        )
        painter.drawText(QPointF(0, baseline), footer)
        painter.drawText(QPointF(width - number_width, baseline), number)
        if document.notice:
            painter.drawText(
                QPointF(0, baseline - metrics.height()),
                metrics.elidedText(document.notice, Qt.TextElideMode.ElideRight, width),
            )
    return pages


def _mm(value: float, dpi: int) -> float:
    return value * dpi / MM_PER_INCH


def _paint_labels(sheet: LabelSheet, device: QPagedPaintDevice, painter: QPainter) -> int:
    stock = sheet.stock
    dpi = _resolution(device)
    for index, label in enumerate(sheet.labels):
        slot = index % stock.per_sheet
        if index and slot == 0:
            device.newPage()
        row, column = divmod(slot, stock.columns)
        rect = QRectF(
            _mm(stock.left_mm + column * stock.pitch_x_mm, dpi),
            _mm(stock.top_mm + row * stock.pitch_y_mm, dpi),
            _mm(stock.label_width_mm, dpi),
            _mm(stock.label_height_mm, dpi),
        )
        _paint_label(painter, label, rect, dpi)
    return sheet.page_count


def _paint_label(painter: QPainter, label: AssetLabel, rect: QRectF, dpi: int) -> None:
    # A faint edge to cut along on plain paper; it falls on the die-cut on label stock.
    painter.setPen(QPen(QColor(CUT_GUIDE), max(1.0, dpi / 400)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(rect, _mm(2, dpi), _mm(2, dpi))

    pad = _mm(2.5, dpi)
    modules = len(label.qr_modules)
    # 27 mm: big enough for any phone or scanner at arm's length, leaving room for words.
    side = min(rect.height() - 2 * pad, _mm(27, dpi))
    module = side / (modules + 2 * QR_QUIET_MODULES)
    origin = QPointF(rect.left() + pad, rect.center().y() - side / 2)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(BLACK))
    for y, row in enumerate(label.qr_modules):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            run = x
            while run < len(row) and row[run]:
                run += 1
            # One rectangle per run of dark modules: no hairline gaps between them.
            painter.drawRect(
                QRectF(
                    origin.x() + (QR_QUIET_MODULES + x) * module,
                    origin.y() + (QR_QUIET_MODULES + y) * module,
                    (run - x) * module,
                    module,
                )
            )
            x = run

    text_left = rect.left() + pad + side + _mm(1.5, dpi)
    text_rect = QRectF(
        text_left, rect.top() + pad, rect.right() - pad - text_left, rect.height() - 2 * pad
    )
    painter.setPen(QColor(BLACK))
    tag_font = _font(SANS_FAMILIES, 11.5, bold=True)
    tag_font.setPointSizeF(_fit(label.asset_tag, tag_font, text_rect.width(), painter))
    painter.setFont(tag_font)
    tag_height = QFontMetricsF(tag_font, painter.device()).height()
    painter.drawText(
        QRectF(text_rect.left(), text_rect.top(), text_rect.width(), tag_height),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
        label.asset_tag,
    )

    name_font = _font(SANS_FAMILIES, 8.5)
    painter.setFont(name_font)
    name_metrics = QFontMetricsF(name_font, painter.device())
    owner_font = _font(SANS_FAMILIES, 6.5)
    owner_metrics = QFontMetricsF(owner_font, painter.device())
    owner_text = (
        _elide_lines(label.owner, owner_metrics, text_rect.width(), 2)
        + "\n"
        + owner_metrics.elidedText(label.home_site, Qt.TextElideMode.ElideRight, text_rect.width())
    )
    owner_height = (owner_text.count("\n") + 1) * owner_metrics.lineSpacing()
    name_rect = QRectF(
        text_rect.left(),
        text_rect.top() + tag_height + _mm(0.8, dpi),
        text_rect.width(),
        text_rect.height() - tag_height - owner_height - _mm(1.5, dpi),
    )
    lines = max(1, int(name_rect.height() // name_metrics.lineSpacing()))
    name_rect.setHeight(lines * name_metrics.lineSpacing())
    painter.drawText(name_rect, _elide_lines(label.name, name_metrics, name_rect.width(), lines))

    painter.setFont(owner_font)
    painter.setPen(QColor(PRINT_GREY))
    owner_rect = QRectF(
        text_rect.left(), text_rect.bottom() - owner_height, text_rect.width(), owner_height
    )
    bottom_left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom
    painter.drawText(owner_rect, bottom_left, owner_text)


def _fit(text: str, font: QFont, width: float, painter: QPainter) -> float:
    """The largest point size, down to 7 pt, at which ``text`` fits ``width`` on one line."""
    size = font.pointSizeF()
    trial = QFont(font)
    while size > 7:
        trial.setPointSizeF(size)
        if QFontMetricsF(trial, painter.device()).horizontalAdvance(text) <= width:
            break
        size -= 0.5
    return size


def _elide_lines(text: str, metrics: QFontMetricsF, width: float, lines: int) -> str:
    """``text`` wrapped at word boundaries into at most ``lines`` lines, the last elided."""
    words = text.split()
    out: list[str] = []
    current = ""
    for n, word in enumerate(words):
        trial = f"{current} {word}".strip()
        if metrics.horizontalAdvance(trial) <= width or not current:
            current = trial
            continue
        out.append(current)
        current = word
        if len(out) == lines - 1:
            current = " ".join(words[n:])
            break
    if current:
        out.append(current)
    out = out[:lines]
    if out:
        out[-1] = metrics.elidedText(out[-1], Qt.TextElideMode.ElideRight, width)
    return "\n".join(out)


# -- PDF files -------------------------------------------------------------------------------


def write_pdf(source: Printable, path: Path) -> int:
    """Write ``source`` to ``path`` as a PDF; returns the number of pages."""

    def lay_out(writer: QPdfWriter) -> int:
        if isinstance(source, LabelSheet):
            apply_label_layout(writer)
        else:
            apply_document_layout(writer, landscape=source.landscape)
        return paint(source, writer)

    return write_pdf_file(path, source.title, lay_out)


def write_pdf_file(path: Path, title: str, lay_out: Callable[[QPdfWriter], int]) -> int:
    """Write a PDF titled ``title`` to ``path``, ``lay_out`` setting the page and painting
    every page onto the writer it is given; returns the number of pages it painted.

    Qt reports nothing when the file under its PDF writer fails (a full disk leaves a
    truncated file and a painter that says all went well), so the PDF is made in memory,
    checked to be whole, then written beside ``path`` under a temporary name by Python,
    which does report failures, flushed to the disk, and only then moved over ``path``.
    A failure at any step raises ``PrintFailed`` and leaves any earlier file untouched.
    """
    ensure_gui()
    target = Path(path).expanduser()
    folder = target.parent if str(target.parent) else Path(".")
    _check_destination(target, folder)
    temporary = _temporary_beside(target, folder)  # a folder that refuses files fails fast
    try:
        pdf = _render_pdf(title, lay_out)
        _write_durably(temporary, pdf.content)
        os.replace(temporary, target)
    except OSError as error:
        raise PrintFailed(_not_saved(target, error)) from error
    finally:
        if temporary.exists():
            temporary.unlink()
    _sync_folder(folder, target)
    return pdf.pages


@dataclass(frozen=True)
class _RenderedPdf:
    content: bytes
    pages: int


PDF_END = b"%%EOF"
# What a full disk (or a quota, or a file-size limit) says when a write fails.
DISK_FULL = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _check_destination(target: Path, folder: Path) -> None:
    try:
        if target.is_dir():
            raise PrintFailed(f"{target} is a folder; give a file name ending in .pdf.")
        if not folder.is_dir():
            raise PrintFailed(
                f"Kit Share cannot write {target}: the folder {folder} does not exist. "
                "Create it or choose another folder."
            )
    except OSError as error:  # a drive that is gone, a folder the person may not enter
        raise PrintFailed(
            f"Kit Share cannot reach the folder {folder} ({error.strerror}); "
            "choose a folder on a drive that is connected and that you may use."
        ) from error


def _render_pdf(title: str, lay_out: Callable[[QPdfWriter], int]) -> _RenderedPdf:
    """The whole PDF as bytes, refused unless the painter finished and the file is complete."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_RESOLUTION)
    writer.setCreator("Kit Share")
    writer.setTitle(title)
    pages = lay_out(writer)
    del writer
    buffer.close()
    content = bytes(buffer.data().data())
    # The trailer is the last thing the painter writes: without it a reader rejects the file.
    if not content.startswith(b"%PDF-") or not content.rstrip().endswith(PDF_END):
        raise PrintFailed(
            "Kit Share could not finish laying out the PDF, so nothing was saved; "
            "try again, and if it happens again report it with the document's name."
        )
    return _RenderedPdf(content=content, pages=pages)


def _temporary_beside(target: Path, folder: Path) -> Path:
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".part", dir=folder)
        os.close(handle)
    except OSError as error:
        raise PrintFailed(
            f"Kit Share cannot write to the folder {folder} ({error.strerror}). "
            "Choose a folder you can save to."
        ) from error
    return Path(name)


def _write_durably(temporary: Path, content: bytes) -> None:
    """Write ``content`` and wait until the disk has it; a short write is an error."""
    with open(temporary, "wb") as handle:
        written = handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    if written != len(content) or temporary.stat().st_size != len(content):
        raise OSError(errno.EIO, os.strerror(errno.EIO))


def _sync_folder(folder: Path, target: Path) -> None:
    """Make the rename itself durable (POSIX); Windows has no handle on a folder to flush."""
    if os.name == "nt":
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # a folder that cannot be opened for reading still took the file
    try:
        os.fsync(descriptor)
    except OSError as error:
        # Some file systems cannot flush a folder at all; that is not a failed write.
        if error.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise PrintFailed(
                f"Kit Share wrote {target} but the disk did not confirm it kept it "
                f"({error.strerror}); open the file to check it before relying on it, or "
                "save it again."
            ) from error
    finally:
        os.close(descriptor)


def _not_saved(target: Path, error: OSError) -> str:
    reason = error.strerror or str(error)
    if error.errno in DISK_FULL:
        return (
            f"Kit Share could not save {target} because the disk is full ({reason}), and "
            f"any earlier {target.name} is unchanged; free some space or choose another "
            "folder, then try again."
        )
    return (
        f"Kit Share cannot save {target} ({reason}), and any earlier {target.name} is "
        "unchanged; close it if it is open in another program, or choose another name."
    )
