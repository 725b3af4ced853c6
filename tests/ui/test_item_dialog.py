"""The item dialog, driven as a person would: typing, choosing, and pressing Save."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QDialog, QLabel
from pytestqt.qtbot import QtBot

from app.catalogue.items import load_draft, update_item
from app.catalogue.search import search_items
from app.core.actor import Actor
from app.core.clock import today_uk
from models import Role
from tests.ui.seed import BARRIERS_TAG, DRONE_TAG, Catalogue
from ui.catalogue.item_dialog import ADD_TITLE, ItemDialog

ACTOR = Actor("Sgt A. Example", role=Role.ADMINISTRATOR)


@pytest.fixture
def dialog(qtbot: QtBot, catalogue: Catalogue) -> ItemDialog:
    opened = ItemDialog(catalogue.db, ACTOR)
    qtbot.addWidget(opened)
    opened.show()
    return opened


def problem(dialog: ItemDialog, field: str) -> str:
    """The problem shown under ``field``; empty when none is showing."""
    label = dialog.findChild(QLabel, f"problem_{field}")
    assert label is not None
    return label.text() if label.isVisible() else ""


def choose(combo: QComboBox, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, f"{text!r} is not offered"
    combo.setCurrentIndex(index)


def fill_valid_form(dialog: ItemDialog, tag: str = "CAMBS-LGT-007") -> None:
    QTest.keyClicks(dialog.tag_edit, tag)
    QTest.keyClicks(dialog.name_edit, "Portable lighting tower")
    choose(dialog.category_combo, "Barriers")
    choose(dialog.owner_combo, "Cambridgeshire Constabulary")
    choose(dialog.site_combo, "Parkside Police Station")


def test_a_new_dialog_cannot_save_and_says_why_without_scolding(dialog: ItemDialog) -> None:
    assert dialog.windowTitle() == ADD_TITLE
    assert not dialog.save_button.isEnabled()
    assert problem(dialog, "asset_tag") == ""
    assert dialog.hint_label.text() == "Fill in the fields marked * to save."


def test_emptying_the_tag_shows_the_message_and_disables_save(dialog: ItemDialog) -> None:
    fill_valid_form(dialog)
    assert dialog.save_button.isEnabled()

    dialog.tag_edit.selectAll()
    QTest.keyClick(dialog.tag_edit, Qt.Key.Key_Backspace)

    assert problem(dialog, "asset_tag") == "Enter an asset tag, as printed on the item's label."
    assert not dialog.save_button.isEnabled()


def test_a_tag_with_a_space_is_explained_as_you_type(dialog: ItemDialog) -> None:
    QTest.keyClicks(dialog.tag_edit, "CAM 1")

    assert "only letters, digits, hyphens (-), slashes (/)" in problem(dialog, "asset_tag")


def test_a_valid_form_saves_the_item(dialog: ItemDialog, catalogue: Catalogue) -> None:
    fill_valid_form(dialog)
    QTest.keyClicks(dialog.value_edit, "1,250.50")
    dialog.acquired_check.setChecked(True)

    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.saved_item_id is not None
    draft, _ = load_draft(catalogue.db, dialog.saved_item_id)
    assert draft.asset_tag == "CAMBS-LGT-007"
    assert draft.name == "Portable lighting tower"
    assert draft.quantity == 1
    assert draft.replacement_value_pence == 125_050
    assert draft.acquired_on == today_uk()
    assert "CAMBS-LGT-007" in [row.asset_tag for row in search_items(catalogue.db).rows]


def test_a_duplicate_tag_shows_the_services_message_inline(
    dialog: ItemDialog, catalogue: Catalogue
) -> None:
    fill_valid_form(dialog, tag=DRONE_TAG.lower())

    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert problem(dialog, "asset_tag") == (
        f"Asset tag {DRONE_TAG} is already used by “Thermal drone”. Choose another tag."
    )
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.saved_item_id is None
    assert not dialog.save_button.isEnabled()
    assert search_items(catalogue.db).total == 4

    QTest.keyClicks(dialog.tag_edit, "X")
    assert problem(dialog, "asset_tag") == ""
    assert dialog.save_button.isEnabled()


def test_a_tagged_item_forces_quantity_one(dialog: ItemDialog) -> None:
    assert not dialog.quantity_spin.isEnabled()
    dialog.pooled_check.setChecked(True)
    dialog.quantity_spin.setValue(12)
    assert dialog.quantity_spin.isEnabled()

    dialog.pooled_check.setChecked(False)

    assert dialog.quantity_spin.value() == 1
    assert not dialog.quantity_spin.isEnabled()


def test_pooled_stock_saves_its_quantity(dialog: ItemDialog, catalogue: Catalogue) -> None:
    fill_valid_form(dialog)
    dialog.pooled_check.setChecked(True)
    dialog.quantity_spin.setValue(12)

    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.saved_item_id is not None
    assert load_draft(catalogue.db, dialog.saved_item_id)[0].quantity == 12


def test_the_site_list_follows_the_owner(dialog: ItemDialog) -> None:
    def offered() -> list[str]:
        return [dialog.site_combo.itemText(i) for i in range(1, dialog.site_combo.count())]

    choose(dialog.owner_combo, "Cambridgeshire Constabulary")
    assert offered() == ["Parkside Police Station"]
    choose(dialog.site_combo, "Parkside Police Station")

    choose(dialog.owner_combo, "Cambridgeshire Fire and Rescue Service")

    assert offered() == ["Huntingdon Fire Station"]
    assert dialog.site_combo.currentData() is None
    assert problem(dialog, "home_site_id") == "Choose the site where the item is kept."


def test_a_future_acquired_date_uses_the_services_message(dialog: ItemDialog) -> None:
    fill_valid_form(dialog)
    dialog.acquired_check.setChecked(True)
    dialog.acquired_edit.setDate(dialog.acquired_edit.date().addDays(3))

    expected = (today_uk() + timedelta(days=3)).strftime("%d/%m/%Y")
    assert expected in problem(dialog, "acquired_on")
    assert "is in the future" in problem(dialog, "acquired_on")
    assert not dialog.save_button.isEnabled()


def test_money_that_is_not_an_amount_is_explained(dialog: ItemDialog) -> None:
    fill_valid_form(dialog)

    QTest.keyClicks(dialog.rate_edit, "twelve")

    assert problem(dialog, "daily_hire_rate_pence") == (
        "“twelve” is not an amount in pounds; type pounds and pence, such as 1,250.00 or £12."
    )
    assert not dialog.save_button.isEnabled()


def test_editing_loads_the_item_and_saves_the_change(qtbot: QtBot, catalogue: Catalogue) -> None:
    item_id = catalogue.ids[BARRIERS_TAG]
    dialog = ItemDialog(catalogue.db, ACTOR, item_id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == f"Edit {BARRIERS_TAG}"
    assert dialog.quantity_spin.value() == 40
    assert dialog.quantity_spin.isEnabled()

    dialog.quantity_spin.setValue(45)
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.saved_item_id == item_id
    assert load_draft(catalogue.db, item_id)[0].quantity == 45


def test_a_change_saved_elsewhere_meanwhile_is_shown_not_overwritten(
    qtbot: QtBot, catalogue: Catalogue
) -> None:
    item_id = catalogue.ids[DRONE_TAG]
    dialog = ItemDialog(catalogue.db, ACTOR, item_id)
    qtbot.addWidget(dialog)
    dialog.show()
    draft, version = load_draft(catalogue.db, item_id)
    update_item(catalogue.db, item_id, dataclasses.replace(draft, notes="X"), ACTOR, version)

    QTest.keyClicks(dialog.name_edit, " (spare)")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.error_banner.isVisible()
    assert dialog.error_banner.text().startswith("Someone else changed this item")
    assert dialog.saved_item_id is None
    assert load_draft(catalogue.db, item_id)[0].name == "Thermal drone"


# -- typed at the edges -------------------------------------------------------------------------


def test_a_comma_out_of_place_in_money_is_explained_not_read_as_twelve_pounds(
    dialog: ItemDialog,
) -> None:
    fill_valid_form(dialog)

    QTest.keyClicks(dialog.value_edit, "£1,2")

    assert problem(dialog, "replacement_value_pence") == (
        "“£1,2” has a comma out of place; put commas only between thousands, as in 1,250.00, "
        "or leave them out."
    )
    assert not dialog.save_button.isEnabled()


def test_the_date_acquired_offers_only_the_years_kit_share_keeps(dialog: ItemDialog) -> None:
    edit = dialog.acquired_edit
    assert (edit.minimumDate(), edit.maximumDate()) == (QDate(1970, 1, 1), QDate(2099, 12, 31))
    dialog.acquired_check.setChecked(True)
    edit.setDate(QDate(1, 1, 1))
    assert edit.date() == QDate(1970, 1, 1)


def test_control_characters_pasted_into_the_name_are_not_saved(
    dialog: ItemDialog, catalogue: Catalogue
) -> None:
    fill_valid_form(dialog)
    dialog.name_edit.setText("Portable\x00 lighting\x07 tower")
    dialog.description_edit.setPlainText("Mast\x00 9 m.\r\nDiesel.")

    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.saved_item_id is not None
    draft, _ = load_draft(catalogue.db, dialog.saved_item_id)
    assert draft.name == "Portable lighting tower"
    assert draft.description == "Mast 9 m.\nDiesel."
