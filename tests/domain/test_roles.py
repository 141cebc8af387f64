"""The role x operation table: who may see, change and administer what."""

from __future__ import annotations

import pytest

from desktop.domain.roles import (
    PERMISSIONS,
    ROLE_LABELS,
    Operation,
    Role,
    is_permitted,
)


def test_every_role_has_a_label_and_a_permission_row() -> None:
    for role in Role:
        assert role.label == ROLE_LABELS[role]
        assert role.label.strip()
        assert role in PERMISSIONS


@pytest.mark.parametrize(
    ("role", "trust_wide"),
    [
        (Role.FRONT_DESK, False),
        (Role.BUSINESS_MANAGER, False),
        (Role.HEADTEACHER, False),
        (Role.TRUST_LEADER, True),
        (Role.DATA_PROTECTION_LEAD, True),
        (Role.AUDITOR, True),
    ],
)
def test_trust_wide_roles(role: Role, trust_wide: bool) -> None:
    assert role.trust_wide is trust_wide


def test_front_desk_has_no_case_access() -> None:
    assert not is_permitted(Role.FRONT_DESK, Operation.VIEW_CASES)
    assert not is_permitted(Role.FRONT_DESK, Operation.EDIT_CASES)
    assert PERMISSIONS[Role.FRONT_DESK] == frozenset()


def test_auditor_reads_but_never_edits() -> None:
    assert is_permitted(Role.AUDITOR, Operation.VIEW_CASES)
    assert is_permitted(Role.AUDITOR, Operation.VIEW_AUDIT)
    for operation in (Operation.EDIT_CASES, Operation.EDIT_TRUST, Operation.MANAGE_USERS):
        assert not is_permitted(Role.AUDITOR, operation)


def test_only_the_data_protection_lead_manages_users() -> None:
    managers = {role for role in Role if is_permitted(role, Operation.MANAGE_USERS)}
    assert managers == {Role.DATA_PROTECTION_LEAD}


def test_school_roles_do_casework_but_not_trust_settings_or_audit() -> None:
    for role in (Role.BUSINESS_MANAGER, Role.HEADTEACHER):
        assert is_permitted(role, Operation.VIEW_CASES)
        assert is_permitted(role, Operation.EDIT_CASES)
        assert not is_permitted(role, Operation.EDIT_TRUST)
        assert not is_permitted(role, Operation.VIEW_AUDIT)
        assert not is_permitted(role, Operation.MANAGE_USERS)


def test_trust_leader_edits_trust_and_sees_audit() -> None:
    assert is_permitted(Role.TRUST_LEADER, Operation.EDIT_TRUST)
    assert is_permitted(Role.TRUST_LEADER, Operation.VIEW_AUDIT)


def test_roles_permitted_reads_the_table_in_role_order() -> None:
    from desktop.domain.roles import roles_permitted

    assert roles_permitted(Operation.MANAGE_USERS) == [Role.DATA_PROTECTION_LEAD]
    assert roles_permitted(Operation.EDIT_TRUST) == [Role.TRUST_LEADER, Role.DATA_PROTECTION_LEAD]
    assert Role.FRONT_DESK not in roles_permitted(Operation.VIEW_CASES)


def test_those_who_keep_case_files_make_backups() -> None:
    """A backup opens only with the store's own ways in: whoever keeps case files may make
    one; the front desk (no database key) and the auditor (who takes nothing away) may not."""
    keepers = {role for role in Role if is_permitted(role, Operation.BACKUP)}
    assert keepers == {
        Role.BUSINESS_MANAGER,
        Role.HEADTEACHER,
        Role.TRUST_LEADER,
        Role.DATA_PROTECTION_LEAD,
    }
    assert all(is_permitted(role, Operation.EDIT_CASES) for role in keepers)


def test_records_are_the_data_protection_leads() -> None:
    """Deleting records, answering a subject access request and logging a disclosure are
    for the data protection lead alone."""
    for operation in (
        Operation.RETENTION,
        Operation.SUBJECT_ACCESS,
        Operation.RECORD_DISCLOSURES,
    ):
        assert {role for role in Role if is_permitted(role, operation)} == {
            Role.DATA_PROTECTION_LEAD
        }


def test_the_board_report_is_made_by_those_who_report_to_the_board() -> None:
    reporters = {role for role in Role if is_permitted(role, Operation.BOARD_REPORT)}
    assert reporters == {Role.HEADTEACHER, Role.TRUST_LEADER, Role.DATA_PROTECTION_LEAD}


def test_every_operation_is_someones() -> None:
    for operation in Operation:
        assert any(is_permitted(role, operation) for role in Role), operation
