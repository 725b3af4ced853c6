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
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from app.audit.record import Actor, record_change, snapshot
from app.core.clock import (
    UK,
    add_months,
    day_problem,
    format_date,
    format_datetime,
    look_ahead_problem,
    now_utc,
    today_uk,
)
from app.core.errors import NotFound, Refusal, Refused
from app.core.permissions import Action, require
from app.core.text import clean_fields, clean_text
from app.storage.database import Database
from models import (
    OUT_STATUSES,
    Agency,
    AppUser,
    Category,
    Defect,
    DefectSeverity,
    DefectSource,
    EquipmentItem,
    Inspection,
    InspectionRegime,
    InspectionResult,
    ItemStatus,
    Loan,
    LoanLine,
    Person,
)

# How far ahead "due soon" looks unless someone asks for another span.
DUE_SOON_DAYS = 30
NAME_MAX = 200
TEXT_MAX = 4000
CERTIFICATE_MAX = 100
# Texts of an inspection or a defect that may run over several lines.
INSPECTION_MULTILINE = ("notes", "defect", "description")
# Longest interval a regime may have: ten years, in either unit.
MAX_INTERVAL_MONTHS = 120
MAX_INTERVAL_DAYS = 3660

SEVERITY_WORDS = {
    DefectSeverity.MINOR: "Minor",
    DefectSeverity.MAJOR: "Major",
    DefectSeverity.UNSAFE: "Unsafe",
}
# What each severity does to the kit, as the dialogs explain it.
SEVERITY_EFFECT = {
    DefectSeverity.MINOR: "noted; the kit can still go out",
    DefectSeverity.MAJOR: "the kit cannot be handed over until the defect is cleared",
    DefectSeverity.UNSAFE: (
        "the kit is out of service: it cannot be requested, issued or shown as available "
        "until the defect is cleared"
    ),
}
# Severities that stop a hand-over while the defect is open.
BLOCKING_SEVERITIES = (DefectSeverity.MAJOR, DefectSeverity.UNSAFE)
RESULT_WORDS = {
    InspectionResult.PASS: "Pass",
    InspectionResult.PASS_WITH_ADVISORIES: "Pass with advisories",
    InspectionResult.FAIL: "Fail",
}
SOURCE_WORDS = {
    DefectSource.RETURN: "Found on return",
    DefectSource.INSPECTION: "Found at inspection",
    DefectSource.REPORTED: "Reported",
}

INSPECTION_FIELDS = (
    "item_id",
    "regime_id",
    "inspected_on",
    "inspector_id",
    "inspector_name",
    "result",
    "notes",
    "certificate_ref",
    "next_due_on",
)
DEFECT_FIELDS = (
    "item_id",
    "source",
    "severity",
    "description",
    "reported_by_id",
    "loan_id",
    "inspection_id",
    "cleared_at",
    "cleared_by_id",
    "clearance_note",
)
REGIME_FIELDS = (
    "name",
    "category_id",
    "item_id",
    "interval_days",
    "interval_months",
    "blocks_issue",
)


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
        details = [RESULT_WORDS[self.last_result].lower()]
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


def _name(person: Any) -> Any:
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
        func.coalesce(Inspection.inspector_name, _name(Person), "").label("inspector"),
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


# -- defects as read -------------------------------------------------------------------------


@dataclass(frozen=True)
class DefectView:
    id: int
    item_id: int
    asset_tag: str
    item_name: str
    owner_agency_id: int
    owner: str
    source: DefectSource
    severity: DefectSeverity
    description: str
    reported_at: datetime
    reported_by: str
    loan_id: int | None
    inspection_id: int | None
    cleared_at: datetime | None
    cleared_by: str
    clearance_note: str

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None

    @property
    def blocks_issue(self) -> bool:
        return self.is_open and self.severity in BLOCKING_SEVERITIES

    @property
    def severity_words(self) -> str:
        return SEVERITY_WORDS[self.severity]

    @property
    def summary(self) -> str:
        """ "Unsafe: mast winch cable frayed (reported 16/11/2026)"."""
        day = format_date(self.reported_at.astimezone(UK).date())
        return f"{self.severity_words}: {self.description} (reported {day})"

    @property
    def label(self) -> str:
        return f"{self.asset_tag} “{self.item_name}”"


