"""Report figures on known data, on SQLite and PostgreSQL; formats and CSV without a database.

The main world: Fire lends tower lights, Police lends barriers (a pool of ten) and lights,
Ambulance only borrows. Loans are written straight to the tables with fixed hand-over and
return times (UK time, British Summer Time in July to September), so every figure below
can be worked out by hand; overdue loans go through the loan services themselves.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from app.core.actor import Actor
from app.core.clock import UK
from app.core.errors import NotFound, Refused
from app.loans import service as loan_service
from app.loans.drafts import Handover, LineDraft, LoanDraft
from app.reports.due import LOOK_AHEAD_DAYS
from app.reports.period import Period, default_period
from app.reports.report import (
    ChartKind,
    Column,
    ColumnKind,
    Report,
    ReportKey,
    display,
    report_json,
    write_report_csv,
)
from app.reports.service import build_report, report_key, report_specs
from app.storage.database import Database
from models import (
    Agency,
    AgencyKind,
    AuditEvent,
    Category,
    EquipmentItem,
    Inspection,
    InspectionRegime,
    InspectionResult,
    ItemStatus,
    Loan,
    LoanLine,
    LoanStatus,
    PersonQualification,
    Role,
    Site,
)
from tests import factories as f

NOW = f.NOW  # Saturday 21/11/2026 09:00 UTC
# Who asks for the reports: one who may see every one of them.
ADMIN = Actor(name="Admin", role=Role.ADMINISTRATOR)
SUMMER = Period(date(2026, 7, 1), date(2026, 9, 30))  # 92 days, all in the past


def uk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UK)


@dataclass(frozen=True)
class World:
    fire: int
    police: int
    ambulance: int


def kit(
    session: Session,
    tag: str,
    owner: Agency,
    home: Site,
    kind: Category,
    *,
    listed: datetime,
    quantity: int = 1,
    hire: int | None = None,
    replacement: int | None = None,
    retired: datetime | None = None,
) -> EquipmentItem:
    """An item added to the catalogue at ``listed``; ``retired`` is its last change."""
    item = EquipmentItem(
        asset_tag=tag,
        name=f"Kit {tag}",
        category_id=kind.id,
        owner_agency_id=owner.id,
        home_site_id=home.id,
        is_pooled=quantity > 1,
        quantity=quantity,
        status=ItemStatus.RETIRED if retired else ItemStatus.AVAILABLE,
        daily_hire_rate_pence=hire,
        replacement_value_pence=replacement,
        created_at=listed,
        updated_at=retired or listed,
    )
    session.add(item)
    session.flush()
    return item


def lend(
    session: Session,
    borrower: Agency,
    lines: list[tuple[EquipmentItem, int]],
    issued: datetime | None,
    returned: datetime | None = None,
    *,
    status: LoanStatus | None = None,
) -> Loan:
    """A loan handed over at ``issued`` and back at ``returned`` (None: still out)."""
    if status is None:
        status = LoanStatus.RETURNED if returned else LoanStatus.ISSUED
    starts = issued or uk(2026, 7, 15)
    due = (returned or starts) + timedelta(days=2)
    holds = status in (LoanStatus.REQUESTED, LoanStatus.APPROVED, LoanStatus.ISSUED)
    loan = Loan(
        borrower_agency_id=borrower.id,
        purpose="Test loan",
        starts_at=starts,
        due_at=due,
        status=status,
        issued_at=issued,
        returned_at=returned,
    )
    for item, quantity in lines:
        loan.lines.append(
            LoanLine(
                item_id=item.id,
                quantity=quantity,
                quantity_returned=quantity if returned else 0,
                starts_at=starts,
                ends_at=due,
                holds_stock=holds,
                exclusive=not item.is_pooled,
            )
        )
    session.add(loan)
    session.flush()
    return loan


@pytest.fixture
def world(db: Database) -> World:
    return build_world(db)


def build_world(db: Database) -> World:
    """The summer's kit and loans described at the top of this module."""
    with db.write() as session:
        fire = f.agency(session, "Fire Service", AgencyKind.FIRE)
        police = f.agency(session, "Police Force", AgencyKind.POLICE)
        ambulance = f.agency(session, "Ambulance Trust", AgencyKind.AMBULANCE)
        fire_station = f.site(session, fire, "Ely")
        police_station = f.site(session, police, "Parkside")
        lights = f.category(session, "Lighting")
        barriers = f.category(session, "Barriers")
        before = uk(2025, 1, 1)
        # L1 has both a hire rate and a replacement value: the hire rate wins.
        l1 = kit(
            session,
            "R-L1",
            fire,
            fire_station,
            lights,
            listed=before,
            hire=5000,
            replacement=1_000_000,
        )
        # L2 joins the catalogue on 01/08 (61 of the 92 days); valued at 1% of £2,000.
        l2 = kit(
            session, "R-L2", fire, fire_station, lights, listed=uk(2026, 8, 1), replacement=200_000
        )
        # L3 was retired on 11/07 (its audit event), though changed again later.
        l3 = kit(session, "R-L3", fire, fire_station, lights, listed=before, retired=uk(2026, 9, 1))
        session.add(
            AuditEvent(
                occurred_at=uk(2026, 7, 11),
                actor="Test",
                action="item.retired",
                entity_type="equipment_item",
                entity_id=l3.id,
                note="Written off",
            )
        )
        kit(session, "R-L4", police, police_station, lights, listed=before)  # never lent
        kit(session, "R-L5", fire, fire_station, lights, listed=uk(2026, 10, 15))  # after
        l6 = kit(session, "R-L6", police, police_station, lights, listed=before, hire=1000)
        # L7 was retired with no audit event: its last change, 21/07, stands for it.
        kit(session, "R-L7", fire, fire_station, lights, listed=before, retired=uk(2026, 7, 21))
        pool = kit(session, "R-B1", police, police_station, barriers, listed=before, quantity=10)

        # Police had L1 from 25/06: only 01/07 and 02/07 fall in the summer.
        lend(session, police, [(l1, 1)], uk(2026, 6, 25, 12), uk(2026, 7, 3))
        # Police had L1 for a day from 00:30 on 01/08 (BST): an August loan, not July's.
        lend(session, police, [(l1, 1)], uk(2026, 8, 1, 0, 30), uk(2026, 8, 2, 0, 30))
        # Ambulance had L1 from 29/09 to 05/10: two days in the summer.
        lend(session, ambulance, [(l1, 1)], uk(2026, 9, 29), uk(2026, 10, 5))
        # Fire lent L2 to itself for a day: lent, but not shared.
        lend(session, fire, [(l2, 1)], uk(2026, 8, 10), uk(2026, 8, 11))
        # Police had L2 for three days.
        lend(session, police, [(l2, 1)], uk(2026, 8, 20), uk(2026, 8, 23))
        # Fire had four barriers for two and a half days: ten unit-days, and no value known.
        lend(session, fire, [(pool, 4)], uk(2026, 7, 10), uk(2026, 7, 12, 12))
        # Ambulance has had L6 since 30/09, still out (and overdue now).
        lend(session, ambulance, [(l6, 1)], uk(2026, 9, 30))
        # Requests never issued, declined and cancelled lend nothing.
        lend(session, police, [(l1, 1)], None, status=LoanStatus.REQUESTED)
        lend(session, police, [(l1, 1)], None, status=LoanStatus.DECLINED)
        lend(session, ambulance, [(pool, 6)], None, status=LoanStatus.CANCELLED)
        return World(fire=fire.id, police=police.id, ambulance=ambulance.id)


