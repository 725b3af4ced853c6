"""The People view and its dialogs, driven as a person would: reading people and their
qualifications on the demo data, the expiring list, an administrator adding a person and
a qualification, and the issue dialogs offering only qualified operators."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QMessageBox, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.core.actor import Actor
from app.core.clock import format_date, now_utc, today_uk
from app.loans.drafts import LineDraft, LoanDraft
from app.loans.service import approve_loan, request_loan
from app.loans.views import get_loan
from app.people.expiring import expiring_qualifications
from app.people.qualifications import QualificationDraft, add_qualification
from app.people.records import PersonDraft, create_person, get_person, list_person_rows
from app.people.status import QualificationStatus, default_expiry
from app.storage.database import Database
from models import AuditEvent, Person, PersonQualification, QualificationType, Role
from tests import factories as f
from tests.ui.loan_driving import People, act_as, choose
from tests.ui.seed import BARRIERS_TAG, TOILET_TAG, Catalogue
from ui.loans.forms import EmergencyIssueDialog, IssueDialog
from ui.people.person_dialog import (
    PersonDialog,
    QualificationDialog,
    QualificationTypeDialog,
    QualificationTypesDialog,
)
from ui.people.tables import (
    STATUS_COLOURS,
    ExpiringTableModel,
    PersonColumn,
    PersonTableModel,
    QualificationColumn,
    QualificationTableModel,
)
from ui.people.view import READ_ONLY_TEXT, PeopleView
from ui.widgets.form import FormDialog
from ui.widgets.inputs import PersonCombo

ADMIN = f.acting(None, Role.ADMINISTRATOR)
MANAGER = f.acting(None, Role.EQUIPMENT_MANAGER)
DUTY = f.acting(None, Role.DUTY_OFFICER)


def open_view(qtbot: QtBot, db: Database, actor: Actor) -> PeopleView:
    view = PeopleView(db, actor)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    qtbot.waitExposed(view)
    return view


def person_id(db: Database, name: str) -> int:
    [row] = [r for r in list_person_rows(db, include_inactive=True) if r.name == name]
    return row.id


def cell(view: PeopleView, name: str, column: PersonColumn) -> str:
    row = view.model.row_of(person_id(view._db, name))
    assert row is not None, f"{name} is not listed"
    return str(view.model.index(row, column).data())


def click(button: QAbstractButton) -> None:
    assert button.isVisible(), button.text()
    assert button.isEnabled(), button.text()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def settle(qtbot: QtBot, dialog: FormDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.checking)


def type_into(widget: QWidget, text: str) -> None:
    """Type ``text`` at the end of ``widget``; letters QTest cannot key (á, Ó) are
    entered as an input method would."""
    widget.setFocus()
    if text.isascii():
        QTest.keyClicks(widget, text)
    elif isinstance(widget, QLineEdit):
        widget.end(False)
        widget.insert(text)
    else:
        raise TypeError(f"cannot type {text!r} into a {type(widget).__name__}")


def audit_actions(db: Database) -> list[str]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.notlike("demo.%"))
                .order_by(AuditEvent.id)
            )
        )


# -- reading -------------------------------------------------------------------------------


def test_a_duty_officer_reads_people_and_their_qualifications_but_changes_nothing(
    qtbot: QtBot, demo: Database
) -> None:
    view = open_view(qtbot, demo, DUTY)

    assert view.model.rowCount() == len(list_person_rows(demo))
    assert view.count_label.text() == f"{view.model.rowCount()} people"
    for button in view.edit_buttons():
        assert not button.isVisible(), button.text()
    assert not view.expiring_button.isVisible()
    assert view.read_only_label.isVisible()
    assert view.read_only_label.text() == READ_ONLY_TEXT

    # Liam Chapman's drone qualification lapsed: a red marker, and the words say so.
    summary = cell(view, "Liam Chapman", PersonColumn.QUALIFICATIONS)
    assert "Drone pilot (GVC) (expired " in summary
    row = view.model.row_of(person_id(demo, "Liam Chapman"))
    assert row is not None
    index = view.model.index(row, PersonColumn.QUALIFICATIONS)
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None
    assert cell(view, "Liam Chapman", PersonColumn.AGENCY) == "CAMBS-POL"

    assert view.select_person(person_id(demo, "Liam Chapman"))
    text = view.detail_text()
    assert "Staff number: 2876" in text
    assert "User account: No account" in text
    lapsed = next(line for line in text.splitlines() if line.startswith("Drone pilot (GVC) |"))
    assert "| Expired " in lapsed
    # Dates read DD/MM/YYYY.
    shown = view.shown_person
    assert shown is not None
    gvc = next(q for q in shown.qualifications if q.type_name == "Drone pilot (GVC)")
    assert f"| {format_date(gvc.expires_on)} |" in lapsed
    status = view.qualification_model.index(
        next(i for i, q in enumerate(shown.qualifications) if q.id == gvc.id),
        QualificationColumn.STATUS,
    )
    colour = status.data(Qt.ItemDataRole.ForegroundRole)
    assert isinstance(colour, QBrush)
    assert colour.color().name() == STATUS_COLOURS[QualificationStatus.EXPIRED]


def test_an_expiring_qualification_is_marked_amber_with_the_days_left(
    qtbot: QtBot, demo: Database
) -> None:
    view = open_view(qtbot, demo, DUTY)
    assert view.select_person(person_id(demo, "Jess Parfitt"))
    shown = view.shown_person
    assert shown is not None
    assert shown.worst_status is QualificationStatus.EXPIRING
    assert "(expires in 14 days)" in cell(view, "Jess Parfitt", PersonColumn.QUALIFICATIONS)
    words = [
        view.qualification_model.index(row, QualificationColumn.STATUS).data()
        for row in range(view.qualification_model.rowCount())
    ]
    assert words == ["Expires in 14 days", "Expires in 14 days"]


def test_the_search_box_and_the_agency_filter_narrow_the_list(qtbot: QtBot, demo: Database) -> None:
    view = open_view(qtbot, demo, DUTY)
    type_into(view.search_edit, "drone pilot")
    qtbot.waitUntil(lambda: view.model.rowCount() < 10)
    names = {r.name for r in view.model.records()}
    assert {"Daniel Okafor", "Sophie Turnbull", "Nathan Marriott"} <= names
    assert "Aisha Begum" not in names

    choose(view.agency_combo, view.model.records()[0].agency_id)
    assert len({r.agency_id for r in view.model.records()}) == 1

    view.search_edit.clear()
    type_into(view.search_edit, "nobody by this name")
    qtbot.waitUntil(lambda: view.model.rowCount() == 0)
    assert view.count_label.text() == "No one matches the search."
    assert view.shown_person is None


def test_a_manager_lists_what_expires_soon_and_opens_a_person_from_it(
    qtbot: QtBot, demo: Database
) -> None:
    view = open_view(qtbot, demo, MANAGER)
    for button in view.edit_buttons():
        assert not button.isVisible(), button.text()

    click(view.expiring_button)
    assert view.showing_expiring
    assert view.days_spin.value() == 30
    rows = view.expiring_model.records()
    assert rows == expiring_qualifications(demo, MANAGER, days=30)
    assert [(r.person, r.when_text) for r in rows[:2]] == [
        ("Jess Parfitt", "Expires in 14 days"),
        ("Jess Parfitt", "Expires in 14 days"),
    ]
    assert view.expiring_label.text() == f"{len(rows)} qualifications expire in the next 30 days."

    view.days_spin.setValue(15)
    assert [r.person for r in view.expiring_model.records()] == ["Jess Parfitt", "Jess Parfitt"]
    view.days_spin.setValue(0)
    assert view.expiring_label.text() == "No qualification expires today."
    view.days_spin.setValue(30)

    sophie = next(
        i for i, r in enumerate(view.expiring_model.records()) if r.person == "Sophie Turnbull"
    )
    view.expiring_table.setCurrentIndex(view.expiring_model.index(sophie, 0))
    view.expiring_table.setFocus()
    QTest.keyClick(view.expiring_table, Qt.Key.Key_Return)
    assert not view.showing_expiring
    assert view.shown_person is not None
    assert view.shown_person.name == "Sophie Turnbull"


def test_signing_in_as_a_duty_officer_takes_the_expiring_list_away(
    qtbot: QtBot, demo: Database
) -> None:
    view = open_view(qtbot, demo, ADMIN)
    view.show_expiring(True)
    assert view.showing_expiring
    view.set_actor(DUTY)
    assert not view.showing_expiring
    assert not view.expiring_button.isVisible()
    view.show_expiring(True)
    assert not view.showing_expiring
    view.set_actor(ADMIN)
    assert all(button.isVisible() for button in view.edit_buttons())


def test_the_table_models_pass_qt_model_tester(qtmodeltester: ModelTester, demo: Database) -> None:
    people = PersonTableModel()
    people.show_rows(list_person_rows(demo, include_inactive=True))
    qtmodeltester.check(people)  # type: ignore[no-untyped-call]
    held = QualificationTableModel()
    held.show_rows(get_person(demo, person_id(demo, "Dean Copley")).qualifications)
    assert held.rowCount() == 3
    qtmodeltester.check(held)  # type: ignore[no-untyped-call]
    expiring = ExpiringTableModel()
    expiring.show_rows(expiring_qualifications(demo, MANAGER, days=60))
    qtmodeltester.check(expiring)  # type: ignore[no-untyped-call]
    assert people.row_of(-1) is None


# -- an administrator adds a person and a qualification -------------------------------------


def test_an_administrator_adds_a_person_checked_as_they_type(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, demo, ADMIN)
    police = person_id(demo, "Liam Chapman")
    police_agency = get_person(demo, police).agency_id
    seen: list[None] = []
    view.people_changed.connect(lambda: seen.append(None))

    def fill_in(dialog: PersonDialog) -> None:
        settle(qtbot, dialog)
        assert not dialog.ok_button.isEnabled()
        assert {"agency_id", "staff_number", "given_name", "family_name"} <= dialog.marked_fields()

        choose(dialog.agency_combo, police_agency)
        # A number already Liam Chapman's is refused and outlined, and OK stays off.
        type_into(dialog.staff_number_edit, "2876")
        type_into(dialog.given_name_edit, "Siobhán")
        type_into(dialog.family_name_edit, "Ó Súilleabháin")
        type_into(dialog.email_edit, "siobhan@")
        settle(qtbot, dialog)
        assert dialog.marked_fields() == {"staff_number", "email"}
        assert "Staff number 2876 at Cambridgeshire Constabulary is already Liam Chapman's" in (
            dialog.message()
        )
        assert not dialog.ok_button.isEnabled()

        dialog.staff_number_edit.clear()
        type_into(dialog.staff_number_edit, "4120")
        type_into(dialog.email_edit, "cambs.police.uk")
        type_into(dialog.rank_edit, "Constable")
        type_into(dialog.phone_edit, "01223 555 777")
        sites = [dialog.site_combo.itemText(i) for i in range(dialog.site_combo.count())]
        assert "Huntingdon Fire Station" not in sites  # only the agency's own sites
        choose(dialog.site_combo, dialog.site_combo.itemData(1))
        settle(qtbot, dialog)
        assert dialog.marked_fields() == set()
        assert dialog.ok_button.isEnabled(), dialog.message()
        click(dialog.ok_button)

    opened = act_as(monkeypatch, qtbot, PersonDialog, fill_in)
    click(view.new_person_button)
    [dialog] = opened

    assert dialog.saved_person_id is not None
    shown = view.shown_person
    assert shown is not None
    assert (shown.id, shown.name, shown.staff_number) == (
        dialog.saved_person_id,
        "Siobhán Ó Súilleabháin",
        "4120",
    )
    assert shown.email == "siobhan@cambs.police.uk"
    assert shown.home_site != ""
    assert view.selected_person_id() == shown.id
    assert audit_actions(demo) == ["person.created"]
    assert seen == [None]


def test_a_refused_save_keeps_the_dialog_open_with_everything_typed(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, demo, ADMIN)
    agency = get_person(demo, person_id(demo, "Liam Chapman")).agency_id

    def race(dialog: PersonDialog) -> None:
        choose(dialog.agency_combo, agency)
        type_into(dialog.staff_number_edit, "5555")
        type_into(dialog.given_name_edit, "Ann")
        type_into(dialog.family_name_edit, "Able")
        settle(qtbot, dialog)
        assert dialog.ok_button.isEnabled(), dialog.message()
        # Another station gives the number to someone else before OK is pressed.
        create_person(
            demo,
            PersonDraft(agency, staff_number="5555", given_name="Ben", family_name="Other"),
            ADMIN,
        )
        click(dialog.ok_button)
        assert dialog.isVisible()
        assert "Staff number 5555 at Cambridgeshire Constabulary is already Ben Other's" in (
            dialog.message()
        )
        assert dialog.marked_fields() == {"staff_number"}
        assert not dialog.ok_button.isEnabled()
        assert (dialog.given_name_edit.text(), dialog.family_name_edit.text()) == ("Ann", "Able")
        dialog.reject()

    opened = act_as(monkeypatch, qtbot, PersonDialog, race)
    click(view.new_person_button)
    [dialog] = opened
    assert dialog.saved_person_id is None
    assert "Ann Able" not in {r.name for r in list_person_rows(demo)}


def test_an_administrator_adds_a_qualification_whose_expiry_is_worked_out(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, demo, ADMIN)
    begum = person_id(demo, "Aisha Begum")
    assert view.select_person(begum)
    assert view.qualification_model.rowCount() == 0
    assert "No qualifications recorded." in view.detail_text()
    issued = today_uk() - timedelta(days=10)
    with demo.read() as session:
        gvc = session.scalars(
            select(QualificationType).where(QualificationType.code == "UAS-GVC")
        ).one()
        gvc_id, months = gvc.id, gvc.validity_months
    expiry = default_expiry(issued, months)
    assert expiry is not None

    def fill_in(dialog: QualificationDialog) -> None:
        settle(qtbot, dialog)
        assert dialog.marked_fields() == {"type_id"}
        choose(dialog.type_combo, gvc_id)
        assert "Specific category" in dialog.allows_label.text()
        settle(qtbot, dialog)
        assert dialog.marked_fields() == {"issued_on"}
        assert not dialog.ok_button.isEnabled()
        click(dialog.issued_edit.check)
        dialog.issued_edit.edit.setDate(QDate(issued.year, issued.month, issued.day))
        type_into(dialog.reference_edit, "GVC-4120")
        settle(qtbot, dialog)
        assert dialog.expiry_hint.text() == (
            f"It lasts 5 years: with no expiry date given, it expires on {format_date(expiry)}."
        )
        assert dialog.ok_button.isEnabled(), dialog.message()
        click(dialog.ok_button)

    opened = act_as(monkeypatch, qtbot, QualificationDialog, fill_in)
    click(view.add_qualification_button)
    [dialog] = opened

    assert dialog.saved_qualification_id is not None
    assert view.selected_qualification_id() == dialog.saved_qualification_id
    model = view.qualification_model
    assert [model.index(0, c).data() for c in QualificationColumn] == [
        "Drone pilot (GVC)",
        "GVC-4120",
        format_date(issued),
        format_date(expiry),
        "Current",
    ]
    assert cell(view, "Aisha Begum", PersonColumn.QUALIFICATIONS) == "Drone pilot (GVC)"
    assert audit_actions(demo) == ["qualification.added"]


def test_an_expiry_before_the_issue_date_is_outlined(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, demo, ADMIN)
    assert view.select_person(person_id(demo, "Aisha Begum"))

    def wrong_way_round(dialog: QualificationDialog) -> None:
        choose(dialog.type_combo, dialog.type_combo.itemData(1))
        click(dialog.issued_edit.check)
        dialog.issued_edit.edit.setDate(QDate(2024, 5, 10))
        click(dialog.expires_edit.check)
        dialog.expires_edit.edit.setDate(QDate(2024, 5, 1))
        settle(qtbot, dialog)
        assert dialog.marked_fields() == {"expires_on"}
        assert "The expiry date 01/05/2024 is not after the issue date 10/05/2024" in (
            dialog.message()
        )
        assert not dialog.ok_button.isEnabled()
        dialog.reject()

    act_as(monkeypatch, qtbot, QualificationDialog, wrong_way_round)
    click(view.add_qualification_button)
    assert audit_actions(demo) == []


def test_an_administrator_edits_and_removes_a_qualification(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, demo, ADMIN)
    assert view.select_person(person_id(demo, "Liam Chapman"))
    shown = view.shown_person
    assert shown is not None
    gvc = next(q for q in shown.qualifications if q.type_name == "Drone pilot (GVC)")
    assert not view.edit_qualification_button.isEnabled()
    assert view.select_qualification(gvc.id)

    def renew(dialog: QualificationDialog) -> None:
        dialog.expires_edit.edit.setDate(QDate(2031, 1, 31))
        settle(qtbot, dialog)
        click(dialog.ok_button)

    act_as(monkeypatch, qtbot, QualificationDialog, renew)
    click(view.edit_qualification_button)
    assert "expired" not in cell(view, "Liam Chapman", PersonColumn.QUALIFICATIONS)

    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    assert view.select_qualification(gvc.id)
    click(view.remove_qualification_button)
    remaining = view.shown_person
    assert remaining is not None
    assert [q.type_name for q in remaining.qualifications] == ["Drone pilot (A2 CofC)"]
    assert audit_actions(demo) == ["qualification.updated", "qualification.removed"]


# -- former staff --------------------------------------------------------------------------


def test_someone_who_signs_in_is_not_marked_as_former_staff(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, demo, ADMIN)
    assert view.select_person(person_id(demo, "Rachel Holloway"))
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: errors.append(text))

    click(view.active_button)

    [message] = errors
    assert "still signs in to Kit Share as “duty”" in message
    assert "Disable that user account first" in message
    assert view.shown_person is not None
    assert view.shown_person.is_active


def test_a_leaver_is_marked_as_former_staff_and_back(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, demo, ADMIN)
    begum = person_id(demo, "Aisha Begum")
    assert view.select_person(begum)
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    assert view.active_button.text() == "Mark as &former staff…"

    click(view.active_button)

    # Still shown, and said in words as well as in grey.
    assert view.former_check.isChecked()
    assert view.selected_person_id() == begum
    assert cell(view, "Aisha Begum", PersonColumn.NAME) == "Aisha Begum (former staff)"
    assert "Status: Former staff" in view.detail_text()
    assert view.active_button.text() == "&Reactivate"
    view.former_check.setChecked(False)
    assert view.model.row_of(begum) is None

    assert view.select_person(begum)
    click(view.active_button)
    assert view.shown_person is not None
    assert view.shown_person.is_active
    assert audit_actions(demo) == ["person.deactivated", "person.reactivated"]


# -- qualification types -------------------------------------------------------------------


def test_an_administrator_adds_a_qualification_type(
    qtbot: QtBot, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, demo, ADMIN)

    def add_type(dialog: QualificationTypeDialog) -> None:
        type_into(dialog.code_edit, "WAH")  # taken: Work at height
        type_into(dialog.name_edit, "Swift water boat handler")
        settle(qtbot, dialog)
        assert dialog.marked_fields() == {"code"}
        dialog.code_edit.clear()
        type_into(dialog.code_edit, "SWB")
        dialog.validity_spin.setValue(24)
        type_into(dialog.allows_edit, "Helm swift water boats.")
        settle(qtbot, dialog)
        click(dialog.ok_button)

    def in_the_list(dialog: QualificationTypesDialog) -> None:
        names = [t.name for t in dialog.types]
        assert "Work at height" in names
        act_as(monkeypatch, qtbot, QualificationTypeDialog, add_type)
        click(dialog.new_button)
        assert "Swift water boat handler" in [t.name for t in dialog.types]
        row = dialog.selected_type_id()
        assert row is not None
        dialog.reject()

    act_as(monkeypatch, qtbot, QualificationTypesDialog, in_the_list)
    click(view.types_button)
    assert audit_actions(demo) == ["qualification_type.created"]
    with demo.read() as session:
        added = session.scalars(
            select(QualificationType).where(QualificationType.code == "SWB")
        ).one()
        assert (added.validity_months, added.allows) == (24, "Helm swift water boats.")


# -- the issue dialogs offer only qualified operators --------------------------------------


def _pilots(catalogue: Catalogue, people: People) -> tuple[int, int]:
    """A lapsed pilot and a police pilot besides the seed's people; their ids."""
    today = today_uk()
    with catalogue.db.write() as session:
        gvc = session.scalars(
            select(QualificationType).where(QualificationType.code == "GVC")
        ).one()
        lapsed = Person(
            agency_id=people.ambulance_id,
            staff_number="A400",
            given_name="Dev",
            family_name="Lapsed",
        )
        lapsed.qualifications.append(
            PersonQualification(qualification_type=gvc, expires_on=today - timedelta(days=3))
        )
        police = Person(
            agency_id=people.police_id, staff_number="P1", given_name="Pat", family_name="Police"
        )
        police.qualifications.append(PersonQualification(qualification_type=gvc))
        session.add_all([lapsed, police])
        session.flush()
        return lapsed.id, police.id


