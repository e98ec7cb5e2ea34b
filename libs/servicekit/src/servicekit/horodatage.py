"""Timestamps that always carry their UTC offset, on PostgreSQL and on SQLite.

PostgreSQL's timestamptz comes back aware; SQLite (the embedded mode) stores text and gives
naive datetimes back, which an API then prints without offset ("2026-01-12T10:00:00"). A
column typed `HorodatageUtc` stores every value in UTC and reads it back aware in UTC, so
every API timestamp carries its offset whatever the database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa


class HorodatageUtc(sa.types.TypeDecorator[datetime]):
    """DateTime(timezone=True) that writes UTC and reads aware UTC datetimes (a naive
    value is taken as UTC, as the services only ever write datetime.now(UTC))."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return en_utc(value)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        return en_utc(value)


def en_utc(value: datetime | None) -> datetime | None:
    """A datetime read outside the typed columns (raw SQL, SQLite): aware, in UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def colonnes_sans_fuseau(metadata: sa.MetaData) -> list[str]:
    """Timestamp columns not typed HorodatageUtc (services' tests expect none)."""
    return [
        f"{table.name}.{column.name}"
        for table in metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, sa.DateTime)
    ]