def report(db: Database, key: ReportKey, period: Period = SUMMER, **kwargs: object) -> Report:
    return build_report(db, key, period, actor=ADMIN, now=NOW, **kwargs)  # type: ignore[arg-type]


# -- loans per month ---------------------------------------------------------------------------


def test_loans_per_month_counts_handed_over_loans_by_uk_month(db: Database, world: World) -> None:
    result = report(db, ReportKey.LOANS_PER_MONTH)
    assert [c.title for c in result.columns] == [
        "Month",
        "Borrowing agency",
        "Loans",
        "Lines",
        "Units",
    ]
    assert result.rows == (
        ("Jul 2026", "Ambulance Trust", 0, 0, 0),
        ("Jul 2026", "Fire Service", 1, 1, 4),
        ("Jul 2026", "Police Force", 0, 0, 0),
        ("Aug 2026", "Ambulance Trust", 0, 0, 0),
        ("Aug 2026", "Fire Service", 1, 1, 1),
        ("Aug 2026", "Police Force", 2, 2, 2),
        ("Sep 2026", "Ambulance Trust", 2, 2, 2),
        ("Sep 2026", "Fire Service", 0, 0, 0),
        ("Sep 2026", "Police Force", 0, 0, 0),
    )
    assert result.totals == ("Total", "", 6, 6, 9)
    assert result.subtitle == "01/07/2026 to 30/09/2026 · all agencies"
    chart = result.chart
    assert chart is not None
    assert chart.kind is ChartKind.STACKED
    assert chart.categories == ("Jul 2026", "Aug 2026", "Sep 2026")
    assert [(s.name, s.values) for s in chart.series] == [
        ("Ambulance Trust", (0.0, 0.0, 2.0)),
        ("Fire Service", (1.0, 1.0, 0.0)),
        ("Police Force", (0.0, 2.0, 0.0)),
    ]


