"""Evidence files kept inside the encrypted store, and the only way a plain copy leaves it.

A file's bytes go into the database (`Evidence.content`) with their SHA-256, size and
type, who added them and when, and a chronology entry says so, all in one transaction.
Viewing reads the bytes into memory for the in-app viewer (audited "evidence.viewed");
nothing is ever written to a temporary file to be shown. `export_evidence` writes a copy
where the person chose (audited "evidence.exported"): the one road to a plaintext file.

Memory, for a large file: `add_evidence_file` checks the size before reading, then moves
the file from disk into its row a megabyte at a time, hashing on the way
(`storage.blobs`); Python never holds it whole. SQLite holds about twice the file's size
for a moment while it makes room in the row (see `storage.blobs`), then lets go. An
export streams the other way, a piece at a time from the row to the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from desktop.dates import utc_now
from desktop.domain.chronology import EventKind
from desktop.domain.evidence import (
    DEFAULT_LIMIT_MB,
    SNIFF_BYTES,
    MediaKind,
    check_limit_mb,
    check_media_type,
    check_size,
    clean_filename,
    media_kind,
    media_type_for,
)
from desktop.domain.roles import Operation
from desktop.domain.text import clean_block
from desktop.errors import NotFound, ValidationError
from desktop.services import audit, exports, scope
from desktop.services.session import UserSession
from desktop.storage import blobs
from desktop.storage.models import CaseEvent, Evidence, Incident, Trust, User

CHUNK = 1024 * 1024
MAX_DESCRIPTION_LENGTH = 4000
THUMBNAIL_MAX_BYTES = 25 * 1024 * 1024  # larger pictures show their type icon instead
SUMMARY_LENGTH = 300

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class EvidenceRow:
    """One evidence file's details; never its bytes."""

    id: int
    case_id: int
    incident_id: int | None
    filename: str
    media_type: str
    size: int
    sha256: str
    description: str
    added_by: str
    added_at: dt.datetime

    @property
    def kind(self) -> MediaKind:
        return media_kind(self.media_type)


# -- the trust's size limit ---------------------------------------------------------------
def _limit_mb(db: Session) -> int:
    return db.scalar(select(Trust.evidence_limit_mb).order_by(Trust.id).limit(1)) or (
        DEFAULT_LIMIT_MB
    )


def evidence_limit(session: UserSession) -> int:
    """The largest file, in megabytes, that can be added as evidence."""
    session.require(Operation.VIEW_CASES)
    with session.transaction() as db:
        return _limit_mb(db)


def set_evidence_limit(session: UserSession, *, megabytes: int) -> int:
    """Change the largest file accepted as evidence (Settings → Trust)."""
    session.require(Operation.EDIT_TRUST)
    megabytes = check_limit_mb(megabytes)
    with session.transaction(write=True) as db:
        trust = db.scalar(select(Trust).order_by(Trust.id).limit(1))
        if trust is None:
            raise NotFound("This store has no trust record.")
        if trust.evidence_limit_mb != megabytes:
            trust.evidence_limit_mb = megabytes
            audit.record(
                db, session.actor, "trust.evidence_limit_changed", detail={"megabytes": megabytes}
            )
        return megabytes


# -- adding -------------------------------------------------------------------------------
def _check_incident(db: Session, case_id: int, incident_id: int | None) -> None:
    if incident_id is None:
        return
    found = db.scalar(
        select(Incident.id).where(Incident.id == incident_id, Incident.case_id == case_id)
    )
    if found is None:
        raise ValidationError("That incident is not part of this case.", "incident")


@dataclass
class _Upload:
    """A file on its way in: its checked details, and its bytes as pieces to write."""

    filename: str
    media_type: str
    description: str
    incident_id: int | None
    size: int
    pieces: Iterable[bytes | memoryview]
    sha256: Callable[[], str]  # known once every piece has been written


