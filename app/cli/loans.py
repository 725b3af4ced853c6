"""``kitshare-admin loan``: request, approve, issue, return and list loans of kit, as the
Loans window does; ``--json`` prints a loan as ``loan_json`` makes it."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from app.cli.common import (
    EXIT_OK,
    acting,
    add_agency_option,
    add_command,
    add_group,
    add_json_option,
    agency_id_named,
    changes_data,
    check_limit,
    iso,
    opened,
    print_json,
    record_number,
    sentence,
    when,
)
from app.core.clock import format_datetime, now_utc
from app.core.errors import DomainError
from app.core.text import counted
from app.loans.drafts import LineDraft
from app.loans.views import LoanLineView, LoanSection, LoanView, describe_duration
from app.storage.database import Database
from models import Condition, DefectSeverity, LoanStatus

if TYPE_CHECKING:
    from datetime import datetime

    from app.cli.common import Handler, Subcommands
    from app.core.actor import Actor
    from app.loans.drafts import Handover, LineReturn, LoanDraft


SECTIONS = {
    "awaiting": LoanSection.AWAITING,
    "approved": LoanSection.APPROVED,
    "out": LoanSection.OUT,
    "due-today": LoanSection.DUE_TODAY,
    "overdue": LoanSection.OVERDUE,
    "recalled": LoanSection.RECALLED,
    "returned": LoanSection.RETURNED,
    "all": LoanSection.ALL,
}

LOAN_EPILOG = """\
Names: an agency by its name or short code (Cambridgeshire Constabulary, cambs-pol), a
person by full name or staff number (Daniel Okafor, 2391), an item by its asset tag; case
does not matter, and a unique start or part of a name is enough. `kitshare-admin agencies`,
`people --agency A` and `sites` list the names.

Signing in: every action but show and list changes data, so it is done as a named user
whose name goes in the audit trail: --user NAME (before or after the action; else
KITSHARE_USER), with the password in KITSHARE_PASSWORD or typed when asked. A request is
approved or declined by whoever signs in, who must work for the lending agency.

Times: DD/MM/YYYY HH:MM (24-hour, UK time) or ISO 8601, e.g. "22/11/2026 14:30".

Items: --tag TAG for one item; --tag TAG:N for N of a pooled item; repeat --tag for several
items. With a single --tag, --quantity N is the same as TAG:N. Or --kit NAME instead: every
member of the kit, each of the quantity the kit holds (`kitshare-admin kit show NAME`
lists them, and with --from and --to says which are free); the loan keeps the kit's name.

--json prints the loan (or, for list, a list of loans) as JSON: id, status, status_label,
borrower, lender, purpose, incident_ref, is_emergency, from and to (ISO 8601 with the
offset in UK time; "to" is the due time in force, the recall time once recalled), recalled,
overdue, and lines with tag, name, quantity, quantity_returned and quantity_out.

Exit status: 0 done; 1 refused or not found (the reason is on stderr; nothing changed);
2 the command line itself is wrong.

Examples:
  export KITSHARE_USER=duty   # and type the password when asked
  kitshare-admin loan request --borrower cambs-pol --requested-by 1847 \\
      --purpose "Operation Hawthorn" --from "25/11/2026 09:00" --to "25/11/2026 21:00" \\
      --tag CFR-000250:20 --tag CFR-000255:1
  kitshare-admin --user manager loan approve 42
  kitshare-admin loan issue 42 --operator 1847
  kitshare-admin loan issue --emergency --tag CFR-000203 --borrower cambs-pol \\
      --operator "daniel okafor" --from "21/11/2026 14:05" --to "22/11/2026 02:00" \\
      --purpose "Missing person search, Ouse Washes" --json
  kitshare-admin loan request --kit "road closure" --borrower cambs-pol \
      --requested-by 1847 --purpose "Operation Hawthorn" --from "25/11/2026 09:00" \
      --to "25/11/2026 21:00"
  kitshare-admin loan issue --emergency --kit "water rescue" --borrower cambs-pol \
      --operator "daniel okafor" --to "22/11/2026 02:00" --purpose "Flooding, March"
  kitshare-admin loan return 42 --tag CFR-000250 --quantity 12
  kitshare-admin loan list --section overdue --agency CAMBS-FRS
