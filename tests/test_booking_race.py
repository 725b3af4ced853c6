"""No double booking when stations book at the same instant, on SQLite and PostgreSQL.

Eight processes (the "spawn" kind, so nothing is shared but the database) open the
database themselves, wait at one barrier and then all ask at once: first for the same
tagged item over the same period, then for 3 each of a pooled stock of 10 over
overlapping periods. Exactly one and exactly three of them may win; every other one
must get a ``LoanConflict`` in words, and the database must agree afterwards.

The database's own guard (exclusion constraint / triggers) is tested apart, by writing
an overlapping line past the service, and by a service whose first look is fooled.
"""

from __future__ import annotations

import multiprocessing
import re
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from queue import Empty
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from app.core.actor import Actor
from app.core.errors import KitShareError
from app.loans import rules as loan_rules
from app.loans import service as loans
from app.loans.drafts import LineDraft, LoanConflict, LoanDraft
from app.loans.service import OVERLAP_GUARD, check_request
from app.storage.database import Database, open_database
from models import Loan, LoanLine, Person, Role
from tests import factories as f

RACERS = 8
POOL_QUANTITY = 10
EACH_ASKS = 3
NOW = f.NOW
START = NOW + timedelta(hours=1)
END = NOW + timedelta(hours=5)
# Each pooled request starts this much later than the one before: the periods differ
# but all eight share [START + 7 steps, END), so at most three requests of 3 fit.
POOL_STEP = timedelta(minutes=5)
# A hang must fail the test, not hold CI: the barrier, the answers and the joins give up.
BARRIER_TIMEOUT_S = 60.0
RACE_DEADLINE_S = 90.0
JOIN_TIMEOUT_S = 10.0
POLL_S = 0.5

TAGGED = "RACE-TAGGED"
POOLED = "RACE-POOLED"
TAGGED_LABEL = f"{TAGGED} “Tower light”"
POOLED_LABEL = f"{POOLED} “Crowd barrier”"
# The sentence the database's own guard turns into (``app.loans.service._flush``).
GUARD_SENTENCE = (
    "Someone else booked this item for part of the same time a moment ago. "
    "Choose other times or another item."
)
# What a person reads when the tagged item went to another station: the service's
# sentence, naming the loan that has it, or the guard's, should the guard catch it first.
TAGGED_CONFLICT = re.compile(
    rf"{re.escape(TAGGED_LABEL)} is already booked for part of the time between "
    r"\d\d/\d\d/\d{4} \d\d:\d\d and \d\d/\d\d/\d{4} \d\d:\d\d\. "
    r"Loan (?P<loan>\d+) has it from .+ to .+\. Choose other times or another item\."
    rf"|{re.escape(GUARD_SENTENCE)}"
)
# Three winners hold 9 of the 10 at the moment all the periods share: 1 left.
POOLED_CONFLICT = re.compile(
    rf"Only 1 of the {POOL_QUANTITY} {re.escape(POOLED_LABEL)} are free between "
    r"\d\d/\d\d/\d{4} \d\d:\d\d and \d\d/\d\d/\d{4} \d\d:\d\d\. "
    r"Ask for 1 or fewer, or choose other times\."
)


@dataclass(frozen=True)
class Outcome:
    """What one station got from one booking attempt, sent back through the queue."""

    racer: int
    round: int
    kind: str  # "won", "conflict", another error's class name, or "crash"
    loan_id: int | None = None
    message: str = ""
    rules: tuple[str, ...] = ()
    started_at: float = 0.0
    finished_at: float = 0.0


def race_for_kit(
    url: str,
    racer: int,
    drafts: tuple[LoanDraft, ...],
    start: Barrier,
    outcomes: Queue[Outcome],
) -> None:
    """One station: open the database, then book each draft when every station is ready.

    Runs in a spawned process, so it lives at module level and takes only picklable
    arguments. Whatever happens, one outcome per round goes back through the queue.
    """
    actor = Actor(name=f"Race station {racer}", role=Role.DUTY_OFFICER)
    try:
        # The test set the schema up; skip the migration check every window makes at
        # start, so the stations spend their time on the race.
        database = open_database(url, migrate=False)
        # Connect and compile the checks before the barrier, so that after it every
        # station goes straight to the write: the race is on the booking itself.
        for draft in drafts:
            check_request(database, draft, now=NOW)
    except BaseException:
        start.abort()
        for round_, _ in enumerate(drafts):
            outcomes.put(Outcome(racer, round_, "crash", message=traceback.format_exc()))
        return
    try:
        for round_, draft in enumerate(drafts):
            try:
                start.wait(BARRIER_TIMEOUT_S)
            except BaseException:
                outcomes.put(Outcome(racer, round_, "crash", message=traceback.format_exc()))
                continue
            outcomes.put(_attempt(database, racer, round_, draft, actor))
    finally:
        database.dispose()


