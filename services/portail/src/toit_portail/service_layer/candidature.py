"""Use cases of the online application and of the household's actions on its demande.

The portail never writes a demande: a submission, a modification, a renewal or a
renunciation is a command (`portail.*`) published through the outbox in the same
transaction as the portail's own record of it; demandes applies it and answers
(`demande.commande_traitee`), and its `demande.*` events update the read model.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

import toit_referentiel as referentiel
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.exceptions import Conflit, Introuvable, Invalide
from servicekit.input_guard import display_filename
from servicekit.settings import Settings
from servicekit.transit import chiffrer
from servicekit.uow import UnitOfWork
from toit_contracts.events import IntegrationEvent
from toit_contracts.events.commandes import (
    DemandeCommandeTraitee,
    PieceTransmise,
    PortailDemandeSoumise,
    PortailModificationDemandee,
    PortailRenonciationDemandee,
    PortailRenouvellementDemande,
)
from toit_portail.adapters import repository_candidatures as repo
from toit_portail.adapters.repository_candidatures import Candidature
from toit_portail.domain import candidature as regles

MODIFIABLES = ("BROUILLON", "REFUSEE")


class CandidatureIntrouvable(Introuvable):
    def __init__(self) -> None:
        super().__init__("Demande en cours de saisie introuvable")


async def _a_modifier(session: AsyncSession, candidature_id: UUID, compte: str) -> Candidature:
    trouvee = await repo.candidature(session, candidature_id, compte, verrou=True)
    if trouvee is None:
        raise CandidatureIntrouvable()
    if trouvee.statut not in MODIFIABLES:
        raise Conflit("cette demande est déjà transmise : elle ne se modifie plus ici")
    return trouvee


async def commencer(uow: UnitOfWork, compte: str, departement: str, maintenant: datetime) -> UUID:
    """A new draft (its id becomes the demande's)."""
    candidature_id = uuid.uuid4()
    await repo.ajouter(
        uow.session,
        {
            "id": candidature_id,
            "compte": compte,
            "departement": departement,
            "parties": {},
            "statut": "BROUILLON",
            "cree_le": maintenant,
            "modifie_le": maintenant,
        },
    )
    await uow.commit()
    return candidature_id


async def lire(session: AsyncSession, candidature_id: UUID, compte: str) -> Candidature:
    trouvee = await repo.candidature(session, candidature_id, compte)
    if trouvee is None:
        raise CandidatureIntrouvable()
    return trouvee


async def enregistrer_etape(
    uow: UnitOfWork,
    candidature_id: UUID,
    compte: str,
    code: str,
    partie: dict[str, Any],
    maintenant: datetime,
) -> dict[str, str]:
    """Keep the step as typed (a draft survives anything) and answer its errors."""
    trouvee = await _a_modifier(uow.session, candidature_id, compte)
    parties = {**trouvee.parties, code: partie}
    await repo.modifier(
        uow.session, candidature_id, parties=parties, modifie_le=maintenant, statut="BROUILLON"
    )
    await uow.commit()
    return regles.valider_etape(code, partie)


async def deposer_piece(
    uow: UnitOfWork,
    candidature_id: UUID,
    compte: str,
    type_piece: str,
    nom: str | None,
    contenu: bytes,
    maintenant: datetime,
) -> None:
    """Keep the identity document (bounded, PDF/JPEG/PNG read from the content); a refused
    file stores nothing."""
    await _a_modifier(uow.session, candidature_id, compte)
    if erreurs := regles.refus_du_fichier(contenu, type_piece):
        raise Invalide(list(erreurs.items()))
    media_type = regles.type_de_contenu(contenu)
    piece = {
        "type_piece": type_piece,
        "nom": display_filename(nom),
        "media_type": media_type,
        "taille": len(contenu),
        "empreinte": hashlib.sha256(contenu).hexdigest(),
        "depose_le": maintenant.isoformat(),
    }
    await repo.modifier(
        uow.session, candidature_id, piece=piece, piece_contenu=contenu, modifie_le=maintenant
    )
    await uow.commit()


def verifier(trouvee: Candidature) -> regles.Verification:
    return regles.verifier(
        trouvee.departement,
        trouvee.parties,
        frozenset(d.code for d in referentiel.departements()),
        lambda insee: referentiel.commune(insee) is not None,
    )


async def soumettre(
    uow: UnitOfWork,
    candidature_id: UUID,
    compte: str,
    settings: Settings,
    maintenant: datetime,
) -> UUID:
    """Send the application to demandes (`portail.demande_soumise`), checked as demandes
    will check it; the command and the draft's new state commit together."""
    trouvee = await _a_modifier(uow.session, candidature_id, compte)
    verification = verifier(trouvee)
    erreurs = dict(verification.erreurs)
    if trouvee.piece is None:
        erreurs["fichier"] = "déposez votre pièce d'identité ou votre titre de séjour"
    if erreurs:
        raise Invalide(list(erreurs.items()))
    assert verification.saisie is not None and trouvee.piece is not None
    contenu = await repo.contenu_piece(uow.session, candidature_id)
    assert contenu is not None
    commande_id = uuid.uuid4()
    commande = PortailDemandeSoumise(
        commande_id=commande_id,
        demande_id=candidature_id,
        departement=trouvee.departement,
        compte_demandeur=compte,
        saisie=verification.saisie,
        piece_identite=PieceTransmise(
            piece_id=uuid.uuid4(),
            type_piece=trouvee.piece["type_piece"],
            nom=trouvee.piece["nom"],
            media_type=trouvee.piece["media_type"],
            taille=trouvee.piece["taille"],
            empreinte=trouvee.piece["empreinte"],
            contenu_chiffre=chiffrer(contenu, settings),
        ),
    )
    await repo.modifier(
        uow.session,
        candidature_id,
        statut="SOUMISE",
        commande_id=commande_id,
        erreurs=None,
        soumise_le=maintenant,
        modifie_le=maintenant,
    )
    await _envoyer(uow, commande, compte, candidature_id, maintenant)
    return commande_id


async def _envoyer(
    uow: UnitOfWork,
    commande: IntegrationEvent,
    compte: str,
    demande_id: UUID,
    maintenant: datetime,
) -> None:
    await repo.ajouter_commande(
        uow.session,
        {
            "commande_id": getattr(commande, "commande_id"),  # noqa: B009
            "compte": compte,
            "demande_id": demande_id,
            "type": commande.event_type,
            "statut": "EN_COURS",
            "envoyee_le": maintenant,
        },
    )
    uow.publish(commande)
    await uow.commit()


# --- the household's actions on its demande ------------------------------------------------------


async def demander_modification(
    uow: UnitOfWork,
    demande_id: UUID,
    departement: str,
    compte: str,
    version_lue: int,
    modifications: dict[str, Any],
    maintenant: datetime,
) -> None:
    commande = PortailModificationDemandee(
        commande_id=uuid.uuid4(),
        demande_id=demande_id,
        departement=departement,
        compte_demandeur=compte,
        version_lue=version_lue,
        modifications=modifications,
    )
    await _envoyer(uow, commande, compte, demande_id, maintenant)


async def demander_renouvellement(
    uow: UnitOfWork, demande_id: UUID, departement: str, compte: str, maintenant: datetime
) -> None:
    await _action(uow, PortailRenouvellementDemande, demande_id, departement, compte, maintenant)


async def renoncer(
    uow: UnitOfWork, demande_id: UUID, departement: str, compte: str, maintenant: datetime
) -> None:
    await _action(uow, PortailRenonciationDemandee, demande_id, departement, compte, maintenant)


async def _action(
    uow: UnitOfWork,
    commande: type[PortailRenouvellementDemande | PortailRenonciationDemandee],
    demande_id: UUID,
    departement: str,
    compte: str,
    maintenant: datetime,
) -> None:
    await _envoyer(
        uow,
        commande(
            commande_id=uuid.uuid4(),
            demande_id=demande_id,
            departement=departement,
            compte_demandeur=compte,
        ),
        compte,
        demande_id,
        maintenant,
    )


# --- answers and snapshots (consumer) ------------------------------------------------------------


async def appliquer_reponse(
    session: AsyncSession, reponse: DemandeCommandeTraitee, quand: datetime
) -> None:
    """demandes' answer: the command's state; an accepted application drops its document
    (demandes has it), a refused one goes back to the household with the reasons."""
    erreurs = [e.model_dump() for e in reponse.erreurs]
    statut = "ACCEPTEE" if reponse.acceptee else "REFUSEE"
    await repo.repondre_commande(session, reponse.commande_id, statut, erreurs, quand)
    candidature_id = await repo.candidature_de_la_commande(session, reponse.commande_id)
    if candidature_id is None:
        return
    if reponse.acceptee:
        await repo.modifier(
            session, candidature_id, statut="ACCEPTEE", piece_contenu=None, modifie_le=quand
        )
    else:
        await repo.modifier(
            session, candidature_id, statut="REFUSEE", erreurs=erreurs, modifie_le=quand
        )


async def garder_modifiable(session: AsyncSession, event: Any) -> None:
    snapshot = event.snapshot
    await repo.garder_modifiable(
        session,
        event.demande_id,
        event.version,
        snapshot.logement_recherche.model_dump(mode="json"),
        snapshot.enfants_a_naitre,
    )
