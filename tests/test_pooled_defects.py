"""Defects on pooled stock: a defect names how many units it affects; those are not free
until it is cleared, the rest can go, and a pool is out of service only when every unit
is. On SQLite and PostgreSQL, through the services, the command line and the migration.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.catalogue.detail import item_detail
from app.catalogue.directory import find_item
from app.catalogue.search import SearchFilters, search_items
from app.cli import common as cli
from app.cli.main import main
from app.core.actor import Actor
from app.core.errors import Refusal
from app.inspections.defects import DefectDraft, clear_defect, list_defects, report_defect
from app.inspections.service import InspectionRefused
from app.loans import fitness, service, support, views
from app.loans.drafts import Handover, LineDraft, LineReturn, LoanDraft, LoanRefused
from app.storage import schema
from app.storage.database import Database, open_database
from models import (
    AgencyKind,
    AppUser,
    Defect,
    DefectSeverity,
    DefectSource,
    EquipmentItem,
    ItemStatus,
    Role,
)
from tests import factories as f

NOW = f.NOW  # Saturday 21/11/2026 09:00 UTC
HOUR = timedelta(hours=1)
TAG = "CAM-000130"
POOL = f"{TAG} “Pedestrian barrier”"


@dataclass(frozen=True)
class World:
    """Cambridgeshire Police's 40 barriers (and one lamp), lent to Bedfordshire Police."""

    barriers: int
    lamp: int
    borrower: int
    requester: int
    operator: int
    manager: Actor  # the owner's equipment manager, who clears defects
    duty: Actor


@pytest.fixture
def world(db: Database) -> World:
    with db.write() as session:
        owner = f.agency(session, "Cambridgeshire Constabulary", AgencyKind.POLICE)
        borrower = f.agency(session, "Bedfordshire Police", AgencyKind.POLICE)
        station = f.site(session, owner, "Thorpe Wood")
        kind = f.category(session, "Barriers")
        barriers = f.item(
            session,
            owner=owner,
            home=station,
            kind=kind,
            tag=TAG,
            name="Pedestrian barrier",
            quantity=40,
            pooled=True,
        )
        lamp = f.item(session, owner=owner, home=station, kind=kind, tag="CAM-000131", name="Lamp")
        mou = f.mou_in_force(session, [owner, borrower])
        f.protocol(session, mou, borrowers=[borrower], categories=[kind], name="Public order")
        requester = f.person(session, borrower, "Bal", "Sandhu")
        operator = f.person(session, borrower, "Olu", "Okafor")
        keeper = f.person(session, owner, "Stephen", "Marsh")
        account = AppUser(
            username="marsh", person_id=keeper.id, role=Role.EQUIPMENT_MANAGER, password_hash="x"
        )
        session.add(account)
        session.flush()
        return World(
            barriers=barriers.id,
            lamp=lamp.id,
            borrower=borrower.id,
            requester=requester.id,
            operator=operator.id,
            manager=f.acting(keeper, Role.EQUIPMENT_MANAGER, user_id=account.id),
            duty=f.acting(keeper, Role.DUTY_OFFICER, user_id=account.id),
        )


def loan(w: World, quantity: int, *, item: int | None = None, hours: int = 24) -> LoanDraft:
    return LoanDraft(
        borrower_agency_id=w.borrower,
        requested_by_id=w.requester,
        purpose="Luton Town v Peterborough United: away-end segregation",
        starts_at=NOW,
        due_at=NOW + hours * HOUR,
        lines=(LineDraft(item or w.barriers, quantity),),
    )


def emergency(db: Database, w: World, quantity: int) -> int:
    handover = Handover(operator_id=w.operator)
    return service.emergency_issue(db, loan(w, quantity), handover, w.duty, now=NOW)


def emergency_problems(db: Database, w: World, quantity: int) -> list[Refusal]:
    handover = Handover(operator_id=w.operator)
    return service.check_emergency_issue(db, loan(w, quantity), handover, now=NOW)


def report(
    db: Database,
    w: World,
    quantity: int,
    severity: DefectSeverity = DefectSeverity.MAJOR,
    description: str = "Two feet cracked; they do not interlock",
) -> int:
    draft = DefectDraft(
        item_id=w.barriers, description=description, severity=severity, quantity=quantity
    )
    return report_defect(db, draft, w.duty, now=NOW)


