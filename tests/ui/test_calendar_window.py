"""The calendar window over a real encrypted store, driven by keys and clicks: each day's
marks (a bar's deadline and review on their days, with their letters; an overdue day red;
today outlined), Page Down to the next month with the agenda following, a day chosen in
the grid listing just that day, the kind, school and owner filters, overdue items first,
Enter on an item asking for its case, and the export to an .ics file, with no names unless
the box is ticked (issue 10, parts 2 and 4)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import shiboken6
from icalendar import Calendar
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QToolButton,
    QTreeView,
)

from desktop.domain.due import DueItem, DueKind, DueState
from desktop.domain.ladder import SkipAuthority
from desktop.domain.roles import Role
from desktop.services import tasks
from desktop.services.cases import CaseRow
from desktop.services.sanctions import take_step
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.ui.calendar_agenda import DONE_TEXT, ITEM_ROLE
from desktop.ui.calendar_grid import (
    DATE_ROLE,
    LISTED_ROLE,
    MARKS_ROLE,
    OVERDUE_FILL,
    OVERDUE_ROLE,
    OVERDUE_TEXT,
    TODAY_ROLE,
    MonthGrid,
    MonthModel,
)
from desktop.ui.calendar_window import CalendarWindow
from desktop.ui.forms import child
from tests.services.case_support import open_parent_case
from tests.services.sanction_support import bar_notice, case_with_incidents, trust_leader
from tests.ui.case_tab_support import closed
from tests.ui.fakes import FakeBackend
from tests.ui.typing import CTRL, LEFT, choose, click, click_into, press, tick, type_keys

D = dt.date
TODAY = D(2026, 4, 16)  # a Thursday: the bar's deadline (14 April) has passed unanswered
SKIP = SkipAuthority("Casey Chair", Role.TRUST_LEADER, "Threats of violence at the gate.")


@pytest.fixture
def leader(new_store: SetupResult, store_path: Path) -> UserSession:
    return trust_leader(new_store, store_path)


@pytest.fixture
def cases(leader: UserSession) -> tuple[CaseRow, CaseRow]:
    """Dana Driver (Ash Primary): a bar with its deadline on 14 April, review on 20 April and
    end on 30 June; Casey's call on 20 April and a police log to chase since 25 March.
    Bob Birch (Birch Academy): minutes to send on 22 April, nobody recorded to do it."""
    dana = case_with_incidents(leader, 2)
    take_step(
        leader,
        case_id=dana.id,
        draft=bar_notice(
            D(2026, 4, 1),
            ends=D(2026, 6, 30),
            deadline=D(2026, 4, 14),
            review=D(2026, 4, 20),
            skip=SKIP,
        ),
    )
    mine = leader.actor.user_id
    tasks.add_task(
        leader, case_id=dana.id, title="Ring the parent", due_on=D(2026, 4, 20), owner_id=mine
    )
    tasks.add_task(leader, case_id=dana.id, title="Chase the police log", due_on=D(2026, 3, 25))
    bob = open_parent_case(leader, "Bob", "Birch", (2,))
    tasks.add_task(leader, case_id=bob.id, title="Send the minutes", due_on=D(2026, 4, 22))
    return dana, bob


def open_calendar(qtbot, session: UserSession, *, keep: bool = True) -> CalendarWindow:
    """The window, shown with April's items in; `keep=False` for a test that closes it."""
    window = CalendarWindow(session, today=TODAY)
    if keep:
        qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=5000):
        window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    qtbot.waitUntil(lambda: grid(window).hasFocus(), timeout=5000)
    return window


def grid(window: CalendarWindow) -> MonthGrid:
    return child(window, MonthGrid, "monthGrid")


def month_model(window: CalendarWindow) -> MonthModel:
    model = grid(window).model()
    assert isinstance(model, MonthModel)
    return model


def day_cell(window: CalendarWindow, day: dt.date) -> QModelIndex:
    index = month_model(window).index_of(day)
    assert index.isValid(), f"{day} is not in the month shown"
    return index


def marks(window: CalendarWindow, day: dt.date) -> str | None:
    found = day_cell(window, day).data(MARKS_ROLE)
    return found.marks if found is not None else None


