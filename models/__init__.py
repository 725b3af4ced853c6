"""Kit Share's SQLAlchemy models. Imports nothing from ``app`` or ``ui``."""

from models.agreements import (
    ChargingBasis,
    Mou,
    MouClause,
    MouParty,
    MouSignatory,
    SharingProtocol,
    protocol_borrowers,
    protocol_categories,
    protocol_items,
    protocol_qualifications,
)
from models.audit import AuditEvent
from models.base import Base, UtcDateTime, utcnow
from models.catalogue import Category, Condition, EquipmentItem, ItemStatus
from models.inspections import (
    BLOCKING_SEVERITIES,
    Defect,
    DefectSeverity,
    DefectSource,
    Inspection,
    InspectionRegime,
    InspectionResult,
)
from models.kits import Kit, KitMember
from models.loans import (
    BOOKING_STATUSES,
    OUT_STATUSES,
    Loan,
    LoanLine,
    LoanStatus,
    OfflineEntryState,
    OfflineReceipt,
)
from models.organisation import Agency, AgencyKind, Site
from models.people import AppUser, Person, PersonQualification, QualificationType, Role

__all__ = [
    "BLOCKING_SEVERITIES",
    "BOOKING_STATUSES",
    "OUT_STATUSES",
    "Agency",
    "AgencyKind",
    "AppUser",
    "AuditEvent",
    "Base",
    "Category",
    "ChargingBasis",
    "Condition",
    "Defect",
    "DefectSeverity",
    "DefectSource",
    "EquipmentItem",
    "Inspection",
    "InspectionRegime",
    "InspectionResult",
    "ItemStatus",
    "Kit",
    "KitMember",
    "Loan",
    "LoanLine",
    "LoanStatus",
    "Mou",
    "MouClause",
    "MouParty",
    "MouSignatory",
    "OfflineEntryState",
    "OfflineReceipt",
    "Person",
    "PersonQualification",
    "QualificationType",
    "Role",
    "SharingProtocol",
    "Site",
    "UtcDateTime",
    "protocol_borrowers",
    "protocol_categories",
    "protocol_items",
    "protocol_qualifications",
    "utcnow",
]
