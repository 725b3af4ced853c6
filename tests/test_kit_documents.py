"""Kits on paper, on SQLite and PostgreSQL: the sharing terms of a kit, the hand-over form
of a loan made from one, a kit's label whose QR code opens the kit, the command line's
``print-terms --kit`` and ``labels --kit``, and a kit's audit events in the trail's words.

The kits are made in each test, with ``create_kit``, from the demo's fire and rescue kit.
"""

from __future__ import annotations

import os

# Before any Qt application exists: these tests must run on machines without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
import zxingcpp
from pypdf import PdfReader
from sqlalchemy import select

from app.audit.trail import AuditQuery, list_audit
from app.core.actor import Actor
from app.core.clock import now_utc
from app.core.errors import DomainError
from app.documents.content import KIT_CHECK, NotShareable, handover_form
from app.documents.kits import SIGNATURES_HEADING, kit_labels, kit_sharing_terms
from app.kits.lending import kit_loan_draft, without_member
from app.kits.rules import KitDraft, MemberDraft
from app.kits.search import kit_code, scanned_kit, search_kits
from app.kits.service import create_kit, get_kit, retire_kit, update_kit
from app.loans.service import request_loan
from app.storage.database import Database
from models import Agency, EquipmentItem, Person, Role, Site
from ui.admin import main
from ui.printing.documents import write_pdf

# A QApplication before anything prints: ``write_pdf`` would otherwise make a bare
# QGuiApplication, and a window test later in the same run could not make widgets.
pytestmark = pytest.mark.usefixtures("qapp")

ADMIN = Actor(name="Claire Ashworth (test)", role=Role.ADMINISTRATOR)
FLOOD_KIT = "Test flood response kit"
SCENE_KIT = "Test scene lighting kit"
# The members of the flood kit: (tag, how many, note). Four protocols of two MoUs lend
# them; the cordon asks the longest notice (72 hours), the boat the shortest longest
# loan (96 hours), and the boat and the tower each a qualification of their own.
FLOOD_MEMBERS = (
    ("CFR-000221", 1, "Check bung and kill cord"),
    ("CFR-000223", 4, "Check dry suit seals"),
    ("CFR-000224", 6, ""),
    ("CFR-000230", 1, "Fuel full"),
    ("CFR-000250", 10, ""),
    ("CFR-000298", 1, ""),
)
# The scene kit: every member lent to Cambridgeshire Constabulary by the tri-service MoU.
SCENE_MEMBERS = (
    ("CFR-000230", 1, "Check fuel"),
    ("CFR-000250", 2, "Count the feet"),
    ("CFR-000300", 1, ""),
)


@dataclass(frozen=True)
class Demo:
    fire: int
    police: int
    huntingdon: int
    police_person: int  # someone of the police to ask for a loan
    items: dict[str, int]  # id by tag


def demo(db: Database) -> Demo:
    with db.read() as session:
        codes = {
            code: agency_id for agency_id, code in session.execute(select(Agency.id, Agency.code))
        }
        items = {
            tag: item_id
            for item_id, tag in session.execute(select(EquipmentItem.id, EquipmentItem.asset_tag))
        }
        huntingdon = session.scalars(
            select(Site.id).where(Site.name == "Huntingdon Fire Station")
        ).one()
        person = session.scalars(
            select(Person.id).where(Person.agency_id == codes["CAMBS-POL"]).order_by(Person.id)
        ).first()
    assert person is not None
    return Demo(codes["CAMBS-FRS"], codes["CAMBS-POL"], huntingdon, person, items)


def make_kit(
    db: Database, name: str, members: Sequence[tuple[str, int, str]], description: str = ""
) -> int:
    """A kit of the demo's fire and rescue service, kept at Huntingdon."""
    world = demo(db)
    draft = KitDraft(
        name=name,
        owner_agency_id=world.fire,
        home_site_id=world.huntingdon,
        description=description,
        members=tuple(MemberDraft(world.items[tag], n, note) for tag, n, note in members),
    )
    return create_kit(db, draft, ADMIN)


def text_of(html: str) -> str:
    """The document's words without its markup, spaces run together."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&amp;", "&").split())


def pdf_text(path: Path) -> str:
    """Every page's text, ligatures ("ﬂ") undone and spaces run together."""
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())


def decoded(path: Path) -> list[str]:
    """The QR codes on the first page, rendered at 300 dpi as a scanner would see them."""
    image = pdfium.PdfDocument(str(path))[0].render(scale=300 / 72).to_pil()
    return [code.text for code in zxingcpp.read_barcodes(image)]