def agenda(window: CalendarWindow) -> QTreeView:
    return child(window, QTreeView, "agendaView")


def listed(window: CalendarWindow) -> list[DueItem]:
    model = agenda(window).model()
    return [model.index(row, 0).data(ITEM_ROLE) for row in range(model.rowCount())]


def listed_kinds(window: CalendarWindow) -> list[tuple[DueKind, dt.date]]:
    return [(item.kind, item.date) for item in listed(window)]


def heading(window: CalendarWindow) -> str:
    return child(window, QLabel, "agendaHeading").text()


def month_shown(window: CalendarWindow) -> str:
    return child(window, QLabel, "monthLabel").text()


def current_day(window: CalendarWindow) -> dt.date:
    return grid(window).currentIndex().data(DATE_ROLE)


def click_day(qtbot, window: CalendarWindow, day: dt.date) -> None:
    view = grid(window)
    qtbot.mouseClick(view.viewport(), LEFT, pos=view.visualRect(day_cell(window, day)).center())


def test_marks_show_on_their_days_with_their_letters(qtbot, leader, cases) -> None:
    window = open_calendar(qtbot, leader)
    assert window.windowTitle() == "Calendar \u2014 reviews and deadlines"
    assert month_shown(window) == "April 2026"
    # The deadline, unanswered two days ago, is overdue: its day is red and says so.
    deadline = day_cell(window, D(2026, 4, 14))
    assert marks(window, D(2026, 4, 14)) == "D"
    assert deadline.data(OVERDUE_ROLE) is True
    assert deadline.data(Qt.ItemDataRole.BackgroundRole) == OVERDUE_FILL
    assert deadline.data(Qt.ItemDataRole.ForegroundRole) == OVERDUE_TEXT
    assert "1 representations deadline" in deadline.data(Qt.ItemDataRole.ToolTipRole)
    assert "1 overdue" in deadline.data(Qt.ItemDataRole.ToolTipRole)
    # The review and Casey's call share 20 April; neither is late.
    review = day_cell(window, D(2026, 4, 20))
    assert marks(window, D(2026, 4, 20)) == "R T"
    assert review.data(MARKS_ROLE).total == 2
    assert review.data(OVERDUE_ROLE) is False
    assert review.data(Qt.ItemDataRole.BackgroundRole) is None
    assert marks(window, D(2026, 4, 22)) == "T"
    assert marks(window, D(2026, 4, 15)) is None
    assert day_cell(window, TODAY).data(TODAY_ROLE) is True
    assert "(today): nothing due" in day_cell(window, TODAY).data(Qt.ItemDataRole.ToolTipRole)
    assert current_day(window) == TODAY
    # Colour is never the only cue: the key names every letter.
    assert child(window, QLabel, "legend_bar_review").text() == "R \u2014 Bar review"
    assert child(window, QLabel, "legend_task_due").text() == "T \u2014 Task due"
    assert child(window, QLabel, "legend_overdue").text().startswith("Red border")


def test_overdue_items_come_first_in_red_whatever_their_month(qtbot, leader, cases) -> None:
    window = open_calendar(qtbot, leader)
    assert listed_kinds(window) == [
        (DueKind.TASK, D(2026, 3, 25)),  # from March, still not done
        (DueKind.REPRESENTATIONS_DEADLINE, D(2026, 4, 14)),
        (DueKind.BAR_REVIEW, D(2026, 4, 20)),
        (DueKind.TASK, D(2026, 4, 20)),
        (DueKind.TASK, D(2026, 4, 22)),
    ]
    assert heading(window) == "April 2026: 5 items, 2 overdue (from any date), listed first."
    model = agenda(window).model()
    states = [model.index(row, 1).data() for row in range(model.rowCount())]
    assert states == ["Overdue", "Overdue", "Upcoming", "Upcoming", "Upcoming"]
    colours = [
        model.index(row, 3).data(Qt.ItemDataRole.ForegroundRole) for row in range(model.rowCount())
    ]
    assert colours == [OVERDUE_TEXT, OVERDUE_TEXT, None, None, None]
    dana, bob = cases
    first = [model.index(0, column).data() for column in range(model.columnCount())]
    assert first == [
        "Wed 25/03/2026",
        "Overdue",
        "Task due: Chase the police log",
        dana.reference,
        "Dana Driver",  # the window shows names; only an export leaves them out
        "Ash Primary",
        "\u2014",
        "Mark the task done",
    ]
    assert model.index(4, 3).data() == bob.reference
    assert model.index(4, 5).data() == "Birch Academy"
    assert child(window, QLabel, "overdueLabel").text() == "2 overdue in all"


