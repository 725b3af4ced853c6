"""Bringing a catalogue (or a list of people) in from a file, and exporting data out.

The import is checked first (a dry run that reports every bad row), and then done in one
transaction: a bad row, a cancel or a failure leaves the database as it was.

How a file comes in:

1. ``read_table`` (``app.transfer.tabular``) reads it as text; ``guess_mapping`` matches its
   headings to the fields of ``fields_for(kind)``, and the person may correct that.
2. ``check_import`` reads every row in two passes. The first needs no database: it
   turns each row's text into values (whole numbers, pence, dates, statuses) and runs
   the same rules the item dialog and the people view run (``app.catalogue.items.validate``, the
   text and contact rules of ``app.people.records``), so there is one copy of each rule. The
   second matches names to what is on record (case and spaces do not matter; an agency
   by its name or short code, a site among its agency's sites), finds tags or staff
   numbers used twice, and collects the categories, agencies and sites the file names
   that are not on record: offered for creation (``new_names``), never invented.
3. ``run_import`` checks again, inside the one write transaction, and inserts the rows
   in batches with ``INSERT … VALUES`` (not an ORM object per row), with one audit
   event for the whole import.

Statuses: Kit Share keeps kit out of service only while an unsafe defect is open on
it, so a row whose status means out of service ("Out of service" in Kit Share's own
export; "Pending", "Undeployable", "Out for Repair" in a Snipe-IT export) comes in out
of service with an open unsafe defect, "Imported as Pending from assets.csv", which an
equipment manager clears when the kit is fit for use. "Archived", "Lost", "Stolen" come
in retired; "Ready to Deploy", "Deployed", "On loan" and "Reserved" available (loans
are not part of the file). The dry run says how each status word is read.

Dates: "3/1/2023" is 3 January in the UK and 1 March in the US, so each date column's
order is decided from the whole column: a value only one order fits (25/08/2022, or
8/25/22) settles it; with none, the UK order is used and the dry run says so; the
person may choose the order (``dates``). Only a column with values that fit only one
order, values that fit only the other, and values that fit both is refused, on the rows
that could be read either way. Dates written YYYY-MM-DD, and a workbook's date cells
(read as YYYY-MM-DD by ``app.transfer.tabular``), are read as they are.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.audit.record import Actor, record_change
from app.catalogue.detail import STATUS_LABELS as ITEM_STATUS_LABELS
from app.catalogue.directory import fold
from app.catalogue.items import ItemDraft, validate
from app.core.clock import format_date, now_utc, today_uk
from app.core.errors import DomainError, NotPermitted
from app.core.permissions import Action, may, refusal, require, with_article
from app.inspections.service import SEVERITY_WORDS
from app.loans.service import STATUS_LABELS as LOAN_STATUS_LABELS
from app.people.records import PersonDraft, _contact_problems, _text_problems
from app.storage.database import Database
from app.transfer.tabular import PROGRESS_EVERY, Cancelled, Progress, RowProblem, Table, write_table
from models import (
    Agency,
    AgencyKind,
    Category,
    Condition,
    Defect,
    DefectSeverity,
    DefectSource,
    EquipmentItem,
    ItemStatus,
    Loan,
    LoanLine,
    Person,
    PersonQualification,
    Role,
    Site,
)

__all__ = [
    "IMPORTABLE",
    "Cancelled",
    "DateBasis",
    "DateOrder",
    "DateReading",
    "Field",
    "FieldMapping",
    "ImportRefused",
    "ImportReport",
    "ImportResult",
    "Kind",
    "NewName",
    "NewNameKind",
    "check_import",
    "export",
    "fields_for",
    "guess_mapping",
    "run_import",
]


class Kind(enum.Enum):
    """What a file holds."""

    ITEMS = "items"
    PEOPLE = "people"
    LOANS = "loans"  # exported only


IMPORTABLE = (Kind.ITEMS, Kind.PEOPLE)

# Rows inserted per statement: big enough that the driver's executemany does the work,
# small enough to report progress (and notice a cancel) often.
WRITE_BATCH = 2_000
# Rows read from the database at a time while exporting.
EXPORT_BATCH = 1_000
# How many rows a "rows 4, 9 and 12" list names before saying "and N more".
ROWS_SHOWN = 5

# The longest text a cell may bring into a field with no limit of its own (notes, say):
# what a spreadsheet cell holds, so that whatever comes in can be exported again.
CELL_MAX = 32_767
# What a spreadsheet shows in a cell whose formula failed: never a value to import.
SPREADSHEET_ERRORS = frozenset(
    {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
)
# An imported out-of-service item's defect: the severity that keeps it out of service.
IMPORTED_DEFECT_SEVERITY = DefectSeverity.UNSAFE
# The earliest date an import takes: an earlier one is a typing slip.
EARLIEST_YEAR = 1900

# The longest each new name may be: the columns' own limits.
CATEGORY_NAME_MAX = 120
AGENCY_NAME_MAX = 200
SITE_NAME_MAX = 200
AGENCY_CODE_MAX = 16


@dataclass(frozen=True)
class Field:
    """A field an import can fill: its key, its label in the window, whether every row
    needs it, and the header names it is guessed from (compared case- and
    punctuation-insensitively)."""

    key: str
    label: str
    required: bool
    aliases: tuple[str, ...]


FieldMapping = Mapping[str, str]
"""Field key → the file's header text for that field. JSON-friendly, for --mapping."""


# Labels are also the export's headings, so an exported file maps back by itself. The
# aliases are in order of preference: "Default Location" is a Snipe-IT asset's home and
# "Location" where it is now, so a file with both gives the home site the first.
ITEM_FIELDS = (
    Field(
        "asset_tag",
        "Asset tag",
        True,
        (
            "asset tag",
            "tag",
            "asset tag no",
            "asset tag number",
            "tag no",
            "tag number",
            "asset no",
            "asset number",
            "asset id",
            "asset",
            "barcode",
        ),
    ),
    Field("name", "Name", True, ("name", "item name", "asset name", "item", "title")),
    Field(
        "category",
        "Category",
        True,
        ("category", "category name", "asset category", "type", "asset type", "kind"),
    ),
    Field(
        "owner_agency",
        "Owner agency",
        True,
        (
            "owner agency",
            "owning agency",
            "owner",
            "agency",
            "company",
            "organisation",
            "organization",
            "service",
            "force",
            "owned by",
        ),
    ),
    Field(
        "home_site",
        "Home site",
        True,
        (
            "home site",
            "default location",
            "home location",
            "site",
            "site name",
            "station",
            "base",
            "location",
            "location name",
        ),
    ),
    Field("make", "Make", False, ("make", "manufacturer", "brand", "maker")),
    Field("model", "Model", False, ("model", "model name", "model no", "model number")),
    Field(
        "serial_number",
        "Serial number",
        False,
        ("serial number", "serial", "serial no", "serial num", "sn"),
    ),
    Field("quantity", "Quantity", False, ("quantity", "qty", "count", "units", "stock")),
    Field("pooled", "Pooled", False, ("pooled", "pooled stock", "is pooled", "pool")),
    Field("condition", "Condition", False, ("condition",)),
    Field("description", "Description", False, ("description", "details")),
    Field("accessories", "Accessories", False, ("accessories", "kit list", "includes")),
    Field("notes", "Notes", False, ("notes", "note", "comments", "comment", "remarks")),
    Field(
        "acquired_on",
        "Acquired on",
        False,
        (
            "acquired on",
            "acquired",
            "date acquired",
            "purchase date",
            "purchased",
            "purchased on",
            "date purchased",
            "acquisition date",
        ),
    ),
    Field(
        "replacement_value",
        "Replacement value (£)",
        False,
        (
            "replacement value",
            "replacement cost",
            "purchase cost",
            "purchase price",
            "cost",
            "price",
            "value",
            "current value",
        ),
    ),
    Field(
        "daily_hire_rate",
        "Daily hire rate (£)",
        False,
        ("daily hire rate", "hire rate", "daily rate", "day rate", "rate per day"),
    ),
    Field("status", "Status", False, ("status", "status label", "asset status")),
)

