"""A kit on paper: its sharing terms, one document for all its members, and its label.

A kit is lent as one loan of its members, each under its own sharing protocol, so its
terms are every member's together: the protocols and MoU clauses that apply, grouped by
protocol, and the strictest of their terms for the whole (the longest notice, the
shortest longest-loan, every competence). The pieces of HTML are those of the item's
sharing terms (``app.documents.content``), so the two read alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from sqlalchemy import select

from app.agreements.reading import MouView, ProtocolView, get_mou
from app.catalogue.detail import item_detail
from app.core.clock import format_date, format_datetime, format_hours, now_utc
from app.core.errors import DomainError
from app.documents.content import (
    A4_21_LABELS,
    AssetLabel,
    LabelSheet,
    NotShareable,
    PrintedDocument,
    clauses_html,
    document_html,
    facts,
    grid,
    offline_notice,
    para,
    paragraphs,
    printed_when,
    qr_modules,
    signature_block,
    terms_rows,
)
from app.kits.search import kit_code
from app.kits.service import KitMemberView, KitView, get_kit
from app.kits.terms import kit_terms
from app.storage.database import Database
from models import SharingProtocol

SIGNATURES_HEADING = "5. Signatures"
# What a kit's label says in large type where an item's says its tag.
KIT_LABEL_HEADING = "KIT"


@dataclass(frozen=True)
class _Lent:
    """One protocol of the kit's terms: the protocol, its MoU, and the members it lends."""

    protocol: ProtocolView
    mou: MouView
    members: tuple[KitMemberView, ...]

    @property
    def tags(self) -> str:
        return ", ".join(member.asset_tag for member in self.members)


def kit_sharing_terms(
    db: Database, kit_id: int, *, borrower_id: int | None = None, now: datetime | None = None
) -> PrintedDocument:
    """The terms on which a kit is lent, to sign: the kit, each member, the protocols
    and MoU clauses that apply, and the strictest of their terms for the whole.

    With ``borrower_id`` (an agency), each member's protocol for that borrower, as a
    request would be made; without, the protocol that governs each member today, as
    an item's sharing terms say. A member no protocol lends refuses the whole document,
    naming the member: the kit cannot be lent as one until it is put right.
    """
    moment = now or now_utc()
    kit = get_kit(db, kit_id)
    if kit.is_retired:
        raise DomainError(
            f"Kit “{kit.name}” is retired, so it is no longer lent and has no sharing terms "
            "to print."
        )
    borrower = ""
    if borrower_id is None:
        protocol_ids = _governing_protocols(db, kit, moment)
    else:
        terms = kit_terms(db, kit_id, borrower_id, now=moment)
        if not terms.lendable:
            raise NotShareable(" ".join(problem.message for problem in terms.problems))
        borrower = terms.borrower
        protocol_ids = {m.member.item_id: m.protocol_id or 0 for m in terms.members}
    lent = _by_protocol(db, kit, protocol_ids)
    blockers = {
        member.item_id: item_detail(db, member.item_id, now=moment).issue_blockers
        for member in kit.members
    }
    body = (
        _heading(kit, lent, borrower, printed_when(db, moment))
        + _members_html(kit, lent, blockers)
        + _whole_kit_html(kit, lent)
        + _protocols_html(lent)
        + _memoranda_html(lent)
        + _signatures_html(kit, borrower)
    )
    return PrintedDocument(
        title=f"Sharing terms: kit {kit.name}",
        footer=f"Kit {kit.label} · Sharing terms · printed {format_datetime(moment)}",
        notice=offline_notice(db),
        html=document_html(body),
        file_name=f"sharing-terms-kit-{_slug(kit.name)}.pdf",
        keep_together=(SIGNATURES_HEADING,),
    )


