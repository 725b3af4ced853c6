"""A kit's members on a loan form: each one's standing for the period asked about, and,
for one that is not free, what to lend instead, chosen without leaving the form: a
stand-in of the same kind, only the free part of a pool, or the rest of the kit without it.

What is free, why not, and what may stand in are the service's (``app.kits.lending``);
this only lists them and turns the person's choices into the loan's lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QWidget

from app.kits.choices import stand_in_quantity
from app.kits.lending import (
    KitAvailability,
    MemberAvailability,
    StandIns,
    with_quantity,
    with_stand_in,
    without_member,
)
from app.kits.service import KitMemberView, KitView
from app.loans.drafts import LoanDraft
from ui.kits.panel import STATE_COLOURS, member_title
from ui.widgets.layout import muted, named
from ui.widgets.palette import coloured_text

CHOOSE_TEXT = "Not free: choose a stand-in, or leave it out…"


@dataclass(frozen=True)
class Instead:
    """What the person chose to lend in a member's place."""

    kind: str  # "stand_in", "fewer" or "leave"
    item_id: int  # the stand-in, or the member itself
    quantity: int

    def applied(self, draft: LoanDraft, member_id: int) -> LoanDraft:
        if self.kind == "leave":
            return without_member(draft, member_id)
        if self.kind == "fewer":
            return with_quantity(draft, member_id, self.quantity)
        return with_stand_in(draft, member_id, self.item_id, self.quantity)


def offers(found: StandIns) -> list[tuple[str, Instead]]:
    """What may be lent in the member's place, best first: stand-ins (those kept where
    the kit is first), the free part of a pool, or the rest of the kit without it."""
    member = found.member.member
    listed: list[tuple[str, Instead]] = []
    for candidate in found.candidates:
        quantity = stand_in_quantity(member, candidate)
        amount = f"{quantity} × " if candidate.is_pooled else ""
        listed.append(
            (
                f"Stand-in: {amount}{candidate.label}, {candidate.home_site}",
                Instead("stand_in", candidate.item_id, quantity),
            )
        )
    if member.is_pooled and 0 < found.member.free < member.quantity:
        listed.append(
            (
                f"Only the {found.member.free} free, of {member.quantity}",
                Instead("fewer", member.item_id, found.member.free),
            )
        )
    listed.append(("Leave it out: lend the rest of the kit", Instead("leave", member.item_id, 0)))
    return listed


class MemberRow:
    """One member's line on the form: what it is, its standing, and the choice."""

    def __init__(self, member: KitMemberView) -> None:
        self.member = member
        note = f"\nNote: {member.note}" if member.note else ""
        self.title = named(QLabel(member_title(member) + note), "memberTitle")
        self.state = named(QLabel(), "memberState")
        self.why = named(muted(""), "memberWhy")
        self.choice = named(QComboBox(), f"instead_{member.asset_tag}")
        self.choice.setAccessibleName(f"Instead of {member.asset_tag}")
        self.choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.choice.setMinimumContentsLength(40)
        self.choice.currentIndexChanged.connect(self._on_choice_changed)
        self._offered: list[tuple[str, Instead]] = []

    def show(self, standing: MemberAvailability, found: StandIns | None) -> None:
        """Show the member's standing; offer what may go instead when it is not free."""
        self.state.setText(standing.state.value)
        self.state.setStyleSheet(coloured_text(STATE_COLOURS[standing.state], bold=True))
        self.why.setText(" ".join(p.message for p in standing.problems))
        self.why.setVisible(not standing.is_free)
        offered = offers(found) if found is not None else []
        if offered != self._offered:
            kept = self.instead()
            with QSignalBlocker(self.choice):
                self.choice.clear()
                self.choice.addItem(CHOOSE_TEXT, None)
                for text, instead in offered:
                    self.choice.addItem(text, instead)
                self.choice.setCurrentIndex(max(self.choice.findData(kept), 0))
            self._offered = offered
        self.choice.setVisible(not standing.is_free)

    def _on_choice_changed(self, _index: int) -> None:
        # The whole choice, where a long name and site are cut short in the box.
        self.choice.setToolTip(self.choice.currentText())

    def instead(self) -> Instead | None:
        """What goes in the member's place (None: the member, as the kit holds it)."""
        if self.choice.isHidden():
            return None  # free again for the period now asked about: lent as the kit holds it
        data = self.choice.currentData()
        return data if isinstance(data, Instead) else None


class MembersBox(QWidget):
    """Every member of the kit with its standing, and a choice for each not free."""

    changed = Signal()
    """The person chose something else to lend for a member."""

    def __init__(self, kit: KitView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kitMembers")
        self.rows = [MemberRow(member) for member in kit.members]
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(0, 1)
        # A member not free says why under its name, then offers, the width of the box,
        # what may go instead: names and sites are long, and cut short they mislead.
        for place, row in enumerate(self.rows):
            grid.addWidget(row.title, 3 * place, 0)
            grid.addWidget(row.state, 3 * place, 1)
            grid.addWidget(row.why, 3 * place + 1, 0, 1, 2)
            grid.addWidget(row.choice, 3 * place + 2, 0, 1, 2)
            row.why.hide()
            row.choice.hide()
            row.choice.currentIndexChanged.connect(self.changed)

    def show_standing(self, standing: KitAvailability, found: dict[int, StandIns]) -> None:
        for row, member in zip(self.rows, standing.members, strict=True):
            row.show(member, found.get(row.member.item_id))

    def choices(self) -> list[QComboBox]:
        """The choices offered now, in the kit's order: where the keyboard goes."""
        return [row.choice for row in self.rows if not row.choice.isHidden()]

    def applied(self, draft: LoanDraft) -> LoanDraft:
        """``draft`` (one line per member) with what the person chose instead."""
        for row in self.rows:
            instead = row.instead()
            if instead is not None:
                draft = instead.applied(draft, row.member.item_id)
        return draft
