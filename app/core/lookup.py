"""Finding one record by its id, or saying in a sentence that there is none.

``with_id`` looks among records a service has already listed (the one a dialog edits);
``get_or_missing`` reads a row from the database. Both raise ``NotFound`` with the
caller's own sentence, which names the record as a person knows it ("There is no MoU with
id 12; it may have been removed."). ``chosen`` reads the record picked from a form's list,
and says why it cannot be used among the form's other problems.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from app.core.checks import choice_refusal
from app.core.errors import NotFound, Refusal


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


def get_or_missing(
    session: Session,
    model: type[R],
    record_id: int,
    missing: str,
    *,
    lock: bool = False,
    options: Sequence[ORMOption] = (),
) -> R:
    """The ``model`` row with id ``record_id``; ``lock`` takes that row until commit.
    Raises ``NotFound`` with ``missing`` if there is none.

    With eager-loading ``options`` the row is always read by a query, so that they apply
    even to a row the session holds already, and a lock takes this row alone: PostgreSQL
    will not lock the rows an outer join may leave out."""
    if options:
        (key,) = inspect(model).primary_key
        statement = select(model).where(key == record_id).options(*options)
        if lock:
            statement = statement.with_for_update(of=model)
        found = session.scalars(statement).first()
    else:
        found = session.get(model, record_id, with_for_update=lock or None)
    if found is None:
        raise NotFound(missing)
    return found


def chosen(
    session: Session,
    model: type[R],
    chosen_id: int | None,
    problems: list[Refusal],
    rule: str,
    *,
    field: str,
    what: str,
    missing: str = "",
) -> R | None:
    """The ``model`` row chosen from a list in ``field``; ``None`` when nothing was chosen
    or it is gone, with ``choice_refusal``'s reason added to ``problems``."""
    found = session.get(model, chosen_id) if chosen_id is not None else None
    if found is None:
        problems.append(choice_refusal(rule, chosen_id, field=field, what=what, missing=missing))
    return found
