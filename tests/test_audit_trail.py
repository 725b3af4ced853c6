"""The audit trail: kept as written by the database, read and exported by managers only."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

import tests.factories as f
from app.audit import trail as audit_trail
from app.audit.trail import (
    CSV_HEADER,
    AuditExportFailed,
    AuditQuery,
    Change,
    action_words,
    audit_choices,
    changes_between,
    find_record_id,
    list_audit,
    parse_day,
    safe_cell,
    write_audit_csv,
)
from app.core.actor import Actor
from app.core.errors import AuditTamper, DomainError, NotFound, NotPermitted
from app.people.accounts import (
    FirstAdministrator,
    UserDraft,
    create_first_administrator,
    create_user,
    reset_password,
    sign_in,
)
from app.storage.database import Database, open_database
from models import AppUser, AuditEvent, Role

TAMPER_MESSAGE = "The audit trail cannot be changed or deleted: each event is kept as written."
STATION = "watch on STATION-7"
MANAGER = Actor("Fran Whitmore (manager)", role=Role.EQUIPMENT_MANAGER)
ADMINISTRATOR = Actor("Pat Ashworth (admin)", role=Role.ADMINISTRATOR)


@dataclass(frozen=True)
class Trail:
    """Five events across two users and a station account; ids by a short name."""

    ids: dict[str, int]
    alice: int
    bob: int
    item_id: int
    tag: str


def at(moment: str) -> datetime:
    """A moment written in ISO form, in UTC."""
    return datetime.fromisoformat(moment).replace(tzinfo=UTC)


def build_trail(db: Database) -> Trail:
    with db.write() as session:
        agency = f.agency(session)
        home = f.site(session, agency)
        item = f.item(session, owner=agency, home=home, kind=f.category(session))
        alice = f.app_user(session, f.person(session, agency, "Alice", "Ng"), "alice", "x")
        bob = f.app_user(
            session, f.person(session, agency, "Bob", "Øster"), "bob", "x", Role.ADMINISTRATOR
        )
        events = {
            # 23:59 on 30/06/2026 in London (BST, UTC+1).
            "requested": AuditEvent(
                occurred_at=at("2026-06-30 22:59:00"),
                actor="Alice Ng (alice)",
                user_id=alice.id,
                action="loan.requested",
                entity_type="loan",
                entity_id=12,
                after={"status": "requested", "purpose": "Flooding at Earith"},
                note="Needed for flood response",
            ),
            # 00:30 on 01/07/2026 in London, though still 30/06 in UTC.
            "approved": AuditEvent(
                occurred_at=at("2026-06-30 23:30:00"),
                actor="Bob Øster (bob)",
                user_id=bob.id,
                action="loan.approved",
                entity_type="loan",
                entity_id=12,
                before={"status": "requested", "purpose": "Flooding at Earith"},
                after={"status": "approved", "purpose": "Flooding at Earith"},
            ),
            # Midnight at the start of 21/11/2026 (GMT, so UTC too).
            "updated": AuditEvent(
                occurred_at=at("2026-11-21 00:00:00"),
                actor="Alice Ng (alice)",
                user_id=alice.id,
                action="item.updated",
                entity_type="equipment_item",
                entity_id=item.id,
                before={"name": "Tower light", "quantity": 1, "replacement_value_pence": 120000},
                after={"name": "Tower light 2", "quantity": 1, "replacement_value_pence": 125050},
            ),
            # The last second of 21/11/2026.
            "retired": AuditEvent(
                occurred_at=at("2026-11-21 23:59:59"),
                actor=STATION,
                user_id=None,
                action="item.retired",
                entity_type="equipment_item",
                entity_id=item.id,
                before={"status": "available"},
                after={"status": "retired"},
                note="Beyond economic repair",
            ),
            "signed_in": AuditEvent(
                occurred_at=at("2026-11-22 00:00:00"),
                actor="Bob Øster (bob)",
                user_id=bob.id,
                action="user.signed_in",
                entity_type="app_user",
                entity_id=bob.id,
            ),
        }
        session.add_all(events.values())
        session.flush()
        return Trail(
            ids={key: event.id for key, event in events.items()},
            alice=alice.id,
            bob=bob.id,
            item_id=item.id,
            tag=item.asset_tag,
        )


def listed(db: Database, trail: Trail, **filters: Any) -> list[str]:
    """The short names of the events ``filters`` match, newest first."""
    names = {event_id: key for key, event_id in trail.ids.items()}
    page = list_audit(db, AuditQuery(**filters), MANAGER)
    return [names[row.id] for row in page.rows]


def stored(db: Database, event_id: int) -> tuple[Any, ...]:
    with db.read() as session:
        event = session.get(AuditEvent, event_id)
        assert event is not None
        return (
            event.occurred_at,
            event.actor,
            event.user_id,
            event.action,
            event.entity_type,
            event.entity_id,
            event.before,
            event.after,
            event.note,
        )


def count_events(db: Database) -> int:
    with db.read() as session:
        return len(session.scalars(select(AuditEvent.id)).all())


# -- append-only ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET actor = 'Someone else', note = 'tidied' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_raw_sql_that_rewrites_an_event(db: Database, statement: str) -> None:
    trail = build_trail(db)
    event_id = trail.ids["approved"]
    before = stored(db, event_id)

    # Straight to the driver, past every service: the database itself says no.
    with (
        pytest.raises(DBAPIError, match="audit_events is append-only"),
        db.engine.begin() as connection,
    ):
        connection.execute(text(statement), {"id": event_id})
    # Through a unit of work: the same refusal, said for a person.
    with pytest.raises(AuditTamper) as caught, db.write() as session:
        session.execute(text(statement), {"id": event_id})
    assert str(caught.value) == TAMPER_MESSAGE

    assert stored(db, event_id) == before
    assert count_events(db) == len(trail.ids)


def test_the_database_refuses_to_empty_the_trail(db: Database) -> None:
    trail = build_trail(db)
    # SQLite has no TRUNCATE; a DELETE without WHERE is its equivalent (and the
    # triggers turn off its "truncate optimisation").
    statement = (
        "TRUNCATE audit_events" if db.dialect == "postgresql" else "DELETE FROM audit_events"
    )
    with pytest.raises(AuditTamper, match="cannot be changed or deleted"), db.write() as session:
        session.execute(text(statement))
    assert count_events(db) == len(trail.ids)


def test_the_orm_cannot_change_or_delete_an_event(db: Database) -> None:
    trail = build_trail(db)
    event_id = trail.ids["retired"]
    before = stored(db, event_id)

    def edit(session: Session) -> None:
        event = session.get_one(AuditEvent, event_id)
        event.note = "Actually it was fine"
        event.after = {"status": "available"}

    def delete(session: Session) -> None:
        session.delete(session.get_one(AuditEvent, event_id))

    with pytest.raises(AuditTamper, match="kept as written"), db.write() as session:
        edit(session)
    with pytest.raises(AuditTamper, match="kept as written"), db.write() as session:
        delete(session)

    assert stored(db, event_id) == before
    assert count_events(db) == len(trail.ids)


def test_new_events_can_still_be_added(db: Database) -> None:
    build_trail(db)
    with db.write() as session:
        session.add(AuditEvent(actor=STATION, action="demo.loaded", entity_type="database"))
    assert count_events(db) == 6


# -- reading -------------------------------------------------------------------------------


def test_events_are_listed_newest_first_with_words(db: Database) -> None:
    trail = build_trail(db)
    page = list_audit(db, AuditQuery(), MANAGER)
    assert page.total == 5
    assert [row.id for row in page.rows] == [
        trail.ids[k] for k in ("signed_in", "retired", "updated", "approved", "requested")
    ]
    signed_in, retired, updated, approved, requested = page.rows
    assert signed_in.action_words == "Signed in"
    assert signed_in.record_label == "User bob"
    assert approved.action_words == "Loan approved"
    assert approved.record_label == "Loan 12"
    assert approved.when == "01/07/2026 00:30"
    assert retired.record_label == f"Item {trail.tag}"
    assert retired.entity_words == "Item"
    assert updated.changes == (
        Change("name", "Tower light", "Tower light 2"),
        Change("replacement_value_pence", 120000, 125050),
    )
    assert updated.summary == (
        "Name: Tower light → Tower light 2; Replacement value: £1,200.00 → £1,250.50"
    )
    assert approved.summary == "Status: Awaiting approval → Approved"
    assert retired.summary == "Status: Available → Retired · Beyond economic repair"
    assert requested.is_creation
    assert requested.summary.startswith("Status: Awaiting approval; Purpose: Flooding at Earith")
    assert signed_in.changes == ()
    assert page.position_text == "Showing 1–5 of 5 events"


def test_filter_by_person(db: Database) -> None:
    trail = build_trail(db)
    assert listed(db, trail, user_id=trail.alice) == ["updated", "requested"]
    assert listed(db, trail, user_id=trail.bob) == ["signed_in", "approved"]
    assert listed(db, trail, actor=STATION) == ["retired"]
    assert listed(db, trail, actor="Alice Ng (alice)") == []  # she has an account


def test_filter_by_record(db: Database) -> None:
    trail = build_trail(db)
    assert listed(db, trail, entity_type="loan", entity_id=12) == ["approved", "requested"]
    assert listed(db, trail, entity_type="loan", entity_id=13) == []
    assert listed(db, trail, entity_type="equipment_item") == ["retired", "updated"]
    assert listed(db, trail, entity_type="equipment_item", entity_id=trail.item_id) == [
        "retired",
        "updated",
    ]


def test_filter_by_kind_and_by_family(db: Database) -> None:
    trail = build_trail(db)
    assert listed(db, trail, action="loan.approved") == ["approved"]
    assert listed(db, trail, action="loan.") == ["approved", "requested"]
    assert listed(db, trail, action="item.") == ["retired", "updated"]
    # A family is a prefix up to the full stop, not any action starting with the letters.
    assert listed(db, trail, action="loan") == []
    assert listed(db, trail, action="%.") == []


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        # In British Summer Time a UK day starts at 23:00 UTC the day before.
        (date(2026, 6, 30), date(2026, 6, 30), ["requested"]),
        (date(2026, 7, 1), date(2026, 7, 1), ["approved"]),
        # In winter, midnight to the last second, both ends included.
        (date(2026, 11, 21), date(2026, 11, 21), ["retired", "updated"]),
        (date(2026, 11, 22), None, ["signed_in"]),
        (None, date(2026, 11, 20), ["approved", "requested"]),
        (date(2026, 7, 2), date(2026, 11, 20), []),
    ],
)
def test_filter_by_uk_days(
    db: Database, date_from: date | None, date_to: date | None, expected: list[str]
) -> None:
    trail = build_trail(db)
    assert listed(db, trail, date_from=date_from, date_to=date_to) == expected


def test_dates_the_wrong_way_round_are_refused(db: Database) -> None:
    with pytest.raises(DomainError, match=r"‘from’ date 22/11/2026 is after the ‘to’ date"):
        list_audit(
            db, AuditQuery(date_from=date(2026, 11, 22), date_to=date(2026, 11, 21)), MANAGER
        )


def test_filter_by_text_in_the_actor_or_the_note(db: Database) -> None:
    trail = build_trail(db)
    assert listed(db, trail, text="flood") == ["requested"]
    assert listed(db, trail, text="station-7") == ["retired"]
    assert listed(db, trail, text="  REPAIR   economic ") == ["retired"]
    assert listed(db, trail, text="repair flood") == []
    # Wildcards are taken literally.
    assert listed(db, trail, text="%") == []
    assert listed(db, trail, text="_") == []


def test_control_characters_in_the_text_filter_are_ignored(db: Database) -> None:
    trail = build_trail(db)
    assert listed(db, trail, text="flo\x00od") == ["requested"]
    assert listed(db, trail, text="\x00 REPAIR\x07") == ["retired"]
    assert listed(db, trail, text="\ud800") == []


def test_filters_combine(db: Database) -> None:
    trail = build_trail(db)
    assert listed(db, trail, user_id=trail.alice, action="loan.") == ["requested"]
    assert listed(db, trail, user_id=trail.bob, date_from=date(2026, 11, 1)) == ["signed_in"]


def test_paging_keeps_the_total(db: Database) -> None:
    trail = build_trail(db)
    first = list_audit(db, AuditQuery(limit=2), ADMINISTRATOR)
    second = list_audit(db, AuditQuery(limit=2, offset=2), ADMINISTRATOR)
    last = list_audit(db, AuditQuery(limit=2, offset=4), ADMINISTRATOR)
    assert [p.total for p in (first, second, last)] == [5, 5, 5]
    shown = [row.id for page in (first, second, last) for row in page.rows]
    assert shown == [
        trail.ids[k] for k in ("signed_in", "retired", "updated", "approved", "requested")
    ]
    assert first.position_text == "Showing 1–2 of 5 events"
    assert last.position_text == "Showing 5–5 of 5 events"
    assert (first.has_previous, first.has_next) == (False, True)
    assert (last.has_previous, last.has_next) == (True, False)
    assert list_audit(db, AuditQuery(text="nothing like it"), MANAGER).position_text == (
        "No events match."
    )


@pytest.mark.parametrize(
    "actor",
    [
        Actor("Dee Duty (duty)", role=Role.DUTY_OFFICER),
        Actor("someone on STATION-1"),
    ],
    ids=["duty officer", "not signed in"],
)
def test_only_managers_and_administrators_read_the_trail(db: Database, actor: Actor) -> None:
    build_trail(db)
    with pytest.raises(NotPermitted, match="only an equipment manager or an administrator"):
        list_audit(db, AuditQuery(), actor)


def test_choices_offer_what_the_trail_holds(db: Database) -> None:
    trail = build_trail(db)
    choices = audit_choices(db)
    assert [(p.user_id, p.actor, p.label) for p in choices.people] == [
        (trail.alice, None, "Alice Ng (alice)"),
        (trail.bob, None, "Bob Øster (bob)"),
        (None, STATION, STATION),
    ]
    assert [(c.value, c.label) for c in choices.entity_types] == [
        ("equipment_item", "Item"),
        ("loan", "Loan"),
        ("app_user", "User account"),
    ]
    assert [(c.value, c.label) for c in choices.actions] == [
        ("user.signed_in", "Signed in"),
        ("item.", "Any item event"),
        ("item.retired", "Item retired"),
        ("item.updated", "Item updated"),
        ("loan.", "Any loan event"),
        ("loan.approved", "Loan approved"),
        ("loan.requested", "Loan requested"),
    ]


def test_a_record_is_found_by_number_tag_or_user_name(db: Database) -> None:
    trail = build_trail(db)
    assert find_record_id(db, "loan", " 12 ") == 12
    assert find_record_id(db, None, "") is None
    assert find_record_id(db, "equipment_item", trail.tag.lower()) == trail.item_id
    assert find_record_id(db, "app_user", "BOB") == trail.bob
    with pytest.raises(DomainError, match="is not a record number"):
        find_record_id(db, "loan", "twelve")
    with pytest.raises(NotFound):
        find_record_id(db, "equipment_item", "NO-SUCH-TAG")


# -- words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "words"),
    [
        ("loan.approved", "Loan approved"),
        ("loan.partly_returned", "Loan partly returned"),
        ("user.signed_in", "Signed in"),
        ("mou.created", "MoU created"),
        ("sharing_protocol.updated", "Sharing protocol updated"),
        ("demo.loaded", "Demo data loaded"),
        ("backup.restored", "Backup restored"),
    ],
)
def test_action_words(action: str, words: str) -> None:
    assert action_words(action) == words


def test_changes_list_only_fields_that_differ() -> None:
    assert changes_between({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None, "d": 4}) == (
        Change("b", 2, 3),
        Change("d", None, 4),
    )
    assert changes_between(None, {"a": 1}) == (Change("a", None, 1),)
    assert changes_between({"a": 1}, None) == (Change("a", 1, None),)
    assert changes_between(None, None) == ()


def test_snapshot_values_read_as_uk_dates() -> None:
    change = Change("due_at", "2026-06-30T23:30:00+00:00", "2026-11-21")
    assert (change.before_text, change.after_text) == ("01/07/2026 00:30", "21/11/2026")
    assert Change("is_pooled", True, False).after_text == "No"
    assert Change("is_pooled", True, False).field_words == "Pooled"
    assert Change("status", "issued", "partly_returned").after_text == "Partly returned"
    assert Change("lines.2.condition_in", "good", "unserviceable").after_text == "Unserviceable"
    assert Change("lines.2.condition_in", None, None).field_words == "Line 2: condition in"


def test_days_are_typed_dd_mm_yyyy() -> None:
    assert parse_day(" 01/07/2026 ") == date(2026, 7, 1)
    assert parse_day("") is None
    with pytest.raises(DomainError, match="use DD/MM/YYYY"):
        parse_day("2026-07-01")
    with pytest.raises(DomainError, match="“31/02/2026” is not a date"):
        parse_day("31/02/2026")


# -- export ----------------------------------------------------------------------------


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_csv_holds_every_matching_event_and_reads_back(db: Database, tmp_path: Path) -> None:
    trail = build_trail(db)
    path = tmp_path / "audit.csv"
    # A page size is for the screen: the export takes every match.
    written = write_audit_csv(db, AuditQuery(limit=1, offset=3), MANAGER, path)

    assert written == 5
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    header, *lines = read_csv(path)
    assert tuple(header) == CSV_HEADER
    assert [int(line[0]) for line in lines] == [
        trail.ids[k] for k in ("signed_in", "retired", "updated", "approved", "requested")
    ]
    approved = dict(zip(header, lines[3], strict=True))
    assert approved == {
        "Event": str(trail.ids["approved"]),
        "When (UK)": "01/07/2026 00:30",
        "When (UTC, ISO 8601)": "2026-06-30T23:30:00+00:00",
        "Who": "Bob Øster (bob)",
        "User number": str(trail.bob),
        "Kind": "loan.approved",
        "What": "Loan approved",
        "Record type": "Loan",
        "Record number": "12",
        "Record": "Loan 12",
        "Note": "",
        "Before": approved["Before"],
        "After": approved["After"],
    }
    assert json.loads(approved["Before"]) == {
        "status": "requested",
        "purpose": "Flooding at Earith",
    }
    assert json.loads(approved["After"]) == {"status": "approved", "purpose": "Flooding at Earith"}
    assert lines[0][9] == "User bob"
    assert lines[0][11:] == ["", ""]


def test_csv_export_follows_the_filters(db: Database, tmp_path: Path) -> None:
    trail = build_trail(db)
    path = tmp_path / "loans.csv"
    written = write_audit_csv(db, AuditQuery(action="loan.", user_id=trail.bob), MANAGER, path)
    assert written == 1
    assert [line[0] for line in read_csv(path)[1:]] == [str(trail.ids["approved"])]


def test_csv_cells_are_never_formulas(db: Database, tmp_path: Path) -> None:
    with db.write() as session:
        for actor, note in (
            ("=cmd|' /C calc'!A0", "+44 1223 000000"),
            ("@SUM(A1:A9)", "-1 for the spare battery"),
            ("Plain Name", '=HYPERLINK("http://example.invalid")'),
        ):
            session.add(
                AuditEvent(
                    actor=actor, action="item.updated", entity_type="equipment_item", note=note
                )
            )
    path = tmp_path / "audit.csv"
    write_audit_csv(db, AuditQuery(), MANAGER, path)
    cells = [(line[3], line[10]) for line in read_csv(path)[1:]]
    assert sorted(cells) == sorted(
        [
            ("'=cmd|' /C calc'!A0", "'+44 1223 000000"),
            ("'@SUM(A1:A9)", "'-1 for the spare battery"),
            ("Plain Name", '\'=HYPERLINK("http://example.invalid")'),
        ]
    )
    assert safe_cell("\t=1") == "'\t=1"
    assert safe_cell(12) == "12"
    assert safe_cell(None) == ""


def test_export_to_a_missing_folder_says_so(db: Database, tmp_path: Path) -> None:
    build_trail(db)
    missing = tmp_path / "no such folder" / "audit.csv"
    with pytest.raises(AuditExportFailed, match="does not exist, so the audit trail was not"):
        write_audit_csv(db, AuditQuery(), MANAGER, missing)
    assert not missing.parent.exists()


def test_export_to_a_read_only_folder_leaves_the_old_file(db: Database, tmp_path: Path) -> None:
    build_trail(db)
    folder = tmp_path / "shared"
    folder.mkdir()
    existing = folder / "audit.csv"
    existing.write_text("last month's export\n", encoding="utf-8")
    folder.chmod(0o555)
    try:
        with pytest.raises(AuditExportFailed, match="may not write in the folder"):
            write_audit_csv(db, AuditQuery(), MANAGER, existing)
    finally:
        folder.chmod(0o755)
    assert existing.read_text(encoding="utf-8") == "last month's export\n"
    assert [p.name for p in folder.iterdir()] == ["audit.csv"]


def test_export_to_a_folder_name_is_refused(db: Database, tmp_path: Path) -> None:
    build_trail(db)
    with pytest.raises(AuditExportFailed, match="is a folder"):
        write_audit_csv(db, AuditQuery(), MANAGER, tmp_path)


def test_a_failed_export_leaves_the_old_file_and_no_litter(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_trail(db)
    existing = tmp_path / "audit.csv"
    existing.write_text("last month's export\n", encoding="utf-8")
    written: list[int] = []

    def failing_record(row: audit_trail.AuditRow) -> list[str]:
        written.append(row.id)
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        return real_record(row)

    real_record = audit_trail.csv_record
    monkeypatch.setattr(audit_trail, "csv_record", failing_record)
    with pytest.raises(AuditExportFailed, match=r"could not be written to .*No space left"):
        write_audit_csv(db, AuditQuery(), MANAGER, existing)
    assert existing.read_text(encoding="utf-8") == "last month's export\n"
    assert len(written) == 3
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_duty_officer_cannot_export(db: Database, tmp_path: Path) -> None:
    build_trail(db)
    path = tmp_path / "audit.csv"
    with pytest.raises(NotPermitted):
        write_audit_csv(db, AuditQuery(), f.acting(role=Role.DUTY_OFFICER), path)
    assert not path.exists()


def test_an_export_replaces_an_older_one(db: Database, tmp_path: Path) -> None:
    build_trail(db)
    path = tmp_path / "audit.csv"
    path.write_text("old\n", encoding="utf-8")
    assert write_audit_csv(db, replace(AuditQuery(), text="flood"), MANAGER, path) == 1
    assert len(read_csv(path)) == 2


# -- passwords never stored as typed ---------------------------------------------------


def test_no_plain_password_reaches_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "accounts.db"
    db = open_database(f"sqlite:///{path.as_posix()}")
    passwords = {
        "first": "Kettle-on-the-hob-1923",
        "second": "lighthouse keeper's ledger",
        "reset": "Zebra crossing at dawn 77",
    }
    try:
        admin = create_first_administrator(
            db,
            FirstAdministrator(
                given_name="Pat",
                family_name="Ashworth",
                staff_number="1001",
                username="p.ashworth",
                password=passwords["first"],
                agency_code="CAMBS-POL",
                agency_name="Cambridgeshire Constabulary",
            ),
        )
        with db.write() as session:
            person = f.person(session, f.agency(session), "Dee", "Duty")
            person_id = person.id
        user_id = create_user(
            db, UserDraft("d.duty", person_id, Role.DUTY_OFFICER, passwords["second"]), admin
        )
        sign_in(db, "p.ashworth", passwords["first"])
        sign_in(db, "d.duty", passwords["second"])
        reset_password(db, user_id, passwords["reset"], admin)
        sign_in(db, "d.duty", passwords["reset"])

        with db.read() as session:
            hashes = session.scalars(select(AppUser.password_hash)).all()
        assert len(hashes) == 2
        assert all(h.startswith("$argon2") for h in hashes)

        files = [p for p in (path, tmp_path / "accounts.db-wal") if p.exists()]
        raw = b"".join(p.read_bytes() for p in files)
        # The check can see a password if one is there: the user names are stored.
        assert b"p.ashworth" in raw
        for password in passwords.values():
            for encoding in ("utf-8", "utf-16-le"):
                assert password.encode(encoding) not in raw, f"{password!r} is stored"
    finally:
        db.dispose()
    raw = path.read_bytes()
    for password in passwords.values():
        assert password.encode("utf-8") not in raw
