"""The trust's wording of each letter type: the shipped default, or its own saved edits.

Every save is a new numbered version (`letter_templates` rows are never changed), so a
letter issued last year still names the wording it was made from ("v3", or "default" for
the shipped text). "Restore default" is a version too: a row without text. The editor
shows and saves the wording without the shipped front matter (the comment that declares
the type's fields), so the line numbers in its messages are the editor's own lines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.dates import uk_today, utc_now
from desktop.domain.roles import Operation
from desktop.domain.text import refuse_unstorable
from desktop.errors import ValidationError
from desktop.services import audit
from desktop.services.session import UserSession
from desktop.storage.models import LetterTemplateVersion, Trust, User

DEFAULT_VERSION = "default"


@dataclass(frozen=True)
class FieldInfo:
    name: str
    label: str
    required: bool


@dataclass(frozen=True)
class WordingVersion:
    label: str  # "default" or "v<number>"
    saved_at: dt.datetime
    saved_by: str
    restored_default: bool


@dataclass(frozen=True)
class LetterWording:
    """One letter type as the editor shows it."""

    type_id: str
    title: str
    text: str
    version: str
    edited: bool
    fields: tuple[FieldInfo, ...]
    history: tuple[WordingVersion, ...]  # newest first


@dataclass(frozen=True)
class WordingPreview:
    pdf: bytes | None
    problem: str  # why there is no PDF: a syntax error, an unknown field, ...
    line: int | None


def version_label(number: int | None) -> str:
    return DEFAULT_VERSION if number is None else f"v{number}"


def shipped_wording(type_id: str) -> str:
    """The shipped default without its front matter: what the editor starts from."""
    from reports.letter_templates import default_template, strip_front_matter

    return strip_front_matter(default_template(type_id))


def wording_in_use(db: Session, type_id: str) -> tuple[str | None, str]:
    """(template text, version label) that a letter of this type is made from now; the text
    is None for the shipped default."""
    row = db.scalar(
        select(LetterTemplateVersion)
        .where(LetterTemplateVersion.letter_type == type_id)
        .order_by(LetterTemplateVersion.number.desc())
        .limit(1)
    )
    if row is None or row.text is None:
        return None, DEFAULT_VERSION
    return row.text, version_label(row.number)


def _wording(db: Session, type_id: str) -> LetterWording:
    from reports.letter_fields import field_spec
    from reports.letter_templates import letter_type

    kind = letter_type(type_id)
    text, version = wording_in_use(db, type_id)
    rows = db.execute(
        select(LetterTemplateVersion, User.full_name)
        .outerjoin(User, User.id == LetterTemplateVersion.saved_by_id)
        .where(LetterTemplateVersion.letter_type == type_id)
        .order_by(LetterTemplateVersion.number.desc())
    ).all()
    history = tuple(
        WordingVersion(
            version_label(row.number) if row.text is not None else DEFAULT_VERSION,
            row.saved_at,
            name or "",
            row.text is None,
        )
        for row, name in rows
    )
    required = set(kind.required)
    fields = tuple(
        FieldInfo(name, field_spec(name).label, name in required) for name in sorted(kind.fields)
    )
    return LetterWording(
        type_id=type_id,
        title=kind.title,
        text=shipped_wording(type_id) if text is None else text,
        version=version,
        edited=text is not None,
        fields=fields,
        history=history,
    )


def letter_wordings(session: UserSession) -> list[LetterWording]:
    """Every letter type with the wording in use, in procedure order (trust editors)."""
    from reports.letter_templates import TYPE_IDS

    session.require(Operation.EDIT_TRUST)
    with session.transaction() as db:
        return [_wording(db, type_id) for type_id in TYPE_IDS]


def letter_wording(session: UserSession, *, type_id: str) -> LetterWording:
    from reports.letter_templates import letter_type

    session.require(Operation.EDIT_TRUST)
    letter_type(type_id)  # ValidationError for an unknown type
    with session.transaction() as db:
        return _wording(db, type_id)


def check_wording(type_id: str, text: str) -> None:
    """Refuse wording that would not make a letter: a syntax error or unknown field (with
    its line), a sandbox escape, a template that fails over the sample case, or characters
    that cannot be stored or that turn text backwards (`text.refuse_unstorable`)."""
    from reports.letter_fields import sample_fields
    from reports.letter_templates import check_template, render_body

    if not text.strip():
        raise ValidationError(
            "The letter has no wording. Type the letter, or restore the default.", "text"
        )
    refuse_unstorable(text, field="text", label="The wording", allowed="\n\r\t")
    check_template(type_id, text)
    render_body(type_id, sample_fields(), template_text=text)


def _next_number(db: Session, type_id: str) -> int:
    latest = db.scalar(
        select(func.max(LetterTemplateVersion.number)).where(
            LetterTemplateVersion.letter_type == type_id
        )
    )
    return (latest or 0) + 1


def _add_version(
    session: UserSession, db: Session, type_id: str, text: str | None, action: str
) -> int:
    number = _next_number(db, type_id)
    db.add(
        LetterTemplateVersion(
            letter_type=type_id,
            number=number,
            text=text,
            saved_by_id=session.actor.user_id,
            saved_at=utc_now(),
        )
    )
    db.flush()
    audit.record(
        db,
        session.actor,
        action,
        detail={"letter_type": type_id, "version": number, "chars": len(text or "")},
    )
    return number


def save_wording(session: UserSession, *, type_id: str, text: str) -> LetterWording:
    """Save edited wording as the next version (trust leaders and administrators).

    TemplateError (with its line) or ValidationError leaves the wording in use unchanged.
    """
    session.require(Operation.EDIT_TRUST)
    text = text.replace("\r\n", "\n")
    check_wording(type_id, text)
    with session.transaction(write=True) as db:
        current, _version = wording_in_use(db, type_id)
        if text.strip() == (current if current is not None else shipped_wording(type_id)).strip():
            raise ValidationError("The wording is unchanged, so nothing was saved.", "text")
        _add_version(session, db, type_id, text, "letter_template.saved")
        return _wording(db, type_id)


def restore_default(session: UserSession, *, type_id: str) -> LetterWording:
    """Go back to the shipped wording; the trust's versions stay on record."""
    from reports.letter_templates import letter_type

    session.require(Operation.EDIT_TRUST)
    letter_type(type_id)  # ValidationError for an unknown type, before any query
    with session.transaction(write=True) as db:
        current, _version = wording_in_use(db, type_id)
        if current is None:
            raise ValidationError("This letter already uses the default wording.", "text")
        _add_version(session, db, type_id, None, "letter_template.restored")
        return _wording(db, type_id)


