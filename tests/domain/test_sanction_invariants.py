"""The sanctions' four invariants (issue 8), over random sequences of actions and dates.

`test_bar_lifecycle` checks each event as it is applied; here every accepted sequence is also
read on random days between and after its events, and replayed from its kept events, so
what a person sees on any day agrees with the rules:

1. no restriction in force lacks an end date and a review date;
2. every skip has an authoriser of an allowed role and a justification;
3. a bar is confirmed only once representations are recorded or their deadline has passed;
4. a restriction past its end (or review date) without a review decision is reported as
   overdue, never silently in force or silently lifted.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.bar_lifecycle import apply, replay
from desktop.domain.ladder import SkipAuthority, StepRecord, check_step, skipped_steps
from desktop.domain.policy import Profile, Step, load_profile, policies_dir
from desktop.domain.restrictions import review_overdue
from desktop.domain.roles import Role
from desktop.domain.sanctions import (
    AskedToLeave,
    BarNotice,
    Event,
    NoticeKind,
    Outcome,
    Period,
    PeriodReview,
    Phase,
    PlanIssued,
    RepresentationsReceived,
    ReviewDecision,
    Sanction,
    Status,
    facts,
    status,
)
from desktop.errors import NotPermitted, ValidationError

PROFILES = [load_profile(policies_dir() / f) for f in ("graduated_sanctions.toml",)]
PROFILES.append(load_profile(policies_dir() / "conversation_first.toml"))
START = dt.date(2026, 1, 5)
SCHOOLS = ("Ash Primary",)
ROLES = st.sampled_from(list(Role))
OFFSET = st.integers(-5, 100).map(lambda n: dt.timedelta(days=n))
MAYBE_DATE = st.one_of(st.none(), OFFSET, OFFSET, OFFSET)


@st.composite
def actions(draw: st.DrawFn, on: dt.date) -> Event:
    """Any event on `on`: mostly with roles and dates the procedure allows, now and then
    with any role and any dates around it (those are refused, and change nothing)."""
    kind = draw(st.sampled_from(["asked", "notice", "issue", "reps", "decide", "period"] * 2))
    sane = draw(st.integers(0, 3)) > 0
    by = Role.TRUST_LEADER if sane else draw(ROLES)
    if kind == "asked":
        return AskedToLeave(on, by, SCHOOLS)
    if kind == "reps":
        return RepresentationsReceived(on, by)
    if sane:
        deadline = on + dt.timedelta(days=draw(st.integers(10, 20)))
        review = deadline + dt.timedelta(days=draw(st.integers(0, 60)))
        ends = review + dt.timedelta(days=draw(st.integers(0, 30)))
        starts = on
    else:
        starts, ends, review, deadline = (on + draw(OFFSET) - dt.timedelta(days=5) for _ in "1234")
    if kind == "issue":
        return PlanIssued(on, by, SCHOOLS, Period(starts, ends, review))
    if kind == "notice":
        notice = draw(st.sampled_from(list(NoticeKind)))
        return BarNotice(on, by, notice, SCHOOLS, Period(starts, ends, review), deadline)
    outcome = draw(st.sampled_from(list(Outcome)))
    reasons = draw(st.sampled_from(["", " "] + ["Set out in the letter."] * (6 if sane else 1)))
    new_ends: dt.date | None = ends
    new_review: dt.date | None = review
    if not sane:
        late_ends, late_review = (draw(MAYBE_DATE) for _ in range(2))
        new_ends = None if late_ends is None else on + late_ends
        new_review = None if late_review is None else on + late_review
    if kind == "decide":
        return ReviewDecision(on, by, outcome, reasons, new_ends, new_review)
    return PeriodReview(on, by, outcome, reasons, new_ends, new_review)


def check_day(sanction: Sanction, today: dt.date) -> None:
    """Invariants 1 and 4 for a sanction read on `today`."""
    binding = facts(sanction)
    seen = status(sanction, today)
    if sanction.in_force:
        assert binding is not None and binding.ends is not None and binding.review_due is not None
        late = min(binding.ends, binding.review_due) < today
        assert (seen is Status.REVIEW_OVERDUE) == late
        assert review_overdue(binding, today, None) == late
        assert seen not in (Status.LIFTED, Status.ENDED)
    if seen in (Status.LIFTED, Status.ENDED):
        assert sanction.phase in (Phase.LIFTED, Phase.ENDED)  # only a decision does that


def check_confirmation(before: Sanction | None, event: Event, after: Sanction) -> None:
    """Invariant 3: the first decision putting a bar in force waits for representations or
    the deadline."""
    if before is None or before.phase not in (Phase.NOTICE, Phase.REPRESENTATIONS):
        return
    if after.phase is Phase.IN_FORCE:
        deadline = before.representations_deadline
        assert deadline is not None
        assert before.representations_on is not None or event.on > deadline


def _step(profile: Profile, bar: bool) -> Step:
    return profile.step("bar" if bar else "communication_plan")


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    profile=st.sampled_from(PROFILES),
    bar=st.booleans(),
    gaps=st.lists(st.integers(0, 40), min_size=1, max_size=12),
)
def test_any_sequence_of_actions_and_dates_keeps_the_invariants(
    data: st.DataObject, profile: Profile, bar: bool, gaps: list[int]
) -> None:
    step = _step(profile, bar)
    sanction: Sanction | None = None
    kept: list[Event] = []
    on = START
    for gap in gaps:
        on += dt.timedelta(days=gap)
        event = data.draw(actions(on))
        try:
            after = apply(sanction, event, profile=profile, step=step)
        except ValidationError as refused:
            assert refused.field and str(refused)  # refused in words, naming a field
            continue
        check_confirmation(sanction, event, after)
        kept.append(event)
        sanction = after
        for probe in data.draw(st.lists(st.integers(-10, 400), max_size=4)):
            check_day(sanction, on + dt.timedelta(days=probe))
    if sanction is not None:
        assert replay(kept, profile=profile, step=step) == sanction  # the stored history
        if sanction.in_force and sanction.period is not None:
            for after_end in (1, 30, 3650):
                check_day(sanction, sanction.period.ends + dt.timedelta(days=after_end))
                assert (
                    status(sanction, sanction.period.ends + dt.timedelta(days=after_end))
                    is Status.REVIEW_OVERDUE
                )


def test_the_day_check_can_fail() -> None:
    """A bar said to be in force with its review passed, yet read as not overdue, is caught."""
    profile = PROFILES[0]
    notice = BarNotice(
        START,
        Role.HEADTEACHER,
        NoticeKind.TEMPORARY,
        SCHOOLS,
        Period(START, START + dt.timedelta(days=60), START + dt.timedelta(days=20)),
        START + dt.timedelta(days=10),
    )
    noticed = apply(None, notice, profile=profile, step=_step(profile, True))
    check_day(noticed, START + dt.timedelta(days=5))
    lapsed = Sanction(**{**noticed.__dict__, "phase": Phase.LIFTED})
    with pytest.raises(AssertionError):
        check_confirmation(
            noticed,
            ReviewDecision(START + dt.timedelta(days=2), Role.TRUST_LEADER, Outcome.CONFIRM, "x"),
            Sanction(**{**noticed.__dict__, "phase": Phase.IN_FORCE}),
        )
    assert status(lapsed, START) is Status.LIFTED


# -- skips ------------------------------------------------------------------------------------
_AUTHORITY = st.one_of(
    st.none(),
    st.builds(
        SkipAuthority,
        st.sampled_from(["", "  ", "Casey Chair", "Dr A. Patel"]),
        ROLES,
        st.sampled_from(["", "   ", "\t", "Threats of violence at the gate."]),
    ),
)


@settings(max_examples=200, deadline=None)
@given(
    profile=st.sampled_from(PROFILES),
    history=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 99)), max_size=4),
    attempts=st.lists(
        st.tuples(st.integers(0, 99), _AUTHORITY, ROLES, ROLES, st.booleans()), max_size=10
    ),
)
def test_every_returned_record_with_a_skip_has_an_allowed_role_and_a_justification(
    profile: Profile,
    history: list[tuple[int, int]],
    attempts: list[tuple[int, SkipAuthority | None, Role, Role, bool]],
) -> None:
    """Records already on the case come from anywhere (an older profile, another kind);
    whatever is attempted on top, a returned record's skip is real and properly authorised."""
    day = START
    records = []
    for gap, pick in history:
        day += dt.timedelta(days=gap)
        chosen = profile.steps[pick % len(profile.steps)]
        records.append(StepRecord(chosen.id, chosen.kind, day, "0.9"))
    for pick, authority, recorder, decider, safety in attempts:
        step = profile.steps[pick % len(profile.steps)]
        skipped = skipped_steps(profile, records, step.id)
        try:
            record = check_step(
                profile,
                records,
                step.id,
                taken_on=day,
                recorded_by=recorder,
                decided_by=decider,
                skip=authority,
                immediate_safety=safety,
            )
        except (ValidationError, NotPermitted):
            continue
        assert (record.skip is not None) == bool(skipped)
        if record.skip is not None:
            assert record.skip.role in step.skip_to
            assert record.skip.authorised_by.strip()
            assert record.skip.justification.strip()
        records.append(record)
