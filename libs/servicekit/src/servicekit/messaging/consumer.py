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
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

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
                    await self._apply_all(uow, [(env, ev) for _, env, ev in parsed])
                    await uow.commit()
                for index, _, _ in parsed:
                    outcomes[index] = Outcome.ack()
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
                await self._apply_all(uow, [(envelope, event)])
                await uow.commit()
        except sa.exc.IntegrityError as exc:
            # Another replica committed the same event at the same time.
            if await self._was_processed(envelope.id):
                self._count("duplicate")
                return Outcome.ack()
            return self._failed(envelope, exc)
        except Exception as exc:
            return self._failed(envelope, exc)
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

    async def _apply_all(
        self, uow: UnitOfWork, items: list[tuple[CloudEvent, IntegrationEvent]]
    ) -> None:
        """Inbox rows, version checks and handlers of several events, in the
        caller's transaction, with a constant number of bookkeeping queries."""
        seen = await self._already_processed(uow, [env.id for env, _ in items])
        fresh: list[tuple[CloudEvent, IntegrationEvent]] = []
        for envelope, event in items:
            if envelope.id in seen:
                self._count("duplicate")
                log.info("consumer.duplicate_ignored", queue=self.queue, event_id=envelope.id)
                continue
            seen.add(envelope.id)
            fresh.append((envelope, event))
        if not fresh:
            return
        now = datetime.now(UTC)
        await uow.session.execute(
            inbox.insert(),
            [{"consumer": self.queue, "event_id": env.id, "processed_at": now} for env, _ in fresh],
        )
        current = await self._filter_stale(uow, fresh) if self.consumer.drop_stale else fresh
        for envelope, event in current:
            await self._run_handler(uow, envelope, event)
        self._count("ack", len(current))

    async def _run_handler(
        self, uow: UnitOfWork, envelope: CloudEvent, event: IntegrationEvent
    ) -> None:
        attributes = {"messaging.message.id": envelope.id, "messaging.destination.name": self.queue}
        with consumer_span(f"consume {envelope.type}", envelope.traceparent, **attributes):
            structlog.contextvars.bind_contextvars(
                event_id=envelope.id, trace_id=current_trace_id()
            )
            try:
                handler = self.consumer.handlers[envelope.type]
                await handler(HandlerContext(uow=uow, envelope=envelope), event)
            finally:
                structlog.contextvars.unbind_contextvars("event_id", "trace_id")

    async def _filter_stale(
        self, uow: UnitOfWork, items: list[tuple[CloudEvent, IntegrationEvent]]
    ) -> list[tuple[CloudEvent, IntegrationEvent]]:
        """Drop copies older than the version already applied for their entity.

        The entity rows are created if absent, then locked (FOR UPDATE on
        PostgreSQL) in a fixed order: competing consumers (replicas, or several
        workers) handling the same entity serialise here instead of applying
        an older version after a newer one. An equal version passes: a notice
        about the same state is a distinct event (a redelivered copy was
        already caught by the inbox)."""
        keys = sorted(
            {
                (env.type.split(".", 1)[0], env.subject)
                for env, ev in items
                if isinstance(ev, EntityEvent) and env.subject
            }
        )
        if not keys:
            return items
        session = uow.session
        dialect = session.bind.dialect.name if session.bind is not None else "postgresql"
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        await session.execute(
            insert(entity_version).on_conflict_do_nothing(),
            [{"consumer": self.queue, "entity": e, "subject": s, "version": 0} for e, s in keys],
        )
        rows = await session.execute(
            sa.select(entity_version.c.entity, entity_version.c.subject, entity_version.c.version)
            .where(entity_version.c.consumer == self.queue)
            .where(entity_version.c.subject.in_({s for _, s in keys}))
            .order_by(entity_version.c.entity, entity_version.c.subject)
            .with_for_update()
        )
        known: dict[tuple[str, str], int] = {(r.entity, r.subject): r.version for r in rows}
        stored = dict(known)
        kept: list[tuple[CloudEvent, IntegrationEvent]] = []
        for envelope, event in items:
            if not (isinstance(event, EntityEvent) and envelope.subject):
                kept.append((envelope, event))
                continue
            key = (envelope.type.split(".", 1)[0], envelope.subject)
            if event.version < known[key]:
                self._count("stale")
                log.info(
                    "consumer.stale_ignored",
                    queue=self.queue,
                    event_type=envelope.type,
                    version=event.version,
                    current=known[key],
                )
                continue
            known[key] = event.version
            kept.append((envelope, event))
        changed = [k for k in known if known[k] != stored.get(k)]
        if changed:
            await session.execute(
                entity_version.update()
                .where(entity_version.c.consumer == self.queue)
                .where(entity_version.c.entity == sa.bindparam("b_entity"))
                .where(entity_version.c.subject == sa.bindparam("b_subject"))
                .values(version=sa.bindparam("b_version")),
                [{"b_entity": e, "b_subject": s, "b_version": known[(e, s)]} for e, s in changed],
            )
        return kept

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
