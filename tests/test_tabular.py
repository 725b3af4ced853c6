"""``app.transfer.tabular``: reading CSV and .xlsx as text, and writing tables back out.

No database: the files are written here (or are the samples in ``tests/data/import``),
read back, and the headers, rows, row numbers, encodings and problems compared.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from app.transfer import tabular
from app.transfer.tabular import Cancelled, RowProblem, Table, TableUnreadable, read_table
from app.transfer.writing import TableUnwritable, write_table
from tests.workbooks import (
    finished_within,
    rewrite_sheet,
    stored_dimension,
    with_dimension,
    with_merged,
)

SAMPLES = Path(__file__).parent / "data" / "import"


def written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def workbook(path: Path, *rows: Sequence[object], second: Sequence[object] = ()) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    if second:
        book.create_sheet("Other").append(list(second))
    book.save(path)
    return path


# -- CSV: encodings and separators -------------------------------------------------------


def test_reads_utf8_with_commas_and_quoted_fields(tmp_path: Path) -> None:
    path = written(
        tmp_path / "kit.csv",
        b'Asset tag,Name,Notes\nCFR-1,"Barrier, steel","Two lines:\nsecond, with a comma"\n'
        b'CFR-2,Tent,"Say ""please"""\n',
    )
    table = read_table(path)
    assert table.headers == ("Asset tag", "Name", "Notes")
    assert table.rows == (
        ("CFR-1", "Barrier, steel", "Two lines:\nsecond, with a comma"),
        ("CFR-2", "Tent", 'Say "please"'),
    )
    # The quoted line break keeps CFR-1 on one row, as a spreadsheet shows it.
    assert table.row_numbers == (2, 3)
    assert (table.encoding, table.delimiter, table.problems) == ("UTF-8", ",", ())
    assert table.file_name == "kit.csv"


def test_a_byte_order_mark_is_noted_and_taken_off(tmp_path: Path) -> None:
    path = written(
        tmp_path / "bom.csv", "Asset tag,Name\r\nCFR-1,Générateur\r\n".encode("utf-8-sig")
    )
    table = read_table(path)
    assert table.headers == ("Asset tag", "Name")
    assert table.rows == (("CFR-1", "Générateur"),)
    assert table.encoding == "UTF-8 with BOM"


def test_windows_1252_with_pound_signs_and_accents() -> None:
    table = read_table(SAMPLES / "windows-1252.csv")
    assert table.encoding == "Windows-1252"
    assert table.headers[5] == "Replacement value (£)"
    assert table.rows[0][1] == "Café urn 20 litre"
    assert table.rows[0][5] == "£1,250.00"
    assert table.rows[0][6].startswith("Évacuation centre kit – keep")
    assert table.rows[1][6] == "“Quoted” note"
    assert table.problems == ()


def test_semicolons_are_sniffed_from_the_header_line() -> None:
    table = read_table(SAMPLES / "semicolon.csv")
    assert table.delimiter == ";"
    assert table.encoding == "UTF-8 with BOM"
    assert table.headers == (
        "Asset tag",
        "Name",
        "Category",
        "Owner agency",
        "Home site",
        "Quantity",
        "Notes",
    )
    assert table.rows[0][6] == "Kept in bay 2; ask the watch manager"
    assert table.rows[1][6] == "Two-line note:\ncheck the impeller"
    assert table.row_numbers == (2, 3)


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [
        ("Tag\tName\tNotes", "\t"),
        ('"Tag, as printed";Name;Notes', ";"),  # a comma inside quotes does not count
        ("Tag,Name;Notes,Site", ","),
        ("Tag", ","),
    ],
)
def test_the_separator_the_header_uses_most_wins(
    tmp_path: Path, header: str, delimiter: str
) -> None:
    table = read_table(written(tmp_path / "s.csv", f"{header}\n".encode()))
    assert table.delimiter == delimiter


