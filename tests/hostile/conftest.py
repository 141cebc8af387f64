"""One store per test module: hostile input leaves its records there, never across modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.hostile.support import World, build_world


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[World]:
    yield from build_world(tmp_path_factory, request.module.__name__.rsplit(".", 1)[-1])