def test_every_month_appears_even_with_no_loans(db: Database, world: World) -> None:
    result = report(
        db,
        ReportKey.LOANS_PER_MONTH,
        Period(date(2026, 6, 1), date(2026, 12, 31)),
        agency_id=world.police,
    )
    assert result.subtitle == "01/06/2026 to 31/12/2026 · loans to Police Force"
    assert result.rows == (
        ("Jun 2026", "Police Force", 1, 1, 1),
        ("Jul 2026", "Police Force", 0, 0, 0),
        ("Aug 2026", "Police Force", 2, 2, 2),
        ("Sep 2026", "Police Force", 0, 0, 0),
        ("Oct 2026", "Police Force", 0, 0, 0),
        ("Nov 2026", "Police Force", 0, 0, 0),
        ("Dec 2026", "Police Force", 0, 0, 0),
    )
    assert result.totals == ("Total", "", 3, 3, 3)
    assert any("runs past today" in note for note in result.notes)
    empty = report(db, ReportKey.LOANS_PER_MONTH, Period(date(2026, 1, 15), date(2026, 2, 10)))
    assert empty.rows == (("Jan 2026", "No loans", 0, 0, 0), ("Feb 2026", "No loans", 0, 0, 0))
    assert empty.chart is not None
    assert [(s.name, s.values) for s in empty.chart.series] == [("Loans", (0.0, 0.0))]
    assert any("only partly in the period" in note for note in empty.notes)


# -- utilisation -------------------------------------------------------------------------------


def test_utilisation_clips_loans_and_catalogue_days_to_the_period(
    db: Database, world: World
) -> None:
    result = report(db, ReportKey.UTILISATION)
    # Lighting: L1 92 + L2 61 + L3 10 (retired 11/07) + L4 92 + L6 92 + L7 20 (retired
    # 21/07) days available; L5 joined after the summer. On loan: L1 2 + 1 + 2, L2 1 + 3,
    # L6 1 (still out, from 30/09). Barriers: ten units all summer; four out 2.5 days.
    # Highest utilisation first.
    assert [row[:2] for row in result.rows] == [("Lighting", 6), ("Barriers", 10)]
    lighting, barriers = result.rows
    assert barriers[2:] == pytest.approx((10.0, 920.0, 10 / 920))
    assert lighting[2:] == pytest.approx((10.0, 367.0, 10 / 367))
    assert result.totals is not None
    assert result.totals[:2] == ("All categories", 16)
    assert result.totals[2:] == pytest.approx((20.0, 1287.0, 20 / 1287))
    chart = result.chart
    assert chart is not None
    assert chart.kind is ChartKind.HORIZONTAL
    assert chart.value_kind is ColumnKind.PERCENT
    assert chart.categories == ("Lighting", "Barriers")
    assert chart.series[0].values == pytest.approx((10 / 367, 10 / 920))
    assert [c.kind for c in result.columns] == [
        ColumnKind.TEXT,
        ColumnKind.COUNT,
        ColumnKind.DAYS,
        ColumnKind.DAYS,
        ColumnKind.PERCENT,
    ]


