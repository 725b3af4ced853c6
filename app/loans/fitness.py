"""Whether kit may change hands: the operator's qualifications, the item's defects and
inspections, and the readings taken at hand-over and return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalogue.availability import booked_peak, units_held_by_defects
from app.core.clock import UK, format_date, today_uk
from app.core.errors import Refusal
from app.core.vocabulary import label
from app.inspections.defects import DefectView, open_defects, quantity_problems
from app.inspections.service import Standing, item_standings, lapsed_problems
from app.loans.drafts import Handover, LineReturn, Readings
from app.loans.rules import item_label, items_named, unique_problems
from models import (
    EquipmentItem,
    ItemStatus,
    LoanLine,
    Person,
    PersonQualification,
    QualificationType,
    SharingProtocol,
)


def _competence_problems(
    session: Session,
    operator: Person,
    lent: Sequence[tuple[SharingProtocol, Sequence[EquipmentItem]]],
    today: date,
) -> list[Refusal]:
    """The operator must hold every qualification the protocols require, current today:
    on a loan of several items (a kit), every member's requirement together. Each
    refusal names the protocols and the items that need it."""
    problems: list[Refusal] = []
    # The record lasting longest decides: a lapsed older one must not hide a renewal.
    held: dict[int, PersonQualification] = {}
    for q in session.scalars(
        select(PersonQualification).where(PersonQualification.person_id == operator.id)
    ):
        best = held.get(q.qualification_type_id)
        if best is None or lasts_longer(q.expires_on, best.expires_on):
            held[q.qualification_type_id] = q
    for needed, protocols, items in _requirements(lent):
        record_ = held.get(needed.id)
        names = " and ".join(f"“{p.name}”" for p in protocols)
        why = f"needed under protocol {names} for {items_named(items)}"
        if record_ is None:
            message = (
                f"{operator.full_name} holds no “{needed.name}” ({why}). Name an operator "
                "who holds it."
            )
        elif record_.issued_on is not None and record_.issued_on > today:
            message = (
                f"{operator.full_name}'s “{needed.name}” only starts on "
                f"{format_date(record_.issued_on)} ({why}). Name another operator."
            )
        elif record_.expires_on is not None and record_.expires_on < today:
            message = (
                f"{operator.full_name}'s “{needed.name}” expired on "
                f"{format_date(record_.expires_on)} ({why}). Name an operator whose "
                "qualification is current."
            )
        else:
            continue
        problems.append(Refusal("competence", message, "operator"))
    return problems


def _requirements(
    lent: Sequence[tuple[SharingProtocol, Sequence[EquipmentItem]]],
) -> list[tuple[QualificationType, list[SharingProtocol], list[EquipmentItem]]]:
    """Each qualification the protocols require, once, with the protocols requiring it
    and the items they lend, in the order first met."""
    found: dict[int, tuple[QualificationType, list[SharingProtocol], list[EquipmentItem]]] = {}
    for protocol, items in lent:
        for needed in protocol.required_qualifications:
            _, protocols, named = found.setdefault(needed.id, (needed, [], []))
            if protocol not in protocols:
                protocols.append(protocol)
            named.extend(item for item in items if item not in named)
    return list(found.values())


def lasts_longer(a: date | None, b: date | None) -> bool:
    """``a`` lasts longer than ``b`` (no expiry lasts longest)."""
    if a is None:
        return b is not None
    return b is not None and a > b


def _sentence(text: str) -> str:
    """``text`` as a sentence: a capital first, a full stop (or ! or ?) last."""
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _defect_problems(item: EquipmentItem, defects: Sequence[DefectView]) -> list[Refusal]:
    """A single item cannot go out while a major or unsafe defect is open on it; a pool
    cannot while such defects hold back every unit (fewer: see :func:`defect_shortfall`)."""
    blocking = [d for d in defects if d.blocks_issue]
    if not blocking:
        return []
    if not item.is_pooled:
        return [
            Refusal(
                "defect",
                f"{item_label(item)} has an open {label(d.severity).lower()} defect, reported "
                f"{format_date(d.reported_at.astimezone(UK).date())}: "
                f"{_sentence(d.description)} It cannot go out until the defect is cleared.",
                "lines",
            )
            for d in blocking
        ]
    if sum(d.quantity for d in blocking) < item.quantity:
        return []
    return [
        Refusal(
            "defect",
            f"All {item.quantity} of {item_label(item)} are held back by open defects: "
            f"{'; '.join(d.summary for d in blocking)}. None can go out until a defect is "
            "cleared.",
            "lines",
        )
    ]


def issue_blockers(
    session: Session,
    item: EquipmentItem,
    today: date,
    *,
    standings: Sequence[Standing] | None = None,
    defects: Sequence[DefectView] | None = None,
) -> list[Refusal]:
    """Why ``item`` cannot be handed over today: its status, open major or unsafe defects
    (on a pool, only when they hold back every unit), lapsed, failed or missing
    inspections (``app.inspections.service`` says which).

    The item panel shows exactly this list, and issuing refuses on it; it passes the
    standings and open defects it has already read. How many of a pool its defects leave
    free for one loan is :func:`defect_shortfall`.
    """
    problems: list[Refusal] = []
    if item.status is ItemStatus.RETIRED:
        problems.append(Refusal("status", f"{item_label(item)} is retired.", "lines"))
    if defects is None:
        defects = open_defects(session, [item.id])
    problems.extend(_defect_problems(item, defects))
    if item.status is ItemStatus.OUT_OF_SERVICE and not any(p.rule == "defect" for p in problems):
        problems.append(
            Refusal(
                "status",
                f"{item_label(item)} is out of service. An equipment manager must return it to "
                "service before it goes out.",
                "lines",
            )
        )
    if standings is None:
        standings = item_standings(session, item.id, today)
    for standing in standings:
        message = lapsed_problems(standing, item_label(item), today)
        if message is not None:
            problems.append(Refusal("inspection", message, "lines"))
    return problems


@dataclass(frozen=True)
class Going:
    """``quantity`` of ``item`` going out for [starts_at, ends_at); ``ours`` of them are
    already booked by this loan (its lines hold stock), 0 for a loan not yet written."""

    item: EquipmentItem
    quantity: int
    starts_at: datetime
    ends_at: datetime
    ours: int = 0


def defect_shortfall(session: Session, going: Going, now: datetime) -> Refusal | None:
    """Whether open defects leave too few of a pool for ``going``: the units they hold back
    (``app.catalogue.availability.held_by_defects``) are not free, the rest can go.

    None for a single item (:func:`issue_blockers` answers for its defects), for a pool
    with no unit held back, or when enough are free.
    """
    item = going.item
    if not item.is_pooled:
        return None
    held = units_held_by_defects(session, item.id)
    if not held or held >= item.quantity:
        return None  # nothing held back; or everything, which issue_blockers says
    others = booked_peak(session, item.id, going.starts_at, going.ends_at, now) - going.ours
    free = max(item.quantity - held - max(others, 0), 0)
    if going.quantity <= free:
        return None
    defects = [d for d in open_defects(session, [item.id]) if d.blocks_issue]
    why = f"{held} {'is' if held == 1 else 'are'} held back by open defects"
    if len(defects) == 1:
        why = f"{held} {'is' if held == 1 else 'are'} held back by an open defect"
    booked = f", and {others} {'is' if others == 1 else 'are'} booked" if others > 0 else ""
    summaries = "; ".join(d.summary for d in defects)
    clear = "Clear the defect" if len(defects) == 1 else "Clear a defect"
    if free:
        fix = f"{clear} once the kit is put right, or ask for {free} or fewer."
        start = f"Only {free} of the {item.quantity} {item_label(item)} can go out"
    else:
        fix = f"{clear} once the kit is put right, or choose other times."
        start = f"None of the {item.quantity} {item_label(item)} can go out"
    return Refusal("defect", f"{start}: {why} ({summaries}){booked}. {fix}", "quantity")


def handover_problems(
    session: Session,
    handover: Handover,
    going: Sequence[Going],
    lent: Sequence[tuple[SharingProtocol, Sequence[EquipmentItem]]],
    now: datetime,
) -> list[Refusal]:
    """The safety rules of a hand-over: the operator's competence for what each protocol
    in ``lent`` lends (``app.loans.rules.lent_under``), each item's state, and that open
    defects leave enough of each pool for what goes."""
    today = today_uk(now)
    problems: list[Refusal] = []
    operator = session.get(Person, handover.operator_id) if handover.operator_id else None
    if operator is None or not operator.is_active:
        problems.append(Refusal("details", "Name the operator who will use the kit.", "operator"))
    else:
        problems.extend(_competence_problems(session, operator, lent, today))
    for field, person_id in (
        ("handed_over_by", handover.handed_over_by_id),
        ("received_by", handover.received_by_id),
    ):
        if person_id is not None and session.get(Person, person_id) is None:
            problems.append(Refusal("details", "That person is no longer listed.", field))
    for line in going:
        item = line.item
        problems.extend(issue_blockers(session, item, today))
        if (short := defect_shortfall(session, line, now)) is not None:
            problems.append(short)
        problems.extend(_readings_problems(item, handover.for_item(item.id).readings))
    return unique_problems(problems)


def _readings_problems(item: EquipmentItem, readings: Readings) -> list[Refusal]:
    problems: list[Refusal] = []
    for name, value in (("fuel", readings.fuel_percent), ("battery", readings.battery_percent)):
        if value is not None and not 0 <= value <= 100:
            problems.append(
                Refusal(
                    "readings",
                    f"Enter the {name} level of {item.asset_tag} as a percentage from 0 to 100.",
                    name,
                )
            )
    for name, value in (("hours", readings.hours), ("mileage", readings.mileage)):
        if value is not None and value < 0:
            problems.append(
                Refusal(
                    "readings", f"The {name} reading of {item.asset_tag} cannot be negative.", name
                )
            )
    return problems


def return_problems(
    session: Session,
    returns: Sequence[LineReturn],
    by_id: dict[int, LoanLine],
    returned_to_id: int | None,
) -> list[Refusal]:
    """What stops taking kit back: how many come back, who took it, the readings, and how
    many units a defect found on a pooled line affects."""
    problems: list[Refusal] = []
    if not returns or all(r.quantity == 0 for r in returns):
        problems.append(
            Refusal("quantity", "Say how many of each item have come back.", "quantity")
        )
    if returned_to_id is not None and session.get(Person, returned_to_id) is None:
        problems.append(Refusal("details", "That person is no longer listed.", "returned_to"))
    for back in returns:
        line = by_id.get(back.line_id)
        if line is None:
            problems.append(
                Refusal("details", f"Line {back.line_id} is not on this loan.", "lines")
            )
            continue
        outstanding = line.quantity - line.quantity_returned
        if back.quantity < 0 or back.quantity > outstanding:
            problems.append(
                Refusal(
                    "quantity",
                    f"{outstanding} of {item_label(line.item)} are still out; enter a number "
                    f"from 0 to {outstanding}.",
                    "quantity",
                )
            )
        problems.extend(_readings_problems(line.item, back.readings))
        if back.defect.strip() or back.defect_quantity != 1:
            problems.extend(quantity_problems(line.item, back.defect_quantity, "defect_quantity"))
    return problems
