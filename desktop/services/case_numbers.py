"""Case references: the next free number in a year, and inserting a case under it even
when another copy of Casebook takes the same number at the same moment."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.domain.cases import format_reference
from desktop.storage.models import Case

REFERENCE_ATTEMPTS = 5


def next_reference(db: Session, year: int, *, after: int = 0) -> tuple[str, int]:
    """The next free reference in `year`, numbered above `after` (a number just lost).

    Call it inside a write transaction (`session.transaction(write=True)`): SQLite then
    holds the write lock from the first read, so no other writer can take the number
    before this transaction commits. A server database gives no such lock; there the
    unique constraint on (ref_year, ref_sequence) catches a clash and `open_case` retries.
    """
    last = db.scalar(select(func.max(Case.ref_sequence)).where(Case.ref_year == year)) or 0
    sequence = max(last, after) + 1
    return format_reference(year, sequence), sequence


def insert_numbered(db: Session, make: Callable[[str, int], Case], year: int) -> Case:
    """Insert the case under the next free reference, trying again if another took it.

    Each attempt runs in a savepoint, so a clash undoes only that attempt. A clash is
    recognised by looking the number up again, never by the database's error text; any
    other integrity error is raised as it is. Bounded: a store that keeps clashing is
    broken in some other way.
    """
    after, attempts = 0, 0
    while True:
        attempts += 1
        reference, sequence = next_reference(db, year, after=after)
        try:
            with db.begin_nested():
                case = make(reference, sequence)
                db.add(case)
                db.flush()
            return case
        except IntegrityError:
            if attempts >= REFERENCE_ATTEMPTS or not reference_taken(db, reference, year, sequence):
                raise
            after = sequence


def reference_taken(db: Session, reference: str, year: int, sequence: int) -> bool:
    clash = (Case.reference == reference) | (
        (Case.ref_year == year) & (Case.ref_sequence == sequence)
    )
    return db.scalar(select(Case.id).where(clash).limit(1)) is not None
