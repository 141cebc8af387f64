"""Case files through the service: scoping by school, paging, searching, opening."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from desktop.domain.cases import CaseStatus, Stage
from desktop.domain.text import visible_text
from desktop.errors import NotPermitted, ValidationError
from desktop.services.audit import verify_chain
from desktop.services.case_numbers import REFERENCE_ATTEMPTS
from desktop.services.case_order import NEWEST_FIRST, CaseOrder, CaseSort
from desktop.services.cases import (
    CaseRow,
    all_cases,
    count_cases,
    get_case,
    has_cases,
    list_cases,
    open_case,
)
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.storage.models import AuditEntry, Case, Person
from tests.services.accounts import SCHOOL_USER_PASSWORD, front_desk_session, sign_in_new_user

PASSWORD = SCHOOL_USER_PASSWORD
HYPOTHESIS = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _open(
    session: UserSession,
    given: str = "Ann",
    family: str = "Smith",
    *,
    schools: list[int] | None = None,
    on: dt.date = dt.date(2026, 1, 5),
) -> CaseRow:
    return open_case(
        session,
        given_name=given,
        family_name=family,
        relationship="parent",
        school_ids=schools or [1],
        opened_on=on,
    )


@pytest.fixture
def bm(new_store: SetupResult, store_path: Path) -> Iterator[UserSession]:
    """A business manager for Ash Primary (school 1) only."""
    session = sign_in_new_user(new_store, store_path, "bm", "business_manager")
    yield session
    session.close()


def _ids(rows: list[CaseRow]) -> set[int]:
    return {r.id for r in rows}


# -- scoping ----------------------------------------------------------------------------
def test_school_user_sees_only_their_schools_cases(
    new_store: SetupResult, store_path: Path, bm: UserSession
) -> None:
    admin = new_store.session
    ash = _open(admin, "Ann", "Ash", schools=[1])
    birch = _open(admin, "Bob", "Birch", schools=[2])
    both = _open(admin, "Cat", "Both", schools=[1, 2])

    assert _ids(list_cases(bm)) == {ash.id, both.id}
    assert count_cases(bm) == 2
    assert _ids(all_cases(bm)) == {ash.id, both.id}
    assert _ids(list_cases(bm, school_id=1)) == {ash.id, both.id}
    assert list_cases(bm, search="Birch") == []
    assert count_cases(bm, search="Bob") == 0
    (shared,) = [r for r in list_cases(bm) if r.id == both.id]
    assert shared.schools == ("Ash Primary", "Birch Academy")

    with pytest.raises(NotPermitted):
        list_cases(bm, school_id=2)
    with pytest.raises(NotPermitted):
        count_cases(bm, school_id=2)
    with pytest.raises(NotPermitted):
        _open(bm, "Dan", "Denied", schools=[2])
    with pytest.raises(NotPermitted):
        _open(bm, "Dan", "Denied", schools=[1, 2])
    assert count_cases(admin) == 3

    # Trust-wide roles see every school.
    assert _ids(list_cases(admin)) == {ash.id, birch.id, both.id}
    leader = sign_in_new_user(new_store, store_path, "leader", "trust_leader")
    try:
        assert _ids(list_cases(leader)) == {ash.id, birch.id, both.id}
        assert _ids(list_cases(leader, school_id=2)) == {birch.id, both.id}
    finally:
        leader.close()


def test_school_user_opens_cases_at_their_school(bm: UserSession) -> None:
    row = _open(bm, "Eve", "Own", schools=[1])
    assert row.schools == ("Ash Primary",)
    assert _ids(list_cases(bm)) == {row.id}


def test_front_desk_cannot_list_cases(new_store: SetupResult, store_path: Path) -> None:
    _open(new_store.session)
    desk = front_desk_session(new_store, store_path)
    try:
        with pytest.raises(NotPermitted):
            list_cases(desk)
        with pytest.raises(NotPermitted):
            count_cases(desk)
        with pytest.raises(NotPermitted):
            has_cases(desk)
        with pytest.raises(NotPermitted):
            _open(desk, schools=[1])
    finally:
        desk.close()


def test_auditor_sees_but_cannot_open(new_store: SetupResult, store_path: Path) -> None:
    row = _open(new_store.session, schools=[2])
    auditor = sign_in_new_user(new_store, store_path, "auditor", "auditor")
    try:
        assert _ids(list_cases(auditor)) == {row.id}
        with pytest.raises(NotPermitted):
            _open(auditor)
    finally:
        auditor.close()


# -- opening ----------------------------------------------------------------------------
def test_references_are_sequential_per_year(new_store: SetupResult) -> None:
    s = new_store.session
    refs = [
        _open(s, on=dt.date(2025, 12, 31)).reference,
        _open(s, on=dt.date(2026, 1, 1)).reference,
        _open(s, on=dt.date(2026, 6, 1)).reference,
        _open(s, on=dt.date(2025, 3, 3)).reference,
    ]
    assert refs == ["CB-2025-0001", "CB-2026-0001", "CB-2026-0002", "CB-2025-0002"]


def test_opened_case_row(new_store: SetupResult, today: dt.date) -> None:
    row = _open(new_store.session, "  Ann ", " Smith  ", schools=[2, 1], on=dt.date(2026, 2, 3))
    assert row.subject == "Ann Smith"
    assert row.schools == ("Ash Primary", "Birch Academy")
    assert (row.status, row.stage) == ("open", "concern_logged")
    assert row.as_json() == {
        "reference": "CB-2026-0001",
        "subject": "Ann Smith",
        "schools": ["Ash Primary", "Birch Academy"],
        "status": "open",
        "stage": "concern_logged",
        "opened": "2026-02-03",
    }
    assert list_cases(new_store.session) == [row]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"given_name": ""}, "given_name"),
        ({"family_name": "  "}, "family_name"),
        ({"given_name": "x" * 10_000}, "given_name"),
        ({"family_name": "x" * 101}, "family_name"),
        ({"given_name": "Ann\x00"}, "given_name"),
        ({"family_name": "Smith\nJones"}, "family_name"),
        ({"given_name": "Ann\x1b[31m"}, "given_name"),
        ({"relationship": "landlord"}, "relationship"),
        ({"school_ids": []}, "schools"),
        ({"school_ids": [1, 99]}, "schools"),
        ({"opened_on": dt.date(2999, 1, 1)}, "opened_on"),
        ({"summary": "x" * 4001}, "summary"),
        ({"address": "bad\x07bell"}, "address"),
    ],
)
def test_invalid_case_is_not_opened(
    new_store: SetupResult, overrides: dict[str, object], field: str
) -> None:
    values: dict[str, object] = {
        "given_name": "Ann",
        "family_name": "Smith",
        "relationship": "parent",
        "school_ids": [1],
        "opened_on": dt.date(2026, 1, 5),
    }
    values.update(overrides)
    with pytest.raises(ValidationError) as info:
        open_case(new_store.session, **values)  # type: ignore[arg-type]
    assert info.value.field == field
    assert count_cases(new_store.session) == 0


@pytest.mark.parametrize(
    ("given", "family"),
    [
        ("Zoë 🦓", "Ñúñez-O'Brien"),
        ("שרה", "כהן"),
        ("محمد", "الفارسي"),
        ("Zoe\u0308", "Cafe\u0301"),
        ("李", "小龍"),
        ("x" * 100, "y" * 100),
    ],
)
def test_odd_names_round_trip(new_store: SetupResult, given: str, family: str) -> None:
    expected = unicodedata.normalize("NFC", f"{given} {family}")
    row = _open(new_store.session, given, family)
    assert row.subject == expected
    (listed,) = list_cases(new_store.session)
    assert listed.subject == expected
    assert _ids(list_cases(new_store.session, search=expected.split()[-1])) == {row.id}


def test_a_name_that_would_display_as_another_is_refused(new_store: SetupResult) -> None:
    """A right-to-left override could make "\u202eevil" show as "live": refused."""
    with pytest.raises(ValidationError):
        _open(new_store.session, "A", "\u202eevil")


# -- listing ----------------------------------------------------------------------------
@pytest.fixture
def seven(new_store: SetupResult) -> list[CaseRow]:
    """Seven cases opened on different days, two of them on the same day."""
    days = [3, 9, 1, 20, 9, 15, 28]
    return [
        _open(new_store.session, f"Person{i}", f"Family{i}", on=dt.date(2026, 2, day))
        for i, day in enumerate(days)
    ]


def test_pages_are_disjoint_and_newest_first(new_store: SetupResult, seven: list[CaseRow]) -> None:
    s = new_store.session
    pages = [list_cases(s, offset=offset, limit=3) for offset in (0, 3, 6, 9)]
    assert [len(p) for p in pages] == [3, 3, 1, 0]
    flat = [row for page in pages for row in page]
    assert len(_ids(flat)) == 7
    assert _ids(flat) == _ids(seven)
    keys = [(r.opened, r.id) for r in flat]
    assert keys == sorted(keys, reverse=True)
    assert flat == list_cases(s)
    assert flat == all_cases(s, page=2)
    assert count_cases(s) == 7


def test_silly_paging_values_are_tamed(new_store: SetupResult, seven: list[CaseRow]) -> None:
    s = new_store.session
    assert len(list_cases(s, offset=-5, limit=0)) == 1
    assert len(list_cases(s, limit=10**9)) == 7


def test_status_filter(new_store: SetupResult, seven: list[CaseRow]) -> None:
    s = new_store.session
    with s.transaction() as db:
        db.get(Case, seven[0].id).status = "closed"  # type: ignore[union-attr]
    assert _ids(list_cases(s, status="closed")) == {seven[0].id}
    assert count_cases(s, status="open") == 6
    assert count_cases(s, status="") == 7
    assert count_cases(s, status=None) == 7
    with pytest.raises(ValidationError) as info:
        list_cases(s, status="pending")
    assert info.value.field == "status"
    with pytest.raises(ValidationError):
        count_cases(s, status="OPEN; DROP TABLE cases")


def test_has_cases_tells_an_empty_store_from_no_matches(
    new_store: SetupResult, bm: UserSession
) -> None:
    s = new_store.session
    assert has_cases(s) is False
    birch = _open(s, "Bob", "Birch", schools=[2])
    assert has_cases(s) is True
    assert has_cases(bm) is False  # Birch's case is outside the manager's school
    with s.transaction() as db:
        db.get(Case, birch.id).status = "closed"  # type: ignore[union-attr]
    assert count_cases(s, status="open") == 0
    assert has_cases(s) is True  # filters do not count: there is a case to find
    _open(s, "Ann", "Ash", schools=[1])
    assert has_cases(bm) is True


# -- sorting ----------------------------------------------------------------------------
@pytest.fixture
def mixed(new_store: SetupResult) -> list[CaseRow]:
    """Eleven cases over two years with repeated names, schools, statuses and stages, so that
    every sort key has ties and only the case id can settle them."""
    s = new_store.session
    plan = [
        ("Zoe", "Adams", [2], dt.date(2026, 3, 1), "open", Stage.MEDIATION),
        ("ann", "Smith", [1], dt.date(2025, 9, 1), "closed", Stage.RESOLVED),
        ("Bob", "Jones", [1, 2], dt.date(2026, 3, 1), "open", Stage.CONCERN_LOGGED),
        ("Ann", "Smith", [2], dt.date(2025, 12, 24), "open", Stage.VERBAL_WARNING),
        ("Cat", "Brown", [1], dt.date(2026, 1, 5), "closed", Stage.CONCERN_LOGGED),
        ("Ann", "Brown", [2], dt.date(2026, 3, 1), "open", Stage.POLICE_OR_LEGAL_REFERRAL),
        ("Dan", "Green", [1], dt.date(2025, 7, 14), "open", Stage.MEDIATION),
        ("bob", "Adams", [2], dt.date(2026, 2, 2), "closed", Stage.RESOLVED),
        ("Eve", "White", [1, 2], dt.date(2025, 9, 1), "open", Stage.VERBAL_WARNING),
        ("Zoe", "Adams", [1], dt.date(2026, 1, 5), "open", Stage.CONCERN_LOGGED),
        ("Fay", "Black", [2], dt.date(2025, 11, 30), "closed", Stage.MEDIATION),
    ]
    opened = [_open(s, g, f, schools=sch, on=on) for g, f, sch, on, _, _ in plan]
    with s.transaction() as db:
        for row, (*_, status, stage) in zip(opened, plan, strict=True):
            case = db.get(Case, row.id)
            assert case is not None
            case.status, case.stage = status, stage.value
    return all_cases(s)


def _reference_key(row: CaseRow) -> tuple[int, int]:
    _, year, number = row.reference.split("-")
    return int(year), int(number)


# What each column shows, sorted as a person reading the list would expect.
SORT_KEYS = {
    CaseSort.REFERENCE: _reference_key,
    CaseSort.SUBJECT: lambda r: tuple(r.subject.lower().split(" ", 1)),
    CaseSort.SCHOOL: lambda r: r.schools[0],
    CaseSort.STATUS: lambda r: CaseStatus(r.status).label,
    CaseSort.STAGE: lambda r: Stage(r.stage).label,
    CaseSort.OPENED: lambda r: r.opened,
    # Nothing is due on these cases, so they tie (by id); see test_case_list_due.py.
    CaseSort.NEXT_DUE: lambda r: 0,
}


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("key", list(CaseSort))
def test_sorted_pages_follow_on_in_order(
    new_store: SetupResult, mixed: list[CaseRow], key: CaseSort, descending: bool
) -> None:
    s = new_store.session
    order = CaseOrder(key, descending=descending)
    pages = [list_cases(s, order=order, offset=offset, limit=3) for offset in range(0, 15, 3)]
    assert [len(p) for p in pages] == [3, 3, 3, 2, 0]
    flat = [row for page in pages for row in page]
    expected = sorted(mixed, key=lambda r: (SORT_KEYS[key](r), r.id), reverse=descending)
    assert [r.reference for r in flat] == [r.reference for r in expected]
    assert flat == list_cases(s, order=order, limit=100)
    assert len({r.id for r in flat}) == len(mixed)


def test_sort_keys_differ_from_each_other(mixed: list[CaseRow]) -> None:
    keys = [key for key in CaseSort if key is not CaseSort.NEXT_DUE]  # nothing due here
    orders = {key: [r.id for r in sorted(mixed, key=SORT_KEYS[key])] for key in keys}
    assert len(set(map(tuple, orders.values()))) == len(keys)  # the data can tell them apart


def test_default_order_is_newest_first(new_store: SetupResult, mixed: list[CaseRow]) -> None:
    s = new_store.session
    assert CaseOrder(CaseSort.OPENED, descending=True) == NEWEST_FIRST
    rows = list_cases(s)
    assert rows == list_cases(s, order=NEWEST_FIRST)
    assert [(r.opened, r.id) for r in rows] == sorted(
        ((r.opened, r.id) for r in rows), reverse=True
    )


def test_sorting_combines_with_scope_and_filters(
    new_store: SetupResult, mixed: list[CaseRow], bm: UserSession
) -> None:
    order = CaseOrder(CaseSort.SUBJECT, descending=False)
    rows = list_cases(bm, status="open", order=order)
    expected = sorted(
        (r for r in mixed if "Ash Primary" in r.schools and r.status == "open"),
        key=lambda r: (SORT_KEYS[CaseSort.SUBJECT](r), r.id),
    )
    assert rows == expected
    assert len(rows) == count_cases(bm, status="open") > 1


@pytest.mark.parametrize("key", ["reference; DROP TABLE cases", "given_name", "id", ""])
def test_unknown_sort_key_is_refused(new_store: SetupResult, mixed: list[CaseRow], key) -> None:
    with pytest.raises(ValidationError) as info:
        list_cases(new_store.session, order=CaseOrder(key))
    assert info.value.field == "order"
    assert count_cases(new_store.session) == len(mixed)


def test_sort_key_may_be_given_as_its_name(new_store: SetupResult, mixed: list[CaseRow]) -> None:
    s = new_store.session
    by_name = list_cases(s, order=CaseOrder("subject", descending=False))  # type: ignore[arg-type]
    assert by_name == list_cases(s, order=CaseOrder(CaseSort.SUBJECT, descending=False))


# -- searching --------------------------------------------------------------------------
@pytest.fixture
def people(new_store: SetupResult) -> dict[str, CaseRow]:
    s = new_store.session
    return {
        "zeb": _open(s, "Zebediah", "Quarrington", on=dt.date(2026, 1, 1)),
        "siobhan": _open(s, "Siobhan", "O'Brien-Smith", on=dt.date(2026, 1, 2)),
        "ann": _open(s, "Ann", "Smith", on=dt.date(2026, 1, 3)),
        "bo": _open(s, "Bo", "Li", on=dt.date(2026, 1, 4)),
    }


def _found(session: UserSession, search: str) -> set[int]:
    rows = list_cases(session, search=search, limit=1000)
    assert count_cases(session, search=search) == len(rows)
    return _ids(rows)


SEARCHES: list[tuple[str, set[str]]] = [
    ("Quarr", {"zeb"}),  # trigram index
    ("quarr", {"zeb"}),
    ("QUARRINGTON", {"zeb"}),
    ("ediah", {"zeb"}),
    ("Qu", {"zeb"}),  # too short for trigrams: LIKE
    ("bo", {"bo"}),
    ("li", {"bo"}),
    ("smith", {"siobhan", "ann"}),
    ("o'brien", {"siobhan"}),
    ("Brien-Sm", {"siobhan"}),
    ("Zebediah Quarrington", {"zeb"}),
    ("Quarrington Zebediah", {"zeb"}),
    ("qu ze", {"zeb"}),
    ("ze quarr", {"zeb"}),
    ("Ann Smith", {"ann"}),
    ("smith ann", {"ann"}),
    ("Ann Jones", set()),
    ("CB-2026-0002", {"siobhan"}),
    ("cb-2026-0002", {"siobhan"}),
    ("2026-0004", {"bo"}),
    ("0003 smith", {"ann"}),
    ("CB-2026", {"zeb", "siobhan", "ann", "bo"}),
    ("  \t ", {"zeb", "siobhan", "ann", "bo"}),
    ("nobody", set()),
]


def test_search(
    new_store: SetupResult, people: dict[str, CaseRow], subtests: pytest.Subtests
) -> None:
    for search, expected in SEARCHES:
        with subtests.test(search=search):
            assert _found(new_store.session, search) == {people[k].id for k in expected}


LITERAL_SEARCHES = [
    "%",
    "_",
    "%%%",
    "___",
    "a%",
    "s_ith",
    "\\",
    '"',
    '"""',
    '"a" OR b*',
    "Zeb OR Ann",
    "zeb*",
    "Zebediah NOT",
    "NEAR(zeb quarr)",
    "subject:zeb",
    "reference:CB",
    "-zeb",
    "^zeb",
    "(",
    ")",
    "{reference}",
    "x'; DROP TABLE cases; --",
]


