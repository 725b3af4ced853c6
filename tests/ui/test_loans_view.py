"""The Loans view: its lists and counts, filters, the table model and opening a loan."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.catalogue.items import choices
from app.core.actor import Actor
from app.core.clock import now_utc
from app.loans.drafts import LineDraft, LoanDraft
from app.loans.service import approve_loan, request_loan
from app.loans.views import LoanSection, list_loans, loan_counts
from models import Role
from tests.ui.loan_driving import People, act_as, choose, open_loan_row
from tests.ui.seed import BARRIERS_TAG, Catalogue
from ui.loans.loan_detail import LoanDialog
from ui.loans.model import LoanColumn, LoanTableModel
from ui.loans.view import LoansView
from ui.shell.main_window import MainWindow, loans_tab_title

ACTOR = Actor("PC Test on STATION-1", role=Role.DUTY_OFFICER)


def book_barriers(catalogue: Catalogue, people: People, quantity: int, *, days: int = 1) -> int:
    """A request for barriers by the ambulance service, starting after the notice."""
    start = now_utc().replace(microsecond=0) + timedelta(hours=5, days=days - 1)
    draft = LoanDraft(
        borrower_agency_id=people.ambulance_id,
        requested_by_id=people.requester_id,
        purpose=f"Cordon {quantity}",
        starts_at=start,
        due_at=start + timedelta(hours=12),
        lines=(LineDraft(catalogue.ids[BARRIERS_TAG], quantity),),
    )
    return request_loan(catalogue.db, draft, ACTOR)


@pytest.fixture
def loans(catalogue: Catalogue, people: People) -> list[int]:
    """Two requests awaiting approval and one approved, besides the seed's overdue loan."""
    booked = [book_barriers(catalogue, people, n, days=n) for n in (2, 3, 4)]
    approve_loan(catalogue.db, booked[2], people.manager)
    return booked


@pytest.fixture
def view(qtbot: QtBot, catalogue: Catalogue, loans: list[int]) -> LoansView:
    shown = LoansView(catalogue.db)
    qtbot.addWidget(shown)
    shown.show()
    shown.refresh()
    return shown


def listed(view: LoansView) -> list[int]:
    return [view.model.record_id(row) for row in range(view.model.rowCount())]


def test_each_list_shows_the_count_the_service_gives(view: LoansView, catalogue: Catalogue) -> None:
    counts = loan_counts(catalogue.db)
    assert counts[LoanSection.AWAITING] == 2
    assert counts[LoanSection.APPROVED] == 1
    assert counts[LoanSection.OVERDUE] == 1

    assert view.section_counts_shown() == {
        section: f"{section.value} ({counts[section]})" for section in LoanSection
    }
    assert view.section_counts_shown()[LoanSection.OVERDUE] == "Overdue (1)"


def test_a_list_shows_the_loans_of_its_section_in_the_services_order(
    view: LoansView, catalogue: Catalogue, loans: list[int]
) -> None:
    view.show_section(LoanSection.AWAITING)
    assert listed(view) == [loan.id for loan in list_loans(catalogue.db, LoanSection.AWAITING)]
    assert listed(view) == loans[:2]

    view.show_section(LoanSection.OVERDUE)
    (overdue,) = list_loans(catalogue.db, LoanSection.OVERDUE)
    assert listed(view) == [overdue.id]
    status = view.model.index(0, LoanColumn.STATUS).data()
    assert status.startswith("Overdue 3 hours")
    assert view.model.index(0, LoanColumn.BORROWER).data() == "East of England Ambulance Service"
    assert view.model.index(0, LoanColumn.ITEMS).data() == f"13 × {BARRIERS_TAG}"


def test_an_empty_list_says_so_instead_of_an_empty_table(view: LoansView) -> None:
    view.show_section(LoanSection.RECALLED)

    assert view.model.rowCount() == 0
    assert view.empty_label.isVisible()
    assert view.empty_label.text() == "No loans are recalled."


def test_filters_narrow_lists_and_counts_to_an_agency_or_a_site(
    view: LoansView, catalogue: Catalogue, people: People
) -> None:
    choose(view.agency_combo, people.police_id)

    assert view.counts == loan_counts(catalogue.db, agency_id=people.police_id)
    assert view.counts[LoanSection.ALL] == 0

    choose(view.agency_combo, None)
    site = next(s for s in choices(catalogue.db).sites if s.name == "Huntingdon Fire Station")
    choose(view.site_combo, site.id)
    view.show_section(LoanSection.ALL)

    assert view.counts[LoanSection.ALL] == 4
    assert len(listed(view)) == 4


def test_the_loans_tab_says_what_needs_doing(window: MainWindow) -> None:
    assert window.tabs.tabText(1) == "Loans (1 overdue)"
    assert loans_tab_title(dict.fromkeys(LoanSection, 0)) == "Loans"
    assert (
        loans_tab_title({LoanSection.OVERDUE: 3, LoanSection.AWAITING: 2})
        == "Loans (3 overdue, 2 to approve)"
    )


def test_switching_to_the_tab_reads_the_loans_again(
    window: MainWindow, catalogue: Catalogue, people: People
) -> None:
    book_barriers(catalogue, people, 2)
    assert window.tabs.tabText(1) == "Loans (1 overdue)"

    window.tabs.setCurrentWidget(window.loans_view)

    assert window.tabs.tabText(1) == "Loans (1 overdue, 1 to approve)"


def test_enter_and_double_click_open_the_loan(
    qtbot: QtBot, window: MainWindow, loans: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = act_as(monkeypatch, qtbot, LoanDialog, lambda dialog: dialog.accept())
    view = window.loans_view
    window.tabs.setCurrentWidget(view)
    view.show_section(LoanSection.AWAITING)

    open_loan_row(qtbot, view, loans[1], keyboard=True)
    open_loan_row(qtbot, view, loans[0], keyboard=False)

    assert [dialog.loan.id for dialog in opened] == [loans[1], loans[0]]
    assert opened[0].fact("Purpose") == "Cordon 3"
    assert opened[0].status_label.text().strip() == "Awaiting approval"
    assert {a for a, b in opened[0].action_buttons.items() if not b.isHidden()} == {
        "approve",
        "decline",
        "extend",
        "cancel",
    }


def test_loan_model_passes_qt_model_tester(
    qtmodeltester: ModelTester, catalogue: Catalogue, loans: list[int]
) -> None:
    model = LoanTableModel()
    model.show_rows(list_loans(catalogue.db))
    assert model.rowCount() == 4

    qtmodeltester.check(model)  # type: ignore[no-untyped-call]

    assert model.row_of(loans[0]) is not None
    assert model.row_of(-1) is None
