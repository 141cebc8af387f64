"""Letters already issued: listing, opening, saving a copy, and the day's print queue.

An issued letter's PDF never changes (`letter_facts.keep` stores it with its SHA-256);
opening one checks the digest, so a damaged record is reported rather than printed.
Saving a copy to a file is an explicit export and is audited; so is printing. Letters
issued during the day wait in the print queue until someone prints them together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Row, Select, select, update
from sqlalchemy.orm import Session, aliased

from desktop.dates import uk_today, utc_now
from desktop.domain.roles import Operation
from desktop.errors import NotFound, ValidationError
from desktop.services import audit, exports, scope
from desktop.services.session import UserSession
from desktop.storage.models import Case, IssuedLetter, User

LETTER_NOT_FOUND = scope.CASE_NOT_FOUND  # out of reach and missing read the same
MAX_QUEUE = 500  # the most letters one print run takes


@dataclass(frozen=True)
class LetterInfo:
    id: int
    case_id: int
    reference: str
    type_id: str
    title: str
    recipient: str
    issued_on: dt.date
    issued_at: dt.datetime
    issued_by: str
    signed_by: str
    signed_as: str  # "own", "delegate" or "" (to be signed by hand)
    template_version: str
    large_print: bool
    size: int
    sha256: str
    supersedes_id: int | None
    superseded_by_id: int | None
    queued: bool
    printed_at: dt.datetime | None

    @property
    def signature_words(self) -> str:
        if self.signed_as == "own":
            return "Signature applied by the signatory"
        if self.signed_as == "delegate":
            return "Signature applied by an authorised delegate"
        return "To be signed by hand"


@dataclass(frozen=True)
class OpenedLetter:
    info: LetterInfo
    pdf: bytes


def _query() -> Select[IssuedLetter, str, str, int | None]:
    issuer = aliased(User)
    later = aliased(IssuedLetter)
    return (
        select(
            IssuedLetter,
            Case.reference,
            issuer.full_name,
            select(later.id)
            .where(later.supersedes_id == IssuedLetter.id)
            .order_by(later.id)
            .limit(1)
            .scalar_subquery(),
        )
        .join(Case, Case.id == IssuedLetter.case_id)
        .outerjoin(issuer, issuer.id == IssuedLetter.issued_by_id)
    )


_Found = Row[IssuedLetter, str, str, int | None]


def _info(found: _Found) -> LetterInfo:
    row, reference, issuer, later = found
    return LetterInfo(
        id=row.id,
        case_id=row.case_id,
        reference=reference,
        type_id=row.letter_type,
        title=row.title,
        recipient=row.recipient_name,
        issued_on=row.issued_on,
        issued_at=row.issued_at,
        issued_by=issuer or "",
        signed_by=row.signed_by,
        signed_as=row.signed_as,
        template_version=row.template_version,
        large_print=row.large_print,
        size=row.size,
        sha256=row.sha256,
        supersedes_id=row.supersedes_id,
        superseded_by_id=later,
        queued=row.queued_at is not None and row.printed_at is None,
        printed_at=row.printed_at,
    )


def _visible(session: UserSession, db: Session, letter_id: int) -> tuple[IssuedLetter, LetterInfo]:
    session.require(Operation.VIEW_CASES)
    found = db.execute(
        _query().where(IssuedLetter.id == letter_id).where(scope.case_visible(session.actor))
    ).first()
    if found is None:
        raise NotFound(LETTER_NOT_FOUND)
    return found[0], _info(found)


def case_letters(session: UserSession, *, case_id: int) -> list[LetterInfo]:
    """The case's letters, newest first, corrections beside what they correct."""
    with session.transaction() as db:
        case = scope.require_case(session, db, case_id)
        rows = db.execute(
            _query()
            .where(IssuedLetter.case_id == case.id)
            .order_by(IssuedLetter.issued_at.desc(), IssuedLetter.id.desc())
        ).all()
        return [_info(row) for row in rows]


def _checked_pdf(row: IssuedLetter) -> bytes:
    pdf = row.pdf
    if pdf is None or hashlib.sha256(pdf).hexdigest() != row.sha256:
        raise ValidationError(
            f"The stored copy of letter {row.id} does not match the fingerprint taken when it "
            "was issued, so it is not shown. Restore the store from a backup, or issue a "
            "correction.",
            "letter",
        )
    return pdf


def open_letter(session: UserSession, *, letter_id: int) -> OpenedLetter:
    """An issued letter's PDF as it was issued (checked against its SHA-256)."""
    with session.transaction() as db:
        row, info = _visible(session, db, letter_id)
        return OpenedLetter(info, _checked_pdf(row))


