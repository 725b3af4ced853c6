"""The Agreements view: the MoU register on the demo data, its filter, signing in as an
administrator, and editing through the view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QBrush
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.agreements.reading import find_mou, get_mou, list_mous, register_choices
from app.agreements.status import MouStatus
from app.core.actor import Actor
from app.core.clock import format_date
from app.people.accounts import sign_in
from app.storage.database import Database
from models import Role
from tests.ui.loan_driving import act_as
from ui.agreements.mou_dialog import MouDialog
from ui.agreements.protocol_dialog import ProtocolDialog
from ui.agreements.view import (
    NO_MATCH_TEXT,
    READ_ONLY_TEXT,
    STATUS_COLOURS,
    AgreementsView,
    MouColumn,
    MouTableModel,
    paragraphs,
)

TRI = "CPFA-MOU-2022-01"
UAS = "CAMBS-UAS-MOU-2024-03"


@pytest.fixture
def view(qtbot: QtBot, demo: Database) -> AgreementsView:
    shown = AgreementsView(demo)
    qtbot.addWidget(shown)
    shown.resize(1280, 800)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


@pytest.fixture
def admin(demo: Database) -> Actor:
    return sign_in(demo, "admin", "admin-demo-2026")


def listed(view: AgreementsView) -> list[tuple[str, str, str]]:
    model = view.model
    return [
        (
            model.index(row, MouColumn.REFERENCE).data(),
            model.index(row, MouColumn.VERSION).data(),
            model.index(row, MouColumn.STATUS).data(),
        )
        for row in range(model.rowCount())
    ]


def changes(view: AgreementsView) -> list[None]:
    """A list that grows by one each time the view says the register changed."""
    seen: list[None] = []
    view.register_changed.connect(lambda: seen.append(None))
    return seen


def click(button: QPushButton) -> None:
    assert button.isVisible(), button.text()
    assert button.isEnabled(), button.text()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


# -- reading the register -------------------------------------------------------------------


def test_the_table_lists_every_version_of_the_demo_mous_with_its_status(
    view: AgreementsView, demo: Database
) -> None:
    assert listed(view) == [
        ("BCH-SA-MOU-2023-07", "1", "In force"),
        (UAS, "1", "Review due"),
        (TRI, "2", "In force"),
        (TRI, "1", "Superseded"),
        ("NFRS-CFRS-MOU-2025-02", "1", "In force"),
    ]
    assert [view.model.record_id(r) for r in range(view.model.rowCount())] == [
        row.id for row in list_mous(demo)
    ]
    row = view.model.row_of(find_mou(demo, UAS))
    assert row is not None
    status = view.model.index(row, MouColumn.STATUS)
    colour = status.data(Qt.ItemDataRole.ForegroundRole)
    assert isinstance(colour, QBrush)
    assert colour.color().name() == STATUS_COLOURS[MouStatus.REVIEW_DUE]
    assert status.data(Qt.ItemDataRole.DecorationRole) is not None
    parties = view.model.index(row, MouColumn.PARTIES)
    assert parties.data().startswith("Cambridgeshire Constabulary, Cambridgeshire Fire")
    assert parties.data(Qt.ItemDataRole.ToolTipRole).splitlines()[0] == (
        "Cambridgeshire Constabulary (lead party)"
    )
    assert len(parties.data(Qt.ItemDataRole.ToolTipRole).splitlines()) == 6


def test_the_first_version_is_shown_in_full_from_the_start(view: AgreementsView) -> None:
    assert view.selected_mou_id() == view.model.record_id(0)
    assert view.shown_mou is not None
    assert view.document_text().startswith(view.shown_mou.title)


def test_selecting_an_mou_shows_its_clauses_and_protocols(
    view: AgreementsView, demo: Database
) -> None:
    uas = find_mou(demo, UAS)
    row = view.model.row_of(uas)
    assert row is not None
    QTest.mouseClick(
        view.table.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        view.table.visualRect(view.model.index(row, MouColumn.TITLE)).center(),
    )

    assert view.selected_mou_id() == uas
    text = view.document_text()
    mou = get_mou(demo, uas)
    assert f"{UAS} · Version 1" in text
    assert "Review due" in text
    # The demo's dates move with the day it was made; the page shows the MoU's own.
    assert (
        f"Effective from\n{format_date(mou.effective_from)}\n"
        f"Review by\n{format_date(mou.review_on)}"
    ) in text
    assert "Cambridgeshire Constabulary (lead party)" in text
    assert "Nicola Brereton, Chief Constable" in text
    for clause in mou.clauses:
        assert f"\n{clause.number}.  {clause.heading}\n" in text
    # Clause 1's two paragraphs stay two paragraphs.
    assert "each acting by its chief officer.\n1.2 Each signatory confirms" in text
    for protocol in mou.protocols:
        assert protocol.name in text
    assert "£150.00 per day" in text
    assert f"{mou.loan_count} loans have been made under this version." in text
    assert "Edit…" not in text


def test_a_newer_and_older_version_link_to_each_other(view: AgreementsView, demo: Database) -> None:
    old, new = find_mou(demo, TRI, 1), find_mou(demo, TRI, 2)
    view.select_mou(old)

    assert "Superseded by\nVersion 2" in view.document_text()

    view.browser.anchorClicked.emit(QUrl(f"mou:{new}"))
    assert view.selected_mou_id() == new
    assert "Supersedes\nVersion 1" in view.document_text()


def test_paragraphs_split_on_blank_lines_and_are_escaped() -> None:
    assert paragraphs("One <b>\nline two\n\n\nTwo & more") == (
        "<p>One &lt;b&gt;<br>line two</p><p>Two &amp; more</p>"
    )


def test_the_filter_narrows_the_list(view: AgreementsView, demo: Database) -> None:
    QTest.keyClicks(view.search_edit, "drone")
    assert [r[0] for r in listed(view)] == [UAS]
    assert view.selected_mou_id() == find_mou(demo, UAS)

    view.search_edit.clear()
    QTest.keyClicks(view.search_edit, "norfolk")
    assert [r[0] for r in listed(view)] == ["NFRS-CFRS-MOU-2025-02"]

    view.search_edit.clear()
    view.status_combo.setCurrentIndex(view.status_combo.findData(MouStatus.SUPERSEDED))
    assert listed(view) == [(TRI, "1", "Superseded")]

    QTest.keyClicks(view.search_edit, "bedfordshire")
    assert listed(view) == []
    assert view.document_text() == NO_MATCH_TEXT

    view.status_combo.setCurrentIndex(0)
    assert {r[0] for r in listed(view)} == {"BCH-SA-MOU-2023-07", UAS}


# -- signing in -----------------------------------------------------------------------------


def test_editing_is_disabled_until_an_administrator_signs_in(view: AgreementsView) -> None:
    assert view.actor is None
    assert view.admin_label.text() == READ_ONLY_TEXT
    assert [b.isEnabled() for b in view.edit_buttons()] == [False] * 5
    assert view.new_mou() is None


def test_an_administrator_may_edit_and_a_duty_officer_may_not(
    view: AgreementsView, demo: Database, admin: Actor
) -> None:
    view.select_mou(find_mou(demo, UAS))
    view.set_actor(admin)

    assert view.admin_label.text() == (
        "Signed in as Claire Ashworth (admin), administrator. "
        "Your changes are audited in your name."
    )
    assert [b.isEnabled() for b in view.edit_buttons()] == [True] * 5
    assert "Edit…" in view.document_text()

    view.set_actor(Actor("Dan Duty (duty)", role=Role.DUTY_OFFICER))

    assert view.admin_label.text() == (
        "Read only: you are signed in as a duty officer. Only an administrator can change "
        "the register; switch user (File menu) to sign in as one."
    )
    assert not any(b.isEnabled() for b in view.edit_buttons())
    assert "Edit…" not in view.document_text()
    assert view.new_mou() is None


def test_new_version_is_offered_only_for_a_signed_latest_version(
    view: AgreementsView, demo: Database, admin: Actor
) -> None:
    view.set_actor(admin)
    view.select_mou(find_mou(demo, TRI, 1))
    assert not view.new_version_button.isEnabled()
    view.select_mou(find_mou(demo, TRI, 2))
    assert view.new_version_button.isEnabled()


# -- editing through the view ---------------------------------------------------------------


def test_a_new_mou_typed_into_the_dialog_is_listed_as_a_draft(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    view: AgreementsView,
    demo: Database,
    admin: Actor,
) -> None:
    agencies = {choice.name: choice.id for choice in register_choices(demo).agencies}

    def script(dialog: MouDialog) -> None:
        QTest.keyClicks(dialog.reference_edit, "KS-TEST-2026")
        QTest.keyClicks(dialog.title_edit, "Test sharing of radios")
        QTest.keyClicks(dialog.purpose_edit, "To lend radios.")
        assert dialog.draft_check.isChecked()
        dialog.tabs.setCurrentIndex(1)
        for name in ("Norfolk Constabulary", "Bedfordshire Police"):
            dialog.party_combo.setCurrentIndex(dialog.party_combo.findData(agencies[name]))
            click(dialog.add_party_button)
        dialog.tabs.setCurrentIndex(2)
        click(dialog.add_clause_button)
        QTest.keyClicks(dialog.clause_heading_edit, "Parties")
        QTest.keyClicks(dialog.clause_body_edit, "Norfolk and Bedfordshire.")
        qtbot.waitUntil(lambda: not dialog.checking)
        assert dialog.problems == [], dialog.message()
        click(dialog.ok_button)

    seen = changes(view)
    view.set_actor(admin)
    opened = act_as(monkeypatch, qtbot, MouDialog, script)
    click(view.new_mou_button)

    assert len(opened) == 1
    new_id = opened[0].saved_mou_id
    assert new_id is not None
    assert seen == [None]
    assert ("KS-TEST-2026", "1", "Draft") in listed(view)
    assert view.selected_mou_id() == new_id
    text = view.document_text()
    assert "Test sharing of radios" in text
    assert "Norfolk Constabulary (lead party)" in text
    assert "\n1.  Parties\nNorfolk and Bedfordshire." in text
    saved = get_mou(demo, new_id)
    assert [p.name for p in saved.parties] == ["Norfolk Constabulary", "Bedfordshire Police"]
    assert saved.status is MouStatus.DRAFT


def test_a_cancelled_dialog_changes_nothing(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    view: AgreementsView,
    admin: Actor,
) -> None:
    seen = changes(view)
    view.set_actor(admin)
    act_as(monkeypatch, qtbot, MouDialog, lambda dialog: dialog.reject())
    before = listed(view)

    click(view.edit_mou_button)

    assert seen == []
    assert listed(view) == before


def test_new_version_asks_first_then_selects_and_opens_the_draft(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    view: AgreementsView,
    demo: Database,
    admin: Actor,
) -> None:
    asked: list[str] = []

    def question(*args: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return QMessageBox.StandardButton.Yes

    def script(dialog: MouDialog) -> None:
        assert not dialog.wording_fixed
        assert not dialog.note_label.isVisible()
        assert not dialog.title_edit.isReadOnly()
        assert dialog.reference_edit.isReadOnly()
        assert dialog.draft_check.isChecked()
        dialog.reject()

    monkeypatch.setattr(QMessageBox, "question", question)
    opened = act_as(monkeypatch, qtbot, MouDialog, script)
    seen = changes(view)
    view.set_actor(admin)
    old = find_mou(demo, TRI, 2)
    view.select_mou(old)

    click(view.new_version_button)

    assert asked == [
        f"Start version 3 of {TRI} as a draft copy? Version 2 stays in force until "
        "version 3 is signed and takes effect."
    ]
    new_id = find_mou(demo, TRI, 3)
    assert view.selected_mou_id() == new_id
    assert listed(view)[view.model.row_of(new_id) or 0] == (TRI, "3", "Draft")
    assert [dialog.mou_id for dialog in opened] == [new_id]
    assert seen == [None]
    # Version 2 stays in force until version 3 takes effect.
    assert get_mou(demo, old).status is MouStatus.IN_FORCE


def test_new_version_does_nothing_if_the_person_cancels(
    monkeypatch: pytest.MonkeyPatch, view: AgreementsView, demo: Database, admin: Actor
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Cancel)
    view.set_actor(admin)
    view.select_mou(find_mou(demo, UAS))

    assert view.start_new_version() is None
    assert [r.version for r in list_mous(demo) if r.reference == UAS] == [1]


def test_a_protocol_added_and_changed_through_the_view_shows_in_the_document(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    view: AgreementsView,
    demo: Database,
    admin: Actor,
) -> None:
    uas = find_mou(demo, UAS)
    before = len(get_mou(demo, uas).protocols)

    def add(dialog: ProtocolDialog) -> None:
        QTest.keyClicks(dialog.name_edit, "Drone batteries between forces")
        for choice in dialog.choices.agencies:
            if choice.name == "Bedfordshire Police":
                dialog.borrower_list.set_checked(choice.id)
            if choice.name == "Hertfordshire Constabulary":
                dialog.borrower_list.set_checked(choice.id)
        drones = next(c.id for c in dialog.choices.categories if c.name == "Drones")
        dialog.category_list.set_checked(drones)
        qtbot.waitUntil(lambda: not dialog.checking)
        click(dialog.ok_button)

    seen = changes(view)
    view.set_actor(admin)
    view.select_mou(uas)
    act_as(monkeypatch, qtbot, ProtocolDialog, add)
    click(view.new_protocol_button)

    mou = get_mou(demo, uas)
    assert len(mou.protocols) == before + 1
    added = mou.protocols[-1]
    assert added.name == "Drone batteries between forces"
    assert [p.name for p in added.borrowers] == [
        "Bedfordshire Police",
        "Hertfordshire Constabulary",
    ]
    assert "Drone batteries between forces" in view.document_text()
    assert seen == [None]

    def deactivate(dialog: ProtocolDialog) -> None:
        assert dialog.name_edit.text() == "Drone batteries between forces"
        dialog.active_check.setChecked(False)
        qtbot.waitUntil(lambda: not dialog.checking)
        click(dialog.ok_button)

    act_as(monkeypatch, qtbot, ProtocolDialog, deactivate)
    actions = view.protocol_menu.actions()
    assert [a.text() for a in actions] == [p.name for p in mou.protocols]
    actions[-1].trigger()

    assert not get_mou(demo, uas).protocols[-1].is_active
    assert "Drone batteries between forces  Edit…\n Not active \n" in view.document_text()
    assert seen == [None, None]


# -- the table model ------------------------------------------------------------------------


def test_mou_model_passes_qt_model_tester(qtmodeltester: ModelTester, demo: Database) -> None:
    model = MouTableModel()
    model.show_rows(list_mous(demo))
    assert model.rowCount() == 5

    qtmodeltester.check(model)  # type: ignore[no-untyped-call]

    model.set_filter("cambridgeshire", MouStatus.IN_FORCE)
    assert model.rowCount() == 3
    assert model.total == 5
    qtmodeltester.check(model)  # type: ignore[no-untyped-call]
    assert model.row_of(-1) is None


def test_dates_show_as_day_month_year(view: AgreementsView, demo: Database) -> None:
    mou = get_mou(demo, find_mou(demo, UAS))
    row = view.model.row_of(mou.id)
    assert row is not None
    assert mou.effective_from is not None
    effective = view.model.index(row, MouColumn.EFFECTIVE).data()
    assert effective == mou.effective_from.strftime("%d/%m/%Y")
    assert effective.count("/") == 2
    assert effective[2] == "/"
