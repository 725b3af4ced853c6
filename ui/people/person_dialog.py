"""The dialogs that keep people: a person's details, one qualification they hold, and
the qualification types protocols can require.

Each is a ``FormDialog``: it holds no rules. A change of any field starts a
short timer; when it fires the dialog builds a draft and asks the people service what
is wrong, outlining each field at fault, and OK stays disabled until nothing is. OK
hands the draft to the service, which checks it again; a refusal then is shown in the
same place and everything typed stays as it was.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.directory import list_agencies, list_sites
from app.core.actor import Actor
from app.core.clock import format_date
from app.core.errors import KitShareError, Refusal
from app.core.lookup import with_id
from app.people.qualifications import (
    REFERENCE_MAX,
    TYPE_CODE_MAX,
    TYPE_NAME_MAX,
    VALIDITY_MONTHS_MAX,
    QualificationDraft,
    QualificationTypeDraft,
    QualificationTypeView,
    add_qualification,
    check_qualification,
    check_qualification_type,
    create_qualification_type,
    list_qualification_types,
    qualification_draft_of,
    qualification_type_draft_of,
    update_qualification,
    update_qualification_type,
)
from app.people.records import (
    EMAIL_MAX,
    NAME_MAX,
    PHONE_MAX,
    RANK_MAX,
    STAFF_NUMBER_MAX,
    PersonDraft,
    check_person,
    create_person,
    get_person,
    person_draft_of,
    update_person,
)
from app.people.status import default_expiry
from app.storage.database import Database
from ui.widgets.dates import OptionalDateEdit
from ui.widgets.form import FormDialog
from ui.widgets.inputs import choose_id, chosen_id
from ui.widgets.layout import fit_spin, form_layout, heading, hint, named, plain_text_edit
from ui.widgets.messages import show_error

NO_SITE = "None"
CHOOSE_AGENCY = "Choose the agency…"
CHOOSE_QUALIFICATION = "Choose the qualification…"
NO_SET_EXPIRY = "No set expiry"


def _line_edit(name: str, limit: int, placeholder: str = "") -> QLineEdit:
    edit = named(QLineEdit(), name)
    # A little over the limit, so the service can say how long it is and by how much.
    edit.setMaxLength(limit + 20)
    edit.setPlaceholderText(placeholder)
    return edit


def _combo(name: str) -> QComboBox:
    combo = named(QComboBox(), name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(28)
    return combo


# -- a person ----------------------------------------------------------------------------------


class PersonDialog(FormDialog):
    """Add a person (``person_id`` None) or change one; ``saved_person_id`` once saved."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        person_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        view = get_person(db, person_id) if person_id is not None else None
        title = "New person" if view is None else f"Edit {view.name}"
        super().__init__(db, actor, title, parent)
        self.person_id = person_id
        self.saved_person_id: int | None = None
        self.setMinimumWidth(560)
        self._sites = list_sites(db)

        self.agency_combo = _combo("personAgency")
        self.agency_combo.addItem(CHOOSE_AGENCY, None)
        for agency in list_agencies(db):
            self.agency_combo.addItem(agency.name, agency.id)
        self.staff_number_edit = _line_edit(
            "personStaffNumber", STAFF_NUMBER_MAX, "Collar or staff number, e.g. 2391"
        )
        self.given_name_edit = _line_edit("personGivenName", NAME_MAX, "e.g. Rachel")
        self.family_name_edit = _line_edit("personFamilyName", NAME_MAX, "e.g. Holloway")
        self.rank_edit = _line_edit("personRank", RANK_MAX, "e.g. Sergeant, Watch Manager")
        self.site_combo = _combo("personHomeSite")
        self.email_edit = _line_edit("personEmail", EMAIL_MAX, "name@cambs.police.uk")
        self.phone_edit = _line_edit("personPhone", PHONE_MAX, "e.g. 01223 555123")

        form = form_layout()
        self.add_field(form, "&Agency *", self.agency_combo, "agency_id")
        self.add_field(form, "&Staff number *", self.staff_number_edit, "staff_number")
        self.add_field(form, "&Given name *", self.given_name_edit, "given_name")
        self.add_field(form, "&Family name *", self.family_name_edit, "family_name")
        self.add_field(form, "&Rank or role", self.rank_edit, "rank_or_role")
        self.add_field(form, "&Home site", self.site_combo, "home_site_id")
        self.add_field(form, "&Email", self.email_edit, "email")
        self.add_field(form, "&Phone", self.phone_edit, "phone")

        draft = (
            person_draft_of(view)
            if view is not None
            else PersonDraft(actor.agency_id, staff_number="", given_name="", family_name="")
        )
        self._load(draft)
        self.agency_combo.currentIndexChanged.connect(self._on_agency_changed)
        self.watch(
            self.agency_combo,
            self.staff_number_edit,
            self.given_name_edit,
            self.family_name_edit,
            self.rank_edit,
            self.site_combo,
            self.email_edit,
            self.phone_edit,
        )
        top = heading(title)
        self.finish(top, form, ok_text="Add person" if view is None else "Save")
        (self.agency_combo if draft.agency_id is None else self.staff_number_edit).setFocus()

    def _load(self, draft: PersonDraft) -> None:
        choose_id(self.agency_combo, draft.agency_id)
        self._fill_sites(draft.home_site_id)
        self.staff_number_edit.setText(draft.staff_number)
        self.given_name_edit.setText(draft.given_name)
        self.family_name_edit.setText(draft.family_name)
        self.rank_edit.setText(draft.rank_or_role)
        self.email_edit.setText(draft.email)
        self.phone_edit.setText(draft.phone)

    def _fill_sites(self, keep: int | None) -> None:
        """Offer the chosen agency's sites (or none), keeping ``keep`` chosen if it is one."""
        agency_id = chosen_id(self.agency_combo)
        with QSignalBlocker(self.site_combo):
            self.site_combo.clear()
            self.site_combo.addItem(NO_SITE, None)
            for site in self._sites:
                if site.agency_id == agency_id:
                    self.site_combo.addItem(site.name, site.id)
            choose_id(self.site_combo, keep)

    def _on_agency_changed(self, _index: int) -> None:
        self._fill_sites(chosen_id(self.site_combo))
        self.input_changed()

    def draft(self) -> PersonDraft:
        return PersonDraft(
            agency_id=chosen_id(self.agency_combo),
            staff_number=self.staff_number_edit.text(),
            given_name=self.given_name_edit.text(),
            family_name=self.family_name_edit.text(),
            rank_or_role=self.rank_edit.text(),
            home_site_id=chosen_id(self.site_combo),
            email=self.email_edit.text(),
            phone=self.phone_edit.text(),
        )

    def check(self) -> list[Refusal]:
        return check_person(self._db, self.draft(), person_id=self.person_id)

    def save(self) -> None:
        if self.person_id is None:
            self.saved_person_id = create_person(self._db, self.draft(), self._actor)
        else:
            update_person(self._db, self.person_id, self.draft(), self._actor)
            self.saved_person_id = self.person_id

    def ready_text(self) -> str:
        if self.person_id is None:
            return "Nothing stops this. The new person can then be given qualifications."
        return "Nothing stops this change."


