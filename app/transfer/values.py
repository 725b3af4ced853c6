"""A cell's text read as the value its column holds: yes or no, a whole number, pence,
an item's status or condition; and what the dry run says about the status words.

Statuses: Kit Share keeps kit out of service only while an unsafe defect is open on
it, so a row whose status means out of service ("Out of service" in Kit Share's own
export; "Pending", "Undeployable", "Out for Repair" in a Snipe-IT export) comes in out
of service with an open unsafe defect, "Imported as Pending from assets.csv", which an
equipment manager clears when the kit is fit for use. "Archived", "Lost", "Stolen" come
in retired; "Ready to Deploy", "Deployed", "On loan" and "Reserved" available (loans
are not part of the file). The dry run says how each status word is read.
"""

from __future__ import annotations

import re
from typing import Any

from app.core.money import parse_pounds
from app.core.text import counted
from app.core.vocabulary import label
from app.transfer.fields import header_key
from app.transfer.tabular import Table
from models import Condition, DefectSeverity, ItemStatus

# An imported out-of-service item's defect: the severity that keeps it out of service.
IMPORTED_DEFECT_SEVERITY = DefectSeverity.UNSAFE


class Unreadable(ValueError):
    """A cell that does not hold what its column should; the message says what to give."""


_YES = frozenset({"yes", "y", "true", "t", "1", "pooled", "active", "current"})
_NO = frozenset({"no", "n", "false", "f", "0", "tagged", "inactive", "former", "left"})
_WHOLE = re.compile(r"[+-]?\d+(\.0*)?")

# Words of a status, as ``header_key`` folds them, and what they import as. Out of
# service comes with an open unsafe defect (see the module's docstring).
STATUS_WORDS: dict[str, ItemStatus] = {
    **dict.fromkeys(
        (
            "available",
            "readytodeploy",
            "deployable",
            "deployed",
            "inservice",
            "onloan",
            "reserved",
            "instock",
        ),
        ItemStatus.AVAILABLE,
    ),
    **dict.fromkeys(
        (
            "retired",
            "archived",
            "loststolen",
            "lost",
            "stolen",
            "brokennotfixable",
            "disposed",
            "writtenoff",
            "scrapped",
        ),
        ItemStatus.RETIRED,
    ),
    **dict.fromkeys(
        (
            "outofservice",
            "broken",
            "outforrepair",
            "undeployable",
            "pending",
            "faulty",
            "underrepair",
            "awaitingrepair",
            "outfordiagnostics",
        ),
        ItemStatus.OUT_OF_SERVICE,
    ),
}
# Words for kit on loan or reserved here: it comes in available, its loan not in the file.
_LOAN_WORDS = frozenset({"onloan", "reserved"})
CONDITION_WORDS = {condition.value: condition for condition in Condition}


def yes_or_no(value: str, label: str) -> bool:
    word = value.strip().casefold()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise Unreadable(f"{label} “{value}” is not yes or no; give yes or no, or leave it blank.")


def whole_number(value: str, label: str) -> int:
    """ "40", "1,000", and "3.0" as a spreadsheet may write 3."""
    cleaned = value.replace(",", "").strip()
    if not _WHOLE.fullmatch(cleaned):
        raise Unreadable(f"{label} “{value}” is not a whole number; give one such as 1 or 40.")
    return int(cleaned.split(".")[0])


def pence(value: str, label: str) -> int:
    """Pounds as a person writes them ("1,234.50", "£1234.5", "GBP 12") in pence, read by
    ``parse_pounds`` as in every dialog; a blank cell never gets here."""
    try:
        amount = parse_pounds(value, label)
    except ValueError as error:
        raise Unreadable(str(error)) from None
    if amount is None:
        raise Unreadable(f"{label} is blank; give an amount such as 1,234.50, or leave it out.")
    return amount


def item_status(value: str) -> ItemStatus:
    """The status a file's word imports as; out of service comes with an open defect."""
    word = header_key(value)
    if not word:
        return ItemStatus.AVAILABLE
    if word not in STATUS_WORDS:
        raise Unreadable(
            f"Status “{value}” is not one Kit Share knows. Give Available (or Ready to "
            "Deploy, Deployed) for kit in use, Out of service (or Pending, Undeployable, Out "
            "for Repair) for kit not fit for use, Retired (or Archived, Lost, Stolen) for "
            "kit gone for good, or leave it blank for available."
        )
    return STATUS_WORDS[word]


def item_condition(value: str) -> Condition:
    word = value.strip().casefold()
    if not word:
        return Condition.GOOD
    if word not in CONDITION_WORDS:
        raise Unreadable(
            f"Condition “{value}” is not one Kit Share knows; give new, good, fair, poor or "
            "unserviceable, or leave it blank for good."
        )
    return CONDITION_WORDS[word]


def imported_defect(status_word: str, file_name: str) -> str:
    """The description of the defect an item imported out of service comes in with."""
    where = f" from {file_name}" if file_name else ""
    return f"Imported as {' '.join(status_word.split())}{where}"


def status_notices(table: Table, index: int | None) -> list[str]:
    """How each status word in the file's column ``index`` (None: no status column) is
    read, but for Kit Share's own "Available" and "Retired", which need no saying."""
    if index is None:
        return []
    words: dict[str, list[Any]] = {}
    for cells in table.rows:
        value = " ".join(cells[index].split())
        key = header_key(value)
        if key in STATUS_WORDS:
            found = words.setdefault(key, [value, 0])
            found[1] += 1
    notices = []
    for key, (word, count) in words.items():
        status = STATUS_WORDS[key]
        rows = counted(count, "row")
        if word == label(status) and status is not ItemStatus.OUT_OF_SERVICE:
            continue
        if status is ItemStatus.OUT_OF_SERVICE:
            severity = label(IMPORTED_DEFECT_SEVERITY).lower()
            notices.append(
                f"Status “{word}” ({rows}): imported out of service, with an open {severity} "
                f"defect “{imported_defect(word, table.file_name)}” for an equipment manager "
                "to clear when the kit is fit for use."
            )
        elif status is ItemStatus.RETIRED:
            notices.append(f"Status “{word}” ({rows}): imported as retired.")
        elif key in _LOAN_WORDS:
            notices.append(
                f"Status “{word}” ({rows}): imported as available; the file does not hold "
                "its loan or reservation."
            )
        else:
            notices.append(f"Status “{word}” ({rows}): imported as available.")
    return notices
