"""Sharing protocols: the terms under an MoU on which one agency's kit is lent to
others (who may borrow what, who approves, notice, longest loan, charges, required
qualifications).

A protocol stays under the MoU version it was made under, so loans keep their terms;
under a version that has been replaced or has ended, protocols are history and do not
change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.agreements.reading import PROTOCOL_OPTIONS, ProtocolView, mou_label, successor_of
from app.agreements.register import (
    CREATED,
    RegisterRefused,
    record_register_change,
    record_register_update,
)
from app.agreements.status import MouStatus, version_status
from app.audit.record import snapshot
from app.catalogue.search import find_by_tags
from app.core.actor import Actor
from app.core.checks import text_problems
from app.core.clock import format_date, today_uk
from app.core.errors import Refusal
from app.core.lookup import get_or_missing
from app.core.permissions import Action, require
from app.core.text import clean_fields, clean_text
from app.storage.database import Database
from models import (
    Agency,
    Category,
    ChargingBasis,
    EquipmentItem,
    Mou,
    QualificationType,
    Role,
    SharingProtocol,
)

# The longest each text may be: the columns' own limits, so the database never refuses.
PROTOCOL_NAME_MAX = 200
APPROVER_TITLE_MAX = 200
CHARGE_UNIT_MAX = 20

PROTOCOL_MULTILINE = ("use_conditions", "protocol_text", "data_terms")
# The largest whole number both databases store in an INTEGER column.
LARGEST_WHOLE_NUMBER = 2_147_483_647
# The longest notice and loan a protocol may set: a quarter and a year. Beyond them a loan
# could never be planned, and "now plus the notice" would run past the calendar's end.
NOTICE_HOURS_MAX = 24 * 90
LONGEST_LOAN_HOURS_MAX = 24 * 366

PROTOCOL_ENTITY = "sharing_protocol"

# Every column a new version copies from each protocol (the links are copied too).
PROTOCOL_COPIED_FIELDS = (
    "name",
    "approver_role",
    "approver_title",
    "notice_hours",
    "max_loan_hours",
    "charging",
    "charge_rate_pence",
    "charge_unit",
    "use_conditions",
    "protocol_text",
    "data_terms",
    "is_active",
    "emergency_only",
)
PROTOCOL_AUDIT_FIELDS = ("mou_id", *PROTOCOL_COPIED_FIELDS)


@dataclass(frozen=True)
class ProtocolDraft:
    mou_id: int
    name: str
    borrower_ids: tuple[int, ...] = ()
    category_ids: tuple[int, ...] = ()
    item_ids: tuple[int, ...] = ()
    approver_role: Role = Role.EQUIPMENT_MANAGER
    approver_title: str = ""
    notice_hours: int = 0
    max_loan_hours: int = 72
    qualification_ids: tuple[int, ...] = ()
    charging: ChargingBasis = ChargingBasis.NONE
    charge_rate_pence: int | None = None
    charge_unit: str = ""
    use_conditions: str = ""
    protocol_text: str = ""
    data_terms: str = ""
    is_active: bool = True
    emergency_only: bool = False


def protocol_draft_of(view: ProtocolView) -> ProtocolDraft:
    """A draft holding ``view`` as it is, to start an edit from."""
    return ProtocolDraft(
        mou_id=view.mou_id,
        name=view.name,
        borrower_ids=tuple(b.agency_id for b in view.borrowers),
        category_ids=tuple(c[0] for c in view.categories),
        item_ids=tuple(i[0] for i in view.items),
        approver_role=view.approver_role,
        approver_title=view.approver_title or "",
        notice_hours=view.notice_hours,
        max_loan_hours=view.max_loan_hours,
        qualification_ids=tuple(q[0] for q in view.qualifications),
        charging=view.charging,
        charge_rate_pence=view.charge_rate_pence,
        charge_unit=view.charge_unit or "",
        use_conditions=view.use_conditions,
        protocol_text=view.protocol_text,
        data_terms=view.data_terms,
        is_active=view.is_active,
        emergency_only=view.emergency_only,
    )


def _whole_number_problems(value: int | None, *, field: str, what: str) -> list[Refusal]:
    if value is not None and value > LARGEST_WHOLE_NUMBER:
        return [Refusal(field, f"{what} is too large; give a smaller number.", field)]
    return []


def _unique_ids(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def _protocol_problems(
    session: Session, draft: ProtocolDraft, existing: SharingProtocol | None, today: date
) -> list[Refusal]:
    """Every rule ``draft`` breaks, as a new protocol or as an edit of ``existing``."""
    problems = text_problems(
        draft.name,
        field="name",
        limit=PROTOCOL_NAME_MAX,
        missing="Give the protocol a name, such as “Drones for police searches”.",
        what="The protocol's name",
    )
    problems += text_problems(
        draft.approver_title,
        field="approver_title",
        limit=APPROVER_TITLE_MAX,
        what="The approver's title",
    )
    problems += _terms_problems(draft)
    mou = session.scalars(
        select(Mou).where(Mou.id == draft.mou_id).options(selectinload(Mou.parties))
    ).first()
    if existing is not None and draft.mou_id != existing.mou_id:
        problems.append(
            Refusal(
                "mou",
                "A protocol stays under the MoU version it was made under, so loans keep their "
                "terms; make a new protocol under the other MoU instead.",
                "mou_id",
            )
        )
    elif mou is None:
        problems.append(
            Refusal(
                "mou",
                f"There is no MoU with id {draft.mou_id}; choose the MoU from the register.",
                "mou_id",
            )
        )
    else:
        problems += _history_problems(session, mou, today)
    parties = {p.agency_id for p in mou.parties} if mou is not None else set()
    label = mou_label(mou) if mou is not None else "the MoU"
    problems += _borrower_problems(session, draft, parties, label)
    problems += _coverage_problems(session, draft, parties, label, check_owner=mou is not None)
    qualifications = _unique_ids(draft.qualification_ids)
    known = set(
        session.scalars(
            select(QualificationType.id).where(QualificationType.id.in_(qualifications))
        )
    )
    problems += [
        Refusal(
            "qualifications",
            f"There is no qualification with id {q}; choose from the list.",
            "qualification_ids",
        )
        for q in qualifications
        if q not in known
    ]
    return problems


def _history_problems(session: Session, mou: Mou, today: date) -> list[Refusal]:
    successor = successor_of(session, mou)
    status = version_status(mou, successor, today)
    if status is MouStatus.SUPERSEDED and successor is not None:
        return [
            Refusal(
                "mou",
                f"{mou_label(mou)} has been replaced by version {successor.version}; add or "
                "change protocols under that version. Protocols under an old version are "
                "history and stay as they were.",
                "mou_id",
            )
        ]
    if status is MouStatus.EXPIRED:
        ended = (
            f"was terminated on {format_date(mou.terminated_on)}"
            if mou.terminated_on is not None and mou.terminated_on <= today
            else f"expired on {format_date(mou.expires_on)}"
        )
        return [
            Refusal(
                "mou",
                f"{mou_label(mou)} {ended}; its protocols are history and cannot change. "
                "Renew it with a new version first.",
                "mou_id",
            )
        ]
    return []


def _terms_problems(draft: ProtocolDraft) -> list[Refusal]:
    problems: list[Refusal] = []
    if draft.max_loan_hours <= 0:
        problems.append(
            Refusal(
                "max_loan_hours",
                f"The longest loan must be at least 1 hour, not {draft.max_loan_hours}.",
                "max_loan_hours",
            )
        )
    if draft.max_loan_hours > LONGEST_LOAN_HOURS_MAX:
        problems.append(
            Refusal(
                "max_loan_hours",
                f"The longest loan can be at most {LONGEST_LOAN_HOURS_MAX // 24} days "
                f"({LONGEST_LOAN_HOURS_MAX:,} hours), not {draft.max_loan_hours:,} hours; "
                "give a shorter one.",
                "max_loan_hours",
            )
        )
    if draft.notice_hours < 0:
        problems.append(
            Refusal(
                "notice_hours",
                "The notice period cannot be negative; use 0 for no notice.",
                "notice_hours",
            )
        )
    if draft.notice_hours > NOTICE_HOURS_MAX:
        problems.append(
            Refusal(
                "notice_hours",
                f"The notice period can be at most {NOTICE_HOURS_MAX // 24} days "
                f"({NOTICE_HOURS_MAX:,} hours), not {draft.notice_hours:,} hours; give a "
                "shorter one.",
                "notice_hours",
            )
        )
    if draft.charging is ChargingBasis.RATE:
        rate = draft.charge_rate_pence
        if rate is None or rate <= 0:
            problems.append(
                Refusal(
                    "charge_rate_pence",
                    "A charge at a rate needs a rate above £0.00, e.g. £45.00 per day; "
                    "or choose no charge.",
                    "charge_rate_pence",
                )
            )
        problems += _whole_number_problems(rate, field="charge_rate_pence", what="The charge rate")
        problems += text_problems(
            draft.charge_unit,
            field="charge_unit",
            limit=CHARGE_UNIT_MAX,
            missing="Say what the rate is charged per, such as “day” or “loan”.",
            what="The charging unit",
        )
    return problems


def _borrower_problems(
    session: Session, draft: ProtocolDraft, parties: set[int], label: str
) -> list[Refusal]:
    borrower_ids = _unique_ids(draft.borrower_ids)
    if not borrower_ids:
        return [
            Refusal(
                "borrowers",
                "Choose at least one agency that may borrow under this protocol.",
                "borrower_ids",
            )
        ]
    agencies = {a.id: a for a in session.scalars(select(Agency).where(Agency.id.in_(borrower_ids)))}
    problems: list[Refusal] = []
    for agency_id in borrower_ids:
        agency = agencies.get(agency_id)
        if agency is None:
            problems.append(
                Refusal(
                    "borrowers",
                    f"There is no agency with id {agency_id}; choose borrowers from the list.",
                    "borrower_ids",
                )
            )
        elif parties and agency_id not in parties:
            problems.append(
                Refusal(
                    "borrowers",
                    f"{agency.name} is not a party to {label}, so it cannot borrow under it; "
                    "choose one of the parties.",
                    "borrower_ids",
                )
            )
    return problems


def _coverage_problems(
    session: Session, draft: ProtocolDraft, parties: set[int], label: str, *, check_owner: bool
) -> list[Refusal]:
    category_ids = _unique_ids(draft.category_ids)
    item_ids = _unique_ids(draft.item_ids)
    if not category_ids and not item_ids:
        return [
            Refusal(
                "coverage",
                "Choose at least one category or item this protocol covers.",
                "category_ids",
            )
        ]
    problems: list[Refusal] = []
    known = set(session.scalars(select(Category.id).where(Category.id.in_(category_ids))))
    problems += [
        Refusal(
            "coverage",
            f"There is no category with id {c}; choose categories from the list.",
            "category_ids",
        )
        for c in category_ids
        if c not in known
    ]
    items = {
        i.id: i
        for i in session.scalars(
            select(EquipmentItem)
            .where(EquipmentItem.id.in_(item_ids))
            .options(selectinload(EquipmentItem.owner_agency))
        )
    }
    for item_id in item_ids:
        item = items.get(item_id)
        if item is None:
            problems.append(
                Refusal(
                    "coverage",
                    f"There is no catalogue item with id {item_id}; choose items by tag.",
                    "item_ids",
                )
            )
        elif check_owner and item.owner_agency_id not in parties:
            problems.append(
                Refusal(
                    "item_owner",
                    f"Item {item.asset_tag} belongs to {item.owner_agency.name}, which is not a "
                    f"party to {label}; choose kit a party owns.",
                    "item_ids",
                )
            )
    return problems


def check_protocol(
    db: Database, draft: ProtocolDraft, *, protocol_id: int | None = None
) -> list[Refusal]:
    """Every problem with ``draft`` (as a new protocol, or as an edit of ``protocol_id``)."""
    draft = clean_fields(draft, multiline=PROTOCOL_MULTILINE)
    with db.read() as session:
        existing = _load_protocol(session, protocol_id) if protocol_id is not None else None
        return _protocol_problems(session, draft, existing, today_uk())


def _load_protocol(session: Session, protocol_id: int, *, lock: bool = False) -> SharingProtocol:
    missing = f"There is no sharing protocol with id {protocol_id}; it may have been removed."
    return get_or_missing(
        session, SharingProtocol, protocol_id, missing, lock=lock, options=PROTOCOL_OPTIONS
    )


def _in_order(session: Session, model: Any, ids: Sequence[int]) -> list[Any]:
    """The ``model`` rows with ``ids``, in that order (each once)."""
    wanted = _unique_ids(ids)
    found = {row.id: row for row in session.scalars(select(model).where(model.id.in_(wanted)))}
    return [found[i] for i in wanted]


def _apply_protocol(session: Session, protocol: SharingProtocol, draft: ProtocolDraft) -> None:
    protocol.mou_id = draft.mou_id
    protocol.name = draft.name.strip()
    protocol.approver_role = draft.approver_role
    protocol.approver_title = draft.approver_title.strip() or None
    protocol.notice_hours = draft.notice_hours
    protocol.max_loan_hours = draft.max_loan_hours
    protocol.charging = draft.charging
    if draft.charging is ChargingBasis.RATE:
        protocol.charge_rate_pence = draft.charge_rate_pence
        protocol.charge_unit = draft.charge_unit.strip()
    else:
        protocol.charge_rate_pence = None
        protocol.charge_unit = None
    protocol.use_conditions = draft.use_conditions.strip() or None
    protocol.protocol_text = draft.protocol_text.strip() or None
    protocol.data_terms = draft.data_terms.strip() or None
    protocol.is_active = draft.is_active
    protocol.emergency_only = draft.emergency_only
    protocol.borrowers = _in_order(session, Agency, draft.borrower_ids)
    protocol.categories = _in_order(session, Category, draft.category_ids)
    protocol.items = _in_order(session, EquipmentItem, draft.item_ids)
    protocol.required_qualifications = _in_order(
        session, QualificationType, draft.qualification_ids
    )


def protocol_snapshot(protocol: SharingProtocol) -> dict[str, Any]:
    state = snapshot(protocol, PROTOCOL_AUDIT_FIELDS)
    state["borrower_ids"] = sorted(a.id for a in protocol.borrowers)
    state["category_ids"] = sorted(c.id for c in protocol.categories)
    state["item_ids"] = sorted(i.id for i in protocol.items)
    state["qualification_ids"] = sorted(q.id for q in protocol.required_qualifications)
    return state


def create_protocol(db: Database, draft: ProtocolDraft, actor: Actor) -> int:
    """Add a sharing protocol under ``draft.mou_id``; returns its id."""
    draft = clean_fields(draft, multiline=PROTOCOL_MULTILINE)
    require(actor, Action.EDIT_REGISTER)
    with db.write() as session:
        RegisterRefused.raise_if_any(_protocol_problems(session, draft, None, today_uk()))
        protocol = SharingProtocol()
        _apply_protocol(session, protocol, draft)
        session.add(protocol)
        session.flush()
        record_register_change(
            session,
            actor,
            CREATED,
            PROTOCOL_ENTITY,
            protocol.id,
            before=None,
            after=protocol_snapshot(protocol),
        )
        return protocol.id


def update_protocol(db: Database, protocol_id: int, draft: ProtocolDraft, actor: Actor) -> None:
    """Change a sharing protocol (deactivate it with ``is_active=False``)."""
    draft = clean_fields(draft, multiline=PROTOCOL_MULTILINE)
    require(actor, Action.EDIT_REGISTER)
    with db.write() as session:
        protocol = _load_protocol(session, protocol_id, lock=True)
        RegisterRefused.raise_if_any(_protocol_problems(session, draft, protocol, today_uk()))
        before = protocol_snapshot(protocol)
        _apply_protocol(session, protocol, draft)
        session.flush()
        record_register_update(
            session,
            actor,
            PROTOCOL_ENTITY,
            protocol,
            before=before,
            after=protocol_snapshot(protocol),
        )


def resolve_tags(db: Database, tags: Sequence[str]) -> tuple[int, ...]:
    """The ids of the items with these asset tags (any case), in the order given.

    Unknown tags are refused together, in one ``RegisterRefused`` on the field "items".
    """
    tags = [clean_text(tag) for tag in tags]
    ids, unknown = find_by_tags(db, tags)
    if unknown:
        raise RegisterRefused(
            [
                Refusal(
                    "unknown_tag",
                    f"No catalogue item has the asset tag “{tag}”; check the label.",
                    "items",
                )
                for tag in unknown
            ]
        )
    return tuple(ids)