def _defect_views(session: Session, conditions: Sequence[Any]) -> list[DefectView]:
    reporter = aliased(Person)
    clearer = aliased(Person)
    statement = (
        select(
            Defect,
            EquipmentItem.asset_tag,
            EquipmentItem.name,
            EquipmentItem.owner_agency_id,
            Agency.name,
            _name(reporter),
            AppUser.username,
            _name(clearer),
        )
        .join(EquipmentItem, EquipmentItem.id == Defect.item_id)
        .join(Agency, Agency.id == EquipmentItem.owner_agency_id)
        .outerjoin(reporter, reporter.id == Defect.reported_by_id)
        .outerjoin(AppUser, AppUser.id == Defect.cleared_by_id)
        .outerjoin(clearer, clearer.id == AppUser.person_id)
        .where(*conditions)
        .order_by(Defect.reported_at, Defect.id)
    )
    return [
        DefectView(
            id=d.id,
            item_id=d.item_id,
            asset_tag=tag,
            item_name=name,
            owner_agency_id=owner_id,
            owner=owner,
            source=d.source,
            severity=d.severity,
            description=d.description,
            reported_at=d.reported_at,
            reported_by=reported_by or "",
            loan_id=d.loan_id,
            inspection_id=d.inspection_id,
            cleared_at=d.cleared_at,
            cleared_by=cleared_name or username or "",
            clearance_note=d.clearance_note or "",
        )
        for d, tag, name, owner_id, owner, reported_by, username, cleared_name in session.execute(
            statement
        )
    ]


def open_defects(session: Session, item_ids: Collection[int] | None = None) -> list[DefectView]:
    """Open defects, oldest first (of the given items, or of all kit)."""
    conditions: list[Any] = [Defect.cleared_at.is_(None)]
    if item_ids is not None:
        conditions.append(Defect.item_id.in_(item_ids))
    return _defect_views(session, conditions)


def list_defects(
    db: Database, item_id: int | None = None, *, include_cleared: bool = True
) -> list[DefectView]:
    """An item's defects (or every item's), oldest first; cleared ones too unless asked
    otherwise."""
    conditions: list[Any] = []
    if item_id is not None:
        conditions.append(Defect.item_id == item_id)
    if not include_cleared:
        conditions.append(Defect.cleared_at.is_(None))
    with db.read() as session:
        return _defect_views(session, conditions)


def get_defect(db: Database, defect_id: int) -> DefectView:
    with db.read() as session:
        views = _defect_views(session, [Defect.id == defect_id])
    if not views:
        raise NotFound(f"There is no defect number {defect_id}.")
    return views[0]


# -- inspections as read ---------------------------------------------------------------------


@dataclass(frozen=True)
class InspectionView:
    id: int
    item_id: int
    regime_id: int | None
    regime: str
    inspected_on: date
    inspector: str
    result: InspectionResult
    notes: str
    certificate_ref: str
    next_due_on: date | None
    recorded_at: datetime

    @property
    def result_words(self) -> str:
        return RESULT_WORDS[self.result]


def inspection_history(db: Database, item_id: int) -> list[InspectionView]:
    """An item's inspections, newest first."""
    with db.read() as session:
        rows = session.execute(
            select(Inspection, InspectionRegime.name, _name(Person))
            .outerjoin(InspectionRegime, InspectionRegime.id == Inspection.regime_id)
            .outerjoin(Person, Person.id == Inspection.inspector_id)
            .where(Inspection.item_id == item_id)
            .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
        ).all()
        return [
            InspectionView(
                id=i.id,
                item_id=i.item_id,
                regime_id=i.regime_id,
                regime=regime or "Inspection",
                inspected_on=i.inspected_on,
                inspector=i.inspector_name or person or "",
                result=i.result,
                notes=i.notes or "",
                certificate_ref=i.certificate_ref or "",
                next_due_on=i.next_due_on,
                recorded_at=i.recorded_at,
            )
            for i, regime, person in rows
        ]


# -- the Inspections view ----------------------------------------------------------------------


class Watch(enum.Enum):
    """The lists of the Inspections view; the value is its heading."""

    OVERDUE = "Overdue"
    DUE_SOON = "Due soon"
    OUT_OF_SERVICE = "Out of service"
    DEFECTS = "Open defects"


@dataclass(frozen=True)
class WatchRow:
    """One line of the Inspections view: an item under a regime, or an open defect."""

    item_id: int
    asset_tag: str
    item_name: str
    category: str
    owner: str
    owner_agency_id: int
    out_of_service: bool
    what: str  # the regime's name, or the defect's severity
    last_on: date | None = None
    due_on: date | None = None
    state: DueState | None = None
    words: str = ""
    regime_id: int | None = None
    defect_id: int | None = None
    severity: DefectSeverity | None = None

    @property
    def label(self) -> str:
        return f"{self.asset_tag} “{self.item_name}”"


@dataclass(frozen=True)
class InspectionsOverview:
    days: int
    today: date
    lists: dict[Watch, tuple[WatchRow, ...]] = field(default_factory=dict)

    def rows(self, watch: Watch) -> tuple[WatchRow, ...]:
        return self.lists.get(watch, ())

    def count(self, watch: Watch) -> int:
        """How many items the list is about (an item with two open defects counts once)."""
        return len({row.item_id for row in self.rows(watch)})


