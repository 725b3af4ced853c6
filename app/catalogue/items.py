"""Editing the catalogue: adding, changing and retiring items, with their rules.

The rules live here, not in the dialog: ``validate`` is pure and fast enough to run on
every keystroke, and ``create_item``/``update_item`` run it again, plus the checks that
need the database, inside the transaction that saves the item and its audit event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.audit.record import record_change, snapshot
from app.core.actor import Actor
from app.core.checks import text_problems
from app.core.clock import day_problem, format_date, today_uk
from app.core.errors import DomainError, Refusal, Refused
from app.core.lookup import get_or_missing
from app.core.money import format_pence
from app.core.permissions import Action, require
from app.core.text import clean_fields, clean_text
from app.storage.database import Database
from models import (
    OUT_STATUSES,
    Agency,
    Category,
    Condition,
    EquipmentItem,
    ItemStatus,
    Loan,
    LoanLine,
    Site,
)

TAG_MAX = 40
NAME_MAX = 200
SHORT_TEXT_MAX = 100
TAG_PATTERN = re.compile(r"[A-Za-z0-9./-]+")
# The most of one pooled item: beyond any real store, well inside the database's integers.
QUANTITY_MAX = 1_000_000
# The most a money field holds: the INTEGER column's limit, in pence (£21,474,836.47).
PENCE_MAX = 2_147_483_647

STALE_MESSAGE = (
    "Someone else changed this item since you opened it; close and reopen it to see their change."
)


@dataclass(frozen=True)
class ItemDraft:
    """What a person entered for an item, before it is checked and saved."""

    asset_tag: str
    name: str
    category_id: int | None
    owner_agency_id: int | None
    home_site_id: int | None
    is_pooled: bool = False
    quantity: int = 1
    make: str = ""
    model: str = ""
    serial_number: str = ""
    condition: Condition = Condition.GOOD
    description: str = ""
    accessories: str = ""
    notes: str = ""
    acquired_on: date | None = None
    replacement_value_pence: int | None = None
    daily_hire_rate_pence: int | None = None


# The draft's fields are the item's editable columns; audit snapshots add the status.
DRAFT_FIELDS = tuple(f.name for f in fields(ItemDraft))
AUDIT_FIELDS = (*DRAFT_FIELDS, "status")
_TEXT_FIELDS = ("make", "model", "serial_number", "description", "accessories", "notes")
# Texts that may run over several lines; the others are one line each.
ITEM_MULTILINE = ("description", "accessories", "notes")


class ItemRefused(Refused):
    """The rules refuse an item as drafted; ``problems`` says which fields and why."""


@dataclass(frozen=True)
class SiteChoice:
    id: int
    name: str
    agency_id: int


@dataclass(frozen=True)
class ItemChoices:
    """What the item dialog's lists offer, in name order."""

    categories: tuple[tuple[int, str], ...]
    agencies: tuple[tuple[int, str], ...]
    sites: tuple[SiteChoice, ...]

    def sites_of(self, agency_id: int | None) -> tuple[SiteChoice, ...]:
        """The sites belonging to ``agency_id`` (none when no owner is chosen)."""
        return tuple(s for s in self.sites if s.agency_id == agency_id)


def validate(draft: ItemDraft, *, today: date) -> list[Refusal]:
    """Every rule a draft breaks that can be checked without the database."""
    draft = clean_fields(draft, multiline=ITEM_MULTILINE)
    return [
        *_tag_problems(draft.asset_tag),
        *_text_problems(draft),
        *_choice_problems(draft),
        *_quantity_problems(draft),
        *_date_and_money_problems(draft, today),
    ]


def _tag_problems(asset_tag: str) -> list[Refusal]:
    problems = text_problems(
        asset_tag,
        field="asset_tag",
        limit=TAG_MAX,
        what="The asset tag",
        missing="Enter an asset tag, as printed on the item's label.",
    )
    if not problems and not TAG_PATTERN.fullmatch(asset_tag.strip()):
        problems.append(
            Refusal(
                "tag_characters",
                "An asset tag may contain only letters, digits, hyphens (-), slashes (/) "
                "and full stops (.), with no spaces.",
                "asset_tag",
            )
        )
    return problems


