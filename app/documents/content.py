"""Printed documents as data and HTML: sharing terms, hand-over forms and asset labels.

The documents are built here, from the register, the catalogue and the loans, so the
command line and the window print the same words; ``ui.printing.documents`` lays them out on A4
pages with Qt. The HTML keeps to what Qt's rich text understands (tables, headings,
paragraphs, simple CSS), and never clips: every table is as wide as the page and text
wraps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from html import escape

import segno
from sqlalchemy import select

from app.agreements.reading import ClauseView, MouView, ProtocolView, get_mou
from app.catalogue.detail import ItemDetail, item_detail
from app.catalogue.search import find_by_tags
from app.core.clock import format_date, format_datetime, format_hours, now_utc
from app.core.errors import DomainError, NotFound
from app.core.text import clean_text
from app.core.vocabulary import labels
from app.kits.service import KitView, get_kit
from app.loans.views import LoanLineView, LoanView, describe_duration, get_loan
from app.storage.database import Database
from models import Condition, EquipmentItem, ItemStatus, LoanLine, SharingProtocol


class NotShareable(DomainError):
    """The item has no sharing protocol in force, so there are no terms to print."""


@dataclass(frozen=True)
class PrintedDocument:
    """A document ready to lay out: its body as HTML and what goes in every footer."""

    title: str
    footer: str  # printed at the foot of every page, beside "Page n of m"
    html: str
    file_name: str  # what to call it when saved, e.g. "sharing-terms-CAM-LT-001.pdf"
    # Headings (their exact text) whose section, up to the next one listed or the end,
    # starts a new page rather than break across two: signature blocks above all.
    keep_together: tuple[str, ...] = ()
    # A line above the footer of every page: that it was printed offline, and from when.
    notice: str = ""
    landscape: bool = False  # A4 on its side: wide tables such as the planner


# -- labels --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelStock:
    """A sheet of self-adhesive labels, measured in millimetres from the sheet's top left."""

    name: str
    columns: int
    rows: int
    label_width_mm: float
    label_height_mm: float
    left_mm: float
    top_mm: float
    pitch_x_mm: float  # from one label's left edge to the next one's
    pitch_y_mm: float

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows


# The commonest A4 asset-label sheet in UK stationery cupboards: 21 labels of
# 63.5 × 38.1 mm (Avery L7160 and its equivalents).
A4_21_LABELS = LabelStock(
    name="A4, 21 labels of 63.5 × 38.1 mm (L7160)",
    columns=3,
    rows=7,
    label_width_mm=63.5,
    label_height_mm=38.1,
    left_mm=7.2,
    top_mm=15.15,
    pitch_x_mm=66.04,
    pitch_y_mm=38.1,
)


@dataclass(frozen=True)
class AssetLabel:
    """What one label shows, and the QR code of its tag as rows of dark (True) modules."""

    asset_tag: str
    name: str
    owner: str
    home_site: str
    qr_modules: tuple[tuple[bool, ...], ...]


@dataclass(frozen=True)
class LabelSheet:
    title: str
    labels: tuple[AssetLabel, ...]
    stock: LabelStock
    file_name: str

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self.labels) // self.stock.per_sheet))


