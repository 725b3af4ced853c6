"""The one table model every list of rows shares: its columns, its roles, its records."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QFont
from pytestqt.modeltest import ModelTester

from ui.widgets.palette import REFUSED
from ui.widgets.record_model import (
    ID_ROLE,
    RIGHT_ALIGNED,
    RecordTableModel,
    RowTableModel,
    TableColumn,
)


@dataclass(frozen=True)
class Kit:
    id: int
    name: str
    broken: bool


class KitColumn(TableColumn):
    NAME = "Name", "Thermal imaging cam"
    STATE = "State", "Out of service"
    NOTE = "Note"


class KitModel(RecordTableModel[Kit]):
    HEADERS = KitColumn.headers()

    def text(self, record: Kit, column: int) -> str:
        match KitColumn(column):
            case KitColumn.NAME:
                return record.name
            case KitColumn.STATE:
                return "Out of service" if record.broken else "Available"
            case KitColumn.NOTE:
                return ""

    def colour(self, record: Kit, column: int) -> str | None:
        return REFUSED if column == KitColumn.STATE and record.broken else None

    def is_bold(self, record: Kit, column: int) -> bool:
        return column == KitColumn.STATE and record.broken

    def alignment(self, column: int) -> Qt.AlignmentFlag | None:
        return RIGHT_ALIGNED if column == KitColumn.STATE else None


class Lines(RowTableModel[str]):
    HEADERS = ("Line",)

    def text(self, record: str, column: int) -> str:
        return record


KITS = [Kit(7, "Drone", broken=False), Kit(9, "Camera", broken=True)]


def test_columns_count_from_nought_and_carry_their_header_and_sample() -> None:
    assert [int(column) for column in KitColumn] == [0, 1, 2]
    assert KitColumn(1) is KitColumn.STATE
    assert KitColumn.headers() == ("Name", "State", "Note")
    # A column without a sample takes the width left over.
    assert KitColumn.samples() == {
        KitColumn.NAME: "Thermal imaging cam",
        KitColumn.STATE: "Out of service",
    }


def test_each_role_is_answered_from_what_the_subclass_says() -> None:
    model = KitModel()
    model.show_rows(KITS)
    state = model.index(1, KitColumn.STATE)

    assert state.data() == "Out of service"
    assert state.data(Qt.ItemDataRole.ToolTipRole) == "Out of service"
    assert state.data(ID_ROLE) == 9
    brush = state.data(Qt.ItemDataRole.ForegroundRole)
    assert isinstance(brush, QBrush)
    assert brush.color().name() == REFUSED
    font = state.data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont)
    assert font.bold()
    assert state.data(Qt.ItemDataRole.TextAlignmentRole) == RIGHT_ALIGNED
    # An empty cell has no tooltip; a plain one no colour, font or alignment.
    assert model.index(0, KitColumn.NOTE).data(Qt.ItemDataRole.ToolTipRole) is None
    plain = model.index(0, KitColumn.STATE)
    assert plain.data(Qt.ItemDataRole.ForegroundRole) is None
    assert plain.data(Qt.ItemDataRole.FontRole) is None
    assert model.index(0, KitColumn.NAME).data(Qt.ItemDataRole.TextAlignmentRole) is None


def test_records_are_found_again_by_their_id() -> None:
    model = KitModel()
    model.show_rows(KITS)

    assert model.row_of(9) == 1
    assert model.row_of(8) is None
    assert model.record_id(0) == 7
    assert model.record(1) is KITS[1]
    assert model.records() == KITS


def test_headers_come_from_the_columns() -> None:
    model = KitModel()

    assert model.columnCount() == 3
    assert model.headerData(1, Qt.Orientation.Horizontal) == "State"
    assert model.headerData(3, Qt.Orientation.Horizontal) is None
    assert model.headerData(0, Qt.Orientation.Vertical) is None


def test_rows_without_an_id_give_none_under_the_id_role() -> None:
    model = Lines()
    model.show_rows(["one", "two"])

    assert model.rowCount() == 2
    assert model.index(1, 0).data() == "two"
    assert model.index(1, 0).data(ID_ROLE) is None
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags


def test_the_models_pass_qt_model_tester(qtmodeltester: ModelTester) -> None:
    kits = KitModel()
    kits.show_rows(KITS)
    qtmodeltester.check(kits)  # type: ignore[no-untyped-call]
    lines = Lines()
    lines.show_rows(["one"])
    qtmodeltester.check(lines)  # type: ignore[no-untyped-call]
