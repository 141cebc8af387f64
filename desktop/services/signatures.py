"""Signatures on letters: a signatory's image, and who may issue letters carrying it.

A signatory (an account allowed `SIGN_LETTERS`: headteachers, trust leaders, business
managers) keeps one signature image in the encrypted store and may authorise delegates.
A letter carries the image only when the person it is signed by issues it from their own
account, or one of their delegates does; anyone else's letter leaves space to sign by
hand, with the signatory's name and role typed beneath. Which of the three it was is kept
on the letter (`IssuedLetter.signed_as`) and in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.dates import utc_now
from desktop.domain.logos import check_signature
from desktop.domain.roles import Operation, Role, is_permitted
from desktop.errors import NotFound, ValidationError
from desktop.services import audit
from desktop.services.session import Actor, UserSession
from desktop.storage.models import Signature, SignatureDelegate, User


class SignedAs(StrEnum):
    OWN = "own"  # issued by the signatory's own account
    DELEGATE = "delegate"  # issued by someone the signatory authorised
    BY_HAND = ""  # no image: a space to sign by hand


@dataclass(frozen=True)
class SignatureUse:
    """What a letter signed by someone carries when this actor issues it."""

    image: bytes | None
    signed_as: SignedAs
    signatory_id: int | None
    on_behalf_of: str | None  # printed under the role when a delegate issues it


NO_SIGNATURE = SignatureUse(None, SignedAs.BY_HAND, None, None)


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    role: str


@dataclass(frozen=True)
class MySignature:
    """The Settings page's view: my image, my delegates, who could be one."""

    may_sign: bool
    image: bytes | None
    registered_at: dt.datetime | None
    delegates: tuple[Person, ...]
    candidates: tuple[Person, ...]  # accounts that may be authorised
    signs_for: tuple[Person, ...]  # signatories who authorised me


def _person(user: User) -> Person:
    return Person(user.id, user.full_name, Role(user.role).label)


def signature_for(db: Session, actor: Actor | None, signed_by: str) -> SignatureUse:
    """The signature a letter signed by `signed_by` carries when `actor` issues it.

    The signatory is the one active account of that full name with a stored signature; a
    name two accounts share, or none, prints the space to sign by hand.
    """
    name = " ".join(signed_by.split())
    if actor is None or not name:
        return NO_SIGNATURE
    found = db.execute(
        select(User.id, User.full_name, Signature.id)
        .join(Signature, Signature.user_id == User.id)
        .where(User.active.is_(True), func.lower(User.full_name) == name.lower())
        .limit(2)
    ).all()
    if len(found) != 1:
        return NO_SIGNATURE
    signatory_id, signatory_name, signature_id = found[0]
    if signatory_id == actor.user_id:
        signed_as, behalf = SignedAs.OWN, None
    elif _is_delegate(db, signatory_id, actor.user_id):
        signed_as, behalf = SignedAs.DELEGATE, f"Signed on their behalf by {actor.full_name}"
    else:
        return NO_SIGNATURE
    image = db.scalar(select(Signature.image).where(Signature.id == signature_id))
    return SignatureUse(image, signed_as, signatory_id, behalf)


def _is_delegate(db: Session, signatory_id: int, delegate_id: int) -> bool:
    return (
        db.scalar(
            select(SignatureDelegate.id).where(
                SignatureDelegate.signatory_id == signatory_id,
                SignatureDelegate.delegate_id == delegate_id,
                SignatureDelegate.revoked_at.is_(None),
            )
        )
        is not None
    )


def _delegate_rows(db: Session, signatory_id: int) -> list[SignatureDelegate]:
    return list(
        db.scalars(
            select(SignatureDelegate).where(
                SignatureDelegate.signatory_id == signatory_id,
                SignatureDelegate.revoked_at.is_(None),
            )
        )
    )


