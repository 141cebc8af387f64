"""Noticing that nobody is using Casebook, so that it can lock itself.

`IdleMonitor` watches every keyboard and mouse event that reaches any Casebook window (an
event filter on the application) and emits `idle` once none has come for the trust's lock
time. Each key or click starts the countdown again; mouse moves, wheel turns and touch
strokes arrive by the hundred, so they restart it at most once a second.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

MS_PER_MINUTE = 60_000  # tests shorten a minute through this
MOVE_EVERY_S = 1.0  # a stream of mouse moves restarts the countdown this often at most

_Type = QEvent.Type
# A key or a click: always counts.
PRESSES = frozenset(
    {
        _Type.KeyPress,
        _Type.KeyRelease,
        _Type.MouseButtonPress,
        _Type.MouseButtonRelease,
        _Type.MouseButtonDblClick,
        _Type.TouchBegin,
        _Type.TouchEnd,
        _Type.TabletPress,
        _Type.TabletRelease,
        _Type.ContextMenu,
    }
)
# Movement: counts, but no more than once every MOVE_EVERY_S.
MOVES = frozenset(
    {
        _Type.MouseMove,
        _Type.Wheel,
        _Type.TouchUpdate,
        _Type.TabletMove,
        _Type.NativeGesture,
    }
)


class IdleMonitor(QObject):
    """Emits `idle` after the given minutes without keyboard or mouse input to any window.

    Stopped, it ignores input and never emits; `start(minutes)` (at sign-in, or when the
    trust's lock time changes) begins the countdown afresh.
    """

    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._expired)
        self._running = False
        self._last_move = 0.0
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def running(self) -> bool:
        return self._running

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    def start(self, minutes: int) -> None:
        """Count down `minutes` of no use from now (and again after each use)."""
        self._timer.setInterval(max(1, int(minutes * MS_PER_MINUTE)))
        self._running = True
        self._last_move = time.monotonic()
        self._timer.start()

    def stop(self) -> None:
        """While locked (or signed out) nothing is counted."""
        self._running = False
        self._timer.stop()

    def _expired(self) -> None:
        if self._running:
            self._running = False
            self.idle.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if self._running:
            kind = event.type()
            if kind in PRESSES:
                self._timer.start()
            elif kind in MOVES:
                now = time.monotonic()
                if now - self._last_move >= MOVE_EVERY_S:
                    self._last_move = now
                    self._timer.start()
        return False
