"""What happened and where: channels, parties, agencies, the default category list, and the
checks an incident passes before it is recorded."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from desktop.domain.names import name_key
from desktop.domain.record_dates import check_not_too_early
from desktop.domain.text import clean_block, clean_line
from desktop.errors import ValidationError


class Channel(StrEnum):
    ON_SITE = "on_site"
    TELEPHONE = "telephone"
    EMAIL_OR_LETTER = "email_or_letter"
    SOCIAL_MEDIA = "social_media"
    COVERT_RECORDING = "covert_recording"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            Channel.ON_SITE: "On a school or trust site",
            Channel.TELEPHONE: "Telephone",
            Channel.EMAIL_OR_LETTER: "Email or letter",
            Channel.SOCIAL_MEDIA: "Social media or a public website",
            Channel.COVERT_RECORDING: "Covert audio or video recording",
            Channel.OTHER: "Another setting judged in scope",
        }[self]


class PartyRole(StrEnum):
    AFFECTED = "affected"
    STAFF_TARGETED = "staff_targeted"
    WITNESS = "witness"


class Agency(StrEnum):
    POLICE = "police"
    LADO = "lado"
    SOCIAL_CARE = "social_care"
    OFSTED = "ofsted"
    LEGAL_TEAM = "legal_team"
    SOCIAL_NETWORK = "social_network"

    @property
    def label(self) -> str:
        return {
            Agency.POLICE: "Police",
            Agency.LADO: "Local authority designated officer (LADO)",
            Agency.SOCIAL_CARE: "Social care / MASH referral",
            Agency.OFSTED: "Ofsted",
            Agency.LEGAL_TEAM: "Trust legal team",
            Agency.SOCIAL_NETWORK: "Social network abuse report",
        }[self]


# Casebook's own wording of the behaviours both source policies name. A trust edits its copy.
DEFAULT_BEHAVIOUR_CATEGORIES: tuple[str, ...] = (
    "Threat of violence or harm",
    "Abusive or offensive language, shouting or loss of temper",
    "Intimidation, coercion or humiliation",
    "Aggressive or disruptive conduct",
    "Harassment, bullying or causing distress",
    "Physical violence, injury or damage to property",
    "Discriminatory conduct or language",
    "Persistent unwarranted correspondence",
    "False, malicious or vexatious accusations",
    "Alcohol, drugs or smoking on site, or arriving intoxicated",
    "Confronting another parent or a child",
    "Abusive emails, texts or voicemails",
    "Online posts: defamatory, campaigning, photos, impersonation or naming staff",
    "Covert recording",
    "Unsafe driving near a school",
    "Animal brought on site without agreement",
    "Photographs on site without permission",
    "Inappropriate dress",
    "Encouraging others to behave in these ways",
    "Other breach of the law or school policy",
)


# -- Checking an incident before it is recorded ---------------------------------------------
MAX_DESCRIPTION_LENGTH = 20_000
MAX_PARTY_NAME_LENGTH = 200  # matches the stored party description
CLOCK_SLACK = dt.timedelta(minutes=5)  # a laptop clock a little behind the server's is not an error
# Harassment under the Protection from Harassment Act 1997 needs conduct on at least two
# occasions; Casebook counts separate recorded incidents (see `course_of_conduct`).
COURSE_OF_CONDUCT_MINIMUM = 2

Category = TypeVar("Category", bound=Hashable)  # a category id or name, as the caller keeps it
IncidentId = TypeVar("IncidentId", bound=Hashable)


@dataclass(frozen=True)
class CheckedIncident(Generic[Category]):
    """An incident's details as they will be kept: cleaned, de-duplicated, in order typed."""

    occurred_at: dt.datetime
    description: str
    categories: tuple[Category, ...]
    channel: Channel
    staff_targeted: tuple[str, ...]
    witnesses: tuple[str, ...]


