"""The Cambridgeshire demo catalogue: the acceptance checklist, checked by querying it."""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import UK, now_utc, today_uk
from app.demo.data import (
    KIT_MANAGER_PASSWORD,
    LENDER_CONTACT,
    LOANS,
    kit_manager_username,
    populate_demo,
)
from app.demo.history import loan_history
from app.demo.kits import KITS
from app.kits.lending import kit_availability
from app.kits.service import list_kits
from app.people.passwords import verify_password
from app.storage.database import Database, open_database
from models import (
    BOOKING_STATUSES,
    Agency,
    AppUser,
    Category,
    Defect,
    DefectSeverity,
    EquipmentItem,
    Inspection,
    InspectionRegime,
    InspectionResult,
    ItemStatus,
    Loan,
    LoanLine,
    LoanStatus,
    Mou,
    Person,
    PersonQualification,
    Role,
    SharingProtocol,
)

FIXED_NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def _open(path: Path, now: datetime, *, history: bool = True) -> Database:
    """The demo as the loader makes it: with its year of history, unless told not to."""
    db = open_database(f"sqlite:///{path / 'demo.db'}")
    with db.write() as session:
        populate_demo(session, now, loan_history if history else None)
    return db


@pytest.fixture(scope="module", params=["fixed", "wall-clock"])
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Session, datetime]]:
    now = FIXED_NOW if request.param == "fixed" else now_utc()
    db = _open(tmp_path_factory.mktemp(f"demo-{request.param}"), now)
    with db.read() as session:
        yield session, now
    db.dispose()


def _in_force(session: Session, mou: Mou, today: date) -> bool:
    successor = session.scalar(select(Mou).where(Mou.supersedes_id == mou.id))
    if successor is not None and successor.effective_from and successor.effective_from <= today:
        return False
    return (
        not mou.is_draft
        and mou.effective_from is not None
        and mou.effective_from <= today
        and (mou.expires_on is None or mou.expires_on >= today)
    )


def _items(session: Session) -> list[EquipmentItem]:
    return list(session.scalars(select(EquipmentItem)))


# -- organisation ----------------------------------------------------------------------


def test_agencies_and_real_sites(demo: tuple[Session, datetime]) -> None:
    session, _now = demo
    codes = set(session.scalars(select(Agency.code)))
    assert codes >= {
        "CAMBS-POL", "CAMBS-FRS", "EEAST", "BEDS-POL", "HERTS-POL",
        "BEDS-FRS", "HERTS-FRS", "NORF-POL", "NORF-FRS",
    }  # fmt: skip
    names = {a.code: a.name for a in session.scalars(select(Agency))}
    assert names["EEAST"] == "East of England Ambulance Service NHS Trust"
    sites = {(a.code, s.name) for a in session.scalars(select(Agency)) for s in a.sites}
    police = {name for code, name in sites if code == "CAMBS-POL"}
    fire = {name for code, name in sites if code == "CAMBS-FRS"}
    for town in (
        "Hinchingbrooke",
        "Thorpe Wood",
        "Parkside",
        "Ely",
        "March",
        "Wisbech",
        "St Neots",
        "St Ives",
    ):
        assert any(town in name for name in police), town
    for town in (
        "Headquarters",
        "Dogsthorpe",
        "Stanground",
        "Cambridge",
        "Huntingdon",
        "Ely",
        "St Neots",
        "Wisbech",
        "March",
        "Soham",
        "Cottenham",
    ):
        assert any(town in name for name in fire), town
    assert any("Melbourn" in name for code, name in sites if code == "EEAST")
    for code in ("BEDS-POL", "HERTS-POL", "BEDS-FRS", "HERTS-FRS", "NORF-POL", "NORF-FRS"):
        assert any(c == code for c, _ in sites), code


# -- catalogue ---------------------------------------------------------------------------