def test_blank_rows_are_skipped_but_keep_their_row_numbers(tmp_path: Path) -> None:
    path = written(tmp_path / "gaps.csv", b"Tag,Name\n\nA-1,One\n,\n  ,  \nA-2,Two\n\n")
    table = read_table(path)
    assert table.rows == (("A-1", "One"), ("A-2", "Two"))
    assert table.row_numbers == (3, 6)


def test_short_rows_are_padded_and_trailing_empty_headings_dropped(tmp_path: Path) -> None:
    table = read_table(written(tmp_path / "short.csv", b"Tag,Name,Notes,,\nA-1\nA-2,Two,,,\n"))
    assert table.headers == ("Tag", "Name", "Notes")
    assert table.rows == (("A-1", "", ""), ("A-2", "Two", ""))
    assert table.problems == ()


def test_a_row_with_more_values_than_headings_is_a_problem(tmp_path: Path) -> None:
    table = read_table(written(tmp_path / "extra.csv", b"Tag,Name\nA-1,Smith, John\nA-2,Two\n"))
    assert table.rows == (("A-1", "Smith"), ("A-2", "Two"))
    (problem,) = table.problems
    assert (problem.row, problem.column) == (2, None)
    assert "has 3 values but the file has 2 column headings" in problem.reason
    assert "quotation marks" in problem.reason


def test_utf16_as_excel_saves_unicode_text(tmp_path: Path) -> None:
    path = written(tmp_path / "u.txt", "Tag\tName\r\nA-1\tNaïve\r\n".encode("utf-16"))
    table = read_table(path)
    assert (table.encoding, table.delimiter) == ("UTF-16", "\t")
    assert table.rows == (("A-1", "Naïve"),)


# -- wrong bytes: a problem on the row, not an unreadable file ---------------------------------


def test_a_row_not_in_utf8_in_a_utf8_file(tmp_path: Path) -> None:
    data = (
        "Tag,Name\nA-1,Café\nA-2,Crème\n".encode() + b"A-3,Caf\xe9 latte\n" + "A-4,Naïve\n".encode()
    )
    table = read_table(written(tmp_path / "mixed.csv", data))
    assert table.encoding == "UTF-8"
    assert [row[0] for row in table.rows] == ["A-1", "A-2", "A-3", "A-4"]
    (problem,) = table.problems
    assert problem == RowProblem(4, None, problem.reason)
    assert "not in the file's encoding (UTF-8)" in problem.reason
    assert "CSV UTF-8" in problem.reason


def test_bytes_undefined_in_windows_1252(tmp_path: Path) -> None:
    data = b"Tag,Name,Value\nA-1,Caf\xe9,\xa35\nA-2,Bad \x81 byte,\xa36\nA-3,\x8d\x9d,1\n"
    table = read_table(written(tmp_path / "undefined.csv", data))
    assert table.encoding == "Windows-1252"
    assert table.rows[0] == ("A-1", "Café", "£5")
    assert [(p.row, p.column) for p in table.problems] == [(3, None), (4, None)]
    assert "bytes (0x81)" in table.problems[0].reason
    assert "bytes (0x8D, 0x9D)" in table.problems[1].reason
    assert "not characters in Windows-1252" in table.problems[0].reason


def test_a_utf8_row_in_a_windows_1252_file(tmp_path: Path) -> None:
    data = b"Tag,Name\nA-1,Caf\xe9\nA-2,Cr\xe8me\n" + "A-3,Naïve\n".encode()
    table = read_table(written(tmp_path / "other-way.csv", data))
    assert table.encoding == "Windows-1252"
    (problem,) = table.problems
    assert problem.row == 4
    assert "UTF-8 text but the rest of the file is Windows-1252" in problem.reason


