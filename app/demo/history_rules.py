"""The rules every loan of the demo's year of history obeys, and the loans made by them.

A loan is made only under a protocol whose MoU was in force on its dates, to a borrower
that protocol covers, never by the owner to itself, with an operator who held the
qualifications it requires on the day, never overlapping another loan of the same
tagged item, and never taking more of a pool than it holds. Each ends at least
``QUIET_DAYS`` before the demo's "now", so nothing that is free or booked today changes.
The scenes that ask for the loans are in ``app.demo.history``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from app.core.clock import UK, add_months, today_uk
from app.demo.data import (
    DEFECTS,
    FAILED_INSPECTION,
    ITEMS,
    LAPSED,
    LOANS,
    MOUS,
    PEOPLE,
    PROTOCOLS,
    QUALIFICATIONS,
    SITES,
    D,
    ItemSpec,
    LoanSpec,
    MouSpec,
    ProtocolSpec,
)
from models import DefectSeverity, LoanStatus

SEED = 2025
FIRST_DAY = -362  # the oldest loan starts within the last year
QUIET_DAYS = 4  # every loan is back this many days before now
TURNAROUND = 3  # hours a tagged item spends being checked between two loans
FOREVER = 10**6  # hours: a booking still open holds its kit from its start onwards

SUMMER = (5, 6, 7, 8, 9)
WINTER = (11, 12, 1, 2)
SEASON = (8, 9, 10, 11, 12, 1, 2, 3, 4, 5)  # the football season

# The hand-written loans still open hold their kit from their start, however overdue.
_OPEN = (
    LoanStatus.REQUESTED,
    LoanStatus.APPROVED,
    LoanStatus.ISSUED,
    LoanStatus.PARTLY_RETURNED,
)


class Want(NamedTuple):
    """One line a scenario asks for: the first of ``tags`` that is free and lendable."""

    tags: tuple[str, ...]
    low: int = 1
    high: int = 1


class Ask(NamedTuple):
    """A request as a person would make it; the history decides whether it can be met."""

    borrower: str
    requesters: tuple[str, ...]
    wants: tuple[Want, ...]
    purpose: str
    ref: str
    start_h: int
    hours: int
    emergency: bool
    kind: str
    operators: tuple[str, ...] = ()  # who uses kit that needs no qualification


# ---------------------------------------------------------------------------------------
# Who may use what, when
# ---------------------------------------------------------------------------------------

_ITEMS: dict[str, ItemSpec] = {spec.tag: spec for spec in ITEMS}
_SITE_AGENCY: dict[str, str] = {key: agency for key, agency, *_rest in SITES}
_OWNER: dict[str, str] = {spec.tag: _SITE_AGENCY[spec.site] for spec in ITEMS}
_MOUS: dict[str, MouSpec] = {spec.key: spec for spec in MOUS}
_VALIDITY: dict[str, int | None] = {code: months for code, _n, _a, months in QUALIFICATIONS}


def _mou_in_force(mou: MouSpec, day: int) -> bool:
    """Whether ``mou`` allowed loans on the day ``day`` days from today."""
    if not mou.effective <= day <= mou.expires:
        return False
    return not any(m.supersedes == mou.key and m.effective <= day for m in MOUS)


def _was_active(protocol: ProtocolSpec) -> bool:
    """Active now, or retired with an MoU since superseded: it was in use in its time."""
    return protocol.active or any(m.supersedes == protocol.mou for m in MOUS)


def governing_protocol(
    tag: str, borrower: str, first: int, last: int, *, emergency: bool
) -> ProtocolSpec | None:
    """The protocol a loan of ``tag`` to ``borrower`` from day ``first`` to ``last`` was
    made under, chosen as the service chooses: one naming the item before one covering
    its category, the newest first, an emergency-only one for an emergency."""
    item = _ITEMS[tag]
    owner = _OWNER[tag]
    if owner == borrower or item.retired:
        return None
    fitting = []
    for protocol in reversed(PROTOCOLS):
        mou = _MOUS[protocol.mou]
        if not (
            _was_active(protocol)
            and owner in mou.parties
            and borrower in protocol.borrowers
            and (tag in protocol.items or item.category in protocol.categories)
            and (emergency or not protocol.emergency_only)
            and _mou_in_force(mou, first)
            and _mou_in_force(mou, last)
        ):
            continue
        fitting.append(protocol)
    fitting.sort(key=lambda p: (tag not in p.items, not p.emergency_only))
    return fitting[0] if fitting else None


@dataclass(frozen=True)
class _Held:
    person: str
    agency: str
    code: str
    issued: date
    expires: date | None


def _qualifications(today: date) -> list[_Held]:
    """Each demo person's qualifications, dated as ``app.demo.data`` dates them."""
    held = []
    for person in PEOPLE:
        for code, days in person.qualifications:
            months = _VALIDITY[code]
            if months is None:
                held.append(_Held(person.key, person.agency, code, today - timedelta(days), None))
            else:
                expires = today + timedelta(days)
                held.append(
                    _Held(person.key, person.agency, code, add_months(expires, -months), expires)
                )
    return held


