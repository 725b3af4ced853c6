"""The import wizard: a spreadsheet of items (or kits, or people) brought into Kit Share
in four steps, choosing the file, matching its columns, checking every row, and importing.

The wizard holds no rules. ``app.transfer.service`` guesses the mapping, checks the rows (the
dry run) and imports them all or none; the wizard shows what it says and keeps the
person's choices between steps. Long reads, checks and imports report to a progress
dialog that can be cancelled; a cancelled import leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QSignalBlocker,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.core.actor import Actor
from app.core.errors import KitShareError
from app.core.text import counted
from app.storage.database import Database
from app.transfer.dates import DateOrder
from app.transfer.fields import Field, Kind, fields_for, guess_mapping
from app.transfer.service import (
    ImportReport,
    ImportResult,
    importable_kinds,
)
from app.transfer.tabular import Cancelled, Table, read_table
from ui.transfer.check_page import CheckPage
from ui.transfer.shared import (
    WorkProgress,
    ask_open_path,
    ask_save_path,
    created_text,
    documents_folder,
    kind_count,
    table_facts,
)
from ui.widgets.layout import message_label, muted, named, show_message
from ui.widgets.palette import READY_STYLE, REFUSED_STYLE, TO_DO_STYLE

WIZARD_TITLE = "Import from a spreadsheet"
NOT_IMPORTED = "— not imported —"
# How many of a column's values the mapping step shows, and how much of each.
SAMPLE_COUNT = 3
SAMPLE_LENGTH = 40
# A typed path is read this long after the last key press.
READ_DELAY_MS = 400

# Where the person finds what came in, by what the file held.
AFTER_IMPORT = {
    Kind.ITEMS: "The new items are in the catalogue now: search for them as for any other.",
    Kind.KITS: (
        "The new kits are in the catalogue now: search for one by its name, and it is "
        "listed above the items."
    ),
    Kind.PEOPLE: "The new people are on the People tab now.",
}

AskOpenPath = Callable[[QWidget, Path], Path | None]
"""Asks the person for a file to read, starting in a folder; None if they cancel."""
AskSavePath = Callable[[QWidget, Path], Path | None]
"""Asks the person where to save, suggesting a path; None if they cancel."""


def may_import(actor: Actor) -> bool:
    """Whether ``actor`` may import anything at all (the window's menu item follows it)."""
    return bool(importable_kinds(actor))


class ImportWizard(QWizard):
    """Import from a spreadsheet: File, Columns, Check, then the import itself.

    ``imported`` says what was imported ("Imported 214 items from assets.csv.") once
    the import is committed, for the window to refresh its lists and show in its status
    bar. ``ask_open_path`` and ``ask_save_path`` ask for file names (tests replace them).
    """

    imported = Signal(str)

    FILE_PAGE, COLUMNS_PAGE, CHECK_PAGE, DONE_PAGE = range(4)

    def __init__(
        self, db: Database, actor: Actor, parent: QWidget | None = None, *, path: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.setWindowTitle(WIZARD_TITLE)
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Import")
        self.setButtonText(QWizard.WizardButton.NextButton, "&Next >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< &Back")
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Finish")
        self.db = db
        self.actor = actor
        self.ask_open_path: AskOpenPath = ask_open_path
        self.ask_save_path: AskSavePath = ask_save_path
        # What the person has chosen so far; each page reads what the one before set.
        self.path: Path | None = None
        self.table: Table | None = None
        # Counts the reads, so a page can tell a table read again from the one it showed.
        self.reads = 0
        self.kind: Kind = Kind.ITEMS
        self.mapping: dict[str, str] = {}
        # How dates such as 3/1/2023 are read; None: as each date column settles it.
        self.dates: DateOrder | None = None
        self.report: ImportReport | None = None
        self.import_result: ImportResult | None = None

        self.file_page = FilePage(self)
        self.columns_page = ColumnsPage(self)
        self.check_page = CheckPage(self)
        self.done_page = DonePage(self)
        self.setPage(self.FILE_PAGE, self.file_page)
        self.setPage(self.COLUMNS_PAGE, self.columns_page)
        self.setPage(self.CHECK_PAGE, self.check_page)
        self.setPage(self.DONE_PAGE, self.done_page)
        self.resize(880, 640)
        if path is not None:
            self.file_page.choose(path)

    def progress(self, label: str) -> WorkProgress:
        """A progress dialog over the wizard for one piece of long work."""
        return WorkProgress(self, label, WIZARD_TITLE)

    def read_file(self, path: Path) -> str | None:
        """Read ``path`` into ``table``; returns why it could not be read (None if read)."""
        try:
            with self.progress(f"Reading {path.name}…") as progress:
                table = read_table(path, progress=progress)
        except Cancelled:
            return "Reading the file was cancelled. Choose it again to read it."
        except KitShareError as error:
            return error.message
        self.path = path
        self.table = table
        self.reads += 1
        return None


class FilePage(QWizardPage):
    """Step 1: which file, and what it holds."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._read_text: str | None = None  # the path text last read, successfully or not
        self.setTitle("Choose the file")
        self.setSubTitle(
            "A .csv file or an Excel workbook (.xlsx) whose first row names the columns, "
            "such as an export from another asset system."
        )
        self.path_edit = named(QLineEdit(), "pathEdit")
        self.path_edit.setPlaceholderText("The file’s name and folder")
        self.path_edit.setAccessibleName("File to import")
        self.browse_button = named(QPushButton("&Browse…"), "browseButton")
        file_label = QLabel("&File:")
        file_label.setBuddy(self.path_edit)
        file_row = QHBoxLayout()
        file_row.addWidget(file_label)
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.browse_button)

        self.file_message = message_label("fileMessage")

        self.kind_box = named(QGroupBox("What the file holds"), "kindBox")
        self.kind_group = QButtonGroup(self)
        kind_layout = QVBoxLayout(self.kind_box)
        self.kind_buttons: dict[Kind, QRadioButton] = {}
        texts = {
            Kind.ITEMS: "&Items of kit, for the catalogue",
            Kind.KITS: "&Kits made of items already in the catalogue (import those first)",
            Kind.PEOPLE: "&People: officers and staff, for the directory of people",
        }
        kinds = importable_kinds(wizard.actor)
        for kind in kinds:
            button = named(QRadioButton(texts[kind]), f"{kind.value}Radio")
            self.kind_group.addButton(button)
            kind_layout.addWidget(button)
            self.kind_buttons[kind] = button
        if kinds:
            self.kind_buttons[kinds[0]].setChecked(True)
            wizard.kind = kinds[0]
        else:
            kind_layout.addWidget(
                muted(
                    f"{wizard.actor.name} may not import anything: only an equipment "
                    "manager or an administrator can change the catalogue."
                )
            )

        layout = QVBoxLayout(self)
        layout.addLayout(file_row)
        layout.addWidget(self.file_message)
        layout.addSpacing(8)
        layout.addWidget(self.kind_box)
        layout.addStretch(1)

        self._read_timer = QTimer(self)
        self._read_timer.setSingleShot(True)
        self._read_timer.setInterval(READ_DELAY_MS)
        self._read_timer.timeout.connect(self._on_read_timer_timeout)
        self.path_edit.textChanged.connect(self._on_path_text_changed)
        self.path_edit.editingFinished.connect(self._on_path_editing_finished)
        self.browse_button.clicked.connect(self._on_browse_clicked)
        self.kind_group.buttonToggled.connect(self._on_kind_toggled)

    def choose(self, path: Path) -> None:
        """Put ``path`` in the file box and read it now."""
        with QSignalBlocker(self.path_edit):
            self.path_edit.setText(str(path))
        self.read_now()

    def read_now(self) -> None:
        """Read the file named in the box (if not read already) and say how it went."""
        self._read_timer.stop()
        text = self.path_edit.text().strip()
        if text == self._read_text:
            return
        self._read_text = text
        wizard = self._wizard
        wizard.table = None
        if not text:
            show_message(self.file_message, "", TO_DO_STYLE)
            self.completeChanged.emit()
            return
        path = Path(text).expanduser()
        problem = self._path_problem(path) or wizard.read_file(path)
        if problem is not None:
            show_message(self.file_message, problem, REFUSED_STYLE)
        elif wizard.table is not None:
            facts = table_facts(path, wizard.table)
            if not wizard.table.rows:
                show_message(
                    self.file_message,
                    f"{facts} It has no rows under its headings, so there is nothing to import.",
                    TO_DO_STYLE,
                )
            else:
                show_message(self.file_message, facts, READY_STYLE)
        self.completeChanged.emit()

    def _path_problem(self, path: Path) -> str | None:
        if path.suffix.lower() not in (".csv", ".xlsx"):
            return (
                f"Kit Share imports .csv files and Excel workbooks (.xlsx); “{path.name}” is "
                "neither. Save the spreadsheet as one of those and choose it."
            )
        try:
            there = path.exists()
        except OSError:
            there = True  # a folder it may not look in: reading it says so
        if not there:
            return f"There is no file “{path.name}” in {path.parent}. Check the name and folder."
        # Whatever else it is (a folder, a pipe, a file too big), reading it says so.
        return None

    def chosen_kind(self) -> Kind | None:
        for kind, button in self.kind_buttons.items():
            if button.isChecked():
                return kind
        return None

    def isComplete(self) -> bool:
        wizard = self._wizard
        return (
            wizard.table is not None
            and bool(wizard.table.rows)
            and self._read_text == self.path_edit.text().strip()
            and self.chosen_kind() is not None
        )

    def validatePage(self) -> bool:
        kind = self.chosen_kind()
        if kind is None:
            return False
        self._wizard.kind = kind
        return True

    def _on_path_text_changed(self, text: str) -> None:
        self.completeChanged.emit()
        # A path pasted or typed whole is read without waiting for Enter.
        if Path(text.strip()).suffix.lower() in (".csv", ".xlsx"):
            self._read_timer.start()

    def _on_read_timer_timeout(self) -> None:
        if Path(self.path_edit.text().strip()).expanduser().is_file():
            self.read_now()

    def _on_path_editing_finished(self) -> None:
        self.read_now()

    def _on_browse_clicked(self) -> None:
        current = Path(self.path_edit.text().strip()).expanduser()
        folder = current.parent if current.parent.is_dir() and str(current) else None
        chosen = self._wizard.ask_open_path(self, folder or documents_folder())
        if chosen is not None:
            self.choose(chosen)

    def _on_kind_toggled(self, _button: QRadioButton, checked: bool) -> None:
        if checked:
            self.completeChanged.emit()


class ColumnsPage(QWizardPage):
    """Step 2: which column of the file fills each Kit Share field."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._built_for: tuple[int, Kind] | None = None  # (the wizard's read, kind)
        self.fields: tuple[Field, ...] = ()
        self.combos: dict[str, QComboBox] = {}
        self.samples: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        self.setTitle("Match the columns")
        self.setSubTitle(
            "Kit Share has guessed which column of the file holds each field. Correct any "
            "guess that is wrong. Fields marked * must have a column."
        )
        self.grid_host = named(QWidget(), "columnsGrid")
        self.grid = QGridLayout(self.grid_host)
        self.grid.setHorizontalSpacing(16)
        self.grid.setVerticalSpacing(6)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.StyledPanel)
        self.scroll_area.setWidget(self.grid_host)
        self.message = message_label("columnsMessage")
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.message)

    def initializePage(self) -> None:
        wizard = self._wizard
        table = wizard.table
        assert table is not None
        built_for = (wizard.reads, wizard.kind)
        if built_for == self._built_for:
            return  # back from the check, same file: keep the person's corrections
        self._built_for = built_for
        self._build(table, wizard.kind)

    def _build(self, table: Table, kind: Kind, *, keep: dict[str, str] | None = None) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.combos.clear()
        self.samples.clear()
        self.captions.clear()
        self.fields = fields_for(kind, self._wizard.actor)
        guessed = guess_mapping(table.headers, kind)
        if keep is not None:
            # The person's choices stand where their column is still there; a field
            # whose column went is left for them to choose again.
            guessed = {k: h for k, h in keep.items() if h in table.headers}
        headers = [h for h in dict.fromkeys(table.headers) if h.strip()]

        bold = QFont(self.font())
        bold.setBold(True)
        for column, text in enumerate(
            ("Kit Share field", "Column in the file", "What the file holds there")
        ):
            title = QLabel(text)
            title.setFont(bold)
            self.grid.addWidget(title, 0, column)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        self.grid.addWidget(line, 1, 0, 1, 3)

        previous: QWidget | None = None
        for row, field in enumerate(self.fields, start=2):
            caption = QLabel(f"{field.label} *" if field.required else field.label)
            if field.required:
                caption.setToolTip("Every row needs this")
            combo = named(QComboBox(), f"column_{field.key}")
            combo.setAccessibleName(field.label)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.addItem(NOT_IMPORTED, None)
            for header in headers:
                combo.addItem(header, header)
            combo.setCurrentIndex(max(combo.findData(guessed.get(field.key)), 0))
            caption.setBuddy(combo)
            sample = muted("")
            sample.setWordWrap(False)
            sample.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self.grid.addWidget(caption, row, 0)
            self.grid.addWidget(combo, row, 1)
            self.grid.addWidget(sample, row, 2)
            self.combos[field.key] = combo
            self.samples[field.key] = sample
            self.captions[field.key] = caption
            combo.currentIndexChanged.connect(self._on_combo_changed)
            if previous is not None:
                QWidget.setTabOrder(previous, combo)
            previous = combo
        self.grid.setColumnStretch(2, 1)
        self.grid.setRowStretch(len(self.fields) + 2, 1)
        self._show_samples()
        self._show_state()

    def adopt(self, table: Table) -> None:
        """Show ``table`` (the file read again), keeping the columns chosen for the
        headings it still has."""
        self._built_for = (self._wizard.reads, self._wizard.kind)
        self._build(table, self._wizard.kind, keep=self.mapping())

    def choose_column(self, field_key: str, header: str | None) -> None:
        """Choose ``header`` (None: not imported) for a field, as the combo box does."""
        combo = self.combos[field_key]
        index = combo.findData(header) if header is not None else 0
        if index < 0:
            raise KeyError(header)
        combo.setCurrentIndex(index)

    def mapping(self) -> dict[str, str]:
        """Field key → the header chosen for it, for the fields that have one."""
        chosen = {key: combo.currentData() for key, combo in self.combos.items()}
        return {key: str(header) for key, header in chosen.items() if header is not None}

    def missing(self) -> list[Field]:
        """The required fields with no column chosen."""
        mapping = self.mapping()
        return [f for f in self.fields if f.required and f.key not in mapping]

    def isComplete(self) -> bool:
        return bool(self.combos) and not self.missing()

    def validatePage(self) -> bool:
        self._wizard.mapping = self.mapping()
        return True

    def _show_samples(self) -> None:
        table = self._wizard.table
        if table is None:
            return
        for key, combo in self.combos.items():
            header = combo.currentData()
            label = self.samples[key]
            if header is None:
                label.setText("")
                label.setToolTip("")
                continue
            values = column_samples(table, str(header))
            text = " · ".join(shorten(v) for v in values) if values else "(empty in every row)"
            label.setText(text)
            label.setToolTip("\n".join(values))

    def _show_state(self) -> None:
        missing = {f.key for f in self.missing()}
        for key, caption in self.captions.items():
            caption.setStyleSheet(f"color: {REFUSED_STYLE[2]};" if key in missing else "")
            field = next(f for f in self.fields if f.key == key)
            bold = caption.font()
            bold.setBold(field.required)
            caption.setFont(bold)
        if missing:
            names = [f.label for f in self.fields if f.key in missing]
            listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
            show_message(
                self.message,
                f"Choose a column for {listed}: every row needs "
                f"{'it' if len(names) == 1 else 'them'}.",
                TO_DO_STYLE,
            )
        else:
            chosen = len(self.mapping())
            show_message(
                self.message,
                f"{counted(chosen, 'field has', 'fields have')} a column. Next checks "
                "every row of the file; nothing is imported yet.",
                READY_STYLE,
            )
        self.completeChanged.emit()

    def _on_combo_changed(self, _index: int) -> None:
        self._show_samples()
        self._show_state()


