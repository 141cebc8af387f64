"""School scoping, joined by construction: every service that takes a case is tried here.

The test walks `desktop.services`, finds every public function with a parameter that
names a case or something belonging to one, and insists that it is listed in `CALLS`
below. A new service of that kind therefore fails this test until someone writes down
how to call it, and then it is called with a case at another school (refused with the
same `NotFound` as a case that does not exist) and with a case at the user's own school
(allowed).
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import desktop.services
from desktop.errors import NotFound, NotPermitted, ValidationError
from desktop.services import cases, scope, trust
from desktop.services.cases import CaseRow
from desktop.services.session import Actor, UserSession
from desktop.services.setup import SetupResult
from tests.services.accounts import SCHOOL_USER_PASSWORD, front_desk_session, sign_in_new_user
from tests.services.scoping_calls import set_admin

PASSWORD = SCHOOL_USER_PASSWORD
ASH, BIRCH = 1, 2  # the two schools of the `new_store` trust

# Parameter names that identify a case, or a record that belongs to a case.
CASE_PARAMETERS = frozenset(
    {
        "case",
        "case_id",
        "case_ids",
        "reference",
        "incident_id",
        "evidence_id",
        "event_id",
        "person_id",
        "subject_id",
        "party_id",
        "task_id",
        "restriction_id",
        "case_step_id",
        "letter_id",
    }
)

# Every case-taking service, as every school role, at every school: about a minute. In CI
# (make test-slow), outside the ten minutes make test keeps to.
pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class World:
    """A one-school user, and cases inside and outside that user's school."""

    admin: UserSession
    user: UserSession
    ash: CaseRow  # at the user's school
    shared: CaseRow  # at both schools: within scope, because one of them is the user's
    birch: CaseRow  # at the other school only


Call = Callable[[UserSession, CaseRow], object]


def _in_transaction(session: UserSession, work: Callable[..., object]) -> object:
    with session.transaction() as db:
        return work(db)


# How to call each service that takes a case: `session` acts on `case`.
CALLS: dict[str, Call] = {
    "desktop.services.cases.get_case": lambda s, case: cases.get_case(s, reference=case.reference),
    "desktop.services.scope.require_case": lambda s, case: _in_transaction(
        s, lambda db: scope.require_case(s, db, case.id)
    ),
    "desktop.services.scope.require_case_by_reference": lambda s, case: _in_transaction(
        s, lambda db: scope.require_case_by_reference(s, db, case.reference)
    ),
}


def _area_calls() -> dict[str, Call]:
    """The calls each area keeps beside its own tests, in tests/services/scoping_calls/."""
    import tests.services.scoping_calls as package

    found: dict[str, Call] = {}
    for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
        found.update(importlib.import_module(info.name).CALLS)
    return found


CALLS.update(_area_calls())

# Functions that take a case but give no access to it, each with the reason.
# (Functions whose first parameter is `db`, such as `audit.record`, work inside the
# transaction of a service that has already checked the case, and are not listed.)
NOT_ACCESS: dict[str, str] = {
    "desktop.services.letter_sources.naming_missing": "rewords an error about a case the "
    "caller has already checked; reads nothing",
    "desktop.services.due.next_due": "a page of the case list: cases out of reach are left "
    "out in SQL, like cases with nothing due (tests/services/test_due.py)",
    "desktop.services.due.case_list_due": "a page of the case list: cases out of reach are "
    "left out in SQL, like cases with nothing due (tests/services/test_due.py)",
    "desktop.services.due_queries.params": "the values a calendar statement is run with; "
    "reads nothing",
    "desktop.services.subject_access.record_request": "takes a person, not a case, and only "
    "for the data protection lead, who sees every school (a role the permission table "
    "checks; tests/services/test_subject_access.py)",
}