def free_in_search(db: Database) -> int:
    [row] = search_items(db, TAG, now=NOW).rows
    return row.available_quantity


def free_between(db: Database, quantity: int) -> bool:
    """Whether "Only kit free between" (now to 8 hours on, ``quantity`` of it) lists the pool."""
    filters = SearchFilters(available_from=NOW, available_to=NOW + 8 * HOUR, quantity=quantity)
    return TAG in {row.asset_tag for row in search_items(db, "barrier", filters, now=NOW).rows}


def status(db: Database, w: World) -> ItemStatus:
    return item_detail(db, w.barriers, now=NOW).status_value


def test_a_defect_on_two_of_the_pool_holds_back_exactly_two(db: Database, world: World) -> None:
    emergency(db, world, 20)  # 20 of the 40 out on loan
    assert free_in_search(db) == 20
    assert item_detail(db, world.barriers, now=NOW).quantity_free_now == 20

    report(db, world, 2)

    # The row, the panel and the filter all count 2 fewer, and the pool stays available.
    assert free_in_search(db) == 18
    detail = item_detail(db, world.barriers, now=NOW)
    assert (detail.quantity_free_now, detail.quantity_held_by_defects) == (18, 2)
    assert detail.status_value is ItemStatus.AVAILABLE
    assert detail.issue_blockers == ()
    assert free_between(db, 18)
    assert not free_between(db, 19)

    # One more than is free: the sentence names the defect and both ways out.
    [problem] = emergency_problems(db, world, 19)
    assert (problem.rule, problem.field) == ("defect", "quantity")
    assert problem.message == (
        f"Only 18 of the 40 {POOL} can go out: 2 are held back by an open defect (Major: Two "
        "feet cracked; they do not interlock (2 of 40, reported 21/11/2026)), and 20 are "
        "booked. Clear the defect once the kit is put right, or ask for 18 or fewer."
    )

    # The rest can go; then not one more.
    emergency(db, world, 18)
    assert free_in_search(db) == 0
    with pytest.raises(LoanRefused) as caught:
        emergency(db, world, 1)
    assert [p.rule for p in caught.value.problems] == ["defect"]
    assert caught.value.message.startswith(f"None of the 40 {POOL} can go out: 2 are held back")
    assert "Clear the defect once the kit is put right" in caught.value.message


def test_a_request_for_later_counts_the_defect_and_says_so(db: Database, world: World) -> None:
    report(db, world, 3, description="Three barriers bent")
    draft = loan(world, 38)
    problems = service.check_request(db, draft, now=NOW)
    assert [p.rule for p in problems] == ["defect"]
    assert "Only 37 of the 40" in problems[0].message
    assert "held back by an open defect" in problems[0].message
    assert service.check_request(db, loan(world, 37), now=NOW) == []


def test_an_approved_loan_cannot_take_units_a_later_defect_holds(
    db: Database, world: World
) -> None:
    loan_id = service.request_loan(db, loan(world, 40), world.duty, now=NOW)
    service.approve_loan(db, loan_id, world.manager, now=NOW)
    report(db, world, 2)
    problems = service.check_issue(db, loan_id, Handover(operator_id=world.operator), now=NOW)
    assert [p.rule for p in problems] == ["defect"]
    assert "Only 38 of the 40" in problems[0].message
    assert "ask for 38 or fewer" in problems[0].message


def test_a_minor_defect_holds_nothing_back(db: Database, world: World) -> None:
    report(db, world, 5, DefectSeverity.MINOR, "Reflective strips faded")
    assert free_in_search(db) == 40
    assert emergency_problems(db, world, 40) == []