_STATE_ORDER = {DueState.NEVER: 0, DueState.FAILED: 1, DueState.OVERDUE: 2}


def inspections_overview(
    db: Database,
    *,
    days: int = DUE_SOON_DAYS,
    agency_id: int | None = None,
    now: datetime | None = None,
) -> InspectionsOverview:
    """What is overdue, due in the next ``days``, out of service and defective."""
    if days < 0:
        raise InspectionRefused([Refusal("days", "Say how many days ahead to look: 0 or more.")])
    if too_far := look_ahead_problem(days):
        raise InspectionRefused([Refusal("days", too_far)])
    today = today_uk(now or now_utc())
    with db.read() as session:
        everyone = standings(session, today, agency_id=agency_id)
        defects = open_defects(session)
        item_ids = set(everyone) | {d.item_id for d in defects}
        conditions: list[Any] = [EquipmentItem.status != ItemStatus.RETIRED]
        if agency_id is not None:
            conditions.append(EquipmentItem.owner_agency_id == agency_id)
        out_of_service = select(EquipmentItem.id).where(
            EquipmentItem.status == ItemStatus.OUT_OF_SERVICE, *conditions
        )
        item_ids |= set(session.scalars(out_of_service))
        items = {
            row.id: row
            for row in session.execute(
                select(
                    EquipmentItem.id,
                    EquipmentItem.asset_tag,
                    EquipmentItem.name,
                    EquipmentItem.status,
                    EquipmentItem.owner_agency_id,
                    Category.name.label("category"),
                    Agency.name.label("owner"),
                )
                .join(Category, Category.id == EquipmentItem.category_id)
                .join(Agency, Agency.id == EquipmentItem.owner_agency_id)
                .where(*conditions)
            )
            if row.id in item_ids
        }

    def base(item: Any, **extra: Any) -> WatchRow:
        return WatchRow(
            item_id=item.id,
            asset_tag=item.asset_tag,
            item_name=item.name,
            category=item.category,
            owner=item.owner,
            owner_agency_id=item.owner_agency_id,
            out_of_service=item.status is ItemStatus.OUT_OF_SERVICE,
            **extra,
        )

    overdue: list[WatchRow] = []
    soon: list[WatchRow] = []
    for item_id, rows in everyone.items():
        item = items.get(item_id)
        if item is None:
            continue
        for s in rows:
            state = s.state(today, days)
            if state is DueState.IN_DATE:
                continue
            row = base(
                item,
                what=s.regime,
                last_on=s.last_on,
                due_on=s.due_on,
                state=state,
                words=s.words(today, days),
                regime_id=s.regime_id,
            )
            (overdue if state.lapsed else soon).append(row)
    overdue.sort(
        key=lambda r: (
            _STATE_ORDER.get(r.state, 3) if r.state else 3,
            r.due_on or date.min,
            r.asset_tag,
        )
    )
    soon.sort(key=lambda r: (r.due_on or date.min, r.asset_tag))

    defect_rows: list[WatchRow] = []
    for d in defects:
        item = items.get(d.item_id)
        if item is None:
            continue
        defect_rows.append(
            base(
                item,
                what=d.severity_words,
                words=d.description,
                last_on=d.reported_at.astimezone(UK).date(),
                defect_id=d.id,
                severity=d.severity,
            )
        )
    order = {DefectSeverity.UNSAFE: 0, DefectSeverity.MAJOR: 1, DefectSeverity.MINOR: 2}
    defect_rows.sort(key=lambda r: (order[r.severity or DefectSeverity.MINOR], r.asset_tag))
    out = [r for r in defect_rows if r.out_of_service and r.severity is DefectSeverity.UNSAFE]
    explained = {r.item_id for r in out}
    for item in items.values():
        if item.status is ItemStatus.OUT_OF_SERVICE and item.id not in explained:
            out.append(
                base(item, what="Out of service", words="No open unsafe defect is recorded.")
            )
    return InspectionsOverview(
        days=days,
        today=today,
        lists={
            Watch.OVERDUE: tuple(overdue),
            Watch.DUE_SOON: tuple(soon),
            Watch.OUT_OF_SERVICE: tuple(out),
            Watch.DEFECTS: tuple(defect_rows),
        },
    )


# -- regimes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegimeView:
    id: int
    name: str
    category_id: int | None
    category: str
    item_id: int | None
    item_tag: str
    interval_days: int | None
    interval_months: int | None
    blocks_issue: bool
    inspections: int  # recorded under it

    @property
    def applies_to(self) -> str:
        return f"Category: {self.category}" if self.category_id else f"Item: {self.item_tag}"

    @property
    def interval(self) -> str:
        return interval_words(self.interval_days, self.interval_months)


