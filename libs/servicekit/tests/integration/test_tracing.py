"""One trace follows a change: HTTP request → outbox → broker → consumer."""

from __future__ import annotations

import dataclasses

import httpx
import sqlalchemy as sa
from bus_service import ThingChanged, definition, effect
from bus_service.harness import wait_until
from fastapi import APIRouter, Depends
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from servicekit.http import unit_of_work
from servicekit.testing import RuntimeFactory
from servicekit.uow import UnitOfWork

exporter = InMemorySpanExporter()

router = APIRouter(prefix="/api/bustest")


@router.post("/things/{thing_id}", status_code=202)
async def change_thing(thing_id: str, uow: UnitOfWork = Depends(unit_of_work)) -> dict[str, str]:
    event_id = uow.publish(ThingChanged(thing_id=thing_id, version=1))
    await uow.commit()
    return {"event_id": event_id}


def _install_provider() -> None:
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))


async def test_http_request_and_consumer_share_one_trace(runtime_factory: RuntimeFactory) -> None:
    _install_provider()
    runtime = await runtime_factory(dataclasses.replace(definition, routers=[router]))
    app = runtime.app(manage_lifespan=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        response = await client.post("/api/bustest/things/traced")
    assert response.status_code == 202
    event_id = response.json()["event_id"]

    async def applied() -> bool:
        async with runtime.db.session() as session:
            rows = (await session.execute(sa.select(effect.c.trace_id))).all()
            return len(rows) == 1

    await wait_until(applied, timeout=20)
    async with runtime.db.session() as session:
        consumer_trace = (await session.execute(sa.select(effect.c.trace_id))).scalar_one()

    server = [
        s
        for s in exporter.get_finished_spans()
        if s.kind is SpanKind.SERVER and "/api/bustest/things" in s.name
    ]
    assert server, "no server span recorded"
    assert consumer_trace == format(server[-1].context.trace_id, "032x")
    consumer_spans = [
        s
        for s in exporter.get_finished_spans()
        if s.kind is SpanKind.CONSUMER and s.attributes.get("messaging.message.id") == event_id
    ]
    assert consumer_spans and consumer_spans[0].context.trace_id == server[-1].context.trace_id
