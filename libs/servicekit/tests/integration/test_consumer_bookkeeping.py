"""Consumers and connections under competition, on the real PostgreSQL."""

from __future__ import annotations

import asyncio
import os

import asyncpg
import sqlalchemy as sa
from bus_service import ThingChanged, definition, effect

from servicekit.db import Database
from servicekit.messaging.transport import Delivery, OutcomeKind
from servicekit.testing import RuntimeFactory


def delivery(event: ThingChanged) -> Delivery:
    envelope = event.to_cloudevent(source="/toit/test")
    return Delivery(envelope.id, envelope.type, envelope.to_json_bytes(), {})


async def test_two_replicas_given_the_same_events_apply_each_once(
    runtime_factory: RuntimeFactory,
) -> None:
    runtime = await runtime_factory(definition, start=False)
    await runtime.migrate()
    consumer = definition.consumers[0]
    first, second = runtime.runner(consumer), runtime.runner(consumer)
    # Seven entities at one version: every event applies (an equal version passes).
    deliveries = [delivery(ThingChanged(thing_id=f"c{i % 7}", version=1)) for i in range(60)]
    # Opposite orders: each replica waits for the other's inbox and version rows.
    outcomes = await asyncio.gather(
        first.handle_batch(deliveries), second.handle_batch(deliveries[::-1])
    )
    assert all(o.kind is OutcomeKind.ACK for batch in outcomes for o in batch)
    async with runtime.db.session() as session:
        applied = (await session.execute(sa.select(effect.c.event_id))).scalars().all()
    assert sorted(applied) == sorted(d.message_id for d in deliveries)


async def test_connections_closed_by_the_server_are_replaced(postgres_url: str) -> None:
    db = Database(postgres_url)

    async def backend() -> int:
        async with db.session() as session:
            pid = (await session.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
            await asyncio.sleep(0.05)  # hold it: the pool opens several connections
            return int(pid)

    try:
        before = set(await asyncio.gather(*(backend() for _ in range(3))))
        admin = await asyncpg.connect(os.environ["TOIT_TEST_DATABASE_URL"])
        try:
            await admin.execute("SELECT pg_terminate_backend(p) FROM unnest($1::int[]) p", before)
        finally:
            await admin.close()
        await asyncio.sleep(0.2)
        after = set(await asyncio.gather(*(backend() for _ in range(3))))
        assert before.isdisjoint(after)
    finally:
        await db.dispose()