def test_catalogue_size_tags_and_quantities(demo: tuple[Session, datetime]) -> None:
    session, _now = demo
    items = _items(session)
    assert len(items) >= 80
    tags = [item.asset_tag for item in items]
    assert len(tags) == len(set(tags))
    prefix = {
        "CAMBS-POL": "CAM", "CAMBS-FRS": "CFR", "EEAST": "EEA", "BEDS-POL": "BED",
        "BEDS-FRS": "BED", "HERTS-POL": "HRT", "HERTS-FRS": "HRT", "NORF-POL": "NOR",
        "NORF-FRS": "NOR",
    }  # fmt: skip
    for item in items:
        assert re.fullmatch(r"[A-Z]{3}-\d{6}", item.asset_tag), item.asset_tag
        assert item.asset_tag[:3] == prefix[item.owner_agency.code], item.asset_tag
        assert item.home_site.agency_id == item.owner_agency_id, item.asset_tag
        assert item.description
        assert item.make
        if item.is_pooled:
            assert item.quantity > 1, item.asset_tag
        else:
            assert item.quantity == 1, item.asset_tag
    priced = [i for i in items if i.replacement_value_pence and i.daily_hire_rate_pence is not None]
    assert len(priced) > len(items) * 0.8
    statuses = Counter(item.status for item in items)
    assert statuses[ItemStatus.RETIRED] >= 1
    assert statuses[ItemStatus.OUT_OF_SERVICE] >= 1
    assert statuses[ItemStatus.ON_LOAN] >= 3


def test_every_category_has_items_and_an_active_protocol(demo: tuple[Session, datetime]) -> None:
    session, now = demo
    today = today_uk(now)
    categories = list(session.scalars(select(Category)))
    assert len(categories) >= 14
    covered: set[int] = set()
    for protocol in session.scalars(select(SharingProtocol)):
        if protocol.is_active and _in_force(session, protocol.mou, today):
            covered.update(c.id for c in protocol.categories)
    items_by_category = Counter(item.category_id for item in _items(session))
    for category in categories:
        assert items_by_category[category.id] >= 1, category.name
        assert category.id in covered, category.name


def test_the_kinds_the_issue_names_are_there(demo: tuple[Session, datetime]) -> None:
    session, _now = demo
    items = _items(session)

    def having(text: str) -> list[EquipmentItem]:
        return [i for i in items if text.lower() in f"{i.name} {i.category.name}".lower()]

    for kind in (
        "drone",
        "tower light",
        "barrier",
        "tent",
        "fencing",
        "toilet",
        "diagram 7001",
        "command vehicle",
        "method of entry",
        "work at height",
    ):
        assert having(kind), kind
    assert [i for i in having("drone") if "thermal" in (i.description or "").lower()]
    pooled = {i.category.name for i in items if i.is_pooled}
    assert pooled >= {
        "Barriers",
        "Tents and shelters",
        "Fencing",
        "Mobile toilets",
        "Road closure signs",
    }
    pool_sites = {i.home_site.name for i in items if i.category.name == "Pool vehicles"}
    assert any("Dogsthorpe" in s for s in pool_sites)
    assert any("Stanground" in s for s in pool_sites)
    assert any(i.owner_agency.code == "CAMBS-FRS" for i in having("command vehicle"))
    assert all(
        i.owner_agency.kind.value == "police"
        for i in having("method of entry")
        if i.owner_agency.code != "CAMBS-FRS"
    )
    assert any(i.owner_agency.code == "CAMBS-POL" for i in having("method of entry"))


# -- agreements --------------------------------------------------------------------------