# -- the sharing terms of a kit ----------------------------------------------------------------


def test_a_kits_terms_list_every_member_its_protocols_and_the_strictest_terms(
    demo_db: Database,
) -> None:
    kit_id = make_kit(demo_db, FLOOD_KIT, FLOOD_MEMBERS, "Boat, suits and lines for a flood.")

    document = kit_sharing_terms(demo_db, kit_id)

    words = text_of(document.html)
    assert document.title == f"Sharing terms: kit {FLOOD_KIT}"
    assert document.file_name == "sharing-terms-kit-test-flood-response-kit.pdf"
    assert document.keep_together == (SIGNATURES_HEADING,)
    kit = get_kit(demo_db, kit_id)
    for number, member in enumerate(kit.members, 1):
        row = f"{number} {member.asset_tag} {member.name} {member.quantity}"
        assert row in words, row
        if member.note:
            assert f"{member.quantity} {member.note}" in words
    assert "Boat, suits and lines for a flood." in words
    # Grouped by protocol: each protocol's heading once, with the members it lends.
    assert words.count("“Cross-border flood rescue equipment” (NFRS-CFRS-MOU-2025-02") == 1
    assert "Lends CFR-000221, CFR-000223, CFR-000224 May be requested by" in words
    assert "Lends CFR-000230 May be requested by" in words
    assert "“Barriers, tents, shelters and fencing”" in words
    assert "Lends CFR-000298 May be requested by" in words
    # Both MoUs, each with its clauses.
    assert "The Memoranda of Understanding" in words
    assert words.count("Its clauses, as signed") == 2
    # The strictest of the terms, for the whole kit.
    assert "Notice needed 3 days before collection (waived in an emergency)" in words
    assert "Longest loan 4 days (“Cross-border flood rescue equipment”)" in words
    assert (
        "every one of these, current on the day of hand-over: Flood rescue technician "
        "(Module 3) Lighting tower operator" in words
    )
    # No agency is covered by all four protocols: said, not hidden.
    assert "No agency is covered by every member's protocol" in words
    # One signature block: one place for each party to sign.
    assert words.count(SIGNATURES_HEADING) == 1
    assert words.count("For the lending party") == 1
    assert words.count("For the borrowing party") == 1


def test_a_kits_terms_for_a_borrower_use_its_protocols_or_name_the_member_it_may_not_have(
    demo_db: Database,
) -> None:
    world = demo(demo_db)
    scene = make_kit(demo_db, SCENE_KIT, SCENE_MEMBERS)
    flood = make_kit(demo_db, FLOOD_KIT, FLOOD_MEMBERS)

    words = text_of(kit_sharing_terms(demo_db, scene, borrower_id=world.police).html)

    assert "lent as one by Cambridgeshire Fire and Rescue Service to Cambridgeshire" in words
    assert "Borrowing party Cambridgeshire Constabulary" in words
    assert "Notice needed 3 days before collection" in words
    assert "Longest loan 2 days (“Search equipment”)" in words
    assert "For the borrowing party Cambridgeshire Constabulary" in words
    with pytest.raises(NotShareable, match="CFR-000298") as refused:
        kit_sharing_terms(demo_db, flood, borrower_id=world.police)
    assert "Cambridgeshire Constabulary is not covered to borrow" in refused.value.message


# -- the hand-over and return form of a kit's loan ---------------------------------------------


def test_a_kit_loans_form_has_a_tick_line_per_member_at_hand_over_and_return(
    demo_db: Database,
) -> None:
    world = demo(demo_db)
    kit_id = make_kit(demo_db, SCENE_KIT, SCENE_MEMBERS)
    # Well after the demo's bookings, so every member is free.
    start = now_utc().replace(minute=0, second=0, microsecond=0) + timedelta(days=90)
    draft = kit_loan_draft(
        get_kit(demo_db, kit_id),
        borrower_agency_id=world.police,
        requested_by_id=world.police_person,
        purpose="Night search of the Ouse washes",
        starts_at=start,
        due_at=start + timedelta(hours=20),
    )
    sonar = world.items["CFR-000300"]
    whole = request_loan(demo_db, draft, ADMIN)
    later = replace(
        without_member(draft, sonar),
        starts_at=start + timedelta(days=2),
        due_at=start + timedelta(days=2, hours=20),
    )
    part = request_loan(demo_db, later, ADMIN)

    document = handover_form(demo_db, whole)

    words = text_of(document.html)
    assert f"Kit {SCENE_KIT} (CAMBS-FRS)" in words
    assert f"Made from kit “{SCENE_KIT}” (3 members)" in words
    # Each member: its note, or that it is with the kit, to tick out and to tick back.
    assert "Check fuel ☐ checked ☐ checked" in words
    assert "Count the feet ☐ checked ☐ checked" in words
    assert f"{KIT_CHECK} ☐ checked ☐ checked" in words
    assert words.count("☐ checked") == 2 * len(SCENE_MEMBERS)
    assert "Not lent this time" not in words

    left_out = text_of(handover_form(demo_db, part).html)
    assert "Not lent this time: CFR-000300 “Side-scan sonar, boat-mounted”." in left_out
    assert left_out.count("☐ checked") == 2 * (len(SCENE_MEMBERS) - 1)


