"""Steps, bars and communication plans for the sample trust, taken through the sanctions
services so each comes with its chronology, its scheduled reviews and (for a few) its letter.

The trust leader's sample account (the CEO) records them: the procedure lets that role take,
authorise, skip to and review every step. Open cases with nothing yet done about them are
given one story each, so every stage of the ladder has a case to show: warnings (one with
two written warnings), a mediation meeting, plans in force, lifted and ended, bars at notice
(temporary and of intent), with representations, confirmed, lifted, ended after a renewal,
and one past its end with no review decided (overdue); an injunction referral resting on
two incidents against one member of staff; the police and social-care referrals; and a bar
started without the earlier steps on the CEO's authority. A few more confirmed bars and
plans give the front desk people to find. Every date is before `today`, and no later than
the real day, since a decision cannot be recorded before it is made.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from desktop.dates import UK, uk_today
from desktop.domain.cases import CaseStatus, Stage
from desktop.domain.incidents import PartyRole
from desktop.domain.ladder import SkipAuthority
from desktop.domain.policy import Profile, StepKind
from desktop.domain.roles import Role
from desktop.domain.sanctions import NoticeKind, Outcome
from desktop.services import frontdesk, incidents, policies, sanction_reviews, sanctions
from desktop.services.sanction_reviews import Decision, Representations
from desktop.services.sanctions import LetterChoice, StepDraft, StepResult
from desktop.services.session import UserSession
from desktop.services.store import actor_for
from desktop.storage import models as m

CONTACT_POST = "School business manager"
LETTERS = 4  # letters issued (about 20 ms each): enough to show, few enough to stay quick
MOST_EXTRAS = 4
SKIP_REASON = (
    "Threats of violence towards staff at the gate, in front of pupils: serious enough to "
    "start at a bar without the earlier steps."
)


@dataclass(frozen=True)
class _Case:
    id: int
    school_id: int
    last_incident: dt.date


class _Sample:
    """Takes each story's steps on one case, as the trust leader."""

    def __init__(
        self, leader: UserSession, rng: random.Random, anchor: dt.date, profile: Profile
    ) -> None:
        self.leader, self.rng, self.anchor = leader, rng, anchor
        self.steps = {s.kind: s.id for s in reversed(profile.steps)}
        self.letters = LETTERS
        self.ceo = leader.actor.full_name
        with leader.transaction() as db:
            self.heads = self._staff(db, "Headteacher")
            self.contacts = self._staff(db, CONTACT_POST)
            self.category = db.scalar(
                select(m.BehaviourCategory.id).order_by(m.BehaviourCategory.position).limit(1)
            )

    @staticmethod
    def _staff(db: Any, title: str) -> dict[int | None, tuple[int, str]]:
        rows = db.execute(
            select(m.StaffMember.school_id, m.StaffMember.id, m.StaffMember.name).where(
                m.StaffMember.job_title == title
            )
        )
        return {school: (staff_id, name) for school, staff_id, name in rows}

    def day(self, days_ago: int) -> dt.date:
        return self.anchor - dt.timedelta(days=days_ago)

    def _letter(self) -> LetterChoice:
        self.letters -= 1
        return LetterChoice(issue=self.letters >= 0)

    def _head(self, case: _Case) -> tuple[str, Role]:
        return self.heads.get(case.school_id, (0, self.ceo))[1], Role.HEADTEACHER

    def take(
        self, case: _Case, kind: StepKind, on: int, details: Mapping[str, object], **more: Any
    ) -> StepResult:
        name, role = more.pop("by", None) or self._head(case)
        draft = StepDraft(
            step_id=self.steps[kind],
            taken_on=self.day(on),
            decided_by=name,
            decided_by_role=role,
            details=details,
            **more,
        )
        return sanctions.take_step(self.leader, case_id=case.id, draft=draft, letter=self._letter())

    # -- the ladder ------------------------------------------------------------------------
    def verbal(self, case: _Case, on: int) -> None:
        name = self._head(case)[0]
        details = {
            "spoken_by": f"{name}, headteacher",
            "what_was_said": "That the shouting at staff must stop; offered a meeting.",
            "response": self.rng.choice(("Apologised.", "Said it was provoked.", "Walked off.")),
        }
        self.take(case, StepKind.VERBAL_WARNING, on, details)

    def mediation(self, case: _Case, on: int) -> None:
        details = {
            "time": "10:30",
            "place": "The headteacher's office",
            "attendees": "The parent, the headteacher and the school business manager",
            "outcome": "Expectations for contact with staff agreed and written down.",
        }
        self.take(case, StepKind.MEDIATION, on, details)

    def written(self, case: _Case, on: int) -> None:
        with self.leader.transaction() as db:
            ids = list(db.scalars(select(m.Incident.id).where(m.Incident.case_id == case.id)))
        details = {
            "reasons": "Abusive behaviour towards staff carried on after a verbal warning.",
            "incidents": ids,
            "signed_by": self._head(case)[0],
            "circulation": "Chair of governors\nDesignated safeguarding lead",
        }
        self.take(case, StepKind.WRITTEN_WARNING, on, details)

    def warned(self, case: _Case, verbal: int, written: int) -> None:
        self.verbal(case, verbal)
        self.written(case, written)

    def plan(self, case: _Case, on: int, ends: int, review: int, **more: Any) -> int:
        contact = self.contacts.get(case.school_id, (0, ""))[1]
        details = {
            "contact_forms": "Email only, to the one address below",
            "named_contact": contact,
            "contact_role": CONTACT_POST,
            "email_address": "office@riverside.example.org",
            "telephone_times": "Tuesdays 9 to 10am",
            "starts": self.day(on),
            "ends": self.day(ends),
            "review_due": self.day(review),
            "reasons": "Repeated abusive emails and calls to several members of staff.",
        }
        done = self.take(
            case, StepKind.COMMUNICATION_PLAN, on, details, school_ids=(case.school_id,), **more
        )
        assert done.restriction_id is not None
        return done.restriction_id

    def bar(self, case: _Case, on: int, deadline: int, review: int, ends: int, **more: Any) -> int:
        contact = self.contacts.get(case.school_id, (0, ""))[1]
        details = {
            "starts": self.day(on),
            "ends": self.day(ends),
            "representations_deadline": self.day(deadline),
            "review_due": self.day(review),
            "named_contact": contact,
            "contact_role": CONTACT_POST,
            "contact_email": "office@riverside.example.org",
            "drop_off_arrangement": "A grandparent brings the children to the gate.",
            "reasons": "Threatening behaviour towards staff on the school site.",
        }
        if "asked" in more:
            more["asked_to_leave_on"] = self.day(more.pop("asked"))
        done = self.take(case, StepKind.BAR, on, details, school_ids=(case.school_id,), **more)
        assert done.restriction_id is not None
        return done.restriction_id

    def representations(self, restriction_id: int, on: int) -> None:
        given = Representations(
            self.day(on), "Says the behaviour was provoked and asks for the bar to be lifted."
        )
        sanction_reviews.record_representations(
            self.leader, restriction_id=restriction_id, given=given, letter=self._letter()
        )

    def decide(self, restriction_id: int, on: int, outcome: Outcome, **more: Any) -> None:
        ends, review = more.pop("ends", None), more.pop("review", None)
        decision = Decision(
            on=self.day(on),
            decided_by=self.ceo,
            decided_by_role=Role.TRUST_LEADER,
            outcome=outcome,
            reasons="Considered with everything on the case file, including any representations.",
            ends=None if ends is None else self.day(ends),
            review_due=None if review is None else self.day(review),
        )
        sanction_reviews.decide(
            self.leader,
            restriction_id=restriction_id,
            decision=decision,
            letter=self._letter(),
            **more,
        )

    def referral(self, case: _Case, kind: StepKind, on: int, agency: str) -> None:
        details = {
            "referred_on": self.day(on),
            "agency_contact": agency,
            "reason": "Concerns raised in the incidents on this case.",
            "reference": f"REF-{self.rng.randint(10000, 99999)}",
        }
        self.take(case, kind, on, details)

    def injunction(self, case: _Case, on: int) -> None:
        """A referral for an injunction, after two incidents against one member of staff."""
        with self.leader.transaction() as db:
            targeted = db.scalars(
                select(m.IncidentParty.staff_member_id)
                .join(m.Incident, m.Incident.id == m.IncidentParty.incident_id)
                .where(
                    m.Incident.case_id == case.id,
                    m.IncidentParty.role == PartyRole.STAFF_TARGETED.value,
                )
            ).all()
        staff = [s for s in targeted if s is not None]
        repeated = [s for s in staff if staff.count(s) > 1]
        if not repeated:
            target = staff[0] if staff else self.contacts.get(case.school_id, (0, ""))[0]
            for number in range(1 if staff else 2):
                when = case.last_incident + dt.timedelta(days=number + 1)
                incidents.record_incident(
                    self.leader,
                    case_id=case.id,
                    occurred_at=dt.datetime.combine(when, dt.time(16, 10 + number)),
                    channel="email_or_letter",
                    description="Another abusive email to the same member of staff.",
                    category_ids=[self.category] if self.category else [],
                    staff_targeted_ids=[target],
                )
        self.warned(case, on + 50, on + 25)
        details = {"legal_contact": "The trust's solicitors", "status": "referred"}
        self.take(case, StepKind.INJUNCTION_REFERRAL, on, details, by=(self.ceo, Role.TRUST_LEADER))


