"""Databases built once per test session and copied for each test.

Migrating an empty database to the newest schema takes about half a second, and loading
the demo data a second more; a copy takes a few milliseconds on SQLite (SQLite's backup
API) and a tenth of a second on PostgreSQL (``CREATE DATABASE … TEMPLATE``). Each
template is built the first time a test asks for it.

The demo is placed around the moment it is loaded ("expires in 14 days"), so a demo
template built on an earlier UK day than the test's is built again: a run that crosses
midnight must not see yesterday's demo.
"""

from __future__ import annotations

import enum
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from app.core.clock import today_uk
from app.demo.loader import load_demo
from app.storage.database import open_database


class Content(enum.Enum):
    """What a template holds."""

    SCHEMA = "schema"  # the newest schema, no rows
    DEMO = "demo"  # the Cambridgeshire demo data, placed around the moment it was built


def libpq(url: str) -> str:
    """``url`` as psycopg takes it (no SQLAlchemy driver name), password and all."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _label(content: Content) -> str:
    """What identifies a template: the demo's also names the day it was placed around."""
    name = content.name.lower()
    return f"{name}_{today_uk():%Y%m%d}" if content is Content.DEMO else name


def _fill(url: str, content: Content) -> None:
    db = open_database(url)
    try:
        if content is Content.DEMO:
            load_demo(db)
    finally:
        db.dispose()


class SqliteTemplates:
    """Template files in a folder of the session's."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._files: dict[str, Path] = {}

    def file(self, content: Content) -> Path:
        """The template file holding ``content`` (built on first use); never write to it."""
        label = _label(content)
        if label not in self._files:
            path = self._folder / f"{label}.db"
            _fill(f"sqlite:///{path.as_posix()}", content)
            self._files[label] = path
        return self._files[label]

    def copy(self, content: Content, target: Path) -> Path:
        """A copy of the template at ``target``, consistent whatever its WAL holds."""
        with (
            closing(sqlite3.connect(self.file(content))) as source,
            closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)
        return target


class PostgresTemplates:
    """Template databases on the server of ``admin_url`` (a role that may create them)."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self._names: dict[str, str] = {}

    def _url(self, name: str) -> str:
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def _execute(self, statement: str) -> None:
        with psycopg.connect(libpq(self.admin_url), autocommit=True) as connection:
            connection.execute(statement)

    def template(self, content: Content) -> str:
        label = _label(content)
        if label not in self._names:
            name = f"kitshare_template_{label}_{uuid.uuid4().hex[:8]}"
            self._execute(f'CREATE DATABASE "{name}"')
            _fill(self._url(name), content)
            self._names[label] = name
        return self._names[label]

    @contextmanager
    def database(self, content: Content | None) -> Iterator[str]:
        """A new database holding ``content`` (None: empty), dropped afterwards."""
        name = f"kitshare_test_{uuid.uuid4().hex[:12]}"
        source = f' TEMPLATE "{self.template(content)}"' if content is not None else ""
        self._execute(f'CREATE DATABASE "{name}"{source}')
        try:
            yield self._url(name)
        finally:
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop(self) -> None:
        for name in self._names.values():
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
