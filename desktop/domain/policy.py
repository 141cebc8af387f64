"""A trust's procedure as data: the policy profile, read from a TOML file.

The profile says which steps the trust's ladder has and in what order, which roles may take
each step, sign it off, or jump straight to it, how many days the local time windows
allow, what may be done alongside the ladder, and which letter each moment of a step sends.
`ladder.py`, `bar_lifecycle.py` and `injunctions.py` apply the rules; this module holds the
model, and `policy_toml.py` reads and checks the file. Casebook ships two profiles in
`resources/policies/`; a trust may edit its own copy.

A profile that cannot be used raises `PolicyError`, whose message names the file, the line
and the field at fault, so the administrator can put it right; nothing is half-loaded.
Each profile carries a version, and everything taken under it records that version, so a
later edit never changes what an earlier decision was taken under.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from desktop.domain.cases import Stage
from desktop.domain.incidents import Channel
from desktop.domain.restrictions import RestrictionKind
from desktop.domain.roles import Role
from desktop.errors import ValidationError
from desktop.paths import RESOURCES_DIR

POLICIES_FOLDER = "policies"
MIN_WARNING_RETENTION_DAYS = 365  # written warnings are kept at least twelve months
# Any record of correspondence, action or decisions is kept at least twelve months.
MIN_RECORD_RETENTION_DAYS = 365


class PolicyError(ValidationError):
    """A policy profile that cannot be used; `file`, `line` and `field` say where and what.

    `line` is None when the fault has no line (the file is missing or empty)."""

    def __init__(self, message: str, *, file: str, line: int | None, field: str | None) -> None:
        self.file = file
        self.line = line
        where = file if line is None else f"{file}, line {line}"
        if field:
            where += f", field {field}"
        super().__init__(f"{where}: {message}", field)


class StepKind(StrEnum):
    """What a step does. The profile names and orders its steps; the kind tells Casebook
    which page records the step, which rules apply, and which stage the case shows."""

    VERBAL_WARNING = "verbal_warning"
    MEDIATION = "mediation"
    WRITTEN_WARNING = "written_warning"
    COMMUNICATION_PLAN = "communication_plan"
    BAR = "bar"
    INJUNCTION_REFERRAL = "injunction_referral"
    SOCIAL_CARE_REFERRAL = "social_care_referral"
    POLICE_OR_LEGAL_REFERRAL = "police_or_legal_referral"
    LADO_REFERRAL = "lado_referral"
    REPORT_POST = "report_post"
    REQUEST_REMOVAL = "request_removal"
    RESTRICT_STAFF_EMAIL = "restrict_staff_email"

    @property
    def label(self) -> str:
        """Casebook's own name for the kind; a profile gives each step its own label."""
        return _KIND_LABELS[self]

    @property
    def stage(self) -> Stage | None:
        """The stage a case shows once this step is taken (bars, plans and injunctions then
        move on through their lifecycles); None for steps that leave the stage alone."""
        return _KIND_STAGES.get(self)

    @property
    def on_ladder(self) -> bool:
        """Whether a profile may place this kind on its ladder."""
        return self in _LADDER_KINDS

    @property
    def alongside(self) -> bool:
        """Whether a profile may offer this kind alongside the ladder (a parallel action)."""
        return self in _PARALLEL_KINDS

    @property
    def restriction(self) -> RestrictionKind | None:
        """The restriction this step imposes, for steps with a lifecycle of reviews."""
        return _RESTRICTIONS.get(self)

    @property
    def letter_moments(self) -> frozenset[LetterMoment]:
        """The moments at which this kind of step may send a letter."""
        return _MOMENTS.get(self, frozenset({LetterMoment.ISSUE}))


class LetterMoment(StrEnum):
    """When in a step's life a letter goes out."""

    INVITE = "invite"  # an invitation (to a mediation meeting)
    ISSUE = "issue"  # the step itself (a warning, a plan, a referral)
    NOTICE = "notice"  # a bar's notice, inviting representations
    ACKNOWLEDGE = "acknowledge"  # representations received, a decision to follow
    CONFIRM = "confirm"
    VARY = "vary"
    LIFT = "lift"
    RENEW = "renew"
    END = "end"  # the end-of-period review lets the restriction end


