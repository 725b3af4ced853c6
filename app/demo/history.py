"""A year of loan history for the demo: what twelve months of sharing look like.

The hand-written loans of ``app.demo.data`` tell the story of today; these are the year
behind them, so that the reports and the planner show a real year's shape: summer
events and road closures at weekends from May to September, football on Saturdays from
August to May, floods from November to February, and searches, forced entries and
rescues at height all year round, searches mostly at night.

Each scene below asks for loans as a person would; ``app.demo.history_rules`` makes only
those a protocol in force allowed, with kit that was free, so some asks come to nothing,
as they would. One seeded generator makes the same year for the same moment.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import NamedTuple

from app.core.clock import UK
from app.demo.data import LoanSpec
from app.demo.history_rules import SEASON, SUMMER, WINTER, Ask, Want, Year

CP, FR, EE = "CAMBS-POL", "CAMBS-FRS", "EEAST"
BP, HP, NP, NF = "BEDS-POL", "HERTS-POL", "NORF-POL", "NORF-FRS"
BF, HF = "BEDS-FRS", "HERTS-FRS"
W = Want

# Who asks for kit for each agency: at an emergency (its control room) and for a plan.
_CONTROL: dict[str, tuple[str, ...]] = {
    CP: ("p-kirby",), FR: ("f-staines",), EE: ("a-nair",), BP: ("bp-sandhu",),
    HP: ("hp-doherty",), NP: ("np-cushing",), NF: ("nf-pike",), BF: ("bf-ferris",),
    HF: ("hf-price",),
}  # fmt: skip
# Who uses kit that needs no qualification, in the field.
_CREW: dict[str, tuple[str, ...]] = {
    CP: ("p-redfern", "p-fairweather", "p-begum", "p-duty", "p-whitlock"),
    FR: ("f-rudd", "f-bright", "f-garner", "f-forsyth", "f-parfitt"),
    EE: ("a-holt", "a-danvers", "a-greaves"),
    BP: ("bp-sandhu",), HP: ("hp-doherty",), NP: ("np-cushing",), NF: ("nf-pike",),
    BF: ("bf-ferris",), HF: ("hf-price",),
}  # fmt: skip
# Incident log prefixes: a police or ambulance control room numbers the day's incidents,
# a fire control room the year's.
_LOG: dict[str, str] = {
    CP: "CC", BP: "BP", HP: "HC", NP: "NC", EE: "EEAST",
    FR: "CFRS", HF: "HFRS", BF: "BFRS", NF: "NFRS",
}  # fmt: skip
_FIRE = (FR, HF, BF, NF)


def _incident(year: Year, borrower: str, start_h: int) -> str:
    wall = (year.base + timedelta(hours=start_h)).astimezone(UK)
    if borrower in _FIRE:
        number = wall.timetuple().tm_yday * 9 + year.rng.randint(0, 8)
    else:
        number = wall.hour * 60 + wall.minute + year.rng.randint(1, 59)
    return f"{_LOG[borrower]}-{{date}}-{number:04d}"


# ---------------------------------------------------------------------------------------
# Planned events: summer weekends above all, a few in spring, autumn and winter
# ---------------------------------------------------------------------------------------


class Event(NamedTuple):
    purpose: str
    ref: str
    months: tuple[int, ...]
    borrower: str
    requesters: tuple[str, ...]
    wants: tuple[Want, ...]
    nights: tuple[int, int] = (1, 2)  # nights the kit is out; 0: a one-day event


_SIGNS_F, _BARRIERS_F = ("CFR-000262",), ("CFR-000250",)
_ALLIANCE_BARRIERS = ("HRT-000702", "BED-000501")
_CAM_BARRIERS = ("CAM-000130", "CAM-000131")
_CAM_POWER = ("CAM-000121", "CAM-000122")

# fmt: off
EVENTS: tuple[Event, ...] = (
    Event(
        "Truckfest East of England, East of England Showground, Peterborough: traffic management "
        "on Oundle Road and the A605", "OP-TRUCKFEST", (5,), CP, ("p-duty",),
        (W(_SIGNS_F, 4, 8), W(_BARRIERS_F, 10, 20)), (2, 3),
    ),
    Event(
        "Luton International Carnival: road closures and crowd barriers on the parade route",
        "OP-CARNIVAL", (5,), BP, ("bp-sandhu",),
        (
            W(("CAM-000150",), 8, 14), W(("CAM-000152",), 4, 8),
            W(("CAM-000131", "CAM-000130"), 20, 40),
        ),
    ),
    Event(
        "Luton International Carnival: mobile police station as the forward command point",
        "OP-CARNIVAL", (5,), BP, ("bp-sandhu",), (W(("CAM-000160",)),),
    ),
    Event(
        "Luton International Carnival: first aid posts on the parade route", "EEAST-EVENT", (5,),
        EE, ("a-mcallister",), (W(("CAM-000136",), 2, 3), W(_CAM_POWER)),
    ),
    Event(
        "Bedford Regatta: crowd barriers and cordon fencing on the Embankment", "OP-REGATTA", (5,),
        BP, ("bp-sandhu",), (W(_CAM_BARRIERS, 15, 25), W(("CAM-000140",), 6, 12)),
    ),
    Event(
        "Ely Eel Festival: first aid post and casualty clearing in Jubilee Gardens", "EEAST-EVENT",
        (5,), EE, ("a-mcallister", "a-nair"), (W(("CAM-000136",), 2, 3), W(("CAM-000145",))),
    ),
    Event(
        "Herts County Show, Redbourn: police post and lost children point", "OP-REDBOURN", (5, 6),
        HP, ("hp-doherty",), (W(("BED-000502", "CAM-000136"), 2, 3), W(("CAM-000153",), 4, 8)),
        (2, 3),
    ),
    Event(
        "Stevenage Day, Fairlands Valley Park: crowd barriers around the main stage",
        "OP-FAIRLANDS", (6,), HP, ("hp-doherty",), (W(("CAM-000131", "CAM-000130"), 20, 30),),
        (0, 1),
    ),
    Event(
        "Cambridge Midsummer Fair, Midsummer Common: police post and cordon barriers",
        "OP-MIDSUMMER", (6,), CP, ("p-pryce",), (W(_BARRIERS_F, 15, 25), W(("CFR-000260",), 2, 4)),
        (3, 5),
    ),
    Event(
        "Cambridge May Bumps, the Cam at Fen Ditton: riverbank crowd barriers", "OP-BUMPS", (6,),
        CP, ("p-pryce",), (W(_ALLIANCE_BARRIERS, 15, 25),), (3, 4),
    ),
    Event(
        "Peterborough Heritage Festival, Cathedral Square: first aid posts", "EEAST-EVENT", (6,),
        EE, ("a-mcallister",), (W(("CAM-000136",), 2, 4), W(("CAM-000145",))),
    ),
    Event(
        "Tour of Cambridgeshire cycle race: rolling road closures around Peterborough and "
        "Whittlesey", "OP-GRANFONDO", (6,), CP, ("p-duty",),
        (W(_SIGNS_F, 6, 10), W(_BARRIERS_F, 10, 20)),
    ),
    Event(
        "Cambridge Pride, Jesus Green: crowd barriers at the park entrances", "OP-JESUS-GREEN",
        (6,), CP, ("p-pryce",), (W(_ALLIANCE_BARRIERS, 15, 30),), (0, 1),
    ),
    Event(
        "Bedford Kite Festival, Russell Park: cordon barriers around the arena", "OP-KITE", (6,),
        BP, ("bp-sandhu",), (W(("CAM-000131",), 10, 20),),
    ),
    Event(
        "Armed Forces Day parade, Bedford: closure of the High Street", "OP-ARMED-FORCES", (6,),
        BP, ("bp-sandhu",), (W(("CAM-000150",), 6, 10), W(("CAM-000151",), 2, 4)), (0, 1),
    ),
    Event(
        "Wisbech Rose Fair: road closures around St Peter's Church", "OP-ROSE-FAIR", (6, 7), CP,
        ("p-begum",), (W(_SIGNS_F, 4, 8),), (1, 3),
    ),
    Event(
        "St Ives Carnival: closure of the Broadway for the procession", "OP-CARNIVAL-STIVES",
        (6, 7), CP, ("p-duty",), (W(_SIGNS_F, 4, 8),), (0, 1),
    ),
    Event(
        "Knebworth Park concerts: traffic management and the walking route from Stevenage station",
        "OP-KNEBWORTH", (6, 7, 8), HP, ("hp-doherty",),
        (W(("CAM-000150",), 10, 20), W(("CAM-000154",), 40, 80), W(_CAM_BARRIERS, 20, 30)), (2, 4),
    ),
    Event(
        "Knebworth Park concerts: mobile police station for the event control point",
        "OP-KNEBWORTH", (6, 7, 8), HP, ("hp-doherty",), (W(("CAM-000160",)),), (2, 3),
    ),
    Event(
        "Ely Aquafest, Jubilee Gardens: welfare shelter and toilets for the first aid post",
        "EEAST-EVENT", (7,), EE, ("a-mcallister",),
        (W(("CFR-000255",), 1, 2), W(("CFR-000260",), 1, 2)),
    ),
    Event(
        "Cambridge Folk Festival, Cherry Hinton Hall: police post, cordon fencing and toilets",
        "OP-FOLK", (7, 8), CP, ("p-pryce",),
        (W(("CFR-000258",), 6, 12), W(("CFR-000260",), 2, 4), W(_BARRIERS_F, 15, 25)), (3, 5),
    ),
    Event(
        "Cambridge Folk Festival, Cherry Hinton Hall: first aid and casualty clearing",
        "EEAST-EVENT", (7, 8), EE, ("a-mcallister", "a-nair"),
        (W(("CAM-000136",), 3, 4), W(("CAM-000145",)), W(_CAM_POWER)), (3, 5),
    ),
    Event(
        "Cambridge Folk Festival: lighting the casualty clearing point and the path to the "
        "park-and-ride", "EEAST-EVENT", (7, 8), EE, ("a-nair",),
        (W(("CFR-000235", "CFR-000230", "CFR-000231")),), (3, 4),
    ),
    Event(
        "Peterborough Dragon Boat Festival, Ferry Meadows: welfare shelter for the first aid post",
        "EEAST-EVENT", (7, 9), EE, ("a-mcallister",), (W(("CFR-000255",)),), (0, 1),
    ),
    Event(
        "Peterborough Beer Festival, the Embankment: crowd barriers and queue lanes",
        "OP-BEERFEST", (8,), CP, ("p-duty",), (W(_ALLIANCE_BARRIERS, 15, 30),), (4, 5),
    ),
    Event(
        "Peterborough Beer Festival: lighting the ambulance post on the Embankment", "EEAST-EVENT",
        (8,), EE, ("a-nair",), (W(("CFR-000231", "CFR-000232")),), (4, 5),
    ),
    Event(
        "St Neots Riverside Festival: crowd barriers and road closures on the Market Square",
        "OP-RIVERSIDE", (8,), CP, ("p-pryce",), (W(_ALLIANCE_BARRIERS, 20, 40),),
    ),
    Event(
        "Fire station open day, Huntingdon: car park cordon and information gazebos", "CFRS-EVENT",
        SUMMER, FR, ("f-staines", "f-cole"), (W(_CAM_BARRIERS, 10, 20), W(("CAM-000136",), 1, 2)),
        (0, 1),
    ),
    Event(
        "Water safety day, Riverside, Cambridge: gazebos for the river safety stands",
        "CFRS-EVENT", (5, 6, 7), FR, ("f-copley",), (W(("CAM-000136",), 2, 3),), (0, 0),
    ),
    Event(
        "Burghley Horse Trials: traffic management at the A1 junctions near Wansford",
        "OP-BURGHLEY", (9,), CP, ("p-duty",), (W(_SIGNS_F, 6, 10),), (3, 4),
    ),
    Event(
        "Cambridge Bike Ride for charity: road closures on the route through Grantchester",
        "OP-BIKE-RIDE", (9,), CP, ("p-pryce",), (W(_SIGNS_F, 4, 8),), (0, 1),
    ),
    Event(
        "Fire and rescue recruitment open day, Dogsthorpe: parking cordon", "CFRS-EVENT", (9,), FR,
        ("f-cole",), (W(("CAM-000130",), 10, 15),), (0, 1),
    ),
    Event(
        "Cambridge Half Marathon: road closures on the course", "OP-HALF-MARATHON", (3,), CP,
        ("p-pryce",), (W(_SIGNS_F, 6, 10),), (0, 1),
    ),
    Event(
        "St Ives Michaelmas Fair: road closures in the town centre", "OP-MICHAELMAS", (10,), CP,
        ("p-duty",), (W(_SIGNS_F, 4, 8),), (2, 3),
    ),
    Event(
        "Great Eastern Run, Peterborough: road closures and barriers on the course",
        "OP-GREAT-EASTERN", (10,), CP, ("p-duty",), (W(_SIGNS_F, 6, 10), W(_BARRIERS_F, 10, 20)),
    ),
    Event(
        "Great Eastern Run, Peterborough: first aid points on the course", "EEAST-EVENT", (10,),
        EE, ("a-mcallister",), (W(("CAM-000136",), 2, 3),), (0, 1),
    ),
    Event(
        "Fireworks display, Midsummer Common, Cambridge: crowd barriers", "OP-FIREWORKS", (11,),
        CP, ("p-pryce",), (W(_BARRIERS_F + _ALLIANCE_BARRIERS, 15, 25),), (0, 1),
    ),
    Event(
        "Remembrance Sunday parades, Ely and March: road closures", "OP-REMEMBRANCE", (11,), CP,
        ("p-duty",), (W(_SIGNS_F, 4, 8),), (0, 1),
    ),
    Event(
        "Christmas lights switch-on, Peterborough city centre: crowd barriers", "OP-LIGHTS", (11,),
        CP, ("p-duty",), (W(_ALLIANCE_BARRIERS, 15, 25),), (0, 1),
    ),
    Event(
        "Christmas lights switch-on, Stevenage town centre: crowd barriers", "OP-LIGHTS", (11,),
        HP, ("hp-doherty",), (W(("CAM-000131",), 10, 20),), (0, 1),
    ),
    Event(
        "Mill Road Winter Fair, Cambridge: road closure signs and barriers", "OP-MILL-ROAD", (12,),
        CP, ("p-pryce",), (W(_SIGNS_F, 6, 10), W(_BARRIERS_F, 10, 20)), (0, 1),
    ),
    Event(
        "New Year's Eve, Cambridge city centre: taxi rank and queue barriers", "OP-NEW-YEAR",
        (12,), CP, ("p-pryce",), (W(_ALLIANCE_BARRIERS, 10, 20),), (0, 1),
    ),
    Event(
        "Whittlesey Straw Bear Festival: road closures for the procession", "OP-STRAW-BEAR", (1,),
        CP, ("p-duty",), (W(_SIGNS_F, 6, 10),),
    ),
)
# fmt: on


def _event_loans(year: Year) -> None:
    """Each weekend: three to five events in summer, now and then one out of season."""
    for day, on in year.days():
        if on.weekday() != 5:  # a Saturday
            continue
        choices = [event for event in EVENTS if on.month in event.months]
        if on.month in SUMMER:
            count = year.rng.randint(3, 5)
        else:
            count = 1 if year.rng.random() < 0.45 else 0
        for event in year.rng.sample(choices, min(count, len(choices))):
            nights = year.rng.randint(*event.nights)
            if nights == 0:
                start, hours = year.hour(day, 7), 14
            else:
                start = year.hour(day - nights + 1, 9)
                hours = nights * 24 + 1 + year.rng.choice((0, 0, 24))
            year.ask(
                Ask(event.borrower, event.requesters, event.wants, event.purpose, event.ref,
                    start, hours, emergency=False, kind="event")
            )  # fmt: skip


# ---------------------------------------------------------------------------------------
# Football: Saturdays (and a few Tuesday nights) from August to early May
# ---------------------------------------------------------------------------------------


class Club(NamedTuple):
    name: str
    ground: str
    borrower: str
    requester: str
    barriers: tuple[str, ...]
    ref: str


# fmt: off
CLUBS: tuple[Club, ...] = (
    Club(
        "Peterborough United", "Weston Homes Stadium, London Road", CP, "p-duty",
        ("CFR-000250", "BED-000501", "HRT-000702"), "OP-LONDON-ROAD",
    ),
    Club(
        "Cambridge United", "the Abbey Stadium", CP, "p-pryce",
        ("HRT-000702", "BED-000501", "CFR-000250"), "OP-ABBEY",
    ),
    Club(
        "Luton Town", "Kenilworth Road", BP, "bp-sandhu",
        ("CAM-000130", "CAM-000131", "HRT-000702"), "OP-KENILWORTH",
    ),
    Club(
        "Stevenage", "the Lamex Stadium", HP, "hp-doherty",
        ("CAM-000131", "CAM-000130", "BED-000501"), "OP-LAMEX",
    ),
    Club(
        "Watford", "Vicarage Road", HP, "hp-doherty", ("CAM-000130", "BED-000501", "CAM-000131"),
        "OP-VICARAGE",
    ),
)
OPPONENTS = (
    "Lincoln City", "Northampton Town", "Wycombe Wanderers", "Bolton Wanderers", "Barnsley",
    "Stockport County", "Huddersfield Town", "Reading", "Wigan Athletic", "Blackpool",
    "Leyton Orient", "Burton Albion", "Exeter City", "Mansfield Town", "Rotherham United",
    "Bristol Rovers", "Port Vale", "Doncaster Rovers", "Bradford City", "Plymouth Argyle",
    "AFC Wimbledon", "Milton Keynes Dons", "Gillingham", "Colchester United", "Notts County",
)
DERBIES = {
    "Peterborough United": "Cambridge United", "Cambridge United": "Peterborough United",
    "Luton Town": "Watford", "Watford": "Luton Town",
}
_FOOTBALL_NEEDS = (
    "away-end segregation barriers",
    "segregation barriers and queue lanes at the turnstiles",
    "crowd barriers on the away fans' route from the station",
)
# fmt: on


def _fixture(year: Year, club: Club, day: int, *, midweek: bool) -> None:
    away = DERBIES.get(club.name) if year.rng.random() < 0.06 else None
    need = "high-risk derby: segregation and the away fans' walk from the station"
    if away is None:
        away = year.rng.choice(OPPONENTS)
        need = year.rng.choice(_FOOTBALL_NEEDS)
    if midweek:
        start, hours = year.hour(day, 12), 22
    elif year.rng.random() < 0.6:
        start, hours = year.hour(day - 1, 14), 44
    else:
        start, hours = year.hour(day, 8), 12
    barriers = tuple(year.rng.sample(club.barriers, len(club.barriers)))
    year.ask(
        Ask(club.borrower, (club.requester,), (W(barriers, 15, 30),),
            f"{club.name} v {away}, {club.ground}: {need}", club.ref, start, hours,
            emergency=False, kind="football")
    )  # fmt: skip


def _football_loans(year: Year) -> None:
    for day, on in year.days():
        in_season = on.month in SEASON and not (on.month == 5 and on.day > 10)
        if not in_season:
            continue
        for club in CLUBS:
            if on.weekday() == 5 and year.rng.random() < 0.2:
                _fixture(year, club, day, midweek=False)
            elif on.weekday() == 1 and on.month not in (5, 8) and year.rng.random() < 0.04:
                _fixture(year, club, day, midweek=True)


# ---------------------------------------------------------------------------------------
# Floods: storms from November to February, the odd one in autumn and spring
# ---------------------------------------------------------------------------------------


class FloodJob(NamedTuple):
    borrower: str
    wants: tuple[Want, ...]
    purpose: str  # with {place} and {water}
    hours: tuple[int, int]
    weight: int = 1


_FEN_PLACES = (
    ("Earith", "the Old West River"), ("Sutton Gault", "the New Bedford River"),
    ("St Ives", "the Great Ouse at The Waits"), ("Godmanchester", "the Great Ouse"),
    ("St Neots", "the Great Ouse at Eaton Socon"), ("Whittlesey", "the Nene Washes"),
    ("March", "the old course of the River Nene"), ("Littleport", "the Great Ouse"),
    ("Ely", "the Great Ouse at Babylon"), ("Huntingdon", "the Great Ouse at Portholme Meadow"),
)  # fmt: skip
_NORFOLK_PLACES = (
    ("Welney", "the Ouse Washes on the A1101 causeway"),
    ("Downham Market", "the Great Ouse Relief Channel"),
    ("King's Lynn", "the tidal Great Ouse at South Quay"), ("Stowbridge", "the Great Ouse"),
)  # fmt: skip
_BOATS_F = ("CFR-000221", "CFR-000220")
_TOWERS_F = ("CFR-000230", "CFR-000232", "CFR-000235", "CFR-000234")

# fmt: off
_FEN_JOBS: tuple[FloodJob, ...] = (
    FloodJob(
        FR, (W(("NOR-001001",)),),
        "Flooding, {place}: boat rescues and evacuation of properties beside {water}", (24, 96), 5,
    ),
    FloodJob(
        FR, (W(("NOR-001003",), 2, 6),),
        "Flooding, {place}: extra water rescue PPE for crews wading beside {water}", (24, 96),
    ),
    FloodJob(FR, (W(("NOR-001002",)),), "Flooding, {place}: pumping out flooded homes", (24, 120)),
    FloodJob(
        FR, (W(("CAM-000150",), 6, 12), W(("CAM-000152",), 4, 8)),
        "Flooding, {place}: road closures and a signed diversion", (24, 120),
    ),
    FloodJob(
        FR, (W(("CAM-000120",)),), "Flooding, {place}: lighting the evacuation assembly point",
        (12, 48),
    ),
    FloodJob(
        FR, (W(_CAM_POWER),),
        "Flooding, {place}: power for the forward control point and submersible pumps", (12, 72),
    ),
    FloodJob(
        FR, (W(("EEA-000404",), 2, 4),),
        "Flooding, {place}: dry suits for a second crew beside {water}", (12, 48),
    ),
    FloodJob(
        CP, (W((*_BOATS_F, "NOR-001001")),),
        "Flooding, {place}: welfare checks by boat on cut-off properties beside {water}", (12, 48),
        5,
    ),
    FloodJob(CP, (W(_TOWERS_F),), "Flooding, {place}: lighting the road closure points", (12, 72)),
    FloodJob(CP, (W(_SIGNS_F, 4, 8),), "Flooding, {place}: closing flooded roads", (24, 96)),
    FloodJob(
        CP, (W(("CFR-000242", "CFR-000243")),),
        "Flooding, {place}: power for the rest centre in the village hall", (24, 96),
    ),
    FloodJob(
        EE, (W(("CFR-000223",), 2, 4),),
        "Flooding, {place}: HART crews treating casualties in flood water", (12, 48),
    ),
    FloodJob(
        EE, (W(("CFR-000222",)),), "Flooding, {place}: rescue sled for the HART water team",
        (12, 36),
    ),
    FloodJob(
        EE, (W(_BOATS_F),), "Flooding, {place}: boat for HART paramedics reaching cut-off patients",
        (12, 36), 3,
    ),
    FloodJob(
        EE, (W(("CFR-000255",)),), "Flooding, {place}: welfare shelter at the rest centre",
        (24, 96),
    ),
)
_NORFOLK_JOBS: tuple[FloodJob, ...] = (
    FloodJob(NF, (W(_BOATS_F),), "Flooding, {place}: boat rescues beside {water}", (24, 96), 5),
    FloodJob(
        NF, (W(("CFR-000223",), 4, 8),),
        "Flooding, {place}: water rescue PPE for a second Norfolk team", (24, 96),
    ),
    FloodJob(
        NF, (W(("CFR-000298", "CFR-000296", "CFR-000297")),),
        "Flooding, {place}: high-volume pumping", (24, 120),
    ),
    FloodJob(
        NF, (W(("CFR-000242", "CFR-000243", "CFR-000241")),),
        "Flooding, {place}: power for pumps and lighting", (24, 120),
    ),
    FloodJob(
        NP, (W(_BOATS_F),),
        "Flooding, {place}: search of vehicles caught on flooded roads, with a Cambridgeshire "
        "fire crew", (12, 36), 2,
    ),
)
# fmt: on


def _storm(year: Year, day: int) -> None:
    if year.rng.random() < 0.3:
        place, water = year.rng.choice(_NORFOLK_PLACES)
        jobs = _NORFOLK_JOBS
    else:
        place, water = year.rng.choice(_FEN_PLACES)
        jobs = _FEN_JOBS
    # Boats and the people to crew them are what a flood asks for first.
    ranked = sorted(jobs, key=lambda job: year.rng.random() ** (1 / job.weight), reverse=True)
    for job in ranked[: year.rng.randint(2, 5)]:
        start = year.hour(day, year.rng.choice((5, 9, 14, 18, 22))) + year.rng.randint(0, 30)
        year.ask(
            Ask(job.borrower, _CONTROL[job.borrower], job.wants,
                job.purpose.format(place=place, water=water),
                _incident(year, job.borrower, start), start, year.rng.randint(*job.hours),
                emergency=True, kind="flood", operators=_CREW[job.borrower])
        )  # fmt: skip


def _flood_loans(year: Year) -> None:
    for day, on in year.days():
        if on.weekday() != 0:
            continue
        chance = 0.85 if on.month in WINTER else 0.15 if on.month in (3, 10) else 0.0
        if year.rng.random() < chance:
            _storm(year, day + year.rng.randint(0, 6))


# ---------------------------------------------------------------------------------------
# Call-outs: searches, forced entries, rescues at height, joint command, all year
# ---------------------------------------------------------------------------------------


class Callout(NamedTuple):
    borrower: str
    tags: tuple[str, ...]
    reasons: tuple[str, ...]
    places: tuple[str, ...]
    hours: tuple[int, int]
    weight: int = 1
    low: int = 1
    high: int = 1
    months: tuple[int, ...] = tuple(range(1, 13))
    night: float = 0.7  # the chance it starts in the evening or at night


_CAMBS = (
    "Ferry Meadows, Peterborough", "Grafham Water", "Wicken Fen", "Paxton Pits, Little Paxton",
    "Hinchingbrooke Country Park", "Fen Drayton Lakes", "the Nene Washes near Whittlesey",
    "Coton Countryside Reserve", "Wandlebury and the Gog Magog Hills",
    "the River Cam towpath, Chesterton", "Milton Country Park",
    "farmland off the A141 near Chatteris", "Thorney Dyke", "the Wimpole Estate",
    "Ely riverside and Roswell Pits", "Woodwalton Fen", "Castor Hanglands",
    "the Cam valley near Shepreth",
)  # fmt: skip
_RIVERS = (
    "the Great Ouse at St Ives", "the River Cam at Fen Ditton",
    "the River Nene at the Embankment, Peterborough",
    "the Great Ouse at Ely", "the Great Ouse at St Neots", "Grafham Water",
)  # fmt: skip
_HERTS = (
    "Therfield Heath, Royston", "Fairlands Valley Park, Stevenage", "the River Lea, Hertford",
    "Tring Reservoirs", "Purwell Meadows, Hitchin",
)  # fmt: skip
_BEDS = (
    "Priory Country Park, Bedford", "Dunstable Downs", "Stockwood Park, Luton",
    "the Great Ouse at Kempston", "the Marston Vale",
)  # fmt: skip
_STREETS = (
    "Arbury, Cambridge", "Chesterton, Cambridge", "King's Hedges, Cambridge",
    "Orton Malborne, Peterborough", "Dogsthorpe, Peterborough", "Bretton, Peterborough",
    "Eynesbury, St Neots", "Oxmoor, Huntingdon", "Waterlees, Wisbech", "Ely", "March", "Soham",
)  # fmt: skip
_HIGH_PLACES = (
    "Grand Arcade car park, Cambridge", "Queensgate car park, Peterborough",
    "a railway footbridge at Huntingdon", "the A14 overbridge at Girton",
    "a crane on a building site at Eddington, Cambridge", "a grain silo near Whittlesey",
    "the roof of a block of flats, Orton Goldhay",
)  # fmt: skip
_MISSING = (
    "Missing person search", "Search for a missing person with dementia",
    "Search for a missing teenager", "Search for suspects who ran from a stolen car",
    "Concern for welfare: search for a high-risk missing person", "Search for a missing walker",
)  # fmt: skip
_FIRES = (
    "Field fire: mapping the fire front", "Building fire: roof and hot-spot survey",
    "Fire: smoke plume and hot-spot survey",
)  # fmt: skip
_CAM_DRONES = ("CAM-000101", "CAM-000102", "CAM-000103", "CAM-000104", "CAM-000105")
_CFR_DRONES = ("CFR-000201", "CFR-000202", "CFR-000203")
_CFR_CAMERAS = ("CFR-000210", "CFR-000211", "CFR-000212", "CFR-000213", "CFR-000215", "CFR-000214")
_CAM_CAMERAS = ("CAM-000110", "CAM-000111", "CAM-000112")
_CAM_ENTRY = ("CAM-000170", "CAM-000171", "CAM-000172", "CAM-000173", "CAM-000174")

# fmt: off
SEARCHES: tuple[Callout, ...] = (
    Callout(CP, (*_CFR_DRONES, "HRT-000801", "HRT-000701"), _MISSING, _CAMBS, (3, 10), weight=7),
    Callout(
        FR, (*_CAM_DRONES, "HRT-000701"),
        (*_FIRES, "Water rescue: search for a person in the water"),
        (
            "Woodwalton Fen", "a recycling centre at Waterbeach", "farmland near Chatteris",
            "a barn near Ramsey", "a commercial unit at Fengate, Peterborough",
            "the Great Ouse at Hemingford Grey",
        ), (3, 10), weight=3,
    ),
    Callout(HP, ("HRT-000801", "CAM-000103", "CFR-000203"), _MISSING, _HERTS, (3, 10), weight=2),
    Callout(
        HF, ("HRT-000701", "CAM-000103", "CFR-000203"),
        ("Heathland fire: hot-spot survey", "Fire: smoke plume and hot-spot survey"),
        (
            "Therfield Heath, Royston", "Patmore Heath", "a farm near Baldock",
            "a warehouse at Letchworth",
        ), (3, 10),
    ),
    Callout(BP, ("CAM-000102", "HRT-000701", "CFR-000201"), _MISSING, _BEDS, (3, 10)),
    Callout(
        BF, ("CFR-000201", "CAM-000102", "HRT-000801"), _FIRES,
        ("a farm near Sandy", "a warehouse at Dunstable", "heathland at Cooper's Hill, Ampthill"),
        (3, 8),
    ),
    Callout(CP, _CFR_CAMERAS, _MISSING, _CAMBS, (3, 12), weight=4),
    Callout(
        EE, (*_CAM_CAMERAS, "CFR-000210", "CFR-000211"),
        (
            "Search for an injured caller who could not give their location",
            "Search for a casualty thrown from a vehicle",
        ), _CAMBS, (2, 8), weight=2,
    ),
    Callout(FR, _CAM_CAMERAS, ("Search for a missing person alongside police",), _CAMBS, (3, 10)),
    Callout(
        CP, ("CFR-000300",),
        ("River search for a missing person: sonar sweep from the fire boat",), _RIVERS, (6, 30),
        night=0.2,
    ),
    Callout(
        FR, ("CAM-000181",),
        ("Search lamps for crews searching the river banks for a missing person",), _RIVERS,
        (6, 24), low=4, high=8,
    ),
    Callout(
        FR, ("CAM-000180",),
        ("Search probes for a search of ditches and soft ground for a missing person",), _CAMBS,
        (8, 30), low=6, high=12, night=0.2,
    ),
    Callout(
        EE, ("CAM-000181",), ("Search lamps for HART paramedics at a night search",), _CAMBS,
        (4, 12), low=2, high=4,
    ),
    Callout(
        CP, ("CFR-000234", "CFR-000230"), ("Night search: lighting the search base",), _CAMBS,
        (6, 14),
    ),
    Callout(
        CP, ("CFR-000221", "CFR-000220"), ("Missing swimmer: search from the water",), _RIVERS,
        (6, 24), months=(6, 7, 8), night=0.3,
    ),
)
ENTRIES: tuple[Callout, ...] = (
    Callout(
        FR, _CAM_ENTRY,
        (
            "Concern for welfare: entry for an ambulance crew",
            "Person collapsed behind a locked door: entry for an ambulance crew",
            "Smell of gas from a locked flat: entry",
        ), _STREETS, (2, 5), weight=4,
    ),
    Callout(
        EE, _CAM_ENTRY,
        ("Patient behind a reinforced door: entry with a police method-of-entry officer",),
        _STREETS, (2, 5),
    ),
    Callout(
        CP, ("CFR-000275",),
        (
            "Risk to life: entry to a flat with a reinforced door",
            "Concern for welfare: security shutters on a shop with a person inside",
        ), _STREETS, (2, 5), weight=2,
    ),
    Callout(
        CP, ("BED-000503",), ("Warrant: a second door ram for a drugs warrant",),
        ("Millfield, Peterborough", "Arbury, Cambridge"), (2, 6), night=0.1,
    ),
    Callout(
        BP, ("CAM-000172", "CAM-000173"), ("Warrant: reinforced door at an address",),
        ("Bury Park, Luton", "Marsh Farm, Luton", "Queens Park, Bedford"), (2, 6), night=0.1,
    ),
    Callout(
        HP, ("CAM-000172", "CAM-000173"), ("Warrant: reinforced door at an address",),
        ("Bedwell, Stevenage", "Oxhey, Watford"), (2, 6), night=0.1,
    ),
)
HEIGHTS: tuple[Callout, ...] = (
    Callout(
        CP, ("CFR-000282", "CFR-000285"), ("Person in crisis at height",), _HIGH_PLACES, (2, 6),
        weight=3,
    ),
    Callout(
        EE, ("CFR-000280", "CFR-000281"),
        (
            "Casualty at the foot of a drop: rope rescue for HART paramedics",
            "Injured worker in a confined space: tripod rescue",
        ),
        (
            "Barrington quarry", "a grain silo near Whittlesey", "the sewage works at Milton",
            "a wind turbine near Chatteris",
        ), (2, 8), weight=2,
    ),
    Callout(
        CP, ("CFR-000283",), ("Search of roof spaces and outbuildings for a wanted man",),
        _STREETS, (2, 6),
    ),
)
HARVEST_FIRES: tuple[Callout, ...] = (
    Callout(
        FR, ("CAM-000150", "CFR-000262"), ("Field fire: closure of the road for a water relay",),
        ("the A1123 near Wicken", "the A142 near Soham", "the B1050 near Willingham",
         "the A141 near Warboys", "the B1040 near Thorney"), (6, 30), low=4, high=10, night=0.2,
    ),
)
# Long cordons and search bases, kept for a week or two.
CORDONS: tuple[Callout, ...] = (
    Callout(
        FR, ("CAM-000140",), ("Dangerous structure cordon after a fire",), _STREETS, (96, 320),
        weight=2, low=8, high=16, night=0.3,
    ),
    Callout(
        CP, ("CFR-000258",), ("Crime scene cordon: fencing around a murder scene",), _STREETS,
        (96, 300), low=6, high=12, night=0.3,
    ),
    Callout(
        CP, ("CFR-000260",), ("Long search for a missing person: toilets at the search base",),
        _CAMBS, (72, 240), low=1, high=2, night=0.2,
    ),
)
COMMANDS: tuple[Callout, ...] = (
    Callout(
        CP, ("CFR-000270",),
        (
            "Joint command post (JESIP co-location): search for a high-risk missing person",
            "Joint command post (JESIP co-location): serious collision on the A14",
            "Joint command post (JESIP co-location): armed incident",
        ), ("Huntingdon", "Peterborough", "St Ives", "March", "Ely"), (8, 36), weight=3,
    ),
    Callout(
        EE, ("CFR-000270",), ("Joint command post: major incident declared after a coach crash",),
        ("the A1 near Sawtry", "the A47 near Thorney"), (8, 24),
    ),
    Callout(CP, ("EEA-000405",), ("Forward command point: large-scale search",), _CAMBS, (8, 24)),
)
_POOL_WORK = (
    "Operation Pheasant: joint visits to houses in multiple occupation",
    "Neighbourhood surgery and patrol", "Community safety visits with the fire service",
    "Rural crime patrol", "Schools engagement visits",
    "Drop-in advice session at the community centre",
)
_POOL_AREAS = (
    "Millfield", "Orton Goldhay", "Eye and Thorney", "Dogsthorpe", "Hampton", "Bretton",
    "Werrington", "Stanground", "Paston", "Fletton",
)
# fmt: on
_POOL_CARS = ("CFR-000290", "CFR-000291", "CFR-000292", "CFR-000293", "CFR-000294")
_NIGHT = (19, 20, 21, 22, 23, 24, 26, 27, 28)  # 01:00 is left out: it is skipped in March
_DAY = (8, 10, 11, 13, 15, 17)


def _callout(year: Year, day: int, callouts: tuple[Callout, ...], kind: str) -> None:
    month = year.date_of(day).month
    choices = [c for c in callouts if month in c.months]
    callout = year.rng.choices(choices, weights=[c.weight for c in choices])[0]
    night = year.rng.random() < callout.night
    start = year.hour(day, year.rng.choice(_NIGHT if night else _DAY))
    tags = tuple(year.rng.sample(callout.tags, len(callout.tags)))
    reason, place = year.rng.choice(callout.reasons), year.rng.choice(callout.places)
    planned = reason.startswith("Warrant")
    year.ask(
        Ask(callout.borrower, _CONTROL[callout.borrower], (W(tags, callout.low, callout.high),),
            f"{reason}, {place}", _incident(year, callout.borrower, start), start,
            year.rng.randint(*callout.hours), emergency=not planned, kind=kind,
            operators=_CREW[callout.borrower])
    )  # fmt: skip


def _pool_car(year: Year, day: int) -> None:
    start = year.hour(day, year.rng.choice((7, 8, 9)))
    work, area = year.rng.choice(_POOL_WORK), year.rng.choice(_POOL_AREAS)
    cars = tuple(year.rng.sample(_POOL_CARS, len(_POOL_CARS)))
    year.ask(
        Ask(CP, ("p-clarke", "p-duty"), (W(cars),), f"{work}, {area}, Peterborough",
            "OP-PHEASANT" if "Pheasant" in work else "OP-NEIGHBOURHOOD", start,
            year.rng.choice((9, 10, 33, 57)), emergency=False, kind="pool",
            operators=("p-clarke", "p-begum", "p-whitlock"))
    )  # fmt: skip


def _call_out_loans(year: Year) -> None:
    """Searches most days; forced entries, rescues at height and long cordons now and
    then; road closures for field fires at harvest; the Peterborough pool cars on
    weekdays."""
    for day, on in year.days():
        if year.rng.random() < 0.27:
            _callout(year, day, SEARCHES, "search")
        if year.rng.random() < 0.06:
            _callout(year, day, ENTRIES, "entry")
        if year.rng.random() < 0.03:
            _callout(year, day, HEIGHTS, "height")
        if year.rng.random() < 0.025:
            _callout(year, day, COMMANDS, "command")
        if year.rng.random() < 0.02:
            _callout(year, day, CORDONS, "cordon")
        if on.month in (7, 8) and year.rng.random() < 0.1:
            _callout(year, day, HARVEST_FIRES, "fire")
        if on.weekday() < 5 and year.rng.random() < 0.22:
            _pool_car(year, day)


def loan_history(base: datetime, acquired: Mapping[str, date]) -> tuple[LoanSpec, ...]:
    """The year of loans behind the demo's current hour ``base`` (UTC), given the day
    each item was bought; oldest first."""
    year = Year(base, acquired)
    # Planned loans are booked weeks ahead; emergencies take what is left on the day.
    _event_loans(year)
    _football_loans(year)
    _flood_loans(year)
    _call_out_loans(year)
    return tuple(sorted(year.loans, key=lambda loan: (loan.start_h, loan.key)))
