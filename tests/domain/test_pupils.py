"""A new pupil's names and year group: one rule for every form that adds a pupil."""

from __future__ import annotations

import pytest

from desktop.domain.people import MAX_PUPIL_NAME_LENGTH, clean_pupil
from desktop.errors import ValidationError


def test_names_are_cleaned_and_kept_exactly() -> None:
    assert clean_pupil("  Zoë ", "Ní Bhriain-O'Brien", " Year 7 ") == (
        "Zoë",
        "Ní Bhriain-O'Brien",
        "Year 7",
    )
    assert clean_pupil("Ольга", "Кузнецова", "") == ("Ольга", "Кузнецова", "")


@pytest.mark.parametrize(
    ("given", "family", "year", "field"),
    [
        ("", "Smith", "", "pupil_given_name"),
        ("Ann", "   ", "", "pupil_family_name"),
        ("A" * (MAX_PUPIL_NAME_LENGTH + 1), "Smith", "", "pupil_given_name"),
        ("Ann", "Smith", "Y" * 21, "year_group"),
    ],
)
def test_what_is_refused_names_its_field(given: str, family: str, year: str, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        clean_pupil(given, family, year)
    assert info.value.field == field


def test_a_form_names_its_own_fields() -> None:
    with pytest.raises(ValidationError) as info:
        clean_pupil("", "Smith", "", fields=("pupils", "pupils", "pupils"))
    assert info.value.field == "pupils"
