"""Helpers of identite's queries: UTC moments, token hashes."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime


def utc(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def today_utc(now: datetime) -> date:
    return now.astimezone(UTC).date()
