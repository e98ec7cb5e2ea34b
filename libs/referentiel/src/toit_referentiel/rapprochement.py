"""Matching configuration (rapprochement.yaml) and commune positions.

Typology rule, UC scale, flat charges, the simplified APL estimate scale and the
soft-filter thresholds per bailleur or EPCI (primer §10.2–10.4, §14): all configuration,
unverified, replaceable with TOIT_REFERENTIEL_DIR. Commune positions come from
communes_coordonnees.json (GeoNames, approximate centres; absent for small communes).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from toit_referentiel.loading import data_path, load, rows
from toit_referentiel.models import ReferentielInvalide

NOM = "rapprochement.yaml"


def _invalid(message: str) -> ReferentielInvalide:
    return ReferentielInvalide(f"{data_path(NOM)}: {message}")


def _dec(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _invalid(f"{where}: nombre attendu, reçu {value!r}")
    try:
        number = Decimal(str(value))
    except ArithmeticError as exc:
        raise _invalid(f"{where}: nombre attendu, reçu {value!r}") from exc
    if number < 0:
        raise _invalid(f"{where}: nombre positif attendu, reçu {value!r}")
    return number


@dataclass(frozen=True, slots=True)
class Forfait:
    base: Decimal
    par_personne: Decimal

    def pour(self, personnes: int) -> Decimal:
        return self.base + self.par_personne * personnes


@dataclass(frozen=True, slots=True)
class EchelleUC:
    premiere_personne: Decimal
    autre_adulte: Decimal
    enfant: Decimal
    age_adulte: int


@dataclass(frozen=True, slots=True)
class LoyerPlafond:
    seul: Decimal
    couple: Decimal
    par_personne_a_charge: Decimal


@dataclass(frozen=True, slots=True)
class BaremeApl:
    avertissement: str
    zone_par_defaut: int
    zones: dict[str, int]
    loyers_plafonds: dict[int, LoyerPlafond]
    forfait_charges: Forfait
    participation_minimale: Decimal
    taux_participation: Decimal
    ressources_abattement: tuple[Decimal, ...]

    def zone(self, commune: str) -> int:
        return self.zones.get(commune, self.zone_par_defaut)


@dataclass(frozen=True, slots=True)
class Seuils:
    taux_effort_max: Decimal
    reste_a_vivre_min: Decimal


@dataclass(frozen=True, slots=True)
class RegleRapprochement:
    typologies_par_taille: dict[int, tuple[str, ...]]
    unites_consommation: EchelleUC
    chauffage: Forfait
    eau: Forfait
    apl: BaremeApl
    seuils_defaut: Seuils
    seuils_epci: dict[str, Seuils]
    seuils_bailleur: dict[str, Seuils]
    candidats_par_logement: int

    def typologies_pour(self, taille: int) -> tuple[str, ...]:
        typologies = self.typologies_par_taille.get(taille)
        if typologies is not None:
            return typologies
        tailles = sorted(self.typologies_par_taille)
        return self.typologies_par_taille[min(max(taille, tailles[0]), tailles[-1])]

    def seuils(self, *, bailleur: str | None, epci: str | None) -> Seuils:
        if bailleur is not None and bailleur in self.seuils_bailleur:
            return self.seuils_bailleur[bailleur]
        if epci is not None and epci in self.seuils_epci:
            return self.seuils_epci[epci]
        return self.seuils_defaut


def _forfait(value: Any, where: str) -> Forfait:
    if not isinstance(value, dict):
        raise _invalid(f"{where}: objet attendu")
    return Forfait(
        _dec(value.get("base"), f"{where}.base"),
        _dec(
            value.get("par_personne", value.get("par_personne_a_charge")), f"{where}.par_personne"
        ),
    )


def _seuils(value: Any, where: str) -> Seuils:
    if not isinstance(value, dict):
        raise _invalid(f"{where}: objet attendu")
    return Seuils(
        _dec(value.get("taux_effort_max"), f"{where}.taux_effort_max"),
        _dec(value.get("reste_a_vivre_min"), f"{where}.reste_a_vivre_min"),
    )


@cache
def regles_rapprochement() -> RegleRapprochement:
    """The matching configuration, read once."""
    data = load(NOM)
    if not isinstance(data, dict):
        raise _invalid("objet attendu")
    typologies = {
        int(taille): tuple(str(t) for t in liste)
        for taille, liste in (data.get("typologies_par_taille") or {}).items()
    }
    if not typologies:
        raise _invalid("typologies_par_taille: au moins une taille de ménage attendue")
    uc = data.get("unites_consommation") or {}
    echelle = EchelleUC(
        _dec(uc.get("premiere_personne"), "unites_consommation.premiere_personne"),
        _dec(uc.get("autre_adulte"), "unites_consommation.autre_adulte"),
        _dec(uc.get("enfant"), "unites_consommation.enfant"),
        int(_dec(uc.get("age_adulte"), "unites_consommation.age_adulte")),
    )
    forfaits = data.get("forfaits_individuels") or {}
    apl = data.get("estimation_apl") or {}
    plafonds = {
        int(zone): LoyerPlafond(
            _dec(v.get("seul"), f"estimation_apl.loyers_plafonds.{zone}.seul"),
            _dec(v.get("couple"), f"estimation_apl.loyers_plafonds.{zone}.couple"),
            _dec(v.get("par_personne_a_charge"), f"estimation_apl.loyers_plafonds.{zone}"),
        )
        for zone, v in (apl.get("loyers_plafonds") or {}).items()
    }
    bareme = BaremeApl(
        avertissement=str(apl.get("avertissement") or "").strip(),
        zone_par_defaut=int(apl.get("zone_par_defaut", 3)),
        zones={str(k): int(v) for k, v in (apl.get("zones") or {}).items()},
        loyers_plafonds=plafonds,
        forfait_charges=_forfait(apl.get("forfait_charges"), "estimation_apl.forfait_charges"),
        participation_minimale=_dec(
            apl.get("participation_minimale"), "estimation_apl.participation_minimale"
        ),
        taux_participation=_dec(apl.get("taux_participation"), "estimation_apl.taux_participation"),
        ressources_abattement=tuple(
            _dec(v, "estimation_apl.ressources_abattement")
            for v in apl.get("ressources_abattement") or ()
        ),
    )
    if bareme.zone_par_defaut not in plafonds or not bareme.ressources_abattement:
        raise _invalid(
            "estimation_apl: loyers plafonds de la zone par défaut et abattements attendus"
        )
    seuils = data.get("seuils") or {}
    return RegleRapprochement(
        typologies_par_taille=typologies,
        unites_consommation=echelle,
        chauffage=_forfait(forfaits.get("chauffage"), "forfaits_individuels.chauffage"),
        eau=_forfait(forfaits.get("eau"), "forfaits_individuels.eau"),
        apl=bareme,
        seuils_defaut=_seuils(seuils.get("defaut"), "seuils.defaut"),
        seuils_epci={
            str(k): _seuils(v, f"seuils.epci.{k}") for k, v in (seuils.get("epci") or {}).items()
        },
        seuils_bailleur={
            str(k): _seuils(v, f"seuils.bailleur.{k}")
            for k, v in (seuils.get("bailleur") or {}).items()
        },
        candidats_par_logement=int(
            (data.get("designation") or {}).get("candidats_par_logement", 3)
        ),
    )


@cache
def _positions() -> dict[str, tuple[float, float]]:
    return {
        insee: (float(lat), float(lon))
        for insee, lat, lon in rows(
            "communes_coordonnees.json", "communes", ["insee", "latitude", "longitude"]
        )
    }


def position_commune(insee: str) -> tuple[float, float] | None:
    """Approximate centre (latitude, longitude) of a commune, None when unknown."""
    return _positions().get(insee)
