"""The first run, end to end: the real app in its own process, driven by keyboard alone.

tests/smoke_driver.py starts Casebook as `python -m desktop` does and types its way through
the setup wizard ("Set up my trust") to the main window, then quits with Ctrl+Q. The UI tests
check each window; this checks they join up, with nothing but key presses, in a fresh
process with nothing on disk: as a new school trust would first meet it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import paths
from desktop.domain.text import suggest_username
from desktop.services import auth
from desktop.services.policies import profile_in_force
from desktop.services.trust import get_trust, list_schools

DRIVER = Path(__file__).with_name("smoke_driver.py")
TIMEOUT_SECONDS = 60  # the driver's watchdog; the subprocess gets a little longer


def run_driver(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)  # the XDG folders already point into tmp_path (tests/conftest.py)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        CASEBOOK_SMOKE_TIMEOUT=str(TIMEOUT_SECONDS),
        # Never the real keyring of whoever runs the tests.
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    env.pop("CASEBOOK_PASSWORD", None)
    return subprocess.run(
        [sys.executable, str(DRIVER)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS + 30,
    )


@pytest.mark.slow
def test_first_run_by_keyboard_reaches_the_main_window_and_quits(tmp_path: Path) -> None:
    store = paths.default_store_path()
    assert str(store).startswith(str(tmp_path)) and not store.exists()

    result = run_driver(tmp_path)

    report = f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.returncode == 0, report
    assert "smoke: done: main window: Quit (Ctrl+Q)" in result.stderr, report
    log = (paths.log_dir() / "casebook.log").read_text(encoding="utf-8")
    assert "startup.signed_in" in log
    assert "uncaught_exception" not in log, log
    assert paths.store_files_exist(store)

    # What was typed, accents and all, is what the store holds.
    from tests.smoke_driver import FULL_NAME, PASSWORD, SCHOOLS, TRUST_ADDRESS, TRUST_NAME

    username = suggest_username(FULL_NAME)  # the driver kept the wizard's suggestion
    session = auth.sign_in(store, username=username, password=PASSWORD)
    try:
        assert session.actor.full_name == FULL_NAME
        trust = get_trust(session)
        assert (trust.name, trust.address) == (TRUST_NAME, "\n".join(TRUST_ADDRESS))
        schools = [(s.name, s.address, s.headteacher_name) for s in list_schools(session)]
        assert sorted(schools) == sorted(SCHOOLS)
        assert profile_in_force(session).profile.id == "graduated_sanctions"
    finally:
        session.close()