def test_a_quoted_value_spanning_lines_names_the_record_with_bad_bytes(tmp_path: Path) -> None:
    data = 'Tag,Notes\nA-1,"first\nsecond"\nA-2,ok é\n'.encode().replace(b"second", b"s\xe9cond")
    table = read_table(written(tmp_path / "span.csv", data))
    assert table.encoding == "UTF-8"
    assert [p.row for p in table.problems] == [2]


# -- files that are not tables -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "is empty"),
        ("spaces.csv", b"  \r\n\r\n  ", "is empty"),
        ("bom-only.csv", b"\xef\xbb\xbf", "is empty"),
        (
            "blank-first.csv",
            b"\n,,\nTag,Name\nA-1,One\n",
            "The first row of “blank-first.csv” is blank",
        ),
        ("no-header.csv", b"1,2024-01-01,12.50\n2,2024-01-02,13.00\n", "holds values"),
        ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "a program's data"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old-style Excel file"),
        ("renamed.xls", b"Tag,Name\nA-1,One\n", "old-style Excel file"),
        ("not-a-workbook.xlsx", b"Tag,Name\nA-1,One\n", "not an Excel workbook"),
        ("broken.xlsx", b"PK\x03\x04" + bytes(64), "could not be read as an Excel workbook"),
        ("sheet.ods", b"PK\x03\x04" + bytes(64), "OpenDocument spreadsheet"),
        ("quote.csv", b'Tag,Name\nA-1,"never closed\nA-2,Two\n', "Row 2 of “quote.csv” opens"),
    ],
)
def test_files_that_are_not_tables(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    with pytest.raises(TableUnreadable) as raised:
        read_table(written(tmp_path / name, data))
    assert message in raised.value.message


def test_a_missing_file_and_a_folder(tmp_path: Path) -> None:
    with pytest.raises(TableUnreadable, match="There is no file"):
        read_table(tmp_path / "nowhere.csv")
    with pytest.raises(TableUnreadable, match="is a folder"):
        read_table(tmp_path)


def test_header_only_is_a_table_with_no_rows(tmp_path: Path) -> None:
    table = read_table(written(tmp_path / "headings.csv", b"Tag,Name\r\n"))
    assert (table.headers, table.rows) == (("Tag", "Name"), ())


def test_reading_can_be_cancelled(tmp_path: Path) -> None:
    lines = "Tag,Name\n" + "".join(f"A-{n},Item {n}\n" for n in range(1200))
    path = written(tmp_path / "long.csv", lines.encode())
    seen: list[tuple[int, int]] = []

    def stop_at_the_second(done: int, total: int) -> bool:
        seen.append((done, total))
        return len(seen) < 2

    with pytest.raises(Cancelled):
        read_table(path, progress=stop_at_the_second)
    assert seen == [(500, 1201), (1000, 1201)]


# -- workbooks -------------------------------------------------------------------------------------


def test_workbook_cells_become_text_and_date_cells_stay_as_they_are(tmp_path: Path) -> None:
    # A date cell is a date already: read as YYYY-MM-DD, it is never taken for day/month
    # or month/day by the import, whatever order the column's typed-in dates use.
    path = workbook(
        tmp_path / "kit.xlsx",
        ("Asset tag", "Quantity", "Value", "Acquired", "Checked", "Pooled", "At", "Notes", None),
        (
            "CFR-1",
            3.0,
            1234.5,
            date(2024, 3, 14),  # a date cell, as Excel keeps one: no hours in its format
            datetime(2024, 3, 14, 9, 30),
            True,
            time(7, 5),
            None,
        ),
        (),
        (None, None),
        ("CFR-2", 40, 12, date(2023, 1, 2), None, False, None, "=not a formula"),
        second=("Ignored", "sheet"),
    )
    table = read_table(path)
    assert table.headers == (
        "Asset tag",
        "Quantity",
        "Value",
        "Acquired",
        "Checked",
        "Pooled",
        "At",
        "Notes",
    )
    assert table.rows[0] == (
        "CFR-1",
        "3",
        "1234.5",
        "2024-03-14",
        "2024-03-14 09:30",
        "yes",
        "07:05",
        "",
    )
    assert table.rows[1][:6] == ("CFR-2", "40", "12", "2023-01-02", "", "no")
    assert table.row_numbers == (2, 5)
    assert (table.encoding, table.delimiter) == ("Excel workbook", None)


def test_an_empty_first_row_in_a_workbook_is_unreadable(tmp_path: Path) -> None:
    path = workbook(tmp_path / "gap.xlsx", (None, None), ("Tag", "Name"), ("A-1", "One"))
    with pytest.raises(TableUnreadable, match="is blank"):
        read_table(path)


def test_an_xlsx_named_csv_is_read_as_a_workbook(tmp_path: Path) -> None:
    path = workbook(tmp_path / "book.xlsx", ("Tag", "Name"), ("A-1", "One"))
    renamed = path.rename(tmp_path / "actually-a-workbook.csv")
    table = read_table(renamed)
    assert table.encoding == "Excel workbook"
    assert table.rows == (("A-1", "One"),)


# -- writing ---------------------------------------------------------------------------------

FORMULAS = ["=SUM(A1:A9)", "+44 7700 900123", "-scratched", "@cmd", "-5", "£5", "plain"]


def test_csv_is_utf8_with_a_bom_and_reads_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    rows = [
        ["CFR-1", 3, Decimal("1234.50"), date(2024, 3, 14), True, None, "Café – “quoted”, too"],
        ["CFR-2", 1, None, None, False, "two\nlines", ""],
    ]
    assert write_table(path, ["Tag", "Qty", "Value", "On", "Pooled", "Notes", "Name"], rows) == 2
    assert path.read_bytes().startswith(b"\xef\xbb\xbfTag,Qty,Value,On,Pooled,Notes,Name\r\n")
    table = read_table(path)
    assert table.rows == (
        ("CFR-1", "3", "1234.50", "14/03/2024", "yes", "", "Café – “quoted”, too"),
        ("CFR-2", "1", "", "", "no", "two\nlines", ""),
    )


def test_formula_like_text_is_guarded_in_csv_and_reads_back_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "guarded.csv"
    write_table(path, ["Text"], [[text] for text in FORMULAS])
    raw = path.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert raw == ["'=SUM(A1:A9)", "'+44 7700 900123", "'-scratched", "'@cmd", "-5", "£5", "plain"]
    assert [row[0] for row in read_table(path).rows] == FORMULAS


def test_xlsx_keeps_numbers_and_dates_typed_and_text_never_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # 13:00 in London (BST)
    rows = [[3, Decimal("1234.50"), date(2024, 3, 14), summer, True, text] for text in FORMULAS]
    write_table(path, ["Qty", "Value", "On", "At", "Pooled", "Text"], rows)
    book = load_workbook(path, read_only=True)
    try:
        sheet = book.worksheets[0]
        values = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
    finally:
        book.close()
    assert values[:5] == (3, 1234.5, datetime(2024, 3, 14), datetime(2026, 7, 1, 13, 0), True)
    table = read_table(path)
    assert [row[5] for row in table.rows] == FORMULAS
    assert table.rows[0][:5] == ("3", "1234.5", "2024-03-14", "2026-07-01 13:00", "yes")


def test_a_moment_at_midnight_reads_back_as_a_moment_not_a_day(tmp_path: Path) -> None:
    """A loan returned at 00:00 UK time stays a time: the cell's format says it has one."""
    path = tmp_path / "out.xlsx"
    midnight = datetime(2027, 4, 21, 23, 0, tzinfo=UTC)  # 00:00 on 22/04 in London (BST)
    write_table(path, ["Returned", "On"], [[midnight, date(2027, 4, 22)]])
    assert read_table(path).rows[0] == ("2027-04-22 00:00", "2027-04-22")


def test_aware_moments_are_written_as_uk_local_time_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "when.csv"
    write_table(
        path,
        ["At"],
        [[datetime(2026, 1, 5, 8, 0, tzinfo=UTC)], [datetime(2026, 7, 5, 8, 0, tzinfo=UTC)]],
    )
    assert [row[0] for row in read_table(path).rows] == ["05/01/2026 08:00", "05/07/2026 09:00"]


def test_control_characters_are_left_out_of_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "control.xlsx"
    write_table(path, ["Notes"], [["line\x0bbreak\x07"]])
    assert read_table(path).rows == (("linebreak",),)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_cancelled_write_leaves_no_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"big{suffix}"
    calls: list[int] = []

    def cancel(done: int, total: int) -> bool:
        calls.append(done)
        return False

    with pytest.raises(Cancelled):
        write_table(path, ["N"], ([n] for n in range(2000)), total=2000, progress=cancel)
    assert calls == [500]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_cancel_at_the_last_report_still_leaves_no_file(tmp_path: Path, suffix: str) -> None:
    # Fewer rows than one progress step: the only chance to cancel is the final report.
    path = tmp_path / f"small{suffix}"
    calls: list[tuple[int, int]] = []

    def cancel(done: int, total: int) -> bool:
        calls.append((done, total))
        return False

    with pytest.raises(Cancelled):
        write_table(path, ["N"], ([n] for n in range(12)), total=12, progress=cancel)
    assert calls == [(12, 12)]
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_ending_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TableUnwritable, match=r"writes \.csv and \.xlsx files"):
        write_table(tmp_path / "out.ods", ["A"], [])


