"""Waiting in a benchmark's Qt event loop without spinning.

A loop of `processEvents()` keeps the UI thread busy in Python, and the worker thread doing
the timed work then has to fight it for the GIL, which shows up in the figures. These wait
in a real `QEventLoop`, which sleeps until an event, a signal or a short timer wakes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEventLoop, QTimer

POLL_MS = 2


def wait_until(done: Callable[[], bool], seconds: float = 30.0) -> bool:
    """Run the event loop until `done()` is true (checked every POLL_MS) or time runs out."""
    if done():
        return True
    loop = QEventLoop()
    deadline = time.perf_counter() + seconds
    timer = QTimer()
    timer.setInterval(POLL_MS)

    def check() -> None:
        if done() or time.perf_counter() > deadline:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    return bool(done())


def wait_for(signal, start: Callable[[], object], seconds: float = 30.0) -> bool:
    """Call `start()`, then run the event loop until `signal` is emitted; False on time-out."""
    loop = QEventLoop()
    fired: list[bool] = []

    def arrived(*_args: object) -> None:
        fired.append(True)
        loop.quit()

    signal.connect(arrived)
    try:
        start()
        if not fired:
            QTimer.singleShot(int(seconds * 1000), loop.quit)
            loop.exec()
    finally:
        signal.disconnect(arrived)
    return bool(fired)


def pause(milliseconds: int) -> None:
    """Let the event loop run for a while, as a person pausing would (`QTest.qWait` spins
    and starves the worker threads of the GIL)."""
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()