def test_search_syntax_is_taken_literally(
    new_store: SetupResult, people: dict[str, CaseRow], subtests: pytest.Subtests
) -> None:
    for search in LITERAL_SEARCHES:
        with subtests.test(search=search):
            assert _found(new_store.session, search) == set()
    assert count_cases(new_store.session) == 4


def test_apostrophes_and_nul_characters_are_safe(
    new_store: SetupResult, people: dict[str, CaseRow]
) -> None:
    assert _found(new_store.session, "'") == {people["siobhan"].id}
    # SQLite stops reading a LIKE pattern at a NUL, so it behaves like an empty search.
    assert _found(new_store.session, "\x00") <= {row.id for row in people.values()}


@pytest.mark.parametrize("search", ["zeb\x00", "00\x00", "Quarr\x00ington"])
def test_nul_in_a_long_search_word_is_safe(
    new_store: SetupResult, people: dict[str, CaseRow], search: str
) -> None:
    assert _found(new_store.session, search) <= {row.id for row in people.values()}


def test_long_search_is_cut_not_refused(new_store: SetupResult, people: dict[str, CaseRow]) -> None:
    assert _found(new_store.session, "Quarrington " * 100) == {people["zeb"].id}


def test_renaming_a_person_updates_search(
    new_store: SetupResult, people: dict[str, CaseRow]
) -> None:
    s = new_store.session
    with s.transaction() as db:
        case = db.get(Case, people["zeb"].id)
        assert case is not None
        case.subject.given_name = "Jedediah"
        case.subject.family_name = "Pemberton"
    assert _found(s, "Quarrington") == set()
    assert _found(s, "Pemberton") == {people["zeb"].id}
    assert _found(s, "Jed Pem") == {people["zeb"].id}
    (row,) = [r for r in list_cases(s) if r.id == people["zeb"].id]
    assert row.subject == "Jedediah Pemberton"


