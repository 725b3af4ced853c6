"""Workbooks as other programs write them: made with openpyxl, then their XML rewritten
(a wrong stored size, a merged cell, an encrypted container) to what the tests need."""

from __future__ import annotations

import re
import threading
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from openpyxl import Workbook

T = TypeVar("T")

SHEET = "xl/worksheets/sheet1.xml"


def workbook(path: Path, *rows: Sequence[object]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def rewrite_sheet(path: Path, change: Callable[[bytes], bytes]) -> Path:
    """Rewrite the first sheet's XML in place with ``change``; the rest as it was."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            target.writestr(info, change(data) if info.filename == SHEET else data)
    return path


def with_dimension(path: Path, ref: str) -> Path:
    """The workbook claiming, in its stored <dimension>, to span only ``ref``."""

    def change(xml: bytes) -> bytes:
        changed, count = re.subn(
            rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), xml
        )
        assert count == 1, "the sheet has no <dimension> to rewrite"
        return changed

    return rewrite_sheet(path, change)


def stored_dimension(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        found = re.search(rb'<dimension ref="([^"]*)"', archive.read(SHEET))
    assert found is not None
    return found[1].decode()


def with_merged(path: Path, *refs: str) -> Path:
    """The workbook with ``refs`` merged, as Excel writes <mergeCells> after the data."""
    cells = "".join(f'<mergeCell ref="{ref}"/>' for ref in refs)
    block = f'<mergeCells count="{len(refs)}">{cells}</mergeCells>'.encode()
    return rewrite_sheet(path, lambda xml: xml.replace(b"</sheetData>", b"</sheetData>" + block, 1))


def finished_within(seconds: float, work: Callable[[], T]) -> T:
    """``work()``'s result, or the test fails if it has not finished in ``seconds`` (a read
    that would hang for ever, such as a named pipe's, must not hang the suite)."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # handed to the test's thread
            failure.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s: it would hang"
    if failure:
        raise failure[0]
    return outcome[0]
