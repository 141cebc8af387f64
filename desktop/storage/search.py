"""Finding cases by name or reference, behind one interface.

On SQLite an FTS5 trigram index (kept up to date by triggers from migration 0001) answers
substring searches in a millisecond or two; on other databases, and for words too short
for trigrams, the same call falls back to a case-insensitive LIKE. Callers never see which.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import ColumnElement, Integer, and_, func, literal_column, select, text
from sqlalchemy.orm import Session

from desktop.storage.models import Case, Person

MIN_TRIGRAM = 3


def search_words(query: str) -> list[str]:
    """The words of a typed query, without control characters (which no name contains)."""
    cleaned = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in query)
    return cleaned.split()


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def case_search_clause(session: Session, query: str) -> ColumnElement[bool] | None:
    """A WHERE clause on `cases` (joined to the subject in `persons`) for a typed query.

    Every word must appear somewhere in the reference or the subject's name.
    """
    words = search_words(query)
    if not words:
        return None
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite" and all(len(w) >= MIN_TRIGRAM for w in words):
        match = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        matching_ids = (
            select(literal_column("rowid", Integer))
            .select_from(text("case_search"))
            .where(text("case_search MATCH :fts_query").bindparams(fts_query=match))
        )
        return Case.id.in_(matching_ids)
    haystack = Case.reference + " " + Person.given_name + " " + Person.family_name
    if dialect == "sqlite":
        # `casefold` is registered on every connection by storage.engine.
        folded, words = func.casefold(haystack), [w.casefold() for w in words]
    else:
        folded, words = func.lower(haystack), [w.lower() for w in words]
    return and_(*(folded.like(_like_pattern(w), escape="\\") for w in words))