def test_done_items_are_listed_in_grey_but_not_marked(qtbot, leader, cases) -> None:
    dana, _bob = cases
    task = tasks.add_task(leader, case_id=dana.id, title="Print the letter", due_on=D(2026, 4, 9))
    tasks.complete_task(leader, task_id=task.id)
    window = open_calendar(qtbot, leader)
    assert marks(window, D(2026, 4, 9)) is None  # nothing left to do that day
    tick(qtbot, child(window, QRadioButton, "dayRadio"))
    click_day(qtbot, window, D(2026, 4, 9))
    model = agenda(window).model()
    assert [i.title for i in listed(window)] == ["Print the letter"]
    assert model.index(0, 1).data() == "Done"
    assert model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole) == DONE_TEXT


def test_page_down_moves_a_month_and_the_agenda_follows(qtbot, leader, cases) -> None:
    window = open_calendar(qtbot, leader)
    with qtbot.waitSignal(window.loaded, timeout=5000):
        press(qtbot, Qt.Key.Key_PageDown)
    assert month_shown(window) == "May 2026"
    assert current_day(window) == D(2026, 5, 16)
    assert heading(window).startswith("May 2026: 2 items, 2 overdue")
    assert [i.state for i in listed(window)] == [DueState.OVERDUE, DueState.OVERDUE]
    with qtbot.waitSignal(window.loaded, timeout=5000):
        press(qtbot, Qt.Key.Key_PageDown)
    assert month_shown(window) == "June 2026"
    assert marks(window, D(2026, 6, 30)) == "E"
    assert listed_kinds(window)[-1] == (DueKind.BAR_END, D(2026, 6, 30))
    # Back again, and home to today.
    with qtbot.waitSignal(window.loaded, timeout=5000):
        press(qtbot, Qt.Key.Key_PageUp)
    assert month_shown(window) == "May 2026"
    with qtbot.waitSignal(window.loaded, timeout=5000):
        press(qtbot, Qt.Key.Key_Home, CTRL)
    assert month_shown(window) == "April 2026" and current_day(window) == TODAY
    assert marks(window, D(2026, 4, 20)) == "R T"
    # The buttons do the same.
    with qtbot.waitSignal(window.loaded, timeout=5000):
        click(qtbot, child(window, QToolButton, "nextButton"))
    assert month_shown(window) == "May 2026"
    with qtbot.waitSignal(window.loaded, timeout=5000):
        click(qtbot, child(window, QPushButton, "todayButton"))
    assert month_shown(window) == "April 2026"


