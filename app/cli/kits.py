"""``kitshare-admin kit``: add, list, show, change and retire kits, as the catalogue's kit
panel does; a kit is lent with ``loan request --kit`` and ``loan issue --emergency --kit``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from app.cli.common import (
    EXIT_OK,
    acting,
    add_agency_option,
    add_command,
    add_group,
    add_json_option,
    agency_id_named,
    iso,
    opened,
    print_json,
    when,
)
from app.core.clock import format_datetime
from app.core.errors import DomainError
from app.core.text import counted
from app.storage.database import Database

if TYPE_CHECKING:
    from app.cli.common import Handler, Subcommands
    from app.kits.lending import KitAvailability
    from app.kits.rules import KitDraft, MemberDraft
    from app.kits.service import KitView

KIT_EPILOG = """\
A kit is several items one agency lends as one: tagged items, and some of a pooled item.
Its members are its agency's items in use; each is listed once. A kit is lent as one loan
whose lines are its members: `kitshare-admin loan request --kit NAME` and `loan issue
--emergency --kit NAME`, then approved, issued and returned (member by member, if need
be) like any loan.

Names: a kit by its name, or a unique start or part of it ("water rescue"), or as listed
with its agency's short code in brackets when two agencies use one name; a site by its
name (`kitshare-admin sites`); an item by its asset tag. Case does not matter.

Members: --member TAG for a tagged item, --member TAG:N for N of a pooled item; repeat
for each member, in the order the kit lists them. --note TAG=TEXT gives a member a note
for whoever packs the kit, such as "check bung".

Signing in: add, edit and retire change data, so they are done as a named user, an
equipment manager of the kit's agency or an administrator: --user NAME (before or after
the action; else KITSHARE_USER), with the password in KITSHARE_PASSWORD or typed when
asked.

Times: DD/MM/YYYY HH:MM (24-hour, UK time) or ISO 8601, e.g. "22/11/2026 14:30".

Exit status: 0 done; 1 refused or not found (the reason is on stderr; nothing changed);
2 the command line itself is wrong.

Examples:
  kitshare-admin --user cambs-frs-kit kit add "Water rescue team kit" \\
      --site "Huntingdon Fire Station" --member CFR-000301 --member CFR-000302 \\
      --member CFR-000310:4 --member CFR-000311:6 --note CFR-000301="Check bung" \\
      --description "Boat, outboard, dry suits and throw lines for a flood team"
  kitshare-admin kit list --agency CAMBS-FRS
  kitshare-admin kit show "water rescue" --from "25/11/2026 09:00" --to "25/11/2026 21:00"
  kitshare-admin kit edit "water rescue" --add CFR-000320 --remove CFR-000311
  kitshare-admin kit retire "water rescue" --reason "Replaced by the new boat kit"
  kitshare-admin loan request --kit "water rescue" --borrower cambs-pol \\
      --requested-by 1847 --purpose "Flood search" --from "25/11/2026 09:00" \\
      --to "25/11/2026 21:00"
