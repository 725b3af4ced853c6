"""The small parts every screen is built with: named widgets, forms, headings, hints,
boxed messages and read-only inputs, made one way so that every dialog looks alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QBoxLayout,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.palette import BoxStyle, blend, boxed

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """``widget`` with its object name set, so tests and style sheets can find it."""
    widget.setObjectName(name)
    return widget


def with_shortcut(words: str, letter: str) -> str:
    """``words`` with Alt+``letter`` marked, so a label read from the vocabulary keeps its
    words: the first word that starts with ``letter`` ("Pass with &advisories"), else the
    first ``letter`` anywhere ("Ma&jor"); matched as written."""
    starts = [i for i, c in enumerate(words) if c == letter and (i == 0 or words[i - 1] == " ")]
    at = starts[0] if starts else words.find(letter)
    if at < 0:
        raise ValueError(f"no {letter!r} in {words!r} to mark as the shortcut")
    return f"{words[:at]}&{words[at:]}"


def form_layout() -> QFormLayout:
    """Labelled rows, labels on the left, fields growing to the width they are given."""
    form = QFormLayout()
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(8)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


def caption(text: str, buddy: QWidget) -> QLabel:
    """A label for ``buddy``: the letter after "&" in ``text`` moves the keyboard there."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def add_captioned(row: QBoxLayout, text: str, widget: QWidget) -> QLabel:
    """Add ``widget`` to ``row`` after its caption ``text``; the caption."""
    label = caption(text, widget)
    row.addWidget(label)
    row.addWidget(widget)
    return label


def side_by_side(
    first: QWidget,
    second: QWidget,
    *,
    stretch: tuple[int, int],
    sizes: tuple[int, int],
    vertical: bool = False,
) -> QSplitter:
    """Two panes the person can resize, neither to nothing: ``first`` left (or on top).

    ``stretch`` shares out any width the window gains; ``sizes`` is where they start.
    """
    splitter = QSplitter(Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal)
    splitter.addWidget(first)
    splitter.addWidget(second)
    splitter.setChildrenCollapsible(False)
    splitter.setStretchFactor(0, stretch[0])
    splitter.setStretchFactor(1, stretch[1])
    splitter.setSizes(list(sizes))
    return splitter


def one_of(*widgets: QWidget) -> QWidget:
    """A pane that shows one of ``widgets`` at a time (a document, or a placeholder
    saying why there is none), each filling it; all but the first start hidden."""
    pane = QWidget()
    column = QVBoxLayout(pane)
    column.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        column.addWidget(widget, 1)
    for widget in widgets[1:]:
        widget.hide()
    return pane


def heading(text: str) -> QLabel:
    """A line of bold text at the top of a dialog: what the dialog is about."""
    label = QLabel(text)
    label.setWordWrap(True)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.15)
    font.setBold(True)
    label.setFont(font)
    return label


def list_caption(text: str) -> QLabel:
    """A bold caption over a list on a form (a kit's members, the items asked for): the
    letter after "&" moves the keyboard to the buddy it is given."""
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def captioned_list(caption: QLabel, box: QWidget) -> QWidget:
    """``box`` under its ``caption``, a little apart from the parts above and below."""
    part = QWidget()
    layout = QVBoxLayout(part)
    layout.setContentsMargins(0, 4, 0, 4)
    layout.addWidget(caption)
    layout.addWidget(box)
    return part


def muted(text: str) -> QLabel:
    """Secondary text: grey from the palette, so it reads on light and dark alike."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def hint(text: str) -> QLabel:
    """Advice under a field: wrapped, a little lighter than the text but not faint."""
    label = QLabel(text)
    label.setWordWrap(True)
    palette = label.palette()
    ink = palette.color(QPalette.ColorRole.WindowText)
    paper = palette.color(QPalette.ColorRole.Window)
    mixed = blend(ink, paper)
    palette.setColor(QPalette.ColorRole.WindowText, mixed)
    label.setPalette(palette)
    return label


def fit_spin(spin: QAbstractSpinBox, sample: str) -> None:
    """Make ``spin`` wide enough for ``sample`` and its buttons."""
    spin.setMinimumWidth(spin.fontMetrics().horizontalAdvance(sample) + 44)


def small_button(text: str, name: str, slot: Callable[[], None]) -> QPushButton:
    """A push button that calls ``slot`` when clicked."""
    button = named(QPushButton(text), name)
    button.clicked.connect(slot)
    return button


def plain_text_edit(name: str, lines: int) -> QPlainTextEdit:
    """A multi-line input about ``lines`` lines high, wrapping at words; Tab moves on."""
    edit = named(QPlainTextEdit(), name)
    edit.setTabChangesFocus(True)
    edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * lines + 14)
    return edit


def show_read_only(widget: QLineEdit | QPlainTextEdit, read_only: bool) -> None:
    """Make ``widget`` read-only, and look it: the window's colour behind the text."""
    widget.setReadOnly(read_only)
    palette = widget.palette() if read_only else QPalette()
    if read_only:
        palette.setColor(QPalette.ColorRole.Base, palette.color(QPalette.ColorRole.Window))
    widget.setPalette(palette)


def message_label(name: str) -> QLabel:
    """A boxed message, hidden until it has something to say."""
    label = named(QLabel(), name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def show_message(label: QLabel, text: str, style: BoxStyle) -> None:
    """Say ``text`` in ``label``, boxed in ``style``; hide the label when there is none."""
    label.setText(text)
    label.setStyleSheet(boxed(style))
    label.setVisible(bool(text))
