"""The rules of a kit as drafted: what a person enters for it, and the checks each save
runs again.

``validate`` needs no database and is fast enough for every keystroke; ``database_problems``
needs the records the draft names (the owner, the site, each member's item) and runs in
the transaction that saves the kit, so that another station cannot slip in between.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.checks import text_problems
from app.core.errors import Refusal, Refused
from app.core.lookup import chosen
from app.core.text import clean_fields
from models import Agency, EquipmentItem, ItemStatus, Kit, Site

NAME_MAX = 200
DESCRIPTION_MAX = 4000
NOTE_MAX = 200
# More members than any real kit has; a kit is packed and checked by hand.
MEMBERS_MAX = 200
# Texts of a kit that may run over several lines; the rest are one line each.
KIT_MULTILINE = ("description",)


class KitRefused(Refused):
    """The rules refuse a kit as drafted; ``problems`` says which fields and why."""


@dataclass(frozen=True)
class MemberDraft:
    """An item in a kit as entered: a tagged item (quantity 1), or ``quantity`` of a pool,
    with a note for whoever packs it."""

    item_id: int
    quantity: int = 1
    note: str = ""


@dataclass(frozen=True)
class KitDraft:
    """What a person entered for a kit, before it is checked and saved; the members in
    the order the kit lists them."""

    name: str
    owner_agency_id: int | None
    home_site_id: int | None
    members: tuple[MemberDraft, ...] = ()
    description: str = ""


def cleaned(draft: KitDraft) -> KitDraft:
    """``draft`` with its texts made fit to keep (``app.core.text``)."""
    return clean_fields(draft, multiline=KIT_MULTILINE)


def validate(draft: KitDraft) -> list[Refusal]:
    """Every rule ``draft`` breaks that can be checked without the database."""
    draft = cleaned(draft)
    problems = text_problems(
        draft.name,
        field="name",
        limit=NAME_MAX,
        what="The kit's name",
        missing="Enter a name for the kit, such as “Water rescue team kit”.",
    )
    problems += text_problems(
        draft.description, field="description", limit=DESCRIPTION_MAX, what="The description"
    )
    if draft.owner_agency_id is None:
        problems.append(
            Refusal("required", "Choose the agency that owns the kit.", "owner_agency_id")
        )
    if draft.home_site_id is None:
        problems.append(
            Refusal("required", "Choose the site where the kit is kept.", "home_site_id")
        )
    return problems + _member_problems(draft.members)


def _member_problems(members: tuple[MemberDraft, ...]) -> list[Refusal]:
    if not members:
        return [Refusal("members", "Add at least one item to the kit.", "members")]
    problems: list[Refusal] = []
    if len(members) > MEMBERS_MAX:
        problems.append(
            Refusal(
                "members",
                f"A kit holds at most {MEMBERS_MAX} items; this one lists {len(members)}. "
                "Split it into two kits.",
                "members",
            )
        )
    seen: set[int] = set()
    for member in members:
        if member.item_id in seen:
            problems.append(
                Refusal(
                    "member_twice",
                    "An item is listed twice in the kit; list it once, with the quantity wanted.",
                    "members",
                )
            )
        seen.add(member.item_id)
        quantity: object = member.quantity
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            problems.append(
                Refusal("quantity", "Give each member a quantity of 1 or more.", "members")
            )
        problems += text_problems(
            member.note, field="members", limit=NOTE_MAX, what="A member's note"
        )
    return list(dict.fromkeys(problems))


def member_label(item: EquipmentItem) -> str:
    """ "CFR-000201 “Thermal imaging drone”": an item as a kit's refusals name it."""
    return f"{item.asset_tag} “{item.name}”"


def database_problems(session: Session, draft: KitDraft, *, kit_id: int | None) -> list[Refusal]:
    """The rules that need other records, for a draft that passed ``validate``: the owner
    and site exist and belong together; the name is free in the agency; each member is
    the owner's, in use, and asked for within its stock."""
    problems: list[Refusal] = []
    owner = chosen(
        session,
        Agency,
        draft.owner_agency_id,
        problems,
        "gone",
        field="owner_agency_id",
        what="agency",
    )
    site = chosen(
        session, Site, draft.home_site_id, problems, "gone", field="home_site_id", what="site"
    )
    if owner is None:
        return problems
    if site is not None and site.agency_id != owner.id:
        problems.append(
            Refusal(
                "site_owner",
                f"Site {site.name} belongs to {site.agency.name}, not to {owner.name}. "
                "Choose one of the owner's sites.",
                "home_site_id",
            )
        )
    problems += _name_problems(session, draft.name.strip(), owner, kit_id)
    for member in draft.members:
        problems += _one_member_problems(session, member, owner)
    return problems


def _name_problems(session: Session, name: str, owner: Agency, kit_id: int | None) -> list[Refusal]:
    # An agency has a handful of kits: compared here, where case folds for every letter
    # (SQLite's lower() folds only ASCII ones).
    names = select(Kit.name).where(Kit.owner_agency_id == owner.id, Kit.retired_at.is_(None))
    if kit_id is not None:
        names = names.where(Kit.id != kit_id)
    taken = next((n for n in session.scalars(names) if n.casefold() == name.casefold()), None)
    if taken is None:
        return []
    return [
        Refusal(
            "name_taken",
            f"{owner.name} already has a kit called “{taken}”. Choose another name, or edit "
            "that kit.",
            "name",
        )
    ]


def _one_member_problems(session: Session, member: MemberDraft, owner: Agency) -> list[Refusal]:
    item = session.get(EquipmentItem, member.item_id)
    if item is None:
        return [
            Refusal(
                "gone",
                f"There is no catalogue item with id {member.item_id}; it may have been "
                "removed. Take it out of the kit.",
                "members",
            )
        ]
    label = member_label(item)
    if item.owner_agency_id != owner.id:
        return [
            Refusal(
                "member_owner",
                f"{label} belongs to {item.owner_agency.name}, not {owner.name}: a kit is "
                "made of its own agency's items. Take it out of the kit.",
                "members",
            )
        ]
    if item.status is ItemStatus.RETIRED:
        return [
            Refusal(
                "member_retired",
                f"{label} is retired; take it out of the kit, or choose the item that replaced it.",
                "members",
            )
        ]
    if not item.is_pooled and member.quantity != 1:
        return [
            Refusal(
                "quantity",
                f"{label} is a single item, so the kit holds 1 of it.",
                "members",
            )
        ]
    if member.quantity > item.quantity:
        return [
            Refusal(
                "quantity",
                f"There are only {item.quantity} of {label} in all; put {item.quantity} or "
                "fewer in the kit.",
                "members",
            )
        ]
    return []
