"""Who may borrow an item: never its owner, and the same agencies in the item panel, the
loan forms and the refusals; and which loan a return of an item out twice starts with.
On the demo data, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.agreements.status import usable_protocols
from app.catalogue.detail import item_detail
from app.catalogue.directory import find_agency, find_item, list_agencies
from app.core.actor import Actor
from app.core.clock import now_utc, today_uk
from app.loans.drafts import Handover, LineDraft, LoanDraft
from app.loans.rules import borrowing_agencies
from app.loans.service import check_emergency_issue, check_request, emergency_issue
from app.loans.support import (
    items_request_defaults,
    request_defaults,
    why_not_lent,
    why_not_one_loan,
)
from app.loans.views import loans_to_return, return_choice_text
from app.storage.database import Database
from models import Agency, EquipmentItem, Person, Role

DUTY = Actor("Rachel Holloway (duty)", role=Role.DUTY_OFFICER)
OWNER_SAYS = (
    "Bedfordshire Police owns BED-000501: an agency does not borrow its own kit. "
    "Choose the agency taking it."
)


def _draft(db: Database, borrower: str, *, quantity: int = 10) -> LoanDraft:
    start = now_utc().replace(second=0, microsecond=0)
    return LoanDraft(
        borrower_agency_id=find_agency(db, borrower).id,
        requested_by_id=None,
        purpose="Crowd control, Kimbolton Road",
        starts_at=start,
        due_at=start + timedelta(hours=20),
        lines=(LineDraft(item_id=find_item(db, "BED-000501").id, quantity=quantity),),
        is_emergency=True,
    )


def _person_of(db: Database, agency: str) -> int:
    agency_id = find_agency(db, agency).id
    with db.read() as session:
        found = session.scalars(
            select(Person.id).where(Person.agency_id == agency_id, Person.is_active.is_(True))
        ).first()
    assert found is not None
    return found


def test_an_agency_never_borrows_its_own_kit(demo_db: Database) -> None:
    draft = _draft(demo_db, "Bedfordshire Police")
    own_person = _person_of(demo_db, "Bedfordshire Police")
    handover = Handover(operator_id=own_person)

    for problems in (
        check_request(demo_db, replace(draft, requested_by_id=own_person)),
        check_emergency_issue(demo_db, draft, handover),
    ):
        owner = [p for p in problems if p.rule == "owner"]
        assert [(p.message, p.field) for p in owner] == [(OWNER_SAYS, "borrower")]

    # Another agency the protocol covers may: the rule is about the owner.
    other = replace(
        _draft(demo_db, "Hertfordshire Constabulary"),
        requested_by_id=_person_of(demo_db, "Hertfordshire Constabulary"),
    )
    assert check_request(demo_db, other) == []


def who_may_borrow(
    session: Session, item: EquipmentItem, today: date, *, emergency: bool = False
) -> list[Agency]:
    """The agencies the rules let borrow ``item`` today, read from the rules directly."""
    return borrowing_agencies(item, usable_protocols(session, item, today), emergency=emergency)


def test_the_forms_borrowers_are_the_panels_and_never_the_owner(demo_db: Database) -> None:
    today = today_uk()
    with demo_db.read() as session:
        items = session.scalars(select(EquipmentItem).order_by(EquipmentItem.asset_tag)).all()
        expected = {
            item.id: (
                item.owner_agency_id,
                [a.id for a in who_may_borrow(session, item, today)],
                [a.id for a in who_may_borrow(session, item, today, emergency=True)],
                [a.name for a in who_may_borrow(session, item, today)],
            )
            for item in items
        }
    names = {a.id: a.name for a in list_agencies(demo_db)}
    for item_id, (owner, planned, emergency, planned_names) in expected.items():
        defaults = request_defaults(demo_db, item_id)
        assert list(defaults.borrower_ids) == planned
        assert list(defaults.emergency_borrower_ids) == emergency
        assert owner not in defaults.emergency_borrower_ids
        panel = item_detail(demo_db, item_id).protocol
        shown = list(panel.borrowers) if panel is not None else []
        assert shown == planned_names == [names[i] for i in planned], item_id

    # CAM-000130: two protocols, five agencies between them; the owner is not one.
    barriers = find_item(demo_db, "CAM-000130").id
    assert [names[i] for i in request_defaults(demo_db, barriers).borrower_ids] == [
        "Bedfordshire Police",
        "Cambridgeshire Fire and Rescue Service",
        "East of England Ambulance Service NHS Trust",
        "Hertfordshire Constabulary",
    ]


def test_an_item_no_protocol_covers_says_so_before_a_form_opens(demo_db: Database) -> None:
    refusal = why_not_lent(demo_db, find_item(demo_db, "BED-000601").id)

    assert refusal is not None
    assert refusal.message == (
        "No sharing protocol covers BED-000601 “Tower light 9m mast, diesel”, so it cannot "
        "be lent to another agency. An administrator must add it (or its category) to a "
        "protocol under an MoU in force."
    )
    assert why_not_lent(demo_db, find_item(demo_db, "BED-000501").id) is None


def test_items_asked_for_together_start_from_the_strictest_of_their_terms(
    demo_db: Database,
) -> None:
    # CFR-000250: 72 hours' notice, 14 days at most; CFR-000221: no notice, 4 days at most;
    # CFR-000297 is lent to Norfolk Fire and Rescue Service alone.
    barriers, boat, pump = (
        find_item(demo_db, tag).id for tag in ("CFR-000250", "CFR-000221", "CFR-000297")
    )
    moment = now_utc()
    together = items_request_defaults(demo_db, [barriers, boat], now=moment)
    each = [request_defaults(demo_db, item, now=moment) for item in (barriers, boat)]

    assert (together.notice_hours, together.max_loan_hours) == (72, 96)
    assert together.starts_at == max(d.starts_at for d in each)
    assert together.due_at - together.starts_at == min(d.due_at - d.starts_at for d in each)
    assert together.borrower_ids == tuple(
        i for i in each[0].borrower_ids if i in each[1].borrower_ids
    )
    assert len(together.protocols) == 2
    names = {a.id: a.name for a in list_agencies(demo_db)}
    with_pump = items_request_defaults(demo_db, [boat, pump], now=moment)
    assert [names[i] for i in with_pump.borrower_ids] == ["Norfolk Fire and Rescue Service"]
    assert items_request_defaults(demo_db, [boat], now=moment).each == (each[1],)


def test_items_of_two_agencies_are_no_one_loan(demo_db: Database) -> None:
    boat, ppe, barriers = (
        find_item(demo_db, tag).id for tag in ("CFR-000221", "CFR-000223", "BED-000501")
    )

    assert why_not_one_loan(demo_db, [boat, ppe]) is None
    refusal = why_not_one_loan(demo_db, [boat, barriers, ppe])
    assert refusal is not None
    assert (refusal.rule, refusal.field) == ("lender", "lines")
    assert refusal.message == (
        "A loan is lent by one agency: these items belong to Cambridgeshire Fire and Rescue "
        "Service and Bedfordshire Police. Choose items of one agency, or ask for each "
        "agency's items in a request of its own."
    )


def test_a_return_starts_with_the_loan_handed_out_last(demo_db: Database) -> None:
    barriers = find_item(demo_db, "CAM-000130").id
    (older,) = loans_to_return(demo_db, barriers)  # demo loan: 20 out to Bedfordshire Police
    start = now_utc().replace(second=0, microsecond=0)
    draft = LoanDraft(
        borrower_agency_id=find_agency(demo_db, "Hertfordshire Constabulary").id,
        requested_by_id=None,
        purpose="Crowd control, Kimbolton Road",
        starts_at=start,
        due_at=start + timedelta(hours=20),
        lines=(LineDraft(item_id=barriers, quantity=10),),
    )
    handover = Handover(operator_id=_person_of(demo_db, "Hertfordshire Constabulary"))
    new_id = emergency_issue(demo_db, draft, handover, DUTY)

    loans = loans_to_return(demo_db, barriers)

    assert [view.id for view in loans] == [new_id, older.id]
    assert return_choice_text(loans[0]).startswith(
        f"Hertfordshire Constabulary: loan {new_id}, 10 × CAM-000130, out since "
    )
    assert return_choice_text(loans[1]).startswith(f"Bedfordshire Police: loan {older.id}, ")
