"""Shared fixtures: fast key derivation, an isolated home, a ready-made store."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402

import keyring  # noqa: E402
import keyring.backend  # noqa: E402
import pytest  # noqa: E402

import desktop.storage.keyvault as keyvault  # noqa: E402
from desktop.services.session import UserSession  # noqa: E402
from desktop.services.setup import AdminDraft, SchoolDraft, SetupResult, TrustDraft, create_store  # noqa: E402

# Argon2id at full strength costs ~0.3 s per password; tests use a cheap setting. Each slot
# records its own parameters, so production stores are unaffected.
FAST_KDF = keyvault.KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
ADMIN_PASSWORD = "admin password 1"


@contextmanager
def fast_keys() -> Iterator[None]:
    """FAST_KDF outside a test's own set-up: a store shared by a module's tests is made
    before `_isolated` sets it for each test."""
    previous = keyvault.DEFAULT_KDF
    keyvault.DEFAULT_KDF = FAST_KDF
    try:
        yield
    finally:
        keyvault.DEFAULT_KDF = previous


# The tests make thousands of small stores, and every commit waits for the disk (SQLite's
# fsync, the key file's atomic writes). On a disk the waits grow as the run writes hundreds
# of megabytes; in memory (/dev/shm, where there is room) they cost nothing, and the suite
# takes a quarter less time. The crash-safety tests kill their own processes, whose writes
# the kernel keeps either way, so nothing they prove depends on where the files are.
FAST_TEMP_ROOT = Path("/dev/shm")
FAST_TEMP_NEEDS = 4 * 1024**3  # bytes free before the tests use it
_fast_temp: Path | None = None


def _room_in_memory() -> bool:
    try:
        return (
            FAST_TEMP_ROOT.is_dir()
            and os.access(FAST_TEMP_ROOT, os.W_OK)
            and shutil.disk_usage(FAST_TEMP_ROOT).free > FAST_TEMP_NEEDS
        )
    except OSError:
        return False


def pytest_configure(config: pytest.Config) -> None:
    """Temporary folders in memory when there is room, unless --basetemp says where."""
    global _fast_temp
    if config.option.basetemp or not _room_in_memory():
        return
    _fast_temp = Path(tempfile.mkdtemp(prefix="casebook-tests-", dir=FAST_TEMP_ROOT))
    config.option.basetemp = str(_fast_temp / "pytest")
    scratch = _fast_temp / "tmp"
    scratch.mkdir()
    os.environ["TMPDIR"] = str(scratch)  # tempfile here and in the programs tests start
    tempfile.tempdir = str(scratch)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Memory is not a disk: nothing is left behind there."""
    if _fast_temp is not None:
        shutil.rmtree(_fast_temp, ignore_errors=True)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A secure-looking keyring held in memory, for the "remember me" path."""

    priority = 5  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Cheap KDF, no real keyring, and platformdirs pointed into tmp_path."""
    monkeypatch.setattr(keyvault, "DEFAULT_KDF", FAST_KDF)
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("CASEBOOK_PASSWORD", raising=False)
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "trust.casebook"


@pytest.fixture
def new_store(store_path: Path) -> Iterator[SetupResult]:
    """A two-school trust with an administrator `admin`, signed in."""
    result = create_store(
        store_path,
        trust=TrustDraft(
            "Oakfield Learning Trust",
            "1 High Street\nOakfield\nOK1 2AB",
            None,
            (SchoolDraft("Ash Primary", "Ash Lane", "Ann Ash"), SchoolDraft("Birch Academy")),
        ),
        admin=AdminDraft("admin", "Alex Admin", ADMIN_PASSWORD),
    )
    yield result
    result.session.close()


@pytest.fixture
def admin(new_store: SetupResult) -> UserSession:
    """The administrator `admin`, signed in to `new_store`."""
    return new_store.session


@pytest.fixture
def today() -> dt.date:
    return dt.date(2026, 11, 24)
