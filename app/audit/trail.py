"""Reading the audit trail: filtered pages for the Audit view, and CSV for export.

Every service that changes a record writes an audit event in the same transaction
(``app.audit.record.record_change``), and the database refuses to change or delete one (migration
0005). This module only reads them, for equipment managers and administrators.

Filtering, ordering and paging happen in SQL, on the indexes on ``occurred_at``,
``action``, ``user_id`` and ``(entity_type, entity_id)``. Days are UK calendar days:
"from 29/03/2026 to 29/03/2026" means midnight to midnight in London, whatever the
offset from UTC was that day.
"""

from __future__ import annotations

import csv
import dataclasses
import enum
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from app.catalogue.directory import find_item
from app.core import vocabulary
from app.core.actor import Actor
from app.core.clock import UK, format_date, format_datetime, parse_uk_date
from app.core.errors import DomainError
from app.core.money import format_pence
from app.core.permissions import Action, require
from app.core.text import clean_text
from app.people.accounts import find_user
from app.storage.database import Database
from models import (
    AppUser,
    AuditEvent,
    ChargingBasis,
    Condition,
    DefectSeverity,
    DefectSource,
    EquipmentItem,
    InspectionResult,
    ItemStatus,
    Kit,
    LoanStatus,
    Mou,
    Person,
    Role,
    SharingProtocol,
)

DEFAULT_PAGE_SIZE = 500
# How many changes the one-line summary names before saying "and N more".
SUMMARY_CHANGES = 3
# Rows read from the database at a time while exporting.
EXPORT_BATCH = 500

# Records as a person calls them; anything not listed is spelt out from its name.
ENTITY_WORDS = {
    "loan": "Loan",
    "equipment_item": "Item",
    "app_user": "User account",
    "mou": "MoU",
    "sharing_protocol": "Sharing protocol",
    "database": "Database",
    "inspection": "Inspection",
    "inspection_regime": "Inspection regime",
    "defect": "Defect",
    "kit": "Kit",
}
# The first part of an action ("loan." in "loan.approved") as a person says it.
FAMILY_WORDS = {
    "loan": "Loan",
    "item": "Item",
    "user": "Account",
    "mou": "MoU",
    "sharing_protocol": "Sharing protocol",
    "demo": "Demo data",
    "inspection": "Inspection",
    "inspection_regime": "Inspection regime",
    "defect": "Defect",
    "kit": "Kit",
}
# Kinds of event whose words do not follow from "family verb".
ACTION_WORDS = {
    "user.signed_in": "Signed in",
    "user.locked_out": "Account locked after wrong passwords",
    "user.created": "User account created",
    "user.password_reset": "Password reset",
    "user.password_changed": "Own password changed",
    "user.role_changed": "Role changed",
    "loan.emergency_issued": "Loan issued in an emergency",
    "item.created": "Item added",
    "item.retired": "Item retired",
    "kit.created": "Kit added",
    "demo.loaded": "Demo data loaded",
    "inspection.recorded": "Inspection recorded",
    "defect.reported": "Defect reported",
    "defect.cleared": "Defect cleared",
    "catalogue.imported": "Catalogue imported from a file",
    "people.imported": "People imported from a file",
    "kits.imported": "Kits imported from a file",
}
FIELD_WORDS = {
    "mou_id": "MoU",
    "supersedes_id": "Supersedes",
    "party_ids": "Parties",
    "incident_ref": "Incident reference",
    "decision_reason": "Reason for decision",
    "recall_due_at": "Recall due",
    "next_due_on": "Next due",
    "certificate_ref": "Certificate reference",
    "clearance_note": "What was done",
    "owner_agency_id": "Owner agency (number)",
    "home_site_id": "Home site (number)",
    "item_id": "Item (number)",
}
# Fields that hold a code ("partly_returned", "equipment_manager"), and the enums the code
# may come from: it is read in the same words the rest of the app uses for it.
CODED_FIELDS: dict[str, tuple[type[enum.Enum], ...]] = {
    "status": (LoanStatus, ItemStatus),
    "condition": (Condition,),
    "condition_out": (Condition,),
    "condition_in": (Condition,),
    "role": (Role,),
    "approver_role": (Role,),
    "charging": (ChargingBasis,),
    "result": (InspectionResult,),
    "severity": (DefectSeverity,),
    "source": (DefectSource,),
}
# What one part of a list in a snapshot is called.
PART_WORDS = {
    "lines": "Line",
    "signatories": "Signatory",
    "clauses": "Clause",
    "members": "Member",
}

