"""Every API timestamp carries its UTC offset, on SQLite too (issue 11 item 9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from servicekit.horodatage import HorodatageUtc, colonnes_sans_fuseau


async def test_sqlite_gives_back_aware_utc_datetimes() -> None:
    metadata = sa.MetaData()
    table = sa.Table(
        "t",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("h", HorodatageUtc()),
    )
    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    paris = timezone(timedelta(hours=1))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(
            table.insert(),
            [{"id": 1, "h": datetime(2026, 1, 12, 11, 0, tzinfo=paris)}, {"id": 2, "h": None}],
        )
        lus = (await conn.execute(sa.select(table.c.h).order_by(table.c.id))).scalars().all()
    await engine.dispose()
    assert lus == [datetime(2026, 1, 12, 10, 0, tzinfo=UTC), None]
    assert lus[0] is not None and lus[0].isoformat() == "2026-01-12T10:00:00+00:00"


def test_the_consultation_trace_is_utc_aware() -> None:
    from servicekit.messaging.tables import messaging_metadata

    assert colonnes_sans_fuseau(messaging_metadata) == [
        "outbox.created_at",  # written by the relay through asyncpg, never served by an API
        "outbox.published_at",
        "inbox.processed_at",
    ]
