"""Schema revisions: upgrading to the newest, and refusing a database that is newer."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

import migrations as migrations_package
from app.core.errors import DatabaseTooNew, DatabaseTooOld, EnvironmentFault
from app.storage.engine import create_database_engine, sqlite_single_connection_engine

# Any stable number: it only has to be the same for every Kit Share on the server.
POSTGRES_MIGRATION_LOCK = 0x4B495453


def alembic_config() -> Config:
    """Alembic's configuration, pointing at the migrations shipped with the app."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations_package.__file__).parent))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def check_not_newer(engine: Engine) -> None:
    """Refuse a database whose schema comes from a later Kit Share than this one."""
    revision = current_revision(engine)
    if revision is not None and not is_known_revision(revision):
        raise DatabaseTooNew(
            f"This database was upgraded by a newer Kit Share (schema {revision}); this "
            f"copy only knows schemas up to {head_revision()}. Install the newer Kit Share "
            "to open it; nothing in it has been changed."
        )


def check_same(engine: Engine) -> None:
    """Refuse a server whose schema is older than this Kit Share's (one newer is refused
    by ``check_not_newer``): on a server that checks each person's rights only the
    owner's credential may upgrade it, so a station says whom to ask."""
    revision = current_revision(engine)
    if revision != head_revision():
        raise DatabaseTooOld(
            f"The server's database is older than this Kit Share (schema {revision or 'none'}; "
            f"this copy needs {head_revision()}). Ask an administrator to run "
            "“kitshare-admin migrate” with the database owner's credential; until then "
            "this station cannot use it."
        )


def _migration_engine(url: str, busy_timeout_ms: int) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        engine = sqlite_single_connection_engine(url, busy_timeout_ms)
    else:
        engine = create_database_engine(url, poolclass=NullPool)
    return engine.execution_options(kitshare_immediate=True)


def migrate(url: str, revision: str = "head", *, busy_timeout_ms: int = 5000) -> None:
    """Upgrade (or, with a revision below the current one, downgrade) in one transaction."""
    engine = _migration_engine(url, busy_timeout_ms)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Two stations starting at once must not both run the same migration.
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": POSTGRES_MIGRATION_LOCK}
                )
            config = alembic_config()
            config.attributes["connection"] = connection
            current = MigrationContext.configure(connection).get_current_revision()
            script = ScriptDirectory.from_config(config)
            target = script.get_current_head() if revision == "head" else revision
            if current == target:
                return
            if revision == "base" or (
                current is not None and _is_ancestor(script, revision, current)
            ):
                command.downgrade(config, revision)
            else:
                command.upgrade(config, revision)
            if connection.dialect.name == "sqlite":
                problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise EnvironmentFault(
                        "The schema upgrade found records that point at missing records "
                        f"({len(problems)} of them); nothing was changed. Restore a backup."
                    )
    finally:
        engine.dispose()


def _is_ancestor(script: ScriptDirectory, maybe_ancestor: str, revision: str) -> bool:
    return any(
        rev.revision == maybe_ancestor
        for rev in script.iterate_revisions(revision, "base")
        if rev is not None
    )


def upgrade_to_head(url: str, *, busy_timeout_ms: int = 5000) -> None:
    """Upgrade if needed; a database already at the newest schema is only read."""
    engine = create_database_engine(url, busy_timeout_ms=busy_timeout_ms, poolclass=NullPool)
    try:
        up_to_date = current_revision(engine) == head_revision()
    finally:
        engine.dispose()
    if not up_to_date:
        migrate(url, "head", busy_timeout_ms=busy_timeout_ms)