def test_mous_have_parties_signatories_and_full_clauses(demo: tuple[Session, datetime]) -> None:
    session, now = demo
    today = today_uk(now)
    mous = list(session.scalars(select(Mou)))
    assert len([m for m in mous if _in_force(session, m, today)]) >= 3
    for mou in mous:
        assert not mou.is_draft
        assert len(mou.clauses) >= 12, mou.reference
        assert len(mou.parties) >= 2, mou.reference
        assert next(p.position for p in mou.parties) == 0
        party_agencies = {p.agency_id for p in mou.parties}
        assert len(mou.signatories) >= 2
        assert {s.agency_id for s in mou.signatories} <= party_agencies
        assert [c.number for c in mou.clauses] == [str(n) for n in range(1, len(mou.clauses) + 1)]
        for clause in mou.clauses:
            assert "§" not in clause.body
            assert len(re.findall(r"\.(?:\s|$)", clause.body)) >= 2, (mou.reference, clause.heading)
        headings = " ".join(c.heading for c in mou.clauses)
        for heading in ("Parties", "Definitions", "Damage and loss", "Disputes", "Schedules"):
            assert heading in headings, (mou.reference, heading)
    text = " ".join(c.body for m in mous for c in m.clauses)
    for citation in (
        "Policing and Crime Act 2017",
        "section 22A of the Police Act 1996",
        "section 13 of the Fire and Rescue Services Act 2004",
        "regulation 6(4)",
        "regulation 9(4)",
        "JESIP",
    ):
        assert citation in text, citation
    superseding = [m for m in mous if m.supersedes_id is not None]
    assert superseding
    for mou in superseding:
        old = session.get(Mou, mou.supersedes_id)
        assert old is not None
        assert old.reference == mou.reference
        assert old.version < mou.version
        assert old.expires_on is not None
        assert old.expires_on < today
    assert any(
        m.review_on is not None and today <= m.review_on <= today + timedelta(days=60) for m in mous
    )


def test_protocols_carry_terms(demo: tuple[Session, datetime]) -> None:
    session, _now = demo
    protocols = list(session.scalars(select(SharingProtocol)))
    for protocol in protocols:
        assert protocol.borrowers, protocol.name
        assert protocol.categories or protocol.items, protocol.name
        assert protocol.approver_title
        assert protocol.protocol_text
        if protocol.charging.value == "rate":
            assert protocol.charge_rate_pence
            assert protocol.charge_unit
    required = {
        c.name: {
            q.code
            for p in protocols
            if p.is_active
            for q in p.required_qualifications
            if c in p.categories
        }
        for c in session.scalars(select(Category))
    }
    assert "UAS-GVC" in required["Drones"]
    assert "DEFRA-M3" in required["Water and flood rescue"]
    assert "MOE" in required["Method of entry"]
    assert "WAH" in required["Work at height"]
    assert "HGV-C" in required["Command vehicles"]
    assert any(p.items for p in protocols)
    assert all(p.data_terms for p in protocols if any(c.name == "Drones" for c in p.categories))
    assert any("s.67" in (p.use_conditions or "") for p in protocols)


# -- people ------------------------------------------------------------------------------


def test_people_and_qualifications(demo: tuple[Session, datetime]) -> None:
    session, now = demo
    today = today_uk(now)
    people = list(session.scalars(select(Person)))
    assert len(people) >= 20
    numbers = [(p.agency_id, p.staff_number) for p in people]
    assert len(numbers) == len(set(numbers))
    assert all(p.email and "@" in p.email and p.rank_or_role for p in people)
    qualifications = list(session.scalars(select(PersonQualification)))
    expired = [q for q in qualifications if q.expires_on is not None and q.expires_on < today]
    soon = [
        q
        for q in qualifications
        if q.expires_on is not None and today <= q.expires_on <= today + timedelta(days=30)
    ]
    current = [q for q in qualifications if q.expires_on is None or q.expires_on >= today]
    assert len(expired) >= 3
    assert soon
    assert len(current) > len(expired)


def test_one_user_per_role_with_working_password(demo: tuple[Session, datetime]) -> None:
    session, _now = demo
    users = {u.username: u for u in session.scalars(select(AppUser))}
    named = {"duty", "manager", "admin"}
    assert set(users) >= named
    assert users["duty"].role is Role.DUTY_OFFICER
    assert users["manager"].role is Role.EQUIPMENT_MANAGER
    assert users["admin"].role is Role.ADMINISTRATOR
    for name in named:
        assert verify_password(users[name].password_hash, f"{name}-demo-2026")
        assert not verify_password(users[name].password_hash, "wrong")
        assert users[name].person is not None
    # Every lending agency has someone who may approve its loans.
    kit = {name: user for name, user in users.items() if name not in named}
    assert {user.person.agency.code for user in kit.values()} | {"CAMBS-FRS"} == set(LENDER_CONTACT)
    for name, user in kit.items():
        assert name == kit_manager_username(user.person.agency.code)
        assert user.role is Role.EQUIPMENT_MANAGER
        assert verify_password(user.password_hash, KIT_MANAGER_PASSWORD)


