"""Running slow work off the UI thread and hearing back through signals.

A window calling a service uses `desktop.ui.operations` (`ReadOp`, `WriteOp`): it adds the
busy indicator, the error routing, stale-result dropping, per-session ordering and the
"this changed" notice. `Task` is the bare thread-and-signals piece under nothing more (the
setup wizard's sample store reports progress on its own page); `preload` warms imports.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QWidget,
)

from desktop.diagnostics import describe_exception  # types and frames, never messages

log = logging.getLogger(__name__)

WORKING = "Working…"


class _Signals(QObject):
    progress = Signal(int, int, str)  # done, total, what
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    finished = Signal()

    @Slot()
    def release_later(self) -> None:
        """On the UI thread (the signals live there): let go of the task a little later."""
        key = id(self)
        QTimer.singleShot(_RELEASE_AFTER_MS, lambda: _running.pop(key, None))


class Task(QRunnable):
    """Calls `fn(progress=callback)` on a pool thread; results come back as signals.

    `progress(done, total, text)` may be called from the worker; Qt queues it to the UI.
    """

    def __init__(self, fn: Callable[..., Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = _Signals()
        self.setAutoDelete(False)

    def run(self) -> None:
        try:
            result = self.fn(progress=self._progress)
        except Exception as exc:  # reported to the UI, which turns it into words
            log.error("background task failed\n%s", describe_exception(exc))
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.signals.finished.emit()

    def _progress(self, done: int, total: int, text: str = "") -> None:
        self.signals.progress.emit(done, total, text)


# Tasks are kept here until well after they finish, so the last reference to one (and to
# its signals' QObject, which lives on the UI thread) is always dropped on the UI thread,
# never by the pool thread still returning from run().
_RELEASE_AFTER_MS = 1000
_running: dict[int, Task] = {}


def start(task: Task) -> Task:
    _running[id(task.signals)] = task
    # The receiver is the signals object, which lives on the UI thread: the slot is queued.
    task.signals.finished.connect(task.signals.release_later)
    QThreadPool.globalInstance().start(task)
    return task


def preload(*modules: str) -> None:
    """Import heavy modules on a background thread while the person reads or types.

    A failure is only logged: the module is imported again, on the UI thread, when it is
    really needed, and any error surfaces there.
    """

    def load() -> None:
        for module in modules:
            try:
                importlib.import_module(module)
            except Exception:
                log.warning("preload.failed %s", module)

    threading.Thread(target=load, name="preload", daemon=True).start()


# -- the busy indicator -------------------------------------------------------------------
def fit_height(window: QWidget) -> int:
    """Grow a dialog to fit what its layout now shows, rather than squeezing its fields;
    returns by how much it grew."""
    layout = window.layout()
    if layout is not None:
        layout.activate()
    grown = max(0, window.sizeHint().height() - window.height())
    if grown:
        window.resize(window.width(), window.height() + grown)
    return grown


class BusyIndicator(QWidget):
    """A line of text and a moving bar, shown while an op has been running for a while.

    One per window: in a main window's status bar, at the foot of a dialog, or wherever the
    window put it (a window may make its own and place it; ops find it).
    """

    busyChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("busyIndicator")
        self.label = QLabel()
        self.label.setObjectName("busyLabel")
        self.bar = QProgressBar()
        self.bar.setObjectName("busyBar")
        self.bar.setRange(0, 0)  # no total known: the bar moves to and fro
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(120)
        self.bar.setMaximumHeight(self.label.sizeHint().height())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addStretch(1)
        self._texts: dict[int, str] = {}
        self._grown = 0  # how much taller a dialog was made to fit the indicator
        self.hide()

    @property
    def busy(self) -> bool:
        return bool(self._texts)

    @staticmethod
    def of(widget: QWidget) -> BusyIndicator:
        """The indicator of `widget`'s window, made and placed there if it has none yet."""
        window = widget.window()
        for found in window.findChildren(BusyIndicator):
            if found.window() is window:
                return found
        indicator = BusyIndicator(window)
        layout = window.layout()
        if isinstance(window, QMainWindow):
            window.statusBar().addWidget(indicator)
        elif isinstance(layout, QBoxLayout):
            layout.addWidget(indicator)
        return indicator

    def begin(self, key: int, text: str) -> None:
        was_busy = self.busy
        self._texts[key] = text or WORKING
        self._show_first()
        if not was_busy:
            self.busyChanged.emit(True)

    def report(self, key: int, done: int, total: int, text: str) -> None:
        if key not in self._texts:
            return
        if text:
            self._texts[key] = text
        if key == next(iter(self._texts)):
            self.bar.setRange(0, max(total, 0))
            if total > 0:
                self.bar.setValue(min(done, total))
        self._show_first()

    def end(self, key: int) -> None:
        if self._texts.pop(key, None) is None:
            return
        if self._texts:
            self._show_first()
            return
        self.hide()
        self.bar.setRange(0, 0)
        self._give_back_room()
        self.busyChanged.emit(False)

    def _show_first(self) -> None:
        self.label.setText(next(iter(self._texts.values())))
        if not self.isVisible():
            self.show()
            self._make_room()

    def _make_room(self) -> None:
        """A dialog grows by the indicator's height, rather than squeezing its fields."""
        window = self.window()
        layout = window.layout()
        if window is self or isinstance(window, QMainWindow) or layout is None:
            return
        if window.isVisible():
            self._grown = fit_height(window)

    def _give_back_room(self) -> None:
        window = self.window()
        if self._grown and window is not self:
            # Never below what the fields need now: an error line may have appeared meanwhile.
            grown = self._grown
            QTimer.singleShot(0, window, lambda: self._shrink(window, grown))
        self._grown = 0

    @staticmethod
    def _shrink(window: QWidget, grown: int) -> None:
        layout = window.layout()
        if layout is not None:
            layout.activate()
        needed = window.minimumSizeHint().height()
        window.resize(window.width(), max(window.height() - grown, needed))
