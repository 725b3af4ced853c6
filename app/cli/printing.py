"""``kitshare-admin print-terms``, ``print-form`` and ``labels``: documents to PDF files,
for items and for kits (``--kit NAME``).

The PDF writer comes from the program that started the command line (``ui.admin``
hands over Qt's page layout), since this layer may not import Qt.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.common import EXIT_OK, agency_id_named, opened, record_number
from app.core.errors import DomainError
from app.core.text import counted

if TYPE_CHECKING:
    from app.cli.common import PdfWriter, Printable, Subcommands
    from app.documents.content import LabelSheet
    from app.storage.database import Database


def add_commands(commands: Subcommands) -> None:
    """Add ``print-terms``, ``print-form`` and ``labels`` to ``kitshare-admin``."""
    terms = commands.add_parser(
        "print-terms",
        help="print an item's or a kit's sharing terms (its MoUs and protocols) to a PDF",
    )
    terms.add_argument("tag", nargs="?", help="the item's asset tag")
    terms.add_argument("--kit", metavar="NAME", help="a kit's terms instead: the kit's name")
    terms.add_argument(
        "--borrower",
        metavar="AGENCY",
        help="with --kit: the terms for this borrowing agency (name or short code)",
    )
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
    labels.add_argument(
        "--kit",
        action="append",
        metavar="NAME",
        help="a kit's label, whose QR code opens the kit (repeat for several kits)",
    )
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
    from app.documents.content import PrintedDocument, sharing_terms_for_tag

    if (args.tag is None) == (args.kit is None):
        raise DomainError("Give the item's asset tag, or --kit NAME for a kit's terms, not both.")
    if args.borrower is not None and args.kit is None:
        raise DomainError("--borrower goes with --kit: an item's terms are the same for all.")
    document: PrintedDocument
    with opened(url, args) as db:
        if args.kit is None:
            document = sharing_terms_for_tag(db, args.tag)
        else:
            from app.documents.kits import kit_sharing_terms
            from app.kits.service import find_kit

            kit = find_kit(db, args.kit)
            borrower = agency_id_named(db, args.borrower)
            document = kit_sharing_terms(db, kit.id, borrower_id=borrower)
    return _write_pdf(args, document)


def cmd_print_form(url: str, args: argparse.Namespace) -> int:
    from app.documents.content import handover_form

    with opened(url, args) as db:
        document = handover_form(db, args.loan_id)
    return _write_pdf(args, document)


def cmd_labels(url: str, args: argparse.Namespace) -> int:
    from app.documents.content import all_label_item_ids, asset_labels, item_ids_for_tags

    kits: list[str] = args.kit or []
    if args.all == bool(args.tags or kits):
        raise DomainError(
            "Give the asset tags to print labels for, or --all, but not both. For a kit's "
            "label, give --kit NAME."
        )
    with opened(url, args) as db:
        if kits:
            sheet = _kit_label_sheet(db, args.tags, kits)
        else:
            ids = all_label_item_ids(db) if args.all else item_ids_for_tags(db, args.tags)
            sheet = asset_labels(db, ids)
    return _write_pdf(args, sheet)


def _kit_label_sheet(db: Database, tags: list[str], kits: list[str]) -> LabelSheet:
    """The kits' labels, after the items' if tags are given too: one sheet for both."""
    from dataclasses import replace

    from app.documents.content import asset_labels, item_ids_for_tags
    from app.documents.kits import kit_labels
    from app.kits.service import find_kit

    sheet = kit_labels(db, [find_kit(db, name).id for name in kits])
    if not tags:
        return sheet
    items = asset_labels(db, item_ids_for_tags(db, tags))
    labels = (*items.labels, *sheet.labels)
    return replace(
        sheet,
        title=f"Labels ({len(labels)})",
        labels=labels,
        file_name=f"labels-{len(labels)}.pdf",
    )
