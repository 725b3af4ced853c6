"""The item panel: everything a duty officer needs to decide whether an item can go."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.detail import ItemDetail, LoanBrief, ProtocolBrief
from app.core.clock import format_datetime, format_hours, format_time
from app.inspections.service import DueState
from app.loans.support import DayAvailability
from app.storage.database import OFFLINE_REFUSAL
from models import ItemStatus
from ui.catalogue.availability_strip import AvailabilityStrip, held_back_words
from ui.widgets.document_panel import DocumentPanel
from ui.widgets.palette import (
    CLOSED,
    DUE,
    INFO,
    OK,
    REFUSED,
    REFUSED_BACKGROUND,
    REFUSED_TEXT,
)

EMPTY_TEXT = "Select an item to see its details"
# Begins the alert of an item no agency may borrow today; the reason and the fix follow,
# in the service's words (``ItemDetail.lending_refusal``).
NOT_SHAREABLE_TEXT = "Not shareable"
NO_TERMS_TEXT = "No sharing protocol lends this item now, so it has no sharing terms to print."
TIMELINE_CAPTION = "Free in the next 3 weeks"
NOTHING_OUT_TEXT = "None of this item is out on loan."

# Solid badges with white text read the same on a light or a dark palette.
BADGE_COLOURS = {
    ItemStatus.AVAILABLE: OK,
    ItemStatus.ON_LOAN: DUE,
    ItemStatus.RESERVED: INFO,
    ItemStatus.OUT_OF_SERVICE: REFUSED,
    ItemStatus.RETIRED: CLOSED,
}
WARNING_COLOUR = REFUSED
LAPSE_BADGES = {
    DueState.NEVER: "NONE ON RECORD",
    DueState.FAILED: "FAILED",
    DueState.OVERDUE: "LAPSED",
}
# Both set explicitly, so the alert box reads the same under a dark palette.
ALERT_BACKGROUND = REFUSED_BACKGROUND
ALERT_TEXT = REFUSED_TEXT


class ItemPanel(DocumentPanel):
    """Shows one ``ItemDetail``, or a hint to pick an item when there is none.

    Below the details: the next weeks at a glance, and buttons to request, issue or
    take back the item; the window does the loan work when the panel asks.
    """

    request_loan_requested = Signal(int)
    """The person wants to request a loan of this item."""
    issue_now_requested = Signal(int)
    """The person wants to hand this item out now, as an emergency."""
    return_requested = Signal(int)
    """The person wants to take back this item from its loan."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(EMPTY_TEXT, ("emptyItemPanel", "itemDetails"), WARNING_COLOUR, parent)
        self.timeline = AvailabilityStrip()
        self.timeline_caption = QLabel(TIMELINE_CAPTION)
        self.timeline_caption.setObjectName("timelineCaption")
        caption_font = self.timeline_caption.font()
        caption_font.setBold(True)
        self.timeline_caption.setFont(caption_font)
        self.request_button = QPushButton("Request…")
        self.request_button.setObjectName("requestLoan")
        self.issue_now_button = QPushButton("Issue now…")
        self.issue_now_button.setObjectName("issueNow")
        self.issue_now_button.setToolTip("Hand the item out now, as an emergency")
        self.return_button = QPushButton("Return…")
        self.return_button.setObjectName("returnLoan")
        self.request_button.clicked.connect(self._on_request_clicked)
        self.issue_now_button.clicked.connect(self._on_issue_now_clicked)
        self.return_button.clicked.connect(self._on_return_clicked)
        # The window gives it its menu (print, preview, export) and what a click does.
        self.terms_button = QToolButton()
        self.terms_button.setObjectName("sharingTerms")
        self.terms_button.setText("Sharing terms")
        self.terms_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self._open_loan_ids: tuple[int, ...] = ()
        self.add_page(self._loan_bar())
        self._detail: ItemDetail | None = None
        self.clear()

    def _loan_bar(self) -> QWidget:
        loans = QWidget()
        loans.setObjectName("itemLoanBar")
        column = QVBoxLayout(loans)
        column.setContentsMargins(16, 8, 16, 12)
        column.setSpacing(6)
        column.addWidget(self.timeline_caption)
        column.addWidget(self.timeline)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 4, 0, 0)
        buttons.addWidget(self.request_button)
        buttons.addWidget(self.issue_now_button)
        buttons.addWidget(self.return_button)
        buttons.addStretch(1)
        buttons.addWidget(self.terms_button)
        column.addLayout(buttons)
        return loans

    @property
    def detail(self) -> ItemDetail | None:
        """The item shown, if any."""
        return self._detail

    @property
    def open_loan_ids(self) -> tuple[int, ...]:
        """The loans that have the item shown out now, oldest first."""
        return self._open_loan_ids

    def show_item(
        self,
        detail: ItemDetail,
        *,
        timeline: Sequence[DayAvailability] = (),
        open_loan_ids: Sequence[int] = (),
    ) -> None:
        """Show ``detail``, scrolled to its top, with its next days and open loans."""
        self._detail = detail
        self._open_loan_ids = tuple(open_loan_ids)
        self.timeline.show_days(timeline)
        self.timeline.setVisible(bool(timeline))
        self.timeline_caption.setVisible(bool(timeline))
        self._enable_buttons(detail)
        self.show_page(item_html(detail))

    def clear(self, hint: str | None = None) -> None:
        """Show ``hint``, by default the one asking to pick an item."""
        self._detail = None
        self._open_loan_ids = ()
        self.show_hint(hint)

    def _enable_buttons(self, detail: ItemDetail) -> None:
        # For comfort only: the loan dialogs ask the service, which refuses regardless.
        why_not = detail.lending_refusal.message if detail.lending_refusal else ""
        self.request_button.setEnabled(not why_not and detail.as_of is None)
        self.request_button.setToolTip(
            why_not or (OFFLINE_REFUSAL if detail.as_of is not None else "Ask to borrow this item")
        )
        # Lendable, but nothing of it on the shelf now (out, booked or held back by defects):
        # a request for later still makes sense, handing it out now does not.
        if not why_not and detail.is_pooled and detail.quantity_free_now <= 0:
            issue_why = f"Nothing to hand out now: {free_now_text(detail)}."
        else:
            issue_why = why_not
        self.issue_now_button.setEnabled(not issue_why)
        self.issue_now_button.setToolTip(issue_why or "Hand the item out now, as an emergency")
        has_terms = detail.protocol is not None
        self.terms_button.setEnabled(has_terms)
        self.terms_button.setToolTip(
            "Print, preview or save the terms this item is lent on (Ctrl+P prints)"
            if has_terms
            else NO_TERMS_TEXT
        )
        self.return_button.setEnabled(bool(self._open_loan_ids))
        self.return_button.setToolTip(
            "Take the item back from its loan" if self._open_loan_ids else NOTHING_OUT_TEXT
        )

    def _on_request_clicked(self) -> None:
        if self._detail is not None:
            self.request_loan_requested.emit(self._detail.id)

    def _on_issue_now_clicked(self) -> None:
        if self._detail is not None:
            self.issue_now_requested.emit(self._detail.id)

    def _on_return_clicked(self) -> None:
        if self._detail is not None:
            self.return_requested.emit(self._detail.id)