"""

TAG_HELP = "asset tag, or TAG:N for N of a pooled item; repeat for several items"
QUANTITY_HELP = "how many of the one pooled item given with --tag (same as TAG:N)"
KIT_HELP = "a kit instead of --tag: every member, each of the quantity the kit holds"


def add_commands(commands: Subcommands) -> None:
    """Add ``loan`` and its actions to ``kitshare-admin``."""
    actions = add_group(
        commands,
        "loan",
        "request, approve, issue, return and list loans of kit",
        description="Log loans of kit between agencies, as the Loans window does.",
        epilog=LOAN_EPILOG,
        dest="loan_command",
    )
    _add_booking_actions(actions)
    _add_issue_action(actions)
    _add_later_actions(actions)
    rules = add_command(
        actions,
        "rules",
        "list every rule that can stop a loan action, and what to do about each",
        cmd_loan_rules,
        epilog=LOAN_EPILOG,
    )
    add_json_option(rules, "print the rules as JSON")


def _loan_action(
    actions: Subcommands,
    name: str,
    summary: str,
    handler: Handler,
    *,
    numbered: bool = True,
    changes: bool = True,
) -> argparse.ArgumentParser:
    """An action of ``loan``: most take the loan's number, and all but show and list
    change data."""
    sub = add_command(actions, name, summary, handler, epilog=LOAN_EPILOG)
    if numbered:
        sub.add_argument("id", type=record_number, metavar="ID", help="the loan number")
    add_json_option(sub, "print the loan as JSON instead of a sentence")
    if changes:
        changes_data(sub)
    return sub


def _add_booking_actions(actions: Subcommands) -> None:
    request = _loan_action(
        actions,
        "request",
        "book kit for a borrowing agency, awaiting approval",
        cmd_loan_request,
        numbered=False,
    )
    _add_booking_arguments(request, required=True)
    request.add_argument(
        "--requested-by", required=True, metavar="PERSON", help="who asks, of the borrower"
    )
    request.add_argument(
        "--emergency", action="store_true", help="an emergency: the notice period is waived"
    )

    approve = _loan_action(
        actions, "approve", "approve a request, as the lender's signed-in user", cmd_loan_approve
    )
    decline = _loan_action(
        actions,
        "decline",
        "decline a request with the reason, as the lender's signed-in user",
        cmd_loan_decline,
    )
    for decider in (approve, decline):
        # Gone: whoever signs in decides. Kept hidden only to say so to old scripts.
        decider.add_argument("--by", metavar="PERSON", help=argparse.SUPPRESS)
    decline.add_argument(
        "--reason", required=True, metavar="TEXT", help="why, for the borrower to read"
    )


def _add_issue_action(actions: Subcommands) -> None:
    issue = _loan_action(
        actions,
        "issue",
        "hand over an approved loan's kit, or with --emergency log kit straight out",
        cmd_loan_issue,
        numbered=False,
    )
    issue.add_argument(
        "id",
        type=record_number,
        nargs="?",
        metavar="ID",
        help="the approved loan (not with --emergency)",
    )
    issue.add_argument("--operator", required=True, metavar="PERSON", help="who will use the kit")
    issue.add_argument("--handed-over-by", metavar="PERSON", help="who hands it over (lender)")
    issue.add_argument(
        "--received-by", metavar="PERSON", help="who takes it (borrower; default: the operator)"
    )
    emergency = issue.add_argument_group(
        "emergency issue", "kit goes out now without a prior request; the safety rules still apply"
    )
    emergency.add_argument("--emergency", action="store_true", help="log an emergency issue")
    _add_booking_arguments(emergency, required=False)
    emergency.add_argument("--requested-by", metavar="PERSON", help="who asked, if known")


def _add_later_actions(actions: Subcommands) -> None:
    return_ = _loan_action(
        actions, "return", "take kit back: all of it, or some of a pooled item", cmd_loan_return
    )
    return_.add_argument(
        "--tag",
        action="append",
        metavar="TAG[:N]",
        help="only this item, or N of it (default: everything still out)",
    )
    return_.add_argument("--quantity", type=int, metavar="N", help=QUANTITY_HELP)
    return_.add_argument("--received-by", metavar="PERSON", help="who took it back (lender)")
    return_.add_argument(
        "--condition", choices=[c.value for c in Condition], help="condition as it came back"
    )
    return_.add_argument(
        "--defect", metavar="TEXT", help="a defect found; the item goes out of service"
    )
    return_.add_argument(
        "--severity",
        choices=[s.value for s in DefectSeverity],
        help="how bad the defect is (default: major)",
    )

    extend = _loan_action(actions, "extend", "move a loan's due time later", cmd_loan_extend)
    extend.add_argument("--to", required=True, dest="due", metavar="DATETIME", help="new due time")
    extend.add_argument("--reason", default="", metavar="TEXT", help="why, for the audit trail")

    cancel = _loan_action(
        actions, "cancel", "withdraw a request or an approved loan", cmd_loan_cancel
    )
    cancel.add_argument("--reason", default="", metavar="TEXT", help="why, for the audit trail")

    recall = _loan_action(
        actions, "recall", "call kit back early for a live incident", cmd_loan_recall
    )
    recall.add_argument("--due", required=True, metavar="DATETIME", help="when it must be back")
    recall.add_argument("--reason", required=True, metavar="TEXT", help="why it is needed back")

    _loan_action(actions, "show", "show one loan with its lines", cmd_loan_show, changes=False)

    list_ = _loan_action(
        actions,
        "list",
        "list loans, as the Loans window's lists",
        cmd_loan_list,
        numbered=False,
        changes=False,
    )
    list_.add_argument(
        "--section", choices=list(SECTIONS), default="all", help="which list (default: all)"
    )
    add_agency_option(list_, "loans this agency borrows or lends: name or short code")
    list_.add_argument("--site", help="loans of kit kept at this site")
    list_.add_argument("--limit", type=int, default=200, help="most loans to print (1–500)")


def _add_booking_arguments(
    group: argparse.ArgumentParser | argparse._ArgumentGroup, *, required: bool
) -> None:
    group.add_argument(
        "--borrower", required=required, metavar="AGENCY", help="the borrowing agency"
    )
    group.add_argument("--purpose", required=required, metavar="TEXT", help="what the kit is for")
    group.add_argument("--incident", default="", metavar="REF", help="incident or operation")
    group.add_argument(
        "--from",
        dest="starts",
        required=required,
        metavar="DATETIME",
        help="start" if required else "start (default: now)",
    )
    group.add_argument("--to", dest="due", required=required, metavar="DATETIME", help="due back")
    group.add_argument("--tag", action="append", metavar="TAG[:N]", help=TAG_HELP)
    group.add_argument("--quantity", type=int, metavar="N", help=QUANTITY_HELP)
    group.add_argument("--kit", metavar="NAME", help=KIT_HELP)
    group.add_argument(
        "--notes", default="", metavar="TEXT", help="anything else the lender should know"
    )


def _items_or_kit(args: argparse.Namespace) -> list[tuple[str, int | None]]:
    """A booking's ``--tag`` values (see ``_tag_quantities``), or none for ``--kit``; one
    of the two, not both."""
    parser: argparse.ArgumentParser = args.parser
    if args.kit is not None and (args.tag or args.quantity is not None):
        parser.error(
            "--kit asks for every member of the kit; leave out --tag and --quantity, or "
            "leave out --kit and name each item with --tag"
        )
    if args.kit is None and not args.tag:
        parser.error("name the kit wanted: --tag TAG for each item, or --kit NAME for a kit")
    return _tag_quantities(args)


def _tag_quantities(args: argparse.Namespace) -> list[tuple[str, int | None]]:
    """``--tag`` values as (tag, quantity or None), with ``--quantity`` applied to one tag."""
    parser: argparse.ArgumentParser = args.parser
    wanted: list[tuple[str, int | None]] = []
    for entry in args.tag or []:
        tag, colon, count = entry.partition(":")
        if not colon:
            wanted.append((tag, None))
            continue
        try:
            wanted.append((tag, int(count)))
        except ValueError:
            parser.error(
                f"--tag {entry}: after the colon give how many, e.g. --tag {tag or 'TAG'}:5"
            )
    if args.quantity is not None:
        if len(wanted) != 1 or wanted[0][1] is not None:
            parser.error(
                "--quantity goes with a single --tag; for several items write each one as "
                "TAG:N, e.g. --tag CFR-000250:20 --tag CFR-000255:1"
            )
        wanted = [(wanted[0][0], args.quantity)]
    return wanted


def loan_json(view: LoanView) -> dict[str, Any]:
    """A loan as ``--json`` prints it: plain values, times in ISO 8601 with their offset."""
    overdue = view.overdue_by
    return {
        "id": view.id,
        "status": view.status.value,
        "status_label": view.status_label,
        "borrower": view.borrower,
        "borrower_agency_id": view.borrower_agency_id,
        "lender": view.lender,
        "requested_by": view.requested_by or None,
        "approver": view.approver or None,
        "operator": view.operator or None,
        "purpose": view.purpose,
        "incident_ref": view.incident_ref or None,
        "is_emergency": view.is_emergency,
        "from": iso(view.starts_at),
        "to": iso(view.due_at),
        "booked_to": iso(view.booked_due_at),
        "recalled": view.recalled_at is not None,
        "recalled_at": iso(view.recalled_at),
        "recall_reason": view.recall_reason or None,
        "overdue": overdue is not None,
        "overdue_by": describe_duration(overdue) if overdue is not None else None,
        "overdue_minutes": int(overdue.total_seconds() // 60) if overdue is not None else None,
        "issued_at": iso(view.issued_at),
        "returned_at": iso(view.returned_at),
        "decision_reason": view.decision_reason or None,
        "protocol": view.protocol or None,
        "kit": view.kit or None,
        "mou": view.mou or None,
        "next_actions": list(view.actions),
        "notes": view.notes or None,
        "lines": [
            {
                "line_id": line.id,
                "tag": line.asset_tag,
                "name": line.item_name,
                "is_pooled": line.is_pooled,
                "quantity": line.quantity,
                "quantity_returned": line.quantity_returned,
                "quantity_out": line.quantity_out,
                "condition_out": line.condition_out or None,
                "condition_in": line.condition_in or None,
            }
            for line in view.lines
        ],
    }


def _period(view: LoanView) -> str:
    return f"{format_datetime(view.starts_at)} to {format_datetime(view.due_at)}"


def _report(args: argparse.Namespace, view: LoanView, said: str) -> int:
    if args.json:
        print_json(loan_json(view))
    else:
        print(said)
    return EXIT_OK


def _changed(
    url: str,
    args: argparse.Namespace,
    change: Callable[[Database, Actor], object],
    said: Callable[[LoanView], str],
) -> int:
    """Make ``change`` to loan ``args.id`` as the signed-in user, then say where that
    leaves the loan (or print it as JSON)."""
    from app.loans.views import get_loan

    with acting(url, args) as (db, actor):
        change(db, actor)
        view = get_loan(db, args.id)
    return _report(args, view, said(view))


def _line_drafts(db: Database, wanted: list[tuple[str, int | None]]) -> tuple[LineDraft, ...]:
    from app.catalogue.directory import find_item

    return tuple(
        LineDraft(item_id=find_item(db, tag).id, quantity=1 if quantity is None else quantity)
        for tag, quantity in wanted
    )


def _person_id(
    db: Database, text: str | None, *, prefer_agency_id: int | None = None
) -> int | None:
    from app.catalogue.directory import find_person

    if text is None:
        return None
    return find_person(db, text, prefer_agency_id=prefer_agency_id).id


def _draft(
    db: Database,
    args: argparse.Namespace,
    wanted: list[tuple[str, int | None]],
    *,
    borrower_id: int,
    requested_by_id: int | None,
    starts: datetime | None,
    due: datetime | None,
    emergency: bool,
) -> LoanDraft:
    """The booking the options describe, for a request or an emergency issue: the items
    ``--tag`` names, or every member of the ``--kit``."""
    from app.loans.drafts import LoanDraft

    if args.kit is not None:
        from app.kits.lending import kit_loan_draft
        from app.kits.service import find_kit

        return kit_loan_draft(
            find_kit(db, args.kit),
            borrower_agency_id=borrower_id,
            requested_by_id=requested_by_id,
            purpose=args.purpose,
            starts_at=starts,
            due_at=due,
            incident_ref=args.incident,
            is_emergency=emergency,
            notes=args.notes,
        )
    return LoanDraft(
        borrower_agency_id=borrower_id,
        requested_by_id=requested_by_id,
        purpose=args.purpose,
        starts_at=starts,
        due_at=due,
        lines=_line_drafts(db, wanted),
        incident_ref=args.incident,
        is_emergency=emergency,
        notes=args.notes,
    )


def _handover(db: Database, args: argparse.Namespace, borrower_id: int) -> Handover:
    """Who uses the kit, hands it over and takes it, as the options name them."""
    from app.catalogue.directory import find_person
    from app.loans.drafts import Handover

    return Handover(
        operator_id=find_person(db, args.operator, prefer_agency_id=borrower_id).id,
        handed_over_by_id=_person_id(db, args.handed_over_by),
        received_by_id=_person_id(db, args.received_by, prefer_agency_id=borrower_id),
    )


def cmd_loan_request(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_agency, find_person
    from app.loans.service import request_loan
    from app.loans.views import get_loan

    wanted = _items_or_kit(args)
    starts, due = when(args.starts, "start"), when(args.due, "due time")
    with acting(url, args) as (db, actor):
        borrower = find_agency(db, args.borrower)
        requester = find_person(db, args.requested_by, prefer_agency_id=borrower.id)
        draft = _draft(
            db,
            args,
            wanted,
            borrower_id=borrower.id,
            requested_by_id=requester.id,
            starts=starts,
            due=due,
            emergency=args.emergency,
        )
        view = get_loan(db, request_loan(db, draft, actor))
    waived = " (emergency: the notice period is waived)" if view.is_emergency else ""
    return _report(
        args,
        view,
        f"Loan {view.id} requested: {_kit_and_items(view)} for {view.borrower}, "
        f"{_period(view)}; awaiting approval{waived}.",
    )


def _no_approver_option(args: argparse.Namespace) -> None:
    if args.by is not None:
        parser: argparse.ArgumentParser = args.parser
        parser.error(
            "--by is gone: the person deciding is whoever signs in. Leave out --by and give "
            "--user with the lender's account, e.g. --user cambs-pol-kit"
        )


def cmd_loan_approve(url: str, args: argparse.Namespace) -> int:
    from app.loans.service import approve_loan

    _no_approver_option(args)
    return _changed(
        url,
        args,
        lambda db, actor: approve_loan(db, args.id, actor),
        lambda view: (
            f"Loan {view.id} approved by {view.approver}: {view.items_summary} for "
            f"{view.borrower}, {_period(view)}; ready to issue."
        ),
    )


def cmd_loan_decline(url: str, args: argparse.Namespace) -> int:
    from app.loans.service import decline_loan

    _no_approver_option(args)
    return _changed(
        url,
        args,
        lambda db, actor: decline_loan(db, args.id, args.reason, actor),
        lambda view: (
            f"Loan {view.id} declined by {view.approver}; the kit is free again. "
            f"Reason given: {sentence(view.decision_reason)}"
        ),
    )


def _kit_and_items(view: LoanView) -> str:
    """ "kit “Road closure kit” (CFR-000250, 20 × CFR-000255)", or the items alone."""
    return f"kit “{view.kit}” ({view.items_summary})" if view.kit else view.items_summary


EMERGENCY_ONLY = (
    "borrower",
    "purpose",
    "starts",
    "due",
    "tag",
    "quantity",
    "kit",
    "requested_by",
)


def cmd_loan_issue(url: str, args: argparse.Namespace) -> int:
    from app.loans.service import issue_loan
    from app.loans.views import get_loan

    parser: argparse.ArgumentParser = args.parser
    if args.emergency:
        return _emergency_issue(url, args)
    if args.id is None:
        parser.error(
            "give the number of the approved loan to issue, or --emergency with the kit, "
            "the borrower and the times to log kit straight out"
        )
    given = [name for name in EMERGENCY_ONLY if getattr(args, name)]
    if given or args.incident or args.notes:
        parser.error(
            "--tag, --kit, --borrower, --from, --to and the like describe an emergency issue; add "
            f"--emergency, or leave them out to issue approved loan {args.id}"
        )

    def issue(db: Database, actor: Actor) -> None:
        borrower_id = get_loan(db, args.id).borrower_agency_id
        issue_loan(db, args.id, _handover(db, args, borrower_id), actor)

    return _changed(
        url,
        args,
        issue,
        lambda view: (
            f"Loan {view.id} issued: {view.items_summary} to {view.borrower}, operated by "
            f"{view.operator}; due back {format_datetime(view.due_at)}."
        ),
    )


def _emergency_issue(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_agency
    from app.loans.outbox import issue_emergency
    from app.loans.views import get_loan

    parser: argparse.ArgumentParser = args.parser
    if args.id is not None:
        parser.error(
            "an emergency issue makes a new loan: leave out the loan number, or leave out "
            f"--emergency to issue approved loan {args.id}"
        )
    missing = [
        flag
        for flag, value in (
            ("--tag (or --kit)", args.tag or args.kit),
            ("--borrower", args.borrower),
            ("--to", args.due),
            ("--purpose", args.purpose),
        )
        if value is None
    ]
    if missing:
        parser.error(f"an emergency issue also needs {', '.join(missing)}")
    wanted = _items_or_kit(args)
    starts = when(args.starts, "start") if args.starts is not None else now_utc()
    due = when(args.due, "due time")
    with acting(url, args) as (db, actor):
        borrower = find_agency(db, args.borrower)
        draft = _draft(
            db,
            args,
            wanted,
            borrower_id=borrower.id,
            requested_by_id=_person_id(db, args.requested_by, prefer_agency_id=borrower.id),
            starts=starts,
            due=due,
            emergency=True,
        )
        handover = _handover(db, args, borrower.id)
        view = get_loan(db, issue_emergency(db, draft, handover, actor))
    return _report(
        args,
        view,
        f"Emergency loan {view.id} issued: {_kit_and_items(view)} to {view.borrower}, operated "
        f"by {view.operator}, from {format_datetime(view.starts_at)}; due back "
        f"{format_datetime(view.due_at)}.",
    )


def _line_for(view: LoanView, tag: str) -> LoanLineView:
    for line in view.lines:
        if line.asset_tag.casefold() == tag.strip().casefold():
            return line
    on_loan = ", ".join(line.asset_tag for line in view.lines) or "nothing"
    raise DomainError(f"{tag.strip()} is not on loan {view.id}, which has {on_loan}.")


def cmd_loan_return(url: str, args: argparse.Namespace) -> int:
    from app.loans.outbox import take_back
    from app.loans.views import get_loan

    parser: argparse.ArgumentParser = args.parser
    if args.severity is not None and args.defect is None:
        parser.error("--severity describes a defect: give the defect with --defect TEXT")
    wanted = _tag_quantities(args)
    with acting(url, args) as (db, actor):
        before = get_loan(db, args.id)
        returned_to_id = _person_id(db, args.received_by)
        lines = _line_returns(args, before, wanted)
        take_back(db, args.id, actor, lines=lines, returned_to_id=returned_to_id)
        view = get_loan(db, args.id)
    return _report(args, view, _return_sentence(before, view, args.defect, args.severity))


def _line_returns(
    args: argparse.Namespace, before: LoanView, wanted: list[tuple[str, int | None]]
) -> list[LineReturn] | None:
    """What comes back, line by line: the items ``--tag`` names, or everything still out
    when a condition or a defect is given; None to take back everything as it is."""
    from app.loans.drafts import LineReturn

    condition = Condition(args.condition) if args.condition else None
    lines: list[LineReturn] | None = None
    if wanted:
        lines = []
        for tag, quantity in wanted:
            line = _line_for(before, tag)
            back = line.quantity_out if quantity is None else quantity
            lines.append(LineReturn(line_id=line.id, quantity=back, condition=condition))
    elif condition is not None or args.defect is not None:
        lines = [
            LineReturn(line_id=line.id, quantity=line.quantity_out, condition=condition)
            for line in before.lines
            if line.quantity_out > 0
        ]
    if args.defect is None or not lines:
        return lines
    if len(lines) != 1:
        raise DomainError(
            f"Say which item has the defect: add --tag with its asset tag (loan "
            f"{before.id} has {before.items_summary})."
        )
    severity = DefectSeverity(args.severity or "major")
    return [replace(lines[0], defect=args.defect, defect_severity=severity)]


def _return_sentence(
    before: LoanView, after: LoanView, defect: str | None, severity: str | None
) -> str:
    earlier = {line.id: line.quantity_returned for line in before.lines}
    back = [
        (line, line.quantity_returned - earlier.get(line.id, 0))
        for line in after.lines
        if line.quantity_returned > earlier.get(line.id, 0)
    ]
    came_back = ", ".join(
        f"{count} × {line.asset_tag}" if line.is_pooled else line.asset_tag for line, count in back
    )
    if after.status is LoanStatus.RETURNED:
        said = f"Loan {after.id} returned in full: {came_back or 'nothing more'} back."
    else:
        still_out = ", ".join(
            f"{line.quantity_out} × {line.asset_tag}" if line.is_pooled else line.asset_tag
            for line in after.lines
            if line.quantity_out > 0
        )
        said = (
            f"Loan {after.id} partly returned: {came_back or 'nothing'} back; {still_out} "
            f"still out, due back {format_datetime(after.due_at)}."
        )
    if defect is not None:
        said += (
            f" The {severity or 'major'} defect is recorded; the item is out of service "
            "until it is cleared."
        )
    return said


def _due(args: argparse.Namespace) -> datetime:
    """The new due time, which the action's options require."""
    due = when(args.due, "due time")
    assert due is not None
    return due


