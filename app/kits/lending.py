"""Lending a kit: a loan whose lines are its members, through the loan services as they
are, so that request, approval, issue, emergency issue and return (per member, and a
few of a pool at a time) work for a kit exactly as for any loan of several items.

The loan rules hold for the whole because they hold for each line, each naming its item:
the kit is free only when every member is; every member's protocol must cover the
borrower; the operator must hold every member's qualifications together; each protocol's
notice and longest loan are checked for the members it lends, so the strictest decides.

What a form needs around that: ``kit_availability`` (each member free, or why not),
``stand_ins`` (free items of the same kind to take a member's place, and how many of a
pool are free) and ``kit_terms`` (what lending the kit to a borrower asks for), so that a
person can leave a member out or take a stand-in without leaving the form.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalogue.availability import UNAVAILABLE_STATUSES, Period, available_quantity
from app.core.clock import now_utc, today_uk
from app.core.errors import DomainError, NotFound, Refusal
from app.kits.service import KitMemberView, KitView, kit_view, load_kit
from app.loans.drafts import LineDraft, LoanDraft
from app.loans.fitness import issue_blockers
from app.loans.rules import conflict_refusal, free_quantity
from app.storage.database import Database
from models import EquipmentItem, ItemStatus, Site

# How many stand-ins are offered for one member: enough to choose from on a form.
STAND_INS_SHOWN = 20


def kit_loan_draft(
    kit: KitView,
    *,
    borrower_agency_id: int | None,
    requested_by_id: int | None,
    purpose: str,
    starts_at: datetime | None,
    due_at: datetime | None,
    incident_ref: str = "",
    is_emergency: bool = False,
    notes: str = "",
) -> LoanDraft:
    """A loan of ``kit``: one line per member, in the kit's order, each of the quantity
    the kit holds; the loan remembers the kit. ``without_member`` and ``with_stand_in``
    change it as the form offers."""
    if kit.is_retired:
        raise DomainError(
            f"Kit “{kit.name}” is retired, so it is no longer lent. Ask for its items one "
            "by one, or choose another kit."
        )
    return LoanDraft(
        borrower_agency_id=borrower_agency_id,
        requested_by_id=requested_by_id,
        purpose=purpose,
        starts_at=starts_at,
        due_at=due_at,
        lines=tuple(LineDraft(item_id=m.item_id, quantity=m.quantity) for m in kit.members),
        incident_ref=incident_ref,
        is_emergency=is_emergency,
        notes=notes,
        kit_id=kit.id,
    )


def without_member(draft: LoanDraft, item_id: int) -> LoanDraft:
    """``draft`` without the line of item ``item_id``: the rest of the kit."""
    return replace(draft, lines=tuple(line for line in draft.lines if line.item_id != item_id))


def with_quantity(draft: LoanDraft, item_id: int, quantity: int) -> LoanDraft:
    """``draft`` asking for ``quantity`` of item ``item_id`` (fewer of a pool, say)."""
    return replace(
        draft,
        lines=tuple(
            replace(line, quantity=quantity) if line.item_id == item_id else line
            for line in draft.lines
        ),
    )


def with_stand_in(
    draft: LoanDraft, member_item_id: int, stand_in_id: int, quantity: int = 1
) -> LoanDraft:
    """``draft`` with ``quantity`` of item ``stand_in_id`` in the place of member
    ``member_item_id``; added to the line already asking for it, if there is one."""
    lines: list[LineDraft] = []
    for line in draft.lines:
        if line.item_id == stand_in_id:
            continue
        if line.item_id == member_item_id:
            extra = next((x.quantity for x in draft.lines if x.item_id == stand_in_id), 0)
            lines.append(LineDraft(item_id=stand_in_id, quantity=quantity + extra))
        else:
            lines.append(line)
    return replace(draft, lines=tuple(lines))


# -- each member free, or why not -------------------------------------------------------------


class MemberState(enum.Enum):
    """Where a member stands for a period: free, or the first thing that keeps it in."""

    FREE = "Free"
    BOOKED = "Booked"  # a single item on loan, or booked for part of the period
    SHORT = "Not enough free"  # fewer of a pool free than the kit holds
    OUT_OF_SERVICE = "Out of service"
    RETIRED = "Retired"
    DEFECT = "Open defect"
    INSPECTION = "Inspection lapsed"


# Which state each of the loan rules' refusals puts a member in.
_STATE_OF_RULE = {
    "defect": MemberState.DEFECT,
    "inspection": MemberState.INSPECTION,
}


@dataclass(frozen=True)
class MemberAvailability:
    """One member over a period: how many of it are free (a single item: 1 or 0), its
    state, and each thing that keeps it in, in a sentence naming it."""

    member: KitMemberView
    free: int
    state: MemberState
    problems: tuple[Refusal, ...]

    @property
    def is_free(self) -> bool:
        return self.state is MemberState.FREE


@dataclass(frozen=True)
class KitAvailability:
    """The kit over [starts_at, ends_at): free only when every member is."""

    kit: KitView
    starts_at: datetime
    ends_at: datetime
    members: tuple[MemberAvailability, ...]

    @property
    def is_free(self) -> bool:
        return all(member.is_free for member in self.members)

    @property
    def not_free(self) -> tuple[MemberAvailability, ...]:
        """The members that keep the kit in, in the kit's order."""
        return tuple(member for member in self.members if not member.is_free)

    @property
    def problems(self) -> tuple[Refusal, ...]:
        return tuple(p for member in self.members for p in member.problems)


