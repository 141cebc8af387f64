"""Key slots: the one random database key, wrapped once per way of opening the store.

The case store is keyed with a random 256-bit key that no password derives. Each user's
password (through Argon2id) wraps a copy of it with AES-GCM; so does the recovery key
printed at setup, and any "remember me" device secret held by the OS keyring. Changing a
password rewraps one slot; removing a user removes theirs.

The slots live in a small JSON file beside the database (`<store>.keys`). It holds no
personal data: password slots are named by a keyed hash of the username.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from desktop.errors import StoreDamaged, StoreMissing, WrongPassword, WrongRecoveryKey
from desktop.paths import keys_file_for

FORMAT = "casebook-keys"
VERSION = 1
DB_KEY_BYTES = 32
RECOVERY_KEY_BYTES = 20  # 160 bits: 32 base32 characters in eight groups of four
RECOVERY_SLOT = "recovery"
_B32_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. Stored with each slot, so a slot opens whatever today's default is."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 2


DEFAULT_KDF = KdfParams()


keys_path_for = keys_file_for


def new_database_key() -> bytes:
    return secrets.token_bytes(DB_KEY_BYTES)


def format_recovery_key(raw: bytes) -> str:
    text = base64.b32encode(raw).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    """Forgive spaces, dashes, lower case and the look-alikes 0/O, 1/I, 8/B."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\n").translate(_LOOKALIKES)
    if len(cleaned) != 32 or not set(cleaned) <= _B32_ALPHABET:
        raise WrongRecoveryKey(
            "A recovery key is 32 letters and digits in eight groups of four, "
            "as printed on the recovery sheet."
        )
    return base64.b32decode(cleaned)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _argon2(secret: str, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        secret.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _hkdf(secret: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)


_MAX_KDF = KdfParams(time_cost=20, memory_kib=4 * 1024 * 1024, parallelism=64)


def _check_structure(data: Any) -> None:
    """Refuse anything but a well-formed key file, so later code can trust its shape."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a key file")
    if not isinstance(data.get("version"), int):
        raise ValueError("no version")
    if data["version"] > VERSION:
        raise StoreDamaged(
            "This case store was made by a newer version of Casebook. Update Casebook."
        )
    if not isinstance(data.get("store_id"), str) or not isinstance(data.get("slots"), dict):
        raise ValueError("no store id or slots")
    _unb64(data["lookup_salt"])
    for slot_id, slot in data["slots"].items():
        if not isinstance(slot_id, str) or not isinstance(slot, dict):
            raise ValueError("bad slot")
        if slot.get("kind") not in ("password", "recovery", "device"):
            raise ValueError("bad slot kind")
        _unb64(slot["nonce"])
        _unb64(slot["wrapped"])
        kdf = slot["kdf"]
        if not isinstance(kdf, dict):
            raise ValueError("bad kdf")
        _unb64(kdf["salt"])
        if kdf.get("name") == "argon2id":
            for name, top in (
                ("time_cost", _MAX_KDF.time_cost),
                ("memory_kib", _MAX_KDF.memory_kib),
                ("parallelism", _MAX_KDF.parallelism),
            ):
                value = kdf.get(name)
                if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
                    raise ValueError("bad kdf cost")
            if kdf["memory_kib"] < 8 * kdf["parallelism"]:
                raise ValueError("bad kdf memory")
        elif kdf.get("name") != "hkdf-sha256":
            raise ValueError("unknown kdf")
    throttle = data.setdefault("throttle", {})
    if not isinstance(throttle, dict) or not all(
        isinstance(v, dict)
        and isinstance(v.get("failures", 0), int)
        and isinstance(v.get("last", 0.0), int | float)
        for v in throttle.values()
    ):
        raise ValueError("bad throttle")


@contextmanager
def editing(path: Path) -> Iterator[KeyFile]:
    """Reload the key file, let the caller change it, save it: no stale copy wins.

    Every change to slots goes through here, so a change made elsewhere since sign-in (a
    forgotten device, a failed attempt) is never overwritten by an older copy in memory.
    If the block raises, nothing is saved.
    """
    keyfile = KeyFile.load(path)
    yield keyfile
    keyfile.save()


class KeyFile:
    """The slots of one store, loaded from and saved atomically to `<store>.keys`."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self._data = data

    # -- loading and saving -------------------------------------------------------------
    @classmethod
    def create(cls, path: Path) -> KeyFile:
        data = {
            "format": FORMAT,
            "version": VERSION,
            "store_id": secrets.token_hex(16),
            "lookup_salt": _b64(secrets.token_bytes(16)),
            "slots": {},
            "throttle": {},
        }
        return cls(path, data)

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            raw = path.read_bytes()
        except FileNotFoundError as exc:
            raise StoreMissing(
                f"The key file {path.name} is missing, so the case store cannot be opened. "
                "Restore it from a backup next to the database file."
            ) from exc
        try:
            data = json.loads(raw.decode("utf-8"))
            _check_structure(data)
        except StoreDamaged:
            raise
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise StoreDamaged() from exc
        return cls(path, data)

    def save(self) -> None:
        """Write to a temporary file in the same folder, flush it to disk, then swap it in."""
        payload = json.dumps(self._data, indent=1, sort_keys=True).encode("utf-8")
        folder = self.path.parent
        fd, tmp = tempfile.mkstemp(prefix=".keys-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if hasattr(os, "O_DIRECTORY"):
            dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    @property
    def store_id(self) -> str:
        return str(self._data["store_id"])

    # -- naming ------------------------------------------------------------------------
    def user_slot_id(self, username: str) -> str:
        """A keyed hash of the username: finds the slot without storing the name."""
        salt = _unb64(self._data["lookup_salt"])
        digest = hmac.new(salt, username.casefold().encode("utf-8"), hashlib.sha256)
        return "pw:" + digest.hexdigest()[:32]

    def has_slot(self, slot_id: str) -> bool:
        return slot_id in self._data["slots"]

    def slot_ids(self, kind: str | None = None) -> list[str]:
        return [
            sid for sid, slot in self._data["slots"].items() if kind is None or slot["kind"] == kind
        ]

    # -- wrapping ----------------------------------------------------------------------
    def _aad(self, slot_id: str, kind: str) -> bytes:
        return json.dumps([FORMAT, self.store_id, slot_id, kind]).encode("utf-8")

    def _wrap(
        self, slot_id: str, kind: str, kek: bytes, db_key: bytes, kdf: dict[str, Any]
    ) -> None:
        nonce = secrets.token_bytes(12)
        wrapped = AESGCM(kek).encrypt(nonce, db_key, self._aad(slot_id, kind))
        self._data["slots"][slot_id] = {
            "kind": kind,
            "kdf": kdf,
            "nonce": _b64(nonce),
            "wrapped": _b64(wrapped),
        }

    def _unwrap(self, slot_id: str, kek: bytes) -> bytes:
        slot = self._data["slots"][slot_id]
        try:
            return AESGCM(kek).decrypt(
                _unb64(slot["nonce"]), _unb64(slot["wrapped"]), self._aad(slot_id, slot["kind"])
            )
        except InvalidTag:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreDamaged() from exc

    def set_password(
        self, username: str, password: str, db_key: bytes, params: KdfParams | None = None
    ) -> None:
        """Add or replace a user's slot; no other slot changes."""
        params = params or DEFAULT_KDF
        salt = secrets.token_bytes(16)
        kdf = {
            "name": "argon2id",
            "salt": _b64(salt),
            "time_cost": params.time_cost,
            "memory_kib": params.memory_kib,
            "parallelism": params.parallelism,
        }
        slot_id = self.user_slot_id(username)
        self._wrap(slot_id, "password", _argon2(password, salt, params), db_key, kdf)

    def open_with_password(self, username: str, password: str) -> bytes:
        slot_id = self.user_slot_id(username)
        slot = self._data["slots"].get(slot_id)
        if slot is None:
            # Spend the same effort as a real attempt, so timing does not reveal usernames.
            _argon2(password, b"\0" * 16, DEFAULT_KDF)
            raise WrongPassword()
        kdf = slot["kdf"]
        params = KdfParams(kdf["time_cost"], kdf["memory_kib"], kdf["parallelism"])
        kek = _argon2(password, _unb64(kdf["salt"]), params)
        try:
            return self._unwrap(slot_id, kek)
        except InvalidTag:
            raise WrongPassword() from None

    def remove_user(self, username: str) -> None:
        self._data["slots"].pop(self.user_slot_id(username), None)
        self._data["throttle"].pop(self.user_slot_id(username), None)

    def set_recovery(self, db_key: bytes, recovery_raw: bytes | None = None) -> str:
        """Make (or replace) the recovery slot; returns the key to print, never stored."""
        raw = recovery_raw or secrets.token_bytes(RECOVERY_KEY_BYTES)
        salt = secrets.token_bytes(16)
        kek = _hkdf(raw, salt, b"casebook recovery slot")
        self._wrap(
            RECOVERY_SLOT, "recovery", kek, db_key, {"name": "hkdf-sha256", "salt": _b64(salt)}
        )
        return format_recovery_key(raw)

    def open_with_recovery_key(self, text: str) -> bytes:
        raw = parse_recovery_key(text)
        slot = self._data["slots"].get(RECOVERY_SLOT)
        if slot is None:
            raise WrongRecoveryKey("This case store has no recovery key slot.")
        kek = _hkdf(raw, _unb64(slot["kdf"]["salt"]), b"casebook recovery slot")
        try:
            return self._unwrap(RECOVERY_SLOT, kek)
        except InvalidTag:
            raise WrongRecoveryKey() from None

    def add_device(self, db_key: bytes) -> tuple[str, bytes]:
        """A slot opened by a random secret that only this device's keyring holds."""
        slot_id = "dev:" + secrets.token_hex(16)
        secret = secrets.token_bytes(32)
        salt = secrets.token_bytes(16)
        kek = _hkdf(secret, salt, b"casebook device slot")
        self._wrap(slot_id, "device", kek, db_key, {"name": "hkdf-sha256", "salt": _b64(salt)})
        return slot_id, secret

    def open_with_device(self, slot_id: str, secret: bytes) -> bytes:
        slot = self._data["slots"].get(slot_id)
        if slot is None or slot["kind"] != "device":
            raise WrongPassword("This device is no longer remembered. Sign in with your password.")
        kek = _hkdf(secret, _unb64(slot["kdf"]["salt"]), b"casebook device slot")
        try:
            return self._unwrap(slot_id, kek)
        except InvalidTag:
            raise WrongPassword(
                "This device is no longer remembered. Sign in with your password."
            ) from None

    def remove_slot(self, slot_id: str) -> None:
        self._data["slots"].pop(slot_id, None)

    # -- failed attempts -----------------------------------------------------------------
    def failures(self, username: str) -> tuple[int, float]:
        """(consecutive failures, time of the last one) for a username."""
        entry = self._data["throttle"].get(self.user_slot_id(username), {})
        return int(entry.get("failures", 0)), float(entry.get("last", 0.0))

    def record_failure(self, username: str, when: float) -> int:
        sid = self.user_slot_id(username)
        count = int(self._data["throttle"].get(sid, {}).get("failures", 0)) + 1
        self._data["throttle"][sid] = {"failures": count, "last": when}
        return count

    def restart_failure_clock(self, username: str, when: float) -> None:
        """Date the last failure `when`, keeping the count (for a time that cannot be right)."""
        sid = self.user_slot_id(username)
        record = self._data["throttle"].get(sid)
        if record is not None:
            record["last"] = when

    def clear_failures(self, username: str) -> bool:
        return self._data["throttle"].pop(self.user_slot_id(username), None) is not None
