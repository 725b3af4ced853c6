"""The sharing protocol editor: who may borrow what under an MoU, and on what terms.

Checked as you type like the MoU editor: the asset tags typed are looked up with
``resolve_tags`` and the whole draft is put to ``check_protocol``; OK hands it to the
register, and a refusal then keeps the dialog open with everything as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.agreements.protocols import (
    NOTICE_HOURS_MAX,
    ProtocolDraft,
    check_protocol,
    create_protocol,
    protocol_draft_of,
    resolve_tags,
    update_protocol,
)
from app.agreements.reading import Choice, ProtocolView, get_mou, register_choices
from app.core.actor import Actor
from app.core.clock import format_hours
from app.core.errors import Refusal, Refused
from app.core.lookup import with_id
from app.core.money import format_pence, read_amount
from app.core.vocabulary import label
from app.storage.database import Database
from models import ChargingBasis, Role
from ui.agreements.mou_dialog import PARAGRAPH_HINT
from ui.widgets.form import FormDialog
from ui.widgets.layout import fit_spin, form_layout, heading, hint, named, plain_text_edit

MAX_DAYS = 365
MAX_NOTICE_HOURS = NOTICE_HOURS_MAX
TAG_SEPARATORS = re.compile(r"[\s,;]+")


def split_tags(text: str) -> list[str]:
    """Asset tags typed with commas, semicolons, spaces or new lines between them."""
    return [tag for tag in TAG_SEPARATORS.split(text) if tag]


class CheckList(QListWidget):
    """Choices with a tick box each; ``checked_ids`` in the order listed."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)

    def set_choices(self, choices: Iterable[Choice], checked: Iterable[int] = ()) -> None:
        ticked = set(checked)
        with QSignalBlocker(self):
            self.clear()
            for choice in choices:
                item = QListWidgetItem(choice.name)
                item.setData(Qt.ItemDataRole.UserRole, choice.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    Qt.CheckState.Checked if choice.id in ticked else Qt.CheckState.Unchecked
                )
                self.addItem(item)

    def checked_ids(self) -> tuple[int, ...]:
        return tuple(
            int(self.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.count())
            if self.item(row).checkState() == Qt.CheckState.Checked
        )

    def set_checked(self, choice_id: int, checked: bool = True) -> None:
        """Tick (or untick) the choice with ``choice_id``, as a click on its box would."""
        for row in range(self.count()):
            item = self.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == choice_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return
        raise KeyError(choice_id)

    def names(self) -> list[str]:
        return [self.item(row).text() for row in range(self.count())]


