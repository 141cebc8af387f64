"""Service calls off the UI thread: one small pattern for every window.

In the spirit of Anki's `QueryOp` and `CollectionOp`, a window says what to run and what to
do with the result, and the op does the rest:

    ReadOp(
        parent=self,
        session=self.session,
        run=lambda job: cases.count_cases(job.session, search=text),
        success=self._show_count,
        progress="Counting cases",
    ).start()

- `run(job)` runs on a QThreadPool thread; `job.session` is the session, and
  `job.progress(done, total, text)` may be called from there.
- If the op takes longer than half a second, the parent's window shows a busy indicator
  (in its status bar, or at the foot of a dialog) until it ends. Quick calls never flash one.
- Expected errors (Casebook's typed errors, file problems) go to `failure`, or else to the
  Messenger as a plain message. Anything else goes to the app's error hook, which logs it
  and queues the error dialog, so the dialog never opens inside a handler being torn down.
- `done()` is called first whenever the op comes back, so the window is usable again
  before the result (or the refusal) is shown.
- With `latest=`, only the newest op of a series is used: a search typed again before the
  last one finished drops the older result.
- A `WriteOp` runs alone on its session (a write waits for the reads before it, and the
  reads after it wait for the write), then announces what it changed through `changes()`,
  which open windows listen to, each refreshing itself.
- Results for a window that has gone are dropped; `dropped(result)` lets the caller let go
  of something it holds (an unused session's key).
"""

from __future__ import annotations

import functools
import itertools
import logging
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from desktop.diagnostics import exception_chain
from desktop.errors import is_expected
from desktop.ui.messages import Messenger
from desktop.ui.worker import WORKING, BusyIndicator

if TYPE_CHECKING:  # the services load SQLAlchemy: only the type is needed here
    from desktop.services.session import UserSession

__all__ = [
    "PROGRESS_DELAY_MS",
    "BusyIndicator",  # in desktop.ui.worker; ops show it
    "Change",
    "ChangeNotifier",
    "Job",
    "Latest",
    "ReadOp",
    "WriteOp",
    "changes",
    "report_unexpected",
    "settle",
]

log = logging.getLogger(__name__)

PROGRESS_DELAY_MS = 500  # quicker than this, and no busy indicator appears at all
T = TypeVar("T")


# -- "this changed" -----------------------------------------------------------------------
class Change(StrEnum):
    """What a write may have changed; windows showing it refresh themselves."""

    CASES = "cases"
    TRUST = "trust"
    SCHOOLS = "schools"
    USERS = "users"
    PREFERENCES = "preferences"
    LETTERS = "letters"  # an issued letter was printed, queued or taken off the queue


class ChangeNotifier(QObject):
    """The one app-wide announcer: `changed("cases")` after a write, heard by every window."""

    changed = Signal(str)

    def announce(self, *what: str) -> None:
        for item in dict.fromkeys(what):  # each once, in the order given
            log.info("changed %s", item)
            self.changed.emit(str(item))


@functools.cache
def changes() -> ChangeNotifier:
    """The app-wide notifier (made on first use, on the UI thread)."""
    return ChangeNotifier()


def report_unexpected(exc: BaseException) -> None:
    """Hand an unexpected error to the app's hook, which logs it and queues the error dialog."""
    sys.excepthook(type(exc), exc, exc.__traceback__)


# -- the ops ------------------------------------------------------------------------------
class Job:
    """What `run` is given on the pool thread: the session, and a way to report progress."""

    def __init__(self, session: UserSession | None, report: Callable[[int, int, str], None]):
        self._session = session
        self._report = report

    @property
    def session(self) -> UserSession:
        if self._session is None:
            raise RuntimeError("this operation was started without a session")
        return self._session

    def progress(self, done: int, total: int = 0, text: str = "") -> None:
        """Report how far the work has got; the busy indicator shows it."""
        self._report(done, total, text)


class Latest:
    """Numbers a series of ops so only the newest one's result is used."""

    def __init__(self) -> None:
        self._number = 0
        self._pending: list[_Op[Any]] = []

    def take(self) -> int:
        """A number for a new op; the older ones that have not started yet are withdrawn."""
        self._number += 1
        older, self._pending = self._pending, []
        for op in older:
            op.withdraw()
        return self._number

    def drop_all(self) -> None:
        """Whatever is still running, its result is not wanted (the list was cleared)."""
        self.take()

    def is_newest(self, number: int) -> bool:
        return number == self._number

    def _track(self, op: _Op[Any]) -> None:
        self._pending.append(op)

    def _forget(self, op: _Op[Any]) -> None:
        if op in self._pending:
            self._pending.remove(op)


