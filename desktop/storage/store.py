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
from sqlalchemy.orm import Session, sessionmaker

from desktop.errors import WrongPassword
from desktop.storage.engine import writing
from desktop.storage.keyvault import KeyFile, editing


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
