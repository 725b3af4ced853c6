"""Checking a file's rows: each row's text read into values and put through the same
rules the item dialog and the people view run (``app.catalogue.items.validate``, the
text and contact rules of ``app.people.records``), so there is one copy of each rule;
then its names matched to what is on record, and tags or staff numbers used twice
found. What comes out is the rows ready to write, as tuples in ``ITEM_COLUMNS`` or
``PERSON_COLUMNS`` order, and every problem with its row and column.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import date
from functools import partial
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalogue.items import ItemDraft, validate
from app.core.actor import Actor
from app.people.records import PersonDraft, contact_problems, person_text_problems
from app.transfer.dates import day
from app.transfer.fields import FieldMapping, defaults_owner, header_position
from app.transfer.names import NOTHING_FOUND, Found, NamesOnRecord, Ref
from app.transfer.tabular import RowProblem, Table, rows_text
from app.transfer.values import (
    Unreadable,
    item_condition,
    item_status,
    pence,
    whole_number,
    yes_or_no,
)
from models import Condition, EquipmentItem, ItemStatus, Person

# The longest text a cell may bring into a field with no limit of its own (notes, say):
# what a spreadsheet cell holds, so that whatever comes in can be exported again.
CELL_MAX = 32_767
# What a spreadsheet shows in a cell whose formula failed: never a value to import.
SPREADSHEET_ERRORS = frozenset(
    {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
)


class Columns:
    """Where each mapped field is in a row, and the header to name in a problem."""

    def __init__(self, table: Table, mapping: FieldMapping) -> None:
        self.index: dict[str, int] = {}
        self.header: dict[str, str] = {}
        for key, header in mapping.items():
            position = header_position(table.headers, header)
            if position is not None:
                self.index[key] = position
                self.header[key] = table.headers[position]
        self._pairs = tuple(self.index.items())
        # What each column's texts read as: files repeat their statuses, dates and sums.
        self._read: dict[str, dict[str, tuple[bool, Any]]] = defaultdict(dict)

    def row(self, number: int, cells: Sequence[str]) -> Row:
        """Row ``number``'s mapped values, stripped, by field key, with what no field
        may hold already noted as problems."""
        row = Row(number, {key: cells[i].strip() for key, i in self._pairs}, self)
        for key, value in row.values.items():
            if not value:
                continue
            if "\x00" in value:
                # ``read_table`` takes NUL out; a table made otherwise may still hold it.
                row.problem(
                    key,
                    "This value holds a NUL character (an invisible control code, left by a "
                    "damaged export), which Kit Share cannot store. Remove it, or save the "
                    "file again from the program it came from, and import it again.",
                )
            elif value[0] == "#" and value in SPREADSHEET_ERRORS:
                row.problem(
                    key,
                    f"This cell holds the spreadsheet error {value}, not a value: its formula "
                    "failed. Correct the formula or type the value in, save the file and "
                    "import it again.",
                )
            elif len(value) > CELL_MAX and key in _UNLIMITED_TEXTS:
                row.problem(
                    key,
                    f"This value is {len(value):,} characters long; Kit Share keeps up to "
                    f"{CELL_MAX:,} characters in a field, as a spreadsheet cell holds. "
                    "Shorten it, and import the file again.",
                )
        return row

    def rows(self, table: Table, skip: Collection[int], step: Step) -> Iterator[Row]:
        """Each row of ``table`` read (as ``row`` reads it) but those numbered in ``skip``;
        ``step`` is told how many rows have been passed, skipped ones too."""
        numbered = zip(table.row_numbers, table.rows, strict=True)
        for done, (number, cells) in enumerate(numbered, 1):
            step(done)
            if number not in skip:
                yield self.row(number, cells)

    def read(self, key: str, value: str, parse: Callable[[str], Any]) -> tuple[bool, Any]:
        """``parse(value)``, remembered: (True, the value) or (False, what is wrong)."""
        known = self._read[key]
        found = known.get(value)
        if found is None:
            try:
                found = (True, parse(value))
            except Unreadable as error:
                found = (False, str(error))
            known[value] = found
        return found

    def of(self, key: str | None) -> str | None:
        return self.header.get(key) if key is not None else None


class ItemRow(NamedTuple):
    row: int
    asset_tag: str
    name: str
    category: str
    agency: str  # "" when the column is not mapped or the cell blank
    site: str
    is_pooled: bool
    quantity: int
    status: ItemStatus
    condition: Condition
    make: str | None
    model: str | None
    serial_number: str | None
    description: str | None
    accessories: str | None
    notes: str | None
    acquired_on: date | None
    replacement_value_pence: int | None
    daily_hire_rate_pence: int | None
    status_word: str  # as the file spells it, for an out-of-service item's defect


# The fields of an ``ItemRow`` written as they are, in ``ITEM_COLUMNS``' order.
_ITEM_ROW_VALUES = slice(6, 19)


class PersonRow(NamedTuple):
    row: int
    staff_number: str
    given_name: str
    family_name: str
    agency: str
    rank_or_role: str | None
    site: str
    email: str | None
    phone: str | None
    is_active: bool


# Which field a rule's problem is about, for the column to name.
_ITEM_PROBLEM_FIELDS = {
    "replacement_value_pence": "replacement_value",
    "daily_hire_rate_pence": "daily_hire_rate",
    "category_id": "category",
    "owner_agency_id": "owner_agency",
    "home_site_id": "home_site",
}


class Row:
    """One row being read: its mapped values, and the problems found in it so far."""

    __slots__ = ("columns", "number", "problems", "values")

    def __init__(self, number: int, values: dict[str, str], columns: Columns) -> None:
        self.number = number
        self.values = values
        self.columns = columns
        self.problems: list[RowProblem] = []

    def text(self, key: str) -> str:
        return self.values.get(key, "")

    def parsed(self, key: str, parse: Callable[[str], Any], default: Any) -> Any:
        """The cell under ``key`` read by ``parse``; ``default`` if blank or unreadable
        (which is a problem with the row)."""
        value = self.values.get(key)
        if not value:
            return default
        readable, result = self.columns.read(key, value, parse)
        if readable:
            return result
        self.problem(key, result)
        return default

    def problem(self, key: str | None, reason: str) -> None:
        self.problems.append(RowProblem(self.number, self.columns.of(key), reason))


_ITEM_TEXTS = ("make", "model", "serial_number", "description", "accessories", "notes")
# Fields whose own rules set no length: ``CELL_MAX`` limits them.
_UNLIMITED_TEXTS = frozenset({"description", "accessories", "notes"})

_ITEM_PARSERS: dict[str, Callable[[str], Any]] = {
    "quantity": partial(whole_number, label="The quantity"),
    "pooled": partial(yes_or_no, label="Pooled"),
    "status": item_status,
    "condition": item_condition,
    "acquired_on": partial(day, label="The date acquired"),
    "replacement_value": partial(pence, label="The replacement value"),
    "daily_hire_rate": partial(pence, label="The daily hire rate"),
}


# A pass over the rows reports how far it has got (``app.transfer.service`` counts the steps).
Step = Callable[[int], None]


def item_rows(
    table: Table,
    columns: Columns,
    today: date,
    skip: set[int],
    step: Step,
    *,
    parsers: Mapping[str, Callable[[str], Any]],
) -> tuple[list[ItemRow], list[RowProblem]]:
    """Every row as values, with the problems the rows have on their own."""
    parse = {**_ITEM_PARSERS, **parsers}
    problems: list[RowProblem] = []
    rows: list[ItemRow] = []
    for row in columns.rows(table, skip, step):
        rows.append(_item_row(row, parse, today))
        # Kept with its problems: the second pass still checks its names and tag.
        problems += row.problems
    return rows, problems


def _item_row(row: Row, parse: Mapping[str, Callable[[str], Any]], today: date) -> ItemRow:
    """``row`` as an item's values, noting in it what the item's own rules refuse."""
    quantity = row.parsed("quantity", parse["quantity"], 1)
    # Blank, it follows the quantity: more than one is a pool.
    pooled = row.parsed("pooled", parse["pooled"], quantity > 1)
    texts = [row.text(key) for key in _ITEM_TEXTS]
    draft = ItemDraft(
        asset_tag=row.text("asset_tag"),
        name=row.text("name"),
        category_id=0,  # matched to the names on record in the second pass
        owner_agency_id=0,
        home_site_id=0,
        is_pooled=pooled,
        quantity=quantity,
        make=texts[0],
        model=texts[1],
        serial_number=texts[2],
        condition=row.parsed("condition", parse["condition"], Condition.GOOD),
        description=texts[3],
        accessories=texts[4],
        notes=texts[5],
        acquired_on=row.parsed("acquired_on", parse["acquired_on"], None),
        replacement_value_pence=row.parsed("replacement_value", parse["replacement_value"], None),
        daily_hire_rate_pence=row.parsed("daily_hire_rate", parse["daily_hire_rate"], None),
    )
    status = row.parsed("status", parse["status"], ItemStatus.AVAILABLE)
    for problem in validate(draft, today=today):
        field = problem.field
        row.problem(_ITEM_PROBLEM_FIELDS.get(field, field) if field else None, problem.message)
    category, site = row.text("category"), row.text("home_site")
    if not category:
        row.problem("category", "Give the item's category, such as “Drones” or “Lighting towers”.")
    if not site:
        row.problem(
            "home_site",
            "Give the site where the item is kept, such as “Huntingdon Fire Station”.",
        )
    return ItemRow(
        row.number,
        draft.asset_tag,
        draft.name,
        category,
        row.text("owner_agency"),
        site,
        pooled,
        quantity,
        status,
        draft.condition,
        texts[0] or None,
        texts[1] or None,
        texts[2] or None,
        texts[3] or None,
        texts[4] or None,
        texts[5] or None,
        draft.acquired_on,
        draft.replacement_value_pence,
        draft.daily_hire_rate_pence,
        row.text("status"),
    )


def person_rows(
    table: Table, columns: Columns, skip: set[int], step: Step
) -> tuple[list[PersonRow], list[RowProblem]]:
    """Every row as values, with the problems the rows have on their own. With a single
    name column, the family name is its last word and the given names the rest."""
    split_names = "given_name" not in columns.index and "full_name" in columns.index
    name_keys = {"given_name": "full_name", "family_name": "full_name"} if split_names else {}
    active_parser = partial(yes_or_no, label="Active")
    problems: list[RowProblem] = []
    rows: list[PersonRow] = []
    for row in columns.rows(table, skip, step):
        if split_names:
            given, _space, family = " ".join(row.text("full_name").split()).rpartition(" ")
            if not given:  # one word: taken as the given name, the family name missing
                given, family = family, ""
        else:
            given, family = row.text("given_name"), row.text("family_name")
        active = row.parsed("active", active_parser, True)
        draft = PersonDraft(
            agency_id=0,  # matched to the names on record in the second pass
            staff_number=row.text("staff_number"),
            given_name=given,
            family_name=family,
            rank_or_role=row.text("rank_or_role"),
            email=row.text("email"),
            phone=row.text("phone"),
        )
        for problem in (*person_text_problems(draft), *contact_problems(draft)):
            field = problem.field or ""
            row.problem(name_keys.get(field, field), problem.message)
        problems += row.problems
        rows.append(
            PersonRow(
                row.number,
                draft.staff_number,
                " ".join(given.split()),
                " ".join(family.split()),
                row.text("agency"),
                draft.rank_or_role or None,
                row.text("home_site"),
                draft.email or None,
                " ".join(draft.phone.split()) or None,
                active,
            )
        )
    return rows, problems


def resolve_items(
    session: Session,
    actor: Actor,
    rows: list[ItemRow],
    columns: Columns,
    names: NamesOnRecord,
) -> tuple[list[tuple[Any, ...]], list[RowProblem]]:
    """The rows with their names matched to what is on record, and what could not be."""
    problems: list[RowProblem] = []
    taken = {
        tag.lower(): (tag, name)
        for tag, name in session.execute(select(EquipmentItem.asset_tag, EquipmentItem.name))
    }
    in_file: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.asset_tag:
            in_file[row.asset_tag.lower()].append(row.row)
    ready: list[tuple[Any, ...]] = []
    own_agency = actor.agency_id if defaults_owner(actor) else None
    for row in rows:
        found = Row(row.row, {}, columns)
        tag = row.asset_tag.lower()
        if len(in_file.get(tag, ())) > 1:
            found.problem(
                "asset_tag",
                f"Asset tag {row.asset_tag} is on more than one row of the file "
                f"({rows_text(in_file[tag])}); each item needs a tag of its own. Give each "
                "its own tag, or remove the repeated row.",
            )
        if tag in taken:
            other, name = taken[tag]
            found.problem(
                "asset_tag",
                f"Asset tag {other} is already in the catalogue, on “{name}”. Give this item "
                "another tag, or leave the row out if it is the same item.",
            )
        category = names.category(row.category) if row.category else NOTHING_FOUND
        if category.reason is not None:
            found.problem("category", category.reason)
        if row.agency:
            agency = names.agency(row.agency)
        elif own_agency is not None:
            agency = Found(own_agency, None)
        else:
            agency = Found(None, "Give the agency that owns the item, by its name or short code.")
        site = _owner_and_site(found, names, agency, row.site)
        if found.problems:
            problems += found.problems
            continue
        ready.append((category.ref, agency.ref, site.ref, *row[1:3], *tuple(row)[_ITEM_ROW_VALUES]))
    return ready, problems


def _owner_and_site(found: Row, names: NamesOnRecord, agency: Found, site_name: str) -> Found:
    """The item's home site, once its owner is known and the actor may keep its kit."""
    if agency.reason is not None:
        found.problem("owner_agency", agency.reason)
    if agency.ref is None:
        return NOTHING_FOUND
    site = names.site(site_name, agency.ref) if site_name else NOTHING_FOUND
    if site.reason is not None:
        found.problem("home_site", site.reason)
    if isinstance(agency.ref, int):
        refused = names.refusal(agency.ref)
        if refused is not None:
            found.problem("owner_agency", refused)
    return site