def test_a_folder_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TableUnwritable, match="Choose a folder you can save to"):
        write_table(tmp_path / "missing" / "out.csv", ["A"], [[1]])


def test_table_defaults() -> None:
    table = Table(headers=("A",), rows=(), row_numbers=(), encoding="UTF-8", delimiter=",")
    assert (table.problems, table.file_name) == ((), "")


# -- what is there is read, and only what can be read ----------------------------------------------


def test_every_row_of_a_workbook_is_read_whatever_its_stored_size_says(tmp_path: Path) -> None:
    # Several programs store a wrong <dimension>; read-only openpyxl would stop at it.
    path = workbook(
        tmp_path / "kit.xlsx",
        ("Asset tag", "Name", "Category", "Owner agency", "Home site"),
        *[(f"CFR-{n}", f"Item {n}", "Drones", "CAMBS-FRS", "Huntingdon") for n in range(1, 6)],
    )
    with_dimension(path, "A1:E2")
    assert stored_dimension(path) == "A1:E2"
    table = read_table(path)
    assert [row[0] for row in table.rows] == ["CFR-1", "CFR-2", "CFR-3", "CFR-4", "CFR-5"]
    assert table.row_numbers == (2, 3, 4, 5, 6)
    # Columns beyond the stored size are read too.
    with_dimension(path, "A1:B6")
    assert read_table(path).headers == (
        "Asset tag",
        "Name",
        "Category",
        "Owner agency",
        "Home site",
    )


