"""The case window over a real encrypted store: header, banner, tabs, keys, close and reopen.

Its tabs are stand-ins here (tests/ui/case_tab_stand_ins.py), so these tests hold the
window to its own promises: it shows the header and banner, reloads every tab when one of
them changes something, and closes and reopens the case with a reason.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QToolBar,
)

from desktop.dates import format_date, uk_today, utc_now
from desktop.errors import NotPermitted
from desktop.services import auth, casefile
from desktop.services.casefile import FirstIncident, NewPerson, NewPupil
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.services.users import add_user
from desktop.storage import models as m
from desktop.ui.case_window import CaseWindow, ReasonDialog
from tests.conftest import ADMIN_PASSWORD
from tests.ui import case_tab_stand_ins
from tests.ui.fakes import FakeBackend
from tests.ui.typing import CTRL, click, press, type_into

ASH, BIRCH = 1, 2


@pytest.fixture
def stand_ins(monkeypatch: pytest.MonkeyPatch):
    return case_tab_stand_ins.install(monkeypatch)


@pytest.fixture
def state(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window-state.ini"), QSettings.Format.IniFormat)


def open_case(session: UserSession, given="Zoë", family="O'Brien", schools=(ASH,)) -> int:
    row = casefile.new_case(
        session,
        subject=NewPerson(given, family, "parent"),
        school_ids=schools,
        pupils=(NewPupil("Mia", family, schools[0], "Year 4"),),
        first_incident=FirstIncident(
            utc_now() - dt.timedelta(days=2), "on_site", (1,), "Shouted at the gate.", "Gate"
        ),
    )
    return row.id


def bar(
    session: UserSession,
    case_id: int,
    *,
    review_due: dt.date | None = None,
    ends: dt.date | None = None,
) -> None:
    today = uk_today()
    with session.transaction(write=True) as db:
        case = db.get(m.Case, case_id)
        assert case is not None
        db.add(
            m.Restriction(
                case_id=case_id,
                person_id=case.subject_id,
                kind="bar",
                state="active",
                starts=today - dt.timedelta(days=7),
                ends=ends or dt.date(today.year + 1, 3, 14),
                review_due=review_due or dt.date(today.year + 1, 3, 7),
                named_contact="J. Smith",
                contact_role="Business Manager",
                channels=json.dumps([]),
                created_at=utc_now(),
                schools=list(case.schools),
            )
        )


def show(qtbot, session: UserSession, case_id: int, state: QSettings) -> CaseWindow:
    window = CaseWindow(session, case_id, state=state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.header is not None, timeout=5000)
    return window


def label(window: CaseWindow, name: str) -> QLabel:
    found = window.findChild(QLabel, name)
    assert found is not None, name
    return found


def toolbar_button(window: CaseWindow, action_name: str):
    toolbar = window.findChild(QToolBar, "caseToolBar")
    action = next(a for a in window.actions() if a.objectName() == action_name)
    return toolbar.widgetForAction(action)


def reason_dialog(qtbot) -> ReasonDialog:
    qtbot.waitUntil(
        lambda: any(
            isinstance(w, ReasonDialog) and w.isVisible() for w in QApplication.topLevelWidgets()
        )
    )
    return next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, ReasonDialog) and w.isVisible()
    )


# -- what it shows ------------------------------------------------------------------------
def test_header_banner_and_tabs(qtbot, new_store: SetupResult, state, stand_ins) -> None:
    session = new_store.session
    case_id = open_case(session)
    bar(session, case_id)
    window = show(qtbot, session, case_id, state)
    reference = window.header.reference
    assert window.windowTitle() == f"{reference} — Zoë O'Brien — Casebook"
    assert label(window, "subjectLabel").text() == "Zoë O'Brien"
    assert label(window, "referenceLabel").text() == reference
    assert label(window, "statusLabel").text() == "Open"
    assert label(window, "stageLabel").text() == "Concern logged"
    assert label(window, "schoolsLabel").text() == "Ash Primary"
    assert label(window, "pupilsLabel").text() == "Mia O'Brien (Ash Primary, Year 4)"
    assert label(window, "datesLabel").text() == format_date(uk_today())
    year = uk_today().year + 1
    banner = label(window, "bannerLabel")
    assert banner.isVisible()
    assert banner.text() == (
        f"Barred from Ash Primary until 14/03/{year} · review due 07/03/{year}"
        " · contact only via J. Smith, Business Manager"
    )
    assert "#b42318" in window.findChild(QLabel, "bannerLabel").parent().styleSheet()
    assert not label(window, "overdueLabel").isVisible()
    tabs = window.findChild(QTabWidget, "caseTabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == list(case_tab_stand_ins.TITLES)
    assert all(tab.case_id == case_id and tab.session is session for tab in window.tabs)


def test_no_restriction_says_so_plainly(qtbot, new_store, state, stand_ins) -> None:
    window = show(qtbot, new_store.session, open_case(new_store.session), state)
    assert label(window, "bannerLabel").text() == "No restrictions apply today."
    assert "#f2f4f7" in label(window, "bannerLabel").parent().styleSheet()
    assert not label(window, "overdueLabel").isVisible()


def test_an_overdue_review_is_flagged(qtbot, new_store, state, stand_ins) -> None:
    session = new_store.session
    case_id = open_case(session)
    bar(session, case_id, review_due=uk_today() - dt.timedelta(days=1))
    window = show(qtbot, session, case_id, state)
    overdue = label(window, "overdueLabel")
    assert overdue.isVisible() and overdue.text() == "Review overdue"
    assert "review overdue" in label(window, "bannerLabel").text()


def test_a_bar_past_its_end_without_its_review_is_not_silently_gone(
    qtbot, new_store, state, stand_ins
) -> None:
    session = new_store.session
    case_id = open_case(session)
    ended = uk_today() - dt.timedelta(days=1)
    bar(session, case_id, ends=ended, review_due=ended - dt.timedelta(days=3))
    window = show(qtbot, session, case_id, state)
    banner = label(window, "bannerLabel").text()
    assert banner != "No restrictions apply today."
    assert f"ended {format_date(ended)} without its review" in banner
    assert label(window, "overdueLabel").isVisible()


def test_names_are_shown_as_typed_never_as_markup(qtbot, new_store, state, stand_ins) -> None:
    session = new_store.session
    case_id = open_case(session, given="<b>Ann</b>", family="Smith & Co")
    window = show(qtbot, session, case_id, state)
    assert label(window, "subjectLabel").textFormat() == Qt.TextFormat.PlainText
    assert label(window, "subjectLabel").text() == "<b>Ann</b> Smith & Co"


def test_a_case_out_of_reach_shows_nothing_of_it(
    qtbot, new_store: SetupResult, state, stand_ins
) -> None:
    birch_case = open_case(new_store.session, schools=(BIRCH,))
    bar(new_store.session, birch_case)
    add_user(
        new_store.session,
        username="bm",
        full_name="Bea Manager",
        role="business_manager",
        school_ids=[ASH],
        password=ADMIN_PASSWORD,
    )
    user = auth.sign_in(new_store.session.store.path, username="bm", password=ADMIN_PASSWORD)
    try:
        window = CaseWindow(user, birch_case, state=state)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: "no such case" in label(window, "subjectLabel").text())
        assert not label(window, "bannerLabel").isVisible()
        assert "Zoë" not in window.windowTitle()
        assert not window.findChild(QTabWidget, "caseTabs").isEnabled()
        assert not window.close_case_action.isEnabled()
    finally:
        user.close()


# -- tabs and keys ------------------------------------------------------------------------
def test_a_change_in_one_tab_reloads_the_header_and_the_others(
    qtbot, new_store, state, stand_ins
) -> None:
    session = new_store.session
    case_id = open_case(session)
    window = show(qtbot, session, case_id, state)
    assert label(window, "bannerLabel").text() == "No restrictions apply today."
    bar(session, case_id)  # as if the tab had recorded a bar
    source = window.tabs[1]
    before = [tab.reloads for tab in window.tabs]
    source.changed.emit()
    qtbot.waitUntil(lambda: label(window, "bannerLabel").text().startswith("Barred"))
    after = [tab.reloads for tab in window.tabs]
    assert after[1] == before[1]  # the tab that changed has already shown its change
    assert all(a == b + 1 for i, (a, b) in enumerate(zip(after, before, strict=True)) if i != 1)


def test_f5_reloads_everything(qtbot, new_store, state, stand_ins) -> None:
    window = show(qtbot, new_store.session, open_case(new_store.session), state)
    before = [tab.reloads for tab in window.tabs]
    press(qtbot, Qt.Key.Key_F5)
    assert [tab.reloads for tab in window.tabs] == [b + 1 for b in before]


def test_ctrl_number_and_ctrl_tab_switch_tabs(qtbot, new_store, state, stand_ins) -> None:
    window = show(qtbot, new_store.session, open_case(new_store.session), state)
    tabs = window.findChild(QTabWidget, "caseTabs")
    window.tabs[0].edit.setFocus()
    qtbot.waitUntil(window.tabs[0].edit.hasFocus)
    press(qtbot, Qt.Key.Key_4, CTRL)
    assert tabs.currentIndex() == 3
    last = tabs.count() - 1
    for index in range(4, last + 1):
        press(qtbot, Qt.Key.Key_Tab, CTRL)
        assert tabs.currentIndex() == index
    press(qtbot, Qt.Key.Key_Tab, CTRL)
    assert tabs.currentIndex() == 0  # round again
    press(qtbot, Qt.Key.Key_Backtab, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert tabs.currentIndex() == last
    press(qtbot, Qt.Key.Key_1, CTRL)
    assert tabs.currentIndex() == 0


def test_ctrl_w_closes_the_window_and_its_size_is_kept(qtbot, new_store, state, stand_ins) -> None:
    session = new_store.session
    case_id = open_case(session)
    window = show(qtbot, session, case_id, state)
    window.resize(720, 520)
    qtbot.waitUntil(lambda: window.width() == 720)
    press(qtbot, Qt.Key.Key_W, CTRL)
    qtbot.waitUntil(lambda: not window.isVisible())
    again = show(qtbot, session, case_id, state)
    assert (again.width(), again.height()) == (720, 520)


# -- closing and reopening ------------------------------------------------------------------
def close_or_reopen(qtbot, window: CaseWindow, action: str, reason: str) -> None:
    click(qtbot, toolbar_button(window, action))
    dialog = reason_dialog(qtbot)
    ok = dialog.findChild(QPushButton, "reasonOkButton")
    assert not ok.isEnabled()  # no reason, no way on
    type_into(qtbot, dialog.findChild(QPlainTextEdit, "reasonEdit"), reason)
    assert ok.isEnabled()
    click(qtbot, ok)


def test_close_and_reopen_with_a_reason(
    qtbot, new_store, state, stand_ins, messenger: FakeBackend
) -> None:
    session = new_store.session
    case_id = open_case(session)
    window = show(qtbot, session, case_id, state)
    qtbot.waitUntil(lambda: not toolbar_button(window, "reopenCaseAction").isVisible())
    assert toolbar_button(window, "closeCaseAction").isVisible()

    messenger.confirmations.append(True)
    close_or_reopen(qtbot, window, "closeCaseAction", "Behaviour has improved.")
    qtbot.waitUntil(lambda: label(window, "statusLabel").text() == "Closed", timeout=5000)
    assert messenger.said[-1][0] == "confirm"
    assert (
        label(window, "datesLabel")
        .text()
        .endswith(f"Closed {format_date(uk_today())}: Behaviour has improved.")
    )
    assert casefile.case_header(session, case_id=case_id).closed
    # The toolbar follows the header's reload (the Sanctions tab reloads it too).
    qtbot.waitUntil(lambda: toolbar_button(window, "reopenCaseAction").isVisible(), timeout=5000)

    messenger.confirmations.append(True)
    close_or_reopen(qtbot, window, "reopenCaseAction", "A new incident at pick-up.")
    qtbot.waitUntil(lambda: label(window, "statusLabel").text() == "Open", timeout=5000)
    assert not casefile.case_header(session, case_id=case_id).closed
    with session.transaction() as db:
        kinds = [e.kind for e in db.query(m.CaseEvent).filter_by(case_id=case_id)]
    assert kinds[-2:] == ["case_closed", "case_reopened"]


def test_saying_no_at_the_confirmation_leaves_the_case_open(
    qtbot, new_store, state, stand_ins, messenger: FakeBackend
) -> None:
    session = new_store.session
    case_id = open_case(session)
    window = show(qtbot, session, case_id, state)
    messenger.confirmations.append(False)
    close_or_reopen(qtbot, window, "closeCaseAction", "Resolved")
    qtbot.wait(100)
    assert not casefile.case_header(session, case_id=case_id).closed
    assert label(window, "statusLabel").text() == "Open"


def test_an_auditor_may_read_but_not_close(qtbot, new_store: SetupResult, state, stand_ins) -> None:
    case_id = open_case(new_store.session)
    add_user(
        new_store.session,
        username="aud",
        full_name="Ann Auditor",
        role="auditor",
        school_ids=[],
        password=ADMIN_PASSWORD,
    )
    user = auth.sign_in(new_store.session.store.path, username="aud", password=ADMIN_PASSWORD)
    try:
        window = show(qtbot, user, case_id, state)
        assert label(window, "subjectLabel").text() == "Zoë O'Brien"
        assert not window.close_case_action.isEnabled()
        with pytest.raises(NotPermitted):  # the service refuses too, not only the window
            casefile.close_case(user, case_id=case_id, reason="Not mine")
    finally:
        user.close()
