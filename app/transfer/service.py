"""Bringing a catalogue (or a list of people) in from a file: the dry run and the import.

The import is checked first (a dry run that reports every bad row), and then done in one
transaction: a bad row, a cancel or a failure leaves the database as it was.

How a file comes in:

1. ``read_table`` (``app.transfer.tabular``) reads it as text; ``guess_mapping``
   (``app.transfer.fields``) matches its headings to the fields of ``fields_for(kind)``,
   and the person may correct that.
2. ``check_import`` reads every row in two passes (``app.transfer.rows``). The first
   needs no database: it turns each row's text into values (``app.transfer.values``,
   ``app.transfer.dates``) and runs the same rules the item dialog and the people view
   run. The second matches names to what is on record (``app.transfer.names``), finds
   tags or staff numbers used twice, and collects the categories, agencies and sites the
   file names that are not on record: offered for creation (``new_names``), never
   invented.
3. ``run_import`` checks again, inside the one write transaction, creates the new names
   approved, and inserts the rows in batches with ``INSERT … VALUES`` (not an ORM object
   per row), with one audit event for the whole import.

Exporting is ``app.transfer.export``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.record import record_change
from app.core.actor import Actor
from app.core.clock import now_utc, today_uk
from app.core.errors import DomainError
from app.core.permissions import Action, may, require
from app.core.text import counted
from app.core.vocabulary import label
from app.storage.database import Database
from app.transfer.dates import DATE_FIELDS, DateOrder, DateReading, date_column
from app.transfer.export import EXPORT_BATCH
from app.transfer.fields import IMPORTABLE, FieldMapping, Kind, fields_for, mapping_problems
from app.transfer.kits import ReadyKit, kit_rows, make_kits, resolve_kits
from app.transfer.names import NameKey, NamesOnRecord, NameToCreate, NewName, NewNameKind
from app.transfer.rows import (
    ITEM_COLUMNS,
    PERSON_COLUMNS,
    Columns,
    item_rows,
    person_rows,
    resolve_items,
    resolve_people,
)
from app.transfer.tabular import Cancelled, Progress, RowProblem, Table, progress_due
from app.transfer.values import IMPORTED_DEFECT_SEVERITY, imported_defect, status_notices
from models import (
    Agency,
    AgencyKind,
    Category,
    Defect,
    DefectSource,
    EquipmentItem,
    ItemStatus,
    Person,
    Site,
)

# Rows inserted per statement: big enough that the driver's executemany does the work,
# small enough to report progress (and notice a cancel) often.
WRITE_BATCH = 2_000
# The longest short code a new agency is given: its column's own limit.
AGENCY_CODE_MAX = 16


@dataclass(frozen=True)
class ImportReport:
    """The dry run's findings, and ``notices``: how it read what could be read more
    than one way (dates, statuses), and what reading the file changed, in sentences."""

    kind: Kind
    total_rows: int
    problems: tuple[RowProblem, ...]
    new_names: tuple[NewName, ...]  # offered for creation
    encoding: str
    notices: tuple[str, ...] = ()
    dates: tuple[DateReading, ...] = ()

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems})

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ImportResult:
    kind: Kind
    created: int
    created_names: tuple[NewName, ...]


class ImportRefused(DomainError):
    """The import was not done because the file has bad rows; ``report`` lists them."""

    def __init__(self, report: ImportReport) -> None:
        rows = "1 row needs" if report.bad_rows == 1 else f"{report.bad_rows:,} rows need"
        super().__init__(f"Nothing was imported: {rows} fixing.")
        self.report = report


@dataclass
class _Plan:
    """A checked file: its report, the rows ready to write and the names to create."""

    report: ImportReport
    rows: list[tuple[Any, ...]]
    names: list[NameToCreate]
    refs: dict[str, int]  # which column of a ready row holds a reference to resolve
    # (asset tag, description) of the defect each out-of-service item comes in with.
    defects: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    # The kits to make, for a file of kits (``rows`` is then empty).
    kits: list[ReadyKit] = dataclasses.field(default_factory=list)


class _Steps:
    """Progress over one or two passes of the rows; raises ``Cancelled`` when asked."""

    def __init__(self, progress: Progress | None, total: int, *, passes: int, message: str) -> None:
        self.progress = progress
        self.total = total * passes
        self.message = message
        self.offset = 0

    def __call__(self, done: int, *, force: bool = False) -> None:
        if self.progress is None or not (force or progress_due(done)):
            return
        if not self.progress(self.offset + done, self.total):
            raise Cancelled(self.message)

    def next_pass(self, rows: int) -> None:
        self.offset += rows


@dataclass(frozen=True)
class _Request:
    """What the dry run and the import read: the file, as what, mapped how, the new names
    approved (``NewName.key`` values), today, and the date order chosen (None: as each
    column's dates settle)."""

    table: Table
    kind: Kind
    mapping: FieldMapping
    create: Collection[NameKey]
    today: date
    dates: DateOrder | None


# What a cancelled dry run or import says.
_CANCELLED = "Cancelled; nothing was imported."


def _examine(session: Session, actor: Actor, request: _Request, step: _Steps) -> _Plan:
    table, kind, mapping, today = request.table, request.kind, request.mapping, request.today
    fields = fields_for(kind, actor)
    wrong_mapping = mapping_problems(table, mapping, fields, kind)
    if wrong_mapping:
        return _Plan(_report(table, kind, wrong_mapping, ()), [], [], {})
    if not table.rows:
        problem = RowProblem(
            1,
            None,
            "The file has column headings but no rows under them: there is nothing to "
            "import. Check that this is the right file (or sheet: Kit Share reads the first).",
        )
        return _Plan(_report(table, kind, [problem], ()), [], [], {})
    columns = Columns(table, mapping)
    skip = {p.row for p in table.problems}
    if kind is Kind.KITS:
        return _examine_kits(session, actor, table, columns, step)
    names = NamesOnRecord(session, actor, request.create)
    readings: list[DateReading] = []
    parsers: dict[str, Callable[[str], Any]] = {}
    for key in DATE_FIELDS[kind]:
        index, heading = columns.index.get(key), columns.header.get(key, "")
        reading, parsers[key] = date_column(
            table, key, index=index, column=heading, chosen=request.dates, today=today
        )
        if reading is not None:
            readings.append(reading)
    notices = [reading.sentence for reading in readings]
    ready: list[tuple[Any, ...]]
    defects: list[tuple[str, str]] = []
    if kind is Kind.ITEMS:
        items, problems = item_rows(table, columns, today, skip, step, parsers=parsers)
        ready, more = resolve_items(session, actor, items, columns, names)
        refs = {"category_id": 0, "owner_agency_id": 1, "home_site_id": 2}
        notices += status_notices(table, columns.index.get("status"))
        defects = [
            (row.asset_tag, imported_defect(row.status_word, table.file_name))
            for row in items
            if row.status is ItemStatus.OUT_OF_SERVICE
        ]
    else:
        people, problems = person_rows(table, columns, skip, step)
        ready, more = resolve_people(session, people, columns, names)
        refs = {"agency_id": 0, "home_site_id": 1}
    step(len(table.rows), force=True)
    problems += more
    report = _report(
        table, kind, problems, names.new_names(), notices=notices, dates=tuple(readings)
    )
    if not report.ok:
        return _Plan(report, [], names.approved(), refs)
    return _Plan(report, ready, names.approved(), refs, defects)


def _examine_kits(
    session: Session, actor: Actor, table: Table, columns: Columns, step: _Steps
) -> _Plan:
    """A file of kits: every row checked by the kit's rules, then against the records."""
    skip = {p.row for p in table.problems}
    rows, problems = kit_rows(table, columns, skip, step)
    step(len(table.rows), force=True)
    ready, more = resolve_kits(session, actor, rows, columns)
    report = _report(table, Kind.KITS, [*problems, *more], ())
    return _Plan(report, [], [], {}, kits=ready if report.ok else [])


def _report(
    table: Table,
    kind: Kind,
    problems: Iterable[RowProblem],
    new_names: tuple[NewName, ...],
    *,
    notices: Sequence[str] = (),
    dates: tuple[DateReading, ...] = (),
) -> ImportReport:
    every = sorted(
        (*table.problems, *problems), key=lambda p: (p.row, p.column is not None, p.column or "")
    )
    return ImportReport(
        kind=kind,
        total_rows=len(table.rows),
        problems=tuple(every),
        new_names=new_names,
        encoding=table.encoding,
        notices=(*table.notes, *notices),
        dates=dates,
    )


def _permission(kind: Kind) -> Action:
    if kind is Kind.ITEMS:
        return Action.EDIT_CATALOGUE
    if kind is Kind.PEOPLE:
        return Action.MANAGE_PEOPLE
    if kind is Kind.KITS:
        return Action.EDIT_KITS
    raise DomainError(
        "Kit Share exports loans but does not import them; import items, people or kits."
    )


def importable_kinds(actor: Actor) -> list[Kind]:
    """What ``actor`` may import: items and kits for those who keep the catalogue (an
    equipment manager only their own agency's, which the check says row by row), people
    only for an administrator. The window offers these; ``check_import`` and
    ``run_import`` refuse any other by the same rule, whoever asks."""
    return [kind for kind in IMPORTABLE if may(actor, _permission(kind))]


def check_import(
    db: Database,
    actor: Actor,
    table: Table,
    kind: Kind,
    mapping: FieldMapping,
    *,
    create: Collection[tuple[str, str, str | None]] = (),
    progress: Progress | None = None,
    today: date | None = None,
    dates: DateOrder | None = None,
) -> ImportReport:
    """The dry run: every bad row with its row number and reason. Names not on record
    and not in ``create`` (``NewName.key`` values) are reported as problems on the rows
    that use them; they are listed in ``new_names`` either way, when ``actor`` may
    create them (a name they may not create is a problem with the reason).

    A row ``read_table`` could not read properly (``Table.problems``) is reported as
    such and not checked further. Dates such as 3/1/2023 are read in the order each
    column's dates settle, or in ``dates`` if given (``ImportReport.dates`` says which).
    Raises ``NotPermitted`` if ``actor`` may not import
    ``kind`` at all, ``Cancelled`` if ``progress`` returns False."""
    require(actor, _permission(kind))
    request = _Request(table, kind, mapping, create, today or today_uk(), dates)
    step = _Steps(progress, len(table.rows), passes=1, message=_CANCELLED)
    with db.read() as session:
        plan = _examine(session, actor, request, step)
    return plan.report


def run_import(
    db: Database,
    actor: Actor,
    table: Table,
    kind: Kind,
    mapping: FieldMapping,
    *,
    create: Collection[tuple[str, str, str | None]] = (),
    progress: Progress | None = None,
    today: date | None = None,
    dates: DateOrder | None = None,
) -> ImportResult:
    """Check again, then import every row in one transaction: all or nothing. Raises
    ``ImportRefused`` with the report if any row is bad, ``Cancelled`` if ``progress``
    returns False (then nothing is imported either).

    Progress runs over twice the rows: the check, then the writing."""
    require(actor, _permission(kind))
    request = _Request(table, kind, mapping, create, today or today_uk(), dates)
    step = _Steps(progress, len(table.rows), passes=2, message=_CANCELLED)
    with db.write() as session:
        plan = _examine(session, actor, request, step)
        if not plan.report.ok:
            raise ImportRefused(plan.report)
        step.next_pass(len(table.rows))
        if kind is Kind.KITS:
            return _import_kits(db, session, actor, table=table, plan=plan, step=step)
        model = EquipmentItem if kind is Kind.ITEMS else Person
        columns = ITEM_COLUMNS if kind is Kind.ITEMS else PERSON_COLUMNS
        try:
            created = _create_names(session, plan.names)
            with _search_index_deferred(session, enabled=kind is Kind.ITEMS):
                _insert_rows(
                    session, model=model, columns=columns, plan=plan, created=created, step=step
                )
            _open_imported_defects(session, actor, plan.defects)
        except IntegrityError as error:
            raise DomainError(
                "Nothing was imported: someone else added a record with one of the file's "
                "tags, staff numbers or names while it was being imported. Check the file "
                "again and import it."
            ) from error
        step(len(table.rows), force=True)
        names = tuple(n.as_new_name() for n in plan.names)
        _audit(session, actor, table=table, kind=kind, plan=plan, names=names)
    return ImportResult(kind=kind, created=len(plan.rows), created_names=names)


def _import_kits(
    db: Database, session: Session, actor: Actor, *, table: Table, plan: _Plan, step: _Steps
) -> ImportResult:
    """Make the file's kits, each with its own audit event, and one for the import."""
    make_kits(db, session, actor, plan.kits)
    step(len(table.rows), force=True)
    names = sorted(ready.draft.name for ready in plan.kits)
    note = f"Imported {counted(len(names), 'kit')}"
    if table.file_name:
        note += f" from {table.file_name}"
    record_change(
        session,
        actor,
        "kits.imported",
        "import",
        None,
        before=None,
        after={"file": table.file_name or None, "rows": len(names), "kits": names},
        note=note + ".",
    )
    return ImportResult(kind=Kind.KITS, created=len(names), created_names=())


def _open_imported_defects(
    session: Session, actor: Actor, defects: Sequence[tuple[str, str]]
) -> None:
    """An open unsafe defect on each item imported out of service (their rows were
    written out of service): what keeps them so, until an equipment manager clears it."""
    if not defects:
        return
    ids: dict[str, int] = {}
    tags = [tag for tag, _description in defects]
    for start in range(0, len(tags), EXPORT_BATCH):
        chunk = tags[start : start + EXPORT_BATCH]
        found = session.execute(
            select(EquipmentItem.asset_tag, EquipmentItem.id).where(
                EquipmentItem.asset_tag.in_(chunk)
            )
        )
        ids.update((tag, item_id) for tag, item_id in found)
    now = now_utc()
    session.execute(
        insert(Defect),
        [
            {
                "item_id": ids[tag],
                "source": DefectSource.REPORTED,
                "severity": IMPORTED_DEFECT_SEVERITY,
                "description": description,
                "reported_at": now,
                "reported_by_id": actor.person_id,
            }
            for tag, description in defects
        ],
    )


def _create_names(session: Session, approved: list[NameToCreate]) -> dict[NameKey, int]:
    """Add the approved new agencies, categories and sites; their ids by key."""
    ids: dict[NameKey, int] = {}
    codes = set(session.scalars(select(func.upper(Agency.code))))
    for new in approved:
        record: Agency | Category | Site
        if new.kind is NewNameKind.AGENCY:
            code = _agency_code(new.name, codes)
            codes.add(code)
            record = Agency(name=new.name, code=code, kind=_agency_kind(new.name))
        elif new.kind is NewNameKind.CATEGORY:
            record = Category(name=new.name)
        else:
            assert new.agency is not None
            agency = new.agency if isinstance(new.agency, int) else ids[new.agency]
            record = Site(agency_id=agency, name=new.name)
        session.add(record)
        session.flush()
        ids[new.as_new_name().key] = record.id
    return ids


def _agency_code(name: str, taken: set[str]) -> str:
    """A short code for a new agency: the name itself if it is short and has no spaces,
    else its initials ("Suffolk Fire and Rescue Service" → "SFRS"); made unique."""
    words = re.findall(r"[A-Za-z0-9]+", name)
    if " " not in name.strip() and len(name.strip()) <= AGENCY_CODE_MAX:
        base = name.strip().upper()
    else:
        initials = "".join(w[0] for w in words if w.casefold() not in {"and", "of", "the"})
        base = (initials or "AGENCY").upper()[: AGENCY_CODE_MAX - 3]
    code, number = base, 1
    while code.upper() in taken:
        number += 1
        code = f"{base[: AGENCY_CODE_MAX - len(str(number)) - 1]}-{number}"
    return code


def _agency_kind(name: str) -> AgencyKind:
    """What kind of service a new agency is, from its name; "other" if it does not say."""
    words = set(re.findall(r"[a-z]+", name.casefold()))
    if words & {"police", "constabulary"}:
        return AgencyKind.POLICE
    if words & {"fire", "frs"}:
        return AgencyKind.FIRE
    if words & {"ambulance", "nhs", "paramedic"}:
        return AgencyKind.AMBULANCE
    if words & {"council", "borough", "authority", "district", "county"}:
        return AgencyKind.LOCAL_AUTHORITY
    return AgencyKind.OTHER


def _insert_rows(
    session: Session,
    *,
    model: type[EquipmentItem] | type[Person],
    columns: tuple[str, ...],
    plan: _Plan,
    created: dict[NameKey, int],
    step: _Steps,
) -> None:
    now = now_utc()
    extra: dict[str, Any] = {"created_at": now}
    if model is EquipmentItem:
        extra |= {"updated_at": now, "row_version": 1}
    refs = list(plan.refs.values())
    for start in range(0, len(plan.rows), WRITE_BATCH):
        batch = []
        for ready in plan.rows[start : start + WRITE_BATCH]:
            values = dict(zip(columns, ready, strict=True))
            for position in refs:
                ref = ready[position]
                if isinstance(ref, tuple):
                    values[columns[position]] = created[ref]
            batch.append(values | extra)
        # render_nulls: a blank cell is sent as NULL, so every row of a batch has the same
        # columns and the batch goes to the driver as one executemany.
        session.execute(insert(model).execution_options(render_nulls=True), batch)
        step(start + len(batch), force=True)


@contextmanager
def _search_index_deferred(session: Session, *, enabled: bool) -> Iterator[None]:
    """On SQLite, index the new items for search in one statement after they are all in,
    rather than one at a time from the insert trigger (migrations 0002 and 0003): the
    trigger is dropped and put back, as the database holds it, inside the transaction.

    The full-text index is filled from the same view the trigger reads, with every
    column the index has, so it comes out as the trigger would have made it.
    """
    bind = session.get_bind()
    trigger = None
    if enabled and bind.dialect.name == "sqlite":
        trigger = session.scalar(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
            {"name": "item_search_after_insert"},
        )
    if trigger is None:
        yield
        return
    before = session.scalar(select(func.max(EquipmentItem.id))) or 0
    session.execute(text("DROP TRIGGER item_search_after_insert"))
    yield
    columns = ", ".join(
        str(row[1])
        for row in session.execute(text("SELECT * FROM pragma_table_info('item_search')"))
    )
    session.execute(
        text(
            f"INSERT INTO item_search (rowid, {columns}) "
            f"SELECT id, {columns} FROM item_search_source WHERE id > :before"
        ),
        {"before": before},
    )
    session.execute(
        text(
            "INSERT INTO item_search_codes (rowid, codes) "
            "SELECT id, codes FROM item_search_source WHERE id > :before"
        ),
        {"before": before},
    )
    session.execute(text(trigger))


_CREATED_KEYS = {
    NewNameKind.AGENCY: "agencies_created",
    NewNameKind.CATEGORY: "categories_created",
    NewNameKind.SITE: "sites_created",
}


def _audit(
    session: Session,
    actor: Actor,
    *,
    table: Table,
    kind: Kind,
    plan: _Plan,
    names: tuple[NewName, ...],
) -> None:
    """One event for the whole import: the file, how many rows, the names created."""
    after: dict[str, Any] = {"file": table.file_name or None, "rows": len(plan.rows)}
    for name in names:
        shown = f"{name.name} ({name.agency})" if name.kind is NewNameKind.SITE else name.name
        after.setdefault(_CREATED_KEYS[name.kind], []).append(shown)
    if kind is Kind.ITEMS and plan.rows:
        tags = sorted(str(row[3]) for row in plan.rows)
        after["asset_tags"] = f"{tags[0]} to {tags[-1]}" if len(tags) > 1 else tags[0]
    if plan.defects:
        after["out_of_service"] = sorted(tag for tag, _description in plan.defects)
    noun = "items" if kind is Kind.ITEMS else "people"
    note = f"Imported {len(plan.rows):,} {noun}"
    if table.file_name:
        note += f" from {table.file_name}"
    if names:
        note += "; created " + ", ".join(f"{n.kind.value} “{n.name}”" for n in names)
    if plan.defects:
        count = len(plan.defects)
        note += (
            f"; {counted(count, 'item')} out of service, each with an "
            f"open {label(IMPORTED_DEFECT_SEVERITY).lower()} defect"
        )
    record_change(
        session,
        actor,
        "catalogue.imported" if kind is Kind.ITEMS else "people.imported",
        "import",
        None,
        before=None,
        after=after,
        note=note + ".",
    )
