"""Catalogue search: the same cases, the same answers, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event, inspect

from app.catalogue.search import (
    SearchFilters,
    SortKey,
    find_by_tag,
    find_by_tags,
    parse_query,
    search_items,
)
from app.core.errors import DomainError
from app.storage.database import Database
from models import AgencyKind, ItemStatus, Loan, LoanLine, LoanStatus
from tests import factories as f

NOW = f.NOW


@pytest.fixture
def catalogue(db: Database) -> Database:
    with db.write() as session:
        police = f.agency(session, "Cambridgeshire Constabulary", AgencyKind.POLICE)
        police.code = "CAMBS-POL"
        fire = f.agency(session, "Cambridgeshire Fire and Rescue Service")
        fire.code = "CAMBS-FRS"
        hinchingbrooke = f.site(session, police, "Hinchingbrooke Park, Huntingdon")
        huntingdon = f.site(session, fire, "Huntingdon Fire Station")
        dogsthorpe = f.site(session, fire, "Dogsthorpe Fire Station")
        drones = f.category(session, "Drones")
        lighting = f.category(session, "Lighting towers")
        barriers = f.category(session, "Barriers")
        boats = f.category(session, "Water and flood rescue")
        drone = f.item(
            session,
            owner=police,
            home=hinchingbrooke,
            kind=drones,
            tag="CAM-000042",
            name="DJI Matrice 30T thermal drone",
        )
        drone.description = "Thermal camera drone for missing person searches"
        f.item(
            session,
            owner=police,
            home=hinchingbrooke,
            kind=drones,
            tag="CAM-000043",
            name="DJI Mavic 3 Enterprise drone",
        )
        f.item(
            session,
            owner=fire,
            home=huntingdon,
            kind=lighting,
            tag="CFR-000230",
            name="Tower light 9m mast, diesel",
        )
        boat = f.item(
            session,
            owner=fire,
            home=huntingdon,
            kind=boats,
            tag="CFR-000420",
            name="Inflatable rescue boat",
        )
        boat.serial_number = "IRB-20.04-7731"
        boat.description = "O'Neill pattern throw bags included"
        pool = f.item(
            session,
            owner=fire,
            home=dogsthorpe,
            kind=barriers,
            tag="CFR-000100",
            name="Pedestrian barrier, 2.5 m steel",
            quantity=40,
            pooled=True,
        )
        retired = f.item(
            session,
            owner=fire,
            home=dogsthorpe,
            kind=lighting,
            tag="CFR-000231",
            name="Tower light, old petrol",
        )
        retired.status = ItemStatus.RETIRED
        loan = Loan(
            borrower_agency_id=police.id,
            purpose="Operation Hawthorn",
            status=LoanStatus.APPROVED,
            starts_at=NOW + timedelta(days=1),
            due_at=NOW + timedelta(days=3),
        )
        loan.lines = [
            LoanLine(item_id=pool.id, quantity=30, starts_at=loan.starts_at, ends_at=loan.due_at)
        ]
        session.add(loan)
    return db


def tags(db: Database, query: str, filters: SearchFilters | None = None) -> list[str]:
    return [row.asset_tag for row in search_items(db, query, filters, now=NOW).rows]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dro", {"CAM-000042", "CAM-000043"}),
        ("drone thermal", {"CAM-000042"}),
        ("THERMAL DRONE", {"CAM-000042"}),
        ("hunt", {"CAM-000042", "CAM-000043", "CFR-000230", "CFR-000420"}),
        ("lighting tower Huntingdon", {"CFR-000230"}),
        ("0042", {"CAM-000042", "CFR-000420"}),
        ("CAM-0042", {"CAM-000042"}),
        ("20.04", {"CFR-000420"}),
        ("7731", {"CFR-000420"}),
        ("O'Neill", {"CFR-000420"}),
        ("cambs-frs barrier", {"CFR-000100"}),
        ("submarine", set()),
    ],
)
def test_text_search(catalogue: Database, query: str, expected: set[str]) -> None:
    page = search_items(catalogue, query, now=NOW)
    assert {row.asset_tag for row in page.rows} == expected
    assert page.total == len(expected)


def test_exact_tag_comes_first(catalogue: Database) -> None:
    assert tags(catalogue, "cfr-000420")[0] == "CFR-000420"
    assert tags(catalogue, "CAM-000042")[0] == "CAM-000042"
    assert find_by_tag(catalogue, " cam-000042 ") is not None
    assert find_by_tag(catalogue, "CAM-999999") is None


# Whatever is typed or scanned: none may raise; each gives rows or nothing.
HOSTILE = [
    '"',
    "'",
    "O'Neill",
    '"drone',
    "CAM-0042",
    "20.04",
    "AND",
    "OR",
    "NOT",
    "drone AND",
    "NEAR(drone thermal)",
    "NEAR",
    "*",
    "dro*",
    "^drone",
    "name:drone",
    ":",
    "(",
    ")",
    "(drone OR",
    "[]{}",
    "\\",
    "%",
    "_",
    "%_%",
    "🚒",
    "🚒 drone",
    "d",
    "-",
    "--",
    "..",
    " ",
    "     ",
    "\t\n",
    "x" * 2000,
    "drone " * 400,
    "Ωmega ßtraße",
    "NULL",
    "'; DROP TABLE x; --",
    "&|!",
    "a:*",
    "<->",
    "drone & thermal",
    "!drone",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_any_input_is_safe(catalogue: Database, query: str) -> None:
    page = search_items(catalogue, query, now=NOW)
    assert page.total >= len(page.rows) >= 0


def test_blank_browses_and_unsearchable_finds_nothing(catalogue: Database) -> None:
    assert search_items(catalogue, "   ", now=NOW).total == 6
    assert search_items(catalogue, "🚒", now=NOW).total == 0
    assert parse_query("") is None
    assert parse_query("🚒 !!") == []


def test_filters_combine_with_text(catalogue: Database) -> None:
    assert set(tags(catalogue, "", SearchFilters(category="drones"))) == {
        "CAM-000042",
        "CAM-000043",
    }
    assert set(tags(catalogue, "tower", SearchFilters(agency="CAMBS-FRS"))) == {
        "CFR-000230",
        "CFR-000231",
    }
    assert tags(catalogue, "tower", SearchFilters(status=ItemStatus.RETIRED)) == ["CFR-000231"]
    assert tags(
        catalogue,
        "",
        SearchFilters(
            site="Dogsthorpe Fire Station", agency="Cambridgeshire Fire and Rescue Service"
        ),
    ) == [
        "CFR-000100",
        "CFR-000231",
    ]


def test_available_between_counts_bookings(catalogue: Database) -> None:
    during = SearchFilters(
        available_from=NOW + timedelta(days=2),
        available_to=NOW + timedelta(days=2, hours=4),
        quantity=10,
    )
    assert tags(catalogue, "barrier", during) == ["CFR-000100"]
    page = search_items(catalogue, "barrier", during, now=NOW)
    assert page.rows[0].available_quantity == 10
    assert (
        tags(
            catalogue,
            "barrier",
            SearchFilters(
                available_from=during.available_from,
                available_to=during.available_to,
                quantity=11,
            ),
        )
        == []
    )
    after = SearchFilters(
        available_from=NOW + timedelta(days=3), available_to=NOW + timedelta(days=4), quantity=40
    )
    assert tags(catalogue, "barrier", after) == ["CFR-000100"]
    # Retired kit is never available.
    assert "CFR-000231" not in tags(catalogue, "tower", after)


def test_bad_period_is_refused_with_a_reason(catalogue: Database) -> None:
    with pytest.raises(DomainError, match="end of the period must be after its start"):
        search_items(catalogue, "", SearchFilters(available_from=NOW, available_to=NOW))
    with pytest.raises(DomainError, match="both ends"):
        search_items(catalogue, "", SearchFilters(available_from=NOW))


def test_a_period_at_the_edges_of_time_is_refused_with_the_range(catalogue: Database) -> None:
    east = timezone(timedelta(hours=5))
    west = timezone(timedelta(hours=-5))
    with pytest.raises(DomainError) as raised:
        search_items(
            catalogue,
            "drone",
            SearchFilters(available_from=datetime(1, 1, 1, tzinfo=east), available_to=NOW),
        )
    assert raised.value.message == (
        "The start of the period 01/01/0001 is outside the dates Kit Share takes; give one "
        "from 01/01/1970 to 31/12/2099."
    )
    with pytest.raises(DomainError, match="end of the period 31/12/9999 is outside"):
        search_items(
            catalogue,
            "drone",
            SearchFilters(
                available_from=NOW, available_to=datetime(9999, 12, 31, 23, 59, tzinfo=west)
            ),
        )
    with pytest.raises(DomainError, match="inspection due date 01/01/0001 is outside"):
        search_items(catalogue, "", SearchFilters(inspection_due_before=date(1, 1, 1)))


def test_a_quantity_beyond_any_store_is_refused_not_sent_to_the_database(
    catalogue: Database,
) -> None:
    for quantity in (1_000_001, 2**31, 10**12):
        period = SearchFilters(
            available_from=NOW + timedelta(days=3),
            available_to=NOW + timedelta(days=4),
            quantity=quantity,
        )
        with pytest.raises(DomainError) as raised:
            search_items(catalogue, "barrier", period, now=NOW)
        assert raised.value.message == (
            "No item holds more than 1,000,000: ask for that many or fewer to see what is free."
        )
    assert search_items(catalogue, "barrier", offset=2**63, now=NOW).rows == []


# NUL, other control characters and half a surrogate pair, pasted or typed: the search
# runs as though they were not there; PostgreSQL refuses NUL in any text it is sent.
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("drone\x00", {"CAM-000042", "CAM-000043"}),
        ("dr\x00one thermal", {"CAM-000042"}),
        ("CAM-000042\x00", {"CAM-000042"}),
        ("\x1bthermal\x07", {"CAM-000042"}),
        ("drone\ud800", {"CAM-000042", "CAM-000043"}),
        ("\udcffthermal", {"CAM-000042"}),
    ],
)
def test_control_characters_in_a_search_are_ignored(
    catalogue: Database, query: str, expected: set[str]
) -> None:
    assert set(tags(catalogue, query)) == expected


def test_control_characters_in_filters_and_tags_are_ignored(catalogue: Database) -> None:
    assert set(tags(catalogue, "", SearchFilters(category="Drones\x00"))) == {
        "CAM-000042",
        "CAM-000043",
    }
    assert set(tags(catalogue, "", SearchFilters(agency="\x00CAMBS-POL"))) == {
        "CAM-000042",
        "CAM-000043",
    }
    assert search_items(catalogue, "\x00", now=NOW).total == 6  # blank: browse everything
    assert find_by_tag(catalogue, "CAM-000042\x00") == find_by_tag(catalogue, "CAM-000042")
    assert find_by_tags(catalogue, ["CAM-000042\x00", "\ud800"]) == (
        [find_by_tag(catalogue, "CAM-000042")],
        ["\ufffd"],
    )


def test_sorting_and_paging_happen_in_sql(catalogue: Database) -> None:
    by_name = search_items(catalogue, "", sort=SortKey.NAME, limit=2, now=NOW)
    rest = search_items(catalogue, "", sort=SortKey.NAME, offset=2, limit=10, now=NOW)
    assert by_name.total == rest.total == 6
    names = [r.name for r in by_name.rows + rest.rows]
    assert names == sorted(names, key=str.lower)
    descending = search_items(catalogue, "", sort=SortKey.TAG, descending=True, now=NOW)
    assert [r.asset_tag for r in descending.rows] == sorted(
        (r.asset_tag for r in descending.rows), reverse=True
    )


def test_search_follows_edits_and_renames(catalogue: Database) -> None:
    from sqlalchemy import select

    from models import Category, EquipmentItem

    with catalogue.write() as session:
        item = session.scalars(
            select(EquipmentItem).where(EquipmentItem.asset_tag == "CFR-000230")
        ).one()
        item.name = "Floodlight trailer"
        session.scalars(
            select(Category).where(Category.name == "Drones")
        ).one().name = "Aerial systems"
    assert tags(catalogue, "floodlight") == ["CFR-000230"]
    assert set(tags(catalogue, "aerial")) == {"CAM-000042", "CAM-000043"}
    assert tags(catalogue, "dro") == ["CAM-000042", "CAM-000043"]  # still in the names
    with catalogue.write() as session:
        session.delete(
            session.scalars(
                select(EquipmentItem).where(EquipmentItem.asset_tag == "CFR-000231")
            ).one()
        )
    assert "CFR-000231" not in tags(catalogue, "tower")


def test_each_pool_counts_only_its_own_bookings(catalogue: Database) -> None:
    """Two pools booked in the same period: neither sees the other's bookings."""
    from sqlalchemy import select

    from models import EquipmentItem

    with catalogue.write() as session:
        first = session.scalars(
            select(EquipmentItem).where(EquipmentItem.asset_tag == "CFR-000100")
        ).one()
        second = f.item(
            session,
            owner=first.owner_agency,
            home=first.home_site,
            kind=first.category,
            tag="CFR-000101",
            name="Pedestrian barrier, 2.5 m steel",
            quantity=20,
            pooled=True,
        )
        loan = Loan(
            borrower_agency_id=first.owner_agency_id,
            purpose="Peterborough carnival",
            status=LoanStatus.APPROVED,
            starts_at=NOW + timedelta(days=2, minutes=30),
            due_at=NOW + timedelta(days=2, hours=6),
        )
        loan.lines = [
            LoanLine(item_id=second.id, quantity=5, starts_at=loan.starts_at, ends_at=loan.due_at)
        ]
        # A booking of the first pool that starts inside the period, while the second
        # pool's is out: the peak of the first must not count the second's.
        short = Loan(
            borrower_agency_id=first.owner_agency_id,
            purpose="Road closure",
            status=LoanStatus.APPROVED,
            starts_at=NOW + timedelta(days=2, hours=1),
            due_at=NOW + timedelta(days=2, hours=2),
        )
        short.lines = [
            LoanLine(item_id=first.id, quantity=3, starts_at=short.starts_at, ends_at=short.due_at)
        ]
        session.add_all([loan, short])
    during = SearchFilters(
        available_from=NOW + timedelta(days=2),
        available_to=NOW + timedelta(days=2, hours=4),
        quantity=7,
    )
    rows = {
        r.asset_tag: r.available_quantity
        for r in search_items(catalogue, "barrier", during, now=NOW).rows
    }
    assert rows == {"CFR-000100": 7, "CFR-000101": 15}
    eight = SearchFilters(
        available_from=during.available_from, available_to=during.available_to, quantity=8
    )
    assert tags(catalogue, "barrier", eight) == ["CFR-000101"]
    assert tags(catalogue, "", eight) == ["CFR-000101"]


