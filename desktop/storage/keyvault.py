"""The key file: what each way in opens, sealed to it, and checked by a tag.

The case database is keyed with a random 256-bit key that no password derives. Beside it,
`<store>.keys` holds one slot per way in (a user's password, the recovery key, a
remembered device). A slot holds the public half of a key pair derived from its secret
and, sealed to it, the keys its owner may use (`Keys`): the case database key (not for
the front desk), the front-desk list key, the owner's audit signing key, and the trust's
audit key (for those who may check the audit trail). Because sealing needs only a public
key, a writer can give every slot a new database key without knowing any password.

Every slot, and the file's header (store id, key epoch, the audit trail's head), carries
a tag keyed from the database key (front-desk-only slots: from the front-desk key), so a
slot changed outside Casebook is noticed at the next sign-in. Throttle records are
written before anyone signs in and so are outside every tag. The file holds no personal
data: password slots are named by a keyed hash of the username.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from desktop.errors import (
    StoreDamaged,
    WrongPassword,
    WrongRecoveryKey,
)
from desktop.paths import keys_file_for
from desktop.storage import keycrypto as kc
from desktop.storage.atomic import write_atomically
from desktop.storage.keycrypto import (
    DEFAULT_KDF,
    RECOVERY_KEY_BYTES,
    KdfParams,
    SlotKey,
    format_recovery_key,
    parse_recovery_key,
)
from desktop.storage.keyfile_shape import (
    AUDIT,
    CASES,
    FORMAT,
    FRONT_DESK,
    GRANTS,
    VERSION,
    read_key_file,
    store_name_for,
)

RECOVERY_SLOT = "recovery"
MAX_STRANGER_RECORDS = 100  # failed sign-ins kept for usernames that have no slot

keys_path_for = keys_file_for
new_database_key = kc.new_key

__all__ = [
    "DEFAULT_KDF",
    "RECOVERY_KEY_BYTES",
    "KdfParams",
    "format_recovery_key",
    "parse_recovery_key",
]


def signer_key(audit_key: bytes, signer_id: str) -> bytes:
    """An account's audit signing key: the audit key holder can derive anyone's."""
    return kc.hkdf(audit_key, b"", f"casebook audit signer {signer_id}")


@dataclass(frozen=True)
class Keys:
    """What one way in opens. `cases` is None for front-desk accounts."""

    front_desk: bytes
    cases: bytes | None = None
    audit: bytes | None = None
    signer: bytes | None = None
    signer_id: str | None = None
    cases_previous: bytes | None = None  # only while a re-key is under way

    @property
    def grants(self) -> list[str]:
        have = {CASES: self.cases, FRONT_DESK: self.front_desk, AUDIT: self.audit}
        return [name for name in GRANTS if have[name] is not None]

    def for_account(self, signer_id: str, grants: Iterable[str]) -> Keys:
        """The keys another account gets: only a holder of the audit key may make them."""
        wanted = set(grants)
        if self.audit is None or self.cases is None:
            raise ValueError("only an audit key holder can give another account its keys")
        return Keys(
            front_desk=self.front_desk,
            cases=self.cases if CASES in wanted else None,
            audit=self.audit if AUDIT in wanted else None,
            signer=signer_key(self.audit, signer_id),
            signer_id=signer_id,
            cases_previous=self.cases_previous if CASES in wanted else None,
        )

    def payload(self) -> bytes:
        fields = {
            "front_desk": self.front_desk,
            "cases": self.cases,
            "audit": self.audit,
            "signer": self.signer,
            "cases_previous": self.cases_previous,
        }
        data: dict[str, str | None] = {k: kc.b64(v) if v else None for k, v in fields.items()}
        data["signer_id"] = self.signer_id
        return json.dumps(data, sort_keys=True).encode("utf-8")

    @classmethod
    def from_payload(cls, raw: bytes) -> Keys:
        data = json.loads(raw.decode("utf-8"))

        def key(name: str) -> bytes | None:
            value = data.get(name)
            return kc.unb64(value) if value else None

        front_desk = key("front_desk")
        if front_desk is None:
            raise ValueError("no front-desk key")
        return cls(
            front_desk,
            key("cases"),
            key("audit"),
            key("signer"),
            data.get("signer_id"),
            key("cases_previous"),
        )


@dataclass
class Opened:
    """A way in that fitted: its keys, and the slot's key pair to open it again after a
    re-key while signed in."""

    keys: Keys
    slot_id: str
    slot_key: SlotKey


@dataclass(frozen=True)
class Integrity:
    header_ok: bool = True
    bad_slots: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.header_ok and not self.bad_slots


class KeyFile:
    """The slots of one store, loaded from and saved atomically to `<store>.keys`.

    Change it only under the store's write lock (`desktop.storage.store` takes it); a
    save writes the tags of what changed, with the keys given, and no other.
    """

    def __init__(self, path: Path, data: dict[str, Any], raw: bytes = b"") -> None:
        self.path = path
        self._data = data
        self.raw = raw  # the bytes as loaded: what a failed transaction puts back
        self._dirty: set[str] = set()
        self._header_dirty = False

    # -- loading and saving -------------------------------------------------------------
    @classmethod
    def create(cls, path: Path) -> KeyFile:
        data = {
            "format": FORMAT,
            "version": VERSION,
            "store_id": secrets.token_hex(16),
            "lookup_salt": kc.b64(secrets.token_bytes(16)),
            "epoch": 1,
            "audit_head": None,
            "slots": {},
            "throttle": {},
        }
        keyfile = cls(path, data)
        keyfile._header_dirty = True
        return keyfile

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        """Read and check the key file; it is never made anew here (KeyFile.create is for a
        new store only), so a store missing its key file stays without one."""
        data, raw = read_key_file(path)
        return cls(path, data, raw)

    @property
    def store_name(self) -> str:
        return store_name_for(self.path)

    @property
    def changed(self) -> bool:
        return bool(self._dirty) or self._header_dirty

    def save(self, keys: Keys | None = None) -> None:
        """Tag what changed (with `keys`), then write the file atomically."""
        if keys is not None:
            self._retag(keys)
        write_atomically(self.path, json.dumps(self._data, indent=1, sort_keys=True).encode())
        self._dirty.clear()
        self._header_dirty = False

    @property
    def store_id(self) -> str:
        return str(self._data["store_id"])

    @property
    def epoch(self) -> int:
        return int(self._data["epoch"])

    # -- naming ------------------------------------------------------------------------
    def user_slot_id(self, username: str) -> str:
        """A keyed hash of the username: finds the slot without storing the name."""
        salt = kc.unb64(self._data["lookup_salt"])
        digest = hmac.new(salt, username.casefold().encode("utf-8"), hashlib.sha256)
        return "pw:" + digest.hexdigest()[:32]

    def has_slot(self, slot_id: str) -> bool:
        return slot_id in self._data["slots"]

    def slot_ids(self, kind: str | None = None) -> list[str]:
        slots = self._data["slots"]
        return [sid for sid, slot in slots.items() if kind is None or slot["kind"] == kind]

    def slot_signer(self, slot_id: str) -> str | None:
        signer = self._data["slots"][slot_id].get("signer")
        return signer if isinstance(signer, str) else None

    def slot_grants(self, slot_id: str) -> list[str]:
        return list(self._data["slots"][slot_id]["grants"])

    # -- sealing and opening -----------------------------------------------------------
    def _aad(self, slot_id: str, slot: dict[str, Any]) -> bytes:
        meta = {k: v for k, v in slot.items() if k not in ("box", "tag")}
        return kc.canonical([FORMAT, self.store_id, slot_id, meta])

    def _put(self, slot_id: str, kind: str, kdf: dict[str, Any], public: str, keys: Keys) -> None:
        slot: dict[str, Any] = {
            "kind": kind,
            "kdf": kdf,
            "public": public,
            "grants": keys.grants,
            "signer": keys.signer_id,
            "epoch": self.epoch,
        }
        slot["box"] = kc.seal(public, keys.payload(), self._aad(slot_id, slot))
        if slot_id not in self._data["slots"]:
            self._header_dirty = True  # the header lists every slot
        self._data["slots"][slot_id] = slot
        self._dirty.add(slot_id)

    def _open(self, slot_id: str, slot_key: SlotKey) -> Opened:
        slot = self._data["slots"][slot_id]
        if not hmac.compare_digest(slot_key.public, str(slot["public"])):
            raise kc.NotOpened()
        try:
            keys = Keys.from_payload(slot_key.open(slot["box"], self._aad(slot_id, slot)))
        except kc.NotOpened:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreDamaged() from exc
        return Opened(keys, slot_id, slot_key)

    def reseal(self, slot_id: str, keys: Keys) -> None:
        """Give an existing slot new keys, sealed to its public key (no secret needed)."""
        slot = self._data["slots"][slot_id]
        self._put(slot_id, slot["kind"], slot["kdf"], slot["public"], keys)

    def reopen(self, opened: Opened) -> Opened:
        """Open the same slot again (after a re-key) with the key pair kept at sign-in."""
        if opened.slot_id not in self._data["slots"]:
            raise WrongPassword("This way in has been removed.")
        return self._open(opened.slot_id, opened.slot_key)

    def set_password(
        self, username: str, password: str, keys: Keys, params: KdfParams | None = None
    ) -> Opened:
        """Add or replace a user's password slot; no other slot changes. Returns the slot
        as opened, for whoever is signing in with it now."""
        params = params or DEFAULT_KDF
        salt = secrets.token_bytes(16)
        kdf = {
            "name": "argon2id",
            "salt": kc.b64(salt),
            "time_cost": params.time_cost,
            "memory_kib": params.memory_kib,
            "parallelism": params.parallelism,
        }
        slot_key = kc.password_slot_key(password, salt, params)
        slot_id = self.user_slot_id(username)
        self._put(slot_id, "password", kdf, slot_key.public, keys)
        return Opened(keys, slot_id, slot_key)

    def open_with_password(self, username: str, password: str) -> Opened:
        slot_id = self.user_slot_id(username)
        slot = self._data["slots"].get(slot_id)
        if slot is None:
            # Spend the same effort as a real attempt, so timing does not reveal usernames.
            kc.argon2(password, b"\0" * 16, DEFAULT_KDF)
            raise WrongPassword()
        kdf = slot["kdf"]
        if kdf.get("name") != "argon2id":
            raise WrongPassword()
        params = KdfParams(kdf["time_cost"], kdf["memory_kib"], kdf["parallelism"])
        try:
            return self._open(
                slot_id, kc.password_slot_key(password, kc.unb64(kdf["salt"]), params)
            )
        except kc.NotOpened:
            raise WrongPassword() from None

    def set_recovery(self, keys: Keys, recovery_raw: bytes | None = None) -> str:
        """Make (or replace) the recovery slot; returns the key to print, never stored."""
        raw = recovery_raw or secrets.token_bytes(RECOVERY_KEY_BYTES)
        salt = secrets.token_bytes(16)
        public = kc.secret_slot_key(raw, salt, "recovery").public
        kdf = {"name": "hkdf-sha256", "salt": kc.b64(salt)}
        self._put(RECOVERY_SLOT, "recovery", kdf, public, replace(keys, signer_id=None))
        return format_recovery_key(raw)

    def open_with_recovery_key(self, text: str) -> Opened:
        raw = parse_recovery_key(text)
        slot = self._data["slots"].get(RECOVERY_SLOT)
        if slot is None:
            raise WrongRecoveryKey("This case store has no recovery key slot.")
        slot_key = kc.secret_slot_key(raw, kc.unb64(slot["kdf"]["salt"]), "recovery")
        try:
            return self._open(RECOVERY_SLOT, slot_key)
        except kc.NotOpened:
            raise WrongRecoveryKey.for_store(self.store_name) from None

    def add_device(self, keys: Keys) -> tuple[str, bytes]:
        """A slot opened by a random secret that only this device's keyring holds."""
        slot_id = "dev:" + secrets.token_hex(16)
        secret, salt = secrets.token_bytes(32), secrets.token_bytes(16)
        public = kc.secret_slot_key(secret, salt, "device").public
        self._put(slot_id, "device", {"name": "hkdf-sha256", "salt": kc.b64(salt)}, public, keys)
        return slot_id, secret

    def open_with_device(self, slot_id: str, secret: bytes) -> Opened:
        gone = "This device is no longer remembered. Sign in with your password."
        slot = self._data["slots"].get(slot_id)
        if slot is None or slot["kind"] != "device":
            raise WrongPassword(gone)
        slot_key = kc.secret_slot_key(secret, kc.unb64(slot["kdf"]["salt"]), "device")
        try:
            return self._open(slot_id, slot_key)
        except kc.NotOpened:
            raise WrongPassword(gone) from None

    def remove_slot(self, slot_id: str) -> None:
        if self._data["slots"].pop(slot_id, None) is not None:
            self._header_dirty = True

    def remove_signer(self, signer_id: str) -> list[str]:
        """Remove every way in of one account (password and devices); their slot ids."""
        gone = [sid for sid in self.slot_ids() if self.slot_signer(sid) == signer_id]
        for slot_id in gone:
            self.remove_slot(slot_id)
            self._data["throttle"].pop(slot_id, None)
        return gone

    # -- the header: key epoch and the audit trail's head ------------------------------------
    def next_epoch(self) -> int:
        self._data["epoch"] = self.epoch + 1
        self._header_dirty = True
        return self.epoch

    @property
    def audit_head(self) -> tuple[int, str] | None:
        head = self._data.get("audit_head")
        if not isinstance(head, dict):
            return None
        return int(head["id"]), str(head["hash"])

    def set_audit_head(self, entry_id: int, entry_hash: str) -> None:
        self._data["audit_head"] = {"id": entry_id, "hash": entry_hash}
        self._header_dirty = True

    def _header(self) -> dict[str, Any]:
        names = ("format", "version", "store_id", "lookup_salt", "epoch", "audit_head")
        header = {name: self._data.get(name) for name in names}
        header["slots"] = sorted(self._data["slots"])  # so a slot removed outside shows
        return header

    # -- tags ----------------------------------------------------------------------------
    def _tag_key(self, grants: Iterable[str], keys: Keys) -> bytes | None:
        salt = self.store_id.encode()
        if CASES in grants:
            return kc.hkdf(keys.cases, salt, "casebook key file tag") if keys.cases else None
        return kc.hkdf(keys.front_desk, salt, "casebook front-desk slot tag")

    def _slot_tag_value(self, slot_id: str) -> list[Any]:
        slot = self._data["slots"][slot_id]
        return [self.store_id, slot_id, {k: v for k, v in slot.items() if k != "tag"}]

    def _retag(self, keys: Keys) -> None:
        for slot_id in self._dirty & set(self._data["slots"]):
            key = self._tag_key(self.slot_grants(slot_id), keys)
            if key is not None:
                self._data["slots"][slot_id]["tag"] = kc.tag(key, self._slot_tag_value(slot_id))
        if self._header_dirty and keys.cases is not None:
            key = self._tag_key([CASES], keys)
            assert key is not None
            self._data["header_tag"] = kc.tag(key, self._header())

    def verify(self, keys: Keys) -> Integrity:
        """Which tags `keys` can check do not match: the file was changed outside Casebook."""
        bad = []
        for slot_id, slot in self._data["slots"].items():
            key = self._tag_key(slot["grants"], keys)
            if key is not None and not kc.tags_match(
                key, self._slot_tag_value(slot_id), slot.get("tag")
            ):
                bad.append(slot_id)
        header_ok = True
        if keys.cases is not None:
            key = self._tag_key([CASES], keys)
            assert key is not None
            header_ok = kc.tags_match(key, self._header(), self._data.get("header_tag"))
        return Integrity(header_ok, tuple(sorted(bad)))

    # -- failed attempts (outside the tags: written before anyone is signed in) -----------
    def failures(self, username: str) -> tuple[int, float]:
        """(consecutive failures, time of the last one) for a username."""
        entry = self._data["throttle"].get(self.user_slot_id(username), {})
        return int(entry.get("failures", 0)), float(entry.get("last", 0.0))

    def record_failure(self, username: str, when: float) -> int:
        sid = self.user_slot_id(username)
        throttle = self._data["throttle"]
        count = int(throttle.get(sid, {}).get("failures", 0)) + 1
        throttle[sid] = {"failures": count, "last": when}
        strangers = [k for k in throttle if k not in self._data["slots"]]
        if len(strangers) > MAX_STRANGER_RECORDS:
            # Guesses at names nobody has must not grow the file without end: drop the
            # oldest records (they only ever slow guessing down).
            strangers.sort(key=lambda k: _finite(throttle[k].get("last", 0.0)))
            for stale in strangers[: len(strangers) - MAX_STRANGER_RECORDS]:
                if stale != sid:
                    del throttle[stale]
        return count

    def restart_failure_clock(self, username: str, when: float) -> None:
        """Date the last failure `when`, keeping the count (for a time that cannot be right)."""
        record = self._data["throttle"].get(self.user_slot_id(username))
        if record is not None:
            record["last"] = when

    def clear_failures(self, username: str) -> bool:
        return self._data["throttle"].pop(self.user_slot_id(username), None) is not None


def _finite(value: object) -> float:
    number = float(value) if isinstance(value, int | float) else 0.0
    return number if math.isfinite(number) else 0.0
