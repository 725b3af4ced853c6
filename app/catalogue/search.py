"""Catalogue search: any text, any filters, a page of rows plus the total, on both databases.

Whatever is typed or scanned is reduced to plain words before it reaches the database,
so no input can be read as query syntax: FTS5's AND/OR/NEAR/*/^/: and tsquery's &|!
never see the person's text, only quoted runs of letters and digits.

How a search runs, and why it stays fast with a million items:

* Filters by name ("Drones", "CAMBS-FRS") are first turned into ids from the small
  tables, and the availability period into the few items its bookings leave short.
* On SQLite, the words and the filters become one FTS5 expression (filters as marker
  words in the index's ``facets`` column, see migration 0003), so the total is counted
  and the page found inside the full-text index, without reading the items.
* Best matches first means: the exact asset tag, then items whose name has a word
  starting with the first word typed, then the rest; within each, oldest entry first.
  On SQLite each of these is an FTS5 lookup that yields rows in id order, merged
  without sorting, so a page costs the same whether 50 or 500,000 items match.
* Anything else (a sort by column, a search by tag or serial fragment only, and
  PostgreSQL) joins the matching ids to the items and filters and sorts in SQL.
* Only the page's own rows are then read in full, with how many are free.
"""

from __future__ import annotations

import enum
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.selectable import CompoundSelect, TextualSelect

from app.catalogue.availability import (
    UNAVAILABLE_STATUSES,
    Period,
    available_quantity,
    short_of_stock,
)
from app.catalogue.items import QUANTITY_MAX
from app.catalogue.query_words import read_query
from app.core.clock import check_day, check_moment, now_utc, today_uk, uk_wall_time
from app.core.errors import BadDate, DomainError
from app.core.text import clean_fields, clean_text
from app.core.vocabulary import label
from app.inspections.service import items_due_before
from app.storage.database import Database
from models import Agency, Category, EquipmentItem, ItemStatus, Site

# Runs of letters and digits: how both databases split text into words.
WORD = re.compile(r"[^\W_]+")
# What may stand in a tag or serial fragment ("CAM-0042", "20.04", "SN/7731").
CODE = re.compile(r"[\w\-./]+")
# A piece is looked up as a fragment of a tag or serial only if it has one of these:
# tags and serials carry digits or separators, ordinary words do not.
CODE_MARK = re.compile(r"[\d\-./]")
MAX_CHUNKS = 12
MAX_TOKEN_LENGTH = 64
MIN_FRAGMENT = 3  # trigrams need three characters
MAX_PAGE = 500
MAX_OFFSET = 2_147_483_647

# A query giving a column ``id`` of item ids.
IdSet = Select[Any] | CompoundSelect[Any] | TextualSelect

# The FTS5 columns typed words are matched in (never ``facets``, the filter markers).
TEXT_COLUMNS = "{tag name make_model category site agency description}"


class SortKey(enum.Enum):
    RELEVANCE = "relevance"
    TAG = "tag"
    NAME = "name"
    CATEGORY = "category"
    OWNER = "owner"
    SITE = "site"
    STATUS = "status"
    QUANTITY = "quantity"


@dataclass(frozen=True)
class Chunk:
    """One space-separated piece of the query: its words, and itself as a code fragment."""

    words: tuple[str, ...]
    code: str | None


@dataclass(frozen=True)
class SearchFilters:
    category: str | None = None
    agency: str | None = None
    site: str | None = None
    status: ItemStatus | None = None
    # Aware moments, or naive UK wall-clock times (as the window's date edits show them).
    available_from: datetime | None = None
    available_to: datetime | None = None
    quantity: int = 1
    # Kit with an inspection due before this day (or lapsed, failed or never done).
    inspection_due_before: date | None = None


@dataclass(frozen=True, slots=True)
class SearchRow:
    id: int
    asset_tag: str
    name: str
    category: str
    owner: str
    owner_code: str
    home_site: str
    status: str  # in words; decide on ``status_value``
    status_value: ItemStatus
    quantity: int
    available_quantity: int
    is_pooled: bool


@dataclass(frozen=True)
class SearchPage:
    total: int
    offset: int
    rows: list[SearchRow] = field(default_factory=list)


