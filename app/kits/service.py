"""Kits as a person keeps and reads them: adding, changing and retiring a kit, each one
unit of work with its audit event, and kits read as plain ``KitView``s.

A kit belongs to the agency that owns its items; that agency's equipment managers and
the administrators keep it (``Action.EDIT_KITS``, with the agency's scope), and everyone
signed in reads it. The rules of a draft are in ``app.kits.rules``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.audit.record import record_change
from app.catalogue.directory import best_matches, fold
from app.core.actor import Actor
from app.core.clock import now_utc
from app.core.errors import DomainError, NotFound, Refusal
from app.core.lookup import get_or_missing
from app.core.permissions import Action, require
from app.core.text import clean_text
from app.core.vocabulary import label
from app.kits.rules import (
    KitDraft,
    KitRefused,
    MemberDraft,
    cleaned,
    database_problems,
    validate,
)
from app.storage.database import Database
from models import Agency, EquipmentItem, ItemStatus, Kit, KitMember

STALE_MESSAGE = (
    "Someone else changed this kit since you opened it; close and reopen it to see their change."
)
# How many kits an "ambiguous name" message lists before saying "and N more".
SHOWN_CANDIDATES = 8


@dataclass(frozen=True)
class KitMemberView:
    """One member of a kit as a person reads it."""

    item_id: int
    asset_tag: str
    name: str
    category_id: int
    category: str
    make_model: str
    is_pooled: bool
    quantity: int  # in the kit
    item_quantity: int  # the pool's size; 1 for a single item
    note: str
    status: ItemStatus
    status_label: str

    @property
    def label(self) -> str:
        """ "CFR-000201 “Thermal imaging drone”"."""
        return f"{self.asset_tag} “{self.name}”"

    @property
    def counted(self) -> str:
        """ "4 × CFR-000250" for pooled stock, the tag alone for a single item."""
        return f"{self.quantity} × {self.asset_tag}" if self.is_pooled else self.asset_tag


@dataclass(frozen=True)
class KitView:
    """A kit as a person reads it, with its members in order; never an ORM object."""

    id: int
    name: str
    owner_agency_id: int
    owner: str
    owner_code: str
    home_site_id: int
    home_site: str
    description: str
    retired_at: datetime | None
    retired_reason: str
    created_at: datetime
    updated_at: datetime
    row_version: int
    members: tuple[KitMemberView, ...]

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def label(self) -> str:
        """ "Water rescue team kit (CAMBS-FRS)": unique among kits in use."""
        return f"{self.name} ({self.owner_code})"

    @property
    def members_summary(self) -> str:
        """ "CFR-000301, 4 × CFR-000310": the members as a loan's items are listed."""
        return ", ".join(member.counted for member in self.members)

    def member(self, item_id: int) -> KitMemberView:
        """The member that is item ``item_id``; ``NotFound`` if the kit has none."""
        for member in self.members:
            if member.item_id == item_id:
                return member
        raise NotFound(f"Item {item_id} is not in kit “{self.name}”.")

    def as_draft(self) -> KitDraft:
        """The kit as a draft to edit (with ``row_version`` to hand back)."""
        return KitDraft(
            name=self.name,
            owner_agency_id=self.owner_agency_id,
            home_site_id=self.home_site_id,
            description=self.description,
            members=tuple(
                MemberDraft(item_id=m.item_id, quantity=m.quantity, note=m.note)
                for m in self.members
            ),
        )


# -- reading ----------------------------------------------------------------------------------

_KIT_OPTIONS = (
    selectinload(Kit.owner_agency),
    selectinload(Kit.home_site),
    selectinload(Kit.members).selectinload(KitMember.item).selectinload(EquipmentItem.category),
)


def kit_view(kit: Kit) -> KitView:
    """``kit`` read into a ``KitView`` (inside the session that loaded it)."""
    return KitView(
        id=kit.id,
        name=kit.name,
        owner_agency_id=kit.owner_agency_id,
        owner=kit.owner_agency.name,
        owner_code=kit.owner_agency.code,
        home_site_id=kit.home_site_id,
        home_site=kit.home_site.name,
        description=kit.description or "",
        retired_at=kit.retired_at,
        retired_reason=kit.retired_reason or "",
        created_at=kit.created_at,
        updated_at=kit.updated_at,
        row_version=kit.row_version,
        members=tuple(
            KitMemberView(
                item_id=member.item_id,
                asset_tag=member.item.asset_tag,
                name=member.item.name,
                category_id=member.item.category_id,
                category=member.item.category.name,
                make_model=" ".join(filter(None, (member.item.make, member.item.model))),
                is_pooled=member.item.is_pooled,
                quantity=member.quantity,
                item_quantity=member.item.quantity,
                note=member.note or "",
                status=member.item.status,
                status_label=label(member.item.status),
            )
            for member in kit.members
        ),
    )


