"""Offline on a server that checks each person's rights: the station copy holds no
password hashes (the server keeps the passwords), so a person signs in offline with the
verifier this station kept when they last signed in here online; what they log offline
is sent as their own login once the server is back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.catalogue.directory import find_agency, find_item
from app.core.clock import now_utc
from app.loans.drafts import Handover, LineDraft, LoanDraft
from app.loans.outbox import issue_emergency, send_waiting
from app.people.accounts import SignInRefused, sign_in
from app.storage.database import open_database
from app.storage.offline import go_offline, reconnect
from app.storage.station_copy import default_copy_path, refresh_copy
from app.storage.station_outbox import SENT, default_outbox
from models import Person
from tests.secured_server import (  # noqa: F401 - the fixture is used by name
    PASSWORDS,
    SecuredServer,
    secured_server_fixture,
)

pytestmark = pytest.mark.postgres


def test_offline_people_sign_in_with_this_stations_verifiers_and_send_as_themselves(
    secured_server: SecuredServer,
) -> None:
    db = open_database(secured_server.station_url)
    try:
        duty = sign_in(db, "duty", PASSWORDS["duty"])
        info = refresh_copy(db, default_copy_path())
        assert not info.accounts_can_sign_in
        go_offline(db, info)

        # Only someone who signed in here while online can be checked offline.
        with pytest.raises(SignInRefused, match="has not signed in at this station"):
            sign_in(db, "manager", PASSWORDS["manager"])
        with pytest.raises(SignInRefused, match="do not match"):
            sign_in(db, "duty", "not the password")
        assert sign_in(db, "duty", PASSWORDS["duty"]) == duty

        herts = find_agency(db, "Hertfordshire Constabulary").id
        with db.read() as session:
            operator = session.scalars(select(Person.id).where(Person.agency_id == herts)).first()
        start = now_utc().replace(second=0, microsecond=0)
        issue_emergency(
            db,
            LoanDraft(
                borrower_agency_id=herts,
                requested_by_id=None,
                purpose="Flood cordon",
                starts_at=start,
                due_at=start + timedelta(hours=10),
                lines=(LineDraft(item_id=find_item(db, "BED-000501").id, quantity=5),),
                is_emergency=True,
            ),
            Handover(operator_id=operator),
            duty,
        )

        reconnect(db)
        assert not db.offline
        report = send_waiting(db, default_outbox())
        (sent,) = report.sent
        assert sent.state == SENT
    finally:
        db.dispose()
    with secured_server.superuser() as admin:
        stamped = admin.execute(
            "SELECT DISTINCT db_user FROM audit_events WHERE entity_type = 'loan' "
            "AND entity_id = %s",
            (sent.loan_id,),
        ).fetchall()
        assert stamped == [("duty",)]
        received = admin.execute(
            "SELECT state, station FROM offline_receipts WHERE id = %s", (sent.id,)
        ).fetchall()
        assert [state for state, _ in received] == ["received"]