def qr_modules(text: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code of ``text`` as rows of modules, without the quiet zone around it.

    Error correction level M survives a scuffed label in a kit store.
    """
    code = segno.make_qr(text, error="m", boost_error=False)
    return tuple(tuple(bool(module) for module in row) for row in code.matrix)


def asset_labels(db: Database, item_ids: Sequence[int]) -> LabelSheet:
    """Labels for the items, in the order given; retired kit is left out."""
    if not item_ids:
        raise DomainError("Choose at least one item to print labels for.")
    with db.read() as session:
        items = {
            item.id: item
            for item in session.scalars(
                select(EquipmentItem).where(EquipmentItem.id.in_(set(item_ids)))
            )
        }
        missing = [i for i in item_ids if i not in items]
        if missing:
            raise NotFound(f"There is no catalogue item with id {missing[0]}.")
        labels = tuple(
            AssetLabel(
                asset_tag=item.asset_tag,
                name=item.name,
                owner=item.owner_agency.name,
                home_site=item.home_site.name,
                qr_modules=qr_modules(item.asset_tag),
            )
            for item in (items[i] for i in dict.fromkeys(item_ids))
            if item.status is not ItemStatus.RETIRED
        )
    if not labels:
        raise DomainError("Every item chosen is retired; retired kit gets no labels.")
    first = labels[0].asset_tag
    name = f"labels-{first}.pdf" if len(labels) == 1 else f"labels-{len(labels)}-items.pdf"
    return LabelSheet(
        title=f"Asset labels ({len(labels)})",
        labels=labels,
        stock=A4_21_LABELS,
        file_name=name,
    )


def all_label_item_ids(db: Database) -> list[int]:
    """Every item that is not retired, by tag: ``labels --all``."""
    with db.read() as session:
        return list(
            session.scalars(
                select(EquipmentItem.id)
                .where(EquipmentItem.status != ItemStatus.RETIRED)
                .order_by(EquipmentItem.asset_tag)
            )
        )


def item_ids_for_tags(db: Database, tags: Sequence[str]) -> list[int]:
    """The items with these tags, in order; every unknown tag is named in one message."""
    tags = [clean_text(tag) for tag in tags]
    found, unknown = find_by_tags(db, tags)
    if unknown:
        listed = ", ".join(unknown)
        noun = "asset tag" if len(unknown) == 1 else "asset tags"
        raise NotFound(
            f"No item has the {noun} {listed}. Check the tag on the kit, or search the catalogue."
        )
    return found


# -- shared pieces of HTML -------------------------------------------------------------------

STYLE = """
body { font-size: 10pt; color: #111; }
h1 { font-size: 19pt; font-weight: 600; margin: 0 0 2pt 0; }
h2 { font-size: 12.5pt; font-weight: 600; margin: 16pt 0 5pt 0; color: #1b2a41; }
h3 { font-size: 10.5pt; font-weight: 600; margin: 10pt 0 3pt 0; }
p { margin: 0 0 5pt 0; }
.kicker { font-size: 9pt; color: #4a5568; letter-spacing: 1pt; margin: 0; }
.lede { font-size: 11pt; margin: 3pt 0 10pt 0; }
.muted { color: #4a5568; }
.warn { color: #9b1c1c; font-weight: 600; }
.clause-heading { font-weight: 600; }
"""

TICK_BOX = "\u2610"
TICKED_BOX = "\u2612"
NBSP = "\u00a0"


def para(text: str, cls: str = "") -> str:
    """``text`` escaped as one paragraph, of the style sheet's class ``cls`` if given."""
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{escape(text)}</p>"


def paragraphs(text: str) -> str:
    """Stored plain text as HTML: blank lines part paragraphs, "- " lines are bullets.

    The words are printed as stored (only escaped); a single line break stays a break.
    """
    blocks = [b.strip("\n") for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    out: list[str] = []
    for block in blocks:
        lines = block.split("\n")
        if all(line.lstrip().startswith(("- ", "• ")) for line in lines):
            items = "".join(f"<li>{escape(line.lstrip()[2:].strip())}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        else:
            out.append("<p>" + "<br>".join(escape(line) for line in lines) + "</p>")
    return "".join(out)


RULE = "#9aa5b1"
HEAD_FILL = "#e8ecf1"
LABEL_FILL = "#f3f5f7"
# Qt's rich text applies borders and margins given inline, not from the style sheet.
GRID_TABLE = (
    '<table width="100%" border="1" cellpadding="4" cellspacing="0" '
    f'style="border-collapse: collapse; border-style: solid; border-color: {RULE};">'
)
BLOCK_STYLES = {
    "p": "margin-top: 0px; margin-bottom: 5px;",
    "h2": "margin-top: 16px; margin-bottom: 6px;",
    "h3": "margin-top: 10px; margin-bottom: 3px;",
}


def facts(rows: Iterable[tuple[str, str]]) -> str:
    """Label and value pairs, ruled off like the front sheet of a form."""
    line = f"border-bottom: 1px solid {RULE}; padding: 3px 6px 3px 0;"
    cells = "".join(
        f'<tr><td width="27%" style="{line} color: #4a5568;">{escape(label)}</td>'
        f'<td width="73%" style="{line}">{value}</td></tr>'
        for label, value in rows
        if value
    )
    return (
        '<table width="100%" cellspacing="0" style="border-collapse: collapse; '
        f'margin-top: 4px; margin-bottom: 6px;">{cells}</table>'
    )


def grid(headings: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[int]) -> str:
    """A ruled table: ``headings`` over ``rows`` of HTML cells, ``widths`` in per cent."""
    head = "".join(
        f'<th width="{w}%" bgcolor="{HEAD_FILL}" align="left">{escape(h)}</th>'
        for h, w in zip(headings, widths, strict=True)
    )
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"{GRID_TABLE}<thead><tr>{head}</tr></thead>{body}</table>"


def signature_block(title: str, agency: str, rows: Sequence[str]) -> str:
    """A box to sign in: a heading, the agency, and a ruled space for each entry."""
    lines = "".join(
        f'<tr><td width="36%" bgcolor="{LABEL_FILL}">{escape(label)}</td>'
        f'<td width="64%">{"<br><br><br>" if label == "Signature" else "<br>"}</td></tr>'
        for label in rows
    )
    return (
        f'<p style="margin-bottom: 0px;"><b>{escape(title)}</b></p>'
        f'<p class="muted">{escape(agency)}</p>{GRID_TABLE}{lines}</table>'
    )


def document_html(body: str) -> str:
    for tag, style in BLOCK_STYLES.items():
        body = body.replace(f'<{tag} style="', f'<{tag} style="{style} ')
        body = body.replace(f"<{tag}>", f'<{tag} style="{style}">')
    return f"<html><head><style>{STYLE}</style></head><body>{body}</body></html>"


def _accessory_list(text: str) -> list[str]:
    """An accessories field ("2 batteries, charger; case") as separate things to tick."""
    parts = re.split(r"[\n;]|,(?![^()]*\))", text)
    cleaned = (p.strip(" .-•") for p in parts)
    return [c[0].upper() + c[1:] for c in cleaned if c]


# -- sharing terms ---------------------------------------------------------------------------

# Where the MoU deals with each term, found by the words in its clause headings.
TERM_TOPICS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("handover", "Hand-over and return", ("hand-over", "handover", "return")),
    ("custody", "Borrower's duties in custody", ("custody", "duties", "maintenance")),
    ("damage", "Damage and loss", ("damage", "loss")),
    ("charging", "Charging", ("charg", "cost")),
    ("insurance", "Insurance and liability", ("insurance", "liabilit", "indemn")),
    ("data", "Data and footage", ("footage", "information", "data")),
    ("duration", "Duration, overdue and recall", ("duration", "overdue", "recall")),
    ("review", "Review and termination", ("review", "terminat", "variation")),
)


def clauses_about(clauses: Sequence[ClauseView], words: Sequence[str]) -> list[ClauseView]:
    """The clauses whose headings mention any of ``words``."""
    return [c for c in clauses if any(w in c.heading.lower() for w in words)]


def _clause_refs(found: Sequence[ClauseView]) -> str:
    if not found:
        return ""
    refs = ", ".join(f"clause {escape(c.number)} ({escape(c.heading)})" for c in found)
    return f"See {refs}."


def terms_rows(mou: MouView, protocol: ProtocolView) -> list[list[str]]:
    """Each term of a loan under ``protocol`` and where its MoU deals with it."""
    specific = {
        "handover": (
            "Hand over and take back against the hand-over and return form, with the condition, "
            "accessories and readings recorded and signed for by both parties."
        ),
        "custody": protocol.use_conditions,
        "charging": protocol.charging_text + ".",
        "data": protocol.data_terms,
        "duration": (
            f"Longest loan {format_hours(protocol.max_loan_hours)}; an extension needs the "
            "Authorising Officer's agreement. Kit is returned when recalled or when the need "
            "ends, whichever is first."
        ),
        "review": (
            f"This version is {mou.status.value.lower()}"
            + (f"; review by {format_date(mou.review_on)}" if mou.review_on else "")
            + (f"; expires {format_date(mou.expires_on)}" if mou.expires_on else "")
            + "."
        ),
    }
    rows: list[list[str]] = []
    for key, topic, words in TERM_TOPICS:
        found = clauses_about(mou.clauses, words)
        text = specific.get(key, "")
        if key == "data" and not found and not text:
            continue  # no footage or data terms apply to this kit
        if key == "custody" and not found and not text:
            continue
        parts = [escape(text)] if text else []
        refs = _clause_refs(found)
        if refs:
            parts.append(f'<span class="muted">{refs}</span>')
        elif key not in ("handover", "duration", "review", "charging"):
            parts.append(
                '<span class="warn">The Memorandum has no clause on this: agree it in '
                "writing before the loan.</span>"
            )
        rows.append([f"<b>{escape(topic)}</b>", "<br>".join(parts)])
    return rows


def printed_when(db: Database, moment: datetime) -> str:
    """When a page was printed; offline, also that it came from the station copy, and
    of when, so nobody takes it for what the server says now."""
    said = format_datetime(moment)
    if db.copy_taken_at is not None:
        said += f" offline, from the station copy of {format_datetime(db.copy_taken_at)}"
    return said


def offline_notice(db: Database) -> str:
    """The line every page printed offline carries."""
    if db.copy_taken_at is None:
        return ""
    return (
        f"Printed offline from the station copy of {format_datetime(db.copy_taken_at)}: "
        "check it against the server once it is back."
    )


def sharing_terms(
    db: Database, item_id: int, *, protocol_id: int | None = None, now: datetime | None = None
) -> PrintedDocument:
    """The terms on which an item is lent: the item, its protocol and its MoU, to sign.

    Without ``protocol_id``, the protocol that governs the item today; with it, that
    protocol (a loan's, even under an older version of the MoU).
    """
    moment = now or now_utc()
    detail = item_detail(db, item_id, now=moment)
    if protocol_id is None:
        if detail.protocol is None:
            raise NotShareable(
                f"{detail.asset_tag} ({detail.name}) is not covered by a sharing protocol in "
                "force, so it cannot be lent and has no sharing terms to print. An administrator "
                "can add it, or its category, to a protocol in the Agreements view."
            )
        protocol_id, mou_id = detail.protocol.id, detail.protocol.mou_id
    else:
        mou_id = _mou_of_protocol(db, protocol_id)
    mou = get_mou(db, mou_id)
    protocol = next(p for p in mou.protocols if p.id == protocol_id)
    return PrintedDocument(
        title=f"Sharing terms: {detail.asset_tag} {detail.name}",
        footer=f"{mou.label} · Sharing terms for {detail.asset_tag} · printed "
        f"{format_datetime(moment)}",
        notice=offline_notice(db),
        html=document_html(_terms_body(detail, mou, protocol, moment, printed_when(db, moment))),
        file_name=f"sharing-terms-{detail.asset_tag}.pdf",
        keep_together=(SIGNATURES_HEADING,),
    )


def sharing_terms_for_tag(
    db: Database, tag: str, *, now: datetime | None = None
) -> PrintedDocument:
    """``print-terms TAG``: the sharing terms of the item with that tag."""
    tag = clean_text(tag)
    (item_id,) = item_ids_for_tags(db, [tag])
    return sharing_terms(db, item_id, now=now)


def _mou_of_protocol(db: Database, protocol_id: int) -> int:
    with db.read() as session:
        mou_id = session.scalar(
            select(SharingProtocol.mou_id).where(SharingProtocol.id == protocol_id)
        )
    if mou_id is None:
        raise NotFound(f"There is no sharing protocol with id {protocol_id}.")
    return mou_id


def _terms_body(
    detail: ItemDetail, mou: MouView, protocol: ProtocolView, moment: datetime, printed: str
) -> str:
    owner = detail.owner
    make_model = " ".join(x for x in (detail.make, detail.model) if x)
    if detail.serial_number:
        make_model += f", serial {detail.serial_number}" if make_model else detail.serial_number
    validity = ", ".join(
        part
        for part in (
            f"effective {format_date(mou.effective_from)}" if mou.effective_from else "",
            f"review {format_date(mou.review_on)}" if mou.review_on else "",
            f"expires {format_date(mou.expires_on)}" if mou.expires_on else "",
        )
        if part
    )
    parts: list[str] = [
        '<p class="kicker">SHARING TERMS</p>',
        f"<h1>{escape(detail.name)}</h1>",
        f'<p class="lede">Asset tag <b>{escape(detail.asset_tag)}</b>, lent by '
        f"{escape(owner)} under {escape(mou.title)} ({escape(mou.reference)} version "
        f"{mou.version}) and its sharing protocol “{escape(protocol.name)}”.</p>",
        facts(
            [
                ("Item", escape(detail.name)),
                ("Asset tag", f"<b>{escape(detail.asset_tag)}</b>"),
                ("Category", escape(detail.category)),
                ("Make, model and serial", escape(make_model)),
                ("Owner (lending party)", escape(owner)),
                ("Home site", escape(detail.home_site)),
                (
                    "Memorandum",
                    f"{escape(mou.reference)} version {mou.version}: {escape(mou.title)}",
                ),
                ("Status", escape(f"{mou.status.value} ({validity})" if validity else "")),
                ("Sharing protocol", escape(protocol.name)),
                ("Printed", escape(printed)),
            ]
        ),
    ]

    parts += _terms_parties(mou)
    parts += _terms_equipment(detail, mou)
    parts += _terms_request(detail, protocol)
    parts += _terms_safety(detail, protocol)
    parts += _terms_of_loan(detail, mou, protocol)
    parts += _terms_signatures(owner)
    return "".join(parts)


def _terms_parties(mou: MouView) -> list[str]:
    parts = ["<h2>1. Parties and signatories</h2>"]
    signed = {s.agency_id: s for s in mou.signatories}
    parts.append(
        grid(
            ["Party", "Signed for by", "Role", "Date signed"],
            [
                [
                    escape(party.name) + (" (lead party)" if n == 0 else ""),
                    escape(signed[party.agency_id].name) if party.agency_id in signed else "",
                    escape(signed[party.agency_id].role_title) if party.agency_id in signed else "",
                    escape(format_date(signed[party.agency_id].signed_on))
                    if party.agency_id in signed
                    else "",
                ]
                for n, party in enumerate(mou.parties)
            ],
            [33, 23, 27, 17],
        )
    )
    extra = [s for s in mou.signatories if list(signed.values()).count(s) == 0]
    if extra:
        parts.append(
            para("Also signed by " + "; ".join(f"{s.name}, {s.role_title}" for s in extra) + ".")
        )

    return parts


def _terms_equipment(detail: ItemDetail, mou: MouView) -> list[str]:
    owner = detail.owner
    parts = ["<h2>2. Purpose and scope</h2>"]
    parts.append(paragraphs(mou.purpose) if mou.purpose else "")
    parts.append(paragraphs(mou.scope) if mou.scope else "")

    parts.append("<h2>3. The equipment</h2>")
    if detail.is_pooled:
        parts.append(
            para(
                f"Pooled stock: {detail.quantity} units held by {owner} at {detail.home_site}. "
                "Each loan states how many are lent; the same number comes back."
            )
        )
    if detail.description:
        parts.append(paragraphs(detail.description))
    accessories = _accessory_list(detail.accessories)
    if accessories:
        parts.append("<p>Lent with these accessories, each checked at hand-over and return:</p>")
        parts.append("<ul>" + "".join(f"<li>{escape(a)}</li>" for a in accessories) + "</ul>")
    parts.append(para(f"Condition when printed: {detail.condition}."))
    return parts


def _terms_request(detail: ItemDetail, protocol: ProtocolView) -> list[str]:
    owner = detail.owner
    parts = ["<h2>4. Who may request and who authorises</h2>"]
    borrowers = ", ".join(b.name for b in protocol.borrowers)
    parts.append(
        facts(
            [
                ("May be requested by", escape(borrowers)),
                (
                    "Authorised by",
                    escape(f"{protocol.approver} of {owner}, or the equipment manager"),
                ),
                ("Notice needed", escape(_notice(protocol))),
                ("Longest loan", escape(format_hours(protocol.max_loan_hours))),
                (
                    "Emergencies",
                    escape(
                        "This protocol is for emergency and spontaneous deployments only."
                        if protocol.emergency_only
                        else "At a risk-to-life incident kit may be handed over at once and "
                        "logged as an emergency loan; the safety checks below still apply."
                    ),
                ),
            ]
        )
    )

    return parts


def _terms_safety(detail: ItemDetail, protocol: ProtocolView) -> list[str]:
    parts = ["<h2>5. Operator competence</h2>"]
    if protocol.qualifications:
        names = "".join(f"<li>{escape(name)}</li>" for _, name in protocol.qualifications)
        parts.append(
            "<p>The named Operator must hold, current on the day of hand-over:</p>"
            f"<ul>{names}</ul>"
            "<p>Kit Share refuses to issue the item to an Operator without them.</p>"
        )
    else:
        parts.append(
            para(
                "No qualification is required. The Operator must be shown how to use the "
                "equipment safely at hand-over."
            )
        )

    parts.append("<h2>6. Inspection status</h2>")
    rows = [(s.regime, escape(s.summary(detail.today))) for s in detail.inspections]
    if not rows:
        rows = [("Inspections", "No inspection regime or record.")]
    defects = "<br>".join(escape(d.summary) for d in detail.defects) or "None"
    parts.append(facts([*rows, ("Open defects", defects)]))
    if detail.issue_blockers:
        parts.append(
            '<p class="warn">Not to be handed over until this is put right:</p><ul>'
            + "".join(f"<li>{escape(b)}</li>" for b in detail.issue_blockers)
            + "</ul>"
        )
    else:
        parts.append(para("Nothing stops this item being handed over as printed."))

    return parts


def _terms_of_loan(detail: ItemDetail, mou: MouView, protocol: ProtocolView) -> list[str]:
    parts = ["<h2>7. Terms of the loan</h2>"]
    parts.append(grid(["Term", "What applies"], terms_rows(mou, protocol), [26, 74]))
    if protocol.protocol_text:
        parts.append("<h3>The sharing protocol</h3>")
        parts.append(paragraphs(protocol.protocol_text))

    parts.append(
        "<h2>8. The Memorandum of Understanding</h2>"
        f'<p class="muted">{escape(mou.reference)} version {mou.version}, '
        f"{escape(mou.title)}. Its clauses, as signed:</p>"
    )
    parts.extend(clauses_html(mou.clauses))
    return parts


SIGNATURES_HEADING = "9. Signatures"


def _terms_signatures(owner: str) -> list[str]:
    parts = [f"<h2>{SIGNATURES_HEADING}</h2>"]
    parts.append(
        para(
            "Signed to show that the equipment was lent and received on these terms, and the "
            "clauses of the Memorandum above."
        )
    )
    sign_rows = ["Name", "Rank or role", "Signature", "Date"]
    parts.append(
        '<table width="100%" cellspacing="0"><tr>'
        '<td width="48%" valign="top">'
        + signature_block("For the lending party", owner, sign_rows)
        + '</td><td width="4%"></td><td width="48%" valign="top">'
        + signature_block("For the borrowing party", "Agency: ", sign_rows)
        + "</td></tr></table>"
    )
    return parts


def _notice(protocol: ProtocolView) -> str:
    if protocol.notice_hours == 0:
        return "None"
    return f"{format_hours(protocol.notice_hours)} before collection (waived in an emergency)"


def clauses_html(clauses: Sequence[ClauseView]) -> list[str]:
    """Each clause of an MoU, numbered, as signed."""
    return [
        f'<p class="clause-heading" style="margin-top: 8px;">{escape(c.number)}. '
        f"{escape(c.heading)}</p>" + paragraphs(c.body)
        for c in clauses
    ]


# -- the loan hand-over and return form ------------------------------------------------------

# The boxes the printed form has always offered: kit is not handed over as new.
CONDITIONS = tuple(words for c, words in labels(Condition).items() if c is not Condition.NEW)
READING_LABELS = {
    "fuel": ("Fuel", "%"),
    "hours": ("Engine hours", "h"),
    "battery": ("Battery", "%"),
    "mileage": ("Mileage", "miles"),
}


@dataclass(frozen=True)
class _LineRecord:
    accessories: str
    out: dict[str, int | None]
    back: dict[str, int | None]
    # For a member of the kit the loan was made from: what to check ("Check bung"), or
    # KIT_CHECK when the kit says nothing; None for an item that is no member.
    kit_check: str | None = None


# The tick line of a kit's member that has no note of its own.
KIT_CHECK = "With the kit, complete"


def _line_records(db: Database, lines: Sequence[LoanLineView]) -> dict[int, _LineRecord]:
    with db.read() as session:
        rows = session.execute(
            select(LoanLine, EquipmentItem.accessories)
            .join(EquipmentItem, EquipmentItem.id == LoanLine.item_id)
            .where(LoanLine.id.in_([line.id for line in lines]))
        ).all()
        return {
            line.id: _LineRecord(
                accessories=line.accessories_out or accessories or "",
                out={
                    "fuel": line.fuel_out_percent,
                    "hours": line.hours_out,
                    "battery": line.battery_out_percent,
                    "mileage": line.mileage_out,
                },
                back={
                    "fuel": line.fuel_in_percent,
                    "hours": line.hours_in,
                    "battery": line.battery_in_percent,
                    "mileage": line.mileage_in,
                },
            )
            for line, accessories in rows
        }


def _boxes(chosen: str = "") -> str:
    """The condition as boxes to tick, with the recorded one ticked already."""
    return " ".join(
        (TICKED_BOX if c.lower() == chosen.lower() else TICK_BOX) + NBSP + c for c in CONDITIONS
    )


def _blank(value: int | None, unit: str) -> str:
    if value is None:
        return f"__________ {escape(unit)}"
    return f"<b>{value}</b> {escape(unit)}"


def handover_form(db: Database, loan_id: int, *, now: datetime | None = None) -> PrintedDocument:
    """The form that goes with the kit: checked and signed out, checked and signed back."""
    moment = now or now_utc()
    loan = get_loan(db, loan_id, now=moment)
    records = _line_records(db, loan.lines)
    kit = get_kit(db, loan.kit_id) if loan.kit_id is not None else None
    if kit is not None:
        checks = {m.item_id: m.note or KIT_CHECK for m in kit.members}
        records = {
            line.id: replace(records[line.id], kit_check=checks.get(line.item_id))
            for line in loan.lines
            if line.id in records
        }
    headings = tuple(_line_heading(n, line) for n, line in enumerate(loan.lines, 1))
    return PrintedDocument(
        title=f"Hand-over and return form: loan {loan.id}",
        footer=f"Loan {loan.id} · {loan.mou or 'no MoU'} · Hand-over and return form · printed "
        f"{format_datetime(moment)}",
        notice=offline_notice(db),
        html=document_html(_form_body(loan, records, kit, printed_when(db, moment))),
        file_name=f"handover-form-loan-{loan.id}.pdf",
        keep_together=(*headings, HANDOVER_HEADING, RETURN_HEADING),
    )


HANDOVER_HEADING = "Hand-over"
RETURN_HEADING = "Return"


def _line_heading(number: int, line: LoanLineView) -> str:
    return f"{number}. {line.asset_tag}: {line.item_name}"


def _form_body(
    loan: LoanView, records: dict[int, _LineRecord], kit: KitView | None, printed: str
) -> str:
    period = f"{format_datetime(loan.starts_at)} to {format_datetime(loan.due_at)}"
    duration = describe_duration(loan.due_at - loan.starts_at)
    parts = [
        '<p class="kicker">HAND-OVER AND RETURN FORM</p>',
        f"<h1>Loan {loan.id}{' (emergency)' if loan.is_emergency else ''}</h1>",
        f'<p class="lede">{escape(loan.lender or "The lending party")} lends to '
        f"{escape(loan.borrower)}, {escape(period)} ({escape(duration)}).</p>",
        facts(
            [
                ("Status", escape(loan.status_label)),
                ("Lending party", escape(loan.lender)),
                ("Borrowing party", escape(loan.borrower)),
                ("Purpose", escape(loan.purpose)),
                ("Incident or operation", escape(loan.incident_ref)),
                ("Collect from", escape(format_datetime(loan.starts_at))),
                ("Due back by", escape(format_datetime(loan.due_at))),
                ("Kit", escape(kit.label if kit else "")),
                ("Operator", escape(loan.operator or "To be named at hand-over")),
                ("Requested by", escape(loan.requested_by)),
                ("Authorised by", escape(loan.approver)),
                ("Sharing protocol", escape(loan.protocol)),
                ("Memorandum", escape(loan.mou)),
                ("Printed", escape(printed)),
            ]
        ),
    ]
    parts.append("<h2>Equipment</h2>")
    if kit is not None:
        parts.append(_kit_lines(kit, loan))
    for number, line in enumerate(loan.lines, 1):
        parts.append(_line_checks(number, line, records.get(line.id, _LineRecord("", {}, {}))))

    sign_rows = ["Name", "Signature", "Date and time"]
    parts.append(f"<h2>{HANDOVER_HEADING}</h2>")
    parts.append(
        para(
            "Handed over and received in the condition, with the accessories and readings, "
            "recorded above. The borrowing party keeps the equipment as the sharing terms say."
        )
    )
    parts.append(_pair_of_blocks(loan, "Handed over by", "Received by", sign_rows))
    parts.append(f"<h2>{RETURN_HEADING}</h2>")
    parts.append(
        para(
            "Returned and received back as recorded above. Any damage, defect or shortfall is "
            "described above and recorded in Kit Share."
        )
    )
    parts.append(_pair_of_blocks(loan, "Received back by", "Returned by", sign_rows))
    return "".join(parts)


def _line_checks(number: int, line: LoanLineView, record: _LineRecord) -> str:
    """One line's heading and its table of checks, at hand-over and at return."""
    quantity = f"{line.quantity} of this pooled stock" if line.is_pooled else "1"
    heading = (
        f"<h3>{escape(_line_heading(number, line))}</h3>"
        f'<p class="muted">Quantity lent: {escape(quantity)}</p>'
    )
    rows: list[list[str]] = [
        [
            "Condition",
            _boxes(line.condition_out),
            _boxes(line.condition_in),
        ]
    ]
    if line.is_pooled:
        rows.append(
            [
                "Quantity counted",
                f"__________ of {line.quantity}",
                f"__________ of {line.quantity}",
            ]
        )
    if record.kit_check is not None:
        rows.append([escape(record.kit_check), f"{TICK_BOX} checked", f"{TICK_BOX} checked"])
    for accessory in _accessory_list(record.accessories):
        rows.append([escape(accessory), f"{TICK_BOX} present", f"{TICK_BOX} present"])
    for reading in line.tracks:
        label, unit = READING_LABELS[reading]
        rows.append(
            [
                label,
                _blank(record.out.get(reading), unit),
                _blank(record.back.get(reading), unit),
            ]
        )
    rows.append(["Damage, defects or shortfall", "<br><br>", "<br><br>"])
    return heading + grid(["Check", "At hand-over", "At return"], rows, [30, 35, 35])


def _kit_lines(kit: KitView, loan: LoanView) -> str:
    """What of the kit this loan lends: each member's check is ticked below, at hand-over
    and at return; a member left out, or an item standing in for one, is said here."""
    lent = {line.item_id for line in loan.lines}
    members = {member.item_id for member in kit.members}
    said = [
        f"Made from kit “{kit.name}” ({len(kit.members)} members). Tick each member's check "
        "below at hand-over and again at return."
    ]
    left_out = [m.label for m in kit.members if m.item_id not in lent]
    if left_out:
        said.append("Not lent this time: " + "; ".join(left_out) + ".")
    extra = [
        f"{line.asset_tag} “{line.item_name}”" for line in loan.lines if line.item_id not in members
    ]
    if extra:
        said.append("Lent with the kit, not a member of it (a stand-in): " + "; ".join(extra) + ".")
    return "".join(para(sentence) for sentence in said)


def _pair_of_blocks(loan: LoanView, lender_title: str, borrower_title: str, rows: list[str]) -> str:
    return (
        '<table width="100%" cellspacing="0"><tr><td width="48%" valign="top">'
        + signature_block(f"{lender_title} (lending party)", loan.lender, rows)
        + '</td><td width="4%"></td><td width="48%" valign="top">'
        + signature_block(f"{borrower_title} (borrowing party)", loan.borrower, rows)
        + "</td></tr></table>"
    )


# -- a whole MoU version ---------------------------------------------------------------------


def mou_document(db: Database, mou_id: int, *, now: datetime | None = None) -> PrintedDocument:
    """One version of an MoU as signed: parties, signatories, dates and every clause."""
    moment = now or now_utc()
    mou = get_mou(db, mou_id)
    signatories = [
        [
            escape(s.agency),
            escape(s.name),
            escape(s.role_title),
            escape(format_date(s.signed_on)),
        ]
        for s in mou.signatories
    ]
    body = [
        '<p class="kicker">MEMORANDUM OF UNDERSTANDING</p>',
        f"<h1>{escape(mou.title)}</h1>",
        f'<p class="lede">{escape(mou.reference)} version {mou.version}: '
        f"{escape(mou.status.value.lower())}.</p>",
        facts(
            [
                ("Parties", escape("; ".join(p.name for p in mou.parties))),
                ("Signed", escape(format_date(mou.signed_on))),
                ("Effective from", escape(format_date(mou.effective_from))),
                ("Review by", escape(format_date(mou.review_on))),
                ("Expires", escape(format_date(mou.expires_on))),
                ("Printed", escape(printed_when(db, moment))),
            ]
        ),
        "<h2>Signatories</h2>",
        grid(["Party", "Name", "Role", "Date signed"], signatories, [33, 23, 27, 17]),
    ]
    if mou.purpose:
        body += ["<h2>Purpose</h2>", paragraphs(mou.purpose)]
    if mou.scope:
        body += ["<h2>Scope</h2>", paragraphs(mou.scope)]
    body.append("<h2>Clauses</h2>")
    body += clauses_html(mou.clauses)
    return PrintedDocument(
        title=f"{mou.label}: {mou.title}",
        footer=f"{mou.label} · {mou.title} · printed {format_datetime(moment)}",
        notice=offline_notice(db),
        html=document_html("".join(body)),
        file_name=f"mou-{mou.reference}-v{mou.version}.pdf",
    )
