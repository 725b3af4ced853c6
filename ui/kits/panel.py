"""The kit panel: a kit as a duty officer decides on it, in place of the item panel when a
kit is chosen in the catalogue: what it is, where it is kept, each member with its note,
and whether each is free now (and if not, why), with buttons to ask for it or hand it out.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QToolButton,
    QWidget,
)

from app.core.text import counted
from app.kits.lending import KitAvailability, MemberAvailability, MemberState
from app.kits.service import KitMemberView, KitView
from app.storage.database import OFFLINE_REFUSAL
from ui.catalogue.item_panel import alerts_html, badge, facts_table, paragraphs
from ui.widgets.document_panel import DocumentPanel
from ui.widgets.layout import named
from ui.widgets.palette import DUE, OK, REFUSED

EMPTY_TEXT = "Select a kit to see its members"
KIT_MARKER = "KIT"
# The standing of a member now, as a solid badge: free, taken, or kept in.
STATE_COLOURS = {
    MemberState.FREE: OK,
    MemberState.BOOKED: DUE,
    MemberState.SHORT: DUE,
    MemberState.OUT_OF_SERVICE: REFUSED,
    MemberState.RETIRED: REFUSED,
    MemberState.DEFECT: REFUSED,
    MemberState.INSPECTION: REFUSED,
}


class KitPanel(DocumentPanel):
    """Shows one kit and its members' standing now, or a hint when there is none."""

    request_requested = Signal(int)
    """The person wants to ask to borrow this kit."""
    issue_now_requested = Signal(int)
    """The person wants to hand this kit out now, as an emergency."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(EMPTY_TEXT, ("emptyKitPanel", "kitDetails"), REFUSED, parent)
        self.setObjectName("kitPanel")
        self._kit: KitView | None = None
        self.request_button = named(QPushButton("Request…"), "requestKit")
        self.request_button.setToolTip("Ask to borrow the whole kit, as one loan (Ctrl+R)")
        self.issue_now_button = named(QPushButton("Issue now…"), "issueKitNow")
        self.issue_now_button.setToolTip("Hand the whole kit out now, as an emergency (Ctrl+I)")
        # The window gives it its menu (print, preview, export) and what a click does.
        self.terms_button = named(QToolButton(), "kitSharingTerms")
        self.terms_button.setText("Sharing terms")
        self.terms_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.terms_button.setToolTip("Print, preview or save the terms the kit is lent on")
        self.request_button.clicked.connect(self._on_request_clicked)
        self.issue_now_button.clicked.connect(self._on_issue_now_clicked)
        self.add_page(self._button_bar())
        self.clear()

    def _button_bar(self) -> QWidget:
        bar = QWidget()
        buttons = QHBoxLayout(bar)
        buttons.setContentsMargins(16, 8, 16, 12)
        buttons.addWidget(self.request_button)
        buttons.addWidget(self.issue_now_button)
        buttons.addStretch(1)
        buttons.addWidget(self.terms_button)
        return bar

    @property
    def kit(self) -> KitView | None:
        """The kit shown, if any."""
        return self._kit

    def show_kit(self, standing: KitAvailability, *, offline: bool = False) -> None:
        """Show the kit and how each member stands now, scrolled to the top."""
        kit = standing.kit
        self._kit = kit
        retired = f"Kit “{kit.name}” is retired and is no longer lent." if kit.is_retired else ""
        self.request_button.setEnabled(not retired and not offline)
        self.request_button.setToolTip(
            retired or (OFFLINE_REFUSAL if offline else "Ask to borrow the whole kit (Ctrl+R)")
        )
        self.issue_now_button.setEnabled(not retired)
        self.terms_button.setEnabled(not retired)
        self.show_page(kit_html(standing))

    def clear(self, hint: str | None = None) -> None:
        self._kit = None
        self.show_hint(hint)

    def _on_request_clicked(self) -> None:
        if self._kit is not None:
            self.request_requested.emit(self._kit.id)

    def _on_issue_now_clicked(self) -> None:
        if self._kit is not None:
            self.issue_now_requested.emit(self._kit.id)


def kit_html(standing: KitAvailability) -> str:
    """The panel's HTML for a kit and its members' standing; every value escaped."""
    kit = standing.kit
    not_free = standing.not_free
    members = counted(len(kit.members), "member")
    parts = [
        f"<h1>{escape(kit.name)}</h1>",
        f'<p><span class="badge" style="background-color:{OK if not not_free else DUE}">'
        f"&nbsp;{KIT_MARKER}&nbsp;</span>&nbsp;&nbsp;"
        f'<span class="muted">{escape(members)} lent as one loan</span></p>',
    ]
    if kit.is_retired:
        parts.append(alerts_html([f"Retired: {kit.retired_reason or 'no longer lent'}"]))
    parts.append(
        facts_table(
            [
                ("Free now", escape(free_now_words(standing))),
                ("Owner", escape(kit.owner)),
                ("Home site", escape(kit.home_site)),
                ("Description", paragraphs(kit.description)),
            ],
            skip_empty=True,
        )
    )
    parts.append("<h2>Members</h2>")
    parts.append(members_html(standing.members))
    return "\n".join(parts)


def free_now_words(standing: KitAvailability) -> str:
    """ "Yes, every member" or "No: 1 of 5 members is not free"."""
    if standing.is_free:
        return "Yes, every member"
    out = len(standing.not_free)
    verb = "is" if out == 1 else "are"
    return f"No: {out} of {counted(len(standing.members), 'member')} {verb} not free"


def member_title(member: KitMemberView) -> str:
    """ "4 × Dry suits (CFR-S1)" for pooled stock; "Inflatable boat (CFR-B1)" for one item."""
    amount = f"{member.quantity} × " if member.is_pooled else ""
    return f"{amount}{member.name} ({member.asset_tag})"


def members_html(members: tuple[MemberAvailability, ...]) -> str:
    """One row per member: what it is and its note, then its standing now, and why."""
    rows = []
    for standing in members:
        member = standing.member
        note = f'<br><span class="muted">Note: {escape(member.note)}</span>' if member.note else ""
        why = "".join(
            f'<br><span class="warning">{escape(p.message)}</span>' for p in standing.problems
        )
        state = badge(standing.state.value, STATE_COLOURS[standing.state])
        if member.is_pooled and not standing.is_free:
            state += f' <span class="muted">{standing.free} free</span>'
        rows.append(
            f"<tr><td>{escape(member_title(member))}{note}{why}</td>"
            f'<td width="120">{state}</td></tr>'
        )
    return f'<table cellspacing="0" width="100%">{"".join(rows)}</table>'
