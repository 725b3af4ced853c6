"""How kit counts, in SQL both SQLite and PostgreSQL run, for the reports over a period;
and the context one report is built for (its period as moments, now, whose kit).

How kit counts as lent, throughout: a loan lends its kit from the moment it was handed
over (``issued_at``) until the whole loan came back (``returned_at``), or until now if it
is still out. Requests never issued, declined and cancelled loans lend nothing. Each
line counts its quantity, so three units of a pool out for two days are six days lent.
The sums are worked out in SQL (days between two moments, clipped to the period), so
tens of thousands of loans cost one query per report rather than one per loan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    case,
    cast,
    extract,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session

from app.core.actor import Actor
from app.core.clock import UK, format_date
from app.reports.period import Period
from models import Agency, AuditEvent, EquipmentItem, ItemStatus, Loan, LoanStatus
from models.base import UtcDateTime

# The loans that lent kit: issued, and out or back.
LENT_STATUSES = (LoanStatus.ISSUED, LoanStatus.PARTLY_RETURNED, LoanStatus.RETURNED)

ALL_AGENCIES = "all agencies"
LONGEST_CHART_LABEL = 40


@dataclass(frozen=True)
class ReportContext:
    """What one report is built for: the period as moments, now, and whose kit."""

    period: Period
    start: datetime  # the period's first moment (UK midnight), aware
    end: datetime  # just after the period's last day (UK midnight), aware
    now: datetime
    today: date
    agency_id: int | None
    agency: str  # the agency's name, or "" for all
    actor: Actor  # who asked: some reports are only for some roles

    @property
    def until(self) -> datetime:
        """Where counting stops: the period's end, or now if that comes first."""
        return min(self.end, self.now)

    @property
    def runs_past_today(self) -> bool:
        return self.period.end > self.today

    def scope(self, limited: str) -> str:
        """The subtitle's second half: ``limited`` names the agency's part."""
        return limited.format(agency=self.agency) if self.agency_id is not None else ALL_AGENCIES

    def period_subtitle(self, limited: str) -> str:
        period = f"{format_date(self.period.start)} to {format_date(self.period.end)}"
        return f"{period} · {self.scope(limited)}"


def uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UK)


@dataclass(frozen=True)
class Sql:
    """The few expressions SQLite and PostgreSQL spell differently."""

    dialect: str

    @property
    def _sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def later(self, a: Any, b: Any) -> ColumnElement[Any]:
        """The later of two moments (SQLite's two-argument ``max`` is not an aggregate)."""
        return func.max(a, b) if self._sqlite else func.greatest(a, b)

    def earlier(self, a: Any, b: Any) -> ColumnElement[Any]:
        return func.min(a, b) if self._sqlite else func.least(a, b)

    def days(self, start: Any, end: Any) -> ColumnElement[Any]:
        """Days (fractional) from ``start`` to ``end``."""
        if self._sqlite:
            return cast(func.julianday(end) - func.julianday(start), Float)
        return cast(extract("epoch", end - start), Float) / 86400.0


def bound_moment(moment: datetime) -> ColumnElement[datetime]:
    """A moment as a bound value stored the way the columns store theirs (naive UTC)."""
    return literal(moment, UtcDateTime())


@dataclass(frozen=True)
class Lent:
    """A loan line's time on loan within the context's window, as SQL."""

    days: ColumnElement[Any]  # per unit
    conditions: tuple[ColumnElement[bool], ...]


def lent_window(sql: Sql, context: ReportContext) -> Lent:
    """Days each line was out within the period (up to now), and which lines count.

    Use with ``select(...).select_from(LoanLine).join(Loan, ...)``.
    """
    out_from = sql.later(Loan.issued_at, bound_moment(context.start))
    back = func.coalesce(Loan.returned_at, bound_moment(context.now))
    out_until = sql.earlier(back, bound_moment(context.until))
    return Lent(
        days=sql.days(out_from, out_until),
        conditions=(
            Loan.status.in_(LENT_STATUSES),
            Loan.issued_at.is_not(None),
            Loan.issued_at < bound_moment(context.until),
            out_until > out_from,
        ),
    )


def _retired_at() -> ColumnElement[Any]:
    """When a retired item left the catalogue: its "item retired" audit event, or, for
    kit retired without one (imported or demo data), its last change."""
    retired_event = (
        select(func.max(AuditEvent.occurred_at))
        .where(
            AuditEvent.entity_type == "equipment_item",
            AuditEvent.entity_id == EquipmentItem.id,
            AuditEvent.action == "item.retired",
        )
        .scalar_subquery()
    )
    return func.coalesce(retired_event, EquipmentItem.updated_at)


@dataclass(frozen=True)
class InCatalogue:
    """An item's days in the catalogue within the context's window, as SQL."""

    days: ColumnElement[Any]  # per unit, 0 if none
    conditions: tuple[ColumnElement[bool], ...]  # in the catalogue at some time in it


def in_catalogue(sql: Sql, context: ReportContext) -> InCatalogue:
    listed_from = sql.later(EquipmentItem.created_at, bound_moment(context.start))
    listed_until = case(
        (
            EquipmentItem.status == ItemStatus.RETIRED,
            sql.earlier(_retired_at(), bound_moment(context.until)),
        ),
        else_=bound_moment(context.until),
    )
    return InCatalogue(
        days=case((listed_until > listed_from, sql.days(listed_from, listed_until)), else_=0.0),
        conditions=(listed_until > listed_from,),
    )


def owned_by(context: ReportContext) -> tuple[ColumnElement[bool], ...]:
    if context.agency_id is None:
        return ()
    return (EquipmentItem.owner_agency_id == context.agency_id,)


def as_float(value: Any) -> float:
    return float(value or 0)


def chart_label(text: str) -> str:
    if len(text) <= LONGEST_CHART_LABEL:
        return text
    return text[: LONGEST_CHART_LABEL - 1].rstrip() + "…"


def agency_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    found = session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(wanted)))
    return {row[0]: row[1] for row in found}
