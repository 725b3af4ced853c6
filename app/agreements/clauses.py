"""An MoU's clauses and signatories: as typed, the rules for them, and how they are
stored. A clause with no number is numbered by its position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from app.core.checks import text_problems
from app.core.errors import Refusal
from models import Agency, Mou, MouClause, MouSignatory

# The longest each text may be: the columns' own limits, so the database never refuses.
HEADING_MAX = 200
CLAUSE_NUMBER_MAX = 20
SIGNATORY_MAX = 200

SIGNATORY_AUDIT_FIELDS = ("agency_id", "name", "role_title", "signed_on")
CLAUSE_AUDIT_FIELDS = ("number", "heading", "body")


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


def normalised_clauses(clauses: Sequence[ClauseDraft]) -> list[tuple[str, str, str]]:
    """(number, heading, body) as stored: trimmed, a blank number replaced by the position."""
    return [
        (c.number.strip() or str(position), c.heading.strip(), c.body.strip())
        for position, c in enumerate(clauses, 1)
    ]


def stored_clauses(mou: Mou) -> list[tuple[str, str, str]]:
    """(number, heading, body) of each clause of ``mou``, as ``normalised_clauses`` gives them."""
    return [(c.number.strip(), c.heading.strip(), c.body.strip()) for c in mou.clauses]


def signatory_problems(
    signatories: Sequence[SignatoryDraft], party_ids: Sequence[int], agencies: dict[int, Agency]
) -> list[Refusal]:
    """What is wrong with the signatories of an MoU between ``party_ids``; ``agencies``
    holds the agencies named, by id."""
    problems: list[Refusal] = []
    for number, signatory in enumerate(signatories, 1):
        name = signatory.name.strip()
        who = name or f"Signatory {number}"
        agency = agencies.get(signatory.agency_id)
        if agency is None:
            problems.append(
                Refusal(
                    "signatory",
                    f"{who} signs for an agency that does not exist (id {signatory.agency_id}); "
                    "choose one of the parties.",
                    "signatories",
                )
            )
        elif signatory.agency_id not in party_ids:
            problems.append(
                Refusal(
                    "signatory",
                    f"{who} signs for {agency.name}, which is not a party to this MoU; add "
                    "the agency as a party or choose the party they sign for.",
                    "signatories",
                )
            )
        problems += text_problems(
            signatory.name,
            field="signatories",
            limit=SIGNATORY_MAX,
            missing=f"Give the name of signatory {number}.",
            what=f"The name of signatory {number}",
        )
        problems += text_problems(
            signatory.role_title,
            field="signatories",
            limit=SIGNATORY_MAX,
            missing=f"Give the role {who} signs in, such as “Chief Fire Officer”.",
            what=f"The role of {who}",
        )
    return [replace(p, rule="signatory") for p in problems]


def clause_problems(clauses: Sequence[ClauseDraft]) -> list[Refusal]:
    """What is wrong with the clauses of an MoU: numbers too long or used twice, and
    clauses without a heading or text."""
    problems: list[Refusal] = []
    seen: set[str] = set()
    for position, (number, heading, body) in enumerate(normalised_clauses(clauses), 1):
        number_problems = text_problems(
            number,
            field="clauses",
            limit=CLAUSE_NUMBER_MAX,
            what=f"The number of clause {position}",
        )
        # A number too long to read back names the clause by its place instead.
        where = f"Clause {position}" if number_problems else f"Clause {number}"
        problems += number_problems
        if not number_problems and number.casefold() in seen:
            problems.append(
                Refusal(
                    "clauses",
                    f"Two clauses are numbered {number}; give each clause its own number, or "
                    "leave the numbers blank to number them in order.",
                    "clauses",
                )
            )
        seen.add(number.casefold())
        problems += text_problems(
            heading,
            field="clauses",
            limit=HEADING_MAX,
            missing=f"{where} needs a heading.",
            what=f"The heading of {where.lower()}",
        )
        if not body:
            problems.append(
                Refusal(
                    "clauses",
                    f"{where}{f' ({heading})' if heading else ''} has no text; write it or "
                    "remove the clause.",
                    "clauses",
                )
            )
    return problems


def apply_clauses(mou: Mou, clauses: Sequence[ClauseDraft]) -> None:
    """Write ``clauses`` into ``mou``, in order, reusing the rows it has."""
    stored = list(mou.clauses)
    rows: list[MouClause] = []
    for index, (number, heading, body) in enumerate(normalised_clauses(clauses)):
        clause = stored[index] if index < len(stored) else MouClause()
        clause.position = index + 1
        clause.number = number
        clause.heading = heading
        clause.body = body
        rows.append(clause)
    mou.clauses = rows


def apply_signatories(mou: Mou, signatories: Sequence[SignatoryDraft]) -> None:
    """Write ``signatories`` into ``mou``, in order, reusing the rows it has."""
    signed = list(mou.signatories)
    rows: list[MouSignatory] = []
    for index, wanted in enumerate(signatories):
        signatory = signed[index] if index < len(signed) else MouSignatory()
        signatory.agency_id = wanted.agency_id
        signatory.name = wanted.name.strip()
        signatory.role_title = wanted.role_title.strip()
        signatory.signed_on = wanted.signed_on
        rows.append(signatory)
    mou.signatories = rows