def parse_query(query: str) -> list[Chunk] | None:
    """The searchable pieces of ``query``; None when it is blank (browse everything)."""
    if not query.strip():
        return None
    chunks: list[Chunk] = []
    for raw in query.lower().split()[:MAX_CHUNKS]:
        words = tuple(w[:MAX_TOKEN_LENGTH] for w in WORD.findall(raw))
        fragments = CODE.findall(raw)
        code = max(fragments, key=len)[:MAX_TOKEN_LENGTH].strip("-./") if fragments else ""
        if len(code) < MIN_FRAGMENT or not CODE_MARK.search(code):
            code = ""
        if not words and not code:
            continue
        chunks.append(Chunk(words=words, code=code or None))
    return chunks


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fragment_phrases(chunk: Chunk) -> list[tuple[str, ...]]:
    """Ways the chunk can match inside a tag or serial, each a set of substrings.

    "0042" and "20.04" match as written; "CAM-0042" also matches CAM-000042 because
    both "cam" and "0042" occur in it. Pieces under three characters cannot be
    looked up by trigram and are left out.
    """
    groups: list[tuple[str, ...]] = []
    if chunk.code:
        groups.append((chunk.code,))
    if len(chunk.words) > 1 and all(len(w) >= MIN_FRAGMENT for w in chunk.words):
        groups.append(chunk.words)
    return groups


def _fts_words(words: Sequence[str]) -> str:
    """An FTS5 expression: every word as a prefix, in the text columns."""
    return TEXT_COLUMNS + ": (" + " ".join(f'"{w}"*' for w in words) + ")"


# --------------------------------------------------------------------------------------
# Filters, resolved to ids
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    """The filters as ids and sets; ``nothing`` when a filter names nothing that exists."""

    category_ids: tuple[int, ...] | None = None
    agency_ids: tuple[int, ...] | None = None
    site_ids: tuple[int, ...] | None = None
    status: ItemStatus | None = None
    window: tuple[datetime, datetime] | None = None
    quantity: int = 1
    # Items whose bookings leave too few free in the window (few: one period's bookings).
    short_ids: tuple[int, ...] = ()
    # Items with an inspection due before the day asked about (None: not asked).
    due_ids: tuple[int, ...] | None = None

    @property
    def nothing(self) -> bool:
        return any(
            ids == () for ids in (self.category_ids, self.agency_ids, self.site_ids, self.due_ids)
        )


def _resolve(
    session: Session,
    filters: SearchFilters,
    window: tuple[datetime, datetime] | None,
    now: datetime,
) -> _Scope:
    def ids(statement: Select[Any]) -> tuple[int, ...]:
        return tuple(session.scalars(statement))

    category_ids = agency_ids = site_ids = None
    if filters.category and filters.category.strip():
        wanted = filters.category.strip().lower()
        category_ids = ids(select(Category.id).where(func.lower(Category.name) == wanted))
    if filters.agency and filters.agency.strip():
        wanted = filters.agency.strip().lower()
        agency_ids = ids(
            select(Agency.id).where(
                or_(func.lower(Agency.name) == wanted, func.lower(Agency.code) == wanted)
            )
        )
    if filters.site and filters.site.strip():
        wanted = filters.site.strip().lower()
        site_ids = ids(select(Site.id).where(func.lower(Site.name) == wanted))
    short_ids: tuple[int, ...] = ()
    if window is not None:
        statement, params = short_of_stock(*window, now, filters.quantity)
        short_ids = tuple(session.scalars(statement, params))
    due_ids = None
    if filters.inspection_due_before is not None:
        due = items_due_before(session, filters.inspection_due_before, today_uk(now))
        due_ids = tuple(sorted(due))
    return _Scope(
        category_ids=category_ids,
        agency_ids=agency_ids,
        site_ids=site_ids,
        status=filters.status,
        window=window,
        quantity=filters.quantity,
        short_ids=short_ids,
        due_ids=due_ids,
    )


