"""THE authorisation table of Toit: role × action → scope.

Every endpoint of every service declares the action it needs
(`Depends(require("demande.lire"))`); this table says which roles may perform
it and on which records. Anything not listed is denied.

Scopes, broadest first:
- "tout": any record;
- "perimetre": records inside the principal's territory (départements, and
  when the account is restricted to some EPCI or communes, those only);
- "organisation": records of the principal's own organisation;
- "propre": the principal's own records only (a demandeur and their demande).

The data-dependent part (is this record inside the scope?) is checked by
`servicekit.auth.authorize` once the record is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

Scope = Literal["tout", "perimetre", "organisation", "propre"]

SCOPE_ORDER: tuple[Scope, ...] = ("tout", "perimetre", "organisation", "propre")

GESTIONNAIRE_FICHIER = "GESTIONNAIRE_FICHIER"
ADMINISTRATEUR_ORGANISATION = "ADMINISTRATEUR_ORGANISATION"
AGENT_ENREGISTREUR = "AGENT_ENREGISTREUR"
INSTRUCTEUR = "INSTRUCTEUR"
MEMBRE_CALEOL = "MEMBRE_CALEOL"
RESERVATAIRE = "RESERVATAIRE"
OBSERVATEUR = "OBSERVATEUR"
DEMANDEUR = "DEMANDEUR"
# An API client of a partner organisation (OAuth2 client credentials, services/abonnements):
# it reads its organisation's subscriptions and feed, nothing else.
PARTENAIRE_API = "PARTENAIRE_API"

ROLES: tuple[str, ...] = (
    GESTIONNAIRE_FICHIER,
    ADMINISTRATEUR_ORGANISATION,
    AGENT_ENREGISTREUR,
    INSTRUCTEUR,
    MEMBRE_CALEOL,
    RESERVATAIRE,
    OBSERVATEUR,
    DEMANDEUR,
    PARTENAIRE_API,
)

# Actions anyone authenticated may perform on themselves, even before the
# charte déontologique is accepted (it is what they need to accept it).
SELF_ACTIONS = ("compte.moi", "charte.lire", "charte.accepter")

ACTIONS: Mapping[str, str] = {
    "demande.creer": "Créer une demande de logement social",
    "demande.lire": "Consulter une demande nominative",
    "demande.modifier": "Modifier une demande (les champs que son rôle possède : authz_fields)",
    "demande.date_depot.corriger": "Corriger la date de premier dépôt d'une demande, avec un motif",
    "demande.enregistrer": "Enregistrer une demande et lui attribuer le numéro unique",
    "demande.renouveler": "Renouveler une demande",
    "demande.radier": "Radier une demande",
    "demande.declarer_irrecevable": (
        "Déclarer une demande irrecevable par décision du gestionnaire (R441-2-8 CCH)"
    ),
    "demande.reactiver": "Réactiver une demande radiée",
    "demande.fusionner": "Fusionner des demandes en doublon",
    "demande.historique": "Consulter l'historique d'une demande",
    "demande.handicap.lire": "Consulter le handicap et la perte d'autonomie (donnée sensible)",
    "piece.deposer": "Déposer une pièce justificative",
    "piece.lire": "Consulter une pièce justificative",
    "piece.valider": "Valider ou refuser une pièce justificative",
    "cotation.lire": "Consulter la cotation d'une demande",
    "grille.lire": "Consulter les grilles de cotation",
    "grille.gerer": "Créer et publier les grilles de cotation",
    "grille.simuler": "Simuler une grille de cotation",
    "notification.lire": "Consulter les notifications envoyées",
    "courrier.editer": "Éditer les courriers et attestations",
    "boite_dev.lire": "Mode démonstration : lire les courriels du serveur SMTP local "
    "(liens d'activation et de réinitialisation compris)",
    "statistiques.lire": "Consulter les statistiques (jamais de données nominatives)",
    "trace.consulter": "Consulter la trace des consultations",
    "compte.moi": "Consulter son propre compte",
    "compte.lire": "Consulter les comptes et leur dernière connexion",
    "compte.gerer": "Créer, habiliter, désactiver des comptes",
    "charte.lire": "Lire la charte déontologique",
    "charte.accepter": "Accepter la charte déontologique",
    "charte.gerer": "Publier une nouvelle version de la charte déontologique",
    "organisation.lire": "Consulter les organisations",
    "organisation.gerer": "Créer et modifier les organisations",
    "logement.gerer": "Gérer les logements et leurs vacances",
    "candidat.rechercher": "Rechercher des candidats pour un logement",
    "candidat.designer": "Désigner des candidats pour un logement vacant",
    "convention.gerer": "Enregistrer les conventions de réservation (gestion en flux)",
    "caleol.gerer": "Préparer les CALEOL et enregistrer leurs décisions",
    "caleol.sieger": "Siéger en CALEOL et consulter les dossiers présentés",
    "caleol.lire": "Consulter les commissions dont on est membre ou que l'on prépare, leurs "
    "séances, dossiers, votes et procès-verbaux",
    "demande.violences.lire": "Consulter les motifs et priorités liés aux violences "
    "(donnée sensible)",
    "partenaire.gerer": "Déclarer les organisations partenaires abonnées aux événements",
    "abonnement.lire": "Consulter les abonnements, leurs livraisons et lettres mortes",
    "abonnement.gerer": "Créer, modifier, suspendre les abonnements; rejouer les lettres mortes",
    "abonnement.flux": "Lire le flux d'événements d'un abonnement (client API partenaire)",
    "client_api.gerer": "Créer, renouveler, révoquer les clients API (OAuth2) des partenaires",
    "annonce.lire": "Lire les annonces du fichier affichées sur la page d'accueil",
    "annonce.gerer": "Publier, modifier et faire expirer les annonces du fichier",
    "favori.gerer": "Épingler ses demandes et listes favorites sur sa page d'accueil",
}

_SELF: dict[str, Scope] = dict.fromkeys(SELF_ACTIONS, "propre")
# Every professional reads the announcements of their départements and keeps favourites.
_PRO: dict[str, Scope] = {"annonce.lire": "perimetre", "favori.gerer": "propre"}

# Agents of partner organisations read nominative demandes of their territory
# only (R441-2-6 CCH); the observateur never reads nominative data.
PERMISSIONS: Mapping[str, Mapping[str, Scope]] = {
    GESTIONNAIRE_FICHIER: {
        **_SELF,
        **_PRO,
        "boite_dev.lire": "tout",
        **dict.fromkeys(
            (
                "demande.creer",
                "demande.lire",
                "demande.modifier",
                "demande.date_depot.corriger",
                "demande.enregistrer",
                "demande.renouveler",
                "demande.radier",
                "demande.declarer_irrecevable",
                "demande.reactiver",
                "demande.fusionner",
                "demande.historique",
                "demande.handicap.lire",
                "demande.violences.lire",
                "piece.deposer",
                "piece.lire",
                "piece.valider",
                "cotation.lire",
                "grille.lire",
                "grille.gerer",
                "grille.simuler",
                "notification.lire",
                "courrier.editer",
                "statistiques.lire",
                "trace.consulter",
                "compte.lire",
                "compte.gerer",
                "charte.gerer",
                "organisation.lire",
                "organisation.gerer",
                "logement.gerer",
                "candidat.rechercher",
                "candidat.designer",
                "convention.gerer",
                "caleol.gerer",
                "caleol.lire",
                "partenaire.gerer",
                "abonnement.lire",
                "abonnement.gerer",
                "client_api.gerer",
                "annonce.gerer",
            ),
            "perimetre",
        ),
    },
    ADMINISTRATEUR_ORGANISATION: {
        **_SELF,
        **_PRO,
        # A partner's administrator manages their own organisation's subscriptions.
        "abonnement.lire": "organisation",
        "abonnement.gerer": "organisation",
        "client_api.gerer": "organisation",
        "compte.lire": "organisation",
        "compte.gerer": "organisation",
        "organisation.lire": "organisation",
        "statistiques.lire": "perimetre",
        # An EPCI's grids are its organisation's records: cotation checks that the
        # organisation is an EPCI and that the grid's EPCI is the account's own.
        "grille.lire": "perimetre",
        "grille.gerer": "organisation",
        "grille.simuler": "organisation",
    },
    AGENT_ENREGISTREUR: {
        **_SELF,
        **_PRO,
        **dict.fromkeys(
            (
                "demande.creer",
                "demande.lire",
                "demande.modifier",
                "demande.enregistrer",
                "demande.renouveler",
                "demande.radier",
                "demande.reactiver",
                "demande.historique",
                "demande.handicap.lire",
                "demande.violences.lire",
                "piece.deposer",
                "piece.lire",
                "piece.valider",
                "cotation.lire",
                "grille.lire",
                "notification.lire",
                "courrier.editer",
                # Listes paramétrables of the demandes of their territory (observatoire).
                "statistiques.lire",
            ),
            "perimetre",
        ),
    },
    INSTRUCTEUR: {
        **_SELF,
        **_PRO,
        **dict.fromkeys(
            (
                "demande.lire",
                # Its decisions only: priorities validated or refused, DALO (authz_fields).
                "demande.modifier",
                "demande.historique",
                "demande.handicap.lire",
                "demande.violences.lire",
                "piece.lire",
                "piece.valider",
                "cotation.lire",
                "grille.lire",
                "courrier.editer",
                "statistiques.lire",
                "logement.gerer",
                "candidat.rechercher",
                "candidat.designer",
                "convention.gerer",
                "caleol.gerer",
                "caleol.lire",
            ),
            "perimetre",
        ),
    },
    MEMBRE_CALEOL: {
        **_SELF,
        **_PRO,
        **dict.fromkeys(
            (
                "demande.lire",
                "demande.handicap.lire",
                "demande.violences.lire",
                "piece.lire",
                "cotation.lire",
                "grille.lire",
                "caleol.sieger",
                "caleol.lire",
            ),
            "perimetre",
        ),
    },
    RESERVATAIRE: {
        **_SELF,
        **_PRO,
        **dict.fromkeys(
            (
                "demande.lire",
                "piece.lire",
                "cotation.lire",
                "grille.lire",
                "statistiques.lire",
                "candidat.rechercher",
                "candidat.designer",
            ),
            "perimetre",
        ),
    },
    OBSERVATEUR: {**_SELF, **_PRO, "statistiques.lire": "perimetre"},
    PARTENAIRE_API: {"abonnement.lire": "organisation", "abonnement.flux": "organisation"},
    DEMANDEUR: {
        "compte.moi": "propre",
        **dict.fromkeys(
            (
                "demande.creer",
                "demande.lire",
                "demande.modifier",
                "demande.renouveler",
                "piece.deposer",
                "piece.lire",
                "cotation.lire",
                "notification.lire",
            ),
            "propre",
        ),
    },
}


def scopes_for(roles: Iterable[str], action: str) -> list[Scope]:
    """The scopes the roles grant for an action, broadest first; empty = denied."""
    granted = {PERMISSIONS.get(role, {}).get(action) for role in roles}
    return [scope for scope in SCOPE_ORDER if scope in granted]


def roles_granting(action: str) -> frozenset[str]:
    return frozenset(role for role, actions in PERMISSIONS.items() if action in actions)


def _check_table() -> None:
    for role, actions in PERMISSIONS.items():
        unknown = set(actions) - set(ACTIONS)
        if unknown:
            raise RuntimeError(f"unknown actions for {role}: {sorted(unknown)}")


_check_table()
