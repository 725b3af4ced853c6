"""Where the database is: ``--database``, else ``KITSHARE_DATABASE_URL``, else a file."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.errors import DatabaseUnavailable, DomainError

ENV_DATABASE_URL = "KITSHARE_DATABASE_URL"
APP_NAME = "KitShare"


def data_folder() -> Path:
    """The user's Kit Share data folder (created on demand)."""
    return user_data_path(APP_NAME, appauthor=False)


def default_database_url() -> str:
    return sqlite_url(data_folder() / "kitshare.db")


def demo_database_url() -> str:
    return sqlite_url(data_folder() / "kitshare-demo.db")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


def resolve_database_url(cli_value: str | None, *, demo: bool = False) -> str:
    """The database URL to use, by the documented order of precedence."""
    if cli_value:
        url = cli_value
    elif demo:
        url = demo_database_url()
    else:
        url = os.environ.get(ENV_DATABASE_URL) or default_database_url()
    return normalise_url(url)


def normalise_url(url: str) -> str:
    """Check the URL's form and pick psycopg 3 for PostgreSQL.

    ``postgresql://`` would otherwise ask SQLAlchemy for psycopg2, which we don't ship.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailable(
            f"“{url}” is not a database URL. Use sqlite:///path/to/file.db "
            "or postgresql://user:password@host/database."
        ) from None
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseUnavailable(
            f"Kit Share works with SQLite or PostgreSQL, not “{parsed.get_backend_name()}”."
        )
    return parsed.render_as_string(hide_password=False)


def masked_url(url: str) -> str:
    """The URL with any password replaced by ``***``, safe to show and log."""
    return make_url(url).render_as_string(hide_password=True)


def describe_location(url: str) -> str:
    """A short phrase for the status bar: the file, or the server and database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite file {parsed.database or '(in memory)'}"
    host = parsed.host or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    return f"PostgreSQL {parsed.database} on {host}{port}"


ENV_LOCK_AFTER = "KITSHARE_LOCK_AFTER_MINUTES"
DEFAULT_LOCK_AFTER_MINUTES = 10
LONGEST_LOCK_AFTER_MINUTES = 24 * 60


def lock_after_minutes(cli_value: str | None = None) -> int:
    """How long the window waits, untouched, before it locks: ``--lock-after``, else
    ``KITSHARE_LOCK_AFTER_MINUTES``, else 10 minutes. 0 means never (a PC in a locked
    room with one user)."""
    given = cli_value if cli_value is not None else os.environ.get(ENV_LOCK_AFTER)
    if given is None or not given.strip():
        return DEFAULT_LOCK_AFTER_MINUTES
    try:
        minutes = int(given.strip())
    except ValueError:
        minutes = -1
    if not 0 <= minutes <= LONGEST_LOCK_AFTER_MINUTES:
        raise DomainError(
            f"“{given.strip()}” is not a lock time: give whole minutes from 0 (never lock) "
            f"to {LONGEST_LOCK_AFTER_MINUTES}, e.g. 10."
        )
    return minutes
