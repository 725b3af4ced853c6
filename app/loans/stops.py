"""Everything that can stop a loan action, in one list: the rule, and what to do about it.

Each refusal the loan rules give (``Refusal.rule``) is one of these. The sentence a
person reads names the item, the protocol and the dates; this list is the rule behind
it, for the form's message (pointed at, it says the rule and the fix for each problem
shown) and for ``kitshare-admin loan rules``, which prints it for training and for the
services' own procedures. ``tests/test_loan_stops.py`` holds the list and the code to
each other: a rule given anywhere in the loan rules must be listed here, and nothing
listed here may be a rule nobody gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LoanStep(StrEnum):
    REQUEST = "request"
    DECIDE = "approve or decline"
    ISSUE = "issue"
    EMERGENCY = "emergency issue"
    RETURN = "return"
    CHANGE = "extend, recall or cancel"


_BOOKING = (LoanStep.REQUEST, LoanStep.DECIDE, LoanStep.ISSUE, LoanStep.EMERGENCY)
_HAND_OVER = (LoanStep.ISSUE, LoanStep.EMERGENCY)


@dataclass(frozen=True)
class Stop:
    """One rule that can stop a loan action."""

    rule: str  # the ``Refusal.rule`` that carries it
    name: str  # a few words, as a heading
    why: str  # the rule, in a sentence
    fix: str  # what a person does about it, in a sentence
    stops: tuple[LoanStep, ...]

    def explained(self) -> str:
        return f"{self.name}: {self.why} {self.fix}"


STOPS: tuple[Stop, ...] = (
    Stop(
        "details",
        "Something to fill in",
        "A loan says who borrows, who asks, why, and when.",
        "Fill in the field outlined.",
        (*_BOOKING, LoanStep.RETURN),
    ),
    Stop(
        "period",
        "The times",
        "A loan ends after it starts, at times a UK clock shows once, and not in the past.",
        "Correct the times outlined.",
        (*_BOOKING, LoanStep.CHANGE),
    ),
    Stop(
        "quantity",
        "How many",
        "A loan takes at least one, one of a single item, and no more than a pool holds.",
        "Ask for a number the item has.",
        (*_BOOKING, LoanStep.RETURN),
    ),
    Stop(
        "owner",
        "Own kit",
        "An agency never borrows its own kit: sharing is between agencies.",
        "Choose the agency taking the kit.",
        _BOOKING,
    ),
    Stop(
        "borrower",
        "Not covered",
        "Only the agencies a current sharing protocol names may borrow an item.",
        "Choose a covered agency, or ask an administrator to add the agency to a protocol.",
        _BOOKING,
    ),
    Stop(
        "protocol",
        "No protocol",
        "Kit goes to another agency only under a sharing protocol that covers it.",
        "Ask an administrator to add the item, or its category, to a protocol under an MoU.",
        _BOOKING,
    ),
    Stop(
        "emergency_only",
        "Emergencies only",
        "Some protocols lend only for a live incident.",
        "Mark the loan as an emergency if it is one; otherwise a protocol for planned loans "
        "is needed.",
        _BOOKING,
    ),
    Stop(
        "mou",
        "MoU not in force",
        "A protocol lends only while its MoU is in force.",
        "Ask an administrator to renew or re-sign the MoU.",
        _BOOKING,
    ),
    Stop(
        "notice",
        "Notice",
        "A planned loan is asked for at least the protocol's notice ahead.",
        "Start later, or mark the loan as an emergency for a live incident.",
        (LoanStep.REQUEST, LoanStep.DECIDE),
    ),
    Stop(
        "max_loan",
        "Longest loan",
        "A loan lasts no longer than its protocol allows.",
        "Bring the due time forward, or make a second request later.",
        (*_BOOKING, LoanStep.CHANGE),
    ),
    Stop(
        "availability",
        "Booked",
        "Kit is never booked twice: not by two loans, not by two stations at once.",
        "Choose other times, fewer units, or another item.",
        (*_BOOKING, LoanStep.CHANGE),
    ),
    Stop(
        "status",
        "Out of service",
        "Retired kit never goes out; kit out of service goes out once it is put back.",
        "Choose another item, or ask an equipment manager to return it to service.",
        _BOOKING,
    ),
    Stop(
        "defect",
        "Open defect",
        "Kit with an open major or unsafe defect stays in (on a pool, the units it holds back).",
        "Clear the defect once the kit is repaired, or take the units not held back.",
        _HAND_OVER,
    ),
    Stop(
        "inspection",
        "Inspection",
        "Kit whose inspection has lapsed, failed or never happened stays in.",
        "Record a passed inspection first, or choose another item.",
        _HAND_OVER,
    ),
    Stop(
        "competence",
        "Operator's competence",
        "The operator holds, current, every qualification the protocol requires.",
        "Name an operator who holds it, or record the renewed qualification.",
        _HAND_OVER,
    ),
    Stop(
        "readings",
        "Readings",
        "Fuel and battery are a percentage; hours and mileage are never negative.",
        "Correct the reading outlined.",
        (*_HAND_OVER, LoanStep.RETURN),
    ),
    Stop(
        "requester",
        "Who asks",
        "A request comes from a person of the borrowing agency.",
        "Choose someone who works for the borrower.",
        (LoanStep.REQUEST,),
    ),
    Stop(
        "lender",
        "One lender",
        "Each loan is from one lending agency, who decide what they can spare.",
        "Make one request per lending agency.",
        (LoanStep.REQUEST,),
    ),
    Stop(
        "kit",
        "The kit",
        "A kit is lent while it is in use, and only with its owner's items, stand-ins too.",
        "Choose a kit in use, or ask for the items one by one.",
        (LoanStep.REQUEST, LoanStep.EMERGENCY),
    ),
    Stop(
        "approver",
        "Who decides",
        "Only someone the protocol names as approver, signed in as a person, decides.",
        "Ask an approver of the lending agency, or an administrator to link the account.",
        (LoanStep.DECIDE,),
    ),
    Stop(
        "state",
        "The loan's stage",
        "Each action fits one stage: approve a request, issue an approved loan, return "
        "what is out.",
        "Do what the loan's stage allows; the loan shows its next steps.",
        (LoanStep.DECIDE, LoanStep.ISSUE, LoanStep.RETURN, LoanStep.CHANGE),
    ),
)

BY_RULE = {stop.rule: stop for stop in STOPS}


def stop_for(rule: str) -> Stop | None:
    """The rule a refusal gives, if it is a loan rule."""
    return BY_RULE.get(rule)
