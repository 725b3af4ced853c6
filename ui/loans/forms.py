"""The dialogs that move kit: request, issue (hand-over), emergency issue and return.

Each is a ``LoanFormDialog``: it asks the service's check as the person types, shows
the first rule that blocks, and calls the service's action on OK.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from app.catalogue.directory import PersonRef
from app.catalogue.items import QUANTITY_MAX
from app.core.actor import Actor
from app.core.clock import format_datetime, format_hours, now_utc, today_uk
from app.core.errors import Refusal, Refused
from app.core.text import and_listed, counted
from app.core.vocabulary import label, labels
from app.inspections.service import SEVERITY_EFFECT, defect_effect
from app.loans.drafts import (
    Handover,
    LineDraft,
    LineHandover,
    LineReturn,
    LoanDraft,
    LoanWish,
    Readings,
)
from app.loans.outbox import issue_emergency, take_back
from app.loans.service import (
    check_emergency_issue,
    check_issue,
    check_request,
    check_return,
    issue_loan,
    request_loan,
)
from app.loans.support import (
    LoanChoices,
    LoanItem,
    items_request_defaults,
    loan_choices,
    loan_item,
    request_defaults,
    why_not_one_loan,
)
from app.loans.views import LoanLineView, LoanView
from app.people.operators import operator_choices, operators_among
from app.storage.database import Database
from models import DefectSeverity, LoanStatus
from ui.loans.asked import ItemsAsked, quantity_row
from ui.loans.period import LoanPeriod
from ui.loans.shared import AgencyCombo, LoanFormDialog, ReadingsEditor, items_text
from ui.widgets.inputs import ConditionCombo, PersonCombo
from ui.widgets.layout import (
    captioned_list,
    fit_spin,
    form_layout,
    heading,
    list_caption,
    muted,
    named,
)

PURPOSE_HINT = "e.g. Missing person search, Ouse Washes"
# The most a quantity box takes: far above any pool, so a number typed is never cut short
# and the service, not the box, says how many there are.
QUANTITY_TYPED_MAX = 999_999
INCIDENT_HINT = "Optional, e.g. CC-20261121-0456"
NO_BORROWER_YET = (
    "Choose the operator (their agency then borrows the kit), or the borrowing agency."
)


def _accessories_line(text: str) -> str:
    """An item's accessories, one per line in the catalogue, as one editable line."""
    return ", ".join(part.strip() for part in text.splitlines() if part.strip())


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


# -- the parts of a hand-over ----------------------------------------------------------------


class ItemHandoverFields:
    """Condition, accessories and readings of one item as it goes out."""

    def __init__(self, item: LoanItem, readings: Readings) -> None:
        self.item = item
        self.condition = named(
            ConditionCombo(f"As recorded ({item.condition.lower()})"), "conditionOut"
        )
        self._accessories_shown = _accessories_line(item.accessories)
        self.accessories = named(QLineEdit(self._accessories_shown), "accessoriesOut")
        self.accessories.setPlaceholderText("None")
        self.accessories.setCursorPosition(0)
        self.readings = named(ReadingsEditor(item.tracks), "readingsOut")
        self.readings.set_readings(readings)

    def add_to(self, dialog: LoanFormDialog, form: QFormLayout) -> None:
        dialog.add_field(form, "&Condition", self.condition)
        dialog.add_field(form, "&Accessories", self.accessories)
        if not self.readings.is_empty:
            dialog.add_field(form, "R&eadings", self.readings, mark=self.readings.first_spin())
            for name, spin in self.readings.spins.items():
                dialog.point_field(name, spin)
        dialog.watch(self.condition, self.accessories, self.readings)

    def line_handover(self) -> LineHandover:
        typed = self.accessories.text().strip()
        # Untouched, the catalogue's own list (one per line) is recorded as it stands.
        accessories = None if typed == self._accessories_shown else typed
        return LineHandover(
            item_id=self.item.id,
            condition=self.condition.condition(),
            accessories=accessories,
            readings=self.readings.readings(),
        )


