"""The escalation ladder: where a case stands, what comes next and why, and whether a chosen
step skips others.

The ladder is sequential but skippable. The next step is the lowest rung above the highest
one reached; starting higher passes over earlier rungs, and that skip needs someone whose
role the profile allows to authorise it, with a written justification, both kept with the
step. Optional steps (a mediation meeting "where it helps") may be passed over freely.
When an incident threatens someone's immediate safety and no referral to the police or the
legal team is recorded, that referral comes before anything else.

Everything here works on plain records of what was done, so it can be checked without a
database; each record keeps the profile version it was taken under, and a later profile
places an old record by its step id or, failing that, by its kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from desktop.dates import format_date
from desktop.domain.cases import Stage
from desktop.domain.incidents import needs_referral_first
from desktop.domain.policy import Profile, Step, StepKind
from desktop.domain.roles import Role
from desktop.domain.text import clean_block, clean_line
from desktop.errors import NotPermitted, ValidationError

MAX_JUSTIFICATION_LENGTH = 4000


@dataclass(frozen=True)
class SkipAuthority:
    """Who authorised starting a step early, their role, and why."""

    authorised_by: str
    role: Role
    justification: str


@dataclass(frozen=True)
class StepRecord:
    """One step taken on a case, as kept: `skip` is set exactly when the step was a skip."""

    step_id: str
    kind: StepKind
    taken_on: dt.date
    profile_version: str
    skip: SkipAuthority | None = None


@dataclass(frozen=True)
class Standing:
    """Where a case stands on the ladder of a profile."""

    rung: int  # the highest rung reached; 0 before any ladder step
    last_step: StepRecord | None  # the latest ladder step, by date then order recorded
    referral_recorded: bool  # a police or legal-team referral is on record


@dataclass(frozen=True)
class Recommendation:
    """The step Casebook suggests next, with a reason a person can read.

    `step` is None at the top of the ladder. `referral_first` marks the safety referral,
    which must be recorded before any ladder step."""

    step: Step | None
    reason: str
    alternatives: tuple[Step, ...] = ()
    referral_first: bool = False


@dataclass(frozen=True)
class StageMark:
    """A sanction's contribution to a case's stage: its stage, the day it last changed, and
    whether it binds the person now (a bar or plan in force)."""

    stage: Stage
    changed_on: dt.date
    in_force: bool = False


def _ordered(records: Iterable[StepRecord]) -> list[StepRecord]:
    """Records by date; records on one day keep the order they were made in."""
    return sorted(records, key=lambda r: r.taken_on)


def rung_of(profile: Profile, record: StepRecord) -> int | None:
    """The rung a recorded step stands on in `profile`; None if alongside or unplaceable.

    A step keeps its place when its id is still on the ladder with the same kind; a step
    renamed or dropped since is placed by its kind, at that kind's lowest rung.
    """
    step = profile.find_step(record.step_id)
    if step is not None and step.kind is record.kind:
        return step.rung
    same = [s.rung for s in profile.ladder if s.kind is record.kind]
    return same[0] if same else None


def where_case_stands(profile: Profile, records: Iterable[StepRecord]) -> Standing:
    """The highest rung reached, the latest ladder step, and whether a referral is recorded."""
    rows = _ordered(records)
    on_ladder = [(r, rung) for r in rows if (rung := rung_of(profile, r)) is not None]
    return Standing(
        rung=max((rung for _r, rung in on_ladder), default=0),
        last_step=on_ladder[-1][0] if on_ladder else None,
        referral_recorded=any(r.kind is StepKind.POLICE_OR_LEGAL_REFERRAL for r in rows),
    )


def _quote(step: Step) -> str:
    return f'"{step.label}"'


def _names(steps: Iterable[Step]) -> str:
    labels = [_quote(s) for s in steps]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " or " + labels[-1]


def recommend(
    profile: Profile, records: Iterable[StepRecord], *, immediate_safety: bool
) -> Recommendation:
    """The next step and why. `immediate_safety`: the case has an incident that threatens
    someone's immediate safety."""
    rows = list(records)
    standing = where_case_stands(profile, rows)
    if needs_referral_first(immediate_safety, standing.referral_recorded):
        return Recommendation(
            step=profile.safety_referral,
            reason=(
                "An incident on this case threatens someone's immediate safety and no referral "
                "is recorded yet. Refer it to the police or the trust's legal team first; "
                "the ladder comes after."
            ),
            referral_first=True,
        )
    last = standing.last_step
    if last is None:
        where = "No step on the ladder has been taken yet"
    else:
        done = profile.find_step(last.step_id) or _kind_step(profile, last.kind)
        where = f"The last step on the ladder was {_quote(done)} on {format_date(last.taken_on)}"
    if standing.rung >= len(profile.rungs):
        top = profile.rungs[-1]
        return Recommendation(
            step=None,
            reason=(
                f"{where}, and the case has reached the top of the ladder. Keep any "
                f"restriction under review; {_names(top)} may still be added."
            ),
            alternatives=top,
        )
    rung = profile.rungs[standing.rung]
    step, alternatives = rung[0], rung[1:]
    reason = f"{where}; the next step is {_quote(step)}."
    if alternatives:
        reason += f" {_names(alternatives)} may be chosen instead at the same level."
    if all(s.optional for s in rung):
        after = _next_required(profile, standing.rung + 1)
        reason += " It is optional" + (
            f": {_names(after)} may follow without counting as a skip." if after else "."
        )
    if last is not None and last.kind is StepKind.WRITTEN_WARNING:
        reason += " A further written warning may also be issued."
    return Recommendation(step=step, reason=reason, alternatives=alternatives)


