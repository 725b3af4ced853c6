"""The Reports view on the demo data: pick a report, set a period, read the chart and the
table, export CSV and print to PDF; and the PDF layout of a long or wide report.

Figures are checked against ``app.reports.service.build_report`` for the same report, period and
agency, so the view is proved to show what the engine works out, not a copy of it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFont
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.core.actor import Actor
from app.core.clock import now_utc, today_uk
from app.reports.period import Period, QuickPeriod, default_period, quick_period
from app.reports.report import (
    Chart,
    ChartKind,
    Column,
    ColumnKind,
    Report,
    ReportKey,
    Series,
    display,
)
from app.reports.service import build_report, report_specs
from app.storage.database import Database
from models import Agency, Role
from tests.disk_full import file_size_limit
from ui.reports import view as reports_view
from ui.reports.printing import write_report_pdf
from ui.reports.view import DESCRIPTION_ROLE, ReportsView

ADMINISTRATOR = Actor("Test Administrator (test)", role=Role.ADMINISTRATOR)
LONG_AGO = Period(date(2001, 1, 1), date(2001, 12, 31))
A4_POINTS = (595.3, 841.9)


def open_view(qtbot: QtBot, db: Database, actor: Actor | None = ADMINISTRATOR) -> ReportsView:
    view = ReportsView(db, actor)
    # One moment for the view and the figures it is checked against: loans still out
    # count their days up to now.
    moment = now_utc()
    view.now = lambda: moment
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    qtbot.waitExposed(view)
    return view


def expected(
    view: ReportsView, db: Database, key: ReportKey, agency_id: int | None = None
) -> Report:
    assert view.actor is not None
    return build_report(db, key, view.period, actor=view.actor, agency_id=agency_id, now=view.now())


def table_text(view: ReportsView) -> list[list[str]]:
    model = view.model
    return [
        [str(model.index(row, column).data()) for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def report_text(report: Report) -> list[list[str]]:
    lines = list(report.rows) + ([report.totals] if report.totals is not None else [])
    return [
        [
            "" if value is None else display(value, column.kind)
            for value, column in zip(line, report.columns, strict=True)
        ]
        for line in lines
    ]


def chart_total(report: Report) -> float:
    assert report.chart is not None
    return sum(sum(series.values) for series in report.chart.series)


def pdf_text(path: Path) -> list[str]:
    return [
        re.sub(r"\s+", " ", unicodedata.normalize("NFKC", page.extract_text()))
        for page in PdfReader(path).pages
    ]


def agency_id(db: Database, code: str) -> int:
    with db.read() as session:
        found = session.scalar(select(Agency.id).where(Agency.code == code))
    assert found is not None
    return found


# -- the view --------------------------------------------------------------------------------


def test_the_view_lists_every_report_and_builds_the_first_when_shown(
    qtbot: QtBot, demo: Database
) -> None:
    view = ReportsView(demo, ADMINISTRATOR)
    qtbot.addWidget(view)
    specs = report_specs()

    listed = [view.report_list.item(row) for row in range(view.report_list.count())]

    assert [item.text() for item in listed] == [spec.title for spec in specs]
    assert [item.data(DESCRIPTION_ROLE) for item in listed] == [s.description for s in specs]
    assert {spec.key for spec in specs} == set(ReportKey)
    assert view.report_list.currentRow() == 0
    # Nothing is read from the database until the view is first shown.
    assert view.report is None

    view.show()
    qtbot.waitExposed(view)

    assert view.report is not None
    assert view.report.key is specs[0].key
    assert view.period == default_period(today_uk())
    assert view.model.rowCount() >= len(view.report.rows)


def test_each_person_sees_only_the_reports_they_may_read(qtbot: QtBot, demo: Database) -> None:
    duty = Actor("Duty Officer (duty)", role=Role.DUTY_OFFICER)
    manager = Actor("Equipment Manager (manager)", role=Role.EQUIPMENT_MANAGER)

    def listed(view: ReportsView) -> list[str]:
        return [view.report_list.item(row).text() for row in range(view.report_list.count())]

    view = open_view(qtbot, demo, duty)
    assert "Qualifications expiring" not in listed(view)
    assert "Inspections due" in listed(view)

    view.set_actor(manager)
    assert "Qualifications expiring" in listed(view)
    view.select_report(ReportKey.QUALIFICATIONS_EXPIRING)
    assert view.spec.key is ReportKey.QUALIFICATIONS_EXPIRING

    # Handed to a duty officer, the list drops it and shows the first report instead.
    view.set_actor(duty)
    assert "Qualifications expiring" not in listed(view)
    assert view.spec.key is report_specs()[0].key
    assert view.report is not None
    assert view.report.key is view.spec.key


def test_choosing_a_report_builds_its_table_and_chart(qtbot: QtBot, demo: Database) -> None:
    view = open_view(qtbot, demo)
    view.set_period(quick_period(QuickPeriod.LAST_12_MONTHS, today_uk()))

    for row, spec in enumerate(report_specs()):
        view.report_list.setCurrentRow(row)

        report = view.report
        assert report is not None
        assert report == expected(view, demo, spec.key)
        assert view.title_label.text() == report.title
        assert view.subtitle_label.text() == report.subtitle
        headers = [
            view.model.headerData(column, Qt.Orientation.Horizontal)
            for column in range(view.model.columnCount())
        ]
        assert headers == [column.title for column in report.columns]
        assert table_text(view) == report_text(report)
        assert view.chart_widget.chart() == report.chart
        assert view.chart_widget.isVisibleTo(view) == (report.chart is not None)
        assert view.notes_label.text() == "\n".join(report.notes)


def test_the_period_changes_the_figures(qtbot: QtBot, demo: Database) -> None:
    view = open_view(qtbot, demo)
    view.select_report(ReportKey.LOANS_PER_MONTH)

    view.set_period(quick_period(QuickPeriod.LAST_12_MONTHS, today_uk()))
    recent = view.report
    view.set_period(LONG_AGO)
    long_ago = view.report

    assert recent is not None
    assert long_ago is not None
    assert chart_total(recent) > 0  # the demo's loans fall in the last year
    assert chart_total(long_ago) == 0
    assert long_ago == expected(view, demo, ReportKey.LOANS_PER_MONTH)
    assert table_text(view) == report_text(long_ago)
    assert view.quick_combo.currentText() == reports_view.CUSTOM_PERIOD


def test_a_quick_choice_sets_the_dates_and_builds_at_once(qtbot: QtBot, demo: Database) -> None:
    view = open_view(qtbot, demo)
    view.select_report(ReportKey.LOANS_PER_MONTH)
    view.set_period(LONG_AGO)

    view.choose_quick_period(QuickPeriod.LAST_FINANCIAL_YEAR)

    wanted = quick_period(QuickPeriod.LAST_FINANCIAL_YEAR, today_uk())
    assert view.period == wanted
    assert view.from_edit.text() == wanted.start.strftime("%d/%m/%Y")
    assert view.report == expected(view, demo, ReportKey.LOANS_PER_MONTH)
    assert view.quick_combo.currentText() == QuickPeriod.LAST_FINANCIAL_YEAR.value


def test_typed_dates_build_after_a_pause_and_a_backwards_period_is_refused(
    qtbot: QtBot, demo: Database
) -> None:
    view = open_view(qtbot, demo)
    view.select_report(ReportKey.LOANS_PER_MONTH)
    view.set_period(LONG_AGO)
    before = view.report

    start = today_uk() - timedelta(days=200)
    view.from_edit.setDate(QDate(start.year, start.month, start.day))
    view.to_edit.setDate(QDate(today_uk().year, today_uk().month, today_uk().day))

    qtbot.waitUntil(lambda: view.report is not before)
    assert view.report == expected(view, demo, ReportKey.LOANS_PER_MONTH)
    shown = view.report

    view.from_edit.setDate(QDate(2030, 1, 1))
    view.to_edit.setDate(QDate(2029, 1, 1))
    assert view.rebuild() is False
    assert view.error_label.isVisibleTo(view)
    assert "01/01/2030" in view.error_label.text()
    assert "01/01/2029" in view.error_label.text()
    assert view.report is shown  # what was shown stays until the dates make sense

    view.set_period(LONG_AGO)
    assert not view.error_label.isVisibleTo(view)


def test_reports_about_today_have_no_period_to_set(qtbot: QtBot, demo: Database) -> None:
    view = open_view(qtbot, demo)
    now_reports = [spec for spec in report_specs() if not spec.uses_period]
    period_reports = [spec for spec in report_specs() if spec.uses_period]
    assert now_reports
    assert period_reports

    view.select_report(now_reports[0].key)
    assert not view.from_edit.isEnabled()
    assert not view.quick_combo.isEnabled()
    assert view.period_hint.isVisibleTo(view)

    view.select_report(period_reports[0].key)
    assert view.from_edit.isEnabled()
    assert view.to_edit.isEnabled()
    assert not view.period_hint.isVisibleTo(view)


def test_only_my_agency_narrows_the_report_to_the_actors_agency(
    qtbot: QtBot, demo: Database
) -> None:
    fire = agency_id(demo, "CAMBS-FRS")
    manager = Actor("Fran Whitmore (manager)", role=Role.EQUIPMENT_MANAGER, agency_id=fire)
    view = open_view(qtbot, demo, manager)
    view.select_report(ReportKey.LOANS_PER_MONTH)
    view.set_period(quick_period(QuickPeriod.LAST_12_MONTHS, today_uk()))
    assert view.agency_check.isVisibleTo(view)
    everyone = view.report

    view.agency_check.click()

    assert view.agency_id == fire
    assert view.report == expected(view, demo, ReportKey.LOANS_PER_MONTH, agency_id=fire)
    assert view.report != everyone

    # Someone with no agency of their own is not offered the choice.
    view.set_actor(ADMINISTRATOR)
    assert not view.agency_check.isVisibleTo(view)
    assert view.agency_id is None
    assert view.report == expected(view, demo, ReportKey.LOANS_PER_MONTH)


def test_figures_are_right_aligned_and_the_totals_row_is_bold(
    qtbot: QtBot, demo: Database, qtmodeltester: object
) -> None:
    view = open_view(qtbot, demo)
    view.set_period(quick_period(QuickPeriod.LAST_12_MONTHS, today_uk()))
    with_totals = [
        spec.key for spec in report_specs() if expected(view, demo, spec.key).totals is not None
    ]
    assert with_totals
    view.select_report(with_totals[0])
    report = view.report
    assert report is not None
    model = view.model
    last = model.rowCount() - 1

    font = model.index(last, 0).data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont)
    assert font.bold()
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole) is None or last == 0
    for number, column in enumerate(report.columns):
        alignment = Qt.AlignmentFlag(model.index(0, number).data(Qt.ItemDataRole.TextAlignmentRole))
        numeric = column.kind in (
            ColumnKind.COUNT,
            ColumnKind.DAYS,
            ColumnKind.PERCENT,
            ColumnKind.MONEY,
        )
        assert bool(alignment & Qt.AlignmentFlag.AlignRight) == numeric
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_export_csv_writes_the_rows_shown(qtbot: QtBot, demo: Database, tmp_path: Path) -> None:
    view = open_view(qtbot, demo)
    view.select_report(ReportKey.LOANS_PER_MONTH)
    view.set_period(quick_period(QuickPeriod.LAST_12_MONTHS, today_uk()))
    asked: list[Path] = []
    target = tmp_path / "loans.csv"

    def ask_path(suggested: Path) -> str:
        asked.append(suggested)
        return str(target)

    view.ask_path = ask_path

    with qtbot.waitSignal(view.exported) as saved:
        QTest.mouseClick(view.export_button, Qt.MouseButton.LeftButton)

    report = view.report
    assert report is not None
    assert asked
    assert asked[0].name.startswith(ReportKey.LOANS_PER_MONTH.value)
    assert asked[0].suffix == ".csv"
    with target.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == [column.title for column in report.columns]
    assert len(lines) - 1 >= len(report.rows)
    assert str(target) in view.status_label.text()
    assert saved.args == [view.status_label.text()]

    # Cancelling the question saves nothing.
    view.ask_path = lambda _suggested: None
    other = tmp_path / "not-saved.csv"
    assert view.export_csv() is None
    assert not other.exists()


def test_print_to_pdf_writes_the_title_and_the_figures(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    view = open_view(qtbot, demo)
    view.select_report(ReportKey.LOANS_PER_MONTH)
    view.set_period(quick_period(QuickPeriod.LAST_12_MONTHS, today_uk()))
    target = tmp_path / "loans.pdf"
    view.ask_path = lambda suggested: str(target) if suggested.suffix == ".pdf" else None

    QTest.mouseClick(view.pdf_button, Qt.MouseButton.LeftButton)

    report = view.report
    assert report is not None
    pages = pdf_text(target)
    assert report.title in pages[0]
    assert report.subtitle.split(" ")[0] in pages[0]
    first = report_text(report)[0]
    assert all(cell in pages[0] for cell in first if cell)
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert "page" in view.status_label.text()


def test_an_export_that_cannot_be_written_is_explained(
    qtbot: QtBot, demo: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, demo)
    shown: list[str] = []
    monkeypatch.setattr(
        reports_view, "show_error", lambda _parent, error, _title: shown.append(error.message)
    )

    assert view.export_pdf(tmp_path / "no-such-folder" / "report.pdf") is None

    assert shown
    assert "does not exist" in shown[0]
    assert not (tmp_path / "no-such-folder").exists()


def test_a_report_pdf_onto_a_full_disk_is_not_reported_as_saved(
    qtbot: QtBot, demo: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, demo)
    folder = tmp_path / "reports"
    folder.mkdir()
    path = folder / "report.pdf"
    pages = view.export_pdf(path)
    assert pages is not None
    before, said = path.read_bytes(), view.status_label.text()
    shown: list[str] = []
    monkeypatch.setattr(
        reports_view, "show_error", lambda _parent, error, _title: shown.append(error.message)
    )

    with file_size_limit(len(before) // 2):
        assert view.export_pdf(path) is None

    assert shown == [
        f"Kit Share could not save {path} because the disk is full (File too large), and any "
        "earlier report.pdf is unchanged; free some space or choose another folder, then try "
        "again."
    ]
    assert view.status_label.text() == said
    assert path.read_bytes() == before
    assert list(folder.iterdir()) == [path]


# -- the printed report ----------------------------------------------------------------------


def long_report(rows: int, columns: int = 3) -> Report:
    kinds = (ColumnKind.TEXT, ColumnKind.COUNT, ColumnKind.MONEY)
    titles = ("Item", "Loans", "Value")
    extra = tuple(Column(f"Extra column {n}", ColumnKind.TEXT) for n in range(columns - 3))
    return Report(
        key=ReportKey.MOST_LENT,
        title="Kit most lent",
        subtitle="01/04/2026 to 21/11/2026 · all agencies",
        columns=tuple(Column(t, k) for t, k in zip(titles, kinds, strict=True)) + extra,
        rows=tuple(
            (f"Item number {n}", n, n * 1000, *("A rather long piece of text" for _ in extra))
            for n in range(rows)
        ),
        chart=Chart(
            ChartKind.HORIZONTAL,
            ("Item number 1", "Item number 2"),
            (Series("Loans", (1.0, 2.0)),),
            "Loans",
        ),
        notes=("Loans count once however many days they ran.",),
        totals=("Total", sum(range(rows)), None, *("" for _ in extra)),
    )


def test_a_long_table_runs_over_pages_repeating_its_header(
    qapp: QApplication, tmp_path: Path
) -> None:
    path = tmp_path / "long.pdf"

    pages = write_report_pdf(long_report(150), path)

    texts = pdf_text(path)
    assert pages == len(texts) > 1
    for number, text in enumerate(texts, start=1):
        assert "Item Loans Value" in text
        assert f"Page {number} of {pages}" in text
    assert "Kit most lent" in texts[0]
    assert "Item number 149" in texts[-1]
    assert display(sum(range(150)), ColumnKind.COUNT) in texts[-1]
    assert "Loans count once" in texts[-1]
    # Every row printed once.
    everything = " ".join(texts)
    assert all(f"Item number {n} " in everything for n in range(150))
    width, height = (float(v) for v in PdfReader(path).pages[0].mediabox[2:])
    assert (width, height) == pytest.approx(A4_POINTS, abs=1)


def test_a_wide_table_turns_the_page_to_landscape(qapp: QApplication, tmp_path: Path) -> None:
    narrow, wide = tmp_path / "narrow.pdf", tmp_path / "wide.pdf"

    write_report_pdf(long_report(3), narrow)
    write_report_pdf(replace(long_report(3, columns=7), title="Wide"), wide)

    narrow_box = PdfReader(narrow).pages[0].mediabox
    wide_box = PdfReader(wide).pages[0].mediabox
    assert float(narrow_box.width) < float(narrow_box.height)
    assert float(wide_box.width) > float(wide_box.height)
