"""The encrypted file store: a SQLCipher database beside its `.keys` and `.frontdesk` files.

One writer at a time: a write transaction holds an OS lock on `<store>.lock`, re-reads
the key file under it, and takes the database's write lock. Changes to the key file and
the front-desk list are written just before the database commits and put back if the
commit fails; the audit trail's head is copied into the key file once it has committed.
A copy of Casebook that finds the key file re-keyed by another re-opens its own slot.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from desktop.errors import (
    DatabaseDamaged,
    KeyFileForeign,
    NotPermitted,
    SessionEnded,
    StoreBusy,
    StoreDamaged,
    TooManyAttempts,
    WrongPassword,
)
from desktop.storage import frontdesk, migrate, rekeying
from desktop.storage.atomic import discard_leftovers, write_atomically
from desktop.storage.damage import check_database_file, check_pages, why_unopened
from desktop.storage.engine import (
    WRITE_OPTION,
    fold_in_log,
    make_engine,
    probe,
    session_factory,
)
from desktop.storage.filelock import exclusive
from desktop.storage.keyvault import (
    Integrity,
    KeyFile,
    Keys,
    Opened,
    keys_path_for,
)
from desktop.storage.models import StoreMeta
from desktop.storage.store import (
    AUDIT_HEAD_INFO,
    SAMPLE_META_KEY,
    STORE_ID_KEY,
    AuditKeys,
    FrontDeskAccess,
    Store,
    StoreIdentity,
    StoreLocation,
)

log = logging.getLogger(__name__)

# Session info keys a write transaction uses to pass work to the store's commit.
KEYFILE_INFO = "casebook_keyfile"
FRONT_DESK_INFO = "casebook_front_desk"
OWN_SLOT_INFO = "casebook_own_slot"  # this session's own slot, resealed to a new password


def lock_path_for(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


class EncryptedFileStore(Store):
    """A SQLCipher database file opened with a key from its `.keys` file."""

    def __init__(
        self,
        *,
        path: Path,
        opened: Opened,
        keyfile: KeyFile,
        engine: Engine,
        is_sample: bool,
        file_key: bytes | None = None,
    ) -> None:
        identity = StoreIdentity(keyfile.store_id, str(path), is_sample)
        super().__init__(engine, session_factory(engine), identity)
        self.path = path
        self._keys_path = keys_path_for(path)
        self._lock_path = lock_path_for(path)
        self._opened: Opened | None = opened
        # The key the file is encrypted with: the slot's database key or, after a re-key cut
        # short before `PRAGMA rekey` ran, the previous one the slot still holds.
        self._file_key = file_key or opened.keys.cases
        self._epoch = keyfile.epoch
        self._keys_seen: tuple[int, int, int] | None = None
        self._integrity = keyfile.verify(opened.keys)
        self._slot_names = _slot_names(keyfile)

    # -- what opened it ----------------------------------------------------------------------
    @property
    def keys(self) -> Keys:
        if self._opened is None:
            raise SessionEnded("This case store has been locked. Sign in again.")
        return self._opened.keys

    @property
    def key(self) -> bytes:
        """The key the database file is encrypted with while open (empty once closed): for
        storage tools and tests only; services never need it."""
        return self._file_key or b"" if self._opened else b""

    def _forget_key(self) -> None:
        self._opened = None

    @property
    def location(self) -> StoreLocation:
        return FileStoreLocation(self.path)

    @property
    def audit_keys(self) -> AuditKeys:
        keys = self.keys
        return AuditKeys(keys.signer_id, keys.signer, keys.audit)

    @property
    def integrity(self) -> Integrity:
        return self._integrity

    def slot_names(self) -> dict[str, str]:
        return dict(self._slot_names)

    # -- transactions -----------------------------------------------------------------------
    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Session]:
        if not write:
            self._follow_rekey(None)
            with self._plain_words(), self.sessions.begin() as db:
                yield db
            return
        with exclusive(self._lock_path):
            discard_leftovers(self._keys_path)
            keyfile = KeyFile.load(self._keys_path)
            self._follow_rekey(keyfile)
            db = self.sessions()
            db.info[KEYFILE_INFO] = keyfile
            try:
                with self._plain_words():
                    db.connection(execution_options={WRITE_OPTION: True})  # BEGIN IMMEDIATE
                    yield db
                    db.flush()
                    self._commit(db, keyfile)
            except BaseException:
                db.rollback()
                raise
            finally:
                db.close()
            self._after_commit(db, keyfile)

    def _commit(self, db: Session, keyfile: KeyFile) -> None:
        """Write the files this transaction changed, then commit; put them back if not."""
        written: list[tuple[Path, bytes | None]] = []
        try:
            rekey = db.info.get(rekeying.PLAN_INFO)
            if rekey is not None:
                rekeying.stage(keyfile, rekey, self.keys)
            content = db.info.get(FRONT_DESK_INFO)
            if content is not None or rekey is not None:
                self._stage_front_desk(db, keyfile, content, written)
            if keyfile.changed:
                written.append((self._keys_path, keyfile.raw))
                keyfile.save(rekey.new_keys if rekey else self.keys)
            db.commit()
        except BaseException:
            for path, old in reversed(written):
                _put_back(path, old)
            raise

    def _stage_front_desk(
        self,
        db: Session,
        keyfile: KeyFile,
        content: dict[str, Any] | None,
        written: list[tuple[Path, bytes | None]],
    ) -> None:
        rekey = db.info.get(rekeying.PLAN_INFO)
        keys = rekey.new_keys if rekey else self.keys
        path = frontdesk.front_desk_path_for(self.path)
        if content is None:  # a re-key with no new list: the current one, under the new key
            content = frontdesk.read_list(path, self.keys.front_desk, keyfile.store_id) or {}
        old = path.read_bytes() if path.exists() else None
        previous = self.keys.front_desk if rekey else None  # the key file may not follow
        encoded = frontdesk.encode(keys.front_desk, keyfile.store_id, content, previous=previous)
        write_atomically(path, encoded)
        written.append((path, old))

    def _after_commit(self, db: Session, keyfile: KeyFile) -> None:
        own_slot = db.info.get(OWN_SLOT_INFO)
        if own_slot is not None:
            self._opened = own_slot  # a later re-key re-opens the slot with its new key pair
        rekey = db.info.get(rekeying.PLAN_INFO)
        if rekey is not None:
            # Still under the write lock: re-key the file, then drop the old key's copies.
            self.engine.dispose()
            rekeying.apply(self.path, keyfile, rekey)
            self._switch_to(rekey.final_opened(keyfile), keyfile)
            path = frontdesk.front_desk_path_for(self.path)
            frontdesk.drop_previous_key(path, self.keys.front_desk, keyfile.store_id)
        head = db.info.get(AUDIT_HEAD_INFO)
        if head is not None:
            try:
                keyfile.set_audit_head(*head)
                keyfile.save(self.keys)
            except OSError:
                # Committed already; a head copy that lags is noticed, not mistaken for a cut.
                log.warning("could not copy the audit head to the key file", exc_info=True)

    @contextmanager
    def _plain_words(self) -> Iterator[None]:
        """Database trouble in words a person can act on, never "something went wrong"."""
        try:
            yield
        except OperationalError as exc:
            if "locked" in str(exc.orig) or "busy" in str(exc.orig):
                raise StoreBusy() from exc
            raise
        except DatabaseError as exc:
            text = str(exc.orig)
            if "not a database" in text or "malformed" in text or "disk image" in text:
                if self._key_changed_meanwhile():
                    raise StoreBusy(
                        "Another user has just changed this case store's key. Try again."
                    ) from exc
                raise DatabaseDamaged(self.path.name) from exc
            raise

    def _key_changed_meanwhile(self) -> bool:
        self._keys_seen = None  # the next read looks at the key file again, whatever its stat
        try:
            return KeyFile.load(self._keys_path).epoch != self._epoch
        except Exception:
            return False

    # -- following a re-key made by another copy ---------------------------------------------
    def _follow_rekey(self, keyfile: KeyFile | None) -> None:
        if keyfile is None:
            # A read checks the key file only when it has changed on disk since last seen
            # (every write rewrites it, so this is how another copy's re-key is noticed).
            try:
                stat = self._keys_path.stat()
                seen: tuple[int, int, int] | None = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
            except FileNotFoundError:
                seen = None  # the load below says the key file is missing
            if seen is not None and seen == self._keys_seen:
                return
            keyfile = KeyFile.load(self._keys_path)
            self._keys_seen = seen
        if keyfile.epoch == self._epoch:
            return
        if self._opened is None:
            raise SessionEnded("This case store has been locked. Sign in again.")
        try:
            opened = keyfile.reopen(self._opened)
        except WrongPassword:
            self.close()
            raise SessionEnded() from None
        self.engine.dispose()
        self._switch_to(opened, keyfile)

    def _switch_to(self, opened: Opened, keyfile: KeyFile) -> None:
        if opened.keys.cases is None:
            self.close()
            raise SessionEnded()
        file_key = opened.keys.cases
        engine = make_engine(self.path, file_key)
        try:
            probe(engine)
        except StoreDamaged:
            if opened.keys.cases_previous is None:
                raise
            # Another copy is part-way through a re-key: the file still has the old key.
            file_key = opened.keys.cases_previous
            engine = make_engine(self.path, file_key)
            probe(engine)
        self.engine, self.sessions = engine, session_factory(engine)
        self._opened, self._epoch, self._file_key = opened, keyfile.epoch, file_key
        self._slot_names = _slot_names(keyfile)

    # -- the ways in --------------------------------------------------------------------------
    def _keyfile(self, db: Session) -> KeyFile:
        keyfile = db.info.get(KEYFILE_INFO)
        if not isinstance(keyfile, KeyFile):
            raise RuntimeError("key slots change only inside transaction(write=True)")
        return keyfile

    def audit_anchor(self, db: Session) -> tuple[int, str] | None:
        keyfile = db.info.get(KEYFILE_INFO)
        if not isinstance(keyfile, KeyFile):
            keyfile = KeyFile.load(self._keys_path)
        return keyfile.audit_head

    def check_ways_in(self, db: Session) -> Integrity:
        integrity = self._keyfile(db).verify(self.keys)
        self._integrity = integrity
        return integrity

    def set_password(
        self, db: Session, username: str, password: str, *, signer_id: str, grants: Sequence[str]
    ) -> None:
        keys = self.keys
        if signer_id != keys.signer_id:
            if keys.audit is None:
                raise NotPermitted("Only an administrator can set another account's password.")
            keys = keys.for_account(signer_id, grants)
        self._replacing_own_slot(db, self._keyfile(db).set_password(username, password, keys))

    def change_own_password(self, db: Session, username: str, current: str, new: str) -> None:
        keyfile = self._keyfile(db)
        try:
            keyfile.open_with_password(username, current)
        except WrongPassword:
            raise WrongPassword("Your current password is not right.") from None
        self._replacing_own_slot(db, keyfile.set_password(username, new, self.keys))

    def _replacing_own_slot(self, db: Session, opened: Opened) -> None:
        """Keep the new key pair of this session's own slot, to take up once committed."""
        if self._opened is not None and opened.slot_id == self._opened.slot_id:
            db.info[OWN_SLOT_INFO] = opened

    def remove_ways_in(self, db: Session, signer_id: str) -> None:
        self._keyfile(db).remove_signer(signer_id)

    def rekey(self, db: Session, grants: Mapping[str, Sequence[str]]) -> None:
        if self.keys.audit is None or self.keys.cases is None:
            raise NotPermitted("Only an administrator can change the store's key.")
        assert self._opened is not None
        db.info[rekeying.PLAN_INFO] = rekeying.plan(self._opened, grants, current=self._file_key)

    def add_device(self, db: Session, keep: Callable[[str, bytes], None]) -> None:
        slot_id, secret = self._keyfile(db).add_device(self.keys)
        keep(slot_id, secret)  # if this raises, the transaction and the slot are undone

    def remove_device(self, db: Session, slot_id: str) -> None:
        keyfile = self._keyfile(db)
        if keyfile.has_slot(slot_id):
            keyfile.remove_slot(slot_id)

    def publish_front_desk(self, db: Session, content: dict[str, Any]) -> None:
        self._keyfile(db)  # only inside a write transaction
        db.info[FRONT_DESK_INFO] = content