def test_search_combines_with_scope_and_status(
    new_store: SetupResult, people: dict[str, CaseRow], bm: UserSession
) -> None:
    s = new_store.session
    birch = _open(s, "Sam", "Smith", schools=[2])
    assert _found(s, "smith") == {people["siobhan"].id, people["ann"].id, birch.id}
    assert _found(bm, "smith") == {people["siobhan"].id, people["ann"].id}
    assert _ids(list_cases(s, search="smith", school_id=2)) == {birch.id}
    with s.transaction() as db:
        db.get(Case, people["ann"].id).status = "closed"  # type: ignore[union-attr]
    assert _ids(list_cases(s, search="smith", status="closed")) == {people["ann"].id}


@pytest.mark.parametrize("search", ["É", "é", "ÉM", "Ém", "ém"])
def test_short_search_ignores_case_beyond_ascii(new_store: SetupResult, search: str) -> None:
    row = _open(new_store.session, "Émile", "Zola")
    assert _found(new_store.session, search) == {row.id}


@pytest.mark.parametrize("search", ["Émi", "émi", "ÉMILE", "zola émile"])
def test_long_search_ignores_case_beyond_ascii(new_store: SetupResult, search: str) -> None:
    row = _open(new_store.session, "Émile", "Zola")
    assert _found(new_store.session, search) == {row.id}


