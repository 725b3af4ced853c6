"""Reading tables: CSV (any usual encoding and separator) and Excel .xlsx; what is
written is written by ``app.transfer.writing``, and read back here.

Everything the import needs from a file comes through here, so the rest of ``app``
deals only in headers and rows of text.

Reading is forgiving where a person cannot see the difference (UTF-8 with or without a
byte order mark, Windows-1252, commas, semicolons or tabs, blank lines, Excel's typed
cells) and plain where they must act: a file that is not a table at all raises
``TableUnreadable`` saying what to do, and a row that cannot be read properly (bytes
that are not in the file's encoding, more values than headings) is kept, with a
``RowProblem`` in ``Table.problems`` for the import's report. Whatever reading changes
that a person could not see (invisible characters taken out, merged cells read into
each of their rows, a repeated heading told apart) is said in ``Table.notes``.

Only a regular file is read (never a pipe or a device, which could hang or never end),
and only up to the limits below, each refused with a sentence that names it: a person
who picks the wrong file gets a sentence, not a frozen window or a ``MemoryError``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import stat
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from app.core.errors import DomainError

Progress = Callable[[int, int], bool]
"""Called with (done, total) as work goes on; returning False asks the work to stop."""


class TableUnreadable(DomainError):
    """The file could not be read as a table at all; the message says what to fix."""


class Cancelled(DomainError):
    """The person cancelled; nothing was changed and no file was left behind."""


# How often (in rows) long reads and writes report progress and may be cancelled.
PROGRESS_EVERY = 500
# How many rows a "rows 4, 9 and 12" list names before saying "and N more".
ROWS_SHOWN = 5


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
    # "UTF-8", "UTF-8 with BOM", "UTF-16", "Windows-1252" or "Excel workbook".
    encoding: str
    # "," or ";" or "\t" for CSV; None for a workbook.
    delimiter: str | None
    # Rows that could not be read properly (a byte that is not valid in the file's
    # encoding, say): the import reports them with the rest.
    problems: tuple[RowProblem, ...] = ()
    # The file's name (no folder), for messages and the audit trail; "" if not from a file.
    file_name: str = ""
    # What reading changed that the person could not see in the file, in sentences for
    # the import's report ("NUL characters were taken out of rows 4 and 9.").
    notes: tuple[str, ...] = ()


# What ``read_table`` opens as a workbook; anything else is read as delimited text.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

# A cell starting with one of these is a formula to a spreadsheet. Written CSV text that
# starts so gets an apostrophe in front, which is taken off again when it is read.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_ZIP_START = b"PK\x03\x04"
# The compound-file signature of .xls (Excel 97-2003) and other old Office files.
_OLE_START = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Bytes Windows-1252 leaves undefined: a file holding them is not Windows-1252 text.
_UNDEFINED_IN_1252 = frozenset(b"\x81\x8d\x8f\x90\x9d")
# How much of the start of a file is looked at to tell text from binary.
_SNIFF_BYTES = 8192
_DELIMITERS = (",", ";", "\t")
_HEADING_LOOKS_LIKE_DATA = re.compile(r"[\d\s.,/:£+-]+")
# The limits of what is read. A catalogue of 100,000 items is about 15 MB of CSV; a
# file over these is not a catalogue, or needs splitting.
MAX_FILE_BYTES = 50 * 1024 * 1024
# What a workbook's parts may unpack to: a small .xlsx can unpack to gigabytes.
MAX_UNPACKED_BYTES = 250 * 1024 * 1024
# The longest line of a CSV file, and the longest value in it, read at all.
MAX_LINE_CHARS = 1_048_576
MAX_COLUMNS = 1_000
# As many rows as a spreadsheet holds (a file of blank lines took minutes to read).
MAX_ROWS = 1_048_576
# Characters that are never text a person typed: NUL (refused by PostgreSQL, and left by
# damaged exports) and the byte order mark of a file pasted into the middle of another.
_INVISIBLE = ("\x00", "\ufeff")
_INVISIBLE_PATTERN = re.compile("[\x00\ufeff]")
_MERGED = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+)(\d+):([A-Z]+)(\d+)\"")
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
# The stream an encrypted (password-protected) .xlsx keeps its workbook in.
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
SAVE_AS_UTF8 = (
    "Open the file in Excel (or your spreadsheet program), choose Save As, “CSV UTF-8 "
    "(comma delimited)”, and import the saved file."
)


# -- reading ---------------------------------------------------------------------------


def read_table(path: Path, *, progress: Progress | None = None) -> Table:
    """The table in ``path``: CSV or other delimited text, or the first sheet of an
    .xlsx workbook. Raises ``TableUnreadable`` (what to do is in the message), or
    ``Cancelled`` if ``progress`` returns False."""
    data = _file_bytes(path)
    suffix = path.suffix.lower()
    if data.startswith(_OLE_START) and _ENCRYPTED in data:
        raise TableUnreadable(
            f"“{path.name}” is protected with a password, so Kit Share cannot read it. Open "
            "it in Excel, take the password off (File, Info, Protect Workbook, Encrypt with "
            "Password, and clear it), save it, and import it again."
        )
    if data.startswith(_OLE_START) or suffix == ".xls":
        raise TableUnreadable(
            f"“{path.name}” is an old-style Excel file (.xls, Excel 97–2003), which Kit "
            "Share cannot read. Open it in Excel and save it as an Excel Workbook (.xlsx) "
            "or as CSV UTF-8, then import the saved file."
        )
    if suffix == ".ods":
        raise TableUnreadable(
            f"“{path.name}” is an OpenDocument spreadsheet, which Kit Share cannot read. "
            "Save it as an Excel Workbook (.xlsx) or as CSV UTF-8, then import that."
        )
    if suffix in WORKBOOK_SUFFIXES or data.startswith(_ZIP_START):
        if not data.startswith(_ZIP_START):
            raise TableUnreadable(
                f"“{path.name}” is not an Excel workbook, or it is damaged. Open it in "
                "Excel and save it again as an Excel Workbook (.xlsx), or as CSV UTF-8."
            )
        return _read_workbook(path, data, progress)
    return _read_text(path, data, progress)


def _file_bytes(path: Path) -> bytes:
    """The bytes of ``path``, if it is a regular file within ``MAX_FILE_BYTES``.

    The kind of file is checked before it is opened, and again on the open file (opened
    without waiting, so a pipe swapped in between cannot hang the read): a named pipe
    waits for a writer for ever, and a device such as /dev/zero never ends."""
    try:
        _check_regular(path, path.stat())
        descriptor = os.open(
            path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        )
        with os.fdopen(descriptor, "rb") as handle:
            _check_regular(path, os.fstat(handle.fileno()))
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise TableUnreadable(
            f"There is no file “{path}”. Check the file's name and folder, and try again."
        ) from None
    except PermissionError:
        raise TableUnreadable(
            f"Kit Share is not allowed to read “{path}”. Close it in any program that has it "
            "open, or copy it somewhere you can read it, and try again."
        ) from None
    except OSError as error:
        raise TableUnreadable(
            f"“{path}” could not be read ({error.strerror or error}). Copy it to this "
            "computer and try again."
        ) from None
    if len(data) > MAX_FILE_BYTES:
        _too_big(path, len(data))
    return data


def _check_regular(path: Path, info: os.stat_result) -> None:
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise TableUnreadable(f"“{path}” is a folder. Choose the file to import in it.")
    if not stat.S_ISREG(mode):
        if stat.S_ISFIFO(mode):
            what = "a named pipe"
        elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            what = "a device"
        elif stat.S_ISSOCK(mode):
            what = "a socket"
        else:
            what = "a special file"
        raise TableUnreadable(
            f"“{path}” is {what}, not a file Kit Share can import. Save the rows as a .csv "
            "file or an Excel workbook (.xlsx), and import that."
        )
    if info.st_size > MAX_FILE_BYTES:
        _too_big(path, info.st_size)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def _too_big(path: Path, size: int) -> None:
    raise TableUnreadable(
        f"“{path.name}” is {_megabytes(size)}, and Kit Share imports files of up to "
        f"{_megabytes(MAX_FILE_BYTES)}. Split its rows into smaller files (keeping the "
        "headings in each) and import them one after another."
    )


def progress_due(done: int) -> bool:
    """Whether progress is reported after ``done`` rows: every ``PROGRESS_EVERY``."""
    return done % PROGRESS_EVERY == 0


def _step(done: int, total: int, progress: Progress | None, *, what: str) -> None:
    if progress is not None and progress_due(done) and not progress(done, total):
        raise Cancelled(f"Cancelled; {what}")


def _looks_binary(sample: bytes) -> bool:
    """Many NUL bytes or other control characters: a program's file, not text. (A NUL or
    two in text, left by a damaged export, is taken out of the cells it is in.)"""
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in b"\t\n\r\x0c")
    return controls > max(8, len(sample) // 100)


def _utf16_without_bom(sample: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" for UTF-16 text saved without its byte order mark
    (every other byte NUL, as in ASCII text), else None."""
    pairs = len(sample) // 2
    if pairs < 4:
        return None
    for codec, nuls, text in (
        ("utf-16-le", sample[1::2], sample[0::2]),
        ("utf-16-be", sample[0::2], sample[1::2]),
    ):
        if nuls.count(0) >= pairs * 9 // 10 and text.count(0) <= pairs // 10:
            return codec
    return None


