"""One writer at a time: an OS lock on a file beside the store, shared by threads.

The lock file holds nothing; the lock is the operating system's (`flock` on Linux and
macOS, `LockFileEx` through `msvcrt.locking` on Windows), so it is released when the
process ends, however it ends. Threads of one process share one lock per file and take
turns through a re-entrant in-process lock, so a thread may nest transactions.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop.errors import StoreBusy

WAIT_SECONDS = 10.0
_POLL_SECONDS = 0.02


class _FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.local = threading.RLock()
        self.depth = 0
        self.fd: int | None = None

    def _try_os_lock(self, fd: int) -> bool:
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def acquire(self, wait: float) -> None:
        deadline = time.monotonic() + wait
        if not self.local.acquire(timeout=wait):
            raise StoreBusy()
        if self.depth:
            self.depth += 1
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            while not self._try_os_lock(fd):
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise StoreBusy()
                time.sleep(_POLL_SECONDS)
        except BaseException:
            self.local.release()
            raise
        self.fd, self.depth = fd, 1

    def release(self) -> None:
        self.depth -= 1
        if self.depth == 0 and self.fd is not None:
            fd, self.fd = self.fd, None
            if sys.platform == "win32":
                import msvcrt

                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            os.close(fd)  # closing the descriptor releases flock
        self.local.release()

    def held_by_this_thread(self) -> bool:
        # RLock has no public owner check; _is_owned is stable across CPython versions.
        return bool(self.depth) and self.local._is_owned()  # type: ignore[attr-defined]


_locks: dict[str, _FileLock] = {}
_registry = threading.Lock()


def _lock_for(path: Path) -> _FileLock:
    key = os.path.abspath(path)
    with _registry:
        lock = _locks.get(key)
        if lock is None:
            lock = _locks[key] = _FileLock(Path(key))
        return lock


@contextmanager
def exclusive(path: Path, *, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the lock on `path` for the block; StoreBusy after `wait` seconds of waiting."""
    lock = _lock_for(path)
    lock.acquire(wait)
    try:
        yield
    finally:
        lock.release()


def held(path: Path) -> bool:
    """Whether this thread holds the lock on `path` (for assertions in the callers)."""
    return _lock_for(path).held_by_this_thread()
