"""Use cases of the pièces justificatives: deposit, list, read, check."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from servicekit.uow import UnitOfWork
from toit_contracts.enums import StatutDemande
from toit_contracts.events.demandes import (
    DemandePieceDeposee,
    DemandePieceStatuee,
)
from toit_demandes.adapters.referentiel import ReferentielToit, referentiel
from toit_demandes.adapters.repository import (
    DemandeRepository,
    PieceRepository,
)
from toit_demandes.adapters.stockage import Stockage, empreinte
from toit_demandes.domain.cycle_de_vie import TransitionInterdite
from toit_demandes.domain.demande import Demande, TypeEvenement
from toit_demandes.domain.historique import Changement
from toit_demandes.domain.pieces import EXTENSIONS, StatutPiece, type_de_contenu
from toit_demandes.domain.verifications import DonneesInvalides, Erreur
from toit_demandes.service_layer.commun import (
    Contexte,
    DemandeIntrouvable,
    VerifierAcces,
    charger,
    etat,
)

# --- pièces -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fichier:
    nom: str
    contenu: bytes


async def deposer_piece(
    uow: UnitOfWork,
    stockage: Stockage,
    demande_id: UUID,
    type_piece: str,
    personne: str | None,
    fichier: Fichier,
    taille_max: int,
    ctx: Contexte,
    verifier: VerifierAcces,
) -> dict[str, Any]:
    repo = uow.repository(DemandeRepository)
    demande = await charger(repo, demande_id, verifier)
    if demande.statut is StatutDemande.PURGEE or demande.fusionnee_dans is not None:
        raise TransitionInterdite("cette demande ne reçoit plus de pièces")
    if personne == "codemandeur":  # the one-codemandeur form of before issue 11
        personne = "codemandeurs[0]"
    catalogue = ctx.referentiel.type_piece(type_piece)
    erreurs = []
    if catalogue is None:
        erreurs.append(Erreur("type", f"type de pièce inconnu : « {type_piece[:64]} »"))
    elif catalogue.par_personne and personne is None:
        erreurs.append(Erreur("personne", "cette pièce concerne une personne : précisez-la"))
    if personne is not None and not demande.saisie.personne_existe(personne):
        erreurs.append(
            Erreur("personne", f"« {personne[:20]} » ne désigne aucune personne du ménage")
        )
    if len(fichier.contenu) > taille_max:
        erreurs.append(
            Erreur(
                "fichier",
                f"fichier trop volumineux (maximum {taille_max // (1024 * 1024)} Mo)",
                "taille",
            )
        )
    media_type = type_de_contenu(fichier.contenu)
    if media_type is None:
        erreurs.append(
            Erreur(
                "fichier",
                "format non accepté : PDF, JPEG ou PNG uniquement "
                "(le contenu du fichier fait foi, pas son nom)",
                "format",
            )
        )
    if not fichier.contenu:
        erreurs = [Erreur("fichier", "le fichier est vide", "taille")]
    if erreurs:
        raise DonneesInvalides(erreurs)
    assert catalogue is not None and media_type is not None
    piece_id = uuid.uuid4()
    cle_stockage = f"{demande.id}/{piece_id}.{EXTENSIONS[media_type]}"
    sha256 = empreinte(fichier.contenu)
    ligne = {
        "id": piece_id,
        "demande_id": demande.id,
        "type": catalogue.code,
        "personne": personne,
        "nom_fichier": fichier.nom[:200] or "fichier",
        "media_type": media_type,
        "taille": len(fichier.contenu),
        "sha256": sha256,
        "cle_stockage": cle_stockage,
        "statut": StatutPiece.DEPOSEE.value,
        "depose_le": ctx.maintenant,
        "depose_par": ctx.intervenant.utilisateur,
    }
    await stockage.ecrire(cle_stockage, fichier.contenu, sha256)
    try:
        await uow.repository(PieceRepository).ajouter(ligne)
        version_lue = demande.version
        demande.noter(
            ctx.maintenant,
            ctx.intervenant,
            TypeEvenement.PIECE,
            f"Pièce déposée : {catalogue.libelle}",
        )
        await repo.sauver(demande, version_lue)
        uow.publish(
            DemandePieceDeposee(
                **etat(demande),
                piece_id=piece_id,
                type_piece=catalogue.code,
                depot_en_ligne=ctx.intervenant.type.value == "PORTAIL",
            )
        )
        await uow.commit()
    except BaseException:
        # A pièce is its row and its file: no file without a row.
        with contextlib.suppress(Exception):
            await stockage.supprimer(cle_stockage)
        raise
    return ligne


def _sensible(ctx_referentiel: ReferentielToit, code: str) -> bool:
    type_piece = ctx_referentiel.type_piece(code)
    return type_piece is None or type_piece.sensible


async def lister_pieces(
    uow: UnitOfWork,
    demande_id: UUID,
    verifier: VerifierAcces,
    voit_sensibles: Callable[[Demande], bool],
) -> list[dict[str, Any]]:
    """The pièces of a demande; health and violence pièces only for those habilitated."""
    demande = await charger(
        uow.repository(DemandeRepository), demande_id, verifier, pour_modifier=False
    )
    sensibles = voit_sensibles(demande)
    lignes = await uow.repository(PieceRepository).de_la_demande(demande_id)
    return [p for p in lignes if sensibles or not _sensible(referentiel, p["type"])]


async def piece(
    uow: UnitOfWork,
    demande_id: UUID,
    piece_id: UUID,
    verifier: VerifierAcces,
    voit_sensibles: Callable[[Demande], bool],
) -> dict[str, Any]:
    demande = await charger(
        uow.repository(DemandeRepository), demande_id, verifier, pour_modifier=False
    )
    ligne = await uow.repository(PieceRepository).get(demande_id, piece_id)
    if ligne is None or (_sensible(referentiel, ligne["type"]) and not voit_sensibles(demande)):
        raise DemandeIntrouvable()
    return ligne


async def statuer_piece(
    uow: UnitOfWork,
    demande_id: UUID,
    piece_id: UUID,
    statut: StatutPiece,
    motif: str | None,
    ctx: Contexte,
    verifier: VerifierAcces,
) -> dict[str, Any]:
    if statut is StatutPiece.REFUSEE and not motif:
        raise DonneesInvalides([Erreur("motif", "le motif du refus est obligatoire")])
    if statut is StatutPiece.DEPOSEE:
        raise DonneesInvalides([Erreur("statut", "statut attendu : VALIDEE ou REFUSEE")])
    repo = uow.repository(DemandeRepository)
    demande = await charger(repo, demande_id, verifier)
    ligne = await piece(uow, demande_id, piece_id, verifier, lambda _d: True)
    await uow.repository(PieceRepository).statuer(
        piece_id,
        statut.value,
        motif if statut is StatutPiece.REFUSEE else None,
        ctx.maintenant,
        ctx.intervenant.utilisateur,
    )
    version_lue = demande.version
    demande.noter(
        ctx.maintenant,
        ctx.intervenant,
        TypeEvenement.PIECE,
        f"Pièce {ligne['type']} : {statut.value.lower()}"
        + (f" ({motif})" if statut is StatutPiece.REFUSEE else ""),
        [Changement(f"pieces.{piece_id}.statut", ligne["statut"], statut.value)],
    )
    await repo.sauver(demande, version_lue)
    # The household sees each pièce's state (and why it was refused) on the portail.
    uow.publish(
        DemandePieceStatuee(
            **etat(demande),
            piece_id=piece_id,
            type_piece=ligne["type"],
            decision="VALIDEE" if statut is StatutPiece.VALIDEE else "REFUSEE",
            motif_refus=motif[:500] if motif and statut is StatutPiece.REFUSEE else None,
        )
    )
    await uow.commit()
    return {**ligne, "statut": statut.value, "motif_refus": motif}
