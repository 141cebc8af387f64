"""`casebook case show`: one case file, as words or as JSON, for IT staff and scripts.

Everything comes through the same services the case window reads, so the command shows a
user exactly what their window would, and a case at another school is refused with the
same words as one that does not exist.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.cli.common import (
    Commands,
    add_command,
    add_group,
    db_option,
    plural,
    print_json,
    print_table,
    signed_in,
    store_path_for,
    user_option,
)

if TYPE_CHECKING:
    from desktop.domain.restrictions import RestrictionFacts
    from desktop.services.casefile import CaseHeader
    from desktop.services.chronology import EventRow
    from desktop.services.evidence import EvidenceRow
    from desktop.services.incident_records import IncidentRow
    from desktop.services.session import UserSession
    from desktop.services.tasks import TaskRow


CHRONOLOGY_HEADER = ("When", "Kind", "Entry", "Recorded by")


@dataclass(frozen=True)
class CaseFile:
    """What `case show` prints: the header and every record the case holds."""

    header: CaseHeader
    incidents: list[IncidentRow]
    events: list[EventRow]
    evidence: list[EvidenceRow]
    tasks: list[TaskRow]


def read_case_file(session: UserSession, reference: str) -> CaseFile:
    from desktop.services import casefile, cases, chronology, evidence, incidents, tasks

    case_id = cases.get_case(session, reference=reference).id
    return CaseFile(
        header=casefile.case_header(session, case_id=case_id),
        incidents=incidents.list_incidents(session, case_id=case_id),
        events=chronology.list_events(session, case_id=case_id),
        evidence=evidence.list_evidence(session, case_id=case_id),
        tasks=tasks.list_tasks(session, case_id=case_id),
    )


def cmd_case_show(args: argparse.Namespace) -> int:
    """Print one case: its header, restrictions, incidents and chronology."""
    path = store_path_for(args)
    with signed_in(path, args.user) as session:
        found = read_case_file(session, args.reference)
    if args.json:
        print_json(case_json(found))
    else:
        print_case(found)
    return 0


# -- JSON -------------------------------------------------------------------------------------
def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _moment(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def restriction_json(facts: RestrictionFacts) -> dict[str, Any]:
    """The same shape as `casebook check --json` gives each restriction."""
    return {
        "kind": facts.kind.value,
        "state": facts.state.value,
        "schools": list(facts.schools),
        "starts": facts.starts.isoformat(),
        "ends": _day(facts.ends),
        "review_due": _day(facts.review_due),
        "named_contact": facts.named_contact,
        "contact_role": facts.contact_role,
        "channels": list(facts.channels),
    }


def case_json(found: CaseFile) -> dict[str, Any]:
    header = found.header
    return {
        "reference": header.reference,
        "subject": header.subject,
        "schools": list(header.schools),
        "status": header.status,
        "stage": header.stage,
        "restrictions": [restriction_json(f) for f in header.restrictions],
        "incidents": [
            {
                "id": i.id,
                "occurred_at": _moment(i.occurred_at),
                "channel": i.channel,
                "location": i.location,
                "description": i.description,
                "categories": [c.name for c in i.categories],
                "staff_targeted": [s.name for s in i.staff_targeted],
                "witnesses": list(i.witnesses),
                "people_affected": list(i.people_affected),
                "agencies": [
                    {
                        "agency": a.agency,
                        "informed_on": _day(a.informed_on),
                        "reference": a.reference,
                    }
                    for a in i.agencies
                ],
                "immediate_threat": i.immediate_threat,
                "recorded_by": i.recorded_by,
                "recorded_at": _moment(i.recorded_at),
            }
            for i in found.incidents
        ],
        "events": [
            {
                "id": e.id,
                "kind": e.kind,
                "occurred_at": _moment(e.occurred_at),
                "summary": e.summary,
                "detail": e.detail,
                "recorded_by": e.recorded_by,
                "recorded_at": _moment(e.recorded_at),
                "version": e.version,
                "edited_by": e.edited_by if e.edited else None,
                "edited_at": _moment(e.edited_at) if e.edited else None,
            }
            for e in found.events
        ],
        "evidence": [
            {
                "id": f.id,
                "filename": f.filename,
                "media_type": f.media_type,
                "size": f.size,
                "sha256": f.sha256,
                "description": f.description,
                "added_by": f.added_by,
                "added_at": _moment(f.added_at),
            }
            for f in found.evidence
        ],
        "tasks": [
            {
                "id": t.id,
                "title": t.title,
                "notes": t.notes,
                "due_on": _day(t.due_on),
                "owner": t.owner,
                "done": t.done,
                "done_on": _day(t.done_on),
                "overdue": t.overdue,
            }
            for t in found.tasks
        ],
    }


# -- words ------------------------------------------------------------------------------------
def print_case(found: CaseFile) -> None:
    from desktop.dates import format_date, format_datetime, uk_today
    from desktop.domain.chronology import kind_label
    from desktop.domain.restrictions import applies_on, banner_line

    header = found.header
    today = uk_today()
    print(f"{header.reference}  {header.subject}")
    print(f"Schools:   {', '.join(header.schools)}")
    print(f"Status:    {header.status_label} · {header.stage_label}")
    opened = format_date(header.opened_on)
    if header.closed:
        opened += f"; closed {format_date(header.closed_on)}: {header.closed_reason}"
    print(f"Opened:    {opened}")
    children = "; ".join(
        f"{p.name} ({', '.join(x for x in (p.school, p.year_group) if x)})" for p in header.pupils
    )
    print(f"Children:  {children or 'none recorded'}")
    print()
    print("Restrictions:")
    print(f"  {header.banner}".replace("\n", "\n  "))
    for facts in header.restrictions:
        if not applies_on(facts, today):
            print(f"  From {format_date(facts.starts)}: {banner_line(facts, today)}")
    if header.review_overdue:
        print("  REVIEW OVERDUE")
    print()
    print(f"Incidents ({len(found.incidents)}):")
    for incident in found.incidents:
        where = f" · {incident.location}" if incident.location else ""
        print(f"  {format_datetime(incident.occurred_at)}  {incident.channel_label}{where}")
        print(f"    {'; '.join(c.name for c in incident.categories)}")
        if incident.staff_targeted:
            print(f"    Staff targeted: {'; '.join(s.name for s in incident.staff_targeted)}")
        for line in incident.description.split("\n"):
            print(f"    {line}")
    print()
    entries = len(found.events)
    print(f"Chronology ({entries:,} {'entry' if entries == 1 else 'entries'}):")
    rows = [
        (
            format_datetime(e.occurred_at),
            kind_label(e.kind),
            e.summary + (f" (edited, version {e.version})" if e.edited else ""),
            e.recorded_by,
        )
        for e in found.events
    ]
    if rows:
        print_table(CHRONOLOGY_HEADER, rows, shrink=((2,), (1,)))
    print()
    overdue = sum(t.overdue for t in found.tasks)
    print(
        f"Evidence: {plural(len(found.evidence), 'file')}. "
        f"Tasks: {len(found.tasks)}, {overdue} overdue."
    )


def register(commands: Commands) -> None:
    case = add_group(
        commands,
        "case",
        summary="show one case file",
        description="Work with one case file, found by its reference (CB-2026-0042).",
    )
    show = add_command(
        case,
        "show",
        cmd_case_show,
        summary="print a case: header, restrictions, incidents and chronology",
        description="Print one case the user may open: its subject, schools, status and "
        "stage, the restrictions in force or to come, its incidents and its chronology. "
        "The reference forgives its case and extra zeros (cb-2026-00042). With --json, an "
        "object with reference, subject, schools, status, stage, restrictions, incidents, "
        "events, evidence and tasks.",
    )
    db_option(show)
    user_option(show)
    show.add_argument("--json", action="store_true", help="print the case as JSON")
    show.add_argument("reference", help="the case's reference, for example CB-2026-0042")