# -- inspections and defects -------------------------------------------------------------


def test_inspections_and_defects(demo: tuple[Session, datetime]) -> None:
    session, now = demo
    today = today_uk(now)
    for regime in session.scalars(select(InspectionRegime)):
        assert (regime.interval_days is None) != (regime.interval_months is None)
        assert (regime.category_id is None) != (regime.item_id is None)
    latest: dict[int, Inspection] = {}
    for inspection in session.scalars(select(Inspection).order_by(Inspection.inspected_on)):
        assert inspection.inspected_on <= today
        latest[inspection.item_id] = inspection
    regime_categories = set(session.scalars(select(InspectionRegime.category_id)))
    uninspected = [
        i.asset_tag
        for i in _items(session)
        if i.category_id in regime_categories
        and i.status is not ItemStatus.RETIRED
        and i.id not in latest
    ]
    assert not uninspected
    lapsed = [i for i in latest.values() if i.next_due_on is not None and i.next_due_on < today]
    in_date = [i for i in latest.values() if i.next_due_on is not None and i.next_due_on >= today]
    assert len(lapsed) >= 2
    assert len(in_date) > 5 * len(lapsed)
    failed = [i for i in latest.values() if i.result is InspectionResult.FAIL]
    assert len(failed) == 1
    defects = list(session.scalars(select(Defect)))
    assert any(d.inspection_id == failed[0].id for d in defects)
    open_defects = [d for d in defects if d.cleared_at is None]
    assert 2 <= len(open_defects) <= 4
    assert any(d.cleared_at is not None for d in defects)
    unsafe_open = {d.item_id for d in open_defects if d.severity is DefectSeverity.UNSAFE}
    assert unsafe_open
    for item in _items(session):
        if item.id in unsafe_open:
            assert item.status is ItemStatus.OUT_OF_SERVICE, item.asset_tag
        if item.status is ItemStatus.OUT_OF_SERVICE:
            assert item.id in unsafe_open, item.asset_tag


# -- loans -------------------------------------------------------------------------------


def test_loans_cover_every_stage(demo: tuple[Session, datetime]) -> None:
    session, now = demo
    loans = list(session.scalars(select(Loan)))
    by_status = Counter(loan.status for loan in loans)
    issued = [loan for loan in loans if loan.status is LoanStatus.ISSUED]
    current = [loan for loan in issued if loan.starts_at < now < loan.due_at]
    overdue = [loan for loan in issued if loan.due_at < now]
    assert len(loans) >= 15
    assert by_status[LoanStatus.RETURNED] >= 5
    assert len(current) >= 2
    assert len(overdue) >= 2
    assert by_status[LoanStatus.PARTLY_RETURNED] >= 1
    assert by_status[LoanStatus.REQUESTED] >= 1
    assert by_status[LoanStatus.APPROVED] >= 1
    assert by_status[LoanStatus.DECLINED] >= 1
    assert by_status[LoanStatus.CANCELLED] >= 1
    assert any(loan.is_emergency for loan in loans)
    assert any(loan.recalled_at and loan.recall_due_at and loan.recall_reason for loan in loans)
    for loan in loans:
        if loan.status is LoanStatus.RETURNED:
            assert loan.returned_at is not None
            assert loan.returned_at <= now
            assert now - loan.starts_at <= timedelta(days=366)
            assert all(
                not ln.holds_stock and ln.quantity_returned == ln.quantity for ln in loan.lines
            )
        if loan.status is LoanStatus.PARTLY_RETURNED:
            assert any(
                0 < ln.quantity_returned < ln.quantity and ln.holds_stock for ln in loan.lines
            )
        if loan.status is LoanStatus.DECLINED:
            assert loan.decision_reason
        if loan.status in (LoanStatus.REQUESTED, LoanStatus.APPROVED):
            assert loan.starts_at > now
        for moment in (loan.created_at, loan.decided_at, loan.issued_at, loan.returned_at):
            assert moment is None or moment <= now
        assert all(
            ln.holds_stock
            == (loan.status in BOOKING_STATUSES and ln.quantity_returned < ln.quantity)
            for ln in loan.lines
        )


