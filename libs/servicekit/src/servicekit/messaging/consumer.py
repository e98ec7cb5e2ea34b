"""Idempotent event consumers backed by the inbox.

A service declares an `EventConsumer` and its handlers:

    consumer = EventConsumer("demandes")

    @consumer.on(DemandeModifiee)
    async def rescore(ctx: HandlerContext, event: DemandeModifiee) -> None: ...

For each delivered event, in ONE transaction: the inbox row (consumer, event
id), the entity version check (a copy older than what was applied is dropped),
the handler's effects and the events it publishes. The message is acknowledged
only after that commit, so a redelivered event finds its inbox row and has no
second effect. A batch is applied in one transaction when it can be; if any
event of it fails, each event is retried alone so one bad event does not hold
back the others.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
import structlog
from pydantic import ValidationError

from servicekit import metrics
from servicekit.messaging.tables import entity_version, inbox
from servicekit.messaging.transport import Delivery, Outcome, RetryPolicy
from servicekit.tracing import consumer_span, current_trace_id
from servicekit.uow import UnitOfWork
from toit_contracts import CloudEvent, EntityEvent, IntegrationEvent, UnknownEventType, parse_event

log = structlog.get_logger(__name__)

E = TypeVar("E", bound=IntegrationEvent)


@dataclass
class HandlerContext:
    uow: UnitOfWork
    envelope: CloudEvent

    @property
    def session(self) -> Any:
        return self.uow.session

    def publish(self, event: IntegrationEvent) -> str:
        return self.uow.publish(event)


Handler = Callable[[HandlerContext, Any], Awaitable[None]]


class EventConsumer:
    """One queue of a service: the events it subscribes to and their handlers."""

    def __init__(
        self,
        purpose: str,
        *,
        drop_stale: bool = True,
        retry: RetryPolicy | None = None,
        batch_size: int | None = None,
    ) -> None:
        self.purpose = purpose
        self.drop_stale = drop_stale
        self.retry = retry
        self.batch_size = batch_size
        self.handlers: dict[str, Handler] = {}

    def on(self, *event_classes: type[E]) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for cls in event_classes:
                self.handlers[cls.event_type] = handler
            return handler

        return register

    @property
    def bindings(self) -> tuple[str, ...]:
        return tuple(sorted(self.handlers))


class PoisonMessage(Exception):
    """The message can never be applied as it is (not a valid event)."""


class ConsumerRunner:
    """Applies deliveries of one consumer; returns the outcome of each."""

    def __init__(
        self,
        consumer: EventConsumer,
        queue: str,
        unit_of_work: Callable[[], UnitOfWork],
        service: str,
    ) -> None:
        self.consumer = consumer
        self.queue = queue
        self._unit_of_work = unit_of_work
        self._service = service

    async def handle_batch(self, deliveries: Sequence[Delivery]) -> list[Outcome]:
        outcomes: list[Outcome | None] = [None] * len(deliveries)
        parsed: list[tuple[int, CloudEvent, IntegrationEvent]] = []
        for index, delivery in enumerate(deliveries):
            try:
                envelope, event = self._parse(delivery)
            except PoisonMessage as exc:
                log.error(
                    "consumer.poison",
                    queue=self.queue,
                    event_id=delivery.message_id,
                    error=str(exc)[:500],
                )
                outcomes[index] = Outcome.dead(exc)
                self._count("dead")
                continue
            parsed.append((index, envelope, event))

        if len(parsed) > 1:
            try:
                async with self._unit_of_work() as uow:
                    applied: set[str] = set()
                    known = await self._already_processed(uow, [env.id for _, env, _ in parsed])
                    for _, envelope, event in parsed:
                        await self._apply(uow, envelope, event, known | applied)
                        applied.add(envelope.id)
                    await uow.commit()
                for index, _, _ in parsed:
                    outcomes[index] = Outcome.ack()
                self._count("ack", len(parsed))
                return [o for o in outcomes if o is not None]
            except Exception:
                log.info("consumer.batch_split", queue=self.queue, size=len(parsed))

        for index, envelope, event in parsed:
            outcomes[index] = await self._handle_one(envelope, event)
        return [o for o in outcomes if o is not None]

    def _parse(self, delivery: Delivery) -> tuple[CloudEvent, IntegrationEvent]:
        try:
            envelope = CloudEvent.from_json_bytes(delivery.body)
            event = parse_event(envelope)
        except (ValidationError, UnknownEventType, ValueError) as exc:
            raise PoisonMessage(f"invalid event: {exc}") from exc
        if envelope.type not in self.consumer.handlers:
            raise PoisonMessage(f"no handler for {envelope.type} in {self.queue}")
        return envelope, event

    async def _handle_one(self, envelope: CloudEvent, event: IntegrationEvent) -> Outcome:
        try:
            async with self._unit_of_work() as uow:
                known = await self._already_processed(uow, [envelope.id])
                await self._apply(uow, envelope, event, known)
                await uow.commit()
        except sa.exc.IntegrityError as exc:
            # Another replica committed the same event at the same time.
            if await self._was_processed(envelope.id):
                self._count("duplicate")
                return Outcome.ack()
            return self._failed(envelope, exc)
        except Exception as exc:
            return self._failed(envelope, exc)
        self._count("ack")
        return Outcome.ack()

    def _failed(self, envelope: CloudEvent, exc: Exception) -> Outcome:
        log.warning(
            "consumer.handler_failed",
            queue=self.queue,
            event_id=envelope.id,
            event_type=envelope.type,
            error=type(exc).__name__,
        )
        self._count("retry")
        return Outcome.retry(exc)

    async def _apply(
        self, uow: UnitOfWork, envelope: CloudEvent, event: IntegrationEvent, known: set[str]
    ) -> None:
        with consumer_span(
            f"consume {envelope.type}",
            envelope.traceparent,
            **{"messaging.message.id": envelope.id, "messaging.destination.name": self.queue},
        ):
            structlog.contextvars.bind_contextvars(
                event_id=envelope.id, trace_id=current_trace_id()
            )
            try:
                if envelope.id in known:
                    self._count("duplicate")
                    log.info("consumer.duplicate_ignored", queue=self.queue)
                    return
                await uow.session.execute(
                    inbox.insert().values(
                        consumer=self.queue, event_id=envelope.id, processed_at=datetime.now(UTC)
                    )
                )
                if self.consumer.drop_stale and isinstance(event, EntityEvent) and envelope.subject:
                    if not await self._advance_version(uow, envelope, event.version):
                        self._count("stale")
                        log.info(
                            "consumer.stale_ignored",
                            queue=self.queue,
                            event_type=envelope.type,
                            version=event.version,
                        )
                        return
                handler = self.consumer.handlers[envelope.type]
                await handler(HandlerContext(uow=uow, envelope=envelope), event)
            finally:
                structlog.contextvars.unbind_contextvars("event_id", "trace_id")

    async def _advance_version(self, uow: UnitOfWork, envelope: CloudEvent, version: int) -> bool:
        entity = envelope.type.split(".", 1)[0]
        key = (
            (entity_version.c.consumer == self.queue)
            & (entity_version.c.entity == entity)
            & (entity_version.c.subject == envelope.subject)
        )
        current = (
            await uow.session.execute(sa.select(entity_version.c.version).where(key))
        ).scalar_one_or_none()
        if current is None:
            await uow.session.execute(
                entity_version.insert().values(
                    consumer=self.queue, entity=entity, subject=envelope.subject, version=version
                )
            )
            return True
        if version < current:
            return False
        if version == current:
            # A notice about the same state (a redelivered copy is caught by the inbox).
            return True
        await uow.session.execute(entity_version.update().where(key).values(version=version))
        return True

    async def _already_processed(self, uow: UnitOfWork, event_ids: list[str]) -> set[str]:
        rows = await uow.session.execute(
            sa.select(inbox.c.event_id).where(
                (inbox.c.consumer == self.queue) & inbox.c.event_id.in_(event_ids)
            )
        )
        return set(rows.scalars())

    async def _was_processed(self, event_id: str) -> bool:
        async with self._unit_of_work() as uow:
            return bool(await self._already_processed(uow, [event_id]))

    def _count(self, outcome: str, n: int = 1) -> None:
        metrics.events_consumed.labels(self._service, self.queue, outcome).inc(n)