PEOPLE_FIELDS = (
    Field(
        "staff_number",
        "Staff number",
        True,
        (
            "staff number",
            "staff no",
            "staff id",
            "collar number",
            "collar no",
            "employee number",
            "employee no",
            "employee id",
            "payroll number",
            "service number",
            "warrant number",
            "personnel number",
            "badge number",
        ),
    ),
    Field(
        "given_name",
        "Given name",
        False,
        ("given name", "given names", "first name", "first names", "forename", "forenames"),
    ),
    Field("family_name", "Family name", False, ("family name", "surname", "last name")),
    Field(
        "full_name",
        "Full name",
        False,
        ("full name", "name", "display name", "person", "staff name", "employee name"),
    ),
    Field(
        "agency",
        "Agency",
        True,
        ("agency", "organisation", "organization", "service", "force", "company", "employer"),
    ),
    Field(
        "rank_or_role",
        "Rank or role",
        False,
        ("rank or role", "rank", "role", "job title", "position", "grade", "title"),
    ),
    Field(
        "home_site",
        "Home site",
        False,
        ("home site", "site", "station", "base", "default location", "location"),
    ),
    Field("email", "Email", False, ("email", "email address", "e mail", "mail")),
    Field(
        "phone",
        "Phone",
        False,
        ("phone", "phone number", "telephone", "telephone number", "mobile", "tel"),
    ),
    Field("active", "Active", False, ("active", "is active", "current", "current staff")),
)


def fields_for(kind: Kind, actor: Actor | None = None) -> tuple[Field, ...]:
    """The fields an import of ``kind`` can fill, in the order the window lists them.

    Given the ``actor``, an equipment manager's import does not need an owner column:
    their own agency owns what they import."""
    if kind is Kind.ITEMS:
        if actor is not None and _defaults_owner(actor):
            return tuple(
                dataclasses.replace(f, required=False) if f.key == "owner_agency" else f
                for f in ITEM_FIELDS
            )
        return ITEM_FIELDS
    if kind is Kind.PEOPLE:
        return PEOPLE_FIELDS
    raise DomainError("Kit Share exports loans but does not import them; import items or people.")


def _defaults_owner(actor: Actor) -> bool:
    return actor.role is Role.EQUIPMENT_MANAGER and actor.agency_id is not None


def header_key(header: str) -> str:
    """A header as compared: letters and digits only, case folded ("Asset tag no." →
    "assettagno")."""
    return "".join(ch for ch in header.casefold() if ch.isalnum())


def guess_mapping(headers: tuple[str, ...], kind: Kind) -> dict[str, str]:
    """The mapping guessed from the headers: "Asset Tag", "asset_tag", "tag" → asset_tag…

    Each header goes to at most one field and each field to at most one header: the
    closest matches first (a field's own label, then its aliases in order)."""
    candidates: list[tuple[int, int, int, str, str]] = []
    for order, field in enumerate(fields_for(kind)):
        ranks: dict[str, int] = {}
        for closeness, name in enumerate((field.label, field.key, *field.aliases)):
            ranks.setdefault(header_key(name), closeness)
        for position, header in enumerate(headers):
            rank = ranks.get(header_key(header))
            if rank is not None and header.strip():
                candidates.append((rank, order, position, field.key, header))
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    for _rank, _order, _position, key, header in sorted(candidates):
        if key not in chosen and header not in taken:
            chosen[key] = header
            taken.add(header)
    return {f.key: chosen[f.key] for f in fields_for(kind) if f.key in chosen}


class NewNameKind(enum.Enum):
    CATEGORY = "category"
    AGENCY = "agency"
    SITE = "site"


@dataclass(frozen=True)
class NewName:
    """A category, agency or site the file names that is not on record yet. A site
    belongs to the agency named on its rows (``agency``)."""

    kind: NewNameKind
    name: str
    agency: str | None = None
    rows: int = 0  # how many rows name it

    @property
    def key(self) -> tuple[str, str, str | None]:
        """What identifies it when approving creation (rows not counted)."""
        return (self.kind.value, self.name.casefold(), (self.agency or "").casefold() or None)


NameKey = tuple[str, str, str | None]


class DateOrder(enum.Enum):
    """How a date such as 3/1/2023 is read: 3 January (day first, the UK's order) or
    1 March (month first, the US's)."""

    DAY_FIRST = "day-first"
    MONTH_FIRST = "month-first"

    @property
    def words(self) -> str:
        return "day/month/year" if self is DateOrder.DAY_FIRST else "month/day/year"

    @property
    def other(self) -> DateOrder:
        return DateOrder.MONTH_FIRST if self is DateOrder.DAY_FIRST else DateOrder.DAY_FIRST


class DateBasis(enum.Enum):
    """What decided a column's date order."""

    FILE = "file"  # a value in the column fits only that order
    CHOSEN = "chosen"  # the person chose it
    ASSUMED = "assumed"  # nothing settles it: the UK order
    EACH = "each"  # values fit only one order, others only the other: each its own


@dataclass(frozen=True)
class DateReading:
    """How the dates of one column were read, with one of them as an example."""

    column: str  # the file's heading
    order: DateOrder | None  # None: each value in the only order it fits (EACH)
    basis: DateBasis
    example: str
    example_read: date | None
    # For EACH: the rows only day/month/year fits, those only month/day/year fits, and
    # how many both fit (refused: they could be either of two days).
    day_first_rows: tuple[int, ...] = ()
    month_first_rows: tuple[int, ...] = ()
    either: int = 0

    @property
    def sentence(self) -> str:
        """What the dry run says about the column."""
        # An example read, unless none could be (its row says why).
        eg = (
            f", e.g. {self.example} → {format_date(self.example_read)}" if self.example_read else ""
        )
        if self.basis is DateBasis.EACH:
            said = (
                f"{self.column} has dates only day/month/year fits "
                f"({_rows_text(self.day_first_rows)}) and dates only month/day/year fits "
                f"({_rows_text(self.month_first_rows)}); each is read the one way it fits"
            )
            if not self.either:
                return said + "."
            both = "1 date that fits" if self.either == 1 else f"{self.either:,} dates that fit"
            return (
                f"{said}, and the {both} both cannot be read until you choose the order the "
                "file uses."
            )
        assert self.order is not None
        said = f"{self.column} read as {self.order.words}"
        if self.basis is DateBasis.CHOSEN:
            return f"{said}, as chosen{eg}."
        if self.basis is DateBasis.FILE:
            return f"{said}{eg} ({self.example} fits no other order)."
        return (
            f"{said}{eg}: no date in the column fits only one order, so the UK order is used. "
            "If the file comes from a US system (Snipe-IT, say), read it as month/day/year "
            "instead."
        )


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


# -- values from text ----------------------------------------------------------------------


class _Unreadable(ValueError):
    """A cell that does not hold what its column should; the message says what to give."""