def item_html(detail: ItemDetail) -> str:
    """The panel's HTML for ``detail``; every value from the database is escaped."""
    parts = [
        f"<h1>{escape(detail.name)}</h1>",
        f'<p class="muted">{escape(detail.asset_tag)} · {escape(detail.category)}</p>',
        f"<p>{badge(detail.status, BADGE_COLOURS[detail.status_value])}"
        f'&nbsp;&nbsp;<span class="muted">Condition:</span> {escape(detail.condition)}</p>',
    ]
    parts.append(alerts_html(attention_notes(detail)))
    parts.append(
        facts_table(
            [
                ("Where now", escape(detail.current_location)),
                (
                    "Free now" if detail.as_of is None else f"Free at {format_time(detail.as_of)}",
                    escape(free_now_text(detail)),
                ),
                ("Owner", escape(detail.owner)),
                ("Home site", escape(detail.home_site)),
            ]
        )
    )
    parts.append("<h2>Sharing protocol</h2>")
    if detail.protocol is None:
        parts.append('<p class="warning">No sharing protocol lends this item now.</p>')
    else:
        parts.append(protocol_html(detail.protocol))
    parts.append("<h2>Inspection and defects</h2>")
    parts.append(inspection_html(detail))
    parts.append("<h2>Loans and bookings</h2>")
    parts.append(loans_html(detail.loans))
    about = facts_table(
        [
            ("Make and model", escape(join_nonempty(detail.make, detail.model))),
            ("Serial number", escape(detail.serial_number)),
            ("Description", paragraphs(detail.description)),
            ("Accessories", paragraphs(detail.accessories)),
            ("Notes", paragraphs(detail.notes)),
        ],
        skip_empty=True,
    )
    if about:
        parts.extend(["<h2>About the item</h2>", about])
    return "\n".join(parts)


def attention_notes(detail: ItemDetail) -> list[str]:
    """What the person must know before lending the item, most serious first."""
    notes = []
    if detail.lending_refusal is not None:
        # The service's sentence: why no agency may borrow it, and what to do about it.
        notes.append(f"{NOT_SHAREABLE_TEXT}: {detail.lending_refusal.message}")
    # The same list the service refuses an issue on, so the panel never says "fine".
    notes.extend(f"Cannot go out: {reason}" for reason in detail.issue_blockers)
    notes.extend(
        f"Inspection lapsed: {s.regime}, {s.words(detail.today).lower()} (its regime does "
        "not stop it going out)"
        for s in detail.inspections
        if s.state(detail.today).lapsed and not s.blocks_issue
    )
    notes.extend(
        f"Overdue: {loan.borrower} should have returned it by {format_datetime(loan.due_at)}"
        for loan in detail.loans
        if loan.is_overdue
    )
    return notes


