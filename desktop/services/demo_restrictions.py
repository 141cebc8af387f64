"""Bars and communication plans for the sample trust, so the front desk has people to find.

A share of the sample's most serious cases (those referred to the police or the legal
team, and some of those that went to mediation) get a current restriction: a bar from
their school with a review date a week or two before it ends, or a communication plan
naming the school business manager as the one contact. One bar's review date has passed
with no review recorded, so "review overdue" has something to show.
"""

from __future__ import annotations

import datetime as dt
import json
import random

from sqlalchemy import select

from desktop.dates import utc_now
from desktop.domain.cases import CaseStatus, Stage
from desktop.domain.restrictions import ContactChannel, RestrictionKind, RestrictionState
from desktop.services import audit, frontdesk
from desktop.services.session import UserSession
from desktop.storage import models as m

CONTACT_POST = "School business manager"


def add_restrictions(session: UserSession, rng: random.Random, today: dt.date) -> int:
    """Give some serious sample cases a current restriction; returns how many."""
    with session.transaction(write=True) as db:
        cases = db.execute(
            select(m.Case.id, m.Case.subject_id, m.Case.stage)
            .where(m.Case.status == CaseStatus.OPEN.value)
            .where(m.Case.stage.in_([Stage.POLICE_OR_LEGAL_REFERRAL.value, Stage.MEDIATION.value]))
            .order_by(m.Case.id)
        ).all()
        contacts = {
            school_id: name
            for school_id, name in db.execute(
                select(m.StaffMember.school_id, m.StaffMember.name).where(
                    m.StaffMember.job_title == CONTACT_POST
                )
            )
        }
        added = 0
        overdue_shown = False
        for case_id, person_id, stage in cases:
            serious = stage == Stage.POLICE_OR_LEGAL_REFERRAL.value
            if rng.random() > (0.6 if serious else 0.12):
                continue
            case = db.get(m.Case, case_id)
            assert case is not None
            school = case.schools[0]
            bar = serious and rng.random() < 0.7
            starts = today - dt.timedelta(days=rng.randint(5, 60))
            ends = today + dt.timedelta(days=rng.randint(20, 150))
            review_due = ends - dt.timedelta(days=rng.randint(7, 14))
            if bar and not overdue_shown:
                review_due, overdue_shown = today - dt.timedelta(days=3), True
            channels = (
                [ContactChannel.EMAIL.value]
                if bar
                else [
                    ContactChannel.EMAIL.value,
                    ContactChannel.LETTER.value,
                ]
            )
            restriction = m.Restriction(
                case_id=case_id,
                person_id=person_id,
                kind=(RestrictionKind.BAR if bar else RestrictionKind.COMMUNICATION_PLAN).value,
                state=RestrictionState.ACTIVE.value,
                starts=starts,
                ends=ends,
                review_due=review_due,
                named_contact=contacts.get(school.id, ""),
                contact_role=CONTACT_POST,
                channels=json.dumps(channels),
                created_by_id=session.actor.user_id,
                created_at=utc_now(),
                schools=[school],
            )
            db.add(restriction)
            db.flush()
            audit.record(
                db,
                session.actor,
                "restriction.added",
                case_id=case_id,
                detail={"restriction_id": restriction.id, "kind": restriction.kind, "sample": True},
            )
            added += 1
        frontdesk.publish(db, session.store)
    return added
