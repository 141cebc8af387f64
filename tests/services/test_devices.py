"""Whether "remember me" can work here: the question the sign-in window asks as it opens."""

from __future__ import annotations

import subprocess
import sys

from desktop.services.devices import RememberingStatus, remembering_status
from tests.conftest import MemoryKeyring


def test_without_a_secure_keyring_remembering_is_unavailable_and_says_why() -> None:
    status = remembering_status()  # the tests' default keyring is keyring's `fail` backend
    assert isinstance(status, RememberingStatus)
    assert status.available is False
    assert status.reason == "no secure system password store is available"


def test_with_a_secure_keyring_remembering_is_available(memory_keyring: MemoryKeyring) -> None:
    assert remembering_status() == RememberingStatus(True, "")
    assert memory_keyring.store == {}  # the probe cleans up after itself


def test_asking_does_not_load_the_database_layers() -> None:
    """The window asks on the UI thread, so the answer must not wait for SQLAlchemy."""
    code = (
        "import sys, desktop.services.devices\n"
        "heavy = [m for m in ('sqlalchemy', 'sqlcipher3', 'desktop.storage') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
