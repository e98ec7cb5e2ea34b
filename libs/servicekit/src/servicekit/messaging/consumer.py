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
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
import structlog
from pydantic import ValidationError
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

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
        current = await uow.session.run_sync(self._bookkeeping, items)
        for envelope, event in current:
            await self._run_handler(uow, envelope, event)
        self._count("ack", len(current))

    def _bookkeeping(
        self, session: Session, items: list[tuple[CloudEvent, IntegrationEvent]]
    ) -> list[tuple[CloudEvent, IntegrationEvent]]:
        """Record the inbox rows and check the entity versions of a batch; returns
        the events to apply. One query in the usual case (synchronous, in one
        greenlet: no handler code runs in between).

        The version rows of the batch's entities are created if absent, then
        locked (row locks on PostgreSQL) in key order: competing consumers
        (replicas, or several workers) handling the same entity serialise here
        instead of applying an older version after a newer one. An entity with
        one event in the batch is raised to its version by that same query,
        unless it is already higher (the event is then stale); one with several
        events is only locked, its events are checked in order and its version
        stored afterwards. An equal version passes: a notice about the same
        state is a distinct event (a redelivered copy was caught by the inbox)."""
        conn = session.connection()
        ledger = _POSTGRESQL if conn.dialect.name == "postgresql" else _SQLITE
        distinct = {env.id: (env, ev) for env, ev in items}
        versions_of: dict[VersionKey, list[int]] = {}
        if self.consumer.drop_stale:
            for envelope, event in distinct.values():
                if versioned := _versioned(envelope, event):
                    versions_of.setdefault(versioned[0], []).append(versioned[1])
        # A target of 0 never raises a version: the row is only created and locked.
        targets = {k: v[0] if len(v) == 1 else 0 for k, v in sorted(versions_of.items())}
        # Sorted ids: competing replicas wait for each other's inbox rows in one order.
        claimed, current = ledger.record(conn, self.queue, sorted(distinct), targets)
        known = dict(current)
        kept: list[tuple[CloudEvent, IntegrationEvent]] = []
        for envelope, event in items:
            if envelope.id not in claimed:
                self._count("duplicate")
                log.info("consumer.duplicate_ignored", queue=self.queue, event_id=envelope.id)
                continue
            claimed.discard(envelope.id)  # a second copy in the same batch is a duplicate
            versioned = _versioned(envelope, event) if self.consumer.drop_stale else None
            if versioned:
                key, version = versioned
                if version < known[key]:
                    self._count("stale")
                    log.info(
                        "consumer.stale_ignored",
                        queue=self.queue,
                        event_type=envelope.type,
                        version=version,
                        current=known[key],
                    )
                    continue
                known[key] = version
            kept.append((envelope, event))
        changed = {k: v for k, v in known.items() if v != current[k]}
        if changed:
            ledger.store_versions(conn, self.queue, changed)
        return kept

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

    def _count(self, outcome: str, n: int = 1) -> None:
        metrics.events_consumed.labels(self._service, self.queue, outcome).inc(n)


VersionKey = tuple[str, str]  # (entity, subject)


def _versioned(envelope: CloudEvent, event: IntegrationEvent) -> tuple[VersionKey, int] | None:
    """The entity and version of an event subject to the version check."""
    if isinstance(event, EntityEvent) and envelope.subject:
        return (envelope.type.split(".", 1)[0], envelope.subject), event.version
    return None


class _Ledger(Protocol):
    """Inbox and entity-version statements of one SQL dialect."""

    def record(
        self,
        conn: sa.Connection,
        queue: str,
        event_ids: list[str],
        targets: dict[VersionKey, int],
    ) -> tuple[set[str], dict[VersionKey, int]]:
        """Record the inbox rows and return the ids recorded now (not seen before).
        Create the version rows of `targets` if absent, lock them in key order,
        raise each to its target if lower, and return the versions then stored."""
        ...

    def store_versions(
        self, conn: sa.Connection, queue: str, versions: dict[VersionKey, int]
    ) -> None: ...