def _id_list(ids: Sequence[int], dialect: str) -> Select[Any]:
    """``ids`` as a one-column query bound as a single parameter, however many there are
    (a list of ``IN (?, ?, …)`` would meet SQLite's limit on parameters)."""
    if dialect == "sqlite":
        return select(literal_column("value")).select_from(func.json_each(json.dumps(ids)))
    return select(func.unnest(bindparam("id_list", list(ids), type_=ARRAY(Integer), unique=True)))


def _scope_conditions(scope: _Scope, dialect: str) -> list[ColumnElement[bool]]:
    """The filters as conditions on equipment_items."""
    item = EquipmentItem
    conditions: list[ColumnElement[bool]] = []
    if scope.category_ids is not None:
        conditions.append(item.category_id.in_(scope.category_ids))
    if scope.agency_ids is not None:
        conditions.append(item.owner_agency_id.in_(scope.agency_ids))
    if scope.site_ids is not None:
        conditions.append(item.home_site_id.in_(scope.site_ids))
    if scope.status is not None:
        conditions.append(item.status == scope.status)
    if scope.due_ids is not None:
        conditions.append(item.id.in_(_id_list(scope.due_ids, dialect)))
    if scope.window is not None:
        conditions.append(item.status.not_in(UNAVAILABLE_STATUSES))
        if scope.quantity > 1:
            conditions.append(item.quantity >= scope.quantity)
        if scope.short_ids:
            conditions.append(item.id.not_in(scope.short_ids))
    return conditions


def with_words_read(query: str, filters: SearchFilters, now: datetime) -> tuple[str, SearchFilters]:
    """The words to look for, and the filters with any period the text asked for ("thermal
    drone free tomorrow 08:00-16:00", see ``query_words``) in place of the filters' own;
    ``BadDate`` saying what to type if that period cannot be read."""
    read = read_query(query, now=now)
    if read.problem:
        raise BadDate(read.problem)
    if read.period is None:
        return query, filters
    asked = replace(
        filters,
        available_from=read.period.start,
        available_to=read.period.end,
        quantity=read.quantity,
    )
    return read.words, asked


def availability_window(filters: SearchFilters) -> tuple[datetime, datetime] | None:
    """The period to check, refusing one that cannot be meant."""
    start, end = filters.available_from, filters.available_to
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise DomainError("Give both ends of the period to check availability: from and to.")
    # A time without a zone is as a UK wall clock shows it (the window's date edits), and
    # must be one the clock shows exactly once.
    start = (
        uk_wall_time(start, "start of the period")
        if start.tzinfo is None
        else check_moment(start, "start of the period")
    )
    end = (
        uk_wall_time(end, "end of the period")
        if end.tzinfo is None
        else check_moment(end, "end of the period")
    )
    if end <= start:
        raise DomainError("The end of the period must be after its start.")
    if filters.quantity < 1:
        raise DomainError("The quantity needed must be a whole number of at least 1.")
    if filters.quantity > QUANTITY_MAX:
        raise DomainError(
            f"No item holds more than {QUANTITY_MAX:,}: ask for that many or fewer to see "
            "what is free."
        )
    return start, end


# --------------------------------------------------------------------------------------
# The search
# --------------------------------------------------------------------------------------


def search_items(
    db: Database,
    query: str = "",
    filters: SearchFilters | None = None,
    *,
    offset: int = 0,
    limit: int = 50,
    sort: SortKey = SortKey.RELEVANCE,
    descending: bool = False,
    now: datetime | None = None,
    count: bool = True,
) -> SearchPage:
    """A page of catalogue items matching ``query`` and ``filters``, with the total count.

    With ``count=False`` (the next page of a search already counted) the total is not
    counted again and comes back as ``offset`` plus the rows returned.
    """
    query = clean_text(query)
    filters = clean_fields(filters) if filters else None
    filters = filters or SearchFilters()
    moment = now or now_utc()
    limit = max(1, min(limit, MAX_PAGE))
    # Paging never gets near this; it keeps a wild offset inside the databases' integers.
    offset = max(0, min(offset, MAX_OFFSET))
    query, filters = with_words_read(query, filters, moment)
    chunks = parse_query(query)
    window = availability_window(filters)
    if filters.inspection_due_before is not None:
        check_day(filters.inspection_due_before, "inspection due date")
    if chunks == []:
        return SearchPage(total=0, offset=offset)

    with db.read() as session:
        scope = _resolve(session, filters, window, moment)
        if scope.nothing:
            return SearchPage(total=0, offset=offset)
        plan = _Plan(db.dialect, query, chunks, scope)
        ids = plan.page_ids(session, sort, descending, offset, limit)
        total = plan.count(session) if count else offset + len(ids)
        rows = _rows(session, ids, window, moment)
    return SearchPage(total=total, offset=offset, rows=rows)


