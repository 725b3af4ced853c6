"""The Loans view's table: one list of loans, as ``app.loans.views.list_loans`` returns it.

A list holds at most a few hundred loans (the service caps it), so the model keeps the
frozen ``LoanView`` rows themselves rather than ids and a lazy cache.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.core.clock import format_datetime
from app.loans.views import LoanView
from ui.loans.loan_detail import status_colour
from ui.widgets.record_model import ID_ROLE, RIGHT_ALIGNED, RecordTableModel, TableColumn

LOAN_ID_ROLE = ID_ROLE


class LoanColumn(TableColumn):
    # Widths from sample text, so they follow the font; the purpose takes what is left.
    NUMBER = "Loan", "Loan 0"
    STATUS = "Status", "Overdue 10 days 23 hours"
    # Agency names run long; they elide, with the whole name in the tooltip.
    BORROWER = "Borrower", "Cambridgeshire Constab"
    LENDER = "Lender", "Cambridgeshire Constab"
    ITEMS = "Items", "10 × CAM-000150, 6 ×"
    STARTS = "From", "00/00/0000 00:00"
    DUE = "Due back", "00/00/0000 00:00"
    PURPOSE = "Purpose"


def stands_out(loan: LoanView) -> bool:
    """Whether the loan's status is drawn in colour and bold: overdue, or recalled and out."""
    return loan.overdue_by is not None or (
        loan.recalled_at is not None and "return" in loan.actions
    )


class LoanTableModel(RecordTableModel[LoanView]):
    """Read-only rows of ``LoanView``; the loan's number is under ``LOAN_ID_ROLE``."""

    HEADERS = LoanColumn.headers()

    def text(self, record: LoanView, column: int) -> str:
        match LoanColumn(column):
            case LoanColumn.NUMBER:
                return str(record.id)
            case LoanColumn.STATUS:
                return record.status_label
            case LoanColumn.BORROWER:
                return record.borrower
            case LoanColumn.LENDER:
                return record.lender
            case LoanColumn.ITEMS:
                return record.items_summary
            case LoanColumn.STARTS:
                return format_datetime(record.starts_at)
            case LoanColumn.DUE:
                return format_datetime(record.due_at)
            case LoanColumn.PURPOSE:
                return record.purpose

    def tooltip(self, record: LoanView, column: int) -> str | None:
        if column == LoanColumn.ITEMS:
            return "\n".join(
                f"{line.quantity} × {line.asset_tag} {line.item_name}"
                if line.is_pooled
                else f"{line.asset_tag} {line.item_name}"
                for line in record.lines
            )
        if column == LoanColumn.STATUS and record.recalled_at is not None:
            return f"Recalled: {record.recall_reason}"
        if column == LoanColumn.DUE and record.due_at != record.booked_due_at:
            return f"Recalled; it was booked until {format_datetime(record.booked_due_at)}"
        if column == LoanColumn.NUMBER:
            return None
        return self.text(record, column)

    def alignment(self, column: int) -> Qt.AlignmentFlag | None:
        return RIGHT_ALIGNED if column == LoanColumn.NUMBER else None

    def colour(self, record: LoanView, column: int) -> str | None:
        return status_colour(record) if self.is_bold(record, column) else None

    def is_bold(self, record: LoanView, column: int) -> bool:
        return column == LoanColumn.STATUS and stands_out(record)
