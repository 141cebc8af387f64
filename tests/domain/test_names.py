"""Matching people's names: typos and variants found, different people kept apart."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.names import (
    DUPLICATE_THRESHOLD,
    NAME_VARIANTS,
    SEARCH_THRESHOLD,
    best_matches,
    canonical_token,
    duplicate_score,
    match_score,
    name_key,
    possible_duplicates,
)

# -- name_key -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Zoë", "zoe"),
        ("Zoe\u0308", "zoe"),
        ("ZOË  ĆWIK", "zoe cwik"),
        ("O'Brien", "obrien"),
        ("O\u2019Brien", "obrien"),
        ("OBrien", "obrien"),
        ("O`Brien", "obrien"),
        ("O\u00b4Brien", "obrien"),
        ("Smith-Jones", "smith jones"),
        ("Smith\u2013Jones", "smith jones"),
        ("J.Smith", "j smith"),
        ("  Mary \t Jane\u00a0 Smith ", "mary jane smith"),
        ("Strauß", "strauss"),
        ("Smith, John", "smith john"),
        ("", ""),
        ("?!", ""),
    ],
)
def test_name_key(name: str, key: str) -> None:
    assert name_key(name) == key


@pytest.mark.parametrize("name", ["Дмитрий Иванов", "محمد علي", "王小明", "Γιώργος", "राहुल", "דוד"])
def test_name_key_keeps_letters_of_other_scripts(name: str) -> None:
    key = name_key(name)
    assert key
    assert len(key.replace(" ", "")) >= len(name.replace(" ", "")) // 2
    assert match_score(name, name) == 100


def test_name_key_of_cyrillic_drops_only_the_accent() -> None:
    assert name_key("Йоанна") == "иоанна"


def test_no_letter_is_lost_unless_it_is_only_an_accent_or_apostrophe() -> None:
    """Every letter in Unicode whose decomposed form holds a letter or digit keeps a key."""
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if unicodedata.category(ch)[0] != "L":
            continue
        decomposed = unicodedata.normalize("NFKD", ch)
        if any(
            unicodedata.category(c)[0] in "LN" and c not in "\u02b9\u02bb\u02bc\u02bd"
            for c in decomposed
        ):
            assert name_key(ch), f"U+{code:04X} lost"


def test_name_key_is_idempotent_for_every_character() -> None:
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if unicodedata.category(ch) == "Cn":
            continue
        key = name_key(f"a{ch}{ch}b")
        assert name_key(key) == key, f"U+{code:04X}"


@settings(max_examples=400)
@given(st.text())
def test_name_key_never_raises_and_is_idempotent(name: str) -> None:
    key = name_key(name)
    assert name_key(key) == key
    assert key == key.strip() and "  " not in key


@given(st.text(alphabet=st.characters(codec=None, categories=["Cs", "Lo", "Mn", "Zs", "Pd"])))
def test_name_key_copes_with_lone_surrogates(name: str) -> None:
    assert name_key(name + "\ud800") == name_key(name_key(name + "\ud800"))


# -- variants -----------------------------------------------------------------------------


def test_each_spelling_is_in_one_group_only() -> None:
    spellings = [s for group in NAME_VARIANTS for s in group]
    assert len(spellings) == len(set(spellings))
    assert all(name_key(s) == s for s in spellings)


@pytest.mark.parametrize(
    "group",
    [
        ("mohammed", "muhammad", "mohammad", "mohamed", "muhammed"),
        ("aisha", "ayesha"),
        ("stephen", "steven"),
        ("catherine", "katherine", "kathryn"),
        ("sean", "shaun"),
        ("john", "jon"),
        ("zoe", "zoey"),
    ],
)
def test_variant_groups(group: tuple[str, ...]) -> None:
    assert len({canonical_token(s) for s in group}) == 1
    for a, b in combinations(group, 2):
        assert match_score(a.title(), b.title()) == 97


def test_unlisted_token_is_its_own_canonical_form() -> None:
    assert canonical_token("bartholomew") == "bartholomew"


def test_exact_spelling_ranks_above_a_variant() -> None:
    rows = [(1, "Muhammad Khan"), (2, "Mohammed Khan"), (3, "Mohamed Khan")]
    ranked = best_matches("Mohammed Khan", rows)
    assert [key for key, _name, _score in ranked][0] == 2
    assert ranked[0][2] == 100 and ranked[1][2] < 100


# -- match_score --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Smtih", "John Smith"),  # one swapped pair in a surname
        ("John Smtih", "John Smith"),
        ("Smyth", "John Smith"),
        ("Kahn", "Mohammed Khan"),
        ("Smith", "John Smith"),  # a surname alone
        ("smith john", "John Smith"),  # word order
        ("moh", "Mohammed Ali"),  # a prefix
        ("muh", "Mohammed Ali"),  # a prefix of another spelling
        ("Kath", "Catherine Jones"),
        ("J Smith", "John Smith"),  # an initial beside a surname
        ("obrien", "Siobhan O’Brien"),
        ("Smith Jones", "Amy Smith-Jones"),
        ("Smithjones", "Amy Smith-Jones"),
        ("zoe cwik", "Zoë Ćwik"),
        ("Mohamed Ali", "Muhammad Ali"),
        ("Mary Jane Smith", "Mary Smith"),
    ],
)
def test_search_finds(query: str, name: str) -> None:
    assert match_score(query, name) >= SEARCH_THRESHOLD


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Jones", "James Brown"),
        ("Omar", "Mary Jones"),
        ("Ann", "Joanna Fennell"),  # a partial-match scorer would say 90
        ("j", "John Smith"),  # one letter alone is too little
        ("Patel", "Peter Pan"),
        ("Smith", "Sam Mitchell"),
        ("Zhang", "Jane Wong"),
    ],
)
def test_search_keeps_apart(query: str, name: str) -> None:
    assert match_score(query, name) < SEARCH_THRESHOLD


COMMON_SURNAMES = (
    "Jones James Brown Smith Taylor Evans Wilson Thomas Roberts Khan Patel Walker "
    "Wright White Hughes Edwards Green Wood Lewis Martin Jackson Clarke Turner Scott "
    "Cooper Morris Ward Moore King Watson Baker Morgan Young Allen Mitchell Anderson "
    "Phillips Bell Parker Price Bennett Shaw Cook Kelly Collins Murphy Begum Hussain "
    "Singh Nowak"
)


def test_common_surnames_do_not_find_each_other() -> None:
    surnames = COMMON_SURNAMES.split()
    close = [
        (a, b)
        for a, b in combinations(surnames, 2)
        if max(match_score(a, b), match_score(b, a)) >= SEARCH_THRESHOLD
    ]
    assert close == []


def test_one_letter_apart_is_a_typo_but_shared_letters_are_not() -> None:
    assert match_score("Hall", "Hill") >= SEARCH_THRESHOLD  # could be either: shown, ranked
    assert match_score("Omar", "Mary") < SEARCH_THRESHOLD  # same letters, different name


def test_scores_rank_exact_then_variant_then_prefix_then_typo() -> None:
    exact = match_score("Mohammed", "Mohammed")
    variant = match_score("Mohammed", "Muhammad")
    prefix = match_score("Moham", "Mohammed")
    typo = match_score("Mohamemd", "Mohammed")
    assert exact == 100 > variant > prefix > typo >= SEARCH_THRESHOLD


def test_longer_prefix_scores_higher() -> None:
    assert match_score("mo", "Mohammed") < match_score("moham", "Mohammed") < 100


def test_empty_or_symbol_only_names_match_nothing() -> None:
    assert match_score("", "John Smith") == 0
    assert match_score("John", "") == 0
    assert match_score("---", "---") == 0


def test_rapidfuzz_is_not_imported_until_a_name_is_scored() -> None:
    code = (
        "import sys, desktop.domain.names as n\n"
        "print('rapidfuzz' in sys.modules)\n"
        "n.match_score('a', 'b')\n"
        "print('rapidfuzz' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


names = st.text(max_size=60) | st.from_regex(r"[A-Za-zÀ-ÿ'’ .-]{0,30}", fullmatch=True)


@settings(max_examples=300)
@given(names, names)
def test_scores_never_raise_and_stay_in_range(a: str, b: str) -> None:
    for score in (match_score(a, b), duplicate_score(a, b)):
        assert 0 <= score <= 100
    assert duplicate_score(a, b) == duplicate_score(b, a)


@settings(max_examples=200)
@given(names)
def test_a_name_matches_itself_fully(name: str) -> None:
    expected = 100 if name_key(name) else 0
    assert match_score(name, name) == expected
    assert duplicate_score(name, name) == expected


def test_very_long_input_is_scored_quickly() -> None:
    long_name = "Ann " * 50_000
    assert 0 <= match_score(long_name, "Ann Smith") <= 100
    assert 0 <= duplicate_score(long_name, long_name) <= 100


# -- best_matches -------------------------------------------------------------------------

PEOPLE = [
    (1, "John Smith"),
    (2, "Jane Smith"),
    (3, "James Brown"),
    (4, "Jon Smith"),
    (5, "Johnny Smithers"),
    (6, "Mohammed Ali"),
]


def test_best_matches_sorted_best_first_with_keys() -> None:
    ranked = best_matches("John Smith", PEOPLE)
    assert ranked[0] == (1, "John Smith", 100.0)
    assert ranked[1] == (4, "Jon Smith", 98.5)
    scores = [score for _k, _n, score in ranked]
    assert scores == sorted(scores, reverse=True)
    assert 3 not in [key for key, _n, _s in ranked]


def test_best_matches_ties_go_by_name_then_order_given() -> None:
    rows = [("b", "Smith Zed"), ("a", "Smith Adam"), ("c", "Smith Adam"), ("d", "smith adam")]
    ranked = best_matches("Smith", rows)
    assert [key for key, _n, _s in ranked] == ["a", "c", "d", "b"]


def test_best_matches_limit_and_threshold() -> None:
    assert len(best_matches("Smith", PEOPLE, limit=2)) == 2
    assert best_matches("Smith", PEOPLE, limit=0) == []
    everyone = best_matches("Smith", PEOPLE, limit=None, threshold=0)
    assert len(everyone) == len(PEOPLE)
    assert best_matches("Zebedee", PEOPLE) == []


def test_best_matches_accepts_a_generator_and_any_key() -> None:
    rows = ((("row", i), name) for i, name in PEOPLE)
    assert best_matches("moh", rows)[0][0] == ("row", 6)


def test_surname_alone_finds_everyone_of_that_name() -> None:
    found = {key for key, _n, _s in best_matches("smith", PEOPLE)}
    assert {1, 2, 4} <= found and 3 not in found


# -- possible_duplicates -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("new", "existing"),
    [
        ("John Smtih", "John Smith"),
        ("Jon Smith", "John Smith"),
        ("john smith", "JOHN SMITH"),
        ("Smith John", "John Smith"),
        ("Mary Smith", "Mary Jane Smith"),
        ("J Smith", "John Smith"),
        ("Mohamed Khan", "Muhammad Khan"),
        ("Mohammed Kahn", "Mohammed Khan"),
        ("Siobhan OBrien", "Siobhan O’Brien"),
        ("Amy Smithjones", "Amy Smith-Jones"),
        ("Zoe Cwik", "Zoë Ćwik"),
    ],
)
def test_duplicates_found(new: str, existing: str) -> None:
    assert duplicate_score(new, existing) >= DUPLICATE_THRESHOLD


@pytest.mark.parametrize(
    ("new", "existing"),
    [
        ("John", "John Smith"),  # a search would find it; a new record is not a duplicate
        ("Smith", "John Smith"),
        ("John Smithson", "John Smith"),
        ("Jane Brown", "James Brown"),
        ("Omar Khan", "Mary Khan"),
        ("Jones", "James Brown"),
        ("Peter Smith", "Paul Smith"),
    ],
)
def test_different_people_are_not_duplicates(new: str, existing: str) -> None:
    assert duplicate_score(new, existing) < DUPLICATE_THRESHOLD


def test_duplicates_are_stricter_than_search() -> None:
    assert match_score("Smith", "John Smith") >= SEARCH_THRESHOLD
    assert duplicate_score("Smith", "John Smith") < DUPLICATE_THRESHOLD
    assert DUPLICATE_THRESHOLD > SEARCH_THRESHOLD


def test_possible_duplicates_lists_the_likely_ones_first() -> None:
    found = possible_duplicates("John Smith", PEOPLE)
    assert [key for key, _n, _s in found] == [1, 4]
    assert possible_duplicates("Zebedee Quill", PEOPLE) == []
    assert len(possible_duplicates("John Smith", PEOPLE, limit=1)) == 1
