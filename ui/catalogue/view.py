"""The Catalogue tab: the search bar on top, the results on the left, the item on the right.

A key press in the search bar becomes a ``SearchRequest``; ``SearchRunner`` runs it off
the GUI thread, and its first page comes back to the table, which fetches the rest as it
scrolls. The row made current shows its item in the panel. Kits the words name are
listed in a strip above the items; one chosen there shows in the kit panel, in the item
panel's place (a new search chooses a kit its own words name, as the top hit). What the
window does with the item or kit (loans, labels, edits) it does through this view's
signals, ``selected_item_id`` and ``selected_kit_id``.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSignalBlocker,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from app.catalogue.detail import item_detail
from app.catalogue.search import SearchPage, SortKey, matching_item_ids
from app.core.clock import now_utc
from app.core.errors import KitShareError
from app.kits.lending import kit_availability
from app.kits.search import KitHit
from app.loans.support import availability_timeline
from app.loans.views import open_lines_of_item
from app.storage.database import Database
from ui.catalogue.item_panel import ItemPanel
from ui.catalogue.model import SORT_KEYS, Column, SearchRequest, SearchResultModel
from ui.catalogue.search_bar import SearchBar
from ui.catalogue.search_worker import SearchOutcome, SearchRunner
from ui.catalogue.table import CatalogueTable
from ui.kits.panel import KitPanel
from ui.kits.strip import KitStrip
from ui.widgets.layout import side_by_side
from ui.widgets.messages import show_error

EMPTY_CATALOGUE_TEXT = "The catalogue has no items yet"
NO_MATCH_TEXT = "No items match the search"
# The share of the width the results take; the item panel has the rest.
RESULTS_SHARE = 64
# A kit is free "now" if every member is free for this long from now.
NOW_SPAN = timedelta(minutes=1)


class CatalogueView(QWidget):
    """Search over the catalogue, with the selected item's details beside the results."""

    current_item_changed = Signal(int)
    """The item panel now shows the item with this id."""
    panel_cleared = Signal()
    """The item panel shows no item: none is listed, or it could not be read."""
    current_kit_changed = Signal(int)
    """The kit panel now shows the kit with this id, in the item panel's place."""
    item_open_requested = Signal(int)
    """The person pressed Enter on (or double-clicked) this item's row."""
    results_shown = Signal()
    """The newest search's results (or its error) are on screen."""
    context_menu_requested = Signal(QPoint)
    """A right-click on a row, whose item is now shown: the menu goes at this point."""

    def __init__(
        self, db: Database, parent: QWidget | None = None, *, initial_width: int = 1280
    ) -> None:
        super().__init__(parent)
        self._db = db
        self.search_bar = SearchBar()
        self.count_label = self.search_bar.count_label
        self.model = SearchResultModel(db)
        self.table = CatalogueTable(self.model)
        self.item_panel = ItemPanel()
        self.kit_strip = KitStrip(self.table)
        self.kit_panel = KitPanel()
        self.panels = QStackedWidget()
        self.panels.addWidget(self.item_panel)
        self.panels.addWidget(self.kit_panel)
        self._keep_kit_id: int | None = None
        self._runner = SearchRunner(db, self)
        self._sort = SortKey.RELEVANCE
        self._descending = False
        self._keep_item_id: int | None = None
        # Where the results were scrolled to, when reading them again after a change.
        self._scroll_back_to: int | None = None
        self._shown = 0  # items read into the panel so far
        self._stopped = False  # the window is closing: nothing more is read

        self._lay_out(initial_width)
        self._connect()

    def _lay_out(self, width: int) -> None:
        results = QWidget()
        column = QVBoxLayout(results)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.kit_strip.caption)
        column.addWidget(self.kit_strip)
        column.addWidget(self.table, 1)
        splitter = side_by_side(
            results,
            self.panels,
            stretch=(2, 1),
            sizes=(width * RESULTS_SHARE // 100, width * (100 - RESULTS_SHARE) // 100),
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_bar)
        layout.addWidget(splitter, 1)

    def _connect(self) -> None:
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.table.activated.connect(self._on_row_activated)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._on_sort_changed)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_table_context_menu_requested)
        self.model.fetch_failed.connect(self._on_fetch_failed)
        self.search_bar.criteria_changed.connect(self._on_criteria_changed)
        self.search_bar.tag_entered.connect(self._on_tag_entered)
        self.search_bar.search_box.move_down_requested.connect(self._on_move_down_requested)
        self._runner.finished.connect(self._on_search_finished)
        self._runner.failed.connect(self._on_search_failed)
        self.kit_strip.kit_chosen.connect(self._on_kit_chosen)
        self.kit_strip.kit_opened.connect(self._on_kit_opened)
        self.kit_strip.left_downwards.connect(self._on_kit_strip_left)

    # Searching -------------------------------------------------------------------------------

    @property
    def searching(self) -> bool:
        """Whether a search is still running on a worker."""
        return self._runner.busy

    def refresh(self) -> None:
        """Search again, keeping the same item (or kit) selected if it is still listed."""
        self.search(keep=True)

    def catch_up(self) -> None:
        """Read the results and the item shown again after another station's change,
        leaving the person where they were: the same item, the same scroll position,
        the keyboard where it was."""
        scrolled = self.table.verticalScrollBar().value()
        self.search(keep=True)
        self._scroll_back_to = scrolled

    def search(self, *, scanned: str | None = None, keep: bool = False) -> None:
        """Run the search as the bar says now, off the GUI thread.

        With ``scanned``, the item whose tag it is (if any) is selected when results come;
        with ``keep``, the item or kit shown now, if still listed; otherwise the top hit.
        """
        # A reading-again still on its way must not make a new search keep its item.
        self._keep_item_id = self.selected_item_id() if keep else None
        self._keep_kit_id = self.selected_kit_id() if keep else None
        self._scroll_back_to = None
        self.search_bar.cancel_pending()
        self.search_bar.understand()
        request = SearchRequest(
            query=self.search_bar.query,
            filters=self.search_bar.filters(),
            sort=self._sort,
            descending=self._descending,
        )
        self._runner.start(request, resolve_tag=scanned)

    def found_item_ids(self) -> list[int]:
        """Every item the search lists, in its order: not only the rows fetched so far."""
        request = self.model.request
        return matching_item_ids(
            self._db,
            request.query,
            request.filters,
            sort=request.sort,
            descending=request.descending,
        )

    def settle(self) -> None:
        """Finish what was typed: run a search still waiting for the typing to pause and
        take the newest results now (a search takes milliseconds), so a command given
        straight after typing acts on what the person was looking for."""
        if self.search_bar.pending():
            self.search()
        if self._runner.busy:
            self._runner.wait()
            # The results wait as queued calls to the runner: deliver them now.
            QCoreApplication.sendPostedEvents(self._runner)
        # And what showing them queued in turn (the top hit's panel, the kits beside it).
        QCoreApplication.sendPostedEvents()

    def stop(self) -> None:
        """Let a search still reading finish, so that the database can be closed; its
        results, still on their way, are then not shown (showing them reads again)."""
        self.search_bar.cancel_pending()
        self._runner.wait()
        self._stopped = True

    # The item shown ----------------------------------------------------------------------------

    def selected_item_id(self) -> int | None:
        """The item the panel shows, if any."""
        detail = self.item_panel.detail
        return detail.id if detail is not None else None

    def selected_kit_id(self) -> int | None:
        """The kit the kit panel shows, if it is shown."""
        kit = self.kit_panel.kit
        return kit.id if kit is not None and self.panels.currentWidget() is self.kit_panel else None

    def show_kit(self, kit_id: int) -> None:
        """Read the kit and how its members stand now, and show it in the item panel's
        place; the item rows let go of their selection, so one thing is chosen."""
        start = now_utc()
        try:
            standing = kit_availability(self._db, kit_id, start, start + NOW_SPAN)
        except KitShareError as error:
            show_error(self, error, "Kit Share cannot show this kit")
            return
        self.kit_panel.show_kit(standing, offline=self._db.offline)
        self.panels.setCurrentWidget(self.kit_panel)
        self.kit_strip.choose(kit_id)
        self.table.selectionModel().clear()
        self.item_panel.clear()
        self.current_kit_changed.emit(kit_id)

    def select_row(self, row: int) -> None:
        """Make ``row`` current and selected, and show its item."""
        if not 0 <= row < self.model.rowCount():
            self.table.clearSelection()
            empty = self.model.total == 0 and not self.model.request.query.strip()
            self.panels.setCurrentWidget(self.item_panel)
            self.kit_panel.clear()
            self.item_panel.clear(EMPTY_CATALOGUE_TEXT if empty else NO_MATCH_TEXT)
            self.panel_cleared.emit()
            return
        index = self.model.index(row, Column.TAG)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        # setCurrentIndex says nothing when the row is current already; the panel must
        # still show that row's item, and only once.
        if self.selected_item_id() != self.model.item_id(row):
            self.show_item(self.model.item_id(row))

    def show_item(self, item_id: int) -> None:
        """Read ``item_id`` and show it in the panel."""
        try:
            detail = item_detail(self._db, item_id)
            timeline = availability_timeline(self._db, item_id)
            open_loan_ids = open_lines_of_item(self._db, item_id)
        except KitShareError as error:
            self.item_panel.clear()
            self.panel_cleared.emit()
            show_error(self, error, "Kit Share cannot show this item")
            return
        self.item_panel.show_item(detail, timeline=timeline, open_loan_ids=open_loan_ids)
        self.panels.setCurrentWidget(self.item_panel)
        self.kit_strip.choose(None)
        self.kit_panel.clear()
        self._shown += 1
        self.current_item_changed.emit(item_id)

    def show_again(self) -> None:
        """Search again and read the item shown afresh: loans or inspections changed it."""
        kit_id = self.selected_kit_id()
        self.refresh()
        item_id = self.selected_item_id()
        if item_id is not None:
            self.show_item(item_id)
        elif kit_id is not None:
            self.show_kit(kit_id)

    def show_saved(self, item_id: int) -> None:
        """Search again and show ``item_id``, just added or changed."""
        self.refresh()
        self._keep_item_id = item_id
        self.show_item(item_id)

    def show_saved_kit(self, kit_id: int, name: str) -> None:
        """Search for the kit just defined or changed, by its name, and show it."""
        self.search_bar.search_box.setText(name)
        self.search()
        self._keep_kit_id = kit_id

    # Slots -------------------------------------------------------------------------------------

    def _on_search_finished(self, outcome: SearchOutcome) -> None:
        if self._stopped:
            return
        # A new search puts its top hit first and selects it (Ctrl+I then issues what was
        # found); the same search again, or a refresh after a change, keeps the item shown.
        again = outcome.request == self.model.request
        kit_id = self._kit_to_show(outcome, again)
        keep = (
            outcome.tagged_item_id
            or self._keep_item_id
            or (self.selected_item_id() if again else None)
        )
        self._keep_item_id = None
        scroll_back_to, self._scroll_back_to = self._scroll_back_to, None
        shown = self._shown  # whether selecting the row below reads the item again
        self.model.show_page(outcome.request, outcome.page)
        self.search_bar.show_count(outcome.page.total)
        self.kit_strip.show_hits(outcome.kits)
        if kit_id is not None:
            self.show_kit(kit_id)
            keep = None
        else:
            row = self.model.row_of(keep) if keep is not None else None
            self.select_row(row if row is not None else 0)
        if scroll_back_to is not None:
            self.table.verticalScrollBar().setValue(scroll_back_to)
            if keep is not None and self.selected_item_id() == keep and self._shown == shown:
                self.show_item(keep)  # the same item, read afresh: its loans may have changed
        if outcome.tagged_item_id is not None:
            # Ready for the next scan: it replaces this tag rather than adding to it.
            self.search_bar.search_box.selectAll()
        self.results_shown.emit()

    def _kit_to_show(self, outcome: SearchOutcome, again: bool) -> int | None:
        """The kit a search's results show: the one shown before a refresh, if still
        found; on a new search, the top kit if the words are its name (a scanned tag
        names an item, and an item kept after a save stays)."""
        kept = self._keep_kit_id or (self.selected_kit_id() if again else None)
        self._keep_kit_id = None
        if outcome.tagged_item_id is not None or self._keep_item_id is not None:
            return None
        listed = [hit.kit.id for hit in outcome.kits]
        if kept is not None:
            return kept if kept in listed else None
        top: KitHit | None = outcome.kits[0] if outcome.kits else None
        return top.kit.id if top is not None and top.named and not again else None

    def _on_search_failed(self, error: KitShareError) -> None:
        if self._stopped:
            return
        self._keep_item_id = None
        self._keep_kit_id = None
        self.model.show_page(self.model.request, SearchPage(total=0, offset=0))
        self.kit_strip.show_hits(())
        self.panels.setCurrentWidget(self.item_panel)
        self.item_panel.clear(error.message)
        self.panel_cleared.emit()
        self.search_bar.show_error(error.message)
        self.results_shown.emit()

    def _on_fetch_failed(self, message: str) -> None:
        self.search_bar.show_error(message)

    def _on_criteria_changed(self) -> None:
        self.search()

    def _on_tag_entered(self, text: str) -> None:
        self.search(scanned=text if text.strip() else None)

    def _on_move_down_requested(self) -> None:
        if self.kit_strip.isVisible():
            self.kit_strip.enter(0)
            return
        if self.model.rowCount() == 0:
            return
        self.table.setFocus()
        self.select_row(0)

    def _on_kit_chosen(self, kit_id: int) -> None:
        if self.selected_kit_id() != kit_id:
            self.show_kit(kit_id)

    def _on_kit_opened(self, kit_id: int) -> None:
        self._on_kit_chosen(kit_id)
        self.kit_panel.setFocus()

    def _on_kit_strip_left(self) -> None:
        if self.model.rowCount():
            self.table.setFocus()
            self.select_row(0)

    def _on_sort_changed(self, section: int, order: Qt.SortOrder) -> None:
        key = SORT_KEYS.get(Column(section)) if 0 <= section < len(Column) else None
        if key is None:
            # Free depends on the period asked about and has no SQL order; forget the click.
            header = self.table.horizontalHeader()
            with QSignalBlocker(header):
                header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            key = SortKey.RELEVANCE
        self._sort = key
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()

    def _on_current_row_changed(
        self,
        current: QModelIndex | QPersistentModelIndex,
        _previous: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if not current.isValid():
            return
        item_id = self.model.item_id(current.row())
        if self._runner.busy and (self._keep_item_id or self._keep_kit_id) is not None:
            # The results are being read again to keep what was shown: keep the item the
            # person has just chosen instead, not what was shown when the reading began.
            self._keep_item_id = item_id
            self._keep_kit_id = None
        self.show_item(item_id)

    def _on_row_activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        item_id = self.model.item_id(index.row())
        self.select_row(index.row())
        self.item_panel.setFocus()
        self.item_open_requested.emit(item_id)

    def _on_table_context_menu_requested(self, position: QPoint) -> None:
        index = self.table.indexAt(position)
        if not index.isValid():
            return
        self.select_row(index.row())
        self.context_menu_requested.emit(self.table.viewport().mapToGlobal(position))
