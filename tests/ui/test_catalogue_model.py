"""The catalogue table model, checked by Qt's own model tester and by what it shows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.modeltest import ModelTester

from app.catalogue import list_items
from tests.ui.seed import BARRIERS_TAG, BROKEN_DRONE_TAG, DRONE_TAG, Catalogue
from ui.catalogue_model import CatalogueTableModel, Column


def model_for(catalogue: Catalogue) -> CatalogueTableModel:
    return CatalogueTableModel(list_items(catalogue.db))


def row_of_tag(model: CatalogueTableModel, tag: str) -> int:
    for row in range(model.rowCount()):
        if model.index(row, Column.TAG).data() == tag:
            return row
    raise AssertionError(f"{tag} is not in the model")


def test_model_passes_qt_model_tester(qtmodeltester: ModelTester, catalogue: Catalogue) -> None:
    model = model_for(catalogue)
    assert model.rowCount() == 4

    qtmodeltester.check(model)  # type: ignore[no-untyped-call]


def test_model_passes_qt_model_tester_across_a_reload(
    qtmodeltester: ModelTester, catalogue: Catalogue
) -> None:
    model = CatalogueTableModel()
    qtmodeltester.check(model)  # type: ignore[no-untyped-call]

    model.reload(list_items(catalogue.db))

    assert model.rowCount() == 4


def test_headers_name_the_columns() -> None:
    model = CatalogueTableModel()

    headers = [model.headerData(column, Qt.Orientation.Horizontal) for column in range(len(Column))]

    assert headers == ["Tag", "Name", "Category", "Owner", "Home site", "Status", "Qty"]


def test_user_role_gives_the_item_id(catalogue: Catalogue) -> None:
    model = model_for(catalogue)
    row = row_of_tag(model, DRONE_TAG)

    assert model.index(row, Column.NAME).data(Qt.ItemDataRole.UserRole) == catalogue.ids[DRONE_TAG]
    assert model.item_id(row) == catalogue.ids[DRONE_TAG]
    assert model.row_of(catalogue.ids[DRONE_TAG]) == row


def test_quantity_is_shown_for_pooled_stock_only(catalogue: Catalogue) -> None:
    model = model_for(catalogue)
    pooled = model.index(row_of_tag(model, BARRIERS_TAG), Column.QUANTITY)
    tagged = model.index(row_of_tag(model, DRONE_TAG), Column.QUANTITY)

    assert pooled.data() == "40"
    assert tagged.data() == ""
    assert pooled.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight


def test_out_of_service_status_is_coloured_and_available_is_not(catalogue: Catalogue) -> None:
    model = model_for(catalogue)
    broken = model.index(row_of_tag(model, BROKEN_DRONE_TAG), Column.STATUS)
    available = model.index(row_of_tag(model, DRONE_TAG), Column.STATUS)

    assert broken.data() == "Out of service"
    assert isinstance(broken.data(Qt.ItemDataRole.ForegroundRole), QColor)
    assert available.data() == "Available"
    assert available.data(Qt.ItemDataRole.ForegroundRole) is None