@pytest.mark.parametrize("search", ["ss", "SS", "zola é", "É zola", "ém Straße", "zo ß"])
def test_short_words_fold_text_beyond_ascii(new_store: SetupResult, search: str) -> None:
    # A short word is looked for as `str.casefold` folds both ("Straße" holds "ss"), also
    # beside a word long enough for the trigram index.
    row = _open(new_store.session, "Émile", "Zola-Straße")
    other = _open(new_store.session, "Emile", "Zola")
    assert _found(new_store.session, search) == {row.id}
    assert _found(new_store.session, "zola") == {row.id, other.id}


@HYPOTHESIS
@given(search=st.text(max_size=60).map(lambda text: text.replace("\x00", "")))
def test_any_search_text_is_safe(
    new_store: SetupResult, people: dict[str, CaseRow], search: str
) -> None:
    found = _found(new_store.session, search)
    assert found <= {row.id for row in people.values()}
    if not search.split():
        assert len(found) == 4


@HYPOTHESIS
@given(
    name=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters=" "),
        min_size=3,
        max_size=12,
    )
)
def test_any_name_is_stored_or_refused_clearly(new_store: SetupResult, name: str) -> None:
    try:
        row = _open(new_store.session, name, "Tester")
    except ValidationError as exc:
        assert exc.field == "given_name"
        return
    # Stored as typed, but for what no one can see: spaces folded, and invisible characters
    # (a soft hyphen, a zero-width space) removed by the text rule (domain.text, whose own
    # tests are in tests/hostile).
    shown = visible_text(unicodedata.normalize("NFC", name), keep_direction_marks=False)
    expected = " ".join(shown.split()) + " Tester"
    listed = list_cases(new_store.session, offset=0, limit=1)[0]
    assert listed.id == row.id
    assert listed.subject == row.subject == expected
    word = row.subject.split()[0]
    # Short non-ASCII words with capitals hit the known LIKE bug tested above.
    if len(word) >= 3 or word.lower() == word:
        assert row.id in _found(new_store.session, word)


