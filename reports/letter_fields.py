"""The fields a letter template may use: what each one is called, what kind of value it
holds, a sample case for previews, and the filters that turn values into letter text.

Field values are plain data: text, `datetime.date`, lists of text, or lists of incidents
(mappings with a `date` and a `summary`). They are checked here before a template sees
them, so a wrong value is named in words a business manager understands instead of
failing half-way through a letter.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from desktop.errors import ValidationError
from reports.letters import long_date

FieldKind = Literal["text", "date", "list", "incidents", "choice"]


@dataclass(frozen=True)
class FieldSpec:
    """One field: `label` finishes the sentence "This letter needs ..."."""

    name: str
    label: str
    kind: FieldKind = "text"
    choices: tuple[str, ...] = ()


def _spec(name: str, label: str, kind: FieldKind = "text", *choices: str) -> FieldSpec:
    return FieldSpec(name, label, kind, tuple(choices))


FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        _spec("recipient_name", "the recipient's name"),
        _spec("reference", "the case reference"),
        _spec("school_name", "the school's name"),
        _spec("trust_name", "the trust's name"),
        _spec("children", "the names of the children at the school", "list"),
        _spec("incident_date", "the date of the incident", "date"),
        _spec("behaviour", "a description of the behaviour"),
        _spec("warned_by", "who spoke to the person (name and role)"),
        _spec("warning_date", "the date of the conversation", "date"),
        _spec("meeting_date", "the meeting date", "date"),
        _spec("meeting_time", "the meeting time"),
        _spec("meeting_place", "where the meeting will be held"),
        _spec("meeting_with", "who will hold the meeting (name and role)"),
        _spec("reasons", "the reasons for the decision"),
        _spec("incidents", "the incidents the decision relies on", "incidents"),
        _spec("contact_name", "the named contact"),
        _spec("contact_role", "the named contact's role"),
        _spec("contact_email", "the email address to use"),
        _spec("contact_phone", "the telephone number to use"),
        _spec("allowed_form", "the form contact must take"),
        _spec("phone_times", "the days and times the school can be telephoned"),
        _spec("plan_start", "the date the plan starts", "date"),
        _spec("plan_end", "the date the plan ends", "date"),
        _spec("review_date", "the review date", "date"),
        _spec(
            "bar_kind", "whether the bar is in force or intended", "choice", "temporary", "intended"
        ),
        _spec("bar_start", "the date the bar starts", "date"),
        _spec("bar_end", "the last day of the bar", "date"),
        _spec("new_bar_end", "the new last day of a renewed bar", "date"),
        _spec("representations_by", "the date representations are due", "date"),
        _spec("drop_off", "the arrangement for bringing the child to school"),
        _spec("representations_received", "the date the representations arrived", "date"),
        _spec("decision_by", "the date a decision is expected", "date"),
        _spec("reviewed_by", "who reviewed the decision (role)"),
        _spec("review_outcome", "the outcome of the review", "choice", "lifted", "renewed"),
        _spec("post_site", "the website or social network"),
        _spec("post_date", "the date the post appeared", "date"),
        _spec("post_description", "a description of the post"),
        _spec("post_address", "the web address of the post"),
        _spec("removal_by", "the date the post should be removed by", "date"),
        _spec("recording_date", "the date of the recording", "date"),
        _spec("recording_context", "what was recorded, and how"),
    )
}


def field_spec(name: str) -> FieldSpec:
    """The spec of a field; a name outside the catalogue is plain text described by name."""
    return FIELDS.get(name) or FieldSpec(name, name.replace("_", " "))


def is_blank(value: object) -> bool:
    """True for a value that says nothing: None, empty or whitespace text, an empty list."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, (list, tuple)) and not value


def check_value(name: str, value: object) -> None:
    """Refuse a value of the wrong kind for its field, naming the field."""
    spec = field_spec(name)
    problem: str | None = None
    if spec.kind == "date":
        if not isinstance(value, datetime.date):
            problem = "should be a date"
    elif spec.kind == "list":
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            problem = "should be a list of text"
    elif spec.kind == "incidents":
        if not isinstance(value, (list, tuple)) or not all(_is_incident(v) for v in value):
            problem = "should be a list of incidents, each with a date and a summary"
    elif spec.kind == "choice":
        if value not in spec.choices:
            problem = "should be one of: " + ", ".join(spec.choices)
    elif not isinstance(value, str):
        problem = "should be text"
    if problem:
        raise ValidationError(f"In this letter, {spec.label} ({name}) {problem}.", field=name)


