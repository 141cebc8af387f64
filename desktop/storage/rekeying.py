"""Giving the store a new key, so that an old copy of the key file opens nothing current.

A re-key happens in three steps, all under the store's write lock:

1. `plan` (inside the transaction that removes a user or lowers a role): new database
   and front-desk keys.
2. `stage` (just before that transaction commits): every remaining slot is re-sealed to
   its public key with the new keys, keeping the old database key beside the new one;
   the removed account's slots are gone. The key file's epoch moves on.
3. `apply` (once committed): `PRAGMA rekey` re-encrypts the database in place; then each
   slot is re-sealed once more without the old key, and the epoch moves on again.

A crash between 2 and 3 leaves slots that hold both keys, so the store still opens; no
moment exists at which no slot opens the file.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlcipher3

from desktop.storage.engine import BUSY_TIMEOUT_MS, key_pragma
from desktop.storage.keycrypto import new_key
from desktop.storage.keyvault import KeyFile, Keys, Opened

PLAN_INFO = "casebook_rekey"


@dataclass
class RekeyPlan:
    writer: Opened  # the administrator's own way in, to re-open it afterwards
    grants: Mapping[str, Sequence[str]]  # signer id -> what each remaining account opens
    # The key the file is encrypted with now. Usually the writer's database key; after a
    # re-key cut short before it ran, the previous key its slot still holds. The slots keep
    # this one beside the new key until the file is re-keyed, so none is ever lost.
    current: bytes
    new_cases: bytes = field(default_factory=new_key)
    new_front_desk: bytes = field(default_factory=new_key)
    seconds: float = 0.0  # how long `PRAGMA rekey` took

    @property
    def base(self) -> Keys:
        """Everything, under the new keys, with the old database key kept beside them."""
        return Keys(
            front_desk=self.new_front_desk,
            cases=self.new_cases,
            audit=self.writer.keys.audit,
            cases_previous=self.current,
        )

    @property
    def new_keys(self) -> Keys:
        """The administrator's own keys once staged (tags are made with these)."""
        signer = self.writer.keys.signer_id
        assert signer is not None
        return self.base.for_account(signer, self.grants[signer])

    def final_opened(self, keyfile: KeyFile) -> Opened:
        return keyfile.reopen(self.writer)


def plan(
    writer: Opened, grants: Mapping[str, Sequence[str]], *, current: bytes | None = None
) -> RekeyPlan:
    """`current`: the key the file is encrypted with, when it is not the writer's own."""
    if writer.keys.signer_id not in grants:
        raise ValueError("the administrator re-keying the store must keep a way in")
    current = current or writer.keys.cases
    if current is None:
        raise ValueError("only a holder of the database key can re-key the store")
    return RekeyPlan(writer, dict(grants), current)


def _reseal_all(keyfile: KeyFile, base: Keys, grants: Mapping[str, Sequence[str]]) -> None:
    for slot_id in keyfile.slot_ids():
        signer = keyfile.slot_signer(slot_id)
        if signer is None:
            keyfile.reseal(slot_id, base)  # the recovery key opens everything
        elif signer in grants:
            keyfile.reseal(slot_id, base.for_account(signer, grants[signer]))
        else:
            keyfile.remove_slot(slot_id)  # an account that is no longer active


def stage(keyfile: KeyFile, rekey: RekeyPlan, current: Keys) -> None:
    """Before commit: re-seal every remaining slot with the new keys and the old one."""
    del current  # the plan carries the keys it started from
    keyfile.next_epoch()
    _reseal_all(keyfile, rekey.base, rekey.grants)


def apply(path: Path, keyfile: KeyFile, rekey: RekeyPlan) -> None:
    """After commit: re-encrypt the file, then forget the old key everywhere."""
    old = rekey.current
    started = time.monotonic()
    conn = sqlcipher3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(key_pragma(old))
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        conn.execute(key_pragma(rekey.new_cases).replace("PRAGMA key", "PRAGMA rekey", 1))
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    rekey.seconds = time.monotonic() - started
    keyfile.next_epoch()
    final = replace(rekey.base, cases_previous=None)
    _reseal_all(keyfile, final, rekey.grants)
    signer = rekey.writer.keys.signer_id
    assert signer is not None
    keyfile.save(final.for_account(signer, rekey.grants[signer]))