def test_loans_follow_their_protocols(demo: tuple[Session, datetime]) -> None:
    session, now = demo
    today = today_uk(now)
    for loan in session.scalars(select(Loan)):
        protocol = loan.protocol
        assert protocol is not None
        assert loan.mou_id == protocol.mou_id
        assert loan.borrower_agency in protocol.borrowers, loan.purpose
        hours = (loan.due_at - loan.starts_at).total_seconds() / 3600
        assert hours <= protocol.max_loan_hours, loan.purpose
        for line in loan.lines:
            item = line.item
            assert item.owner_agency_id != loan.borrower_agency_id, loan.purpose
            assert item.category in protocol.categories or item in protocol.items, loan.purpose
            # A recall brings the booking's end forward to the recall time.
            ends = loan.recall_due_at or loan.due_at
            assert (line.starts_at, line.ends_at) == (loan.starts_at, ends)
            assert line.exclusive is not item.is_pooled
            if loan.status is LoanStatus.ISSUED and not item.is_pooled:
                assert item.status is ItemStatus.ON_LOAN, item.asset_tag
        if loan.status is LoanStatus.ISSUED:
            assert loan.operator is not None
            assert loan.issued_at is not None
            held = {
                q.qualification_type_id
                for q in loan.operator.qualifications
                if q.expires_on is None or q.expires_on >= today
            }
            for needed in protocol.required_qualifications:
                assert needed.id in held, (loan.purpose, needed.name)
    on_loan = [i for i in _items(session) if i.status is ItemStatus.ON_LOAN]
    issued_items = {
        ln.item_id
        for ln in session.scalars(select(LoanLine).join(Loan))
        if ln.loan.status in (LoanStatus.ISSUED, LoanStatus.PARTLY_RETURNED)
    }
    assert {i.id for i in on_loan} <= issued_items


def test_no_double_booking(demo: tuple[Session, datetime]) -> None:
    session, _now = demo
    held: dict[int, list[LoanLine]] = defaultdict(list)
    for line in session.scalars(select(LoanLine).where(LoanLine.holds_stock.is_(True))):
        held[line.item_id].append(line)
    assert held
    for lines in held.values():
        item = lines[0].item
        if not item.is_pooled:
            spans = sorted((ln.starts_at, ln.ends_at) for ln in lines)
            for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
                assert e1 <= s2, item.asset_tag
            continue
        for line in lines:
            instant = line.starts_at
            booked = sum(ln.quantity for ln in lines if ln.starts_at <= instant < ln.ends_at)
            assert booked <= item.quantity, item.asset_tag


# -- the year of history ---------------------------------------------------------------

_SUMMER, _WINTER = (5, 6, 7, 8, 9), (11, 12, 1, 2)


def _written(now: datetime) -> set[tuple[str, datetime]]:
    """The hand-written loans, by purpose and start (the history may repeat a purpose)."""
    base = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return {(spec.purpose, base + timedelta(hours=spec.start_h)) for spec in LOANS}


def _history(session: Session, now: datetime) -> list[Loan]:
    """The generated loans: every loan but the hand-written ones."""
    written = _written(now)
    return [
        loan
        for loan in session.scalars(select(Loan))
        if (loan.purpose, loan.starts_at) not in written
    ]


def _per_month(loans: list[Loan], months: tuple[int, ...]) -> float:
    """Loans handed over in ``months``, on average per calendar month of the last year
    that falls in them."""
    seen = {(loan.starts_at.astimezone(UK).year, loan.starts_at.astimezone(UK).month)
            for loan in loans}  # fmt: skip
    wanted = [loan for loan in loans if loan.starts_at.astimezone(UK).month in months]
    return len(wanted) / max(1, len({ym for ym in seen if ym[1] in months}))