def test_a_named_pipe_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    pipe = tmp_path / "assets.csv"
    os.mkfifo(pipe)
    # Opening a pipe waits for a writer for ever: the read must not get that far.
    with pytest.raises(TableUnreadable) as raised:
        finished_within(10, lambda: read_table(pipe))
    assert raised.value.message == (
        f"“{pipe}” is a named pipe, not a file Kit Share can import. Save the rows as a .csv "
        "file or an Excel workbook (.xlsx), and import that."
    )


def test_a_device_is_refused_before_it_is_read() -> None:
    # /dev/zero never ends: reading it whole was a MemoryError.
    with pytest.raises(TableUnreadable, match="“/dev/zero” is a device, not a file"):
        finished_within(10, lambda: read_table(Path("/dev/zero")))


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "huge.csv"
    with big.open("wb") as handle:  # sparse: 3 GB on paper, nothing on the disk
        handle.truncate(3 * 1024**3)
    with pytest.raises(TableUnreadable) as raised:
        finished_within(10, lambda: read_table(big))
    assert raised.value.message.startswith(
        "“huge.csv” is 3,072 MB, and Kit Share imports files of up to 50 MB."
    )
    assert "Split its rows into smaller files" in raised.value.message


def test_a_file_that_grows_past_the_limit_while_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 100)
    path = written(tmp_path / "kit.csv", b"Tag,Name\n" + b"A-1,One\n" * 20)
    with pytest.raises(TableUnreadable, match="imports files of up to 0 MB"):
        read_table(path)
    assert read_table(written(tmp_path / "small.csv", b"Tag,Name\nA-1,One\n")).rows == (
        ("A-1", "One"),
    )


