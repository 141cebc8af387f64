"""The hardening probe's findings (issue 14), one test each where no other file has it.

Finding 1 (key-file races) is tests/test_concurrent_writers.py; finding 3 (a cut trail
reported as intact) is tests/cli/test_cli_audit_attacks.py; finding 5 (what a password
opens) is in tests/services/test_users_service.py and tests/storage/test_keyvault.py.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import func, select

from desktop.errors import StoreBusy, StoreDamaged, TooManyAttempts, WrongPassword
from desktop.services import audit
from desktop.services.auth import change_password, sign_in
from desktop.services.cases import list_cases
from desktop.services.setup import SetupResult
from desktop.storage import engine as engine_module
from desktop.storage.atomic import temporary_path
from desktop.storage.engine import key_pragma
from desktop.storage.filestore import FileStoreLocation
from desktop.storage.keyvault import RECOVERY_SLOT, KeyFile, keys_path_for
from desktop.storage.models import AuditEntry
from tests.conftest import ADMIN_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _hold_write_lock(path: Path, key: bytes, seconds: float) -> threading.Thread:
    """Another connection holds the database's write lock for `seconds`."""
    held = threading.Event()

    def hold() -> None:
        conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute(key_pragma(key))
        conn.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        conn.execute("ROLLBACK")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    return thread


# -- finding 2: a half-done password change ----------------------------------------------
def test_a_password_change_that_cannot_save_changes_nothing(
    new_store: SetupResult, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 300)
    session = sign_in(store_path, username="admin", password=ADMIN_PASSWORD)
    key = session.store.key  # type: ignore[attr-defined]
    keys_before = keys_path_for(store_path).read_bytes()
    entries_before = _count_entries(new_store)
    holder = _hold_write_lock(store_path, key, 2.0)
    try:
        with pytest.raises(StoreBusy) as info:
            change_password(
                session, current_password=ADMIN_PASSWORD, new_password="a brand new password"
            )
        assert "Try again" in info.value.message  # plain words, not "something went wrong"
    finally:
        holder.join()
    assert keys_path_for(store_path).read_bytes() == keys_before
    assert _count_entries(new_store) == entries_before
    sign_in(store_path, username="admin", password=ADMIN_PASSWORD).close()
    with pytest.raises(WrongPassword):
        sign_in(store_path, username="admin", password="a brand new password")
    session.close()


def _count_entries(result: SetupResult) -> int:
    with result.session.transaction() as db:
        return int(db.scalar(select(func.count()).select_from(AuditEntry)) or 0)


# -- finding 4: a second writer waits, then goes on ----------------------------------------
def test_sign_in_waits_for_another_writer_instead_of_failing(
    new_store: SetupResult, store_path: Path
) -> None:
    key = new_store.session.store.key  # type: ignore[attr-defined]
    holder = _hold_write_lock(store_path, key, 1.0)
    started = time.monotonic()
    session = sign_in(store_path, username="admin", password=ADMIN_PASSWORD)
    waited = time.monotonic() - started
    holder.join()
    session.close()
    assert waited >= 0.5  # it waited for the other writer rather than failing at once


# -- finding 6: damage is noticed, named and never written into ----------------------------
def test_a_damaged_recovery_slot_is_reported_at_the_next_sign_in(
    new_store: SetupResult, store_path: Path
) -> None:
    data = json.loads(keys_path_for(store_path).read_text())
    box = data["slots"][RECOVERY_SLOT]["box"]
    box["ct"] = ("B" if box["ct"].startswith("A") else "A") + box["ct"][1:]  # always a change
    keys_path_for(store_path).write_text(json.dumps(data))
    session = sign_in(store_path, username="admin", password=ADMIN_PASSWORD)
    try:
        assert session.notices and "recovery key" in session.notices[0]
        report = audit.verify_chain(session)
        assert not report.intact
        assert any("recovery key" in f.text for f in report.findings)
    finally:
        session.close()


