"""bench-bus: the raw aio-pika ceiling and the full reliable path, on one broker.

    make bench-bus            (or: uv run python bench/bench_bus.py --events 20000)

1. Raw aio-pika: publish with batched publisher confirms to a quorum queue
   and consume with manual acks, in one process: events/s (the ceiling).
2. Full path: transactions each committing one outbox row (8 concurrent
   producers) → relay (batched confirms) → broker → consumer process with
   inbox (batched transactions) → commit: events/s until every effect is
   committed, and the ratio to the ceiling.
1 and 2 alternate, --repeat times each; medians are reported.
3. Latency at a steady 200 events/s: commit of the producer's transaction to
   the consumer's handling of the event, p50/p99.
With --stages, first each part of the full path alone, to see where its time
goes: the producers with the relay stopped, the relay over that pre-filled
outbox, then a consumer process started on that pre-filled queue.
Needs the local PostgreSQL and RabbitMQ (`deploy/local/infra.sh start`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import aio_pika
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "libs/servicekit/tests"))

from bus_service import ThingChanged, definition, effect  # noqa: E402

from servicekit.logging import configure_logging  # noqa: E402
from servicekit.runtime import ServiceRuntime  # noqa: E402
from servicekit.testing import (  # noqa: E402
    create_database,
    create_vhost,
    delete_vhost,
    drop_database,
    settings_for_tests,
)

BODY = (
    ThingChanged(thing_id="x" * 36, version=1, payload="y" * 200)
    .to_cloudevent(source="/toit/bench")
    .to_json_bytes()
)


async def raw_ceiling(amqp_url: str, events: int) -> float:
    connection = await aio_pika.connect_robust(amqp_url)
    publish_channel = await connection.channel(publisher_confirms=True)
    consume_channel = await connection.channel()
    await consume_channel.set_qos(prefetch_count=500)
    exchange = await publish_channel.declare_exchange(
        "bench.raw", aio_pika.ExchangeType.TOPIC, durable=True
    )
    queue = await consume_channel.declare_queue(
        "bench.raw", durable=True, arguments={"x-queue-type": "quorum"}
    )
    await queue.bind("bench.raw", routing_key="#")
    done = asyncio.Event()
    received = 0

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        nonlocal received
        await message.ack()
        received += 1
        if received == events:
            done.set()

    await queue.consume(on_message)
    started = time.perf_counter()
    for offset in range(0, events, 500):
        await asyncio.gather(
            *(
                exchange.publish(
                    aio_pika.Message(BODY, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                    routing_key="bench.event",
                )
                for _ in range(min(500, events - offset))
            )
        )
    await done.wait()
    elapsed = time.perf_counter() - started
    await connection.close()
    return events / elapsed


async def count_effects(runtime: ServiceRuntime) -> int:
    async with runtime.db.session() as session:
        return int(
            (await session.execute(sa.select(sa.func.count()).select_from(effect))).scalar_one()
        )


async def clear_effects(runtime: ServiceRuntime) -> None:
    # TRUNCATE, not DELETE: dead rows would make every count_effects poll slower.
    async with runtime.db.session() as session, session.begin():
        await session.execute(sa.text("TRUNCATE effect"))


async def wait_effects(runtime: ServiceRuntime, n: int) -> None:
    while await count_effects(runtime) < n:
        await asyncio.sleep(0.05)


async def start_consumer(runtime: ServiceRuntime, amqp_url: str) -> asyncio.subprocess.Process:
    worker = ROOT / "libs/servicekit/tests/integration/bus_worker.py"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(worker),
        "consume",
        env={**os.environ, "TOIT_DATABASE_URL": runtime.db.url, "TOIT_AMQP_URL": amqp_url},
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    await process.stdout.readline()  # "consuming"
    return process


async def produce(runtime: ServiceRuntime, events: int, producers: int, prefix: str) -> int:
    """Concurrent producers, each committing one transaction per event."""
    per_producer = events // producers

    async def producer(p: int) -> None:
        for i in range(per_producer):
            async with runtime.unit_of_work() as uow:
                uow.publish(ThingChanged(thing_id=f"{prefix}{p}-{i}", version=1, payload="y" * 200))
                await uow.commit()

    await asyncio.gather(*(producer(p) for p in range(producers)))
    return per_producer * producers


async def full_path(runtime: ServiceRuntime, events: int, producers: int = 8) -> float:
    await clear_effects(runtime)
    started = time.perf_counter()
    produced = await produce(runtime, events, producers, "f")
    await wait_effects(runtime, produced)
    return produced / (time.perf_counter() - started)


async def stages(
    runtime: ServiceRuntime, amqp_url: str, events: int, producers: int = 8
) -> dict[str, float]:
    """Events per second of each part alone (relay stopped, no consumer running)."""
    await clear_effects(runtime)
    await runtime.relay.stop()
    started = time.perf_counter()
    produced = await produce(runtime, events, producers, "s")
    producer_rate = produced / (time.perf_counter() - started)
    started = time.perf_counter()
    sent = await runtime.relay.publish_pending()
    relay_rate = sent / (time.perf_counter() - started)
    consumer = await start_consumer(runtime, amqp_url)
    started = time.perf_counter()
    await wait_effects(runtime, sent)
    consumer_rate = sent / (time.perf_counter() - started)
    consumer.kill()
    await consumer.wait()
    runtime.relay.start()
    return {"producer": producer_rate, "relay": relay_rate, "consumer": consumer_rate}


async def steady_latency(runtime: ServiceRuntime, rate: int, seconds: int) -> list[float]:
    committed: dict[str, float] = {}
    interval = 1 / rate
    start = time.perf_counter()
    for i in range(rate * seconds):
        async with runtime.unit_of_work() as uow:
            uow.publish(ThingChanged(thing_id=f"l{i}", version=1))
            await uow.commit()
        committed[f"l{i}"] = time.time()
        delay = start + (i + 1) * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        async with runtime.db.session() as session:
            rows = (
                await session.execute(
                    sa.select(effect.c.thing_id, effect.c.applied_at).where(
                        effect.c.thing_id.like("l%")
                    )
                )
            ).all()
        if len(rows) >= len(committed):
            break
        await asyncio.sleep(0.2)
    return sorted((row.applied_at.timestamp() - committed[row.thing_id]) * 1000 for row in rows)


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


async def main(args: argparse.Namespace) -> None:
    configure_logging("WARNING")
    db_url, amqp_url = await create_database(), await create_vhost()
    runtime = ServiceRuntime(
        definition, settings_for_tests(bus="amqp", amqp_url=amqp_url), database_url=db_url
    )
    results: dict[str, object] = {"events": args.events, "at": datetime.now(UTC).isoformat()}
    try:
        await runtime.start(consume=False, seed=False)  # relay here, consumer in its own process
        alone: list[dict[str, float]] = []
        if args.stages:
            alone = [await stages(runtime, amqp_url, args.events) for _ in range(args.repeat)]
        consumer = await start_consumer(runtime, amqp_url)
        raw: list[float] = []
        full: list[float] = []
        for _ in range(args.repeat):
            # Interleaved, so that a load that drifts (shared machine) weighs on both
            # alike; the idle relay does not poll while the ceiling is measured.
            await runtime.relay.stop()
            raw.append(await raw_ceiling(amqp_url, args.events))
            runtime.relay.start()
            full.append(await full_path(runtime, args.events))
        latencies = await steady_latency(runtime, args.rate, args.seconds)
        consumer.kill()
        await consumer.wait()
        results.update(
            raw_events_per_s=round(statistics.median(raw)),
            full_events_per_s=round(statistics.median(full)),
            ratio=round(statistics.median(full) / statistics.median(raw), 3),
            raw_runs=[round(r) for r in raw],
            full_runs=[round(f) for f in full],
            steady_rate=args.rate,
            latency_samples=len(latencies),
            latency_p50_ms=round(percentile(latencies, 0.50), 1),
            latency_p99_ms=round(percentile(latencies, 0.99), 1),
        )
        if alone:
            for part in ("producer", "relay", "consumer"):
                results[f"{part}_alone_events_per_s"] = round(
                    statistics.median(r[part] for r in alone)
                )
    finally:
        await runtime.stop()
        await drop_database(db_url)
        await delete_vhost(amqp_url)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--stages", action="store_true", help="also measure each part alone")
    asyncio.run(main(parser.parse_args()))