def my_signature(session: UserSession) -> MySignature:
    """My signature, my delegates, and the signatories I may sign for."""
    me = session.actor
    with session.transaction() as db:
        row = db.scalar(select(Signature).where(Signature.user_id == me.user_id))
        delegate_ids = {d.delegate_id for d in _delegate_rows(db, me.user_id)}
        users = list(db.scalars(select(User).where(User.active.is_(True)).order_by(User.full_name)))
        for_ids = set(
            db.scalars(
                select(SignatureDelegate.signatory_id).where(
                    SignatureDelegate.delegate_id == me.user_id,
                    SignatureDelegate.revoked_at.is_(None),
                )
            )
        )
        return MySignature(
            may_sign=is_permitted(me.role, Operation.SIGN_LETTERS),
            image=row.image if row is not None else None,
            registered_at=row.registered_at if row is not None else None,
            delegates=tuple(_person(u) for u in users if u.id in delegate_ids),
            candidates=tuple(
                _person(u)
                for u in users
                if u.id != me.user_id
                and u.id not in delegate_ids
                and is_permitted(Role(u.role), Operation.EDIT_CASES)
            ),
            signs_for=tuple(_person(u) for u in users if u.id in for_ids),
        )


def check_prints(image: bytes, *, field: str, what: str) -> None:
    """Refuse an image ReportLab cannot draw (a PNG or JPEG in name only, cut short or
    damaged), by laying it out as a letter would; a signature's and the logo's rule."""
    from reports.letters import Letter, Letterhead, Recipient, Signatory, make_letter

    try:
        make_letter(
            Letter(
                letterhead=Letterhead("Check", [], "", []),
                recipient=Recipient("Check", ["Check"]),
                reference="CHECK",
                date=dt.date(2026, 1, 1),
                salutation="Dear Check",
                body=["Check."],
                signatory=Signatory("Check", "Check", signature=image),
            )
        )
    except ValidationError as exc:
        raise ValidationError(
            f"The {what} could not be read; it may be damaged. Scan or export it again as "
            "PNG or JPEG.",
            field,
        ) from exc


def register_signature(session: UserSession, *, image: bytes) -> MySignature:
    """Keep (or replace) my signature image. ValidationError names a file that is not a
    PNG or JPEG, too large, or damaged."""
    session.require(Operation.SIGN_LETTERS)
    check_signature(image)
    check_prints(image, field="signature", what="signature image")
    digest = hashlib.sha256(image).hexdigest()
    with session.transaction(write=True) as db:
        row = db.scalar(select(Signature).where(Signature.user_id == session.actor.user_id))
        replaced = row is not None
        if row is None:
            row = Signature(user_id=session.actor.user_id)
            db.add(row)
        row.image, row.sha256, row.registered_at = image, digest, utc_now()
        audit.record(
            db,
            session.actor,
            "signature.replaced" if replaced else "signature.registered",
            detail={"sha256": digest, "size": len(image)},
        )
    return my_signature(session)


def remove_signature(session: UserSession) -> MySignature:
    """Remove my signature image; letters already issued keep theirs."""
    with session.transaction(write=True) as db:
        row = db.scalar(select(Signature).where(Signature.user_id == session.actor.user_id))
        if row is None:
            raise NotFound("You have no signature stored.")
        db.delete(row)
        audit.record(db, session.actor, "signature.removed", detail={})
    return my_signature(session)


def authorise_delegate(session: UserSession, *, user_id: int) -> MySignature:
    """Let another account issue letters carrying my signature."""
    session.require(Operation.SIGN_LETTERS)
    with session.transaction(write=True) as db:
        user = db.get(User, user_id)
        if user is None or not user.active:
            raise NotFound("That account does not exist or is switched off.")
        if user.id == session.actor.user_id:
            raise ValidationError("You sign your own letters already.", "delegate")
        if not is_permitted(Role(user.role), Operation.EDIT_CASES):
            raise ValidationError(
                f"{user.full_name} cannot issue letters ({Role(user.role).label}).", "delegate"
            )
        if _is_delegate(db, session.actor.user_id, user.id):
            raise ValidationError(f"{user.full_name} may already sign for you.", "delegate")
        db.add(
            SignatureDelegate(
                signatory_id=session.actor.user_id, delegate_id=user.id, granted_at=utc_now()
            )
        )
        audit.record(db, session.actor, "signature.delegate_added", detail={"delegate": user.id})
    return my_signature(session)


def revoke_delegate(session: UserSession, *, user_id: int) -> MySignature:
    """Stop another account issuing letters with my signature; their past letters stay."""
    with session.transaction(write=True) as db:
        rows = [r for r in _delegate_rows(db, session.actor.user_id) if r.delegate_id == user_id]
        if not rows:
            raise NotFound("That account is not signing for you.")
        for row in rows:
            row.revoked_at = utc_now()
        audit.record(db, session.actor, "signature.delegate_removed", detail={"delegate": user_id})
    return my_signature(session)
