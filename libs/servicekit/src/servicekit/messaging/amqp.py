"""RabbitMQ transport on aio-pika.

Topology, per consuming queue Q bound to the topic exchange `toit.events`:
- Q: quorum queue with a delivery limit; past it the broker dead-letters to Q.dlq
  (a message that crashes its consumer again and again cannot loop forever);
- Q.retry.N: one durable queue per retry delay, whose message TTL dead-letters
  back into Q (the delayed-message plugin is not used);
- Q.dlq: quorum queue of dead letters, with the error in the headers.
A message is acknowledged only after its effect is committed, or after its
retry or dead-letter copy has been confirmed by the broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

import aio_pika
import aiormq
import structlog
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)
from aiormq.abc import ChannelFrame
from pamqp.body import ContentBody
from pamqp.commands import Basic
from pamqp.common import FieldTable
from pamqp.header import ContentHeader

from servicekit.messaging.transport import (
    EXCHANGE,
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
    Outcome,
    OutcomeKind,
    OutgoingMessage,
    QueueSpec,
)

log = structlog.get_logger(__name__)
CONTENT_TYPE = "application/cloudevents+json"


class AmqpTransport:
    def __init__(self, url: str, *, timeout: float = 10.0, publish_timeout: float = 30.0) -> None:
        self._url = url
        self._timeout = timeout
        self._publish_timeout = publish_timeout
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._consumers: list[tuple[AbstractQueue, str]] = []
        self._workers: list[asyncio.Task[None]] = []
        self._channels: list[AbstractChannel] = []

    async def connect(self) -> None:
        if self._connection is not None:
            return
        self._connection = await aio_pika.connect_robust(
            self._url, timeout=self._timeout, client_properties={"connection_name": "toit"}
        )
        self._publish_channel = await self._connection.channel(publisher_confirms=True)
        self._exchange = await self._publish_channel.declare_exchange(
            EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )

    @property
    def is_connected(self) -> bool:
        # A robust connection is "closed" only once close() is called: while it
        # reconnects, `connected` is cleared and the publish channel is closed.
        connection, channel = self._connection, self._publish_channel
        return (
            connection is not None
            and not connection.is_closed
            and connection.connected.is_set()
            and channel is not None
            and not channel.is_closed
        )

    async def close(self) -> None:
        await self.stop_consuming()
        if self._connection is not None:
            await self._connection.close()
        self._connection = None

    def _require(self) -> tuple[AbstractRobustConnection, AbstractChannel, AbstractExchange]:
        if self._connection is None or self._publish_channel is None or self._exchange is None:
            raise ConnectionError("AMQP transport not connected")
        return self._connection, self._publish_channel, self._exchange

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        _, publish_channel, _ = self._require()
        if publish_channel.is_closed:
            # Reconnecting: fail now, the relay retries with backoff.
            raise ConnectionError("AMQP publish channel closed")
        async with asyncio.timeout(self._publish_timeout):
            await self._publish_confirmed(publish_channel, messages)

    async def _publish_confirmed(
        self, publish_channel: AbstractChannel, messages: Sequence[OutgoingMessage]
    ) -> None:
        # aiormq sends every basic_publish in its own socket write, each through a
        # task and the channel lock: most of the relay's CPU, and as many reads for
        # the broker. Here the frames of the whole batch go out in one write, with a
        # confirmation future per message registered as basic_publish registers it
        # (public attributes of aiormq's channel; the relay's tests break if they
        # change). A Basic.Nack or a closed channel fails the future, so the batch.
        # Not mandatory: the broker confirms and drops an event no queue is bound to.
        channel = cast(aiormq.Channel, await publish_channel.get_underlay_channel())
        confirmations: list[asyncio.Future[Any]] = []
        frames: list[Any] = []
        async with channel.lock:
            for m in messages:
                channel.delivery_tag += 1
                confirmation = channel.create_future()
                channel.confirmations[channel.delivery_tag] = confirmation
                confirmations.append(confirmation)
                frames.append(Basic.Publish(exchange=EXCHANGE, routing_key=m.routing_key))
                frames.append(
                    ContentHeader(
                        properties=_properties(m.message_id, m.headers), body_size=len(m.body)
                    )
                )
                frames.extend(_body_frames(m.body, channel.max_content_size))
            await channel.write_queue.put(
                ChannelFrame.marshall(channel_number=channel.number, frames=frames)
            )
        await asyncio.gather(*confirmations)

    async def declare(self, spec: QueueSpec) -> None:
        connection, _, _ = self._require()
        channel = await connection.channel()
        try:
            await self._declare_on(channel, spec)
        finally:
            await channel.close()

    async def _declare_on(self, channel: AbstractChannel, spec: QueueSpec) -> AbstractQueue:
        exchange = await channel.declare_exchange(
            EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        await channel.declare_queue(
            spec.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"}
        )
        queue = await channel.declare_queue(
            spec.name,
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-delivery-limit": spec.delivery_limit,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": spec.dead_letter_queue,
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            },
        )
        for pattern in spec.bindings:
            await queue.bind(exchange, routing_key=pattern)
        for attempt, delay in enumerate(spec.retry.delays, start=1):
            await channel.declare_queue(
                spec.retry_queue(attempt),
                durable=True,
                arguments={
                    "x-message-ttl": int(delay * 1000),
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": spec.name,
                },
            )
        return queue

    async def consume(
        self, spec: QueueSpec, handler: BatchHandler, batch_size: int, workers: int = 1
    ) -> None:
        connection, _, _ = self._require()
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=spec.prefetch)
        queue = await self._declare_on(channel, spec)
        pending: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        acks = _Acks()

        async def on_message(message: AbstractIncomingMessage) -> None:
            acks.delivered(message)
            pending.put_nowait(message)

        tag = await queue.consume(on_message, no_ack=False)
        self._channels.append(channel)
        self._consumers.append((queue, tag))
        for _ in range(workers):
            self._workers.append(
                asyncio.create_task(self._work(spec, handler, batch_size, pending, acks))
            )

    async def subscribe_broadcast(self, bindings: Sequence[str], handler: BroadcastHandler) -> None:
        connection, _, exchange = self._require()
        channel = await connection.channel()
        self._channels.append(channel)
        # A client-chosen name: the robust channel declares it again after a reconnection
        # (server-named "amq.gen-" queues cannot be declared by a client).
        queue = await channel.declare_queue(
            f"toit.broadcast.{uuid.uuid4().hex}", exclusive=True, auto_delete=True
        )
        for binding in bindings:
            await queue.bind(exchange, routing_key=binding)

        async def on_message(message: AbstractIncomingMessage) -> None:
            try:
                await handler(
                    Delivery(
                        message_id=message.message_id or "",
                        routing_key=message.routing_key or "",
                        body=message.body,
                        headers={},
                    )
                )
            except Exception:
                log.exception("broadcast.handler_failed", routing_key=message.routing_key)

        tag = await queue.consume(on_message, no_ack=True)
        self._consumers.append((queue, tag))

    async def stop_consuming(self) -> None:
        for queue, tag in self._consumers:
            with contextlib.suppress(Exception):
                await queue.cancel(tag)
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for channel in self._channels:
            with contextlib.suppress(Exception):
                await channel.close()
        self._consumers.clear()
        self._workers.clear()
        self._channels.clear()

    async def _work(
        self,
        spec: QueueSpec,
        handler: BatchHandler,
        batch_size: int,
        pending: asyncio.Queue[AbstractIncomingMessage],
        acks: _Acks,
    ) -> None:
        while True:
            batch = [await pending.get()]
            while len(batch) < batch_size and not pending.empty():
                batch.append(pending.get_nowait())
            deliveries = [_delivery(m) for m in batch]
            try:
                outcomes = await handler(deliveries)
            except Exception:
                log.exception("consumer.batch_failed", queue=spec.name, size=len(batch))
                for message in batch:
                    await acks.requeue(message)
                await asyncio.sleep(1.0)
                continue
            settled: list[AbstractIncomingMessage] = []
            for message, delivery, outcome in zip(batch, deliveries, outcomes, strict=True):
                if outcome.kind is OutcomeKind.ACK or await self._copy(spec, delivery, outcome):
                    settled.append(message)
                else:
                    await acks.requeue(message)
            await acks.ack(settled)

    async def _copy(self, spec: QueueSpec, delivery: Delivery, outcome: Outcome) -> bool:
        """Publish the retry or dead-letter copy of a failed delivery; True once
        the broker has confirmed it."""
        if outcome.kind is OutcomeKind.RETRY and delivery.attempt < spec.retry.max_retries:
            target = spec.retry_queue(delivery.attempt + 1)
            headers = {**delivery.headers, H_ATTEMPT: str(delivery.attempt + 1)}
            headers[H_ERROR] = outcome.error or ""
        else:
            target = spec.dead_letter_queue
            headers = {
                **delivery.headers,
                H_ATTEMPT: str(delivery.attempt),
                H_ERROR: outcome.error or "",
                H_ERROR_TYPE: outcome.error_type or "",
                H_FAILED_AT: datetime.now(UTC).isoformat(),
                H_ORIGINAL_QUEUE: spec.name,
                H_ROUTING_KEY: delivery.routing_key,
            }
        try:
            _, channel, _ = self._require()
            async with asyncio.timeout(self._publish_timeout):
                await channel.default_exchange.publish(
                    _amqp_message(
                        delivery.body, delivery.message_id, headers, delivery.routing_key
                    ),
                    routing_key=target,
                )
        except Exception:
            # The copy is not safely stored: keep the original in the queue.
            log.warning("consumer.requeue_after_failed_copy", queue=spec.name, target=target)
            return False
        return True

    async def dead_letters(self, queue: str, limit: int = 100) -> list[DeadLetter]:
        connection, _, _ = self._require()
        channel = await connection.channel()
        try:
            dlq = await channel.get_queue(f"{queue}.dlq", ensure=True)
            letters: list[DeadLetter] = []
            while len(letters) < limit:
                message = await dlq.get(no_ack=False, fail=False)
                if message is None:
                    break
                letters.append(_dead_letter(message))
            return letters
        finally:
            await channel.close()  # unacknowledged gets return to the queue

    async def replay(self, queue: str, message_ids: Sequence[str] | None = None) -> int:
        connection, publish_channel, _ = self._require()
        channel = await connection.channel()
        replayed = 0
        try:
            dlq = await channel.get_queue(f"{queue}.dlq", ensure=True)
            while True:
                message = await dlq.get(no_ack=False, fail=False)
                if message is None:
                    break
                letter = _dead_letter(message)
                if message_ids is not None and letter.message_id not in message_ids:
                    continue
                headers = {k: v for k, v in letter.headers.items() if not k.startswith("x-toit-")}
                headers[H_REPLAYED_AT] = datetime.now(UTC).isoformat()
                await publish_channel.default_exchange.publish(
                    _amqp_message(letter.body, letter.message_id, headers, letter.routing_key),
                    routing_key=queue,
                )
                await message.ack()
                replayed += 1
        finally:
            await channel.close()
        return replayed


def _amqp_message(
    body: bytes, message_id: str, headers: dict[str, str], routing_key: str | None = None
) -> aio_pika.Message:
    if routing_key is not None:
        headers = {**headers, H_ROUTING_KEY: routing_key}
    return aio_pika.Message(
        body,
        message_id=message_id,
        headers=dict(headers),
        content_type=CONTENT_TYPE,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


def _properties(message_id: str, headers: dict[str, str]) -> Basic.Properties:
    return Basic.Properties(
        message_id=message_id,
        headers=cast(FieldTable, headers) if headers else None,
        content_type=CONTENT_TYPE,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT.value,
    )


def _body_frames(body: bytes, max_size: int) -> list[ContentBody]:
    return [ContentBody(body[i : i + max_size]) for i in range(0, len(body), max_size)]


def _plain_headers(raw: dict[str, Any] | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in (raw or {}).items():
        if isinstance(value, bytes):
            headers[key] = value.decode(errors="replace")
        elif isinstance(value, str | int | float | bool):
            headers[key] = str(value)
    return headers


def _delivery(message: AbstractIncomingMessage) -> Delivery:
    headers = _plain_headers(message.headers)
    routing_key = headers.get(H_ROUTING_KEY) or message.routing_key or ""
    return Delivery(
        message_id=message.message_id or "",
        routing_key=routing_key,
        body=message.body,
        headers=headers,
        attempt=int(headers.get(H_ATTEMPT, "0") or 0),
        redelivered=bool(message.redelivered),
    )


def _dead_letter(message: AbstractIncomingMessage) -> DeadLetter:
    headers = _plain_headers(message.headers)
    if H_ERROR not in headers:
        # Dead-lettered by the broker itself (delivery limit reached).
        reason = _plain_headers(message.headers).get("x-first-death-reason", "unknown")
        headers[H_ERROR] = f"dead-lettered by the broker: {reason}"
    return DeadLetter(
        message_id=message.message_id or "",
        routing_key=headers.get(H_ROUTING_KEY) or message.routing_key or "",
        body=message.body,
        headers=headers,
    )


class _Acks:
    """Acknowledges the deliveries of one consumer channel in few frames.

    A multiple ack settles every delivery up to its tag: one is sent when the
    settled messages are the oldest open deliveries. Messages settled while an
    older delivery is still being handled (by another worker) are acknowledged
    one by one, so that they do not hold prefetch slots meanwhile."""

    def __init__(self) -> None:
        self._channel: Any = None
        # Delivery tag -> settled, oldest first, of the deliveries not yet acknowledged.
        self._open: dict[int, bool] = {}

    def delivered(self, message: AbstractIncomingMessage) -> None:
        if message.channel is not self._channel:
            # Channel reopened after a connection loss: the broker requeued
            # everything open on the old one, and tags start again.
            self._channel = message.channel
            self._open.clear()
        if message.delivery_tag is not None:
            self._open[message.delivery_tag] = False

    async def ack(self, messages: Sequence[AbstractIncomingMessage]) -> None:
        """Acknowledge messages whose effects are committed or whose copy is confirmed."""
        mine = [m for m in messages if self._owns(m)]
        for message in mine:
            self._open[cast(int, message.delivery_tag)] = True
        last = None
        while self._open:
            tag, settled = next(iter(self._open.items()))
            if not settled:
                break
            del self._open[tag]
            last = tag
        if last is not None:
            await _settle_safely(self._channel.basic_ack(last, multiple=True))
        for message in mine:
            if self._open.pop(cast(int, message.delivery_tag), None) is not None:
                await _settle_safely(message.ack())

    async def requeue(self, message: AbstractIncomingMessage) -> None:
        if self._owns(message):
            del self._open[cast(int, message.delivery_tag)]
        await _settle_safely(message.nack(requeue=True))

    def _owns(self, message: AbstractIncomingMessage) -> bool:
        try:
            channel = message.channel
        except Exception:
            return False  # closed: the broker requeued the message
        return channel is self._channel and message.delivery_tag in self._open


async def _settle_safely(settle: Any) -> None:
    # After a connection loss the broker has already requeued the message.
    with contextlib.suppress(Exception):
        await settle
