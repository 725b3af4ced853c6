"""The shell: the main window that holds every tab, its menus, sign-in and lock.

The tabs (catalogue, loans, inspections, agreements, people, reports, audit) are views of
their own feature packages; the catalogue's search, results and item panel live in
``ui.catalogue.view``. The window signs people in and out (``ui.shell.sign_in``), hides
the work when it locks after idle minutes (``ui.shell.idle``), keeps the menus' commands
in step with the item shown, and carries news between the tabs: a loan made from the item
panel refreshes the Loans view, a restored backup asks who is signing in, and so on.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, SignalInstance
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.items import retire_item
from app.core.actor import Actor
from app.core.errors import DomainError, KitShareError
from app.core.permissions import Action, may
from app.core.vocabulary import label
from app.documents.content import (
    LabelSheet,
    PrintedDocument,
    asset_labels,
    mou_document,
    sharing_terms,
)
from app.loans.drafts import LoanWish
from app.loans.outbox import outbox_rows_or_none
from app.loans.views import LoanSection
from app.people.accounts import has_users
from app.planner.model import request_refusal
from app.storage.config import masked_url
from app.storage.database import Database
from app.storage.live import Changes
from app.storage.station_outbox import default_outbox
from ui.agreements.view import AgreementsView
from ui.audit.view import AuditView
from ui.catalogue.item_dialog import ItemDialog
from ui.catalogue.item_panel import ItemPanel
from ui.catalogue.model import SearchResultModel
from ui.catalogue.search_bar import SearchBar
from ui.catalogue.table import CatalogueTable
from ui.catalogue.view import CatalogueView
from ui.inspections.view import InspectionsView
from ui.kits.actions import KitActions
from ui.loans.actions import LoanActions
from ui.loans.view import LoansView
from ui.people.view import PeopleView
from ui.planner.grid import Choice
from ui.planner.view import PlannerView
from ui.printing.actions import DocumentOutput
from ui.reports.view import ReportsView
from ui.shell.data_actions import DataActions
from ui.shell.idle import IdleWatcher
from ui.shell.live import (
    AGREEMENTS_TABLES,
    CATALOGUE_TABLES,
    INSPECTIONS_TABLES,
    LOANS_TABLES,
    PEOPLE_TABLES,
    LiveUpdates,
    scroll_kept,
)
from ui.shell.offline import StationWindow
from ui.shell.sign_in import FirstAdministratorPage, SignInPage
from ui.shell.station import OfflineBanner, StationKeeper
from ui.widgets.form import FormDialog
from ui.widgets.messages import show_error
from ui.widgets.palette import WARNING, coloured_text

WINDOW_TITLE = "Kit Share"
INITIAL_SIZE = (1280, 800)

CATALOGUE_TAB = "Catalogue"
LOANS_TAB = "Loans"
PLANNER_TAB = "Planner"
INSPECTIONS_TAB = "Inspections"
AGREEMENTS_TAB = "Agreements"
PEOPLE_TAB = "People"
REPORTS_TAB = "Reports"
AUDIT_TAB = "Audit"
NOBODY = Actor("No one signed in")
EMPTY_CATALOGUE_TEXT = "The catalogue has no items yet"
NO_MATCH_TEXT = "No items match the search"

ABOUT_TEXT = (
    "<h3>Kit Share</h3>"
    "<p>Kit Share lets police, fire and rescue, and ambulance services share specialist "
    "equipment under their memoranda of understanding: drones, river rescue kit, "
    "lighting, barriers, tents and more.</p>"
    "<p>Find an item, see whether it is free and on what terms it may be lent, "
    "and keep a record of every loan.</p>"
)


def loans_tab_title(counts: dict[LoanSection, int]) -> str:
    """ "Loans (3 overdue, 2 to approve)": what needs doing, on the tab itself."""
    parts = []
    if counts.get(LoanSection.OVERDUE):
        parts.append(f"{counts[LoanSection.OVERDUE]} overdue")
    if counts.get(LoanSection.AWAITING):
        parts.append(f"{counts[LoanSection.AWAITING]} to approve")
    return f"{LOANS_TAB} ({', '.join(parts)})" if parts else LOANS_TAB


class MainWindow(StationWindow):
    """Kit Share's window over one database: a tab for each feature, with the menus,
    sign-in and lock around them."""

    def __init__(
        self,
        db: Database,
        actor: Actor | None = None,
        parent: QWidget | None = None,
        *,
        lock_after_minutes: int = 0,
    ) -> None:
        """The window over ``db``; it asks who is signing in unless ``actor`` is given.

        After ``lock_after_minutes`` without input (0: never) it locks itself.
        """
        super().__init__(parent)
        self._db = db
        self.actor: Actor | None = None
        self._locked_actor: Actor | None = None
        self._actions_before_lock: dict[QAction, bool] | None = None
        self.setWindowTitle(f"{WINDOW_TITLE} — {db.location}")
        self.resize(*INITIAL_SIZE)

        self.catalogue = CatalogueView(db, initial_width=INITIAL_SIZE[0])
        self.loans_view = LoansView(db)
        self.loan_actions = LoanActions(db, self)
        self.data_actions = DataActions(db, self)
        self.output = DocumentOutput(self)
        self.kit_actions = KitActions(db, self, self.catalogue, self.output)
        self._make_tabs()

        # The workspace, or who is signing in: a locked window shows none of the work.
        self.sign_in_page = SignInPage(db)
        self.first_admin_page = FirstAdministratorPage(db)
        self._make_central()
        self.station = StationKeeper(db, self)
        self.outbox = default_outbox()
        self.idle = IdleWatcher(lock_after_minutes, self)

        self.user_label = QLabel()
        self.user_label.setObjectName("signedInUser")
        self.database_label = QLabel(f"Database: {db.location}")
        self.database_label.setToolTip(masked_url(db.url))
        self.statusBar().addWidget(self.database_label, 1)
        # Other stations' changes show by themselves; this says when they cannot.
        self.live = LiveUpdates(db, self)
        self.live_label = QLabel()
        self.live_label.setObjectName("liveState")
        self.live_label.setWordWrap(True)
        self.live_label.hide()
        self.statusBar().addPermanentWidget(self.live_label, 2)
        self.statusBar().addPermanentWidget(self.user_label)

        self._make_menus()
        self._connect()
        self.live.start()
        if db.offline:
            self._show_offline(self._apply_waiting())
        if actor is not None:
            self.set_actor(actor)
        else:
            self.ask_who()

    def _make_central(self) -> None:
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tabs)
        self.stack.addWidget(self.sign_in_page)
        self.stack.addWidget(self.first_admin_page)
        # Working without the server (or with entries it refused) says so above it all.
        self.banner = OfflineBanner()
        self.banner.linkActivated.connect(self._on_banner_link)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _make_tabs(self) -> None:
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.catalogue, CATALOGUE_TAB)
        self.tabs.addTab(self.loans_view, LOANS_TAB)
        self.planner = PlannerView(self._db)
        self.tabs.addTab(self.planner, PLANNER_TAB)
        self.inspections_view = InspectionsView(self._db, NOBODY)
        self.tabs.addTab(self.inspections_view, INSPECTIONS_TAB)
        self.agreements_view = AgreementsView(self._db)
        self.tabs.addTab(self.agreements_view, AGREEMENTS_TAB)
        self.people_view = PeopleView(self._db, NOBODY)
        self.tabs.addTab(self.people_view, PEOPLE_TAB)
        self.reports_view = ReportsView(self._db, None)
        self.tabs.addTab(self.reports_view, REPORTS_TAB)
        self.audit_view = AuditView(self._db, None)
        self.tabs.addTab(self.audit_view, AUDIT_TAB)

    def _connect(self) -> None:
        self.catalogue.current_item_changed.connect(self._on_catalogue_item_changed)
        self.catalogue.panel_cleared.connect(self._on_catalogue_item_changed)
        self.catalogue.context_menu_requested.connect(self._on_catalogue_context_menu_requested)
        self.item_panel.request_loan_requested.connect(self._request_item)
        self.item_panel.issue_now_requested.connect(self._issue_item_now)
        self.item_panel.return_requested.connect(self.loan_actions.return_for_item)
        self.catalogue.current_kit_changed.connect(self._on_catalogue_item_changed)
        kit_panel = self.catalogue.kit_panel
        kit_panel.request_requested.connect(self._request_kit)
        kit_panel.issue_now_requested.connect(self._issue_kit_now)
        self.kit_actions.loans_changed.connect(self._on_loans_changed)
        self.kit_actions.kits_changed.connect(self._on_data_message)
        self.loans_view.loan_open_requested.connect(self.loan_actions.open_loan)
        self.planner.loan_open_requested.connect(self.loan_actions.open_loan)
        self.planner.request_requested.connect(self._request_from_planner)
        self.planner.print_requested.connect(self._print_planner)
        self.planner.export_requested.connect(self._export_planner)
        self.loans_view.counts_changed.connect(self._on_loan_counts_changed)
        self.loan_actions.loans_changed.connect(self._on_loans_changed)
        self.inspections_view.changed.connect(self._on_inspections_changed)
        self.data_actions.data_changed.connect(self._on_data_changed)
        self.data_actions.message.connect(self._on_data_message)
        self.data_actions.restored.connect(self._on_restored)
        self.reports_view.exported.connect(self._on_data_message)
        self.output.saved.connect(self._on_loans_changed)
        # A protocol changed: what may be lent, and on what terms, may have changed too.
        self.agreements_view.register_changed.connect(self.catalogue.refresh)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.sign_in_page.signed_in.connect(self._on_signed_in)
        self.sign_in_page.retry_requested.connect(self._on_sign_in_retry_requested)
        self.first_admin_page.signed_in.connect(self._on_signed_in)
        self.idle.idle.connect(self.lock)
        self.live.changed.connect(self._on_live_changes)
        self.live.state_changed.connect(self._on_live_state)
        self.live.unreachable.connect(self._on_server_unreachable)
        self.station.failed.connect(self._on_copy_failed)

    # Who is signed in ------------------------------------------------------------------------

    @property
    def signed_in(self) -> bool:
        return self.actor is not None and self.stack.currentWidget() is self.tabs

    def ask_who(self) -> None:
        """Show the sign-in page (or, on an empty database, the first administrator's).

        The work is hidden before the database is asked anything: if it cannot answer
        (a server down, a file gone), the sign-in page says so, with a way to try again.
        """
        self._hide_work()
        self.sign_in_page.start()
        try:
            first = not has_users(self._db)
            if first:
                self.first_admin_page.start()
        except KitShareError as error:
            self.sign_in_page.show_fault(error.message)
            return
        if first:
            self.stack.setCurrentWidget(self.first_admin_page)

    def set_actor(self, actor: Actor) -> None:
        """Let ``actor`` work: every view and change from now on is theirs."""
        same = self.actor is not None and self.actor.user_id == actor.user_id
        self.actor = actor
        self._locked_actor = None
        self.loan_actions.actor = actor
        self.kit_actions.actor = actor
        self.agreements_view.set_actor(actor)
        self.inspections_view.set_actor(actor)
        self.people_view.set_actor(actor)
        self.reports_view.set_actor(actor)
        self.audit_view.set_actor(actor)
        # The trail is for managers and administrators; a duty officer does not see the tab.
        self.tabs.setTabVisible(self.tabs.indexOf(self.audit_view), may(actor, Action.VIEW_AUDIT))
        role = label(actor.role) if actor.role else "not signed in"
        self.user_label.setText(f"Signed in as {actor.name} · {role}")
        self.stack.setCurrentWidget(self.tabs)
        if self._actions_before_lock is not None:
            for action, enabled in self._actions_before_lock.items():
                action.setEnabled(enabled)
            self._actions_before_lock = None
        self._enable_catalogue_edits()
        self.data_actions.set_actor(actor)
        if not same:
            self.tabs.setCurrentIndex(0)
        self.loans_view.refresh()
        self.catalogue.refresh()
        self.table.setFocus()
        self.idle.start()
        if not self._db.offline:
            self.station.start()
            if outbox_rows_or_none(self.outbox):
                # Logged offline, and the server back before anyone who may send it was.
                self.statusBar().showMessage(self.send_outbox(), 20_000)
            self._say_refused_elsewhere()

    def lock(self) -> None:
        """Hide the work until someone signs in: the same person carries on where they were."""
        if self.actor is None:
            return
        self._locked_actor = self.actor
        self._hide_work()
        self.sign_in_page.start(
            locked_by=self._locked_actor.name, username=self._locked_actor.username or ""
        )
        self.stack.setCurrentWidget(self.sign_in_page)

    def switch_user(self) -> None:
        """Sign the present user out and ask who is next."""
        self.actor = None
        self._locked_actor = None
        self.loan_actions.actor = NOBODY
        self.kit_actions.actor = NOBODY
        self.inspections_view.set_actor(NOBODY)
        self.people_view.set_actor(NOBODY)
        self.reports_view.set_actor(None)
        self.data_actions.set_actor(None)
        # Nothing a manager read stays behind for the next person.
        self.audit_view.set_actor(None)
        self.ask_who()

    def _hide_work(self) -> None:
        # First of all, so that nothing below (nor anything it fails on) leaves the
        # work on screen with no one signed in.
        self.stack.setCurrentWidget(self.sign_in_page)
        self.idle.stop()
        # A dialog left open would show the work over the sign-in page, and act in the
        # name of whoever opened it: close it. Nothing unsaved in it was saved.
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.reject()
        # Every menu command but Quit waits for someone to sign in (their shortcuts too).
        actions = self.menu_actions()
        if self._actions_before_lock is None:
            self._actions_before_lock = {action: action.isEnabled() for action in actions}
        for action in actions:
            action.setEnabled(action is self.quit_action)
        self.user_label.setText("No one signed in")

    def menu_actions(self) -> list[QAction]:
        """Every command in the menu bar's menus."""
        found: list[QAction] = []
        menus = [a.menu() for a in self.menuBar().actions()]
        while menus:
            menu = menus.pop()
            if not isinstance(menu, QMenu):
                continue
            for action in menu.actions():
                if action.menu() is not None:
                    menus.append(action.menu())
                elif not action.isSeparator():
                    found.append(action)
        return found

    def _on_signed_in(self, actor: Actor) -> None:
        self.set_actor(actor)

    def _on_sign_in_retry_requested(self) -> None:
        self.ask_who()

    def _enable_catalogue_edits(self) -> None:
        """For comfort only: ``app.catalogue.items`` refuses what the role does not allow anyway."""
        actor = self.actor
        detail = self.item_panel.detail
        if self._db.offline:
            return  # every change but an emergency issue or a return waits for the server
        self.kit_actions.enable(offline=False)
        can_add = actor is not None and may(actor, Action.EDIT_CATALOGUE)
        self.new_item_action.setEnabled(can_add)
        can_edit = (
            actor is not None
            and detail is not None
            and may(actor, Action.EDIT_CATALOGUE, agency_id=detail.owner_agency_id)
        )
        for action in (self.edit_item_action, self.retire_item_action):
            action.setEnabled(can_edit)
            action.setToolTip(
                "" if can_edit else "Only the owner's equipment managers and administrators."
            )
        can_inspect = (
            actor is not None
            and detail is not None
            and may(actor, Action.RECORD_INSPECTION, agency_id=detail.owner_agency_id)
        )
        self.record_inspection_action.setEnabled(can_inspect)
        self.record_inspection_action.setToolTip(
            "" if can_inspect else "Only the owner's equipment managers and administrators."
        )
        self.report_defect_action.setEnabled(
            actor is not None and detail is not None and may(actor, Action.REPORT_DEFECT)
        )

    # The catalogue tab's parts, by the names the tests and the bench know them by.

    @property
    def search_bar(self) -> SearchBar:
        return self.catalogue.search_bar

    @property
    def count_label(self) -> QLabel:
        return self.catalogue.count_label

    @property
    def model(self) -> SearchResultModel:
        return self.catalogue.model

    @property
    def table(self) -> CatalogueTable:
        return self.catalogue.table

    @property
    def item_panel(self) -> ItemPanel:
        return self.catalogue.item_panel

    @property
    def searching(self) -> bool:
        """Whether a catalogue search is still running on a worker."""
        return self.catalogue.searching

    @property
    def results_shown(self) -> SignalInstance:
        """The catalogue's newest results (or its error) are on screen."""
        return self.catalogue.results_shown

    def closeEvent(self, event: QCloseEvent) -> None:
        # A search still reading, the listener and a copy being taken let go before the
        # database closes.
        self.catalogue.stop()
        self.live.stop()
        self.station.stop()
        super().closeEvent(event)

    # Other stations' changes --------------------------------------------------------------------

    def _on_live_changes(self, changes: Changes) -> None:
        """Read again what another station changed, leaving the person where they were;
        a locked window reads everything when someone signs in."""
        if not self._db.offline:
            self.station.refresh_soon()
        if not self.signed_in:
            return
        if changes.touches(*CATALOGUE_TABLES):
            self.catalogue.catch_up()
        views = (
            (self.loans_view, LOANS_TABLES),
            (self.inspections_view, INSPECTIONS_TABLES),
            (self.agreements_view, AGREEMENTS_TABLES),
            (self.people_view, PEOPLE_TABLES),
        )
        for view, tables in views:
            if changes.touches(*tables):
                with scroll_kept(view):
                    view.refresh()
        if changes.touches(*LOANS_TABLES) and self.tabs.currentWidget() is self.planner:
            self.planner.refresh()
        if changes.touches("audit_events") and self.tabs.currentWidget() is self.audit_view:
            with scroll_kept(self.audit_view):
                self.audit_view.refresh()
        # A form open on kit someone else just took says so now, not on OK.
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, FormDialog) and widget.isVisible():
                widget.input_changed()

    def _on_live_state(self, sentence: str) -> None:
        if not sentence and self._db.offline:
            self.go_online()
        if self._db.offline:
            sentence = ""  # the banner says it, and what the station does meanwhile
        self.live_label.setText(sentence)
        self.live_label.setToolTip(self.live.detail if sentence else "")
        self.live_label.setVisible(bool(sentence))
        self.live_label.setStyleSheet(coloured_text(WARNING) if sentence else "")

    def _make_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.switch_user_action = QAction("&Switch user…", self)
        self.switch_user_action.setShortcut(QKeySequence("Ctrl+Shift+U"))
        self.switch_user_action.setStatusTip("Sign out, so that someone else can sign in")
        self.switch_user_action.triggered.connect(self.switch_user)
        file_menu.addAction(self.switch_user_action)
        self.lock_action = QAction("&Lock", self)
        # Ctrl+L shows the loans; locking is one more key away.
        self.lock_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.lock_action.setStatusTip("Hide the window until you sign in again")
        self.lock_action.triggered.connect(self.lock)
        file_menu.addAction(self.lock_action)
        file_menu.addSeparator()
        self.data_actions.add_to(file_menu)
        file_menu.addSeparator()
        self.quit_action = QAction("&Quit", self)
        # StandardKey.Quit is empty on Windows, where station PCs mostly are.
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self._on_quit_triggered)
        file_menu.addAction(self.quit_action)

        view_menu = self.menuBar().addMenu("&View")
        find = QAction("&Find…", self)
        # "/" as in browsers and mail; typed into a text box it stays a character.
        find.setShortcuts([QKeySequence("Ctrl+F"), QKeySequence("/")])
        find.setStatusTip("Search the catalogue")
        find.triggered.connect(self._on_find_triggered)
        view_menu.addAction(find)
        refresh = QAction("&Refresh", self)
        # F5 on every platform: StandardKey.Refresh differs between them.
        refresh.setShortcut(QKeySequence("F5"))
        refresh.setStatusTip("Read the catalogue again from the database")
        refresh.triggered.connect(self._on_refresh_triggered)
        view_menu.addAction(refresh)

        self._make_catalogue_menu()
        self._make_loans_menu()
        self._make_print_menu()

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About Kit Share", self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self._on_about_triggered)
        help_menu.addAction(about)

    def _make_catalogue_menu(self) -> None:
        catalogue_menu = self.menuBar().addMenu("&Catalogue")
        self.new_item_action = QAction("&New item…", self)
        self.new_item_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_item_action.setStatusTip("Add an item or a pool of stock to the catalogue")
        self.new_item_action.triggered.connect(self._on_new_item_triggered)
        catalogue_menu.addAction(self.new_item_action)
        self.edit_item_action = QAction("&Edit item…", self)
        self.edit_item_action.setShortcut(QKeySequence("Ctrl+E"))
        self.edit_item_action.triggered.connect(self._on_edit_item_triggered)
        catalogue_menu.addAction(self.edit_item_action)
        self.retire_item_action = QAction("&Retire item…", self)
        self.retire_item_action.setStatusTip("Take the selected item out of use for good")
        self.retire_item_action.triggered.connect(self._on_retire_item_triggered)
        catalogue_menu.addAction(self.retire_item_action)
        catalogue_menu.addSeparator()
        self.record_inspection_action = QAction("Record &inspection…", self)
        # Ctrl+I issues kit; an inspection is one more key away.
        self.record_inspection_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.record_inspection_action.setStatusTip("Record an inspection of the selected item")
        self.record_inspection_action.triggered.connect(self._on_record_inspection_triggered)
        catalogue_menu.addAction(self.record_inspection_action)
        self.report_defect_action = QAction("Report &defect…", self)
        self.report_defect_action.setShortcut(QKeySequence("Ctrl+Shift+D"))
        self.report_defect_action.setStatusTip("Report a defect found on the selected item")
        self.report_defect_action.triggered.connect(self._on_report_defect_triggered)
        catalogue_menu.addAction(self.report_defect_action)
        catalogue_menu.addSeparator()
        self.kit_actions.add_to(catalogue_menu)

    def _make_loans_menu(self) -> None:
        loans_menu = self.menuBar().addMenu("&Loans")
        show_loans = QAction("Show &loans", self)
        show_loans.setShortcut(QKeySequence("Ctrl+L"))
        show_loans.setStatusTip("Requests, kit out, due today, overdue and recalled loans")
        show_loans.triggered.connect(self._on_show_loans_triggered)
        loans_menu.addAction(show_loans)
        show_planner = QAction("Show &planner", self)
        show_planner.setShortcut(QKeySequence("Ctrl+Shift+P"))
        show_planner.setStatusTip("Every booking of the kit the search finds, over time")
        show_planner.triggered.connect(self._on_show_planner_triggered)
        loans_menu.addAction(show_planner)
        loans_menu.addSeparator()
        self.request_action = QAction("&Request…", self)
        self.request_action.setShortcut(QKeySequence("Ctrl+R"))
        self.request_action.setStatusTip("Ask to borrow the selected item")
        self.request_action.triggered.connect(self._on_request_triggered)
        self.issue_now_action = QAction("&Issue now…", self)
        self.issue_now_action.setShortcut(QKeySequence("Ctrl+I"))
        self.issue_now_action.setStatusTip("Hand the selected item out now, as an emergency")
        self.issue_now_action.triggered.connect(self._on_issue_now_triggered)
        self.return_action = QAction("Re&turn…", self)
        self.return_action.setShortcut(QKeySequence("Ctrl+T"))
        self.return_action.setStatusTip("Take the selected item back from its loan")
        self.return_action.triggered.connect(self._on_return_triggered)
        for action in (self.request_action, self.issue_now_action, self.return_action):
            action.setEnabled(False)
            loans_menu.addAction(action)
        loans_menu.addSeparator()
        self.outbox_action = QAction("Station &outbox…", self)
        self.outbox_action.setShortcut(QKeySequence("Ctrl+Shift+B"))
        self.outbox_action.setStatusTip(
            "Loans logged while the server could not be reached, and what became of them"
        )
        self.outbox_action.triggered.connect(self.show_outbox)
        loans_menu.addAction(self.outbox_action)

    def _make_print_menu(self) -> None:
        print_menu = self.menuBar().addMenu("&Print")
        self.terms_actions = self.output.actions_for(
            self._current_terms,
            "the sharing terms",
            self,
            print_shortcut=QKeySequence(QKeySequence.StandardKey.Print),
        )
        terms_print, terms_preview, terms_export = self.terms_actions
        terms_print.setText("&Print sharing terms…")
        terms_preview.setText("Sharing terms: print pre&view…")
        terms_export.setText("Sharing terms: &export PDF…")
        for action in self.terms_actions:
            action.setEnabled(False)
            print_menu.addAction(action)
        print_menu.addSeparator()
        self.mou_actions = self.output.actions_for(self._current_mou, "the memorandum", self)
        mou_print, mou_preview, mou_export = self.mou_actions
        mou_print.setText("Print the &memorandum…")
        mou_preview.setText("Memorandum: print previe&w…")
        mou_export.setText("Memorandum: export P&DF…")
        for action in self.mou_actions:
            action.setStatusTip(
                "The MoU version selected in Agreements, as signed, with every clause"
            )
            print_menu.addAction(action)
        print_menu.addSeparator()
        self.item_labels_action = QAction("&Label for this item…", self)
        self.item_labels_action.setStatusTip("An asset label with the item's QR code")
        self.item_labels_action.setEnabled(False)
        self.item_labels_action.triggered.connect(self._on_item_labels_triggered)
        print_menu.addAction(self.item_labels_action)
        self.found_labels_action = QAction("Labels for the items &found…", self)
        self.found_labels_action.setStatusTip(
            "Asset labels for every item the search lists, 21 to an A4 sheet"
        )
        self.found_labels_action.triggered.connect(self._on_found_labels_triggered)
        print_menu.addAction(self.found_labels_action)

        menu = QMenu(self.item_panel.terms_button)
        menu.addActions(list(self.terms_actions))
        self.item_panel.terms_button.setMenu(menu)
        self.item_panel.terms_button.clicked.connect(terms_preview.trigger)

    def _current_terms(self) -> PrintedDocument:
        item_id = self._item_to_act_on()
        if item_id is None:
            raise DomainError("Select an item in the catalogue to print its sharing terms.")
        return sharing_terms(self._db, item_id)

    def _current_mou(self) -> PrintedDocument:
        mou_id = self.agreements_view.selected_mou_id()
        if mou_id is None:
            raise DomainError("Select an MoU in the Agreements tab to print it.")
        return mou_document(self._db, mou_id)

    def _on_item_labels_triggered(self) -> None:
        item_id = self._item_to_act_on()
        if item_id is not None:
            self.output.preview(lambda: asset_labels(self._db, [item_id]), "the asset label")

    def _on_found_labels_triggered(self) -> None:
        self.output.preview(self._found_labels, "asset labels")

    def _found_labels(self) -> LabelSheet:
        item_ids = self.catalogue.found_item_ids()
        if not item_ids:
            raise DomainError("The search lists no items; search for the kit to label first.")
        return asset_labels(self._db, item_ids)

    def _enable_item_loan_actions(self) -> None:
        """The menu's loan actions follow the panel's buttons for the item shown; but
        Request and Issue now stay on for any item shown, so that on an item no agency
        may borrow they say why and what to do, rather than nothing at all."""
        panel = self.item_panel
        shown = panel.detail is not None
        kit = self.catalogue.selected_kit_id() is not None
        self.request_action.setEnabled((shown or kit) and not self._db.offline)
        self.issue_now_action.setEnabled(shown or kit)
        self.return_action.setEnabled(shown and panel.return_button.isEnabled())
        for action in self.terms_actions:
            action.setEnabled(shown and panel.terms_button.isEnabled())
        self.item_labels_action.setEnabled(shown)

    def catalogue_context_menu(self) -> QMenu:
        """The menu a right-click on a catalogue row opens, for the item shown."""
        menu = QMenu(self)
        menu.addAction(self.request_action)
        menu.addAction(self.issue_now_action)
        menu.addAction(self.return_action)
        menu.addSeparator()
        menu.addAction(self.edit_item_action)
        menu.addSeparator()
        menu.addAction(self.record_inspection_action)
        menu.addAction(self.report_defect_action)
        return menu

    def _on_catalogue_context_menu_requested(self, position: QPoint) -> None:
        menu = self.catalogue_context_menu()
        menu.exec(position)
        menu.deleteLater()

    def _on_catalogue_item_changed(self, *_item_id: int) -> None:
        """The item panel shows another item, or none: the menus follow it."""
        self._enable_item_loan_actions()
        self._enable_catalogue_edits()

    def _item_to_act_on(self) -> int | None:
        """The item a command acts on: the top hit of what was typed, even when the key
        comes before the search has answered (never the item shown before it)."""
        self.catalogue.settle()
        return self.catalogue.selected_item_id()

    def _on_request_triggered(self) -> None:
        item_id = self._item_to_act_on()
        if item_id is not None:
            self._request_item(item_id)
        elif (kit_id := self.catalogue.selected_kit_id()) is not None:
            self._request_kit(kit_id)

    def _on_issue_now_triggered(self) -> None:
        item_id = self._item_to_act_on()
        if item_id is not None:
            self._issue_item_now(item_id)
        elif (kit_id := self.catalogue.selected_kit_id()) is not None:
            self._issue_kit_now(kit_id)

    def _request_kit(self, kit_id: int) -> None:
        self.kit_actions.request(kit_id, self.catalogue.search_bar.wish())

    def _issue_kit_now(self, kit_id: int) -> None:
        self.kit_actions.issue_now(kit_id, self.catalogue.search_bar.wish())

    # The loan forms start from the period and quantity the search asked about.
    def _request_item(self, item_id: int) -> None:
        self.loan_actions.request_for_item(item_id, self.catalogue.search_bar.wish())

    def _issue_item_now(self, item_id: int) -> None:
        self.loan_actions.issue_now_for_item(item_id, self.catalogue.search_bar.wish())

    def _on_return_triggered(self) -> None:
        item_id = self._item_to_act_on()
        if item_id is not None:
            self.loan_actions.return_for_item(item_id)

    def _on_show_planner_triggered(self) -> None:
        self.tabs.setCurrentWidget(self.planner)
        self.planner.grid.setFocus()

    def _on_show_loans_triggered(self) -> None:
        self.tabs.setCurrentWidget(self.loans_view)
        self.loans_view.sections.setFocus()

    def _on_tab_changed(self, index: int) -> None:
        shown = self.tabs.widget(index)
        if shown is self.loans_view:
            self.loans_view.refresh()
        elif shown is self.planner:
            # The planner plans what the catalogue's search finds.
            self.planner.show_search(self.search_bar.query, self.search_bar.filters())
            self.planner.grid.setFocus()
        elif shown is self.inspections_view:
            self.inspections_view.refresh()
        elif shown is self.people_view:
            self.people_view.refresh()
        elif shown is self.audit_view:
            self.audit_view.refresh()

    def _on_loan_counts_changed(self, counts: dict[LoanSection, int]) -> None:
        self.tabs.setTabText(self.tabs.indexOf(self.loans_view), loans_tab_title(counts))

    def _request_from_planner(self, choice: Choice) -> None:
        """Ctrl+R in the planner: the request form, filled in with the rows and period."""
        wish = LoanWish(choice.start, choice.end, choice.quantity)
        refusal = request_refusal(choice.rows)
        if refusal is not None:
            QMessageBox.information(self, "Choose other rows", refusal)
        elif choice.row.is_kit:
            self.kit_actions.request(choice.row.id, wish)
        else:
            also = [row.id for row in choice.also]
            self.loan_actions.request_for_item(choice.row.id, wish, also=also)

    def _print_planner(self) -> None:
        self.output.preview(self.planner.printed, "the planner")

    def _export_planner(self) -> None:
        self.output.export_pdf(self.planner.printed, "the planner")

    def _on_loans_changed(self, message: str) -> None:
        self.statusBar().showMessage(message, 10_000)
        self.loans_view.refresh()
        self.planner.refresh()
        # The catalogue's free counts and statuses change with loans; so does the panel.
        self.catalogue.show_again()

    def _on_record_inspection_triggered(self) -> None:
        item_id = self._item_to_act_on()
        if item_id is not None:
            self.inspections_view.record_inspection(item_id)

    def _on_report_defect_triggered(self) -> None:
        item_id = self._item_to_act_on()
        if item_id is not None:
            self.inspections_view.report_defect(item_id)

    def _on_inspections_changed(self, message: str) -> None:
        self.statusBar().showMessage(message, 10_000)
        # An item's status, and whether it may go out, follow its inspections and defects.
        self.catalogue.show_again()

    def _on_data_changed(self, message: str) -> None:
        """Rows came in from a file (or a backup was restored): every view reads again."""
        self.statusBar().showMessage(message, 10_000)
        self.catalogue.refresh()
        self.loans_view.refresh()
        self.inspections_view.refresh()
        self.people_view.refresh()

    def _on_restored(self, message: str) -> None:
        """The database is now a backup's: its accounts decide who may go on."""
        self.switch_user()
        self.statusBar().showMessage(message, 20_000)

    def _on_data_message(self, message: str) -> None:
        self.statusBar().showMessage(message, 10_000)

    def run_item_dialog(self, item_id: int | None) -> int | None:
        """Open the add/edit dialog; the saved item's id, or None if nothing was saved."""
        if self.actor is None:
            return None
        dialog = ItemDialog(self._db, self.actor, item_id, parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.saved_item_id

    def _after_item_saved(self, item_id: int | None) -> None:
        if item_id is not None:
            self.catalogue.show_saved(item_id)

    def _on_new_item_triggered(self) -> None:
        self._after_item_saved(self.run_item_dialog(None))

    def _on_edit_item_triggered(self) -> None:
        item_id = self._item_to_act_on()
        if item_id is None:
            self.statusBar().showMessage("Select an item to edit first.", 5000)
            return
        self._after_item_saved(self.run_item_dialog(item_id))

    def _on_retire_item_triggered(self) -> None:
        detail = self.item_panel.detail
        if detail is None:
            self.statusBar().showMessage("Select an item to retire first.", 5000)
            return
        reason, confirmed = QInputDialog.getText(
            self,
            "Retire item",
            f"Why is {detail.asset_tag} ({detail.name}) being retired?\n"
            "It stays in the records but can no longer be lent.",
        )
        if not confirmed:
            return
        if self.actor is None:
            return
        try:
            retire_item(self._db, detail.id, self.actor, reason)
        except KitShareError as error:
            show_error(self, error, "The item was not retired")
            return
        self._after_item_saved(detail.id)

    def _on_find_triggered(self) -> None:
        self.search_bar.focus_search()

    def _on_refresh_triggered(self) -> None:
        self.catalogue.refresh()
        self.loans_view.refresh()

    def _on_quit_triggered(self) -> None:
        self.close()

    def _on_about_triggered(self) -> None:
        QMessageBox.about(self, "About Kit Share", ABOUT_TEXT)