def test_nul_characters_are_taken_out_and_said(tmp_path: Path) -> None:
    # Early in the file (once taken for a program's file) and far into it.
    filler = "".join(f"A-{n},Item {n}\n" for n in range(1000))
    path = written(
        tmp_path / "damaged.csv",
        f"Tag,Name\nA-X,Dr\x00one\n{filler}A-Y,Te\x00\x00nt\n".encode(),
    )
    table = read_table(path)
    assert table.rows[0] == ("A-X", "Drone")
    assert table.rows[-1] == ("A-Y", "Tent")
    assert not any("\x00" in cell for row in table.rows for cell in row)
    assert table.notes == (
        "Invisible characters that are not text (NUL characters, or a byte order mark in the "
        "middle of the file) were taken out of rows 2 and 1003; nothing else in them was "
        "changed.",
    )
    # A byte order mark inside the file (two files pasted together) goes the same way.
    pasted = written(tmp_path / "pasted.csv", "Tag,Name\nA-1,One\n\ufeffA-2,Two\n".encode())
    assert read_table(pasted).rows == (("A-1", "One"), ("A-2", "Two"))


def test_characters_excel_escapes_in_a_workbook_are_read_as_they_are(tmp_path: Path) -> None:
    # Excel writes what XML cannot hold as _xHHHH_; openpyxl leaves the escapes in the text.
    path = workbook(
        tmp_path / "kit.xlsx",
        ("Tag", "Name", "Notes"),
        ("A-1", "Dr_x0000_one", "First line_x000D_\nsecond"),
        ("A-2", "Tent", "Keep _x005F_x0041_ as written"),
    )
    table = read_table(path)
    assert table.rows == (
        ("A-1", "Drone", "First line\nsecond"),
        ("A-2", "Tent", "Keep _x0041_ as written"),
    )
    assert len(table.notes) == 1
    assert "taken out of row 2;" in table.notes[0]


def test_a_line_or_value_too_long_to_be_a_catalogue_is_refused(tmp_path: Path) -> None:
    line = written(tmp_path / "line.csv", b"Tag,Name\nA-1," + b"x" * 1_100_000 + b"\n")
    with pytest.raises(TableUnreadable) as raised:
        read_table(line)
    assert raised.value.message.startswith(
        "Line 2 of “line.csv” is 1,100,005 characters long, and Kit Share reads lines of up "
        "to 1,048,576 characters."
    )
    # A quoted value over many lines, each short, is held to the same limit.
    spread = b'Tag,Name\nA-1,"' + (b"x" * 999 + b"\n") * 1100 + b'"\n'
    with pytest.raises(TableUnreadable, match="has a value over 1,048,576 characters long"):
        read_table(written(tmp_path / "spread.csv", spread))


