"""Column shapes that many tables share: the key, row stamps, common references, versioning.

These are SQLAlchemy's annotated declarative aliases: ``id: Mapped[IntPk]`` declares the
column the alias describes, and a ``mapped_column()`` on the right adds to it, e.g.
``agency_id: Mapped[AgencyRef] = mapped_column(index=True)``. Nullability comes from the
annotation (``Mapped[PersonRef | None]``), as for any other column.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from models.base import utcnow

IntPk = Annotated[int, mapped_column(primary_key=True)]
"""Every table's surrogate key."""

CreatedAt = Annotated[datetime, mapped_column(default=utcnow)]
"""The moment the row was written: created, recorded, reported or occurred."""

UpdatedAt = Annotated[datetime, mapped_column(default=utcnow, onupdate=utcnow)]
"""The moment the row was last changed through the ORM."""

# An agency, person or user that anything refers to cannot be deleted, so that loans,
# inspections and the audit trail go on saying who was involved.
AgencyRef = Annotated[int, mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))]
PersonRef = Annotated[int, mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))]
UserRef = Annotated[int, mapped_column(ForeignKey("app_users.id", ondelete="RESTRICT"))]


class Versioned:
    """Optimistic locking: two station PCs editing the same row cannot silently overwrite.

    SQLAlchemy adds ``row_version`` to each UPDATE's WHERE clause and raises
    ``StaleDataError`` when another writer got there first.
    """

    row_version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - a class-level directive
        return {"version_id_col": cls.__table__.c.row_version}  # type: ignore[attr-defined]
