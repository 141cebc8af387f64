"""Casebook's two log files, the window's and the command line's, and how they rotate.

Both rotate the same way: when a file would pass MAX_BYTES it becomes `<name>.1` (the older
ones move up) and only BACKUPS old files are kept, so a school laptop's disk never fills
with log and an old entry does not outlive its use. What goes into them is the callers'
business: event names, ids and error types, never case data (see desktop.diagnostics).
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

WINDOW_LOG = "casebook.log"
CLI_LOG = "casebook-cli.log"
MAX_BYTES = 1_000_000
BACKUPS = 3


def rotating_handler(path: Path) -> logging.handlers.RotatingFileHandler:
    """A handler appending to `path`, rotated at MAX_BYTES with BACKUPS old files kept.

    Creates the folder; raises OSError when the file cannot be opened.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    return logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )


class _RaisingHandler(logging.handlers.RotatingFileHandler):
    """Lets a failed write raise, so `append_entry`'s caller decides (the standard handler
    prints a traceback to stderr, which a command must never show)."""

    def handleError(self, record: logging.LogRecord) -> None:
        raise  # emit calls this inside its `except`, so there is an error to raise


def append_entry(path: Path, text: str) -> None:
    """Add `text` (one entry, ending in a newline) to the log at `path`, rotating it first
    when it is full, as the window's log does. For a short-lived process such as a command,
    which has no handler of its own. Raises OSError when the log cannot be written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = _RaisingHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.terminator = ""
    try:
        handler.emit(logging.makeLogRecord({"msg": text, "levelno": logging.ERROR}))
    finally:
        handler.close()
