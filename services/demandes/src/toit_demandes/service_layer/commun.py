"""What every use case of demandes shares: its context, its refusals, loading a demande."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import structlog
from pydantic import ValidationError

from servicekit import authz_fields
from servicekit.errors import error_items
from servicekit.exceptions import Introuvable
from servicekit.uow import UnitOfWork
from toit_contracts.enums import CanalDepot
from toit_contracts.events.demandes import (
    DemandeRadiationLevee,
    DemandeRadiee,
)
from toit_demandes.adapters.referentiel import ReferentielToit, referentiel
from toit_demandes.adapters.repository import (
    DemandeRepository,
)
from toit_demandes.adapters.stockage import Stockage
from toit_demandes.domain.demande import Demande, Intervenant, PreavisRadiation
from toit_demandes.domain.derives import ValeursDerivees, deriver
from toit_demandes.domain.saisie import DemandeSaisie
from toit_demandes.domain.snapshot import contact, snapshot
from toit_demandes.domain.verifications import DonneesInvalides, Erreur, exiger_valide

log = structlog.get_logger(__name__)

# Fields of the representation that only the lifecycle actions change (never written).
CHAMPS_LECTURE_SEULE = authz_fields.NEVER_WRITTEN

# Typed in at creation, then fixed: the first dépôt defines the ancienneté and the numéro.
CHAMPS_FIGES = ("date_depot", "canal_depot")

VerifierAcces = Callable[[Demande], None]


class DemandeIntrouvable(Introuvable):
    def __init__(self) -> None:
        super().__init__("Demande introuvable")


@dataclass(frozen=True)
class Contexte:
    """Who acts, and when."""

    intervenant: Intervenant
    maintenant: datetime
    referentiel: ReferentielToit = field(default=referentiel)
    stockage: Stockage | None = None  # where pièces live (purge deletes their files)


# --- helpers ----------------------------------------------------------------------------------


def derives(demande: Demande, ctx: Contexte) -> ValeursDerivees:
    return deriver(
        demande.saisie,
        demande.date_depot_initial,
        ctx.maintenant.date(),
        ctx.referentiel.plafond,
        ctx.referentiel.plafond_provisoire,
    )


def etat(demande: Demande) -> dict[str, Any]:
    return {
        "demande_id": demande.id,
        "departement": demande.departement,
        "version": demande.version,
        "numero_unique": demande.numero_unique,
        "statut": demande.statut,
        "guichet_enregistreur": demande.guichet,
        "compte_demandeur": demande.proprietaire,
    }


def avec_snapshot(demande: Demande, ctx: Contexte) -> dict[str, Any]:
    return {
        **etat(demande),
        "snapshot": snapshot(demande, derives(demande, ctx), ctx.referentiel.nom_commune),
    }


def valider_saisie(document: Any, ctx: Contexte) -> DemandeSaisie:
    try:
        saisie = DemandeSaisie.model_validate(document)
    except ValidationError as exc:
        raise DonneesInvalides(
            [
                Erreur(e["champ"], e["message"], e["code"])
                for e in error_items(exc.errors(include_url=False))  # type: ignore[arg-type]
            ]
        ) from None
    exiger_valide(saisie, ctx.referentiel)
    return saisie


async def charger(
    repo: DemandeRepository,
    demande_id: UUID,
    verifier: VerifierAcces,
    *,
    pour_modifier: bool = True,
) -> Demande:
    demande = await repo.get(demande_id, pour_modifier=pour_modifier)
    if demande is None:
        raise DemandeIntrouvable()
    verifier(demande)
    return demande


async def en_ligne(repo: DemandeRepository, demande: Demande) -> bool:
    """Filed or renewed online at least once (R441-2-7 CCH: how notices are sent)."""
    return demande.saisie.canal_depot is CanalDepot.EN_LIGNE or (
        await repo.renouvelee_en_ligne(demande.id)
    )


def publier_radiation(uow: UnitOfWork, demande: Demande, ctx: Contexte) -> None:
    assert demande.motif_radiation is not None and demande.date_radiation is not None
    uow.publish(
        DemandeRadiee(
            **avec_snapshot(demande, ctx),
            motif=demande.motif_radiation,
            sous_motif=demande.sous_motif_radiation,
            date_radiation=demande.date_radiation,
        )
    )


async def radiation_levee(
    repo: DemandeRepository,
    demande: Demande,
    leve: PreavisRadiation,
    reponse: str,
    ctx: Contexte,
) -> DemandeRadiationLevee:
    """The event of a notice of radiation lifted by the household's answer."""
    return DemandeRadiationLevee(
        **etat(demande),
        motif=leve.motif,
        date_preavis=leve.notifie_le,
        date_effet_annulee=leve.effet_le,
        date_reponse=ctx.maintenant.date(),
        reponse=reponse,
        en_ligne=await en_ligne(repo, demande),
        contact=contact(demande.saisie, ctx.referentiel.nom_commune),
    )
