"""Scoping calls for `desktop.services.casefile`: the header, closing and reopening.

Closing and reopening change the case, and the scoping test calls each one on the same
case several times, so each call first puts the case (as the administrator) in the state
the call needs: open before closing, closed before reopening. A case that does not exist
(id 999_999) is left alone, and the service must refuse it like one out of reach.
"""

from __future__ import annotations

from collections.abc import Callable

from desktop.services import casefile
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from tests.services.scoping_calls import admin

MISSING = 999_999


def _status(case: CaseRow) -> str | None:
    if case.id == MISSING:
        return None
    return casefile.case_header(admin(), case_id=case.id).status


def _close(session: UserSession, case: CaseRow) -> object:
    if _status(case) == "closed":
        casefile.reopen_case(admin(), case_id=case.id, reason="Reopened for the scoping test")
    return casefile.close_case(session, case_id=case.id, reason="Closed in the scoping test")


def _reopen(session: UserSession, case: CaseRow) -> object:
    if _status(case) == "open":
        casefile.close_case(admin(), case_id=case.id, reason="Closed for the scoping test")
    return casefile.reopen_case(session, case_id=case.id, reason="Reopened in the scoping test")


CALLS: dict[str, Callable[[UserSession, CaseRow], object]] = {
    "desktop.services.casefile.case_header": lambda s, case: casefile.case_header(
        s, case_id=case.id
    ),
    "desktop.services.casefile.close_case": _close,
    "desktop.services.casefile.reopen_case": _reopen,
}
