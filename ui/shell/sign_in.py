"""Who is at the station PC: the sign-in page, and the first administrator's page.

Both are pages of the main window rather than dialogs, so that a locked window shows
nothing of what was on screen. They ask ``app.people.accounts``; a refusal (wrong password,
lock-out, disabled account, a weak password) is said on the page, which stays as it
was, less the password, for another try.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.directory import list_agencies
from app.core.actor import Actor
from app.core.errors import KitShareError, Refused
from app.core.vocabulary import labels
from app.demo.loader import demo_accounts
from app.people.accounts import (
    FirstAdministrator,
    check_first_administrator,
    create_first_administrator,
    sign_in,
)
from app.storage.database import Database
from models import AgencyKind
from ui.widgets.layout import caption, form_layout, heading, hint, named
from ui.widgets.palette import REFUSED_STYLE, boxed

SIGN_IN_TITLE = "Sign in to Kit Share"
SIGN_IN_TEXT = (
    "This PC is shared: sign in as yourself, so that what you do is recorded in your name."
)
FIRST_TITLE = "Set up Kit Share: the first administrator"
FIRST_TEXT = (
    "This database has no users yet. Give the details of its first administrator, who "
    "can then add everyone else's accounts. Keep the password safe: no one can read it "
    "back, only reset it."
)
NEW_AGENCY = "A new agency…"
CARD_WIDTH = 460


def _card(*parts: QWidget | QLayout) -> QFrame:
    card = QFrame()
    card.setObjectName("signInCard")
    card.setFrameShape(QFrame.Shape.StyledPanel)
    card.setFixedWidth(CARD_WIDTH)
    column = QVBoxLayout(card)
    column.setContentsMargins(24, 20, 24, 20)
    column.setSpacing(10)
    for part in parts:
        if isinstance(part, QWidget):
            column.addWidget(part)
        else:
            column.addLayout(part)
    return card


def _centred(page: QWidget, card: QFrame) -> None:
    outer = QVBoxLayout(page)
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)


def _message_label(owner: QWidget) -> QLabel:
    label = named(QLabel(), "signInMessage")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    # Room for a refusal from the start, so the card does not jump when one appears.
    label.setMinimumHeight(owner.fontMetrics().lineSpacing() * 3 + 16)
    return label


def _demo_accounts_label(db: Database) -> QLabel | None:
    """On the demo database only: who a newcomer may sign in as, and the passwords."""
    try:
        accounts = demo_accounts(db)
    except KitShareError:
        return None  # the page says what is wrong with the database when used
    if not accounts:
        return None
    rows = "".join(
        f"<tr><td><b>{escape(account.username)}</b></td>"
        f"<td>{escape(account.password)}</td><td>{escape(account.who)}</td></tr>"
        for account in accounts
    )
    label = named(
        QLabel(
            "<p>This is the <b>demo database</b>. Sign in as one of these (user name, "
            "password, and what you see as them):</p>"
            f"<table cellspacing='0' cellpadding='2'>{rows}</table>"
        ),
        "demoAccounts",
    )
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _show_refusal(label: QLabel, message: str) -> None:
    label.setText(message)
    label.setStyleSheet(boxed(REFUSED_STYLE) if message else "")


class SignInPage(QWidget):
    """User name and password; says ``signed_in`` with the actor when they match."""

    signed_in = Signal(object)
    """Someone signed in; the argument is their ``Actor``."""
    retry_requested = Signal()
    """The database could not be asked who may sign in; the person asks again."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signIn")
        self._db = db
        self.title_label = heading(SIGN_IN_TITLE)
        self.explanation = hint(SIGN_IN_TEXT)
        self.username_edit = named(QLineEdit(), "username")
        self.username_edit.setPlaceholderText("e.g. j.smith")
        self.password_edit = named(QLineEdit(), "password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message_label = _message_label(self)
        self.sign_in_button = named(QPushButton("Sign in"), "signInButton")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setAutoDefault(True)
        self.sign_in_button.setEnabled(False)
        self.retry_button = named(QPushButton("&Try again"), "retryButton")
        self.retry_button.setToolTip("Ask the database again")
        self.retry_button.hide()

        form = form_layout()
        name_label = caption("&User name", self.username_edit)
        password_label = caption("&Password", self.password_edit)
        form.addRow(name_label, self.username_edit)
        form.addRow(password_label, self.password_edit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.sign_in_button)
        self.demo_label = _demo_accounts_label(db)
        parts: list[QWidget | QLayout] = [
            self.title_label,
            self.explanation,
            form,
            self.message_label,
            buttons,
        ]
        if self.demo_label is not None:
            parts.append(self.demo_label)
        _centred(self, _card(*parts))

        self.username_edit.textChanged.connect(self._on_input_changed)
        self.password_edit.textChanged.connect(self._on_input_changed)
        self.username_edit.returnPressed.connect(self.password_edit.setFocus)
        self.password_edit.returnPressed.connect(self.submit)
        self.sign_in_button.clicked.connect(self.submit)
        self.retry_button.clicked.connect(self.retry_requested)

    def start(self, *, locked_by: str | None = None, username: str = "") -> None:
        """Show the page afresh; ``locked_by`` says whose session it interrupts."""
        if locked_by:
            self.title_label.setText("Kit Share is locked")
            self.explanation.setText(
                f"Locked while {locked_by} was away. Sign in to carry on, or sign in as "
                "someone else to switch user."
            )
        else:
            self.title_label.setText(SIGN_IN_TITLE)
            self.explanation.setText(SIGN_IN_TEXT)
        self.username_edit.setText(username)
        self.password_edit.clear()
        _show_refusal(self.message_label, "")
        self.retry_button.hide()
        (self.password_edit if username else self.username_edit).setFocus()

    def show_fault(self, message: str) -> None:
        """Say why the database cannot be used just now, with a button to try again."""
        _show_refusal(self.message_label, message)
        self.retry_button.show()
        self.retry_button.setFocus()

    def message(self) -> str:
        """The refusal shown, or "" when there is none."""
        return self.message_label.text()

    def _on_input_changed(self, _text: str) -> None:
        self.sign_in_button.setEnabled(
            bool(self.username_edit.text().strip() and self.password_edit.text())
        )

    def submit(self) -> None:
        if not self.sign_in_button.isEnabled():
            return
        try:
            actor = sign_in(self._db, self.username_edit.text(), self.password_edit.text())
        except KitShareError as error:
            _show_refusal(self.message_label, error.message)
            # The password goes; the name stays, ready for another try.
            self.password_edit.clear()
            self.password_edit.setFocus()
            return
        self.password_edit.clear()
        _show_refusal(self.message_label, "")
        self.retry_button.hide()
        self.signed_in.emit(actor)


class FirstAdministratorPage(QWidget):
    """An empty database's first account: an administrator, and their agency if new."""

    signed_in = Signal(object)
    """The first administrator was made and is signed in; the argument is the ``Actor``."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstAdministrator")
        self._db = db
        self.agency_combo = named(QComboBox(), "agency")
        self.agency_name_edit = named(QLineEdit(), "agencyName")
        self.agency_name_edit.setPlaceholderText("e.g. Cambridgeshire Fire and Rescue Service")
        self.agency_code_edit = named(QLineEdit(), "agencyCode")
        self.agency_code_edit.setPlaceholderText("e.g. CAMBS-FRS")
        self.agency_kind_combo = named(QComboBox(), "agencyKind")
        for kind, words in labels(AgencyKind).items():
            self.agency_kind_combo.addItem(words, kind)
        self.given_edit = named(QLineEdit(), "givenName")
        self.family_edit = named(QLineEdit(), "familyName")
        self.staff_edit = named(QLineEdit(), "staffNumber")
        self.username_edit = named(QLineEdit(), "username")
        self.password_edit = named(QLineEdit(), "password")
        self.repeat_edit = named(QLineEdit(), "repeatPassword")
        for edit in (self.password_edit, self.repeat_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message_label = _message_label(self)
        self.create_button = named(QPushButton("Create and sign in"), "createButton")
        self.create_button.setDefault(True)

        self.form = form_layout()
        self._rows: dict[str, QWidget] = {}
        for label, widget, key in (
            ("&Agency", self.agency_combo, "agency"),
            ("Agency &name", self.agency_name_edit, "agency_name"),
            ("Short &code", self.agency_code_edit, "agency_code"),
            ("&Kind", self.agency_kind_combo, "agency_kind"),
            ("&Given name", self.given_edit, "given_name"),
            ("&Family name", self.family_edit, "family_name"),
            ("Collar or &staff number", self.staff_edit, "staff_number"),
            ("&User name", self.username_edit, "username"),
            ("&Password", self.password_edit, "password"),
            ("&Repeat password", self.repeat_edit, "repeat"),
        ):
            self.form.addRow(caption(label, widget), widget)
            self._rows[key] = widget
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)
        card = _card(heading(FIRST_TITLE), hint(FIRST_TEXT), self.form, self.message_label, buttons)
        card.setFixedWidth(CARD_WIDTH + 80)
        _centred(self, card)

        self.agency_combo.currentIndexChanged.connect(self._on_agency_changed)
        self.create_button.clicked.connect(self.submit)
        self.repeat_edit.returnPressed.connect(self.submit)

    def start(self) -> None:
        """Offer the agencies already there (a database loaded from elsewhere) or a new one."""
        self.agency_combo.clear()
        self.agency_combo.addItem(NEW_AGENCY, None)
        for agency in list_agencies(self._db):
            self.agency_combo.addItem(agency.label, agency.id)
        self._on_agency_changed(0)
        self.given_edit.setFocus()

    def _on_agency_changed(self, _index: int) -> None:
        new = self.agency_combo.currentData() is None
        for key in ("agency_name", "agency_code", "agency_kind"):
            widget = self._rows[key]
            widget.setVisible(new)
            label = self.form.labelForField(widget)
            if label is not None:
                label.setVisible(new)

    def draft(self) -> FirstAdministrator:
        return FirstAdministrator(
            given_name=self.given_edit.text(),
            family_name=self.family_edit.text(),
            staff_number=self.staff_edit.text(),
            username=self.username_edit.text(),
            password=self.password_edit.text(),
            agency_id=self.agency_combo.currentData(),
            agency_code=self.agency_code_edit.text(),
            agency_name=self.agency_name_edit.text(),
            agency_kind=self.agency_kind_combo.currentData(),
        )

    def message(self) -> str:
        return self.message_label.text()

    def submit(self) -> None:
        draft = self.draft()
        try:
            problems = check_first_administrator(self._db, draft)
            if not problems and self.repeat_edit.text() != draft.password:
                _show_refusal(
                    self.message_label,
                    "The two passwords are not the same. Type the password again in both.",
                )
                self.repeat_edit.clear()
                self.repeat_edit.setFocus()
                return
            if problems:
                raise Refused(problems)
            actor: Actor = create_first_administrator(self._db, draft)
        except KitShareError as error:
            _show_refusal(self.message_label, error.message)
            if isinstance(error, Refused) and error.problems[0].field in self._rows:
                self._rows[error.problems[0].field or ""].setFocus()
            return
        self.password_edit.clear()
        self.repeat_edit.clear()
        _show_refusal(self.message_label, "")
        self.signed_in.emit(actor)
