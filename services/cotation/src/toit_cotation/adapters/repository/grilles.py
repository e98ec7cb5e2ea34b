"""Grids: add, save (revision checked), read, list, next version."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from toit_cotation.adapters.tables import grilles
from toit_cotation.domain.grille import EtatGrille, Grille, GrilleDefinition


def _grille_de_ligne(row: Any) -> Grille:
    return Grille(
        definition=GrilleDefinition.model_validate(row.definition),
        version=row.version,
        id=row.id,
        etat=EtatGrille(row.etat),
        revision=row.revision,
        creee_le=row.creee_le,
        publiee_le=row.publiee_le,
        archivee_le=row.archivee_le,
    )


def _valeurs_grille(grille: Grille) -> dict[str, Any]:
    d = grille.definition
    return {
        "epci": d.epci,
        "population": d.population.value,
        "version": grille.version,
        "etat": grille.etat.value,
        "revision": grille.revision,
        "libelle": d.libelle,
        "date_effet": d.date_effet,
        "exemple": d.exemple,
        "definition": d.model_dump(mode="json"),
        "creee_le": grille.creee_le,
        "publiee_le": grille.publiee_le,
        "archivee_le": grille.archivee_le,
    }


async def ajouter_grille(session: AsyncSession, grille: Grille) -> None:
    await session.execute(grilles.insert().values(id=grille.id, **_valeurs_grille(grille)))


async def enregistrer_grille(session: AsyncSession, grille: Grille, revision_lue: int) -> bool:
    """Save a changed grid if nobody changed it since `revision_lue` (optimistic lock)."""
    result = await session.execute(
        grilles.update()
        .where((grilles.c.id == grille.id) & (grilles.c.revision == revision_lue))
        .values(**_valeurs_grille(grille))
    )
    return getattr(result, "rowcount", 0) == 1


async def grille(session: AsyncSession, grille_id: UUID) -> Grille | None:
    row = (await session.execute(sa.select(grilles).where(grilles.c.id == grille_id))).first()
    return None if row is None else _grille_de_ligne(row)


async def prochaine_version(session: AsyncSession, epci: str, population: str) -> int:
    courante = (
        await session.execute(
            sa.select(sa.func.max(grilles.c.version)).where(
                (grilles.c.epci == epci) & (grilles.c.population == population)
            )
        )
    ).scalar_one_or_none()
    return (courante or 0) + 1


async def lister_grilles(
    session: AsyncSession, *, epci: str | None = None, etat: str | None = None
) -> list[Grille]:
    query = sa.select(grilles).order_by(
        grilles.c.epci, grilles.c.population, grilles.c.version.desc()
    )
    if epci is not None:
        query = query.where(grilles.c.epci == epci)
    if etat is not None:
        query = query.where(grilles.c.etat == etat)
    return [_grille_de_ligne(row) for row in await session.execute(query)]