def _store(session: UserSession, case_id: int, upload: _Upload) -> EvidenceRow:
    """Insert the file and its chronology entry in one write transaction."""
    with session.transaction(write=True) as db:
        scope.require_case(session, db, case_id, operation=Operation.EDIT_CASES)
        _check_incident(db, case_id, upload.incident_id)
        check_size(upload.size, limit_mb=_limit_mb(db))  # the limit may have just changed
        now = utc_now()
        item = Evidence(
            case_id=case_id,
            incident_id=upload.incident_id,
            filename=upload.filename,
            media_type=upload.media_type,
            size=upload.size,
            sha256="",  # known once the bytes are in
            content=b"",  # filled below, a piece at a time
            description=upload.description,
            added_by_id=session.actor.user_id,
            added_at=now,
        )
        db.add(item)
        db.flush()
        blobs.write_pieces(db, Evidence.content, item.id, upload.size, upload.pieces)
        db.expire(item, ["content"])
        item.sha256 = upload.sha256()
        event = CaseEvent(
            case_id=case_id,
            occurred_at=now,
            kind=EventKind.EVIDENCE_ADDED.value,
            summary=f"Evidence added: {upload.filename}"[:SUMMARY_LENGTH],
            detail=upload.description,
            version=1,
            evidence_id=item.id,
            incident_id=upload.incident_id,
            recorded_by_id=session.actor.user_id,
            recorded_at=now,
        )
        db.add(event)
        db.flush()
        event.root_id = event.id
        audit.record(
            db,
            session.actor,
            "evidence.added",
            case_id=case_id,
            detail={
                "evidence_id": item.id,
                "event_id": event.id,
                "media_type": item.media_type,
                "size": item.size,
                "sha256": item.sha256,
            },
        )
        return EvidenceRow(
            item.id,
            case_id,
            item.incident_id,
            item.filename,
            item.media_type,
            item.size,
            item.sha256,
            item.description,
            session.actor.full_name,
            now,
        )


def _prepare(
    session: UserSession, case_id: int, filename: str, description: str, incident_id: int | None
) -> tuple[str, str, int]:
    """Check everything that can be checked before the bytes are read: (name, text, limit)."""
    session.require(Operation.EDIT_CASES)
    name = clean_filename(filename)
    description = clean_block(
        description, field="description", label="The description", max_length=MAX_DESCRIPTION_LENGTH
    )
    with session.transaction() as db:
        scope.require_case(session, db, case_id, operation=Operation.EDIT_CASES)
        _check_incident(db, case_id, incident_id)
        return name, description, _limit_mb(db)


def add_evidence(
    session: UserSession,
    *,
    case_id: int,
    filename: str,
    content: bytes,
    media_type: str | None = None,
    description: str = "",
    incident_id: int | None = None,
) -> EvidenceRow:
    """Keep `content` as evidence on a case, under `filename` (its last part only).

    The type is proved from the first bytes where possible, else guessed from the name,
    unless `media_type` is given. Refuses an empty file and one over the trust's limit.
    """
    name, description, limit = _prepare(session, case_id, filename, description, incident_id)
    check_size(len(content), limit_mb=limit)
    media = (
        check_media_type(media_type) if media_type else media_type_for(name, content[:SNIFF_BYTES])
    )
    view = memoryview(content)
    digest = hashlib.sha256(content).hexdigest()
    pieces = (view[start : start + CHUNK] for start in range(0, len(view), CHUNK))
    upload = _Upload(name, media, description, incident_id, len(content), pieces, lambda: digest)
    return _store(session, case_id, upload)


def _pieces_of(
    handle: io.BufferedReader, size: int, digest: Any, report: Callable[[int], None]
) -> Iterator[memoryview]:
    """The file's bytes a chunk at a time (one buffer, reused), hashed on the way."""
    buffer = memoryview(bytearray(min(CHUNK, size)))
    done = 0
    while done < size:
        got = handle.readinto(buffer[: min(CHUNK, size - done)])
        if not got:
            break
        digest.update(buffer[:got])
        yield buffer[:got]
        done += got
        report(done)
    if done != size or handle.read(1):
        raise ValidationError(
            "The file changed while it was being read. Wait until it is saved, then add it again.",
            "file",
        )


def _open_to_add(path: Path) -> io.BufferedReader:
    """The chosen file, open to read; a folder, or a file gone since it was chosen, is
    refused in words."""
    if path.is_dir():
        raise ValidationError("That is a folder. Choose a file to add.", "file")
    try:
        return path.open("rb")
    except (FileNotFoundError, ValueError):  # ValueError: a NUL, or text that is not Unicode
        raise NotFound("That file is no longer there. Choose it again.") from None