def test_history_fills_the_year_with_its_seasons(demo: tuple[Session, datetime]) -> None:
    session, now = demo
    history = _history(session, now)
    assert 250 <= len(history) <= 450
    out = [loan for loan in history if loan.issued_at is not None]
    assert len(out) >= 0.9 * len(history)
    assert {loan.status for loan in history} <= {
        LoanStatus.RETURNED,
        LoanStatus.DECLINED,
        LoanStatus.CANCELLED,
    }
    months = {(loan.issued_at.astimezone(UK).year, loan.issued_at.astimezone(UK).month)
              for loan in out if loan.issued_at}  # fmt: skip
    assert len(months) >= 10
    assert all(now - loan.starts_at <= timedelta(days=366) for loan in history)
    # Nothing of the history is out, booked or due back around now.
    assert all(loan.due_at <= now - timedelta(days=3) for loan in history)
    assert not [ln for loan in history for ln in loan.lines if ln.holds_stock]
    for loan in out:
        assert loan.issued_at is not None
        assert loan.starts_at <= loan.issued_at < (loan.returned_at or now) <= loan.due_at
    hours = [(loan.due_at - loan.starts_at).total_seconds() / 3600 for loan in history]
    assert min(hours) <= 4
    assert max(hours) >= 7 * 24
    assert any(loan.is_emergency for loan in history)
    assert any(not loan.is_emergency for loan in history)
    borrowers = {loan.borrower_agency.code for loan in history}
    lenders = {ln.item.owner_agency.code for loan in history for ln in loan.lines}
    assert len(borrowers) >= 7, borrowers
    assert len(lenders) >= 6, lenders

    def kind(*categories: str) -> list[Loan]:
        return [
            loan for loan in out if any(ln.item.category.name in categories for ln in loan.lines)
        ]

    closures = kind("Barriers", "Road closure signs")
    assert _per_month(closures, _SUMMER) > 1.2 * _per_month(closures, _WINTER)
    boats = [
        loan for loan in kind("Water and flood rescue")
        if any("boat" in ln.item.name.lower() for ln in loan.lines)
    ]  # fmt: skip
    assert _per_month(boats, _WINTER) > 1.5 * _per_month(boats, _SUMMER)
    searches = kind("Drones", "Thermal imaging cameras")
    at_night = [loan for loan in searches if not 7 <= loan.starts_at.astimezone(UK).hour < 19]
    assert len(at_night) > len(searches) / 2
    football = [loan for loan in closures if " v " in loan.purpose]
    assert football
    # The season runs from August to May: a Saturday's barriers may go out on the Friday.
    assert all(loan.starts_at.astimezone(UK).month != 6 for loan in football)


def test_history_keeps_the_rules_of_real_loans(demo: tuple[Session, datetime]) -> None:
    """Every loan that went out, written or generated: no tagged item on two loans at
    once, no pool lent beyond its quantity; and each generated loan made under an MoU in
    force on its dates, with an operator qualified on those dates."""
    session, now = demo
    taken: dict[int, list[tuple[datetime, datetime, int]]] = defaultdict(list)
    for line in session.scalars(select(LoanLine).join(Loan)):
        if line.loan.issued_at is None:
            continue  # requested, declined or cancelled: it never took the kit
        back = line.loan.returned_at or datetime.max.replace(tzinfo=UTC)
        taken[line.item_id].append((line.starts_at, max(back, line.ends_at), line.quantity))
    for item_id, spans in taken.items():
        item = session.get(EquipmentItem, item_id)
        assert item is not None
        for start, _end, _quantity in spans:
            busy = sum(q for s, e, q in spans if s <= start < e)
            assert busy <= item.quantity, (item.asset_tag, start)
    for loan in _history(session, now):
        protocol = loan.protocol
        assert protocol is not None
        mou = protocol.mou
        first, last = loan.starts_at.astimezone(UK).date(), loan.due_at.astimezone(UK).date()
        assert mou.effective_from is not None
        assert mou.effective_from <= first, loan.purpose
        assert mou.expires_on is None or last <= mou.expires_on, loan.purpose
        successor = session.scalar(select(Mou).where(Mou.supersedes_id == mou.id))
        assert successor is None or (
            successor.effective_from is not None and last < successor.effective_from
        ), loan.purpose
        if protocol.emergency_only:
            assert loan.is_emergency, loan.purpose
        if loan.status is not LoanStatus.RETURNED:
            continue
        assert loan.operator is not None
        for needed in protocol.required_qualifications:
            assert any(
                q.qualification_type_id == needed.id
                and (q.issued_on is None or q.issued_on <= first)
                and (q.expires_on is None or q.expires_on >= last)
                for q in loan.operator.qualifications
            ), (loan.purpose, needed.name)


