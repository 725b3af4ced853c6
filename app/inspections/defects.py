"""Defects: reading them, reporting one, clearing one with what was done, and the item's
status that follows (out of service while an unsafe defect is open).

A defect on a pooled item names how many of its units it affects (``quantity``); those
units are not free until it is cleared (``app.catalogue.availability.held_by_defects``)
and the rest can go. A pool is out of service only while its open unsafe defects cover
every unit. A single item's defects affect its one unit, as they always did.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.audit.record import record_change, snapshot
from app.core.actor import Actor
from app.core.checks import text_problems
from app.core.clock import UK, format_date, format_datetime, now_utc
from app.core.errors import NotFound, Refusal
from app.core.lookup import get_or_missing
from app.core.permissions import Action, require
from app.core.text import clean_fields, clean_text
from app.core.vocabulary import label
from app.inspections.service import (
    INSPECTION_MULTILINE,
    TEXT_MAX,
    InspectionRefused,
    full_name_sql,
    item_label,
    load_item,
    refuse_if,
)
from app.storage.database import Database
from models import (
    BLOCKING_SEVERITIES,
    OUT_STATUSES,
    Agency,
    AppUser,
    Defect,
    DefectSeverity,
    DefectSource,
    EquipmentItem,
    ItemStatus,
    Loan,
    LoanLine,
    Person,
)

DEFECT_FIELDS = (
    "item_id",
    "source",
    "severity",
    "description",
    "quantity",
    "reported_by_id",
    "loan_id",
    "inspection_id",
    "cleared_at",
    "cleared_by_id",
    "clearance_note",
)


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
    # The units it affects, of how many the item has, and whether the item is a pool.
    quantity: int = 1
    item_quantity: int = 1
    is_pooled: bool = False

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None

    @property
    def units_words(self) -> str:
        """ "2 of 40" on a pool; "" on a single item."""
        return f"{self.quantity} of {self.item_quantity}" if self.is_pooled else ""

    @property
    def blocks_issue(self) -> bool:
        return self.is_open and self.severity in BLOCKING_SEVERITIES

    @property
    def severity_words(self) -> str:
        return label(self.severity)

    @property
    def summary(self) -> str:
        """ "Unsafe: mast winch cable frayed (reported 16/11/2026)"; on a pool "Major: feet
        cracked (2 of 40, reported 16/11/2026)"."""
        day = format_date(self.reported_at.astimezone(UK).date())
        units = f"{self.units_words}, " if self.is_pooled else ""
        return f"{self.severity_words}: {self.description} ({units}reported {day})"

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
            EquipmentItem.quantity,
            EquipmentItem.is_pooled,
            Agency.name,
            full_name_sql(reporter),
            AppUser.username,
            full_name_sql(clearer),
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
            quantity=d.quantity,
            item_quantity=pool_size,
            is_pooled=is_pooled,
        )
        for (
            d,
            tag,
            name,
            owner_id,
            pool_size,
            is_pooled,
            owner,
            reported_by,
            username,
            cleared_name,
        ) in session.execute(statement)
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


@dataclass(frozen=True)
class DefectDraft:
    item_id: int
    description: str = ""
    severity: DefectSeverity | None = None
    reported_by_id: int | None = None
    loan_id: int | None = None
    # How many units of a pooled item it affects (a single item has one).
    quantity: int = 1


def quantity_problems(item: EquipmentItem, quantity: int, field: str = "quantity") -> list[Refusal]:
    """A defect affects 1 unit of a single item, and from 1 to all of a pool's."""
    if not item.is_pooled:
        if quantity == 1:
            return []
        return [
            Refusal(
                "quantity",
                f"{item_label(item)} is a single item: a defect on it affects 1. Enter 1.",
                field,
            )
        ]
    if 1 <= quantity <= item.quantity:
        return []
    return [
        Refusal(
            "quantity",
            f"There are only {item.quantity} of {item_label(item)}: say how many of them the "
            f"defect affects, from 1 to {item.quantity}.",
            field,
        )
    ]


def _defect_problems(session: Session, item: EquipmentItem, draft: DefectDraft) -> list[Refusal]:
    problems: list[Refusal] = []
    if item.status is ItemStatus.RETIRED:
        problems.append(Refusal("item", f"{item_label(item)} is retired."))
    problems += text_problems(
        draft.description,
        field="description",
        limit=TEXT_MAX,
        what="The description",
        missing="Say what is wrong, so whoever repairs it knows what to look at.",
    )
    problems += quantity_problems(item, draft.quantity)
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
                Refusal("loan", f"Loan {draft.loan_id} did not include {item_label(item)}.", "loan")
            )
    return problems