class HandoverPeople:
    """Who will operate the kit, who hands it over and who receives it.

    Only the borrower's people who hold, current, every qualification the protocols
    lending ``item_ids`` require are offered as operator; the note under the field says
    what is required and who else could (``app.people.records.operator_choices``).
    """

    class Note(QLabel):
        """Muted text that keeps itself as tall as its wrapped lines need at the width it
        is given: a wrapped label alone does not make a dialog taller."""

        def __init__(self) -> None:
            super().__init__()
            self.setWordWrap(True)
            self.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        def fit(self) -> None:
            needed = self.heightForWidth(self.width()) if self.text() else 0
            if needed != self.minimumHeight():
                self.setMinimumHeight(max(needed, 0))

        def resizeEvent(self, event: QResizeEvent) -> None:
            super().resizeEvent(event)
            self.fit()

    def __init__(
        self,
        choices: LoanChoices,
        db: Database,
        item_ids: Sequence[int],
        *,
        emergency: bool = False,
    ) -> None:
        self._choices = choices
        self._db = db
        self._item_ids = tuple(item_ids)
        self._emergency = emergency
        # Whom to offer as operator before a borrower is chosen (the operator's agency is
        # then the borrower); none: the borrower comes first.
        self._candidates: tuple[int, ...] = ()
        self.offered: dict[int, PersonRef] = {}
        self._note_form = QFormLayout()  # the form the note is laid out in, once it is
        self.operator = named(PersonCombo("Choose the operator…"), "operator")
        self.operator_note = named(HandoverPeople.Note(), "operatorNote")
        self.operator_note.hide()
        self.handed_over_by = named(PersonCombo("Not recorded"), "handedOverBy")
        self.received_by = named(PersonCombo("The operator"), "receivedBy")
        # The borrower field the operator follows (``follow``), and the lender's agency.
        self._borrowers: AgencyCombo | None = None
        self._lender_id: int | None = None

    def follow(self, borrowers: AgencyCombo, lender_id: int) -> None:
        """For an emergency: no borrower is assumed. The person names the agency, or the
        operator, whose agency it then is; the operators offered follow the borrower."""
        self._borrowers = borrowers
        self._lender_id = lender_id
        borrowers.choose(None)
        self.refresh()
        borrowers.agency_changed.connect(self.refresh)
        self.operator.currentIndexChanged.connect(self._on_operator_chosen)

    def refresh(self) -> None:
        """Offer the operators again, for the borrower chosen now (or none yet)."""
        if self._borrowers is not None:
            self.show_agencies(self._borrowers.agency_id(), self._lender_id)

    def _on_operator_chosen(self) -> None:
        operator = self.offered.get(self.operator.person_id() or 0)
        borrowers = self._borrowers
        if operator is not None and borrowers is not None and borrowers.agency_id() is None:
            borrowers.choose(operator.agency_id)

    def add_to(self, dialog: LoanFormDialog, form: QFormLayout) -> None:
        self.add_operator_to(dialog, form)
        self.add_witnesses_to(dialog, form)

    def add_operator_to(self, dialog: LoanFormDialog, form: QFormLayout) -> None:
        dialog.add_field(form, "&Operator *", self.operator, "operator")
        form.addRow("", self.operator_note)
        self._note_form = form
        self._show_note()
        dialog.watch(self.operator)

    def add_witnesses_to(self, dialog: LoanFormDialog, form: QFormLayout) -> None:
        dialog.add_field(form, "&Handed over by", self.handed_over_by, "handed_over_by")
        dialog.add_field(form, "Recei&ved by", self.received_by, "received_by")
        dialog.watch(self.handed_over_by, self.received_by)

    @property
    def item_ids(self) -> tuple[int, ...]:
        """The items the operator is offered for."""
        return self._item_ids

    def lend(self, item_ids: Sequence[int]) -> None:
        """The loan now lends ``item_ids`` (a kit's member left out, a stand-in taken):
        the operators offered are read again once ``show_agencies`` is called."""
        self._item_ids = tuple(item_ids)

    def offer_before_borrower(self, agency_ids: Sequence[int]) -> None:
        """With no borrower chosen, offer the operators of every one of ``agency_ids``."""
        self._candidates = tuple(agency_ids)

    def show_agencies(self, borrower_id: int | None, lender_id: int | None) -> None:
        if borrower_id is None and self._candidates:
            qualified = operators_among(
                self._db,
                item_ids=self._item_ids,
                agency_ids=self._candidates,
                at=today_uk(),
                emergency=self._emergency,
            )
            explanation = "Choosing the operator chooses their agency as the borrower."
        else:
            offer = operator_choices(
                self._db,
                item_ids=self._item_ids,
                borrower_agency_id=borrower_id,
                at=today_uk(),
                emergency=self._emergency,
            )
            qualified, explanation = offer.qualified, offer.explanation
        self.offered = {person.id: person for person in qualified}
        self.operator.set_people(qualified)
        self.operator_note.setText(explanation)
        self._show_note()
        borrowers = self._choices.people_of(borrower_id)
        self.received_by.set_people(borrowers)
        self.handed_over_by.set_people(self._choices.people_of(lender_id))

    def _show_note(self) -> None:
        note = self.operator_note
        if note.parentWidget() is None:
            return  # not laid out yet: shown, or not, once it is (a parentless one would float)
        # The whole row comes and goes, so a note no longer needed leaves no gap.
        self._note_form.setRowVisible(note, bool(note.text()))
        if note.text():
            note.fit()  # laid out already: fit the new text now, not at the next resize

    def handover(self, lines: tuple[LineHandover, ...]) -> Handover:
        return Handover(
            operator_id=self.operator.person_id(),
            handed_over_by_id=self.handed_over_by.person_id(),
            received_by_id=self.received_by.person_id(),
            lines=lines,
        )