def kit_availability(
    db: Database, kit_id: int, start: datetime, end: datetime, *, now: datetime | None = None
) -> KitAvailability:
    """Whether each member of the kit is free for [start, end), and if not why: booked or
    on loan (naming the loan), too few of a pool free, out of service or retired, an open
    defect, a lapsed inspection. Defects and inspections are judged today, as the item
    panel shows them: one falling due before a later start is the inspection overview's
    to say, not a reason to leave the member out of a booking now.
    """
    moment = now or now_utc()
    with db.read() as session:
        kit = load_kit(session, kit_id)
        view = kit_view(kit)
        members = tuple(
            _member_availability(session, member, start, end, moment) for member in view.members
        )
    return KitAvailability(kit=view, starts_at=start, ends_at=end, members=members)


def _member_availability(
    session: Session, member: KitMemberView, start: datetime, end: datetime, now: datetime
) -> MemberAvailability:
    item = session.get(EquipmentItem, member.item_id)
    assert item is not None  # a member's item cannot be deleted (ON DELETE RESTRICT)
    problems = issue_blockers(session, item, today_uk(now))
    if item.status in UNAVAILABLE_STATUSES:
        free = 0
    else:
        free = free_quantity(session, item.id, start, end, now)
        if free < member.quantity:
            problems.append(conflict_refusal(session, item, free, start, end, now=now))
    return MemberAvailability(
        member=member,
        free=free,
        state=_state(item, problems),
        problems=tuple(dict.fromkeys(problems)),
    )


def _state(item: EquipmentItem, problems: list[Refusal]) -> MemberState:
    if not problems:
        return MemberState.FREE
    if item.status is ItemStatus.RETIRED:
        return MemberState.RETIRED
    first = problems[0]
    if first.rule in _STATE_OF_RULE:
        return _STATE_OF_RULE[first.rule]
    if item.status is ItemStatus.OUT_OF_SERVICE:
        return MemberState.OUT_OF_SERVICE
    return MemberState.SHORT if item.is_pooled else MemberState.BOOKED


# -- stand-ins ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StandIn:
    """An item that could go in a member's place: of the same category and owner, not in
    the kit, free for the period (``free`` of it, for pooled stock) and fit to go out."""

    item_id: int
    asset_tag: str
    name: str
    home_site: str
    is_pooled: bool
    free: int
    at_kit_site: bool  # kept where the kit is kept

    @property
    def label(self) -> str:
        return f"{self.asset_tag} “{self.name}”"


@dataclass(frozen=True)
class StandIns:
    """What can be had for one member: how many of it are free (``member.free``, the rest
    of a pool), and free items of the same kind to stand in, those at the kit's site
    first."""

    member: MemberAvailability
    candidates: tuple[StandIn, ...]


def stand_ins(
    db: Database,
    kit_id: int,
    member_item_id: int,
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
) -> StandIns:
    """What could take member ``member_item_id``'s place in a loan of the kit for
    [start, end): free items of its category, of the kit's agency (a loan is from one
    lender), not already in the kit, and not kept in by a defect or a lapsed inspection."""
    moment = now or now_utc()
    with db.read() as session:
        kit = load_kit(session, kit_id)
        view = kit_view(kit)
        try:
            member = view.member(member_item_id)
        except NotFound as exc:
            raise NotFound(
                f"Item {member_item_id} is not a member of kit “{view.name}”; choose one of "
                f"its members ({view.members_summary})."
            ) from exc
        standing = _member_availability(session, member, start, end, moment)
        candidates = _candidates(session, view, member, Period.values(start, end, moment))
    return StandIns(member=standing, candidates=candidates)


def _candidates(
    session: Session, kit: KitView, member: KitMemberView, period: dict[str, datetime]
) -> tuple[StandIn, ...]:
    free = available_quantity(EquipmentItem, Period.named()).label("free")
    at_site = EquipmentItem.home_site_id == kit.home_site_id
    rows = session.execute(
        select(EquipmentItem, Site.name, free)
        .join(Site, Site.id == EquipmentItem.home_site_id)
        .where(
            EquipmentItem.category_id == member.category_id,
            EquipmentItem.owner_agency_id == kit.owner_agency_id,
            EquipmentItem.id.not_in([m.item_id for m in kit.members]),
            EquipmentItem.status.not_in(UNAVAILABLE_STATUSES),
            free >= 1,
        )
        .order_by(at_site.desc(), EquipmentItem.name, EquipmentItem.asset_tag),
        period,
    )
    found: list[StandIn] = []
    day = today_uk(period["period_now"])
    for item, site_name, units in rows:
        if issue_blockers(session, item, day):
            continue
        found.append(
            StandIn(
                item_id=item.id,
                asset_tag=item.asset_tag,
                name=item.name,
                home_site=site_name,
                is_pooled=item.is_pooled,
                free=int(units),
                at_kit_site=item.home_site_id == kit.home_site_id,
            )
        )
        if len(found) == STAND_INS_SHOWN:
            break
    return tuple(found)
