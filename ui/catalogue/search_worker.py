"""Catalogue searches run off the GUI thread, their results delivered by queued signal.

A search finds items and the kits the same words name (``app.kits.search``), in one go.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.catalogue.search import SearchPage, find_by_tag
from app.core.errors import KitShareError
from app.kits.search import KitHit, search_kits
from app.storage.database import Database
from ui.catalogue.model import SearchRequest


@dataclass(frozen=True)
class SearchOutcome:
    """What one search found: its first page, the item a scanned tag names, if any, and
    the kits its words name."""

    generation: int
    request: SearchRequest
    page: SearchPage
    tagged_item_id: int | None = None
    kits: tuple[KitHit, ...] = ()


class SearchRunner(QObject):
    """Runs one search at a time per call on a thread pool; only the newest one counts.

    Each search gets a generation number; results of a search that a newer one has
    replaced are dropped, so a slow old query can never overwrite what the person typed
    last. The worker only reads through ``Database`` (each ``read()`` checks a pooled
    connection out and back, so no connection is used by two threads at once) and never
    touches a widget: results arrive on the GUI thread by queued signal.
    """

    finished = Signal(object)
    """A ``SearchOutcome`` for the newest search."""
    failed = Signal(object)
    """The ``KitShareError`` that stopped the newest search."""

    _worker_finished = Signal(object)
    _worker_failed = Signal(int, object)

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._generation = 0
        self._running = 0
        # Emitted on a worker thread; this object lives on the GUI thread, so Qt queues
        # the call to these slots there.
        self._worker_finished.connect(self._on_worker_finished)
        self._worker_failed.connect(self._on_worker_failed)

    @property
    def busy(self) -> bool:
        """Whether any search is still running (the newest one or a stale one)."""
        return self._running > 0

    def start(self, request: SearchRequest, *, resolve_tag: str | None = None) -> int:
        """Start ``request`` on a worker, replacing any search still running; its number."""
        self._generation += 1
        self._running += 1
        generation = self._generation
        db = self._db
        done = self._worker_finished
        failed = self._worker_failed

        def run() -> None:
            try:
                tagged = find_by_tag(db, resolve_tag) if resolve_tag else None
                page = request.page(db)
                kits = tuple(search_kits(db, request.query))
            except Exception as error:  # handed to the GUI thread, which judges it
                failed.emit(generation, error)
                return
            done.emit(SearchOutcome(generation, request, page, tagged, kits))

        self._pool.start(_Job(run))
        return generation

    def wait(self) -> None:
        """Block until every worker has finished, e.g. before the database is closed."""
        self._pool.waitForDone()

    def _on_worker_finished(self, outcome: SearchOutcome) -> None:
        self._running -= 1
        if outcome.generation == self._generation:
            self.finished.emit(outcome)

    def _on_worker_failed(self, generation: int, error: Exception) -> None:
        self._running -= 1
        if not isinstance(error, KitShareError):
            raise error  # a bug, not the environment: let it crash loudly
        if generation == self._generation:
            self.failed.emit(error)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], None]) -> None:
        super().__init__()
        self._work = work

    def run(self) -> None:
        self._work()