def test_utilisation_counts_up_to_now_for_one_agencys_kit(db: Database, world: World) -> None:
    # At midday on 01/10, a period to 30/11: Police's L4, L6 and pool count 30.5 days
    # each from 01/09; L6 has been out since midnight on 30/09, a day and a half.
    now = uk(2026, 10, 1, 12)
    result = build_report(
        db,
        ReportKey.UTILISATION,
        Period(date(2026, 9, 1), date(2026, 11, 30)),
        agency_id=world.police,
        actor=ADMIN,
        now=now,
    )
    assert result.subtitle == "01/09/2026 to 30/11/2026 · kit owned by Police Force"
    assert [row[:2] for row in result.rows] == [("Lighting", 2), ("Barriers", 10)]
    assert result.rows[0][2:] == pytest.approx((1.5, 61.0, 1.5 / 61))
    assert result.rows[1][2:] == pytest.approx((0.0, 305.0, 0.0))
    assert any("count up to now (01/10/2026 12:00)" in note for note in result.notes)


# -- most and least lent -----------------------------------------------------------------------


def test_most_lent_by_days_then_loans(db: Database, world: World) -> None:
    result = report(db, ReportKey.MOST_LENT)
    assert [row[0] for row in result.rows] == ["R-B1", "R-L1", "R-L2", "R-L6"]
    assert [row[2:4] for row in result.rows] == [
        ("Police Force", 1),
        ("Fire Service", 3),
        ("Fire Service", 2),
        ("Police Force", 1),
    ]
    assert [row[4] for row in result.rows] == pytest.approx([10.0, 5.0, 4.0, 1.0])
    assert result.rows[0][1] == "Kit R-B1"
    chart = result.chart
    assert chart is not None
    assert chart.categories[:2] == ("R-B1 Kit R-B1", "R-L1 Kit R-L1")
    assert chart.series[0].values == pytest.approx((10.0, 5.0, 4.0, 1.0))
    fire_only = report(db, ReportKey.MOST_LENT, agency_id=world.fire)
    assert [row[0] for row in fire_only.rows] == ["R-L1", "R-L2"]


def test_least_lent_includes_kit_never_lent(db: Database, world: World) -> None:
    result = report(db, ReportKey.LEAST_LENT)
    # L5 joined after the summer; L3 and L7 were in the catalogue for part of it.
    assert [(row[0], row[3]) for row in result.rows] == [
        ("R-L3", 0),
        ("R-L4", 0),
        ("R-L7", 0),
        ("R-L6", 1),
        ("R-L2", 2),
        ("R-L1", 3),
        ("R-B1", 1),
    ]
    assert [row[4] for row in result.rows] == pytest.approx([0, 0, 0, 1.0, 4.0, 5.0, 10.0])
    assert "among the 7 in the catalogue" in result.notes[0]
    assert (
        result.notes[1]
        == "3 of them were never lent in the period, and the table includes them (0 loans)."
    )


# -- overdue now -------------------------------------------------------------------------------


