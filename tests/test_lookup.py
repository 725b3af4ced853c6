"""``with_id``: the record a dialog edits, found among those listed, or ``NotFound``."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.core.errors import NotFound
from app.core.lookup import with_id


@dataclass(frozen=True)
class Row:
    id: int
    name: str


def test_finds_the_record_or_says_it_is_gone() -> None:
    rows = [Row(1, "Drone"), Row(2, "Lamp")]
    assert with_id(rows, 2, "gone") == Row(2, "Lamp")
    with pytest.raises(NotFound, match="There is no row 3"):
        with_id(rows, 3, "There is no row 3.")
