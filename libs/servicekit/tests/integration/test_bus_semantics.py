"""Delivery guarantees of the bus, one set of cases for both transports."""

from __future__ import annotations

import asyncio
import json

from bus_service.harness import QUEUE, Bus, thing, wait_until

from servicekit.messaging.transport import H_ERROR, H_ERROR_TYPE


async def test_each_committed_event_is_applied_once(bus: Bus) -> None:
    await bus.publish(*(thing(f"t{i}") for i in range(50)))
    await bus.wait_effects(50)
    await asyncio.sleep(0.3)
    effects = await bus.effects()
    assert len(effects) == 50
    assert len({e.event_id for e in effects}) == 50


async def test_rolled_back_work_publishes_nothing(bus: Bus) -> None:
    async with bus.runtime.unit_of_work() as uow:
        uow.publish(thing("never"))
        await uow.rollback()
    await bus.publish(thing("marker"))
    await bus.wait_effects(1)
    assert [e.thing_id for e in await bus.effects()] == ["marker"]


async def test_redelivered_event_has_no_second_effect(bus: Bus) -> None:
    event = thing("dup")
    envelope = event.to_cloudevent(source="/toit/test")
    for _ in range(3):
        await bus.publish_raw(envelope.to_json_bytes(), envelope.id, envelope.type)
    await bus.publish(thing("after"))
    await bus.wait_effects(2)
    await asyncio.sleep(0.3)
    assert sorted(e.thing_id for e in await bus.effects()) == ["after", "dup"]


async def test_stale_version_is_ignored(bus: Bus) -> None:
    await bus.publish(thing("x", version=2, payload="v2"))
    await bus.wait_effects(1)
    await bus.publish(thing("x", version=1, payload="v1"), thing("y"))
    await bus.wait_effects(2)
    await asyncio.sleep(0.3)
    effects = await bus.effects()
    assert [(e.thing_id, e.version) for e in effects] == [("x", 2), ("y", 1)]


async def test_poison_goes_to_dead_letters_after_retries_then_replays_once(bus: Bus) -> None:
    await bus.publish(thing("p", payload="poison"), thing("ok"))
    await bus.wait_effects(1)

    async def dead_lettered() -> bool:
        return len(await bus.dead_letters()) == 1

    await wait_until(dead_lettered, timeout=20)
    [letter] = await bus.dead_letters()
    assert "poisoned" in (letter.error or "")
    assert letter.headers[H_ERROR_TYPE] == "RuntimeError"
    assert letter.headers["x-toit-attempt"] == "3"  # test retry policy: 3 delays
    assert [e.thing_id for e in await bus.effects()] == ["ok"]

    await bus.fix_poison()
    assert await bus.runtime.transport.replay(QUEUE) == 1
    await bus.wait_effects(2)
    await asyncio.sleep(0.3)
    assert sorted(e.thing_id for e in await bus.effects()) == ["ok", "p"]
    assert await bus.dead_letters() == []


async def test_invalid_event_goes_straight_to_dead_letters(bus: Bus) -> None:
    body = json.dumps(
        {
            "specversion": "1.0",
            "id": "bad-1",
            "source": "/toit/test",
            "type": "bustest.thing_changed",
            "data": {"version": 0},
        }
    ).encode()
    await bus.publish_raw(body, "bad-1", "bustest.thing_changed")

    async def dead_lettered() -> bool:
        return len(await bus.dead_letters()) == 1

    await wait_until(dead_lettered, timeout=10)
    [letter] = await bus.dead_letters()
    assert letter.message_id == "bad-1"
    assert letter.headers["x-toit-attempt"] == "0"  # no retry for a schema failure
    assert "invalid event" in (letter.headers[H_ERROR] or "")


async def test_notice_at_the_same_version_is_applied(bus: Bus) -> None:
    # A notice (renewal due, say) carries the current version without raising it.
    await bus.publish(thing("n", version=3, payload="change"))
    await bus.wait_effects(1)
    await bus.publish(thing("n", version=3, payload="notice"))
    await bus.wait_effects(2)
    assert [e.version for e in await bus.effects()] == [3, 3]
