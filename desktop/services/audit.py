"""The audit trail: append-only, chained and sealed, so a changed, cut or forged entry shows.

Each entry carries a seal: an HMAC-SHA256 over its fields and its predecessor's seal, keyed
with the acting account's audit signing key. Every account's slot holds its own signing
key; only those who may check the trail (and the recovery key) hold the trust's audit key
from which every signing key derives. So the database key alone cannot rewrite the
trail, and a front-desk or business-manager account can seal nothing in another's name.

Entry numbers run without gaps from 1. The newest entry's (id, seal) is kept twice more:
in the database (`StoreMeta`) and in the key file, outside it. A writer that finds the
trail shorter than either record writes an `audit.break_found` entry before anything
else, so a cut is never covered over by the next sign-in; `verify_chain` reports every
such entry, every time. SQLite triggers refuse UPDATE and DELETE as a further defence,
and their absence is reported too. `docs/security.md` sets out what this does and does
not protect against.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from desktop.dates import utc_now
from desktop.domain.roles import Operation
from desktop.errors import NotPermitted
from desktop.services.session import AUDIT_KEYS_INFO, STORE_INFO, Actor, UserSession
from desktop.services.store import signer_id_for
from desktop.storage.models import AuditEntry, StoreMeta, User
from desktop.storage.store import AUDIT_HEAD_INFO, AuditKeys, Store, signer_key

GENESIS = "0" * 64
HEAD_KEY = "audit_head"
BATCH = 2000
BREAK_ACTION = "audit.break_found"
# The append-only guards made by the first migration; verify reports any that are gone.
GUARD_TRIGGERS = {
    "audit_entries_no_update": "BEFORE UPDATE ON audit_entries",
    "audit_entries_no_delete": "BEFORE DELETE ON audit_entries",
}


def _canonical(entry: AuditEntry) -> bytes:
    return json.dumps(
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
    ).encode("ascii")


def seal(entry: AuditEntry, key: bytes) -> str:
    """The entry's seal over its fields and its predecessor's seal (not its own)."""
    return hmac.new(key, _canonical(entry), hashlib.sha256).hexdigest()


def _sealing_key(keys: AuditKeys, user_id: int | None) -> bytes:
    """The key for an entry in `user_id`'s name: one's own, or any, given the audit key."""
    wanted = signer_id_for(user_id)
    if keys.audit is not None:
        return signer_key(keys.audit, wanted)
    if keys.signer is not None and keys.signer_id == wanted:
        return keys.signer
    raise NotPermitted("This account cannot write audit entries in another account's name.")


class AuditWriter:
    """Appends entries within one write transaction, continuing the chain from its head."""

    def __init__(self, db: Session) -> None:
        self.db = db
        keys = db.info.get(AUDIT_KEYS_INFO)
        if not isinstance(keys, AuditKeys):
            raise RuntimeError("audit entries are written inside a session's transaction")
        self.keys = keys
        # The head is read FOR UPDATE: on a server database that row lock makes each writer
        # wait for the one before it. SQLite has no row locks (the clause is left out); there
        # the write transaction already holds the store's write lock. Either way the id is
        # the primary key, so a clash cannot be stored.
        self.head = db.get(StoreMeta, HEAD_KEY, with_for_update=True) or StoreMeta(
            key=HEAD_KEY, value=""
        )
        db.add(self.head)
        last = db.execute(
            select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
        ).first()
        self.next_id = (last.id + 1) if last else 1
        self.prev_hash = last.entry_hash if last else GENESIS
        self._problems = tail_problems(db, (last.id, last.entry_hash) if last else None)

    def add(
        self,
        actor: Actor | None,
        action: str,
        *,
        case_id: int | None = None,
        detail: dict[str, Any] | None = None,
        at: dt.datetime | None = None,
    ) -> AuditEntry:
        if self._problems:
            problems, self._problems = self._problems, []
            self.add(actor, BREAK_ACTION, detail={"found": [text for _, text in problems]})
        at = at or utc_now()
        body = json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        user_id = actor.user_id if actor else None
        entry = AuditEntry(
            id=self.next_id,
            at=at,
            user_id=user_id,
            username=actor.username if actor else "system",
            action=action,
            case_id=case_id,
            detail=body,
            prev_hash=self.prev_hash,
        )
        entry_hash = entry.entry_hash = seal(entry, _sealing_key(self.keys, user_id))
        self.db.add(entry)
        self.next_id += 1
        self.prev_hash = entry_hash
        self.head.value = f"{entry.id}:{entry_hash}"
        self.db.info[AUDIT_HEAD_INFO] = (entry.id, entry_hash)
        return entry


def tail_problems(db: Session, last: tuple[int, str] | None) -> list[tuple[int | None, str]]:
    """How the newest entry disagrees with the two records of it, as (entry id, what):
    empty when it agrees.

    The key file's record may lag by a transaction after a crash, so it is checked by
    finding its entry; the database's record is written with the entries and must match.
    """
    problems: list[tuple[int | None, str]] = []
    last_id, last_hash = last if last else (0, GENESIS)
    head = db.get(StoreMeta, HEAD_KEY)
    changed = "the database's record of the newest entry was changed"
    if head is not None and head.value:
        head_id, _, head_hash = head.value.partition(":")
        if not head_id.isdigit():
            problems.append((None, changed))
        elif int(head_id) > last_id:
            problems.append((last_id + 1, f"entries {last_id + 1} to {head_id} were removed"))
        elif (int(head_id), head_hash) != (last_id, last_hash):
            problems.append((int(head_id), changed))
    elif last is not None:
        problems.append((None, "the database's record of the newest entry was removed"))
    anchor = _anchor(db)
    if anchor is not None:
        anchor_id, anchor_hash = anchor
        if anchor_id > last_id:
            removed = f"entries {last_id + 1} to {anchor_id} were removed"
            if (last_id + 1, removed) not in problems:
                problems.append((last_id + 1, removed))
        else:
            found = db.scalar(select(AuditEntry.entry_hash).where(AuditEntry.id == anchor_id))
            if found != anchor_hash:
                problems.append(
                    (anchor_id, f"entry {anchor_id} is not the one the key file recorded")
                )
    return problems


def _anchor(db: Session) -> tuple[int, str] | None:
    store = db.info.get(STORE_INFO)
    return store.audit_anchor(db) if isinstance(store, Store) else None


def record(
    db: Session,
    actor: Actor | None,
    action: str,
    *,
    case_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry inside the caller's write transaction (`session.transaction(write=True)`)."""
    return writer_for(db).add(actor, action, case_id=case_id, detail=detail)


