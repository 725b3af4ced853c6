"""The Export dialog on the demo data: a file that reads back with every row, in CSV and
Excel, the closing message naming the file and the count, the kits for anyone, people
offered only to those allowed, each choice with a key of its own, a cancelled export
leaving no file, and a file already there kept unless the person agrees to replace it.
No message box is ever shown: the dialog's ``confirm`` and ``inform`` are the test's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.core.actor import Actor
from app.kits.service import list_kits
from app.people.accounts import sign_in
from app.storage.database import Database
from app.transfer import tabular
from app.transfer.export import KIT_HEADERS
from app.transfer.fields import Kind
from app.transfer.tabular import read_table
from models import EquipmentItem, Person
from tests.test_kit_documents import make_kit
from tests.test_kit_transfer import PUMP_KIT, PUMP_MEMBERS
from tests.ui.driving import shot
from ui.transfer.export_dialog import ExportDialog, suggested_name
from ui.transfer.shared import WorkProgress

pytestmark = pytest.mark.usefixtures("qapp")


def signed_in(db: Database, username: str) -> Actor:
    return sign_in(db, username, f"{username}-demo-2026")


def open_dialog(qtbot: QtBot, db: Database, actor: Actor) -> tuple[ExportDialog, list[str]]:
    """The dialog shown, with what it tells the person collected instead of shown."""
    dialog = ExportDialog(db, actor)
    qtbot.addWidget(dialog)
    told: list[str] = []
    dialog.inform = lambda _parent, text: told.append(text)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog, told


def count_of(db: Database, model: type[EquipmentItem] | type[Person]) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_catalogue_exports_to_a_file_that_reads_back(
    qtbot: QtBot, demo: Database, tmp_path: Path, file_format: str
) -> None:
    dialog, told = open_dialog(qtbot, demo, signed_in(demo, "admin"))
    dialog.choose(Kind.ITEMS, file_format)
    assert dialog.path_edit.text().endswith(suggested_name(Kind.ITEMS, file_format))
    dialog.path_edit.setText(str(tmp_path / "catalogue"))

    with qtbot.waitSignal(dialog.exported) as exported:
        dialog.export_button.click()

    path = tmp_path / f"catalogue.{file_format}"
    items = count_of(demo, EquipmentItem)
    assert dialog.written == path
    table = read_table(path)
    assert len(table.rows) == items
    with demo.read() as session:
        tags = set(session.scalars(select(EquipmentItem.asset_tag)))
    tag_column = next(i for i, h in enumerate(table.headers) if "tag" in h.lower())
    assert {row[tag_column] for row in table.rows} == tags
    message = f"Exported the catalogue ({items:,} rows) to catalogue.{file_format}."
    assert exported.args == [message]
    assert told == [f"{message}\n\nThe file is in {tmp_path}."]
    assert dialog.result() == ExportDialog.DialogCode.Accepted


def test_people_are_offered_only_to_those_allowed(qtbot: QtBot, demo: Database) -> None:
    administrator, _ = open_dialog(qtbot, demo, signed_in(demo, "admin"))
    assert set(administrator.kind_buttons) == {Kind.ITEMS, Kind.KITS, Kind.LOANS, Kind.PEOPLE}

    duty, _ = open_dialog(qtbot, demo, signed_in(demo, "duty"))
    assert set(duty.kind_buttons) == {Kind.ITEMS, Kind.KITS, Kind.LOANS}


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_duty_officer_exports_the_kits_in_use_with_their_members_and_notes(
    qtbot: QtBot, demo: Database, tmp_path: Path, file_format: str
) -> None:
    make_kit(demo, PUMP_KIT, PUMP_MEMBERS, "A pump and its hose; for a flooded cellar.")
    in_use = {kit.name for kit in list_kits(demo)}
    dialog, told = open_dialog(qtbot, demo, signed_in(demo, "duty"))
    radio = dialog.kind_buttons[Kind.KITS]
    assert radio.isVisible()
    assert radio.text() == "&Kits: every kit in use, with its members"
    shot(dialog, "kits-export", tmp_path)

    radio.click()
    dialog.choose(Kind.KITS, file_format)
    assert dialog.path_edit.text().endswith(suggested_name(Kind.KITS, file_format))
    assert suggested_name(Kind.KITS, file_format).startswith("kit-share-kits-")
    dialog.path_edit.setText(str(tmp_path / "kits"))
    with qtbot.waitSignal(dialog.exported) as exported:
        dialog.export_button.click()

    path = tmp_path / f"kits.{file_format}"
    assert dialog.written == path
    table = read_table(path)
    assert table.headers == KIT_HEADERS
    assert {row[0] for row in table.rows} == in_use
    rows = {row[0]: dict(zip(KIT_HEADERS, row, strict=True)) for row in table.rows}
    pump = rows[PUMP_KIT]
    assert pump["Owner agency"] == "Cambridgeshire Fire and Rescue Service"
    assert pump["Home site"] == "Huntingdon Fire Station"
    assert pump["Description"] == "A pump and its hose; for a flooded cellar."
    assert pump["Members"] == "CFR-000297; CFR-000296"
    assert pump["Member notes"] == "CFR-000297=Check impeller; clear the strainer"
    message = f"Exported the kits ({len(in_use)} rows) to kits.{file_format}."
    assert exported.args == [message]
    assert told == [f"{message}\n\nThe file is in {tmp_path}."]


def mnemonics(texts: list[str]) -> list[str]:
    """The letter after each "&" (not "&&"), folded: the key Alt+letter presses."""
    return [
        found.group(1).casefold()
        for text in texts
        if (found := re.search(r"(?<!&)&([^&\s])", text)) is not None
    ]


def test_every_choice_in_the_dialog_has_a_key_of_its_own(qtbot: QtBot, demo: Database) -> None:
    dialog, _ = open_dialog(qtbot, demo, signed_in(demo, "admin"))
    texts = [b.text() for b in dialog.findChildren(QAbstractButton) if b.isVisible()]
    texts += [label.text() for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    keys = mnemonics(texts)

    assert "k" in keys, texts
    assert len(keys) == len(set(keys)), sorted(texts)


def test_people_export_for_an_administrator(qtbot: QtBot, demo: Database, tmp_path: Path) -> None:
    dialog, _ = open_dialog(qtbot, demo, signed_in(demo, "admin"))
    dialog.choose(Kind.PEOPLE, "xlsx")
    dialog.path_edit.setText(str(tmp_path / "people.xlsx"))

    assert dialog.run_export() == tmp_path / "people.xlsx"
    assert len(read_table(tmp_path / "people.xlsx").rows) == count_of(demo, Person)


def test_a_loans_export_reads_back(qtbot: QtBot, demo: Database, tmp_path: Path) -> None:
    dialog, told = open_dialog(qtbot, demo, signed_in(demo, "duty"))
    dialog.choose(Kind.LOANS)
    dialog.path_edit.setText(str(tmp_path / "loans.csv"))

    assert dialog.run_export() == tmp_path / "loans.csv"
    table = read_table(tmp_path / "loans.csv")
    assert table.rows, "the demo has loans"
    assert told[0].startswith(f"Exported the loans ({len(table.rows):,} rows) to loans.csv.")


def test_cancelling_an_export_leaves_no_file(
    qtbot: QtBot, demo: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    dialog, told = open_dialog(qtbot, demo, signed_in(demo, "admin"))
    dialog.path_edit.setText(str(folder / "catalogue.csv"))
    real_report = WorkProgress.__call__

    def press_cancel(self: WorkProgress, done: int, total: int) -> bool:
        self.dialog.cancel()
        return real_report(self, done, total)

    monkeypatch.setattr(WorkProgress, "__call__", press_cancel)
    # The demo catalogue is shorter than one report's worth of rows: report every row.
    monkeypatch.setattr(tabular, "PROGRESS_EVERY", 1)
    dialog.export_button.click()

    assert dialog.message.text() == "Cancelled: no file was written."
    assert list(folder.iterdir()) == [], "a cancelled export leaves no file, not even part of one"
    assert told == []
    assert dialog.isVisible(), "the dialog stays for another try"


def test_a_file_already_there_is_replaced_only_when_the_person_agrees(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text("keep me", encoding="utf-8")
    dialog, _ = open_dialog(qtbot, demo, signed_in(demo, "admin"))
    dialog.path_edit.setText(str(path))
    questions: list[str] = []
    answer = False

    def confirm(_parent: object, question: str) -> bool:
        questions.append(question)
        return answer

    dialog.confirm = confirm
    assert dialog.run_export() is None
    assert questions == ["catalogue.csv is already there. Replace it?"]
    assert path.read_text(encoding="utf-8") == "keep me"

    answer = True
    assert dialog.run_export() == path
    assert len(read_table(path).rows) == count_of(demo, EquipmentItem)


def test_save_as_chooses_the_file_and_its_format(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    dialog, _ = open_dialog(qtbot, demo, signed_in(demo, "admin"))
    chosen = tmp_path / "for the board.xlsx"
    dialog.ask_save_path = lambda _parent, _suggested, _filter: chosen
    dialog.save_as_button.click()

    assert dialog.file_format() == "xlsx"
    assert dialog.path() == chosen


def test_a_folder_that_is_not_there_is_named(qtbot: QtBot, demo: Database, tmp_path: Path) -> None:
    dialog, told = open_dialog(qtbot, demo, signed_in(demo, "admin"))
    dialog.path_edit.setText(str(tmp_path / "gone" / "catalogue.csv"))

    assert dialog.run_export() is None
    assert (
        dialog.message.text()
        == f"There is no folder {tmp_path / 'gone'}. Choose a folder that exists."
    )
    assert told == []
