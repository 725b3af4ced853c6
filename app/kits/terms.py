"""What lending a kit to a borrower asks for, read from each member's sharing protocol:
the rules of a loan hold for each member, so for the kit they are the strictest of them.

The kit's panel and a request form show this before anything is asked for: who may not
borrow which member, the longest notice, the shortest longest-loan, and every
qualification an operator needs. The loan services check the same rules again, line by
line, when the loan is requested, approved and issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.core.clock import now_utc, today_uk
from app.core.errors import NotFound, Refusal
from app.kits.service import KitMemberView, KitView, kit_view, load_kit
from app.loans.rules import protocol_for
from app.storage.database import Database
from models import Agency, EquipmentItem


@dataclass(frozen=True)
class MemberTerms:
    """The protocol a member would be lent under to the borrower, or why it would not."""

    member: KitMemberView
    protocol: str  # "" when none lends it
    mou: str  # the MoU's reference and version
    notice_hours: int
    max_loan_hours: int | None
    qualifications: tuple[str, ...]
    problem: Refusal | None
    protocol_id: int | None = None  # for the terms printed: the protocol's MoU and clauses


@dataclass(frozen=True)
class KitTerms:
    """The kit's terms for one borrower: each member's, and the strictest of them."""

    kit: KitView
    borrower: str
    members: tuple[MemberTerms, ...]

    @property
    def lendable(self) -> bool:
        """Whether every member's protocol covers the borrower."""
        return all(member.problem is None for member in self.members)

    @property
    def problems(self) -> tuple[Refusal, ...]:
        return tuple(dict.fromkeys(m.problem for m in self.members if m.problem is not None))

    @property
    def notice_hours(self) -> int:
        """The longest notice any member's protocol asks for."""
        return max((m.notice_hours for m in self.members), default=0)

    @property
    def max_loan_hours(self) -> int | None:
        """The shortest longest-loan of the members' protocols (None: none applies)."""
        limits = [m.max_loan_hours for m in self.members if m.max_loan_hours is not None]
        return min(limits, default=None)

    @property
    def qualifications(self) -> tuple[str, ...]:
        """Every qualification an operator of the kit must hold: all members' together."""
        return tuple(dict.fromkeys(q for m in self.members for q in m.qualifications))


def kit_terms(
    db: Database,
    kit_id: int,
    borrower_agency_id: int,
    *,
    emergency: bool = False,
    now: datetime | None = None,
) -> KitTerms:
    """The terms on which the borrower may borrow the kit today (in an ``emergency``, the
    emergency-only protocols too), member by member."""
    today = today_uk(now or now_utc())
    with db.read() as session:
        kit = load_kit(session, kit_id)
        view = kit_view(kit)
        borrower = session.get(Agency, borrower_agency_id)
        if borrower is None:
            raise NotFound(f"There is no agency with id {borrower_agency_id}; choose another.")
        members: list[MemberTerms] = []
        for member in view.members:
            item = session.get(EquipmentItem, member.item_id)
            assert item is not None  # a member's item cannot be deleted
            protocol, problem = protocol_for(session, item, borrower, today, emergency=emergency)
            members.append(
                MemberTerms(
                    member=member,
                    protocol=protocol.name if protocol else "",
                    mou=f"{protocol.mou.reference} v{protocol.mou.version}" if protocol else "",
                    notice_hours=protocol.notice_hours if protocol and not emergency else 0,
                    max_loan_hours=protocol.max_loan_hours if protocol else None,
                    qualifications=tuple(
                        q.name for q in (protocol.required_qualifications if protocol else [])
                    ),
                    problem=problem,
                    protocol_id=protocol.id if protocol else None,
                )
            )
        return KitTerms(kit=view, borrower=borrower.name, members=tuple(members))
