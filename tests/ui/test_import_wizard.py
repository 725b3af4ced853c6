"""The import wizard on the demo data, driven page by page as a person would: the file
read (or refused), the guessed columns and a correction, the dry run listing every bad
row and blocking the import, a new category approved, a good import landing in the
database, a cancelled one leaving it untouched, who is offered a people or a kits
import, and a kits file exported from the window brought back in.

No modal dialog is ever run: the wizard is shown, its pages driven through their
widgets, and its file dialogs replaced by the test's choice.
"""

from __future__ import annotations

import contextlib
import csv
import os
import threading
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QLabel, QRadioButton, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.core.actor import Actor
from app.kits.service import list_kits, retire_kit
from app.people.accounts import sign_in
from app.storage.database import Database
from app.transfer.dates import DateOrder
from app.transfer.export import KIT_HEADERS
from app.transfer.fields import Kind
from app.transfer.names import NewNameKind
from app.transfer.tabular import read_table
from models import Category, EquipmentItem, ItemStatus, Person
from tests import factories as f
from tests.test_kit_documents import make_kit
from tests.test_kit_transfer import PUMP_KIT, PUMP_MEMBERS, events, kits_of
from tests.ui.driving import ADMINISTRATOR, shot
from tests.ui.test_export_dialog import mnemonics
from ui.transfer import shared
from ui.transfer.export_dialog import ExportDialog
from ui.transfer.import_wizard import NOT_IMPORTED, ImportWizard
from ui.transfer.shared import WorkProgress

pytestmark = pytest.mark.usefixtures("qapp")

# A Snipe-IT style export: its own headings, in its own order.
SNIPE_HEADERS = (
    "Asset Tag",
    "Name",
    "Model",
    "Category",
    "Manufacturer",
    "Serial",
    "Location",
    "Company",
    "Status",
    "Notes",
)
FIRE = "Cambridgeshire Fire and Rescue Service"
HUNTINGDON = "Huntingdon Fire Station"
# A tag the demo catalogue already holds.
TAKEN_TAG = "CFR-000231"


def snipe_row(
    tag: str,
    name: str = "Thermal imaging camera",
    *,
    category: str = "Thermal imaging cameras",
    location: str = HUNTINGDON,
    company: str = FIRE,
) -> list[str]:
    return [
        tag,
        name,
        "K65",
        category,
        "FLIR",
        f"SN-{tag}",
        location,
        company,
        "Ready to Deploy",
        "",
    ]


def write_csv(
    path: Path, rows: Sequence[Sequence[str]], headers: Sequence[str] = SNIPE_HEADERS
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def signed_in(db: Database, username: str) -> Actor:
    """The actor a demo user signs in as."""
    return sign_in(db, username, f"{username}-demo-2026")


def open_wizard(qtbot: QtBot, db: Database, actor: Actor, path: Path | None = None) -> ImportWizard:
    wizard = ImportWizard(db, actor, path=path)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def next_enabled(wizard: ImportWizard) -> bool:
    """Whether the button that moves on (Next, or Import on the check page) is enabled."""
    which = (
        QWizard.WizardButton.CommitButton
        if wizard.currentPage().isCommitPage()
        else QWizard.WizardButton.NextButton
    )
    button = wizard.button(which)
    return button.isVisible() and button.isEnabled()


def press_next(wizard: ImportWizard) -> None:
    assert next_enabled(wizard), f"Next is disabled on page {wizard.currentId()}"
    wizard.next()


def item_count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(EquipmentItem)) or 0)


def tags_in_database(db: Database, tags: Sequence[str]) -> set[str]:
    with db.read() as session:
        found = session.scalars(
            select(EquipmentItem.asset_tag).where(EquipmentItem.asset_tag.in_(tags))
        )
        return set(found)


def problem_rows(wizard: ImportWizard) -> list[int]:
    return [p.row for p in wizard.check_page.model.problems()]


# -- the file -----------------------------------------------------------------------------------


