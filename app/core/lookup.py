"""Finding the record a dialog edits among those a service has already listed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from app.core.errors import NotFound


class Identified(Protocol):
    @property
    def id(self) -> int: ...


R = TypeVar("R", bound=Identified)


def with_id(records: Iterable[R], record_id: int, missing: str) -> R:
    """The record of ``records`` whose id is ``record_id``; raises ``NotFound`` with the
    ``missing`` message when it is not among them (another station removed it, say)."""
    found = next((record for record in records if record.id == record_id), None)
    if found is None:
        raise NotFound(missing)
    return found
