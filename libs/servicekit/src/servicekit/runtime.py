"""A service's declaration and the runtime servicekit builds from it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import structlog
from fastapi import APIRouter

from servicekit.db import Database
from servicekit.messaging.consumer import ConsumerRunner, EventConsumer
from servicekit.messaging.outbox import OutboxRelay
from servicekit.messaging.transport import Delivery, QueueSpec, RetryPolicy, Transport
from servicekit.migrations import upgrade
from servicekit.settings import Settings
from servicekit.uow import UnitOfWork

if TYPE_CHECKING:
    from fastapi import FastAPI

log = structlog.get_logger(__name__)

RuntimeHook = Callable[["ServiceRuntime"], Awaitable[None]]
DailyJob = Callable[["ServiceRuntime", date], Awaitable[None]]


@dataclass
class ServiceDefinition:
    """Everything servicekit needs to know about a service."""

    name: str
    migrations: Path
    metadata: sa.MetaData | None = None
    routers: Sequence[APIRouter] = ()
    consumers: Sequence[EventConsumer] = ()
    # Demo data, loaded at start-up in demo mode only (idempotent).
    seed: RuntimeHook | None = None
    daily_jobs: Sequence[DailyJob] = ()
    on_startup: Sequence[RuntimeHook] = ()
    on_shutdown: Sequence[RuntimeHook] = ()
    # Run first in TOIT_MODE=production; each raises to refuse the start (placeholder
    # reference data, demo secrets...) with a message naming what to fix.
    production_checks: Sequence[Callable[[], None]] = ()
    description: str = ""
    extra: dict[str, object] = field(default_factory=dict)
    # Paths whose request bodies may exceed the default bound (servicekit.input_guard).
    body_limits: dict[str, int] = field(default_factory=dict)
    # Server-rendered pages served by the service beside its API (the portail's site):
    # an ASGI app built from the runtime and, in `make run`, an in-process transport to
    # the gateway; mounted after the API routes, it answers every other path.
    web: Callable[[ServiceRuntime, Any], Any] | None = None
    # PostgreSQL connections one process needs at steady state (its parallel workers, its
    # consumers, its HTTP requests), called once at start-up; TOIT_DATABASE_POOL_SIZE wins.
    pool_size: Callable[[], int] | None = None
    # Queues the service declares itself, besides its consumers' (e.g. a stream it reads
    # from an offset): listed so that docs/architecture.md can be checked against the code.
    streams: Sequence[str] = ()

    @property
    def prefix(self) -> str:
        return f"/api/{self.name}"

    @property
    def queues(self) -> list[str]:
        """Every queue this service declares: its consumers' and its streams."""
        return [f"toit.{self.name}.{c.purpose}" for c in self.consumers] + list(self.streams)


def build_transport(settings: Settings) -> Transport:
    if settings.bus == "amqp":
        from servicekit.messaging.amqp import AmqpTransport

        return AmqpTransport(settings.amqp_url, timeout=settings.amqp_connect_timeout)
    from servicekit.messaging.memory import InMemoryTransport

    return InMemoryTransport()


