"""Errors that carry a sentence a person can act on.

Two families, kept apart on purpose (as qutebrowser does for SQL errors):

* ``DomainError``: a rule refused what someone asked (a loan outside its protocol, an
  unknown tag). Shown as a plain message; nothing changed.
* ``EnvironmentFault``: the world is not as the app needs it (server down, file locked,
  read-only or corrupt, database newer than the app). Also shown as a plain message.

Anything else is a programming mistake and is allowed to surface as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class KitShareError(Exception):
    """Base of every error whose message is written for the person at the screen."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DomainError(KitShareError):
    """A request that the rules refuse."""


@dataclass(frozen=True)
class Refusal:
    """One rule an action breaks, said as what would satisfy it.

    ``rule`` is a short stable name (``"notice"``, ``"competence"``…) for code and
    tests; ``field`` names the dialog field to point at, if one is to blame.
    """

    rule: str
    message: str
    field: str | None = None


class Refused(DomainError):
    """The rules refuse an action; ``problems`` lists every rule broken."""

    def __init__(self, problems: Sequence[Refusal]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            message = self.problems[0].message
        else:
            listed = " ".join(f"{n}. {p.message}" for n, p in enumerate(self.problems, 1))
            message = f"{len(self.problems)} things stop this: {listed}"
        super().__init__(message)

    @property
    def rules(self) -> set[str]:
        return {p.rule for p in self.problems}

    @classmethod
    def raise_if_any(cls, problems: Sequence[Refusal]) -> None:
        """Raise this refusal with ``problems``, each once and in order, if there are any."""
        if problems:
            raise cls(list(dict.fromkeys(problems)))


class WorkingOffline(DomainError):
    """A change that needs the server, asked for while the station works from its copy."""


class BadDate(DomainError):
    """A date or time someone typed that Kit Share will not take: one it cannot read,
    one outside the years it keeps, or a UK clock time that is skipped or happens twice."""


class NotPermitted(DomainError):
    """The person acting does not hold the role the action needs."""


class NotFound(DomainError):
    """A tag, id or name that matches nothing."""


class DatabaseNotEmpty(DomainError):
    """Demo data was asked for on a database that already holds records."""


class AuditTamper(DomainError):
    """Something tried to change or delete an audit event, and the database refused."""

    def __init__(
        self,
        message: str = (
            "The audit trail cannot be changed or deleted: each event is kept as written."
        ),
    ) -> None:
        super().__init__(message)


class EnvironmentFault(KitShareError):
    """The database or its surroundings are not usable as they are."""


class DatabaseUnavailable(EnvironmentFault):
    """The server cannot be reached, or the file's folder does not exist."""


class DatabaseLocked(EnvironmentFault):
    """Another program holds the database and did not let go in time."""


class DatabaseReadOnly(EnvironmentFault):
    """The database file or its folder cannot be written."""


class DatabaseCorrupt(EnvironmentFault):
    """The file is not a SQLite database, or it is damaged."""


class DatabaseTooNew(EnvironmentFault):
    """The database was upgraded by a newer Kit Share than this one."""


class ServerRefused(EnvironmentFault):
    """A server that checks each person's rights refused the signed-in person this."""


class DatabaseTooOld(EnvironmentFault):
    """A server only its owner may upgrade has an older schema than this Kit Share."""