def kit_labels(db: Database, kit_ids: Sequence[int]) -> LabelSheet:
    """A label for each kit, in the order given, whose QR code opens the kit when the
    catalogue's search box reads it (``app.kits.search.kit_code``); retired kits get none."""
    if not kit_ids:
        raise DomainError("Choose at least one kit to print labels for.")
    kits = [get_kit(db, kit_id) for kit_id in dict.fromkeys(kit_ids)]
    labels = tuple(
        AssetLabel(
            asset_tag=KIT_LABEL_HEADING,
            name=f"{kit.name} ({len(kit.members)} items)",
            owner=kit.owner,
            home_site=kit.home_site,
            qr_modules=qr_modules(kit_code(kit)),
        )
        for kit in kits
        if not kit.is_retired
    )
    if not labels:
        raise DomainError("Every kit chosen is retired; a retired kit gets no label.")
    name = (
        f"labels-kit-{_slug(kits[0].name)}.pdf"
        if len(labels) == 1
        else f"labels-{len(labels)}-kits.pdf"
    )
    return LabelSheet(
        title=f"Kit labels ({len(labels)})", labels=labels, stock=A4_21_LABELS, file_name=name
    )


# -- which protocol lends each member --------------------------------------------------------


def _governing_protocols(db: Database, kit: KitView, moment: datetime) -> dict[int, int]:
    """Each member's governing protocol today, by item id; the members none lends are
    named in one refusal."""
    found: dict[int, int] = {}
    uncovered: list[str] = []
    for member in kit.members:
        protocol = item_detail(db, member.item_id, now=moment).protocol
        if protocol is None:
            uncovered.append(member.label)
        else:
            found[member.item_id] = protocol.id
    if uncovered:
        listed = "; ".join(uncovered)
        verb = "is" if len(uncovered) == 1 else "are"
        raise NotShareable(
            f"Kit “{kit.name}” cannot be lent as one: {listed} {verb} not covered by a sharing "
            "protocol in force. Take the member out of the kit, or ask an administrator to "
            "add it, or its category, to a protocol in the Agreements view."
        )
    return found


def _by_protocol(db: Database, kit: KitView, protocol_ids: dict[int, int]) -> list[_Lent]:
    """The members grouped by the protocol that lends them, in the kit's order."""
    wanted = list(dict.fromkeys(protocol_ids[m.item_id] for m in kit.members))
    with db.read() as session:
        found = session.execute(
            select(SharingProtocol.id, SharingProtocol.mou_id).where(SharingProtocol.id.in_(wanted))
        )
        mou_ids: dict[int, int] = {row.id: row.mou_id for row in found}
    mous = {mou_id: get_mou(db, mou_id) for mou_id in dict.fromkeys(mou_ids.values())}
    lent: list[_Lent] = []
    for protocol_id in wanted:
        mou = mous[mou_ids[protocol_id]]
        protocol = next(p for p in mou.protocols if p.id == protocol_id)
        members = tuple(m for m in kit.members if protocol_ids[m.item_id] == protocol_id)
        lent.append(_Lent(protocol=protocol, mou=mou, members=members))
    return lent


# -- the strictest terms of the whole ----------------------------------------------------------


def _strictest_notice(lent: Sequence[_Lent]) -> _Lent:
    return max(lent, key=lambda group: group.protocol.notice_hours)


def _shortest_loan(lent: Sequence[_Lent]) -> _Lent:
    return min(lent, key=lambda group: group.protocol.max_loan_hours)


def _competence(lent: Sequence[_Lent]) -> list[str]:
    """Every qualification any member's protocol asks for, each once."""
    return list(dict.fromkeys(name for g in lent for _, name in g.protocol.qualifications))


def _borrowers(kit: KitView, lent: Sequence[_Lent]) -> list[str]:
    """The agencies every protocol of the kit lends to: only they may borrow it whole.
    Never the owner: a protocol's parties include the lender, who does not borrow."""
    first, *rest = lent
    names = [b.name for b in first.protocol.borrowers if b.agency_id != kit.owner_agency_id]
    for group in rest:
        allowed = {b.name for b in group.protocol.borrowers}
        names = [name for name in names if name in allowed]
    return names