class _Plan:
    """How one search is asked of the database."""

    def __init__(self, dialect: str, query: str, chunks: list[Chunk] | None, scope: _Scope) -> None:
        self.dialect = dialect
        self.chunks = chunks
        self.scope = scope
        whole = query.strip()
        self.tags = sorted({whole, whole.upper()}) if chunks and len(whole) <= 40 else []
        self.first_word = next((c.words[0] for c in chunks or [] if c.words), None)
        # Pieces found by their words alone merge into one full-text expression; pieces
        # that may also be a fragment of a tag or serial are looked up one by one.
        self.word_chunks = [c for c in chunks or [] if c.code is None]
        self.code_chunks = [c for c in chunks or [] if c.code is not None]
        self.fts = self._fts_expression() if dialect == "sqlite" else None

    # -- SQLite's single full-text expression --------------------------------------

    def _fts_expression(self) -> str | None:
        """The words and filters as one FTS5 expression, or None if the words are all
        tag or serial pieces (then the filters are joined in SQL)."""
        if not self.word_chunks:
            return None
        scope = self.scope
        positive = [_fts_words([w for c in self.word_chunks for w in c.words])]
        negative: list[str] = []
        for marker, ids in (
            ("kc", scope.category_ids),
            ("ka", scope.agency_ids),
            ("ks", scope.site_ids),
        ):
            if ids is not None:
                positive.append("facets: (" + " OR ".join(f"{marker}{i}" for i in ids) + ")")
        if scope.status is ItemStatus.AVAILABLE:
            # Most items are available: reading that marker's list means reading most of
            # the index, while the other statuses' lists are short. Every item has one.
            others = [_status_marker(s) for s in ItemStatus if s is not ItemStatus.AVAILABLE]
            negative.append("facets: (" + " OR ".join(others) + ")")
        elif scope.status is not None:
            positive.append(f"facets: {_status_marker(scope.status)}")
        if scope.window is not None:
            negative.append(
                "facets: (" + " OR ".join(_status_marker(s) for s in UNAVAILABLE_STATUSES) + ")"
            )
            if scope.quantity > 1:
                positive.append("facets: kpool")
        expression = " AND ".join(f"({p})" for p in positive)
        if negative:
            expression = f"({expression}) NOT ({' OR '.join(negative)})"
        return expression

    def _fts_extra(self) -> tuple[str, dict[str, Any]]:
        """SQL conditions on ``item_search.rowid`` that FTS5 cannot express.

        Each is written ``+rowid`` so that SQLite checks it against the full-text
        matches, instead of handing FTS5 one MATCH per listed id (hundreds of times
        slower).
        """
        clauses: list[str] = []
        params: dict[str, Any] = {}
        for i, chunk in enumerate(self.code_chunks):
            clauses.append(f"+rowid IN ({_code_chunk_sql(chunk, i, params)})")
        scope = self.scope
        if scope.short_ids:
            # One parameter however many ids, so SQLite reuses the prepared statement.
            params["short_ids"] = json.dumps(scope.short_ids)
            clauses.append("+rowid NOT IN (SELECT value FROM json_each(:short_ids))")
        if scope.due_ids is not None:
            params["due_ids"] = json.dumps(scope.due_ids)
            clauses.append("+rowid IN (SELECT value FROM json_each(:due_ids))")
        if scope.window is not None and scope.quantity > 1:
            params["needed"] = scope.quantity
            clauses.append(
                "+rowid NOT IN (SELECT id FROM equipment_items"
                " WHERE is_pooled = 1 AND quantity < :needed)"
            )
        return "".join(f" AND {c}" for c in clauses), params

    # -- the total -----------------------------------------------------------------

    def count(self, session: Session) -> int:
        if self.fts is not None:
            extra, params = self._fts_extra()
            sql = f"SELECT count(*) FROM item_search WHERE item_search MATCH :fts{extra}"
            return int(session.execute(text(sql), {"fts": self.fts, **params}).scalar_one())
        statement = select(func.count()).select_from(EquipmentItem)
        statement = self._narrowed(statement)
        return int(session.execute(statement).scalar_one())

    # -- the page ------------------------------------------------------------------

    def page_ids(
        self, session: Session, sort: SortKey, descending: bool, offset: int, limit: int
    ) -> list[int]:
        if sort is SortKey.RELEVANCE and self.fts is not None:
            return self._fts_page(session, offset, limit)
        statement = select(EquipmentItem.id)
        statement = self._narrowed(statement)
        statement = _sorted(statement, sort, descending, self._relevance())
        return list(session.scalars(statement.offset(offset).limit(limit)))

    def _fts_page(self, session: Session, offset: int, limit: int) -> list[int]:
        """Exact tag, then name matches, then the rest: FTS5 lookups merged in id order."""
        extra, params = self._fts_extra()
        params |= {"fts": self.fts, "offset": offset, "limit": limit}
        arms: list[str] = []
        if self.tags:
            tag_id = session.scalar(
                select(EquipmentItem.id).where(EquipmentItem.asset_tag.in_(self.tags))
            )
            if tag_id is not None:
                params["tag_id"] = tag_id
                arms.append(
                    "SELECT rowid AS id, 0 AS tier FROM item_search"
                    f" WHERE item_search MATCH :fts AND rowid = :tag_id{extra}"
                )
                extra += " AND rowid <> :tag_id"
        if self.first_word is not None:
            name = f'name: "{self.first_word}"*'
            params |= {"named": f"({self.fts}) AND {name}", "unnamed": f"({self.fts}) NOT {name}"}
            arms.append("SELECT rowid, 1 FROM item_search WHERE item_search MATCH :named" + extra)
            arms.append("SELECT rowid, 2 FROM item_search WHERE item_search MATCH :unnamed" + extra)
        sql = " UNION ALL ".join(arms) + " ORDER BY 2, 1 LIMIT :limit OFFSET :offset"
        return [row[0] for row in session.execute(text(sql), params)]

    # -- the general route -----------------------------------------------------------

    def _narrowed(self, statement: Select[Any]) -> Select[Any]:
        """``statement`` over equipment_items, limited to the matches and the filters."""
        conditions = _scope_conditions(self.scope, self.dialect)
        if self.chunks is not None:
            first, *rest = self._match_sets()
            hits = first.cte("hits").prefix_with("MATERIALIZED")
            statement = statement.join(hits, hits.c.id == EquipmentItem.id)
            conditions.extend(EquipmentItem.id.in_(ids) for ids in rest)
        if conditions:
            statement = statement.where(and_(*conditions))
        return statement

    def _match_sets(self) -> list[IdSet]:
        """Sets of ids that must all hold: the words together, then each code piece."""
        sets: list[IdSet] = []
        words = [w for c in self.word_chunks for w in c.words]
        if words:
            sets.append(_word_ids(words, self.dialect, "words"))
        for i, chunk in enumerate(self.code_chunks):
            sets.append(_code_ids(chunk, self.dialect, i))
        return sets

    def _relevance(self) -> list[Any]:
        """Exact tag, then a name word starting with the first word typed, then the rest."""
        if self.chunks is None:
            return [EquipmentItem.asset_tag, EquipmentItem.id]
        tiers: list[tuple[ColumnElement[bool], int]] = []
        if self.tags:
            tiers.append((EquipmentItem.asset_tag.in_(self.tags), 0))
        if self.first_word is not None:
            tiers.append((_name_has_prefix(self.first_word, self.dialect), 1))
        if not tiers:
            return [EquipmentItem.id]
        return [case(*tiers, else_=2), EquipmentItem.id]


