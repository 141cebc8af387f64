"""An opened case store: its engine and sessions, who it is, and the ways into it.

`Store` is what a signed-in `UserSession` holds; services use it for transactions and for
the ways in (passwords, devices) and never see a file path or a database key. The one
implementation today is `EncryptedFileStore`: a SQLCipher file beside its `.keys` file of
key slots. A trust server's PostgreSQL store would be a second implementation with its
own ways in, needing no change in services or windows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from desktop.errors import StoreDamaged, StoreMissing, WrongPassword
from desktop.storage import migrate
from desktop.storage.engine import make_engine, probe, session_factory, writing
from desktop.storage.keyvault import KeyFile, editing, keys_path_for
from desktop.storage.models import StoreMeta

STORE_ID_KEY = "store_id"
SAMPLE_META_KEY = "sample"  # present in a store of invented cases made by `casebook demo`


@dataclass(frozen=True)
class StoreIdentity:
    """Which store this is: its id, where it is (in words for people) and whether it holds
    invented sample cases."""

    store_id: str
    location: str
    is_sample: bool = False


class Store(ABC):
    """An opened store. Closing it drops the connection and whatever unlocked it."""

    def __init__(self, engine: Engine, sessions: sessionmaker[Session], identity: StoreIdentity):
        self.engine = engine
        self.sessions = sessions
        self.identity = identity
        self._closed = False

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Session]:
        """One unit of work: all of it is committed, or none of it.

        `write=True` holds the store's write lock from the first statement, so numbers
        read and then allocated (references, audit ids) cannot be taken meanwhile.
        """
        if write:
            with writing(self.sessions) as db:
                yield db
        else:
            with self.sessions.begin() as db:
                yield db

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    @abstractmethod
    def location(self) -> StoreLocation:
        """Where this store was opened from: the lock screen signs in there again."""

    def close(self) -> None:
        if not self._closed:
            self.engine.dispose()
            self._forget_key()
            self._closed = True

    @abstractmethod
    def _forget_key(self) -> None:
        """Drop whatever secret unlocked the store."""

    # -- the ways in: one per user password, and one per remembered device ------------------
    @abstractmethod
    def set_password(self, username: str, password: str) -> None:
        """Give `username` a way in with `password` (replacing any they had)."""

    @abstractmethod
    def change_password(self, username: str, current: str, new: str) -> None:
        """Replace `username`'s password, proving the current one; WrongPassword if not."""

    @abstractmethod
    def remove_ways_in(self, username: str) -> None:
        """`username`'s password no longer opens anything."""

    @abstractmethod
    def add_device(self, keep: Callable[[str, bytes], None]) -> None:
        """Make a device way in and hand its (slot id, secret) to `keep`, which stores the
        secret on the device; if `keep` raises, the way in is not made."""

    @abstractmethod
    def remove_device(self, slot_id: str) -> None:
        """Forget a remembered device's way in."""


class EncryptedFileStore(Store):
    """A SQLCipher database file opened with the key unwrapped from its `.keys` file."""

    def __init__(
        self,
        *,
        path: Path,
        keyfile: KeyFile,
        key: bytes,
        engine: Engine,
        sessions: sessionmaker[Session],
        is_sample: bool = False,
    ) -> None:
        super().__init__(engine, sessions, StoreIdentity(keyfile.store_id, str(path), is_sample))
        self.path = path
        self.keyfile = keyfile
        self._key = key

    def _forget_key(self) -> None:
        self._key = b""

    @property
    def location(self) -> StoreLocation:
        return FileStoreLocation(self.path)

    @property
    def key(self) -> bytes:
        """The database key while open (empty once closed): for storage tools and tests only;
        services never need it."""
        return self._key

    def set_password(self, username: str, password: str) -> None:
        with editing(self.keyfile.path) as keyfile:
            keyfile.set_password(username, password, self._key)

    def change_password(self, username: str, current: str, new: str) -> None:
        with editing(self.keyfile.path) as keyfile:
            try:
                keyfile.open_with_password(username, current)
            except WrongPassword:
                raise WrongPassword("Your current password is not right.") from None
            keyfile.set_password(username, new, self._key)

    def remove_ways_in(self, username: str) -> None:
        with editing(self.keyfile.path) as keyfile:
            keyfile.remove_user(username)

    def add_device(self, keep: Callable[[str, bytes], None]) -> None:
        with editing(self.keyfile.path) as keyfile:
            slot_id, secret = keyfile.add_device(self._key)
            keep(slot_id, secret)  # if this raises, the block raises and nothing is saved

    def remove_device(self, slot_id: str) -> None:
        with editing(self.keyfile.path) as keyfile:
            if keyfile.has_slot(slot_id):
                keyfile.remove_slot(slot_id)


