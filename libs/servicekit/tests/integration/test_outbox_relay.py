"""The relay on PostgreSQL: replicas share the outbox without publishing a row twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence

import aio_pika
import pytest
import sqlalchemy as sa
from aiormq.exceptions import DeliveryError
from bus_service import ThingChanged, definition

from servicekit.messaging.outbox import OutboxRelay
from servicekit.messaging.tables import outbox
from servicekit.messaging.transport import EXCHANGE, OutgoingMessage
from servicekit.testing import RuntimeFactory


class CountingTransport:
    """Wraps the real transport and counts what each relay publishes."""

    def __init__(self, inner: object, seen: Counter[str]) -> None:
        self._inner = inner
        self._seen = seen

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        await self._inner.publish(messages)  # type: ignore[attr-defined]
        await asyncio.sleep(0.01)  # widen the window in which replicas overlap
        self._seen.update(m.message_id for m in messages)


async def test_three_relay_replicas_publish_each_row_once(runtime_factory: RuntimeFactory) -> None:
    runtime = await runtime_factory(definition, start=False)
    await runtime.start(relay=False, consume=False)
    async with runtime.unit_of_work() as uow:
        for i in range(3000):
            uow.publish(ThingChanged(thing_id=f"r{i}", version=1))
        await uow.commit()

    seen: Counter[str] = Counter()
    relays = [
        OutboxRelay(
            runtime.db,
            CountingTransport(runtime.transport, seen),  # type: ignore[arg-type]
            service="bustest",
            batch_size=100,
        )
        for _ in range(3)
    ]
    counts = await asyncio.gather(*(r.publish_pending() for r in relays))
    assert sum(counts) == 3000
    assert len(seen) == 3000 and max(seen.values()) == 1
    assert all(c > 0 for c in counts), f"work was not shared: {counts}"
    async with runtime.db.session() as session:
        pending = await session.execute(
            sa.select(sa.func.count()).where(outbox.c.published_at.is_(None))
        )
        assert pending.scalar_one() == 0


async def test_relay_retries_while_the_broker_is_unreachable(
    runtime_factory: RuntimeFactory,
) -> None:
    runtime = await runtime_factory(definition, start=False, relay_max_backoff=0.2)
    await runtime.start(relay=False, consume=True)
    calls = 0
    publish = runtime.transport.publish

    async def flaky(messages: Sequence[OutgoingMessage]) -> None:
        nonlocal calls
        calls += 1
        if calls <= 3:
            raise ConnectionError("broker unreachable")
        await publish(messages)

    runtime.transport.publish = flaky  # type: ignore[method-assign]
    runtime.relay.start()
    async with runtime.unit_of_work() as uow:
        uow.publish(ThingChanged(thing_id="late", version=1))
        await uow.commit()
    for _ in range(100):
        async with runtime.db.session() as session:
            done = (
                await session.execute(
                    sa.select(sa.func.count()).where(outbox.c.published_at.is_not(None))
                )
            ).scalar_one()
        if done:
            break
        await asyncio.sleep(0.1)
    assert calls == 4
    assert done == 1


async def test_relay_stops_when_woken_and_cancelled_in_the_same_tick(
    runtime_factory: RuntimeFactory,
) -> None:
    # On Python 3.11, asyncio.wait_for swallows a cancellation that lands as the
    # awaited event is set: the relay kept running and runtime.stop() hung.
    runtime = await runtime_factory(definition)
    relay = runtime.relay
    for _ in range(50):
        await asyncio.sleep(0.01)
        relay.notify()
        async with asyncio.timeout(5):
            await relay.stop()
        relay.start()


async def test_a_batch_the_broker_refuses_stays_pending(
    runtime_factory: RuntimeFactory, amqp_url: str
) -> None:
    # The relay writes a batch's frames in one go and registers the confirmations
    # itself: a Basic.Nack for any message must fail the batch, so that no row of it
    # is marked sent. A full queue with overflow "reject-publish" nacks for real.
    runtime = await runtime_factory(definition, start=False)
    await runtime.start(relay=False, consume=False)
    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel()
    full = await channel.declare_queue(
        "relay.full",
        arguments={"x-max-length": 2, "x-overflow": "reject-publish"},
    )
    await full.bind(EXCHANGE, routing_key=ThingChanged.event_type)
    async with runtime.unit_of_work() as uow:
        for i in range(5):
            uow.publish(ThingChanged(thing_id=f"n{i}", version=1))
        await uow.commit()
    with pytest.raises(DeliveryError):
        await runtime.relay.publish_pending()
    await connection.close()
    async with runtime.db.session() as session:
        pending = await session.execute(
            sa.select(sa.func.count()).where(outbox.c.published_at.is_(None))
        )
        assert pending.scalar_one() == 5
