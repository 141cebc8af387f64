"""What the sign-in dialog does off the UI thread: ask the keyring, find a remembered
account, sign in (and remember this device if asked), and sign out a session nobody wants.

The auth service (SQLAlchemy, SQLCipher, Argon2) is imported on first use, so the dialog
itself opens quickly.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.errors import CasebookError, NotPermitted

if TYPE_CHECKING:
    from desktop.services.store import StoreLocation

log = logging.getLogger(__name__)

AUTH_MODULE = "desktop.services.auth"


def auth():
    """The auth service, imported on first use so the dialog itself opens quickly."""
    return importlib.import_module(AUTH_MODULE)


def remembering_status():
    """Whether "remember me" can work here: asks the OS keyring, so never on the UI thread."""
    from desktop.services import devices

    return devices.remembering_status()


def remembered_user(store_path: Path | StoreLocation) -> str | None:
    """Who this device remembers, if anyone; if that cannot be told, nobody is offered."""
    try:
        return auth().remembered_user(store_path)
    except Exception as exc:
        log.info("remembered_user.unknown: %s", type(exc).__name__)
        return None


def open_store(store_path: Path | StoreLocation, username: str, password: str, remember: bool):
    """Sign in, then (if asked) remember this device; a keyring that refuses is only noted.
    A sign-in that still owes its second step is remembered once that is done."""
    session = auth().sign_in_any(store_path, username=username, password=password)
    if getattr(session, "needs_second_factor", False):
        return session, None
    return session, remember_device(session, remember)


def remember_device(session, remember: bool) -> CasebookError | OSError | None:
    """Remember this device for the session's account, if asked; what went wrong, if
    anything (the session stays open); anything unexpected closes it."""
    if not remember:
        return None
    if front_desk(session):
        return NotPermitted(
            "Front-desk accounts are not remembered on a computer: sign in with your "
            "password each time."
        )
    try:
        auth().remember_this_device(session)
    except (CasebookError, OSError) as exc:
        return exc
    except BaseException:
        session.close()
        raise
    return None


def front_desk(session) -> bool:
    """A front-desk account's session (it opens only the visitor check)."""
    from desktop.services.frontdesk import FrontDeskSession

    return isinstance(session, FrontDeskSession)


def close_unused(result) -> None:
    """A sign-in that finished after its dialog was closed: sign out again at once."""
    session = result[0] if isinstance(result, tuple) else result
    if front_desk(session):  # the front desk's check: no audit entry to write
        session.close()
        return
    try:
        auth().sign_out(session)
    except Exception as exc:  # the key must go even if the audit entry cannot be written
        log.warning("sign_out.failed: %s", type(exc).__name__)
        session.close()
