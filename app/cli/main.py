"""``kitshare-admin``: the command line for administrators.

Every command ends with one clear sentence; a refused or failed action exits with
status 1 and changes nothing.

A command that changes data signs in first, as the window does: ``--user`` (or
``KITSHARE_USER``) names the account and the password comes from ``KITSHARE_PASSWORD``
or a prompt, so the audit trail names the person who ran it. Reading needs no sign-in.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from app.core.clock import (
    UK,
    format_date,
    format_datetime,
    now_utc,
    parse_uk_date,
    parse_uk_datetime,
    today_uk,
)
from app.core.errors import DomainError, KitShareError, NotFound, NotPermitted, Refusal, Refused
from app.core.permissions import with_article
from app.inspections.service import DUE_SOON_DAYS
from app.loans.service import (
    LineDraft,
    LoanLineView,
    LoanSection,
    LoanView,
    describe_duration,
)
from app.people.accounts import sign_in
from app.storage import schema
from app.storage.config import masked_url, resolve_database_url
from app.storage.database import Database, open_database, table_counts
from models import (
    AgencyKind,
    Condition,
    DefectSeverity,
    InspectionResult,
    ItemStatus,
    LoanStatus,
    Role,
)

if TYPE_CHECKING:
    from app.audit.record import Actor
    from app.catalogue.detail import ItemDetail
    from app.catalogue.directory import ItemRef
    from app.documents.content import LabelSheet, PrintedDocument
    from app.inspections.service import DefectView, InspectionDraft, WatchRow
    from app.people.accounts import UserRow

    Printable: TypeAlias = PrintedDocument | LabelSheet
    # Generic only to type checkers; subscripting it at run time fails.
    Subcommands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

EXIT_OK = 0
EXIT_REFUSED = 1

USER_ENV = "KITSHARE_USER"
PASSWORD_ENV = "KITSHARE_PASSWORD"
NEW_PASSWORD_ENV = "KITSHARE_NEW_PASSWORD"
USER_HELP = (
    f"the account to sign in as for a command that changes data (default: {USER_ENV}); "
    f"the password comes from {PASSWORD_ENV}, else it is asked for"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kitshare-admin",
        description="Administer a Kit Share database from the command line.",
        epilog=(
            "The database comes from --database, else the KITSHARE_DATABASE_URL "
            "environment variable, else the Kit Share file in your user data folder. "
            "Commands that change data sign in as --user (else KITSHARE_USER), with the "
            "password from KITSHARE_PASSWORD or typed when asked; reading needs no sign-in."
        ),
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="database URL, e.g. sqlite:///kitshare.db or postgresql://user:pw@host/kitshare",
    )
    parser.add_argument("--user", metavar="NAME", help=USER_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    migrate = commands.add_parser("migrate", help="upgrade the database to the newest schema")
    migrate.set_defaults(handler=cmd_migrate)
    seed = commands.add_parser(
        "seed-demo", help="load the Cambridgeshire demo data into an empty database"
    )
    seed.set_defaults(handler=cmd_seed_demo)
    info = commands.add_parser(
        "info", help="show the database URL, schema revision and rows per table"
    )
    info.set_defaults(handler=cmd_info)

    search = commands.add_parser("search", help="search the catalogue as the window does")
    search.add_argument("text", nargs="?", default="", help="words, a tag or a fragment of one")
    search.add_argument("--category", help="category name")
    search.add_argument("--agency", help="owning agency: name or short code")
    search.add_argument("--site", help="home site name")
    search.add_argument("--status", choices=[s.value for s in ItemStatus], help="item status")
    search.add_argument(
        "--available-from", metavar="DATETIME", help="free from (DD/MM/YYYY HH:MM, UK time)"
    )
    search.add_argument("--available-to", metavar="DATETIME", help="free until")
    search.add_argument(
        "--inspection-due-before",
        metavar="DATE",
        type=uk_date,
        help="only kit with an inspection due before this day (DD/MM/YYYY), or lapsed",
    )
    search.add_argument(
        "--quantity", type=int, default=1, help="how many must be free (pooled stock)"
    )
    search.add_argument("--limit", type=int, default=50, help="most rows to print (1–500)")
    search.add_argument("--json", action="store_true", help="print a JSON list")
    search.set_defaults(handler=cmd_search)

    _add_directory_commands(commands)
    _add_loan_commands(commands)
    _add_print_commands(commands)
    _add_user_commands(commands)
    _add_qualification_commands(commands)
    _add_inspection_commands(commands)
    # Issue 8's commands live in their own modules, which use this one's helpers.
    from app.cli import backup as cli_backup
    from app.cli import reports as cli_reports
    from app.cli import transfer as cli_transfer

    cli_transfer.add_commands(commands)
    cli_backup.add_commands(commands)
    cli_reports.add_commands(commands)
    return parser


def _when(text: str | None, what: str = "date and time") -> datetime | None:
    """An option's date and time, UK local unless it gives an offset (``BadDate`` if not)."""
    if text is None:
        return None
    return parse_uk_datetime(text, what)


def cmd_search(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.search import SearchFilters, search_items

    filters = SearchFilters(
        category=args.category,
        agency=args.agency,
        site=args.site,
        status=ItemStatus(args.status) if args.status else None,
        available_from=_when(args.available_from, "start of the period"),
        available_to=_when(args.available_to, "end of the period"),
        quantity=args.quantity,
        inspection_due_before=args.inspection_due_before,
    )
    if not 1 <= args.limit <= 500:
        raise DomainError("--limit must be between 1 and 500.")
    db = open_database(url)
    try:
        page = search_items(db, args.text, filters, limit=args.limit)
    finally:
        db.dispose()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": row.id,
                        "tag": row.asset_tag,
                        "name": row.name,
                        "category": row.category,
                        "agency": row.owner,
                        "agency_code": row.owner_code,
                        "site": row.home_site,
                        "status": row.status_code,
                        "quantity": row.quantity,
                        "available_quantity": row.available_quantity,
                    }
                    for row in page.rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return EXIT_OK
    if not page.rows:
        print("No items match.")
        return EXIT_OK
    for row in page.rows:
        free = f"{row.available_quantity}/{row.quantity} free" if row.is_pooled else row.status
        where = f"{row.owner_code:<10} {row.home_site[:28]:<28}"
        print(f"{row.asset_tag:<12} {row.name[:48]:<48} {where} {free}")
    shown = len(page.rows)
    more = f" (showing {shown}; use --limit for more)" if page.total > shown else ""
    print(f"{page.total} item{'s' if page.total != 1 else ''} found{more}.")
    return EXIT_OK


def cmd_migrate(url: str, args: argparse.Namespace) -> int:
    # Asking for the schema is asking for a database here: an empty file may become one.
    db = open_database(url, migrate=False, empty_file_ok=True)
    try:
        before = schema.current_revision(db.engine)
        head = schema.head_revision()
        if before == head:
            print(f"The database schema is already the newest ({head}).")
            return EXIT_OK
        schema.upgrade_to_head(url)
        print(f"Upgraded the database schema from {before or 'empty'} to {head}.")
        return EXIT_OK
    finally:
        db.dispose()


def cmd_seed_demo(url: str, args: argparse.Namespace) -> int:
    from app.demo.loader import load_demo

    db = open_database(url)
    try:
        load_demo(db)
        counts = table_counts(db)
        print(
            "Loaded the Cambridgeshire demo data: "
            f"{counts['equipment_items']} items, {counts['people']} people, "
            f"{counts['mous']} MoUs, {counts['loans']} loans."
        )
        return EXIT_OK
    finally:
        db.dispose()


def cmd_info(url: str, args: argparse.Namespace) -> int:
    db = open_database(url, migrate=False)
    try:
        revision = schema.current_revision(db.engine)
        head = schema.head_revision()
        print(f"Database:  {masked_url(url)}")
        print(f"Location:  {db.location}")
        if revision is None:
            print(f"Schema:    none yet (run `kitshare-admin migrate` to create schema {head})")
            return EXIT_OK
        note = "newest" if revision == head else f"run `kitshare-admin migrate` to reach {head}"
        print(f"Schema:    {revision} ({note})")
        print("Rows per table:")
        counts = table_counts(db)
        width = max(len(name) for name in counts)
        for name, count in counts.items():
            print(f"  {name:<{width}}  {count:>8}")
        return EXIT_OK
    finally:
        db.dispose()


# -- printing -------------------------------------------------------------------------------


