"""Consumer bookkeeping driven directly (competing replicas, versions) and pool connections."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa
from bus_service import ThingChanged, definition, effect

from servicekit.db import Database
from servicekit.messaging.transport import Delivery, OutcomeKind
from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory, create_database, drop_database, settings_for_tests


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


@pytest.fixture(params=["postgresql", "sqlite"])
async def runtime(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ServiceRuntime]:
    """A migrated runtime, not started: tests drive its consumer runner directly."""
    if request.param == "postgresql":
        url = await create_database()
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'versions.db'}"
    runtime = ServiceRuntime(definition, settings_for_tests(), database_url=url)
    await runtime.migrate()
    yield runtime
    await runtime.db.dispose()
    if request.param == "postgresql":
        await drop_database(url)


async def test_versions_within_and_across_batches(runtime: ServiceRuntime) -> None:
    runner = runtime.runner(definition.consumers[0])

    async def applied(*events: ThingChanged) -> list[tuple[str, int]]:
        batch = [delivery(e) for e in events]
        assert all(o.kind is OutcomeKind.ACK for o in await runner.handle_batch(batch))
        async with runtime.db.session() as session:
            rows = await session.execute(
                sa.select(effect.c.thing_id, effect.c.version)
                .where(effect.c.event_id.in_([d.message_id for d in batch]))
                .order_by(effect.c.id)
            )
            return [(r.thing_id, r.version) for r in rows]

    # Several events of x in one batch are checked in order; y has one.
    assert await applied(
        ThingChanged(thing_id="x", version=3),
        ThingChanged(thing_id="x", version=1),
        ThingChanged(thing_id="y", version=2),
        ThingChanged(thing_id="x", version=4),
        ThingChanged(thing_id="x", version=4),
    ) == [("x", 3), ("y", 2), ("x", 4), ("x", 4)]
    # One event per entity: stale below the stored version, applied from it on.
    assert await applied(
        ThingChanged(thing_id="x", version=2), ThingChanged(thing_id="y", version=2)
    ) == [("y", 2)]
    assert await applied(
        ThingChanged(thing_id="x", version=5), ThingChanged(thing_id="y", version=1)
    ) == [("x", 5)]
    assert await applied(ThingChanged(thing_id="x", version=4)) == []


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
