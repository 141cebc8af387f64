"""An incident as the case window, the CLI and the chronology read it: plain records, and
the words its chronology entry holds.

Kept apart from `desktop.services.incidents` (the operations) so that each stays short.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.dates import format_date, format_datetime
from desktop.domain.chronology import EventKind
from desktop.domain.incidents import Agency, Channel, PartyRole
from desktop.services.categories import CategoryRef
from desktop.services.chronology import MAX_SUMMARY_LENGTH
from desktop.services.event_versions import current_versions
from desktop.storage.models import CaseEvent, Incident, IncidentParty, School, StaffMember, User


@dataclass(frozen=True)
class AgencyReport:
    """An agency told about an incident: which, when, and their reference."""

    agency: str
    informed_on: dt.date | None = None
    reference: str = ""

    @property
    def label(self) -> str:
        try:
            return Agency(self.agency).label
        except ValueError:
            return self.agency.replace("_", " ").capitalize()


@dataclass(frozen=True)
class StaffRef:
    """A member of staff who can be named as targeted; `school` is "" for trust staff."""

    id: int
    name: str
    job_title: str
    school: str

    @property
    def label(self) -> str:
        where = self.school or "Trust"
        return f"{self.name} ({self.job_title}, {where})" if self.job_title else self.name


@dataclass(frozen=True)
class IncidentRow:
    id: int
    case_id: int
    occurred_at: dt.datetime
    channel: str
    location: str
    description: str
    categories: tuple[CategoryRef, ...]
    staff_targeted: tuple[StaffRef, ...]
    witnesses: tuple[str, ...]
    people_affected: tuple[str, ...]
    agencies: tuple[AgencyReport, ...]
    immediate_threat: bool
    recorded_by: str
    recorded_at: dt.datetime
    event_id: int | None  # its chronology entry, the version in force
    versions: int

    @property
    def channel_label(self) -> str:
        try:
            return Channel(self.channel).label
        except ValueError:
            return self.channel.replace("_", " ").capitalize()

    @property
    def edited(self) -> bool:
        return self.versions > 1


@dataclass(frozen=True)
class TargetSummary:
    """One member of staff targeted, the incidents against them (date order), and whether
    they could amount to a course of conduct (flagged for the legal team; not a finding)."""

    staff: StaffRef
    incidents: tuple[tuple[int, dt.date], ...]
    course_of_conduct: bool

    @property
    def count(self) -> int:
        return len(self.incidents)


# -- its chronology entry -------------------------------------------------------------------
def entry_words(row: IncidentRow) -> tuple[str, str]:
    """The (summary, detail) of an incident's chronology entry: every detail, in words, so
    the entry's earlier versions keep what the incident said at the time."""
    kinds = "; ".join(c.name for c in row.categories)
    summary = f"Incident: {kinds}"
    if len(summary) > MAX_SUMMARY_LENGTH:
        summary = summary[: MAX_SUMMARY_LENGTH - 1].rstrip() + "\u2026"
    lines = [row.description, "", f"How: {row.channel_label}"]
    if row.location:
        lines.append(f"Where: {row.location}")
    lines.append(f"Behaviour: {kinds}")
    if row.staff_targeted:
        lines.append("Staff targeted: " + "; ".join(s.label for s in row.staff_targeted))
    if row.witnesses:
        lines.append("Witnesses: " + "; ".join(row.witnesses))
    if row.people_affected:
        lines.append("People affected: " + "; ".join(row.people_affected))
    for agency in row.agencies:
        told = f", told {format_date(agency.informed_on)}" if agency.informed_on else ""
        ref = f", reference {agency.reference}" if agency.reference else ""
        lines.append(f"Agency informed: {agency.label}{told}{ref}")
    if row.immediate_threat:
        lines.append("Immediate threat to safety: yes")
    return summary, "\n".join(lines)


