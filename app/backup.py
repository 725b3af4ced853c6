"""Backing up and restoring a station's SQLite database.

A backup is taken with SQLite's online backup API, so it is consistent even while the
window (or another PC on the share) is writing. A restore checks the file first
(``PRAGMA integrity_check``, a schema revision this version of Kit Share knows) and keeps
the file it replaces aside. PostgreSQL is backed up with the server's own tools.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.errors import DomainError


class BackupRefused(DomainError):
    """A backup or restore could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupCheck:
    """What checking a backup file found."""

    path: Path
    revision: str | None
    taken_at: datetime | None  # from the file name, else its modification time
    items: int
    loans: int
    people: int


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    set_aside: Path  # where the replaced database file now is
