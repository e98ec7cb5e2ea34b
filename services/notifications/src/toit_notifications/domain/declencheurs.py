"""Which event triggers which notification: one entry per notification type.

Adding a notification type is one template folder (templates/<type>/v1/) and
one `Declencheur` below: the event class, the type, and the function that
turns the event into the values the template prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import toit_referentiel as referentiel
from toit_referentiel.calendrier import date_saisine_dalo

from toit_contracts.enums import CanalDepot
from toit_contracts.events import (
    AbonnementSuspendu,
    CompteActivationDemandee,
    CompteReinitialisationDemandee,
    ComptesARevoir,
    CompteVerrouille,
    Contact,
    DemandeCodeRattachement,
    DemandeDecisionCaleolNotifiee,
    DemandeDelaiAnormalementLongAtteint,
    DemandeEnregistree,
    DemandeOffreNotifiee,
    DemandeRadiationLevee,
    DemandeRadiationPreavisee,
    DemandeRadiee,
    DemandeRejetee,
    DemandeRenouvelee,
    DemandeRenouvellementAEcheance,
    IntegrationEvent,
    ListeDiffusee,
)
from toit_notifications.domain.model import (
    Adresse,
    Avis,
    Canal,
    Destinataire,
    canaux_attestation,
    canaux_code_rattachement,
    canaux_lettre_recommandee,
    canaux_preavis_renouvellement,
    choisir_canal,
    date_fr,
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
    # Channels from the recipient and whether the applicant used the portal (default: one,
    # email unless post was asked for or no address is known).
    canaux: Callable[[Destinataire, bool], tuple[Canal, ...]] | None = None
    # False: the event calls for no notification (a demande migrated from another fichier
    # already has its attestation).
    si: Callable[[Any], bool] = lambda event: True
    # What `canaux` receives as "online" (default: the event's `en_ligne`, the applicant
    # registered or renewed online at least once).
    en_ligne: Callable[[Any], bool] = lambda event: bool(getattr(event, "en_ligne", False))

    def avis(self, event: Any) -> list[Avis]:
        if not self.si(event):
            return []
        if hasattr(event, "demande_id"):
            return self._avis_demandeur(event)
        return self._avis_compte(event)

    def _avis_demandeur(self, event: Any) -> list[Avis]:
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
        if self.canaux is None:
            canaux: tuple[Canal, ...] = (choisir_canal(destinataire),)
        else:
            canaux = self.canaux(destinataire, self.en_ligne(event))
        return [
            Avis(
                type=self.type,
                destinataire=destinataire,
                canal=canal,
                contexte=contexte,
                demande_id=event.demande_id,
                departement=event.departement,
                guichet=event.guichet_enregistreur,
                compte_demandeur=event.compte_demandeur,
                attestation=self.attestation,
            )
            for canal in canaux
        ]

    def _avis_compte(self, event: Any) -> list[Avis]:
        if isinstance(event, ComptesARevoir | ListeDiffusee):
            emails = event.destinataires
        elif isinstance(event, AbonnementSuspendu):
            emails = [event.contact_email]
        else:
            emails = [event.email]
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


def _preavis_radiation(event: DemandeRadiationPreavisee) -> Contexte:
    decision = event.decision
    return {
        "motif": event.motif.value,
        "motif_libelle": event.motif.label,
        "sous_motif_libelle": event.sous_motif.label if event.sous_motif else None,
        "origine_libelle": decision.origine.label if decision else None,
        "fondement": decision.fondement if decision else None,
        "reference_decision": decision.reference if decision else None,
        "date_decision": decision.date_decision if decision else None,
        "date_preavis": event.date_preavis,
        "date_limite_reponse": event.date_limite_reponse,
        "date_effet": event.date_effet,
    }


def _levee_preavis(event: DemandeRadiationLevee) -> Contexte:
    return {
        "motif_libelle": event.motif.label,
        "date_preavis": event.date_preavis,
        "date_effet_annulee": event.date_effet_annulee,
        "date_reponse": event.date_reponse,
        "reponse": event.reponse,
    }


def _offre(event: DemandeOffreNotifiee) -> Contexte:
    condition = event.condition
    return {
        "offre_id": str(event.offre_id),
        "rappel": event.rappel,
        "adresse": event.adresse,
        "typologie": event.typologie.label,
        "loyer": event.loyer,
        "charges": event.charges,
        "date_notification": event.date_notification,
        "date_limite_reponse": event.date_limite_reponse,
        "piece": condition.piece if condition else None,
        "date_limite_piece": condition.date_limite if condition else None,
    }


def _decision_caleol(event: DemandeDecisionCaleolNotifiee) -> Contexte:
    d = event.decision
    commune = referentiel.commune(event.commune)
    return {
        "reference_seance": event.reference_seance,
        "date_decision": event.date_decision,
        "typologie": event.typologie.label,
        "commune_nom": commune.nom if commune else event.commune,
        "sens": d.sens.value,
        "sens_libelle": d.sens.label,
        "rang": d.rang,
        "motifs": d.motifs,
        "piece": d.condition.piece if d.condition else None,
        "date_limite_piece": d.condition.date_limite if d.condition else None,
    }


def _delai_anormalement_long(event: DemandeDelaiAnormalementLongAtteint) -> Contexte:
    return {
        "date_depot_initial": event.date_depot_initial,
        "delai_mois": event.delai_mois,
        "date_saisine": date_saisine_dalo(event.date_depot_initial, event.delai_mois),
        "delai_provisoire": _dal_provisoire(event.departement),
    }


def _abonnement_suspendu(event: AbonnementSuspendu) -> Contexte:
    return {
        "nom_abonnement": event.nom,
        "mode": event.mode,
        "raison": event.raison,
        "premier_echec_le": event.premier_echec_le,
        "suspendu_le": event.suspendu_le,
        "lettres_mortes": event.lettres_mortes,
    }


def _dal_provisoire(departement: str) -> bool:
    """The département's DAL is a placeholder of the referentiel (printed as indicative)."""
    try:
        return referentiel.delai_des_typologies(departement).provisoire
    except referentiel.DonneeIndisponible:
        return False


