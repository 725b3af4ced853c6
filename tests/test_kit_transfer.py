"""Kits in exports and imports, on SQLite and PostgreSQL: the kits sheet exported and
imported back into an empty database (after the items), each bad row refused with the
kit form's sentence, all or nothing, each kit with its audit event; and the command
line's ``export kits`` and ``import --kind kits``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.cli import common as cli
from app.core.actor import Actor
from app.core.errors import DomainError, Refusal
from app.demo.data import USERS
from app.kits import service as kits_service
from app.kits.rules import KitDraft, KitRefused
from app.kits.service import get_kit, list_kits, retire_kit
from app.storage.database import Database, open_database
from app.transfer import kits as kit_transfer
from app.transfer.export import KIT_HEADERS, export
from app.transfer.fields import Kind, guess_mapping
from app.transfer.service import ImportRefused, check_import, run_import
from app.transfer.tabular import RowProblem, Table, read_table
from models import Agency, AuditEvent, Kit, Role
from tests.templates import Content, PostgresTemplates, SqliteTemplates
from tests.test_kit_documents import (
    ADMIN,
    FLOOD_KIT,
    FLOOD_MEMBERS,
    SCENE_KIT,
    SCENE_MEMBERS,
    make_kit,
)
from ui.admin import main

PUMP_KIT = "Test pump kit"
# A note may hold a semicolon: only a member's tag and "=" after one starts a new note.
PUMP_MEMBERS = (("CFR-000297", 1, "Check impeller; clear the strainer"), ("CFR-000296", 1, ""))
FIRE = "Cambridgeshire Fire and Rescue Service"


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


def kits_of(db: Database) -> set[tuple[Any, ...]]:
    """Every kit in use as a person reads it: its names and its members' tags and notes."""
    return {
        (
            kit.name,
            kit.owner,
            kit.home_site,
            kit.description,
            tuple((m.asset_tag, m.quantity, m.note) for m in kit.members),
        )
        for kit in list_kits(db)
    }


def events(db: Database, action: str) -> list[str | None]:
    """The notes of the audit events of kind ``action``."""
    with db.read() as session:
        return list(session.scalars(select(AuditEvent.note).where(AuditEvent.action == action)))


def imported(db: Database, path: Path, kind: Kind) -> None:
    """``path`` imported as an administrator, creating the names it brings."""
    source = read_table(path)
    mapping = guess_mapping(source.headers, kind)
    first = check_import(db, ADMIN, source, kind, mapping)
    create = {name.key for name in first.new_names}
    report = check_import(db, ADMIN, source, kind, mapping, create=create)
    assert report.ok, report.problems[:3]
    run_import(db, ADMIN, source, kind, mapping, create=create)


# -- the round trip --------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_kits_exported_import_back_into_an_empty_database(
    demo_db: Database, empty_like_demo: Database, tmp_path: Path, suffix: str
) -> None:
    make_kit(demo_db, FLOOD_KIT, FLOOD_MEMBERS, "Boat, suits and lines; for a flood.\nAnd a bank.")
    make_kit(demo_db, SCENE_KIT, SCENE_MEMBERS)
    make_kit(demo_db, PUMP_KIT, PUMP_MEMBERS)
    retired = make_kit(demo_db, "Test retired kit", SCENE_MEMBERS[:1])
    retire_kit(demo_db, retired, ADMIN, "Replaced")
    items, kits = tmp_path / "items.csv", tmp_path / f"kits{suffix}"
    export(demo_db, ADMIN, Kind.ITEMS, items)

    count = export(demo_db, ADMIN, Kind.KITS, kits)

    original = kits_of(demo_db)
    assert count == len(original) >= 3
    sheet = read_table(kits)
    assert sheet.headers == KIT_HEADERS
    flood = next(row for row in sheet.rows if row[0] == FLOOD_KIT)
    assert flood[1:3] == (FIRE, "Huntingdon Fire Station")
    assert (
        flood[4] == "CFR-000221; CFR-000223:4; CFR-000224:6; CFR-000230; CFR-000250:10; CFR-000298"
    )
    assert flood[5] == (
        "CFR-000221=Check bung and kill cord; CFR-000223=Check dry suit seals; CFR-000230=Fuel full"
    )
    assert "Test retired kit" not in {row[0] for row in sheet.rows}
    # Into an empty database: the items (with their agencies, sites and categories) first.
    imported(empty_like_demo, items, Kind.ITEMS)
    imported(empty_like_demo, kits, Kind.KITS)
    assert kits_of(empty_like_demo) == original
    # Each kit made by the kit service, with its own audit event, and one for the file.
    assert len(events(empty_like_demo, "kit.created")) == len(original)
    assert events(empty_like_demo, "kits.imported") == [
        f"Imported {len(original)} kits from kits{suffix}."
    ]
    # And the copy's export is the original's, row for row.
    again = tmp_path / f"again{suffix}"
    export(empty_like_demo, ADMIN, Kind.KITS, again)
    assert read_table(again).rows == sheet.rows


