"""Kits in a file: the kits sheet exported, and read back row by row.

A row is a kit: its name, the agency that owns it, its home site, a description, its
members as asset tags with quantities ("CFR-000221; CFR-000223:4") and a note per
member ("CFR-000221=Check bung; CFR-000223=Check seals"). The members must already be
in the catalogue (import the items first); a kit's agency and site are never created by
its import.

Each row is checked by the rules of a kit as the kit form checks it
(``app.kits.rules``), so a bad row gets the same sentence; then its names and tags are
matched to what is on record. The kits are made by ``app.kits.service.create_kit``, each
with its own audit event, inside the import's one transaction: all or nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.catalogue.directory import fold
from app.core.actor import Actor
from app.core.checks import text_problems
from app.core.errors import DomainError
from app.core.permissions import Action, refusal
from app.kits.rules import NOTE_MAX, KitDraft, KitRefused, MemberDraft, database_problems, validate
from app.kits.service import create_kit
from app.storage.database import Database
from app.transfer.fields import defaults_owner
from app.transfer.names import NamesOnRecord
from app.transfer.rows import Columns, Row, Step
from app.transfer.tabular import RowProblem, Table, rows_text
from app.transfer.values import Unreadable, whole_number
from models import EquipmentItem, Kit, KitMember

# Tags looked up in one statement: well inside every database's limit of parameters.
TAG_BATCH = 1_000
# Between members, and between their notes; no asset tag holds either.
_MEMBER_SEPARATORS = re.compile(r"[;\n]")
# Between a member's tag and how many ("CFR-000223:4", or "CFR-000223 × 4" as the loans
# export writes it).
_QUANTITY_SEPARATOR = re.compile(r"\s*[:×]\s*")

# A note for something that looks like an asset tag (it has a digit), inside another note.
_NOTE_FOR_A_TAG = re.compile(r";\s*([A-Za-z./-]*\d[A-Za-z0-9./-]*)\s*=")
# Which column a rule's problem is about.
_PROBLEM_COLUMNS = {
    "name": "name",
    "description": "description",
    "owner_agency_id": "owner_agency",
    "home_site_id": "home_site",
    "members": "members",
}


@dataclass
class KitRow:
    """One row read: its texts, and its members as (tag as written, quantity, note)."""

    row: int
    name: str
    agency: str
    site: str
    description: str
    members: list[tuple[str, int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ReadyKit:
    """A row checked against the records: the kit to make, and its row in the file."""

    row: int
    draft: KitDraft


# -- export ----------------------------------------------------------------------------------


def kit_count(session: Session) -> int:
    return session.scalar(select(func.count()).where(Kit.retired_at.is_(None))) or 0


def kit_lines(session: Session) -> Iterator[Sequence[object]]:
    """The kits in use, by agency and name, as rows under ``KIT_FIELDS``' labels. A
    retired kit is not exported: the import makes kits in use."""
    statement = (
        select(Kit)
        .where(Kit.retired_at.is_(None))
        .options(
            selectinload(Kit.owner_agency),
            selectinload(Kit.home_site),
            selectinload(Kit.members).selectinload(KitMember.item),
        )
        .order_by(Kit.owner_agency_id, Kit.name, Kit.id)
    )
    for kit in session.scalars(statement):
        yield (
            kit.name,
            # The name, as the items export gives it: an import into another database
            # may give the agency another short code.
            kit.owner_agency.name,
            kit.home_site.name,
            kit.description,
            "; ".join(
                m.item.asset_tag if m.quantity == 1 else f"{m.item.asset_tag}:{m.quantity}"
                for m in kit.members
            ),
            "; ".join(f"{m.item.asset_tag}={m.note}" for m in kit.members if m.note) or None,
        )


# -- the first pass: each row on its own ---------------------------------------------------------


def kit_rows(
    table: Table, columns: Columns, skip: Collection[int], step: Step
) -> tuple[list[KitRow], list[RowProblem]]:
    """Every row as a kit's texts and members, with the problems the rows have on their
    own (the kit's rules that need no database)."""
    rows: list[KitRow] = []
    problems: list[RowProblem] = []
    for row in columns.rows(table, skip, step):
        kit = KitRow(
            row.number,
            row.text("name"),
            row.text("owner_agency"),
            row.text("home_site"),
            row.text("description"),
        )
        kit.members = _members(row)
        _check_alone(row, kit)
        rows.append(kit)
        problems += row.problems
    return rows, problems


def _members(row: Row) -> list[tuple[str, int, str]]:
    """The row's members, with the note given for each; what cannot be read is a problem."""
    members: list[tuple[str, int, str]] = []
    for entry in _MEMBER_SEPARATORS.split(row.text("members")):
        if not entry.strip():
            continue
        tag, *count_given = _QUANTITY_SEPARATOR.split(entry.strip(), maxsplit=1)
        count = count_given[0] if count_given else ""
        quantity = 1
        if count:
            try:
                quantity = whole_number(count, label=f"The quantity of {tag}")
            except Unreadable as error:
                row.problem("members", str(error))
        members.append((tag, quantity, ""))
    notes = _notes(row, [tag for tag, _, _ in members])
    return [(tag, quantity, notes.get(tag.casefold(), "")) for tag, quantity, _ in members]


def _notes(row: Row, tags: Sequence[str]) -> dict[str, str]:
    """ "CFR-000221=Check bung; CFR-000223=Check seals" by tag folded. A note may hold a
    semicolon: only one followed by a member's tag and "=" starts the next note."""
    text = row.text("member_notes")
    if not text:
        return {}
    known = sorted({re.escape(tag) for tag in tags}, key=len, reverse=True)
    starts = (
        list(re.finditer(rf"(?:^|[;\n])\s*({'|'.join(known)})\s*=", text, re.IGNORECASE))
        if known
        else []
    )
    notes: dict[str, str] = {}
    if not starts or (starts[0].start() > 0 and text[: starts[0].start()].strip()):
        stray = text[: starts[0].start()] if starts else text
        tag, equals, _note = stray.strip(" ;").partition("=")
        if equals and tag.strip():
            row.problem(
                "member_notes",
                f"Member notes name {tag.strip()}, which is not a member of the kit; give a "
                "note for one of its members.",
            )
        else:
            row.problem(
                "member_notes",
                f"“{stray.strip()[:40]}” in Member notes is not a note for a member: give the "
                'tag, "=" and the note, e.g. CFR-000301=Check bung.',
            )
    ends = [after.start() for after in starts[1:]] + [len(text)]
    for found, end in zip(starts, ends[: len(starts)], strict=True):
        note = text[found.end() : end].strip()
        # "…; CFR-000999=…" for a tag that is no member reads as part of the note before.
        for stray_tag in _NOTE_FOR_A_TAG.findall(note):
            row.problem(
                "member_notes",
                f"Member notes name {stray_tag}, which is not a member of the kit; give a "
                "note for one of its members.",
            )
        for problem in text_problems(
            note, field="member_notes", limit=NOTE_MAX, what="A member's note"
        ):
            row.problem("member_notes", problem.message)
        notes[found[1].casefold()] = note
    return notes


def _check_alone(row: Row, kit: KitRow) -> None:
    """The kit's own rules, as the form runs them before it looks anything up."""
    # Each tag stands for an item until the second pass finds it: the same tag twice is
    # the same item twice.
    numbers = {tag.casefold(): n for n, (tag, _, _) in enumerate(kit.members, 1)}
    draft = KitDraft(
        name=kit.name,
        owner_agency_id=0,
        home_site_id=0,
        description=kit.description,
        members=tuple(MemberDraft(numbers[t.casefold()], q) for t, q, _ in kit.members),
    )
    for problem in validate(draft):
        row.problem(_PROBLEM_COLUMNS.get(problem.field or ""), problem.message)
    if not kit.site:
        row.problem(
            "home_site", "Give the site where the kit is kept, such as “Huntingdon Fire Station”."
        )


# -- the second pass: against the records ----------------------------------------------------------


def resolve_kits(
    session: Session, actor: Actor, rows: list[KitRow], columns: Columns
) -> tuple[list[ReadyKit], list[RowProblem]]:
    """The rows with their agency, site and members matched to what is on record, each
    checked by the kit's rules that need the records; and what could not be."""
    names = NamesOnRecord(session, actor, ())
    items = _items_by_tag(session, [tag for row in rows for tag, _, _ in row.members])
    in_file: dict[tuple[int, str], list[int]] = defaultdict(list)
    ready: list[ReadyKit] = []
    problems: list[RowProblem] = []
    own_agency = actor.agency_id if defaults_owner(actor) else None
    drafts: list[tuple[Row, KitDraft | None]] = []
    for row in rows:
        found = Row(row.row, {}, columns)
        draft = _draft(found, names, items, row, own_agency)
        if draft is not None and draft.owner_agency_id is not None:
            in_file[draft.owner_agency_id, fold(row.name)].append(row.row)
        drafts.append((found, draft))
    for found, draft in drafts:
        if draft is not None:
            assert draft.owner_agency_id is not None
            repeated = in_file[draft.owner_agency_id, fold(draft.name)]
            if len(repeated) > 1:
                found.problem(
                    "name",
                    f"Kit “{draft.name}” of {names.agency_names[draft.owner_agency_id]} is on "
                    f"more than one row of the file ({rows_text(repeated)}); each kit of an "
                    "agency needs a name of its own. Give each its own name, or remove the "
                    "repeated row.",
                )
            for problem in database_problems(session, draft, kit_id=None):
                found.problem(_PROBLEM_COLUMNS.get(problem.field or ""), problem.message)
        if found.problems or draft is None:
            problems += found.problems
        else:
            ready.append(ReadyKit(found.number, draft))
    return ready, problems


def _items_by_tag(session: Session, tags: Sequence[str]) -> dict[str, int]:
    """The ids of the items with these tags, by tag folded; one statement a batch."""
    wanted = sorted({tag.casefold() for tag in tags if tag})
    found: dict[str, int] = {}
    for start in range(0, len(wanted), TAG_BATCH):
        chunk = wanted[start : start + TAG_BATCH]
        for item_id, tag in session.execute(
            select(EquipmentItem.id, EquipmentItem.asset_tag).where(
                func.lower(EquipmentItem.asset_tag).in_(chunk)
            )
        ):
            found[tag.casefold()] = item_id
    return found


def _draft(
    found: Row,
    names: NamesOnRecord,
    items: dict[str, int],
    row: KitRow,
    own_agency: int | None,
) -> KitDraft | None:
    """The row as a kit to check against the records, or None when its agency or site
    is not on record (which ``found`` then says)."""
    if row.agency:
        agency_id = names.agencies.get(fold(row.agency))
        if agency_id is None:
            found.problem(
                "owner_agency",
                f"No agency is called or has the short code “{row.agency}” in Kit Share. "
                "Correct the name to one on record; a kit's agency comes in with its items.",
            )
    elif own_agency is not None:
        agency_id = own_agency
    else:
        found.problem(
            "owner_agency", "Give the agency that owns the kit, by its name or short code."
        )
        agency_id = None
    if agency_id is None:
        return None
    refused = refusal(
        names.actor,
        Action.EDIT_KITS,
        agency_id=agency_id,
        agency_name=names.agency_names[agency_id],
    )
    if refused is not None:
        found.problem("owner_agency", refused)
    site_id = names.sites.get((agency_id, fold(row.site))) if row.site else None
    if row.site and site_id is None:
        found.problem(
            "home_site",
            f"{names.agency_names[agency_id]} has no site “{row.site}” in Kit Share. Correct "
            "the name to one on record; a kit's site comes in with its items.",
        )
    members: list[MemberDraft] = []
    for tag, quantity, note in row.members:
        item_id = items.get(tag.casefold())
        if item_id is None:
            found.problem(
                "members",
                f"No item has the asset tag {tag}. Check the tag, or import the items "
                "before their kits.",
            )
        else:
            members.append(MemberDraft(item_id=item_id, quantity=quantity, note=note))
    if found.problems:
        return None
    return KitDraft(
        name=row.name,
        owner_agency_id=agency_id,
        home_site_id=site_id,
        description=row.description,
        members=tuple(members),
    )


# -- the import -----------------------------------------------------------------------------------


def make_kits(db: Database, session: Session, actor: Actor, kits: Sequence[ReadyKit]) -> None:
    """Make each kit by ``create_kit``, with its audit event, inside ``session``'s write:
    one refused undoes them all, as the session's transaction is rolled back."""
    inside = db.within(session)
    for kit in kits:
        try:
            create_kit(inside, kit.draft, actor)
        except KitRefused as refused:
            # Another station changed something between the check and now.
            raise DomainError(
                f"Nothing was imported: the kit on row {kit.row} was refused as it was made "
                f"({refused.message.rstrip('.')}). Check the file again and import it."
            ) from refused
