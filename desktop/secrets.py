"""The only module that talks to the OS keyring.

A backend counts as secure only if its priority is at least 1, it is neither keyring's
`fail` backend nor one of keyrings.alt's plaintext files, and it survives a round trip.
Anything else means password sign-in only, and the UI says so.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets as _random
from dataclasses import dataclass

from desktop.errors import KeyringUnavailable

SERVICE = "Casebook"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeyringStatus:
    secure: bool
    backend: str
    reason: str


@dataclass(frozen=True)
class RememberedDevice:
    username: str
    slot_id: str
    secret: bytes


def keyring_status() -> KeyringStatus:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover - keyring is a dependency
        return KeyringStatus(False, "none", "the keyring package is not installed")
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken backend configuration must not stop sign-in
        return KeyringStatus(False, "unknown", "the system password store could not be loaded")
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    module = type(backend).__module__
    priority = getattr(backend, "priority", 0)
    try:
        priority = float(priority)
    except (TypeError, ValueError):
        priority = 0.0
    if module.startswith("keyring.backends.fail") or module.startswith("keyrings.alt"):
        return KeyringStatus(False, name, "no secure system password store is available")
    if priority < 1:
        return KeyringStatus(False, name, "the system password store is not trusted")
    probe_name = "probe-" + _random.token_hex(8)
    try:
        keyring.set_password(SERVICE, probe_name, "probe")
        ok = keyring.get_password(SERVICE, probe_name) == "probe"
        keyring.delete_password(SERVICE, probe_name)
    except KeyringError as exc:
        locked = type(exc).__name__ == "KeyringLocked"
        reason = "the system password store is locked" if locked else "the store refused a test"
        return KeyringStatus(False, name, reason)
    except Exception:
        return KeyringStatus(False, name, "the system password store failed a test")
    if not ok:
        return KeyringStatus(False, name, "the system password store did not keep a test value")
    return KeyringStatus(True, name, "")


def _entry_name(store_id: str) -> str:
    return f"device:{store_id}"


def save_device(store_id: str, device: RememberedDevice) -> None:
    import keyring
    from keyring.errors import KeyringError

    status = keyring_status()
    if not status.secure:
        raise KeyringUnavailable()
    value = json.dumps(
        {
            "username": device.username,
            "slot": device.slot_id,
            "secret": base64.b64encode(device.secret).decode("ascii"),
        }
    )
    try:
        keyring.set_password(SERVICE, _entry_name(store_id), value)
    except KeyringError as exc:
        raise KeyringUnavailable() from exc


def load_device(store_id: str) -> RememberedDevice | None:
    """The device remembered for this store, or None (including when no keyring works)."""
    try:
        import keyring

        value = keyring.get_password(SERVICE, _entry_name(store_id))
    except Exception:
        return None
    if not value:
        return None
    try:
        data = json.loads(value)
        return RememberedDevice(
            data["username"], data["slot"], base64.b64decode(data["secret"], validate=True)
        )
    except (ValueError, KeyError, TypeError):
        log.warning("ignoring an unreadable remembered-device entry")
        return None


def forget_device(store_id: str) -> None:
    try:
        import keyring

        keyring.delete_password(SERVICE, _entry_name(store_id))
    except Exception:  # nothing remembered, or no keyring: either way it is forgotten
        return