def check_defect(db: Database, draft: DefectDraft) -> list[Refusal]:
    draft = clean_fields(draft, multiline=INSPECTION_MULTILINE)
    with db.read() as session:
        return _defect_problems(session, load_item(session, draft.item_id), draft)


def report_defect(
    db: Database, draft: DefectDraft, actor: Actor, *, now: datetime | None = None
) -> int:
    """Record a defect found at any time (anyone signed in may); returns its id.

    An unsafe defect takes the item out of service at once, even while it is on loan;
    on a pool it takes its units out, and the pool once they cover every unit.
    """
    draft = clean_fields(draft, multiline=INSPECTION_MULTILINE)
    require(actor, Action.REPORT_DEFECT)
    moment = now or now_utc()
    with db.write() as session:
        item = load_item(session, draft.item_id, lock=True)
        refuse_if(_defect_problems(session, item, draft))
        assert draft.severity is not None
        defect = open_defect(
            session,
            item,
            actor,
            source=DefectSource.REPORTED,
            severity=draft.severity,
            description=draft.description,
            reported_at=moment,
            reported_by_id=draft.reported_by_id or actor.person_id,
            loan_id=draft.loan_id,
            quantity=draft.quantity,
        )
        settle_status(session, item)
        return defect.id


def open_defect(
    session: Session,
    item: EquipmentItem,
    actor: Actor,
    *,
    source: DefectSource,
    severity: DefectSeverity,
    description: str,
    reported_at: datetime,
    reported_by_id: int | None,
    loan_id: int | None = None,
    inspection_id: int | None = None,
    quantity: int = 1,
) -> Defect:
    """Open a defect on ``item`` (on ``quantity`` of a pool's units), found by
    ``reported_by_id`` at ``reported_at`` (on a loan or at an inspection), and say so in
    the audit trail; returns it, saved. The caller has checked :func:`quantity_problems`."""
    defect = Defect(
        item_id=item.id,
        source=source,
        severity=severity,
        description=description.strip(),
        reported_at=reported_at,
        reported_by_id=reported_by_id,
        loan_id=loan_id,
        inspection_id=inspection_id,
        quantity=quantity,
    )
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
        note=f"{label(defect.severity)} defect on {_units_of(item, quantity)}",
    )
    return defect


def _units_of(item: EquipmentItem, quantity: int) -> str:
    """ "CAM-000130" for a single item, "2 of 40 CAM-000130" for a pool."""
    return f"{quantity} of {item.quantity} {item.asset_tag}" if item.is_pooled else item.asset_tag


def mark_cleared(
    session: Session, defect: Defect, note: str, actor: Actor, moment: datetime
) -> None:
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
    """Clear an open defect with what was done; its units are free again, and the item
    returns to service if nothing else unsafe is open on it (a pool: on every unit)."""
    note = clean_text(note, multiline=True)
    moment = now or now_utc()
    with db.write() as session:
        defect = get_or_missing(
            session, Defect, defect_id, f"There is no defect number {defect_id}.", lock=True
        )
        item = load_item(session, defect.item_id, lock=True)
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
                        f"This defect on {item_label(item)} was already cleared at "
                        f"{format_datetime(defect.cleared_at)}.",
                    )
                ]
            )
        if problems := text_problems(
            note,
            field="note",
            limit=TEXT_MAX,
            what="The note",
            missing="Say what was done to put it right (repair, part replaced, re-tested), "
            "so the next person can trust it.",
        ):
            raise InspectionRefused(problems)
        mark_cleared(session, defect, note.strip(), actor, moment)
        settle_status(session, item)


def unsafe_units(session: Session, item: EquipmentItem) -> int:
    """Units of the item under open unsafe defects (a single item: 1 if any is open)."""
    units = session.scalar(
        select(func.coalesce(func.sum(Defect.quantity), 0)).where(
            Defect.item_id == item.id,
            Defect.cleared_at.is_(None),
            Defect.severity == DefectSeverity.UNSAFE,
        )
    )
    return min(int(units or 0), item.quantity)


def settle_status(session: Session, item: EquipmentItem) -> None:
    """Put the item out of service while an unsafe defect is open (a pool: while open
    unsafe defects cover every unit), and back once none is (a pool: once some unit is
    clear of them).

    Back means on loan if a tagged item is out with a borrower, else available.
    """
    if item.status is ItemStatus.RETIRED:
        return
    session.flush()
    if unsafe_units(session, item) >= item.quantity:
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
