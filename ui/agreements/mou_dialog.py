"""The MoU editor: one version's details, parties, signatories and clauses.

Like every form (``ui.widgets.form``) it holds no rules: a change of any field starts a
short timer, and when it fires the dialog builds an ``MouDraft`` and asks ``check_mou``
what is wrong. OK hands the draft to the register, which checks it again; a refusal then is
shown in the same place, and everything typed stays as it was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.agreements.clauses import ClauseDraft, SignatoryDraft
from app.agreements.reading import Choice, get_mou, register_choices
from app.agreements.register import MouDraft, check_mou, create_mou, mou_draft_of, update_mou
from app.core.actor import Actor
from app.core.errors import Refusal
from app.storage.database import Database
from ui.widgets.dates import OptionalDateEdit
from ui.widgets.form import FormDialog
from ui.widgets.layout import (
    caption,
    form_layout,
    heading,
    hint,
    named,
    plain_text_edit,
    show_read_only,
    small_button,
)
from ui.widgets.palette import NOTE_STYLE, boxed

DRAFT_TEXT = "Draft (not yet signed)"
PARAGRAPH_HINT = "Separate paragraphs with a blank line."


def fixed_text_note(version: int) -> str:
    return (
        f"Version {version} is signed, so its wording is fixed. Start a new version to change it."
    )


class SignatoryRow:
    """The inputs of one signatory in the signatories table."""

    def __init__(self, names: Mapping[int, str], on_change: Callable[..., None]) -> None:
        self._names = names
        self.agency_combo = QComboBox()
        self.agency_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.agency_combo.setMinimumContentsLength(16)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Full name")
        self.role_edit = QLineEdit()
        self.role_edit.setPlaceholderText("e.g. Chief Constable")
        self.signed_edit = OptionalDateEdit("signatorySigned", "Signed")
        self.agency_combo.currentIndexChanged.connect(on_change)
        self.name_edit.textChanged.connect(on_change)
        self.role_edit.textChanged.connect(on_change)
        self.signed_edit.changed.connect(on_change)

    def widgets(self) -> list[QWidget]:
        return [self.agency_combo, self.name_edit, self.role_edit, self.signed_edit]

    def set_parties(self, parties: Sequence[Choice], keep: int | None) -> None:
        """Offer ``parties``; an agency no longer a party stays, marked so."""
        chosen = keep if keep is not None else self.agency_id()
        with QSignalBlocker(self.agency_combo):
            self.agency_combo.clear()
            for party in parties:
                self.agency_combo.addItem(party.name, party.id)
            if chosen is not None and self.agency_combo.findData(chosen) < 0:
                self.agency_combo.addItem(f"{self._names.get(chosen, '?')} (not a party)", chosen)
            self.agency_combo.setCurrentIndex(max(self.agency_combo.findData(chosen), 0))

    def agency_id(self) -> int | None:
        value = self.agency_combo.currentData()
        return int(value) if value is not None else None

    def draft(self) -> SignatoryDraft | None:
        agency = self.agency_id()
        if agency is None:
            return None
        return SignatoryDraft(
            agency_id=agency,
            name=self.name_edit.text().strip(),
            role_title=self.role_edit.text().strip(),
            signed_on=self.signed_edit.value(),
        )


class MouDialog(FormDialog):
    """Add an MoU (``mou_id`` None) or edit one version; ``saved_mou_id`` once saved."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        mou_id: int | None,
        parent: QWidget | None = None,
    ) -> None:
        view = get_mou(db, mou_id) if mou_id is not None else None
        title = "New MoU" if view is None else f"Edit {view.reference} version {view.version}"
        super().__init__(db, actor, title, parent)
        self.mou_id = mou_id
        self.saved_mou_id: int | None = None
        self.choices = register_choices(db)
        self._agency_names = {choice.id: choice.name for choice in self.choices.agencies}
        draft = mou_draft_of(view) if view is not None else MouDraft(reference="", title="")
        # A signed version's wording is fixed: only its dates and signatories can change.
        self.wording_fixed = view is not None and not view.is_draft
        self.setMinimumSize(860, 660)

        self._make_detail_fields()
        self._make_party_fields()
        self._make_clause_fields()

        self.note_label = named(QLabel(fixed_text_note(view.version if view else 1)), "mouNote")
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet(boxed(NOTE_STYLE))
        self.note_label.setVisible(self.wording_fixed)

        self.tabs.setObjectName("mouTabs")
        self.tabs.addTab(self._details_page(), "&Details")
        self.tabs.addTab(self._parties_page(), "&Parties and signatories")
        self.tabs.addTab(self._clauses_page(), "C&lauses")

        self._load(draft)
        self._fix_wording(self.wording_fixed)
        if view is not None and view.supersedes is not None:
            # A later version continues its MoU, so it keeps the reference.
            show_read_only(self.reference_edit, True)
            self.reference_edit.setToolTip(
                f"Version {view.version} continues {view.reference}, so it keeps that reference."
            )
        self.watch(
            self.reference_edit,
            self.title_edit,
            self.draft_check,
            *self.dates.values(),
            self.purpose_edit,
            self.scope_edit,
        )
        self.clause_list.currentRowChanged.connect(self._on_clause_row_changed)
        self.clause_number_edit.textChanged.connect(self._on_clause_edited)
        self.clause_heading_edit.textChanged.connect(self._on_clause_edited)
        self.clause_body_edit.textChanged.connect(self._on_clause_edited)
        self.party_list.currentRowChanged.connect(self._on_party_row_changed)
        self.signatory_table.currentCellChanged.connect(self._on_signatory_cell_changed)

        top = heading(title if view is None else f"{view.reference} version {view.version}")
        self.finish(
            top, self.note_label, self.tabs, ok_text="Create MoU" if view is None else "Save"
        )

    # Fields and pages -----------------------------------------------------------------------

    def _make_detail_fields(self) -> None:
        self.reference_edit = named(QLineEdit(), "mouReference")
        self.reference_edit.setPlaceholderText("e.g. CPFA-MOU-2026-01")
        self.title_edit = named(QLineEdit(), "mouTitle")
        self.draft_check = named(QCheckBox(DRAFT_TEXT), "mouIsDraft")
        self.dates = {
            "signed_on": OptionalDateEdit("mouSignedOn", "Signed"),
            "effective_from": OptionalDateEdit("mouEffectiveFrom", "Effective from"),
            "review_on": OptionalDateEdit("mouReviewOn", "Review by"),
            "expires_on": OptionalDateEdit("mouExpiresOn", "Expires"),
            "terminated_on": OptionalDateEdit("mouTerminatedOn", "Terminated"),
        }
        self.purpose_edit = plain_text_edit("mouPurpose", 4)
        self.scope_edit = plain_text_edit("mouScope", 4)

    def _make_party_fields(self) -> None:
        self.party_list = named(QListWidget(), "mouParties")
        self.party_list.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)
        self.party_combo = named(QComboBox(), "mouPartyChoice")
        self.party_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.party_combo.setMinimumContentsLength(30)
        self.add_party_button = small_button("Add party", "addParty", self._on_add_party_clicked)
        self.remove_party_button = small_button(
            "Remove", "removeParty", self._on_remove_party_clicked
        )
        self.party_up_button = small_button("Move up", "partyUp", self._on_party_up_clicked)
        self.party_down_button = small_button("Move down", "partyDown", self._on_party_down_clicked)

        self.signatory_table = named(QTableWidget(0, 4), "mouSignatories")
        self.signatory_table.setHorizontalHeaderLabels(
            ["For (party)", "Name", "Role title", "Signed on"]
        )
        self.signatory_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.signatory_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.signatory_table.verticalHeader().hide()
        header = self.signatory_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.signatory_table.verticalHeader().setDefaultSectionSize(
            self.fontMetrics().height() + 16
        )
        self.signatory_rows: list[SignatoryRow] = []
        self.add_signatory_button = small_button(
            "Add signatory", "addSignatory", self._on_add_signatory_clicked
        )
        self.remove_signatory_button = small_button(
            "Remove signatory", "removeSignatory", self._on_remove_signatory_clicked
        )

    def _make_clause_fields(self) -> None:
        self.clause_list = named(QListWidget(), "mouClauses")
        self.clause_number_edit = named(QLineEdit(), "clauseNumber")
        self.clause_number_edit.setPlaceholderText("By position")
        self.clause_number_edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("x" * 16))
        self.clause_heading_edit = named(QLineEdit(), "clauseHeading")
        self.clause_body_edit = plain_text_edit("clauseBody", 12)
        self.clause_body_edit.setTabChangesFocus(True)
        self.add_clause_button = small_button(
            "Add clause", "addClause", self._on_add_clause_clicked
        )
        self.remove_clause_button = small_button(
            "Remove", "removeClause", self._on_remove_clause_clicked
        )
        self.clause_up_button = small_button("Move up", "clauseUp", self._on_clause_up_clicked)
        self.clause_down_button = small_button(
            "Move down", "clauseDown", self._on_clause_down_clicked
        )
        self.clauses: list[ClauseDraft] = []

    def _details_page(self) -> QWidget:
        page = QWidget()
        form = form_layout()
        reference_label = caption("&Reference", self.reference_edit)
        title_label = caption("&Title", self.title_edit)
        form.addRow(reference_label, self.reference_edit)
        form.addRow(title_label, self.title_edit)
        form.addRow("", self.draft_check)
        self.point_field("reference", self.reference_edit, caption=reference_label, page=page)
        self.point_field("title", self.title_edit, caption=title_label, page=page)
        self.point_field("is_draft", self.draft_check, page=page)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        places = {
            "signed_on": (0, 0, "&Signed on"),
            "effective_from": (0, 2, "&Effective from"),
            "review_on": (1, 0, "Re&view by"),
            "expires_on": (1, 2, "E&xpires on"),
            "terminated_on": (2, 0, "Ter&minated on"),
        }
        for field, (row, column, text) in places.items():
            edit = self.dates[field]
            label = caption(text, edit.check)
            grid.addWidget(label, row, column)
            grid.addWidget(edit, row, column + 1)
            self.point_field(field, edit.edit, caption=label, page=page)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        dates_box = QGroupBox("Dates")
        dates_box.setLayout(grid)

        purpose_label = caption("P&urpose", self.purpose_edit)
        scope_label = caption("S&cope", self.scope_edit)
        self.point_field("purpose", self.purpose_edit, caption=purpose_label, page=page)
        self.point_field("scope", self.scope_edit, caption=scope_label, page=page)

        column_layout = QVBoxLayout(page)
        column_layout.setContentsMargins(12, 12, 12, 12)
        column_layout.setSpacing(8)
        column_layout.addLayout(form)
        column_layout.addWidget(dates_box)
        column_layout.addWidget(purpose_label)
        column_layout.addWidget(self.purpose_edit, 1)
        column_layout.addWidget(scope_label)
        column_layout.addWidget(self.scope_edit, 1)
        return page

    def _parties_page(self) -> QWidget:
        page = QWidget()
        parties_box = QGroupBox("Parties (the first is the lead party)")
        side = QVBoxLayout()
        side.addWidget(self.party_up_button)
        side.addWidget(self.party_down_button)
        side.addWidget(self.remove_party_button)
        side.addStretch(1)
        listing = QHBoxLayout()
        listing.addWidget(self.party_list, 1)
        listing.addLayout(side)
        adding = QHBoxLayout()
        adding.addWidget(self.party_combo, 1)
        adding.addWidget(self.add_party_button)
        box = QVBoxLayout(parties_box)
        box.addLayout(listing)
        box.addLayout(adding)
        self.point_field("party_ids", self.party_list, page=page)
        self.point_field("parties", self.party_list, page=page)

        signatories_box = QGroupBox("Signatories")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_signatory_button)
        buttons.addWidget(self.remove_signatory_button)
        buttons.addStretch(1)
        box = QVBoxLayout(signatories_box)
        box.addWidget(self.signatory_table, 1)
        box.addLayout(buttons)
        self.point_field("signatories", self.signatory_table, page=page)

        column_layout = QVBoxLayout(page)
        column_layout.setContentsMargins(12, 12, 12, 12)
        column_layout.addWidget(parties_box, 2)
        column_layout.addWidget(signatories_box, 3)
        return page

    def _clauses_page(self) -> QWidget:
        page = QWidget()
        left = QVBoxLayout()
        left.addWidget(self.clause_list, 1)
        buttons = QGridLayout()
        buttons.addWidget(self.add_clause_button, 0, 0)
        buttons.addWidget(self.remove_clause_button, 0, 1)
        buttons.addWidget(self.clause_up_button, 1, 0)
        buttons.addWidget(self.clause_down_button, 1, 1)
        left.addLayout(buttons)

        form = form_layout()
        number_label = caption("&Number", self.clause_number_edit)
        heading_label = caption("&Heading", self.clause_heading_edit)
        body_label = caption("&Body", self.clause_body_edit)
        form.addRow(number_label, self.clause_number_edit)
        form.addRow(heading_label, self.clause_heading_edit)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(body_label)
        right.addWidget(self.clause_body_edit, 1)
        right.addWidget(hint(f"{PARAGRAPH_HINT} A blank number is numbered by position."))
        self.point_field("clauses", self.clause_list, page=page)

        row = QHBoxLayout(page)
        row.setContentsMargins(12, 12, 12, 12)
        row.setSpacing(12)
        row.addLayout(left, 1)
        row.addLayout(right, 2)
        return page

    # Loading and reading --------------------------------------------------------------------

    def _load(self, draft: MouDraft) -> None:
        self.reference_edit.setText(draft.reference)
        self.title_edit.setText(draft.title)
        self.draft_check.setChecked(draft.is_draft)
        for field, edit in self.dates.items():
            edit.set_value(getattr(draft, field))
        self.purpose_edit.setPlainText(draft.purpose)
        self.scope_edit.setPlainText(draft.scope)
        for agency_id in draft.party_ids:
            self._append_party(agency_id)
        self._refresh_parties()
        for signatory in draft.signatories:
            self._append_signatory(signatory)
        self.clauses = list(draft.clauses)
        self._refresh_clause_list(0 if self.clauses else -1)

    def draft(self) -> MouDraft:
        """The MoU as the form holds it now."""
        signatories = tuple(
            found for row in self.signatory_rows if (found := row.draft()) is not None
        )
        return MouDraft(
            reference=self.reference_edit.text().strip(),
            title=self.title_edit.text().strip(),
            purpose=self.purpose_edit.toPlainText().strip(),
            scope=self.scope_edit.toPlainText().strip(),
            is_draft=self.draft_check.isChecked(),
            signed_on=self.dates["signed_on"].value(),
            effective_from=self.dates["effective_from"].value(),
            review_on=self.dates["review_on"].value(),
            expires_on=self.dates["expires_on"].value(),
            terminated_on=self.dates["terminated_on"].value(),
            party_ids=self.party_ids(),
            signatories=signatories,
            clauses=tuple(
                dataclasses.replace(
                    clause,
                    heading=clause.heading.strip(),
                    number=clause.number.strip(),
                    body=clause.body.strip(),
                )
                for clause in self.clauses
            ),
        )

    def party_ids(self) -> tuple[int, ...]:
        return tuple(
            int(self.party_list.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.party_list.count())
        )

    def _fix_wording(self, fixed: bool) -> None:
        for edit in (
            self.reference_edit,
            self.title_edit,
            self.purpose_edit,
            self.scope_edit,
            self.clause_number_edit,
            self.clause_heading_edit,
            self.clause_body_edit,
        ):
            show_read_only(edit, fixed)
        # A signed version cannot go back to being a draft.
        self.draft_check.setEnabled(not fixed)
        for button in (
            self.add_party_button,
            self.add_clause_button,
        ):
            button.setEnabled(not fixed)
        self.party_combo.setEnabled(not fixed)
        self._enable_party_buttons()
        self._enable_clause_buttons()

    # Checking and saving ----------------------------------------------------------------------

    def check(self) -> list[Refusal]:
        return check_mou(self._db, self.draft(), mou_id=self.mou_id)

    def save(self) -> None:
        draft = self.draft()
        if self.mou_id is None:
            self.saved_mou_id = create_mou(self._db, draft, self._actor)
        else:
            update_mou(self._db, self.mou_id, draft, self._actor)
            self.saved_mou_id = self.mou_id

    def ready_text(self) -> str:
        if self.mou_id is None:
            return "Ready to add this MoU to the register as version 1."
        return "Ready to save the changes to this version."

    # Parties ----------------------------------------------------------------------------------

    def _append_party(self, agency_id: int) -> None:
        item = QListWidgetItem(self._agency_names.get(agency_id, f"Agency {agency_id}"))
        item.setData(Qt.ItemDataRole.UserRole, agency_id)
        self.party_list.addItem(item)

    def _refresh_parties(self) -> None:
        """Name the lead party, offer the agencies not yet parties, and follow the parties
        in the signatories' choices."""
        ids = self.party_ids()
        for row in range(self.party_list.count()):
            item = self.party_list.item(row)
            name = self._agency_names.get(int(item.data(Qt.ItemDataRole.UserRole)), "?")
            item.setText(f"{name}  (lead party)" if row == 0 else name)
        with QSignalBlocker(self.party_combo):
            self.party_combo.clear()
            for choice in self.choices.agencies:
                if choice.id not in ids:
                    self.party_combo.addItem(choice.name, choice.id)
        parties = [Choice(agency_id, self._agency_names.get(agency_id, "?")) for agency_id in ids]
        for signatory in self.signatory_rows:
            signatory.set_parties(parties, keep=None)
        self._enable_party_buttons()

    def _enable_party_buttons(self) -> None:
        row = self.party_list.currentRow()
        editable = not self.wording_fixed
        self.remove_party_button.setEnabled(editable and row >= 0)
        self.party_up_button.setEnabled(editable and row > 0)
        self.party_down_button.setEnabled(editable and 0 <= row < self.party_list.count() - 1)
        self.add_party_button.setEnabled(editable and self.party_combo.count() > 0)

    def add_party(self, agency_id: int) -> None:
        """Add ``agency_id`` at the end of the parties (the lead party if the first)."""
        self._append_party(agency_id)
        self.party_list.setCurrentRow(self.party_list.count() - 1)
        self._refresh_parties()
        self.input_changed()

    def _move_party(self, step: int) -> None:
        row = self.party_list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.party_list.count():
            return
        item = self.party_list.takeItem(row)
        self.party_list.insertItem(target, item)
        self.party_list.setCurrentRow(target)
        self._refresh_parties()
        self.input_changed()

    def _on_add_party_clicked(self) -> None:
        value = self.party_combo.currentData()
        if value is not None:
            self.add_party(int(value))

    def _on_remove_party_clicked(self) -> None:
        row = self.party_list.currentRow()
        if row < 0:
            return
        self.party_list.takeItem(row)
        self._refresh_parties()
        self.input_changed()

    def _on_party_up_clicked(self) -> None:
        self._move_party(-1)

    def _on_party_down_clicked(self) -> None:
        self._move_party(1)

    def _on_party_row_changed(self, _row: int) -> None:
        self._enable_party_buttons()

    # Signatories ------------------------------------------------------------------------------

    def _append_signatory(self, signatory: SignatoryDraft | None) -> SignatoryRow:
        row = SignatoryRow(self._agency_names, self.input_changed)
        parties = [Choice(a, self._agency_names.get(a, "?")) for a in self.party_ids()]
        row.set_parties(parties, keep=signatory.agency_id if signatory else None)
        if signatory is not None:
            row.name_edit.setText(signatory.name)
            row.role_edit.setText(signatory.role_title)
            row.signed_edit.set_value(signatory.signed_on)
        index = self.signatory_table.rowCount()
        self.signatory_table.insertRow(index)
        for column, widget in enumerate(row.widgets()):
            self.signatory_table.setCellWidget(index, column, widget)
        self.signatory_rows.append(row)
        return row

    def add_signatory(self) -> SignatoryRow:
        """A new, blank signatory row, for the first party not yet signing."""
        signing = {row.agency_id() for row in self.signatory_rows}
        unsigned = [a for a in self.party_ids() if a not in signing]
        row = self._append_signatory(None)
        if unsigned:
            row.agency_combo.setCurrentIndex(max(row.agency_combo.findData(unsigned[0]), 0))
        self.signatory_table.setCurrentCell(len(self.signatory_rows) - 1, 1)
        row.name_edit.setFocus()
        self.input_changed()
        return row

    def _on_add_signatory_clicked(self) -> None:
        self.add_signatory()

    def _on_remove_signatory_clicked(self) -> None:
        row = self.signatory_table.currentRow()
        if not 0 <= row < len(self.signatory_rows):
            return
        self.signatory_table.removeRow(row)
        del self.signatory_rows[row]
        self.input_changed()
        self.remove_signatory_button.setEnabled(bool(self.signatory_rows))

    def _on_signatory_cell_changed(self, row: int, *_args: int) -> None:
        self.remove_signatory_button.setEnabled(row >= 0)

    # Clauses ----------------------------------------------------------------------------------

    @staticmethod
    def clause_label(clause: ClauseDraft, position: int) -> str:
        number = clause.number.strip() or str(position)
        return f"{number}.  {clause.heading.strip() or '(no heading)'}"

    def _refresh_clause_list(self, current: int) -> None:
        with QSignalBlocker(self.clause_list):
            self.clause_list.clear()
            for position, clause in enumerate(self.clauses, 1):
                label = self.clause_label(clause, position)
                item = QListWidgetItem(label)
                item.setToolTip(label)
                self.clause_list.addItem(item)
            self.clause_list.setCurrentRow(current)
        self._show_clause(current)

    def _show_clause(self, row: int) -> None:
        clause = self.clauses[row] if 0 <= row < len(self.clauses) else None
        editors = (self.clause_number_edit, self.clause_heading_edit, self.clause_body_edit)
        with (
            QSignalBlocker(editors[0]),
            QSignalBlocker(editors[1]),
            QSignalBlocker(editors[2]),
        ):
            self.clause_number_edit.setText(clause.number if clause else "")
            self.clause_heading_edit.setText(clause.heading if clause else "")
            self.clause_body_edit.setPlainText(clause.body if clause else "")
        for editor in editors:
            editor.setEnabled(clause is not None)
        self._enable_clause_buttons()

    def _enable_clause_buttons(self) -> None:
        row = self.clause_list.currentRow()
        editable = not self.wording_fixed
        self.add_clause_button.setEnabled(editable)
        self.remove_clause_button.setEnabled(editable and row >= 0)
        self.clause_up_button.setEnabled(editable and row > 0)
        self.clause_down_button.setEnabled(editable and 0 <= row < len(self.clauses) - 1)

    def add_clause(self) -> None:
        """A new, blank clause at the end, ready to type its heading."""
        self.clauses.append(ClauseDraft(heading="", body=""))
        self._refresh_clause_list(len(self.clauses) - 1)
        self.clause_heading_edit.setFocus()
        self.input_changed()

    def _move_clause(self, step: int) -> None:
        row = self.clause_list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < len(self.clauses):
            return
        self.clauses[row], self.clauses[target] = self.clauses[target], self.clauses[row]
        self._refresh_clause_list(target)
        self.input_changed()

    def _on_add_clause_clicked(self) -> None:
        self.add_clause()

    def _on_remove_clause_clicked(self) -> None:
        row = self.clause_list.currentRow()
        if not 0 <= row < len(self.clauses):
            return
        del self.clauses[row]
        self._refresh_clause_list(min(row, len(self.clauses) - 1))
        self.input_changed()

    def _on_clause_up_clicked(self) -> None:
        self._move_clause(-1)

    def _on_clause_down_clicked(self) -> None:
        self._move_clause(1)

    def _on_clause_row_changed(self, row: int) -> None:
        self._show_clause(row)

    def _on_clause_edited(self, *_args: object) -> None:
        row = self.clause_list.currentRow()
        if not 0 <= row < len(self.clauses):
            return
        self.clauses[row] = ClauseDraft(
            heading=self.clause_heading_edit.text(),
            body=self.clause_body_edit.toPlainText(),
            number=self.clause_number_edit.text(),
        )
        item = self.clause_list.item(row)
        item.setText(self.clause_label(self.clauses[row], row + 1))
        item.setToolTip(item.text())
        self.input_changed()
