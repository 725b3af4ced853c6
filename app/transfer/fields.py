"""What an import can fill, and how a file's columns map to it.

``fields_for(kind)`` lists the fields of a kind of file; ``guess_mapping`` matches a
file's headings to them (the person may correct it), ``header_position`` finds a mapped
heading among the file's, and ``mapping_problems`` says what is wrong with a mapping.
The fields' labels are also the export's headings, so an exported file maps back by
itself.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.core.actor import Actor
from app.core.errors import DomainError
from app.transfer.tabular import RowProblem, Table
from models import Role


class Kind(enum.Enum):
    """What a file holds."""

    ITEMS = "items"
    PEOPLE = "people"
    LOANS = "loans"  # exported only
    KITS = "kits"  # made of items already in the catalogue


# In the order the window offers them: kits come after the items they are made of.
IMPORTABLE = (Kind.ITEMS, Kind.KITS, Kind.PEOPLE)


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


# A kit's members are items already in the catalogue, named by their tags: a row of
# the kits sheet says "CFR-000221; CFR-000223:4" and notes "CFR-000221=Check bung".
KIT_FIELDS = (
    Field("name", "Name", True, ("name", "kit name", "kit", "bundle", "bundle name", "title")),
    Field(
        "owner_agency",
        "Owner agency",
        True,
        ("owner agency", "owning agency", "owner", "agency", "agency code", "organisation"),
    ),
    Field(
        "home_site",
        "Home site",
        True,
        ("home site", "site", "station", "base", "default location", "location"),
    ),
    Field("description", "Description", False, ("description", "details", "purpose")),
    Field(
        "members",
        "Members",
        True,
        ("members", "items", "asset tags", "tags", "contents", "kit list"),
    ),
    Field(
        "member_notes",
        "Member notes",
        False,
        ("member notes", "notes", "checks", "checklist", "packing notes"),
    ),
)


def fields_for(kind: Kind, actor: Actor | None = None) -> tuple[Field, ...]:
    """The fields an import of ``kind`` can fill, in the order the window lists them.

    Given the ``actor``, an equipment manager's import of items or kits does not need an
    owner column: their own agency owns what they import."""
    if kind in (Kind.ITEMS, Kind.KITS):
        fields = ITEM_FIELDS if kind is Kind.ITEMS else KIT_FIELDS
        if actor is not None and defaults_owner(actor):
            return tuple(
                dataclasses.replace(f, required=False) if f.key == "owner_agency" else f
                for f in fields
            )
        return fields
    if kind is Kind.PEOPLE:
        return PEOPLE_FIELDS
    raise DomainError(
        "Kit Share exports loans but does not import them; import items, people or kits."
    )


def defaults_owner(actor: Actor) -> bool:
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


def header_position(headers: Sequence[str], header: str) -> int | None:
    """Where ``header`` is among ``headers``: as written, else the one column that reads
    the same without case, spaces and punctuation (a mapping typed by hand); None if
    there is no such column, or more than one."""
    if header in headers:
        return headers.index(header)
    wanted = header_key(header)
    found = [i for i, h in enumerate(headers) if wanted and header_key(h) == wanted]
    return found[0] if len(found) == 1 else None


def mapping_problems(
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
