"""Finding cases by name or reference, behind one interface.

On SQLite an FTS5 trigram index (kept up to date by triggers from migration 0001) answers
substring searches in a millisecond or two; on other databases the same call falls back
to a case-insensitive LIKE. Callers never see which.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, literal_column, select, text
from sqlalchemy.orm import Session

from desktop.storage.models import Case, Person

MIN_TRIGRAM = 3


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def case_search_clause(session: Session, query: str) -> ColumnElement[bool] | None:
    """A WHERE clause on `cases` (joined to the subject in `persons`) for a typed query.

    Every word must appear somewhere in the reference or the subject's name.
    """
    words = query.split()
    if not words:
        return None
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite" and all(len(w) >= MIN_TRIGRAM for w in words):
        match = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        matching_ids = (
            select(literal_column("rowid"))
            .select_from(text("case_search"))
            .where(text("case_search MATCH :fts_query").bindparams(fts_query=match))
        )
        return Case.id.in_(matching_ids)
    name = func.lower(Case.reference + " " + Person.given_name + " " + Person.family_name)
    return and_(*(name.like(_like_pattern(w), escape="\\") for w in words))