@pytest.fixture
def towers(catalogue: Database) -> Database:
    """Two more lighting items: one found only by its category, one with a word for a tag."""
    from sqlalchemy import select

    from models import EquipmentItem

    with catalogue.write() as session:
        mast = session.scalars(
            select(EquipmentItem).where(EquipmentItem.asset_tag == "CFR-000230")
        ).one()
        f.item(
            session,
            owner=mast.owner_agency,
            home=mast.home_site,
            kind=mast.category,
            tag="LIGHTS",
            name="Floodlamp trailer",
        )
        f.item(
            session,
            owner=mast.owner_agency,
            home=mast.home_site,
            kind=mast.category,
            tag="TOWER",
            name="Lighting tower, trailer",
        )
    return catalogue


def test_best_matches_come_first_and_pages_follow_on(towers: Database) -> None:
    # The exact tag; then names with a word starting "tower", oldest first; then items
    # found only by another field (here the category "Lighting towers").
    expected = ["TOWER", "CFR-000230", "CFR-000231", "LIGHTS"]
    assert tags(towers, "tower") == expected
    assert tags(towers, "tow") == ["CFR-000230", "CFR-000231", "TOWER", "LIGHTS"]
    one_by_one = [
        row.asset_tag
        for offset in range(5)
        for row in search_items(towers, "tower", offset=offset, limit=1, now=NOW).rows
    ]
    assert one_by_one == expected
    second = search_items(towers, "tower", offset=2, limit=2, now=NOW, count=False)
    assert [r.asset_tag for r in second.rows] == expected[2:]
    assert second.total == 4  # not counted again: the offset plus the rows
    available = SearchFilters(status=ItemStatus.AVAILABLE)
    assert tags(towers, "tower", available) == ["TOWER", "CFR-000230", "LIGHTS"]