_YES = frozenset({"yes", "y", "true", "t", "1", "pooled", "active", "current"})
_NO = frozenset({"no", "n", "false", "f", "0", "tagged", "inactive", "former", "left"})
_WHOLE = re.compile(r"[+-]?\d+(\.0*)?")
_MONEY = re.compile(r"-?\d+(\.\d+)?")
# A date with the day and month either way round, and a year of four digits or two.
_SLASHED = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})")
_YEAR_MONTH_DAY = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})")
# A whole number as a spreadsheet counts days (1 is 01/01/1900; 2958465 is 31/12/9999).
_DAY_COUNT = re.compile(r"\d{1,7}(\.0+)?")
_SPREADSHEET_DAY_ZERO = date(1899, 12, 30)
# Words of a status, as ``header_key`` folds them, and what they import as. Out of
# service comes with an open unsafe defect (see the module's docstring).
STATUS_WORDS: dict[str, ItemStatus] = {
    **dict.fromkeys(
        (
            "available",
            "readytodeploy",
            "deployable",
            "deployed",
            "inservice",
            "onloan",
            "reserved",
            "instock",
        ),
        ItemStatus.AVAILABLE,
    ),
    **dict.fromkeys(
        (
            "retired",
            "archived",
            "loststolen",
            "lost",
            "stolen",
            "brokennotfixable",
            "disposed",
            "writtenoff",
            "scrapped",
        ),
        ItemStatus.RETIRED,
    ),
    **dict.fromkeys(
        (
            "outofservice",
            "broken",
            "outforrepair",
            "undeployable",
            "pending",
            "faulty",
            "underrepair",
            "awaitingrepair",
            "outfordiagnostics",
        ),
        ItemStatus.OUT_OF_SERVICE,
    ),
}
# Words for kit on loan or reserved here: it comes in available, its loan not in the file.
_LOAN_WORDS = frozenset({"onloan", "reserved"})
CONDITION_WORDS = {condition.value: condition for condition in Condition}


def yes_or_no(value: str, label: str) -> bool:
    word = value.strip().casefold()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise _Unreadable(f"{label} “{value}” is not yes or no; give yes or no, or leave it blank.")


def whole_number(value: str, label: str) -> int:
    """ "40", "1,000", and "3.0" as a spreadsheet may write 3."""
    cleaned = value.replace(",", "").strip()
    if not _WHOLE.fullmatch(cleaned):
        raise _Unreadable(f"{label} “{value}” is not a whole number; give one such as 1 or 40.")
    return int(cleaned.split(".")[0])


def pence(value: str, label: str) -> int:
    """Pounds as a person writes them ("1,234.50", "£1234.5", "12") in pence."""
    cleaned = value.strip().replace(",", "").replace(" ", "")
    negative = cleaned.startswith("-")
    cleaned = cleaned.lstrip("-")
    for prefix in ("£", "GBP", "gbp"):
        cleaned = cleaned.removeprefix(prefix)
    cleaned = cleaned.removesuffix("GBP").removesuffix("gbp")
    if not _MONEY.fullmatch(cleaned):
        raise _Unreadable(
            f"{label} “{value}” is not an amount in pounds; give one such as 1,234.50 or "
            "£1234.50, or leave it blank."
        )
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise _Unreadable(f"{label} “{value}” is not an amount in pounds.") from None
    if amount != amount.quantize(Decimal("0.01")):
        raise _Unreadable(
            f"{label} “{value}” has fractions of a penny; give pounds and pence, such as 1,234.50."
        )
    result = int(amount * 100)
    return -result if negative else result


def _date_text(value: str) -> str:
    """The date part of a cell: a time after it ("14/03/2024 09:30") is ignored."""
    return value.strip().replace("T", " ").split(" ")[0]


def _year(digits: str, today: date) -> int:
    """A year as written; two digits are the latest such year not after ``today``'s
    year ("22" is 2022; in 2026, "27" is 1927): dates an import reads are in the past."""
    year = int(digits)
    if len(digits) == 2:
        year += 2000 if 2000 + year <= today.year else 1900
    return year


def _either_way(head: str) -> tuple[int, int] | None:
    """The two leading numbers of a slashed date that both orders fit, as read day
    first and month first would differ; None if the value is not such a date."""
    found = _SLASHED.fullmatch(head)
    if found is None:
        return None
    first, second = int(found[1]), int(found[2])
    if 1 <= first <= 12 and 1 <= second <= 12 and first != second:
        return first, second
    return None


def _fits(head: str) -> DateOrder | None:
    """The one order a slashed date fits (25/08/2022: day first; 8/25/22: month
    first); None if it fits both, neither, or is not such a date."""
    found = _SLASHED.fullmatch(head)
    if found is None:
        return None
    first, second = int(found[1]), int(found[2])
    if first > 12 and 1 <= second <= 12:
        return DateOrder.DAY_FIRST
    if second > 12 and 1 <= first <= 12:
        return DateOrder.MONTH_FIRST
    return None


def day(
    value: str,
    label: str,
    *,
    order: DateOrder = DateOrder.DAY_FIRST,
    today: date | None = None,
) -> date:
    """A date as YYYY-MM-DD, or with day and month in ``order`` (DD/MM/YYYY, or with
    - or ., or a two-digit year); a time after it is ignored."""
    head = _date_text(value)
    if found := _YEAR_MONTH_DAY.fullmatch(head):
        year, month, day_ = int(found[1]), int(found[2]), int(found[3])
    elif found := _SLASHED.fullmatch(head):
        first, second = int(found[1]), int(found[2])
        day_, month = (first, second) if order is DateOrder.DAY_FIRST else (second, first)
        if month > 12 and day_ <= 12:
            raise _Unreadable(
                f"{label} “{value}” cannot be read as {order.words}, the order its column "
                f"is read in: there is no month {month}. Correct it, or read the column as "
                f"{order.other.words} if that is how the file writes its dates."
            )
        year = _year(found[3], today or today_uk())
    else:
        raise _Unreadable(_not_a_date(value, label))
    try:
        read = date(year, month, day_)
    except ValueError:
        raise _Unreadable(
            f"{label} “{value}” is not a real date; check the day and month "
            f"({'DD/MM/YYYY' if order is DateOrder.DAY_FIRST else 'MM/DD/YYYY'})."
        ) from None
    if read.year < EARLIEST_YEAR:
        raise _Unreadable(
            f"{label} “{value}” is before {EARLIEST_YEAR}; check the year, and give it "
            "with all four digits."
        )
    return read


def _not_a_date(value: str, label: str) -> str:
    head = _date_text(value)
    if _DAY_COUNT.fullmatch(head) and 0 < float(head) < 2_958_466:
        counted = _SPREADSHEET_DAY_ZERO + timedelta(days=int(float(head)))
        return (
            f"{label} “{value}” is a number, not a date: a spreadsheet counting days would "
            f"show it as {format_date(counted)}. Format the column as dates in your "
            "spreadsheet (or type the date as DD/MM/YYYY), save the file and import it again."
        )
    return (
        f"{label} “{value}” is not a date Kit Share understands; give it as DD/MM/YYYY "
        "(e.g. 21/11/2024) or YYYY-MM-DD, or leave it blank."
    )


