"""Keeping a window live: a listener thread hears other stations' changes
(``app.storage.live``) and the window reads again what they touched.

The thread only waits on the feed and hands what it heard to the GUI thread by queued
signal; changes that come close together are read once, shortly after the first. When
the connection is lost the thread says so in words, tries again after 1, 2, 4 … 30
seconds, and once connected again asks for everything to be read afresh, since it cannot
know what it missed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from app.core.clock import format_time, now_utc
from app.core.errors import KitShareError
from app.storage.database import Database
from app.storage.live import EVERYTHING, ChangeFeed, Changes, open_feed

# How long the listener waits on the feed before looking whether it should stop.
WAIT_S = 0.5
# The changes heard within this long are read as one.
GATHER_MS = 100
RETRY_FIRST_S = 1.0
RETRY_MOST_S = 30.0


class LiveUpdates(QObject):
    """Hears other stations' changes to ``db`` while started."""

    changed = Signal(object)
    """A ``Changes``: what others committed (``everything`` after a reconnection)."""
    state_changed = Signal(str)
    """"" while live; otherwise a sentence saying the window is not, and why."""
    unreachable = Signal(str)
    """The server could not be reached afresh (not just a connection lost): its words."""

    _heard = Signal(object)
    _lost = Signal(str)
    _found = Signal(bool)

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pending: Changes | None = None
        self._gather = QTimer(self)
        self._gather.setSingleShot(True)
        self._gather.setInterval(GATHER_MS)
        self._gather.timeout.connect(self._hand_over)
        self._heard.connect(self._on_heard)
        self._lost.connect(self._on_lost)
        self._found.connect(self._on_found)
        self.state = ""

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._listen, name="kitshare-live", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening; returns once the thread has let go of its connection."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=RETRY_MOST_S)
            self._thread = None
        self._gather.stop()
        self._pending = None

    # On the listener's thread: no widget, no Qt object but the signals ------------------------

    def _listen(self) -> None:
        try:
            self._keep_listening()
        except RuntimeError:
            return  # the window went away under the thread: nobody is left to tell

    def _keep_listening(self) -> None:
        delay = RETRY_FIRST_S
        first = True
        since: datetime | None = None  # when the connection was lost
        while not self._stop.is_set():
            try:
                feed = open_feed(self._db)
            except KitShareError as error:
                since = since or now_utc()
                self.unreachable.emit(error.message)
                self._lost.emit(self._offline_text(error, since, delay))
                self._stop.wait(delay)
                delay = min(delay * 2, RETRY_MOST_S)
                continue
            try:
                self._found.emit(not first)
                first, since, delay = False, None, RETRY_FIRST_S
                self._follow(feed)
            except KitShareError as error:
                since = now_utc()
                self._lost.emit(self._offline_text(error, since, delay))
                self._stop.wait(delay)
            finally:
                feed.close()

    def _follow(self, feed: ChangeFeed) -> None:  # on the listener's thread
        while not self._stop.is_set():
            changes = feed.wait(WAIT_S)
            if changes is not None:
                self._heard.emit(changes)

    def _offline_text(self, error: KitShareError, since: datetime, delay: float) -> str:
        """One line for the status bar; the database's own words in ``detail``."""
        self.detail = error.message
        return (
            f"Not live since {format_time(since)}: Kit Share cannot reach the database and "
            f"tries again every {delay:.0f} s. Other stations' changes show once it is back."
        )

    # On the GUI thread ------------------------------------------------------------------------

    def _on_found(self, again: bool) -> None:
        self.state = ""
        self.state_changed.emit("")
        if again:
            self._on_heard(EVERYTHING)  # what happened while away is not known: read it all

    def _on_lost(self, sentence: str) -> None:
        self.state = sentence
        self.state_changed.emit(sentence)

    def _on_heard(self, changes: Changes) -> None:
        if self._thread is None:
            return  # stopped: what was still on its way is no one's business now
        self._pending = changes if self._pending is None else self._pending.merged(changes)
        if not self._gather.isActive():
            self._gather.start()

    def _hand_over(self) -> None:
        changes, self._pending = self._pending, None
        if changes is not None and self._thread is not None:
            self.changed.emit(changes)


# What each part of the window shows, by the tables it reads: a change to any of them
# means reading that part again.
CATALOGUE_TABLES = (
    "equipment_items",
    "loans",
    "loan_lines",
    "defects",
    "inspections",
    "inspection_regimes",
    "sharing_protocols",
    "mous",
    "mou_parties",
    "agencies",
    "sites",
    "categories",
    # Kits are listed above the items, and a kit's panel reads its members' standing.
    "kits",
    "kit_members",
)
LOANS_TABLES = ("loans", "loan_lines", "equipment_items", "agencies", "sites", "people")
INSPECTIONS_TABLES = ("inspections", "defects", "inspection_regimes", "equipment_items")
AGREEMENTS_TABLES = (
    "mous",
    "mou_parties",
    "mou_signatories",
    "mou_clauses",
    "sharing_protocols",
    "agencies",
)
PEOPLE_TABLES = ("people", "person_qualifications", "qualification_types", "app_users")


@contextmanager
def scroll_kept(widget: QWidget) -> Iterator[None]:
    """Leave every list and table in ``widget`` scrolled where it was."""
    areas = widget.findChildren(QAbstractScrollArea)
    saved = [(a, a.verticalScrollBar().value(), a.horizontalScrollBar().value()) for a in areas]
    yield
    for area, vertical, horizontal in saved:
        area.verticalScrollBar().setValue(vertical)
        area.horizontalScrollBar().setValue(horizontal)
