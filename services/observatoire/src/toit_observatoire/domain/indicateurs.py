"""Indicator formulas of primer §10 and the legal obligations of §8.2 (pure).

Definitions chosen where the primer leaves a choice (documented in the README):
- pression = demandes en cours at the end of the period ÷ attributions over it;
- taux de satisfaction = attributions ÷ (stock at the start + new demandes);
- first-quartile threshold = the highest annual resources per UC among the lowest
  quarter of the demandes (⌈N/4⌉ demandes, sorted ascending);
- attributions still needed to reach a rate: the least n such that
  (met + n) ÷ (total + n) ≥ target, the n next attributions all meeting it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

CIBLE_PREMIER_QUARTILE = Decimal("0.25")
CIBLE_QPV_HORS_Q1 = Decimal("0.50")
CIBLE_DALO = Decimal("0.25")


def pression(stock_fin: int, attributions: int) -> float | None:
    return round(stock_fin / attributions, 2) if attributions else None


def taux_satisfaction(attributions: int, stock_debut: int, nouvelles: int) -> float | None:
    base = stock_debut + nouvelles
    return round(attributions / base, 4) if base else None


def moyenne(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def mediane(values: Sequence[float]) -> float | None:
    return round(float(statistics.median(values)), 2) if values else None


def seuil_premier_quartile(revenus_uc: Iterable[Decimal | float]) -> Decimal | None:
    """The first-quartile threshold of a set of demandes (primer §10.2)."""
    values = sorted(Decimal(str(v)) for v in revenus_uc)
    if not values:
        return None
    quarter = math.ceil(len(values) / 4)
    return values[quarter - 1]


def premier_quartile(revenu_uc: Decimal | float | None, seuil: Decimal | None) -> bool | None:
    if revenu_uc is None or seuil is None:
        return None
    return Decimal(str(revenu_uc)) <= seuil


def encore_necessaires(conformes: int, total: int, cible: Decimal) -> int:
    """Attributions still needed (all meeting the rule) to reach the target rate."""
    if total == 0 or Decimal(conformes) >= cible * total:
        return 0
    missing = (cible * total - conformes) / (1 - cible)
    return math.ceil(missing)


@dataclass(frozen=True)
class Obligation:
    libelle: str
    total: int
    conformes: int
    cible: Decimal
    # Attributions left out of the base: the fact deciding it is unknown.
    inconnues: int = 0

    @property
    def taux(self) -> float | None:
        return round(self.conformes / self.total, 4) if self.total else None

    @property
    def atteinte(self) -> bool | None:
        return None if not self.total else Decimal(self.conformes) >= self.cible * self.total

    @property
    def manquantes(self) -> int:
        return encore_necessaires(self.conformes, self.total, self.cible)


@dataclass(frozen=True)
class AttributionFaits:
    """What an obligation needs to know about one attribution."""

    qpv: bool | None
    premier_quartile: bool | None
    relogement_anru: bool = False
    dalo: bool = False
    prioritaire: bool = False
    reservataire: str | None = None


def obligation_premier_quartile(
    attributions: Iterable[AttributionFaits], cible: Decimal = CIBLE_PREMIER_QUARTILE
) -> Obligation:
    """≥ 25 % of attributions outside QPV to first-quartile demandeurs (or ANRU/ORCOD
    rehousing), L441-1 CCH. An attribution whose QPV location or quartile is unknown
    is counted apart (`inconnues`), not guessed."""
    total = conformes = inconnues = 0
    for a in attributions:
        if a.qpv is True:
            continue
        if a.qpv is None or (a.premier_quartile is None and not a.relogement_anru):
            inconnues += 1
            continue
        total += 1
        conformes += bool(a.premier_quartile) or a.relogement_anru
    return Obligation("Premier quartile hors QPV", total, conformes, cible, inconnues)


def obligation_qpv(
    attributions: Iterable[AttributionFaits], cible: Decimal = CIBLE_QPV_HORS_Q1
) -> Obligation:
    """Objective of attributions in QPV to demandeurs other than the first quartile
    (50 % by default, set by the CIL/CIA)."""
    total = conformes = inconnues = 0
    for a in attributions:
        if a.qpv is False:
            continue
        if a.qpv is None or a.premier_quartile is None:
            inconnues += 1
            continue
        total += 1
        conformes += not a.premier_quartile
    return Obligation("Hors premier quartile en QPV", total, conformes, cible, inconnues)


def obligations_dalo(
    attributions: Iterable[AttributionFaits], cible: Decimal = CIBLE_DALO
) -> dict[str, Obligation]:
    """Per réservataire: ≥ 25 % of its attributions to DALO households, failing that
    to priority publics (the rate counts both)."""
    per: dict[str, list[AttributionFaits]] = {}
    for a in attributions:
        # Without its réservataire (known from matching's events only) an attribution
        # cannot count for anyone's obligation: left out, never guessed.
        if a.reservataire is not None:
            per.setdefault(a.reservataire, []).append(a)
    return {
        name: Obligation(
            f"DALO et prioritaires — {name}",
            len(items),
            sum(a.dalo or a.prioritaire for a in items),
            cible,
        )
        for name, items in sorted(per.items())
    }
