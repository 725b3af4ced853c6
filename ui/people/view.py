"""The People view: officers and staff, their user accounts and their qualifications.

Everyone signed in reads it: a table of people with each one's qualifications marked
(red expired, amber expiring within 30 days, always with words), and the chosen person
in full beside it. Managers and administrators may switch to the list of
qualifications expiring in the next N days. Administrators see the buttons that change
people; the people service refuses anyone else regardless, so hiding them is a
courtesy, not the rule.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSignalBlocker,
    Qt,
    Signal,
)
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.directory import list_agencies
from app.core.actor import Actor
from app.core.errors import KitShareError
from app.core.permissions import Action, may
from app.people.expiring import expiring_qualifications
from app.people.qualifications import remove_qualification
from app.people.records import (
    PersonView,
    get_person,
    list_person_rows,
    set_person_active,
)
from app.people.status import EXPIRING_DAYS
from app.storage.database import Database
from ui.people.person_dialog import PersonDialog, QualificationDialog, QualificationTypesDialog
from ui.people.tables import (
    EXPIRING_SAMPLES,
    NO_QUALIFICATIONS_TEXT,
    PERSON_SAMPLES,
    QUALIFICATION_SAMPLES,
    ExpiringColumn,
    ExpiringTableModel,
    PersonColumn,
    PersonTableModel,
    QualificationColumn,
    QualificationTableModel,
)
from ui.widgets.layout import (
    add_captioned,
    form_layout,
    heading,
    muted,
    named,
    side_by_side,
)
from ui.widgets.messages import confirm, show_error
from ui.widgets.views import call_on, days_spin, error_label, pause_timer, record_table, run_dialog

ModelIndex = QModelIndex | QPersistentModelIndex
ALL_AGENCIES = "All agencies"
FILTER_DELAY_MS = 200
MAX_EXPIRING_DAYS = 3650
READ_ONLY_TEXT = "Read only: only an administrator can change people and their qualifications."
PICK_TEXT = "Select a person to see their details and qualifications."
NO_PEOPLE_TEXT = "No one is listed yet."
NO_MATCH_TEXT = "No one matches the search."


def expiring_count_text(count: int, days: int) -> str:
    span = "today" if days == 0 else ("by tomorrow" if days == 1 else f"in the next {days} days")
    if count == 0:
        return f"No qualification expires {span}."
    if count == 1:
        return f"1 qualification expires {span}."
    return f"{count} qualifications expire {span}."


# -- the view ------------------------------------------------------------------------------


class PeopleView(QWidget):
    """People and their qualifications, for ``actor`` to read (and, as an administrator,
    to change). Says ``people_changed`` after every change made here."""

    people_changed = Signal()
    """A person, qualification or qualification type was changed here."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.actor = actor
        self._shown: PersonView | None = None

        self._make_filters()
        self._make_buttons()
        self._make_people_page()
        self._make_expiring_page()
        self._lay_out()
        self._connect()
        self.set_actor(actor)
        # Read on first show, not here: the main window builds this before anyone signs in.
        self._loaded = False

    # Building ----------------------------------------------------------------------------

    def _make_filters(self) -> None:
        self.search_edit = named(QLineEdit(), "peopleSearch")
        self.search_edit.setPlaceholderText("Name, staff number, site or qualification")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("x" * 34))
        self.agency_combo = named(QComboBox(), "peopleAgencyFilter")
        self.agency_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.agency_combo.setMinimumContentsLength(30)
        self.agency_combo.addItem(ALL_AGENCIES, None)
        try:
            agencies = list_agencies(self._db)
        except KitShareError:
            agencies = []
        for agency in agencies:
            self.agency_combo.addItem(agency.name, agency.id)
        self.former_check = named(QCheckBox("Show &former staff"), "peopleShowFormer")
        self._filter_timer = pause_timer(self, FILTER_DELAY_MS, self.refresh)

    def _make_buttons(self) -> None:
        def button(text: str, name: str) -> QPushButton:
            return named(QPushButton(text), name)

        self.expiring_button = button("&Expiring…", "peopleExpiring")
        self.expiring_button.setCheckable(True)
        self.expiring_button.setToolTip("Qualifications expiring in the next few days")
        self.new_person_button = button("&New person…", "newPerson")
        self.edit_person_button = button("E&dit…", "editPerson")
        self.active_button = button("Mark as &former staff…", "personActive")
        self.types_button = button("Qualification &types…", "qualificationTypes")
        self.add_qualification_button = button("&Add qualification…", "addQualification")
        self.edit_qualification_button = button("Edit qualification…", "editQualification")
        self.remove_qualification_button = button("&Remove qualification…", "removeQualification")
        self.read_only_label = named(muted(READ_ONLY_TEXT), "peopleReadOnly")

    def _make_people_page(self) -> None:
        self.error_label = error_label("peopleError")

        self.model = PersonTableModel(self)
        self.table = record_table(
            "peopleTable", self.model, PERSON_SAMPLES, bold_column=PersonColumn.STAFF_NUMBER
        )
        self.count_label = named(muted(""), "peopleCount")

        self.name_label = named(heading(""), "personName")
        self.subtitle_label = named(muted(""), "personSubtitle")
        for title in (self.name_label, self.subtitle_label):
            # One line each: a wrapped label asks for the height of its narrowest layout.
            title.setWordWrap(False)
        self.facts: dict[str, QLabel] = {}
        self.facts_form = form_layout()
        for key, label in (
            ("staff_number", "Staff number"),
            ("agency", "Agency"),
            ("home_site", "Home site"),
            ("email", "Email"),
            ("phone", "Phone"),
            ("account", "User account"),
            ("status", "Status"),
        ):
            value = named(QLabel(), f"person_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.facts[key] = value
            fact_caption = muted(label)
            fact_caption.setWordWrap(False)
            self.facts_form.addRow(fact_caption, value)

        self.qualification_model = QualificationTableModel(self)
        self.qualification_table = record_table(
            "personQualifications",
            self.qualification_model,
            QUALIFICATION_SAMPLES,
            bold_column=QualificationColumn.STATUS,
        )
        # The name takes the slack: it is what a person reads first.
        header = self.qualification_table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(
            QualificationColumn.QUALIFICATION, QHeaderView.ResizeMode.Stretch
        )
        self.no_qualifications_label = named(muted(NO_QUALIFICATIONS_TEXT), "noQualifications")
        self.placeholder = named(QLabel(PICK_TEXT), "personPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setForegroundRole(QPalette.ColorRole.PlaceholderText)

    def _make_expiring_page(self) -> None:
        self.days_spin = days_spin(
            "expiringDays",
            maximum=MAX_EXPIRING_DAYS,
            value=EXPIRING_DAYS,
            meaning="Expiring within",
        )
        self.expiring_model = ExpiringTableModel(self)
        self.expiring_table = record_table(
            "expiringTable", self.expiring_model, EXPIRING_SAMPLES, bold_column=ExpiringColumn.WHEN
        )
        self.expiring_label = named(muted(""), "expiringCount")
        self.back_button = named(QPushButton("&Back to people"), "backToPeople")

    def _lay_out(self) -> None:
        tools = QHBoxLayout()
        tools.setContentsMargins(8, 6, 8, 0)
        self.search_caption = add_captioned(tools, "&Search", self.search_edit)
        tools.addSpacing(12)
        add_captioned(tools, "A&gency", self.agency_combo)
        tools.addSpacing(12)
        tools.addWidget(self.former_check)
        tools.addStretch(1)
        tools.addWidget(self.expiring_button)
        tools.addWidget(self.types_button)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._people_page())
        self.pages.addWidget(self._expiring_page())

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        outer.addLayout(tools)
        outer.addWidget(self.error_label)
        outer.addWidget(self.pages, 1)

    def _people_page(self) -> QWidget:
        # The table takes the whole width, so every column reads; the chosen person is
        # set out below it.
        top = QWidget()
        column = QVBoxLayout(top)
        column.setContentsMargins(8, 0, 8, 0)
        column.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.read_only_label, 2)
        bottom.addWidget(self.new_person_button)
        bottom.addWidget(self.edit_person_button)
        bottom.addWidget(self.active_button)
        column.addLayout(bottom)

        self.detail = self._person_detail()
        lower = QFrame()
        lower.setFrameShape(QFrame.Shape.NoFrame)
        stack = QVBoxLayout(lower)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.addWidget(self.detail, 1)
        stack.addWidget(self.placeholder, 1)

        splitter = side_by_side(
            top,
            lower,
            stretch=(3, 2),
            sizes=(440, 320),
            vertical=True,
        )
        self.splitter = splitter
        return splitter

    def _person_detail(self) -> QWidget:
        """The chosen person: their facts on the left, their qualifications on the right."""
        # Each column sets its own spacing; a nested layout would take the row's 24 pixels.
        facts = QVBoxLayout()
        facts.setContentsMargins(0, 0, 0, 0)
        facts.setSpacing(2)
        facts.addWidget(self.name_label)
        facts.addWidget(self.subtitle_label)
        facts.addSpacing(4)
        facts.addLayout(self.facts_form)
        facts.addStretch(1)

        held = QVBoxLayout()
        held.setContentsMargins(0, 0, 0, 0)
        held.setSpacing(6)
        title = QLabel("Qualifications")
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        held.addWidget(title)
        held.addWidget(self.qualification_table, 1)
        held.addWidget(self.no_qualifications_label, 1, Qt.AlignmentFlag.AlignTop)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_qualification_button)
        buttons.addWidget(self.edit_qualification_button)
        buttons.addWidget(self.remove_qualification_button)
        buttons.addStretch(1)
        held.addLayout(buttons)

        detail = QWidget()
        row = QHBoxLayout(detail)
        row.setContentsMargins(8, 8, 8, 8)
        row.setSpacing(24)
        row.addLayout(facts, 1)
        row.addLayout(held, 2)
        return detail

    def _expiring_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(8, 4, 8, 8)
        row = QHBoxLayout()
        add_captioned(row, "Qualifications expiring &within", self.days_spin)
        row.addWidget(muted("from today, of current staff, not yet renewed."), 1)
        row.addWidget(self.back_button)
        column.addLayout(row)
        column.addWidget(self.expiring_table, 1)
        column.addWidget(self.expiring_label)
        return page

    def _connect(self) -> None:
        call_on(self.search_edit.textChanged, self._filter_timer.start)
        call_on(self.agency_combo.currentIndexChanged, self.refresh)
        call_on(self.former_check.toggled, self.refresh)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        call_on(self.table.doubleClicked, self.edit_person)
        self.qualification_table.selectionModel().currentRowChanged.connect(
            self._on_qualification_row_changed
        )
        call_on(self.qualification_table.doubleClicked, self.edit_qualification)
        self.expiring_button.toggled.connect(self._on_expiring_toggled)
        self.back_button.clicked.connect(self._on_back_clicked)
        call_on(self.days_spin.valueChanged, self.refresh_expiring)
        self.expiring_table.activated.connect(self._on_expiring_activated)
        for button, act in (
            (self.new_person_button, self.new_person),
            (self.edit_person_button, self.edit_person),
            (self.active_button, self.toggle_active),
            (self.types_button, self.edit_qualification_types),
            (self.add_qualification_button, self.add_qualification),
            (self.edit_qualification_button, self.edit_qualification),
            (self.remove_qualification_button, self.remove_qualification),
        ):
            call_on(button.clicked, act)

    def edit_buttons(self) -> list[QPushButton]:
        """The buttons that change people, shown to administrators only."""
        return [
            self.new_person_button,
            self.edit_person_button,
            self.active_button,
            self.types_button,
            self.add_qualification_button,
            self.edit_qualification_button,
            self.remove_qualification_button,
        ]

    # Who is acting -------------------------------------------------------------------------

    @property
    def may_edit(self) -> bool:
        return may(self.actor, Action.MANAGE_PEOPLE)

    @property
    def may_see_expiring(self) -> bool:
        return may(self.actor, Action.SEE_EXPIRING_QUALIFICATIONS)

    def set_actor(self, actor: Actor) -> None:
        """Show what ``actor`` may do: editing for administrators, the expiring list for
        managers and administrators."""
        self.actor = actor
        if not self.may_see_expiring and self.expiring_button.isChecked():
            self.expiring_button.setChecked(False)
        self._show_tools()
        self._enable_edits()

    def _show_tools(self) -> None:
        expiring = self.showing_expiring
        for button in self.edit_buttons():
            button.setVisible(self.may_edit)
        self.types_button.setVisible(self.may_edit and not expiring)
        self.read_only_label.setVisible(not self.may_edit)
        self.expiring_button.setVisible(self.may_see_expiring)
        for widget in (self.search_caption, self.search_edit, self.former_check):
            widget.setVisible(not expiring)

    # What is shown ------------------------------------------------------------------------

    def agency_id(self) -> int | None:
        value = self.agency_combo.currentData()
        return int(value) if value is not None else None

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded:
            self.refresh()

    def refresh(self) -> None:
        """Read the people (and the expiring list, if shown) again, keeping the selection."""
        self._loaded = True
        self._filter_timer.stop()
        keep = self.selected_person_id()
        try:
            rows = list_person_rows(
                self._db,
                text=self.search_edit.text(),
                agency_id=self.agency_id(),
                include_inactive=self.former_check.isChecked(),
            )
        except KitShareError as error:
            self._show_error(error)
            return
        self.error_label.hide()
        self.model.show_rows(rows)
        self._show_count()
        self._select(keep)
        if self.showing_expiring:
            self.refresh_expiring()

    def _show_error(self, error: KitShareError) -> None:
        self.error_label.setText(error.message)
        self.error_label.show()

    def _show_count(self) -> None:
        count = self.model.rowCount()
        if count == 0:
            filtered = bool(self.search_edit.text().strip()) or self.agency_id() is not None
            self.count_label.setText(NO_MATCH_TEXT if filtered else NO_PEOPLE_TEXT)
        else:
            self.count_label.setText("1 person" if count == 1 else f"{count} people")

    @property
    def shown_person(self) -> PersonView | None:
        """The person shown in full, if any."""
        return self._shown

    def selected_person_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.record(index.row()).id if index.isValid() else None

    def selected_qualification_id(self) -> int | None:
        index = self.qualification_table.currentIndex()
        return self.qualification_model.record(index.row()).id if index.isValid() else None

    def select_person(self, person_id: int) -> bool:
        """Select ``person_id`` and show them, clearing the filters if they hide them."""
        if self.model.row_of(person_id) is None:
            with (
                QSignalBlocker(self.search_edit),
                QSignalBlocker(self.agency_combo),
                QSignalBlocker(self.former_check),
            ):
                self.search_edit.clear()
                self.agency_combo.setCurrentIndex(0)
                self.former_check.setChecked(True)
            self.refresh()
        if self.model.row_of(person_id) is None:
            return False
        self._select(person_id)
        return True

    def select_qualification(self, qualification_id: int) -> bool:
        row = self.qualification_model.row_of(qualification_id)
        if row is None:
            return False
        self.qualification_table.setCurrentIndex(
            self.qualification_model.index(row, QualificationColumn.QUALIFICATION)
        )
        self.qualification_table.selectRow(row)
        return True

    def _select(self, person_id: int | None) -> None:
        row = self.model.row_of(person_id) if person_id is not None else None
        if row is None and self.model.rowCount():
            row = 0
        if row is None:
            self.table.clearSelection()
            self.table.setCurrentIndex(QModelIndex())
            self._show_person(None)
            return
        index = self.model.index(row, PersonColumn.NAME)
        if self.table.currentIndex().row() == row:
            self._show_person(self.model.record(row).id)
        else:
            self.table.setCurrentIndex(index)
        self.table.selectRow(row)
        self.table.scrollTo(index)

    def _show_person(self, person_id: int | None) -> None:
        keep = self.selected_qualification_id()
        view = None
        if person_id is not None:
            try:
                view = get_person(self._db, person_id)
            except KitShareError as error:
                self._show_error(error)
        self._shown = view
        if view is None:
            self.qualification_model.show_rows([])
            self.detail.hide()
            self.placeholder.setText(
                PICK_TEXT
                if self.model.rowCount()
                else (NO_MATCH_TEXT if self.search_edit.text().strip() else NO_PEOPLE_TEXT)
            )
            self.placeholder.show()
        else:
            self._fill_detail(view)
            self.placeholder.hide()
            self.detail.show()
            if keep is None or not self.select_qualification(keep):
                self.qualification_table.setCurrentIndex(QModelIndex())
        self._enable_edits()

    def _fill_detail(self, view: PersonView) -> None:
        self.name_label.setText(view.name)
        self.subtitle_label.setText(view.rank_or_role or "No rank or role recorded")
        self.facts["staff_number"].setText(view.staff_number)
        self.facts["agency"].setText(view.agency)
        self.facts["agency"].setToolTip(view.agency_code)
        self.facts["home_site"].setText(view.home_site or "Not recorded")
        self.facts["email"].setText(view.email or "Not recorded")
        self.facts["phone"].setText(view.phone or "Not recorded")
        self.facts["account"].setText(view.account_text)
        self.facts["status"].setText(
            "Current staff" if view.is_active else "Former staff: no longer offered for loans"
        )
        self.qualification_model.show_rows(view.qualifications)
        has_any = bool(view.qualifications)
        self.qualification_table.setVisible(has_any)
        self.no_qualifications_label.setVisible(not has_any)

    def detail_text(self) -> str:
        """What a person reads beside the table now: the facts and each qualification."""
        if self._shown is None:
            return self.placeholder.text()
        lines = [self.name_label.text(), self.subtitle_label.text()]
        for row in range(self.facts_form.rowCount()):
            caption = self.facts_form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            value = self.facts_form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if caption is not None and value is not None:
                label, text = caption.widget(), value.widget()
                if isinstance(label, QLabel) and isinstance(text, QLabel):
                    lines.append(f"{label.text()}: {text.text()}")
        model = self.qualification_model
        for row in range(model.rowCount()):
            lines.append(
                " | ".join(
                    str(model.data(model.index(row, column))) for column in QualificationColumn
                )
            )
        if not model.rowCount():
            lines.append(NO_QUALIFICATIONS_TEXT)
        return "\n".join(lines)

    def _enable_edits(self) -> None:
        # For comfort only: the people service refuses anyone but an administrator.
        shown = self._shown
        chosen = self.selected_qualification_id()
        self.edit_person_button.setEnabled(shown is not None)
        self.active_button.setEnabled(shown is not None)
        self.active_button.setText(
            "Mark as &former staff…" if shown is None or shown.is_active else "&Reactivate"
        )
        self.add_qualification_button.setEnabled(shown is not None)
        self.edit_qualification_button.setEnabled(chosen is not None)
        self.remove_qualification_button.setEnabled(chosen is not None)

    # The expiring list ------------------------------------------------------------------

    @property
    def showing_expiring(self) -> bool:
        return self.pages.currentIndex() == 1

    def show_expiring(self, show: bool = True) -> None:
        """Switch to the list of qualifications expiring soon (or back to the people)."""
        self.expiring_button.setChecked(show and self.may_see_expiring)

    def refresh_expiring(self) -> None:
        days = self.days_spin.value()
        try:
            rows = expiring_qualifications(
                self._db, self.actor, days=days, agency_id=self.agency_id()
            )
        except KitShareError as error:
            self._show_error(error)
            return
        self.expiring_model.show_rows(rows)
        self.expiring_label.setText(expiring_count_text(len(rows), days))

    # Editing -------------------------------------------------------------------------------

    def _changed(self, person_id: int | None, qualification_id: int | None = None) -> None:
        self.refresh()
        if person_id is not None:
            self.select_person(person_id)
        if qualification_id is not None:
            self.select_qualification(qualification_id)
        self.people_changed.emit()

    def new_person(self) -> int | None:
        """Add a person through the person dialog; their id, or None."""
        if not self.may_edit:
            return None
        dialog = run_dialog(
            self, lambda: PersonDialog(self._db, self.actor, None, parent=self), "No one was added"
        )
        if dialog is None or dialog.saved_person_id is None:
            return None
        self._changed(dialog.saved_person_id)
        return dialog.saved_person_id

    def edit_person(self) -> int | None:
        """Change the selected person through the person dialog; their id, or None."""
        person_id = self.selected_person_id()
        if not self.may_edit or person_id is None:
            return None
        dialog = run_dialog(
            self,
            lambda: PersonDialog(self._db, self.actor, person_id, parent=self),
            "The person cannot be edited",
        )
        if dialog is None or dialog.saved_person_id is None:
            return None
        self._changed(dialog.saved_person_id)
        return dialog.saved_person_id

    def toggle_active(self) -> bool:
        """After a yes, mark the selected person as former staff (or back); whether done."""
        shown = self._shown
        if not self.may_edit or shown is None:
            return False
        if shown.is_active:
            question = (
                f"Mark {shown.name} as former staff? They stay on record, with their loans and "
                "qualifications, but are no longer offered as a borrower, operator or approver."
            )
            title = "Mark as former staff"
        else:
            question = f"Reactivate {shown.name}, so they are offered for loans again?"
            title = "Reactivate"
        if not confirm(self, title, question):
            return False
        try:
            set_person_active(self._db, shown.id, not shown.is_active, self.actor)
        except KitShareError as error:
            show_error(self, error, f"{shown.name} was not changed")
            return False
        if shown.is_active and not self.former_check.isChecked():
            # Stay with the person just changed, rather than have them vanish from view.
            with QSignalBlocker(self.former_check):
                self.former_check.setChecked(True)
        self._changed(shown.id)
        return True

    def add_qualification(self) -> int | None:
        """Record a qualification of the selected person; its id, or None."""
        shown = self._shown
        if not self.may_edit or shown is None:
            return None
        dialog = run_dialog(
            self,
            lambda: QualificationDialog(self._db, self.actor, shown.id, parent=self),
            "No qualification was added",
        )
        if dialog is None or dialog.saved_qualification_id is None:
            return None
        self._changed(shown.id, dialog.saved_qualification_id)
        return dialog.saved_qualification_id

    def edit_qualification(self) -> int | None:
        """Change the selected qualification record; its id, or None."""
        shown, chosen = self._shown, self.selected_qualification_id()
        if not self.may_edit or shown is None or chosen is None:
            return None
        dialog = run_dialog(
            self,
            lambda: QualificationDialog(self._db, self.actor, shown.id, chosen, parent=self),
            "The qualification cannot be edited",
        )
        if dialog is None or dialog.saved_qualification_id is None:
            return None
        self._changed(shown.id, dialog.saved_qualification_id)
        return dialog.saved_qualification_id

    def remove_qualification(self) -> bool:
        """After a yes, delete the selected qualification record; whether it was."""
        shown, chosen = self._shown, self.selected_qualification_id()
        if not self.may_edit or shown is None or chosen is None:
            return False
        record = self.qualification_model.record(self.qualification_table.currentIndex().row())
        if not confirm(
            self,
            "Remove qualification",
            f"Remove {shown.name}'s “{record.type_name}” record? Do this only for a record made "
            "in error: a lapsed qualification can stay, and shows as expired.",
            careful=True,
        ):
            return False
        try:
            remove_qualification(self._db, chosen, self.actor)
        except KitShareError as error:
            show_error(self, error, "The qualification was not removed")
            return False
        self._changed(shown.id)
        return True

    def edit_qualification_types(self) -> bool:
        """Open the qualification types; whether any was changed."""
        if not self.may_edit:
            return False
        dialog = QualificationTypesDialog(self._db, self.actor, parent=self)
        dialog.exec()
        if dialog.changed:
            self._changed(self.selected_person_id())
        return dialog.changed

    # Reacting -----------------------------------------------------------------------------

    def _on_current_row_changed(self, current: ModelIndex, _previous: ModelIndex) -> None:
        self._show_person(self.model.record(current.row()).id if current.isValid() else None)

    def _on_qualification_row_changed(self, _current: ModelIndex, _previous: ModelIndex) -> None:
        self._enable_edits()

    def _on_expiring_toggled(self, checked: bool) -> None:
        self.pages.setCurrentIndex(1 if checked else 0)
        self._show_tools()
        if checked:
            self.refresh_expiring()
            self.days_spin.setFocus()

    def _on_back_clicked(self) -> None:
        self.show_expiring(False)

    def _on_expiring_activated(self, index: QModelIndex) -> None:
        person_id = self.expiring_model.record(index.row()).person_id
        self.show_expiring(False)
        self.select_person(person_id)
