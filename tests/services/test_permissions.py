"""The permission table, joined by construction: every service operation, as every role.

The test walks `desktop.services` for public functions whose first parameter is `session`
and insists that each is listed, either in `NEEDS` (the operation it needs, and how to call
it with the least that makes a valid call) or in `NO_OPERATION` (with the reason it needs
none). A new service therefore fails this test until someone writes down which operation
it needs. Each listed call is then made as each role, on one store built for the module,
and must be refused with `NotPermitted` exactly when `roles.is_permitted` says the role
may not: a refusal the table does not explain fails, and so does a call the table forbids
that goes through.

Some steps of the procedure are for fewer roles than the table's "change case files" (a
data protection lead records no sanction): there the policy profile in force names who may
record the step (`Step.take`), and the expected answer is the table's and the profile's.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest

import desktop.services
import desktop.storage.keyvault as keyvault
from desktop.domain.roles import Operation, Role, is_permitted
from desktop.errors import NotPermitted
from desktop.services import policies
from desktop.services.setup import AdminDraft, SchoolDraft, TrustDraft, create_store
from tests.conftest import ADMIN_PASSWORD, FAST_KDF
from tests.services.accounts import front_desk_session, sign_in_new_user
from tests.services.permission_calls import NEEDS, NO_OPERATION, Needs, World
from tests.services.scoping_calls import set_admin


def _services_taking_a_session() -> set[str]:
    found = set()
    for info in pkgutil.walk_packages(desktop.services.__path__, "desktop.services."):
        module = importlib.import_module(info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            if list(inspect.signature(function).parameters)[:1] == ["session"]:
                found.add(f"{module.__name__}.{name}")
    return found


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Built once for the module: the calls leave their records in it, and each call works
    on things made for it (a case, an account), so one call's leftovers never decide
    another's answer."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keyvault, "DEFAULT_KDF", FAST_KDF)
        folder = tmp_path_factory.mktemp("permissions")
        path = folder / "trust.casebook"
        result = create_store(
            path,
            trust=TrustDraft(
                "Oakfield Learning Trust",
                "1 High Street\nOakfield\nOK1 2AB",
                None,
                (SchoolDraft("Ash Primary", "Ash Lane", "Ann Ash"), SchoolDraft("Birch Academy")),
            ),
            admin=AdminDraft("admin", "Alex Admin", ADMIN_PASSWORD),
        )
        admin = result.session
        set_admin(admin)
        sessions = {Role.DATA_PROTECTION_LEAD: admin}
        for role in (Role.BUSINESS_MANAGER, Role.HEADTEACHER, Role.TRUST_LEADER, Role.AUDITOR):
            sessions[role] = sign_in_new_user(result, path, role.value.replace("_", ""), role)
        sessions[Role.FRONT_DESK] = front_desk_session(result, path)
        with admin.transaction() as db:
            profile = policies.profile_for_reading(db)
        takers = {step.id: frozenset(step.take) for step in profile.steps}
        yield World(admin, sessions, folder, takers, count(1))
        for role, session in sessions.items():
            if role is not Role.FRONT_DESK:  # it shares the administrator's store
                session.close()


@pytest.fixture(autouse=True)
def _scoping_admin(request: pytest.FixtureRequest) -> None:
    """The scoping calls make what they act on as the administrator of this module's store."""
    if "world" in request.fixturenames:
        set_admin(request.getfixturevalue("world").admin)


def test_every_service_is_listed_here() -> None:
    found = _services_taking_a_session()
    assert "desktop.services.users.add_user" in found  # the walk does find services
    missing = found - NEEDS.keys() - NO_OPERATION.keys()
    assert not missing, f"add these to NEEDS or NO_OPERATION in {__file__}: {sorted(missing)}"
    gone = (NEEDS.keys() | NO_OPERATION.keys()) - found
    assert not gone, f"these are listed but no longer exist: {sorted(gone)}"
    assert not NEEDS.keys() & NO_OPERATION.keys()


def _allowed(world: World, needs: Needs, role: Role) -> bool:
    if not is_permitted(role, needs.operation):
        return False
    return needs.step is None or role in world.takers[needs.step]


@pytest.mark.parametrize("name", sorted(NEEDS))
def test_each_role_is_refused_exactly_when_the_table_says(world: World, name: str) -> None:
    needs = NEEDS[name]
    case = world.fresh_case()
    wrong = []
    for role in Role:
        session = world.sessions[role]
        allowed = _allowed(world, needs, role)
        try:
            needs.call(session, world, case)
        except NotPermitted as exc:
            if allowed:
                wrong.append(f"{role.value} was refused ({exc.message})")
        except Exception as exc:  # any other failure of an allowed call is wrong too
            wrong.append(f"{role.value} failed: {type(exc).__name__}: {exc}")
        else:
            if not allowed:
                wrong.append(f"{role.value} was let through")
    assert not wrong, f"{name} needs {needs.operation.value}: " + "; ".join(wrong)


def test_every_step_named_here_is_in_the_procedure(world: World) -> None:
    steps = {needs.step for needs in NEEDS.values() if needs.step is not None}
    assert steps <= world.takers.keys()
    # The procedure never widens the table: whoever may record a step may change case files.
    for step in steps:
        assert all(is_permitted(role, Operation.EDIT_CASES) for role in world.takers[step])


def test_every_operation_is_refused_in_words(world: World) -> None:
    """Every operation in the table has the words its refusal uses."""
    desk = world.sessions[Role.FRONT_DESK]
    for operation in Operation:
        with pytest.raises(NotPermitted) as refused:
            desk.require(operation)
        assert refused.value.message.startswith("Front desk accounts cannot ")


def test_the_sample_builders_are_called_only_by_the_demo() -> None:
    """The services listed as building a sample store act without asking the table, so
    nothing but `casebook demo` may reach them."""
    root = Path(desktop.services.__file__).parent.parent
    builders = ("add_case_files", "add_sanctions")
    callers = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if any(f"{builder}(" in text for builder in builders):
            callers.add(path.relative_to(root).as_posix())
    assert callers == {
        "services/demo.py",
        "services/demo_casefiles.py",
        "services/demo_sanctions.py",
    }