@dataclass(frozen=True)
class RegimeDraft:
    name: str = ""
    category_id: int | None = None
    item_id: int | None = None
    interval_days: int | None = None
    interval_months: int | None = None
    blocks_issue: bool = True


def list_regimes(db: Database, *, item_id: int | None = None) -> list[RegimeView]:
    """Every regime, or just those covering ``item_id`` (its category's and its own)."""
    counts = (
        select(Inspection.regime_id, func.count().label("n"))
        .group_by(Inspection.regime_id)
        .subquery()
    )
    with db.read() as session:
        statement = (
            select(
                InspectionRegime,
                Category.name,
                EquipmentItem.asset_tag,
                func.coalesce(counts.c.n, 0),
            )
            .outerjoin(Category, Category.id == InspectionRegime.category_id)
            .outerjoin(EquipmentItem, EquipmentItem.id == InspectionRegime.item_id)
            .outerjoin(counts, counts.c.regime_id == InspectionRegime.id)
            .order_by(InspectionRegime.name, InspectionRegime.id)
        )
        if item_id is not None:
            item = session.get(EquipmentItem, item_id)
            if item is None:
                raise NotFound(f"There is no catalogue item with id {item_id}.")
            statement = statement.where(
                or_(
                    InspectionRegime.item_id == item_id,
                    InspectionRegime.category_id == item.category_id,
                )
            )
        return [
            RegimeView(
                id=r.id,
                name=r.name,
                category_id=r.category_id,
                category=category or "",
                item_id=r.item_id,
                item_tag=tag or "",
                interval_days=r.interval_days,
                interval_months=r.interval_months,
                blocks_issue=r.blocks_issue,
                inspections=int(n),
            )
            for r, category, tag, n in session.execute(statement)
        ]


def _regime_problems(session: Session, draft: RegimeDraft) -> list[Refusal]:
    problems: list[Refusal] = []
    name = " ".join(draft.name.split())
    if not name:
        problems.append(
            Refusal(
                "name",
                "Give the regime a name, e.g. “LOLER thorough examination”.",
                "name",
            )
        )
    elif len(name) > NAME_MAX:
        problems.append(
            Refusal("name", f"Keep the name to {NAME_MAX} characters or fewer.", "name")
        )
    if (draft.category_id is None) == (draft.item_id is None):
        problems.append(
            Refusal(
                "applies_to",
                "Say what the regime covers: a whole category, or one item.",
                "applies_to",
            )
        )
    elif draft.category_id is not None and session.get(Category, draft.category_id) is None:
        problems.append(Refusal("applies_to", "That category no longer exists.", "applies_to"))
    elif draft.item_id is not None and session.get(EquipmentItem, draft.item_id) is None:
        problems.append(Refusal("applies_to", "That item no longer exists.", "applies_to"))
    days, months = draft.interval_days, draft.interval_months
    if (days is None) == (months is None):
        problems.append(
            Refusal(
                "interval",
                "Give the interval in days or in months (not both), e.g. 6 months for "
                "LOLER on people-lifting kit.",
                "interval",
            )
        )
    elif (months is not None and not 1 <= months <= MAX_INTERVAL_MONTHS) or (
        days is not None and not 1 <= days <= MAX_INTERVAL_DAYS
    ):
        problems.append(
            Refusal(
                "interval",
                f"The interval must be a whole number from 1 to {MAX_INTERVAL_MONTHS} months, "
                f"or 1 to {MAX_INTERVAL_DAYS} days.",
                "interval",
            )
        )
    return problems


def _require_regime_change(session: Session, actor: Actor, draft_or_regime: Any) -> None:
    """Category regimes are an administrator's; item regimes the owner's managers'."""
    if draft_or_regime.category_id is not None:
        require(actor, Action.SET_CATEGORY_REGIME)
        return
    item_id = draft_or_regime.item_id
    item = session.get(EquipmentItem, item_id) if item_id is not None else None
    if item is None:
        require(actor, Action.SET_ITEM_REGIME)
        return
    require(
        actor,
        Action.SET_ITEM_REGIME,
        agency_id=item.owner_agency_id,
        agency_name=item.owner_agency.name,
    )


def _apply_regime(regime: InspectionRegime, draft: RegimeDraft) -> None:
    regime.name = " ".join(draft.name.split())
    regime.category_id = draft.category_id
    regime.item_id = draft.item_id
    regime.interval_days = draft.interval_days
    regime.interval_months = draft.interval_months
    regime.blocks_issue = draft.blocks_issue


def create_regime(db: Database, draft: RegimeDraft, actor: Actor) -> int:
    """Add an inspection regime; returns its id."""
    draft = clean_fields(draft)
    with db.write() as session:
        _require_regime_change(session, actor, draft)
        _refuse_if(_regime_problems(session, draft))
        regime = InspectionRegime()
        _apply_regime(regime, draft)
        session.add(regime)
        session.flush()
        record_change(
            session,
            actor,
            "inspection_regime.created",
            "inspection_regime",
            regime.id,
            before=None,
            after=snapshot(regime, REGIME_FIELDS),
            note=regime.name,
        )
        return regime.id


