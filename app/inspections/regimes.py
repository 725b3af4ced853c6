"""Inspection regimes: what each covers (a category or one item), how often it falls due,
and who may set, change or remove one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.audit.record import record_change, snapshot
from app.core.actor import Actor
from app.core.checks import text_problems
from app.core.errors import Refusal
from app.core.lookup import get_or_missing
from app.core.permissions import Action, require
from app.core.text import clean_fields
from app.inspections.service import (
    NAME_MAX,
    InspectionRefused,
    interval_words,
    load_item,
    refuse_if,
)
from app.storage.database import Database
from models import Category, EquipmentItem, Inspection, InspectionRegime

# Longest interval a regime may have: ten years, in either unit.
MAX_INTERVAL_MONTHS = 120
MAX_INTERVAL_DAYS = 3660
REGIME_FIELDS = (
    "name",
    "category_id",
    "item_id",
    "interval_days",
    "interval_months",
    "blocks_issue",
)


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
            item = load_item(session, item_id)
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
    problems = text_problems(
        " ".join(draft.name.split()),
        field="name",
        limit=NAME_MAX,
        what="The name",
        missing="Give the regime a name, e.g. “LOLER thorough examination”.",
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
        refuse_if(_regime_problems(session, draft))
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


def _locked_regime(session: Session, regime_id: int) -> InspectionRegime:
    missing = f"There is no inspection regime number {regime_id}."
    return get_or_missing(session, InspectionRegime, regime_id, missing, lock=True)


def update_regime(db: Database, regime_id: int, draft: RegimeDraft, actor: Actor) -> None:
    """Change a regime. Due dates already recorded stay as they were worked out."""
    draft = clean_fields(draft)
    with db.write() as session:
        regime = _locked_regime(session, regime_id)
        _require_regime_change(session, actor, regime)
        _require_regime_change(session, actor, draft)
        refuse_if(_regime_problems(session, draft))
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
        regime = _locked_regime(session, regime_id)
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
