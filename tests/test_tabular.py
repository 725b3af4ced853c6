"""``app.tabular``: reading CSV and .xlsx as text, and writing tables back out.

No database: the files are written here (or are the samples in ``tests/data/import``),
read back, and the headers, rows, row numbers, encodings and problems compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from app.tabular import (
    Cancelled,
    RowProblem,
    Table,
    TableUnreadable,
    TableUnwritable,
    read_table,
    write_table,
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


def test_workbook_cells_become_text_as_a_british_reader_sees_them(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "kit.xlsx",
        ("Asset tag", "Quantity", "Value", "Acquired", "Checked", "Pooled", "At", "Notes", None),
        (
            "CFR-1",
            3.0,
            1234.5,
            datetime(2024, 3, 14),
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
        "14/03/2024",
        "14/03/2024 09:30",
        "yes",
        "07:05",
        "",
    )
    assert table.rows[1][:6] == ("CFR-2", "40", "12", "02/01/2023", "", "no")
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
    assert table.rows[0][:5] == ("3", "1234.5", "14/03/2024", "01/07/2026 13:00", "yes")


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