def add_evidence_file(
    session: UserSession,
    *,
    case_id: int,
    path: Path,
    description: str = "",
    incident_id: int | None = None,
    progress: Progress | None = None,
) -> EvidenceRow:
    """Keep a file from disk as evidence, a chunk at a time, reporting progress.

    For large files (a recording of 200 MB): the size is checked before anything is read,
    then the file goes from disk into the row a megabyte at a time, hashed on the way, so
    the file is never held whole in Python (see `storage.blobs` for SQLite's share). The
    write lock is held while the file is read: from a local disk, a second or two.
    """
    name, description, limit = _prepare(session, case_id, path.name, description, incident_id)
    with _open_to_add(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        check_size(size, limit_mb=limit)
        media = media_type_for(name, handle.read(SNIFF_BYTES))
        handle.seek(0)
        digest = hashlib.sha256()
        text = f"Adding {name} to the encrypted case store"

        def report(done: int) -> None:
            if progress is not None:
                progress(done, size, text)

        report(0)  # SQLite first makes room for the file: a few seconds for a large one
        pieces = _pieces_of(handle, size, digest, report)
        upload = _Upload(name, media, description, incident_id, size, pieces, digest.hexdigest)
        return _store(session, case_id, upload)


# -- reading ------------------------------------------------------------------------------
def _rows(db: Session, where: ColumnElement[bool]) -> list[EvidenceRow]:
    query = (
        select(
            Evidence.id,
            Evidence.case_id,
            Evidence.incident_id,
            Evidence.filename,
            Evidence.media_type,
            Evidence.size,
            Evidence.sha256,
            Evidence.description,
            User.full_name,
            Evidence.added_at,
        )
        .outerjoin(User, User.id == Evidence.added_by_id)
        .where(where)
        .order_by(Evidence.added_at, Evidence.id)
    )
    return [EvidenceRow(*row[:8], row[8] or "", row[9]) for row in db.execute(query)]


def list_evidence(session: UserSession, *, case_id: int) -> list[EvidenceRow]:
    """A case's evidence files, oldest first, without their bytes."""
    with session.transaction() as db:
        scope.require_case(session, db, case_id)
        return _rows(db, Evidence.case_id == case_id)


def _require_evidence(
    session: UserSession, db: Session, evidence_id: int, operation: Operation
) -> EvidenceRow:
    """The file's details if its case is in reach; else the same refusal as a missing case."""
    session.require(operation)
    rows = _rows(db, Evidence.id == evidence_id)
    if not rows:
        raise NotFound(scope.CASE_NOT_FOUND)
    scope.require_case(session, db, rows[0].case_id, operation=operation)
    return rows[0]


def _content(db: Session, evidence_id: int) -> bytes:
    return db.scalar(select(Evidence.content).where(Evidence.id == evidence_id)) or b""


def get_evidence(session: UserSession, *, evidence_id: int) -> EvidenceRow:
    """One evidence file's details (not its bytes)."""
    with session.transaction() as db:
        return _require_evidence(session, db, evidence_id, Operation.VIEW_CASES)


def evidence_content(session: UserSession, *, evidence_id: int) -> bytes:
    """The file's bytes, for the in-app viewer; the viewing is recorded in the audit trail."""
    with session.transaction(write=True) as db:
        row = _require_evidence(session, db, evidence_id, Operation.VIEW_CASES)
        audit.record(
            db,
            session.actor,
            "evidence.viewed",
            case_id=row.case_id,
            detail={"evidence_id": row.id},
        )
        return _content(db, row.id)


def thumbnail_source(session: UserSession, *, evidence_id: int) -> bytes | None:
    """A picture's bytes, to draw its small preview in the evidence list; None for other
    files and for pictures too large to preview. Not audited as a viewing: the list shows
    what the case file holds, like the list of names; opening the file is audited."""
    with session.transaction() as db:
        row = _require_evidence(session, db, evidence_id, Operation.VIEW_CASES)
        if row.kind is not MediaKind.IMAGE or row.size > THUMBNAIL_MAX_BYTES:
            return None
        return _content(db, row.id)


def export_evidence(session: UserSession, *, evidence_id: int, to: Path) -> Path:
    """Save a plain copy of an evidence file at `to`, which the person chose; audited.

    The copy appears whole or not at all, and only with the audit entry saying so
    (`desktop.services.exports`).
    """
    session.require(Operation.VIEW_CASES)
    to = exports.check_target(to)
    with exports.exporting(to) as out:
        with session.transaction() as db:
            row = _require_evidence(session, db, evidence_id, Operation.VIEW_CASES)
            out.write(blobs.read_pieces(db, Evidence.content, row.id))
        with session.transaction(write=True) as db:
            row = _require_evidence(session, db, evidence_id, Operation.VIEW_CASES)
            audit.record(
                db,
                session.actor,
                "evidence.exported",
                case_id=row.case_id,
                detail={"evidence_id": row.id, "sha256": row.sha256},
            )
            out.place()
    return to
