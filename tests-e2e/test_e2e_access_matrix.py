"""The role × endpoint matrix over every endpoint of every installed service.

Each route must declare `require(action)` or `public(reason)`; without a token
or with a bad one it answers 401; with a token of each role it answers 403
exactly when servicekit.authz does not grant the action to that role."""

from __future__ import annotations

import pytest

from servicekit import registry
from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import assert_access_matrix


@pytest.mark.parametrize("name", registry.available())
async def test_e2e_access_matrix(name: str, memory_runtime_factory: RuntimeFactory) -> None:
    runtime = await memory_runtime_factory(registry.load(name))
    await assert_access_matrix(runtime.app(manage_lifespan=False), expect_routes=False)