def _text_problems(draft: ItemDraft) -> list[Refusal]:
    problems = text_problems(
        draft.name,
        field="name",
        limit=NAME_MAX,
        what="The name",
        missing="Enter a name for the item, such as “Thermal imaging drone”.",
    )
    for field, what in (
        ("make", "The make"),
        ("model", "The model"),
        ("serial_number", "The serial number"),
    ):
        value = str(getattr(draft, field))
        problems += text_problems(value, field=field, limit=SHORT_TEXT_MAX, what=what)
    return problems


def _choice_problems(draft: ItemDraft) -> list[Refusal]:
    problems: list[Refusal] = []
    if draft.category_id is None:
        problems.append(Refusal("required", "Choose a category.", "category_id"))
    if draft.owner_agency_id is None:
        problems.append(
            Refusal("required", "Choose the agency that owns the item.", "owner_agency_id")
        )
    if draft.home_site_id is None:
        problems.append(
            Refusal("required", "Choose the site where the item is kept.", "home_site_id")
        )
    return problems


def _quantity_problems(draft: ItemDraft) -> list[Refusal]:
    quantity: Any = draft.quantity
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        message = "Enter the quantity as a whole number, such as 1 or 40."
    elif quantity < 1:
        message = "Enter a quantity of 1 or more."
    elif quantity > QUANTITY_MAX:
        message = f"Enter a quantity of {QUANTITY_MAX:,} or fewer; that is the most one item holds."
    elif not draft.is_pooled and quantity != 1:
        message = (
            "A tagged item is a single item, so its quantity must be 1. Tick “Pooled "
            "stock” to record several identical items under one tag."
        )
    else:
        return []
    return [Refusal("quantity", message, "quantity")]


def _date_and_money_problems(draft: ItemDraft, today: date) -> list[Refusal]:
    problems: list[Refusal] = []
    if draft.acquired_on is not None and (
        problem := day_problem(draft.acquired_on, "date acquired")
    ):
        problems.append(Refusal("date", problem, "acquired_on"))
    elif draft.acquired_on is not None and draft.acquired_on > today:
        problems.append(
            Refusal(
                "date",
                f"The date acquired, {format_date(draft.acquired_on)}, is in the future; "
                "enter today's date or an earlier one.",
                "acquired_on",
            )
        )
    for field, label in (
        ("replacement_value_pence", "The replacement value"),
        ("daily_hire_rate_pence", "The daily hire rate"),
    ):
        value = getattr(draft, field)
        if value is not None and value < 0:
            problems.append(
                Refusal(
                    "amount",
                    f"{label} cannot be negative; enter £0.00 or more, or leave it blank.",
                    field,
                )
            )
        elif value is not None and value > PENCE_MAX:
            problems.append(
                Refusal(
                    "amount",
                    f"{label} is more than Kit Share can record; enter "
                    f"{format_pence(PENCE_MAX)} or less.",
                    field,
                )
            )
    return problems


def choices(db: Database) -> ItemChoices:
    """The categories, agencies and sites the item dialog offers."""
    with db.read() as session:
        categories = session.execute(select(Category.id, Category.name).order_by(Category.name))
        agencies = session.execute(select(Agency.id, Agency.name).order_by(Agency.name))
        sites = session.execute(select(Site.id, Site.name, Site.agency_id).order_by(Site.name))
        return ItemChoices(
            categories=tuple((row[0], row[1]) for row in categories),
            agencies=tuple((row[0], row[1]) for row in agencies),
            sites=tuple(SiteChoice(id=row[0], name=row[1], agency_id=row[2]) for row in sites),
        )


