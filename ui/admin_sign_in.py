"""Signing in as an administrator, to change the MoU register.

The dialog asks the register service; a refusal (wrong name or password, or someone who
is not an administrator) is said inside the dialog, which stays open for another try.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.audit import Actor
from app.database import Database
from app.errors import KitShareError
from app.register import sign_in_administrator
from ui.loan_form import REFUSED_STYLE, form_layout, heading, named
from ui.mou_dialog import boxed, hint

TITLE = "Sign in as administrator"
EXPLANATION = (
    "Only an administrator can add or change MoUs and sharing protocols. "
    "Everyone can read the register without signing in."
)


class AdminSignInDialog(QDialog):
    """User name and password; ``actor`` holds the administrator once accepted."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.actor: Actor | None = None
        self.setWindowTitle(TITLE)
        self.setMinimumWidth(440)

        self.username_edit = named(QLineEdit(), "adminUsername")
        self.password_edit = named(QLineEdit(), "adminPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message_label = named(QLabel(), "signInMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        # Room for a two-line refusal from the start (blank until there is one), so the
        # dialog does not jump when one is shown.
        self.message_label.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 16)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button: QPushButton = named(ok, "okButton")
        self.ok_button.setText("Sign in")
        self.ok_button.setEnabled(False)

        form = form_layout()
        name_label = QLabel("&User name")
        name_label.setBuddy(self.username_edit)
        password_label = QLabel("&Password")
        password_label.setBuddy(self.password_edit)
        form.addRow(name_label, self.username_edit)
        form.addRow(password_label, self.password_edit)

        outer = QVBoxLayout(self)
        outer.setSpacing(10)
        outer.addWidget(heading(TITLE))
        outer.addWidget(hint(EXPLANATION))
        outer.addLayout(form)
        outer.addWidget(self.message_label)
        outer.addStretch(1)
        outer.addWidget(self.buttons)

        self.username_edit.textChanged.connect(self._on_input_changed)
        self.password_edit.textChanged.connect(self._on_input_changed)
        self.buttons.accepted.connect(self._on_sign_in_clicked)
        self.buttons.rejected.connect(self.reject)
        self.username_edit.setFocus()

    def message(self) -> str:
        """The refusal shown, or "" when there is none."""
        return self.message_label.text()

    def _on_input_changed(self, _text: str) -> None:
        self.ok_button.setEnabled(
            bool(self.username_edit.text().strip() and self.password_edit.text())
        )

    def _on_sign_in_clicked(self) -> None:
        try:
            actor = sign_in_administrator(
                self._db, self.username_edit.text().strip(), self.password_edit.text()
            )
        except KitShareError as error:
            self.message_label.setText(error.message)
            self.message_label.setStyleSheet(boxed(REFUSED_STYLE))
            # The password goes; the name stays, ready for another try.
            self.password_edit.clear()
            self.password_edit.setFocus()
            return
        self.actor = actor
        self.accept()
