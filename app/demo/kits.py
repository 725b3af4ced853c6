"""The demo's kits: capabilities the services lend as one, made of the demo's own items.

From the seeds' kit list: a water rescue team, a road closure, scene lighting, a drone
team with its batteries and pilot's kit, and method of entry. Each is an agency's own
items (a kit never mixes owners), with the note whoever packs it needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from sqlalchemy.orm import Session

from models import EquipmentItem, Kit, KitMember, Site


class KitSpec(NamedTuple):
    name: str
    site: str  # the home site's key in ``app.demo.data.SITES``
    description: str
    members: tuple[tuple[str, int, str], ...]  # tag, quantity, note


KITS: tuple[KitSpec, ...] = (
    KitSpec(
        "Huntingdon water rescue team kit",
        "fire-huntingdon",
        "A DEFRA Type B flood rescue team's boat, PPE and throw lines for the Great Ouse, "
        "lent with or without crew.",
        (
            ("CFR-000221", 1, "Check the bung and the kill cord"),
            ("CFR-000223", 4, "Dry suits in mixed sizes: check the seals"),
            ("CFR-000224", 6, ""),
            ("CFR-000225", 1, "Wading pole in the bag"),
        ),
    ),
    KitSpec(
        "Headquarters road closure kit",
        "pol-hq",
        "Signs and cones for a full road closure with a signed diversion, as for a fatal "
        "collision or a festival.",
        (
            ("CAM-000150", 4, "Weights on each frame"),
            ("CAM-000151", 2, ""),
            ("CAM-000152", 6, "Arrows reversible: check both faces"),
            ("CAM-000154", 40, "Count them back in: forty"),
        ),
    ),
    KitSpec(
        "Huntingdon scene lighting kit",
        "fire-huntingdon",
        "A diesel tower light for the scene and a tripod LED light for the inner cordon.",
        (
            ("CFR-000230", 1, "Full tank of diesel before it goes"),
            ("CFR-000234", 1, "Two batteries, charged"),
        ),
    ),
    KitSpec(
        "Thorpe Wood drone team kit",
        "pol-thorpe",
        "A thermal drone with its six batteries, charging hub and the pilot's kit bag "
        "(landing pad, ND filters, hi-vis), and a search lamp for the ground team.",
        (
            ("CAM-000101", 1, "Six batteries, charged; pilot's kit bag"),
            ("CAM-000181", 2, ""),
        ),
    ),
    KitSpec(
        "Headquarters method of entry kit",
        "pol-hq",
        "Forced entry for a warrant or a welfare check: ram, Halligan set and a battery "
        "disc cutter.",
        (
            ("CAM-000170", 1, ""),
            ("CAM-000174", 1, "Check the forks for burrs"),
            ("CAM-000173", 1, "Spare blade and a charged battery"),
        ),
    ),
)


def add_kits(
    session: Session,
    items: Mapping[str, EquipmentItem],
    sites: Mapping[str, Site],
    made_at: datetime,
) -> list[Kit]:
    """The demo's kits, of the demo's items, made at ``made_at``."""
    session.flush()  # the items' ids
    kits: list[Kit] = []
    for spec in KITS:
        first = items[spec.members[0][0]]
        kit = Kit(
            name=spec.name,
            owner_agency_id=first.owner_agency_id,
            home_site_id=sites[spec.site].id,
            description=spec.description,
            created_at=made_at,
            updated_at=made_at,
        )
        kit.members = [
            KitMember(item_id=items[tag].id, quantity=quantity, note=note or None, position=n)
            for n, (tag, quantity, note) in enumerate(spec.members)
        ]
        session.add(kit)
        kits.append(kit)
    session.flush()
    return kits
