"""The inspection regimes: the list of them, and the dialog that adds or changes one.

A regime says which kit needs which inspection, and how often: LOLER every six months
for a category, a service every year for one item.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.directory import ItemRef, find_item
from app.catalogue.items import choices, load_draft
from app.core.actor import Actor
from app.core.errors import KitShareError, NotFound, Refusal
from app.core.lookup import with_id
from app.core.permissions import Action, may, refusal
from app.inspections.regimes import (
    MAX_INTERVAL_DAYS,
    RegimeDraft,
    RegimeView,
    create_regime,
    delete_regime,
    list_regimes,
    update_regime,
)
from app.inspections.service import NAME_MAX
from app.storage.database import Database
from ui.inspections.dialogs import InspectionForm, permission_problems
from ui.widgets.layout import fit_spin, form_layout, heading, hint, muted, named
from ui.widgets.messages import confirm, show_error
from ui.widgets.record_model import RIGHT_ALIGNED, RecordTableModel, TableColumn
from ui.widgets.views import configure_record_table

CHOOSE_CATEGORY = "Choose the category…"
MONTHS = "months"
DAYS = "days"


class RegimeDialog(InspectionForm):
    """Add an inspection regime (``regime_id`` None) or change one; ``saved_regime_id``
    once saved. ``item_id`` is the item a new regime starts out covering."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        regime_id: int | None = None,
        *,
        item_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        existing = None
        if regime_id is not None:
            existing = with_id(
                list_regimes(db), regime_id, f"There is no inspection regime number {regime_id}."
            )
        title = "New inspection regime" if existing is None else "Edit inspection regime"
        super().__init__(db, actor, title, parent)
        self.setMinimumWidth(640)
        self.regime_id = regime_id
        self.saved_regime_id: int | None = None
        self._make_fields()
        form = self._lay_out_form()
        self._load(existing, item_id)
        self.watch(
            self.name_edit,
            self.category_combo,
            self.tag_edit,
            self.interval_spin,
            self.unit_combo,
            self.blocks_check,
        )
        self.watch(self.applies_group)
        self.applies_group.idToggled.connect(self._on_applies_toggled)
        self.tag_edit.textChanged.connect(self._on_tag_edited)
        self.finish(heading(title), form, ok_text="Add regime" if existing is None else "Save")
        self._on_applies_toggled()
        self._on_tag_edited()
        self.name_edit.setFocus()

    def _make_fields(self) -> None:
        self.name_edit = named(QLineEdit(), "regimeName")
        self.name_edit.setMaxLength(NAME_MAX + 20)
        self.name_edit.setPlaceholderText("e.g. LOLER thorough examination")
        self.category_radio = named(QRadioButton("A whole &category:"), "regimeForCategory")
        self.item_radio = named(QRadioButton("One &item, by asset tag:"), "regimeForItem")
        self.applies_group = QButtonGroup(self)
        self.applies_group.addButton(self.category_radio, 0)
        self.applies_group.addButton(self.item_radio, 1)
        self.category_combo = named(QComboBox(), "regimeCategory")
        self.category_combo.addItem(CHOOSE_CATEGORY, None)
        for category_id, name in choices(self._db).categories:
            self.category_combo.addItem(name, category_id)
        self.tag_edit = named(QLineEdit(), "regimeItemTag")
        self.tag_edit.setPlaceholderText("e.g. CFR-000221")
        self.tag_edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("CAMBS-DRN-000000") + 24)
        self.item_label = named(muted(""), "regimeItemName")
        self.interval_spin = named(QSpinBox(), "regimeInterval")
        self.interval_spin.setRange(0, MAX_INTERVAL_DAYS)
        fit_spin(self.interval_spin, "0000")
        self.unit_combo = named(QComboBox(), "regimeIntervalUnit")
        self.unit_combo.addItem(MONTHS, MONTHS)
        self.unit_combo.addItem(DAYS, DAYS)
        self.blocks_check = named(QCheckBox("A lapse stops the kit going &out"), "regimeBlocks")

    def _lay_out_form(self) -> QFormLayout:
        applies = QWidget()
        choice = QFormLayout(applies)
        choice.setContentsMargins(0, 0, 0, 0)
        choice.addRow(self.category_radio, self.category_combo)
        tag_row = QHBoxLayout()
        tag_row.addWidget(self.tag_edit)
        tag_row.addWidget(self.item_label, 1)
        choice.addRow(self.item_radio, tag_row)
        interval = QWidget()
        interval_row = QHBoxLayout(interval)
        interval_row.setContentsMargins(0, 0, 0, 0)
        interval_row.addWidget(muted("Every"))
        interval_row.addWidget(self.interval_spin)
        interval_row.addWidget(self.unit_combo)
        interval_row.addStretch(1)

        form = form_layout()
        self.add_field(form, "&Name *", self.name_edit, "name")
        applies_caption = QLabel("Applies to *")
        applies_caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.addRow(applies_caption, applies)
        self.point_field("applies_to", self.category_combo, self.tag_edit, caption=applies_caption)
        interval_caption = self.add_field(form, "In&terval *", interval, None)
        interval_caption.setBuddy(self.interval_spin)
        self.point_field("interval", self.interval_spin, caption=interval_caption)
        form.addRow("", self.blocks_check)
        form.addRow(
            "",
            hint(
                "With it ticked, kit whose inspection has lapsed, failed or was never recorded "
                "cannot be handed over. Changing the interval leaves due dates already "
                "recorded as they were worked out."
            ),
        )
        return form

    def _load(self, existing: RegimeView | None, item_id: int | None) -> None:
        if existing is not None:
            self.name_edit.setText(existing.name)
            by_item = existing.item_id is not None
            self.category_combo.setCurrentIndex(
                max(self.category_combo.findData(existing.category_id), 0)
            )
            self.tag_edit.setText(existing.item_tag)
            self.interval_spin.setValue(existing.interval_months or existing.interval_days or 0)
            self.unit_combo.setCurrentIndex(0 if existing.interval_months is not None else 1)
            self.blocks_check.setChecked(existing.blocks_issue)
        else:
            # An administrator keeps category regimes; a manager, their own items'.
            by_item = not may(self._actor, Action.SET_CATEGORY_REGIME)
            if item_id is not None:
                try:
                    draft, _version = load_draft(self._db, item_id)
                    self.tag_edit.setText(draft.asset_tag)
                    self.category_combo.setCurrentIndex(
                        max(self.category_combo.findData(draft.category_id), 0)
                    )
                except KitShareError:
                    pass
            self.interval_spin.setValue(12)
            self.blocks_check.setChecked(True)
        (self.item_radio if by_item else self.category_radio).setChecked(True)

    def _item(self) -> tuple[ItemRef | None, list[Refusal]]:
        """The item the tag names, or why it names none."""
        tag = self.tag_edit.text().strip()
        if not tag:
            return None, []
        try:
            return find_item(self._db, tag), []
        except NotFound:
            # Not the lookup's own message: that one points at the command line.
            return None, [
                Refusal(
                    "applies_to",
                    f"No catalogue item has the asset tag “{tag}”. Check the label.",
                    "applies_to",
                )
            ]

    def draft(self) -> RegimeDraft:
        amount = self.interval_spin.value()
        months = self.unit_combo.currentData() == MONTHS
        by_item = self.item_radio.isChecked()
        category = self.category_combo.currentData()
        return RegimeDraft(
            name=self.name_edit.text(),
            category_id=None if by_item or category is None else int(category),
            item_id=found.id if by_item and (found := self._item()[0]) else None,
            interval_days=None if months else amount,
            interval_months=amount if months else None,
            blocks_issue=self.blocks_check.isChecked(),
        )

    def check(self) -> list[Refusal]:
        # The register checks the rest when it saves: there is no check of a regime
        # before then (see the report on app.inspections.service).
        if self.item_radio.isChecked():
            found, problems = self._item()
            return problems + permission_problems(
                self._actor,
                Action.SET_ITEM_REGIME,
                agency_id=found.owner_agency_id if found else None,
            )
        return permission_problems(self._actor, Action.SET_CATEGORY_REGIME)

    def save(self) -> None:
        if self.regime_id is None:
            self.saved_regime_id = create_regime(self._db, self.draft(), self._actor)
        else:
            update_regime(self._db, self.regime_id, self.draft(), self._actor)
            self.saved_regime_id = self.regime_id

    def ready_text(self) -> str:
        return "A regime applies at once to every item it covers."

    def _on_applies_toggled(self, *_args: object) -> None:
        by_item = self.item_radio.isChecked()
        self.category_combo.setEnabled(not by_item)
        self.tag_edit.setEnabled(by_item)
        self.item_label.setEnabled(by_item)

    def _on_tag_edited(self, *_args: object) -> None:
        found, _problems = self._item()
        self.item_label.setText(found.name if found else "")


