"""The audit trail: who changed what, when, with the values before and after.

Every service that changes a record calls ``record`` inside its own transaction, so
the change and its audit event are committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from app.core.actor import Actor
from models import AuditEvent
from models.base import plain


def record(
    session: Session,
    *,
    actor: str,
    user_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str | None = None,
) -> None:
    """Add one audit event to ``session``'s transaction (committed with the change)."""
    session.add(
        AuditEvent(
            actor=actor,
            user_id=user_id,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            before=before,
            after=after,
            note=note,
        )
    )


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
    """``record`` on behalf of the signed-in ``actor``."""
    record(
        session,
        actor=actor.name,
        user_id=actor.user_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
        note=note,
    )


def snapshot(obj: object, fields: Iterable[str]) -> dict[str, Any]:
    """The named attributes of ``obj`` as JSON-safe values (enums by value, dates ISO)."""
    return {name: plain(getattr(obj, name)) for name in fields}
