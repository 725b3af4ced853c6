"""``kitshare-admin report``: the reports the Reports view shows, printed or saved as CSV.

``kitshare-admin report KEY [--from DD/MM/YYYY] [--to DD/MM/YYYY] [--agency A]
[--csv FILE] [--json]`` prints one report (or saves it); ``report --list`` names them all.
Reading needs no sign-in, except for a report kept for some roles (qualifications
expiring), which is read as ``--user``. The period defaults to the financial year so far.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.common import (
    EXIT_OK,
    USER_ENV,
    acting,
    add_agency_option,
    add_command,
    add_json_option,
    agency_id_named,
    opened,
    print_json,
    uk_date,
)
from app.core.actor import Actor
from app.core.errors import DomainError
from app.reports.period import Period, check_period, default_period, financial_year_start
from app.reports.report import ColumnKind, Report, display, report_json, write_report_csv
from app.reports.service import build_report, report_key, report_spec, report_specs

if TYPE_CHECKING:
    from app.cli.common import Subcommands
    from app.storage.database import Database

REPORT_EPILOG = """\
The period is from --from to --to, both days included (DD/MM/YYYY). Without them it is
the financial year so far (1 April to today); --from alone runs to today, and --to alone
starts on 1 April of its financial year. Overdue now, Inspections due and Qualifications
expiring look at today and the days ahead, so they take no period.

--agency limits a report to one agency (name or short code): the kit it owns for most
reports, the loans it borrowed for loans-per-month, loans to or from it for overdue, and
its people for qualifications-expiring.

Qualifications expiring is kept for equipment managers and administrators: read it as
--user NAME (or KITSHARE_USER), with the password in KITSHARE_PASSWORD or typed when asked.

examples:
  kitshare-admin report --list
  kitshare-admin report value-of-sharing --from 01/04/2026 --to 31/03/2027
  kitshare-admin report utilisation --agency CAMBS-FRS --csv utilisation.csv
  kitshare-admin report overdue --json
"""


def add_commands(commands: Subcommands) -> None:
    """Add ``report`` to ``kitshare-admin``."""
    report = add_command(
        commands,
        "report",
        "print a report (loans, utilisation, value of sharing…), or save it as CSV",
        cmd_report,
        description="Print one of the reports the Reports view shows, or save it as CSV.",
        epilog=REPORT_EPILOG,
    )
    report.add_argument(
        "key", nargs="?", metavar="KEY", help="which report, e.g. utilisation (see --list)"
    )
    report.add_argument("--list", action="store_true", help="list the reports and what each shows")
    report.add_argument(
        "--from", dest="start", metavar="DATE", type=uk_date, help="first day (DD/MM/YYYY)"
    )
    report.add_argument(
        "--to", dest="end", metavar="DATE", type=uk_date, help="last day (DD/MM/YYYY)"
    )
    add_agency_option(report)
    # SUPPRESS: left out here, the --user given before the command (or none) stands.
    report.add_argument(
        "--user",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help=f"read as this account (default: {USER_ENV}); needed only for a report kept "
        "for some roles",
    )
    report.add_argument(
        "--csv", metavar="FILE", type=Path, help="save the table as CSV (or .xlsx) instead"
    )
    add_json_option(report, "print the report as JSON")


def report_period(start: date | None, end: date | None, today: date) -> Period:
    """The period the options ask for; the financial year so far when they say nothing."""
    if start is not None and end is not None and start > end:
        raise DomainError(
            f"--from {start:%d/%m/%Y} is after --to {end:%d/%m/%Y}: give a --from on or "
            "before the --to date."
        )
    if start is None:
        period = default_period(today) if end is None else Period(financial_year_start(end), end)
    else:
        period = Period(start, end if end is not None else max(start, today))
    check_period(period)
    return period


@contextmanager
def reading(url: str, args: argparse.Namespace) -> Iterator[tuple[Database, Actor]]:
    """The database, and who reads it: the account named by ``--user`` (or
    ``KITSHARE_USER``), signed in, else no one, whom a report kept for some roles refuses."""
    if args.user or os.environ.get(USER_ENV):
        with acting(url, args) as signed_in:
            yield signed_in
        return
    with opened(url, args) as db:
        yield db, Actor(name="kitshare-admin")


def cmd_report(url: str, args: argparse.Namespace) -> int:
    from app.core.clock import today_uk

    if args.list:
        if args.key is not None:
            raise DomainError("Give either --list or a report's key, not both.")
        specs = report_specs()
        if args.json:
            print_json(
                [
                    {
                        "key": s.key.value,
                        "title": s.title,
                        "description": s.description,
                        "uses_period": s.uses_period,
                    }
                    for s in specs
                ]
            )
            return EXIT_OK
        width = max(len(s.key.value) for s in specs)
        for s in specs:
            when = "" if s.uses_period else " (no period: looks at today)"
            print(f"{s.key.value:<{width}}  {s.title}: {s.description}{when}")
        return EXIT_OK
    if args.key is None:
        raise DomainError(
            "Say which report: `kitshare-admin report KEY`, e.g. `report utilisation`. "
            "`kitshare-admin report --list` lists them."
        )
    key = report_key(args.key)
    spec = report_spec(key)
    today = today_uk()
    period = report_period(args.start, args.end, today)
    with reading(url, args) as (db, actor):
        agency_id = agency_id_named(db, args.agency)
        report = build_report(db, key, period, actor=actor, agency_id=agency_id, today=today)
    if args.csv is not None:
        written = write_report_csv(report, args.csv)
        if not args.json:
            print(f"Saved “{report.title}” ({report.subtitle}) to {args.csv}: {written} rows.")
    if args.json:
        print_json(report_json(report))
    elif args.csv is None:
        _print_report(report)
    if not spec.uses_period and (args.start is not None or args.end is not None):
        print(
            f"Note: “{spec.title}” looks at today, so --from and --to were not used.",
            file=sys.stderr,
        )
    return EXIT_OK


def _print_report(report: Report) -> None:
    """The report as a plain text table: figures right-aligned, then the notes."""
    print(report.title)
    print(report.subtitle)
    print()
    lines = [*report.rows, *((report.totals,) if report.totals is not None else ())]
    cells = [
        [display(value, column.kind) for value, column in zip(line, report.columns, strict=True)]
        for line in lines
    ]
    titles = [column.title for column in report.columns]
    widths = [max([len(title), *(len(row[i]) for row in cells)]) for i, title in enumerate(titles)]
    figures = [column.kind is not ColumnKind.TEXT for column in report.columns]

    def line(texts: list[str]) -> str:
        return "  ".join(
            text.rjust(width) if figure else text.ljust(width)
            for text, width, figure in zip(texts, widths, figures, strict=True)
        ).rstrip()

    print(line(titles))
    print(line(["-" * width for width in widths]))
    if not report.rows:
        print("Nothing to show.")
    for index, row in enumerate(cells):
        if report.totals is not None and index == len(report.rows):
            print(line(["-" * width for width in widths]))
        print(line(row))
    for note in report.notes:
        print()
        print(note)
