"""Recording an inspection: the draft and its rules, the next due date a pass gives, the
defect a fail opens, and an item's inspection history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.audit.record import record_change, snapshot
from app.core.actor import Actor
from app.core.checks import text_problems
from app.core.clock import day_problem, format_date, now_utc, today_uk
from app.core.errors import Refusal
from app.core.permissions import Action, require
from app.core.text import clean_fields
from app.core.vocabulary import label
from app.inspections.defects import mark_cleared, open_defect, settle_status
from app.inspections.service import (
    INSPECTION_MULTILINE,
    NAME_MAX,
    TEXT_MAX,
    full_name_sql,
    interval_words,
    item_label,
    load_item,
    next_due,
    refuse_if,
)
from app.storage.database import Database
from models import (
    Defect,
    DefectSeverity,
    DefectSource,
    EquipmentItem,
    Inspection,
    InspectionRegime,
    InspectionResult,
    ItemStatus,
    Person,
)

CERTIFICATE_MAX = 100
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
        return label(self.result)


def inspection_history(db: Database, item_id: int) -> list[InspectionView]:
    """An item's inspections, newest first."""
    with db.read() as session:
        rows = session.execute(
            select(Inspection, InspectionRegime.name, full_name_sql(Person))
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
                    f"That inspection regime does not cover {item_label(item)}; choose one of "
                    "its own.",
                    "regime",
                )
            ], None
        return [], regime
    if covering:
        names = "; ".join(f"“{r.name}”" for r in covering)
        return [
            Refusal(
                "regime",
                f"Say which inspection this was: {item_label(item)} is inspected under {names}.",
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
    else:
        problems += text_problems(
            name,
            field="inspector",
            limit=NAME_MAX,
            what="The inspector's name",
            missing="Say who inspected it: a person on record, or the name of the competent "
            "person or firm.",
        )
    if draft.result is None:
        problems.append(
            Refusal("result", "Say how it went: pass, pass with advisories or fail.", "result")
        )
    problems += text_problems(draft.notes, field="notes", limit=TEXT_MAX, what="The note")
    problems += text_problems(
        draft.certificate_ref,
        field="certificate_ref",
        limit=CERTIFICATE_MAX,
        what="The certificate reference",
    )
    return problems


def _fail_problems(draft: InspectionDraft) -> list[Refusal]:
    problems = text_problems(
        draft.defect,
        field="defect",
        limit=TEXT_MAX,
        what="The description of the defect",
        missing="A failed inspection opens a defect: say what is wrong with it.",
    )
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
            f"Only open defects of {item_label(item)} can be cleared by its inspection; one "
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
        problems.append(Refusal("item", f"{item_label(item)} is retired; it is not inspected."))
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
        item = load_item(session, draft.item_id)
        return _inspection_problems(session, item, draft, today)[0]


def record_inspection(
    db: Database, draft: InspectionDraft, actor: Actor, *, now: datetime | None = None
) -> int:
    """Record an inspection of the owner's kit; a fail opens a defect. Returns its id."""
    draft = clean_fields(draft, multiline=INSPECTION_MULTILINE)
    moment = now or now_utc()
    today = today_uk(moment)
    with db.write() as session:
        item = load_item(session, draft.item_id, lock=True)
        require(
            actor,
            Action.RECORD_INSPECTION,
            agency_id=item.owner_agency_id,
            agency_name=item.owner_agency.name,
        )
        problems, regime, due = _inspection_problems(session, item, draft, today)
        refuse_if(problems)
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
            note=f"{what} of {item.asset_tag}: {label(draft.result).lower()}",
        )
        if draft.result is InspectionResult.FAIL:
            open_defect(
                session,
                item,
                actor,
                source=DefectSource.INSPECTION,
                severity=draft.defect_severity,
                description=draft.defect,
                reported_at=moment,
                # An outside examiner is not on record: then whoever records it.
                reported_by_id=draft.inspector_id or actor.person_id,
                inspection_id=inspection.id,
                # An inspection passes or fails a pool as a whole: every unit is held back.
                quantity=item.quantity,
            )
        cleared_note = f"{what} passed on {format_date(draft.inspected_on)}"
        if inspection.certificate_ref:
            cleared_note += f", certificate {inspection.certificate_ref}"
        if inspection.notes:
            cleared_note += f": {inspection.notes}"
        for defect_id in draft.clears:
            defect = session.get(Defect, defect_id, with_for_update=True)
            assert defect is not None
            mark_cleared(session, defect, cleared_note, actor, moment)
        settle_status(session, item)
        return inspection.id
