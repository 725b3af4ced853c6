"""``kitshare-admin import`` and ``export``: the catalogue, loans, people and kits as .csv
or .xlsx.

``import FILE`` signs in (it changes data, and even its dry run checks what the person
signing in may import: an equipment manager only their own agency's kit), reads the
file, matches its columns to Kit Share's fields (guessed from the headings, or given
with ``--mapping``), checks every row and prints what is wrong with which row. Only a
file with nothing wrong is imported, all in one go; ``--dry-run`` stops after the check.
New categories, agencies and sites are created only with ``--create-missing``.

``export KIND FILE`` writes the catalogue, the kits, the loans or the people to a .csv
or .xlsx file that ``import`` reads back.

Before anything is checked, the dry run prints how it read what could be read more
than one way: each date column's order (``--dates`` chooses it), what each status word
becomes, and what reading the file changed (invisible characters taken out, merged cells
read into each of their rows). The catalogue, kits and loans need no sign-in, as for
every other read; people (names, staff numbers, contact details) are exported only for a
signed-in administrator, who keeps them.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    PASSWORD_ENV,
    USER_ENV,
    acting,
    add_command,
    changes_data,
    opened,
)
from app.core.errors import DomainError, NotPermitted
from app.core.text import counted
from app.transfer.tabular import RowProblem

if TYPE_CHECKING:
    from app.cli.common import Subcommands
    from app.core.actor import Actor
    from app.storage.database import Database
    from app.transfer.dates import DateOrder
    from app.transfer.fields import Kind
    from app.transfer.names import NewName
    from app.transfer.service import ImportReport
    from app.transfer.tabular import Table

# How many problems the report lists before it says how many more there are.
DEFAULT_SHOWN = 50
# The largest --mapping @file read: a mapping is a few lines of JSON.
MAPPING_MAX_BYTES = 64 * 1024
# How many headings "Not imported:" names before it says how many more there are.
UNUSED_SHOWN = 20
BAR_WIDTH = 30
# What each kind of file holds, one and many.
NOUNS = {
    "items": ("item", "items"),
    "people": ("person", "people"),
    "loans": ("loan", "loans"),
    "kits": ("kit", "kits"),
}

IMPORT_EPILOG = """\
Columns are matched to fields by their headings: "Asset Tag", "asset_tag" and "Tag" are
all the asset tag; a Snipe-IT asset export ("Asset Tag", "Asset Name", "Model",
"Category", "Serial", "Default Location", "Company", "Status"…) maps by itself. To
choose yourself, give --mapping a JSON object of field → heading, or @file.json:

  --mapping '{"asset_tag": "Barcode", "name": "Description", "home_site": "Station"}'