def _services_taking_a_case() -> set[str]:
    found = set()
    for info in pkgutil.walk_packages(desktop.services.__path__, "desktop.services."):
        module = importlib.import_module(info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            parameters = list(inspect.signature(function).parameters)
            if parameters[:1] == ["db"]:
                continue  # works inside a service's transaction, after it checked the case
            if CASE_PARAMETERS & set(parameters):
                found.add(f"{module.__name__}.{name}")
    return found


def _open(session: UserSession, family: str, schools: list[int]) -> CaseRow:
    return cases.open_case(
        session,
        given_name="Pat",
        family_name=family,
        relationship="parent",
        school_ids=schools,
        opened_on=dt.date(2026, 1, 5),
    )


@pytest.fixture
def world(new_store: SetupResult, store_path: Path) -> Iterator[World]:
    admin = new_store.session
    ash = _open(admin, "Ash", [ASH])
    shared = _open(admin, "Shared", [ASH, BIRCH])
    birch = _open(admin, "Birch", [BIRCH])
    user = sign_in_new_user(new_store, store_path, "bm", "business_manager")
    set_admin(admin)
    yield World(admin, user, ash, shared, birch)
    user.close()


def test_every_service_that_takes_a_case_is_tried_here() -> None:
    found = _services_taking_a_case()
    assert "desktop.services.cases.get_case" in found  # the walk does find services
    missing = found - CALLS.keys() - NOT_ACCESS.keys()
    assert not missing, f"add these to CALLS in {__file__}: {sorted(missing)}"
    assert found == CALLS.keys() | NOT_ACCESS.keys(), "CALLS names a function that is gone"
    assert not CALLS.keys() & NOT_ACCESS.keys()


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_case_at_another_school_is_out_of_reach(world: World, name: str) -> None:
    call = CALLS[name]
    with pytest.raises(NotFound) as outside:
        call(world.user, world.birch)
    # The same refusal, word for word, as for a case that does not exist at all.
    missing = CaseRow(
        999_999, "CB-2026-9999", "Nobody", (), "open", "concern_logged", dt.date.today()
    )
    with pytest.raises(NotFound) as absent:
        call(world.user, missing)
    assert outside.value.message == absent.value.message == scope.CASE_NOT_FOUND
    # A trust-wide user is told the same about a case that is not there.
    with pytest.raises(NotFound):
        call(world.admin, missing)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_case_at_the_users_own_school_is_in_reach(world: World, name: str) -> None:
    call = CALLS[name]
    call(world.user, world.ash)
    call(world.user, world.shared)  # one of its schools is the user's
    for case in (world.ash, world.shared, world.birch):
        call(world.admin, case)  # trust-wide


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_role_without_casework_is_refused_outright(
    new_store: SetupResult, store_path: Path, world: World, name: str
) -> None:
    desk = front_desk_session(new_store, store_path)
    try:
        with pytest.raises(NotPermitted):
            CALLS[name](desk, world.ash)
    finally:
        desk.close()


# -- get_case ----------------------------------------------------------------------------
def test_get_case_returns_what_the_list_shows(world: World) -> None:
    for case in (world.ash, world.shared):
        assert cases.get_case(world.user, reference=case.reference) == case
        listed = [r for r in cases.list_cases(world.user) if r.id == case.id]
        assert listed == [case]
    assert cases.get_case(world.admin, reference=world.birch.reference) == world.birch
    # A reference is forgiven its case, spaces and extra leading zeros.
    lenient = f"  {world.ash.reference.lower().replace('-0', '-000')} "
    assert cases.get_case(world.user, reference=lenient) == world.ash


@pytest.mark.parametrize(
    "reference", ["", "   ", "CB-26-0001", "2026-0001", "CB-2026-", "CB-2026-12", "x; DROP"]
)
def test_get_case_refuses_what_is_not_a_reference(world: World, reference: str) -> None:
    with pytest.raises(ValidationError) as info:
        cases.get_case(world.user, reference=reference)
    assert info.value.field == "reference"


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    reference=st.one_of(
        st.text(max_size=40),
        st.builds(
            lambda year, number: f"CB-{year}-{number:04d}",
            st.integers(0, 9999),
            st.integers(0, 10**30),
        ),
    )
)
def test_any_reference_text_gives_a_case_or_a_clear_refusal(world: World, reference: str) -> None:
    try:
        row = cases.get_case(world.user, reference=reference)
    except (ValidationError, NotFound):
        return
    assert row in (world.ash, world.shared)


# -- schools -----------------------------------------------------------------------------
def test_one_rule_for_schools_in_lists_filters_and_new_cases(world: World) -> None:
    """What `list_schools` offers is exactly what the case list filters by and opens at."""
    for session in (world.user, world.admin):
        offered = {s.id for s in trust.list_schools(session)}
        assert offered == {i for i in (ASH, BIRCH) if scope.may_use_school(session.actor, i)}
        for school_id in (ASH, BIRCH):
            if school_id in offered:
                cases.count_cases(session, school_id=school_id)
                _open(session, "Allowed", [school_id])
            else:
                with pytest.raises(NotPermitted):
                    cases.count_cases(session, school_id=school_id)
                with pytest.raises(NotPermitted):
                    _open(session, "Refused", [school_id])
    assert {s.id for s in trust.list_schools(world.user)} == {ASH}
    assert {s.id for s in trust.list_schools(world.admin)} == {ASH, BIRCH}


def test_school_user_with_no_schools_sees_no_case(world: World) -> None:
    nobody = Actor(0, "nobody", "Nobody", world.user.actor.role, frozenset())
    assert not scope.may_use_school(nobody, ASH)
    with world.admin.transaction() as db:
        assert db.scalars(scope.visible_case_ids(nobody)).all() == []
        assert len(db.scalars(scope.visible_case_ids(world.admin.actor)).all()) == 3
