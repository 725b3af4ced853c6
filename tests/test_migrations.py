"""Models and migrations agree, and the schema goes up, down and up again on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from app.storage import schema
from app.storage.database import Database, open_database
from models import Base
from models.base import include_in_autogenerate

DOMAIN_TABLES = set(Base.metadata.tables)


def _tables(url: str) -> set[str]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_models_and_migrations_agree(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_object": include_in_autogenerate,
            },
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"models and migrations differ: {differences}"


def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    schema.upgrade_to_head(db_url)
    assert _tables(db_url) >= DOMAIN_TABLES

    schema.migrate(db_url, "base")
    assert _tables(db_url) & DOMAIN_TABLES == set()

    schema.upgrade_to_head(db_url)
    assert _tables(db_url) >= DOMAIN_TABLES
    db = open_database(db_url, migrate=False)
    try:
        assert schema.current_revision(db.engine) == schema.head_revision()
    finally:
        db.dispose()


def test_opening_upgrades_to_head(db_url: str) -> None:
    db = open_database(db_url)
    try:
        assert schema.current_revision(db.engine) == schema.head_revision()
        assert _tables(db_url) >= DOMAIN_TABLES
    finally:
        db.dispose()


def test_every_constraint_is_named(db: Database) -> None:
    inspector = inspect(db.engine)
    for table in DOMAIN_TABLES:
        for fk in inspector.get_foreign_keys(table):
            assert fk["name"], f"unnamed foreign key on {table}"
        for unique in inspector.get_unique_constraints(table):
            assert unique["name"], f"unnamed unique constraint on {table}"
        for check in inspector.get_check_constraints(table):
            assert check["name"], f"unnamed check constraint on {table}"


def test_sqlite_connection_settings(sqlite_url: str) -> None:
    db = open_database(sqlite_url)
    try:
        with db.read() as session:
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert session.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    finally:
        db.dispose()
