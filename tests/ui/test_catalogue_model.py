"""The lazy search result model, checked by Qt's own model tester and by what it shows."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QFont
from pytestqt.modeltest import ModelTester

from app.catalogue.search import SearchFilters, SortKey
from tests.ui.seed import (
    BARRIERS_TAG,
    BROKEN_DRONE_TAG,
    DRONE_TAG,
    ITEM_COUNT,
    Catalogue,
    add_traffic_cones,
)
from ui.catalogue.model import PAGE_SIZE, Column, SearchRequest, SearchResultModel
from ui.widgets.palette import REFUSED

CONES = 450


def model_for(catalogue: Catalogue, request: SearchRequest | None = None) -> SearchResultModel:
    model = SearchResultModel(catalogue.db)
    model.search(request or SearchRequest())
    return model


def row_of_tag(model: SearchResultModel, tag: str) -> int:
    for row in range(model.rowCount()):
        if model.index(row, Column.TAG).data() == tag:
            return row
    raise AssertionError(f"{tag} is not in the model")


def test_model_passes_qt_model_tester(qtmodeltester: ModelTester, catalogue: Catalogue) -> None:
    model = model_for(catalogue)
    assert model.rowCount() == ITEM_COUNT

    qtmodeltester.check(model)  # type: ignore[no-untyped-call]


def test_model_passes_qt_model_tester_over_several_pages(
    qtmodeltester: ModelTester, catalogue: Catalogue
) -> None:
    add_traffic_cones(catalogue.db, CONES)
    model = model_for(catalogue)
    assert model.total == ITEM_COUNT + CONES
    assert model.rowCount() == PAGE_SIZE

    qtmodeltester.check(model)  # type: ignore[no-untyped-call]

    model.search(SearchRequest(query="cone"))
    assert model.total == CONES


def test_fetch_more_grows_the_rows_a_page_at_a_time_up_to_the_total(
    catalogue: Catalogue,
) -> None:
    add_traffic_cones(catalogue.db, CONES)
    model = model_for(catalogue, SearchRequest(query="cone"))
    seen = [model.rowCount()]

    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        seen.append(model.rowCount())

    assert seen == [*range(PAGE_SIZE, CONES, PAGE_SIZE), CONES]
    assert len(seen) > 2  # more than one page was fetched
    tags = [model.index(row, Column.TAG).data() for row in range(model.rowCount())]
    assert len(set(tags)) == CONES
    model.fetchMore(QModelIndex())
    assert model.rowCount() == CONES


def test_a_new_search_starts_again_from_its_first_page(catalogue: Catalogue) -> None:
    add_traffic_cones(catalogue.db, CONES)
    model = model_for(catalogue, SearchRequest(query="cone"))
    model.fetchMore(QModelIndex())

    model.search(SearchRequest(query="drone"))

    assert model.total == 2
    assert model.rowCount() == 2
    assert not model.canFetchMore(QModelIndex())


def test_sorting_is_done_by_the_search(catalogue: Catalogue) -> None:
    model = model_for(catalogue, SearchRequest(sort=SortKey.NAME))
    names = [model.index(row, Column.NAME).data() for row in range(model.rowCount())]

    model.search(model.request.sorted_by(SortKey.NAME, descending=True))

    assert names == sorted(names, key=str.lower)
    assert [model.index(row, Column.NAME).data() for row in range(ITEM_COUNT)] == names[::-1]


def test_headers_name_the_columns(catalogue: Catalogue) -> None:
    model = SearchResultModel(catalogue.db)

    headers = [model.headerData(column, Qt.Orientation.Horizontal) for column in range(len(Column))]

    assert headers == ["Tag", "Name", "Category", "Owner", "Home site", "Status", "Qty", "Free"]


def test_user_role_gives_the_item_id(catalogue: Catalogue) -> None:
    model = model_for(catalogue)
    row = row_of_tag(model, DRONE_TAG)

    assert model.index(row, Column.NAME).data(Qt.ItemDataRole.UserRole) == catalogue.ids[DRONE_TAG]
    assert model.item_id(row) == catalogue.ids[DRONE_TAG]
    assert model.row_of(catalogue.ids[DRONE_TAG]) == row


def test_owner_shows_its_code_with_the_full_name_as_tooltip(catalogue: Catalogue) -> None:
    model = model_for(catalogue)
    owner = model.index(row_of_tag(model, BARRIERS_TAG), Column.OWNER)

    assert owner.data() == "CFRS"
    assert owner.data(Qt.ItemDataRole.ToolTipRole) == "Cambridgeshire Fire and Rescue Service"


def test_quantity_and_free_show_pooled_stock_as_numbers(catalogue: Catalogue) -> None:
    model = model_for(catalogue)
    pooled = model.index(row_of_tag(model, BARRIERS_TAG), Column.QUANTITY)
    tagged = model.index(row_of_tag(model, DRONE_TAG), Column.QUANTITY)

    assert pooled.data() == "40"
    assert tagged.data() == ""
    assert pooled.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    # 13 of the 40 barriers are out on an overdue loan.
    assert model.index(pooled.row(), Column.FREE).data() == "27"
    assert model.index(tagged.row(), Column.FREE).data() == "Yes"


def test_out_of_service_status_is_coloured_and_available_is_not(catalogue: Catalogue) -> None:
    model = model_for(catalogue)
    broken = model.index(row_of_tag(model, BROKEN_DRONE_TAG), Column.STATUS)
    available = model.index(row_of_tag(model, DRONE_TAG), Column.STATUS)

    assert broken.data() == "Out of service"
    colour = broken.data(Qt.ItemDataRole.ForegroundRole)
    assert isinstance(colour, QBrush)
    assert colour.color().name() == REFUSED
    bold = broken.data(Qt.ItemDataRole.FontRole)
    assert isinstance(bold, QFont)
    assert bold.bold()
    assert available.data() == "Available"
    assert available.data(Qt.ItemDataRole.ForegroundRole) is None
    assert available.data(Qt.ItemDataRole.FontRole) is None


def test_out_of_service_is_decided_on_the_status_not_its_words(catalogue: Catalogue) -> None:
    model = model_for(catalogue)
    row = row_of_tag(model, BROKEN_DRONE_TAG)
    broken = model.record(row)
    # The same item under other words still stands out: the words are not the rule.
    model.show_rows([replace(broken, status="Kaputt")])

    assert model.index(0, Column.STATUS).data() == "Kaputt"
    assert model.index(0, Column.STATUS).data(Qt.ItemDataRole.FontRole) is not None


def test_filters_reach_the_search(catalogue: Catalogue) -> None:
    model = model_for(catalogue, SearchRequest(filters=SearchFilters(category="drones")))

    assert {model.index(row, Column.TAG).data() for row in range(model.rowCount())} == {
        DRONE_TAG,
        BROKEN_DRONE_TAG,
    }
