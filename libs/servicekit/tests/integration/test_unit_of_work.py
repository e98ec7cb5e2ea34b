"""The unit of work's before-commit steps: in the transaction, once, dropped on rollback."""

from __future__ import annotations

import sqlalchemy as sa
from bus_service import ThingChanged, definition

from servicekit.messaging.tables import outbox
from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory


async def _outbox_rows(runtime: ServiceRuntime) -> int:
    async with runtime.db.session() as session:
        return int(
            (await session.execute(sa.select(sa.func.count()).select_from(outbox))).scalar_one()
        )


async def test_before_commit_steps_run_once_in_the_transaction(
    runtime_factory: RuntimeFactory,
) -> None:
    runtime = await runtime_factory(definition, start=False)
    await runtime.start(relay=False, consume=False)
    runs = []
    async with runtime.unit_of_work() as uow:

        async def step() -> None:
            runs.append(1)
            uow.publish(ThingChanged(thing_id="b1", version=1))  # published with the others

        uow.before_commit(step)
        uow.publish(ThingChanged(thing_id="b0", version=1))
        await uow.commit()
    assert runs == [1] and await _outbox_rows(runtime) == 2

    async with runtime.unit_of_work() as uow:
        uow.before_commit(step)
        await uow.rollback()
        await uow.commit()
    assert runs == [1] and await _outbox_rows(runtime) == 2
