"""Finding cases by name or reference, behind one interface.

On SQLite an FTS5 trigram index (kept up to date by triggers from migration 0001) answers
substring searches of three letters or more; a shorter word is looked for in the index's
own copy of each case's reference and subject, a small table read far faster than the
cases and people it comes from. On other databases the same calls fall back to a
case-insensitive LIKE over cases and their subjects. Callers never see which.

A search that matches thousands of cases is the slow one: sorting every match to show the
newest hundred, and counting them all. So the case list asks `newest_matches` for a page
(it reads the matches newest-recorded first and stops early, then checks that no case
recorded earlier but opened later belongs in the page) and `count_matches` for a count
that stops at a cap.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Integer,
    LargeBinary,
    String,
    and_,
    cast,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.expression import Join, TableClause

from desktop.storage.models import Case, Person

MIN_TRIGRAM = 3
# The full-text table; its rowid is the case id, `case_search` its hidden column to MATCH.
CASE_SEARCH = table(
    "case_search",
    column("rowid", Integer),
    column("reference", String),
    column("subject", String),
    column("case_search", String),
)
# FTS5 keeps the indexed text in this shadow table (SQLite's FTS5 documentation, appendix
# "FTS5 shadow tables": `id` is the rowid, c0 and c1 the columns). Reading it directly is
# about four times faster than scanning the virtual table, which short words need.
CASE_TEXT = table(
    "case_search_content",
    column("id", Integer),
    column("c0", String),
    column("c1", String),
)
CHECK_LATER_MAX = 200  # cases recorded out of date order checked one by one, at most


def search_words(query: str) -> list[str]:
    """The words of a typed query, without control characters (which no name contains)."""
    cleaned = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in query)
    return cleaned.split()


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains(texts: Sequence[ColumnElement[str]], word: str) -> ColumnElement[bool]:
    """Whether one of `texts` holds `word`, ignoring case as `str.casefold` does (SQLite).
    A word has no spaces, so looking in each column is looking in them joined by spaces.

    SQLite's own LIKE ignores the case of ASCII letters only, and `casefold` is a Python
    function called once per row, several times slower. For an ASCII word, text that is
    all ASCII folds exactly as LIKE compares it, so only text with other characters (its
    length in bytes differs from its length) is passed to `casefold`.
    """
    folded = word.casefold()
    pattern = _like_pattern(folded)
    found: list[ColumnElement[bool]] = []
    for text in texts:
        beyond_ascii = func.length(cast(text, LargeBinary)) != func.length(text)
        by_casefold = and_(beyond_ascii, func.casefold(text).like(pattern, escape="\\"))
        if folded.isascii():
            found.append(or_(text.like(pattern, escape="\\"), by_casefold))
        else:  # only text beyond ASCII can hold it
            found.append(by_casefold)
    return or_(*found)


@dataclass(frozen=True)
class IndexedSearch:
    """A typed query as rows of one table whose `case_id` is the case's id (SQLite only):
    the full-text table when a word is long enough for trigrams, else its text table."""

    source: TableClause
    case_id: ColumnElement[int]
    condition: ColumnElement[bool]


def indexed_search(session: Session, query: str) -> IndexedSearch | None:
    """The index's answer to a typed query; None for no words, or on other databases.

    Every word must appear in the reference or the subject's name: the long ones through
    the trigram index, the short ones by reading each row's text."""
    words = search_words(query)
    if not words or session.get_bind().dialect.name != "sqlite":
        return None
    long = [w for w in words if len(w) >= MIN_TRIGRAM]
    short = [w for w in words if len(w) < MIN_TRIGRAM]
    if long:
        match = " ".join('"' + w.replace('"', '""') + '"' for w in long)
        texts = (CASE_SEARCH.c.reference, CASE_SEARCH.c.subject)
        return IndexedSearch(
            CASE_SEARCH,
            CASE_SEARCH.c.rowid,
            and_(CASE_SEARCH.c.case_search.match(match), *(_contains(texts, w) for w in short)),
        )
    texts = (CASE_TEXT.c.c0, CASE_TEXT.c.c1)
    return IndexedSearch(CASE_TEXT, CASE_TEXT.c.id, and_(*(_contains(texts, w) for w in short)))


