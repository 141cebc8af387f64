""" "Remember me" against a real OS secret store: Secret Service from gnome-keyring.

Runs in its own D-Bus session with a freshly unlocked keyring, in a subprocess (keyring
picks its backend once per process). Skipped where Debian's dbus and gnome-keyring are not
installed; the in-memory keyring tests in test_auth.py cover the same calls everywhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="needs Debian's dbus and gnome-keyring packages",
)

REPO = Path(__file__).resolve().parents[2]
SCRIPT = r"""
import pathlib, sys
from desktop.errors import WrongPassword
from desktop.secrets import keyring_status
from desktop.services import auth
from desktop.services.setup import AdminDraft, SchoolDraft, TrustDraft, create_store

status = keyring_status()
assert status.secure, status
assert status.backend.endswith("SecretService.Keyring"), status
path = pathlib.Path(sys.argv[1])
made = create_store(
    path,
    trust=TrustDraft("Oakfield Learning Trust", "", None, (SchoolDraft("Ash Primary"),)),
    admin=AdminDraft("admin", "Alex Admin", "admin password 1"),
)
auth.remember_this_device(made.session)
auth.sign_out(made.session)
assert auth.remembered_user(path) == "admin"
again = auth.sign_in_remembered(path)
assert again.actor.username == "admin"
auth.sign_out(again)
auth.forget_this_device(path)
assert auth.remembered_user(path) is None
try:
    auth.sign_in_remembered(path)
except WrongPassword:
    print("REAL KEYRING OK")
"""
RUNNER = (
    'printf %s "keyring-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null'
    ' && exec "$0" -c "$1" "$2"'
)


def test_remember_me_with_a_real_secret_service(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_RUNTIME_DIR": str(tmp_path / "run"),
        "PYTHONPATH": str(REPO),
    }
    (tmp_path / "run").mkdir(mode=0o700)
    result = subprocess.run(
        [
            "dbus-run-session",
            "--",
            "bash",
            "-c",
            RUNNER,
            sys.executable,
            SCRIPT,
            str(tmp_path / "trust.casebook"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO,
    )
    assert "REAL KEYRING OK" in result.stdout, result.stdout + result.stderr
