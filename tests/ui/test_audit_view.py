"""The Audit view, driven as a manager would: filter, read an event, export CSV."""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.catalogue import items
from app.core.actor import Actor
from app.core.errors import KitShareError
from app.demo.data import KIT_MANAGER_PASSWORD, USERS, kit_manager_username
from app.loans import service as loans
from app.people import accounts
from app.storage.database import Database, open_database
from models import Agency, EquipmentItem, Loan, LoanStatus, Role
from tests.templates import Content, SqliteTemplates
from tests.test_audit_trail import MANAGER, STATION, Trail, at, build_trail
from ui.audit import view as audit_view
from ui.audit.view import AuditColumn, AuditTableModel, AuditView

DUTY = Actor("Rachel Holloway (duty)", role=Role.DUTY_OFFICER)


@pytest.fixture
def db(tmp_path: Path, sqlite_templates: SqliteTemplates) -> Iterator[Database]:
    path = sqlite_templates.copy(Content.SCHEMA, tmp_path / "audit.db")
    database = open_database(f"sqlite:///{path.as_posix()}")
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def trail(db: Database) -> Trail:
    return build_trail(db)


def open_view(qtbot: QtBot, db: Database, actor: Actor | None = MANAGER) -> AuditView:
    view = AuditView(db, actor)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    qtbot.waitExposed(view)
    return view


def shown(view: AuditView, column: AuditColumn = AuditColumn.WHAT) -> list[str]:
    model = view.model
    return [str(model.index(row, column).data()) for row in range(model.rowCount())]


def choose(combo: QComboBox, text: str) -> None:
    index = combo.findText(text.strip(), Qt.MatchFlag.MatchContains)
    assert index >= 0, (
        f"{text!r} is not offered: {[combo.itemText(i) for i in range(combo.count())]}"
    )
    combo.setCurrentIndex(index)


def type_into(qtbot: QtBot, view: AuditView, edit: QLineEdit, text: str) -> None:
    """Type as a person does, then wait for the pause after typing to apply it."""
    edit.setFocus()
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    QTest.keyClicks(edit, text)
    qtbot.waitUntil(lambda: not view._typing.isActive())


def click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isVisible(), button.text()
    assert button.isEnabled(), button.text()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def click_row(qtbot: QtBot, view: AuditView, row: int) -> None:
    rect = view.table.visualRect(view.model.index(row, AuditColumn.WHAT))
    QTest.mouseClick(
        view.table.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        rect.center(),
    )


def change_rows(text: str) -> list[list[str]]:
    """The Field / Before / → / After rows of the detail, read back from its plain text
    (which puts each table cell on a line of its own)."""
    lines = [line.strip() for line in text.splitlines()]
    start = lines.index("After") + 1
    cells = lines[start:]
    return [cells[n : n + 4] for n in range(0, len(cells), 4)]


def test_the_table_model_is_sound(qtmodeltester: Any, db: Database, trail: Trail) -> None:
    from app.audit.trail import AuditQuery, list_audit

    model = AuditTableModel()
    model.show_rows(list_audit(db, AuditQuery(), MANAGER).rows)
    assert model.rowCount() == 5
    qtmodeltester.check(model, force_py=True)


def test_a_manager_sees_the_newest_events_first(qtbot: QtBot, db: Database, trail: Trail) -> None:
    view = open_view(qtbot, db)
    assert shown(view) == [
        "Signed in",
        "Item retired",
        "Item updated",
        "Loan approved",
        "Loan requested",
    ]
    assert shown(view, AuditColumn.WHEN)[3] == "01/07/2026 00:30"
    assert shown(view, AuditColumn.WHO)[1] == STATION
    assert shown(view, AuditColumn.RECORD)[0] == "User bob"
    assert shown(view, AuditColumn.CHANGES)[1] == (
        "Status: Available → Retired · Beyond economic repair"
    )
    assert view.position_label.text() == "Showing 1–5 of 5 events"
    # The newest is open beside the table straight away.
    assert view.detail_text().startswith("Signed in: User bob")


def test_filtering_as_a_person_would(qtbot: QtBot, db: Database, trail: Trail) -> None:
    view = open_view(qtbot, db)

    choose(view.person_combo, "Alice Ng (alice)")
    assert shown(view) == ["Item updated", "Loan requested"]

    choose(view.person_combo, "Everyone")
    choose(view.kind_combo, "Any loan event")
    assert shown(view) == ["Loan approved", "Loan requested"]
    choose(view.kind_combo, "Loan approved")
    assert shown(view) == ["Loan approved"]

    choose(view.kind_combo, "Any kind")
    assert not view.record_edit.isEnabled()
    choose(view.person_combo, STATION)
    assert shown(view) == ["Item retired"]

    choose(view.person_combo, "Everyone")
    choose(view.type_combo, "Item")
    assert view.record_edit.isEnabled()
    assert shown(view) == ["Item retired", "Item updated"]
    type_into(qtbot, view, view.record_edit, trail.tag.lower())
    assert shown(view) == ["Item retired", "Item updated"]
    type_into(qtbot, view, view.record_edit, "99999")
    assert shown(view) == []
    assert view.detail_text() == "No event matches the filters."

    click(qtbot, view.clear_button)
    assert len(shown(view)) == 5
    type_into(qtbot, view, view.search_edit, "flood")
    assert shown(view) == ["Loan requested"]


