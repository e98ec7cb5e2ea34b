"""Events of the identite service (accounts, habilitations, primer §12).

They carry the account's email because notifications must send the message;
links carry a one-time token: a secret, never to be logged."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from toit_contracts.enums import MotifDesactivation, TypeOrganisation
from toit_contracts.events.base import EntityEvent, IntegrationEvent, personal
from toit_contracts.types import Departement, Email

SECRET = "x-secret"
"""JSON Schema keyword marking a field as a secret (never logged)."""

_HTTPS_URL = r"^https?://\S+$"


def _secret_url(description: str) -> Any:
    return Field(
        pattern=_HTTPS_URL,
        max_length=2048,
        description=f"Secret (jeton à usage unique, ne pas journaliser). {description}",
        json_schema_extra={SECRET: True},
    )


class _CompteEvent(EntityEvent):
    subject_field: ClassVar[str | None] = "compte_id"

    compte_id: UUID = Field(description="Identifiant du compte (sujet de l'événement)")
    email: Email = personal("Adresse électronique du compte, pour l'envoi du message.")


class CompteActivationDemandee(_CompteEvent):
    """Un compte a été créé ou invité : le lien d'activation doit être envoyé."""

    event_type = "compte.activation_demandee"
    summary = "Envoyer le lien d'activation d'un compte."

    url_activation: str = _secret_url("Lien d'activation du compte.")
    expire_le: AwareDatetime = Field(description="Fin de validité du lien")


class CompteReinitialisationDemandee(_CompteEvent):
    """Une réinitialisation du mot de passe a été demandée."""

    event_type = "compte.reinitialisation_demandee"
    summary = "Envoyer le lien de réinitialisation du mot de passe."

    url_reinitialisation: str = _secret_url("Lien de réinitialisation du mot de passe.")
    expire_le: AwareDatetime = Field(description="Fin de validité du lien")


class CompteVerrouille(_CompteEvent):
    """Le compte est verrouillé après des échecs d'authentification répétés."""

    event_type = "compte.verrouille"
    summary = "Prévenir le titulaire que son compte est verrouillé."

    verrouille_jusqu_a: AwareDatetime | None = Field(
        default=None, description="Fin du verrouillage; absent : déverrouillage manuel"
    )


class CompteDesactive(_CompteEvent):
    """Le compte est désactivé : il ne permet plus de se connecter."""

    event_type = "compte.desactive"
    summary = "Compte désactivé (revue des habilitations, inactivité, départ…)."

    motif: MotifDesactivation = Field(description="Motif de la désactivation")


class CompteSupprime(EntityEvent):
    """Le demandeur a supprimé son compte en ligne (pas sa demande) : identite n'en garde
    rien ; le portail oublie ce qu'il gardait pour ce compte, le service des demandes
    détache ses demandes (elles restent suivies par les guichets et peuvent être
    rattachées à un nouveau compte)."""

    event_type = "compte.supprime"
    subject_field: ClassVar[str | None] = "compte_id"
    summary = "Compte demandeur supprimé : détacher ses demandes, oublier ses brouillons."

    compte_id: UUID = Field(description="Identifiant du compte supprimé (sujet de l'événement)")


class ComptesARevoir(IntegrationEvent):
    """Des comptes d'une organisation attendent la revue périodique de leurs habilitations."""

    event_type = "comptes.a_revoir"
    subject_field: ClassVar[str | None] = "organisation_id"
    summary = "Rappeler aux administrateurs d'une organisation la revue des habilitations."

    organisation_id: UUID = Field(description="Organisation concernée (sujet de l'événement)")
    nombre_comptes: int = Field(ge=1, description="Nombre de comptes à revoir")
    date_limite: date | None = Field(
        default=None, description="Date après laquelle les comptes non confirmés sont désactivés"
    )
    destinataires: list[Email] = personal(
        "Courriels des administrateurs de l'organisation à prévenir.", default_factory=list
    )


class JetonRevoque(IntegrationEvent):
    """Des jetons d'accès ne doivent plus être acceptés (déconnexion, mot de passe
    changé, compte désactivé) : chaque service les refuse jusqu'à leur expiration."""

    event_type = "jeton.revoque"
    summary = "Refuser, dans chaque service, des jetons d'accès encore valides."
    subject_field: ClassVar[str | None] = "compte_id"

    compte_id: UUID = Field(description="Compte titulaire des jetons (claim sub)")
    jti: str | None = Field(
        default=None, max_length=64, description="Le jeton révoqué (claim jti) ; absent : tous"
    )
    emis_avant: AwareDatetime | None = Field(
        default=None,
        description="Sans jti : tous les jetons du compte émis avant cet instant sont révoqués",
    )
    expire_le: AwareDatetime = Field(
        description="Après cet instant les jetons concernés ont expiré : la révocation "
        "peut être oubliée"
    )


class _OrganisationEvent(EntityEvent):
    """An organisation as identite knows it: what bounds its agents' and partners' rights."""

    subject_field: ClassVar[str | None] = "organisation_id"

    organisation_id: UUID = Field(description="Organisation (sujet de l'événement)")
    nom: str = Field(min_length=1, max_length=200, description="Nom de l'organisation")
    type: TypeOrganisation = Field(description="Type d'organisation")
    departements: list[Departement] = Field(
        max_length=20, description="Départements où l'organisation est habilitée"
    )
    guichet_enregistreur: bool = Field(description="Guichet enregistreur")
    reservataire: bool = Field(description="Réservataire de logements")
    bailleur: bool = Field(description="Bailleur social")


class OrganisationEnregistree(_OrganisationEvent):
    """Une organisation partenaire a été créée dans identite."""

    event_type = "organisation.enregistree"
    summary = "Organisation créée : ses départements bornent les habilitations qui en dépendent."


class OrganisationModifiee(_OrganisationEvent):
    """Une organisation a changé (nom, départements, rôles dans le fichier) : les
    habilitations qui en dépendent (abonnements des partenaires) suivent."""

    event_type = "organisation.modifiee"
    summary = "Organisation modifiée : les habilitations qui en dépendent suivent."


__all__ = [
    "CompteActivationDemandee",
    "CompteDesactive",
    "CompteReinitialisationDemandee",
    "CompteVerrouille",
    "ComptesARevoir",
    "JetonRevoque",
    "OrganisationEnregistree",
    "OrganisationModifiee",
]