def operator_names_borrower(problems: Sequence[Refusal], borrower_id: int | None) -> list[Refusal]:
    """``problems`` as an emergency form says them: there, naming the operator names the
    borrower, so a missing borrower is asked for as either."""
    return [
        replace(p, message=NO_BORROWER_YET) if p.field == "borrower" and borrower_id is None else p
        for p in problems
    ]


# -- request -------------------------------------------------------------------------------


class RequestDialog(LoanFormDialog):
    """Ask to borrow one item, or some of a pooled one; with ``also``, further items of
    the same lender in the same loan, a line each. ``loan_id`` is set once saved.

    Items of more than one lender are refused before the form opens
    (``app.loans.support.why_not_one_loan``): a loan is lent by one agency.
    """

    TITLE = "Request a loan"
    OK_TEXT = "Request"

    def __init__(
        self,
        db: Database,
        actor: Actor,
        item_id: int,
        parent: QWidget | None = None,
        *,
        wish: LoanWish | None = None,
        also: Sequence[int] = (),
    ) -> None:
        item_ids = tuple(dict.fromkeys((item_id, *also)))
        # Refused before any window is made: items of two lenders are no one loan.
        if len(item_ids) > 1 and (refusal := why_not_one_loan(db, item_ids)) is not None:
            raise Refused([refusal])
        super().__init__(db, actor, self.TITLE, parent)
        self.items = tuple(loan_item(db, each) for each in item_ids)
        self.item = self.items[0]
        # Each item's defaults, and the strictest of them for the loan as a whole.
        self.together = items_request_defaults(db, item_ids)
        self.defaults = self.together.each[0]
        self.choices = loan_choices(db)
        self.loan_id: int | None = None
        # What the person asked the catalogue for (a period, how many): the form starts
        # there, so nothing said once is typed twice.
        self.wish = wish
        self.period = LoanPeriod(self.together.due_at - self.together.starts_at)
        self._make_request_fields()
        if wish is not None:
            self._take_wish(wish)
        self._build()

    @property
    def several(self) -> bool:
        """Whether the request asks for more than one item."""
        return len(self.items) > 1

    # Building ----------------------------------------------------------------------------

    def _make_request_fields(self) -> None:
        covered, others = self._borrower_agencies()
        self.borrower_combo = named(AgencyCombo(covered, others, self.choices.agencies), "borrower")
        self.requested_by = named(PersonCombo(self._requester_placeholder()), "requestedBy")
        self.requested_by.set_people(self.choices.people_of(self.borrower_id()))
        self.purpose_edit = named(QLineEdit(), "purpose")
        self.purpose_edit.setPlaceholderText(PURPOSE_HINT)
        self.incident_edit = named(QLineEdit(), "incidentRef")
        self.incident_edit.setMaxLength(60)
        self.incident_edit.setPlaceholderText(INCIDENT_HINT)
        self.starts_edit = self.period.starts_edit
        self.due_edit = self.period.due_edit
        self.length_label = self.period.length_label
        self.quantity_spins = {item.id: self._quantity_spin(item) for item in self.items}
        self.quantity_spin = self.quantity_spins[self.item.id]
        self.emergency_check = named(QCheckBox("&Emergency (waive notice)"), "emergency")
        self.emergency_check.setToolTip(
            "For a live incident: the protocol's notice period does not apply."
        )
        self.period.set(self._default_start())

        self.borrower_combo.agency_changed.connect(self._on_borrower_changed)
        self.borrower_combo.editTextChanged.connect(self.input_changed)
        self.emergency_check.toggled.connect(self._on_emergency_toggled)
        self.watch(
            self.requested_by,
            self.purpose_edit,
            self.incident_edit,
            self.starts_edit,
            self.due_edit,
            *self.quantity_spins.values(),
            self.emergency_check,
        )

    def _quantity_spin(self, item: LoanItem) -> QSpinBox:
        name = f"quantity_{item.asset_tag}" if self.several else "quantity"
        spin = named(QSpinBox(), name)
        # Never clamped to the stock: asked for more, the service says how many there are.
        spin.setRange(1, QUANTITY_TYPED_MAX)
        spin.setEnabled(item.is_pooled)
        fit_spin(spin, str(QUANTITY_TYPED_MAX))
        return spin

    def _request_form(self) -> QFormLayout:
        form = form_layout()
        self._add_borrower(form)
        self._add_requester(form)
        self._add_purpose(form)
        self._add_start(form)
        self._add_due(form)
        self._add_quantity(form)
        if not self.several:
            self.point_field("lines", self.item_heading)
        return form

    def _add_borrower(self, form: QFormLayout) -> None:
        self.add_field(form, "&Borrowing agency *", self.borrower_combo, "borrower")

    def _add_requester(self, form: QFormLayout) -> None:
        self.add_field(form, self._requester_label(), self.requested_by, "requested_by")

    def _add_purpose(self, form: QFormLayout) -> None:
        self.add_field(form, "&Purpose *", self.purpose_edit, "purpose")
        self.add_field(form, "&Incident reference", self.incident_edit, "incident_ref")

    def _add_start(self, form: QFormLayout) -> None:
        self.add_field(form, "&From *", self.starts_edit, "starts_at")

    def _add_due(self, form: QFormLayout) -> None:
        self.add_field(form, "&Due back *", self.period.due_row(), "due_at", mark=self.due_edit)

    def _add_quantity(self, form: QFormLayout) -> None:
        if not self.item.is_pooled or self.several:
            return  # several items: each one's box is on its line (``_items_part``)
        row = quantity_row(self.quantity_spin, self.item, self.defaults.free_now)
        self.add_field(form, "&Quantity *", row, "quantity", mark=self.quantity_spin)

    def _items_part(self) -> list[QWidget]:
        """For several items, every one a line with its quantity box; nothing for one,
        which the heading names."""
        if not self.several:
            return []
        self.items_asked = ItemsAsked(
            [
                (item, defaults.free_now, self.quantity_spins[item.id])
                for item, defaults in zip(self.items, self.together.each, strict=True)
            ]
        )
        spins = self.items_asked.spins
        caption = named(
            list_caption("Ite&ms asked for" if spins else "Items asked for"), "itemsCaption"
        )
        if spins:
            caption.setBuddy(spins[0])
        # A refusal names its item but not its line, so it points at the list (the
        # caption), or a quantity's at the quantity boxes. The caption is not also the
        # quantity's: marking one field clears the marks of every other.
        self.point_field("lines", caption=caption)
        self.point_field("quantity", *spins)
        return [captioned_list(caption, self.items_asked.scrolled())]

    def _header(self) -> list[QWidget]:
        title = self.item.label
        if self.several:
            title += f" and {counted(len(self.items) - 1, 'more item')}"
        self.item_heading = named(heading(title), "itemHeading")
        return [self.item_heading, named(muted(self._terms_text()), "itemTerms")]

    def _build(self) -> None:
        header = self._header()
        items = self._items_part()
        form = self._request_form()
        form.addRow("", self.emergency_check)
        if self.several:
            self.setMinimumWidth(720)  # a line's name, its box and its stock side by side
        self.finish(*header, *items, form, ok_text=self.OK_TEXT)
        if self.several and (height := self.heightForWidth(720)) > 0:
            # Sized by itself, the dialog would leave room for the heading and terms as
            # they wrap at a narrower width: a gap above the message.
            self.resize(720, height)
        self.purpose_edit.setFocus()

    def _terms_text(self) -> str:
        """Who lends, under which protocol, and its notice and longest loan: for several
        items, the strictest of their protocols' (``app.loans.support``)."""
        together = self.together
        owner = f"Lent by {self.item.owner}"
        protocols = together.protocols
        if not protocols:
            them = "them" if self.several else "it"
            return f"{owner}. No sharing protocol lets another agency borrow {them}."
        notice = (
            f"{format_hours(together.notice_hours)}' notice"
            if together.notice_hours
            else "no notice"
        )
        longest = format_hours(together.max_loan_hours) or "no limit"
        under = (
            f"under “{protocols[0]}”:"
            if len(protocols) == 1
            else f"under {len(protocols)} protocols, the strictest of their terms:"
        )
        text = f"{owner} {under} {notice}, loans of up to {longest}."
        unlent = [item.asset_tag for item in self.items if item.id in together.unprotected]
        if unlent:
            text += f" No sharing protocol lets another agency borrow {and_listed(unlent)}."
        return text

    def _covered_ids(self) -> tuple[int, ...]:
        return self.together.borrower_ids

    def _borrower_agencies(self) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        """The agencies a protocol lets borrow the item (as the item panel lists them),
        then every other agency, the owner too: the check says why each cannot."""
        names = dict(self.choices.agencies)
        covered = [(i, names[i]) for i in self._covered_ids() if i in names]
        listed = {i for i, _ in covered}
        return covered, [(i, name) for i, name in self.choices.agencies if i not in listed]

    def _requester_placeholder(self) -> str:
        return "Choose who is asking…"

    def _requester_label(self) -> str:
        return "&Requested by *"

    def _default_start(self) -> datetime:
        # The service leaves time to fill the form in past the notice period.
        return self.together.starts_at

    def _take_wish(self, wish: LoanWish) -> None:
        for item in self.items:
            # The number was asked of one kind of kit: with several items, a pool it
            # does not fit starts at one rather than at a number it cannot have.
            if item.is_pooled and (not self.several or wish.quantity <= item.quantity):
                self.quantity_spins[item.id].setValue(wish.quantity)
        self.period.take(wish.starts_at, wish.due_at)

    def _on_emergency_toggled(self, emergency: bool) -> None:
        # Waiving notice, the sensible start is now; unless the person chose times.
        if not self.period.touched:
            self.period.set(_minute(now_utc()) if emergency else self._default_start())

    def _on_borrower_changed(self) -> None:
        self.requested_by.set_people(self.choices.people_of(self.borrower_id()))

    # The draft ----------------------------------------------------------------------------

    def borrower_id(self) -> int | None:
        return self.borrower_combo.agency_id()

    def draft(self) -> LoanDraft:
        return LoanDraft(
            borrower_agency_id=self.borrower_id(),
            requested_by_id=self.requested_by.person_id(),
            purpose=self.purpose_edit.text(),
            starts_at=self.starts_edit.moment(),
            due_at=self.due_edit.moment(),
            lines=tuple(
                LineDraft(item_id=item.id, quantity=self.quantity_spins[item.id].value())
                for item in self.items
            ),
            incident_ref=self.incident_edit.text(),
            is_emergency=self.emergency_check.isChecked(),
        )

    def check(self) -> list[Refusal]:
        return check_request(self._db, self.draft())

    def save(self) -> None:
        self.loan_id = request_loan(self._db, self.draft(), self._actor)

    def ready_text(self) -> str:
        return f"Nothing stops this request. Once saved it awaits approval by {self.item.owner}."


