"""``kitshare-admin inspections due``, ``inspect``, ``defect`` and ``regimes``: what needs
inspecting, recording inspections, and the defects found on kit."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from app.cli.common import (
    EXIT_OK,
    acting,
    add_agency_option,
    add_command,
    add_group,
    add_json_option,
    agency_named,
    ahead,
    iso,
    iso_day,
    naming_options,
    opened,
    print_json,
    record_number,
    sentence,
    uk_date,
)
from app.core.clock import UK, format_date, today_uk
from app.core.errors import DomainError, NotFound
from app.core.text import counted
from app.core.vocabulary import label
from app.inspections.service import DUE_SOON_DAYS
from app.storage.database import Database
from models import DefectSeverity, InspectionResult, ItemStatus

if TYPE_CHECKING:
    from app.catalogue.detail import ItemDetail
    from app.catalogue.directory import ItemRef
    from app.cli.common import Subcommands
    from app.inspections.defects import DefectView
    from app.inspections.overview import WatchRow
    from app.inspections.recording import InspectionDraft

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
    "quantity": "--quantity",
    "note": "--note",
}


# -- the parser ------------------------------------------------------------------------------


def add_commands(commands: Subcommands) -> None:
    """Add ``inspections``, ``inspect``, ``defect`` and ``regimes`` to ``kitshare-admin``."""
    lists = add_group(
        commands,
        "inspections",
        "list kit whose inspection is overdue or due soon, and kit out of service",
        description="What needs inspecting, as the Inspections view shows it.",
        epilog=INSPECTION_EPILOG,
        dest="inspections_command",
    )
    due = add_command(
        lists,
        "due",
        "list kit overdue (never inspected or failed too), due in the next --days, and out "
        "of service",
        cmd_inspections_due,
        epilog=INSPECTION_EPILOG,
    )
    due.add_argument(
        "--days",
        type=int,
        default=DUE_SOON_DAYS,
        metavar="N",
        help=f"how far ahead to look (default: {DUE_SOON_DAYS})",
    )
    add_agency_option(due, "only this agency's kit: name or short code")
    add_json_option(due, "print JSON, with ISO 8601 dates")
    _add_inspect_command(commands)
    _add_defect_commands(commands)
    regimes = add_command(
        commands,
        "regimes",
        "list the inspection regimes: what each covers, and how often",
        cmd_regimes,
        epilog=INSPECTION_EPILOG,
    )
    add_json_option(regimes)


def _add_inspect_command(commands: Subcommands) -> None:
    inspect = add_command(
        commands,
        "inspect",
        "record an inspection of an item: a pass, a pass with advisories or a fail",
        cmd_inspect,
        epilog=INSPECTION_EPILOG,
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


def _add_defect_commands(commands: Subcommands) -> None:
    actions = add_group(
        commands,
        "defect",
        "report, clear and list defects on kit",
        description="Report defects found on kit, clear them once put right, and list them.",
        epilog=INSPECTION_EPILOG,
        dest="defect_command",
    )
    report = add_command(
        actions,
        "report",
        "report a defect found on an item",
        cmd_defect_report,
        epilog=INSPECTION_EPILOG,
        changes=True,
    )
    report.add_argument("tag", metavar="TAG", help="the item's asset tag")
    report.add_argument("--severity", required=True, choices=SEVERITY_CHOICES, help="how bad it is")
    report.add_argument("--description", required=True, metavar="TEXT", help="what is wrong")
    report.add_argument("--loan", type=record_number, metavar="ID", help="the loan it was found on")
    report.add_argument(
        "--quantity",
        type=int,
        default=1,
        metavar="N",
        help="how many units of a pooled item it affects (default 1); they are not free "
        "until it is cleared, the rest can go",
    )
    clear = add_command(
        actions,
        "clear",
        "clear an open defect with what was done to put it right",
        cmd_defect_clear,
        epilog=INSPECTION_EPILOG,
        changes=True,
    )
    clear.add_argument(
        "id", type=record_number, metavar="ID", help="the defect number (see defect list)"
    )
    clear.add_argument(
        "--note", default="", metavar="TEXT", help="what was done to put it right (needed)"
    )
    list_ = add_command(
        actions,
        "list",
        "list open defects, of all kit or of one item",
        cmd_defect_list,
        epilog=INSPECTION_EPILOG,
    )
    list_.add_argument("tag", nargs="?", metavar="TAG", help="only this item's defects")
    list_.add_argument("--all", action="store_true", help="cleared defects too")
    add_json_option(list_)


# -- what the commands share -----------------------------------------------------------------


def _item_label(item: ItemRef) -> str:
    return f"{item.asset_tag} “{item.name}”"


def _item_status(db: Database, item_id: int) -> ItemStatus:
    """The item's status now, as the item panel has it."""
    from app.catalogue.detail import item_detail

    return item_detail(db, item_id).status_value


