"""Use cases of the portail's commands: the household's online actions, applied by demandes.

The portail never writes a demande: it sends a command on the bus (`portail.*`,
toit_contracts.events.commandes). Each is applied here with the use cases a guichet's
request goes through (same validation, same field authority for the DEMANDEUR role, same
lifecycle), in the consumer's transaction, then answered with `demande.commande_traitee`:

- accepted: the use cases' `demande.*` events and the answer commit with the inbox row;
- refused (a `RefusMetier`: invalid data, a state that forbids it, another account's
  demande, a version read too old): what the use cases did is rolled back to a savepoint,
  their events are dropped, and only the answer (with the French reasons) commits.

An infrastructure failure raises: nothing commits and the message is retried.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any, cast

from toit_referentiel import depot_en_ligne

from servicekit import authz_fields
from servicekit.authz import DEMANDEUR
from servicekit.errors import error_items
from servicekit.exceptions import AccesRefuse, Erreur, Invalide, RefusMetier, VersionObsolete
from servicekit.settings import Settings
from servicekit.transit import PieceIllisible, dechiffrer
from servicekit.uow import UnitOfWork
from toit_contracts.enums import CanalDepot, MotifRadiation, StatutDemande
from toit_contracts.events import IntegrationEvent
from toit_contracts.events.commandes import (
    DemandeCommandeTraitee,
    ErreurCommande,
    PortailDemandeSoumise,
    PortailModificationDemandee,
    PortailRenonciationDemandee,
    PortailRenouvellementDemande,
)
from toit_demandes.adapters.referentiel import referentiel
from toit_demandes.adapters.repository import DemandeRepository
from toit_demandes.adapters.stockage import Stockage, empreinte
from toit_demandes.domain.autorite import Autorite, ChampsInterdits
from toit_demandes.domain.cycle_de_vie import TransitionInterdite
from toit_demandes.domain.demande import Demande, Intervenant, TypeIntervenant
from toit_demandes.service_layer import cycle_de_vie, pieces, saisie
from toit_demandes.service_layer.commun import Contexte, DemandeIntrouvable, VerifierAcces

Commande = (
    PortailDemandeSoumise
    | PortailModificationDemandee
    | PortailRenouvellementDemande
    | PortailRenonciationDemandee
)


class _UowDeLaCommande:
    """The consumer's unit of work as demandes' use cases see it: their `commit` waits for
    the consumer's (inbox row, changes and events in one transaction) and their events are
    kept apart until the command is accepted."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self.evenements: list[IntegrationEvent] = []

    @property
    def session(self) -> Any:
        return self._uow.session

    def repository(self, factory: Callable[[Any], Any]) -> Any:
        return self._uow.repository(factory)

    def publish(self, event: IntegrationEvent) -> str:
        self.evenements.append(event)
        return ""

    async def commit(self) -> None:
        return None


def _autorite_du_demandeur() -> Autorite:
    """The fields the household owns (servicekit.authz_fields, role DEMANDEUR)."""
    return Autorite(
        droit=lambda champ: authz_fields.droit([DEMANDEUR], champ),
        proprietaires=authz_fields.proprietaires,
        anteriorite_depot_jours=referentiel.anteriorite_depot_jours(),
    )


def _du_compte(compte: str) -> VerifierAcces:
    """Only the account that owns the demande acts on it (else: as if it did not exist)."""

    def verifier(demande: Demande) -> None:
        if demande.proprietaire != compte:
            raise DemandeIntrouvable()

    return verifier


def _erreurs(refus: RefusMetier | ChampsInterdits) -> list[ErreurCommande]:
    if isinstance(refus, ChampsInterdits):
        return [
            ErreurCommande(champ=e.champ[:200], message=e.message[:500]) for e in refus.erreurs
        ][:100]
    if isinstance(refus, Invalide):
        erreurs: list[ErreurCommande] = []
        for e in refus.erreurs:
            if isinstance(e, Erreur):
                erreurs.append(ErreurCommande(champ=e.champ[:200], message=e.message[:500]))
            else:
                for item in error_items([dict(e)]):
                    erreurs.append(
                        ErreurCommande(champ=item["champ"][:200], message=item["message"][:500])
                    )
        return erreurs[:100] or [ErreurCommande(champ="", message="Données invalides")]
    if isinstance(refus, VersionObsolete):
        message = (
            "La demande a été modifiée entre-temps (par un guichet ou une autre action) : "
            "relisez-la avant de la modifier"
        )
    elif isinstance(refus, DemandeIntrouvable):
        message = "Demande introuvable pour ce compte"
    elif isinstance(refus, AccesRefuse | TransitionInterdite):
        message = refus.message
    else:
        message = str(refus) or "Action impossible"
    return [ErreurCommande(champ="", message=message[:500])]


async def _appliquer(
    uow: UnitOfWork,
    commande: Commande,
    action: Callable[[UnitOfWork], Awaitable[Demande]],
) -> DemandeCommandeTraitee:
    """Run `action` in a savepoint; publish its events and the answer, or only a refusal."""
    vue = _UowDeLaCommande(uow)
    reponse: dict[str, Any] = {
        "commande_id": commande.commande_id,
        "commande": commande.event_type,
        "demande_id": commande.demande_id,
        "departement": commande.departement,
        "compte_demandeur": commande.compte_demandeur,
    }
    try:
        async with uow.session.begin_nested():
            demande = await action(cast(UnitOfWork, vue))
    except (RefusMetier, ChampsInterdits) as refus:
        traitee = DemandeCommandeTraitee(**reponse, acceptee=False, erreurs=_erreurs(refus))
    else:
        for event in vue.evenements:
            uow.publish(event)
        traitee = DemandeCommandeTraitee(
            **reponse,
            acceptee=True,
            statut=demande.statut,
            numero_unique=demande.numero_unique,
        )
    uow.publish(traitee)
    return traitee


