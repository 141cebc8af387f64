"""The ladder: where a case stands, the next step and why, skips and who may take a step."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.cases import Stage
from desktop.domain.ladder import (
    SkipAuthority,
    StageMark,
    StepRecord,
    case_stage,
    check_step,
    is_skip,
    recommend,
    role_names,
    rung_of,
    skipped_steps,
    where_case_stands,
)
from desktop.domain.policy import Profile, StepKind, load_profile, policies_dir
from desktop.domain.roles import Role
from desktop.domain.step_requirements import REQUIREMENTS, check_requirements, requirements
from desktop.errors import NotPermitted, ValidationError

GRADUATED = load_profile(policies_dir() / "graduated_sanctions.toml")
CONVERSATION = load_profile(policies_dir() / "conversation_first.toml")
DAY = dt.date(2026, 9, 14)
CEO = SkipAuthority("Dr A. Patel", Role.TRUST_LEADER, "Threats made to two members of staff.")


def _take(
    profile: Profile,
    records: list[StepRecord],
    step_id: str,
    *,
    on: dt.date = DAY,
    skip: SkipAuthority | None = None,
    safety: bool = False,
    recorded_by: Role = Role.HEADTEACHER,
    decided_by: Role | None = None,
) -> StepRecord:
    step = profile.step(step_id)
    decider = decided_by or (
        Role.TRUST_LEADER if Role.TRUST_LEADER in step.authorise else Role.HEADTEACHER
    )
    record = check_step(
        profile,
        records,
        step_id,
        taken_on=on,
        recorded_by=recorded_by,
        decided_by=decider,
        skip=skip,
        immediate_safety=safety,
    )
    records.append(record)
    return record


# -- where a case stands and what comes next ------------------------------------------------


def test_a_new_case_starts_at_the_bottom() -> None:
    standing = where_case_stands(GRADUATED, [])
    assert (standing.rung, standing.last_step, standing.referral_recorded) == (0, None, False)
    advice = recommend(GRADUATED, [], immediate_safety=False)
    assert advice.step is GRADUATED.step("verbal_warning")
    assert not advice.referral_first
    assert advice.reason.startswith("No step on the ladder has been taken yet")


def test_after_a_verbal_warning_mediation_is_next_but_optional() -> None:
    records: list[StepRecord] = []
    _take(GRADUATED, records, "verbal_warning")
    advice = recommend(GRADUATED, records, immediate_safety=False)
    assert advice.step is GRADUATED.step("mediation")
    assert "14/09/2026" in advice.reason
    assert 'It is optional: "Formal written warning" may follow' in advice.reason
    assert not is_skip(GRADUATED, records, "written_warning")


def test_after_a_written_warning_the_legal_sanctions_are_offered() -> None:
    records: list[StepRecord] = []
    for step_id in ("verbal_warning", "mediation", "written_warning"):
        _take(GRADUATED, records, step_id)
    advice = recommend(GRADUATED, records, immediate_safety=False)
    assert advice.step is GRADUATED.step("communication_plan")
    assert [s.id for s in advice.alternatives] == ["bar", "injunction_referral"]
    assert "may be chosen instead at the same level" in advice.reason
    assert "A further written warning may also be issued." in advice.reason
    # A second written warning is no skip and leaves the case on the same rung.
    _take(GRADUATED, records, "written_warning", on=DAY + dt.timedelta(days=30))
    assert where_case_stands(GRADUATED, records).rung == 3


def test_at_the_top_of_the_ladder_nothing_higher_is_recommended() -> None:
    records: list[StepRecord] = []
    _take(GRADUATED, records, "bar", skip=CEO)
    advice = recommend(GRADUATED, records, immediate_safety=False)
    assert advice.step is None
    assert "top of the ladder" in advice.reason
    assert {s.id for s in advice.alternatives} == {
        "communication_plan",
        "bar",
        "injunction_referral",
    }


def test_immediate_safety_puts_the_referral_first() -> None:
    advice = recommend(CONVERSATION, [], immediate_safety=True)
    assert advice.referral_first
    assert advice.step is CONVERSATION.safety_referral
    records: list[StepRecord] = []
    with pytest.raises(ValidationError) as info:
        _take(CONVERSATION, records, "conversation", safety=True)
    assert info.value.field == "step"
    assert '"Referral to the police or the trust\'s legal team" first' in info.value.message
    _take(CONVERSATION, records, "police_or_legal_referral", safety=True)
    assert where_case_stands(CONVERSATION, records).referral_recorded
    assert recommend(CONVERSATION, records, immediate_safety=True).step is CONVERSATION.step(
        "conversation"
    )
    _take(CONVERSATION, records, "conversation", safety=True)


def test_parallel_actions_never_move_the_ladder_or_count_as_skips() -> None:
    records: list[StepRecord] = []
    _take(CONVERSATION, records, "report_post")
    _take(CONVERSATION, records, "social_care_referral")
    assert where_case_stands(CONVERSATION, records).rung == 0
    assert skipped_steps(CONVERSATION, records, "restrict_staff_email") == ()
    assert rung_of(CONVERSATION, records[0]) is None


# -- skips -------------------------------------------------------------------------------


def test_starting_at_a_bar_skips_the_required_steps_only() -> None:
    skipped = skipped_steps(GRADUATED, [], "bar")
    assert [s.id for s in skipped] == ["verbal_warning", "written_warning"]  # not mediation
    assert is_skip(GRADUATED, [], "bar")
    assert not is_skip(GRADUATED, [], "verbal_warning")


def test_a_skip_without_authority_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        _take(GRADUATED, [], "bar")
    assert info.value.field == "skip_authorised_by"
    assert '"Verbal warning" and "Formal written warning"' in info.value.message


def test_a_skip_by_a_role_the_profile_does_not_allow_is_refused() -> None:
    head = SkipAuthority("Mrs J. Lowe", Role.HEADTEACHER, "Shouted threats in the playground.")
    with pytest.raises(ValidationError) as info:
        _take(GRADUATED, [], "bar", skip=head)
    assert info.value.field == "skip_role"
    assert "only a trust leader (CEO or Chair) may authorise" in info.value.message
    # The conversation-first policy lets a headteacher bar at once in a serious case.
    record = _take(CONVERSATION, [], "bar", skip=head)
    assert record.skip == head


@pytest.mark.parametrize(
    ("name", "why", "field"),
    [("", "Threats made.", "skip_authorised_by"), ("Dr A. Patel", "  \n ", "skip_justification")],
)
def test_a_skip_needs_a_name_and_a_justification(name: str, why: str, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        _take(GRADUATED, [], "bar", skip=SkipAuthority(name, Role.TRUST_LEADER, why))
    assert info.value.field == field


def test_an_accepted_skip_keeps_its_authority_cleaned() -> None:
    messy = SkipAuthority("  Dr  A. Patel ", Role.TRUST_LEADER, " Threats to staff.\r\n\r\n")
    record = _take(GRADUATED, [], "communication_plan", skip=messy)
    assert record.skip == SkipAuthority("Dr A. Patel", Role.TRUST_LEADER, "Threats to staff.")
    assert record.profile_version == GRADUATED.version


def test_authority_given_for_a_step_that_skips_nothing_is_not_kept() -> None:
    record = _take(GRADUATED, [], "verbal_warning", skip=CEO)
    assert record.skip is None


def test_going_back_down_the_ladder_is_no_skip() -> None:
    records: list[StepRecord] = []
    _take(GRADUATED, records, "bar", skip=CEO)
    assert not is_skip(GRADUATED, records, "verbal_warning")
    assert _take(GRADUATED, records, "verbal_warning").skip is None
    assert where_case_stands(GRADUATED, records).rung == 4


# -- who may take a step ------------------------------------------------------------------


def test_a_role_the_profile_does_not_let_record_a_step_is_not_permitted() -> None:
    with pytest.raises(NotPermitted) as info:
        _take(GRADUATED, [], "verbal_warning", recorded_by=Role.DATA_PROTECTION_LEAD)
    assert "ask a school business manager, headteacher or trust leader" in info.value.message


def test_a_decider_without_the_right_role_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        _take(GRADUATED, [], "verbal_warning", decided_by=Role.BUSINESS_MANAGER)
    assert info.value.field == "decided_by"
    assert "only a headteacher or trust leader (CEO or Chair) may decide" in info.value.message


def test_role_names_reads_naturally() -> None:
    assert role_names([]) == "no role"
    assert role_names([Role.TRUST_LEADER]) == "trust leader (CEO or Chair)"
    assert role_names([Role.TRUST_LEADER, Role.HEADTEACHER]) == (
        "headteacher or trust leader (CEO or Chair)"
    )


# -- a profile edited after steps were taken ------------------------------------------------


def test_a_step_dropped_from_the_profile_is_placed_by_its_kind() -> None:
    old = StepRecord("first_warning", StepKind.WRITTEN_WARNING, DAY, "0.9")
    assert rung_of(GRADUATED, old) == 3
    gone = StepRecord("old_step", StepKind.WRITTEN_WARNING, DAY, "0.9")
    assert rung_of(CONVERSATION, gone) is None  # that profile has no written warnings
    assert where_case_stands(CONVERSATION, [gone]).rung == 0


# -- what a step needs ---------------------------------------------------------------------


def test_every_kind_of_step_says_what_it_needs() -> None:
    assert set(REQUIREMENTS) == set(StepKind)
    for kind in StepKind:
        fields = [r.field for r in requirements(kind)]
        assert len(fields) == len(set(fields)) and any(r.required for r in requirements(kind))


def test_a_bar_needs_the_drop_off_arrangement() -> None:
    values: dict[str, object] = {
        "schools": ["Oakfield Primary"],
        "starts": DAY,
        "ends": DAY + dt.timedelta(days=60),
        "representations_deadline": DAY + dt.timedelta(days=10),
        "review_due": DAY + dt.timedelta(days=14),
        "named_contact": "J. Smith",
        "drop_off_arrangement": "  ",
    }
    with pytest.raises(ValidationError) as info:
        check_requirements(StepKind.BAR, values)
    assert info.value.field == "drop_off_arrangement"
    assert "bar from school premises" in info.value.message
    values["drop_off_arrangement"] = "Grandmother brings Sam to the gate."
    check_requirements(StepKind.BAR, values)
    values["schools"] = []
    with pytest.raises(ValidationError):
        check_requirements(StepKind.BAR, values)


def test_optional_fields_may_be_left_out() -> None:
    check_requirements(
        StepKind.WRITTEN_WARNING,
        {"taken_on": DAY, "reasons": "Repeated abuse.", "incidents": [4, 7], "signed_by": "CEO"},
    )


# -- the stage a case shows ----------------------------------------------------------------


def test_stage_of_a_case_with_nothing_done() -> None:
    assert case_stage([]) is Stage.CONCERN_LOGGED
    report_only = [StepRecord("report_post", StepKind.REPORT_POST, DAY, "1.0")]
    assert case_stage(report_only) is Stage.CONCERN_LOGGED


def test_stage_follows_the_latest_step() -> None:
    records = [
        StepRecord("verbal_warning", StepKind.VERBAL_WARNING, DAY, "1.0"),
        StepRecord("written_warning", StepKind.WRITTEN_WARNING, DAY + dt.timedelta(days=5), "1.0"),
        StepRecord("police", StepKind.POLICE_OR_LEGAL_REFERRAL, DAY + dt.timedelta(days=2), "1.0"),
    ]
    assert case_stage(records) is Stage.WRITTEN_WARNING


def test_a_binding_bar_outranks_later_steps_and_plans() -> None:
    later = DAY + dt.timedelta(days=20)
    records = [StepRecord("verbal_warning", StepKind.VERBAL_WARNING, later, "1.0")]
    bar = StageMark(Stage.BAR_CONFIRMED, DAY, in_force=True)
    plan = StageMark(Stage.COMMUNICATION_PLAN, later, in_force=True)
    assert case_stage(records, [plan, bar]) is Stage.BAR_CONFIRMED
    assert case_stage(records, [plan]) is Stage.COMMUNICATION_PLAN
    lifted = StageMark(Stage.BAR_LIFTED, later + dt.timedelta(days=1))
    assert case_stage(records, [lifted]) is Stage.BAR_LIFTED
    assert case_stage(records, [StageMark(Stage.BAR_LIFTED, DAY)]) is Stage.VERBAL_WARNING


# -- any sequence of choices keeps the skip rule ----------------------------------------------

_JUSTIFICATIONS = st.sampled_from(["", "   ", "Threats made to staff at the gate."])
_AUTHORITY = st.none() | st.builds(
    SkipAuthority,
    st.sampled_from(["", "Dr A. Patel"]),
    st.sampled_from(list(Role)),
    _JUSTIFICATIONS,
)


@settings(max_examples=200, deadline=None)
@given(
    profile=st.sampled_from([GRADUATED, CONVERSATION]),
    safety=st.booleans(),
    choices=st.lists(
        st.tuples(
            st.integers(0, 30),
            st.integers(0, 100),
            _AUTHORITY,
            st.sampled_from(list(Role)),
            st.sampled_from(list(Role)),
        ),
        max_size=12,
    ),
)
def test_every_kept_skip_has_an_allowed_authoriser_and_a_justification(
    profile: Profile,
    safety: bool,
    choices: list[tuple[int, int, SkipAuthority | None, Role, Role]],
) -> None:
    records: list[StepRecord] = []
    day = DAY
    for gap, pick, authority, recorder, decider in choices:
        day += dt.timedelta(days=gap)
        step = profile.steps[pick % len(profile.steps)]
        before = list(records)
        skipped = skipped_steps(profile, before, step.id)
        referral_owed = safety and not where_case_stands(profile, before).referral_recorded
        try:
            record = check_step(
                profile,
                before,
                step.id,
                taken_on=day,
                recorded_by=recorder,
                decided_by=decider,
                skip=authority,
                immediate_safety=safety,
            )
        except (ValidationError, NotPermitted):
            continue
        records.append(record)
        assert recorder in step.take and decider in step.authorise
        assert not (referral_owed and step.kind is not StepKind.POLICE_OR_LEGAL_REFERRAL)
        assert (record.skip is not None) == bool(skipped)
        if record.skip is not None:
            assert record.skip.role in step.skip_to
            assert record.skip.authorised_by.strip()
            assert record.skip.justification.strip()
    # Replaying the kept records, each skip was a real one when it was taken.
    for index, record in enumerate(records):
        was_skip = is_skip(profile, records[:index], record.step_id)
        assert was_skip == (record.skip is not None)
