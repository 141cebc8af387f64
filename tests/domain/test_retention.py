"""Retention rules: the profile's periods, what kind a case is, when it falls due, holds."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain.policy import (
    DEFAULT_RETENTION,
    PolicyError,
    RetentionRules,
    StepKind,
    load_profile_text,
    policies_dir,
    shipped_profiles,
)
from desktop.domain.retention import (
    MAX_HOLD_YEARS,
    RecordKind,
    check_hold,
    closed_by,
    count_words,
    due_on,
    hold_in_force,
    kind_of_case,
    period_days,
)
from desktop.errors import ValidationError

GRADUATED = (policies_dir() / "graduated_sanctions.toml").read_text("utf-8")
RULES = RetentionRules("Schedule 4", concern_days=730, warning_days=1095, sanction_days=2190)
TODAY = dt.date(2030, 6, 15)


def _with_retention(table: str) -> str:
    """The graduated profile with its [retention] table replaced by `table`."""
    head, _, rest = GRADUATED.partition("[retention]")
    _, _, tail = rest.partition("[behaviour]")
    return head + table + "\n[behaviour]" + tail


# -- the profile's periods ----------------------------------------------------------------
def test_the_shipped_profiles_keep_every_record_at_least_a_year_and_sanctions_longest() -> None:
    for profile in shipped_profiles():
        rules = profile.retention
        assert rules.rule and rules is not DEFAULT_RETENTION
        assert min(rules.concern_days, rules.warning_days, rules.sanction_days) >= 365
        assert rules.warning_days >= profile.windows.warning_retention_days
        assert rules.sanction_days >= rules.warning_days >= rules.concern_days


def test_a_profile_without_a_retention_table_keeps_cases_six_years() -> None:
    profile = load_profile_text(_with_retention(""), "old.toml")
    assert profile.retention == DEFAULT_RETENTION
    assert DEFAULT_RETENTION.concern_days == 6 * 365


def test_the_retention_table_is_read() -> None:
    table = (
        '[retention]\nrule = "Our schedule, item 12"\nconcern_days = 400\n'
        "warning_days = 500\nsanction_days = 3000\n"
    )
    profile = load_profile_text(_with_retention(table), "ours.toml")
    assert profile.retention == RetentionRules("Our schedule, item 12", 400, 500, 3000)


@pytest.mark.parametrize(
    ("table", "field", "words"),
    [
        (
            '[retention]\nrule = "R"\nconcern_days = 200\nwarning_days = 400\nsanction_days = 900',
            "retention.concern_days",
            "at least 365 days",
        ),
        (
            '[retention]\nrule = "R"\nconcern_days = 400\nwarning_days = 364\nsanction_days = 900',
            "retention.warning_days",
            "at least 365 days",
        ),
        (
            "[retention]\nconcern_days = 400\nwarning_days = 400\nsanction_days = 900",
            "retention.rule",
            "rule is missing",
        ),
        (
            '[retention]\nrule = "R"\nconcern_days = 400\nwarning_days = 400',
            "retention.sanction_days",
            "missing",
        ),
        (
            '[retention]\nrule = "R"\nconcern_days = 400\nwarning_days = 400\n'
            "sanction_days = 900\nforever = true",
            "retention.forever",
            "not a setting",
        ),
    ],
)
def test_a_retention_table_that_cannot_be_used_says_where(
    table: str, field: str, words: str
) -> None:
    with pytest.raises(PolicyError) as info:
        load_profile_text(_with_retention(table), "ours.toml")
    assert info.value.field == field
    assert words in info.value.message
    assert info.value.line is not None


def test_retention_must_be_a_table() -> None:
    with pytest.raises(PolicyError) as info:
        load_profile_text("retention = 5\n" + _with_retention(""), "ours.toml")
    assert info.value.field == "retention" and info.value.line == 1
    assert "table of settings" in info.value.message


def test_a_case_with_a_warning_is_kept_as_long_as_the_profile_keeps_warnings() -> None:
    text = _with_retention(
        '[retention]\nrule = "R"\nconcern_days = 400\nwarning_days = 500\nsanction_days = 900'
    ).replace("warning_retention_days = 365", "warning_retention_days = 600")
    with pytest.raises(PolicyError) as info:
        load_profile_text(text, "ours.toml")
    assert info.value.field == "retention.warning_days"
    assert "at least 600 days" in info.value.message


# -- what kind of case, and when it is due -------------------------------------------------
@pytest.mark.parametrize(
    ("steps", "restriction", "kind"),
    [
        ((), False, RecordKind.CONCERN_CASE),
        ((StepKind.VERBAL_WARNING, StepKind.MEDIATION), False, RecordKind.CONCERN_CASE),
        ((StepKind.VERBAL_WARNING, "written_warning"), False, RecordKind.WARNING_CASE),
        ((StepKind.WRITTEN_WARNING, StepKind.BAR), False, RecordKind.SANCTION_CASE),
        ((StepKind.INJUNCTION_REFERRAL,), False, RecordKind.SANCTION_CASE),
        ((StepKind.COMMUNICATION_PLAN,), False, RecordKind.SANCTION_CASE),
        ((StepKind.VERBAL_WARNING,), True, RecordKind.SANCTION_CASE),
    ],
)
def test_the_furthest_step_decides_the_kind(
    steps: tuple[StepKind | str, ...], restriction: bool, kind: RecordKind
) -> None:
    assert kind_of_case(steps, had_restriction=restriction) is kind


def test_each_kind_has_its_period_after_closing() -> None:
    closed = dt.date(2026, 3, 1)
    assert period_days(RecordKind.CONCERN_CASE, RULES) == 730
    assert due_on(RecordKind.CONCERN_CASE, closed, RULES) == dt.date(2028, 2, 29)
    assert due_on(RecordKind.WARNING_CASE, closed, RULES) == closed + dt.timedelta(days=1095)
    assert due_on(RecordKind.SANCTION_CASE, closed, RULES) == closed + dt.timedelta(days=2190)


def test_a_late_warning_keeps_the_case_until_the_warning_has_been_kept() -> None:
    closed = dt.date(2026, 3, 1)
    rules = RetentionRules("R", 365, 365, 365)
    late = dt.date(2026, 9, 1)
    assert due_on(
        RecordKind.WARNING_CASE, closed, rules, last_warning_on=late, warning_days=365
    ) == late + dt.timedelta(days=365)


@given(
    closed=st.dates(dt.date(2000, 1, 1), dt.date(2040, 1, 1)),
    today=st.dates(dt.date(2000, 1, 1), dt.date(2050, 1, 1)),
    kind=st.sampled_from(RecordKind),
)
def test_closed_by_and_due_on_agree(closed: dt.date, today: dt.date, kind: RecordKind) -> None:
    """The services ask "closed on or before `closed_by`"; a person reads "due on"."""
    assert (closed <= closed_by(kind, RULES, today)) == (due_on(kind, closed, RULES) <= today)


# -- holds --------------------------------------------------------------------------------
def test_a_hold_keeps_its_record_off_the_list_until_its_review_date() -> None:
    review = dt.date(2031, 1, 1)
    assert hold_in_force(review, review - dt.timedelta(days=1))
    assert not hold_in_force(review, review)
    assert not hold_in_force(None, TODAY)


def test_a_hold_is_cleaned_and_checked() -> None:
    draft = check_hold("  A claim\r\n\r\nis expected.  ", TODAY + dt.timedelta(days=1), TODAY)
    assert draft.reason == "A claim\nis expected."
    assert check_hold("Why", dt.date(2040, 6, 15), TODAY).review_on == dt.date(2040, 6, 15)


@pytest.mark.parametrize(
    ("reason", "review_on", "field"),
    [
        ("", TODAY + dt.timedelta(days=5), "reason"),
        ("\u202e", TODAY + dt.timedelta(days=5), "reason"),
        ("Why", None, "review_on"),
        ("Why", TODAY, "review_on"),
        ("Why", dt.date(2040, 6, 16), "review_on"),
        ("x" * 2001, TODAY + dt.timedelta(days=5), "reason"),
    ],
)
def test_a_hold_without_a_reason_or_a_sensible_date_is_refused(
    reason: str, review_on: dt.date | None, field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        check_hold(reason, review_on, TODAY)
    assert info.value.field == field
    assert MAX_HOLD_YEARS == 10


def test_counts_in_words() -> None:
    assert count_words({}) == "nothing"
    assert count_words({RecordKind.CONCERN_CASE: 1}) == (
        "1 closed case (no written warning or sanction)"
    )
    assert count_words({RecordKind.WARNING_CASE: 2, RecordKind.SANCTION_CASE: 1}) == (
        "2 closed cases with a formal written warning and 1 closed case with a legal sanction"
    )
