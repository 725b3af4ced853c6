"""Who is acting: the signed-in user and the role they act in, as every service and the
permission rules (``app.core.permissions``) are given it.
"""

from __future__ import annotations

from dataclasses import dataclass

from models import Role


@dataclass(frozen=True)
class Actor:
    """The signed-in user making a change: who they are, and the role they act in.

    ``role`` is None when no one has signed in: such an actor may read, but every
    service that changes data refuses it. ``person_id`` and ``agency_id`` say whose
    kit an equipment manager may look after (their own agency's).
    """

    name: str
    user_id: int | None = None
    role: Role | None = None
    person_id: int | None = None
    agency_id: int | None = None
    username: str | None = None

    @property
    def is_administrator(self) -> bool:
        return self.role is Role.ADMINISTRATOR
