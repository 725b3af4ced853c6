"""One way to tell a person that something could not be done, and why; one way to ask
before doing something that cannot be undone."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.errors import KitShareError

DEFAULT_TITLE = "Kit Share"


def show_error(parent: QWidget | None, error: KitShareError, title: str = DEFAULT_TITLE) -> None:
    """Show ``error``'s sentence in a critical message box, never a traceback."""
    QMessageBox.critical(parent, title, error.message)


def confirm(
    parent: QWidget | None,
    title: str,
    question: str,
    *,
    careful: bool = False,
    no: QMessageBox.StandardButton = QMessageBox.StandardButton.Cancel,
) -> bool:
    """Ask ``question`` with Yes and ``no``; whether the person said yes.

    ``careful``: ``no`` is the default button, so Enter alone does not say yes.
    """
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | no,
        no if careful else QMessageBox.StandardButton.Yes,
    )
    return answer == QMessageBox.StandardButton.Yes