def case_search_clause(session: Session, query: str) -> ColumnElement[bool] | None:
    """A WHERE clause on `cases` (joined to the subject in `persons`) for a typed query.

    Every word must appear somewhere in the reference or the subject's name.
    """
    indexed = indexed_search(session, query)
    if indexed is not None:
        return Case.id.in_(
            select(indexed.case_id).select_from(indexed.source).where(indexed.condition)
        )
    words = search_words(query)
    if not words:
        return None
    haystack = Case.reference + " " + Person.given_name + " " + Person.family_name
    folded = func.lower(haystack)
    return and_(*(folded.like(_like_pattern(w.lower()), escape="\\") for w in words))


def _unindexed(value: ColumnElement[int] | InstrumentedAttribute[int]) -> ColumnElement[int]:
    """`value + 0`: the same number, which SQLite will not look up through an index (or a
    table's rowid) for, so a query keeps the plan it was written for."""
    return value + literal_column("0")


def _with_cases(found: IndexedSearch) -> Join:
    """The index's rows joined to their cases, driven from the index: otherwise SQLite may
    look the index up case by case, which for MATCH is thousands of times slower than
    reading its matches in order."""
    return found.source.join(Case, Case.id == _unindexed(found.case_id))


def count_matches(
    db: Session, found: IndexedSearch, where: Sequence[ColumnElement[bool]], *, up_to: int
) -> int:
    """How many cases match, counting no further than `up_to` + 1 (so "more than `up_to`"
    can be told from exactly `up_to`). `where`: conditions on `Case` beside the search."""
    if where:
        matching = select(Case.id).select_from(_with_cases(found)).where(found.condition, *where)
    else:
        matching = select(found.case_id).select_from(found.source).where(found.condition)
    counted = select(func.count()).select_from(matching.limit(up_to + 1).subquery())
    return db.connection().scalar(counted) or 0


def newest_matches(
    db: Session,
    found: IndexedSearch,
    where: Sequence[ColumnElement[bool]],
    *,
    offset: int,
    limit: int,
    at_most: int | None = None,
) -> list[int] | None:
    """The ids of one page of matching cases, newest opened first (ties: newest id first),
    or None when the data is too far out of order for this way (ask the general query).

    Cases are mostly recorded in the order they are opened, so the matches recorded last
    (the index yields them newest id first, and stops) hold the newest page. A case
    recorded earlier but opened later than the page's oldest would be missed; those are
    looked up by date and checked too, so the page is always exact.

    `at_most`: no more than this many cases match (just counted): all of them are read
    and sorted, which for a few hundred is quicker than that check.
    """
    wanted = offset + limit
    reach = max(2 * wanted, 200, at_most + 1 if at_most is not None else 0)
    joined, conditions = _with_cases(found), (found.condition, *where)
    conn = db.connection()  # plain rows: no ORM bookkeeping for a few hundred ids
    seen = conn.execute(
        select(Case.id, Case.opened_on)
        .select_from(joined)
        .where(*conditions)
        .order_by(found.case_id.desc())
        .limit(reach)
    ).all()
    candidates: list[tuple[dt.date, int]] = [(opened, case_id) for case_id, opened in seen]
    if len(seen) == reach:  # more matches recorded before these
        candidates.sort(reverse=True)
        oldest_id = seen[-1][0]
        page_from = candidates[wanted - 1][0]  # the page's oldest opening date
        later = conn.scalars(  # by the index on opened_on, not by id
            select(Case.id)
            .where(Case.opened_on > page_from, _unindexed(Case.id) < oldest_id)
            .limit(CHECK_LATER_MAX + 1)
        ).all()
        if len(later) > CHECK_LATER_MAX:
            return None
        if later:
            also = conn.execute(
                select(Case.id, Case.opened_on)
                .select_from(joined)
                .where(
                    *conditions,
                    found.case_id >= min(later),
                    found.case_id < oldest_id,
                    _unindexed(Case.id).in_(later),
                )
            )
            candidates += [(opened, case_id) for case_id, opened in also]
    candidates.sort(reverse=True)
    return [case_id for _, case_id in candidates[offset:wanted]]
