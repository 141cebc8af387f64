"""Case references, statuses and stage labels."""

from __future__ import annotations

import pytest

from desktop.domain.cases import (
    CaseStatus,
    Stage,
    format_reference,
    looks_like_reference,
    parse_reference,
    stage_label,
)


@pytest.mark.parametrize(
    ("year", "sequence", "text"),
    [(2026, 1, "CB-2026-0001"), (2026, 42, "CB-2026-0042"), (1999, 12345, "CB-1999-12345")],
)
def test_reference_round_trip(year: int, sequence: int, text: str) -> None:
    assert format_reference(year, sequence) == text
    assert parse_reference(text) == (year, sequence)


def test_parse_forgives_case_and_spaces() -> None:
    assert parse_reference("  cb-2026-0007 ") == (2026, 7)


@pytest.mark.parametrize(
    "text", ["", "CB-26-0001", "CB-2026-01", "XX-2026-0001", "CB-2026-0001x", "CB 2026 0001"]
)
def test_parse_rejects_bad_references(text: str) -> None:
    assert parse_reference(text) is None


@pytest.mark.parametrize(("year", "sequence"), [(2026, 0), (2026, -1), (99, 1), (10_000, 1)])
def test_format_rejects_bad_parts(year: int, sequence: int) -> None:
    with pytest.raises(ValueError):
        format_reference(year, sequence)


def test_looks_like_reference() -> None:
    assert looks_like_reference("cb-2026")
    assert not looks_like_reference("Cobb")


def test_stage_labels() -> None:
    for stage in Stage:
        assert stage_label(stage.value) == stage.label
    assert stage_label("a_step_from_a_newer_version") == "A step from a newer version"
    assert stage_label("") == ""


def test_status_labels() -> None:
    assert [s.label for s in CaseStatus] == ["Open", "Closed"]
