"""An injunction referral's life: referred to the legal team, legal advice given, an
application made to the court, then granted or refused; it may be withdrawn at any point
before the court decides.

An injunction under the Protection from Harassment Act 1997 rests on a course of conduct,
so a referral needs two or more recorded incidents against the same named person
(`incidents.course_of_conduct`). That check flags a pattern for the legal team; whether it
amounts to harassment is theirs and the court's to say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from desktop.dates import format_date
from desktop.domain.cases import Stage
from desktop.domain.incidents import course_of_conduct
from desktop.domain.ladder import StageMark, check_decider
from desktop.domain.policy import Profile, Step, StepKind
from desktop.domain.roles import Role
from desktop.domain.text import clean_line
from desktop.errors import ValidationError


class InjunctionState(StrEnum):
    REFERRED = "referred"
    ADVICE = "legal_advice"
    APPLIED = "applied"
    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            InjunctionState.REFERRED: "Referred to the legal team",
            InjunctionState.ADVICE: "Legal advice received",
            InjunctionState.APPLIED: "Application made to the court",
            InjunctionState.GRANTED: "Injunction granted",
            InjunctionState.REFUSED: "Injunction refused",
            InjunctionState.WITHDRAWN: "Withdrawn",
        }[self]


_NEXT: Mapping[InjunctionState, frozenset[InjunctionState]] = {
    InjunctionState.REFERRED: frozenset({InjunctionState.ADVICE, InjunctionState.WITHDRAWN}),
    InjunctionState.ADVICE: frozenset({InjunctionState.APPLIED, InjunctionState.WITHDRAWN}),
    InjunctionState.APPLIED: frozenset(
        {InjunctionState.GRANTED, InjunctionState.REFUSED, InjunctionState.WITHDRAWN}
    ),
}
_STAGES = {
    InjunctionState.REFERRED: Stage.INJUNCTION_REFERRAL,
    InjunctionState.ADVICE: Stage.INJUNCTION_REFERRAL,
    InjunctionState.APPLIED: Stage.INJUNCTION_APPLICATION,
    InjunctionState.GRANTED: Stage.INJUNCTION_GRANTED,
    InjunctionState.REFUSED: Stage.INJUNCTION_REFUSED,
    InjunctionState.WITHDRAWN: Stage.INJUNCTION_WITHDRAWN,
}


@dataclass(frozen=True)
class Injunction:
    """An injunction referral as it stands. `targets`: the people the incidents were aimed
    at, each with a course of conduct on record when it was referred."""

    step_id: str
    profile_version: str
    state: InjunctionState
    referred_on: dt.date
    changed_on: dt.date
    legal_contact: str
    targets: tuple[str, ...]


def next_states(state: InjunctionState) -> frozenset[InjunctionState]:
    """Where a referral may go from `state`; empty once the matter is over."""
    return _NEXT.get(state, frozenset())


def people_harassed(
    incidents_by_target: Mapping[str, Sequence[tuple[Hashable, dt.date]]],
) -> tuple[str, ...]:
    """The people with two or more recorded incidents against them, in the order given
    (the input is `incidents.incidents_per_target`'s answer)."""
    return tuple(name for name, rows in incidents_by_target.items() if course_of_conduct(rows))


def refer(
    *,
    on: dt.date,
    by: Role,
    profile: Profile,
    step: Step,
    legal_contact: str,
    incidents_by_target: Mapping[str, Sequence[tuple[Hashable, dt.date]]],
) -> Injunction:
    """Start a referral, or refuse it with what is missing."""
    if step.kind is not StepKind.INJUNCTION_REFERRAL:
        raise ValueError(f"step {step.id!r} is not an injunction referral")
    check_decider(by, step.authorise, "a referral for an injunction")
    contact = clean_line(legal_contact, field="legal_contact", label="The legal contact")
    targets = people_harassed(incidents_by_target)
    if not targets:
        raise ValidationError(
            "An injunction for harassment needs a course of conduct: two or more recorded "
            "incidents against the same named person. Record the incidents and who they were "
            "aimed at, or choose another sanction.",
            "incidents",
        )
    return Injunction(
        step_id=step.id,
        profile_version=profile.version,
        state=InjunctionState.REFERRED,
        referred_on=on,
        changed_on=on,
        legal_contact=contact,
        targets=targets,
    )


def advance(
    injunction: Injunction, to: InjunctionState, *, on: dt.date, by: Role, step: Step
) -> Injunction:
    """Record the referral's next state, or refuse a move it cannot make."""
    check_decider(by, step.take, "the progress of an injunction referral")
    if on < injunction.changed_on:
        raise ValidationError(
            f"This is dated {format_date(on)}, before the last recorded change "
            f"({format_date(injunction.changed_on)}). Check the date.",
            "on",
        )
    allowed = next_states(injunction.state)
    if to not in allowed:
        if not allowed:
            why = f"the matter is over ({injunction.state.label.lower()})"
        else:
            options = " or ".join(s.label.lower() for s in InjunctionState if s in allowed)
            why = f"from {injunction.state.label.lower()} it can only be: {options}"
        raise ValidationError(f"The referral cannot be marked {to.label.lower()}: {why}.", "status")
    return replace(injunction, state=to, changed_on=on)


def stage_mark(injunction: Injunction) -> StageMark:
    """The referral's stage, for `ladder.case_stage`. An injunction is the court's order,
    not one of Casebook's restrictions, so it never counts as in force here."""
    return StageMark(stage=_STAGES[injunction.state], changed_on=injunction.changed_on)
