"""The item dialog: add a catalogue item, or edit one, checked as you type.

A form like every other (``ui.widgets.form``), it holds no rules of its own: every
change of a field builds an ``ItemDraft`` and asks ``app.catalogue.items.validate`` what
is wrong, at once, as that needs no database. Each problem is said under its field, and
a new item's empty fields wait until the person has been to them. Save hands the draft to
the service, which checks it again with the database (a tag in use, a site of another
agency); its refusal is shown the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.items import (
    QUANTITY_MAX,
    ItemDraft,
    choices,
    create_item,
    load_draft,
    update_item,
    validate,
)
from app.core.actor import Actor
from app.core.clock import today_uk
from app.core.errors import Refusal
from app.core.money import format_pence, read_amount
from app.storage.database import Database
from models import Condition
from ui.widgets.dates import DATE_FORMAT, keep_to_kit_share_years, pydate, qdate
from ui.widgets.form import FormDialog, change_signal
from ui.widgets.inputs import ConditionCombo, choose_id
from ui.widgets.layout import named
from ui.widgets.palette import REFUSED, REFUSED_STYLE, boxed, coloured_text

ADD_TITLE = "Add a catalogue item"
LEFT_LABEL_SAMPLE = "Owning agency *"
INCOMPLETE_HINT = "Fill in the fields marked * to save."


class ItemDialog(FormDialog):
    """Adds an item (``item_id`` None) or edits one; ``saved_item_id`` is set on save."""

    # ``validate`` needs no database: the form checks on every key, at once.
    check_delay_ms = 0

    def __init__(
        self,
        db: Database,
        actor: Actor,
        item_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(db, actor, ADD_TITLE, parent)
        self._item_id = item_id
        self._version: int | None = None
        self._choices = choices(db)
        self._problem_labels: dict[str, QLabel] = {}
        # A new item's empty fields are not scolded until the person has been there.
        self._touched: set[str] = set()
        self._show_all = item_id is not None
        self.saved_item_id: int | None = None

        self.setObjectName("itemDialog")
        self._build()
        if item_id is not None:
            draft, self._version = load_draft(db, item_id)
            self._fill(draft)
            self.setWindowTitle(f"Edit {draft.asset_tag}")
        self._connect()
        self.check_now()

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
        self.tag_edit = named(QLineEdit(), "assetTag")
        self.tag_edit.setMaxLength(60)
        self.tag_edit.setPlaceholderText("e.g. CAM-DRN-001")
        self.name_edit = named(QLineEdit(), "itemName")
        self.category_combo = named(QComboBox(), "category")
        self.category_combo.addItem("Choose a category…", None)
        for category_id, name in self._choices.categories:
            self.category_combo.addItem(name, category_id)
        self.owner_combo = named(QComboBox(), "owner")
        self.owner_combo.addItem("Choose an agency…", None)
        for agency_id, name in self._choices.agencies:
            self.owner_combo.addItem(name, agency_id)
        self.site_combo = named(QComboBox(), "homeSite")
        self._fill_sites()
        self.pooled_check = QCheckBox("Pooled stock (several identical items under one tag)")
        self.pooled_check.setObjectName("pooled")
        self.quantity_spin = named(QSpinBox(), "quantity")
        self.quantity_spin.setRange(0, QUANTITY_MAX)
        self.quantity_spin.setValue(1)
        self.quantity_spin.setEnabled(False)
        self.condition_combo = named(ConditionCombo(), "condition")
        self.condition_combo.choose(Condition.GOOD)

        self.make_edit = named(QLineEdit(), "make")
        self.model_edit = named(QLineEdit(), "model")
        self.serial_edit = named(QLineEdit(), "serialNumber")
        self.acquired_check = named(QCheckBox("Known"), "acquiredKnown")
        self.acquired_edit = named(QDateEdit(), "acquiredOn")
        self.acquired_edit.setDisplayFormat(DATE_FORMAT)
        self.acquired_edit.setCalendarPopup(True)
        keep_to_kit_share_years(self.acquired_edit)
        self.acquired_edit.setDate(qdate(today_uk()))
        self.acquired_edit.setEnabled(False)
        self.value_edit = money_edit("replacementValue")
        self.rate_edit = money_edit("dailyHireRate")

        self.description_edit = notes_edit("description", 3)
        self.accessories_edit = notes_edit("accessories", 2)
        self.accessories_edit.setPlaceholderText("One per line, e.g. Two batteries")
        self.notes_edit = notes_edit("notes", 2)

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
        self.error_banner = named(QLabel(), "saveError")
        self.error_banner.setWordWrap(True)
        self.error_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_banner.setStyleSheet(boxed(REFUSED_STYLE))
        self.error_banner.hide()
        return self.error_banner

    def _make_footer(self) -> QHBoxLayout:
        self.hint_label = named(QLabel(), "saveHint")
        self.hint_label.setWordWrap(True)
        self.save_button = named(self.ok_button, "saveItem")
        self.save_button.setText("Save")
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
        label = named(QLabel(), f"problem_{field}")
        label.setWordWrap(True)
        label.setStyleSheet(coloured_text(REFUSED))
        label.hide()
        column.addWidget(label)
        self._problem_labels[field] = label
        return holder

    def _connect(self) -> None:
        touching = {
            "asset_tag": self.tag_edit,
            "name": self.name_edit,
            "category_id": self.category_combo,
            "home_site_id": self.site_combo,
            "quantity": self.quantity_spin,
            "condition": self.condition_combo,
            "make": self.make_edit,
            "model": self.model_edit,
            "serial_number": self.serial_edit,
            "acquired_on": self.acquired_edit,
            "replacement_value_pence": self.value_edit,
            "daily_hire_rate_pence": self.rate_edit,
        }
        for field, widget in touching.items():
            change_signal(widget).connect(partial(self._touch, field))
        self.owner_combo.currentIndexChanged.connect(self._on_owner_changed)
        self.pooled_check.toggled.connect(self._on_pooled_toggled)
        self.acquired_check.toggled.connect(self._on_acquired_toggled)
        self.watch(self.description_edit, self.accessories_edit, self.notes_edit)

    def _fill(self, draft: ItemDraft) -> None:
        self.tag_edit.setText(draft.asset_tag)
        self.name_edit.setText(draft.name)
        choose_id(self.category_combo, draft.category_id)
        choose_id(self.owner_combo, draft.owner_agency_id)
        self._fill_sites(select=draft.home_site_id)
        self.pooled_check.setChecked(draft.is_pooled)
        self.quantity_spin.setEnabled(draft.is_pooled)
        self.quantity_spin.setValue(draft.quantity)
        self.condition_combo.choose(draft.condition)
        self.make_edit.setText(draft.make)
        self.model_edit.setText(draft.model)
        self.serial_edit.setText(draft.serial_number)
        self.description_edit.setPlainText(draft.description)
        self.accessories_edit.setPlainText(draft.accessories)
        self.notes_edit.setPlainText(draft.notes)
        if draft.acquired_on is not None:
            self.acquired_check.setChecked(True)
            self.acquired_edit.setEnabled(True)
            self.acquired_edit.setDate(qdate(draft.acquired_on))
        self.value_edit.setText(format_pence(draft.replacement_value_pence))
        self.rate_edit.setText(format_pence(draft.daily_hire_rate_pence))

    def _fill_sites(self, select: int | None = None) -> None:
        """List only the chosen owner's sites, keeping the choice if it is still one."""
        keep = select if select is not None else self.site_combo.currentData()
        owner = self.owner_combo.currentData()
        blocker = QSignalBlocker(self.site_combo)
        self.site_combo.clear()
        if owner is None:
            self.site_combo.addItem("Choose the owning agency first", None)
        else:
            self.site_combo.addItem("Choose a site…", None)
            for site in self._choices.sites_of(owner):
                self.site_combo.addItem(site.name, site.id)
        choose_id(self.site_combo, keep)
        blocker.unblock()

    # Reacting to the person ------------------------------------------------------------

    def _touch(self, field: str, *_args: object) -> None:
        self._touched.add(field)
        self.input_changed()

    def _on_owner_changed(self, _index: int) -> None:
        self._fill_sites()
        self._touch("owner_agency_id")

    def _on_pooled_toggled(self, pooled: bool) -> None:
        # A tagged item is one thing: the quantity goes back to 1 and cannot be changed.
        self.quantity_spin.setEnabled(pooled)
        if not pooled:
            self.quantity_spin.setValue(1)
        self._touch("quantity")

    def _on_acquired_toggled(self, known: bool) -> None:
        self.acquired_edit.setEnabled(known)
        self._touch("acquired_on")

    # The form and the service -------------------------------------------------------------

    def draft(self) -> tuple[ItemDraft, list[Refusal]]:
        """The form as a draft, plus problems with money that could not be read at all."""
        unreadable: list[Refusal] = []
        money: dict[str, int | None] = {}
        for field, edit in (
            ("replacement_value_pence", self.value_edit),
            ("daily_hire_rate_pence", self.rate_edit),
        ):
            money[field], problems = read_amount(edit.text(), field)
            unreadable += problems
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
            condition=self.condition_combo.condition() or Condition.GOOD,
            description=self.description_edit.toPlainText(),
            accessories=self.accessories_edit.toPlainText(),
            notes=self.notes_edit.toPlainText(),
            acquired_on=(
                pydate(self.acquired_edit.date()) if self.acquired_check.isChecked() else None
            ),
            replacement_value_pence=money["replacement_value_pence"],
            daily_hire_rate_pence=money["daily_hire_rate_pence"],
        )
        return draft, unreadable

    def check(self) -> list[Refusal]:
        draft, unreadable = self.draft()
        return [*unreadable, *validate(draft, today=today_uk())]

    def save(self) -> None:
        draft, _unreadable = self.draft()
        if self._item_id is None:
            self.saved_item_id = create_item(self._db, draft, self._actor)
        else:
            assert self._version is not None
            update_item(self._db, self._item_id, draft, self._actor, self._version)
            self.saved_item_id = self._item_id

    def show_problems(self, problems: Sequence[Refusal], *, refused: bool) -> None:
        """Each problem under its field (a new item's once the person has been there, or
        once Save was refused); what names no field, in the banner."""
        self._show_all = self._show_all or refused
        by_field: dict[str, str] = {}
        for problem in problems:
            by_field.setdefault(problem.field or "", problem.message)
        waiting = False
        for field, label in self._problem_labels.items():
            message = by_field.get(field)
            visible = message is not None and (self._show_all or field in self._touched)
            waiting = waiting or (message is not None and not visible)
            label.setText(message or "")
            label.setVisible(visible)
        self.hint_label.setText(INCOMPLETE_HINT if waiting else "")
        rest = [p.message for p in problems if (p.field or "") not in self._problem_labels]
        self.error_banner.setText("\n".join(rest))
        self.error_banner.setVisible(bool(rest))


def money_edit(name: str) -> QLineEdit:
    """An amount of money, typed in pounds, right-aligned; blank is "not recorded"."""
    edit = named(QLineEdit(), name)
    edit.setPlaceholderText("Not recorded")
    edit.setAlignment(Qt.AlignmentFlag.AlignRight)
    return edit


def notes_edit(name: str, lines: int) -> QPlainTextEdit:
    """A text of a few lines that stays ``lines`` high, scrolling beyond."""
    edit = named(QPlainTextEdit(), name)
    edit.setTabChangesFocus(True)
    line_height = edit.fontMetrics().lineSpacing()
    edit.setFixedHeight(line_height * lines + 14)
    return edit