def test_overdue_follows_the_loan_services_due_time(db: Database) -> None:
    start = NOW - timedelta(hours=30)  # 20/11 03:00 UTC
    with db.write() as session:
        fire = f.agency(session, "Fire Service", AgencyKind.FIRE)
        police = f.agency(session, "Police Force", AgencyKind.POLICE)
        station = f.site(session, fire, "Ely")
        lights = f.category(session, "Lighting")
        lamps = [
            f.item(session, owner=fire, home=station, kind=lights, tag=f"R-L{n}") for n in range(4)
        ]
        mou = f.mou_in_force(session, [fire, police])
        f.protocol(session, mou, borrowers=[police], categories=[lights])
        requester = f.person(session, police, "Rita", "Reed")
        operator = f.person(session, police, "Pat", "Pilot")
        operator.phone = "07700 900123"
        manager = f.person(session, fire, "Mia", "Manager")
        ids = (fire.id, police.id, requester.id, operator.id, manager.id, [i.id for i in lamps])
    fire_id, police_id, requester_id, operator_id, manager_id, lamp_ids = ids
    actor = Actor(name="Duty", role=Role.DUTY_OFFICER)
    lender = Actor(
        name="Mia Manager", role=Role.EQUIPMENT_MANAGER, person_id=manager_id, agency_id=fire_id
    )

    def out(lamp: int, *, operator: int | None = operator_id) -> int:
        draft = LoanDraft(
            borrower_agency_id=police_id,
            requested_by_id=requester_id,
            purpose="Night search",
            starts_at=start + timedelta(hours=1),
            due_at=start + timedelta(hours=25),
            lines=(LineDraft(lamp),),
        )
        loan_id = loan_service.request_loan(db, draft, actor, now=start)
        loan_service.approve_loan(db, loan_id, lender, now=start)
        handover = Handover(operator_id=operator or requester_id)
        loan_service.issue_loan(db, loan_id, handover, actor, now=start + timedelta(hours=1))
        return loan_id

    late = out(lamp_ids[0])  # due 21/11 04:00 UTC: five hours overdue
    extended = out(lamp_ids[1])
    loan_service.extend_loan(
        db, extended, NOW + timedelta(hours=10), actor, now=start + timedelta(hours=2)
    )
    recalled = out(lamp_ids[2], operator=None)
    loan_service.recall_loan(
        db,
        recalled,
        start + timedelta(hours=6),
        "Fire at Ely",
        lender,
        now=start + timedelta(hours=2),
    )
    back = out(lamp_ids[3])
    loan_service.return_loan(db, back, actor, now=start + timedelta(hours=20))

    result = build_report(db, ReportKey.OVERDUE, SUMMER, actor=ADMIN, now=NOW)
    assert [row[0] for row in result.rows] == [recalled, late]  # longest overdue first
    first, second = result.rows
    assert first[1:5] == ("Police Force", "Fire Service", "R-L2", "20/11/2026 09:00")
    assert first[5] == pytest.approx(24 / 24)
    assert first[6] == "Rita Reed"  # she took this one herself, and has no phone listed
    assert second[4] == "21/11/2026 04:00"
    assert second[5] == pytest.approx(5 / 24)
    assert second[6] == "Pat Pilot, 07700 900123"
    assert result.subtitle == "At 21/11/2026 09:00 · all agencies"
    assert result.chart is not None
    assert result.chart.categories == ("Police Force",)
    assert result.chart.series[0].values == (2.0,)
    assert display(first[5], ColumnKind.DAYS) == "1 day"


# -- inspections due and qualifications expiring -----------------------------------------------


