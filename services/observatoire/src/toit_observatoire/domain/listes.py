"""Saved lists (listes paramétrables): metadata and who may see or change them (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from servicekit import exceptions as refus
from toit_observatoire.domain.perimetre import Perimetre


class Planification(StrEnum):
    QUOTIDIENNE = "quotidienne"
    HEBDOMADAIRE = "hebdomadaire"
    MENSUELLE = "mensuelle"


class ListeIntrouvable(refus.Introuvable, LookupError):
    """The list does not exist or is not visible to the caller (404)."""

    def __init__(self, liste_id: str = "") -> None:
        super().__init__("Liste introuvable")
        self.args = (liste_id,)


class ModificationRefusee(refus.AccesRefuse, PermissionError):
    """Only the owner (or an allowed recipient) changes a list (403)."""

    def __init__(self, liste_id: str = "") -> None:
        super().__init__(
            "Accès refusé : seul le propriétaire (ou un destinataire autorisé) modifie"
        )
        self.args = (liste_id,)


class VersionPerimee(refus.VersionObsolete, ValueError):
    """The list changed since the caller read it (If-Match) (412)."""

    message = "La liste a été modifiée entre-temps : rechargez-la avant de la modifier"


@dataclass(frozen=True)
class Utilisateur:
    sub: str
    organisation: str | None
    perimetre: Perimetre
    # May read nominative demandes (demande.lire).
    nominatif_permis: bool
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Destinataire:
    # "organisation" or "utilisateur" (they see the list in their espace), or "courriel"
    # (an address that receives a scheduled list's result, through notifications).
    type: str
    id: str


@dataclass
class Liste:
    id: Any
    type: str
    domaine: str
    titre: str
    reference: str
    description: str | None
    definition: dict[str, Any]
    proprietaire: str
    organisation: str | None
    destinataires: list[Destinataire] = field(default_factory=list)
    modification_destinataires: bool = False
    dossier: str | None = None
    actif: bool = True
    conservation_jours: int = 7
    planification: Planification | None = None
    accueil: bool = False
    version: int = 1

    def destinataire(self, qui: Utilisateur) -> bool:
        return any(
            (d.type == "utilisateur" and d.id == qui.sub)
            or (
                d.type == "organisation"
                and qui.organisation is not None
                and d.id == qui.organisation
            )
            for d in self.destinataires
        )

    def courriels(self) -> list[str]:
        return list(dict.fromkeys(d.id for d in self.destinataires if d.type == "courriel"))

    def visible_par(self, qui: Utilisateur) -> bool:
        return self.proprietaire == qui.sub or self.destinataire(qui)

    def modifiable_par(self, qui: Utilisateur) -> bool:
        return self.proprietaire == qui.sub or (
            self.modification_destinataires and self.destinataire(qui)
        )


def echeance(planification: Planification, jour: date) -> bool:
    """Is a scheduled list due on this day?"""
    if planification is Planification.QUOTIDIENNE:
        return True
    if planification is Planification.HEBDOMADAIRE:
        return jour.weekday() == 0
    return jour.day == 1


def periode(planification: Planification, jour: date) -> str:
    """The period a scheduled run covers: its day, ISO week or month. A list is sent
    at most once per period (the diffusion's key)."""
    if planification is Planification.QUOTIDIENNE:
        return jour.isoformat()
    if planification is Planification.HEBDOMADAIRE:
        year, week, _ = jour.isocalendar()
        return f"{year:04d}-S{week:02d}"
    return f"{jour.year:04d}-{jour.month:02d}"
