"""Export: the catalogue, the kits, the loans or the people to a .csv file or an Excel
workbook, with headings an import reads straight back.

``app.transfer.export.export`` does the work (and refuses what the person may not export); the
dialog asks what, in which format and where, shows a progress dialog that can be
cancelled, and names the file and the row count at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.core.actor import Actor
from app.core.clock import today_uk
from app.core.errors import KitShareError
from app.storage.database import Database
from app.transfer.export import export, exportable_kinds
from app.transfer.fields import Kind
from app.transfer.tabular import Cancelled
from ui.transfer.shared import WorkProgress, documents_folder, rows_text
from ui.widgets.layout import heading, message_label, muted, named, show_message
from ui.widgets.messages import confirm
from ui.widgets.palette import REFUSED_STYLE, TO_DO_STYLE

DIALOG_TITLE = "Export"
SUFFIXES = {"csv": ".csv", "xlsx": ".xlsx"}
FILTERS = {"csv": "CSV files (*.csv)", "xlsx": "Excel workbooks (*.xlsx)"}
# What each kind is called in the dialog, in a sentence, and in a file name.
KIND_TEXTS = {
    Kind.ITEMS: ("&Catalogue: every item of kit", "the catalogue", "catalogue"),
    Kind.KITS: ("&Kits: every kit in use, with its members", "the kits", "kits"),
    Kind.LOANS: ("&Loans: every loan and what it lent", "the loans", "loans"),
    Kind.PEOPLE: ("&People and their qualifications", "the people", "people"),
}

AskSavePath = Callable[[QWidget, Path, str], Path | None]
"""Asks where to save (suggesting a path, offering a file filter); None if cancelled."""
Confirm = Callable[[QWidget, str], bool]
"""Asks a yes/no question; True for yes."""
Inform = Callable[[QWidget, str], None]
"""Tells the person something that needs no answer."""


def signed_in_exports(actor: Actor) -> list[Kind]:
    """What the window offers ``actor`` to export: nothing until someone signs in."""
    return exportable_kinds(actor) if actor.role is not None else []


def suggested_name(kind: Kind, file_format: str) -> str:
    """ "kit-share-catalogue-2026-11-21.xlsx": sorts by date in any folder."""
    return f"kit-share-{KIND_TEXTS[kind][2]}-{today_uk().isoformat()}{SUFFIXES[file_format]}"


def ask_save_path(parent: QWidget, suggested: Path, file_filter: str) -> Path | None:
    chosen, _ = QFileDialog.getSaveFileName(parent, "Export to", str(suggested), file_filter)
    return Path(chosen) if chosen else None


def confirm_replace(parent: QWidget, question: str) -> bool:
    return confirm(parent, DIALOG_TITLE, question, careful=True, no=QMessageBox.StandardButton.No)


def inform(parent: QWidget, text: str) -> None:
    QMessageBox.information(parent, DIALOG_TITLE, text)


class ExportDialog(QDialog):
    """Export the catalogue, kits, loans or people to a file.

    ``exported`` carries the closing message ("Exported the catalogue (214 rows) to
    kit-share-catalogue-2026-11-21.csv.") for the window's status bar. ``ask_save_path``,
    ``confirm`` and ``inform`` ask and tell through message boxes (tests replace them).
    """

    exported = Signal(str)

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle(DIALOG_TITLE)
        self.db = db
        self.actor = actor
        self.ask_save_path: AskSavePath = ask_save_path
        self.confirm: Confirm = confirm_replace
        self.inform: Inform = inform
        self.written: Path | None = None
        # A file the person already agreed to replace (the file dialog asks).
        self._replace_confirmed: Path | None = None
        self._folder = documents_folder()

        kinds_column, formats_column = self._build_choices(actor)
        self.path_edit = named(QLineEdit(), "pathEdit")
        self.path_edit.setAccessibleName("File to write")
        self.path_edit.setMinimumWidth(self.fontMetrics().averageCharWidth() * 56)
        self.save_as_button = named(QPushButton("Save &as…"), "saveAsButton")
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.save_as_button)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(QLabel("What:"), kinds_column)
        form.addRow(QLabel("Format:"), formats_column)
        file_label = QLabel("&File:")
        file_label.setBuddy(self.path_edit)
        form.addRow(file_label, file_row)

        self.message = message_label("exportMessage")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.export_button = named(
            self.buttons.button(QDialogButtonBox.StandardButton.Ok), "exportButton"
        )
        self.export_button.setText("&Export")

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Export to a spreadsheet"))
        layout.addWidget(
            muted(
                "The catalogue, kits and people are written with the headings Kit Share’s "
                "import reads, so they can be brought back in, here or at another station "
                "(kits after the items they are made of). Dates in a CSV file are written "
                "DD/MM/YYYY."
            )
        )
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addSpacing(6)
        layout.addWidget(self.buttons)

        if not self.kind_buttons:
            show_message(self.message, "Sign in to export.", TO_DO_STYLE)
            self.export_button.setEnabled(False)
        else:
            next(iter(self.kind_buttons.values())).setChecked(True)
            self.path_edit.setText(str(self._folder / suggested_name(self.kind(), "csv")))

        self.kind_group.buttonToggled.connect(self._on_choice_toggled)
        self.format_group.buttonToggled.connect(self._on_choice_toggled)
        self.path_edit.textChanged.connect(self._on_path_text_changed)
        self.save_as_button.clicked.connect(self._on_save_as_clicked)
        self.buttons.accepted.connect(self._on_export_clicked)
        self.buttons.rejected.connect(self.reject)

    # -- choices --------------------------------------------------------------------------

    def _build_choices(self, actor: Actor) -> tuple[QVBoxLayout, QVBoxLayout]:
        """The radio buttons for what to export (what ``actor`` may) and the format."""
        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[Kind, QRadioButton] = {}
        kinds_column = QVBoxLayout()
        for kind in signed_in_exports(actor):
            button = named(QRadioButton(KIND_TEXTS[kind][0]), f"{kind.value}Radio")
            self.kind_group.addButton(button)
            self.kind_buttons[kind] = button
            kinds_column.addWidget(button)
        self.format_group = QButtonGroup(self)
        self.format_buttons = {
            "csv": named(QRadioButton("C&SV (.csv): any spreadsheet or program"), "csvRadio"),
            "xlsx": named(QRadioButton("E&xcel workbook (.xlsx)"), "xlsxRadio"),
        }
        formats_column = QVBoxLayout()
        for button in self.format_buttons.values():
            self.format_group.addButton(button)
            formats_column.addWidget(button)
        self.format_buttons["csv"].setChecked(True)

        return kinds_column, formats_column

    def kind(self) -> Kind:
        for kind, button in self.kind_buttons.items():
            if button.isChecked():
                return kind
        raise LookupError("nothing to export is chosen")

    def file_format(self) -> str:
        return "xlsx" if self.format_buttons["xlsx"].isChecked() else "csv"

    def choose(self, kind: Kind, file_format: str = "csv") -> None:
        """Choose what to export and the format, as the radio buttons do."""
        self.kind_buttons[kind].setChecked(True)
        self.format_buttons[file_format].setChecked(True)

    def path(self) -> Path | None:
        """The file to write, its ending matching the format chosen (None if no name)."""
        text = self.path_edit.text().strip()
        if not text:
            return None
        path = Path(text).expanduser()
        suffix = SUFFIXES[self.file_format()]
        if path.suffix.lower() != suffix:
            path = (
                path.with_suffix(suffix)
                if path.suffix.lower() in SUFFIXES.values()
                else path.with_name(path.name + suffix)
            )
        return path

    def _on_choice_toggled(self, _button: QRadioButton, checked: bool) -> None:
        if not checked or not self.kind_buttons:
            return
        # A name Kit Share suggested follows the choices; one the person typed keeps
        # its name and takes the format's ending.
        current = self.path()
        suggested = {suggested_name(k, f) for k in self.kind_buttons for f in SUFFIXES}
        folder = current.parent if current is not None else self._folder
        if current is None or current.name in suggested or _stem_suggested(current, suggested):
            name = suggested_name(self.kind(), self.file_format())
        else:
            name = current.with_suffix(SUFFIXES[self.file_format()]).name
        self.path_edit.setText(str(folder / name))

    def _on_path_text_changed(self, _text: str) -> None:
        show_message(self.message, "", TO_DO_STYLE)

    def _on_save_as_clicked(self) -> None:
        current = self.path() or self._folder / suggested_name(self.kind(), self.file_format())
        chosen = self.ask_save_path(self, current, FILTERS[self.file_format()])
        if chosen is None:
            return
        if chosen.suffix.lower() == ".xlsx":
            self.format_buttons["xlsx"].setChecked(True)
        elif chosen.suffix.lower() == ".csv":
            self.format_buttons["csv"].setChecked(True)
        self.path_edit.setText(str(chosen))
        # The file dialog asked about replacing a file already there.
        self._replace_confirmed = self.path()

    # -- the export -----------------------------------------------------------------------

    def _on_export_clicked(self) -> None:
        if self.run_export() is not None:
            self.accept()

    def run_export(self) -> Path | None:
        """Write the file; returns where it went (None if not written, saying why)."""
        path = self.path()
        if path is None:
            show_message(self.message, "Give the file a name, or press Save as….", TO_DO_STYLE)
            return None
        if not path.parent.is_dir():
            show_message(
                self.message,
                f"There is no folder {path.parent}. Choose a folder that exists.",
                REFUSED_STYLE,
            )
            return None
        if (
            path.exists()
            and path != self._replace_confirmed
            and not self.confirm(self, f"{path.name} is already there. Replace it?")
        ):
            return None
        kind = self.kind()
        what = KIND_TEXTS[kind][1]
        try:
            with WorkProgress(self, f"Exporting {what}…", DIALOG_TITLE) as progress:
                count = export(self.db, self.actor, kind, path, progress=progress)
        except Cancelled:
            show_message(self.message, "Cancelled: no file was written.", TO_DO_STYLE)
            return None
        except KitShareError as error:
            show_message(self.message, error.message, REFUSED_STYLE)
            return None
        self.written = path
        text = f"Exported {what} ({rows_text(count)}) to {path.name}."
        self.exported.emit(text)
        self.inform(self, f"{text}\n\nThe file is in {path.parent}.")
        return path


def _stem_suggested(path: Path, suggested: set[str]) -> bool:
    """Whether ``path`` is a suggested name given another ending."""
    return any(path.stem == Path(name).stem for name in suggested)
