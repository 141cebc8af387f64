"""The windows a main window opens beside itself: one per case, the visitor check, the
print queue and the calendar.

Kept here so the main window stays about the case list. Asking for a window already open
brings it to the front rather than opening a second. They are top-level windows (each
with its own place on the taskbar, in front of or behind the list as the person likes),
and all of them close when the main window locks, signs out or closes: with them every
dialog that they or the main window have open (a letter, a review, the reminder, a
question), so that nothing of a case stays on screen behind the lock screen.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QWidget

if TYPE_CHECKING:  # the case window loads when the first case is opened
    from desktop.ui.case_window import CaseWindow

log = logging.getLogger(__name__)


def _belongs_to(window: QWidget, owners: list[QWidget]) -> bool:
    """Whether `window` is a dialog (or a dialog's dialog) of one of `owners`. The lock
    screen, and what it opens, belongs to no one: it is what stays."""
    from desktop.ui.signin_dialog import SignInDialog

    node: QWidget | None = window
    while node is not None:
        if isinstance(node, SignInDialog):
            return False
        parent = node.parentWidget()
        if parent is not None and any(parent is owner for owner in owners):
            return True
        node = parent
    return False


def _depth(window: QWidget) -> int:
    depth, node = 0, window.parentWidget()
    while node is not None:
        depth, node = depth + 1, node.parentWidget()
    return depth


def windows_of(owners: list[QWidget]) -> list[QWidget]:
    """The open windows (dialogs, letters, menus) that belong to `owners`, innermost first."""
    found = [
        widget
        for widget in QApplication.topLevelWidgets()
        if widget.isWindow()
        and widget.isVisible()
        and not any(widget is owner for owner in owners)
        and _belongs_to(widget, owners)
    ]
    return sorted(found, key=_depth, reverse=True)


def dismiss(window: QWidget) -> None:
    """Close a window without questions: a dialog is dismissed as Cancel would (its own
    `reject()` may ask about unsaved work, which no one is there to answer)."""
    if not shiboken6.isValid(window) or not window.isVisible():
        return
    if isinstance(window, QDialog):
        window.done(QDialog.DialogCode.Rejected)
    else:
        window.close()


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
        """Close every one (on lock, sign-out or quit), and every dialog that one of them or
        the main window has open, letters included: no case stays on screen."""
        tracked = [*self.cases.values(), self.check, self.print_queue, self.calendar]
        parent = self.parent()
        owners = [w for w in (parent, *tracked) if isinstance(w, QWidget)]
        for window in windows_of(owners):
            dismiss(window)
        self._close_letters()
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

    @staticmethod
    def _close_letters() -> None:
        """Every letter viewer still open, wherever it was opened from."""
        viewers = sys.modules.get("desktop.ui.letter_viewer")
        if viewers is not None:  # no letter was ever opened otherwise
            for viewer in viewers.open_viewers():
                dismiss(viewer)
