"""A case's letter made again from what was recorded, and saved as a PDF where the user
chose (`casebook letter`): a copy of a notice to print again, or in large print on request.

Each letter type is sent by some recorded fact: a step taken on the case (a warning, a
meeting's invitation, a bar's notice, a plan) or a decision in a bar's or plan's life
(representations received, the trust's review, the end-of-period review). The most recent
such fact gives the letter, its fields built exactly as the wizard or the decision built
them (`step_letters.step_letter`, `sanction_reviews.decision_letter`) and dated the day it
was issued. A case with no such fact gets the case's own fields only, so the letter is
refused naming the first fact it lacks.

Saving the file is an export: checked like any reading of the case, audited, and written
whole or not at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from desktop.dates import format_date, to_uk, uk_today
from desktop.domain.bar_lifecycle import apply as apply_event
from desktop.domain.bar_lifecycle import replay as replay_events
from desktop.domain.policy import LetterMoment, Step
from desktop.domain.roles import Operation, Role
from desktop.domain.sanctions import NoticeKind, Outcome
from desktop.errors import NotFound, ValidationError
from desktop.services import audit, exports, letter_facts, sanction_reviews, scope, step_letters
from desktop.services import sanction_store as store
from desktop.services.session import Actor, UserSession
from desktop.storage.models import (
    Case,
    CaseStep,
    IssuedLetter,
    Restriction,
    RestrictionEvent,
    School,
)

# The answers on a step's page that are dates (kept in the step's JSON as YYYY-MM-DD).
DATE_ANSWERS = frozenset(
    {"starts", "ends", "review_due", "representations_deadline", "post_date", "removal_by"}
)


class LetterNotRecorded(ValidationError):
    """The case has not recorded a fact the letter states; `field` names it."""


_MOMENT_WORDS = {
    LetterMoment.ACKNOWLEDGE: "representations received",
    LetterMoment.CONFIRM: "confirmed",
    LetterMoment.VARY: "varied",
    LetterMoment.LIFT: "lifted",
    LetterMoment.RENEW: "renewed",
    LetterMoment.END: "ended",
}


@dataclass(frozen=True)
class RecordedLetter:
    """A letter ready to lay out, and the recorded fact it comes from (`source` None: the
    case records nothing that sends it)."""

    draft: letter_facts.LetterDraft
    dated: dt.date
    source: str | None  # "case_step" or "restriction_event"
    source_id: int | None
    described: str  # what it was made from, in words


@dataclass(frozen=True)
class ExportedLetter:
    """A letter saved as a PDF: where, what, and how big."""

    path: Path
    type_id: str
    title: str
    reference: str
    dated: dt.date
    size: int
    described: str


@dataclass(frozen=True)
class _Candidate:
    """A recorded fact that sends the letter; `build` makes it only for the one chosen."""

    on: dt.date
    recorded_at: dt.datetime
    build: Callable[[], RecordedLetter | None]


def type_ids() -> list[str]:
    """Every letter type's identifier, in the order the procedure usually reaches them."""
    from reports.letter_templates import letter_types

    return [kind.id for kind in letter_types()]


def check_type(type_id: str) -> str:
    """The identifier as given, or ValidationError listing the ones there are."""
    known = type_ids()
    if type_id not in known:
        raise ValidationError(
            f"There is no letter type called {type_id!r}. Choose one of: {', '.join(known)}.",
            "type",
        )
    return type_id


def recorded_letter(
    db: Session,
    case: Case,
    type_id: str,
    *,
    large_print: bool = False,
    signatory: tuple[str, str] = ("", ""),
    source: tuple[str, int] | None = None,
) -> RecordedLetter:
    """The letter of this type from the case's most recent fact that sends it, or one made
    from the case's own fields alone, signed by `signatory` (name, role), when nothing
    recorded does (it then names, when rendered, the first field it lacks). Call once the
    case has been checked (`scope`). With `source` ("case_step" or "restriction_event",
    id), the letter that one fact sent, whatever came after it."""
    check_type(type_id)
    found = [*_step_candidates(db, case, type_id), *_event_candidates(db, case, type_id)]
    for candidate in sorted(found, key=lambda c: (c.on, c.recorded_at), reverse=True):
        letter = candidate.build()
        if letter is None:
            continue
        if source is None or (letter.source, letter.source_id) == source:
            return _sized(letter, large_print)
    school = case.schools[0] if case.schools else None
    draft = letter_facts.LetterDraft(
        type_id=type_id,
        fields=letter_facts.case_fields(db, case, school),
        signed_by=signatory[0],
        signed_role=signatory[1],
        school_id=school.id if school is not None else None,
        large_print=large_print,
    )
    return RecordedLetter(draft, uk_today(), None, None, "nothing recorded on the case")


