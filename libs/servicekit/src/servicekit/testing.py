"""Pytest fixtures for tests against the real PostgreSQL and RabbitMQ.

Loaded for the whole repository by the root conftest.py. The servers are named by:
- TOIT_TEST_DATABASE_URL: a PostgreSQL superuser URL (each test gets a fresh database);
- TOIT_AMQP_URL and TOIT_RABBITMQ_API (management API): each test gets a fresh vhost.
`make test` starts local processes and exports them; when they are not set and a Docker
engine answers, testcontainers starts both servers for the session (`servicekit.testing_infra`
chooses, before the first test that is not a unit test). A test that needs them and does not
find them fails: it is never skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
import pytest

from servicekit import testing_infra
from servicekit.logging import configure_logging
from servicekit.runtime import ServiceDefinition, ServiceRuntime
from servicekit.settings import Settings

RuntimeFactory = Callable[..., Awaitable[ServiceRuntime]]


def pytest_configure(config: pytest.Config) -> None:
    """Tests log as the services do in production: JSON lines, tracebacks without the
    exceptions' messages (servicekit.logging). Left unconfigured, structlog's console
    renderer draws each traceback with its local variables: seconds per logged error."""
    configure_logging("INFO", json=True)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Any test but a unit test may reach PostgreSQL and RabbitMQ: choose where they run
    (and start the containers when that is the path) before the first such test."""
    if "unit" not in item.path.parts:
        testing_infra.prepare()


def _required(name: str) -> str:
    testing_infra.prepare()
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"{name} is not set: run the tests with `make test`, which starts "
            "PostgreSQL and RabbitMQ and exports it (or start a Docker engine: the fixtures "
            "then run both in containers)"
        )
    return value


async def create_database() -> str:
    import asyncpg

    admin = _required("TOIT_TEST_DATABASE_URL")
    name = f"toit_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    parts = urlsplit(admin)
    return urlunsplit(("postgresql+asyncpg", parts.netloc, f"/{name}", parts.query, ""))


async def drop_database(url: str) -> None:
    import asyncpg

    admin = _required("TOIT_TEST_DATABASE_URL")
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _management() -> tuple[str, httpx.BasicAuth]:
    testing_infra.prepare()
    api = os.environ.get("TOIT_RABBITMQ_API", "http://127.0.0.1:55674/api")
    amqp = urlsplit(_required("TOIT_AMQP_URL"))
    return api, httpx.BasicAuth(amqp.username or "guest", amqp.password or "guest")


async def create_vhost() -> str:
    api, auth = _management()
    vhost = f"toit-test-{uuid.uuid4().hex[:12]}"
    async with httpx.AsyncClient(auth=auth, timeout=30) as client:
        (await client.put(f"{api}/vhosts/{vhost}")).raise_for_status()
        username = urlsplit(_required("TOIT_AMQP_URL")).username or "guest"
        (
            await client.put(
                f"{api}/permissions/{vhost}/{username}",
                json={"configure": ".*", "write": ".*", "read": ".*"},
            )
        ).raise_for_status()
    parts = urlsplit(_required("TOIT_AMQP_URL"))
    return urlunsplit((parts.scheme, parts.netloc, f"/{quote(vhost, safe='')}", "", ""))


async def delete_vhost(url: str) -> None:
    api, auth = _management()
    vhost = urlsplit(url).path.lstrip("/")
    async with httpx.AsyncClient(auth=auth, timeout=30) as client:
        await client.delete(f"{api}/vhosts/{vhost}")


async def queue_depth(amqp_url: str, queue: str) -> int:
    """Messages ready in a queue (management API; statistics lag a few seconds)."""
    api, auth = _management()
    vhost = urlsplit(amqp_url).path.lstrip("/")
    async with httpx.AsyncClient(auth=auth, timeout=30) as client:
        response = await client.get(f"{api}/queues/{vhost}/{queue}")
        response.raise_for_status()
        return int(response.json().get("messages_ready", 0))


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    url = await create_database()
    yield url
    await drop_database(url)


@pytest.fixture
async def amqp_url() -> AsyncIterator[str]:
    url = await create_vhost()
    yield url
    await delete_vhost(url)


def settings_for_tests(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "mode": "test",
        "log_json": True,
        "retry_delays": (0.2, 0.4, 0.8),
        "relay_poll_interval": 0.05,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
async def runtime_factory(postgres_url: str, amqp_url: str) -> AsyncIterator[RuntimeFactory]:
    """Start real runtimes (PostgreSQL + RabbitMQ) for service definitions.

    Several runtimes of different services share the vhost; each gets its own
    database (the first one gets `postgres_url`)."""
    started: list[ServiceRuntime] = []
    extra_dbs: list[str] = []

    async def make(
        definition: ServiceDefinition, *, start: bool = True, **settings: Any
    ) -> ServiceRuntime:
        url = postgres_url
        if any(rt.db.url == postgres_url for rt in started):
            url = await create_database()
            extra_dbs.append(url)
        runtime = ServiceRuntime(
            definition,
            settings_for_tests(bus="amqp", amqp_url=amqp_url, **settings),
            database_url=url,
        )
        if start:
            await runtime.start(seed=settings.get("mode") == "demo")
        started.append(runtime)
        return runtime

    yield make
    for runtime in reversed(started):
        if runtime.started:
            await runtime.stop()
    for url in extra_dbs:
        await drop_database(url)


@pytest.fixture
async def memory_runtime_factory(tmp_path: Path) -> AsyncIterator[RuntimeFactory]:
    """Runtimes on SQLite files and one shared in-process transport."""
    from servicekit.messaging.memory import InMemoryTransport

    transport = InMemoryTransport()
    started: list[ServiceRuntime] = []

    async def make(
        definition: ServiceDefinition, *, start: bool = True, **settings: Any
    ) -> ServiceRuntime:
        runtime = ServiceRuntime(
            definition,
            settings_for_tests(bus="memory", **settings),
            transport=transport,
            database_url=f"sqlite+aiosqlite:///{tmp_path / definition.name}.db",
        )
        if start:
            await runtime.start(seed=settings.get("mode") == "demo")
        started.append(runtime)
        return runtime

    yield make
    for runtime in reversed(started):
        if runtime.started:
            await runtime.stop()
    await transport.close()