def _status_marker(status: ItemStatus) -> str:
    return "kst" + status.value.replace("_", "")


def _word_ids(words: Sequence[str], dialect: str, name: str) -> Select[tuple[int]]:
    """Ids of items with every word (as a prefix) somewhere in their text."""
    if dialect == "sqlite":
        return (
            select(literal_column("rowid").label("id"))
            .select_from(text("item_search"))
            .where(text(f"item_search MATCH :{name}").bindparams(**{name: _fts_words(words)}))
        )
    return (
        select(literal_column("item_id").label("id"))
        .select_from(text("item_search"))
        .where(
            text(f"document @@ to_tsquery('simple', :{name})").bindparams(
                **{name: " & ".join(f"{w}:*" for w in words)}
            )
        )
    )


def _code_ids(chunk: Chunk, dialect: str, index: int) -> IdSet:
    """Ids of items matching a piece by its words, or as a fragment of a tag or serial."""
    if dialect == "sqlite":
        params: dict[str, Any] = {}
        sql = _code_chunk_sql(chunk, index, params)
        return text(sql).bindparams(**params).columns(literal_column("id"))
    likes: dict[str, str] = {}
    groups = []
    for g, group in enumerate(_fragment_phrases(chunk)):
        terms = []
        for t, phrase in enumerate(group):
            name = f"code_{index}_{g}_{t}"
            likes[name] = f"%{_escape_like(phrase)}%"
            terms.append(f"codes LIKE :{name} ESCAPE '\\'")
        groups.append("(" + " AND ".join(terms) + ")")
    fragment: Select[Any] = (
        select(literal_column("item_id").label("id"))
        .select_from(text("item_search"))
        .where(text(" OR ".join(groups)).bindparams(**likes))
    )
    if not chunk.words:
        return fragment
    return union(_word_ids(chunk.words, dialect, f"code_words_{index}"), fragment)