# -- a qualification held ----------------------------------------------------------------------


class QualificationDialog(FormDialog):
    """Record a qualification ``person_id`` holds (``qualification_id`` None) or change one;
    ``saved_qualification_id`` once saved."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        person_id: int,
        qualification_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        person = get_person(db, person_id)
        existing = None
        if qualification_id is not None:
            existing = with_id(
                person.qualifications,
                qualification_id,
                f"{person.name} no longer has that qualification recorded; it may have "
                "been removed. Reopen the person to see what they hold now.",
            )
        title = "Add a qualification" if existing is None else "Edit a qualification"
        super().__init__(db, actor, title, parent)
        self.person_id = person_id
        self.qualification_id = qualification_id
        self.saved_qualification_id: int | None = None
        self.setMinimumWidth(560)
        self._types = {t.id: t for t in list_qualification_types(db)}

        self.type_combo = _combo("qualificationType")
        self.type_combo.addItem(CHOOSE_QUALIFICATION, None)
        for kind in self._types.values():
            self.type_combo.addItem(kind.name, kind.id)
        self.reference_edit = _line_edit(
            "qualificationReference", REFERENCE_MAX, "Certificate or licence number"
        )
        self.issued_edit = OptionalDateEdit("qualificationIssued", "Issued")
        self.expires_edit = OptionalDateEdit("qualificationExpires", "Expires")
        self.allows_label = named(hint(""), "qualificationAllows")
        self.expiry_hint = named(hint(""), "qualificationExpiryHint")

        form = form_layout()
        self.add_field(form, "&Qualification *", self.type_combo, "type_id")
        form.addRow("", self.allows_label)
        self.add_field(form, "&Reference", self.reference_edit, "reference")
        self.add_field(form, "&Issued on", self.issued_edit, "issued_on")
        self.add_field(form, "E&xpires on", self.expires_edit, "expires_on")
        form.addRow("", self.expiry_hint)

        draft = (
            qualification_draft_of(existing) if existing is not None else QualificationDraft(None)
        )
        choose_id(self.type_combo, draft.type_id)
        self.reference_edit.setText(draft.reference)
        self.issued_edit.set_value(draft.issued_on)
        self.expires_edit.set_value(draft.expires_on)
        self.type_combo.currentIndexChanged.connect(self._show_type)
        self.issued_edit.changed.connect(self._show_type)
        self.expires_edit.changed.connect(self._show_type)
        self.watch(self.type_combo, self.reference_edit, self.issued_edit, self.expires_edit)
        self._show_type()

        top = heading(f"{title} for {person.name}")
        self.finish(top, form, ok_text="Add qualification" if existing is None else "Save")
        self.type_combo.setFocus()

    def _kind(self) -> QualificationTypeView | None:
        chosen = chosen_id(self.type_combo)
        return self._types.get(chosen) if chosen is not None else None

    def _show_type(self, *_args: object) -> None:
        """Say what the chosen qualification allows, and when it will expire if no date
        is given."""
        kind = self._kind()
        self.allows_label.setText(kind.allows if kind is not None else "")
        self.allows_label.setVisible(bool(kind and kind.allows))
        self.expiry_hint.setText(self._expiry_text(kind))

    def _expiry_text(self, kind: QualificationTypeView | None) -> str:
        if kind is None:
            return ""
        if kind.validity_months is None:
            return "It has no set expiry: give an expiry date only if the certificate has one."
        lasts = f"It lasts {kind.validity_text.lower()}"
        if self.expires_edit.value() is not None:
            return f"{lasts}; the expiry date given is kept."
        expiry = default_expiry(self.issued_edit.value(), kind.validity_months)
        if expiry is None:
            return f"{lasts}: give the issue date and the expiry is worked out from it."
        return f"{lasts}: with no expiry date given, it expires on {format_date(expiry)}."

    def draft(self) -> QualificationDraft:
        return QualificationDraft(
            type_id=chosen_id(self.type_combo),
            reference=self.reference_edit.text(),
            issued_on=self.issued_edit.value(),
            expires_on=self.expires_edit.value(),
        )

    def check(self) -> list[Refusal]:
        return check_qualification(
            self._db, self.draft(), person_id=self.person_id, qualification_id=self.qualification_id
        )

    def save(self) -> None:
        if self.qualification_id is None:
            self.saved_qualification_id = add_qualification(
                self._db, self.person_id, self.draft(), self._actor
            )
        else:
            update_qualification(self._db, self.qualification_id, self.draft(), self._actor)
            self.saved_qualification_id = self.qualification_id


# -- qualification types -----------------------------------------------------------------------


class QualificationTypeDialog(FormDialog):
    """Add a qualification type (``type_id`` None) or change one; ``saved_type_id`` once saved."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        type_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        existing = None
        if type_id is not None:
            existing = with_id(
                list_qualification_types(db),
                type_id,
                f"There is no qualification type with id {type_id}.",
            )
        title = "New qualification type" if existing is None else f"Edit {existing.name}"
        super().__init__(db, actor, title, parent)
        self.type_id = type_id
        self.saved_type_id: int | None = None
        self.setMinimumWidth(600)

        self.code_edit = _line_edit("typeCode", TYPE_CODE_MAX, "e.g. UAS-GVC")
        self.name_edit = _line_edit("typeName", TYPE_NAME_MAX, "e.g. Drone pilot (GVC)")
        self.allows_edit = plain_text_edit("typeAllows", 3)
        self.allows_edit.setPlaceholderText(
            "What it allows the holder to do, e.g. fly drones in the Specific category."
        )
        self.validity_spin = named(QSpinBox(), "typeValidity")
        # Nought months stands for "no set expiry", and says so.
        self.validity_spin.setRange(0, VALIDITY_MONTHS_MAX)
        self.validity_spin.setSpecialValueText(NO_SET_EXPIRY)
        self.validity_spin.setSuffix(" months")
        fit_spin(self.validity_spin, NO_SET_EXPIRY + "0")

        form = form_layout()
        self.add_field(form, "Short &code *", self.code_edit, "code")
        self.add_field(form, "&Name *", self.name_edit, "name")
        self.add_field(form, "&Allows", self.allows_edit, "allows")
        self.add_field(form, "&Lasts", self.validity_spin, "validity_months")
        form.addRow(
            "",
            hint(
                "How long a certificate lasts: a new record's expiry is worked out from its "
                "issue date. Changing it leaves expiry dates already recorded as they are."
            ),
        )

        draft = (
            qualification_type_draft_of(existing)
            if existing is not None
            else QualificationTypeDraft(code="", name="")
        )
        self.code_edit.setText(draft.code)
        self.name_edit.setText(draft.name)
        self.allows_edit.setPlainText(draft.allows)
        self.validity_spin.setValue(draft.validity_months or 0)
        self.watch(self.code_edit, self.name_edit, self.allows_edit, self.validity_spin)
        self.finish(heading(title), form, ok_text="Add" if existing is None else "Save")
        self.code_edit.setFocus()

    def draft(self) -> QualificationTypeDraft:
        months = self.validity_spin.value()
        return QualificationTypeDraft(
            code=self.code_edit.text(),
            name=self.name_edit.text(),
            allows=self.allows_edit.toPlainText(),
            validity_months=months or None,
        )

    def check(self) -> list[Refusal]:
        return check_qualification_type(self._db, self.draft(), type_id=self.type_id)

    def save(self) -> None:
        if self.type_id is None:
            self.saved_type_id = create_qualification_type(self._db, self.draft(), self._actor)
        else:
            update_qualification_type(self._db, self.type_id, self.draft(), self._actor)
            self.saved_type_id = self.type_id


