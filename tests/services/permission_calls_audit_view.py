"""How tests/services/test_permissions.py calls the audit viewer's and the disclosure log's
services, and the operation each needs (merged into `NEEDS` by permission_calls.py)."""

from __future__ import annotations

import datetime as dt

from desktop.domain.disclosures import LegalBasis
from desktop.domain.roles import Operation
from desktop.services import audit_view, disclosures
from desktop.services.audit_view import AuditFilter
from desktop.services.disclosures import DisclosureDraft
from desktop.services.session import UserSession
from tests.services.permission_calls import Needs, World

AUDIT, DISCLOSURES = Operation.VIEW_AUDIT, Operation.RECORD_DISCLOSURES


def _draft(world: World) -> DisclosureDraft:
    """A disclosure authorised by the administrator (the data protection lead)."""
    return DisclosureDraft(
        basis=LegalBasis.INSPECTION,
        recipient=world.unique("Inspector "),
        what="The incident log for one term.",
        disclosed_on=dt.date(2026, 3, 10),
        authorised_by_id=world.admin.actor.user_id,
    )


def _export(session: UserSession, world: World) -> object:
    return audit_view.export_entries(
        session, to=world.file("trail.csv"), filters=AuditFilter(action="case.opened")
    )


NEEDS_AUDIT_VIEW: dict[str, Needs] = {
    # -- the audit viewer ---------------------------------------------------------------------
    "desktop.services.audit_view.filter_choices": Needs(
        AUDIT, lambda s, w, c: audit_view.filter_choices(s)
    ),
    "desktop.services.audit_view.list_entries": Needs(
        AUDIT,
        lambda s, w, c: audit_view.list_entries(
            s, filters=AuditFilter(case_reference=c.reference), limit=10
        ),
    ),
    "desktop.services.audit_view.export_entries": Needs(AUDIT, lambda s, w, c: _export(s, w)),
    # -- the disclosure log -----------------------------------------------------------------
    "desktop.services.disclosures.record_disclosure": Needs(
        DISCLOSURES, lambda s, w, c: disclosures.record_disclosure(s, _draft(w))
    ),
    "desktop.services.disclosures.list_disclosures": Needs(
        DISCLOSURES, lambda s, w, c: disclosures.list_disclosures(s, basis="inspection")
    ),
    "desktop.services.disclosures.list_authorisers": Needs(
        DISCLOSURES, lambda s, w, c: disclosures.list_authorisers(s)
    ),
}
