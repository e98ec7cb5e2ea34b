"""Reads and writes of drafts, commands and the changeable part of demandes (SQLAlchemy
Core on the caller's session)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from toit_portail.adapters.tables_candidatures import (
    candidatures,
    commandes,
    demandes_modifiables,
)


@dataclass(frozen=True)
class Candidature:
    id: UUID
    compte: str
    departement: str
    parties: dict[str, dict[str, Any]]
    piece: dict[str, Any] | None
    statut: str
    commande_id: UUID | None
    erreurs: list[dict[str, str]] | None
    cree_le: datetime
    modifie_le: datetime
    soumise_le: datetime | None


_SANS_CONTENU = [c for c in candidatures.c if c.name != "piece_contenu"]


async def candidature(
    session: AsyncSession, candidature_id: UUID, compte: str, *, verrou: bool = False
) -> Candidature | None:
    """The draft, if it is this account's (else None: nothing leaks)."""
    query = sa.select(*_SANS_CONTENU).where(
        candidatures.c.id == candidature_id, candidatures.c.compte == compte
    )
    row = (await session.execute(query.with_for_update() if verrou else query)).one_or_none()
    return Candidature(**row._mapping) if row else None


async def candidatures_du_compte(session: AsyncSession, compte: str) -> list[Candidature]:
    rows = await session.execute(
        sa.select(*_SANS_CONTENU)
        .where(candidatures.c.compte == compte, candidatures.c.statut != "ACCEPTEE")
        .order_by(candidatures.c.modifie_le.desc())
    )
    return [Candidature(**row._mapping) for row in rows]


async def ajouter(session: AsyncSession, valeurs: dict[str, Any]) -> None:
    await session.execute(candidatures.insert().values(**valeurs))


async def modifier(session: AsyncSession, candidature_id: UUID, **valeurs: Any) -> None:
    await session.execute(
        candidatures.update().where(candidatures.c.id == candidature_id).values(**valeurs)
    )


async def contenu_piece(session: AsyncSession, candidature_id: UUID) -> bytes | None:
    contenu: bytes | None = (
        await session.execute(
            sa.select(candidatures.c.piece_contenu).where(candidatures.c.id == candidature_id)
        )
    ).scalar_one_or_none()
    return contenu


async def candidature_de_la_commande(session: AsyncSession, commande_id: UUID) -> UUID | None:
    found: UUID | None = (
        await session.execute(
            sa.select(candidatures.c.id).where(candidatures.c.commande_id == commande_id)
        )
    ).scalar_one_or_none()
    return found


# --- commands ------------------------------------------------------------------------------------


async def ajouter_commande(session: AsyncSession, valeurs: dict[str, Any]) -> None:
    await session.execute(commandes.insert().values(**valeurs))


async def repondre_commande(
    session: AsyncSession,
    commande_id: UUID,
    statut: str,
    erreurs: list[dict[str, str]],
    quand: datetime,
) -> bool:
    result = await session.execute(
        commandes.update()
        .where(commandes.c.commande_id == commande_id)
        .values(statut=statut, erreurs=erreurs, traitee_le=quand)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def commandes_de(session: AsyncSession, demande_id: UUID, compte: str) -> list[Any]:
    rows = await session.execute(
        sa.select(commandes)
        .where(commandes.c.demande_id == demande_id, commandes.c.compte == compte)
        .order_by(commandes.c.envoyee_le.desc())
        .limit(10)
    )
    return list(rows)


# --- the changeable part of demandes --------------------------------------------------------------


async def modifiable(session: AsyncSession, demande_id: UUID) -> Any:
    return (
        await session.execute(
            sa.select(demandes_modifiables).where(demandes_modifiables.c.demande_id == demande_id)
        )
    ).one_or_none()


async def garder_modifiable(
    session: AsyncSession,
    demande_id: UUID,
    version: int,
    logement_recherche: dict[str, Any],
    enfants_a_naitre: int,
) -> None:
    """Keep the newest copy (an older version changes nothing)."""
    valeurs = {
        "version": version,
        "logement_recherche": logement_recherche,
        "enfants_a_naitre": enfants_a_naitre,
    }
    updated = await session.execute(
        demandes_modifiables.update()
        .where(
            demandes_modifiables.c.demande_id == demande_id,
            demandes_modifiables.c.version <= version,
        )
        .values(**valeurs)
    )
    if not updated.rowcount and await modifiable(session, demande_id) is None:  # type: ignore[attr-defined]
        await session.execute(
            demandes_modifiables.insert().values(demande_id=demande_id, **valeurs)
        )


async def oublier(session: AsyncSession, demande_id: UUID) -> None:
    """`demande.purgee`: nothing of this demande stays."""
    await session.execute(
        demandes_modifiables.delete().where(demandes_modifiables.c.demande_id == demande_id)
    )
    await session.execute(commandes.delete().where(commandes.c.demande_id == demande_id))
    await session.execute(candidatures.delete().where(candidatures.c.id == demande_id))
