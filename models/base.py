"""Declarative base, naming convention and column types shared by every model."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, Enum, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Alembic needs stable constraint names to alter them later, above all on SQLite where
# batch mode rebuilds tables; unnamed constraints cannot be dropped by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in time, stored as naive UTC and read back as aware UTC.

    SQLite has no time zone type, and British Summer Time would otherwise shift loan
    periods by an hour between machines; the interface converts to UK local time.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Kit Share stores only time-zone-aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Base of every Kit Share table.

    A column annotated ``Mapped[datetime]`` is a ``UtcDateTime`` without saying so, so
    that no table can store a moment in a zone that depends on the machine.
    """

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime}  # noqa: RUF012 - SQLAlchemy reads it once


def _system_now() -> datetime:
    return datetime.now(UTC)


_now: Callable[[], datetime] = _system_now


def utcnow() -> datetime:
    """The current moment, aware, in UTC, for column defaults.

    ``app.core.clock`` hands its own source in with ``use_clock`` when it is imported, so
    that a row stamped here agrees with the services' "now".
    """
    return _now()


def use_clock(source: Callable[[], datetime]) -> None:
    """Take column defaults' "now" from ``source`` (``app.core.clock`` calls this)."""
    global _now  # noqa: PLW0603 - the one hook by which the clock reaches the models
    _now = source


def str_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: a VARCHAR with a named CHECK constraint, no native type.

    Native PostgreSQL enums need their own migrations for every new value; a checked
    string behaves the same on SQLite and PostgreSQL.
    """
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def plain(value: Any) -> Any:
    """A JSON-friendly copy of a column value for audit snapshots."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


# Search indexes that migrations build by hand (FTS5 tables, a view, PostgreSQL's
# tsvector table); they have no model, and autogenerate must leave them alone.
HAND_MADE_PREFIX = "item_search"
# What only the database writes, on PostgreSQL (migration 0009): no program reads or
# writes it through a model.
DATABASE_OWN = frozenset({"row_changes", "ix_row_changes_table_row", "db_user"})


def include_in_autogenerate(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's ``include_object`` hook: skip the hand-made search objects and the
    database's own record of changes."""
    if (name or "").startswith(HAND_MADE_PREFIX):
        return False
    return not (reflected and compare_to is None and name in DATABASE_OWN)
