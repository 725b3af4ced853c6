"""The request form asking for several items of one lender as one loan, a line each: on
the demo (SQLite and PostgreSQL), signed in as its duty officer, driven by keys."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.catalogue.directory import find_item
from app.core.actor import Actor
from app.core.errors import Refused
from app.loans.drafts import LineDraft, LoanDraft, LoanWish
from app.loans.service import check_request
from app.loans.support import items_request_defaults, request_defaults, why_not_one_loan
from app.loans.views import get_loan
from app.people.accounts import sign_in
from app.storage.database import Database
from models import Loan, LoanStatus
from tests.ui.driving import shot
from tests.ui.loan_driving import settle
from tests.ui.test_loan_refusals import activate
from tests.ui.test_shift_keys import Keys, focused
from ui.loans.forms import RequestDialog
from ui.widgets.palette import REFUSED_STYLE

# The fire service's flood kit: dry suit sets (a pool of 12) and a boat (one, tagged).
PPE, BOAT = "CFR-000223", "CFR-000221"
PPE_NAME = "Flood rescue PPE set (dry suit, PFD, helmet)"
LINES = "CFR-000224"  # throw line bags, a pool of 20
PUMP = "CFR-000297"  # the fire service's, lent to Norfolk Fire and Rescue Service alone
BARRIERS = "CFR-000250"  # the fire service's, on 72 hours' notice and for 14 days at most
POLICE_BARRIERS = "BED-000501"  # Bedfordshire Police's
TWO_LENDERS = (
    "A loan is lent by one agency: these items belong to Cambridgeshire Fire and Rescue "
    "Service and Bedfordshire Police. Choose items of one agency, or ask for each "
    "agency's items in a request of its own."
)


@pytest.fixture
def duty(demo_db: Database) -> Actor:
    """The demo's duty officer (of the police), signed in."""
    return sign_in(demo_db, "duty", "duty-demo-2026")


def ids(db: Database, *tags: str) -> list[int]:
    return [find_item(db, tag).id for tag in tags]


def opened(qtbot: QtBot, dialog: RequestDialog) -> RequestDialog:
    """The dialog shown and active, as ``exec`` would leave it."""
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)
    return dialog


def loans_held(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count(Loan.id))) or 0


