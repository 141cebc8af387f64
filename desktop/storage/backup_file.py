"""The backup file: one zip archive of stored (uncompressed) members, read with suspicion.

Why a zip: any zip tool can list it; a copy cut short is recognised at once (the central
directory is at the end); every member carries a CRC as well as its SHA-256 in the
manifest; and Python reads it without extracting anything by a name the file chooses.
The members, always these names:

- `casebook-backup-manifest.json`, first, plaintext: only facts about the store that name
  no one (format, versions, store id, trust name, number of cases, newest audit entry,
  when made, the audit trail's head) and the SHA-256 and size of each other member. Being
  first, its name at a fixed offset tells a damaged backup from a file that is not one.
- `keys.json` and `frontdesk.json`: the key file and the front-desk list, as they were.
- `cases.db`: the SQLCipher database, still encrypted with the same key, so it opens with
  the same passwords and the recovery key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from desktop.errors import CasebookError, StoreDamaged
from desktop.storage import migrate
from desktop.storage.keyfile_shape import VERSION as KEYFILE_VERSION
from desktop.storage.keyfile_shape import check_structure

FORMAT = "casebook-backup"
FORMAT_VERSION = 1
SUFFIX = ".casebook-backup"
MANIFEST = "casebook-backup-manifest.json"
DATABASE, KEYS, FRONT_DESK = "cases.db", "keys.json", "frontdesk.json"
REQUIRED_PARTS = frozenset({DATABASE, KEYS})
ALL_PARTS = frozenset({DATABASE, KEYS, FRONT_DESK})
MAX_MANIFEST_BYTES = 64 * 1024
MAX_SIDE_PART_BYTES = 64 * 1024 * 1024  # the key file and the list are read whole
CHUNK = 1024 * 1024
_LOCAL_HEADER = b"PK\x03\x04"
_NAME_OFFSET = 30  # where a zip's first member's name starts

Progress = Callable[[int, int, str], None]


def no_progress(done: int, total: int, message: str) -> None:
    del done, total, message


class BackupProblem(CasebookError):
    """A backup file that cannot be restored; the message says why, in plain words."""


class BackupMissing(BackupProblem):
    pass


class NotABackup(BackupProblem):
    pass


class BackupDamaged(BackupProblem):
    pass


class BackupTooNew(BackupProblem):
    pass


def damaged(path: Path, why: str) -> BackupDamaged:
    return BackupDamaged(
        f"The backup {path.name} is damaged or incomplete ({why}), so it cannot be restored. "
        "Nothing was changed. Try another backup, or copy this one again from where it is kept."
    )


def _too_new(what: str) -> BackupTooNew:
    return BackupTooNew(
        f"This backup was made by a newer Casebook ({what}); update Casebook to restore it."
    )


# -- the manifest ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Part:
    sha256: str
    size: int


@dataclass(frozen=True)
class BackupFacts:
    """What a backup's manifest says: nothing in it names a person."""

    casebook_version: str
    schema_revision: str
    store_id: str
    store_name: str
    trust_name: str
    cases: int
    newest_entry_at: dt.datetime | None
    created_at: dt.datetime
    audit_head: tuple[int, str] | None
    parts: Mapping[str, Part]
    is_sample: bool = False
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "format_version": self.format_version,
            "casebook_version": self.casebook_version,
            "schema_revision": self.schema_revision,
            "store_id": self.store_id,
            "store_name": self.store_name,
            "trust_name": self.trust_name,
            "cases": self.cases,
            "newest_entry_at": _iso(self.newest_entry_at),
            "created_at": _iso(self.created_at),
            "audit_head": (
                {"id": self.audit_head[0], "hash": self.audit_head[1]} if self.audit_head else None
            ),
            "parts": {n: {"sha256": p.sha256, "size": p.size} for n, p in self.parts.items()},
            "sample": self.is_sample,
        }
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BackupFacts:
        """Strictly: a wrong type anywhere is ValueError, TypeError or KeyError."""
        head, parts, newest = data["audit_head"], data["parts"], data["newest_entry_at"]
        if not isinstance(parts, dict) or not REQUIRED_PARTS <= set(parts) <= ALL_PARTS:
            raise ValueError("bad parts")
        return cls(
            casebook_version=_text(data["casebook_version"]),
            schema_revision=_text(data["schema_revision"], empty=False),
            store_id=_hex(data["store_id"], 8, 64),
            store_name=_text(data["store_name"]),
            trust_name=_text(data["trust_name"]),
            cases=_count(data["cases"]),
            newest_entry_at=None if newest is None else _moment(newest),
            created_at=_moment(data["created_at"]),
            audit_head=None if head is None else (_count(head["id"]), _hex(head["hash"], 64, 64)),
            parts={
                name: Part(_hex(p["sha256"], 64, 64), _count(p["size"]))
                for name, p in parts.items()
            },
            is_sample=_flag(data.get("sample", False)),
            format_version=_count(data["format_version"]),
        )


def _iso(value: dt.datetime | None) -> str | None:
    # To the microsecond: the order of backups made in one second is still known.
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds") if value else None


def _text(value: object, *, empty: bool = True) -> str:
    if not isinstance(value, str) or (not empty and not value) or len(value) > 500:
        raise ValueError("bad text")
    return value


def _hex(value: object, shortest: int, longest: int) -> str:
    if not isinstance(value, str) or not re.fullmatch(f"[0-9a-f]{{{shortest},{longest}}}", value):
        raise ValueError("bad hex")
    return value


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError("bad count")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("bad flag")
    return value