def test_inspections_due_uses_the_inspections_overview(db: Database) -> None:
    today = date(2026, 11, 21)
    with db.write() as session:
        fire = f.agency(session, "Fire Service", AgencyKind.FIRE)
        police = f.agency(session, "Police Force", AgencyKind.POLICE)
        lights = f.category(session, "Lighting")
        regime = InspectionRegime(name="PAT test", category_id=lights.id, interval_months=12)
        session.add(regime)
        station = f.site(session, fire, "Ely")
        parkside = f.site(session, police, "Parkside")
        f.item(session, owner=fire, home=station, kind=lights, tag="R-N")  # never inspected
        soon = f.item(session, owner=fire, home=station, kind=lights, tag="R-S")
        fine = f.item(session, owner=fire, home=station, kind=lights, tag="R-F")
        lapsed = f.item(session, owner=police, home=parkside, kind=lights, tag="R-O")
        session.flush()
        for item, last in (
            (soon, date(2025, 12, 1)),
            (fine, date(2026, 6, 1)),
            (lapsed, date(2025, 11, 1)),
        ):
            session.add(
                Inspection(
                    item_id=item.id,
                    regime_id=regime.id,
                    inspected_on=last,
                    result=InspectionResult.PASS,
                    next_due_on=last.replace(year=last.year + 1),
                )
            )
        fire_id = fire.id
    result = build_report(db, ReportKey.INSPECTIONS_DUE, SUMMER, actor=ADMIN, now=NOW)
    assert [(row[0], row[3], row[4]) for row in result.rows] == [
        ("R-N", "PAT test", None),
        ("R-O", "PAT test", date(2026, 11, 1)),
        ("R-S", "PAT test", date(2026, 12, 1)),
    ]
    assert result.rows[0][5] == "No inspection recorded"
    assert result.rows[2][5] == "Due in 10 days (01/12/2026)"
    assert today + timedelta(days=LOOK_AHEAD_DAYS) == date(2026, 12, 21)
    assert result.subtitle == "Overdue, and due by 21/12/2026 · all agencies"
    chart = result.chart
    assert chart is not None
    assert chart.categories == ("Fire Service", "Police Force")
    assert [(s.name, s.values) for s in chart.series] == [
        ("Overdue, never done or failed", (1.0, 1.0)),
        ("Due in the next 30 days", (1.0, 0.0)),
    ]
    fire_only = build_report(
        db, ReportKey.INSPECTIONS_DUE, SUMMER, actor=ADMIN, now=NOW, agency_id=fire_id
    )
    assert [row[0] for row in fire_only.rows] == ["R-N", "R-S"]
    assert fire_only.subtitle.endswith("· kit owned by Fire Service")


def test_qualifications_expiring_in_the_next_30_days(db: Database) -> None:
    today = date(2026, 11, 21)
    with db.write() as session:
        fire = f.agency(session, "Fire Service", AgencyKind.FIRE)
        police = f.agency(session, "Police Force", AgencyKind.POLICE)
        boat = f.qualification(session, "Boat operator")
        drone = f.qualification(session, "Drone pilot")
        jess = f.person(session, fire, "Jess", "Parfitt")
        sam = f.person(session, police, "Sam", "Turnbull")
        for who, kind, expires in (
            (jess, boat, date(2026, 12, 5)),  # 14 days
            (jess, drone, date(2027, 1, 30)),  # beyond the 30 days
            (sam, drone, date(2026, 12, 21)),  # the 30th day
            (sam, boat, date(2026, 11, 25)),  # renewed below
            (sam, boat, date(2027, 11, 25)),
        ):
            session.add(
                PersonQualification(
                    person_id=who.id, qualification_type_id=kind.id, expires_on=expires
                )
            )
        police_id = police.id
    result = build_report(
        db, ReportKey.QUALIFICATIONS_EXPIRING, SUMMER, today=today, actor=ADMIN, now=NOW
    )
    assert result.rows == (
        ("Jess Parfitt", "Fire Service", "Boat operator", date(2026, 12, 5), 14),
        ("Sam Turnbull", "Police Force", "Drone pilot", date(2026, 12, 21), 30),
    )
    assert result.subtitle == "21/11/2026 to 21/12/2026 · all agencies"
    police_only = build_report(
        db,
        ReportKey.QUALIFICATIONS_EXPIRING,
        SUMMER,
        today=today,
        actor=ADMIN,
        now=NOW,
        agency_id=police_id,
    )
    assert [row[0] for row in police_only.rows] == ["Sam Turnbull"]
    assert police_only.subtitle.endswith("· people of Police Force")


# -- value of sharing ---------------------------------------------------------------------------