def test_filters_naming_nothing_find_nothing(towers: Database) -> None:
    for filters in (
        SearchFilters(category="Submarines"),
        SearchFilters(agency="Nowhere Constabulary"),
        SearchFilters(site="Atlantis"),
    ):
        assert search_items(towers, "tower", filters, now=NOW).total == 0
        assert search_items(towers, "", filters, now=NOW).total == 0


@pytest.mark.parametrize("marker", ["kc1", "ka1", "ks1", "kstavailable", "kpool", "facets"])
def test_filter_markers_cannot_be_searched_for(towers: Database, marker: str) -> None:
    """SQLite keeps filter markers in the full-text index; typing one finds nothing."""
    assert search_items(towers, marker, now=NOW).total == 0


def test_each_rows_loans_are_found_through_the_index_on_the_item(catalogue: Database) -> None:
    """A search row's availability reads that item's loan lines by the index on the item.
    SQLite, which keeps no statistics, once took an index on whether a line holds stock
    instead, on some databases and not others, reading every holding line for each row."""
    statements: list[tuple[str, object]] = []

    def keep(*args: object) -> None:
        statements.append((str(args[2]), args[3]))

    event.listen(catalogue.engine, "before_cursor_execute", keep)
    try:
        page = search_items(catalogue, "", SearchFilters(), now=NOW)
    finally:
        event.remove(catalogue.engine, "before_cursor_execute", keep)
    assert page.rows
    rows_query = next((s, p) for s, p in statements if "loan_lines" in s)
    with catalogue.engine.connect() as connection:
        indexes = inspect(connection).get_indexes("loan_lines")
        if catalogue.dialect == "sqlite":
            plan = " ".join(
                str(step[-1])
                for step in connection.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {rows_query[0]}",
                    rows_query[1],  # type: ignore[arg-type]
                )
            )
            assert "USING INDEX ix_loan_lines_item_id" in plan
            assert "holds_stock" not in plan
    assert not [index["name"] for index in indexes if index["column_names"] == ["holds_stock"]]