def update_regime(db: Database, regime_id: int, draft: RegimeDraft, actor: Actor) -> None:
    """Change a regime. Due dates already recorded stay as they were worked out."""
    draft = clean_fields(draft)
    with db.write() as session:
        regime = session.get(InspectionRegime, regime_id, with_for_update=True)
        if regime is None:
            raise NotFound(f"There is no inspection regime number {regime_id}.")
        _require_regime_change(session, actor, regime)
        _require_regime_change(session, actor, draft)
        _refuse_if(_regime_problems(session, draft))
        before = snapshot(regime, REGIME_FIELDS)
        _apply_regime(regime, draft)
        after = snapshot(regime, REGIME_FIELDS)
        if after != before:
            record_change(
                session,
                actor,
                "inspection_regime.updated",
                "inspection_regime",
                regime.id,
                before=before,
                after=after,
                note=regime.name,
            )


def delete_regime(db: Database, regime_id: int, actor: Actor) -> None:
    """Remove a regime entered in error; one with inspections recorded under it stays."""
    with db.write() as session:
        regime = session.get(InspectionRegime, regime_id, with_for_update=True)
        if regime is None:
            raise NotFound(f"There is no inspection regime number {regime_id}.")
        _require_regime_change(session, actor, regime)
        used = session.scalar(select(func.count()).where(Inspection.regime_id == regime_id))
        if used:
            raise InspectionRefused(
                [
                    Refusal(
                        "in_use",
                        f"{used} inspection{'s are' if used != 1 else ' is'} recorded under "
                        f"“{regime.name}”, so it stays as their record. To stop it holding kit "
                        "back, untick “A lapse stops the kit going out”.",
                    )
                ]
            )
        before = snapshot(regime, REGIME_FIELDS)
        name = regime.name
        session.delete(regime)
        session.flush()
        record_change(
            session,
            actor,
            "inspection_regime.deleted",
            "inspection_regime",
            regime_id,
            before=before,
            after=None,
            note=name,
        )


# -- recording an inspection -----------------------------------------------------------------


@dataclass(frozen=True)
class InspectionDraft:
    """An inspection as filled in. ``next_due_on`` None means: work it out from the regime.

    A fail opens a defect (``defect`` says what is wrong, ``defect_severity`` how bad);
    a pass may clear open defects (``clears``: their ids) it shows were put right.
    """

    item_id: int
    regime_id: int | None = None
    inspected_on: date | None = None
    inspector_id: int | None = None
    inspector_name: str = ""
    result: InspectionResult | None = None
    notes: str = ""
    certificate_ref: str = ""
    next_due_on: date | None = None
    defect: str = ""
    defect_severity: DefectSeverity = DefectSeverity.UNSAFE
    clears: tuple[int, ...] = ()


def _refuse_if(problems: Sequence[Refusal]) -> None:
    if problems:
        raise InspectionRefused(list(dict.fromkeys(problems)))


def _label(item: EquipmentItem) -> str:
    return f"{item.asset_tag} “{item.name}”"


def _load_item(session: Session, item_id: int, *, lock: bool = False) -> EquipmentItem:
    item = session.get(EquipmentItem, item_id, with_for_update=lock or None)
    if item is None:
        raise NotFound(f"There is no catalogue item with id {item_id}.")
    return item


def worked_out_due(db: Database, regime_id: int | None, inspected_on: date | None) -> date | None:
    """The next due date a pass on ``inspected_on`` under the regime gives (for the dialog)."""
    if regime_id is None or inspected_on is None:
        return None
    with db.read() as session:
        regime = session.get(InspectionRegime, regime_id)
        if regime is None:
            return None
        return next_due(inspected_on, days=regime.interval_days, months=regime.interval_months)


def _regime_problems_for(
    session: Session, item: EquipmentItem, regime_id: int | None
) -> tuple[list[Refusal], InspectionRegime | None]:
    covering = session.scalars(
        select(InspectionRegime)
        .where(
            or_(
                InspectionRegime.item_id == item.id,
                InspectionRegime.category_id == item.category_id,
            )
        )
        .order_by(InspectionRegime.name, InspectionRegime.id)
    ).all()
    if regime_id is None and len(covering) == 1:
        # Only one regime covers it: that is the inspection meant.
        return [], covering[0]
    if regime_id is not None:
        regime = next((r for r in covering if r.id == regime_id), None)
        if regime is None:
            return [
                Refusal(
                    "regime",
                    f"That inspection regime does not cover {_label(item)}; choose one of its own.",
                    "regime",
                )
            ], None
        return [], regime
    if covering:
        names = "; ".join(f"“{r.name}”" for r in covering)
        return [
            Refusal(
                "regime",
                f"Say which inspection this was: {_label(item)} is inspected under {names}.",
                "regime",
            )
        ], None
    return [], None


