"""SQL of the attributions kept for the waiting time (table `attributions`)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from toit_cotation.adapters.tables import attributions


async def enregistrer(session: AsyncSession, lignes: list[dict[str, Any]]) -> None:
    """Insert, ignoring an attribution already recorded (a replay)."""
    if not lignes:
        return
    insert: Any = (
        postgresql.insert(attributions)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite_insert(attributions)
    )
    await session.execute(insert.values(lignes).on_conflict_do_nothing())


async def delais(session: AsyncSession, epci: str, typologie: str, depuis: date) -> list[int]:
    resultat = await session.execute(
        sa.select(attributions.c.delai_jours)
        .where(attributions.c.epci == epci)
        .where(attributions.c.typologie == typologie)
        .where(attributions.c.date_signature >= depuis)
    )
    return [int(d) for d in resultat.scalars()]