def _attempt(
    database: Database, racer: int, round_: int, draft: LoanDraft, actor: Actor
) -> Outcome:
    started = time.monotonic()
    try:
        loan_id = loans.request_loan(database, draft, actor, now=NOW)
    except LoanConflict as exc:
        return Outcome(
            racer,
            round_,
            "conflict",
            message=exc.message,
            rules=tuple(sorted(exc.rules)),
            started_at=started,
            finished_at=time.monotonic(),
        )
    except KitShareError as exc:
        # Another refusal, or the environment (locked, timed out): wrong in this race.
        return Outcome(racer, round_, type(exc).__name__, message=exc.message, started_at=started)
    except Exception:
        return Outcome(racer, round_, "crash", message=traceback.format_exc(), started_at=started)
    return Outcome(
        racer, round_, "won", loan_id=loan_id, started_at=started, finished_at=time.monotonic()
    )


# -- set-up -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stock:
    tagged_id: int
    pooled_id: int
    borrower_id: int
    requester_id: int


def _lend_stock(database: Database) -> Stock:
    """A tagged item and a pool of 10, which the borrower may book with no notice."""
    with database.write() as session:
        owner = f.agency(session, "Cambridgeshire Fire and Rescue Service")
        borrower = f.agency(session, "Cambridgeshire Constabulary")
        home = f.site(session, owner)
        kind = f.category(session)
        tagged = f.item(session, owner=owner, home=home, kind=kind, tag=TAGGED)
        pooled = f.item(
            session,
            owner=owner,
            home=home,
            kind=kind,
            tag=POOLED,
            name="Crowd barrier",
            quantity=POOL_QUANTITY,
            pooled=True,
        )
        mou = f.mou_in_force(session, [owner, borrower])
        f.protocol(session, mou, borrowers=[borrower], categories=[kind])
        requester = Person(
            agency_id=borrower.id, staff_number="PC 1234", given_name="Sam", family_name="Reed"
        )
        session.add(requester)
        session.flush()
        return Stock(tagged.id, pooled.id, borrower.id, requester.id)


def _draft(stock: Stock, item_id: int, quantity: int, shift: timedelta) -> LoanDraft:
    return LoanDraft(
        borrower_agency_id=stock.borrower_id,
        requested_by_id=stock.requester_id,
        purpose="Missing person search, Ouse Washes",
        starts_at=START + shift,
        due_at=END + shift,
        lines=(LineDraft(item_id=item_id, quantity=quantity),),
    )


@pytest.fixture
def stocked(migrated_url: str) -> tuple[str, Stock]:
    database = open_database(migrated_url)
    try:
        return migrated_url, _lend_stock(database)
    finally:
        database.dispose()


# -- the race -----------------------------------------------------------------------------


def _race(url: str, drafts_for: Sequence[tuple[LoanDraft, ...]]) -> list[Outcome]:
    """Start one spawned process per station, let them race, and collect every outcome."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(len(drafts_for))
    outcomes: Queue[Outcome] = context.Queue()
    stations = [
        context.Process(
            target=race_for_kit,
            args=(url, racer, drafts, start, outcomes),
            name=f"race-station-{racer}",
        )
        for racer, drafts in enumerate(drafts_for)
    ]
    for station in stations:
        station.start()
    expected = sum(len(drafts) for drafts in drafts_for)
    collected: list[Outcome] = []
    deadline = time.monotonic() + RACE_DEADLINE_S
    try:
        while len(collected) < expected:
            try:
                collected.append(outcomes.get(timeout=POLL_S))
            except Empty:
                # A station that died before it could answer (say, on import) fails the
                # race at once; one that answers nothing in time fails it at the deadline.
                died = {s.name: s.exitcode for s in stations if s.exitcode not in (None, 0)}
                if died or time.monotonic() > deadline:
                    pytest.fail(
                        f"the race did not finish: {len(collected)} of {expected} outcomes "
                        f"after {RACE_DEADLINE_S - (deadline - time.monotonic()):.0f} s; "
                        f"stations that died: {died}; outcomes so far: {collected}"
                    )
        for station in stations:
            station.join(JOIN_TIMEOUT_S)
        stuck = [s.name for s in stations if s.is_alive()]
        assert not stuck, f"stations still running after they answered: {stuck}"
        assert [s.exitcode for s in stations] == [0] * len(stations)
    finally:
        for station in stations:
            if station.is_alive():
                station.kill()
                station.join(JOIN_TIMEOUT_S)
        outcomes.close()
        outcomes.join_thread()
    return collected


def _started_before_first_answer(outcomes: list[Outcome]) -> int:
    """How many attempts were under way before the first one finished: the contention."""
    first_finish = min(o.finished_at for o in outcomes)
    return sum(o.started_at < first_finish for o in outcomes)


def _summary(outcomes: list[Outcome]) -> str:
    """The outcomes one to a line, for a failure message a person can read."""
    return "\n".join(
        f"station {o.racer}, round {o.round}: {o.kind}"
        + (f" loan {o.loan_id}" if o.loan_id is not None else "")
        + (f": {o.message}" if o.message else "")
        for o in sorted(outcomes, key=lambda o: (o.round, o.racer))
    )


def _scalar(database: Database, sql: str, **params: Any) -> int:
    with database.read() as session:
        return int(session.execute(text(sql), params).scalar_one() or 0)


# Pairs of holding lines of one tagged item whose periods overlap. It asks the item,
# not the lines' ``exclusive`` flag, so a line wrongly left unflagged is counted too.
OVERLAPPING_PAIRS = """
    SELECT count(*) FROM loan_lines a
    JOIN loan_lines b ON b.item_id = a.item_id AND b.id > a.id
    JOIN equipment_items i ON i.id = a.item_id
    WHERE NOT i.is_pooled AND a.holds_stock AND b.holds_stock
      AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