def test_reference_is_unique_in_the_database(new_store: SetupResult) -> None:
    _open(new_store.session)
    _open(new_store.session)
    with new_store.session.transaction() as db:
        refs = list(db.scalars(select(Case.reference)))
    assert sorted(refs) == ["CB-2026-0001", "CB-2026-0002"]


# -- references under contention -------------------------------------------------------
def _counts(session: UserSession) -> tuple[int, int, int]:
    with session.transaction() as db:
        return (
            db.scalar(select(func.count()).select_from(Case)) or 0,
            db.scalar(select(func.count()).select_from(Person)) or 0,
            db.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


def _renumber_away(session: UserSession, *case_ids: int) -> None:
    """Move cases to another year while they keep their reference text, so the next
    reference `open_case` picks for 2026 is already taken: what a second writer on a
    server database, which has no store-wide write lock, could do between read and write."""
    with session.transaction(write=True) as db:
        for n, case_id in enumerate(case_ids, start=1):
            case = db.get(Case, case_id)
            assert case is not None
            case.ref_year, case.ref_sequence = 1999, n


def test_a_reference_taken_meanwhile_is_skipped(new_store: SetupResult) -> None:
    s = new_store.session
    first = _open(s)
    _renumber_away(s, first.id)
    before = _counts(s)
    row = _open(s, "Bob", "Next")
    assert row.reference == "CB-2026-0002"
    assert get_case(s, reference="CB-2026-0002") == row
    # One case, one subject, one audit entry: the lost attempt left nothing behind.
    assert _counts(s) == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert verify_chain(s).intact


def test_retrying_for_a_reference_is_bounded(new_store: SetupResult) -> None:
    s = new_store.session
    taken = [_open(s).id for _ in range(REFERENCE_ATTEMPTS)]
    _renumber_away(s, *taken)
    before = _counts(s)
    with pytest.raises(IntegrityError):
        _open(s, "Bob", "Unlucky")
    assert _counts(s) == before
    assert verify_chain(s).intact