# -- bad rows ------------------------------------------------------------------------------


def sheet(*rows: Sequence[str]) -> Table:
    return Table(
        headers=KIT_HEADERS,
        rows=tuple(tuple(row) for row in rows),
        row_numbers=tuple(range(2, len(rows) + 2)),
        encoding="UTF-8",
        delimiter=",",
        file_name="kits.csv",
    )


HUNTINGDON = "Huntingdon Fire Station"
BAD_ROWS = (
    ("Test good kit", "CAMBS-FRS", HUNTINGDON, "", "CFR-000221; CFR-000224:2", ""),
    ("Test kit 3", "CAMBS-FRS", HUNTINGDON, "", "CFR-999999", ""),
    ("Test kit 4", "CAMBS-FRS", HUNTINGDON, "", "CFR-000221; CAM-000150:2", ""),
    ("Test kit 5", "CAMBS-FRS", HUNTINGDON, "", "CFR-000224:99", ""),
    ("Test kit 6", "CAMBS-FRS", HUNTINGDON, "", "CFR-000224:lots", ""),
    ("test GOOD kit", "Cambridgeshire Fire and Rescue Service", HUNTINGDON, "", "CFR-000230", ""),
    ("Test kit 8", "CAMBS-FRS", HUNTINGDON, "", "CFR-000221", "CFR-000230=Fuel"),
    ("Test kit 9", "CAMBS-FRS", "Nowhere Fire Station", "", "CFR-000221", ""),
    ("", "CAMBS-FRS", HUNTINGDON, "", "CFR-000221:2", ""),
    ("Test kit 11", "NOPE", HUNTINGDON, "", "CFR-000221", ""),
    ("Test kit 12", "CAMBS-FRS", HUNTINGDON, "", "", ""),
)


def test_each_bad_kits_row_is_refused_with_its_sentence_and_nothing_is_imported(
    demo_db: Database,
) -> None:
    source = sheet(*BAD_ROWS)
    mapping = guess_mapping(source.headers, Kind.KITS)
    assert mapping == {
        "name": "Name",
        "owner_agency": "Owner agency",
        "home_site": "Home site",
        "description": "Description",
        "members": "Members",
        "member_notes": "Member notes",
    }

    report = check_import(demo_db, ADMIN, source, Kind.KITS, mapping)

    repeated = (
        f"Kit “{{name}}” of {FIRE} is on more than one row of the file (rows 2 and 7); each "
        "kit of an agency needs a name of its own. Give each its own name, or remove the "
        "repeated row."
    )
    assert set(report.problems) == {
        RowProblem(2, "Name", repeated.format(name="Test good kit")),
        RowProblem(
            3,
            "Members",
            "No item has the asset tag CFR-999999. Check the tag, or import the items before "
            "their kits.",
        ),
        RowProblem(
            4,
            "Members",
            "CAM-000150 “Road closed sign (diagram 7001)” belongs to Cambridgeshire "
            f"Constabulary, not {FIRE}: a kit is made of its own agency's items. Take it out "
            "of the kit.",
        ),
        RowProblem(
            5,
            "Members",
            "There are only 20 of CFR-000224 “Throw line bag, 25 m” in all; put 20 or fewer "
            "in the kit.",
        ),
        RowProblem(
            6,
            "Members",
            "The quantity of CFR-000224 “lots” is not a whole number; give one such as 1 or 40.",
        ),
        RowProblem(7, "Name", repeated.format(name="test GOOD kit")),
        RowProblem(
            8,
            "Member notes",
            "Member notes name CFR-000230, which is not a member of the kit; give a note for "
            "one of its members.",
        ),
        RowProblem(
            9,
            "Home site",
            f"{FIRE} has no site “Nowhere Fire Station” in Kit Share. Correct the name to one "
            "on record; a kit's site comes in with its items.",
        ),
        RowProblem(10, "Name", "Enter a name for the kit, such as “Water rescue team kit”."),
        RowProblem(
            10,
            "Members",
            "CFR-000221 “Flood rescue boat, 4 m, 25 hp outboard” is a single item, so the kit "
            "holds 1 of it.",
        ),
        RowProblem(
            11,
            "Owner agency",
            "No agency is called or has the short code “NOPE” in Kit Share. Correct the name "
            "to one on record; a kit's agency comes in with its items.",
        ),
        RowProblem(12, "Members", "Add at least one item to the kit."),
    }
    assert report.bad_rows == 11
    before = kits_of(demo_db)
    with pytest.raises(ImportRefused, match=r"Nothing was imported: 11 rows need fixing\."):
        run_import(demo_db, ADMIN, source, Kind.KITS, mapping)
    assert kits_of(demo_db) == before
    assert events(demo_db, "kits.imported") == []


