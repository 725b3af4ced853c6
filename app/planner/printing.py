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
RULE = "#9aa5b1"
# At most this many columns fit across A4 on its side and stay readable.
MOST_COLUMNS = 42


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
    cell = f"border: 0.5pt solid {RULE}; font-size: 6.5pt;"
    head = "".join(f'<th style="{cell}">{escape(_heading(slot, zoom))}</th>' for slot in columns)
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
        f'<table width="100%" cellspacing="0" cellpadding="1" '
        f'style="border-collapse: collapse;"><thead><tr>'
        f'<th width="22%" style="border: 0.5pt solid {RULE}; text-align: left;">Item</th>'
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


def _heading(slot: Slot, zoom: Zoom) -> str:
    if zoom is Zoom.HOURS:
        return f"{format_datetime(slot.start)[-5:-3]}"
    return f"{slot.day.day:02d}/{slot.day.month:02d}"


def _row_html(row: PlanRow, bars: tuple[Bar, ...], columns: Sequence[Slot]) -> str:
    name = row.label
    cells = []
    for slot in columns:
        style = f"border: 0.5pt solid {RULE}; font-size: 6.5pt; text-align: center;"
        text = ""
        if row.is_pooled:
            booked = booked_in(bars, slot)
            state = most_urgent(bars, slot)
            if booked and state is not None:
                style += f" background-color: {PAPER_COLOURS[state]};"
                text = f"{booked}!" if booked >= row.quantity else str(booked)
        else:
            here = [bar for bar in bars if bar.overlaps(slot.start, slot.end)]
            if here:
                style += f" background-color: {PAPER_COLOURS[here[0].state]};"
                text = here[0].borrower_code
        cells.append(f'<td style="{style}">{escape(text)}</td>')
    return (
        f'<tr><td style="border: 0.5pt solid {RULE}; font-size: 7.5pt;">{escape(name)}</td>'
        f"{''.join(cells)}</tr>"
    )