class _Dispatcher(QObject):
    """Lives on the UI thread; pool threads emit its signals, Qt queues them to the slots."""

    finished = Signal(object)  # (op, result, error)
    progressed = Signal(object)  # (op, done, total, text)

    def __init__(self) -> None:
        from PySide6.QtCore import Qt  # see _Op.__init__

        super().__init__()
        self.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self.progressed.connect(self._progress, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _deliver(self, message: tuple[int, Any, BaseException | None]) -> None:
        ticket, result, error = message
        op = _live.get(ticket)
        if op is not None:
            op.arrived(result, error)

    @Slot(object)
    def _progress(self, message: tuple[int, int, int, str]) -> None:
        ticket, done, total, text = message
        op = _live.get(ticket)
        if op is not None:
            op.progressed(done, total, text)


@functools.cache
def _the_dispatcher() -> _Dispatcher:
    return _Dispatcher()


# Ops in flight, by ticket. Only the UI thread adds and removes them; a pool thread looks
# its op up once, under the lock, takes what it needs and lets go of the op, so that the
# last reference to an op (and to the window it came from) is always dropped on the UI
# thread: a QObject must not be deleted from a pool thread.
_live: dict[int, _Op[Any]] = {}
_lock = threading.Lock()
_tickets = itertools.count(1)


def _work(ticket: int) -> None:
    """On a pool thread: run the op, unless it was withdrawn before its thread was free."""
    with _lock:
        op = _live.get(ticket)
        if op is None or op.state != "launched":
            return
        op.on_thread = True
        run, session, ended = op.run, op.session, op.ended_on_thread
    del op
    dispatcher = _the_dispatcher()
    result, error = None, None
    try:
        result = run(Job(session, partial(_emit_progress, dispatcher, ticket)))
    except BaseException as exc:  # carried to the UI thread, which decides what to say
        error = exc
        _clear_locals(exc)
    del run, session
    ended.set()
    try:
        dispatcher.finished.emit((ticket, result, error))
    except RuntimeError:  # the application is closing and its objects are gone: no one waits
        log.info("operation.finished_after_exit")


def _clear_locals(exc: BaseException | None) -> None:
    """Keep a traceback's lines (for the log) but not its frames' variables, which could
    otherwise hold the last reference to a window until this pool thread lets go."""
    for link in exception_chain(exc):
        traceback.clear_frames(link.__traceback__)


def _emit_progress(dispatcher: _Dispatcher, ticket: int, done: int, total: int, text: str):
    dispatcher.progressed.emit((ticket, done, total, text))


@dataclass
class _Lane:
    """The ops of one session: several reads at once, or one write alone."""

    waiting: deque[_Op[Any]] = field(default_factory=deque)
    reading: int = 0
    writing: bool = False


_lanes: dict[int, _Lane] = {}


def _pump(key: int) -> None:
    lane = _lanes.get(key)
    if lane is None:
        return
    while lane.waiting:
        op = lane.waiting[0]
        if op.cancelled:  # its session is closing: it never starts
            lane.waiting.popleft()
            op.state = "withdrawn"
            op.release(held=False, pump=False)
            continue
        if op.writes:
            if lane.reading or lane.writing:
                break
            lane.writing = True
        else:
            if lane.writing:
                break
            lane.reading += 1
        lane.waiting.popleft()
        op.launch()
    if not (lane.waiting or lane.reading or lane.writing):
        del _lanes[key]


class _Op(Generic[T]):
    writes: ClassVar[bool] = False

    def __init__(
        self,
        *,
        parent: QObject | None,
        run: Callable[[Job], T],
        session: UserSession | None = None,
        success: Callable[[T], object] | None = None,
        failure: Callable[[BaseException], object] | None = None,
        done: Callable[[], object] | None = None,
        dropped: Callable[[T], object] | None = None,
        progress: str = WORKING,
        latest: Latest | None = None,
        changes: Iterable[str] = (),
    ) -> None:
        self.parent = parent
        self.run = run
        self.session = session
        self.success = success
        self.failure = failure
        self.done = done
        self.dropped = dropped
        self.text = progress
        self.latest = latest
        self.changes = tuple(changes)
        self.number = 0
        self.state = "new"  # new, waiting (its turn on the session), launched, finished, withdrawn
        self.cancelled = False
        # Qt's namespace takes some 14 ms to load: imported here, not with the module, so
        # the sign-in dialog, which imports this module, shows before paying for it.
        from PySide6.QtCore import Qt

        self._released = False
        self.ticket = 0
        self.on_thread = False  # its pool thread has taken it: it can no longer be withdrawn
        self.ended_on_thread = threading.Event()
        self._indicator: BusyIndicator | None = None
        self._progress: tuple[int, int, str] | None = None  # the last report, for a late show
        self._delay = QTimer()  # until it fires, the op is quick and nothing is shown
        self._delay.setSingleShot(True)
        self._delay.setTimerType(Qt.TimerType.PreciseTimer)
        self._delay.setInterval(PROGRESS_DELAY_MS)
        self._delay.timeout.connect(self._show_busy)

    # -- starting ------------------------------------------------------------------------
    def start(self) -> _Op[T]:
        """Queue the work; the callbacks run later, on the UI thread."""
        if self.state != "new":
            raise RuntimeError("an operation runs once")
        if self.latest is not None:
            self.number = self.latest.take()
            self.latest._track(self)
        self.ticket = next(_tickets)
        _live[self.ticket] = self
        _the_dispatcher()  # made here, on the UI thread, before any pool thread needs it
        self._delay.start()
        self.state = "waiting"
        if self.session is None:
            self.launch()
        else:
            _lanes.setdefault(id(self.session), _Lane()).waiting.append(self)
            _pump(id(self.session))
        return self

    def launch(self) -> None:
        self.state = "launched"
        QThreadPool.globalInstance().start(partial(_work, self.ticket))

    @property
    def running(self) -> bool:
        return self.state in ("waiting", "launched")

    def withdraw(self) -> bool:
        """Drop the op if it has not started on a thread yet; True if it was dropped."""
        if self.state == "waiting" and self.session is not None:
            lane = _lanes.get(id(self.session))
            if lane is not None and self in lane.waiting:
                lane.waiting.remove(self)
                self.state = "withdrawn"
                self.release(held=False)
                return True
        if self.state == "launched":
            with _lock:
                if self.on_thread:
                    return False
                self.state = "withdrawn"  # its pool thread will find it so, and do nothing
            self.release(held=True)
            return True
        return False

    def wait(self, deadline: float) -> bool:
        """Block until the work on its thread has ended (or the deadline passes)."""
        if self.state != "launched":
            return True
        return self.ended_on_thread.wait(max(0.0, deadline - time.monotonic()))

    # -- on the UI thread ----------------------------------------------------------------
    def _widget(self) -> QWidget | None:
        current = self.parent
        while current is not None:
            if not shiboken6.isValid(current):
                return None
            if isinstance(current, QWidget):
                return current
            current = current.parent()
        return None

    def _owner_alive(self) -> bool:
        return self.parent is None or shiboken6.isValid(self.parent)

    def _show_busy(self) -> None:
        if not self.running:
            return
        widget = self._widget()
        if widget is None:
            return
        self._indicator = BusyIndicator.of(widget)
        self._indicator.begin(id(self), self.text)
        if self._progress is not None:
            self._indicator.report(id(self), *self._progress)

    def progressed(self, done: int, total: int, text: str) -> None:
        if not self.running:
            return
        self._progress = (done, total, text)
        if self._indicator is not None and shiboken6.isValid(self._indicator):
            self._indicator.report(id(self), done, total, text)

    def release(self, *, held: bool, pump: bool = True) -> None:
        """Done with the op: its indicator, its place in `_live` and its turn on the session."""
        if self._released:
            return
        self._released = True
        self._delay.stop()
        self._delay.timeout.disconnect(self._show_busy)  # a connection would keep the op alive
        if self._indicator is not None and shiboken6.isValid(self._indicator):
            self._indicator.end(id(self))
        self._indicator = None
        _live.pop(self.ticket, None)
        if self.latest is not None:
            self.latest._forget(self)
        if self.session is not None:
            lane = _lanes.get(id(self.session))
            if lane is not None and held:
                if self.writes:
                    lane.writing = False
                else:
                    lane.reading = max(0, lane.reading - 1)
            if pump:
                _pump(id(self.session))

    def arrived(self, result: Any, error: BaseException | None) -> None:
        self.state = "finished"
        self.release(held=True)
        if error is None and self.changes:
            changes().announce(*self.changes)  # the write happened, whoever asked for it
        stale = self.latest is not None and not self.latest.is_newest(self.number)
        if self.cancelled or stale or not self._owner_alive():
            log.info("operation.dropped%s", f" {type(error).__name__}" if error else "")
            if error is None and self.dropped is not None:
                self.dropped(result)
            return
        if self.done is not None:
            self.done()
        if error is None:
            if self.success is not None:
                self.success(result)
        elif not is_expected(error):
            report_unexpected(error)
        else:
            log.info("operation.refused %s", type(error).__name__)
            if self.failure is not None:
                self.failure(error)
            else:
                Messenger.error(self._widget(), error)


class ReadOp(_Op[T]):
    """Reads: may run alongside other reads of the same session."""

    writes = False


class WriteOp(_Op[T]):
    """Changes: runs alone on its session, then announces `changes` to every open window."""

    writes = True


def running() -> int:
    """How many ops have been started and not yet finished (for waiting until a window
    has settled, in benchmarks and tests)."""
    return sum(1 for op in _live.values() if op.running)


def settle(session: UserSession, timeout_seconds: float = 5.0) -> bool:
    """Before a session closes (lock, quit): drop its ops that have not started, and wait
    for the running ones, so no query is left running on a closed engine.

    Their results are dropped. True if every op had ended within the time allowed.
    """
    deadline = time.monotonic() + timeout_seconds
    ended = True
    ops = [op for op in _live.values() if op.session is session]
    for op in ops:
        op.cancelled = True
    for op in ops:
        if op.state == "withdrawn" or op.withdraw():
            continue
        if op.writes:
            log.warning("operation.write_outlived_its_window")
        ended = op.wait(deadline) and ended
    return ended
