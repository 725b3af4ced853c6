"""The Inspections tab and its dialogs on the demo data, driven as a person would: the
lists and their counts, recording a pass and a fail from a list, a refusal, clearing
a defect, what a duty officer and another agency's manager may do, the regimes, and the
window's Catalogue commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QDateEdit, QLabel, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.catalogue.detail import item_detail
from app.catalogue.directory import find_agency, find_item, list_people
from app.core.actor import Actor
from app.core.clock import add_months, format_date, today_uk
from app.inspections.defects import clear_defect, get_defect, list_defects
from app.inspections.overview import Watch, WatchRow, inspections_overview
from app.inspections.regimes import list_regimes
from app.people.accounts import sign_in as account_sign_in
from app.storage.database import Database
from models import (
    AuditEvent,
    DefectSeverity,
    DefectSource,
    Inspection,
    InspectionResult,
    Person,
    Role,
)
from tests import factories as f
from tests.ui.driving import sign_in, wait_for_results
from tests.ui.loan_driving import act_as
from ui.inspections.dialogs import ClearDefectDialog, RecordInspectionDialog, ReportDefectDialog
from ui.inspections.regimes import RegimeDialog, RegimesDialog
from ui.inspections.view import InspectionsView, WatchTableModel, watch_text
from ui.shell.main_window import INSPECTIONS_TAB, LOANS_TAB, PLANNER_TAB, MainWindow
from ui.widgets.form import FormDialog

FAILED_TRIPOD = "CFR-000281"  # failed its LOLER examination: out of service, unsafe defect
TOWER_LIGHT = "CFR-000233"  # an open unsafe defect: out of service
THERMAL_CAMERA = "CFR-000214"  # PUWER inspection overdue
GENERATOR = "CFR-000240"  # PAT test overdue
POLICE_DRONE = "CAM-000103"  # a police drone with a minor defect
OUTSIDE_INSPECTOR = "Lyon Equipment Ltd (competent person)"


# -- driving ------------------------------------------------------------------------------------


def signed_in(db: Database, username: str) -> Actor:
    """The actor a demo user signs in as."""
    return account_sign_in(db, username, f"{username}-demo-2026")


def open_view(qtbot: QtBot, db: Database, actor: Actor) -> InspectionsView:
    view = InspectionsView(db, actor)
    qtbot.addWidget(view)
    view.resize(1280, 760)
    view.show()
    qtbot.waitExposed(view)
    return view


def item_id(db: Database, tag: str) -> int:
    return find_item(db, tag).id


def rows_of(view: InspectionsView) -> list[WatchRow]:
    return [line.row for line in view.model.records()]


def tags_listed(view: InspectionsView) -> list[str]:
    return [row.asset_tag for row in rows_of(view)]


def row_number(view: InspectionsView, tag: str) -> int:
    tags = tags_listed(view)
    assert tag in tags, f"{tag} is not listed under {view.watch.value}: {tags}"
    return tags.index(tag)


def choose_row(view: InspectionsView, tag: str) -> None:
    """Click the row of ``tag`` in the list shown."""
    index = view.model.index(row_number(view, tag), 1)
    QTest.mouseClick(
        view.table.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        view.table.visualRect(index).center(),
    )
    assert view.selected_row() is not None
    assert view.selected_row().asset_tag == tag  # type: ignore[union-attr]


def double_click_row(view: InspectionsView, tag: str) -> None:
    """A person's double-click: a click and then the second press (QTest's mouseDClick
    sends only the second, which a view ignores without the first)."""
    index = view.model.index(row_number(view, tag), 1)
    centre = view.table.visualRect(index).center()
    for send in (QTest.mouseClick, QTest.mouseDClick):
        send(
            view.table.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
            centre,
        )


def click(button: QAbstractButton) -> None:
    assert button.isVisible(), button.text()
    assert button.isEnabled(), f"{button.text()} is disabled: {button.toolTip()}"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def settle(qtbot: QtBot, dialog: FormDialog) -> None:
    """Wait until the dialog has checked what was typed."""
    qtbot.waitUntil(lambda: not dialog.checking)


def type_into(widget: QWidget, text: str) -> None:
    widget.setFocus()
    QTest.keyClicks(widget, text)


def set_date(edit: QDateEdit, day: date) -> None:
    edit.setDate(QDate(day.year, day.month, day.day))


@dataclass(frozen=True)
class Recorded:
    regime_id: int | None
    inspected_on: date
    result: InspectionResult
    certificate_ref: str | None
    next_due_on: date | None


def latest_inspection(db: Database, item: int) -> Recorded:
    """The item's latest inspection as recorded in the database.

    Read here, not through ``inspection_history``, which reads its rows after its session
    has closed (reported).
    """
    with db.read() as session:
        found = session.scalars(
            select(Inspection)
            .where(Inspection.item_id == item)
            .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
        ).first()
        assert found is not None
        return Recorded(
            found.regime_id,
            found.inspected_on,
            found.result,
            found.certificate_ref,
            found.next_due_on,
        )


def status_of(db: Database, tag: str) -> str:
    return item_detail(db, item_id(db, tag)).status


# -- the lists and their counts -------------------------------------------------------------


def test_the_counts_on_the_buttons_are_the_overview_s(qtbot: QtBot, demo: Database) -> None:
    manager = signed_in(demo, "manager")
    fire = find_agency(demo, "CAMBS-FRS").id
    view = open_view(qtbot, demo, manager)

    # A manager starts with their own agency's kit.
    assert view.own_agency_check.isChecked()
    assert view.agency_id() == fire
    own = inspections_overview(demo, agency_id=fire)
    assert view.counts() == {watch: own.count(watch) for watch in Watch}
    assert view.watch_texts() == {
        Watch.OVERDUE: "Overdue (3)",
        Watch.DUE_SOON: f"Due in 30 days ({own.count(Watch.DUE_SOON)})",
        Watch.OUT_OF_SERVICE: "Out of service (2)",
        Watch.DEFECTS: "Open defects (2)",
    }
    assert tags_listed(view) == [FAILED_TRIPOD, THERMAL_CAMERA, GENERATOR]
    assert view.count_label.text() == "3 items"

    view.own_agency_check.setChecked(False)
    everyone = inspections_overview(demo)
    assert view.watch_texts() == {
        watch: watch_text(watch, everyone.count(watch), 30) for watch in Watch
    }
    assert view.watch_texts()[Watch.OVERDUE] == "Overdue (5)"
    assert view.watch_texts()[Watch.DEFECTS] == "Open defects (3)"

    view.days_spin.setValue(14)
    soon = inspections_overview(demo, days=14).count(Watch.DUE_SOON)
    qtbot.waitUntil(lambda: view.watch_texts()[Watch.DUE_SOON] == f"Due in 14 days ({soon})")
    click(view.watch_buttons[Watch.DUE_SOON])
    assert len(rows_of(view)) == len(inspections_overview(demo, days=14).rows(Watch.DUE_SOON))
    assert all(
        row.due_on and row.due_on <= today_uk() + timedelta(days=14) for row in rows_of(view)
    )

    click(view.watch_buttons[Watch.DEFECTS])
    assert view.model.headerData(3, Qt.Orientation.Horizontal) == "Severity"
    assert view.table.isColumnHidden(5)
    assert set(tags_listed(view)) == {TOWER_LIGHT, FAILED_TRIPOD, POLICE_DRONE}


def test_an_administrator_starts_with_every_agency_s_kit(qtbot: QtBot, demo: Database) -> None:
    view = open_view(qtbot, demo, signed_in(demo, "admin"))

    assert not view.own_agency_check.isChecked()
    assert view.agency_id() is None
    assert view.watch_texts()[Watch.OVERDUE] == "Overdue (5)"


def test_the_table_model_passes_qt_model_tester(qtmodeltester: ModelTester, demo: Database) -> None:
    model = WatchTableModel()
    overview = inspections_overview(demo)
    for watch in Watch:
        model.show_list(watch, overview.rows(watch))
        qtmodeltester.check(model)  # type: ignore[no-untyped-call]
    assert model.rowCount() == 3


# -- recording an inspection ----------------------------------------------------------------


def test_a_manager_records_a_pass_from_the_overdue_list_in_two_clicks(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = signed_in(demo, "manager")
    view = open_view(qtbot, demo, manager)
    [camera] = [r for r in rows_of(view) if r.asset_tag == THERMAL_CAMERA]
    said: list[str] = []
    view.changed.connect(said.append)
    today = today_uk()

    def pass_it(dialog: RecordInspectionDialog) -> None:
        # The row's regime, today and the camera's last inspector are filled in already.
        assert dialog.regime_id() == camera.regime_id
        assert dialog.date_edit.date() == QDate(today.year, today.month, today.day)
        assert dialog.inspector_combo.choice()[0] is not None
        assert dialog.next_due_label.text() == f"{format_date(add_months(today, 12))} (every year)"
        settle(qtbot, dialog)
        # A pass is the default, and the button says so: the second click records it.
        assert dialog.chosen_result() is InspectionResult.PASS
        assert dialog.ok_button.text() == "Record pass"
        assert dialog.ok_button.isEnabled()
        assert dialog.message() == (
            f"Nothing stops this. The next one will be due on {format_date(add_months(today, 12))}."
        )
        click(dialog.result_button(InspectionResult.FAIL))
        assert dialog.ok_button.text() == "Record fail"
        click(dialog.result_button(InspectionResult.PASS))
        type_into(dialog.certificate_edit, "PUWER-2026-0917")
        settle(qtbot, dialog)
        click(dialog.ok_button)

    opened = act_as(monkeypatch, qtbot, RecordInspectionDialog, pass_it)
    double_click_row(view, THERMAL_CAMERA)

    assert len(opened) == 1
    latest = latest_inspection(demo, camera.item_id)
    assert (latest.result, latest.inspected_on, latest.certificate_ref) == (
        InspectionResult.PASS,
        today,
        "PUWER-2026-0917",
    )
    assert latest.next_due_on == add_months(today, 12)
    assert latest.regime_id == camera.regime_id
    # It leaves the overdue list, and the count goes down with it.
    assert THERMAL_CAMERA not in tags_listed(view)
    assert view.watch_texts()[Watch.OVERDUE] == "Overdue (2)"
    assert said == [
        f"{camera.what} of {THERMAL_CAMERA} recorded: pass; next due "
        f"{format_date(add_months(today, 12))}."
    ]


def test_enter_on_a_row_opens_the_inspection_too(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, demo, signed_in(demo, "manager"))
    choose_row(view, GENERATOR)

    opened = act_as(monkeypatch, qtbot, RecordInspectionDialog, lambda dialog: dialog.reject())
    view.table.setFocus()
    QTest.keyClick(view.table, Qt.Key.Key_Return)

    assert [dialog.item.asset_tag for dialog in opened] == [GENERATOR]
    assert GENERATOR in tags_listed(view)


def test_a_fail_opens_an_unsafe_defect_and_takes_the_kit_out_of_service(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, demo, signed_in(demo, "manager"))
    generator = item_id(demo, GENERATOR)
    assert status_of(demo, GENERATOR) == "Available"
    choose_row(view, GENERATOR)
    fault = "Earth continuity fails on the 230 V outlet."

    def fail_it(dialog: RecordInspectionDialog) -> None:
        assert dialog.defect_box.isHidden()
        line = dialog.inspector_combo.lineEdit()
        assert line is not None
        line.clear()
        type_into(line, OUTSIDE_INSPECTOR)
        click(dialog.result_button(InspectionResult.FAIL))
        assert dialog.defect_box.isVisible()
        assert dialog.next_due_row.isHidden()
        # Unsafe unless the inspector says otherwise, and it says what that does.
        assert dialog.severity.severity() is DefectSeverity.UNSAFE
        settle(qtbot, dialog)
        assert dialog.marked_fields() == {"defect"}
        # The notes fill in the defect until it is typed in its own right.
        type_into(dialog.notes_edit, fault)
        assert dialog.defect_edit.toPlainText() == fault
        settle(qtbot, dialog)
        assert dialog.message() == (
            "Nothing stops this. The fail opens an unsafe defect: the kit is out of service: it "
            "cannot be requested, issued or shown as available until the defect is cleared."
        )
        click(dialog.ok_button)

    opened = act_as(monkeypatch, qtbot, RecordInspectionDialog, fail_it)
    click(view.record_button)

    assert opened[0].saved_inspection_id is not None
    [defect] = list_defects(demo, generator, include_cleared=False)
    assert (defect.severity, defect.source, defect.description) == (
        DefectSeverity.UNSAFE,
        DefectSource.INSPECTION,
        fault,
    )
    assert defect.inspection_id == opened[0].saved_inspection_id
    assert status_of(demo, GENERATOR) == "Out of service"
    with demo.read() as session:
        recorded = session.get(Inspection, opened[0].saved_inspection_id)
        assert recorded is not None
        assert (recorded.inspector_id, recorded.inspector_name) == (None, OUTSIDE_INSPECTOR)
        assert recorded.result is InspectionResult.FAIL
    assert view.watch_texts()[Watch.OUT_OF_SERVICE] == "Out of service (3)"
    click(view.watch_buttons[Watch.OUT_OF_SERVICE])
    assert GENERATOR in tags_listed(view)


def test_a_refusal_keeps_the_dialog_open_with_everything_typed(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = signed_in(demo, "manager")
    view = open_view(qtbot, demo, manager)
    tripod = item_id(demo, FAILED_TRIPOD)
    [unsafe] = list_defects(demo, tripod, include_cleared=False)
    tomorrow = today_uk() + timedelta(days=1)

    def refused(dialog: RecordInspectionDialog) -> None:
        click(dialog.result_button(InspectionResult.PASS))
        type_into(dialog.certificate_edit, "LOLER-2026-1188")
        set_date(dialog.date_edit, tomorrow)
        settle(qtbot, dialog)
        assert dialog.marked_fields() == {"inspected_on"}
        assert dialog.message() == (
            f"The inspection date {format_date(tomorrow)} is in the future; record an "
            "inspection once it has been done."
        )
        assert not dialog.ok_button.isEnabled()

        set_date(dialog.date_edit, today_uk())
        line = dialog.inspector_combo.lineEdit()
        assert line is not None
        line.clear()
        settle(qtbot, dialog)
        assert dialog.marked_fields() == {"inspector"}
        assert "Say who inspected it" in dialog.message()
        type_into(line, OUTSIDE_INSPECTOR)

        # The pass shows the winch was repaired: its defect is ticked to be cleared…
        assert dialog.clears_box.isVisible()
        dialog.tick_cleared(unsafe.id)
        settle(qtbot, dialog)
        assert dialog.ok_button.isEnabled(), dialog.message()
        assert "It clears 1 defect." in dialog.message()
        # …but another manager clears it at another station before OK is pressed.
        clear_defect(demo, unsafe.id, "New brake pawl fitted and proof-loaded.", manager)
        click(dialog.ok_button)

        assert dialog.isVisible()
        assert "is already cleared or belongs to other kit" in dialog.message()
        assert dialog.marked_fields() == {"clears"}
        assert dialog.certificate_edit.text() == "LOLER-2026-1188"
        assert dialog.inspector_combo.currentText() == OUTSIDE_INSPECTOR
        dialog.reject()

    opened = act_as(monkeypatch, qtbot, RecordInspectionDialog, refused)
    view.record_inspection(tripod)

    assert opened[0].saved_inspection_id is None
    assert latest_inspection(demo, tripod).result is InspectionResult.FAIL


def test_a_pass_clears_the_defects_it_shows_were_put_right(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, demo, signed_in(demo, "manager"))
    tripod = item_id(demo, FAILED_TRIPOD)
    [unsafe] = list_defects(demo, tripod, include_cleared=False)

    def repaired(dialog: RecordInspectionDialog) -> None:
        click(dialog.result_button(InspectionResult.PASS))
        click(dialog.clear_checks[unsafe.id])
        type_into(dialog.notes_edit, "Brake pawl replaced; proof load held.")
        settle(qtbot, dialog)
        click(dialog.ok_button)

    act_as(monkeypatch, qtbot, RecordInspectionDialog, repaired)
    double_click_row(view, FAILED_TRIPOD)

    cleared = get_defect(demo, unsafe.id)
    assert cleared.cleared_at is not None
    assert "Brake pawl replaced; proof load held." in cleared.clearance_note
    assert status_of(demo, FAILED_TRIPOD) == "Available"
    assert FAILED_TRIPOD not in tags_listed(view)
    assert view.watch_texts()[Watch.OUT_OF_SERVICE] == "Out of service (1)"


# -- clearing and reporting defects ---------------------------------------------------------


def test_clearing_a_defect_needs_what_was_done_and_returns_the_kit_to_service(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, demo, signed_in(demo, "manager"))
    light = item_id(demo, TOWER_LIGHT)
    [unsafe] = list_defects(demo, light, include_cleared=False)
    assert status_of(demo, TOWER_LIGHT) == "Out of service"
    click(view.watch_buttons[Watch.DEFECTS])
    choose_row(view, TOWER_LIGHT)
    said: list[str] = []
    view.changed.connect(said.append)
    repair = "New mast winch cable fitted by SMC; mast raised and lowered three times."

    def clear_it(dialog: ClearDefectDialog) -> None:
        shown = dialog.findChild(QLabel, "clearDescription")
        assert isinstance(shown, QLabel)
        assert shown.text().startswith("Mast winch cable frayed at the second sheave")
        # Without a note the service refuses, and the dialog stays open to say why.
        click(dialog.ok_button)
        assert dialog.isVisible()
        assert dialog.message().startswith("Say what was done to put it right")
        assert dialog.marked_fields() == {"note"}
        assert get_defect(demo, unsafe.id).cleared_at is None

        type_into(dialog.note_edit, repair)
        settle(qtbot, dialog)
        click(dialog.ok_button)

    opened = act_as(monkeypatch, qtbot, ClearDefectDialog, clear_it)
    click(view.clear_button)

    assert opened[0].cleared
    cleared = get_defect(demo, unsafe.id)
    assert cleared.cleared_at is not None
    assert cleared.clearance_note == repair
    assert status_of(demo, TOWER_LIGHT) == "Available"
    assert TOWER_LIGHT not in tags_listed(view)
    assert view.watch_texts()[Watch.DEFECTS] == "Open defects (1)"
    assert view.watch_texts()[Watch.OUT_OF_SERVICE] == "Out of service (1)"
    assert said == [f"Unsafe defect on {TOWER_LIGHT} cleared: {repair}"]
    with demo.read() as session:
        events = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity_type == "defect", AuditEvent.entity_id == unsafe.id
            )
        ).all()
    assert "defect.cleared" in events


def test_a_duty_officer_reports_a_defect_but_records_and_clears_nothing(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    duty = signed_in(demo, "duty")
    view = open_view(qtbot, demo, duty)
    assert view.read_only_label.isVisible()
    view.own_agency_check.setChecked(False)
    click(view.watch_buttons[Watch.DEFECTS])
    choose_row(view, TOWER_LIGHT)

    assert not view.record_button.isEnabled()
    assert not view.clear_button.isEnabled()
    assert "only an equipment manager or an administrator can clear a defect" in (
        view.clear_button.toolTip()
    )
    assert view.report_button.isEnabled()
    # A double-click on a row does nothing for them: there is nothing they may open.
    opened_records = act_as(monkeypatch, qtbot, RecordInspectionDialog, lambda d: d.reject())
    opened_clears = act_as(monkeypatch, qtbot, ClearDefectDialog, lambda d: d.reject())
    double_click_row(view, TOWER_LIGHT)
    assert (opened_records, opened_clears) == ([], [])

    choose_row(view, POLICE_DRONE)
    drone = item_id(demo, POLICE_DRONE)
    found = "Left front arm latch does not lock; arm folds under load."

    def report(dialog: ReportDefectDialog) -> None:
        settle(qtbot, dialog)
        assert not dialog.ok_button.isEnabled()
        assert dialog.marked_fields() == {"description", "severity"}
        type_into(dialog.description_edit, found)
        click(dialog.severity.buttons[DefectSeverity.MAJOR])
        settle(qtbot, dialog)
        assert dialog.message() == (
            "Nothing stops this. Major: The kit cannot be handed over until the defect is cleared."
        )
        click(dialog.ok_button)

    opened = act_as(monkeypatch, qtbot, ReportDefectDialog, report)
    click(view.report_button)

    assert opened[0].saved_defect_id is not None
    reported = get_defect(demo, opened[0].saved_defect_id)
    assert (reported.severity, reported.description, reported.source) == (
        DefectSeverity.MAJOR,
        found,
        DefectSource.REPORTED,
    )
    assert reported.reported_by == "Rachel Holloway"
    # A major defect stops a hand-over but leaves the drone in service.
    assert status_of(demo, POLICE_DRONE) != "Out of service"
    assert [r.severity for r in rows_of(view) if r.item_id == drone] == [
        DefectSeverity.MAJOR,
        DefectSeverity.MINOR,
    ]


def test_another_agency_s_manager_may_not_record_or_clear(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    police = find_agency(demo, "CAMBS-POL").id
    someone = list_people(demo, agency_id=police)[0]
    with demo.read() as session:
        person = session.get(Person, someone.id)
        assert person is not None
        police_manager = f.acting(person, Role.EQUIPMENT_MANAGER)
    view = open_view(qtbot, demo, police_manager)
    view.own_agency_check.setChecked(False)
    choose_row(view, THERMAL_CAMERA)

    assert not view.record_button.isEnabled()
    assert "equipment manager for another agency" in view.record_button.toolTip()
    assert view.report_button.isEnabled()
    click(view.watch_buttons[Watch.DEFECTS])
    choose_row(view, TOWER_LIGHT)
    assert not view.clear_button.isEnabled()
    choose_row(view, POLICE_DRONE)
    assert view.record_button.isEnabled()  # their own agency's drone
    assert view.clear_button.isEnabled()

    # Asked anyway (a shortcut, a stale window), the dialog says no and OK stays off.
    def refused(dialog: RecordInspectionDialog) -> None:
        click(dialog.result_button(InspectionResult.PASS))
        settle(qtbot, dialog)
        assert not dialog.ok_button.isEnabled()
        assert "only for their own agency's kit, not Cambridgeshire Fire and Rescue" in (
            dialog.message()
        )
        dialog.reject()

    opened = act_as(monkeypatch, qtbot, RecordInspectionDialog, refused)
    camera = item_id(demo, THERMAL_CAMERA)
    assert view.record_inspection(camera) is None
    assert len(opened) == 1
    assert latest_inspection(demo, camera).inspected_on < today_uk()


# -- regimes -------------------------------------------------------------------------------------


def test_a_manager_adds_a_regime_to_one_of_their_items(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, demo, signed_in(demo, "manager"))
    choose_row(view, GENERATOR)
    generator = item_id(demo, GENERATOR)
    name = "Fuel system and carburettor service"

    def add(dialog: RegimeDialog) -> None:
        # A manager keeps their own items' regimes; the row's item is filled in.
        assert dialog.item_radio.isChecked()
        assert dialog.tag_edit.text() == GENERATOR
        click(dialog.category_radio)
        settle(qtbot, dialog)
        assert not dialog.ok_button.isEnabled()
        assert "only an administrator can set a category's inspection regime" in (dialog.message())
        click(dialog.item_radio)
        type_into(dialog.name_edit, name)
        dialog.interval_spin.setValue(6)
        settle(qtbot, dialog)
        assert dialog.ok_button.isEnabled(), dialog.message()
        click(dialog.ok_button)

    def in_the_list(dialog: RegimesDialog) -> None:
        assert "PAT test (generators)" in [r.name for r in dialog.regimes]
        act_as(monkeypatch, qtbot, RegimeDialog, add)
        click(dialog.add_button)
        assert dialog.selected_regime() is not None
        assert dialog.selected_regime().name == name  # type: ignore[union-attr]
        dialog.reject()

    act_as(monkeypatch, qtbot, RegimesDialog, in_the_list)
    click(view.regimes_button)

    [added] = [r for r in list_regimes(demo, item_id=generator) if r.name == name]
    assert (added.item_id, added.interval_months, added.interval_days, added.blocks_issue) == (
        generator,
        6,
        None,
        True,
    )
    # Never done under it, so it is due now.
    assert [(r.what, r.words) for r in rows_of(view) if r.regime_id == added.id] == [
        (name, "No inspection recorded")
    ]


# -- the window ---------------------------------------------------------------------------------


def scan(qtbot: QtBot, window: MainWindow, tag: str) -> None:
    """Type a tag into the search box and press Enter, as a scanner would."""
    box = window.search_bar.search_box
    box.selectAll()
    QTest.keyClicks(box, tag)
    QTest.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.item_panel.detail is not None and window.item_panel.detail.asset_tag == tag
    )
    wait_for_results(qtbot, window)


def test_the_window_has_an_inspections_tab_and_catalogue_commands(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = MainWindow(demo)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    sign_in(qtbot, window, "manager", "manager-demo-2026")
    wait_for_results(qtbot, window)

    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    # Just after Loans (whose title carries its counts) and the planner of its bookings.
    assert tabs[tabs.index(INSPECTIONS_TAB) - 2].startswith(LOANS_TAB)
    assert tabs[tabs.index(INSPECTIONS_TAB) - 1] == PLANNER_TAB
    assert window.record_inspection_action.shortcut().toString() == "Ctrl+Shift+I"
    assert window.report_defect_action.shortcut().toString() == "Ctrl+Shift+D"

    scan(qtbot, window, TOWER_LIGHT)
    assert window.record_inspection_action.isEnabled()
    assert window.report_defect_action.isEnabled()
    menu = window.catalogue_context_menu()
    assert window.record_inspection_action in menu.actions()
    assert window.report_defect_action in menu.actions()
    menu.deleteLater()

    def report(dialog: ReportDefectDialog) -> None:
        type_into(dialog.description_edit, "Stabiliser pad cracked.")
        click(dialog.severity.buttons[DefectSeverity.MINOR])
        settle(qtbot, dialog)
        click(dialog.ok_button)

    act_as(monkeypatch, qtbot, ReportDefectDialog, report)
    window.report_defect_action.trigger()
    qtbot.waitUntil(lambda: "Stabiliser pad cracked" in window.item_panel.plain_text())
    assert window.statusBar().currentMessage().startswith(f"Minor defect reported on {TOWER_LIGHT}")

    # Another agency's kit: the manager may report a defect on it, not record an inspection.
    scan(qtbot, window, POLICE_DRONE)
    assert not window.record_inspection_action.isEnabled()
    assert window.report_defect_action.isEnabled()

    window.tabs.setCurrentWidget(window.inspections_view)
    assert window.inspections_view.watch_texts()[Watch.OVERDUE] == "Overdue (3)"
    # Whoever signs in next sees nothing the manager read.
    window.switch_user()
    assert window.inspections_view.model.rowCount() == 0
    assert not window.record_inspection_action.isEnabled()
    window.close()
