"""The Inspections view: what is overdue, due soon, out of service and defective."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import vocabulary
from app.core.clock import UK, look_ahead_problem, now_utc, today_uk
from app.core.errors import Refusal
from app.inspections.defects import DefectView, open_defects
from app.inspections.service import DUE_SOON_DAYS, DueState, InspectionRefused, Standing, standings
from app.storage.database import Database
from models import Agency, Category, DefectSeverity, EquipmentItem, ItemStatus


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
_SEVERITY_ORDER = {DefectSeverity.UNSAFE: 0, DefectSeverity.MAJOR: 1, DefectSeverity.MINOR: 2}


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
        items = _items_watched(session, set(everyone) | {d.item_id for d in defects}, agency_id)
    overdue, soon = _due_rows(everyone, items, today, days)
    defect_rows = _defect_rows(defects, items)
    return InspectionsOverview(
        days=days,
        today=today,
        lists={
            Watch.OVERDUE: tuple(overdue),
            Watch.DUE_SOON: tuple(soon),
            Watch.OUT_OF_SERVICE: tuple(_out_of_service_rows(defect_rows, items)),
            Watch.DEFECTS: tuple(defect_rows),
        },
    )


def _items_watched(session: Session, item_ids: set[int], agency_id: int | None) -> dict[int, Any]:
    """The kit (not retired, of the agency if one is given) among ``item_ids``, plus any
    out of service, each with the names a row shows."""
    conditions: list[Any] = [EquipmentItem.status != ItemStatus.RETIRED]
    if agency_id is not None:
        conditions.append(EquipmentItem.owner_agency_id == agency_id)
    out_of_service = select(EquipmentItem.id).where(
        EquipmentItem.status == ItemStatus.OUT_OF_SERVICE, *conditions
    )
    item_ids = item_ids | set(session.scalars(out_of_service))
    return {
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


def _row(item: Any, **extra: Any) -> WatchRow:
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


def _due_rows(
    everyone: dict[int, list[Standing]], items: dict[int, Any], today: date, days: int
) -> tuple[list[WatchRow], list[WatchRow]]:
    """The lapsed standings (never done and failed first) and those due within ``days``."""
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
            row = _row(
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
    return overdue, soon


def _defect_rows(defects: Sequence[DefectView], items: dict[int, Any]) -> list[WatchRow]:
    """The open defects of the kit watched, the most severe first."""
    rows = [
        _row(
            items[d.item_id],
            what=d.severity_words,
            words=f"{d.description} ({d.units_words})" if d.is_pooled else d.description,
            last_on=d.reported_at.astimezone(UK).date(),
            defect_id=d.id,
            severity=d.severity,
        )
        for d in defects
        if d.item_id in items
    ]
    rows.sort(key=lambda r: (_SEVERITY_ORDER[r.severity or DefectSeverity.MINOR], r.asset_tag))
    return rows


def _out_of_service_rows(defect_rows: Sequence[WatchRow], items: dict[int, Any]) -> list[WatchRow]:
    """Kit out of service: by its unsafe defects, or with a note where none is open."""
    out = [r for r in defect_rows if r.out_of_service and r.severity is DefectSeverity.UNSAFE]
    explained = {r.item_id for r in out}
    for item in items.values():
        if item.status is ItemStatus.OUT_OF_SERVICE and item.id not in explained:
            out.append(
                _row(
                    item,
                    what=vocabulary.label(ItemStatus.OUT_OF_SERVICE),
                    words="No open unsafe defect is recorded.",
                )
            )
    return out