def test_defects_on_every_unit_take_the_pool_out_and_clearing_restores_it(
    db: Database, world: World
) -> None:
    first = report(db, world, 39, DefectSeverity.UNSAFE, "Welds failed on a batch")
    assert status(db, world) is ItemStatus.AVAILABLE  # one unit is still sound
    assert free_in_search(db) == 1

    second = report(db, world, 1, DefectSeverity.UNSAFE, "Frame bent")
    detail = item_detail(db, world.barriers, now=NOW)
    assert detail.status_value is ItemStatus.OUT_OF_SERVICE
    assert free_in_search(db) == 0
    assert len(detail.issue_blockers) == 1
    assert detail.issue_blockers[0].startswith(
        f"All 40 of {POOL} are held back by open defects: Unsafe: Welds failed on a batch "
        "(39 of 40, reported 21/11/2026); Unsafe: Frame bent (1 of 40"
    )
    assert detail.issue_blockers[0].endswith("None can go out until a defect is cleared.")

    clear_defect(db, second, "Frame replaced and load-tested", world.manager, now=NOW + HOUR)
    assert status(db, world) is ItemStatus.AVAILABLE
    assert free_in_search(db) == 1
    clear_defect(db, first, "Re-welded and load-tested", world.manager, now=NOW + HOUR)
    assert free_in_search(db) == 40


def test_a_defect_cannot_cover_more_than_the_item_has(db: Database, world: World) -> None:
    for quantity in (41, 0):
        with pytest.raises(InspectionRefused) as caught:
            report(db, world, quantity)
        assert [(p.rule, p.field) for p in caught.value.problems] == [("quantity", "quantity")]
        assert caught.value.message == (
            f"There are only 40 of {POOL}: say how many of them the defect affects, from 1 to 40."
        )
    single = DefectDraft(
        item_id=world.lamp, description="Lens cracked", severity=DefectSeverity.MAJOR, quantity=2
    )
    with pytest.raises(InspectionRefused) as caught:
        report_defect(db, single, world.duty, now=NOW)
    assert "is a single item: a defect on it affects 1" in caught.value.message
    with db.read() as session:
        assert session.scalars(select(Defect)).all() == []


def test_a_single_item_is_held_back_by_its_defect_as_before(db: Database, world: World) -> None:
    draft = DefectDraft(
        item_id=world.lamp, description="Lens cracked", severity=DefectSeverity.MAJOR
    )
    report_defect(db, draft, world.duty, now=NOW)
    detail = item_detail(db, world.lamp, now=NOW)
    assert detail.status_value is ItemStatus.AVAILABLE
    assert detail.quantity_held_by_defects == 0
    assert detail.issue_blockers == (
        "CAM-000131 “Lamp” has an open major defect, reported 21/11/2026: Lens cracked. It "
        "cannot go out until the defect is cleared.",
    )


def test_a_defect_found_on_return_holds_back_the_units_it_names(db: Database, world: World) -> None:
    loan_id = emergency(db, world, 10)
    line_id = views.get_loan(db, loan_id).lines[0].id
    back = LineReturn(line_id, 10, defect="One barrier's foot snapped")
    later = NOW + 4 * HOUR
    too_many = replace(back, defect_quantity=11 + 30)
    problems = service.check_return(db, loan_id, [too_many])
    assert [(p.rule, p.field) for p in problems] == [("quantity", "defect_quantity")]

    service.return_loan(db, loan_id, world.duty, lines=[back], now=later)
    [defect] = list_defects(db, world.barriers)
    assert (defect.quantity, defect.loan_id, defect.units_words) == (1, loan_id, "1 of 40")
    assert item_detail(db, world.barriers, now=later).quantity_free_now == 39
    assert status(db, world) is ItemStatus.AVAILABLE


def test_a_failed_inspection_holds_back_the_whole_pool_as_before(
    db: Database, world: World
) -> None:
    from app.inspections.recording import InspectionDraft, record_inspection
    from models import InspectionResult

    draft = InspectionDraft(
        item_id=world.barriers,
        inspected_on=NOW.date(),
        inspector_id=None,
        inspector_name="Barrier Hire Ltd",
        result=InspectionResult.FAIL,
        defect="Corrosion throughout",
    )
    record_inspection(db, draft, world.manager, now=NOW)
    assert status(db, world) is ItemStatus.OUT_OF_SERVICE
    assert [d.quantity for d in list_defects(db, world.barriers)] == [40]


