"""The event archive as a RabbitMQ stream, and the replay of it into a service's read
models.

- `LecteurFlux`: a stream queue (`x-queue-type: stream`) bound to the events exchange
  with `#`, so the broker itself appends every integration event; retention by age and
  size. Read over AMQP 0.9.1 with `x-stream-offset` (a stream consumer needs a prefetch
  and manual acks; the ack only returns credit: a stream keeps its messages). The
  observatoire declares and follows it (`toit_observatoire.adapters.archive`).
- `rejouer`: any service rebuilds its read models from scratch by reading the archive
  from offset 0 through its own consumers' handlers, in archive order, with the same
  version rule as the live consumer (an event older than what was applied for its
  entity is dropped).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection

from servicekit.messaging.consumer import EventConsumer, HandlerContext, VersionKey, _versioned
from servicekit.messaging.transport import EXCHANGE
from servicekit.uow import UnitOfWork
from toit_contracts import CloudEvent, parse_event

FILE_ARCHIVE = "toit.observatoire.archive"
"""The archive stream (declared by the observatoire, which keeps it: see its settings)."""


@dataclass(frozen=True)
class MessageFlux:
    """One archived integration event: its offset in the stream and its CloudEvent."""

    position: int
    corps: bytes


M = TypeVar("M")


def arguments_flux(max_age: str, max_bytes: int, segment_bytes: int) -> dict[str, Any]:
    return {
        "x-queue-type": "stream",
        "x-max-age": max_age,
        "x-max-length-bytes": max_bytes,
        "x-stream-max-segment-size-bytes": segment_bytes,
    }


class LecteurFlux(Generic[M]):
    """Reads a stream by offset; `fabrique` builds each message (position, body)."""

    def __init__(
        self,
        amqp_url: str,
        fabrique: Callable[[int, bytes], M],
        *,
        queue: str = FILE_ARCHIVE,
        nom_connexion: str = "toit-archive",
        max_age: str = "3650D",
        max_bytes: int = 50_000_000_000,
        segment_bytes: int = 100_000_000,
        prefetch: int = 2000,
    ) -> None:
        self._url = amqp_url
        self._fabrique = fabrique
        self._nom = nom_connexion
        self.queue = queue
        self._arguments = arguments_flux(max_age, max_bytes, segment_bytes)
        self._prefetch = prefetch
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._tag: str | None = None
        self._received: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        self._next: int | None = None
        self._derniere: int = -1

    async def declarer(self) -> None:
        """Declare the stream and bind it to every event (idempotent)."""
        connection = await self._connect()
        channel = await connection.channel()
        try:
            exchange = await channel.declare_exchange(
                EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
            )
            queue = await channel.declare_queue(self.queue, durable=True, arguments=self._arguments)
            await queue.bind(exchange, routing_key="#")
        finally:
            await channel.close()

    async def _connect(self) -> AbstractRobustConnection:
        if self._connection is None:
            self._connection = await aio_pika.connect_robust(
                self._url, client_properties={"connection_name": self._nom}
            )
        return self._connection

    async def _subscribe(self, offset: int | str) -> None:
        await self._unsubscribe()
        connection = await self._connect()
        self._channel = await connection.channel()
        await self._channel.set_qos(prefetch_count=self._prefetch)
        queue = await self._channel.get_queue(self.queue, ensure=False)
        self._received = asyncio.Queue()
        received = self._received

        async def on_message(message: AbstractIncomingMessage) -> None:
            await received.put(message)

        self._tag = await queue.consume(on_message, arguments={"x-stream-offset": offset})

    async def _unsubscribe(self) -> None:
        if self._channel is not None:
            with contextlib.suppress(Exception):
                await self._channel.close()
        self._channel = None
        self._tag = None
        self._next = None

    async def lire(self, depuis: int, limite: int, attente: float) -> list[M]:
        if self._next != depuis or self._channel is None or self._channel.is_closed:
            await self._subscribe(depuis)
            self._next = depuis
        lot: list[M] = []
        derniere = -1
        deadline = asyncio.get_running_loop().time() + attente
        while len(lot) < limite:
            timeout = deadline - asyncio.get_running_loop().time() if not lot else 0.05
            try:
                message = await asyncio.wait_for(self._received.get(), max(timeout, 0.0))
            except TimeoutError:
                break
            offset = int((message.headers or {}).get("x-stream-offset", -1))  # type: ignore[arg-type]
            await message.ack()
            # A stream delivers from the start of the chunk holding the offset asked for.
            if offset < depuis or offset <= derniere:
                continue
            derniere = offset
            lot.append(self._fabrique(offset, message.body))
        if lot:
            self._next = derniere + 1
        return lot

    async def fin(self) -> int:
        """Read the last chunk ("last") and keep its highest offset."""
        connection = await self._connect()
        channel = await connection.channel()
        try:
            await channel.set_qos(prefetch_count=1000)
            queue = await channel.get_queue(self.queue, ensure=False)
            highest = -1
            seen = asyncio.Event()

            async def on_message(message: AbstractIncomingMessage) -> None:
                nonlocal highest
                highest = max(highest, int((message.headers or {})["x-stream-offset"]))  # type: ignore[arg-type]
                await message.ack()
                seen.set()

            await queue.consume(on_message, arguments={"x-stream-offset": "last"})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(seen.wait(), 1.0)
            # The rest of the chunk follows at once.
            while True:
                before = highest
                await asyncio.sleep(0.1)
                if highest == before:
                    break
            return highest + 1
        finally:
            await channel.close()

    async def fermer(self) -> None:
        await self._unsubscribe()
        if self._connection is not None:
            await self._connection.close()
        self._connection = None


class Archive(Protocol):
    async def lire(self, depuis: int, limite: int, attente: float) -> list[MessageFlux]: ...

    async def fin(self) -> int: ...


@dataclass
class Rejeu:
    lus: int = 0  # archived events read
    appliques: int = 0  # given to a handler
    perimes: int = 0  # older than (or equal to) what was applied for their entity
    secondes: float = 0.0

    @property
    def par_seconde(self) -> float:
        return self.lus / self.secondes if self.secondes else 0.0


async def rejouer(
    archive: Archive,
    consumers: Sequence[EventConsumer],
    unit_of_work: Callable[[], UnitOfWork],
    *,
    depuis: int = 0,
    jusqua: int | None = None,
    lot: int = 2000,
) -> Rejeu:
    """Apply the archived events these consumers subscribe to, from `depuis` up to the
    archive's end when the replay starts (or `jusqua`), through the consumers' own
    handlers: one unit of work per lot, events of other types skipped, a copy older than
    the version already replayed for its entity dropped. No inbox row is written: the
    replay rebuilds read models, it does not stand for the live consumers (their
    bookkeeping is untouched, so they go on from their queues afterwards)."""
    debut = time.perf_counter()
    fin = await archive.fin() if jusqua is None else jusqua
    handlers = {t: h for c in consumers for t, h in c.handlers.items()}
    versions: dict[VersionKey, int] = {}
    resultat = Rejeu()
    position = depuis
    while position < fin:
        messages = await archive.lire(position, min(lot, fin - position), 10.0)
        if not messages:
            raise RuntimeError(f"archive interrompue à la position {position} (fin {fin})")
        async with unit_of_work() as uow:
            for message in messages:
                if message.position >= fin:
                    break
                resultat.lus += 1
                envelope = CloudEvent.from_json_bytes(message.corps)
                handler = handlers.get(envelope.type)
                if handler is None:
                    continue
                event = parse_event(envelope)
                versionne = _versioned(envelope, event)
                if versionne is not None:
                    cle, version = versionne
                    if versions.get(cle, -1) >= version:
                        resultat.perimes += 1
                        continue
                    versions[cle] = version
                await handler(HandlerContext(uow=uow, envelope=envelope), event)
                resultat.appliques += 1
            await uow.commit()
        position = messages[-1].position + 1
    resultat.secondes = time.perf_counter() - debut
    return resultat
