"""Commands of the portail to the demandes service, and demandes' answer.

The portail never writes a demande: the household's online actions travel as commands
on the bus (no synchronous call between services on the request path), demandes — the
single writer — applies each in one transaction and answers with
`demande.commande_traitee` (accepted, or refused with French messages per field) beside
the usual `demande.*` events that the portail's read model already follows.

- `portail.demande_soumise`: an online application (the whole `DemandeSaisie`, the same
  model a guichet posts, and the identity document, encrypted in transit);
- `portail.modification_demandee`: the household changes fields it owns
  (servicekit.authz_fields), as a JSON merge patch on the version it read;
- `portail.renouvellement_demande`: the household renews its demande;
- `portail.renonciation_demandee`: the household renounces (radiation for renonciation).

Each command has a `commande_id` chosen by the portail: demandes' inbox applies it once,
and the answer names it.
"""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field, JsonValue

from toit_contracts.enums import StatutDemande
from toit_contracts.events.base import ContractModel, IntegrationEvent, personal
from toit_contracts.events.identite import SECRET
from toit_contracts.saisie import DemandeSaisie
from toit_contracts.types import Departement, NumeroUniqueStr

TAILLE_MAX_PIECE_EN_LIGNE = 5 * 1024 * 1024
"""Largest identity document the portail accepts and forwards (5 Mio)."""


class PieceTransmise(ContractModel):
    """A document the household uploaded on the portail, handed to demandes' pièces.

    The content is encrypted (Fernet, key shared by the portail and demandes only:
    `TOIT_PIECES_TRANSIT_CLE`): the event archive and the broker hold only ciphertext."""

    piece_id: UUID = Field(description="Identifiant de la pièce (choisi par le portail)")
    type_piece: str = Field(
        min_length=1, max_length=64, description="Code du catalogue des pièces (PIECE_IDENTITE…)"
    )
    personne: str = Field(
        default="demandeur",
        pattern=r"^(demandeur|codemandeur|occupants\[(0|[1-9][0-9]?)\])$",
        description="Personne concernée",
    )
    nom: str = Field(min_length=1, max_length=120, description="Nom affiché (libellé seulement)")
    media_type: Literal["application/pdf", "image/jpeg", "image/png"] = Field(
        description="Type du contenu, lu dans le contenu lui-même"
    )
    taille: int = Field(ge=1, le=TAILLE_MAX_PIECE_EN_LIGNE, description="Taille en octets")
    empreinte: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="SHA-256 du contenu en clair (hexadécimal)"
    )
    contenu_chiffre: str = Field(
        max_length=8 * 1024 * 1024,
        description="Secret. Donnée personnelle. Contenu chiffré (jeton Fernet, base64 URL)",
        json_schema_extra={SECRET: True, "x-donnee-personnelle": True},
    )


class _Commande(IntegrationEvent):
    subject_field: ClassVar[str | None] = "demande_id"

    commande_id: UUID = Field(description="Identifiant de la commande (réponse, idempotence)")
    demande_id: UUID = Field(description="Demande visée (sujet de l'événement)")
    departement: Departement = Field(description="Département de la demande")
    compte_demandeur: str = Field(
        min_length=1,
        max_length=64,
        description="Compte du demandeur connecté au portail (doit être le titulaire)",
    )


class PortailDemandeSoumise(_Commande):
    """Le ménage a déposé sa demande en ligne : demandes la crée (identifiant `demande_id`,
    choisi par le portail), y dépose la pièce d'identité, puis l'enregistre ou la met à
    valider par un guichet selon la configuration du département."""

    event_type = "portail.demande_soumise"
    summary = "Demande déposée en ligne : à créer et enregistrer (ou à valider) par demandes."

    saisie: DemandeSaisie = personal("La demande telle que le ménage l'a saisie (Cerfa 14069).")
    piece_identite: PieceTransmise = Field(
        description="Pièce d'identité ou titre de séjour du demandeur"
    )


class PortailModificationDemandee(_Commande):
    """Le ménage modifie, en ligne, des champs qu'il possède (servicekit.authz_fields)."""

    event_type = "portail.modification_demandee"
    summary = "Modification en ligne d'une demande par son titulaire (merge patch JSON)."

    version_lue: int = Field(ge=1, description="Version de la demande sur laquelle porte le patch")
    modifications: dict[str, JsonValue] = personal(
        "Patch JSON (RFC 7396) sur la représentation de la demande; rubriques de premier niveau.",
        max_length=20,
    )


class PortailRenouvellementDemande(_Commande):
    """Le ménage renouvelle sa demande en ligne (numéro et ancienneté conservés)."""

    event_type = "portail.renouvellement_demande"
    summary = "Renouvellement en ligne d'une demande par son titulaire."


class PortailRenonciationDemandee(_Commande):
    """Le ménage renonce à sa demande en ligne : radiation pour renonciation (R441-2-8 CCH)."""

    event_type = "portail.renonciation_demandee"
    summary = "Renonciation en ligne : radiation pour renonciation."


class ErreurCommande(ContractModel):
    """Why a command was refused, for one field (or the whole command)."""

    champ: str = Field(max_length=200, description="Chemin du champ; vide : toute la commande")
    message: str = Field(max_length=500, description="Message en français")


class DemandeCommandeTraitee(IntegrationEvent):
    """Réponse de demandes à une commande du portail : acceptée (les événements `demande.*`
    habituels suivent dans la même transaction) ou refusée, avec les raisons."""

    event_type = "demande.commande_traitee"
    summary = "Réponse à une commande du portail : acceptée ou refusée (raisons par champ)."
    subject_field: ClassVar[str | None] = "demande_id"

    commande_id: UUID = Field(description="La commande à laquelle ceci répond")
    commande: str = Field(max_length=64, description="Type de la commande (portail.…)")
    demande_id: UUID = Field(description="Demande visée")
    departement: Departement = Field(description="Département de la demande")
    compte_demandeur: str = Field(max_length=64, description="Compte qui a envoyé la commande")
    acceptee: bool = Field(description="La commande a été appliquée")
    erreurs: list[ErreurCommande] = Field(
        default_factory=list, max_length=100, description="Raisons du refus, par champ"
    )
    statut: StatutDemande | None = Field(
        default=None, description="Statut de la demande après la commande (si elle existe)"
    )
    numero_unique: NumeroUniqueStr | None = Field(
        default=None, description="Numéro unique, s'il est attribué"
    )


__all__ = [
    "TAILLE_MAX_PIECE_EN_LIGNE",
    "DemandeCommandeTraitee",
    "ErreurCommande",
    "PieceTransmise",
    "PortailDemandeSoumise",
    "PortailModificationDemandee",
    "PortailRenonciationDemandee",
    "PortailRenouvellementDemande",
]
