"""Start the Kit Share window: ``kitshare [--database URL] [--demo]``."""

from __future__ import annotations

import argparse
import os
import sys

from PySide6.QtWidgets import QApplication

from app.config import (
    DEFAULT_LOCK_AFTER_MINUTES,
    ENV_DATABASE_URL,
    ENV_LOCK_AFTER,
    data_folder,
    lock_after_minutes,
    resolve_database_url,
)
from app.database import Database, open_database
from app.demo import open_demo_database
from app.errors import DatabaseUnavailable, KitShareError
from ui.main_window import MainWindow
from ui.messages import show_error
from ui.platform_check import check_platform

APPLICATION_NAME = "Kit Share"
OPEN_FAILED_TITLE = "Kit Share cannot open its database"


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
            "postgresql://user:password@server/kitshare (default: the "
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
    try:
        db = open_chosen_database(args.database, demo=args.demo)
    except KitShareError as error:
        show_error(None, error, OPEN_FAILED_TITLE)
        return 1

    window: MainWindow | None = None
    try:
        # The window asks who is signing in before it shows any of the work.
        window = MainWindow(db, lock_after_minutes=lock_after)
        window.show()
        return app.exec()
    finally:
        # Close (which waits for any search still reading) before the database goes,
        # and both before QApplication does, so nothing is torn down mid-query.
        if window is not None:
            window.close()
            window.deleteLater()
        db.dispose()


def open_chosen_database(cli_value: str | None, *, demo: bool) -> Database:
    """Open the database named on the command line, in the environment, or by default."""
    uses_data_folder = demo or not (cli_value or os.environ.get(ENV_DATABASE_URL))
    url = resolve_database_url(cli_value, demo=demo)
    if uses_data_folder:
        ensure_data_folder()
    return open_demo_database(url) if demo else open_database(url)


def ensure_data_folder() -> None:
    """Create the user's data folder, where the default and demo databases live."""
    folder = data_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnavailable(
            f"Kit Share cannot create its data folder {folder} ({error.strerror}). "
            "Choose a database with --database, or ask for write access there."
        ) from None


if __name__ == "__main__":
    raise SystemExit(main())