# -- delimited text ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Decoded:
    encoding: str
    lines: list[str]  # each physical line, with its line ending
    bad: dict[int, str]  # line index -> why it could not be read


def _read_text(path: Path, data: bytes, progress: Progress | None) -> Table:
    if not data.strip(b" \t\r\n\x0c" + _UTF8_BOM):
        raise TableUnreadable(
            f"“{path.name}” is empty: there is nothing in it to import. Choose the file that "
            "holds the rows, with their column headings in the first row."
        )
    line_count = max(data.count(b"\n"), data.count(b"\r"))
    if line_count > MAX_ROWS:
        raise TableUnreadable(
            f"“{path.name}” has {line_count:,} lines, and Kit Share reads files of up to "
            f"{MAX_ROWS:,} lines, as many rows as a spreadsheet holds. Check that this is the "
            "file you meant; if it is, split its rows into smaller files and import each."
        )
    decoded = _decode(path, data)
    if max(map(len, decoded.lines)) > MAX_LINE_CHARS:
        index, line = next((i, t) for i, t in enumerate(decoded.lines) if len(t) > MAX_LINE_CHARS)
        raise TableUnreadable(
            f"Line {index + 1} of “{path.name}” is {len(line):,} characters long, and Kit "
            f"Share reads lines of up to {MAX_LINE_CHARS:,} characters. Check that this "
            "is the file you meant; if it is, shorten that line and import it again."
        )
    delimiter = _sniff_delimiter(decoded.lines[0])
    reader = csv.reader(decoded.lines, delimiter=delimiter, quotechar='"', strict=False)
    total = len(decoded.lines)
    builder = _Builder(path.name)
    # Looked for in the bytes, at C speed, rather than in every cell.
    builder.scrub = (
        b"\x00" in data or _UTF8_BOM in data[len(_UTF8_BOM) :] or decoded.encoding == "UTF-16"
    )
    record = 0
    line_before = 0
    try:
        with _field_limit(MAX_LINE_CHARS):
            for cells in reader:
                record += 1
                lines = range(line_before, reader.line_num)
                line_before = reader.line_num
                if len(lines) > 1 and line_before == total:
                    _check_quotes_closed(path, record, [decoded.lines[i] for i in lines])
                bad = next((decoded.bad[i] for i in lines if i in decoded.bad), None)
                builder.add(record, [_unescaped(cell) for cell in cells], bad)
                _step(record, total, progress, what="the file was not read.")
    except csv.Error as error:
        if "field limit" in str(error):
            raise TableUnreadable(
                f"Row {record + 1} of “{path.name}” has a value over {MAX_LINE_CHARS:,} "
                "characters long, more than Kit Share reads. Check that every quotation "
                "mark in it is closed, or shorten the value, and import the file again."
            ) from None
        raise TableUnreadable(
            f"Row {record + 1} of “{path.name}” could not be read ({error}). Correct the "
            "row, or save the file again from your spreadsheet program as CSV UTF-8."
        ) from None
    if progress is not None:
        progress(total, total)
    return builder.table(decoded.encoding, delimiter)


