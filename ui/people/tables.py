"""The People tab's tables: everyone listed, one person's qualifications, and the
qualifications expiring soon, each with a coloured marker beside its status.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPalette

from app.core.clock import format_date
from app.people.expiring import ExpiringRow
from app.people.records import PersonRow
from app.people.status import QualificationStatus, QualificationView
from ui.widgets.palette import DUE, OK, REFUSED, WARNING, dot_icon
from ui.widgets.record_model import RecordTableModel

NO_QUALIFICATIONS_TEXT = "No qualifications recorded."
FORMER = "former staff"


# Words always go with the colour, so a status reads in greyscale too.
STATUS_COLOURS = {
    QualificationStatus.EXPIRED: REFUSED,
    QualificationStatus.EXPIRING: WARNING,
}
# Darker than the marker, so the words read on a white row.
STATUS_TEXT_COLOURS = {
    QualificationStatus.CURRENT: OK,
    QualificationStatus.EXPIRED: REFUSED,
    QualificationStatus.EXPIRING: DUE,
}


def marker(status: QualificationStatus | None) -> QIcon:
    """The round marker of ``status``; a blank one for none, so texts stay aligned."""
    return dot_icon(STATUS_COLOURS.get(status) if status is not None else None)


# -- the people table ----------------------------------------------------------------------


class PersonColumn(enum.IntEnum):
    NAME = 0
    STAFF_NUMBER = 1
    AGENCY = 2
    ROLE = 3
    HOME_SITE = 4
    ACCOUNT = 5
    QUALIFICATIONS = 6


# Widths from sample text, so they follow the font; long texts elide, with the whole
# text in the tooltip and in the detail below the table. Qualifications take the rest.
PERSON_SAMPLES = {
    PersonColumn.NAME: "Siobhán Ó Súilleabh",
    PersonColumn.STAFF_NUMBER: "PS74410 ",
    PersonColumn.AGENCY: "HERTS-FRS ~",
    PersonColumn.ROLE: "Constable (drone pilot)",
    PersonColumn.HOME_SITE: "Thorpe Wood Police Stat",
    PersonColumn.ACCOUNT: "herts-pol-kit (Equipment",
}


def qualifications_tooltip(row: PersonRow) -> str:
    if not row.qualification_summary:
        return NO_QUALIFICATIONS_TEXT
    return "\n".join(row.qualification_summary.split(", "))


class PersonTableModel(RecordTableModel[PersonRow]):
    """The people listed; former staff read "(former staff)" and show in grey."""

    HEADERS = (
        "Name",
        "Staff no.",
        "Agency",
        "Rank or role",
        "Home site",
        "User account",
        "Qualifications",
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._former_brush = QBrush(QPalette().color(QPalette.ColorRole.PlaceholderText))

    def cell(self, record: PersonRow, column: int, role: int) -> object:
        which = PersonColumn(column)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(record, which)
        if role == Qt.ItemDataRole.ToolTipRole:
            if which is PersonColumn.AGENCY:
                return record.agency
            if which is PersonColumn.QUALIFICATIONS:
                return qualifications_tooltip(record)
            return self._text(record, which) or None
        if role == Qt.ItemDataRole.UserRole:
            return record.id
        if role == Qt.ItemDataRole.ForegroundRole and not record.is_active:
            return self._former_brush
        if which is PersonColumn.QUALIFICATIONS and role == Qt.ItemDataRole.DecorationRole:
            return marker(record.worst_status)
        return None

    @staticmethod
    def _text(record: PersonRow, column: PersonColumn) -> str:
        if column is PersonColumn.NAME:
            return record.name if record.is_active else f"{record.name} ({FORMER})"
        if column is PersonColumn.STAFF_NUMBER:
            return record.staff_number
        if column is PersonColumn.AGENCY:
            return record.agency_code
        if column is PersonColumn.ROLE:
            return record.rank_or_role
        if column is PersonColumn.HOME_SITE:
            return record.home_site
        if column is PersonColumn.ACCOUNT:
            return record.account_text if record.username else ""
        return record.qualification_summary or "None"


# -- one person's qualifications ----------------------------------------------------------------


class QualificationColumn(enum.IntEnum):
    QUALIFICATION = 0
    REFERENCE = 1
    ISSUED = 2
    EXPIRES = 3
    STATUS = 4


QUALIFICATION_SAMPLES = {
    QualificationColumn.QUALIFICATION: "Flood rescue technician (M",
    QualificationColumn.REFERENCE: "DEFRA-M3-CF16034-2023",
    QualificationColumn.ISSUED: "00/00/0000",
    QualificationColumn.EXPIRES: "00/00/0000",
    QualificationColumn.STATUS: "MM Expired 00/00/0000 (renewed)",
}


class QualificationTableModel(RecordTableModel[QualificationView]):
    """A person's qualification records, each with its status in words and colour."""

    HEADERS = ("Qualification", "Reference", "Issued", "Expires", "Status")

    def cell(self, record: QualificationView, column: int, role: int) -> object:
        which = QualificationColumn(column)
        # A lapsed record beside its renewal is history: no warning colour for it.
        status = None if record.renewed else record.status
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(record, which)
        if role == Qt.ItemDataRole.ToolTipRole:
            if which is QualificationColumn.QUALIFICATION:
                return record.allows or record.type_name
            return self._text(record, which) or None
        if role == Qt.ItemDataRole.UserRole:
            return record.id
        if which is QualificationColumn.STATUS and status is not None:
            if role == Qt.ItemDataRole.DecorationRole:
                return marker(status)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(STATUS_TEXT_COLOURS[status]))
            if role == Qt.ItemDataRole.FontRole and status is not QualificationStatus.CURRENT:
                return self._bold
        return None

    @staticmethod
    def _text(record: QualificationView, column: QualificationColumn) -> str:
        if column is QualificationColumn.QUALIFICATION:
            return record.type_name
        if column is QualificationColumn.REFERENCE:
            return record.reference
        if column is QualificationColumn.ISSUED:
            return format_date(record.issued_on)
        if column is QualificationColumn.EXPIRES:
            return format_date(record.expires_on) or "No expiry"
        return record.status_text