def _kind_step(profile: Profile, kind: StepKind) -> Step:
    return next(s for s in profile.ladder if s.kind is kind)


def _next_required(profile: Profile, from_rung: int) -> tuple[Step, ...]:
    """The first rung above `from_rung` (counted from 1) that is not wholly optional."""
    for rung in profile.rungs[from_rung:]:
        if not all(s.optional for s in rung):
            return rung
    return ()


def skipped_steps(
    profile: Profile, records: Iterable[StepRecord], step_id: str
) -> tuple[Step, ...]:
    """The required steps that taking `step_id` now would pass over; empty when it is no skip.

    Going back down the ladder, repeating a step, or a step alongside the ladder never skips.
    """
    step = profile.step(step_id)
    if step.rung is None:
        return ()
    reached = where_case_stands(profile, records).rung
    between = profile.rungs[reached : step.rung - 1]
    return tuple(s for rung in between if not all(x.optional for x in rung) for s in rung)


def is_skip(profile: Profile, records: Iterable[StepRecord], step_id: str) -> bool:
    return bool(skipped_steps(profile, records, step_id))


def _role(role: Role) -> str:
    """A role's label mid-sentence: "trust leader (CEO or Chair)"."""
    return role.label[:1].lower() + role.label[1:]


def role_names(roles: Iterable[Role]) -> str:
    """Roles for a message, in their listed order: "headteacher or trust leader (CEO or Chair)"."""
    labels = [_role(r) for r in Role if r in set(roles)]
    if len(labels) <= 1:
        return "".join(labels) or "no role"
    return ", ".join(labels[:-1]) + " or " + labels[-1]


def check_decider(by: Role, roles: frozenset[Role], action: str) -> None:
    """Refuse a decision by someone whose role the profile does not allow for `action`."""
    if by not in roles:
        raise ValidationError(
            f"Under this procedure only a {role_names(roles)} may decide {action}, not a "
            f"{_role(by)}. Choose who decided it from those roles.",
            "decided_by",
        )