def test_a_form_of_a_loan_without_a_kit_has_no_kit_checks(demo_db: Database) -> None:
    world = demo(demo_db)
    kit_id = make_kit(demo_db, SCENE_KIT, SCENE_MEMBERS)
    start = now_utc().replace(minute=0, second=0, microsecond=0) + timedelta(days=90)
    draft = kit_loan_draft(
        get_kit(demo_db, kit_id),
        borrower_agency_id=world.police,
        requested_by_id=world.police_person,
        purpose="Lighting only",
        starts_at=start,
        due_at=start + timedelta(hours=20),
    )
    loan = request_loan(demo_db, replace(draft, kit_id=None, lines=draft.lines[:1]), ADMIN)

    words = text_of(handover_form(demo_db, loan).html)
    assert "☐ checked" not in words
    assert "Made from kit" not in words


# -- a kit's label -----------------------------------------------------------------------------


def test_a_kits_label_scans_to_the_code_the_search_box_opens_the_kit_with(
    demo_db: Database, tmp_path: Path
) -> None:
    flood = make_kit(demo_db, FLOOD_KIT, FLOOD_MEMBERS)
    scene = make_kit(demo_db, SCENE_KIT, SCENE_MEMBERS)
    sheet = kit_labels(demo_db, [flood, scene])
    path = tmp_path / sheet.file_name

    assert write_pdf(sheet, path) == 1

    codes = decoded(path)
    assert sorted(codes) == sorted(
        [kit_code(get_kit(demo_db, flood)), kit_code(get_kit(demo_db, scene))]
    )
    assert f"KIT:{FLOOD_KIT} (CAMBS-FRS)" in codes
    for code, kit_id in zip(
        [f"KIT:{FLOOD_KIT} (CAMBS-FRS)", f"KIT:{SCENE_KIT} (CAMBS-FRS)"],
        [flood, scene],
        strict=True,
    ):
        # Typed into the search box by a scanner: that kit, and no other.
        assert [hit.kit.id for hit in search_kits(demo_db, code)] == [kit_id]
        found = scanned_kit(demo_db, code)
        assert found is not None
        assert found.id == kit_id
    # A scanner set to lower case, or with a space after the colon, reads the same.
    assert [
        hit.kit.id for hit in search_kits(demo_db, f"kit: {SCENE_KIT.lower()} (cambs-frs)")
    ] == [scene]
    # The words of the label are not a code: the ordinary search still finds kits by word.
    assert scene in [hit.kit.id for hit in search_kits(demo_db, "scene lighting")]
    assert scanned_kit(demo_db, "scene lighting") is None
    assert f"KIT {FLOOD_KIT} (6 items)" in pdf_text(path)


def test_a_label_of_a_retired_or_renamed_kit_opens_nothing(demo_db: Database) -> None:
    kit_id = make_kit(demo_db, SCENE_KIT, SCENE_MEMBERS)
    code = kit_code(get_kit(demo_db, kit_id))
    kit = get_kit(demo_db, kit_id)
    update_kit(
        demo_db,
        kit_id,
        replace(kit.as_draft(), name="Renamed lighting kit"),
        ADMIN,
        kit.row_version,
    )
    assert search_kits(demo_db, code) == []
    renamed = kit_code(get_kit(demo_db, kit_id))
    assert [hit.kit.id for hit in search_kits(demo_db, renamed)] == [kit_id]
    retire_kit(demo_db, kit_id, ADMIN, "Replaced")
    assert search_kits(demo_db, renamed) == []
    with pytest.raises(DomainError, match="retired; a retired kit gets no label"):
        kit_labels(demo_db, [kit_id])


