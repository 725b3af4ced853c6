"""One way to tell a person that something could not be done, and why."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.errors import KitShareError

DEFAULT_TITLE = "Kit Share"


def show_error(parent: QWidget | None, error: KitShareError, title: str = DEFAULT_TITLE) -> None:
    """Show ``error``'s sentence in a critical message box, never a traceback."""
    QMessageBox.critical(parent, title, error.message)