def _moment(value: object) -> dt.datetime:
    moment = dt.datetime.fromisoformat(_text(value, empty=False))
    if moment.tzinfo is None:
        raise ValueError("a moment without its offset")
    return moment


def known_revisions() -> frozenset[str]:
    """Every schema revision this Casebook can open (and migrate from)."""
    return migrate.known_revisions()


def digest(data: bytes) -> Part:
    return Part(hashlib.sha256(data).hexdigest(), len(data))


def copy_hashing(
    source: IO[bytes], out: IO[bytes] | None, total: int, words: str, report: Progress
) -> Part:
    """Copy (or only read, when `out` is None) a piece at a time; what was read."""
    hasher, done = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        if out is not None:
            out.write(chunk)
        hasher.update(chunk)
        done += len(chunk)
        report(done, total, words)
    return Part(hasher.hexdigest(), done)


# -- reading a backup --------------------------------------------------------------------------
def read_backup(
    path: Path, *, check_parts: bool = True, progress: Progress = no_progress
) -> BackupFacts:
    """The manifest's facts, once the file is shown to be a whole Casebook backup that this
    version can restore: its container, its manifest, its key file's shape, and (unless
    `check_parts` is False) every part's SHA-256 and CRC."""
    facts = _open(path, check_parts=check_parts, progress=progress)
    if facts.schema_revision not in known_revisions():
        raise _too_new(f"schema {facts.schema_revision}")
    return facts


def peek_backup(path: Path) -> BackupFacts | None:
    """The facts of a file that is a backup by its manifest, unchecked; None otherwise."""
    try:
        return _open(path, check_parts=False, progress=no_progress)
    except (BackupProblem, OSError):
        return None


def _open(path: Path, *, check_parts: bool, progress: Progress) -> BackupFacts:
    if not path.exists():
        raise BackupMissing(f"There is no backup file at {path}.")
    if not path.is_file():
        raise NotABackup(f"{path} is not a file, so it is not a Casebook backup.")
    with path.open("rb") as handle:  # a file that cannot be read says so here (OSError)
        head = handle.read(_NAME_OFFSET + len(MANIFEST))
        ours = head[:4] == _LOCAL_HEADER and head[_NAME_OFFSET:] == MANIFEST.encode()
        handle.seek(0)
        try:
            with zipfile.ZipFile(handle) as archive:
                return _read_archive(path, archive, check_parts, progress)
        except BackupProblem:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, KeyError,
                TypeError, NotImplementedError, RuntimeError, OverflowError,
                UnicodeError, OSError) as exc:  # fmt: skip
            if ours:
                raise damaged(
                    path, "it may have been cut short or changed since it was made"
                ) from exc
            raise NotABackup(f"{path.name} is not a Casebook backup.") from exc


def _read_archive(
    path: Path, archive: zipfile.ZipFile, check_parts: bool, progress: Progress
) -> BackupFacts:
    names = archive.namelist()
    if MANIFEST not in names:
        raise NotABackup(f"{path.name} is not a Casebook backup.")
    if len(set(names)) != len(names) or not set(names) <= ALL_PARTS | {MANIFEST}:
        raise damaged(path, "it holds files a Casebook backup does not")
    facts = _manifest(path, _member_bytes(archive, MANIFEST, MAX_MANIFEST_BYTES))
    if set(facts.parts) != set(names) - {MANIFEST}:
        raise damaged(path, "a part is missing")
    for name, part in facts.parts.items():
        info = archive.getinfo(name)
        if info.file_size != part.size or info.compress_type != zipfile.ZIP_STORED:
            raise damaged(path, f"its part {name} is not the size it should be")
        if info.flag_bits & 0x1:
            raise damaged(path, "a part is locked with a zip password")
    _check_keyfile(path, facts, _member_bytes(archive, KEYS, MAX_SIDE_PART_BYTES))
    if check_parts:
        total = sum(part.size for part in facts.parts.values())
        for name, part in facts.parts.items():
            with archive.open(name) as member:  # the CRC is checked at its end
                if copy_hashing(member, None, total, "Checking the backup", progress) != part:
                    raise damaged(path, f"its part {name} does not match its checksum")
    return facts


def _member_bytes(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > limit or info.compress_type != zipfile.ZIP_STORED:
        raise ValueError(f"{name} is too large")
    return archive.read(info)


def _manifest(path: Path, raw: bytes) -> BackupFacts:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise damaged(path, "its list of contents cannot be read") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NotABackup(f"{path.name} is not a Casebook backup.")
    version = data.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise _too_new(f"backup format {version}")
    try:
        return BackupFacts.from_json(data)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise damaged(path, "its list of contents cannot be read") from exc


def _check_keyfile(path: Path, facts: BackupFacts, raw: bytes) -> None:
    """The key file has the shape this Casebook reads, and belongs to the same store."""
    try:
        data = json.loads(raw.decode("utf-8"))
        version = data.get("version") if isinstance(data, dict) else None
        if isinstance(version, int) and version > KEYFILE_VERSION:
            raise _too_new(f"key file version {version}")
        check_structure(data)
    except BackupProblem:
        raise
    except (StoreDamaged, ValueError, KeyError, TypeError, AttributeError, UnicodeError) as exc:
        raise damaged(path, "its key file cannot be read") from exc
    if data["store_id"] != facts.store_id:
        raise damaged(path, "its key file belongs to another case store")