def item_status(value: str) -> ItemStatus:
    """The status a file's word imports as; out of service comes with an open defect."""
    word = header_key(value)
    if not word:
        return ItemStatus.AVAILABLE
    if word not in STATUS_WORDS:
        raise _Unreadable(
            f"Status “{value}” is not one Kit Share knows. Give Available (or Ready to "
            "Deploy, Deployed) for kit in use, Out of service (or Pending, Undeployable, Out "
            "for Repair) for kit not fit for use, Retired (or Archived, Lost, Stolen) for "
            "kit gone for good, or leave it blank for available."
        )
    return STATUS_WORDS[word]


def item_condition(value: str) -> Condition:
    word = value.strip().casefold()
    if not word:
        return Condition.GOOD
    if word not in CONDITION_WORDS:
        raise _Unreadable(
            f"Condition “{value}” is not one Kit Share knows; give new, good, fair, poor or "
            "unserviceable, or leave it blank for good."
        )
    return CONDITION_WORDS[word]


def _rows_text(rows: Sequence[int]) -> str:
    """ "row 4", "rows 4 and 9", "rows 4, 9, 12, 15, 20 and 3 more"."""
    if len(rows) == 1:
        return f"row {rows[0]}"
    shown = [str(n) for n in rows[:ROWS_SHOWN]]
    if len(rows) > ROWS_SHOWN:
        return f"rows {', '.join(shown)} and {len(rows) - ROWS_SHOWN:,} more"
    return f"rows {', '.join(shown[:-1])} and {shown[-1]}"


def _too_long(what: str, value: str, limit: int) -> str:
    return f"{what} is {len(value)} characters long; shorten it to {limit} or fewer."


# -- the mapped columns ---------------------------------------------------------------------


def header_position(headers: Sequence[str], header: str) -> int | None:
    """Where ``header`` is among ``headers``: as written, else the one column that reads
    the same without case, spaces and punctuation (a mapping typed by hand); None if
    there is no such column, or more than one."""
    if header in headers:
        return headers.index(header)
    wanted = header_key(header)
    found = [i for i, h in enumerate(headers) if wanted and header_key(h) == wanted]
    return found[0] if len(found) == 1 else None


class _Columns:
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

    def row(self, number: int, cells: Sequence[str]) -> _Row:
        """Row ``number``'s mapped values, stripped, by field key, with what no field
        may hold already noted as problems."""
        row = _Row(number, {key: cells[i].strip() for key, i in self._pairs}, self)
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

    def read(self, key: str, value: str, parse: Callable[[str], Any]) -> tuple[bool, Any]:
        """``parse(value)``, remembered: (True, the value) or (False, what is wrong)."""
        known = self._read[key]
        found = known.get(value)
        if found is None:
            try:
                found = (True, parse(value))
            except _Unreadable as error:
                found = (False, str(error))
            known[value] = found
        return found

    def of(self, key: str | None) -> str | None:
        return self.header.get(key) if key is not None else None


def _mapping_problems(
    table: Table, mapping: FieldMapping, fields: Sequence[Field], kind: Kind
) -> list[RowProblem]:
    """What is wrong with the mapping itself, as problems with the header row (row 1)."""
    problems: list[RowProblem] = []
    known = {f.key: f for f in fields}
    for key, header in mapping.items():
        if key not in known:
            listed = ", ".join(known)
            problems.append(
                RowProblem(
                    1,
                    None,
                    f"Kit Share has no field “{key}” to import into; the fields are: {listed}.",
                )
            )
        elif header_position(table.headers, header) is None:
            problems.append(
                RowProblem(
                    1,
                    header,
                    f"The file has no column headed “{header}”, chosen for "
                    f"{known[key].label}. Choose one of its columns, or none.",
                )
            )
    missing = [f.label for f in fields if f.required and f.key not in mapping]
    if kind is Kind.PEOPLE and "full_name" not in mapping:
        missing += [
            known[k].label + " (or Full name)"
            for k in ("given_name", "family_name")
            if k not in mapping
        ]
    if missing:
        listed = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
        problems.append(
            RowProblem(
                1,
                None,
                f"No column is chosen for {listed}, which every row needs. Choose the "
                "column that holds it, or add one to the file.",
            )
        )
    return problems


# -- names on record and new ------------------------------------------------------------------

# A reference to a category, agency or site: its id on record, or the key of a new one.
Ref = int | NameKey


class _Found(NamedTuple):
    """What a name in the file refers to (None if nothing it may have), and why a row
    cannot have it as things stand (None if it can): a new name not approved has both."""

    ref: Ref | None
    reason: str | None


_NOTHING = _Found(None, None)


@dataclass
class _New:
    """A name not on record, as first spelt in the file, and how many rows use it."""

    kind: NewNameKind
    name: str
    agency_name: str | None
    agency: Ref | None  # a site's agency
    rows: int = 0

    def as_new_name(self) -> NewName:
        return NewName(self.kind, self.name, self.agency_name, self.rows)


