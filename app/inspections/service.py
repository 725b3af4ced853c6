"""Inspections, defects and out-of-service kit: when each item is due, and what stops it.

PUWER reg 6(4) and LOLER reg 9(4): kit must not leave the lender without evidence of
its last inspection. So every item is inspected under its **regimes** (its category's,
and any of its own), each with an interval in days or calendar months; an item's next
due date for a regime follows from its latest inspection under it. An inspection is in
date up to and including its due day and lapsed from the day after.

A **defect** has a severity, and the severity says what it stops:

* minor: noted and shown, but the kit can still go out;
* major: the kit cannot be handed over until the defect is cleared (it can still be
  booked for later, as it may be repaired by then);
* unsafe: the kit is **out of service**: it cannot be requested, issued or shown as
  available until an equipment manager clears the defect with what was done.

A failed inspection opens a defect (unsafe unless the inspector says otherwise), and a
later pass can clear the defects it shows were put right.

This module holds what the rest share: the words and limits, and where each item stands
under its regimes. Beside it: ``regimes`` (setting them), ``recording`` (an inspection),
``defects`` (reporting and clearing) and ``overview`` (the Inspections view).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.core.clock import add_months, format_date
from app.core.errors import Refusal, Refused
from app.core.lookup import get_or_missing
from app.core.vocabulary import label
from models import (
    DefectSeverity,
    EquipmentItem,
    Inspection,
    InspectionRegime,
    InspectionResult,
    ItemStatus,
    Person,
)

# How far ahead "due soon" looks unless someone asks for another span.
DUE_SOON_DAYS = 30
NAME_MAX = 200
TEXT_MAX = 4000
# Texts of an inspection or a defect that may run over several lines.
INSPECTION_MULTILINE = ("notes", "defect", "description")
# What each severity does to the kit, as the dialogs explain it.
SEVERITY_EFFECT = {
    DefectSeverity.MINOR: "noted; the kit can still go out",
    DefectSeverity.MAJOR: "the kit cannot be handed over until the defect is cleared",
    DefectSeverity.UNSAFE: (
        "the kit is out of service: it cannot be requested, issued or shown as available "
        "until the defect is cleared"
    ),
}


def defect_effect(severity: DefectSeverity, *, pool: int | None = None, quantity: int = 1) -> str:
    """What a defect of ``severity`` does to the kit, as the dialogs say it; on a pool of
    ``pool`` units, a major or unsafe one holds back only the ``quantity`` it affects."""
    if pool is None or severity is DefectSeverity.MINOR:
        return SEVERITY_EFFECT[severity]
    if quantity >= pool:
        return f"all {pool} are held back until it is cleared"
    return f"{quantity} of the {pool} are held back until it is cleared; the rest can go out"


class InspectionRefused(Refused):
    """An inspection, defect or regime change is refused; ``problems`` lists every rule."""


# -- intervals and due dates ---------------------------------------------------------------


def next_due(inspected_on: date, *, days: int | None, months: int | None) -> date:
    """When an inspection on ``inspected_on`` falls due again under an interval.

    Months are calendar months, clamped to the end of a shorter month: an examination
    on 31/08 with a 6-month interval is due on 28/02 (29/02 in a leap year).
    """
    if days is not None:
        return inspected_on + timedelta(days=days)
    if months is not None:
        return add_months(inspected_on, months)
    raise ValueError("An interval needs days or months.")


def interval_words(days: int | None, months: int | None) -> str:
    """ "Every 6 months", "Every year", "Every 42 days"."""
    if months is not None:
        if months % 12 == 0:
            years = months // 12
            return "Every year" if years == 1 else f"Every {years} years"
        return "Every month" if months == 1 else f"Every {months} months"
    if days is not None:
        return "Every day" if days == 1 else f"Every {days} days"
    return ""


class DueState(enum.Enum):
    """Where one item stands under one regime today; worst first in ``SEVERITY``."""

    NEVER = "never"  # no inspection recorded: no evidence, so due now
    FAILED = "failed"  # its latest inspection failed
    OVERDUE = "overdue"  # its due day has passed
    DUE_SOON = "due_soon"  # due today or within the span asked about
    IN_DATE = "in_date"

    @property
    def lapsed(self) -> bool:
        """No evidence of a passed, in-date inspection: kit must not go out on it."""
        return self in (DueState.NEVER, DueState.FAILED, DueState.OVERDUE)


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


@dataclass(frozen=True)
class Standing:
    """One item under one regime: its latest inspection and when it is next due."""

    item_id: int
    regime_id: int | None
    regime: str
    blocks_issue: bool
    interval: str
    last_id: int | None = None
    last_on: date | None = None
    last_result: InspectionResult | None = None
    inspector: str = ""
    certificate_ref: str = ""
    # The next due day; for a failed or missing inspection, it is due already.
    due_on: date | None = None

    def state(self, today: date, soon_days: int = DUE_SOON_DAYS) -> DueState:
        if self.last_on is None:
            return DueState.NEVER
        if self.last_result is InspectionResult.FAIL:
            return DueState.FAILED
        if self.due_on is None:
            return DueState.IN_DATE
        if self.due_on < today:
            return DueState.OVERDUE
        if self.due_on <= today + timedelta(days=soon_days):
            return DueState.DUE_SOON
        return DueState.IN_DATE

    def blocks(self, today: date) -> bool:
        """Whether this standing stops the item being handed over today."""
        return self.blocks_issue and self.state(today).lapsed

    def due_before(self, day: date, today: date) -> bool:
        """Due (or lapsed already) before ``day``."""
        if self.state(today).lapsed:
            return True
        return self.due_on is not None and self.due_on < day

    def summary(self, today: date) -> str:
        """One line for the item panel and the sharing terms: the last inspection, then
        where it stands ("Last 01/09/2026, pass (LOLER/CFR-1/20260901). In date until…")."""
        if self.last_on is None or self.last_result is None:
            return " ".join(f"{part}." for part in (self.words(today), self.interval) if part)
        details = [label(self.last_result).lower()]
        if self.inspector:
            details.append(f"by {self.inspector}")
        if self.certificate_ref:
            details.append(f"certificate {self.certificate_ref}")
        last = f"Last {format_date(self.last_on)}, {', '.join(details)}."
        if self.state(today) is DueState.FAILED:
            return last
        return f"{last} {self.words(today)}."

    def words(self, today: date, soon_days: int = DUE_SOON_DAYS) -> str:
        """ "Overdue since 02/11/2026 (19 days)", "Due in 5 days (26/11/2026)"…"""
        state = self.state(today, soon_days)
        if state is DueState.NEVER:
            return "No inspection recorded"
        if state is DueState.FAILED:
            return f"Failed on {format_date(self.last_on)}"
        if self.due_on is None:
            return "No next date set"
        if state is DueState.OVERDUE:
            late = (today - self.due_on).days
            return f"Overdue: was due {format_date(self.due_on)} ({_days(late)} ago)"
        left = (self.due_on - today).days
        if left == 0:
            return f"Due today ({format_date(self.due_on)})"
        if left == 1:
            return f"Due tomorrow ({format_date(self.due_on)})"
        if state is DueState.DUE_SOON:
            return f"Due in {left} days ({format_date(self.due_on)})"
        return f"In date until {format_date(self.due_on)}"


@dataclass(frozen=True)
class _RegimeRow:
    id: int | None
    name: str
    category_id: int | None
    item_id: int | None
    interval_days: int | None
    interval_months: int | None
    blocks_issue: bool


# A stand-in for inspections recorded under no regime on kit that has none.
_GENERAL = _RegimeRow(None, "Inspection", None, None, None, None, False)


def full_name_sql(person: Any) -> Any:
    """A person's full name, worked out in SQL (``Person.full_name`` is Python's)."""
    return person.given_name + " " + person.family_name


def _latest_inspections(
    session: Session, item_ids: Collection[int] | None
) -> dict[tuple[int, int | None], Any]:
    """The latest inspection of each item under each regime (or none), by date then id."""
    rank = (
        func.row_number()
        .over(
            partition_by=(Inspection.item_id, Inspection.regime_id),
            order_by=(Inspection.inspected_on.desc(), Inspection.id.desc()),
        )
        .label("rank")
    )
    ranked = select(
        Inspection.id,
        Inspection.item_id,
        Inspection.regime_id,
        Inspection.inspected_on,
        Inspection.result,
        Inspection.next_due_on,
        Inspection.certificate_ref,
        func.coalesce(Inspection.inspector_name, full_name_sql(Person), "").label("inspector"),
        rank,
    ).outerjoin(Person, Person.id == Inspection.inspector_id)
    if item_ids is not None:
        ranked = ranked.where(Inspection.item_id.in_(item_ids))
    sub = ranked.subquery()
    rows = session.execute(select(sub).where(sub.c.rank == 1)).all()
    return {(row.item_id, row.regime_id): row for row in rows}


def standings(
    session: Session,
    today: date,
    *,
    item_ids: Collection[int] | None = None,
    agency_id: int | None = None,
) -> dict[int, list[Standing]]:
    """Every item's standing under each of its regimes, keyed by item id.

    Items with no regime appear only if they have inspections (under a general
    "Inspection" that blocks nothing). Retired kit is left out unless asked for by id.
    ``item_ids`` or ``agency_id`` narrow the items read; otherwise all are.
    """
    columns = select(
        InspectionRegime.id,
        InspectionRegime.name,
        InspectionRegime.category_id,
        InspectionRegime.item_id,
        InspectionRegime.interval_days,
        InspectionRegime.interval_months,
        InspectionRegime.blocks_issue,
    ).order_by(InspectionRegime.id)
    if item_ids is not None:
        # Only the regimes covering these items: one item's panel need not read them all.
        columns = columns.where(
            or_(
                InspectionRegime.item_id.in_(item_ids),
                InspectionRegime.category_id.in_(
                    select(EquipmentItem.category_id).where(EquipmentItem.id.in_(item_ids))
                ),
            )
        )
    regimes = [_RegimeRow(*row) for row in session.execute(columns)]
    by_category: dict[int, list[_RegimeRow]] = {}
    by_item: dict[int, list[_RegimeRow]] = {}
    for regime in regimes:
        if regime.category_id is not None:
            by_category.setdefault(regime.category_id, []).append(regime)
        elif regime.item_id is not None:
            by_item.setdefault(regime.item_id, []).append(regime)

    items = select(EquipmentItem.id, EquipmentItem.category_id)
    if item_ids is not None:
        items = items.where(EquipmentItem.id.in_(item_ids))
    else:
        items = items.where(EquipmentItem.status != ItemStatus.RETIRED)
        inspected = select(Inspection.item_id).distinct()
        items = items.where(
            or_(
                EquipmentItem.category_id.in_(list(by_category)),
                EquipmentItem.id.in_(list(by_item)),
                EquipmentItem.id.in_(inspected),
            )
        )
    if agency_id is not None:
        items = items.where(EquipmentItem.owner_agency_id == agency_id)
    item_rows = session.execute(items.order_by(EquipmentItem.id)).all()
    latest = _latest_inspections(
        session, [r.id for r in item_rows] if item_ids is not None else None
    )

    result: dict[int, list[Standing]] = {}
    for item_id, category_id in item_rows:
        own = [*by_category.get(category_id, []), *by_item.get(item_id, [])]
        general = latest.get((item_id, None))
        if not own:
            if general is not None:
                result[item_id] = [_standing(item_id, _GENERAL, general)]
            continue
        result[item_id] = [
            _standing(item_id, regime, _later(latest.get((item_id, regime.id)), general))
            for regime in own
        ]
    return result


def _later(a: Any, b: Any) -> Any:
    """The later of two inspections (either may be missing): an inspection recorded under
    no regime counts as evidence for every regime of the item."""
    if a is None or b is None:
        return a or b
    return a if (a.inspected_on, a.id) >= (b.inspected_on, b.id) else b


def _standing(item_id: int, regime: _RegimeRow, last: Any) -> Standing:
    interval = interval_words(regime.interval_days, regime.interval_months)
    if last is None:
        return Standing(item_id, regime.id, regime.name, regime.blocks_issue, interval)
    due = last.inspected_on if last.result is InspectionResult.FAIL else last.next_due_on
    return Standing(
        item_id=item_id,
        regime_id=regime.id,
        regime=regime.name,
        blocks_issue=regime.blocks_issue,
        interval=interval,
        last_id=last.id,
        last_on=last.inspected_on,
        last_result=last.result,
        inspector=last.inspector or "",
        certificate_ref=last.certificate_ref or "",
        due_on=due,
    )


def item_standings(session: Session, item_id: int, today: date) -> list[Standing]:
    """One item's standings (for the item panel, the sharing terms and the issue check)."""
    return standings(session, today, item_ids=[item_id]).get(item_id, [])


