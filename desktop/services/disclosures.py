"""The disclosure log: every time records leave the trust, on which legal basis, to whom,
what went, when, and who authorised it. For the data protection lead; the board report's
named appendix counts them by basis.

`record_disclosure` is also called, inside their own transaction, by the services that
hand records over (a subject access bundle): pass `db` to join it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from desktop.dates import utc_now
from desktop.domain.cases import parse_reference
from desktop.domain.disclosures import AUTHORISING_ROLES, LegalBasis
from desktop.domain.record_dates import check_not_too_early
from desktop.domain.roles import Operation, Role
from desktop.domain.text import clean_block, clean_line
from desktop.errors import ValidationError
from desktop.services import audit, scope
from desktop.services.session import UserSession
from desktop.storage.models import Case, Disclosure, User


@dataclass(frozen=True)
class DisclosureDraft:
    basis: LegalBasis | str
    recipient: str
    what: str
    disclosed_on: dt.date
    authorised_by_id: int  # the account that authorised it
    case_id: int | None = None
    request_id: int | None = None  # the subject access request it answered
    case_reference: str = ""  # as typed (`CB-2026-0042`), when `case_id` is not known


@dataclass(frozen=True)
class Authoriser:
    """An account that may authorise a disclosure, as the log's dialog offers it."""

    id: int
    full_name: str
    username: str
    role: Role

    @property
    def words(self) -> str:
        return f"{self.full_name} ({self.role.label})"


@dataclass(frozen=True)
class DisclosureRow:
    id: int
    basis: LegalBasis
    recipient: str
    what: str
    disclosed_on: dt.date
    authorised_by: str
    case_reference: str
    request_id: int | None
    recorded_by: str
    recorded_at: dt.datetime


def _basis(value: LegalBasis | str) -> LegalBasis:
    try:
        return LegalBasis(value)
    except ValueError:
        raise ValidationError("Choose the legal basis for the disclosure.", "basis") from None


def add_disclosure(db: Session, session: UserSession, draft: DisclosureDraft) -> int:
    """Log a disclosure inside the caller's write transaction; its id. Checks the draft and
    writes the audit entry (the basis only: the log itself holds the details)."""
    basis = _basis(draft.basis)
    recipient = clean_line(draft.recipient, field="recipient", label="Recipient")
    what = clean_block(
        draft.what, field="what", label="What was disclosed", max_length=4000, required=True
    )
    check_not_too_early(draft.disclosed_on, field="disclosed_on")
    if draft.disclosed_on > utc_now().date() + dt.timedelta(days=1):
        raise ValidationError("A disclosure cannot be dated in the future.", "disclosed_on")
    authoriser = db.get(User, draft.authorised_by_id)
    if authoriser is None or not _may_authorise(authoriser):
        raise ValidationError(
            "Choose who authorised the disclosure: a headteacher, a trust leader or the "
            "data protection lead whose account is in use.",
            "authorised_by",
        )
    case_id = draft.case_id
    if case_id is None and draft.case_reference.strip():
        case_id = _case_id(db, session, draft.case_reference)
    if case_id is not None and db.get(Case, case_id) is None:
        raise ValidationError("That case is no longer in the store.", "case")
    row = Disclosure(
        basis=basis.value,
        recipient=recipient,
        what=what,
        disclosed_on=draft.disclosed_on,
        authorised_by_id=authoriser.id,
        case_id=case_id,
        request_id=draft.request_id,
        recorded_by_id=session.actor.user_id,
        recorded_at=utc_now(),
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        session.actor,
        "disclosure.recorded",
        case_id=case_id,
        detail={"disclosure_id": row.id, "basis": basis.value},
    )
    return row.id


def _may_authorise(user: User) -> bool:
    return user.active and user.role in {role.value for role in AUTHORISING_ROLES}


def _case_id(db: Session, session: UserSession, reference: str) -> int:
    parsed = parse_reference(reference)
    if parsed is None:
        raise ValidationError("A case reference looks like CB-2026-0042.", "case")
    found = db.scalar(
        select(Case.id).where(
            scope.case_visible(session.actor),
            Case.ref_year == parsed[0],
            Case.ref_sequence == parsed[1],
        )
    )
    if found is None:
        shown = reference.strip().upper()
        raise ValidationError(f"There is no case {shown} in this store.", "case")
    return found


def record_disclosure(session: UserSession, draft: DisclosureDraft) -> int:
    """Log a disclosure made outside Casebook (a copy sent to an inspector); its id."""
    session.require(Operation.RECORD_DISCLOSURES)
    with session.transaction(write=True) as db:
        return add_disclosure(db, session, draft)


def list_disclosures(
    session: UserSession,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    basis: LegalBasis | str | None = None,
) -> list[DisclosureRow]:
    """The log, newest first, optionally only between `start` and `end` (inclusive) and
    only on one legal `basis`."""
    session.require(Operation.RECORD_DISCLOSURES)
    authoriser, recorder = aliased(User), aliased(User)
    query = (
        select(Disclosure, authoriser.full_name, recorder.full_name, Case.reference)
        .outerjoin(authoriser, authoriser.id == Disclosure.authorised_by_id)
        .outerjoin(recorder, recorder.id == Disclosure.recorded_by_id)
        .outerjoin(Case, Case.id == Disclosure.case_id)
        .order_by(Disclosure.disclosed_on.desc(), Disclosure.id.desc())
    )
    if start is not None:
        query = query.where(Disclosure.disclosed_on >= start)
    if end is not None:
        query = query.where(Disclosure.disclosed_on <= end)
    if basis is not None:
        query = query.where(Disclosure.basis == _basis(basis).value)
    with session.transaction() as db:
        return [
            DisclosureRow(
                id=row.id,
                basis=LegalBasis(row.basis),
                recipient=row.recipient,
                what=row.what,
                disclosed_on=row.disclosed_on,
                authorised_by=authorised or "(account removed)",
                case_reference=reference or "",
                request_id=row.request_id,
                recorded_by=recorded or "(account removed)",
                recorded_at=row.recorded_at,
            )
            for row, authorised, recorded, reference in db.execute(query)
        ]


def list_authorisers(session: UserSession) -> list[Authoriser]:
    """The accounts in use that may authorise a disclosure (`AUTHORISING_ROLES`), by name."""
    session.require(Operation.RECORD_DISCLOSURES)
    roles = sorted(role.value for role in AUTHORISING_ROLES)
    with session.transaction() as db:
        users = db.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_(roles))
            .order_by(func.lower(User.full_name), User.username)
        )
        return [Authoriser(u.id, u.full_name, u.username, Role(u.role)) for u in users]


def counts_by_basis(
    db: Session, start: dt.date, end: dt.date, *, cases: Select[Any] | None = None
) -> dict[LegalBasis, int]:
    """How many disclosures each basis had between `start` and `end` (inclusive), every
    basis present, for a report the caller's service has already permitted. With `cases`
    (a subquery of case ids), only the disclosures about those cases are counted."""
    query = select(Disclosure.basis, func.count()).where(
        Disclosure.disclosed_on.between(start, end)
    )
    if cases is not None:
        query = query.where(Disclosure.case_id.in_(cases))
    found = dict(db.execute(query.group_by(Disclosure.basis)).all())
    return {basis: int(found.get(basis.value, 0)) for basis in LegalBasis}
