"""The station copy kept fresh in the background, and the banner of a station that works
without its server (``app.storage.offline``, ``app.loans.outbox``).

The copy is refreshed on a thread of its own (a county's catalogue takes seconds):
when the window opens (once someone has signed in, where the server keeps each
person's rights), every few minutes, and shortly after other stations' changes; never
while offline, when the copy is what the window reads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from app.core.errors import KitShareError
from app.storage.database import Database
from app.storage.offline import is_server_url
from app.storage.station_copy import (
    CopyInfo,
    CopyNotRefreshed,
    default_copy_path,
    refresh_copy,
)
from ui.widgets.palette import WARNING, coloured_text

# How often a connected station takes its copy again, and how soon after a change.
REFRESH_EVERY_MS = 5 * 60 * 1000
AFTER_CHANGE_MS = 15 * 1000


class StationKeeper(QObject):
    """Refreshes ``db``'s station copy in the background while the server can be reached."""

    refreshed = Signal(object)
    """A ``CopyInfo``: the copy was taken again."""
    failed = Signal(str)
    """The copy was not refreshed (the previous one is kept), and why."""

    _done = Signal(object)
    _fault = Signal(str)

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.path = default_copy_path()
        self.enabled = is_server_url(db.url)
        self.last: CopyInfo | None = None
        self.last_problem = ""
        # Held while the copy's file is replaced, and while the window goes offline.
        self.switching = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.timeout.connect(self._start)
        self._every = QTimer(self)
        self._every.setInterval(REFRESH_EVERY_MS)
        self._every.timeout.connect(self.refresh_now)
        self._done.connect(self._on_done)
        self._fault.connect(self._on_fault)

    def start(self) -> None:
        """Refresh now and every few minutes from here on."""
        if not self.enabled:
            return
        self._every.start()
        self.refresh_now()

    def refresh_now(self) -> None:
        self._soon.start(0)

    def refresh_soon(self) -> None:
        """After a change another station made: once, shortly, for several changes."""
        if self.enabled and not self._soon.isActive():
            self._soon.start(AFTER_CHANGE_MS)

    @property
    def busy(self) -> bool:
        return self._thread is not None

    def wait(self, timeout_s: float = 60.0) -> None:
        """Let a refresh under way finish (closing the window, tests)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout_s)

    def stop(self) -> None:
        self._every.stop()
        self._soon.stop()
        self.wait()

    def _may_refresh(self) -> bool:
        db = self._db
        # Offline the copy is what the window reads; on a server that keeps each
        # person's rights, the stations' own login may read nothing until someone signs in.
        signed_in = not db.secured or db.engine is not db.station
        return self.enabled and not db.offline and signed_in

    def _start(self) -> None:
        if self._thread is not None:
            self._again = True
            return
        if not self._may_refresh():
            return
        # The server's connection as it is now: going offline meanwhile points the
        # window's database at the copy, never this refresh.
        source = self._db.as_now()
        self._thread = threading.Thread(
            target=self._work, args=(source,), name="kitshare-copy", daemon=True
        )
        self._thread.start()

    @contextmanager
    def replacing(self) -> Iterator[None]:
        """Held while the copy's file is moved into place: the window does not go offline
        meanwhile, and a refresh finished after it did is thrown away."""
        with self.switching:
            if self._db.offline:
                raise CopyNotRefreshed(
                    "The station went offline while its copy was being taken; it works "
                    "from the previous copy."
                )
            yield

    def _work(self, source: Database) -> None:  # on the thread
        try:
            info = refresh_copy(source, self.path, replacing=self.replacing)
        except KitShareError as error:
            self._fault.emit(error.message)
        except RuntimeError:
            return  # the window went away under the thread
        else:
            self._done.emit(info)

    def _finished(self) -> None:
        if self._thread is not None:
            self._thread.join()
        self._thread = None
        if self._again:
            self._again = False
            self.refresh_soon()

    def _on_done(self, info: CopyInfo) -> None:
        self._finished()
        self.last = info
        self.last_problem = ""
        self.refreshed.emit(info)

    def _on_fault(self, message: str) -> None:
        self._finished()
        self.last_problem = message
        self.failed.emit(message)


class OfflineBanner(QLabel):
    """The sentence at the top of a window that works without its server, or that has
    entries the server refused; hidden otherwise."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offlineBanner")
        self.setWordWrap(True)
        self.setMargin(8)
        self.setStyleSheet(coloured_text(WARNING, bold=True))
        self.setOpenExternalLinks(False)
        self.hide()

    def say(self, sentence: str) -> None:
        self.setText(sentence)
        self.setVisible(bool(sentence))
