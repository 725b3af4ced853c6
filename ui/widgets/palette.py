"""Every colour Kit Share draws with, named for what it says, and the looks made of them.

Colours say the same thing everywhere: red is something that stops an action or is past
its time (a refusal, an overdue loan, an expired MoU, kit out of service); amber is
something to do or to watch (a field still to fill in, a recall, a review due); green is
all well; blue is information or a step on the way (a request, a draft); grey is over and
done with (cancelled, retired, superseded). Words always go with a colour, so that what
it says reads in greyscale and to a person who cannot tell red from green.

Text, background and border are set together wherever a colour fills a box, so the box
reads the same under a light or a dark palette.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

# -- on screen: what a colour means ----------------------------------------------------------

REFUSED = "#b3261e"
"""Red: something stops the action, or is past its time."""
REFUSED_TEXT = "#8c1d18"
REFUSED_BACKGROUND = "#fdecea"

WARNING = "#b26a00"
"""Amber: something still to do, or to watch (a recall, a qualification expiring)."""
WARNING_TEXT = "#6b4100"
WARNING_BACKGROUND = "#fff4e0"
DUE = "#9a5b00"
"""Dark amber, for words on a light background: kit out on loan, a review or check due."""
PARTLY = "#c77800"
"""Amber of the availability strip: some of a pool is free that day."""

OK = "#1e7b34"
"""Green: all is well (available, in force, current, returned)."""
OK_TEXT = "#1e5e2f"
OK_BACKGROUND = "#e9f5ec"
FREE = "#2e7d32"
"""Green of the availability strip: free that day."""

INFO = "#1f5fa8"
"""Blue: a step on the way (requested, approved, reserved, a draft), or a note."""
INFO_BACKGROUND = "#e8f0fe"

CLOSED = "#5f6368"
"""Grey: over and done with (declined, cancelled, retired, superseded)."""
NEUTRAL_TEXT = "#3c4043"
NEUTRAL_BACKGROUND = "#f1f3f4"
NEUTRAL_BORDER = "#dadce0"

ON_COLOUR = "#ffffff"
"""Text on a solid badge of one of the colours above."""

# -- the planner's bars, by where a booking stands -------------------------------------------

PLAN_REQUESTED = "#9bbcf0"
"""Asked for, not yet decided: a pale blue."""
PLAN_APPROVED = "#1f5fa8"
PLAN_OUT = "#2e7d32"
PLAN_OVERDUE = "#b3261e"
PLAN_RECALLED = "#7b3fa0"
PLAN_RETURNED = "#aeb4bb"
"""History: out then, back since: a quiet grey beside what holds kit now."""
PLAN_WEEKEND = "#f4f5f7"
PLAN_NOW = "#d93025"

# -- on paper and in charts --------------------------------------------------------------------

INK = "#1f2328"
"""Printed text: near black, softer than pure black on a laser printer."""
CHART_INK = "#2b2f33"
PRINT_GREY = "#333333"
"""Small print on a label or a page footer."""
PAPER_MUTED = "#5f6b77"
"""Secondary printed text: captions, units, notes."""
RULE = "#9aa5b1"
"""Printed rules and the edge of a label."""
AXIS = "#8a949e"
GRID = "#e1e5e9"
SHADE = "#f2f4f6"
"""The shading of alternate printed table rows."""
CUT_GUIDE = "#d5d9de"
"""The faint line to cut labels along."""
BLACK = "#000000"
"""A QR code: black on white, as scanners need."""
WHITE = "#ffffff"

# Okabe & Ito (2008): told apart by people with any common colour blindness. In an order
# where neighbours differ in lightness as well as hue; the yellow, faint on white, comes last.
SERIES = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermilion
    "#000000",  # black
    "#F0E442",  # yellow
)


# -- looks made of them --------------------------------------------------------------------------


class BoxStyle(NamedTuple):
    """How a boxed message looks: its text, its background and its border."""

    text: str
    background: str
    border: str


REFUSED_STYLE = BoxStyle(REFUSED_TEXT, REFUSED_BACKGROUND, REFUSED)
"""A refusal or a fault: the action cannot go ahead as it is."""
TO_DO_STYLE = BoxStyle(WARNING_TEXT, WARNING_BACKGROUND, WARNING)
"""Something still to fill in or to mind."""
READY_STYLE = BoxStyle(OK_TEXT, OK_BACKGROUND, OK)
"""Nothing stops the action."""
NOTE_STYLE = BoxStyle(NEUTRAL_TEXT, INFO_BACKGROUND, INFO)
"""Information about what is shown, not a problem."""
QUIET_STYLE = BoxStyle(NEUTRAL_TEXT, NEUTRAL_BACKGROUND, NEUTRAL_BORDER)
"""A bar that says how things are (read only, say) without asking anything."""


def boxed(style: BoxStyle, *, bold: bool = False) -> str:
    """The style sheet of a label boxed in ``style``."""
    weight = " font-weight: 600;" if bold else ""
    return (
        f"QLabel {{ color: {style.text}; background: {style.background};{weight} "
        f"border: 1px solid {style.border}; border-radius: 4px; padding: 6px 8px; }}"
    )


def solid_badge(colour: str) -> str:
    """The style sheet of a label that is a badge: white words on ``colour``."""
    return (
        f"QLabel {{ color: {ON_COLOUR}; background: {colour}; "
        "font-weight: 600; border-radius: 3px; padding: 2px 6px; }"
    )


def outlined(colour: str) -> str:
    """The style sheet of an input outlined in ``colour``: the field a message is about."""
    return f"border: 2px solid {colour}; border-radius: 3px;"


def coloured_text(colour: str, *, bold: bool = False) -> str:
    """The style sheet of a label whose text is ``colour``."""
    return f"color: {colour}; font-weight: 600;" if bold else f"color: {colour};"


def blend(ink: QColor, paper: QColor, ink_share: int = 3, paper_share: int = 1) -> QColor:
    """``ink`` mixed into ``paper`` in the shares given: a shade between the two that
    follows a light or a dark palette."""
    whole = ink_share + paper_share

    def mix(ink_part: int, paper_part: int) -> int:
        return (ink_part * ink_share + paper_part * paper_share) // whole

    return QColor(
        mix(ink.red(), paper.red()),
        mix(ink.green(), paper.green()),
        mix(ink.blue(), paper.blue()),
    )


@cache
def dot_icon(colour: str | None, size: int = 12) -> QIcon:
    """A round marker of ``colour``; None gives a blank one, so texts beside it align.

    Made once for each colour and size (after the application exists, as a pixmap needs).
    """
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    if colour is not None:
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
        painter.drawEllipse(1, 1, size - 2, size - 2)
        painter.end()
    return QIcon(pixmap)
