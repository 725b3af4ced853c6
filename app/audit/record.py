"""The audit trail: who changed what, when, with the values before and after.

Every service that changes a record calls ``record_change`` inside its own transaction, so
the change and its audit event are committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from app.core.actor import Actor
from models import AuditEvent
from models.base import plain


def record_change(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: int | None,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str | None = None,
) -> None:
    """Add one audit event on behalf of ``actor`` to ``session``'s transaction, so it is
    committed with the change or not at all."""
    session.add(
        AuditEvent(
            actor=actor.name,
            user_id=actor.user_id,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            before=before,
            after=after,
            note=note,
        )
    )


def snapshot(obj: object, fields: Iterable[str]) -> dict[str, Any]:
    """The named attributes of ``obj`` as JSON-safe values (enums by value, dates ISO)."""
    return {name: plain(getattr(obj, name)) for name in fields}