# A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_HEADER = (
    "Event",
    "When (UK)",
    "When (UTC, ISO 8601)",
    "Who",
    "User number",
    "Kind",
    "What",
    "Record type",
    "Record number",
    "Record",
    "Note",
    "Before",
    "After",
)

_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class AuditExportFailed(DomainError):
    """The audit trail could not be written to the file asked for; nothing was changed."""


# -- what is asked and what comes back --------------------------------------------------


@dataclass(frozen=True)
class AuditQuery:
    """Which audit events to list; every filter left empty lets everything through.

    ``user_id`` picks the events of one user account; ``actor`` those made under one
    name without an account (the station's computer account, ``kitshare-admin``).
    ``action`` is a kind ("loan.approved"), or a family ending in a full stop ("loan.").
    ``date_from`` and ``date_to`` are UK calendar days, both included. ``text`` matches
    every word in the actor's name or the note, in any case.
    """

    user_id: int | None = None
    actor: str | None = None
    entity_type: str | None = None
    entity_id: int | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""
    limit: int = DEFAULT_PAGE_SIZE
    offset: int = 0


@dataclass(frozen=True)
class Change:
    """One field that an event changed (or set, for a new record)."""

    field: str
    before: Any
    after: Any

    @property
    def field_words(self) -> str:
        return field_words(self.field)

    @property
    def before_text(self) -> str:
        return value_text(self.field, self.before)

    @property
    def after_text(self) -> str:
        return value_text(self.field, self.after)


@dataclass(frozen=True)
class AuditRow:
    """One audit event, ready to show: raw values plus the words for them."""

    id: int
    occurred_at: datetime
    actor: str
    user_id: int | None
    action: str
    action_words: str
    entity_type: str
    entity_words: str
    entity_id: int | None
    record_label: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    note: str | None
    changes: tuple[Change, ...]

    @property
    def when(self) -> str:
        """UK local time, DD/MM/YYYY HH:MM."""
        return format_datetime(self.occurred_at)

    @property
    def is_creation(self) -> bool:
        return self.before is None and self.after is not None

    @property
    def summary(self) -> str:
        """The changes in one line, then the note: for a table cell."""
        return summarise(self.changes, self.note, created=self.is_creation)


@dataclass(frozen=True)
class AuditPage:
    """One page of events, newest first, and how many match in all."""

    rows: tuple[AuditRow, ...]
    total: int
    offset: int
    limit: int

    @property
    def first(self) -> int:
        """The position of the first row shown, counting from 1 (0 if none)."""
        return self.offset + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.rows)

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.last < self.total

    @property
    def position_text(self) -> str:
        """ "Showing 1–500 of 1,234 events", for the line under the table."""
        if self.total == 0:
            return "No events match."
        noun = "event" if self.total == 1 else "events"
        if not self.rows:
            return f"Nothing on this page; {self.total:,} {noun} match."
        return f"Showing {self.first:,}–{self.last:,} of {self.total:,} {noun}"


@dataclass(frozen=True)
class PersonChoice:
    """Someone who has acted: a user account, or a name with no account behind it."""

    user_id: int | None
    actor: str | None
    label: str


@dataclass(frozen=True)
class Choice:
    """A value for a filter and its words."""

    value: str
    label: str


@dataclass(frozen=True)
class AuditChoices:
    """What the filters can offer: only what the trail actually holds."""

    people: tuple[PersonChoice, ...]
    entity_types: tuple[Choice, ...]
    actions: tuple[Choice, ...]


