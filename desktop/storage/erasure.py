"""Deleting case records for good: the rows of closed cases and everything hanging off
them, the people and pupils nothing else refers to, the words they leave in the search
index, and the free space they leave in the file.

Which cases may go, and when, is `desktop.domain.retention`'s and `services.retention`'s
business; this module only makes the deletion thorough. Deleted pages are overwritten
(`PRAGMA secure_delete`), the full-text index is merged so no old segment keeps a name, and
`compact` rebuilds the file (VACUUM) and empties the write-ahead log.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Select, delete, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from desktop.storage.models import (
    Case,
    CaseEvent,
    CasePerson,
    CaseStep,
    CaseTask,
    Disclosure,
    Evidence,
    Incident,
    IncidentAgency,
    IncidentParty,
    IssuedLetter,
    Person,
    PersonPupil,
    PersonVoluntaryRole,
    Pupil,
    Restriction,
    RestrictionEvent,
    RetentionHold,
    SubjectAccessRequest,
    case_schools,
    incident_categories,
    restriction_schools,
)

log = logging.getLogger(__name__)

CHUNK = 500  # ids per IN (...) list


def chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    values = list(ids)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


@contextmanager
def secure_delete(db: Session) -> Iterator[None]:
    """`PRAGMA secure_delete` on for the transaction's connection, then as it was."""
    if db.get_bind().dialect.name != "sqlite":
        yield
        return
    before = int(db.execute(sql_text("PRAGMA secure_delete")).scalar() or 0)
    db.execute(sql_text("PRAGMA secure_delete = ON"))
    try:
        yield
    finally:
        if not before:
            try:
                db.execute(sql_text("PRAGMA secure_delete = OFF"))
            except DBAPIError:  # the transaction failed; its connection is discarded anyway
                log.info("erasure.secure_delete_left_on")


def _deleted(db: Session, statement: Any) -> int:
    result = db.execute(statement, execution_options={"synchronize_session": False})
    return int(getattr(result, "rowcount", 0) or 0)


def delete_cases(
    db: Session,
    case_ids: list[int],
    people: set[int],
    pupils: set[int],
    *,
    hold_kinds: Sequence[str],
) -> Counter[str]:
    """Delete these cases and everything hanging off them, children first, with the holds
    of `hold_kinds` on them; note the people and pupils they referred to (in `people`,
    `pupils`) for `delete_unreferenced`. Counts by what was deleted."""
    incidents = select(Incident.id).where(Incident.case_id.in_(case_ids))
    restrictions = select(Restriction.id).where(Restriction.case_id.in_(case_ids))
    people.update(db.scalars(select(Case.subject_id).where(Case.id.in_(case_ids))))
    people.update(db.scalars(select(CasePerson.person_id).where(CasePerson.case_id.in_(case_ids))))
    people.update(
        db.scalars(select(Restriction.person_id).where(Restriction.case_id.in_(case_ids)))
    )
    for person_id, pupil_id in db.execute(
        select(IncidentParty.person_id, IncidentParty.pupil_id).where(
            IncidentParty.incident_id.in_(incidents)
        )
    ):
        if person_id is not None:
            people.add(person_id)
        if pupil_id is not None:
            pupils.add(pupil_id)
    count: Counter[str] = Counter()
    count["chronology"] = _deleted(db, delete(CaseEvent).where(CaseEvent.case_id.in_(case_ids)))
    count["tasks"] = _deleted(db, delete(CaseTask).where(CaseTask.case_id.in_(case_ids)))
    count["letters"] = _deleted(db, delete(IssuedLetter).where(IssuedLetter.case_id.in_(case_ids)))
    count["steps"] = _deleted(db, delete(CaseStep).where(CaseStep.case_id.in_(case_ids)))
    count["evidence"] = _deleted(db, delete(Evidence).where(Evidence.case_id.in_(case_ids)))
    _deleted(db, delete(RestrictionEvent).where(RestrictionEvent.restriction_id.in_(restrictions)))
    _deleted(
        db,
        delete(restriction_schools).where(restriction_schools.c.restriction_id.in_(restrictions)),
    )
    count["sanctions"] = _deleted(db, delete(Restriction).where(Restriction.case_id.in_(case_ids)))
    _deleted(
        db, delete(incident_categories).where(incident_categories.c.incident_id.in_(incidents))
    )
    _deleted(db, delete(IncidentParty).where(IncidentParty.incident_id.in_(incidents)))
    _deleted(db, delete(IncidentAgency).where(IncidentAgency.incident_id.in_(incidents)))
    count["incidents"] = _deleted(db, delete(Incident).where(Incident.case_id.in_(case_ids)))
    _deleted(db, delete(CasePerson).where(CasePerson.case_id.in_(case_ids)))
    _deleted(db, delete(case_schools).where(case_schools.c.case_id.in_(case_ids)))
    # The disclosure log stays (it records what left the trust), no longer tied to the case.
    _deleted(db, update(Disclosure).where(Disclosure.case_id.in_(case_ids)).values(case_id=None))
    _deleted(
        db,
        delete(RetentionHold).where(
            RetentionHold.record_kind.in_(hold_kinds), RetentionHold.record_id.in_(case_ids)
        ),
    )
    count["cases"] = _deleted(db, delete(Case).where(Case.id.in_(case_ids)))
    return count


