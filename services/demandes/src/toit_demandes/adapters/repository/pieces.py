"""The pièces' rows (their files live in `adapters.stockage`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from toit_demandes.adapters.tables import (
    pieces,
)
from toit_demandes.domain.pieces import StatutPiece


class PieceRepository:
    """The pièces' rows (their files live in `adapters.stockage`)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ajouter(self, ligne: dict[str, Any]) -> None:
        await self.session.execute(pieces.insert().values(**ligne))

    async def de_la_demande(self, demande_id: UUID) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            sa.select(pieces).where(pieces.c.demande_id == demande_id).order_by(pieces.c.depose_le)
        )
        return [dict(row._mapping) for row in rows]

    async def get(self, demande_id: UUID, piece_id: UUID) -> dict[str, Any] | None:
        row = (
            await self.session.execute(
                sa.select(pieces).where(pieces.c.id == piece_id, pieces.c.demande_id == demande_id)
            )
        ).first()
        return None if row is None else dict(row._mapping)

    async def statuer(
        self,
        piece_id: UUID,
        statut: str,
        motif_refus: str | None,
        statue_le: datetime,
        statue_par: str | None,
    ) -> None:
        await self.session.execute(
            pieces.update()
            .where(pieces.c.id == piece_id)
            .values(
                statut=statut,
                motif_refus=motif_refus,
                statue_le=statue_le,
                statue_par=statue_par,
            )
        )

    async def une_non_refusee(self, demande_id: UUID, types: Sequence[str], personne: str) -> bool:
        """Is there a pièce of one of these types for this person, not refused?"""
        trouvee = await self.session.execute(
            sa.select(pieces.c.id)
            .where(
                pieces.c.demande_id == demande_id,
                pieces.c.type.in_(types),
                pieces.c.personne == personne,
                pieces.c.statut != StatutPiece.REFUSEE.value,
            )
            .limit(1)
        )
        return trouvee.first() is not None

    async def cles_stockage(self, demande_id: UUID) -> list[str]:
        rows = await self.session.execute(
            sa.select(pieces.c.cle_stockage).where(pieces.c.demande_id == demande_id)
        )
        return [cle_stockage for (cle_stockage,) in rows]

    async def supprimer_de(self, demande_id: UUID) -> None:
        await self.session.execute(pieces.delete().where(pieces.c.demande_id == demande_id))

    async def deplacer(self, depuis: UUID, vers: UUID) -> None:
        """A merge: the duplicate's pièces move to the demande kept."""
        await self.session.execute(
            pieces.update().where(pieces.c.demande_id == depuis).values(demande_id=vers)
        )
