"""Disclosures outside the trust: the legal bases that allow one.

Case records are confidential to the trust. They go outside it only to the Secretary of
State, a school inspection, the person themselves on a subject access request, or another
authority with a legal power to ask; every such disclosure is logged with its basis.
"""

from __future__ import annotations

from enum import StrEnum

from desktop.domain.roles import Role


class LegalBasis(StrEnum):
    SECRETARY_OF_STATE = "secretary_of_state"
    INSPECTION = "inspection"
    SUBJECT_ACCESS = "subject_access"
    LEGAL_AUTHORITY = "legal_authority"

    @property
    def label(self) -> str:
        return BASIS_LABELS[self]


BASIS_LABELS = {
    LegalBasis.SECRETARY_OF_STATE: "Secretary of State",
    LegalBasis.INSPECTION: "School inspection",
    LegalBasis.SUBJECT_ACCESS: "Subject access request",
    LegalBasis.LEGAL_AUTHORITY: "Another legal authority",
}


# Who may authorise a disclosure: those who decide for a school or the trust (a headteacher
# for an inspection of their school, the CEO, the data protection lead), never the person
# who only keeps the file. The account must still be switched on when it is recorded.
AUTHORISING_ROLES = frozenset({Role.HEADTEACHER, Role.TRUST_LEADER, Role.DATA_PROTECTION_LEAD})