def save_copy(session: UserSession, *, letter_id: int, path: Path) -> Path:
    """Write an issued letter to a PDF file the person chose (audited: the file is not
    encrypted). The file appears whole or not at all (`desktop.services.exports`)."""
    path = Path(path)
    if path.suffix.lower() != ".pdf":
        path = path.with_name(path.name + ".pdf")
    path = exports.check_target(path, "path")
    with exports.exporting(path, "path") as out, session.transaction(write=True) as db:
        row, info = _visible(session, db, letter_id)
        out.write(_checked_pdf(row))
        audit.record(
            db,
            session.actor,
            "letter.saved_as_pdf",
            case_id=info.case_id,
            detail={"letter": info.id, "type": info.type_id, "sha256": info.sha256},
        )
        out.place()
    return path


def print_queue(session: UserSession) -> list[LetterInfo]:
    """Letters waiting to be printed, oldest first, from the cases the user may see."""
    session.require(Operation.VIEW_CASES)
    with session.transaction() as db:
        rows = db.execute(
            _query()
            .where(IssuedLetter.queued_at.is_not(None), IssuedLetter.printed_at.is_(None))
            .where(scope.case_visible(session.actor))
            .order_by(IssuedLetter.queued_at, IssuedLetter.id)
            .limit(MAX_QUEUE)
        ).all()
        return [_info(row) for row in rows]


def queued_pdfs(session: UserSession, *, letter_ids: Sequence[int]) -> list[OpenedLetter]:
    """The PDFs of these letters, in the order given, for one print run."""
    with session.transaction() as db:
        found = []
        for letter_id in letter_ids[:MAX_QUEUE]:
            row, info = _visible(session, db, letter_id)
            found.append(OpenedLetter(info, _checked_pdf(row)))
        return found


def _change(
    session: UserSession, letter_ids: Sequence[int], values: dict[str, object], action: str
) -> int:
    session.require(Operation.EDIT_CASES)
    ids = sorted(set(letter_ids))
    with session.transaction(write=True) as db:
        visible = list(
            db.execute(
                select(IssuedLetter.id, IssuedLetter.case_id)
                .join(Case, Case.id == IssuedLetter.case_id)
                .where(IssuedLetter.id.in_(ids))
                .where(scope.case_visible(session.actor))
            ).all()
        )
        if len(visible) != len(ids):
            raise NotFound(LETTER_NOT_FOUND)
        db.execute(update(IssuedLetter).where(IssuedLetter.id.in_(ids)).values(**values))
        for letter_id, case_id in visible:
            audit.record(db, session.actor, action, case_id=case_id, detail={"letter": letter_id})
    return len(ids)


def add_to_queue(session: UserSession, *, letter_ids: Sequence[int]) -> int:
    """Put letters (back) in the print queue."""
    return _change(
        session, letter_ids, {"queued_at": utc_now(), "printed_at": None}, "letter.queued"
    )


def remove_from_queue(session: UserSession, *, letter_ids: Sequence[int]) -> int:
    """Take letters out of the queue without printing them."""
    return _change(session, letter_ids, {"queued_at": None}, "letter.unqueued")


def record_printed(session: UserSession, *, letter_ids: Sequence[int]) -> int:
    """Note that these letters were sent to a printer; they leave the queue."""
    return _change(session, letter_ids, {"printed_at": utc_now()}, "letter.printed")


def issue_correction(
    session: UserSession, *, letter_id: int, large_print: bool | None = None
) -> LetterInfo:
    """Issue a letter again from the case as recorded now (a corrected name or address,
    the wording in use, large print on request), dated today and added to the print queue.
    The old letter stays as it was; the new one names it. ValidationError when the letter
    was corrected already (correct the newest), LetterNotRecorded naming a missing fact."""
    from desktop.services import letter_facts, letter_sources

    session.require(Operation.EDIT_CASES)
    with session.transaction(write=True) as db:
        row, info = _visible(session, db, letter_id)
        if info.superseded_by_id is not None:
            raise ValidationError(
                f"Letter {info.id} was corrected already by letter {info.superseded_by_id}; "
                "correct that one instead.",
                "letter",
            )
        case = scope.require_case(session, db, row.case_id, operation=Operation.EDIT_CASES)
        source = (
            ("case_step", row.case_step_id)
            if row.case_step_id is not None
            else ("restriction_event", row.restriction_event_id)
            if row.restriction_event_id is not None
            else None
        )
        recorded = letter_sources.recorded_letter(
            db,
            case,
            row.letter_type,
            large_print=row.large_print if large_print is None else large_print,
            signatory=(row.signed_by, ""),
            source=source,
        )
        with letter_sources.naming_missing(case):
            new = letter_facts.keep(
                db,
                session.actor,
                case,
                recorded.draft,
                on=uk_today(),
                case_step_id=row.case_step_id,
                restriction_event_id=row.restriction_event_id,
                supersedes_id=row.id,
                queue=True,
            )
        return _visible(session, db, new.id)[1]
