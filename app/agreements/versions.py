"""A new version of a signed MoU: a draft copy of its wording, parties, signatories
(without their dates), clauses and protocols, which supersedes the old version once it
is signed and takes effect.
"""

from __future__ import annotations

from app.agreements.protocols import PROTOCOL_COPIED_FIELDS, PROTOCOL_ENTITY, protocol_snapshot
from app.agreements.reading import load_mou, mou_label, successor_of
from app.agreements.register import (
    CREATED,
    MOU_ENTITY,
    NEW_VERSION,
    RegisterRefused,
    flush_new_mou,
    mou_snapshot,
    record_register_change,
)
from app.core.actor import Actor
from app.core.errors import Refusal
from app.core.permissions import Action, require
from app.storage.database import Database
from models import Mou, MouClause, MouParty, MouSignatory, SharingProtocol


def new_version(db: Database, mou_id: int, actor: Actor) -> int:
    """Start the next version of ``mou_id`` as a draft copy (parties, signatories without
    their dates, clauses and protocols); returns the new version's id."""
    require(actor, Action.EDIT_REGISTER)
    with db.write() as session:
        old = load_mou(session, mou_id, lock=True)
        problems: list[Refusal] = []
        if old.is_draft:
            problems.append(
                Refusal(
                    "draft",
                    f"Version {old.version} of {old.reference} is still a draft; finish and "
                    "sign this version first, then start the next.",
                )
            )
        successor = successor_of(session, old)
        if successor is not None:
            state = "a draft" if successor.is_draft else "signed"
            problems.append(
                Refusal(
                    "has_successor",
                    f"Version {old.version} of {old.reference} already has a next version, "
                    f"version {successor.version} ({state}); open that one instead.",
                )
            )
        RegisterRefused.raise_if_any(problems)
        mou = _copy_mou(old)
        session.add(mou)
        flush_new_mou(session, mou)
        record_register_change(
            session,
            actor,
            NEW_VERSION,
            MOU_ENTITY,
            mou.id,
            before=None,
            after=mou_snapshot(mou),
            note=f"Version {mou.version} of {mou.reference}, superseding version "
            f"{old.version} (id {old.id}).",
        )
        for copy, original in zip(
            mou.protocols, sorted(old.protocols, key=lambda p: p.id), strict=True
        ):
            record_register_change(
                session,
                actor,
                CREATED,
                PROTOCOL_ENTITY,
                copy.id,
                before=None,
                after=protocol_snapshot(copy),
                note=f"Copied from protocol {original.id} of {mou_label(old)} into version "
                f"{mou.version}.",
            )
        return mou.id


def _copy_mou(old: Mou) -> Mou:
    """A draft next version of ``old``: its wording, parties, unsigned signatories and
    protocols; its dates except the signing date."""
    mou = Mou(
        reference=old.reference,
        version=old.version + 1,
        supersedes_id=old.id,
        title=old.title,
        purpose=old.purpose,
        scope=old.scope,
        is_draft=True,
        signed_on=None,
        effective_from=old.effective_from,
        review_on=old.review_on,
        expires_on=old.expires_on,
        terminated_on=old.terminated_on,
    )
    mou.parties = [MouParty(agency_id=p.agency_id, position=p.position) for p in old.parties]
    mou.signatories = [
        MouSignatory(agency_id=s.agency_id, name=s.name, role_title=s.role_title, signed_on=None)
        for s in old.signatories
    ]
    mou.clauses = [
        MouClause(position=c.position, number=c.number, heading=c.heading, body=c.body)
        for c in old.clauses
    ]
    mou.protocols = [
        SharingProtocol(
            **{name: getattr(p, name) for name in PROTOCOL_COPIED_FIELDS},
            borrowers=list(p.borrowers),
            categories=list(p.categories),
            items=list(p.items),
            required_qualifications=list(p.required_qualifications),
        )
        for p in sorted(old.protocols, key=lambda p: p.id)
    ]
    return mou
