"""A letter for a case: its fields gathered from what is recorded, laid out, and kept.

`fields_for()` turns the case (its subject, schools, children, incidents) and the answers of
a step's page into the named fields a letter template asks for; `render()` makes the PDF;
`keep()` stores an issued letter unchangeably, with its SHA-256, and adds it to the
chronology. All of it runs inside the caller's transaction, so a letter is issued with the
decision it reports or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from desktop.dates import format_date, utc_now
from desktop.domain.chronology import EventKind
from desktop.services import audit
from desktop.services.event_versions import add_version
from desktop.services.letter_wording import wording_in_use
from desktop.services.session import Actor
from desktop.services.signatures import SignatureUse, SignedAs, signature_for
from desktop.storage.models import (
    Case,
    CaseEvent,
    Incident,
    IssuedLetter,
    PersonPupil,
    Pupil,
    School,
    Trust,
)

MAX_LETTER_INCIDENTS = 12


@dataclass(frozen=True)
class LetterDraft:
    """A letter ready to lay out: its type, fields, who signs, and the recipient."""

    type_id: str
    fields: Mapping[str, object]
    signed_by: str
    signed_role: str
    school_id: int | None
    large_print: bool = False


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _incidents(db: Session, case_id: int, ids: Sequence[int] | None) -> list[dict[str, object]]:
    query = select(Incident.id, Incident.occurred_at, Incident.description).where(
        Incident.case_id == case_id
    )
    if ids is not None:
        query = query.where(Incident.id.in_(list(ids)))
    rows = db.execute(query.order_by(Incident.occurred_at, Incident.id)).all()
    return [
        {"date": r.occurred_at.date(), "summary": first_sentence(r.description)}
        for r in rows[-MAX_LETTER_INCIDENTS:]
    ]


def first_sentence(text: str) -> str:
    line = " ".join(text.split())
    cut = line.find(". ")
    line = line if cut < 0 else line[: cut + 1]
    return line if len(line) <= 300 else line[:299].rstrip() + "…"


def case_fields(db: Session, case: Case, school: School | None) -> dict[str, object]:
    """What every letter on this case may use: names, reference, school, children."""
    trust = db.scalar(select(Trust).order_by(Trust.id).limit(1))
    children = db.execute(
        select(Pupil.given_name, Pupil.family_name)
        .join(PersonPupil, PersonPupil.pupil_id == Pupil.id)
        .where(PersonPupil.person_id == case.subject_id)
        .where(Pupil.school_id == school.id if school is not None else true())
        .order_by(Pupil.given_name)
    ).all()
    incidents = _incidents(db, case.id, None)
    latest = incidents[-1] if incidents else None
    return {
        "recipient_name": case.subject.full_name,
        "reference": case.reference,
        "school_name": school.name if school is not None else "",
        "trust_name": trust.name if trust is not None else "",
        "children": [f"{c.given_name} {c.family_name}".strip() for c in children],
        "incident_date": latest["date"] if latest else None,
        "behaviour": latest["summary"] if latest else "",
    }


def incident_list(db: Session, case_id: int, ids: Sequence[int]) -> list[dict[str, object]]:
    """The incidents a decision relies on, as a letter lists them."""
    return _incidents(db, case_id, ids)


@dataclass(frozen=True)
class _Made:
    title: str
    pdf: bytes
    template_version: str
    signature: SignatureUse


def _make(
    db: Session, case: Case, draft: LetterDraft, *, on: dt.date, actor: Actor | None
) -> _Made:
    from reports.letter_templates import letter_type, render_body
    from reports.letters import Letter, Letterhead, Recipient, Signatory, make_letter

    trust = db.scalar(select(Trust).order_by(Trust.id).limit(1))
    school = db.get(School, draft.school_id) if draft.school_id is not None else None
    wording, version = wording_in_use(db, draft.type_id)
    words = render_body(draft.type_id, draft.fields, template_text=wording)
    signature = signature_for(db, actor, draft.signed_by)
    person = case.subject
    cc = draft.fields.get("circulation")
    letter = Letter(
        letterhead=Letterhead(
            trust_name=trust.name if trust else "",
            trust_address=_lines(trust.address) if trust else [],
            school_name=school.name if school else "",
            school_address=_lines(school.address) if school else [],
            logo=trust.logo if trust else None,
        ),
        recipient=Recipient(person.full_name, _lines(person.address) or ["By hand"]),
        reference=case.reference,
        date=on,
        salutation=f"Dear {person.full_name}",
        subject=words.subject,
        body=list(words.paragraphs),
        signatory=Signatory(
            draft.signed_by,
            draft.signed_role,
            signature=signature.image,
            on_behalf_of=signature.on_behalf_of,
        ),
        cc=[str(c) for c in cc] if isinstance(cc, list | tuple) else [],
        large_print=draft.large_print,
    )
    return _Made(letter_type(draft.type_id).title, make_letter(letter), version, signature)


def render(
    db: Session, case: Case, draft: LetterDraft, *, on: dt.date, actor: Actor | None = None
) -> tuple[str, bytes]:
    """(title, PDF bytes) of a letter in the trust's wording in use, carrying the
    signatory's signature when `actor` may apply it; MissingField or ValidationError if
    it cannot be made. A recipient without a postal address gets "By hand"."""
    made = _make(db, case, draft, on=on, actor=actor)
    return made.title, made.pdf


def keep(
    db: Session,
    actor: Actor,
    case: Case,
    draft: LetterDraft,
    *,
    on: dt.date,
    case_step_id: int | None = None,
    restriction_event_id: int | None = None,
    supersedes_id: int | None = None,
    queue: bool = False,
) -> IssuedLetter:
    """Render and store an issued letter, add it to the case's chronology and the audit
    trail, and (with `queue`) to the print queue."""
    made = _make(db, case, draft, on=on, actor=actor)
    title, pdf = made.title, made.pdf
    row = IssuedLetter(
        case_id=case.id,
        letter_type=draft.type_id,
        title=title,
        template_version=made.template_version,
        recipient_name=case.subject.full_name,
        issued_on=on,
        large_print=draft.large_print,
        signed_by=draft.signed_by,
        size=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
        case_step_id=case_step_id,
        restriction_event_id=restriction_event_id,
        issued_by_id=actor.user_id,
        issued_at=utc_now(),
        pdf=pdf,
        supersedes_id=supersedes_id,
        queued_at=utc_now() if queue else None,
        signature_user_id=made.signature.signatory_id,
        signed_as=made.signature.signed_as.value,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor,
        "letter.issued",
        case_id=case.id,
        detail={
            "letter": row.id,
            "type": draft.type_id,
            "template_version": made.template_version,
            "signed_as": made.signature.signed_as.value or "by_hand",
            "signatory": made.signature.signatory_id,
            "supersedes": supersedes_id,
            "sha256": row.sha256,
        },
    )
    add_version(
        db,
        actor,
        CaseEvent(
            case_id=case.id,
            occurred_at=utc_now(),
            kind=EventKind.LETTER.value,
            summary=f"Letter issued: {title}"[:300],
            detail=f"{title}, to {case.subject.full_name}, dated {format_date(on)}; "
            f"signed by {draft.signed_by}{_signed_note(made.signature)}. "
            f"Wording {made.template_version}. SHA-256 {row.sha256}."
            + (f" Corrects letter {supersedes_id}." if supersedes_id else ""),
            letter_id=row.id,
        ),
        previous=None,
    )
    return row


def _signed_note(use: SignatureUse) -> str:
    if use.signed_as is SignedAs.OWN:
        return " (signature applied by the signatory)"
    if use.signed_as is SignedAs.DELEGATE:
        return " (signature applied by an authorised delegate)"
    return " (to be signed by hand)"
