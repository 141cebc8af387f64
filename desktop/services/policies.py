"""The trust's procedure: which policy profile is in force, changing it, and the exact
profile each past step was taken under.

Every profile ever put in force is kept, word for word (`PolicyProfileRecord`), so a bar
taken under version 1.0 is still replayed under 1.0 after the trust moves to 2.0. A
profile that cannot be read is refused with its file, line and field, and the one in force
stays in force. A store made before profiles were kept uses the default shipped profile,
recorded the first time a step needs it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop.dates import utc_now
from desktop.domain.policy import (
    PolicyError,
    Profile,
    load_profile_text,
    policies_dir,
    shipped_profiles,
)
from desktop.domain.policy_toml import line_of
from desktop.domain.roles import Operation
from desktop.errors import NotFound, ValidationError
from desktop.services import audit
from desktop.services.session import Actor, UserSession
from desktop.storage.models import PolicyProfileRecord, User

DEFAULT_PROFILE_ID = "graduated_sanctions"
MAX_PROFILE_CHARS = 200_000


def letter_ids() -> tuple[str, ...]:
    """The letter types a profile may name (a profile naming another is refused)."""
    from reports.letter_templates import TYPE_IDS

    return TYPE_IDS


@dataclass(frozen=True)
class ProfileChoice:
    """A shipped profile, as the setup wizard and Settings offer it."""

    id: str
    name: str
    version: str
    description: str
    file_name: str


@dataclass(frozen=True)
class ProfileInForce:
    """The profile in force, and who put it there and when (None: the shipped default, not
    yet recorded in this store)."""

    record_id: int | None
    profile: Profile
    file_name: str
    text: str
    installed_by: str
    installed_at: str


@dataclass(frozen=True)
class ProfileHistoryRow:
    record_id: int
    name: str
    version: str
    digest: str
    active: bool
    installed_by: str
    installed_at: str


def shipped_choices() -> list[ProfileChoice]:
    """The profiles shipped with Casebook, the default first."""
    found = [
        ProfileChoice(p.id, p.name, p.version, p.description, p.source)
        for p in shipped_profiles(letter_ids())
    ]
    return sorted(found, key=lambda c: c.id != DEFAULT_PROFILE_ID)


def shipped_text(profile_id: str) -> tuple[str, str]:
    """(file name, text) of a shipped profile; ValidationError for an unknown one."""
    for path in sorted(policies_dir().glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        if read(text, path.name).id == profile_id:
            return path.name, text
    raise ValidationError(f"Casebook ships no procedure called {profile_id!r}.", "profile")


@functools.lru_cache(maxsize=16)
def read(text: str, file_name: str) -> Profile:
    """A profile from its text, checked against the letters there are (PolicyError if not)."""
    return load_profile_text(text, file_name, letter_ids())


# -- inside a transaction -------------------------------------------------------------------
def active_record(db: Session) -> PolicyProfileRecord | None:
    return db.scalar(
        select(PolicyProfileRecord)
        .where(PolicyProfileRecord.active.is_(True))
        .order_by(PolicyProfileRecord.id.desc())
        .limit(1)
    )


def profile_of(record: PolicyProfileRecord) -> Profile:
    return read(record.text, record.file_name or f"{record.profile_id}.toml")


def profile_for_reading(db: Session) -> Profile:
    """The profile in force, or the shipped default for a store with none on record yet
    (recorded only when a step needs it, by `record_for_use`)."""
    found = active_record(db)
    if found is not None:
        return profile_of(found)
    file_name, text = shipped_text(DEFAULT_PROFILE_ID)
    return read(text, file_name)


def record_for_use(db: Session, actor: Actor | None) -> PolicyProfileRecord:
    """The record of the profile in force, recording the shipped default first if this
    store has none yet (a store made before profiles were kept)."""
    found = active_record(db)
    if found is not None:
        return found
    file_name, text = shipped_text(DEFAULT_PROFILE_ID)
    return install(db, actor, text, file_name, reason="default")


def install(
    db: Session, actor: Actor | None, text: str, file_name: str, *, reason: str
) -> PolicyProfileRecord:
    """Put a profile in force inside the caller's write transaction; the old one stays on
    record. PolicyError if it cannot be read or reuses a version number for different
    wording; ValidationError if it changes nothing."""
    if len(text) > MAX_PROFILE_CHARS:
        raise ValidationError(
            f"{file_name}: this file is far too long for a procedure ({len(text):,} characters).",
            "profile",
        )
    profile = read(text, file_name)
    current = active_record(db)
    if current is not None and current.digest == profile.digest:
        raise ValidationError(
            f"{profile.name}, version {profile.version}, is already in force.", "profile"
        )
    clash = db.scalar(
        select(PolicyProfileRecord.id).where(
            PolicyProfileRecord.profile_id == profile.id,
            PolicyProfileRecord.version == profile.version,
            PolicyProfileRecord.digest != profile.digest,
        )
    )
    if clash is not None:
        raise PolicyError(
            f"version {profile.version} of {profile.name} was used before with different "
            "wording. Change `version` in the [profile] table, so each step keeps the wording "
            "it was taken under.",
            file=file_name,
            line=line_of(text, ("profile", "version")),
            field="profile.version",
        )
    db.execute(update(PolicyProfileRecord).values(active=False))
    row = PolicyProfileRecord(
        profile_id=profile.id,
        name=profile.name,
        version=profile.version,
        digest=profile.digest,
        file_name=file_name,
        text=text,
        active=True,
        installed_by_id=actor.user_id if actor else None,
        installed_at=utc_now(),
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor,
        "policy.installed",
        detail={
            "profile": profile.id,
            "version": profile.version,
            "digest": profile.digest,
            "reason": reason,
        },
    )
    return row


def record_by_id(db: Session, record_id: int | None) -> PolicyProfileRecord:
    """The profile a step or sanction was taken under (the one in force, for rows made
    before profiles were kept)."""
    row = db.get(PolicyProfileRecord, record_id) if record_id is not None else None
    if row is None:
        row = active_record(db)
    if row is None:
        raise NotFound("This store has no procedure on record.")
    return row


# -- for the UI and the CLI -----------------------------------------------------------------
def _name(db: Session, user_id: int | None) -> str:
    if user_id is None:
        return "Casebook"
    return db.scalar(select(User.full_name).where(User.id == user_id)) or "a former user"


def profile_in_force(session: UserSession) -> ProfileInForce:
    """The procedure cases follow now."""
    session.require(Operation.VIEW_CASES)
    with session.transaction() as db:
        row = active_record(db)
        if row is None:
            file_name, text = shipped_text(DEFAULT_PROFILE_ID)
            return ProfileInForce(None, read(text, file_name), file_name, text, "Casebook", "")
        return ProfileInForce(
            row.id,
            profile_of(row),
            row.file_name,
            row.text,
            _name(db, row.installed_by_id),
            row.installed_at.isoformat(),
        )


def profile_history(session: UserSession) -> list[ProfileHistoryRow]:
    """Every profile put in force, newest first."""
    session.require(Operation.VIEW_CASES)
    with session.transaction() as db:
        rows = db.scalars(select(PolicyProfileRecord).order_by(PolicyProfileRecord.id.desc()))
        return [
            ProfileHistoryRow(
                r.id,
                r.name,
                r.version,
                r.digest,
                r.active,
                _name(db, r.installed_by_id),
                r.installed_at.isoformat(),
            )
            for r in rows
        ]


def use_profile_text(session: UserSession, *, text: str, file_name: str) -> ProfileInForce:
    """Put an edited or imported profile in force (administrators and trust leaders).
    PolicyError names the file, line and field of the first fault; the profile in force
    stays in force."""
    session.require(Operation.EDIT_TRUST)
    with session.transaction(write=True) as db:
        install(db, session.actor, text, file_name, reason="changed")
    return profile_in_force(session)


def use_shipped_profile(session: UserSession, *, profile_id: str) -> ProfileInForce:
    """Put one of the shipped profiles in force."""
    file_name, text = shipped_text(profile_id)
    return use_profile_text(session, text=text, file_name=file_name)