def offered(combo: PersonCombo) -> list[int]:
    """The people a person combo lists, after its placeholder."""
    return [combo.itemData(i) for i in range(1, combo.count())]


def test_an_emergency_issue_offers_only_operators_holding_the_competence(
    qtbot: QtBot, catalogue: Catalogue, people: People
) -> None:
    lapsed, _police = _pilots(catalogue, people)
    dialog = EmergencyIssueDialog(catalogue.db, DUTY, catalogue.ids[BARRIERS_TAG])
    qtbot.addWidget(dialog)
    dialog.show()
    choose(dialog.borrower_combo, people.ambulance_id)

    assert offered(dialog.people.operator) == [people.operator_id]
    # Everyone of the agency may still receive the kit.
    assert people.unqualified_id in offered(dialog.people.received_by)
    note = dialog.people.operator_note
    assert note.isVisible()
    three_days_ago = format_date(today_uk() - timedelta(days=3))
    assert note.text() == (
        "Protocol “Drones and barriers between blue-light partners” needs an operator with a "
        "current “Drone pilot (GVC)”. Offered: the one person at East of England Ambulance "
        f"Service who holds it. Not offered: Dev Lapsed (expired {three_days_ago}). Elsewhere, "
        "1 person at Cambridgeshire Constabulary holds it."
    )
    assert lapsed not in offered(dialog.people.operator)