"""

MEMBER_HELP = "a member: TAG, or TAG:N for N of a pooled item; repeat for each, in order"
NOTE_HELP = 'a member\'s note, e.g. CFR-000301="Check bung"; repeat for several'


def add_commands(commands: Subcommands) -> None:
    """Add ``kit`` and its actions to ``kitshare-admin``."""
    actions = add_group(
        commands,
        "kit",
        "add, list, show, change and retire kits (items lent as one)",
        description="Keep the kits: several items one agency lends as one loan.",
        epilog=KIT_EPILOG,
        dest="kit_command",
    )
    add = _action(actions, "add", "make a kit of one agency's items", cmd_kit_add, changes=True)
    add.add_argument("name", metavar="NAME", help="the kit's name")
    add.add_argument(
        "--site", required=True, metavar="SITE", help="where it is kept; its agency owns it"
    )
    add.add_argument(
        "--member", action="append", required=True, metavar="TAG[:N]", help=MEMBER_HELP
    )
    _add_member_texts(add)

    list_ = _action(actions, "list", "list the kits with their members", cmd_kit_list)
    add_agency_option(list_, "only this agency's kits: name or short code")
    list_.add_argument("--retired", action="store_true", help="list retired kits too")

    show = _action(actions, "show", "show one kit and its members", cmd_kit_show)
    show.add_argument("name", metavar="NAME", help="the kit's name")
    show.add_argument("--from", dest="starts", metavar="DATETIME", help="say if each is free from")
    show.add_argument("--to", dest="due", metavar="DATETIME", help="… until (with --from)")

    edit = _action(actions, "edit", "change a kit's name, site or members", cmd_kit_edit, True)
    edit.add_argument("name", metavar="NAME", help="the kit's name as it is now")
    edit.add_argument("--name", dest="new_name", metavar="TEXT", help="its new name")
    edit.add_argument("--site", metavar="SITE", help="where it is now kept (same agency)")
    edit.add_argument(
        "--member", action="append", metavar="TAG[:N]", help=f"{MEMBER_HELP} (replaces all)"
    )
    edit.add_argument(
        "--add", action="append", metavar="TAG[:N]", help="add a member, or change its quantity"
    )
    edit.add_argument("--remove", action="append", metavar="TAG", help="take a member out")
    _add_member_texts(edit)

    retire = _action(actions, "retire", "take a kit out of use for good", cmd_kit_retire, True)
    retire.add_argument("name", metavar="NAME", help="the kit's name")
    retire.add_argument("--reason", required=True, metavar="TEXT", help="why, for the record")


def _action(
    actions: Subcommands, name: str, summary: str, handler: Handler, changes: bool = False
) -> argparse.ArgumentParser:
    sub = add_command(actions, name, summary, handler, epilog=KIT_EPILOG, changes=changes)
    add_json_option(sub, "print the kit (or, for list, the kits) as JSON")
    return sub


def _add_member_texts(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--note", action="append", metavar="TAG=TEXT", help=NOTE_HELP)
    parser.add_argument("--description", metavar="TEXT", help="what the kit is for")


# -- reading the options ------------------------------------------------------------------------


def _tagged(args: argparse.Namespace, option: str, entry: str) -> tuple[str, int | None]:
    """``TAG`` or ``TAG:N`` as (tag, N or None); anything else is a usage error."""
    tag, colon, count = entry.partition(":")
    if not colon:
        return tag.strip(), None
    try:
        return tag.strip(), int(count)
    except ValueError:
        parser: argparse.ArgumentParser = args.parser
        parser.error(f"{option} {entry}: after the colon give how many, e.g. {tag or 'TAG'}:4")


def _notes(args: argparse.Namespace) -> dict[str, str]:
    """``--note TAG=TEXT`` options, by tag folded."""
    notes: dict[str, str] = {}
    for entry in args.note or []:
        tag, equals, text = entry.partition("=")
        if not equals or not tag.strip():
            parser: argparse.ArgumentParser = args.parser
            parser.error(
                f'--note {entry}: give the tag, "=" and the note, e.g. CFR-000301="Check bung"'
            )
        notes[tag.strip().casefold()] = text.strip()
    return notes


def _members(
    db: Database, args: argparse.Namespace, entries: list[str], option: str
) -> list[tuple[str, MemberDraft]]:
    """The members the options name, as (tag as stored, draft)."""
    from app.catalogue.directory import find_item
    from app.kits.rules import MemberDraft

    found = []
    for entry in entries:
        tag, quantity = _tagged(args, option, entry)
        item = find_item(db, tag)
        found.append((item.asset_tag, MemberDraft(item_id=item.id, quantity=quantity or 1)))
    return found


def _with_notes(
    args: argparse.Namespace, members: list[tuple[str, MemberDraft]]
) -> tuple[MemberDraft, ...]:
    """The members with the ``--note``s given for them; a note for no member is refused."""
    from dataclasses import replace

    notes = _notes(args)
    tags = {tag.casefold() for tag, _ in members}
    stray = [tag for tag in notes if tag not in tags]
    if stray:
        raise DomainError(
            f"--note names {stray[0].upper()}, which is not a member of the kit; give a note "
            "for one of its members."
        )
    return tuple(
        replace(member, note=notes[tag.casefold()]) if tag.casefold() in notes else member
        for tag, member in members
    )


# -- the commands --------------------------------------------------------------------------------


def cmd_kit_add(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_site
    from app.kits.rules import KitDraft
    from app.kits.service import create_kit, get_kit

    with acting(url, args) as (db, actor):
        site = find_site(db, args.site)
        members = _with_notes(args, _members(db, args, args.member, "--member"))
        draft = KitDraft(
            name=args.name,
            owner_agency_id=site.agency_id,
            home_site_id=site.id,
            members=members,
            description=args.description or "",
        )
        view = get_kit(db, create_kit(db, draft, actor))
    return _report(
        args,
        view,
        f"Kit “{view.name}” added for {view.owner}, kept at {view.home_site}: "
        f"{counted(len(view.members), 'member')} ({view.members_summary}).",
    )


def cmd_kit_list(url: str, args: argparse.Namespace) -> int:
    from app.kits.service import list_kits

    with opened(url, args) as db:
        kits = list_kits(
            db, agency_id=agency_id_named(db, args.agency), include_retired=args.retired
        )
    if args.json:
        print_json([kit_json(kit) for kit in kits])
        return EXIT_OK
    if not kits:
        print("No kits yet. `kitshare-admin kit add --help` says how to make one.")
        return EXIT_OK
    for kit in kits:
        retired = " (retired)" if kit.is_retired else ""
        print(f"{kit.name[:40]:<40} {kit.owner_code:<10} {kit.home_site[:28]:<28}{retired}")
        print(f"    {kit.members_summary}")
    print(f"{counted(len(kits), 'kit')}.")
    return EXIT_OK


def cmd_kit_show(url: str, args: argparse.Namespace) -> int:
    from app.kits.lending import kit_availability
    from app.kits.service import find_kit

    if (args.starts is None) != (args.due is None):
        parser: argparse.ArgumentParser = args.parser
        parser.error("give both --from and --to to say whether each member is free, or neither")
    starts, due = when(args.starts, "start"), when(args.due, "end")
    with opened(url, args) as db:
        kit = find_kit(db, args.name, include_retired=True)
        free = None
        if starts is not None and due is not None:
            free = kit_availability(db, kit.id, starts, due)
    if args.json:
        print_json(kit_json(kit, free))
        return EXIT_OK
    _print_kit(kit, free)
    return EXIT_OK


def _print_kit(kit: KitView, free: KitAvailability | None) -> None:
    retired = f" (retired {format_datetime(kit.retired_at)})" if kit.retired_at else ""
    print(f"Kit {kit.name}{retired}")
    for label, value in (
        ("Owner", f"{kit.owner} ({kit.owner_code})"),
        ("Kept at", kit.home_site),
        ("Description", kit.description),
        ("Retired", kit.retired_reason),
    ):
        if value:
            print(f"  {label + ':':<14}{value}")
    print()
    standing = {m.member.item_id: m for m in free.members} if free is not None else {}
    heading = "  Free?" if free is not None else ""
    print(f"  {'Tag':<12} {'Item':<40} {'Qty':>4}  {'Status':<16}{heading}")
    for member in kit.members:
        state = standing.get(member.item_id)
        said = f"  {state.state.value}" if state is not None else ""
        print(
            f"  {member.asset_tag:<12} {member.name[:40]:<40} {member.quantity:>4}  "
            f"{member.status_label:<16}{said}"
        )
        if member.note:
            print(f"  {'':<12} Note: {member.note}")
    if free is None:
        return
    when_ = f"from {format_datetime(free.starts_at)} to {format_datetime(free.ends_at)}"
    print()
    if free.is_free:
        print(f"Every member is free {when_}.")
        return
    print(f"{counted(len(free.not_free), 'member')} of the kit not free {when_}:")
    for problem in free.problems:
        print(f"  - {problem.message}")


def cmd_kit_edit(url: str, args: argparse.Namespace) -> int:
    from app.catalogue.directory import find_site
    from app.kits.service import find_kit, get_kit, update_kit

    changes = (args.new_name, args.site, args.member, args.add, args.remove, args.note)
    if all(value is None for value in changes) and args.description is None:
        parser: argparse.ArgumentParser = args.parser
        parser.error(
            "say what to change: --name, --site, --description, --member, --add, --remove or --note"
        )
    with acting(url, args) as (db, actor):
        kit = find_kit(db, args.name)
        draft = _edited(db, args, kit)
        if args.site is not None:
            site = find_site(db, args.site)
            draft = _moved(draft, site.agency_id, site.id)
        update_kit(db, kit.id, draft, actor, kit.row_version)
        view = get_kit(db, kit.id)
    return _report(
        args,
        view,
        f"Kit “{view.name}” saved: kept at {view.home_site}; "
        f"{counted(len(view.members), 'member')} ({view.members_summary}).",
    )


def _moved(draft: KitDraft, agency_id: int, site_id: int) -> KitDraft:
    from dataclasses import replace

    return replace(draft, owner_agency_id=agency_id, home_site_id=site_id)


def _edited(db: Database, args: argparse.Namespace, kit: KitView) -> KitDraft:
    """The kit as the options change it: members replaced, added or taken out, noted."""
    from dataclasses import replace

    draft = kit.as_draft()
    tags = {m.item_id: m.asset_tag for m in kit.members}
    members = [(tags[m.item_id], m) for m in draft.members]
    if args.member is not None:
        members = _members(db, args, args.member, "--member")
    for tag, added in _members(db, args, args.add or [], "--add"):
        kept = next((m for t, m in members if m.item_id == added.item_id), None)
        if kept is not None:
            members = [
                (t, replace(m, quantity=added.quantity) if m is kept else m) for t, m in members
            ]
        else:
            members.append((tag, added))
    for tag in args.remove or []:
        gone = _members(db, args, [tag], "--remove")[0][1].item_id
        if all(m.item_id != gone for _, m in members):
            raise DomainError(
                f"{tag.strip().upper()} is not a member of kit “{kit.name}”, so it cannot be "
                f"taken out; its members are {kit.members_summary}."
            )
        members = [(t, m) for t, m in members if m.item_id != gone]
    return replace(
        draft,
        name=args.new_name if args.new_name is not None else draft.name,
        description=args.description if args.description is not None else draft.description,
        members=_with_notes(args, members),
    )


def cmd_kit_retire(url: str, args: argparse.Namespace) -> int:
    from app.kits.service import find_kit, get_kit, retire_kit

    with acting(url, args) as (db, actor):
        kit = find_kit(db, args.name)
        retire_kit(db, kit.id, actor, args.reason)
        view = get_kit(db, kit.id)
    return _report(
        args,
        view,
        f"Kit “{view.name}” retired: it is no longer lent as a kit. Its items stay in the "
        "catalogue.",
    )


# -- output ---------------------------------------------------------------------------------------


def _report(args: argparse.Namespace, view: KitView, said: str) -> int:
    if args.json:
        print_json(kit_json(view))
    else:
        print(said)
    return EXIT_OK


def kit_json(kit: KitView, free: KitAvailability | None = None) -> dict[str, Any]:
    """A kit as ``--json`` prints it; with ``free``, whether each member is free then."""
    standing = {m.member.item_id: m for m in free.members} if free is not None else {}
    found: dict[str, Any] = {
        "id": kit.id,
        "name": kit.name,
        "agency": kit.owner,
        "agency_code": kit.owner_code,
        "site": kit.home_site,
        "description": kit.description or None,
        "retired": kit.is_retired,
        "retired_at": iso(kit.retired_at),
        "retired_reason": kit.retired_reason or None,
        "members": [
            {
                "item_id": m.item_id,
                "tag": m.asset_tag,
                "name": m.name,
                "category": m.category,
                "is_pooled": m.is_pooled,
                "quantity": m.quantity,
                "note": m.note or None,
                "status": m.status.value,
                **(
                    {
                        "free": standing[m.item_id].free,
                        "state": standing[m.item_id].state.name.lower(),
                        "problems": [p.message for p in standing[m.item_id].problems],
                    }
                    if m.item_id in standing
                    else {}
                ),
            }
            for m in kit.members
        ],
    }
    if free is not None:
        found["from"] = iso(free.starts_at)
        found["to"] = iso(free.ends_at)
        found["free"] = free.is_free
    return found
