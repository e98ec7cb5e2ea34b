"""Use cases of the espace personnel's read model: apply events, read an applicant's space."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from toit_contracts.events import CotationCalculee, IntegrationEvent
from toit_portail.adapters import repository
from toit_portail.domain.espace import (
    CotationVue,
    DemandeVue,
    plus_recente,
    vue_cotation,
    vue_demande,
)


async def appliquer_demande(session: AsyncSession, event: IntegrationEvent) -> bool:
    """Keep the demande's state from a `demande.*` event; False if the copy is stale."""
    # Every demande event with a state carries these (contracts' _DemandeEtat).
    champs = event.model_dump(include={"demande_id", "version", "departement", "statut"})
    demande_id: UUID = champs["demande_id"]
    version: int = champs["version"]
    precedente = await repository.verrouiller_demande(
        session, demande_id, champs["departement"], str(champs["statut"])
    )
    if not plus_recente(precedente.version if precedente else None, version):
        return False
    vue = vue_demande(event, precedente)
    await repository.enregistrer_demande(session, vue)
    return True


async def appliquer_cotation(
    session: AsyncSession, event: CotationCalculee, calculee_le: datetime | None
) -> bool:
    """Keep the cotation of one demande × EPCI; False if the copy is stale."""
    connue = await repository.verrouiller_cotation(session, event.demande_id, event.epci)
    if not plus_recente(connue, event.version):
        return False
    await repository.enregistrer_cotation(session, vue_cotation(event, calculee_le))
    return True


async def purger(session: AsyncSession, demande_id: UUID) -> None:
    """`demande.purgee`: nothing personal about this demande stays in the portail."""
    await repository.supprimer_demande(session, demande_id)


async def oublier_compte(session: AsyncSession, compte_id: UUID) -> None:
    """`compte.supprime`: the applicant deleted their account (not their demande)."""
    await repository.oublier_compte(session, str(compte_id))


@dataclass(frozen=True)
class DemandeEspace:
    demande: DemandeVue
    cotations: list[CotationVue]


async def espace(session: AsyncSession, compte_id: str) -> list[DemandeEspace]:
    """The demandes of this account only (one per département), with their cotations."""
    return [
        DemandeEspace(d, await repository.cotations_de(session, d.demande_id))
        for d in await repository.demandes_du_compte(session, compte_id)
    ]
