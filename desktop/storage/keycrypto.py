"""The cryptography under the key file: key derivation, sealed boxes and tags.

Each way in (a password, the recovery key, a remembered device) derives an X25519 key
pair from its secret. What the way in opens is sealed to its public key: an ephemeral
X25519 exchange, HKDF-SHA256 and AES-256-GCM. Sealing needs only the public key, so a
writer can re-seal every slot with a new database key (when a user is removed) without
knowing anyone's password.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.errors import WrongRecoveryKey

# Argon2, the ciphers and OpenSSL's hashes load on first use: start-up reads the key file's
# shape (to name a damaged one before the sign-in dialog) without them. Keys and nonces come
# from os.urandom, as `secrets.token_bytes` does.
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
RECOVERY_KEY_BYTES = 20  # 160 bits: 32 base32 characters in eight groups of four
_B32_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. Stored with each slot, so a slot opens whatever today's default is."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 2


DEFAULT_KDF = KdfParams()
MAX_KDF = KdfParams(time_cost=20, memory_kib=4 * 1024 * 1024, parallelism=64)


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def canonical(value: Any) -> bytes:
    """One byte string per JSON value: what tags and associated data are computed over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode(
        "ascii"
    )


def argon2(secret: str, salt: bytes, params: KdfParams) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(
        secret.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def hkdf(secret: bytes, salt: bytes, info: str) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info.encode()).derive(
        secret
    )


def tag(key: bytes, value: Any) -> str:
    import hashlib
    import hmac

    return hmac.new(key, canonical(value), hashlib.sha256).hexdigest()


def tags_match(key: bytes, value: Any, expected: object) -> bool:
    import hmac

    return isinstance(expected, str) and hmac.compare_digest(tag(key, value), expected)


class NotOpened(Exception):
    """A sealed box or encrypted file that this key, or this associated data, does not open:
    the wrong key, or bytes changed since they were sealed. (Cryptography's InvalidTag,
    raised as Casebook's own so the key file's readers need not load the ciphers.)"""


# -- key pairs and sealed boxes ------------------------------------------------------------
class SlotKey:
    """The private half of a way in, derived from its secret; kept only while signed in."""

    def __init__(self, seed: bytes) -> None:
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

        self._private = X25519PrivateKey.from_private_bytes(seed)

    @property
    def public(self) -> str:
        return public_text(self._private.public_key())

    def open(self, box: dict[str, str], aad: bytes) -> bytes:
        """The sealed bytes; NotOpened if this key or the associated data do not fit."""
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        ephemeral = unb64(box["epk"])
        shared = self._private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        kek = hkdf(shared, ephemeral + unb64(self.public), "casebook sealed box")
        return _decrypt(AESGCM(kek), box, aad)


def public_text(key: X25519PublicKey) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return b64(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def seal(public: str, payload: bytes, aad: bytes) -> dict[str, str]:
    """Encrypt `payload` so only the holder of `public`'s private key can read it."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import (
        X25519PrivateKey,
        X25519PublicKey,
    )
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    recipient = X25519PublicKey.from_public_bytes(unb64(public))
    ephemeral = X25519PrivateKey.generate()
    epk = unb64(public_text(ephemeral.public_key()))
    kek = hkdf(ephemeral.exchange(recipient), epk + unb64(public), "casebook sealed box")
    nonce = os.urandom(12)
    return {
        "epk": b64(epk),
        "nonce": b64(nonce),
        "ct": b64(AESGCM(kek).encrypt(nonce, payload, aad)),
    }


def password_slot_key(password: str, salt: bytes, params: KdfParams) -> SlotKey:
    return SlotKey(argon2(password, salt, params))


def secret_slot_key(secret: bytes, salt: bytes, purpose: str) -> SlotKey:
    return SlotKey(hkdf(secret, salt, f"casebook {purpose} slot"))


# -- symmetric files (the front-desk list) -------------------------------------------------
def encrypt(key: bytes, payload: bytes, aad: bytes) -> dict[str, str]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return {"nonce": b64(nonce), "ct": b64(AESGCM(key).encrypt(nonce, payload, aad))}


def decrypt(key: bytes, box: dict[str, str], aad: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return _decrypt(AESGCM(key), box, aad)


def _decrypt(cipher: AESGCM, box: dict[str, str], aad: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag

    try:
        return cipher.decrypt(unb64(box["nonce"]), unb64(box["ct"]), aad)
    except InvalidTag:
        raise NotOpened() from None


# -- the recovery key as printed ---------------------------------------------------------
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