_KIND_LABELS = {
    StepKind.VERBAL_WARNING: "verbal warning",
    StepKind.MEDIATION: "mediation meeting",
    StepKind.WRITTEN_WARNING: "formal written warning",
    StepKind.COMMUNICATION_PLAN: "restricted communication plan",
    StepKind.BAR: "bar from school premises",
    StepKind.INJUNCTION_REFERRAL: "injunction referral",
    StepKind.SOCIAL_CARE_REFERRAL: "social care referral",
    StepKind.POLICE_OR_LEGAL_REFERRAL: "police or legal-team referral",
    StepKind.LADO_REFERRAL: "LADO referral",
    StepKind.REPORT_POST: "report of a post to the platform",
    StepKind.REQUEST_REMOVAL: "request to remove a post",
    StepKind.RESTRICT_STAFF_EMAIL: "restriction of email to staff",
}
_KIND_STAGES = {
    StepKind.VERBAL_WARNING: Stage.VERBAL_WARNING,
    StepKind.MEDIATION: Stage.MEDIATION,
    StepKind.WRITTEN_WARNING: Stage.WRITTEN_WARNING,
    StepKind.COMMUNICATION_PLAN: Stage.COMMUNICATION_PLAN,
    StepKind.BAR: Stage.BAR_NOTICE,
    StepKind.INJUNCTION_REFERRAL: Stage.INJUNCTION_REFERRAL,
    StepKind.SOCIAL_CARE_REFERRAL: Stage.SOCIAL_CARE_REFERRAL,
    StepKind.POLICE_OR_LEGAL_REFERRAL: Stage.POLICE_OR_LEGAL_REFERRAL,
}
_LADDER_KINDS = frozenset(
    {
        StepKind.VERBAL_WARNING,
        StepKind.MEDIATION,
        StepKind.WRITTEN_WARNING,
        StepKind.COMMUNICATION_PLAN,
        StepKind.BAR,
        StepKind.INJUNCTION_REFERRAL,
        StepKind.SOCIAL_CARE_REFERRAL,
    }
)
_PARALLEL_KINDS = frozenset(
    {
        StepKind.SOCIAL_CARE_REFERRAL,
        StepKind.POLICE_OR_LEGAL_REFERRAL,
        StepKind.LADO_REFERRAL,
        StepKind.REPORT_POST,
        StepKind.REQUEST_REMOVAL,
        StepKind.RESTRICT_STAFF_EMAIL,
    }
)
_RESTRICTIONS = {
    StepKind.BAR: RestrictionKind.BAR,
    StepKind.COMMUNICATION_PLAN: RestrictionKind.COMMUNICATION_PLAN,
}
_REVIEW_MOMENTS = {LetterMoment.VARY, LetterMoment.LIFT, LetterMoment.RENEW, LetterMoment.END}
_MOMENTS = {
    StepKind.MEDIATION: frozenset({LetterMoment.INVITE, LetterMoment.ISSUE}),
    StepKind.COMMUNICATION_PLAN: frozenset({LetterMoment.ISSUE, *_REVIEW_MOMENTS}),
    StepKind.BAR: frozenset(
        {LetterMoment.NOTICE, LetterMoment.ACKNOWLEDGE, LetterMoment.CONFIRM, *_REVIEW_MOMENTS}
    ),
}


@dataclass(frozen=True)
class Step:
    """One step of a profile: on the ladder (`rung` from 1 up) or alongside it (`rung` None).

    `take`: roles that may record the step. `authorise`: roles that may decide and sign it
    (for a bar, the notice). `skip_to`: roles that may authorise starting here when earlier
    steps have not been taken. `review`: for a bar or a communication plan, roles that may
    confirm, vary, lift or renew it. `letters`: (moment, letter template id) pairs.
    """

    id: str
    label: str
    kind: StepKind
    rung: int | None
    optional: bool
    take: frozenset[Role]
    authorise: frozenset[Role]
    skip_to: frozenset[Role]
    review: frozenset[Role]
    letters: tuple[tuple[LetterMoment, str], ...]

    def letter_for(self, moment: LetterMoment) -> str | None:
        """The letter template this step sends at `moment`, or None if it sends none."""
        return dict(self.letters).get(moment)


