"""Use cases of the duplicates: find them, set them aside, merge them."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from servicekit.uow import UnitOfWork
from toit_contracts.enums import MotifRadiation, StatutDemande
from toit_contracts.events.demandes import (
    DemandeModifiee,
)
from toit_demandes.adapters.repository import (
    DemandeRepository,
    PieceRepository,
    cle,
)
from toit_demandes.domain.cycle_de_vie import TransitionInterdite
from toit_demandes.domain.demande import Demande, TypeEvenement
from toit_demandes.domain.doublons import meme_personne
from toit_demandes.domain.historique import Changement
from toit_demandes.domain.verifications import DonneesInvalides, Erreur
from toit_demandes.service_layer.commun import (
    Contexte,
    VerifierAcces,
    avec_snapshot,
    charger,
    publier_radiation,
)


@dataclass(frozen=True)
class Doublon:
    demande_id: UUID
    numero_unique: str | None
    statut: StatutDemande
    raison: str


async def doublons(repo: DemandeRepository, demande: Demande) -> list[Doublon]:
    identite = cle(demande)
    trouves = []
    for autre in await repo.doublons_potentiels(identite, sauf=demande.id):
        raison = meme_personne(identite, cle(autre))
        if (
            raison
            and autre.id not in demande.doublons_ecartes
            and (demande.id not in autre.doublons_ecartes)
        ):
            trouves.append(Doublon(autre.id, autre.numero_unique, autre.statut, raison))
    return trouves


async def ecarter_doublon(
    uow: UnitOfWork, demande_id: UUID, autre_id: UUID, ctx: Contexte, verifier: VerifierAcces
) -> Demande:
    """The guichet confirms that two demandes flagged as duplicates are distinct."""
    repo = uow.repository(DemandeRepository)
    demande = await charger(repo, demande_id, verifier)
    autre = await charger(repo, autre_id, verifier)
    for a, b in ((demande, autre), (autre, demande)):
        version_lue = a.version
        a.ecarter_doublon(b.id, ctx.maintenant, ctx.intervenant)
        if a.version != version_lue:
            await repo.sauver(a, version_lue)
    await uow.commit()
    return demande


async def fusionner(
    uow: UnitOfWork, conservee_id: UUID, doublon_id: UUID, ctx: Contexte, verifier: VerifierAcces
) -> Demande:
    """Merges a duplicate into the demande kept: the duplicate's historique and pièces move
    to it, the duplicate is radiated (renonciation) and marked as merged."""
    if conservee_id == doublon_id:
        raise DonneesInvalides([Erreur("doublon", "une demande ne fusionne pas avec elle-même")])
    repo = uow.repository(DemandeRepository)
    conservee = await charger(repo, conservee_id, verifier)
    doublon = await charger(repo, doublon_id, verifier)
    if conservee.departement != doublon.departement:
        raise TransitionInterdite("seules deux demandes du même département peuvent fusionner")
    version_doublon, version_conservee = doublon.version, conservee.version
    if doublon.statut in (StatutDemande.ACTIVE, StatutDemande.EXPIREE_GRACE):
        doublon.radier(
            MotifRadiation.RENONCIATION,
            ctx.maintenant,
            ctx.intervenant,
            ctx.referentiel.regles_cycle_de_vie(),
        )
        publier_radiation(uow, doublon, ctx)
    elif doublon.statut is not StatutDemande.BROUILLON:
        raise TransitionInterdite("cette demande ne peut plus être fusionnée")
    doublon.fusionnee_dans = conservee.id
    doublon.version += 1
    reference = doublon.numero_unique or str(doublon.id)
    doublon.noter(
        ctx.maintenant,
        ctx.intervenant,
        TypeEvenement.FUSION,
        f"Fusionnée dans la demande {conservee.numero_unique or conservee.id}",
    )
    await repo.sauver(doublon, version_doublon)
    await repo.deplacer_historique(doublon.id, conservee.id)
    await uow.repository(PieceRepository).deplacer(doublon.id, conservee.id)
    conservee.version += 1
    conservee.noter(
        ctx.maintenant,
        ctx.intervenant,
        TypeEvenement.FUSION,
        f"Fusion du doublon {reference} (historique et pièces repris)",
        [Changement("doublon_fusionne", None, reference)],
    )
    uow.publish(DemandeModifiee(**avec_snapshot(conservee, ctx), rubriques_modifiees=["fusion"]))
    await repo.sauver(conservee, version_conservee)
    await uow.commit()
    return conservee
