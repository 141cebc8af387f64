"""The one text rule (domain/text.py) that every service's names and notes go through:
what is refused, what is removed, what is kept, and that no name can be made to show as
another."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.evidence import clean_filename
from desktop.domain.record_dates import check_not_too_early
from desktop.domain.signin import password_problem
from desktop.domain.text import (
    DIRECTION_CONTROLS,
    clean_block,
    clean_line,
    is_text,
    normalise_username,
    refuse_unstorable,
)
from desktop.errors import ValidationError
from tests.hostile.support import MEGABYTE_TEXT, hostile_text, shown_the_same

INVISIBLE = ("\u200b", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u3164", "\u200d")


def line(value: str) -> str:
    return clean_line(value, field="name", label="The name")


def block(value: str) -> str:
    return clean_block(value, field="notes", label="The notes", max_length=10_000)


@pytest.mark.parametrize("control", sorted(DIRECTION_CONTROLS))
@pytest.mark.parametrize("clean", [line, block])
def test_a_direction_control_is_refused_in_words(clean, control: str) -> None:
    with pytest.raises(ValidationError) as info:
        clean(f"Ann {control}htimS")
    assert "direction" in info.value.message
    assert info.value.field in ("name", "notes")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Jo\u200bhn Smith", "John Smith"),  # zero-width space
        ("\ufeffAnn Smith", "Ann Smith"),  # a byte-order mark pasted from a file
        ("Ann\u2060 Smith", "Ann Smith"),  # word joiner
        ("Sm\u00adith", "Smith"),  # soft hyphen
        ("Jo\u200dhn", "John"),  # a joiner between Latin letters joins nothing
        ("\u200cAnn", "Ann"),  # a non-joiner with nothing before it
        ("Ann\u200e Smith\u200f", "Ann Smith"),  # direction marks, in a name
        ("\u3164Ann", "Ann"),  # a Hangul filler: a "letter" that shows as nothing
        ("Zoe\u200b\u0308", "Zoë"),  # removed first, then composed
    ],
)
def test_invisible_characters_are_removed_from_a_name(typed: str, kept: str) -> None:
    assert line(typed) == kept


@pytest.mark.parametrize(
    "word",
    [
        "می\u200cخواهم",  # Persian: the non-joiner keeps two letter forms apart
        "क्\u200dष",  # Devanagari: the joiner after a virama asks for a half form
        "👨\u200d👩\u200d👧",  # a family emoji is one picture only with its joiners
        "👩🏽\u200d💻",
    ],
)
def test_joiners_stay_where_a_script_draws_them(word: str) -> None:
    assert line(word) == word
    assert block(word) == word


def test_a_block_keeps_direction_marks_for_mixed_prose() -> None:
    text = "He wrote \u201cمرحبا\u201d\u200f, then left."
    assert block(text) == text
    assert line(text) == "He wrote \u201cمرحبا\u201d, then left."


def test_a_name_made_only_of_invisible_characters_is_missing() -> None:
    with pytest.raises(ValidationError) as info:
        line("\u200b\u2060\ufeff")
    assert "required" in info.value.message


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        st.characters(min_codepoint=0x41, max_codepoint=0x24F).filter(str.isalpha),
        min_size=1,
        max_size=20,
    ),
    st.lists(st.tuples(st.integers(0, 20), st.sampled_from(INVISIBLE)), max_size=5),
)
def test_a_latin_name_cannot_be_made_to_differ_invisibly(name: str, inserts) -> None:
    """Invisible characters slipped into a name leave the name it shows as."""
    disguised = name
    for position, ch in inserts:
        disguised = disguised[:position] + ch + disguised[position:]
    assert line(disguised) == line(name)


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_lines_are_refused_or_shown_as_stored(value: str) -> None:
    try:
        once = line(value)
    except ValidationError as exc:
        assert exc.field == "name" and is_text(exc.message)
        return
    assert line(once) == once  # a second save changes nothing
    assert shown_the_same(once) and "\n" not in once
    assert unicodedata.is_normalized("NFC", once)
    assert "\u200e" not in once and "\u200f" not in once


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_blocks_are_refused_or_shown_as_stored(value: str) -> None:
    try:
        once = block(value)
    except ValidationError as exc:
        assert exc.field == "notes" and is_text(exc.message)
        return
    assert block(once) == once
    assert shown_the_same(once)


@pytest.mark.parametrize("clean", [line, block])
def test_a_megabyte_is_refused_as_too_long(clean) -> None:
    with pytest.raises(ValidationError) as info:
        clean(MEGABYTE_TEXT)
    assert "too long" in info.value.message


def test_a_megabyte_of_invisible_characters_around_a_name_leaves_the_name() -> None:
    assert line("\u200b" * 500_000 + "Ann" + "\ufeff" * 500_000) == "Ann"


@pytest.mark.parametrize("value", ["ad\ud800", "\udcffadmin", "\udc80"])
def test_text_that_is_not_unicode_is_refused(value: str) -> None:
    assert not is_text(value)
    with pytest.raises(ValidationError):
        normalise_username(value)
    with pytest.raises(ValidationError):
        line(value)
    assert password_problem(value + "long enough password") is not None


def test_letter_wording_and_file_names_share_the_rule() -> None:
    with pytest.raises(ValidationError):
        refuse_unstorable("Dear {{ recipient_name }}\u202e", field="text", label="The wording")
    refuse_unstorable("Dear {{ recipient_name }},\n\n\tYours", field="t", label="W", allowed="\n\t")
    for control in DIRECTION_CONTROLS:
        with pytest.raises(ValidationError):
            clean_filename(f"photo{control}gpj.exe")


@pytest.mark.parametrize(
    "value",
    [
        dt.date(1, 1, 1),
        dt.date(1899, 12, 31),
        dt.datetime(1, 1, 1),
        dt.datetime(1, 1, 1, tzinfo=dt.UTC),
        dt.datetime(1899, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=14))),
    ],
)
def test_nothing_before_1900_is_recorded(value: dt.date) -> None:
    with pytest.raises(ValidationError) as info:
        check_not_too_early(value, field="occurred_at")
    assert info.value.field == "occurred_at"


def test_the_first_day_kept_is_1_january_1900() -> None:
    for kept in (
        dt.date(1900, 1, 1),
        dt.datetime(1900, 1, 1, 0, 0),
        dt.datetime(1900, 1, 1, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 23, 59),
    ):
        check_not_too_early(kept, field="occurred_at")
    with pytest.raises(ValidationError):
        check_not_too_early(dt.datetime(1899, 12, 31, 23, 59, 59, tzinfo=dt.UTC), field="f")
