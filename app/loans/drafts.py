"""What a person enters for a loan (a request, a hand-over, a return), and the refusals
the loan rules answer with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.core.errors import Refused
from models import Condition, DefectSeverity

# Texts of a loan, a hand-over or a return that may run over several lines.
LOAN_MULTILINE = ("notes", "accessories", "defect")


class LoanRefused(Refused):
    """The rules refuse a loan action; ``problems`` lists every rule broken."""


class LoanConflict(LoanRefused):
    """The kit is already booked (perhaps by another station a moment ago)."""


@dataclass(frozen=True)
class LineDraft:
    """An item on a loan, or ``quantity`` of a pooled item."""

    item_id: int
    quantity: int = 1


@dataclass(frozen=True)
class LoanDraft:
    """A loan as asked for, before it is checked."""

    borrower_agency_id: int | None
    requested_by_id: int | None
    purpose: str
    starts_at: datetime | None
    due_at: datetime | None
    lines: tuple[LineDraft, ...]
    incident_ref: str = ""
    is_emergency: bool = False
    notes: str = ""
    # The kit the lines were drafted from (``app.kits.lending``), which the loan keeps.
    kit_id: int | None = None


@dataclass(frozen=True)
class LoanWish:
    """What a person already said they want before opening a loan form: the period and
    how many, as asked in the catalogue's search ("barrier x10 free now to 18:00")."""

    starts_at: datetime
    due_at: datetime
    quantity: int = 1


@dataclass(frozen=True)
class Readings:
    """What an item's meters and tanks read at hand-over or return (blank: not read)."""

    fuel_percent: int | None = None
    hours: int | None = None
    battery_percent: int | None = None
    mileage: int | None = None


@dataclass(frozen=True)
class LineHandover:
    """The condition report for one item as it goes out."""

    item_id: int
    condition: Condition | None = None
    accessories: str | None = None
    readings: Readings = Readings()


@dataclass(frozen=True)
class Handover:
    """Who hands the kit over, who takes it and who will operate it."""

    operator_id: int | None
    handed_over_by_id: int | None = None
    received_by_id: int | None = None
    lines: tuple[LineHandover, ...] = ()

    def for_item(self, item_id: int) -> LineHandover:
        for line in self.lines:
            if line.item_id == item_id:
                return line
        return LineHandover(item_id=item_id)


@dataclass(frozen=True)
class LineReturn:
    """What comes back of one line: how many, in what state, and any defect found."""

    line_id: int
    quantity: int
    condition: Condition | None = None
    accessories: str | None = None
    readings: Readings = Readings()
    defect: str = ""
    defect_severity: DefectSeverity = DefectSeverity.MAJOR
    # How many units of a pooled line the defect affects (always 1 for a single item).
    defect_quantity: int = 1
