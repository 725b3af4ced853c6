"""Start the Kit Share window: ``kitshare [--database URL] [--demo]``."""

from __future__ import annotations

import argparse
import os
import sys

from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox

from app.core.errors import DatabaseUnavailable, KitShareError
from app.demo.loader import open_demo_database
from app.storage.config import (
    DEFAULT_LOCK_AFTER_MINUTES,
    ENV_DATABASE_URL,
    ENV_LOCK_AFTER,
    data_folder,
    lock_after_minutes,
    make_data_folder,
    resolve_database_url,
    with_password,
)
from app.storage.database import (
    Database,
    EmptyDatabaseFile,
    PasswordNeeded,
    PasswordRefused,
    open_database,
)
from app.storage.offline import is_server_url, open_offline, usable_copy
from app.storage.station_copy import default_copy_path
from ui.platform_check import check_platform
from ui.shell.heap import freeze_what_start_made
from ui.shell.main_window import MainWindow
from ui.widgets.messages import show_error

APPLICATION_NAME = "Kit Share"
OPEN_FAILED_TITLE = "Kit Share cannot open its database"
PASSWORD_TITLE = "Password for the PostgreSQL server"
CREATE_NEW_DATABASE = "Create a new database here"


def build_parser() -> argparse.ArgumentParser:
    """The command line of the ``kitshare`` window."""
    parser = argparse.ArgumentParser(
        prog="kitshare",
        description="Share specialist equipment between police, fire and ambulance services.",
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help=(
            "the database to use, e.g. sqlite:///C:/KitShare/kitshare.db or "
            "postgresql://user@server/kitshare, the password coming from .pgpass or "
            "PGPASSWORD, or asked for (default: the "
            f"{ENV_DATABASE_URL} environment variable, else kitshare.db in your Kit Share "
            "data folder)"
        ),
    )
    parser.add_argument(
        "--lock-after",
        metavar="MINUTES",
        help=(
            "lock the window after this many minutes without a key press or click, so "
            f"the next person at a shared PC cannot act in your name (default: the "
            f"{ENV_LOCK_AFTER} environment variable, else {DEFAULT_LOCK_AFTER_MINUTES}; "
            "0 never locks)"
        ),
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help=(
            "open the demo database of Cambridgeshire kit, creating it on first use; "
            "your own records are not touched"
        ),
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the window; returns the process exit code (1 if the database cannot be used)."""
    args = build_parser().parse_args(argv)
    existing = QApplication.instance()
    if existing is None:
        # Qt aborts the process when its platform plugin cannot load; say why first.
        problem = check_platform()
        if problem is not None:
            print(problem.message, file=sys.stderr)
            return 1
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APPLICATION_NAME)
    app.setOrganizationName(APPLICATION_NAME)

    try:
        lock_after = lock_after_minutes(args.lock_after)
    except KitShareError as error:
        show_error(None, error, "Kit Share cannot start")
        return 1
    db = open_for_window(args.database, demo=args.demo)
    if db is None:
        return 1

    window: MainWindow | None = None
    try:
        # The window asks who is signing in before it shows any of the work.
        window = MainWindow(db, lock_after_minutes=lock_after)
        window.show()
        freeze_what_start_made()
        return app.exec()
    finally:
        # Close (which waits for any search still reading) before the database goes,
        # and both before QApplication does, so nothing is torn down mid-query.
        if window is not None:
            window.close()
            window.deleteLater()
        db.dispose()


def open_for_window(cli_value: str | None, *, demo: bool) -> Database | None:
    """Open the database for the window, asking the person what only they can answer:
    the password a PostgreSQL server wants, and whether to start a new database in an
    empty file. None when it cannot be opened (the reason was shown) or they chose not to.
    """
    password: str | None = None
    empty_file_ok = False
    while True:
        try:
            return open_chosen_database(
                cli_value, demo=demo, password=password, empty_file_ok=empty_file_ok
            )
        except PasswordNeeded as error:
            password = ask_password(error)
            if password is None:
                return None
        except EmptyDatabaseFile as error:
            if not offer_new_database(error.message):
                return None
            empty_file_ok = True
        except KitShareError as error:
            show_error(None, error, OPEN_FAILED_TITLE)
            return None


def ask_password(error: PasswordNeeded) -> str | None:
    """The password typed for the server, or None if the person cancelled.

    It lives only in this process's memory for as long as the window is open: never
    written to a file or a log, and masked wherever the database URL is shown.
    """
    if isinstance(error, PasswordRefused):
        prompt = (
            f"The PostgreSQL server at {error.server} refused that password for "
            f"“{error.user}”. Type it again, or Cancel to stop."
        )
    else:
        prompt = (
            f"The PostgreSQL server at {error.server} asks for the password of "
            f"“{error.user}”. Kit Share keeps it only while the window is open."
        )
    text, given = QInputDialog.getText(None, PASSWORD_TITLE, prompt, QLineEdit.EchoMode.Password)
    return text if given else None


def offer_new_database(message: str) -> bool:
    """Say that the file is empty, and offer to start a new database in it; True if taken."""
    box = QMessageBox(QMessageBox.Icon.Warning, OPEN_FAILED_TITLE, message)
    create = box.addButton(CREATE_NEW_DATABASE, QMessageBox.ButtonRole.AcceptRole)
    stop = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    # Enter must not make a new database by accident: that takes a deliberate choice.
    box.setDefaultButton(stop)
    box.setEscapeButton(stop)
    box.exec()
    return box.clickedButton() is create


def open_chosen_database(
    cli_value: str | None,
    *,
    demo: bool,
    password: str | None = None,
    empty_file_ok: bool = False,
) -> Database:
    """Open the database named on the command line, in the environment, or by default."""
    given = cli_value is not None or bool(os.environ.get(ENV_DATABASE_URL, "").strip())
    uses_data_folder = (demo and cli_value is None) or not given
    url = resolve_database_url(cli_value, demo=demo)
    if password is not None:
        url = with_password(url, password)
    if uses_data_folder:
        ensure_data_folder()
    if demo:
        return open_demo_database(url, empty_file_ok=empty_file_ok)
    try:
        return open_database(url, empty_file_ok=empty_file_ok)
    except DatabaseUnavailable as error:
        if isinstance(error, PasswordNeeded) or not is_server_url(url):
            raise
        # The server cannot be reached: carry on from this station's copy of it, if any
        # (else the sentence says why not, and how to have one next time).
        info = usable_copy(url, default_copy_path(), error.message)
    return open_offline(url, info)


def ensure_data_folder() -> None:
    """Create the user's data folder, where the default and demo databases live,
    readable by this account only."""
    try:
        make_data_folder()
    except OSError as error:
        raise DatabaseUnavailable(
            f"Kit Share cannot create its data folder {data_folder()} ({error.strerror}). "
            "Choose a database with --database, or ask for write access there."
        ) from None


if __name__ == "__main__":
    raise SystemExit(main())
