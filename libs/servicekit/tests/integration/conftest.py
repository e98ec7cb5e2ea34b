from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))

from bus_service import definition
from bus_service.harness import Bus

from servicekit.messaging.memory import InMemoryTransport
from servicekit.runtime import ServiceRuntime
from servicekit.testing import (
    create_database,
    create_vhost,
    delete_vhost,
    drop_database,
    settings_for_tests,
)


@pytest.fixture(params=["memory", "amqp"])
async def bus(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Bus]:
    """The same bus test cases run against both transports."""
    cleanup: list[Callable[[], Awaitable[None]]] = []
    if request.param == "memory":
        transport = InMemoryTransport()
        runtime = ServiceRuntime(
            definition,
            settings_for_tests(bus="memory"),
            transport=transport,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}",
        )
        cleanup.append(transport.close)
    else:
        db_url, amqp_url = await create_database(), await create_vhost()
        runtime = ServiceRuntime(
            definition, settings_for_tests(bus="amqp", amqp_url=amqp_url), database_url=db_url
        )
        cleanup += [lambda: drop_database(db_url), lambda: delete_vhost(amqp_url)]
    await runtime.start(seed=False)
    yield Bus(request.param, runtime)
    await runtime.stop()
    for step in cleanup:
        await step()
