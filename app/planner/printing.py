"""The planner on paper: A4 on its side, the header repeated on every page, the pages
numbered (by the document footer), each booking a coloured cell with its borrower."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from app.core.clock import format_date, format_datetime, now_utc
from app.documents.content import PrintedDocument, document_html, offline_notice
from app.planner.model import (
    BAR_WORDS,
    Bar,
    BarState,
    PlanRow,
    Slot,
    Zoom,
    booked_in,
    most_urgent,
    row_bookings,
)
from app.storage.database import Database

# The bars' colours on paper: those of the screen, light enough to read text on.
PAPER_COLOURS = {
    BarState.REQUESTED: "#d6e4fb",
    BarState.APPROVED: "#9cbce8",
    BarState.OUT: "#a8d5ab",
    BarState.OVERDUE: "#f2a9a3",
    BarState.RECALLED: "#d3b5e3",
    BarState.RETURNED: "#e4e7ea",
}
RULE = "#c3ccd6"
# At most this many columns fit across A4 on its side and stay readable.
MOST_COLUMNS = 42
# The share of the width the items' names take.
ITEM_SHARE = 22
WEEKDAY_LETTERS = "MTWTFSS"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def planner_document(
    db: Database,
    rows: Sequence[PlanRow],
    shown: Sequence[Slot],
    zoom: Zoom,
    *,
    total: int,
    what: str,
    now: datetime | None = None,
) -> PrintedDocument:
    """The rows (of ``total`` found for ``what``) over the slots ``shown``."""
    moment = now or now_utc()
    columns = list(shown)[:MOST_COLUMNS]
    start, end = (columns[0].start, columns[-1].end) if columns else (moment, moment)
    bars = row_bookings(db, rows, start, end, now=moment)
    period = (
        f"{format_datetime(start)} to {format_datetime(end)}" if columns else "no period chosen"
    )
    # Qt's rich text takes a table's rules from the table and its widths from each
    # column's head: the item column a fixed share, the days the rest, alike.
    share = (100 - ITEM_SHARE) / max(len(columns), 1)
    head = "".join(
        f'<th width="{share:.2f}%" style="font-size: 6pt; font-weight: normal;">'
        f"{_heading(slot, zoom, first=n == 0)}</th>"
        for n, slot in enumerate(columns)
    )
    body = "".join(_row_html(row, bars.get(row.key, ()), columns) for row in rows)
    legend = " &nbsp; ".join(
        f'<span style="background-color: {PAPER_COLOURS[state]};">'
        f"&nbsp;{BAR_WORDS[state]}&nbsp;</span>"
        for state in BarState
    )
    shown_rows = f"{len(rows):,} of {total:,} items" if len(rows) < total else f"{total:,} items"
    html = (
        f"<h1>Planner: {escape(what)}</h1>"
        f"<p>{escape(period)} · {escape(shown_rows)} · by {zoom.value}. Pooled stock shows "
        f"how many are booked; other kit the borrower's code.</p><p>{legend}</p>"
        f'<table width="100%" border="1" cellspacing="0" cellpadding="2" '
        f'style="border-collapse: collapse; border-color: {RULE}; border-style: solid;">'
        f'<thead><tr><th width="{ITEM_SHARE}%" align="left" style="font-size: 7.5pt;">Item</th>'
        f"{head}</tr></thead><tbody>{body}</tbody></table>"
    )
    return PrintedDocument(
        title=f"Planner: {what}",
        footer=f"Kit Share planner · {period} · printed {format_datetime(moment)}",
        html=document_html(html),
        file_name=f"planner-{format_date(start.date()).replace('/', '-')}.pdf",
        notice=offline_notice(db),
        landscape=True,
    )


def _heading(slot: Slot, zoom: Zoom, *, first: bool) -> str:
    """A column's head in short lines, so that six weeks of days fit across: the day
    (or hour), and the month where one begins."""
    month = f"<br>{MONTHS[slot.day.month - 1]}" if first or slot.day.day == 1 else ""
    if zoom is Zoom.HOURS:
        return f"{format_datetime(slot.start)[-5:-3]}<br>{slot.day.day}{month}"
    if zoom is Zoom.WEEKS:
        return f"w/c<br>{slot.day.day}{month}"
    return f"{WEEKDAY_LETTERS[slot.day.weekday()]}<br>{slot.day.day}{month}"


def _row_html(row: PlanRow, bars: tuple[Bar, ...], columns: Sequence[Slot]) -> str:
    cells = []
    for slot in columns:
        colour, text = "", ""
        if row.is_pooled:
            booked = booked_in(bars, slot)
            state = most_urgent(bars, slot)
            if booked and state is not None:
                colour = PAPER_COLOURS[state]
                text = f"{booked}!" if booked >= row.quantity else str(booked)
        else:
            here = [bar for bar in bars if bar.overlaps(slot.start, slot.end)]
            if here:
                colour = PAPER_COLOURS[here[0].state]
                text = here[0].borrower_code
        fill = f' bgcolor="{colour}"' if colour else ""
        cells.append(f'<td{fill} align="center" style="font-size: 5.5pt;">{escape(text)}</td>')
    return f'<tr><td style="font-size: 7pt;">{escape(row.label)}</td>{"".join(cells)}</tr>'
