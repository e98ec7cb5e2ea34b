"""First-quartile threshold per EPCI (L441-1 CCH; yearly ministerial arrêté; primer §10.2).

A demande is « premier quartile » when its annual resources per unit of consumption
(« revenus mensuels » × 12 ÷ unités de consommation, as the SNE computes them) are at
most the threshold of the EPCI. Figures come from premier_quartile.yaml; a placeholder
is marked `provisoire` and refused in production (configuration.donnees_provisoires).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from toit_referentiel.loading import data_path, load
from toit_referentiel.models import DonneeIndisponible, ReferentielInvalide

FICHIER = "premier_quartile.yaml"


@dataclass(frozen=True, slots=True)
class SeuilPremierQuartile:
    epci: str
    annee: int
    """Year of the arrêté applied (the latest configured one up to the year asked for)."""
    euros_par_uc: int
    """Annual resources per unit of consumption, in euros."""
    provisoire: bool
    """A placeholder, not the arrêté's figure: shown as such, refused in production."""


@cache
def _seuils() -> dict[tuple[int, str], SeuilPremierQuartile]:
    data = load(FICHIER) or {}
    seuils: dict[tuple[int, str], SeuilPremierQuartile] = {}
    for annee, entree in (data.get("annees") or {}).items():
        for epci, valeur in ((entree or {}).get("epci") or {}).items():
            where = f"annees.{annee}.epci.{epci}"
            seuil = (valeur or {}).get("seuil")
            provisoire = (valeur or {}).get("provisoire", False)
            if not isinstance(seuil, int) or isinstance(seuil, bool) or seuil <= 0:
                raise ReferentielInvalide(f"{data_path(FICHIER)}: {where}.seuil: entier positif")
            if not isinstance(provisoire, bool):
                raise ReferentielInvalide(f"{data_path(FICHIER)}: {where}.provisoire: booléen")
            seuils[(int(annee), str(epci))] = SeuilPremierQuartile(
                str(epci), int(annee), seuil, provisoire
            )
    return seuils


def seuil_premier_quartile(epci: str, annee: int) -> SeuilPremierQuartile:
    """The threshold of the EPCI for `annee`: that year's arrêté, or the latest earlier one
    while it is not published yet. Raises DonneeIndisponible when none is configured."""
    annees = sorted((a for a, e in _seuils() if e == epci and a <= annee), reverse=True)
    if not annees:
        raise DonneeIndisponible(f"seuil du premier quartile non configuré : EPCI {epci}")
    return _seuils()[(annees[0], epci)]


def ressources_annuelles_par_uc(ressources_mensuelles: Decimal, unites: Decimal) -> Decimal:
    """The SNE's measure: monthly resources × 12 ÷ units of consumption, to the cent."""
    if unites <= 0:
        raise ValueError("unités de consommation positives attendues")
    return (ressources_mensuelles * 12 / unites).quantize(Decimal("0.01"), ROUND_HALF_UP)


def au_premier_quartile(
    ressources_mensuelles: Decimal, unites: Decimal, seuil: SeuilPremierQuartile
) -> bool:
    """At most the threshold: the bound itself belongs to the first quartile (« le niveau
    de ressources le plus élevé du quartile »)."""
    return ressources_annuelles_par_uc(ressources_mensuelles, unites) <= seuil.euros_par_uc


def seuils_provisoires() -> tuple[str, ...]:
    """Each placeholder threshold, with its file and key (for the production check)."""
    return tuple(
        f"{data_path(FICHIER)}: annees.{annee}.epci.{epci}.provisoire "
        "(seuil du premier quartile provisoire, arrêté à reporter)"
        for (annee, epci), s in sorted(_seuils().items())
        if s.provisoire
    )
