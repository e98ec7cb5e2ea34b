"""Use cases of the key figures: keep the observatoire's latest publication per
département, read it for the public page."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from toit_contracts.events import ChiffresClesPublies
from toit_portail.adapters import repository
from toit_portail.domain.chiffres_cles import Publication, plus_recente, publication


async def appliquer(session: AsyncSession, event: ChiffresClesPublies) -> bool:
    """Keep this publication unless a later one is kept; False if it is older."""
    connue = await repository.publication_verrouillee(session, event.departement)
    if not plus_recente(connue.publie_le if connue else None, event.publie_le):
        return False
    await repository.enregistrer_publication(
        session, event.publication_id, publication(event), nouvelle=connue is None
    )
    return True


async def derniere(session: AsyncSession, departement: str) -> Publication | None:
    return await repository.publication(session, departement)