def incident_entry(
    incident: Incident, row: IncidentRow, kind: str = EventKind.INCIDENT.value
) -> CaseEvent:
    """A version of the incident's chronology entry telling what `row` says, to be added
    with `add_version` (recording one, changing one, or a case's first incident)."""
    summary, detail = entry_words(row)
    return CaseEvent(
        case_id=incident.case_id,
        occurred_at=incident.occurred_at,
        kind=kind,
        summary=summary,
        detail=detail,
        incident_id=incident.id,
    )


def fingerprint(row: IncidentRow) -> str:
    """The incident as one text for the chronology's "has anything changed?" rule: every
    detail plus the description's digest, so a long description does not hit the entry
    length limit (the description has its own). Blank lines are left out, as the rule's own
    cleaning leaves them out of the new text."""
    summary, detail = entry_words(row)
    digest = hashlib.sha256(row.description.encode("utf-8")).hexdigest()
    rest = detail.removeprefix(row.description)
    text = f"{summary}\n{format_datetime(row.occurred_at)}\n{digest}\n{rest}"
    return "\n".join(line for line in text.split("\n") if line.strip())


def incident_rows(db: Session, incidents: Sequence[Incident]) -> list[IncidentRow]:
    ids = [i.id for i in incidents]
    staff_ids = {p.staff_member_id for i in incidents for p in i.parties if p.staff_member_id}
    staff = staff_refs(db, staff_ids)
    users = {i.recorded_by_id for i in incidents if i.recorded_by_id is not None}
    names = dict(db.execute(select(User.id, User.full_name).where(User.id.in_(users))).all())
    events: dict[int, CaseEvent] = {}
    for found in db.scalars(current_versions().where(CaseEvent.incident_id.in_(ids))):
        assert found.incident_id is not None
        held = events.get(found.incident_id)
        if held is None or found.version > held.version:
            events[found.incident_id] = found
    out = []
    for incident in incidents:
        event = events.get(incident.id)
        by_role: dict[str, list[IncidentParty]] = defaultdict(list)
        for party in sorted(incident.parties, key=lambda p: p.id):
            by_role[party.role].append(party)
        out.append(
            IncidentRow(
                id=incident.id,
                case_id=incident.case_id,
                occurred_at=incident.occurred_at,
                channel=incident.channel,
                location=incident.location,
                description=incident.description,
                categories=tuple(
                    CategoryRef(c.id, c.name)
                    for c in sorted(incident.categories, key=lambda c: (c.position, c.id))
                ),
                staff_targeted=tuple(
                    staff[p.staff_member_id]
                    for p in by_role[PartyRole.STAFF_TARGETED.value]
                    if p.staff_member_id in staff
                ),
                witnesses=tuple(party_name(p, staff) for p in by_role[PartyRole.WITNESS.value]),
                people_affected=tuple(
                    party_name(p, staff) for p in by_role[PartyRole.AFFECTED.value]
                ),
                agencies=tuple(
                    AgencyReport(a.agency, a.informed_on, a.reference)
                    for a in sorted(incident.agencies, key=lambda a: a.id)
                ),
                immediate_threat=incident.immediate_safety,
                recorded_by=names.get(incident.recorded_by_id or 0, "Unknown"),
                recorded_at=incident.recorded_at,
                event_id=event.id if event else None,
                versions=event.version if event else 1,
            )
        )
    return out


def party_name(party: IncidentParty, staff: dict[int, StaffRef]) -> str:
    """A witness or person affected by name (the sample trust names staff as witnesses)."""
    if party.staff_member_id in staff:
        return staff[party.staff_member_id].name
    return party.description


def staff_refs(db: Session, ids: Iterable[int | None]) -> dict[int, StaffRef]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    rows = db.execute(
        select(StaffMember.id, StaffMember.name, StaffMember.job_title, School.name)
        .outerjoin(School, School.id == StaffMember.school_id)
        .where(StaffMember.id.in_(wanted))
    ).all()
    return {r[0]: StaffRef(r[0], r[1], r[2], r[3] or "") for r in rows}
