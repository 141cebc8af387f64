"""Access for an account that exists: switching it off and on, the schools it may see, the
member of staff it belongs to, and a password reset with a one-time password.

Switching an account off takes its password and remembered devices out of the key file at
once (its windows lock at their next step); switching it on again, or resetting its
password, gives it a new password slot holding the same keys, opened by a one-time password
Casebook makes up. That password is returned once, to be handed over in person, and is
never stored or written to the audit trail; the account must choose its own at its next
sign-in. Every change here is for a data protection lead, and recorded.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.roles import Operation, Role
from desktop.domain.text import normalise_username
from desktop.errors import NotPermitted, ValidationError
from desktop.services import audit, frontdesk
from desktop.services.session import UserSession
from desktop.services.store import grants_for, signer_id_for
from desktop.services.users import (
    UserInfo,
    account_named,
    check_staff_member,
    keep_an_administrator,
    schools_chosen,
    user_info,
)
from desktop.storage.models import School, StaffMember, User

# Letters and digits that cannot be mistaken for one another when read aloud or off paper
# (no i, l, o, 0 or 1). Three groups of four: about 59 bits, behind Argon2id.
ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ONE_TIME_GROUPS, ONE_TIME_GROUP_SIZE = 3, 4


@dataclass(frozen=True)
class StaffChoice:
    """A member of staff an account may be linked to; `account` names one already linked."""

    id: int
    name: str
    job_title: str
    school: str  # "" for the trust's own staff
    account: str = ""


def one_time_password() -> str:
    """A new random password in groups, such as `k7qm-2hxw-9prt`: easy to read out and type."""
    return "-".join(
        "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(ONE_TIME_GROUP_SIZE))
        for _ in range(ONE_TIME_GROUPS)
    )


def set_schools(session: UserSession, *, username: str, school_ids: Sequence[int]) -> UserInfo:
    """The schools a school-role account may see. Its open windows lock at their next step,
    so a school taken away is out of reach at once."""
    session.require(Operation.MANAGE_USERS)
    username = normalise_username(username)
    if not school_ids:
        raise ValidationError("Choose the schools this person works for.", "schools")
    with session.transaction(write=True) as db:
        user = account_named(db, username)
        if Role(user.role).trust_wide:
            raise ValidationError(
                f"{Role(user.role).label} accounts see every school; there are none to choose.",
                "schools",
            )
        before = sorted(s.id for s in user.schools)
        user.schools = schools_chosen(db, school_ids)
        after = sorted(s.id for s in user.schools)
        if after != before:
            audit.record(
                db,
                session.actor,
                "user.schools_changed",
                detail={"user_id": user.id, "from": before, "to": after},
            )
        return user_info(db, user)


def disable_user(session: UserSession, *, username: str) -> UserInfo:
    """Switch an account off: it can no longer sign in, its password and remembered devices
    are taken out of the key file, and its open windows lock at their next step. Its
    history stays. (No new store key: for someone who may have kept a copy of the key
    file, remove the account instead.)"""
    session.require(Operation.MANAGE_USERS)
    username = normalise_username(username)
    with session.transaction(write=True) as db:
        user = account_named(db, username)
        keep_an_administrator(db, user, "switch off")
        if username == session.actor.username:
            raise NotPermitted("You cannot switch off your own account while signed in to it.")
        if not user.active:
            raise ValidationError("This account is already switched off.", "username")
        user.active = False
        session.store.remove_ways_in(db, signer_id_for(user.id))
        audit.record(db, session.actor, "user.disabled", detail={"user_id": user.id})
        if user.role == Role.FRONT_DESK.value:
            frontdesk.publish(db, session.store)
        return user_info(db, user)


def enable_user(session: UserSession, *, username: str) -> tuple[UserInfo, str]:
    """Switch an account on again (one switched off, or removed) with a one-time password,
    which is returned once to be handed over in person."""
    session.require(Operation.MANAGE_USERS)
    username = normalise_username(username)
    with session.transaction(write=True) as db:
        user = account_named(db, username)
        if user.active:
            raise ValidationError("This account is already switched on.", "username")
        user.active = True
        password = _new_password_slot(session, db, user)
        audit.record(db, session.actor, "user.enabled", detail={"user_id": user.id})
        if user.role == Role.FRONT_DESK.value:
            frontdesk.publish(db, session.store)
        return user_info(db, user), password


def reset_password(session: UserSession, *, username: str) -> str:
    """Give an account a one-time password in place of its own (which, with its remembered
    devices, opens nothing any more); they must choose a new one when they next sign in.
    The one-time password is returned once, to be handed over in person."""
    session.require(Operation.MANAGE_USERS)
    username = normalise_username(username)
    if username == session.actor.username:
        raise NotPermitted(
            "Change your own password with File > Change password: it asks for your current one."
        )
    with session.transaction(write=True) as db:
        user = account_named(db, username)
        if not user.active:
            raise ValidationError(
                "This account is switched off. Switch it on, which gives it a one-time password.",
                "username",
            )
        password = _new_password_slot(session, db, user)
        audit.record(db, session.actor, "user.password_reset", detail={"user_id": user.id})
        return password


def link_staff_member(
    session: UserSession, *, username: str, staff_member_id: int | None
) -> UserInfo:
    """Say which member of staff an account belongs to (None: no one), so the two are known
    to be the same person."""
    session.require(Operation.MANAGE_USERS)
    username = normalise_username(username)
    with session.transaction(write=True) as db:
        user = account_named(db, username)
        if staff_member_id is not None:
            check_staff_member(db, staff_member_id, user_id=user.id)
        if user.staff_member_id != staff_member_id:
            user.staff_member_id = staff_member_id
            audit.record(
                db,
                session.actor,
                "user.staff_linked",
                detail={"user_id": user.id, "staff_member_id": staff_member_id},
            )
        return user_info(db, user)


def list_staff_members(session: UserSession) -> list[StaffChoice]:
    """The trust's current staff, by name, for linking to an account."""
    session.require(Operation.MANAGE_USERS)
    with session.transaction() as db:
        linked = dict(
            db.execute(
                select(User.staff_member_id, User.username).where(
                    User.active.is_(True), User.staff_member_id.is_not(None)
                )
            ).all()
        )
        rows = db.execute(
            select(StaffMember.id, StaffMember.name, StaffMember.job_title, School.name)
            .outerjoin(School, School.id == StaffMember.school_id)
            .where(StaffMember.active.is_(True))
        ).all()
    choices = [
        StaffChoice(sid, name, title, school or "", linked.get(sid, ""))
        for sid, name, title, school in rows
    ]
    return sorted(choices, key=lambda c: (c.name.casefold(), c.school, c.id))


def _new_password_slot(session: UserSession, db: Session, user: User) -> str:
    """Replace every way in the account has with one new password slot, sealed with the keys
    its role opens, in step with this transaction; the account must change it."""
    password = one_time_password()
    signer = signer_id_for(user.id)
    session.store.remove_ways_in(db, signer)  # the old password and its remembered devices
    session.store.set_password(
        db, user.username, password, signer_id=signer, grants=grants_for(Role(user.role))
    )
    # The front desk never opens the database, so it could never clear the flag: its
    # password is changed by an administrator, not at its sign-in.
    user.must_change_password = user.role != Role.FRONT_DESK.value
    return password