def load_kit(session: Session, kit_id: int, *, lock: bool = False) -> Kit:
    """The kit with its members, owner and site loaded; ``NotFound`` if there is none."""
    missing = f"There is no kit with id {kit_id}; it may have been removed."
    return get_or_missing(session, Kit, kit_id, missing, lock=lock, options=_KIT_OPTIONS)


def get_kit(db: Database, kit_id: int) -> KitView:
    """One kit with its members, for its panel."""
    with db.read() as session:
        return kit_view(load_kit(session, kit_id))


def list_kits(
    db: Database, *, agency_id: int | None = None, include_retired: bool = False
) -> list[KitView]:
    """The kits (of ``agency_id``, if given), by agency then name; retired ones only if
    asked for."""
    statement = select(Kit).options(*_KIT_OPTIONS).order_by(Kit.owner_agency_id, Kit.name, Kit.id)
    if agency_id is not None:
        statement = statement.where(Kit.owner_agency_id == agency_id)
    if not include_retired:
        statement = statement.where(Kit.retired_at.is_(None))
    with db.read() as session:
        return [kit_view(kit) for kit in session.scalars(statement)]


def find_kit(db: Database, text: str, *, include_retired: bool = False) -> KitView:
    """The kit ``text`` names: its name ("water rescue"), or its name and agency code as
    ``KitView.label`` gives them; an exact name wins, then a unique start, then a unique
    part. Kits in use only, unless ``include_retired``."""
    text = clean_text(text).strip()
    if not text:
        raise DomainError("Give the kit's name, e.g. “Water rescue team kit”.")
    kits = list_kits(db, include_retired=include_retired)
    found = best_matches(fold(text), [(kit, (fold(kit.name), fold(kit.label))) for kit in kits])
    if not found:
        raise NotFound(f"No kit is called “{text}”. `kitshare-admin kit list` lists the kits.")
    if len(found) == 1:
        return found[0]
    shown = sorted(kit.label for kit in found)
    listed = "; ".join(shown[:SHOWN_CANDIDATES])
    if len(shown) > SHOWN_CANDIDATES:
        listed += f"; and {len(shown) - SHOWN_CANDIDATES} more"
    raise DomainError(
        f"“{text}” could be any of {len(found)} kits: {listed}. Give more of the name, or "
        "the name with the agency's short code in brackets, as listed."
    )


def check_kit(db: Database, draft: KitDraft, *, kit_id: int | None = None) -> list[Refusal]:
    """Every rule ``draft`` breaks, without saving anything (for a form, as you type)."""
    draft = cleaned(draft)
    problems = validate(draft)
    if problems:
        return problems
    with db.read() as session:
        return database_problems(session, draft, kit_id=kit_id)


# -- writing ----------------------------------------------------------------------------------


def _snapshot(kit: Kit) -> dict[str, Any]:
    """The kit and its members as the audit trail keeps them."""
    return {
        "name": kit.name,
        "owner_agency_id": kit.owner_agency_id,
        "home_site_id": kit.home_site_id,
        "description": kit.description,
        "retired_at": kit.retired_at.isoformat() if kit.retired_at else None,
        "members": [
            {"item_id": m.item_id, "quantity": m.quantity, "note": m.note, "position": m.position}
            for m in kit.members
        ],
    }


def _require_keeper(session: Session, actor: Actor, agency_id: int | None) -> None:
    """An equipment manager keeps only their own agency's kits; an administrator, anyone's."""
    if agency_id is None:
        return
    name = session.scalar(select(Agency.name).where(Agency.id == agency_id)) or ""
    require(actor, Action.EDIT_KITS, agency_id=agency_id, agency_name=name)


def _checked(session: Session, draft: KitDraft, kit_id: int | None) -> None:
    problems = database_problems(session, draft, kit_id=kit_id)
    if problems:
        raise KitRefused(problems)