def check_skip(step: Step, skipped: Sequence[Step], skip: SkipAuthority | None) -> SkipAuthority:
    """The skip's authority, cleaned; ValidationError naming what is missing or not allowed."""
    passed = _names(skipped).replace(" or ", " and ")
    if skip is None:
        raise ValidationError(
            f"{_quote(step)} passes over {passed}. Say who authorised starting there and why.",
            "skip_authorised_by",
        )
    name = clean_line(
        skip.authorised_by, field="skip_authorised_by", label="The name of who authorised it"
    )
    if skip.role not in step.skip_to:
        raise ValidationError(
            f"{name} is recorded as {_role(skip.role)}; under this procedure only a "
            f"{role_names(step.skip_to)} may authorise starting at {_quote(step)}. Choose "
            "someone with that role, or take the earlier steps first.",
            "skip_role",
        )
    why = clean_block(
        skip.justification,
        field="skip_justification",
        label="The justification",
        max_length=MAX_JUSTIFICATION_LENGTH,
    )
    if not why:
        raise ValidationError(
            f"Write why the behaviour warrants starting at {_quote(step)} without {passed}.",
            "skip_justification",
        )
    return SkipAuthority(authorised_by=name, role=skip.role, justification=why)


def check_step(
    profile: Profile,
    records: Iterable[StepRecord],
    step_id: str,
    *,
    taken_on: dt.date,
    recorded_by: Role,
    decided_by: Role,
    skip: SkipAuthority | None = None,
    immediate_safety: bool = False,
) -> StepRecord:
    """Check a chosen step and return the record to keep, or refuse it with a reason.

    `recorded_by` is the user's role (NotPermitted unless the profile lets it take the step);
    `decided_by` is the role of whoever decides and signs it. A skip needs `skip`; on a step
    that skips nothing, any `skip` given is dropped, so a record's `skip` marks a real skip.
    """
    rows = list(records)
    step = profile.step(step_id)
    if recorded_by not in step.take:
        raise NotPermitted(
            f"Your role ({recorded_by.label}) cannot record {_quote(step)} under this "
            f"procedure; ask a {role_names(step.take)}."
        )
    check_decider(decided_by, step.authorise, _quote(step))
    standing = where_case_stands(profile, rows)
    if step.kind is not StepKind.POLICE_OR_LEGAL_REFERRAL and needs_referral_first(
        immediate_safety, standing.referral_recorded
    ):
        raise ValidationError(
            "An incident on this case threatens someone's immediate safety. Record "
            f"{_quote(profile.safety_referral)} first, then {_quote(step)}.",
            "step",
        )
    skipped = skipped_steps(profile, rows, step_id)
    authority = check_skip(step, skipped, skip) if skipped else None
    return StepRecord(
        step_id=step.id,
        kind=step.kind,
        taken_on=taken_on,
        profile_version=profile.version,
        skip=authority,
    )


# -- the stage a case shows ----------------------------------------------------------------
_BAR_STAGES = frozenset({Stage.BAR_NOTICE, Stage.BAR_REPRESENTATIONS, Stage.BAR_CONFIRMED})


def case_stage(records: Sequence[StepRecord], marks: Iterable[StageMark] = ()) -> Stage:
    """The stage a case shows.

    A bar or plan binding the person wins (a bar before a plan; the later-changed if two);
    otherwise the latest thing that happened: a step with a stage of its own, or a change in
    a sanction's life. A case with neither shows "concern logged". Closing a case (RESOLVED)
    is the services' business.
    """
    sanctions = list(marks)
    binding = [m for m in sanctions if m.in_force]
    if binding:
        return max(binding, key=lambda m: (m.stage in _BAR_STAGES, m.changed_on)).stage
    events: list[tuple[dt.date, int, Stage]] = []
    for index, record in enumerate(_ordered(records)):
        if record.kind.stage is not None:
            events.append((record.taken_on, index, record.kind.stage))
    for index, mark in enumerate(sanctions, start=len(events)):
        events.append((mark.changed_on, index, mark.stage))
    return max(events)[2] if events else Stage.CONCERN_LOGGED