# ---------------------------------------------------------------------------------------
# The ledger: what each item is doing, hour by hour
# ---------------------------------------------------------------------------------------


@dataclass
class Ledger:
    """Bookings per asset tag, in hours from the demo's current hour."""

    spans: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)

    def book(self, tag: str, start: int, end: int, quantity: int) -> None:
        self.spans.setdefault(tag, []).append((start, end, quantity))

    def free(self, tag: str, start: int, end: int) -> int:
        """How many of ``tag`` are free for the whole of [start, end)."""
        item = _ITEMS[tag]
        total = item.quantity or 1
        spans = [s for s in self.spans.get(tag, ()) if s[0] < end and start < s[1]]
        if item.quantity is None:
            return 0 if spans else 1
        moments = {start} | {s[0] for s in spans if s[0] > start}
        busiest = max(
            (sum(q for s, e, q in spans if s <= moment < e) for moment in moments), default=0
        )
        return total - busiest


def starting_ledger(acquired: Mapping[str, date], today: date) -> Ledger:
    """The hand-written loans, and the times an item could not be lent: before it was
    bought, while an unsafe or major defect was open, once its inspection lapsed."""
    ledger = Ledger()
    for loan in LOANS:
        end = FOREVER if loan.status in _OPEN else loan.due_h + TURNAROUND
        for tag, quantity, _returned in loan.lines:
            ledger.book(tag, loan.start_h - TURNAROUND, end, quantity)
    for tag, spec in _ITEMS.items():
        whole = spec.quantity or 1
        bought = acquired.get(tag)
        if bought is not None:
            ledger.book(tag, -FOREVER, ((bought - today).days + 7) * D, whole)
        if tag in LAPSED:
            ledger.book(tag, -45 * D, FOREVER, whole)
    for defect in DEFECTS:
        if defect.severity is DefectSeverity.MINOR or _ITEMS[defect.tag].quantity is not None:
            continue
        cleared = FOREVER if defect.cleared is None else -defect.cleared[0] * D
        ledger.book(defect.tag, -(defect.reported_days_ago + 1) * D, cleared, 1)
    ledger.book(FAILED_INSPECTION[0], -(FAILED_INSPECTION[1] + 1) * D, FOREVER, 1)
    return ledger


# ---------------------------------------------------------------------------------------
# Making the loans
# ---------------------------------------------------------------------------------------

_DECLINED = (
    "The pool is already committed to the owner's own operation that weekend; a smaller "
    "request was suggested.",
    "Not enough of the stock is back from the last event and checked in time.",
    "The owner is keeping this kit back for its own cover over the same period.",
)
_CANCELLED = (
    "Cancelled by the borrower: the event was called off because of the weather forecast.",
    "Cancelled by the borrower: the operation was stood down.",
    "Cancelled by the borrower: the organiser now brings its own stock.",
)