class EmergencyIssueDialog(RequestDialog):
    """Log kit straight out with no prior request; the safety rules still apply."""

    TITLE = "Issue now (emergency)"
    OK_TEXT = "Issue now"

    def _make_request_fields(self) -> None:
        if self.several:
            # The hand-over lists one item's condition and readings.
            raise ValueError("An emergency issue form lends one item: give it no ``also``.")
        self.people = HandoverPeople(self.choices, self._db, (self.item.id,), emergency=True)
        self.people.offer_before_borrower(self._covered_ids())
        self.handover_fields = ItemHandoverFields(self.item, self.defaults.readings)
        super()._make_request_fields()
        self.emergency_check.setChecked(True)
        self.emergency_check.hide()
        self.people.follow(self.borrower_combo, self.item.owner_agency_id)

    def _take_wish(self, wish: LoanWish) -> None:
        """An emergency starts now: the search's period gives only the due time."""
        if self.item.is_pooled:
            self.quantity_spin.setValue(wish.quantity)
        self.period.take(self.starts_edit.moment(), wish.due_at)

    def _covered_ids(self) -> tuple[int, ...]:
        return self.together.emergency_borrower_ids

    def _request_form(self) -> QFormLayout:
        """In the order of an emergency: what and how many, until when, who takes it and
        for which agency (the operator's, once the operator is chosen); then why, and the
        rest."""
        form = form_layout()
        self._add_quantity(form)
        self._add_due(form)
        self.people.add_operator_to(self, form)
        self._add_borrower(form)
        self._add_purpose(form)
        self._add_start(form)
        self._add_requester(form)
        self.point_field("lines", self.item_heading)
        return form

    def _build(self) -> None:
        header = self._header()
        request = QGroupBox("The loan")
        request.setLayout(self._request_form())
        handover_form = form_layout()
        self.people.add_witnesses_to(self, handover_form)
        self.handover_fields.add_to(self, handover_form)
        handover = QGroupBox("The hand-over")
        handover.setLayout(handover_form)
        columns = QGridLayout()
        columns.setHorizontalSpacing(16)
        columns.addWidget(request, 0, 0)
        columns.addWidget(handover, 0, 1)
        columns.setColumnStretch(0, 1)
        columns.setColumnStretch(1, 1)
        note = muted(
            "An emergency issue skips the request and approval and is noted as an emergency. "
            "The operator's competence and the item's inspection are still checked."
        )
        self.setMinimumWidth(980)
        self.finish(*header, note, columns, ok_text=self.OK_TEXT)
        self.people.refresh()  # laid out now: the operator note can show
        self._order_tabs()
        self._focus_first_unsaid()

    def _focus_first_unsaid(self) -> None:
        """Start at the first thing the person has not said yet: how many, then until
        when (unless the search said), then who takes it."""
        if self.item.is_pooled and self.wish is None:
            self.quantity_spin.setFocus()
            self.quantity_spin.selectAll()  # typing "10" replaces the 1 shown
        elif self.wish is None:
            self.due_edit.setFocus()
        else:
            self.people.operator.setFocus()

    def _order_tabs(self) -> None:
        """Tab walks the fields in the order shown, the loan's before the hand-over's."""
        chain: list[QWidget] = [
            *([self.quantity_spin] if self.item.is_pooled else []),
            self.due_edit,
            self.people.operator,
            self.borrower_combo,
            self.purpose_edit,
            self.incident_edit,
            self.starts_edit,
            self.requested_by,
            self.people.handed_over_by,
            self.people.received_by,
            self.handover_fields.condition,
            self.handover_fields.accessories,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _requester_placeholder(self) -> str:
        return "Not recorded"

    def _requester_label(self) -> str:
        return "&Requested by"

    def _default_start(self) -> datetime:
        return _minute(now_utc())

    def _on_emergency_toggled(self, emergency: bool) -> None:
        """Always an emergency: the start stays where it is."""

    def handover(self) -> Handover:
        return self.people.handover((self.handover_fields.line_handover(),))

    def check(self) -> list[Refusal]:
        problems = check_emergency_issue(self._db, self.draft(), self.handover())
        return operator_names_borrower(problems, self.borrower_id())

    def save(self) -> None:
        self.loan_id = issue_emergency(self._db, self.draft(), self.handover(), self._actor)

    def ready_text(self) -> str:
        return (
            "Nothing stops this emergency issue: the loan is logged as out from now, "
            "noted as an emergency."
        )


# -- issue an approved loan ------------------------------------------------------------------


def _line_title(line: LoanLineView, quantity: int) -> str:
    amount = f"  ×{quantity}" if line.is_pooled else ""
    return f"{line.asset_tag} {line.item_name}{amount}"


class IssueDialog(LoanFormDialog):
    """Hand an approved loan's kit over to the borrower's operator."""

    def __init__(
        self, db: Database, actor: Actor, loan: LoanView, parent: QWidget | None = None
    ) -> None:
        super().__init__(db, actor, f"Issue loan {loan.id}", parent)
        self.loan = loan
        choices = loan_choices(db)
        self.people = HandoverPeople(
            choices,
            db,
            [line.item_id for line in loan.lines],
            emergency=loan.is_emergency,
        )
        self.people.show_agencies(loan.borrower_agency_id, loan.lender_agency_id)
        # A request may already name its operator; start with them.
        if loan.operator_id is not None:
            self.people.operator.choose(loan.operator_id)
        form = form_layout()
        self.people.add_to(self, form)
        parts: list[QWidget] = [
            heading(f"Hand over loan {loan.id}: {items_text(loan)}"),
            muted(
                f"From {loan.lender} to {loan.borrower}, due back {format_datetime(loan.due_at)}."
            ),
        ]
        self.lines: list[ItemHandoverFields] = []
        for line in loan.lines:
            fields = ItemHandoverFields(
                loan_item(db, line.item_id), request_defaults(db, line.item_id).readings
            )
            box_form = form_layout()
            fields.add_to(self, box_form)
            box = QGroupBox(_line_title(line, line.quantity))
            box.setLayout(box_form)
            parts.append(box)
            self.lines.append(fields)
        people = QGroupBox("People")
        people.setLayout(form)
        self.finish(parts[0], parts[1], people, *parts[2:], ok_text="Issue")
        self.people.operator.setFocus()

    def handover(self) -> Handover:
        return self.people.handover(tuple(fields.line_handover() for fields in self.lines))

    def check(self) -> list[Refusal]:
        return check_issue(self._db, self.loan.id, self.handover())

    def save(self) -> None:
        issue_loan(self._db, self.loan.id, self.handover(), self._actor)

    def ready_text(self) -> str:
        return (
            f"Nothing stops the hand-over. The kit is due back {format_datetime(self.loan.due_at)}."
        )


# -- return ----------------------------------------------------------------------------------


class LineReturnFields:
    """How much of one line comes back, its condition, readings and any defect."""

    def __init__(self, line: LoanLineView) -> None:
        self.line = line
        self.outstanding = line.quantity_out
        self.quantity_spin = named(QSpinBox(), "quantityBack")
        self.quantity_spin.setRange(0, self.outstanding)
        self.quantity_spin.setValue(self.outstanding)
        fit_spin(self.quantity_spin, str(self.outstanding))
        self.back_check = named(QCheckBox("Back now"), "backNow")
        self.back_check.setChecked(True)
        self.condition = named(ConditionCombo("Unchanged"), "conditionIn")
        self.readings = named(ReadingsEditor(line.tracks), "readingsIn")
        self.defect_edit = named(QLineEdit(), "defect")
        self.defect_edit.setPlaceholderText("None found")
        self.severity_combo = named(QComboBox(), "defectSeverity")
        for severity, words in labels(DefectSeverity).items():
            self.severity_combo.addItem(words, severity)
            self.severity_combo.setItemData(
                self.severity_combo.count() - 1,
                SEVERITY_EFFECT[severity].capitalize(),
                Qt.ItemDataRole.ToolTipRole,
            )
        self.severity_combo.setCurrentIndex(self.severity_combo.findData(DefectSeverity.MAJOR))
        self.severity_combo.setEnabled(False)
        # On a pool, how many units the defect affects: those stay back until it is cleared.
        self.defect_quantity_spin = named(QSpinBox(), "defectQuantity")
        self.defect_quantity_spin.setRange(0, QUANTITY_MAX)
        self.defect_quantity_spin.setValue(1)
        self.defect_quantity_spin.setEnabled(False)
        fit_spin(self.defect_quantity_spin, str(line.quantity))
        self.defect_edit.textChanged.connect(self._on_defect_text_changed)

    def _on_defect_text_changed(self, text: str) -> None:
        found = bool(text.strip())
        self.severity_combo.setEnabled(found)
        self.defect_quantity_spin.setEnabled(found)

    def add_to(self, dialog: LoanFormDialog, form: QFormLayout) -> None:
        if self.line.is_pooled:
            row = QWidget()
            layout = QHBoxLayout(row)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(self.quantity_spin)
            layout.addWidget(muted(f"of {self.outstanding} still out"), 1)
            dialog.add_field(form, "&Quantity back", row, "quantity", mark=self.quantity_spin)
            dialog.watch(self.quantity_spin)
        else:
            dialog.add_field(form, "&Returned", self.back_check)
            dialog.watch(self.back_check)
        dialog.add_field(form, "&Condition", self.condition)
        if not self.readings.is_empty:
            dialog.add_field(form, "R&eadings", self.readings, mark=self.readings.first_spin())
            for name, spin in self.readings.spins.items():
                dialog.point_field(name, spin)
        defect_row = QWidget()
        layout = QHBoxLayout(defect_row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.defect_edit, 1)
        if self.line.is_pooled:
            units = QLabel("&Units")
            units.setBuddy(self.defect_quantity_spin)
            layout.addWidget(units)
            layout.addWidget(self.defect_quantity_spin)
            dialog.point_field("defect_quantity", self.defect_quantity_spin)
            dialog.watch(self.defect_quantity_spin)
        severity = QLabel("&Severity")
        severity.setBuddy(self.severity_combo)
        layout.addWidget(severity)
        layout.addWidget(self.severity_combo)
        dialog.add_field(form, "&Defect found", defect_row, mark=self.defect_edit)
        dialog.watch(self.condition, self.readings, self.defect_edit, self.severity_combo)

    @property
    def quantity_back(self) -> int:
        if self.line.is_pooled:
            return self.quantity_spin.value()
        return 1 if self.back_check.isChecked() else 0

    def line_return(self) -> LineReturn:
        severity = self.severity_combo.currentData()
        return LineReturn(
            line_id=self.line.id,
            quantity=self.quantity_back,
            condition=self.condition.condition(),
            readings=self.readings.readings(),
            defect=self.defect_edit.text(),
            defect_severity=(
                severity if isinstance(severity, DefectSeverity) else DefectSeverity.MAJOR
            ),
            defect_quantity=self.defect_quantity_spin.value() if self.line.is_pooled else 1,
        )


class ReturnDialog(LoanFormDialog):
    """Take kit back: all of it, or some of a pooled line; ``new_status`` once saved."""

    def __init__(
        self, db: Database, actor: Actor, loan: LoanView, parent: QWidget | None = None
    ) -> None:
        super().__init__(db, actor, f"Return loan {loan.id}", parent)
        self.loan = loan
        self.new_status: LoanStatus | None = None
        choices = loan_choices(db)
        self.returned_to = named(PersonCombo("Not recorded"), "returnedTo")
        self.returned_to.set_people(choices.people_of(loan.lender_agency_id))
        parts: list[QWidget] = [
            heading(f"Return loan {loan.id}: {items_text(loan)}"),
            muted(
                f"From {loan.borrower} back to {loan.lender}; it was due back "
                f"{format_datetime(loan.due_at)}."
            ),
        ]
        self.lines: list[LineReturnFields] = []
        for line in loan.lines:
            if line.quantity_out <= 0:
                continue
            fields = LineReturnFields(line)
            form = form_layout()
            fields.add_to(self, form)
            box = QGroupBox(_line_title(line, line.quantity))
            box.setLayout(form)
            parts.append(box)
            self.lines.append(fields)
        form = form_layout()
        self.add_field(form, "Received &back by", self.returned_to, "returned_to")
        self.watch(self.returned_to)
        self.finish(*parts, form, ok_text="Return")

    def line_returns(self) -> list[LineReturn]:
        return [fields.line_return() for fields in self.lines]

    def check(self) -> list[Refusal]:
        return check_return(
            self._db,
            self.loan.id,
            self.line_returns(),
            returned_to_id=self.returned_to.person_id(),
        )

    def save(self) -> None:
        self.new_status = take_back(
            self._db,
            self.loan.id,
            self._actor,
            lines=self.line_returns(),
            returned_to_id=self.returned_to.person_id(),
        )

    def ready_text(self) -> str:
        left = sum(fields.outstanding - fields.quantity_back for fields in self.lines)
        if left == 0:
            text = "Everything on the loan comes back, and the loan is closed as returned."
        else:
            stay = "item stays" if left == 1 else "items stay"
            text = f"{left} {stay} out on loan; the loan becomes partly returned."
        for fields in self.lines:
            if fields.defect_edit.text().strip():
                back = fields.line_return()
                severity = label(back.defect_severity).lower()
                effect = defect_effect(
                    back.defect_severity,
                    pool=fields.line.item_quantity if fields.line.is_pooled else None,
                    quantity=back.defect_quantity,
                )
                text += f" {fields.line.asset_tag}'s {severity} defect: {effect}."
        return text