Item fields: asset_tag, name, category, owner_agency, home_site (required; an equipment
manager's own agency owns kit with no owner given), make, model, serial_number,
quantity, pooled, condition, description, accessories, notes, acquired_on,
replacement_value, daily_hire_rate, status.
People fields: staff_number, agency (required), given_name and family_name (or
full_name, split at the last space), rank_or_role, home_site, email, phone, active.
Kit fields (--kind kits): name, owner_agency, home_site, members (required; an equipment
manager's own agency owns a kit with no owner given), description, member_notes.
Members are asset tags of items already in the catalogue, with how many of a pool:
"CFR-000221; CFR-000223:4"; notes are "CFR-000221=Check bung; CFR-000223=Check seals".
Each kit is checked as the kit form checks it, and made with its own audit event.

Dates such as 3/1/2023 are read in the order each date column settles: a date only
one order fits (25/08/2022, or 8/25/22) decides it; with none, day/month/year (the UK
order). The dry run says which order it used, with an example; --dates month-first (or
day-first) chooses. Dates written YYYY-MM-DD, and a workbook's date cells, are read as
they are. Two-digit years are the latest such year not in the future (22 is 2022).

Statuses: Available, Ready to Deploy, Deployed, On loan and Reserved come in available;
Retired, Archived, Lost, Stolen retired; Out of service, Pending, Undeployable and Out
for Repair come in out of service, each with an open unsafe defect "Imported as Pending
from FILE" for an equipment manager to clear. The dry run lists how each word is read.

Exit status: 0 when imported (or, with --dry-run, when every row is right); 1 when
anything is wrong, and then nothing was imported.
"""


def add_commands(commands: Subcommands) -> None:
    """Add ``import`` and ``export`` to ``kitshare-admin``."""
    importing = add_command(
        commands,
        "import",
        "import items, kits or people from a .csv or .xlsx file, all or nothing",
        cmd_import,
        description=(
            "Check every row of a .csv or .xlsx file and, if all are right, import them in "
            "one go. Nothing is imported while any row is wrong."
        ),
        epilog=IMPORT_EPILOG,
    )
    importing.add_argument("file", metavar="FILE", type=Path, help="the .csv or .xlsx file")
    importing.add_argument(
        "--kind",
        choices=["items", "people", "kits"],
        default="items",
        help="what the file holds (default: items); kits after the items they are made of",
    )
    importing.add_argument(
        "--mapping",
        metavar="JSON",
        help="field → column heading, as a JSON object or @file.json (default: guessed)",
    )
    importing.add_argument(
        "--dry-run", action="store_true", help="check every row, and import nothing"
    )
    importing.add_argument(
        "--dates",
        choices=["day-first", "month-first"],
        help="read dates such as 3/1/2023 day first (3 January, the UK order) or month "
        "first (1 March, the US order); default: decided from each date column",
    )
    importing.add_argument(
        "--create-missing",
        action="store_true",
        help="create the categories, agencies and sites the file names that are not on "
        "record (an administrator; an equipment manager only their own agency's sites)",
    )
    importing.add_argument(
        "--show",
        type=int,
        default=DEFAULT_SHOWN,
        metavar="N",
        help=f"list at most N problems (default: {DEFAULT_SHOWN}); the rest are counted",
    )
    changes_data(importing)

    exporting = commands.add_parser(
        "export",
        help="export the catalogue, loans, people or kits to a .csv or .xlsx file",
        description=(
            "Write every item, loan or person, or every kit in use, to a .csv or .xlsx file "
            "(by its ending), with headings `kitshare-admin import` reads back. People are "
            "exported only for a signed-in administrator."
        ),
    )
    exporting.add_argument(
        "kind", choices=["items", "people", "loans", "kits"], help="what to export"
    )
    exporting.add_argument("file", metavar="FILE", type=Path, help="where: a .csv or .xlsx file")
    changes_data(exporting)
    exporting.set_defaults(handler=cmd_export, parser=exporting)


# -- progress --------------------------------------------------------------------------------


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.shown = _is_terminal(self.stream)
        self.drawn = False

    def __call__(self, done: int, total: int) -> bool:
        if self.shown:
            share = min(done / total, 1.0) if total else 0.0
            filled = round(share * BAR_WIDTH)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stream.write(f"\r{self.label} [{bar}] {share:4.0%}")
            self.stream.flush()
            self.drawn = True
        return True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except ValueError:  # closed
        return False


# -- import ----------------------------------------------------------------------------------


def _mapping(text: str | None) -> dict[str, str] | None:
    """The --mapping given: JSON, or @file holding JSON; None when not given."""
    if text is None:
        return None
    source = text
    if text.startswith("@"):
        source = _mapping_file(Path(text[1:]))
    try:
        value = json.loads(source)
    except json.JSONDecodeError as error:
        raise DomainError(
            f"--mapping is not valid JSON ({error.msg} at character {error.pos + 1}); give "
            'an object such as {"asset_tag": "Barcode", "name": "Description"}.'
        ) from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise DomainError(
            "--mapping must be a JSON object of field → column heading, such as "
            '{"asset_tag": "Barcode", "name": "Description"}.'
        )
    return value


def _mapping_file(path: Path) -> str:
    """The text of a --mapping @file: a small UTF-8 file, never a pipe or a device (which
    would hang, or never end)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAPPING_MAX_BYTES:
            raise DomainError(
                f"The mapping file “{path}” is not a small text file (a mapping is a JSON "
                f"object of a few lines, up to {MAPPING_MAX_BYTES // 1024} KB). Check its name, "
                "or give the mapping as JSON."
            )
        return path.read_bytes()[:MAPPING_MAX_BYTES].decode("utf-8-sig")
    except OSError as error:
        raise DomainError(
            f"Could not read the mapping file “{path}” ({error.strerror or error}). Check "
            "its name, or give the mapping as JSON."
        ) from None
    except UnicodeDecodeError:
        raise DomainError(
            f"The mapping file “{path}” is not UTF-8 text. Save it as UTF-8 (or give the "
            "mapping as JSON), and run the import again."
        ) from None


def _problem_line(problem: RowProblem) -> str:
    where = f"row {problem.row}"
    if problem.column:
        where += f", “{problem.column}”"
    return f"  {where}: {problem.reason}"


def _print_mapping(mapping: dict[str, str], headers: tuple[str, ...], kind: Kind) -> None:
    from app.transfer.fields import fields_for

    labels = {f.key: f.label for f in fields_for(kind)}
    if not mapping:
        print("No column matched a Kit Share field.")
    else:
        print("Columns:")
        for key, header in mapping.items():
            print(f"  {labels.get(key, key)} ← “{header}”")
    unused = [h for h in headers if h.strip() and h not in mapping.values()]
    if unused:
        listed = ", ".join(f"“{h}”" for h in unused[:UNUSED_SHOWN])
        if len(unused) > UNUSED_SHOWN:
            listed += f" and {len(unused) - UNUSED_SHOWN:,} more"
        print(f"Not imported: {listed}.")


def _print_notices(report: ImportReport, *, chosen: bool) -> None:
    if not report.notices:
        return
    print("How the file was read:")
    for notice in report.notices:
        print(f"  {notice}")
    if report.dates and not chosen:
        print("  (--dates day-first or --dates month-first chooses how such dates are read.)")


def _print_names(names: tuple[NewName, ...], *, creating: bool, dry_run: bool) -> None:
    if not names:
        return
    print("New names in the file, not on record:")
    for name in names:
        owner = f" for {name.agency}" if name.agency else ""
        rows = counted(name.rows, "row", "rows")
        print(f"  {name.kind.value} “{name.name}”{owner} ({rows})")
    if creating:
        print(f"They {'would be' if dry_run else 'are'} created with the import.")
    else:
        print("They are not created: give --create-missing to create them with the import.")


def _print_report(report: ImportReport, shown: int) -> None:
    problems = report.problems
    if not problems:
        return
    print(f"{counted(len(problems), 'problem', 'problems')}:")
    for problem in problems[: max(shown, 0)]:
        print(_problem_line(problem))
    rest = len(problems) - max(shown, 0)
    if rest > 0:
        rows = len({p.row for p in problems[max(shown, 0) :]})
        more = counted(rest, "more problem", "more problems")
        print(f"  … and {more} in {counted(rows, 'row', 'rows')} (--show N lists more).")


def cmd_import(url: str, args: argparse.Namespace) -> int:
    from app.transfer.dates import DateOrder
    from app.transfer.fields import Kind, guess_mapping
    from app.transfer.service import ImportRefused, run_import
    from app.transfer.tabular import read_table

    kind = Kind(args.kind)
    given = _mapping(args.mapping)
    dates = DateOrder(args.dates) if args.dates else None
    with acting(url, args) as (db, actor):
        bar = ProgressBar(f"Reading {args.file.name}")
        try:
            table = read_table(args.file, progress=bar)
        finally:
            bar.finish()
        mapping = given if given is not None else guess_mapping(table.headers, kind)
        noun = NOUNS[kind.value]
        print(
            f"Read {counted(len(table.rows), 'row', 'rows')} from {args.file.name} "
            f"({table.encoding})."
        )
        _print_mapping(mapping, table.headers, kind)
        report, create = _checked(
            db, actor, table, kind, mapping, create_missing=args.create_missing, dates=dates
        )
        _print_notices(report, chosen=dates is not None)
        _print_names(report.new_names, creating=args.create_missing, dry_run=args.dry_run)
        _print_report(report, args.show)
        if not report.ok:
            print(
                f"Nothing was imported: {counted(report.bad_rows, 'row needs', 'rows need')} "
                "fixing. Correct the file and run the import again."
            )
            return EXIT_REFUSED
        if args.dry_run:
            one = report.total_rows == 1
            every = "the 1 row is" if one else f"all {report.total_rows:,} rows are"
            print(
                f"Dry run: {every} right; nothing was imported. Run again without --dry-run "
                f"to import {'it' if one else 'them'}."
            )
            return EXIT_OK
        bar = ProgressBar("Importing")
        try:
            result = run_import(
                db, actor, table, kind, mapping, create=create, progress=bar, dates=dates
            )
        except ImportRefused as refused:
            bar.finish()
            _print_report(refused.report, args.show)
            print(f"{refused.message} Something changed since the check; run it again.")
            return EXIT_REFUSED
        finally:
            bar.finish()
    made = ""
    if result.created_names:
        listed = ", ".join(f"{n.kind.value} “{n.name}”" for n in result.created_names)
        made = f" Created {listed}."
    print(f"Imported {counted(result.created, *noun)} from {args.file.name}, all in one go.{made}")
    return EXIT_OK


def _checked(
    db: Database,
    actor: Actor,
    table: Table,
    kind: Kind,
    mapping: dict[str, str],
    *,
    create_missing: bool,
    dates: DateOrder | None,
) -> tuple[ImportReport, frozenset[tuple[str, str, str | None]]]:
    """The dry run's report, and the new names approved: with ``create_missing``, every
    one the first check offers, checked again with them approved."""
    from app.transfer.service import check_import

    bar = ProgressBar("Checking")
    try:
        report = check_import(db, actor, table, kind, mapping, progress=bar, dates=dates)
        create: frozenset[tuple[str, str, str | None]] = frozenset()
        if create_missing and report.new_names:
            create = frozenset(name.key for name in report.new_names)
            report = check_import(
                db, actor, table, kind, mapping, create=create, progress=bar, dates=dates
            )
    finally:
        bar.finish()
    return report, create


# -- export ----------------------------------------------------------------------------------


def cmd_export(url: str, args: argparse.Namespace) -> int:
    from app.core.actor import Actor
    from app.transfer.export import export
    from app.transfer.fields import Kind

    kind = Kind(args.kind)
    if kind is Kind.PEOPLE and not (args.user or os.environ.get(USER_ENV)):
        raise NotPermitted(
            f"Exporting people needs an administrator to sign in: give --user NAME (or set "
            f"{USER_ENV}), with the password in {PASSWORD_ENV} or typed when asked. The "
            "catalogue, kits and loans export without signing in."
        )
    bar = ProgressBar(f"Exporting {kind.value}")
    try:
        if kind is Kind.PEOPLE:
            with acting(url, args) as (db, actor):
                count = export(db, actor, kind, args.file, progress=bar)
        else:
            with opened(url, args) as db:
                count = export(db, Actor(name="kitshare-admin"), kind, args.file, progress=bar)
    finally:
        bar.finish()
    print(f"Exported {counted(count, *NOUNS[kind.value])} to {args.file}.")
    return EXIT_OK