def check_incident(
    occurred_at: dt.datetime,
    now: dt.datetime,
    description: str,
    categories: Iterable[Category],
    channel: str,
    *,
    staff_targeted: Iterable[str] = (),
    witnesses: Iterable[str] = (),
) -> CheckedIncident[Category]:
    """Refuse an incident that cannot be right; return it cleaned when it can.

    Raises ValidationError naming the field at fault: a time before 1900 or in the future
    (beyond a few minutes of clock difference), no description or one longer than the limit
    (long documents belong in the evidence, where they keep their form), no behaviour
    category, or a channel Casebook does not know. `occurred_at` and `now` must both carry a time zone.
    """
    if occurred_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("incident times must be timezone-aware")
    check_not_too_early(occurred_at, field="occurred_at")
    if occurred_at > now + CLOCK_SLACK:
        raise ValidationError(
            "The incident's date and time are in the future. Check the date, the time and "
            "AM or PM.",
            "occurred_at",
        )
    text = clean_block(
        description, field="description", label="The description", max_length=sys.maxsize
    )
    if not text:
        raise ValidationError("Describe what happened.", "description")
    if len(text) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError(
            f"The description is {len(text):,} characters; the limit is "
            f"{MAX_DESCRIPTION_LENGTH:,}. Attach long documents as evidence instead.",
            "description",
        )
    chosen = tuple(dict.fromkeys(categories))
    if not chosen:
        raise ValidationError("Choose at least one kind of behaviour.", "categories")
    try:
        how = Channel(channel)
    except ValueError:
        raise ValidationError(
            "Choose how the behaviour happened from the list.", "channel"
        ) from None
    return CheckedIncident(
        occurred_at=occurred_at,
        description=text,
        categories=chosen,
        channel=how,
        staff_targeted=clean_names(staff_targeted, field="staff_targeted"),
        witnesses=clean_names(witnesses, field="witnesses"),
    )


def clean_names(names: Iterable[str], *, field: str) -> tuple[str, ...]:
    """People's names, each cleaned, blanks dropped, and repeats (however spelt) removed.

    Two entries are the same person when their name keys agree ("J. O'Brien" and "j obrien"):
    the first spelling typed is kept.
    """
    kept: dict[str, str] = {}
    for raw in names:
        name = clean_line(
            raw, field=field, label="A name", max_length=MAX_PARTY_NAME_LENGTH, required=False
        )
        if name:
            kept.setdefault(name_key(name) or name, name)
    return tuple(kept.values())


# -- Patterns across incidents ---------------------------------------------------------------
def incidents_per_target(
    incidents: Iterable[tuple[IncidentId, dt.date, Iterable[str]]],
) -> dict[str, list[tuple[IncidentId, dt.date]]]:
    """Each person targeted, with the incidents against them in date order.

    Input is (incident id, date it happened, names targeted). Names are grouped by their key,
    so "Mrs O'Brien" in one record and "Mrs OBrien" in another are one person, shown as first
    spelt; an incident naming someone twice counts once. Targets appear in first-seen order.
    """
    spelling: dict[str, str] = {}
    found: dict[str, dict[IncidentId, dt.date]] = {}
    for incident_id, day, targets in incidents:
        for target in targets:
            name = " ".join(target.split())
            if not name:
                continue
            key = name_key(name) or name
            spelling.setdefault(key, name)
            found.setdefault(key, {}).setdefault(incident_id, day)
    return {
        spelling[key]: sorted(by_id.items(), key=lambda item: item[1])
        for key, by_id in found.items()
    }


def course_of_conduct(
    incidents: Iterable[tuple[IncidentId, dt.date]], *, separate_days: bool = False
) -> bool:
    """Whether incidents against one person could amount to a course of conduct.

    The rule: two or more separate recorded incidents against the same person. Two incidents
    on one day count (a phone call in the morning, a confrontation at pick-up), because the
    Act speaks of occasions, not days; pass `separate_days=True` to ask for different dates.
    This flags a pattern for the trust's legal team; it is not a legal finding.
    """
    rows = list(incidents)
    occasions = {day for _id, day in rows} if separate_days else {i for i, _day in rows}
    return len(occasions) >= COURSE_OF_CONDUCT_MINIMUM


def needs_referral_first(immediate_threat: bool, referral_recorded: bool) -> bool:
    """True when the police or legal-team referral must be recorded before anything else.

    Behaviour that threatens someone's immediate safety goes straight to the police and/or
    the trust's legal team; no warning or other step of the ladder comes first.
    """
    return immediate_threat and not referral_recorded
