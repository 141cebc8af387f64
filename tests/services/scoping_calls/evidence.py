"""How the scoping test calls the evidence services (tests/services/test_scoping.py)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from desktop.services import evidence
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from tests.services.scoping_calls import admin

MISSING = 999_999
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def _add(session: UserSession, case: CaseRow) -> evidence.EvidenceRow:
    return evidence.add_evidence(session, case_id=case.id, filename="note.txt", content=b"Said.")


def _evidence_id(case: CaseRow) -> int:
    """Evidence in `case`, added by the administrator; or an id that does not exist."""
    if case.id == MISSING:
        return MISSING
    return evidence.add_evidence(admin(), case_id=case.id, filename="post.png", content=PNG).id


def _add_file(session: UserSession, case: CaseRow) -> evidence.EvidenceRow:
    path = Path(tempfile.mkdtemp()) / "letter.txt"
    path.write_bytes(b"Dear head teacher")
    return evidence.add_evidence_file(session, case_id=case.id, path=path)


def _export(session: UserSession, case: CaseRow) -> Path:
    evidence_id = _evidence_id(case)
    return evidence.export_evidence(
        session, evidence_id=evidence_id, to=Path(tempfile.mkdtemp()) / "copy.png"
    )


CALLS: dict[str, Callable[[UserSession, CaseRow], object]] = {
    "desktop.services.evidence.add_evidence": _add,
    "desktop.services.evidence.add_evidence_file": _add_file,
    "desktop.services.evidence.list_evidence": lambda s, case: evidence.list_evidence(
        s, case_id=case.id
    ),
    "desktop.services.evidence.get_evidence": lambda s, case: evidence.get_evidence(
        s, evidence_id=_evidence_id(case)
    ),
    "desktop.services.evidence.evidence_content": lambda s, case: evidence.evidence_content(
        s, evidence_id=_evidence_id(case)
    ),
    "desktop.services.evidence.thumbnail_source": lambda s, case: evidence.thumbnail_source(
        s, evidence_id=_evidence_id(case)
    ),
    "desktop.services.evidence.export_evidence": _export,
}
