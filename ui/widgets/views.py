"""What every tab's view is built with: record tables sized from the font, the red line
that says a list could not be read, the pause before a filter re-reads, the spin box of
days ahead, opening a dialog that may fail to load, and wiring a signal to an action."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from PySide6.QtCore import QAbstractItemModel, QObject, Qt, QTimer, SignalInstance
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableView,
    QWidget,
)

from app.core.errors import KitShareError
from ui.widgets.layout import fit_spin, named
from ui.widgets.messages import show_error
from ui.widgets.palette import REFUSED, coloured_text

# A table's column enumeration (an IntEnum).
C = TypeVar("C", bound=int)
D = TypeVar("D", bound=QDialog)


def configure_record_table(
    table: QTableView, samples: Mapping[C, str], *, bold_column: C
) -> QFontMetrics:
    """Set up a read-only table of records, one row each: whole-row selection, no grid,
    Tab leaving the table rather than walking its cells, and row heights and column
    widths taken from the font and a sample text per column, never from the data, so
    they stay right at any scaling and cost nothing per row. ``bold_column`` is shown in
    bold (a status) and is measured so. Returns the font's metrics for further sizing.
    """
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setShowGrid(False)
    table.setTabKeyNavigation(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    metrics = table.fontMetrics()
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(metrics.height() + 10)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    bold = table.font()
    bold.setBold(True)
    padding = 2 * metrics.averageCharWidth()
    for column, sample in samples.items():
        measure = QFontMetrics(bold) if column == bold_column else metrics
        header.resizeSection(column, measure.horizontalAdvance(sample) + padding)
    return metrics


def record_table(
    name: str, model: QAbstractItemModel, samples: Mapping[C, str], *, bold_column: C
) -> QTableView:
    """A named read-only table of ``model``'s records (see ``configure_record_table``),
    its last column taking the slack."""
    table = named(QTableView(), name)
    table.setModel(model)
    configure_record_table(table, samples, bold_column=bold_column)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def error_label(name: str, colour: str = REFUSED) -> QLabel:
    """A wrapping line of coloured text, hidden until a view cannot read its list."""
    label = named(QLabel(), name)
    label.setStyleSheet(coloured_text(colour))
    label.setWordWrap(True)
    label.hide()
    return label


def pause_timer(parent: QObject, pause_ms: int, act: Callable[[], object]) -> QTimer:
    """A single-shot timer that calls ``act`` once ``pause_ms`` pass without a restart:
    typing or spinning re-reads once the person stops, not at every key."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(pause_ms)
    call_on(timer.timeout, act)
    return timer


def days_spin(name: str, *, maximum: int, value: int, meaning: str) -> QSpinBox:
    """A spin box of 0 to ``maximum`` days, read aloud as ``meaning``."""
    spin = named(QSpinBox(), name)
    spin.setRange(0, maximum)
    spin.setValue(value)
    spin.setSuffix(" days")
    spin.setAccessibleName(meaning)
    fit_spin(spin, f"{maximum} days")
    return spin


def call_on(signal: SignalInstance, act: Callable[[], object]) -> None:
    """Call ``act`` with no arguments whenever ``signal`` fires. What the signal carries
    (a button's checked state, an index) is dropped rather than landing in the first
    optional parameter of ``act``, and what ``act`` returns is ignored."""
    signal.connect(lambda *_args: act())


def run_dialog(parent: QWidget, make: Callable[[], D], title: str) -> D | None:
    """Open the dialog ``make`` builds; the dialog once accepted, else None. A dialog
    that cannot read what it needs is not opened: the reason is shown under ``title``."""
    try:
        dialog = make()
    except KitShareError as error:
        show_error(parent, error, title)
        return None
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog
