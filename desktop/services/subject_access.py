"""Subject access requests: record one, extend it, review what is held, redact, and send.

For the data protection lead alone (`Operation.SUBJECT_ACCESS`). A request is due a
calendar month after it arrived and may be extended by up to two months before that first
deadline (`desktop.domain.subject_access`); both dates are in the calendar.

The review gathers everything held about the person (`subject_access_records`) and flags
each passage naming someone else: a member of staff, another parent, a pupil. The lead
ticks which to hide; each is kept as a `SubjectAccessRedaction`, audited. The bundle is a
readable PDF, the same records as JSON, and the letters and evidence files, in a zip
encrypted with AES-256 under a password made for it and returned once: never stored, never
logged. A file that still names someone hidden is left out, and the bundle says so. The
zip appears only together with its entry in the disclosure log and the audit trail.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.dates import uk_today, utc_now
from desktop.domain import subject_access as rules
from desktop.domain.disclosures import LegalBasis
from desktop.domain.roles import Operation
from desktop.domain.subject_access import WITHHELD_FILE, Flag, NameFinder, Party
from desktop.domain.text import clean_block, clean_line
from desktop.errors import NotFound, ValidationError
from desktop.services import audit, exports
from desktop.services.disclosures import DisclosureDraft, add_disclosure
from desktop.services.session import UserSession
from desktop.services.subject_access_files import (
    chunks,
    json_bytes,
    new_password,
    redacted_records,
    write_zip,
)
from desktop.services.subject_access_records import (
    FileKind,
    Gathered,
    HeldFile,
    Record,
    gather,
)
from desktop.storage import blobs
from desktop.storage.models import (
    Evidence,
    IssuedLetter,
    Person,
    SubjectAccessRedaction,
    SubjectAccessRequest,
)

NOT_FOUND = "That subject access request is no longer in the store."


@dataclass(frozen=True)
class RequestRow:
    id: int
    person_id: int | None
    requester_name: str
    received_on: dt.date
    due_on: dt.date
    extended_to: dt.date | None
    extension_reason: str
    status: rules.RequestStatus
    completed_on: dt.date | None
    notes: str
    redactions: int

    @property
    def deadline(self) -> dt.date:
        return rules.deadline(self.due_on, self.extended_to)

    @property
    def reference(self) -> str:
        from desktop.domain.due import subject_access_reference

        return subject_access_reference(self.id)

    def state_words(self, today: dt.date) -> str:
        return rules.deadline_words(self.due_on, self.extended_to, self.completed_on, today)

    def may_extend(self, today: dt.date) -> bool:
        return self.completed_on is None and today <= self.due_on


@dataclass(frozen=True)
class Passage:
    """Words to hide in one field of one record (or a whole file: `WITHHELD_FILE`)."""

    item: str
    text: str
    party: Party


@dataclass(frozen=True)
class RedactionRow:
    id: int
    item: str
    text: str
    party: Party
    applied_at: dt.datetime


@dataclass(frozen=True)
class Review:
    """What the bundle would hold, as stored, with the passages flagged and those hidden."""

    request: RequestRow
    person_name: str
    records: tuple[Record, ...]
    files: tuple[HeldFile, ...]
    flags: tuple[Flag, ...]
    redactions: tuple[RedactionRow, ...]

    @property
    def nothing_held(self) -> bool:
        return not self.records

    def place(self, item: str) -> str:
        """Where a flagged passage is, in words: the record's title and the field's label
        ("Incident on 14/10/2026: Description"), or the file's name in the bundle."""
        for record in self.records:
            for part in record.fields:
                if part.item == item:
                    return f"{record.title}: {part.label}"
        for held in self.files:
            if item.startswith(held.record_key):
                return held.name_in_zip
        return item


@dataclass(frozen=True)
class ExportedBundle:
    path: Path
    password: str  # shown once to the person exporting; Casebook keeps no copy
    records: int
    files: int
    withheld: tuple[str, ...]  # the files left out, as the bundle names them
    disclosure_id: int


# -- requests -----------------------------------------------------------------------------
def _row(db: Session, request: SubjectAccessRequest) -> RequestRow:
    count = len(
        db.scalars(
            select(SubjectAccessRedaction.id).where(SubjectAccessRedaction.request_id == request.id)
        ).all()
    )
    return RequestRow(
        id=request.id,
        person_id=request.person_id,
        requester_name=request.requester_name,
        received_on=request.received_on,
        due_on=request.due_on,
        extended_to=request.extended_to,
        extension_reason=request.extension_reason,
        status=rules.RequestStatus(request.status),
        completed_on=request.completed_on,
        notes=request.notes,
        redactions=count,
    )


def _require(db: Session, request_id: int) -> SubjectAccessRequest:
    request = db.get(SubjectAccessRequest, request_id)
    if request is None:
        raise NotFound(NOT_FOUND)
    return request


def record_request(
    session: UserSession,
    *,
    person_id: int | None,
    requester_name: str = "",
    received_on: dt.date,
    notes: str = "",
    today: dt.date | None = None,
) -> RequestRow:
    """Record a request received on `received_on` from a person on file (`person_id`), or
    from someone Casebook holds nothing about (`person_id` None: give their name)."""
    session.require(Operation.SUBJECT_ACCESS)
    rules.check_received(received_on, today or uk_today())
    notes = clean_block(notes, field="notes", label="Notes", max_length=4000)
    with session.transaction(write=True) as db:
        if person_id is not None:
            person = db.get(Person, person_id)
            if person is None:
                raise ValidationError("That person is no longer in the store.", "person")
            requester_name = requester_name.strip() or person.full_name
        name = clean_line(requester_name, field="requester_name", label="The requester's name")
        request = SubjectAccessRequest(
            person_id=person_id,
            requester_name=name,
            received_on=received_on,
            due_on=rules.first_deadline(received_on),
            status=rules.RequestStatus.OPEN.value,
            notes=notes,
            recorded_by_id=session.actor.user_id,
            recorded_at=utc_now(),
        )
        db.add(request)
        db.flush()
        audit.record(
            db,
            session.actor,
            "subject_access.recorded",
            detail={"request_id": request.id, "on_file": person_id is not None},
        )
        return _row(db, request)


def extend_request(
    session: UserSession,
    *,
    request_id: int,
    extended_to: dt.date,
    reason: str,
    today: dt.date | None = None,
) -> RequestRow:
    """Move the deadline to `extended_to` (at most two months past the first deadline),
    only while the first deadline has not passed; the reason is kept."""
    session.require(Operation.SUBJECT_ACCESS)
    reason = clean_block(
        reason, field="reason", label="The reason for the extension", max_length=2000, required=True
    )
    with session.transaction(write=True) as db:
        request = _require(db, request_id)
        if request.completed_on is not None:
            raise ValidationError("This request has been answered already.", "extended_to")
        rules.check_extension(request.due_on, extended_to, today or uk_today())
        request.extended_to = extended_to
        request.extension_reason = reason
        audit.record(
            db,
            session.actor,
            "subject_access.extended",
            detail={"request_id": request.id, "extended_to": extended_to.isoformat()},
        )
        return _row(db, request)


def list_requests(session: UserSession) -> list[RequestRow]:
    """Every request, open ones first by deadline, then answered ones, newest first."""
    session.require(Operation.SUBJECT_ACCESS)
    with session.transaction() as db:
        rows = [_row(db, r) for r in db.scalars(select(SubjectAccessRequest))]
    open_rows = sorted(
        (r for r in rows if r.completed_on is None), key=lambda r: (r.deadline, r.id)
    )
    done = sorted(
        (r for r in rows if r.completed_on is not None),
        key=lambda r: (r.completed_on or dt.date.min, r.id),
        reverse=True,
    )
    return open_rows + done


def get_request(session: UserSession, *, request_id: int) -> RequestRow:
    session.require(Operation.SUBJECT_ACCESS)
    with session.transaction() as db:
        return _row(db, _require(db, request_id))


# -- review and redaction -----------------------------------------------------------------
def _reader(db: Session) -> Callable[[HeldFile], bytes]:
    def read(held: HeldFile) -> bytes:
        column = Evidence.content if held.kind is FileKind.EVIDENCE else IssuedLetter.pdf
        return b"".join(blobs.read_pieces(db, column, held.row_id))

    return read


def _redactions(db: Session, request_id: int) -> tuple[RedactionRow, ...]:
    rows = db.scalars(
        select(SubjectAccessRedaction)
        .where(SubjectAccessRedaction.request_id == request_id)
        .order_by(SubjectAccessRedaction.id)
    )
    return tuple(RedactionRow(r.id, r.item, r.text, _party(r.party), r.applied_at) for r in rows)


def _party(value: str) -> Party:
    try:
        return Party(value)
    except ValueError:
        return Party.OTHER


def flags_for(gathered: Gathered) -> list[Flag]:
    """Every passage naming someone else, and every file that cannot be read for names
    (a photograph, a recording), offered to be left out whole."""
    finder = NameFinder(gathered.third_parties, gathered.own_names)
    found: list[Flag] = []
    for one in gathered.fields():
        found += finder.flags(one.item, one.text)
    for held in gathered.files:
        if held.text is not None:
            found += finder.flags(held.content_item, held.text)
        elif held.kind is FileKind.EVIDENCE:
            found.append(
                Flag(held.item, WITHHELD_FILE, Party.OTHER, f"{held.name_in_zip}: not checked")
            )
    return found


def review_request(session: UserSession, *, request_id: int) -> Review:
    """Everything held about the requester as stored, the passages that name others, and
    the redactions chosen so far."""
    session.require(Operation.SUBJECT_ACCESS)
    with session.transaction() as db:
        request = _require(db, request_id)
        gathered = gather(db, session.actor, request.person_id, _reader(db))
        return Review(
            request=_row(db, request),
            person_name=gathered.person_name or request.requester_name,
            records=gathered.records,
            files=gathered.files,
            flags=tuple(flags_for(gathered)),
            redactions=_redactions(db, request.id),
        )


def apply_redactions(
    session: UserSession, *, request_id: int, passages: Sequence[Passage]
) -> list[RedactionRow]:
    """Hide these passages from the bundle (each once); audited by item, never the words."""
    session.require(Operation.SUBJECT_ACCESS)
    with session.transaction(write=True) as db:
        request = _require(db, request_id)
        have = {(r.item, r.text.casefold()) for r in _redactions(db, request.id)}
        added: list[str] = []
        for passage in passages:
            text = " ".join(passage.text.split())
            if not text or not passage.item or (passage.item, text.casefold()) in have:
                continue
            have.add((passage.item, text.casefold()))
            db.add(
                SubjectAccessRedaction(
                    request_id=request.id,
                    item=passage.item[:80],
                    text=text,
                    party=Party(passage.party).value,
                    applied_by_id=session.actor.user_id,
                    applied_at=utc_now(),
                )
            )
            added.append(passage.item)
        db.flush()
        if added:
            audit.record(
                db,
                session.actor,
                "subject_access.redacted",
                detail={"request_id": request.id, "items": added},
            )
        return list(_redactions(db, request.id))


def remove_redactions(
    session: UserSession, *, request_id: int, redaction_ids: Sequence[int]
) -> list[RedactionRow]:
    """Show these passages again; audited."""
    session.require(Operation.SUBJECT_ACCESS)
    with session.transaction(write=True) as db:
        request = _require(db, request_id)
        removed: list[str] = []
        for row in db.scalars(
            select(SubjectAccessRedaction).where(
                SubjectAccessRedaction.request_id == request.id,
                SubjectAccessRedaction.id.in_(list(redaction_ids)),
            )
        ):
            removed.append(row.item)
            db.delete(row)
        db.flush()
        if removed:
            audit.record(
                db,
                session.actor,
                "subject_access.unredacted",
                detail={"request_id": request.id, "items": removed},
            )
        return list(_redactions(db, request.id))


def export_bundle(
    session: UserSession, *, request_id: int, to: Path, today: dt.date | None = None
) -> ExportedBundle:
    """Write the bundle to `to` as an AES-encrypted zip; return its password once.

    The zip appears whole or not at all, together with the disclosure log's entry (basis:
    subject access), the audit entry, and the request marked answered.
    """
    from reports.subject_access_bundle import BundleReport, make_bundle

    session.require(Operation.SUBJECT_ACCESS)
    to = exports.check_target(to)
    today = today or uk_today()
    password = new_password()
    prepared = utc_now()
    with exports.exporting(to) as out, session.transaction(write=True) as db:
        request = _require(db, request_id)
        gathered = gather(db, session.actor, request.person_id, _reader(db))
        redactions = _redactions(db, request.id)
        row = _row(db, request)
        bundle = redacted_records(gathered, redactions)
        person = gathered.person_name or request.requester_name
        report = BundleReport(
            reference=row.reference,
            requester=row.requester_name,
            person=person,
            received_on=row.received_on,
            deadline=row.deadline,
            prepared_by=session.actor.full_name,
            prepared_at=prepared,
            records=tuple(bundle.records),
            files=tuple((h.name_in_zip, h.record_key, note) for h, note in bundle.included),
            withheld=tuple((h.record_key, why) for h, why in bundle.withheld),
            passages_redacted=bundle.hidden,
        )
        pdf = make_bundle(report)
        data = json_bytes(row, person, bundle, prepared)
        everywhere = [r.text for r in redactions if r.text != WITHHELD_FILE]
        # Spooled: a small bundle stays in memory, a large one goes (encrypted) to disk.
        with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as spool:
            write_zip(spool, db, password, pdf, data, bundle, everywhere)
            out.write(chunks(spool))
        what = (
            f"Subject access bundle {row.reference}: {len(bundle.records)} records, "
            f"{len(bundle.included)} files"
            + (f", {len(bundle.withheld)} files left out" if bundle.withheld else "")
            + (f", {bundle.hidden} passages redacted" if bundle.hidden else "")
            + ("" if bundle.records else " (no records held)")
        )
        disclosure_id = add_disclosure(
            db,
            session,
            DisclosureDraft(
                basis=LegalBasis.SUBJECT_ACCESS,
                recipient=row.requester_name,
                what=what,
                disclosed_on=today,
                authorised_by_id=session.actor.user_id,
                request_id=request.id,
            ),
        )
        request.status = rules.RequestStatus.COMPLETED.value
        request.completed_on = today
        audit.record(
            db,
            session.actor,
            "subject_access.exported",
            detail={
                "request_id": request.id,
                "records": len(bundle.records),
                "files": len(bundle.included),
                "withheld": len(bundle.withheld),
                "redacted": bundle.hidden,
            },
        )
        out.place()
    return ExportedBundle(
        path=to,
        password=password,
        records=len(bundle.records),
        files=len(bundle.included),
        withheld=tuple(h.record_key for h, _ in bundle.withheld),
        disclosure_id=disclosure_id,
    )
