"""``app.transfer.service``: guessing the columns, the dry run's every reason, all-or-nothing
imports of items and people, new names created only when approved, and exports that
import back to the same data.

Most checks only read, so they share one SQLite database per module; whatever writes,
or where the database matters (the search index, the round trip), runs on SQLite and
PostgreSQL in turn.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.catalogue.search import search_items
from app.core.actor import Actor
from app.core.clock import format_date
from app.core.errors import DomainError, NotPermitted
from app.inspections.defects import clear_defect
from app.storage.database import Database, open_database
from app.transfer import service as transfer
from app.transfer.dates import DateBasis, DateOrder, day
from app.transfer.export import (
    ITEM_HEADERS,
    LOAN_HEADERS,
    PEOPLE_HEADERS,
    export,
    exportable_kinds,
)
from app.transfer.fields import ITEM_FIELDS, Kind, fields_for, guess_mapping
from app.transfer.names import NewName, NewNameKind
from app.transfer.service import ImportRefused, ImportReport, check_import, run_import
from app.transfer.tabular import Cancelled, RowProblem, Table, read_table
from models import (
    Agency,
    AgencyKind,
    AuditEvent,
    Category,
    Condition,
    Defect,
    DefectSeverity,
    EquipmentItem,
    ItemStatus,
    Person,
    PersonQualification,
    QualificationType,
    Role,
    Site,
)
from tests import factories
from tests.templates import Content, PostgresTemplates, SqliteTemplates
from tests.workbooks import workbook

SAMPLES = Path(__file__).parent / "data" / "import"
FIRE = "Cambridgeshire Fire and Rescue Service"
POLICE = "Cambridgeshire Constabulary"
TODAY = date(2026, 11, 21)

ADMIN = Actor(name="Claire Ashworth (test)", role=Role.ADMINISTRATOR)
DUTY = Actor(name="Rachel Holloway (test)", role=Role.DUTY_OFFICER)


@dataclass(frozen=True)
class World:
    fire: int
    police: int
    huntingdon: int
    st_neots: int
    parkside: int
    manager: Actor  # Paul Whitmore, Cambridgeshire Fire and Rescue Service


def build_world(db: Database) -> World:
    """Two agencies with their sites, four categories, one item and one person."""
    with db.write() as session:
        fire = Agency(code="CAMBS-FRS", name=FIRE, kind=AgencyKind.FIRE)
        police = Agency(code="CAMBS-POL", name=POLICE, kind=AgencyKind.POLICE)
        session.add_all([fire, police])
        session.flush()
        huntingdon = factories.site(session, fire, "Huntingdon Fire Station")
        st_neots = factories.site(session, fire, "St Neots Fire Station")
        parkside = factories.site(session, police, "Parkside Police Station")
        kinds = {
            name: factories.category(session, name)
            for name in ("Drones", "Lighting towers", "Pumps", "Catering")
        }
        factories.item(
            session,
            owner=fire,
            home=huntingdon,
            kind=kinds["Drones"],
            tag="CFR-000100",
            name="Existing drone",
        )
        paul = factories.person(session, fire, "Paul", "Whitmore")
        paul.staff_number = "CF20417"
        return World(
            fire=fire.id,
            police=police.id,
            huntingdon=huntingdon.id,
            st_neots=st_neots.id,
            parkside=parkside.id,
            manager=factories.acting(paul, Role.EQUIPMENT_MANAGER),
        )


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, World]]:
    """One SQLite database for the checks that only read."""
    path = tmp_path_factory.mktemp("transfer") / "shared.db"
    database = open_database(f"sqlite:///{path.as_posix()}")
    try:
        yield database, build_world(database)
    finally:
        database.dispose()


@pytest.fixture
def world(db: Database) -> World:
    return build_world(db)


def table(
    headers: Sequence[str], *rows: Sequence[str], problems: Sequence[RowProblem] = ()
) -> Table:
    return Table(
        headers=tuple(headers),
        rows=tuple(tuple(row) for row in rows),
        row_numbers=tuple(range(2, len(rows) + 2)),
        encoding="UTF-8",
        delimiter=",",
        problems=tuple(problems),
        file_name="kit.csv",
    )


HEADERS = tuple(f.label for f in ITEM_FIELDS)
GOOD = {
    "Asset tag": "CFR-000201",
    "Name": "Tower light 9 m mast",
    "Category": "Lighting towers",
    "Owner agency": "CAMBS-FRS",
    "Home site": "Huntingdon Fire Station",
}


LABELS = {f.key: f.label for f in ITEM_FIELDS}


def item(**cells: str) -> tuple[str, ...]:
    """A row under ``HEADERS``: a good item, with ``cells`` (by field key) changed."""
    values = {**GOOD, **{LABELS[key]: value for key, value in cells.items()}}
    return tuple(values.get(header, "") for header in HEADERS)


def items_table(*rows: tuple[str, ...]) -> Table:
    return table(HEADERS, *rows)


def mapping_for(headers: Sequence[str], kind: Kind = Kind.ITEMS) -> dict[str, str]:
    return guess_mapping(tuple(headers), kind)


def check(
    db: Database, source: Table, actor: Actor = ADMIN, kind: Kind = Kind.ITEMS, **options: Any
) -> ImportReport:
    return check_import(
        db, actor, source, kind, mapping_for(source.headers, kind), today=TODAY, **options
    )


def counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (EquipmentItem, Person, Category, Agency, Site, AuditEvent)
        }


# -- the fields and the guessed mapping -----------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("tag", "asset_tag"),
        ("Asset Tag", "asset_tag"),
        ("asset_tag", "asset_tag"),
        ("Asset tag no.", "asset_tag"),
        ("ASSET-TAG", "asset_tag"),
        ("Name", "name"),
        ("Item Name", "name"),
        ("Asset Name", "name"),
        ("Category", "category"),
        ("Make", "make"),
        ("Manufacturer", "make"),
        ("Model", "model"),
        ("Serial", "serial_number"),
        ("Serial Number", "serial_number"),
        ("serial_no", "serial_number"),
        ("Site", "home_site"),
        ("Location", "home_site"),
        ("Default Location", "home_site"),
        ("Owner", "owner_agency"),
        ("Company", "owner_agency"),
        ("Agency", "owner_agency"),
        ("Quantity", "quantity"),
        ("Qty", "quantity"),
        ("Notes", "notes"),
        ("Purchase Date", "acquired_on"),
        ("Purchase Cost", "replacement_value"),
        ("Replacement value", "replacement_value"),
        ("Replacement value (£)", "replacement_value"),
        ("Status", "status"),
        ("  status  ", "status"),
    ],
)
def test_each_header_spelling_maps_to_its_field(header: str, key: str) -> None:
    assert guess_mapping((header,), Kind.ITEMS) == {key: header}


def test_a_snipe_it_asset_export_maps_by_itself() -> None:
    source = read_table(SAMPLES / "snipe-it-assets.csv")
    assert guess_mapping(source.headers, Kind.ITEMS) == {
        "asset_tag": "Asset Tag",
        "name": "Asset Name",
        "category": "Category",
        "owner_agency": "Company",
        # Snipe-IT's "Location" is where the asset is now; its home is the default.
        "home_site": "Default Location",
        "make": "Manufacturer",
        "model": "Model",
        "serial_number": "Serial",
        "acquired_on": "Purchase Date",
        "replacement_value": "Purchase Cost",
        "status": "Status",
        "notes": "Notes",
    }


def test_each_header_goes_to_one_field_and_each_field_to_one_header() -> None:
    headers = ("Name", "Item name", "Tag", "Asset tag", "Location", "Site", "Cost", "Value")
    mapping = guess_mapping(headers, Kind.ITEMS)
    assert mapping == {
        "name": "Name",
        "asset_tag": "Asset tag",
        "home_site": "Site",
        "replacement_value": "Cost",
    }
    assert len(set(mapping.values())) == len(mapping)


def test_exported_headings_map_back_to_every_field() -> None:
    assert guess_mapping(ITEM_HEADERS, Kind.ITEMS) == {f.key: f.label for f in ITEM_FIELDS}
    people = guess_mapping(PEOPLE_HEADERS, Kind.PEOPLE)
    assert set(people) == {f.key for f in fields_for(Kind.PEOPLE)} - {"full_name"}
    assert "Qualifications" not in people.values()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ("Collar number", "Forename", "Surname", "Force"),
            ["staff_number", "given_name", "family_name", "agency"],
        ),
        (
            ("Staff no", "Name", "Organisation", "E-mail", "Mobile"),
            ["staff_number", "full_name", "agency", "email", "phone"],
        ),
        (
            ("Employee ID", "Full name", "Service", "Rank", "Station", "Active"),
            ["staff_number", "full_name", "agency", "rank_or_role", "home_site", "active"],
        ),
    ],
)
def test_people_headers(headers: tuple[str, ...], expected: list[str]) -> None:
    assert guess_mapping(headers, Kind.PEOPLE) == dict(zip(expected, headers, strict=True))


def test_an_equipment_managers_import_needs_no_owner_column(shared: tuple[Database, World]) -> None:
    _db, world = shared
    required = {f.key for f in fields_for(Kind.ITEMS) if f.required}
    assert required == {"asset_tag", "name", "category", "owner_agency", "home_site"}
    own = {f.key for f in fields_for(Kind.ITEMS, world.manager) if f.required}
    assert own == required - {"owner_agency"}
    assert {f.key for f in fields_for(Kind.PEOPLE) if f.required} == {"staff_number", "agency"}
    with pytest.raises(DomainError, match="does not import them"):
        fields_for(Kind.LOANS)


# -- the dry run: every reason a row is refused ---------------------------------------------------

FUTURE = format_date(TODAY + timedelta(days=1))


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"asset_tag": ""}, "Asset tag", "Enter an asset tag"),
        ({"asset_tag": "CFR 201"}, "Asset tag", "may contain only letters, digits"),
        ({"asset_tag": "C" * 41}, "Asset tag", "shorten it to 40 or fewer"),
        ({"name": ""}, "Name", "Enter a name for the item"),
        ({"name": "N" * 201}, "Name", "shorten it to 200 or fewer"),
        ({"make": "M" * 101}, "Make", "The make is 101 characters long"),
        ({"category": ""}, "Category", "Give the item's category"),
        ({"home_site": ""}, "Home site", "Give the site where the item is kept"),
        ({"owner_agency": ""}, "Owner agency", "Give the agency that owns the item"),
        ({"quantity": "2.5"}, "Quantity", "“2.5” is not a whole number"),
        ({"quantity": "lots"}, "Quantity", "“lots” is not a whole number"),
        ({"quantity": "0"}, "Quantity", "Enter a quantity of 1 or more"),
        ({"quantity": "-3"}, "Quantity", "Enter a quantity of 1 or more"),
        ({"quantity": "5", "pooled": "no"}, "Quantity", "quantity must be 1"),
        ({"pooled": "maybe"}, "Pooled", "is not yes or no"),
        ({"acquired_on": "31/02/2024"}, "Acquired on", "not a real date"),
        ({"acquired_on": "March 2024"}, "Acquired on", "give it as DD/MM/YYYY"),
        ({"acquired_on": "14/3/202"}, "Acquired on", "give it as DD/MM/YYYY"),
        ({"acquired_on": "44927"}, "Acquired on", "counting days would show it as 01/01/2023"),
        ({"acquired_on": "01/01/0001"}, "Acquired on", "is before 1900; check the year"),
        ({"acquired_on": "0001-01-01"}, "Acquired on", "is before 1900; check the year"),
        ({"acquired_on": FUTURE}, "Acquired on", "is in the future"),
        ({"replacement_value": "about £200"}, "Replacement value (£)", "not an amount in pounds"),
        ({"replacement_value": "12.345"}, "Replacement value (£)", "fractions of a penny"),
        ({"replacement_value": "$200"}, "Replacement value (£)", "not an amount in pounds"),
        ({"replacement_value": "-£5"}, "Replacement value (£)", "cannot be negative"),
        ({"daily_hire_rate": "ten"}, "Daily hire rate (£)", "not an amount in pounds"),
        ({"status": "Mislaid"}, "Status", "not one Kit Share knows"),
        ({"name": "#REF!"}, "Name", "holds the spreadsheet error #REF!, not a value"),
        ({"notes": "#N/A"}, "Notes", "holds the spreadsheet error #N/A"),
        ({"notes": "N" * 32_768}, "Notes", "32,768 characters long; Kit Share keeps up to 32,767"),
        ({"description": "Dr\x00one"}, "Description", "holds a NUL character"),
        ({"condition": "shiny"}, "Condition", "give new, good, fair, poor or unserviceable"),
        (
            {"category": "Dornes"},
            "Category",
            "no category “Dornes” in Kit Share (did you mean “Drones”?)",
        ),
        ({"category": "Hovercraft"}, "Category", "choose to create the category"),
        (
            {"owner_agency": "Suffolk Fire"},
            "Owner agency",
            "No agency is called or has the short code",
        ),
        ({"home_site": "Ely Fire Station"}, "Home site", f"{FIRE} has no site “Ely Fire Station”"),
        (
            {"home_site": "Parkside Police Station"},
            "Home site",
            "has no site “Parkside Police Station”",
        ),
        (
            {"asset_tag": "cfr-000100"},
            "Asset tag",
            "Asset tag CFR-000100 is already in the catalogue, on “Existing drone”",
        ),
        ({"category": "C" * 121}, "Category", "shorten it to 120 or fewer"),
    ],
)
def test_every_reason_a_row_is_refused(
    shared: tuple[Database, World], cells: dict[str, str], column: str, reason: str
) -> None:
    db, _world = shared
    report = check(db, items_table(item(), item(**{"asset_tag": "CFR-000202", **cells})))
    assert not report.ok
    assert report.bad_rows == 1
    assert {p.row for p in report.problems} == {3}
    matching = [p for p in report.problems if reason in p.reason]
    assert matching, report.problems
    assert matching[0].column == column


def test_a_good_file_has_no_problems(shared: tuple[Database, World]) -> None:
    db, _world = shared
    report = check(
        db,
        items_table(
            item(),
            item(
                asset_tag="CFR-000202",
                name="Salvage sheets",
                category="  pumps ",  # case and spaces do not matter
                owner_agency=FIRE.upper(),
                home_site="st neots fire station",
                quantity="40",
                acquired_on="2024-03-14",
                replacement_value="£1,234.50",
                daily_hire_rate="12",
                status="Ready to Deploy",
                condition="Fair",
            ),
        ),
    )
    assert report == ImportReport(
        Kind.ITEMS,
        2,
        (),
        (),
        "UTF-8",
        notices=("Status “Ready to Deploy” (1 row): imported as available.",),
    )
    assert report.ok


def test_a_tag_twice_in_the_file_names_both_rows(shared: tuple[Database, World]) -> None:
    db, _world = shared
    report = check(
        db, items_table(item(), item(asset_tag="CFR-000300"), item(asset_tag="cfr-000201"))
    )
    assert [(p.row, p.column) for p in report.problems] == [(2, "Asset tag"), (4, "Asset tag")]
    assert all(
        "is on more than one row of the file (rows 2 and 4)" in p.reason for p in report.problems
    )


def test_an_equipment_manager_importing_another_agencys_kit(shared: tuple[Database, World]) -> None:
    db, world = shared
    report = check(
        db,
        items_table(
            item(),
            item(asset_tag="CAM-000300", owner_agency=POLICE, home_site="Parkside Police Station"),
        ),
        actor=world.manager,
    )
    (problem,) = report.problems
    assert (problem.row, problem.column) == (3, "Owner agency")
    assert "equipment manager for another agency" in problem.reason
    assert f"not {POLICE}'s" in problem.reason


def test_an_equipment_managers_own_agency_is_the_default_owner(
    shared: tuple[Database, World],
) -> None:
    db, world = shared
    headers = [h for h in HEADERS if h != "Owner agency"]
    rows = [tuple(v for h, v in zip(HEADERS, item(), strict=True) if h != "Owner agency")]
    assert check(db, table(headers, *rows), actor=world.manager).ok
    refused = check(db, table(headers, *rows))
    assert [p.row for p in refused.problems] == [1]
    assert "No column is chosen for Owner agency" in refused.problems[0].reason


def test_rows_the_file_could_not_read_are_reported_as_such(shared: tuple[Database, World]) -> None:
    db, _world = shared
    wrong = RowProblem(3, None, "This row is not in the file's encoding (UTF-8)…")
    source = table(
        HEADERS, item(), item(asset_tag="CFR-000202", name="Caf\ufffd"), problems=[wrong]
    )
    report = check(db, source)
    assert report.problems == (wrong,)


def test_a_missing_required_column_is_one_problem_not_one_per_row(
    shared: tuple[Database, World],
) -> None:
    db, _world = shared
    headers = ("Asset tag", "Name", "Category")
    rows = [(f"CFR-{n:06d}", "Cone", "Pumps") for n in range(1000)]
    report = check(db, table(headers, *rows))
    (problem,) = report.problems
    assert (problem.row, problem.column) == (1, None)
    assert (
        "No column is chosen for Owner agency and Home site, which every row needs"
        in problem.reason
    )
    assert report.total_rows == 1000


def test_a_mapping_naming_what_is_not_there(shared: tuple[Database, World]) -> None:
    db, _world = shared
    mapping = {**mapping_for(HEADERS), "serial_number": "Serial", "colour": "Name"}
    report = check_import(db, ADMIN, items_table(item()), Kind.ITEMS, mapping, today=TODAY)
    reasons = [p.reason for p in report.problems]
    assert all(p.row == 1 for p in report.problems)
    assert any("no column headed “Serial”, chosen for Serial number" in r for r in reasons)
    assert any("no field “colour”" in r for r in reasons)


def test_headings_with_no_rows_are_nothing_to_import(shared: tuple[Database, World]) -> None:
    db, _world = shared
    (problem,) = check(db, items_table()).problems
    assert problem.row == 1
    assert "no rows under them" in problem.reason


def test_only_those_who_keep_the_catalogue_may_import(shared: tuple[Database, World]) -> None:
    db, world = shared
    with pytest.raises(NotPermitted, match="only an equipment manager or an administrator"):
        check(db, items_table(item()), actor=DUTY)
    with pytest.raises(NotPermitted, match="only an administrator can change people"):
        check(
            db,
            table(("Staff number", "Name", "Agency"), ("1", "A B", FIRE)),
            actor=world.manager,
            kind=Kind.PEOPLE,
        )
    with pytest.raises(DomainError, match="does not import them"):
        check_import(db, ADMIN, items_table(item()), Kind.LOANS, {})


# -- new names ------------------------------------------------------------------------------------


def new_names_table() -> Table:
    return items_table(
        item(category="Hovercraft"),
        item(
            asset_tag="SFR-000001",
            owner_agency="Suffolk Fire and Rescue Service",
            home_site="Ipswich East",
        ),
        item(asset_tag="CFR-000203", category="hovercraft", home_site="Ely Fire Station"),
        item(
            asset_tag="SFR-000002",
            owner_agency="suffolk fire and rescue service",
            home_site="Ipswich  East",
        ),
    )


def test_new_names_are_listed_once_with_their_rows(shared: tuple[Database, World]) -> None:
    db, _world = shared
    report = check(db, new_names_table())
    assert report.new_names == (
        NewName(NewNameKind.AGENCY, "Suffolk Fire and Rescue Service", None, 2),
        NewName(NewNameKind.CATEGORY, "Hovercraft", None, 2),
        NewName(NewNameKind.SITE, "Ely Fire Station", FIRE, 1),
        NewName(NewNameKind.SITE, "Ipswich East", "Suffolk Fire and Rescue Service", 2),
    )
    assert report.bad_rows == 4
    approved = check(db, new_names_table(), create={n.key for n in report.new_names})
    assert approved.ok
    assert approved.new_names == report.new_names


def test_a_name_not_approved_stays_a_problem(shared: tuple[Database, World]) -> None:
    db, _world = shared
    first = check(db, new_names_table())
    agency = next(n for n in first.new_names if n.kind is NewNameKind.AGENCY)
    report = check(db, new_names_table(), create={n.key for n in first.new_names if n != agency})
    assert [(p.row, p.column) for p in report.problems] == [
        (3, "Owner agency"),
        (5, "Owner agency"),
    ]
    assert "choose to create the agency" in report.problems[0].reason


def test_an_equipment_manager_may_add_only_their_own_agencys_sites(
    shared: tuple[Database, World],
) -> None:
    db, world = shared
    source = items_table(
        item(home_site="Ely Fire Station"), item(asset_tag="CFR-000203", category="Hovercraft")
    )
    report = check(db, source, actor=world.manager)
    # The category is not offered: only an administrator can add one.
    assert report.new_names == (NewName(NewNameKind.SITE, "Ely Fire Station", FIRE, 1),)
    (problem,) = check(db, source, actor=world.manager, create={report.new_names[0].key}).problems
    assert (problem.row, problem.column) == (3, "Category")
    assert "only an administrator can add categories" in problem.reason


def test_a_cancelled_check(shared: tuple[Database, World]) -> None:
    db, _world = shared
    rows = [item(asset_tag=f"CFR-{n:06d}") for n in range(300, 1500)]
    seen: list[tuple[int, int]] = []

    def cancel(done: int, total: int) -> bool:
        seen.append((done, total))
        return False

    with pytest.raises(Cancelled, match="nothing was imported"):
        check(db, items_table(*rows), progress=cancel)
    assert seen == [(500, 1200)]


# -- dates: the order read from the whole column ---------------------------------------------------


def dates_table(*dates: str) -> Table:
    return items_table(
        *(item(asset_tag=f"CFR-{n:06d}", acquired_on=d) for n, d in enumerate(dates, 201))
    )


def test_a_date_only_month_first_fits_settles_the_column(shared: tuple[Database, World]) -> None:
    db, _world = shared
    report = check(db, dates_table("3/1/2023", "8/25/22", "12/31/2021", "2024-03-14"))
    assert report.ok, report.problems
    (reading,) = report.dates
    assert (reading.order, reading.basis) == (DateOrder.MONTH_FIRST, DateBasis.FILE)
    assert reading.sentence == (
        "Acquired on read as month/day/year, e.g. 8/25/22 → 25/08/2022 (8/25/22 fits no "
        "other order)."
    )
    assert report.notices == (reading.sentence,)


def test_a_date_only_day_first_fits_settles_it_the_other_way(
    shared: tuple[Database, World],
) -> None:
    db, _world = shared
    report = check(db, dates_table("3/1/2023", "25/08/2022"))
    assert report.ok, report.problems
    assert report.dates[0].sentence == (
        "Acquired on read as day/month/year, e.g. 25/08/2022 → 25/08/2022 (25/08/2022 fits "
        "no other order)."
    )


def test_a_column_no_date_settles_is_read_day_first_and_says_so(
    shared: tuple[Database, World],
) -> None:
    db, _world = shared
    report = check(db, dates_table("3/1/2023", "4/2/2023", "5/5/2023"))
    assert report.ok
    assert report.dates[0].sentence == (
        "Acquired on read as day/month/year, e.g. 3/1/2023 → 03/01/2023: no date in the "
        "column fits only one order, so the UK order is used. If the file comes from a US "
        "system (Snipe-IT, say), read it as month/day/year instead."
    )


def test_the_order_can_be_chosen(shared: tuple[Database, World]) -> None:
    db, _world = shared
    report = check(db, dates_table("3/1/2023", "4/2/2023"), dates=DateOrder.MONTH_FIRST)
    assert report.ok
    assert report.dates[0].sentence == (
        "Acquired on read as month/day/year, as chosen, e.g. 3/1/2023 → 01/03/2023."
    )
    # Chosen against what the file holds: the dates that cannot be read so are named.
    refused = check(db, dates_table("3/1/2023", "8/25/22"), dates=DateOrder.DAY_FIRST)
    (problem,) = refused.problems
    assert (problem.row, problem.column) == (3, "Acquired on")
    assert problem.reason == (
        "The date acquired “8/25/22” cannot be read as day/month/year, the order its column "
        "is read in: there is no month 25. Correct it, or read the column as month/day/year "
        "if that is how the file writes its dates."
    )


def test_only_a_column_mixed_and_ambiguous_is_refused_on_the_ambiguous_rows(
    shared: tuple[Database, World],
) -> None:
    db, _world = shared
    mixed = dates_table("25/08/2022", "8/25/2022", "3/1/2023", "2022-05-01", "6/6/2022")
    report = check(db, mixed)
    (problem,) = report.problems
    assert (problem.row, problem.column) == (4, "Acquired on")
    assert problem.reason == (
        "Acquired on has dates only day/month/year fits (row 2) and dates only month/day/year "
        "fits (row 3), so “3/1/2023” could be 03/01/2023 or 01/03/2023. Write it as "
        "YYYY-MM-DD, or choose the order the file uses, and import the file again."
    )
    assert report.dates[0].basis is DateBasis.EACH
    assert report.dates[0].sentence == (
        "Acquired on has dates only day/month/year fits (row 2) and dates only month/day/year "
        "fits (row 3); each is read the one way it fits, and the 1 date that fits both cannot "
        "be read until you choose the order the file uses."
    )
    # Mixed, but each date fits one order only: each is read that way.
    assert check(db, dates_table("25/08/2022", "8/25/2022", "2022-05-01")).ok
    # The person's choice settles the ambiguous ones (and refuses what it cannot read).
    chosen = check(db, mixed, dates=DateOrder.MONTH_FIRST)
    assert [p.row for p in chosen.problems] == [2]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("11/21/26", date(2026, 11, 21)),
        ("11/22/26", date(2026, 11, 22)),  # later this year: refused as in the future
        ("1/1/27", date(1927, 1, 1)),
        ("1/1/00", date(2000, 1, 1)),
    ],
)
def test_a_two_digit_year_is_the_latest_such_year_not_after_today(written: str, read: date) -> None:
    assert day(written, "The date", order=DateOrder.MONTH_FIRST, today=TODAY) == read


def test_dates_as_read_on_each_database(db: Database, world: World, tmp_path: Path) -> None:
    source = dates_table("1/23/23", "3/1/2023", "12/31/99", "2023-01-03")
    run_import(db, ADMIN, source, Kind.ITEMS, mapping_for(HEADERS), today=TODAY)
    # A workbook's date cells are dates already, whatever order its typed dates use.
    path = workbook(
        tmp_path / "us.xlsx",
        HEADERS,
        item(asset_tag="CFR-000301", acquired_on="8/25/22"),
        (*item(asset_tag="CFR-000302")[:14], date(2023, 1, 3)),
        item(asset_tag="CFR-000303", acquired_on="3/1/2023"),
    )
    sheet = read_table(path)
    report = check_import(db, ADMIN, sheet, Kind.ITEMS, mapping_for(HEADERS), today=TODAY)
    assert report.dates[0].order is DateOrder.MONTH_FIRST
    run_import(db, ADMIN, sheet, Kind.ITEMS, mapping_for(HEADERS), today=TODAY)
    with db.read() as session:
        found = session.execute(select(EquipmentItem.asset_tag, EquipmentItem.acquired_on))
        acquired: dict[str, date | None] = {}
        acquired.update((tag, day) for tag, day in found)
    assert {tag: acquired[tag] for tag in sorted(acquired) if tag != "CFR-000100"} == {
        "CFR-000201": date(2023, 1, 23),
        "CFR-000202": date(2023, 3, 1),
        "CFR-000203": date(1999, 12, 31),
        "CFR-000204": date(2023, 1, 3),
        "CFR-000301": date(2022, 8, 25),
        "CFR-000302": date(2023, 1, 3),
        "CFR-000303": date(2023, 3, 1),
    }


# -- the import: all or nothing -------------------------------------------------------------------


def test_an_import_adds_every_row_and_one_audit_event(db: Database, world: World) -> None:
    source = items_table(
        item(
            acquired_on="14/03/2024",
            replacement_value="1,234.50",
            daily_hire_rate="£45",
            make="DJI",
            model="M30T",
            serial_number="SN-1",
        ),
        item(
            asset_tag="CFR-000202",
            name="Salvage sheets",
            category="Pumps",
            home_site="St Neots Fire Station",
            quantity="40",
            notes="Bay 2",
            condition="new",
        ),
        item(
            asset_tag="CFR-000203",
            name="Old floodlight",
            category="Hovercraft",
            status="Archived",
            accessories="Lead",
        ),
    )
    create = {("category", "hovercraft", None)}
    steps: list[tuple[int, int]] = []

    def track(done: int, total: int) -> bool:
        steps.append((done, total))
        return True

    result = run_import(
        db,
        ADMIN,
        source,
        Kind.ITEMS,
        mapping_for(HEADERS),
        create=create,
        progress=track,
        today=TODAY,
    )
    assert (result.kind, result.created) == (Kind.ITEMS, 3)
    assert result.created_names == (NewName(NewNameKind.CATEGORY, "Hovercraft", None, 1),)
    assert steps[-1] == (6, 6)  # the check, then the writing
    with db.read() as session:
        rows = {
            item.asset_tag: item
            for item in session.scalars(
                select(EquipmentItem).where(EquipmentItem.asset_tag != "CFR-000100")
            )
        }
        drone, sheets, light = rows["CFR-000201"], rows["CFR-000202"], rows["CFR-000203"]
        assert (drone.make, drone.model, drone.serial_number) == ("DJI", "M30T", "SN-1")
        assert (drone.acquired_on, drone.replacement_value_pence, drone.daily_hire_rate_pence) == (
            date(2024, 3, 14),
            123450,
            4500,
        )
        assert (drone.is_pooled, drone.quantity, drone.status, drone.condition) == (
            False,
            1,
            ItemStatus.AVAILABLE,
            Condition.GOOD,
        )
        assert (drone.owner_agency_id, drone.home_site_id, drone.row_version) == (
            world.fire,
            world.huntingdon,
            1,
        )
        assert (sheets.is_pooled, sheets.quantity, sheets.notes, sheets.condition) == (
            True,
            40,
            "Bay 2",
            Condition.NEW,
        )
        assert sheets.home_site_id == world.st_neots
        assert (light.status, light.accessories, light.description) == (
            ItemStatus.RETIRED,
            "Lead",
            None,
        )
        assert (
            session.scalar(select(Category.name).where(Category.id == light.category_id))
            == "Hovercraft"
        )
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "catalogue.imported")
        )
        assert event.actor == ADMIN.name
        assert event.after == {
            "file": "kit.csv",
            "rows": 3,
            "categories_created": ["Hovercraft"],
            "asset_tags": "CFR-000201 to CFR-000203",
        }
        assert event.note == "Imported 3 items from kit.csv; created category “Hovercraft”."
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1
    # The search index holds them, as if each had been added by hand.
    found = search_items(db, "salvage")
    assert [row.asset_tag for row in found.rows] == ["CFR-000202"]
    assert [row.asset_tag for row in search_items(db, "hovercraft").rows] == ["CFR-000203"]
    assert [row.asset_tag for row in search_items(db, "0201").rows] == ["CFR-000201"]


def test_a_bad_row_imports_nothing(db: Database, world: World) -> None:
    before = counts(db)
    source = items_table(
        item(), item(asset_tag="CFR-000202"), item(asset_tag="CFR-000203", quantity="0")
    )
    with pytest.raises(ImportRefused) as refused:
        run_import(db, ADMIN, source, Kind.ITEMS, mapping_for(HEADERS), today=TODAY)
    assert refused.value.message == "Nothing was imported: 1 row needs fixing."
    assert [p.row for p in refused.value.report.problems] == [4]
    assert counts(db) == before


@pytest.mark.parametrize("stop_at", [500, 1700], ids=["while checking", "while writing"])
def test_a_cancel_imports_nothing(db: Database, world: World, stop_at: int) -> None:
    before = counts(db)
    rows = [item(asset_tag=f"CFR-{n:06d}", category="Hovercraft") for n in range(1000, 2200)]

    def cancel(done: int, total: int) -> bool:
        return done < stop_at

    with pytest.raises(Cancelled):
        run_import(
            db,
            ADMIN,
            items_table(*rows),
            Kind.ITEMS,
            mapping_for(HEADERS),
            create={("category", "hovercraft", None)},
            progress=cancel,
            today=TODAY,
        )
    assert counts(db) == before
    assert search_items(db, "tower").total == 0


def test_a_failure_part_way_through_the_writing_imports_nothing(
    db: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "WRITE_BATCH", 100)
    before = counts(db)
    rows = [item(asset_tag=f"CFR-{n:06d}") for n in range(1000, 1450)]
    batches: list[int] = []

    def fail_in_the_third_batch(done: int, total: int) -> bool:
        if done > len(rows):
            batches.append(done)
            if len(batches) == 3:
                raise OSError("disk full")
        return True

    with pytest.raises(OSError, match="disk full"):
        run_import(
            db,
            ADMIN,
            items_table(*rows),
            Kind.ITEMS,
            mapping_for(HEADERS),
            progress=fail_in_the_third_batch,
            today=TODAY,
        )
    assert batches == [550, 650, 750]
    assert counts(db) == before
    # The search trigger the import set aside (on SQLite) is back: a new item is indexed.
    with db.write() as session:
        factories.item(
            session,
            owner=session.get_one(Agency, world.fire),
            home=session.get_one(Site, world.huntingdon),
            kind=session.scalars(select(Category).where(Category.name == "Pumps")).one(),
            tag="CFR-009999",
            name="Floating pump",
        )
    assert [row.asset_tag for row in search_items(db, "floating").rows] == ["CFR-009999"]


def test_new_names_are_created_only_when_approved(db: Database, world: World) -> None:
    before = counts(db)
    with pytest.raises(ImportRefused):
        run_import(db, ADMIN, new_names_table(), Kind.ITEMS, mapping_for(HEADERS), today=TODAY)
    assert counts(db) == before
    report = check(db, new_names_table())
    result = run_import(
        db,
        ADMIN,
        new_names_table(),
        Kind.ITEMS,
        mapping_for(HEADERS),
        create={n.key for n in report.new_names},
        today=TODAY,
    )
    assert result.created == 4
    assert [n.name for n in result.created_names] == [
        "Suffolk Fire and Rescue Service",
        "Hovercraft",
        "Ely Fire Station",
        "Ipswich East",
    ]
    with db.read() as session:
        suffolk = session.scalars(
            select(Agency).where(Agency.name == "Suffolk Fire and Rescue Service")
        ).one()
        assert (suffolk.code, suffolk.kind) == ("SFRS", AgencyKind.FIRE)
        assert {s.name for s in suffolk.sites} == {"Ipswich East"}
        ely = session.scalars(select(Site).where(Site.name == "Ely Fire Station")).one()
        assert ely.agency_id == world.fire
        assert (
            session.scalar(
                select(func.count())
                .select_from(EquipmentItem)
                .where(EquipmentItem.owner_agency_id == suffolk.id)
            )
            == 2
        )
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "catalogue.imported")
        )
        assert event.after is not None
        assert event.after["agencies_created"] == ["Suffolk Fire and Rescue Service"]
        assert event.after["sites_created"] == [
            f"Ely Fire Station ({FIRE})",
            "Ipswich East (Suffolk Fire and Rescue Service)",
        ]
    assert counts(db)["agencies"] == before["agencies"] + 1


def test_the_sample_files_import(db: Database, world: World) -> None:
    imported: dict[str, int] = {}
    for name in ("snipe-it-assets.csv", "windows-1252.csv", "semicolon.csv"):
        source = read_table(SAMPLES / name)
        report = check(db, source)
        assert report.ok, report.problems
        imported[name] = run_import(
            db, ADMIN, source, Kind.ITEMS, mapping_for(source.headers), today=TODAY
        ).created
    assert imported == {"snipe-it-assets.csv": 4, "windows-1252.csv": 2, "semicolon.csv": 2}
    with db.read() as session:
        rows = {i.asset_tag: i for i in session.scalars(select(EquipmentItem))}
        drone = rows["CFR-000901"]
        assert (drone.name, drone.make, drone.model, drone.serial_number) == (
            "Thermal drone, Matrice 30T",
            "DJI",
            "Matrice 30T",
            "1581F5BKD23A0901",
        )
        assert (drone.acquired_on, drone.replacement_value_pence) == (date(2024, 3, 14), 1150000)
        # "Deployed" is kit in use (available to lend); its home is its Default Location.
        assert (rows["CFR-000902"].status, rows["CFR-000902"].home_site_id) == (
            ItemStatus.AVAILABLE,
            world.huntingdon,
        )
        assert rows["CFR-000902"].replacement_value_pence == 845000
        assert [rows[t].status for t in ("CAM-000903", "CAM-000904")] == [ItemStatus.RETIRED] * 2
        assert rows["CAM-000903"].acquired_on == date(2015, 6, 15)
        assert rows["CAM-000903"].replacement_value_pence == 12050
        urn = rows["CFR-000911"]
        assert (urn.name, urn.replacement_value_pence) == ("Café urn 20 litre", 125000)
        assert urn.notes == "Évacuation centre kit – keep with the rest-centre boxes"
        sheets = rows["CFR-000921"]
        assert (sheets.is_pooled, sheets.quantity, sheets.notes) == (
            True,
            40,
            "Kept in bay 2; ask the watch manager",
        )
        assert rows["CFR-000922"].notes == "Two-line note:\ncheck the impeller"


# -- people ---------------------------------------------------------------------------------------

PEOPLE = ("Collar number", "Name", "Force", "Rank", "Station", "Email", "Phone", "Active")


def test_people_import_splits_a_single_name_column(db: Database, world: World) -> None:
    source = table(
        PEOPLE,
        (
            "2391",
            "Daniel  Okafor",
            "CAMBS-POL",
            "PC",
            "Parkside Police Station",
            "d.okafor@cambs.police.uk",
            "01223 555123",
            "",
        ),
        ("CF1", "Mary Anne de la Cruz", FIRE, "", "", "", "", "no"),
    )
    result = run_import(
        db, ADMIN, source, Kind.PEOPLE, mapping_for(PEOPLE, Kind.PEOPLE), today=TODAY
    )
    assert result.created == 2
    with db.read() as session:
        people = {p.staff_number: p for p in session.scalars(select(Person))}
        okafor, cruz = people["2391"], people["CF1"]
        assert (okafor.given_name, okafor.family_name, okafor.agency_id, okafor.home_site_id) == (
            "Daniel",
            "Okafor",
            world.police,
            world.parkside,
        )
        assert (okafor.email, okafor.phone, okafor.rank_or_role, okafor.is_active) == (
            "d.okafor@cambs.police.uk",
            "01223 555123",
            "PC",
            True,
        )
        assert (cruz.given_name, cruz.family_name, cruz.is_active, cruz.home_site_id) == (
            "Mary Anne de la",
            "Cruz",
            False,
            None,
        )
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "people.imported"))
        assert event.note == "Imported 2 people from kit.csv."


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (
            ("", "A Person", FIRE, "", "", "", "", ""),
            "Collar number",
            "Give the collar or staff number",
        ),
        (("CF2", "Cher", FIRE, "", "", "", "", ""), "Name", "Give the person's family name"),
        (
            ("CF2", "A Person", "", "", "", "", "", ""),
            "Force",
            "Give the agency this person works for",
        ),
        (("CF2", "A Person", "Mars Police", "", "", "", "", ""), "Force", "No agency is called"),
        (
            ("CF20417", "A Person", FIRE, "", "", "", "", ""),
            "Collar number",
            "is already Paul Whitmore's",
        ),
        (
            ("cf20417", "A Person", "CAMBS-FRS", "", "", "", "", ""),
            "Collar number",
            "is already Paul Whitmore's",
        ),
        (
            ("CF2", "A Person", FIRE, "", "Parkside Police Station", "", "", ""),
            "Station",
            "has no site",
        ),
        (
            ("CF2", "A Person", FIRE, "", "", "not-an-email", "", ""),
            "Email",
            "does not look like an email",
        ),
        (
            ("CF2", "A Person", FIRE, "", "", "", "12", ""),
            "Phone",
            "does not look like a phone number",
        ),
        (("CF2", "A Person", FIRE, "R" * 121, "", "", "", ""), "Rank", "shorten it to 120"),
        (("CF2", "A Person", FIRE, "", "", "", "", "sometimes"), "Active", "is not yes or no"),
    ],
)
def test_every_reason_a_person_is_refused(
    shared: tuple[Database, World], row: tuple[str, ...], column: str, reason: str
) -> None:
    db, _world = shared
    good = ("CF3", "Good Person", FIRE, "", "", "", "", "")
    report = check(db, table(PEOPLE, good, row), kind=Kind.PEOPLE)
    assert {p.row for p in report.problems} == {3}, report.problems
    assert any(reason in p.reason and p.column == column for p in report.problems), report.problems


def test_a_staff_number_twice_at_one_agency(shared: tuple[Database, World]) -> None:
    db, _world = shared
    source = table(
        ("Staff number", "Given name", "Family name", "Agency"),
        ("77", "Ann", "One", FIRE),
        ("77", "Ann", "Two", POLICE),  # another agency: its own numbering
        ("77", "Ann", "Three", "cambs-frs"),
    )
    report = check(db, source, kind=Kind.PEOPLE)
    assert [p.row for p in report.problems] == [2, 4]
    assert "is on more than one row of the file (rows 2 and 4)" in report.problems[0].reason
    missing = check(
        db, table(("Staff number", "Given name", "Agency"), ("77", "Ann", FIRE)), kind=Kind.PEOPLE
    )
    assert [p.reason for p in missing.problems] == [
        "No column is chosen for Family name (or Full name), which every row needs. Choose "
        "the column that holds it, or add one to the file."
    ]


# -- export, and the round trip -------------------------------------------------------------------


@pytest.fixture
def second_db(
    migrated_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Database]:
    """Another database at the newest schema, of the same kind as ``db``."""
    with ExitStack() as stack:
        if make_url(migrated_url).get_backend_name() == "sqlite":
            sqlite: SqliteTemplates = request.getfixturevalue("sqlite_templates")
            path = sqlite.copy(Content.SCHEMA, tmp_path / "second.db")
            url = f"sqlite:///{path.as_posix()}"
        else:
            postgres: PostgresTemplates = request.getfixturevalue("postgres_templates")
            url = stack.enter_context(postgres.database(Content.SCHEMA))
        database = open_database(url)
        stack.callback(database.dispose)
        yield database


def fill_for_round_trip(db: Database, world: World) -> None:
    """Kit and people with every field used, awkward text included."""
    source = items_table(
        item(
            make="DJI",
            model="Matrice 30T",
            serial_number="1581F5",
            acquired_on="14/03/2024",
            replacement_value="11500",
            daily_hire_rate="150.75",
            description="Thermal and zoom cameras.\nTwo batteries.",
            accessories="Case; charger",
            notes="=not a formula",
            condition="fair",
        ),
        item(
            asset_tag="CFR-000202",
            name="Salvage sheets",
            category="Pumps",
            home_site="St Neots Fire Station",
            quantity="40",
            notes="- check the count",
            status="Retired",
        ),
        item(
            asset_tag="CAM-000203",
            name="Barrière “Vauban”, 2.3 m",
            category="Catering",
            owner_agency=POLICE,
            home_site="Parkside Police Station",
            quantity="1",
            pooled="yes",
            replacement_value="0.5",
        ),
    )
    run_import(db, ADMIN, source, Kind.ITEMS, mapping_for(HEADERS), today=TODAY)
    people = table(
        (
            "Staff number",
            "Given name",
            "Family name",
            "Agency",
            "Rank or role",
            "Home site",
            "Email",
            "Phone",
            "Active",
        ),
        (
            "2391",
            "Daniel",
            "Okafor",
            POLICE,
            "Police constable",
            "Parkside Police Station",
            "d.okafor@cambs.police.uk",
            "+44 7700 900123",
            "yes",
        ),
        ("CF20999", "Siân", "Ó Súilleabháin", FIRE, "", "", "", "", "no"),
    )
    run_import(
        db, ADMIN, people, Kind.PEOPLE, mapping_for(people.headers, Kind.PEOPLE), today=TODAY
    )


def catalogue(db: Database) -> set[tuple[Any, ...]]:
    with db.read() as session:
        return {
            (
                i.asset_tag,
                i.name,
                i.category.name,
                i.owner_agency.name,
                i.home_site.name,
                i.make,
                i.model,
                i.serial_number,
                i.is_pooled,
                i.quantity,
                i.condition,
                i.description,
                i.accessories,
                i.notes,
                i.acquired_on,
                i.replacement_value_pence,
                i.daily_hire_rate_pence,
                i.status,
            )
            for i in session.scalars(select(EquipmentItem))
        }


def directory(db: Database) -> set[tuple[Any, ...]]:
    with db.read() as session:
        return {
            (
                p.staff_number,
                p.given_name,
                p.family_name,
                p.agency.name,
                p.rank_or_role,
                p.home_site.name if p.home_site else None,
                p.email,
                p.phone,
                p.is_active,
            )
            for p in session.scalars(select(Person))
        }


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_what_is_exported_imports_back_to_the_same_data(
    db: Database, world: World, second_db: Database, tmp_path: Path, suffix: str
) -> None:
    fill_for_round_trip(db, world)
    items_file, people_file = tmp_path / f"items{suffix}", tmp_path / f"people{suffix}"
    assert export(db, DUTY, Kind.ITEMS, items_file) == 4
    assert export(db, ADMIN, Kind.PEOPLE, people_file) == 3
    for path, kind in ((items_file, Kind.ITEMS), (people_file, Kind.PEOPLE)):
        source = read_table(path)
        mapping = guess_mapping(source.headers, kind)
        first = check_import(second_db, ADMIN, source, kind, mapping, today=TODAY)
        create = {n.key for n in first.new_names}
        run_import(second_db, ADMIN, source, kind, mapping, create=create, today=TODAY)
    assert catalogue(second_db) == catalogue(db)
    assert directory(second_db) == directory(db)
    # And the export of the copy is the export of the original, heading for heading.
    again = tmp_path / f"again{suffix}"
    export(second_db, ADMIN, Kind.ITEMS, again)
    assert read_table(again).rows == read_table(items_file).rows


def test_the_people_export_lists_qualifications_and_no_passwords(
    sqlite_url: str, tmp_path: Path
) -> None:
    db = open_database(sqlite_url)
    try:
        build_world(db)
        with db.write() as session:
            paul = session.scalars(select(Person).where(Person.staff_number == "CF20417")).one()
            kind = QualificationType(code="UAS-GVC", name="Drone pilot (GVC)")
            session.add(kind)
            session.flush()
            session.add(
                PersonQualification(
                    person_id=paul.id, qualification_type_id=kind.id, expires_on=date(2027, 2, 1)
                )
            )
            factories.app_user(session, paul, "manager", "not-a-real-hash", Role.EQUIPMENT_MANAGER)
        path = tmp_path / "people.csv"
        export(db, ADMIN, Kind.PEOPLE, path)
    finally:
        db.dispose()
    exported = read_table(path)
    assert exported.headers == PEOPLE_HEADERS
    assert not any("password" in h.casefold() for h in exported.headers)
    assert "not-a-real-hash" not in path.read_text(encoding="utf-8-sig")
    row = next(r for r in exported.rows if r[0] == "CF20417")
    assert row[1:4] == ("Paul", "Whitmore", FIRE)
    assert row[-2:] == ("yes", "Drone pilot (GVC) until 01/02/2027")


def test_exporting_people_needs_an_administrator(
    shared: tuple[Database, World], tmp_path: Path
) -> None:
    db, world = shared
    for actor in (DUTY, world.manager, Actor(name="kitshare-admin")):
        with pytest.raises(NotPermitted, match="only an administrator can export the people list"):
            export(db, actor, Kind.PEOPLE, tmp_path / "people.csv")
    assert not (tmp_path / "people.csv").exists()
    assert export(db, Actor(name="kitshare-admin"), Kind.ITEMS, tmp_path / "items.csv") >= 1


def test_the_loans_export(tmp_path: Path, sqlite_templates: SqliteTemplates) -> None:
    sqlite_templates.copy(Content.DEMO, tmp_path / "demo.db")
    database = open_database(f"sqlite:///{(tmp_path / 'demo.db').as_posix()}")
    try:
        path = tmp_path / "loans.xlsx"
        count = export(database, Actor(name="kitshare-admin"), Kind.LOANS, path)
    finally:
        database.dispose()
    loans = read_table(path)
    assert loans.headers == LOAN_HEADERS
    assert len(loans.rows) == count > 0
    by_number = {row[0]: dict(zip(loans.headers, row, strict=True)) for row in loans.rows}
    first = by_number["1"]
    assert (first["Status"], first["Borrower agency"], first["Lending agency"]) == (
        "Returned",
        POLICE,
        FIRE,
    )
    assert (first["Items"], first["Emergency"]) == ("CFR-000201", "yes")
    # Moments are typed in a workbook, and read back as they are.
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", first["Starts"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", first["Returned"])
    assert by_number["2"]["Items"] == "CAM-000130 × 30"


@pytest.mark.parametrize(
    ("role", "imports", "exports"),
    [
        (None, [], [Kind.ITEMS, Kind.KITS, Kind.LOANS]),
        (Role.DUTY_OFFICER, [], [Kind.ITEMS, Kind.KITS, Kind.LOANS]),
        (Role.EQUIPMENT_MANAGER, [Kind.ITEMS, Kind.KITS], [Kind.ITEMS, Kind.KITS, Kind.LOANS]),
        (
            Role.ADMINISTRATOR,
            [Kind.ITEMS, Kind.KITS, Kind.PEOPLE],
            [Kind.ITEMS, Kind.KITS, Kind.LOANS, Kind.PEOPLE],
        ),
    ],
)
def test_what_each_role_may_import_and_export(
    role: Role | None, imports: list[Kind], exports: list[Kind]
) -> None:
    # The window's menus and the services read the same rule.
    actor = Actor(name="Someone (test)", role=role, agency_id=1)
    assert transfer.importable_kinds(actor) == imports
    assert exportable_kinds(actor) == exports


# -- a real Snipe-IT export, and Kit Share's own ---------------------------------------------------


def open_defects(db: Database) -> dict[str, tuple[DefectSeverity, str]]:
    with db.read() as session:
        rows = session.execute(
            select(EquipmentItem.asset_tag, Defect.severity, Defect.description)
            .join(Defect, Defect.item_id == EquipmentItem.id)
            .where(Defect.cleared_at.is_(None))
        )
        return {tag: (severity, description) for tag, severity, description in rows}


def test_a_snipe_it_export_imports_as_it_is(db: Database, world: World) -> None:
    source = read_table(SAMPLES / "snipe-it-us-export.csv")
    mapping = mapping_for(source.headers)
    assert mapping["owner_agency"] == "Company"
    first = check(db, source)
    assert NewName(NewNameKind.AGENCY, "Bedfordshire Fire and Rescue Service", None, 2) in (
        first.new_names
    )
    create = {n.key for n in first.new_names}
    report = check(db, source, create=create)
    assert report.ok, report.problems
    file = "snipe-it-us-export.csv"
    assert report.notices == (
        "Purchase Date read as month/day/year, e.g. 1/23/23 → 23/01/2023 (1/23/23 fits no "
        "other order).",
        "Status “Ready to Deploy” (3 rows): imported as available.",
        "Status “Deployed” (1 row): imported as available.",
        *(
            f"Status “{word}” (1 row): imported out of service, with an open unsafe defect "
            f"“Imported as {word} from {file}” for an equipment manager to clear when the kit "
            "is fit for use."
            for word in ("Pending", "Undeployable", "Out for Repair")
        ),
        "Status “Archived” (1 row): imported as retired.",
        "Status “Lost” (1 row): imported as retired.",
        "Status “Stolen” (1 row): imported as retired.",
    )
    result = run_import(db, ADMIN, source, Kind.ITEMS, mapping, create=create, today=TODAY)
    assert result.created == 10
    with db.read() as session:
        items = {
            i.asset_tag: (i.id, i.status, i.acquired_on, i.replacement_value_pence)
            for i in session.scalars(select(EquipmentItem))
        }
        owners = {i.asset_tag: i.owner_agency.name for i in session.scalars(select(EquipmentItem))}
        beds = session.scalars(select(Agency).where(Agency.name.like("Bedfordshire%"))).one()
        assert (beds.name, beds.kind) == ("Bedfordshire Fire and Rescue Service", AgencyKind.FIRE)
    status = {tag: row[1] for tag, row in items.items() if tag != "CFR-000100"}
    assert status == {
        "CFR-001201": ItemStatus.AVAILABLE,
        "CFR-001202": ItemStatus.AVAILABLE,
        "CFR-001203": ItemStatus.OUT_OF_SERVICE,
        "CFR-001204": ItemStatus.OUT_OF_SERVICE,
        "CFR-001205": ItemStatus.OUT_OF_SERVICE,
        "CAM-001206": ItemStatus.RETIRED,
        "CAM-001207": ItemStatus.RETIRED,
        "CAM-001208": ItemStatus.RETIRED,
        "BFR-001209": ItemStatus.AVAILABLE,
        "BFR-001210": ItemStatus.AVAILABLE,
    }
    assert open_defects(db) == {
        "CFR-001203": (DefectSeverity.UNSAFE, f"Imported as Pending from {file}"),
        "CFR-001204": (DefectSeverity.UNSAFE, f"Imported as Undeployable from {file}"),
        "CFR-001205": (DefectSeverity.UNSAFE, f"Imported as Out for Repair from {file}"),
    }
    # US dates, 2-digit years and all: 3/1/2023 is 1 March.
    assert items["CFR-001201"][2:] == (date(2023, 1, 23), 1_150_000)
    assert items["CFR-001202"][2] == date(2023, 3, 1)
    assert items["CAM-001206"][2] == date(2015, 6, 15)
    assert (owners["CAM-001206"], owners["BFR-001209"]) == (
        POLICE,
        "Bedfordshire Fire and Rescue Service",
    )
    # The import's defect is an ordinary one: cleared, the kit is back in service.
    pending = items["CFR-001203"][0]
    with db.read() as session:
        defect_id = session.scalars(select(Defect.id).where(Defect.item_id == pending)).one()
    clear_defect(db, defect_id, "PAT tested and passed.", ADMIN)
    with db.read() as session:
        assert session.scalar(select(EquipmentItem.status).where(EquipmentItem.id == pending)) is (
            ItemStatus.AVAILABLE
        )


@pytest.fixture
def empty_like_demo(
    demo_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Database]:
    """An empty database at the newest schema, of the same kind as ``demo_db``."""
    with ExitStack() as stack:
        if make_url(demo_url).get_backend_name() == "sqlite":
            sqlite: SqliteTemplates = request.getfixturevalue("sqlite_templates")
            path = sqlite.copy(Content.SCHEMA, tmp_path / "copy.db")
            url = f"sqlite:///{path.as_posix()}"
        else:
            postgres: PostgresTemplates = request.getfixturevalue("postgres_templates")
            url = stack.enter_context(postgres.database(Content.SCHEMA))
        database = open_database(url)
        stack.callback(database.dispose)
        yield database


def test_the_demo_catalogue_exported_imports_back_with_the_same_statuses(
    demo_db: Database, empty_like_demo: Database, tmp_path: Path
) -> None:
    items_file, people_file = tmp_path / "items.csv", tmp_path / "people.csv"
    export(demo_db, ADMIN, Kind.ITEMS, items_file)
    export(demo_db, ADMIN, Kind.PEOPLE, people_file)
    for path, kind in ((people_file, Kind.PEOPLE), (items_file, Kind.ITEMS)):
        source = read_table(path)
        mapping = guess_mapping(source.headers, kind)
        first = check_import(empty_like_demo, ADMIN, source, kind, mapping)
        create = {n.key for n in first.new_names}
        report = check_import(empty_like_demo, ADMIN, source, kind, mapping, create=create)
        assert report.ok, report.problems[:3]
        run_import(empty_like_demo, ADMIN, source, kind, mapping, create=create)
    original = catalogue(demo_db)
    statuses = {row[-1] for row in original}
    assert {ItemStatus.OUT_OF_SERVICE, ItemStatus.RETIRED, ItemStatus.ON_LOAN} <= statuses
    # A loan is not part of the catalogue's file: kit out on loan comes back available.
    loaned = (ItemStatus.ON_LOAN, ItemStatus.RESERVED)
    expected = {
        (*row[:-1], ItemStatus.AVAILABLE if row[-1] in loaned else row[-1]) for row in original
    }
    assert catalogue(empty_like_demo) == expected
    assert directory(empty_like_demo) == directory(demo_db)
    out = sorted(row[0] for row in original if row[-1] is ItemStatus.OUT_OF_SERVICE)
    assert open_defects(empty_like_demo) == dict.fromkeys(
        out, (DefectSeverity.UNSAFE, "Imported as Out of service from items.csv")
    )


def test_nul_characters_in_a_file_import_cleanly_on_each_database(
    db: Database, world: World, tmp_path: Path
) -> None:
    # Far enough in that it was never taken for a program's file: PostgreSQL refused it.
    filler = "".join(
        f"CFR-{n:06d},Cone {n},Pumps,CAMBS-FRS,Huntingdon Fire Station\n" for n in range(300, 500)
    )
    path = tmp_path / "damaged.csv"
    path.write_bytes(
        (
            "Asset tag,Name,Category,Owner agency,Home site,Notes\n"
            + filler
            + "CFR-000201,Dr\x00one,Drones,CAMBS-FRS,Huntingdon Fire Station,Spare\x00 case\n"
        ).encode()
    )
    source = read_table(path)
    report = check(db, source)
    assert report.ok, report.problems
    assert report.notices[0].startswith("Invisible characters that are not text (NUL")
    assert "taken out of row 202;" in report.notices[0]
    run_import(db, ADMIN, source, Kind.ITEMS, mapping_for(source.headers), today=TODAY)
    with db.read() as session:
        drone = session.scalars(
            select(EquipmentItem).where(EquipmentItem.asset_tag == "CFR-000201")
        ).one()
        assert (drone.name, drone.notes) == ("Drone", "Spare case")