TYPE_HEADERS = ("Code", "Name", "Lasts", "Recorded for", "Allows")


class QualificationTypesDialog(QDialog):
    """The qualification types, to add to and change; ``changed`` once any is saved."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self.changed = False
        self.setWindowTitle("Qualification types")
        self.setMinimumSize(820, 460)

        self.table = named(QTableWidget(0, len(TYPE_HEADERS)), "qualificationTypes")
        self.table.setHorizontalHeaderLabels(list(TYPE_HEADERS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column in range(len(TYPE_HEADERS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(self._on_edit_clicked)

        self.new_button = named(QPushButton("New qualification type…"), "newQualificationType")
        self.edit_button = named(QPushButton("Edit…"), "editQualificationType")
        self.new_button.clicked.connect(self._on_new_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.edit_button)
        row.addStretch(1)
        row.addWidget(buttons)
        outer = QVBoxLayout(self)
        outer.addWidget(heading("Qualification types"))
        outer.addWidget(
            hint(
                "What sharing protocols can require of an operator. A protocol names the "
                "types it needs in the MoU register."
            )
        )
        outer.addWidget(self.table, 1)
        outer.addLayout(row)
        self.refresh()

    def refresh(self, select: int | None = None) -> None:
        self.types = list_qualification_types(self._db)
        self.table.setRowCount(len(self.types))
        for row, kind in enumerate(self.types):
            held = "1 person" if kind.holders == 1 else f"{kind.holders} people"
            for column, text in enumerate(
                (kind.code, kind.name, kind.validity_text, held, kind.allows)
            ):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(row, column, cell)
            if kind.id == select:
                self.table.selectRow(row)
        self.edit_button.setEnabled(bool(self.types))

    def selected_type_id(self) -> int | None:
        row = self.table.currentRow()
        return self.types[row].id if 0 <= row < len(self.types) else None

    def edit(self, type_id: int | None) -> int | None:
        """Open the editor for ``type_id`` (None: a new type); the id saved, or None."""
        try:
            dialog = QualificationTypeDialog(self._db, self._actor, type_id, parent=self)
        except KitShareError as error:
            show_error(self, error, "The qualification type cannot be edited")
            return None
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.saved_type_id is None:
            return None
        self.changed = True
        self.refresh(select=dialog.saved_type_id)
        return dialog.saved_type_id

    def _on_new_clicked(self) -> None:
        self.edit(None)

    def _on_edit_clicked(self, *_args: object) -> None:
        type_id = self.selected_type_id()
        if type_id is not None:
            self.edit(type_id)
