"""The kit dialog: define a kit, or change one, checked as the person types.

A form like every other (``ui.widgets.form``): each change builds a ``KitDraft`` and
asks ``app.kits.service.check_kit`` what is wrong; each refusal outlines the field it
names and is said in the message area. Members are added by typing a tag (as printed on
the label, or scanned) or by choosing from the owner's items as the name is typed, and
taken out with Delete.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHeaderView,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.directory import ItemRef, find_item, list_agencies, list_sites
from app.core.actor import Actor
from app.core.errors import KitShareError, Refusal
from app.core.permissions import Action, may
from app.core.text import counted
from app.kits.choices import member_choices
from app.kits.rules import NOTE_MAX, KitDraft, MemberDraft
from app.kits.service import KitView, check_kit, create_kit, get_kit, update_kit
from app.storage.database import Database
from ui.widgets.form import FormDialog
from ui.widgets.inputs import choose_id, chosen_id
from ui.widgets.layout import fit_spin, form_layout, muted, named, plain_text_edit

ADD_TITLE = "Define a kit"
ADD_HINT = "Type a tag, or an item's name, and press Enter to add it"
MEMBER_COLUMNS = ("Member", "Qty", "Note for whoever packs it")
QUANTITY_MAX = 999_999
QUANTITY_SAMPLE = "9999"


class MembersEditor(QWidget):
    """The kit's members in order: each item, how many (of a pool) and a note; a line
    to add one by its tag or name, and Delete to take the chosen one out."""

    changed = Signal()
    """A member was added, taken out, or its quantity or note changed."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._items: list[ItemRef] = []
        self._by_label: dict[str, ItemRef] = {}
        self.lookup_problem: Refusal | None = None  # a tag typed that names no item
        self.table = named(QTableWidget(0, len(MEMBER_COLUMNS)), "kitMembers")
        self.table.setHorizontalHeaderLabels(list(MEMBER_COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Rows as tall as the spin box and note in them, the Qty column as wide.
        sample = QSpinBox()
        fit_spin(sample, QUANTITY_SAMPLE)
        self._quantity_width = sample.minimumWidth()
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(QLineEdit().sizeHint().height() + 4)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(1, self._quantity_width)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(self.fontMetrics().lineSpacing() * 9)
        self.table.installEventFilter(self)
        self.add_edit = named(QLineEdit(), "addMember")
        self.add_edit.setPlaceholderText(ADD_HINT)
        self.add_edit.returnPressed.connect(self._on_add_entered)
        self.add_edit.textEdited.connect(self._on_add_edited)
        self._members: list[tuple[ItemRef, QSpinBox, QLineEdit]] = []
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.table, 1)
        column.addWidget(self.add_edit)
        column.addWidget(muted("Delete takes the chosen member out of the kit."))

    def offer(self, items: Sequence[ItemRef]) -> None:
        """Complete names and tags from ``items`` (the owner's) as the person types."""
        self._items = list(items)
        self._by_label = {item_label(item).casefold(): item for item in items}
        completer = QCompleter([item_label(item) for item in items], self.add_edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.add_edit.setCompleter(completer)

    def members(self) -> tuple[MemberDraft, ...]:
        return tuple(
            MemberDraft(item.id, quantity.value(), note.text())
            for item, quantity, note in self._members
        )

    def add(self, item: ItemRef, quantity: int = 1, note: str = "") -> None:
        """Add ``item`` at the end; one already listed is not added twice."""
        if any(listed.id == item.id for listed, _q, _n in self._members):
            self.table.selectRow(self._row_of(item.id))
            return
        spin = named(QSpinBox(), "memberQuantity")
        spin.setRange(1, QUANTITY_MAX)
        spin.setValue(quantity)
        spin.setEnabled(item.is_pooled)
        spin.setToolTip(f"Of {item.quantity}" if item.is_pooled else "A single item")
        fit_spin(spin, QUANTITY_SAMPLE)
        edit = named(QLineEdit(note), "memberNote")
        edit.setMaxLength(NOTE_MAX)
        edit.setPlaceholderText("e.g. check bung")
        row = self.table.rowCount()
        self.table.insertRow(row)
        cell = QTableWidgetItem(item_label(item))
        cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        self.table.setItem(row, 0, cell)
        self.table.setCellWidget(row, 1, spin)
        self.table.setCellWidget(row, 2, edit)
        spin.valueChanged.connect(self.changed)
        edit.textChanged.connect(self.changed)
        self._members.append((item, spin, edit))
        self.changed.emit()

    def remove_chosen(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self._members):
            self.table.removeRow(row)
            del self._members[row]
            self.changed.emit()

    def _row_of(self, item_id: int) -> int:
        return next(i for i, (item, _q, _n) in enumerate(self._members) if item.id == item_id)

    def _on_add_edited(self, _text: str) -> None:
        if self.lookup_problem is not None:
            self.lookup_problem = None
            self.changed.emit()

    def _on_add_entered(self) -> None:
        text = self.add_edit.text().strip()
        if not text:
            return
        item = self._by_label.get(text.casefold())
        self.lookup_problem = None
        if item is None:
            try:
                item = find_item(self._db, text)
            except KitShareError as error:
                self.lookup_problem = Refusal("member_tag", error.message, "members")
                self.changed.emit()
                return
        with QSignalBlocker(self.add_edit):
            self.add_edit.clear()
        self.add(item)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        ):
            self.remove_chosen()
            return True
        return super().eventFilter(watched, event)


def item_label(item: ItemRef) -> str:
    """ "CFR-000301 Inflatable rescue boat (pool of 10)": as the member list shows it."""
    pool = f" (pool of {item.quantity})" if item.is_pooled else ""
    return f"{item.asset_tag} {item.name}{pool}"


class KitDialog(FormDialog):
    """Defines a kit (``kit_id`` None) or changes one; ``saved_kit_id`` once saved."""

    def __init__(
        self, db: Database, actor: Actor, kit_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(db, actor, ADD_TITLE, parent)
        self.setObjectName("kitDialog")
        self._kit_id = kit_id
        self._version: int | None = None
        self.saved_kit_id: int | None = None
        self._sites = list_sites(db)
        self._make_fields()
        self._build()
        if kit_id is not None:
            kit = get_kit(db, kit_id)
            self._version = kit.row_version
            self.setWindowTitle(f"Edit kit “{kit.name}”")
            self._fill(kit)
        self._on_owner_changed()
        self.check_now()

    def _make_fields(self) -> None:
        self.name_edit = named(QLineEdit(), "kitName")
        self.name_edit.setPlaceholderText("e.g. Water rescue team kit")
        self.owner_combo = named(QComboBox(), "kitOwner")
        self.owner_combo.addItem("Choose the owning agency…", None)
        for agency in list_agencies(self._db):
            # For comfort: the service refuses another agency's kit all the same.
            if may(self._actor, Action.EDIT_KITS, agency_id=agency.id):
                self.owner_combo.addItem(agency.name, agency.id)
        choose_id(self.owner_combo, self._actor.agency_id)
        self.site_combo = named(QComboBox(), "kitSite")
        self.description_edit = plain_text_edit("kitDescription", 3)
        self.members = MembersEditor(self._db)
        self.owner_combo.currentIndexChanged.connect(self._on_owner_changed)
        self.watch(self.name_edit, self.site_combo, self.description_edit, self.members)

    def _build(self) -> None:
        form = form_layout()
        self.add_field(form, "&Name *", self.name_edit, "name")
        self.add_field(form, "&Owning agency *", self.owner_combo, "owner_agency_id")
        self.add_field(form, "&Home site *", self.site_combo, "home_site_id")
        self.add_field(form, "&Description", self.description_edit, "description")
        # Outlined where a member is added or taken out: an outline on the table would
        # run through every cell in it.
        self.add_field(form, "&Members *", self.members, "members", mark=self.members.add_edit)
        self.setMinimumWidth(760)
        self.finish(form, ok_text="Save")
        self.name_edit.setFocus()

    def _fill(self, kit: KitView) -> None:
        self.name_edit.setText(kit.name)
        choose_id(self.owner_combo, kit.owner_agency_id)
        self._on_owner_changed(keep_site=kit.home_site_id)
        self.description_edit.setPlainText(kit.description)
        for m in kit.members:
            # Every member as it stands, a retired one too: the check then names it.
            item = ItemRef(
                m.item_id, m.asset_tag, m.name, m.is_pooled, m.item_quantity, kit.owner_agency_id
            )
            self.members.add(item, m.quantity, m.note)

    def _on_owner_changed(self, *_args: object, keep_site: int | None = None) -> None:
        """List the owner's sites and items; keep the site chosen if it is still one."""
        owner = chosen_id(self.owner_combo)
        keep = keep_site if keep_site is not None else chosen_id(self.site_combo)
        with QSignalBlocker(self.site_combo):
            self.site_combo.clear()
            self.site_combo.addItem(
                "Choose a site…" if owner is not None else "Choose the owner first", None
            )
            for site in self._sites:
                if site.agency_id == owner:
                    self.site_combo.addItem(site.name, site.id)
            choose_id(self.site_combo, keep)
        self.members.offer(member_choices(self._db, owner) if owner is not None else [])
        self.input_changed()

    def draft(self) -> KitDraft:
        return KitDraft(
            name=self.name_edit.text(),
            owner_agency_id=chosen_id(self.owner_combo),
            home_site_id=chosen_id(self.site_combo),
            members=self.members.members(),
            description=self.description_edit.toPlainText(),
        )

    def check(self) -> list[Refusal]:
        typed = [self.members.lookup_problem] if self.members.lookup_problem else []
        return typed + check_kit(self._db, self.draft(), kit_id=self._kit_id)

    def save(self) -> None:
        if self._kit_id is None:
            self.saved_kit_id = create_kit(self._db, self.draft(), self._actor)
        else:
            assert self._version is not None
            update_kit(self._db, self._kit_id, self.draft(), self._actor, self._version)
            self.saved_kit_id = self._kit_id

    def ready_text(self) -> str:
        return f"Nothing stops this kit: {counted(len(self.members.members()), 'member')}."
