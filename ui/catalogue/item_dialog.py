"""The item dialog: add a catalogue item, or edit one, checked as you type.

The dialog holds no rules of its own: every change of a field builds an ``ItemDraft``
and asks ``app.catalogue.items.validate`` what is wrong, and Save hands the draft to the service,
which checks it again with the database (a tag in use, a site of another agency).
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.audit.record import Actor
from app.catalogue.items import (
    QUANTITY_MAX,
    FieldProblem,
    ItemDraft,
    ItemInvalid,
    choices,
    create_item,
    load_draft,
    update_item,
    validate,
)
from app.core.clock import format_pence, today_uk
from app.core.errors import KitShareError
from app.core.text import parse_pounds
from app.storage.database import Database
from models import Condition
from ui.widgets.dates import keep_to_kit_share_years

W = TypeVar("W", bound=QWidget)

PROBLEM_COLOUR = "#b3261e"
ADD_TITLE = "Add a catalogue item"
LEFT_LABEL_SAMPLE = "Owning agency *"
INCOMPLETE_HINT = "Fill in the fields marked * to save."

CONDITION_LABELS = {
    Condition.NEW: "New",
    Condition.GOOD: "Good",
    Condition.FAIR: "Fair",
    Condition.POOR: "Poor",
    Condition.UNSERVICEABLE: "Unserviceable",
}


def pounds_to_pence(text: str) -> int | None:
    """``"1,250.50"`` or ``"£1250.5"`` as pence; None when blank.

    Raises ``ValueError`` saying how to write an amount (``app.core.text.parse_pounds``).
    """
    return parse_pounds(text)


def pence_to_pounds(value: int | None) -> str:
    """Pence as the money field shows it, without the pound sign (the field has one)."""
    return "" if value is None else format_pence(value).replace("£", "")


class ItemDialog(QDialog):
    """Adds an item (``item_id`` None) or edits one; ``saved_item_id`` is set on save."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        item_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._item_id = item_id
        self._version: int | None = None
        self._choices = choices(db)
        self._problem_labels: dict[str, QLabel] = {}
        # A new item's empty fields are not scolded until the person has been there.
        self._touched: set[str] = set()
        self._show_all = item_id is not None
        # Problems the service found with the database, kept until that field changes.
        self._saved_problems: dict[str, str] = {}
        self.saved_item_id: int | None = None

        self.setObjectName("itemDialog")
        self._build()
        if item_id is None:
            self.setWindowTitle(ADD_TITLE)
        else:
            draft, self._version = load_draft(db, item_id)
            self._fill(draft)
            self.setWindowTitle(f"Edit {draft.asset_tag}")
        self._connect()
        self._revalidate()

    # Layout ----------------------------------------------------------------------------

    def _build(self) -> None:
        self._make_fields()
        columns = QGridLayout()
        columns.setHorizontalSpacing(24)
        columns.addLayout(self._identity_form(), 0, 0)
        columns.addLayout(self._details_form(), 0, 1)
        columns.addLayout(self._texts_form(), 1, 0, 1, 2)
        columns.setColumnStretch(0, 3)
        columns.setColumnStretch(1, 2)
        outer = QVBoxLayout(self)
        outer.addLayout(columns)
        outer.addWidget(self._make_banner())
        outer.addLayout(self._make_footer())
        self.setMinimumWidth(860)

    def _make_fields(self) -> None:
        self.tag_edit = _named(QLineEdit(), "assetTag")
        self.tag_edit.setMaxLength(60)
        self.tag_edit.setPlaceholderText("e.g. CAM-DRN-001")
        self.name_edit = _named(QLineEdit(), "itemName")
        self.category_combo = _named(QComboBox(), "category")
        self.category_combo.addItem("Choose a category…", None)
        for category_id, name in self._choices.categories:
            self.category_combo.addItem(name, category_id)
        self.owner_combo = _named(QComboBox(), "owner")
        self.owner_combo.addItem("Choose an agency…", None)
        for agency_id, name in self._choices.agencies:
            self.owner_combo.addItem(name, agency_id)
        self.site_combo = _named(QComboBox(), "homeSite")
        self._fill_sites()
        self.pooled_check = QCheckBox("Pooled stock (several identical items under one tag)")
        self.pooled_check.setObjectName("pooled")
        self.quantity_spin = _named(QSpinBox(), "quantity")
        self.quantity_spin.setRange(0, QUANTITY_MAX)
        self.quantity_spin.setValue(1)
        self.quantity_spin.setEnabled(False)
        self.condition_combo = _named(QComboBox(), "condition")
        for condition, label in CONDITION_LABELS.items():
            self.condition_combo.addItem(label, condition)
        self.condition_combo.setCurrentIndex(self.condition_combo.findData(Condition.GOOD))

        self.make_edit = _named(QLineEdit(), "make")
        self.model_edit = _named(QLineEdit(), "model")
        self.serial_edit = _named(QLineEdit(), "serialNumber")
        self.acquired_check = _named(QCheckBox("Known"), "acquiredKnown")
        self.acquired_edit = _named(QDateEdit(), "acquiredOn")
        self.acquired_edit.setDisplayFormat("dd/MM/yyyy")
        self.acquired_edit.setCalendarPopup(True)
        keep_to_kit_share_years(self.acquired_edit)
        self.acquired_edit.setDate(_qdate(today_uk()))
        self.acquired_edit.setEnabled(False)
        self.value_edit = _money_edit("replacementValue")
        self.rate_edit = _money_edit("dailyHireRate")

        self.description_edit = _notes_edit("description", 3)
        self.accessories_edit = _notes_edit("accessories", 2)
        self.accessories_edit.setPlaceholderText("One per line, e.g. Two batteries")
        self.notes_edit = _notes_edit("notes", 2)

    def _form(self) -> QFormLayout:
        """A form whose labels line up with the other left-hand form's."""
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(6)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return form

    def _label_column_width(self) -> int:
        return self.fontMetrics().horizontalAdvance(LEFT_LABEL_SAMPLE) + 8

    def _identity_form(self) -> QFormLayout:
        identity = self._form()
        identity.addRow("Asset tag *", self._with_problem(self.tag_edit, "asset_tag"))
        identity.addRow("Name *", self._with_problem(self.name_edit, "name"))
        identity.addRow("Category *", self._with_problem(self.category_combo, "category_id"))
        identity.addRow("Owning agency *", self._with_problem(self.owner_combo, "owner_agency_id"))
        identity.addRow("Home site *", self._with_problem(self.site_combo, "home_site_id"))
        identity.addRow("", self.pooled_check)
        identity.addRow("Quantity", self._with_problem(self.quantity_spin, "quantity"))
        identity.addRow("Condition", self._with_problem(self.condition_combo, "condition"))
        self._align_labels(identity)
        return identity

    def _align_labels(self, form: QFormLayout) -> None:
        # The identity and text forms sit one above the other: same label column width.
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            label = item.widget() if item is not None else None
            if label is not None:
                label.setMinimumWidth(self._label_column_width())

    def _details_form(self) -> QFormLayout:
        acquired = QWidget()
        acquired_row = QHBoxLayout(acquired)
        acquired_row.setContentsMargins(0, 0, 0, 0)
        acquired_row.addWidget(self.acquired_check)
        acquired_row.addWidget(self.acquired_edit, 1)
        details = self._form()
        details.addRow("Make", self._with_problem(self.make_edit, "make"))
        details.addRow("Model", self._with_problem(self.model_edit, "model"))
        details.addRow("Serial number", self._with_problem(self.serial_edit, "serial_number"))
        details.addRow("Date acquired", self._with_problem(acquired, "acquired_on"))
        details.addRow(
            "Replacement value (£)", self._with_problem(self.value_edit, "replacement_value_pence")
        )
        details.addRow(
            "Daily hire rate (£)", self._with_problem(self.rate_edit, "daily_hire_rate_pence")
        )
        return details

    def _texts_form(self) -> QFormLayout:
        texts = self._form()
        texts.addRow("Description", self._with_problem(self.description_edit, "description"))
        texts.addRow("Accessories", self._with_problem(self.accessories_edit, "accessories"))
        texts.addRow("Notes", self._with_problem(self.notes_edit, "notes"))
        self._align_labels(texts)
        return texts

    def _make_banner(self) -> QLabel:
        self.error_banner = _named(QLabel(), "saveError")
        self.error_banner.setWordWrap(True)
        self.error_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_banner.setStyleSheet(
            f"QLabel {{ color: {PROBLEM_COLOUR}; background: #fdecea; "
            f"border: 1px solid {PROBLEM_COLOUR}; border-radius: 4px; padding: 6px; }}"
        )
        self.error_banner.hide()
        return self.error_banner

    def _make_footer(self) -> QHBoxLayout:
        self.hint_label = _named(QLabel(), "saveHint")
        self.hint_label.setWordWrap(True)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        assert save is not None
        self.save_button: QPushButton = save
        self.save_button.setObjectName("saveItem")
        self.buttons.accepted.connect(self._on_save_requested)
        self.buttons.rejected.connect(self.reject)

        footer = QHBoxLayout()
        footer.addWidget(self.hint_label, 1)
        footer.addWidget(self.buttons)
        return footer

    def _with_problem(self, field_widget: QWidget, field: str) -> QWidget:
        """``field_widget`` with a red line under it for that field's problem."""
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field_widget)
        label = _named(QLabel(), f"problem_{field}")
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {PROBLEM_COLOUR};")
        label.hide()
        column.addWidget(label)
        self._problem_labels[field] = label
        return holder

    def _connect(self) -> None:
        def touch(field: str) -> None:
            self._touched.add(field)
            self._saved_problems.pop(field, None)
            self._revalidate()

        self.tag_edit.textEdited.connect(lambda _: touch("asset_tag"))
        self.name_edit.textEdited.connect(lambda _: touch("name"))
        self.category_combo.currentIndexChanged.connect(lambda _: touch("category_id"))
        self.owner_combo.currentIndexChanged.connect(self._on_owner_changed)
        self.site_combo.currentIndexChanged.connect(lambda _: touch("home_site_id"))
        self.pooled_check.toggled.connect(self._on_pooled_toggled)
        self.quantity_spin.valueChanged.connect(lambda _: touch("quantity"))
        self.condition_combo.currentIndexChanged.connect(lambda _: touch("condition"))
        self.make_edit.textEdited.connect(lambda _: touch("make"))
        self.model_edit.textEdited.connect(lambda _: touch("model"))
        self.serial_edit.textEdited.connect(lambda _: touch("serial_number"))
        self.acquired_check.toggled.connect(self._on_acquired_toggled)
        self.acquired_edit.dateChanged.connect(lambda _: touch("acquired_on"))
        self.value_edit.textEdited.connect(lambda _: touch("replacement_value_pence"))
        self.rate_edit.textEdited.connect(lambda _: touch("daily_hire_rate_pence"))
        for edit in (self.description_edit, self.accessories_edit, self.notes_edit):
            edit.textChanged.connect(self._revalidate)

    def _fill(self, draft: ItemDraft) -> None:
        self.tag_edit.setText(draft.asset_tag)
        self.name_edit.setText(draft.name)
        self.category_combo.setCurrentIndex(max(self.category_combo.findData(draft.category_id), 0))
        self.owner_combo.setCurrentIndex(max(self.owner_combo.findData(draft.owner_agency_id), 0))
        self._fill_sites(select=draft.home_site_id)
        self.pooled_check.setChecked(draft.is_pooled)
        self.quantity_spin.setEnabled(draft.is_pooled)
        self.quantity_spin.setValue(draft.quantity)
        self.condition_combo.setCurrentIndex(self.condition_combo.findData(draft.condition))
        self.make_edit.setText(draft.make)
        self.model_edit.setText(draft.model)
        self.serial_edit.setText(draft.serial_number)
        self.description_edit.setPlainText(draft.description)
        self.accessories_edit.setPlainText(draft.accessories)
        self.notes_edit.setPlainText(draft.notes)
        if draft.acquired_on is not None:
            self.acquired_check.setChecked(True)
            self.acquired_edit.setEnabled(True)
            self.acquired_edit.setDate(_qdate(draft.acquired_on))
        self.value_edit.setText(pence_to_pounds(draft.replacement_value_pence))
        self.rate_edit.setText(pence_to_pounds(draft.daily_hire_rate_pence))

    def _fill_sites(self, select: int | None = None) -> None:
        """List only the chosen owner's sites, keeping the choice if it is still one."""
        keep = select if select is not None else self.site_combo.currentData()
        owner = self.owner_combo.currentData()
        self.site_combo.blockSignals(True)
        self.site_combo.clear()
        if owner is None:
            self.site_combo.addItem("Choose the owning agency first", None)
        else:
            self.site_combo.addItem("Choose a site…", None)
            for site in self._choices.sites_of(owner):
                self.site_combo.addItem(site.name, site.id)
        self.site_combo.setCurrentIndex(max(self.site_combo.findData(keep), 0))
        self.site_combo.blockSignals(False)

    # Reacting to the person ------------------------------------------------------------

    def _on_owner_changed(self, _index: int) -> None:
        self._fill_sites()
        for field in ("owner_agency_id", "home_site_id"):
            self._saved_problems.pop(field, None)
        self._touched.add("owner_agency_id")
        self._revalidate()

    def _on_pooled_toggled(self, pooled: bool) -> None:
        # A tagged item is one thing: the quantity goes back to 1 and cannot be changed.
        self.quantity_spin.setEnabled(pooled)
        if not pooled:
            self.quantity_spin.setValue(1)
        self._touched.add("quantity")
        self._revalidate()

    def _on_acquired_toggled(self, known: bool) -> None:
        self.acquired_edit.setEnabled(known)
        self._touched.add("acquired_on")
        self._revalidate()

    def draft(self) -> tuple[ItemDraft, list[FieldProblem]]:
        """The form as a draft, plus problems with money that could not be read at all."""
        unreadable: list[FieldProblem] = []
        money: dict[str, int | None] = {}
        for field, edit in (
            ("replacement_value_pence", self.value_edit),
            ("daily_hire_rate_pence", self.rate_edit),
        ):
            try:
                money[field] = pounds_to_pence(edit.text())
            except ValueError as error:
                money[field] = None
                unreadable.append(FieldProblem(field, str(error)))
        draft = ItemDraft(
            asset_tag=self.tag_edit.text(),
            name=self.name_edit.text(),
            category_id=self.category_combo.currentData(),
            owner_agency_id=self.owner_combo.currentData(),
            home_site_id=self.site_combo.currentData(),
            is_pooled=self.pooled_check.isChecked(),
            quantity=self.quantity_spin.value(),
            make=self.make_edit.text(),
            model=self.model_edit.text(),
            serial_number=self.serial_edit.text(),
            condition=self.condition_combo.currentData(),
            description=self.description_edit.toPlainText(),
            accessories=self.accessories_edit.toPlainText(),
            notes=self.notes_edit.toPlainText(),
            acquired_on=(
                _pydate(self.acquired_edit.date()) if self.acquired_check.isChecked() else None
            ),
            replacement_value_pence=money["replacement_value_pence"],
            daily_hire_rate_pence=money["daily_hire_rate_pence"],
        )
        return draft, unreadable

    def problems(self) -> dict[str, str]:
        """Every current problem by field, shown or not yet shown."""
        draft, unreadable = self.draft()
        found = {p.field: p.message for p in validate(draft, today=today_uk())}
        found.update({p.field: p.message for p in unreadable})
        for field, message in self._saved_problems.items():
            found.setdefault(field, message)
        return found

    def _revalidate(self) -> None:
        found = self.problems()
        hidden = False
        for field, label in self._problem_labels.items():
            message = found.get(field)
            visible = message is not None and (self._show_all or field in self._touched)
            hidden = hidden or (message is not None and not visible)
            label.setText(message or "")
            label.setVisible(visible)
        self.hint_label.setText(INCOMPLETE_HINT if hidden else "")
        self.save_button.setEnabled(not found)
        if not found:
            self.error_banner.hide()

    def _on_save_requested(self) -> None:
        draft, unreadable = self.draft()
        if unreadable or not self.save_button.isEnabled():
            self._show_all = True
            self._revalidate()
            return
        try:
            if self._item_id is None:
                self.saved_item_id = create_item(self._db, draft, self._actor)
            else:
                assert self._version is not None
                update_item(self._db, self._item_id, draft, self._actor, self._version)
                self.saved_item_id = self._item_id
        except ItemInvalid as error:
            self._saved_problems = {p.field: p.message for p in error.problems}
            self._show_all = True
            self._revalidate()
            # Each problem is already shown under its field; the banner is for the rest.
            if set(self._saved_problems) - set(self._problem_labels):
                self._show_banner(error)
            return
        except KitShareError as error:
            self._show_banner(error)
            return
        self.accept()

    def _show_banner(self, error: KitShareError) -> None:
        self.error_banner.setText(error.message)
        self.error_banner.show()


def _named(widget: W, name: str) -> W:
    """``widget`` with its object name set, so tests and style sheets can find it."""
    widget.setObjectName(name)
    return widget


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _money_edit(name: str) -> QLineEdit:
    edit = _named(QLineEdit(), name)
    edit.setPlaceholderText("Not recorded")
    edit.setAlignment(Qt.AlignmentFlag.AlignRight)
    return edit


def _notes_edit(name: str, lines: int) -> QPlainTextEdit:
    edit = _named(QPlainTextEdit(), name)
    edit.setTabChangesFocus(True)
    line_height = edit.fontMetrics().lineSpacing()
    edit.setFixedHeight(line_height * lines + 14)
    return edit