def test_value_of_sharing_by_lender_and_borrower(db: Database, world: World) -> None:
    result = report(db, ReportKey.VALUE_OF_SHARING)
    # Fire → Police: L1 2 + 1 days at £50 (the hire rate, not 1% of £10,000) and L2 3 days
    # at 1% of £2,000 = £150 + £60. Fire → Ambulance: L1 2 days at £50. Police → Fire: ten
    # unit-days of barriers with no value. Police → Ambulance: L6 a day at £10. Fire's own
    # loan of L2 is not sharing.
    assert [(r[0], r[1], r[2], r[4]) for r in result.rows] == [
        ("Fire Service", "Police Force", 3, 21_000),
        ("Fire Service", "Ambulance Trust", 1, 10_000),
        ("Police Force", "Ambulance Trust", 1, 1_000),
        ("Police Force", "Fire Service", 1, 0),
    ]
    assert [r[3] for r in result.rows] == pytest.approx([6.0, 2.0, 1.0, 10.0])
    assert result.totals is not None
    assert result.totals[:3] == ("Total", "", 6)
    assert result.totals[3] == pytest.approx(19.0)
    assert result.totals[4] == 32_000
    assert display(result.totals[4], ColumnKind.MONEY) == "£320.00"
    assert "1% of its replacement value per day" in result.notes[0]
    assert result.notes[1] == "£260.00 comes from recorded hire rates and £60.00 from the 1% rule."
    assert result.notes[2].startswith("1 item was lent to other agencies with neither a hire rate")
    assert "10 days lent is not valued" in result.notes[2]
    chart = result.chart
    assert chart is not None
    assert chart.kind is ChartKind.STACKED
    assert chart.value_kind is ColumnKind.MONEY
    assert chart.categories == ("Fire Service", "Police Force")
    assert [(s.name, s.values) for s in chart.series] == [
        ("Ambulance Trust", (10_000.0, 1_000.0)),
        ("Fire Service", (0.0, 0.0)),
        ("Police Force", (21_000.0, 0.0)),
    ]
    fire_only = report(db, ReportKey.VALUE_OF_SHARING, agency_id=world.fire)
    assert fire_only.subtitle == "01/07/2026 to 30/09/2026 · kit owned by Fire Service"
    assert fire_only.totals is not None
    assert fire_only.totals[4] == 31_000
    assert len(fire_only.notes) == 2  # nothing unvalued among Fire's kit


# -- periods, keys and refusals ------------------------------------------------------------------


def test_a_period_ending_before_it_starts_is_refused(db: Database) -> None:
    with pytest.raises(Refused) as caught:
        build_report(
            db,
            ReportKey.UTILISATION,
            Period(date(2026, 5, 2), date(2026, 5, 1)),
            actor=ADMIN,
            now=NOW,
        )
    assert caught.value.message == (
        "The period starts on 02/05/2026, after it ends on 01/05/2026: choose a start on or "
        "before the end."
    )
    with pytest.raises(Refused, match="at most 20 years"):
        build_report(
            db,
            ReportKey.UTILISATION,
            Period(date(1990, 1, 1), date(2026, 1, 1)),
            actor=ADMIN,
            now=NOW,
        )
    with pytest.raises(NotFound, match="no agency with id 999"):
        build_report(db, ReportKey.UTILISATION, SUMMER, agency_id=999, actor=ADMIN, now=NOW)
    # A report about today ignores the period, even a backwards one.
    overdue = build_report(
        db, ReportKey.OVERDUE, Period(date(2026, 5, 2), date(2026, 5, 1)), actor=ADMIN, now=NOW
    )
    assert overdue.rows == ()
    assert overdue.chart is None


def test_default_period_is_the_financial_year_so_far() -> None:
    assert default_period(date(2026, 11, 21)) == Period(date(2026, 4, 1), date(2026, 11, 21))
    assert default_period(date(2027, 3, 31)) == Period(date(2026, 4, 1), date(2027, 3, 31))
    assert default_period(date(2026, 4, 1)) == Period(date(2026, 4, 1), date(2026, 4, 1))


