"""Whether this device can remember someone: asked by the sign-in window as it opens.

Kept apart from `desktop.services.auth` on purpose: it needs only `desktop.secrets`, so the
window can ask on the UI thread without loading SQLAlchemy and SQLCipher first.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop import secrets


@dataclass(frozen=True)
class RememberingStatus:
    """`available` when a secure system password store works; `reason` says why not."""

    available: bool
    reason: str


def remembering_status() -> RememberingStatus:
    """Can "remember me" work on this device? Only with a secure, working OS keyring."""
    status = secrets.keyring_status()
    return RememberingStatus(status.secure, status.reason)