def test_a_file_that_reads_says_what_it_holds_and_lets_the_person_on(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "assets.csv", [snipe_row("CFR-009001"), snipe_row("CFR-009002")])
    wizard = open_wizard(qtbot, demo, signed_in(demo, "admin"), path)

    assert wizard.currentId() == ImportWizard.FILE_PAGE
    message = wizard.file_page.file_message.text()
    assert "Read 2 rows and 10 columns from assets.csv" in message
    assert next_enabled(wizard)


def test_a_file_that_cannot_be_read_says_why_and_keeps_next_disabled(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    wizard = open_wizard(qtbot, demo, signed_in(demo, "admin"))
    page = wizard.file_page
    assert not next_enabled(wizard)

    page.choose(tmp_path / "missing.csv")
    assert "There is no file “missing.csv”" in page.file_message.text()
    assert not next_enabled(wizard)

    notes = tmp_path / "notes.txt"
    notes.write_text("not a table", encoding="utf-8")
    page.choose(notes)
    assert ".csv files and Excel workbooks (.xlsx)" in page.file_message.text()
    assert not next_enabled(wizard)

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a workbook")
    page.choose(broken)
    assert page.file_message.isVisible()
    assert page.file_message.text()  # the reader's own sentence, whatever it says
    assert wizard.table is None
    assert not next_enabled(wizard)


def test_browse_reads_the_file_chosen(qtbot: QtBot, demo: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "assets.csv", [snipe_row("CFR-009001")])
    wizard = open_wizard(qtbot, demo, signed_in(demo, "admin"))
    asked: list[Path] = []

    def choose(_parent: object, folder: Path) -> Path:
        asked.append(folder)
        return path

    wizard.ask_open_path = choose
    wizard.file_page.browse_button.click()

    assert asked, "Browse did not ask for a file"
    assert wizard.file_page.path_edit.text() == str(path)
    assert wizard.table is not None
    assert next_enabled(wizard)


def test_people_are_offered_only_to_an_administrator(qtbot: QtBot, demo: Database) -> None:
    administrator = open_wizard(qtbot, demo, signed_in(demo, "admin"))
    assert set(administrator.file_page.kind_buttons) == {Kind.ITEMS, Kind.KITS, Kind.PEOPLE}
    assert administrator.file_page.kind_buttons[Kind.PEOPLE].isVisible()

    manager = open_wizard(qtbot, demo, signed_in(demo, "manager"))
    assert set(manager.file_page.kind_buttons) == {Kind.ITEMS, Kind.KITS}
    assert (
        manager.findChild(type(manager.file_page.kind_buttons[Kind.ITEMS]), "peopleRadio") is None
    )


# -- the columns --------------------------------------------------------------------------------


def test_the_guessed_mapping_is_shown_and_can_be_corrected(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "assets.csv", [snipe_row("CFR-009001", "Drone battery")])
    wizard = open_wizard(qtbot, demo, signed_in(demo, "admin"), path)
    press_next(wizard)
    page = wizard.columns_page
    assert wizard.currentId() == ImportWizard.COLUMNS_PAGE

    shown = {key: combo.currentText() for key, combo in page.combos.items()}
    assert shown["asset_tag"] == "Asset Tag"
    assert shown["name"] == "Name"
    assert shown["category"] == "Category"
    assert shown["serial_number"] == "Serial"
    # A sample of what the chosen column holds, so the person sees what they map.
    assert "CFR-009001" in page.samples["asset_tag"].text()
    assert next_enabled(wizard)

    # The person unmaps a required field: it is flagged, and Next waits.
    page.choose_column("name", None)
    assert page.combos["name"].currentText() == NOT_IMPORTED
    assert not next_enabled(wizard)
    assert "Choose a column for Name" in page.message.text()

    # ...and maps it to another column: the sample follows.
    page.choose_column("name", "Model")
    assert page.samples["name"].text() == "K65"
    assert next_enabled(wizard)
    press_next(wizard)
    assert wizard.mapping["name"] == "Model"


# -- the check ----------------------------------------------------------------------------------


def test_a_file_with_bad_rows_lists_every_problem_and_blocks_the_import(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    rows = [
        snipe_row("CFR-009001"),  # row 2: its tag is repeated on row 5
        snipe_row(""),  # row 3: no tag
        snipe_row("CFR-009003"),  # row 4: fine
        snipe_row("CFR-009001"),  # row 5: the tag of row 2 again
        snipe_row(TAKEN_TAG),  # row 6: a tag the catalogue has
        snipe_row("CFR-009006", location="Nowhere Fire Station"),  # row 7: unknown site
    ]
    path = write_csv(tmp_path / "assets.csv", rows)
    before = item_count(demo)
    wizard = open_wizard(qtbot, demo, signed_in(demo, "admin"), path)
    press_next(wizard)
    press_next(wizard)
    page = wizard.check_page
    assert wizard.currentId() == ImportWizard.CHECK_PAGE

    assert problem_rows(wizard) == [2, 3, 5, 6, 7]
    columns = [p.column for p in page.model.problems()]
    assert columns == ["Asset Tag", "Asset Tag", "Asset Tag", "Asset Tag", "Location"]
    reasons = [page.model.index(row, 2).data() for row in range(page.model.rowCount())]
    assert "rows 2 and 5" in reasons[0]
    assert "already in the catalogue" in reasons[3]
    assert "no site “Nowhere Fire Station”" in reasons[4]
    assert page.summary.text().startswith("6 rows read; 5 rows need fixing.")
    assert "Nothing is imported until every row is right" in page.summary.text()
    assert page.table.isVisible()
    assert page.model.rowCount() == len(page.model.problems())
    assert not next_enabled(wizard), "Import must wait until every row is right"
    assert item_count(demo) == before


def test_the_list_of_problems_can_be_saved(qtbot: QtBot, demo: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "assets.csv", [snipe_row(""), snipe_row(TAKEN_TAG)])
    wizard = open_wizard(qtbot, demo, signed_in(demo, "admin"), path)
    press_next(wizard)
    press_next(wizard)
    saved_to = tmp_path / "to fix.csv"
    suggested: list[Path] = []

    def choose(_parent: object, suggestion: Path) -> Path:
        suggested.append(suggestion)
        return saved_to

    wizard.ask_save_path = choose
    wizard.check_page.save_button.click()

    assert suggested[0].name == "assets – rows to fix.csv"
    table = read_table(saved_to)
    assert table.headers == ("Row", "Column", "What to fix")
    expected = [(str(p.row), p.column or "", p.reason) for p in wizard.check_page.model.problems()]
    assert list(table.rows) == expected
    assert {row for row, _column, _reason in table.rows} == {"2", "3"}
    assert "Saved the list" in wizard.check_page.outcome.text()


def test_ticking_a_new_category_allows_the_import(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    rows = [
        snipe_row("CFR-009001", "Training drone", category="Training drones"),
        snipe_row("CFR-009002", "Training drone", category="Training drones"),
    ]
    path = write_csv(tmp_path / "assets.csv", rows)
    wizard = open_wizard(qtbot, demo, signed_in(demo, "admin"), path)
    press_next(wizard)
    press_next(wizard)
    page = wizard.check_page

    assert wizard.report is not None
    [new] = wizard.report.new_names
    assert new.kind is NewNameKind.CATEGORY
    box = page.name_boxes[new.key]
    assert box.text() == "Create category “Training drones” (2 rows)"
    assert not box.isChecked(), "a new name is offered, never ticked for the person"
    assert sorted(set(problem_rows(wizard))) == [2, 3]
    assert not next_enabled(wizard)

    box.click()

    assert wizard.report.ok
    assert page.model.rowCount() == 0
    assert page.name_boxes[new.key].isChecked()
    assert next_enabled(wizard)
    press_next(wizard)
    assert wizard.currentId() == ImportWizard.DONE_PAGE
    with demo.read() as session:
        category = session.scalar(select(Category).where(Category.name == "Training drones"))
        assert category is not None
        assert (
            session.scalar(
                select(func.count())
                .select_from(EquipmentItem)
                .where(EquipmentItem.category_id == category.id)
            )
            == 2
        )
    assert "Created category “Training drones”." in wizard.done_page.created_label.text()


# -- the import ---------------------------------------------------------------------------------


def test_a_good_import_lands_every_row_and_says_so(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    tags = [f"CFR-0090{n:02d}" for n in range(1, 6)]
    path = write_csv(tmp_path / "assets.csv", [snipe_row(tag) for tag in tags])
    before = item_count(demo)
    wizard = open_wizard(qtbot, demo, signed_in(demo, "admin"), path)
    press_next(wizard)
    press_next(wizard)
    assert wizard.check_page.summary.text().startswith("5 rows read; every row is right.")
    assert wizard.button(QWizard.WizardButton.CommitButton).text() == "&Import"

    with qtbot.waitSignal(wizard.imported) as imported:
        press_next(wizard)

    assert imported.args == ["Imported 5 items from assets.csv."]
    assert wizard.currentId() == ImportWizard.DONE_PAGE
    assert wizard.done_page.message.text() == "Imported 5 items from assets.csv."
    assert item_count(demo) == before + 5
    assert tags_in_database(demo, tags) == set(tags)
    with demo.read() as session:
        item = session.scalar(select(EquipmentItem).where(EquipmentItem.asset_tag == tags[0]))
        assert item is not None
        assert item.name == "Thermal imaging camera"
        assert item.serial_number == f"SN-{tags[0]}"
    # Committed: there is no going back to import it twice.
    assert not wizard.button(QWizard.WizardButton.BackButton).isEnabled()


def test_cancelling_the_import_leaves_the_database_unchanged(
    qtbot: QtBot, demo: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tags = [f"CFR-09{n:04d}" for n in range(1, 1201)]
    path = write_csv(tmp_path / "assets.csv", [snipe_row(tag) for tag in tags])
    before = item_count(demo)
    wizard = open_wizard(qtbot, demo, signed_in(demo, "admin"), path)
    press_next(wizard)
    press_next(wizard)
    assert wizard.report is not None
    assert wizard.report.ok

    # The person presses Cancel on the progress dialog as soon as it reports.
    reports: list[tuple[int, int]] = []
    real_report = WorkProgress.__call__

    def press_cancel(self: WorkProgress, done: int, total: int) -> bool:
        reports.append((done, total))
        self.dialog.cancel()
        return real_report(self, done, total)

    monkeypatch.setattr(WorkProgress, "__call__", press_cancel)
    wizard.next()

    assert reports, "the import never reported its progress"
    assert wizard.currentId() == ImportWizard.CHECK_PAGE
    assert wizard.check_page.outcome.text() == "Cancelled: nothing was imported."
    assert item_count(demo) == before
    assert tags_in_database(demo, tags[:50]) == set()
    # Nothing lost: the person can import after all.
    monkeypatch.setattr(WorkProgress, "__call__", real_report)
    assert next_enabled(wizard)
    wizard.next()
    assert wizard.currentId() == ImportWizard.DONE_PAGE
    assert item_count(demo) == before + len(tags)


def test_an_import_refused_after_the_check_shows_the_new_problems(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "assets.csv", [snipe_row("CFR-009001"), snipe_row("CFR-009002")])
    wizard = open_wizard(qtbot, demo, signed_in(demo, "admin"), path)
    press_next(wizard)
    press_next(wizard)
    assert next_enabled(wizard)

    # Another station adds one of the tags between the check and the import.
    other = tmp_path / "other.csv"
    write_csv(other, [snipe_row("CFR-009002")])
    elsewhere = open_wizard(qtbot, demo, signed_in(demo, "admin"), other)
    press_next(elsewhere)
    press_next(elsewhere)
    press_next(elsewhere)
    before = item_count(demo)

    wizard.next()

    assert wizard.currentId() == ImportWizard.CHECK_PAGE
    assert wizard.check_page.outcome.text().startswith("Nothing was imported")
    assert problem_rows(wizard) == [3]
    assert not next_enabled(wizard)
    assert item_count(demo) == before


def test_reading_the_fixed_file_again_clears_its_problems(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "assets.csv", [snipe_row("CFR-009001"), snipe_row("")])
    wizard = open_wizard(qtbot, demo, signed_in(demo, "admin"), path)
    press_next(wizard)
    press_next(wizard)
    assert problem_rows(wizard) == [3]

    write_csv(path, [snipe_row("CFR-009001"), snipe_row("CFR-009002")])
    wizard.check_page.reread_button.click()

    assert problem_rows(wizard) == []
    assert next_enabled(wizard)


def test_people_import_for_an_administrator(qtbot: QtBot, demo: Database, tmp_path: Path) -> None:
    headers = ("Staff number", "Given name", "Family name", "Agency", "Email")
    path = write_csv(
        tmp_path / "staff.csv",
        [("FF9001", "Robin", "Ashby", FIRE, "robin.ashby@example.org")],
        headers,
    )
    wizard = open_wizard(qtbot, demo, signed_in(demo, "admin"), path)
    wizard.file_page.kind_buttons[Kind.PEOPLE].click()
    press_next(wizard)
    assert next_enabled(wizard), wizard.columns_page.message.text()
    press_next(wizard)
    assert wizard.report is not None
    assert wizard.report.ok, [p.reason for p in wizard.report.problems]
    press_next(wizard)

    assert wizard.done_page.message.text() == "Imported 1 person from staff.csv."
    with demo.read() as session:
        assert session.scalar(select(Person).where(Person.staff_number == "FF9001")) is not None


def test_words() -> None:
    assert shared.rows_text(1) == "1 row"
    assert shared.rows_text(1204) == "1,204 rows"
    assert shared.kind_count(Kind.PEOPLE, 1) == "1 person"
    assert shared.kind_count(Kind.PEOPLE, 3) == "3 people"
    assert shared.kind_count(Kind.KITS, 1) == "1 kit"
    assert shared.kind_count(Kind.KITS, 5) == "5 kits"


def test_an_import_and_a_cancel_on_either_database(
    qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wizard's one transaction, on SQLite and on PostgreSQL: a cancel leaves nothing,
    then the same rows go in whole, with the new category the person ticked."""
    with db.write() as session:
        owner = f.agency(session, "Fenland Fire Service")
        f.site(session, owner, "Wisbech Station")
    tags = [f"FEN-{n:04d}" for n in range(1, 31)]
    rows = [
        snipe_row(
            tag, category="Lighting", location="Wisbech Station", company="Fenland Fire Service"
        )
        for tag in tags
    ]
    path = write_csv(tmp_path / "fenland.csv", rows)
    wizard = open_wizard(qtbot, db, ADMINISTRATOR, path)
    press_next(wizard)
    press_next(wizard)
    assert wizard.report is not None
    [lighting] = wizard.report.new_names
    wizard.check_page.name_boxes[lighting.key].click()
    assert wizard.report.ok

    real_report = WorkProgress.__call__

    def press_cancel(self: WorkProgress, done: int, total: int) -> bool:
        self.dialog.cancel()
        return real_report(self, done, total)

    monkeypatch.setattr(WorkProgress, "__call__", press_cancel)
    wizard.next()
    assert wizard.check_page.outcome.text() == "Cancelled: nothing was imported."
    assert item_count(db) == 0
    with db.read() as session:
        assert session.scalar(select(Category).where(Category.name == "Lighting")) is None

    monkeypatch.setattr(WorkProgress, "__call__", real_report)
    wizard.next()
    assert wizard.currentId() == ImportWizard.DONE_PAGE
    assert tags_in_database(db, tags) == set(tags)
    with db.read() as session:
        assert session.scalar(select(Category).where(Category.name == "Lighting")) is not None


def test_an_equipment_managers_import_is_owned_by_their_agency(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    headers = tuple(h for h in SNIPE_HEADERS if h != "Company")
    rows = [
        [v for h, v in zip(SNIPE_HEADERS, snipe_row("CFR-009001"), strict=True) if h != "Company"]
    ]
    path = write_csv(tmp_path / "assets.csv", rows, headers)
    manager = signed_in(demo, "manager")
    wizard = open_wizard(qtbot, demo, manager, path)
    press_next(wizard)
    page = wizard.columns_page

    # The owner column is not needed: the manager's own agency owns what they import.
    assert page.combos["owner_agency"].currentText() == NOT_IMPORTED
    assert page.captions["owner_agency"].text() == "Owner agency"
    assert page.captions["asset_tag"].text() == "Asset tag *"
    press_next(wizard)
    press_next(wizard)

    assert wizard.currentId() == ImportWizard.DONE_PAGE
    with demo.read() as session:
        item = session.scalar(select(EquipmentItem).where(EquipmentItem.asset_tag == "CFR-009001"))
        assert item is not None
        assert item.owner_agency_id == manager.agency_id


def test_new_names_come_before_the_list_in_the_tab_order(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    rows = [snipe_row("CFR-009001", category="Training drones", location="Riverside Depot")]
    wizard = open_wizard(qtbot, demo, signed_in(demo, "admin"), write_csv(tmp_path / "a.csv", rows))
    press_next(wizard)
    press_next(wizard)
    page = wizard.check_page
    boxes = list(page.name_boxes.values())
    assert len(boxes) == 2

    boxes[0].setFocus()
    reached = []
    for _ in range(3):
        QTest.keyClick(wizard.focusWidget(), Qt.Key.Key_Tab)
        reached.append(wizard.focusWidget())
    assert reached == [boxes[1], page.table, page.reread_button]


# -- what could be read two ways, and files that are not what they seem -------------------------


def test_the_check_says_how_dates_and_statuses_are_read_and_the_date_order_can_be_switched(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    headers = (*SNIPE_HEADERS, "Purchase Date")
    rows = [
        [*snipe_row("CFR-009001"), "3/1/2023"],
        [*snipe_row("CFR-009002")[:8], "Pending", "", "4/2/2023"],
    ]
    path = write_csv(tmp_path / "assets.csv", rows, headers)
    wizard = open_wizard(qtbot, demo, signed_in(demo, "admin"), path)
    press_next(wizard)
    press_next(wizard)
    page = wizard.check_page
    assert page.notices.isVisible()
    assert page.notices.text() == (
        "• Purchase Date read as day/month/year, e.g. 3/1/2023 → 03/01/2023: no date in the "
        "column fits only one order, so the UK order is used. If the file comes from a US "
        "system (Snipe-IT, say), read it as month/day/year instead.\n"
        "• Status “Ready to Deploy” (1 row): imported as available.\n"
        "• Status “Pending” (1 row): imported out of service, with an open unsafe defect "
        "“Imported as Pending from assets.csv” for an equipment manager to clear when the kit "
        "is fit for use."
    )
    assert page.dates_row.isVisible()

    # The person knows the file is from a US system.
    page.dates_combo.setCurrentIndex(2)
    assert wizard.dates is DateOrder.MONTH_FIRST
    assert page.notices.text().startswith(
        "• Purchase Date read as month/day/year, as chosen, e.g. 3/1/2023 → 01/03/2023."
    )
    with qtbot.waitSignal(wizard.imported):
        press_next(wizard)
    with demo.read() as session:
        found = session.execute(
            select(EquipmentItem.asset_tag, EquipmentItem.acquired_on, EquipmentItem.status).where(
                EquipmentItem.asset_tag.in_(["CFR-009001", "CFR-009002"])
            )
        )
        imported = {tag: (acquired, status) for tag, acquired, status in found}
    assert imported == {
        "CFR-009001": (date(2023, 3, 1), ItemStatus.AVAILABLE),
        "CFR-009002": (date(2023, 4, 2), ItemStatus.OUT_OF_SERVICE),
    }


def test_a_file_deleted_after_the_check_imports_what_was_checked(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "assets.csv", [snipe_row("CFR-009001"), snipe_row("CFR-009002")])
    wizard = open_wizard(qtbot, demo, signed_in(demo, "admin"), path)
    press_next(wizard)
    press_next(wizard)
    path.unlink()
    # Reading it again says it has gone, and the check no longer lets the import on.
    wizard.check_page.reread_button.click()
    assert wizard.check_page.summary.text().startswith("There is no file")
    assert not next_enabled(wizard)
    # Put back as checked, it imports.
    write_csv(path, [snipe_row("CFR-009001"), snipe_row("CFR-009002")])
    wizard.check_page.reread_button.click()
    path.unlink()
    with qtbot.waitSignal(wizard.imported):
        press_next(wizard)
    assert tags_in_database(demo, ["CFR-009001", "CFR-009002"]) == {"CFR-009001", "CFR-009002"}


def unblock_later(pipe: Path) -> threading.Thread:
    """Open ``pipe`` for writing after a while: a reader stuck on it is let go (and fails
    the test on what it then reads) rather than hanging the suite."""

    def write() -> None:
        time.sleep(5)
        with contextlib.suppress(OSError):
            fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def test_a_pipe_a_folder_or_a_huge_file_gets_a_sentence(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    wizard = open_wizard(qtbot, demo, signed_in(demo, "admin"))
    page = wizard.file_page
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    unblock_later(pipe)
    page.choose(pipe)
    assert page.file_message.text() == (
        f"“{pipe}” is a named pipe, not a file Kit Share can import. Save the rows as a .csv "
        "file or an Excel workbook (.xlsx), and import that."
    )
    assert not next_enabled(wizard)

    folder = tmp_path / "exports.csv"
    folder.mkdir()
    page.choose(folder)
    assert page.file_message.text() == f"“{folder}” is a folder. Choose the file to import in it."

    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:
        handle.truncate(3 * 1024**3)
    page.choose(huge)
    assert page.file_message.text().startswith(
        "“huge.csv” is 3,072 MB, and Kit Share imports files of up to 50 MB."
    )
    assert wizard.table is None
    assert not next_enabled(wizard)


# -- kits ---------------------------------------------------------------------------------------

NO_SUCH_TAG = "CFR-999999"


def kit_names(db: Database) -> set[str]:
    return {kit.name for kit in list_kits(db)}


def test_kits_are_offered_to_those_who_keep_them_and_not_to_a_duty_officer(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "kits.csv", [], KIT_HEADERS)
    manager = open_wizard(qtbot, demo, signed_in(demo, "manager"))
    kits = manager.file_page.kind_buttons[Kind.KITS]
    assert kits.isVisible()
    assert kits.text() == "&Kits made of items already in the catalogue (import those first)"
    # After the items they are made of, as they must be imported.
    assert list(manager.file_page.kind_buttons) == [Kind.ITEMS, Kind.KITS]

    duty = open_wizard(qtbot, demo, signed_in(demo, "duty"), path)
    assert duty.file_page.kind_buttons == {}
    assert duty.findChild(QRadioButton, "kitsRadio") is None
    assert duty.findChildren(QRadioButton) == []
    assert not next_enabled(duty)


def test_the_kinds_to_import_each_have_a_key_of_their_own(qtbot: QtBot, demo: Database) -> None:
    wizard = open_wizard(qtbot, demo, signed_in(demo, "admin"))
    page = wizard.file_page
    texts = [b.text() for b in page.findChildren(QAbstractButton) if b.isVisible()]
    texts += [label.text() for label in page.findChildren(QLabel) if label.buddy() is not None]
    texts += [
        wizard.button(which).text()
        for which in (QWizard.WizardButton.NextButton, QWizard.WizardButton.CancelButton)
        if wizard.button(which).isVisible()
    ]
    keys = mnemonics(texts)

    assert {"i", "k", "p"} <= set(keys), texts
    assert len(keys) == len(set(keys)), sorted(texts)


def test_a_kits_file_exported_from_the_window_imports_back_through_the_wizard(
    qtbot: QtBot, demo_db: Database, tmp_path: Path
) -> None:
    """On SQLite and PostgreSQL: every kit in use exported by the Export dialog, retired,
    and made again from the file, with its members, quantities, notes and description."""
    make_kit(demo_db, PUMP_KIT, PUMP_MEMBERS, "A pump and its hose;\nfor a flooded cellar.")
    admin = signed_in(demo_db, "admin")
    export = ExportDialog(demo_db, admin)
    qtbot.addWidget(export)
    export.inform = lambda _parent, _text: None
    export.choose(Kind.KITS, "xlsx")
    export.path_edit.setText(str(tmp_path / "kits.xlsx"))
    path = export.run_export()
    assert path == tmp_path / "kits.xlsx"
    original = kits_of(demo_db)
    assert len(original) >= 2
    for kit in list_kits(demo_db):
        retire_kit(demo_db, kit.id, admin, "Made again from the file")
    assert kit_names(demo_db) == set()

    wizard = open_wizard(qtbot, demo_db, admin, path)
    wizard.file_page.kind_buttons[Kind.KITS].click()
    press_next(wizard)
    page = wizard.columns_page
    assert [field.key for field in page.fields] == [
        "name",
        "owner_agency",
        "home_site",
        "description",
        "members",
        "member_notes",
    ]
    assert {key: combo.currentText() for key, combo in page.combos.items()} == {
        "name": "Name",
        "owner_agency": "Owner agency",
        "home_site": "Home site",
        "description": "Description",
        "members": "Members",
        "member_notes": "Member notes",
    }
    press_next(wizard)
    check = wizard.check_page
    assert wizard.report is not None
    assert wizard.report.ok, [(p.row, p.reason) for p in wizard.report.problems]
    count = len(original)
    assert check.summary.text() == (
        f"{count} rows read; every row is right. Press Import to add {count} kits to Kit "
        "Share, all in one go."
    )
    # Kits never create agencies, sites or items: nothing is offered for creation.
    assert not check.names_box.isVisible()
    assert not check.dates_row.isVisible()

    with qtbot.waitSignal(wizard.imported) as imported:
        press_next(wizard)

    assert imported.args == [f"Imported {count} kits from kits.xlsx."]
    assert wizard.currentId() == ImportWizard.DONE_PAGE
    assert wizard.done_page.message.text() == f"Imported {count} kits from kits.xlsx."
    assert "new kits are in the catalogue" in wizard.done_page.after.text()
    assert not wizard.done_page.created_label.isVisible()
    assert kits_of(demo_db) == original
    assert events(demo_db, "kits.imported") == [f"Imported {count} kits from kits.xlsx."]


def test_a_kit_whose_member_is_not_in_the_catalogue_is_its_rows_problem_and_nothing_comes_in(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    rows = [
        (PUMP_KIT, FIRE, HUNTINGDON, "", "CFR-000297; CFR-000296", "CFR-000297=Check impeller"),
        ("Test cutting kit", FIRE, HUNTINGDON, "", f"CFR-000221; {NO_SUCH_TAG}", ""),
    ]
    path = write_csv(tmp_path / "kits.csv", rows, KIT_HEADERS)
    before = kit_names(demo)
    wizard = open_wizard(qtbot, demo, signed_in(demo, "manager"), path)
    wizard.file_page.kind_buttons[Kind.KITS].click()
    press_next(wizard)
    press_next(wizard)
    page = wizard.check_page
    assert wizard.currentId() == ImportWizard.CHECK_PAGE

    shown = [
        tuple(page.model.index(row, column).data() for column in range(3))
        for row in range(page.model.rowCount())
    ]
    assert shown == [
        (
            "3",
            "Members",
            f"No item has the asset tag {NO_SUCH_TAG}. Check the tag, or import the items "
            "before their kits.",
        )
    ]
    assert page.table.isVisible()
    assert page.summary.text().startswith("2 rows read; 1 row needs fixing.")
    assert not page.names_box.isVisible()
    assert not next_enabled(wizard), "Import must wait until every row is right"
    shot(wizard, "kits-import-check", tmp_path)

    # Even pressed regardless, the import refuses the file whole: the good row too.
    wizard.next()
    assert wizard.currentId() == ImportWizard.CHECK_PAGE
    assert page.outcome.text() == "Nothing was imported: 1 row needs fixing."
    assert kit_names(demo) == before
    assert PUMP_KIT not in kit_names(demo)