def writer_for(db: Session) -> AuditWriter:
    """The transaction's writer: the chain head is read once per transaction."""
    writer = db.info.get("audit_writer")
    if writer is None:
        writer = db.info["audit_writer"] = AuditWriter(db)
    return writer


# -- checking the whole trail ---------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    entry_id: int | None
    text: str


@dataclass(frozen=True)
class ChainReport:
    entries: int
    findings: tuple[Finding, ...] = ()

    @property
    def intact(self) -> bool:
        return not self.findings

    @property
    def broken_at(self) -> int | None:
        return self.findings[0].entry_id if self.findings else None

    @property
    def reason(self) -> str:
        return self.findings[0].text if self.findings else ""


def verify_chain(
    session: UserSession, *, progress: Callable[[int, int], None] | None = None
) -> ChainReport:
    """Check every entry's seal and link, both records of the newest entry, the guards,
    the key file's own tags and every break a writer recorded; then record the check.

    All of it runs under the write lock, so nothing changes between the walk and the
    comparison with the key file; the result is recorded only after the check is made.
    `progress(done, total)` hears how many entries have been checked, batch by batch (a
    window shows it; an exception it raises abandons the check, recording nothing).
    """
    session.require(Operation.VIEW_AUDIT)
    keys = session.store.audit_keys
    if keys.audit is None:
        raise NotPermitted("This account's key does not include the audit key.")
    with session.transaction(write=True) as db:
        findings, count, last = _walk(db, keys.audit, progress)
        findings += [Finding(entry_id, what) for entry_id, what in tail_problems(db, last)]
        findings += _guard_findings(db) + _ways_in_findings(session, db)
        report = ChainReport(count, tuple(findings))
        record(
            db,
            session.actor,
            "audit.verified",
            detail={"intact": report.intact, "entries": count, "findings": len(findings)},
        )
    return report