def _person_in_use(ids: list[int]) -> list[Select[Any]]:
    """Queries for those of `ids` still referred to by a record that remains."""
    return [
        select(Case.subject_id).where(Case.subject_id.in_(ids)),
        select(CasePerson.person_id).where(CasePerson.person_id.in_(ids)),
        select(IncidentParty.person_id).where(IncidentParty.person_id.in_(ids)),
        select(Restriction.person_id).where(Restriction.person_id.in_(ids)),
    ]


def delete_unreferenced(db: Session, people: set[int], pupils: set[int]) -> Counter[str]:
    """Delete the people the deleted cases referred to that nothing else does (with any
    duplicate records merged into them), then the pupils no one is linked to any more."""
    frontier = set(people)
    while frontier:  # duplicates merged into these people hold the same name
        merged = set(db.scalars(select(Person.id).where(Person.merged_into_id.in_(frontier))))
        frontier = merged - people
        people |= frontier
    used: set[int] = set()
    for chunk in chunks(sorted(people)):
        for query in _person_in_use(chunk):
            used.update(db.scalars(query))
    gone = people - used
    while True:  # a record kept that was merged into one of them keeps that one too
        kept = {
            target
            for chunk in chunks(sorted(gone))
            for target in db.scalars(
                select(Person.merged_into_id).where(
                    Person.merged_into_id.in_(chunk), Person.id.not_in(sorted(gone))
                )
            )
        }
        if not kept:
            break
        gone -= kept
    count: Counter[str] = Counter()
    for chunk in chunks(sorted(gone)):
        pupils.update(
            db.scalars(select(PersonPupil.pupil_id).where(PersonPupil.person_id.in_(chunk)))
        )
        _deleted(db, delete(PersonVoluntaryRole).where(PersonVoluntaryRole.person_id.in_(chunk)))
        _deleted(db, delete(PersonPupil).where(PersonPupil.person_id.in_(chunk)))
        _deleted(
            db,
            update(SubjectAccessRequest)
            .where(SubjectAccessRequest.person_id.in_(chunk))
            .values(person_id=None),
        )
    # Merged duplicates point at the records they were merged into: remove them first.
    for chunk in chunks(sorted(gone)):
        _deleted(db, update(Person).where(Person.id.in_(chunk)).values(merged_into_id=None))
    for chunk in chunks(sorted(gone)):
        count["people"] += _deleted(db, delete(Person).where(Person.id.in_(chunk)))
    for chunk in chunks(sorted(pupils)):
        linked = set(
            db.scalars(select(PersonPupil.pupil_id).where(PersonPupil.pupil_id.in_(chunk)))
        )
        linked |= set(
            db.scalars(select(IncidentParty.pupil_id).where(IncidentParty.pupil_id.in_(chunk)))
        )
        orphans = sorted(set(chunk) - linked)
        if orphans:
            count["pupils"] += _deleted(db, delete(Pupil).where(Pupil.id.in_(orphans)))
    return count


def merge_search_index(db: Session) -> None:
    """Merge the full-text index's segments: a deleted row's words otherwise linger in the
    older segments until a merge happens to reach them (SQLite's FTS5 'optimize' command)."""
    if db.get_bind().dialect.name != "sqlite":
        return
    db.execute(sql_text("INSERT INTO case_search(case_search) VALUES ('optimize')"))
    stats = db.scalar(
        sql_text(
            "SELECT count(*) FROM sqlite_master WHERE name IN ('sqlite_stat3', 'sqlite_stat4')"
        )
    )
    if stats:  # sampled index keys (names among them) are kept there: sample afresh
        db.execute(sql_text("ANALYZE"))


def compact(engine: Engine) -> bool:
    """VACUUM the file (outside any transaction), then fold the write-ahead log into it and
    empty the log; whether both were done. Another program with the file open can hold the
    log back: the deletion stands, and the next compaction finishes the job."""
    if engine.dialect.name != "sqlite":
        return True
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA secure_delete = ON")
        try:
            cursor.execute("VACUUM")
            busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        finally:
            cursor.execute("PRAGMA secure_delete = OFF")
            cursor.close()
        return not busy
    except engine.dialect.loaded_dbapi.Error as exc:  # the deletion is committed: it waits
        log.warning("erasure.compact_failed %s", type(exc).__name__)
        return False
    finally:
        raw.close()