def _trigram_expression(fragments: list[tuple[str, ...]]) -> str:
    # Quoted phrases only; the OR/AND here are ours, never the person's.
    return " OR ".join("(" + " AND ".join(f'"{p}"' for p in group) + ")" for group in fragments)


def _code_chunk_sql(chunk: Chunk, index: int, params: dict[str, Any]) -> str:
    """SQLite: the ids matching a piece by its words or as a tag or serial fragment, as
    SQL text (it also stands beside a MATCH in the full-text route); fills ``params``."""
    sql = ""
    if chunk.words:
        params[f"code_words_{index}"] = _fts_words(chunk.words)
        sql = (
            "SELECT rowid AS id FROM item_search"
            f" WHERE item_search MATCH :code_words_{index} UNION "
        )
    params[f"code_{index}"] = _trigram_expression(_fragment_phrases(chunk))
    return sql + (
        f"SELECT rowid AS id FROM item_search_codes WHERE item_search_codes MATCH :code_{index}"
    )


def _name_has_prefix(word: str, dialect: str) -> ColumnElement[bool]:
    """Whether the item's name has a word starting with ``word``, as the index splits it."""
    if dialect == "sqlite":
        named: Select[Any] = (
            select(literal_column("rowid"))
            .select_from(text("item_search"))
            .where(text("item_search MATCH :first_name").bindparams(first_name=f'name: "{word}"*'))
        )
        return EquipmentItem.id.in_(named)
    return literal_column("kitshare_search_words(equipment_items.name)").op("@@")(
        func.to_tsquery("simple", bindparam("first_name", f"{word}:*"))
    )


def _sorted(
    statement: Select[Any], sort: SortKey, descending: bool, relevance: list[Any]
) -> Select[Any]:
    tie_break: list[Any] = [EquipmentItem.asset_tag, EquipmentItem.id]
    if sort is SortKey.RELEVANCE:
        return statement.order_by(*relevance)
    joined: dict[SortKey, tuple[Any, Any, Any]] = {
        SortKey.CATEGORY: (Category, EquipmentItem.category_id, Category.name),
        SortKey.OWNER: (Agency, EquipmentItem.owner_agency_id, Agency.name),
        SortKey.SITE: (Site, EquipmentItem.home_site_id, Site.name),
    }
    if sort in joined:
        table, key, column = joined[sort]
        statement = statement.join(table, key == table.id)
        order: Any = func.lower(column)
    else:
        order = {
            SortKey.TAG: EquipmentItem.asset_tag,
            SortKey.NAME: func.lower(EquipmentItem.name),
            SortKey.STATUS: EquipmentItem.status,
            SortKey.QUANTITY: EquipmentItem.quantity,
        }[sort]
    return statement.order_by(order.desc() if descending else order.asc(), *tie_break)


