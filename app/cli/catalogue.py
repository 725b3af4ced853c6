"""``kitshare-admin search``, and the names other commands take: ``agencies``, ``people``
and ``sites``."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from app.cli.common import (
    EXIT_OK,
    add_agency_option,
    add_json_option,
    agency_id_named,
    check_limit,
    opened,
    print_json,
    uk_date,
    when,
)
from app.core.text import counted
from models import ItemStatus

if TYPE_CHECKING:
    from app.cli.common import Subcommands

T = TypeVar("T")


def add_commands(commands: Subcommands) -> None:
    """Add ``search``, ``agencies``, ``people`` and ``sites`` to ``kitshare-admin``."""
    search = commands.add_parser("search", help="search the catalogue as the window does")
    search.add_argument("text", nargs="?", default="", help="words, a tag or a fragment of one")
    search.add_argument("--category", help="category name")
    add_agency_option(search, "owning agency: name or short code")
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
    add_json_option(search)
    search.set_defaults(handler=cmd_search)

    agencies = commands.add_parser("agencies", help="list the agencies and their short codes")
    add_json_option(agencies)
    agencies.set_defaults(handler=cmd_agencies)
    people = commands.add_parser("people", help="list people with their staff numbers")
    add_agency_option(people)
    add_json_option(people)
    people.set_defaults(handler=cmd_people)
    sites = commands.add_parser("sites", help="list stations and stores")
    add_agency_option(sites)
    add_json_option(sites)
    sites.set_defaults(handler=cmd_sites)


def cmd_search(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.search import SearchFilters, search_items
    from app.kits.search import search_kits

    filters = SearchFilters(
        category=args.category,
        agency=args.agency,
        site=args.site,
        status=ItemStatus(args.status) if args.status else None,
        available_from=when(args.available_from, "start of the period"),
        available_to=when(args.available_to, "end of the period"),
        quantity=args.quantity,
        inspection_due_before=args.inspection_due_before,
    )
    check_limit(args.limit)
    with opened(url, args) as db:
        page = search_items(db, args.text, filters, limit=args.limit)
        # Kits the words find are listed above the items, as the catalogue shows them;
        # the filters say what items to list, and are not a kit's to answer.
        words_alone = filters == SearchFilters(quantity=filters.quantity)
        kits = search_kits(db, args.text) if words_alone and not args.json else []
    if args.json:
        print_json(
            [
                {
                    "id": row.id,
                    "tag": row.asset_tag,
                    "name": row.name,
                    "category": row.category,
                    "agency": row.owner,
                    "agency_code": row.owner_code,
                    "site": row.home_site,
                    "status": row.status_value.value,
                    "quantity": row.quantity,
                    "available_quantity": row.available_quantity,
                }
                for row in page.rows
            ]
        )
        return EXIT_OK
    for hit in kits:
        why = f"; has {', '.join(hit.members)}" if hit.members and not hit.by_name else ""
        print(
            f"{'[kit]':<12} {hit.kit.name[:48]:<48} {hit.kit.owner_code:<10} "
            f"{hit.kit.home_site[:28]:<28} {counted(len(hit.kit.members), 'member')}{why}"
        )
    if not page.rows:
        print("No items match.")
        return EXIT_OK
    for row in page.rows:
        free = f"{row.available_quantity}/{row.quantity} free" if row.is_pooled else row.status
        where = f"{row.owner_code:<10} {row.home_site[:28]:<28}"
        print(f"{row.asset_tag:<12} {row.name[:48]:<48} {where} {free}")
    shown = len(page.rows)
    more = f" (showing {shown}; use --limit for more)" if page.total > shown else ""
    print(f"{counted(page.total, 'item')} found{more}.")
    return EXIT_OK


def _listed(
    args: argparse.Namespace,
    rows: Sequence[T],
    as_json: Callable[[T], dict[str, Any]],
    line: Callable[[T], str],
    total: str,
) -> int:
    """``rows`` as a JSON list with ``--json``, else a line each and then ``total``."""
    if args.json:
        print_json([as_json(row) for row in rows])
        return EXIT_OK
    for row in rows:
        print(line(row))
    print(total)
    return EXIT_OK


def cmd_agencies(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import list_agencies

    with opened(url, args) as db:
        agencies = list_agencies(db)
    return _listed(
        args,
        agencies,
        lambda a: {"id": a.id, "code": a.code, "name": a.name},
        lambda a: f"{a.code:<12} {a.name}",
        f"{counted(len(agencies), 'agency', 'agencies')}.",
    )


def cmd_people(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import list_people

    with opened(url, args) as db:
        people = list_people(db, agency_id=agency_id_named(db, args.agency))
    return _listed(
        args,
        people,
        lambda p: {
            "id": p.id,
            "name": p.name,
            "staff_number": p.staff_number,
            "agency": p.agency,
            "agency_code": p.agency_code,
        },
        lambda p: f"{p.staff_number:<10} {p.name[:36]:<36} {p.agency_code}",
        f"{counted(len(people), 'person', 'people')}.",
    )


def cmd_sites(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import list_sites

    with opened(url, args) as db:
        sites = list_sites(db, agency_id=agency_id_named(db, args.agency))
    return _listed(
        args,
        sites,
        lambda s: {"id": s.id, "name": s.name, "agency_code": s.agency_code},
        lambda s: f"{s.agency_code:<12} {s.name}",
        f"{counted(len(sites), 'site')}.",
    )
