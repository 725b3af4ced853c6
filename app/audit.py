"""The audit trail: who changed what, when, with the values before and after.

Every service that changes a record calls ``record`` inside its own transaction, so
the change and its audit event are committed together or not at all.
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from models import AuditEvent, Role
from models.base import plain


@dataclass(frozen=True)
class Actor:
    """The person making a change, and the role they act in.

    ``role`` is None for a station PC nobody has signed in on: it may read and log loans,
    but not change the MoU register. Users and roles (issue 6) fill in the rest.
    """

    name: str
    user_id: int | None = None
    role: Role | None = None

    @property
    def is_administrator(self) -> bool:
        return self.role is Role.ADMINISTRATOR


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


def snapshot(obj: object, fields: Iterable[str]) -> dict[str, Any]:
    """The named attributes of ``obj`` as JSON-safe values (enums by value, dates ISO)."""
    return {name: plain(getattr(obj, name)) for name in fields}


def station_actor() -> Actor:
    """Who is acting until people sign in: the computer account on this station PC.

    Signing in with roles replaces this; until then the audit trail still says which
    account on which machine made each change.
    """
    return Actor(name=f"{getpass.getuser()} on {socket.gethostname()}")
