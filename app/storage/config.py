"""Where the database is: ``--database``, else ``KITSHARE_DATABASE_URL``, else a file.

Every database URL a person gives is checked here, part by part, before anything tries
to connect: a mistake gets one sentence naming the part to fix. No sentence ever quotes
a password, nor the text around one that could hold part of it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from platformdirs import user_data_path
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from app.core.errors import DatabaseUnavailable, DomainError

ENV_DATABASE_URL = "KITSHARE_DATABASE_URL"
APP_NAME = "KitShare"

SQLITE_EXAMPLE = "sqlite:///C:/KitShare/kitshare.db"
POSTGRESQL_EXAMPLE = "postgresql://kitshare@db-server/kitshare"
# The drivers Kit Share ships: the sqlite3 module, and psycopg 3.
DRIVERS = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgresql": "postgresql",
    "postgresql+psycopg": "postgresql",
}
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def data_folder() -> Path:
    """The user's Kit Share data folder (created on demand)."""
    return user_data_path(APP_NAME, appauthor=False)


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` (and any missing parents) for this account's eyes only.

    On POSIX a folder Kit Share makes is 0700; one that already exists keeps its mode,
    as someone may have shared it on purpose. Windows keeps the per-user data folder
    private by itself. Raises ``OSError`` as ``Path.mkdir`` does.
    """
    try:
        folder.mkdir(parents=True, mode=PRIVATE_FOLDER_MODE)
    except FileExistsError:
        if not folder.is_dir():
            raise
        return
    if os.name == "posix":
        # The umask can only take bits away; this says the mode whatever it is.
        folder.chmod(PRIVATE_FOLDER_MODE)


def make_data_folder() -> Path:
    """The data folder, created 0700 if need be, and made private if it is shared.

    Only Kit Share puts files there (the default database, the demo, the backup
    schedule), and they hold password hashes and personal data: a folder left readable
    by everyone by an older Kit Share is closed to other accounts.
    """
    folder = data_folder()
    make_private_folder(folder)
    if os.name == "posix":
        status = folder.stat()
        if status.st_uid == os.getuid() and status.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            folder.chmod(stat.S_IMODE(status.st_mode) & ~(stat.S_IRWXG | stat.S_IRWXO))
    return folder


def default_database_url() -> str:
    return sqlite_url(data_folder() / "kitshare.db")


def demo_database_url() -> str:
    return sqlite_url(data_folder() / "kitshare-demo.db")


def sqlite_url(path: Path) -> str:
    """The URL of the SQLite file at ``path``; a ``%``, ``?`` or ``#`` in its name is
    escaped, so the URL names that file and not a shorter one."""
    return f"sqlite:///{_escaped_path(path.as_posix())}"


def _escaped_path(path: str) -> str:
    return path.replace("%", "%25").replace("?", "%3F").replace("#", "%23")


def resolve_database_url(cli_value: str | None, *, demo: bool = False) -> str:
    """The database URL to use, by the documented order of precedence.

    A ``--database`` given empty is refused rather than read as "not given": a script's
    unset variable must not quietly open another database. An empty or blank
    ``KITSHARE_DATABASE_URL`` counts as unset.
    """
    if cli_value is not None:
        if not cli_value.strip():
            raise DatabaseUnavailable(
                "--database was given an empty URL: give the database's URL, e.g. "
                f"{SQLITE_EXAMPLE}, or leave --database out to use the default."
            )
        url = cli_value
    elif demo:
        url = demo_database_url()
    else:
        url = (os.environ.get(ENV_DATABASE_URL) or "").strip() or default_database_url()
    return normalise_url(url)


def normalise_url(url: str) -> str:
    """Check every part of the URL, and pick psycopg 3 for PostgreSQL.

    ``postgresql://`` would otherwise ask SQLAlchemy for psycopg2, which we don't ship.
    Raises ``DatabaseUnavailable`` with one sentence naming the part to fix.
    """
    text = url.strip()
    if not text:
        raise DatabaseUnavailable(
            f"The database URL is empty: give one, e.g. {SQLITE_EXAMPLE} or {POSTGRESQL_EXAMPLE}."
        )
    if any(ord(character) < 32 or ord(character) == 127 for character in text):
        raise DatabaseUnavailable(
            "The database URL holds a line break, tab or other invisible character: "
            "type it again on one line."
        )
    parsed = _parse(text)
    backend = DRIVERS.get(parsed.drivername)
    if backend is None:
        raise DatabaseUnavailable(_unknown_driver(parsed))
    if backend == "sqlite":
        return _sqlite(parsed, text)
    return _postgresql(parsed).render_as_string(hide_password=False)


def _shown(text: str, instead: str = "") -> str:
    """``text`` in quotes, then a space, for a message; ``instead`` if it could hold a
    password (anything with an “@”) or is too long to read."""
    return f"“{text}” " if "@" not in text and len(text) <= 200 else instead


def _parse(text: str) -> URL:
    if "://" not in text:
        looks_like_a_path = "/" in text or "\\" in text or text.lower().endswith(".db")
        if looks_like_a_path and _shown(text):
            raise DatabaseUnavailable(
                f"“{text}” is a file's path, not a database URL: write it as "
                f"sqlite:///{_escaped_path(text.replace(chr(92), '/'))}."
            )
        raise DatabaseUnavailable(
            f"{_shown(text, 'That ')}is not a database URL: use one like {SQLITE_EXAMPLE} or "
            f"{POSTGRESQL_EXAMPLE}."
        )
    try:
        return make_url(text)
    except ArgumentError:
        raise DatabaseUnavailable(
            f"The database URL {_shown(text)}cannot be read: use one like {SQLITE_EXAMPLE} "
            f"or {POSTGRESQL_EXAMPLE}."
        ) from None
    except ValueError:
        # SQLAlchemy reads the port with int(); it is the only part it converts.
        raise DatabaseUnavailable(
            "The port in the database URL is not a number: give a whole number from 1 to "
            "65535 after the server's name, e.g. db-server:5432, or leave it out for 5432."
        ) from None


def _unknown_driver(parsed: URL) -> str:
    name = parsed.drivername
    backend = parsed.get_backend_name()
    if backend in ("sqlite", "postgresql"):
        return (
            f"Kit Share has no “{parsed.get_driver_name()}” driver: start the database URL "
            f"with {backend}:// instead of {name}://."
        )
    return f"Kit Share works with SQLite or PostgreSQL, not “{backend}”: start the URL with " + (
        "sqlite:/// or postgresql://."
    )


def _sqlite(parsed: URL, text: str) -> str:
    database = parsed.database or ""
    if parsed.host or parsed.username or parsed.password or parsed.port:
        raise DatabaseUnavailable(
            "A SQLite database URL names a file, not a server: write three slashes and the "
            f"file's path, e.g. {SQLITE_EXAMPLE}."
        )
    if database in ("", ":memory:") or database.startswith("file:"):
        raise DatabaseUnavailable(
            f"The database URL {_shown(text)}names no file, and a database kept only in "
            "memory loses everything when Kit Share closes: give the file's path after "
            f"three slashes, e.g. {SQLITE_EXAMPLE}."
        )
    if "?" in text:
        raise DatabaseUnavailable(
            "Kit Share's SQLite URLs take no options: remove the “?” and what follows it "
            "from the database URL (a “?” in the file's own name is written %3F)."
        )
    return f"{parsed.drivername}:///{_escaped_path(database)}"


def _postgresql(parsed: URL) -> URL:
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.host is not None and "@" in parsed.host:
        raise DatabaseUnavailable(
            "The database URL has more than one “@”: if the password holds an “@”, write it "
            "as %40 (or leave the password out of the URL and keep it in .pgpass, as the "
            "README's “Which database” shows)."
        )
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        raise DatabaseUnavailable(
            f"Port {parsed.port} in the database URL is not a port: give a whole number from "
            "1 to 65535, e.g. db-server:5432, or leave it out for 5432."
        )
    known = _libpq_options()
    for key, value in parsed.query.items():
        if not isinstance(value, str):
            raise DatabaseUnavailable(
                f"The database URL gives the option “{key}” more than once: keep one."
            )
        if key not in known:
            raise DatabaseUnavailable(
                f"The database URL has an option “{key}” that PostgreSQL does not know: "
                "remove it, or check its spelling (e.g. ?sslmode=require)."
            )
    sslmode = parsed.query.get("sslmode")
    if isinstance(sslmode, str) and sslmode not in SSL_MODES:
        shown = f"“{sslmode}”" if len(sslmode) <= 40 else "what it has"
        raise DatabaseUnavailable(
            f"The option sslmode in the database URL must be one of {', '.join(SSL_MODES[:-1])} "
            f"or {SSL_MODES[-1]}, not {shown}."
        )
    if "password" in parsed.query:
        # Moved to where the URL keeps a password, so that every display masks it.
        if parsed.password is not None:
            raise DatabaseUnavailable(
                "The database URL gives the password twice (before the “@” and as "
                "?password=): keep one, or neither and use .pgpass."
            )
        password = parsed.query["password"]
        parsed = parsed.difference_update_query(["password"]).set(password=str(password))
    return parsed


def _libpq_options() -> frozenset[str]:
    """The connection options the installed libpq knows (``sslmode``, ``connect_timeout``…)."""
    from psycopg import pq

    return frozenset(option.keyword.decode() for option in pq.Conninfo.get_defaults())


def with_password(url: str, password: str) -> str:
    """``url`` carrying ``password``: kept in memory only, and masked wherever shown."""
    return make_url(url).set(password=password).render_as_string(hide_password=False)


def masked_url(url: str) -> str:
    """The URL with any password replaced by ``***``, safe to show and log."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(a database URL that cannot be read)"


def describe_location(url: str) -> str:
    """A short phrase for the status bar: the file, or the server and database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite file {parsed.database or '(in memory)'}"
    return f"PostgreSQL {parsed.database} on {server_of(parsed)}"


def server_of(parsed: URL) -> str:
    """ "db-server:5432", "[::1]:5432", or the local socket: where a URL's server is."""
    host = parsed.host or "localhost"
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{parsed.port or 5432}"


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
        shown = given.strip()
        printable = shown.isprintable() and len(shown) <= 20
        raise DomainError(
            f"{f'“{shown}”' if printable else 'That'} is not a lock time: give whole minutes "
            f"from 0 (never lock) to {LONGEST_LOCK_AFTER_MINUTES}, e.g. 10."
        )
    return minutes