def preview_wording(
    session: UserSession, *, type_id: str, text: str, large_print: bool = False
) -> WordingPreview:
    """The letter this wording makes for a made-up case on the trust's letterhead; a
    problem (with its line) instead of a PDF when the wording cannot be used."""
    from reports.letter_fields import sample_fields
    from reports.letter_templates import TemplateError, letter_type, render_body
    from reports.letters import Letter, Letterhead, Recipient, Signatory, make_letter

    session.require(Operation.EDIT_TRUST)
    fields = sample_fields()
    try:
        check_wording(type_id, text)
        words = render_body(type_id, fields, template_text=text)
    except TemplateError as exc:
        return WordingPreview(None, str(exc), exc.line)
    except ValidationError as exc:
        return WordingPreview(None, str(exc), None)
    with session.transaction() as db:
        trust = db.scalar(select(Trust).order_by(Trust.id).limit(1))
        trust_name = trust.name if trust else str(fields["trust_name"])
        address = [line for line in (trust.address if trust else "").splitlines() if line.strip()]
        logo = trust.logo if trust else None
    letter = Letter(
        letterhead=Letterhead(
            trust_name=trust_name,
            trust_address=address,
            school_name=str(fields["school_name"]),
            school_address=["1 Example Road", "Exampletown", "EX1 2MP"],
            logo=logo,
        ),
        recipient=Recipient(
            str(fields["recipient_name"]), ["12 Sample Street", "Exampletown", "EX3 4MP"]
        ),
        reference=str(fields["reference"]),
        date=uk_today(),
        salutation=f"Dear {fields['recipient_name']}",
        subject=words.subject or letter_type(type_id).title,
        body=list(words.paragraphs),
        signatory=Signatory("Dr Amelia Hart", "Headteacher"),
        large_print=large_print,
    )
    try:
        return WordingPreview(make_letter(letter), "", None)
    except ValidationError as exc:
        return WordingPreview(None, str(exc), None)
