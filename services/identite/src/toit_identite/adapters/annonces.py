"""Reads and writes of the announcements (table annonce)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from toit_identite.adapters.repository import utc
from toit_identite.adapters.tables import annonce
from toit_identite.domain.annonces import Annonce, NiveauAnnonce


def _annonce(row: Any) -> Annonce:
    return Annonce(
        id=row.id,
        departement=row.departement,
        titre=row.titre,
        texte=row.texte,
        niveau=NiveauAnnonce(row.niveau),
        roles=frozenset(row.roles),
        types_organisation=frozenset(row.types_organisation),
        debut=utc(row.debut),  # type: ignore[arg-type]
        fin=utc(row.fin),
        cree_le=utc(row.cree_le),  # type: ignore[arg-type]
        cree_par=row.cree_par,
        modifie_le=utc(row.modifie_le),  # type: ignore[arg-type]
        modifie_par=row.modifie_par,
        version=row.version,
    )


def _valeurs(a: Annonce) -> dict[str, Any]:
    return {
        "id": a.id,
        "departement": a.departement,
        "titre": a.titre,
        "texte": a.texte,
        "niveau": a.niveau.value,
        "roles": sorted(a.roles),
        "types_organisation": sorted(a.types_organisation),
        "debut": a.debut,
        "fin": a.fin,
        "cree_le": a.cree_le,
        "cree_par": a.cree_par,
        "modifie_le": a.modifie_le,
        "modifie_par": a.modifie_par,
        "version": a.version,
    }


async def ajouter(session: AsyncSession, a: Annonce) -> None:
    await session.execute(annonce.insert().values(**_valeurs(a)))


async def enregistrer(session: AsyncSession, a: Annonce, *, version_attendue: int) -> bool:
    """False when another change came first (optimistic lock)."""
    result = await session.execute(
        annonce.update()
        .where(annonce.c.id == a.id, annonce.c.version == version_attendue)
        .values(**_valeurs(a))
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def obtenir(session: AsyncSession, annonce_id: str) -> Annonce | None:
    row = (await session.execute(sa.select(annonce).where(annonce.c.id == annonce_id))).first()
    return _annonce(row) if row else None


async def de_departements(
    session: AsyncSession, departements: Iterable[str], *, en_cours_a: datetime | None = None
) -> list[Annonce]:
    """The announcements of these départements, newest first; only those shown at
    `en_cours_a` when given."""
    query = sa.select(annonce).where(annonce.c.departement.in_(sorted(departements)))
    if en_cours_a is not None:
        query = query.where(
            annonce.c.debut <= en_cours_a,
            sa.or_(annonce.c.fin.is_(None), annonce.c.fin > en_cours_a),
        )
    query = query.order_by(annonce.c.debut.desc(), annonce.c.id).limit(500)
    return [_annonce(row) for row in (await session.execute(query)).all()]