# -- words --------------------------------------------------------------------------------


def _spelt_out(name: str) -> str:
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def entity_words(entity_type: str) -> str:
    """ "equipment_item" → "Item"."""
    return ENTITY_WORDS.get(entity_type) or _spelt_out(entity_type)


def family_words(family: str) -> str:
    return FAMILY_WORDS.get(family) or _spelt_out(family)


def action_words(action: str) -> str:
    """ "loan.approved" → "Loan approved"; "user.signed_in" → "Signed in"."""
    if action in ACTION_WORDS:
        return ACTION_WORDS[action]
    family, dot, verb = action.partition(".")
    if not dot:
        return _spelt_out(action)
    return f"{family_words(family)} {verb.replace('_', ' ')}".strip()


def field_words(name: str) -> str:
    """ "asset_tag" → "Asset tag"; "is_pooled" → "Pooled"; money without its unit;
    "lines.2.ends_at" → "Line 2: ends at"."""
    whole, dot, rest = name.partition(".")
    number, dot_again, inner = rest.partition(".")
    if dot and dot_again and number.isdigit():
        part = PART_WORDS.get(whole) or _spelt_out(whole.removesuffix("s"))
        words = field_words(inner)
        return f"{part} {number}: {words[:1].lower()}{words[1:]}"
    if name in FIELD_WORDS:
        return FIELD_WORDS[name]
    words = name.removeprefix("is_").removesuffix("_pence")
    return _spelt_out(words)


