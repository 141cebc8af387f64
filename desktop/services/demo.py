"""A sample trust full of invented cases, for trying Casebook out, for screenshots and timing.

Everyone in it is made up: names are drawn at random from short lists of common UK given
and family names, addresses use invented streets and postcodes, phone numbers come from
Ofcom's range reserved for drama and email addresses use the reserved example.org domain.
The same seed and `today` always give the same trust, people and cases.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from desktop.dates import UK, uk_today
from desktop.domain.cases import CaseStatus, Stage, format_reference
from desktop.domain.incidents import Agency, Channel, PartyRole
from desktop.domain.people import Relationship
from desktop.domain.roles import Role
from desktop.errors import ValidationError
from desktop.services import audit
from desktop.services import demo_data as data
from desktop.services.demo_casefiles import add_case_files
from desktop.services.demo_sanctions import add_sanctions
from desktop.services.session import UserSession
from desktop.services.setup import (
    AdminDraft,
    SchoolDraft,
    TrustDraft,
    build_store,
)
from desktop.services.users import add_user
from desktop.storage import models as m
from desktop.storage.store import SAMPLE_META_KEY

SAMPLE_PASSWORD = "casebook-sample"  # nosec B105  # published with the invented sample: not a secret
SAMPLE_PASSWORD_RULE = (
    f"The sample's accounts share the password \u201c{SAMPLE_PASSWORD}\u201d, unless another "
    "was set in CASEBOOK_PASSWORD when the sample was made."
)
MAX_CASES = 100_000
# The sample reaches three years back and a year or two ahead of its `today`.
SAMPLE_YEARS = range(2000, 2100)
CHUNK = 1000
PROGRESS_MESSAGE = "Creating sample cases"
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class DemoResult:
    path: Path
    usernames: tuple[str, ...]
    password: str
    cases: int


SAMPLE_TRUST = TrustDraft(
    "Riverside Learning Trust",
    "Trust Office, 2 Mill Lane\nRiverside\nRS1 2AA",
    None,
    (
        SchoolDraft("Riverside Primary School", "Church Road\nRiverside\nRS1 4BT", "Helen Marsh"),
        SchoolDraft("Millbrook Academy", "Millbrook Lane\nRiverside\nRS3 7QD", "Daniel Okafor"),
        SchoolDraft(
            "St Anne's CE Primary School", "Vicarage Walk\nNorthby\nRS5 1HE", "Claire Wood"
        ),  # noqa: E501
        SchoolDraft(
            "Kingsmead Infant School", "Kingsmead Avenue\nSouthfield\nRS8 3NL", "Martin Hale"
        ),  # noqa: E501
    ),
)

# username, full name, role, schools (positions in SAMPLE_TRUST), staff post (school, title).
SAMPLE_ACCOUNTS: tuple[tuple[str, str, Role, tuple[int, ...], tuple[int | None, str]], ...] = (
    ("admin", "Rachel Doyle", Role.DATA_PROTECTION_LEAD, (), (None, "Data protection officer")),
    ("frontdesk", "Sam Turner", Role.FRONT_DESK, (0,), (0, "Receptionist")),
    ("manager", "Joanne Price", Role.BUSINESS_MANAGER, (0, 1), (0, "School business manager")),
    ("head", "Helen Marsh", Role.HEADTEACHER, (0,), (0, "Headteacher")),
    ("ceo", "Andrew Collins", Role.TRUST_LEADER, (), (None, "Chief executive officer")),
    ("auditor", "Nadia Rahman", Role.AUDITOR, (), (None, "Internal auditor")),
)


def create_demo_store(
    path: Path,
    *,
    cases: int = 200,
    seed: int = 1,
    password: str = SAMPLE_PASSWORD,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> DemoResult:
    """Make a complete sample store of invented cases, or leave nothing behind.

    Every role gets an account (all with `password`), so each view of the app can be tried.
    Cases are written in bulk, a thousand per transaction, so 10,000 take seconds.
    """
    if isinstance(cases, bool) or not isinstance(cases, int) or not 0 <= cases <= MAX_CASES:
        raise ValidationError(f"Choose between 0 and {MAX_CASES:,} sample cases.", "cases")
    today = today or uk_today()
    if today.year not in SAMPLE_YEARS:
        raise ValidationError(
            f"Date the sample from {SAMPLE_YEARS[0]} to {SAMPLE_YEARS[-1]}: "
            f"{today.isoformat()} is too far from now.",
            "today",
        )
    report = progress or (lambda done, total, message: None)
    report(0, cases, "Setting up the sample trust")
    admin_name = SAMPLE_ACCOUNTS[0][1]

    def build(session: UserSession) -> None:
        rng = random.Random(seed)  # nosec B311  # invents sample data; nothing secret is drawn
        builder = _Builder(session, rng, today)
        with session.transaction(write=True) as db:
            db.add(m.StoreMeta(key=SAMPLE_META_KEY, value="yes"))
            audit.record(db, session.actor, "store.marked_sample")
        _add_accounts(session, builder, password)
        dates = _opening_dates(rng, today, cases)
        for start in range(0, cases, CHUNK):
            with session.transaction(write=True) as db:
                for opened_on in dates[start : start + CHUNK]:
                    builder.add_case(opened_on)
                builder.write(db)
            report(min(start + CHUNK, cases), cases, PROGRESS_MESSAGE)
        if not cases:
            report(0, 0, PROGRESS_MESSAGE)
        add_sanctions(session, rng, today)
        add_case_files(session, rng, today)

    build_store(path, build, trust=SAMPLE_TRUST, admin=AdminDraft("admin", admin_name, password))
    return DemoResult(path, tuple(a[0] for a in SAMPLE_ACCOUNTS), password, cases)


def _add_accounts(session: UserSession, builder: _Builder, password: str) -> None:
    school_ids = builder.school_ids
    for username, full_name, role, schools, _post in SAMPLE_ACCOUNTS[1:]:
        add_user(
            session,
            username=username,
            full_name=full_name,
            role=role.value,
            school_ids=[school_ids[i] for i in schools],
            password=password,
        )
    with session.transaction(write=True) as db:
        builder.add_staff(db)


def _opening_dates(rng: random.Random, today: dt.date, count: int) -> list[dt.date]:
    """Case opening dates over the last three years, on weekdays, oldest first."""
    dates = []
    for _ in range(count):
        day = today - dt.timedelta(days=rng.randint(1, 3 * 365))
        if day.weekday() >= 5:  # a weekend report is logged on the Friday before
            day -= dt.timedelta(days=day.weekday() - 4)
        dates.append(day)
    dates.sort()
    return dates


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    """A UK wall-clock time on `day`, as the aware UTC moment the store keeps."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UK).astimezone(dt.UTC)


