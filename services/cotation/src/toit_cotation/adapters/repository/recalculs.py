"""Re-scoring jobs: create, next, update, read, list."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from toit_cotation.adapters.repository.commun import (
    is_postgres,
)
from toit_cotation.adapters.tables import recalculs


async def creer_recalcul(session: AsyncSession, valeurs: dict[str, Any]) -> bool:
    """Create a job unless one with the same key exists (replicas, repeated ticks)."""
    existe = (
        await session.execute(sa.select(recalculs.c.id).where(recalculs.c.cle == valeurs["cle"]))
    ).first()
    if existe is not None:
        return False
    await session.execute(recalculs.insert().values(**valeurs))
    return True


async def prochain_recalcul(session: AsyncSession) -> Any | None:
    """The oldest running job, locked for this transaction; another replica skips it."""
    query = (
        sa.select(recalculs)
        .where(recalculs.c.etat == "EN_COURS")
        .order_by(recalculs.c.cree_le)
        .limit(1)
    )
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return (await session.execute(query)).first()


async def mettre_a_jour_recalcul(session: AsyncSession, job_id: UUID, **valeurs: Any) -> None:
    await session.execute(recalculs.update().where(recalculs.c.id == job_id).values(**valeurs))


async def recalcul(session: AsyncSession, job_id: UUID) -> Any | None:
    return (await session.execute(sa.select(recalculs).where(recalculs.c.id == job_id))).first()


async def lister_recalculs(session: AsyncSession, limite: int = 50) -> list[Any]:
    return list(
        await session.execute(
            sa.select(recalculs).order_by(recalculs.c.cree_le.desc()).limit(limite)
        )
    )
