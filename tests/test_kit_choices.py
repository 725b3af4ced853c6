"""What the kit forms offer: the owner's items to make a kit of, and a kit request's
defaults, the strictest of its members', on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from app.catalogue.items import retire_item
from app.core.actor import Actor
from app.kits import service
from app.kits.choices import kit_request_defaults, member_choices, stand_in_quantity
from app.kits.lending import StandIn
from app.kits.rules import MemberDraft
from app.kits.search import search_kits
from app.loans.support import request_defaults
from app.storage.database import Database
from models import Role
from tests.test_kits import NOW, World, make, team_kit, world

__all__ = ["world"]  # the fixture, shared with the kit service tests

ADMIN = Actor("Test administrator", role=Role.ADMINISTRATOR)


def test_a_kit_is_made_of_its_own_agencys_items_in_use(db: Database, world: World) -> None:
    offered = member_choices(db, world.fire)
    tags = [item.asset_tag for item in offered]
    assert tags == sorted(tags)
    assert {"CFR-B1", "CFR-S1", "CFR-L1"} <= set(tags)
    assert "POL-B1" not in tags  # the police's boat
    assert all(item.owner_agency_id == world.fire for item in offered)
    retire_item(db, world.spare_boat, ADMIN, "Holed")
    assert "CFR-B2" not in [item.asset_tag for item in member_choices(db, world.fire)]


def test_a_kit_request_starts_where_every_member_allows(db: Database, world: World) -> None:
    water = service.get_kit(db, make(db, world))
    defaults = kit_request_defaults(db, water, now=NOW)
    boat = request_defaults(db, world.boat, now=NOW)
    assert (defaults.starts_at, defaults.due_at) == (boat.starts_at, boat.due_at)
    assert set(defaults.borrower_ids) == {world.police, world.ambulance}

    # The lamp's protocol: police only, 24 hours' notice, 24 hours at most.
    with_lamp = replace(team_kit(world, "Night water kit"), members=(MemberDraft(world.boat),))
    with_lamp = replace(with_lamp, members=(*with_lamp.members, MemberDraft(world.lamp)))
    night = service.get_kit(db, make(db, world, with_lamp))
    strict = kit_request_defaults(db, night, now=NOW)
    lamp = request_defaults(db, world.lamp, now=NOW)
    assert strict.starts_at == lamp.starts_at > defaults.starts_at
    assert strict.due_at - strict.starts_at <= timedelta(hours=24)
    assert strict.borrower_ids == (world.police,)


def test_a_search_for_a_kits_name_names_it_not_one_for_its_site(db: Database, world: World) -> None:
    team = make(db, world)
    (hit,) = search_kits(db, "water rescue")
    assert (hit.kit.id, hit.named) == (team, True)
    # Huntingdon is where the kit is kept: found by its own words, but not asked for by name.
    (hit,) = search_kits(db, "huntingdon")
    assert (hit.by_name, hit.named) == (True, False)
    (hit,) = search_kits(db, "inflatable")
    assert (hit.by_name, hit.named, hit.members) == (False, False, ("CFR-B1",))


def test_a_stand_in_takes_as_many_as_the_member_stood_for(db: Database, world: World) -> None:
    kit = service.get_kit(db, make(db, world))
    boat, suits, _lines = kit.members
    single = StandIn(world.spare_boat, "CFR-B2", "Spare boat", "Huntingdon", False, 1, True)
    pool = StandIn(world.lines, "CFR-X1", "Dry suits", "Huntingdon", True, 3, True)
    assert stand_in_quantity(boat, single) == 1
    assert stand_in_quantity(suits, single) == 1
    assert stand_in_quantity(suits, pool) == 3  # 4 asked for, 3 free
    assert stand_in_quantity(boat, pool) == 1
