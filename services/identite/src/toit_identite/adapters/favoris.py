"""Reads and writes of the favourites (table favori)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from toit_identite.adapters.repository import utc
from toit_identite.adapters.tables import favori
from toit_identite.domain.favoris import Favori, TypeFavori


def _favori(row: Any) -> Favori:
    return Favori(
        id=row.id,
        compte_id=row.compte_id,
        type=TypeFavori(row.type),
        cible=row.cible,
        libelle=row.libelle,
        cree_le=utc(row.cree_le),  # type: ignore[arg-type]
    )


async def ajouter(session: AsyncSession, f: Favori) -> bool:
    """False when the account already has this favourite (a concurrent addition)."""
    try:
        async with session.begin_nested():
            await session.execute(
                favori.insert().values(
                    id=f.id,
                    compte_id=f.compte_id,
                    type=f.type.value,
                    cible=f.cible,
                    libelle=f.libelle,
                    cree_le=f.cree_le,
                )
            )
    except sa.exc.IntegrityError:
        return False
    return True


async def du_compte(session: AsyncSession, compte_id: str) -> list[Favori]:
    query = (
        sa.select(favori)
        .where(favori.c.compte_id == compte_id)
        .order_by(favori.c.cree_le, favori.c.id)
    )
    return [_favori(row) for row in (await session.execute(query)).all()]


async def retirer(session: AsyncSession, compte_id: str, favori_id: str) -> bool:
    result = await session.execute(
        favori.delete().where(favori.c.id == favori_id, favori.c.compte_id == compte_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