# -- the stories: (days before the first step, what is done) ---------------------------------
Story = tuple[int, Callable[[_Sample, _Case], None]]


def _mediation(s: _Sample, c: _Case) -> None:
    s.verbal(c, 60)
    s.mediation(c, 45)


def _two_warnings(s: _Sample, c: _Case) -> None:
    s.warned(c, 150, 120)
    s.written(c, 40)


def _plan_lifted(s: _Sample, c: _Case) -> None:
    s.warned(c, 160, 130)
    s.decide(s.plan(c, 100, 10, 15), 40, Outcome.LIFT)


def _plan_ended(s: _Sample, c: _Case) -> None:
    s.warned(c, 180, 150)
    s.decide(s.plan(c, 120, 40, 45), 40, Outcome.END, end_of_period=True)


def _bar_notice_after_leaving(s: _Sample, c: _Case) -> None:
    s.warned(c, 60, 30)
    s.bar(c, 4, -10, -20, -80, asked=5)


def _bar_of_intent(s: _Sample, c: _Case) -> None:
    s.warned(c, 70, 40)
    s.bar(c, 3, -8, -15, -80, notice_kind=NoticeKind.INTENT)


def _bar_with_representations(s: _Sample, c: _Case) -> None:
    s.warned(c, 90, 60)
    s.representations(s.bar(c, 12, -2, -10, -70), 5)