def _when_and_who_problems(session: Session, draft: InspectionDraft, today: date) -> list[Refusal]:
    problems: list[Refusal] = []
    day = draft.inspected_on
    if day is None:
        problems.append(
            Refusal("inspected_on", "Give the date of the inspection (DD/MM/YYYY).", "inspected_on")
        )
    elif problem := day_problem(day, "inspection date"):
        problems.append(Refusal("inspected_on", problem, "inspected_on"))
    elif day > today:
        problems.append(
            Refusal(
                "inspected_on",
                f"The inspection date {format_date(day)} is in the future; record an inspection "
                "once it has been done.",
                "inspected_on",
            )
        )
    name = " ".join(draft.inspector_name.split())
    if draft.inspector_id is not None:
        if session.get(Person, draft.inspector_id) is None:
            problems.append(Refusal("inspector", "That inspector is not on record.", "inspector"))
    elif not name:
        problems.append(
            Refusal(
                "inspector",
                "Say who inspected it: a person on record, or the name of the competent person "
                "or firm.",
                "inspector",
            )
        )
    elif len(name) > NAME_MAX:
        problems.append(
            Refusal(
                "inspector", f"Keep the inspector's name to {NAME_MAX} characters.", "inspector"
            )
        )
    if draft.result is None:
        problems.append(
            Refusal("result", "Say how it went: pass, pass with advisories or fail.", "result")
        )
    if len(draft.notes) > TEXT_MAX:
        problems.append(Refusal("notes", f"Keep the notes to {TEXT_MAX} characters.", "notes"))
    if len(draft.certificate_ref.strip()) > CERTIFICATE_MAX:
        problems.append(
            Refusal(
                "certificate_ref",
                f"Keep the certificate reference to {CERTIFICATE_MAX} characters.",
                "certificate_ref",
            )
        )
    return problems


def _fail_problems(draft: InspectionDraft) -> list[Refusal]:
    problems: list[Refusal] = []
    if not draft.defect.strip():
        problems.append(
            Refusal(
                "defect", "A failed inspection opens a defect: say what is wrong with it.", "defect"
            )
        )
    elif len(draft.defect) > TEXT_MAX:
        problems.append(Refusal("defect", f"Keep the defect to {TEXT_MAX} characters.", "defect"))
    if draft.clears:
        problems.append(
            Refusal(
                "clears",
                "A failed inspection cannot clear a defect; clear it once the kit passes.",
                "clears",
            )
        )
    return problems


def _due_problems(
    draft: InspectionDraft, regime: InspectionRegime | None, day: date
) -> tuple[list[Refusal], date | None]:
    """The next due date a pass gives: the regime's interval, or earlier if the inspector
    says so (a LOLER examiner may set a shorter one), never later."""
    longest = None
    if regime is not None:
        longest = next_due(day, days=regime.interval_days, months=regime.interval_months)
    due = draft.next_due_on or longest
    if draft.next_due_on is not None and (
        problem := day_problem(draft.next_due_on, "next due date")
    ):
        return [Refusal("next_due_on", problem, "next_due_on")], None
    if due is not None and due <= day:
        return [
            Refusal("next_due_on", "The next inspection must be due after this one.", "next_due_on")
        ], None
    if due is not None and longest is not None and due > longest and regime is not None:
        every = interval_words(regime.interval_days, regime.interval_months).lower()
        return [
            Refusal(
                "next_due_on",
                f"{regime.name} is due {every}: the next one can be earlier than "
                f"{format_date(longest)}, but not later.",
                "next_due_on",
            )
        ], None
    return [], due


def _clears_problems(session: Session, item: EquipmentItem, clears: Sequence[int]) -> list[Refusal]:
    if not clears:
        return []
    open_ids = set(
        session.scalars(
            select(Defect.id).where(Defect.item_id == item.id, Defect.cleared_at.is_(None))
        )
    )
    if set(clears) <= open_ids:
        return []
    return [
        Refusal(
            "clears",
            f"Only open defects of {_label(item)} can be cleared by its inspection; one "
            "chosen is already cleared or belongs to other kit.",
            "clears",
        )
    ]