def test_a_zero_byte_database_is_never_written_into(
    new_store: SetupResult, store_path: Path
) -> None:
    new_store.session.close()
    for name in (f"{store_path}-wal", f"{store_path}-shm"):
        Path(name).unlink(missing_ok=True)
    store_path.write_bytes(b"")
    with pytest.raises(StoreDamaged) as info:
        sign_in(store_path, username="admin", password=ADMIN_PASSWORD)
    assert "backup" in info.value.message
    assert store_path.read_bytes() == b""


def test_damage_found_after_sign_in_says_so(new_store: SetupResult, store_path: Path) -> None:
    session = new_store.session
    session.store.engine.dispose()
    with sqlcipher3.connect(str(store_path)) as conn:
        conn.execute(key_pragma(session.store.key))  # type: ignore[attr-defined]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = bytearray(store_path.read_bytes())
    page = 4096
    for offset in range(page, len(raw), page):  # every page but the first
        raw[offset + 100 : offset + 200] = os.urandom(100)
    store_path.write_bytes(bytes(raw))
    with pytest.raises(StoreDamaged) as info:
        list_cases(session)
    assert "damaged" in info.value.message and "backup" in info.value.message


# -- finding 7: the smaller ones -------------------------------------------------------------
def test_a_failure_time_that_is_not_a_number_does_not_turn_throttling_off(
    new_store: SetupResult, store_path: Path
) -> None:
    keys = KeyFile.load(keys_path_for(store_path))
    for _ in range(6):
        keys.record_failure("admin", math.nan)
    keys.save()
    with pytest.raises(TooManyAttempts):
        sign_in(store_path, username="admin", password=ADMIN_PASSWORD)


def test_guesses_at_unknown_names_do_not_grow_the_key_file(
    new_store: SetupResult, store_path: Path
) -> None:
    location = FileStoreLocation(store_path)
    for n in range(150):
        with pytest.raises(WrongPassword):
            sign_in(location, username=f"stranger{n}", password="a guessed password")
    size = keys_path_for(store_path).stat().st_size
    for n in range(150, 250):
        with pytest.raises(WrongPassword):
            sign_in(location, username=f"stranger{n}", password="a guessed password")
    assert keys_path_for(store_path).stat().st_size <= size + 200


def test_a_crashed_key_file_save_leaves_no_copy_behind(
    new_store: SetupResult, store_path: Path
) -> None:
    leftover = temporary_path(keys_path_for(store_path))
    legacy = store_path.parent / ".keys-abc123"
    leftover.write_bytes(keys_path_for(store_path).read_bytes())
    legacy.write_bytes(b"old copy")
    with new_store.session.transaction(write=True) as db:
        audit.record(db, new_store.session.actor, "test.write")
    assert not leftover.exists() and not legacy.exists()


DEMO = """
import sys
from pathlib import Path
from desktop.storage import keyvault
keyvault.DEFAULT_KDF = keyvault.KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
from desktop.services.demo import create_demo_store
create_demo_store(Path(sys.argv[1]), cases=3000, progress=lambda done, *a: print(done, flush=True))
"""


@pytest.mark.slow
def test_a_killed_demo_leaves_no_store_that_looks_complete(tmp_path: Path) -> None:
    path = tmp_path / "sample.casebook"
    for _ in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", DEMO, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        while int(child.stdout.readline()) == 0:  # until some cases are written
            pass
        assert any(p.name.startswith(".sample.casebook.building") for p in tmp_path.iterdir())
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert not path.exists()
        assert not keys_path_for(path).exists()
    finished = subprocess.run(
        [sys.executable, "-c", DEMO.replace("3000", "20"), str(path)], cwd=ROOT, check=False
    )
    assert finished.returncode == 0
    assert path.exists() and keys_path_for(path).exists()
    assert not any(p.name.startswith(".sample.casebook.building") for p in tmp_path.iterdir())
