"""The Reports menu opens the records windows by keyboard for the roles the permission
table allows, greys them for the others, and locking closes every one of them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from desktop.domain.roles import Operation, Role, is_permitted
from desktop.services import auth, cases
from desktop.services.setup import SetupResult
from desktop.services.users import add_user
from desktop.ui.audit_viewer import AuditViewer
from desktop.ui.disclosure_log import DisclosureLog
from desktop.ui.main_window import MainWindow
from desktop.ui.retention_window import RetentionWindow
from desktop.ui.subject_access_window import SubjectAccessWindow
from tests.conftest import ADMIN_PASSWORD
from tests.ui.fakes import FakeBackend
from tests.ui.readable import readable
from tests.ui.typing import press

# Each records action, the operation it needs, its menu letter and the window it opens.
RECORDS = (
    ("subjectAccessAction", Operation.SUBJECT_ACCESS, Qt.Key.Key_S, SubjectAccessWindow),
    ("disclosureLogAction", Operation.RECORD_DISCLOSURES, Qt.Key.Key_D, DisclosureLog),
    ("retentionAction", Operation.RETENTION, Qt.Key.Key_T, RetentionWindow),
    ("auditAction", Operation.VIEW_AUDIT, Qt.Key.Key_T, AuditViewer),
)


@pytest.fixture(autouse=True)
def quiet(messenger: FakeBackend) -> FakeBackend:
    return messenger


@pytest.fixture
def state(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window-state.ini"), QSettings.Format.IniFormat)


def window_for(qtbot, session, state: QSettings) -> MainWindow:
    window = MainWindow(session, state=state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)
    return window


def action(window: MainWindow, name: str) -> QAction:
    found = window.findChild(QAction, name)
    assert found is not None, name
    return found


def open_from_menu(qtbot, window: MainWindow, letter: Qt.Key, times: int = 0) -> None:
    """A click on Reports in the menu bar, then the item's underlined letter, as a person
    does. A letter two items share only moves between them: `times` presses, then Return."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    bar = window.menuBar()
    reports = next(a for a in bar.actions() if a.text() == "&Reports")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(reports).center())
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=5000)
    menu = QApplication.activePopupWidget()
    for _ in range(max(times, 1)):
        qtbot.keyClick(menu, letter)
    if times:
        qtbot.keyClick(menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None, timeout=5000)


def open_windows(kind: type[QWidget]) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.BUSINESS_MANAGER, Role.TRUST_LEADER])
def test_each_role_sees_only_the_records_it_may_open(
    qtbot, new_store: SetupResult, state: QSettings, role: Role
) -> None:
    add_user(
        new_store.session,
        username="someone",
        full_name="Some One",
        role=role.value,
        school_ids=[] if role.trust_wide else [1],
        password=ADMIN_PASSWORD,
    )
    session = auth.sign_in(
        new_store.session.store.path, username="someone", password=ADMIN_PASSWORD
    )
    window = window_for(qtbot, session, state)
    for name, operation, _letter, _kind in RECORDS:
        assert action(window, name).isEnabled() == is_permitted(role, operation), name
    action(window, "retentionAction").trigger()  # even if it could be triggered, nothing opens
    assert open_windows(RetentionWindow) == []
    window.close()
    session.close()


def test_the_data_protection_lead_opens_each_by_keys_and_the_lock_closes_them(
    qtbot, new_store: SetupResult, state: QSettings
) -> None:
    session = new_store.session  # the store's administrator: the data protection lead
    case = cases.open_case(
        session,
        given_name="Quentin",
        family_name="Marchbanks",
        relationship="parent",
        school_ids=[1],
        opened_on=dt.date(2026, 1, 12),
    )
    window = window_for(qtbot, session, state)
    assert all(action(window, name).isEnabled() for name, *_ in RECORDS)
    seen_t = 0
    for _name, _operation, letter, kind in RECORDS:
        seen_t += letter == Qt.Key.Key_T
        open_from_menu(qtbot, window, letter, times=seen_t if letter == Qt.Key.Key_T else 0)
        qtbot.waitUntil(lambda kind=kind: len(open_windows(kind)) == 1, timeout=5000)
    auditor = open_windows(AuditViewer)[0]
    qtbot.waitUntil(lambda: case.reference in readable([*auditor.findChildren(QWidget)]))

    press(qtbot, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.locked, timeout=5000)
    for *_rest, kind in RECORDS:
        assert open_windows(kind) == []
    left = readable()
    assert case.reference not in left and "Marchbanks" not in left
