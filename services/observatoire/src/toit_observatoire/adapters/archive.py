"""The two event archives.

- `ArchiveFlux`: servicekit's stream reader (`servicekit.messaging.flux`, which matching
  uses too to replay its read models): a RabbitMQ stream queue
  (`x-queue-type: stream`) bound to the events exchange with `#`, so the broker
  itself appends every integration event; retention by age and size from the
  settings.
- `ArchiveTable`: the embedded mode's equivalent, a table filled by an in-process
  consumer bound to `#` (`archiver`); one SQLite writer, so positions are in
  commit order.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from servicekit.db import Database
from servicekit.messaging.flux import FILE_ARCHIVE, LecteurFlux
from servicekit.messaging.transport import Delivery, Outcome
from toit_observatoire.adapters.tables import archive_evenement
from toit_observatoire.domain.ports import EvenementArchive


class ArchiveFlux(LecteurFlux[EvenementArchive]):
    """The stream reader of servicekit (matching replays the same stream)."""

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
        super().__init__(
            amqp_url,
            EvenementArchive,
            queue=queue,
            nom_connexion="toit-observatoire-archive",
            max_age=max_age,
            max_bytes=max_bytes,
            segment_bytes=segment_bytes,
            prefetch=prefetch,
        )


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


__all__ = ["FILE_ARCHIVE", "ArchiveFlux", "ArchiveTable"]