def _notice_words(hours: int) -> str:
    if hours == 0:
        return "None"
    return f"{format_hours(hours)} before collection (waived in an emergency)"


# -- the sections --------------------------------------------------------------------------------


def _heading(kit: KitView, lent: Sequence[_Lent], borrower: str, printed: str) -> str:
    notice, shortest = _strictest_notice(lent), _shortest_loan(lent)
    to = f" to {borrower}" if borrower else ""
    memoranda = "<br>".join(
        f"{escape(mou.reference)} version {mou.version}: {escape(mou.title)}"
        for mou in {group.mou.id: group.mou for group in lent}.values()
    )
    parts = [
        '<p class="kicker">KIT SHARING TERMS</p>',
        f"<h1>{escape(kit.name)}</h1>",
        f'<p class="lede">A kit of {len(kit.members)} items lent as one by '
        f"{escape(kit.owner)}{escape(to)}, under the sharing protocols below. The strictest "
        "of their terms applies to the whole kit.</p>",
        facts(
            [
                ("Kit", f"<b>{escape(kit.label)}</b>"),
                ("Owner (lending party)", escape(kit.owner)),
                ("Home site", escape(kit.home_site)),
                ("Borrowing party", escape(borrower)),
                ("Notice needed", escape(_notice_words(notice.protocol.notice_hours))),
                ("Longest loan", escape(format_hours(shortest.protocol.max_loan_hours))),
                ("Operator competence", escape("; ".join(_competence(lent)) or "None required")),
                ("Memoranda", memoranda),
                ("Printed", escape(printed)),
            ]
        ),
    ]
    if kit.description:
        parts.append(paragraphs(kit.description))
    return "".join(parts)


def _members_html(kit: KitView, lent: Sequence[_Lent], blockers: dict[int, tuple[str, ...]]) -> str:
    protocol_of = {m.item_id: g.protocol.name for g in lent for m in g.members}
    rows = [
        [
            str(number),
            f"<b>{escape(member.asset_tag)}</b>",
            escape(member.name),
            str(member.quantity),
            escape(member.note),
            escape(protocol_of[member.item_id]),
        ]
        for number, member in enumerate(kit.members, 1)
    ]
    parts = [
        "<h2>1. The kit</h2>",
        para(
            "Each member is handed over and taken back against the kit's hand-over and return "
            "form, with its note checked at both."
        ),
        grid(["", "Tag", "Item", "Qty", "Note", "Sharing protocol"], rows, [4, 18, 30, 6, 19, 23]),
    ]
    held = [(m, blockers[m.item_id]) for m in kit.members if blockers[m.item_id]]
    if held:
        parts.append('<p class="warn">Not to be handed over until this is put right:</p><ul>')
        parts += [f"<li>{escape(text)}</li>" for _, found in held for text in found]
        parts.append("</ul>")
    else:
        parts.append(para("Nothing stops any member being handed over as printed."))
    return "".join(parts)


def _whole_kit_html(kit: KitView, lent: Sequence[_Lent]) -> str:
    notice, shortest = _strictest_notice(lent), _shortest_loan(lent)
    borrowers = _borrowers(kit, lent)
    competence = _competence(lent)
    several = len(lent) > 1
    parts = ["<h2>2. Terms for the whole kit</h2>"]
    if several:
        parts.append(
            para(
                f"The members are lent under {len(lent)} sharing protocols; each term below "
                "is the strictest of theirs, and holds for the whole kit."
            )
        )
    parts.append(
        facts(
            [
                (
                    "May be requested by",
                    escape(", ".join(borrowers))
                    or '<span class="warn">No agency is covered by every member\'s '
                    "protocol: the kit cannot be lent whole. Lend its members one by "
                    "one.</span>",
                ),
                (
                    "Notice needed",
                    escape(_notice_words(notice.protocol.notice_hours))
                    + (f" (“{escape(notice.protocol.name)}”)" if several else ""),
                ),
                (
                    "Longest loan",
                    escape(format_hours(shortest.protocol.max_loan_hours))
                    + (f" (“{escape(shortest.protocol.name)}”)" if several else ""),
                ),
            ]
        )
    )
    if competence:
        names = "".join(f"<li>{escape(name)}</li>" for name in competence)
        parts.append(
            "<p>The named Operator must hold every one of these, current on the day of "
            f"hand-over:</p><ul>{names}</ul>"
            "<p>Kit Share refuses to issue the kit to an Operator without them.</p>"
        )
    else:
        parts.append(
            para(
                "No qualification is required. The Operator must be shown how to use each "
                "member safely at hand-over."
            )
        )
    return "".join(parts)