class ServiceRuntime:
    """Database, transport, outbox relay and consumers of one service."""

    def __init__(
        self,
        definition: ServiceDefinition,
        settings: Settings | None = None,
        *,
        transport: Transport | None = None,
        database_url: str | None = None,
    ) -> None:
        self.definition = definition
        self.settings = settings or Settings()
        self.name = definition.name
        self.source = f"/toit/{definition.name}"
        self.db = Database(
            database_url or self.settings.database_url_for(definition.name),
            pool_size=self.pool_size(),
            max_overflow=self.settings.database_pool_overflow,
        )
        self._owns_transport = transport is None
        self.transport = transport or build_transport(self.settings)
        self.relay = OutboxRelay(
            self.db,
            self.transport,
            service=self.name,
            batch_size=self.settings.relay_batch_size,
            poll_interval=self.settings.relay_poll_interval,
            max_backoff=self.settings.relay_max_backoff,
            retention=timedelta(days=self.settings.outbox_retention_days),
        )
        self.started = False
        self.state: dict[str, object] = {}
        self._daily_task: asyncio.Task[None] | None = None

    def pool_size(self) -> int:
        """TOIT_DATABASE_POOL_SIZE when set, else what the service declares, else 10."""
        if self.settings.database_pool_size is not None:
            return self.settings.database_pool_size
        if self.definition.pool_size is not None:
            return self.definition.pool_size()
        return 10

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.db, self.source, on_events_committed=self.relay.notify)

    def queue_spec(self, consumer: EventConsumer) -> QueueSpec:
        return QueueSpec(
            name=f"toit.{self.name}.{consumer.purpose}",  # as ServiceDefinition.queues
            bindings=consumer.bindings,
            retry=consumer.retry or RetryPolicy(tuple(self.settings.retry_delays)),
            delivery_limit=self.settings.delivery_limit,
            prefetch=self.settings.consumer_prefetch,
        )

    def runner(self, consumer: EventConsumer) -> ConsumerRunner:
        return ConsumerRunner(
            consumer, self.queue_spec(consumer).name, self.unit_of_work, self.name
        )

    async def migrate(self) -> None:
        await upgrade(self.db, self.definition.migrations)

    async def start(
        self,
        *,
        migrate: bool = True,
        relay: bool = True,
        consume: bool = True,
        seed: bool | None = None,
    ) -> None:
        if self.settings.mode == "production":
            for check in self.definition.production_checks:
                check()
        if migrate:
            await self.migrate()
        await self.transport.connect()
        # Every instance refuses revoked access tokens (logout...) at once.
        from servicekit.auth import REVOCATION_EVENT, apply_revocation

        async def on_revocation(delivery: Delivery) -> None:
            await apply_revocation(self, delivery.body)

        await self.transport.subscribe_broadcast((REVOCATION_EVENT,), on_revocation)
        for consumer in self.definition.consumers:
            spec = self.queue_spec(consumer)
            if consume:
                batch = consumer.batch_size or self.settings.consumer_batch_size
                workers = self.settings.consumer_workers if self.db.is_postgres else 1
                await self.transport.consume(
                    spec, self.runner(consumer).handle_batch, batch, workers
                )
            else:
                await self.transport.declare(spec)
        if seed if seed is not None else self.settings.mode == "demo":
            if self.definition.seed is not None:
                await self.definition.seed(self)
        for hook in self.definition.on_startup:
            await hook(self)
        if relay:
            self.relay.start()
        self.started = True
        log.info(
            "service.started",
            service=self.name,
            bus=self.settings.bus,
            database="postgresql" if self.db.is_postgres else "sqlite",
        )

    async def stop(self) -> None:
        for hook in self.definition.on_shutdown:
            await hook(self)
        if self._daily_task is not None:
            self._daily_task.cancel()
        await self.relay.stop()
        if self._owns_transport:
            await self.transport.close()
        else:
            await self.transport.stop_consuming()
        await self.db.dispose()
        self.started = False

    async def run_daily_jobs(self, day: date) -> None:
        for job in self.definition.daily_jobs:
            log.info("jobs.daily_start", service=self.name, job=job.__name__, day=day.isoformat())
            await job(self, day)
        # Every service database holds a consultation trace: its retention applies everywhere.
        from servicekit.audit import purge_consultations

        async with self.unit_of_work() as uow:
            purged = await purge_consultations(
                uow.session, day, self.settings.consultation_retention_days
            )
            await uow.commit()
        if purged:
            log.info("consultations.purged", service=self.name, lines=purged)

    def app(self, *, manage_lifespan: bool = True, web_transport: Any = None) -> FastAPI:
        from servicekit.http import create_app

        return create_app(self, manage_lifespan=manage_lifespan, web_transport=web_transport)