def alerts_html(notes: Iterable[str]) -> str:
    lines = "<br>".join(escape(note) for note in notes)
    if not lines:
        return ""
    return (
        '<table width="100%" cellspacing="0" style="margin-top:6px; margin-bottom:10px">'
        f'<tr><td bgcolor="{ALERT_BACKGROUND}" '
        f'style="color:{ALERT_TEXT}; font-weight:600; padding:8px 10px">'
        f"{lines}</td></tr></table>"
    )


def protocol_html(protocol: ProtocolBrief) -> str:
    mou = f"{protocol.mou_reference} version {protocol.mou_version} ({protocol.mou_status})"
    return facts_table(
        [
            ("Protocol", escape(protocol.name)),
            ("MoU", escape(mou)),
            ("Who may borrow", escape(", ".join(protocol.borrowers) or "No agency named")),
            ("Approved by", escape(protocol.approver)),
            ("Notice needed", escape(format_hours(protocol.notice_hours) or "None")),
            ("Longest loan", escape(format_hours(protocol.max_loan_hours))),
            ("Competence required", escape(", ".join(protocol.competence) or "None")),
        ]
    )


def inspection_html(detail: ItemDetail) -> str:
    """One line per inspection regime, then the open defects with what each stops."""
    rows: list[tuple[str, str]] = []
    for standing in detail.inspections:
        text = escape(standing.summary(detail.today))
        state = standing.state(detail.today)
        if state.lapsed:
            word = LAPSE_BADGES[state]
            if not standing.blocks_issue:
                word += " (does not stop issue)"
            text = f"{badge(word, WARNING_COLOUR)}&nbsp; {text}"
        rows.append((standing.regime, text))
    if not rows:
        rows.append(("Inspections", '<span class="muted">No inspection regime or record</span>'))
    if detail.defects:
        defects = "<br>".join(
            f'<span class="warning">{escape(d.summary)}</span>'
            if d.blocks_issue
            else escape(d.summary) + ' <span class="muted">(does not stop it going out)</span>'
            for d in detail.defects
        )
    else:
        defects = "None"
    return facts_table([*rows, ("Open defects", defects)])


def loans_html(loans: Iterable[LoanBrief]) -> str:
    # One block per loan rather than a grid: the panel is narrow, and a grid of five
    # columns wrapped an agency's name into a tower of single words.
    blocks = []
    for loan in loans:
        status = escape(loan.status)
        if loan.is_overdue:
            status += "&nbsp;&nbsp;" + badge("OVERDUE", WARNING_COLOUR)
        period = f"{format_datetime(loan.starts_at)} to {format_datetime(loan.due_at)}"
        purpose = f'<br><span class="muted">{escape(loan.purpose)}</span>' if loan.purpose else ""
        blocks.append(
            '<p class="loan">'
            f"<b>{escape(loan.borrower)}</b>&nbsp;&nbsp;·&nbsp;&nbsp;{loan.quantity} "
            f"{'item' if loan.quantity == 1 else 'items'}<br>"
            f"{escape(period)}&nbsp;&nbsp;·&nbsp;&nbsp;{status}{purpose}</p>"
        )
    if not blocks:
        return '<p class="muted">No current or upcoming loans.</p>'
    return "".join(blocks)


def facts_table(rows: Iterable[tuple[str, str]], *, skip_empty: bool = False) -> str:
    """Label and value pairs; values are HTML the caller has already escaped."""
    cells = [
        f'<tr><td class="label" width="150">{escape(label)}</td><td>{value}</td></tr>'
        for label, value in rows
        if value or not skip_empty
    ]
    return f'<table cellspacing="0">{"".join(cells)}</table>' if cells else ""


def badge(text: str, colour: str) -> str:
    return (
        f'<span class="badge" style="background-color:{colour}">&nbsp;{escape(text)}&nbsp;</span>'
    )


def paragraphs(text: str) -> str:
    return "<br>".join(escape(line) for line in text.strip().splitlines())


def join_nonempty(*values: str) -> str:
    return " ".join(value for value in values if value)


def free_now_text(detail: ItemDetail) -> str:
    """'25 of 40 free now (2 held back by a defect)' for pooled stock; free or not for a
    tagged item."""
    if detail.status_value in (ItemStatus.OUT_OF_SERVICE, ItemStatus.RETIRED):
        return f"None: {detail.status.lower()}"
    if detail.is_pooled:
        return f"{detail.quantity_free_now} of {detail.quantity} free now" + held_back_words(
            detail.quantity_held_by_defects,
            sum(1 for defect in detail.defects if defect.blocks_issue),
        )
    return "Yes" if detail.quantity_free_now else "No: on loan or booked"
