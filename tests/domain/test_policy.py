"""Policy profiles: the shipped ones load, and a broken one says where and what is wrong."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.cases import Stage
from desktop.domain.incidents import DEFAULT_BEHAVIOUR_CATEGORIES, Channel
from desktop.domain.ladder import check_step, where_case_stands
from desktop.domain.policy import (
    MIN_WARNING_RETENTION_DAYS,
    LetterMoment,
    PolicyError,
    Profile,
    StepKind,
    load_profile,
    load_profile_text,
    policies_dir,
    shipped_profiles,
)
from desktop.domain.policy_toml import line_of
from desktop.domain.roles import Role
from desktop.errors import ValidationError, user_message
from desktop.paths import RESOURCES_DIR

GRADUATED = policies_dir() / "graduated_sanctions.toml"
CONVERSATION = policies_dir() / "conversation_first.toml"
TEXT = GRADUATED.read_text("utf-8")
NAME = "graduated_sanctions.toml"


def _profiles() -> dict[str, Profile]:
    return {p.id: p for p in shipped_profiles()}


# -- the shipped profiles -----------------------------------------------------------------


def test_both_shipped_profiles_load_from_the_resources_folder() -> None:
    assert policies_dir() == RESOURCES_DIR / "policies"
    profiles = _profiles()
    assert set(profiles) == {"graduated_sanctions", "conversation_first"}
    for profile in profiles.values():
        assert profile.version and profile.name and profile.description
        assert profile.source.endswith(".toml")
        assert len(profile.digest) == 64
        assert profile.windows.warning_retention_days >= MIN_WARNING_RETENTION_DAYS
        assert profile.safety_referral.kind is StepKind.POLICE_OR_LEGAL_REFERRAL
        assert profile.safety_referral.rung is None
        assert set(profile.categories) == set(DEFAULT_BEHAVIOUR_CATEGORIES)
        bar = profile.steps_of_kind(StepKind.BAR)[0]
        assert bar.review == {Role.TRUST_LEADER}  # the CEO (or delegate) confirms or lifts
        assert bar.letter_for(LetterMoment.NOTICE) == "bar-notice"
        assert bar.letter_for(LetterMoment.ACKNOWLEDGE) == "representations-acknowledgement"
        assert bar.letter_for(LetterMoment.CONFIRM) == "bar-confirmation"
        plan = profile.steps_of_kind(StepKind.COMMUNICATION_PLAN)[0]
        assert plan.review and plan.letter_for(LetterMoment.RENEW)
        assert profile.steps_of_kind(StepKind.INJUNCTION_REFERRAL)


def test_graduated_profile_reproduces_the_sequential_policy() -> None:
    profile = _profiles()["graduated_sanctions"]
    assert [[s.id for s in rung] for rung in profile.rungs] == [
        ["verbal_warning"],
        ["mediation"],
        ["written_warning"],
        ["communication_plan", "bar", "injunction_referral"],
    ]
    assert profile.step("mediation").optional
    assert not profile.step("written_warning").optional
    assert profile.step("written_warning").letter_for(LetterMoment.ISSUE) == "written-warning"
    assert profile.step("written_warning").authorise == {Role.HEADTEACHER, Role.TRUST_LEADER}
    # Only a trust leader may jump straight to a legal sanction.
    for step in profile.rungs[3]:
        assert step.skip_to == {Role.TRUST_LEADER}
    assert Channel.COVERT_RECORDING in profile.channels
    assert profile.step("verbal_warning").letter_for(LetterMoment.ISSUE) == "verbal-warning"


def test_conversation_first_profile_reproduces_the_other_policy() -> None:
    profile = _profiles()["conversation_first"]
    assert [[s.id for s in rung] for rung in profile.rungs] == [
        ["conversation"],
        ["communication_plan", "bar", "legal_action"],
    ]
    assert profile.step("conversation").kind is StepKind.VERBAL_WARNING
    bar = profile.step("bar")
    assert bar.authorise == {Role.HEADTEACHER}
    assert Role.HEADTEACHER in bar.skip_to  # a headteacher may bar at once in serious cases
    assert bar.review == {Role.TRUST_LEADER}
    kinds = {s.kind for s in profile.parallel}
    assert {StepKind.SOCIAL_CARE_REFERRAL, StepKind.RESTRICT_STAFF_EMAIL} <= kinds
    assert Channel.COVERT_RECORDING not in profile.channels


def test_every_step_kind_has_a_label_and_the_ladder_kinds_a_stage() -> None:
    for kind in StepKind:
        assert kind.label
        assert kind.on_ladder or kind.alongside
        if kind.on_ladder:
            assert isinstance(kind.stage, Stage)


def test_a_missing_step_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as info:
        _profiles()["graduated_sanctions"].step("final_warning")
    assert info.value.field == "step"
    assert _profiles()["graduated_sanctions"].find_step("final_warning") is None


# -- broken profiles ----------------------------------------------------------------------


def _line(text: str, snippet: str) -> int:
    """The line number of the first line containing `snippet`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if snippet in line:
            return number
    raise AssertionError(f"{snippet!r} not in the text")


