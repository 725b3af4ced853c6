"""What each role may do, checked by every service that changes data.

The window hides what a role cannot use, but that is a courtesy: the rule lives here,
and a service refuses an action its caller's role does not allow whether it was asked
from a button, the command line or a test.

Roles build on each other: a duty officer searches, requests, issues and returns kit,
and reports defects on any kit; an equipment manager may also keep the catalogue,
decide on requests, record inspections, clear defects and set inspection regimes, for
their own agency's kit (a sharing protocol may let the lender's duty officer decide
too); an administrator may also keep the MoU register, protocols, category-wide
inspection regimes, people and users, and backups, for every agency.
"""

from __future__ import annotations

import enum

from app.core.actor import Actor
from app.core.errors import NotPermitted
from app.core.vocabulary import label
from models import Role

RANK = {Role.DUTY_OFFICER: 0, Role.EQUIPMENT_MANAGER: 1, Role.ADMINISTRATOR: 2}


class Action(enum.Enum):
    """Something a service does on someone's behalf; its value says it as a phrase."""

    REQUEST_LOAN = "request a loan"
    ISSUE_LOAN = "issue kit"
    RETURN_LOAN = "book kit back in"
    EXTEND_LOAN = "extend a loan"
    CANCEL_LOAN = "cancel a loan"
    RECALL_LOAN = "recall kit"
    DECIDE_LOAN = "approve or decline a request"
    EDIT_CATALOGUE = "change the catalogue"
    EDIT_KITS = "make and change kits"
    RECORD_INSPECTION = "record inspections"
    REPORT_DEFECT = "report a defect"
    CLEAR_DEFECT = "clear a defect"
    SET_ITEM_REGIME = "set an item's inspection regime"
    SET_CATEGORY_REGIME = "set a category's inspection regime"
    VIEW_AUDIT = "read the audit trail"
    EDIT_REGISTER = "change the MoU register"
    MANAGE_PEOPLE = "change people and their qualifications"
    SEE_EXPIRING_QUALIFICATIONS = "list the qualifications about to expire"
    MANAGE_USERS = "change users and their roles"
    BACKUP = "back up or restore the database"


# The least role each action needs.
NEEDS: dict[Action, Role] = {
    Action.REQUEST_LOAN: Role.DUTY_OFFICER,
    Action.ISSUE_LOAN: Role.DUTY_OFFICER,
    Action.RETURN_LOAN: Role.DUTY_OFFICER,
    Action.EXTEND_LOAN: Role.DUTY_OFFICER,
    Action.CANCEL_LOAN: Role.DUTY_OFFICER,
    # A live incident at 3 a.m. cannot wait for a manager to wake up.
    Action.RECALL_LOAN: Role.DUTY_OFFICER,
    # Who exactly decides is the protocol's to say: its approver role or above, of the
    # lending agency (most of the Cambridgeshire protocols let the duty officer decide),
    # or that agency's equipment manager. ``app.loans.rules`` applies it.
    Action.DECIDE_LOAN: Role.DUTY_OFFICER,
    Action.EDIT_CATALOGUE: Role.EQUIPMENT_MANAGER,
    # A kit is made of the agency's own items, so it is kept by whoever keeps them.
    Action.EDIT_KITS: Role.EQUIPMENT_MANAGER,
    Action.RECORD_INSPECTION: Role.EQUIPMENT_MANAGER,
    # Whoever finds a fault must be able to say so, whoever's kit it is.
    Action.REPORT_DEFECT: Role.DUTY_OFFICER,
    Action.CLEAR_DEFECT: Role.EQUIPMENT_MANAGER,
    Action.SET_ITEM_REGIME: Role.EQUIPMENT_MANAGER,
    # A category's regime covers every agency's kit of that kind.
    Action.SET_CATEGORY_REGIME: Role.ADMINISTRATOR,
    Action.VIEW_AUDIT: Role.EQUIPMENT_MANAGER,
    Action.EDIT_REGISTER: Role.ADMINISTRATOR,
    Action.MANAGE_PEOPLE: Role.ADMINISTRATOR,
    # Booking a renewal is a manager's job; a duty officer checks one operator at issue.
    Action.SEE_EXPIRING_QUALIFICATIONS: Role.EQUIPMENT_MANAGER,
    Action.MANAGE_USERS: Role.ADMINISTRATOR,
    Action.BACKUP: Role.ADMINISTRATOR,
}

# Actions an equipment manager may take only on their own agency's kit.
OWN_AGENCY_ONLY = frozenset(
    {
        Action.EDIT_CATALOGUE,
        Action.EDIT_KITS,
        Action.RECORD_INSPECTION,
        Action.CLEAR_DEFECT,
        Action.SET_ITEM_REGIME,
    }
)


def with_article(role: Role) -> str:
    """ "an equipment manager", "a duty officer"."""
    words = label(role).lower()
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def roles_allowed(action: Action) -> list[Role]:
    """The roles that may take ``action``, least first."""
    return [role for role in RANK if RANK[role] >= RANK[NEEDS[action]]]


def at_least(actor: Actor, role: Role) -> bool:
    return actor.role is not None and RANK[actor.role] >= RANK[role]


def may(actor: Actor, action: Action, *, agency_id: int | None = None) -> bool:
    """Whether ``actor`` may take ``action`` (on kit owned by ``agency_id``, if given)."""
    return refusal(actor, action, agency_id=agency_id) is None


def refusal(
    actor: Actor, action: Action, *, agency_id: int | None = None, agency_name: str = ""
) -> str | None:
    """Why ``actor`` may not take ``action``, as a sentence; None if they may."""
    needed = NEEDS[action]
    allowed = " or ".join(f"{with_article(r)}" for r in roles_allowed(action))
    if actor.role is None:
        return f"No one is signed in, and only {allowed} can {action.value}. Sign in first."
    if RANK[actor.role] < RANK[needed]:
        return (
            f"{actor.name} is signed in as {with_article(actor.role)}, and only {allowed} "
            f"can {action.value}. Ask one to do it, or sign in as one."
        )
    if (
        action in OWN_AGENCY_ONLY
        and agency_id is not None
        and actor.role is not Role.ADMINISTRATOR
        and actor.agency_id != agency_id
    ):
        whose = f"{agency_name}'s" if agency_name else "another agency's"
        return (
            f"{actor.name} is an equipment manager for another agency, and can "
            f"{action.value} only for their own agency's kit, not {whose}. Ask one of "
            f"{agency_name or 'the owner'}'s equipment managers, or an administrator."
        )
    return None


def require(
    actor: Actor, action: Action, *, agency_id: int | None = None, agency_name: str = ""
) -> None:
    """Refuse with ``NotPermitted`` unless ``actor`` may take ``action``."""
    reason = refusal(actor, action, agency_id=agency_id, agency_name=agency_name)
    if reason is not None:
        raise NotPermitted(reason)