# -- the expiring list ---------------------------------------------------------------------


class ExpiringColumn(enum.IntEnum):
    EXPIRES = 0
    WHEN = 1
    PERSON = 2
    STAFF_NUMBER = 3
    AGENCY = 4
    QUALIFICATION = 5


EXPIRING_SAMPLES = {
    ExpiringColumn.EXPIRES: "00/00/0000",
    ExpiringColumn.WHEN: "MM Expires in 000 days",
    ExpiringColumn.PERSON: "Siobhán Ó Súilleabháin",
    ExpiringColumn.STAFF_NUMBER: "PS74410 ",
    ExpiringColumn.AGENCY: "Cambridgeshire Fire and Rescue Ser",
    ExpiringColumn.QUALIFICATION: "Flood rescue technician (Module 3)",
}


class ExpiringTableModel(RecordTableModel[ExpiringRow]):
    """Qualifications expiring soon, soonest first; all are amber, each says when."""

    HEADERS = ("Expires", "When", "Person", "Staff no.", "Agency", "Qualification")

    def cell(self, record: ExpiringRow, column: int, role: int) -> object:
        which = ExpiringColumn(column)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(record, which)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._text(record, which)
        if role == Qt.ItemDataRole.UserRole:
            return record.person_id
        if which is ExpiringColumn.WHEN:
            if role == Qt.ItemDataRole.DecorationRole:
                return marker(QualificationStatus.EXPIRING)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(STATUS_TEXT_COLOURS[QualificationStatus.EXPIRING]))
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
        return None

    @staticmethod
    def _text(record: ExpiringRow, column: ExpiringColumn) -> str:
        if column is ExpiringColumn.EXPIRES:
            return format_date(record.expires_on)
        if column is ExpiringColumn.WHEN:
            return record.when_text
        if column is ExpiringColumn.PERSON:
            return record.person
        if column is ExpiringColumn.STAFF_NUMBER:
            return record.staff_number
        if column is ExpiringColumn.AGENCY:
            return record.agency
        return record.qualification