def load_draft(db: Database, item_id: int) -> tuple[ItemDraft, int]:
    """The item as a draft to edit, and the row version to hand back to ``update_item``."""
    with db.read() as session:
        item = _get_item(session, item_id)
        draft = ItemDraft(
            asset_tag=item.asset_tag,
            name=item.name,
            category_id=item.category_id,
            owner_agency_id=item.owner_agency_id,
            home_site_id=item.home_site_id,
            is_pooled=item.is_pooled,
            quantity=item.quantity,
            make=item.make or "",
            model=item.model or "",
            serial_number=item.serial_number or "",
            condition=item.condition,
            description=item.description or "",
            accessories=item.accessories or "",
            notes=item.notes or "",
            acquired_on=item.acquired_on,
            replacement_value_pence=item.replacement_value_pence,
            daily_hire_rate_pence=item.daily_hire_rate_pence,
        )
        return draft, item.row_version


def create_item(db: Database, draft: ItemDraft, actor: Actor) -> int:
    """Add a new item to the catalogue; returns its id. Raises ``ItemRefused``."""
    draft = clean_fields(draft, multiline=ITEM_MULTILINE)
    require(actor, Action.EDIT_CATALOGUE)
    _raise_if_invalid(draft)
    with db.write() as session:
        _require_owner(session, actor, draft.owner_agency_id)
        _check_against_database(session, draft, item_id=None)
        item = EquipmentItem(status=ItemStatus.AVAILABLE)
        _apply(item, draft)
        session.add(item)
        _flush(session, draft)
        record_change(
            session,
            actor,
            "item.created",
            "equipment_item",
            item.id,
            before=None,
            after=snapshot(item, AUDIT_FIELDS),
        )
        return item.id


def update_item(
    db: Database, item_id: int, draft: ItemDraft, actor: Actor, expected_version: int
) -> None:
    """Save changes to an item opened at ``expected_version``.

    Refused if anyone saved the item in between, so one station never silently
    overwrites another's change.
    """
    draft = clean_fields(draft, multiline=ITEM_MULTILINE)
    require(actor, Action.EDIT_CATALOGUE)
    _raise_if_invalid(draft)
    with db.write() as session:
        item = _get_item(session, item_id)
        _require_owner(session, actor, item.owner_agency_id)
        _require_owner(session, actor, draft.owner_agency_id)
        if item.row_version != expected_version:
            raise DomainError(STALE_MESSAGE)
        _check_against_database(session, draft, item_id=item.id)
        before = snapshot(item, AUDIT_FIELDS)
        _apply(item, draft)
        after = snapshot(item, AUDIT_FIELDS)
        if after == before:
            return
        _flush(session, draft)
        record_change(
            session,
            actor,
            "item.updated",
            "equipment_item",
            item.id,
            before=before,
            after=after,
        )


def retire_item(db: Database, item_id: int, actor: Actor, reason: str) -> None:
    """Take an item out of the catalogue for good; the record and its history stay."""
    reason = clean_text(reason, multiline=True)
    require(actor, Action.EDIT_CATALOGUE)
    reason = reason.strip()
    with db.write() as session:
        item = _get_item(session, item_id)
        _require_owner(session, actor, item.owner_agency_id)
        label = f"{item.asset_tag} “{item.name}”"
        if not reason:
            raise DomainError(f"Give a reason for retiring {label}, such as “Written off”.")
        if item.status is ItemStatus.RETIRED:
            raise DomainError(f"{label} is already retired.")
        borrower = session.scalars(
            select(Agency.name)
            .join(Loan, Loan.borrower_agency_id == Agency.id)
            .join(LoanLine, LoanLine.loan_id == Loan.id)
            .where(
                LoanLine.item_id == item.id,
                LoanLine.holds_stock.is_(True),
                LoanLine.quantity_returned < LoanLine.quantity,
                Loan.status.in_(OUT_STATUSES),
            )
            .limit(1)
        ).first()
        if borrower is not None:
            raise DomainError(
                f"{label} is out on loan to {borrower}. Record its return before retiring it."
            )
        before = snapshot(item, AUDIT_FIELDS)
        item.status = ItemStatus.RETIRED
        session.flush()
        record_change(
            session,
            actor,
            "item.retired",
            "equipment_item",
            item.id,
            before=before,
            after=snapshot(item, AUDIT_FIELDS),
            note=reason,
        )


