"""Reading and writing tables: CSV (any usual encoding and separator) and Excel .xlsx.

Everything the import and export code needs from a file goes through here, so the rest
of ``app`` deals only in headers and rows of text.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.clock import format_date, format_datetime
from app.errors import DomainError

Progress = Callable[[int, int], bool]
"""Called with (done, total) as work goes on; returning False asks the work to stop."""


class TableUnreadable(DomainError):
    """The file could not be read as a table at all; the message says what to fix."""


class TableUnwritable(DomainError):
    """The file could not be written; the message says what to fix."""


class Cancelled(DomainError):
    """The person cancelled; nothing was changed and no file was left behind."""


# How often (in rows) long reads and writes report progress and may be cancelled.
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class RowProblem:
    """One bad row of a file: its row number as a spreadsheet shows it (the header is
    row 1), the column it is about (None for the whole row) and why, as what to fix."""

    row: int
    column: str | None
    reason: str


@dataclass(frozen=True)
class Table:
    """A file read as text: the header row and the data rows under it."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # The spreadsheet row number of each data row (blank lines skipped keep numbering).
    row_numbers: tuple[int, ...]
    # "UTF-8", "UTF-8 with BOM", "Windows-1252" or "Excel workbook".
    encoding: str
    # "," or ";" or "\t" for CSV; None for a workbook.
    delimiter: str | None
    # Rows that could not be read properly (a byte that is not valid in the file's
    # encoding, say): the import reports them with the rest.
    problems: tuple[RowProblem, ...] = ()


SUFFIXES = (".csv", ".xlsx")


def read_table(path: Path, *, progress: Progress | None = None) -> Table:
    """The table in ``path`` (.csv or .xlsx). Raises ``TableUnreadable``."""
    raise NotImplementedError


def write_table(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    total: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Write a table to ``path`` as CSV (UTF-8 with BOM, so Excel reads it right) or .xlsx,
    by its suffix; returns the rows written. Raises ``TableUnwritable``; a cancelled
    write leaves no partial file behind."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise TableUnwritable(
            f"Kit Share writes .csv and .xlsx files; “{path.name}” ends in "
            f"“{path.suffix or 'nothing'}”. Give the file name one of those endings."
        )
    # Written beside the target and moved into place only when complete, so a cancel or
    # a full disk never leaves half a file under the name asked for.
    partial = path.with_name(f".{path.name}.partial")
    try:
        if suffix == ".csv":
            written = _write_csv(partial, headers, rows, total, progress)
        else:
            written = _write_xlsx(partial, headers, rows, total, progress)
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
    return written


def _cell_text(value: object) -> str:
    """How a value is written to CSV: dates as DD/MM/YYYY, nothing as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def _step(done: int, total: int | None, progress: Progress | None) -> None:
    if progress is not None and done % PROGRESS_EVERY == 0 and not progress(done, total or 0):
        raise Cancelled("Cancelled; no file was written.")


def _write_csv(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    total: int | None,
    progress: Progress | None,
) -> int:
    written = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_cell_text(value) for value in row])
            written += 1
            _step(written, total, progress)
    if progress is not None:
        progress(written, total or written)
    return written


def _xlsx_value(value: object) -> object:
    """Numbers and dates stay typed in a workbook; everything else is text."""
    if value is None or isinstance(value, int | float | date | str):
        return value
    return _cell_text(value)


def _write_xlsx(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    total: int | None,
    progress: Progress | None,
) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Kit Share")
    sheet.append(list(headers))
    written = 0
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
        written += 1
        _step(written, total, progress)
    book.save(path)
    if progress is not None:
        progress(written, total or written)
    return written