def column_samples(table: Table, header: str) -> list[str]:
    """The first few different values in the column headed ``header``."""
    try:
        index = table.headers.index(header)
    except ValueError:
        return []
    seen: dict[str, None] = {}
    for row in table.rows:
        value = row[index].strip() if index < len(row) else ""
        if value:
            seen.setdefault(value)
            if len(seen) == SAMPLE_COUNT:
                break
    return list(seen)


def shorten(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= SAMPLE_LENGTH else one_line[: SAMPLE_LENGTH - 1] + "…"


class DonePage(QWizardPage):
    """Step 4: what was imported."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Imported")
        self.setSubTitle("Every row went in together, and the audit trail records the import.")
        self.message = named(QLabel(), "doneMessage")
        self.message.setWordWrap(True)
        font = self.message.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.message.setFont(font)
        self.created_label = named(muted(""), "createdMessage")
        self.after = muted("")
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.created_label)
        layout.addSpacing(8)
        layout.addWidget(self.after)
        layout.addStretch(1)

    def initializePage(self) -> None:
        wizard = self._wizard
        result = wizard.import_result
        assert result is not None
        where = f" from {wizard.path.name}" if wizard.path else ""
        self.message.setText(f"Imported {kind_count(result.kind, result.created)}{where}.")
        self.created_label.setText(created_text(result.created_names))
        self.created_label.setVisible(bool(result.created_names))
        self.after.setText(AFTER_IMPORT[result.kind])