class StoreLocation(ABC):
    """A store not yet opened: where it is, and how each way in unlocks it.

    The sign-in throttle's records live here too, since they are kept before anyone is in.
    Making one touches nothing; a missing or damaged store is found when it is used.
    """

    @property
    @abstractmethod
    def name(self) -> str:
        """A short name for people (a file's name)."""

    @property
    @abstractmethod
    def description(self) -> str:
        """Where it is, in full (a file's path)."""

    @property
    @abstractmethod
    def store_id(self) -> str:
        """The store's id, readable without unlocking it (to find a remembered device)."""

    @abstractmethod
    def failures(self, username: str) -> tuple[int, float]:
        """How many sign-ins failed in a row for `username`, and when the last one was."""

    @abstractmethod
    def record_failure(self, username: str, when: float) -> None: ...

    @abstractmethod
    def clear_failures(self, username: str) -> None: ...

    @abstractmethod
    def restart_failure_clock(self, username: str, when: float) -> None:
        """Date the last failure `when` (a recorded time in the future cannot be right)."""

    @abstractmethod
    def unlock_with_password(self, username: str, password: str) -> Store:
        """Open the store with a user's password; WrongPassword if it does not fit."""

    @abstractmethod
    def unlock_with_recovery_key(self, recovery_key: str) -> Store: ...

    @abstractmethod
    def unlock_with_device(self, slot_id: str, secret: bytes) -> Store: ...

    @abstractmethod
    def has_device(self, slot_id: str) -> bool: ...

    @abstractmethod
    def remove_device(self, slot_id: str) -> None: ...


class FileStoreLocation(StoreLocation):
    """An encrypted store file and its `.keys` file beside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._keys_path = keys_path_for(path)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def description(self) -> str:
        return str(self.path)

    @property
    def keyfile(self) -> KeyFile:
        """Read afresh each time: another sign-in may have changed it since."""
        if not self.path.exists():
            raise StoreMissing(f"There is no case store at {self.path}.")
        return KeyFile.load(self._keys_path)

    @property
    def store_id(self) -> str:
        return self.keyfile.store_id

    def failures(self, username: str) -> tuple[int, float]:
        return self.keyfile.failures(username)

    def record_failure(self, username: str, when: float) -> None:
        with editing(self._keys_path) as current:  # re-read under the lock, then saved
            current.record_failure(username, when)

    def clear_failures(self, username: str) -> None:
        with editing(self._keys_path) as current:
            current.clear_failures(username)

    def restart_failure_clock(self, username: str, when: float) -> None:
        with editing(self._keys_path) as current:
            current.restart_failure_clock(username, when)

    def unlock_with_password(self, username: str, password: str) -> Store:
        keyfile = self.keyfile
        return open_store(self.path, keyfile.open_with_password(username, password), keyfile)

    def unlock_with_recovery_key(self, recovery_key: str) -> Store:
        keyfile = self.keyfile
        return open_store(self.path, keyfile.open_with_recovery_key(recovery_key), keyfile)

    def unlock_with_device(self, slot_id: str, secret: bytes) -> Store:
        keyfile = self.keyfile
        return open_store(self.path, keyfile.open_with_device(slot_id, secret), keyfile)

    def has_device(self, slot_id: str) -> bool:
        return self.keyfile.has_slot(slot_id)

    def remove_device(self, slot_id: str) -> None:
        with editing(self._keys_path) as current:
            if current.has_slot(slot_id):
                current.remove_slot(slot_id)


def open_store(path: Path, key: bytes, keyfile: KeyFile) -> EncryptedFileStore:
    """The one way a store is opened (setup, sign-in, recovery, a remembered device).

    Keys the engine, proves the key fits, checks the file pairs with its key file and
    brings the schema up to date: explicitly, here, before any session uses it.
    """
    engine = make_engine(path, key)
    probe(engine)
    try:
        upgrade_schema(engine)
        sessions = session_factory(engine)
        with sessions() as db:
            store_id = db.get(StoreMeta, STORE_ID_KEY)
            is_sample = db.get(StoreMeta, SAMPLE_META_KEY) is not None
        if store_id is None or store_id.value != keyfile.store_id:
            raise StoreDamaged("The key file beside this case store belongs to a different store.")
    except DatabaseError as exc:
        engine.dispose()
        raise StoreDamaged() from exc
    except BaseException:
        engine.dispose()
        raise
    return EncryptedFileStore(
        path=path, keyfile=keyfile, key=key, engine=engine, sessions=sessions, is_sample=is_sample
    )


def upgrade_schema(engine: Engine) -> None:
    """Migrate an older store to this version's schema; refuse one from a newer version."""
    revision = migrate.current_revision(engine)
    if revision == migrate.head_revision():
        return
    if revision is not None and revision not in _known_revisions():
        raise StoreDamaged(
            "This case store was made by a newer version of Casebook. Update Casebook."
        )
    migrate.upgrade(engine)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    return {rev.revision for rev in script.walk_revisions()}
