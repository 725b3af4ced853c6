"""Print preview, Print and Export PDF, the same three ways for every document.

A document is built only when the person asks for it (``DocumentSource``), so a rule
that refuses it (an item no protocol covers, say) is shown as a message then, through
the one error helper, and nothing is half printed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QToolButton, QWidget

from app.core.errors import KitShareError
from app.core.text import counted
from app.documents.content import LabelSheet
from ui.printing.documents import (
    Printable,
    apply_document_layout,
    apply_label_layout,
    paint,
    write_pdf,
)
from ui.widgets.messages import show_error

DocumentSource = Callable[[], Printable]
"""Builds the document at the moment it is wanted (it may raise a ``KitShareError``)."""

PDF_FILTER = "PDF documents (*.pdf)"


def new_printer(source: Printable) -> QPrinter:
    """A printer set up for ``source``: A4, its margins, and its title as the job name."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(source.title)
    if isinstance(source, LabelSheet):
        apply_label_layout(printer)
    else:
        apply_document_layout(printer, landscape=source.landscape)
    return printer


class DocumentOutput(QObject):
    """Shows, prints and saves documents on behalf of a window or dialog."""

    saved = Signal(str)
    """A PDF was written; the message says where."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._window = parent
        self._last_folder = Path(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            or Path.home()
        )

    def _build(self, source: DocumentSource, what: str) -> Printable | None:
        try:
            return source()
        except KitShareError as error:
            show_error(self._window, error, f"Kit Share cannot print {what}")
            return None

    def _ready(self, source: DocumentSource, what: str) -> tuple[Printable, QPrinter] | None:
        """The document built, and a printer set up for it; None if it was refused."""
        document = self._build(source, what)
        return None if document is None else (document, new_printer(document))

    def preview(self, source: DocumentSource, what: str) -> None:
        """Open Qt's print preview, from which the person can also print."""
        if (ready := self._ready(source, what)) is None:
            return
        document, printer = ready
        dialog = QPrintPreviewDialog(printer, self._window)
        dialog.setWindowTitle(f"Print preview: {document.title}")
        dialog.resize(900, 1000)
        dialog.paintRequested.connect(lambda target: self._paint(document, target))
        dialog.exec()
        dialog.deleteLater()

    def print(self, source: DocumentSource, what: str) -> None:
        """Ask which printer, then print."""
        if (ready := self._ready(source, what)) is None:
            return
        document, printer = ready
        dialog = QPrintDialog(printer, self._window)
        dialog.setWindowTitle(f"Print {what}")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._paint(document, printer)
        dialog.deleteLater()

    def export_pdf(self, source: DocumentSource, what: str) -> Path | None:
        """Ask where, then save a PDF; returns where it went (None if not saved)."""
        document = self._build(source, what)
        if document is None:
            return None
        chosen, _ = QFileDialog.getSaveFileName(
            self._window,
            f"Export {what} as PDF",
            str(self._last_folder / document.file_name),
            PDF_FILTER,
        )
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            pages = write_pdf(document, path)
        except KitShareError as error:
            show_error(self._window, error, "Kit Share cannot save the PDF")
            return None
        self._last_folder = path.parent
        self.saved.emit(f"Saved {path.name} ({counted(pages, 'page')}).")
        return path

    def _paint(self, document: Printable, printer: QPrinter) -> None:
        try:
            paint(document, printer)
        except KitShareError as error:
            show_error(self._window, error, "Kit Share cannot print")

    def actions_for(
        self,
        source: DocumentSource,
        what: str,
        parent: QObject,
        *,
        print_shortcut: QKeySequence | None = None,
    ) -> tuple[QAction, QAction, QAction]:
        """Print…, Print preview… and Export PDF… actions for one kind of document."""
        print_action = QAction("&Print…", parent)
        print_action.setStatusTip(f"Print {what}")
        if print_shortcut is not None:
            print_action.setShortcut(print_shortcut)
        print_action.triggered.connect(lambda: self.print(source, what))
        preview_action = QAction("Print pre&view…", parent)
        preview_action.setStatusTip(f"See {what} page by page before printing")
        preview_action.triggered.connect(lambda: self.preview(source, what))
        export_action = QAction("&Export PDF…", parent)
        export_action.setStatusTip(f"Save {what} as a PDF file")
        export_action.triggered.connect(lambda: self.export_pdf(source, what))
        return print_action, preview_action, export_action


def print_button(text: str, actions: tuple[QAction, QAction, QAction]) -> QToolButton:
    """A button that prints at a click, with preview and PDF export on its menu."""
    button = QToolButton()
    button.setText(text)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
    menu = QMenu(button)
    for action in actions:
        menu.addAction(action)
    button.setMenu(menu)
    # A click on the button itself previews: the safest first look at a document.
    button.clicked.connect(actions[1].trigger)
    return button