# -- the command line --------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], url: str, *args: str | Path) -> tuple[int, str, str]:
    status = main(["--database", url, *(str(a) for a in args)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_print_terms_and_labels_of_a_kit_from_the_command_line(
    demo_db: Database, demo_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    make_kit(demo_db, FLOOD_KIT, FLOOD_MEMBERS)
    make_kit(demo_db, SCENE_KIT, SCENE_MEMBERS)
    terms, labels = tmp_path / "terms.pdf", tmp_path / "labels.pdf"

    status, out, err = run(capsys, demo_url, "print-terms", "--kit", "test flood", "--pdf", terms)

    assert (status, err) == (0, "")
    pages = len(PdfReader(terms).pages)
    assert out == f"Wrote {terms} ({pages} pages).\n"
    text = pdf_text(terms)
    assert FLOOD_KIT in text
    for tag, _, _ in FLOOD_MEMBERS:
        assert tag in text
    assert f"Page 1 of {pages}" in text

    status, out, err = run(
        capsys,
        demo_url,
        "print-terms",
        "--kit",
        SCENE_KIT,
        "--borrower",
        "CAMBS-POL",
        "--pdf",
        terms,
    )
    assert (status, err) == (0, "")
    assert "Borrowing party Cambridgeshire Constabulary" in pdf_text(terms)

    status, out, err = run(
        capsys,
        demo_url,
        *("labels", "CFR-000231", "--kit", FLOOD_KIT, "--kit", SCENE_KIT, "--pdf", labels),
    )
    assert (status, out, err) == (0, f"Wrote {labels} (1 page).\n", "")
    assert sorted(decoded(labels)) == sorted(
        ["CFR-000231", f"KIT:{FLOOD_KIT} (CAMBS-FRS)", f"KIT:{SCENE_KIT} (CAMBS-FRS)"]
    )


def test_the_command_line_refuses_a_kit_it_cannot_print(
    demo_db: Database, demo_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    make_kit(demo_db, FLOOD_KIT, FLOOD_MEMBERS)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "terms.pdf"

    for args, said in (
        (("print-terms", "CFR-000231", "--kit", FLOOD_KIT), "not both"),
        (("print-terms", "--kit", "No such kit"), "No kit is called “No such kit”"),
        (("print-terms", "--kit", FLOOD_KIT, "--borrower", "CAMBS-POL"), "CFR-000298"),
        (("print-terms", "CFR-000231", "--borrower", "CAMBS-POL"), "--borrower goes with --kit"),
        (("labels", "--all", "--kit", FLOOD_KIT), "For a kit's label, give --kit NAME."),
    ):
        status, printed, err = run(capsys, demo_url, *args, "--pdf", out)
        assert (status, printed) == (1, ""), args
        assert err.startswith("kitshare-admin: ")
        assert said in err, (args, err)
        assert list(folder.iterdir()) == []


# -- the audit trail ---------------------------------------------------------------------------


def test_a_kits_events_read_in_the_trails_words(demo_db: Database) -> None:
    kit_id = make_kit(demo_db, SCENE_KIT, SCENE_MEMBERS)
    kit = get_kit(demo_db, kit_id)
    draft = kit.as_draft()
    changed = replace(
        draft, members=(replace(draft.members[0], note="Check fuel and oil"), *draft.members[1:])
    )
    update_kit(demo_db, kit_id, changed, ADMIN, kit.row_version)
    retire_kit(demo_db, kit_id, ADMIN, "Replaced by the new lighting kit")

    page = list_audit(demo_db, AuditQuery(entity_type="kit", entity_id=kit_id), ADMIN)

    rows = {row.action: row for row in page.rows}
    assert [row.action for row in page.rows] == ["kit.retired", "kit.updated", "kit.created"]
    assert rows["kit.created"].action_words == "Kit added"
    assert rows["kit.created"].entity_words == "Kit"
    assert rows["kit.created"].record_label == f"Kit {kit_id}: {SCENE_KIT}"
    assert rows["kit.created"].summary.startswith(f"Name: {SCENE_KIT}; Owner agency (number): ")
    assert rows["kit.updated"].action_words == "Kit updated"
    assert rows["kit.updated"].summary == "Member 1: note: Check fuel → Check fuel and oil"
    assert rows["kit.retired"].action_words == "Kit retired"
    assert rows["kit.retired"].summary.endswith("Replaced by the new lighting kit")
