"""How tests/services/test_permissions.py calls the subject access services: each needs
`Operation.SUBJECT_ACCESS`, which only the data protection lead holds."""

from __future__ import annotations

import datetime as dt

from desktop.domain.roles import Operation
from desktop.domain.subject_access import Party
from desktop.services import subject_access
from desktop.services.subject_access import Passage
from tests.services.permission_calls import Needs, World

SAR = Operation.SUBJECT_ACCESS
RECEIVED = dt.date(2026, 1, 5)


def _request(world: World) -> int:
    """A request the administrator recorded, for the calls that act on one."""
    return subject_access.record_request(
        world.admin,
        person_id=world.fresh_person(),
        received_on=RECEIVED,
        today=dt.date(2026, 1, 6),
    ).id


NEEDS_SUBJECT_ACCESS: dict[str, Needs] = {
    "desktop.services.subject_access.record_request": Needs(
        SAR,
        lambda s, w, c: subject_access.record_request(
            s, person_id=None, requester_name="Kim Nobody", received_on=RECEIVED
        ),
    ),
    "desktop.services.subject_access.extend_request": Needs(
        SAR,
        lambda s, w, c: subject_access.extend_request(
            s,
            request_id=_request(w),
            extended_to=dt.date(2026, 3, 5),
            reason="Many records",
            today=dt.date(2026, 1, 20),
        ),
    ),
    "desktop.services.subject_access.list_requests": Needs(
        SAR, lambda s, w, c: subject_access.list_requests(s)
    ),
    "desktop.services.subject_access.get_request": Needs(
        SAR, lambda s, w, c: subject_access.get_request(s, request_id=_request(w))
    ),
    "desktop.services.subject_access.review_request": Needs(
        SAR, lambda s, w, c: subject_access.review_request(s, request_id=_request(w))
    ),
    "desktop.services.subject_access.apply_redactions": Needs(
        SAR,
        lambda s, w, c: subject_access.apply_redactions(
            s,
            request_id=_request(w),
            passages=[Passage("person:1:notes", "Someone", Party.OTHER)],
        ),
    ),
    "desktop.services.subject_access.remove_redactions": Needs(
        SAR,
        lambda s, w, c: subject_access.remove_redactions(
            s, request_id=_request(w), redaction_ids=[]
        ),
    ),
    "desktop.services.subject_access.export_bundle": Needs(
        SAR,
        lambda s, w, c: subject_access.export_bundle(
            s, request_id=_request(w), to=w.file("bundle.zip"), today=dt.date(2026, 1, 6)
        ),
    ),
}