@contextlib.contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    """Python's csv reads values of up to 131,072 characters unless told otherwise, a
    setting of the whole module: raised for this read, and put back after it."""
    before = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _check_quotes_closed(path: Path, record: int, lines: Sequence[str]) -> None:
    """A value over several lines that runs to the end of the file, with an odd number of
    quotation marks: one was opened and never closed, and the rest of the file would be
    read as that one value."""
    if sum(line.count('"') for line in lines) % 2:
        raise TableUnreadable(
            f"Row {record} of “{path.name}” opens a quotation mark that is never closed, so "
            "everything after it would be read as one value. Close the quotation mark (one "
            'inside a value is written twice: ""), and import the file again.'
        )


def _decode(path: Path, data: bytes) -> _Decoded:
    """The file's lines as text, and the lines that are not in the file's encoding.

    A file that is valid UTF-8 throughout is UTF-8. One with some lines that are not is
    still UTF-8 if at least as many lines hold accents or symbols that are valid UTF-8
    (the odd line pasted in from elsewhere); otherwise it is Windows-1252, what Excel
    saves as plain "CSV" on a British PC, where five byte values mean nothing.
    """
    for bom in _UTF16_BOMS:
        if data.startswith(bom):
            try:
                text = data.decode("utf-16")
            except UnicodeDecodeError:
                raise TableUnreadable(
                    f"“{path.name}” starts as UTF-16 text but is not valid UTF-16. " + SAVE_AS_UTF8
                ) from None
            return _Decoded("UTF-16", text.lstrip("\ufeff").splitlines(keepends=True), {})
    codec = _utf16_without_bom(data[:_SNIFF_BYTES])
    if codec is not None:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            pass
        else:
            return _Decoded("UTF-16", text.splitlines(keepends=True), {})
    if _looks_binary(data[:_SNIFF_BYTES]):
        raise TableUnreadable(
            f"“{path.name}” is not a table Kit Share can read: it holds a program's data, "
            "not text. Import a CSV file or an Excel workbook (.xlsx) instead."
        )
    with_bom = data.startswith(_UTF8_BOM)
    if with_bom:
        data = data[len(_UTF8_BOM) :]
    raw = data.splitlines(keepends=True)
    texts: list[str | None] = []
    failed: list[int] = []
    accented = 0
    for index, line in enumerate(raw):
        if line.isascii():
            texts.append(line.decode("ascii"))
            continue
        try:
            texts.append(line.decode("utf-8"))
            accented += 1
        except UnicodeDecodeError:
            texts.append(None)
            failed.append(index)
    if not failed or with_bom or accented >= len(failed):
        name = "UTF-8 with BOM" if with_bom else "UTF-8"
        bad = {i: _not_utf8(name) for i in failed}
        lines = [
            t if t is not None else raw[i].decode("utf-8", "replace") for i, t in enumerate(texts)
        ]
        return _Decoded(name, lines, bad)
    return _windows_1252(raw, texts)


