"""Signing in to the window, switching user, locking when idle, and the first administrator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.people.accounts import (
    MAX_FAILED_ATTEMPTS,
    WRONG_SIGN_IN,
    FirstAdministrator,
    create_first_administrator,
    has_users,
)
from app.people.passwords import hash_password
from app.storage.database import Database, open_database
from models import AppUser, AuditEvent, Person, Role
from tests.pgserver import ClusterUnavailable, ThrowawayCluster, start_cluster
from tests.ui.driving import sign_in, wait_for_results
from tests.ui.loan_driving import People
from tests.ui.seed import Catalogue
from ui.shell.main_window import MainWindow
from ui.shell.sign_in import FirstAdministratorPage


def opened(qtbot: QtBot, db: Database, *, lock_after_minutes: int = 0) -> MainWindow:
    window = MainWindow(db, lock_after_minutes=lock_after_minutes)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def enabled_commands(window: MainWindow) -> set[str]:
    return {a.text() for a in window.menu_actions() if a.isEnabled()}


def test_the_window_shows_nothing_until_someone_signs_in(qtbot: QtBot, demo: Database) -> None:
    window = opened(qtbot, demo)

    assert window.stack.currentWidget() is window.sign_in_page
    assert window.actor is None
    assert window.model.rowCount() == 0
    # Every menu command waits, shortcuts and all, except Quit.
    assert enabled_commands(window) == {"&Quit"}
    assert not window.sign_in_page.sign_in_button.isEnabled()

    sign_in(qtbot, window, "duty", "duty-demo-2026")
    wait_for_results(qtbot, window)

    assert window.stack.currentWidget() is window.tabs
    assert window.actor is not None
    assert window.actor.role is Role.DUTY_OFFICER
    assert window.user_label.text() == "Signed in as Rachel Holloway (duty) · Duty officer"
    assert window.model.rowCount() > 0
    # A duty officer may not change the catalogue: the commands say so by being disabled.
    assert not window.new_item_action.isEnabled()
    assert not window.edit_item_action.isEnabled()
    assert "&Find…" in enabled_commands(window)
    assert not window.agreements_view.signed_in
    # The audit trail is for managers and administrators.
    assert not window.tabs.isTabVisible(window.tabs.indexOf(window.audit_view))


def test_a_wrong_password_is_said_plainly_and_the_name_is_kept(
    qtbot: QtBot, demo: Database
) -> None:
    window = opened(qtbot, demo)

    sign_in(qtbot, window, "duty", "not-my-password")

    page = window.sign_in_page
    assert window.stack.currentWidget() is page
    assert page.message() == WRONG_SIGN_IN
    assert page.username_edit.text() == "duty"
    assert page.password_edit.text() == ""
    # Ready for another try: the password box has the window's focus.
    assert window.focusWidget() is page.password_edit
    assert window.actor is None


def test_five_wrong_passwords_lock_the_account_for_a_while(qtbot: QtBot, demo: Database) -> None:
    window = opened(qtbot, demo)
    page = window.sign_in_page
    for _ in range(MAX_FAILED_ATTEMPTS):
        sign_in(qtbot, window, "duty", "guess")

    assert "the account is locked until" in page.message()
    # Even the right password does not open it now.
    sign_in(qtbot, window, "duty", "duty-demo-2026")
    assert "locked until" in page.message()
    assert window.actor is None
    with demo.read() as session:
        user = session.scalars(select(AppUser).where(AppUser.username == "duty")).one()
        assert user.locked_until is not None


def test_switch_user_hands_the_pc_to_the_next_person(qtbot: QtBot, demo: Database) -> None:
    window = opened(qtbot, demo)
    sign_in(qtbot, window, "duty", "duty-demo-2026")
    wait_for_results(qtbot, window)

    window.switch_user_action.trigger()

    assert window.stack.currentWidget() is window.sign_in_page
    assert window.actor is None
    assert window.sign_in_page.username_edit.text() == ""
    assert enabled_commands(window) == {"&Quit"}

    sign_in(qtbot, window, "admin", "admin-demo-2026")
    wait_for_results(qtbot, window)

    assert window.actor is not None
    assert window.actor.username == "admin"
    assert window.new_item_action.isEnabled()
    assert window.agreements_view.signed_in
    assert window.tabs.isTabVisible(window.tabs.indexOf(window.audit_view))
    assert window.people_view.may_edit
    with demo.read() as session:
        signed_in = session.scalars(
            select(AuditEvent.actor)
            .where(AuditEvent.action == "user.signed_in")
            .order_by(AuditEvent.id)
        ).all()
    assert signed_in[-2:] == ["Rachel Holloway (duty)", "Claire Ashworth (admin)"]


def test_the_window_locks_when_left_idle_and_the_same_person_carries_on(
    qtbot: QtBot, demo: Database
) -> None:
    window = opened(qtbot, demo, lock_after_minutes=10)
    sign_in(qtbot, window, "manager", "manager-demo-2026")
    wait_for_results(qtbot, window)
    window.tabs.setCurrentWidget(window.loans_view)
    assert window.idle.running

    window.idle.idle.emit()  # ten minutes pass with no key press or click

    page = window.sign_in_page
    assert window.stack.currentWidget() is page
    assert page.title_label.text() == "Kit Share is locked"
    assert "Paul Whitmore (manager)" in page.explanation.text()
    assert page.username_edit.text() == "manager"
    assert enabled_commands(window) == {"&Quit"}
    assert not window.idle.running

    QTest.keyClicks(page.password_edit, "manager-demo-2026")
    QTest.keyClick(page.password_edit, Qt.Key.Key_Return)

    assert window.stack.currentWidget() is window.tabs
    # Back where they were.
    assert window.tabs.currentWidget() is window.loans_view
    assert window.idle.running
    assert "&Lock" in enabled_commands(window)


def test_input_keeps_the_window_from_locking(qtbot: QtBot, demo: Database) -> None:
    window = opened(qtbot, demo, lock_after_minutes=1)
    sign_in(qtbot, window, "duty", "duty-demo-2026")
    wait_for_results(qtbot, window)
    assert window.idle.running
    qtbot.waitUntil(lambda: window.idle.remaining_ms < 60_000 - 300)
    waited = window.idle.remaining_ms

    QTest.keyClick(window.search_bar.search_box, Qt.Key.Key_A)

    # The key press starts the minute again; the window stays open.
    assert window.idle.remaining_ms > waited
    assert window.stack.currentWidget() is window.tabs


def test_an_empty_database_asks_for_its_first_administrator(qtbot: QtBot, tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{(tmp_path / 'new.db').as_posix()}")
    try:
        window = opened(qtbot, db)
        page = window.first_admin_page
        assert isinstance(page, FirstAdministratorPage)
        assert window.stack.currentWidget() is page

        for edit, text in (
            (page.agency_name_edit, "Cambridgeshire Fire and Rescue Service"),
            (page.agency_code_edit, "CAMBS-FRS"),
            (page.given_edit, "Claire"),
            (page.family_edit, "Ashworth"),
            (page.staff_edit, "F1001"),
            (page.username_edit, "c.ashworth"),
            (page.password_edit, "a long enough phrase"),
            (page.repeat_edit, "a different phrase"),
        ):
            QTest.keyClicks(edit, text)
        page.create_button.click()

        assert page.message() == (
            "The two passwords are not the same. Type the password again in both."
        )
        assert not has_users(db)

        QTest.keyClicks(page.repeat_edit, "a long enough phrase")
        page.create_button.click()
        wait_for_results(qtbot, window)

        assert window.stack.currentWidget() is window.tabs
        assert window.actor is not None
        assert window.actor.role is Role.ADMINISTRATOR
        assert window.user_label.text() == (
            "Signed in as Claire Ashworth (c.ashworth) · Administrator"
        )
        with db.read() as session:
            user = session.scalars(select(AppUser)).one()
            assert user.password_hash.startswith("$argon2")
            person = session.get(Person, user.person_id)
            assert person is not None
            assert person.staff_number == "F1001"
        window.close()
    finally:
        db.dispose()


def test_a_weak_first_password_is_refused_with_what_to_do(qtbot: QtBot, tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{(tmp_path / 'new.db').as_posix()}")
    try:
        window = opened(qtbot, db)
        page = window.first_admin_page
        for edit, text in (
            (page.agency_name_edit, "Norfolk Fire and Rescue Service"),
            (page.agency_code_edit, "NFRS"),
            (page.given_edit, "Sam"),
            (page.family_edit, "Hale"),
            (page.staff_edit, "N1"),
            (page.username_edit, "shale"),
            (page.password_edit, "short"),
            (page.repeat_edit, "short"),
        ):
            QTest.keyClicks(edit, text)
        page.create_button.click()

        assert "at least 10 characters" in page.message()
        assert window.stack.currentWidget() is page
        assert not has_users(db)
        window.close()
    finally:
        db.dispose()


def test_no_two_commands_share_a_shortcut(qtbot: QtBot, demo: Database) -> None:
    # Qt runs neither command when two share a key, silently.
    window = opened(qtbot, demo)
    keys = [
        key.toString()
        for action in window.menu_actions()
        for key in action.shortcuts()
        if not key.isEmpty()
    ]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    assert window.lock_action.shortcut().toString() == "Ctrl+Shift+L"


def test_the_demo_database_says_whom_to_sign_in_as(qtbot: QtBot, demo: Database) -> None:
    window = opened(qtbot, demo)

    hint = window.sign_in_page.demo_label
    assert hint is not None
    assert hint.isVisible()
    shown = hint.text()
    for username, password in (
        ("duty", "duty-demo-2026"),
        ("manager", "manager-demo-2026"),
        ("admin", "admin-demo-2026"),
        ("cambs-pol-kit, …", "kit-demo-2026"),
    ):
        assert f"<b>{username}</b></td><td>{password}</td>" in shown
    assert "a duty officer" in shown
    # What the page offers works.
    sign_in(qtbot, window, "duty", "duty-demo-2026")
    assert window.actor is not None


def test_a_disabled_demo_account_is_not_offered(qtbot: QtBot, demo: Database) -> None:
    with demo.write() as session:
        duty = session.scalars(select(AppUser).where(AppUser.username == "duty")).one()
        duty.is_active = False

    hint = opened(qtbot, demo).sign_in_page.demo_label
    assert hint is not None
    assert "<b>duty</b>" not in hint.text()
    assert "<b>manager</b>" in hint.text()


def test_a_real_database_gives_no_hint(qtbot: QtBot, catalogue: Catalogue, people: People) -> None:
    with catalogue.db.write() as session:
        session.add(
            AppUser(
                username="duty",
                person_id=people.requester_id,
                role=Role.ADMINISTRATOR,
                password_hash=hash_password("duty-demo-2026"),
            )
        )
    window = opened(qtbot, catalogue.db)
    assert window.stack.currentWidget() is window.sign_in_page
    assert window.sign_in_page.demo_label is None
    assert window.sign_in_page.findChild(QLabel, "demoAccounts") is None


# -- Signing in while the database cannot answer: the work is hidden first ---------------


def shows_no_work(window: MainWindow) -> None:
    assert window.stack.currentWidget() is window.sign_in_page
    assert window.actor is None
    assert enabled_commands(window) == {"&Quit"}
    assert window.user_label.text() == "No one signed in"


@pytest.fixture
def stoppable_server(postgres_admin_url: str) -> Iterator[ThrowawayCluster]:
    """A PostgreSQL server of this test's own, to stop while the window is open."""
    try:
        cluster = start_cluster()
    except ClusterUnavailable as exc:
        pytest.fail(f"a second PostgreSQL server would not start: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.mark.postgres
def test_switch_user_with_the_server_stopped_hides_the_work_and_says_so(
    qtbot: QtBot, stoppable_server: ThrowawayCluster
) -> None:
    db = open_database(stoppable_server.url)
    try:
        create_first_administrator(
            db,
            FirstAdministrator(
                given_name="Claire",
                family_name="Ashworth",
                staff_number="A1",
                username="admin",
                password="a long enough password",
                agency_code="CAMBS-FRS",
                agency_name="Cambridgeshire Fire and Rescue Service",
            ),
        )
        window = opened(qtbot, db)
        sign_in(qtbot, window, "admin", "a long enough password")
        wait_for_results(qtbot, window)
        assert window.actor is not None

        stoppable_server.stop()
        window.switch_user_action.trigger()

        shows_no_work(window)
        page = window.sign_in_page
        assert "Cannot reach the PostgreSQL server at 127.0.0.1:" in page.message()
        assert page.retry_button.isVisible()

        page.retry_button.click()
        shows_no_work(window)
        assert "Cannot reach the PostgreSQL server" in page.message()

        # Signing in is refused with the same sentence, not a traceback.
        sign_in(qtbot, window, "admin", "a long enough password")
        shows_no_work(window)
        assert "Cannot reach the PostgreSQL server" in page.message()
    finally:
        db.dispose()


def test_switch_user_with_the_file_gone_hides_the_work_and_tries_again(
    qtbot: QtBot, demo: Database
) -> None:
    window = opened(qtbot, demo)
    sign_in(qtbot, window, "duty", "duty-demo-2026")
    wait_for_results(qtbot, window)
    path = Path(str(make_url(demo.url).database))
    aside = path.with_name("on-a-stick-pulled-out.db")
    path.rename(aside)

    window.switch_user_action.trigger()

    shows_no_work(window)
    page = window.sign_in_page
    assert f"The database file {path} is not there any more" in page.message()
    assert page.retry_button.isVisible()
    assert not path.exists()  # nor was an empty one made in its place

    aside.rename(path)
    page.retry_button.click()

    assert window.stack.currentWidget() is page
    assert page.message() == ""
    assert not page.retry_button.isVisible()
    sign_in(qtbot, window, "admin", "admin-demo-2026")
    wait_for_results(qtbot, window)
    assert window.actor is not None
    assert window.actor.username == "admin"


def test_a_window_opened_as_the_file_goes_shows_only_the_sign_in_page(
    qtbot: QtBot, demo: Database
) -> None:
    path = Path(str(make_url(demo.url).database))
    aside = path.with_name("moved.db")
    path.rename(aside)

    window = opened(qtbot, demo)

    shows_no_work(window)
    assert "is not there any more" in window.sign_in_page.message()
