"""MoU status and which sharing protocol governs an item."""

from __future__ import annotations

import enum
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from models import (
    EquipmentItem,
    Mou,
    MouParty,
    SharingProtocol,
    protocol_categories,
    protocol_items,
)

REVIEW_WARNING_DAYS = 60


class MouStatus(enum.Enum):
    DRAFT = "Draft"
    NOT_YET_IN_FORCE = "Signed, not yet in force"
    IN_FORCE = "In force"
    REVIEW_DUE = "Review due"
    EXPIRED = "Expired"
    SUPERSEDED = "Superseded"

    @property
    def allows_loans(self) -> bool:
        return self in (MouStatus.IN_FORCE, MouStatus.REVIEW_DUE)


def mou_status(
    *,
    is_draft: bool,
    effective_from: date | None,
    review_on: date | None,
    expires_on: date | None,
    terminated_on: date | None,
    superseded_from: date | None,
    today: date,
) -> MouStatus:
    """Derive an MoU's status from its dates; ``superseded_from`` is when a successor took effect.

    An MoU is in force on its effective date and up to and including its expiry date;
    "review due" starts 60 days before the review date and stays until it is reviewed
    (a new version) or expires.
    """
    if is_draft or effective_from is None:
        return MouStatus.DRAFT
    if superseded_from is not None and superseded_from <= today:
        return MouStatus.SUPERSEDED
    if terminated_on is not None and terminated_on <= today:
        return MouStatus.EXPIRED
    if expires_on is not None and expires_on < today:
        return MouStatus.EXPIRED
    if effective_from > today:
        return MouStatus.NOT_YET_IN_FORCE
    if review_on is not None and review_on - timedelta(days=REVIEW_WARNING_DAYS) <= today:
        return MouStatus.REVIEW_DUE
    return MouStatus.IN_FORCE


def status_of(session: Session, mou: Mou, today: date) -> MouStatus:
    successor = session.scalar(
        select(Mou).where(Mou.supersedes_id == mou.id, Mou.is_draft.is_(False))
    )
    return version_status(mou, successor, today)


def version_status(mou: Mou, successor: Mou | None, today: date) -> MouStatus:
    """As ``status_of``, with the successor already in hand (a draft one supersedes nothing)."""
    takes_over = successor is not None and not successor.is_draft
    return mou_status(
        is_draft=mou.is_draft,
        effective_from=mou.effective_from,
        review_on=mou.review_on,
        expires_on=mou.expires_on,
        terminated_on=mou.terminated_on,
        superseded_from=successor.effective_from if takes_over and successor else None,
        today=today,
    )


def governing_protocol(
    session: Session, item: EquipmentItem, today: date
) -> SharingProtocol | None:
    """The active protocol, under an MoU that allows loans today, that covers ``item``.

    A protocol naming the item wins over one covering its category; among equals the
    most recently made one wins.
    """
    usable = usable_protocols(session, item, today)
    return usable[0] if usable else None


def covering_protocols(session: Session, item: EquipmentItem) -> list[SharingProtocol]:
    """Every active protocol that names ``item`` or its category, under an MoU its owner
    is party to, whatever that MoU's status, newest first: the candidates, before the MoU
    is asked whether it allows loans.
    """
    return list(
        session.scalars(
            select(SharingProtocol)
            .join(Mou, SharingProtocol.mou_id == Mou.id)
            .outerjoin(protocol_items, protocol_items.c.protocol_id == SharingProtocol.id)
            .outerjoin(protocol_categories, protocol_categories.c.protocol_id == SharingProtocol.id)
            .where(
                SharingProtocol.is_active.is_(True),
                or_(
                    protocol_items.c.item_id == item.id,
                    protocol_categories.c.category_id == item.category_id,
                ),
                # Only an MoU the owner signed can lend the owner's kit.
                select(MouParty.id)
                .where(MouParty.mou_id == Mou.id, MouParty.agency_id == item.owner_agency_id)
                .exists(),
            )
            .order_by(SharingProtocol.id.desc())
            .options(joinedload(SharingProtocol.mou), selectinload(SharingProtocol.borrowers))
        )
        .unique()
        .all()
    )


def usable_protocols(session: Session, item: EquipmentItem, today: date) -> list[SharingProtocol]:
    """The protocols under which ``item`` may be lent today, the governing one first.

    Protocols naming the item come before those covering its category; within each,
    the most recently made first. A protocol under a superseded, expired or draft MoU
    is left out.
    """
    # status_of() says "superseded" once a successor is in effect, so that is covered.
    candidates = covering_protocols(session, item)
    usable = [p for p in candidates if status_of(session, p.mou, today).allows_loans]
    # Which name the item itself: one small query, not every protocol's item list.
    naming = set(
        session.scalars(
            select(protocol_items.c.protocol_id).where(protocol_items.c.item_id == item.id)
        )
    )
    direct = [p for p in usable if p.id in naming]
    return direct + [p for p in usable if p not in direct]