def _windows_1252(raw: list[bytes], texts: list[str | None]) -> _Decoded:
    lines: list[str] = []
    bad: dict[int, str] = {}
    for index, line in enumerate(raw):
        if line.isascii():
            lines.append(line.decode("ascii"))
            continue
        undefined = sorted({byte for byte in line if byte in _UNDEFINED_IN_1252})
        if undefined:
            listed = ", ".join(f"0x{byte:02X}" for byte in undefined)
            bad[index] = (
                f"This row holds bytes ({listed}) that are not characters in Windows-1252, "
                "the encoding of the rest of the file, so it cannot be read as it is. "
                + SAVE_AS_UTF8
            )
        elif texts[index] is not None:
            bad[index] = (
                "This row is UTF-8 text but the rest of the file is Windows-1252, so its "
                "accents and symbols would come in wrong. " + SAVE_AS_UTF8
            )
        lines.append(line.decode("cp1252", "replace"))
    return _Decoded("Windows-1252", lines, bad)


def _not_utf8(encoding: str) -> str:
    return (
        f"This row is not in the file's encoding ({encoding}): it holds characters saved "
        "in another encoding, so its accents and symbols cannot be read. " + SAVE_AS_UTF8
    )


def _sniff_delimiter(header: str) -> str:
    """The separator the header line uses most, outside quotation marks; a comma if none."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])  # ties go to the comma, listed first
    return best if counts[best] else ","


def _unescaped(cell: str) -> str:
    """A cell as written: line endings within it as "\\n", the formula guard taken off."""
    if "\r" in cell:
        cell = cell.replace("\r\n", "\n").replace("\r", "\n")
    if cell.startswith("'") and cell[1:2] and cell[1] in FORMULA_STARTS:
        return cell[1:]
    return cell


class _Builder:
    """Collects the header and rows of a file as they are read, row number by row number."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.headers: tuple[str, ...] | None = None
        self.rows: list[tuple[str, ...]] = []
        self.numbers: list[int] = []
        self.problems: list[RowProblem] = []
        self.notes: list[str] = []
        # Whether cells may hold invisible characters to take out (worth looking for).
        self.scrub = True
        self.scrubbed: list[int] = []

    def add(self, number: int, cells: Sequence[str], bad: str | None = None) -> None:
        if self.scrub and any(char in cell for cell in cells for char in _INVISIBLE):
            cells = [_INVISIBLE_PATTERN.sub("", cell) for cell in cells]
            self.scrubbed.append(number)
        if self.headers is None:
            self._set_headers(cells)
            return
        if not any(cell.strip() for cell in cells):
            return  # a blank row: skipped, but it keeps its number
        width = len(self.headers)
        if bad is not None:
            self.problems.append(RowProblem(number, None, bad))
        elif any(cell.strip() for cell in cells[width:]):
            count = len(cells) - _trailing_blanks(cells)
            self.problems.append(
                RowProblem(
                    number,
                    None,
                    f"This row has {count} values but the file has {width} column headings, "
                    "so its values may be in the wrong columns. A value with a comma or a "
                    "semicolon in it needs quotation marks around it; correct the row, or "
                    "add a heading for the extra column.",
                )
            )
        row = (
            tuple(cells[:width]) if len(cells) >= width else (*cells, *[""] * (width - len(cells)))
        )
        self.rows.append(row)
        self.numbers.append(number)

    def _set_headers(self, cells: Sequence[str]) -> None:
        headers = [" ".join(cell.split()) for cell in cells]
        while headers and not headers[-1]:
            headers.pop()
        if not headers:
            raise TableUnreadable(
                f"The first row of “{self.file_name}” is blank. Kit Share reads the column "
                "headings from row 1: put them there (Asset tag, Name, Category…), with the "
                "rows under them, and import the file again."
            )
        if len(headers) > MAX_COLUMNS:
            raise TableUnreadable(
                f"“{self.file_name}” has {len(headers):,} columns, and Kit Share reads files "
                f"of up to {MAX_COLUMNS:,}. Delete the columns you are not importing, keeping "
                "the ones you are, and import the file again."
            )
        if all(_HEADING_LOOKS_LIKE_DATA.fullmatch(h) for h in headers if h):
            shown = ", ".join(h for h in headers if h)[:80]
            raise TableUnreadable(
                f"Row 1 of “{self.file_name}” holds values ({shown}), not column headings. "
                "Add a row of headings at the top (Asset tag, Name, Category…) so Kit Share "
                "can tell what each column holds, and import the file again."
            )
        self.headers = self._told_apart(headers)

    def _told_apart(self, headers: list[str]) -> tuple[str, ...]:
        """Every column a heading of its own, so each can be chosen and none is passed
        over unseen: a blank heading becomes "Column C", and a heading used again (two
        "Name" columns) "Name (column C)" from its second use on, as a spreadsheet
        letters the columns."""
        seen: set[str] = set()
        renamed: list[str] = []
        told: list[str] = []
        for index, heading in enumerate(headers):
            letter = column_letter(index + 1)
            if not heading:
                told.append(f"Column {letter}")
            elif heading.casefold() in seen:
                told.append(f"{heading} (column {letter})")
                renamed.append(f"“{heading}” in column {letter}")
            else:
                told.append(heading)
            seen.add(told[-1].casefold())
        if renamed:
            self.notes.append(
                "Headings used more than once are told apart by their column: "
                + ", ".join(renamed)
                + " is read as a column of its own, imported only if you choose it."
            )
        return tuple(told)

    def table(self, encoding: str, delimiter: str | None) -> Table:
        if self.headers is None:
            raise TableUnreadable(
                f"“{self.file_name}” is empty: there is nothing in it to import. Choose the "
                "file that holds the rows, with their column headings in the first row."
            )
        notes = list(self.notes)
        if self.scrubbed:
            notes.append(
                "Invisible characters that are not text (NUL characters, or a byte order "
                f"mark in the middle of the file) were taken out of {rows_text(self.scrubbed)}; "
                "nothing else in them was changed."
            )
        return Table(
            headers=self.headers,
            rows=tuple(self.rows),
            row_numbers=tuple(self.numbers),
            encoding=encoding,
            delimiter=delimiter,
            problems=tuple(self.problems),
            file_name=self.file_name,
            notes=tuple(notes),
        )


