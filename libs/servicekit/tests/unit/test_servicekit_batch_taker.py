"""Batches of a consumer: no wait for a consumer that keeps up, larger batches for
one that is behind, and one worker collecting at a time."""

from __future__ import annotations

import asyncio
import time

from servicekit.messaging.transport import BatchTaker


async def test_a_consumer_that_keeps_up_takes_each_message_without_waiting() -> None:
    pending: asyncio.Queue[int] = asyncio.Queue()
    taker = BatchTaker(pending, size=100, linger=5.0)

    async def arrive_later() -> None:
        await asyncio.sleep(0.01)
        pending.put_nowait(1)

    arrival = asyncio.create_task(arrive_later())
    started = time.monotonic()
    assert await taker.take() == [1]
    assert time.monotonic() - started < 1.0  # not held for the linger
    await arrival


async def test_a_consumer_behind_waits_for_more_up_to_the_linger() -> None:
    pending: asyncio.Queue[int] = asyncio.Queue()
    for i in range(3):
        pending.put_nowait(i)
    taker = BatchTaker(pending, size=100, linger=0.2)

    async def arrive_during_the_wait() -> None:
        await asyncio.sleep(0.02)
        pending.put_nowait(3)
        pending.put_nowait(4)

    arrival = asyncio.create_task(arrive_during_the_wait())
    assert await taker.take() == [0, 1, 2, 3, 4]
    await arrival


async def test_a_full_batch_does_not_wait() -> None:
    pending: asyncio.Queue[int] = asyncio.Queue()
    for i in range(5):
        pending.put_nowait(i)
    taker = BatchTaker(pending, size=3, linger=5.0)
    started = time.monotonic()
    assert await taker.take() == [0, 1, 2]
    assert time.monotonic() - started < 1.0


async def test_one_worker_collects_at_a_time() -> None:
    pending: asyncio.Queue[int] = asyncio.Queue()
    pending.put_nowait(0)
    pending.put_nowait(1)
    taker = BatchTaker(pending, size=100, linger=0.1)
    first = asyncio.create_task(taker.take())
    second = asyncio.create_task(taker.take())
    await asyncio.sleep(0.02)
    for i in range(2, 6):
        pending.put_nowait(i)
    # The first worker gathers every arrival of its wait; the second one gets
    # the next message only.
    assert await first == [0, 1, 2, 3, 4, 5]
    pending.put_nowait(6)
    assert await second == [6]


async def test_no_message_is_lost_when_the_wait_ends() -> None:
    pending: asyncio.Queue[int] = asyncio.Queue()
    taker = BatchTaker(pending, size=1000, linger=0.001)
    taken: list[int] = []

    async def produce() -> None:
        for i in range(2000):
            pending.put_nowait(i)
            if i % 7 == 0:
                await asyncio.sleep(0)

    producer = asyncio.create_task(produce())
    while len(taken) < 2000:
        taken.extend(await taker.take())
    await producer
    assert taken == list(range(2000))
