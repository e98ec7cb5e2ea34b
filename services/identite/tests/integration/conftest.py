"""identite runtimes on the real PostgreSQL and RabbitMQ, with demo data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from toit_identite.config import IdentiteSettings
from toit_identite.service import build_service

from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory

DEMO_PASSWORD = "toit-demo-2026"


def identite_test_settings(**overrides: Any) -> IdentiteSettings:
    values: dict[str, Any] = {
        "public_url": "https://toit.example",
        # Cheap hashing keeps the tests fast; production uses the defaults.
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "lockout_seconds": 2,
        "failure_window_seconds": 60,
        "demo_password": DEMO_PASSWORD,
    }
    values.update(overrides)
    return IdentiteSettings(**values)


@dataclass
class Identite:
    runtime: ServiceRuntime
    client: httpx.AsyncClient

    async def login(
        self, username: str, password: str = DEMO_PASSWORD, source: str | None = None
    ) -> httpx.Response:
        headers = {"X-Test-Source": source} if source else {}
        return await self.client.post(
            "/api/identite/token",
            headers=headers,
            data={"grant_type": "password", "username": username, "password": password},
        )

    async def token(self, username: str, password: str = DEMO_PASSWORD) -> str:
        response = await self.login(username, password)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(username)}"}


async def start_identite(factory: RuntimeFactory, **overrides: Any) -> Identite:
    runtime = await factory(build_service(identite_test_settings(**overrides)), mode="demo")
    transport = httpx.ASGITransport(app=runtime.app(manage_lifespan=False))
    client = httpx.AsyncClient(transport=transport, base_url="http://toit.test")
    return Identite(runtime, client)


@pytest.fixture
async def identite(runtime_factory: RuntimeFactory) -> AsyncIterator[Identite]:
    service = await start_identite(runtime_factory)
    yield service
    await service.client.aclose()


class EventTap:
    """A private queue on the test vhost receiving the account events."""

    def __init__(self, amqp_url: str) -> None:
        self.amqp_url = amqp_url
        self._connection: Any = None
        self._queue: Any = None

    async def open(self) -> None:
        import aio_pika

        self._connection = await aio_pika.connect_robust(self.amqp_url)
        channel = await self._connection.channel()
        exchange = await channel.declare_exchange(
            "toit.events", aio_pika.ExchangeType.TOPIC, durable=True
        )
        self._queue = await channel.declare_queue(exclusive=True)
        for pattern in ("compte.#", "comptes.#"):
            await self._queue.bind(exchange, routing_key=pattern)

    async def next(self, event_type: str, timeout: float = 15) -> dict[str, Any]:
        """The data of the next event of that type (others are skipped)."""
        import asyncio
        import json

        async def wait() -> dict[str, Any]:
            async with self._queue.iterator() as messages:
                async for message in messages:
                    async with message.process():
                        envelope = json.loads(message.body)
                        if envelope["type"] == event_type:
                            return dict(envelope["data"])
            raise AssertionError("queue closed")

        return await asyncio.wait_for(wait(), timeout)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()


@pytest.fixture
async def events(identite: Identite) -> AsyncIterator[EventTap]:
    tap = EventTap(identite.runtime.settings.amqp_url)
    await tap.open()
    yield tap
    await tap.close()
