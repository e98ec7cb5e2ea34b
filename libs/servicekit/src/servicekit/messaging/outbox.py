"""Transactional outbox and its relay.

The unit of work inserts event rows in the caller's transaction: the event exists if
and only if the state change commits. The relay publishes pending rows in
order, in batches, with publisher confirms, then marks them sent in the same
transaction that locked them (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
replicas share the work without publishing a row twice). If the broker is
unreachable the transaction rolls back and the relay retries with backoff;
a crash between publish and mark re-sends the batch: delivery is at least
once and consumers are idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import structlog

from servicekit import metrics
from servicekit.db import Database
from servicekit.messaging.tables import outbox
from servicekit.messaging.transport import OutgoingMessage, Transport
from servicekit.tracing import current_traceparent
from toit_contracts import IntegrationEvent

log = structlog.get_logger(__name__)

# One array parameter: the same statement (prepared once) whatever the batch size.
_MARK_SENT = sa.text(
    "UPDATE outbox SET published_at = now() WHERE id = ANY(CAST(:ids AS bigint[]))"
)


def outbox_row(event: IntegrationEvent, source: str) -> dict[str, object]:
    """The outbox row of an event, with the current trace context in its envelope."""
    envelope = event.to_cloudevent(source=source, traceparent=current_traceparent())
    return {
        "event_id": envelope.id,
        "event_type": envelope.type,
        "envelope": envelope.to_json_bytes(),
        "created_at": envelope.time,
    }


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        transport: Transport,
        *,
        service: str,
        batch_size: int = 500,
        poll_interval: float = 0.25,
        max_backoff: float = 30.0,
        retention: timedelta = timedelta(days=7),
    ) -> None:
        self._db = db
        self._transport = transport
        self._service = service
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._max_backoff = max_backoff
        self._retention = retention
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._last_cleanup = datetime.min.replace(tzinfo=UTC)
        query = (
            sa.select(outbox.c.id, outbox.c.event_id, outbox.c.event_type, outbox.c.envelope)
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.id)
            .limit(batch_size)
        )
        self._select_pending = query.with_for_update(skip_locked=True) if db.is_postgres else query

    def notify(self) -> None:
        """Called after a commit that staged events: publish without waiting for the poll."""
        self._wakeup.set()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self._service}")

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        backoff = 0.1
        while not self._stopping:
            try:
                published = await self.publish_pending()
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                metrics.relay_failures.labels(self._service).inc()
                log.warning("outbox.relay_retry", error=type(exc).__name__, backoff_s=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)
                continue
            if published == 0:
                await self._cleanup_if_due()
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a
                # cancellation that lands as the event is set, and stop() hangs.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll_interval):
                        await self._wakeup.wait()
                self._wakeup.clear()

    async def publish_pending(self) -> int:
        """Publish every pending row, batch by batch; returns how many were sent."""
        total = 0
        while True:
            sent = await self._publish_batch()
            total += sent
            if sent < self._batch_size:
                return total

    async def _publish_batch(self) -> int:
        async with self._db.engine.begin() as conn:
            rows = (await conn.execute(self._select_pending)).all()
            if not rows:
                return 0
            await self._transport.publish(
                [
                    OutgoingMessage(
                        message_id=r.event_id, routing_key=r.event_type, body=r.envelope
                    )
                    for r in rows
                ]
            )
            ids = [r.id for r in rows]
            if self._db.is_postgres:
                await conn.execute(_MARK_SENT, {"ids": ids})
            else:
                await conn.execute(
                    outbox.update()
                    .where(outbox.c.id.in_(ids))
                    .values(published_at=datetime.now(UTC))
                )
        metrics.events_published.labels(self._service).inc(len(rows))
        return len(rows)

    async def _cleanup_if_due(self) -> None:
        now = datetime.now(UTC)
        if now - self._last_cleanup < timedelta(hours=1):
            return
        self._last_cleanup = now
        async with self._db.session() as session, session.begin():
            await session.execute(
                outbox.delete().where(outbox.c.published_at < now - self._retention)
            )

    async def pending_count(self) -> int:
        async with self._db.session() as session:
            query = sa.select(sa.func.count()).where(outbox.c.published_at.is_(None))
            return int((await session.execute(query)).scalar_one())