def _slot_names(keyfile: KeyFile) -> dict[str, str]:
    names = {}
    for slot_id in keyfile.slot_ids():
        signer = keyfile.slot_signer(slot_id) or "recovery"
        names[slot_id] = f"device of {signer}" if slot_id.startswith("dev:") else signer
    return names


def _put_back(path: Path, old: bytes | None) -> None:
    try:
        if old is None:
            path.unlink(missing_ok=True)
        else:
            write_atomically(path, old)
    except OSError:
        log.error("could not put back %s after a failed transaction", path.name, exc_info=True)


class FileStoreLocation(StoreLocation):
    """An encrypted store file and its `.keys` file beside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.keys_path = keys_path_for(path)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def description(self) -> str:
        return str(self.path)

    @property
    def keyfile(self) -> KeyFile:
        """Read afresh each time: another sign-in may have changed it since. The database
        file is looked at first, so a foreign one is named before its key file is touched."""
        check_database_file(self.path)
        return KeyFile.load(self.keys_path)

    @property
    def store_id(self) -> str:
        return self.keyfile.store_id

    def failures(self, username: str) -> tuple[int, float]:
        return self.keyfile.failures(username)

    @contextmanager
    def _editing(self) -> Iterator[KeyFile]:
        with exclusive(lock_path_for(self.path)):
            discard_leftovers(self.keys_path)
            keyfile = self.keyfile
            yield keyfile
            keyfile.save()  # throttle records only: outside every tag

    def begin_attempt(self, username: str, now: float, wait: Callable[[int, float], float]) -> None:
        with self._editing() as keyfile:
            failures, last = keyfile.failures(username)
            if failures and not (math.isfinite(last) and last <= now):
                # A failure dated in the future (a clock set wrong) or not a time at all
                # would shut the right password out until then: date it now, so it ages.
                keyfile.restart_failure_clock(username, now)
                last = now
            seconds = wait(failures, last)
            if seconds <= 0:
                keyfile.record_failure(username, now)
        if seconds > 0:
            raise TooManyAttempts(seconds)

    def clear_failures(self, username: str) -> None:
        with self._editing() as keyfile:
            keyfile.clear_failures(username)

    def unlock_with_password(self, username: str, password: str) -> Store | FrontDeskAccess:
        keyfile = self.keyfile
        opened = keyfile.open_with_password(username, password)
        if opened.keys.cases is None:
            return frontdesk.FrontDeskList(self.path, opened, keyfile.store_id)
        return open_store(self.path, opened, keyfile)

    def unlock_with_recovery_key(self, recovery_key: str) -> Store:
        keyfile = self.keyfile
        return open_store(self.path, keyfile.open_with_recovery_key(recovery_key), keyfile)

    def unlock_with_device(self, slot_id: str, secret: bytes) -> Store:
        keyfile = self.keyfile
        opened = keyfile.open_with_device(slot_id, secret)
        if opened.keys.cases is None:
            raise WrongPassword("This device is no longer remembered. Sign in with your password.")
        return open_store(self.path, opened, keyfile)

    def has_device(self, slot_id: str) -> bool:
        return self.keyfile.has_slot(slot_id)

    def remove_device(self, slot_id: str) -> None:
        with self._editing() as keyfile:
            if keyfile.has_slot(slot_id):
                keyfile.remove_slot(slot_id)


def open_store(path: Path, opened: Opened, keyfile: KeyFile) -> EncryptedFileStore:
    """The one way a store is opened (setup, sign-in, recovery, a remembered device).

    Keys the engine, proves the key fits, checks every page and that the file pairs with
    its key file, and brings the schema up to date: explicitly, here, before any session
    uses it. Nothing is written to a store that fails a check (desktop.storage.damage).
    """
    check_database_file(path)
    key = opened.keys.cases
    if key is None:
        raise NotPermitted("Front-desk accounts cannot open case files.")
    engine = make_engine(path, key)
    try:
        probe(engine)
    except StoreDamaged:
        if opened.keys.cases_previous is None:
            raise why_unopened(path, key, opened.keys.front_desk, keyfile.store_id) from None
        key = opened.keys.cases_previous  # a re-key cut short
        engine = make_engine(path, key)
        probe(engine)
    try:
        if opened.keys.cases_previous is not None:  # a re-key was under way
            fold_in_log(engine)
        check_pages(engine, path)
        migrate.check_revision(engine, path.name)  # a newer store: refused before migrating
        with session_factory(engine)() as db:
            store_id = db.get(StoreMeta, STORE_ID_KEY)
            is_sample = db.get(StoreMeta, SAMPLE_META_KEY) is not None
        if store_id is None or store_id.value != keyfile.store_id:
            raise KeyFileForeign(path.name, keyfile.path.name)
        migrate.bring_up_to_date(engine, path.name)
    except DatabaseError as exc:
        engine.dispose()
        raise DatabaseDamaged(path.name) from exc
    except BaseException:
        engine.dispose()
        raise
    return EncryptedFileStore(
        path=path,
        opened=opened,
        keyfile=keyfile,
        engine=engine,
        is_sample=is_sample,
        file_key=key,
    )
