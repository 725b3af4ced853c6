"""The dialogs of inspections and defects: recording an inspection, reporting a defect,
clearing one, and keeping the inspection regimes.

Like every form in Kit Share they hold no rules. A change of any field starts a short
timer; when it fires the dialog builds a draft and asks ``app.inspections.service`` what is
wrong, outlining the field each problem names. OK hands the draft to the service, which
checks everything again (and whether the person signed in may do it); a refusal then is
shown in the same place, and everything typed stays as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.detail import ItemDetail, item_detail
from app.catalogue.directory import PersonRef, fold, list_people
from app.catalogue.items import QUANTITY_MAX
from app.core.actor import Actor
from app.core.clock import UK, format_date, today_uk
from app.core.errors import Refusal
from app.core.permissions import Action, refusal
from app.core.vocabulary import label
from app.inspections.defects import (
    DefectDraft,
    DefectView,
    check_defect,
    clear_defect,
    get_defect,
    list_defects,
    report_defect,
)
from app.inspections.recording import (
    CERTIFICATE_MAX,
    InspectionDraft,
    check_inspection,
    record_inspection,
    worked_out_due,
)
from app.inspections.regimes import (
    list_regimes,
)
from app.inspections.service import (
    SEVERITY_EFFECT,
    Standing,
    defect_effect,
)
from app.storage.database import Database
from models import DefectSeverity, DefectSource, InspectionResult
from ui.loans.forms import HandoverPeople
from ui.widgets.dates import pydate, qdate, uk_date_edit
from ui.widgets.form import FormDialog
from ui.widgets.layout import (
    fit_spin,
    form_layout,
    heading,
    hint,
    muted,
    named,
    plain_text_edit,
    with_shortcut,
)

CHOOSE_REGIME = "Choose the inspection…"
GENERAL_INSPECTION = "Inspection (the item has no regime)"
INSPECTOR_HINT = "A person on record, or an outside competent person or firm"
# The order a person reads the results and severities in: best first, worst last.
RESULTS = (InspectionResult.PASS, InspectionResult.PASS_WITH_ADVISORIES, InspectionResult.FAIL)
# The Alt+letter of each choice; the words are the vocabulary's.
RESULT_SHORTCUTS = {
    InspectionResult.PASS: "P",
    InspectionResult.PASS_WITH_ADVISORIES: "a",
    InspectionResult.FAIL: "F",
}
SEVERITIES = (DefectSeverity.MINOR, DefectSeverity.MAJOR, DefectSeverity.UNSAFE)
SEVERITY_SHORTCUTS = {
    DefectSeverity.MINOR: "M",
    DefectSeverity.MAJOR: "j",
    DefectSeverity.UNSAFE: "U",
}


def permission_problems(
    actor: Actor, action: Action, *, agency_id: int | None = None, agency_name: str = ""
) -> list[Refusal]:
    """Why ``actor`` may not take ``action``, as the refusal the service would give."""
    reason = refusal(actor, action, agency_id=agency_id, agency_name=agency_name)
    return [] if reason is None else [Refusal("permission", reason)]


def effect_text(severity: DefectSeverity) -> str:
    """ "Unsafe: the kit is out of service…": a severity and what it does, as a sentence."""
    effect = SEVERITY_EFFECT[severity]
    return f"{label(severity)}: {effect[0].upper()}{effect[1:]}."


def a_defect(severity: DefectSeverity) -> str:
    """ "an unsafe defect", "a minor defect"."""
    words = label(severity).lower()
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words} defect"


def item_caption(detail: ItemDetail) -> str:
    """ "CFR-000281 “Rescue tripod and winch, SWL 140 kg”"."""
    return f"{detail.asset_tag} “{detail.name}”"


def item_facts(detail: ItemDetail) -> str:
    """The line under an item's name: its category, owner and status."""
    return " · ".join(part for part in (detail.category, detail.owner, detail.status) if part)


def note(text: str, name: str = "") -> QLabel:
    """Muted text that keeps itself as tall as its wrapped lines need, so the dialog
    grows to show it all."""
    label = HandoverPeople.Note()
    label.setText(text)
    if name:
        label.setObjectName(name)
    return label


def text_box(name: str, lines: int) -> QPlainTextEdit:
    """A multi-line input ``lines`` lines high that stays so, scrolling beyond."""
    edit = plain_text_edit(name, lines)
    edit.setFixedHeight(edit.minimumHeight())
    return edit


