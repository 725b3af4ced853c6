"""People for the loan tests, and driving the loan dialogs as a duty officer would.

A modal dialog is never ``exec()``-ed in a test: ``act_as`` replaces a dialog class's
``exec`` with a script that shows the dialog, works its widgets and presses a button,
then returns the dialog's result as ``exec`` would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QDialog, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.catalogue.directory import find_agency, find_item
from app.core.actor import Actor
from app.core.clock import now_utc, today_uk
from app.loans.drafts import Handover, LineDraft, LoanDraft
from app.loans.service import emergency_issue
from app.people.passwords import hash_password
from app.storage.database import Database
from models import Agency, AppUser, Person, PersonQualification, QualificationType, Role
from ui.loans.shared import LoanFormDialog
from ui.loans.view import LoansView

D = TypeVar("D", bound=QDialog)


@dataclass(frozen=True)
class People:
    """Staff added to the small catalogue, and its agencies' ids."""

    police_id: int
    fire_id: int
    ambulance_id: int
    requester_id: int  # ambulance
    operator_id: int  # ambulance, holds a current drone pilot qualification
    unqualified_id: int  # ambulance, holds none
    approver_id: int  # fire, an equipment manager's account
    storekeeper_id: int  # fire, no account: cannot approve under the protocol

    @property
    def manager(self) -> Actor:
        """Dana Whitfield signed in: the fire service's equipment manager."""
        return Actor(
            "Dana Whitfield (dwhitfield)",
            role=Role.EQUIPMENT_MANAGER,
            person_id=self.approver_id,
            agency_id=self.fire_id,
            username="dwhitfield",
        )

    @property
    def storekeeper(self) -> Actor:
        """Eli Marsh signed in as a duty officer of the fire service."""
        return Actor(
            "Eli Marsh",
            role=Role.DUTY_OFFICER,
            person_id=self.storekeeper_id,
            agency_id=self.fire_id,
        )


MANAGER_PASSWORD = "whitfield-test-2026"


def add_people(db: Database) -> People:
    """The people a loan of the fire service's barriers to the ambulance service needs."""
    today = today_uk()
    with db.write() as session:
        agencies = {a.code: a for a in session.scalars(select(Agency))}
        pilot = session.scalars(select(QualificationType).where(QualificationType.code == "GVC"))
        ambulance, fire = agencies["EEAST"], agencies["CFRS"]

        def person(agency: Agency, number: str, given: str, family: str) -> Person:
            found = Person(agency=agency, staff_number=number, given_name=given, family_name=family)
            session.add(found)
            return found

        requester = person(ambulance, "A100", "Asha", "Patel")
        operator = person(ambulance, "A200", "Ben", "Okafor")
        operator.qualifications.append(
            PersonQualification(
                qualification_type=pilot.one(),
                issued_on=today - timedelta(days=365),
                expires_on=today + timedelta(days=365),
            )
        )
        unqualified = person(ambulance, "A300", "Cara", "Jones")
        approver = person(fire, "F100", "Dana", "Whitfield")
        storekeeper = person(fire, "F200", "Eli", "Marsh")
        session.add(
            AppUser(
                username="dwhitfield",
                person=approver,
                role=Role.EQUIPMENT_MANAGER,
                password_hash=hash_password(MANAGER_PASSWORD),
            )
        )
        session.flush()
        return People(
            police_id=agencies["CAMBS"].id,
            fire_id=fire.id,
            ambulance_id=ambulance.id,
            requester_id=requester.id,
            operator_id=operator.id,
            unqualified_id=unqualified.id,
            approver_id=approver.id,
            storekeeper_id=storekeeper.id,
        )


def choose(combo: QComboBox, value: int | None) -> None:
    """Pick the entry whose data is ``value`` (an agency's or a person's id)."""
    index = combo.findData(value)
    assert index >= 0, f"{value!r} is not offered in {combo.objectName()}"
    combo.setCurrentIndex(index)


def settle(qtbot: QtBot, dialog: LoanFormDialog) -> None:
    """Wait until the dialog has checked what was typed."""
    qtbot.waitUntil(lambda: not dialog.checking)


def press_ok(qtbot: QtBot, dialog: LoanFormDialog) -> None:
    """Click OK once the dialog says nothing stops it."""
    settle(qtbot, dialog)
    assert dialog.ok_button.isEnabled(), dialog.message()
    QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isVisible(), button.text()
    assert button.isEnabled(), button.text()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def act_as(
    monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot,
    dialog_class: type[D],
    script: Callable[[D], None],
) -> list[D]:
    """Each time a ``dialog_class`` opens, show it and run ``script`` on it instead of
    waiting for a person; returns the dialogs that opened."""
    opened: list[D] = []

    def run(dialog: D) -> int:
        opened.append(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        script(dialog)
        dialog.hide()
        return dialog.result()

    monkeypatch.setattr(dialog_class, "exec", run)
    return opened


def open_loan_row(qtbot: QtBot, view: LoansView, loan_id: int, *, keyboard: bool) -> None:
    """Open a loan from the Loans view: Enter on its row, or a double-click."""
    row = view.model.row_of(loan_id)
    assert row is not None, f"loan {loan_id} is not listed under {view.section.value}"
    index: QModelIndex = view.model.index(row, 1)
    view.table.setCurrentIndex(index)
    if keyboard:
        view.table.setFocus()
        QTest.keyClick(view.table, Qt.Key.Key_Return)
    else:
        # A person's double-click is a click and then the second press: QTest's
        # mouseDClick sends only the second, which a view ignores without the first.
        centre = view.table.visualRect(index).center()
        for send in (QTest.mouseClick, QTest.mouseDClick):
            send(
                view.table.viewport(),
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
                centre,
            )


def lend_to_hertfordshire(db: Database, tag: str, quantity: int) -> int:
    """Another station's duty officer logs ``quantity`` of ``tag`` straight out to
    Hertfordshire Constabulary until 20 hours from now; the loan's number."""
    herts = find_agency(db, "Hertfordshire Constabulary").id
    with db.read() as session:
        operator = session.scalars(select(Person.id).where(Person.agency_id == herts)).first()
    start = now_utc().replace(second=0, microsecond=0)
    return emergency_issue(
        db,
        LoanDraft(
            borrower_agency_id=herts,
            requested_by_id=None,
            purpose="Crowd control, Kimbolton Road",
            starts_at=start,
            due_at=start + timedelta(hours=20),
            lines=(LineDraft(item_id=find_item(db, tag).id, quantity=quantity),),
        ),
        Handover(operator_id=operator),
        Actor("Rachel Holloway (duty)", role=Role.DUTY_OFFICER),
    )