def _minutes(rng: random.Random, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(minutes=rng.randint(low, high))


# (occurred_at, kind, summary, recorded_at): one line of a case's chronology.
_Event = tuple[dt.datetime, str, str, dt.datetime]


class _Builder:
    """Collects a chunk of cases as rows with ids assigned here, then bulk-inserts them."""

    TABLES: tuple[Any, ...] = (
        *(m.Person, m.PersonVoluntaryRole, m.Pupil, m.PersonPupil, m.Case, m.case_schools),
        *(m.Incident, m.incident_categories, m.IncidentParty, m.IncidentAgency, m.CaseEvent),
    )
    _COUNTED: tuple[Any, ...] = (
        *(m.Person, m.PersonVoluntaryRole, m.Pupil, m.Case, m.Incident, m.IncidentParty),
        *(m.IncidentAgency, m.CaseEvent, m.StaffMember),
    )

    def __init__(self, session: UserSession, rng: random.Random, today: dt.date) -> None:
        self.session, self.rng, self.today = session, rng, today
        self.admin_id = session.actor.user_id
        self.limit = _at(today, 0, 0)  # every sample event happens before `today` begins
        self.school_year = today.year if today.month >= 9 else today.year - 1
        with session.transaction() as db:
            self.trust_id = db.scalar(select(m.Trust.id))
            by_name = {name: id_ for name, id_ in db.execute(select(m.School.name, m.School.id))}
            self.school_ids = [by_name[s.name] for s in SAMPLE_TRUST.schools]
            self.category_ids = list(
                db.scalars(select(m.BehaviourCategory.id).order_by(m.BehaviourCategory.position))
            )
            self.next_ids = {
                table: (db.scalar(select(func.max(table.id))) or 0) + 1 for table in self._COUNTED
            }
            self.next_sequence: dict[int, int] = {}
        self.staff: list[list[tuple[int, str]]] = [[] for _ in self.school_ids]
        self.rows: dict[Any, list[dict[str, Any]]] = {table: [] for table in self.TABLES}
        self.opened: list[int] = []

    def _id(self, table: Any) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def _name(self) -> tuple[str, str]:
        return self.rng.choice(data.ADULT_NAMES), self.rng.choice(data.FAMILY_NAMES)

    def add_staff(self, db: Session) -> None:
        """Trust officers and ten staff per school; each sample account is linked to its post."""
        fixed = {post: name for _user, name, _role, _schools, post in SAMPLE_ACCOUNTS}
        officers = ("Chief executive officer", "Data protection officer", "Internal auditor")
        posts: list[tuple[int | None, str, str]] = [(None, title, "") for title in officers]
        posts += [(i, t, p) for i in range(len(self.school_ids)) for t, p in data.STAFF_POSTS]
        rows, links = [], {}
        for index, (school, title, phrase) in enumerate(posts):
            if school is not None and title == "Headteacher":
                name = SAMPLE_TRUST.schools[school].headteacher_name
            else:
                name = fixed.get((school, title)) or " ".join(self._name())
            staff_id = self._id(m.StaffMember)
            email = name.lower().replace(" ", ".").replace("'", "") + "@riverside.example.org"
            rows.append(
                {
                    "id": staff_id,
                    "trust_id": self.trust_id,
                    "school_id": None if school is None else self.school_ids[school],
                    "name": name,
                    "job_title": title,
                    "email": email,
                    "phone": f"01632 960{index:03d}",  # Ofcom's range for drama
                    "active": True,
                }
            )
            if school is not None:
                self.staff[school].append((staff_id, phrase))
            links.update({a[0]: staff_id for a in SAMPLE_ACCOUNTS if a[4] == (school, title)})
        db.execute(insert(m.StaffMember), rows)
        for username, staff_id in links.items():
            db.execute(
                update(m.User).where(m.User.username == username).values(staff_member_id=staff_id)
            )
        audit.writer_for(db).add(self.session.actor, "staff.added", detail={"count": len(rows)})

    def add_case(self, opened_on: dt.date) -> None:
        """One case: its subject, their children, what happened, and what was done about it."""
        rng = self.rng
        case_id = self._id(m.Case)
        schools = rng.choices(
            range(len(self.school_ids)), weights=[f[4] for f in data.SCHOOL_FACTS]
        )
        if rng.random() < 0.06:
            schools.append(rng.choice([i for i in range(len(self.school_ids)) if i != schools[0]]))
        relation, _weight, pupil_relation = rng.choices(
            data.RELATIONS, [r[1] for r in data.RELATIONS]
        )[0]
        safety = rng.random() < 0.03
        incidents = self._add_incidents(case_id, opened_on, schools, safety)
        created_at = incidents[0][3]
        person_id = self._add_person(relation, pupil_relation, schools, created_at)
        events = list(incidents)
        stage = self._ladder(incidents, safety, events)
        status, closed_on, reason = CaseStatus.OPEN, None, ""
        last_day = max(e[0] for e in events).astimezone(UK).date()
        if (self.today - last_day).days > 14 and rng.random() < 0.3:
            days = rng.randint(14, 120)
            closed_on = min(last_day + dt.timedelta(days=days), self.today - dt.timedelta(days=1))
            reason = rng.choice(data.CLOSE_ANY + tuple(filter(None, [data.CLOSE_AFTER.get(stage)])))
            closed_at = _at(closed_on, 15, rng.randint(0, 59))
            events.append((closed_at, "case_closed", f"Case closed. {reason}", closed_at))
            status, stage = CaseStatus.CLOSED, Stage.RESOLVED
        year = opened_on.year
        self.next_sequence[year] = sequence = self.next_sequence.get(year, 0) + 1
        self.rows[m.Case].append(
            {
                "id": case_id,
                "reference": format_reference(year, sequence),
                "ref_year": year,
                "ref_sequence": sequence,
                "subject_id": person_id,
                "status": status.value,
                "stage": stage.value,
                "summary": incidents[0][2].removeprefix("Incident recorded: ") + ".",
                "opened_on": opened_on,
                "opened_reason": "",
                "closed_on": closed_on,
                "closed_reason": reason,
                "created_by_id": self.admin_id,
                "created_at": created_at,
            }
        )
        for school in dict.fromkeys(schools):
            link = {"case_id": case_id, "school_id": self.school_ids[school]}
            self.rows[m.case_schools].append(link)
        made = {r["occurred_at"]: r["id"] for r in self.rows[m.Incident][-len(incidents) :]}  # ids
        for at, kind, summary, recorded_at in sorted(events):
            event_id = self._id(m.CaseEvent)
            self.rows[m.CaseEvent].append(
                {
                    "id": event_id,
                    "root_id": event_id,
                    "case_id": case_id,
                    "occurred_at": at,
                    "kind": kind,
                    "summary": summary,
                    "detail": "",
                    "supersedes_id": None,
                    "incident_id": made.get(at) if kind == "incident_recorded" else None,
                    "recorded_by_id": self.admin_id,
                    "recorded_at": recorded_at,
                }
            )
        self.opened.append(case_id)

    def _add_person(
        self,
        relation: Relationship,
        pupil_relation: Relationship,
        schools: list[int],
        created_at: dt.datetime,
    ) -> int:
        rng = self.rng
        given, family = self._name()
        town, district = data.SCHOOL_FACTS[schools[0]][:2]
        inward = (
            f"{rng.randint(1, 9)}{rng.choice(data.INWARD_LETTERS)}{rng.choice(data.INWARD_LETTERS)}"
        )
        street = f"{rng.randint(1, 180)} {rng.choice(data.STREETS)}"
        email = f"{given}.{family}{rng.randint(1, 99)}@example.org".lower().replace("'", "")
        person_id = self._id(m.Person)
        self.rows[m.Person].append(
            {
                "id": person_id,
                "trust_id": self.trust_id,
                "given_name": given,
                "family_name": family,
                "relation": relation.value,
                "address": f"{street}\n{town}\nRS{district} {inward}",
                "email": email if rng.random() < 0.6 else "",
                "phone": f"07700 900{rng.randint(0, 999):03d}" if rng.random() < 0.8 else "",
                "notes": "",
                "created_at": created_at,
            }
        )
        if relation is not Relationship.VISITOR and rng.random() < 0.055:
            role = {"person_id": person_id, "role": rng.choice(data.VOLUNTARY).value}
            role.update(id=self._id(m.PersonVoluntaryRole), school_id=self.school_ids[schools[0]])
            self.rows[m.PersonVoluntaryRole].append(role)
        count = 1 if relation is Relationship.VISITOR else rng.choices((1, 2, 3), (55, 33, 12))[0]
        for _ in range(count):
            school = rng.choice(schools)
            year_group = rng.randint(*data.SCHOOL_FACTS[school][2:4])
            born = dt.date(self.school_year - year_group - 5, 9, 1)
            pupil_id = self._id(m.Pupil)
            self.rows[m.Pupil].append(
                {
                    "id": pupil_id,
                    "school_id": self.school_ids[school],
                    "given_name": rng.choice(data.CHILD_NAMES),
                    "family_name": family if rng.random() < 0.85 else rng.choice(data.FAMILY_NAMES),
                    "date_of_birth": born + dt.timedelta(days=rng.randint(0, 364)),
                    "year_group": f"Year {year_group}" if year_group else "Reception",
                }
            )
            link = {"person_id": person_id, "pupil_id": pupil_id}
            self.rows[m.PersonPupil].append(link | {"relation": pupil_relation.value})
        return person_id

    def _add_incidents(
        self, case_id: int, opened_on: dt.date, schools: list[int], safety: bool
    ) -> list[_Event]:
        """One to three incidents, the first on the day the case opened; chronology lines."""
        rng = self.rng
        day, lines = opened_on, []
        for number in range(rng.choices((1, 2, 3), (60, 28, 12))[0]):
            if number:
                day += dt.timedelta(days=rng.randint(3, 75))
                if day >= self.today:
                    break
            urgent = safety and number == 0
            templates = data.SAFETY_TEMPLATES if urgent else data.TEMPLATES
            pattern = rng.choices(templates, [t.weight for t in templates])[0]
            channel = pattern.channel
            hour = (
                rng.choice((8, 8, 14, 15, 15)) if channel is Channel.ON_SITE else rng.randint(7, 21)
            )
            occurred = _at(day, hour, rng.randint(0, 59))
            recorded = occurred + _minutes(rng, 15, 180)
            staff = self.staff[rng.choice(schools)]
            target = rng.choice(staff[1:]) if rng.random() < 0.85 else staff[0]
            incident_id = self._id(m.Incident)
            self.rows[m.Incident].append(
                {
                    "id": incident_id,
                    "case_id": case_id,
                    "occurred_at": occurred,
                    "channel": channel.value,
                    "location": rng.choice(pattern.locations),
                    "description": pattern.description.format(staff=target[1]),
                    "immediate_safety": urgent,
                    "recorded_by_id": self.admin_id,
                    "recorded_at": recorded,
                }
            )
            categories = [self.category_ids[i] for i in pattern.categories]
            if len(categories) < 3 and rng.random() < 0.25:
                categories.append(rng.choice(self.category_ids))
            for category_id in dict.fromkeys(categories):
                link = {"incident_id": incident_id, "category_id": category_id}
                self.rows[m.incident_categories].append(link)
            parties = (
                [(PartyRole.STAFF_TARGETED, target)] if "{staff}" in pattern.description else []
            )
            if rng.random() < 0.5:
                witness = rng.choice([s for s in staff if s != target])
                parties.append((PartyRole.WITNESS, witness))
            for role, (staff_id, _phrase) in parties:
                self.rows[m.IncidentParty].append(
                    {
                        "id": self._id(m.IncidentParty),
                        "incident_id": incident_id,
                        "role": role.value,
                        "staff_member_id": staff_id,
                        "pupil_id": None,
                        "person_id": None,
                        "description": "",
                    }
                )
            self._add_agencies(incident_id, day, channel, urgent)
            lines.append(
                (occurred, "incident_recorded", f"Incident recorded: {pattern.summary}", recorded)
            )
        return lines

    def _add_agencies(self, incident_id: int, day: dt.date, channel: Channel, urgent: bool) -> None:
        rng = self.rng
        if urgent:
            agencies = [Agency.POLICE] + ([Agency.LEGAL_TEAM] if rng.random() < 0.5 else [])
        elif channel is Channel.SOCIAL_MEDIA and rng.random() < 0.3:
            agencies = [Agency.SOCIAL_NETWORK]
        elif rng.random() < 0.04:
            agencies = [rng.choice((Agency.POLICE, Agency.LADO, Agency.SOCIAL_CARE))]
        else:
            return
        for agency in agencies:
            informed = min(day + dt.timedelta(days=0 if urgent else rng.randint(0, 2)), self.today)
            self.rows[m.IncidentAgency].append(
                {
                    "id": self._id(m.IncidentAgency),
                    "incident_id": incident_id,
                    "agency": agency.value,
                    "informed_on": informed,
                    "reference": f"{agency.value[:3].upper()}-{rng.randint(10000, 99999)}",
                }
            )

    def _ladder(self, incidents: list[_Event], safety: bool, events: list[_Event]) -> Stage:
        """Steps taken after the incidents (appended to `events`); returns the case's stage."""
        rng = self.rng
        if safety:  # the referral comes first, before any step on the ladder
            at = incidents[0][0] + _minutes(rng, 20, 90)
            events.append((at, "police_or_legal_referral", data.SAFETY_REFERRAL, at))
            return Stage.POLICE_OR_LEGAL_REFERRAL
        roll = rng.random()
        if roll < 0.40:
            return Stage.CONCERN_LOGGED
        first_day = incidents[0][0].astimezone(UK).date()
        warned = _at(first_day + dt.timedelta(days=rng.randint(1, 7)), rng.randint(9, 16), 0)
        if warned >= self.limit:
            return Stage.CONCERN_LOGGED
        events.append((warned, "verbal_warning", data.WARNING, warned + _minutes(rng, 5, 90)))
        if roll < 0.75:
            return Stage.VERBAL_WARNING
        if roll < 0.95:
            met = _at(warned.date() + dt.timedelta(days=rng.randint(7, 28)), 10, 30)
            if met >= self.limit:
                return Stage.VERBAL_WARNING
            events.append((met, "mediation", data.MEDIATION, met + _minutes(rng, 60, 240)))
            return Stage.MEDIATION
        last_day = incidents[-1][0].astimezone(UK).date()
        referred = _at(last_day + dt.timedelta(days=rng.randint(1, 5)), rng.randint(9, 16), 0)
        if referred >= self.limit:
            return Stage.VERBAL_WARNING
        events.append((referred, "police_or_legal_referral", data.LEGAL_REFERRAL, referred))
        return Stage.POLICE_OR_LEGAL_REFERRAL

    def write(self, db: Session) -> None:
        """Insert the collected rows, parents before children, and audit each new case."""
        for table in self.TABLES:
            rows = self.rows[table]
            if rows:
                db.execute(insert(table), rows)
                rows.clear()
        writer = audit.writer_for(db)
        for case_id in self.opened:
            writer.add(self.session.actor, "case.opened", case_id=case_id, detail={"sample": True})
        self.opened.clear()