def _contexte(compte: str, maintenant: datetime, stockage: Stockage | None = None) -> Contexte:
    return Contexte(Intervenant(TypeIntervenant.PORTAIL, compte), maintenant, stockage=stockage)


async def soumettre_en_ligne(
    uow: UnitOfWork,
    commande: PortailDemandeSoumise,
    stockage: Stockage,
    settings: Settings,
    maintenant: datetime,
    taille_max_piece: int,
) -> DemandeCommandeTraitee:
    """Create the online demande (the portail chose its id), deposit the identity document,
    then register it (numéro unique, attestation) — or, where the département wants a
    guichet to check the document first, submit it (A_VALIDER)."""
    compte = commande.compte_demandeur
    ctx = _contexte(compte, maintenant, stockage)
    verifier = _du_compte(compte)
    fichiers: list[str] = []

    async def action(vue: UnitOfWork) -> Demande:
        existante = await vue.repository(DemandeRepository).get(commande.demande_id)
        if existante is not None:
            # Sent again (a second click, a replay): the first one is the answer.
            verifier(existante)
            return existante
        piece = commande.piece_identite
        try:
            contenu = dechiffrer(piece.contenu_chiffre, settings)
        except PieceIllisible:
            raise Invalide(
                [("piece_identite", "pièce d'identité illisible : déposez-la à nouveau")]
            ) from None
        if len(contenu) != piece.taille or empreinte(contenu) != piece.empreinte:
            raise Invalide([("piece_identite", "pièce d'identité altérée : déposez-la à nouveau")])
        document = commande.saisie.model_copy(update={"canal_depot": CanalDepot.EN_LIGNE})
        demande, _doublons = await saisie.creer(
            vue,
            document,
            ctx,
            compte,
            verifier,
            _autorite_du_demandeur(),
            demande_id=commande.demande_id,
        )
        ligne = await pieces.deposer_piece(
            vue,
            stockage,
            demande.id,
            piece.type_piece,
            piece.personne,
            pieces.Fichier(piece.nom, contenu),
            taille_max_piece,
            ctx,
            verifier,
        )
        fichiers.append(str(ligne["cle_stockage"]))
        if depot_en_ligne(demande.departement).validation_prealable:
            return await cycle_de_vie.soumettre(vue, demande.id, ctx, verifier)
        guichet = depot_en_ligne(demande.departement).guichet
        demande, _doublons = await cycle_de_vie.enregistrer(vue, demande.id, guichet, ctx, verifier)
        return demande

    traitee = await _appliquer(uow, commande, action)
    if not traitee.acceptee:
        # A pièce is its row and its file: the row was rolled back, so is the file.
        for cle in fichiers:
            with contextlib.suppress(Exception):
                await stockage.supprimer(cle)
    return traitee


async def modifier_en_ligne(
    uow: UnitOfWork, commande: PortailModificationDemandee, maintenant: datetime
) -> DemandeCommandeTraitee:
    """The household changes fields it owns, on the version it read (JSON merge patch)."""
    compte = commande.compte_demandeur
    ctx = _contexte(compte, maintenant)

    async def action(vue: UnitOfWork) -> Demande:
        return await saisie.modifier(
            vue,
            commande.demande_id,
            dict(commande.modifications),
            commande.version_lue,
            ctx,
            _du_compte(compte),
            _autorite_du_demandeur(),
            voit_handicap=lambda d: d.proprietaire == compte,
        )

    return await _appliquer(uow, commande, action)


def renouvellement_ouvert_le(expiration: date) -> date:
    """First day the household may renew online: the renewal notice's date (R441-2-7 CCH:
    at least one month before expiry)."""
    return referentiel.regles_cycle_de_vie().date_preavis_renouvellement(expiration)


async def renouveler_en_ligne(
    uow: UnitOfWork, commande: PortailRenouvellementDemande, maintenant: datetime
) -> DemandeCommandeTraitee:
    compte = commande.compte_demandeur
    ctx = _contexte(compte, maintenant)
    du_compte = _du_compte(compte)

    def verifier(demande: Demande) -> None:
        du_compte(demande)
        expiration = demande.date_expiration
        if (
            demande.statut is StatutDemande.ACTIVE
            and expiration is not None
            and maintenant.date() < renouvellement_ouvert_le(expiration)
        ):
            raise TransitionInterdite(
                f"le renouvellement en ligne ouvre le "
                f"{renouvellement_ouvert_le(expiration):%d/%m/%Y} (un mois avant la fin de "
                f"validité, le {expiration:%d/%m/%Y})"
            )

    async def action(vue: UnitOfWork) -> Demande:
        return await cycle_de_vie.renouveler(vue, commande.demande_id, ctx, verifier)

    return await _appliquer(uow, commande, action)


async def renoncer_en_ligne(
    uow: UnitOfWork, commande: PortailRenonciationDemandee, maintenant: datetime
) -> DemandeCommandeTraitee:
    """Radiation for renonciation (R441-2-8 CCH: at once, no notice)."""
    compte = commande.compte_demandeur
    ctx = _contexte(compte, maintenant)

    async def action(vue: UnitOfWork) -> Demande:
        return await cycle_de_vie.radier(
            vue, commande.demande_id, MotifRadiation.RENONCIATION, None, ctx, _du_compte(compte)
        )

    return await _appliquer(uow, commande, action)
