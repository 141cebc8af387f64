"""Running slow work off the UI thread and hearing back through signals."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Signals(QObject):
    progress = Signal(int, int, str)  # done, total, what
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    finished = Signal()


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
            log.exception("background task failed")
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.signals.finished.emit()

    def _progress(self, done: int, total: int, text: str = "") -> None:
        self.signals.progress.emit(done, total, text)


def start(task: Task) -> Task:
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