def _require_owner(session: Session, actor: Actor, agency_id: int | None) -> None:
    """An equipment manager keeps only their own agency's kit; an administrator, anyone's."""
    if agency_id is None:
        return
    name = session.scalar(select(Agency.name).where(Agency.id == agency_id)) or ""
    require(actor, Action.EDIT_CATALOGUE, agency_id=agency_id, agency_name=name)


def _get_item(session: Session, item_id: int) -> EquipmentItem:
    missing = f"There is no catalogue item with id {item_id}; it may have been removed."
    return get_or_missing(session, EquipmentItem, item_id, missing)


def _raise_if_invalid(draft: ItemDraft) -> None:
    problems = validate(draft, today=today_uk())
    if problems:
        raise ItemRefused(problems)


def _check_against_database(session: Session, draft: ItemDraft, *, item_id: int | None) -> None:
    """The rules that need other records: a free tag, real choices, the owner's own site."""
    problems: list[Refusal] = []
    tag = draft.asset_tag.strip()
    clash = select(EquipmentItem.name, EquipmentItem.asset_tag).where(
        func.lower(EquipmentItem.asset_tag) == tag.lower()
    )
    if item_id is not None:
        clash = clash.where(EquipmentItem.id != item_id)
    taken = session.execute(clash.limit(1)).first()
    if taken is not None:
        problems.append(
            Refusal(
                "tag_taken",
                f"Asset tag {taken[1]} is already used by “{taken[0]}”. Choose another tag.",
                "asset_tag",
            )
        )

    if session.get(Category, draft.category_id) is None:
        problems.append(
            Refusal("gone", "That category no longer exists; choose another.", "category_id")
        )
    owner = session.get(Agency, draft.owner_agency_id)
    site = session.get(Site, draft.home_site_id)
    if owner is None:
        problems.append(
            Refusal("gone", "That agency no longer exists; choose another.", "owner_agency_id")
        )
    if site is None:
        problems.append(
            Refusal("gone", "That site no longer exists; choose another.", "home_site_id")
        )
    elif owner is not None and site.agency_id != owner.id:
        problems.append(
            Refusal(
                "site_owner",
                f"Site {site.name} belongs to {site.agency.name}, not to {owner.name}. "
                "Choose one of the owner's sites.",
                "home_site_id",
            )
        )
    if problems:
        raise ItemRefused(problems)


def _apply(item: EquipmentItem, draft: ItemDraft) -> None:
    item.asset_tag = draft.asset_tag.strip()
    item.name = draft.name.strip()
    assert draft.category_id is not None  # validate() guarantees these three
    assert draft.owner_agency_id is not None
    assert draft.home_site_id is not None
    item.category_id = draft.category_id
    item.owner_agency_id = draft.owner_agency_id
    item.home_site_id = draft.home_site_id
    item.is_pooled = draft.is_pooled
    item.quantity = draft.quantity
    item.condition = draft.condition
    for name in _TEXT_FIELDS:
        # Blank stays NULL, so "not recorded" reads the same whichever way it was left.
        setattr(item, name, str(getattr(draft, name)).strip() or None)
    item.acquired_on = draft.acquired_on
    item.replacement_value_pence = draft.replacement_value_pence
    item.daily_hire_rate_pence = draft.daily_hire_rate_pence


def _flush(session: Session, draft: ItemDraft) -> None:
    """Flush, turning the database's last-moment refusals into messages."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise DomainError(STALE_MESSAGE) from exc
    except IntegrityError as exc:
        # Another station took the tag between our check and our insert.
        if "asset_tag" in str(exc.orig).lower():
            raise ItemRefused(
                [
                    Refusal(
                        "tag_taken",
                        f"Asset tag {draft.asset_tag.strip()} was taken by someone else a "
                        "moment ago. Choose another tag.",
                        "asset_tag",
                    )
                ]
            ) from exc
        raise
