"""Events of the abonnements service (partner subscriptions)."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from toit_contracts.events.base import EntityEvent, personal
from toit_contracts.types import Email


class AbonnementSuspendu(EntityEvent):
    """Le point de réception d'un abonnement échoue depuis toute la période de relance : les
    livraisons sont suspendues (le journal continue de se remplir, rien n'est perdu). Le
    contact de l'organisation partenaire doit être prévenu."""

    event_type = "abonnement.suspendu"
    subject_field: ClassVar[str | None] = "abonnement_id"
    summary = "Livraisons d'un abonnement suspendues : prévenir le contact du partenaire."

    version: int = Field(ge=1, description="Version de l'abonnement après la suspension")
    abonnement_id: UUID = Field(description="Abonnement suspendu (sujet de l'événement)")
    organisation_id: UUID = Field(description="Organisation partenaire")
    nom: str = Field(min_length=1, max_length=200, description="Nom de l'abonnement")
    mode: str = Field(min_length=1, max_length=16, description="WEBHOOK ou AMQP")
    contact_email: Email = personal("Courriel du contact de l'organisation partenaire.")
    raison: str = Field(min_length=1, max_length=500, description="Dernière erreur constatée")
    premier_echec_le: AwareDatetime = Field(description="Début des échecs")
    suspendu_le: AwareDatetime = Field(description="Suspension")
    lettres_mortes: int = Field(ge=0, description="Événements en lettres mortes, à rejouer")


__all__ = ["AbonnementSuspendu"]
