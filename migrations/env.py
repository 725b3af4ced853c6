"""Alembic environment: migrations run on a connection the app hands over.

Run from the app (``app.storage.schema``) the connection arrives in ``config.attributes``; run
from the ``alembic`` command (for writing new revisions) the URL comes from
``KITSHARE_DATABASE_URL``.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from models import Base
from models.base import include_in_autogenerate

target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
        include_object=include_in_autogenerate,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    url = os.environ.get("KITSHARE_DATABASE_URL")
    if not url:
        raise SystemExit("Set KITSHARE_DATABASE_URL to the database to migrate.")
    engine = create_engine(url)
    with engine.begin() as own_connection:
        run_on(own_connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Kit Share migrations run online only; use `kitshare-admin migrate`.")
run_migrations_online()