def cmd_loan_extend(url: str, args: argparse.Namespace) -> int:
    from app.loans.service import extend_loan

    due = _due(args)
    return _changed(
        url,
        args,
        lambda db, actor: extend_loan(db, args.id, due, actor, reason=args.reason),
        lambda view: (
            f"Loan {view.id} extended: {view.items_summary} now due back "
            f"{format_datetime(view.due_at)}."
        ),
    )


def cmd_loan_cancel(url: str, args: argparse.Namespace) -> int:
    from app.loans.service import cancel_loan

    return _changed(
        url,
        args,
        lambda db, actor: cancel_loan(db, args.id, actor, reason=args.reason),
        lambda view: (
            f"Loan {view.id} cancelled: {view.items_summary}; the kit is free again for "
            f"{_period(view)}."
        ),
    )


def cmd_loan_recall(url: str, args: argparse.Namespace) -> int:
    from app.loans.service import recall_loan

    due = _due(args)
    return _changed(
        url,
        args,
        lambda db, actor: recall_loan(db, args.id, due, args.reason, actor),
        lambda view: (
            f"Loan {view.id} recalled: {view.borrower} must return {view.items_summary} by "
            f"{format_datetime(view.due_at)}. Reason: {sentence(view.recall_reason)}"
        ),
    )


