"""The charter users accept (versions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from toit_identite.adapters import tables as t


async def current_charte(session: AsyncSession) -> Any | None:
    return (
        (await session.execute(sa.select(t.charte).order_by(t.charte.c.version.desc()).limit(1)))
        .mappings()
        .first()
    )


async def add_charte(
    session: AsyncSession, version: int, texte: str, now: datetime, auteur: str | None
) -> None:
    await session.execute(
        t.charte.insert().values(version=version, texte=texte, publiee_le=now, publiee_par=auteur)
    )