def value_text(field: str, value: Any) -> str:
    """A value from a snapshot as a person reads it: UK dates, £, Yes and No."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int) and field.endswith("_pence"):
        return format_pence(value)
    if isinstance(value, str):
        kinds = CODED_FIELDS.get(field.rpartition(".")[2])
        if kinds is not None:
            return _code_text(kinds, value)
        return _date_text(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _code_text(kinds: Iterable[type[enum.Enum]], code: str) -> str:
    for kind in kinds:
        try:
            return vocabulary.label(kind(code))
        except ValueError:
            continue
    # A code no enum has any more, kept in an old snapshot.
    return _spelt_out(code)


def _date_text(text: str) -> str:
    try:
        if _ISO_MOMENT.fullmatch(text[:16]):
            moment = datetime.fromisoformat(text)
            return format_datetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
        if _ISO_DAY.fullmatch(text):
            return format_date(date.fromisoformat(text))
    except ValueError:
        pass
    return text


def changes_between(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> tuple[Change, ...]:
    """The fields whose values differ between two snapshots, in the snapshots' order.

    A field missing on one side counts as empty there, so a new record lists every
    field it was given and a removed one every field it had. Where a list of parts (a
    loan's lines) keeps its length, each part's changed fields are listed on their own
    as ``lines.1.ends_at``, rather than the whole list twice.
    """
    old = before or {}
    new = after or {}
    names = list(old) + [name for name in new if name not in old]
    changes: list[Change] = []
    for name in names:
        was, now = old.get(name), new.get(name)
        if was == now:
            continue
        if isinstance(was, list) and isinstance(now, list) and _same_shape_parts(was, now):
            for number, (part_was, part_now) in enumerate(zip(was, now, strict=True), 1):
                changes.extend(
                    Change(f"{name}.{number}.{c.field}", c.before, c.after)
                    for c in changes_between(part_was, part_now)
                )
        else:
            changes.append(Change(name, was, now))
    return tuple(changes)


def _same_shape_parts(was: list[Any], now: list[Any]) -> bool:
    return len(was) == len(now) and all(isinstance(part, dict) for part in (*was, *now))


def summarise(changes: Sequence[Change], note: str | None, *, created: bool = False) -> str:
    """ "Status: requested → approved; Due at: … → …", then the note, in one line."""
    if created:
        shown = [c for c in changes if c.after not in (None, "", [], {})]
        parts = [f"{c.field_words}: {c.after_text}" for c in shown[:SUMMARY_CHANGES]]
        rest = len(shown) - SUMMARY_CHANGES
    else:
        parts = [
            f"{c.field_words}: {c.before_text or '(empty)'} → {c.after_text or '(empty)'}"
            for c in changes[:SUMMARY_CHANGES]
        ]
        rest = len(changes) - SUMMARY_CHANGES
    text = "; ".join(parts)
    if rest > 0:
        text += f"; and {rest} more"
    return " · ".join(part for part in (text, (note or "").strip()) if part)


def parse_day(text: str, what: str = "date") -> date | None:
    """A day typed as DD/MM/YYYY (or blank, for none). Raises ``DomainError`` otherwise."""
    return parse_uk_date(text, what)


def uk_day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the UK, as UTC."""
    return datetime.combine(day, time(0), tzinfo=UK).astimezone(UTC)


# -- the query ----------------------------------------------------------------------------


def _conditions(query: AuditQuery) -> list[ColumnElement[bool]]:
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise DomainError(
            f"The ‘from’ date {format_date(query.date_from)} is after the ‘to’ date "
            f"{format_date(query.date_to)}. Swap them, or clear one."
        )
    event = AuditEvent
    conditions: list[ColumnElement[bool]] = []
    if query.user_id is not None:
        conditions.append(event.user_id == query.user_id)
    if query.actor is not None:
        conditions.append(and_(event.actor == clean_text(query.actor), event.user_id.is_(None)))
    if query.entity_type:
        conditions.append(event.entity_type == query.entity_type)
    if query.entity_id is not None:
        conditions.append(event.entity_id == query.entity_id)
    if query.action:
        if query.action.endswith("."):
            conditions.append(event.action.startswith(query.action, autoescape=True))
        else:
            conditions.append(event.action == query.action)
    if query.date_from is not None:
        conditions.append(event.occurred_at >= uk_day_start(query.date_from))
    if query.date_to is not None:
        conditions.append(event.occurred_at < uk_day_start(query.date_to + timedelta(days=1)))
    for word in clean_text(query.text).split():
        conditions.append(
            or_(
                event.actor.icontains(word, autoescape=True),
                event.note.icontains(word, autoescape=True),
            )
        )
    return conditions


def _newest_first(conditions: Sequence[ColumnElement[bool]]) -> Select[AuditEvent]:
    return (
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )


def _record_labels(session: Session, events: Iterable[AuditEvent]) -> dict[tuple[str, int], str]:
    """Labels for the records behind ``events`` that a name or tag identifies better
    than a number; five small ``IN`` queries at most."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.entity_id is not None:
            wanted.setdefault(event.entity_type, set()).add(event.entity_id)
    labels: dict[tuple[str, int], str] = {}
    if ids := wanted.get("equipment_item"):
        for item_id, tag in session.execute(
            select(EquipmentItem.id, EquipmentItem.asset_tag).where(EquipmentItem.id.in_(ids))
        ):
            labels["equipment_item", item_id] = f"Item {tag}"
    if ids := wanted.get("kit"):
        for kit_id, name in session.execute(select(Kit.id, Kit.name).where(Kit.id.in_(ids))):
            labels["kit", kit_id] = f"Kit {kit_id}: {name}"
    if ids := wanted.get("mou"):
        for mou_id, reference, version in session.execute(
            select(Mou.id, Mou.reference, Mou.version).where(Mou.id.in_(ids))
        ):
            labels["mou", mou_id] = f"MoU {reference} v{version}"
    if ids := wanted.get("sharing_protocol"):
        for protocol_id, name in session.execute(
            select(SharingProtocol.id, SharingProtocol.name).where(SharingProtocol.id.in_(ids))
        ):
            labels["sharing_protocol", protocol_id] = f"Protocol {protocol_id}: {name}"
    if ids := wanted.get("app_user"):
        for user_id, username in session.execute(
            select(AppUser.id, AppUser.username).where(AppUser.id.in_(ids))
        ):
            labels["app_user", user_id] = f"User {username}"
    return labels


def _row(event: AuditEvent, labels: Mapping[tuple[str, int], str]) -> AuditRow:
    words = entity_words(event.entity_type)
    if event.entity_id is None:
        label = words
    else:
        label = labels.get((event.entity_type, event.entity_id), f"{words} {event.entity_id}")
    before = dict(event.before) if event.before is not None else None
    after = dict(event.after) if event.after is not None else None
    return AuditRow(
        id=event.id,
        occurred_at=event.occurred_at,
        actor=event.actor,
        user_id=event.user_id,
        action=event.action,
        action_words=action_words(event.action),
        entity_type=event.entity_type,
        entity_words=words,
        entity_id=event.entity_id,
        record_label=label,
        before=before,
        after=after,
        note=event.note,
        changes=changes_between(before, after),
    )


def list_audit(db: Database, query: AuditQuery, actor: Actor) -> AuditPage:
    """One page of the events ``query`` matches, newest first, with the total matching.

    Only equipment managers and administrators may read the trail.
    """
    require(actor, Action.VIEW_AUDIT)
    if query.limit < 1 or query.offset < 0:
        raise ValueError("an audit page needs a positive limit and an offset of 0 or more")
    conditions = _conditions(query)
    with db.read() as session:
        total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
        events = session.scalars(
            _newest_first(conditions).limit(query.limit).offset(query.offset)
        ).all()
        labels = _record_labels(session, events)
        rows = tuple(_row(event, labels) for event in events)
    return AuditPage(rows=rows, total=total, offset=query.offset, limit=query.limit)


def audit_choices(db: Database) -> AuditChoices:
    """The people, record types and kinds of event the trail holds, for its filters.

    A family of kinds ("Any loan event") comes before its members when it has several.
    """
    with db.read() as session:
        users = session.execute(
            select(AppUser.id, AppUser.username, Person.given_name, Person.family_name)
            .join(Person, Person.id == AppUser.person_id)
            .where(
                AppUser.id.in_(select(AuditEvent.user_id).where(AuditEvent.user_id.is_not(None)))
            )
        ).all()
        names = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.user_id.is_(None)).distinct()
        ).all()
        entity_types = session.scalars(select(AuditEvent.entity_type).distinct()).all()
        actions = session.scalars(select(AuditEvent.action).distinct()).all()

    people = [
        PersonChoice(user_id=row[0], actor=None, label=f"{row[2]} {row[3]} ({row[1]})")
        for row in users
    ] + [PersonChoice(user_id=None, actor=name, label=name) for name in names]
    people.sort(key=lambda p: p.label.casefold())
    types = sorted((Choice(t, entity_words(t)) for t in entity_types), key=lambda c: c.label)
    return AuditChoices(
        people=tuple(people), entity_types=tuple(types), actions=_action_choices(actions)
    )


def _action_choices(actions: Iterable[str]) -> tuple[Choice, ...]:
    families: dict[str, list[str]] = {}
    for action in actions:
        family, _, _ = action.partition(".")
        families.setdefault(family, []).append(action)
    choices: list[Choice] = []
    for family in sorted(families, key=lambda f: family_words(f).casefold()):
        members = sorted(families[family], key=lambda a: action_words(a).casefold())
        if len(members) > 1:
            noun = family_words(family)
            # "Any loan event", but "Any MoU event".
            noun = noun if any(c.isupper() for c in noun[1:]) else noun.lower()
            choices.append(Choice(f"{family}.", f"Any {noun} event"))
        choices.extend(Choice(action, action_words(action)) for action in members)
    return tuple(choices)


def find_record_id(db: Database, entity_type: str | None, text: str) -> int | None:
    """The record number for a filter: digits as they are; for an item its asset tag,
    for a user account its user name. None when ``text`` is blank."""
    text = clean_text(text)
    cleaned = text.strip()
    if not cleaned:
        return None
    if cleaned.isdigit():
        return int(cleaned)
    if entity_type == "equipment_item":
        return find_item(db, cleaned).id
    if entity_type == "app_user":
        return find_user(db, cleaned).id
    raise DomainError(
        f"“{cleaned}” is not a record number. Give the number only (e.g. 12 for Loan 12), "
        "or choose Item or User account to give an asset tag or a user name."
    )


# -- export -------------------------------------------------------------------------------


def safe_cell(value: object) -> str:
    """``value`` as CSV text that a spreadsheet will show, never run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _json_text(snapshot: Mapping[str, Any] | None) -> str:
    return "" if snapshot is None else json.dumps(snapshot, ensure_ascii=False)


def csv_record(row: AuditRow) -> list[str]:
    """One event as the cells of a CSV line, in the order of ``CSV_HEADER``."""
    cells: list[object] = [
        row.id,
        row.when,
        row.occurred_at.astimezone(UTC).isoformat(),
        row.actor,
        row.user_id,
        row.action,
        row.action_words,
        row.entity_words,
        row.entity_id,
        row.record_label,
        row.note,
        _json_text(row.before),
        _json_text(row.after),
    ]
    return [safe_cell(cell) for cell in cells]


def _matching_rows(session: Session, query: AuditQuery) -> Iterator[AuditRow]:
    statement = _newest_first(_conditions(query)).execution_options(yield_per=EXPORT_BATCH)
    for batch in session.scalars(statement).partitions():
        labels = _record_labels(session, batch)
        yield from (_row(event, labels) for event in batch)


def _writable(path: Path) -> bool:
    # As app.storage.database does: a folder or file marked read-only stays so, even for root.
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & stat.S_IWUSR)