def cmd_loan_show(url: str, args: argparse.Namespace) -> int:
    from app.loans.views import get_loan

    with opened(url, args) as db:
        view = get_loan(db, args.id)
    if args.json:
        print_json(loan_json(view))
        return EXIT_OK
    emergency = " (emergency)" if view.is_emergency else ""
    print(f"Loan {view.id}: {view.status_label}{emergency}")
    recall = ""
    if view.recalled_at is not None:
        recall = (
            f"{format_datetime(view.recalled_at)}: {view.recall_reason} (booked until "
            f"{format_datetime(view.booked_due_at)})"
        )
    fields = (
        ("Borrower", view.borrower),
        ("Lender", view.lender),
        ("Requested by", view.requested_by),
        ("Approver", view.approver),
        ("Operator", view.operator),
        ("Purpose", view.purpose),
        ("Incident", view.incident_ref),
        ("From", format_datetime(view.starts_at)),
        ("Due back", format_datetime(view.due_at)),
        ("Recalled", recall),
        ("Overdue by", describe_duration(view.overdue_by) if view.overdue_by else ""),
        ("Issued", format_datetime(view.issued_at)),
        ("Returned", format_datetime(view.returned_at)),
        ("Decision", view.decision_reason),
        ("Kit", view.kit),
        ("Protocol", f"{view.protocol} (MoU {view.mou})" if view.protocol else ""),
        ("Notes", view.notes),
        ("Next", ", ".join(view.actions)),
    )
    for label, value in fields:
        if value:
            print(f"  {label + ':':<14}{value}")
    print()
    print(f"  {'Tag':<12} {'Item':<44} {'Qty':>4} {'Back':>5} {'Out':>4}  Condition out/in")
    for line in view.lines:
        condition = " / ".join(c for c in (line.condition_out, line.condition_in) if c)
        print(
            f"  {line.asset_tag:<12} {line.item_name[:44]:<44} {line.quantity:>4} "
            f"{line.quantity_returned:>5} {line.quantity_out:>4}  {condition}"
        )
    return EXIT_OK


