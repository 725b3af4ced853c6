"""What the import wizard and the export dialog share: words for counts, names and files,
the file dialogs, and a progress dialog that can cancel long work.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QWidget

from app.core.text import counted
from app.transfer.fields import Kind
from app.transfer.names import NewName, NewNameKind
from app.transfer.tabular import Table

OPEN_FILTER = "Spreadsheets (*.csv *.xlsx);;CSV files (*.csv);;Excel workbooks (*.xlsx)"
SAVE_FILTER = "CSV files (*.csv);;Excel workbooks (*.xlsx)"
# A progress dialog appears only for work that lasts longer than this.
PROGRESS_DELAY_MS = 500
KIND_NOUNS = {
    Kind.ITEMS: ("item", "items"),
    Kind.KITS: ("kit", "kits"),
    Kind.PEOPLE: ("person", "people"),
}
NEW_NAME_WORDS = {
    NewNameKind.CATEGORY: "category",
    NewNameKind.AGENCY: "agency",
    NewNameKind.SITE: "site",
}
ENCODING_WORDS = {
    "UTF-8": "UTF-8 text",
    "UTF-8 with BOM": "UTF-8 text",
    "UTF-16": "UTF-16 text",
    "Windows-1252": "Windows (Western European) text",
    "Excel workbook": "an Excel workbook",
}
DELIMITER_WORDS = {",": "commas", ";": "semicolons", "\t": "tabs"}


def rows_text(count: int) -> str:
    return counted(count, "row", "rows")


def kind_count(kind: Kind, count: int) -> str:
    """ "214 items", "1 person"."""
    one, many = KIND_NOUNS.get(kind, ("record", "records"))
    return counted(count, one, many)


def new_name_text(name: NewName) -> str:
    """ "Create category “Drones” (12 rows)", with the agency a new site belongs to."""
    what = NEW_NAME_WORDS[name.kind]
    owner = f" for {name.agency}" if name.kind is NewNameKind.SITE and name.agency else ""
    return f"Create {what} “{name.name}”{owner} ({rows_text(name.rows)})"


def created_text(names: Sequence[NewName]) -> str:
    """ "Created category “Drones” and site “Huntingdon”." (empty if none)."""
    if not names:
        return ""
    parts = [f"{NEW_NAME_WORDS[n.kind]} “{n.name}”" for n in names]
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"Created {listed}."


def table_facts(path: Path, table: Table) -> str:
    """What was read: "Read 214 rows and 8 columns from assets.csv (UTF-8 text, commas)"."""
    how = ENCODING_WORDS.get(table.encoding, table.encoding)
    if table.delimiter is not None:
        how += f", {DELIMITER_WORDS.get(table.delimiter, repr(table.delimiter))}"
    columns = counted(len(table.headers), "column", "columns")
    facts = f"Read {rows_text(len(table.rows))} and {columns} from {path.name} ({how})."
    unread = len({p.row for p in table.problems})
    if unread:
        facts += (
            f" {rows_text(unread).capitalize()} could not be read properly; the check lists "
            f"{'it' if unread == 1 else 'them'} with the reason."
        )
    return facts


def documents_folder() -> Path:
    """Where files are suggested first: the person's Documents folder, if they have one."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found and Path(found).is_dir() else Path.home()


def ask_open_path(parent: QWidget, folder: Path) -> Path | None:
    chosen, _ = QFileDialog.getOpenFileName(
        parent, "Choose the spreadsheet to import", str(folder), OPEN_FILTER
    )
    return Path(chosen) if chosen else None


def ask_save_path(parent: QWidget, suggested: Path) -> Path | None:
    chosen, chosen_filter = QFileDialog.getSaveFileName(
        parent, "Save the list of rows to fix", str(suggested), SAVE_FILTER
    )
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        path = path.with_name(path.name + (".xlsx" if "xlsx" in chosen_filter else ".csv"))
    return path


# -- progress -----------------------------------------------------------------------------------


class WorkProgress:
    """A progress dialog fed by ``app``'s progress callbacks: ``with WorkProgress(...) as
    progress: run(progress=progress)``. Calling it reports (done, total) and answers
    whether to go on: False once the person has pressed Cancel.

    The work runs on the window's thread; the dialog is window-modal, so while it shows
    the person can press Cancel (``setValue`` handles their events) but not start
    anything else. It appears only if the work lasts more than half a second.
    """

    def __init__(self, parent: QWidget, label: str, title: str) -> None:
        dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
        dialog.setObjectName("workProgress")
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(PROGRESS_DELAY_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumWidth(dialog.fontMetrics().averageCharWidth() * 50)
        self.dialog = dialog

    def __call__(self, done: int, total: int) -> bool:
        dialog = self.dialog
        if total > 0:
            if dialog.maximum() != total:
                dialog.setMaximum(total)
            dialog.setValue(min(done, total))
        else:
            # Not known how much there is: a busy bar, still cancellable.
            dialog.setMaximum(0)
            dialog.setValue(0)
        return not dialog.wasCanceled()

    def __enter__(self) -> WorkProgress:
        self.dialog.setValue(0)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.dialog.reset()
        self.dialog.hide()
        self.dialog.deleteLater()
