"""The catalogue table rows and the item panel's facts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.catalogue.detail import item_detail
from app.catalogue.search import SortKey, search_items
from app.core.errors import NotFound
from app.loans.support import why_not_lent
from app.storage.database import Database
from models import (
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
)
from tests import factories as f


def test_rows_and_detail(db: Database) -> None:
    with db.write() as session:
        fire = f.agency(session, "Cambridgeshire Fire and Rescue Service")
        police = f.agency(session, "Cambridgeshire Constabulary")
        dogsthorpe = f.site(session, fire, "Dogsthorpe")
        barriers = f.category(session, "Barriers")
        lights = f.category(session, "Lighting towers")
        pool = f.item(
            session,
            owner=fire,
            home=dogsthorpe,
            kind=barriers,
            tag="CFR-000100",
            name="Pedestrian barrier",
            quantity=40,
            pooled=True,
        )
        tower = f.item(session, owner=fire, home=dogsthorpe, kind=lights, tag="CFR-000042")
        mou = f.mou_in_force(session, [fire, police], reference="CPFA-MOU-2025-01")
        f.protocol(session, mou, borrowers=[police], categories=[barriers], name="Barriers")
        loan = Loan(
            borrower_agency_id=police.id,
            purpose="Operation Hawthorn",
            starts_at=f.NOW - timedelta(days=1),
            due_at=f.NOW + timedelta(days=1),
            status=LoanStatus.ISSUED,
            issued_at=f.NOW - timedelta(days=1),
        )
        loan.lines = [
            LoanLine(item_id=pool.id, quantity=13, starts_at=loan.starts_at, ends_at=loan.due_at)
        ]
        session.add(loan)
        session.add(
            Inspection(
                item_id=tower.id,
                inspected_on=date(2025, 10, 1),
                result=InspectionResult.PASS,
                next_due_on=date(2026, 10, 1),
            )
        )
        session.add(
            Defect(
                item_id=tower.id,
                source=DefectSource.REPORTED,
                severity=DefectSeverity.UNSAFE,
                description="Mast winch slipping",
            )
        )
        pool_id, tower_id = pool.id, tower.id

    rows = search_items(db, sort=SortKey.TAG, now=f.NOW).rows
    assert [r.asset_tag for r in rows] == ["CFR-000042", "CFR-000100"]
    assert rows[1].owner == "Cambridgeshire Fire and Rescue Service"
    assert rows[1].home_site == "Dogsthorpe"

    pooled = item_detail(db, pool_id, now=f.NOW)
    assert pooled.quantity_out_now == 13
    assert pooled.quantity_free_now == 27
    assert pooled.protocol is not None
    assert pooled.protocol.mou_reference == "CPFA-MOU-2025-01"
    assert pooled.protocol.borrowers == ("Cambridgeshire Constabulary",)
    assert [loan.purpose for loan in pooled.loans] == ["Operation Hawthorn"]
    assert not pooled.loans[0].is_overdue
    assert item_detail(db, pool_id, now=f.NOW + timedelta(days=2)).loans[0].is_overdue

    tower_detail = item_detail(db, tower_id, now=f.NOW)
    assert tower_detail.protocol is None
    assert tower_detail.inspection_lapsed
    assert tower_detail.next_inspection_due == date(2026, 10, 1)
    assert tower_detail.open_defects == ("Unsafe: Mast winch slipping",)


def test_unknown_item_is_a_clear_refusal(db: Database) -> None:
    with pytest.raises(NotFound, match="no catalogue item with id 4242"):
        item_detail(db, 4242)


def test_the_detail_says_why_an_item_cannot_be_lent_and_what_to_do(db: Database) -> None:
    """The panel's reason is the one the loan forms refuse on (``why_not_lent``): no
    protocol, an MoU not in force, or retired; none while some protocol lends it."""
    with db.write() as session:
        fire = f.agency(session, "Cambridgeshire Fire and Rescue Service")
        police = f.agency(session, "Cambridgeshire Constabulary")
        station = f.site(session, fire, "Dogsthorpe")
        lights, toilets = f.category(session, "Lighting towers"), f.category(session, "Toilets")
        light = f.item(session, owner=fire, home=station, kind=lights, tag="CFR-000200")
        toilet = f.item(session, owner=fire, home=station, kind=toilets, tag="CFR-000300")
        mou = f.mou_in_force(session, [fire, police], reference="CAM-LGT-2025")
        f.protocol(session, mou, borrowers=[police], categories=[lights])
        ids = (light.id, toilet.id, mou.id)
    light_id, toilet_id, mou_id = ids

    def refusal(item_id: int) -> tuple[str, str] | None:
        detail = item_detail(db, item_id, now=f.NOW)
        assert detail.lending_refusal == why_not_lent(db, item_id, now=f.NOW)
        got = detail.lending_refusal
        return None if got is None else (got.rule, got.message)

    assert refusal(light_id) is None
    assert refusal(toilet_id) == (
        "protocol",
        "No sharing protocol covers CFR-000300 “Tower light”, so it cannot be lent to another "
        "agency. An administrator must add it (or its category) to a protocol under an MoU in "
        "force.",
    )

    with db.write() as session:
        session.get_one(Mou, mou_id).expires_on = f.NOW.date() - timedelta(days=1)
    rule, message = refusal(light_id) or ("", "")
    assert rule == "mou"
    assert "CAM-LGT-2025" in message
    assert "until the MoU is renewed" in message

    with db.write() as session:
        session.get_one(EquipmentItem, toilet_id).status = ItemStatus.RETIRED
    assert refusal(toilet_id) == (
        "status",
        "CFR-000300 “Tower light” is retired and cannot be lent.",
    )