def test_a_value_of_a_megabyte_is_read_whole(tmp_path: Path) -> None:
    # Python's csv stops at 131,072 characters unless told; the import judges the length.
    table = read_table(written(tmp_path / "long.csv", b"Tag,Notes\nA-1," + b"n" * 1_000_000))
    assert len(table.rows[0][1]) == 1_000_000
    assert table.problems == ()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_more_columns_than_a_catalogue_has_are_refused(tmp_path: Path, suffix: str) -> None:
    headings = [f"Column {n}" for n in range(10_000)]
    path = tmp_path / f"wide{suffix}"
    write_table(path, headings, [["x"] * 10_000])
    with pytest.raises(TableUnreadable) as raised:
        read_table(path)
    assert raised.value.message == (
        f"“wide{suffix}” has 10,000 columns, and Kit Share reads files of up to 1,000. Delete "
        "the columns you are not importing, keeping the ones you are, and import the file again."
    )


def test_repeated_and_blank_headings_are_told_apart(tmp_path: Path) -> None:
    # Two "Name" columns: the second was passed over without a word.
    path = written(tmp_path / "twice.csv", b"Tag,Name,name,,Notes\nA-1,First,Second,Third,N\n")
    table = read_table(path)
    assert table.headers == ("Tag", "Name", "name (column C)", "Column D", "Notes")
    assert table.rows == (("A-1", "First", "Second", "Third", "N"),)
    assert table.notes == (
        "Headings used more than once are told apart by their column: “name” in column C is "
        "read as a column of its own, imported only if you choose it.",
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("crlf.csv", b"Tag,Name\r\nA-1,One\r\nA-2,Two\r\n"),
        ("cr.csv", b"Tag,Name\rA-1,One\rA-2,Two\r"),
        ("tabs.csv", b"Tag\tName\nA-1\tOne\nA-2\tTwo\n"),
        ("utf16-no-bom.csv", "Tag,Name\r\nA-1,One\r\nA-2,Two\r\n".encode("utf-16-le")),
    ],
)
def test_line_ends_separators_and_utf16_without_a_bom(
    tmp_path: Path, name: str, data: bytes
) -> None:
    table = read_table(written(tmp_path / name, data))
    assert (table.headers, table.rows) == (("Tag", "Name"), (("A-1", "One"), ("A-2", "Two")))


def test_merged_cells_are_read_into_every_row_they_cover(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "merged.xlsx",
        ("Tag", "Name", "Category", "Site"),
        ("A-1", "Drone", "Drones", "Huntingdon"),
        ("A-2", "Drone", None, None),
        ("A-3", "Tent", "Shelters", "Ely"),
    )
    with_merged(path, "C2:C3", "D2:D3")
    table = read_table(path)
    assert table.rows == (
        ("A-1", "Drone", "Drones", "Huntingdon"),
        ("A-2", "Drone", "Drones", "Huntingdon"),
        ("A-3", "Tent", "Shelters", "Ely"),
    )
    assert table.notes == (
        "Merged cells (C2:C3, D2:D3) were read as their value in every row and column they "
        "cover, as the sheet shows them.",
    )


def test_a_formula_whose_result_was_not_saved_is_a_problem(tmp_path: Path) -> None:
    # openpyxl, like several exporters, saves formulas without their results.
    path = workbook(
        tmp_path / "formulas.xlsx",
        ("Tag", "Name", "Quantity"),
        ("A-1", '=CONCAT("Dr","one")', "=1+1"),
        ("A-2", "Tent", 3),
    )
    table = read_table(path)
    assert table.rows == (("A-1", "", ""), ("A-2", "Tent", "3"))
    assert [(p.row, p.column) for p in table.problems] == [(2, "Name"), (2, "Quantity")]
    assert table.problems[0].reason.startswith(
        'This cell holds a formula (=CONCAT("Dr","one")) whose result was not saved in the file'
    )
    assert "Open the file in Excel and save it again" in table.problems[0].reason


