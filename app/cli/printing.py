"""``kitshare-admin print-terms``, ``print-form`` and ``labels``: documents to PDF files.

The PDF writer comes from the program that started the command line (``ui.admin``
hands over Qt's page layout), since this layer may not import Qt.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.common import EXIT_OK, opened, record_number
from app.core.errors import DomainError
from app.core.text import counted

if TYPE_CHECKING:
    from app.cli.common import PdfWriter, Printable, Subcommands


def add_commands(commands: Subcommands) -> None:
    """Add ``print-terms``, ``print-form`` and ``labels`` to ``kitshare-admin``."""
    terms = commands.add_parser(
        "print-terms", help="print an item's sharing terms (its MoU and protocol) to a PDF"
    )
    terms.add_argument("tag", help="the item's asset tag")
    _add_pdf_option(terms)
    terms.set_defaults(handler=cmd_print_terms)
    form = commands.add_parser(
        "print-form", help="print a loan's hand-over and return form to a PDF"
    )
    form.add_argument("loan_id", type=record_number, metavar="LOAN_ID", help="the loan number")
    _add_pdf_option(form)
    form.set_defaults(handler=cmd_print_form)
    labels = commands.add_parser(
        "labels", help="print asset labels with QR codes on A4 label sheets to a PDF"
    )
    labels.add_argument("tags", nargs="*", metavar="TAG", help="the items' asset tags")
    labels.add_argument("--all", action="store_true", help="every item that is not retired")
    _add_pdf_option(labels)
    labels.set_defaults(handler=cmd_labels)


def _add_pdf_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pdf", metavar="OUT", required=True, type=Path, help="the PDF to write")


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
    print(f"Wrote {target} ({counted(pages, 'page')}).")
    return EXIT_OK


def cmd_print_terms(url: str, args: argparse.Namespace) -> int:
    from app.documents.content import sharing_terms_for_tag

    with opened(url, args) as db:
        document = sharing_terms_for_tag(db, args.tag)
    return _write_pdf(args, document)


def cmd_print_form(url: str, args: argparse.Namespace) -> int:
    from app.documents.content import handover_form

    with opened(url, args) as db:
        document = handover_form(db, args.loan_id)
    return _write_pdf(args, document)


def cmd_labels(url: str, args: argparse.Namespace) -> int:
    from app.documents.content import all_label_item_ids, asset_labels, item_ids_for_tags

    if args.all == bool(args.tags):
        raise DomainError("Give the asset tags to print labels for, or --all, but not both.")
    with opened(url, args) as db:
        ids = all_label_item_ids(db) if args.all else item_ids_for_tags(db, args.tags)
        sheet = asset_labels(db, ids)
    return _write_pdf(args, sheet)