"""
# The most of a pool held at once: the peak can only rise where a line starts, so
# add up, at every holding line's start, the lines holding stock at that moment.
POOL_PEAK = """
    SELECT coalesce(max(held), 0) FROM (
        SELECT a.id, sum(b.quantity - b.quantity_returned) AS held
        FROM loan_lines a
        JOIN loan_lines b ON b.item_id = a.item_id AND b.holds_stock
             AND b.starts_at <= a.starts_at AND b.ends_at > a.starts_at
        WHERE a.item_id = :item AND a.holds_stock
        GROUP BY a.id
    ) AS peaks
"""


def test_racing_stations_book_each_unit_once(stocked: tuple[str, Stock]) -> None:
    url, stock = stocked
    tagged = _draft(stock, stock.tagged_id, 1, timedelta(0))
    drafts_for = [
        (tagged, _draft(stock, stock.pooled_id, EACH_ASKS, POOL_STEP * racer))
        for racer in range(RACERS)
    ]

    outcomes = _race(url, drafts_for)

    unexpected = [o for o in outcomes if o.kind not in ("won", "conflict")]
    assert not unexpected, (
        f"every station must win or get a LoanConflict, not:\n{_summary(unexpected)}"
    )
    tagged_round = [o for o in outcomes if o.round == 0]
    pooled_round = [o for o in outcomes if o.round == 1]
    # The barrier did its job: the attempts really were under way together (all eight
    # usually start within 10 ms, before the first is done); half is a safe floor.
    for round_ in (tagged_round, pooled_round):
        assert _started_before_first_answer(round_) >= RACERS // 2, _summary(round_)

    tagged_winners = [o for o in tagged_round if o.kind == "won"]
    assert len(tagged_winners) == 1, _summary(tagged_round)
    (winner,) = tagged_winners
    for loser in (o for o in tagged_round if o.kind == "conflict"):
        assert loser.rules == ("availability",)
        matched = TAGGED_CONFLICT.fullmatch(loser.message)
        assert matched, f"not the clear conflict sentence: {loser.message!r}"
        if matched["loan"] is not None:
            assert int(matched["loan"]) == winner.loan_id, "the refusal names the winning loan"

    pooled_winners = [o for o in pooled_round if o.kind == "won"]
    fit = POOL_QUANTITY // EACH_ASKS
    assert len(pooled_winners) == fit, _summary(pooled_round)
    for loser in (o for o in pooled_round if o.kind == "conflict"):
        assert loser.rules == ("availability",)
        assert POOLED_CONFLICT.fullmatch(loser.message), (
            f"not the clear conflict sentence: {loser.message!r}"
        )

    # The totals, read back from the database by SQL of the test's own.
    database = open_database(url)
    try:
        assert (
            _scalar(
                database,
                "SELECT count(*) FROM loan_lines WHERE item_id = :item AND holds_stock",
                item=stock.tagged_id,
            )
            == 1
        )
        assert (
            _scalar(
                database,
                "SELECT loan_id FROM loan_lines WHERE item_id = :item AND holds_stock",
                item=stock.tagged_id,
            )
            == winner.loan_id
        )
        assert _scalar(database, OVERLAPPING_PAIRS) == 0
        held = _scalar(
            database,
            "SELECT coalesce(sum(quantity - quantity_returned), 0) FROM loan_lines "
            "WHERE item_id = :item AND holds_stock",
            item=stock.pooled_id,
        )
        assert held == fit * EACH_ASKS
        assert held <= POOL_QUANTITY
        assert _scalar(database, POOL_PEAK, item=stock.pooled_id) <= POOL_QUANTITY
        # Losers left nothing behind: no loan, no line, no audit event.
        winners = 1 + fit
        assert _scalar(database, "SELECT count(*) FROM loans") == winners
        assert _scalar(database, "SELECT count(*) FROM loan_lines") == winners
        assert (
            _scalar(database, "SELECT count(*) FROM audit_events WHERE action = 'loan.requested'")
            == winners
        )
    finally:
        database.dispose()


# -- the database's own guard ----------------------------------------------------------------


def _book_tagged(database: Database, stock: Stock) -> int:
    return loans.request_loan(
        database,
        _draft(stock, stock.tagged_id, 1, timedelta(0)),
        Actor("Station 1", role=Role.DUTY_OFFICER),
        now=NOW,
    )


def _line_written_past_the_service(
    database: Database,
    stock: Stock,
    item_id: int,
    starts: timedelta,
    ends: timedelta,
    *,
    exclusive: bool = True,
    holds_stock: bool = True,
) -> None:
    with database.write() as session:
        loan = Loan(
            borrower_agency_id=stock.borrower_id,
            requested_by_id=stock.requester_id,
            purpose="Written straight to the database",
            starts_at=START + starts,
            due_at=START + ends,
        )
        loan.lines = [
            LoanLine(
                item_id=item_id,
                quantity=1,
                starts_at=START + starts,
                ends_at=START + ends,
                holds_stock=holds_stock,
                exclusive=exclusive,
            )
        ]
        session.add(loan)


def test_database_refuses_an_overlapping_tagged_line_written_past_the_service(
    stocked: tuple[str, Stock],
) -> None:
    url, stock = stocked
    database = open_database(url)
    try:
        _book_tagged(database, stock)  # holds [START, START + 4 h)

        with pytest.raises(IntegrityError, match=OVERLAP_GUARD):
            _line_written_past_the_service(
                database, stock, stock.tagged_id, timedelta(hours=3), timedelta(hours=6)
            )
        # Moving a line that fits into the booked period is refused as well.
        _line_written_past_the_service(
            database, stock, stock.tagged_id, timedelta(hours=4), timedelta(hours=6)
        )
        with pytest.raises(IntegrityError, match=OVERLAP_GUARD), database.write() as session:
            session.execute(
                update(LoanLine)
                .where(LoanLine.item_id == stock.tagged_id, LoanLine.starts_at == END)
                .values(starts_at=END - timedelta(minutes=1))
            )
        # What the guard must let through: back to back, a line that holds nothing,
        # and lines of a pooled item (their sum is the service's to check).
        _line_written_past_the_service(
            database, stock, stock.tagged_id, timedelta(hours=-2), timedelta(0)
        )
        _line_written_past_the_service(
            database,
            stock,
            stock.tagged_id,
            timedelta(hours=1),
            timedelta(hours=2),
            holds_stock=False,
        )
        for _ in range(2):
            _line_written_past_the_service(
                database,
                stock,
                stock.pooled_id,
                timedelta(0),
                timedelta(hours=4),
                exclusive=False,
            )
        assert _scalar(database, OVERLAPPING_PAIRS) == 0
        assert (
            _scalar(
                database,
                "SELECT count(*) FROM loan_lines WHERE item_id = :item AND holds_stock",
                item=stock.tagged_id,
            )
            == 3
        )
    finally:
        database.dispose()


def _fooled_first_look(monkeypatch: pytest.MonkeyPatch) -> None:
    """The service's check before writing sees everything free, as a station would whose
    look came before another's commit; what stands then is the guard after writing."""

    def everything_free(_session: object, item_id: int, *_args: object) -> int:
        return POOL_QUANTITY

    monkeypatch.setattr(loan_rules, "free_quantity", everything_free)


def test_service_turns_the_guard_into_a_loan_conflict(
    stocked: tuple[str, Stock], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, stock = stocked
    database = open_database(url)
    try:
        first = _book_tagged(database, stock)
        _fooled_first_look(monkeypatch)

        with pytest.raises(LoanConflict) as refused:
            _book_tagged(database, stock)

        assert refused.value.message == GUARD_SENTENCE
        assert refused.value.rules == {"availability"}
        assert isinstance(refused.value.__cause__, IntegrityError)
        with database.read() as session:
            assert session.scalars(select(Loan.id)).all() == [first]
    finally:
        database.dispose()
