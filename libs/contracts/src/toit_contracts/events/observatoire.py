"""Events of the observatoire service (statistics, primer §10)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from toit_contracts.enums import Typologie
from toit_contracts.events.base import ContractModel, IntegrationEvent, personal
from toit_contracts.types import CodeInsee, Departement, Email


class ChiffreCle(ContractModel):
    """Chiffres clés d'une commune, toutes typologies ou pour une typologie.

    Un effectif de moins de 5 ménages est masqué (absent), ainsi que celui qui
    permettrait de le retrouver par différence (secret statistique)."""

    commune: CodeInsee = Field(description="Commune (code INSEE)")
    typologie: Typologie | None = Field(
        default=None, description="Typologie demandée; absente : toutes typologies"
    )
    demandes_en_cours: int | None = Field(
        default=None, ge=0, description="Demandes en cours (actives) à la date de publication"
    )
    attributions_annee_precedente: int | None = Field(
        default=None, ge=0, description="Attributions (baux signés) de l'année précédente"
    )
    delai_median_mois: float | None = Field(
        default=None,
        ge=0,
        description="Délai médian d'attente des demandes satisfaites l'année précédente, en mois",
    )


class ChiffresClesPublies(IntegrationEvent):
    """L'observatoire a publié les chiffres clés d'un département (portail public)."""

    event_type = "observatoire.chiffres_cles_publies"
    subject_field: ClassVar[str | None] = "publication_id"
    summary = "Chiffres clés publics par commune et typologie, secret statistique appliqué."

    publication_id: UUID = Field(description="Identifiant de la publication (sujet)")
    departement: Departement = Field(description="Département des communes publiées")
    publie_le: AwareDatetime = Field(description="Date et heure de publication")
    date_reference: date = Field(description="Date des demandes en cours comptées")
    annee_attributions: int = Field(ge=2000, le=2100, description="Année des attributions comptées")
    seuil_secret: int = Field(ge=1, description="Effectif en dessous duquel un chiffre est masqué")
    chiffres: list[ChiffreCle] = Field(
        max_length=20_000, description="Chiffres par commune, toutes typologies puis par typologie"
    )


class ApercuResultat(ContractModel):
    """Les premières lignes d'un résultat agrégé (secret statistique appliqué : une
    cellule masquée est absente)."""

    colonnes: list[str] = Field(min_length=1, max_length=12, description="Libellés des colonnes")
    lignes: list[list[str | None]] = Field(
        max_length=50, description="Lignes (valeurs mises en forme; absente : masquée)"
    )
    tronque: bool = Field(default=False, description="D'autres lignes existent")


class ListeDiffusee(IntegrationEvent):
    """Une liste planifiée a été exécutée pour sa période : ses destinataires par courriel
    en reçoivent le résultat, une fois par liste et par période. Une liste nominative
    n'envoie que le lien (le résultat se lit connecté, dans le périmètre du lecteur)."""

    event_type = "observatoire.liste_diffusee"
    subject_field: ClassVar[str | None] = "diffusion_id"
    summary = (
        "Résultat d'une liste planifiée à envoyer à ses destinataires, une fois par période "
        "(jour, semaine ou mois)."
    )

    diffusion_id: UUID = Field(description="Diffusion (sujet) : une par liste et par période")
    liste_id: UUID = Field(description="Liste exécutée")
    titre: str = Field(min_length=1, max_length=200, description="Titre de la liste")
    reference: str = Field(min_length=1, max_length=32, description="Référence de la liste")
    planification: Literal["quotidienne", "hebdomadaire", "mensuelle"] = Field(
        description="Planification de la liste"
    )
    periode: str = Field(
        pattern=r"^\d{4}-(\d{2}-\d{2}|S\d{2}|\d{2})$",
        description="Période : jour (AAAA-MM-JJ), semaine ISO (AAAA-Snn) ou mois (AAAA-MM)",
    )
    execute_le: AwareDatetime = Field(description="Date et heure de l'exécution")
    total: int = Field(ge=0, description="Nombre de ménages (liste groupée) ou de lignes")
    nominatif: bool = Field(description="Liste nominative : seul le lien est envoyé")
    apercu: ApercuResultat | None = Field(
        default=None, description="Premières lignes d'un résultat agrégé; absent si nominatif"
    )
    lien: str = Field(
        pattern=r"^https?://[A-Za-z0-9.:-]+(/[A-Za-z0-9/_.-]*)?$",
        max_length=300,
        description="Adresse du résultat dans l'espace professionnel (connexion requise)",
    )
    destinataires: list[Email] = personal(
        "Courriels des destinataires de la liste.", min_length=1, max_length=50
    )


__all__ = ["ApercuResultat", "ChiffreCle", "ChiffresClesPublies", "ListeDiffusee"]
