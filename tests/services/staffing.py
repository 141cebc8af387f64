"""Staff members for tests: Casebook has no service to add staff yet, so tests add rows."""

from __future__ import annotations

from desktop.services.session import UserSession
from desktop.storage.models import StaffMember, Trust


def add_staff(
    session: UserSession,
    name: str,
    *,
    school_id: int | None = 1,
    job_title: str = "Class teacher",
    active: bool = True,
) -> int:
    """Add a member of staff at `school_id` (None: the trust's own staff); returns the id."""
    with session.transaction(write=True) as db:
        trust_id = db.query(Trust.id).scalar()
        row = StaffMember(
            trust_id=trust_id, school_id=school_id, name=name, job_title=job_title, active=active
        )
        db.add(row)
        db.flush()
        return row.id
