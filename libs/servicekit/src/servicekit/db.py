"""Async SQLAlchemy engine and sessions: PostgreSQL (asyncpg) or SQLite (aiosqlite)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


class Database:
    def __init__(
        self, url: str, *, pool_size: int = 10, max_overflow: int = 10, echo: bool = False
    ) -> None:
        self.url = url
        self.is_postgres = url.startswith("postgresql")
        # orjson reads JSON columns about four times faster than the json module, which
        # dominated bulk reads of JSONB snapshots. Writing keeps the json module: orjson
        # differs on edge cases (non-string keys, NaN) that stored data may contain.
        # hide_parameters: an error's message never carries the values of the statement
        # (names, emails...), whoever logs it.
        kwargs: dict[str, Any] = {
            "echo": echo,
            "json_deserializer": orjson.loads,
            "hide_parameters": True,
        }
        if self.is_postgres:
            # No pool_pre_ping: on asyncpg it costs three round trips per checkout
            # (BEGIN, ping, ROLLBACK). A server that closed the connection (restart,
            # pg_terminate_backend) is seen by asyncpg's protocol at once, so
            # checking at checkout (_discard_closed) replaces the connection as well.
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow)
        else:
            # One writer at a time: SQLite serialises writes; wait instead of failing.
            kwargs.update(connect_args={"timeout": 30})
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_postgres:
            event.listen(self.engine.sync_engine.pool, "checkout", _discard_closed)
        else:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> AsyncSession:
        return self.sessionmaker()

    async def ping(self) -> None:
        from sqlalchemy import text

        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def _discard_closed(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
    if dbapi_conn.driver_connection.is_closed():
        # The pool drops this connection and checks out (or opens) another one.
        raise exc.DisconnectionError("connection closed by the server")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
