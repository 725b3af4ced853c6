"""The item and protocol dialogs read the money typed into them as every other entry
point does (``tests/test_money.py`` holds the cases and the other entry points)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.core.actor import Actor
from app.core.money import parse_pounds
from app.people.accounts import sign_in
from app.storage.database import Database
from models import ChargingBasis, Role
from tests.test_money import CASES
from tests.ui.seed import Catalogue
from ui.agreements.protocol_dialog import ProtocolDialog
from ui.catalogue.item_dialog import ItemDialog


def core_answer(typed: str) -> tuple[int | None, str | None]:
    try:
        return parse_pounds(typed), None
    except ValueError as error:
        return None, str(error)


def test_the_item_dialog_reads_money_as_everyone_does(qtbot: QtBot, catalogue: Catalogue) -> None:
    dialog = ItemDialog(catalogue.db, Actor("Sgt A. Example", role=Role.ADMINISTRATOR))
    qtbot.addWidget(dialog)
    for typed, _expected in CASES:
        dialog.value_edit.setText(typed)
        draft, unreadable = dialog.draft()
        read = (draft.replacement_value_pence, unreadable[0].message if unreadable else None)
        assert read == core_answer(typed), typed


def test_the_protocol_dialog_reads_its_rate_as_everyone_does(qtbot: QtBot, demo: Database) -> None:
    admin = sign_in(demo, "admin", "admin-demo-2026")
    dialog = ProtocolDialog(demo, admin, 1, None)
    qtbot.addWidget(dialog)
    dialog.charging_combo.setCurrentIndex(dialog.charging_combo.findData(ChargingBasis.RATE))
    for typed, _expected in CASES:
        dialog.rate_edit.setText(typed)
        pence, unreadable = dialog.rate()
        assert (pence, unreadable[0].message if unreadable else None) == core_answer(typed), typed
        assert dialog.draft().charge_rate_pence == pence
