"""The search text may ask for a period and a quantity: "barrier x10 free sat 14-22"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.catalogue.query_words import read_query
from app.catalogue.search import SearchFilters, matching_item_ids, search_items
from app.core.errors import BadDate
from app.storage.database import Database
from tests.test_search import NOW, catalogue, tags  # noqa: F401 - the fixture is used by name

# NOW is Saturday 21/11/2026 09:00 GMT; 30 of the 40 barriers are booked from Sunday 09:00
# to Tuesday 09:00.


@pytest.mark.parametrize(
    ("text", "words", "said"),
    [
        (
            "thermal drone free tomorrow 08:00-16:00",
            "thermal drone",
            "Free Sun 22/11/2026 08:00 – 16:00",
        ),
        ("lighting free now to 18:00", "lighting", "Free Sat 21/11/2026 09:00 – 18:00"),
        ("barrier x10 free sat 14-22", "barrier", "Free Sat 21/11/2026 14:00 – 22:00 · 10 or more"),
        ("free mon", "", "Free Mon 23/11/2026 00:00 – Tue 24/11/2026 00:00"),
        # Words only: "free" before something that is no time, and x10 without a period.
        ("hands free radio", "hands free radio", ""),
        ("barrier x10", "barrier x10", ""),
        ("thermal drone", "thermal drone", ""),
    ],
)
def test_the_words_and_what_else_they_ask(text: str, words: str, said: str) -> None:
    read = read_query(text, now=NOW)

    assert read.words == words
    assert read.said() == said
    assert read.problem is None


def test_a_quantity_no_item_holds_says_what_to_ask() -> None:
    read = read_query("barrier x0 free now to 18:00", now=NOW)
    assert read.problem == (
        "“x0” asks for 0 units: ask for 1 to 1,000,000, e.g. “barrier x10 free now to 18:00”."
    )


def test_a_period_in_the_words_filters_as_the_period_filter_does(catalogue: Database) -> None:  # noqa: F811
    monday = "free mon 09:00-13:00"
    assert tags(catalogue, f"barrier x10 {monday}") == ["CFR-000100"]
    assert tags(catalogue, f"barrier x11 {monday}") == []
    assert tags(catalogue, "barrier x40 free wed 09:00-13:00") == ["CFR-000100"]
    # The same as the filters say it.
    monday_nine = NOW + timedelta(days=2)
    assert (
        tags(
            catalogue,
            "barrier",
            SearchFilters(
                available_from=monday_nine,
                available_to=monday_nine + timedelta(hours=4),
                quantity=11,
            ),
        )
        == []
    )
    assert tags(catalogue, "thermal drone free tomorrow 08:00-16:00") == ["CAM-000042"]
    # The words take the place of a period given in the filters.
    assert tags(
        catalogue,
        "barrier x10 free mon 09:00-13:00",
        SearchFilters(available_from=NOW, available_to=NOW + timedelta(hours=1), quantity=40),
    ) == ["CFR-000100"]


@pytest.mark.clock(NOW, running=False)
def test_every_item_found_honours_the_words_period(catalogue: Database) -> None:  # noqa: F811
    assert matching_item_ids(catalogue, "barrier x11 free mon 09:00-13:00") == []
    assert len(matching_item_ids(catalogue, "barrier x10 free mon 09:00-13:00")) == 1


def test_a_period_that_cannot_be_is_refused_with_what_to_type(catalogue: Database) -> None:  # noqa: F811
    with pytest.raises(BadDate) as refused:
        search_items(catalogue, "drone free tomorrow 16:00-08:00", now=NOW)
    assert refused.value.message == (
        "The period “tomorrow 16:00 to 08:00” ends (22/11/2026 08:00) before it starts "
        "(22/11/2026 16:00); give the end after the start, and for a period past midnight "
        "give the end's day too, e.g. “tomorrow 16:00 to mon 08:00”."
    )
