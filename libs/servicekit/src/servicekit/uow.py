"""Unit of work: one database transaction, plus the events it publishes.

    async with runtime.unit_of_work() as uow:
        uow.session.add(thing)
        uow.publish(ThingChanged(...))
        await uow.commit()

Events become outbox rows in the same transaction, so they exist if and only
if the change commits; request handlers never talk to the broker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.util import await_only

from servicekit.db import Database
from servicekit.messaging.outbox import outbox_row
from servicekit.messaging.tables import outbox
from toit_contracts import IntegrationEvent

# Built once: a fresh construct per commit costs a cache-key computation.
_INSERT_OUTBOX = outbox.insert()
_OUTBOX_COLUMNS = ("event_id", "event_type", "envelope", "created_at")
_INSERT_OUTBOX_ASYNCPG = (
    f"INSERT INTO outbox ({', '.join(_OUTBOX_COLUMNS)}) VALUES ($1, $2, $3, $4)"
)

T = TypeVar("T")
R = TypeVar("R")
_COLLECTED = "servicekit.collected"


class CollectedNotApplied(RuntimeError):
    """The session was committed directly, with items collected for `commit` unapplied."""


@sa.event.listens_for(Session, "before_commit")
def _refuse_unapplied(session: Session) -> None:
    # Safety net: a commit that bypasses `UnitOfWork.commit` would record the inbox rows
    # of events whose collected effects were never applied: fail it instead.
    if session.info.get(_COLLECTED):
        raise CollectedNotApplied("effets collectés non appliqués avant la validation")


def _insert_events_and_commit(session: Session, rows: list[dict[str, object]]) -> None:
    # One greenlet runs both the insert and the commit.
    connection = session.connection()
    if connection.dialect.driver == "asyncpg":
        # Straight to asyncpg, in the session's transaction: SQLAlchemy's Core insert
        # (compilation cache, RETURNING of the key, result set-up) cost more CPU than
        # the round trip itself, and this runs once per state change (bench-bus).
        driver: Any = connection.connection.driver_connection
        values = [tuple(row[c] for c in _OUTBOX_COLUMNS) for row in rows]
        if len(values) == 1:
            await_only(driver.execute(_INSERT_OUTBOX_ASYNCPG, *values[0]))
        else:
            await_only(driver.executemany(_INSERT_OUTBOX_ASYNCPG, values))
    else:
        connection.execute(_INSERT_OUTBOX, rows[0] if len(rows) == 1 else rows)
    session.commit()


class UnitOfWork:
    def __init__(
        self, db: Database, source: str, on_events_committed: Callable[[], None] | None = None
    ) -> None:
        self._db = db
        self._source = source
        self._on_events_committed = on_events_committed
        self._rows: list[dict[str, object]] = []
        self._before_commit: list[Callable[[], Awaitable[None]]] = []
        self._session: AsyncSession | None = None
        self._repositories: dict[Callable[[AsyncSession], Any], Any] = {}
        self.committed = False

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work not entered")
        return self._session

    def repository(self, factory: Callable[[AsyncSession], R]) -> R:
        """The repository `factory` builds on this transaction's session, one per unit of
        work. Use cases reach their storage this way, so that unit tests hand them in-memory
        repositories (`servicekit.testing_fakes.FakeUnitOfWork`)."""
        repository = self._repositories.get(factory)
        if repository is None:
            repository = self._repositories[factory] = factory(self.session)
        return repository

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._db.session()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.committed:
            await self.session.rollback()
        await self.session.close()

    def publish(self, event: IntegrationEvent) -> str:
        """Stage an event for this transaction; returns its event id."""
        row = outbox_row(event, self._source)
        self._rows.append(row)
        return str(row["event_id"])

    def before_commit(self, step: Callable[[], Awaitable[None]]) -> None:
        """Run `step` in this transaction when `commit` is called, before the events are
        written: handlers of a consumer batch can queue their work and apply it in a few
        statements for the whole batch (its events are then published with the others)."""
        self._before_commit.append(step)

    def collect(self, apply: Callable[[UnitOfWork, list[T]], Awaitable[None]], item: T) -> None:
        """Queue `item`; when this unit of work commits, `apply` receives every item
        queued for it, once, in the transaction. Handlers of a consumer batch use it to
        write the batch's effects in a few statements instead of a few per event."""
        collected: dict[Any, list[Any]] = self.session.sync_session.info.setdefault(_COLLECTED, {})
        items = collected.get(apply)
        if items is None:
            items = collected[apply] = []

            async def step() -> None:
                await apply(self, collected.pop(apply))

            self.before_commit(step)
        items.append(item)

    async def commit(self) -> None:
        while self._before_commit:
            await self._before_commit.pop(0)()
        if self._rows:
            await self.session.run_sync(_insert_events_and_commit, self._rows)
        else:
            await self.session.commit()
        self.committed = True
        if self._rows and self._on_events_committed is not None:
            self._on_events_committed()
        self._rows = []

    async def rollback(self) -> None:
        self._rows = []
        self._before_commit = []
        self.session.sync_session.info.pop(_COLLECTED, None)
        await self.session.rollback()