@dataclass(frozen=True)
class Windows:
    """The local time windows, in days."""

    representations_days: int  # the least time a person is given to send representations
    default_bar_days: int
    default_plan_days: int
    review_interval_days: int  # the longest a restriction runs before its review falls due
    warning_retention_days: int  # how long a written warning is kept (at least a year)


@dataclass(frozen=True)
class RetentionRules:
    """How long a closed case is kept, counted from the day it was closed, by how far it went
    (`domain.retention` applies them). `rule` names the trust's retention rule in words, as
    a deletion certificate quotes it."""

    rule: str
    concern_days: int  # no further than a conversation or a meeting
    warning_days: int  # a formal written warning
    sanction_days: int  # a communication plan, a bar or legal action


# A profile without a [retention] table (one installed before there was one) keeps every
# closed case six years: nothing is offered for deletion sooner than the trust decided.
DEFAULT_RETENTION = RetentionRules(
    rule="Casebook's default: closed cases are kept six years after they were closed",
    concern_days=6 * 365,
    warning_days=6 * 365,
    sanction_days=6 * 365,
)


@dataclass(frozen=True)
class Profile:
    """A trust's procedure. `digest` fingerprints the exact text, beside the `version` the
    administrator sets, so a record can show which wording it was taken under."""

    id: str
    name: str
    version: str
    description: str
    source: str
    digest: str
    rungs: tuple[tuple[Step, ...], ...]
    parallel: tuple[Step, ...]
    categories: tuple[str, ...]
    channels: tuple[Channel, ...]
    windows: Windows
    retention: RetentionRules = DEFAULT_RETENTION

    @property
    def ladder(self) -> tuple[Step, ...]:
        """Every ladder step, lowest rung first."""
        return tuple(step for rung in self.rungs for step in rung)

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.ladder + self.parallel

    def find_step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def step(self, step_id: str) -> Step:
        """The step with this id; ValidationError if the profile has none."""
        found = self.find_step(step_id)
        if found is None:
            raise ValidationError(
                f"The trust's procedure ({self.name}) has no step called {step_id!r}. "
                "Choose one of its steps.",
                "step",
            )
        return found

    def steps_of_kind(self, kind: StepKind) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.kind is kind)

    @property
    def safety_referral(self) -> Step:
        """The police or legal-team referral, recorded first when safety is at stake."""
        return self.steps_of_kind(StepKind.POLICE_OR_LEGAL_REFERRAL)[0]


def load_profile_text(text: str, name: str, letter_ids: Collection[str] | None = None) -> Profile:
    """A profile from TOML text; `name` (usually the file name) is used in error messages.
    With `letter_ids` (the letter types there are), a letter no one can print is refused."""
    # The reader builds this module's classes, so it is imported when first needed.
    from desktop.domain.policy_toml import read_profile

    return read_profile(text, name, letter_ids)


def load_profile(path: Path, letter_ids: Collection[str] | None = None) -> Profile:
    """A profile from a file; PolicyError if it cannot be read or used."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyError(
            "the file is not UTF-8 text; save it as UTF-8.", file=path.name, line=None, field=None
        ) from None
    except OSError as exc:
        raise PolicyError(
            f"the file cannot be read ({exc.strerror or type(exc).__name__}).",
            file=path.name,
            line=None,
            field=None,
        ) from None
    return load_profile_text(text, path.name, letter_ids)


def policies_dir() -> Path:
    """Where the shipped profiles are: `resources/policies`, in the checkout or the wheel."""
    return RESOURCES_DIR / POLICIES_FOLDER


def shipped_profiles(letter_ids: Collection[str] | None = None) -> list[Profile]:
    """Every profile shipped with Casebook, in file-name order."""
    return [load_profile(path, letter_ids) for path in sorted(policies_dir().glob("*.toml"))]
