"""The MoU and protocol editors on their own: checked as you type, refusals on OK kept
in the dialog with everything typed, and a signed version's wording fixed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QPushButton
from pytestqt.qtbot import QtBot

from app.agreements.reading import find_mou, get_mou, register_choices
from app.agreements.register import MouDraft, create_mou
from app.core.actor import Actor
from app.core.clock import today_uk
from app.people.accounts import sign_in
from app.storage.database import Database
from models import ChargingBasis, Role
from ui.agreements.mou_dialog import MouDialog
from ui.agreements.protocol_dialog import ProtocolDialog, split_tags
from ui.widgets.dates import NOT_SET, OptionalDateEdit
from ui.widgets.form import FormDialog
from ui.widgets.palette import READY_STYLE, REFUSED_STYLE, TO_DO_STYLE

TRI = "CPFA-MOU-2022-01"
UAS = "CAMBS-UAS-MOU-2024-03"


@pytest.fixture
def admin(demo: Database) -> Actor:
    return sign_in(demo, "admin", "admin-demo-2026")


def shown(qtbot: QtBot, dialog: FormDialog) -> FormDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def settle(qtbot: QtBot, dialog: FormDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.checking)


def click(button: QPushButton) -> None:
    assert button.isEnabled(), button.text()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def style_of(dialog: FormDialog) -> tuple[str, str, str]:
    sheet = dialog.message_label.styleSheet()
    for style in (TO_DO_STYLE, REFUSED_STYLE, READY_STYLE):
        if all(colour in sheet for colour in style):
            return style
    raise AssertionError(sheet)


def set_date(edit: OptionalDateEdit, value: date) -> None:
    if not edit.check.isChecked():
        QTest.mouseClick(edit.check, Qt.MouseButton.LeftButton)
    edit.edit.setDate(QDate(value.year, value.month, value.day))


def agency(demo: Database, name: str) -> int:
    return next(c.id for c in register_choices(demo).agencies if c.name == name)


@pytest.fixture
def new_mou(qtbot: QtBot, demo: Database, admin: Actor) -> MouDialog:
    """A new MoU filled in far enough to be saved as a draft."""
    dialog = MouDialog(demo, admin, None)
    shown(qtbot, dialog)
    QTest.keyClicks(dialog.reference_edit, "KS-DLG-2026")
    QTest.keyClicks(dialog.title_edit, "Dialog test MoU")
    for name in ("Norfolk Constabulary", "Norfolk Fire and Rescue Service"):
        dialog.party_combo.setCurrentIndex(dialog.party_combo.findData(agency(demo, name)))
        click(dialog.add_party_button)
    settle(qtbot, dialog)
    return dialog


# -- the MoU editor ---------------------------------------------------------------------------


def test_a_blank_mou_says_what_it_needs_and_cannot_be_saved(
    qtbot: QtBot, demo: Database, admin: Actor
) -> None:
    dialog = MouDialog(demo, admin, None)
    shown(qtbot, dialog)

    assert not dialog.ok_button.isEnabled()
    assert dialog.message().splitlines() == [
        "• Give the MoU a reference, such as CAMBS-TRI-2024.",
        "• Give the MoU a title, such as “Tri-service equipment sharing”.",
        "• An MoU needs at least two parties; add the agencies that sign it.",
    ]
    assert dialog.marked_fields() == {"reference", "title", "party_ids"}
    assert style_of(dialog) == TO_DO_STYLE
    # The tabs holding a marked field say so.
    assert not dialog.tabs.tabIcon(0).isNull()
    assert not dialog.tabs.tabIcon(1).isNull()
    assert dialog.tabs.tabIcon(2).isNull()
    assert dialog.dates["signed_on"].edit.displayFormat() == "dd/MM/yyyy"
    assert dialog.dates["signed_on"].value() is None
    assert dialog.dates["signed_on"].edit.text() == NOT_SET


def test_an_expiry_before_the_effective_date_disables_ok_and_says_why(
    qtbot: QtBot, new_mou: MouDialog
) -> None:
    dialog = new_mou
    assert dialog.ok_button.isEnabled(), dialog.message()
    assert style_of(dialog) == READY_STYLE

    set_date(dialog.dates["effective_from"], date(2026, 4, 1))
    set_date(dialog.dates["expires_on"], date(2026, 3, 1))
    assert dialog.checking
    settle(qtbot, dialog)

    assert not dialog.ok_button.isEnabled()
    assert dialog.message() == (
        "The expiry date 01/03/2026 is before the date it takes effect (01/04/2026); make it later."
    )
    assert dialog.marked_fields() == {"expires_on"}
    assert "border: 2px solid" in dialog.dates["expires_on"].edit.styleSheet()

    set_date(dialog.dates["expires_on"], date(2029, 3, 31))
    settle(qtbot, dialog)

    assert dialog.ok_button.isEnabled(), dialog.message()
    assert dialog.marked_fields() == set()
    assert dialog.draft().expires_on == date(2029, 3, 31)


def test_parties_move_and_signatories_follow_them(
    qtbot: QtBot, demo: Database, new_mou: MouDialog
) -> None:
    dialog = new_mou
    norfolk_police = agency(demo, "Norfolk Constabulary")
    norfolk_fire = agency(demo, "Norfolk Fire and Rescue Service")
    assert dialog.party_ids() == (norfolk_police, norfolk_fire)
    assert dialog.party_list.item(0).text() == "Norfolk Constabulary  (lead party)"

    dialog.party_list.setCurrentRow(1)
    click(dialog.party_up_button)

    assert dialog.party_ids() == (norfolk_fire, norfolk_police)
    assert dialog.party_list.item(0).text() == "Norfolk Fire and Rescue Service  (lead party)"

    row = dialog.add_signatory()
    assert row.agency_id() == norfolk_fire
    QTest.keyClicks(row.name_edit, "Martin Tolley")
    QTest.keyClicks(row.role_edit, "Chief Fire Officer")
    second = dialog.add_signatory()
    assert second.agency_id() == norfolk_police
    assert [second.agency_combo.itemText(i) for i in range(second.agency_combo.count())] == [
        "Norfolk Fire and Rescue Service",
        "Norfolk Constabulary",
    ]
    settle(qtbot, dialog)
    assert dialog.message().splitlines() == [
        "• Give the name of signatory 2.",
        "• Give the role Signatory 2 signs in, such as “Chief Fire Officer”.",
    ]
    assert dialog.marked_fields() == {"signatories"}

    dialog.signatory_table.setCurrentCell(1, 1)
    click(dialog.remove_signatory_button)
    settle(qtbot, dialog)

    assert dialog.ok_button.isEnabled(), dialog.message()
    assert [(s.agency_id, s.name) for s in dialog.draft().signatories] == [
        (norfolk_fire, "Martin Tolley")
    ]


def test_clauses_are_numbered_by_position_and_can_be_reordered(
    qtbot: QtBot, new_mou: MouDialog
) -> None:
    dialog = new_mou
    for heading, body in (("Parties", "Who signs."), ("Purpose", "Why.\n\nAnd how.")):
        click(dialog.add_clause_button)
        QTest.keyClicks(dialog.clause_heading_edit, heading)
        dialog.clause_body_edit.setPlainText(body)

    assert [dialog.clause_list.item(i).text() for i in range(2)] == [
        "1.  Parties",
        "2.  Purpose",
    ]
    click(dialog.clause_up_button)

    assert [dialog.clause_list.item(i).text() for i in range(2)] == [
        "1.  Purpose",
        "2.  Parties",
    ]
    assert dialog.clause_body_edit.toPlainText() == "Why.\n\nAnd how."
    QTest.keyClicks(dialog.clause_number_edit, "A")
    assert dialog.clause_list.item(0).text() == "A.  Purpose"
    assert [(c.number, c.heading) for c in dialog.draft().clauses] == [
        ("A", "Purpose"),
        ("", "Parties"),
    ]

    dialog.clause_list.setCurrentRow(1)
    dialog.clause_body_edit.clear()
    settle(qtbot, dialog)
    assert dialog.message() == "Clause 2 (Parties) has no text; write it or remove the clause."
    assert dialog.marked_fields() == {"clauses"}
    assert not dialog.tabs.tabIcon(2).isNull()


def test_a_refusal_on_ok_keeps_the_dialog_open_with_everything_typed(
    qtbot: QtBot, demo: Database, admin: Actor, new_mou: MouDialog
) -> None:
    dialog = new_mou
    # Another administrator takes the reference after the dialog last checked it.
    create_mou(
        demo,
        MouDraft(
            reference="KS-DLG-2026",
            title="Someone else's",
            party_ids=(agency(demo, "Bedfordshire Police"), agency(demo, "Norfolk Constabulary")),
        ),
        admin,
    )
    assert dialog.ok_button.isEnabled()

    click(dialog.ok_button)

    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.saved_mou_id is None
    assert dialog.message().startswith("The reference KS-DLG-2026 is already used")
    assert dialog.marked_fields() == {"reference"}
    assert dialog.reference_edit.text() == "KS-DLG-2026"
    assert dialog.title_edit.text() == "Dialog test MoU"
    assert len(dialog.party_ids()) == 2


def test_someone_not_an_administrator_is_refused_on_ok(
    qtbot: QtBot, demo: Database, admin: Actor
) -> None:
    dialog = MouDialog(demo, Actor("PC Test", user_id=1, role=Role.DUTY_OFFICER), None)
    shown(qtbot, dialog)
    QTest.keyClicks(dialog.reference_edit, "KS-DUTY-2026")
    QTest.keyClicks(dialog.title_edit, "Not allowed")
    for name in ("Norfolk Constabulary", "Bedfordshire Police"):
        dialog.party_combo.setCurrentIndex(dialog.party_combo.findData(agency(demo, name)))
        click(dialog.add_party_button)
    settle(qtbot, dialog)

    click(dialog.ok_button)

    assert dialog.isVisible()
    assert dialog.message() == (
        "PC Test is signed in as a duty officer, and only an administrator can change the "
        "MoU register. Ask one to do it, or sign in as one."
    )
    assert style_of(dialog) == REFUSED_STYLE
    with pytest.raises(Exception, match="No MoU has the reference"):
        find_mou(demo, "KS-DUTY-2026")


def test_a_signed_version_keeps_its_wording_but_its_dates_can_be_put_right(
    qtbot: QtBot, demo: Database, admin: Actor
) -> None:
    uas = find_mou(demo, UAS)
    dialog = MouDialog(demo, admin, uas)
    shown(qtbot, dialog)

    assert dialog.wording_fixed
    assert dialog.note_label.isVisible()
    assert dialog.note_label.text() == (
        "Version 1 is signed, so its wording is fixed. Start a new version to change it."
    )
    for edit in (
        dialog.reference_edit,
        dialog.title_edit,
        dialog.purpose_edit,
        dialog.scope_edit,
        dialog.clause_heading_edit,
        dialog.clause_body_edit,
    ):
        assert edit.isReadOnly(), edit.objectName()
    for button in (
        dialog.add_party_button,
        dialog.add_clause_button,
        dialog.remove_clause_button,
    ):
        assert not button.isEnabled(), button.text()
    assert not dialog.draft_check.isEnabled()
    assert dialog.ok_button.isEnabled(), dialog.message()

    review = today_uk() + timedelta(days=300)
    set_date(dialog.dates["review_on"], review)
    dialog.signatory_rows[0].name_edit.setText("Nicola J. Brereton")
    settle(qtbot, dialog)
    click(dialog.ok_button)

    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = get_mou(demo, uas)
    assert saved.review_on == review
    assert saved.signatories[0].name == "Nicola J. Brereton"
    assert saved.title == "Aerial Capability (Drone) Sharing Memorandum of Understanding"


def test_an_optional_date_can_be_cleared_and_given_again(qtbot: QtBot) -> None:
    edit = OptionalDateEdit("test", "Signed")
    qtbot.addWidget(edit)
    edit.set_value(date(2026, 11, 21))
    assert edit.value() == date(2026, 11, 21)
    assert edit.edit.text() == "21/11/2026"

    edit.check.setChecked(False)
    assert edit.value() is None
    assert edit.edit.text() == NOT_SET
    assert not edit.edit.isEnabled()

    edit.check.setChecked(True)
    assert edit.value() == date(2026, 11, 21)


# -- the protocol editor ----------------------------------------------------------------------


def test_a_new_protocol_with_a_rate_is_saved_in_pence(
    qtbot: QtBot, demo: Database, admin: Actor
) -> None:
    tri = find_mou(demo, TRI, 2)
    dialog = ProtocolDialog(demo, admin, tri, None)
    shown(qtbot, dialog)
    assert not dialog.ok_button.isEnabled()
    assert dialog.borrower_list.names() == [
        "Cambridgeshire Constabulary",
        "Cambridgeshire Fire and Rescue Service",
        "East of England Ambulance Service NHS Trust",
    ]
    assert not dialog.rate_edit.isEnabled()

    QTest.keyClicks(dialog.name_edit, "Inflatable shelters for rest centres")
    dialog.borrower_list.set_checked(agency(demo, "East of England Ambulance Service NHS Trust"))
    tents = next(c.id for c in dialog.choices.categories if c.name == "Tents and shelters")
    dialog.category_list.set_checked(tents)
    dialog.approver_combo.setCurrentIndex(dialog.approver_combo.findData(Role.DUTY_OFFICER))
    dialog.notice_spin.setValue(12)
    dialog.longest_days.setValue(1)
    dialog.longest_hours.setValue(12)
    assert dialog.longest_hint.text() == "36 hours in all"
    assert dialog.longest_days.suffix() == " day"
    dialog.charging_combo.setCurrentIndex(dialog.charging_combo.findData(ChargingBasis.RATE))
    assert dialog.rate_edit.isEnabled()
    settle(qtbot, dialog)
    assert dialog.message() == (
        "• A charge at a rate needs a rate above £0.00, e.g. £45.00 per day; "
        "or choose no charge.\n"
        "• Say what the rate is charged per, such as “day” or “loan”."
    )
    assert dialog.marked_fields() == {"charge_rate_pence", "charge_unit"}

    QTest.keyClicks(dialog.rate_edit, "45.5")
    QTest.keyClicks(dialog.unit_edit, "day")
    settle(qtbot, dialog)
    click(dialog.ok_button)

    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = next(p for p in get_mou(demo, tri).protocols if p.id == dialog.saved_protocol_id)
    assert saved.name == "Inflatable shelters for rest centres"
    assert saved.charge_rate_pence == 4550
    assert saved.charging_text == "£45.50 per day"
    assert saved.max_loan_hours == 36
    assert saved.notice_hours == 12
    assert saved.approver == "Duty officer"
    assert [c[1] for c in saved.categories] == ["Tents and shelters"]


def test_unknown_asset_tags_are_named_as_you_type(
    qtbot: QtBot, demo: Database, admin: Actor
) -> None:
    tri = find_mou(demo, TRI, 2)
    ladders = next(p for p in get_mou(demo, tri).protocols if p.items)
    dialog = ProtocolDialog(demo, admin, tri, ladders.id)
    shown(qtbot, dialog)
    assert dialog.items_edit.text() == "CFR-000282, CFR-000285"
    assert dialog.ok_button.isEnabled(), dialog.message()

    QTest.keyClicks(dialog.items_edit, " NOPE-1;nope-2")
    settle(qtbot, dialog)

    assert not dialog.ok_button.isEnabled()
    assert dialog.message().splitlines() == [
        "• No catalogue item has the asset tag “NOPE-1”; check the label.",
        "• No catalogue item has the asset tag “nope-2”; check the label.",
    ]
    assert dialog.marked_fields() == {"items"}
    assert not dialog.tabs.tabIcon(1).isNull()


def test_editing_a_protocol_starts_from_what_it_holds(
    qtbot: QtBot, demo: Database, admin: Actor
) -> None:
    uas = find_mou(demo, UAS)
    planned = next(
        p for p in get_mou(demo, uas).protocols if p.name == "Drones, planned operations"
    )
    dialog = ProtocolDialog(demo, admin, uas, planned.id)
    shown(qtbot, dialog)

    assert dialog.name_edit.text() == planned.name
    assert dialog.max_loan_hours() == planned.max_loan_hours == 72
    assert (dialog.longest_days.value(), dialog.longest_hours.value()) == (3, 0)
    assert dialog.charging() is ChargingBasis.RATE
    assert dialog.rate_edit.text() == "£150.00"
    assert dialog.unit_edit.text() == "day"
    assert set(dialog.borrower_list.checked_ids()) == {b.agency_id for b in planned.borrowers}
    assert dialog.protocol_text_edit.toPlainText() == planned.protocol_text

    dialog.emergency_check.setChecked(True)
    dialog.longest_hours.setValue(6)
    settle(qtbot, dialog)
    click(dialog.ok_button)

    saved = next(p for p in get_mou(demo, uas).protocols if p.id == planned.id)
    assert saved.emergency_only
    assert saved.max_loan_hours == 78
    assert saved.charge_rate_pence == 15000


def test_tags_are_read_as_people_type_them() -> None:
    assert split_tags(" CAM-1, cam-2;CAM-3\nCAM-4 ") == ["CAM-1", "cam-2", "CAM-3", "CAM-4"]
    assert split_tags("  ") == []
