"""The categories, agencies and sites a file names, matched to those on record.

Case and spaces do not matter; an agency is found by its name or short code, a site
among its agency's sites. A name not on record is offered for creation (``NewName``),
never invented: a row using it is refused until the person approves creating it, and
only someone who may create it is offered it.
"""

from __future__ import annotations

import difflib
import enum
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalogue.directory import fold
from app.core.actor import Actor
from app.core.checks import too_long
from app.core.permissions import Action, refusal
from models import Agency, Category, Role, Site

# The longest each new name may be: the columns' own limits.
CATEGORY_NAME_MAX = 120
AGENCY_NAME_MAX = 200
SITE_NAME_MAX = 200


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


# A reference to a category, agency or site: its id on record, or the key of a new one.
Ref = int | NameKey


class Found(NamedTuple):
    """What a name in the file refers to (None if nothing it may have), and why a row
    cannot have it as things stand (None if it can): a new name not approved has both."""

    ref: Ref | None
    reason: str | None


NOTHING_FOUND = Found(None, None)


@dataclass
class NameToCreate:
    """A name not on record, as first spelt in the file, and how many rows use it."""

    kind: NewNameKind
    name: str
    agency_name: str | None
    agency: Ref | None  # a site's agency
    rows: int = 0

    def as_new_name(self) -> NewName:
        return NewName(self.kind, self.name, self.agency_name, self.rows)


class NamesOnRecord:
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
        self.new: dict[NameKey, NameToCreate] = {}
        self._reasons: dict[NameKey, str | None] = {}
        # Each text looked up once: what it refers to, and the new name's key if new.
        self._answers: dict[tuple[str, str, Ref | None], tuple[Found, NameKey | None]] = {}
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

    def category(self, value: str) -> Found:
        return self._looked_up(("category", value, None), lambda: self._category(value))

    def agency(self, value: str) -> Found:
        return self._looked_up(("agency", value, None), lambda: self._agency(value))

    def site(self, value: str, agency: Ref) -> Found:
        return self._looked_up(("site", value, agency), lambda: self._site(value, agency))

    def _looked_up(
        self,
        asked: tuple[str, str, Ref | None],
        look: Callable[[], tuple[Found, NameKey | None]],
    ) -> Found:
        found = self._answers.get(asked)
        if found is None:
            found = self._answers[asked] = look()
        answer, new = found
        if new is not None:
            self.new[new].rows += 1
        return answer

    def _category(self, value: str) -> tuple[Found, NameKey | None]:
        folded = fold(value)
        found = self.categories.get(folded)
        if found is not None:
            return Found(found[0], None), None
        if refused := _name_too_long("category", value, CATEGORY_NAME_MAX):
            return Found(None, refused), None
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

    def _agency(self, value: str) -> tuple[Found, NameKey | None]:
        folded = fold(value)
        found = self.agencies.get(folded)
        if found is not None:
            return Found(found, None), None
        if refused := _name_too_long("agency", value, AGENCY_NAME_MAX):
            return Found(None, refused), None
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

    def _site(self, value: str, agency: Ref) -> tuple[Found, NameKey | None]:
        folded = fold(value)
        if isinstance(agency, int):
            found = self.sites.get((agency, folded))
            if found is not None:
                return Found(found, None), None
        if refused := _name_too_long("site", value, SITE_NAME_MAX):
            return Found(None, refused), None
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
    ) -> tuple[Found, NameKey | None]:
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
            return Found(None, self._reasons[key]), None
        if key not in self.new:
            self.new[key] = NameToCreate(name.kind, name.name, name.agency, agency)
        return Found(key, self._reasons[key]), key

    def new_names(self) -> tuple[NewName, ...]:
        order = {NewNameKind.AGENCY: 0, NewNameKind.CATEGORY: 1, NewNameKind.SITE: 2}
        tallies = sorted(self.new.values(), key=lambda n: (order[n.kind], fold(n.name)))
        return tuple(n.as_new_name() for n in tallies)

    def approved(self) -> list[NameToCreate]:
        """The new names to create, agencies first (a new site may belong to one)."""
        order = {NewNameKind.AGENCY: 0, NewNameKind.CATEGORY: 1, NewNameKind.SITE: 2}
        chosen = [(key, new) for key, new in self.new.items() if self._reasons.get(key) is None]
        return [
            new
            for _key, new in sorted(chosen, key=lambda kn: (order[kn[1].kind], fold(kn[1].name)))
        ]


def _name_too_long(kind: str, value: str, limit: int) -> str | None:
    """Why a new ``kind`` name ``value`` cannot be created (too long for its column), if so;
    it is kept with its spaces run together, as it would be stored."""
    if len(" ".join(value.split())) <= limit:
        return None
    return too_long(f"The {kind} name “{value[:40]}…”", len(value), limit)


def _suggestion(folded: str, names: Mapping[str, str]) -> str:
    close = difflib.get_close_matches(folded, list(names), n=1, cutoff=0.8)
    return f" (did you mean “{names[close[0]]}”?)" if close else ""
