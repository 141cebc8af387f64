"""Everything the trust holds about one person, gathered for a subject access request.

The person's own record (and any duplicate merged into it); the cases they are the subject
of, with every incident, chronology entry (every version), step, bar or plan, task,
letter and evidence file on them; and, on other people's cases, what is recorded about
them: their part in the case and the incidents they were a party to.

Each piece of text is a `Field` named by record and field ("incident:12:description"), the
name a redaction is kept under. `third_parties` lists the other people whose names may
appear: staff, other parents and people, pupils (not the person's own children).
Called by `desktop.services.subject_access` inside its transaction; no permission checks
of its own.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from desktop.dates import format_date, format_datetime
from desktop.domain.cases import CaseStatus, Stage
from desktop.domain.chronology import kind_label
from desktop.domain.incidents import Agency, Channel, PartyRole
from desktop.domain.people import Relationship, VoluntaryRole
from desktop.domain.restrictions import RestrictionKind, RestrictionState
from desktop.domain.subject_access import Party, ThirdParty
from desktop.services import scope
from desktop.services.session import Actor
from desktop.storage.models import (
    Case,
    CaseEvent,
    CasePerson,
    CaseStep,
    CaseTask,
    Evidence,
    Incident,
    IncidentAgency,
    IncidentParty,
    IssuedLetter,
    Person,
    PersonPupil,
    PersonVoluntaryRole,
    Pupil,
    Restriction,
    RestrictionEvent,
    School,
    StaffMember,
    User,
)

E = TypeVar("E", bound=StrEnum)
SCAN_LIMIT = 50 * 1024 * 1024  # a larger file is not read for names: it is not checked
_PARTY_WORDS = {
    PartyRole.AFFECTED.value: "Affected",
    PartyRole.STAFF_TARGETED.value: "Member of staff targeted",
    PartyRole.WITNESS.value: "Witness",
}


@dataclass(frozen=True)
class Field:
    item: str  # "incident:12:description": record and field, as redactions name it
    label: str
    text: str


@dataclass(frozen=True)
class Record:
    key: str  # "incident:12"
    section: str
    title: str
    fields: tuple[Field, ...]


class FileKind(StrEnum):
    EVIDENCE = "evidence"
    LETTER = "letter"


@dataclass(frozen=True)
class HeldFile:
    """A file that goes into the bundle beside the records: an evidence file or a letter
    as issued. `text` is what it says, where that can be read (a text file, a PDF), for
    finding names in it; None when it cannot be read."""

    kind: FileKind
    row_id: int
    record_key: str
    name_in_zip: str  # "evidence/E1.jpg": no original name, which the zip does not hide
    media_type: str
    size: int
    sha256: str
    text: str | None

    @property
    def item(self) -> str:
        """The name a decision to leave the whole file out is kept under."""
        return f"{self.kind.value}:{self.row_id}:file"

    @property
    def content_item(self) -> str:
        return f"{self.kind.value}:{self.row_id}:content"


@dataclass(frozen=True)
class Gathered:
    person_ids: tuple[int, ...]
    person_name: str
    records: tuple[Record, ...]
    files: tuple[HeldFile, ...]
    third_parties: tuple[ThirdParty, ...]
    own_names: tuple[str, ...]

    def fields(self) -> Iterable[Field]:
        for record in self.records:
            yield from record.fields


SECTIONS = (
    "About you",
    "Cases about you",
    "Your part in other cases",
    "Incidents",
    "Chronology entries",
    "Steps and decisions",
    "Bars and communication plans",
    "Follow-up tasks",
    "Letters",
    "Evidence files",
)


def _label(kind: type[E], value: str) -> str:
    try:
        return str(getattr(kind(value), "label", value))
    except ValueError:
        return value.replace("_", " ").capitalize()


def _record(section: str, key: str, title: str, fields: Sequence[tuple[str, str, Any]]) -> Record:
    """A record with its non-empty fields, each named `key:field`."""
    kept = tuple(
        Field(f"{key}:{name}", label, _text(value))
        for name, label, value in fields
        if _text(value) != ""
    )
    return Record(key, section, title, kept)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value).strip()


def person_ids_of(db: Session, person_id: int) -> tuple[int, ...]:
    """The person and every record merged into them, however long ago."""
    found = [person_id]
    frontier = [person_id]
    while frontier:
        merged = db.scalars(select(Person.id).where(Person.merged_into_id.in_(frontier))).all()
        frontier = [i for i in merged if i not in found]
        found.extend(frontier)
    return tuple(found)


def gather(
    db: Session, actor: Actor, person_id: int | None, read_file: Callable[[HeldFile], bytes]
) -> Gathered:
    """Every record about the person (none when `person_id` is None: not on file)."""
    if person_id is None or db.get(Person, person_id) is None:
        return Gathered((), "", (), (), _third_parties(db, (), set()), ())
    ids = person_ids_of(db, person_id)
    people = db.scalars(select(Person).where(Person.id.in_(ids)).order_by(Person.id)).all()
    own_pupils = set(db.scalars(select(PersonPupil.pupil_id).where(PersonPupil.person_id.in_(ids))))
    visible = scope.case_visible(actor)
    cases = db.scalars(
        select(Case).where(Case.subject_id.in_(ids), visible).order_by(Case.opened_on, Case.id)
    ).all()
    case_ids = [c.id for c in cases]
    parts = db.scalars(
        select(CasePerson)
        .join(Case, Case.id == CasePerson.case_id)
        .where(CasePerson.person_id.in_(ids), visible)
        .order_by(CasePerson.id)
    ).all()
    party_incidents = select(IncidentParty.incident_id).where(IncidentParty.person_id.in_(ids))
    incidents = db.scalars(
        select(Incident)
        .join(Case, Case.id == Incident.case_id)
        .where(or_(Incident.case_id.in_(case_ids), Incident.id.in_(party_incidents)), visible)
        .order_by(Incident.occurred_at, Incident.id)
    ).all()
    references: dict[int, str] = {
        r.id: r.reference for r in db.execute(select(Case.id, Case.reference))
    }
    records: list[Record] = []
    records += [_person_record(db, p) for p in people]
    records += [_case_record(c) for c in cases]
    records += [
        _record(
            SECTIONS[2],
            f"case_person:{p.id}",
            f"Named on case {references.get(p.case_id, '')}",
            [("role", "Part in the case", p.role), ("notes", "Notes", p.notes)],
        )
        for p in parts
    ]
    records += [_incident_record(db, i, references) for i in incidents]
    records += _case_rows(db, case_ids, ids, references)
    files = _files(db, case_ids, [i.id for i in incidents], references, read_file, records)
    own = tuple(p.full_name for p in people)
    return Gathered(
        ids, people[0].full_name, tuple(records), files, _third_parties(db, ids, own_pupils), own
    )


def _person_record(db: Session, person: Person) -> Record:
    roles = db.scalars(
        select(PersonVoluntaryRole.role).where(PersonVoluntaryRole.person_id == person.id)
    ).all()
    children = db.execute(
        select(Pupil.given_name, Pupil.family_name)
        .join(PersonPupil, PersonPupil.pupil_id == Pupil.id)
        .where(PersonPupil.person_id == person.id)
        .order_by(Pupil.family_name, Pupil.given_name)
    ).all()
    merged = " (a duplicate record, merged into yours)" if person.merged_into_id else ""
    return _record(
        SECTIONS[0],
        f"person:{person.id}",
        f"{person.full_name}{merged}",
        [
            ("name", "Name", person.full_name),
            ("relation", "Relationship to the school", _label(Relationship, person.relation)),
            ("address", "Address", person.address),
            ("email", "Email", person.email),
            ("phone", "Phone", person.phone),
            ("roles", "Voluntary roles", ", ".join(_label(VoluntaryRole, r) for r in roles)),
            ("children", "Children linked to you", ", ".join(f"{g} {f}" for g, f in children)),
            ("notes", "Notes", person.notes),
            ("created", "Record made", person.created_at),
        ],
    )


def _case_record(case: Case) -> Record:
    return _record(
        SECTIONS[1],
        f"case:{case.id}",
        f"Case {case.reference}",
        [
            ("reference", "Reference", case.reference),
            ("schools", "Schools", ", ".join(s.name for s in case.schools)),
            ("status", "Status", _label(CaseStatus, case.status)),
            ("stage", "Stage", _label(Stage, case.stage)),
            ("opened", "Opened", case.opened_on),
            ("opened_reason", "Why it was opened", case.opened_reason),
            ("summary", "Summary", case.summary),
            ("closed", "Closed", case.closed_on),
            ("closed_reason", "Why it was closed", case.closed_reason),
        ],
    )


def _incident_record(db: Session, incident: Incident, references: dict[int, str]) -> Record:
    parties = db.scalars(select(IncidentParty).where(IncidentParty.incident_id == incident.id))
    agencies = db.scalars(select(IncidentAgency).where(IncidentAgency.incident_id == incident.id))
    named = [f"{_PARTY_WORDS.get(p.role, p.role)}: {_party_name(db, p)}" for p in parties]
    told = [
        " ".join(
            bit
            for bit in (
                _label(Agency, a.agency),
                f"on {format_date(a.informed_on)}" if a.informed_on else "",
                f"(reference {a.reference})" if a.reference else "",
            )
            if bit
        )
        for a in agencies
    ]
    return _record(
        SECTIONS[3],
        f"incident:{incident.id}",
        f"Incident on {format_date(incident.occurred_at.date())}, case "
        f"{references.get(incident.case_id, '')}",
        [
            ("when", "When", incident.occurred_at),
            ("channel", "Where or how", _label(Channel, incident.channel)),
            ("location", "Place", incident.location),
            ("categories", "Behaviour", ", ".join(c.name for c in incident.categories)),
            ("description", "What happened", incident.description),
            ("safety", "Immediate threat to safety", incident.immediate_safety),
            ("parties", "People involved", "\n".join(named)),
            ("agencies", "Agencies told", "\n".join(told)),
        ],
    )


def _party_name(db: Session, party: IncidentParty) -> str:
    if party.staff_member_id is not None:
        staff = db.get(StaffMember, party.staff_member_id)
        return staff.name if staff else party.description
    if party.pupil_id is not None:
        pupil = db.get(Pupil, party.pupil_id)
        return f"{pupil.given_name} {pupil.family_name}" if pupil else party.description
    if party.person_id is not None:
        person = db.get(Person, party.person_id)
        return person.full_name if person else party.description
    return party.description


def _details_text(details: str) -> str:
    try:
        found = json.loads(details or "{}")
    except ValueError:
        return details
    if not isinstance(found, dict):
        return ""
    lines = []
    for key, value in found.items():
        if value in (None, "", [], {}):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        lines.append(f"{key.replace('_', ' ').capitalize()}: {shown}")
    return "\n".join(lines)


def _case_rows(
    db: Session, case_ids: list[int], person_ids: Sequence[int], references: dict[int, str]
) -> list[Record]:
    """Chronology entries, steps, bars and plans, and tasks on the person's own cases."""
    found: list[Record] = []
    on_cases: Callable[[Any], ColumnElement[bool]] = lambda column: column.in_(case_ids)  # noqa: E731
    for event in db.scalars(
        select(CaseEvent)
        .where(on_cases(CaseEvent.case_id))
        .order_by(CaseEvent.occurred_at, CaseEvent.id)
    ):
        version = f" (version {event.version})" if event.version > 1 else ""
        found.append(
            _record(
                SECTIONS[4],
                f"event:{event.id}",
                f"{kind_label(event.kind)}, {format_date(event.occurred_at.date())}, case "
                f"{references.get(event.case_id, '')}{version}",
                [
                    ("when", "When", event.occurred_at),
                    ("summary", "Summary", event.summary),
                    ("detail", "Detail", event.detail),
                    ("edit_reason", "Why it was corrected", event.edit_reason),
                ],
            )
        )
    for step in db.scalars(
        select(CaseStep).where(on_cases(CaseStep.case_id)).order_by(CaseStep.taken_on, CaseStep.id)
    ):
        found.append(
            _record(
                SECTIONS[5],
                f"step:{step.id}",
                f"{step.label}, {format_date(step.taken_on)}, case {references.get(step.case_id, '')}",
                [
                    ("taken", "Taken on", step.taken_on),
                    ("decided_by", "Decided by", step.decided_by),
                    (
                        "skip_authorised_by",
                        "Step skipped ahead, authorised by",
                        step.skip_authorised_by,
                    ),
                    ("skip_justification", "Why the step was taken early", step.skip_justification),
                    ("details", "Details", _details_text(step.details)),
                ],
            )
        )
    restrictions = db.scalars(
        select(Restriction)
        .where(or_(on_cases(Restriction.case_id), Restriction.person_id.in_(person_ids)))
        .order_by(Restriction.starts, Restriction.id)
    ).all()
    for r in restrictions:
        found.append(
            _record(
                SECTIONS[6],
                f"restriction:{r.id}",
                f"{_label(RestrictionKind, r.kind)}, case {references.get(r.case_id, '')}",
                [
                    ("state", "State", _label(RestrictionState, r.state)),
                    ("starts", "Starts", r.starts),
                    ("ends", "Ends", r.ends),
                    ("review_due", "Review due", r.review_due),
                    ("schools", "Schools", ", ".join(s.name for s in r.schools)),
                    ("named_contact", "Named contact", r.named_contact),
                    ("contact_role", "Contact's role", r.contact_role),
                    ("channels", "How you may get in touch", ", ".join(_json_list(r.channels))),
                    ("representations_deadline", "Representations by", r.representations_deadline),
                    ("representations_on", "Representations received", r.representations_on),
                    ("notes", "Notes", r.notes),
                ],
            )
        )
        for e in db.scalars(
            select(RestrictionEvent)
            .where(RestrictionEvent.restriction_id == r.id)
            .order_by(RestrictionEvent.on_date, RestrictionEvent.id)
        ):
            found.append(
                _record(
                    SECTIONS[6],
                    f"restriction_event:{e.id}",
                    f"{e.kind.replace('_', ' ').capitalize()}, {format_date(e.on_date)}",
                    [
                        ("by", "By", e.by_name),
                        ("outcome", "Outcome", e.outcome),
                        ("reasons", "Reasons", e.reasons),
                        ("starts", "Starts", e.starts),
                        ("ends", "Ends", e.ends),
                        ("review_due", "Review due", e.review_due),
                    ],
                )
            )
    for task in db.scalars(
        select(CaseTask)
        .where(on_cases(CaseTask.case_id))
        .order_by(CaseTask.created_at, CaseTask.id)
    ):
        found.append(
            _record(
                SECTIONS[7],
                f"task:{task.id}",
                f"Task, case {references.get(task.case_id, '')}",
                [
                    ("title", "Task", task.title),
                    ("notes", "Notes", task.notes),
                    ("due", "Due", task.due_on),
                    ("done", "Done", task.done_on),
                ],
            )
        )
    return found


