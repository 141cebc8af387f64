"""Reading the audit trail: the viewer's pages, its filter choices, and an export for an
investigation.

For those who may check the trail (`Operation.VIEW_AUDIT`: trust leaders, the data
protection lead, auditors). Entries are filtered by account, case, action and UK day, and
read a page at a time, newest first: the database filters, counts and pages, so the trail
is never loaded whole. An export writes the filtered entries, oldest first, with their
seals, as CSV or JSON, together with the `audit.exported` entry that records the filter
(never the entries' contents). Checking the chain is `audit.verify_chain`, which takes a
progress callback.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from desktop.dates import UK, format_date, format_datetime, utc_now
from desktop.domain.cases import parse_reference
from desktop.domain.roles import Operation
from desktop.errors import ValidationError
from desktop.services import audit, exports
from desktop.services.session import UserSession
from desktop.storage.models import AuditEntry, Case

PAGE_SIZE = 200
MAX_PAGE = 1000
EXPORT_BATCH = 2000
EXPORT_FORMS = {".csv": "csv", ".json": "json"}
CSV_HEADER = ("Entry", "When (UK)", "User", "Action", "Case", "Detail", "Previous seal", "Seal")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to show: each part narrows; empty parts do not."""

    username: str = ""
    case_reference: str = ""
    action: str = ""
    start: dt.date | None = None  # first UK day, included
    end: dt.date | None = None  # last UK day, included

    def words(self) -> dict[str, str]:
        """The filter as the `audit.exported` entry records it: only the parts in use."""
        parts = {
            "user": self.username,
            "case": self.case_reference.strip().upper(),
            "action": self.action,
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
        }
        return {key: value for key, value in parts.items() if value}


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    username: str
    action: str
    case_id: int | None
    case_reference: str  # "" when the entry is about no case, or its case is gone
    detail: str  # canonical JSON, as sealed
    prev_hash: str
    entry_hash: str

    @property
    def detail_text(self) -> str:
        return readable_detail(self.detail)


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    total: int  # how many entries the filter matches
    offset: int

    @property
    def first(self) -> int:
        """The 1-based number of the page's first entry (0 when there are none)."""
        return self.offset + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.rows)


@dataclass(frozen=True)
class AuditChoices:
    """What the viewer's drop-down lists offer: each account and action the trail holds."""

    usernames: tuple[str, ...]
    actions: tuple[str, ...]


@dataclass(frozen=True)
class ExportedAudit:
    path: Path
    entries: int
    form: str  # "csv" or "json"


# -- reading --------------------------------------------------------------------------------
def filter_choices(session: UserSession) -> AuditChoices:
    """Every account name and action found in the trail, for the filters' lists."""
    session.require(Operation.VIEW_AUDIT)
    with session.transaction() as db:
        usernames = db.scalars(
            select(AuditEntry.username).distinct().order_by(func.lower(AuditEntry.username))
        ).all()
        actions = db.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
        return AuditChoices(tuple(usernames), tuple(actions.all()))


def list_entries(
    session: UserSession,
    *,
    filters: AuditFilter | None = None,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> AuditPage:
    """One page of the entries `filters` matches, newest first, with how many match."""
    session.require(Operation.VIEW_AUDIT)
    query = _filtered(filters or AuditFilter())
    offset, limit = max(0, offset), min(max(1, limit), MAX_PAGE)
    with session.transaction() as db:
        total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = db.execute(query.order_by(AuditEntry.id.desc()).offset(offset).limit(limit)).all()
        return AuditPage(tuple(_row(entry, ref) for entry, ref in rows), total, offset)


def _filtered(filters: AuditFilter) -> Select[AuditEntry, str]:
    """The entries matching `filters`, each with its case's reference; refuses a filter
    that cannot match anything sensible (a reference that is not one, dates reversed)."""
    query = select(AuditEntry, Case.reference).outerjoin(Case, Case.id == AuditEntry.case_id)
    if filters.username:
        query = query.where(AuditEntry.username == filters.username)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.case_reference.strip():
        parsed = parse_reference(filters.case_reference)
        if parsed is None:
            raise ValidationError("A case reference looks like CB-2026-0042.", "case")
        query = query.where(Case.ref_year == parsed[0], Case.ref_sequence == parsed[1])
    if filters.start and filters.end and filters.end < filters.start:
        raise ValidationError(
            f"The last day ({format_date(filters.end)}) is before the first "
            f"({format_date(filters.start)}). Choose a last day on or after the first.",
            "end",
        )
    if filters.start:
        query = query.where(AuditEntry.at >= _uk_midnight(filters.start))
    if filters.end:
        query = query.where(AuditEntry.at < _uk_midnight(filters.end + dt.timedelta(days=1)))
    return query


def _uk_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=UK).astimezone(dt.UTC)