class _Names:
    """The categories, agencies and sites on record, matched without case or extra
    spaces, and the new names the file brings."""

    def __init__(self, session: Session, actor: Actor, create: Collection[NameKey]) -> None:
        self.actor = actor
        self.create = set(create)
        self.categories = {
            fold(n): (i, n) for i, n in session.execute(select(Category.id, Category.name))
        }
        self.agency_names: dict[int, str] = {}
        self.agencies: dict[str, int] = {}
        for agency_id, name, code in session.execute(select(Agency.id, Agency.name, Agency.code)):
            self.agency_names[agency_id] = name
            self.agencies.setdefault(fold(code), agency_id)
            self.agencies[fold(name)] = agency_id
        self.sites: dict[tuple[int, str], int] = {}
        self.site_names: dict[int, list[str]] = defaultdict(list)
        for site_id, agency_id, name in session.execute(select(Site.id, Site.agency_id, Site.name)):
            self.sites[agency_id, fold(name)] = site_id
            self.site_names[agency_id].append(name)
        self.new: dict[NameKey, _New] = {}
        self._reasons: dict[NameKey, str | None] = {}
        # Each text looked up once: what it refers to, and the new name's key if new.
        self._answers: dict[tuple[str, str, Ref | None], tuple[_Found, NameKey | None]] = {}
        self._refusals: dict[int, str | None] = {}

    def agency_label(self, ref: Ref) -> str:
        if isinstance(ref, int):
            return self.agency_names[ref]
        return self.new[ref].name

    def refusal(self, agency_id: int) -> str | None:
        """Why ``actor`` may not import kit owned by ``agency_id``; None if they may."""
        if agency_id not in self._refusals:
            self._refusals[agency_id] = refusal(
                self.actor,
                Action.EDIT_CATALOGUE,
                agency_id=agency_id,
                agency_name=self.agency_names[agency_id],
            )
        return self._refusals[agency_id]

    # Each returns the reference, or a reason the row cannot have it, and counts the
    # rows that use each new name.

    def category(self, value: str) -> _Found:
        return self._looked_up(("category", value, None), lambda: self._category(value))

    def agency(self, value: str) -> _Found:
        return self._looked_up(("agency", value, None), lambda: self._agency(value))

    def site(self, value: str, agency: Ref) -> _Found:
        return self._looked_up(("site", value, agency), lambda: self._site(value, agency))

    def _looked_up(
        self,
        asked: tuple[str, str, Ref | None],
        look: Callable[[], tuple[_Found, NameKey | None]],
    ) -> _Found:
        found = self._answers.get(asked)
        if found is None:
            found = self._answers[asked] = look()
        answer, new = found
        if new is not None:
            self.new[new].rows += 1
        return answer

    def _category(self, value: str) -> tuple[_Found, NameKey | None]:
        folded = fold(value)
        found = self.categories.get(folded)
        if found is not None:
            return _Found(found[0], None), None
        if len(" ".join(value.split())) > CATEGORY_NAME_MAX:
            too_long = _too_long(f"The category name “{value[:40]}…”", value, CATEGORY_NAME_MAX)
            return _Found(None, too_long), None
        names = {k: v[1] for k, v in self.categories.items()}
        return self._new(
            NewName(NewNameKind.CATEGORY, " ".join(value.split())),
            None,
            unknown=lambda: (
                f"There is no category “{value}” in Kit Share" + _suggestion(folded, names)
            ),
            refused=None
            if self.actor.is_administrator
            else "only an administrator can add categories",
        )

    def _agency(self, value: str) -> tuple[_Found, NameKey | None]:
        folded = fold(value)
        found = self.agencies.get(folded)
        if found is not None:
            return _Found(found, None), None
        if len(" ".join(value.split())) > AGENCY_NAME_MAX:
            too_long = _too_long(f"The agency name “{value[:40]}…”", value, AGENCY_NAME_MAX)
            return _Found(None, too_long), None
        names = {fold(n): n for n in self.agency_names.values()}
        return self._new(
            NewName(NewNameKind.AGENCY, " ".join(value.split())),
            None,
            unknown=lambda: (
                f"No agency is called or has the short code “{value}” in Kit "
                "Share" + _suggestion(folded, names)
            ),
            refused=None
            if self.actor.is_administrator
            else "only an administrator can add agencies",
        )

    def _site(self, value: str, agency: Ref) -> tuple[_Found, NameKey | None]:
        folded = fold(value)
        if isinstance(agency, int):
            found = self.sites.get((agency, folded))
            if found is not None:
                return _Found(found, None), None
        if len(" ".join(value.split())) > SITE_NAME_MAX:
            too_long = _too_long(f"The site name “{value[:40]}…”", value, SITE_NAME_MAX)
            return _Found(None, too_long), None
        owner = self.agency_label(agency)
        names = (
            {fold(n): n for n in self.site_names.get(agency, [])} if isinstance(agency, int) else {}
        )
        own = (
            isinstance(agency, int)
            and agency == self.actor.agency_id
            and self.actor.role is Role.EQUIPMENT_MANAGER
        )
        return self._new(
            NewName(NewNameKind.SITE, " ".join(value.split()), owner),
            agency,
            unknown=lambda: (
                f"{owner} has no site “{value}” in Kit Share" + _suggestion(folded, names)
            ),
            refused=None
            if self.actor.is_administrator or own
            else f"only an administrator or one of {owner}'s equipment managers can add its sites",
        )

    def _new(
        self,
        name: NewName,
        agency: Ref | None,
        *,
        unknown: Callable[[], str],
        refused: str | None,
    ) -> tuple[_Found, NameKey | None]:
        """A name not on record: its key if it is approved for creation, else why the
        row cannot have it; and its key again if it is offered for creation.
        ``refused`` says why ``actor`` may not create it, if so."""
        key = name.key
        if key not in self._reasons:
            if refused is not None:
                self._reasons[key] = (
                    f"{unknown()}, and {refused}. Correct the name to one on record, or ask "
                    "an administrator to add it."
                )
            elif key not in self.create:
                self._reasons[key] = (
                    f"{unknown()}. Correct the name to one on record, or choose to create "
                    f"the {name.kind.value} (it is listed with the new names)."
                )
            else:
                self._reasons[key] = None
        if refused is not None:
            return _Found(None, self._reasons[key]), None
        if key not in self.new:
            self.new[key] = _New(name.kind, name.name, name.agency, agency)
        return _Found(key, self._reasons[key]), key

    def new_names(self) -> tuple[NewName, ...]:
        order = {NewNameKind.AGENCY: 0, NewNameKind.CATEGORY: 1, NewNameKind.SITE: 2}
        tallies = sorted(self.new.values(), key=lambda n: (order[n.kind], fold(n.name)))
        return tuple(n.as_new_name() for n in tallies)

    def approved(self) -> list[_New]:
        """The new names to create, agencies first (a new site may belong to one)."""
        order = {NewNameKind.AGENCY: 0, NewNameKind.CATEGORY: 1, NewNameKind.SITE: 2}
        chosen = [(key, new) for key, new in self.new.items() if self._reasons.get(key) is None]
        return [
            new
            for _key, new in sorted(chosen, key=lambda kn: (order[kn[1].kind], fold(kn[1].name)))
        ]


def _suggestion(folded: str, names: Mapping[str, str]) -> str:
    close = difflib.get_close_matches(folded, list(names), n=1, cutoff=0.8)
    return f" (did you mean “{names[close[0]]}”?)" if close else ""


# -- checking rows ----------------------------------------------------------------------------


class _ItemRow(NamedTuple):
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


# The fields of an ``_ItemRow`` written as they are, in ``_ITEM_COLUMNS``' order.
_ITEM_ROW_VALUES = slice(6, 19)


class _PersonRow(NamedTuple):
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


@dataclass
class _Plan:
    """A checked file: its report, the rows ready to write and the names to create."""

    report: ImportReport
    rows: list[tuple[Any, ...]]
    names: list[_New]
    refs: dict[str, int]  # which column of a ready row holds a reference to resolve
    # (asset tag, description) of the defect each out-of-service item comes in with.
    defects: list[tuple[str, str]] = dataclasses.field(default_factory=list)


class _Steps:
    """Progress over one or two passes of the rows; raises ``Cancelled`` when asked."""

    def __init__(self, progress: Progress | None, total: int, *, passes: int, message: str) -> None:
        self.progress = progress
        self.total = total * passes
        self.message = message
        self.offset = 0

    def __call__(self, done: int, *, force: bool = False) -> None:
        if self.progress is None or not (force or done % PROGRESS_EVERY == 0):
            return
        if not self.progress(self.offset + done, self.total):
            raise Cancelled(self.message)

    def next_pass(self, rows: int) -> None:
        self.offset += rows


class _Row:
    """One row being read: its mapped values, and the problems found in it so far."""

    __slots__ = ("columns", "number", "problems", "values")

    def __init__(self, number: int, values: dict[str, str], columns: _Columns) -> None:
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
# The fields that hold dates, by kind: their order is read from the whole column.
_DATE_FIELDS = {Kind.ITEMS: ("acquired_on",), Kind.PEOPLE: ()}
_ITEM_PARSERS: dict[str, Callable[[str], Any]] = {
    "quantity": partial(whole_number, label="The quantity"),
    "pooled": partial(yes_or_no, label="Pooled"),
    "status": item_status,
    "condition": item_condition,
    "acquired_on": partial(day, label="The date acquired"),
    "replacement_value": partial(pence, label="The replacement value"),
    "daily_hire_rate": partial(pence, label="The daily hire rate"),
}