class InspectionForm(FormDialog):
    """A form whose rows may be radio buttons, the caption marked for a problem."""

    # What the form did, in a sentence for the window to show; empty until it has saved.
    outcome = ""

    def add_choice_row(
        self, form: QFormLayout, label: str, row: QWidget, group: QButtonGroup, field: str
    ) -> QLabel:
        """A row of radio buttons: a problem with it marks the caption, not each button."""
        caption = QLabel(label)
        buttons = group.buttons()
        if buttons:
            caption.setBuddy(buttons[0])
        form.addRow(caption, row)
        self.point_field(field, caption=caption)
        self.watch(group)
        return caption


def _radio_group(
    parent: QWidget, name: str, labels: Sequence[tuple[int, str]], *, vertical: bool = False
) -> tuple[QButtonGroup, QWidget]:
    """Radio buttons for ``labels`` ((id, text) each), none chosen, laid out in a row."""
    group = QButtonGroup(parent)
    row = QWidget()
    layout = QVBoxLayout(row) if vertical else QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4 if vertical else 16)
    for number, text in labels:
        button = named(QRadioButton(text), f"{name}_{number}")
        group.addButton(button, number)
        layout.addWidget(button)
    if not vertical:
        layout.addStretch(1)
    return group, row


def _checked(group: QButtonGroup) -> int | None:
    chosen = group.checkedId()
    return None if chosen < 0 else chosen


class SeverityChoice:
    """Three radio buttons, minor to unsafe, each with what it does to the kit under it."""

    def __init__(self, parent: QWidget, name: str, default: DefectSeverity | None) -> None:
        self.group = QButtonGroup(parent)
        self.widget = named(QWidget(), name)
        column = QVBoxLayout(self.widget)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.buttons: dict[DefectSeverity, QRadioButton] = {}
        indent = QRadioButton().sizeHint().height() + 4
        for number, severity in enumerate(SEVERITIES):
            button = named(
                QRadioButton(with_shortcut(label(severity), SEVERITY_SHORTCUTS[severity])),
                f"{name}_{severity.value}",
            )
            self.group.addButton(button, number)
            self.buttons[severity] = button
            said = SEVERITY_EFFECT[severity]
            effect = note(f"{said[0].upper()}{said[1:]}.")
            effect.setContentsMargins(indent, 0, 0, 4)
            # Sized to its text, so a click beside the words does not miss the button.
            column.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
            column.addWidget(effect)
        column.addStretch(1)
        if default is not None:
            self.buttons[default].setChecked(True)

    def severity(self) -> DefectSeverity | None:
        chosen = _checked(self.group)
        return None if chosen is None else SEVERITIES[chosen]

    def choose(self, severity: DefectSeverity) -> None:
        self.buttons[severity].setChecked(True)


class InspectorCombo(QComboBox):
    """Who inspected: a person on record picked from the list, or any name typed in (an
    outside competent person or firm)."""

    def __init__(self, people: Sequence[PersonRef], others: Sequence[str]) -> None:
        super().__init__()
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(34)
        line = self.lineEdit()
        assert line is not None
        line.setPlaceholderText(INSPECTOR_HINT)
        completer = self.completer()
        if completer is not None:
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
        # A name typed without the staff number still finds its person, when only one
        # person listed has it.
        self._by_name: dict[str, int | None] = {}
        for person in people:
            self.addItem(f"{person.name} ({person.staff_number})", person.id)
            key = fold(person.name)
            self._by_name[key] = None if key in self._by_name else person.id
        for name in others:
            if self.findText(name, Qt.MatchFlag.MatchFixedString) < 0:
                self.addItem(name, None)
        self.setCurrentIndex(-1)
        self.setEditText("")

    def choice(self) -> tuple[int | None, str]:
        """(the person's id, "") for someone on record, else (None, the name typed)."""
        text = " ".join(self.currentText().split())
        index = self.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0 and self.itemData(index) is not None:
            return int(self.itemData(index)), ""
        person_id = self._by_name.get(fold(text))
        if person_id is not None:
            return person_id, ""
        return None, text

    def choose_name(self, name: str) -> None:
        """Show ``name``: its person's entry if one is listed, else the name as typed."""
        person_id = self._by_name.get(fold(name))
        index = self.findData(person_id) if person_id is not None else -1
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            self.setEditText(name)


