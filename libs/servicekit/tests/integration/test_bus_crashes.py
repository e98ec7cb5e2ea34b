"""Crashes and broker restarts against the real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from bus_service import ThingChanged, definition, effect
from bus_service.harness import wait_until

from servicekit.messaging.tables import outbox
from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory

WORKER = Path(__file__).parent / "bus_worker.py"


class Env:
    def __init__(self, runtime: ServiceRuntime, amqp_url: str) -> None:
        self.runtime = runtime
        self.vars = {**os.environ, "TOIT_DATABASE_URL": runtime.db.url, "TOIT_AMQP_URL": amqp_url}

    async def worker(self, *args: str) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            *args,
            env=self.vars,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )

    async def run_worker(self, *args: str) -> int:
        process = await self.worker(*args)
        await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode is not None
        return process.returncode

    async def count(self, query: sa.Select[tuple[int]]) -> int:
        async with self.runtime.db.session() as session:
            return int((await session.execute(query)).scalar_one())

    async def effects(self) -> tuple[int, int]:
        total = await self.count(sa.select(sa.func.count()).select_from(effect))
        distinct = await self.count(sa.select(sa.func.count(sa.distinct(effect.c.event_id))))
        return total, distinct

    async def wait_effects(self, n: int, timeout: float) -> None:
        async def enough() -> bool:
            return (await self.effects())[1] >= n

        await wait_until(enough, timeout, interval=0.2)


@pytest.fixture
async def env(runtime_factory: RuntimeFactory, amqp_url: str) -> AsyncIterator[Env]:
    # Declares the queue and migrates; relays and consumers are started per test.
    runtime = await runtime_factory(definition, start=False, relay_max_backoff=1.0)
    await runtime.start(relay=False, consume=False)
    yield Env(runtime, amqp_url)


async def test_crash_between_commit_and_publish_applies_each_event_once(env: Env) -> None:
    # The producer dies right after its commit: the events are only in the outbox.
    assert await env.run_worker("produce", "--count", "200", "--crash-after-commit") == -9
    pending = sa.select(sa.func.count()).where(outbox.c.published_at.is_(None))
    assert await env.count(pending) == 200
    # A relay publishes them, then dies before marking them sent.
    assert await env.run_worker("relay", "--crash-after-publish") == -9
    assert await env.count(pending) == 200
    # After restart the relay sends them again; the consumer applies each once.
    consumer = await env.worker("consume")
    await env.runtime.relay.publish_pending()
    await env.wait_effects(200, timeout=60)
    await asyncio.sleep(1.0)
    consumer.kill()
    await consumer.wait()
    assert await env.effects() == (200, 200)
    assert await env.count(pending) == 0


async def test_consumer_killed_mid_batch_has_no_second_effect(env: Env) -> None:
    async with env.runtime.unit_of_work() as uow:
        for i in range(1500):
            uow.publish(ThingChanged(thing_id=f"s{i}", version=1, payload="slow"))
        await uow.commit()
    await env.runtime.relay.publish_pending()

    first = await env.worker("consume")
    await env.wait_effects(300, timeout=60)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    applied_before_kill = (await env.effects())[1]
    assert applied_before_kill < 1500, "the consumer finished before it could be killed"

    second = await env.worker("consume")
    await env.wait_effects(1500, timeout=120)
    await asyncio.sleep(1.0)
    second.kill()
    await second.wait()
    assert await env.effects() == (1500, 1500)


async def test_broker_restart_in_the_middle_of_5000_events(env: Env) -> None:
    restart = os.environ.get("TOIT_RABBITMQ_RESTART_CMD")
    if not restart:
        pytest.fail("TOIT_RABBITMQ_RESTART_CMD is not set: run with `make test`")
    env.runtime.relay.start()
    consumer = await env.worker("consume")

    async def produce() -> None:
        for chunk in range(200):
            async with env.runtime.unit_of_work() as uow:
                for i in range(25):
                    uow.publish(ThingChanged(thing_id=f"r{chunk}-{i}", version=1))
                await uow.commit()
            await asyncio.sleep(0.01)

    producer = asyncio.create_task(produce())
    await env.wait_effects(1000, timeout=120)
    restarted = await asyncio.create_subprocess_shell(
        restart, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(restarted.communicate(), 180)
    assert restarted.returncode == 0, output.decode()
    await producer
    await env.wait_effects(5000, timeout=240)
    await asyncio.sleep(2.0)
    consumer.kill()
    await consumer.wait()
    assert await env.effects() == (5000, 5000)
