"""The import wizard: a spreadsheet of items (or people) brought into Kit Share in four
steps, choosing the file, matching its columns, checking every row, and importing.

The wizard holds no rules. ``app.transfer.service`` guesses the mapping, checks the rows (the
dry run) and imports them all or none; the wizard shows what it says and keeps the
person's choices between steps. Long reads, checks and imports report to a progress
dialog that can be cancelled; a cancelled import leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSignalBlocker,
    QStandardPaths,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.audit.record import Actor
from app.core.errors import KitShareError
from app.storage.database import Database
from app.transfer.service import (
    DateOrder,
    Field,
    ImportRefused,
    ImportReport,
    ImportResult,
    Kind,
    NewName,
    NewNameKind,
    check_import,
    fields_for,
    guess_mapping,
    importable_kinds,
    run_import,
)
from app.transfer.tabular import Cancelled, RowProblem, Table, read_table, write_table
from ui.agreements.mou_dialog import message_label, show_message
from ui.widgets.form import READY_STYLE, REFUSED_STYLE, TO_DO_STYLE, muted, named

WIZARD_TITLE = "Import from a spreadsheet"
NOT_IMPORTED = "— not imported —"
OPEN_FILTER = "Spreadsheets (*.csv *.xlsx);;CSV files (*.csv);;Excel workbooks (*.xlsx)"
SAVE_FILTER = "CSV files (*.csv);;Excel workbooks (*.xlsx)"
PROBLEMS_FILE_NAME = "rows to fix.csv"
# How many of a column's values the mapping step shows, and how much of each.
SAMPLE_COUNT = 3
SAMPLE_LENGTH = 40
# Up to this many problems are shown with their reasons wrapped over several lines.
WRAP_PROBLEMS = 200
# How many new names show at once; more scroll.
NAMES_SHOWN = 5
# A typed path is read this long after the last key press.
READ_DELAY_MS = 400
# A progress dialog appears only for work that lasts longer than this.
PROGRESS_DELAY_MS = 500

KIND_NOUNS = {Kind.ITEMS: ("item", "items"), Kind.PEOPLE: ("person", "people")}
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
# The choices for dates such as 3/1/2023, with the order each stands for (None: as each
# date column of the file settles it).
DATE_CHOICES: tuple[tuple[str, DateOrder | None], ...] = (
    ("As the file's dates show (day/month/year if nothing settles it)", None),
    ("Day first: 3/1/2023 is 3 January (UK)", DateOrder.DAY_FIRST),
    ("Month first: 3/1/2023 is 1 March (US)", DateOrder.MONTH_FIRST),
)

AskOpenPath = Callable[[QWidget, Path], Path | None]
"""Asks the person for a file to read, starting in a folder; None if they cancel."""
AskSavePath = Callable[[QWidget, Path], Path | None]
"""Asks the person where to save, suggesting a path; None if they cancel."""


# -- words --------------------------------------------------------------------------------------


def counted(count: int, one: str, many: str) -> str:
    """ "1 row", "12 rows", "1,204 items"."""
    return f"{count:,} {one if count == 1 else many}"


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


def may_import(actor: Actor) -> bool:
    """Whether ``actor`` may import anything at all (the window's menu item follows it)."""
    return bool(importable_kinds(actor))


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


# -- the wizard ---------------------------------------------------------------------------------


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


ModelIndex = QModelIndex | QPersistentModelIndex


class ProblemTableModel(QAbstractTableModel):
    """The dry run's problems, one a row, in row order: Row, Column, What to fix."""

    HEADERS = ("Row", "Column", "What to fix")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._problems: list[RowProblem] = []

    def show_problems(self, problems: Sequence[RowProblem]) -> None:
        self.beginResetModel()
        self._problems = sorted(problems, key=lambda p: (p.row, p.column or ""))
        self.endResetModel()

    def problems(self) -> list[RowProblem]:
        return list(self._problems)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._problems)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._problems):
            return None
        problem = self._problems[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return str(problem.row)
            if column == 1:
                return problem.column or "(the whole row)"
            return problem.reason
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class CheckPage(QWizardPage):
    """Step 3: the dry run. Every bad row listed; the import waits until there are none.

    This is the wizard's commit page: its button reads Import, and runs the import. A
    cancelled or refused import stays here, saying so, with nothing imported.
    """

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._checked_for: tuple[int, Kind, tuple[tuple[str, str], ...]] | None = None
        self.approved: set[tuple[str, str, str | None]] = set()
        self.name_boxes: dict[tuple[str, str, str | None], QCheckBox] = {}
        self.setTitle("Check the rows")
        self.setSubTitle(
            "Kit Share has checked every row without importing anything. Nothing is "
            "imported until every row is right."
        )
        self.setCommitPage(True)

        self.summary = message_label("checkSummary")
        self.outcome = message_label("importOutcome")
        # How the check read what could be read more than one way (dates, statuses).
        self.notices = named(muted(""), "checkNotices")
        self.notices.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notices.hide()
        self.dates_combo = named(QComboBox(), "datesCombo")
        self.dates_combo.setAccessibleName("How dates are read")
        for text, order in DATE_CHOICES:
            self.dates_combo.addItem(text, order)
        self.dates_label = QLabel("&Dates such as 3/1/2023:")
        self.dates_label.setBuddy(self.dates_combo)
        self.dates_row = QWidget()
        dates_layout = QHBoxLayout(self.dates_row)
        dates_layout.setContentsMargins(0, 0, 0, 0)
        dates_layout.addWidget(self.dates_label)
        dates_layout.addWidget(self.dates_combo)
        dates_layout.addStretch(1)
        self.dates_row.hide()

        self.names_box = self._names_box()
        self.model = ProblemTableModel(self)
        self.table = self._problems_table(self.model)

        self.save_button = named(QPushButton("&Save this list…"), "saveProblemsButton")
        self.reread_button = named(QPushButton("&Read the file again"), "rereadButton")
        self.reread_button.setToolTip(
            "After fixing the file in your spreadsheet program, read it again and check"
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.reread_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)

        self.names_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.summary)
        self._layout.addWidget(self.notices)
        self._layout.addWidget(self.dates_row)
        self._layout.addWidget(self.names_box)
        self._layout.addWidget(self.table, 1)
        # Takes the table's room when there is no table to show.
        self._layout.addStretch(0)
        self._layout.addLayout(buttons)
        self._layout.addWidget(self.outcome)

        self.save_button.clicked.connect(self._on_save_clicked)
        self.reread_button.clicked.connect(self._on_reread_clicked)
        self.dates_combo.currentIndexChanged.connect(self._on_dates_changed)

    def _names_box(self) -> QGroupBox:
        """The names the file uses that Kit Share does not know, each with a box to tick."""
        box = named(QGroupBox("Not in Kit Share yet"), "newNamesBox")
        names_layout = QVBoxLayout(box)
        names_layout.addWidget(
            muted(
                "The file names these, and Kit Share does not know them. Tick each one to "
                "create; rows naming one left unticked cannot be imported."
            )
        )
        self.names_host = QWidget()
        self.names_list = QVBoxLayout(self.names_host)
        self.names_list.setContentsMargins(0, 0, 0, 0)
        self.names_list.addStretch(1)
        self.names_scroll = QScrollArea()
        self.names_scroll.setWidgetResizable(True)
        self.names_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.names_scroll.setWidget(self.names_host)
        names_layout.addWidget(self.names_scroll)
        return box

    @staticmethod
    def _problems_table(model: ProblemTableModel) -> QTableView:
        """The rows to fix: Row, Column and What to fix, the reason taking the width."""
        table = named(QTableView(), "problemsTable")
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTabKeyNavigation(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.verticalHeader().hide()
        metrics = table.fontMetrics()
        table.verticalHeader().setDefaultSectionSize(metrics.height() + 8)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, metrics.horizontalAdvance("Row 000000"))
        header.resizeSection(1, metrics.horizontalAdvance("Purchase price (£)  "))
        header.setStretchLastSection(True)
        table.setAccessibleName("Rows to fix")
        table.setStyleSheet("QTableView::item { padding: 3px 4px; }")
        return table

    # -- the check ------------------------------------------------------------------------

    def initializePage(self) -> None:
        wizard = self._wizard
        assert wizard.table is not None
        checked_for = (wizard.reads, wizard.kind, tuple(sorted(wizard.mapping.items())))
        if checked_for[:2] != (self._checked_for or (None, None))[:2]:
            self.approved.clear()  # another file or kind: nothing approved yet
        self._checked_for = checked_for
        show_message(self.outcome, "", READY_STYLE)
        self.run_check()

    def run_check(self) -> None:
        """Run the dry run with the names ticked for creation, and show what it found."""
        wizard = self._wizard
        table = wizard.table
        assert table is not None
        try:
            with wizard.progress(f"Checking {rows_text(len(table.rows))}…") as progress:
                report = check_import(
                    wizard.db,
                    wizard.actor,
                    table,
                    wizard.kind,
                    wizard.mapping,
                    create=frozenset(self.approved),
                    progress=progress,
                    dates=wizard.dates,
                )
        except Cancelled:
            wizard.report = None
            self._show_report(None)
            show_message(
                self.summary,
                "The check was cancelled. Press Read the file again to check it, or go back.",
                TO_DO_STYLE,
            )
            return
        except KitShareError as error:
            wizard.report = None
            self._show_report(None)
            show_message(self.summary, error.message, REFUSED_STYLE)
            return
        wizard.report = report
        self._show_report(report)

    def _show_report(self, report: ImportReport | None) -> None:
        problems = report.problems if report is not None else ()
        # A short list wraps its reasons to be read whole; a long one (a wrong column,
        # say, failing every row) keeps one line a row, the reason in its tooltip, so
        # that it stays quick to show and scroll.
        wrap = len(problems) <= WRAP_PROBLEMS
        self.table.setWordWrap(wrap)
        self.table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents if wrap else QHeaderView.ResizeMode.Fixed
        )
        self.model.show_problems(problems)
        self._show_notices(report)
        self._show_names(report.new_names if report is not None else ())
        self.save_button.setEnabled(bool(report is not None and report.problems))
        listed = bool(report is not None and report.problems)
        self.table.setVisible(listed)
        self._layout.setStretch(self._layout.indexOf(self.table), 1 if listed else 0)
        self._layout.setStretch(self._layout.indexOf(self.table) + 1, 0 if listed else 1)
        if report is not None:
            read = f"{rows_text(report.total_rows)} read"
            if report.ok:
                what = kind_count(report.kind, report.total_rows)
                show_message(
                    self.summary,
                    f"{read}; every row is right. Press Import to add {what} to Kit Share, "
                    "all in one go.",
                    READY_STYLE,
                )
            else:
                show_message(
                    self.summary,
                    f"{read}; {rows_text(report.bad_rows)} need fixing. Nothing is imported "
                    "until every row is right: fix the file and read it again, or go back "
                    "and change the columns.",
                    REFUSED_STYLE,
                )
        self.completeChanged.emit()

    def _show_notices(self, report: ImportReport | None) -> None:
        """How the check read the file (dates, statuses, what reading changed), and the
        choice of date order while the file has dates it could read either way."""
        notices = report.notices if report is not None else ()
        self.notices.setText("\n".join(f"• {notice}" for notice in notices))
        self.notices.setVisible(bool(notices))
        self.dates_row.setVisible(
            bool(report is not None and report.dates) or self._wizard.dates is not None
        )

    def choose_dates(self, order: DateOrder | None) -> None:
        """Read dates such as 3/1/2023 in ``order`` (None: as the file shows), as the
        Dates box does; the check runs again."""
        orders = [choice for _text, choice in DATE_CHOICES]
        self.dates_combo.setCurrentIndex(orders.index(order))

    def _on_dates_changed(self, _index: int) -> None:
        self._wizard.dates = DATE_CHOICES[max(self.dates_combo.currentIndex(), 0)][1]
        show_message(self.outcome, "", READY_STYLE)
        self.run_check()

    def _show_names(self, names: Sequence[NewName]) -> None:
        """One box per new name. The same names as before keep their boxes (a tick
        re-runs the check, and the box ticked keeps the keyboard focus)."""
        keys = [name.key for name in names]
        if keys != list(self.name_boxes):
            for box in self.name_boxes.values():
                self.names_list.removeWidget(box)
                box.hide()
                box.deleteLater()
            self.name_boxes.clear()
            for name in names:
                box = named(QCheckBox(), f"create_{name.kind.value}")
                box.toggled.connect(lambda on, key=name.key: self._on_name_toggled(key, on))
                self.names_list.insertWidget(self.names_list.count() - 1, box)
                self.name_boxes[name.key] = box
            # Boxes made now would come last in the Tab order: put them before the list.
            chain = [*self.name_boxes.values(), self.table, self.reread_button, self.save_button]
            for before, after in pairwise(chain):
                QWidget.setTabOrder(before, after)
        for name in names:
            box = self.name_boxes[name.key]
            box.setText(new_name_text(name))
            with QSignalBlocker(box):
                box.setChecked(name.key in self.approved)
        self.names_box.setVisible(bool(names))
        # As tall as the boxes need, up to five of them; more scroll.
        shown = min(len(names), NAMES_SHOWN)
        box_height = next(iter(self.name_boxes.values())).sizeHint().height() if names else 0
        spacing = max(self.names_list.spacing(), 0)
        self.names_scroll.setFixedHeight(shown * (box_height + spacing))

    def set_creating(self, name: NewName, create: bool) -> None:
        """Tick or untick a new name, as its check box does."""
        self.name_boxes[name.key].setChecked(create)

    def isComplete(self) -> bool:
        report = self._wizard.report
        return report is not None and report.ok

    # -- the import -----------------------------------------------------------------------

    def validatePage(self) -> bool:
        """Run the import. Only a committed import moves on; otherwise say why here."""
        return self.run_import()

    def run_import(self) -> bool:
        """Import every row, all or nothing; True if it was committed."""
        wizard = self._wizard
        table, path = wizard.table, wizard.path
        assert table is not None
        assert path is not None
        try:
            with wizard.progress(f"Importing {rows_text(len(table.rows))}…") as progress:
                result = run_import(
                    wizard.db,
                    wizard.actor,
                    table,
                    wizard.kind,
                    wizard.mapping,
                    create=frozenset(self.approved),
                    progress=progress,
                    dates=wizard.dates,
                )
        except Cancelled:
            show_message(self.outcome, "Cancelled: nothing was imported.", TO_DO_STYLE)
            return False
        except ImportRefused as refused:
            # Something changed since the check (another station added a tag, say).
            wizard.report = refused.report
            self._show_report(refused.report)
            show_message(self.outcome, refused.message, REFUSED_STYLE)
            return False
        except KitShareError as error:
            show_message(self.outcome, f"Nothing was imported. {error.message}", REFUSED_STYLE)
            return False
        wizard.import_result = result
        message = f"Imported {kind_count(result.kind, result.created)} from {path.name}."
        wizard.imported.emit(message)
        return True

    # -- the buttons ----------------------------------------------------------------------

    def _on_name_toggled(self, key: tuple[str, str, str | None], on: bool) -> None:
        if on:
            self.approved.add(key)
        else:
            self.approved.discard(key)
        show_message(self.outcome, "", READY_STYLE)
        self.run_check()

    def _on_save_clicked(self) -> None:
        self.save_problems()

    def save_problems(self) -> Path | None:
        """Ask where, and save the list of rows to fix; returns where it went."""
        wizard = self._wizard
        suggested = (wizard.path.parent if wizard.path else documents_folder()) / (
            f"{wizard.path.stem} – rows to fix.csv" if wizard.path else PROBLEMS_FILE_NAME
        )
        path = wizard.ask_save_path(self, suggested)
        if path is None:
            return None
        problems = self.model.problems()
        try:
            write_table(
                path,
                ["Row", "Column", "What to fix"],
                ([p.row, p.column or "", p.reason] for p in problems),
                total=len(problems),
            )
        except KitShareError as error:
            show_message(self.outcome, error.message, REFUSED_STYLE)
            return None
        show_message(
            self.outcome,
            f"Saved the list of {counted(len(problems), 'problem', 'problems')} to {path.name}.",
            READY_STYLE,
        )
        return path

    def _on_reread_clicked(self) -> None:
        self.reread()

    def reread(self) -> None:
        """Read the file again (fixed, perhaps) and check it with the same columns."""
        wizard = self._wizard
        path = wizard.path
        if path is None:
            return
        problem = wizard.read_file(path)
        show_message(self.outcome, "", READY_STYLE)
        if problem is not None:
            wizard.report = None
            self._show_report(None)
            show_message(self.summary, problem, REFUSED_STYLE)
            return
        table = wizard.table
        assert table is not None
        gone = sorted({h for h in wizard.mapping.values() if h not in table.headers})
        # The columns page keeps the person's choices for the headings still there.
        wizard.columns_page.adopt(table)
        wizard.mapping = wizard.columns_page.mapping()
        self._checked_for = (wizard.reads, wizard.kind, tuple(sorted(wizard.mapping.items())))
        if gone:
            wizard.report = None
            self._show_report(None)
            listed = ", ".join(f"“{h}”" for h in gone)
            show_message(
                self.summary,
                f"The file no longer has {'a column' if len(gone) == 1 else 'columns'} "
                f"{listed}. Go back to match its columns again.",
                REFUSED_STYLE,
            )
            return
        self.run_check()


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
        self.after.setText(
            "The new items are in the catalogue now: search for them as for any other."
            if result.kind is Kind.ITEMS
            else "The new people are on the People tab now."
        )