def _refused(text: str) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        load_profile_text(text, NAME)
    return info.value


def _swap(old: str, new: str, count: int = 1) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, count)

    return change


# (what is wrong, the change, a snippet on the line at fault, the field, words in the message)
BROKEN = [
    (
        "negative days",
        _swap("representations_days = 10", "representations_days = -3"),
        "representations_days = -3",
        "windows.representations_days",
        "cannot be negative",
    ),
    (
        "zero days for representations",
        _swap("representations_days = 10", "representations_days = 0"),
        "representations_days = 0",
        "windows.representations_days",
        "at least 1",
    ),
    (
        "warnings kept under a year",
        _swap("warning_retention_days = 365", "warning_retention_days = 180"),
        "warning_retention_days = 180",
        "windows.warning_retention_days",
        "at least 365",
    ),
    (
        "days as true",
        _swap("default_bar_days = 90", "default_bar_days = true"),
        "default_bar_days = true",
        "windows.default_bar_days",
        "whole number",
    ),
    (
        "days missing",
        _swap("default_plan_days = 90 ", "# no plan length "),
        "[windows]",
        "windows.default_plan_days",
        "missing",
    ),
    (
        "unknown role",
        _swap('review = ["trust_leader"]', 'review = ["ceo"]'),
        'review = ["ceo"]',
        "steps.bar.review",
        "'ceo' is not a role",
    ),
    (
        "read-only role",
        _swap('authorise = ["trust_leader"]\nskip_to', 'authorise = ["auditor"]\nskip_to'),
        'authorise = ["auditor"]',
        "steps.injunction_referral.authorise",
        "read-only",
    ),
    (
        "unknown step in the ladder",
        _swap('    "written_warning",\n', '    "final_warning",\n'),
        '"final_warning",',
        "ladder.order",
        "'final_warning' is not a step",
    ),
    (
        "unknown step alongside",
        _swap('    "lado_referral",\n', '    "lado",\n'),
        '"lado",',
        "ladder.parallel",
        "'lado' is not a step",
    ),
    (
        "a step placed twice",
        _swap('"lado_referral",\n', '"lado_referral",\n    "bar",\n'),
        '    "lado_referral",\n    "bar",',
        "ladder.parallel",
        "more than once",
    ),
    (
        "a step placed nowhere",
        _swap('    "lado_referral",\n', ""),
        "[steps.lado_referral]",
        "steps.lado_referral",
        "neither on the ladder nor alongside",
    ),
    (
        "unknown kind",
        _swap('kind = "bar"', 'kind = "ban"'),
        'kind = "ban"',
        "steps.bar.kind",
        "'ban' is not a kind",
    ),
    (
        "a parallel kind on the ladder",
        _swap('kind = "mediation"', 'kind = "report_post"'),
        '[steps.mediation]\nlabel = "Mediation meeting"\nkind = "report_post"',
        "steps.mediation.kind",
        "alongside the ladder",
    ),
    (
        "a ladder kind alongside",
        _swap('kind = "lado_referral"', 'kind = "written_warning"'),
        "[steps.lado_referral]\n"
        'label = "Referral to the local authority designated officer (LADO)"\n'
        'kind = "written_warning"',
        "steps.lado_referral.kind",
        "belongs on the ladder",
    ),
    (
        "missing field",
        _swap('version = "1.0"\n', ""),
        "[profile]",
        "profile.version",
        "version is missing",
    ),
    (
        "missing label",
        _swap('label = "Formal written warning"\n', ""),
        "[steps.written_warning]",
        "steps.written_warning.label",
        "label is missing",
    ),
    (
        "missing table",
        _swap("[windows]", "[windows_old]"),
        "[windows_old]",
        "windows_old",
        "not a setting Casebook knows",
    ),
    (
        "misspelt setting",
        _swap('review = ["trust_leader"]', 'reveiw = ["trust_leader"]'),
        'reveiw = ["trust_leader"]',
        "steps.bar.reveiw",
        "check its spelling",
    ),
    (
        "reviewers on a step that is never reviewed",
        _swap(
            'label = "Formal written warning"\n',
            'label = "Formal written warning"\nreview = ["trust_leader"]\n',
        ),
        'review = ["trust_leader"]',
        "steps.written_warning.review",
        "only bars and communication plans",
    ),
    (
        "a bar without reviewers",
        _swap(
            'skip_to = ["trust_leader"]\nreview = ["trust_leader"]\n',
            'skip_to = ["trust_leader"]\n',
        ),
        "[steps.bar]",
        "steps.bar.review",
        "review is missing",
    ),
    (
        "a letter at a moment the step does not have",
        _swap('notice = "bar-notice"', 'invite = "bar-notice"'),
        'invite = "bar-notice"',
        "steps.bar.letters.invite",
        "sends no letter at 'invite'",
    ),
    (
        "a letter id that is not an identifier",
        _swap('issue = "written-warning"', 'issue = "Written Warning!"'),
        'issue = "Written Warning!"',
        "steps.written_warning.letters.issue",
        "not a usable identifier",
    ),
    (
        "unknown channel",
        _swap('"covert_recording", "other"', '"covert", "other"'),
        '"covert", "other"',
        "behaviour.channels",
        "'covert' is not a channel",
    ),
    (
        "no safety referral",
        _swap('kind = "police_or_legal_referral"', 'kind = "lado_referral"'),
        "parallel = [",
        "ladder.parallel",
        "exactly one step of kind police_or_legal_referral",
    ),
    (
        "optional alongside the ladder",
        _swap('kind = "report_post"\n', 'kind = "report_post"\noptional = true\n'),
        'kind = "report_post"\noptional = true',
        "steps.report_post.optional",
        "only a step on the ladder",
    ),
    (
        "skip_to alongside the ladder",
        _swap('kind = "report_post"\n', 'kind = "report_post"\nskip_to = ["trust_leader"]\n'),
        'kind = "report_post"\nskip_to',
        "steps.report_post.skip_to",
        "never a skip",
    ),
]


