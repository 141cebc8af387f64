"""The key file's shape: refuse anything but a well-formed one, so later code can trust it.

Version 1 files (development builds before November 2026) and files from a newer version
(`StoreTooNew`) are refused with their own messages; anything else malformed is
`ValueError`, which the loader turns into `KeyFileDamaged`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from desktop.errors import KeyFileDamaged, KeyFileMissing, StoreDamaged, StoreTooNew
from desktop.storage import keycrypto as kc

FORMAT = "casebook-keys"
VERSION = 2
CASES, FRONT_DESK, AUDIT = "cases", "front_desk", "audit"  # what a way in may open
GRANTS = (CASES, FRONT_DESK, AUDIT)
KINDS = ("password", "recovery", "device")
EARLY_VERSION = (
    "This case store was made by an early test version of Casebook, whose key file this "
    "version cannot read. Make a new case store, or ask your IT support."
)


def store_name_for(keys_path: Path) -> str:
    """The name of the store a key file belongs beside (`trust.casebook` for
    `trust.casebook.keys`)."""
    return keys_path.name.removesuffix(".keys")


def read_key_file(path: Path) -> tuple[dict[str, Any], bytes]:
    """The key file's contents and bytes, once its shape is sound; KeyFileMissing,
    KeyFileDamaged or StoreTooNew otherwise. Reads only, and needs no cipher: start-up
    checks the files with it before the sign-in dialog shows."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise KeyFileMissing(store_name_for(path), path.name) from exc
    try:
        data = json.loads(raw.decode("utf-8"))
        check_structure(data)
    except StoreTooNew:
        raise StoreTooNew(store_name_for(path)) from None
    except StoreDamaged:
        raise
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError) as exc:
        raise KeyFileDamaged(path.name) from exc
    return data, raw


def check_structure(data: Any) -> None:
    """Refuse anything but a well-formed key file, so later code can trust its shape."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a key file")
    version = data.get("version")
    if not isinstance(version, int):
        raise ValueError("no version")
    if version > VERSION:
        raise StoreTooNew()
    if version < VERSION:
        raise StoreDamaged(EARLY_VERSION)
    if not isinstance(data.get("store_id"), str) or not isinstance(data.get("slots"), dict):
        raise ValueError("no store id or slots")
    if not isinstance(data.get("epoch"), int):
        raise ValueError("no epoch")
    kc.unb64(data["lookup_salt"])
    for slot_id, slot in data["slots"].items():
        if not isinstance(slot_id, str) or not isinstance(slot, dict):
            raise ValueError("bad slot")
        if slot.get("kind") not in KINDS:
            raise ValueError("bad slot kind")
        kc.unb64(slot["public"])
        if not all(isinstance(slot["box"].get(k), str) for k in ("epk", "nonce", "ct")):
            raise ValueError("bad box")
        if not isinstance(slot.get("grants"), list) or not set(slot["grants"]) <= set(GRANTS):
            raise ValueError("bad grants")
        check_kdf(slot["kdf"])
    throttle = data.setdefault("throttle", {})
    if not isinstance(throttle, dict) or not all(
        isinstance(v, dict)
        and isinstance(v.get("failures", 0), int)
        and isinstance(v.get("last", 0.0), int | float)
        for v in throttle.values()
    ):
        raise ValueError("bad throttle")


def check_kdf(kdf: Any) -> None:
    if not isinstance(kdf, dict):
        raise ValueError("bad kdf")
    kc.unb64(kdf["salt"])
    if kdf.get("name") == "argon2id":
        for name in ("time_cost", "memory_kib", "parallelism"):
            value, top = kdf.get(name), getattr(kc.MAX_KDF, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
                raise ValueError("bad kdf cost")
        if kdf["memory_kib"] < 8 * kdf["parallelism"]:
            raise ValueError("bad kdf memory")
    elif kdf.get("name") != "hkdf-sha256":
        raise ValueError("unknown kdf")
