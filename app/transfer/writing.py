"""Writing a table out: CSV (UTF-8 with a byte order mark, so Excel reads it right) or
Excel .xlsx, as the export and the reports write them. ``app.transfer.tabular`` reads
them back.
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.core.clock import UK, format_date
from app.core.errors import DomainError
from app.transfer.tabular import FORMULA_STARTS, Cancelled, Progress, column_letter, progress_due


class TableUnwritable(DomainError):
    """The file could not be written; the message says what to fix."""


SUFFIXES = (".csv", ".xlsx")
# Text that starts as a formula does but is a number as a person writes it ("-12",
# "+44 7700", "-£3.50"): written as it is, not behind an apostrophe.
_PLAIN_NUMBER = re.compile(r"[+-]?£?\d[\d,]*(\.\d+)?%?")
# Characters XML (and so .xlsx) cannot hold; dropped from text written to a workbook.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# The most text an Excel cell holds.
XLSX_CELL_MAX = 32_767


def write_table(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    total: int | None = None,
    progress: Progress | None = None,
    sheet: str = "Kit Share",
) -> int:
    """Write a table to ``path`` as CSV (UTF-8 with BOM, so Excel reads it right) or .xlsx,
    by its suffix (a workbook's one sheet called ``sheet``); returns the rows written.
    Raises ``TableUnwritable``; a cancelled write leaves no partial file behind.

    Text that a spreadsheet would run as a formula ("=…", "+…", "-…", "@…") is written
    as text: in CSV behind an apostrophe, which ``read_table`` takes off again."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise TableUnwritable(
            f"Kit Share writes .csv and .xlsx files; “{path.name}” ends in "
            f"“{path.suffix or 'nothing'}”. Give the file name one of those endings."
        )
    # Written beside the target and moved into place only when complete, so a cancel or
    # a full disk never leaves half a file under the name asked for.
    partial = path.with_name(f".{path.name}.partial")
    counted = _Counted(rows, total, progress)
    try:
        if suffix == ".csv":
            _write_csv(partial, headers, counted)
        else:
            _write_xlsx(partial, headers, counted, sheet)
        counted.finish()
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        reason = error.strerror or str(error)
        raise TableUnwritable(
            f"Could not write “{path}”: {reason}. Choose a folder you can save to, and "
            "close the file if a spreadsheet program has it open."
        ) from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return counted.done


def _uk_local(value: datetime) -> datetime:
    """A moment as the UK wall clock showed it, without a zone (what a sheet holds)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UK).replace(tzinfo=None)


def _cell_text(value: object) -> str:
    """How a value is written to CSV: dates as DD/MM/YYYY, times as UK local 24-hour,
    nothing as an empty cell, text that looks like a formula behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return _uk_local(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Counted:
    """The rows to write, counted as they are written: each one asked for after another
    means that one is written, so progress is told then (and a Cancel stops the file)."""

    def __init__(
        self, rows: Iterable[Sequence[object]], total: int | None, progress: Progress | None
    ) -> None:
        self._rows = rows
        self._total = total
        self._progress = progress
        self.done = 0

    def __iter__(self) -> Iterator[Sequence[object]]:
        for row in self._rows:
            yield row
            self.done += 1
            if self._progress is not None and progress_due(self.done):
                self._tell(self._total or 0)

    def finish(self) -> None:
        """The last report: a Cancel pressed after the last step still stops the file."""
        if self._progress is not None:
            self._tell(self._total or self.done)

    def _tell(self, total: int) -> None:
        if self._progress is not None and not self._progress(self.done, total):
            raise Cancelled("Cancelled; no file was written.")


def _write_csv(path: Path, headers: Sequence[str], rows: _Counted) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([_cell_text(h) for h in headers])
        for row in rows:
            writer.writerow([_cell_text(value) for value in row])


def _xlsx_values(sheet: Any, row: Sequence[object]) -> Iterator[object]:
    """Numbers and dates stay typed in a workbook (moments as UK local time); text is
    always text, never a formula."""
    from openpyxl.cell import WriteOnlyCell

    for value in row:
        if value is None or isinstance(value, bool | int | float | Decimal):
            yield value
        elif isinstance(value, datetime):
            yield _uk_local(value)
        elif isinstance(value, date):
            yield value
        else:
            text = _NOT_IN_XML.sub("", value if isinstance(value, str) else _cell_text(value))
            if text.startswith("="):
                cell = WriteOnlyCell(sheet, value=text)
                cell.data_type = "s"
                yield cell
            else:
                yield text


def _check_cells_fit(headers: Sequence[str], number: int, values: Sequence[object]) -> None:
    """openpyxl cuts text longer than a cell holds without a word: refuse instead."""
    for index, cell in enumerate(values):
        value = getattr(cell, "value", cell)  # a text cell made to stay text
        if isinstance(value, str) and len(value) > XLSX_CELL_MAX:
            heading = headers[index] if index < len(headers) else column_letter(index + 1)
            raise TableUnwritable(
                f"Row {number}'s “{heading}” is {len(value):,} characters long, more than an "
                f"Excel cell holds ({XLSX_CELL_MAX:,}), so the workbook would cut it short. "
                "Export to a .csv file instead, which keeps it whole."
            )


def _write_xlsx(path: Path, headers: Sequence[str], rows: _Counted, title: str) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    try:
        sheet.append(list(_xlsx_values(sheet, headers)))
        for row in rows:
            values = list(_xlsx_values(sheet, row))
            _check_cells_fit(headers, rows.done + 2, values)
            sheet.append(values)
    except BaseException:
        # Saving is how openpyxl closes the sheet's stream and removes its temporary
        # file; what it writes is the partial file, which the caller deletes.
        with contextlib.suppress(Exception):
            book.save(path)
        raise
    book.save(path)
