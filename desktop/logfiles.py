"""Casebook's two log files, the window's and the command line's, and how they rotate.

Both rotate the same way: when a file would pass MAX_BYTES it becomes `<name>.1` (the older
ones move up) and only BACKUPS old files are kept, so a school laptop's disk never fills
with log and an old entry does not outlive its use. What goes into them is the callers'
business: event names, ids and error types, never case data (see desktop.diagnostics).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

WINDOW_LOG = "casebook.log"
CLI_LOG = "casebook-cli.log"
MAX_BYTES = 1_000_000
BACKUPS = 3


class RotatingFile(logging.FileHandler):
    """Appends to a file, moving it to `<name>.1` (the older ones up) before a record would
    take it past `max_bytes`, and keeping `backups` old files.

    The standard library's RotatingFileHandler does the same, but its module brings in
    sockets, pickling and queues, which the window would load before its first dialog.
    """

    def __init__(self, path: Path, *, max_bytes: int | None = None, backups: int | None = None):
        super().__init__(path, mode="a", encoding="utf-8")
        self.max_bytes = MAX_BYTES if max_bytes is None else max_bytes
        self.backups = BACKUPS if backups is None else backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._would_overflow(record):
                self._rotate()
            logging.FileHandler.emit(self, record)
        except Exception:
            self.handleError(record)

    def _would_overflow(self, record: logging.LogRecord) -> bool:
        if self.stream is None:
            self.stream = self._open()
        size = self.stream.seek(0, os.SEEK_END)
        return size > 0 and size + len(f"{self.format(record)}{self.terminator}") > self.max_bytes

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        for number in range(self.backups - 1, 0, -1):
            older = Path(f"{self.baseFilename}.{number}")
            if older.exists():
                os.replace(older, f"{self.baseFilename}.{number + 1}")
        if self.backups > 0:
            os.replace(self.baseFilename, f"{self.baseFilename}.1")
        else:
            Path(self.baseFilename).unlink(missing_ok=True)
        self.stream = self._open()


def rotating_handler(path: Path) -> RotatingFile:
    """A handler appending to `path`, rotated at MAX_BYTES with BACKUPS old files kept.

    Creates the folder; raises OSError when the file cannot be opened.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    return RotatingFile(path)


class _RaisingHandler(RotatingFile):
    """Lets a failed write raise, so `append_entry`'s caller decides (the standard handler
    prints a traceback to stderr, which a command must never show)."""

    def handleError(self, record: logging.LogRecord) -> None:
        raise  # emit calls this inside its `except`, so there is an error to raise


def append_entry(path: Path, text: str) -> None:
    """Add `text` (one entry, ending in a newline) to the log at `path`, rotating it first
    when it is full, as the window's log does. For a short-lived process such as a command,
    which has no handler of its own. Raises OSError when the log cannot be written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = _RaisingHandler(path)
    handler.terminator = ""
    try:
        handler.emit(logging.makeLogRecord({"msg": text, "levelno": logging.ERROR}))
    finally:
        handler.close()
