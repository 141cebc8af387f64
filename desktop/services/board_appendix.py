"""The annual board report's named appendix: each case with an incident in the period, by
reference and name, and the disclosures outside the trust by legal basis.

Only for the data protection lead's copy (`services.board_report` with `named=True`); the
report itself is anonymised. Runs inside the caller's transaction, like
`services.board_figures`, whose periods and outcome words it shares.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Select, Table, func, select
from sqlalchemy.orm import Session

from desktop.domain.disclosures import LegalBasis
from desktop.domain.reporting import Figure, NamedCase
from desktop.services.board_figures import DECISIONS, OUTCOMES, Bounds
from desktop.services.disclosures import counts_by_basis
from desktop.services.sanction_store import ASKED_TO_LEAVE
from desktop.storage.models import (
    Case,
    CaseStep,
    Person,
    Restriction,
    RestrictionEvent,
    School,
    case_schools,
)


def named_cases(db: Session, bounds: Bounds, incidents: Table) -> list[NamedCase]:
    """Each case with an incident in this period: its reference, subject, schools, how many
    incidents, the steps taken and the outcomes in the period."""
    rows = db.execute(
        select(Case.id, Case.reference, Person.given_name, Person.family_name, func.count())
        .join(incidents, incidents.c.case_id == Case.id)
        .join(Person, Person.id == Case.subject_id)
        .where(incidents.c.current.is_(True))
        .group_by(Case.id, Case.reference, Person.given_name, Person.family_name)
        .order_by(Case.ref_year, Case.ref_sequence)
    ).all()
    ids = [row.id for row in rows]
    schools = _joined(
        db,
        select(case_schools.c.case_id, School.name)
        .join(School, School.id == case_schools.c.school_id)
        .where(case_schools.c.case_id.in_(ids))
        .order_by(School.name),
    )
    taken = _joined(
        db,
        select(CaseStep.case_id, CaseStep.label)
        .where(
            CaseStep.case_id.in_(ids),
            CaseStep.taken_on >= bounds.period.start,
            CaseStep.taken_on <= bounds.period.end,
        )
        .order_by(CaseStep.taken_on, CaseStep.id),
    )
    decided = _outcome_words(db, bounds, ids)
    return [
        NamedCase(
            reference=row.reference,
            subject=f"{row.given_name} {row.family_name}".strip(),
            schools=schools.get(row.id, ""),
            incidents=int(row[4]),
            steps=taken.get(row.id, ""),
            outcomes=decided.get(row.id, ""),
        )
        for row in rows
    ]


def _joined(db: Session, query: Select[int, str]) -> dict[int, str]:
    found: dict[int, list[str]] = defaultdict(list)
    for case_id, text in db.execute(query):
        found[case_id].append(text)
    return {case_id: ", ".join(texts) for case_id, texts in found.items()}


def _outcome_words(db: Session, bounds: Bounds, ids: list[int]) -> dict[int, str]:
    rows = db.execute(
        select(
            Restriction.case_id, Restriction.kind, RestrictionEvent.kind, RestrictionEvent.outcome
        )
        .join(Restriction, Restriction.id == RestrictionEvent.restriction_id)
        .where(
            Restriction.case_id.in_(ids),
            RestrictionEvent.on_date >= bounds.period.start,
            RestrictionEvent.on_date <= bounds.period.end,
        )
        .order_by(RestrictionEvent.on_date, RestrictionEvent.id)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for case_id, kind, event, outcome in rows:
        if event == ASKED_TO_LEAVE:
            found[case_id].append("asked to leave a site")
            continue
        decided = event in DECISIONS
        key = (kind, "" if decided else event, outcome if decided else "")
        if key in OUTCOMES:
            found[case_id].append(OUTCOMES[key][1])
    return {case_id: ", ".join(words) for case_id, words in found.items()}


def disclosures(db: Session, bounds: Bounds, cases: Select[Any] | None) -> tuple[Figure, ...]:
    """Disclosures outside the trust by legal basis, in both periods: every one the trust
    logged when `cases` is None (a report on every school), else those about `cases`."""
    now = counts_by_basis(db, bounds.period.start, bounds.period.end, cases=cases)
    before = counts_by_basis(db, bounds.previous.start, bounds.previous.end, cases=cases)
    return tuple(Figure(basis.label, now[basis], before[basis]) for basis in LegalBasis)