def test_kit_needing_no_competence_offers_everyone_with_no_note(
    qtbot: QtBot, catalogue: Catalogue, people: People
) -> None:
    dialog = EmergencyIssueDialog(catalogue.db, DUTY, catalogue.ids[TOILET_TAG])
    qtbot.addWidget(dialog)
    dialog.show()
    choose(dialog.borrower_combo, dialog.borrower_combo.itemData(0))
    borrower = dialog.borrower_id()
    with catalogue.db.read() as session:
        everyone = set(
            session.scalars(
                select(Person.id).where(Person.agency_id == borrower, Person.is_active.is_(True))
            )
        )
    assert set(offered(dialog.people.operator)) == everyone
    assert not dialog.people.operator_note.isVisible()


def test_the_issue_dialog_offers_only_qualified_operators(
    qtbot: QtBot, catalogue: Catalogue, people: People
) -> None:
    _pilots(catalogue, people)
    start = now_utc().replace(second=0, microsecond=0) + timedelta(hours=6)
    loan_id = request_loan(
        catalogue.db,
        LoanDraft(
            borrower_agency_id=people.ambulance_id,
            requested_by_id=people.requester_id,
            purpose="Cordon at the fun run",
            starts_at=start,
            due_at=start + timedelta(hours=10),
            lines=(LineDraft(catalogue.ids[BARRIERS_TAG], 4),),
        ),
        DUTY,
    )
    manager = Actor(
        name="Dana Whitfield (dwhitfield)",
        role=Role.EQUIPMENT_MANAGER,
        person_id=people.approver_id,
        agency_id=people.fire_id,
    )
    approve_loan(catalogue.db, loan_id, manager)

    dialog = IssueDialog(catalogue.db, DUTY, get_loan(catalogue.db, loan_id))
    qtbot.addWidget(dialog)
    dialog.show()

    assert offered(dialog.people.operator) == [people.operator_id]
    assert dialog.people.operator_note.text().startswith(
        "Protocol “Drones and barriers between blue-light partners” needs"
    )
    assert "Not offered: Dev Lapsed (expired " in dialog.people.operator_note.text()


def test_a_qualification_added_elsewhere_shows_after_a_refresh(
    qtbot: QtBot, demo: Database
) -> None:
    view = open_view(qtbot, demo, DUTY)
    begum = person_id(demo, "Aisha Begum")
    with demo.read() as session:
        wah = session.scalars(
            select(QualificationType.id).where(QualificationType.code == "WAH")
        ).one()
    add_qualification(
        demo, begum, QualificationDraft(wah, issued_on=today_uk() - timedelta(days=1)), ADMIN
    )
    assert cell(view, "Aisha Begum", PersonColumn.QUALIFICATIONS) == "None"
    view.refresh()
    assert cell(view, "Aisha Begum", PersonColumn.QUALIFICATIONS) == "Work at height"
