"""Helpers shared by the bus tests and the bus benchmark."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import sqlalchemy as sa

from bus_service import ThingChanged, effect, switch
from servicekit.messaging.transport import DeadLetter, OutgoingMessage
from servicekit.runtime import ServiceRuntime

QUEUE = "toit.bustest.things"


async def wait_until(
    predicate: Callable[[], Awaitable[bool]], timeout: float = 20.0, interval: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


@dataclass
class Bus:
    kind: str
    runtime: ServiceRuntime

    async def publish(self, *events: ThingChanged) -> list[str]:
        async with self.runtime.unit_of_work() as uow:
            ids = [uow.publish(e) for e in events]
            await uow.commit()
        return ids

    async def publish_raw(self, body: bytes, message_id: str, routing_key: str) -> None:
        await self.runtime.transport.publish([OutgoingMessage(message_id, routing_key, body)])

    async def effects(self) -> list[sa.Row[tuple[object, ...]]]:
        async with self.runtime.db.session() as session:
            return list((await session.execute(sa.select(effect).order_by(effect.c.id))).all())

    async def wait_effects(self, count: int, timeout: float = 20.0) -> None:
        async def enough() -> bool:
            return len(await self.effects()) >= count

        await wait_until(enough, timeout)

    async def dead_letters(self) -> list[DeadLetter]:
        return await self.runtime.transport.dead_letters(QUEUE)

    async def fix_poison(self) -> None:
        async with self.runtime.db.session() as session, session.begin():
            await session.execute(switch.insert().values(name="poison_fixed", value=True))


def thing(thing_id: str, version: int = 1, payload: str = "") -> ThingChanged:
    return ThingChanged(thing_id=thing_id, version=version, payload=payload)
