"""The people a case is about, and how they relate to the school's pupils."""

from __future__ import annotations

from enum import StrEnum

from desktop.domain.text import clean_line

MAX_PUPIL_NAME_LENGTH = 100
MAX_YEAR_GROUP_LENGTH = 20


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


def clean_pupil(
    given_name: str,
    family_name: str,
    year_group: str,
    *,
    fields: tuple[str, str, str] = ("pupil_given_name", "pupil_family_name", "year_group"),
) -> tuple[str, str, str]:
    """A new pupil's names (both needed) and year group (optional), cleaned; `fields` names
    the form's inputs for the message, since each form lays them out its own way."""
    given_field, family_field, year_field = fields
    return (
        clean_line(
            given_name,
            field=given_field,
            label="The pupil's first name",
            max_length=MAX_PUPIL_NAME_LENGTH,
        ),
        clean_line(
            family_name,
            field=family_field,
            label="The pupil's last name",
            max_length=MAX_PUPIL_NAME_LENGTH,
        ),
        clean_line(
            year_group,
            field=year_field,
            label="The year group",
            max_length=MAX_YEAR_GROUP_LENGTH,
            required=False,
        ),
    )