def test_dates_are_uk_days(qtbot: QtBot, db: Database, trail: Trail) -> None:
    view = open_view(qtbot, db)
    # 23:30 UTC on 30/06 is half past midnight on 01/07 in British Summer Time.
    type_into(qtbot, view, view.from_edit, "01/07/2026")
    type_into(qtbot, view, view.to_edit, "01/07/2026")
    assert shown(view) == ["Loan approved"]

    type_into(qtbot, view, view.from_edit, "21/11/2026")
    type_into(qtbot, view, view.to_edit, "21/11/2026")
    assert shown(view) == ["Item retired", "Item updated"]

    type_into(qtbot, view, view.to_edit, "31/02/2026")
    assert view.error_label.isVisible()
    assert view.error_label.text().startswith("“31/02/2026” is not a ‘to’ date")
    # The table still shows what the last good filters matched.
    assert shown(view) == ["Item retired", "Item updated"]

    type_into(qtbot, view, view.to_edit, "20/11/2026")
    assert "after the ‘to’ date" in view.error_label.text()

    type_into(qtbot, view, view.to_edit, "")
    assert not view.error_label.isVisible()
    assert shown(view) == ["Signed in", "Item retired", "Item updated"]


def test_the_chosen_event_shows_each_field_before_and_after(
    qtbot: QtBot, db: Database, trail: Trail
) -> None:
    view = open_view(qtbot, db)
    click_row(qtbot, view, 2)
    event = view.selected_event()
    assert event is not None
    assert event.id == trail.ids["updated"]
    text = view.detail_text()
    assert text.startswith(f"Item updated: Item {trail.tag}")
    assert "21/11/2026 00:00 UK time" in text
    assert "Alice Ng (alice)" in text
    assert "2 fields changed" in text
    assert change_rows(text) == [
        ["Name", "Tower light", "→", "Tower light 2"],
        ["Replacement value", "£1,200.00", "→", "£1,250.50"],
    ]

    click_row(qtbot, view, 4)
    text = view.detail_text()
    assert "Values recorded" in text
    assert "Needed for flood response" in text
    assert "Flooding at Earith" in text


def test_pages_of_events(qtbot: QtBot, db: Database, trail: Trail) -> None:
    view = open_view(qtbot, db)
    view.page_size = 2
    assert view.apply_filters()
    assert view.position_label.text() == "Showing 1–2 of 5 events"
    assert not view.previous_button.isEnabled()
    click(qtbot, view.next_button)
    assert view.position_label.text() == "Showing 3–4 of 5 events"
    assert shown(view) == ["Item updated", "Loan approved"]
    click(qtbot, view.next_button)
    assert view.position_label.text() == "Showing 5–5 of 5 events"
    assert not view.next_button.isEnabled()
    click(qtbot, view.previous_button)
    assert shown(view) == ["Item updated", "Loan approved"]
    # A new filter starts again at the first page.
    choose(view.kind_combo, "Any item event")
    assert view.position_label.text() == "Showing 1–2 of 2 events"


