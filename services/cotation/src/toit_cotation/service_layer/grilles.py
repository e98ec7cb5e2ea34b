"""Use cases of the grids: create, edit a draft, publish (and queue the bulk re-scoring),
archive."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from servicekit.uow import UnitOfWork
from toit_cotation.domain.grille import (
    EtatGrille,
    Grille,
    GrilleDefinition,
)
from toit_cotation.service_layer.commun import ConflitDeModification, GrilleIntrouvable, depot
from toit_cotation.service_layer.recalcul import planifier_recalcul

# --- Grids -------------------------------------------------------------------------------------


async def grille_existante(uow: UnitOfWork, grille_id: UUID) -> Grille:
    grille = await depot(uow).grille(grille_id)
    if grille is None:
        raise GrilleIntrouvable(str(grille_id))
    return grille


async def _enregistrer(uow: UnitOfWork, grille: Grille, revision_lue: int) -> None:
    if not await depot(uow).enregistrer_grille(grille, revision_lue):
        raise ConflitDeModification(str(grille.id))


async def creer_grille(
    uow: UnitOfWork, definition: GrilleDefinition, maintenant: datetime
) -> Grille:
    version = await depot(uow).prochaine_version(definition.epci, definition.population.value)
    grille = Grille(definition=definition, version=version, creee_le=maintenant)
    await depot(uow).ajouter_grille(grille)
    await uow.commit()
    return grille


async def modifier_grille(
    uow: UnitOfWork, grille_id: UUID, definition: GrilleDefinition, revision_attendue: int | None
) -> Grille:
    grille = await grille_existante(uow, grille_id)
    _verifier_revision(grille, revision_attendue)
    modifiee = grille.modifier(definition)
    await _enregistrer(uow, modifiee, grille.revision)
    await uow.commit()
    return modifiee


def _verifier_revision(grille: Grille, revision_attendue: int | None) -> None:
    if revision_attendue is not None and revision_attendue != grille.revision:
        raise ConflitDeModification(str(grille.id))


async def publier_grille(
    uow: UnitOfWork, grille_id: UUID, revision_attendue: int | None, maintenant: datetime
) -> Grille:
    """Publish a draft, archive the version it replaces, and queue the re-scoring of
    every demande of the EPCI (same transaction)."""
    grille = await grille_existante(uow, grille_id)
    _verifier_revision(grille, revision_attendue)
    publiee = grille.publier(maintenant)
    for precedente in await depot(uow).lister_grilles(
        epci=grille.epci, etat=EtatGrille.PUBLIEE.value
    ):
        if precedente.population is grille.population:
            await _enregistrer(uow, precedente.archiver(maintenant), precedente.revision)
    await _enregistrer(uow, publiee, grille.revision)
    await planifier_recalcul(
        uow, f"publication:{grille.id}", "PUBLICATION", grille.epci, grille.id, maintenant
    )
    await uow.commit()
    return publiee


async def archiver_grille(
    uow: UnitOfWork, grille_id: UUID, revision_attendue: int | None, maintenant: datetime
) -> Grille:
    grille = await grille_existante(uow, grille_id)
    _verifier_revision(grille, revision_attendue)
    archivee = grille.archiver(maintenant)
    await _enregistrer(uow, archivee, grille.revision)
    if grille.etat is EtatGrille.PUBLIEE:
        # Its scores go: the EPCI has no published grid for that population any more.
        await planifier_recalcul(
            uow, f"archivage:{grille.id}", "ARCHIVAGE", grille.epci, grille.id, maintenant
        )
    await uow.commit()
    return archivee