def test_a_formula_with_its_result_saved_reads_as_the_result(tmp_path: Path) -> None:
    path = workbook(tmp_path / "saved.xlsx", ("Tag", "Name"), ("A-1", "=B9"))
    # As Excel saves it: the formula and, beside it, its result.
    rewrite_sheet(
        path,
        lambda xml: xml.replace(
            b'<c r="B2"><f>B9</f><v /></c>', b'<c r="B2" t="str"><f>B9</f><v>Drone</v></c>'
        ),
    )
    table = read_table(path)
    assert (table.rows, table.problems) == ((("A-1", "Drone"),), ())


def test_a_password_protected_workbook(tmp_path: Path) -> None:
    # An encrypted .xlsx is an OLE container holding an "EncryptedPackage" stream.
    data = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(500)
        + "EncryptionInfo".encode("utf-16-le")
        + bytes(50)
        + "EncryptedPackage".encode("utf-16-le")
        + bytes(500)
    )
    with pytest.raises(TableUnreadable) as raised:
        read_table(written(tmp_path / "locked.xlsx", data))
    assert raised.value.message.startswith(
        "“locked.xlsx” is protected with a password, so Kit Share cannot read it."
    )


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("IMG_0001.jpg", b"\xff\xd8\xff")
    with pytest.raises(TableUnreadable, match="is a zip archive or another program's file"):
        read_table(path)


def test_a_workbook_that_would_unpack_too_big(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workbook(tmp_path / "bomb.xlsx", ("Tag",), ("A-1",))
    monkeypatch.setattr(tabular, "MAX_UNPACKED_BYTES", 1024)
    with pytest.raises(TableUnreadable, match=r"unpacks to 0 MB, and Kit Share reads workbooks"):
        read_table(path)


@pytest.mark.parametrize("kind", ["empty sheet", "headings only"])
def test_a_workbook_with_nothing_under_its_headings(tmp_path: Path, kind: str) -> None:
    path = workbook(tmp_path / "bare.xlsx", *([] if kind == "empty sheet" else [("Tag", "Name")]))
    if kind == "empty sheet":
        with pytest.raises(TableUnreadable, match="is empty: there is nothing in it to import"):
            read_table(path)
    else:
        assert read_table(path).rows == ()


def test_a_file_of_more_lines_than_a_spreadsheet_holds_is_refused_quickly(tmp_path: Path) -> None:
    # 50 MB of blank lines under a heading took a minute and a half and 1.3 GB to read.
    path = written(tmp_path / "blank.csv", b"Tag,Name\n" + b"\n" * 1_100_000)
    with pytest.raises(TableUnreadable) as raised:
        finished_within(10, lambda: read_table(path))
    assert raised.value.message.startswith(
        "“blank.csv” has 1,100,001 lines, and Kit Share reads files of up to 1,048,576 lines, "
        "as many rows as a spreadsheet holds."
    )


def test_a_sheet_of_more_rows_than_a_spreadsheet_holds_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workbook(tmp_path / "long.xlsx", ("Tag",), *[(f"A-{n}",) for n in range(12)])
    monkeypatch.setattr(tabular, "MAX_ROWS", 10)
    with pytest.raises(TableUnreadable, match="has more than 10 rows, more than a spreadsheet"):
        read_table(path)


def test_text_longer_than_an_excel_cell_is_not_cut_short_in_a_workbook(tmp_path: Path) -> None:
    # openpyxl cuts a cell at 32,767 characters without a word; a CSV keeps it whole.
    notes = "n" * 40_000
    with pytest.raises(TableUnwritable) as raised:
        write_table(tmp_path / "items.xlsx", ["Tag", "Notes"], [["A-1", "short"], ["A-2", notes]])
    assert raised.value.message == (
        "Row 3's “Notes” is 40,000 characters long, more than an Excel cell holds (32,767), so "
        "the workbook would cut it short. Export to a .csv file instead, which keeps it whole."
    )
    assert list(tmp_path.iterdir()) == []
    write_table(tmp_path / "items.csv", ["Tag", "Notes"], [["A-2", notes]])
    assert read_table(tmp_path / "items.csv").rows == (("A-2", notes),)