def _walk(
    db: Session, audit_key: bytes, progress: Callable[[int, int], None] | None = None
) -> tuple[list[Finding], int, tuple[int, str] | None]:
    findings: list[Finding] = []
    keys: dict[int | None, bytes] = {}
    expected_id, prev_hash, count = 1, GENESIS, 0
    last: tuple[int, str] | None = None
    total = 0
    if progress is not None:
        total = db.scalar(select(func.count()).select_from(AuditEntry)) or 0
        progress(0, total)
    while True:
        rows = db.scalars(
            select(AuditEntry)
            .where(AuditEntry.id >= expected_id)
            .order_by(AuditEntry.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return findings, count, last
        for row in rows:
            if row.id != expected_id:
                findings.append(
                    Finding(expected_id, f"entries {expected_id} to {row.id - 1} are missing")
                )
            elif row.prev_hash != prev_hash:
                findings.append(Finding(row.id, "it does not follow the entry before it"))
            key = keys.get(row.user_id) or keys.setdefault(
                row.user_id, signer_key(audit_key, signer_id_for(row.user_id))
            )
            if not hmac.compare_digest(seal(row, key), row.entry_hash):
                findings.append(
                    Finding(row.id, "its contents were changed, or it was not written by Casebook")
                )
            if row.action == BREAK_ACTION:
                found = "; ".join(json.loads(row.detail).get("found", []))
                findings.append(
                    Finding(row.id, f"on {row.at:%d/%m/%Y %H:%M} {row.username} found that {found}")
                )
            prev_hash, expected_id, count = row.entry_hash, row.id + 1, count + 1
            last = (row.id, row.entry_hash)
        if progress is not None:
            progress(count, max(total, count))
        if len(findings) > 50:
            findings.append(Finding(None, "more problems follow; the first fifty are listed"))
            return findings, count, last


def _guard_findings(db: Session) -> list[Finding]:
    rows = db.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
        {"t": AuditEntry.__tablename__},
    ).all()
    present = {name: " ".join((sql or "").split()) for name, sql in rows}
    findings = []
    for name, clause in GUARD_TRIGGERS.items():
        if name not in present or not re.search(re.escape(clause), present[name], re.I):
            findings.append(
                Finding(None, f"the guard {name} that keeps entries unchangeable was removed")
            )
    return findings


def _ways_in_findings(session: UserSession, db: Session) -> list[Finding]:
    integrity = session.store.check_ways_in(db)
    words = describe_ways_in(db, session.store.slot_names(), integrity.bad_slots)
    findings = [Finding(None, f"the key file's {w} was changed outside Casebook") for w in words]
    if not integrity.header_ok:
        findings.append(
            Finding(None, "the key file's list of ways in was changed outside Casebook")
        )
    return findings


def describe_ways_in(db: Session, names: dict[str, str], slot_ids: tuple[str, ...]) -> list[str]:
    """People's words for slots: "password of jsmith", "recovery key", "remembered device
    of jsmith"."""
    users = {uid: name for uid, name in db.execute(select(User.id, User.username))}

    def account(signer: str) -> str:
        number = signer.removeprefix("user:")
        return users.get(int(number), signer) if number.isdigit() else signer

    words = []
    for slot_id in slot_ids:
        name = names.get(slot_id, "")
        if name == "recovery":
            words.append("recovery key")
        elif name.startswith("device of "):
            words.append(f"remembered device of {account(name.removeprefix('device of '))}")
        elif name:
            words.append(f"password of {account(name)}")
        else:
            words.append("a way in it no longer lists")
    return words
