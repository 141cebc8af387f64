"""The people a case is about, and how they relate to the school's pupils."""

from __future__ import annotations

from enum import StrEnum


class Relationship(StrEnum):
    PARENT = "parent"
    CARER = "carer"
    LEGAL_RESPONSIBILITY = "legal_responsibility"
    FAMILY_MEMBER = "family_member"
    VISITOR = "visitor"

    @property
    def label(self) -> str:
        return {
            Relationship.PARENT: "Parent",
            Relationship.CARER: "Carer",
            Relationship.LEGAL_RESPONSIBILITY: "Person with legal responsibility",
            Relationship.FAMILY_MEMBER: "Other family member",
            Relationship.VISITOR: "Visitor",
        }[self]


class VoluntaryRole(StrEnum):
    """A role a parent may also hold; they stay in scope of the code as a parent."""

    LOCAL_GOVERNOR = "local_governor"
    TRUSTEE = "trustee"
    PTA_MEMBER = "pta_member"
    VOLUNTEER = "volunteer"

    @property
    def label(self) -> str:
        return {
            VoluntaryRole.LOCAL_GOVERNOR: "Local governor",
            VoluntaryRole.TRUSTEE: "Trustee",
            VoluntaryRole.PTA_MEMBER: "PTA member",
            VoluntaryRole.VOLUNTEER: "School volunteer",
        }[self]
