"""The planner's model: the columns on UK wall-clock time, what each booking of the demo
is drawn as, how many of a pool each slot has booked, and the planner on paper. On
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.catalogue.directory import find_agency, find_item, find_person
from app.catalogue.search import search_items
from app.core.clock import UK, now_utc
from app.kits.lending import kit_loan_draft
from app.kits.rules import KitDraft, MemberDraft
from app.kits.service import create_kit, get_kit
from app.loans.drafts import Handover
from app.loans.service import emergency_issue
from app.people.accounts import sign_in
from app.planner.model import (
    MOST_ROWS_ASKED,
    Bar,
    BarState,
    PlanRow,
    RowKind,
    Slot,
    Zoom,
    booked_in,
    bookings,
    most_urgent,
    request_refusal,
    row_bookings,
    slots,
)
from app.planner.printing import PAPER_COLOURS, planner_document
from app.storage.database import Database
from models import EquipmentItem

T0 = datetime(2027, 1, 4, 9, tzinfo=UTC)


def _bar(start_h: int, end_h: int, quantity: int, state: BarState = BarState.OUT) -> Bar:
    return Bar(
        loan_id=start_h,
        state=state,
        borrower="Hertfordshire Constabulary",
        borrower_code="HERTS-POL",
        starts_at=T0 + timedelta(hours=start_h),
        ends_at=T0 + timedelta(hours=end_h),
        quantity=quantity,
    )


def test_days_are_uk_days_across_the_clock_change_and_weeks_start_on_monday() -> None:
    spring = slots(date(2027, 3, 27), Zoom.DAYS, 3)
    assert [s.end - s.start for s in spring] == [
        timedelta(hours=24),
        timedelta(hours=23),  # the clocks go forward on Sunday 28 March 2027
        timedelta(hours=24),
    ]
    assert spring[1].start.astimezone(UK).hour == 0
    (week,) = slots(date(2027, 3, 31), Zoom.WEEKS, 1)  # a Wednesday
    assert week.day == date(2027, 3, 29)
    assert week.day.weekday() == 0
    hours = slots(date(2027, 3, 28), Zoom.HOURS, 4)
    assert [s.start.astimezone(UK).hour for s in hours] == [0, 2, 3, 4]  # 01:00 never was
    assert all(s.end - s.start == timedelta(hours=1) for s in hours)


def test_a_pool_slot_counts_the_most_booked_at_once() -> None:
    day = Slot(T0, T0 + timedelta(hours=24), T0.date())
    overlapping = [_bar(0, 10, 5), _bar(5, 15, 3), _bar(10, 20, 4)]
    assert booked_in(overlapping, day) == 8  # 5 + 3 between 5 and 10
    # A booking may begin as another ends: the kit is not counted twice.
    assert booked_in([_bar(0, 10, 5), _bar(10, 20, 5)], day) == 5
    later = Slot(T0 + timedelta(hours=24), T0 + timedelta(hours=48), T0.date())
    assert booked_in(overlapping, later) == 0
    urgent = [_bar(0, 10, 1, BarState.REQUESTED), _bar(2, 4, 1, BarState.OVERDUE)]
    assert most_urgent(urgent, day) is BarState.OVERDUE
    assert most_urgent(urgent, later) is None


def test_each_demo_booking_is_a_bar_in_its_state(demo_db: Database) -> None:
    now = now_utc()
    tags = [
        "CFR-000231",  # out to the ambulance service
        "CFR-000270",  # recalled
        "CFR-000242",  # overdue
        "CAM-000130",  # 20 of 40 barriers, overdue
        "CAM-000140",  # 16 fencing panels out, 10 back
        "CAM-000131",  # 30 barriers requested
        "CAM-000136",  # 3 gazebos approved
        "CFR-000233",  # declined: nothing booked
    ]
    ids = {tag: find_item(demo_db, tag).id for tag in tags}

    found = bookings(demo_db, ids.values(), now - timedelta(days=30), now + timedelta(days=30))

    # What holds kit now or later (the year's history, back since, is drawn apart).
    drawn = {
        tag: [
            (bar.state, bar.quantity, bar.borrower_code)
            for bar in found[ids[tag]]
            if bar.state is not BarState.RETURNED
        ]
        for tag in tags
    }
    assert drawn == {
        "CFR-000231": [(BarState.OUT, 1, "EEAST")],
        "CFR-000270": [(BarState.RECALLED, 1, "CAMBS-POL")],
        "CFR-000242": [(BarState.OVERDUE, 1, "CAMBS-POL")],
        "CAM-000130": [(BarState.OVERDUE, 20, "BEDS-POL")],
        "CAM-000140": [(BarState.OUT, 6, "CAMBS-FRS")],
        "CAM-000131": [(BarState.REQUESTED, 30, "HERTS-POL")],
        "CAM-000136": [(BarState.APPROVED, 3, "EEAST")],
        "CFR-000233": [],
    }
    # Overdue kit is held until it comes back: its bar runs on through the window.
    (overdue,) = [b for b in found[ids["CFR-000242"]] if b.state is not BarState.RETURNED]
    assert overdue.ends_at == now + timedelta(days=30)
    # Only the rows asked for are read; a window with no booking draws none.
    quiet = bookings(
        demo_db, [ids["CFR-000231"]], now + timedelta(days=60), now + timedelta(days=90)
    )
    assert quiet == {ids["CFR-000231"]: ()}


def test_the_planner_prints_on_a4_on_its_side_with_a_cell_per_booking(demo_db: Database) -> None:
    rows = [
        PlanRow(RowKind.ITEM, r.id, r.asset_tag, r.name, r.is_pooled, r.quantity)
        for r in search_items(demo_db, "barrier").rows
    ]
    today = now_utc().astimezone(UK).date()
    shown = slots(today - timedelta(days=3), Zoom.DAYS, 14)

    document = planner_document(demo_db, rows, shown, Zoom.DAYS, total=len(rows), what="barrier")

    assert document.landscape
    assert document.title == "Planner: barrier"
    assert "<thead>" in document.html  # repeated at the top of every page
    assert document.html.count("</th>") == len(shown) + 1
    # CAM-000130: 20 of its 40 overdue, in the overdue colour, every day shown.
    overdue = f'<td bgcolor="{PAPER_COLOURS[BarState.OVERDUE]}" align="center"'
    overdue += ' style="font-size: 5.5pt;">20<'
    assert document.html.count(overdue) == len(shown)
    # Each column's share of the width given, so the table spans the page.
    assert document.html.count('<th width="') == len(shown) + 1
    assert document.notice == ""


def test_a_kit_row_shows_each_loan_of_the_kit_as_one_bar(demo_db: Database) -> None:
    manager = sign_in(demo_db, "manager", "manager-demo-2026")  # Cambridgeshire Fire
    drone, spare = find_item(demo_db, "CFR-000203"), find_item(demo_db, "CFR-000290")
    with demo_db.read() as session:
        home = session.get(EquipmentItem, drone.id)
        assert home is not None
        site = home.home_site_id
    kit_id = create_kit(
        demo_db,
        KitDraft(
            name="Night search team kit",
            owner_agency_id=drone.owner_agency_id,
            home_site_id=site,
            members=(MemberDraft(drone.id), MemberDraft(spare.id, note="Check the battery")),
        ),
        manager,
    )
    police = find_agency(demo_db, "CAMBS-POL").id
    start = now_utc().replace(second=0, microsecond=0)
    loan_id = emergency_issue(
        demo_db,
        kit_loan_draft(
            get_kit(demo_db, kit_id),
            borrower_agency_id=police,
            requested_by_id=None,
            purpose="Missing person search, Ouse Washes",
            starts_at=start,
            due_at=start + timedelta(hours=8),
            is_emergency=True,
        ),
        Handover(operator_id=find_person(demo_db, "Daniel Okafor", prefer_agency_id=police).id),
        sign_in(demo_db, "duty", "duty-demo-2026"),
    )
    row = PlanRow(RowKind.KIT, kit_id, "CAMBS-FRS", "Night search team kit")

    found = row_bookings(demo_db, [row], start - timedelta(days=1), start + timedelta(days=1))

    (bar,) = found[row.key]
    assert (bar.loan_id, bar.state, bar.borrower_code) == (loan_id, BarState.OUT, "CAMBS-POL")
    assert (bar.starts_at, bar.ends_at) == (start, start + timedelta(hours=8))
    assert row.label == "Kit: Night search team kit (CAMBS-FRS)"


def test_the_years_history_is_drawn_as_returned_for_the_time_each_loan_was_out(
    demo_db: Database,
) -> None:
    now = now_utc()
    barriers = find_item(demo_db, "CAM-000130").id
    (bars,) = bookings(demo_db, [barriers], now - timedelta(days=366), now).values()

    history = [bar for bar in bars if bar.state is BarState.RETURNED]
    assert len(history) >= 3  # summer events, football: the demo's year
    for bar in history:
        assert bar.starts_at < bar.ends_at <= now
        assert 0 < bar.quantity <= 40
    # None of it holds the pool in the weeks ahead.
    ahead = Slot(now + timedelta(days=1), now + timedelta(days=2), now.date())
    assert booked_in(history, ahead) == 0


def test_a_kit_is_asked_for_alone_and_a_request_for_at_most_so_many_rows() -> None:
    item = PlanRow(RowKind.ITEM, 1, "CAM-000130", "Pedestrian barrier", True, 40)
    kit = PlanRow(RowKind.KIT, 2, "CFR", "Earith flood team kit")
    assert request_refusal([item]) is None
    assert request_refusal([kit]) is None
    mixed = request_refusal([item, kit])
    assert mixed is not None
    assert "a kit is asked for on its own" in mixed
    many = [PlanRow(RowKind.ITEM, n, f"T{n}", "Cone") for n in range(MOST_ROWS_ASKED + 1)]
    assert request_refusal(many[:-1]) is None
    too_many = request_refusal(many)
    assert too_many is not None
    assert f"at most {MOST_ROWS_ASKED}" in too_many
