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

from sqlalchemy import select
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
    """Add evidence, tasks and corrected entries to a share of the sample's cases."""
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
        writer = audit.writer_for(db)
        for case_id, status, opened_on in cases:
            if rng.random() < EVIDENCE_SHARE:
                day = max(
                    opened_on, min(opened_on + dt.timedelta(days=1), today - dt.timedelta(days=1))
                )
                added_at = dt.datetime.combine(day, dt.time(10, 30), tzinfo=dt.UTC)
                for evidence in _evidence(case_id, rng, added_at):
                    evidence.added_by_id = session.actor.user_id
                    db.add(evidence)
                    db.flush()
                    _event(db, evidence, session.actor.user_id)
                    writer.add(
                        session.actor,
                        "evidence.added",
                        case_id=case_id,
                        detail={"evidence_id": evidence.id, "sample": True},
                    )
            if status == CaseStatus.OPEN.value and owners and rng.random() < TASK_SHARE:
                for title in rng.sample(TASKS, rng.randint(1, 3)):
                    due = today + dt.timedelta(days=rng.randint(-10, 21))
                    db.add(
                        m.CaseTask(
                            case_id=case_id,
                            title=title,
                            due_on=max(due, opened_on),
                            owner_id=rng.choice(owners),
                            done_on=today if rng.random() < 0.25 else None,
                            created_by_id=session.actor.user_id,
                            created_at=utc_now(),
                        )
                    )
        _edit_some_entries(db, session, rng)


def _evidence(case_id: int, rng: random.Random, added_at: dt.datetime) -> list[m.Evidence]:
    files = [("email from parent.txt", "text/plain", EMAIL.encode("utf-8"))]
    if rng.random() < 0.7:
        files.append(("screenshot of post.png", "image/png", _png(rng)))
    return [
        m.Evidence(
            case_id=case_id,
            filename=name,
            media_type=media_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            description="Invented sample evidence",
            added_at=added_at,
        )
        for name, media_type, content in files
    ]


def _event(db: Session, evidence: m.Evidence, user_id: int) -> None:
    event = m.CaseEvent(
        case_id=evidence.case_id,
        occurred_at=evidence.added_at,
        kind=EventKind.EVIDENCE_ADDED.value,
        summary=f"Evidence added: {evidence.filename}",
        evidence_id=evidence.id,
        version=1,
        recorded_by_id=user_id,
        recorded_at=evidence.added_at,
    )
    db.add(event)
    db.flush()
    event.root_id = event.id


def _edit_some_entries(db: Session, session: UserSession, rng: random.Random) -> None:
    """A later version of some entries, the first kept, as the chronology's edits are."""
    events = db.scalars(
        select(m.CaseEvent)
        .where(m.CaseEvent.kind == EventKind.INCIDENT.value)
        .order_by(m.CaseEvent.id)
    ).all()
    for event in events:
        if rng.random() >= EDIT_SHARE:
            continue
        reason = rng.choice(EDIT_REASONS)
        db.add(
            m.CaseEvent(
                case_id=event.case_id,
                occurred_at=event.occurred_at + dt.timedelta(minutes=rng.choice((-15, 10, 20))),
                kind=event.kind,
                summary=event.summary,
                detail=(event.detail + "\n" if event.detail else "") + "(Time corrected.)",
                supersedes_id=event.id,
                root_id=event.root_id or event.id,
                version=2,
                edit_reason=reason,
                incident_id=event.incident_id,
                recorded_by_id=session.actor.user_id,
                recorded_at=event.recorded_at + dt.timedelta(days=1),
            )
        )
        audit.writer_for(db).add(
            session.actor,
            "chronology.edited",
            case_id=event.case_id,
            detail={"event_id": event.id, "sample": True},
        )


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
