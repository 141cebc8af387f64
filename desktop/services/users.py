"""User accounts: each has a role, the schools they may see, and a key slot.

Adding, listing, removing and changing a role live here; switching accounts off and on,
their schools, their staff member and password resets in `desktop.services.users_access`.
Only a data protection lead manages accounts, and never so that no one active is left who
can: the last active administrator cannot be switched off, removed or given another role.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.dates import utc_now
from desktop.domain.roles import Operation, Role, is_permitted, roles_permitted
from desktop.domain.signin import check_new_password
from desktop.domain.text import clean_line, clean_username, normalise_username
from desktop.errors import NotFound, NotPermitted, ValidationError
from desktop.services import audit, frontdesk
from desktop.services.session import UserSession
from desktop.services.store import grants_for, signer_id_for
from desktop.storage.models import School, StaffMember, User


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    full_name: str
    role: Role
    schools: tuple[str, ...]
    active: bool
    school_ids: tuple[int, ...] = ()
    staff_member_id: int | None = None
    staff_member: str = ""  # the linked member of staff's name
    last_signed_in_at: dt.datetime | None = None
    must_change_password: bool = False


def user_info(db: Session, user: User) -> UserInfo:
    """An account as the windows and the command line show it."""
    staff = db.get(StaffMember, user.staff_member_id) if user.staff_member_id else None
    return UserInfo(
        user.id,
        user.username,
        user.full_name,
        Role(user.role),
        tuple(s.name for s in user.schools),
        user.active,
        tuple(s.id for s in user.schools),
        user.staff_member_id,
        staff.name if staff is not None else "",
        user.last_signed_in_at,
        user.must_change_password,
    )


def list_users(session: UserSession) -> list[UserInfo]:
    session.require(Operation.MANAGE_USERS)
    with session.transaction() as db:
        return [user_info(db, u) for u in db.scalars(select(User).order_by(User.username))]


def add_user(
    session: UserSession,
    *,
    username: str,
    full_name: str,
    role: str,
    school_ids: Sequence[int] = (),
    password: str,
    staff_member_id: int | None = None,
    must_change_password: bool = False,
) -> UserInfo:
    """Create an account and its key slot. School roles need at least one school.

    `must_change_password` asks the person to choose their own password when they first
    sign in (Settings sets it for every password it gives out)."""
    session.require(Operation.MANAGE_USERS)
    username = clean_username(username)
    full_name = clean_line(full_name, field="full_name", label="The full name")
    role_value = parse_role(role)
    check_new_password(password)
    if not role_value.trust_wide and not school_ids:
        raise ValidationError("Choose the schools this person works for.", "schools")
    with session.transaction(write=True) as db:
        if db.scalar(select(User.id).where(User.username == username)) is not None:
            raise ValidationError("That username is already taken.", "username")
        schools = schools_chosen(db, school_ids)
        if staff_member_id is not None:
            check_staff_member(db, staff_member_id, user_id=None)
        user = User(
            username=username,
            full_name=full_name,
            role=role_value.value,
            created_at=utc_now(),
            schools=[] if role_value.trust_wide else schools,
            staff_member_id=staff_member_id,
            # The front desk never opens the database, so it could never clear the flag.
            must_change_password=must_change_password and role_value is not Role.FRONT_DESK,
        )
        db.add(user)
        db.flush()
        detail: dict[str, object] = {"user_id": user.id, "role": role}
        if staff_member_id is not None:
            detail["staff_member_id"] = staff_member_id
        audit.record(db, session.actor, "user.added", detail=detail)
        # The slot is saved with the transaction: if either fails, neither happens.
        session.store.set_password(
            db,
            username,
            password,
            signer_id=signer_id_for(user.id),
            grants=grants_for(role_value),
        )
        if role_value is Role.FRONT_DESK:
            frontdesk.publish(db, session.store)
        return user_info(db, user)


def remove_user(session: UserSession, *, username: str) -> None:
    """Switch the account off, delete its ways in and give the store a new key, so neither
    its password nor an old copy of the key file opens anything current. A window it has
    open locks at its next step."""
    session.require(Operation.MANAGE_USERS)
    username = normalise_username(username)
    with session.transaction(write=True) as db:
        user = account_named(db, username)
        keep_an_administrator(db, user, "remove")
        if username == session.actor.username:
            raise NotPermitted("You cannot remove your own account while signed in to it.")
        user.active = False
        audit.record(db, session.actor, "user.removed", detail={"user_id": user.id})
        session.store.remove_ways_in(db, signer_id_for(user.id))
        _rekey(session, db)


def change_role(
    session: UserSession, *, username: str, role: str, school_ids: Sequence[int] = ()
) -> UserInfo:
    """Give an account another role (and schools). When the new role opens less than the
    old one, the store gets a new key, so the old password's copy opens nothing more."""
    session.require(Operation.MANAGE_USERS)
    username = normalise_username(username)
    new_role = parse_role(role)
    if not new_role.trust_wide and not school_ids:
        raise ValidationError("Choose the schools this person works for.", "schools")
    with session.transaction(write=True) as db:
        user = account_named(db, username)
        if not is_permitted(new_role, Operation.MANAGE_USERS):
            keep_an_administrator(db, user, "give another role to")
        if username == session.actor.username:
            raise NotPermitted("You cannot change your own role while signed in.")
        old_role = Role(user.role)
        schools = schools_chosen(db, school_ids)
        user.role = new_role.value
        user.schools = [] if new_role.trust_wide else schools
        audit.record(
            db,
            session.actor,
            "user.role_changed",
            detail={"user_id": user.id, "from": old_role.value, "to": new_role.value},
        )
        if set(grants_for(new_role)) != set(grants_for(old_role)):
            # Less to open: an old copy must open nothing more. More: the slots need it.
            _rekey(session, db)
        if Role.FRONT_DESK in (old_role, new_role):
            frontdesk.publish(db, session.store)
        return user_info(db, user)


