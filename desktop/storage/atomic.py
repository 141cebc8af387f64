"""Writing a shared file so that a reader, a crash or a second copy never sees half of it.

Used for the key file and the front-desk list, always under the store's write lock
(`desktop.storage.filelock`): write beside the file under one fixed temporary name, flush
it to disk, swap it in, and flush the folder.
"""

from __future__ import annotations

import os
from pathlib import Path


def temporary_path(path: Path) -> Path:
    """The one temporary name a save uses: found and removed by the next writer."""
    return path.with_name(path.name + ".saving")


def write_atomically(path: Path, payload: bytes) -> None:
    """Write beside `path`, flush to disk, swap in; call under the store's write lock.

    The temporary file has one fixed name, so a save cut short by a crash leaves at most
    one, which the next save replaces and `discard_leftovers` removes.
    """
    tmp = temporary_path(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def discard_leftovers(path: Path) -> None:
    """Remove a temporary copy a killed save left behind (call under the write lock)."""
    temporary_path(path).unlink(missing_ok=True)
    for stale in path.parent.glob(".keys-*"):  # the name earlier versions used
        stale.unlink(missing_ok=True)
