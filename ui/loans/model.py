"""The Loans view's table: one list of loans, as ``app.loans.service.list_loans`` returns it.

A list holds at most a few hundred loans (the service caps it), so the model keeps the
frozen ``LoanView`` rows themselves rather than ids and a lazy cache.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from app.core.clock import format_datetime
from app.loans.views import LoanView
from ui.loans.loan_detail import status_colour
from ui.widgets.record_model import RecordTableModel

LOAN_ID_ROLE = Qt.ItemDataRole.UserRole


class LoanColumn(enum.IntEnum):
    NUMBER = 0
    STATUS = 1
    BORROWER = 2
    LENDER = 3
    ITEMS = 4
    STARTS = 5
    DUE = 6
    PURPOSE = 7


HEADERS = {
    LoanColumn.NUMBER: "Loan",
    LoanColumn.STATUS: "Status",
    LoanColumn.BORROWER: "Borrower",
    LoanColumn.LENDER: "Lender",
    LoanColumn.ITEMS: "Items",
    LoanColumn.STARTS: "From",
    LoanColumn.DUE: "Due back",
    LoanColumn.PURPOSE: "Purpose",
}


def _cell_text(loan: LoanView, column: LoanColumn) -> str:
    if column is LoanColumn.NUMBER:
        return str(loan.id)
    if column is LoanColumn.STATUS:
        return loan.status_label
    if column is LoanColumn.BORROWER:
        return loan.borrower
    if column is LoanColumn.LENDER:
        return loan.lender
    if column is LoanColumn.ITEMS:
        return loan.items_summary
    if column is LoanColumn.STARTS:
        return format_datetime(loan.starts_at)
    if column is LoanColumn.DUE:
        return format_datetime(loan.due_at)
    return loan.purpose


def _tooltip(loan: LoanView, column: LoanColumn) -> str:
    if column is LoanColumn.ITEMS:
        return "\n".join(
            f"{line.quantity} × {line.asset_tag} {line.item_name}"
            if line.is_pooled
            else f"{line.asset_tag} {line.item_name}"
            for line in loan.lines
        )
    if column is LoanColumn.STATUS and loan.recalled_at is not None:
        return f"Recalled: {loan.recall_reason}"
    if column is LoanColumn.DUE and loan.due_at != loan.booked_due_at:
        return f"Recalled; it was booked until {format_datetime(loan.booked_due_at)}"
    if column is LoanColumn.NUMBER:
        return ""
    return _cell_text(loan, column)


class LoanTableModel(RecordTableModel[LoanView]):
    """Read-only rows of ``LoanView``; the loan's number is under ``LOAN_ID_ROLE``."""

    HEADERS = tuple(HEADERS[column] for column in LoanColumn)

    def cell(self, record: LoanView, column: int, role: int) -> object:
        which = LoanColumn(column)
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell_text(record, which)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(record, which) or None
        if role == LOAN_ID_ROLE:
            return record.id
        if role == Qt.ItemDataRole.TextAlignmentRole and which is LoanColumn.NUMBER:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if which is LoanColumn.STATUS and self._stands_out(record):
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(status_colour(record)))
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
        return None

    @staticmethod
    def _stands_out(loan: LoanView) -> bool:
        return loan.overdue_by is not None or (
            loan.recalled_at is not None and "return" in loan.actions
        )
