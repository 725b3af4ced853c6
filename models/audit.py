"""The audit trail: one row per change, never updated or deleted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.columns import CreatedAt, IntPk, UserRef


class AuditEvent(Base):
    """Who did what to which record, when, with the values before and after.

    ``actor`` repeats the user's name so the record still reads correctly if the user
    is later renamed or disabled.
    """

    __tablename__ = "audit_events"
    # Append-only: migration 0005 adds triggers that refuse UPDATE and DELETE.
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id"),)

    id: Mapped[IntPk]
    occurred_at: Mapped[CreatedAt] = mapped_column(index=True)
    user_id: Mapped[UserRef | None] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60), index=True)
    entity_type: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[int | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