def export_letter(
    session: UserSession, *, reference: str, type_id: str, to: Path, large_print: bool = False
) -> ExportedLetter:
    """Save the case's letter of this type, made from what was recorded, as a PDF at `to`.

    Refused (ValidationError) for an unknown type or a folder that does not exist, and
    (LetterNotRecorded) for a case that lacks a fact the letter states, naming its field.
    The file appears whole or not at all, and only with the audit entry that records it.
    """
    session.require(Operation.VIEW_CASES)
    check_type(type_id)
    to = exports.check_target(to, "out")
    with exports.exporting(to, "out") as out, session.transaction(write=True) as db:
        case = scope.require_case_by_reference(
            session, db, reference, operation=Operation.VIEW_CASES
        )
        actor = session.actor
        letter = recorded_letter(
            db,
            case,
            type_id,
            large_print=large_print,
            signatory=(actor.full_name, actor.role.label),
        )
        title, pdf = render_recorded(db, case, letter, actor=actor)
        out.write(pdf)
        audit.record(
            db,
            session.actor,
            "letter.exported",
            case_id=case.id,
            detail={
                "letter_type": type_id,
                "large_print": large_print,
                "size": len(pdf),
                "sha256": hashlib.sha256(pdf).hexdigest(),
                "source": letter.source,
                "source_id": letter.source_id,
            },
        )
        out.place()
        exported = ExportedLetter(
            to, type_id, title, case.reference, letter.dated, len(pdf), letter.described
        )
    return exported


# -- the facts that send a letter -----------------------------------------------------------
def _step_candidates(db: Session, case: Case, type_id: str) -> list[_Candidate]:
    found = []
    for row in store.step_rows(db, case.id):
        step = _step_of(db, row.profile_record_id, row.step_id)
        if step is None or step_letters.opening_letter(step) != type_id:
            continue
        build = functools.partial(_from_step, db, case, row, step)
        found.append(_Candidate(row.taken_on, row.recorded_at, build))
    return found


def _event_candidates(db: Session, case: Case, type_id: str) -> list[_Candidate]:
    found = []
    restrictions = db.scalars(
        select(Restriction).where(Restriction.case_id == case.id).order_by(Restriction.id)
    )
    for restriction in restrictions:
        step = _step_of(db, restriction.profile_record_id, restriction.step_id)
        if step is None:
            continue
        rows = store.events_of(db, restriction.id)
        for index, row in enumerate(rows):
            moment = _moment_of(row)
            if moment is None or step.letter_for(moment) != type_id:
                continue
            build = functools.partial(_from_event, db, case, restriction, step, rows, index, moment)
            found.append(_Candidate(row.on_date, row.recorded_at, build))
    return found


def _step_of(db: Session, record_id: int | None, step_id: str) -> Step | None:
    """The profile's step a row was recorded under; None for a row that has none."""
    if not step_id:
        return None
    try:
        return store.profile_and_step(db, record_id, step_id)[1]
    except (ValidationError, NotFound):
        return None


def _moment_of(row: RestrictionEvent) -> LetterMoment | None:
    if row.kind == store.REPRESENTATIONS:
        return LetterMoment.ACKNOWLEDGE
    if row.kind in (store.REVIEW_DECISION, store.PERIOD_REVIEW):
        try:
            return sanction_reviews.OUTCOME_MOMENTS[Outcome(row.outcome)]
        except ValueError:
            return None
    return None  # a bar's notice or a plan's issue: the step that opened it sends that


