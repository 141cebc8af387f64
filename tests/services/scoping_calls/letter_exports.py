"""How the scoping test calls the letter export (tests/services/test_scoping.py)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from desktop.services import letter_sources
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession


def _export(session: UserSession, case: CaseRow) -> object:
    """The case's bar notice: it has recorded none, so once the case is found (and only
    then: a case out of reach is NotFound first) the letter is refused naming the field."""
    folder = Path(tempfile.mkdtemp(prefix="casebook-scoping-"))
    try:
        return letter_sources.export_letter(
            session, reference=case.reference, type_id="bar-notice", to=folder / "notice.pdf"
        )
    except letter_sources.LetterNotRecorded:
        return None


CALLS: dict[str, Callable[[UserSession, CaseRow], object]] = {
    "desktop.services.letter_sources.export_letter": _export,
}