def rows_text(rows: Sequence[int], shown: int = ROWS_SHOWN) -> str:
    """ "row 4", "rows 4 and 9", "rows 4, 9, 12, 15, 20 and 31 more"; row 1 is "row 1 (the
    headings)"."""
    names = ["row 1 (the headings)" if n == 1 else f"row {n}" for n in rows[:shown]]
    if len(rows) == 1:
        return names[0]
    names = [name.removeprefix("row ") for name in names]
    if len(rows) > shown:
        return f"rows {', '.join(names)} and {len(rows) - shown:,} more"
    return f"rows {', '.join(names[:-1])} and {names[-1]}"


def column_letter(number: int) -> str:
    """1 → "A", 27 → "AA", as a spreadsheet names its columns."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - ord("A") + 1
    return number


def _trailing_blanks(cells: Sequence[str]) -> int:
    count = 0
    for cell in reversed(cells):
        if cell.strip():
            break
        count += 1
    return count


# -- workbooks -----------------------------------------------------------------------------


def _read_workbook(path: Path, data: bytes, progress: Progress | None) -> Table:
    from openpyxl import load_workbook

    _check_archive(path, data)
    try:
        with warnings.catch_warnings():
            # Styles and data validation openpyxl does not support: nothing to do with
            # the values, and nothing the person could act on.
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a damaged or foreign file fails however its parser finds
        raise TableUnreadable(
            f"“{path.name}” could not be read as an Excel workbook ({error}). Open it in "
            "Excel and save it again as an Excel Workbook (.xlsx), or as CSV UTF-8."
        ) from None
    try:
        return _workbook_table(path, book, data, progress)
    except (Cancelled, TableUnreadable):
        raise
    except Exception as error:  # as above: damage found part-way through the sheet
        raise TableUnreadable(
            f"“{path.name}” is damaged: Kit Share could not read all of its first sheet "
            f"({error}). Open it in Excel and save it again, or save it as CSV UTF-8."
        ) from None
    finally:
        book.close()


def _check_archive(path: Path, data: bytes) -> None:
    """Refuse a zip archive that is not a workbook, or that would unpack to more than
    ``MAX_UNPACKED_BYTES``, before openpyxl unpacks any of it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # damaged: openpyxl's own error says how, below
    names = {part.filename for part in parts}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise TableUnreadable(
            f"“{path.name}” is a zip archive or another program's file, not an Excel "
            "workbook. If it holds the spreadsheet, unzip it and import the spreadsheet; "
            "otherwise save the rows as an Excel Workbook (.xlsx) or as CSV UTF-8."
        )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        raise TableUnreadable(
            f"“{path.name}” unpacks to {_megabytes(unpacked)}, and Kit Share reads "
            f"workbooks that unpack to up to {_megabytes(MAX_UNPACKED_BYTES)}. Split its "
            "rows into smaller workbooks (keeping the headings in each) and import them "
            "one after another."
        )


