"""Bringing a catalogue (or a list of people) in from a file, and exporting data out.

The import is checked first (a dry run that reports every bad row), and then done in one
transaction: a bad row, a cancel or a failure leaves the database as it was.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from app.audit import Actor
from app.database import Database
from app.errors import DomainError
from app.tabular import Cancelled, Progress, RowProblem, Table

__all__ = ["Cancelled"]


class Kind(enum.Enum):
    """What a file holds."""

    ITEMS = "items"
    PEOPLE = "people"
    LOANS = "loans"  # exported only


IMPORTABLE = (Kind.ITEMS, Kind.PEOPLE)


@dataclass(frozen=True)
class Field:
    """A field an import can fill: its key, its label in the window, whether every row
    needs it, and the header names it is guessed from (compared case- and
    punctuation-insensitively)."""

    key: str
    label: str
    required: bool
    aliases: tuple[str, ...]


FieldMapping = Mapping[str, str]
"""Field key → the file's header text for that field. JSON-friendly, for --mapping."""


def fields_for(kind: Kind) -> tuple[Field, ...]:
    """The fields an import of ``kind`` can fill, in the order the window lists them."""
    raise NotImplementedError


def guess_mapping(headers: tuple[str, ...], kind: Kind) -> dict[str, str]:
    """The mapping guessed from the headers: "Asset Tag", "asset_tag", "tag" → asset_tag…"""
    raise NotImplementedError


class NewNameKind(enum.Enum):
    CATEGORY = "category"
    AGENCY = "agency"
    SITE = "site"


@dataclass(frozen=True)
class NewName:
    """A category, agency or site the file names that is not on record yet. A site
    belongs to the agency named on its rows (``agency``)."""

    kind: NewNameKind
    name: str
    agency: str | None = None
    rows: int = 0  # how many rows name it

    @property
    def key(self) -> tuple[str, str, str | None]:
        """What identifies it when approving creation (rows not counted)."""
        return (self.kind.value, self.name.casefold(), (self.agency or "").casefold() or None)


@dataclass(frozen=True)
class ImportReport:
    """The dry run's findings."""

    kind: Kind
    total_rows: int
    problems: tuple[RowProblem, ...]
    new_names: tuple[NewName, ...]  # offered for creation
    encoding: str

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems})

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ImportResult:
    kind: Kind
    created: int
    created_names: tuple[NewName, ...]


class ImportRefused(DomainError):
    """The import was not done because the file has bad rows; ``report`` lists them."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"Nothing was imported: {report.bad_rows} rows need fixing.")
        self.report = report


def check_import(
    db: Database,
    actor: Actor,
    table: Table,
    kind: Kind,
    mapping: FieldMapping,
    *,
    create: Collection[tuple[str, str, str | None]] = (),
    progress: Progress | None = None,
) -> ImportReport:
    """The dry run: every bad row with its row number and reason. Names not on record
    and not in ``create`` (``NewName.key`` values) are reported as problems on the rows
    that use them; they are listed in ``new_names`` either way."""
    raise NotImplementedError


def run_import(
    db: Database,
    actor: Actor,
    table: Table,
    kind: Kind,
    mapping: FieldMapping,
    *,
    create: Collection[tuple[str, str, str | None]] = (),
    progress: Progress | None = None,
) -> ImportResult:
    """Check again, then import every row in one transaction: all or nothing. Raises
    ``ImportRefused`` with the report if any row is bad, ``Cancelled`` if ``progress``
    returns False."""
    raise NotImplementedError


def export(
    db: Database, actor: Actor, kind: Kind, path: Path, *, progress: Progress | None = None
) -> int:
    """Write ``kind`` to ``path`` (.csv or .xlsx) with headers an import maps back
    exactly; returns the number of rows."""
    raise NotImplementedError
