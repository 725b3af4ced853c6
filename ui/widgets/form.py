"""The one form framework: a dialog that says, as the person types, what stops it.

Forms hold no rules. A change of any watched input starts a short timer (or, for a check
that needs no database, checks at once); when it fires the dialog asks its service's
``check`` what is wrong, says so in the message area, outlines the fields the problems
name, and keeps OK disabled until nothing is wrong. OK hands the form to the service,
which checks everything again; a refusal then (another station took the kit a moment
ago) is shown in the same place, and everything typed stays as it was.

A check or a save may also meet the world as it is: a locked or read-only database, a
server gone. The check runs in a timer's slot, where an exception would escape to no
one, so every ``KitShareError`` is shown in the message area like a refusal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, SignalInstance
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.actor import Actor
from app.core.errors import DomainError, KitShareError, Refusal, Refused, WorkingOffline
from app.storage.database import SWITCHED_UNDER_FORM, Database
from ui.widgets.dates import UkDateTimeEdit
from ui.widgets.layout import named
from ui.widgets.palette import (
    READY_STYLE,
    REFUSED_STYLE,
    TO_DO_STYLE,
    BoxStyle,
    boxed,
    coloured_text,
    dot_icon,
    outlined,
)

CHECK_DELAY_MS = 250
# How many problems the message area lists before it says how many more there are.
MESSAGES_SHOWN = 4
# The rule of a problem that is no rule at all: the database could not be asked.
FAULT = "fault"


@dataclass(frozen=True)
class Said:
    """What the message area says about the problems found, and the fields it blames."""

    text: str
    style: BoxStyle
    fields: frozenset[str] = frozenset()
    tooltip: str = ""


def problems_of(error: KitShareError, *, rule: str = "refused") -> list[Refusal]:
    """``error`` as the problems a form shows: a refusal's own, else its one sentence
    under ``rule`` (or ``FAULT``, when the database or its surroundings failed)."""
    if isinstance(error, Refused) and error.problems:
        return list(error.problems)
    return [Refusal(rule if isinstance(error, DomainError) else FAULT, error.message)]


# Each kind of input and the signal it gives when the person changes what it holds.
CHANGE_SIGNALS: tuple[tuple[type[QObject] | tuple[type[QObject], ...], str], ...] = (
    ((QLineEdit, QPlainTextEdit), "textChanged"),
    (QComboBox, "currentIndexChanged"),
    (QDateTimeEdit, "dateTimeChanged"),
    ((QSpinBox, QDoubleSpinBox), "valueChanged"),
    (QCheckBox, "toggled"),
    (QListWidget, "itemChanged"),
    (QButtonGroup, "idToggled"),
    # Kit Share's own inputs (an optional date, meter readings) say ``changed``.
    (QObject, "changed"),
)


def change_signal(widget: QObject) -> SignalInstance:
    """The signal ``widget`` gives when the person changes what it holds."""
    for kinds, name in CHANGE_SIGNALS:
        if isinstance(widget, kinds):
            signal = getattr(widget, name, None)
            if isinstance(signal, SignalInstance):
                return signal
    raise TypeError(f"cannot watch a {type(widget).__name__}")


class FormDialog(QDialog):
    """A form that says, as the person types, everything that stops it.

    Subclasses build their fields (``add_field`` for a labelled row, ``point_field``
    for each other ``Refusal.field`` the service may name), call ``watch`` on every input,
    and override ``check`` (the service's check, saving nothing), ``save`` (the service's
    action, which may raise) and ``ready_text``. ``describe`` says how problems read.
    """

    check_delay_ms = CHECK_DELAY_MS
    """How long after the last key the form checks; 0 checks at once (a check that needs
    no database is quick enough to run on every key)."""

    def __init__(
        self, db: Database, actor: Actor, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        # Whether the form was opened on the station copy: numbers it shows are the copy's.
        self._opened_offline = db.offline
        self.setWindowTitle(title)
        # Each field: the inputs to outline, the caption to colour, the tab it is on.
        self._fields: dict[str, tuple[list[QWidget], QLabel | None, QWidget | None]] = {}
        self._marked: set[str] = set()
        # The service's refusal of the last save, shown until the person changes something.
        self._save_refusals: list[Refusal] = []
        self.problems: list[Refusal] = []
        self._tabs: QTabWidget | None = None

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(self.check_delay_ms)
        self._check_timer.timeout.connect(self.check_now)

        self.message_label = named(QLabel(), "formMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.message_label.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 16)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button: QPushButton = named(ok, "okButton")
        self.buttons.accepted.connect(self._on_ok_clicked)
        self.buttons.rejected.connect(self.reject)

    # Building -----------------------------------------------------------------------------

    @property
    def tabs(self) -> QTabWidget:
        """The form's pages, for a form with more than one; a tab holding a field at fault
        is marked."""
        if self._tabs is None:
            self._tabs = QTabWidget()
        return self._tabs

    def finish(self, *parts: QWidget | QLayout, ok_text: str = "OK") -> None:
        """Lay the dialog out: ``parts`` from the top, then the message and the buttons."""
        self.ok_button.setText(ok_text)
        outer = QVBoxLayout(self)
        outer.setSpacing(10)
        for part in parts:
            if isinstance(part, QLayout):
                outer.addLayout(part)
            else:
                outer.addWidget(part, 1 if isinstance(part, QTabWidget) else 0)
        if not any(isinstance(part, QTabWidget) for part in parts):
            outer.addStretch(1)
        outer.addWidget(self.message_label)
        outer.addWidget(self.buttons)
        self.check_now()

    def add_field(
        self,
        form: QFormLayout,
        label: str,
        widget: QWidget,
        field: str | None = None,
        *,
        mark: QWidget | None = None,
    ) -> QLabel:
        """Add a labelled row; ``field`` is the ``Refusal.field`` that points at it, and
        ``mark`` the input to outline then (by default the row's whole widget)."""
        caption = QLabel(label)
        caption.setBuddy(mark or widget)
        form.addRow(caption, widget)
        if field is not None:
            self.point_field(field, mark or widget, caption=caption)
        return caption

    def point_field(
        self,
        field: str,
        *widgets: QWidget,
        caption: QLabel | None = None,
        page: QWidget | None = None,
    ) -> None:
        """Let refusals naming ``field`` outline ``widgets`` (and colour ``caption``), and
        mark the tab holding ``page``."""
        self._fields[field] = (list(widgets), caption, page)

    def watch(self, *inputs: QObject) -> None:
        """Check the form again shortly after any of ``inputs`` changes."""
        for widget in inputs:
            change_signal(widget).connect(self.input_changed)

    def input_changed(self, *_args: object) -> None:
        """Something was typed or picked: check again once the person pauses."""
        self._save_refusals = []
        if self.check_delay_ms:
            self._check_timer.start()
        else:
            self.check_now()

    # What subclasses say -------------------------------------------------------------------

    def check(self) -> list[Refusal]:
        """The rules the form breaks now, from the service; none by default."""
        return []

    def save(self) -> None:
        """Do the action through the service; raise ``KitShareError`` to stay open."""
        raise NotImplementedError

    def ready_text(self) -> str:
        """What the message area says when nothing stops the action."""
        return "Nothing stops this."

    def describe(self, problems: Sequence[Refusal], *, refused: bool) -> Said:
        """How ``problems`` read: every one listed (up to a few), amber as the person
        types, red once the service has ``refused`` a save or could not be asked."""
        if not problems:
            return Said(self.ready_text(), READY_STYLE)
        red = refused or any(p.rule == FAULT for p in problems)
        style = REFUSED_STYLE if red else TO_DO_STYLE
        fields = frozenset(p.field for p in problems if p.field)
        if len(problems) == 1:
            return Said(problems[0].message, style, fields)
        shown = [f"• {p.message}" for p in problems[:MESSAGES_SHOWN]]
        more = len(problems) - MESSAGES_SHOWN
        tooltip = ""
        if more > 0:
            shown.append(f"…and {more} more (point here to read them all).")
            tooltip = "\n\n".join(p.message for p in problems)
        return Said("\n".join(shown), style, fields, tooltip)

    # Checking ------------------------------------------------------------------------------

    @property
    def checking(self) -> bool:
        """Whether a check is waiting for the person to stop typing."""
        return self._check_timer.isActive()

    def marked_fields(self) -> set[str]:
        """The fields outlined as the cause of a problem shown."""
        return set(self._marked)

    def message(self) -> str:
        return self.message_label.text()

    def check_now(self) -> None:
        """Ask the service what stops the form, and show it."""
        self._check_timer.stop()
        try:
            found = self._time_problems() or self.check()
        except KitShareError as error:
            found = problems_of(error, rule="details")
        self.problems = found
        self._show()

    def _time_problems(self) -> list[Refusal]:
        """A time no UK clock shows once, in any of the form's time fields: no service
        can tell, as by then it is one moment like any other."""
        problems = []
        for field, (widgets, _caption, _page) in self._fields.items():
            for widget in widgets:
                for edit in (widget, *widget.findChildren(UkDateTimeEdit)):
                    if isinstance(edit, UkDateTimeEdit) and (problem := edit.problem()):
                        problems.append(Refusal("period", problem, field))
        return problems

    def _show(self) -> None:
        # A refused save that names a field would be refused again as it stands; one
        # that names none (a locked database) may pass if the person simply tries again.
        self.ok_button.setEnabled(
            not self.problems and not any(p.field for p in self._save_refusals)
        )
        self.show_problems(self._save_refusals or self.problems, refused=bool(self._save_refusals))

    def show_problems(self, problems: Sequence[Refusal], *, refused: bool) -> None:
        """Say ``problems`` in the message area and outline the fields they blame."""
        said = self.describe(problems, refused=refused)
        self.message_label.setToolTip(said.tooltip)
        self.message_label.setText(said.text)
        self.message_label.setStyleSheet(boxed(said.style))
        self._mark(said.fields, said.style.border)

    def field_of(self, field: str) -> str | None:
        """The pointed-at field a refusal's ``field`` names ("clauses[2].body" → "clauses")."""
        if field in self._fields:
            return field
        base = re.split(r"[\[.]", field, maxsplit=1)[0]
        return base if base in self._fields else None

    def field_at_focus(self) -> str | None:
        """The field whose input has the keyboard, if any."""
        focus = QApplication.focusWidget()
        for field, (widgets, _caption, _page) in self._fields.items():
            if any(focus is w or (focus is not None and w.isAncestorOf(focus)) for w in widgets):
                return field
        return None

    def _mark(self, fields: frozenset[str], colour: str) -> None:
        known = {found for f in fields if (found := self.field_of(f)) is not None}
        marked_pages: set[int] = set()
        for field, (widgets, caption, page) in self._fields.items():
            marked = field in known
            for widget in widgets:
                widget.setStyleSheet(outlined(colour) if marked else "")
            if caption is not None:
                caption.setStyleSheet(coloured_text(colour, bold=True) if marked else "")
            if marked and page is not None and self._tabs is not None:
                marked_pages.add(self._tabs.indexOf(page))
        if self._tabs is not None:
            self._mark_tabs(self._tabs, marked_pages, colour)
        self._marked = known

    @staticmethod
    def _mark_tabs(tabs: QTabWidget, pages: set[int], colour: str) -> None:
        bar = tabs.tabBar()
        for index in range(tabs.count()):
            at_fault = index in pages
            tabs.setTabIcon(index, dot_icon(colour, 10) if at_fault else QIcon())
            bar.setTabTextColor(index, QColor(colour) if at_fault else QColor())

    # Saving --------------------------------------------------------------------------------

    def _on_ok_clicked(self) -> None:
        self.check_now()
        if self.problems:
            return
        try:
            if self._db.offline != self._opened_offline:
                raise WorkingOffline(SWITCHED_UNDER_FORM)
            self.save()
        except KitShareError as error:
            self._save_refusals = problems_of(error)
            self._show()
            return
        self.accept()