def test_issue_blockers_of_a_pool_name_no_defect_while_units_are_free(
    db: Database, world: World
) -> None:
    report(db, world, 39)
    with db.read() as session:
        item = session.get(EquipmentItem, world.barriers)
        assert item is not None
        assert fitness.issue_blockers(session, item, NOW.date()) == []


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture
def signed_in_duty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "interactive", lambda: False)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": pytest.fail("asked " + prompt))
    monkeypatch.setenv(cli.USER_ENV, "duty")
    monkeypatch.setenv(cli.PASSWORD_ENV, "duty-demo-2026")


def test_the_command_line_reports_a_defect_on_some_of_a_pool(
    demo_url: str, capsys: pytest.CaptureFixture[str], signed_in_duty: None
) -> None:
    db = open_database(demo_url)
    try:
        pool = find_item(db, TAG).id
        before = item_detail(db, pool)
        args = ["--database", demo_url, "defect", "report", TAG, "--severity", "major"]
        said = "--description", "Two feet cracked"

        assert main([*args, *said, "--quantity", "41"]) != 0
        err = capsys.readouterr().err
        assert "There are only 40 of CAM-000130" in err
        assert "from 1 to 40" in err
        assert "--quantity" in err

        assert main([*args, *said, "--quantity", "2"]) == 0
        out = capsys.readouterr().out
        assert "defect" in out
        assert "on 2 of 40 CAM-000130" in out
        assert "It holds back 2 of 40 CAM-000130 until it is cleared; the rest can go out." in out
        after = item_detail(db, pool)
        assert after.quantity_free_now == before.quantity_free_now - 2
        assert after.status_value is before.status_value
        assert [d.quantity for d in list_defects(db, pool, include_cleared=False)] == [2]
    finally:
        db.dispose()


# -- the migration ------------------------------------------------------------------------------


def test_upgrading_keeps_defects_already_recorded_holding_back_what_they_did(db_url: str) -> None:
    # A pool's old defect said nothing of how many units it affects: all of them, as
    # before; a single item's affects its one unit.
    schema.upgrade_to_head(db_url)
    db = open_database(db_url, migrate=False)
    try:
        with db.write() as session:
            owner = f.agency(session)
            kind = f.category(session)
            pool = f.item(
                session,
                owner=owner,
                home=f.site(session, owner),
                kind=kind,
                quantity=40,
                pooled=True,
            )
            single = f.item(session, owner=owner, home=f.site(session, owner), kind=kind)
            for item in (pool, single):
                session.add(
                    Defect(
                        item_id=item.id,
                        source=DefectSource.REPORTED,
                        severity=DefectSeverity.MAJOR,
                        description="Bent",
                    )
                )
    finally:
        db.dispose()
    schema.migrate(db_url, "0006")
    schema.upgrade_to_head(db_url)
    db = open_database(db_url, migrate=False)
    try:
        with db.engine.connect() as connection:
            held = connection.execute(text("SELECT quantity FROM defects ORDER BY id"))
            assert held.scalars().all() == [40, 1]
        with pytest.raises(IntegrityError, match="quantity_positive"), db.engine.begin() as c:
            c.execute(text("UPDATE defects SET quantity = 0"))
    finally:
        db.dispose()


def test_the_next_weeks_count_units_held_by_a_defect_as_not_free_every_day(
    db: Database, world: World
) -> None:
    """The item panel's "Free in the next 3 weeks": an open defect holds its units from
    now until it is cleared, so every day shown has that many fewer free."""

    def days(now: datetime = NOW) -> list[tuple[int, int]]:
        return [
            (day.free, day.held_by_defects)
            for day in support.availability_timeline(db, world.barriers, days=4, now=now)
        ]

    emergency(db, world, 20)  # Sat 09:00 to Sun 09:00
    assert days() == [(20, 0), (20, 0), (40, 0), (40, 0)]

    defect = report(db, world, 2)
    assert days() == [(18, 2), (18, 2), (38, 2), (38, 2)]

    # The rest of the free units go out: nothing is free until the loans come back.
    emergency(db, world, 18)
    assert days() == [(0, 2), (0, 2), (38, 2), (38, 2)]

    clear_defect(db, defect, "Feet replaced", world.manager, now=NOW + HOUR)
    assert days(NOW + HOUR) == [(2, 0), (2, 0), (40, 0), (40, 0)]
