"""The one vocabulary: every value of every enum a person reads has words, and each
place that shows a value uses them."""

from __future__ import annotations

import enum
import inspect

import pytest

import models
from app.core.vocabulary import label, labels
from models import Condition, ItemStatus, LoanStatus, Role

ENUMS = sorted(
    (
        kind
        for _name, kind in inspect.getmembers(models, inspect.isclass)
        if issubclass(kind, enum.Enum)
    ),
    key=lambda kind: kind.__name__,
)


def test_the_models_have_the_enums_this_test_expects() -> None:
    assert {kind.__name__ for kind in ENUMS} >= {
        "AgencyKind",
        "ChargingBasis",
        "Condition",
        "DefectSeverity",
        "DefectSource",
        "InspectionResult",
        "ItemStatus",
        "LoanStatus",
        "Role",
    }


@pytest.mark.parametrize("kind", ENUMS, ids=lambda kind: kind.__name__)
def test_every_value_of_every_enum_has_words(kind: type[enum.Enum]) -> None:
    for value in kind:
        words = label(value)
        assert words[:1].isupper(), value
        assert words == words.strip(), value
    assert set(labels(kind)) == set(kind)
    assert len(set(labels(kind).values())) == len(kind), "two values share their words"


def test_the_words_people_see_today() -> None:
    assert label(LoanStatus.REQUESTED) == "Awaiting approval"
    assert label(LoanStatus.ISSUED) == "Out"
    assert label(ItemStatus.OUT_OF_SERVICE) == "Out of service"
    assert label(Condition.UNSERVICEABLE) == "Unserviceable"
    assert label(Role.EQUIPMENT_MANAGER) == "Equipment manager"