# -- recording an inspection ------------------------------------------------------------------


class RecordInspectionDialog(InspectionForm):
    """Record an inspection of ``item_id``; ``saved_inspection_id`` once recorded.

    ``regime_id`` chooses the regime to begin with (the row the person came from). A
    fail asks for the defect it opens; a pass on kit with open defects offers to clear
    the ones it shows were put right.
    """

    def __init__(
        self,
        db: Database,
        actor: Actor,
        item_id: int,
        *,
        regime_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        detail = item_detail(db, item_id)
        super().__init__(db, actor, f"Record an inspection of {detail.asset_tag}", parent)
        self.setMinimumWidth(680)
        self.item = detail
        self.saved_inspection_id: int | None = None
        self._regimes = {r.id: r for r in list_regimes(db, item_id=item_id)}
        self._standings: dict[int | None, Standing] = {s.regime_id: s for s in detail.inspections}
        self._defects: list[DefectView] = list_defects(db, item_id, include_cleared=False)
        self._defect_typed = False

        self._make_fields(regime_id)
        form = form_layout()
        self.add_field(form, "In&spection *", self.regime_combo, "regime")
        form.addRow("", self.regime_hint)
        self.add_field(form, "&Date *", self.date_edit, "inspected_on")
        self.add_field(form, "&Inspector *", self.inspector_combo, "inspector")
        self.add_choice_row(form, "Result *", self.result_row, self.result_group, "result")
        self.add_field(form, "&Notes", self.notes_edit, "notes")
        self.add_field(form, "&Certificate ref.", self.certificate_edit, "certificate_ref")
        self.next_due_caption = self.add_field(form, "Next due", self.next_due_row)
        self.point_field("next_due_on", self.next_due_edit, caption=self.next_due_caption)
        self.form = form

        top = heading(item_caption(detail))
        facts = named(muted(item_facts(detail)), "inspectionItemFacts")
        self.finish(top, facts, form, self.defect_box, self.clears_box, ok_text="Record inspection")
        # Most inspections pass: a routine one is a double-click on the list and OK. The
        # OK button says which result it records, so no one records a pass unawares.
        self.choose_result(InspectionResult.PASS)
        self._connect()
        self._on_result_changed()
        self._show_regime()
        (self.regime_combo if self.regime_id() is None else self.date_edit).setFocus()

    # Building ------------------------------------------------------------------------------

    def _make_fields(self, regime_id: int | None) -> None:
        self._make_item_fields(regime_id)
        self._make_result_fields()
        self._make_next_due()
        self._make_defect_box()
        self._make_clears_box()

    def _make_item_fields(self, regime_id: int | None) -> None:
        today = today_uk()
        self.regime_combo = named(QComboBox(), "inspectionRegime")
        self.regime_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.regime_combo.setMinimumContentsLength(40)
        if not self._regimes:
            self.regime_combo.addItem(GENERAL_INSPECTION, None)
            self.regime_combo.setEnabled(False)
        else:
            if len(self._regimes) > 1:
                self.regime_combo.addItem(CHOOSE_REGIME, None)
            for regime in self._regimes.values():
                self.regime_combo.addItem(regime.name, regime.id)
                self.regime_combo.setItemData(
                    self.regime_combo.count() - 1, regime.name, Qt.ItemDataRole.ToolTipRole
                )
            self.regime_combo.setCurrentIndex(max(self.regime_combo.findData(regime_id), 0))
        self.regime_hint = note("", "inspectionRegimeHint")

        self.date_edit = uk_date_edit("inspectedOn", "Date of the inspection")
        self.date_edit.setDate(qdate(today))

        people = list_people(self._db, agency_id=self.item.owner_agency_id)
        named_people = {fold(p.name) for p in people}
        # Outside inspectors this kit has had before, so they need not be typed again.
        outside = sorted(
            {
                s.inspector
                for s in self._standings.values()
                if s.inspector and fold(s.inspector) not in named_people
            }
        )
        self.inspector_combo = named(InspectorCombo(people, outside), "inspector")
        # The same competent person usually inspects each time: offer the last one.
        last = self._standings.get(self.regime_id())
        if last is not None and last.inspector:
            self.inspector_combo.choose_name(last.inspector)

    def _make_result_fields(self) -> None:
        self.result_group, self.result_row = _radio_group(
            self,
            "result",
            [
                (number, with_shortcut(label(result), RESULT_SHORTCUTS[result]))
                for number, result in enumerate(RESULTS)
            ],
        )
        self.notes_edit = text_box("inspectionNotes", 3)
        self.notes_edit.setPlaceholderText("What was found, advisories, parts replaced…")
        self.certificate_edit = named(QLineEdit(), "certificateRef")
        self.certificate_edit.setMaxLength(CERTIFICATE_MAX + 20)
        self.certificate_edit.setPlaceholderText("e.g. LOLER-2026-0412")

    def _make_next_due(self) -> None:
        self.next_due_label = named(QLabel(), "nextDueWorkedOut")
        self.earlier_check = named(QCheckBox("Set an &earlier date:"), "nextDueEarlier")
        self.next_due_edit = uk_date_edit("nextDueOn", "Next due")
        self.next_due_edit.setEnabled(False)
        self.next_due_row = QWidget()
        row = QHBoxLayout(self.next_due_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.next_due_label)
        row.addSpacing(16)
        row.addWidget(self.earlier_check)
        row.addWidget(self.next_due_edit)
        row.addStretch(1)

    def _make_defect_box(self) -> None:
        self.defect_box = named(QGroupBox("The defect this fail opens"), "failDefect")
        self.defect_edit = text_box("failDefectText", 3)
        self.defect_edit.setPlaceholderText("What is wrong, so whoever repairs it knows")
        self.severity = SeverityChoice(self, "failSeverity", DefectSeverity.UNSAFE)
        defect_form = form_layout()
        self.defect_caption = self.add_field(
            defect_form, "&What is wrong *", self.defect_edit, "defect"
        )
        severity_caption = QLabel("Severity *")
        severity_caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        defect_form.addRow(severity_caption, self.severity.widget)
        self.defect_box.setLayout(defect_form)

    def _make_clears_box(self) -> None:
        self.clears_box = named(
            QGroupBox("This inspection shows these were put right:"), "clearsDefects"
        )
        column = QVBoxLayout(self.clears_box)
        column.setSpacing(2)
        # A tick box per open defect, its description in full beneath.
        self.clear_checks: dict[int, QCheckBox] = {}
        indent = QCheckBox().sizeHint().width() + 4
        for defect in self._defects:
            day = format_date(defect.reported_at.astimezone(UK).date())
            check = named(
                QCheckBox(f"{defect.severity_words} defect reported {day}"),
                f"clears_{defect.id}",
            )
            said = note(defect.description)
            said.setContentsMargins(indent, 0, 0, 4)
            column.addWidget(check, 0, Qt.AlignmentFlag.AlignLeft)
            column.addWidget(said)
            self.clear_checks[defect.id] = check
        column.addWidget(hint("Each one ticked is cleared, with this inspection as what was done."))
        self.point_field("clears", *self.clear_checks.values(), caption=None)

    def _connect(self) -> None:
        self.watch(self.regime_combo, self.notes_edit, self.certificate_edit, self.defect_edit)
        self.watch(self.earlier_check, *self.clear_checks.values())
        self.watch(self.date_edit, self.next_due_edit)
        self.watch(self.severity.group)
        line = self.inspector_combo.lineEdit()
        assert line is not None
        line.textChanged.connect(self.input_changed)
        self.regime_combo.currentIndexChanged.connect(self._show_regime)
        self.date_edit.dateChanged.connect(self._show_regime)
        self.result_group.idToggled.connect(self._on_result_toggled)
        self.earlier_check.toggled.connect(self._on_earlier_toggled)
        self.notes_edit.textChanged.connect(self._on_notes_changed)
        self.defect_edit.textChanged.connect(self._on_defect_edited)

    # What is chosen ------------------------------------------------------------------------

    def regime_id(self) -> int | None:
        value = self.regime_combo.currentData()
        return int(value) if value is not None else None

    def chosen_result(self) -> InspectionResult | None:
        chosen = _checked(self.result_group)
        return None if chosen is None else RESULTS[chosen]

    def choose_result(self, result: InspectionResult) -> None:
        button = self.result_group.button(RESULTS.index(result))
        assert button is not None
        button.setChecked(True)

    def result_button(self, result: InspectionResult) -> QAbstractButton:
        button = self.result_group.button(RESULTS.index(result))
        assert button is not None
        return button

    def worked_out_due(self) -> date | None:
        """The next due date the regime gives a pass on the date shown."""
        return worked_out_due(self._db, self.regime_id(), pydate(self.date_edit.date()))

    def clears(self) -> tuple[int, ...]:
        if self.clears_box.isHidden():
            return ()
        return tuple(number for number, check in self.clear_checks.items() if check.isChecked())

    def tick_cleared(self, defect_id: int) -> None:
        self.clear_checks[defect_id].setChecked(True)

    def draft(self) -> InspectionDraft:
        inspector_id, inspector_name = self.inspector_combo.choice()
        failed = self.chosen_result() is InspectionResult.FAIL
        earlier = self.earlier_check.isChecked() and not failed
        return InspectionDraft(
            item_id=self.item.id,
            regime_id=self.regime_id(),
            inspected_on=pydate(self.date_edit.date()),
            inspector_id=inspector_id,
            inspector_name=inspector_name,
            result=self.chosen_result(),
            notes=self.notes_edit.toPlainText(),
            certificate_ref=self.certificate_edit.text(),
            next_due_on=pydate(self.next_due_edit.date()) if earlier else None,
            defect=self.defect_edit.toPlainText() if failed else "",
            defect_severity=self.severity.severity() or DefectSeverity.UNSAFE,
            clears=self.clears(),
        )

    # Checking and saving -------------------------------------------------------------------

    def check(self) -> list[Refusal]:
        allowed = permission_problems(
            self._actor,
            Action.RECORD_INSPECTION,
            agency_id=self.item.owner_agency_id,
            agency_name=self.item.owner,
        )
        return allowed + check_inspection(self._db, self.draft())

    def save(self) -> None:
        draft = self.draft()
        self.saved_inspection_id = record_inspection(self._db, draft, self._actor)
        self.outcome = self._outcome(draft)

    def _regime_name(self) -> str:
        regime = self._regimes.get(self.regime_id() or -1)
        return regime.name if regime is not None else "Inspection"

    def _outcome(self, draft: InspectionDraft) -> str:
        assert draft.result is not None
        said = (
            f"{self._regime_name()} of {self.item.asset_tag} recorded: "
            f"{label(draft.result).lower()}"
        )
        if draft.result is InspectionResult.FAIL:
            severity = draft.defect_severity
            return f"{said}; {a_defect(severity)} is open: {SEVERITY_EFFECT[severity]}."
        due = draft.next_due_on or self.worked_out_due()
        if due is not None:
            said += f"; next due {format_date(due)}"
        if draft.clears:
            said += f"; {_defects_words(len(draft.clears))} cleared"
        return said + "."

    def ready_text(self) -> str:
        result = self.chosen_result()
        if result is InspectionResult.FAIL:
            severity = self.severity.severity() or DefectSeverity.UNSAFE
            return (
                f"Nothing stops this. The fail opens {a_defect(severity)}: "
                f"{SEVERITY_EFFECT[severity]}."
            )
        due = self.draft().next_due_on or self.worked_out_due()
        text = "Nothing stops this."
        if due is not None:
            text += f" The next one will be due on {format_date(due)}."
        ticked = len(self.clears())
        if ticked:
            text += f" It clears {_defects_words(ticked)}."
        return text

    # Reacting ------------------------------------------------------------------------------

    def _show_regime(self, *_args: object) -> None:
        """Say how often the chosen regime falls due and where the item stands under it,
        and the next due date a pass gives."""
        regime = self._regimes.get(self.regime_id() or -1)
        standing = self._standings.get(self.regime_id())
        parts = []
        if regime is not None:
            lapse = "a lapse stops the kit going out" if regime.blocks_issue else "a lapse is shown"
            parts.append(f"{regime.interval}; {lapse}.")
        if standing is not None and (regime is not None or not self._regimes):
            last = standing.words(self.item.today)
            if standing.inspector:
                last += f"; last by {standing.inspector}"
            parts.append(f"{last}.")
        self.regime_hint.setText(" ".join(parts))
        self.regime_hint.setVisible(bool(parts))
        due = self.worked_out_due()
        if due is None:
            self.next_due_label.setText(
                "Not set (no regime chosen)" if self._regimes else "Not set: no interval"
            )
            self.earlier_check.setText("Set a &date:")
        else:
            every = regime.interval.lower() if regime is not None else ""
            self.next_due_label.setText(
                f"{format_date(due)} ({every})" if every else format_date(due)
            )
            self.earlier_check.setText("Set an &earlier date:")
            if not self.earlier_check.isChecked():
                with QSignalBlocker(self.next_due_edit):
                    self.next_due_edit.setDate(qdate(due))

    def _on_result_toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self._on_result_changed()

    def _on_result_changed(self) -> None:
        result = self.chosen_result()
        failed = result is InspectionResult.FAIL
        self.defect_box.setVisible(failed)
        self.clears_box.setVisible(bool(self._defects) and result is not None and not failed)
        self.form.setRowVisible(self.next_due_row, not failed)
        self.ok_button.setText(
            f"Record {label(result).lower()}" if result is not None else "Record inspection"
        )
        if failed and not self._defect_typed:
            self._copy_notes()
        self.adjustSize()

    def _on_earlier_toggled(self, checked: bool) -> None:
        self.next_due_edit.setEnabled(checked)
        if checked:
            self.next_due_edit.setFocus()

    def _on_notes_changed(self) -> None:
        if not self._defect_typed:
            self._copy_notes()

    def _copy_notes(self) -> None:
        with QSignalBlocker(self.defect_edit):
            self.defect_edit.setPlainText(self.notes_edit.toPlainText())
        self.input_changed()

    def _on_defect_edited(self) -> None:
        # Once the defect is typed in its own right, the notes no longer fill it.
        self._defect_typed = True


def _pool_words(detail: ItemDetail) -> str:
    """ "of 40 (18 free now)": what the quantity of a pool's defect is out of."""
    return f"of {detail.quantity:,} ({detail.quantity_free_now:,} free now)"


def _defects_words(count: int) -> str:
    return "1 defect" if count == 1 else f"{count} defects"


# -- defects ---------------------------------------------------------------------------------


class ReportDefectDialog(InspectionForm):
    """Report a defect found on ``item_id`` at any time; ``saved_defect_id`` once reported."""

    def __init__(
        self, db: Database, actor: Actor, item_id: int, parent: QWidget | None = None
    ) -> None:
        detail = item_detail(db, item_id)
        super().__init__(db, actor, f"Report a defect on {detail.asset_tag}", parent)
        self.setMinimumWidth(620)
        self.item = detail
        self.saved_defect_id: int | None = None

        self.severity = SeverityChoice(self, "defectSeverity", None)
        self.description_edit = text_box("defectDescription", 4)
        self.description_edit.setPlaceholderText(
            "What is wrong and where, e.g. “Mast winch cable frayed at the second sheave”"
        )
        form = form_layout()
        self.add_field(form, "&What is wrong *", self.description_edit, "description")
        # A pool's defect names how many of its units it affects; a single item has one.
        self.quantity_spin = named(QSpinBox(), "defectQuantity")
        self.quantity_spin.setRange(0, QUANTITY_MAX)  # never clamped to the pool: refused
        self.quantity_spin.setValue(1)
        fit_spin(self.quantity_spin, f"{detail.quantity:,}0")
        if detail.is_pooled:
            row = QWidget()
            layout = QHBoxLayout(row)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(self.quantity_spin)
            layout.addWidget(named(muted(_pool_words(detail)), "defectQuantityOf"), 1)
            self.add_field(form, "How ma&ny *", row, "quantity", mark=self.quantity_spin)
            self.watch(self.quantity_spin)
        else:
            self.quantity_spin.hide()
        caption = QLabel("How bad *")
        caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        buttons = self.severity.group.buttons()
        caption.setBuddy(buttons[0])
        form.addRow(caption, self.severity.widget)
        self.point_field("severity", caption=caption)

        already = list_defects(db, item_id, include_cleared=False)
        parts: list[QWidget | QFormLayout] = [
            heading(item_caption(detail)),
            muted(item_facts(detail)),
        ]
        if already:
            listed = "\n".join(f"• {d.summary}" for d in already)
            parts.append(named(hint(f"Already open on it:\n{listed}"), "openDefects"))
        parts.append(form)
        self.watch(self.description_edit)
        self.watch(self.severity.group)
        self.finish(*parts, ok_text="Report defect")
        self.description_edit.setFocus()

    def draft(self) -> DefectDraft:
        return DefectDraft(
            item_id=self.item.id,
            description=self.description_edit.toPlainText(),
            severity=self.severity.severity(),
            reported_by_id=self._actor.person_id,
            quantity=self.quantity_spin.value() if self.item.is_pooled else 1,
        )

    def check(self) -> list[Refusal]:
        return permission_problems(self._actor, Action.REPORT_DEFECT) + check_defect(
            self._db, self.draft()
        )

    def save(self) -> None:
        draft = self.draft()
        self.saved_defect_id = report_defect(self._db, draft, self._actor)
        assert draft.severity is not None
        on = self.item.asset_tag
        if self.item.is_pooled:
            on = f"{draft.quantity} of {self.item.quantity} {on}"
        self.outcome = f"{label(draft.severity)} defect reported on {on}: {self._effect(draft)}."

    def _effect(self, draft: DefectDraft) -> str:
        """What the defect does, as the severity says it; on a pool, to its units."""
        assert draft.severity is not None
        pool = self.item.quantity if self.item.is_pooled else None
        return defect_effect(draft.severity, pool=pool, quantity=draft.quantity)

    def ready_text(self) -> str:
        draft = self.draft()
        if draft.severity is None:
            return "Nothing stops this."
        if self.item.is_pooled:
            effect = self._effect(draft)
            return f"Nothing stops this. {label(draft.severity)}: {effect[0].upper()}{effect[1:]}."
        return f"Nothing stops this. {effect_text(draft.severity)}"


class ClearDefectDialog(InspectionForm):
    """Clear an open defect with what was done to put it right; ``cleared`` once done."""

    def __init__(
        self, db: Database, actor: Actor, defect_id: int, parent: QWidget | None = None
    ) -> None:
        defect = get_defect(db, defect_id)
        super().__init__(db, actor, f"Clear a defect on {defect.asset_tag}", parent)
        self.setMinimumWidth(620)
        self.defect = defect
        self.cleared = False

        facts = form_layout()
        for heading_text, text, name in (
            ("Severity", effect_text(defect.severity), "clearSeverity"),
            ("What is wrong", defect.description, "clearDescription"),
            ("Reported", self._reported_text(), "clearReported"),
        ):
            value = named(QLabel(text), name)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption = muted(heading_text)
            caption.setWordWrap(False)
            facts.addRow(caption, value)

        self.note_edit = text_box("clearanceNote", 4)
        self.note_edit.setPlaceholderText(
            "What was done to put it right: the repair, parts replaced, how it was re-tested"
        )
        form = form_layout()
        self.add_field(form, "What was &done *", self.note_edit, "note")
        self.watch(self.note_edit)
        self.finish(
            heading(defect.label),
            named(muted(defect.owner), "clearOwner"),
            facts,
            form,
            ok_text="Clear defect",
        )
        self.note_edit.setFocus()

    def _reported_text(self) -> str:
        defect = self.defect
        said = format_date(defect.reported_at.astimezone(UK).date())
        if defect.reported_by:
            said += f" by {defect.reported_by}"
        if defect.source is not DefectSource.REPORTED:
            said += f", {label(defect.source).lower()}"
        if defect.loan_id is not None:
            said += f" (loan {defect.loan_id})"
        return said

    def check(self) -> list[Refusal]:
        return permission_problems(
            self._actor,
            Action.CLEAR_DEFECT,
            agency_id=self.defect.owner_agency_id,
            agency_name=self.defect.owner,
        )

    def save(self) -> None:
        clear_defect(self._db, self.defect.id, self.note_edit.toPlainText(), self._actor)
        self.cleared = True
        self.outcome = (
            f"{self.defect.severity_words} defect on {self.defect.asset_tag} cleared: "
            f"{' '.join(self.note_edit.toPlainText().split())}"
        )

    def ready_text(self) -> str:
        if self.defect.severity is DefectSeverity.UNSAFE:
            return (
                f"Once cleared, {self.defect.asset_tag} returns to service unless another unsafe "
                "defect is open on it."
            )
        return f"Once cleared, it no longer holds {self.defect.asset_tag} back."


# -- regimes -----------------------------------------------------------------------------------