def _is_incident(value: object) -> bool:
    return (
        isinstance(value, Mapping)
        and isinstance(value.get("date"), datetime.date)
        and isinstance(value.get("summary"), str)
    )


# Filters a template may use. Each takes plain data and returns text.


def uk_date(value: datetime.date) -> str:
    """A date in short British form: `26/11/2026`."""
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def and_list(items: Sequence[str]) -> str:
    """Items joined the way a sentence lists them: `A, B and C`."""
    names = [str(item) for item in items]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def duration(start: datetime.date, end: datetime.date) -> str:
    """How long a period lasts, counting both its first and its last day: `12 weeks`,
    `1 week and 3 days` or `5 days`."""
    days = (end - start).days + 1
    if days < 1:
        return "0 days"
    weeks, rest = divmod(days, 7)
    parts = []
    if weeks:
        parts.append(f"{weeks} week" + ("s" if weeks != 1 else ""))
    if rest:
        parts.append(f"{rest} day" + ("s" if rest != 1 else ""))
    return " and ".join(parts)


FILTERS: dict[str, Callable[..., str]] = {
    "long_date": long_date,
    "uk_date": uk_date,
    "and_list": and_list,
    "duration": duration,
}
"""Our own filters; `letter_templates` adds a short list of Jinja's harmless text filters."""


def sample_fields() -> dict[str, object]:
    """A made-up case with every field filled, for a template preview and for tests."""
    day = datetime.date
    return {
        "recipient_name": "Ms Zoë Ñúñez-O'Brien",
        "reference": "RIV-2026-0042",
        "school_name": "Riverside Primary Academy",
        "trust_name": "Riverside Learning Trust",
        "children": ["Mateo Ñúñez-O'Brien", "Lucía Ñúñez-O'Brien"],
        "incident_date": day(2026, 11, 3),
        "behaviour": "raising your voice and swearing at a member of staff at the school gate",
        "warned_by": "Mrs Priya Shah, Deputy Headteacher",
        "warning_date": day(2026, 11, 4),
        "meeting_date": day(2026, 12, 2),
        "meeting_time": "3.30pm",
        "meeting_place": "the meeting room at Riverside Primary Academy",
        "meeting_with": "Dr Amelia Hart, Headteacher",
        "reasons": "Staff were shouted at and sworn at in front of pupils on two occasions, "
        "after you had been asked to raise concerns with the school office.",
        "incidents": [
            {"date": day(2026, 11, 3), "summary": "Shouting and swearing at the school gate."},
            {"date": day(2026, 11, 17), "summary": "An abusive telephone call to the office."},
        ],
        "contact_name": "Mr Daniel Okafor",
        "contact_role": "School Business Manager",
        "contact_email": "d.okafor@riverside.example.org",
        "contact_phone": "01234 567890",
        "allowed_form": "in writing, by email to the address below",
        "phone_times": "Tuesdays and Thursdays, 9.30am to 10.30am",
        "plan_start": day(2026, 12, 1),
        "plan_end": day(2027, 2, 28),
        "review_date": day(2027, 2, 22),
        "bar_kind": "temporary",
        "bar_start": day(2026, 12, 1),
        "bar_end": day(2027, 2, 22),
        "new_bar_end": day(2027, 5, 21),
        "representations_by": day(2026, 12, 15),
        "drop_off": "Mr Ñúñez will bring the children to the school gate and collect them.",
        "representations_received": day(2026, 12, 10),
        "decision_by": day(2027, 1, 8),
        "reviewed_by": "the Chief Executive Officer",
        "review_outcome": "renewed",
        "post_site": "Facebook",
        "post_date": day(2026, 11, 20),
        "post_description": "a post naming a member of staff and making claims about them",
        "post_address": "https://www.facebook.com/groups/example/posts/123",
        "removal_by": day(2026, 11, 27),
        "recording_date": day(2026, 11, 12),
        "recording_context": "a meeting with the class teacher on a mobile phone",
    }
