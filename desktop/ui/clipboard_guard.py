"""What Casebook put on the clipboard is wiped when Casebook locks.

A name or an address copied from a case must not wait on the clipboard, behind the lock
screen, for the next person at the computer to paste. Only Casebook's own copy is wiped:
something copied in another program since is left alone.

Whether the clipboard still holds Casebook's copy is told two ways:
- where the system says who owns the clipboard (Windows, X11, Wayland, macOS), Casebook
  owning it is enough;
- everywhere, a fingerprint (a SHA-256, never the text itself) is kept of what reached the
  clipboard while a Casebook window had the focus. The clipboard still matching it at lock
  time holds Casebook's copy; a change while no Casebook window has the focus, and Casebook
  does not own the clipboard, was made by another program, and the fingerprint is dropped.
"""

from __future__ import annotations

import hashlib
import logging

from PySide6.QtCore import QMimeData, QObject
from PySide6.QtGui import QClipboard, QGuiApplication

log = logging.getLogger(__name__)

# The formats whose contents go into the fingerprint; other formats count by name only, so
# that a large image another program offers is never fetched just to be compared.
HASHED_FORMATS = ("text/plain", "text/html", "text/uri-list")


def fingerprint(mime: QMimeData | None) -> str | None:
    """A digest of what the clipboard holds, or None when it holds nothing."""
    if mime is None:
        return None
    formats = sorted(mime.formats())
    if not formats:
        return None
    digest = hashlib.sha256()
    for name in formats:
        digest.update(name.encode() + b"\0")
        if name in HASHED_FORMATS:
            data = bytes(mime.data(name).data())
            digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def is_ours(*, owned: bool, copied: str | None, current: str | None) -> bool:
    """Whether the clipboard holds Casebook's copy: Casebook owns it, or it still holds
    exactly what was copied from Casebook (`copied`, None once another program copied)."""
    return owned or (copied is not None and copied == current)


class ClipboardGuard(QObject):
    """Remembers Casebook's last copy and, on `clear_ours()`, wipes it if it is still there."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clipboard = QGuiApplication.clipboard()
        self._copied: str | None = None
        self.clipboard.dataChanged.connect(self._changed)

    @property
    def remembers_a_copy(self) -> bool:
        return self._copied is not None

    def _changed(self) -> None:
        clipboard = self.clipboard
        if clipboard.ownsClipboard() or QGuiApplication.focusWindow() is not None:
            self._copied = fingerprint(clipboard.mimeData())
        else:
            self._copied = None  # copied in another program

    def holds_ours(self) -> bool:
        clipboard = self.clipboard
        if clipboard.ownsClipboard():
            return True
        if self._copied is None:  # nothing to compare: the current contents are not read
            return False
        return is_ours(owned=False, copied=self._copied, current=fingerprint(clipboard.mimeData()))

    def clear_ours(self) -> bool:
        """On lock: wipe the clipboard (and the X11 selection) where it holds what Casebook
        put there; True if the clipboard was wiped."""
        clipboard = self.clipboard
        if clipboard.supportsSelection() and clipboard.ownsSelection():
            clipboard.clear(QClipboard.Mode.Selection)  # text selected in a Casebook window
        ours = self.holds_ours()
        self._copied = None
        if ours:
            clipboard.clear(QClipboard.Mode.Clipboard)
            log.info("clipboard.cleared")
        return ours