@cache
def _rows_statement() -> Executable:
    """The items named by the ``ids`` parameter in full, with how many are free."""
    return (
        select(
            EquipmentItem.id,
            EquipmentItem.asset_tag,
            EquipmentItem.name,
            Category.name,
            Agency.name,
            Agency.code,
            Site.name,
            EquipmentItem.status,
            EquipmentItem.quantity,
            available_quantity(EquipmentItem, Period.named()),
            EquipmentItem.is_pooled,
        )
        .join(Category, EquipmentItem.category_id == Category.id)
        .join(Agency, EquipmentItem.owner_agency_id == Agency.id)
        .join(Site, EquipmentItem.home_site_id == Site.id)
        .where(EquipmentItem.id.in_(bindparam("ids", expanding=True)))
    )


def _rows(
    session: Session,
    ids: list[int],
    window: tuple[datetime, datetime] | None,
    now: datetime,
) -> list[SearchRow]:
    """The page's items in full, in the order of ``ids``."""
    if not ids:
        return []
    start, end = window or (now, now + timedelta(seconds=1))
    result = session.execute(_rows_statement(), {"ids": ids, **Period.values(start, end, now)})
    found = {
        r[0]: SearchRow(
            id=r[0],
            asset_tag=r[1],
            name=r[2],
            # A long scroll holds many rows naming the same few categories, owners and
            # sites: one copy of each string, not one per row.
            category=sys.intern(r[3]),
            owner=sys.intern(r[4]),
            owner_code=sys.intern(r[5]),
            home_site=sys.intern(r[6]),
            status=label(r[7]),
            status_value=r[7],
            quantity=r[8],
            available_quantity=int(r[9]),
            is_pooled=bool(r[10]),
        )
        for r in result
    }
    return [found[i] for i in ids if i in found]


def find_by_tag(db: Database, tag: str) -> int | None:
    """The id of the item whose asset tag is exactly ``tag`` (any case), as a scanner types it."""
    tag = clean_text(tag)
    cleaned = tag.strip()
    if not cleaned or len(cleaned) > 40:
        return None
    with db.read() as session:
        return session.scalar(
            select(EquipmentItem.id).where(EquipmentItem.asset_tag.in_({cleaned, cleaned.upper()}))
        )


def find_by_tags(db: Database, tags: Sequence[str]) -> tuple[list[int], list[str]]:
    """The ids of the items with these tags (any case), in order, repeats and blanks
    dropped; and the tags that match no item. One query, however many tags."""
    tags = [clean_text(tag) for tag in tags]
    wanted = list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))
    if not wanted:
        return [], []
    with db.read() as session:
        found = {
            tag.lower(): item_id
            for item_id, tag in session.execute(
                select(EquipmentItem.id, EquipmentItem.asset_tag).where(
                    func.lower(EquipmentItem.asset_tag).in_({t.lower() for t in wanted})
                )
            )
        }
    ids = list(dict.fromkeys(found[t.lower()] for t in wanted if t.lower() in found))
    return ids, [t for t in wanted if t.lower() not in found]


def matching_item_ids(
    db: Database,
    query: str = "",
    filters: SearchFilters | None = None,
    *,
    sort: SortKey = SortKey.RELEVANCE,
    descending: bool = False,
) -> list[int]:
    """Every item the search finds, in its order: e.g. to print labels for all of them."""
    ids: list[int] = []
    while True:
        page = search_items(
            db,
            query,
            filters,
            offset=len(ids),
            limit=MAX_PAGE,
            sort=sort,
            descending=descending,
            count=False,
        )
        ids.extend(row.id for row in page.rows)
        if len(page.rows) < MAX_PAGE:
            return ids