def test_a_kit_refused_as_it_is_made_undoes_those_made_before_it(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = sheet(
        ("Test first kit", "CAMBS-FRS", HUNTINGDON, "", "CFR-000221", "CFR-000221=Bung"),
        ("Test second kit", "CAMBS-FRS", HUNTINGDON, "", "CFR-000230", ""),
    )
    mapping = guess_mapping(source.headers, Kind.KITS)
    made: list[int] = []
    create = kits_service.create_kit

    def then_refused(db: Database, draft: KitDraft, actor: Actor) -> int:
        if made:
            # As if another station had taken the name between the check and now.
            raise KitRefused([Refusal("name_taken", "Someone took the name.", "name")])
        made.append(create(db, draft, actor))
        return made[-1]

    monkeypatch.setattr(kit_transfer, "create_kit", then_refused)
    with pytest.raises(DomainError, match="the kit on row 3 was refused as it was made"):
        run_import(demo_db, ADMIN, source, Kind.KITS, mapping)

    assert len(made) == 1
    with demo_db.read() as session:
        assert session.scalar(select(func.count()).where(Kit.id == made[0])) == 0
    assert events(demo_db, "kit.created") == []


def test_an_equipment_manager_imports_only_their_own_agencys_kits(demo_db: Database) -> None:
    with demo_db.read() as session:
        police = session.scalars(select(Agency.id).where(Agency.code == "CAMBS-POL")).one()
    manager = Actor(name="Police kit manager", role=Role.EQUIPMENT_MANAGER, agency_id=police)
    source = sheet(("Test kit", "CAMBS-FRS", HUNTINGDON, "", "CFR-000221", ""))

    report = check_import(
        demo_db, manager, source, Kind.KITS, guess_mapping(source.headers, Kind.KITS)
    )

    (problem,) = report.problems
    assert (problem.row, problem.column) == (2, "Owner agency")
    assert problem.reason.startswith("Police kit manager is an equipment manager for another")


# -- the command line ------------------------------------------------------------------------------


def test_export_and_import_kits_from_the_command_line(
    demo_db: Database,
    demo_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    scene = make_kit(demo_db, SCENE_KIT, SCENE_MEMBERS)
    pump = make_kit(demo_db, PUMP_KIT, PUMP_MEMBERS)
    path = tmp_path / "kits.csv"
    count = len(list_kits(demo_db))

    status = main(["--database", demo_url, "export", "kits", str(path)])
    out = capsys.readouterr().out
    assert (status, out) == (0, f"Exported {count} kits to {path}.\n")

    username, _role, _person, password = next(u for u in USERS if u[0] == "admin")
    monkeypatch.setenv(cli.USER_ENV, username)
    monkeypatch.setenv(cli.PASSWORD_ENV, password)
    monkeypatch.setattr(cli, "interactive", lambda: False)
    # Into the same database every kit's name is taken: the check says so for each.
    status = main(["--database", demo_url, "import", str(path), "--kind", "kits", "--dry-run"])
    out = capsys.readouterr().out
    assert status == 1
    assert out.count("already has a kit called") == count
    assert "Members ← “Members”" in out

    for kit_id in (scene, pump):
        retire_kit(demo_db, kit_id, ADMIN, "Made again from the file")
    others = [row for row in read_table(path).rows if row[0] in (SCENE_KIT, PUMP_KIT)]
    two = tmp_path / "two.csv"
    two.write_text(
        ",".join(KIT_HEADERS)
        + "\n"
        + "".join(",".join(f'"{cell}"' for cell in row) + "\n" for row in others),
        encoding="utf-8",
    )
    status = main(["--database", demo_url, "import", str(two), "--kind", "kits"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert out.endswith("Imported 2 kits from two.csv, all in one go.\n")
    made = {kit.name: kit for kit in list_kits(demo_db) if kit.name in (SCENE_KIT, PUMP_KIT)}
    assert [(m.asset_tag, m.quantity, m.note) for m in made[PUMP_KIT].members] == list(PUMP_MEMBERS)
    assert made[SCENE_KIT].members == get_kit(demo_db, scene).members
