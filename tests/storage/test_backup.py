"""The backup file and its snapshot: consistent under another process's writes, and read
with suspicion, whatever bytes it holds."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.errors import StoreBusy
from desktop.services import audit, auth, backups
from desktop.services.cases import list_cases
from desktop.services.setup import SetupResult
from desktop.storage.backup import NAME_PATTERN, backup_name, take_snapshot
from desktop.storage.backup_file import MANIFEST, BackupProblem
from desktop.storage.filelock import exclusive
from desktop.storage.filestore import lock_path_for
from tests.conftest import ADMIN_PASSWORD

ROOT = Path(__file__).resolve().parents[2]

# Opens cases, one every few milliseconds for a few seconds, in its own process (its own OS lock).
WRITER = """
import datetime as dt, sys, time
from pathlib import Path
from desktop.storage import keyvault
keyvault.DEFAULT_KDF = keyvault.KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
from desktop.services import auth, cases
path, password, seconds = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
session = auth.sign_in(path, username="admin", password=password)
print("ready", flush=True)
deadline, n = time.monotonic() + seconds, 0
while time.monotonic() < deadline:
    n += 1
    cases.open_case(session, given_name="Writer", family_name=f"Case {n}",
                    relationship="parent", school_ids=[1], opened_on=dt.date(2026, 1, 5))
    time.sleep(0.01)  # a person's pace, not a tight loop: the OS lock is not a queue
print(n, flush=True)
session.close()
"""


def test_backups_taken_while_another_process_writes_are_each_from_one_moment(
    new_store: SetupResult, store_path: Path, tmp_path: Path
) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(store_path), ADMIN_PASSWORD, "4"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "ready", (
        writer.stderr.read() if writer.stderr else ""
    )
    folder = tmp_path / "out"
    folder.mkdir()
    made: list[backups.BackupInfo] = []
    while writer.poll() is None and len(made) < 12:
        made.append(backups.make_backup(new_store.session, folder=folder, keep=50))
        time.sleep(0.15)
    out, err = writer.communicate(timeout=30)
    assert writer.returncode == 0, err
    written = int(out.split()[-1])
    counts = [info.facts.cases for info in made]
    assert len(made) >= 4 and counts == sorted(counts) and 0 < counts[-1] <= written
    assert len(set(counts)) > 1, counts  # the writer really was writing meanwhile
    for number, info in enumerate(made[:: max(len(made) // 4, 1)]):
        target = tmp_path / f"restored {number}" / "trust.casebook"
        target.parent.mkdir()
        result = backups.restore_backup(
            info.path, target, username="admin", password=ADMIN_PASSWORD
        )
        assert result.check is not None and result.check.audit_entries is not None
        session = auth.sign_in(target, username="admin", password=ADMIN_PASSWORD)
        try:
            assert len(list_cases(session, limit=10_000)) == info.facts.cases
            assert audit.verify_chain(session).intact
        finally:
            session.close()


def test_no_other_writer_can_start_while_the_files_are_copied(
    admin, store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer (here a thread, as another copy of Casebook would) asks for the
    store's lock at the moment each file is copied, and has to wait."""
    tries: list[str] = []
    copy = shutil.copyfile

    def copy_while_another_writer_tries(source: str, target: str) -> str:
        def writer() -> None:
            try:
                with exclusive(lock_path_for(store_path), wait=0.2):
                    tries.append("wrote")
            except StoreBusy:
                tries.append("waited")

        thread = threading.Thread(target=writer)
        thread.start()
        thread.join()
        return copy(source, target)

    monkeypatch.setattr(shutil, "copyfile", copy_while_another_writer_tries)
    folder = tmp_path / "out"
    folder.mkdir()
    backups.make_backup(admin, folder=folder)
    assert tries and set(tries) == {"waited"}


def test_a_snapshot_is_taken_only_under_the_write_lock(admin, store_path: Path) -> None:
    with pytest.raises(RuntimeError, match="write transaction"):
        take_snapshot(admin.store)
    with admin.transaction(write=True):
        snapshot = take_snapshot(admin.store)
    try:
        assert snapshot.database.read_bytes()[:16] != b"SQLite format 3\x00"
        assert snapshot.folder.parent == store_path.parent
    finally:
        snapshot.discard()
    assert not snapshot.folder.exists()


def test_backup_names_are_in_uk_time_and_recognised() -> None:
    summer = dt.datetime(2026, 7, 1, 22, 30, tzinfo=dt.UTC)
    assert backup_name("trust.casebook", summer) == "trust backup 2026-07-01 2330.casebook-backup"
    assert backup_name("trust.casebook", summer, 3).endswith("2330 (3).casebook-backup")
    for name in (backup_name("my trust.casebook", summer), backup_name("x.casebook", summer, 2)):
        assert NAME_PATTERN.fullmatch(name), name
    for name in ("trust backup.casebook-backup", "trust backup 2026-07-01 2330.zip", "notes"):
        assert not NAME_PATTERN.fullmatch(name), name


# -- any bytes at all --------------------------------------------------------------------------
ZIP_START = b"PK\x03\x04" + bytes(26) + MANIFEST.encode()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(prefix=st.sampled_from([b"", b"PK\x03\x04", ZIP_START]), body=st.binary(max_size=3000))
def test_any_bytes_are_refused_in_plain_words(tmp_path_factory, prefix: bytes, body: bytes) -> None:
    path = tmp_path_factory.mktemp("odd") / "odd.casebook-backup"
    path.write_bytes(prefix + body)
    with pytest.raises(BackupProblem) as refused:
        backups.inspect_backup(path)
    assert "Traceback" not in refused.value.message and refused.value.message.endswith(".")


def test_damage_anywhere_is_refused_or_harmless(admin, tmp_path: Path) -> None:
    """Change one byte, or cut the file, anywhere: the backup is refused in plain words, or
    (a byte no part depends on, such as a member's date) reads exactly as it did."""
    folder = tmp_path / "out"
    folder.mkdir()
    original = backups.make_backup(admin, folder=folder)
    whole = original.path.read_bytes()
    copy = tmp_path / "copy.casebook-backup"

    @settings(max_examples=200, deadline=None)
    @given(
        where=st.integers(0, len(whole) - 1),
        flip=st.integers(1, 255),
        cut=st.booleans(),
    )
    def check(where: int, flip: int, cut: bool) -> None:
        data = bytearray(whole[:where] if cut else whole)
        if not cut:
            data[where] ^= flip
        copy.write_bytes(bytes(data))
        try:
            facts = backups.inspect_backup(copy)
        except BackupProblem:
            return
        assert not cut and facts == original.facts

    check()