def _json_list(text: str) -> list[str]:
    try:
        found = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(v).replace("_", " ") for v in found] if isinstance(found, list) else []


def _suffix(filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    return suffix if suffix[1:].isalnum() and len(suffix) <= 8 else ""


def _files(
    db: Session,
    case_ids: list[int],
    incident_ids: list[int],
    references: dict[int, str],
    read_file: Callable[[HeldFile], bytes],
    records: list[Record],
) -> tuple[HeldFile, ...]:
    """The letters and evidence files, with a record of each in `records`."""
    files: list[HeldFile] = []
    letters = db.execute(
        select(
            IssuedLetter.id,
            IssuedLetter.case_id,
            IssuedLetter.title,
            IssuedLetter.recipient_name,
            IssuedLetter.issued_on,
            IssuedLetter.signed_by,
            IssuedLetter.size,
            IssuedLetter.sha256,
        )
        .where(IssuedLetter.case_id.in_(case_ids))
        .order_by(IssuedLetter.issued_on, IssuedLetter.id)
    ).all()
    for number, row in enumerate(letters, start=1):
        held = HeldFile(
            FileKind.LETTER, row.id, f"letter:{row.id}", f"letters/L{number}.pdf",
            "application/pdf", row.size, row.sha256, None,
        )  # fmt: skip
        text = file_text(read_file(held), held.media_type)
        held = _with_text(held, text)
        files.append(held)
        records.append(
            _record(
                SECTIONS[8],
                held.record_key,
                f"Letter L{number}: {row.title}",
                [
                    ("case", "Case", references.get(row.case_id, "")),
                    ("title", "Letter", row.title),
                    ("issued", "Issued on", row.issued_on),
                    ("recipient", "To", row.recipient_name),
                    ("signed_by", "Signed by", row.signed_by),
                    ("text", "What it says", text or ""),
                ],
            )
        )
    evidence = db.execute(
        select(
            Evidence.id,
            Evidence.case_id,
            Evidence.filename,
            Evidence.media_type,
            Evidence.size,
            Evidence.sha256,
            Evidence.description,
            Evidence.added_at,
        )
        .where(or_(Evidence.case_id.in_(case_ids), Evidence.incident_id.in_(incident_ids)))
        .order_by(Evidence.added_at, Evidence.id)
    ).all()
    for number, item in enumerate(evidence, start=1):
        held = HeldFile(
            FileKind.EVIDENCE, item.id, f"evidence:{item.id}",
            f"evidence/E{number}{_suffix(item.filename)}", item.media_type, item.size, item.sha256,
            None,
        )  # fmt: skip
        if item.size <= SCAN_LIMIT:
            held = _with_text(held, file_text(read_file(held), item.media_type))
        files.append(held)
        records.append(
            _record(
                SECTIONS[9],
                held.record_key,
                f"Evidence E{number}",
                [
                    ("case", "Case", references.get(item.case_id, "")),
                    ("filename", "File name", item.filename),
                    ("description", "Description", item.description),
                    ("media_type", "Type", item.media_type),
                    ("size", "Size in bytes", item.size),
                    ("sha256", "SHA-256 fingerprint", item.sha256),
                    ("added", "Added", item.added_at),
                    ("in_bundle", "In the bundle as", held.name_in_zip),
                ],
            )
        )
    return tuple(files)


def _with_text(held: HeldFile, text: str | None) -> HeldFile:
    return HeldFile(
        held.kind, held.row_id, held.record_key, held.name_in_zip, held.media_type,
        held.size, held.sha256, text,
    )  # fmt: skip


def is_text_file(media_type: str) -> bool:
    return media_type.startswith("text/") or media_type in {"message/rfc822", "application/json"}


def file_text(data: bytes, media_type: str) -> str | None:
    """What a file says, where Casebook can read it: a text file, or a PDF's text layer."""
    if is_text_file(media_type):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("latin-1")
    if media_type == "application/pdf":
        import pypdfium2

        try:
            pdf = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError:
            return None
        try:
            return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        finally:
            pdf.close()
    return None


def _third_parties(
    db: Session, own_ids: Sequence[int], own_pupils: set[int]
) -> tuple[ThirdParty, ...]:
    """Everyone else whose name may appear in the records."""
    found: list[ThirdParty] = []
    staff_names = [
        *db.scalars(select(StaffMember.name)),
        *db.scalars(select(User.full_name)),
        *db.scalars(select(School.headteacher_name)),
        *db.scalars(select(Restriction.named_contact)),
        *db.scalars(select(IssuedLetter.signed_by)),
        *db.scalars(select(CaseStep.decided_by)),
        *db.scalars(select(CaseStep.skip_authorised_by)),
        *db.scalars(select(RestrictionEvent.by_name)),
    ]
    found += [ThirdParty(n, Party.STAFF) for n in staff_names if n and n.strip()]
    others = db.execute(
        select(Person.given_name, Person.family_name).where(Person.id.not_in(list(own_ids)))
    ).all()
    found += [ThirdParty(f"{g} {f}", Party.PARENT) for g, f in others]
    pupils = db.execute(select(Pupil.id, Pupil.given_name, Pupil.family_name)).all()
    found += [ThirdParty(f"{g} {f}", Party.PUPIL) for i, g, f in pupils if i not in own_pupils]
    described = db.scalars(
        select(IncidentParty.description).where(
            IncidentParty.staff_member_id.is_(None),
            IncidentParty.pupil_id.is_(None),
            IncidentParty.person_id.is_(None),
        )
    )
    found += [ThirdParty(d, Party.OTHER, whole_only=True) for d in described if d and d.strip()]
    return tuple(dict.fromkeys(found))
