"""Finding agencies, people, sites and items from what a person types.

A duty officer writes "Cambridgeshire Constabulary" or "cambs-pol", "Daniel Okafor" or
"2391", "cfr-000201"; these functions turn that into ids, or say plainly why they cannot:
nothing matches (``NotFound``, with where to look the names up) or several do
(``DomainError``, listing them).

Matching is the same everywhere: case and extra spaces do not matter; an exact match
wins; otherwise a single name or code that starts with the text, otherwise a single one
that contains it. Names are compared in Python rather than with SQL ``lower()``, because
SQLite folds only ASCII letters: "Ó Súilleabháin" must match on both databases alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import func, select

from app.core.errors import DomainError, NotFound
from app.core.text import clean_text
from app.storage.database import Database
from models import Agency, EquipmentItem, Person, Site

# How many candidates an "ambiguous" message names before saying "and N more".
SHOWN_CANDIDATES = 8

T = TypeVar("T")


@dataclass(frozen=True)
class AgencyRef:
    id: int
    code: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})"


@dataclass(frozen=True)
class PersonRef:
    id: int
    name: str
    staff_number: str
    agency_id: int
    agency_code: str
    agency: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.staff_number}, {self.agency_code})"


@dataclass(frozen=True)
class SiteRef:
    id: int
    name: str
    agency_id: int
    agency_code: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.agency_code})"


@dataclass(frozen=True)
class ItemRef:
    id: int
    asset_tag: str
    name: str
    is_pooled: bool
    quantity: int
    owner_agency_id: int


def fold(text: str) -> str:
    """``text`` as compared: spaces collapsed, case folded."""
    return " ".join(text.split()).casefold()


def best_matches(wanted: str, candidates: Sequence[tuple[T, Sequence[str]]]) -> list[T]:
    """The candidates one of whose keys equals ``wanted``; else start with it; else contain it.

    ``wanted`` and the keys are folded already. An empty list means nothing matched.
    """
    for matches in (
        lambda key: key == wanted,
        lambda key: key.startswith(wanted),
        lambda key: wanted in key,
    ):
        found = [thing for thing, keys in candidates if any(matches(k) for k in keys)]
        if found:
            return found
    return []


def _one(
    text: str,
    found: list[T],
    *,
    what: str,
    label: Callable[[T], str],
    advice: str,
) -> T:
    if len(found) == 1:
        return found[0]
    shown = sorted(label(thing) for thing in found)
    listed = "; ".join(shown[:SHOWN_CANDIDATES])
    if len(shown) > SHOWN_CANDIDATES:
        listed += f"; and {len(shown) - SHOWN_CANDIDATES} more"
    raise DomainError(f"“{text.strip()}” could be any of {len(found)} {what}: {listed}. {advice}")


def _blank(text: str, message: str) -> None:
    if not text.strip():
        raise DomainError(message)


def _find(
    text: str,
    candidates: Callable[[], Sequence[tuple[T, Sequence[str]]]],
    *,
    what: str,
    label: Callable[[T], str],
    blank: str,
    not_found: str,
    advice: str,
    narrow: Callable[[list[T]], list[T]] | None = None,
) -> T:
    """The one candidate ``text`` names by one of its keys, or why there is not one.

    ``candidates`` are read only once the text is known not to be blank. ``not_found`` may
    name the text as ``{text}``; ``narrow`` may thin out several matches.
    """
    text = clean_text(text)
    _blank(text, blank)
    wanted = fold(text)
    found = best_matches(wanted, [(thing, [fold(k) for k in keys]) for thing, keys in candidates()])
    if not found:
        raise NotFound(not_found.format(text=text.strip()))
    if len(found) > 1 and narrow is not None:
        found = narrow(found)
    return _one(text, found, what=what, label=label, advice=advice)


# -- agencies --------------------------------------------------------------------------


def list_agencies(db: Database) -> list[AgencyRef]:
    """Every agency, in name order."""
    with db.read() as session:
        rows = session.execute(select(Agency.id, Agency.code, Agency.name).order_by(Agency.name))
        return [AgencyRef(id=row[0], code=row[1], name=row[2]) for row in rows]


def find_agency(db: Database, text: str) -> AgencyRef:
    """The agency ``text`` names, by its name or short code (e.g. "CAMBS-POL")."""
    return _find(
        text,
        lambda: [(a, (a.name, a.code)) for a in list_agencies(db)],
        what="agencies",
        label=lambda a: a.label,
        blank="Give the agency's name or short code, e.g. “Cambridgeshire Constabulary”.",
        not_found="No agency is called or has the short code “{text}”. "
        "`kitshare-admin agencies` lists every agency with its short code.",
        advice="Give more of the name, or the short code.",
    )


# -- people ----------------------------------------------------------------------------


def list_people(db: Database, *, agency_id: int | None = None) -> list[PersonRef]:
    """The people listed (active), by agency then family name."""
    statement = (
        select(
            Person.id,
            Person.given_name,
            Person.family_name,
            Person.staff_number,
            Person.agency_id,
            Agency.code,
            Agency.name,
        )
        .join(Agency, Agency.id == Person.agency_id)
        .where(Person.is_active.is_(True))
        .order_by(Agency.name, Person.family_name, Person.given_name, Person.id)
    )
    if agency_id is not None:
        statement = statement.where(Person.agency_id == agency_id)
    with db.read() as session:
        return [
            PersonRef(
                id=row[0],
                name=f"{row[1]} {row[2]}",
                staff_number=row[3],
                agency_id=row[4],
                agency_code=row[5],
                agency=row[6],
            )
            for row in session.execute(statement)
        ]


def find_person(db: Database, text: str, *, prefer_agency_id: int | None = None) -> PersonRef:
    """The person ``text`` names, by full name ("Daniel Okafor") or staff number.

    Staff numbers are unique only within an agency: when several people match and some
    work for ``prefer_agency_id`` (the borrower, for a requester or an operator, who must
    be the borrower's), only those are considered.
    """

    def preferred(found: list[PersonRef]) -> list[PersonRef]:
        if prefer_agency_id is None:
            return found
        return [p for p in found if p.agency_id == prefer_agency_id] or found

    return _find(
        text,
        lambda: [(p, (p.name, p.staff_number)) for p in list_people(db)],
        what="people",
        label=lambda p: p.label,
        blank="Give the person's full name or staff number, e.g. “Daniel Okafor”.",
        not_found="No one listed has the name or staff number “{text}”. "
        "`kitshare-admin people --agency AGENCY` lists the people of an agency.",
        advice="Give the full name or the staff number.",
        narrow=preferred,
    )


# -- sites -----------------------------------------------------------------------------


def list_sites(db: Database, *, agency_id: int | None = None) -> list[SiteRef]:
    """Stations and stores, by agency then name."""
    statement = (
        select(Site.id, Site.name, Site.agency_id, Agency.code)
        .join(Agency, Agency.id == Site.agency_id)
        .order_by(Agency.name, Site.name)
    )
    if agency_id is not None:
        statement = statement.where(Site.agency_id == agency_id)
    with db.read() as session:
        return [
            SiteRef(id=row[0], name=row[1], agency_id=row[2], agency_code=row[3])
            for row in session.execute(statement)
        ]


def find_site(db: Database, text: str) -> SiteRef:
    """The station or store ``text`` names (e.g. "Dogsthorpe Fire Station", or "dogsthorpe")."""
    return _find(
        text,
        lambda: [(s, (s.name,)) for s in list_sites(db)],
        what="sites",
        label=lambda s: s.label,
        blank="Give the site's name, e.g. “Huntingdon Fire Station”.",
        not_found="No site is called “{text}”. `kitshare-admin sites` lists every site.",
        advice="Give more of the name.",
    )


# -- items -----------------------------------------------------------------------------


def find_item(db: Database, tag: str) -> ItemRef:
    """The catalogue item whose asset tag is ``tag``, in any case (no partial tags)."""
    tag = clean_text(tag)
    _blank(tag, "Give the item's asset tag, as printed on its label, e.g. CFR-000201.")
    cleaned = tag.strip()
    columns = (
        EquipmentItem.id,
        EquipmentItem.asset_tag,
        EquipmentItem.name,
        EquipmentItem.is_pooled,
        EquipmentItem.quantity,
        EquipmentItem.owner_agency_id,
    )
    with db.read() as session:
        # Tags are stored as printed (upper case): the first query uses the unique index.
        row = session.execute(
            select(*columns).where(EquipmentItem.asset_tag.in_({cleaned, cleaned.upper()}))
        ).first()
        if row is None:
            row = session.execute(
                select(*columns).where(func.lower(EquipmentItem.asset_tag) == cleaned.lower())
            ).first()
    if row is None:
        raise NotFound(
            f"No catalogue item has the asset tag “{cleaned}”. Check the label, or find the "
            "item with `kitshare-admin search`."
        )
    return ItemRef(
        id=row[0],
        asset_tag=row[1],
        name=row[2],
        is_pooled=row[3],
        quantity=row[4],
        owner_agency_id=row[5],
    )
