"""Taux d'effort, reste à vivre, UC and the APL estimate for one household and one unit
(primer §10.2–10.4). Formulas' parameters come from configuration
(`toit_referentiel.rapprochement`); the APL is an estimate and is always shown as one.

taux d'effort = (loyer + charges + forfaits individuels − APL estimée) ÷ ressources mensuelles
reste à vivre = (ressources + APL estimée − loyer − charges − forfaits) ÷ UC ÷ 30 (€/jour/UC)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from toit_referentiel.rapprochement import BaremeApl, EchelleUC, RegleRapprochement

UN_CENTIEME = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Menage:
    """What the formulas need of a household."""

    taille: int
    annees_naissance: tuple[int, ...]
    enfants_a_naitre: int
    couple: bool
    personnes_a_charge: int
    ressources_mensuelles: Decimal | None


@dataclass(frozen=True, slots=True)
class Loyer:
    """What the formulas need of a unit."""

    loyer: Decimal
    charges: Decimal
    chauffage_individuel: bool
    eau_individuelle: bool
    commune: str


@dataclass(frozen=True, slots=True)
class Budget:
    unites_consommation: Decimal
    forfaits_individuels: Decimal
    apl_estimee: Decimal
    depense_nette: Decimal
    taux_effort: Decimal | None  # fraction (0.31 = 31 %); None without resources
    reste_a_vivre: Decimal | None  # € per day and per UC


def unites_consommation(menage: Menage, regle: RegleRapprochement, le: date) -> Decimal:
    return _unites(
        menage.annees_naissance, menage.enfants_a_naitre, le.year, regle.unites_consommation
    )


@lru_cache(maxsize=65_536)
def _unites(
    annees_naissance: tuple[int, ...], enfants_a_naitre: int, annee: int, echelle: EchelleUC
) -> Decimal:
    """The UC of a composition in a year (households share a few thousand compositions)."""
    uc = Decimal(0)
    for index, naissance in enumerate(annees_naissance):
        if index == 0:
            uc += echelle.premiere_personne
        elif annee - naissance >= echelle.age_adulte:
            uc += echelle.autre_adulte
        else:
            uc += echelle.enfant
    uc += echelle.enfant * enfants_a_naitre
    return max(uc, echelle.premiere_personne)


def apl_estimee(menage: Menage, loyer: Decimal, commune: str, bareme: BaremeApl) -> Decimal:
    """Simplified scale: min(rent, ceiling) + flat charges − personal contribution."""
    ressources = menage.ressources_mensuelles or Decimal(0)
    plafonds = (
        bareme.loyers_plafonds.get(bareme.zone(commune))
        or bareme.loyers_plafonds[bareme.zone_par_defaut]
    )
    a_charge = menage.personnes_a_charge
    plafond = (plafonds.couple if menage.couple or a_charge else plafonds.seul) + (
        plafonds.par_personne_a_charge * a_charge
    )
    forfait = bareme.forfait_charges.pour(a_charge)
    abattement = bareme.ressources_abattement[
        min(menage.taille, len(bareme.ressources_abattement)) - 1
    ]
    participation = bareme.participation_minimale + bareme.taux_participation * max(
        Decimal(0), ressources - abattement
    )
    montant = min(loyer, plafond) + forfait - participation
    return max(Decimal(0), montant).quantize(Decimal(1), ROUND_HALF_UP)


def budget(menage: Menage, logement: Loyer, regle: RegleRapprochement, le: date) -> Budget:
    uc = unites_consommation(menage, regle, le)
    forfaits = Decimal(0)
    if logement.chauffage_individuel:
        forfaits += regle.chauffage.pour(menage.taille)
    if logement.eau_individuelle:
        forfaits += regle.eau.pour(menage.taille)
    apl = apl_estimee(menage, logement.loyer, logement.commune, regle.apl)
    depense = logement.loyer + logement.charges + forfaits
    nette = depense - apl
    ressources = menage.ressources_mensuelles
    if not ressources or ressources <= 0:
        return Budget(uc, forfaits, apl, nette, None, None)
    taux = (nette / ressources).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    reste = ((ressources + apl - depense) / uc / 30).quantize(UN_CENTIEME, ROUND_HALF_UP)
    return Budget(uc, forfaits, apl, nette, taux, reste)
