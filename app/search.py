"""Catalogue search: any text, any filters, a page of rows plus the total, on both databases.

Whatever is typed or scanned is reduced to plain words before it reaches the database,
so no input can be read as query syntax: FTS5's AND/OR/NEAR/*/^/: and tsquery's &|!
never see the person's text, only quoted runs of letters and digits.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal_column,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import CompoundSelect, Subquery

from app.availability import available_quantity, is_available
from app.catalogue import STATUS_LABELS
from app.clock import now_utc
from app.database import Database
from app.errors import DomainError
from models import Agency, Category, EquipmentItem, ItemStatus, Site

# Runs of letters and digits: how both databases split text into words.
WORD = re.compile(r"[^\W_]+")
# What may stand in a tag or serial fragment ("CAM-0042", "20.04", "SN/7731").
CODE = re.compile(r"[\w\-./]+")
MAX_CHUNKS = 12
MAX_TOKEN_LENGTH = 64
MIN_FRAGMENT = 3  # trigrams need three characters
MAX_PAGE = 500


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
    available_from: datetime | None = None
    available_to: datetime | None = None
    quantity: int = 1


@dataclass(frozen=True)
class SearchRow:
    id: int
    asset_tag: str
    name: str
    category: str
    owner: str
    owner_code: str
    home_site: str
    status: str
    status_code: str
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
        if not words and len(code) < MIN_FRAGMENT:
            continue
        chunks.append(Chunk(words=words, code=code if len(code) >= MIN_FRAGMENT else None))
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


def _chunk_ids(
    chunk: Chunk, dialect: str, index: int
) -> Select[tuple[int]] | CompoundSelect[tuple[int]]:
    """Ids of items matching one chunk: all its words as prefixes, or it as a fragment."""
    parts: list[Select[tuple[int]]] = []
    if dialect == "sqlite":
        if chunk.words:
            expression = " ".join(f'"{w}"*' for w in chunk.words)
            parts.append(
                select(literal_column("rowid").label("id"))
                .select_from(text("item_search"))
                .where(
                    text(f"item_search MATCH :words_{index}").bindparams(
                        **{f"words_{index}": expression}
                    )
                )
            )
        fragments = _fragment_phrases(chunk)
        if fragments:
            # Quoted phrases only; the OR/AND here are ours, never the person's.
            fragment = " OR ".join(
                "(" + " AND ".join(f'"{p}"' for p in group) + ")" for group in fragments
            )
            parts.append(
                select(literal_column("rowid").label("id"))
                .select_from(text("item_search_codes"))
                .where(
                    text(f"item_search_codes MATCH :code_{index}").bindparams(
                        **{f"code_{index}": fragment}
                    )
                )
            )
    else:
        if chunk.words:
            expression = " & ".join(f"{w}:*" for w in chunk.words)
            parts.append(
                select(literal_column("item_id").label("id"))
                .select_from(text("item_search"))
                .where(
                    text(f"document @@ to_tsquery('simple', :words_{index})").bindparams(
                        **{f"words_{index}": expression}
                    )
                )
            )
        fragments = _fragment_phrases(chunk)
        if fragments:
            params: dict[str, str] = {}
            groups = []
            for g, group in enumerate(fragments):
                terms = []
                for t, phrase in enumerate(group):
                    name = f"code_{index}_{g}_{t}"
                    params[name] = f"%{_escape_like(phrase)}%"
                    terms.append(f"codes LIKE :{name} ESCAPE '\\'")
                groups.append("(" + " AND ".join(terms) + ")")
            parts.append(
                select(literal_column("item_id").label("id"))
                .select_from(text("item_search"))
                .where(text(" OR ".join(groups)).bindparams(**params))
            )
    if len(parts) == 1:
        return parts[0]
    return union(*parts)


def matching_ids(chunks: list[Chunk], dialect: str) -> tuple[Subquery, list[ColumnElement[bool]]]:
    """The ids matching the first chunk, and conditions for the rest.

    The first chunk's full-text match drives the query (it is joined, so the index is
    read first); the other chunks narrow it as ``id IN (...)``. SQLite cannot nest
    UNION inside INTERSECT, and this shape is as fast on PostgreSQL.
    """
    first, *rest = [_chunk_ids(chunk, dialect, i) for i, chunk in enumerate(chunks)]
    narrowing: list[ColumnElement[bool]] = [EquipmentItem.id.in_(ids) for ids in rest]
    return first.subquery("hits"), narrowing


def _filter_conditions(
    filters: SearchFilters,
    category: type[Category],
    agency: type[Agency],
    site: type[Site],
    now: datetime,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.category:
        conditions.append(func.lower(category.name) == filters.category.strip().lower())
    if filters.agency:
        wanted = filters.agency.strip().lower()
        conditions.append(or_(func.lower(agency.name) == wanted, func.lower(agency.code) == wanted))
    if filters.site:
        conditions.append(func.lower(site.name) == filters.site.strip().lower())
    if filters.status is not None:
        conditions.append(EquipmentItem.status == filters.status)
    start, end = availability_window(filters)
    if start is not None and end is not None:
        conditions.append(is_available(EquipmentItem, start, end, now, filters.quantity))
    return conditions


def availability_window(filters: SearchFilters) -> tuple[datetime | None, datetime | None]:
    """The period to check, refusing one that cannot be meant."""
    start, end = filters.available_from, filters.available_to
    if start is None and end is None:
        return None, None
    if start is None or end is None:
        raise DomainError("Give both ends of the period to check availability: from and to.")
    if start.tzinfo is None or end.tzinfo is None:
        raise DomainError(
            "Availability dates need a time zone (UK local time is assumed in the app)."
        )
    if end <= start:
        raise DomainError("The end of the period must be after its start.")
    if filters.quantity < 1:
        raise DomainError("The quantity needed must be a whole number of at least 1.")
    return start, end


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
) -> SearchPage:
    """A page of catalogue items matching ``query`` and ``filters``, with the total count."""
    filters = filters or SearchFilters()
    moment = now or now_utc()
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    chunks = parse_query(query)

    category = aliased(Category)
    agency = aliased(Agency)
    site = aliased(Site)
    conditions = _filter_conditions(filters, category, agency, site, moment)

    base = (
        select(EquipmentItem.id)
        .join(category, EquipmentItem.category_id == category.id)
        .join(agency, EquipmentItem.owner_agency_id == agency.id)
        .join(site, EquipmentItem.home_site_id == site.id)
    )
    if chunks is not None:
        if not chunks:
            return SearchPage(total=0, offset=offset)
        hits, narrowing = matching_ids(chunks, db.dialect)
        base = base.join(hits, hits.c.id == EquipmentItem.id)
        conditions.extend(narrowing)
    if conditions:
        base = base.where(and_(*conditions))
    start, end = availability_window(filters)
    window_start = start or moment
    window_end = end or moment + timedelta(seconds=1)
    free = available_quantity(EquipmentItem, window_start, window_end, moment).label("free")
    rows_query = base.with_only_columns(
        EquipmentItem.id,
        EquipmentItem.asset_tag,
        EquipmentItem.name,
        category.name,
        agency.name,
        agency.code,
        site.name,
        EquipmentItem.status,
        EquipmentItem.quantity,
        free,
        EquipmentItem.is_pooled,
    )
    order = _ordering(
        sort,
        descending=descending,
        query=query,
        chunks=chunks,
        category=category,
        agency=agency,
        site=site,
    )
    rows_query = rows_query.order_by(*order).offset(offset).limit(limit)
    count_query = select(func.count()).select_from(base.subquery())

    with db.read() as session:
        total = session.scalar(count_query) or 0
        rows = [
            SearchRow(
                id=r[0],
                asset_tag=r[1],
                name=r[2],
                category=r[3],
                owner=r[4],
                owner_code=r[5],
                home_site=r[6],
                status=STATUS_LABELS[r[7]],
                status_code=r[7].value,
                quantity=r[8],
                available_quantity=int(r[9]),
                is_pooled=bool(r[10]),
            )
            for r in session.execute(rows_query)
        ]
    return SearchPage(total=total, offset=offset, rows=rows)


def _ordering(
    sort: SortKey,
    *,
    descending: bool,
    query: str,
    chunks: list[Chunk] | None,
    category: type[Category],
    agency: type[Agency],
    site: type[Site],
) -> list[Any]:
    columns: dict[SortKey, Any] = {
        SortKey.TAG: EquipmentItem.asset_tag,
        SortKey.NAME: func.lower(EquipmentItem.name),
        SortKey.CATEGORY: func.lower(category.name),
        SortKey.OWNER: func.lower(agency.name),
        SortKey.SITE: func.lower(site.name),
        SortKey.STATUS: EquipmentItem.status,
        SortKey.QUANTITY: EquipmentItem.quantity,
    }
    tie_break: list[Any] = [EquipmentItem.asset_tag, EquipmentItem.id]
    if sort is SortKey.RELEVANCE:
        if not chunks:
            return tie_break
        whole = query.strip().lower()
        first = chunks[0].words[0] if chunks[0].words else whole
        # Best first: the exact tag (what a scanner types), then names that start with
        # the first word, then the rest by name.
        tier = case(
            (func.lower(EquipmentItem.asset_tag) == whole, 0),
            (func.lower(EquipmentItem.name).like(f"{_escape_like(first)}%", escape="\\"), 1),
            else_=2,
        )
        return [tier, func.lower(EquipmentItem.name), *tie_break]
    column = columns[sort]
    return [column.desc() if descending else column.asc(), *tie_break]


def find_by_tag(db: Database, tag: str) -> int | None:
    """The id of the item whose asset tag is exactly ``tag`` (any case), as a scanner types it."""
    cleaned = tag.strip()
    if not cleaned or len(cleaned) > 40:
        return None
    with db.read() as session:
        return session.scalar(
            select(EquipmentItem.id).where(EquipmentItem.asset_tag.in_({cleaned, cleaned.upper()}))
        )
