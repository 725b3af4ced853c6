"""A small catalogue built through the ORM, so window tests need no demo data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from app.core.clock import now_utc, today_uk
from app.storage.database import Database, open_database
from models import (
    Agency,
    AgencyKind,
    Category,
    Defect,
    DefectSeverity,
    DefectSource,
    EquipmentItem,
    Inspection,
    InspectionResult,
    ItemStatus,
    Loan,
    LoanLine,
    LoanStatus,
    Mou,
    MouClause,
    MouParty,
    QualificationType,
    SharingProtocol,
)
from models.organisation import Site

DRONE_TAG = "CAMBS-DRN-001"
BROKEN_DRONE_TAG = "CAMBS-DRN-002"
BARRIERS_TAG = "CFRS-BAR-001"
TOILET_TAG = "CFRS-WC-001"
ITEM_COUNT = 4


@dataclass(frozen=True)
class Catalogue:
    """A database with a few items, and their ids by asset tag."""

    db: Database
    ids: dict[str, int]
    path: Path


def build_catalogue(path: Path) -> Catalogue:
    """Four items in a new SQLite file at ``path``: a drone whose inspection lapsed, a
    broken drone, barriers out on an overdue loan, and a mobile toilet that no sharing
    protocol covers."""
    db = open_database(f"sqlite:///{path.as_posix()}")
    now = now_utc()
    today = today_uk(now)
    with db.write() as session:
        police = Agency(code="CAMBS", name="Cambridgeshire Constabulary", kind=AgencyKind.POLICE)
        fire = Agency(
            code="CFRS", name="Cambridgeshire Fire and Rescue Service", kind=AgencyKind.FIRE
        )
        ambulance = Agency(
            code="EEAST", name="East of England Ambulance Service", kind=AgencyKind.AMBULANCE
        )
        parkside = Site(agency=police, name="Parkside Police Station", town="Cambridge")
        huntingdon = Site(agency=fire, name="Huntingdon Fire Station", town="Huntingdon")
        drones = Category(name="Drones", tracks_battery=True)
        barriers = Category(name="Barriers")
        toilets = Category(name="Mobile toilets")
        pilot = QualificationType(code="GVC", name="Drone pilot (GVC)", validity_months=60)

        mou = Mou(
            reference="CAM-SEC-2024",
            version=2,
            title="Specialist equipment catalogue",
            is_draft=False,
            signed_on=today - timedelta(days=400),
            effective_from=today - timedelta(days=365),
            review_on=today + timedelta(days=400),
            expires_on=today + timedelta(days=800),
        )
        mou.parties = [
            MouParty(agency=police, position=0),
            MouParty(agency=fire, position=1),
            MouParty(agency=ambulance, position=2),
        ]
        mou.clauses = [
            MouClause(position=1, number="1", heading="Purpose", body="To share kit."),
        ]
        protocol = SharingProtocol(
            mou=mou,
            name="Drones and barriers between blue-light partners",
            approver_title="Duty inspector",
            notice_hours=4,
            max_loan_hours=36,
        )
        protocol.categories = [drones, barriers]
        protocol.borrowers = [fire, ambulance]
        protocol.required_qualifications = [pilot]

        drone = EquipmentItem(
            asset_tag=DRONE_TAG,
            name="Thermal drone",
            category=drones,
            owner_agency=police,
            home_site=parkside,
            make="DJI",
            model="Matrice 30T",
            serial_number="1ZNBJ7R00C00A1",
            description="Thermal and zoom camera drone for searches.",
            accessories="Two batteries\nController",
        )
        broken = EquipmentItem(
            asset_tag=BROKEN_DRONE_TAG,
            name="Mapping drone",
            category=drones,
            owner_agency=police,
            home_site=parkside,
            status=ItemStatus.OUT_OF_SERVICE,
        )
        barrier_pool = EquipmentItem(
            asset_tag=BARRIERS_TAG,
            name="Pedestrian barriers",
            category=barriers,
            owner_agency=fire,
            home_site=huntingdon,
            is_pooled=True,
            quantity=40,
        )
        toilet = EquipmentItem(
            asset_tag=TOILET_TAG,
            name="Mobile toilet unit",
            category=toilets,
            owner_agency=fire,
            home_site=huntingdon,
        )
        session.add_all([mou, protocol, drone, broken, barrier_pool, toilet])
        session.add(
            Inspection(
                item=drone,
                inspected_on=today - timedelta(days=400),
                result=InspectionResult.PASS,
                next_due_on=today - timedelta(days=35),
                inspector_name="A. Inspector",
            )
        )
        session.add(
            Inspection(
                item=barrier_pool,
                inspected_on=today - timedelta(days=10),
                result=InspectionResult.PASS,
                next_due_on=today + timedelta(days=355),
            )
        )
        session.add(
            Defect(
                item=broken,
                source=DefectSource.REPORTED,
                severity=DefectSeverity.UNSAFE,
                description="Cracked propeller arm",
                reported_at=now - timedelta(days=2),
            )
        )
        starts = now - timedelta(days=2)
        due = now - timedelta(hours=3)
        loan = Loan(
            borrower_agency=ambulance,
            purpose="Cordon at a major incident",
            starts_at=starts,
            due_at=due,
            status=LoanStatus.ISSUED,
            issued_at=starts,
        )
        loan.lines = [
            LoanLine(item=barrier_pool, quantity=13, starts_at=starts, ends_at=due),
        ]
        session.add(loan)
        session.flush()
        ids = {item.asset_tag: item.id for item in (drone, broken, barrier_pool, toilet)}
    return Catalogue(db=db, ids=ids, path=path)


def a_date(days_from_today: int) -> date:
    """A UK calendar date relative to today, as the fixture uses them."""
    return today_uk() + timedelta(days=days_from_today)


def add_traffic_cones(db: Database, count: int) -> None:
    """``count`` more tagged items (traffic cone packs), enough for several pages."""
    from sqlalchemy import select

    with db.write() as session:
        fire = session.scalars(select(Agency).where(Agency.code == "CFRS")).one()
        site = session.scalars(select(Site).where(Site.name == "Huntingdon Fire Station")).one()
        barriers = session.scalars(select(Category).where(Category.name == "Barriers")).one()
        session.add_all(
            EquipmentItem(
                asset_tag=f"CFRS-CONE-{number:04d}",
                name=f"Traffic cone pack {number:04d}",
                category=barriers,
                owner_agency=fire,
                home_site=site,
            )
            for number in range(count)
        )
