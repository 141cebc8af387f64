"""An opened case store: its engine and sessions, who it is, and the ways into it.

`Store` is what a signed-in `UserSession` holds; services use it for transactions and for
the ways in (passwords, devices) and never see a file path or a database key. The one
implementation today is `EncryptedFileStore` (`desktop.storage.filestore`): a SQLCipher
file beside its `.keys` file of key slots and its `.frontdesk` list. A trust server's
PostgreSQL store would be a second implementation with its own ways in, needing no change
in services or windows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from desktop.storage.keyfile_shape import AUDIT, CASES, FRONT_DESK
from desktop.storage.keyvault import Integrity, signer_key

# What a way in may open, by name: the case database, the front-desk list, the audit key.
GRANT_CASES, GRANT_FRONT_DESK, GRANT_AUDIT = CASES, FRONT_DESK, AUDIT
__all__ = ["GRANT_AUDIT", "GRANT_CASES", "GRANT_FRONT_DESK", "Integrity", "signer_key"]

STORE_ID_KEY = "store_id"
SAMPLE_META_KEY = "sample"  # present in a store of invented cases made by `casebook demo`
# Set by the audit trail in a write transaction's session info: the newest entry's
# (id, hash), which the store copies outside the database once the transaction commits.
AUDIT_HEAD_INFO = "casebook_audit_head"


@dataclass(frozen=True)
class StoreIdentity:
    """Which store this is: its id, where it is (in words for people) and whether it holds
    invented sample cases."""

    store_id: str
    location: str
    is_sample: bool = False


@dataclass(frozen=True)
class AuditKeys:
    """What the audit trail needs from the open store: the key this account seals its
    entries with and, for those who may check the trail, the key that checks anyone's."""

    signer_id: str | None
    signer: bytes | None
    audit: bytes | None


class Store(ABC):
    """An opened store. Closing it drops the connection and whatever unlocked it."""

    def __init__(self, engine: Engine, sessions: sessionmaker[Session], identity: StoreIdentity):
        self.engine = engine
        self.sessions = sessions
        self.identity = identity
        self._closed = False

    @abstractmethod
    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Session]:
        """One unit of work: all of it is committed, or none of it.

        `write=True` holds the store's write lock from the first statement, so numbers
        read and then allocated (references, audit ids) cannot be taken meanwhile.
        """
        yield from ()  # pragma: no cover

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    @abstractmethod
    def location(self) -> StoreLocation:
        """Where this store was opened from: the lock screen signs in there again."""

    @property
    @abstractmethod
    def audit_keys(self) -> AuditKeys: ...

    @property
    @abstractmethod
    def integrity(self) -> Integrity:
        """What the key file's tags said when this store was opened."""

    @abstractmethod
    def audit_anchor(self, db: Session) -> tuple[int, str] | None:
        """The audit head kept outside the database (read under the write lock)."""

    @abstractmethod
    def check_ways_in(self, db: Session) -> Integrity:
        """Check the ways in now (under the write lock): which no longer verify."""

    def close(self) -> None:
        if not self._closed:
            self.engine.dispose()
            self._forget_key()
            self._closed = True

    @abstractmethod
    def _forget_key(self) -> None:
        """Drop whatever secret unlocked the store."""

    # -- the ways in: one per user password, and one per remembered device ------------------
    # Each of these runs inside a write transaction (`db`) and takes effect with it.
    @abstractmethod
    def set_password(
        self, db: Session, username: str, password: str, *, signer_id: str, grants: Sequence[str]
    ) -> None:
        """Give an account a way in with `password` (replacing any it had)."""

    @abstractmethod
    def change_own_password(self, db: Session, username: str, current: str, new: str) -> None:
        """Replace the signed-in account's password, proving the current one."""

    @abstractmethod
    def remove_ways_in(self, db: Session, signer_id: str) -> None:
        """The account's password and devices no longer open anything."""

    @abstractmethod
    def rekey(self, db: Session, grants: Mapping[str, Sequence[str]]) -> None:
        """After this transaction, the store opens with a new key, which every remaining
        way in gets (with `grants[signer_id]`); an old copy of the key file opens nothing."""

    @abstractmethod
    def add_device(self, db: Session, keep: Callable[[str, bytes], None]) -> None:
        """Make a device way in and hand its (slot id, secret) to `keep`; if `keep` raises,
        the way in is not made."""

    @abstractmethod
    def remove_device(self, db: Session, slot_id: str) -> None: ...

    @abstractmethod
    def publish_front_desk(self, db: Session, content: dict[str, Any]) -> None:
        """Replace the front-desk list with `content` when this transaction commits."""

    @abstractmethod
    def slot_names(self) -> dict[str, str]:
        """Slot id -> whose way in it is ("user:<id>", "recovery", "device of user:<id>")."""


class FrontDeskAccess(ABC):
    """What a front-desk password opens: the list of current restrictions, read-only."""

    @property
    @abstractmethod
    def signer_id(self) -> str | None:
        """The account ("user:<id>") whose password opened it."""

    @abstractmethod
    def read(self) -> dict[str, Any]:
        """The list as last published (empty when none has been)."""

    @abstractmethod
    def close(self) -> None: ...

    @property
    @abstractmethod
    def closed(self) -> bool: ...


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
    def begin_attempt(self, username: str, now: float, wait: Callable[[int, float], float]) -> None:
        """Count a sign-in attempt as failed until it succeeds, under the write lock, so
        attempts made at once wait their turn; raise TooManyAttempts while `wait` says so."""

    @abstractmethod
    def clear_failures(self, username: str) -> None: ...

    @abstractmethod
    def unlock_with_password(self, username: str, password: str) -> Store | FrontDeskAccess:
        """Open the store with a user's password; WrongPassword if it does not fit."""

    @abstractmethod
    def unlock_with_recovery_key(self, recovery_key: str) -> Store: ...

    @abstractmethod
    def unlock_with_device(self, slot_id: str, secret: bytes) -> Store: ...

    @abstractmethod
    def has_device(self, slot_id: str) -> bool: ...

    @abstractmethod
    def remove_device(self, slot_id: str) -> None: ...
