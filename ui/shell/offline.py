"""The part of the main window that deals with the server going away and coming back:
the offline banner, the station copy it works from meanwhile, the outbox it sends.

``MainWindow`` is one of these; the methods here use what it makes (the banner, the
station keeper, the outbox, the actions) and what it does (reading every view again,
asking who is signing in), declared below so each side can be read alone.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow

from app.core.actor import Actor
from app.core.errors import KitShareError
from app.core.text import counted
from app.loans.outbox import apply_waiting, outbox_rows_or_none, send_waiting
from app.loans.receipts import refused_entries
from app.storage.database import OFFLINE_REFUSAL, Database
from app.storage.live import EVERYTHING, Changes
from app.storage.offline import go_offline, is_server_url, offline_banner, reconnect, usable_copy
from app.storage.station_outbox import REFUSED, Outbox
from ui.catalogue.item_panel import ItemPanel
from ui.catalogue.search_bar import SearchBar
from ui.kits.actions import KitActions
from ui.loans.outbox_dialog import OutboxDialog
from ui.shell.data_actions import DataActions
from ui.shell.live import LiveUpdates
from ui.shell.sign_in import SignInPage
from ui.shell.station import OfflineBanner, StationKeeper

OUTBOX_LINK = "outbox"
# While offline, how often the window tries the server again by itself.
RETRY_ONLINE_MS = 15_000


class StationWindow(QMainWindow):
    """A window over a shared server that carries on from its copy without it."""

    _db: Database
    actor: Actor | None
    banner: OfflineBanner
    station: StationKeeper
    outbox: Outbox
    live_label: QLabel
    data_actions: DataActions
    kit_actions: KitActions
    sign_in_page: SignInPage
    new_item_action: QAction
    edit_item_action: QAction
    retire_item_action: QAction
    record_inspection_action: QAction
    report_defect_action: QAction
    request_action: QAction
    live: LiveUpdates
    _retry: QTimer | None = None

    # What the window does, which this part asks for.
    @property
    def search_bar(self) -> SearchBar:
        raise NotImplementedError

    @property
    def item_panel(self) -> ItemPanel:
        raise NotImplementedError

    def _on_live_changes(self, changes: Changes) -> None:
        raise NotImplementedError

    def _on_loans_changed(self, message: str) -> None:
        raise NotImplementedError

    def _enable_catalogue_edits(self) -> None:
        raise NotImplementedError

    def switch_user(self) -> None:
        raise NotImplementedError

    def _on_server_unreachable(self, message: str) -> None:
        if not self._db.offline and is_server_url(self._db.url):
            self.go_offline(message)

    def go_offline(self, message: str) -> bool:
        """Carry on from the station copy; False (the reason in the banner) when there
        is none to carry on from."""
        try:
            info = usable_copy(self._db.url, self.station.path, message)
            # Not while a refresh moves a new copy into place (it would hide what is
            # logged from now on); one finishing later sees the station offline and stops.
            with self.station.switching:
                go_offline(self._db, info)
        except KitShareError as error:
            self.banner.say(error.message)
            return False
        self._show_offline(self._apply_waiting())
        self._on_live_changes(EVERYTHING)
        return True

    def _apply_waiting(self) -> list[str]:
        try:
            return apply_waiting(self._db, self.outbox)
        except KitShareError as error:
            return [error.message]

    def _show_offline(self, problems: list[str]) -> None:
        """The banner, and every command that needs the server off, saying why."""
        self._offline_banner(problems)
        self.search_bar.as_of = self._db.copy_taken_at
        self.live_label.hide()
        for action in self._server_only_actions():
            action.setEnabled(False)
            action.setToolTip(OFFLINE_REFUSAL)
            action.setStatusTip(OFFLINE_REFUSAL)
        if self._retry is None:
            # The listener says when the server answers again; this makes sure a return
            # that failed once (a password changed meanwhile, a server starting up) is tried
            # again without anyone restarting the window.
            self._retry = QTimer(self)
            self._retry.setInterval(RETRY_ONLINE_MS)
            self._retry.timeout.connect(self._try_online)
        self._retry.start()

    def _try_online(self) -> None:
        if self._db.offline and not self.live.state:
            self.go_online()

    def _offline_banner(self, problems: list[str] | None = None) -> None:
        if not self._db.offline:
            return
        try:
            waiting = self.outbox.count_open()
        except KitShareError as error:
            problems = [*(problems or []), error.message]
            waiting = 0
        said = offline_banner(self._db, waiting)
        if problems:
            said += " " + " ".join(problems)
        self.banner.say(f'{escape(said)} <a href="{OUTBOX_LINK}">See the outbox</a>')

    def _server_only_actions(self) -> list[QAction]:
        return [
            self.new_item_action,
            self.edit_item_action,
            self.retire_item_action,
            self.record_inspection_action,
            self.report_defect_action,
            self.request_action,
            self.data_actions.import_action,
            self.kit_actions.new_action,
            self.kit_actions.edit_action,
            self.kit_actions.retire_action,
        ]

    def go_online(self) -> None:
        """The server is back: work with it, send the outbox, take the copy again."""
        try:
            reconnect(self._db)
        except KitShareError as error:
            if self._db.offline:
                self._offline_banner([f"{error.message} Kit Share tries again shortly."])
                return
            # Back, but not as whoever signed in offline (their password changed?).
            self.switch_user()
            self.sign_in_page.show_fault(error.message)
            return
        if self._retry is not None:
            self._retry.stop()
        self.banner.say("")
        self.search_bar.as_of = None
        for action in self._server_only_actions():
            action.setToolTip("")
            action.setStatusTip("")
        if self.actor is not None:
            self.request_action.setEnabled(self.item_panel.detail is not None)
            self._enable_catalogue_edits()
            self.data_actions.set_actor(self.actor)
        self.statusBar().showMessage(f"Back online. {self.send_outbox()}", 20_000)
        self.station.start()
        self._say_refused_elsewhere()
        self._on_live_changes(EVERYTHING)  # what others changed meanwhile is not known

    def send_outbox(self) -> str:
        """Send what waits, if anyone may; what became of it, in a sentence."""
        db = self._db
        if db.secured and db.engine is db.station:
            # The stations' own login may send nothing: the first person to sign in does.
            waiting = outbox_rows_or_none(self.outbox) or []
            if waiting:
                return (
                    f"{counted(len(waiting), 'entry', 'entries')} logged offline "
                    f"{'waits' if len(waiting) == 1 else 'wait'} to be sent when someone "
                    "signs in."
                )
            return ""
        return send_waiting(db, self.outbox).sentence

    def _say_refused_elsewhere(self) -> None:
        """Entries the server refused wait for a person: this station's, and, for a
        lender's equipment manager, those of their agency's kit from any station."""
        if self.actor is None or self._db.offline:
            return
        try:
            mine = len(self.outbox.rows((REFUSED,)))
        except KitShareError as error:
            self.banner.say(escape(error.message))
            return
        try:
            theirs = len(refused_entries(self._db, self.actor))
        except KitShareError:
            theirs = 0
        said = []
        if mine:
            said.append(
                f"{counted(mine, 'entry', 'entries')} this station logged offline "
                f"{'was' if mine == 1 else 'were'} refused by the server"
            )
        if theirs:
            said.append(
                f"{counted(theirs, 'loan')} of your kit logged offline "
                f"{'was' if theirs == 1 else 'were'} refused"
            )
        if said:
            self.banner.say(
                f"{'; '.join(said)}: send each again or cancel it with a reason. "
                f'<a href="{OUTBOX_LINK}">See the outbox</a>'
            )

    def _on_banner_link(self, _link: str) -> None:
        self.show_outbox()

    def show_outbox(self) -> None:
        """What this station logged offline, and what it still has to do about it."""
        if self.actor is None:
            return
        dialog = OutboxDialog(self._db, self.outbox, self.actor, self)
        try:
            dialog.exec()
        finally:
            dialog.deleteLater()
        if dialog.changed:
            self._on_loans_changed("The outbox was dealt with.")
        self._offline_banner()
        if not self._db.offline:
            self.banner.say("")
            self._say_refused_elsewhere()

    def _on_copy_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 10_000)