def _inspection_problems(
    session: Session, item: EquipmentItem, draft: InspectionDraft, today: date
) -> tuple[list[Refusal], InspectionRegime | None, date | None]:
    """Every rule the draft breaks, the regime it is under and the next due date."""
    problems: list[Refusal] = []
    if item.status is ItemStatus.RETIRED:
        problems.append(Refusal("item", f"{_label(item)} is retired; it is not inspected."))
    regime_problems, regime = _regime_problems_for(session, item, draft.regime_id)
    problems += regime_problems
    problems += _when_and_who_problems(session, draft, today)
    due: date | None = None
    if draft.result is InspectionResult.FAIL:
        problems += _fail_problems(draft)
    elif draft.inspected_on is not None and day_problem(draft.inspected_on) is None:
        due_problems, due = _due_problems(draft, regime, draft.inspected_on)
        problems += due_problems
    problems += _clears_problems(session, item, draft.clears)
    return problems, regime, due


def check_inspection(
    db: Database, draft: InspectionDraft, *, now: datetime | None = None
) -> list[Refusal]:
    """What would stop ``draft`` being recorded (for a dialog to show before saving)."""
    draft = clean_fields(draft, multiline=INSPECTION_MULTILINE)
    today = today_uk(now or now_utc())
    with db.read() as session:
        item = _load_item(session, draft.item_id)
        return _inspection_problems(session, item, draft, today)[0]


def record_inspection(
    db: Database, draft: InspectionDraft, actor: Actor, *, now: datetime | None = None
) -> int:
    """Record an inspection of the owner's kit; a fail opens a defect. Returns its id."""
    draft = clean_fields(draft, multiline=INSPECTION_MULTILINE)
    moment = now or now_utc()
    today = today_uk(moment)
    with db.write() as session:
        item = _load_item(session, draft.item_id, lock=True)
        require(
            actor,
            Action.RECORD_INSPECTION,
            agency_id=item.owner_agency_id,
            agency_name=item.owner_agency.name,
        )
        problems, regime, due = _inspection_problems(session, item, draft, today)
        _refuse_if(problems)
        assert draft.result is not None
        assert draft.inspected_on is not None
        inspection = Inspection(
            item_id=item.id,
            regime_id=regime.id if regime else None,
            inspected_on=draft.inspected_on,
            inspector_id=draft.inspector_id,
            inspector_name=" ".join(draft.inspector_name.split()) or None,
            result=draft.result,
            notes=draft.notes.strip() or None,
            certificate_ref=draft.certificate_ref.strip() or None,
            next_due_on=due,
            recorded_at=moment,
        )
        session.add(inspection)
        session.flush()
        what = regime.name if regime else "Inspection"
        record_change(
            session,
            actor,
            "inspection.recorded",
            "inspection",
            inspection.id,
            before=None,
            after=snapshot(inspection, INSPECTION_FIELDS),
            note=f"{what} of {item.asset_tag}: {RESULT_WORDS[draft.result].lower()}",
        )
        if draft.result is InspectionResult.FAIL:
            _open_defect(
                session,
                item,
                Defect(
                    item_id=item.id,
                    source=DefectSource.INSPECTION,
                    severity=draft.defect_severity,
                    description=draft.defect.strip(),
                    reported_at=moment,
                    # An outside examiner is not on record: then whoever records it.
                    reported_by_id=draft.inspector_id or actor.person_id,
                    inspection_id=inspection.id,
                ),
                actor,
            )
        cleared_note = f"{what} passed on {format_date(draft.inspected_on)}"
        if inspection.certificate_ref:
            cleared_note += f", certificate {inspection.certificate_ref}"
        if inspection.notes:
            cleared_note += f": {inspection.notes}"
        for defect_id in draft.clears:
            defect = session.get(Defect, defect_id, with_for_update=True)
            assert defect is not None
            _clear(session, defect, cleared_note, actor, moment)
        settle_status(session, item)
        return inspection.id


# -- defects -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefectDraft:
    item_id: int
    description: str = ""
    severity: DefectSeverity | None = None
    reported_by_id: int | None = None
    loan_id: int | None = None


def _defect_problems(session: Session, item: EquipmentItem, draft: DefectDraft) -> list[Refusal]:
    problems: list[Refusal] = []
    if item.status is ItemStatus.RETIRED:
        problems.append(Refusal("item", f"{_label(item)} is retired."))
    if not draft.description.strip():
        problems.append(
            Refusal(
                "description",
                "Say what is wrong, so whoever repairs it knows what to look at.",
                "description",
            )
        )
    elif len(draft.description) > TEXT_MAX:
        problems.append(
            Refusal("description", f"Keep the description to {TEXT_MAX} characters.", "description")
        )
    if draft.severity is None:
        problems.append(
            Refusal("severity", "Say how bad it is: minor, major or unsafe.", "severity")
        )
    if draft.loan_id is not None:
        on_loan = session.scalar(
            select(func.count()).where(
                LoanLine.loan_id == draft.loan_id, LoanLine.item_id == item.id
            )
        )
        if not on_loan:
            problems.append(
                Refusal("loan", f"Loan {draft.loan_id} did not include {_label(item)}.", "loan")
            )
    return problems