def _apply(kit: Kit, draft: KitDraft) -> None:
    """The draft onto ``kit``. Members still in the kit keep their rows (the database
    lists an item once per kit, and would see a removed-then-added row twice)."""
    assert draft.owner_agency_id is not None  # validate() guarantees both
    assert draft.home_site_id is not None
    kit.name = draft.name.strip()
    kit.owner_agency_id = draft.owner_agency_id
    kit.home_site_id = draft.home_site_id
    kit.description = draft.description.strip() or None
    existing = {member.item_id: member for member in kit.members}
    members: list[KitMember] = []
    for position, wanted in enumerate(draft.members):
        member = existing.get(wanted.item_id) or KitMember(item_id=wanted.item_id)
        member.quantity = wanted.quantity
        member.note = wanted.note.strip() or None
        member.position = position
        members.append(member)
    kit.members = members


def _flush(session: Session, draft: KitDraft) -> None:
    """Flush, turning the database's last-moment refusals into messages."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise DomainError(STALE_MESSAGE) from exc
    except IntegrityError as exc:
        if "ix_kits_name_in_use" in str(exc.orig) or "kits.name" in str(exc.orig):
            raise KitRefused(
                [
                    Refusal(
                        "name_taken",
                        f"Someone else made a kit called “{draft.name.strip()}” a moment ago. "
                        "Choose another name.",
                        "name",
                    )
                ]
            ) from exc
        raise


def create_kit(db: Database, draft: KitDraft, actor: Actor) -> int:
    """Make a kit of the owner's items; returns its id. Raises ``KitRefused``."""
    draft = cleaned(draft)
    require(actor, Action.EDIT_KITS)
    _raise_if_invalid(draft)
    with db.write() as session:
        _require_keeper(session, actor, draft.owner_agency_id)
        _checked(session, draft, None)
        kit = Kit()
        _apply(kit, draft)
        session.add(kit)
        _flush(session, draft)
        record_change(
            session, actor, "kit.created", "kit", kit.id, before=None, after=_snapshot(kit)
        )
        return kit.id


def update_kit(
    db: Database, kit_id: int, draft: KitDraft, actor: Actor, expected_version: int
) -> None:
    """Save changes to a kit opened at ``expected_version``; refused if anyone saved it in
    between, so one station never silently overwrites another's change."""
    draft = cleaned(draft)
    require(actor, Action.EDIT_KITS)
    _raise_if_invalid(draft)
    with db.write() as session:
        kit = load_kit(session, kit_id, lock=True)
        _require_keeper(session, actor, kit.owner_agency_id)
        _require_keeper(session, actor, draft.owner_agency_id)
        if kit.row_version != expected_version:
            raise DomainError(STALE_MESSAGE)
        if kit.is_retired:
            raise DomainError(f"Kit “{kit.name}” is retired and can no longer be changed.")
        _checked(session, draft, kit.id)
        before = _snapshot(kit)
        _apply(kit, draft)
        after = _snapshot(kit)
        if after == before:
            return
        # A change of members alone changes the kit's row too: its version moves on.
        kit.updated_at = now_utc()
        _flush(session, draft)
        record_change(session, actor, "kit.updated", "kit", kit.id, before=before, after=after)


def retire_kit(db: Database, kit_id: int, actor: Actor, reason: str) -> None:
    """Take a kit out of use for good; its record, and the loans made from it, stay.
    Its items are not touched: they stay in the catalogue, and in any other kit."""
    reason = clean_text(reason, multiline=True).strip()
    require(actor, Action.EDIT_KITS)
    with db.write() as session:
        kit = load_kit(session, kit_id, lock=True)
        _require_keeper(session, actor, kit.owner_agency_id)
        if not reason:
            raise DomainError(
                f"Give a reason for retiring kit “{kit.name}”, such as “Replaced by the new "
                "boat kit”."
            )
        if kit.is_retired:
            raise DomainError(f"Kit “{kit.name}” is already retired.")
        before = _snapshot(kit)
        kit.retired_at = now_utc()
        kit.retired_reason = reason
        session.flush()
        record_change(
            session,
            actor,
            "kit.retired",
            "kit",
            kit.id,
            before=before,
            after=_snapshot(kit),
            note=reason,
        )


def _raise_if_invalid(draft: KitDraft) -> None:
    problems = validate(draft)
    if problems:
        raise KitRefused(problems)