class ProtocolDialog(FormDialog):
    """Add a protocol under ``mou_id`` (``protocol_id`` None) or edit one of its protocols;
    ``saved_protocol_id`` once saved."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        mou_id: int,
        protocol_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        mou = get_mou(db, mou_id)
        existing: ProtocolView | None = None
        if protocol_id is not None:
            existing = with_id(
                mou.protocols,
                protocol_id,
                f"{mou.label} has no sharing protocol with id {protocol_id}; "
                "it may have been moved or removed.",
            )
        title = "New sharing protocol" if existing is None else "Edit sharing protocol"
        super().__init__(db, actor, title, parent)
        self.mou_id = mou_id
        self.protocol_id = protocol_id
        self.saved_protocol_id: int | None = None
        self.choices = register_choices(db)
        draft = protocol_draft_of(existing) if existing else ProtocolDraft(mou_id=mou_id, name="")
        self.setMinimumSize(820, 640)

        self._make_term_fields()
        self._make_coverage_fields()

        self.tabs.setObjectName("protocolTabs")
        self.tabs.addTab(self._terms_page(), "&Terms")
        self.tabs.addTab(self._coverage_page(), "&Who and what")
        self.tabs.addTab(self._wording_page(), "W&ording")

        self._load(draft, [Choice(p.agency_id, p.name) for p in mou.parties])
        if existing is not None:
            self.set_item_tags([tag for _id, tag, _name in existing.items])
        self.watch(
            self.name_edit,
            self.active_check,
            self.emergency_check,
            self.approver_combo,
            self.approver_title_edit,
            self.notice_spin,
            self.longest_days,
            self.longest_hours,
            self.charging_combo,
            self.rate_edit,
            self.unit_edit,
            self.borrower_list,
            self.category_list,
            self.qualification_list,
            self.items_edit,
            self.use_conditions_edit,
            self.protocol_text_edit,
            self.data_terms_edit,
        )
        self.charging_combo.currentIndexChanged.connect(self._on_charging_changed)
        self.notice_spin.valueChanged.connect(self._on_period_changed)
        self.longest_days.valueChanged.connect(self._on_period_changed)
        self.longest_hours.valueChanged.connect(self._on_period_changed)
        self._on_charging_changed()
        self._on_period_changed()

        under = hint(f"Under {mou.label}: {mou.title}")
        top = heading(existing.name if existing else f"New sharing protocol under {mou.label}")
        self.finish(top, under, self.tabs, ok_text="Add protocol" if existing is None else "Save")

    # Fields and pages -----------------------------------------------------------------------

    def _make_term_fields(self) -> None:
        self.name_edit = named(QLineEdit(), "protocolName")
        self.name_edit.setPlaceholderText("e.g. Drones for police searches")
        self.active_check = named(QCheckBox("Active: loans can be made under it"), "protocolActive")
        self.emergency_check = named(QCheckBox("Emergency use only"), "protocolEmergencyOnly")
        self.approver_combo = named(QComboBox(), "protocolApproverRole")
        for role in Role:
            self.approver_combo.addItem(label(role), role)
        self.approver_title_edit = named(QLineEdit(), "protocolApproverTitle")
        self.approver_title_edit.setPlaceholderText("e.g. Duty Group Commander (blank: the role)")
        self.notice_spin = named(QSpinBox(), "protocolNoticeHours")
        self.notice_spin.setRange(0, MAX_NOTICE_HOURS)
        self.notice_spin.setSuffix(" hours")
        self.notice_spin.setSpecialValueText("No notice")
        fit_spin(self.notice_spin, "2160 hours")
        self.notice_hint = hint("")
        self.longest_days = named(QSpinBox(), "protocolLongestDays")
        self.longest_days.setRange(0, MAX_DAYS)
        self.longest_days.setSuffix(" days")
        fit_spin(self.longest_days, "365 days")
        self.longest_hours = named(QSpinBox(), "protocolLongestHours")
        self.longest_hours.setRange(0, 23)
        self.longest_hours.setSuffix(" hours")
        fit_spin(self.longest_hours, "23 hours")
        self.longest_hint = hint("")
        self.charging_combo = named(QComboBox(), "protocolCharging")
        for basis in ChargingBasis:
            self.charging_combo.addItem(label(basis), basis)
        # Typed, not spun: read by ``parse_pounds`` like every amount of money.
        self.rate_edit = named(QLineEdit(), "protocolRate")
        self.rate_edit.setPlaceholderText("£45.00")
        self.rate_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.rate_edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("x" * 18))
        self.unit_edit = named(QLineEdit(), "protocolChargeUnit")
        self.unit_edit.setPlaceholderText("day")
        self.unit_edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("x" * 18))

    def _make_coverage_fields(self) -> None:
        self.borrower_list = CheckList("protocolBorrowers")
        self.category_list = CheckList("protocolCategories")
        self.qualification_list = CheckList("protocolCompetence")
        self.items_edit = named(QLineEdit(), "protocolItems")
        self.items_edit.setPlaceholderText("Asset tags, e.g. CAMBS-DRN-001, CAMBS-DRN-002")
        self.items_hint = hint(
            "Kit named here is governed by this protocol before any covering its category."
        )

        self.use_conditions_edit = plain_text_edit("protocolUseConditions", 4)
        self.protocol_text_edit = plain_text_edit("protocolText", 5)
        self.data_terms_edit = plain_text_edit("protocolDataTerms", 3)

    def _terms_page(self) -> QWidget:
        page = QWidget()
        form = form_layout()
        self._row(form, page, "&Name", self.name_edit, field="name")
        flags = QHBoxLayout()
        flags.addWidget(self.active_check)
        flags.addSpacing(24)
        flags.addWidget(self.emergency_check)
        flags.addStretch(1)
        form.addRow("", flags)
        self.point_field("is_active", self.active_check, page=page)
        self.point_field("emergency_only", self.emergency_check, page=page)

        approver = QHBoxLayout()
        approver.addWidget(self.approver_combo)
        approver.addWidget(self.approver_title_edit, 1)
        approver_label = self._row(form, page, "&Approved by", approver, buddy=self.approver_combo)
        self.point_field("approver_role", self.approver_combo, caption=approver_label, page=page)
        self.point_field(
            "approver_title", self.approver_title_edit, caption=approver_label, page=page
        )

        notice = QHBoxLayout()
        notice.addWidget(self.notice_spin)
        notice.addWidget(self.notice_hint, 1)
        self._row(
            form, page, "Noti&ce needed", notice, field="notice_hours", buddy=self.notice_spin
        )

        longest = QHBoxLayout()
        longest.addWidget(self.longest_days)
        longest.addWidget(self.longest_hours)
        longest.addWidget(self.longest_hint, 1)
        longest_label = self._row(form, page, "&Longest loan", longest, buddy=self.longest_days)
        self.point_field(
            "max_loan_hours",
            self.longest_days,
            self.longest_hours,
            caption=longest_label,
            page=page,
        )

        self._charging_row(form, page)

        column = QVBoxLayout(page)
        column.setContentsMargins(12, 12, 12, 12)
        column.addLayout(form)
        conditions_label = QLabel("Conditions of &use")
        conditions_label.setBuddy(self.use_conditions_edit)
        column.addSpacing(6)
        column.addWidget(conditions_label)
        column.addWidget(self.use_conditions_edit, 1)
        self.point_field(
            "use_conditions", self.use_conditions_edit, caption=conditions_label, page=page
        )
        return page

    def _charging_row(self, form: QFormLayout, page: QWidget) -> None:
        charging = QGridLayout()
        charging.setHorizontalSpacing(8)
        charging.addWidget(self.charging_combo, 0, 0, 1, 4)
        rate_label = QLabel("&Rate")
        rate_label.setBuddy(self.rate_edit)
        per_label = QLabel("per")
        per_label.setBuddy(self.unit_edit)
        charging.addWidget(rate_label, 1, 0)
        charging.addWidget(self.rate_edit, 1, 1)
        charging.addWidget(per_label, 1, 2)
        charging.addWidget(self.unit_edit, 1, 3)
        charging.setColumnStretch(4, 1)
        self._row(form, page, "C&harging", charging, field="charging", buddy=self.charging_combo)
        self.point_field("charge_rate_pence", self.rate_edit, caption=rate_label, page=page)
        self.point_field("charge_unit", self.unit_edit, caption=per_label, page=page)

    def _coverage_page(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        grid.setContentsMargins(12, 12, 12, 12)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(10)
        boxes = (
            ("Who may &borrow (parties to the MoU)", self.borrower_list, "borrower_ids", 0, 0),
            ("&Categories covered", self.category_list, "category_ids", 0, 1),
            ("Co&mpetence required of users", self.qualification_list, "qualification_ids", 1, 0),
        )
        for title, widget, field, row, column in boxes:
            box = QGroupBox(title)
            inner = QVBoxLayout(box)
            inner.addWidget(widget)
            grid.addWidget(box, row, column)
            self.point_field(field, widget, page=page)
        items_box = QGroupBox("&Items named")
        inner = QVBoxLayout(items_box)
        inner.addWidget(self.items_edit)
        inner.addWidget(self.items_hint)
        inner.addStretch(1)
        grid.addWidget(items_box, 1, 1)
        self.point_field("item_ids", self.items_edit, page=page)
        self.point_field("items", self.items_edit, page=page)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        return page

    def _wording_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(12, 12, 12, 12)
        for text, edit, field, stretch in (
            ("&Protocol text", self.protocol_text_edit, "protocol_text", 3),
            (
                "&Data terms (footage, records and personal data)",
                self.data_terms_edit,
                "data_terms",
                2,
            ),
        ):
            label = QLabel(text)
            label.setBuddy(edit)
            column.addWidget(label)
            column.addWidget(edit, stretch)
            self.point_field(field, edit, caption=label, page=page)
        column.addWidget(hint(PARAGRAPH_HINT))
        return page

    def _row(
        self,
        form: QFormLayout,
        page: QWidget,
        text: str,
        field_widget: QWidget | QLayout,
        *,
        field: str | None = None,
        buddy: QWidget | None = None,
    ) -> QLabel:
        label = QLabel(text)
        target = buddy or field_widget
        assert isinstance(target, QWidget)
        label.setBuddy(target)
        form.addRow(label, field_widget)
        if field is not None:
            self.point_field(field, target, caption=label, page=page)
        return label

    # Loading and reading --------------------------------------------------------------------

    def _load(self, draft: ProtocolDraft, parties: Sequence[Choice]) -> None:
        self.name_edit.setText(draft.name)
        self.active_check.setChecked(draft.is_active)
        self.emergency_check.setChecked(draft.emergency_only)
        self.approver_combo.setCurrentIndex(
            max(self.approver_combo.findData(draft.approver_role), 0)
        )
        self.approver_title_edit.setText(draft.approver_title)
        self.notice_spin.setValue(draft.notice_hours)
        days, hours = divmod(max(draft.max_loan_hours, 0), 24)
        self.longest_days.setValue(days)
        self.longest_hours.setValue(hours)
        self.charging_combo.setCurrentIndex(max(self.charging_combo.findData(draft.charging), 0))
        self.rate_edit.setText(format_pence(draft.charge_rate_pence))
        self.unit_edit.setText(draft.charge_unit)
        # A borrower who is no longer a party stays listed, so the check can say so.
        listed = {party.id for party in parties}
        strays = [
            Choice(b, f"Agency {b} (not a party)") for b in draft.borrower_ids if b not in listed
        ]
        self.borrower_list.set_choices([*parties, *strays], draft.borrower_ids)
        self.category_list.set_choices(self.choices.categories, draft.category_ids)
        self.qualification_list.set_choices(self.choices.qualifications, draft.qualification_ids)
        self.use_conditions_edit.setPlainText(draft.use_conditions)
        self.protocol_text_edit.setPlainText(draft.protocol_text)
        self.data_terms_edit.setPlainText(draft.data_terms)

    def set_item_tags(self, tags: Sequence[str]) -> None:
        self.items_edit.setText(", ".join(tags))

    def tags(self) -> list[str]:
        return split_tags(self.items_edit.text())

    def max_loan_hours(self) -> int:
        return self.longest_days.value() * 24 + self.longest_hours.value()

    def charging(self) -> ChargingBasis:
        value = self.charging_combo.currentData()
        return value if isinstance(value, ChargingBasis) else ChargingBasis.NONE

    def rate(self) -> tuple[int | None, list[Refusal]]:
        """The rate typed, in pence (None when not charging at a rate), and the problem
        with it if it cannot be read as money."""
        if self.charging() is not ChargingBasis.RATE:
            return None, []
        return read_amount(self.rate_edit.text(), "charge_rate_pence")

    def draft(self, item_ids: tuple[int, ...] = ()) -> ProtocolDraft:
        """The protocol as the form holds it, naming the items ``item_ids``."""
        role = self.approver_combo.currentData()
        rate = self.charging() is ChargingBasis.RATE
        rate_pence, _unreadable = self.rate()
        return ProtocolDraft(
            mou_id=self.mou_id,
            name=self.name_edit.text().strip(),
            borrower_ids=self.borrower_list.checked_ids(),
            category_ids=self.category_list.checked_ids(),
            item_ids=item_ids,
            approver_role=role if isinstance(role, Role) else Role.EQUIPMENT_MANAGER,
            approver_title=self.approver_title_edit.text().strip(),
            notice_hours=self.notice_spin.value(),
            max_loan_hours=self.max_loan_hours(),
            qualification_ids=self.qualification_list.checked_ids(),
            charging=self.charging(),
            charge_rate_pence=rate_pence,
            charge_unit=self.unit_edit.text().strip() if rate else "",
            use_conditions=self.use_conditions_edit.toPlainText().strip(),
            protocol_text=self.protocol_text_edit.toPlainText().strip(),
            data_terms=self.data_terms_edit.toPlainText().strip(),
            is_active=self.active_check.isChecked(),
            emergency_only=self.emergency_check.isChecked(),
        )

    # Checking and saving ----------------------------------------------------------------------

    def check(self) -> list[Refusal]:
        tag_problems: list[Refusal] = []
        try:
            item_ids = resolve_tags(self._db, self.tags())
        except Refused as error:
            tag_problems = list(error.problems)
            item_ids = ()
        problems = check_protocol(self._db, self.draft(item_ids), protocol_id=self.protocol_id)
        _rate, rate_problems = self.rate()
        if rate_problems:
            # "A charge at a rate needs a rate" only repeats that the rate cannot be read.
            problems = [p for p in problems if p.field != "charge_rate_pence"]
        if tag_problems:
            # "Choose a category or item" only repeats that the tags typed are not known.
            problems = [p for p in problems if p.rule != "coverage" or p.field == "item_ids"]
        return tag_problems + rate_problems + problems

    def save(self) -> None:
        draft = self.draft(resolve_tags(self._db, self.tags()))
        if self.protocol_id is None:
            self.saved_protocol_id = create_protocol(self._db, draft, self._actor)
        else:
            update_protocol(self._db, self.protocol_id, draft, self._actor)
            self.saved_protocol_id = self.protocol_id

    def ready_text(self) -> str:
        if self.protocol_id is None:
            return "Ready to add this protocol."
        return "Ready to save the changes to this protocol."

    # Reacting -------------------------------------------------------------------------------

    def _on_charging_changed(self, *_args: object) -> None:
        rate = self.charging() is ChargingBasis.RATE
        self.rate_edit.setEnabled(rate)
        self.unit_edit.setEnabled(rate)

    def _on_period_changed(self, *_args: object) -> None:
        for spin, unit in (
            (self.notice_spin, "hour"),
            (self.longest_days, "day"),
            (self.longest_hours, "hour"),
        ):
            spin.setSuffix(f" {unit}" if spin.value() == 1 else f" {unit}s")
        hours = self.max_loan_hours()
        self.longest_hint.setText(f"{hours} hours in all" if hours else "Give at least 1 hour")
        notice = self.notice_spin.value()
        self.notice_hint.setText(f"= {format_hours(notice)}" if notice >= 24 else "")
