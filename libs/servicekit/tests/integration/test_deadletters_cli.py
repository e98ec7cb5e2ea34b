"""The dead-letter command lists, shows and replays dead letters on RabbitMQ."""

from __future__ import annotations

import asyncio
import os
import shutil

from bus_service import ThingChanged, definition
from bus_service.harness import QUEUE, wait_until

from servicekit.testing import RuntimeFactory


async def cli(amqp_url: str, *args: str) -> str:
    command = shutil.which("toit-deadletters")
    assert command, "toit-deadletters is not installed"
    process = await asyncio.create_subprocess_exec(
        command,
        *args,
        env={**os.environ, "TOIT_AMQP_URL": amqp_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, output.decode()
    return output.decode()


async def test_list_show_and_replay(runtime_factory: RuntimeFactory, amqp_url: str) -> None:
    runtime = await runtime_factory(definition)
    async with runtime.unit_of_work() as uow:
        event_id = uow.publish(ThingChanged(thing_id="p", version=1, payload="poison"))
        await uow.commit()

    async def dead() -> bool:
        return len(await runtime.transport.dead_letters(QUEUE)) == 1

    await wait_until(dead, timeout=30)
    listing = await cli(amqp_url, "list", QUEUE)
    assert event_id in listing and "poisoned" in listing
    shown = await cli(amqp_url, "show", QUEUE, event_id)
    assert '"thing_id": "p"' in shown and "x-toit-error" in shown

    from bus_service import switch

    async with runtime.db.session() as session, session.begin():
        await session.execute(switch.insert().values(name="poison_fixed", value=True))
    assert "replayed 1" in await cli(amqp_url, "replay", QUEUE, "--id", event_id)

    import sqlalchemy as sa
    from bus_service import effect

    async def applied() -> bool:
        async with runtime.db.session() as session:
            return (
                await session.execute(sa.select(sa.func.count()).select_from(effect))
            ).scalar_one() == 1

    await wait_until(applied, timeout=30)
    assert await runtime.transport.dead_letters(QUEUE) == []