def test_history_changes_nothing_free_or_booked_now(tmp_path: Path) -> None:
    def standing(db: Database) -> tuple[object, ...]:
        with db.read() as session:
            items = sorted((i.asset_tag, i.status, i.current_location) for i in _items(session))
            holding = sorted(
                (ln.item.asset_tag, ln.quantity - ln.quantity_returned, ln.starts_at, ln.ends_at)
                for ln in session.scalars(select(LoanLine).where(LoanLine.holds_stock.is_(True)))
            )
            written = sorted(
                (loan.purpose, loan.starts_at, loan.status)
                for loan in session.scalars(select(Loan))
                if (loan.purpose, loan.starts_at) in _written(FIXED_NOW)
            )
            return tuple(items), tuple(holding), tuple(written)

    (tmp_path / "with").mkdir()
    (tmp_path / "without").mkdir()
    with_history = _open(tmp_path / "with", FIXED_NOW)
    without = _open(tmp_path / "without", FIXED_NOW, history=False)
    try:
        assert standing(with_history) == standing(without)
    finally:
        with_history.dispose()
        without.dispose()


# -- the call itself ---------------------------------------------------------------------


def test_same_moment_gives_the_same_data(tmp_path: Path) -> None:
    def snapshot(db: Database) -> list[tuple[object, ...]]:
        with db.read() as session:
            rows: list[tuple[object, ...]] = [
                (i.asset_tag, i.acquired_on, i.status) for i in _items(session)
            ]
            rows += [
                (i.item.asset_tag, i.inspected_on, i.result)
                for i in session.scalars(select(Inspection).order_by(Inspection.id))
            ]
            rows += [
                (ln.item.asset_tag, ln.hours_in, ln.mileage_in, ln.fuel_in_percent)
                for ln in session.scalars(select(LoanLine).order_by(LoanLine.id))
            ]
            rows += [
                (
                    loan.purpose,
                    loan.incident_ref,
                    loan.borrower_agency.code,
                    loan.starts_at,
                    loan.due_at,
                    loan.status,
                    loan.operator_id,
                    tuple((ln.item.asset_tag, ln.quantity) for ln in loan.lines),
                )
                for loan in session.scalars(select(Loan).order_by(Loan.id))
            ]
            return rows

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = _open(tmp_path / "a", FIXED_NOW), _open(tmp_path / "b", FIXED_NOW)
    try:
        assert snapshot(first) == snapshot(second)
    finally:
        first.dispose()
        second.dispose()


def test_naive_now_is_refused(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        with pytest.raises(ValueError, match="aware"), db.write() as session:
            populate_demo(session, datetime(2026, 11, 21, 9, 0))
        with db.read() as session:
            assert session.scalar(select(Agency)) is None
    finally:
        db.dispose()


def test_the_demo_has_the_seeds_kits_each_an_agencys_own_and_free_now(demo_db: Database) -> None:
    kits = {kit.name: kit for kit in list_kits(demo_db)}
    assert set(kits) == {spec.name for spec in KITS}
    start = now_utc()
    for spec in KITS:
        kit = kits[spec.name]
        assert [m.asset_tag for m in kit.members] == [tag for tag, _, _ in spec.members]
        assert kit_availability(demo_db, kit.id, start, start + timedelta(hours=8)).is_free
    water = kits["Huntingdon water rescue team kit"]
    assert water.members[0].note == "Check the bung and the kill cord"
