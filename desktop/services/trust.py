"""The trust's details, its schools, its auto-lock time, and each user's preferences."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.domain.cases import CaseStatus
from desktop.domain.logos import check_logo
from desktop.domain.roles import Operation
from desktop.domain.text import clean_block, clean_line
from desktop.errors import NotFound, ValidationError
from desktop.services import audit, scope
from desktop.services.session import UserSession
from desktop.services.signatures import check_prints
from desktop.storage.models import School, Trust, User


@dataclass(frozen=True)
class TrustInfo:
    id: int
    name: str
    address: str
    has_logo: bool


@dataclass(frozen=True)
class SchoolInfo:
    id: int
    name: str
    address: str
    headteacher_name: str
    active: bool


@dataclass
class Preferences:
    """What a user chooses for themselves; kept in the store so it follows them."""

    default_status: str = CaseStatus.OPEN.value  # "" means every status
    default_school_id: int | None = None
    confirm_before_lock: bool = False
    extra: dict[str, object] = field(default_factory=dict)  # pages added by later versions


def _trust(db: Session) -> Trust:
    trust = db.scalar(select(Trust).order_by(Trust.id).limit(1))
    if trust is None:
        raise NotFound("This store has no trust record.")
    return trust


def get_trust(session: UserSession) -> TrustInfo:
    with session.transaction() as db:
        trust = _trust(db)
        has_logo = db.scalar(select(Trust.logo.is_not(None)).where(Trust.id == trust.id))
        return TrustInfo(trust.id, trust.name, trust.address, bool(has_logo))


def get_trust_logo(session: UserSession) -> bytes | None:
    with session.transaction() as db:
        return _trust(db).logo


_KEEP = object()


def update_trust(
    session: UserSession, *, name: str, address: str, logo: bytes | None | object = _KEEP
) -> TrustInfo:
    """Change the trust's name, address and (optionally) logo; `logo=None` removes it."""
    session.require(Operation.EDIT_TRUST)
    name = clean_line(name, field="trust_name", label="The trust's name")
    address = clean_block(address, field="trust_address", label="The trust's address")
    media = None
    if isinstance(logo, bytes):
        media = check_logo(logo)
        check_prints(logo, field="logo", what="logo")  # not only PNG by its first bytes
    with session.transaction(write=True) as db:
        trust = _trust(db)
        changed = [
            f
            for f, old, new in (("name", trust.name, name), ("address", trust.address, address))
            if old != new
        ]
        trust.name, trust.address = name, address
        if logo is not _KEEP:
            trust.logo = logo if isinstance(logo, bytes) else None
            trust.logo_media_type = media
            changed.append("logo")
        audit.record(db, session.actor, "trust.updated", detail={"fields": changed})
        return TrustInfo(trust.id, trust.name, trust.address, trust.logo is not None)


# -- locking when unused -----------------------------------------------------------------
AUTO_LOCK_DEFAULT = 5  # minutes; the column's own default too (migration 0006)
AUTO_LOCK_MIN = 1
AUTO_LOCK_MAX = 60


def check_auto_lock_minutes(minutes: int) -> int:
    """A lock time the trust may choose: whole minutes from `AUTO_LOCK_MIN` to `AUTO_LOCK_MAX`."""
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise ValidationError("The lock time is a whole number of minutes.", "auto_lock_minutes")
    if not AUTO_LOCK_MIN <= minutes <= AUTO_LOCK_MAX:
        raise ValidationError(
            f"Casebook can lock itself after {AUTO_LOCK_MIN} to {AUTO_LOCK_MAX} minutes "
            "without use.",
            "auto_lock_minutes",
        )
    return minutes