@pytest.mark.parametrize(
    ("change", "at", "field", "words"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_a_broken_profile_names_file_line_and_field(
    change: Callable[[str], str], at: str, field: str, words: str
) -> None:
    broken = change(TEXT)
    error = _refused(broken)
    expected = _line(broken, at) if "\n" not in at else _line_of_block(broken, at)
    assert (error.file, error.line, error.field) == (NAME, expected, field), error.message
    assert error.message.startswith(f"{NAME}, line {expected}, field {field}: "), error.message
    assert words in error.message
    assert isinstance(error, ValidationError)
    assert user_message(error) == error.message


def _line_of_block(text: str, block: str) -> int:
    """The line where a multi-line snippet ends (its first lines say which one it is)."""
    offset = text.index(block) + len(block)
    return text.count("\n", 0, offset) + 1


def test_bad_toml_names_the_line_from_the_parser() -> None:
    broken = TEXT.replace('kind = "bar"', 'kind = "bar', 1)
    error = _refused(broken)
    assert error.line == _line(broken, 'kind = "bar\n'.strip())
    assert error.field is None
    assert error.message.startswith(f"{NAME}, line {error.line}: this line is not valid TOML")
    assert "(at line" not in error.message


def test_a_missing_equals_sign_is_reported_on_its_line() -> None:
    broken = TEXT.replace("default_bar_days = 90", "default_bar_days 90", 1)
    error = _refused(broken)
    assert error.line == _line(broken, "default_bar_days 90")


def test_load_profile_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "our_trust.toml"
    path.write_text(TEXT.replace('review = ["trust_leader"]', 'review = ["chair"]'), "utf-8")
    with pytest.raises(PolicyError) as info:
        load_profile(path)
    assert info.value.file == "our_trust.toml"
    assert info.value.message.startswith("our_trust.toml, line ")


def test_an_unreadable_file_has_no_line(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as info:
        load_profile(tmp_path / "missing.toml")
    assert (info.value.file, info.value.line, info.value.field) == ("missing.toml", None, None)
    assert info.value.message.startswith("missing.toml: the file cannot be read")
    latin = tmp_path / "latin.toml"
    latin.write_bytes("name = 'Ysgol Gymraeg Caerdydd \xe2'".encode("latin-1"))
    with pytest.raises(PolicyError) as info:
        load_profile(latin)
    assert "UTF-8" in info.value.message


def test_an_empty_file_says_what_is_missing() -> None:
    error = _refused("")
    assert (error.line, error.field) == (None, "profile")
    assert "[profile] table is missing" in error.message


def test_loading_the_same_file_twice_gives_equal_profiles() -> None:
    assert load_profile(GRADUATED) == load_profile(GRADUATED)
    assert load_profile(GRADUATED) != load_profile(CONVERSATION)


# -- versions -----------------------------------------------------------------------------


def test_a_profile_change_does_not_alter_a_past_decision() -> None:
    """A step keeps the version it was taken under, and an edited profile still places it."""
    before = load_profile_text(TEXT, NAME)
    record = check_step(
        before,
        [],
        "verbal_warning",
        taken_on=dt.date(2026, 9, 14),
        recorded_by=Role.BUSINESS_MANAGER,
        decided_by=Role.HEADTEACHER,
    )
    assert record.profile_version == "1.0"
    edited = (
        TEXT.replace('version = "1.0"', 'version = "2.0"')
        .replace('"verbal_warning",\n    "mediation"', '"first_conversation",\n    "mediation"')
        .replace("[steps.verbal_warning]", "[steps.first_conversation]")
        .replace("[steps.verbal_warning.letters]", "[steps.first_conversation.letters]")
    )
    after = load_profile_text(edited, NAME)
    assert after.version == "2.0" and after.digest != before.digest
    assert after.find_step("verbal_warning") is None
    assert record.profile_version == "1.0"  # the record is unchanged
    assert where_case_stands(after, [record]).rung == 1  # placed by its kind
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.profile_version = "2.0"  # type: ignore[misc]


def test_editing_only_a_comment_changes_the_digest_not_the_version() -> None:
    edited = load_profile_text(TEXT + "\n# reviewed by the board\n", NAME)
    original = load_profile_text(TEXT, NAME)
    assert edited.version == original.version
    assert edited.digest != original.digest


# -- finding lines ------------------------------------------------------------------------


SAMPLE = """\
# a comment
[profile]
id = "x"
description = \"\"\"
name = "not a key: inside a string"
\"\"\"

[ladder]
order = [
    "a",
    ["b", "c"]
]
parallel = ["d"]

[steps.a]
label = "A"
letters.issue = "letter_a"

[steps.b.letters]
notice = "b_notice"
"""


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("profile",), 2),
        (("profile", "id"), 3),
        (("profile", "description"), 4),
        (("profile", "name"), 2),  # missing: the table that should hold it
        (("ladder", "order"), 9),
        (("ladder", "parallel"), 13),  # a nested list does not look like a table
        (("steps", "a"), 15),
        (("steps", "a", "label"), 16),
        (("steps", "a", "letters", "issue"), 17),
        (("steps", "b", "letters", "notice"), 20),
        (("steps", "b"), 19),
        (("steps", "z", "label"), 15),  # the first table under [steps]
        (("windows", "default_bar_days"), None),
    ],
)
def test_line_of(path: tuple[str, ...], line: int | None) -> None:
    assert line_of(SAMPLE, path) == line


