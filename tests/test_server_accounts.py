"""Kit Share on a server that checks each person's rights: each person signs in as their
own PostgreSQL login, the program's work for each role passes the server's grants and
guards, and accounts (adding, disabling, locking out, passwords) are the server's too."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import select, text

from app.catalogue.directory import find_agency, find_item
from app.catalogue.items import load_draft, update_item
from app.catalogue.search import search_items
from app.cli.main import main
from app.core.clock import now_utc
from app.core.errors import (
    DatabaseReadOnly,
    DatabaseTooOld,
    DatabaseUnavailable,
    KitShareError,
    NotPermitted,
)
from app.inspections.defects import DefectDraft, report_defect
from app.loans.drafts import Handover, LineDraft, LoanDraft
from app.loans.service import approve_loan, emergency_issue, return_loan
from app.people.accounts import (
    LOCKOUT,
    MAX_FAILED_ATTEMPTS,
    SignInRefused,
    UserDraft,
    change_own_password,
    create_user,
    set_active,
    sign_in,
)
from app.storage import server
from app.storage.database import Database, open_database
from models import DefectSeverity, Person, Role
from tests.secured_server import (  # noqa: F401 - the fixture is used by name
    PASSWORDS,
    SecuredServer,
    secured_server_fixture,
)

pytestmark = pytest.mark.postgres


def station(secured_server: SecuredServer) -> Database:
    """A station's connection: the stations' login, until someone signs in."""
    db = open_database(secured_server.station_url)
    assert db.secured
    return db


def test_the_lock_out_is_the_same_as_the_programs() -> None:
    assert server.MAX_FAILED_ATTEMPTS == MAX_FAILED_ATTEMPTS
    assert timedelta(minutes=server.LOCKOUT_MINUTES) == LOCKOUT


def test_before_signing_in_a_station_sees_nothing(secured_server: SecuredServer) -> None:
    db = station(secured_server)
    try:
        with pytest.raises(DatabaseReadOnly, match="kitshare_station"), db.read() as session:
            session.execute(text("SELECT count(*) FROM equipment_items")).scalar_one()
    finally:
        db.dispose()


def test_a_duty_officer_lends_returns_and_reports_as_themselves(
    secured_server: SecuredServer,
) -> None:
    db = station(secured_server)
    try:
        duty = sign_in(db, "duty", PASSWORDS["duty"])
        assert duty.role is Role.DUTY_OFFICER
        assert search_items(db, "barrier").total > 0
        herts = find_agency(db, "Hertfordshire Constabulary").id
        with db.read() as session:
            operator = session.scalars(select(Person.id).where(Person.agency_id == herts)).first()
        start = now_utc().replace(second=0, microsecond=0)
        barriers = find_item(db, "CAM-000130").id
        loan_id = emergency_issue(
            db,
            LoanDraft(
                borrower_agency_id=herts,
                requested_by_id=None,
                purpose="Crowd control, Kimbolton Road",
                starts_at=start,
                due_at=start + timedelta(hours=20),
                lines=(LineDraft(item_id=barriers, quantity=10),),
            ),
            Handover(operator_id=operator),
            duty,
        )
        return_loan(db, loan_id, duty)
        # Another agency's lighting tower: anyone who finds a fault says so.
        tower = find_item(db, "BED-000601").id
        report_defect(
            db,
            DefectDraft(item_id=tower, description="Mast sticks", severity=DefectSeverity.MINOR),
            duty,
        )
        with db.read() as session:
            # The server, not the program, says who wrote the trail and made the changes.
            writers = session.execute(
                text(
                    "SELECT DISTINCT action FROM audit_events "
                    "WHERE entity_id = :loan AND entity_type = 'loan'"
                ),
                {"loan": loan_id},
            ).scalars()
            assert set(writers) >= {"loan.emergency_issued", "loan.returned"}
    finally:
        db.dispose()
    with secured_server.superuser() as admin:
        stamped = admin.execute(
            "SELECT DISTINCT db_user FROM audit_events WHERE entity_type = 'loan' "
            "AND entity_id = %s",
            (loan_id,),
        ).fetchall()
        assert stamped == [("duty",)]
        recorded = admin.execute(
            "SELECT DISTINCT db_user, operation FROM row_changes "
            "WHERE table_name = 'loans' AND row_id = %s ORDER BY 2",
            (str(loan_id),),
        ).fetchall()
        assert recorded == [("duty", "INSERT"), ("duty", "UPDATE")]


def test_a_change_by_sql_within_ones_rights_is_recorded_too(
    secured_server: SecuredServer,
) -> None:
    with secured_server.connect("manager", PASSWORDS["manager"]) as manager:
        item = manager.execute(
            "SELECT min(id) FROM equipment_items WHERE owner_agency_id = 2"
        ).fetchone()
        assert item is not None
        manager.execute(
            "UPDATE equipment_items SET description = 'Checked by psql' WHERE id = %s", item
        )
        manager.commit()
    with secured_server.superuser() as admin:
        row = admin.execute(
            "SELECT db_user, after ->> 'description' FROM row_changes "
            "WHERE table_name = 'equipment_items' AND row_id = %s ORDER BY id DESC LIMIT 1",
            (str(item[0]),),
        ).fetchone()
    assert row == ("manager", "Checked by psql")


def test_a_manager_edits_their_own_agencys_kit_only(secured_server: SecuredServer) -> None:
    db = station(secured_server)
    try:
        manager = sign_in(db, "manager", PASSWORDS["manager"])
        own = find_item(db, "CFR-000231").id  # Cambridgeshire Fire and Rescue's
        draft, version = load_draft(db, own)
        update_item(db, own, draft, manager, version)
        theirs = find_item(db, "BED-000601").id
        draft, version = load_draft(db, theirs)
        with pytest.raises(NotPermitted):
            update_item(db, theirs, draft, manager, version)
    finally:
        db.dispose()


def test_an_administrator_adds_a_user_who_signs_in_and_disabling_ends_their_session(
    secured_server: SecuredServer,
) -> None:
    admin_db = station(secured_server)
    newcomer_db = station(secured_server)
    try:
        admin = sign_in(admin_db, "admin", PASSWORDS["admin"])
        with admin_db.read() as session:
            # Someone listed in People with no account yet.
            person = session.execute(
                text(
                    "SELECT min(p.id) FROM people p LEFT JOIN app_users u ON u.person_id = p.id "
                    "WHERE u.id IS NULL"
                )
            ).scalar_one()
        user_id = create_user(
            admin_db,
            UserDraft(
                username="mdoherty",
                person_id=person,
                role=Role.DUTY_OFFICER,
                password="a new long password",
            ),
            admin,
        )
        signed = sign_in(newcomer_db, "mdoherty", "a new long password")
        assert signed.user_id == user_id
        assert search_items(newcomer_db, "drone").total > 0

        set_active(admin_db, user_id, False, admin)
        # Their open session is over at once, and they cannot come back.
        with pytest.raises(DatabaseUnavailable), newcomer_db.read() as session:
            session.execute(text("SELECT count(*) FROM equipment_items")).scalar_one()
        again = station(secured_server)
        try:
            with pytest.raises(SignInRefused, match="is disabled"):
                sign_in(again, "mdoherty", "a new long password")
        finally:
            again.dispose()
        with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
            secured_server.connect("mdoherty", "a new long password").close()
    finally:
        admin_db.dispose()
        newcomer_db.dispose()


def test_wrong_passwords_lock_the_login_itself_out(secured_server: SecuredServer) -> None:
    db = station(secured_server)
    try:
        for _ in range(MAX_FAILED_ATTEMPTS - 1):
            with pytest.raises(SignInRefused, match="do not match"):
                sign_in(db, "herts-pol-kit", "not the password")
        with pytest.raises(SignInRefused, match="locked until"):
            sign_in(db, "herts-pol-kit", "not the password")
        # The right password does not open it, in Kit Share or in psql.
        with pytest.raises(SignInRefused, match="locked until"):
            sign_in(db, "herts-pol-kit", PASSWORDS["herts-pol-kit"])
        with pytest.raises(psycopg.OperationalError):
            secured_server.connect("herts-pol-kit", PASSWORDS["herts-pol-kit"]).close()
    finally:
        db.dispose()
        with secured_server.superuser() as admin:  # for the other tests
            admin.execute(
                "UPDATE app_users SET locked_until = now() - interval '1 minute' "
                "WHERE username = 'herts-pol-kit'"
            )


def test_a_person_changes_their_own_password_and_only_theirs(
    secured_server: SecuredServer,
) -> None:
    db = station(secured_server)
    try:
        duty = sign_in(db, "duty", PASSWORDS["duty"])
        change_own_password(db, duty, PASSWORDS["duty"], "another long password")
        with pytest.raises(psycopg.OperationalError):
            secured_server.connect("duty", PASSWORDS["duty"]).close()
        secured_server.connect("duty", "another long password").close()
        change_own_password(db, duty, "another long password", PASSWORDS["duty"])
    finally:
        db.dispose()


def test_the_command_line_signs_in_even_to_read(
    secured_server: SecuredServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("KITSHARE_PASSWORD", PASSWORDS["duty"])
    url = secured_server.station_url
    assert main(["--database", url, "--user", "duty", "search", "barrier"]) == 0
    assert "CAM-000130" in capsys.readouterr().out
    monkeypatch.delenv("KITSHARE_USER", raising=False)
    assert main(["--database", url, "search", "barrier"]) != 0
    assert "give --user NAME" in capsys.readouterr().err


def test_a_station_on_an_older_server_says_whom_to_ask(secured_server: SecuredServer) -> None:
    with secured_server.superuser() as admin:
        (head,) = admin.execute("SELECT version_num FROM alembic_version").fetchone() or ("",)
        admin.execute("UPDATE alembic_version SET version_num = '0007'")
        try:
            with pytest.raises(DatabaseTooOld, match="kitshare-admin migrate"):
                open_database(secured_server.station_url)
        finally:
            admin.execute("UPDATE alembic_version SET version_num = %s", (head,))


def test_setting_up_again_changes_nothing_and_never_prints_the_owners_password(
    secured_server: SecuredServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.secured_server import OWNER_PASSWORD, STATION_PASSWORD

    monkeypatch.setenv("KITSHARE_STATION_PASSWORD", STATION_PASSWORD)
    assert main(["--database", secured_server.owner_url, "setup-server"]) == 0
    said = capsys.readouterr().out
    assert OWNER_PASSWORD not in said
    assert STATION_PASSWORD not in said
    assert "kitshare_station@127.0.0.1" in said
    # Everyone still signs in as before.
    db = station(secured_server)
    try:
        assert sign_in(db, "duty", PASSWORDS["duty"]).role is Role.DUTY_OFFICER
    finally:
        db.dispose()


def test_a_request_is_approved_in_the_deciders_own_name(secured_server: SecuredServer) -> None:
    """Whoever of the demo's people may decide a waiting request does, through the
    guards; the decision is recorded as theirs by the server."""
    decided: list[tuple[str, int]] = []
    for who in ("duty", "manager", "admin"):
        db = station(secured_server)
        try:
            actor = sign_in(db, who, PASSWORDS[who])
            with db.read() as session:
                waiting = session.execute(
                    text("SELECT id FROM loans WHERE status = 'requested' ORDER BY id")
                ).scalars()
                for loan_id in list(waiting):
                    try:
                        approve_loan(db, loan_id, actor)
                    except KitShareError:
                        continue  # not theirs to decide: the program's rule says so
                    decided.append((who, loan_id))
                    break
        finally:
            db.dispose()
        if decided:
            break
    assert decided, "nobody could approve a waiting request"
    who, loan_id = decided[0]
    with secured_server.superuser() as admin:
        row = admin.execute(
            "SELECT l.status::text, u.username FROM loans l JOIN app_users u "
            "ON u.id = l.decided_by_id WHERE l.id = %s",
            (loan_id,),
        ).fetchone()
        made_by = admin.execute(
            "SELECT db_user FROM row_changes WHERE table_name = 'loans' AND row_id = %s "
            "ORDER BY id DESC LIMIT 1",
            (str(loan_id),),
        ).fetchone()
    assert row == ("approved", who)
    assert made_by == (who,)
