"""One store per test module: hostile input leaves its records there, never across modules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.support import World, build_world


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[World]:
    yield from build_world(tmp_path_factory, request.module.__name__.rsplit(".", 1)[-1])


# Hypothesis feeding every service odd input: in CI (make test-slow), outside the ten
# minutes make test keeps to.
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.slow)