def _add_print_commands(commands: Subcommands) -> None:
    terms = commands.add_parser(
        "print-terms", help="print an item's sharing terms (its MoU and protocol) to a PDF"
    )
    terms.add_argument("tag", help="the item's asset tag")
    terms.add_argument("--pdf", metavar="OUT", required=True, type=Path, help="the PDF to write")
    terms.set_defaults(handler=cmd_print_terms)
    form = commands.add_parser(
        "print-form", help="print a loan's hand-over and return form to a PDF"
    )
    form.add_argument("loan_id", type=record_number, metavar="LOAN_ID", help="the loan number")
    form.add_argument("--pdf", metavar="OUT", required=True, type=Path, help="the PDF to write")
    form.set_defaults(handler=cmd_print_form)
    labels = commands.add_parser(
        "labels", help="print asset labels with QR codes on A4 label sheets to a PDF"
    )
    labels.add_argument("tags", nargs="*", metavar="TAG", help="the items' asset tags")
    labels.add_argument("--all", action="store_true", help="every item that is not retired")
    labels.add_argument("--pdf", metavar="OUT", required=True, type=Path, help="the PDF to write")
    labels.set_defaults(handler=cmd_labels)


def _write_pdf(args: argparse.Namespace, source: Printable) -> int:
    writer: PdfWriter | None = args.pdf_writer
    if writer is None:
        raise DomainError(
            "This copy of the command line cannot print: run it as kitshare-admin, "
            "which brings Qt's page layout with it."
        )
    target: Path = args.pdf
    if target.suffix.lower() != ".pdf":
        raise DomainError(f"{target} does not end in .pdf; give the PDF file a name ending .pdf.")
    pages = writer(source, target)
    print(f"Wrote {target} ({pages} page{'s' if pages != 1 else ''}).")
    return EXIT_OK


def cmd_print_terms(url: str, args: argparse.Namespace) -> int:
    from app.documents.content import sharing_terms_for_tag

    with _opened(url) as db:
        document = sharing_terms_for_tag(db, args.tag)
    return _write_pdf(args, document)


def cmd_print_form(url: str, args: argparse.Namespace) -> int:
    from app.documents.content import handover_form

    with _opened(url) as db:
        document = handover_form(db, args.loan_id)
    return _write_pdf(args, document)


def cmd_labels(url: str, args: argparse.Namespace) -> int:
    from app.documents.content import all_label_item_ids, asset_labels, item_ids_for_tags

    if args.all == bool(args.tags):
        raise DomainError("Give the asset tags to print labels for, or --all, but not both.")
    with _opened(url) as db:
        ids = all_label_item_ids(db) if args.all else item_ids_for_tags(db, args.tags)
        sheet = asset_labels(db, ids)
    return _write_pdf(args, sheet)


# -- names: agencies, people, sites ------------------------------------------------------


def _add_directory_commands(commands: Subcommands) -> None:
    agencies = commands.add_parser("agencies", help="list the agencies and their short codes")
    agencies.add_argument("--json", action="store_true", help="print a JSON list")
    agencies.set_defaults(handler=cmd_agencies)
    people = commands.add_parser("people", help="list people with their staff numbers")
    people.add_argument("--agency", help="only this agency: name or short code")
    people.add_argument("--json", action="store_true", help="print a JSON list")
    people.set_defaults(handler=cmd_people)
    sites = commands.add_parser("sites", help="list stations and stores")
    sites.add_argument("--agency", help="only this agency: name or short code")
    sites.add_argument("--json", action="store_true", help="print a JSON list")
    sites.set_defaults(handler=cmd_sites)