def test_choosing_a_day_lists_just_that_day(qtbot, leader, cases) -> None:
    window = open_calendar(qtbot, leader)
    tick(qtbot, child(window, QRadioButton, "dayRadio"))
    assert heading(window) == "Thursday 16 April 2026: nothing falls due."
    assert listed(window) == []
    click_day(qtbot, window, D(2026, 4, 20))
    assert current_day(window) == D(2026, 4, 20)
    assert heading(window) == "Monday 20 April 2026: 2 items."
    assert listed_kinds(window) == [
        (DueKind.BAR_REVIEW, D(2026, 4, 20)),
        (DueKind.TASK, D(2026, 4, 20)),
    ]
    # Arrow keys move the day; the list follows.
    press(qtbot, Qt.Key.Key_Right)
    press(qtbot, Qt.Key.Key_Right)
    assert current_day(window) == D(2026, 4, 22)
    assert [i.title for i in listed(window)] == ["Send the minutes"]
    press(qtbot, Qt.Key.Key_Up)
    press(qtbot, Qt.Key.Key_Up)
    assert current_day(window) == D(2026, 4, 8)
    assert listed(window) == []
    # The week of the deadline: only that week's own dates, overdue first.
    tick(qtbot, child(window, QRadioButton, "weekRadio"))
    click_day(qtbot, window, D(2026, 4, 14))
    assert heading(window).startswith("Week beginning Monday 13 April 2026: 1 item, 1 overdue")
    assert listed_kinds(window) == [(DueKind.REPRESENTATIONS_DEADLINE, D(2026, 4, 14))]
    listed_days = [day_cell(window, D(2026, 4, n)).data(LISTED_ROLE) for n in (12, 13, 19, 20)]
    assert listed_days == [False, True, True, False]  # the week is tinted in the grid
    # Enter on a day lists that day.
    tick(qtbot, child(window, QRadioButton, "monthRadio"))
    grid(window).setFocus()
    press(qtbot, Qt.Key.Key_Right)
    press(qtbot, Qt.Key.Key_Return)
    assert child(window, QRadioButton, "dayRadio").isChecked()
    assert heading(window) == "Wednesday 15 April 2026: nothing falls due."


def test_the_kind_school_and_owner_filters(qtbot, leader, cases) -> None:
    window = open_calendar(qtbot, leader)
    with qtbot.waitSignal(window.loaded, timeout=5000):
        choose(qtbot, child(window, QComboBox, "kindCombo"), "T \u2014 Task due")
    assert {i.kind for i in listed(window)} == {DueKind.TASK}
    assert len(listed(window)) == 3
    assert marks(window, D(2026, 4, 20)) == "T"
    assert marks(window, D(2026, 4, 14)) is None
    with qtbot.waitSignal(window.loaded, timeout=5000):
        choose(qtbot, child(window, QComboBox, "schoolCombo"), "Birch Academy")
    assert [i.title for i in listed(window)] == ["Send the minutes"]
    assert marks(window, D(2026, 4, 20)) is None
    with qtbot.waitSignal(window.loaded, timeout=5000):
        choose(qtbot, child(window, QComboBox, "schoolCombo"), "All my schools")
    owners = child(window, QComboBox, "ownerCombo")
    assert [owners.itemText(n) for n in range(owners.count())] == [
        "Anyone",
        "Nobody recorded",
        "Casey",
    ]
    with qtbot.waitSignal(window.loaded, timeout=5000):
        choose(qtbot, owners, "Casey")
    assert [i.title for i in listed(window)] == ["Ring the parent"]
    with qtbot.waitSignal(window.loaded, timeout=5000):
        choose(qtbot, owners, "Nobody recorded")
    assert [i.title for i in listed(window)] == ["Chase the police log", "Send the minutes"]


def test_enter_on_an_item_asks_for_its_case(qtbot, leader, cases) -> None:
    window = open_calendar(qtbot, leader)
    view = agenda(window)
    second = view.visualRect(view.model().index(1, 0))
    qtbot.mouseClick(view.viewport(), LEFT, pos=second.center())
    qtbot.waitUntil(view.hasFocus, timeout=2000)
    press(qtbot, Qt.Key.Key_Down)
    with qtbot.waitSignal(window.open_item, timeout=2000) as signal:
        press(qtbot, Qt.Key.Key_Return)
    item = signal.args[0]
    assert (item.kind, item.date, item.case_id) == (
        DueKind.BAR_REVIEW,
        D(2026, 4, 20),
        cases[0].id,
    )
    assert item.place.value == "review"
    with qtbot.waitSignal(window.open_item, timeout=2000) as signal:
        click(qtbot, child(window, QPushButton, "openButton"))
    assert signal.args[0] == item
    first = view.visualRect(view.model().index(0, 0)).center()
    with qtbot.waitSignal(window.open_item, timeout=2000) as signal:
        qtbot.mouseClick(view.viewport(), LEFT, pos=first)
        qtbot.mouseDClick(view.viewport(), LEFT, pos=first)
    assert signal.args[0].kind is DueKind.TASK and signal.args[0].date == D(2026, 3, 25)