def _row(entry: AuditEntry, reference: str | None) -> AuditRow:
    return AuditRow(
        id=entry.id,
        at=entry.at,
        username=entry.username,
        action=entry.action,
        case_id=entry.case_id,
        case_reference=reference or "",
        detail=entry.detail,
        prev_hash=entry.prev_hash,
        entry_hash=entry.entry_hash,
    )


def readable_detail(detail: str) -> str:
    """An entry's detail as lines a person reads (`schools: Ash Primary, Birch Academy`);
    the stored text itself when it is not JSON."""
    try:
        value = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(value, dict):
        return _plain(value)
    if not value:
        return "(no detail)"
    return "\n".join(_lines(value, 0))


def _lines(value: dict[str, Any], depth: int) -> Iterator[str]:
    indent = "  " * depth
    for key, item in value.items():
        label = str(key).replace("_", " ")
        if isinstance(item, dict) and item:
            yield f"{indent}{label}:"
            yield from _lines(item, depth + 1)
        else:
            yield f"{indent}{label}: {_plain(item)}"


def _plain(value: Any) -> str:
    if value is None:
        return "none"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value) or "none"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) or "none"
    return str(value)


# -- exporting ------------------------------------------------------------------------------
def export_entries(
    session: UserSession, *, to: Path, filters: AuditFilter | None = None
) -> ExportedAudit:
    """Write the entries `filters` matches, oldest first with their seals, to `to` (a `.csv`
    or `.json` file) for an investigation; the file is placed only together with the
    `audit.exported` entry that records the filter, the count and the file's digest."""
    session.require(Operation.VIEW_AUDIT)
    filters = filters or AuditFilter()
    target = exports.check_target(Path(to))
    form = EXPORT_FORMS.get(target.suffix.lower())
    if form is None:
        raise ValidationError("Save the export as a .csv or a .json file.", "to")
    query = _filtered(filters)
    with exports.exporting(target) as out, session.transaction(write=True) as db:
        digest = hashlib.sha256()
        counted = [0]
        pieces = _csv_pieces if form == "csv" else _json_pieces
        out.write(_digested(pieces(db, query, filters, counted), digest))
        audit.record(
            db,
            session.actor,
            "audit.exported",
            detail={
                "form": form,
                "filter": filters.words(),
                "entries": counted[0],
                "sha256": digest.hexdigest(),
            },
        )
        out.place()
    return ExportedAudit(target, counted[0], form)


def _digested(pieces: Iterator[bytes], digest: Any) -> Iterator[bytes]:
    for piece in pieces:
        digest.update(piece)
        yield piece


def _batches(db: Session, query: Select[AuditEntry, str], counted: list[int]) -> Iterator[AuditRow]:
    """The matching entries, oldest first, read a batch at a time."""
    after = 0
    while True:
        rows = db.execute(
            query.where(AuditEntry.id > after).order_by(AuditEntry.id).limit(EXPORT_BATCH)
        ).all()
        if not rows:
            return
        for entry, reference in rows:
            counted[0] += 1
            yield _row(entry, reference)
        after = rows[-1][0].id


def _cell(text: str) -> str:
    """A cell a spreadsheet shows as text: a value typed as `=...` is not run as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_pieces(
    db: Session, query: Select[AuditEntry, str], filters: AuditFilter, counted: list[int]
) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so a spreadsheet reads names correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    yield out.getvalue().encode("utf-8-sig")
    for row in _batches(db, query, counted):
        out.seek(0)
        out.truncate()
        writer.writerow(
            [
                row.id,
                format_datetime(row.at),
                _cell(row.username),
                _cell(row.action),
                row.case_reference,
                _cell(row.detail),
                row.prev_hash,
                row.entry_hash,
            ]
        )
        yield out.getvalue().encode("utf-8")


def _parsed(detail: str) -> Any:
    """The detail as JSON, or as the stored text when it is not JSON (a changed entry)."""
    try:
        return json.loads(detail)
    except ValueError:
        return detail


def _json_pieces(
    db: Session, query: Select[AuditEntry, str], filters: AuditFilter, counted: list[int]
) -> Iterator[bytes]:
    stamp = json.dumps(utc_now().isoformat(timespec="seconds"))
    chosen = json.dumps(filters.words(), ensure_ascii=False)
    yield f'{{\n "exported_at": {stamp},\n "filter": {chosen},\n "entries": ['.encode()
    for number, row in enumerate(_batches(db, query, counted)):
        item = {
            "id": row.id,
            "at": row.at.isoformat(timespec="microseconds"),
            "username": row.username,
            "action": row.action,
            "case_id": row.case_id,
            "case": row.case_reference or None,
            "detail": _parsed(row.detail),
            "prev_hash": row.prev_hash,
            "entry_hash": row.entry_hash,
        }
        separator = "," if number else ""
        yield f"{separator}\n  {json.dumps(item, ensure_ascii=False)}".encode()
    yield b"\n ]\n}\n"