# -- shared with desktop.services.users_access ----------------------------------------------
def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationError("Choose a role from the list.", "role") from None


def account_named(db: Session, username: str) -> User:
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"There is no user called {username!r}.")
    return user


def schools_chosen(db: Session, school_ids: Sequence[int]) -> list[School]:
    schools = list(db.scalars(select(School).where(School.id.in_(school_ids))).all())
    if len(schools) != len(set(school_ids)):
        raise ValidationError("One of those schools no longer exists.", "schools")
    return schools


def keep_an_administrator(db: Session, user: User, doing: str) -> None:
    """Refuse to take away the last active account that can manage accounts: the trust
    would have no one left to add, reset or switch on anyone (only its recovery key)."""
    managers = [role.value for role in roles_permitted(Operation.MANAGE_USERS)]
    if not user.active or user.role not in managers:
        return
    others = db.scalar(
        select(func.count(User.id)).where(
            User.active.is_(True), User.role.in_(managers), User.id != user.id
        )
    )
    if not others:
        raise NotPermitted(
            f"You cannot {doing} the last active {Role.DATA_PROTECTION_LEAD.label}: no one "
            "would be left to manage accounts. Add another one first."
        )


def check_staff_member(db: Session, staff_member_id: int, *, user_id: int | None) -> StaffMember:
    """A member of staff an account may be linked to: still working for the trust, and not
    already linked to another active account."""
    staff = db.get(StaffMember, staff_member_id)
    if staff is None or not staff.active:
        raise ValidationError("That member of staff is not on the trust's list.", "staff_member")
    taken = db.scalar(
        select(User.username).where(
            User.staff_member_id == staff_member_id,
            User.active.is_(True),
            User.id != (user_id or 0),
        )
    )
    if taken is not None:
        raise ValidationError(
            f"{staff.name} is already linked to the account {taken}.", "staff_member"
        )
    return staff


def _rekey(session: UserSession, db: Session) -> None:
    """Plan a new store key for every active account, with what its role opens."""
    db.flush()
    active = db.execute(select(User.id, User.role).where(User.active.is_(True))).all()
    grants = {signer_id_for(uid): grants_for(Role(role)) for uid, role in active}
    session.store.rekey(db, grants)
    frontdesk.publish(db, session.store)