@dataclass
class _Merged:
    """Cells merged into one: the value shows across all of them, so each reads it."""

    first_column: int
    first_row: int
    last_column: int
    last_row: int
    ref: str
    value: str = ""
    used: bool = False


def _sheet_markup(sheet: Any) -> tuple[list[_Merged], bool]:
    """The sheet's merged cells, and whether it holds any formula: looked for in its XML,
    a piece at a time, which read-only openpyxl does not report."""
    merged: dict[str, _Merged] = {}
    formulas = False
    tail = b""
    # The sheet's own XML, as openpyxl reads it (read-only sheets open it on demand).
    with sheet._get_source() as source:
        while chunk := source.read(1 << 20):
            text = tail + chunk
            formulas = formulas or _FORMULA.search(text) is not None
            for found in _MERGED.finditer(text):
                first, top, last, bottom = (part.decode("ascii") for part in found.groups())
                ref = f"{first}{top}:{last}{bottom}"
                merged[ref] = _Merged(
                    _column_number(first), int(top), _column_number(last), int(bottom), ref
                )
            tail = text[-256:]
    return [
        m for m in merged.values() if (m.first_column, m.first_row) != (m.last_column, m.last_row)
    ], formulas


def _unsaved_formulas(data: bytes) -> dict[tuple[int, int], str]:
    """The formula cells of the first sheet, by (row, column): read again with formulas
    rather than their results, only when the sheet has any."""
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        found: dict[tuple[int, int], str] = {}
        for cells in sheet.iter_rows():
            for cell in cells:
                if getattr(cell, "data_type", None) == "f" and cell.row and cell.column:
                    found[cell.row, cell.column] = str(cell.value)
        return found
    finally:
        book.close()


