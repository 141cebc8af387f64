"""The recovery sheet as the setup service makes it, for both the wizard and `casebook init`."""

from __future__ import annotations

import datetime as dt

from desktop.dates import format_date, uk_today
from desktop.services.setup import new_recovery_key, recovery_sheet_pdf
from tests.pdfutil import pdf_text


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_sheet_carries_the_key_and_the_names_given() -> None:
    key = new_recovery_key()
    data = recovery_sheet_pdf(
        trust_name="  Oakfield   Learning Trust ",
        store_name="oakfield.casebook",
        recovery_key=key,
        created_by=" Jo   Bloggs",
        created_on=dt.date(2026, 3, 4),
    )
    assert data.startswith(b"%PDF")
    text = _flat(pdf_text(data))
    assert key in text
    assert "Trust: Oakfield Learning Trust " in text  # runs of spaces folded
    assert "Case store file: oakfield.casebook " in text
    assert "Created by: Jo Bloggs " in text
    assert f"Created on: {format_date(dt.date(2026, 3, 4))} " in text


def test_the_sheet_is_dated_today_unless_told() -> None:
    data = recovery_sheet_pdf(
        trust_name="Oakfield Learning Trust",
        store_name="oakfield.casebook",
        recovery_key=new_recovery_key(),
        created_by="Jo Bloggs",
    )
    assert f"Created on: {format_date(uk_today())} " in _flat(pdf_text(data))
