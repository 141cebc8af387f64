"""The lives of bars, communication plans and injunction referrals, and each source policy's
whole path through the pure rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.bar_lifecycle import apply, check_one_bar_per_school, check_period, replay
from desktop.domain.cases import Stage
from desktop.domain.incidents import incidents_per_target
from desktop.domain.injunctions import (
    InjunctionState,
    advance,
    next_states,
    refer,
)
from desktop.domain.injunctions import stage_mark as injunction_mark
from desktop.domain.ladder import SkipAuthority, StepRecord, case_stage, check_step, recommend
from desktop.domain.policy import Profile, Step, load_profile, policies_dir
from desktop.domain.restrictions import (
    RestrictionFacts,
    RestrictionKind,
    RestrictionState,
    applies_on,
    review_overdue,
)
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
    default_deadline,
    default_period,
    facts,
    may_confirm,
    review_is_overdue,
    stage_mark,
    status,
)
from desktop.errors import ValidationError

GRADUATED = load_profile(policies_dir() / "graduated_sanctions.toml")
CONVERSATION = load_profile(policies_dir() / "conversation_first.toml")
BAR = GRADUATED.step("bar")
PLAN = GRADUATED.step("communication_plan")
DAY = dt.date(2026, 9, 14)
SCHOOL = ("Oakfield Primary",)


def days(n: int) -> dt.date:
    return DAY + dt.timedelta(days=n)


def notice(**changes: object) -> BarNotice:
    event = BarNotice(
        on=DAY,
        by=Role.HEADTEACHER,
        notice=NoticeKind.TEMPORARY,
        schools=SCHOOL,
        period=Period(DAY, days(60), days(14)),
        representations_deadline=days(10),
    )
    return replace(event, **changes)  # type: ignore[arg-type]


def confirm(on: dt.date, **changes: object) -> ReviewDecision:
    event = ReviewDecision(
        on=on,
        by=Role.TRUST_LEADER,
        outcome=Outcome.CONFIRM,
        reasons="Threats to staff at the gate on two occasions.",
        ends=days(90),
        review_due=days(84),
    )
    return replace(event, **changes)  # type: ignore[arg-type]


def _bar(*events: Event, profile: Profile = GRADUATED) -> Sanction:
    return replay(events, profile=profile, step=profile.step("bar"))


def _refused(*events: Event, step_id: str = "bar") -> ValidationError:
    with pytest.raises(ValidationError) as info:
        replay(events, profile=GRADUATED, step=GRADUATED.step(step_id))
    return info.value


# -- the bar's path ---------------------------------------------------------------------


def test_asked_to_leave_is_an_event_not_a_bar() -> None:
    asked = _bar(AskedToLeave(DAY, Role.BUSINESS_MANAGER, SCHOOL))
    assert asked.phase is Phase.ASKED_TO_LEAVE
    assert asked.restriction_state is None and not asked.in_force
    assert facts(asked) is None
    assert status(asked, days(3)) is Status.AWAITING_NOTICE
    assert stage_mark(asked).stage is Stage.ASKED_TO_LEAVE


def test_a_temporary_bar_binds_at_once_pending_the_trust_review() -> None:
    bar = _bar(AskedToLeave(DAY, Role.BUSINESS_MANAGER, SCHOOL), notice())
    assert (bar.phase, bar.restriction_state) == (Phase.NOTICE, RestrictionState.PROVISIONAL)
    binding = facts(bar, named_contact="J. Smith", channels=("email",))
    assert binding is not None and applies_on(binding, days(5))
    assert status(bar, days(5)) is Status.AWAITING_REPRESENTATIONS
    assert status(bar, days(11)) is Status.READY_FOR_REVIEW
    assert stage_mark(bar).stage is Stage.BAR_NOTICE and stage_mark(bar).in_force


def test_a_notice_of_intent_binds_nothing_until_confirmed() -> None:
    bar = _bar(notice(notice=NoticeKind.INTENT, period=Period(days(7), days(60), days(14))))
    assert bar.restriction_state is None and facts(bar) is None
    confirmed = apply(bar, confirm(days(12)), profile=GRADUATED, step=BAR)
    assert confirmed.period == Period(days(12), days(90), days(84))  # from the decision on
    assert confirmed.restriction_state is RestrictionState.ACTIVE


def test_the_full_bar_path_confirm_renew_end() -> None:
    bar = _bar(notice())
    bar = apply(
        bar, RepresentationsReceived(days(6), Role.BUSINESS_MANAGER), profile=GRADUATED, step=BAR
    )
    assert (bar.phase, bar.representations_on) == (Phase.REPRESENTATIONS, days(6))
    assert stage_mark(bar).stage is Stage.BAR_REPRESENTATIONS
    bar = apply(bar, confirm(days(8)), profile=GRADUATED, step=BAR)  # representations are in
    assert bar.phase is Phase.IN_FORCE and bar.period_number == 1
    assert bar.period == Period(DAY, days(90), days(84))  # the temporary bar's start is kept
    assert stage_mark(bar).stage is Stage.BAR_CONFIRMED
    assert status(bar, days(50)) is Status.IN_FORCE
    renewal = PeriodReview(
        days(84), Role.TRUST_LEADER, Outcome.RENEW, "Further abuse.", days(150), days(140)
    )
    bar = apply(bar, renewal, profile=GRADUATED, step=BAR)
    assert bar.period == Period(days(91), days(150), days(140)) and bar.period_number == 2
    end = PeriodReview(days(140), Role.TRUST_LEADER, Outcome.END, "No further incidents.")
    bar = apply(bar, end, profile=GRADUATED, step=BAR)
    assert (bar.phase, bar.restriction_state) == (Phase.ENDED, RestrictionState.ENDED)
    assert not review_is_overdue(bar, days(400))
    assert stage_mark(bar) == replace(stage_mark(bar), stage=Stage.BAR_ENDED, in_force=False)


def test_a_late_renewal_cannot_reach_back() -> None:
    bar = _bar(notice(), confirm(days(11)))
    late = PeriodReview(
        days(100), Role.TRUST_LEADER, Outcome.RENEW, "Still needed.", days(160), days(150)
    )
    assert apply(bar, late, profile=GRADUATED, step=BAR).period == Period(
        days(100), days(160), days(150)
    )


def test_lifting_at_review_or_at_any_time() -> None:
    lift = ReviewDecision(days(3), Role.TRUST_LEADER, Outcome.LIFT, "Apology accepted.")
    bar = _bar(notice(), lift)  # lifting need not wait for the deadline
    assert (bar.phase, bar.restriction_state) == (Phase.LIFTED, RestrictionState.LIFTED)
    assert stage_mark(bar).stage is Stage.BAR_LIFTED
    varied = _bar(notice(), confirm(days(11)), replace(lift, on=days(30)))
    assert varied.phase is Phase.LIFTED


def test_varying_a_bar_changes_its_terms() -> None:
    two = ("Oakfield Primary", "Riverside Academy")
    bar = _bar(notice(schools=two), confirm(days(11)))
    vary = confirm(
        days(20), outcome=Outcome.VARY, ends=days(45), review_due=days(40), schools=SCHOOL
    )
    bar = apply(bar, vary, profile=GRADUATED, step=BAR)
    assert (bar.schools, bar.period) == (SCHOOL, Period(DAY, days(45), days(40)))
    widen = replace(vary, on=days(21), schools=two)
    with pytest.raises(ValidationError) as info:
        apply(bar, widen, profile=GRADUATED, step=BAR)
    assert info.value.field == "schools"


# -- bad input ----------------------------------------------------------------------------


def test_a_bar_ending_before_it_starts() -> None:
    error = _refused(notice(period=Period(days(5), days(4), days(4))))
    assert error.field == "ends" and "before the start date" in error.message


def test_a_representations_deadline_after_the_review() -> None:
    error = _refused(notice(representations_deadline=days(20)))
    assert error.field == "representations_deadline"
    assert "Set the review on or after the deadline" in error.message


def test_a_deadline_shorter_than_the_procedure_allows() -> None:
    error = _refused(notice(representations_deadline=days(9)))
    assert error.field == "representations_deadline"
    assert "at least 10 days" in error.message and "24/09/2026" in error.message
    assert default_deadline(DAY, GRADUATED.windows) == days(10)


def test_a_review_date_after_the_end() -> None:
    error = _refused(notice(), confirm(days(11), review_due=days(91)))
    assert error.field == "review_due" and "after the end date" in error.message


def test_a_review_further_off_than_the_review_interval() -> None:
    error = _refused(notice(), confirm(days(11), ends=days(200), review_due=days(120)))
    assert error.field == "review_due" and "at least every 90 days" in error.message


def test_a_bar_cannot_start_before_its_notice() -> None:
    error = _refused(notice(period=Period(days(-1), days(60), days(14))))
    assert error.field == "starts"


def test_an_authoriser_without_the_right_role() -> None:
    error = _refused(notice(by=Role.BUSINESS_MANAGER))
    assert error.field == "decided_by" and "may decide a notice to bar" in error.message
    error = _refused(notice(), confirm(days(11), by=Role.HEADTEACHER))
    assert error.field == "decided_by"
    assert "only a trust leader (CEO or Chair) may decide the review of a bar" in error.message


def test_a_bar_cannot_be_confirmed_before_the_deadline_without_representations() -> None:
    error = _refused(notice(), confirm(days(10)))  # the deadline day is still theirs
    assert error.field == "on"
    assert "until 24/09/2026" in error.message and "wait until 25/09/2026" in error.message
    error = _refused(notice(), confirm(days(5), outcome=Outcome.VARY))
    assert error.field == "on"
    assert _bar(notice(), confirm(days(11))).phase is Phase.IN_FORCE


def test_decisions_need_reasons() -> None:
    error = _refused(notice(), confirm(days(11), reasons="  "))
    assert error.field == "reasons"


def test_a_confirmed_bar_is_not_confirmed_again() -> None:
    error = _refused(notice(), confirm(days(11)), confirm(days(12)))
    assert error.field == "outcome" and "Vary it" in error.message


def test_confirming_needs_a_length_and_a_review_date() -> None:
    assert _refused(notice(), confirm(days(11), ends=None)).field == "ends"
    assert _refused(notice(), confirm(days(11), review_due=None)).field == "review_due"


def test_an_end_of_period_review_needs_a_bar_in_force() -> None:
    review = PeriodReview(days(11), Role.TRUST_LEADER, Outcome.END, "Done.")
    error = _refused(notice(), review)
    assert error.field == "step" and "still at the notice stage" in error.message
    wrong = PeriodReview(days(50), Role.TRUST_LEADER, Outcome.CONFIRM, "Done.")
    assert _refused(notice(), confirm(days(11)), wrong).field == "outcome"


def test_events_out_of_order_are_refused() -> None:
    assert (
        _refused(notice(), confirm(days(11)), confirm(days(9), outcome=Outcome.VARY)).field == "on"
    )
    assert _refused(RepresentationsReceived(DAY, Role.HEADTEACHER)).field == "step"
    assert _refused(AskedToLeave(DAY, Role.HEADTEACHER, SCHOOL), confirm(days(11))).field == "step"
    assert _refused(notice(), notice(on=days(1))).field == "step"
    assert _refused(notice(), AskedToLeave(days(1), Role.HEADTEACHER, SCHOOL)).field == "step"
    lift = ReviewDecision(days(3), Role.TRUST_LEADER, Outcome.LIFT, "Apology accepted.")
    assert _refused(notice(), lift, confirm(days(11))).field == "step"
    assert (
        _refused(notice(), lift, RepresentationsReceived(days(4), Role.HEADTEACHER)).field == "step"
    )


def test_a_second_active_bar_for_the_same_school() -> None:
    current = facts(_bar(notice(), confirm(days(11))))
    assert current is not None
    with pytest.raises(ValidationError) as info:
        check_one_bar_per_school(["oakfield primary "], [current])
    assert (
        info.value.field == "schools"
        and "already barred from Oakfield Primary" in info.value.message
    )
    check_one_bar_per_school(["Riverside Academy"], [current])
    lifted = replace(current, state=RestrictionState.LIFTED)
    check_one_bar_per_school(SCHOOL, [lifted])
    plan = replace(current, kind=RestrictionKind.COMMUNICATION_PLAN)
    check_one_bar_per_school(SCHOOL, [plan])


def test_check_period_directly() -> None:
    check_period(Period(DAY, days(30), days(30)), decided_on=DAY, windows=GRADUATED.windows)
    with pytest.raises(ValidationError) as info:
        check_period(
            Period(days(-40), days(-1), days(-2)), decided_on=DAY, windows=GRADUATED.windows
        )
    assert info.value.field == "ends"
    with pytest.raises(ValidationError) as info:
        check_period(
            Period(days(-40), days(10), days(-2)), decided_on=DAY, windows=GRADUATED.windows
        )
    assert info.value.field == "review_due"


def test_default_period_follows_the_profile() -> None:
    assert default_period(RestrictionKind.BAR, DAY, CONVERSATION.windows) == Period(
        DAY, days(60), days(60)
    )
    assert default_period(RestrictionKind.COMMUNICATION_PLAN, DAY, GRADUATED.windows) == Period(
        DAY, days(90), days(90)
    )


# -- overdue, never silent ----------------------------------------------------------------


def test_a_bar_past_its_end_without_a_review_is_overdue() -> None:
    bar = _bar(notice(), confirm(days(11)))
    for today in (days(85), days(91), days(400)):
        assert status(bar, today) is Status.REVIEW_OVERDUE
        assert bar.phase is Phase.IN_FORCE  # nothing changed by the passing of time
    binding = facts(bar)
    assert binding is not None and review_overdue(binding, days(91), None)
    assert status(bar, days(84)) is Status.IN_FORCE


def test_a_notice_whose_review_date_passes_is_overdue() -> None:
    bar = _bar(notice(notice=NoticeKind.INTENT))
    assert (
        status(bar, days(14)) is Status.AWAITING_REPRESENTATIONS
        or status(bar, days(14)) is Status.READY_FOR_REVIEW
    )
    assert status(bar, days(15)) is Status.REVIEW_OVERDUE
    temporary = _bar(notice())
    assert review_is_overdue(temporary, days(15)) and not review_is_overdue(temporary, days(14))


# -- communication plans -------------------------------------------------------------------


def test_a_communication_plan_is_issued_in_force_and_reviewed() -> None:
    issue = PlanIssued(DAY, Role.HEADTEACHER, SCHOOL, Period(DAY, days(90), days(80)))
    plan = replay([issue], profile=GRADUATED, step=PLAN)
    assert (plan.phase, plan.restriction_state, plan.period_number) == (
        Phase.IN_FORCE,
        RestrictionState.ACTIVE,
        1,
    )
    assert stage_mark(plan).stage is Stage.COMMUNICATION_PLAN and stage_mark(plan).in_force
    assert status(plan, days(81)) is Status.REVIEW_OVERDUE
    vary = ReviewDecision(
        days(30), Role.HEADTEACHER, Outcome.VARY, "Calls now by appointment.", days(90), days(85)
    )
    plan = apply(plan, vary, profile=GRADUATED, step=PLAN)
    renew = PeriodReview(
        days(85), Role.HEADTEACHER, Outcome.RENEW, "Still needed.", days(170), days(160)
    )
    plan = apply(plan, renew, profile=GRADUATED, step=PLAN)
    assert plan.period == Period(days(91), days(170), days(160))
    end = PeriodReview(days(160), Role.TRUST_LEADER, Outcome.END, "Contact is now courteous.")
    plan = apply(plan, end, profile=GRADUATED, step=PLAN)
    assert stage_mark(plan).stage is Stage.COMMUNICATION_PLAN_ENDED


def test_a_plan_cannot_be_confirmed_noticed_or_started_otherwise() -> None:
    issue = PlanIssued(DAY, Role.HEADTEACHER, (), Period(DAY, days(90), days(80)))
    assert _refused(issue, confirm(days(2)), step_id="communication_plan").field == "outcome"
    assert _refused(issue, notice(on=days(1)), step_id="communication_plan").field == "step"
    assert _refused(notice(), step_id="communication_plan").field == "step"
    early = replace(issue, period=Period(days(-1), days(90), days(80)))
    assert _refused(early, step_id="communication_plan").field == "starts"
    assert (
        _refused(replace(issue, by=Role.BUSINESS_MANAGER), step_id="communication_plan").field
        == "decided_by"
    )
    with pytest.raises(ValidationError):
        _bar(PlanIssued(DAY, Role.HEADTEACHER, SCHOOL, Period(DAY, days(90), days(80))))


def test_apply_needs_a_restriction_step() -> None:
    with pytest.raises(ValueError):
        apply(None, notice(), profile=GRADUATED, step=GRADUATED.step("written_warning"))
    with pytest.raises(ValidationError):
        replay([], profile=GRADUATED, step=BAR)


# -- injunction referrals -------------------------------------------------------------------

INJUNCTION = GRADUATED.step("injunction_referral")
INCIDENTS = incidents_per_target(
    [
        (1, DAY, ["Mrs K. Shah"]),
        (2, days(3), ["Mrs K Shah", "Mr T. Ng"]),
        (3, days(4), ["Mr T. Ng "]),
    ]
)


def test_an_injunction_referral_needs_a_course_of_conduct() -> None:
    one_each = incidents_per_target([(1, DAY, ["Mrs K. Shah"]), (2, days(3), ["Mr T. Ng"])])
    with pytest.raises(ValidationError) as info:
        refer(
            on=DAY,
            by=Role.TRUST_LEADER,
            profile=GRADUATED,
            step=INJUNCTION,
            legal_contact="Trust solicitor",
            incidents_by_target=one_each,
        )
    assert info.value.field == "incidents"
    referral = refer(
        on=days(5),
        by=Role.TRUST_LEADER,
        profile=GRADUATED,
        step=INJUNCTION,
        legal_contact=" Trust solicitor ",
        incidents_by_target=INCIDENTS,
    )
    assert referral.targets == ("Mrs K. Shah", "Mr T. Ng")
    assert (referral.state, referral.legal_contact) == (InjunctionState.REFERRED, "Trust solicitor")
    assert referral.profile_version == GRADUATED.version


def test_an_injunction_referral_moves_through_its_states() -> None:
    referral = refer(
        on=DAY,
        by=Role.TRUST_LEADER,
        profile=GRADUATED,
        step=INJUNCTION,
        legal_contact="Trust solicitor",
        incidents_by_target=INCIDENTS,
    )
    assert injunction_mark(referral).stage is Stage.INJUNCTION_REFERRAL
    with pytest.raises(ValidationError) as info:
        advance(referral, InjunctionState.GRANTED, on=days(1), by=Role.HEADTEACHER, step=INJUNCTION)
    assert (
        info.value.field == "status" and "legal advice received or withdrawn" in info.value.message
    )
    for day, state in (
        (3, InjunctionState.ADVICE),
        (20, InjunctionState.APPLIED),
        (40, InjunctionState.GRANTED),
    ):
        referral = advance(referral, state, on=days(day), by=Role.HEADTEACHER, step=INJUNCTION)
    assert injunction_mark(referral).stage is Stage.INJUNCTION_GRANTED
    assert not injunction_mark(referral).in_force
    assert next_states(referral.state) == frozenset()
    with pytest.raises(ValidationError) as info:
        advance(
            referral, InjunctionState.WITHDRAWN, on=days(41), by=Role.HEADTEACHER, step=INJUNCTION
        )
    assert "the matter is over" in info.value.message
    with pytest.raises(ValidationError):
        advance(
            referral, InjunctionState.WITHDRAWN, on=days(1), by=Role.HEADTEACHER, step=INJUNCTION
        )


def test_an_injunction_referral_needs_the_right_roles() -> None:
    with pytest.raises(ValidationError) as info:
        refer(
            on=DAY,
            by=Role.HEADTEACHER,
            profile=GRADUATED,
            step=INJUNCTION,
            legal_contact="Trust solicitor",
            incidents_by_target=INCIDENTS,
        )
    assert info.value.field == "decided_by"
    with pytest.raises(ValueError):
        refer(
            on=DAY,
            by=Role.TRUST_LEADER,
            profile=GRADUATED,
            step=BAR,
            legal_contact="Trust solicitor",
            incidents_by_target=INCIDENTS,
        )


# -- each source policy's whole path -------------------------------------------------------


def _stage(records: list[StepRecord], *sanctions: Sanction) -> Stage:
    return case_stage(records, [stage_mark(s) for s in sanctions])


def test_graduated_policy_full_path() -> None:
    """Incident, verbal warning, mediation, written warning, bar notice, representations,
    CEO confirms, end-of-period review renews, then lets it end."""
    p, records = GRADUATED, []
    assert _stage(records) is Stage.CONCERN_LOGGED  # the first incident is logged
    for day, step_id in ((2, "verbal_warning"), (9, "mediation"), (30, "written_warning")):
        assert recommend(p, records, immediate_safety=False).step is p.step(step_id)
        records.append(
            check_step(
                p,
                records,
                step_id,
                taken_on=days(day),
                recorded_by=Role.BUSINESS_MANAGER,
                decided_by=Role.HEADTEACHER,
            )
        )
        assert _stage(records) is p.step(step_id).kind.stage
    assert _stage(records) is Stage.WRITTEN_WARNING
    advice = recommend(p, records, immediate_safety=False)
    assert "bar" in {s.id for s in (advice.step, *advice.alternatives) if s}
    records.append(
        check_step(
            p,
            records,
            "bar",
            taken_on=days(60),
            recorded_by=Role.BUSINESS_MANAGER,
            decided_by=Role.HEADTEACHER,
        )
    )
    assert records[-1].skip is None
    bar = apply(
        None,
        BarNotice(
            days(60),
            Role.HEADTEACHER,
            NoticeKind.TEMPORARY,
            SCHOOL,
            Period(days(60), days(150), days(75)),
            days(70),
        ),
        profile=p,
        step=BAR,
    )
    assert _stage(records, bar) is Stage.BAR_NOTICE
    bar = apply(bar, RepresentationsReceived(days(68), Role.BUSINESS_MANAGER), profile=p, step=BAR)
    assert _stage(records, bar) is Stage.BAR_REPRESENTATIONS
    bar = apply(bar, confirm(days(74), ends=days(150), review_due=days(145)), profile=p, step=BAR)
    assert _stage(records, bar) is Stage.BAR_CONFIRMED
    assert status(bar, days(146)) is Status.REVIEW_OVERDUE
    renew = PeriodReview(
        days(146),
        Role.TRUST_LEADER,
        Outcome.RENEW,
        "Two breaches of the bar.",
        days(240),
        days(235),
    )
    bar = apply(bar, renew, profile=p, step=BAR)
    assert _stage(records, bar) is Stage.BAR_CONFIRMED and bar.period_number == 2
    end = PeriodReview(days(235), Role.TRUST_LEADER, Outcome.END, "No incidents this period.")
    bar = apply(bar, end, profile=p, step=BAR)
    assert _stage(records, bar) is Stage.BAR_ENDED
    assert bar.profile_version == records[0].profile_version == p.version


def test_conversation_first_policy_full_path() -> None:
    """Incident, conversation, asked to leave, temporary bar by the headteacher, deadline
    passes with no representations, CEO confirms, end-of-period review lifts it."""
    p, records = CONVERSATION, []
    bar_step = p.step("bar")
    records.append(
        check_step(
            p,
            records,
            "conversation",
            taken_on=days(1),
            recorded_by=Role.BUSINESS_MANAGER,
            decided_by=Role.BUSINESS_MANAGER,
        )
    )
    assert _stage(records) is Stage.VERBAL_WARNING
    advice = recommend(p, records, immediate_safety=False)
    assert bar_step in advice.alternatives  # further action: the plan first, or a bar
    bar = apply(None, AskedToLeave(days(20), Role.HEADTEACHER, SCHOOL), profile=p, step=bar_step)
    assert _stage(records, bar) is Stage.ASKED_TO_LEAVE
    records.append(
        check_step(
            p,
            records,
            "bar",
            taken_on=days(21),
            recorded_by=Role.HEADTEACHER,
            decided_by=Role.HEADTEACHER,
        )
    )
    deadline = default_deadline(days(21), p.windows)
    bar = apply(
        bar,
        BarNotice(
            days(21),
            Role.HEADTEACHER,
            NoticeKind.TEMPORARY,
            SCHOOL,
            Period(days(21), days(81), deadline + dt.timedelta(days=3)),
            deadline,
        ),
        profile=p,
        step=bar_step,
    )
    assert _stage(records, bar) is Stage.BAR_NOTICE
    assert not may_confirm(bar, deadline) and may_confirm(bar, deadline + dt.timedelta(days=1))
    bar = apply(
        bar,
        confirm(deadline + dt.timedelta(days=2), ends=days(81), review_due=days(80)),
        profile=p,
        step=bar_step,
    )
    assert _stage(records, bar) is Stage.BAR_CONFIRMED
    lift = PeriodReview(days(80), Role.TRUST_LEADER, Outcome.END, "Behaviour has settled.")
    bar = apply(bar, lift, profile=p, step=bar_step)
    assert _stage(records, bar) is Stage.BAR_ENDED


def test_a_skip_straight_to_a_bar_is_kept_with_its_authority() -> None:
    head = SkipAuthority("Mrs J. Lowe", Role.HEADTEACHER, "Pushed a member of staff at the gate.")
    record = check_step(
        CONVERSATION,
        [],
        "bar",
        taken_on=DAY,
        recorded_by=Role.HEADTEACHER,
        decided_by=Role.HEADTEACHER,
        skip=head,
    )
    assert record.skip == head


# -- any sequence of events keeps the invariants ----------------------------------------------

_ANY_ROLE = st.sampled_from(list(Role))
_REASONS = st.sampled_from(["", "Reasons given in the letter."] + ["Reasons set out."] * 4)
# The events that usually come next in each phase; any event may still be drawn.
_LIKELY = {
    None: ["asked", "notice"],  # for a plan: "issue"
    Phase.ASKED_TO_LEAVE: ["notice"],
    Phase.NOTICE: ["reps", "decision", "decision"],
    Phase.REPRESENTATIONS: ["decision"],
    Phase.IN_FORCE: ["decision", "period", "period", "reps"],
    Phase.LIFTED: ["decision", "reps"],
    Phase.ENDED: ["period"],
}


def _days(low: int, high: int) -> st.SearchStrategy[dt.timedelta]:
    return st.integers(low, high).map(lambda n: dt.timedelta(days=n))


def _role(draw: st.DrawFn, allowed: frozenset[Role]) -> Role:
    """Mostly a role the profile allows, sometimes any role at all."""
    return draw(st.sampled_from(sorted(allowed)) if draw(st.integers(0, 4)) else _ANY_ROLE)


@st.composite
def _event(draw: st.DrawFn, on: dt.date, sanction: Sanction | None, step: Step) -> Event:
    """A plausible next event, with dates and roles that are sometimes wrong."""
    phase = sanction.phase if sanction else None
    everything = ["asked", "notice", "issue", "reps", "decision", "period"]
    bar = step.kind.restriction is RestrictionKind.BAR
    likely = ["issue"] if phase is None and not bar else _LIKELY[phase]
    choice = draw(st.sampled_from(likely if draw(st.integers(0, 4)) else everything))
    if choice == "asked":
        return AskedToLeave(on, _role(draw, step.take), SCHOOL)
    if choice == "issue":
        starts = on + draw(_days(-1, 3))
        ends = starts + draw(_days(-2, 100))
        period = Period(starts, ends, ends - draw(_days(-2, 20)))
        return PlanIssued(on, _role(draw, step.authorise), SCHOOL, period)
    if choice == "notice":
        deadline = on + draw(_days(5, 20))
        review = deadline + draw(_days(-3, 10))
        period = Period(on + draw(_days(-1, 3)), review + draw(_days(-2, 90)), review)
        kind = draw(st.sampled_from(list(NoticeKind)))
        return BarNotice(on, _role(draw, step.authorise), kind, SCHOOL, period, deadline)
    if choice == "reps":
        return RepresentationsReceived(on, _role(draw, step.take))
    current = sanction.period if sanction else None
    base = max(on, current.ends) if choice == "period" and current else on
    ends: dt.date | None = base + draw(_days(-5, 80))
    review: dt.date | None = ends - draw(_days(-2, 20)) if ends else None
    if not draw(st.integers(0, 9)):  # now and then a date is left out
        ends, review = (None, review) if draw(st.booleans()) else (ends, None)
    by = _role(draw, step.review)
    if choice == "decision":
        first = phase in (Phase.NOTICE, Phase.REPRESENTATIONS)
        usual = [Outcome.CONFIRM, Outcome.CONFIRM, Outcome.VARY] if first else [Outcome.VARY] * 3
        outcome = draw(
            st.sampled_from([*usual, Outcome.LIFT, draw(st.sampled_from(list(Outcome)))])
        )
        return ReviewDecision(on, by, outcome, draw(_REASONS), ends, review)
    outcome = draw(st.sampled_from([Outcome.RENEW, Outcome.RENEW, Outcome.END, Outcome.LIFT]))
    return PeriodReview(on, by, outcome, draw(_REASONS), ends, review)


def _check_invariants(before: Sanction | None, event: Event, after: Sanction) -> None:
    # No restriction binds without an end date and a review date, in that order.
    binding = facts(after)
    if after.in_force:
        assert binding is not None and binding.ends is not None and binding.review_due is not None
        assert binding.starts <= binding.review_due <= binding.ends
    # A bar is confirmed only once representations are in or the deadline has passed.
    awaiting = (Phase.NOTICE, Phase.REPRESENTATIONS)
    if before is not None and before.phase in awaiting and after.phase is Phase.IN_FORCE:
        assert isinstance(event, ReviewDecision)
        deadline = before.representations_deadline
        assert deadline is not None
        assert before.representations_on is not None or event.on > deadline
    # Only a decision lifts or ends a restriction.
    if after.phase in (Phase.LIFTED, Phase.ENDED) and (
        before is None or before.phase is not after.phase
    ):
        assert isinstance(event, ReviewDecision | PeriodReview) and event.reasons.strip()
    # Past its end with no review decision: overdue, never silently in force or lifted.
    if binding is not None and after.in_force:
        for late in (binding.ends + dt.timedelta(days=1), binding.ends + dt.timedelta(days=365)):
            assert status(after, late) is Status.REVIEW_OVERDUE
            assert after.restriction_state is binding.state  # time changes nothing
            assert review_overdue(binding, late, None)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), plan=st.booleans(), profile=st.sampled_from([GRADUATED, CONVERSATION]))
def test_random_sequences_keep_the_invariants(
    data: st.DataObject, plan: bool, profile: Profile
) -> None:
    step = profile.step("communication_plan" if plan else "bar")
    sanction: Sanction | None = None
    on = DAY
    for _ in range(data.draw(st.integers(1, 14))):
        on += dt.timedelta(days=data.draw(st.integers(-2, 30)))
        event = data.draw(_event(on, sanction, step))
        try:
            after = apply(sanction, event, profile=profile, step=step)
        except ValidationError as error:
            assert error.message and error.field  # refused in words, naming what to change
            continue
        _check_invariants(sanction, event, after)
        sanction = after


def test_the_invariant_checker_can_fail() -> None:
    """A bar forced into force without dates or before its deadline breaks the invariants."""
    noticed = _bar(notice())
    forced = replace(noticed, phase=Phase.IN_FORCE)
    with pytest.raises(AssertionError):
        _check_invariants(noticed, confirm(days(2)), forced)
    lapsed = replace(_bar(notice(), confirm(days(11))), phase=Phase.LIFTED)
    with pytest.raises(AssertionError):
        _check_invariants(
            _bar(notice(), confirm(days(11))),
            RepresentationsReceived(days(12), Role.HEADTEACHER),
            lapsed,
        )


def test_overdue_matches_the_front_desk_rule() -> None:
    bar = _bar(notice(), confirm(days(11)))
    binding = facts(bar)
    assert isinstance(binding, RestrictionFacts)
    for n in range(0, 120, 7):
        assert review_is_overdue(bar, days(n)) == review_overdue(binding, days(n), None)


@given(st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2030, 12, 31)))
@settings(max_examples=50, deadline=None)
def test_the_dates_offered_for_a_notice_pass_the_notice_rules(day: dt.date) -> None:
    from desktop.domain.sanctions import NoticeKind, notice_defaults

    period, deadline = notice_defaults(day, GRADUATED.windows)
    notice = BarNotice(day, Role.HEADTEACHER, NoticeKind.TEMPORARY, ("Ash",), period, deadline)
    sanction = apply(None, notice, profile=GRADUATED, step=BAR)
    assert sanction.representations_deadline == deadline
    assert deadline < period.review_due <= period.ends


def test_the_decisions_offered_follow_the_phase_and_their_dates_are_accepted() -> None:
    from desktop.domain.sanctions import decision_outcomes, proposed_period

    windows = GRADUATED.windows
    noticed = _bar(notice())
    assert decision_outcomes(noticed, end_of_period=False) == (Outcome.CONFIRM, Outcome.LIFT)
    assert decision_outcomes(noticed, end_of_period=True) == ()
    offered = proposed_period(noticed, Outcome.CONFIRM, days(11), windows)
    assert offered.starts == DAY  # a temporary bar keeps the notice's start
    confirmed = _bar(
        notice(),
        confirm(days(11), ends=offered.ends, review_due=offered.review_due),
    )
    assert confirmed.period == offered
    assert decision_outcomes(confirmed, end_of_period=False) == (Outcome.VARY, Outcome.LIFT)
    assert decision_outcomes(confirmed, end_of_period=True) == (Outcome.END, Outcome.RENEW)
    # Long after the start, a variation's review counts from the decision.
    late = offered.starts + dt.timedelta(days=120)
    varied = proposed_period(confirmed, Outcome.VARY, late, windows)
    assert varied.review_due > offered.starts + dt.timedelta(days=windows.review_interval_days)
    vary = confirm(late, outcome=Outcome.VARY, ends=varied.ends, review_due=varied.review_due)
    assert (
        _bar(
            notice(), confirm(days(11), ends=offered.ends, review_due=offered.review_due), vary
        ).period
        == varied
    )
    renewal = proposed_period(confirmed, Outcome.RENEW, offered.ends, windows)
    assert renewal.starts == offered.ends + dt.timedelta(days=1)
    intent = _bar(notice(notice=NoticeKind.INTENT))
    assert proposed_period(intent, Outcome.CONFIRM, days(11), windows).starts == days(11)
    lifted = _bar(notice(), confirm(days(11), outcome=Outcome.LIFT))
    assert decision_outcomes(lifted, end_of_period=False) == ()
