"""The Loans view's table: one list of loans, as ``app.loans.list_loans`` returns it.

A list holds at most a few hundred loans (the service caps it), so the model keeps the
frozen ``LoanView`` rows themselves rather than ids and a lazy cache.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.clock import format_datetime
from app.loans import LoanView
from ui.loan_dialog import status_colour

ModelIndex = QModelIndex | QPersistentModelIndex

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


class LoanTableModel(QAbstractTableModel):
    """Read-only rows of ``LoanView``; the loan's number is under ``LOAN_ID_ROLE``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._loans: list[LoanView] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def show_loans(self, loans: Sequence[LoanView]) -> None:
        self.beginResetModel()
        self._loans = list(loans)
        self.endResetModel()

    def loan(self, row: int) -> LoanView:
        return self._loans[row]

    def loan_id(self, row: int) -> int:
        return self._loans[row].id

    def row_of(self, loan_id: int) -> int | None:
        for row, loan in enumerate(self._loans):
            if loan.id == loan_id:
                return row
        return None

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._loans)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(LoanColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._loans):
            return None
        loan = self._loans[index.row()]
        column = LoanColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell_text(loan, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(loan, column) or None
        if role == LOAN_ID_ROLE:
            return loan.id
        if role == Qt.ItemDataRole.TextAlignmentRole and column is LoanColumn.NUMBER:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column is LoanColumn.STATUS and self._stands_out(loan):
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(status_colour(loan)))
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
        return None

    @staticmethod
    def _stands_out(loan: LoanView) -> bool:
        return loan.overdue_by is not None or (
            loan.recalled_at is not None and "return" in loan.actions
        )

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(LoanColumn)
        ):
            return HEADERS[LoanColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