def _workbook_table(path: Path, book: Any, data: bytes, progress: Progress | None) -> Table:
    if not book.worksheets:
        raise TableUnreadable(f"“{path.name}” has no sheets: there is nothing in it to import.")
    sheet = book.worksheets[0]
    # The size the sheet says it has, only for progress: many programs write it wrongly,
    # and read-only openpyxl would stop at it, so every row there is is read.
    total = int(sheet.max_row or 0)
    sheet.reset_dimensions()
    merged, has_formulas = _sheet_markup(sheet)
    formulas = _unsaved_formulas(data) if has_formulas else {}
    builder = _Builder(path.name)
    number = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for row in sheet.iter_rows():
            values = [getattr(cell, "value", None) for cell in row]
            number += 1
            if number > MAX_ROWS:
                raise TableUnreadable(
                    f"The first sheet of “{path.name}” has more than {MAX_ROWS:,} rows, more "
                    "than a spreadsheet holds, so it is damaged or not a catalogue. Open it in "
                    "Excel and save it again, or save it as CSV UTF-8."
                )
            cells = [_workbook_text(cell.value, _number_format(cell)) for cell in row]
            if merged:
                cells = _fill_merged(number, cells, merged)
            builder.add(number, cells)
            if formulas and number > 1:
                _note_unsaved_formulas(builder, number, values, formulas)
            _step(number, max(total, number), progress, what="the file was not read.")
    if progress is not None:
        progress(number, number)
    filled = [m.ref for m in merged if m.used]
    if filled:
        shown = ", ".join(filled[:5]) + (
            f" and {len(filled) - 5:,} more" if len(filled) > 5 else ""
        )
        builder.notes.append(
            f"Merged cells ({shown}) were read as their value in every row and column they "
            "cover, as the sheet shows them."
        )
    return builder.table("Excel workbook", None)


def _fill_merged(number: int, cells: list[str], merged: list[_Merged]) -> list[str]:
    """Row ``number``'s cells, with the value of each merged range over it in every
    cell of the range that is blank."""
    for cell in merged:
        if not cell.first_row <= number <= cell.last_row:
            continue
        if number == cell.first_row and cell.first_column <= len(cells):
            cell.value = cells[cell.first_column - 1]
        if not cell.value:
            continue
        if len(cells) < cell.last_column:
            cells = [*cells, *[""] * (cell.last_column - len(cells))]
        for column in range(cell.first_column, cell.last_column + 1):
            if not cells[column - 1]:
                cells[column - 1] = cell.value
                cell.used = True
    return cells


def _note_unsaved_formulas(
    builder: _Builder,
    number: int,
    values: Sequence[object],
    formulas: dict[tuple[int, int], str],
) -> None:
    headers = builder.headers or ()
    for column, value in enumerate(values, 1):
        formula = formulas.get((number, column))
        if value is None and formula is not None:
            heading = headers[column - 1] if column <= len(headers) else None
            shown = formula if len(formula) <= 40 else formula[:39] + "…"
            builder.problems.append(
                RowProblem(
                    number,
                    heading,
                    f"This cell holds a formula ({shown}) whose result was not saved in the "
                    "file, so Kit Share cannot tell its value. Open the file in Excel and "
                    "save it again (Excel saves the results), or paste the values over the "
                    "formulas, and import it again.",
                )
            )


def _number_format(cell: object) -> str:
    return str(getattr(cell, "number_format", "") or "")


def _workbook_text(value: object, number_format: str = "") -> str:
    """A cell's value as text: dates as YYYY-MM-DD (a date the sheet holds as a date is
    read as it is, never taken for day/month or month/day), whole numbers without
    ".0". A moment keeps its time even at midnight when the cell's format shows hours:
    a loan returned at 00:00 is not a loan returned on a day."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        if value.time() == time(0) and "h" not in number_format.lower():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value)
    if "_x" in text:
        # Excel writes characters XML cannot hold as "_x000D_" and the like (and a
        # literal "_x" as "_x005F_x"); openpyxl leaves them as they are in cell text.
        text = _EXCEL_ESCAPE.sub(lambda found: chr(int(found[1], 16)), text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
