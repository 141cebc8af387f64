"""Finding a person by a name typed quickly, misspelt, or written another way.

Used by person search and the front desk's "is this visitor barred?" check, and to warn
that a person being added may already be on file. Names are compared by a key that ignores
accents, case, apostrophes and hyphens, then token by token, so "Smith John", "john
smith" and "John Smtih" all find John Smith.

Thresholds (scores run 0-100):

- `SEARCH_THRESHOLD` = 78. One typo in a word of four letters or more still matches
  ("Smtih" or "Smyth" for Smith and "Kahn" for Khan score 82), and so does the start of a
  name ("moh", 89). A different name that merely shares letters does not: "Jones" against
  "James Brown" scores 60 and "Omar" against "Mary" 75. Three-letter names with a typo
  ("Lee"/"Lea", 67) are missed: the price of not matching every short name to every other.
- `DUPLICATE_THRESHOLD` = 90. The "this person may already exist" warning compares whole
  names both ways and never by prefix, so "John" is not a duplicate of "John Smith" (62),
  nor "Omar Khan" of "Mary Khan" (87.5); but one typo ("John Smtih", 91), a spelling variant
  ("Jon Smith", 98.5), a missing middle name ("Mary Smith" for "Mary Jane Smith", 95) and an
  initial ("J Smith", 92.5) are. So is "Joan Smith" for "John Smith" (one letter apart): a
  missed duplicate (a barred parent recorded twice) costs more than a question dismissed.

rapidfuzz's WRatio is not used: its partial matching scores "Ann" 90 against "Joanna
Fennell". rapidfuzz is imported inside the functions that need it: importing it costs about 10 ms,
which start-up should not pay before anyone searches.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import NamedTuple, TypeVar

K = TypeVar("K")

SEARCH_THRESHOLD = 78.0
DUPLICATE_THRESHOLD = 90.0

EXACT_SCORE = 100.0
VARIANT_SCORE = 97.0  # below exact, so the spelling typed is listed first
TYPO_SCORE = 82.0  # one slip of the keyboard in a word of four letters or more
INITIAL_SCORE = 85.0
MIDDLE_NAME_PENALTY = 5.0
MAX_TOKENS = 8  # tokens compared one by one; a longer "name" is not a name
MAX_SCORED_CHARS = 200

# Dropped, so "O'Brien", "O’Brien" and "OBrien" agree. Dots and hyphens become spaces.
_APOSTROPHES = frozenset("'`\u00b4\u02b9\u02bb\u02bc\u02bd\u2018\u2019\u201b\u2032\uff07")

# Common spellings of the same given name. Each group's first spelling stands for the rest.
# Nicknames (Bill for William) are deliberately absent: they are different names.
NAME_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("mohammed", "mohammad", "mohamed", "mohamad", "muhammad", "muhammed", "muhamed", "mohammod"),
    ("ahmed", "ahmad", "ahmet"),
    ("aisha", "ayesha", "aysha", "aishah", "ayisha"),
    ("fatima", "fatimah", "fatema"),
    ("hussain", "hussein", "husain", "husein"),
    ("yusuf", "yousef", "yusef", "youssef", "yousuf"),
    ("stephen", "steven", "stevan"),
    ("catherine", "katherine", "kathryn", "katharine", "catharine", "cathryn", "kathrine"),
    ("sean", "shaun", "shawn", "shaune"),
    ("john", "jon"),
    ("zoe", "zoey", "zoie"),
    ("philip", "phillip"),
    ("matthew", "mathew"),
    ("stuart", "stewart"),
    ("ian", "iain"),
    ("carl", "karl"),
    ("geoffrey", "jeffrey", "jeffery"),
    ("sarah", "sara"),
    ("hannah", "hanna"),
    ("rebecca", "rebekah"),
    ("claire", "clare"),
    ("alison", "allison"),
    ("tracey", "tracy"),
    ("lindsey", "lindsay"),
    ("isabel", "isobel", "isabelle"),
    ("caitlin", "kaitlyn", "katelyn", "caitlyn", "kaitlin"),
    ("aidan", "aiden", "aden"),
    ("jayden", "jaden", "jaiden", "jaydon"),
    ("leigh", "lee"),
    ("louis", "lewis"),
)

_CANONICAL = {spelling: group[0] for group in NAME_VARIANTS for spelling in group}
_SPELLINGS = {group[0]: group for group in NAME_VARIANTS}


def canonical_token(token: str) -> str:
    """The spelling that stands for a name-key token's variant group (itself if none)."""
    return _CANONICAL.get(token, token)


