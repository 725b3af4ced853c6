"""Editing the catalogue: the rules, the database checks and the audit trail."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

import tests.factories as f
from app.catalogue.items import (
    ItemDraft,
    ItemRefused,
    choices,
    create_item,
    load_draft,
    retire_item,
    update_item,
    validate,
)
from app.core.actor import Actor
from app.core.errors import DomainError, NotPermitted, Refusal
from app.storage.database import Database
from models import (
    AuditEvent,
    Condition,
    EquipmentItem,
    ItemStatus,
    Loan,
    LoanLine,
    LoanStatus,
    Role,
)

TODAY = date(2026, 11, 21)


def blamed(problems: Sequence[Refusal]) -> list[tuple[str | None, str]]:
    """Each problem as the field it blames and what it says."""
    return [(p.field, p.message) for p in problems]


ACTOR = Actor("Sgt A. Example", role=Role.ADMINISTRATOR)


def a_draft(**changes: object) -> ItemDraft:
    draft = ItemDraft(
        asset_tag="CAM-000042",
        name="DJI Matrice 30T drone",
        category_id=1,
        owner_agency_id=1,
        home_site_id=1,
    )
    return dataclasses.replace(draft, **changes)  # type: ignore[arg-type]


VALIDATION_CASES = [
    ("", "asset_tag", "Enter an asset tag, as printed on the item's label."),
    ("   ", "asset_tag", "Enter an asset tag, as printed on the item's label."),
    ("X" * 41, "asset_tag", "The asset tag is 41 characters long; shorten it to 40 or fewer."),
    (
        "CAM 42",
        "asset_tag",
        "An asset tag may contain only letters, digits, hyphens (-), slashes (/) and full "
        "stops (.), with no spaces.",
    ),
]


@pytest.mark.parametrize(("tag", "field", "message"), VALIDATION_CASES)
def test_validate_checks_the_asset_tag(tag: str, field: str, message: str) -> None:
    assert blamed(validate(a_draft(asset_tag=tag), today=TODAY)) == [(field, message)]


@pytest.mark.parametrize("tag", ["CAM-000042", " cam/12.b ", "X" * 40])
def test_validate_accepts_a_good_tag_trimmed(tag: str) -> None:
    assert validate(a_draft(asset_tag=tag), today=TODAY) == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": " "}, "name", "Enter a name for the item, such as “Thermal imaging drone”."),
        (
            {"name": "N" * 201},
            "name",
            "The name is 201 characters long; shorten it to 200 or fewer.",
        ),
        ({"category_id": None}, "category_id", "Choose a category."),
        ({"owner_agency_id": None}, "owner_agency_id", "Choose the agency that owns the item."),
        ({"home_site_id": None}, "home_site_id", "Choose the site where the item is kept."),
        (
            {"is_pooled": True, "quantity": 0},
            "quantity",
            "Enter a quantity of 1 or more.",
        ),
        (
            {"is_pooled": True, "quantity": 2.5},
            "quantity",
            "Enter the quantity as a whole number, such as 1 or 40.",
        ),
        (
            {"quantity": 3},
            "quantity",
            "A tagged item is a single item, so its quantity must be 1. Tick “Pooled stock” "
            "to record several identical items under one tag.",
        ),
        (
            {"acquired_on": TODAY + timedelta(days=1)},
            "acquired_on",
            "The date acquired, 22/11/2026, is in the future; enter today's date or an "
            "earlier one.",
        ),
        (
            {"replacement_value_pence": -1},
            "replacement_value_pence",
            "The replacement value cannot be negative; enter £0.00 or more, or leave it blank.",
        ),
        (
            {"daily_hire_rate_pence": -500},
            "daily_hire_rate_pence",
            "The daily hire rate cannot be negative; enter £0.00 or more, or leave it blank.",
        ),
        (
            {"serial_number": "S" * 101},
            "serial_number",
            "The serial number is 101 characters long; shorten it to 100 or fewer.",
        ),
    ],
)
def test_validate_names_the_field_and_what_to_fix(
    changes: dict[str, object], field: str, message: str
) -> None:
    assert blamed(validate(a_draft(**changes), today=TODAY)) == [(field, message)]


def test_validate_accepts_pooled_stock_today_and_zero_money() -> None:
    draft = a_draft(
        is_pooled=True,
        quantity=40,
        acquired_on=TODAY,
        replacement_value_pence=0,
        daily_hire_rate_pence=0,
    )
    assert validate(draft, today=TODAY) == []


def test_validate_reports_every_problem_at_once() -> None:
    draft = a_draft(asset_tag="", name="", category_id=None)
    fields = [p.field for p in validate(draft, today=TODAY)]
    assert fields == ["asset_tag", "name", "category_id"]


@dataclass(frozen=True)
class Setting:
    police_id: int
    fire_id: int
    parkside_id: int
    dogsthorpe_id: int
    drones_id: int


@pytest.fixture
def setting(db: Database) -> Setting:
    with db.write() as session:
        police = f.agency(session, "Cambridgeshire Constabulary")
        fire = f.agency(session, "Cambridgeshire Fire and Rescue Service")
        parkside = f.site(session, police, "Parkside Police Station")
        dogsthorpe = f.site(session, fire, "Dogsthorpe Fire Station")
        drones = f.category(session, "Drones")
        return Setting(police.id, fire.id, parkside.id, dogsthorpe.id, drones.id)


def police_drone(setting: Setting, **changes: object) -> ItemDraft:
    draft = ItemDraft(
        asset_tag="CAM-000042",
        name="DJI Matrice 30T drone",
        category_id=setting.drones_id,
        owner_agency_id=setting.police_id,
        home_site_id=setting.parkside_id,
        make="DJI",
        model="Matrice 30T",
        condition=Condition.NEW,
        acquired_on=date(2025, 3, 1),
        replacement_value_pence=1_250_000,
    )
    return dataclasses.replace(draft, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Event:
    action: str
    actor: str
    entity_type: str
    entity_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None


def audit_events(db: Database) -> list[Event]:
    with db.read() as session:
        return [
            Event(e.action, e.actor, e.entity_type, e.entity_id, e.before, e.after, e.note)
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]


def item_count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(EquipmentItem)) or 0


def test_create_stores_the_item_and_audits_it(db: Database, setting: Setting) -> None:
    item_id = create_item(db, police_drone(setting, asset_tag="  CAM-000042 "), ACTOR)

    draft, version = load_draft(db, item_id)
    assert draft == police_drone(setting)
    assert version == 1
    [event] = audit_events(db)
    assert (event.action, event.entity_type, event.entity_id) == (
        "item.created",
        "equipment_item",
        item_id,
    )
    assert event.actor == "Sgt A. Example"
    assert event.before is None
    assert event.after is not None
    assert event.after["asset_tag"] == "CAM-000042"
    assert event.after["condition"] == "new"
    assert event.after["acquired_on"] == "2025-03-01"
    assert event.after["status"] == "available"
    assert event.after["make"] == "DJI"


def test_create_refuses_an_invalid_draft_with_its_problems(db: Database, setting: Setting) -> None:
    with pytest.raises(ItemRefused) as caught:
        create_item(db, police_drone(setting, asset_tag="", quantity=2), ACTOR)

    assert [p.field for p in caught.value.problems] == ["asset_tag", "quantity"]
    assert caught.value.message.startswith("2 things stop this: 1. Enter an asset tag")
    assert item_count(db) == 0
    assert audit_events(db) == []


@pytest.mark.parametrize("tag", ["CAM-000042", "cam-000042"])
def test_a_used_tag_is_refused_in_any_case(db: Database, setting: Setting, tag: str) -> None:
    create_item(db, police_drone(setting), ACTOR)

    with pytest.raises(ItemRefused) as caught:
        create_item(db, police_drone(setting, asset_tag=tag, name="Another drone"), ACTOR)

    assert caught.value.message == (
        "Asset tag CAM-000042 is already used by “DJI Matrice 30T drone”. Choose another tag."
    )
    assert caught.value.problems[0].field == "asset_tag"
    assert item_count(db) == 1
    assert len(audit_events(db)) == 1


def test_the_home_site_must_belong_to_the_owner(db: Database, setting: Setting) -> None:
    with pytest.raises(ItemRefused) as caught:
        create_item(db, police_drone(setting, home_site_id=setting.dogsthorpe_id), ACTOR)

    assert caught.value.message == (
        "Site Dogsthorpe Fire Station belongs to Cambridgeshire Fire and Rescue Service, not "
        "to Cambridgeshire Constabulary. Choose one of the owner's sites."
    )
    assert caught.value.problems[0].field == "home_site_id"
    assert item_count(db) == 0


def test_update_writes_before_and_after(db: Database, setting: Setting) -> None:
    item_id = create_item(db, police_drone(setting), ACTOR)
    draft, version = load_draft(db, item_id)

    changed = dataclasses.replace(
        draft,
        owner_agency_id=setting.fire_id,
        home_site_id=setting.dogsthorpe_id,
        condition=Condition.FAIR,
        notes="Gimbal stiff",
    )
    # Moving kit from one agency to another is an administrator's change.
    admin = Actor("Stn Mgr B. Example", role=Role.ADMINISTRATOR, agency_id=setting.police_id)
    update_item(db, item_id, changed, admin, version)

    assert load_draft(db, item_id) == (changed, version + 1)
    event = audit_events(db)[-1]
    assert event.action == "item.updated"
    assert event.actor == "Stn Mgr B. Example"
    assert event.before is not None
    assert event.after is not None
    assert (event.before["condition"], event.after["condition"]) == ("new", "fair")
    assert (event.before["notes"], event.after["notes"]) == (None, "Gimbal stiff")
    assert event.after["home_site_id"] == setting.dogsthorpe_id


def test_update_may_keep_its_own_tag(db: Database, setting: Setting) -> None:
    item_id = create_item(db, police_drone(setting), ACTOR)
    draft, version = load_draft(db, item_id)

    update_item(db, item_id, dataclasses.replace(draft, asset_tag="cam-000042"), ACTOR, version)

    assert load_draft(db, item_id)[0].asset_tag == "cam-000042"


def test_update_with_a_stale_version_is_refused(db: Database, setting: Setting) -> None:
    item_id = create_item(db, police_drone(setting), ACTOR)
    draft, opened_at = load_draft(db, item_id)
    update_item(db, item_id, dataclasses.replace(draft, name="First edit"), ACTOR, opened_at)

    with pytest.raises(DomainError) as caught:
        update_item(db, item_id, dataclasses.replace(draft, name="Second edit"), ACTOR, opened_at)

    assert caught.value.message == (
        "Someone else changed this item since you opened it; close and reopen it to see "
        "their change."
    )
    assert load_draft(db, item_id)[0].name == "First edit"
    assert [e.action for e in audit_events(db)] == ["item.created", "item.updated"]


def test_update_refuses_another_items_tag(db: Database, setting: Setting) -> None:
    create_item(db, police_drone(setting), ACTOR)
    other = create_item(db, police_drone(setting, asset_tag="CAM-000043"), ACTOR)
    draft, version = load_draft(db, other)

    with pytest.raises(ItemRefused, match="already used by"):
        update_item(db, other, dataclasses.replace(draft, asset_tag="Cam-000042"), ACTOR, version)

    assert load_draft(db, other) == (draft, version)


def lend(db: Database, item_id: int, borrower_id: int, status: LoanStatus) -> None:
    with db.write() as session:
        loan = Loan(
            borrower_agency_id=borrower_id,
            purpose="Missing person search",
            starts_at=f.NOW - timedelta(hours=2),
            due_at=f.NOW + timedelta(days=1),
            status=status,
            issued_at=f.NOW - timedelta(hours=2),
        )
        loan.lines = [
            LoanLine(item_id=item_id, quantity=1, starts_at=loan.starts_at, ends_at=loan.due_at)
        ]
        session.add(loan)


def test_retire_refuses_an_item_on_loan(db: Database, setting: Setting) -> None:
    item_id = create_item(db, police_drone(setting), ACTOR)
    lend(db, item_id, setting.fire_id, LoanStatus.ISSUED)

    with pytest.raises(DomainError) as caught:
        retire_item(db, item_id, ACTOR, "Written off")

    assert caught.value.message == (
        "CAM-000042 “DJI Matrice 30T drone” is out on loan to Cambridgeshire Fire and Rescue "
        "Service. Record its return before retiring it."
    )
    with db.read() as session:
        assert session.get(EquipmentItem, item_id).status is ItemStatus.AVAILABLE  # type: ignore[union-attr]


def test_retire_allows_an_item_whose_loan_was_returned(db: Database, setting: Setting) -> None:
    item_id = create_item(db, police_drone(setting), ACTOR)
    lend(db, item_id, setting.fire_id, LoanStatus.RETURNED)

    retire_item(db, item_id, ACTOR, "Written off")

    with db.read() as session:
        assert session.get(EquipmentItem, item_id).status is ItemStatus.RETIRED  # type: ignore[union-attr]


def test_retire_writes_an_audit_event_and_refuses_a_second_time(
    db: Database, setting: Setting
) -> None:
    item_id = create_item(db, police_drone(setting), ACTOR)

    retire_item(db, item_id, ACTOR, "  Crashed during training  ")

    event = audit_events(db)[-1]
    assert event.action == "item.retired"
    assert event.note == "Crashed during training"
    assert event.before is not None
    assert event.after is not None
    assert (event.before["status"], event.after["status"]) == ("available", "retired")

    with pytest.raises(DomainError) as caught:
        retire_item(db, item_id, ACTOR, "Again")
    assert caught.value.message == "CAM-000042 “DJI Matrice 30T drone” is already retired."
    assert len(audit_events(db)) == 2


def test_retire_needs_a_reason(db: Database, setting: Setting) -> None:
    item_id = create_item(db, police_drone(setting), ACTOR)

    with pytest.raises(DomainError, match="Give a reason"):
        retire_item(db, item_id, ACTOR, "  ")


def test_choices_list_sites_with_their_owner(db: Database, setting: Setting) -> None:
    offered = choices(db)

    assert offered.categories == ((setting.drones_id, "Drones"),)
    assert [name for _, name in offered.agencies] == [
        "Cambridgeshire Constabulary",
        "Cambridgeshire Fire and Rescue Service",
    ]
    assert [s.name for s in offered.sites_of(setting.fire_id)] == ["Dogsthorpe Fire Station"]
    assert offered.sites_of(None) == ()


# -- who may change the catalogue ------------------------------------------------------------


def _catalogue(db: Database) -> tuple[int, list[tuple[str, str]]]:
    with db.read() as session:
        events = session.scalar(select(func.count(AuditEvent.id))) or 0
        items = session.execute(select(EquipmentItem.asset_tag, EquipmentItem.name)).all()
    return events, sorted((tag, name) for tag, name in items)


def test_a_duty_officer_cannot_change_the_catalogue(db: Database, setting: Setting) -> None:
    item_id = create_item(db, police_drone(setting), ACTOR)
    draft, version = load_draft(db, item_id)
    duty = Actor("PC Duty", role=Role.DUTY_OFFICER, agency_id=setting.police_id)
    before = _catalogue(db)
    for change in (
        lambda: create_item(db, police_drone(setting, asset_tag="CAM-9"), duty),
        lambda: update_item(db, item_id, dataclasses.replace(draft, name="X"), duty, version),
        lambda: retire_item(db, item_id, duty, "Written off"),
    ):
        with pytest.raises(NotPermitted, match="only an equipment manager or an administrator"):
            change()
    assert _catalogue(db) == before


def test_a_manager_keeps_only_their_own_agencys_kit(db: Database, setting: Setting) -> None:
    item_id = create_item(db, police_drone(setting), ACTOR)
    draft, version = load_draft(db, item_id)
    fire_manager = Actor("Stn Mgr Fire", role=Role.EQUIPMENT_MANAGER, agency_id=setting.fire_id)
    before = _catalogue(db)
    for change in (
        lambda: create_item(db, police_drone(setting, asset_tag="CAM-9"), fire_manager),
        lambda: update_item(
            db, item_id, dataclasses.replace(draft, name="X"), fire_manager, version
        ),
        lambda: retire_item(db, item_id, fire_manager, "Written off"),
    ):
        with pytest.raises(NotPermitted, match="not Cambridgeshire Constabulary's"):
            change()
    assert _catalogue(db) == before
    # Nor may a police manager give police kit away to the fire service.
    police_manager = Actor("Stn Mgr Pol", role=Role.EQUIPMENT_MANAGER, agency_id=setting.police_id)
    moved = dataclasses.replace(
        draft, owner_agency_id=setting.fire_id, home_site_id=setting.dogsthorpe_id
    )
    with pytest.raises(NotPermitted, match="Cambridgeshire Fire and Rescue Service's"):
        update_item(db, item_id, moved, police_manager, version)
    update_item(db, item_id, dataclasses.replace(draft, name="Renamed"), police_manager, version)
    assert load_draft(db, item_id)[0].name == "Renamed"


def test_an_administrator_keeps_any_agencys_kit(db: Database, setting: Setting) -> None:
    admin = Actor("Admin", role=Role.ADMINISTRATOR, agency_id=setting.fire_id)
    item_id = create_item(db, police_drone(setting), admin)
    retire_item(db, item_id, admin, "Written off")
    assert [e.action for e in audit_events(db)] == ["item.created", "item.retired"]


# -- typed at the edges -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("acquired", "message"),
    [
        (
            date(1, 1, 1),
            "The date acquired 01/01/0001 is outside the dates Kit Share takes; give one from "
            "01/01/1970 to 31/12/2099.",
        ),
        (
            date(1969, 12, 31),
            "The date acquired 31/12/1969 is outside the dates Kit Share takes; give one from "
            "01/01/1970 to 31/12/2099.",
        ),
    ],
)
def test_a_date_acquired_outside_the_years_kept_is_refused(acquired: date, message: str) -> None:
    assert blamed(validate(a_draft(acquired_on=acquired), today=TODAY)) == [
        ("acquired_on", message)
    ]
    assert validate(a_draft(acquired_on=date(1970, 1, 1)), today=TODAY) == []


def test_control_characters_typed_into_an_item_are_not_kept(db: Database, setting: Setting) -> None:
    item_id = create_item(
        db,
        police_drone(
            setting,
            asset_tag="CAM-000042\x00",
            name="DJI\x00 Matrice\t30T\r\ndrone",
            serial_number="\ud800SN-1",
            description="Thermal camera.\r\nSecond line\x00.",
            notes="\x1b[1mBold\x1b[0m",
        ),
        ACTOR,
    )

    draft, _ = load_draft(db, item_id)
    assert draft.asset_tag == "CAM-000042"
    assert draft.name == "DJI Matrice 30T drone"
    assert draft.serial_number == "\ufffdSN-1"
    assert draft.description == "Thermal camera.\nSecond line."
    assert draft.notes == "[1mBold[0m"


def test_a_name_that_is_only_control_characters_is_a_missing_name() -> None:
    assert blamed(validate(a_draft(name="\x00\x07"), today=TODAY)) == [
        ("name", "Enter a name for the item, such as “Thermal imaging drone”.")
    ]


def test_a_quantity_or_amount_too_big_to_keep_is_refused(db: Database, setting: Setting) -> None:
    too_big = police_drone(
        setting,
        is_pooled=True,
        quantity=10**12,
        replacement_value_pence=10**12,
        daily_hire_rate_pence=2**31,
    )
    with pytest.raises(ItemRefused) as raised:
        create_item(db, too_big, ACTOR)
    assert blamed(raised.value.problems) == [
        ("quantity", "Enter a quantity of 1,000,000 or fewer; that is the most one item holds."),
        (
            "replacement_value_pence",
            "The replacement value is more than Kit Share can record; enter £21,474,836.47 or "
            "less.",
        ),
        (
            "daily_hire_rate_pence",
            "The daily hire rate is more than Kit Share can record; enter £21,474,836.47 or less.",
        ),
    ]
    assert item_count(db) == 0
    largest = police_drone(
        setting, is_pooled=True, quantity=1_000_000, replacement_value_pence=2_147_483_647
    )
    assert validate(largest, today=TODAY) == []
