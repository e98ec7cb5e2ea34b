"""Events of the portail service (the applicants' site, primer §13).

Attaching a demande made at a guichet to a portal account (issue 15): the portail
asks demandes to check a numéro unique and a date of birth it cannot check itself
(it holds neither); demandes, if they match, has notifications email a one-time code
to the address on file (`demande.code_rattachement`); the household types the code on
the portail, which then tells demandes the demande is attached to the account.
Whether a numéro exists is never told to the portail's user."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from toit_contracts.events.base import IntegrationEvent, personal
from toit_contracts.events.identite import SECRET
from toit_contracts.types import NumeroUniqueStr

CODE_PATTERN = r"^[0-9]{8}$"


def code_secret() -> Any:
    return Field(
        pattern=CODE_PATTERN,
        description="Secret (code à usage unique, ne pas journaliser). Code de rattachement.",
        json_schema_extra={SECRET: True},
    )


class RattachementDemande(IntegrationEvent):
    """Un compte du portail veut rattacher une demande déposée à un guichet."""

    event_type = "portail.rattachement_demande"
    subject_field: ClassVar[str | None] = "rattachement_id"
    summary = (
        "Vérifier le numéro unique et la date de naissance du demandeur ; s'ils "
        "correspondent, faire envoyer le code au courriel de la demande (service demandes)."
    )

    rattachement_id: UUID = Field(description="Identifiant de la tentative (sujet)")
    numero_unique: NumeroUniqueStr = Field(description="Numéro unique saisi par le ménage")
    date_naissance: date = personal("Date de naissance saisie pour le demandeur.")
    code: str = code_secret()
    expire_le: AwareDatetime = Field(description="Fin de validité du code")


class DemandeRattachee(IntegrationEvent):
    """Le ménage a saisi le bon code : la demande est rattachée à son compte du portail."""

    event_type = "portail.demande_rattachee"
    subject_field: ClassVar[str | None] = "demande_id"
    summary = "Rattacher la demande au compte du portail (compte_demandeur) : service demandes."

    rattachement_id: UUID = Field(description="La tentative confirmée par le code")
    demande_id: UUID = Field(description="Demande rattachée (sujet)")
    compte_id: str = Field(
        min_length=1, max_length=64, description="Compte du portail (identite) du demandeur"
    )


__all__ = ["DemandeRattachee", "RattachementDemande"]
