"""What a message transport offers, independent of the broker behind it.

Two transports implement it with the same semantics: `AmqpTransport`
(RabbitMQ through aio-pika) and `InMemoryTransport` (the embedded default).

- `publish` returns only once the broker has accepted every message
  (publisher confirms); it raises otherwise and nothing is marked sent.
- A consumer receives batches of deliveries and answers one `Outcome` each.
  ACK settles the message. RETRY sends it to the next delay of the retry
  policy, or to the dead-letter queue after the last one. DEAD sends it to
  the dead-letter queue at once (schema failures). A message is only settled
  once its copy (retry or dead letter) is safely stored: never acked if lost.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Protocol

EXCHANGE = "toit.events"

# Headers written on retried and dead-lettered messages.
H_ATTEMPT = "x-toit-attempt"
H_ERROR = "x-toit-error"
H_ERROR_TYPE = "x-toit-error-type"
H_FAILED_AT = "x-toit-failed-at"
H_ORIGINAL_QUEUE = "x-toit-queue"
H_ROUTING_KEY = "x-toit-routing-key"
H_REPLAYED_AT = "x-toit-replayed-at"


@dataclass(frozen=True)
class RetryPolicy:
    """Delays in seconds before each new attempt; after the last, dead letter."""

    delays: tuple[float, ...] = (1.0, 10.0, 60.0, 600.0)

    @property
    def max_retries(self) -> int:
        return len(self.delays)


@dataclass(frozen=True)
class QueueSpec:
    name: str
    bindings: tuple[str, ...]
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Deliveries (crash redeliveries included) after which the broker itself
    # dead-letters the message: guards against a message that kills its consumer.
    delivery_limit: int = 10
    prefetch: int = 200

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.name}.dlq"

    def retry_queue(self, attempt: int) -> str:
        return f"{self.name}.retry.{attempt}"


@dataclass(frozen=True)
class OutgoingMessage:
    message_id: str
    routing_key: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Delivery:
    message_id: str
    routing_key: str
    body: bytes
    headers: dict[str, str]
    attempt: int = 0
    redelivered: bool = False


class OutcomeKind(enum.Enum):
    ACK = "ack"
    RETRY = "retry"
    DEAD = "dead"


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    error: str | None = None
    error_type: str | None = None

    @classmethod
    def ack(cls) -> Outcome:
        return cls(OutcomeKind.ACK)

    @classmethod
    def retry(cls, exc: BaseException) -> Outcome:
        return cls(OutcomeKind.RETRY, _describe(exc), type(exc).__name__)

    @classmethod
    def dead(cls, exc: BaseException) -> Outcome:
        return cls(OutcomeKind.DEAD, _describe(exc), type(exc).__name__)


def _describe(exc: BaseException) -> str:
    # Bounded: headers travel with the message.
    return (str(exc) or type(exc).__name__)[:2000]


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    routing_key: str
    body: bytes
    headers: dict[str, str]

    @property
    def error(self) -> str | None:
        return self.headers.get(H_ERROR)

    @property
    def failed_at(self) -> datetime | None:
        value = self.headers.get(H_FAILED_AT)
        return datetime.fromisoformat(value) if value else None


BatchHandler = Callable[[Sequence[Delivery]], Awaitable[Sequence[Outcome]]]
BroadcastHandler = Callable[[Delivery], Awaitable[None]]


class Transport(Protocol):
    async def connect(self) -> None: ...

    async def close(self) -> None: ...

    @property
    def is_connected(self) -> bool: ...

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None: ...

    async def declare(self, spec: QueueSpec) -> None: ...

    async def consume(
        self, spec: QueueSpec, handler: BatchHandler, batch_size: int, workers: int = 1
    ) -> None:
        """Start consuming in the background with `workers` concurrent batch
        handlers; returns once subscribed."""
        ...

    async def subscribe_broadcast(self, bindings: Sequence[str], handler: BroadcastHandler) -> None:
        """Every instance (each replica, each process) gets these events, on a queue of
        its own that lives as long as its connection: no retry, no dead letter, nothing
        kept while the instance is away. For in-memory state such as a deny-list."""
        ...

    async def stop_consuming(self) -> None: ...

    async def dead_letters(self, queue: str, limit: int = 100) -> list[DeadLetter]: ...

    async def replay(self, queue: str, message_ids: Sequence[str] | None = None) -> int:
        """Move dead letters (all, or those ids) back to their queue; returns the count."""
        ...


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic semantics: `*` is exactly one word, `#` zero or more words."""
    return _match(tuple(pattern.split(".")), tuple(routing_key.split(".")))


@lru_cache(maxsize=4096)
def _match(pattern: tuple[str, ...], words: tuple[str, ...]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return _match(rest, words) or (bool(words) and _match(pattern, words[1:]))
    if not words:
        return False
    return head in ("*", words[0]) and _match(rest, words[1:])