def _check_destination(target: Path) -> None:
    folder = target.parent
    not_written = "so the audit trail was not exported"
    if not folder.is_dir():
        raise AuditExportFailed(
            f"The folder {folder} does not exist, {not_written}. Choose a folder that exists."
        )
    if target.is_dir():
        raise AuditExportFailed(
            f"{target} is a folder, {not_written}. Give a file name, such as audit.csv."
        )
    if not _writable(folder):
        raise AuditExportFailed(
            f"Kit Share may not write in the folder {folder}, {not_written}. Choose a folder "
            "you can write to, such as your Documents."
        )
    if target.exists() and not _writable(target):
        raise AuditExportFailed(
            f"The file {target} is read-only, {not_written}. Choose another file name."
        )


def write_audit_csv(db: Database, query: AuditQuery, actor: Actor, path: str | Path) -> int:
    """Write every event ``query`` matches (all pages), newest first, to a CSV file.

    UTF-8 with a byte order mark, so Excel reads the accents; one header row. The file
    appears whole or not at all: it is written beside ``path`` and then moved into
    place, so an existing file is untouched if anything fails. Returns the events written.
    """
    require(actor, Action.VIEW_AUDIT)
    query = dataclasses.replace(query, limit=DEFAULT_PAGE_SIZE, offset=0)
    _conditions(query)  # refuse a bad filter before touching the disk
    target = Path(path)
    _check_destination(target)
    try:
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:
        raise AuditExportFailed(
            f"Kit Share could not write in the folder {target.parent} ({exc.strerror}), so "
            "the audit trail was not exported. Choose another folder."
        ) from exc
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as stream:
            written = _write_rows(db, query, stream)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes a private file; an export is an ordinary document.
        temp.chmod(0o644)
        os.replace(temp, target)
    except OSError as exc:
        raise AuditExportFailed(
            f"The audit trail could not be written to {target} ({exc.strerror}). If the file "
            "is open in another program, such as Excel, close it and export again."
        ) from exc
    finally:
        temp.unlink(missing_ok=True)
    return written


def _write_rows(db: Database, query: AuditQuery, stream: IO[str]) -> int:
    writer = csv.writer(stream)
    writer.writerow(CSV_HEADER)
    written = 0
    with db.read() as session:
        for row in _matching_rows(session, query):
            writer.writerow(csv_record(row))
            written += 1
    return written