def check_defect(db: Database, draft: DefectDraft) -> list[Refusal]:
    draft = clean_fields(draft, multiline=INSPECTION_MULTILINE)
    with db.read() as session:
        return _defect_problems(session, _load_item(session, draft.item_id), draft)


def report_defect(
    db: Database, draft: DefectDraft, actor: Actor, *, now: datetime | None = None
) -> int:
    """Record a defect found at any time (anyone signed in may); returns its id.

    An unsafe defect takes the item out of service at once, even while it is on loan.
    """
    draft = clean_fields(draft, multiline=INSPECTION_MULTILINE)
    require(actor, Action.REPORT_DEFECT)
    moment = now or now_utc()
    with db.write() as session:
        item = _load_item(session, draft.item_id, lock=True)
        _refuse_if(_defect_problems(session, item, draft))
        assert draft.severity is not None
        defect = Defect(
            item_id=item.id,
            source=DefectSource.REPORTED,
            severity=draft.severity,
            description=draft.description.strip(),
            reported_at=moment,
            reported_by_id=draft.reported_by_id or actor.person_id,
            loan_id=draft.loan_id,
        )
        _open_defect(session, item, defect, actor)
        settle_status(session, item)
        return defect.id


def _open_defect(session: Session, item: EquipmentItem, defect: Defect, actor: Actor) -> None:
    session.add(defect)
    session.flush()
    record_change(
        session,
        actor,
        "defect.reported",
        "defect",
        defect.id,
        before=None,
        after=snapshot(defect, DEFECT_FIELDS),
        note=f"{SEVERITY_WORDS[defect.severity]} defect on {item.asset_tag}",
    )


def _clear(session: Session, defect: Defect, note: str, actor: Actor, moment: datetime) -> None:
    before = snapshot(defect, DEFECT_FIELDS)
    defect.cleared_at = moment
    defect.cleared_by_id = actor.user_id
    defect.clearance_note = note
    record_change(
        session,
        actor,
        "defect.cleared",
        "defect",
        defect.id,
        before=before,
        after=snapshot(defect, DEFECT_FIELDS),
        note=note,
    )


def clear_defect(
    db: Database, defect_id: int, note: str, actor: Actor, *, now: datetime | None = None
) -> None:
    """Clear an open defect with what was done; the item returns to service if nothing
    else unsafe is open on it."""
    note = clean_text(note, multiline=True)
    moment = now or now_utc()
    with db.write() as session:
        defect = session.get(Defect, defect_id, with_for_update=True)
        if defect is None:
            raise NotFound(f"There is no defect number {defect_id}.")
        item = _load_item(session, defect.item_id, lock=True)
        require(
            actor,
            Action.CLEAR_DEFECT,
            agency_id=item.owner_agency_id,
            agency_name=item.owner_agency.name,
        )
        if defect.cleared_at is not None:
            raise InspectionRefused(
                [
                    Refusal(
                        "cleared",
                        f"This defect on {_label(item)} was already cleared at "
                        f"{format_datetime(defect.cleared_at)}.",
                    )
                ]
            )
        text = note.strip()
        if not text:
            raise InspectionRefused(
                [
                    Refusal(
                        "note",
                        "Say what was done to put it right (repair, part replaced, re-tested), "
                        "so the next person can trust it.",
                        "note",
                    )
                ]
            )
        if len(text) > TEXT_MAX:
            raise InspectionRefused(
                [Refusal("note", f"Keep the note to {TEXT_MAX} characters.", "note")]
            )
        _clear(session, defect, text, actor, moment)
        settle_status(session, item)


def settle_status(session: Session, item: EquipmentItem) -> None:
    """Put the item out of service while an unsafe defect is open, and back once none is.

    Back means on loan if a tagged item is out with a borrower, else available.
    """
    if item.status is ItemStatus.RETIRED:
        return
    session.flush()
    unsafe = session.scalar(
        select(func.count()).where(
            Defect.item_id == item.id,
            Defect.cleared_at.is_(None),
            Defect.severity == DefectSeverity.UNSAFE,
        )
    )
    if unsafe:
        item.status = ItemStatus.OUT_OF_SERVICE
        return
    if item.status is not ItemStatus.OUT_OF_SERVICE:
        return
    out = False
    if not item.is_pooled:
        out = bool(
            session.scalar(
                select(func.count())
                .select_from(LoanLine)
                .join(Loan, Loan.id == LoanLine.loan_id)
                .where(
                    LoanLine.item_id == item.id,
                    LoanLine.holds_stock.is_(True),
                    Loan.status.in_(OUT_STATUSES),
                )
            )
        )
    item.status = ItemStatus.ON_LOAN if out else ItemStatus.AVAILABLE
