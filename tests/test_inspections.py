"""Inspections, defects and out-of-service kit: due dates at their edges, what blocks a
loan, clearing defects and who may do what, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.catalogue.detail import item_detail
from app.catalogue.search import SearchFilters, SortKey, search_items
from app.core.actor import Actor
from app.core.errors import NotPermitted, Refusal
from app.inspections import defects as defect_service
from app.inspections import overview as overview_service
from app.inspections import recording as recording_service
from app.inspections import regimes as regime_service
from app.inspections import service
from app.inspections.defects import DefectDraft
from app.inspections.overview import Watch
from app.inspections.recording import InspectionDraft
from app.inspections.regimes import RegimeDraft
from app.inspections.service import DueState, InspectionRefused, Standing, interval_words, next_due
from app.loans import fitness as loan_fitness
from app.loans import service as loans
from app.loans import views as loan_views
from app.loans.drafts import Handover, LineDraft, LineReturn, LoanDraft, LoanRefused
from app.storage.database import Database
from models import (
    AgencyKind,
    AuditEvent,
    Defect,
    DefectSeverity,
    EquipmentItem,
    Inspection,
    InspectionRegime,
    InspectionResult,
    ItemStatus,
    Role,
)
from tests import factories as f

NOW = f.NOW  # Saturday 21/11/2026 09:00 UTC
TODAY = date(2026, 11, 21)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class World:
    owner: int
    borrower: int
    harness: int  # work at height: LOLER every 6 months, blocks issue
    radio: int  # search kit: PUWER every 12 months, does not block issue
    boat: int  # category regime plus an item regime of its own
    loler: int
    puwer: int
    boat_category: int
    engine: int
    manager: Actor  # the owner's equipment manager
    other_manager: Actor  # the borrower's equipment manager
    duty: Actor  # the borrower's duty officer
    admin: Actor
    inspector: int
    operator: int


@pytest.fixture
def world(db: Database) -> World:
    with db.write() as session:
        fire = f.agency(session, "Cambs Fire", AgencyKind.FIRE)
        police = f.agency(session, "Cambs Police", AgencyKind.POLICE)
        station = f.site(session, fire, "Huntingdon")
        height = f.category(session, "Work at height")
        search = f.category(session, "Search")
        boats = f.category(session, "Boats")
        harness = f.item(session, owner=fire, home=station, kind=height, tag="CFR-H1")
        radio = f.item(session, owner=fire, home=station, kind=search, tag="CFR-S1")
        boat = f.item(session, owner=fire, home=station, kind=boats, tag="CFR-B1", name="Boat")
        mou = f.mou_in_force(session, [fire, police])
        f.protocol(session, mou, borrowers=[police], categories=[height, search, boats])
        regimes = [
            InspectionRegime(
                name="LOLER thorough examination", category_id=height.id, interval_months=6
            ),
            InspectionRegime(
                name="PUWER inspection",
                category_id=search.id,
                interval_months=12,
                blocks_issue=False,
            ),
            InspectionRegime(
                name="PUWER inspection (boats)", category_id=boats.id, interval_months=12
            ),
            InspectionRegime(name="Outboard engine service", item_id=boat.id, interval_days=365),
        ]
        session.add_all(regimes)
        manager = f.person(session, fire, "Mia", "Manager")
        inspector = f.person(session, fire, "Ian", "Inspector")
        other = f.person(session, police, "Olly", "Other")
        duty = f.person(session, police, "Dee", "Duty")
        operator = f.person(session, police, "Pat", "Pilot")
        session.flush()
        return World(
            owner=fire.id,
            borrower=police.id,
            harness=harness.id,
            radio=radio.id,
            boat=boat.id,
            loler=regimes[0].id,
            puwer=regimes[1].id,
            boat_category=regimes[2].id,
            engine=regimes[3].id,
            manager=f.acting(manager, Role.EQUIPMENT_MANAGER),
            other_manager=f.acting(other, Role.EQUIPMENT_MANAGER),
            duty=f.acting(duty, Role.DUTY_OFFICER),
            admin=f.acting(None, Role.ADMINISTRATOR),
            inspector=inspector.id,
            operator=operator.id,
        )


def inspect(
    db: Database,
    w: World,
    item_id: int,
    regime_id: int | None,
    on: date,
    *,
    result: InspectionResult = InspectionResult.PASS,
    **changes: object,
) -> int:
    draft = InspectionDraft(
        item_id=item_id,
        regime_id=regime_id,
        inspected_on=on,
        inspector_id=w.inspector,
        result=result,
        certificate_ref="LOLER/1",
    )
    draft = replace(draft, **changes)  # type: ignore[arg-type]
    return recording_service.record_inspection(db, draft, w.manager, now=NOW)


def refused(action: object, *args: object, **kwargs: object) -> InspectionRefused:
    with pytest.raises(InspectionRefused) as caught:
        action(*args, **kwargs)  # type: ignore[operator]
    return caught.value


def standing(db: Database, item_id: int, regime_id: int | None) -> Standing:
    with db.read() as session:
        rows = service.item_standings(session, item_id, TODAY)
    return next(s for s in rows if s.regime_id == regime_id)


def status(db: Database, item_id: int) -> ItemStatus:
    with db.read() as session:
        item = session.get(EquipmentItem, item_id)
        assert item is not None
        return item.status


def loan_draft(w: World, item_id: int, start: datetime | None = None) -> LoanDraft:
    begins = start or NOW + HOUR
    return LoanDraft(
        borrower_agency_id=w.borrower,
        requested_by_id=w.operator,
        purpose="Person in crisis at height, multi-storey car park",
        starts_at=begins,
        due_at=begins + timedelta(hours=12),
        lines=(LineDraft(item_id),),
    )


def emergency(db: Database, w: World, item_id: int) -> int:
    return loans.emergency_issue(
        db, loan_draft(w, item_id, NOW), Handover(operator_id=w.operator), w.duty, now=NOW
    )


# -- due dates at the edges ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("inspected", "months", "due"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),  # month end into a short February
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # ... and into a leap February
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # a leap day a year on
        (date(2024, 2, 29), 48, date(2028, 2, 29)),  # and four years on
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 12, 15), 3, date(2027, 3, 15)),  # across the year end
    ],
)
def test_due_dates_follow_calendar_months(inspected: date, months: int, due: date) -> None:
    assert next_due(inspected, days=None, months=months) == due


def test_due_dates_in_days_count_leap_days() -> None:
    assert next_due(date(2028, 2, 1), days=42, months=None) == date(2028, 3, 14)
    assert next_due(date(2027, 2, 1), days=42, months=None) == date(2027, 3, 15)


def test_interval_words() -> None:
    assert interval_words(None, 6) == "Every 6 months"
    assert interval_words(None, 12) == "Every year"
    assert interval_words(None, 24) == "Every 2 years"
    assert interval_words(42, None) == "Every 42 days"
    assert interval_words(1, None) == "Every day"


@pytest.mark.parametrize(
    ("due", "state", "words"),
    [
        (TODAY + timedelta(days=1), DueState.DUE_SOON, "Due tomorrow (22/11/2026)"),
        (TODAY, DueState.DUE_SOON, "Due today (21/11/2026)"),
        (TODAY - timedelta(days=1), DueState.OVERDUE, "Overdue: was due 20/11/2026 (1 day ago)"),
        (TODAY + timedelta(days=30), DueState.DUE_SOON, "Due in 30 days (21/12/2026)"),
        (TODAY + timedelta(days=31), DueState.IN_DATE, "In date until 22/12/2026"),
    ],
)
def test_an_inspection_is_in_date_through_its_due_day(
    due: date, state: DueState, words: str
) -> None:
    s = Standing(
        item_id=1,
        regime_id=1,
        regime="LOLER",
        blocks_issue=True,
        interval="Every 6 months",
        last_id=1,
        last_on=date(2026, 5, 21),
        last_result=InspectionResult.PASS,
        due_on=due,
    )
    assert s.state(TODAY) is state
    assert s.words(TODAY) == words
    assert s.blocks(TODAY) is (state is DueState.OVERDUE)


def test_never_inspected_and_failed_count_as_lapsed() -> None:
    never = Standing(1, 1, "LOLER", True, "Every 6 months")
    assert never.state(TODAY) is DueState.NEVER
    assert never.blocks(TODAY)
    assert never.due_before(TODAY, TODAY)
    failed = replace(
        never, last_id=2, last_on=TODAY, last_result=InspectionResult.FAIL, due_on=TODAY
    )
    assert failed.state(TODAY) is DueState.FAILED
    assert failed.words(TODAY) == "Failed on 21/11/2026"
    assert not replace(never, blocks_issue=False).blocks(TODAY)


# -- recording -------------------------------------------------------------------------------


def test_a_pass_records_the_due_date_from_the_regime(db: Database, world: World) -> None:
    inspection_id = inspect(db, world, world.harness, world.loler, date(2026, 8, 31))
    s = standing(db, world.harness, world.loler)
    assert s.last_id == inspection_id
    assert s.due_on == date(2027, 2, 28)
    assert s.inspector == "Ian Inspector"
    assert s.state(TODAY) is DueState.IN_DATE
    with db.read() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "inspection")
        ).one()
        assert event.action == "inspection.recorded"
        assert event.entity_id == inspection_id
        assert event.after is not None
        assert event.after["next_due_on"] == "2027-02-28"


def test_the_latest_inspection_by_date_counts_not_the_latest_typed(
    db: Database, world: World
) -> None:
    inspect(db, world, world.harness, world.loler, date(2026, 11, 1))
    inspect(db, world, world.harness, world.loler, date(2026, 3, 1))  # an old record typed in
    assert standing(db, world.harness, world.loler).due_on == date(2027, 5, 1)


def test_an_examiner_may_set_an_earlier_due_date_not_a_later_one(
    db: Database, world: World
) -> None:
    inspect(db, world, world.harness, world.loler, date(2026, 11, 1), next_due_on=date(2027, 2, 1))
    assert standing(db, world.harness, world.loler).due_on == date(2027, 2, 1)
    error = refused(
        inspect, db, world, world.harness, world.loler, TODAY, next_due_on=date(2027, 5, 22)
    )
    assert error.rules == {"next_due_on"}
    assert "can be earlier than 21/05/2027, but not later" in error.message
    error = refused(inspect, db, world, world.harness, world.loler, TODAY, next_due_on=TODAY)
    assert "must be due after this one" in error.message


@pytest.mark.parametrize(
    ("changes", "rule", "words"),
    [
        (
            {"inspected_on": TODAY + timedelta(days=1)},
            "inspected_on",
            "22/11/2026 is in the future",
        ),
        ({"inspected_on": None}, "inspected_on", "Give the date"),
        ({"inspector_id": None}, "inspector", "Say who inspected it"),
        ({"result": None}, "result", "pass, pass with advisories or fail"),
        ({"certificate_ref": "X" * 101}, "certificate_ref", "shorten it to 100 or fewer"),
    ],
)
def test_a_bad_inspection_is_refused_and_nothing_is_written(
    db: Database, world: World, changes: dict[str, object], rule: str, words: str
) -> None:
    error = refused(inspect, db, world, world.boat, world.engine, TODAY, **changes)
    assert rule in error.rules
    assert words in error.message
    with db.read() as session:
        assert session.scalars(select(Inspection)).all() == []


def test_an_item_with_two_regimes_must_say_which(db: Database, world: World) -> None:
    error = refused(inspect, db, world, world.boat, None, TODAY)
    assert "“PUWER inspection (boats)”" in error.message
    assert "“Outboard engine service”" in error.message
    error = refused(inspect, db, world, world.harness, world.engine, TODAY)
    assert "does not cover CFR-H1" in error.message


def test_a_single_regime_need_not_be_named(db: Database, world: World) -> None:
    inspect(db, world, world.harness, None, TODAY)
    assert standing(db, world.harness, world.loler).last_on == TODAY


def test_the_history_lists_inspections_newest_first(db: Database, world: World) -> None:
    inspect(db, world, world.boat, world.engine, date(2026, 3, 1), notes="Impeller replaced")
    inspect(db, world, world.boat, world.boat_category, date(2026, 10, 1))
    history = recording_service.inspection_history(db, world.boat)
    assert [(h.regime, h.inspected_on, h.inspector, h.result_words) for h in history] == [
        ("PUWER inspection (boats)", date(2026, 10, 1), "Ian Inspector", "Pass"),
        ("Outboard engine service", date(2026, 3, 1), "Ian Inspector", "Pass"),
    ]
    assert history[1].next_due_on == date(2027, 3, 1)
    assert history[1].notes == "Impeller replaced"


def test_an_outside_firm_can_be_the_inspector(db: Database, world: World) -> None:
    inspect(
        db,
        world,
        world.harness,
        world.loler,
        TODAY,
        inspector_id=None,
        inspector_name="  Lyon   Equipment Ltd ",
    )
    assert standing(db, world.harness, world.loler).inspector == "Lyon Equipment Ltd"


def test_a_fail_opens_an_unsafe_defect_and_takes_the_item_out_of_service(
    db: Database, world: World
) -> None:
    error = refused(
        inspect, db, world, world.harness, world.loler, TODAY, result=InspectionResult.FAIL
    )
    assert error.rules == {"defect"}
    inspection_id = inspect(
        db,
        world,
        world.harness,
        world.loler,
        TODAY,
        result=InspectionResult.FAIL,
        defect="Stitching worn through on the dorsal D-ring.",
    )
    assert status(db, world.harness) is ItemStatus.OUT_OF_SERVICE
    s = standing(db, world.harness, world.loler)
    assert s.state(TODAY) is DueState.FAILED
    assert s.due_on == TODAY
    with db.read() as session:
        defect = session.scalars(select(Defect)).one()
        assert defect.inspection_id == inspection_id
        assert defect.severity is DefectSeverity.UNSAFE
        assert defect.reported_by_id == world.inspector


def test_a_fail_with_a_major_defect_blocks_hand_over_but_not_booking(
    db: Database, world: World
) -> None:
    inspect(db, world, world.harness, world.loler, TODAY - timedelta(days=10))
    inspect(
        db,
        world,
        world.harness,
        world.loler,
        TODAY,
        result=InspectionResult.FAIL,
        defect="Label illegible.",
        defect_severity=DefectSeverity.MAJOR,
    )
    assert status(db, world.harness) is ItemStatus.AVAILABLE
    loans.request_loan(db, loan_draft(world, world.harness, NOW + 48 * HOUR), world.duty, now=NOW)
    with pytest.raises(LoanRefused) as caught:
        emergency(db, world, world.harness)
    assert caught.value.rules == {"defect", "inspection"}


def test_a_pass_clears_the_defects_it_shows_were_put_right(db: Database, world: World) -> None:
    inspect(
        db,
        world,
        world.harness,
        world.loler,
        date(2026, 11, 10),
        result=InspectionResult.FAIL,
        defect="Winch brake slips under proof load.",
    )
    with db.read() as session:
        defect_id = session.scalars(select(Defect.id)).one()
    inspect(
        db,
        world,
        world.harness,
        world.loler,
        TODAY,
        clears=(defect_id,),
        notes="Brake pads replaced",
        certificate_ref="LOLER/CFR-H1/2",
    )
    assert status(db, world.harness) is ItemStatus.AVAILABLE
    defect = defect_service.get_defect(db, defect_id)
    assert not defect.is_open
    assert defect.clearance_note == (
        "LOLER thorough examination passed on 21/11/2026, certificate LOLER/CFR-H1/2: "
        "Brake pads replaced"
    )
    error = refused(inspect, db, world, world.harness, world.loler, TODAY, clears=(defect_id,))
    assert error.rules == {"clears"}


# -- defects and status ----------------------------------------------------------------------


def report(db: Database, w: World, item_id: int, severity: DefectSeverity, actor: Actor) -> int:
    return defect_service.report_defect(
        db,
        DefectDraft(item_id=item_id, description="Cracked housing.", severity=severity),
        actor,
        now=NOW,
    )


def test_severity_decides_what_a_defect_stops(db: Database, world: World) -> None:
    inspect(db, world, world.harness, world.loler, TODAY)
    minor = report(db, world, world.harness, DefectSeverity.MINOR, world.duty)
    assert status(db, world.harness) is ItemStatus.AVAILABLE
    with db.read() as session:
        item = session.get(EquipmentItem, world.harness)
        assert item is not None
        assert loan_fitness.issue_blockers(session, item, TODAY) == []
    major = report(db, world, world.harness, DefectSeverity.MAJOR, world.duty)
    assert status(db, world.harness) is ItemStatus.AVAILABLE
    with db.read() as session:
        item = session.get(EquipmentItem, world.harness)
        assert item is not None
        assert [p.rule for p in loan_fitness.issue_blockers(session, item, TODAY)] == ["defect"]
    unsafe = report(db, world, world.harness, DefectSeverity.UNSAFE, world.duty)
    assert status(db, world.harness) is ItemStatus.OUT_OF_SERVICE
    with pytest.raises(LoanRefused) as caught:
        loans.request_loan(db, loan_draft(world, world.harness), world.duty, now=NOW)
    assert "out of service" in caught.value.message
    assert {d.id for d in defect_service.list_defects(db, world.harness)} == {minor, major, unsafe}


def test_clearing_the_last_unsafe_defect_returns_kit_to_service(db: Database, world: World) -> None:
    inspect(db, world, world.harness, world.loler, TODAY)
    first = report(db, world, world.harness, DefectSeverity.UNSAFE, world.duty)
    second = report(db, world, world.harness, DefectSeverity.UNSAFE, world.duty)
    defect_service.clear_defect(db, first, "New lanyard fitted.", world.manager, now=NOW)
    assert status(db, world.harness) is ItemStatus.OUT_OF_SERVICE
    defect_service.clear_defect(db, second, "Housing replaced and tested.", world.manager, now=NOW)
    assert status(db, world.harness) is ItemStatus.AVAILABLE
    loans.request_loan(db, loan_draft(world, world.harness), world.duty, now=NOW)
    cleared = defect_service.get_defect(db, second)
    assert cleared.cleared_at == NOW
    assert cleared.clearance_note == "Housing replaced and tested."


def test_clearing_needs_a_note_and_happens_once(db: Database, world: World) -> None:
    defect_id = report(db, world, world.harness, DefectSeverity.UNSAFE, world.duty)
    error = refused(defect_service.clear_defect, db, defect_id, "   ", world.manager, now=NOW)
    assert error.rules == {"note"}
    assert status(db, world.harness) is ItemStatus.OUT_OF_SERVICE
    defect_service.clear_defect(db, defect_id, "Replaced.", world.manager, now=NOW)
    error = refused(defect_service.clear_defect, db, defect_id, "Again.", world.manager, now=NOW)
    assert "already cleared at 21/11/2026 09:00" in error.message


def test_an_unsafe_defect_reported_on_loan_keeps_it_out_of_service_until_cleared(
    db: Database, world: World
) -> None:
    inspect(db, world, world.harness, world.loler, TODAY)
    loan_id = emergency(db, world, world.harness)
    assert status(db, world.harness) is ItemStatus.ON_LOAN
    defect_id = report(db, world, world.harness, DefectSeverity.UNSAFE, world.duty)
    assert status(db, world.harness) is ItemStatus.OUT_OF_SERVICE
    defect_service.clear_defect(
        db, defect_id, "Checked on scene: false alarm.", world.manager, now=NOW
    )
    assert status(db, world.harness) is ItemStatus.ON_LOAN
    report(db, world, world.harness, DefectSeverity.UNSAFE, world.duty)
    loans.return_loan(db, loan_id, world.duty, now=NOW + HOUR)
    assert status(db, world.harness) is ItemStatus.OUT_OF_SERVICE


@pytest.mark.parametrize(
    ("severity", "after"),
    [
        (DefectSeverity.MINOR, ItemStatus.AVAILABLE),
        (DefectSeverity.MAJOR, ItemStatus.AVAILABLE),
        (DefectSeverity.UNSAFE, ItemStatus.OUT_OF_SERVICE),
    ],
)
def test_a_defect_found_on_return_follows_its_severity(
    db: Database, world: World, severity: DefectSeverity, after: ItemStatus
) -> None:
    inspect(db, world, world.harness, world.loler, TODAY)
    loan_id = emergency(db, world, world.harness)
    line_id = loan_views.get_loan(db, loan_id).lines[0].id
    loans.return_loan(
        db,
        loan_id,
        world.duty,
        lines=[LineReturn(line_id, 1, defect="Karabiner gate sticks.", defect_severity=severity)],
        now=NOW + HOUR,
    )
    assert status(db, world.harness) is after
    defects = defect_service.list_defects(db, world.harness)
    assert [(d.severity, d.loan_id) for d in defects] == [(severity, loan_id)]


def test_a_defect_needs_words_and_a_severity(db: Database, world: World) -> None:
    error = refused(
        defect_service.report_defect, db, DefectDraft(item_id=world.harness), world.duty, now=NOW
    )
    assert error.rules == {"description", "severity"}


# -- blocking issue ---------------------------------------------------------------------------


def test_due_today_goes_out_due_yesterday_does_not(db: Database, world: World) -> None:
    inspect(db, world, world.harness, world.loler, date(2026, 5, 21))  # due 21/11/2026
    emergency(db, world, world.harness)

    inspect(db, world, world.boat, world.boat_category, TODAY)
    inspect(db, world, world.boat, world.engine, date(2025, 11, 20))  # due 20/11/2026
    with pytest.raises(LoanRefused) as caught:
        emergency(db, world, world.boat)
    assert caught.value.rules == {"inspection"}
    assert (
        "Outboard engine service of CFR-B1 “Boat” was due on 20/11/2026 and has lapsed"
        in caught.value.message
    )


def test_no_inspection_on_record_blocks_issue(db: Database, world: World) -> None:
    with pytest.raises(LoanRefused) as caught:
        emergency(db, world, world.harness)
    assert "No LOLER thorough examination is recorded for CFR-H1" in caught.value.message


def test_a_lapse_under_a_regime_that_does_not_block_lets_kit_go(db: Database, world: World) -> None:
    inspect(db, world, world.radio, world.puwer, date(2025, 1, 1))
    assert standing(db, world.radio, world.puwer).state(TODAY) is DueState.OVERDUE
    emergency(db, world, world.radio)


def test_the_item_detail_shows_each_regime_and_defect(db: Database, world: World) -> None:
    inspect(db, world, world.boat, world.boat_category, TODAY)
    report(db, world, world.boat, DefectSeverity.MINOR, world.duty)
    detail = item_detail(db, world.boat, now=NOW)
    assert [(s.regime, s.state(TODAY)) for s in detail.inspections] == [
        ("PUWER inspection (boats)", DueState.IN_DATE),
        ("Outboard engine service", DueState.NEVER),
    ]
    assert detail.inspection_lapsed
    assert detail.next_inspection_due == date(2027, 11, 21)
    assert detail.open_defects == ("Minor: Cracked housing.",)
    assert any("Outboard engine service" in b for b in detail.issue_blockers)


# -- permissions ------------------------------------------------------------------------------


def test_only_the_owners_managers_record_inspections(db: Database, world: World) -> None:
    for actor in (world.duty, world.other_manager, Actor(name="Nobody")):
        with pytest.raises(NotPermitted):
            recording_service.record_inspection(
                db,
                InspectionDraft(
                    item_id=world.harness,
                    regime_id=world.loler,
                    inspected_on=TODAY,
                    inspector_name="Someone",
                    result=InspectionResult.PASS,
                ),
                actor,
                now=NOW,
            )
    recording_service.record_inspection(
        db,
        InspectionDraft(
            item_id=world.harness,
            regime_id=world.loler,
            inspected_on=TODAY,
            inspector_name="Someone",
            result=InspectionResult.PASS,
        ),
        world.admin,
        now=NOW,
    )
    with db.read() as session:
        assert len(session.scalars(select(Inspection)).all()) == 1


def test_anyone_signed_in_reports_a_defect_only_the_owner_clears_it(
    db: Database, world: World
) -> None:
    with pytest.raises(NotPermitted):
        report(db, world, world.harness, DefectSeverity.UNSAFE, Actor(name="Nobody"))
    defect_id = report(db, world, world.harness, DefectSeverity.UNSAFE, world.duty)
    assert defect_service.get_defect(db, defect_id).reported_by == "Dee Duty"
    for actor in (world.duty, world.other_manager):
        with pytest.raises(NotPermitted):
            defect_service.clear_defect(db, defect_id, "Fixed.", actor, now=NOW)
    assert defect_service.get_defect(db, defect_id).is_open
    defect_service.clear_defect(db, defect_id, "Fixed.", world.admin, now=NOW)
    assert not defect_service.get_defect(db, defect_id).is_open


# -- regimes -------------------------------------------------------------------------------------


def test_regimes_for_a_category_are_an_administrators(db: Database, world: World) -> None:
    with db.read() as session:
        height = session.get(InspectionRegime, world.loler)
        assert height is not None
        category_id = height.category_id
    draft = RegimeDraft(name="PAT test", category_id=category_id, interval_months=12)
    with pytest.raises(NotPermitted):
        regime_service.create_regime(db, draft, world.manager)
    regime_id = regime_service.create_regime(db, draft, world.admin)
    names = [r.name for r in regime_service.list_regimes(db, item_id=world.harness)]
    assert names == ["LOLER thorough examination", "PAT test"]
    # The new regime has no inspection yet, so the harness cannot go out.
    assert standing(db, world.harness, regime_id).state(TODAY) is DueState.NEVER


def test_an_items_own_regime_is_its_owners_managers(db: Database, world: World) -> None:
    draft = RegimeDraft(name="Battery check", item_id=world.radio, interval_days=90)
    with pytest.raises(NotPermitted):
        regime_service.create_regime(db, draft, world.other_manager)
    regime_id = regime_service.create_regime(db, draft, world.manager)
    regime_service.update_regime(
        db, regime_id, replace(draft, interval_days=None, interval_months=3), world.manager
    )
    view = next(r for r in regime_service.list_regimes(db) if r.id == regime_id)
    assert (view.interval, view.applies_to, view.blocks_issue) == (
        "Every 3 months",
        "Item: CFR-S1",
        True,
    )
    regime_service.delete_regime(db, regime_id, world.manager)
    assert regime_id not in {r.id for r in regime_service.list_regimes(db)}


@pytest.mark.parametrize(
    ("draft", "rule"),
    [
        (RegimeDraft(name=" ", item_id=1, interval_months=6), "name"),
        (RegimeDraft(name="X", interval_months=6), "applies_to"),
        (RegimeDraft(name="X", item_id=1), "interval"),
        (RegimeDraft(name="X", item_id=1, interval_days=7, interval_months=6), "interval"),
        (RegimeDraft(name="X", item_id=1, interval_months=0), "interval"),
        (RegimeDraft(name="X", item_id=1, interval_months=121), "interval"),
    ],
)
def test_a_bad_regime_is_refused(db: Database, world: World, draft: RegimeDraft, rule: str) -> None:
    if draft.item_id is not None:
        draft = replace(draft, item_id=world.radio)
    with pytest.raises(InspectionRefused) as caught:
        regime_service.create_regime(db, draft, world.admin)
    assert rule in caught.value.rules


def test_a_regime_with_inspections_cannot_be_deleted(db: Database, world: World) -> None:
    inspect(db, world, world.boat, world.engine, TODAY)
    error = refused(regime_service.delete_regime, db, world.engine, world.manager)
    assert "1 inspection is recorded under “Outboard engine service”" in error.message
    assert world.engine in {r.id for r in regime_service.list_regimes(db)}


# -- the overview and search --------------------------------------------------------------------


def test_the_overview_lists_overdue_due_soon_and_out_of_service(db: Database, world: World) -> None:
    inspect(db, world, world.harness, world.loler, date(2026, 6, 10))  # due 10/12/2026
    inspect(db, world, world.radio, world.puwer, date(2025, 11, 1))  # lapsed 01/11/2026
    inspect(db, world, world.boat, world.boat_category, TODAY)
    # The boat's engine has never been serviced; it is also out of service.
    report(db, world, world.boat, DefectSeverity.UNSAFE, world.duty)

    overview = overview_service.inspections_overview(db, days=30, now=NOW)
    overdue = [(r.asset_tag, r.state) for r in overview.rows(Watch.OVERDUE)]
    assert overdue == [("CFR-B1", DueState.NEVER), ("CFR-S1", DueState.OVERDUE)]
    assert [r.asset_tag for r in overview.rows(Watch.DUE_SOON)] == ["CFR-H1"]
    assert [r.asset_tag for r in overview.rows(Watch.OUT_OF_SERVICE)] == ["CFR-B1"]
    assert overview.count(Watch.DEFECTS) == 1

    shorter = overview_service.inspections_overview(db, days=7, now=NOW)
    assert shorter.rows(Watch.DUE_SOON) == ()
    other = overview_service.inspections_overview(db, agency_id=world.borrower, now=NOW)
    assert all(other.count(w) == 0 for w in Watch)


def test_search_finds_kit_due_before_a_day(db: Database, world: World) -> None:
    inspect(db, world, world.harness, world.loler, date(2026, 6, 10))  # due 10/12/2026
    inspect(db, world, world.radio, world.puwer, TODAY)  # due 21/11/2027
    inspect(db, world, world.boat, world.boat_category, TODAY)  # engine never serviced

    def tags(day: date, query: str = "") -> list[str]:
        filters = SearchFilters(inspection_due_before=day)
        page = search_items(db, query, filters, sort=SortKey.TAG, now=NOW)
        return [r.asset_tag for r in page.rows]

    assert tags(date(2026, 12, 10)) == ["CFR-B1"]
    assert tags(date(2026, 12, 11)) == ["CFR-B1", "CFR-H1"]
    assert tags(date(2027, 12, 1)) == ["CFR-B1", "CFR-H1", "CFR-S1"]
    assert tags(date(2026, 12, 11), "tower") == ["CFR-H1"]  # words and the filter together
    assert (
        search_items(
            db, "tower", SearchFilters(inspection_due_before=date(2026, 12, 11)), now=NOW
        ).total
        == 1
    )

    report(db, world, world.radio, DefectSeverity.UNSAFE, world.duty)
    out = search_items(db, "", SearchFilters(status=ItemStatus.OUT_OF_SERVICE), now=NOW)
    assert [r.asset_tag for r in out.rows] == ["CFR-S1"]


# -- typed at the edges -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"inspected_on": date(1, 1, 1)},
            "inspected_on",
            "The inspection date 01/01/0001 is outside the dates Kit Share takes; give one "
            "from 01/01/1970 to 31/12/2099.",
        ),
        (
            {"next_due_on": date(9999, 12, 31)},
            "next_due_on",
            "The next due date 31/12/9999 is outside the dates Kit Share takes; give one "
            "from 01/01/1970 to 31/12/2099.",
        ),
    ],
)
def test_an_inspection_dated_outside_the_years_kept_is_refused(
    db: Database, world: World, changes: dict[str, object], field: str, message: str
) -> None:
    draft = replace(
        InspectionDraft(
            item_id=world.harness,
            regime_id=world.loler,
            inspected_on=TODAY,
            inspector_id=world.inspector,
            result=InspectionResult.PASS,
        ),
        **changes,  # type: ignore[arg-type]
    )
    assert recording_service.check_inspection(db, draft, now=NOW) == [
        Refusal(field, message, field)
    ]
    error = refused(recording_service.record_inspection, db, draft, world.manager, now=NOW)
    assert error.message == message
    with db.read() as session:
        assert session.scalars(select(Inspection)).all() == []


def test_control_characters_typed_into_an_inspection_are_not_kept(
    db: Database, world: World
) -> None:
    inspection_id = inspect(
        db,
        world,
        world.harness,
        world.loler,
        TODAY,
        result=InspectionResult.FAIL,
        inspector_id=None,
        inspector_name="Acme\x00 Lifting Ltd",
        notes="Webbing cut.\r\nStitching\x00 frayed.",
        certificate_ref="LOLER/\x001",
        defect="Cut\x00 webbing",
    )
    with db.read() as session:
        inspection = session.get(Inspection, inspection_id)
        assert inspection is not None
        assert inspection.inspector_name == "Acme Lifting Ltd"
        assert inspection.notes == "Webbing cut.\nStitching frayed."
        assert inspection.certificate_ref == "LOLER/1"
        defect = session.scalars(select(Defect).where(Defect.item_id == world.harness)).one()
        assert defect.description == "Cut webbing"