def test_every_report_has_a_spec_and_a_key() -> None:
    specs = report_specs()
    assert {s.key for s in specs} == set(ReportKey)
    assert [s.key for s in specs if not s.uses_period] == [
        ReportKey.OVERDUE,
        ReportKey.INSPECTIONS_DUE,
        ReportKey.QUALIFICATIONS_EXPIRING,
    ]
    assert report_key(" Value_Of_Sharing ") is ReportKey.VALUE_OF_SHARING
    with pytest.raises(NotFound, match="no report called “savings”"):
        report_key("savings")


# -- display and CSV (no database) ---------------------------------------------------------------


def test_display_in_british_formats() -> None:
    assert display(1234, ColumnKind.COUNT) == "1,234"
    assert display(12.5, ColumnKind.DAYS) == "12.5 days"
    assert display(1.0, ColumnKind.DAYS) == "1 day"
    assert display(1234.04, ColumnKind.DAYS) == "1,234 days"
    assert display(0.25, ColumnKind.PERCENT) == "25%"
    assert display(0.1234, ColumnKind.PERCENT) == "12.3%"
    assert display(123_456, ColumnKind.MONEY) == "£1,234.56"
    assert display(12_345.6, ColumnKind.MONEY) == "£123.46"
    assert display(-500, ColumnKind.MONEY) == "-£5.00"
    assert display(date(2026, 11, 21), ColumnKind.DATE) == "21/11/2026"
    assert display(datetime(2026, 7, 1, 8, 5, tzinfo=UTC), ColumnKind.DATE) == "01/07/2026 09:05"
    assert display("Lighting", ColumnKind.TEXT) == "Lighting"
    assert display(None, ColumnKind.MONEY) == ""


SAMPLE = Report(
    key=ReportKey.VALUE_OF_SHARING,
    title="Estimated value of sharing",
    subtitle="01/07/2026 to 30/09/2026 · all agencies",
    columns=(
        Column("Lender"),
        Column("Loans", ColumnKind.COUNT),
        Column("Days lent", ColumnKind.DAYS),
        Column("Share", ColumnKind.PERCENT),
        Column("Value", ColumnKind.MONEY),
        Column("Since", ColumnKind.DATE),
    ),
    rows=(
        ("Fire, Ely", 3, 6.0, 0.25, 123_456, date(2026, 7, 1)),
        ("Police", 1, 2.3333333, 0.125, 99.6, None),
    ),
    chart=None,
    totals=("Total", 4, 8.3333333, 0.375, 123_556, None),
)


def test_csv_is_a_clean_table_with_totals(tmp_path: Path) -> None:
    path = tmp_path / "value.csv"
    assert write_report_csv(SAMPLE, path) == 3
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["Lender", "Loans", "Days lent", "Share", "Value", "Since"],
            ["Fire, Ely", "3", "6.00", "25.0", "1234.56", "01/07/2026"],
            ["Police", "1", "2.33", "12.5", "1.00", ""],
            ["Total", "4", "8.33", "37.5", "1235.56", ""],
        ]


def test_a_workbook_keeps_numbers_as_numbers(tmp_path: Path) -> None:
    path = tmp_path / "value.xlsx"
    assert write_report_csv(SAMPLE, path) == 3
    sheet = load_workbook(path).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[1][:5] == ["Fire, Ely", 3, 6.0, 25.0, 1234.56]
    assert rows[3][4] == 1235.56


def test_report_json_keeps_raw_values() -> None:
    data = report_json(SAMPLE)
    assert data["rows"][0] == ["Fire, Ely", 3, 6.0, 0.25, 123_456, "2026-07-01"]
    assert data["columns"][4] == {"title": "Value", "kind": "money"}
    assert data["totals"][4] == 123_556
    assert data["period"] is None


def test_csv_of_a_built_report(db: Database, world: World, tmp_path: Path) -> None:
    path = tmp_path / "utilisation.csv"
    assert write_report_csv(report(db, ReportKey.UTILISATION), path) == 3
    with path.open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["Category", "Units", "Days on loan", "Days available", "Utilisation"],
            ["Lighting", "6", "10.00", "367.00", "2.7"],
            ["Barriers", "10", "10.00", "920.00", "1.1"],
            ["All categories", "16", "20.00", "1287.00", "1.6"],
        ]
