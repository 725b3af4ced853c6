"""The MoU register: MoUs, their versions, clauses and the sharing protocols under them.

Everyone reads the register; only an administrator changes it, and every change is
audited in the same transaction. A signed version's wording is fixed: changing it
means a new version, which supersedes the old once it takes effect. Loans keep the
version (and protocol) they were made under, so an old version stays readable and
printable.

Reads return frozen views (no ORM objects outlive their session); edits take drafts
and raise ``RegisterRefused`` listing every problem, with the field to point at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.agreements import MouStatus
from app.audit import Actor
from app.database import Database
from app.errors import NotPermitted, Refusal, Refused
from models import ChargingBasis, Role


class RegisterRefused(Refused):
    """The register refuses a change; ``problems`` lists every rule broken."""


# -- what the register shows ---------------------------------------------------------------


@dataclass(frozen=True)
class PartyView:
    agency_id: int
    name: str
    code: str


@dataclass(frozen=True)
class SignatoryView:
    agency_id: int
    agency: str
    name: str
    role_title: str
    signed_on: date | None


@dataclass(frozen=True)
class ClauseView:
    number: str
    heading: str
    body: str


@dataclass(frozen=True)
class ProtocolView:
    """A sharing protocol, with names ready to show and ids ready to edit."""

    id: int
    mou_id: int
    name: str
    is_active: bool
    emergency_only: bool
    borrowers: tuple[PartyView, ...]
    categories: tuple[tuple[int, str], ...]  # id, name
    items: tuple[tuple[int, str, str], ...]  # id, asset tag, name
    approver_role: Role
    approver_title: str | None
    approver: str  # the title if given, else the role in words
    notice_hours: int
    max_loan_hours: int
    qualifications: tuple[tuple[int, str], ...]  # id, name
    charging: ChargingBasis
    charge_rate_pence: int | None
    charge_unit: str | None
    charging_text: str  # "No charge", "Consumables replaced", "£45.00 per day"
    use_conditions: str
    protocol_text: str
    data_terms: str


@dataclass(frozen=True)
class MouRow:
    """One line of the register."""

    id: int
    reference: str
    version: int
    title: str
    parties: tuple[str, ...]  # agency names, lead party first
    status: MouStatus
    signed_on: date | None
    effective_from: date | None
    review_on: date | None
    expires_on: date | None


@dataclass(frozen=True)
class MouView:
    """One version of an MoU in full."""

    id: int
    reference: str
    version: int
    title: str
    purpose: str
    scope: str
    status: MouStatus
    is_draft: bool
    signed_on: date | None
    effective_from: date | None
    review_on: date | None
    expires_on: date | None
    terminated_on: date | None
    supersedes: tuple[int, int] | None  # id, version of the one this replaces
    superseded_by: tuple[int, int] | None  # id, version of the one that replaces this
    parties: tuple[PartyView, ...]
    signatories: tuple[SignatoryView, ...]
    clauses: tuple[ClauseView, ...]
    protocols: tuple[ProtocolView, ...]
    loan_count: int  # loans made under this version

    @property
    def label(self) -> str:
        """ "CAMBS-TRI-2024 v2", as footers and lists name it."""
        return f"{self.reference} v{self.version}"


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


@dataclass(frozen=True)
class RegisterChoices:
    """What the MoU and protocol editors offer to pick from."""

    agencies: tuple[Choice, ...]
    categories: tuple[Choice, ...]
    qualifications: tuple[Choice, ...]


# -- what an administrator enters ----------------------------------------------------------


@dataclass(frozen=True)
class SignatoryDraft:
    agency_id: int
    name: str
    role_title: str
    signed_on: date | None = None


@dataclass(frozen=True)
class ClauseDraft:
    """A clause as typed. A blank ``number`` is numbered by position (1, 2, 3…)."""

    heading: str
    body: str
    number: str = ""


@dataclass(frozen=True)
class MouDraft:
    reference: str
    title: str
    purpose: str = ""
    scope: str = ""
    is_draft: bool = True
    signed_on: date | None = None
    effective_from: date | None = None
    review_on: date | None = None
    expires_on: date | None = None
    terminated_on: date | None = None
    party_ids: tuple[int, ...] = ()  # lead party first
    signatories: tuple[SignatoryDraft, ...] = ()
    clauses: tuple[ClauseDraft, ...] = ()


@dataclass(frozen=True)
class ProtocolDraft:
    mou_id: int
    name: str
    borrower_ids: tuple[int, ...] = ()
    category_ids: tuple[int, ...] = ()
    item_ids: tuple[int, ...] = ()
    approver_role: Role = Role.EQUIPMENT_MANAGER
    approver_title: str = ""
    notice_hours: int = 0
    max_loan_hours: int = 72
    qualification_ids: tuple[int, ...] = ()
    charging: ChargingBasis = ChargingBasis.NONE
    charge_rate_pence: int | None = None
    charge_unit: str = ""
    use_conditions: str = ""
    protocol_text: str = ""
    data_terms: str = ""
    is_active: bool = True
    emergency_only: bool = False


# -- who may change it ---------------------------------------------------------------------


def require_administrator(actor: Actor) -> None:
    """Refuse anyone but an administrator: the register is theirs to keep."""
    if not actor.is_administrator:
        raise NotPermitted(
            "Only an administrator can change the MoU register. "
            "Sign in as an administrator to make this change."
        )


def sign_in_administrator(db: Database, username: str, password: str) -> Actor:
    """The administrator ``username``, if ``password`` is theirs and the account is active.

    A wrong name or password gives one message for both (it does not say which was
    wrong); a right one for someone who is not an administrator says so.
    """
    raise NotImplementedError


def command_line_actor() -> Actor:
    """Who acts through ``kitshare-admin``: the station account, as an administrator.

    Whoever can run the command line against the database already holds its keys.
    """
    raise NotImplementedError


# -- reads ---------------------------------------------------------------------------------


def list_mous(db: Database, *, today: date | None = None) -> list[MouRow]:
    """Every version of every MoU: by reference, newest version first within each."""
    raise NotImplementedError


def get_mou(db: Database, mou_id: int, *, today: date | None = None) -> MouView:
    """One version in full; ``NotFound`` if there is no such MoU."""
    raise NotImplementedError


def find_mou(db: Database, reference: str, version: int | None = None) -> int:
    """The id of ``reference`` (any case) at ``version``, or its newest version."""
    raise NotImplementedError


def register_choices(db: Database) -> RegisterChoices:
    """Agencies, categories and qualification types, by name."""
    raise NotImplementedError


def mou_draft_of(view: MouView) -> MouDraft:
    """A draft holding ``view`` as it is, to start an edit from."""
    raise NotImplementedError


def protocol_draft_of(view: ProtocolView) -> ProtocolDraft:
    """A draft holding ``view`` as it is, to start an edit from."""
    raise NotImplementedError


# -- checks (as you type) and edits ----------------------------------------------------------


def check_mou(db: Database, draft: MouDraft, *, mou_id: int | None = None) -> list[Refusal]:
    """Every problem with ``draft`` (as a new MoU, or as an edit of ``mou_id``)."""
    raise NotImplementedError


def create_mou(db: Database, draft: MouDraft, actor: Actor) -> int:
    """Add an MoU as version 1; returns its id."""
    raise NotImplementedError


def update_mou(db: Database, mou_id: int, draft: MouDraft, actor: Actor) -> None:
    """Change one version. A signed version's wording is fixed; its dates and signatories
    can still be put right."""
    raise NotImplementedError


def new_version(db: Database, mou_id: int, actor: Actor) -> int:
    """Start the next version of ``mou_id`` as a draft copy (parties, signatories without
    their dates, clauses and protocols); returns the new version's id."""
    raise NotImplementedError


def check_protocol(
    db: Database, draft: ProtocolDraft, *, protocol_id: int | None = None
) -> list[Refusal]:
    """Every problem with ``draft`` (as a new protocol, or as an edit of ``protocol_id``)."""
    raise NotImplementedError


def create_protocol(db: Database, draft: ProtocolDraft, actor: Actor) -> int:
    """Add a sharing protocol under ``draft.mou_id``; returns its id."""
    raise NotImplementedError


def update_protocol(db: Database, protocol_id: int, draft: ProtocolDraft, actor: Actor) -> None:
    """Change a sharing protocol (deactivate it with ``is_active=False``)."""
    raise NotImplementedError


def resolve_tags(db: Database, tags: Sequence[str]) -> tuple[int, ...]:
    """The ids of the items with these asset tags (any case), in the order given.

    Unknown tags are refused together, in one ``RegisterRefused`` on the field "items".
    """
    raise NotImplementedError
