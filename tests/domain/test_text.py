"""Cleaning typed text: odd input gets a clear ValidationError, never anything else."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.text import clean_block, clean_line, clean_username
from desktop.errors import ValidationError


def test_clean_line_trims_and_folds_spaces() -> None:
    assert clean_line("  Ann    Smith ", field="f", label="Name") == "Ann Smith"


def test_clean_line_normalises_to_nfc() -> None:
    assert clean_line("Zoe\u0308", field="f", label="Name") == "Zo\u00eb"


def test_required_line() -> None:
    with pytest.raises(ValidationError) as info:
        clean_line("   ", field="given_name", label="The first name")
    assert info.value.field == "given_name"
    assert "required" in info.value.message
    assert clean_line("  ", field="f", label="L", required=False) == ""


def test_line_length_limit() -> None:
    assert clean_line("x" * 10, field="f", label="L", max_length=10) == "x" * 10
    with pytest.raises(ValidationError) as info:
        clean_line("x" * 11, field="f", label="L", max_length=10)
    assert "10 characters" in info.value.message


@pytest.mark.parametrize("bad", ["a\x00b", "a\x07b", "a\nb", "a\x1bb", "a\ue000b", "a\x7fb"])
def test_line_rejects_control_and_private_characters(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        clean_line(bad, field="f", label="The name")
    assert info.value.field == "f"


def test_block_keeps_lines_and_drops_blank_ones() -> None:
    text = "  1 High Street \r\n\r\n Oakfield\rOK1  2AB\n"
    assert clean_block(text, field="a", label="Address") == "1 High Street\nOakfield\nOK1 2AB"


def test_block_allows_tabs_but_not_other_controls() -> None:
    assert clean_block("a\tb", field="a", label="A") == "a b"
    with pytest.raises(ValidationError):
        clean_block("a\x00b", field="a", label="A")


def test_block_required_and_length() -> None:
    with pytest.raises(ValidationError):
        clean_block("\n\n", field="a", label="A", required=True)
    with pytest.raises(ValidationError):
        clean_block("x" * 2001, field="a", label="A")


@pytest.mark.parametrize(
    ("raw", "clean"), [("Admin", "admin"), (" bm.smith ", "bm.smith"), ("a-1_b", "a-1_b")]
)
def test_good_usernames(raw: str, clean: str) -> None:
    assert clean_username(raw) == clean


@pytest.mark.parametrize("bad", ["", "a", "-abc", "ann smith", "ann@school", "x" * 65, "ännie"])
def test_bad_usernames(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        clean_username(bad)
    assert info.value.field == "username"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_clean_line_never_fails_unexpectedly(value: str) -> None:
    try:
        result = clean_line(value, field="f", label="L")
    except ValidationError:
        return
    assert result == result.strip()
    assert "\n" not in result
    assert 0 < len(result) <= 200


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_clean_block_never_fails_unexpectedly(value: str) -> None:
    try:
        result = clean_block(value, field="f", label="L")
    except ValidationError:
        return
    assert len(result) <= 2000
    assert all(line and line == line.strip() for line in result.split("\n")) or result == ""


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_clean_username_never_fails_unexpectedly(value: str) -> None:
    try:
        result = clean_username(value)
    except ValidationError:
        return
    assert result == result.strip().lower()
    assert 2 <= len(result) <= 64
