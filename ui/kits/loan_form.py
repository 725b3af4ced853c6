"""Asking for a kit, or handing it out now in an emergency, as one loan whose lines are
its members.

The forms are the item forms' (``ui.loans.forms``) in what they share: the period, the
borrower, the operator and witnesses, the checks as the person types. What a kit adds is
its members: each one's standing for the period, and, for one not free, what to lend
instead, without leaving the form (``ui.kits.members``). Saving goes through the
ordinary loan services with the draft ``app.kits.lending`` makes, so every loan rule
holds for each member, and an emergency issue works offline as any other does.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLineEdit,
    QWidget,
)

from app.core.actor import Actor
from app.core.clock import now_utc
from app.core.errors import Refusal
from app.core.text import counted
from app.kits.choices import kit_request_defaults
from app.kits.lending import StandIns, kit_availability, kit_loan_draft, stand_ins
from app.kits.service import get_kit
from app.loans.drafts import Handover, LoanDraft, LoanWish
from app.loans.outbox import issue_emergency
from app.loans.service import check_emergency_issue, check_request, request_loan
from app.loans.support import loan_choices
from app.storage.database import Database
from ui.kits.members import MembersBox
from ui.loans.forms import INCIDENT_HINT, PURPOSE_HINT, HandoverPeople, operator_names_borrower
from ui.loans.period import LoanPeriod
from ui.loans.shared import AgencyCombo, LoanFormDialog
from ui.widgets.inputs import PersonCombo
from ui.widgets.layout import captioned_list, form_layout, heading, list_caption, muted, named

EMERGENCY_NOTE = (
    "An emergency issue skips the request and approval and is noted as an emergency. "
    "Each member's protocol, the operator's competence and each member's inspection are "
    "still checked."
)


class KitRequestDialog(LoanFormDialog):
    """Ask to borrow a kit as one loan; ``loan_id`` is set once saved."""

    TITLE = "Request a kit"
    OK_TEXT = "Request"
    EMERGENCY = False

    def __init__(
        self,
        db: Database,
        actor: Actor,
        kit_id: int,
        parent: QWidget | None = None,
        *,
        wish: LoanWish | None = None,
    ) -> None:
        super().__init__(db, actor, self.TITLE, parent)
        self.setObjectName("kitLoanForm")
        self.kit = get_kit(db, kit_id)
        self.defaults = kit_request_defaults(db, self.kit)
        self.choices = loan_choices(db)
        self.loan_id: int | None = None
        self.wish = wish
        self.standing_read: tuple[datetime, datetime] | None = None
        self.members = MembersBox(self.kit)
        self.members_caption = named(
            list_caption("&Members, for the period asked about"), "membersCaption"
        )
        self.period = LoanPeriod(self.defaults.due_at - self.defaults.starts_at)
        self.starts_edit = self.period.starts_edit
        self.due_edit = self.period.due_edit
        self._make_fields()
        self.period.set(self._default_start())
        if wish is not None:
            self._take_wish(wish)
        self._build()

    # Building --------------------------------------------------------------------------------

    def _make_fields(self) -> None:
        covered_ids = self._covered_ids()
        names = dict(self.choices.agencies)
        covered = [(i, names[i]) for i in covered_ids if i in names]
        others = [(i, n) for i, n in self.choices.agencies if i not in covered_ids]
        self.borrower_combo = named(AgencyCombo(covered, others, self.choices.agencies), "borrower")
        self.requested_by = named(PersonCombo(self._requester_placeholder()), "requestedBy")
        self.requested_by.set_people(self.choices.people_of(self.borrower_id()))
        self.purpose_edit = named(QLineEdit(), "purpose")
        self.purpose_edit.setPlaceholderText(PURPOSE_HINT)
        self.incident_edit = named(QLineEdit(), "incidentRef")
        self.incident_edit.setMaxLength(60)
        self.incident_edit.setPlaceholderText(INCIDENT_HINT)
        self.emergency_check = named(QCheckBox("&Emergency (waive notice)"), "emergency")
        self.emergency_check.setChecked(self.EMERGENCY)
        self.borrower_combo.agency_changed.connect(self._on_borrower_changed)
        self.borrower_combo.editTextChanged.connect(self.input_changed)
        self.emergency_check.toggled.connect(self._on_emergency_toggled)
        self.members.changed.connect(self.input_changed)
        self.watch(
            self.requested_by,
            self.purpose_edit,
            self.incident_edit,
            self.starts_edit,
            self.due_edit,
            self.emergency_check,
        )

    def _header(self) -> list[QWidget]:
        self.kit_heading = named(heading(f"Kit: {self.kit.label}"), "kitHeading")
        members = counted(len(self.kit.members), "member")
        about = f"Lent by {self.kit.owner} from {self.kit.home_site}: {members}, as one loan."
        return [self.kit_heading, named(muted(about), "kitTerms")]

    def _members_group(self) -> QWidget:
        self.point_field("lines", self.members, caption=self.members_caption)
        self.point_field("quantity", self.members, caption=self.members_caption)
        self.point_field("kit", self.kit_heading)
        return captioned_list(self.members_caption, self.members)

    def _add_who(self, form: QFormLayout) -> None:
        self.add_field(form, "&Borrowing agency *", self.borrower_combo, "borrower")
        self.add_field(form, self._requester_label(), self.requested_by, "requested_by")

    def _add_why(self, form: QFormLayout) -> None:
        self.add_field(form, "&Purpose *", self.purpose_edit, "purpose")
        self.add_field(form, "&Incident reference", self.incident_edit, "incident_ref")

    def _add_due(self, form: QFormLayout) -> None:
        self.add_field(form, "&Due back *", self.period.due_row(), "due_at", mark=self.due_edit)

    def _build(self) -> None:
        form = form_layout()
        self._add_who(form)
        self._add_why(form)
        self.add_field(form, "&From *", self.starts_edit, "starts_at")
        self._add_due(form)
        form.addRow("", self.emergency_check)
        self.setMinimumWidth(760)
        self.finish(*self._header(), self._members_group(), form, ok_text=self.OK_TEXT)
        self._focus_first_unsaid()

    def _focus_first_unsaid(self) -> None:
        """A member not free first (the loan cannot go as it is), then the purpose."""
        offered = self.members.choices()
        (offered[0] if offered else self.purpose_edit).setFocus()

    # What this form is for ----------------------------------------------------------------

    def _covered_ids(self) -> tuple[int, ...]:
        return self.defaults.borrower_ids

    def _requester_placeholder(self) -> str:
        return "Choose who is asking…"

    def _requester_label(self) -> str:
        return "&Requested by *"

    def _default_start(self) -> datetime:
        return self.defaults.starts_at

    def _take_wish(self, wish: LoanWish) -> None:
        self.period.take(wish.starts_at, wish.due_at)

    def _on_emergency_toggled(self, emergency: bool) -> None:
        # Waiving notice, the sensible start is now; unless the person chose times.
        if not self.period.touched:
            start = now_utc().replace(second=0, microsecond=0)
            self.period.set(start if emergency else self._default_start())

    def _on_borrower_changed(self) -> None:
        self.requested_by.set_people(self.choices.people_of(self.borrower_id()))

    # The draft ---------------------------------------------------------------------------------

    def borrower_id(self) -> int | None:
        return self.borrower_combo.agency_id()

    def draft(self) -> LoanDraft:
        """The kit as one loan, with what the person chose in place of members not free."""
        whole = kit_loan_draft(
            self.kit,
            borrower_agency_id=self.borrower_id(),
            requested_by_id=self.requested_by.person_id(),
            purpose=self.purpose_edit.text(),
            starts_at=self.period.starts_at(),
            due_at=self.period.due_at(),
            incident_ref=self.incident_edit.text(),
            is_emergency=self.emergency_check.isChecked(),
        )
        return self.members.applied(whole)

    def read_standing(self) -> None:
        """Read each member's standing for the period shown, and what could stand in for
        each one not free (another station's loan may have changed it since)."""
        start, due = self.period.starts_at(), self.period.due_at()
        if due <= start:
            return  # no period to ask about: the check says so at the due time
        standing = kit_availability(self._db, self.kit.id, start, due)
        found: dict[int, StandIns] = {
            member.member.item_id: stand_ins(
                self._db, self.kit.id, member.member.item_id, start, due
            )
            for member in standing.not_free
        }
        self.members.show_standing(standing, found)
        offered = self.members.choices()
        self.members_caption.setBuddy(offered[0] if offered else self.members)
        self.standing_read = (start, due)

    def check(self) -> list[Refusal]:
        self.read_standing()
        return check_request(self._db, self.draft())

    def save(self) -> None:
        self.loan_id = request_loan(self._db, self.draft(), self._actor)

    def ready_text(self) -> str:
        return f"Nothing stops this request. Once saved it awaits approval by {self.kit.owner}."


class KitEmergencyDialog(KitRequestDialog):
    """Hand a kit straight out, with no prior request; the safety rules still apply."""

    TITLE = "Issue a kit now (emergency)"
    OK_TEXT = "Issue now"
    EMERGENCY = True

    def _make_fields(self) -> None:
        member_ids = [member.item_id for member in self.kit.members]
        self.people = HandoverPeople(self.choices, self._db, member_ids, emergency=True)
        self.people.offer_before_borrower(self._covered_ids())
        super()._make_fields()
        self.emergency_check.hide()
        self.people.follow(self.borrower_combo, self.kit.owner_agency_id)

    def _covered_ids(self) -> tuple[int, ...]:
        return self.defaults.emergency_borrower_ids

    def _requester_placeholder(self) -> str:
        return "Not recorded"

    def _requester_label(self) -> str:
        return "&Requested by"

    def _default_start(self) -> datetime:
        return now_utc().replace(second=0, microsecond=0)

    def _take_wish(self, wish: LoanWish) -> None:
        """An emergency starts now: the search's period gives only the due time."""
        self.period.take(self.period.starts_at(), wish.due_at)

    def _on_emergency_toggled(self, emergency: bool) -> None:
        """Always an emergency: the start stays where it is."""

    def _build(self) -> None:
        loan_form = form_layout()
        self._add_due(loan_form)
        self.people.add_operator_to(self, loan_form)
        self._add_who(loan_form)
        self._add_why(loan_form)
        self.add_field(loan_form, "&From *", self.starts_edit, "starts_at")
        loan = QGroupBox("The loan")
        loan.setLayout(loan_form)
        handover_form = form_layout()
        self.people.add_witnesses_to(self, handover_form)
        handover = QGroupBox("The hand-over")
        handover.setLayout(handover_form)
        columns = QGridLayout()
        columns.setHorizontalSpacing(16)
        columns.addWidget(loan, 0, 0)
        columns.addWidget(handover, 0, 1)
        columns.setColumnStretch(0, 3)
        columns.setColumnStretch(1, 2)
        self.setMinimumWidth(980)
        header = self._header()
        self.finish(
            *header, muted(EMERGENCY_NOTE), self._members_group(), columns, ok_text=self.OK_TEXT
        )
        self.people.refresh()  # laid out now: the operator note can show
        self._order_tabs()
        self._focus_first_unsaid()

    def _order_tabs(self) -> None:
        """Tab walks the members' choices, then the loan's fields, then the hand-over's."""
        chain: list[QWidget] = [
            *(row.choice for row in self.members.rows),
            self.due_edit,
            self.people.operator,
            self.borrower_combo,
            self.requested_by,
            self.purpose_edit,
            self.incident_edit,
            self.starts_edit,
            self.people.handed_over_by,
            self.people.received_by,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _focus_first_unsaid(self) -> None:
        """A member not free first, then until when (unless the search said), then who
        takes it."""
        offered = self.members.choices()
        if offered:
            offered[0].setFocus()
        elif self.wish is None:
            self.due_edit.setFocus()
        else:
            self.people.operator.setFocus()

    def handover(self) -> Handover:
        return self.people.handover(())

    def check(self) -> list[Refusal]:
        self.read_standing()
        draft = self.draft()
        lent = [line.item_id for line in draft.lines]
        # The operator must be fit for what goes out, stand-ins included.
        if tuple(lent) != self.people.item_ids:
            self.people.lend(lent)
            self.people.refresh()
        problems = check_emergency_issue(self._db, draft, self.handover())
        return operator_names_borrower(problems, self.borrower_id())

    def save(self) -> None:
        self.loan_id = issue_emergency(self._db, self.draft(), self.handover(), self._actor)

    def ready_text(self) -> str:
        return (
            "Nothing stops this emergency issue: the kit is logged as out from now, as one "
            "loan noted as an emergency."
        )