def _bar_skipped_to_and_confirmed(s: _Sample, c: _Case) -> None:
    skip = SkipAuthority(s.ceo, Role.TRUST_LEADER, SKIP_REASON)
    bar = s.bar(c, 45, 33, 30, -60, skip=skip)
    s.representations(bar, 40)
    s.decide(bar, 30, Outcome.CONFIRM, ends=-60, review=-40)


def _bar_overdue(s: _Sample, c: _Case) -> None:
    s.warned(c, 160, 130)
    bar = s.bar(c, 110, 98, 96, 10)
    s.decide(bar, 96, Outcome.CONFIRM, ends=10, review=20)


def _bar_lifted(s: _Sample, c: _Case) -> None:
    s.warned(c, 130, 100)
    bar = s.bar(c, 80, 68, 60, 0)
    s.representations(bar, 75)
    s.decide(bar, 70, Outcome.LIFT)


def _bar_renewed_then_ended(s: _Sample, c: _Case) -> None:
    s.warned(c, 260, 230)
    bar = s.bar(c, 200, 188, 185, 120)
    s.decide(bar, 185, Outcome.CONFIRM, ends=120, review=125)
    s.decide(bar, 125, Outcome.RENEW, ends=40, review=45, end_of_period=True)
    s.decide(bar, 45, Outcome.END, end_of_period=True)


def _confirmed_bar(s: _Sample, c: _Case) -> None:
    s.warned(c, 100, 75)
    start = s.rng.randint(20, 60)
    bar = s.bar(c, start, start - 12, start - 14, start - 85)
    s.decide(bar, start - 14, Outcome.CONFIRM, ends=start - 85, review=start - 80)


