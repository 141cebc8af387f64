"""How the scoping test calls the issued-letter services (tests/services/test_scoping.py)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from desktop.services import issued_letters, sanctions
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from tests.services.scoping_calls.sanctions import MISSING, WARNING, _leader


def _letter_id(case: CaseRow) -> int:
    """A verbal warning's letter on `case`, issued by a trust leader; or a missing id."""
    from tests.services.scoping_calls import admin

    if case.id == MISSING:
        return MISSING
    found = sanctions.take_step(_leader(admin()), case_id=case.id, draft=WARNING).letter_id
    assert found is not None
    return found


def _save(session: UserSession, case: CaseRow) -> object:
    folder = Path(tempfile.mkdtemp(prefix="casebook-scoping-"))
    return issued_letters.save_copy(session, letter_id=_letter_id(case), path=folder / "a.pdf")


CALLS: dict[str, Callable[[UserSession, CaseRow], object]] = {
    "desktop.services.issued_letters.case_letters": lambda s, case: issued_letters.case_letters(
        s, case_id=case.id
    ),
    "desktop.services.issued_letters.open_letter": lambda s, case: issued_letters.open_letter(
        s, letter_id=_letter_id(case)
    ),
    "desktop.services.issued_letters.save_copy": _save,
    "desktop.services.issued_letters.issue_correction": lambda s, case: (
        issued_letters.issue_correction(s, letter_id=_letter_id(case))
    ),
}