def items_due_before(session: Session, day: date, today: date) -> set[int]:
    """Ids of kit with an inspection due before ``day``, or lapsed, failed or never done."""
    return {
        item_id
        for item_id, rows in standings(session, today).items()
        if any(s.due_before(day, today) for s in rows)
    }


def lapsed_problems(standing: Standing, label: str, today: date) -> str | None:
    """Why ``standing`` stops the item going out today, as a sentence; None if it doesn't."""
    state = standing.state(today)
    if not standing.blocks_issue or not state.lapsed:
        return None
    if state is DueState.NEVER:
        return (
            f"No {standing.regime} is recorded for {label}; the lender must have evidence "
            "of its last inspection before it goes out. Record one first."
        )
    if state is DueState.FAILED:
        return (
            f"{label} failed its last {standing.regime} on {format_date(standing.last_on)}. "
            "It cannot go out until it passes one."
        )
    return (
        f"The {standing.regime} of {label} was due on {format_date(standing.due_on)} and "
        "has lapsed. It cannot go out until it is inspected again."
    )


# -- shared by the services beside this one -------------------------------------------------


def refuse_if(problems: Sequence[Refusal]) -> None:
    if problems:
        raise InspectionRefused(list(dict.fromkeys(problems)))


def item_label(item: EquipmentItem) -> str:
    return f"{item.asset_tag} “{item.name}”"


def load_item(session: Session, item_id: int, *, lock: bool = False) -> EquipmentItem:
    missing = f"There is no catalogue item with id {item_id}."
    return get_or_missing(session, EquipmentItem, item_id, missing, lock=lock)
