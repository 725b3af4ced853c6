"""The People tab's tables: everyone listed, one person's qualifications, and the
qualifications expiring soon, each with a coloured marker beside its status.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QBrush, QIcon, QPalette

from app.core.clock import format_date
from app.people.expiring import ExpiringRow
from app.people.records import PersonRow
from app.people.status import QualificationStatus, QualificationView
from ui.widgets.palette import DUE, OK, REFUSED, WARNING, dot_icon
from ui.widgets.record_model import RecordTableModel, TableColumn

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


# Widths from sample text, so they follow the font; long texts elide, with the whole
# text in the tooltip and in the detail below the table. Qualifications take the rest.
class PersonColumn(TableColumn):
    NAME = "Name", "Siobhán Ó Súilleabh"
    STAFF_NUMBER = "Staff no.", "PS74410 "
    AGENCY = "Agency", "HERTS-FRS ~"
    ROLE = "Rank or role", "Constable (drone pilot)"
    HOME_SITE = "Home site", "Thorpe Wood Police Stat"
    ACCOUNT = "User account", "herts-pol-kit (Equipment"
    QUALIFICATIONS = "Qualifications"


PERSON_SAMPLES = PersonColumn.samples()


def qualifications_tooltip(row: PersonRow) -> str:
    if not row.qualification_summary:
        return NO_QUALIFICATIONS_TEXT
    return "\n".join(row.qualification_summary.split(", "))


class PersonTableModel(RecordTableModel[PersonRow]):
    """The people listed; former staff read "(former staff)" and show in grey."""

    HEADERS = PersonColumn.headers()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._former_brush = QBrush(QPalette().color(QPalette.ColorRole.PlaceholderText))

    def text(self, record: PersonRow, column: int) -> str:
        match PersonColumn(column):
            case PersonColumn.NAME:
                return record.name if record.is_active else f"{record.name} ({FORMER})"
            case PersonColumn.STAFF_NUMBER:
                return record.staff_number
            case PersonColumn.AGENCY:
                return record.agency_code
            case PersonColumn.ROLE:
                return record.rank_or_role
            case PersonColumn.HOME_SITE:
                return record.home_site
            case PersonColumn.ACCOUNT:
                return record.account_text if record.username else ""
            case PersonColumn.QUALIFICATIONS:
                return record.qualification_summary or "None"

    def tooltip(self, record: PersonRow, column: int) -> str | None:
        if column == PersonColumn.AGENCY:
            return record.agency
        if column == PersonColumn.QUALIFICATIONS:
            return qualifications_tooltip(record)
        return self.text(record, column)

    def colour(self, record: PersonRow, column: int) -> QBrush | None:
        return None if record.is_active else self._former_brush

    def decoration(self, record: PersonRow, column: int) -> QIcon | None:
        return marker(record.worst_status) if column == PersonColumn.QUALIFICATIONS else None


# -- one person's qualifications ----------------------------------------------------------------


class QualificationColumn(TableColumn):
    QUALIFICATION = "Qualification", "Flood rescue technician (M"
    REFERENCE = "Reference", "DEFRA-M3-CF16034-2023"
    ISSUED = "Issued", "00/00/0000"
    EXPIRES = "Expires", "00/00/0000"
    STATUS = "Status", "MM Expired 00/00/0000 (renewed)"


QUALIFICATION_SAMPLES = QualificationColumn.samples()


def shown_status(record: QualificationView) -> QualificationStatus | None:
    """The status a record is marked with: a lapsed record beside its renewal is history,
    so it has none."""
    return None if record.renewed else record.status


class QualificationTableModel(RecordTableModel[QualificationView]):
    """A person's qualification records, each with its status in words and colour."""

    HEADERS = QualificationColumn.headers()

    def text(self, record: QualificationView, column: int) -> str:
        match QualificationColumn(column):
            case QualificationColumn.QUALIFICATION:
                return record.type_name
            case QualificationColumn.REFERENCE:
                return record.reference
            case QualificationColumn.ISSUED:
                return format_date(record.issued_on)
            case QualificationColumn.EXPIRES:
                return format_date(record.expires_on) or "No expiry"
            case QualificationColumn.STATUS:
                return record.status_text

    def tooltip(self, record: QualificationView, column: int) -> str | None:
        if column == QualificationColumn.QUALIFICATION:
            return record.allows or record.type_name
        return self.text(record, column)

    def colour(self, record: QualificationView, column: int) -> str | None:
        status = shown_status(record)
        if column != QualificationColumn.STATUS or status is None:
            return None
        return STATUS_TEXT_COLOURS[status]

    def is_bold(self, record: QualificationView, column: int) -> bool:
        status = shown_status(record)
        return column == QualificationColumn.STATUS and status not in (
            None,
            QualificationStatus.CURRENT,
        )

    def decoration(self, record: QualificationView, column: int) -> QIcon | None:
        status = shown_status(record)
        if column != QualificationColumn.STATUS or status is None:
            return None
        return marker(status)


# -- the expiring list ---------------------------------------------------------------------


class ExpiringColumn(TableColumn):
    EXPIRES = "Expires", "00/00/0000"
    WHEN = "When", "MM Expires in 000 days"
    PERSON = "Person", "Siobhán Ó Súilleabháin"
    STAFF_NUMBER = "Staff no.", "PS74410 "
    AGENCY = "Agency", "Cambridgeshire Fire and Rescue Ser"
    QUALIFICATION = "Qualification", "Flood rescue technician (Module 3)"


EXPIRING_SAMPLES = ExpiringColumn.samples()


class ExpiringTableModel(RecordTableModel[ExpiringRow]):
    """Qualifications expiring soon, soonest first; all are amber, each says when.

    Each row gives the person's id under ``ID_ROLE``: choosing a row shows that person.
    """

    HEADERS = ExpiringColumn.headers()

    def text(self, record: ExpiringRow, column: int) -> str:
        match ExpiringColumn(column):
            case ExpiringColumn.EXPIRES:
                return format_date(record.expires_on)
            case ExpiringColumn.WHEN:
                return record.when_text
            case ExpiringColumn.PERSON:
                return record.person
            case ExpiringColumn.STAFF_NUMBER:
                return record.staff_number
            case ExpiringColumn.AGENCY:
                return record.agency
            case ExpiringColumn.QUALIFICATION:
                return record.qualification

    def key(self, record: ExpiringRow) -> object:
        return record.person_id

    def colour(self, record: ExpiringRow, column: int) -> str | None:
        if column != ExpiringColumn.WHEN:
            return None
        return STATUS_TEXT_COLOURS[QualificationStatus.EXPIRING]

    def is_bold(self, record: ExpiringRow, column: int) -> bool:
        return column == ExpiringColumn.WHEN

    def decoration(self, record: ExpiringRow, column: int) -> QIcon | None:
        if column != ExpiringColumn.WHEN:
            return None
        return marker(QualificationStatus.EXPIRING)
