"""The front desk: who is barred or under a communication plan, and nothing else.

Front-desk accounts never open the case database. Their password opens the front-desk
list (`Store.publish_front_desk`), which the services re-publish whenever a restriction
or a front-desk account changes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from desktop.dates import uk_today, utc_now
from desktop.domain.names import best_matches
from desktop.domain.restrictions import (
    RestrictionFacts,
    RestrictionKind,
    RestrictionState,
    applies_on,
)
from desktop.domain.roles import Role
from desktop.errors import SessionEnded, StoreDamaged
from desktop.services.session import UserSession
from desktop.storage.models import Case, Restriction, StoreMeta, User
from desktop.storage.store import SAMPLE_META_KEY, FrontDeskAccess, Store, StoreLocation

IN_FORCE = (RestrictionState.PROVISIONAL.value, RestrictionState.ACTIVE.value)

LIST_VERSION = 1


@dataclass
class FrontDeskSession:
    """A front-desk account signed in: it can read the list of current restrictions."""

    access: FrontDeskAccess
    username: str
    location: StoreLocation  # where to sign in again after locking

    @property
    def closed(self) -> bool:
        return self.access.closed

    @property
    def is_sample(self) -> bool:
        """A store of invented cases (its list says so): the window marks it."""
        return bool(self.access.read().get("sample"))

    def close(self) -> None:
        self.access.close()


def publish(db: Session, store: Store) -> None:
    """Re-publish the front-desk list from the database, in step with this transaction."""
    store.publish_front_desk(db, list_content(db))


def list_content(db: Session) -> dict[str, Any]:
    """What the front desk may read: its own accounts' names and the current restrictions."""
    accounts = db.execute(
        select(User.id, User.username, User.full_name).where(
            User.role == Role.FRONT_DESK.value, User.active.is_(True)
        )
    ).all()
    return {
        "version": LIST_VERSION,
        "sample": db.get(StoreMeta, SAMPLE_META_KEY) is not None,
        "published_at": utc_now().isoformat(timespec="seconds"),
        "accounts": {
            f"user:{uid}": {"username": username, "full_name": full_name}
            for uid, username, full_name in accounts
        },
        "restrictions": [_row(r) for r in _current(db)],
    }


def _current(db: Session) -> list[Restriction]:
    """Restrictions in force that have not ended (today's list, and those starting soon)."""
    today = uk_today()
    return list(
        db.scalars(
            select(Restriction)
            .where(Restriction.state.in_(IN_FORCE))
            .where(or_(Restriction.ends.is_(None), Restriction.ends >= today))
            .options(
                selectinload(Restriction.schools),
                selectinload(Restriction.person),
                selectinload(Restriction.case).load_only(Case.reference),
            )
            .order_by(Restriction.id)
        )
    )


def _row(restriction: Restriction) -> dict[str, Any]:
    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "name": restriction.person.full_name,
        "reference": restriction.case.reference,
        "kind": restriction.kind,
        "state": restriction.state,
        "schools": [school.name for school in restriction.schools],
        "starts": restriction.starts.isoformat(),
        "ends": day(restriction.ends),
        "review_due": day(restriction.review_due),
        "named_contact": restriction.named_contact,
        "contact_role": restriction.contact_role,
        "channels": json.loads(restriction.channels or "[]"),
    }


# -- the check at reception ------------------------------------------------------------------
@dataclass(frozen=True)
class Match:
    """A person on the front-desk list whose name matches what was typed."""

    name: str
    reference: str
    restrictions: tuple[RestrictionFacts, ...]
    score: float

    def as_json(self) -> dict[str, Any]:
        def day(value: dt.date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "name": self.name,
            "reference": self.reference,
            "restrictions": [
                {
                    "kind": f.kind.value,
                    "state": f.state.value,
                    "schools": list(f.schools),
                    "starts": f.starts.isoformat(),
                    "ends": day(f.ends),
                    "review_due": day(f.review_due),
                    "named_contact": f.named_contact,
                    "contact_role": f.contact_role,
                    "channels": list(f.channels),
                }
                for f in self.restrictions
            ],
        }


def check(
    session: FrontDeskSession | UserSession, name: str, *, today: dt.date | None = None
) -> list[Match]:
    """Who on the list matches `name` (forgiving typos and spellings), with what applies to
    them today or later; best match first. Nothing else about a case is on the list.

    A front-desk account reads the published list; anyone else reads the same facts from
    the database, so both see one answer.
    """
    if session.closed:
        raise SessionEnded("The front-desk check has been locked. Sign in again.")
    today = today or uk_today()
    if isinstance(session, UserSession):
        with session.transaction() as db:
            rows: object = list_content(db)["restrictions"]
    else:
        rows = session.access.read().get("restrictions", [])
    if not isinstance(rows, list):
        raise StoreDamaged("The front-desk list is damaged. Ask a business manager to sign in.")
    by_person: dict[tuple[str, str], list[RestrictionFacts]] = {}
    for row in rows:
        facts = _facts(row)
        if facts.ends is None or facts.ends >= today:
            by_person.setdefault((row["name"], row["reference"]), []).append(facts)
    people = list(by_person)
    matches = best_matches(name, [(i, who[0]) for i, who in enumerate(people)], limit=20)
    return [
        Match(
            people[i][0],
            people[i][1],
            tuple(sorted(by_person[people[i]], key=lambda f: (not applies_on(f, today), f.starts))),
            score,
        )
        for i, _, score in matches
    ]


def _facts(row: dict[str, Any]) -> RestrictionFacts:
    def day(value: object) -> dt.date | None:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None

    starts = day(row.get("starts"))
    if starts is None:
        raise StoreDamaged("The front-desk list is damaged. Ask a business manager to sign in.")
    return RestrictionFacts(
        kind=RestrictionKind(row["kind"]),
        schools=tuple(row.get("schools", ())),
        starts=starts,
        ends=day(row.get("ends")),
        review_due=day(row.get("review_due")),
        named_contact=row.get("named_contact") or None,
        contact_role=row.get("contact_role") or None,
        channels=tuple(row.get("channels", ())),
        state=RestrictionState(row["state"]),
    )