def _is_combining(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Me")


def _fold(text: str) -> str:
    """Compatibility-decomposed, case-folded, without accents: "Zoë" -> "zoe".

    Case-folding can produce characters that decompose further (and the reverse), so the
    steps repeat until nothing changes; two rounds settle every real name.
    """
    for _ in range(4):
        decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
        folded = "".join(ch for ch in decomposed if not _is_combining(ch))
        if folded == text:
            break
        text = folded
    return text


def _key_character(ch: str) -> str:
    if ch in _APOSTROPHES:
        return ""
    kind = unicodedata.category(ch)
    # Letters and digits of any script stay; so do spacing vowel signs (Mc) of Indic scripts.
    if kind[0] in "LN" or kind == "Mc":
        return ch
    return " "


@lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    """The form names are compared in: "O’Brien-Smith, Zoë" -> "obrien smith zoe".

    Accents and case are ignored, apostrophes dropped, and every other mark, dash, dot or
    space becomes a single space. Letters of every script are kept, so a name in Cyrillic or
    Arabic has a key too. Applying it twice changes nothing.
    """
    text = "".join(ch for ch in name if ch not in _APOSTROPHES)
    return " ".join("".join(_key_character(ch) for ch in _fold(text)).split())


class _Prepared(NamedTuple):
    tokens: tuple[str, ...]
    canonical: tuple[str, ...]


@lru_cache(maxsize=16384)
def _prepare(name: str) -> _Prepared:
    tokens = tuple(name_key(name)[:MAX_SCORED_CHARS].split()[:MAX_TOKENS])
    return _Prepared(tokens, tuple(canonical_token(t) for t in tokens))


def _one_typo(a: str, b: str) -> bool:
    """One letter wrong, missing, extra, or two swapped, in words of four letters or more."""
    from rapidfuzz.distance import OSA

    return min(len(a), len(b)) >= 4 and OSA.distance(a, b, score_cutoff=1) <= 1


@lru_cache(maxsize=65536)  # first names and surnames repeat across a trust's records
def _token_score(query: str, candidate: str, *, prefixes: bool, initials: bool) -> float:
    """How well one typed token matches one token of a name."""
    from rapidfuzz.fuzz import ratio

    if query == candidate:
        return EXACT_SCORE
    query_canon, candidate_canon = canonical_token(query), canonical_token(candidate)
    if query_canon == candidate_canon:
        return VARIANT_SCORE
    score = max(ratio(query, candidate), ratio(query_canon, candidate_canon))
    if _one_typo(query, candidate):
        score = max(score, TYPO_SCORE)
    if prefixes and len(query) >= 2:
        # The start of the name or of another spelling of it ("muh" finds Mohammed); a longer
        # prefix is closer to the whole name: "moh" scores 89 and "mohamme" 94 for "mohammed".
        for spelling in _SPELLINGS.get(candidate_canon, (candidate,)):
            if spelling.startswith(query):
                score = max(score, 85.0 + 10.0 * len(query) / len(spelling))
    if initials and (len(query) == 1) != (len(candidate) == 1) and query[0] == candidate[0]:
        score = max(score, INITIAL_SCORE)
    return score


def _aligned(
    query: tuple[str, ...], candidate: tuple[str, ...], *, search: bool, initials: bool
) -> float:
    """Each query token paired with its best remaining candidate token, best pairs first.

    Searching, the mean is over the query's tokens: a surname alone can find a full name.
    Comparing for duplicates, it is over the longer name, so every token must be accounted for.
    """
    if not query or not candidate:
        return 0.0
    pairs = sorted(
        (-_token_score(q, c, prefixes=search, initials=initials), i, j)
        for i, q in enumerate(query)
        for j, c in enumerate(candidate)
    )
    used_q: set[int] = set()
    used_c: set[int] = set()
    total = 0.0
    for negative, i, j in pairs:
        if i not in used_q and j not in used_c:
            used_q.add(i)
            used_c.add(j)
            total -= negative
    return total / (len(query) if search else max(len(query), len(candidate)))


def _whole(a: tuple[str, ...], b: tuple[str, ...], *, word_order: bool) -> float:
    """Similarity of whole names: with spaces ignored ("Smith-Jones", "Smithjones"), and, if
    `word_order`, also as sorted words (so one long shared surname carries the score)."""
    from rapidfuzz.fuzz import ratio

    score = ratio("".join(a), "".join(b))
    if word_order:
        score = max(score, ratio(" ".join(sorted(a)), " ".join(sorted(b))))
    return score


def _whole_names(a: _Prepared, b: _Prepared, *, word_order: bool) -> float:
    # Spelling variants may only bring two different spellings up to VARIANT_SCORE.
    written = _whole(a.tokens, b.tokens, word_order=word_order)
    variants = min(VARIANT_SCORE, _whole(a.canonical, b.canonical, word_order=word_order))
    return max(written, variants)


def match_score(query: str, candidate: str) -> float:
    """How well a search typed by a person (0-100) matches a name on file.

    Word order, accents, punctuation and spelling variants are ignored; a typed word may be
    the start of a name ("moh" finds Mohammed) and a surname alone finds the person. An
    initial counts when the query has other words ("J Smith").
    """
    q, c = _prepare(query), _prepare(candidate)
    if not q.tokens or not c.tokens:
        return 0.0
    initials = len(q.tokens) > 1 and len(c.tokens) > 1
    aligned = _aligned(q.tokens, c.tokens, search=True, initials=initials)
    return round(max(aligned, _whole_names(q, c, word_order=True)), 1)


def duplicate_score(name: str, other: str) -> float:
    """How likely two full names are one person's (0-100); the same either way round.

    Stricter than `match_score`: no prefixes, and every word of both names must be matched.
    Names written with and without a space ("Smith Jones", "Smithjones") compare whole; the
    same first and last names with a middle name on one side only score just below exact.
    """
    a, b = _prepare(name), _prepare(other)
    if not a.tokens or not b.tokens:
        return 0.0
    score = max(
        _aligned(a.tokens, b.tokens, search=False, initials=True),
        _aligned(b.tokens, a.tokens, search=False, initials=True),
    )
    if len(a.tokens) != len(b.tokens):
        score = max(score, _whole_names(a, b, word_order=False))
        if len(a.tokens) >= 2 and len(b.tokens) >= 2:
            ends = (a.tokens[0], a.tokens[-1]), (b.tokens[0], b.tokens[-1])
            first_last = _aligned(*ends, search=False, initials=True)
            score = max(score, first_last - MIDDLE_NAME_PENALTY)
    return round(score, 1)


def _ranked(
    scorer: Callable[[str, str], float],
    query: str,
    candidates: Iterable[tuple[K, str]],
    limit: int | None,
    threshold: float,
) -> list[tuple[K, str, float]]:
    found = [
        (key, name, score)
        for key, name in candidates
        if (score := scorer(query, name)) >= threshold
    ]
    # Best first; equal scores alphabetically by name, then in the order given (sort is stable).
    found.sort(key=lambda row: (-row[2], name_key(row[1]), row[1]))
    return found if limit is None else found[: max(limit, 0)]


def best_matches(
    query: str,
    candidates: Iterable[tuple[K, str]],
    *,
    limit: int | None = 10,
    threshold: float = SEARCH_THRESHOLD,
) -> list[tuple[K, str, float]]:
    """The names on file that a typed search matches, best first, as (key, name, score).

    `candidates` pairs anything that identifies a person (an id, a row) with their name;
    `limit=None` returns every match.
    """
    return _ranked(match_score, query, candidates, limit, threshold)


def possible_duplicates(
    new_name: str,
    existing: Iterable[tuple[K, str]],
    *,
    limit: int | None = 10,
    threshold: float = DUPLICATE_THRESHOLD,
) -> list[tuple[K, str, float]]:
    """People on file who may be the person about to be added, most alike first."""
    return _ranked(duplicate_score, new_name, existing, limit, threshold)
