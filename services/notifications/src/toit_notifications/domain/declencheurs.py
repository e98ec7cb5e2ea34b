"""Which event triggers which notification: one entry per notification type.

Adding a notification type is one template folder (templates/<type>/v1/) and
one `Declencheur` below: the event class, the type, and the function that
turns the event into the values the template prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import toit_referentiel as referentiel
from toit_referentiel.calendrier import date_saisine_dalo

from toit_contracts.events import (
    CompteActivationDemandee,
    CompteReinitialisationDemandee,
    ComptesARevoir,
    CompteVerrouille,
    Contact,
    DemandeDelaiAnormalementLongAtteint,
    DemandeEnregistree,
    DemandeRadiee,
    DemandeRenouvelee,
    DemandeRenouvellementAEcheance,
    IntegrationEvent,
)
from toit_notifications.domain.model import (
    Adresse,
    Avis,
    Canal,
    Destinataire,
    choisir_canal,
)

Contexte = dict[str, Any]


def destinataire_demandeur(contact: Contact) -> Destinataire:
    lignes: tuple[str, ...] = ()
    nom_complet = f"{contact.civilite.label} {contact.prenoms} {contact.nom}"
    if contact.adresse is not None:
        a = contact.adresse
        lignes = tuple(
            line
            for line in (
                nom_complet,
                f"chez {a.chez}" if a.chez else None,
                a.voie,
                a.complement,
                f"{a.code_postal} {a.commune.upper()}",
                None if a.pays.strip().lower() == "france" else a.pays.upper(),
            )
            if line
        )
    return Destinataire(
        email=contact.email,
        nom_complet=nom_complet,
        adresse=Adresse(lignes) if lignes else None,
        courrier_papier=contact.courrier_papier,
    )


@dataclass(frozen=True)
class Declencheur:
    """An event type and the notification it produces."""

    evenement: type[IntegrationEvent]
    type: str
    contexte: Callable[[Any], Contexte]
    # The attestation PDF goes with it (attachment, or the courrier itself).
    attestation: bool = False

    def avis(self, event: Any) -> list[Avis]:
        if hasattr(event, "demande_id"):
            return [self._avis_demandeur(event)]
        return self._avis_compte(event)

    def _avis_demandeur(self, event: Any) -> Avis:
        snapshot = getattr(event, "snapshot", None)
        contact: Contact = snapshot.contact if snapshot is not None else event.contact
        destinataire = destinataire_demandeur(contact)
        contexte = {
            "civilite": contact.civilite.label,
            "nom": contact.nom,
            "prenoms": contact.prenoms,
            "numero_unique": event.numero_unique,
            "departement": event.departement,
            "snapshot": snapshot,
            **self.contexte(event),
        }
        return Avis(
            type=self.type,
            destinataire=destinataire,
            canal=choisir_canal(destinataire),
            contexte=contexte,
            demande_id=event.demande_id,
            departement=event.departement,
            guichet=event.guichet_enregistreur,
            compte_demandeur=event.compte_demandeur,
            attestation=self.attestation,
        )

    def _avis_compte(self, event: Any) -> list[Avis]:
        emails = event.destinataires if isinstance(event, ComptesARevoir) else [event.email]
        return [
            Avis(
                type=self.type,
                destinataire=Destinataire(email=email),
                canal=Canal.EMAIL,
                contexte=self.contexte(event),
                compte_id=getattr(event, "compte_id", None),
            )
            for email in dict.fromkeys(emails)
        ]


def _radiation(event: DemandeRadiee) -> Contexte:
    return {
        "motif": event.motif.value,
        "motif_libelle": event.motif.label,
        "sous_motif_libelle": event.sous_motif.label if event.sous_motif else None,
        "date_radiation": event.date_radiation,
    }


def _delai_anormalement_long(event: DemandeDelaiAnormalementLongAtteint) -> Contexte:
    return {
        "date_depot_initial": event.date_depot_initial,
        "delai_mois": event.delai_mois,
        "date_saisine": date_saisine_dalo(event.date_depot_initial, event.delai_mois),
        "delai_provisoire": _dal_provisoire(event.departement),
    }


def _dal_provisoire(departement: str) -> bool:
    """The département's DAL is a placeholder of the referentiel (printed as indicative)."""
    try:
        return referentiel.delai_des_typologies(departement).provisoire
    except referentiel.DonneeIndisponible:
        return False


DECLENCHEURS: tuple[Declencheur, ...] = (
    Declencheur(DemandeEnregistree, "attestation_enregistrement", lambda e: {}, attestation=True),
    Declencheur(DemandeRenouvelee, "attestation_renouvellement", lambda e: {}, attestation=True),
    Declencheur(
        DemandeRenouvellementAEcheance,
        "preavis_renouvellement",
        lambda e: {"date_expiration": e.date_expiration},
    ),
    Declencheur(DemandeRadiee, "avis_radiation", _radiation),
    Declencheur(DemandeDelaiAnormalementLongAtteint, "information_dalo", _delai_anormalement_long),
    Declencheur(
        CompteActivationDemandee,
        "compte_activation",
        lambda e: {"url": e.url_activation, "expire_le": e.expire_le},
    ),
    Declencheur(
        CompteReinitialisationDemandee,
        "compte_reinitialisation",
        lambda e: {"url": e.url_reinitialisation, "expire_le": e.expire_le},
    ),
    Declencheur(CompteVerrouille, "compte_verrouille", lambda e: {"jusqu_a": e.verrouille_jusqu_a}),
    Declencheur(
        ComptesARevoir,
        "comptes_a_revoir",
        lambda e: {"nombre_comptes": e.nombre_comptes, "date_limite": e.date_limite},
    ),
)

PAR_EVENEMENT: dict[str, Declencheur] = {d.evenement.event_type: d for d in DECLENCHEURS}
