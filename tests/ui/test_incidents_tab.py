"""The Incidents tab and the incident dialog, driven by keys and clicks (issue 7, item 4)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTableWidget,
    QTabWidget,
)

from desktop.services import incidents
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.ui.case_tabs.chronology_tab import ChronologyTab
from desktop.ui.case_tabs.incidents_tab import IncidentsTab
from desktop.ui.incident_dialog import IncidentDialog
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import open_parent_case, record_first_kind
from tests.services.staffing import add_staff
from tests.ui.case_tab_support import click_save, closed
from tests.ui.dates import type_date_time
from tests.ui.fakes import FakeBackend
from tests.ui.typing import choose, click, click_into, click_row, press, type_into

WHEN = dt.datetime(2026, 1, 5, 8, 40, tzinfo=dt.UTC)


@pytest.fixture
def case(session: UserSession) -> CaseRow:
    return open_parent_case(session, "Pat", "Quinn")


@pytest.fixture
def staff(session: UserSession) -> dict[str, int]:
    return {
        "jo": add_staff(session, "Jo Smith"),
        "sam": add_staff(session, "Sam Lee", job_title="Business manager"),
        "bea": add_staff(session, "Bea Birch", school_id=2),
    }


def _window(
    qtbot, session: UserSession, case: CaseRow
) -> tuple[QTabWidget, IncidentsTab, ChronologyTab]:
    window = QTabWidget()
    qtbot.addWidget(window)
    incidents_tab = IncidentsTab(session, case.id)
    chronology_tab = ChronologyTab(session, case.id)
    window.addTab(incidents_tab, incidents_tab.title)
    window.addTab(chronology_tab, chronology_tab.title)
    window.resize(1000, 640)
    window.show()
    qtbot.waitExposed(window)
    return window, incidents_tab, chronology_tab


def _reloaded(qtbot, tab, rows: int) -> None:
    table = tab.findChild(QTableWidget, "incidentsTable") or tab.findChild(
        QTableWidget, "eventsTable"
    )
    qtbot.waitUntil(lambda: table.rowCount() == rows, timeout=5000)


def _open_dialog(qtbot, tab: IncidentsTab, how: str = "button") -> IncidentDialog:
    if how == "button":
        click(qtbot, tab.findChild(type(tab.record_button), "recordIncidentButton"))
    else:
        click_row(qtbot, tab.findChild(QTableWidget, "incidentsTable"), 0)
        press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _dialog(tab) is not None and _dialog(tab).isVisible(), timeout=5000)
    dialog = _dialog(tab)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    qtbot.waitUntil(lambda: dialog.findChild(QListWidget, "categoryList").count() > 0, timeout=5000)
    return dialog


def _dialog(tab) -> IncidentDialog | None:
    found = [d for d in tab.findChildren(IncidentDialog) if d.isVisible()]
    return found[0] if found else None


def _shouted_at_jo(session: UserSession, case: CaseRow, staff: dict[str, int]) -> None:
    record_first_kind(
        session, case, WHEN, "on_site", "Shouted at the gate.", staff_targeted_ids=[staff["jo"]]
    )


def _type_when(qtbot, dialog: IncidentDialog, text: str) -> None:
    """Type a date and time the way a person does: select the day, then type it all."""
    edit = dialog.findChild(QDateTimeEdit, "occurredEdit")
    type_date_time(qtbot, edit, text)
    assert edit.dateTime().toString("dd/MM/yyyy HH:mm") == text


def _tick_rows(qtbot, view: QListWidget, texts: list[str]) -> None:
    for text in texts:
        [item] = view.findItems(text, Qt.MatchFlag.MatchStartsWith)
        click_row(qtbot, view, view.row(item))
        press(qtbot, Qt.Key.Key_Space)
        assert item.checkState() == Qt.CheckState.Checked


def test_record_an_incident_with_two_categories_and_a_targeted_member_of_staff(
    qtbot, session: UserSession, case: CaseRow, staff, messenger: FakeBackend
) -> None:
    window, tab, chronology_tab = _window(qtbot, session, case)
    qtbot.waitUntil(lambda: tab.findChild(QLabel, "emptyNote").isVisible(), timeout=5000)
    dialog = _open_dialog(qtbot, tab)
    offered = dialog.findChild(QListWidget, "staffList")
    assert [offered.item(i).text() for i in range(offered.count())] == [
        "Jo Smith (Class teacher, Ash Primary)",
        "Sam Lee (Business manager, Ash Primary)",
    ]  # Birch Academy's staff are not offered on an Ash Primary case

    _type_when(qtbot, dialog, "05/01/2026 08:40")
    choose(qtbot, dialog.findChild(QComboBox, "channelCombo"), "Telephone")
    type_into(qtbot, dialog.findChild(QLineEdit, "locationEdit"), "School office")
    type_into(
        qtbot,
        dialog.findChild(QPlainTextEdit, "descriptionEdit"),
        "Rang the office and shouted at Mrs O'Brien-Żółć.",
    )
    type_into(qtbot, dialog.findChild(QPlainTextEdit, "witnessesEdit"), "Zoë Ashe\nSam Lee")
    _tick_rows(
        qtbot,
        dialog.findChild(QListWidget, "categoryList"),
        ["Threat of violence or harm", "Abusive or offensive language"],
    )
    _tick_rows(qtbot, offered, ["Jo Smith"])
    click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: closed(dialog), timeout=5000)
    _reloaded(qtbot, tab, 1)

    [row] = incidents.list_incidents(session, case_id=case.id)
    assert row.occurred_at == WHEN and row.channel == "telephone"
    assert [c.name for c in row.categories] == [
        "Threat of violence or harm",
        "Abusive or offensive language, shouting or loss of temper",
    ]
    assert [s.name for s in row.staff_targeted] == ["Jo Smith"]
    assert row.witnesses == ("Zoë Ashe", "Sam Lee")
    assert row.description == "Rang the office and shouted at Mrs O'Brien-Żółć."
    table = tab.findChild(QTableWidget, "incidentsTable")
    assert table.item(0, 0).text() == "05/01/2026 08:40"
    assert table.item(0, 1).text() == "Telephone"
    assert table.item(0, 3).text() == "Jo Smith"
    targets = tab.findChild(QTableWidget, "targetsTable")
    assert targets.rowCount() == 1 and targets.item(0, 3).text() == "Not yet (one incident)"
    assert not tab.findChild(QLabel, "emptyNote").isVisible()

    # The chronology shows the new entry once it reloads.
    window.setCurrentWidget(chronology_tab)
    chronology_tab.reload()
    _reloaded(qtbot, chronology_tab, 1)
    events = chronology_tab.findChild(QTableWidget, "eventsTable")
    assert events.item(0, 1).text() == "Incident"
    assert events.item(0, 2).text().startswith("Incident: Threat of violence or harm")
    assert not [m for m in messenger.said if m[0] == "warn"]


def test_a_second_incident_against_the_same_person_is_a_course_of_conduct(
    qtbot, session: UserSession, case: CaseRow, staff
) -> None:
    _shouted_at_jo(session, case, staff)
    _window_, tab, _chronology = _window(qtbot, session, case)
    _reloaded(qtbot, tab, 1)
    dialog = _open_dialog(qtbot, tab)
    _type_when(qtbot, dialog, "06/01/2026 15:10")
    type_into(
        qtbot, dialog.findChild(QPlainTextEdit, "descriptionEdit"), "Followed her to the car."
    )
    _tick_rows(qtbot, dialog.findChild(QListWidget, "categoryList"), ["Intimidation"])
    _tick_rows(qtbot, dialog.findChild(QListWidget, "staffList"), ["Jo Smith", "Sam Lee"])
    click_save(qtbot, dialog)
    _reloaded(qtbot, tab, 2)
    targets = tab.findChild(QTableWidget, "targetsTable")
    qtbot.waitUntil(lambda: targets.rowCount() == 2, timeout=5000)
    assert targets.item(0, 0).text().startswith("Jo Smith")
    assert targets.item(0, 1).text() == "2"
    assert targets.item(0, 2).text() == "05/01/2026, 06/01/2026"
    assert targets.item(0, 3).text() == "Course of conduct (2 incidents)"
    assert targets.item(1, 3).text() == "Not yet (one incident)"


def test_an_immediate_threat_asks_for_the_referral_first(
    qtbot, session: UserSession, case: CaseRow, staff, messenger: FakeBackend
) -> None:
    _window_, tab, _chronology = _window(qtbot, session, case)
    dialog = _open_dialog(qtbot, tab)
    note = dialog.findChild(QLabel, "referralNote")
    police = dialog.findChild(QCheckBox, "agency_police")
    assert not note.isVisible()
    _type_when(qtbot, dialog, "05/01/2026 08:40")
    type_into(qtbot, dialog.findChild(QPlainTextEdit, "descriptionEdit"), "Threatened to hit Jo.")
    _tick_rows(qtbot, dialog.findChild(QListWidget, "categoryList"), ["Threat of violence"])
    threat = dialog.findChild(QCheckBox, "immediateThreatCheck")
    click_into(qtbot, threat)
    press(qtbot, Qt.Key.Key_Space)
    assert threat.isChecked() and note.isVisible()
    assert police.hasFocus()  # the referral is asked for first

    # Saving without the referral is refused, and nothing typed is lost.
    click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: any(m[0] == "warn" for m in messenger.said), timeout=5000)
    assert "police" in messenger.said[-1][2] and dialog.isVisible()
    assert police.hasFocus()
    assert incidents.list_incidents(session, case_id=case.id) == []

    press(qtbot, Qt.Key.Key_Space)  # tick Police, which has the focus
    assert dialog.findChild(QLineEdit, "agencyRef_police").isEnabled()
    type_into(qtbot, dialog.findChild(QLineEdit, "agencyRef_police"), "CAD 4411")
    click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: closed(dialog), timeout=5000)
    [row] = incidents.list_incidents(session, case_id=case.id)
    assert row.immediate_threat and row.agencies[0].agency == "police"
    assert row.agencies[0].reference == "CAD 4411"


def test_a_refused_incident_keeps_the_dialog_open_on_the_field(
    qtbot, session: UserSession, case: CaseRow, staff, messenger: FakeBackend
) -> None:
    _window_, tab, _chronology = _window(qtbot, session, case)
    dialog = _open_dialog(qtbot, tab)
    type_into(qtbot, dialog.findChild(QPlainTextEdit, "descriptionEdit"), "Shouted.")
    click_save(qtbot, dialog)  # no behaviour ticked
    qtbot.waitUntil(lambda: len(messenger.said) == 1, timeout=5000)
    assert messenger.said[0][2] == "Choose at least one kind of behaviour."
    assert dialog.isVisible() and dialog.findChild(QListWidget, "categoryList").hasFocus()
    assert dialog.findChild(QPlainTextEdit, "descriptionEdit").toPlainText() == "Shouted."


def test_enter_changes_an_incident_with_a_reason(
    qtbot, new_store: SetupResult, store_path: Path, case: CaseRow, staff
) -> None:
    admin = new_store.session
    _shouted_at_jo(admin, case, staff)
    manager = sign_in_new_user(new_store, store_path, "bm", "business_manager")
    try:
        _window_, tab, _chronology = _window(qtbot, manager, case)
        _reloaded(qtbot, tab, 1)
        dialog = _open_dialog(qtbot, tab, how="enter")
        reason = dialog.findChild(QLineEdit, "reasonEdit")
        assert reason.isVisible()
        assert dialog.findChild(QListWidget, "staffList").item(0).checkState() == (
            Qt.CheckState.Checked
        )
        type_into(
            qtbot,
            dialog.findChild(QPlainTextEdit, "descriptionEdit"),
            "Shouted and swore at the gate.",
        )
        type_into(qtbot, reason, "The witness heard swearing too.")
        click_save(qtbot, dialog)
        qtbot.waitUntil(lambda: closed(dialog), timeout=5000)
        table = tab.findChild(QTableWidget, "incidentsTable")
        qtbot.waitUntil(lambda: table.item(0, 5).text() == "Edited (2 versions)", timeout=5000)
    finally:
        manager.close()
    [row] = incidents.list_incidents(admin, case_id=case.id)
    assert row.description == "Shouted and swore at the gate." and row.versions == 2


def test_a_read_only_role_cannot_record(
    qtbot, new_store: SetupResult, store_path: Path, case: CaseRow
) -> None:
    auditor = sign_in_new_user(new_store, store_path, "aud", "auditor", schools=())
    try:
        _window_, tab, _chronology = _window(qtbot, auditor, case)
        qtbot.waitUntil(lambda: tab.findChild(QLabel, "emptyNote").isVisible(), timeout=5000)
        assert not tab.record_button.isEnabled() and not tab.edit_button.isEnabled()
    finally:
        auditor.close()


def test_ctrl_return_saves_from_the_description(qtbot, session: UserSession, case: CaseRow) -> None:
    """Enter types a new line in the description, so the keyboard saves with Ctrl+Return
    (found driving the real window with xdotool: Alt+S goes to "Staff targeted")."""
    window, tab, _ = _window(qtbot, session, case)
    qtbot.waitUntil(lambda: tab.findChild(QLabel, "emptyNote").isVisible(), timeout=5000)
    dialog = _open_dialog(qtbot, tab)
    _tick_rows(qtbot, dialog.findChild(QListWidget, "categoryList"), ["Threat of violence or harm"])
    type_into(qtbot, dialog.findChild(QPlainTextEdit, "descriptionEdit"), "Shouted at the gate.")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: closed(dialog), timeout=5000)
    _reloaded(qtbot, tab, 1)
    [row] = incidents.list_incidents(session, case_id=case.id)
    assert row.description == "Shouted at the gate."