def test_two_items_of_one_lender_are_asked_for_by_keys_as_one_loan_of_two_lines(
    qtbot: QtBot, demo_db: Database, duty: Actor, tmp_path: Path
) -> None:
    ppe, boat = ids(demo_db, PPE, BOAT)
    before = loans_held(demo_db)
    dialog = opened(qtbot, RequestDialog(demo_db, duty, ppe, also=[boat]))
    keys = Keys()

    # The heading names the first item and counts the rest; every item has its line,
    # and only the pooled one a quantity.
    assert dialog.item_heading.text() == f"{PPE} {PPE_NAME} and 1 more item"
    assert [title.text() for title in dialog.items_asked.titles] == [
        f"{PPE} {PPE_NAME}",
        f"{BOAT} Flood rescue boat, 4 m, 25 hp outboard",
    ]
    assert dialog.items_asked.spins == [dialog.quantity_spins[ppe]]
    assert dialog.quantity_spins[ppe].value() == 1

    assert focused() is dialog.purpose_edit
    keys.type(focused(), "River search, Earith")
    keys.press(focused(), Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    assert focused() is dialog.quantity_spins[ppe]
    keys.press(focused(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    keys.type(focused(), "4")
    borrower = dialog.borrower_id()
    assert borrower is not None
    keys.press(focused(), Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    keys.type(focused(), dialog.choices.people_of(borrower)[0].name)
    settle(qtbot, dialog)
    assert dialog.ok_button.isEnabled(), dialog.message()
    shot(dialog, "request-several", tmp_path)
    keys.press(focused(), Qt.Key.Key_Return)

    assert dialog.loan_id is not None, dialog.message()
    assert loans_held(demo_db) == before + 1
    loan = get_loan(demo_db, dialog.loan_id)
    assert loan.status is LoanStatus.REQUESTED
    assert loan.borrower_agency_id == borrower
    assert [(line.asset_tag, line.quantity) for line in loan.lines] == [(PPE, 4), (BOAT, 1)]
    assert keys.count <= 8, keys.log


def test_items_of_two_lenders_are_refused_before_the_form_opens(
    qtbot: QtBot, demo_db: Database, duty: Actor
) -> None:
    boat, barriers = ids(demo_db, BOAT, POLICE_BARRIERS)
    windows = set(QApplication.topLevelWidgets())

    with pytest.raises(Refused) as refused:
        RequestDialog(demo_db, duty, boat, also=[barriers])

    assert refused.value.message == TWO_LENDERS
    assert refused.value.rules == {"lender"}
    assert set(QApplication.topLevelWidgets()) == windows  # no form was made
    # The window may ask first, and the service refuses in the same words.
    refusal = why_not_one_loan(demo_db, [boat, barriers])
    assert refusal is not None
    assert refusal.message == TWO_LENDERS
    assert why_not_one_loan(demo_db, ids(demo_db, BOAT, PPE)) is None
    defaults = request_defaults(demo_db, boat)
    draft = LoanDraft(
        borrower_agency_id=duty.agency_id,
        requested_by_id=duty.person_id,
        purpose="River search, Earith",
        starts_at=defaults.starts_at,
        due_at=defaults.due_at,
        lines=(LineDraft(boat), LineDraft(barriers, 2)),
    )
    assert refusal in check_request(demo_db, draft)


def test_more_than_a_pooled_item_holds_is_refused_naming_that_item(
    qtbot: QtBot, demo_db: Database, duty: Actor, tmp_path: Path
) -> None:
    ppe, boat = ids(demo_db, PPE, BOAT)
    dialog = opened(qtbot, RequestDialog(demo_db, duty, boat, also=[ppe]))
    keys = Keys()
    keys.type(focused(), "River search, Earith")
    keys.press(focused(), Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    keys.type(focused(), dialog.choices.people_of(dialog.borrower_id())[0].name)
    keys.press(focused(), Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    # The boat is a single item: the box Alt+M reaches is the dry suits'.
    assert focused() is dialog.quantity_spins[ppe]
    keys.press(focused(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    keys.type(focused(), "13")
    settle(qtbot, dialog)

    assert dialog.message().startswith(
        f"There are only 12 of {PPE} “{PPE_NAME}” in all; ask for 12 or fewer."
    ), dialog.message()
    assert dialog.marked_fields() == {"quantity"}
    assert dialog.quantity_spins[ppe].styleSheet()  # outlined
    assert all(colour in dialog.message_label.styleSheet() for colour in REFUSED_STYLE)
    assert not dialog.ok_button.isEnabled()
    shot(dialog, "request-several-refused", tmp_path)


def test_the_first_borrower_offered_may_borrow_every_item(
    qtbot: QtBot, demo_db: Database, duty: Actor
) -> None:
    boat, pump = ids(demo_db, BOAT, PUMP)
    each = [request_defaults(demo_db, item) for item in (boat, pump)]
    dialog = opened(qtbot, RequestDialog(demo_db, duty, boat, also=[pump]))

    first = dialog.borrower_combo.currentData()
    assert dialog.borrower_id() == first
    assert all(first in defaults.borrower_ids for defaults in each)
    # Not simply the first the boat alone would offer: that one may not borrow the pump.
    assert each[0].borrower_ids[0] != first
    offered = [
        dialog.borrower_combo.itemData(i)
        for i in range(dialog.borrower_combo.count())
        if dialog.borrower_combo.itemText(i)
    ]
    covered = [i for i in each[0].borrower_ids if i in each[1].borrower_ids]
    assert offered[: len(covered)] == covered
    assert sorted(offered) == sorted(i for i, _name in dialog.choices.agencies)


def test_the_terms_are_the_strictest_of_the_items(
    qtbot: QtBot, demo_db: Database, duty: Actor
) -> None:
    barriers, boat = ids(demo_db, BARRIERS, BOAT)
    together = items_request_defaults(demo_db, [barriers, boat])
    # The barriers' protocol asks 72 hours' notice, the boat's lends for 96 hours at most.
    assert (together.notice_hours, together.max_loan_hours) == (72, 96)
    dialog = opened(qtbot, RequestDialog(demo_db, duty, barriers, also=[boat]))

    terms = dialog.findChild(QLabel, "itemTerms")
    assert terms is not None
    assert terms.text() == (
        "Lent by Cambridgeshire Fire and Rescue Service under 2 protocols, the strictest "
        "of their terms: 3 days' notice, loans of up to 4 days."
    )
    assert dialog.starts_edit.moment() == together.starts_at
    assert dialog.due_edit.moment() == together.due_at


def test_the_quantity_asked_fills_each_pool_it_fits(
    qtbot: QtBot, demo_db: Database, duty: Actor
) -> None:
    ppe, boat, lines = ids(demo_db, PPE, BOAT, LINES)
    start = request_defaults(demo_db, boat).starts_at
    wish = LoanWish(start, start + timedelta(hours=6), quantity=15)
    dialog = opened(qtbot, RequestDialog(demo_db, duty, lines, wish=wish, also=[ppe, boat]))

    # Fifteen of the twenty throw lines; the twelve dry suit sets cannot be fifteen.
    assert dialog.quantity_spins[lines].value() == 15
    assert dialog.quantity_spins[ppe].value() == 1
    assert [line.quantity for line in dialog.draft().lines] == [15, 1, 1]
    assert (dialog.starts_edit.moment(), dialog.due_edit.moment()) == (
        wish.starts_at,
        wish.due_at,
    )