@contextmanager
def _opened(url: str) -> Iterator[Database]:
    db = open_database(url)
    try:
        yield db
    finally:
        db.dispose()


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def cmd_agencies(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import list_agencies

    with _opened(url) as db:
        agencies = list_agencies(db)
    if args.json:
        _print_json([{"id": a.id, "code": a.code, "name": a.name} for a in agencies])
        return EXIT_OK
    for agency in agencies:
        print(f"{agency.code:<12} {agency.name}")
    print(f"{len(agencies)} agenc{'ies' if len(agencies) != 1 else 'y'}.")
    return EXIT_OK


def cmd_people(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_agency, list_people

    with _opened(url) as db:
        agency_id = find_agency(db, args.agency).id if args.agency is not None else None
        people = list_people(db, agency_id=agency_id)
    if args.json:
        _print_json(
            [
                {
                    "id": p.id,
                    "name": p.name,
                    "staff_number": p.staff_number,
                    "agency": p.agency,
                    "agency_code": p.agency_code,
                }
                for p in people
            ]
        )
        return EXIT_OK
    for person in people:
        print(f"{person.staff_number:<10} {person.name[:36]:<36} {person.agency_code}")
    print(f"{len(people)} {'person' if len(people) == 1 else 'people'}.")
    return EXIT_OK


def cmd_sites(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_agency, list_sites

    with _opened(url) as db:
        agency_id = find_agency(db, args.agency).id if args.agency is not None else None
        sites = list_sites(db, agency_id=agency_id)
    if args.json:
        _print_json([{"id": s.id, "name": s.name, "agency_code": s.agency_code} for s in sites])
        return EXIT_OK
    for site in sites:
        print(f"{site.agency_code:<12} {site.name}")
    print(f"{len(sites)} site{'s' if len(sites) != 1 else ''}.")
    return EXIT_OK


# -- signing in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """Whom a changing command signs in as; the password never shows in a repr."""

    username: str
    password: str = field(repr=False)


def _changes_data(parser: argparse.ArgumentParser) -> None:
    """Mark ``parser``'s command as one that signs in; ``--user`` may also follow it."""
    # SUPPRESS: left out here, the --user given before the command (or none) stands.
    parser.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS, help=USER_HELP)


def _interactive() -> bool:
    """Whether someone is at a terminal to type a password."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except ValueError:  # stdin closed
        return False


def _typed(prompt: str) -> str:
    """What is typed at ``prompt`` without echo; nothing if input ends (Ctrl+D)."""
    try:
        return getpass.getpass(prompt)
    except EOFError:
        return ""


def _credentials(args: argparse.Namespace) -> Credentials:
    """Who signs in for a changing command, and their password, before anything opens."""
    username = (args.user or os.environ.get(USER_ENV) or "").strip()
    if not username:
        command = getattr(args, "parser", None)
        what = f"`{command.prog}`" if command is not None else "This command"
        raise NotPermitted(
            f"{what} changes data, so it is done as a named user: give --user NAME (or set "
            f"{USER_ENV}), with the password in {PASSWORD_ENV} or typed when asked."
        )
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        if not _interactive():
            raise NotPermitted(
                f"No password for “{username}”: set {PASSWORD_ENV}, or run kitshare-admin "
                "in a terminal to type it."
            )
        password = _typed(f"Password for {username}: ")
        if not password:
            # Not tried: an empty answer should not count towards the lock-out.
            raise NotPermitted(f"No password typed for “{username}”; nothing was changed.")
    return Credentials(username, password)


@contextmanager
def _acting(url: str, args: argparse.Namespace) -> Iterator[tuple[Database, Actor]]:
    """The database, and the actor signed in as ``--user`` for the change about to be made."""
    credentials = _credentials(args)
    with _opened(url) as db:
        yield db, sign_in(db, credentials.username, credentials.password)


def _new_password(username: str) -> str:
    """A new password for ``username``: from ``KITSHARE_NEW_PASSWORD``, or typed twice."""
    password = os.environ.get(NEW_PASSWORD_ENV)
    if password:
        return password
    if not _interactive():
        raise DomainError(
            f"No new password for “{username}”: set {NEW_PASSWORD_ENV}, or run kitshare-admin "
            "in a terminal to type it."
        )
    first = _typed(f"New password for {username}: ")
    if first != _typed("Type the new password again: "):
        raise DomainError(
            "The two passwords typed are not the same, so nothing was changed. Run the "
            "command again and type the same password twice."
        )
    return first


# -- loans ----------------------------------------------------------------------------

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
items. With a single --tag, --quantity N is the same as TAG:N.

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
  kitshare-admin loan return 42 --tag CFR-000250 --quantity 12
  kitshare-admin loan list --section overdue --agency CAMBS-FRS
"""

TAG_HELP = "asset tag, or TAG:N for N of a pooled item; repeat for several items"
QUANTITY_HELP = "how many of the one pooled item given with --tag (same as TAG:N)"


def _add_loan_commands(commands: Subcommands) -> None:
    loan = commands.add_parser(
        "loan",
        help="request, approve, issue, return and list loans of kit",
        description="Log loans of kit between agencies, as the Loans window does.",
        epilog=LOAN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = loan.add_subparsers(dest="loan_command", metavar="ACTION", required=True)
    _add_booking_actions(actions)
    _add_issue_action(actions)
    _add_later_actions(actions)


def _loan_action(
    actions: Subcommands,
    name: str,
    summary: str,
    handler: Handler,
    *,
    numbered: bool = True,
    changes: bool = True,
) -> argparse.ArgumentParser:
    sub = actions.add_parser(
        name,
        help=summary,
        description=f"{summary[0].upper()}{summary[1:]}.",
        epilog=LOAN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if numbered:
        sub.add_argument("id", type=record_number, metavar="ID", help="the loan number")
    sub.add_argument(
        "--json", action="store_true", help="print the loan as JSON instead of a sentence"
    )
    if changes:
        _changes_data(sub)
    sub.set_defaults(handler=handler, parser=sub)
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
    list_.add_argument("--agency", help="loans this agency borrows or lends: name or short code")
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
    group.add_argument(
        "--tag", action="append", required=required, metavar="TAG[:N]", help=TAG_HELP
    )
    group.add_argument("--quantity", type=int, metavar="N", help=QUANTITY_HELP)
    group.add_argument(
        "--notes", default="", metavar="TEXT", help="anything else the lender should know"
    )


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


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UK).isoformat(timespec="seconds") if value is not None else None


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
        "from": _iso(view.starts_at),
        "to": _iso(view.due_at),
        "booked_to": _iso(view.booked_due_at),
        "recalled": view.recalled_at is not None,
        "recalled_at": _iso(view.recalled_at),
        "recall_reason": view.recall_reason or None,
        "overdue": overdue is not None,
        "overdue_by": describe_duration(overdue) if overdue is not None else None,
        "overdue_minutes": int(overdue.total_seconds() // 60) if overdue is not None else None,
        "issued_at": _iso(view.issued_at),
        "returned_at": _iso(view.returned_at),
        "decision_reason": view.decision_reason or None,
        "protocol": view.protocol or None,
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


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _period(view: LoanView) -> str:
    return f"{format_datetime(view.starts_at)} to {format_datetime(view.due_at)}"


def _report(args: argparse.Namespace, view: LoanView, sentence: str) -> int:
    if args.json:
        _print_json(loan_json(view))
    else:
        print(sentence)
    return EXIT_OK


def _line_drafts(db: Database, wanted: list[tuple[str, int | None]]) -> tuple[LineDraft, ...]:
    from app.catalogue.directory import find_item

    return tuple(
        LineDraft(item_id=find_item(db, tag).id, quantity=1 if quantity is None else quantity)
        for tag, quantity in wanted
    )


def cmd_loan_request(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_agency, find_person
    from app.loans.service import LoanDraft, get_loan, request_loan

    wanted = _tag_quantities(args)
    starts, due = _when(args.starts, "start"), _when(args.due, "due time")
    with _acting(url, args) as (db, actor):
        borrower = find_agency(db, args.borrower)
        requester = find_person(db, args.requested_by, prefer_agency_id=borrower.id)
        draft = LoanDraft(
            borrower_agency_id=borrower.id,
            requested_by_id=requester.id,
            purpose=args.purpose,
            starts_at=starts,
            due_at=due,
            lines=_line_drafts(db, wanted),
            incident_ref=args.incident,
            is_emergency=args.emergency,
            notes=args.notes,
        )
        view = get_loan(db, request_loan(db, draft, actor))
    waived = " (emergency: the notice period is waived)" if view.is_emergency else ""
    return _report(
        args,
        view,
        f"Loan {view.id} requested: {view.items_summary} for {view.borrower}, "
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
    from app.loans.service import approve_loan, get_loan

    _no_approver_option(args)
    with _acting(url, args) as (db, actor):
        approve_loan(db, args.id, actor)
        view = get_loan(db, args.id)
    return _report(
        args,
        view,
        f"Loan {view.id} approved by {view.approver}: {view.items_summary} for "
        f"{view.borrower}, {_period(view)}; ready to issue.",
    )


def cmd_loan_decline(url: str, args: argparse.Namespace) -> int:
    from app.loans.service import decline_loan, get_loan

    _no_approver_option(args)
    with _acting(url, args) as (db, actor):
        decline_loan(db, args.id, args.reason, actor)
        view = get_loan(db, args.id)
    return _report(
        args,
        view,
        f"Loan {view.id} declined by {view.approver}; the kit is free again. "
        f"Reason given: {_sentence(view.decision_reason)}",
    )


EMERGENCY_ONLY = ("borrower", "purpose", "starts", "due", "tag", "quantity", "requested_by")


def cmd_loan_issue(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_person
    from app.loans.service import Handover, get_loan, issue_loan

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
            "--tag, --borrower, --from, --to and the like describe an emergency issue; add "
            f"--emergency, or leave them out to issue approved loan {args.id}"
        )
    with _acting(url, args) as (db, actor):
        loan = get_loan(db, args.id)
        borrower_id = loan.borrower_agency_id
        handover = Handover(
            operator_id=find_person(db, args.operator, prefer_agency_id=borrower_id).id,
            handed_over_by_id=_person_id(db, args.handed_over_by),
            received_by_id=_person_id(db, args.received_by, prefer_agency_id=borrower_id),
        )
        issue_loan(db, args.id, handover, actor)
        view = get_loan(db, args.id)
    return _report(
        args,
        view,
        f"Loan {view.id} issued: {view.items_summary} to {view.borrower}, operated by "
        f"{view.operator}; due back {format_datetime(view.due_at)}.",
    )


def _person_id(
    db: Database, text: str | None, *, prefer_agency_id: int | None = None
) -> int | None:
    from app.catalogue.directory import find_person

    if text is None:
        return None
    return find_person(db, text, prefer_agency_id=prefer_agency_id).id


def _emergency_issue(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_agency, find_person
    from app.loans.service import Handover, LoanDraft, emergency_issue, get_loan

    parser: argparse.ArgumentParser = args.parser
    if args.id is not None:
        parser.error(
            "an emergency issue makes a new loan: leave out the loan number, or leave out "
            f"--emergency to issue approved loan {args.id}"
        )
    missing = [
        flag
        for flag, value in (
            ("--tag", args.tag),
            ("--borrower", args.borrower),
            ("--to", args.due),
            ("--purpose", args.purpose),
        )
        if value is None
    ]
    if missing:
        parser.error(f"an emergency issue also needs {', '.join(missing)}")
    wanted = _tag_quantities(args)
    starts = _when(args.starts, "start") if args.starts is not None else now_utc()
    due = _when(args.due, "due time")
    with _acting(url, args) as (db, actor):
        borrower = find_agency(db, args.borrower)
        draft = LoanDraft(
            borrower_agency_id=borrower.id,
            requested_by_id=_person_id(db, args.requested_by, prefer_agency_id=borrower.id),
            purpose=args.purpose,
            starts_at=starts,
            due_at=due,
            lines=_line_drafts(db, wanted),
            incident_ref=args.incident,
            is_emergency=True,
            notes=args.notes,
        )
        handover = Handover(
            operator_id=find_person(db, args.operator, prefer_agency_id=borrower.id).id,
            handed_over_by_id=_person_id(db, args.handed_over_by),
            received_by_id=_person_id(db, args.received_by, prefer_agency_id=borrower.id),
        )
        view = get_loan(db, emergency_issue(db, draft, handover, actor))
    return _report(
        args,
        view,
        f"Emergency loan {view.id} issued: {view.items_summary} to {view.borrower}, operated "
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
    from app.loans.service import LineReturn, get_loan, return_loan

    parser: argparse.ArgumentParser = args.parser
    if args.severity is not None and args.defect is None:
        parser.error("--severity describes a defect: give the defect with --defect TEXT")
    condition = Condition(args.condition) if args.condition else None
    wanted = _tag_quantities(args)
    with _acting(url, args) as (db, actor):
        before = get_loan(db, args.id)
        returned_to_id = _person_id(db, args.received_by)
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
        if args.defect is not None and lines:
            if len(lines) != 1:
                raise DomainError(
                    f"Say which item has the defect: add --tag with its asset tag (loan "
                    f"{before.id} has {before.items_summary})."
                )
            lines = [
                replace(
                    lines[0],
                    defect=args.defect,
                    defect_severity=DefectSeverity(args.severity or "major"),
                )
            ]
        return_loan(db, args.id, actor, lines=lines, returned_to_id=returned_to_id)
        view = get_loan(db, args.id)
    return _report(args, view, _return_sentence(before, view, args.defect, args.severity))


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
        sentence = f"Loan {after.id} returned in full: {came_back or 'nothing more'} back."
    else:
        still_out = ", ".join(
            f"{line.quantity_out} × {line.asset_tag}" if line.is_pooled else line.asset_tag
            for line in after.lines
            if line.quantity_out > 0
        )
        sentence = (
            f"Loan {after.id} partly returned: {came_back or 'nothing'} back; {still_out} "
            f"still out, due back {format_datetime(after.due_at)}."
        )
    if defect is not None:
        sentence += (
            f" The {severity or 'major'} defect is recorded; the item is out of service "
            "until it is cleared."
        )
    return sentence


def cmd_loan_extend(url: str, args: argparse.Namespace) -> int:
    from app.loans.service import extend_loan, get_loan

    due = _when(args.due, "due time")
    assert due is not None
    with _acting(url, args) as (db, actor):
        extend_loan(db, args.id, due, actor, reason=args.reason)
        view = get_loan(db, args.id)
    return _report(
        args,
        view,
        f"Loan {view.id} extended: {view.items_summary} now due back "
        f"{format_datetime(view.due_at)}.",
    )


def cmd_loan_cancel(url: str, args: argparse.Namespace) -> int:
    from app.loans.service import cancel_loan, get_loan

    with _acting(url, args) as (db, actor):
        cancel_loan(db, args.id, actor, reason=args.reason)
        view = get_loan(db, args.id)
    return _report(
        args,
        view,
        f"Loan {view.id} cancelled: {view.items_summary}; the kit is free again for "
        f"{_period(view)}.",
    )


def cmd_loan_recall(url: str, args: argparse.Namespace) -> int:
    from app.loans.service import get_loan, recall_loan

    due = _when(args.due, "due time")
    assert due is not None
    with _acting(url, args) as (db, actor):
        recall_loan(db, args.id, due, args.reason, actor)
        view = get_loan(db, args.id)
    return _report(
        args,
        view,
        f"Loan {view.id} recalled: {view.borrower} must return {view.items_summary} by "
        f"{format_datetime(view.due_at)}. Reason: {_sentence(view.recall_reason)}",
    )


def cmd_loan_show(url: str, args: argparse.Namespace) -> int:
    from app.loans.service import get_loan

    with _opened(url) as db:
        view = get_loan(db, args.id)
    if args.json:
        _print_json(loan_json(view))
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
    from app.catalogue.directory import find_agency, find_site
    from app.loans.service import list_loans, loan_counts

    if not 1 <= args.limit <= 500:
        raise DomainError("--limit must be between 1 and 500.")
    section = SECTIONS[args.section]
    moment = now_utc()
    with _opened(url) as db:
        agency_id = find_agency(db, args.agency).id if args.agency is not None else None
        site_id = find_site(db, args.site).id if args.site is not None else None
        loans = list_loans(
            db, section, now=moment, agency_id=agency_id, site_id=site_id, limit=args.limit
        )
        total = loan_counts(db, now=moment, agency_id=agency_id, site_id=site_id)[section]
    if args.json:
        _print_json([loan_json(view) for view in loans])
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
    print(f"{total} loan{'s' if total != 1 else ''} in {where}{more}.{note}")
    return EXIT_OK


# -- user accounts -------------------------------------------------------------------------

ROLE_CHOICES = ", ".join(role.value for role in Role)

USER_EPILOG = f"""\
Roles: {ROLE_CHOICES}; any case, with spaces or underscores ("equipment manager").

Signing in: add, set-role, reset-password, disable and enable are for administrators:
--user NAME (else KITSHARE_USER), with the password in KITSHARE_PASSWORD or typed when
asked. A new password comes from KITSHARE_NEW_PASSWORD, else it is typed twice.

The first account: on a database with no users yet, `user add` makes the first
administrator without signing in. Name an agency already there with --agency, or make it
with --agency-code, --agency-name and --agency-kind; name the person with --person if
they are listed in People, else with --given-name, --family-name and --staff-number.

Examples:
  kitshare-admin user add admin --role administrator --given-name Claire \\
      --family-name Ashworth --staff-number PS60218 --agency-code CAMBS-POL \\
      --agency-name "Cambridgeshire Constabulary" --agency-kind police
  kitshare-admin --user admin user add d.okafor --person 2391 --role "duty officer"
  kitshare-admin --user admin user set-role d.okafor equipment_manager
  kitshare-admin user list --json
"""

FIRST_ONLY = ("given_name", "family_name", "staff_number", "agency_code", "agency_name")


def role_named(text: str) -> Role:
    """The role ``text`` names: "Equipment manager", "equipment_manager", "ADMINISTRATOR"."""
    key = re.sub(r"[\s_-]+", "_", text.strip().lower())
    for role in Role:
        if role.value == key:
            return role
    raise argparse.ArgumentTypeError(f"“{text}” is not a role: give one of {ROLE_CHOICES}")


def _add_user_commands(commands: Subcommands) -> None:
    user = commands.add_parser(
        "user",
        help="add and list user accounts, change their roles, reset passwords, disable them",
        description="Keep the accounts people sign in with, and their roles.",
        epilog=USER_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)

    def action(
        name: str, summary: str, handler: Handler, *, changes: bool = True
    ) -> argparse.ArgumentParser:
        sub = actions.add_parser(
            name,
            help=summary,
            description=f"{summary[0].upper()}{summary[1:]}.",
            epilog=USER_EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if changes:
            sub.add_argument("username", metavar="USERNAME", help="the account's user name")
            _changes_data(sub)
        sub.set_defaults(handler=handler, parser=sub)
        return sub

    add = action("add", "add an account for someone listed in People", cmd_user_add)
    add.add_argument("--person", metavar="PERSON", help="who it is for: name or staff number")
    add.add_argument(
        "--agency", metavar="AGENCY", help="the person's agency, when the name is not enough"
    )
    add.add_argument(
        "--role", required=True, type=role_named, metavar="ROLE", help=f"one of {ROLE_CHOICES}"
    )
    first = add.add_argument_group(
        "the first administrator", "only on a database with no users yet; no sign-in needed"
    )
    first.add_argument("--given-name", metavar="NAME", help="their given name")
    first.add_argument("--family-name", metavar="NAME", help="their family name")
    first.add_argument("--staff-number", metavar="NUMBER", help="their collar or staff number")
    first.add_argument(
        "--agency-code", metavar="CODE", help="short code of a new agency, e.g. CAMBS-FRS"
    )
    first.add_argument("--agency-name", metavar="NAME", help="name of the new agency")
    first.add_argument(
        "--agency-kind",
        choices=[kind.value for kind in AgencyKind],
        default=AgencyKind.OTHER.value,
        help="what the new agency is (default: other)",
    )

    list_ = action("list", "list every account", cmd_user_list, changes=False)
    list_.add_argument("--json", action="store_true", help="print a JSON list")

    set_role = action("set-role", "give an account another role", cmd_user_set_role)
    set_role.add_argument("role", type=role_named, metavar="ROLE", help=f"one of {ROLE_CHOICES}")
    action(
        "reset-password",
        "give an account a new password; this also ends a lock-out",
        cmd_user_reset_password,
    )
    action("disable", "stop an account signing in", cmd_user_disable)
    action("enable", "let a disabled account sign in again", cmd_user_enable)


def _administrator(db: Database, args: argparse.Namespace) -> Actor:
    """Signed in as ``--user``, refused at once unless they may manage users."""
    from app.core.permissions import Action, require

    credentials = _credentials(args)
    actor = sign_in(db, credentials.username, credentials.password)
    # Now, before asking for a new password that would not be used.
    require(actor, Action.MANAGE_USERS)
    return actor


@contextmanager
def _administering(url: str, args: argparse.Namespace) -> Iterator[tuple[Database, Actor]]:
    with _opened(url) as db:
        yield db, _administrator(db, args)


def _account(row: UserRow) -> str:
    return f"“{row.username}” ({row.person_name}, {row.agency_code})"


# The option that fills each field the first administrator's checks point at.
FIRST_FIELDS = {
    "agency": "--agency",
    "agency_code": "--agency-code",
    "agency_name": "--agency-name",
    "given_name": "--given-name",
    "family_name": "--family-name",
    "staff_number": "--staff-number",
}


def _refuse_before_the_password(
    problems: list[Refusal], options: dict[str, str] | None = None
) -> None:
    """Refuse what is wrong besides the password, before anyone is asked to type one;
    a problem with a field in ``options`` names the option to give."""
    from app.people.accounts import AccountRefused

    early = _naming_options([p for p in problems if p.rule != "password"], options or {})
    if early:
        raise AccountRefused(early)


def _naming_options(problems: Sequence[Refusal], options: dict[str, str]) -> list[Refusal]:
    """``problems``, each blamed on a field in ``options`` saying which option to give."""
    named = []
    for problem in problems:
        option = options.get(problem.field or "")
        said = f"{problem.message.rstrip('.')} ({option})." if option else problem.message
        named.append(replace(problem, message=said))
    return named


def cmd_user_add(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_agency, find_person
    from app.people.accounts import UserDraft, check_user, create_user, find_user, has_users

    with _opened(url) as db:
        if not has_users(db):
            return _first_administrator(db, args)
        given = [f"--{name.replace('_', '-')}" for name in FIRST_ONLY if getattr(args, name)]
        if given:
            raise DomainError(
                f"This database already has users, so {', '.join(given)} (for the first "
                "administrator only) cannot be used: add the person in People, then name "
                "them with --person."
            )
        if args.person is None:
            raise DomainError(
                "Say who the account is for with --person NAME OR STAFF NUMBER; "
                "`kitshare-admin people` lists everyone."
            )
        actor = _administrator(db, args)
        agency = find_agency(db, args.agency) if args.agency is not None else None
        person = find_person(db, args.person, prefer_agency_id=agency.id if agency else None)
        if agency is not None and person.agency_id != agency.id:
            raise DomainError(f"{person.label} works for {person.agency}, not {agency.name}.")
        draft = UserDraft(username=args.username, person_id=person.id, role=args.role, password="")
        _refuse_before_the_password(check_user(db, draft))
        draft = replace(draft, password=_new_password(args.username.strip().lower()))
        create_user(db, draft, actor)
        row = find_user(db, args.username)
    print(f"Added the account {_account(row)}, {with_article(row.role)}; it can sign in now.")
    return EXIT_OK


def _first_administrator(db: Database, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_agency, find_person
    from app.people.accounts import (
        FirstAdministrator,
        check_first_administrator,
        create_first_administrator,
    )

    if args.role is not Role.ADMINISTRATOR:
        raise DomainError(
            "This database has no users yet, and its first account must be an administrator, "
            "who then adds everyone else: give --role administrator."
        )
    agency = find_agency(db, args.agency) if args.agency is not None else None
    draft = FirstAdministrator(
        given_name=args.given_name or "",
        family_name=args.family_name or "",
        staff_number=args.staff_number or "",
        username=args.username,
        password="",
        agency_id=agency.id if agency is not None else None,
        agency_code=args.agency_code or "",
        agency_name=args.agency_name or "",
        agency_kind=AgencyKind(args.agency_kind),
    )
    if args.person is not None:
        # Someone already listed (a database from before accounts): their record is kept,
        # found again by agency and staff number; the names only fill the form.
        person = find_person(db, args.person, prefer_agency_id=draft.agency_id)
        given, _, family = person.name.partition(" ")
        draft = replace(
            draft,
            given_name=given,
            family_name=family or given,
            staff_number=person.staff_number,
            agency_id=person.agency_id,
        )
    _refuse_before_the_password(check_first_administrator(db, draft), FIRST_FIELDS)
    draft = replace(draft, password=_new_password(args.username.strip().lower()))
    actor = create_first_administrator(db, draft)
    print(
        f"Made {actor.name} the first administrator. Sign in with --user {actor.username} "
        "to add everyone else."
    )
    return EXIT_OK


def _locked_until(row: UserRow, now: datetime) -> datetime | None:
    return row.locked_until if row.locked_until is not None and row.locked_until > now else None


def cmd_user_list(url: str, args: argparse.Namespace) -> int:
    from app.people.accounts import list_users

    with _opened(url) as db:
        rows = list_users(db)
    now = now_utc()
    if args.json:
        _print_json(
            [
                {
                    "id": row.id,
                    "username": row.username,
                    "person": row.person_name,
                    "staff_number": row.staff_number,
                    "agency": row.agency,
                    "agency_code": row.agency_code,
                    "role": row.role.value,
                    "role_words": row.role_words,
                    "active": row.is_active,
                    "locked_until": _iso(_locked_until(row, now)),
                    "last_signed_in": _iso(row.last_signed_in_at),
                }
                for row in rows
            ]
        )
        return EXIT_OK
    if not rows:
        print(
            "No accounts yet. Make the first administrator with `kitshare-admin user add NAME "
            "--role administrator …` (see `kitshare-admin user add --help`)."
        )
        return EXIT_OK
    print(
        f"{'Username':<20} {'Person':<26} {'Agency':<10} {'Role':<18} {'Status':<9} "
        f"{'Locked until':<16}  Last signed in"
    )
    for row in rows:
        print(
            f"{row.username[:20]:<20} {row.person_name[:26]:<26} {row.agency_code[:10]:<10} "
            f"{row.role_words:<18} {'active' if row.is_active else 'disabled':<9} "
            f"{format_datetime(_locked_until(row, now)):<16}  "
            f"{format_datetime(row.last_signed_in_at) or 'never'}"
        )
    print(f"{len(rows)} account{'s' if len(rows) != 1 else ''}.")
    return EXIT_OK


def cmd_user_set_role(url: str, args: argparse.Namespace) -> int:
    from app.people.accounts import find_user, set_role

    role: Role = args.role
    with _administering(url, args) as (db, actor):
        row = find_user(db, args.username)
        if row.role is role:
            print(f"{_account(row)} is already {with_article(role)}; nothing changed.")
            return EXIT_OK
        set_role(db, row.id, role, actor)
    print(f"{_account(row)} is now {with_article(role)}, no longer {with_article(row.role)}.")
    return EXIT_OK


def cmd_user_reset_password(url: str, args: argparse.Namespace) -> int:
    from app.people.accounts import find_user, reset_password

    with _administering(url, args) as (db, actor):
        row = find_user(db, args.username)
        reset_password(db, row.id, _new_password(row.username), actor)
    print(f"Set a new password for {_account(row)}; any lock-out is over.")
    return EXIT_OK


def _set_active(url: str, args: argparse.Namespace, *, active: bool) -> int:
    from app.people.accounts import find_user, set_active

    state = "enabled" if active else "disabled"
    with _administering(url, args) as (db, actor):
        row = find_user(db, args.username)
        if row.is_active is active:
            print(f"{_account(row)} is already {state}; nothing changed.")
            return EXIT_OK
        set_active(db, row.id, active, actor)
    can = "can sign in again" if active else "can no longer sign in"
    print(f"{_account(row)} is {state}: the account {can}.")
    return EXIT_OK


def cmd_user_disable(url: str, args: argparse.Namespace) -> int:
    return _set_active(url, args, active=False)


def cmd_user_enable(url: str, args: argparse.Namespace) -> int:
    return _set_active(url, args, active=True)


# -- qualifications ----------------------------------------------------------------------


def _add_qualification_commands(commands: Subcommands) -> None:
    qualifications = commands.add_parser(
        "qualifications",
        help="list qualifications that expire soon, to book renewals in time",
        description=(
            "List people's qualifications that expire from today to --days ahead, soonest "
            "first; one already renewed is left out."
        ),
    )
    qualifications.add_argument(
        "--expiring", action="store_true", help="those expiring soon (the one list so far)"
    )
    qualifications.add_argument(
        "--days", type=int, default=30, metavar="N", help="how far ahead to look (default: 30)"
    )
    qualifications.add_argument("--agency", help="only this agency's people: name or short code")
    qualifications.add_argument("--json", action="store_true", help="print a JSON list")
    qualifications.set_defaults(handler=cmd_qualifications, parser=qualifications)


def cmd_qualifications(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_agency
    from app.people.records import expiring_qualifications

    if not args.expiring:
        parser: argparse.ArgumentParser = args.parser
        parser.error("say which qualifications: --expiring lists those expiring soon")
    with _opened(url) as db:
        agency = find_agency(db, args.agency) if args.agency is not None else None
        rows = expiring_qualifications(
            db, days=args.days, agency_id=agency.id if agency is not None else None
        )
    if args.json:
        _print_json(
            [
                {
                    "qualification_id": row.qualification_id,
                    "person": row.person,
                    "staff_number": row.staff_number,
                    "agency": row.agency,
                    "agency_code": row.agency_code,
                    "qualification": row.qualification,
                    "expires_on": row.expires_on.isoformat(),
                    "days_left": row.days_left,
                }
                for row in rows
            ]
        )
        return EXIT_OK
    ahead = _ahead(args.days)
    whose = f" for {agency.name}" if agency is not None else ""
    if not rows:
        print(f"No qualifications expire {ahead}{whose}.")
        return EXIT_OK
    print(
        f"{'Expires on':<10}  {'Person':<26} {'Staff no.':<10} {'Agency':<10} "
        f"{'Qualification':<34}  When"
    )
    for row in rows:
        print(
            f"{format_date(row.expires_on):<10}  {row.person[:26]:<26} "
            f"{row.staff_number[:10]:<10} {row.agency_code[:10]:<10} "
            f"{row.qualification[:34]:<34}  {row.when_text}"
        )
    count = f"{len(rows)} qualification{'s' if len(rows) != 1 else ''}"
    print(f"{count} expire{'s' if len(rows) == 1 else ''} {ahead}{whose}.")
    return EXIT_OK


# -- inspections and defects ---------------------------------------------------------------

INSPECTION_EPILOG = f"""\
Items: an item by its asset tag, in any case (CFR-000203). A regime by a unique start or
part of its name, in any case (--regime loler); `kitshare-admin regimes` lists them.

Dates: DD/MM/YYYY, e.g. 21/11/2026. An inspection is in date up to and including its
due day; "due" looks --days ahead (default: {DUE_SOON_DAYS}).

Signing in: inspect and defect report and clear change data, so they are done as a named
user whose name goes in the audit trail: --user NAME (before or after the action; else
KITSHARE_USER), with the password in KITSHARE_PASSWORD or typed when asked. Inspections
are recorded, and defects cleared, by an equipment manager of the agency that owns the
kit (or an administrator); anyone signed in may report a defect. Reading needs no sign-in.

Severities: minor is noted and the kit can still go out; major stops a hand-over until
it is cleared; unsafe puts the kit out of service until it is cleared.

Exit status: 0 done; 1 refused or not found (the reason is on stderr; nothing changed);
2 the command line itself is wrong.

Examples:
  kitshare-admin inspections due --days 14 --agency cambs-frs
  kitshare-admin --user manager inspect CFR-000203 --result pass --date 20/11/2026 \\
      --certificate UAS/CFR-000203/20261120
  kitshare-admin --user manager inspect CFR-000221 --regime outboard --result fail \\
      --inspector "Mercury Marine dealer, St Ives" --defect "Cooling water tell-tale dry"
  kitshare-admin --user duty defect report CFR-000230 --severity major \\
      --description "Stabiliser leg jack seized"
  kitshare-admin --user manager defect clear 7 --note "New jack fitted and load-tested"
  kitshare-admin defect list CFR-000233 --all --json
"""

RESULT_CHOICES = [result.value.replace("_", "-") for result in InspectionResult]
SEVERITY_CHOICES = [severity.value for severity in DefectSeverity]

# The option that fills each field an inspection's or a defect's checks point at.
INSPECTION_OPTIONS = {
    "regime": "--regime",
    "inspected_on": "--date",
    "inspector": "--inspector or --inspector-staff",
    "result": "--result",
    "notes": "--notes",
    "certificate_ref": "--certificate",
    "next_due_on": "--next-due",
    "defect": "--defect",
    "clears": "--clears",
}
DEFECT_OPTIONS = {
    "description": "--description",
    "severity": "--severity",
    "loan": "--loan",
    "note": "--note",
}


# Record numbers are the databases' INTEGER ids: anything larger names no record, and
# would overflow the query that looks for it.
LARGEST_RECORD_NUMBER = 2_147_483_647


def record_number(text: str) -> int:
    """A loan's or defect's number, for an argument; anything else is a usage error."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= LARGEST_RECORD_NUMBER:
        raise argparse.ArgumentTypeError(
            f"“{text}” is not a record number: give the number Kit Share shows, e.g. 12"
        )
    return number


def uk_date(text: str) -> date:
    """A day typed as DD/MM/YYYY, for an option; anything else is a usage error."""
    try:
        day = parse_uk_date(text)
    except DomainError as error:
        raise argparse.ArgumentTypeError(error.message) from None
    if day is None:
        raise argparse.ArgumentTypeError("give a date as DD/MM/YYYY, e.g. 21/11/2026")
    return day


def _add_inspection_commands(commands: Subcommands) -> None:
    def command(
        parent: Subcommands, name: str, summary: str, handler: Handler, *, changes: bool
    ) -> argparse.ArgumentParser:
        sub = parent.add_parser(
            name,
            help=summary,
            description=f"{summary[0].upper()}{summary[1:]}.",
            epilog=INSPECTION_EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if changes:
            _changes_data(sub)
        sub.set_defaults(handler=handler, parser=sub)
        return sub

    inspections = commands.add_parser(
        "inspections",
        help="list kit whose inspection is overdue or due soon, and kit out of service",
        description="What needs inspecting, as the Inspections view shows it.",
        epilog=INSPECTION_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    lists = inspections.add_subparsers(dest="inspections_command", metavar="ACTION", required=True)
    due = command(
        lists,
        "due",
        "list kit overdue (never inspected or failed too), due in the next --days, and out "
        "of service",
        cmd_inspections_due,
        changes=False,
    )
    due.add_argument(
        "--days",
        type=int,
        default=DUE_SOON_DAYS,
        metavar="N",
        help=f"how far ahead to look (default: {DUE_SOON_DAYS})",
    )
    due.add_argument("--agency", help="only this agency's kit: name or short code")
    due.add_argument("--json", action="store_true", help="print JSON, with ISO 8601 dates")

    inspect = command(
        commands,
        "inspect",
        "record an inspection of an item: a pass, a pass with advisories or a fail",
        cmd_inspect,
        changes=True,
    )
    inspect.add_argument("tag", metavar="TAG", help="the item's asset tag")
    inspect.add_argument("--result", required=True, choices=RESULT_CHOICES, help="how it went")
    inspect.add_argument(
        "--date", type=uk_date, metavar="DD/MM/YYYY", help="when it was done (default: today)"
    )
    inspect.add_argument(
        "--regime",
        metavar="NAME",
        help="which inspection, when more than one regime covers the item",
    )
    who = inspect.add_mutually_exclusive_group()
    who.add_argument(
        "--inspector",
        metavar="NAME",
        help="the competent person or firm who did it (default: you, signed in)",
    )
    who.add_argument(
        "--inspector-staff",
        metavar="STAFF_NUMBER",
        help="who did it, someone listed in People: staff number or full name",
    )
    inspect.add_argument("--notes", default="", metavar="TEXT", help="advisories and findings")
    inspect.add_argument(
        "--certificate", default="", metavar="REF", help="the certificate or report reference"
    )
    inspect.add_argument(
        "--next-due",
        type=uk_date,
        metavar="DD/MM/YYYY",
        help="due again sooner than the regime's interval gives (a pass only)",
    )
    inspect.add_argument(
        "--clears",
        nargs="+",
        type=record_number,
        default=[],
        metavar="DEFECT_ID",
        help="open defects of the item that this pass shows were put right",
    )
    failed = inspect.add_argument_group("a fail", "a failed inspection opens a defect")
    failed.add_argument("--defect", metavar="TEXT", help="what is wrong")
    failed.add_argument(
        "--severity",
        choices=SEVERITY_CHOICES,
        help="how bad the defect is (default: unsafe, which puts the kit out of service)",
    )

    defect = commands.add_parser(
        "defect",
        help="report, clear and list defects on kit",
        description="Report defects found on kit, clear them once put right, and list them.",
        epilog=INSPECTION_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = defect.add_subparsers(dest="defect_command", metavar="ACTION", required=True)
    report = command(
        actions, "report", "report a defect found on an item", cmd_defect_report, changes=True
    )
    report.add_argument("tag", metavar="TAG", help="the item's asset tag")
    report.add_argument("--severity", required=True, choices=SEVERITY_CHOICES, help="how bad it is")
    report.add_argument("--description", required=True, metavar="TEXT", help="what is wrong")
    report.add_argument("--loan", type=record_number, metavar="ID", help="the loan it was found on")
    clear = command(
        actions,
        "clear",
        "clear an open defect with what was done to put it right",
        cmd_defect_clear,
        changes=True,
    )
    clear.add_argument(
        "id", type=record_number, metavar="ID", help="the defect number (see defect list)"
    )
    clear.add_argument(
        "--note", default="", metavar="TEXT", help="what was done to put it right (needed)"
    )
    list_ = command(
        actions,
        "list",
        "list open defects, of all kit or of one item",
        cmd_defect_list,
        changes=False,
    )
    list_.add_argument("tag", nargs="?", metavar="TAG", help="only this item's defects")
    list_.add_argument("--all", action="store_true", help="cleared defects too")
    list_.add_argument("--json", action="store_true", help="print a JSON list")

    regimes = command(
        commands,
        "regimes",
        "list the inspection regimes: what each covers, and how often",
        cmd_regimes,
        changes=False,
    )
    regimes.add_argument("--json", action="store_true", help="print a JSON list")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _item_label(item: ItemRef) -> str:
    return f"{item.asset_tag} “{item.name}”"


def _item_status(db: Database, item_id: int) -> str:
    """The item's status as the item panel says it: "Available", "Out of service"…"""
    from app.catalogue.detail import item_detail

    return item_detail(db, item_id).status


def _is_out_of_service(status: str) -> bool:
    from app.catalogue.detail import STATUS_LABELS

    return status == STATUS_LABELS[ItemStatus.OUT_OF_SERVICE]


@contextmanager
def _naming_refusals(options: dict[str, str]) -> Iterator[None]:
    """Say, after each problem of an inspection or defect refused within, which option to
    give to put it right."""
    from app.inspections.service import InspectionRefused

    try:
        yield
    except InspectionRefused as refused:
        raise InspectionRefused(_naming_options(refused.problems, options)) from None


def _watch_item(row: WatchRow, codes: dict[int, str]) -> dict[str, Any]:
    return {
        "item_id": row.item_id,
        "tag": row.asset_tag,
        "name": row.item_name,
        "category": row.category,
        "owner": row.owner,
        "owner_code": codes.get(row.owner_agency_id),
        "out_of_service": row.out_of_service,
    }


def _due_json(row: WatchRow, codes: dict[int, str]) -> dict[str, Any]:
    return {
        **_watch_item(row, codes),
        "regime": row.what,
        "regime_id": row.regime_id,
        "state": row.state.value if row.state is not None else None,
        "last_inspected_on": _day(row.last_on),
        "due_on": _day(row.due_on),
        "standing": row.words,
    }


def _out_json(row: WatchRow, codes: dict[int, str]) -> dict[str, Any]:
    return {
        **_watch_item(row, codes),
        "reason": row.what,
        "defect_id": row.defect_id,
        "severity": row.severity.value if row.severity is not None else None,
        "reported_on": _day(row.last_on),
        "description": row.words,
    }


def cmd_inspections_due(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_agency, list_agencies
    from app.inspections.service import Watch, inspections_overview

    with _opened(url) as db:
        agency = find_agency(db, args.agency) if args.agency is not None else None
        overview = inspections_overview(
            db, days=args.days, agency_id=agency.id if agency is not None else None
        )
        codes = {a.id: a.code for a in list_agencies(db)}
    overdue = overview.rows(Watch.OVERDUE)
    soon = overview.rows(Watch.DUE_SOON)
    out = overview.rows(Watch.OUT_OF_SERVICE)
    counts = {
        "overdue": overview.count(Watch.OVERDUE),
        "due_soon": overview.count(Watch.DUE_SOON),
        "out_of_service": overview.count(Watch.OUT_OF_SERVICE),
    }
    if args.json:
        _print_json(
            {
                "today": overview.today.isoformat(),
                "days": overview.days,
                "agency": agency.name if agency is not None else None,
                "agency_code": agency.code if agency is not None else None,
                "counts": counts,
                "overdue": [_due_json(row, codes) for row in overdue],
                "due_soon": [_due_json(row, codes) for row in soon],
                "out_of_service": [_out_json(row, codes) for row in out],
            }
        )
        return EXIT_OK
    ahead = _ahead(overview.days)
    whose = f" for {agency.name}" if agency is not None else ""
    print(
        f"As at {format_date(overview.today)}{whose}: "
        f"{_plural(counts['overdue'], 'item')} overdue, {counts['due_soon']} due {ahead}, "
        f"{counts['out_of_service']} out of service."
    )
    header = f"{'Tag':<12} {'Item':<30} {'Owner':<10} {'Regime':<34} {'Due':<10}  Standing"
    for title, rows in (
        ("Overdue, never inspected or failed", overdue),
        (f"Due {ahead}", soon),
    ):
        if not rows:
            continue
        print(f"\n{title}:")
        print(header)
        for row in rows:
            print(
                f"{row.asset_tag:<12} {row.item_name[:30]:<30} "
                f"{codes.get(row.owner_agency_id, '')[:10]:<10} {row.what[:34]:<34} "
                f"{format_date(row.due_on):<10}  {row.words}"
            )
    if out:
        print("\nOut of service:")
        print(f"{'Tag':<12} {'Item':<30} {'Owner':<10} {'Why':<34} {'Reported':<10}  Details")
        for row in out:
            why = f"{row.what} defect {row.defect_id}" if row.defect_id is not None else row.what
            print(
                f"{row.asset_tag:<12} {row.item_name[:30]:<30} "
                f"{codes.get(row.owner_agency_id, '')[:10]:<10} {why[:34]:<34} "
                f"{format_date(row.last_on):<10}  {row.words}"
            )
    return EXIT_OK


def _regime_for(db: Database, item: ItemRef, text: str | None) -> int | None:
    """The regime ``--regime`` names among those covering ``item``; without it, the item's
    only regime (or None, for the rules to ask which, or for kit with no regime)."""
    from app.catalogue.directory import best_matches, fold
    from app.inspections.service import list_regimes

    regimes = list_regimes(db, item_id=item.id)
    if text is None:
        return regimes[0].id if len(regimes) == 1 else None
    if not regimes:
        raise DomainError(
            f"{_item_label(item)} has no inspection regime, so leave out --regime to record "
            "its inspection."
        )
    found = best_matches(fold(text), [(regime, (fold(regime.name),)) for regime in regimes])
    names = "; ".join(f"“{regime.name}”" for regime in (found or regimes))
    if not found:
        raise NotFound(
            f"No regime covering {_item_label(item)} is called “{text.strip()}”: it is "
            f"inspected under {names}."
        )
    if len(found) > 1:
        raise DomainError(
            f"“{text.strip()}” could be any of {names}: give more of the name with --regime."
        )
    return found[0].id


def _defect_effect(view: DefectView, status: str) -> str:
    """What an open defect does to the kit now, as a sentence."""
    from app.inspections.service import SEVERITY_EFFECT

    if not _is_out_of_service(status):
        return _sentence(SEVERITY_EFFECT[view.severity].capitalize())
    if view.severity is DefectSeverity.UNSAFE:
        return f"{view.asset_tag} is out of service until the defect is cleared."
    return (
        f"{view.asset_tag} was out of service already; `kitshare-admin defect list "
        f"{view.asset_tag}` shows its open defects."
    )


def cmd_inspect(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.detail import item_detail
    from app.catalogue.directory import find_item, find_person
    from app.inspections.service import InspectionDraft, record_inspection

    parser: argparse.ArgumentParser = args.parser
    result = InspectionResult(args.result.replace("-", "_"))
    if args.severity is not None and args.defect is None:
        parser.error("--severity says how bad the defect is: give the defect with --defect TEXT")
    if args.defect is not None and result is not InspectionResult.FAIL:
        parser.error(
            "--defect goes with --result fail; to report a defect found otherwise, use "
            "`kitshare-admin defect report`"
        )
    with _acting(url, args) as (db, actor):
        item = find_item(db, args.tag)
        inspector_id = actor.person_id if args.inspector is None else None
        if args.inspector_staff is not None:
            found = find_person(db, args.inspector_staff, prefer_agency_id=item.owner_agency_id)
            inspector_id = found.id
        draft = InspectionDraft(
            item_id=item.id,
            regime_id=_regime_for(db, item, args.regime),
            inspected_on=args.date or today_uk(),
            inspector_id=inspector_id,
            inspector_name=args.inspector or "",
            result=result,
            notes=args.notes,
            certificate_ref=args.certificate,
            next_due_on=args.next_due,
            defect=args.defect or "",
            clears=tuple(args.clears),
        )
        if args.severity is not None:
            draft = replace(draft, defect_severity=DefectSeverity(args.severity))
        was = item_detail(db, item.id).status
        with _naming_refusals(INSPECTION_OPTIONS):
            inspection_id = record_inspection(db, draft, actor)
        detail = item_detail(db, item.id)
    print(_inspection_sentence(item, draft, inspection_id, detail, was))
    return EXIT_OK


def _inspection_sentence(
    item: ItemRef, draft: InspectionDraft, inspection_id: int, detail: ItemDetail, was: str
) -> str:
    """What ``inspect`` recorded, and where that leaves the item, read back after it."""
    from app.inspections.service import RESULT_WORDS

    assert draft.result is not None
    assert draft.inspected_on is not None
    standing = next((s for s in detail.inspections if s.regime_id == draft.regime_id), None)
    ours = standing is not None and standing.last_id == inspection_id
    regime = standing.regime if standing is not None else "Inspection"
    by = f", inspected by {standing.inspector}" if ours and standing and standing.inspector else ""
    reference = draft.certificate_ref.strip()
    certificate = f", certificate {reference}" if reference else ""
    sentence = (
        f"Recorded a {RESULT_WORDS[draft.result].lower()} for {_item_label(item)}: {regime} "
        f"on {format_date(draft.inspected_on)}{by}{certificate}"
    )
    if draft.result is InspectionResult.FAIL:
        for defect in detail.defects:
            if defect.inspection_id == inspection_id:
                sentence += (
                    f"; {defect.severity_words.lower()} defect {defect.id} opened. "
                    f"{_defect_effect(defect, detail.status)}"
                )
        return sentence
    if standing is not None and not ours:
        sentence += f"; a later one is on record, so it stays due {format_date(standing.due_on)}."
    elif standing is not None and standing.due_on is not None:
        sentence += f"; next due {format_date(standing.due_on)}."
    else:
        sentence += "; no next due date is set."
    if draft.clears:
        numbers = ", ".join(str(n) for n in draft.clears)
        sentence += f" Cleared defect{'s' if len(draft.clears) > 1 else ''} {numbers}."
    if _is_out_of_service(detail.status):
        sentence += (
            f" {item.asset_tag} is still out of service; `kitshare-admin defect list "
            f"{item.asset_tag}` shows its open defects."
        )
    elif _is_out_of_service(was):
        sentence += f" {item.asset_tag} is back in service ({detail.status.lower()})."
    return sentence


def defect_json(view: DefectView) -> dict[str, Any]:
    """A defect as ``--json`` prints it: times in ISO 8601 with their offset."""
    return {
        "id": view.id,
        "tag": view.asset_tag,
        "name": view.item_name,
        "owner": view.owner,
        "source": view.source.value,
        "severity": view.severity.value,
        "severity_words": view.severity_words,
        "description": view.description,
        "reported_at": _iso(view.reported_at),
        "reported_by": view.reported_by or None,
        "loan_id": view.loan_id,
        "inspection_id": view.inspection_id,
        "open": view.is_open,
        "blocks_issue": view.blocks_issue,
        "cleared_at": _iso(view.cleared_at),
        "cleared_by": view.cleared_by or None,
        "clearance_note": view.clearance_note or None,
    }


def cmd_defect_report(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_item
    from app.inspections.service import DefectDraft, get_defect, report_defect

    with _acting(url, args) as (db, actor):
        item = find_item(db, args.tag)
        draft = DefectDraft(
            item_id=item.id,
            description=args.description,
            severity=DefectSeverity(args.severity),
            loan_id=args.loan,
        )
        with _naming_refusals(DEFECT_OPTIONS):
            defect_id = report_defect(db, draft, actor)
        view = get_defect(db, defect_id)
        status = _item_status(db, item.id)
    print(
        f"Reported {view.severity_words.lower()} defect {view.id} on {view.label}: "
        f"{_sentence(view.description)} {_defect_effect(view, status)}"
    )
    return EXIT_OK


def cmd_defect_clear(url: str, args: argparse.Namespace) -> int:
    from app.inspections.service import clear_defect, get_defect

    with _acting(url, args) as (db, actor):
        was = _item_status(db, get_defect(db, args.id).item_id)
        with _naming_refusals(DEFECT_OPTIONS):
            clear_defect(db, args.id, args.note, actor)
        view = get_defect(db, args.id)
        status = _item_status(db, view.item_id)
    sentence = f"Cleared defect {view.id} on {view.label}: {_sentence(view.clearance_note)}"
    if _is_out_of_service(status):
        sentence += (
            f" {view.asset_tag} is still out of service; `kitshare-admin defect list "
            f"{view.asset_tag}` shows its open defects."
        )
    elif _is_out_of_service(was):
        sentence += f" {view.asset_tag} is back in service ({status.lower()})."
    print(sentence)
    return EXIT_OK


def cmd_defect_list(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_item
    from app.inspections.service import list_defects

    item: ItemRef | None = None
    with _opened(url) as db:
        if args.tag is not None:
            item = find_item(db, args.tag)
        views = list_defects(db, item.id if item else None, include_cleared=args.all)
    if args.json:
        _print_json([defect_json(view) for view in views])
        return EXIT_OK
    on = f" on {_item_label(item)}" if item is not None else ""
    if not views:
        print(f"No defects recorded{on}." if args.all else f"No open defects{on}.")
        return EXIT_OK
    print(
        f"{'ID':>5}  {'Tag':<12} {'Item':<30} {'Severity':<8} {'Reported':<10}  "
        f"{'Cleared':<10}  Description"
    )
    for view in views:
        cleared = format_date(view.cleared_at.astimezone(UK).date()) if view.cleared_at else "open"
        print(
            f"{view.id:>5}  {view.asset_tag:<12} {view.item_name[:30]:<30} "
            f"{view.severity_words:<8} {format_date(view.reported_at.astimezone(UK).date()):<10}  "
            f"{cleared:<10}  {view.description}"
        )
    still_open = sum(view.is_open for view in views)
    if args.all:
        print(f"{_plural(len(views), 'defect')}{on}, {still_open} open.")
    else:
        print(f"{_plural(len(views), 'open defect')}{on}.")
    return EXIT_OK


def cmd_regimes(url: str, args: argparse.Namespace) -> int:
    from app.inspections.service import list_regimes

    with _opened(url) as db:
        regimes = list_regimes(db)
    if args.json:
        _print_json(
            [
                {
                    "id": regime.id,
                    "name": regime.name,
                    "covers": regime.applies_to,
                    "category": regime.category or None,
                    "item_tag": regime.item_tag or None,
                    "interval": regime.interval,
                    "interval_days": regime.interval_days,
                    "interval_months": regime.interval_months,
                    "blocks_issue": regime.blocks_issue,
                    "inspections": regime.inspections,
                }
                for regime in regimes
            ]
        )
        return EXIT_OK
    if not regimes:
        print("No inspection regimes are set up yet.")
        return EXIT_OK
    name_width = max(len("Regime"), *(len(regime.name) for regime in regimes))
    covers_width = max(len("Covers"), *(len(regime.applies_to) for regime in regimes))
    print(
        f"{'Regime':<{name_width}}  {'Covers':<{covers_width}}  {'Interval':<16} "
        f"{'Blocks issue':<12} {'Inspections':>11}"
    )
    for regime in regimes:
        print(
            f"{regime.name:<{name_width}}  {regime.applies_to:<{covers_width}}  "
            f"{regime.interval:<16} {'yes' if regime.blocks_issue else 'no':<12} "
            f"{regime.inspections:>11}"
        )
    print(f"{_plural(len(regimes), 'regime')}.")
    return EXIT_OK


def _ahead(days: int) -> str:
    """ "today", "in the next 30 days": how far ahead a list looks."""
    return "today" if days == 0 else f"in the next {days} day{'s' if days != 1 else ''}"


def _error_text(error: KitShareError) -> str:
    """The message, with each broken rule on a line of its own when there are several."""
    if isinstance(error, Refused) and len(error.problems) > 1:
        listed = "\n".join(f"  {n}. {p.message}" for n, p in enumerate(error.problems, 1))
        return f"{len(error.problems)} things stop this:\n{listed}"
    return error.message


Handler = Callable[[str, argparse.Namespace], int]
PdfWriter = Callable[["Printable", Path], int]
"""Lays a document out as a PDF file and returns its page count (``ui.printing.documents``)."""


def main(argv: Sequence[str] | None = None, *, pdf_writer: PdfWriter | None = None) -> int:
    """Run one command. ``pdf_writer`` prints PDFs: the ``kitshare-admin`` program passes
    Qt's, from ``ui.printing.documents``, which this layer may not import itself."""
    args = build_parser().parse_args(argv)
    args.pdf_writer = pdf_writer
    handler: Handler = args.handler
    try:
        url = resolve_database_url(args.database)
        return handler(url, args)
    except KitShareError as error:
        print(f"kitshare-admin: {_error_text(error)}", file=sys.stderr)
        return EXIT_REFUSED
    except BrokenPipeError:
        # Output piped into `head` and cut short: not an error worth a traceback.
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print(
            "kitshare-admin: stopped; nothing was changed by the interrupted step.", file=sys.stderr
        )
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
