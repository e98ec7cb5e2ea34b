"""In-process transport with the semantics of the AMQP one (embedded default).

Queues live in memory, so a process crash loses what is in flight; the outbox
still holds every unpublished event and re-sends it at start-up, so nothing a
service committed is lost. Retries wait their delay, dead letters are kept
with their error and can be replayed, poison goes straight to dead letters.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime

from servicekit.messaging.transport import (
    H_ATTEMPT,
    H_ERROR,
    H_ERROR_TYPE,
    H_FAILED_AT,
    H_ORIGINAL_QUEUE,
    H_REPLAYED_AT,
    H_ROUTING_KEY,
    BatchHandler,
    BroadcastHandler,
    DeadLetter,
    Delivery,
    OutcomeKind,
    OutgoingMessage,
    QueueSpec,
    topic_matches,
)


class InMemoryTransport:
    def __init__(self) -> None:
        self._specs: dict[str, QueueSpec] = {}
        self._queues: dict[str, asyncio.Queue[Delivery]] = {}
        self._dead: dict[str, list[DeadLetter]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._timers: set[asyncio.TimerHandle] = set()
        self._connected = False
        self._broadcast: list[tuple[tuple[str, ...], BroadcastHandler]] = []

    async def connect(self) -> None:
        self._connected = True

    async def close(self) -> None:
        await self.stop_consuming()
        self._connected = False

    @property
    def is_connected(self) -> bool:
        return self._connected

    async def declare(self, spec: QueueSpec) -> None:
        self._specs[spec.name] = spec
        self._queues.setdefault(spec.name, asyncio.Queue())
        self._dead.setdefault(spec.dead_letter_queue, [])

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        if not self._connected:
            raise ConnectionError("transport closed")
        for message in messages:
            for bindings, listener in self._broadcast:
                if any(topic_matches(b, message.routing_key) for b in bindings):
                    await listener(
                        Delivery(message.message_id, message.routing_key, message.body, {})
                    )
            for name, spec in self._specs.items():
                if any(topic_matches(b, message.routing_key) for b in spec.bindings):
                    self._queues[name].put_nowait(
                        Delivery(
                            message_id=message.message_id,
                            routing_key=message.routing_key,
                            body=message.body,
                            headers=dict(message.headers),
                        )
                    )

    async def consume(
        self, spec: QueueSpec, handler: BatchHandler, batch_size: int, workers: int = 1
    ) -> None:
        await self.declare(spec)
        for _ in range(workers):
            self._tasks.append(asyncio.create_task(self._consume_loop(spec, handler, batch_size)))

    async def subscribe_broadcast(self, bindings: Sequence[str], handler: BroadcastHandler) -> None:
        self._broadcast.append((tuple(bindings), handler))

    async def stop_consuming(self) -> None:
        self._broadcast.clear()
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def _consume_loop(self, spec: QueueSpec, handler: BatchHandler, batch_size: int) -> None:
        queue = self._queues[spec.name]
        while True:
            batch = [await queue.get()]
            while len(batch) < batch_size and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                outcomes = await handler(batch)
            except Exception:
                # The handler itself broke (not one message): like a consumer
                # crash, every message of the batch is delivered again.
                for delivery in batch:
                    delivery.redelivered = True
                    queue.put_nowait(delivery)
                await asyncio.sleep(0.5)
                continue
            for delivery, outcome in zip(batch, outcomes, strict=True):
                if outcome.kind is OutcomeKind.RETRY and delivery.attempt < spec.retry.max_retries:
                    self._schedule_retry(spec, delivery)
                elif outcome.kind is not OutcomeKind.ACK:
                    self._dead[spec.dead_letter_queue].append(
                        _dead_letter(spec, delivery, outcome.error, outcome.error_type)
                    )

    def _schedule_retry(self, spec: QueueSpec, delivery: Delivery) -> None:
        delay = spec.retry.delays[delivery.attempt]
        retried = Delivery(
            message_id=delivery.message_id,
            routing_key=delivery.routing_key,
            body=delivery.body,
            headers={**delivery.headers, H_ATTEMPT: str(delivery.attempt + 1)},
            attempt=delivery.attempt + 1,
        )
        loop = asyncio.get_running_loop()
        timer: asyncio.TimerHandle

        def fire() -> None:
            self._timers.discard(timer)
            self._queues[spec.name].put_nowait(retried)

        timer = loop.call_later(delay, fire)
        self._timers.add(timer)

    async def dead_letters(self, queue: str, limit: int = 100) -> list[DeadLetter]:
        return list(self._dead.get(f"{queue}.dlq", []))[:limit]

    async def replay(self, queue: str, message_ids: Sequence[str] | None = None) -> int:
        dead = self._dead.get(f"{queue}.dlq", [])
        chosen = [d for d in dead if message_ids is None or d.message_id in message_ids]
        for letter in chosen:
            dead.remove(letter)
            headers = {k: v for k, v in letter.headers.items() if not k.startswith("x-toit-")}
            headers[H_REPLAYED_AT] = datetime.now(UTC).isoformat()
            self._queues[queue].put_nowait(
                Delivery(letter.message_id, letter.routing_key, letter.body, headers)
            )
        return len(chosen)


def _dead_letter(
    spec: QueueSpec, delivery: Delivery, error: str | None, error_type: str | None
) -> DeadLetter:
    headers = {
        **delivery.headers,
        H_ATTEMPT: str(delivery.attempt),
        H_ERROR: error or "",
        H_ERROR_TYPE: error_type or "",
        H_FAILED_AT: datetime.now(UTC).isoformat(),
        H_ORIGINAL_QUEUE: spec.name,
        H_ROUTING_KEY: delivery.routing_key,
    }
    return DeadLetter(delivery.message_id, delivery.routing_key, delivery.body, headers)