def cmd_loan_list(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_site
    from app.loans.views import list_loans, loan_counts

    check_limit(args.limit)
    section = SECTIONS[args.section]
    moment = now_utc()
    with opened(url, args) as db:
        agency_id = agency_id_named(db, args.agency)
        site_id = find_site(db, args.site).id if args.site is not None else None
        loans = list_loans(
            db, section, now=moment, agency_id=agency_id, site_id=site_id, limit=args.limit
        )
        total = loan_counts(db, now=moment, agency_id=agency_id, site_id=site_id)[section]
    if args.json:
        print_json([loan_json(view) for view in loans])
        return EXIT_OK
    where = f"“{section.value}”"
    if not loans:
        print(f"No loans in {where}.")
        return EXIT_OK
    print(f"{'ID':>5}  {'Status':<18} {'From':<16}  {'Due back':<16}  {'Borrower':<30} Items")
    for view in loans:
        status = view.status_label + (" (E)" if view.is_emergency else "")
        print(
            f"{view.id:>5}  {status[:18]:<18} {format_datetime(view.starts_at):<16}  "
            f"{format_datetime(view.due_at):<16}  {view.borrower[:30]:<30} "
            f"{view.items_summary[:60]}"
        )
    more = f"; showing the first {len(loans)} (use --limit for more)" if total > len(loans) else ""
    note = " (E): emergency." if any(view.is_emergency for view in loans) else ""
    print(f"{counted(total, 'loan')} in {where}{more}.{note}")
    return EXIT_OK


def cmd_loan_rules(_url: str, args: argparse.Namespace) -> int:
    """What can stop a loan: read from the loan rules' own list, no database needed."""
    from app.loans.stops import STOPS

    if args.json:
        print_json(
            [
                {
                    "rule": stop.rule,
                    "name": stop.name,
                    "why": stop.why,
                    "fix": stop.fix,
                    "stops": [step.value for step in stop.stops],
                }
                for stop in STOPS
            ]
        )
        return 0
    for stop in STOPS:
        steps = ", ".join(step.value for step in stop.stops)
        print(f"{stop.name} (stops: {steps})\n  {stop.why}\n  What to do: {stop.fix}")
    return 0
