"""A tiny service used to prove the bus: each event inserts one `effect` row.

`effect` has no unique constraint on purpose: a second application of the
same event would show up as a second row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from servicekit import ServiceDefinition
from servicekit.messaging.consumer import EventConsumer, HandlerContext
from servicekit.uow import UnitOfWork
from toit_contracts import EntityEvent

metadata = sa.MetaData()

effect = sa.Table(
    "effect",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("thing_id", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("trace_id", sa.String(32)),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)

# Row "poison_fixed": while false, events whose payload is "poison" fail.
switch = sa.Table(
    "switch",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.Boolean, nullable=False),
)


class ThingChanged(EntityEvent):
    event_type = "bustest.thing_changed"
    subject_field = "thing_id"
    thing_id: str
    payload: str = ""


consumer = EventConsumer("things")


@consumer.on(ThingChanged)
async def apply_thing_changed(ctx: HandlerContext, event: ThingChanged) -> None:
    if event.payload == "poison":
        fixed = (
            await ctx.session.execute(
                sa.select(switch.c.value).where(switch.c.name == "poison_fixed")
            )
        ).scalar_one_or_none()
        if not fixed:
            raise RuntimeError("cannot apply a poisoned thing")
    if event.payload.startswith("slow"):
        import asyncio

        await asyncio.sleep(0.005)
    from servicekit.tracing import current_trace_id

    ctx.uow.collect(
        write_effects,
        {
            "event_id": ctx.envelope.id,
            "thing_id": event.thing_id,
            "version": event.version,
            "trace_id": current_trace_id(),
            "applied_at": datetime.now(UTC),
        },
    )


async def write_effects(uow: UnitOfWork, rows: list[dict[str, object]]) -> None:
    # The effects of a whole batch in one statement, in the batch's transaction.
    await uow.session.execute(INSERT_EFFECT, rows)


INSERT_EFFECT = effect.insert()


definition = ServiceDefinition(
    name="bustest",
    migrations=Path(__file__).parent / "migrations",
    metadata=metadata,
    consumers=[consumer],
)
