"""Evidence, tasks and edited chronology entries for the sample trust's case files.

So that every tab of the case window has something real to show: some cases get an
invented email (text), a screenshot of a post (a small PNG) and a letter (PDF) as
evidence; open cases get follow-up tasks, some of them overdue; and some chronology
entries were corrected after they were written, so their earlier version shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import struct
import zlib

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from desktop.dates import utc_now
from desktop.domain.cases import CaseStatus
from desktop.domain.chronology import EventKind
from desktop.domain.roles import Role
from desktop.services import audit
from desktop.services.session import UserSession
from desktop.storage import models as m

EVIDENCE_SHARE = 0.15
TASK_SHARE = 0.4
EDIT_SHARE = 0.1
TASKS = (
    "Telephone the parent to arrange a meeting",
    "Write up notes of the meeting",
    "Ask the class teacher for a written account",
    "Check the CCTV log for the morning of the incident",
    "Send the outcome letter",
)
EDIT_REASONS = (
    "Corrected the time after checking the signing-in book.",
    "Added the name of the member of staff present, as confirmed by the headteacher.",
    "Spelling of the parent's name corrected.",
)
EMAIL = (
    "From: a parent\nTo: office@school.example.org\nSubject: My child\n\n"
    "This is an invented email for Casebook's sample trust. It stands for the kind of "
    "message a school receives: angry, insulting the staff, and demanding a reply today.\n"
)


def add_case_files(session: UserSession, rng: random.Random, today: dt.date) -> None:
    """Add evidence, tasks and corrected entries to a share of the sample's cases.

    Rows are inserted in bulk with their ids chosen here, as the case builder does, so a
    10,000-case sample stays quick to make.
    """
    pictures = [_png(rng) for _ in range(4)]
    me = session.actor.user_id
    with session.transaction(write=True) as db:
        cases = db.execute(
            select(m.Case.id, m.Case.status, m.Case.opened_on).order_by(m.Case.id)
        ).all()
        owners = list(
            db.scalars(
                select(m.User.id).where(
                    m.User.role.in_([Role.BUSINESS_MANAGER.value, Role.HEADTEACHER.value])
                )
            )
        )
        next_evidence = (db.scalar(select(func.max(m.Evidence.id))) or 0) + 1
        next_event = (db.scalar(select(func.max(m.CaseEvent.id))) or 0) + 1
        evidence_rows: list[dict[str, object]] = []
        event_rows: list[dict[str, object]] = []
        task_rows: list[dict[str, object]] = []
        writer = audit.writer_for(db)
        for case_id, status, opened_on in cases:
            if rng.random() < EVIDENCE_SHARE:
                day = max(
                    opened_on, min(opened_on + dt.timedelta(days=1), today - dt.timedelta(days=1))
                )
                added_at = dt.datetime.combine(day, dt.time(10, 30), tzinfo=dt.UTC)
                files = [("email from parent.txt", "text/plain", EMAIL.encode("utf-8"))]
                if rng.random() < 0.7:
                    files.append(("screenshot of post.png", "image/png", rng.choice(pictures)))
                for name, media_type, content in files:
                    evidence_rows.append(
                        {
                            "id": next_evidence,
                            "case_id": case_id,
                            "filename": name,
                            "media_type": media_type,
                            "size": len(content),
                            "sha256": hashlib.sha256(content).hexdigest(),
                            "content": content,
                            "description": "Invented sample evidence",
                            "added_by_id": me,
                            "added_at": added_at,
                        }
                    )
                    event_rows.append(
                        {
                            "id": next_event,
                            "root_id": next_event,
                            "case_id": case_id,
                            "occurred_at": added_at,
                            "kind": EventKind.EVIDENCE_ADDED.value,
                            "summary": f"Evidence added: {name}",
                            "detail": "",
                            "evidence_id": next_evidence,
                            "version": 1,
                            "recorded_by_id": me,
                            "recorded_at": added_at,
                        }
                    )
                    writer.add(
                        session.actor,
                        "evidence.added",
                        case_id=case_id,
                        detail={"evidence_id": next_evidence, "sample": True},
                    )
                    next_evidence, next_event = next_evidence + 1, next_event + 1
            if status == CaseStatus.OPEN.value and owners and rng.random() < TASK_SHARE:
                for title in rng.sample(TASKS, rng.randint(1, 3)):
                    due = today + dt.timedelta(days=rng.randint(-10, 21))
                    task_rows.append(
                        {
                            "case_id": case_id,
                            "title": title,
                            "notes": "",
                            "due_on": max(due, opened_on),
                            "owner_id": rng.choice(owners),
                            "done_on": today if rng.random() < 0.25 else None,
                            "created_by_id": me,
                            "created_at": utc_now(),
                        }
                    )
        for table, rows in ((m.Evidence, evidence_rows), (m.CaseTask, task_rows)):
            if rows:
                db.execute(insert(table), rows)
        event_rows += _corrections(db, session, rng, next_event)
        if event_rows:
            db.execute(insert(m.CaseEvent), event_rows)


def _corrections(
    db: Session, session: UserSession, rng: random.Random, next_id: int
) -> list[dict[str, object]]:
    """A later version of some incident entries, the first kept, as the chronology's edits
    are: the same root, the next version, what it replaces and why."""
    events = db.execute(
        select(
            m.CaseEvent.id,
            m.CaseEvent.root_id,
            m.CaseEvent.case_id,
            m.CaseEvent.occurred_at,
            m.CaseEvent.kind,
            m.CaseEvent.summary,
            m.CaseEvent.detail,
            m.CaseEvent.recorded_at,
        )
        .where(m.CaseEvent.kind == EventKind.INCIDENT.value)
        .order_by(m.CaseEvent.id)
    ).all()
    rows: list[dict[str, object]] = []
    writer = audit.writer_for(db)
    for event in events:
        if rng.random() >= EDIT_SHARE:
            continue
        rows.append(
            {
                "id": next_id,
                "root_id": event.root_id or event.id,
                "case_id": event.case_id,
                "occurred_at": event.occurred_at + dt.timedelta(minutes=rng.choice((-15, 10, 20))),
                "kind": event.kind,
                "summary": event.summary,
                "detail": (event.detail + "\n" if event.detail else "") + "(Time corrected.)",
                "supersedes_id": event.id,
                "version": 2,
                "edit_reason": rng.choice(EDIT_REASONS),
                "recorded_by_id": session.actor.user_id,
                "recorded_at": event.recorded_at + dt.timedelta(days=1),
            }
        )
        writer.add(
            session.actor,
            "chronology.edited",
            case_id=event.case_id,
            detail={"event_id": event.id, "sample": True},
        )
        next_id += 1
    return rows


def _png(rng: random.Random) -> bytes:
    """A small picture standing for a screenshot: coloured bands, like a post's layout."""
    width, height = 240, 160
    colours = [(rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200)) for _ in range(4)]
    rows = []
    for y in range(height):
        band = colours[min(3, y * 4 // height)]
        line = bytes(band) * width if y % 40 > 20 else bytes((240, 240, 240)) * width
        rows.append(b"\x00" + line)
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
