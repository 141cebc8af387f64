"""An open store and the user signed in to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from desktop.domain.roles import Operation, Role, is_permitted
from desktop.domain.second_factor import SecondFactorStep
from desktop.errors import NotPermitted, SessionEnded
from desktop.storage.models import User, user_schools
from desktop.storage.store import Store

# Session info: the signed-in account's audit keys, for the audit trail's writer.
AUDIT_KEYS_INFO = "casebook_audit_keys"
STORE_INFO = "casebook_store"  # the open store, for the audit head kept outside it

# Read at the start of every service call (`_check_still_allowed`): built once.
_ACCOUNT = select(User.active, User.role).where(User.id == bindparam("user_id"))
_ACCOUNT_SCHOOLS = select(user_schools.c.school_id).where(
    user_schools.c.user_id == bindparam("user_id")
)


class SecondFactorNeeded(NotPermitted):
    """A service was called before the sign-in's second step was done."""

    def __init__(self, step: SecondFactorStep) -> None:
        super().__init__(
            "Type the code from your authenticator app to finish signing in."
            if step is SecondFactorStep.CODE
            else "Set up two-step sign-in first: the trust requires it for administrators."
        )


def bind_store(db: Session, store: Store) -> None:
    """Let the audit trail in this transaction find the account's keys and the store."""
    db.info[AUDIT_KEYS_INFO] = store.audit_keys
    db.info[STORE_INFO] = store


@dataclass(frozen=True)
class Actor:
    """Who is acting, and which schools' cases they may see (None: every school).

    What `school_ids` allows is decided in one place, `desktop.services.scope`.
    """

    user_id: int
    username: str
    full_name: str
    role: Role
    school_ids: frozenset[int] | None

    @property
    def role_label(self) -> str:
        return self.role.label


@dataclass
class UserSession:
    """The handle the UI and CLI hold after signing in: who is acting, in which store.

    Services reach the database only through `store`; they never see its file or key.
    Close the session to lock the store.
    """

    store: Store
    actor: Actor
    # Things to tell the person once they are in (a key file changed outside Casebook).
    notices: tuple[str, ...] = ()
    # Signed in with a password someone else set (a reset): they must choose their own
    # before anything else. `auth.change_password` clears it.
    must_change_password: bool = False
    # Signed in with the password (or a remembered device), but the second step is still
    # owed: the code (`auth.verify_second_factor`), or setting it up when the trust requires
    # it (`second_factor.confirm_enrolment`). Until then every service call is refused.
    second_factor_step: SecondFactorStep | None = None

    @property
    def needs_second_factor(self) -> bool:
        return self.second_factor_step is not None

    @property
    def is_sample(self) -> bool:
        """A store of invented cases: the UI marks it wherever its data shows."""
        return self.store.identity.is_sample

    def require(self, operation: Operation) -> None:
        self._check_signed_in_fully()
        if not is_permitted(self.actor.role, operation):
            raise NotPermitted(
                f"{self.actor.role.label} accounts cannot {_OPERATION_WORDS[operation]}."
            )

    def can(self, operation: Operation) -> bool:
        return is_permitted(self.actor.role, operation)

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Session]:
        """One service operation: all of it is committed, or none of it.

        An operation that writes anything (the audit trail counts) passes `write=True`: it
        then holds the store's write lock from its first read, so numbers it allocates
        (case references, audit entry ids) cannot be taken by another user meanwhile, and
        it waits for another writer rather than failing with "database is locked".
        Refused (SecondFactorNeeded) while the sign-in's second step is still owed.
        """
        self._check_signed_in_fully()
        with self.sign_in_transaction(write=write) as db:
            yield db

    @contextmanager
    def sign_in_transaction(self, *, write: bool = False) -> Iterator[Session]:
        """`transaction()` without waiting for the second step: only for signing in and out
        and for the second factor's own steps (`auth`, `second_factor`), which check for
        themselves which step they may take."""
        with self.store.transaction(write=write) as db:
            bind_store(db, self.store)
            self._check_still_allowed(db)
            yield db

    def _check_signed_in_fully(self) -> None:
        if self.second_factor_step is not None:
            raise SecondFactorNeeded(self.second_factor_step)

    def _check_still_allowed(self, db: Session) -> None:
        """An account removed, switched off or given another role or other schools since
        sign-in acts no more: its open windows lock at their next step, whichever copy
        changed it."""
        conn, user = db.connection(), {"user_id": self.actor.user_id}
        row = conn.execute(_ACCOUNT, user).first()
        if row is None or not row.active or row.role != self.actor.role.value:
            self.store.close()
            raise SessionEnded()
        if self.actor.school_ids is not None:
            schools = conn.scalars(_ACCOUNT_SCHOOLS, user).all()
            if frozenset(schools) != self.actor.school_ids:
                self.store.close()
                raise SessionEnded()

    @property
    def closed(self) -> bool:
        return self.store.closed

    def close(self) -> None:
        self.store.close()


_OPERATION_WORDS = {
    Operation.VIEW_CASES: "see case files",
    Operation.EDIT_CASES: "change case files",
    Operation.EDIT_TRUST: "change the trust's details or schools",
    Operation.MANAGE_USERS: "manage user accounts",
    Operation.VIEW_AUDIT: "see the audit trail",
    Operation.SIGN_LETTERS: "keep a signature for letters",
    Operation.BACKUP: "make backups of the case store",
    Operation.BOARD_REPORT: "make the annual report to the board",
    Operation.RETENTION: "delete records past their retention period",
    Operation.SUBJECT_ACCESS: "answer subject access requests",
    Operation.RECORD_DISCLOSURES: "record disclosures of case records",
}