class _PostgresqlLedger:
    """Arrays instead of lists of parameters keep the SQL text constant, so each
    statement is prepared once per connection. The rows are written with INSERT
    ... ON CONFLICT: found through the primary key whatever the planner thinks
    of the table size (a cached generic plan made while a table was empty would
    otherwise scan it), and a competing replica's transaction is waited for
    instead of failing. DO UPDATE locks the row like FOR UPDATE, in the order
    of the keys."""

    RECORD = sa.text(
        "WITH claimed AS ("
        " INSERT INTO inbox (consumer, event_id, processed_at)"
        " SELECT CAST(:queue AS varchar), e, now()"
        " FROM unnest(CAST(:event_ids AS varchar[])) AS t(e)"
        " ON CONFLICT DO NOTHING RETURNING event_id"
        "), versions AS ("
        " INSERT INTO entity_version AS v (consumer, entity, subject, version)"
        " SELECT CAST(:queue AS varchar), e, s, n FROM unnest(CAST(:entities AS varchar[]),"
        " CAST(:subjects AS varchar[]), CAST(:versions AS bigint[])) AS t(e, s, n)"
        " ON CONFLICT (consumer, entity, subject)"
        " DO UPDATE SET version = greatest(v.version, excluded.version)"
        " RETURNING v.entity, v.subject, v.version"
        ")"
        " SELECT event_id, NULL AS entity, NULL AS subject, NULL AS version FROM claimed"
        " UNION ALL SELECT NULL, entity, subject, version FROM versions"
    )
    STORE_VERSIONS = sa.text(
        "INSERT INTO entity_version AS v (consumer, entity, subject, version)"
        " SELECT CAST(:queue AS varchar), e, s, n FROM unnest(CAST(:entities AS varchar[]),"
        " CAST(:subjects AS varchar[]), CAST(:versions AS bigint[])) AS t(e, s, n)"
        " ON CONFLICT (consumer, entity, subject) DO UPDATE SET version = excluded.version"
    )

    def record(
        self,
        conn: sa.Connection,
        queue: str,
        event_ids: list[str],
        targets: dict[VersionKey, int],
    ) -> tuple[set[str], dict[VersionKey, int]]:
        claimed: set[str] = set()
        versions: dict[VersionKey, int] = {}
        for row in conn.execute(self.RECORD, {**_arrays(queue, targets), "event_ids": event_ids}):
            if row.event_id is not None:
                claimed.add(row.event_id)
            else:
                versions[(row.entity, row.subject)] = row.version
        return claimed, versions

    def store_versions(
        self, conn: sa.Connection, queue: str, versions: dict[VersionKey, int]
    ) -> None:
        conn.execute(self.STORE_VERSIONS, _arrays(queue, versions))


def _arrays(queue: str, versions: dict[VersionKey, int]) -> dict[str, object]:
    return {
        "queue": queue,
        "entities": [e for e, _ in versions],
        "subjects": [s for _, s in versions],
        "versions": list(versions.values()),
    }


class _SqliteLedger:
    """SQLite has no arrays and one writer at a time: plain statements."""

    def record(
        self,
        conn: sa.Connection,
        queue: str,
        event_ids: list[str],
        targets: dict[VersionKey, int],
    ) -> tuple[set[str], dict[VersionKey, int]]:
        now = datetime.now(UTC)
        claimed = conn.execute(
            sqlite_insert(inbox)
            .values([{"consumer": queue, "event_id": i, "processed_at": now} for i in event_ids])
            .on_conflict_do_nothing()
            .returning(inbox.c.event_id)
        )
        ids = set(claimed.scalars())
        if not targets:
            return ids, {}
        conn.execute(
            sqlite_insert(entity_version).on_conflict_do_nothing(),
            [{"consumer": queue, "entity": e, "subject": s, "version": 0} for e, s in targets],
        )
        rows = conn.execute(
            sa.select(entity_version.c.entity, entity_version.c.subject, entity_version.c.version)
            .where(entity_version.c.consumer == queue)
            .where(entity_version.c.subject.in_({s for _, s in targets}))
        )
        stored = {(r.entity, r.subject): r.version for r in rows}
        raised = {k: t for k, t in targets.items() if t > stored[k]}
        if raised:
            self.store_versions(conn, queue, raised)
        return ids, {k: max(stored[k], t) for k, t in targets.items()}

    def store_versions(
        self, conn: sa.Connection, queue: str, versions: dict[VersionKey, int]
    ) -> None:
        conn.execute(
            entity_version.update()
            .where(entity_version.c.consumer == queue)
            .where(entity_version.c.entity == sa.bindparam("b_entity"))
            .where(entity_version.c.subject == sa.bindparam("b_subject"))
            .values(version=sa.bindparam("b_version")),
            [{"b_entity": e, "b_subject": s, "b_version": v} for (e, s), v in versions.items()],
        )


_POSTGRESQL = _PostgresqlLedger()
_SQLITE = _SqliteLedger()