# -- any edit either loads or is refused in words --------------------------------------------

_LINES = TEXT.splitlines()


@settings(max_examples=150, deadline=None)
@given(
    index=st.integers(0, len(_LINES) - 1),
    replacement=st.one_of(
        st.just(""),
        st.text(alphabet='abc_=[]"., -0123456789#\n', max_size=30),
        st.sampled_from(['kind = "x"', "take = []", "representations_days = -1", "[steps]"]),
    ),
)
def test_any_edit_loads_or_raises_a_policy_error(index: int, replacement: str) -> None:
    lines = list(_LINES)
    lines[index] = replacement
    text = "\n".join(lines)
    try:
        profile = load_profile_text(text, NAME)
    except PolicyError as error:
        assert error.message.startswith(NAME)
        assert error.line is None or 1 <= error.line <= len(text.splitlines()) + 1
        return
    assert profile.ladder and profile.safety_referral


def test_a_letter_no_one_can_print_is_refused_naming_its_line() -> None:
    from reports.letter_templates import TYPE_IDS

    path = policies_dir() / "graduated_sanctions.toml"
    text = path.read_text(encoding="utf-8").replace(
        'confirm = "bar-confirmation"', 'confirm = "bar-confirmed-letter"'
    )
    with pytest.raises(PolicyError) as caught:
        load_profile_text(text, path.name, TYPE_IDS)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "bar-confirmed-letter" in t)
    assert caught.value.line == line
    assert "steps.bar.letters.confirm" in str(caught.value)
    assert "no letter called 'bar-confirmed-letter'" in str(caught.value)
    assert load_profile_text(text, path.name).step("bar")  # unchecked without the list
