"""The audit trail: append-only and hash-chained, so an edited or deleted entry shows.

Each entry's hash covers its own fields and the previous entry's hash. Entry numbers run
without gaps from 1, so removing a row from the middle breaks the chain as surely as
editing one. SQLite triggers refuse UPDATE and DELETE as a second line of defence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.dates import utc_now
from desktop.domain.roles import Operation
from desktop.services.session import Actor, UserSession
from desktop.storage.models import AuditEntry, StoreMeta

GENESIS = "0" * 64
HEAD_KEY = "audit_head"
BATCH = 2000


def _digest(entry: AuditEntry) -> str:
    """The entry's hash over its fields and its predecessor's hash (not its own)."""
    canonical = json.dumps(
        [
            entry.id,
            entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            entry.user_id,
            entry.username,
            entry.action,
            entry.case_id,
            entry.detail,
            entry.prev_hash,
        ],
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


class AuditWriter:
    """Appends entries within one transaction, continuing the chain from its head."""

    def __init__(self, db: Session) -> None:
        self.db = db
        # The head is also kept apart from the chain, so losing the newest entries shows too.
        # It is read first and FOR UPDATE: on a server database that row lock makes each
        # writer wait for the one before it to commit, so two cannot both take the same
        # next id. SQLite has no row locks (the clause is left out); there the caller's
        # write transaction (`session.transaction(write=True)`) already holds the store's
        # write lock. Either way the id is the primary key, so a clash cannot be stored.
        self.head = db.get(StoreMeta, HEAD_KEY, with_for_update=True) or StoreMeta(
            key=HEAD_KEY, value=""
        )
        db.add(self.head)
        last = db.execute(
            select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
        ).first()
        self.next_id = (last.id + 1) if last else 1
        self.prev_hash = last.entry_hash if last else GENESIS

    def add(
        self,
        actor: Actor | None,
        action: str,
        *,
        case_id: int | None = None,
        detail: dict[str, Any] | None = None,
        at: dt.datetime | None = None,
    ) -> AuditEntry:
        at = at or utc_now()
        text = json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        entry = AuditEntry(
            id=self.next_id,
            at=at,
            user_id=actor.user_id if actor else None,
            username=actor.username if actor else "system",
            action=action,
            case_id=case_id,
            detail=text,
            prev_hash=self.prev_hash,
        )
        entry_hash = entry.entry_hash = _digest(entry)
        self.db.add(entry)
        self.next_id += 1
        self.prev_hash = entry_hash
        self.head.value = f"{entry.id}:{entry_hash}"
        return entry


def record(
    db: Session,
    actor: Actor | None,
    action: str,
    *,
    case_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry inside the caller's transaction, which should be a write transaction
    (`session.transaction(write=True)` or `storage.engine.writing`)."""
    return writer_for(db).add(actor, action, case_id=case_id, detail=detail)


def writer_for(db: Session) -> AuditWriter:
    """The transaction's writer: the chain head is read once per transaction."""
    writer = db.info.get("audit_writer")
    if writer is None:
        writer = db.info["audit_writer"] = AuditWriter(db)
    return writer


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify_chain(session: UserSession) -> ChainReport:
    """Walk the whole trail in order and report the first entry that does not fit.

    The walk reads one snapshot without the write lock, since over years of entries it can
    take long enough to make everyone else's writes wait; the check is then recorded in a
    short write transaction of its own, with the number of entries it covered.
    """
    session.require(Operation.VIEW_AUDIT)
    with session.transaction() as db:
        report = _walk(db)
    with session.transaction(write=True) as db:
        record(
            db,
            session.actor,
            "audit.verified",
            detail={"intact": report.intact, "entries": report.entries},
        )
    return report


def _walk(db: Session) -> ChainReport:
    expected_id, prev_hash, last_id, count = 1, GENESIS, 0, 0
    while True:
        rows = db.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(BATCH)
        ).all()
        if not rows:
            return _check_head(db, count, last_id, prev_hash)
        for row in rows:
            if row.id != expected_id:
                return ChainReport(count, expected_id, "an entry is missing")
            if row.prev_hash != prev_hash:
                return ChainReport(count, row.id, "it does not follow the entry before it")
            if _digest(row) != row.entry_hash:
                return ChainReport(count, row.id, "its contents were changed after it was written")
            prev_hash, expected_id, last_id, count = row.entry_hash, row.id + 1, row.id, count + 1


def _check_head(db: Session, count: int, last_id: int, last_hash: str) -> ChainReport:
    head = db.get(StoreMeta, HEAD_KEY)
    if head is None or not head.value:
        if count:
            return ChainReport(count, last_id, "the record of the newest entry is missing")
        return ChainReport(entries=0)
    head_id, _, head_hash = head.value.partition(":")
    if int(head_id) != last_id or head_hash != last_hash:
        return ChainReport(count, last_id + 1, "newer entries have been removed")
    return ChainReport(entries=count)
