"""The front-desk list: current restrictions, readable with a front-desk password alone.

Front-desk accounts never hold the case database key. What they need at reception (who is
barred or under a communication plan, from which schools, until when, and whom to
contact) is kept in `<store>.frontdesk`, encrypted with the front-desk key that every
slot opens. Writers re-publish it in step with each transaction that changes a
restriction; the list holds nothing else about a case.

While the store is re-keyed the list is sealed for the old front-desk key as well as the
new one, since the list and the key file are written one after the other: a crash between
the two leaves a list that the key file on disk opens. The old key's copy is dropped once
the re-key is done.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from desktop.errors import SessionEnded, StoreDamaged, WrongPassword
from desktop.storage import keycrypto as kc
from desktop.storage.atomic import write_atomically
from desktop.storage.keyvault import KeyFile, Opened, keys_path_for
from desktop.storage.store import FrontDeskAccess

log = logging.getLogger(__name__)

FORMAT = "casebook-front-desk"


def front_desk_path_for(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".frontdesk")


def _aad(store_id: str) -> bytes:
    return kc.canonical([FORMAT, store_id])


def encode(
    key: bytes, store_id: str, content: dict[str, Any], *, previous: bytes | None = None
) -> bytes:
    """The file's bytes for `content` (JSON-able), sealed with the front-desk key (and with
    the `previous` one too, mid re-key)."""
    payload = json.dumps(content, sort_keys=True).encode("utf-8")
    data = {"format": FORMAT, "box": kc.encrypt(key, payload, _aad(store_id))}
    if previous is not None:
        data["previous_box"] = kc.encrypt(previous, payload, _aad(store_id))
    return json.dumps(data).encode("ascii")


def drop_previous_key(path: Path, key: bytes, store_id: str) -> None:
    """Once a re-key is done: the list again, sealed with the new front-desk key only.

    The re-key has committed by then, so a failure is logged, not raised: the old key's
    copy then goes at the list's next publish."""
    try:
        content = read_list(path, key, store_id)
        if content is not None:
            write_atomically(path, encode(key, store_id, content))
    except (OSError, StoreDamaged):
        log.warning("could not drop the old key's copy of the front-desk list", exc_info=True)


def read_list(path: Path, key: bytes, store_id: str) -> dict[str, Any] | None:
    """The list's content, or None when no list has been published yet."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        data = json.loads(raw)
        if data.get("format") != FORMAT:
            raise ValueError("not a front-desk list")
        try:
            sealed = kc.decrypt(key, data["box"], _aad(store_id))
        except kc.NotOpened:
            if "previous_box" not in data:
                raise
            sealed = kc.decrypt(key, data["previous_box"], _aad(store_id))
        content = json.loads(sealed)
        if not isinstance(content, dict):
            raise ValueError("bad content")
        return content
    except (kc.NotOpened, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StoreDamaged(
            f"The front-desk list {path.name} is damaged or was changed outside Casebook. "
            "Ask a business manager to sign in: that publishes it again."
        ) from exc


class FrontDeskList(FrontDeskAccess):
    """A front-desk password's view of a file store: its `.frontdesk` list."""

    def __init__(self, store_path: Path, opened: Opened, store_id: str) -> None:
        self.store_path = store_path
        self.store_id = store_id
        self._opened: Opened | None = opened

    @property
    def signer_id(self) -> str | None:
        return self._opened.keys.signer_id if self._opened else None

    def read(self) -> dict[str, Any]:
        if self._opened is None:
            raise SessionEnded("The front-desk check has been locked. Sign in again.")
        keyfile = KeyFile.load(keys_path_for(self.store_path))
        try:
            self._opened = keyfile.reopen(self._opened)
        except WrongPassword:
            self._opened = None
            raise SessionEnded() from None
        path = front_desk_path_for(self.store_path)
        return read_list(path, self._opened.keys.front_desk, self.store_id) or {}

    def close(self) -> None:
        self._opened = None

    @property
    def closed(self) -> bool:
        return self._opened is None