def resolve_people(
    session: Session, rows: list[PersonRow], columns: Columns, names: NamesOnRecord
) -> tuple[list[tuple[Any, ...]], list[RowProblem]]:
    """The rows with their agencies and sites matched to what is on record, and what
    could not be: a staff number is its agency's, once."""
    problems: list[RowProblem] = []
    taken: dict[tuple[int, str], str] = {
        (agency_id, number.lower()): (
            f"{number} at {{agency}} is already {given} {family}'s"
            + ("" if active else " (former staff)")
        )
        for agency_id, number, given, family, active in session.execute(
            select(
                Person.agency_id,
                Person.staff_number,
                Person.given_name,
                Person.family_name,
                Person.is_active,
            )
        )
    }
    missing = Found(None, "Give the agency this person works for, by its name or short code.")
    agencies = [names.agency(row.agency) if row.agency else missing for row in rows]
    in_file: dict[tuple[Ref, str], list[int]] = defaultdict(list)
    for row, agency in zip(rows, agencies, strict=True):
        if agency.ref is not None and row.staff_number:
            in_file[agency.ref, row.staff_number.lower()].append(row.row)
    ready: list[tuple[Any, ...]] = []
    for row, agency in zip(rows, agencies, strict=True):
        found = Row(row.row, {}, columns)
        site = NOTHING_FOUND
        if agency.reason is not None:
            found.problem("agency", agency.reason)
        if agency.ref is not None:
            label = names.agency_label(agency.ref)
            number = row.staff_number.lower()
            if len(in_file.get((agency.ref, number), ())) > 1:
                found.problem(
                    "staff_number",
                    f"Staff number {row.staff_number} at {label} is on more than one row of "
                    f"the file ({rows_text(in_file[agency.ref, number])}); each person needs "
                    "their own. Correct the number, or remove the repeated row.",
                )
            if isinstance(agency.ref, int) and (agency.ref, number) in taken:
                found.problem(
                    "staff_number",
                    "Staff number "
                    + taken[agency.ref, number].format(agency=label)
                    + "; give this person's own number, or leave the row out if it is the "
                    "same person.",
                )
            site = names.site(row.site, agency.ref) if row.site else NOTHING_FOUND
            if site.reason is not None:
                found.problem("home_site", site.reason)
        if found.problems:
            problems += found.problems
            continue
        ready.append(
            (
                agency.ref,
                site.ref,
                *row[1:4],
                row.rank_or_role,
                row.email,
                row.phone,
                row.is_active,
            )
        )
    return ready, problems


# The columns of a ready row, in order, and which of them hold references.
ITEM_COLUMNS = (
    "category_id",
    "owner_agency_id",
    "home_site_id",
    "asset_tag",
    "name",
    "is_pooled",
    "quantity",
    "status",
    "condition",
    "make",
    "model",
    "serial_number",
    "description",
    "accessories",
    "notes",
    "acquired_on",
    "replacement_value_pence",
    "daily_hire_rate_pence",
)
PERSON_COLUMNS = (
    "agency_id",
    "home_site_id",
    "staff_number",
    "given_name",
    "family_name",
    "rank_or_role",
    "email",
    "phone",
    "is_active",
)
