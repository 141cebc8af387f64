"""Words the windows share, built from the domain so they never restate a rule."""

from __future__ import annotations

from desktop.domain.cases import CaseStatus
from desktop.domain.roles import Operation, roles_permitted
from desktop.domain.signin import MIN_PASSWORD_LENGTH

ALL_SCHOOLS = "All my schools"
# Every window showing a sample store's data says so in its title.
SAMPLE_TITLE = " (SAMPLE: invented cases)"
PASSWORD_HINT = (
    f"Use at least {MIN_PASSWORD_LENGTH} characters. A short sentence you will remember works well."
)
STATUS_CHOICES: tuple[tuple[str, str], ...] = (
    *((status.label, status.value) for status in CaseStatus),
    ("All statuses", ""),
)


def roles_who_can(operation: Operation) -> str:
    """ "School business manager, Headteacher and Auditor": read from the permission table."""
    labels = [role.label for role in roles_permitted(operation)]
    if len(labels) < 2:
        return "".join(labels)
    return ", ".join(labels[:-1]) + f" and {labels[-1]}"
