"""The two event archives.

- `ArchiveFlux`: a RabbitMQ stream queue (`x-queue-type: stream`) bound to the
  events exchange with `#`, so the broker itself appends every integration event;
  retention by age and size from the settings. Read over AMQP 0.9.1 with
  `x-stream-offset` (a stream consumer needs a prefetch and manual acks; the ack
  only returns credit: a stream keeps its messages).
- `ArchiveTable`: the embedded mode's equivalent, a table filled by an in-process
  consumer bound to `#` (`archiver`); one SQLite writer, so positions are in
  commit order.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import aio_pika
import sqlalchemy as sa
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from servicekit.db import Database
from servicekit.messaging.transport import EXCHANGE, Delivery, Outcome
from toit_observatoire.adapters.tables import archive_evenement
from toit_observatoire.domain.ports import EvenementArchive

FILE_ARCHIVE = "toit.observatoire.archive"


def arguments_flux(max_age: str, max_bytes: int, segment_bytes: int) -> dict[str, Any]:
    return {
        "x-queue-type": "stream",
        "x-max-age": max_age,
        "x-max-length-bytes": max_bytes,
        "x-stream-max-segment-size-bytes": segment_bytes,
    }


class ArchiveFlux:
    def __init__(
        self,
        amqp_url: str,
        *,
        queue: str = FILE_ARCHIVE,
        max_age: str = "3650D",
        max_bytes: int = 50_000_000_000,
        segment_bytes: int = 100_000_000,
        prefetch: int = 2000,
    ) -> None:
        self._url = amqp_url
        self.queue = queue
        self._arguments = arguments_flux(max_age, max_bytes, segment_bytes)
        self._prefetch = prefetch
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._tag: str | None = None
        self._received: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        self._next: int | None = None

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
                self._url, client_properties={"connection_name": "toit-observatoire-archive"}
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

    async def lire(self, depuis: int, limite: int, attente: float) -> list[EvenementArchive]:
        if self._next != depuis or self._channel is None or self._channel.is_closed:
            await self._subscribe(depuis)
            self._next = depuis
        lot: list[EvenementArchive] = []
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
            if offset < depuis or (lot and offset <= lot[-1].position):
                continue
            lot.append(EvenementArchive(offset, message.body))
        if lot:
            self._next = lot[-1].position + 1
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


class ArchiveTable:
    def __init__(self, db: Database, poll_interval: float = 0.2) -> None:
        self._db = db
        self._poll = poll_interval
        self.nouveau = asyncio.Event()

    async def lire(self, depuis: int, limite: int, attente: float) -> list[EvenementArchive]:
        deadline = asyncio.get_running_loop().time() + attente
        while True:
            async with self._db.engine.connect() as conn:
                rows = (
                    await conn.execute(
                        sa.select(archive_evenement.c.position, archive_evenement.c.corps)
                        .where(archive_evenement.c.position >= depuis)
                        .order_by(archive_evenement.c.position)
                        .limit(limite)
                    )
                ).all()
            if rows:
                return [EvenementArchive(int(p), bytes(c)) for p, c in rows]
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return []
            self.nouveau.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.nouveau.wait(), min(self._poll, remaining))

    async def fin(self) -> int:
        async with self._db.engine.connect() as conn:
            last = (
                await conn.execute(sa.select(sa.func.max(archive_evenement.c.position)))
            ).scalar()
        return 0 if last is None else int(last) + 1

    async def fermer(self) -> None:
        return None

    async def archiver(self, deliveries: Sequence[Delivery]) -> list[Outcome]:
        """Batch handler of the in-process archive consumer: one row per event,
        a redelivered copy (same id) is ignored."""
        now = datetime.now(UTC)
        insert = pg_insert if self._db.is_postgres else sqlite_insert
        try:
            async with self._db.engine.begin() as conn:
                last = (
                    await conn.execute(sa.select(sa.func.max(archive_evenement.c.position)))
                ).scalar()
                first = 0 if last is None else int(last) + 1
                rows = [
                    {
                        "position": first + i,
                        "event_id": d.message_id,
                        "type": d.routing_key,
                        "archive_le": now,
                        "corps": d.body,
                    }
                    for i, d in enumerate(deliveries)
                ]
                # Positions from 0 like a stream's offsets, numbered here: the
                # embedded mode has one writer (a copy skipped leaves a gap).
                await conn.execute(
                    insert(archive_evenement).on_conflict_do_nothing(index_elements=["event_id"]),
                    rows,
                )
        except Exception as exc:
            return [Outcome.retry(exc) for _ in deliveries]
        self.nouveau.set()
        return [Outcome.ack() for _ in deliveries]
