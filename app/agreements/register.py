"""The MoU register: MoUs, the versions of each, and the rules for changing them.

Everyone reads the register (``app.agreements.reading``); only an administrator changes
it, and every change is audited in the same transaction. A signed version's wording is
fixed: changing it means a new version (``app.agreements.versions``), which supersedes
the old once it takes effect. Loans keep the version (and protocol) they were made
under, so an old version stays readable and printable. An MoU's clauses and
signatories are ``app.agreements.clauses``; the sharing protocols under it,
``app.agreements.protocols``.

Edits take drafts and raise ``RegisterRefused`` listing every problem, with the field
to point at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.agreements.clauses import (
    CLAUSE_AUDIT_FIELDS,
    SIGNATORY_AUDIT_FIELDS,
    ClauseDraft,
    SignatoryDraft,
    apply_clauses,
    apply_signatories,
    clause_problems,
    normalised_clauses,
    signatory_problems,
    stored_clauses,
)
from app.agreements.reading import MouView, load_mou, successor_of
from app.agreements.status import MouStatus, version_status
from app.audit.record import record_change, snapshot
from app.core.actor import Actor
from app.core.checks import text_problems
from app.core.clock import day_problem, format_date, now_utc, today_uk
from app.core.errors import Refusal, Refused
from app.core.permissions import Action, require
from app.core.text import clean_fields
from app.storage.database import Database
from models import Agency, Mou, MouParty, SharingProtocol

# The longest each text may be: the columns' own limits, so the database never refuses.
REFERENCE_MAX = 40
TITLE_MAX = 300
# Texts of an MoU and of a protocol that may run over several lines.
MOU_MULTILINE = ("purpose", "scope", "body")

# The audit trail's names for what the register changes.
MOU_ENTITY = "mou"
CREATED = "created"
UPDATED = "updated"
NEW_VERSION = "new_version"

MOU_AUDIT_FIELDS = (
    "reference",
    "version",
    "title",
    "purpose",
    "scope",
    "is_draft",
    "signed_on",
    "effective_from",
    "review_on",
    "expires_on",
    "terminated_on",
    "supersedes_id",
)


class RegisterRefused(Refused):
    """The register refuses a change; ``problems`` lists every rule broken."""


@dataclass(frozen=True)
class MouDraft:
    reference: str
    title: str
    purpose: str = ""
    scope: str = ""
    is_draft: bool = True
    signed_on: date | None = None
    effective_from: date | None = None
    review_on: date | None = None
    expires_on: date | None = None
    terminated_on: date | None = None
    party_ids: tuple[int, ...] = ()  # lead party first
    signatories: tuple[SignatoryDraft, ...] = ()
    clauses: tuple[ClauseDraft, ...] = ()


def mou_draft_of(view: MouView) -> MouDraft:
    """A draft holding ``view`` as it is, to start an edit from."""
    return MouDraft(
        reference=view.reference,
        title=view.title,
        purpose=view.purpose,
        scope=view.scope,
        is_draft=view.is_draft,
        signed_on=view.signed_on,
        effective_from=view.effective_from,
        review_on=view.review_on,
        expires_on=view.expires_on,
        terminated_on=view.terminated_on,
        party_ids=tuple(p.agency_id for p in view.parties),
        signatories=tuple(
            SignatoryDraft(
                agency_id=s.agency_id, name=s.name, role_title=s.role_title, signed_on=s.signed_on
            )
            for s in view.signatories
        ),
        clauses=tuple(
            ClauseDraft(heading=c.heading, body=c.body, number=c.number) for c in view.clauses
        ),
    )


# -- checks (as you type) and edits --------------------------------------------------------


def _date_order(
    later: date | None, earlier: date | None, *, what: str, field: str, same_day_ok: bool
) -> list[Refusal]:
    """``later`` must come after (or, if ``same_day_ok``, on) the date the MoU takes effect."""
    if later is None or earlier is None:
        return []
    if later > earlier or (same_day_ok and later == earlier):
        return []
    advice = "make it the same day or later" if same_day_ok else "make it later"
    where = "is before" if later < earlier else "is the same day as"
    return [
        Refusal(
            "dates",
            f"The {what} {format_date(later)} {where} the date it takes effect "
            f"({format_date(earlier)}); {advice}.",
            field,
        )
    ]


MOU_DATES = (
    ("signed_on", "date signed"),
    ("effective_from", "date it takes effect"),
    ("review_on", "review date"),
    ("expires_on", "expiry date"),
    ("terminated_on", "termination date"),
)


def _date_range_problems(draft: MouDraft) -> list[Refusal]:
    """Each of the MoU's dates, and each signatory's, in the years Kit Share takes."""
    problems = [
        Refusal("dates", problem, field)
        for field, what in MOU_DATES
        if (day := getattr(draft, field)) is not None and (problem := day_problem(day, what))
    ]
    for number, signatory in enumerate(draft.signatories, 1):
        if signatory.signed_on is not None and (
            problem := day_problem(signatory.signed_on, f"date signatory {number} signed")
        ):
            problems.append(Refusal("signatory", problem, "signatories"))
    return problems


def _mou_problems(
    session: Session, draft: MouDraft, existing: Mou | None, today: date
) -> list[Refusal]:
    """Every rule ``draft`` breaks, as a new MoU or as an edit of ``existing``."""
    if existing is not None:
        successor = successor_of(session, existing)
        if (
            successor is not None
            and version_status(existing, successor, today) is MouStatus.SUPERSEDED
        ):
            return [
                Refusal(
                    "superseded",
                    f"Version {existing.version} of {existing.reference} has been replaced by "
                    f"version {successor.version}; change that one.",
                )
            ]
    problems: list[Refusal] = []
    reference = draft.reference.strip()
    problems += text_problems(
        draft.reference,
        field="reference",
        limit=REFERENCE_MAX,
        missing="Give the MoU a reference, such as CAMBS-TRI-2024.",
        what="The reference",
    )
    if reference and len(reference) <= REFERENCE_MAX:
        problems += _reference_problems(session, reference, existing)
    problems += text_problems(
        draft.title,
        field="title",
        limit=TITLE_MAX,
        missing="Give the MoU a title, such as “Tri-service equipment sharing”.",
        what="The title",
    )
    agencies = {
        a.id: a
        for a in session.scalars(
            select(Agency).where(
                Agency.id.in_({*draft.party_ids, *(s.agency_id for s in draft.signatories)})
            )
        )
    }
    problems += _party_problems(draft.party_ids, agencies)
    problems += signatory_problems(draft.signatories, draft.party_ids, agencies)
    problems += clause_problems(draft.clauses)
    if not draft.is_draft:
        problems += _signed_problems(draft)
    out_of_range = _date_range_problems(draft)
    if out_of_range:
        return problems + out_of_range
    effective = draft.effective_from
    problems += _date_order(
        draft.expires_on, effective, what="expiry date", field="expires_on", same_day_ok=False
    )
    problems += _date_order(
        draft.review_on, effective, what="review date", field="review_on", same_day_ok=True
    )
    problems += _date_order(
        draft.terminated_on,
        effective,
        what="termination date",
        field="terminated_on",
        same_day_ok=True,
    )
    if existing is not None:
        problems += _edit_problems(session, draft, existing)
    return problems


def _reference_problems(session: Session, reference: str, existing: Mou | None) -> list[Refusal]:
    if existing is not None and reference.lower() == existing.reference.lower():
        return []
    if existing is not None and existing.supersedes_id is not None:
        return [
            Refusal(
                "reference",
                f"Version {existing.version} continues {existing.reference}, so it keeps that "
                "reference.",
                "reference",
            )
        ]
    taken = session.scalars(
        select(Mou)
        .where(func.lower(Mou.reference) == reference.lower())
        .order_by(Mou.version.desc())
    ).first()
    if taken is None:
        return []
    return [
        Refusal(
            "reference_taken",
            f"The reference {taken.reference} is already used (newest version "
            f"{taken.version}, “{taken.title}”). To change that MoU, start a new version of "
            "it; for a different MoU, give another reference.",
            "reference",
        )
    ]


def _party_problems(party_ids: Sequence[int], agencies: dict[int, Agency]) -> list[Refusal]:
    problems: list[Refusal] = []
    seen: set[int] = set()
    for agency_id in party_ids:
        if agency_id in seen:
            name = agencies[agency_id].name if agency_id in agencies else f"Agency {agency_id}"
            problems.append(
                Refusal(
                    "parties",
                    f"{name} is listed twice as a party; list each party once.",
                    "party_ids",
                )
            )
        elif agency_id not in agencies:
            problems.append(
                Refusal(
                    "parties",
                    f"There is no agency with id {agency_id}; choose the parties from the list.",
                    "party_ids",
                )
            )
        seen.add(agency_id)
    if len(seen) < 2:
        problems.append(
            Refusal(
                "parties",
                "An MoU needs at least two parties; add the agencies that sign it.",
                "party_ids",
            )
        )
    return problems


def _signed_problems(draft: MouDraft) -> list[Refusal]:
    """What a signed MoU needs that a draft may leave for later."""
    problems: list[Refusal] = []
    if draft.effective_from is None:
        problems.append(
            Refusal(
                "signed",
                "A signed MoU needs the date it takes effect; enter it, or keep it as a draft.",
                "effective_from",
            )
        )
    if not draft.signatories:
        problems.append(
            Refusal(
                "signed",
                "A signed MoU needs at least one signatory; add who signed it for each party.",
                "signatories",
            )
        )
    if not draft.clauses:
        problems.append(
            Refusal(
                "signed",
                "A signed MoU needs at least one clause; add its wording, or keep it as a draft.",
                "clauses",
            )
        )
    return problems


def _edit_problems(session: Session, draft: MouDraft, existing: Mou) -> list[Refusal]:
    """The rules for changing a version that already exists."""
    problems: list[Refusal] = []
    if not existing.is_draft:
        changed = _changed_wording(draft, existing)
        if changed:
            problems.append(
                Refusal(
                    "wording_fixed",
                    f"Version {existing.version} is signed, so its wording is fixed; start a "
                    "new version to change it.",
                    changed[0],
                )
            )
        if draft.is_draft:
            problems.append(
                Refusal(
                    "signed",
                    f"Version {existing.version} is signed; it cannot go back to being a "
                    "draft. Start a new version to draft changes.",
                    "is_draft",
                )
            )
        return problems
    kept = set(draft.party_ids)
    for protocol in sorted(existing.protocols, key=lambda p: p.id):
        for borrower in protocol.borrowers:
            if borrower.id not in kept:
                problems.append(
                    Refusal(
                        "party_in_use",
                        f"{borrower.name} borrows under the protocol “{protocol.name}”; take "
                        "it off that protocol's borrowers before removing it as a party.",
                        "party_ids",
                    )
                )
        for item in protocol.items:
            if item.owner_agency_id not in kept:
                problems.append(
                    Refusal(
                        "party_in_use",
                        f"The protocol “{protocol.name}” lends {item.asset_tag}, which belongs "
                        "to an agency you are removing as a party; take the item off that "
                        "protocol first.",
                        "party_ids",
                    )
                )
    if not draft.is_draft and existing.supersedes_id is not None and draft.effective_from:
        before = session.get(Mou, existing.supersedes_id)
        if before is not None and before.effective_from is not None:
            problems += _predecessor_order(draft.effective_from, before)
    return problems


def _predecessor_order(effective: date, before: Mou) -> list[Refusal]:
    assert before.effective_from is not None
    if effective > before.effective_from:
        return []
    return [
        Refusal(
            "dates",
            f"This version would take effect on {format_date(effective)}, but version "
            f"{before.version}, which it replaces, took effect on "
            f"{format_date(before.effective_from)}; make it later.",
            "effective_from",
        )
    ]


def _changed_wording(draft: MouDraft, mou: Mou) -> list[str]:
    """The wording fields in which ``draft`` differs from the stored ``mou``."""
    changed: list[str] = []
    if draft.reference.strip() != mou.reference:
        changed.append("reference")
    if draft.title.strip() != mou.title:
        changed.append("title")
    if draft.purpose.strip() != (mou.purpose or "").strip():
        changed.append("purpose")
    if draft.scope.strip() != (mou.scope or "").strip():
        changed.append("scope")
    if list(draft.party_ids) != [p.agency_id for p in mou.parties]:
        changed.append("party_ids")
    if normalised_clauses(draft.clauses) != stored_clauses(mou):
        changed.append("clauses")
    return changed


def check_mou(db: Database, draft: MouDraft, *, mou_id: int | None = None) -> list[Refusal]:
    """Every problem with ``draft`` (as a new MoU, or as an edit of ``mou_id``)."""
    draft = clean_fields(draft, multiline=MOU_MULTILINE)
    with db.read() as session:
        existing = load_mou(session, mou_id) if mou_id is not None else None
        return _mou_problems(session, draft, existing, today_uk())


def _apply_mou(mou: Mou, draft: MouDraft, *, wording: bool) -> None:
    """Write ``draft`` into ``mou``; the wording only if it may change."""
    if wording:
        mou.reference = draft.reference.strip()
        mou.title = draft.title.strip()
        mou.purpose = draft.purpose.strip() or None
        mou.scope = draft.scope.strip() or None
        rows = {party.agency_id: party for party in mou.parties}
        parties: list[MouParty] = []
        for position, agency_id in enumerate(draft.party_ids):
            party = rows.pop(agency_id, None) or MouParty(agency_id=agency_id)
            party.position = position
            parties.append(party)
        mou.parties = parties
        apply_clauses(mou, draft.clauses)
    mou.is_draft = draft.is_draft
    mou.signed_on = draft.signed_on
    mou.effective_from = draft.effective_from
    mou.review_on = draft.review_on
    mou.expires_on = draft.expires_on
    mou.terminated_on = draft.terminated_on
    apply_signatories(mou, draft.signatories)


def mou_snapshot(mou: Mou) -> dict[str, Any]:
    state = snapshot(mou, MOU_AUDIT_FIELDS)
    state["party_ids"] = [p.agency_id for p in mou.parties]
    state["signatories"] = [snapshot(s, SIGNATORY_AUDIT_FIELDS) for s in mou.signatories]
    state["clause_headings"] = [f"{c.number} {c.heading}" for c in mou.clauses]
    state["clauses"] = [snapshot(c, CLAUSE_AUDIT_FIELDS) for c in mou.clauses]
    return state


def record_register_change(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: int,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    note: str | None = None,
) -> None:
    # "mou.created", "sharing_protocol.updated": named as loans and items name theirs.
    record_change(
        session,
        actor,
        f"{entity_type}.{action}",
        entity_type,
        entity_id,
        before=before,
        after=after,
        note=note,
    )


def record_register_update(
    session: Session,
    actor: Actor,
    entity_type: str,
    changed: Mou | SharingProtocol,
    *,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """Audit an edit of ``changed`` and stamp it as updated now, if the edit changed
    anything: one that changes nothing leaves no trace."""
    if after == before:
        return
    changed.updated_at = now_utc()
    record_register_change(
        session, actor, UPDATED, entity_type, changed.id, before=before, after=after
    )


def flush_new_mou(session: Session, mou: Mou) -> None:
    """Flush a new version; another administrator may have taken its reference a moment ago."""
    try:
        session.flush()
    except IntegrityError:
        raise RegisterRefused(
            [
                Refusal(
                    "reference_taken",
                    f"Someone else saved {mou.reference} version {mou.version} a moment ago. "
                    "Reopen the register to see it.",
                    "reference",
                )
            ]
        ) from None


def create_mou(db: Database, draft: MouDraft, actor: Actor) -> int:
    """Add an MoU as version 1; returns its id."""
    draft = clean_fields(draft, multiline=MOU_MULTILINE)
    require(actor, Action.EDIT_REGISTER)
    with db.write() as session:
        RegisterRefused.raise_if_any(_mou_problems(session, draft, None, today_uk()))
        mou = Mou(version=1)
        _apply_mou(mou, draft, wording=True)
        session.add(mou)
        flush_new_mou(session, mou)
        record_register_change(
            session, actor, CREATED, MOU_ENTITY, mou.id, before=None, after=mou_snapshot(mou)
        )
        return mou.id


def update_mou(db: Database, mou_id: int, draft: MouDraft, actor: Actor) -> None:
    """Change one version. A signed version's wording is fixed; its dates and signatories
    can still be put right."""
    draft = clean_fields(draft, multiline=MOU_MULTILINE)
    require(actor, Action.EDIT_REGISTER)
    with db.write() as session:
        mou = load_mou(session, mou_id, lock=True)
        RegisterRefused.raise_if_any(_mou_problems(session, draft, mou, today_uk()))
        before = mou_snapshot(mou)
        _apply_mou(mou, draft, wording=mou.is_draft)
        session.flush()
        record_register_update(
            session, actor, MOU_ENTITY, mou, before=before, after=mou_snapshot(mou)
        )
