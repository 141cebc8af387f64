"""How tests/services/test_permissions.py calls the retention review's services.

The lead merges `NEEDS_RETENTION` into `permission_calls.NEEDS`. Each call works on the case
made for its service: closed (once) by the administrator, and looked at on a day years
after, when it is past every period; the certificate calls use a deletion the
administrator made of that case.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from desktop.dates import uk_today
from desktop.domain.roles import Operation
from desktop.errors import NotFound, ValidationError
from desktop.services import casefile, retention
from desktop.services.cases import CaseRow
from tests.services.permission_calls import Needs, World

RETENTION = Operation.RETENTION
LATER = uk_today() + dt.timedelta(days=10 * 365)  # past every shipped profile's periods
_deletions: dict[int, int] = {}  # case id -> the certificate of its deletion


def _closed(world: World, case: CaseRow) -> list[int]:
    """The case's id, the case closed by the administrator (the first time asked)."""
    # Closed already for an earlier role, or deleted by it (the data protection lead).
    with contextlib.suppress(ValidationError, NotFound):
        casefile.close_case(world.admin, case_id=case.id, reason="Resolved.")
    return [case.id]


def _deletion(world: World, case: CaseRow) -> int:
    """The certificate number of the case's deletion, made once by the administrator."""
    if case.id not in _deletions:
        _deletions[case.id] = retention.delete_records(
            world.admin, record_ids=_closed(world, case), today=LATER
        ).certificate
    return _deletions[case.id]


NEEDS_RETENTION: dict[str, Needs] = {
    "desktop.services.retention.due_records": Needs(
        RETENTION, lambda s, w, c: retention.due_records(s, today=LATER)
    ),
    "desktop.services.retention.next_review_count": Needs(
        RETENTION, lambda s, w, c: retention.next_review_count(s, today=LATER)
    ),
    "desktop.services.retention.keep_longer": Needs(
        RETENTION,
        lambda s, w, case: retention.keep_longer(
            s,
            record_ids=_closed(w, case),
            reason="A claim is expected.",
            review_on=LATER + dt.timedelta(days=30),
            today=LATER,
        ),
    ),
    "desktop.services.retention.delete_records": Needs(
        RETENTION,
        lambda s, w, case: retention.delete_records(s, record_ids=_closed(w, case), today=LATER),
    ),
    "desktop.services.retention.deletion_certificate": Needs(
        RETENTION,
        lambda s, w, case: retention.deletion_certificate(s, number=_deletion(w, case)),
    ),
    "desktop.services.retention.deletion_certificates": Needs(
        RETENTION, lambda s, w, c: retention.deletion_certificates(s)
    ),
    "desktop.services.retention.certificate_pdf": Needs(
        RETENTION, lambda s, w, case: retention.certificate_pdf(s, number=_deletion(w, case))
    ),
    "desktop.services.retention.save_certificate": Needs(
        RETENTION,
        lambda s, w, case: retention.save_certificate(
            s, number=_deletion(w, case), to=w.file("certificate.pdf")
        ),
    ),
    "desktop.services.retention.record_certificate_printed": Needs(
        RETENTION,
        lambda s, w, case: retention.record_certificate_printed(s, number=_deletion(w, case)),
    ),
}