def _protocols_html(lent: Sequence[_Lent]) -> str:
    parts = ["<h2>3. The sharing protocols</h2>"]
    for group in lent:
        protocol, mou = group.protocol, group.mou
        parts.append(
            f"<h3>“{escape(protocol.name)}” ({escape(mou.reference)} version {mou.version})</h3>"
        )
        parts.append(
            facts(
                [
                    ("Lends", escape(group.tags)),
                    ("May be requested by", escape(", ".join(b.name for b in protocol.borrowers))),
                    ("Authorised by", escape(protocol.approver)),
                    ("Notice needed", escape(_notice_words(protocol.notice_hours))),
                    ("Longest loan", escape(format_hours(protocol.max_loan_hours))),
                    (
                        "Competence",
                        escape("; ".join(n for _, n in protocol.qualifications) or "None"),
                    ),
                ]
            )
        )
        parts.append(grid(["Term", "What applies"], terms_rows(mou, protocol), [26, 74]))
        if protocol.protocol_text:
            parts.append('<p style="margin-top: 8px;"><b>The protocol, as agreed</b></p>')
            parts.append(paragraphs(protocol.protocol_text))
    return "".join(parts)


def _memoranda_html(lent: Sequence[_Lent]) -> str:
    mous = {group.mou.id: group.mou for group in lent}
    noun = "Memorandum" if len(mous) == 1 else "Memoranda"
    parts = [f"<h2>4. The {noun} of Understanding</h2>"]
    for mou in mous.values():
        validity = ", ".join(
            part
            for part in (
                f"effective {format_date(mou.effective_from)}" if mou.effective_from else "",
                f"review {format_date(mou.review_on)}" if mou.review_on else "",
                f"expires {format_date(mou.expires_on)}" if mou.expires_on else "",
            )
            if part
        )
        parts.append(f"<h3>{escape(mou.reference)} version {mou.version}: {escape(mou.title)}</h3>")
        parts.append(
            para(
                f"{mou.status.value}{f' ({validity})' if validity else ''}. Parties: "
                + "; ".join(party.name for party in mou.parties)
                + ". Its clauses, as signed:",
                "muted",
            )
        )
        parts += clauses_html(mou.clauses)
    return "".join(parts)


def _signatures_html(kit: KitView, borrower: str) -> str:
    sign_rows = ["Name", "Rank or role", "Signature", "Date"]
    return (
        f"<h2>{SIGNATURES_HEADING}</h2>"
        + para(
            "Signed to show that the kit was lent and received on these terms and the clauses "
            "of the Memoranda above: each member on the terms of its own protocol, and the "
            "kit as a whole on the strictest of them."
        )
        + '<table width="100%" cellspacing="0"><tr><td width="48%" valign="top">'
        + signature_block("For the lending party", kit.owner, sign_rows)
        + '</td><td width="4%"></td><td width="48%" valign="top">'
        + signature_block("For the borrowing party", borrower or "Agency: ", sign_rows)
        + "</td></tr></table>"
    )


def _slug(name: str) -> str:
    """ "Water rescue team kit" → "water-rescue-team-kit", for a file name."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "kit"
