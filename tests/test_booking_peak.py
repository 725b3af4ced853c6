"""The most of a pool booked at any one moment of a period, worked out as one sweep over
its bookings, is exactly the peak moment by moment: the booking check, the item's free
figure and search's "Only kit free between" filter all agree with a count done by hand,
on SQLite and PostgreSQL, with bookings that touch end to start, overdue loans still out,
units given back and another pool's bookings beside them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from app.catalogue.availability import NOT_BACK_YET, booked_peak
from app.catalogue.search import SearchFilters, search_items
from app.loans.rules import free_quantity
from app.storage.database import Database
from models import AgencyKind, Loan, LoanLine, LoanStatus
from tests import factories as f

NOW = f.NOW
HOUR = timedelta(hours=1)
POOL = 60
TAG = "CAM-000777"
OUT = (LoanStatus.ISSUED, LoanStatus.PARTLY_RETURNED)


@dataclass(frozen=True)
class Booking:
    starts_at: datetime
    ends_at: datetime
    held: int  # quantity less any given back
    status: LoanStatus
    holds_stock: bool

    def held_until(self, now: datetime) -> datetime:
        if self.ends_at <= now and self.status in OUT:
            return now + NOT_BACK_YET
        return self.ends_at


def peak_by_hand(bookings: list[Booking], start: datetime, end: datetime) -> int:
    """The most held at any moment of [start, end), moment by moment."""
    moments = {start} | {b.starts_at for b in bookings if start < b.starts_at < end}
    return max(
        sum(b.held for b in bookings if b.holds_stock and b.starts_at <= m < b.held_until(NOW))
        for m in moments
    )


def _bookings(rng: random.Random, count: int) -> list[Booking]:
    bookings = []
    for _ in range(count):
        # Whole hours around now, so bookings often meet end to start.
        start = NOW + rng.randrange(-72, 96) * HOUR
        end = start + rng.randrange(1, 30) * HOUR
        status = rng.choice(
            [LoanStatus.REQUESTED, LoanStatus.APPROVED, LoanStatus.ISSUED, LoanStatus.RETURNED]
        )
        held = 0 if status is LoanStatus.RETURNED else rng.randrange(1, 9)
        holds = status is not LoanStatus.RETURNED and rng.random() > 0.05
        bookings.append(Booking(start, end, held, status, holds))
    return bookings


@pytest.fixture
def pools(db: Database) -> tuple[int, int, list[Booking]]:
    """A pool of 60 with 45 bookings (some overdue and still out) and a second pool with
    bookings of its own, which must never count towards the first's peak."""
    rng = random.Random(20)
    ours = _bookings(rng, 45)
    theirs = _bookings(rng, 30)
    with db.write() as session:
        owner = f.agency(session, "Cambridgeshire Constabulary", AgencyKind.POLICE)
        borrower = f.agency(session, "Bedfordshire Police", AgencyKind.POLICE)
        home = f.site(session, owner, "Thorpe Wood")
        kind = f.category(session, "Barriers")
        pool = f.item(
            session, owner=owner, home=home, kind=kind, tag=TAG, quantity=POOL, pooled=True
        )
        other = f.item(session, owner=owner, home=home, kind=kind, quantity=POOL, pooled=True)
        for item, bookings in ((pool, ours), (other, theirs)):
            for b in bookings:
                loan = Loan(
                    borrower_agency_id=borrower.id,
                    purpose="Stewarding",
                    starts_at=b.starts_at,
                    due_at=b.ends_at,
                    status=b.status,
                )
                # Out on loan, one unit has come back early; returned, all have.
                returned = 1 if b.held == 0 or b.status is LoanStatus.ISSUED else 0
                loan.lines.append(
                    LoanLine(
                        item_id=item.id,
                        quantity=b.held + returned,
                        quantity_returned=returned,
                        starts_at=b.starts_at,
                        ends_at=b.ends_at,
                        holds_stock=b.holds_stock,
                        exclusive=False,
                    )
                )
                session.add(loan)
        session.flush()
        return pool.id, other.id, ours


def _periods(rng: random.Random, count: int) -> list[tuple[datetime, datetime]]:
    periods = [(NOW - 80 * HOUR, NOW + 140 * HOUR)]  # every booking at once
    for _ in range(count):
        start = NOW + rng.randrange(-80, 120) * HOUR + rng.choice([0, 0, 30]) * HOUR / 60
        periods.append((start, start + rng.randrange(1, 48) * HOUR))
    return periods


def test_the_peak_is_the_most_booked_at_any_moment(
    db: Database, pools: tuple[int, int, list[Booking]]
) -> None:
    pool, _, bookings = pools
    periods = _periods(random.Random(7), 40)
    peaks = {p: peak_by_hand(bookings, *p) for p in periods}
    assert len(set(peaks.values())) > 5  # the periods do tell the bookings apart
    with db.read() as session:
        for (start, end), expected in peaks.items():
            assert booked_peak(session, pool, start, end, NOW) == expected, (start, end)
            assert free_quantity(session, pool, start, end, NOW) == max(POOL - expected, 0)


def test_search_lists_the_pool_free_exactly_when_enough_are_free(
    db: Database, pools: tuple[int, int, list[Booking]]
) -> None:
    _, _, bookings = pools
    rng = random.Random(11)
    for start, end in _periods(rng, 12):
        free = max(POOL - peak_by_hand(bookings, start, end), 0)
        for quantity in {1, max(free, 1), free + 1}:
            filters = SearchFilters(available_from=start, available_to=end, quantity=quantity)
            listed = [r.asset_tag for r in search_items(db, TAG, filters, now=NOW).rows]
            assert listed == ([TAG] if quantity <= free else []), (start, end, quantity, free)
