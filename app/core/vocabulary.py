"""The words a person reads for each stored value: one table per enum of ``models``.

The item panel, the tables, the documents, the command line and the exports all say a
status, a condition or a role through ``label``, so the same loan is never "Issued" in
one place and "Out" in another. Decide on the enum; turn it into words only to show it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeVar

from models import (
    AgencyKind,
    ChargingBasis,
    Condition,
    DefectSeverity,
    DefectSource,
    InspectionResult,
    ItemStatus,
    LoanStatus,
    OfflineEntryState,
    Role,
)

E = TypeVar("E", bound=enum.Enum)

_ITEM_STATUSES: dict[enum.Enum, str] = {
    ItemStatus.AVAILABLE: "Available",
    ItemStatus.ON_LOAN: "On loan",
    ItemStatus.RESERVED: "Reserved",
    ItemStatus.OUT_OF_SERVICE: "Out of service",
    ItemStatus.RETIRED: "Retired",
}
_CONDITIONS: dict[enum.Enum, str] = {
    Condition.NEW: "New",
    Condition.GOOD: "Good",
    Condition.FAIR: "Fair",
    Condition.POOR: "Poor",
    Condition.UNSERVICEABLE: "Unserviceable",
}
# The Loans view's words: "Out" is what a duty officer says of kit that has gone.
_LOAN_STATUSES: dict[enum.Enum, str] = {
    LoanStatus.REQUESTED: "Awaiting approval",
    LoanStatus.APPROVED: "Approved",
    LoanStatus.DECLINED: "Declined",
    LoanStatus.ISSUED: "Out",
    LoanStatus.PARTLY_RETURNED: "Partly returned",
    LoanStatus.RETURNED: "Returned",
    LoanStatus.CANCELLED: "Cancelled",
}
_RESULTS: dict[enum.Enum, str] = {
    InspectionResult.PASS: "Pass",
    InspectionResult.PASS_WITH_ADVISORIES: "Pass with advisories",
    InspectionResult.FAIL: "Fail",
}
_SEVERITIES: dict[enum.Enum, str] = {
    DefectSeverity.MINOR: "Minor",
    DefectSeverity.MAJOR: "Major",
    DefectSeverity.UNSAFE: "Unsafe",
}
_SOURCES: dict[enum.Enum, str] = {
    DefectSource.RETURN: "Found on return",
    DefectSource.INSPECTION: "Found at inspection",
    DefectSource.REPORTED: "Reported",
}
_CHARGING: dict[enum.Enum, str] = {
    ChargingBasis.NONE: "No charge",
    ChargingBasis.CONSUMABLES: "Consumables replaced by the borrower",
    ChargingBasis.RATE: "At a rate",
}
# Fire first: most of the kit, and most of its borrowers, are fire and rescue's.
_AGENCY_KINDS: dict[enum.Enum, str] = {
    AgencyKind.FIRE: "Fire and rescue",
    AgencyKind.POLICE: "Police",
    AgencyKind.AMBULANCE: "Ambulance",
    AgencyKind.LOCAL_AUTHORITY: "Local authority",
    AgencyKind.OTHER: "Other",
}
_ROLES: dict[enum.Enum, str] = {
    Role.DUTY_OFFICER: "Duty officer",
    Role.EQUIPMENT_MANAGER: "Equipment manager",
    Role.ADMINISTRATOR: "Administrator",
}

# Where an entry logged offline stands on the server, as its lender's managers read it.
_OFFLINE_STATES: dict[enum.Enum, str] = {
    OfflineEntryState.RECEIVED: "Received",
    OfflineEntryState.REFUSED: "Refused by the server",
    OfflineEntryState.CANCELLED: "Cancelled",
}

# Every enum a person reads, with its words; a test checks each member has some.
_WORDS: Mapping[type[enum.Enum], Mapping[enum.Enum, str]] = {
    ItemStatus: _ITEM_STATUSES,
    Condition: _CONDITIONS,
    LoanStatus: _LOAN_STATUSES,
    InspectionResult: _RESULTS,
    DefectSeverity: _SEVERITIES,
    DefectSource: _SOURCES,
    ChargingBasis: _CHARGING,
    AgencyKind: _AGENCY_KINDS,
    Role: _ROLES,
    OfflineEntryState: _OFFLINE_STATES,
}


def label(value: enum.Enum) -> str:
    """The words a person reads for ``value``: "Out", "Out of service", "Duty officer"."""
    return _WORDS[type(value)][value]


def labels(kind: type[E]) -> dict[E, str]:
    """Every value of ``kind`` with its words, in the order a list offers them."""
    words = _WORDS[kind]
    return {value: words[value] for value in words if isinstance(value, kind)}
