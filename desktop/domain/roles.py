"""Who may do what: the roles and the role x operation table.

The services consult `is_permitted()` before every operation; the UI may use it to
grey out a button, but never instead of the service's check.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    FRONT_DESK = "front_desk"
    BUSINESS_MANAGER = "business_manager"
    HEADTEACHER = "headteacher"
    TRUST_LEADER = "trust_leader"
    DATA_PROTECTION_LEAD = "data_protection_lead"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def trust_wide(self) -> bool:
        """Trust roles see every school; school roles see only the schools they are given.

        What that means for a case or a school is decided in `desktop.services.scope`.
        """
        return self in TRUST_WIDE_ROLES


ROLE_LABELS = {
    Role.FRONT_DESK: "Front desk",
    Role.BUSINESS_MANAGER: "School business manager",
    Role.HEADTEACHER: "Headteacher",
    Role.TRUST_LEADER: "Trust leader (CEO or Chair)",
    Role.DATA_PROTECTION_LEAD: "Data protection lead / administrator",
    Role.AUDITOR: "Auditor",
}

TRUST_WIDE_ROLES = frozenset({Role.TRUST_LEADER, Role.DATA_PROTECTION_LEAD, Role.AUDITOR})


class Operation(StrEnum):
    VIEW_CASES = "view_cases"
    EDIT_CASES = "edit_cases"
    EDIT_TRUST = "edit_trust"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    SIGN_LETTERS = "sign_letters"  # keep a signature image that letters may carry
    BACKUP = "backup"  # write an encrypted copy of the whole store to a folder
    # Records (the annual report, retention, subject access, disclosures):
    BOARD_REPORT = "board_report"  # the anonymised annual report to the board
    RETENTION = "retention"  # review records past their retention and delete them for good
    SUBJECT_ACCESS = "subject_access"  # gather and redact a person's records for them
    RECORD_DISCLOSURES = "record_disclosures"  # log records given to an outside authority


# A backup opens only with the ways in the store already has, so whoever keeps case files
# may make one (the laptop's usual user is often a business manager); the front desk cannot
# open the database, and an auditor looks but takes no copies away.
_CASEWORK = {Operation.VIEW_CASES, Operation.EDIT_CASES, Operation.BACKUP}

# The CEO and headteachers report to the board each year (a headteacher on their schools);
# the data protection lead prepares it too. Deleting records, answering a subject access
# request and logging a disclosure are the data protection lead's alone.
_RECORDS = {
    Operation.BOARD_REPORT,
    Operation.RETENTION,
    Operation.SUBJECT_ACCESS,
    Operation.RECORD_DISCLOSURES,
}

PERMISSIONS: dict[Role, frozenset[Operation]] = {
    # The front desk never opens the case database: its password opens only the list of
    # current restrictions (desktop.services.frontdesk), which needs no operation here.
    Role.FRONT_DESK: frozenset(),
    Role.BUSINESS_MANAGER: frozenset(_CASEWORK | {Operation.SIGN_LETTERS}),
    Role.HEADTEACHER: frozenset(_CASEWORK | {Operation.SIGN_LETTERS, Operation.BOARD_REPORT}),
    Role.TRUST_LEADER: frozenset(
        _CASEWORK
        | {
            Operation.EDIT_TRUST,
            Operation.VIEW_AUDIT,
            Operation.SIGN_LETTERS,
            Operation.BOARD_REPORT,
        }
    ),
    Role.DATA_PROTECTION_LEAD: frozenset(
        _CASEWORK | _RECORDS | {Operation.EDIT_TRUST, Operation.MANAGE_USERS, Operation.VIEW_AUDIT}
    ),
    Role.AUDITOR: frozenset({Operation.VIEW_CASES, Operation.VIEW_AUDIT}),
}


def is_permitted(role: Role, operation: Operation) -> bool:
    return operation in PERMISSIONS[role]


def roles_permitted(operation: Operation) -> list[Role]:
    """The roles allowed an operation, in the order roles are listed."""
    return [role for role in Role if is_permitted(role, operation)]