def _plan_in_force(s: _Sample, c: _Case) -> None:
    s.warned(c, 120, 90)
    start = s.rng.randint(10, 50)
    s.plan(c, start, start - 85, start - 80)


STORIES: tuple[Story, ...] = (
    (20, lambda s, c: s.verbal(c, 20)),
    (60, _mediation),
    (90, lambda s, c: s.warned(c, 90, 60)),
    (150, _two_warnings),
    (120, _plan_in_force),
    (160, _plan_lifted),
    (180, _plan_ended),
    (60, _bar_notice_after_leaving),
    (70, _bar_of_intent),
    (90, _bar_with_representations),
    (45, _bar_skipped_to_and_confirmed),
    (100, _confirmed_bar),
    (160, _bar_overdue),
    (130, _bar_lifted),
    (260, _bar_renewed_then_ended),
    (90, lambda s, c: s.injunction(c, 20)),
    (10, lambda s, c: s.referral(c, StepKind.POLICE_OR_LEGAL_REFERRAL, 10, "PC Lee, police")),
    (15, lambda s, c: s.referral(c, StepKind.SOCIAL_CARE_REFERRAL, 15, "MASH duty team")),
)
EXTRAS: tuple[Story, ...] = ((100, _confirmed_bar), (120, _plan_in_force))


def _candidates(db: Any) -> list[_Case]:
    """Open cases nothing has been done about yet, with their first school and the day of
    their latest incident."""
    last = (
        select(m.Incident.case_id, func.max(m.Incident.occurred_at).label("last"))
        .group_by(m.Incident.case_id)
        .subquery()
    )
    rows = db.execute(
        select(m.Case.id, last.c.last)
        .join(last, last.c.case_id == m.Case.id)
        .where(
            m.Case.status == CaseStatus.OPEN.value,
            m.Case.stage == Stage.CONCERN_LOGGED.value,
        )
        .order_by(m.Case.id)
    ).all()
    found = []
    for case_id, latest in rows:
        case = db.get(m.Case, case_id)
        school = min(s.id for s in case.schools)
        moment = latest if latest.tzinfo else latest.replace(tzinfo=dt.UTC)
        found.append(_Case(case_id, school, moment.astimezone(UK).date()))
    return found


def _pick(rng: random.Random, cases: list[_Case], first_step: dt.date) -> _Case | None:
    """A case whose incidents all came before the story's first step, most recent ones
    preferred (a case whose last incident was within half a year of it)."""
    room = dt.timedelta(days=4)  # an injunction case may gain two incidents first
    fits = [c for c in cases if c.last_incident + room < first_step]
    recent = [c for c in fits if first_step - c.last_incident < dt.timedelta(days=180)]
    chosen = rng.choice(recent or fits) if fits else None
    if chosen is not None:
        cases.remove(chosen)
    return chosen


def add_sanctions(session: UserSession, rng: random.Random, today: dt.date) -> int:
    """Tell each story on one of the sample's open cases; returns how many were told."""
    anchor = min(today, uk_today()) - dt.timedelta(days=1)
    with session.transaction(write=True) as db:
        leader = db.scalar(
            select(m.User).where(m.User.role == Role.TRUST_LEADER.value).order_by(m.User.id)
        )
        profile = policies.profile_of(policies.record_for_use(db, session.actor))
        cases = _candidates(db)
        leader_actor = actor_for(db, leader) if leader is not None else None
    told = 0
    if leader_actor is not None:
        sample = _Sample(UserSession(session.store, leader_actor), rng, anchor, profile)
        extras = min(MOST_EXTRAS, max(0, (len(cases) - len(STORIES)) // 20))
        stories = STORIES + tuple(EXTRAS[i % len(EXTRAS)] for i in range(extras))
        for days_before, tell in stories:
            case = _pick(rng, cases, sample.day(days_before))
            if case is None:
                continue
            tell(sample, case)
            told += 1
    with session.transaction(write=True) as db:
        frontdesk.publish(db, session.store)
    return told