def _from_step(db: Session, case: Case, row: CaseStep, step: Step) -> RecordedLetter | None:
    """The letter taking the step sent, as `sanctions.take_step` built it."""
    try:
        role = Role(row.decided_by_role)
    except ValueError:
        return None
    opening = _opening_event(db, row.restriction_id)
    notice = NoticeKind.TEMPORARY
    names: list[str] = []
    if opening is not None:
        with contextlib.suppress(ValueError):
            notice = NoticeKind(opening.notice_kind)
        names = _names(opening.schools)
    schools = (
        list(db.scalars(select(School).where(School.name.in_(names)).order_by(School.name)))
        if names
        else []
    )
    facts = step_letters.StepFacts(
        step=step,
        details=_answers(store.details_of(row)),
        decided_by=row.decided_by,
        decided_by_role=role,
        taken_on=row.taken_on,
        schools=schools,
        notice_kind=notice,
    )
    draft = step_letters.step_letter(db, case, facts)
    if draft is None:
        return None
    dated = _issued_on(db, IssuedLetter.case_step_id == row.id) or to_uk(row.recorded_at).date()
    described = f"{step.label}, {format_date(row.taken_on)}"
    return RecordedLetter(draft, dated, "case_step", row.id, described)


def _from_event(
    db: Session,
    case: Case,
    restriction: Restriction,
    step: Step,
    rows: list[RestrictionEvent],
    index: int,
    moment: LetterMoment,
) -> RecordedLetter | None:
    """The letter a decision sent, as `sanction_reviews` built it: the sanction replayed
    up to the decision (`before`), then with it (`after`)."""
    profile = store.profile_and_step(db, restriction.profile_record_id, restriction.step_id)[0]
    events = [store.as_event(r) for r in rows[: index + 1]]
    before = replay_events(events[:index], profile=profile, step=step)
    after = apply_event(before, events[index], profile=profile, step=step)
    row = rows[index]
    draft = sanction_reviews.decision_letter(
        db,
        case=case,
        row=restriction,
        step=step,
        before=before,
        after=after,
        event=events[index],
        by_name=row.by_name,
        moment=moment,
    )
    if draft is None:
        return None
    dated = (
        _issued_on(db, IssuedLetter.restriction_event_id == row.id) or to_uk(row.recorded_at).date()
    )
    described = f"{step.label}: {_MOMENT_WORDS[moment]}, {format_date(row.on_date)}"
    return RecordedLetter(draft, dated, "restriction_event", row.id, described)


def _opening_event(db: Session, restriction_id: int | None) -> RestrictionEvent | None:
    if restriction_id is None:
        return None
    return db.scalar(
        select(RestrictionEvent)
        .where(
            RestrictionEvent.restriction_id == restriction_id,
            or_(RestrictionEvent.kind == store.NOTICE, RestrictionEvent.kind == store.PLAN_ISSUED),
        )
        .order_by(RestrictionEvent.id)
        .limit(1)
    )


def _issued_on(db: Session, which: ColumnElement[bool]) -> dt.date | None:
    """The day the letter was issued at the time, if it was."""
    return db.scalar(
        select(IssuedLetter.issued_on).where(which).order_by(IssuedLetter.id.desc()).limit(1)
    )


def _answers(details: Mapping[str, object]) -> dict[str, object]:
    """A step's recorded answers as its page gave them: dates as dates again."""
    found = dict(details)
    for name in DATE_ANSWERS & found.keys():
        value = found[name]
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                found[name] = dt.date.fromisoformat(value)
    return found


def _names(text: str) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def _sized(letter: RecordedLetter, large_print: bool) -> RecordedLetter:
    return replace(letter, draft=replace(letter.draft, large_print=large_print))


# -- laying it out and saving it ------------------------------------------------------------
def render_recorded(
    db: Session, case: Case, letter: RecordedLetter, *, actor: Actor | None
) -> tuple[str, bytes]:
    """(title, PDF); a missing fact is named with the case that has not recorded it."""
    with naming_missing(case):
        return letter_facts.render(db, case, letter.draft, on=letter.dated, actor=actor)


@contextlib.contextmanager
def naming_missing(case: Case) -> Iterator[None]:
    """Turn a template's MissingField into LetterNotRecorded, in words, naming the case."""
    from reports.letter_fields import field_spec
    from reports.letter_templates import MissingField

    try:
        yield
    except MissingField as exc:
        name = exc.field or ""
        raise LetterNotRecorded(
            f"This letter needs {field_spec(name).label} ({name}), which case "
            f"{case.reference} has not recorded.",
            name,
        ) from exc