@contextmanager
def _naming_refusals(options: dict[str, str]) -> Iterator[None]:
    """Say, after each problem of an inspection or defect refused within, which option to
    give to put it right."""
    from app.inspections.service import InspectionRefused

    try:
        yield
    except InspectionRefused as refused:
        raise InspectionRefused(naming_options(refused.problems, options)) from None


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
        "last_inspected_on": iso_day(row.last_on),
        "due_on": iso_day(row.due_on),
        "standing": row.words,
    }


def _out_json(row: WatchRow, codes: dict[int, str]) -> dict[str, Any]:
    return {
        **_watch_item(row, codes),
        "reason": row.what,
        "defect_id": row.defect_id,
        "severity": row.severity.value if row.severity is not None else None,
        "reported_on": iso_day(row.last_on),
        "description": row.words,
    }


def cmd_inspections_due(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import list_agencies
    from app.inspections.overview import Watch, inspections_overview

    with opened(url, args) as db:
        agency = agency_named(db, args.agency)
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
        print_json(
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
    within = ahead(overview.days)
    whose = f" for {agency.name}" if agency is not None else ""
    print(
        f"As at {format_date(overview.today)}{whose}: "
        f"{counted(counts['overdue'], 'item')} overdue, {counts['due_soon']} due {within}, "
        f"{counts['out_of_service']} out of service."
    )
    header = f"{'Tag':<12} {'Item':<30} {'Owner':<10} {'Regime':<34} {'Due':<10}  Standing"
    for title, rows in (
        ("Overdue, never inspected or failed", overdue),
        (f"Due {within}", soon),
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
    from app.inspections.regimes import list_regimes

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


def _defect_effect(view: DefectView, status: ItemStatus) -> str:
    """What an open defect does to the kit now, as a sentence."""
    from app.inspections.service import SEVERITY_EFFECT

    if status is not ItemStatus.OUT_OF_SERVICE:
        if view.is_pooled and view.blocks_issue:
            return (
                f"It holds back {view.units_words} {view.asset_tag} until it is cleared; the "
                "rest can go out."
            )
        return sentence(SEVERITY_EFFECT[view.severity].capitalize())
    if view.severity is DefectSeverity.UNSAFE:
        return f"{view.asset_tag} is out of service until the defect is cleared."
    return (
        f"{view.asset_tag} was out of service already; `kitshare-admin defect list "
        f"{view.asset_tag}` shows its open defects."
    )


def cmd_inspect(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.detail import item_detail
    from app.catalogue.directory import find_item, find_person
    from app.inspections.recording import InspectionDraft, record_inspection

    parser: argparse.ArgumentParser = args.parser
    result = InspectionResult(args.result.replace("-", "_"))
    if args.severity is not None and args.defect is None:
        parser.error("--severity says how bad the defect is: give the defect with --defect TEXT")
    if args.defect is not None and result is not InspectionResult.FAIL:
        parser.error(
            "--defect goes with --result fail; to report a defect found otherwise, use "
            "`kitshare-admin defect report`"
        )
    with acting(url, args) as (db, actor):
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
        was = item_detail(db, item.id).status_value
        with _naming_refusals(INSPECTION_OPTIONS):
            inspection_id = record_inspection(db, draft, actor)
        detail = item_detail(db, item.id)
    print(_inspection_sentence(item, draft, inspection_id, detail, was))
    return EXIT_OK


def _inspection_sentence(
    item: ItemRef, draft: InspectionDraft, inspection_id: int, detail: ItemDetail, was: ItemStatus
) -> str:
    """What ``inspect`` recorded, and where that leaves the item, read back after it."""
    assert draft.result is not None
    assert draft.inspected_on is not None
    standing = next((s for s in detail.inspections if s.regime_id == draft.regime_id), None)
    ours = standing is not None and standing.last_id == inspection_id
    regime = standing.regime if standing is not None else "Inspection"
    by = f", inspected by {standing.inspector}" if ours and standing and standing.inspector else ""
    reference = draft.certificate_ref.strip()
    certificate = f", certificate {reference}" if reference else ""
    said = (
        f"Recorded a {label(draft.result).lower()} for {_item_label(item)}: {regime} "
        f"on {format_date(draft.inspected_on)}{by}{certificate}"
    )
    if draft.result is InspectionResult.FAIL:
        for defect in detail.defects:
            if defect.inspection_id == inspection_id:
                said += (
                    f"; {defect.severity_words.lower()} defect {defect.id} opened. "
                    f"{_defect_effect(defect, detail.status_value)}"
                )
        return said
    if standing is not None and not ours:
        said += f"; a later one is on record, so it stays due {format_date(standing.due_on)}."
    elif standing is not None and standing.due_on is not None:
        said += f"; next due {format_date(standing.due_on)}."
    else:
        said += "; no next due date is set."
    if draft.clears:
        numbers = ", ".join(str(n) for n in draft.clears)
        said += f" Cleared defect{'s' if len(draft.clears) > 1 else ''} {numbers}."
    return said + _service_change(item.asset_tag, was, detail.status_value)


def _service_change(tag: str, was: ItemStatus, status: ItemStatus) -> str:
    """A sentence for an item out of service after a change, or back in service by it."""
    if status is ItemStatus.OUT_OF_SERVICE:
        return (
            f" {tag} is still out of service; `kitshare-admin defect list {tag}` shows its "
            "open defects."
        )
    if was is ItemStatus.OUT_OF_SERVICE:
        return f" {tag} is back in service ({label(status).lower()})."
    return ""


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
        "quantity": view.quantity,
        "reported_at": iso(view.reported_at),
        "reported_by": view.reported_by or None,
        "loan_id": view.loan_id,
        "inspection_id": view.inspection_id,
        "open": view.is_open,
        "blocks_issue": view.blocks_issue,
        "cleared_at": iso(view.cleared_at),
        "cleared_by": view.cleared_by or None,
        "clearance_note": view.clearance_note or None,
    }


def cmd_defect_report(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_item
    from app.inspections.defects import DefectDraft, get_defect, report_defect

    with acting(url, args) as (db, actor):
        item = find_item(db, args.tag)
        draft = DefectDraft(
            item_id=item.id,
            description=args.description,
            severity=DefectSeverity(args.severity),
            loan_id=args.loan,
            quantity=args.quantity,
        )
        with _naming_refusals(DEFECT_OPTIONS):
            defect_id = report_defect(db, draft, actor)
        view = get_defect(db, defect_id)
        status = _item_status(db, item.id)
    on = f"{view.units_words} {view.label}" if view.is_pooled else view.label
    print(
        f"Reported {view.severity_words.lower()} defect {view.id} on {on}: "
        f"{sentence(view.description)} {_defect_effect(view, status)}"
    )
    return EXIT_OK


def cmd_defect_clear(url: str, args: argparse.Namespace) -> int:
    from app.inspections.defects import clear_defect, get_defect

    with acting(url, args) as (db, actor):
        was = _item_status(db, get_defect(db, args.id).item_id)
        with _naming_refusals(DEFECT_OPTIONS):
            clear_defect(db, args.id, args.note, actor)
        view = get_defect(db, args.id)
        status = _item_status(db, view.item_id)
    print(
        f"Cleared defect {view.id} on {view.label}: {sentence(view.clearance_note)}"
        f"{_service_change(view.asset_tag, was, status)}"
    )
    return EXIT_OK


def cmd_defect_list(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_item
    from app.inspections.defects import list_defects

    item: ItemRef | None = None
    with opened(url, args) as db:
        if args.tag is not None:
            item = find_item(db, args.tag)
        views = list_defects(db, item.id if item else None, include_cleared=args.all)
    if args.json:
        print_json([defect_json(view) for view in views])
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
            + (f" ({view.units_words})" if view.is_pooled else "")
        )
    still_open = sum(view.is_open for view in views)
    if args.all:
        print(f"{counted(len(views), 'defect')}{on}, {still_open} open.")
    else:
        print(f"{counted(len(views), 'open defect')}{on}.")
    return EXIT_OK


def cmd_regimes(url: str, args: argparse.Namespace) -> int:
    from app.inspections.regimes import list_regimes

    with opened(url, args) as db:
        regimes = list_regimes(db)
    if args.json:
        print_json(
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
    print(f"{counted(len(regimes), 'regime')}.")
    return EXIT_OK
