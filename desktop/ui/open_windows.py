"""The windows a main window opens beside itself: one per case, the visitor check, the
print queue and the calendar.

Kept here so the main window stays about the case list. Asking for a window already open
brings it to the front rather than opening a second. They are top-level windows (each
with its own place on the taskbar, in front of or behind the list as the person likes),
and all of them close when the main window locks, signs out or closes.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMainWindow, QWidget

if TYPE_CHECKING:  # the case window loads when the first case is opened
    from desktop.ui.case_window import CaseWindow

log = logging.getLogger(__name__)


def bring_forward(window: QWidget) -> None:
    window.show()
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.raise_()
    window.activateWindow()


class OpenWindows(QObject):
    """Case windows by case id, the one visitor check window and the one print queue."""

    def __init__(self, state, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state  # where case windows keep their size and place
        self.cases: dict[int, CaseWindow] = {}
        self.check: QMainWindow | None = None
        self.print_queue: QDialog | None = None
        self.calendar: QMainWindow | None = None

    def open_case(self, session, case_id: int) -> CaseWindow:
        """The case's window: the one already open, or a new one."""
        from desktop.ui.case_window import CaseWindow

        window = self.cases.get(case_id)
        if window is None:
            window = CaseWindow(session, case_id, state=self.state)
            self.cases[case_id] = window
            window.destroyed.connect(lambda _=None, key=case_id: self.cases.pop(key, None))
            log.info("case_window.opened")
        bring_forward(window)
        return window

    def show_check(self, session) -> QMainWindow:
        """The visitor check, for a case worker (not the front desk's own window)."""
        from desktop.ui.check_window import CheckWindow

        if self.check is None:
            window = CheckWindow(session, front_desk=False)
            window.destroyed.connect(self._check_gone)
            self.check = window
        bring_forward(self.check)
        return self.check

    def _check_gone(self, *_args) -> None:
        self.check = None

    def show_print_queue(self, session, action: QAction) -> QDialog:
        """The letters waiting to be printed; once it closes, `action` counts them again."""
        from desktop.ui.print_queue import PrintQueueWindow

        if self.print_queue is None:
            window = PrintQueueWindow(session)
            window.finished.connect(lambda _result: self._print_queue_gone(window, session, action))
            self.print_queue = window
        bring_forward(self.print_queue)
        return self.print_queue

    def _print_queue_gone(self, window: QDialog, session, action: QAction) -> None:
        if self.print_queue is window:  # closed by the person, not by locking
            self.print_queue = None
            from desktop.ui.print_queue import count_queue

            count_queue(action, session)

    def show_calendar(self, session, open_item) -> QMainWindow:  # noqa: ANN001 - a slot
        """The calendar of reviews and deadlines; `open_item(item)` when one is opened."""
        from desktop.ui.calendar_window import CalendarWindow

        if self.calendar is None:
            window = CalendarWindow(session, state=self.state)
            window.open_item.connect(open_item)
            window.destroyed.connect(self._calendar_gone)
            self.calendar = window
        bring_forward(self.calendar)
        return self.calendar

    def _calendar_gone(self, *_args) -> None:
        self.calendar = None

    def close_all(self) -> None:
        """Close every one (on lock, sign-out or quit): no case stays on screen."""
        for window in list(self.cases.values()):
            window.close()
        self.cases.clear()
        if self.check is not None:
            self.check.close()
            self.check = None
        if self.print_queue is not None:
            queue, self.print_queue = self.print_queue, None
            queue.close()
        if self.calendar is not None:
            calendar, self.calendar = self.calendar, None
            calendar.close()
