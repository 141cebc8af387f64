"""The annual board report dialog, driven by keys and clicks over a real encrypted store: the
period it starts with, making the report in the background and seeing it, the named
appendix and its warning, schools unticked, a period typed backwards, saving the PDF and
the CSV, printing (into a PDF file in place of the print dialog), and the Reports menu."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from desktop.dates import format_date, uk_today
from desktop.domain.reporting import last_school_year
from desktop.services.session import UserSession
from desktop.ui.main_menus import build_actions, build_menus_and_toolbar
from desktop.ui.report_dialog import NAMED_WARNING, ReportDialog
from tests.pdfutil import pdf_text
from tests.services.case_support import audit_details
from tests.services.sanction_support import case_with_incidents
from tests.ui.dates import type_date_time
from tests.ui.fakes import FakeBackend
from tests.ui.letter_support import FakePrintDialog, print_dialog  # noqa: F401 - a fixture
from tests.ui.typing import click, click_row, press, tick


@pytest.fixture
def dialog(qtbot, session: UserSession) -> ReportDialog:
    """The dialog as the data protection lead opens it, over Dana Driver's case at Ash
    Primary (two incidents in January 2026), with both schools listed."""
    case_with_incidents(session, 2)
    shown = ReportDialog(session)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    qtbot.waitUntil(lambda: shown.school_list.count() == 2, timeout=5000)
    return shown


def _school_year(qtbot, dialog: ReportDialog) -> None:
    type_date_time(qtbot, dialog.from_edit, "01/09/2025")
    type_date_time(qtbot, dialog.to_edit, "31/08/2026")


def _make(qtbot, dialog: ReportDialog) -> None:
    with qtbot.waitSignal(dialog.made, timeout=20000):
        click(qtbot, dialog.make_button)


def test_it_starts_on_the_last_school_year_with_every_school(dialog: ReportDialog) -> None:
    year = last_school_year(uk_today())
    assert dialog.from_edit.text() == format_date(year.start)
    assert dialog.to_edit.text() == format_date(year.end)
    names = [dialog.school_list.item(i).text() for i in range(2)]
    assert names == ["Ash Primary", "Birch Academy"]
    assert all(dialog.school_list.item(i).checkState() == Qt.CheckState.Checked for i in range(2))
    assert not dialog.named_warning.isVisible() and not dialog.preview.isVisible()
    for button in (dialog.print_button, dialog.save_pdf_button, dialog.save_csv_button):
        assert not button.isEnabled()


def test_making_the_report_shows_it_and_saves_it(
    qtbot,
    dialog: ReportDialog,
    session: UserSession,
    messenger: FakeBackend,
    tmp_path: Path,
) -> None:
    _school_year(qtbot, dialog)
    _make(qtbot, dialog)
    assert dialog.preview.isVisible() and dialog.preview.pages >= 2
    assert "anonymised" in dialog.status.text()
    text = pdf_text(dialog.pdf)
    assert "Dana" not in text and "fewer than 5" in text
    assert "1 September 2025 to 31 August 2026" in text

    messenger.paths.append(tmp_path / "board")  # no suffix typed: .pdf is added
    click(qtbot, dialog.save_pdf_button)
    saved_pdf = tmp_path / "board.pdf"
    qtbot.waitUntil(saved_pdf.exists, timeout=10000)
    qtbot.waitUntil(lambda: dialog.save_csv_button.isEnabled(), timeout=5000)
    assert saved_pdf.read_bytes() == dialog.pdf
    messenger.paths.append(tmp_path / "board.csv")
    click(qtbot, dialog.save_csv_button)
    saved_csv = tmp_path / "board.csv"
    qtbot.waitUntil(saved_csv.exists, timeout=10000)
    rows = {r[1]: r[2:] for r in csv.reader(io.StringIO(saved_csv.read_text("utf-8-sig")))}
    assert rows["Incidents recorded"] == ["fewer than 5", "0", "not shown"]
    qtbot.waitUntil(lambda: len(audit_details(session, "report.annual_saved")) == 2)
    suggested = [text for kind, _title, text in messenger.said if kind == "save_path"]
    assert suggested[0].endswith("Board report 2025-09-01 to 2026-08-31.pdf")
    assert any(kind == "info" and "not encrypted" in text for kind, _t, text in messenger.said)


def test_the_named_appendix_is_warned_about_and_made_only_when_ticked(
    qtbot, dialog: ReportDialog, session: UserSession
) -> None:
    _school_year(qtbot, dialog)
    tick(qtbot, dialog.named_check)
    assert dialog.named_check.isChecked() and dialog.named_warning.isVisible()
    assert dialog.named_warning.text() == NAMED_WARNING
    _make(qtbot, dialog)
    text = pdf_text(dialog.pdf)
    assert "Dana Driver" in text and "This appendix contains personal data" in text
    assert "named appendix (personal data)" in dialog.status.text()
    assert audit_details(session, "report.annual_made")[-1]["named"] is True


def test_unticking_a_school_sets_the_old_report_aside(qtbot, dialog: ReportDialog) -> None:
    _school_year(qtbot, dialog)
    _make(qtbot, dialog)
    click_row(qtbot, dialog.school_list, 1)
    press(qtbot, Qt.Key.Key_Space)
    assert dialog.school_list.item(1).checkState() == Qt.CheckState.Unchecked
    assert not dialog.preview.isVisible() and not dialog.save_pdf_button.isEnabled()
    assert "make the report again" in dialog.status.text()
    _make(qtbot, dialog)
    assert dialog.report is not None and dialog.report.schools == ("Ash Primary",)
    assert "Birch Academy" not in pdf_text(dialog.pdf)


def test_no_school_ticked_is_refused_in_words(
    qtbot, dialog: ReportDialog, messenger: FakeBackend
) -> None:
    for row in (0, 1):
        click_row(qtbot, dialog.school_list, row)
        press(qtbot, Qt.Key.Key_Space)
    click(qtbot, dialog.make_button)
    assert ("warn", "Annual board report", "Tick at least one school to report on.") in (
        messenger.said
    )
    assert dialog.report is None


def test_a_period_typed_backwards_is_refused(
    qtbot, dialog: ReportDialog, messenger: FakeBackend
) -> None:
    type_date_time(qtbot, dialog.from_edit, "31/08/2026")
    type_date_time(qtbot, dialog.to_edit, "01/09/2025")
    click(qtbot, dialog.make_button)
    qtbot.waitUntil(lambda: any(kind == "warn" for kind, _t, _x in messenger.said), timeout=10000)
    (warning,) = [text for kind, _t, text in messenger.said if kind == "warn"]
    assert "before it starts" in warning
    assert dialog.report is None and dialog.make_button.isEnabled()
    assert dialog.to_edit.hasFocus()


def test_printing_records_it(
    qtbot,
    dialog: ReportDialog,
    session: UserSession,
    print_dialog: FakePrintDialog,  # noqa: F811 - the fixture imported above
) -> None:
    _school_year(qtbot, dialog)
    _make(qtbot, dialog)
    print_dialog.answers.append(False)  # Cancel at the print dialog: nothing is recorded
    click(qtbot, dialog.print_button)
    assert audit_details(session, "report.annual_printed") == []
    print_dialog.answers.append(True)
    click(qtbot, dialog.print_button)
    qtbot.waitUntil(lambda: dialog.status.text() == "Sent to the printer.", timeout=10000)
    assert len(audit_details(session, "report.annual_printed")) == 1
    assert print_dialog.files[0].stat().st_size > 0


def test_the_reports_menu_offers_the_annual_report(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    build_actions(window)
    build_menus_and_toolbar(window)
    menus = {action.text(): action.menu() for action in window.menuBar().actions()}
    reports = menus["&Reports"]
    named = [a.objectName() for a in reports.actions() if not a.isSeparator()]
    assert named == [
        "annualReportAction",
        "subjectAccessAction",
        "disclosureLogAction",
        "retentionAction",
        "auditAction",
    ]
    action = reports.actions()[0]
    assert action is window.annual_report_action
    assert action.text() == "&Annual board report…"