def _deposee_en_ligne(event: DemandeEnregistree | DemandeRenouvelee) -> bool:
    return event.snapshot.canal_depot is CanalDepot.EN_LIGNE


def _liste_diffusee(event: ListeDiffusee) -> Contexte:
    """A scheduled list of the observatoire: its aggregate preview (masked cells stay
    masked) or, for a nominative list, only the link."""
    return {
        "titre": event.titre,
        "reference": event.reference,
        "execute_le": event.execute_le,
        "libelle_periode": libelle_periode(event.planification, event.periode),
        "total": event.total,
        "nominatif": event.nominatif,
        "apercu": event.apercu.model_dump() if event.apercu is not None else None,
        "lien": event.lien,
    }


def libelle_periode(planification: str, periode: str) -> str:
    if planification == "hebdomadaire":
        annee, semaine = periode.split("-S")
        return f"la semaine {int(semaine)} de {annee}"
    if planification == "mensuelle":
        annee, mois = periode.split("-")
        # « 1 mars 2026 » without its day.
        return f"le mois de {date_fr(date(int(annee), int(mois), 1)).split(' ', 1)[1]}"
    return f"le {date_fr(date.fromisoformat(periode))}"


DECLENCHEURS: tuple[Declencheur, ...] = (
    Declencheur(
        DemandeEnregistree,
        "attestation_enregistrement",
        lambda e: {},
        attestation=True,
        canaux=canaux_attestation,
        si=lambda e: not e.migree,
        en_ligne=_deposee_en_ligne,
    ),
    Declencheur(
        DemandeRenouvelee,
        "attestation_renouvellement",
        lambda e: {},
        attestation=True,
        canaux=canaux_attestation,
        en_ligne=_deposee_en_ligne,
    ),
    Declencheur(
        DemandeRenouvellementAEcheance,
        "preavis_renouvellement",
        lambda e: {"date_expiration": e.date_expiration},
        canaux=canaux_preavis_renouvellement,
    ),
    Declencheur(
        DemandeRadiationPreavisee,
        "preavis_radiation",
        _preavis_radiation,
        canaux=canaux_lettre_recommandee,
    ),
    # The préavis went by registered letter (and email when known): its lifting is
    # confirmed the same ways, so that a household who got the letter also gets the answer.
    Declencheur(
        DemandeRadiationLevee,
        "levee_preavis_radiation",
        _levee_preavis,
        canaux=canaux_lettre_recommandee,
    ),
    Declencheur(DemandeRejetee, "demande_rejetee", lambda e: {"motif_rejet": e.motif}),
    Declencheur(DemandeRadiee, "avis_radiation", _radiation),
    Declencheur(DemandeDelaiAnormalementLongAtteint, "information_dalo", _delai_anormalement_long),
    # Attribution chain (issue 17): the offer states its deadline (R441-10 CCH), by letter with
    # proof of delivery and by email; the CALEOL's decision, reasoned when it refuses.
    Declencheur(DemandeOffreNotifiee, "offre_logement", _offre, canaux=canaux_lettre_recommandee),
    Declencheur(DemandeDecisionCaleolNotifiee, "decision_caleol", _decision_caleol),
    Declencheur(
        DemandeCodeRattachement,
        "code_rattachement",
        lambda e: {"code": e.code, "expire_le": e.expire_le},
        canaux=canaux_code_rattachement,
    ),
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
    Declencheur(ListeDiffusee, "liste_observatoire", _liste_diffusee),
    Declencheur(AbonnementSuspendu, "abonnement_suspendu", _abonnement_suspendu),
)

PAR_EVENEMENT: dict[str, Declencheur] = {d.evenement.event_type: d for d in DECLENCHEURS}