def _item_rows(
    table: Table,
    columns: _Columns,
    today: date,
    skip: set[int],
    step: _Steps,
    *,
    parsers: Mapping[str, Callable[[str], Any]],
) -> tuple[list[_ItemRow], list[RowProblem]]:
    """Every row as values, with the problems the rows have on their own."""
    parse = {**_ITEM_PARSERS, **parsers}
    problems: list[RowProblem] = []
    rows: list[_ItemRow] = []
    for done, (number, cells) in enumerate(zip(table.row_numbers, table.rows, strict=True), 1):
        step(done)
        if number in skip:
            continue
        row = columns.row(number, cells)
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
            replacement_value_pence=row.parsed(
                "replacement_value", parse["replacement_value"], None
            ),
            daily_hire_rate_pence=row.parsed("daily_hire_rate", parse["daily_hire_rate"], None),
        )
        status = row.parsed("status", parse["status"], ItemStatus.AVAILABLE)
        for problem in validate(draft, today=today):
            row.problem(_ITEM_PROBLEM_FIELDS.get(problem.field, problem.field), problem.message)
        category, site = row.text("category"), row.text("home_site")
        if not category:
            row.problem(
                "category", "Give the item's category, such as “Drones” or “Lighting towers”."
            )
        if not site:
            row.problem(
                "home_site",
                "Give the site where the item is kept, such as “Huntingdon Fire Station”.",
            )
        # Kept with its problems: the second pass still checks its names and tag.
        problems += row.problems
        rows.append(
            _ItemRow(
                number,
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
        )
    return rows, problems


def _person_rows(
    table: Table, columns: _Columns, skip: set[int], step: _Steps
) -> tuple[list[_PersonRow], list[RowProblem]]:
    """Every row as values, with the problems the rows have on their own. With a single
    name column, the family name is its last word and the given names the rest."""
    split_names = "given_name" not in columns.index and "full_name" in columns.index
    name_keys = {"given_name": "full_name", "family_name": "full_name"} if split_names else {}
    active_parser = partial(yes_or_no, label="Active")
    problems: list[RowProblem] = []
    rows: list[_PersonRow] = []
    for done, (number, cells) in enumerate(zip(table.row_numbers, table.rows, strict=True), 1):
        step(done)
        if number in skip:
            continue
        row = columns.row(number, cells)
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
        for problem in _person_problems(draft):
            field = problem.field or ""
            row.problem(name_keys.get(field, field), problem.message)
        problems += row.problems
        rows.append(
            _PersonRow(
                number,
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


def _person_problems(draft: PersonDraft) -> list[Any]:
    """``app.people.records``'s rules for a person's own fields (not those needing the database)."""
    from app.people.records import NAME_MAX, RANK_MAX, STAFF_NUMBER_MAX

    return [
        *_text_problems(
            draft.staff_number,
            field="staff_number",
            limit=STAFF_NUMBER_MAX,
            what="The staff number",
            missing="Give the collar or staff number, e.g. 2391 or CF20417.",
        ),
        *_text_problems(
            draft.given_name,
            field="given_name",
            limit=NAME_MAX,
            what="The given name",
            missing="Give the person's given name, e.g. Rachel.",
        ),
        *_text_problems(
            draft.family_name,
            field="family_name",
            limit=NAME_MAX,
            what="The family name",
            missing="Give the person's family name, e.g. Holloway.",
        ),
        *_text_problems(
            draft.rank_or_role, field="rank_or_role", limit=RANK_MAX, what="The rank or role"
        ),
        *_contact_problems(draft),
    ]


def _resolve_items(
    session: Session,
    actor: Actor,
    rows: list[_ItemRow],
    columns: _Columns,
    names: _Names,
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
    own_agency = actor.agency_id if _defaults_owner(actor) else None
    for row in rows:
        found = _Row(row.row, {}, columns)
        tag = row.asset_tag.lower()
        if len(in_file.get(tag, ())) > 1:
            found.problem(
                "asset_tag",
                f"Asset tag {row.asset_tag} is on more than one row of the file "
                f"({_rows_text(in_file[tag])}); each item needs a tag of its own. Give each "
                "its own tag, or remove the repeated row.",
            )
        if tag in taken:
            other, name = taken[tag]
            found.problem(
                "asset_tag",
                f"Asset tag {other} is already in the catalogue, on “{name}”. Give this item "
                "another tag, or leave the row out if it is the same item.",
            )
        category = names.category(row.category) if row.category else _NOTHING
        if category.reason is not None:
            found.problem("category", category.reason)
        if row.agency:
            agency = names.agency(row.agency)
        elif own_agency is not None:
            agency = _Found(own_agency, None)
        else:
            agency = _Found(None, "Give the agency that owns the item, by its name or short code.")
        site = _owner_and_site(found, names, agency, row.site)
        if found.problems:
            problems += found.problems
            continue
        ready.append((category.ref, agency.ref, site.ref, *row[1:3], *tuple(row)[_ITEM_ROW_VALUES]))
    return ready, problems


def _owner_and_site(found: _Row, names: _Names, agency: _Found, site_name: str) -> _Found:
    """The item's home site, once its owner is known and the actor may keep its kit."""
    if agency.reason is not None:
        found.problem("owner_agency", agency.reason)
    if agency.ref is None:
        return _NOTHING
    site = names.site(site_name, agency.ref) if site_name else _NOTHING
    if site.reason is not None:
        found.problem("home_site", site.reason)
    if isinstance(agency.ref, int):
        refused = names.refusal(agency.ref)
        if refused is not None:
            found.problem("owner_agency", refused)
    return site


def _resolve_people(
    session: Session, rows: list[_PersonRow], columns: _Columns, names: _Names
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
    missing = _Found(None, "Give the agency this person works for, by its name or short code.")
    agencies = [names.agency(row.agency) if row.agency else missing for row in rows]
    in_file: dict[tuple[Ref, str], list[int]] = defaultdict(list)
    for row, agency in zip(rows, agencies, strict=True):
        if agency.ref is not None and row.staff_number:
            in_file[agency.ref, row.staff_number.lower()].append(row.row)
    ready: list[tuple[Any, ...]] = []
    for row, agency in zip(rows, agencies, strict=True):
        found = _Row(row.row, {}, columns)
        site = _NOTHING
        if agency.reason is not None:
            found.problem("agency", agency.reason)
        if agency.ref is not None:
            label = names.agency_label(agency.ref)
            number = row.staff_number.lower()
            if len(in_file.get((agency.ref, number), ())) > 1:
                found.problem(
                    "staff_number",
                    f"Staff number {row.staff_number} at {label} is on more than one row of "
                    f"the file ({_rows_text(in_file[agency.ref, number])}); each person needs "
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
            site = names.site(row.site, agency.ref) if row.site else _NOTHING
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
_ITEM_COLUMNS = (
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
_PERSON_COLUMNS = (
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


def _examine(
    session: Session,
    actor: Actor,
    *,
    table: Table,
    kind: Kind,
    mapping: FieldMapping,
    create: Collection[NameKey],
    today: date,
    step: _Steps,
    dates: DateOrder | None = None,
) -> _Plan:
    fields = fields_for(kind, actor)
    mapping_problems = _mapping_problems(table, mapping, fields, kind)
    if mapping_problems:
        return _Plan(_report(table, kind, mapping_problems, ()), [], [], {})
    if not table.rows:
        problem = RowProblem(
            1,
            None,
            "The file has column headings but no rows under them: there is nothing to "
            "import. Check that this is the right file (or sheet: Kit Share reads the first).",
        )
        return _Plan(_report(table, kind, [problem], ()), [], [], {})
    columns = _Columns(table, mapping)
    skip = {p.row for p in table.problems}
    names = _Names(session, actor, create)
    readings: list[DateReading] = []
    parsers: dict[str, Callable[[str], Any]] = {}
    for key in _DATE_FIELDS[kind]:
        reading, parsers[key] = _date_column(table, columns, key, dates, today)
        if reading is not None:
            readings.append(reading)
    notices = [reading.sentence for reading in readings]
    ready: list[tuple[Any, ...]]
    defects: list[tuple[str, str]] = []
    if kind is Kind.ITEMS:
        item_rows, problems = _item_rows(table, columns, today, skip, step, parsers=parsers)
        ready, more = _resolve_items(session, actor, item_rows, columns, names)
        refs = {"category_id": 0, "owner_agency_id": 1, "home_site_id": 2}
        notices += _status_notices(table, columns)
        defects = [
            (row.asset_tag, imported_defect(row.status_word, table.file_name))
            for row in item_rows
            if row.status is ItemStatus.OUT_OF_SERVICE
        ]
    else:
        person_rows, problems = _person_rows(table, columns, skip, step)
        ready, more = _resolve_people(session, person_rows, columns, names)
        refs = {"agency_id": 0, "home_site_id": 1}
    step(len(table.rows), force=True)
    problems += more
    report = _report(
        table, kind, problems, names.new_names(), notices=notices, dates=tuple(readings)
    )
    if not report.ok:
        return _Plan(report, [], names.approved(), refs)
    return _Plan(report, ready, names.approved(), refs, defects)


def imported_defect(status_word: str, file_name: str) -> str:
    """The description of the defect an item imported out of service comes in with."""
    where = f" from {file_name}" if file_name else ""
    return f"Imported as {' '.join(status_word.split())}{where}"


_DATE_LABELS = {"acquired_on": "The date acquired"}


@dataclass
class _DateScan:
    """What one column's slashed dates say about their order."""

    only: dict[DateOrder, list[int]]  # the rows only that order fits
    examples: dict[DateOrder, str]  # the first value only that order fits
    # The first slashed value either order fits, or else the first slashed value at all.
    candidates: list[str]
    either: int = 0  # how many values fit both orders


def _scan_dates(table: Table, index: int) -> _DateScan:
    scan = _DateScan({DateOrder.DAY_FIRST: [], DateOrder.MONTH_FIRST: []}, {}, [])
    first_either: str | None = None
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        value = cells[index].strip()
        head = _date_text(value)
        if not head or _SLASHED.fullmatch(head) is None:
            continue
        if not scan.candidates:
            scan.candidates.append(value)
        fit = _fits(head)
        if fit is not None:
            scan.only[fit].append(number)
            scan.examples.setdefault(fit, value)
        elif _either_way(head) is not None:
            scan.either += 1
            first_either = first_either or value
    if first_either is not None:
        scan.candidates.insert(0, first_either)
    return scan


def _date_column(
    table: Table, columns: _Columns, key: str, chosen: DateOrder | None, today: date
) -> tuple[DateReading | None, Callable[[str], date]]:
    """How the dates under ``key`` are read: the order from the whole column (or as
    ``chosen``), said as a ``DateReading`` (None when no date in it is slashed: ISO
    dates and a workbook's date cells need no order), and the parser that reads them."""
    label = _DATE_LABELS[key]
    index = columns.index.get(key)
    plain = partial(day, label=label, order=chosen or DateOrder.DAY_FIRST, today=today)
    scan = _scan_dates(table, index) if index is not None else None
    if scan is None or not scan.candidates:
        return None, plain
    column = columns.header[key]
    day_rows, month_rows = scan.only[DateOrder.DAY_FIRST], scan.only[DateOrder.MONTH_FIRST]
    if chosen is None and day_rows and month_rows:
        reading = DateReading(
            column,
            None,
            DateBasis.EACH,
            scan.examples[DateOrder.MONTH_FIRST],
            None,
            tuple(day_rows),
            tuple(month_rows),
            scan.either,
        )
        return reading, partial(_each_way, label=label, reading=reading, today=today)
    candidates = scan.candidates
    if chosen is not None:
        order, basis = chosen, DateBasis.CHOSEN
    elif month_rows or day_rows:
        order = DateOrder.MONTH_FIRST if month_rows else DateOrder.DAY_FIRST
        basis = DateBasis.FILE
        candidates = [scan.examples[order]]
    else:
        order, basis = DateOrder.DAY_FIRST, DateBasis.ASSUMED
    parse = partial(day, label=label, order=order, today=today)
    example, example_read = candidates[0], None
    for candidate in candidates:
        try:
            example, example_read = candidate, parse(candidate)
            break
        except _Unreadable:
            continue
    return DateReading(column, order, basis, example, example_read), parse


def _each_way(value: str, *, label: str, reading: DateReading, today: date) -> date:
    """A date of a column written both ways: in the one order it fits, or refused if it
    fits both (it could be either of two days)."""
    head = _date_text(value)
    if _either_way(head) is not None:
        one = day(value, label, order=DateOrder.DAY_FIRST, today=today)
        other = day(value, label, order=DateOrder.MONTH_FIRST, today=today)
        raise _Unreadable(
            f"{reading.column} has dates only day/month/year fits "
            f"({_rows_text(reading.day_first_rows)}) and dates only month/day/year fits "
            f"({_rows_text(reading.month_first_rows)}), so “{value}” could be "
            f"{format_date(one)} or {format_date(other)}. Write it as YYYY-MM-DD, or choose "
            "the order the file uses, and import the file again."
        )
    return day(value, label, order=_fits(head) or DateOrder.DAY_FIRST, today=today)


def _status_notices(table: Table, columns: _Columns) -> list[str]:
    """How each status word in the file is read, but for Kit Share's own "Available"
    and "Retired", which need no saying."""
    index = columns.index.get("status")
    if index is None:
        return []
    words: dict[str, list[Any]] = {}
    for cells in table.rows:
        value = " ".join(cells[index].split())
        key = header_key(value)
        if key in STATUS_WORDS:
            found = words.setdefault(key, [value, 0])
            found[1] += 1
    notices = []
    for key, (word, count) in words.items():
        status = STATUS_WORDS[key]
        rows = "1 row" if count == 1 else f"{count:,} rows"
        if word == ITEM_STATUS_LABELS[status] and status is not ItemStatus.OUT_OF_SERVICE:
            continue
        if status is ItemStatus.OUT_OF_SERVICE:
            severity = SEVERITY_WORDS[IMPORTED_DEFECT_SEVERITY].lower()
            notices.append(
                f"Status “{word}” ({rows}): imported out of service, with an open {severity} "
                f"defect “{imported_defect(word, table.file_name)}” for an equipment manager "
                "to clear when the kit is fit for use."
            )
        elif status is ItemStatus.RETIRED:
            notices.append(f"Status “{word}” ({rows}): imported as retired.")
        elif key in _LOAN_WORDS:
            notices.append(
                f"Status “{word}” ({rows}): imported as available; the file does not hold "
                "its loan or reservation."
            )
        else:
            notices.append(f"Status “{word}” ({rows}): imported as available.")
    return notices


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
    raise DomainError("Kit Share exports loans but does not import them; import items or people.")


def importable_kinds(actor: Actor) -> list[Kind]:
    """What ``actor`` may import: items for those who keep the catalogue, people only for
    an administrator."""
    return [kind for kind in IMPORTABLE if may(actor, _permission(kind))]


def exportable_kinds(actor: Actor) -> list[Kind]:
    """What ``actor`` may export: the catalogue and loans are for anyone to read, as in
    the window; people (names, numbers, contact details, qualifications) only for those
    who keep them, an administrator: a whole list of personal data is theirs to hand out."""
    kinds = [Kind.ITEMS, Kind.LOANS]
    if may(actor, Action.MANAGE_PEOPLE):
        kinds.append(Kind.PEOPLE)
    return kinds


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
    step = _Steps(progress, len(table.rows), passes=1, message="Cancelled; nothing was imported.")
    with db.read() as session:
        plan = _examine(
            session,
            actor,
            table=table,
            kind=kind,
            mapping=mapping,
            create=create,
            today=today or today_uk(),
            step=step,
            dates=dates,
        )
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
    step = _Steps(progress, len(table.rows), passes=2, message="Cancelled; nothing was imported.")
    with db.write() as session:
        plan = _examine(
            session,
            actor,
            table=table,
            kind=kind,
            mapping=mapping,
            create=create,
            today=today or today_uk(),
            step=step,
            dates=dates,
        )
        if not plan.report.ok:
            raise ImportRefused(plan.report)
        step.next_pass(len(table.rows))
        model = EquipmentItem if kind is Kind.ITEMS else Person
        columns = _ITEM_COLUMNS if kind is Kind.ITEMS else _PERSON_COLUMNS
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


def _create_names(session: Session, approved: list[_New]) -> dict[NameKey, int]:
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
        label = f"{name.name} ({name.agency})" if name.kind is NewNameKind.SITE else name.name
        after.setdefault(_CREATED_KEYS[name.kind], []).append(label)
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
            f"; {count:,} {'item' if count == 1 else 'items'} out of service, each with an "
            f"open {SEVERITY_WORDS[IMPORTED_DEFECT_SEVERITY].lower()} defect"
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


# -- export ----------------------------------------------------------------------------------

ITEM_HEADERS = tuple(f.label for f in ITEM_FIELDS)
PEOPLE_HEADERS = (*(f.label for f in PEOPLE_FIELDS if f.key != "full_name"), "Qualifications")
LOAN_HEADERS = (
    "Loan",
    "Status",
    "Borrower agency",
    "Lending agency",
    "Items",
    "Purpose",
    "Incident reference",
    "Emergency",
    "Starts",
    "Due",
    "Issued",
    "Returned",
    "Requested by",
    "Operator",
    "Decided by",
    "Decision reason",
    "Recalled",
    "Recall reason",
    "MoU",
    "Sharing protocol",
    "Notes",
)


def export(
    db: Database,
    actor: Actor,
    kind: Kind,
    path: Path,
    *,
    progress: Progress | None = None,
) -> int:
    """Write ``kind`` to ``path`` (.csv or .xlsx) with headers an import maps back
    exactly; returns the number of rows. Who may export what: ``exportable_kinds``."""
    if kind not in exportable_kinds(actor):
        who = (
            f"{actor.name} is signed in as {with_article(actor.role)}, and only"
            if actor.role is not None
            else "No one is signed in, and only"
        )
        raise NotPermitted(
            f"{who} an administrator can export the people list, with its staff numbers "
            "and contact details. Ask one to export it, or sign in as one."
        )
    with db.read() as session:
        if kind is Kind.ITEMS:
            total = session.scalar(select(func.count()).select_from(EquipmentItem)) or 0
            rows: Iterable[Sequence[object]] = _item_lines(session)
            headers: Sequence[str] = ITEM_HEADERS
        elif kind is Kind.PEOPLE:
            total = session.scalar(select(func.count()).select_from(Person)) or 0
            rows, headers = _person_lines(session), PEOPLE_HEADERS
        else:
            total = session.scalar(select(func.count()).select_from(Loan)) or 0
            rows, headers = _loan_lines(session), LOAN_HEADERS
        return write_table(path, headers, rows, total=total, progress=progress)


def _money(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value).scaleb(-2)


def _item_lines(session: Session) -> Iterator[Sequence[object]]:
    item = EquipmentItem
    statement = (
        select(
            item.asset_tag,
            item.name,
            Category.name,
            Agency.name,
            Site.name,
            item.make,
            item.model,
            item.serial_number,
            item.quantity,
            item.is_pooled,
            item.condition,
            item.description,
            item.accessories,
            item.notes,
            item.acquired_on,
            item.replacement_value_pence,
            item.daily_hire_rate_pence,
            item.status,
        )
        .join(Category, Category.id == item.category_id)
        .join(Agency, Agency.id == item.owner_agency_id)
        .join(Site, Site.id == item.home_site_id)
        .order_by(item.asset_tag)
        .execution_options(yield_per=EXPORT_BATCH)
    )
    for row in session.execute(statement):
        yield (
            *row[:9],
            row.is_pooled,
            row.condition.value.capitalize(),
            *row[11:15],
            _money(row.replacement_value_pence),
            _money(row.daily_hire_rate_pence),
            ITEM_STATUS_LABELS[row.status],
        )


def _person_lines(session: Session) -> Iterator[Sequence[object]]:
    held: dict[int, list[str]] = defaultdict(list)
    for qualification in session.scalars(
        select(PersonQualification)
        .options(selectinload(PersonQualification.qualification_type))
        .order_by(PersonQualification.expires_on)
    ):
        until = (
            f" until {format_date(qualification.expires_on)}" if qualification.expires_on else ""
        )
        held[qualification.person_id].append(f"{qualification.qualification_type.name}{until}")
    statement = (
        select(
            Person.id,
            Person.staff_number,
            Person.given_name,
            Person.family_name,
            Agency.name,
            Person.rank_or_role,
            Site.name,
            Person.email,
            Person.phone,
            Person.is_active,
        )
        .join(Agency, Agency.id == Person.agency_id)
        .outerjoin(Site, Site.id == Person.home_site_id)
        .order_by(Agency.name, Person.family_name, Person.given_name, Person.staff_number)
        .execution_options(yield_per=EXPORT_BATCH)
    )
    for row in session.execute(statement):
        yield (*row[1:], "; ".join(held.get(row.id, [])))


def _loan_lines(session: Session) -> Iterator[Sequence[object]]:
    statement = (
        select(Loan)
        .options(
            selectinload(Loan.lines)
            .selectinload(LoanLine.item)
            .selectinload(EquipmentItem.owner_agency),
            selectinload(Loan.borrower_agency),
            selectinload(Loan.requested_by),
            selectinload(Loan.operator),
            selectinload(Loan.approver),
            selectinload(Loan.mou),
            selectinload(Loan.protocol),
        )
        .order_by(Loan.id)
        .execution_options(yield_per=EXPORT_BATCH)
    )
    for loan in session.scalars(statement):
        lenders = dict.fromkeys(line.item.owner_agency.name for line in loan.lines)
        yield (
            loan.id,
            LOAN_STATUS_LABELS[loan.status],
            loan.borrower_agency.name,
            "; ".join(lenders),
            "; ".join(_line_text(line) for line in loan.lines),
            loan.purpose,
            loan.incident_ref,
            loan.is_emergency,
            loan.starts_at,
            loan.recall_due_at or loan.due_at,
            loan.issued_at,
            loan.returned_at,
            loan.requested_by.full_name if loan.requested_by else None,
            loan.operator.full_name if loan.operator else None,
            loan.approver.full_name if loan.approver else None,
            loan.decision_reason,
            loan.recalled_at,
            loan.recall_reason,
            f"{loan.mou.reference} v{loan.mou.version}" if loan.mou else None,
            loan.protocol.name if loan.protocol else None,
            loan.notes,
        )


def _line_text(line: LoanLine) -> str:
    """ "CFR-000201", or "CAM-000101 × 5 (3 returned)" for part of a pool."""
    text_ = line.item.asset_tag
    if line.item.is_pooled:
        text_ += f" × {line.quantity}"
        if 0 < line.quantity_returned < line.quantity:
            text_ += f" ({line.quantity_returned} returned)"
    return text_