class RegimeColumn(TableColumn):
    NAME = "Regime", "LOLER thorough examination (work at height, people-li"
    APPLIES_TO = "Applies to", "Category: Thermal imaging camera"
    INTERVAL = "Interval", "Every 12 months "
    BLOCKS = "Lapse stops issue", "Lapse stops issue "
    RECORDED = "Inspections", "Inspections "


REGIME_SAMPLES = RegimeColumn.samples()


class RegimeTableModel(RecordTableModel[RegimeView]):
    """The inspection regimes, one a row."""

    HEADERS = RegimeColumn.headers()

    def text(self, record: RegimeView, column: int) -> str:
        if column == RegimeColumn.NAME:
            return record.name
        if column == RegimeColumn.APPLIES_TO:
            return record.applies_to
        if column == RegimeColumn.INTERVAL:
            return record.interval
        if column == RegimeColumn.BLOCKS:
            return "Yes" if record.blocks_issue else "No"
        return str(record.inspections)

    def alignment(self, column: int) -> Qt.AlignmentFlag | None:
        return RIGHT_ALIGNED if column == RegimeColumn.RECORDED else None


class RegimesDialog(QDialog):
    """The inspection regimes, to add to, change and remove; ``changed`` once any is.

    ``item_id`` is the item a new regime starts out covering (the one the person was on).
    """

    def __init__(
        self,
        db: Database,
        actor: Actor,
        *,
        item_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._item_id = item_id
        self.changed = False
        self.setWindowTitle("Inspection regimes")
        self.setMinimumSize(960, 480)

        self.model = RegimeTableModel(self)
        self.table = named(QTableView(), "regimesTable")
        self.table.setModel(self.model)
        configure_record_table(self.table, REGIME_SAMPLES, bold_column=RegimeColumn.BLOCKS)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(
            RegimeColumn.NAME, QHeaderView.ResizeMode.Stretch
        )
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.doubleClicked.connect(self._on_edit_clicked)

        self.add_button = named(QPushButton("&Add regime…"), "addRegime")
        self.edit_button = named(QPushButton("&Edit…"), "editRegime")
        self.delete_button = named(QPushButton("&Delete…"), "deleteRegime")
        self.add_button.clicked.connect(self._on_add_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.edit_button)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        row.addWidget(buttons)
        outer = QVBoxLayout(self)
        outer.addWidget(heading("Inspection regimes"))
        outer.addWidget(
            hint(
                "Each item is inspected under its category's regimes and any of its own. After "
                "a pass, the next inspection falls due after the regime's interval. Category "
                "regimes are an administrator's to keep; an item's own, its owner's equipment "
                "managers'."
            )
        )
        outer.addWidget(self.table, 1)
        outer.addLayout(row)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.refresh()

    def refresh(self, select: int | None = None) -> None:
        keep = select if select is not None else self.selected_regime_id()
        try:
            regimes = list_regimes(self._db)
        except KitShareError as error:
            show_error(self, error, "The regimes cannot be read")
            regimes = []
        self.model.show_rows(regimes)
        row = self.model.row_of(keep) if keep is not None else None
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        self._enable()

    @property
    def regimes(self) -> list[RegimeView]:
        return self.model.records()

    def selected_regime(self) -> RegimeView | None:
        index = self.table.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def selected_regime_id(self) -> int | None:
        regime = self.selected_regime()
        return regime.id if regime is not None else None

    def select_regime(self, regime_id: int) -> bool:
        row = self.model.row_of(regime_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def _why_not(self, regime: RegimeView | None) -> str | None:
        """Why the person may not change ``regime`` (None: they may)."""
        if regime is None:
            return "Select a regime first."
        if regime.category_id is not None:
            return refusal(self._actor, Action.SET_CATEGORY_REGIME)
        try:
            owner = find_item(self._db, regime.item_tag).owner_agency_id
        except KitShareError:
            owner = None
        return refusal(self._actor, Action.SET_ITEM_REGIME, agency_id=owner)

    def _enable(self) -> None:
        # For comfort only: the service refuses anyone the role does not allow.
        may_add = may(self._actor, Action.SET_ITEM_REGIME)
        self.add_button.setEnabled(may_add)
        self.add_button.setToolTip(refusal(self._actor, Action.SET_ITEM_REGIME) or "")
        why = self._why_not(self.selected_regime())
        for button in (self.edit_button, self.delete_button):
            button.setEnabled(why is None)
            button.setToolTip(why or "")

    def edit(self, regime_id: int | None) -> int | None:
        """Open the regime form for ``regime_id`` (None: a new one); the id saved, or None."""
        try:
            dialog = RegimeDialog(
                self._db, self._actor, regime_id, item_id=self._item_id, parent=self
            )
        except KitShareError as error:
            show_error(self, error, "The regime cannot be edited")
            return None
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.saved_regime_id is None:
            return None
        self.changed = True
        self.refresh(select=dialog.saved_regime_id)
        return dialog.saved_regime_id

    def delete(self) -> bool:
        """After a yes, remove the selected regime; whether it was."""
        regime = self.selected_regime()
        if regime is None:
            return False
        if not confirm(
            self,
            "Delete regime",
            f"Delete “{regime.name}”? Do this only for a regime entered in error: kit it "
            "covers is no longer held to it.",
            careful=True,
        ):
            return False
        try:
            delete_regime(self._db, regime.id, self._actor)
        except KitShareError as error:
            show_error(self, error, "The regime was not deleted")
            return False
        self.changed = True
        self.refresh()
        return True

    def _on_current_changed(self, *_args: object) -> None:
        self._enable()

    def _on_add_clicked(self) -> None:
        self.edit(None)

    def _on_edit_clicked(self, *_args: object) -> None:
        regime = self.selected_regime()
        if regime is not None and self._why_not(regime) is None:
            self.edit(regime.id)

    def _on_delete_clicked(self) -> None:
        self.delete()
