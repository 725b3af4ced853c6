"""The Cambridgeshire demo catalogue: agencies, stations, kit, people, MoUs and loans.

Everything is placed relative to the ``now`` given, so the demo always shows kit out on
loan today, loans that are overdue, inspections about to lapse and an MoU due for review.
The data is fixed (one seeded random generator for meter readings and inspection dates),
so two demo databases made at the same moment are identical.

The people and signatories are invented; the agencies, stations and the legal footing
are real.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy.orm import Session

from app.core.clock import add_months, today_uk
from app.demo.kits import add_kits
from app.people.passwords import hash_password
from models import (
    Agency,
    AgencyKind,
    AppUser,
    Category,
    ChargingBasis,
    Condition,
    Defect,
    DefectSeverity,
    DefectSource,
    EquipmentItem,
    Inspection,
    InspectionRegime,
    InspectionResult,
    ItemStatus,
    Loan,
    LoanLine,
    LoanStatus,
    Mou,
    MouClause,
    MouParty,
    MouSignatory,
    Person,
    PersonQualification,
    QualificationType,
    Role,
    SharingProtocol,
    Site,
)

D = 24  # hours in a day, for loan offsets written as ``-3 * D + 2``

# The generated history reads its meters (fuel, hours, mileage) from its own generator.
HISTORY_READINGS_SEED = 1974

# ---------------------------------------------------------------------------------------
# Agencies and sites
# ---------------------------------------------------------------------------------------

# code, name, kind, address, phone
# fmt: off
AGENCIES: tuple[tuple[str, str, AgencyKind, str | None, str | None], ...] = (
    ("CAMBS-POL", "Cambridgeshire Constabulary", AgencyKind.POLICE, "Police Headquarters, Hinchingbrooke Park, Huntingdon, Cambridgeshire PE29 6NP", "101"),
    ("CAMBS-FRS", "Cambridgeshire Fire and Rescue Service", AgencyKind.FIRE, "Hinchingbrooke Cottage, Brampton Road, Huntingdon, Cambridgeshire PE29 2NA", "01480 444500"),
    ("EEAST", "East of England Ambulance Service NHS Trust", AgencyKind.AMBULANCE, "Whiting Way, Melbourn, Royston, Hertfordshire SG8 6NA", None),
    ("BEDS-POL", "Bedfordshire Police", AgencyKind.POLICE, "Woburn Road, Kempston, Bedford MK43 9AX", "101"),
    ("HERTS-POL", "Hertfordshire Constabulary", AgencyKind.POLICE, "Stanborough Road, Welwyn Garden City, Hertfordshire AL8 6XF", "101"),
    ("BEDS-FRS", "Bedfordshire Fire and Rescue Service", AgencyKind.FIRE, "Southfields Road, Kempston, Bedford MK42 7NR", None),
    ("HERTS-FRS", "Hertfordshire Fire and Rescue Service", AgencyKind.FIRE, None, None),
    ("NORF-POL", "Norfolk Constabulary", AgencyKind.POLICE, "Jubilee House, Falconers Chase, Wymondham, Norfolk NR18 0WW", "101"),
    ("NORF-FRS", "Norfolk Fire and Rescue Service", AgencyKind.FIRE, "Whitegates, Hethersett, Norwich NR9 3DN", None),
)
# fmt: on

# key, agency code, name, town, address, postcode
# fmt: off
SITES: tuple[tuple[str, str, str, str, str | None, str | None], ...] = (
    ("pol-hq", "CAMBS-POL", "Police Headquarters, Hinchingbrooke Park", "Huntingdon", "Hinchingbrooke Park, Huntingdon", "PE29 6NP"),
    ("pol-thorpe", "CAMBS-POL", "Thorpe Wood Police Station", "Peterborough", "Thorpe Wood, Peterborough", "PE3 6SF"),
    ("pol-parkside", "CAMBS-POL", "Parkside Police Station", "Cambridge", "Parkside, Cambridge", "CB1 1JG"),
    ("pol-ely", "CAMBS-POL", "Ely Police Station", "Ely", None, None),
    ("pol-march", "CAMBS-POL", "March Police Station", "March", None, None),
    ("pol-wisbech", "CAMBS-POL", "Wisbech Police Station", "Wisbech", None, None),
    ("pol-stneots", "CAMBS-POL", "St Neots Police Station", "St Neots", None, None),
    ("pol-stives", "CAMBS-POL", "St Ives Police Station", "St Ives", None, None),
    ("fire-hq", "CAMBS-FRS", "Fire Service Headquarters", "Huntingdon", "Hinchingbrooke Cottage, Brampton Road, Huntingdon", "PE29 2NA"),
    ("fire-dogsthorpe", "CAMBS-FRS", "Dogsthorpe Fire Station", "Peterborough", None, None),
    ("fire-stanground", "CAMBS-FRS", "Stanground Fire Station", "Peterborough", None, None),
    ("fire-cambridge", "CAMBS-FRS", "Cambridge Fire Station", "Cambridge", "Parkside, Cambridge", None),
    ("fire-huntingdon", "CAMBS-FRS", "Huntingdon Fire Station", "Huntingdon", None, None),
    ("fire-ely", "CAMBS-FRS", "Ely Fire Station", "Ely", None, None),
    ("fire-stneots", "CAMBS-FRS", "St Neots Fire Station", "St Neots", None, None),
    ("fire-wisbech", "CAMBS-FRS", "Wisbech Fire Station", "Wisbech", None, None),
    ("fire-march", "CAMBS-FRS", "March Fire Station", "March", None, None),
    ("fire-soham", "CAMBS-FRS", "Soham Fire Station", "Soham", None, None),
    ("fire-cottenham", "CAMBS-FRS", "Cottenham Fire Station", "Cottenham", None, None),
    ("amb-hq", "EEAST", "Trust Headquarters, Melbourn", "Melbourn", "Whiting Way, Melbourn, Royston", "SG8 6NA"),
    ("amb-cambridge", "EEAST", "Cambridge Ambulance Station (at Cambridge Fire Station)", "Cambridge", "Parkside, Cambridge", None),
    ("amb-hart", "EEAST", "Hazardous Area Response Team base, Cambridge", "Cambridge", None, None),
    ("amb-peterborough", "EEAST", "Peterborough Ambulance Station", "Peterborough", None, None),
    ("beds-pol-hq", "BEDS-POL", "Bedfordshire Police Headquarters", "Kempston", "Woburn Road, Kempston, Bedford", "MK43 9AX"),
    ("beds-pol-luton", "BEDS-POL", "Luton Police Station", "Luton", None, None),
    ("herts-pol-hq", "HERTS-POL", "Hertfordshire Constabulary Headquarters", "Welwyn Garden City", "Stanborough Road, Welwyn Garden City", "AL8 6XF"),
    ("herts-pol-stevenage", "HERTS-POL", "Stevenage Police Station", "Stevenage", None, None),
    ("beds-frs-hq", "BEDS-FRS", "Bedfordshire Fire and Rescue Service Headquarters", "Kempston", "Southfields Road, Kempston, Bedford", "MK42 7NR"),
    ("beds-frs-bedford", "BEDS-FRS", "Bedford Fire Station", "Bedford", None, None),
    ("herts-frs-stevenage", "HERTS-FRS", "Stevenage Fire Station", "Stevenage", None, None),
    ("herts-frs-royston", "HERTS-FRS", "Royston Fire Station", "Royston", None, None),
    ("norf-pol-hq", "NORF-POL", "Norfolk Constabulary Headquarters, Jubilee House", "Wymondham", "Falconers Chase, Wymondham", "NR18 0WW"),
    ("norf-pol-kl", "NORF-POL", "King's Lynn Police Station", "King's Lynn", None, None),
    ("norf-frs-hq", "NORF-FRS", "Norfolk Fire and Rescue Service Headquarters", "Hethersett", "Whitegates, Hethersett, Norwich", "NR9 3DN"),
    ("norf-frs-kl", "NORF-FRS", "King's Lynn South Fire Station", "King's Lynn", None, None),
    ("norf-frs-downham", "NORF-FRS", "Downham Market Fire Station", "Downham Market", None, None),
)
# fmt: on

# Asset tag prefix per owning agency.
# fmt: off
TAG_PREFIX: dict[str, str] = {
    "CAMBS-POL": "CAM",
    "CAMBS-FRS": "CFR",
    "EEAST": "EEA",
    "BEDS-POL": "BED",
    "BEDS-FRS": "BED",
    "HERTS-POL": "HRT",
    "HERTS-FRS": "HRT",
    "NORF-POL": "NOR",
    "NORF-FRS": "NOR",
}
# fmt: on

# ---------------------------------------------------------------------------------------
# Categories and qualifications
# ---------------------------------------------------------------------------------------

DRONES = "Drones"
THERMAL = "Thermal imaging cameras"
WATER = "Water and flood rescue"
LIGHTING = "Lighting towers"
GENERATORS = "Generators"
BARRIERS = "Barriers"
TENTS = "Tents and shelters"
FENCING = "Fencing"
TOILETS = "Mobile toilets"
SIGNS = "Road closure signs"
COMMAND = "Command vehicles"
MOE = "Method of entry"
HEIGHT = "Work at height"
POOL = "Pool vehicles"
PUMPS = "Portable pumps"
SEARCH = "Search equipment"

# name, description, fuel, hours, battery, mileage
# fmt: off
CATEGORIES: tuple[tuple[str, str, bool, bool, bool, bool], ...] = (
    (DRONES, "Unmanned aircraft (UAS) with thermal and zoom cameras for search, fire and scene mapping. Flown only by pilots with a current GVC or A2 CofC under an operational authorisation.", False, False, True, False),
    (THERMAL, "Handheld thermal imaging cameras and monoculars for search and firefighting.", False, False, True, False),
    (WATER, "Flood and water rescue boats, sleds, throw lines and PPE, to DEFRA flood rescue module standards. Engine hours recorded for powered boats.", False, True, False, False),
    (LIGHTING, "Scene lighting: diesel and battery tower lights and inflatable light masts.", True, True, False, False),
    (GENERATORS, "Portable and trailer-mounted generators for scene power.", True, True, False, False),
    (BARRIERS, "Pooled pedestrian and cordon barriers, counted out and back.", False, False, False, False),
    (TENTS, "Pooled forensic tents, gazebos, welfare and casualty shelters.", False, False, False, False),
    (FENCING, "Pooled temporary fencing panels and privacy screens for cordons and scenes.", False, False, False, False),
    (TOILETS, "Pooled mobile toilet units for cordons, events and long incidents.", False, False, False, False),
    (SIGNS, "Pooled road closure and diversion signs (TSRGD diagram types) and cones. Police 'extraordinary circumstances' signs are placed under the chief officer's instructions (RTRA 1984 s.67).", False, False, False, False),
    (COMMAND, "Incident command units and mobile police stations, with ICT. Driver licence category as stated.", True, False, False, True),
    (MOE, "Method-of-entry tools: door rams, hydraulic spreaders, disc cutters. Police keep primacy for board-up.", False, False, False, False),
    (HEIGHT, "Work-at-height and rope rescue kit, tripods, ladders and aerial ladder platforms. LOLER thorough examination every 6 months.", False, False, False, False),
    (POOL, "Fire service pool cars and vans kept at Peterborough fire stations for community-based police work.", True, False, False, True),
    (PUMPS, "Portable, floating and submersible pumps for flooding and water supply.", True, True, False, False),
    (SEARCH, "Sonar, search probes and search lamps for missing person and water searches.", False, False, True, False),
)
# fmt: on

# code, name, allows, validity in months
# fmt: off
QUALIFICATIONS: tuple[tuple[str, str, str, int | None], ...] = (
    ("UAS-GVC", "Drone pilot (GVC)", "Allows the holder to fly drones in the Specific category under the operational authorisation held by their service.", 60),
    ("UAS-A2", "Drone pilot (A2 CofC)", "Allows the holder to fly drones under 2 kg in the Open category (A2 subcategory) close to uninvolved people.", 60),
    ("DEFRA-M3", "Flood rescue technician (Module 3)", "Allows the holder to work in flood and swift water as a rescue technician, including wading and contact rescues, and to use flood rescue sleds and PPE.", 36),
    ("DEFRA-M2", "Flood first responder (Module 2)", "Allows the holder to work near water and in shallow flood water as a first responder, including throw-line rescue from the bank.", 36),
    ("DEFRA-M4", "Boat operator (Module 4)", "Allows the holder to helm flood rescue boats, powered and non-powered, in flood water.", 36),
    ("WAH", "Work at height", "Allows the holder to use rope access, fall arrest and rescue tripod equipment and to work from aerial ladder platforms.", 24),
    ("MOE", "Method of entry", "Allows the holder to use door rams, hydraulic door spreaders and disc cutters to force entry.", 12),
    ("HGV-C", "HGV C licence", "Allows the holder to drive vehicles over 7.5 tonnes, including the fire incident command unit.", 60),
    ("LGV-C1", "Medium goods vehicle (C1) licence", "Allows the holder to drive vehicles of 3.5 to 7.5 tonnes, including the mobile police station.", 60),
    ("LTO", "Lighting tower operator", "Allows the holder to set up, raise, lower and refuel tower lights and generators after service familiarisation.", None),
)
# fmt: on

# ---------------------------------------------------------------------------------------
# Equipment
# ---------------------------------------------------------------------------------------


class ItemSpec(NamedTuple):
    tag: str
    site: str
    category: str
    name: str
    make: str | None
    model: str | None
    serial: str | None
    description: str
    accessories: str | None
    value_pounds: int | None
    rate_pounds: int | None
    quantity: int | None = None  # None: an individually tagged item
    condition: Condition = Condition.GOOD
    retired: bool = False
    notes: str | None = None


_M30T_ACC = "4 × TB30 batteries, BS30 charging hub, DJI RC Plus remote, spare propellers, hard case"
_M3T_ACC = (
    "3 × batteries, charging hub, DJI RC Pro remote, spare propellers, speaker module, soft case"
)

# fmt: off
ITEMS: tuple[ItemSpec, ...] = (
    # Cambridgeshire Constabulary
    ItemSpec("CAM-000101", "pol-thorpe", DRONES, "DJI Matrice 30T thermal drone", "DJI", "Matrice 30T", "1581F5BKD23A00HT", "Force drone unit aircraft with wide, zoom and radiometric thermal cameras and laser range finder. Used for missing person searches, vehicle pursuits and scene photography at night.", _M30T_ACC, 11500, 150),
    ItemSpec("CAM-000102", "pol-hq", DRONES, "DJI Matrice 30T thermal drone", "DJI", "Matrice 30T", "1581F5BKD23A00Q2", "Thermal drone kept at headquarters for the Huntingdonshire and fen areas; thermal and 200× zoom camera, IP55 weather resistant.", _M30T_ACC, 11500, 150),
    ItemSpec("CAM-000103", "pol-parkside", DRONES, "DJI Mavic 3 Thermal drone", "DJI", "Mavic 3T", "1581F6Q8C24B0071", "Compact thermal drone for Cambridge city: 640 × 512 thermal sensor, 56× zoom. Quick to launch from a patrol car.", _M3T_ACC, 6200, 90),
    ItemSpec("CAM-000104", "pol-march", DRONES, "DJI Mavic 3 Thermal drone", "DJI", "Mavic 3T", "1581F6Q8C24B00A9", "Compact thermal drone for Fenland searches and rural crime patrols.", _M3T_ACC, 6200, 90),
    ItemSpec("CAM-000105", "pol-ely", DRONES, "DJI Matrice 4T thermal drone", "DJI", "Matrice 4T", "1581F8M4T25C0013", "Newest force drone: thermal, zoom and wide cameras with laser range finder and night-vision mode. Ely and East Cambridgeshire.", "3 × TB100 batteries, charging hub, DJI RC Plus 2 remote, spotlight, hard case", 8900, 120),
    ItemSpec("CAM-000087", "pol-hq", DRONES, "DJI Mavic 2 Enterprise Dual drone", "DJI", "Mavic 2 Enterprise Dual", "163CG9R0A30047", "Early force thermal drone (low-resolution thermal). Replaced by the Matrice 30T fleet.", "2 × batteries, remote", 2800, None, condition=Condition.POOR, retired=True, notes="Retired: thermal resolution too low for search; replaced by CAM-000101. Kept for training spares only."),
    ItemSpec("CAM-000110", "pol-parkside", THERMAL, "Pulsar Helion 2 XP50 Pro thermal monocular", "Pulsar", "Helion 2 XP50 Pro", "HX50P-221407", "Handheld thermal imaging monocular for finding people in the dark: hedgerows, river banks and open ground. Records video.", "2 × IPS7 batteries, charger, lanyard, case", 3300, 30),
    ItemSpec("CAM-000111", "pol-stives", THERMAL, "FLIR Scout TK handheld thermal camera", "FLIR", "Scout TK", "SCTK-8812034", "Pocket thermal camera for house-to-house and garden searches.", "USB charger, lanyard, pouch", 650, 10),
    ItemSpec("CAM-000112", "pol-stneots", THERMAL, "Pulsar Axion 2 XG35 thermal monocular", "Pulsar", "Axion 2 XG35", "AX35-230955", "Compact thermal monocular for search teams in St Neots and the south of the county.", "2 × APS batteries, charger, case", 1900, 20),
    ItemSpec("CAM-000120", "pol-thorpe", LIGHTING, "Inflatable LED light mast, 4.5 m, battery", "Airstar", "Sirius 1200 LED", "AS-SIR-11742", "Glare-free balloon light on a tripod mast for scenes, cordons and search areas. Silent battery running for 8 hours.", "Battery pack, tripod, ballast bags, 2 × spare envelopes, transit case", 7800, 60),
    ItemSpec("CAM-000121", "pol-hq", GENERATORS, "Honda EU70is generator, 7 kVA", "Honda", "EU70is", "EBKJ-1107884", "Inverter generator for the mobile police station and scene equipment. Petrol, electric start.", "Wheel kit, 2 × 16 A leads, 2 × 110 V transformer, 20 l fuel can", 4200, 35),
    ItemSpec("CAM-000122", "pol-ely", GENERATORS, "Honda EU22i generator, 2.2 kVA", "Honda", "EU22i", "EAAJ-1322071", "Light inverter generator for scene lighting and charging radios and drone batteries.", "16 A lead, 10 l fuel can", 1300, 15),
    ItemSpec("CAM-000130", "pol-thorpe", BARRIERS, "Pedestrian barrier, 2.5 m steel", "Various", "2.5 m galvanised crowd barrier", None, "Interlocking galvanised steel pedestrian barriers for football, events and cordons in Peterborough.", "Stacked on 2 stillages", 45, 1, quantity=40),
    ItemSpec("CAM-000131", "pol-parkside", BARRIERS, "Pedestrian barrier, 2.5 m steel", "Various", "2.5 m galvanised crowd barrier", None, "Interlocking galvanised steel pedestrian barriers for Cambridge city events and cordons.", "Stacked on 3 stillages", 45, 1, quantity=60),
    ItemSpec("CAM-000135", "pol-hq", TENTS, "Forensic scene tent, 3 m × 3 m, white", "Scenesafe", "Pop-up forensic tent", None, "Quick-erect white forensic tent to protect a scene and evidence from weather and view.", "Pegs, weights, side walls, carry bag", 650, 10, quantity=8),
    ItemSpec("CAM-000136", "pol-thorpe", TENTS, "Rapid-deploy gazebo, 3 m × 3 m, POLICE livery", "Gazebo Shop", "Pro 40 3 × 3", None, "Branded gazebo for forward command points, welfare and casualty clearing at events.", "4 × leg weights, 3 side walls, wheeled bag", 900, 10, quantity=10),
    ItemSpec("CAM-000140", "pol-thorpe", FENCING, "Temporary fencing panel (Heras type), 3.5 m", "Heras", "Mesh panel 3.5 m × 2 m", None, "Anti-climb mesh fencing panels with rubber feet and couplers for dangerous structure and crime scene cordons.", "Feet, couplers and braces for each panel", 60, 1, quantity=24),
    ItemSpec("CAM-000141", "pol-parkside", FENCING, "Scene privacy screen, 2 m", "Scenesafe", "Privacy screen 2 m", None, "Folding blue privacy screens to shield casualties and scenes from public view.", "Weights and carry bags", 350, 5, quantity=10),
    ItemSpec("CAM-000145", "pol-thorpe", TOILETS, "Accessible mobile toilet unit", "Armal", "Ultimate Disabled", None, "Wheelchair-accessible self-contained toilet unit for long cordons and football operations.", "Delivered on the force trailer; chemical pack", 1800, 40, quantity=2),
    ItemSpec("CAM-000150", "pol-hq", SIGNS, "Road closed sign (diagram 7001)", "Melba Swintex", "Folding sign 1050 mm", None, "Folding 'ROAD CLOSED' sign on a weighted frame for police road closures and diversions.", "Sandbags, frame", 95, 1, quantity=30),
    ItemSpec("CAM-000151", "pol-hq", SIGNS, "No entry sign (diagram 616)", "Melba Swintex", "Folding sign 750 mm", None, "Folding 'No entry' sign for one-way closures at incidents and events.", "Sandbags, frame", 80, 1, quantity=12),
    ItemSpec("CAM-000152", "pol-hq", SIGNS, "Diversion sign with arrow (diagram 2702)", "Melba Swintex", "Folding diversion sign", None, "Yellow diversion route sign with reversible arrow for incident diversions.", "Sandbags, frame", 85, 1, quantity=20),
    ItemSpec("CAM-000153", "pol-thorpe", SIGNS, "Keep left sign, 600 mm (diagram 610)", "Melba Swintex", "Keep left 600 mm", None, "Keep left / keep right sign on a cone-top or frame, for lane closures.", "Frame", 60, 1, quantity=10),
    ItemSpec("CAM-000154", "pol-thorpe", SIGNS, "Traffic cone, 750 mm, reflective", "Melba Swintex", "Mighty Max 750", None, "Reflective traffic cones for road closures and cordons.", None, 15, 0, quantity=100),
    ItemSpec("CAM-000160", "pol-thorpe", COMMAND, "Mobile police station / command vehicle", "Iveco", "Daily 72C (7.2 t)", "ZCFC72D0005612097", "Mobile police station and forward command vehicle: briefing room, Airwave and ESN radio, CCTV mast camera, awning. Driver needs C1.", "Awning, 2 × generators (on board), mast camera, radio fit, 4G router, first aid kit", 185000, 350),
    ItemSpec("CAM-000170", "pol-parkside", MOE, "Enforcer door ram, 16 kg", "Protec", "Enforcer", "ENF-16-3381", "Single-person door ram for forced entry at risk-to-life incidents and warrants.", "Carry bag, gloves, eye protection", 420, 5),
    ItemSpec("CAM-000171", "pol-thorpe", MOE, "Enforcer door ram, 16 kg", "Protec", "Enforcer", "ENF-16-3402", "Single-person door ram for forced entry, Peterborough.", "Carry bag, gloves, eye protection", 420, 5),
    ItemSpec("CAM-000172", "pol-thorpe", MOE, "Hydraulic door spreader kit", "Holmatro", "Door opener set", "HDS-2207461", "Hand-pumped hydraulic spreader for inward-opening doors and reinforced frames.", "Hand pump, spreader, hose, case", 2600, 20),
    ItemSpec("CAM-000173", "pol-hq", MOE, "Battery disc cutter, 230 mm", "Husqvarna", "K1 PACE", "K1P-20419982", "Battery power cutter for padlocks, shutters and security grilles. No exhaust: usable indoors.", "2 × BLi300 batteries, charger, 2 × spare discs, face shield", 2100, 25),
    ItemSpec("CAM-000174", "pol-wisbech", MOE, "Halligan bar and entry tool set", "Fire Hooks Unlimited", "Halligan 30 in", "HAL-30-1187", "Halligan bar, flat-head axe and bolt croppers for forcing doors and windows.", "Axe, bolt croppers, strap, bag", 650, 5),
    ItemSpec("CAM-000180", "pol-stives", SEARCH, "Search probe, 1.5 m steel", "Police Search", "Probe 1.5 m", None, "Steel probing rods for searching ditches, soft ground and undergrowth (PolSA search teams).", "Carry tube", 40, 0, quantity=20),
    ItemSpec("CAM-000181", "pol-ely", SEARCH, "Handheld search lamp, rechargeable LED", "Streamlight", "Waypoint 400", None, "Rechargeable spotlights for search teams along river banks and fields.", "Charger, shoulder strap", 120, 1, quantity=12),
    # Cambridgeshire Fire and Rescue Service
    ItemSpec("CFR-000201", "fire-huntingdon", DRONES, "DJI Matrice 300 RTK thermal drone (Zenmuse H20T)", "DJI", "Matrice 300 RTK", "1ZNBJ4R00C00LN", "Fire service drone with Zenmuse H20T thermal, zoom and wide cameras. Fire-ground overview, hot spots and missing person searches with police.", "6 × TB60 batteries, BS60 battery station, Smart Controller Enterprise, H20T camera, hard case", 19000, 200),
    ItemSpec("CFR-000202", "fire-dogsthorpe", DRONES, "DJI Mavic 3 Enterprise Thermal drone", "DJI", "Mavic 3T", "1581F6Q8C23C0140", "Compact thermal drone for Peterborough: quick launch for fires, water rescues and searches.", _M3T_ACC, 6200, 90),
    ItemSpec("CFR-000203", "fire-cambridge", DRONES, "DJI Matrice 350 RTK thermal drone (Zenmuse H30T)", "DJI", "Matrice 350 RTK", "1ZNBM35RTK2D0031", "Heavy-lift thermal drone with H30T (1280 × 1024 thermal) for large fires and night searches.", "6 × TB65 batteries, BS65 battery station, DJI RC Plus, H30T camera, hard case", 21500, 220),
    ItemSpec("CFR-000210", "fire-stanground", THERMAL, "Argus Mi-TIC E thermal imaging camera", "Argus", "Mi-TIC E", "MTE-4410392", "Firefighting thermal imaging camera (TIC); also used by police to search for people in the dark.", "2 × batteries, vehicle charger, retractable lanyard", 4200, 30),
    ItemSpec("CFR-000211", "fire-ely", THERMAL, "Argus Mi-TIC E thermal imaging camera", "Argus", "Mi-TIC E", "MTE-4410518", "Firefighting thermal imaging camera (TIC) kept on the Ely rescue pump.", "2 × batteries, vehicle charger, retractable lanyard", 4200, 30),
    ItemSpec("CFR-000212", "fire-wisbech", THERMAL, "MSA Evolution 6000 thermal imaging camera", "MSA", "Evolution 6000", "E6K-221093", "Firefighting thermal imaging camera with temperature bar and video recording.", "2 × batteries, truck charger, lanyard", 5200, 35),
    ItemSpec("CFR-000213", "fire-stneots", THERMAL, "MSA Evolution 6000 thermal imaging camera", "MSA", "Evolution 6000", "E6K-221147", "Firefighting thermal imaging camera with temperature bar and video recording.", "2 × batteries, truck charger, lanyard", 5200, 35),
    ItemSpec("CFR-000214", "fire-cottenham", THERMAL, "Bullard QXT thermal imaging camera", "Bullard", "QXT", "QXT-0915520", "Older firefighting thermal camera on the Cottenham pump.", "Battery, charger", 3500, 25, condition=Condition.FAIR),
    ItemSpec("CFR-000215", "fire-soham", THERMAL, "Argus Mi-TIC E thermal imaging camera", "Argus", "Mi-TIC E", "MTE-4410777", "Firefighting thermal imaging camera (TIC) for East Cambridgeshire.", "2 × batteries, vehicle charger, retractable lanyard", 4200, 30),
    ItemSpec("CFR-000220", "fire-ely", WATER, "Inflatable rescue boat, 4.2 m, 20 hp outboard", "Zodiac Milpro", "FC420", "ZMP-FC420-1183", "Inflatable flood rescue boat for the Ouse Washes and Fenland rivers, with Tohatsu 20 hp outboard, on trailer.", "Trailer, outboard, 2 × paddles, bailer, anchor, 2 throw lines, fuel tank", 16500, 150),
    ItemSpec("CFR-000221", "fire-huntingdon", WATER, "Flood rescue boat, 4 m, 25 hp outboard", "Zodiac Milpro", "ERB 400", "ZMP-ERB4-0927", "Flood rescue boat (DEFRA Type B team) with Mercury 25 hp outboard for the Great Ouse, St Ives and Earith.", "Trailer, outboard, paddles, anchor, towline, boat hook, fuel tank, spares kit", 18900, 160),
    ItemSpec("CFR-000222", "fire-stneots", WATER, "Water rescue sled, inflatable", "Ferno", "Water rescue sled", "FRN-WRS-3341", "Inflatable rescue sled for ice, mud and fast water; reaches people a boat cannot.", "Pump, 2 × tethers, carry bag", 2300, 20),
    ItemSpec("CFR-000223", "fire-ely", WATER, "Flood rescue PPE set (dry suit, PFD, helmet)", "Typhoon", "PS220 set", None, "Module 3 flood rescue PPE: dry suit, 150 N PFD with quick-release harness, helmet, gloves and boots, in mixed sizes.", "Kit bag per set; sizes listed on bag", 1100, 10, quantity=12),
    ItemSpec("CFR-000224", "fire-huntingdon", WATER, "Throw line bag, 25 m", "Palm", "Throwline 25 m", None, "Floating throw lines for bank rescue (Module 2).", None, 60, 1, quantity=20),
    ItemSpec("CFR-000225", "fire-march", WATER, "Water first responder kit (Module 2)", "Palm", "FR kit", None, "Bank rescue kit for first responders: PFD, helmet, throw line, wading pole.", "Kit bag", 400, 5, quantity=6),
    ItemSpec("CFR-000230", "fire-huntingdon", LIGHTING, "Tower light 9m mast, diesel", "Atlas Copco", "HiLight V5+", "ACHL-V5-1108842", "Trailer-mounted LED lighting tower with 9 m hydraulic mast; runs about 150 hours on a tank.", "Stabiliser pads, 16 A socket outlet, fuel can, lamp cover", 14000, 60),
    ItemSpec("CFR-000231", "fire-dogsthorpe", LIGHTING, "Tower light 9m mast, diesel", "Atlas Copco", "HiLight V5+", "ACHL-V5-1109015", "Trailer-mounted LED lighting tower with 9 m hydraulic mast, Peterborough.", "Stabiliser pads, 16 A socket outlet, fuel can", 14000, 60),
    ItemSpec("CFR-000232", "fire-march", LIGHTING, "Tower light 9m mast, diesel", "SMC", "TL-90 LED", "SMC-TL90-55120", "Trailer-mounted LED lighting tower, 9 m manual winch mast, for Fenland incidents.", "Stabiliser pads, fuel can", 11500, 55),
    ItemSpec("CFR-000233", "fire-wisbech", LIGHTING, "Tower light 9m mast, diesel", "SMC", "TL-90 LED", "SMC-TL90-55187", "Trailer-mounted LED lighting tower, 9 m manual winch mast.", "Stabiliser pads, fuel can", 11500, 55, condition=Condition.UNSERVICEABLE),
    ItemSpec("CFR-000234", "fire-stneots", LIGHTING, "Portable LED area light, 3.8 m tripod mast", "Peli", "9460 Remote Area Lighting", "PELI-9460-20331", "Portable battery area light that two people can carry to a scene away from the road.", "2 × batteries, charger", 3400, 25),
    ItemSpec("CFR-000235", "fire-cambridge", LIGHTING, "Tower light 9m mast, hybrid battery/diesel", "Generac", "VT-Hybrid", "GEN-VTH-774120", "Quiet hybrid lighting tower for city-centre incidents: runs on battery with diesel top-up.", "Stabiliser pads, fuel can", 19500, 70),
    ItemSpec("CFR-000240", "fire-soham", GENERATORS, "Honda EU22i generator, 2.2 kVA", "Honda", "EU22i", "EAAJ-1288730", "Light inverter generator for lighting and pumps.", "16 A lead, 10 l fuel can", 1300, 15),
    ItemSpec("CFR-000241", "fire-cottenham", GENERATORS, "Honda EU22i generator, 2.2 kVA", "Honda", "EU22i", "EAAJ-1288804", "Light inverter generator for lighting and pumps.", "16 A lead, 10 l fuel can", 1300, 15),
    ItemSpec("CFR-000242", "fire-huntingdon", GENERATORS, "Trailer generator, 20 kVA diesel", "Kohler-SDMO", "R22", "SDMO-R22-330918", "Towable diesel generator for command posts, rest centres and long incidents.", "Distribution box, 4 × 16 A leads, 32 A lead, earth spike", 12500, 70),
    ItemSpec("CFR-000243", "fire-stneots", GENERATORS, "Honda EU30is generator, 3 kVA", "Honda", "EU30is", "EZGF-1157710", "Inverter generator on wheels for scene power.", "16 A lead, fuel can", 2600, 20),
    ItemSpec("CFR-000199", "fire-ely", GENERATORS, "Honda EM30 generator, 3 kVA", "Honda", "EM30", "EZGF-0040315", "Old framed generator, replaced by inverter models.", None, 900, None, condition=Condition.UNSERVICEABLE, retired=True, notes="Retired: failed PAT and parts no longer supplied."),
    ItemSpec("CFR-000250", "fire-hq", BARRIERS, "Cordon barrier, interlocking plastic 2 m, red/white", "JSP", "Titan barrier 2 m", None, "Lightweight interlocking plastic barriers for fire cordons and event crowd lines.", "Stacked on 2 pallets", 70, 1, quantity=25),
    ItemSpec("CFR-000255", "fire-hq", TENTS, "Welfare shelter, inflatable, 6 m × 3 m", "Airshelta", "Welfare 6 × 3", None, "Inflatable welfare shelter with heater connection for crews, casualties and evacuated residents.", "Inflator, ground sheet, pegs, heater duct", 5200, 40, quantity=3),
    ItemSpec("CFR-000258", "fire-stanground", FENCING, "Temporary fencing panel, 3.5 m mesh with feet", "Heras", "Mesh panel 3.5 m × 2 m", None, "Mesh fencing panels for dangerous structure cordons in Peterborough.", "Feet and couplers", 60, 1, quantity=12),
    ItemSpec("CFR-000260", "fire-hq", TOILETS, "Mobile toilet unit, self-contained", "Armal", "Ultimate", None, "Self-contained chemical toilet units, delivered by the service's trailer; serviced between loans.", "Chemical packs, toilet rolls, hand sanitiser", 1200, 45, quantity=6),
    ItemSpec("CFR-000262", "fire-ely", SIGNS, "Road closed sign (diagram 7001)", "Melba Swintex", "Folding sign 1050 mm", None, "Folding 'ROAD CLOSED' sign for fire incidents and flooding, placed under police direction.", "Sandbags, frame", 95, 1, quantity=10),
    ItemSpec("CFR-000270", "fire-huntingdon", COMMAND, "Incident command unit, Volvo FL 18 t", "Volvo", "FL 18 t command body", "YV2RT40A3MB912244", "Fire command vehicle: command room, briefing area, mast camera, ESN and Airwave radio, CCTV and body-worn video viewing for joint command (JESIP co-location). Driver needs HGV C.", "Awning, mast camera, on-board generator, 6 radios, JESIP command boards, 4G router", 420000, 600),
    ItemSpec("CFR-000275", "fire-cambridge", MOE, "Method of entry kit (fire), lock-pull and hydraulic tools", "Holmatro", "Entry kit", "HOL-MOE-55012", "Fire service method-of-entry kit for risk-to-life entry on behalf of police and ambulance: lock puller, hydraulic door opener, Halligan.", "Lock puller, door opener, Halligan, case", 3800, 30),
    ItemSpec("CFR-000280", "fire-cambridge", HEIGHT, "Rope rescue kit, 2 × 100 m", "Petzl", "Rope rescue system", "PTZ-RR-5520", "Rope rescue kit for rescues from height and depth: ropes, descenders, pulleys, anchors and stretcher bridle.", "2 × 100 m ropes, 2 × I'D descenders, pulleys, slings, karabiners, stretcher bridle, rope bags", 6400, 50),
    ItemSpec("CFR-000281", "fire-dogsthorpe", HEIGHT, "Rescue tripod and winch, SWL 140 kg", "3M DBI-SALA", "UCT-1000 tripod with Salalift II winch", "DBI-8300030-1127", "Confined space and well rescue tripod with man-riding winch and fall-arrest block.", "Tripod, winch, fall-arrest block, harness, bag", 5900, 40, condition=Condition.UNSERVICEABLE),
    ItemSpec("CFR-000282", "fire-cambridge", HEIGHT, "Aerial ladder platform, 32 m", "Bronto Skylift", "F32 HDT on Scania", "YS2P6X20002211456", "Aerial ladder platform (ALP) for rescues and working at height in Cambridge; cage SWL 500 kg. Crewed by fire.", "Cage stretcher, water monitor, lighting", 750000, None),
    ItemSpec("CFR-000283", "fire-huntingdon", HEIGHT, "Triple-extension ladder, 13.5 m", "Angloco", "13.5 m triple extension", "ANG-135-8821", "Fire service ladder for rescues and access at height.", "Props, head pad", 3600, 20),
    ItemSpec("CFR-000284", "fire-cambridge", HEIGHT, "Fall-arrest harness set", "Petzl", "Newton EasyFit", None, "Full-body harnesses with lanyards for police and ambulance staff working alongside fire at height.", "Lanyard, helmet", 300, 5, quantity=6),
    ItemSpec("CFR-000285", "fire-dogsthorpe", HEIGHT, "Aerial ladder platform, 32 m", "Bronto Skylift", "F32 HDT on Scania", "YS2P6X20002211871", "Aerial ladder platform (ALP) for Peterborough and the north of the county; cage SWL 500 kg. Crewed by fire.", "Cage stretcher, water monitor, lighting", 750000, None),
    ItemSpec("CFR-000290", "fire-dogsthorpe", POOL, "Skoda Octavia estate pool car (AV21 KFD)", "Skoda", "Octavia Estate 2.0 TDI", "TMBJJ7NX5M0210482", "Unmarked fire service pool car for community-based police work in Peterborough.", "Fuel card, first aid kit, warning triangle", 21000, 40),
    ItemSpec("CFR-000291", "fire-dogsthorpe", POOL, "Ford Transit Custom pool van (AY70 PXN)", "Ford", "Transit Custom 280", "WF0YXXTTGYLU33910", "Pool van for community safety visits and carrying event kit in Peterborough.", "Fuel card, load straps, first aid kit", 28000, 55),
    ItemSpec("CFR-000292", "fire-stanground", POOL, "Vauxhall Astra pool car (AK22 HZT)", "Vauxhall", "Astra 1.2", "W0VBD6EA7N8015533", "Pool car kept at Stanground for police neighbourhood work in Peterborough.", "Fuel card, first aid kit", 19000, 35),
    ItemSpec("CFR-000293", "fire-stanground", POOL, "Mitsubishi L200 pool 4×4 (AE19 MWB)", "Mitsubishi", "L200 Warrior", "MMCJJKL40KH011887", "Four-wheel-drive pick-up for rural and flood work around Peterborough.", "Fuel card, tow rope, first aid kit", 26000, 60),
    ItemSpec("CFR-000294", "fire-stanground", POOL, "Ford Transit Custom pool van (AF72 ZRC)", "Ford", "Transit Custom 300", "WF0YXXTTGYNG71408", "Pool van kept at Stanground for events and community work.", "Fuel card, load straps, first aid kit", 29000, 55),
    ItemSpec("CFR-000296", "fire-wisbech", PUMPS, "Light portable pump", "Tohatsu", "VC82ASE", "TOH-VC82-77310", "Light portable fire pump for water supply from open water and flooding.", "Suction hose, strainer, 2 × delivery hoses, fuel can", 9800, 45),
    ItemSpec("CFR-000297", "fire-march", PUMPS, "Submersible flood pump", "Tsurumi", "HS2.4S", "TSU-HS24-0398812", "Electric submersible pump for flooded cellars and underpasses (needs generator).", "25 m layflat hose, 110 V lead", 700, 10),
    ItemSpec("CFR-000298", "fire-huntingdon", PUMPS, "Silenced diesel pump, 4 in", "Selwood", "D100", "SEL-D100-55210", "Trailer-mounted diesel pump for large-scale flooding.", "Suction hose, layflat hose, strainer", 16000, 80),
    ItemSpec("CFR-000300", "fire-huntingdon", SEARCH, "Side-scan sonar, boat-mounted", "Humminbird", "SOLIX 10 MEGA SI+", "HUM-S10-71120", "Side-scan sonar for searching rivers and lakes from a rescue boat: missing person and vehicle in water.", "Transducer pole mount, battery, chart card", 3500, 30),
    # East of England Ambulance Service NHS Trust
    ItemSpec("EEA-000401", "amb-hq", TENTS, "Inflatable casualty shelter, 5 m × 5 m", "Airshelta", "Casualty 5 × 5", None, "Inflatable shelter for a casualty clearing station at a major incident; heated, with lighting.", "Inflator, ground sheet, heater duct, lighting", 6800, 50, quantity=4),
    ItemSpec("EEA-000402", "amb-hart", LIGHTING, "Inflatable LED light mast, 4.5 m, battery", "Airstar", "Sirius 1200 LED", "AS-SIR-12011", "Glare-free balloon light for casualty clearing areas.", "Battery pack, tripod, ballast bags", 7800, 60),
    ItemSpec("EEA-000403", "amb-hq", GENERATORS, "Honda EU30is generator, 3 kVA", "Honda", "EU30is", "EZGF-1160244", "Inverter generator for casualty clearing stations and the incident support unit.", "16 A lead, fuel can", 2600, 20),
    ItemSpec("EEA-000404", "amb-hart", WATER, "HART water operations dry suit set", "Typhoon", "PS220 set", None, "Module 3 water PPE for Hazardous Area Response Team paramedics.", "Kit bag per set", 1100, 10, quantity=8),
    ItemSpec("EEA-000405", "amb-hq", COMMAND, "Incident support unit, Mercedes Sprinter", "Mercedes-Benz", "Sprinter 519", "WDB9076351P220418", "Ambulance incident support and command vehicle with radio, mapping and casualty tracking boards.", "Awning, radios, casualty cards, major incident boxes", 98000, 250),
    ItemSpec("EEA-000406", "amb-hart", HEIGHT, "HART rope rescue kit", "Petzl", "Rope rescue system", "PTZ-RR-5731", "Hazardous Area Response Team rope kit for treating casualties at height.", "2 × 60 m ropes, descenders, pulleys, stretcher bridle", 5100, 40),
    ItemSpec("EEA-000407", "amb-hart", THERMAL, "FLIR K55 thermal imaging camera", "FLIR", "K55", "FLK55-72201934", "Thermal camera for finding casualties in smoke and darkness.", "2 × batteries, charger", 4600, 30),
    # Bedfordshire
    ItemSpec("BED-000501", "beds-pol-hq", BARRIERS, "Pedestrian barrier, 2.3 m steel", "Various", "2.3 m galvanised crowd barrier", None, "Steel pedestrian barriers for events and football in Bedford and Luton.", "Stillage", 45, 1, quantity=30),
    ItemSpec("BED-000502", "beds-pol-hq", TENTS, "Forensic scene tent, 3 m × 3 m, white", "Scenesafe", "Pop-up forensic tent", None, "Quick-erect forensic tents.", "Pegs, weights, bag", 650, 10, quantity=4),
    ItemSpec("BED-000503", "beds-pol-luton", MOE, "Enforcer door ram, 16 kg", "Protec", "Enforcer", "ENF-16-2290", "Door ram, Luton.", "Carry bag", 420, 5),
    ItemSpec("BED-000601", "beds-frs-bedford", LIGHTING, "Tower light 9m mast, diesel", "Atlas Copco", "HiLight V5+", "ACHL-V5-1102270", "Trailer-mounted LED lighting tower, Bedford.", "Stabiliser pads, fuel can", 14000, 60),
    ItemSpec("BED-000602", "beds-frs-bedford", WATER, "Inflatable rescue boat, 4.2 m", "Zodiac Milpro", "FC420", "ZMP-FC420-0961", "Flood rescue boat for the Great Ouse through Bedford.", "Trailer, outboard, paddles", 16500, 150),
    # Hertfordshire
    ItemSpec("HRT-000701", "herts-pol-hq", DRONES, "DJI Matrice 30T thermal drone", "DJI", "Matrice 30T", "1581F5BKD23A01ZK", "Hertfordshire Constabulary drone with thermal and zoom cameras.", _M30T_ACC, 11500, 150),
    ItemSpec("HRT-000702", "herts-pol-stevenage", BARRIERS, "Pedestrian barrier, 2.5 m steel", "Various", "2.5 m galvanised crowd barrier", None, "Steel pedestrian barriers, Stevenage.", "Stillages", 45, 1, quantity=50),
    ItemSpec("HRT-000801", "herts-frs-stevenage", DRONES, "DJI Mavic 3 Enterprise Thermal drone", "DJI", "Mavic 3T", "1581F6Q8C23D0212", "Hertfordshire FRS drone: the first fire-service drone in the county used jointly with police.", _M3T_ACC, 6200, 90),
    ItemSpec("HRT-000802", "herts-frs-stevenage", COMMAND, "Incident command unit, Scania 18 t", "Scania", "P280 command body", "YS2P4X20005471189", "Hertfordshire FRS command unit.", "Mast camera, radios, awning", 390000, 550),
    # Norfolk
    ItemSpec("NOR-000901", "norf-pol-hq", DRONES, "DJI Matrice 30T thermal drone", "DJI", "Matrice 30T", "1581F5BKD23A02B4", "Norfolk Constabulary drone with thermal and zoom cameras.", _M30T_ACC, 11500, 150),
    ItemSpec("NOR-000902", "norf-pol-kl", BARRIERS, "Pedestrian barrier, 2.5 m steel", "Various", "2.5 m galvanised crowd barrier", None, "Steel pedestrian barriers, King's Lynn.", "Stillage", 45, 1, quantity=30),
    ItemSpec("NOR-001001", "norf-frs-kl", WATER, "Flood rescue boat, 4.7 m, 30 hp outboard", "Zodiac Milpro", "ERB 470", "ZMP-ERB47-1044", "Norfolk FRS flood rescue boat (DEFRA Type B team) for the Fens and the Ouse Washes.", "Trailer, outboard, paddles, anchor, towline, fuel tank", 21000, 170),
    ItemSpec("NOR-001002", "norf-frs-downham", PUMPS, "Submersible flood pump, 3 in", "Tsurumi", "LH311", "TSU-LH311-2209", "Electric submersible pump for flooding in West Norfolk.", "Layflat hose, lead", 2400, 20),
    ItemSpec("NOR-001003", "norf-frs-kl", WATER, "Flood rescue PPE set (dry suit, PFD, helmet)", "Typhoon", "PS220 set", None, "Module 3 flood rescue PPE in mixed sizes.", "Kit bag per set", 1100, 10, quantity=8),
    ItemSpec("NOR-001004", "norf-frs-downham", LIGHTING, "Tower light 9m mast, diesel", "SMC", "TL-90 LED", "SMC-TL90-54012", "Trailer-mounted LED lighting tower, West Norfolk.", "Stabiliser pads, fuel can", 11500, 55),
)
# fmt: on

# ---------------------------------------------------------------------------------------
# People and users
# ---------------------------------------------------------------------------------------


class PersonSpec(NamedTuple):
    key: str
    agency: str
    staff_number: str
    given: str
    family: str
    rank: str
    site: str
    email_domain: str
    # (qualification code, days): for a type with a validity, days until it expires
    # (negative: expired); for one without, days since it was issued.
    qualifications: tuple[tuple[str, int], ...] = ()


_POL = "cambs.police.uk"
_FIRE = "cambsfire.gov.uk"
_AMB = "eastamb.nhs.uk"

# fmt: off
PEOPLE: tuple[PersonSpec, ...] = (
    PersonSpec("p-duty", "CAMBS-POL", "1847", "Rachel", "Holloway", "Sergeant", "pol-thorpe", _POL, (("UAS-A2", 900),)),
    PersonSpec("p-kirby", "CAMBS-POL", "1122", "Mark", "Kirby", "Inspector (Force Control Room)", "pol-hq", _POL),
    PersonSpec("p-okafor", "CAMBS-POL", "2391", "Daniel", "Okafor", "Constable (drone pilot)", "pol-thorpe", _POL, (("UAS-GVC", 700), ("UAS-A2", 820))),
    PersonSpec("p-turnbull", "CAMBS-POL", "3074", "Sophie", "Turnbull", "Constable (drone pilot)", "pol-parkside", _POL, (("UAS-GVC", 20),)),
    PersonSpec("p-chapman", "CAMBS-POL", "2876", "Liam", "Chapman", "Constable (drone pilot)", "pol-march", _POL, (("UAS-GVC", -45), ("UAS-A2", 300))),
    PersonSpec("p-pryce", "CAMBS-POL", "1563", "Gareth", "Pryce", "Sergeant (method of entry)", "pol-parkside", _POL, (("MOE", 25), ("WAH", 400))),
    PersonSpec("p-whitlock", "CAMBS-POL", "3310", "Hannah", "Whitlock", "Constable", "pol-thorpe", _POL, (("MOE", -12),)),
    PersonSpec("p-benton", "CAMBS-POL", "2248", "Craig", "Benton", "Constable (operational support)", "pol-hq", _POL, (("HGV-C", 1100), ("LGV-C1", 1100))),
    PersonSpec("p-fairweather", "CAMBS-POL", "1905", "Joanne", "Fairweather", "Sergeant (Police Search Adviser)", "pol-stives", _POL, (("DEFRA-M2", 500),)),
    PersonSpec("p-redfern", "CAMBS-POL", "3412", "Tom", "Redfern", "Constable", "pol-ely", _POL, (("DEFRA-M2", 610),)),
    PersonSpec("p-begum", "CAMBS-POL", "3528", "Aisha", "Begum", "Constable", "pol-wisbech", _POL),
    PersonSpec("p-clarke", "CAMBS-POL", "3619", "Jamie", "Clarke", "Constable (neighbourhood)", "pol-thorpe", _POL),
    PersonSpec("p-marsh", "CAMBS-POL", "PS74410", "Stephen", "Marsh", "Equipment Officer", "pol-hq", _POL),
    PersonSpec("p-ashworth", "CAMBS-POL", "PS60218", "Claire", "Ashworth", "Interoperability Programme Manager", "pol-hq", _POL),
    PersonSpec("f-whitmore", "CAMBS-FRS", "CF20417", "Paul", "Whitmore", "Equipment Officer", "fire-hq", _FIRE, (("LTO", 2000),)),
    PersonSpec("f-staines", "CAMBS-FRS", "CF10388", "Helen", "Staines", "Group Commander", "fire-hq", _FIRE),
    PersonSpec("f-cole", "CAMBS-FRS", "CF11902", "Richard", "Cole", "Station Manager", "fire-dogsthorpe", _FIRE),
    PersonSpec("f-forsyth", "CAMBS-FRS", "CF14276", "Kelly", "Forsyth", "Watch Manager", "fire-stanground", _FIRE, (("LTO", 1500), ("HGV-C", 800))),
    PersonSpec("f-rudd", "CAMBS-FRS", "CF13550", "Andy", "Rudd", "Watch Manager", "fire-huntingdon", _FIRE, (("DEFRA-M3", 420), ("DEFRA-M4", 420), ("HGV-C", 1300))),
    PersonSpec("f-parfitt", "CAMBS-FRS", "CF16034", "Jess", "Parfitt", "Crew Commander", "fire-ely", _FIRE, (("DEFRA-M3", 14), ("DEFRA-M4", 14))),
    PersonSpec("f-bright", "CAMBS-FRS", "CF17789", "Owen", "Bright", "Firefighter", "fire-stneots", _FIRE, (("DEFRA-M3", 700),)),
    PersonSpec("f-marriott", "CAMBS-FRS", "CF15821", "Nathan", "Marriott", "Crew Commander (drone pilot)", "fire-huntingdon", _FIRE, (("UAS-GVC", 1200), ("UAS-A2", 1200))),
    PersonSpec("f-copley", "CAMBS-FRS", "CF13007", "Dean", "Copley", "Watch Manager", "fire-cambridge", _FIRE, (("WAH", 380), ("MOE", 200), ("HGV-C", -30))),
    PersonSpec("f-garner", "CAMBS-FRS", "CF14911", "Lee", "Garner", "Watch Manager", "fire-wisbech", _FIRE, (("LTO", 900),)),
    PersonSpec("f-kendrick", "CAMBS-FRS", "CF19322", "Martin", "Kendrick", "Workshops Technician", "fire-hq", _FIRE),
    PersonSpec("a-danvers", "EEAST", "EE40317", "Chloe", "Danvers", "HART Paramedic", "amb-hart", _AMB, (("DEFRA-M3", 600), ("WAH", 500))),
    PersonSpec("a-greaves", "EEAST", "EE38802", "Simon", "Greaves", "HART Team Leader", "amb-hart", _AMB, (("DEFRA-M3", -70), ("WAH", 200))),
    PersonSpec("a-nair", "EEAST", "EE35120", "Priya", "Nair", "Locality Operations Manager", "amb-hq", _AMB),
    PersonSpec("a-holt", "EEAST", "EE42785", "Ben", "Holt", "Paramedic", "amb-peterborough", _AMB, (("LTO", 300),)),
    PersonSpec("a-mcallister", "EEAST", "EE31994", "Fiona", "McAllister", "Emergency Preparedness Officer", "amb-hq", _AMB),
    PersonSpec("bp-sandhu", "BEDS-POL", "1421", "Ravinder", "Sandhu", "Inspector (operational planning)", "beds-pol-hq", "bedfordshire.police.uk"),
    PersonSpec("hp-doherty", "HERTS-POL", "2210", "Matt", "Doherty", "Sergeant (drone unit)", "herts-pol-hq", "herts.police.uk", (("UAS-GVC", 950),)),
    PersonSpec("bf-ferris", "BEDS-FRS", "BF10233", "Jon", "Ferris", "Station Commander", "beds-frs-bedford", "bedsfire.gov.uk"),
    PersonSpec("hf-price", "HERTS-FRS", "HF30561", "Gemma", "Price", "Watch Manager (drone pilot)", "herts-frs-stevenage", "hertfordshire.gov.uk", (("UAS-GVC", 640),)),
    PersonSpec("np-cushing", "NORF-POL", "1360", "Alan", "Cushing", "Sergeant", "norf-pol-kl", "norfolk.police.uk"),
    PersonSpec("nf-pike", "NORF-FRS", "NF22416", "Stuart", "Pike", "Watch Manager", "norf-frs-kl", "norfolk.gov.uk", (("DEFRA-M3", 510), ("DEFRA-M4", 510))),
)
# fmt: on

# username, role, person key, password
# fmt: off
USERS: tuple[tuple[str, Role, str, str], ...] = (
    ("duty", Role.DUTY_OFFICER, "p-duty", "duty-demo-2026"),
    ("manager", Role.EQUIPMENT_MANAGER, "f-whitmore", "manager-demo-2026"),
    ("admin", Role.ADMINISTRATOR, "p-ashworth", "admin-demo-2026"),
)
# fmt: on

# Who hands kit over and takes it back for each lending agency.
# fmt: off
LENDER_CONTACT: dict[str, str] = {
    "CAMBS-POL": "p-marsh",
    "CAMBS-FRS": "f-whitmore",
    "EEAST": "a-mcallister",
    "BEDS-POL": "bp-sandhu",
    "HERTS-POL": "hp-doherty",
    "BEDS-FRS": "bf-ferris",
    "HERTS-FRS": "hf-price",
    "NORF-POL": "np-cushing",
    "NORF-FRS": "nf-pike",
}
# fmt: on

# The lending contacts above sign in as their agency's equipment manager.
KIT_MANAGER_PASSWORD = "kit-demo-2026"


def kit_manager_username(agency_code: str) -> str:
    return f"{agency_code.lower()}-kit"


# ---------------------------------------------------------------------------------------
# MoUs and their clauses
# ---------------------------------------------------------------------------------------

_STATUTE_PCA = "sections 1 to 3 of the Policing and Crime Act 2017"
_PUWER = "regulation 6(4) of the Provision and Use of Work Equipment Regulations 1998"
_LOLER = "regulation 9(4) of the Lifting Operations and Lifting Equipment Regulations 1998"


@dataclass(frozen=True)
class MouSpec:
    key: str
    reference: str
    version: int
    title: str
    purpose: str
    scope: str
    parties: tuple[str, ...]  # agency codes, lead party first
    signatories: tuple[tuple[str, str, str], ...]  # agency code, name, role title
    signed: int  # days from today
    effective: int
    review: int
    expires: int
    clauses: tuple[tuple[str, str], ...]  # heading, body ("§" becomes the clause number)
    supersedes: str | None = None


class _Terms(NamedTuple):
    """What varies between MoUs in the clauses they share."""

    governance: str  # the group that reviews the MoU
    escalation: str  # who settles disputes
    overdue_escalation: str  # who chases an overdue loan after 24 hours
    recall_hours: int
    has_ambulance: bool


def _definitions() -> str:
    return (
        "§.1 In this Memorandum: “Lending Party” means the Party that owns the Equipment lent; "
        "“Borrowing Party” means the Party to which it is lent; “Authorising Officer” means the "
        "officer of the Lending Party named in the Sharing Protocol as able to agree a loan, or an "
        "officer of higher rank or grade acting in that role; “Equipment” means the items and stock "
        "listed in Schedule 1, with their accessories and consumables; “Loan Period” means the "
        "period from hand-over to return recorded on the loan form; “Operator” means the named "
        "person of the Borrowing Party who uses or drives the Equipment; and “Sharing Protocol” "
        "means the terms in Schedule 2 that set, for each category of Equipment, who may borrow it, "
        "who authorises the loan, the notice required, the longest loan, any competence required "
        "and any charge.\n\n"
        "§.2 “Fair wear and tear” means the deterioration to be expected from careful use of the "
        "Equipment for the purpose for which it was lent. It does not include damage caused by "
        "misuse, neglect, use outside the manufacturer's instructions, or use by a person who was "
        "not a competent Operator.\n\n"
        "§.3 “Risk-to-life incident” means an incident at which the Authorising Officer is told "
        "that a person's life is, or may be, at immediate risk. Headings are for convenience only, "
        "and a reference to legislation is to that legislation as amended from time to time."
    )


def _request(control_rooms: str) -> str:
    return (
        "§.1 A request is made by the Borrowing Party's duty officer to the Lending Party's "
        "Authorising Officer, giving the purpose, the incident or operation reference, the "
        "location, the period required, the items and quantities, and the name of the Operator. "
        "Outside a risk-to-life incident the request is entered in the shared equipment register "
        "no later than the notice period stated in the Sharing Protocol.\n\n"
        "§.2 The Lending Party alone decides whether the Equipment can be spared, having regard "
        "first to its own operational cover. A refusal is recorded with its reason and is not a "
        "matter for the clause headed Disputes.\n\n"
        f"§.3 In a risk-to-life incident the request may be made by telephone or radio through "
        f"{control_rooms}, describing the incident using M/ETHANE, and the Equipment may be handed "
        "over at once. The loan is entered in the shared equipment register as an emergency loan "
        "within 24 hours of hand-over.\n\n"
        "§.4 No Equipment is lent outside a current Sharing Protocol. A request that falls outside "
        "one is referred to the Authorising Officers of both Parties, who may agree a single loan "
        "in writing and record why they have done so."
    )


def _competence(specific: str) -> str:
    return (
        "§.1 Equipment is operated only by an Operator who holds, on every day of the Loan Period, "
        f"the current competence named in the Sharing Protocol for that category. {specific} The "
        "Borrowing Party confirms the Operator's competence when the request is made, and the "
        "Lending Party may ask to see evidence of it at hand-over.\n\n"
        "§.2 The Lending Party will not hand Equipment to a person whose competence has lapsed or "
        "cannot be shown, even in a risk-to-life incident. It will instead offer to deploy its own "
        "trained staff with the Equipment, working under the direction of their own officer.\n\n"
        "§.3 The Parties train together where they can, so that their staff use the Equipment to "
        "the same standard, and each records joint training in its own training records. "
        "Familiarisation given at hand-over is noted on the loan form but is not a substitute for "
        "the competence required."
    )


def _handover() -> str:
    return (
        "§.1 At hand-over the Lending Party's representative and the Operator check the Equipment "
        "together against the checklist in Schedule 3 and sign the loan form, recording its "
        "condition, the accessories and consumables issued and, where relevant, the fuel level, "
        "engine hours, battery charge and mileage.\n\n"
        f"§.2 Equipment leaves the Lending Party only with evidence that its last inspection has "
        f"been carried out, as {_PUWER} requires, and, for lifting equipment and equipment that "
        f"lifts people, evidence of its last thorough examination as {_LOLER} requires. Equipment "
        "whose inspection or examination has lapsed, or which has an open defect, is not lent.\n\n"
        "§.3 On return the same checks are made and compared with the hand-over record. Any "
        "shortfall, damage or defect is recorded on the loan form and pointed out to the Borrowing "
        "Party's representative before they leave, and the Lending Party may withdraw the item "
        "from use until it has been inspected.\n\n"
        "§.4 Pooled stock such as barriers, fencing panels and signs is counted out and counted "
        "back. A partial return is recorded against the loan, and the balance remains the "
        "Borrowing Party's responsibility until it is returned or reported lost."
    )


def _custody() -> str:
    return (
        "§.1 While the Equipment is in its custody the Borrowing Party will: (a) use it only for "
        "the purpose for which it was lent, in line with the manufacturer's instructions and any "
        "use conditions in the Sharing Protocol; (b) keep it secure, and not lend it on to any "
        "other body without the Lending Party's written agreement; (c) carry out the user checks "
        "the manufacturer requires, keep it clean, and decontaminate it where it has been exposed "
        "to floodwater, sewage, body fluids or hazardous substances; (d) replace fuel and "
        "consumables used, so that the Equipment comes back ready for use; and (e) report any "
        "fault or damage to the Lending Party at once, and stop using an item that may be unsafe.\n\n"
        "§.2 The Borrowing Party will not modify, repair or open up the Equipment, other than to "
        "change parts the manufacturer intends a user to change.\n\n"
        "§.3 The Equipment is returned when the Lending Party asks for it or when the need for "
        "which it was lent ends, whichever is first, and in any event by the end of the Loan "
        "Period."
    )


def _damage() -> str:
    return (
        "§.1 The Borrowing Party pays the reasonable cost of repairing Equipment damaged while in "
        "its custody, beyond fair wear and tear. Where repair is uneconomic, or the Equipment is "
        "lost or stolen, it pays the replacement value shown in Schedule 1, less a fair allowance "
        "for age. It does not pay where the damage or loss was caused by the negligence of the "
        "Lending Party or by a latent defect in the Equipment.\n\n"
        "§.2 Loss or theft is reported to the police and to the Lending Party within 24 hours, "
        "with the crime or incident reference. Damage is recorded on the return form or, if it is "
        "found later, reported within 48 hours.\n\n"
        "§.3 The Lending Party decides whether an item is repaired or replaced and arranges the "
        "work through its usual suppliers. It gives the Borrowing Party the invoice, or a costed "
        "statement, before asking for payment, and payment is made within 30 days."
    )


def _insurance(terms: _Terms) -> str:
    nhs = (
        " The Ambulance Service's cover is provided through the risk pooling schemes run by NHS "
        "Resolution."
        if terms.has_ambulance
        else ""
    )
    return (
        "§.1 Each Party keeps its own arrangements, by insurance or self-insurance, for employer's "
        "liability, public liability and motor risks, and remains responsible for its own staff "
        f"while they use or accompany Equipment.{nhs}\n\n"
        "§.2 The Borrowing Party indemnifies the Lending Party against claims, losses and costs "
        "arising from the use of the Equipment during the Loan Period, except so far as they "
        "arise from the negligence of the Lending Party, a latent defect in the Equipment, or the "
        "acts of the Lending Party's own staff deployed with it.\n\n"
        "§.3 Vehicles are driven only by drivers who hold the licence category the Sharing "
        "Protocol requires and who are covered by the motor insurance it names. The Borrowing "
        "Party pays fines, penalty charges and tolls incurred during the Loan Period.\n\n"
        "§.4 A Party that receives a claim connected with a loan tells the other Party promptly, "
        "and the Parties co-operate in handling it. No Party admits liability on behalf of another "
        "without that Party's agreement."
    )


def _duration(terms: _Terms) -> str:
    return (
        "§.1 A loan lasts no longer than the maximum period in the Sharing Protocol. The "
        "Borrowing Party may ask for an extension before the loan falls due; an extension is a "
        "fresh decision of the Authorising Officer and is recorded against the loan.\n\n"
        "§.2 Equipment not returned by its due time is overdue. The Lending Party's duty officer "
        "contacts the Borrowing Party's duty officer on the day it falls due, and if it has not "
        "been returned or accounted for within a further 24 hours the matter is raised with "
        f"{terms.overdue_escalation} of both Parties.\n\n"
        "§.3 The Lending Party may recall Equipment at any time to meet its own operational need, "
        f"giving as much notice as it can and not less than {terms.recall_hours} hours except in a "
        "risk-to-life incident. The Borrowing Party returns recalled Equipment by the time given, "
        "unless doing so would put life at risk; in that case the Authorising Officers agree at "
        "once how the needs of both Parties are to be met.\n\n"
        "§.4 This Memorandum runs from its effective date until its expiry date, subject to the "
        "clause headed Review, variation and termination."
    )


def _records(terms: _Terms) -> str:
    return (
        "§.1 Every request, decision, hand-over, return, defect, recall and charge is recorded in "
        "the shared equipment register (Kit Share), which keeps an audit trail of who made each "
        "entry and when. The signed hand-over and return forms are kept by the Lending Party.\n\n"
        "§.2 Inspection and thorough examination reports are kept by the owning Party until the "
        "next inspection or for two years, whichever is later, and a copy is given to a Borrowing "
        "Party on request.\n\n"
        "§.3 Loan records are kept for six years after the loan ends, or longer where they may be "
        "needed as evidence or for a claim. Each Party may inspect the records of loans to or from "
        f"it, and a summary of loans, overdue returns and damage is reported to {terms.governance} "
        "at each review."
    )


def _review(terms: _Terms) -> str:
    return (
        f"§.1 This Memorandum is reviewed by {terms.governance} at least once a year, in any "
        "event by the review date stated on its cover, and after any incident in which a loan "
        "under it went seriously wrong. The Sharing Protocols and Schedules may be updated by the "
        "Authorising Officers between reviews, and take effect when published in the shared "
        "equipment register.\n\n"
        "§.2 Any other variation is made in writing, signed for each Party by a person with "
        "authority to sign, and issued as a new version of this Memorandum that supersedes the "
        "last. Loans already made continue on the terms of the version under which they were "
        "made.\n\n"
        "§.3 A Party may withdraw from this Memorandum on three months' written notice to the "
        "other Parties, or at once where a change in the law prevents it from continuing. "
        "Equipment on loan when it withdraws is returned within 14 days, and sums due under the "
        "clauses headed Damage and loss and Charging and cost recovery remain payable.\n\n"
        "§.4 This Memorandum ends on its expiry date unless it has been renewed before then."
    )


def _disputes(terms: _Terms) -> str:
    return (
        "§.1 The Parties will try to settle any disagreement about a loan between the Authorising "
        "Officers concerned within 14 days.\n\n"
        f"§.2 A disagreement they cannot settle is referred to {terms.escalation}, whose decision "
        "the Parties agree to accept. The Parties do not intend to refer disputes under this "
        "Memorandum to the courts, save where a claim is brought by a third party.\n\n"
        "§.3 A dispute never delays the return of Equipment that the Lending Party needs for its "
        "own operations, or the deployment of Equipment to a risk-to-life incident."
    )


def _schedules(extra: str = "") -> str:
    return (
        "§.1 The following Schedules form part of this Memorandum: Schedule 1, the equipment list, "
        "being the entries in the shared equipment register for Equipment offered under this "
        "Memorandum, with owner, home station, replacement value and daily rate; Schedule 2, the "
        "Sharing Protocols; Schedule 3, the hand-over and return checklist; and Schedule 4, the "
        f"charging rates{extra}.\n\n"
        "§.2 The Schedules are kept in the shared equipment register and are printed with this "
        "Memorandum when Equipment is handed over. Where a Schedule and the body of this "
        "Memorandum conflict, the body prevails."
    )


_TRI_TERMS = _Terms(
    governance="the Police/Fire/Ambulance Interoperability Group",
    escalation="the Chief Officer Teams of the Parties meeting as the Police/Fire/Ambulance Interoperability Group",
    overdue_escalation="the duty Superintendent, Group Commander or Ambulance Operations Manager",
    recall_hours=2,
    has_ambulance=True,
)

_TRI_PARTIES = (
    "§.1 This Memorandum of Understanding (“this Memorandum”) is made between Cambridgeshire "
    "Constabulary, acting by its Chief Constable, of Police Headquarters, Hinchingbrooke Park, "
    "Huntingdon PE29 6NP (“the Constabulary”); Cambridgeshire Fire and Rescue Service, acting "
    "for the Cambridgeshire and Peterborough Fire Authority, of Hinchingbrooke Cottage, Brampton "
    "Road, Huntingdon PE29 2NA (“the Fire Service”); and the East of England Ambulance Service "
    "NHS Trust, of Whiting Way, Melbourn SG8 6NA (“the Ambulance Service”), each a “Party” and "
    "together “the Parties”. The Constabulary is the lead Party for the administration of this "
    "Memorandum.\n\n"
    "§.2 Each signatory confirms that they hold the authority of their organisation to sign this "
    "Memorandum, and that any further approval their organisation needs has been given."
)

_TRI_STATUS = (
    f"§.1 The Parties make this Memorandum in discharge of their duty under {_STATUTE_PCA} to "
    "keep collaboration under consideration, and it is a written collaboration agreement for "
    "the purposes of that Act. It records how the Parties lend specialist equipment to one "
    "another; it does not transfer any Party's statutory functions, and each Party keeps "
    "command of its own staff.\n\n"
    "§.2 This Memorandum is not intended to create legally binding obligations, save that the "
    "clauses headed Damage and loss, Charging and cost recovery, and Insurance, liability and "
    "indemnity are intended to bind the Parties once a loan has been made.\n\n"
    "§.3 At incidents the Parties work to the Joint Emergency Services Interoperability "
    "Programme (JESIP) principles: co-locate, communicate, co-ordinate, jointly understand risk "
    "and share situational awareness. Nothing in this Memorandum limits the support one Party "
    "gives another at a risk-to-life incident."
)

_TRI_PURPOSE = (
    "Cambridgeshire Constabulary, Cambridgeshire Fire and Rescue Service and the East of England "
    "Ambulance Service agree to lend each other specialist operational equipment, so that the "
    "public receive the best response from whichever service holds the right kit, without each "
    "buying what another already has."
)
_TRI_SCOPE = (
    "The specialist equipment catalogue: thermal imaging, water and flood rescue, lighting and "
    "power, barriers, tents, fencing, mobile toilets, road closure signage, the fire command "
    "vehicle, method-of-entry and work-at-height support at risk-to-life incidents, search "
    "equipment, and the fire service pool vehicles at Dogsthorpe and Stanground for community "
    "policing in Peterborough. Drones are shared under the separate aerial capability MoU."
)


def _tri_clauses(version: int) -> tuple[tuple[str, str], ...]:
    """The tri-service MoU; version 2 adds pool vehicles, footage and cost recovery."""
    scope_v1 = (
        "§.1 The purpose of this Memorandum is to let each Party borrow specialist equipment "
        "held by another, so that the public receive the best response from whichever service "
        "holds the right kit, and so that the Parties do not each buy what another already has.\n\n"
        "§.2 It covers the Equipment in the specialist equipment catalogue developed by the "
        "Specialist Operational Group: thermal imaging cameras; water and flood rescue equipment; "
        "lighting towers and generators; barriers, tents, fencing, mobile toilets and road "
        "closure signage; the fire command vehicle; and method-of-entry and work-at-height "
        "support at risk-to-life incidents.\n\n"
        "§.3 It does not cover drones, which are shared under the aerial capability memorandum, "
        "or the loan of staff other than those who accompany Equipment."
    )
    scope_v2 = (
        scope_v1.replace(
            "support at risk-to-life incidents.",
            "support at risk-to-life incidents; search equipment; and the Fire Service pool "
            "vehicles kept at Dogsthorpe and Stanground fire stations for community-based work "
            "in Peterborough by the Constabulary.",
        )
        + "\n\n§.4 Police retain primacy in the management of board-up after a forced entry, "
        "which is arranged by the Constabulary through its contracted board-up provider."
    )
    competence = _competence(
        "For work at height the Operator holds the Work at height qualification; for flood and "
        "water rescue, Flood rescue technician (Module 3); for method of entry, the Method of "
        "entry qualification; for the fire command vehicle, a category C driving licence; and "
        "for lighting towers, the lighting tower operator familiarisation."
    )
    joint = (
        "§.1 Where Equipment is lent to an incident at which more than one Party is present, the "
        "Parties' commanders co-locate, agree a joint understanding of risk using the Joint "
        "Decision Model, and record decisions about the Equipment in their own decision logs.\n\n"
        "§.2 Fire support to police officers working at height, and fire method-of-entry support "
        "to police and ambulance crews, is given only at risk-to-life incidents. The Fire "
        "Service's incident commander decides how the Fire Service's Equipment and staff are "
        "used, and may withdraw them if the work becomes unsafe.\n\n"
        "§.3 The fire command vehicle may be used as a joint command post. Footage from CCTV and "
        "body-worn video may be viewed in it, and at the Parties' major operations rooms, under "
        "the clause headed Information and footage."
    )
    charging_v1 = (
        "§.1 Equipment is lent without charge. The Borrowing Party replaces fuel and consumables "
        "used, and meets the cost of damage and loss under the clause headed Damage and loss.\n\n"
        "§.2 Where a loan lasts longer than 14 days, the Parties may agree a contribution to "
        "servicing costs in advance, recorded against the loan."
    )
    charging_v2 = (
        "§.1 Emergency and spontaneous loans to a risk-to-life incident are made without charge, "
        "save that the Borrowing Party replaces fuel and consumables used.\n\n"
        "§.2 Planned loans are charged as the Sharing Protocol states: without charge, on a "
        "consumables basis, or at the daily, hourly or mileage rate in Schedule 4. Mobile toilets "
        "are charged at the daily rate, which covers servicing and chemical packs, and pool "
        "vehicles at the mileage rate, which covers fuel and wear.\n\n"
        "§.3 The Lending Party invoices charges monthly in arrears, referring to the loan numbers "
        "in the shared equipment register. Rates are reviewed each April and published in "
        "Schedule 4."
    )
    footage = (
        "§.1 Recordings made by Equipment, including thermal imaging video and the command "
        "vehicle's mast camera, belong to the Party whose operation they were made for, which is "
        "the controller of any personal data in them. The Operator hands all recordings to that "
        "Party before the Equipment is returned, and then deletes them from the Equipment.\n\n"
        "§.2 Access by one Party to another's CCTV or body-worn video, at a major operations room "
        "or in the command vehicle, is not a loan of Equipment. It is made only under a data "
        "sharing agreement between the Parties, supported by a data protection impact "
        "assessment, that states the lawful basis for the sharing and how long copies are kept."
    )
    clauses: list[tuple[str, str]] = [
        ("Parties", _TRI_PARTIES),
        ("Purpose and scope", scope_v2 if version >= 2 else scope_v1),
        ("Status and legal footing", _TRI_STATUS),
        ("Definitions", _definitions()),
        (
            "Request and authorisation",
            _request(
                "the Constabulary's Force Control Room, Fire Control or the Ambulance Service's Emergency Operations Centre"
            ),
        ),
        ("Operator training and competence", competence),
        ("Hand-over and return", _handover()),
        ("Borrower's duties in custody", _custody()),
    ]
    if version >= 2:
        clauses.append(("Joint working at incidents", joint))
    clauses += [
        ("Damage and loss", _damage()),
        ("Charging and cost recovery", charging_v2 if version >= 2 else charging_v1),
        ("Insurance, liability and indemnity", _insurance(_TRI_TERMS)),
    ]
    if version >= 2:
        clauses.append(("Information and footage", footage))
    clauses += [
        ("Duration, overdue and recall", _duration(_TRI_TERMS)),
        ("Records", _records(_TRI_TERMS)),
        ("Review, variation and termination", _review(_TRI_TERMS)),
        ("Disputes", _disputes(_TRI_TERMS)),
        (
            "Schedules",
            _schedules(
                "; and, in version 2, Schedule 5, the Peterborough pool vehicle booking rules"
                if version >= 2
                else ""
            ),
        ),
    ]
    return tuple(clauses)


_UAS_TERMS = _Terms(
    governance="the Joint Drone Capability Board of the Parties",
    escalation="the Assistant Chief Constable and Assistant Chief Fire Officers responsible for aerial capability",
    overdue_escalation="the duty Inspector or Group Commander",
    recall_hours=1,
    has_ambulance=False,
)


def _uas_clauses() -> tuple[tuple[str, str], ...]:
    parties = (
        "§.1 This Memorandum is made between Cambridgeshire Constabulary (the lead Party), "
        "Cambridgeshire Fire and Rescue Service, Bedfordshire Police, Hertfordshire "
        "Constabulary, Bedfordshire Fire and Rescue Service and Hertfordshire Fire and Rescue "
        "Service, each a “Party” and together “the Parties”, each acting by its chief officer.\n\n"
        "§.2 Each signatory confirms that they hold the authority of their organisation to sign "
        "this Memorandum. A further police or fire service in the region may join by signing a "
        "deed of adherence approved by the Joint Drone Capability Board."
    )
    purpose = (
        "§.1 The purpose of this Memorandum is to share unmanned aircraft (drones) and the pilots "
        "who fly them, so that a thermal drone can be over a search, a fire or a water rescue as "
        "soon as possible, whichever service owns the nearest one.\n\n"
        "§.2 It covers the drones in Schedule 1 with their batteries, controllers and cameras, "
        "lent either with a pilot of the Lending Party or to a qualified pilot of the Borrowing "
        "Party, for missing person searches, fires, water rescues, major incidents and planned "
        "operations.\n\n"
        "§.3 It does not cover covert or surveillance use of drones, which needs separate "
        "authorisation, or the sharing of footage other than as set out in the clause headed "
        "Data and footage."
    )
    status = (
        f"§.1 The Parties make this Memorandum in discharge of their duty under {_STATUTE_PCA} to "
        "keep collaboration under consideration. So far as it is made between the police Parties "
        "it is also a collaboration agreement under section 22A of the Police Act 1996, and so far "
        "as it is made between the fire and rescue Parties it forms part of their reinforcement "
        "schemes under section 13 of the Fire and Rescue Services Act 2004.\n\n"
        "§.2 This Memorandum is not intended to create legally binding obligations, save that the "
        "clauses headed Damage and loss, Charging and cost recovery, Insurance, liability and "
        "indemnity, and Data and footage are intended to bind the Parties once a loan has been "
        "made."
    )
    aviation = (
        "§.1 Every flight is made under a Civil Aviation Authority operational authorisation in "
        "the Specific category held by the Party whose pilot flies, or under the joint operational "
        "authorisation held by Cambridgeshire Constabulary and Cambridgeshire Fire and Rescue "
        "Service, and in line with that authorisation's operations manual. Flights in the Open "
        "category are made only within the limits of the pilot's qualification.\n\n"
        "§.2 The remote pilot in command decides whether a flight is safe and may refuse or end a "
        "flight at any time, whatever the operational pressure. No flight is made in controlled "
        "airspace or near an aerodrome without the permission the authorisation requires.\n\n"
        "§.3 Batteries are charged, stored and carried as the manufacturer states. A battery "
        "that is swollen, damaged or has exceeded its cycle limit is taken out of use and "
        "reported to the Lending Party. Firmware is updated only by the Lending Party."
    )
    competence = _competence(
        "A drone is flown only by a pilot who holds the General Visual Line of Sight Certificate "
        "(GVC), or for Open category flights the A2 Certificate of Competency, and who is named "
        "as a remote pilot on the operational authorisation under which the flight is made, with "
        "flying currency recorded in the last 90 days."
    )
    charging = (
        "§.1 Loans to a risk-to-life incident, and loans with a pilot of the Lending Party to any "
        "incident, are made without charge; the Borrowing Party pays for replacement propellers "
        "and other consumables used.\n\n"
        "§.2 Planned deployments, such as events and pre-planned searches, are charged at the "
        "daily rate in Schedule 4, in line with the distinction the national police mutual aid "
        "arrangements draw between emergency or spontaneous, planned and specialist deployments."
    )
    data = (
        "§.1 Imagery, video and flight logs recorded on a flight are made for the operation of "
        "the Party that asked for the flight, which is the controller of any personal data in "
        "them. Police Parties process it for law enforcement purposes under Part 3 of the Data "
        "Protection Act 2018; fire and rescue Parties process it under Article 6(1)(e) of the UK "
        "GDPR, for the performance of their public tasks.\n\n"
        "§.2 The pilot gives all recordings to the controller before the drone is returned, by "
        "the secure transfer the Parties have agreed, and then deletes them from the aircraft and its "
        "remote controller. The Lending Party keeps flight logs, but not imagery, for its own records.\n\n"
        "§.3 Recordings that are not needed as evidence or for a review of the incident are "
        "deleted by the controller within 31 days. Recordings retained as evidence are managed "
        "under the controller's evidence and disclosure procedures.\n\n"
        "§.4 Each Party keeps a data protection impact assessment for its drone operations and "
        "tells the public, on its website, how it uses drones. No recording is published, or "
        "given to the media, without the agreement of the controller."
    )
    return (
        ("Parties", parties),
        ("Purpose and scope", purpose),
        ("Status and legal footing", status),
        ("Definitions", _definitions()),
        ("Aviation authorisation and flight safety", aviation),
        (
            "Request and authorisation",
            _request("the Parties' force control rooms and fire controls"),
        ),
        ("Operator training and competence", competence),
        ("Hand-over and return", _handover()),
        ("Borrower's duties in custody", _custody()),
        ("Damage and loss", _damage()),
        ("Charging and cost recovery", charging),
        (
            "Insurance, liability and indemnity",
            _insurance(_UAS_TERMS)
            + "\n\n§.5 Each Party keeps aviation third-party liability insurance for the drones it owns, at not less than the level the law requires for the aircraft's mass, and the Lending Party's cover extends to loans under this Memorandum.",
        ),
        ("Data and footage", data),
        ("Duration, overdue and recall", _duration(_UAS_TERMS)),
        (
            "Records",
            _records(_UAS_TERMS)
            + "\n\n§.4 The pilot records every flight in the Lending Party's flight log: date, location, pilot, aircraft, batteries used, flight time and purpose.",
        ),
        ("Review, variation and termination", _review(_UAS_TERMS)),
        ("Disputes", _disputes(_UAS_TERMS)),
        ("Schedules", _schedules("; and Schedule 5, the approved pilots of each Party")),
    )


_BCH_TERMS = _Terms(
    governance="the Strategic Alliance Chief Officer Group",
    escalation="the Chief Constables of the Parties, meeting as the Strategic Alliance Chief Officer Group",
    overdue_escalation="the duty Superintendents",
    recall_hours=4,
    has_ambulance=False,
)


def _bch_clauses() -> tuple[tuple[str, str], ...]:
    parties = (
        "§.1 This Memorandum is made between the Chief Constable of Bedfordshire Police, the "
        "Chief Constable of Cambridgeshire Constabulary and the Chief Constable of Hertfordshire "
        "Constabulary, each a “Party” and together “the Parties”, within the Bedfordshire, "
        "Cambridgeshire and Hertfordshire strategic alliance. Cambridgeshire Constabulary is the "
        "lead Party for its administration.\n\n"
        "§.2 Each signatory confirms that they hold the authority of their force to sign this "
        "Memorandum, and that their police and crime commissioner has been consulted on it."
    )
    purpose = (
        "§.1 The purpose of this Memorandum is to let the three forces lend each other public "
        "order, event and specialist operational equipment as police mutual aid, so that an "
        "operation in one county can draw on kit held in another without a separate agreement "
        "each time.\n\n"
        "§.2 It covers pedestrian barriers, fencing, tents, road closure signs and cones, "
        "method-of-entry equipment and the Cambridgeshire mobile police station, as listed in "
        "Schedule 1.\n\n"
        "§.3 It does not cover the lending of officers and staff, which is arranged under the "
        "national mutual aid arrangements, or the collaborated units of the alliance, which have "
        "their own agreements."
    )
    status = (
        "§.1 This Memorandum is a collaboration agreement between the Parties under section 22A "
        "of the Police Act 1996. In line with that section, its scope, term, termination, "
        "direction and control, and governance are set out in the clauses that follow, and a "
        f"summary is published by each Party. The Parties also make it under their duty in "
        f"{_STATUTE_PCA} to keep collaboration under consideration.\n\n"
        "§.2 This Memorandum is not intended to create legally binding obligations, save that the "
        "clauses headed Damage and loss, Charging and cost recovery, and Insurance, liability and "
        "indemnity are intended to bind the Parties once a loan has been made."
    )
    direction = (
        "§.1 Equipment lent under this Memorandum is used under the direction and control of the "
        "chief officer of the force in whose area it is deployed, through the command structure "
        "of the operation for which it was borrowed.\n\n"
        "§.2 Road closure and diversion signs placed by police in extraordinary circumstances "
        "under section 67 of the Road Traffic Regulation Act 1984 are placed under the "
        "instructions of the chief officer of the force in whose area they stand, and for no "
        "longer than seven days.\n\n"
        "§.3 The Cambridgeshire mobile police station is driven only by a driver holding a "
        "category C1 licence and the force driving authority for the vehicle."
    )
    competence = _competence(
        "Method-of-entry equipment is used only by officers holding a current Method of entry "
        "qualification; barriers, fencing and signs are put up under the supervision of an "
        "officer trained in public order or roads policing."
    )
    charging = (
        "§.1 The Parties follow the national police mutual aid charging arrangements, which "
        "distinguish emergency or spontaneous deployments, planned deployments and specialist "
        "deployments.\n\n"
        "§.2 Within the alliance, equipment lent for an emergency or spontaneous deployment is "
        "lent without charge. For a planned deployment the Borrowing Party pays for fuel, "
        "consumables, transport and any cleaning or repair needed on return. Specialist "
        "equipment is charged at the rates in Schedule 4."
    )
    return (
        ("Parties", parties),
        ("Purpose and scope", purpose),
        ("Status and legal footing", status),
        ("Definitions", _definitions()),
        ("Direction and control", direction),
        ("Request and authorisation", _request("the Parties' force control rooms")),
        ("Operator training and competence", competence),
        ("Hand-over and return", _handover()),
        ("Borrower's duties in custody", _custody()),
        ("Damage and loss", _damage()),
        ("Charging and cost recovery", charging),
        ("Insurance, liability and indemnity", _insurance(_BCH_TERMS)),
        ("Duration, overdue and recall", _duration(_BCH_TERMS)),
        ("Records", _records(_BCH_TERMS)),
        ("Review, variation and termination", _review(_BCH_TERMS)),
        ("Disputes", _disputes(_BCH_TERMS)),
        ("Schedules", _schedules()),
    )


_NCF_TERMS = _Terms(
    governance="the Fens Cross-Border Flood Resilience Group",
    escalation="the Chief Fire Officers of the fire and rescue Parties and the Chief Constables of the police Parties",
    overdue_escalation="the duty Group Commanders",
    recall_hours=2,
    has_ambulance=False,
)


def _ncf_clauses() -> tuple[tuple[str, str], ...]:
    parties = (
        "§.1 This Memorandum is made between Norfolk Fire and Rescue Service (the lead Party), "
        "Cambridgeshire Fire and Rescue Service, Norfolk Constabulary and Cambridgeshire "
        "Constabulary, each a “Party” and together “the Parties”.\n\n"
        "§.2 Each signatory confirms that they hold the authority of their organisation to sign "
        "this Memorandum."
    )
    purpose = (
        "§.1 The purpose of this Memorandum is to move flood rescue boats, PPE, pumps and power "
        "quickly across the Norfolk and Cambridgeshire border in the Fens, where the Great Ouse, "
        "the Ouse Washes and the Nene cross both counties and a flood in one is often a flood in "
        "both.\n\n"
        "§.2 It covers the water and flood rescue equipment, portable pumps and generators in "
        "Schedule 1, lent with or without a crew.\n\n"
        "§.3 Flood rescue teams deployed as whole teams are requested through the national "
        "flood rescue arrangements and are outside this Memorandum, but equipment lent to them "
        "by a Party is within it."
    )
    status = (
        "§.1 So far as it is made between the fire and rescue Parties, this Memorandum forms "
        "part of their reinforcement scheme under section 13 of the Fire and Rescue Services Act "
        "2004, and assistance under it is given on the terms of that scheme. So far as it "
        f"involves the police Parties, it is made under their duty in {_STATUTE_PCA} to keep "
        "collaboration under consideration.\n\n"
        "§.2 This Memorandum is not intended to create legally binding obligations, save that the "
        "clauses headed Damage and loss, Charging and cost recovery, and Insurance, liability and "
        "indemnity are intended to bind the Parties once a loan has been made."
    )
    joint = (
        "§.1 At a flood the Parties work to the JESIP principles and the Joint Decision Model, "
        "and their commanders co-locate at the forward control point. Flood rescue work follows "
        "the DEFRA Flood Rescue Concept of Operations, and boats are crewed to the team typing "
        "it describes.\n\n"
        "§.2 The fire and rescue Party in whose area the flood is has tactical command of water "
        "rescue. Equipment lent to a police Party is used for searching and for moving police "
        "officers only, and never for rescue work unless crewed by qualified fire or police "
        "flood rescue technicians."
    )
    competence = _competence(
        "Flood rescue equipment is used in the water only by holders of Flood rescue technician "
        "(Module 3), and boats are helmed only by holders of Boat operator (Module 4); first "
        "responders holding Module 2 may use throw lines and bank kit."
    )
    charging = (
        "§.1 Assistance between the fire and rescue Parties is charged, or not, as their "
        "reinforcement scheme provides; for the first 24 hours of a flood it is given without "
        "charge.\n\n"
        "§.2 Otherwise the Borrowing Party pays for fuel and consumables and for the "
        "decontamination, drying and servicing of boats, engines and PPE after use in "
        "floodwater, at cost."
    )
    return (
        ("Parties", parties),
        ("Purpose and scope", purpose),
        ("Status and legal footing", status),
        ("Definitions", _definitions()),
        (
            "Request and authorisation",
            _request(
                "Norfolk Fire Control, Cambridgeshire Fire Control or the police force control rooms"
            ),
        ),
        ("Operator training and competence", competence),
        ("Joint working at floods", joint),
        ("Hand-over and return", _handover()),
        ("Borrower's duties in custody", _custody()),
        ("Damage and loss", _damage()),
        ("Charging and cost recovery", charging),
        ("Insurance, liability and indemnity", _insurance(_NCF_TERMS)),
        ("Duration, overdue and recall", _duration(_NCF_TERMS)),
        ("Records", _records(_NCF_TERMS)),
        ("Review, variation and termination", _review(_NCF_TERMS)),
        ("Disputes", _disputes(_NCF_TERMS)),
        ("Schedules", _schedules()),
    )


# The parties to each MoU, lead party first; the drone MoU's parties are its borrowers.
_TRI = ("CAMBS-POL", "CAMBS-FRS", "EEAST")
_UAS_BORROWERS = ("CAMBS-POL", "CAMBS-FRS", "BEDS-POL", "HERTS-POL", "BEDS-FRS", "HERTS-FRS")
_BCH = ("CAMBS-POL", "BEDS-POL", "HERTS-POL")
_NCF = ("NORF-FRS", "CAMBS-FRS", "NORF-POL", "CAMBS-POL")

# Who signs for each agency today: its chief officer, and the title they sign under.
CHIEF_OFFICERS: dict[str, tuple[str, str]] = {
    "CAMBS-POL": ("Nicola Brereton", "Chief Constable"),
    "CAMBS-FRS": ("Andrew Kitchener", "Chief Fire Officer"),
    "EEAST": ("Dr Miriam Osei", "Chief Executive"),
    "BEDS-POL": ("Trevor Albright", "Chief Constable"),
    "HERTS-POL": ("Catherine Mayhew", "Chief Constable"),
    "BEDS-FRS": ("Ian Dorrington", "Chief Fire Officer"),
    "HERTS-FRS": ("Sarah Whitfield", "Chief Fire Officer"),
    "NORF-FRS": ("Martin Tolley", "Chief Fire Officer"),
    "NORF-POL": ("Graham Lusher", "Chief Constable"),
}


def _signed_by_chiefs(parties: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    """Each party's chief officer, in the parties' order: who signs an MoU made now."""
    return tuple((code, *CHIEF_OFFICERS[code]) for code in parties)


MOUS: tuple[MouSpec, ...] = (
    MouSpec(
        key="tri-v1",
        reference="CPFA-MOU-2022-01",
        version=1,
        title="Cambridgeshire Specialist Equipment Sharing Memorandum of Understanding",
        purpose=_TRI_PURPOSE,
        scope=_TRI_SCOPE,
        parties=_TRI,
        signatories=(
            ("CAMBS-POL", "Robert Hanley", "Chief Constable"),
            ("CAMBS-FRS", "Andrew Kitchener", "Chief Fire Officer"),
            ("EEAST", "Dr Miriam Osei", "Chief Executive"),
        ),
        signed=-1475,
        effective=-1461,
        review=-1096,
        expires=-200,
        clauses=_tri_clauses(1),
    ),
    MouSpec(
        key="tri-v2",
        reference="CPFA-MOU-2022-01",
        version=2,
        supersedes="tri-v1",
        title="Cambridgeshire Specialist Equipment Sharing Memorandum of Understanding",
        purpose=_TRI_PURPOSE,
        scope=_TRI_SCOPE,
        parties=_TRI,
        signatories=_signed_by_chiefs(_TRI),
        signed=-214,
        effective=-200,
        review=165,
        expires=895,
        clauses=_tri_clauses(2),
    ),
    MouSpec(
        key="uas",
        reference="CAMBS-UAS-MOU-2024-03",
        version=1,
        title="Aerial Capability (Drone) Sharing Memorandum of Understanding",
        purpose="Police and fire services in Cambridgeshire, Bedfordshire and Hertfordshire share thermal drones and pilots so that the nearest drone can reach a search, fire or water rescue whoever owns it.",
        scope="Drones with their batteries, controllers and cameras, lent with or without a pilot, for searches, fires, water rescues, major incidents and planned operations; data and footage from flights.",
        parties=_UAS_BORROWERS,
        signatories=_signed_by_chiefs(_UAS_BORROWERS),
        signed=-702,
        effective=-690,
        review=40,
        expires=405,
        clauses=_uas_clauses(),
    ),
    MouSpec(
        key="bch",
        reference="BCH-SA-MOU-2023-07",
        version=1,
        title="Bedfordshire, Cambridgeshire and Hertfordshire Strategic Alliance Police Mutual Aid Equipment Memorandum of Understanding",
        purpose="The three alliance forces lend each other public order, event and specialist police equipment as mutual aid without a separate agreement each time.",
        scope="Pedestrian barriers, fencing, tents, road closure signs and cones, method-of-entry equipment and the Cambridgeshire mobile police station.",
        parties=_BCH,
        signatories=_signed_by_chiefs(_BCH),
        signed=-505,
        effective=-490,
        review=240,
        expires=1335,
        clauses=_bch_clauses(),
    ),
    MouSpec(
        key="ncf",
        reference="NFRS-CFRS-MOU-2025-02",
        version=1,
        title="Fens Cross-Border Flood Rescue Equipment Memorandum of Understanding (Norfolk and Cambridgeshire)",
        purpose="Norfolk and Cambridgeshire fire and police services move flood rescue boats, PPE, pumps and power quickly across the county border in the Fens.",
        scope="Water and flood rescue equipment, portable pumps and generators, lent with or without crew.",
        parties=_NCF,
        signatories=_signed_by_chiefs(_NCF),
        signed=-310,
        effective=-290,
        review=430,
        expires=805,
        clauses=_ncf_clauses(),
    ),
)

# ---------------------------------------------------------------------------------------
# Sharing protocols
# ---------------------------------------------------------------------------------------


class ProtocolSpec(NamedTuple):
    """A sharing protocol under one of the ``MOUS``.

    Most protocols name no single items, ask no notice, charge no rate and require no
    qualification, so those are the defaults.
    """

    key: str
    mou: str
    name: str
    borrowers: tuple[str, ...]
    categories: tuple[str, ...]
    approver_role: Role
    approver_title: str
    max_loan_hours: int
    charging: ChargingBasis
    use_conditions: str
    protocol_text: str
    items: tuple[str, ...] = ()
    notice_hours: int = 0
    rate_pence: int | None = None
    charge_unit: str | None = None
    qualifications: tuple[str, ...] = ()
    data_terms: str | None = None
    active: bool = True
    emergency_only: bool = False


_DRONE_DATA = (
    "The Party that asked for the flight is controller of the imagery and flight recordings. "
    "Police process it under Part 3 of the Data Protection Act 2018, fire under UK GDPR "
    "Article 6(1)(e). The pilot hands over all recordings by secure transfer before return and "
    "deletes them from the aircraft; recordings not needed as evidence are deleted within 31 "
    "days. No publication without the controller's agreement."
)

PROTOCOLS: tuple[ProtocolSpec, ...] = (
    ProtocolSpec(
        key="tri1-general",
        mou="tri-v1",
        name="Specialist equipment sharing (2022 terms)",
        borrowers=_TRI,
        categories=(
            THERMAL,
            WATER,
            LIGHTING,
            GENERATORS,
            BARRIERS,
            TENTS,
            FENCING,
            TOILETS,
            SIGNS,
            COMMAND,
            MOE,
            HEIGHT,
        ),
        approver_role=Role.EQUIPMENT_MANAGER,
        approver_title="Station Manager or Inspector of the lending service",
        max_loan_hours=168,
        charging=ChargingBasis.CONSUMABLES,
        use_conditions="Return fuelled and clean. Operator named on the loan form.",
        protocol_text="The original catalogue terms agreed in 2022: any equipment in the catalogue may be lent to another Party on the decision of the lending service's station manager or inspector, for up to seven days, with the borrower replacing fuel and consumables.",
        active=False,
    ),
    ProtocolSpec(
        key="tri-thermal",
        mou="tri-v2",
        name="Thermal imaging cameras for searches",
        borrowers=("CAMBS-POL", "EEAST"),
        categories=(THERMAL,),
        approver_role=Role.DUTY_OFFICER,
        approver_title="Duty Group Commander (Fire Control)",
        max_loan_hours=24,
        charging=ChargingBasis.NONE,
        use_conditions="For finding people in the dark or in smoke. Not to be taken into a fire or an atmosphere that is not safe for the user. Return charged.",
        protocol_text="Fire thermal imaging cameras may be lent at once to police search teams and ambulance crews looking for a missing or injured person. The Duty Group Commander agrees the loan through Fire Control, taking the camera from an appliance that remains on the run only if another camera stays on that appliance.",
    ),
    ProtocolSpec(
        key="tri-water",
        mou="tri-v2",
        name="Water and flood rescue equipment, risk to life",
        borrowers=("CAMBS-POL", "EEAST"),
        categories=(WATER,),
        approver_role=Role.DUTY_OFFICER,
        approver_title="Duty Group Commander (Fire Control)",
        max_loan_hours=72,
        charging=ChargingBasis.CONSUMABLES,
        qualifications=("DEFRA-M3",),
        use_conditions="In the water only with Module 3 technicians; boats helmed by Module 4 boat operators. Decontaminate boats and PPE after floodwater.",
        protocol_text="Flood rescue boats, sleds and PPE are lent to police and HART teams for rescue and search in water at risk-to-life incidents, and for planned river searches. Users must hold Flood rescue technician (Module 3). Fire keeps tactical command of water rescue where fire crews are present.",
    ),
    ProtocolSpec(
        key="tri-lighting",
        mou="tri-v2",
        name="Lighting towers and light masts",
        borrowers=_TRI,
        categories=(LIGHTING,),
        approver_role=Role.DUTY_OFFICER,
        approver_title="Duty Group Commander or Duty Inspector",
        max_loan_hours=168,
        charging=ChargingBasis.CONSUMABLES,
        qualifications=("LTO",),
        use_conditions="Set up on firm level ground with stabilisers down; mast lowered in winds above 80 km/h; no refuelling while running. Return with a full tank.",
        protocol_text="Tower lights and inflatable light masts are lent for scenes, searches, cordons and casualty clearing areas. The operator must have had the lighting tower familiarisation. Borrower replaces fuel.",
    ),
    ProtocolSpec(
        key="tri-generators",
        mou="tri-v2",
        name="Generators for scene power",
        borrowers=_TRI,
        categories=(GENERATORS,),
        approver_role=Role.DUTY_OFFICER,
        approver_title="Duty Group Commander or Duty Inspector",
        max_loan_hours=168,
        charging=ChargingBasis.CONSUMABLES,
        use_conditions="Outdoors only; RCD protection on every lead; 110 V tools through the transformer supplied. Return with a full tank.",
        protocol_text="Portable and trailer generators are lent for scene power, command posts and rest centres. The borrower replaces fuel and reports any trip or fault.",
    ),
    ProtocolSpec(
        key="tri-pooled",
        mou="tri-v2",
        name="Barriers, tents, shelters and fencing",
        borrowers=_TRI,
        categories=(BARRIERS, TENTS, FENCING),
        approver_role=Role.EQUIPMENT_MANAGER,
        approver_title="Estates and Equipment Manager",
        notice_hours=72,
        max_loan_hours=336,
        charging=ChargingBasis.NONE,
        use_conditions="Counted out and back; the borrower collects and returns unless delivery is agreed. Shortfall and damage recorded on return.",
        protocol_text="Pooled barriers, tents, shelters and fencing are lent for planned operations and events with at least 72 hours' notice, and at once for emergencies on the decision of the duty officer. The borrower collects, erects, dismantles and returns the stock, counted.",
    ),
    ProtocolSpec(
        key="tri-toilets",
        mou="tri-v2",
        name="Mobile toilet units",
        borrowers=_TRI,
        categories=(TOILETS,),
        approver_role=Role.EQUIPMENT_MANAGER,
        approver_title="Estates and Equipment Manager",
        notice_hours=48,
        max_loan_hours=336,
        charging=ChargingBasis.RATE,
        rate_pence=4500,
        charge_unit="day",
        use_conditions="Delivered and collected by the lending service's trailer. Not to be moved when in use. Serviced every 3 days on long deployments.",
        protocol_text="Mobile toilet units are lent for long cordons, events and prolonged incidents at the daily rate in Schedule 4, which covers delivery, servicing and chemical packs.",
    ),
    ProtocolSpec(
        key="tri-signs",
        mou="tri-v2",
        name="Road closure signage",
        borrowers=_TRI,
        categories=(SIGNS,),
        approver_role=Role.DUTY_OFFICER,
        approver_title="Force Control Room Inspector",
        max_loan_hours=168,
        charging=ChargingBasis.NONE,
        use_conditions="Police 'extraordinary circumstances' signs under the Road Traffic Regulation Act 1984 s.67 are placed under the chief officer's instructions and for no longer than 7 days. Signs placed by fire or ambulance are placed at the direction of the police on scene.",
        protocol_text="Road closure and diversion signs and cones are lent for incidents, flooding and planned closures. Signs used to close or divert a road in extraordinary circumstances are placed by or under the instructions of the Chief Constable under section 67 of the Road Traffic Regulation Act 1984, for up to 7 days; longer closures need a traffic regulation order from the highway authority.",
    ),
    ProtocolSpec(
        key="tri-command",
        mou="tri-v2",
        name="Fire command vehicle at joint incidents",
        borrowers=("CAMBS-POL", "EEAST"),
        categories=(COMMAND,),
        approver_role=Role.DUTY_OFFICER,
        approver_title="Duty Group Commander (Fire Control)",
        max_loan_hours=48,
        charging=ChargingBasis.CONSUMABLES,
        qualifications=("HGV-C",),
        use_conditions="Driven only by a holder of a category C licence with the lending service's driving authority. ICT used only by staff with the access they already hold. Returned fuelled and clean.",
        protocol_text="The fire incident command unit may be lent to police or ambulance as a joint command post at incidents where the services co-locate under JESIP. The Duty Group Commander decides; the fire service may recall the vehicle for a fire incident at 2 hours' notice.",
    ),
    ProtocolSpec(
        key="tri-moe",
        mou="tri-v2",
        name="Method of entry at risk-to-life incidents",
        borrowers=_TRI,
        categories=(MOE,),
        approver_role=Role.DUTY_OFFICER,
        approver_title="Force Control Room Inspector",
        max_loan_hours=12,
        charging=ChargingBasis.NONE,
        qualifications=("MOE",),
        use_conditions="Risk-to-life incidents only. Police retain primacy for board-up, arranged through the force's board-up contractor. Entry recorded with the incident number.",
        protocol_text="Method-of-entry tools are lent between services so that a crew can force entry where a life is at risk: fire gaining entry for ambulance crews, or police tools used by fire. The user must hold the Method of entry qualification. Police arrange board-up afterwards.",
    ),
    ProtocolSpec(
        key="tri-height",
        mou="tri-v2",
        name="Work-at-height support",
        borrowers=("CAMBS-POL", "EEAST"),
        categories=(HEIGHT,),
        approver_role=Role.DUTY_OFFICER,
        approver_title="Duty Group Commander (Fire Control)",
        max_loan_hours=24,
        charging=ChargingBasis.NONE,
        qualifications=("WAH",),
        use_conditions="Users hold the Work at height qualification. Equipment must carry evidence of its last LOLER thorough examination (6-monthly for people-lifting kit).",
        protocol_text="Fire work-at-height equipment supports police officers and HART paramedics working at height at risk-to-life incidents. Fire staff rig and supervise the system unless the borrower's users are qualified.",
    ),
    ProtocolSpec(
        key="tri-alp",
        mou="tri-v2",
        name="Aerial ladder platforms",
        borrowers=("CAMBS-POL", "EEAST"),
        categories=(),
        items=("CFR-000282", "CFR-000285"),
        approver_role=Role.DUTY_OFFICER,
        approver_title="Duty Group Commander (Fire Control)",
        max_loan_hours=12,
        charging=ChargingBasis.NONE,
        qualifications=("WAH",),
        use_conditions="Always crewed and operated by fire. Police and ambulance staff in the cage hold the Work at height qualification and wear the harness supplied.",
        protocol_text="The aerial ladder platforms at Cambridge and Dogsthorpe are deployed with a fire crew to police and ambulance at risk-to-life incidents, such as a person in crisis at height. The Duty Group Commander decides, keeping one platform available for the county.",
    ),
    ProtocolSpec(
        key="tri-pool",
        mou="tri-v2",
        name="Peterborough pool vehicles for community policing",
        borrowers=("CAMBS-POL",),
        categories=(POOL,),
        approver_role=Role.EQUIPMENT_MANAGER,
        approver_title="Station Manager, Peterborough",
        notice_hours=24,
        max_loan_hours=72,
        charging=ChargingBasis.RATE,
        rate_pence=45,
        charge_unit="mile",
        use_conditions="Booked from and returned to Dogsthorpe or Stanground fire station. Driver holds a full licence and the force driving authority. Mileage and fuel recorded; no blue-light use.",
        protocol_text="Fire service pool vehicles kept at Dogsthorpe and Stanground fire stations may be booked by the Constabulary for community-based work in Peterborough, at the mileage rate in Schedule 4, with 24 hours' notice and for up to three days at a time.",
    ),
    ProtocolSpec(
        key="tri-search",
        mou="tri-v2",
        name="Search equipment",
        borrowers=_TRI,
        categories=(SEARCH,),
        approver_role=Role.DUTY_OFFICER,
        approver_title="Duty Inspector or Duty Group Commander",
        max_loan_hours=48,
        charging=ChargingBasis.NONE,
        use_conditions="Sonar used from a boat crewed by qualified boat operators. Search probes and lamps counted out and back.",
        protocol_text="Sonar, search probes and search lamps are lent for missing person searches. A police search adviser (PolSA) directs the search.",
    ),
    ProtocolSpec(
        key="uas-emergency",
        mou="uas",
        name="Drones, emergency and spontaneous deployments",
        emergency_only=True,
        borrowers=_UAS_BORROWERS,
        categories=(DRONES,),
        approver_role=Role.DUTY_OFFICER,
        approver_title="Duty Inspector or Duty Group Commander",
        max_loan_hours=24,
        charging=ChargingBasis.CONSUMABLES,
        qualifications=("UAS-GVC",),
        use_conditions="Flown under the operational authorisation named on the loan. Pilot holds a GVC and is on the authorisation. Batteries returned charged to storage level.",
        protocol_text="A thermal drone may be lent at once, with or without a pilot, to a search, fire, water rescue or major incident. The pilot must hold the GVC and be named on an operational authorisation. No charge beyond consumables.",
        data_terms=_DRONE_DATA,
    ),
    ProtocolSpec(
        key="uas-planned",
        mou="uas",
        name="Drones, planned operations",
        borrowers=_UAS_BORROWERS,
        categories=(DRONES,),
        approver_role=Role.EQUIPMENT_MANAGER,
        approver_title="Force Drone Unit Sergeant",
        notice_hours=48,
        max_loan_hours=72,
        charging=ChargingBasis.RATE,
        rate_pence=15000,
        charge_unit="day",
        qualifications=("UAS-GVC",),
        use_conditions="Flight plan and risk assessment shared 24 hours before. No flights over assemblies of people without the authorisation's permission.",
        protocol_text="Drones may be booked for planned operations, events and pre-planned searches with 48 hours' notice, at the daily rate in Schedule 4. Pilots hold the GVC.",
        data_terms=_DRONE_DATA,
    ),
    ProtocolSpec(
        key="bch-public-order",
        mou="bch",
        name="Alliance mutual aid: barriers, fencing, tents and signs",
        borrowers=("CAMBS-POL", "BEDS-POL", "HERTS-POL"),
        categories=(BARRIERS, FENCING, TENTS, SIGNS),
        approver_role=Role.EQUIPMENT_MANAGER,
        approver_title="Operational Support Chief Inspector",
        notice_hours=168,
        max_loan_hours=336,
        charging=ChargingBasis.CONSUMABLES,
        use_conditions="Planned events with 7 days' notice; borrower transports. Signs placed under s.67 RTRA 1984 on the instructions of the chief officer of the area, for up to 7 days.",
        protocol_text="Alliance forces lend each other barriers, fencing, tents and road signs for planned events and football operations, with seven days' notice, charged for transport and consumables under the national mutual aid arrangements.",
    ),
    ProtocolSpec(
        key="bch-moe",
        mou="bch",
        name="Alliance mutual aid: method of entry",
        borrowers=("CAMBS-POL", "BEDS-POL", "HERTS-POL"),
        categories=(MOE,),
        approver_role=Role.DUTY_OFFICER,
        approver_title="Duty Inspector",
        max_loan_hours=24,
        charging=ChargingBasis.NONE,
        qualifications=("MOE",),
        use_conditions="Users hold the Method of entry qualification. Board-up by the force in whose area entry was made.",
        protocol_text="Method-of-entry tools may be lent at once between alliance forces for warrants and risk-to-life entries.",
    ),
    ProtocolSpec(
        key="bch-mps",
        mou="bch",
        name="Alliance mutual aid: mobile police station",
        borrowers=("BEDS-POL", "HERTS-POL"),
        categories=(),
        items=("CAM-000160",),
        approver_role=Role.EQUIPMENT_MANAGER,
        approver_title="Operational Support Chief Inspector",
        notice_hours=48,
        max_loan_hours=96,
        charging=ChargingBasis.RATE,
        rate_pence=35000,
        charge_unit="day",
        qualifications=("LGV-C1",),
        use_conditions="Driven by a holder of a C1 licence with force driving authority. Force ICT connected only by Cambridgeshire staff.",
        protocol_text="The Cambridgeshire mobile police station may be lent to Bedfordshire or Hertfordshire for planned operations, at the daily rate, which covers servicing and ICT support.",
    ),
    ProtocolSpec(
        key="ncf-water",
        mou="ncf",
        name="Cross-border flood rescue equipment",
        borrowers=("NORF-FRS", "CAMBS-FRS", "NORF-POL", "CAMBS-POL"),
        categories=(WATER,),
        approver_role=Role.DUTY_OFFICER,
        approver_title="Duty Group Commander",
        max_loan_hours=96,
        charging=ChargingBasis.CONSUMABLES,
        qualifications=("DEFRA-M3",),
        use_conditions="In the water only with Module 3 technicians; boats helmed by Module 4 boat operators. Decontaminate after floodwater.",
        protocol_text="Flood rescue boats and PPE move across the Norfolk and Cambridgeshire border at once on the request of the Duty Group Commander, for floods and water searches in the Fens.",
    ),
    ProtocolSpec(
        key="ncf-pumps",
        mou="ncf",
        name="Cross-border pumps and power at floods",
        borrowers=("NORF-FRS", "CAMBS-FRS"),
        categories=(PUMPS, GENERATORS),
        approver_role=Role.DUTY_OFFICER,
        approver_title="Duty Group Commander",
        max_loan_hours=168,
        charging=ChargingBasis.CONSUMABLES,
        use_conditions="Pumps sited above the flood line and watched while running; fuel replaced.",
        protocol_text="Portable pumps and generators are lent between the fire and rescue services for flooding, with fuel and servicing paid by the borrower after the first 24 hours.",
    ),
)

# ---------------------------------------------------------------------------------------
# Inspections
# ---------------------------------------------------------------------------------------


class RegimeSpec(NamedTuple):
    name: str
    category: str | None
    item: str | None
    interval_days: int | None
    interval_months: int | None
    certificate_prefix: str
    blocks_issue: bool = True


# fmt: off
REGIMES: tuple[RegimeSpec, ...] = (
    RegimeSpec("Pre-flight airworthiness and maintenance check (drones)", DRONES, None, None, 3, "UAS"),
    RegimeSpec("PUWER inspection (thermal imaging cameras)", THERMAL, None, None, 12, "PUWER"),
    RegimeSpec("PUWER inspection and PPE service (water rescue)", WATER, None, None, 12, "PUWER"),
    RegimeSpec("Outboard engine service (manufacturer's schedule)", None, "CFR-000221", 365, None, "ENG"),
    RegimeSpec("PAT test and mast check (lighting)", LIGHTING, None, None, 12, "PAT"),
    RegimeSpec("PAT test (generators)", GENERATORS, None, None, 12, "PAT"),
    RegimeSpec("Vehicle safety inspection, 6-weekly (command vehicles)", COMMAND, None, 42, None, "VSI"),
    RegimeSpec("PUWER inspection (method of entry)", MOE, None, None, 12, "PUWER"),
    RegimeSpec("LOLER thorough examination (work at height, people-lifting)", HEIGHT, None, None, 6, "LOLER"),
    RegimeSpec("Vehicle service and safety check (pool vehicles)", POOL, None, None, 12, "SVC"),
    RegimeSpec("PUWER inspection (pumps)", PUMPS, None, None, 12, "PUWER"),
    RegimeSpec("PUWER inspection (search equipment)", SEARCH, None, None, 12, "PUWER", blocks_issue=False),
)
# fmt: on

# Items whose latest inspection has lapsed (none is on loan or booked).
LAPSED: frozenset[str] = frozenset({"CFR-000240", "CFR-000214", "EEA-000403", "BED-000601"})

# The failed LOLER examination, which raised an unsafe defect.
FAILED_INSPECTION = (
    "CFR-000281",
    4,  # days ago
    "Winch brake slips under a 140 kg proof load; fall-arrest block retracts sluggishly. Not to be used until repaired and re-examined.",
)

# Who inspects each agency's kit: a person key, or a name for an outside inspector.
# fmt: off
INSPECTORS: dict[str, str] = {
    "CAMBS-POL": "p-marsh",
    "CAMBS-FRS": "f-kendrick",
    "EEAST": "a-mcallister",
    "BEDS-POL": "Bedfordshire Police Fleet and Equipment",
    "HERTS-POL": "Hertfordshire Constabulary Drone Unit",
    "BEDS-FRS": "Bedfordshire FRS Workshops",
    "HERTS-FRS": "Hertfordshire FRS Engineering",
    "NORF-POL": "Norfolk Constabulary Equipment Store",
    "NORF-FRS": "Norfolk FRS Workshops, Hethersett",
}
# fmt: on

ADVISORIES: tuple[str, ...] = (
    "Passed. Minor wear noted on carry case; monitor.",
    "Passed with advisory: one battery at 82% health, replace at next cycle limit.",
    "Passed with advisory: labels faded, re-labelled.",
    "Passed with advisory: tyre wear approaching limit on trailer; check at next inspection.",
)

# ---------------------------------------------------------------------------------------
# Loans
# ---------------------------------------------------------------------------------------


class LoanSpec(NamedTuple):
    key: str
    protocol: str
    borrower: str
    purpose: str
    incident_ref: str | None  # "{date}" becomes the start date as YYYYMMDD
    start_h: int  # hours from the current hour
    due_h: int
    status: LoanStatus
    lines: tuple[tuple[str, int, int], ...]  # asset tag, quantity, quantity returned
    requested_by: str | None
    operator: str | None
    at_site: str | None = None  # where the kit is while on loan
    emergency: bool = False
    decision_reason: str | None = None
    recall: tuple[int, int, str] | None = None  # recalled at, recall due (hours), reason
    notes: str | None = None


R = LoanStatus.RETURNED
ISSUED = LoanStatus.ISSUED

# fmt: off
LOANS: tuple[LoanSpec, ...] = (
    # Returned, over the last year.
    LoanSpec("L01", "uas-emergency", "CAMBS-POL", "Missing person search, Hinchingbrooke Country Park", "CC-{date}-0418", -340 * D, -339 * D, R, (("CFR-000201", 1, 1),), "p-kirby", "p-okafor", emergency=True),
    LoanSpec("L02", "bch-public-order", "BEDS-POL", "Bedford River Festival: crowd management on the Embankment", "OP-EMBANKMENT", -300 * D, -297 * D, R, (("CAM-000130", 30, 30),), "bp-sandhu", "bp-sandhu"),
    LoanSpec("L03", "tri1-general", "CAMBS-POL", "Fatal road traffic collision, A14 westbound near Girton interchange: scene lighting for collision investigators", "CC-{date}-0922", -250 * D, -249 * D, R, (("CFR-000230", 1, 1),), "p-kirby", "p-benton", emergency=True),
    LoanSpec("L04", "tri1-general", "CAMBS-POL", "Missing person search, Ely riverside and Roswell Pits", "CC-{date}-0157", -212 * D, -212 * D + 12, R, (("CFR-000211", 1, 1),), "p-redfern", "p-redfern", emergency=True),
    LoanSpec("L05", "tri-pooled", "EEAST", "Exercise Fenland Shield: joint major incident exercise, casualty clearing station", "EX-FENLAND-SHIELD", -160 * D, -159 * D, R, (("CAM-000136", 4, 4),), "a-mcallister", "a-nair"),
    LoanSpec("L06", "tri-pool", "CAMBS-POL", "Operation Pheasant: joint visits to houses in multiple occupation, Millfield, Peterborough", "OP-PHEASANT", -120 * D, -118 * D, R, (("CFR-000291", 1, 1),), "p-clarke", "p-clarke"),
    LoanSpec("L07", "tri-moe", "CAMBS-FRS", "Concern for welfare: entry for ambulance crew, Arbury, Cambridge", "CC-{date}-0311", -90 * D, -90 * D + 3, R, (("CAM-000170", 1, 1),), "f-copley", "f-copley", emergency=True),
    LoanSpec("L08", "tri-alp", "CAMBS-POL", "Person in crisis at height, multi-storey car park, Cambridge city centre", "CC-{date}-1207", -60 * D, -60 * D + 6, R, (("CFR-000282", 1, 1),), "p-kirby", "p-pryce", emergency=True),
    LoanSpec("L09", "uas-emergency", "CAMBS-POL", "Missing person from Melbourn: search of Therfield Heath and Royston", "CC-{date}-0733", -40 * D, -39 * D, R, (("HRT-000701", 1, 1),), "p-kirby", "p-okafor", emergency=True),
    LoanSpec("L10", "tri-toilets", "CAMBS-POL", "Strawberry Fair, Midsummer Common, Cambridge: police cordon and CCTV points", "OP-MIDSUMMER", -25 * D, -22 * D, R, (("CFR-000260", 4, 4),), "p-pryce", "p-pryce"),
    LoanSpec("L11", "tri-signs", "CAMBS-FRS", "Field fire, Wicken: closure of the A1123 for firefighting water relay", "CFRS-{date}-2264", -10 * D, -9 * D, R, (("CAM-000150", 8, 8),), "f-staines", "f-bright"),
    # Out now.
    LoanSpec("C1", "uas-emergency", "CAMBS-POL", "Missing person search, River Great Ouse, St Ives", "CC-{date}-0231", -5, 19, ISSUED, (("CFR-000201", 1, 0),), "p-kirby", "p-okafor", at_site="pol-stives", emergency=True),
    LoanSpec("C2", "tri-search", "CAMBS-POL", "Missing person search, River Great Ouse, St Ives: sonar sweep from the fire boat", "CC-{date}-0231", -4, 20, ISSUED, (("CFR-000300", 1, 0),), "p-fairweather", "p-fairweather", at_site="pol-stives", emergency=True),
    LoanSpec("C3", "ncf-water", "CAMBS-FRS", "Flooding, Earith: evacuation and welfare checks of riverside properties on the Old West River", "CFRS-{date}-3105", -3 * D, 1 * D, ISSUED, (("NOR-001001", 1, 0),), "f-staines", "f-rudd", at_site="fire-huntingdon"),
    LoanSpec("C4", "tri-signs", "CAMBS-FRS", "Flooding, Earith: closure of the A1123 at Earith Bridge and diversion via Bluntisham", "CFRS-{date}-3105", -3 * D + 2, 3 * D, ISSUED, (("CAM-000150", 10, 0), ("CAM-000152", 6, 0)), "f-staines", "f-rudd", at_site="fire-huntingdon"),
    LoanSpec("C5", "tri-lighting", "EEAST", "Temporary ambulance holding area lighting, Peterborough City Hospital", "EEAST-{date}-HALO", -1 * D, 6 * D, ISSUED, (("CFR-000231", 1, 0),), "a-nair", "a-holt", at_site="amb-peterborough"),
    LoanSpec("C6", "tri-command", "CAMBS-POL", "Joint command post (JESIP co-location): armed incident, Orton Goldhay, Peterborough", "CC-{date}-0968", -7, 17, ISSUED, (("CFR-000270", 1, 0),), "p-kirby", "p-benton", at_site="pol-thorpe", recall=(-1, 2, "Recalled by the CFRS Duty Group Commander: the command unit is needed at a large haystack fire near Whittlesey (Operation Armitage). Police command to move to the Thorpe Wood major operations room.",)),
    LoanSpec("C7", "tri-pool", "CAMBS-POL", "Neighbourhood policing: Operation Pheasant follow-up visits, Peterborough", "OP-PHEASANT", -2 * D, 1 * D, ISSUED, (("CFR-000292", 1, 0),), "p-clarke", "p-clarke", at_site="pol-thorpe"),
    LoanSpec("P1", "tri-pooled", "CAMBS-FRS", "Dangerous structure cordon after partial building collapse, Wisbech town centre", "CFRS-{date}-2987", -6 * D, 1 * D, LoanStatus.PARTLY_RETURNED, (("CAM-000140", 16, 10),), "f-garner", "f-garner", at_site="fire-wisbech", notes="10 panels returned once the front wall was taken down; 6 remain on the rear cordon."),
    # Overdue.
    LoanSpec("O1", "tri-generators", "CAMBS-POL", "Operation Birch: rural crime checkpoint, A141 near Chatteris", "OP-BIRCH", -9 * D, -2 * D, ISSUED, (("CFR-000242", 1, 0),), "p-begum", "p-begum", at_site="pol-march"),
    LoanSpec("O2", "bch-public-order", "BEDS-POL", "Luton Town v Peterborough United, Kenilworth Road: away-end segregation", "OP-KENILWORTH", -16 * D, -5 * D, ISSUED, (("CAM-000130", 20, 0),), "bp-sandhu", "bp-sandhu", at_site="beds-pol-luton"),
    LoanSpec("O3", "uas-planned", "HERTS-FRS", "Heathland fire, Therfield Heath: damping-down and hot-spot survey", "HFRS-{date}-1410", -4 * D, -1 * D, ISSUED, (("CFR-000202", 1, 0),), "hf-price", "hf-price", at_site="herts-frs-royston"),
    # Booked.
    LoanSpec("Q1", "bch-public-order", "HERTS-POL", "Stevenage FC v Cambridge United, Lamex Stadium: segregation barriers", "OP-LAMEX", 9 * D, 10 * D, LoanStatus.REQUESTED, (("CAM-000131", 30, 0),), "hp-doherty", None),
    LoanSpec("Q2", "tri-pool", "CAMBS-POL", "Community engagement: Operation Pheasant visits in Eye and Thorney", "OP-PHEASANT", 2 * D, 3 * D, LoanStatus.REQUESTED, (("CFR-000290", 1, 0),), "p-clarke", "p-clarke"),
    LoanSpec("A1", "tri-pooled", "CAMBS-POL", "Operation Hawthorn: Peterborough United v Cambridge United", "OP-HAWTHORN", 4 * D, 4 * D + 9, LoanStatus.APPROVED, (("CFR-000250", 20, 0), ("CFR-000255", 1, 0)), "p-duty", "p-duty"),
    LoanSpec("A2", "tri-pooled", "EEAST", "Cambridge Half Marathon: first aid and casualty clearing points", "EEAST-EVENT", 6 * D, 8 * D, LoanStatus.APPROVED, (("CAM-000136", 3, 0),), "a-mcallister", "a-nair"),
    # Decided against, or called off.
    LoanSpec("X1", "tri-lighting", "CAMBS-POL", "Search of farmland at night, Parson Drove", "CC-{date}-0654", 1 * D, 2 * D, LoanStatus.DECLINED, (("CFR-000233", 1, 0),), "p-begum", None, decision_reason="The Wisbech tower light is out of service with a frayed mast winch cable. The Huntingdon tower (CFR-000230) is offered instead: please request it."),
    LoanSpec("X2", "tri-toilets", "EEAST", "Community first responder open day, Huntingdon", "EEAST-EVENT", 12 * D, 13 * D, LoanStatus.CANCELLED, (("CFR-000260", 2, 0),), "a-mcallister", None, decision_reason="Event cancelled by the organiser because of the weather forecast."),
)
# fmt: on

# ---------------------------------------------------------------------------------------
# Defects
# ---------------------------------------------------------------------------------------


class DefectSpec(NamedTuple):
    tag: str
    source: DefectSource
    severity: DefectSeverity
    description: str
    reported_days_ago: int
    reported_by: str
    loan: str | None = None
    cleared: tuple[int, str] | None = None  # days ago, clearance note


# fmt: off
DEFECTS: tuple[DefectSpec, ...] = (
    DefectSpec("CFR-000233", DefectSource.REPORTED, DefectSeverity.UNSAFE, "Mast winch cable frayed at the second sheave during the weekly test. Mast must not be raised. Tower locked off at Wisbech pending a new cable.", 5, "f-garner"),
    DefectSpec("CAM-000103", DefectSource.REPORTED, DefectSeverity.MINOR, "Gimbal cover scratched; thermal and zoom images unaffected. Replacement cover ordered.", 9, "p-turnbull"),
    DefectSpec("CFR-000291", DefectSource.RETURN, DefectSeverity.MAJOR, "Nearside front tyre below legal tread depth at return.", 118, "f-cole", loan="L06", cleared=(116, "Both front tyres replaced by the fleet workshop.")),
    DefectSpec("CAM-000130", DefectSource.RETURN, DefectSeverity.MINOR, "Three barriers returned with bent feet; they do not interlock.", 297, "p-marsh", loan="L02", cleared=(280, "Feet straightened and re-galvanised by the supplier.")),
    DefectSpec("CFR-000201", DefectSource.RETURN, DefectSeverity.MAJOR, "TB60 battery no. 3 swollen after the search; quarantined in the fire bag.", 339, "f-marriott", loan="L01", cleared=(330, "Battery disposed of through the supplier; replacement TB60 issued and logged.")),
)
# fmt: on

# ---------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------


@dataclass
class _Builder:
    session: Session
    now: datetime
    today: date = field(init=False)
    base: datetime = field(init=False)
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    agencies: dict[str, Agency] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    qualifications: dict[str, QualificationType] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    users: dict[str, AppUser] = field(default_factory=dict)
    items: dict[str, EquipmentItem] = field(default_factory=dict)
    mous: dict[str, Mou] = field(default_factory=dict)
    protocols: dict[str, SharingProtocol] = field(default_factory=dict)
    loans: dict[str, Loan] = field(default_factory=dict)
    meters: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("populate_demo needs an aware datetime for now")
        self.now = self.now.astimezone(UTC)
        self.today = today_uk(self.now)
        self.base = self.now.replace(minute=0, second=0, microsecond=0)

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def at(self, hours: float) -> datetime:
        return self.base + timedelta(hours=hours)

    def on(self, day: date, hour: int = 9) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=UTC)

    # -- organisation -------------------------------------------------------------

    def add_agencies(self) -> None:
        for code, name, kind, address, phone in AGENCIES:
            agency = Agency(code=code, name=name, kind=kind, address=address, phone=phone)
            self.session.add(agency)
            self.agencies[code] = agency
        for key, code, name, town, address, postcode in SITES:
            site = Site(
                agency=self.agencies[code], name=name, town=town, address=address, postcode=postcode
            )
            self.session.add(site)
            self.sites[key] = site

    def add_categories(self) -> None:
        for name, description, fuel, hours, battery, mileage in CATEGORIES:
            category = Category(
                name=name,
                description=description,
                tracks_fuel=fuel,
                tracks_hours=hours,
                tracks_battery=battery,
                tracks_mileage=mileage,
            )
            self.session.add(category)
            self.categories[name] = category
        for code, name, allows, months in QUALIFICATIONS:
            qualification = QualificationType(
                code=code, name=name, allows=allows, validity_months=months
            )
            self.session.add(qualification)
            self.qualifications[code] = qualification

    # -- people --------------------------------------------------------------------

    def add_people(self) -> None:
        for spec in PEOPLE:
            email = f"{spec.given}.{spec.family}@{spec.email_domain}".lower().replace(" ", "")
            person = Person(
                agency=self.agencies[spec.agency],
                staff_number=spec.staff_number,
                given_name=spec.given,
                family_name=spec.family,
                rank_or_role=spec.rank,
                home_site=self.sites[spec.site],
                email=email,
                created_at=self.on(self.day(-800)),
            )
            for code, days in spec.qualifications:
                qualification = self.qualifications[code]
                if qualification.validity_months is None:
                    issued, expires = self.day(-days), None
                else:
                    expires = self.day(days)
                    issued = add_months(expires, -qualification.validity_months)
                person.qualifications.append(
                    PersonQualification(
                        qualification_type=qualification,
                        reference=f"{code}-{spec.staff_number}-{issued:%Y}",
                        issued_on=issued,
                        expires_on=expires,
                    )
                )
            self.session.add(person)
            self.people[spec.key] = person
        for username, role, person_key, password in USERS:
            self._add_user(username, role, person_key, hash_password(password))
        # Each lending agency's kit contact can approve its loans; one hash serves them
        # all, since hashing is slow on purpose and this is demo data.
        shared = hash_password(KIT_MANAGER_PASSWORD)
        for code, person_key in LENDER_CONTACT.items():
            if person_key not in {key for _, _, key, _ in USERS}:
                self._add_user(
                    kit_manager_username(code), Role.EQUIPMENT_MANAGER, person_key, shared
                )

    def _add_user(self, username: str, role: Role, person_key: str, password_hash: str) -> None:
        user = AppUser(
            username=username,
            person=self.people[person_key],
            role=role,
            password_hash=password_hash,
            created_at=self.on(self.day(-400)),
        )
        self.session.add(user)
        self.users[username] = user

    # -- catalogue -----------------------------------------------------------------

    def add_items(self) -> None:
        on_loan = {
            tag: loan
            for loan in LOANS
            if loan.status in (LoanStatus.ISSUED, LoanStatus.PARTLY_RETURNED)
            for tag, _quantity, _returned in loan.lines
        }
        unsafe = {
            d.tag for d in DEFECTS if d.severity is DefectSeverity.UNSAFE and d.cleared is None
        }
        unsafe.add(FAILED_INSPECTION[0])
        for spec in ITEMS:
            site = self.sites[spec.site]
            status = ItemStatus.AVAILABLE
            current_site: Site | None = None
            location: str | None = None
            if spec.retired:
                status = ItemStatus.RETIRED
            elif spec.tag in unsafe:
                status = ItemStatus.OUT_OF_SERVICE
                location = "Quarantined at home station pending repair"
            elif spec.quantity is None and spec.tag in on_loan:
                loan = on_loan[spec.tag]
                status = ItemStatus.ON_LOAN
                if loan.at_site is not None:
                    current_site = self.sites[loan.at_site]
                    location = f"On loan to {self.agencies[loan.borrower].name}"
            acquired = self.day(-self.rng.randint(420, 2900))
            if spec.category in (DRONES,) and not spec.retired:
                acquired = self.day(-self.rng.randint(300, 900))
            item = EquipmentItem(
                asset_tag=spec.tag,
                name=spec.name,
                category=self.categories[spec.category],
                owner_agency=site.agency,
                home_site=site,
                current_site=current_site,
                current_location=location,
                make=spec.make,
                model=spec.model,
                serial_number=spec.serial,
                is_pooled=spec.quantity is not None,
                quantity=spec.quantity or 1,
                status=status,
                condition=spec.condition,
                description=spec.description,
                accessories=spec.accessories,
                notes=spec.notes,
                acquired_on=acquired,
                replacement_value_pence=None
                if spec.value_pounds is None
                else spec.value_pounds * 100,
                daily_hire_rate_pence=None if spec.rate_pounds is None else spec.rate_pounds * 100,
                created_at=self.on(acquired),
                updated_at=self.on(acquired),
            )
            self.session.add(item)
            self.items[spec.tag] = item
            if item.category.tracks_hours:
                self.meters[f"{spec.tag}:hours"] = self.rng.randint(40, 1400)
            if item.category.tracks_mileage:
                self.meters[f"{spec.tag}:miles"] = self.rng.randint(6000, 68000)

    # -- agreements ----------------------------------------------------------------

    def add_mous(self) -> None:
        for spec in MOUS:
            signed = self.day(spec.signed)
            mou = Mou(
                reference=spec.reference,
                version=spec.version,
                title=spec.title,
                purpose=spec.purpose,
                scope=spec.scope,
                is_draft=False,
                signed_on=signed,
                effective_from=self.day(spec.effective),
                review_on=self.day(spec.review),
                expires_on=self.day(spec.expires),
                supersedes=self.mous[spec.supersedes] if spec.supersedes else None,
                created_at=self.on(signed),
                updated_at=self.on(signed),
            )
            for position, code in enumerate(spec.parties):
                mou.parties.append(MouParty(agency=self.agencies[code], position=position))
            for offset, (code, name, title) in enumerate(spec.signatories):
                mou.signatories.append(
                    MouSignatory(
                        agency=self.agencies[code],
                        name=name,
                        role_title=title,
                        signed_on=self.day(spec.signed - 2 * (len(spec.signatories) - 1 - offset)),
                    )
                )
            for index, (heading, body) in enumerate(spec.clauses):
                number = str(index + 1)
                mou.clauses.append(
                    MouClause(
                        position=index + 1,
                        number=number,
                        heading=heading,
                        body=body.replace("§", number),
                    )
                )
            self.session.add(mou)
            self.mous[spec.key] = mou

    def add_protocols(self) -> None:
        for spec in PROTOCOLS:
            mou = self.mous[spec.mou]
            assert mou.effective_from is not None
            protocol = SharingProtocol(
                mou=mou,
                name=spec.name,
                approver_role=spec.approver_role,
                approver_title=spec.approver_title,
                notice_hours=spec.notice_hours,
                max_loan_hours=spec.max_loan_hours,
                charging=spec.charging,
                charge_rate_pence=spec.rate_pence,
                charge_unit=spec.charge_unit,
                use_conditions=spec.use_conditions,
                protocol_text=spec.protocol_text,
                data_terms=spec.data_terms,
                is_active=spec.active,
                emergency_only=spec.emergency_only,
                borrowers=[self.agencies[code] for code in spec.borrowers],
                categories=[self.categories[name] for name in spec.categories],
                items=[self.items[tag] for tag in spec.items],
                required_qualifications=[self.qualifications[code] for code in spec.qualifications],
                created_at=self.on(mou.effective_from),
                updated_at=self.on(mou.effective_from),
            )
            self.session.add(protocol)
            self.protocols[spec.key] = protocol

    # -- inspections ---------------------------------------------------------------

    def _next_due(self, regime: RegimeSpec, inspected: date) -> date:
        if regime.interval_days is not None:
            return inspected + timedelta(days=regime.interval_days)
        assert regime.interval_months is not None
        return add_months(inspected, regime.interval_months)

    def _inspector(self, agency_code: str) -> tuple[Person | None, str]:
        who = INSPECTORS[agency_code]
        person = self.people.get(who)
        if person is not None:
            return person, person.full_name
        return None, who

    def add_inspections(self) -> Inspection | None:
        """Regimes and each item's recent inspections; returns the failed examination."""
        failed: Inspection | None = None
        for spec in REGIMES:
            regime = InspectionRegime(
                name=spec.name,
                category=self.categories[spec.category] if spec.category else None,
                item=self.items[spec.item] if spec.item else None,
                interval_days=spec.interval_days,
                interval_months=spec.interval_months,
                blocks_issue=spec.blocks_issue,
            )
            self.session.add(regime)
            covered = [
                item
                for item_spec, item in zip(ITEMS, self.items.values(), strict=True)
                if not item_spec.retired
                and (item_spec.category == spec.category or item_spec.tag == spec.item)
            ]
            for item in covered:
                inspection = self._inspect(spec, regime, item)
                if inspection is not None:
                    failed = inspection
        return failed

    def _inspect(
        self, spec: RegimeSpec, regime: InspectionRegime, item: EquipmentItem
    ) -> Inspection | None:
        period = self._next_due(spec, self.today) - self.today
        person, name = self._inspector(item.owner_agency.code)
        if spec.certificate_prefix == "LOLER" and item.owner_agency.code == "CAMBS-FRS":
            person, name = None, "Lyon Equipment Ltd (competent person)"
        tag = item.asset_tag
        failing = tag == FAILED_INSPECTION[0] and spec.certificate_prefix == "LOLER"
        if failing:
            last = self.day(-FAILED_INSPECTION[1])
        elif tag in LAPSED:
            last = self.today - period - timedelta(days=self.rng.randint(6, 40))
        else:
            last = self.today - timedelta(days=self.rng.randint(3, max(4, int(period.days * 0.85))))
        previous = self.today - (self.today - last) - period
        acquired = item.acquired_on or previous
        failed: Inspection | None = None
        for when, is_latest in ((previous, False), (last, True)):
            if when <= acquired:
                continue
            result = InspectionResult.PASS
            notes: str | None = None
            if is_latest and failing:
                result, notes = InspectionResult.FAIL, FAILED_INSPECTION[2]
            elif self.rng.random() < 0.15:
                result, notes = InspectionResult.PASS_WITH_ADVISORIES, self.rng.choice(ADVISORIES)
            inspection = Inspection(
                item=item,
                regime=regime,
                inspected_on=when,
                inspector=person,
                inspector_name=name,
                result=result,
                notes=notes,
                certificate_ref=f"{spec.certificate_prefix}/{tag}/{when:%Y%m%d}",
                next_due_on=None if result is InspectionResult.FAIL else self._next_due(spec, when),
                recorded_at=self.on(when, 16),
            )
            self.session.add(inspection)
            if result is InspectionResult.FAIL:
                failed = inspection
        return failed

    # -- loans -----------------------------------------------------------------------

    def add_loans(self, history: Sequence[LoanSpec] = ()) -> None:
        """The hand-written loans, and the generated ``history``.

        Each loan reads its meters after every loan that started before it, so engine
        hours and mileage rise from one loan of an item to the next. The history draws
        its readings from a generator of its own and is stored after the hand-written
        loans, so those keep their readings and their numbers (1, 2, …) with or without
        it.
        """
        past = sorted(history, key=lambda spec: spec.start_h)
        history_rng = random.Random(HISTORY_READINGS_SEED)
        waiting = 0
        later: list[Loan] = []
        for spec in LOANS:
            while waiting < len(past) and past[waiting].start_h < spec.start_h:
                later.append(self._loan(past[waiting], history_rng))
                waiting += 1
            self.session.add(self._loan(spec, self.rng))
        later += [self._loan(spec, history_rng) for spec in past[waiting:]]
        self.session.add_all(later)

    def _loan(self, spec: LoanSpec, rng: random.Random) -> Loan:
        protocol = self.protocols[spec.protocol]
        starts, due = self.at(spec.start_h), self.at(spec.due_h)
        lender = self.items[spec.lines[0][0]].owner_agency.code
        lender_person = self.people[LENDER_CONTACT[lender]]
        if spec.emergency:
            created = starts - timedelta(minutes=20)
        else:
            lead = timedelta(hours=protocol.notice_hours + 6)
            created = min(starts - lead, self.now - timedelta(hours=26))
        loan = Loan(
            borrower_agency=self.agencies[spec.borrower],
            requested_by=self.people[spec.requested_by] if spec.requested_by else None,
            operator=self.people[spec.operator] if spec.operator else None,
            protocol=protocol,
            mou=protocol.mou,
            purpose=spec.purpose,
            incident_ref=spec.incident_ref.replace("{date}", f"{starts:%Y%m%d}")
            if spec.incident_ref
            else None,
            starts_at=starts,
            due_at=due,
            status=spec.status,
            is_emergency=spec.emergency,
            decision_reason=spec.decision_reason,
            notes=spec.notes,
            created_at=created,
            updated_at=created,
        )
        issued = self._stamp(loan, spec, lender_person)
        if spec.recall is not None:
            recalled_h, recall_due_h, reason = spec.recall
            loan.recalled_at = self.at(recalled_h)
            loan.recall_due_at = self.at(recall_due_h)
            loan.recall_reason = reason
        holds = spec.status in (
            LoanStatus.REQUESTED,
            LoanStatus.APPROVED,
            LoanStatus.ISSUED,
            LoanStatus.PARTLY_RETURNED,
        )
        for tag, quantity, returned in spec.lines:
            loan.lines.append(
                self._line(
                    tag,
                    quantity,
                    returned,
                    starts,
                    # A recall brings the booking's end forward, as recall_loan does.
                    loan.recall_due_at or due,
                    rng=rng,
                    holds=holds,
                    issued=issued,
                    returned_all=spec.status is LoanStatus.RETURNED,
                )
            )
        self.loans[spec.key] = loan
        return loan

    def _stamp(self, loan: Loan, spec: LoanSpec, lender_person: Person) -> bool:
        """Who decided, handed over and took back ``loan``, and when; whether it went out."""
        assert loan.protocol is not None
        decided = (
            spec.status not in (LoanStatus.REQUESTED, LoanStatus.CANCELLED) and not spec.emergency
        )
        if decided:
            loan.decided_by = self.users["manager"]
            loan.decided_at = loan.created_at + timedelta(
                hours=2 if loan.protocol.notice_hours else 0, minutes=10
            )
        issued = spec.status in (
            LoanStatus.ISSUED,
            LoanStatus.PARTLY_RETURNED,
            LoanStatus.RETURNED,
        )
        if issued:
            loan.issued_at = loan.starts_at + timedelta(minutes=15 if not spec.emergency else 5)
            loan.handed_over_by = lender_person
            loan.received_by = loan.operator or loan.requested_by
        if spec.status is LoanStatus.RETURNED:
            loan.returned_at = loan.due_at - timedelta(hours=1)
            loan.returned_to = lender_person
        return issued

    def _line(
        self,
        tag: str,
        quantity: int,
        returned: int,
        starts: datetime,
        due: datetime,
        *,
        rng: random.Random,
        holds: bool,
        issued: bool,
        returned_all: bool,
    ) -> LoanLine:
        item = self.items[tag]
        category = item.category
        line = LoanLine(
            item=item,
            quantity=quantity,
            quantity_returned=quantity if returned_all else returned,
            starts_at=starts,
            ends_at=due,
            holds_stock=holds and returned < quantity,
            exclusive=not item.is_pooled,
        )
        if not issued:
            return line
        line.condition_out = Condition.GOOD
        line.accessories_out = item.accessories
        if returned_all:
            line.condition_in = Condition.GOOD
            line.accessories_in = item.accessories
        hours_used = max(1, int((due - starts).total_seconds() // 3600 // 3))
        if category.tracks_fuel:
            line.fuel_out_percent = 100
            if returned_all:
                line.fuel_in_percent = rng.choice((100, 100, 95, 75, 50))
        if category.tracks_battery:
            line.battery_out_percent = 100
            if returned_all:
                line.battery_in_percent = rng.randint(25, 70)
        if category.tracks_hours:
            hours = self.meters.get(f"{tag}:hours", 0)
            line.hours_out = hours
            if returned_all:
                line.hours_in = hours + hours_used
                self.meters[f"{tag}:hours"] = hours + hours_used
        if category.tracks_mileage:
            miles = self.meters.get(f"{tag}:miles", 0)
            line.mileage_out = miles
            if returned_all:
                travelled = rng.randint(25, 260)
                line.mileage_in = miles + travelled
                self.meters[f"{tag}:miles"] = miles + travelled
        return line

    # -- defects ---------------------------------------------------------------------

    def add_defects(self, failed: Inspection | None) -> None:
        self.session.flush()  # loan and inspection ids for the defects that cite them
        manager = self.users["manager"]
        for spec in DEFECTS:
            reported = self.on(self.day(-spec.reported_days_ago), 10)
            defect = Defect(
                item=self.items[spec.tag],
                source=spec.source,
                severity=spec.severity,
                description=spec.description,
                reported_at=reported,
                reported_by=self.people[spec.reported_by],
                loan_id=self.loans[spec.loan].id if spec.loan else None,
            )
            if spec.cleared is not None:
                days_ago, note = spec.cleared
                defect.cleared_at = self.on(self.day(-days_ago), 15)
                defect.cleared_by = manager
                defect.clearance_note = note
            self.session.add(defect)
        if failed is not None:
            self.session.add(
                Defect(
                    item=failed.item,
                    source=DefectSource.INSPECTION,
                    severity=DefectSeverity.UNSAFE,
                    description=FAILED_INSPECTION[2],
                    reported_at=self.on(failed.inspected_on, 16),
                    reported_by=self.people[INSPECTORS["CAMBS-FRS"]],
                    inspection_id=failed.id,
                )
            )


LoanHistory = Callable[[datetime, Mapping[str, date]], Sequence[LoanSpec]]
"""Loans of the past, given the demo's current hour and the day each item was bought."""


def populate_demo(session: Session, now: datetime, history: LoanHistory | None = None) -> None:
    """Fill an empty database with the Cambridgeshire demo catalogue. `now` is aware UTC.

    ``history`` adds the loans of the year behind the hand-written ones
    (``app.demo.history.loan_history``); without it the demo holds only those.
    """
    builder = _Builder(session, now)
    builder.add_agencies()
    builder.add_categories()
    builder.add_people()
    builder.add_items()
    builder.add_mous()
    builder.add_protocols()
    failed = builder.add_inspections()
    acquired = {tag: item.acquired_on for tag, item in builder.items.items() if item.acquired_on}
    builder.add_loans(history(builder.base, acquired) if history else ())
    builder.add_defects(failed)
    add_kits(session, builder.items, builder.sites, builder.base - timedelta(days=30))
    session.flush()