def test_export_writes_every_matching_event(
    qtbot: QtBot, db: Database, trail: Trail, tmp_path: Path
) -> None:
    view = open_view(qtbot, db)
    view.page_size = 1
    choose(view.kind_combo, "Any loan event")
    asked: list[str] = []
    path = tmp_path / "loans.csv"

    def choose_path(suggested: str) -> str:
        asked.append(suggested)
        return str(path)

    view.choose_export_path = choose_path
    click(qtbot, view.export_button)

    assert len(asked) == 1
    assert asked[0].startswith("audit-")
    assert asked[0].endswith(".csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header[:3] == ["Event", "When (UK)", "When (UTC, ISO 8601)"]
    assert [row[6] for row in rows] == ["Loan approved", "Loan requested"]
    assert view.export_label.text() == f"Exported 2 events to {path}."


def test_a_cancelled_export_writes_nothing(
    qtbot: QtBot, db: Database, trail: Trail, tmp_path: Path
) -> None:
    view = open_view(qtbot, db)
    view.choose_export_path = lambda _suggested: None
    assert view.export_csv() is None
    assert list(tmp_path.glob("*.csv")) == []
    assert view.export_label.text() == ""


def test_a_failed_export_says_why(
    qtbot: QtBot, db: Database, trail: Trail, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, db)
    shown_errors: list[tuple[str, str]] = []

    def record_error(_parent: QWidget | None, error: KitShareError, title: str = "") -> None:
        shown_errors.append((title, error.message))

    monkeypatch.setattr(audit_view, "show_error", record_error)
    view.choose_export_path = lambda _suggested: str(tmp_path / "gone" / "audit.csv")
    click(qtbot, view.export_button)
    assert len(shown_errors) == 1
    title, message = shown_errors[0]
    assert title == "The audit trail was not exported"
    assert message.startswith(f"The folder {tmp_path / 'gone'} does not exist")
    assert view.export_label.text() == ""


def test_a_duty_officer_is_told_who_may_read_it(qtbot: QtBot, db: Database, trail: Trail) -> None:
    view = open_view(qtbot, db, DUTY)
    assert view.refusal_label.isVisible()
    assert view.refusal_label.text() == (
        "Only equipment managers and administrators can read the audit trail. "
        "Rachel Holloway (duty) is signed in as a duty officer."
    )
    assert not view.table.isVisible()
    assert not view.export_button.isVisible()
    assert view.model.rowCount() == 0


def test_no_one_signed_in_is_told_to_sign_in(qtbot: QtBot, db: Database, trail: Trail) -> None:
    view = open_view(qtbot, db, Actor("someone on STATION-1"))
    assert view.refusal_label.text().endswith("No one is signed in: sign in as one to read it.")
    assert view.model.rowCount() == 0


def test_the_trail_goes_when_the_reader_changes(qtbot: QtBot, db: Database, trail: Trail) -> None:
    view = open_view(qtbot, db)
    click_row(qtbot, view, 1)
    assert view.model.rowCount() == 5

    view.set_actor(DUTY)
    assert view.model.rowCount() == 0
    assert view.refusal_label.isVisible()
    assert "Beyond economic repair" not in view.detail_text()

    view.set_actor(MANAGER)
    assert view.table.isVisible()
    assert view.model.rowCount() == 5


def test_refresh_shows_new_events_and_keeps_the_chosen_one(
    qtbot: QtBot, db: Database, trail: Trail
) -> None:
    from models import AuditEvent

    view = open_view(qtbot, db)
    click_row(qtbot, view, 2)
    with db.write() as session:
        session.add(
            AuditEvent(
                occurred_at=at("2026-12-01 09:00:00"),
                actor=STATION,
                action="item.created",
                entity_type="equipment_item",
            )
        )
    view.refresh()
    assert view.position_label.text() == "Showing 1–6 of 6 events"
    assert shown(view)[0] == "Item added"
    assert view.selected_event_id() == trail.ids["updated"]


# -- the demo database --------------------------------------------------------------------


def work_a_demo_shift(db: Database) -> None:
    """A few real changes through the services on the demo data, so the trail holds
    what a working day leaves in it (screenshots of the view start from this too):
    people sign in, a manager decides each request and edits two items, a duty officer
    cancels an approved loan, an administrator resets a password."""
    passwords = {username: password for username, _role, _key, password in USERS}
    signed_in = {name: accounts.sign_in(db, name, passwords[name]) for name in passwords}
    with db.read() as session:
        owner_of_request = {
            loan.id: session.get_one(EquipmentItem, loan.lines[0].item_id).owner_agency_id
            for loan in session.scalars(select(Loan).where(Loan.status == LoanStatus.REQUESTED))
        }
        codes = {row.id: row.code for row in session.execute(select(Agency.id, Agency.code))}
        approved = session.scalars(
            select(Loan.id).where(Loan.status == LoanStatus.APPROVED).order_by(Loan.id)
        ).first()
        managers_items = session.scalars(
            select(EquipmentItem.id)
            .where(EquipmentItem.owner_agency_id == signed_in["manager"].agency_id)
            .order_by(EquipmentItem.id)
            .limit(2)
        ).all()
    for loan_id, owner in owner_of_request.items():
        approver = (
            signed_in["manager"]
            if owner == signed_in["manager"].agency_id
            else accounts.sign_in(db, kit_manager_username(codes[owner]), KIT_MANAGER_PASSWORD)
        )
        loans.approve_loan(db, loan_id, approver)
    if approved is not None:
        loans.cancel_loan(db, approved, signed_in["duty"], reason="Exercise postponed")
    for item_id in managers_items:
        draft, version = items.load_draft(db, item_id)
        changed = dataclasses.replace(draft, notes=f"{draft.notes} Battery pack replaced.".strip())
        items.update_item(db, item_id, changed, signed_in["manager"], version)
    duty = accounts.find_user(db, "duty")
    accounts.reset_password(db, duty.id, "a-new-duty-password", signed_in["admin"])


def test_the_demo_trail_reads_in_the_view(qtbot: QtBot, demo: Database) -> None:
    work_a_demo_shift(demo)
    view = open_view(qtbot, demo, accounts.sign_in(demo, "manager", "manager-demo-2026"))
    kinds = set(shown(view))
    assert {
        "Demo data loaded",
        "Signed in",
        "Loan approved",
        "Loan cancelled",
        "Item updated",
        "Password reset",
    } <= kinds

    choose(view.kind_combo, "Loan cancelled")
    assert shown(view, AuditColumn.WHO) == ["Rachel Holloway (duty)"]
    text = view.detail_text()
    assert "Exercise postponed" in text
    assert ["Status", "Approved", "→", "Cancelled"] in change_rows(text)
    assert ["Line 1: holds stock", "Yes", "→", "No"] in change_rows(text)

    choose(view.kind_combo, "Password reset")
    assert shown(view, AuditColumn.CHANGES) == ["Password: changed"]
