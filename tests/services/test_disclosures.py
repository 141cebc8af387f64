"""The disclosure log: a disclosure is checked before it is kept, the log lists and filters
its entries newest first with names rather than ids, the counts by basis cover every basis
and only the days asked for, only those who may authorise are offered and accepted, and
the audit entry names the basis but never the recipient or what went."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktop.dates import uk_today
from desktop.domain.disclosures import LegalBasis
from desktop.domain.roles import Role
from desktop.errors import NotPermitted, ValidationError
from desktop.services import disclosures, users_access
from desktop.services.cases import CaseRow, open_case
from desktop.services.disclosures import DisclosureDraft
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.storage.models import AuditEntry, Case, User
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import audit_details

D = dt.date
RECIPIENT = "Ofsted inspector Quentin Quill"
WHAT = "The incident log for March, with names of staff witnesses."


def _draft(session: UserSession, **changes: Any) -> DisclosureDraft:
    draft = DisclosureDraft(
        basis=LegalBasis.INSPECTION,
        recipient=RECIPIENT,
        what=WHAT,
        disclosed_on=D(2026, 3, 10),
        authorised_by_id=session.actor.user_id,
    )
    return dataclasses.replace(draft, **changes)


def _case(session: UserSession) -> CaseRow:
    return open_case(
        session,
        given_name="Pat",
        family_name="Parker",
        relationship="parent",
        school_ids=[1],
        opened_on=D(2026, 1, 5),
    )


# -- checking a disclosure ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"basis": "a friend asked"}, "basis"),
        ({"recipient": "   "}, "recipient"),
        ({"what": ""}, "what"),
        ({"disclosed_on": D(1899, 12, 31)}, "disclosed_on"),
        ({"authorised_by_id": 999}, "authorised_by"),
        ({"case_id": 999}, "case"),
        ({"case_reference": "Parker"}, "case"),
        ({"case_reference": "CB-2026-0999"}, "case"),
    ],
)
def test_a_disclosure_is_checked_before_it_is_kept(
    admin: UserSession, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        disclosures.record_disclosure(admin, _draft(admin, **changes))
    assert refused.value.field == field
    assert disclosures.list_disclosures(admin) == []


def test_a_disclosure_cannot_be_dated_in_the_future(admin: UserSession) -> None:
    later = uk_today() + dt.timedelta(days=3)
    with pytest.raises(ValidationError) as refused:
        disclosures.record_disclosure(admin, _draft(admin, disclosed_on=later))
    assert refused.value.field == "disclosed_on"


def test_only_those_who_may_authorise_are_offered_and_accepted(
    new_store: SetupResult, store_path: Path
) -> None:
    admin = new_store.session
    sign_in_new_user(new_store, store_path, "bea", "business_manager").close()
    sign_in_new_user(new_store, store_path, "hugh", "headteacher").close()
    sign_in_new_user(new_store, store_path, "cleo", "trust_leader", schools=()).close()
    sign_in_new_user(new_store, store_path, "gone", "trust_leader", schools=()).close()
    users_access.disable_user(admin, username="gone")
    offered = disclosures.list_authorisers(admin)
    assert [a.username for a in offered] == ["admin", "cleo", "hugh"]  # by full name
    assert offered[0].words == f"Alex Admin ({Role.DATA_PROTECTION_LEAD.label})"
    assert {a.role for a in offered} == {
        Role.DATA_PROTECTION_LEAD,
        Role.TRUST_LEADER,
        Role.HEADTEACHER,
    }
    ids = _user_ids(admin)
    for refused in ("bea", "gone"):
        with pytest.raises(ValidationError) as error:
            disclosures.record_disclosure(admin, _draft(admin, authorised_by_id=ids[refused]))
        assert error.value.field == "authorised_by"
    kept = disclosures.record_disclosure(admin, _draft(admin, authorised_by_id=ids["hugh"]))
    assert disclosures.list_disclosures(admin)[0].id == kept


def _user_ids(session: UserSession) -> dict[str, int]:
    with session.transaction() as db:
        return {name: user_id for name, user_id in db.execute(select(User.username, User.id))}


# -- the log --------------------------------------------------------------------------------
def test_the_log_lists_newest_first_with_names(admin: UserSession) -> None:
    case = _case(admin)
    first = disclosures.record_disclosure(admin, _draft(admin, disclosed_on=D(2026, 2, 1)))
    second = disclosures.record_disclosure(
        admin,
        _draft(
            admin,
            basis="secretary_of_state",
            disclosed_on=D(2026, 4, 1),
            case_reference=f" {case.reference.lower()} ",
        ),
    )
    rows = disclosures.list_disclosures(admin)
    assert [row.id for row in rows] == [second, first]
    newest = rows[0]
    assert newest.basis is LegalBasis.SECRETARY_OF_STATE
    assert (newest.recipient, newest.what) == (RECIPIENT, WHAT)
    assert (newest.authorised_by, newest.recorded_by) == ("Alex Admin", "Alex Admin")
    assert newest.case_reference == case.reference
    assert rows[1].case_reference == ""


def test_the_log_filters_by_days_and_basis(admin: UserSession) -> None:
    for day, basis in (
        (D(2026, 1, 31), LegalBasis.INSPECTION),
        (D(2026, 2, 1), LegalBasis.INSPECTION),
        (D(2026, 2, 28), LegalBasis.LEGAL_AUTHORITY),
        (D(2026, 3, 1), LegalBasis.INSPECTION),
    ):
        disclosures.record_disclosure(admin, _draft(admin, disclosed_on=day, basis=basis))
    february = disclosures.list_disclosures(admin, start=D(2026, 2, 1), end=D(2026, 2, 28))
    assert [row.disclosed_on for row in february] == [D(2026, 2, 28), D(2026, 2, 1)]
    inspections = disclosures.list_disclosures(admin, basis=LegalBasis.INSPECTION)
    assert [row.disclosed_on.month for row in inspections] == [3, 2, 1]
    both = disclosures.list_disclosures(admin, start=D(2026, 2, 1), basis="inspection")
    assert [row.disclosed_on for row in both] == [D(2026, 3, 1), D(2026, 2, 1)]
    with pytest.raises(ValidationError):
        disclosures.list_disclosures(admin, basis="gossip")


def test_counts_by_basis_cover_every_basis_and_only_the_days_asked(admin: UserSession) -> None:
    case = _case(admin)
    for day, basis, on_case in (
        (D(2025, 8, 31), LegalBasis.INSPECTION, False),  # the day before
        (D(2025, 9, 1), LegalBasis.INSPECTION, True),
        (D(2026, 1, 5), LegalBasis.INSPECTION, False),
        (D(2026, 8, 31), LegalBasis.SUBJECT_ACCESS, True),
        (D(2026, 9, 1), LegalBasis.LEGAL_AUTHORITY, False),  # the day after
    ):
        disclosures.record_disclosure(
            admin,
            _draft(admin, disclosed_on=day, basis=basis, case_id=case.id if on_case else None),
        )
    with admin.transaction() as db:
        counts = disclosures.counts_by_basis(db, D(2025, 9, 1), D(2026, 8, 31))
        about = disclosures.counts_by_basis(
            db, D(2025, 9, 1), D(2026, 8, 31), cases=select(Case.id).where(Case.id == case.id)
        )
    assert counts == {
        LegalBasis.SECRETARY_OF_STATE: 0,
        LegalBasis.INSPECTION: 2,
        LegalBasis.SUBJECT_ACCESS: 1,
        LegalBasis.LEGAL_AUTHORITY: 0,
    }
    assert about == {**counts, LegalBasis.INSPECTION: 1}


def test_the_audit_entry_names_the_basis_but_not_the_recipient_or_content(
    admin: UserSession,
) -> None:
    case = _case(admin)
    kept = disclosures.record_disclosure(admin, _draft(admin, case_id=case.id))
    (detail,) = audit_details(admin, "disclosure.recorded")
    assert detail == {"disclosure_id": kept, "basis": "inspection"}
    with admin.transaction() as db:
        entry = db.scalars(
            select(AuditEntry).where(AuditEntry.action == "disclosure.recorded")
        ).one()
        assert entry.case_id == case.id
        assert "Quill" not in entry.detail and "witnesses" not in entry.detail
    assert "Quill" not in json.dumps(detail)


def test_a_role_without_the_log_is_refused(new_store: SetupResult, store_path: Path) -> None:
    leader = sign_in_new_user(new_store, store_path, "cleo", "trust_leader", schools=())
    with pytest.raises(NotPermitted):
        disclosures.record_disclosure(leader, _draft(leader))
    with pytest.raises(NotPermitted):
        disclosures.list_disclosures(leader)
    with pytest.raises(NotPermitted):
        disclosures.list_authorisers(leader)