def auto_lock_minutes(session: UserSession) -> int:
    """How many minutes without keyboard or mouse use before every window locks.

    Every signed-in user reads it (their Casebook follows it); a value outside the range,
    which only a damaged or hand-edited store could hold, is brought back into it rather
    than locking at once or never.
    """
    with session.transaction() as db:
        minutes = _trust(db).auto_lock_minutes
    if not isinstance(minutes, int) or isinstance(minutes, bool):
        return AUTO_LOCK_DEFAULT
    return min(max(minutes, AUTO_LOCK_MIN), AUTO_LOCK_MAX)


def set_auto_lock_minutes(session: UserSession, *, minutes: int) -> int:
    """Change the trust's lock time (Settings → Trust); recorded in the audit trail."""
    session.require(Operation.EDIT_TRUST)
    minutes = check_auto_lock_minutes(minutes)
    with session.transaction(write=True) as db:
        trust = _trust(db)
        if trust.auto_lock_minutes != minutes:
            previous = trust.auto_lock_minutes
            trust.auto_lock_minutes = minutes
            audit.record(
                db,
                session.actor,
                "trust.auto_lock_changed",
                detail={"minutes": minutes, "previous": previous},
            )
        return minutes


def list_schools(session: UserSession, *, include_inactive: bool = False) -> list[SchoolInfo]:
    """The schools this user may see, by name."""
    with session.transaction() as db:
        query = select(School).order_by(func.lower(School.name), School.id)
        if not include_inactive:
            query = query.where(School.active.is_(True))
        query = query.where(scope.school_visible(session.actor))
        return [
            SchoolInfo(s.id, s.name, s.address, s.headteacher_name, s.active)
            for s in db.scalars(query)
        ]


def save_school(
    session: UserSession,
    *,
    school_id: int | None,
    name: str,
    address: str = "",
    headteacher_name: str = "",
    active: bool = True,
) -> SchoolInfo:
    """Add a school (school_id=None) or change one."""
    session.require(Operation.EDIT_TRUST)
    name = clean_line(name, field="school_name", label="The school's name")
    address = clean_block(address, field="school_address", label="The school's address")
    headteacher_name = clean_line(
        headteacher_name, field="headteacher", label="The headteacher's name", required=False
    )
    with session.transaction(write=True) as db:
        trust = _trust(db)
        clash = db.scalar(
            select(School.id).where(
                func.lower(School.name) == name.lower(),
                School.id != (school_id or 0),
            )
        )
        if clash is not None:
            raise ValidationError("Another school already has that name.", "school_name")
        if school_id is None:
            school = School(trust_id=trust.id)
            db.add(school)
            action = "school.added"
        else:
            found = db.get(School, school_id)
            if found is None:
                raise NotFound("That school no longer exists.")
            school = found
            action = "school.updated"
        school.name, school.address, school.headteacher_name = name, address, headteacher_name
        school.active = active
        db.flush()
        audit.record(db, session.actor, action, detail={"school_id": school.id})
        return SchoolInfo(school.id, school.name, school.address, school.headteacher_name, active)


def get_preferences(session: UserSession) -> Preferences:
    with session.transaction() as db:
        user = db.get(User, session.actor.user_id)
        raw = user.preferences if user else "{}"
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    prefs = Preferences()
    if data.get("default_status") in ("", *(s.value for s in CaseStatus)):
        prefs.default_status = data["default_status"]
    if isinstance(data.get("default_school_id"), int):
        prefs.default_school_id = data["default_school_id"]
    prefs.confirm_before_lock = bool(data.get("confirm_before_lock", False))
    prefs.extra = data.get("extra", {}) if isinstance(data.get("extra"), dict) else {}
    return prefs


def save_preferences(session: UserSession, *, preferences: Preferences) -> None:
    if preferences.default_status not in ("", *(s.value for s in CaseStatus)):
        raise ValidationError("Choose a status from the list.", "default_status")
    with session.transaction(write=True) as db:
        user = db.get(User, session.actor.user_id)
        if user is None:
            raise NotFound("Your account no longer exists.")
        user.preferences = json.dumps(asdict(preferences), sort_keys=True)
        audit.record(db, session.actor, "preferences.saved")