def _events(path: Path) -> list[tuple[dt.date, str]]:
    calendar = Calendar.from_ical(path.read_bytes())
    return sorted((e.decoded("dtstart"), str(e["summary"])) for e in calendar.walk("VEVENT"))


def _export(qtbot, window: CalendarWindow, *, days: str | None, names: bool) -> QDialog:
    window.activateWindow()  # back from the last dialog, as a person's next click would be
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    press(qtbot, Qt.Key.Key_E, CTRL)

    def shown() -> QDialog | None:
        found = [d for d in window.findChildren(QDialog, "exportDialog") if d.isVisible()]
        return found[0] if found else None

    qtbot.waitUntil(lambda: shown() is not None, timeout=2000)
    dialog = shown()
    assert dialog is not None
    spin = child(dialog, QSpinBox, "daysSpin")
    assert spin.value() == 90
    if days is not None:
        click_into(qtbot, spin)
        press(qtbot, Qt.Key.Key_A, CTRL)
        type_keys(qtbot, days)
    warning = child(dialog, QLabel, "namesWarning")
    assert not warning.isVisible()
    if names:
        tick(qtbot, child(dialog, QCheckBox, "namesCheck"))
        assert warning.isVisible() and "not encrypted" in warning.text()
    click(qtbot, child(dialog, QPushButton, "exportOkButton"))
    return dialog


def test_export_writes_a_calendar_file_without_names_unless_asked(
    qtbot, leader, cases, tmp_path: Path, messenger: FakeBackend
) -> None:
    dana, _bob = cases
    window = open_calendar(qtbot, leader)
    plain = tmp_path / "plain.ics"
    messenger.paths.append(plain)
    dialog = _export(qtbot, window, days=None, names=False)
    qtbot.waitUntil(lambda: any(kind == "info" for kind, _t, _x in messenger.said), timeout=5000)
    assert closed(dialog)
    asked = [said for said in messenger.said if said[0] == "save_path"]
    assert asked and asked[0][2].endswith("Casebook reviews.ics")
    events = _events(plain)
    assert [day for day, _summary in events] == [
        D(2026, 3, 25),
        D(2026, 4, 14),
        D(2026, 4, 20),
        D(2026, 4, 20),
        D(2026, 4, 22),
        D(2026, 6, 30),  # within 90 days
    ]
    assert f"{dana.reference}: Bar review" in [summary for _day, summary in events]
    text = plain.read_text()
    assert "Dana" not in text and "Driver" not in text and "Birch" not in text
    info = [said for said in messenger.said if said[0] == "info"][-1]
    assert f"6 events were saved to {plain}" in info[2] and "no names" in info[2]

    named = tmp_path / "named"  # no suffix typed: .ics is added
    messenger.paths.append(named)
    messenger.said.clear()
    _export(qtbot, window, days="30", names=True)
    qtbot.waitUntil(lambda: any(kind == "info" for kind, _t, _x in messenger.said), timeout=5000)
    saved = tmp_path / "named.ics"
    events = _events(saved)
    assert len(events) == 5  # the bar's end is beyond 30 days
    assert f"{dana.reference}: Bar review \u2014 Dana Driver" in [s for _d, s in events]
    assert "5 events were saved" in messenger.said[-1][2]


def test_a_cancelled_export_saves_nothing(
    qtbot, leader, cases, tmp_path: Path, messenger: FakeBackend
) -> None:
    window = open_calendar(qtbot, leader)
    _export(qtbot, window, days=None, names=False)  # the file dialog is cancelled (no path)
    qtbot.waitUntil(lambda: any(kind == "save_path" for kind, _t, _x in messenger.said))
    assert not any(kind == "info" for kind, _t, _x in messenger.said)
    assert list(tmp_path.glob("*.ics")) == []


def test_escape_closes_the_window(qtbot, leader, cases) -> None:
    # Not handed to qtbot, which would close it again after it has gone.
    window = open_calendar(qtbot, leader, keep=False)
    try:
        press(qtbot, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: closed(window), timeout=2000)
    finally:
        if shiboken6.isValid(window):
            window.close()
