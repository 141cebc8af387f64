"""How to call each area's services for the scoping test (tests/services/test_scoping.py).

Each module here defines `CALLS: dict[str, Call]`, the same as the one in test_scoping:
the full name of a service function, and how `session` calls it on `case` (a CaseRow).
A call that needs a record inside the case first (an incident to edit, a task to tick)
makes it as the trust's administrator, `admin()`, when the case exists (a case id that
does not exist is 999_999: then pass an id that does not exist either, and the service
must refuse with the same NotFound as for a case out of reach).
"""

from __future__ import annotations

from desktop.services.session import UserSession

_ADMIN: list[UserSession] = []


def admin() -> UserSession:
    """The administrator of the scoping test's trust (set by its `world` fixture)."""
    return _ADMIN[-1]


def set_admin(session: UserSession) -> None:
    _ADMIN.clear()
    _ADMIN.append(session)
