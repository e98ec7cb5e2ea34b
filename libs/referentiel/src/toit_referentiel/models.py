"""Typed, immutable reference records returned by the toit_referentiel API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class ReferentielInvalide(ValueError):
    """A data file (packaged or from the override directory) is malformed."""


class ReferentielProvisoire(RuntimeError):
    """Production refuses placeholder reference data (the message names each file and key)."""


class DonneeIndisponible(LookupError):
    """The data asked for is not configured (unknown year, financing or département)."""


@dataclass(frozen=True, slots=True)
class Departement:
    code: str
    nom: str
    region: str
    chef_lieu: str
    """INSEE code of the préfecture."""


@dataclass(frozen=True, slots=True)
class Commune:
    insee: str
    nom: str
    departement: str
    codes_postaux: tuple[str, ...]
    population: int
    epci_siren: str | None
    """SIREN of the EPCI à fiscalité propre; None for the islands outside any EPCI."""


@dataclass(frozen=True, slots=True)
class Epci:
    siren: str
    nom: str
    nature: str
    """METRO, CU, CA or CC."""
    departements: tuple[str, ...]
    """Départements of the territory where the EPCI has communes (sorted)."""
    nombre_membres: int
    """All member communes, including those outside the territory."""


@dataclass(frozen=True, slots=True)
class DelaiAnormalementLong:
    """The délai anormalement long applying to a demande (L441-1-4 CCH)."""

    departement: str
    mois: int
    provisoire: bool
    """A placeholder, not the arrêté's figure: printed as « délai indicatif : arrêté
    préfectoral à confirmer », refused in production."""


@dataclass(frozen=True, slots=True)
class RegleRadiation:
    preavis_mois: int
    """Notice before the radiation takes effect."""
    reactivation_mois: int
    """How long after the radiation a reactivation stays possible (0: never)."""


@dataclass(frozen=True, slots=True)
class LifecycleConfig:
    validite_mois: int
    preavis_renouvellement_mois: int
    grace_non_renouvellement_mois: int
    """Months after expiry before the radiation for non-renewal."""
    attestation_delai_mois: int
    conservation_apres_radiation_mois: int
    """Months after radiation before the purge of personal data."""
    radiation: Mapping[str, RegleRadiation]
    """Keyed by MotifRadiation code (ATTRIBUTION, RENONCIATION, ...)."""
    validation_delai_jours: int = 10
    """An online demande not validated within this many days is on the gestionnaire's list."""
    a_valider_conservation_mois: int = 3
    """An online demande never validated is purged this many months after its dépôt."""

    def regle_radiation(self, motif: str) -> RegleRadiation:
        try:
            return self.radiation[motif]
        except KeyError:
            raise DonneeIndisponible(f"motif de radiation non configuré : {motif}") from None


class PhasePiece(StrEnum):
    ENREGISTREMENT = "ENREGISTREMENT"
    INSTRUCTION_OBLIGATOIRE = "INSTRUCTION_OBLIGATOIRE"
    COMPLEMENTAIRE = "COMPLEMENTAIRE"


class PorteePiece(StrEnum):
    PERSONNE = "PERSONNE"
    MENAGE = "MENAGE"


@dataclass(frozen=True, slots=True)
class TypePiece:
    code: str
    libelle: str
    phase: PhasePiece
    portee: PorteePiece
    famille: str
    sensible: bool
    """Health or violence data: need-to-know access only."""