@dataclass
class Year:
    """The year being written: its dates, the ledger, and the loans made so far."""

    base: datetime  # the demo's current hour, UTC
    acquired: Mapping[str, date]
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    today: date = field(init=False)
    ledger: Ledger = field(init=False)
    held: list[_Held] = field(init=False)
    loans: list[LoanSpec] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.today = today_uk(self.base)
        self.ledger = starting_ledger(self.acquired, self.today)
        self.held = _qualifications(self.today)

    # -- the calendar -----------------------------------------------------------------

    def days(self) -> Iterator[tuple[int, date]]:
        """Each day of the year behind the demo, as (days from today, date)."""
        for offset in range(FIRST_DAY, -QUIET_DAYS):
            yield offset, self.today + timedelta(days=offset)

    def hour(self, day: int, hour: int) -> int:
        """Hours from the demo's current hour to ``hour`` o'clock, UK time, on ``day``."""
        wall = datetime.combine(self.today + timedelta(days=day + hour // 24), time(hour % 24))
        return round((wall.replace(tzinfo=UK) - self.base).total_seconds() / 3600)

    def day_of(self, hours: int) -> int:
        """Which day (from today, UK calendar) the hour ``hours`` falls on."""
        return ((self.base + timedelta(hours=hours)).astimezone(UK).date() - self.today).days

    def date_of(self, day: int) -> date:
        return self.today + timedelta(days=day)

    # -- loans ------------------------------------------------------------------------

    def ask(self, ask: Ask) -> int:
        """Make the loans ``ask`` needs, one per protocol it falls under; how many."""
        groups: dict[str, tuple[ProtocolSpec, int, list[tuple[str, int]]]] = {}
        used: set[str] = set()
        for want in ask.wants:
            self._take(ask, want, groups, used)
        made = 0
        for protocol, hours, lines in groups.values():
            made += self._make(ask, protocol, hours, lines)
        return made

    def _take(
        self,
        ask: Ask,
        want: Want,
        groups: dict[str, tuple[ProtocolSpec, int, list[tuple[str, int]]]],
        used: set[str],
    ) -> None:
        """Add to ``groups`` the first of the want's tags that can be lent, if any."""
        first = self.day_of(ask.start_h)
        for tag in want.tags:
            if tag in used:
                continue
            last = self.day_of(ask.start_h + ask.hours)
            protocol = governing_protocol(tag, ask.borrower, first, last, emergency=ask.emergency)
            if protocol is None:
                continue
            # At least two hours: handed over a few minutes after the start, and back an
            # hour before the due time, as the loader stamps them.
            hours = max(2, min(ask.hours, protocol.max_loan_hours))
            if ask.start_h + hours > -QUIET_DAYS * D:
                continue
            free = self.ledger.free(tag, ask.start_h, ask.start_h + hours + TURNAROUND)
            quantity = min(self.rng.randint(want.low, want.high), free)
            if quantity < want.low:
                continue
            used.add(tag)
            groups.setdefault(protocol.key, (protocol, hours, []))[2].append((tag, quantity))
            return

    def operator(
        self, protocol: ProtocolSpec, ask: Ask, lender: str, hours: int, requester: str
    ) -> str | None:
        """Who uses the kit: the requester where nothing is required; else someone of the
        borrower's who holds every qualification on every day of the loan, or failing
        that someone of the lender's, lent with the kit as the MoUs allow."""
        if not protocol.qualifications:
            return self.rng.choice(ask.operators) if ask.operators else requester
        first = self.date_of(self.day_of(ask.start_h))
        last = self.date_of(self.day_of(ask.start_h + hours))
        for agency in (ask.borrower, lender):
            able = sorted(
                {
                    h.person
                    for h in self.held
                    if h.agency == agency
                    and all(
                        self._holds(h.person, code, first, last) for code in protocol.qualifications
                    )
                }
            )
            if able:
                return self.rng.choice(able)
        return None

    def _holds(self, person: str, code: str, first: date, last: date) -> bool:
        return any(
            h.person == person
            and h.code == code
            and h.issued <= first
            and (h.expires is None or h.expires >= last)
            for h in self.held
        )

    def _make(
        self, ask: Ask, protocol: ProtocolSpec, hours: int, lines: Sequence[tuple[str, int]]
    ) -> int:
        requester = self.rng.choice(ask.requesters)
        lender = _OWNER[lines[0][0]]
        operator = self.operator(protocol, ask, lender, hours, requester)
        if operator is None:
            return 0
        status, reason = LoanStatus.RETURNED, None
        if not ask.emergency and self.rng.random() < 0.04:
            if self.rng.random() < 0.5:
                status, reason = LoanStatus.DECLINED, self.rng.choice(_DECLINED)
            else:
                status, reason = LoanStatus.CANCELLED, self.rng.choice(_CANCELLED)
        end = ask.start_h + hours
        if status is LoanStatus.RETURNED:
            for tag, quantity in lines:
                self.ledger.book(tag, ask.start_h, end + TURNAROUND, quantity)
        returned = status is LoanStatus.RETURNED
        self.loans.append(
            LoanSpec(
                key=f"H{len(self.loans) + 1:03d}-{ask.kind}",
                protocol=protocol.key,
                borrower=ask.borrower,
                purpose=ask.purpose,
                incident_ref=ask.ref,
                start_h=ask.start_h,
                due_h=end,
                status=status,
                lines=tuple((tag, q, q if returned else 0) for tag, q in lines),
                requested_by=requester,
                operator=operator if status is not LoanStatus.CANCELLED else None,
                emergency=ask.emergency,
                decision_reason=reason,
            )
        )
        return 1
